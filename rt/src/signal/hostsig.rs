//! The host side of guest signals, and all of its `unsafe`: host dispositions and the host signal mask mirror
//! the guest's, a host handler records arriving signals in an atomic bitmask (async-signal-safe) together with
//! their host `siginfo_t`. (Fatal signals end elfrun through `launch::die_by_signal`, which re-raises the host
//! signal with its default action, so the parent's `wait4` sees "killed by signal N" as for a native process.)
//!
//! Owns: [`PENDING`] and the recorded siginfo, host `sigaction`/`sigprocmask` calls.
//! Must not: know the guest's frame layout or CPU state.

use std::sync::atomic::{AtomicU64, Ordering};

use super::{Disposition, MAX_SIG, SigSet, default_action, sigbit};

/// Signals recorded by the host handler and not yet taken by the run loop (bit `sig - 1`).
static PENDING: AtomicU64 = AtomicU64::new(0);

/// The host `siginfo_t` (128 bytes, the same generic layout on x86-64 and arm64) of the last arrival of each
/// signal, as sixteen words.
static INFO: [[AtomicU64; 16]; MAX_SIG + 1] =
    [const { [const { AtomicU64::new(0) }; 16] }; MAX_SIG + 1];

/// Signals the host delivers synchronously for elfrun's own faults (wasmer's trap handlers live there): the
/// guest's versions of these are raised by the run loop, never mirrored to the host.
pub const SYNCHRONOUS: SigSet = sigbit(4) | sigbit(5) | sigbit(7) | sigbit(8) | sigbit(11);
/// Signals no process can catch, block or ignore.
pub const UNCATCHABLE: SigSet = sigbit(9) | sigbit(19);
/// glibc reserves 32 and 33 (its libc wrappers refuse them), so elfrun keeps them guest-internal too.
pub const LIBC_RESERVED: SigSet = sigbit(32) | sigbit(33);

/// Whether the guest's disposition for `sig` is mirrored onto the host process.
pub fn mirrored(sig: usize) -> bool {
    (1..=MAX_SIG).contains(&sig) && (SYNCHRONOUS | UNCATCHABLE | LIBC_RESERVED) & sigbit(sig) == 0
}

extern "C" fn record(sig: libc::c_int, info: *mut libc::siginfo_t, ctx: *mut libc::c_void) {
    let sig = sig as usize;
    if !(1..=MAX_SIG).contains(&sig) {
        return;
    }
    if !info.is_null() {
        let words = info.cast::<u64>();
        for (i, slot) in INFO[sig].iter().enumerate() {
            // SAFETY: the kernel passes a valid 128-byte siginfo_t to an SA_SIGINFO handler.
            slot.store(unsafe { words.add(i).read_unaligned() }, Ordering::Relaxed);
        }
    }
    PENDING.fetch_or(sigbit(sig), Ordering::Release);
    // SAFETY: the kernel's context pointer of this SA_SIGINFO handler.
    unsafe { crate::host::rewind_unstarted(ctx) };
}

thread_local! {
    /// The signals this thread's guest mask leaves unblocked (kept by [`mirror_mask`]).
    static UNBLOCKED: std::cell::Cell<SigSet> = const { std::cell::Cell::new(SigSet::MAX) };
}

/// Notes the guest mask the host mask mirrors, for [`syscall_unless_signalled`].
pub fn track_mask(mask: SigSet) {
    UNBLOCKED.set(!mask);
}

/// A blocking host syscall (read, wait4, nanosleep …) that a guest signal arriving just before it cannot
/// miss: `Err(host::NOT_STARTED)` without making it if a signal the guest mask leaves unblocked was recorded
/// up to the moment the kernel would have been entered (the run loop then delivers it and the guest
/// re-executes the call, as if the signal had come before it); EINTR if one interrupts the wait.
pub fn syscall_unless_signalled(
    nr: libc::c_long,
    args: &mut [crate::host::Arg<'_>],
) -> Result<u64, i32> {
    crate::host::syscall_unless_signalled(nr, args, &PENDING, UNBLOCKED.get())
}

/// Takes (clears and returns) the signals recorded by the host handler among `want`.
pub fn take_pending(want: SigSet) -> SigSet {
    if PENDING.load(Ordering::Relaxed) & want == 0 {
        return 0;
    }
    PENDING.fetch_and(!want, Ordering::Acquire) & want
}

/// Recorded but not yet taken.
pub fn peek_pending() -> SigSet {
    PENDING.load(Ordering::Acquire)
}

/// Puts a taken signal back (it was blocked after all).
pub fn put_back(set: SigSet) {
    PENDING.fetch_or(set, Ordering::Release);
}

/// Forgets everything recorded (a forked child starts with no pending signals).
pub fn clear_pending() {
    PENDING.store(0, Ordering::Release);
}

/// The host siginfo recorded for `sig` (128 bytes).
pub fn recorded_info(sig: usize) -> [u8; 128] {
    let mut out = [0u8; 128];
    for (i, slot) in INFO[sig.min(MAX_SIG)].iter().enumerate() {
        out[i * 8..i * 8 + 8].copy_from_slice(&slot.load(Ordering::Relaxed).to_le_bytes());
    }
    out
}

/// Sets the host disposition of `sig` to match the guest's: ignored stays ignored in the kernel (and across
/// execve), the default action stays the kernel's where it is terminate, stop or ignore, and everything else —
/// a guest handler, or a default action that dumps core (elfrun reports those itself, without a core file) —
/// is recorded by the host handler for the run loop. Returns false when the host refused.
pub fn mirror_disposition(sig: usize, d: Disposition) -> bool {
    if !mirrored(sig) {
        return true;
    }
    let record_it = match d {
        Disposition::Ignore => false,
        Disposition::Handler => true,
        Disposition::Default => default_action(sig) == super::Action::Core,
    };
    // SAFETY: a zeroed sigaction is valid; the handler is an `extern "C"` fn with the SA_SIGINFO signature and
    // only touches atomics.
    unsafe {
        let mut sa: libc::sigaction = std::mem::zeroed();
        sa.sa_sigaction = if record_it {
            record as *const () as usize
        } else if d == Disposition::Ignore {
            libc::SIG_IGN
        } else {
            libc::SIG_DFL
        };
        // No SA_RESTART: a blocking host call returns EINTR, and the syscall layer decides whether the guest
        // sees EINTR or a restart (the guest's SA_RESTART).
        sa.sa_flags = libc::SA_SIGINFO;
        libc::sigfillset(&mut sa.sa_mask);
        libc::sigaction(sig as libc::c_int, &sa, std::ptr::null_mut()) == 0
    }
}

/// The host disposition of `sig` when elfrun started (to inherit SIG_IGN across execve, as Linux does).
pub fn inherited_ignored(sig: usize) -> bool {
    if !mirrored(sig) {
        return false;
    }
    // SAFETY: querying with a null new action only writes `old`.
    unsafe {
        let mut old: libc::sigaction = std::mem::zeroed();
        libc::sigaction(sig as libc::c_int, std::ptr::null(), &mut old) == 0
            && old.sa_sigaction == libc::SIG_IGN
    }
}

fn to_host_set(mask: SigSet) -> libc::sigset_t {
    // SAFETY: sigemptyset initialises the set; sigaddset only writes inside it.
    unsafe {
        let mut s: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut s);
        for sig in 1..=MAX_SIG {
            if mask & sigbit(sig) != 0 && mirrored(sig) {
                libc::sigaddset(&mut s, sig as libc::c_int);
            }
        }
        s
    }
}

/// Makes the host signal mask the guest's (for the mirrored signals), so a blocked signal stays pending in the
/// host kernel — including one whose default action would end elfrun.
pub fn mirror_mask(mask: SigSet) {
    track_mask(mask);
    let s = to_host_set(mask);
    // SAFETY: valid set pointer, null old set.
    unsafe { libc::pthread_sigmask(libc::SIG_SETMASK, &s, std::ptr::null_mut()) };
}

/// The host mask when elfrun started (inherited from the parent; the guest starts with it).
pub fn inherited_mask() -> SigSet {
    // SAFETY: a null new set only queries.
    let mut cur: libc::sigset_t = unsafe { std::mem::zeroed() };
    unsafe { libc::pthread_sigmask(libc::SIG_SETMASK, std::ptr::null(), &mut cur) };
    let mut out = 0;
    for sig in 1..=MAX_SIG {
        // SAFETY: `cur` was filled by the kernel.
        if mirrored(sig) && unsafe { libc::sigismember(&cur, sig as libc::c_int) } == 1 {
            out |= sigbit(sig);
        }
    }
    out
}

/// Signals pending in the host kernel (blocked there) among the mirrored ones.
pub fn host_sigpending() -> SigSet {
    let mut cur: libc::sigset_t = unsafe { std::mem::zeroed() };
    // SAFETY: `cur` is a valid out-pointer.
    if unsafe { libc::sigpending(&mut cur) } != 0 {
        return 0;
    }
    let mut out = 0;
    for sig in 1..=MAX_SIG {
        // SAFETY: `cur` was filled by the kernel.
        if mirrored(sig) && unsafe { libc::sigismember(&cur, sig as libc::c_int) } == 1 {
            out |= sigbit(sig);
        }
    }
    out
}

/// Every mirrored signal blocked in the host until this is dropped (the previous mask then comes back): a
/// signal that arrives meanwhile stays pending in the kernel, for a wait that unblocks it atomically (ppoll's
/// and pselect6's own sigmask argument, [`suspend_until`]).
pub struct AllBlocked(libc::sigset_t);

/// Blocks every mirrored signal in the host until the guard is dropped.
pub fn block_all() -> AllBlocked {
    let all = to_host_set(SigSet::MAX);
    // SAFETY: plain zeroed sigset_t, filled by the kernel.
    let mut old: libc::sigset_t = unsafe { std::mem::zeroed() };
    // SAFETY: valid set pointers.
    unsafe { libc::pthread_sigmask(libc::SIG_BLOCK, &all, &mut old) };
    AllBlocked(old)
}

impl std::fmt::Debug for AllBlocked {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AllBlocked")
    }
}

impl Drop for AllBlocked {
    fn drop(&mut self) {
        // SAFETY: valid set pointer, null old set.
        unsafe { libc::pthread_sigmask(libc::SIG_SETMASK, &self.0, std::ptr::null_mut()) };
    }
}

/// `mask` as the kernel's 8-byte signal set of rt_* syscalls (ppoll's and pselect6's sigmask), the mirrored
/// signals only.
pub fn kernel_set(mask: SigSet) -> [u8; 8] {
    // The mirrored signals: all 64 but these (see `mirrored`).
    (mask & !(SYNCHRONOUS | UNCATCHABLE | LIBC_RESERVED)).to_le_bytes()
}

/// The guest's rt_sigsuspend: waits with the host mask `mask` until `ready` (which looks at what the host handler
/// recorded) says so, testing it first. Every mirrored signal is blocked while `ready` runs and `sigsuspend` unblocks
/// them atomically with the wait, so a signal that arrives between the test and the wait is not lost (it would have
/// been recorded just after the test, and the wait would then sleep until the next one: bash's `wait -n` hung on its
/// SIGCHLD this way). The host mask is what it was on return.
pub fn suspend_until(mask: SigSet, mut ready: impl FnMut() -> bool) {
    let wait = to_host_set(mask);
    let _blocked = block_all();
    while !ready() {
        // SAFETY: valid set pointer; returns after a handler ran.
        unsafe { libc::sigsuspend(&wait) };
    }
}

/// Applies a stop signal's default action to elfrun itself (returns after SIGCONT).
pub fn stop_self(sig: usize) {
    // SAFETY: plain libc call; the host disposition of a stop signal is SIG_DFL unless the guest caught it.
    unsafe { libc::kill(libc::getpid(), sig as libc::c_int) };
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;
    use std::time::Duration;

    /// A signal that arrives just after `ready` found nothing (raised from inside it here) must end the wait:
    /// it stays pending in the kernel until `sigsuspend` unblocks it. With the signals unblocked while
    /// `ready` runs, the handler records it at once and the wait then sleeps until some later signal — this
    /// thread never returns and the test fails after a minute.
    #[test]
    fn a_signal_arriving_after_the_test_ends_the_wait() {
        let usr2 = libc::SIGUSR2 as usize;
        assert!(mirror_disposition(usr2, Disposition::Handler));
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut calls = 0;
            suspend_until(0, || {
                calls += 1;
                if calls == 1 {
                    // SAFETY: raise(3) sends to this thread; the handler only touches atomics.
                    unsafe { libc::raise(usr2 as libc::c_int) };
                    return false;
                }
                take_pending(sigbit(usr2)) != 0
            });
            tx.send(calls).unwrap();
        });
        assert_eq!(rx.recv_timeout(Duration::from_secs(60)), Ok(2));
    }
}
