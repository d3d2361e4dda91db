//! Process and thread syscalls for a single-threaded guest: exit, thread bookkeeping (tid address, robust list,
//! futex), signal dispositions and masks (recorded; delivery is not implemented yet), signals sent to itself,
//! ids, resource limits, affinity and prctl names.

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

const SIGKILL: u64 = 9;
const SIGSTOP: u64 = 19;

pub fn rt_sigaction(g: &mut Guest, a: [u64; 6]) -> SysResult {
    let (sig, act, oact) = (a[0], a[1], a[2]);
    if a[3] != 8 || sig == 0 || sig > 64 {
        return Err(Stop::Errno(libc::EINVAL));
    }
    if act != 0 && (sig == SIGKILL || sig == SIGSTOP) {
        return Err(Stop::Errno(libc::EINVAL));
    }
    let old = g.signals.actions[sig as usize];
    if act != 0 {
        let mut raw = [0u8; 32];
        g.read_guest(act, &mut raw)?;
        let mut new = [0u64; 4];
        for (w, c) in new.iter_mut().zip(raw.chunks_exact(8)) {
            *w = u64::from_le_bytes(c.try_into().expect("8"));
        }
        g.signals.actions[sig as usize] = new;
    }
    if oact != 0 {
        let bytes: Vec<u8> = old.iter().flat_map(|w| w.to_le_bytes()).collect();
        g.write_guest(oact, &bytes)?;
    }
    Ok(0)
}

pub fn rt_sigprocmask(g: &mut Guest, a: [u64; 6]) -> SysResult {
    let (how, set, oset) = (a[0], a[1], a[2]);
    if a[3] != 8 {
        return Err(Stop::Errno(libc::EINVAL));
    }
    let old = g.signals.mask;
    if set != 0 {
        let s = g.read_u64(set)?;
        let unblockable = (1 << (SIGKILL - 1)) | (1 << (SIGSTOP - 1));
        g.signals.mask = match how {
            0 => old | s,
            1 => old & !s,
            2 => s,
            _ => return Err(Stop::Errno(libc::EINVAL)),
        } & !unblockable;
    }
    if oset != 0 {
        g.write_guest(oset, &old.to_le_bytes())?;
    }
    Ok(0)
}

pub fn sigaltstack(g: &mut Guest, a: [u64; 6]) -> SysResult {
    let old = g.signals.altstack;
    if a[0] != 0 {
        let mut raw = [0u8; 24];
        g.read_guest(a[0], &mut raw)?;
        let sp = u64::from_le_bytes(raw[..8].try_into().expect("8"));
        let flags = u32::from_le_bytes(raw[8..12].try_into().expect("4")) as u64;
        let size = u64::from_le_bytes(raw[16..].try_into().expect("8"));
        if flags & !(2 | (1 << 31)) != 0 {
            return Err(Stop::Errno(libc::EINVAL));
        }
        if flags & 2 == 0 && size < crate::stack::MINSIGSTKSZ {
            return Err(Stop::Errno(libc::ENOMEM));
        }
        g.signals.altstack = [sp, flags, size];
    }
    if a[1] != 0 {
        let mut raw = [0u8; 24];
        raw[..8].copy_from_slice(&old[0].to_le_bytes());
        raw[8..12].copy_from_slice(&(old[1] as u32).to_le_bytes());
        raw[16..].copy_from_slice(&old[2].to_le_bytes());
        g.write_guest(a[1], &raw)?;
    }
    Ok(0)
}

/// Signals whose default action is to ignore them (SIGCHLD, SIGCONT, SIGURG, SIGWINCH) or to stop.
fn default_is_harmless(sig: u64) -> bool {
    matches!(sig, 17 | 18 | 23 | 28 | 19 | 20 | 21 | 22)
}

/// A signal the guest sent to itself: fatal by default (exit status 128 + sig, as a shell reports it).
fn raise_self(g: &mut Guest, sig: u64) -> SysResult {
    if sig == 0 {
        return Ok(0);
    }
    if sig > 64 {
        return Err(Stop::Errno(libc::EINVAL));
    }
    let handler = g.signals.actions[sig as usize][0];
    let blocked = sig != SIGKILL && sig != SIGSTOP && g.signals.mask & (1 << (sig - 1)) != 0;
    match handler {
        1 => Ok(0), // SIG_IGN
        0 if default_is_harmless(sig) => Ok(0),
        0 if !blocked => Err(Stop::Exit(g.killed(sig as i32))),
        _ => {
            g.warn_once(
                (4 << 40) | sig,
                format_args!("signal {sig} sent to self is not delivered (signal delivery is not implemented)"),
            );
            Ok(0)
        }
    }
}

fn own_pid() -> u64 {
    std::process::id() as u64
}

pub fn kill(g: &mut Guest, a: [u64; 6]) -> SysResult {
    let pid = a[0] as i64;
    if pid == own_pid() as i64 || pid == 0 {
        return raise_self(g, a[1]);
    }
    host(libc::SYS_kill, &mut [Arg::Int(a[0]), Arg::Int(a[1])])
}

pub fn tkill(g: &mut Guest, a: [u64; 6]) -> SysResult {
    if a[0] == own_pid() {
        return raise_self(g, a[1]);
    }
    Err(Stop::Errno(libc::ESRCH))
}

pub fn tgkill(g: &mut Guest, a: [u64; 6]) -> SysResult {
    if a[0] == own_pid() && a[1] == own_pid() {
        return raise_self(g, a[2]);
    }
    Err(Stop::Errno(libc::ESRCH))
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
        &mut [Arg::Int(a[0] as i32 as i64 as u64), Arg::Int(a[1]), Arg::Guest(b)],
    )
}

pub fn sched_setaffinity(g: &mut Guest, a: [u64; 6]) -> SysResult {
    let b = g.buf(a[2], a[1])?;
    host(
        libc::SYS_sched_setaffinity,
        &mut [Arg::Int(a[0] as i32 as i64 as u64), Arg::Int(a[1]), Arg::Guest(b)],
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
                    .load(a[1] + i as u64, 1)
                    .map_err(|_| Stop::Errno(libc::EFAULT))? as u8;
                if *b == 0 {
                    break;
                }
            }
            g.comm = name;
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
