//! Syscall names and argument counts (asm-generic numbering, as on arm64), for `--strace` and warnings.

use super::{Stop, SysResult};

/// `(number, name, argument count)`, sorted by number.
const TABLE: &[(u64, &str, u8)] = &[
    (0, "io_setup", 6),
    (17, "getcwd", 2),
    (19, "eventfd2", 6),
    (20, "epoll_create1", 6),
    (21, "epoll_ctl", 6),
    (22, "epoll_pwait", 6),
    (23, "dup", 1),
    (24, "dup3", 3),
    (25, "fcntl", 3),
    (29, "ioctl", 3),
    (32, "flock", 6),
    (33, "mknodat", 4),
    (34, "mkdirat", 3),
    (35, "unlinkat", 3),
    (36, "symlinkat", 3),
    (37, "linkat", 5),
    (38, "renameat", 4),
    (43, "statfs", 2),
    (44, "fstatfs", 2),
    (45, "truncate", 2),
    (46, "ftruncate", 2),
    (47, "fallocate", 4),
    (48, "faccessat", 3),
    (49, "chdir", 1),
    (50, "fchdir", 1),
    (51, "chroot", 6),
    (52, "fchmod", 2),
    (53, "fchmodat", 3),
    (54, "fchownat", 5),
    (55, "fchown", 3),
    (56, "openat", 4),
    (57, "close", 1),
    (59, "pipe2", 2),
    (61, "getdents64", 3),
    (62, "lseek", 3),
    (63, "read", 3),
    (64, "write", 3),
    (65, "readv", 3),
    (66, "writev", 3),
    (67, "pread64", 4),
    (68, "pwrite64", 4),
    (69, "preadv", 6),
    (70, "pwritev", 6),
    (71, "sendfile", 4),
    (72, "pselect6", 6),
    (73, "ppoll", 5),
    (74, "signalfd4", 6),
    (76, "splice", 6),
    (78, "readlinkat", 4),
    (79, "newfstatat", 4),
    (80, "fstat", 2),
    (81, "sync", 0),
    (82, "fsync", 1),
    (83, "fdatasync", 1),
    (85, "timerfd_create", 6),
    (88, "utimensat", 4),
    (90, "capget", 6),
    (93, "exit", 1),
    (94, "exit_group", 1),
    (95, "waitid", 6),
    (96, "set_tid_address", 1),
    (97, "unshare", 6),
    (98, "futex", 6),
    (99, "set_robust_list", 2),
    (101, "nanosleep", 2),
    (102, "getitimer", 2),
    (103, "setitimer", 3),
    (107, "timer_create", 3),
    (108, "timer_gettime", 2),
    (109, "timer_getoverrun", 1),
    (110, "timer_settime", 4),
    (111, "timer_delete", 1),
    (113, "clock_gettime", 2),
    (114, "clock_getres", 2),
    (115, "clock_nanosleep", 4),
    (117, "ptrace", 6),
    (122, "sched_setaffinity", 6),
    (123, "sched_getaffinity", 3),
    (124, "sched_yield", 0),
    (129, "kill", 2),
    (130, "tkill", 2),
    (131, "tgkill", 3),
    (132, "sigaltstack", 2),
    (133, "rt_sigsuspend", 2),
    (134, "rt_sigaction", 4),
    (135, "rt_sigprocmask", 4),
    (136, "rt_sigpending", 2),
    (137, "rt_sigtimedwait", 4),
    (138, "rt_sigqueueinfo", 3),
    (139, "rt_sigreturn", 0),
    (140, "setpriority", 6),
    (141, "getpriority", 6),
    (142, "reboot", 6),
    (143, "setregid", 6),
    (144, "setgid", 6),
    (145, "setreuid", 6),
    (146, "setuid", 6),
    (147, "setresuid", 6),
    (148, "getresuid", 3),
    (149, "setresgid", 6),
    (150, "getresgid", 3),
    (153, "times", 1),
    (154, "setpgid", 2),
    (155, "getpgid", 1),
    (156, "getsid", 1),
    (157, "setsid", 0),
    (158, "getgroups", 2),
    (159, "setgroups", 6),
    (160, "uname", 1),
    (161, "sethostname", 6),
    (163, "getrlimit", 2),
    (164, "setrlimit", 2),
    (165, "getrusage", 2),
    (166, "umask", 1),
    (167, "prctl", 5),
    (168, "getcpu", 6),
    (169, "gettimeofday", 2),
    (172, "getpid", 0),
    (173, "getppid", 0),
    (174, "getuid", 0),
    (175, "geteuid", 0),
    (176, "getgid", 0),
    (177, "getegid", 0),
    (178, "gettid", 0),
    (179, "sysinfo", 1),
    (198, "socket", 6),
    (199, "socketpair", 6),
    (200, "bind", 6),
    (201, "listen", 6),
    (202, "accept", 6),
    (203, "connect", 6),
    (204, "getsockname", 6),
    (205, "getpeername", 6),
    (206, "sendto", 6),
    (207, "recvfrom", 6),
    (208, "setsockopt", 6),
    (209, "getsockopt", 6),
    (210, "shutdown", 6),
    (211, "sendmsg", 6),
    (212, "recvmsg", 6),
    (214, "brk", 1),
    (215, "munmap", 2),
    (216, "mremap", 5),
    (220, "clone", 6),
    (221, "execve", 6),
    (222, "mmap", 6),
    (223, "fadvise64", 4),
    (226, "mprotect", 3),
    (227, "msync", 6),
    (228, "mlock", 6),
    (233, "madvise", 3),
    (242, "accept4", 6),
    (260, "wait4", 6),
    (261, "prlimit64", 4),
    (267, "syncfs", 1),
    (276, "renameat2", 5),
    (277, "seccomp", 6),
    (278, "getrandom", 3),
    (279, "memfd_create", 6),
    (281, "execveat", 6),
    (285, "copy_file_range", 6),
    (291, "statx", 5),
    (293, "rseq", 4),
    (435, "clone3", 6),
    (439, "faccessat2", 4),
];

/// The syscall's name, if elfrun knows it.
pub fn name(nr: u64) -> Option<&'static str> {
    TABLE
        .binary_search_by_key(&nr, |e| e.0)
        .ok()
        .map(|i| TABLE[i].1)
}

fn nargs(nr: u64) -> usize {
    TABLE
        .binary_search_by_key(&nr, |e| e.0)
        .map_or(6, |i| TABLE[i].2 as usize)
}

/// Which arguments are NUL-terminated strings (paths), printed quoted.
fn string_args(nr: u64) -> &'static [usize] {
    match nr {
        49 | 43 | 45 => &[0], // chdir, statfs, truncate
        33 | 34 | 35 | 48 | 53 | 54 | 56 | 78 | 79 | 88 | 291 | 439 => &[1], // *at(dirfd, path, …)
        36 => &[0, 2],        // symlinkat
        37 | 38 | 276 => &[1, 3], // linkat, renameat, renameat2
        _ => &[],
    }
}

/// The `--strace` line for one call: `name(args…) = result`. `read_str` reads a guest string (None if the
/// pointer is bad).
pub fn format(
    nr: u64,
    a: &[u64; 6],
    r: &SysResult,
    read_str: &dyn Fn(u64) -> Option<String>,
) -> String {
    let strings = string_args(nr);
    let args: Vec<String> = a[..nargs(nr)]
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            if strings.contains(&i)
                && let Some(s) = read_str(v)
            {
                format!("{s:?}")
            } else if (v as i64) < 0 && (v as i64) > -4096 {
                (v as i64).to_string()
            } else if v < 4096 {
                v.to_string()
            } else {
                format!("{v:#x}")
            }
        })
        .collect();
    let name = name(nr).map_or_else(|| format!("syscall_{nr}"), str::to_owned);
    let res = match r {
        Ok(v) if matches!(nr, 214 | 216 | 222) => format!("{v:#x}"),
        Ok(v) => (*v as i64).to_string(),
        Err(Stop::Errno(e)) => format!(
            "-1 {} ({})",
            errno_name(*e),
            std::io::Error::from_raw_os_error(*e)
                .to_string()
                .split(" (os error")
                .next()
                .unwrap_or_default()
        ),
        Err(Stop::Exit(s)) => format!("? (exit {s})"),
    };
    format!("{name}({}) = {res}", args.join(", "))
}

/// Prints the `--strace` line to stderr.
pub fn trace(nr: u64, a: &[u64; 6], r: &SysResult, read_str: &dyn Fn(u64) -> Option<String>) {
    eprintln!("{}", format(nr, a, r, read_str));
}

fn errno_name(e: i32) -> &'static str {
    match e {
        libc::EPERM => "EPERM",
        libc::ENOENT => "ENOENT",
        libc::ESRCH => "ESRCH",
        libc::EINTR => "EINTR",
        libc::EIO => "EIO",
        libc::EBADF => "EBADF",
        libc::EAGAIN => "EAGAIN",
        libc::ENOMEM => "ENOMEM",
        libc::EACCES => "EACCES",
        libc::EFAULT => "EFAULT",
        libc::EEXIST => "EEXIST",
        libc::ENOTDIR => "ENOTDIR",
        libc::EISDIR => "EISDIR",
        libc::EINVAL => "EINVAL",
        libc::ENOTTY => "ENOTTY",
        libc::ESPIPE => "ESPIPE",
        libc::EPIPE => "EPIPE",
        libc::ERANGE => "ERANGE",
        libc::ENAMETOOLONG => "ENAMETOOLONG",
        libc::ENOSYS => "ENOSYS",
        libc::ENOTEMPTY => "ENOTEMPTY",
        libc::ETIMEDOUT => "ETIMEDOUT",
        _ => "E?",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_and_lines_read_like_strace() {
        assert!(TABLE.windows(2).all(|w| w[0].0 < w[1].0));
        assert_eq!(name(64), Some("write"));
        let none = |_| None;
        let line = format(64, &[1, 0x4a0000, 3, 0, 0, 0], &Ok(3), &none);
        assert_eq!(line, "write(1, 0x4a0000, 3) = 3");
        let line = format(
            56,
            &[(-100i64) as u64, 0x4a0000, 0, 0, 0, 0],
            &Err(Stop::Errno(libc::ENOENT)),
            &|p| (p == 0x4a0000).then(|| "/etc/x".to_owned()),
        );
        assert_eq!(
            line,
            "openat(-100, \"/etc/x\", 0, 0) = -1 ENOENT (No such file or directory)"
        );
    }
}
