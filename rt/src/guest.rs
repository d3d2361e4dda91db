//! One guest process: its CPU state, address space, block cache and kernel-side bookkeeping, and the run loop
//! that turns interpreter exits into syscalls or into the fatal signals a shell would report.
//!
//! Owns: process start-up (load + stack), the run loop, and the exit statuses of fatal signals (128 + signal
//! number). Must not: implement individual syscalls (see [`crate::syscall`]).

use std::collections::HashSet;
use std::ffi::OsString;
use std::os::fd::OwnedFd;
use std::path::PathBuf;

use elfrun_aot::abi::Status;
use elfrun_interp::eval::FaultKind;
use elfrun_interp::eval::{self, RunStats};
use elfrun_interp::{BlockCache, CpuState, Exit};

use crate::error::RtError;
use crate::host::HostMemory;
use crate::jail::Jail;
pub use crate::signal::Signals;
use crate::signal::{Outcome, SIGBUS, SIGILL, SIGSEGV, SIGTRAP};
use crate::syscall::{self, Flow};
use crate::vm::AddressSpace;
use crate::{loader, stack};

/// Instructions run between checks for pending asynchronous events (signals from the host, timers).
const BUDGET: u64 = 1 << 16;
/// Floating-point slow-path hand-backs at one pc after which the interpreter runs [`FALLBACK_STRETCH`]
/// instructions before lifted code is entered again (see `Guest::step_aot`).
const HOT_FALLBACK: u64 = 64;
const FALLBACK_STRETCH: u64 = 512;

/// What the program should look like to itself.
#[derive(Debug, Clone)]
pub struct Program {
    /// The program's path as the guest names it (as given, after PATH search): AT_EXECFN.
    pub path: PathBuf,
    /// The host path elfrun reads the program from: `path`, or under `--root` `/proc/self/fd/N` of the file
    /// the jail resolved (held open by `opened`), so nothing can swap it between resolution and loading.
    pub file: PathBuf,
    pub opened: Option<std::sync::Arc<OwnedFd>>,
    /// Absolute path (what /proc/self/exe resolves to; inside the jail under `--root`).
    pub exe: PathBuf,
    pub argv: Vec<Vec<u8>>,
    pub envp: Vec<Vec<u8>>,
}

/// A running guest process.
#[derive(Debug)]
pub struct Guest {
    pub cpu: CpuState,
    pub space: AddressSpace,
    pub cache: BlockCache,
    pub exe: PathBuf,
    pub signals: Signals,
    /// Print one line per syscall to stderr.
    pub strace: bool,
    /// Unknown syscall numbers (and ioctl/prctl requests) already warned about.
    pub warned: HashSet<u64>,
    pub clear_child_tid: u64,
    pub robust_list: u64,
    /// PR_SET_NAME.
    pub comm: [u8; 16],
    pub stats: RunStats,
    /// elfrun options an exec of another AArch64 program passes on to the new elfrun (`--strace`, `-v`, …).
    pub exec_flags: Vec<OsString>,
    /// In a child created by vfork: the write end of the pipe the parent waits on (closed on exec or exit).
    pub vfork_done: Option<OwnedFd>,
    /// The signal that ended the guest, if one did: elfrun then dies of it too, so a waiting parent sees it.
    pub fatal_signal: Option<i32>,
    /// Profile recording (`elfrun --record`), if on.
    pub recording: Option<Box<crate::record::Recording>>,
    /// The program's bundle (AOT tier), if one is in use.
    pub aot: Option<Box<crate::tier::Aot>>,
    /// `--tier auto`: the checked bundle loaded once the guest has run long enough (see
    /// [`crate::tier::load_after`]).
    pub deferred_aot: Option<Box<crate::tier::Deferred>>,
    /// System calls made (for `--stats`).
    pub syscalls: u64,
    /// `--root DIR`: every guest path is resolved inside DIR.
    pub jail: Option<Jail>,
}

impl Guest {
    /// Loads `prog` into a fresh address space and builds its initial stack.
    pub fn start(prog: &Program, strace: bool) -> Result<Guest, RtError> {
        let mut space = AddressSpace::new(HostMemory::new()?);
        let image = loader::load(&prog.file, &mut space)?;
        let execfn = prog.path.as_os_str().as_encoded_bytes();
        let sp = stack::build(
            &mut space,
            &image,
            &stack::StackInput {
                argv: &prog.argv,
                envp: &prog.envp,
                execfn,
            },
        )?;
        let mut g = Guest::with_space(space, prog.exe.clone(), strace);
        g.cpu.pc = image.entry;
        g.cpu.sp = sp;
        Ok(g)
    }

    /// Sets the command name (`comm`) of the guest and of the host process that runs it: the kernel's task
    /// name, which other processes read in `/proc/PID/comm` (busybox's ash tests, `ps`, `pidof`). At most 15
    /// bytes are kept, as Linux does.
    pub fn set_comm(&mut self, name: &[u8]) {
        let mut comm = [0u8; 16];
        let name = &name[..name.iter().position(|&b| b == 0).unwrap_or(name.len())];
        let n = name.len().min(15);
        comm[..n].copy_from_slice(&name[..n]);
        self.comm = comm;
        crate::host::set_host_comm(&comm);
    }

    /// A guest around an already prepared address space (CPU state at its defaults).
    pub fn with_space(mut space: AddressSpace, exe: PathBuf, strace: bool) -> Guest {
        let mut comm = [0u8; 16];
        if let Some(name) = exe.file_name() {
            let b = name.as_encoded_bytes();
            let n = b.len().min(15);
            comm[..n].copy_from_slice(&b[..n]);
        }
        space.take_code_changes();
        Guest {
            cpu: CpuState::default(),
            space,
            cache: BlockCache::new(),
            exe,
            signals: Signals::inherited(),
            strace,
            warned: HashSet::new(),
            clear_child_tid: 0,
            robust_list: 0,
            comm,
            stats: RunStats::default(),
            exec_flags: if strace {
                vec!["--strace".into()]
            } else {
                Vec::new()
            },
            vfork_done: None,
            fatal_signal: None,
            recording: None,
            aot: None,
            deferred_aot: None,
            syscalls: 0,
            jail: None,
        }
    }

    /// Records that signal `sig` ended the guest; returns the status a shell reports for it (128 + sig).
    pub fn killed(&mut self, sig: i32) -> i32 {
        self.fatal_signal = Some(sig);
        128 + sig
    }

    /// Runs until the guest exits; returns its exit status (128 + signal for fatal signals, which are also
    /// recorded in `fatal_signal`: `main` then ends elfrun with that signal, so the parent sees it).
    pub fn run(&mut self) -> i32 {
        elfrun_interp::cpu_model::set_counter_source(crate::host::monotonic_ns);
        loop {
            if self
                .deferred_aot
                .as_ref()
                .is_some_and(|d| self.stats.instructions >= d.after)
            {
                self.load_deferred_aot();
            }
            let exit = match self.aot.is_some() {
                true => match self.step_aot() {
                    Ok(exit) => exit,
                    Err(status) => return status,
                },
                false => self.interpret(BUDGET),
            };
            let outcome = match exit {
                Exit::Syscall => {
                    self.syscalls += 1;
                    match syscall::dispatch(self) {
                        Flow::Exit(status) => return status,
                        Flow::Continue => Outcome::Continue,
                    }
                }
                Exit::Budget => Outcome::Continue,
                Exit::CodeInvalidated { addr } => {
                    let line = elfrun_interp::cpu_model::ICACHE_LINE;
                    self.invalidate_code(addr & !(line - 1), line);
                    Outcome::Continue
                }
                Exit::Undefined { .. } | Exit::FetchFault
                    if !self
                        .space
                        .is_mapped(self.cpu.pc, self.cpu.pc.saturating_add(4)) =>
                {
                    // Executing where nothing is mapped: Linux raises SIGSEGV on the fetch.
                    self.fetch_fault()
                }
                Exit::FetchFault => self.fetch_fault(),
                Exit::Undefined { word } => {
                    let pc = self.cpu.pc;
                    self.raise_fault(
                        SIGILL,
                        ILL_ILLOPC,
                        pc,
                        0,
                        format_args!(
                            "elfrun: illegal instruction at {}",
                            elfrun_interp::decode::describe(pc, word)
                        ),
                    )
                }
                Exit::Fault(f) => {
                    let pc = self.cpu.pc;
                    match f.kind {
                        FaultKind::Misaligned => self.raise_fault(
                            SIGBUS,
                            BUS_ADRALN,
                            f.addr,
                            f.addr,
                            format_args!(
                                "elfrun: bus error (misaligned access) at address {:#x} (pc {pc:#x})",
                                f.addr
                            ),
                        ),
                        FaultKind::Unmapped => self.raise_fault(
                            SIGSEGV,
                            SEGV_MAPERR,
                            f.addr,
                            f.addr,
                            format_args!(
                                "elfrun: segmentation fault at address {:#x} (pc {pc:#x})",
                                f.addr
                            ),
                        ),
                    }
                }
                Exit::Breakpoint { imm } => {
                    let pc = self.cpu.pc;
                    self.raise_fault(
                        SIGTRAP,
                        TRAP_BRKPT,
                        pc,
                        0,
                        format_args!("elfrun: trace/breakpoint trap (brk #{imm:#x}) at pc {pc:#x}"),
                    )
                }
            };
            if let Outcome::Exit(status) = outcome {
                return status;
            }
            if let Outcome::Exit(status) = self.deliver_pending() {
                return status;
            }
        }
    }

    /// Runs the interpreter from `cpu.pc` for about `budget` instructions (at least one block).
    fn interpret(&mut self, budget: u64) -> Exit {
        let mem = self.space.mem();
        let (cpu, cache, stats) = (&mut self.cpu, &mut self.cache, &mut self.stats);
        match self.recording.as_deref_mut() {
            None => eval::run(cpu, mem, cache, budget, stats),
            Some(r) => eval::run_with(cpu, mem, cache, budget, stats, &mut r.counters),
        }
    }

    /// One step in the AOT tier: lifted code if the bundle has an entry at pc (until it needs the host), else
    /// the interpreter for one block. `Err(status)`: lifted code failed, the guest is ended with `status`.
    fn step_aot(&mut self) -> Result<Exit, i32> {
        let Some(aot) = self.aot.as_deref_mut() else {
            return Ok(self.interpret(BUDGET));
        };
        if aot.has_entry(self.cpu.pc) {
            let status = if aot.lockstep.is_some() {
                self.run_aot_lockstep()
            } else {
                let mem = self.space.mem();
                aot.run(&mut self.cpu, self.space.host_mut(), mem)
            };
            match status {
                Ok(Status::Syscall) => return Ok(Exit::Syscall),
                Ok(Status::Budget) => return Ok(Exit::Budget),
                // A pc the bundle has no code for, or an instruction left to the interpreter.
                Ok(Status::Continue) => {}
                // An instruction left to the interpreter: a miss too, so the next build knows this pc hands
                // control back.
                Ok(Status::Interp) => {
                    tracing::trace!("AOT fallback at {:#x}", self.cpu.pc);
                    if let Some(aot) = self.aot.as_deref_mut() {
                        aot.note_miss(self.cpu.pc);
                    }
                }
                // A floating-point slow path taken in a loop: the next build calls the helper there. Where it
                // is taken again and again (a non-default rounding mode, denormal data), going back and forth
                // per instruction costs more than interpreting the loop: once the pc is hot the interpreter
                // runs a longer stretch before lifted code is tried again. (Not for other hand-backs: an
                // instruction no build can lift stays one short trip out of a loop that is otherwise lifted.)
                Ok(Status::FpSlow) => {
                    tracing::trace!("AOT floating-point slow path at {:#x}", self.cpu.pc);
                    let pc = self.cpu.pc;
                    if let Some(aot) = self.aot.as_deref_mut()
                        && aot.note_miss(pc) > HOT_FALLBACK
                    {
                        return Ok(self.interpret(FALLBACK_STRETCH));
                    }
                }
                Err(e) if e.starts_with("lockstep: ") => {
                    eprintln!("elfrun: {e}");
                    return Err(self.killed(libc::SIGABRT));
                }
                Err(e) => {
                    eprintln!("elfrun: internal error in the AOT tier: {e}");
                    return Err(self.killed(libc::SIGABRT));
                }
            }
        } else if self.recording.is_none() {
            // Code the bundle does not have: the interpreter runs it until control reaches lifted code again,
            // noting every block it runs as a miss so the next build covers it. (Coming back here for every
            // block cost more than the interpreting: busybox bc, not in the bundle's profile, ran 9.6 s with the
            // bundle against 4.2 s in the interpreter alone.)
            let mem = self.space.mem();
            let mut rec = aot.miss_recorder();
            return Ok(eval::run_with(
                &mut self.cpu,
                mem,
                &mut self.cache,
                BUDGET,
                &mut self.stats,
                &mut rec,
            ));
        } else {
            // While recording, the recorder sees every block: one at a time here, noted as a miss too.
            aot.note_miss(self.cpu.pc);
        }
        Ok(self.interpret(1))
    }

    /// Loads the deferred bundle (its compiled module from the artifact cache, or compiled now). A failure is
    /// reported as `--tier auto` reports an unusable bundle, and the interpreter goes on.
    fn load_deferred_aot(&mut self) {
        let Some(d) = self.deferred_aot.take() else {
            return;
        };
        let started = std::time::Instant::now();
        let mem = self.space.mem();
        match crate::tier::Aot::load(&d.read, self.space.host_mut(), mem) {
            Ok(mut aot) => {
                aot.stats.load_ms = d.checked_ms + started.elapsed().as_secs_f64() * 1e3;
                tracing::debug!(
                    instructions = self.stats.instructions,
                    "bundle loaded: {:.1} ms",
                    aot.stats.load_ms
                );
                self.aot = Some(Box::new(aot));
            }
            Err(e) => eprintln!("elfrun: {e}; running in the interpreter"),
        }
    }

    /// Code in `start..start + len` may have changed: drop decoded blocks, and the bundle if it covers any of it
    /// (lifted functions branch inside themselves without asking, so they cannot be patched piecemeal).
    pub fn invalidate_code(&mut self, start: u64, len: u64) {
        self.cache.invalidate(start, len);
        if self
            .deferred_aot
            .as_ref()
            .is_some_and(|d| d.overlaps(start, len))
        {
            tracing::info!("code at {start:#x} changed: the bundle will not be loaded");
            self.deferred_aot = None;
        }
        if self.aot.as_ref().is_some_and(|a| a.overlaps(start, len)) {
            tracing::info!("code at {start:#x} changed: leaving the AOT tier");
            self.aot = None;
        }
    }

    fn fetch_fault(&mut self) -> Outcome {
        let pc = self.cpu.pc;
        self.raise_fault(
            SIGSEGV,
            SEGV_MAPERR,
            pc,
            pc,
            format_args!(
                "elfrun: segmentation fault at address {pc:#x} (pc {pc:#x}, instruction fetch)"
            ),
        )
    }
}

/// `si_code` values of the fault signals (asm-generic siginfo.h).
const ILL_ILLOPC: i32 = 1;
const BUS_ADRALN: i32 = 1;
const SEGV_MAPERR: i32 = 1;
const TRAP_BRKPT: i32 = 1;
