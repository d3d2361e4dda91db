//! `execve`/`execveat`: replacing the guest with a new program, with the kernel's checks and errors.
//!
//! The target is classified the way Linux's binfmt handlers would: an AArch64 ELF is run by re-exec'ing elfrun
//! itself (`/proc/self/exe`, in `--binfmt-p` mode, with elfrun's own flags preserved), an ELF for the host's
//! machine is run directly by the host `execve`, a `#!` script runs its interpreter (itself classified the same
//! way, up to four levels as in Linux), anything else fails with ENOEXEC. Missing files give ENOENT, directories
//! and files without execute permission EACCES, as the kernel reports them.
//!
//! What a real exec keeps is kept by the host exec: the pid, cwd, umask, resource limits and every descriptor
//! not marked close-on-exec (elfrun's own descriptors all are). Signal dispositions set to SIG_IGN and the
//! blocked mask survive exec too: the signal layer mirrors them on the host process (`signal::hostsig`), and the
//! new elfrun reads them back (`Signals::inherited`).
//!
//! Under `--root` the program and every `#!` interpreter are resolved inside the jail, the new elfrun gets the
//! same `--root` (it is in the exec flags), and a program for the host's machine is refused with ENOEXEC: the
//! host kernel would run it outside the jail.
//!
//! Must not: fork or wait (see `fork.rs`).

use std::ffi::{CStr, CString, OsString};
use std::os::fd::IntoRawFd;
use std::os::unix::ffi::OsStrExt;

use super::{Stop, SysResult};
use crate::guest::Guest;
use crate::jail::Jail;

const AT_FDCWD: i32 = -100;
const AT_SYMLINK_NOFOLLOW: u64 = 0x100;
const AT_EMPTY_PATH: u64 = 0x1000;
/// Linux's BINPRM_BUF_SIZE: how much of the file the format handlers look at.
const PROBE: usize = 256;
/// Linux's BINPRM_MAX_RECURSION: interpreters of interpreters.
const MAX_DEPTH: usize = 4;
/// Bound on argv + envp bytes read from the guest (Linux's limit is a quarter of the stack limit).
const MAX_ARGS_BYTES: usize = 32 << 20;
/// MAX_ARG_STRLEN: the longest single argument or environment string.
const MAX_ARG_STRLEN: usize = 32 * 4096;
const EM_AARCH64: u16 = 183;
#[cfg(target_arch = "x86_64")]
const EM_HOST: u16 = 62;
#[cfg(target_arch = "aarch64")]
const EM_HOST: u16 = 183;
#[cfg(target_arch = "riscv64")]
const EM_HOST: u16 = 243;

fn errno() -> i32 {
    std::io::Error::last_os_error()
        .raw_os_error()
        .unwrap_or(libc::EIO)
}

/// Reads a NUL-terminated guest string of at most `max` bytes (E2BIG beyond).
fn long_cstr(g: &Guest, addr: u64, max: usize) -> Result<Vec<u8>, Stop> {
    let mut out = Vec::new();
    let mut at = addr;
    loop {
        let chunk = (4096 - (at & 4095)) as usize;
        let mut buf = vec![0u8; chunk];
        g.read_guest(at, &mut buf)?;
        if let Some(n) = buf.iter().position(|&b| b == 0) {
            out.extend_from_slice(&buf[..n]);
            return Ok(out);
        }
        out.extend_from_slice(&buf);
        if out.len() > max {
            return Err(Stop::Errno(libc::E2BIG));
        }
        at = at
            .checked_add(chunk as u64)
            .ok_or(Stop::Errno(libc::EFAULT))?;
    }
}

/// Reads a NULL-terminated guest array of string pointers (NULL itself means an empty array).
fn string_array(g: &Guest, addr: u64, budget: &mut usize) -> Result<Vec<Vec<u8>>, Stop> {
    let mut out = Vec::new();
    if addr == 0 {
        return Ok(out);
    }
    for i in 0u64.. {
        let p = g.read_u64(addr.wrapping_add(i * 8))?;
        if p == 0 {
            break;
        }
        let s = long_cstr(g, p, MAX_ARG_STRLEN)?;
        *budget = budget
            .checked_sub(s.len() + 9)
            .ok_or(Stop::Errno(libc::E2BIG))?;
        out.push(s);
    }
    Ok(out)
}

/// What a file turned out to be.
#[derive(Debug, PartialEq, Eq)]
enum Format {
    Aarch64,
    Native,
    Script {
        interp: Vec<u8>,
        arg: Option<Vec<u8>>,
    },
}

/// Classifies the first bytes of an executable as Linux's binfmt handlers would.
fn classify(head: &[u8]) -> Result<Format, i32> {
    if head.len() >= 20 && head[..4] == *b"\x7fELF" {
        let machine = u16::from_le_bytes([head[18], head[19]]);
        return match (head[4], head[5], machine) {
            (2, 1, EM_AARCH64) => Ok(Format::Aarch64),
            (_, _, m) if m == EM_HOST => Ok(Format::Native),
            _ => Err(libc::ENOEXEC),
        };
    }
    if head.starts_with(b"#!") {
        return parse_shebang(head);
    }
    Err(libc::ENOEXEC)
}

/// `#! interp [arg]` as Linux's binfmt_script reads it: from the first `PROBE - 1` bytes (NUL-padded), blanks
/// around, one optional argument that may contain blanks; an interpreter name running into the end of the
/// buffer is taken to be cut off.
fn parse_shebang(head: &[u8]) -> Result<Format, i32> {
    let blank = |c: &u8| *c == b' ' || *c == b'\t';
    let mut buf = [0u8; PROBE];
    let n = head.len().min(PROBE);
    buf[..n].copy_from_slice(&head[..n]);
    let body = &buf[2..PROBE - 1];
    let nl = body.iter().position(|&c| c == b'\n');
    let line = &body[..nl.unwrap_or(body.len())];
    let start = line.iter().position(|c| !blank(c)).unwrap_or(line.len());
    let line = &line[start..];
    let ilen = match line.iter().position(|c| blank(c) || *c == 0) {
        Some(i) => i,
        None if nl.is_some() => line.len(),
        None => return Err(libc::ENOEXEC),
    };
    let (interp, rest) = line.split_at(ilen);
    if interp.is_empty() {
        return Err(libc::ENOEXEC);
    }
    let rest = &rest[..rest.iter().position(|&c| c == 0).unwrap_or(rest.len())];
    let s = rest.iter().position(|c| !blank(c)).unwrap_or(rest.len());
    let e = rest.iter().rposition(|c| !blank(c)).map_or(s, |e| e + 1);
    let arg = &rest[s..e.max(s)];
    Ok(Format::Script {
        interp: interp.to_vec(),
        arg: (!arg.is_empty()).then(|| arg.to_vec()),
    })
}

/// What exec found: the file's first bytes and, under `--root`, its guest path.
struct Probed {
    head: Vec<u8>,
    guest_path: Option<Vec<u8>>,
}

/// Opens `path` (relative to `dirfd`; inside the jail under `--root`) the way exec does and returns its first
/// bytes, or the errno exec reports.
fn probe(jail: Option<&Jail>, dirfd: i32, path: &CStr, flags: u64) -> Result<Probed, i32> {
    let mut oflags = libc::O_RDONLY | libc::O_CLOEXEC;
    if flags & AT_SYMLINK_NOFOLLOW != 0 {
        oflags |= libc::O_NOFOLLOW;
    }
    let fd = if path.is_empty() && flags & AT_EMPTY_PATH != 0 {
        // SAFETY: duplicating a descriptor number has no memory effects.
        unsafe { libc::fcntl(dirfd, libc::F_DUPFD_CLOEXEC, 0) }
    } else if let Some(jail) = jail {
        match jail.open(dirfd, path.to_bytes(), oflags as u64, 0) {
            Ok(fd) => fd.into_raw_fd(),
            Err(e) => return Err(e),
        }
    } else {
        // SAFETY: `path` is a valid C string; the descriptor is closed below.
        unsafe { libc::openat(dirfd, path.as_ptr(), oflags) }
    };
    if fd < 0 {
        let e = errno();
        return Err(if e == libc::ELOOP && flags & AT_SYMLINK_NOFOLLOW != 0 {
            libc::ELOOP
        } else {
            e
        });
    }
    // SAFETY: `st` is a valid out-structure; `head` a valid buffer of PROBE bytes.
    let r = unsafe {
        let mut st: libc::stat = std::mem::zeroed();
        if libc::fstat(fd, &mut st) != 0 {
            Err(errno())
        } else if st.st_mode & libc::S_IFMT != libc::S_IFREG
            || st.st_mode & 0o111 == 0
            || libc::faccessat(
                libc::AT_FDCWD,
                format!("/proc/self/fd/{fd}\0").as_ptr().cast(),
                libc::X_OK,
                0,
            ) != 0
        {
            Err(libc::EACCES)
        } else {
            let mut head = vec![0u8; PROBE];
            let n = libc::pread(fd, head.as_mut_ptr().cast(), PROBE, 0);
            if n < 0 {
                Err(errno())
            } else {
                head.truncate(n as usize);
                Ok(Probed {
                    head,
                    guest_path: jail.and_then(|j| j.guest_path_of_fd(fd).ok()),
                })
            }
        }
    };
    // SAFETY: `fd` was opened above and is not used afterwards.
    unsafe { libc::close(fd) };
    r
}

/// The name Linux gives the program (AT_EXECFN, a script's argument): the path as given, or `/dev/fd/N[/path]`
/// for execveat relative to a descriptor.
fn filename(dirfd: i32, path: &[u8]) -> Vec<u8> {
    if dirfd == AT_FDCWD || path.first() == Some(&b'/') {
        return path.to_vec();
    }
    let dir = format!("/dev/fd/{dirfd}").into_bytes();
    if path.is_empty() {
        dir
    } else {
        [dir.as_slice(), b"/", path].concat()
    }
}

/// Whether `name` (from [`filename`]) goes through a close-on-exec descriptor, i.e. stops existing at exec.
fn through_cloexec_fd(dirfd: i32, name: &[u8]) -> bool {
    // SAFETY: F_GETFD has no memory effects.
    name.starts_with(b"/dev/fd/")
        && dirfd != AT_FDCWD
        && unsafe { libc::fcntl(dirfd, libc::F_GETFD) } & libc::FD_CLOEXEC != 0
}

/// The real path behind `/dev/fd/N[/path]`, for loading a program whose descriptor closes on exec.
fn resolve_fd_path(dirfd: i32, path: &[u8]) -> Option<Vec<u8>> {
    let dir = std::fs::read_link(format!("/proc/self/fd/{dirfd}")).ok()?;
    let dir = dir.as_os_str().as_bytes();
    if !dir.starts_with(b"/") {
        return None; // memfd, pipe, deleted file…
    }
    Some(if path.is_empty() {
        dir.to_vec()
    } else {
        [dir, b"/", path].concat()
    })
}

fn cstrings(v: &[Vec<u8>]) -> Result<Vec<CString>, Stop> {
    v.iter()
        .map(|s| CString::new(s.clone()).map_err(|_| Stop::Errno(libc::EINVAL)))
        .collect()
}

/// Host `execveat`; returns only on failure, with the errno.
fn host_execveat(dirfd: i32, path: &CStr, argv: &[CString], envp: &[CString], flags: u64) -> i32 {
    let mut av: Vec<*const libc::c_char> = argv.iter().map(|s| s.as_ptr()).collect();
    av.push(std::ptr::null());
    let mut ev: Vec<*const libc::c_char> = envp.iter().map(|s| s.as_ptr()).collect();
    ev.push(std::ptr::null());
    // SAFETY: NULL-terminated arrays of valid C strings that outlive the call.
    unsafe {
        libc::syscall(
            libc::SYS_execveat,
            dirfd,
            path.as_ptr(),
            av.as_ptr(),
            ev.as_ptr(),
            flags as libc::c_int,
        )
    };
    errno()
}

/// The host argv that re-runs elfrun on an AArch64 program:
/// `elfrun FLAGS --comm=COMM --binfmt-p -- PATH ARGV0 ARGS`. COMM is the name the kernel would give the new
/// image (the last component of the name exec was called with); the host exec of `/proc/self/exe` itself would
/// name the process `exe`.
fn elfrun_argv(flags: &[OsString], comm: &[u8], path: &[u8], argv: &[Vec<u8>]) -> Vec<Vec<u8>> {
    let mut v: Vec<Vec<u8>> = vec![b"elfrun".to_vec()];
    v.extend(flags.iter().map(|f| f.as_bytes().to_vec()));
    if !comm.is_empty() {
        v.push([&b"--comm="[..], comm].concat());
    }
    v.push(b"--binfmt-p".to_vec());
    v.push(b"--".to_vec());
    v.push(path.to_vec());
    v.push(argv.first().cloned().unwrap_or_default());
    v.extend(argv.iter().skip(1).cloned());
    v
}

/// Runs `path` (a file the guest named) with `argv`/`envp`; returns only with the errno of a failed exec.
fn exec(
    g: &Guest,
    dirfd: i32,
    path: Vec<u8>,
    flags: u64,
    argv: Vec<Vec<u8>>,
    envp: &[CString],
) -> i32 {
    let mut name = filename(dirfd, &path);
    // Linux names the new image after the file exec was called with, even when a script's interpreter runs.
    let comm = name[name.iter().rposition(|&b| b == b'/').map_or(0, |i| i + 1)..].to_vec();
    let (mut dirfd, mut path, mut flags, mut argv) = (dirfd, path, flags, argv);
    let hidden = through_cloexec_fd(dirfd, &name);
    for _ in 0..=MAX_DEPTH {
        let Ok(cpath) = CString::new(path.clone()) else {
            return libc::ENOENT;
        };
        let probed = match probe(g.jail.as_ref(), dirfd, &cpath, flags) {
            Ok(p) => p,
            Err(e) => return e,
        };
        let format = match classify(&probed.head) {
            Ok(f) => f,
            Err(e) => return e,
        };
        let (exe, host_argv) = match format {
            Format::Script { .. } if hidden => return libc::ENOENT, // the interpreter could not open it
            Format::Script { interp, arg } => {
                // argv becomes: interpreter, its optional argument, the script's name, the old argv[1..].
                let mut v = vec![interp.clone()];
                v.extend(arg);
                v.push(name.clone());
                v.extend(argv.into_iter().skip(1));
                argv = v;
                (dirfd, path, flags) = (AT_FDCWD, interp.clone(), 0);
                name = interp;
                continue;
            }
            Format::Aarch64 => {
                let load = match (&g.jail, hidden) {
                    // The new elfrun resolves the name in the same root; a name through a descriptor
                    // (`/dev/fd/N/…`) is not one the jail can resolve, so it gets the file's guest path.
                    (Some(_), _) if name != path => match probed.guest_path {
                        Some(p) => p,
                        None => return libc::ENOENT,
                    },
                    (Some(_), _) => name.clone(),
                    (None, true) => resolve_fd_path(dirfd, &path).unwrap_or_else(|| name.clone()),
                    (None, false) => name.clone(),
                };
                (
                    c"/proc/self/exe".to_owned(),
                    elfrun_argv(&g.exec_flags, &comm, &load, &argv),
                )
            }
            // Under --root a host program would run outside the jail: refuse it, as a kernel without that format.
            Format::Native if g.jail.is_some() => return libc::ENOEXEC,
            Format::Native => {
                // The host kernel runs it: the same file, by the same route.
                let Ok(argv) = cstrings(&argv) else {
                    return libc::EINVAL;
                };
                return host_execveat(dirfd, &cpath, &argv, envp, flags);
            }
        };
        let Ok(host_argv) = cstrings(&host_argv) else {
            return libc::EINVAL;
        };
        return host_execveat(AT_FDCWD, &exe, &host_argv, envp, 0);
    }
    libc::ELOOP
}

/// `execve(path, argv, envp)`.
pub fn execve(g: &mut Guest, a: [u64; 6]) -> SysResult {
    execveat(g, [AT_FDCWD as u64, a[0], a[1], a[2], 0, 0])
}

/// `execveat(dirfd, path, argv, envp, flags)`.
pub fn execveat(g: &mut Guest, a: [u64; 6]) -> SysResult {
    let flags = a[4];
    if flags & !(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH) != 0 {
        return Err(Stop::Errno(libc::EINVAL));
    }
    // `/proc/self/exe` is the guest program (busybox re-runs itself that way), not elfrun.
    let path = g.path(a[1])?.into_bytes();
    if path.is_empty() && flags & AT_EMPTY_PATH == 0 {
        return Err(Stop::Errno(libc::ENOENT));
    }
    let mut budget = MAX_ARGS_BYTES;
    let argv = string_array(g, a[2], &mut budget)?;
    let envp = cstrings(&string_array(g, a[3], &mut budget)?)?;
    let dirfd = a[0] as i32;
    g.flush_profile(); // the old image's profile, before the new image replaces this process
    g.flush_aot_misses();
    Err(Stop::Errno(exec(g, dirfd, path, flags, argv, &envp)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shebang_lines_split_like_binfmt_script() {
        let s = |i: &[u8], a: Option<&[u8]>| Format::Script {
            interp: i.to_vec(),
            arg: a.map(<[u8]>::to_vec),
        };
        assert_eq!(classify(b"#!/bin/sh\necho"), Ok(s(b"/bin/sh", None)));
        assert_eq!(
            classify(b"#! \t/usr/bin/env  python3 -u \t\nx"),
            Ok(s(b"/usr/bin/env", Some(b"python3 -u")))
        );
        assert_eq!(classify(b"#!\n"), Err(libc::ENOEXEC));
        assert_eq!(classify(b"#!/bin/sh"), Ok(s(b"/bin/sh", None))); // short file: NUL-terminated
        let mut long = b"#!/".to_vec();
        long.resize(300, b'a');
        assert_eq!(classify(&long), Err(libc::ENOEXEC)); // name cut off by the buffer
        assert_eq!(classify(b"#!  \n"), Err(libc::ENOEXEC));
        assert_eq!(classify(b"#!/bin/sh -e"), Ok(s(b"/bin/sh", Some(b"-e"))));
        assert_eq!(classify(b"echo hi\n"), Err(libc::ENOEXEC));
    }

    #[test]
    fn elf_machines() {
        let mut h = vec![0u8; 64];
        h[..4].copy_from_slice(b"\x7fELF");
        h[4] = 2;
        h[5] = 1;
        h[18] = 183;
        assert_eq!(classify(&h), Ok(Format::Aarch64));
        h[18] = (EM_HOST & 0xff) as u8;
        h[19] = (EM_HOST >> 8) as u8;
        if EM_HOST != EM_AARCH64 {
            assert_eq!(classify(&h), Ok(Format::Native));
        }
        h[18] = 40; // ARM (32-bit)
        h[19] = 0;
        assert_eq!(classify(&h), Err(libc::ENOEXEC));
    }
}
