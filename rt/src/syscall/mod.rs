//! Linux syscall emulation for AArch64 guests (asm-generic numbers), split by family: [`fs`], [`io`], [`mem`],
//! [`time`], [`process`], [`fork`] (clone as fork, wait), [`exec`], [`misc`]. This module owns dispatch, `--strace` output, the unknown-syscall warning,
//! and the helpers every family uses to reach guest memory (bad guest pointers give EFAULT).
//!
//! Handlers return `Ok(value)` or `Err(Stop::Errno(e))` (the guest sees `-e`); `exit` and fatal signals return
//! `Err(Stop::Exit(status))`.

mod exec;
mod fork;
mod fs;
mod io;
mod mem;
mod misc;
mod process;
mod table;
mod time;

use std::ffi::CString;

use crate::guest::Guest;
use crate::host::{Arg, HostBuf, NULL_GUARD};
use crate::signal::calls as signal;

/// What the run loop does after a syscall.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    Continue,
    Exit(i32),
}

/// Why a handler did not return a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    Errno(i32),
    Exit(i32),
}

impl From<i32> for Stop {
    fn from(e: i32) -> Stop {
        Stop::Errno(e)
    }
}

pub type SysResult = Result<u64, Stop>;

/// Guest memory helpers shared by the families.
impl Guest {
    /// EFAULT unless every byte of `addr..addr + len` is mapped (the kernel's `access_ok` plus the page walk).
    fn check_mapped(&self, addr: u64, len: u64) -> Result<(), Stop> {
        match addr.checked_add(len) {
            Some(end) if self.space.is_mapped(addr, end) => Ok(()),
            _ => Err(Stop::Errno(libc::EFAULT)),
        }
    }

    /// A guest buffer for the host kernel; EFAULT when any of it is unmapped.
    pub(crate) fn buf(&self, addr: u64, len: u64) -> Result<HostBuf, Stop> {
        let mem = self.space.mem();
        if len == 0 {
            return HostBuf::new(&mem, NULL_GUARD, 0).ok_or(Stop::Errno(libc::EFAULT));
        }
        self.check_mapped(addr, len)?;
        HostBuf::new(&mem, addr, len).ok_or(Stop::Errno(libc::EFAULT))
    }

    /// The mapped prefix of a guest buffer, for calls that stop at the first unmapped byte (read, write): the
    /// kernel transfers up to the fault and fails with EFAULT only when nothing at all is accessible.
    pub(crate) fn buf_prefix(&self, addr: u64, len: u64) -> Result<HostBuf, Stop> {
        if len == 0 {
            return self.buf(addr, 0);
        }
        match self.space.mapped_prefix(addr, len) {
            0 => Err(Stop::Errno(libc::EFAULT)),
            n => self.buf(addr, n),
        }
    }

    /// A guest buffer argument, or NULL when `addr` is 0.
    pub(crate) fn opt_buf(&self, addr: u64, len: u64) -> Result<Arg<'static>, Stop> {
        if addr == 0 {
            Ok(Arg::Int(0))
        } else {
            Ok(Arg::Guest(self.buf(addr, len)?))
        }
    }

    /// A NUL-terminated guest string (at most PATH_MAX bytes).
    pub(crate) fn cstr(&self, addr: u64) -> Result<CString, Stop> {
        let mem = self.space.mem();
        let mut out = Vec::new();
        let mut at = addr;
        loop {
            // Read up to the end of the page, so a string ending just before unmapped memory still works.
            let chunk = (4096 - (at & 4095)) as usize;
            let mut buf = vec![0u8; chunk];
            self.check_mapped(at, chunk as u64)?;
            mem.read_bytes(at, &mut buf)
                .map_err(|_| Stop::Errno(libc::EFAULT))?;
            if let Some(n) = buf.iter().position(|&b| b == 0) {
                out.extend_from_slice(&buf[..n]);
                return Ok(CString::new(out).expect("no interior NUL"));
            }
            out.extend_from_slice(&buf);
            if out.len() >= 4096 {
                return Err(Stop::Errno(libc::ENAMETOOLONG));
            }
            at += chunk as u64;
        }
    }

    pub(crate) fn read_guest(&self, addr: u64, out: &mut [u8]) -> Result<(), Stop> {
        self.check_mapped(addr, out.len() as u64)?;
        self.space
            .mem()
            .read_bytes(addr, out)
            .map_err(|_| Stop::Errno(libc::EFAULT))
    }

    pub(crate) fn write_guest(&self, addr: u64, data: &[u8]) -> Result<(), Stop> {
        self.check_mapped(addr, data.len() as u64)?;
        self.space
            .mem()
            .write_bytes(addr, data)
            .map_err(|_| Stop::Errno(libc::EFAULT))
    }

    pub(crate) fn read_u64(&self, addr: u64) -> Result<u64, Stop> {
        self.check_mapped(addr, 8)?;
        self.space
            .mem()
            .load(addr, 8)
            .map_err(|_| Stop::Errno(libc::EFAULT))
    }

    /// Logs one warning per `key` (syscall number, or a tagged request code).
    pub(crate) fn warn_once(&mut self, key: u64, what: std::fmt::Arguments<'_>) {
        if self.warned.insert(key) {
            tracing::warn!("{what}");
        }
    }
}

/// Calls a host syscall, mapping its errno.
pub(crate) fn host(nr: libc::c_long, args: &mut [Arg<'_>]) -> SysResult {
    crate::host::syscall(nr, args).map_err(Stop::Errno)
}

/// Calls a host syscall that may block (the guest syscall's only host call): one that a guest signal
/// arriving just before it would otherwise leave waiting (`hostsig::syscall_unless_signalled`). If it was
/// not made, [`dispatch`] delivers the signal and the guest re-executes the syscall.
pub(crate) fn host_blocking(nr: libc::c_long, args: &mut [Arg<'_>]) -> SysResult {
    crate::signal::hostsig::syscall_unless_signalled(nr, args).map_err(Stop::Errno)
}

/// Handles the syscall the guest just made (number in x8, arguments in x0..x5); the result goes to x0.
pub fn dispatch(g: &mut Guest) -> Flow {
    let nr = g.cpu.x[8];
    let a: [u64; 6] = [
        g.cpu.x[0], g.cpu.x[1], g.cpu.x[2], g.cpu.x[3], g.cpu.x[4], g.cpu.x[5],
    ];
    let r = call(g, nr, a);
    for (start, len) in g.space.take_code_changes() {
        g.invalidate_code(start, len);
    }
    if g.strace {
        table::trace(nr, &a, &r, &|p| {
            g.cstr(p)
                .ok()
                .map(|c| String::from_utf8_lossy(c.as_bytes()).into_owned())
        });
    }
    match r {
        Ok(v) => g.cpu.x[0] = v,
        // Re-executed after the handler returns, with its original first argument: always when the host call
        // was not made (a signal came first), after an interruption when the handler has SA_RESTART.
        Err(Stop::Errno(e))
            if e == crate::host::NOT_STARTED
                || (e == libc::EINTR && crate::signal::calls::restart_after_eintr(g, nr)) =>
        {
            g.cpu.pc = g.cpu.pc.wrapping_sub(4);
            g.cpu.x[0] = a[0];
        }
        Err(Stop::Errno(e)) => g.cpu.x[0] = (-(e as i64)) as u64,
        Err(Stop::Exit(status)) => return Flow::Exit(status),
    }
    Flow::Continue
}

fn call(g: &mut Guest, nr: u64, a: [u64; 6]) -> SysResult {
    match nr {
        17 => fs::getcwd(g, a),
        23 => fs::dup(g, a),
        24 => fs::dup3(g, a),
        25 => fs::fcntl(g, a),
        29 => io::ioctl(g, a),
        33 => fs::mknodat(g, a),
        34 => fs::mkdirat(g, a),
        35 => fs::unlinkat(g, a),
        36 => fs::symlinkat(g, a),
        37 => fs::linkat(g, a),
        38 => fs::renameat(g, a),
        43 => fs::statfs(g, a),
        44 => fs::fstatfs(g, a),
        45 => fs::truncate(g, a),
        46 => fs::ftruncate(g, a),
        47 => fs::fallocate(g, a),
        48 => fs::faccessat(g, a),
        49 => fs::chdir(g, a),
        50 => fs::fchdir(g, a),
        52 => fs::fchmod(g, a),
        53 => fs::fchmodat(g, a),
        54 => fs::fchownat(g, a),
        55 => fs::fchown(g, a),
        56 => fs::openat(g, a),
        57 => fs::close(g, a),
        59 => fs::pipe2(g, a),
        61 => fs::getdents64(g, a),
        62 => fs::lseek(g, a),
        63 => io::read(g, a),
        64 => io::write(g, a),
        65 => io::readv(g, a),
        66 => io::writev(g, a),
        67 => io::pread64(g, a),
        68 => io::pwrite64(g, a),
        71 => io::sendfile(g, a),
        72 => io::pselect6(g, a),
        73 => io::ppoll(g, a),
        78 => fs::readlinkat(g, a),
        79 => fs::newfstatat(g, a),
        80 => fs::fstat(g, a),
        81 => fs::sync(g, a),
        82 => fs::fsync(g, a),
        83 => fs::fdatasync(g, a),
        88 => fs::utimensat(g, a),
        93 | 94 => process::exit(g, a),
        95 => fork::waitid(g, a),
        96 => process::set_tid_address(g, a),
        98 => process::futex(g, a),
        99 => process::set_robust_list(g, a),
        101 => time::nanosleep(g, a),
        102 => signal::getitimer(g, a),
        103 => signal::setitimer(g, a),
        107 => signal::timer_create(g, a),
        108 => signal::timer_gettime(g, a),
        109 => signal::timer_getoverrun(g, a),
        110 => signal::timer_settime(g, a),
        111 => signal::timer_delete(g, a),
        113 => time::clock_gettime(g, a),
        114 => time::clock_getres(g, a),
        115 => time::clock_nanosleep(g, a),
        122 => process::sched_setaffinity(g, a),
        123 => process::sched_getaffinity(g, a),
        124 => Ok(0), // sched_yield
        129 => signal::kill(g, a),
        130 => signal::tkill(g, a),
        131 => signal::tgkill(g, a),
        132 => signal::sigaltstack(g, a),
        133 => signal::rt_sigsuspend(g, a),
        134 => signal::rt_sigaction(g, a),
        135 => signal::rt_sigprocmask(g, a),
        136 => signal::rt_sigpending(g, a),
        137 => signal::rt_sigtimedwait(g, a),
        138 => signal::rt_sigqueueinfo(g, a),
        139 => signal::rt_sigreturn(g, a),
        148 => process::getresid(g, a, libc::SYS_getresuid),
        150 => process::getresid(g, a, libc::SYS_getresgid),
        153 => time::times(g, a),
        154 => host(libc::SYS_setpgid, &mut [Arg::Int(a[0]), Arg::Int(a[1])]),
        155 => host(libc::SYS_getpgid, &mut [Arg::Int(a[0])]),
        156 => host(libc::SYS_getsid, &mut [Arg::Int(a[0])]),
        157 => host(libc::SYS_setsid, &mut []),
        158 => process::getgroups(g, a),
        160 => misc::uname(g, a),
        163 => process::prlimit(g, [0, a[0], 0, a[1], 0, 0]),
        164 => process::prlimit(g, [0, a[0], a[1], 0, 0, 0]),
        165 => time::getrusage(g, a),
        166 => host(libc::SYS_umask, &mut [Arg::Int(a[0])]),
        167 => process::prctl(g, a),
        169 => time::gettimeofday(g, a),
        172 => host(libc::SYS_getpid, &mut []),
        173 => host(libc::SYS_getppid, &mut []),
        174 => host(libc::SYS_getuid, &mut []),
        175 => host(libc::SYS_geteuid, &mut []),
        176 => host(libc::SYS_getgid, &mut []),
        177 => host(libc::SYS_getegid, &mut []),
        178 => host(libc::SYS_gettid, &mut []),
        179 => misc::sysinfo(g, a),
        204 => misc::getsockname(g, a, libc::SYS_getsockname),
        205 => misc::getsockname(g, a, libc::SYS_getpeername),
        214 => mem::brk(g, a),
        215 => mem::munmap(g, a),
        216 => mem::mremap(g, a),
        220 => fork::clone(g, a),
        221 => exec::execve(g, a),
        222 => mem::mmap(g, a),
        223 => io::fadvise64(g, a),
        226 => mem::mprotect(g, a),
        227 | 228 => Ok(0), // msync, mlock: private copies, nothing to do
        233 => mem::madvise(g, a),
        260 => fork::wait4(g, a),
        261 => process::prlimit(g, a),
        267 => fs::syncfs(g, a),
        276 => fs::renameat2(g, a),
        278 => misc::getrandom(g, a),
        281 => exec::execveat(g, a),
        285 => io::copy_file_range(g, a),
        291 => fs::statx(g, a),
        293 => Err(Stop::Errno(libc::ENOSYS)), // rseq: glibc falls back without it
        435 => fork::clone3(g, a),
        439 => fs::faccessat2(g, a),
        _ => {
            let name = table::name(nr).unwrap_or("?");
            g.warn_once(
                nr,
                format_args!("unsupported syscall {nr} ({name}): returning -ENOSYS"),
            );
            Err(Stop::Errno(libc::ENOSYS))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::HostMemory;
    use crate::vm::AddressSpace;

    fn guest() -> Guest {
        let mut space = AddressSpace::new(HostMemory::new().unwrap());
        space.init_brk(0x50_0000);
        Guest::with_space(space, "/bin/test".into(), false)
    }

    fn call_with(g: &mut Guest, nr: u64, a: [u64; 6]) -> u64 {
        g.cpu.x[8] = nr;
        g.cpu.x[..6].copy_from_slice(&a);
        assert_eq!(dispatch(g), Flow::Continue);
        g.cpu.x[0]
    }

    /// Random arguments for syscalls that cannot touch the host beyond the process (no path creation, no
    /// descriptors below 1000, no signals to others): elfrun must answer each one without panicking, and its
    /// address space must stay consistent.
    #[test]
    fn random_arguments_never_panic() {
        let mut g = guest();
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut rnd = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        // Interesting values: small, page-aligned, near the space's edges, huge, negative.
        let val = |r: &mut dyn FnMut() -> u64| -> u64 {
            let x = r();
            match x % 8 {
                0 => x % 64,
                1 => (x % (1 << 32)) & !0xfff,
                2 => (1 << 32) - (x % 0x20000),
                3 => x,
                4 => (x % 0x10_0000) << 12,
                5 => 0xff7f_0000 + (x % 0x80_0000),
                6 => (-((x % 5000) as i64)) as u64,
                _ => 0x50_0000 + (x % 0x10_0000),
            }
        };
        let nrs = [
            214u64, 215, 216, 222, 226, 233, 98, 134, 135, 132, 167, 113, 114, 160, 278, 63, 64,
            65, 66, 67, 68, 79, 80, 291, 17, 179, 165, 153, 261, 123, 129, 131,
        ];
        for _ in 0..20_000 {
            let nr = nrs[(rnd() % nrs.len() as u64) as usize];
            let mut a = [0u64; 6];
            for v in a.iter_mut() {
                *v = val(&mut rnd);
            }
            match nr {
                // Descriptors that do not exist; getrandom kept small; fstatat relative to an absent dirfd.
                63..=68 | 80 => a[0] = 1000 + a[0] % 100,
                79 | 291 => a[0] = 1000,
                278 => a[1] %= 4096,
                // Own process only, with harmless signals (0 or SIGCHLD) so the test keeps running.
                129 => (a[0], a[1]) = (0, [0, 17][(a[1] % 2) as usize]),
                131 => {
                    (a[0], a[1], a[2]) = (std::process::id() as u64, std::process::id() as u64, 0)
                }
                // Waits must not block: a timeout pointer of NULL turns into EAGAIN; keep op to WAKE/WAIT.
                98 => {
                    a[1] %= 2;
                    a[3] = 0;
                }
                222 => a[3] = (a[3] & !0xf) | 0x22, // anonymous private only
                _ => {}
            }
            let _ = call_with(&mut g, nr, a);
        }
        // The map is still well-formed: sorted, non-overlapping, inside the space.
        let mut last = 0;
        for (s, v) in g.space.vmas() {
            assert!(
                s >= last && v.end > s && v.end <= 1 << 32,
                "{s:#x}..{:#x}",
                v.end
            );
            last = v.end;
        }
    }

    #[test]
    fn bad_pointers_give_efault_and_unknown_syscalls_enosys() {
        let mut g = guest();
        let efault = (-(libc::EFAULT as i64)) as u64;
        assert_eq!(
            call_with(&mut g, 113, [1, 0x1234_5000, 0, 0, 0, 0]),
            efault,
            "clock_gettime"
        );
        assert_eq!(
            call_with(&mut g, 160, [0x10, 0, 0, 0, 0, 0]),
            efault,
            "uname"
        );
        assert_eq!(
            call_with(&mut g, 56, [0, 0x7000_0000, 0, 0, 0, 0]),
            efault,
            "openat"
        );
        let enosys = (-(libc::ENOSYS as i64)) as u64;
        assert_eq!(call_with(&mut g, 4000, [0; 6]), enosys);
        assert_eq!(call_with(&mut g, 293, [0; 6]), enosys, "rseq");
    }
}
