//! Process and thread syscalls for a single-threaded guest: exit, thread bookkeeping (tid address, robust list,
//! futex), ids, resource limits, affinity and prctl names. Signals live in [`crate::signal`].

use super::{Stop, SysResult, host};
use crate::guest::Guest;
use crate::host::Arg;
use crate::vm::STACK_SIZE;

pub fn exit(_g: &mut Guest, a: [u64; 6]) -> SysResult {
    Err(Stop::Exit((a[0] & 0xff) as i32))
}

pub fn set_tid_address(g: &mut Guest, a: [u64; 6]) -> SysResult {
    g.clear_child_tid = a[0];
    host(libc::SYS_gettid, &mut [])
}

pub fn set_robust_list(g: &mut Guest, a: [u64; 6]) -> SysResult {
    if a[1] != 24 {
        return Err(Stop::Errno(libc::EINVAL));
    }
    g.robust_list = a[0];
    Ok(0)
}

const FUTEX_WAIT: u64 = 0;
const FUTEX_WAKE: u64 = 1;
const FUTEX_REQUEUE: u64 = 3;
const FUTEX_CMP_REQUEUE: u64 = 4;
const FUTEX_WAKE_OP: u64 = 5;
const FUTEX_WAIT_BITSET: u64 = 9;
const FUTEX_WAKE_BITSET: u64 = 10;

/// Futexes with one thread: nobody else can wake a waiter, so a wait either fails the value check (EAGAIN) or
/// sleeps out its timeout (ETIMEDOUT).
pub fn futex(g: &mut Guest, a: [u64; 6]) -> SysResult {
    let (uaddr, op, val) = (a[0], a[1] & 0x7f, a[2] as u32);
    match op {
        FUTEX_WAIT | FUTEX_WAIT_BITSET => {
            if !uaddr.is_multiple_of(4) {
                return Err(Stop::Errno(libc::EINVAL));
            }
            let cur = g
                .space
                .mem()
                .load(uaddr, 4)
                .map_err(|_| Stop::Errno(libc::EFAULT))? as u32;
            if cur != val {
                return Err(Stop::Errno(libc::EAGAIN));
            }
            if a[3] == 0 {
                g.warn_once(
                    3 << 40,
                    format_args!(
                        "futex wait without timeout in a single-threaded guest would never wake"
                    ),
                );
                return Err(Stop::Errno(libc::EAGAIN));
            }
            let t = g.buf(a[3], 16)?;
            // FUTEX_WAIT takes a relative timeout; FUTEX_WAIT_BITSET an absolute one on the chosen clock.
            if op == FUTEX_WAIT {
                let _ = host(libc::SYS_nanosleep, &mut [Arg::Guest(t), Arg::Int(0)]);
            } else {
                let clock = if a[1] & 256 != 0 {
                    libc::CLOCK_REALTIME
                } else {
                    libc::CLOCK_MONOTONIC
                };
                let _ = host(
                    libc::SYS_clock_nanosleep,
                    &mut [
                        Arg::Int(clock as u64),
                        Arg::Int(libc::TIMER_ABSTIME as u64),
                        Arg::Guest(t),
                        Arg::Int(0),
                    ],
                );
            }
            Err(Stop::Errno(libc::ETIMEDOUT))
        }
        FUTEX_WAKE | FUTEX_WAKE_BITSET | FUTEX_REQUEUE | FUTEX_CMP_REQUEUE | FUTEX_WAKE_OP => Ok(0),
        _ => Err(Stop::Errno(libc::ENOSYS)),
    }
}

pub fn getresid(g: &mut Guest, a: [u64; 6], nr: libc::c_long) -> SysResult {
    let (r, e, s) = (g.buf(a[0], 4)?, g.buf(a[1], 4)?, g.buf(a[2], 4)?);
    host(nr, &mut [Arg::Guest(r), Arg::Guest(e), Arg::Guest(s)])
}

pub fn getgroups(g: &mut Guest, a: [u64; 6]) -> SysResult {
    let n = a[0] as i32;
    if n < 0 {
        return Err(Stop::Errno(libc::EINVAL));
    }
    let list = g.opt_buf(a[1], n as u64 * 4)?;
    host(libc::SYS_getgroups, &mut [Arg::Int(n as u64), list])
}

const RLIMIT_STACK: u64 = 3;

/// `prlimit64(pid, resource, new, old)` (also serves getrlimit/setrlimit, whose struct has the same layout).
/// The stack limit is the guest's own (8 MiB); other limits are the host process's.
pub fn prlimit(g: &mut Guest, a: [u64; 6]) -> SysResult {
    let (pid, res, new, old) = (a[0], a[1], a[2], a[3]);
    if pid != 0 && pid != own_pid() {
        return Err(Stop::Errno(libc::EPERM));
    }
    if res == RLIMIT_STACK {
        if old != 0 {
            let mut v = [0u8; 16];
            v[..8].copy_from_slice(&STACK_SIZE.to_le_bytes());
            v[8..].copy_from_slice(&u64::MAX.to_le_bytes());
            g.write_guest(old, &v)?;
        }
        return Ok(0);
    }
    let newb = g.opt_buf(new, 16)?;
    let oldb = g.opt_buf(old, 16)?;
    host(
        libc::SYS_prlimit64,
        &mut [Arg::Int(0), Arg::Int(res), newb, oldb],
    )
}

/// Affinity is the host's: a guest pid is a host pid (taskset sets a mask that its children inherit).
pub fn sched_getaffinity(g: &mut Guest, a: [u64; 6]) -> SysResult {
    let b = g.buf(a[2], a[1])?;
    host(
        libc::SYS_sched_getaffinity,
        &mut [
            Arg::Int(a[0] as i32 as i64 as u64),
            Arg::Int(a[1]),
            Arg::Guest(b),
        ],
    )
}

pub fn sched_setaffinity(g: &mut Guest, a: [u64; 6]) -> SysResult {
    let b = g.buf(a[2], a[1])?;
    host(
        libc::SYS_sched_setaffinity,
        &mut [
            Arg::Int(a[0] as i32 as i64 as u64),
            Arg::Int(a[1]),
            Arg::Guest(b),
        ],
    )
}

const PR_SET_NAME: u64 = 15;
const PR_GET_NAME: u64 = 16;

pub fn prctl(g: &mut Guest, a: [u64; 6]) -> SysResult {
    match a[0] {
        PR_SET_NAME => {
            let mut name = [0u8; 16];
            let mem = g.space.mem();
            for (i, b) in name.iter_mut().take(15).enumerate() {
                *b = mem
                    .load(a[1].wrapping_add(i as u64), 1)
                    .map_err(|_| Stop::Errno(libc::EFAULT))? as u8;
                if *b == 0 {
                    break;
                }
            }
            g.set_comm(&name);
            Ok(0)
        }
        PR_GET_NAME => {
            let comm = g.comm;
            g.write_guest(a[1], &comm)?;
            Ok(0)
        }
        op => {
            g.warn_once(
                (5 << 40) | op,
                format_args!("prctl option {op} is not supported: returning -EINVAL"),
            );
            Err(Stop::Errno(libc::EINVAL))
        }
    }
}

fn own_pid() -> u64 {
    std::process::id() as u64
}
