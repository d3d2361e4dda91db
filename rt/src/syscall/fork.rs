//! Creating and reaping processes: `clone` used as fork (glibc's fork, vfork and posix_spawn's
//! `CLONE_VM|CLONE_VFORK`) becomes a real host `fork()` of the elfrun process, and `wait4`/`waitid` reap the host
//! children (which are elfrun processes whose exit statuses mirror their guests', see `main.rs`).
//!
//! A host fork copies everything the guest owns: the 4 GiB guest memory is a private mapping, the CPU state and
//! block cache are plain host memory, file descriptors are the host's. elfrun is single-threaded when the guest
//! runs, so fork is safe. `CLONE_VM` (shared memory) is emulated only together with `CLONE_VFORK`, as qemu-user
//! does: the child gets a copy, and the parent waits until the child execs or exits (a close-on-exec pipe
//! whose write end only the child holds reaches EOF exactly then). Threads (`CLONE_THREAD`) are not supported.
//!
//! Must not: run guest code or know about exec (see `exec.rs`).

use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};

use super::{Stop, SysResult, host, host_blocking};
use crate::guest::Guest;
use crate::host::Arg;

const CSIGNAL: u64 = 0xff;
const CLONE_VM: u64 = 0x100;
const CLONE_PIDFD: u64 = 0x1000;
const CLONE_VFORK: u64 = 0x4000;
const CLONE_THREAD: u64 = 0x10000;
const CLONE_SETTLS: u64 = 0x80000;
const CLONE_PARENT_SETTID: u64 = 0x10_0000;
const CLONE_CHILD_CLEARTID: u64 = 0x20_0000;
const CLONE_CHILD_SETTID: u64 = 0x100_0000;
/// Namespace and cgroup flags a fork cannot emulate.
const CLONE_UNSUPPORTED: u64 = 0x7e02_0000 | 0x2_0000_0000;
const SIGCHLD: u64 = 17;

fn errno() -> i32 {
    std::io::Error::last_os_error()
        .raw_os_error()
        .unwrap_or(libc::EIO)
}

/// `clone(flags, newsp, parent_tid, tls, child_tid)` (arm64 uses the CLONE_BACKWARDS argument order).
pub fn clone(g: &mut Guest, a: [u64; 6]) -> SysResult {
    let (flags, newsp, ptid, tls, ctid) = (a[0], a[1], a[2], a[3], a[4]);
    if flags & CLONE_THREAD != 0 || (flags & CLONE_VM != 0 && flags & CLONE_VFORK == 0) {
        g.warn_once(
            (6 << 40) | 1,
            format_args!(
                "clone with shared memory (threads, flags {flags:#x}) is not supported: returning -ENOSYS"
            ),
        );
        return Err(Stop::Errno(libc::ENOSYS));
    }
    if flags & CLONE_UNSUPPORTED != 0 {
        return Err(Stop::Errno(libc::EINVAL));
    }
    let sig = flags & CSIGNAL;
    if sig != SIGCHLD && sig != 0 {
        g.warn_once(
            (6 << 40) | 2,
            format_args!("clone exit signal {sig} is delivered as SIGCHLD"),
        );
    }
    // The vfork rendezvous: the child keeps the (close-on-exec) write end; EOF tells the parent it is gone.
    let rendezvous = if flags & CLONE_VFORK != 0 {
        let mut fds = [0 as libc::c_int; 2];
        // SAFETY: `fds` is a valid out-array of two ints.
        if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
            return Err(Stop::Errno(errno()));
        }
        // SAFETY: pipe2 just returned these two descriptors, owned by nobody else.
        Some(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
    } else {
        None
    };
    // SAFETY: elfrun is single-threaded while the guest runs, so the child may keep running arbitrary code; all
    // state it uses (guest memory, CPU state, descriptors) is duplicated by the fork.
    let pid = unsafe { libc::fork() };
    if pid < 0 {
        return Err(Stop::Errno(errno()));
    }
    if pid == 0 {
        g.profile_after_fork();
        if let Some(aot) = g.aot.as_deref_mut() {
            aot.stats.aot_misses.clear(); // the parent records its own
        }
        // Linux starts a child with no pending signals; those recorded for the parent stay the parent's.
        crate::signal::hostsig::clear_pending();
        // The child: a rendezvous inherited from our own parent's vfork is not ours to hold.
        g.vfork_done = rendezvous.map(|(r, w)| {
            drop(r);
            w
        });
        let tid = host(libc::SYS_gettid, &mut [])?;
        if flags & CLONE_CHILD_SETTID != 0 {
            let _ = g.write_guest(ctid, &(tid as u32).to_le_bytes());
        }
        if flags & CLONE_CHILD_CLEARTID != 0 {
            g.clear_child_tid = ctid;
        }
        if newsp != 0 {
            g.cpu.sp = newsp;
        }
        if flags & CLONE_SETTLS != 0 {
            g.cpu.tpidr_el0 = tls;
        }
        return Ok(0);
    }
    if flags & CLONE_PARENT_SETTID != 0 {
        let _ = g.write_guest(ptid, &(pid as u32).to_le_bytes());
    }
    if flags & CLONE_PIDFD != 0 {
        // With clone (not clone3) the pidfd goes where parent_tid points.
        if let Ok(fd) = host(
            libc::SYS_pidfd_open,
            &mut [Arg::Int(pid as u64), Arg::Int(0)],
        ) {
            let _ = g.write_guest(ptid, &(fd as u32).to_le_bytes());
        }
    }
    if let Some((r, w)) = rendezvous {
        drop(w);
        let mut b = [0u8; 1];
        loop {
            // SAFETY: `b` is a valid one-byte buffer; `r` is an open descriptor.
            let n = unsafe { libc::read(r.as_raw_fd(), b.as_mut_ptr().cast(), 1) };
            if n == 0 || (n < 0 && errno() != libc::EINTR) {
                break;
            }
        }
    }
    Ok(pid as u64)
}

/// `clone3` is left to glibc's fallback: it retries with `clone` on ENOSYS.
pub fn clone3(_g: &mut Guest, _a: [u64; 6]) -> SysResult {
    Err(Stop::Errno(libc::ENOSYS))
}

/// `struct rusage`: 144 bytes on both 64-bit ABIs.
const RUSAGE_SIZE: u64 = 144;
/// `siginfo_t`: 128 bytes, same layout for SIGCHLD information on arm64 and x86-64.
const SIGINFO_SIZE: u64 = 128;

/// `wait4(pid, status, options, rusage)`: the host's children are the guest's children, their wait statuses
/// (exit codes, fatal signals, stops) are the guest's.
pub fn wait4(g: &mut Guest, a: [u64; 6]) -> SysResult {
    let status = g.opt_buf(a[1], 4)?;
    let ru = g.opt_buf(a[3], RUSAGE_SIZE)?;
    host_blocking(
        libc::SYS_wait4,
        &mut [
            Arg::Int(a[0] as i32 as i64 as u64),
            status,
            Arg::Int(a[2] as u32 as u64),
            ru,
        ],
    )
}

/// `waitid(idtype, id, infop, options, rusage)`.
pub fn waitid(g: &mut Guest, a: [u64; 6]) -> SysResult {
    let info = g.opt_buf(a[2], SIGINFO_SIZE)?;
    let ru = g.opt_buf(a[4], RUSAGE_SIZE)?;
    host_blocking(
        libc::SYS_waitid,
        &mut [
            Arg::Int(a[0] as u32 as u64),
            Arg::Int(a[1] as i32 as i64 as u64),
            info,
            Arg::Int(a[3] as u32 as u64),
            ru,
        ],
    )
}
