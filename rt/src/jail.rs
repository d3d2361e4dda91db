//! `--root DIR`: the guest sees DIR as `/`. Every guest path is resolved with the host's openat2(2)
//! `RESOLVE_IN_ROOT` relative to an `O_PATH` descriptor of DIR: `..` at the root stays at the root, absolute
//! paths and absolute symlinks start at DIR, more than 40 symlinks give ELOOP, and magic links (`/proc/self/root`,
//! `/proc/PID/fd/N`) are refused (EXDEV or ELOOP), so a `/proc` mounted inside DIR does not lead out.
//!
//! Owns: the root descriptor, the mapping between host paths and guest paths (the guest's cwd and a directory
//! descriptor's path are the host ones with DIR's prefix removed), and the two resolutions every path-taking
//! syscall is built from: [`Jail::open`] (the object itself) and [`Jail::parent`] (the directory that holds the
//! last component, for calls that create, remove or rename names). The host cwd is always the guest's cwd (a
//! directory inside DIR), so it survives fork and exec like a real cwd does.
//!
//! A relative guest path starts at a directory that may be anywhere under DIR, and `..` from there may climb up
//! to DIR but no further: the path is therefore resolved as `guest path of the directory` + `/` + `path`, from
//! DIR. A directory outside DIR (an inherited descriptor, fchdir to one) becomes the root of that resolution
//! instead: the guest reaches what lies beneath it and nothing above. See SECURITY.md for what this does not cover.
//!
//! Must not: know guest memory or syscall argument layouts (see `syscall::fs`).

use std::ffi::{CStr, CString};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

/// `openat2`'s resolve flag: treat the directory descriptor as `/` (Linux 5.6).
const RESOLVE_IN_ROOT: u64 = 0x10;
const AT_FDCWD: RawFd = libc::AT_FDCWD;
/// How often a resolution is retried when the kernel reports a concurrent rename (EAGAIN).
const RETRIES: usize = 16;

/// `struct open_how`.
#[repr(C)]
struct OpenHow {
    flags: u64,
    mode: u64,
    resolve: u64,
}

/// The root the guest sees.
#[derive(Debug)]
pub struct Jail {
    root: OwnedFd,
    /// DIR, canonical (no symlinks, no trailing slash unless it is `/`).
    host: PathBuf,
}

fn errno() -> i32 {
    std::io::Error::last_os_error()
        .raw_os_error()
        .unwrap_or(libc::EIO)
}

/// Host `openat2(dirfd, path, flags, mode, RESOLVE_IN_ROOT)`.
fn openat2(dirfd: RawFd, path: &CStr, flags: u64, mode: u64) -> Result<OwnedFd, i32> {
    let creates = flags & (libc::O_CREAT as u64) != 0
        || flags & (libc::O_TMPFILE as u64) == libc::O_TMPFILE as u64;
    let how = OpenHow {
        // openat ignores unknown flag bits and mode bits where openat2 refuses them; keep openat's leniency.
        flags: flags & VALID_OPEN_FLAGS,
        mode: if creates { mode & 0o7777 } else { 0 },
        resolve: RESOLVE_IN_ROOT,
    };
    for _ in 0..RETRIES {
        // SAFETY: `path` is a valid C string and `how` a valid `open_how` of the size passed.
        let fd = unsafe {
            libc::syscall(
                libc::SYS_openat2,
                dirfd,
                path.as_ptr(),
                &how as *const OpenHow,
                std::mem::size_of::<OpenHow>(),
            )
        };
        if fd >= 0 {
            // SAFETY: the kernel just returned this descriptor; nothing else owns it.
            return Ok(unsafe { OwnedFd::from_raw_fd(fd as RawFd) });
        }
        match errno() {
            libc::EAGAIN => continue, // a rename raced with the walk: the kernel asks to retry
            e => return Err(e),
        }
    }
    Err(libc::EAGAIN)
}

/// Linux's VALID_OPEN_FLAGS (as host bits).
const VALID_OPEN_FLAGS: u64 = (libc::O_ACCMODE
    | libc::O_CREAT
    | libc::O_EXCL
    | libc::O_NOCTTY
    | libc::O_TRUNC
    | libc::O_APPEND
    | libc::O_NONBLOCK
    | libc::O_DSYNC
    | libc::O_ASYNC
    | libc::O_DIRECT
    | libc::O_LARGEFILE
    | libc::O_DIRECTORY
    | libc::O_NOFOLLOW
    | libc::O_NOATIME
    | libc::O_CLOEXEC
    | libc::O_PATH
    | libc::O_TMPFILE
    | libc::O_SYNC) as u64;

/// The target of a symlink-free host path read from `/proc/self/fd/N` (or the cwd).
fn proc_fd_path(fd: RawFd) -> Result<Vec<u8>, i32> {
    // SAFETY: F_GETFD has no memory effects.
    if unsafe { libc::fcntl(fd, libc::F_GETFD) } < 0 {
        return Err(libc::EBADF);
    }
    std::fs::read_link(format!("/proc/self/fd/{fd}"))
        .map(|p| p.into_os_string().into_encoded_bytes())
        .map_err(|e| e.raw_os_error().unwrap_or(libc::EIO))
}

/// Splits `path` into (directory part, last component) for calls that work on names in a directory. Trailing
/// slashes are removed from the last component and reported.
fn split_last(path: &[u8]) -> (&[u8], &[u8], bool) {
    let trimmed = match path.iter().rposition(|&c| c != b'/') {
        Some(e) => &path[..=e],
        None => return (path, b".", false), // "/" or "//": the root itself
    };
    let slash = trimmed.len() < path.len();
    match trimmed.iter().rposition(|&c| c == b'/') {
        Some(0) => (b"/", &trimmed[1..], slash),
        Some(i) => (&trimmed[..i], &trimmed[i + 1..], slash),
        None => (b".", trimmed, slash),
    }
}

impl Jail {
    /// Opens DIR as the guest's root. Fails when DIR is not a directory or the host has no openat2.
    pub fn new(dir: &Path) -> std::io::Result<Jail> {
        let host = std::fs::canonicalize(dir)?;
        let c = CString::new(host.as_os_str().as_bytes())
            .map_err(|_| std::io::Error::from_raw_os_error(libc::EINVAL))?;
        // SAFETY: `c` is a valid C string; the descriptor is owned below.
        let fd = unsafe {
            libc::open(
                c.as_ptr(),
                libc::O_PATH | libc::O_DIRECTORY | libc::O_CLOEXEC,
            )
        };
        if fd < 0 {
            return Err(std::io::Error::last_os_error());
        }
        // SAFETY: just opened, owned by nobody else.
        let root = unsafe { OwnedFd::from_raw_fd(fd) };
        match openat2(root.as_raw_fd(), c"/", libc::O_PATH as u64, 0) {
            Ok(_) => {}
            Err(libc::ENOSYS) => {
                return Err(std::io::Error::other(
                    "--root needs openat2(2) with RESOLVE_IN_ROOT (Linux 5.6 or later)",
                ));
            }
            Err(e) => return Err(std::io::Error::from_raw_os_error(e)),
        }
        Ok(Jail { root, host })
    }

    /// The descriptor number of the root, which the guest must not close or replace.
    pub fn fd(&self) -> RawFd {
        self.root.as_raw_fd()
    }

    /// DIR as a canonical host path (what an exec passes on as `--root`).
    pub fn dir(&self) -> &Path {
        &self.host
    }

    /// Makes the host cwd a directory inside the jail: kept if it already is one (an exec inside the jail
    /// keeps its cwd), else DIR itself, as `chroot(1)` does.
    pub fn enter(&self) -> std::io::Result<()> {
        if self.cwd().is_ok() {
            return Ok(());
        }
        // SAFETY: fchdir on a descriptor we own.
        if unsafe { libc::fchdir(self.root.as_raw_fd()) } != 0 {
            return Err(std::io::Error::last_os_error());
        }
        Ok(())
    }

    /// The guest path of host path `host`, or None when it lies outside the jail.
    pub fn guest_path(&self, host: &[u8]) -> Option<Vec<u8>> {
        let root = self.host.as_os_str().as_bytes();
        if root == b"/" {
            return host.starts_with(b"/").then(|| host.to_vec());
        }
        let rest = host.strip_prefix(root)?;
        match rest {
            [] => Some(b"/".to_vec()),
            [b'/', ..] => Some(rest.to_vec()),
            _ => None,
        }
    }

    /// The guest's cwd as the guest sees it; ENOENT when the cwd is outside the jail (as Linux's getcwd does
    /// for a directory that is not reachable from the root).
    pub fn cwd(&self) -> Result<Vec<u8>, i32> {
        let cwd = std::env::current_dir().map_err(|e| e.raw_os_error().unwrap_or(libc::EIO))?;
        self.guest_path(cwd.as_os_str().as_bytes())
            .ok_or(libc::ENOENT)
    }

    /// What `readlink` of `/dev/fd/N` or `/proc/self/fd/N` answers in the jail: the guest path of descriptor N,
    /// or the host's name for what has no path (`pipe:[…]`, `socket:[…]`); None for other paths.
    pub fn fd_link(&self, path: &[u8]) -> Option<Result<Vec<u8>, i32>> {
        let (fd, []) = fd_alias(path)? else {
            return None;
        };
        Some(proc_fd_path(fd).map(|host| match host.first() {
            Some(b'/') => self.guest_path(&host).unwrap_or(host),
            _ => host,
        }))
    }

    /// The guest path of the file behind descriptor `fd` (ENOENT when it is outside the jail or has no path).
    pub fn guest_path_of_fd(&self, fd: RawFd) -> Result<Vec<u8>, i32> {
        let host = proc_fd_path(fd)?;
        self.guest_path(&host).ok_or(libc::ENOENT)
    }

    /// Where resolving `path` relative to `dirfd` starts: the root descriptor and a guest-absolute path, or —
    /// for a directory outside the jail — that directory as the root of the walk.
    fn start(&self, dirfd: RawFd, path: &[u8]) -> Result<(RawFd, CString), i32> {
        let cstr = |v: Vec<u8>| CString::new(v).map_err(|_| libc::EINVAL);
        if path.first() == Some(&b'/') {
            return Ok((self.root.as_raw_fd(), cstr(path.to_vec())?));
        }
        let base = if dirfd == AT_FDCWD {
            std::env::current_dir()
                .map_err(|e| e.raw_os_error().unwrap_or(libc::EIO))?
                .into_os_string()
                .into_encoded_bytes()
        } else {
            proc_fd_path(dirfd)?
        };
        match self.guest_path(&base) {
            Some(mut g) => {
                if g.len() + path.len() + 1 >= libc::PATH_MAX as usize {
                    return Err(libc::ENAMETOOLONG);
                }
                g.push(b'/');
                g.extend_from_slice(path);
                Ok((self.root.as_raw_fd(), cstr(g)?))
            }
            None => Ok((dirfd, cstr(path.to_vec())?)),
        }
    }

    /// Opens guest `path` (relative to guest descriptor `dirfd` or the cwd) with host open `flags`: the object
    /// itself, with the final symlink followed unless `flags` has O_NOFOLLOW (with O_PATH, a symlink is then
    /// opened as itself).
    pub fn open(&self, dirfd: RawFd, path: &[u8], flags: u64, mode: u64) -> Result<OwnedFd, i32> {
        if path.is_empty() {
            return Err(libc::ENOENT);
        }
        match fd_alias(path) {
            Some((fd, [])) => return reopen(fd, flags, mode),
            Some((fd, rest)) => return self.open(fd, rest, flags, mode),
            None => {}
        }
        let (start, p) = self.start(dirfd, path)?;
        openat2(start, &p, flags, mode)
    }

    /// The directory that holds the last component of guest `path`, opened `O_PATH`, and that component (with a
    /// trailing `/` kept when `path` had one and the name is not a symlink). A last component of `.` or `..` is
    /// resolved as a directory and answered as `.` in it, so the host never walks `..` out of the jail.
    pub fn parent(&self, dirfd: RawFd, path: &[u8]) -> Result<(OwnedFd, CString), i32> {
        if path.is_empty() {
            return Err(libc::ENOENT);
        }
        let dir_flags = (libc::O_PATH | libc::O_DIRECTORY | libc::O_CLOEXEC) as u64;
        if let Some((fd, rest)) = fd_alias(path)
            && !rest.is_empty()
        {
            return self.parent(fd, rest);
        }
        let (dir, last, slash) = split_last(path);
        if last == b"." || last == b".." {
            let d = self.open(dirfd, path, dir_flags, 0)?;
            return Ok((d, c".".to_owned()));
        }
        let d = self.open(dirfd, dir, dir_flags, 0)?;
        let mut name = CString::new(last).map_err(|_| libc::EINVAL)?;
        if slash {
            // A trailing slash would make the host follow a symlink in the last component — out of the jail for an
            // absolute one. Linux follows it only to require a directory; refuse instead.
            let mut st: libc::stat = unsafe { std::mem::zeroed() };
            // SAFETY: `name` is a valid C string, `st` a valid out-structure.
            let r = unsafe {
                libc::fstatat(
                    d.as_raw_fd(),
                    name.as_ptr(),
                    &mut st,
                    libc::AT_SYMLINK_NOFOLLOW,
                )
            };
            if r == 0 && st.st_mode & libc::S_IFMT == libc::S_IFLNK {
                return Err(libc::ENOTDIR);
            }
            let mut v = name.into_bytes();
            v.push(b'/');
            name = CString::new(v).map_err(|_| libc::EINVAL)?;
        }
        Ok((d, name))
    }
}

/// `/dev/fd/N[/rest]` or `/proc/self/fd/N[/rest]` (exactly so spelt): the guest's descriptor N, and `rest`.
/// Linux reaches these through /proc's magic links, which `RESOLVE_IN_ROOT` refuses; the jail answers them
/// itself, for descriptors the guest already holds (bash's `<(…)`, `/dev/fd/N/…` names of execveat).
fn fd_alias(path: &[u8]) -> Option<(RawFd, &[u8])> {
    let rest = path
        .strip_prefix(b"/dev/fd/")
        .or_else(|| path.strip_prefix(b"/proc/self/fd/"))?;
    let end = rest.iter().position(|&c| c == b'/').unwrap_or(rest.len());
    let (num, rest) = rest.split_at(end);
    if num.is_empty() || num.len() > 9 || !num.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let fd = std::str::from_utf8(num).ok()?.parse().ok()?;
    let rest = &rest[rest.iter().position(|&c| c != b'/').unwrap_or(rest.len())..];
    Some((fd, rest))
}

/// Opens the guest's descriptor `fd` anew (as Linux does for `/proc/self/fd/N`): the same file, `flags` checked
/// against its permissions by the host kernel.
fn reopen(fd: RawFd, flags: u64, mode: u64) -> Result<OwnedFd, i32> {
    // SAFETY: F_GETFD has no memory effects.
    if unsafe { libc::fcntl(fd, libc::F_GETFD) } < 0 {
        return Err(libc::ENOENT);
    }
    let path = CString::new(format!("/proc/self/fd/{fd}")).map_err(|_| libc::EINVAL)?;
    // SAFETY: `path` is a valid C string; the descriptor is owned below.
    let r = unsafe { libc::open(path.as_ptr(), flags as libc::c_int, mode as libc::c_uint) };
    if r < 0 {
        return Err(errno());
    }
    // SAFETY: just opened, owned by nobody else.
    Ok(unsafe { OwnedFd::from_raw_fd(r) })
}

/// `/proc/self/fd/N` for a descriptor: the host path that reaches exactly that file (for calls without an
/// `AT_EMPTY_PATH` form, such as chmod and truncate).
pub fn proc_self_fd(fd: &OwnedFd) -> CString {
    CString::new(format!("/proc/self/fd/{}", fd.as_raw_fd())).expect("no NUL in a number")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_components() {
        assert_eq!(split_last(b"a/b/c"), (&b"a/b"[..], &b"c"[..], false));
        assert_eq!(split_last(b"/c"), (&b"/"[..], &b"c"[..], false));
        assert_eq!(split_last(b"c//"), (&b"."[..], &b"c"[..], true));
        assert_eq!(split_last(b"/"), (&b"/"[..], &b"."[..], false));
        assert_eq!(split_last(b"a/.."), (&b"a"[..], &b".."[..], false));
    }

    #[test]
    fn descriptor_aliases() {
        assert_eq!(fd_alias(b"/dev/fd/3"), Some((3, &b""[..])));
        assert_eq!(fd_alias(b"/proc/self/fd/12//x/y"), Some((12, &b"x/y"[..])));
        assert_eq!(fd_alias(b"/dev/fd/"), None);
        assert_eq!(fd_alias(b"/dev/fd/3a"), None);
        assert_eq!(fd_alias(b"/dev/fdx/3"), None);
        assert_eq!(fd_alias(b"/proc/1/fd/3"), None);
    }

    #[test]
    fn guest_paths_strip_the_root_and_nothing_else() {
        let j = Jail {
            root: std::fs::File::open("/").unwrap().into(),
            host: PathBuf::from("/srv/jail"),
        };
        assert_eq!(j.guest_path(b"/srv/jail"), Some(b"/".to_vec()));
        assert_eq!(j.guest_path(b"/srv/jail/bin/sh"), Some(b"/bin/sh".to_vec()));
        assert_eq!(j.guest_path(b"/srv/jailbreak/x"), None);
        assert_eq!(j.guest_path(b"/srv"), None);
    }
}
