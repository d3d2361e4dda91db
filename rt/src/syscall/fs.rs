//! File-system syscalls: paths, descriptors, metadata. Owns the translation of `open` flags (arm64 and x86-64
//! number O_DIRECTORY/O_NOFOLLOW/O_DIRECT/O_LARGEFILE differently) and of `struct stat` (arm64's asm-generic
//! layout, built from a host `statx`). `statfs`, `statx` and `getdents64` have the same layout on both.

use std::ffi::CString;
use std::os::fd::{AsRawFd, IntoRawFd, OwnedFd};

use super::{Stop, SysResult, host, host_blocking};
use crate::guest::Guest;
use crate::host::Arg;
use crate::jail::proc_self_fd;

const AT_EMPTY_PATH: u64 = 0x1000;
const AT_SYMLINK_NOFOLLOW: u64 = libc::AT_SYMLINK_NOFOLLOW as u64;
const AT_SYMLINK_FOLLOW: u64 = libc::AT_SYMLINK_FOLLOW as u64;
const AT_FDCWD: u64 = libc::AT_FDCWD as u64;

/// Where a path-taking call acts on the host: `dirfd` + `path` plus `flags` to add (`AT_EMPTY_PATH` when the
/// jail resolved the path to a descriptor). `held` keeps that descriptor open for the call.
struct At {
    dirfd: u64,
    path: CString,
    flags: u64,
    held: Option<OwnedFd>,
}

impl At {
    fn direct(dirfd: u64, path: CString) -> At {
        At {
            dirfd,
            path,
            flags: 0,
            held: None,
        }
    }

    /// A host path that names exactly this object (`/proc/self/fd/N` for a jail-resolved one).
    fn host_path(&self) -> CString {
        match &self.held {
            Some(fd) if self.path.is_empty() => proc_self_fd(fd),
            _ => self.path.clone(),
        }
    }
}

/// (arm64 bit, host bit) pairs that differ.
#[cfg(target_arch = "x86_64")]
const OPEN_FLAG_MAP: [(u64, u64); 4] = [
    (0o40000, libc::O_DIRECTORY as u64),
    (0o100000, libc::O_NOFOLLOW as u64),
    (0o200000, libc::O_DIRECT as u64),
    (0o400000, libc::O_LARGEFILE as u64),
];
#[cfg(not(target_arch = "x86_64"))]
const OPEN_FLAG_MAP: [(u64, u64); 0] = [];

fn remap(flags: u64, from_guest: bool) -> u64 {
    let mask: u64 = OPEN_FLAG_MAP
        .iter()
        .map(|&(g, h)| if from_guest { g } else { h })
        .sum();
    let mut out = flags & !mask;
    for &(g, h) in OPEN_FLAG_MAP.iter() {
        let (from, to) = if from_guest { (g, h) } else { (h, g) };
        if flags & from != 0 {
            out |= to;
        }
    }
    out
}

pub(crate) fn open_flags_to_host(f: u64) -> u64 {
    remap(f, true)
}

pub(crate) fn open_flags_to_guest(f: u64) -> u64 {
    remap(f, false)
}

impl Guest {
    /// A guest path argument; `/proc/self/exe` names the guest program, not elfrun.
    pub(super) fn path(&self, addr: u64) -> Result<CString, Stop> {
        let p = self.cstr(addr)?;
        if p.as_bytes() == b"/proc/self/exe" {
            return CString::new(self.exe.as_os_str().as_encoded_bytes())
                .map_err(|_| Stop::Errno(libc::EINVAL));
        }
        Ok(p)
    }

    /// The object `dirfd`/`path` names, for calls that act on it (stat, access, chmod, …). Without `--root`
    /// that is `dirfd`/`path` unchanged; in the jail an `O_PATH` descriptor of it (the final symlink followed if
    /// `follow`), reached with AT_EMPTY_PATH. An empty path is the descriptor itself when `empty_ok`.
    fn at_object(
        &self,
        dirfd: u64,
        path: CString,
        follow: bool,
        empty_ok: bool,
    ) -> Result<At, Stop> {
        let Some(jail) = &self.jail else {
            return Ok(At::direct(dirfd, path));
        };
        if path.is_empty() {
            return match empty_ok {
                true => Ok(At::direct(dirfd, path)),
                false => Err(Stop::Errno(libc::ENOENT)),
            };
        }
        let mut flags = libc::O_PATH | libc::O_CLOEXEC;
        if !follow {
            flags |= libc::O_NOFOLLOW;
        }
        let fd = jail.open(dirfd as i32, path.as_bytes(), flags as u64, 0)?;
        Ok(At {
            dirfd: fd.as_raw_fd() as u64,
            path: CString::default(),
            flags: AT_EMPTY_PATH,
            held: Some(fd),
        })
    }

    /// The directory holding the last component of `dirfd`/`path` and that component, for calls that create,
    /// remove or rename names: unchanged without `--root`, resolved inside the jail with it.
    fn at_parent(&self, dirfd: u64, path: CString) -> Result<At, Stop> {
        let Some(jail) = &self.jail else {
            return Ok(At::direct(dirfd, path));
        };
        let (fd, last) = jail.parent(dirfd as i32, path.as_bytes())?;
        Ok(At {
            dirfd: fd.as_raw_fd() as u64,
            path: last,
            flags: 0,
            held: Some(fd),
        })
    }
}

pub fn openat(g: &mut Guest, a: [u64; 6]) -> SysResult {
    let p = g.path(a[1])?;
    if let Some(jail) = &g.jail {
        let fd = jail.open(a[0] as i32, p.as_bytes(), open_flags_to_host(a[2]), a[3])?;
        return Ok(fd.into_raw_fd() as u64);
    }
    // Opening a FIFO waits for its other end.
    host_blocking(
        libc::SYS_openat,
        &mut [
            Arg::Int(a[0]),
            Arg::Str(&p),
            Arg::Int(open_flags_to_host(a[2])),
            Arg::Int(a[3]),
        ],
    )
}

impl Guest {
    /// Whether `fd` is one of elfrun's own descriptors the guest may not close or replace (the jail's root).
    fn reserved_fd(&self, fd: u64) -> bool {
        self.jail.as_ref().is_some_and(|j| j.fd() as u64 == fd)
    }
}

pub fn close(g: &mut Guest, a: [u64; 6]) -> SysResult {
    // The guest's descriptors are elfrun's; keep the standard streams elfrun reports errors on.
    if g.reserved_fd(a[0]) {
        return Err(Stop::Errno(libc::EBADF));
    }
    host(libc::SYS_close, &mut [Arg::Int(a[0])])
}

pub fn lseek(_g: &mut Guest, a: [u64; 6]) -> SysResult {
    host(
        libc::SYS_lseek,
        &mut [Arg::Int(a[0]), Arg::Int(a[1]), Arg::Int(a[2])],
    )
}

pub fn dup(_g: &mut Guest, a: [u64; 6]) -> SysResult {
    host(libc::SYS_dup, &mut [Arg::Int(a[0])])
}

pub fn dup3(g: &mut Guest, a: [u64; 6]) -> SysResult {
    if g.reserved_fd(a[1]) {
        return Err(Stop::Errno(libc::EBADF));
    }
    host(
        libc::SYS_dup3,
        &mut [
            Arg::Int(a[0]),
            Arg::Int(a[1]),
            Arg::Int(open_flags_to_host(a[2])),
        ],
    )
}

pub fn fcntl(g: &mut Guest, a: [u64; 6]) -> SysResult {
    let (fd, cmd) = (a[0], a[1] as i32);
    match cmd {
        libc::F_GETFL => host(libc::SYS_fcntl, &mut [Arg::Int(fd), Arg::Int(cmd as u64)])
            .map(open_flags_to_guest),
        libc::F_SETFL => host(
            libc::SYS_fcntl,
            &mut [
                Arg::Int(fd),
                Arg::Int(cmd as u64),
                Arg::Int(open_flags_to_host(a[2])),
            ],
        ),
        libc::F_GETLK
        | libc::F_SETLK
        | libc::F_SETLKW
        | libc::F_OFD_GETLK
        | libc::F_OFD_SETLK
        | libc::F_OFD_SETLKW => {
            // struct flock is 32 bytes with the same layout on both 64-bit ABIs. F_SETLKW waits.
            let b = g.buf(a[2], 32)?;
            host_blocking(
                libc::SYS_fcntl,
                &mut [Arg::Int(fd), Arg::Int(cmd as u64), Arg::Guest(b)],
            )
        }
        libc::F_DUPFD
        | libc::F_DUPFD_CLOEXEC
        | libc::F_GETFD
        | libc::F_SETFD
        | libc::F_GETOWN
        | libc::F_SETOWN
        | libc::F_GETPIPE_SZ
        | libc::F_SETPIPE_SZ
        | libc::F_ADD_SEALS
        | libc::F_GET_SEALS => host(
            libc::SYS_fcntl,
            &mut [Arg::Int(fd), Arg::Int(cmd as u64), Arg::Int(a[2])],
        ),
        _ => {
            g.warn_once(
                (1 << 40) | cmd as u64,
                format_args!("fcntl command {cmd} is not supported: returning -EINVAL"),
            );
            Err(Stop::Errno(libc::EINVAL))
        }
    }
}

pub fn pipe2(g: &mut Guest, a: [u64; 6]) -> SysResult {
    let b = g.buf(a[0], 8)?;
    host(
        libc::SYS_pipe2,
        &mut [Arg::Guest(b), Arg::Int(open_flags_to_host(a[1]))],
    )
}

pub fn getdents64(g: &mut Guest, a: [u64; 6]) -> SysResult {
    let b = g.buf(a[1], a[2])?;
    host(
        libc::SYS_getdents64,
        &mut [Arg::Int(a[0]), Arg::Guest(b), Arg::Int(a[2])],
    )
}

/// Host `statx` of `dirfd`/`path` with `flags`, as raw bytes.
fn statx_raw(dirfd: u64, path: &CString, flags: u64) -> Result<[u8; 256], Stop> {
    let mut sx = [0u8; 256];
    host(
        libc::SYS_statx,
        &mut [
            Arg::Int(dirfd),
            Arg::Str(path),
            Arg::Int(
                flags
                    & (libc::AT_SYMLINK_NOFOLLOW as u64
                        | AT_EMPTY_PATH
                        | libc::AT_NO_AUTOMOUNT as u64),
            ),
            Arg::Int(libc::STATX_BASIC_STATS as u64),
            Arg::Out(&mut sx),
        ],
    )?;
    Ok(sx)
}

/// arm64 `struct stat` (128 bytes, asm-generic) from a `struct statx`.
pub(crate) fn stat_from_statx(sx: &[u8; 256]) -> [u8; 128] {
    let u16_at = |o: usize| u16::from_le_bytes([sx[o], sx[o + 1]]) as u64;
    let u32_at = |o: usize| u32::from_le_bytes(sx[o..o + 4].try_into().expect("4")) as u64;
    let u64_at = |o: usize| u64::from_le_bytes(sx[o..o + 8].try_into().expect("8"));
    let dev = |major: u64, minor: u64| {
        ((major & 0xfff) << 8) | ((major & !0xfff) << 32) | (minor & 0xff) | ((minor & !0xff) << 12)
    };
    let mut st = [0u8; 128];
    let mut put = |off: usize, v: u64, size: usize| {
        st[off..off + size].copy_from_slice(&v.to_le_bytes()[..size])
    };
    put(0, dev(u32_at(136), u32_at(140)), 8); // st_dev
    put(8, u64_at(32), 8); // st_ino
    put(16, u16_at(28), 4); // st_mode
    put(20, u32_at(16), 4); // st_nlink
    put(24, u32_at(20), 4); // st_uid
    put(28, u32_at(24), 4); // st_gid
    put(32, dev(u32_at(128), u32_at(132)), 8); // st_rdev
    put(48, u64_at(40), 8); // st_size
    put(56, u32_at(4), 4); // st_blksize
    put(64, u64_at(48), 8); // st_blocks
    // atime, mtime, ctime: statx timestamps are at 64 (atime), 96 (ctime), 112 (mtime).
    for (dst, src) in [(72, 64), (88, 112), (104, 96)] {
        put(dst, u64_at(src), 8);
        put(dst + 8, u32_at(src + 8), 8);
    }
    st
}

pub fn newfstatat(g: &mut Guest, a: [u64; 6]) -> SysResult {
    let p = g.path(a[1])?;
    g.buf(a[2], 128)?;
    let flags = a[3];
    let at = g.at_object(
        a[0],
        p,
        flags & AT_SYMLINK_NOFOLLOW == 0,
        flags & AT_EMPTY_PATH != 0,
    )?;
    let sx = statx_raw(at.dirfd, &at.path, flags | at.flags)?;
    g.write_guest(a[2], &stat_from_statx(&sx))?;
    Ok(0)
}

pub fn fstat(g: &mut Guest, a: [u64; 6]) -> SysResult {
    g.buf(a[1], 128)?;
    let sx = statx_raw(a[0], &CString::default(), AT_EMPTY_PATH)?;
    g.write_guest(a[1], &stat_from_statx(&sx))?;
    Ok(0)
}

pub fn statx(g: &mut Guest, a: [u64; 6]) -> SysResult {
    let p = g.path(a[1])?;
    let b = g.buf(a[4], 256)?;
    let flags = a[2];
    let at = g.at_object(
        a[0],
        p,
        flags & AT_SYMLINK_NOFOLLOW == 0,
        flags & AT_EMPTY_PATH != 0,
    )?;
    host(
        libc::SYS_statx,
        &mut [
            Arg::Int(at.dirfd),
            Arg::Str(&at.path),
            Arg::Int(flags | at.flags),
            Arg::Int(a[3]),
            Arg::Guest(b),
        ],
    )
}

pub fn readlinkat(g: &mut Guest, a: [u64; 6]) -> SysResult {
    let raw = g.cstr(a[1])?;
    if raw.as_bytes() == b"/proc/self/exe" {
        let exe = g.exe.as_os_str().as_encoded_bytes().to_vec();
        let n = exe.len().min(a[3] as usize);
        g.write_guest(a[2], &exe[..n])?;
        return Ok(n as u64);
    }
    if let Some(link) = g.jail.as_ref().and_then(|j| j.fd_link(raw.as_bytes())) {
        let link = link.map_err(|e| if e == libc::EBADF { libc::ENOENT } else { e })?;
        let n = link.len().min(a[3] as usize);
        g.write_guest(a[2], &link[..n])?;
        return Ok(n as u64);
    }
    let b = g.buf(a[2], a[3])?;
    let named = !raw.is_empty();
    let at = g.at_object(a[0], raw, false, true)?;
    let r = host(
        libc::SYS_readlinkat,
        &mut [
            Arg::Int(at.dirfd),
            Arg::Str(&at.path),
            Arg::Guest(b),
            Arg::Int(a[3]),
        ],
    );
    match r {
        // readlinkat(fd, "") of something that is not a symlink is ENOENT; of a name it is EINVAL.
        Err(Stop::Errno(libc::ENOENT)) if named && at.held.is_some() => {
            Err(Stop::Errno(libc::EINVAL))
        }
        r => r,
    }
}

/// `nr(dirfd, path, ints…)`: the *at calls whose only pointer is the path, at `at` (see [`Guest::at_parent`]).
fn at_path(nr: libc::c_long, at: &At, ints: &[u64]) -> SysResult {
    let mut args = vec![Arg::Int(at.dirfd), Arg::Str(&at.path)];
    args.extend(ints.iter().map(|&v| Arg::Int(v)));
    host(nr, &mut args)
}

pub fn faccessat(g: &mut Guest, a: [u64; 6]) -> SysResult {
    let p = g.path(a[1])?;
    if g.jail.is_some() {
        return faccessat2(g, [a[0], a[1], a[2], 0, 0, 0]);
    }
    at_path(libc::SYS_faccessat, &At::direct(a[0], p), &a[2..3])
}

pub fn faccessat2(g: &mut Guest, a: [u64; 6]) -> SysResult {
    let p = g.path(a[1])?;
    let flags = a[3];
    let at = g.at_object(
        a[0],
        p,
        flags & AT_SYMLINK_NOFOLLOW == 0,
        flags & AT_EMPTY_PATH != 0,
    )?;
    at_path(libc::SYS_faccessat2, &at, &[a[2], flags | at.flags])
}

pub fn mkdirat(g: &mut Guest, a: [u64; 6]) -> SysResult {
    let p = g.cstr(a[1])?;
    at_path(libc::SYS_mkdirat, &g.at_parent(a[0], p)?, &a[2..3])
}

pub fn mknodat(g: &mut Guest, a: [u64; 6]) -> SysResult {
    let p = g.cstr(a[1])?;
    at_path(libc::SYS_mknodat, &g.at_parent(a[0], p)?, &a[2..4])
}

pub fn unlinkat(g: &mut Guest, a: [u64; 6]) -> SysResult {
    let p = g.cstr(a[1])?;
    at_path(libc::SYS_unlinkat, &g.at_parent(a[0], p)?, &a[2..3])
}

pub fn renameat(g: &mut Guest, a: [u64; 6]) -> SysResult {
    renameat2(g, [a[0], a[1], a[2], a[3], 0, 0])
}

pub fn renameat2(g: &mut Guest, a: [u64; 6]) -> SysResult {
    let (from, to) = (g.cstr(a[1])?, g.cstr(a[3])?);
    let (from, to) = (g.at_parent(a[0], from)?, g.at_parent(a[2], to)?);
    host(
        libc::SYS_renameat2,
        &mut [
            Arg::Int(from.dirfd),
            Arg::Str(&from.path),
            Arg::Int(to.dirfd),
            Arg::Str(&to.path),
            Arg::Int(a[4]),
        ],
    )
}

pub fn symlinkat(g: &mut Guest, a: [u64; 6]) -> SysResult {
    // The link's contents are stored as given: they are resolved (inside the jail) when the link is followed.
    let (target, link) = (g.cstr(a[0])?, g.cstr(a[2])?);
    let link = g.at_parent(a[1], link)?;
    host(
        libc::SYS_symlinkat,
        &mut [
            Arg::Str(&target),
            Arg::Int(link.dirfd),
            Arg::Str(&link.path),
        ],
    )
}

pub fn linkat(g: &mut Guest, a: [u64; 6]) -> SysResult {
    let (from, to) = (g.cstr(a[1])?, g.cstr(a[3])?);
    let flags = a[4];
    let (from, from_flags) = if g.jail.is_none() || (from.is_empty() && flags & AT_EMPTY_PATH != 0)
    {
        (At::direct(a[0], from), flags)
    } else if flags & AT_SYMLINK_FOLLOW != 0 {
        // Following the source's final symlink in the jail, then linking exactly that file.
        let obj = g.at_object(a[0], from, true, false)?;
        let at = At {
            dirfd: AT_FDCWD,
            path: obj.host_path(),
            flags: 0,
            held: obj.held,
        };
        (at, AT_SYMLINK_FOLLOW)
    } else {
        (g.at_parent(a[0], from)?, flags)
    };
    let to = g.at_parent(a[2], to)?;
    host(
        libc::SYS_linkat,
        &mut [
            Arg::Int(from.dirfd),
            Arg::Str(&from.path),
            Arg::Int(to.dirfd),
            Arg::Str(&to.path),
            Arg::Int(from_flags),
        ],
    )
}

pub fn fchmod(_g: &mut Guest, a: [u64; 6]) -> SysResult {
    host(libc::SYS_fchmod, &mut [Arg::Int(a[0]), Arg::Int(a[1])])
}

pub fn fchmodat(g: &mut Guest, a: [u64; 6]) -> SysResult {
    let p = g.cstr(a[1])?;
    let at = g.at_object(a[0], p, true, false)?;
    let dirfd = if at.held.is_some() {
        AT_FDCWD
    } else {
        at.dirfd
    };
    host(
        libc::SYS_fchmodat,
        &mut [Arg::Int(dirfd), Arg::Str(&at.host_path()), Arg::Int(a[2])],
    )
}

pub fn fchownat(g: &mut Guest, a: [u64; 6]) -> SysResult {
    let p = g.cstr(a[1])?;
    let flags = a[4];
    let at = g.at_object(
        a[0],
        p,
        flags & AT_SYMLINK_NOFOLLOW == 0,
        flags & AT_EMPTY_PATH != 0,
    )?;
    host(
        libc::SYS_fchownat,
        &mut [
            Arg::Int(at.dirfd),
            Arg::Str(&at.path),
            Arg::Int(a[2]),
            Arg::Int(a[3]),
            Arg::Int(flags | at.flags),
        ],
    )
}

pub fn fchown(_g: &mut Guest, a: [u64; 6]) -> SysResult {
    host(
        libc::SYS_fchown,
        &mut [Arg::Int(a[0]), Arg::Int(a[1]), Arg::Int(a[2])],
    )
}

pub fn utimensat(g: &mut Guest, a: [u64; 6]) -> SysResult {
    // A NULL path means "the descriptor itself" here.
    let flags = a[3];
    let at = match a[1] {
        0 => None,
        p => {
            let p = g.cstr(p)?;
            Some(g.at_object(
                a[0],
                p,
                flags & AT_SYMLINK_NOFOLLOW == 0,
                flags & AT_EMPTY_PATH != 0,
            )?)
        }
    };
    let times = g.opt_buf(a[2], 32)?;
    let (dirfd, path, extra) = match &at {
        Some(at) => (at.dirfd, Arg::Str(&at.path), at.flags),
        None => (a[0], Arg::Int(0), 0),
    };
    host(
        libc::SYS_utimensat,
        &mut [Arg::Int(dirfd), path, times, Arg::Int(flags | extra)],
    )
}

pub fn truncate(g: &mut Guest, a: [u64; 6]) -> SysResult {
    let p = g.cstr(a[0])?;
    let at = g.at_object(AT_FDCWD, p, true, false)?;
    host(
        libc::SYS_truncate,
        &mut [Arg::Str(&at.host_path()), Arg::Int(a[1])],
    )
}

pub fn ftruncate(_g: &mut Guest, a: [u64; 6]) -> SysResult {
    host(libc::SYS_ftruncate, &mut [Arg::Int(a[0]), Arg::Int(a[1])])
}

pub fn fallocate(_g: &mut Guest, a: [u64; 6]) -> SysResult {
    host(
        libc::SYS_fallocate,
        &mut [
            Arg::Int(a[0]),
            Arg::Int(a[1]),
            Arg::Int(a[2]),
            Arg::Int(a[3]),
        ],
    )
}

/// `sync()`: the host's, which flushes every file system (it cannot fail).
pub fn sync(_g: &mut Guest, _a: [u64; 6]) -> SysResult {
    host(libc::SYS_sync, &mut [])
}

pub fn syncfs(_g: &mut Guest, a: [u64; 6]) -> SysResult {
    host(libc::SYS_syncfs, &mut [Arg::Int(a[0])])
}

pub fn fsync(_g: &mut Guest, a: [u64; 6]) -> SysResult {
    host(libc::SYS_fsync, &mut [Arg::Int(a[0])])
}

pub fn fdatasync(_g: &mut Guest, a: [u64; 6]) -> SysResult {
    host(libc::SYS_fdatasync, &mut [Arg::Int(a[0])])
}

/// `struct statfs` is 120 bytes with the same layout on arm64 and x86-64.
pub fn statfs(g: &mut Guest, a: [u64; 6]) -> SysResult {
    let p = g.path(a[0])?;
    let b = g.buf(a[1], 120)?;
    let at = g.at_object(AT_FDCWD, p, true, false)?;
    host(
        libc::SYS_statfs,
        &mut [Arg::Str(&at.host_path()), Arg::Guest(b)],
    )
}

pub fn fstatfs(g: &mut Guest, a: [u64; 6]) -> SysResult {
    let b = g.buf(a[1], 120)?;
    host(libc::SYS_fstatfs, &mut [Arg::Int(a[0]), Arg::Guest(b)])
}

pub fn getcwd(g: &mut Guest, a: [u64; 6]) -> SysResult {
    if let Some(jail) = &g.jail {
        // The guest's view: the host cwd without the jail's prefix.
        let mut cwd = jail.cwd()?;
        cwd.push(0);
        if cwd.len() as u64 > a[1] {
            return Err(Stop::Errno(libc::ERANGE));
        }
        g.write_guest(a[0], &cwd)?;
        return Ok(cwd.len() as u64);
    }
    let b = g.buf(a[0], a[1])?;
    host(libc::SYS_getcwd, &mut [Arg::Guest(b), Arg::Int(a[1])])
}

pub fn chdir(g: &mut Guest, a: [u64; 6]) -> SysResult {
    let p = g.cstr(a[0])?;
    if g.jail.is_some() {
        let at = g.at_object(AT_FDCWD, p, true, false)?;
        return host(libc::SYS_fchdir, &mut [Arg::Int(at.dirfd)]);
    }
    host(libc::SYS_chdir, &mut [Arg::Str(&p)])
}

pub fn fchdir(_g: &mut Guest, a: [u64; 6]) -> SysResult {
    host(libc::SYS_fchdir, &mut [Arg::Int(a[0])])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_flags_round_trip_and_translate() {
        // O_RDONLY|O_DIRECTORY|O_CLOEXEC|O_NOFOLLOW as glibc on arm64 passes them for opendir.
        let guest = 0o40000 | 0o2000000 | 0o100000;
        let h = open_flags_to_host(guest);
        assert_eq!(
            h,
            (libc::O_DIRECTORY | libc::O_CLOEXEC | libc::O_NOFOLLOW) as u64
        );
        assert_eq!(open_flags_to_guest(h), guest);
        assert_eq!(
            open_flags_to_host(0o1101),
            0o1101,
            "O_WRONLY|O_CREAT|O_TRUNC are shared"
        );
    }
}
