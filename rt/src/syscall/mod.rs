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

pub use exec::inherit_signal_state;

use std::ffi::CString;

use crate::guest::Guest;
use crate::host::{Arg, HostBuf, NULL_GUARD};

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
    /// A guest buffer for the host kernel; EFAULT when outside the address space.
    pub(crate) fn buf(&self, addr: u64, len: u64) -> Result<HostBuf, Stop> {
        let mem = self.space.mem();
        if len == 0 {
            return HostBuf::new(&mem, NULL_GUARD, 0).ok_or(Stop::Errno(libc::EFAULT));
        }
        HostBuf::new(&mem, addr, len).ok_or(Stop::Errno(libc::EFAULT))
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
        self.space
            .mem()
            .read_bytes(addr, out)
            .map_err(|_| Stop::Errno(libc::EFAULT))
    }

    pub(crate) fn write_guest(&self, addr: u64, data: &[u8]) -> Result<(), Stop> {
        self.space
            .mem()
            .write_bytes(addr, data)
            .map_err(|_| Stop::Errno(libc::EFAULT))
    }

    pub(crate) fn read_u64(&self, addr: u64) -> Result<u64, Stop> {
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

/// Handles the syscall the guest just made (number in x8, arguments in x0..x5); the result goes to x0.
pub fn dispatch(g: &mut Guest) -> Flow {
    let nr = g.cpu.x[8];
    let a: [u64; 6] = [
        g.cpu.x[0], g.cpu.x[1], g.cpu.x[2], g.cpu.x[3], g.cpu.x[4], g.cpu.x[5],
    ];
    let r = call(g, nr, a);
    for (start, len) in g.space.take_code_changes() {
        g.cache.invalidate(start, len);
    }
    if g.strace {
        table::trace(nr, &a, &r);
    }
    match r {
        Ok(v) => g.cpu.x[0] = v,
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
        82 => fs::fsync(g, a),
        83 => fs::fdatasync(g, a),
        88 => fs::utimensat(g, a),
        93 | 94 => process::exit(g, a),
        95 => fork::waitid(g, a),
        96 => process::set_tid_address(g, a),
        98 => process::futex(g, a),
        99 => process::set_robust_list(g, a),
        101 => time::nanosleep(g, a),
        113 => time::clock_gettime(g, a),
        114 => time::clock_getres(g, a),
        115 => time::clock_nanosleep(g, a),
        122 => process::sched_setaffinity(g, a),
        123 => process::sched_getaffinity(g, a),
        124 => Ok(0), // sched_yield
        129 => process::kill(g, a),
        130 => process::tkill(g, a),
        131 => process::tgkill(g, a),
        132 => process::sigaltstack(g, a),
        134 => process::rt_sigaction(g, a),
        135 => process::rt_sigprocmask(g, a),
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
