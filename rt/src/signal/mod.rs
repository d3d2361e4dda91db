//! Guest signals: dispositions, the mask, pending signals and their delivery at safe points.
//!
//! A signal reaches the guest from three places: the host (a host handler records it, see [`hostsig`]), the
//! guest itself (kill/tgkill of itself of a synchronous or glibc-reserved signal, kept here as
//! [`Signals::pending`]), or a fault of the guest's own code ([`Guest::raise_fault`]). The run loop calls
//! [`Guest::deliver_pending`] after every syscall and every instruction budget: it builds an `rt_sigframe`
//! ([`frame`]) for a handler, or applies the default action (terminate/core end the guest with
//! [`Guest::killed`], and `main` re-raises the host signal so the parent's `wait4` sees it; ignore; stop is
//! done by the host kernel).
//!
//! Owns: [`Signals`], delivery order, the return trampoline page. Syscalls live in [`calls`].

pub mod calls;
pub mod frame;
pub mod hostsig;

use crate::guest::Guest;
use crate::host::{PAGE, SPACE_END};
use crate::vm::{Kind, PROT_EXEC, PROT_READ};

/// Highest signal number.
pub const MAX_SIG: usize = 64;

/// A set of signals, bit `sig - 1` (the kernel's `sigset_t` on arm64).
pub type SigSet = u64;

pub const fn sigbit(sig: usize) -> SigSet {
    1 << (sig - 1)
}

pub const SIGILL: usize = 4;
pub const SIGTRAP: usize = 5;
pub const SIGBUS: usize = 7;
pub const SIGKILL: usize = 9;
pub const SIGSEGV: usize = 11;
pub const SIGSTOP: usize = 19;

pub const SA_SIGINFO: u64 = 4;
pub const SA_RESTORER: u64 = 0x0400_0000;
pub const SA_ONSTACK: u64 = 0x0800_0000;
pub const SA_RESTART: u64 = 0x1000_0000;
pub const SA_NODEFER: u64 = 0x4000_0000;
pub const SA_RESETHAND: u64 = 0x8000_0000;

pub const SS_ONSTACK: u64 = 1;
pub const SS_DISABLE: u64 = 2;
pub const SS_AUTODISARM: u64 = 1 << 31;

/// `si_code` values.
pub const SI_USER: i32 = 0;
pub const SI_TKILL: i32 = -6;

/// What the guest asked for, as far as delivery cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disposition {
    Default,
    Ignore,
    Handler,
}

/// A signal's default action (signal(7)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Terminate,
    Core,
    Ignore,
    Stop,
}

pub fn default_action(sig: usize) -> Action {
    match sig {
        3 | 4 | 5 | 6 | 7 | 8 | 11 | 24 | 25 | 31 => Action::Core,
        17 | 18 | 23 | 28 => Action::Ignore,
        19..=22 => Action::Stop,
        _ => Action::Terminate,
    }
}

/// Signal dispositions, mask and pending signals of the guest.
#[derive(Debug, Clone)]
pub struct Signals {
    /// Raw arm64 `struct sigaction` (handler, flags, restorer, mask) per signal 1..=64 (index 0 unused).
    pub actions: [[u64; 4]; 65],
    pub mask: SigSet,
    /// `stack_t` (sp, flags, size) as set by sigaltstack.
    pub altstack: [u64; 3],
    /// Signals raised inside elfrun (self-sent synchronous or glibc-reserved ones), with their siginfo.
    pub pending: SigSet,
    pub pending_info: Vec<(usize, [u8; 128])>,
    /// Mask to put in the next frame instead of `mask` (rt_sigsuspend's caller mask).
    pub saved_mask: Option<SigSet>,
    /// Address of the `mov x8, #139; svc #0` page, once mapped.
    pub trampoline: u64,
}

impl Default for Signals {
    fn default() -> Self {
        Signals {
            actions: [[0; 4]; 65],
            mask: 0,
            altstack: [0, SS_DISABLE, 0],
            pending: 0,
            pending_info: Vec::new(),
            saved_mask: None,
            trampoline: 0,
        }
    }
}

impl Signals {
    /// The state a freshly exec'd process has: ignored signals and the mask inherited from the host process.
    pub fn inherited() -> Signals {
        let mut s = Signals::default();
        for sig in 1..=MAX_SIG {
            if hostsig::inherited_ignored(sig) {
                s.actions[sig][0] = 1;
            } else if default_action(sig) == Action::Core {
                // Caught, then re-raised without a core file (`launch::die_by_signal`).
                hostsig::mirror_disposition(sig, Disposition::Default);
            }
        }
        s.mask = hostsig::inherited_mask();
        hostsig::track_mask(s.mask);
        s
    }

    pub fn disposition(&self, sig: usize) -> Disposition {
        match self.actions[sig][0] {
            0 => Disposition::Default,
            1 => Disposition::Ignore,
            _ => Disposition::Handler,
        }
    }

    /// The lowest-numbered signal of `set` that is not ignored (one whose arrival does something).
    pub fn first_not_ignored(&self, set: SigSet) -> Option<usize> {
        (1..=MAX_SIG).find(|&s| set & sigbit(s) != 0 && !self.is_ignored(s))
    }

    /// Whether `sig` would do nothing at all if it arrived now (ignored explicitly or by default).
    pub fn is_ignored(&self, sig: usize) -> bool {
        match self.disposition(sig) {
            Disposition::Ignore => true,
            Disposition::Default => default_action(sig) == Action::Ignore,
            Disposition::Handler => false,
        }
    }

    /// Sets the guest mask (SIGKILL and SIGSTOP can never be blocked) and mirrors it onto the host.
    pub fn set_mask(&mut self, mask: SigSet) {
        self.mask = mask & !(sigbit(SIGKILL) | sigbit(SIGSTOP));
        hostsig::mirror_mask(self.mask);
    }

    /// Every signal pending for the guest (raised inside elfrun, recorded from the host, or blocked in the host
    /// kernel).
    pub fn all_pending(&self) -> SigSet {
        self.pending | hostsig::peek_pending() | hostsig::host_sigpending()
    }

    /// Queues a signal raised inside elfrun; a standard signal already pending is not queued twice.
    pub fn raise_internal(&mut self, sig: usize, info: [u8; 128]) {
        if self.pending & sigbit(sig) != 0 && sig < 32 {
            return;
        }
        self.pending |= sigbit(sig);
        self.pending_info.push((sig, info));
    }

    /// Removes one instance of a signal raised inside elfrun, with its siginfo.
    fn take_internal(&mut self, sig: usize) -> Option<[u8; 128]> {
        let i = self.pending_info.iter().position(|(s, _)| *s == sig)?;
        let (_, info) = self.pending_info.remove(i);
        if !self.pending_info.iter().any(|(s, _)| *s == sig) {
            self.pending &= !sigbit(sig);
        }
        Some(info)
    }

    /// Dequeues the lowest-numbered deliverable signal among `want`: (signal, siginfo).
    pub fn dequeue(&mut self, want: SigSet) -> Option<(usize, [u8; 128])> {
        let internal = self.pending & want;
        let host = hostsig::peek_pending() & want;
        let both = internal | host;
        if both == 0 {
            return None;
        }
        let sig = both.trailing_zeros() as usize + 1;
        if internal & sigbit(sig) != 0 {
            return self.take_internal(sig).map(|i| (sig, i));
        }
        hostsig::take_pending(sigbit(sig));
        let mut info = hostsig::recorded_info(sig);
        // Keep the number the guest knows even if the record was overwritten by a race.
        info[..4].copy_from_slice(&(sig as i32).to_le_bytes());
        Some((sig, info))
    }
}

/// A `siginfo_t` with signo, code and the first union words (pid/uid or address).
pub fn siginfo(sig: usize, code: i32, word0: u64, word1: u64) -> [u8; 128] {
    let mut b = [0u8; 128];
    b[..4].copy_from_slice(&(sig as i32).to_le_bytes());
    b[8..12].copy_from_slice(&code.to_le_bytes());
    b[16..24].copy_from_slice(&word0.to_le_bytes());
    b[24..32].copy_from_slice(&word1.to_le_bytes());
    b
}

/// What the run loop does after a delivery attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Continue,
    Exit(i32),
}

/// `mov x8, #139` (rt_sigreturn); `svc #0`.
const TRAMPOLINE: [u32; 2] = [0xd280_1168, 0xd400_0001];

impl Guest {
    /// Delivers every deliverable pending signal (each handler's frame on top of the previous one, as Linux
    /// does), or applies its default action.
    pub fn deliver_pending(&mut self) -> Outcome {
        loop {
            let want = !self.signals.mask;
            let next = if (self.signals.pending | hostsig::peek_pending()) & want == 0 {
                None
            } else {
                self.signals.dequeue(want)
            };
            let Some((sig, info)) = next else {
                if let Some(m) = self.signals.saved_mask.take() {
                    self.signals.set_mask(m);
                }
                return Outcome::Continue;
            };
            if let Outcome::Exit(s) = self.deliver(sig, &info, 0) {
                return Outcome::Exit(s);
            }
        }
    }

    /// Runs the action for one signal: a handler frame, or the default action.
    fn deliver(&mut self, sig: usize, info: &[u8; 128], fault_address: u64) -> Outcome {
        match self.signals.disposition(sig) {
            Disposition::Ignore => Outcome::Continue,
            Disposition::Default => match default_action(sig) {
                Action::Ignore => Outcome::Continue,
                Action::Stop => {
                    hostsig::stop_self(sig);
                    Outcome::Continue
                }
                Action::Terminate | Action::Core => Outcome::Exit(self.killed(sig as i32)),
            },
            Disposition::Handler => {
                if self.push_handler_frame(sig, info, fault_address).is_err() {
                    // force_sigsegv: the frame could not be written.
                    eprintln!(
                        "elfrun: cannot write the signal frame for signal {sig} (sp {:#x})",
                        self.cpu.sp
                    );
                    return Outcome::Exit(self.killed(SIGSEGV as i32));
                }
                Outcome::Continue
            }
        }
    }

    fn push_handler_frame(
        &mut self,
        sig: usize,
        info: &[u8; 128],
        fault: u64,
    ) -> Result<(), frame::BadFrame> {
        let [handler, flags, restorer, sa_mask] = self.signals.actions[sig];
        let return_to = if flags & SA_RESTORER != 0 {
            restorer
        } else {
            self.trampoline()
        };
        let sp = self.cpu.sp;
        let alt = self.signals.altstack;
        let on_alt = alt[2] != 0 && sp > alt[0] && sp - alt[0] <= alt[2];
        let alt_flags = if alt[2] == 0 || alt[1] & SS_DISABLE != 0 {
            SS_DISABLE
        } else if on_alt {
            SS_ONSTACK
        } else {
            0
        } | (alt[1] & SS_AUTODISARM);
        let use_alt = flags & SA_ONSTACK != 0 && alt_flags & (SS_DISABLE | SS_ONSTACK) == 0;
        let stack_top = if use_alt {
            alt[0].wrapping_add(alt[2])
        } else {
            sp
        };
        let old_mask = self.signals.saved_mask.take().unwrap_or(self.signals.mask);
        let mem = self.space.mem();
        frame::push(
            &mut self.cpu,
            &mem,
            &frame::FrameInput {
                signo: sig,
                info,
                mask: old_mask,
                altstack: [alt[0], alt_flags, alt[2]],
                fault_address: fault,
                stack_top,
                return_to,
                handler,
                siginfo_args: flags & SA_SIGINFO != 0,
            },
        )?;
        if alt[1] & SS_AUTODISARM != 0 {
            self.signals.altstack = [0, SS_DISABLE, 0];
        }
        let mut mask = self.signals.mask | sa_mask;
        if flags & SA_NODEFER == 0 {
            mask |= sigbit(sig);
        }
        self.signals.set_mask(mask);
        if flags & SA_RESETHAND != 0 {
            self.signals.actions[sig] = [0; 4];
            hostsig::mirror_disposition(sig, Disposition::Default);
        }
        Ok(())
    }

    /// The return trampoline (mapped on first use at the top of the space, in the guard above the stack,
    /// like the vDSO's `__kernel_rt_sigreturn`).
    fn trampoline(&mut self) -> u64 {
        if self.signals.trampoline == 0 {
            let at = SPACE_END - PAGE;
            self.space
                .map_fixed(at, SPACE_END, PROT_READ | PROT_EXEC, Kind::Anon);
            let mem = self.space.mem();
            for (i, w) in TRAMPOLINE.iter().enumerate() {
                let _ = mem.store(at + 4 * i as u64, *w as u64, 4);
            }
            for (start, len) in self.space.take_code_changes() {
                self.invalidate_code(start, len);
            }
            self.signals.trampoline = at;
        }
        self.signals.trampoline
    }

    /// A fault of the guest's own code (SIGSEGV, SIGBUS, SIGILL, SIGTRAP): delivered to its handler like
    /// Linux's force_sig_fault — if blocked or ignored, the default action is forced. `report` is the one-line
    /// message printed when the signal ends the process.
    pub fn raise_fault(
        &mut self,
        sig: usize,
        code: i32,
        addr: u64,
        fault_address: u64,
        report: std::fmt::Arguments<'_>,
    ) -> Outcome {
        let blocked = self.signals.mask & sigbit(sig) != 0;
        if blocked || self.signals.disposition(sig) != Disposition::Handler {
            eprintln!("{report}");
            self.signals.actions[sig] = [0; 4];
            return Outcome::Exit(self.killed(sig as i32));
        }
        let info = siginfo(sig, code, addr, 0);
        self.deliver(sig, &info, fault_address)
    }
}
