//! Signal and timer syscalls: rt_sigaction, rt_sigprocmask, rt_sigpending, rt_sigsuspend, rt_sigtimedwait,
//! sigaltstack, rt_sigreturn, kill/tkill/tgkill, rt_sigqueueinfo, setitimer/getitimer and the POSIX timer calls, plus the rule
//! that turns a host EINTR into the guest's EINTR or a restarted syscall.
//!
//! Owns: the arm64 `struct sigaction` (handler, flags, restorer, mask — 32 bytes) and `stack_t` layouts.

use super::hostsig::{self, mirrored};
use super::{
    Disposition, MAX_SIG, SA_RESTART, SI_TKILL, SI_USER, SIGKILL, SIGSEGV, SIGSTOP, SS_AUTODISARM,
    SS_DISABLE, SS_ONSTACK, SigSet, frame, sigbit, siginfo,
};
use crate::guest::Guest;
use crate::host::Arg;
use crate::syscall::{Stop, SysResult, host};

fn sig_arg(v: u64) -> Result<usize, Stop> {
    if v == 0 || v > MAX_SIG as u64 {
        return Err(Stop::Errno(libc::EINVAL));
    }
    Ok(v as usize)
}

pub fn rt_sigaction(g: &mut Guest, a: [u64; 6]) -> SysResult {
    let (act, oact) = (a[1], a[2]);
    if a[3] != 8 {
        return Err(Stop::Errno(libc::EINVAL));
    }
    let sig = sig_arg(a[0])?;
    if act != 0 && (sig == SIGKILL || sig == SIGSTOP) {
        return Err(Stop::Errno(libc::EINVAL));
    }
    let old = g.signals.actions[sig];
    if act != 0 {
        let mut raw = [0u8; 32];
        g.read_guest(act, &mut raw)?;
        let mut new = [0u64; 4];
        for (w, c) in new.iter_mut().zip(raw.chunks_exact(8)) {
            *w = u64::from_le_bytes(c.try_into().expect("8"));
        }
        new[3] &= !(sigbit(SIGKILL) | sigbit(SIGSTOP));
        g.signals.actions[sig] = new;
        let d = g.signals.disposition(sig);
        if !hostsig::mirror_disposition(sig, d) {
            tracing::debug!("host refused a disposition for signal {sig}");
        }
        // Setting a signal to be ignored discards it if pending (POSIX).
        if g.signals.is_ignored(sig) {
            while g.signals.dequeue(sigbit(sig)).is_some() {}
        }
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
        let new = match how {
            0 => old | s,
            1 => old & !s,
            2 => s,
            _ => return Err(Stop::Errno(libc::EINVAL)),
        };
        g.signals.set_mask(new);
    }
    if oset != 0 {
        g.write_guest(oset, &old.to_le_bytes())?;
    }
    Ok(0)
}

pub fn rt_sigpending(g: &mut Guest, a: [u64; 6]) -> SysResult {
    if a[1] != 8 {
        return Err(Stop::Errno(libc::EINVAL));
    }
    let p = g.signals.all_pending() & g.signals.mask;
    g.write_guest(a[0], &p.to_le_bytes())?;
    Ok(0)
}

/// `rt_sigsuspend(mask, 8)`: waits with `mask` until a signal is delivered; always EINTR. The frame of the
/// handler that ends the wait carries the caller's mask, restored by its rt_sigreturn.
pub fn rt_sigsuspend(g: &mut Guest, a: [u64; 6]) -> SysResult {
    if a[1] != 8 {
        return Err(Stop::Errno(libc::EINVAL));
    }
    let tmp = g.read_u64(a[0])? & !(sigbit(SIGKILL) | sigbit(SIGSTOP));
    let old = g.signals.mask;
    g.signals.set_mask(tmp);
    hostsig::suspend_until(tmp, || {
        let ready = (g.signals.pending | hostsig::peek_pending()) & !tmp;
        if ready == 0 {
            return false;
        }
        let deliverable = g.signals.first_not_ignored(ready).is_some();
        // Ignored signals are discarded and the wait goes on.
        if !deliverable {
            while g.signals.dequeue(ready).is_some() {}
        }
        deliverable
    });
    // The run loop delivers right after this syscall with the temporary mask in force; the handler's frame
    // carries `old`, which its rt_sigreturn restores (and `deliver_pending` restores it if no frame is built).
    g.signals.saved_mask = Some(old);
    Err(Stop::Errno(libc::EINTR))
}

/// `rt_sigtimedwait(set, info, timeout, 8)`: takes a pending signal of `set` (normally blocked), waiting for
/// one at most `timeout`.
pub fn rt_sigtimedwait(g: &mut Guest, a: [u64; 6]) -> SysResult {
    if a[3] != 8 {
        return Err(Stop::Errno(libc::EINVAL));
    }
    let set = g.read_u64(a[0])? & !(sigbit(SIGKILL) | sigbit(SIGSTOP));
    let take = |g: &mut Guest| -> Result<Option<u64>, Stop> {
        if let Some((sig, info)) = g.signals.dequeue(set) {
            if a[1] != 0 {
                g.write_guest(a[1], &info)?;
            }
            return Ok(Some(sig as u64));
        }
        Ok(None)
    };
    if let Some(sig) = take(g)? {
        return Ok(sig);
    }
    // Wait in the host kernel for the mirrored members of the set.
    let host_set: Vec<u8> = (set
        & (1..=MAX_SIG)
            .filter(|&s| mirrored(s))
            .map(sigbit)
            .fold(0, |x, b| x | b))
    .to_le_bytes()
    .to_vec();
    let mut info = [0u8; 128];
    let timeout = g.opt_buf(a[2], 16)?;
    let r = host(
        libc::SYS_rt_sigtimedwait,
        &mut [
            Arg::In(&host_set),
            Arg::Out(&mut info),
            timeout,
            Arg::Int(8),
        ],
    );
    match r {
        Ok(sig) => {
            if a[1] != 0 {
                g.write_guest(a[1], &info)?;
            }
            Ok(sig)
        }
        Err(Stop::Errno(libc::EINTR)) => match take(g)? {
            Some(sig) => Ok(sig),
            None => Err(Stop::Errno(libc::EINTR)),
        },
        Err(e) => Err(e),
    }
}

fn on_altstack(g: &Guest) -> bool {
    let [ss_sp, _, size] = g.signals.altstack;
    let sp = g.cpu.sp;
    size != 0 && sp > ss_sp && sp - ss_sp <= size
}

pub fn sigaltstack(g: &mut Guest, a: [u64; 6]) -> SysResult {
    let old = g.signals.altstack;
    let on = on_altstack(g);
    if a[0] != 0 {
        let mut raw = [0u8; 24];
        g.read_guest(a[0], &mut raw)?;
        set_altstack(g, &raw, on)?;
    }
    if a[1] != 0 {
        let flags = if old[2] == 0 {
            SS_DISABLE
        } else if on {
            SS_ONSTACK
        } else {
            0
        } | (old[1] & SS_AUTODISARM);
        let mut raw = [0u8; 24];
        raw[..8].copy_from_slice(&old[0].to_le_bytes());
        raw[8..12].copy_from_slice(&(flags as u32).to_le_bytes());
        raw[16..].copy_from_slice(&old[2].to_le_bytes());
        g.write_guest(a[1], &raw)?;
    }
    Ok(0)
}

/// `do_sigaltstack` for a new `stack_t`.
fn set_altstack(g: &mut Guest, raw: &[u8; 24], on: bool) -> Result<(), Stop> {
    let sp = u64::from_le_bytes(raw[..8].try_into().expect("8"));
    let flags = u32::from_le_bytes(raw[8..12].try_into().expect("4")) as u64;
    let size = u64::from_le_bytes(raw[16..].try_into().expect("8"));
    if on {
        return Err(Stop::Errno(libc::EPERM));
    }
    let mode = flags & !SS_AUTODISARM;
    if mode != SS_DISABLE && mode != SS_ONSTACK && mode != 0 {
        return Err(Stop::Errno(libc::EINVAL));
    }
    if mode == SS_DISABLE {
        g.signals.altstack = [0, flags, 0];
        return Ok(());
    }
    if size < crate::stack::MINSIGSTKSZ {
        return Err(Stop::Errno(libc::ENOMEM));
    }
    g.signals.altstack = [sp, flags & SS_AUTODISARM, size];
    Ok(())
}

/// `rt_sigreturn`: restores registers, flags, FP state, mask and alternate stack from the frame at sp. A bad
/// frame is a SIGSEGV, as on Linux.
pub fn rt_sigreturn(g: &mut Guest, _a: [u64; 6]) -> SysResult {
    let mem = g.space.mem();
    let saved = g.cpu.clone();
    match frame::pop(&mut g.cpu, &mem) {
        Ok(r) => {
            g.signals.set_mask(r.mask);
            let mut raw = [0u8; 24];
            raw[..8].copy_from_slice(&r.altstack[0].to_le_bytes());
            raw[8..12].copy_from_slice(&(r.altstack[1] as u32).to_le_bytes());
            raw[16..].copy_from_slice(&r.altstack[2].to_le_bytes());
            // restore_altstack: errors other than EFAULT are ignored.
            let on = on_altstack(g);
            let _ = set_altstack(g, &raw, on);
            Ok(g.cpu.x[0])
        }
        Err(frame::BadFrame) => {
            g.cpu = saved;
            let sp = g.cpu.sp;
            match g.raise_fault(
                SIGSEGV,
                SI_KERNEL_CODE,
                0,
                0,
                format_args!("elfrun: rt_sigreturn with a bad signal frame at sp {sp:#x}"),
            ) {
                super::Outcome::Continue => Ok(g.cpu.x[0]),
                super::Outcome::Exit(s) => Err(Stop::Exit(s)),
            }
        }
    }
}

/// `si_code` SI_KERNEL, used by force_sigsegv.
const SI_KERNEL_CODE: i32 = 0x80;

fn own_pid() -> u64 {
    std::process::id() as u64
}

fn own_uid() -> u64 {
    host(libc::SYS_getuid, &mut []).unwrap_or(0)
}

/// A signal the guest sends to itself. Mirrored signals go through the host kernel (so blocking, ignoring,
/// default actions and handlers all behave as the host applies them); the others are queued here.
fn raise_self(g: &mut Guest, sig: u64, code: i32) -> SysResult {
    if sig == 0 {
        return Ok(0);
    }
    let sig = sig_arg(sig)?;
    if mirrored(sig) || sig == SIGKILL || sig == SIGSTOP {
        return if code == SI_USER {
            host(
                libc::SYS_kill,
                &mut [Arg::Int(own_pid()), Arg::Int(sig as u64)],
            )
        } else {
            host(
                libc::SYS_tgkill,
                &mut [
                    Arg::Int(own_pid()),
                    Arg::Int(own_pid()),
                    Arg::Int(sig as u64),
                ],
            )
        };
    }
    if g.signals.disposition(sig) == Disposition::Ignore {
        return Ok(0);
    }
    let info = siginfo(sig, code, own_pid() | (own_uid() << 32), 0);
    g.signals.raise_internal(sig, info);
    Ok(0)
}

pub fn kill(g: &mut Guest, a: [u64; 6]) -> SysResult {
    let pid = a[0] as i64;
    if pid == own_pid() as i64 {
        return raise_self(g, a[1], SI_USER);
    }
    if a[1] > MAX_SIG as u64 {
        return Err(Stop::Errno(libc::EINVAL));
    }
    // Process groups (0, -pgid) and -1 include elfrun itself when the host delivers: the host handler records
    // it like any other arrival; a synchronous signal sent that way reaches only the host's default action.
    host(libc::SYS_kill, &mut [Arg::Int(a[0]), Arg::Int(a[1])])
}

pub fn tkill(g: &mut Guest, a: [u64; 6]) -> SysResult {
    if a[0] == own_pid() {
        return raise_self(g, a[1], SI_TKILL);
    }
    Err(Stop::Errno(libc::ESRCH))
}

pub fn tgkill(g: &mut Guest, a: [u64; 6]) -> SysResult {
    if a[0] == own_pid() && a[1] == own_pid() {
        return raise_self(g, a[2], SI_TKILL);
    }
    Err(Stop::Errno(libc::ESRCH))
}

/// `rt_sigqueueinfo(pid, sig, info)`: like kill with the caller's siginfo (sigqueue's SI_QUEUE and value).
/// The host kernel checks, as Linux does, that a process does not forge kernel `si_code`s for others.
pub fn rt_sigqueueinfo(g: &mut Guest, a: [u64; 6]) -> SysResult {
    let mut info = [0u8; 128];
    g.read_guest(a[2], &mut info)?;
    if a[0] == own_pid() && a[1] != 0 {
        let sig = sig_arg(a[1])?;
        if !mirrored(sig) && sig != SIGKILL && sig != SIGSTOP {
            if g.signals.disposition(sig) != Disposition::Ignore {
                info[..4].copy_from_slice(&(sig as i32).to_le_bytes());
                g.signals.raise_internal(sig, info);
            }
            return Ok(0);
        }
    }
    host(
        libc::SYS_rt_sigqueueinfo,
        &mut [Arg::Int(a[0]), Arg::Int(a[1]), Arg::In(&info)],
    )
}

/// `setitimer(which, new, old)`: `struct itimerval` (two timevals) has the same layout on both ABIs; the
/// host's timer raises the host signal (SIGALRM/SIGVTALRM/SIGPROF), which reaches the guest as any other.
pub fn setitimer(g: &mut Guest, a: [u64; 6]) -> SysResult {
    let new = g.opt_buf(a[1], 32)?;
    let old = g.opt_buf(a[2], 32)?;
    host(libc::SYS_setitimer, &mut [Arg::Int(a[0]), new, old])
}

pub fn getitimer(g: &mut Guest, a: [u64; 6]) -> SysResult {
    let cur = g.buf(a[1], 32)?;
    host(libc::SYS_getitimer, &mut [Arg::Int(a[0]), Arg::Guest(cur)])
}

const SIGEV_THREAD: u32 = 2;

/// `timer_create(clock, sevp, timerid)`: `struct sigevent` (64 bytes) has the same layout on both ABIs.
/// SIGEV_THREAD is done by glibc itself with a helper thread (not supported: guest threads are not).
pub fn timer_create(g: &mut Guest, a: [u64; 6]) -> SysResult {
    if a[1] != 0 {
        let mut ev = [0u8; 64];
        g.read_guest(a[1], &mut ev)?;
        if u32::from_le_bytes(ev[12..16].try_into().expect("4")) == SIGEV_THREAD {
            return Err(Stop::Errno(libc::EINVAL));
        }
    }
    let ev = g.opt_buf(a[1], 64)?;
    let id = g.buf(a[2], 4)?;
    host(
        libc::SYS_timer_create,
        &mut [Arg::Int(a[0]), ev, Arg::Guest(id)],
    )
}

pub fn timer_settime(g: &mut Guest, a: [u64; 6]) -> SysResult {
    let new = g.buf(a[2], 32)?;
    let old = g.opt_buf(a[3], 32)?;
    host(
        libc::SYS_timer_settime,
        &mut [Arg::Int(a[0]), Arg::Int(a[1]), Arg::Guest(new), old],
    )
}

pub fn timer_gettime(g: &mut Guest, a: [u64; 6]) -> SysResult {
    let cur = g.buf(a[1], 32)?;
    host(
        libc::SYS_timer_gettime,
        &mut [Arg::Int(a[0]), Arg::Guest(cur)],
    )
}

pub fn timer_getoverrun(_g: &mut Guest, a: [u64; 6]) -> SysResult {
    host(libc::SYS_timer_getoverrun, &mut [Arg::Int(a[0])])
}

pub fn timer_delete(_g: &mut Guest, a: [u64; 6]) -> SysResult {
    host(libc::SYS_timer_delete, &mut [Arg::Int(a[0])])
}

/// Syscalls Linux never restarts after a handler ran (they return -ERESTARTNOHAND or
/// -ERESTART_RESTARTBLOCK): sleeps, poll/select/epoll waits, signal waits.
fn never_restarted(nr: u64) -> bool {
    matches!(nr, 22 | 72 | 73 | 101 | 115 | 133 | 137)
}

/// A host call of syscall `nr` returned EINTR because a host signal arrived. Decides as Linux's
/// `do_signal` does: with a handler about to run, EINTR unless the handler has SA_RESTART (and the call is a
/// restartable one); with nothing to run (the signal was ignored or stopped the process), restart.
/// Returns true when the syscall must be re-executed.
pub fn restart_after_eintr(g: &Guest, nr: u64) -> bool {
    if nr == 133 {
        return false;
    }
    let ready: SigSet = (g.signals.pending | hostsig::peek_pending()) & !g.signals.mask;
    let next = g.signals.first_not_ignored(ready);
    match next {
        None => !never_restarted(nr),
        Some(sig) => {
            g.signals.disposition(sig) == Disposition::Handler
                && g.signals.actions[sig][1] & SA_RESTART != 0
                && !never_restarted(nr)
        }
    }
}
