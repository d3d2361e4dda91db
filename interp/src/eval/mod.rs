//! `Eval`: the interpreter. It implements [`Sem`](crate::Sem) by computing on `u64`/`u128`, and runs predecoded
//! [`Block`]s from a [`BlockCache`] until something needs the runtime ([`Exit`]).

mod aes;
mod block;
mod dispatch;
mod prims;
mod record;

pub use block::{Block, BlockCache, BlockCount, BlockId, MAX_BLOCK_INSNS, Op, Term};
pub use dispatch::Handler;
pub use prims::cond_holds;
pub use record::{Counters, IndirectKind, NoRecord, Recorder, Sink};

use crate::mem::GuestMem;
pub use crate::mem::{Fault, FaultKind};
use crate::state::CpuState;

/// Why [`run`] handed control back to the runtime. `CpuState::pc` says where the guest continues.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// `SVC #0`: the syscall number is in X8, arguments in X0..X5; pc is already past the SVC.
    Syscall,
    /// A memory access faulted; pc is the faulting instruction's.
    Fault(Fault),
    /// Undefined or unsupported instruction at pc (SIGILL).
    Undefined { word: u32 },
    /// Instruction fetch from outside the address space (SIGSEGV at pc).
    FetchFault,
    /// `BRK #imm` at pc (SIGTRAP).
    Breakpoint { imm: u16 },
    /// `ic ivau` named this address: translated code covering it must be dropped (the block cache already
    /// was); pc is past the instruction.
    CodeInvalidated { addr: u64 },
    /// The instruction budget ran out; a chance to deliver signals.
    Budget,
}

/// The interpreter's view of one instruction being executed: CPU state, memory and the control-flow outcome.
#[derive(Debug)]
pub struct Eval<'a> {
    pub cpu: &'a mut CpuState,
    pub mem: GuestMem,
    /// Address of the current instruction.
    pc: u64,
    /// Where execution continues after it.
    next_pc: u64,
    /// Set when the instruction must end the run (syscall, fault, …). Register and memory writes after a fault
    /// inside the same instruction are suppressed, so a faulting instruction has no architectural effect.
    exit: Option<Exit>,
    /// NZCV as the last flag-setting instruction left them, computed only when something reads them; written
    /// back to `cpu.nzcv` before the CPU state is handed back ([`Eval::sync_flags`]).
    flags: Flags,
    /// The general registers while instructions run, laid out so that a register number indexes them without
    /// a test for register 31 on most accesses: X0–X30, then [`ZR`] (zero whenever an instruction reads it: a
    /// write to XZR stores there and then zero), then [`SP`]. Copied from and back to `cpu` around every `run`
    /// and `step`.
    regs: [u64; 33],
}

/// Index in [`Eval::regs`] of the zero register, read (and written) by register number 31.
const ZR: usize = 31;
/// Index of SP, read and written by number 31 where it names SP.
const SP: usize = 32;
// `x_or_sp` and `set_x_or_sp` step from ZR to SP by adding one.
const _: () = assert!(SP == ZR + 1);

/// The operands NZCV derive from, when they have not been computed yet. Compares and `ANDS`/`TST` are
/// mostly read by one conditional branch or select: from the operands such a condition is one host compare,
/// where the PSTATE form costs building four bits and testing them again.
#[derive(Clone, Copy, Debug)]
enum Flags {
    /// `cpu.nzcv` holds them.
    Done,
    /// `a − b` (SUBS, CMP) at 64 bits.
    Sub64 { a: u64, b: u64 },
    /// `a − b` at 32 bits.
    Sub32 { a: u32, b: u32 },
    /// A logical result at 64 bits: N and Z from it, C = V = 0.
    Logic64(u64),
    /// A logical result at 32 bits.
    Logic32(u32),
}

impl<'a> Eval<'a> {
    pub fn new(cpu: &'a mut CpuState, mem: GuestMem) -> Eval<'a> {
        let pc = cpu.pc;
        let mut ev = Eval {
            cpu,
            mem,
            pc,
            next_pc: pc.wrapping_add(4),
            exit: None,
            flags: Flags::Done,
            regs: [0; 33],
        };
        ev.load_regs();
        ev
    }

    /// Takes the general registers from `cpu`.
    fn load_regs(&mut self) {
        self.regs[..ZR].copy_from_slice(&self.cpu.x);
        self.regs[ZR] = 0;
        self.regs[SP] = self.cpu.sp;
    }

    /// Hands the registers and NZCV back to `cpu`.
    fn write_back(&mut self) {
        self.cpu.x.copy_from_slice(&self.regs[..ZR]);
        self.cpu.sp = self.regs[SP];
        self.sync_flags();
    }

    /// Executes one decoded instruction at `pc`; returns where execution continues, or the exit it caused.
    #[inline(always)]
    pub fn step(&mut self, insn: crate::Insn, pc: u64) -> Result<u64, Exit> {
        self.pc = pc;
        self.next_pc = pc.wrapping_add(4);
        // `cpu` is public: whatever changed in it since the last step counts.
        self.load_regs();
        // Through the same specialised handler `run` uses, so every test of `step` covers it too.
        let op = Op::new(insn);
        (op.run)(self, core::slice::from_ref(&op));
        self.write_back();
        match self.exit {
            None => Ok(self.next_pc),
            Some(e) => {
                self.exit = None;
                Err(e)
            }
        }
    }

    fn fault(&mut self, f: Fault) {
        if self.exit.is_none() {
            self.exit = Some(Exit::Fault(f));
        }
    }
}

/// Statistics of a [`run`].
#[derive(Clone, Copy, Debug, Default)]
pub struct RunStats {
    /// Guest instructions completed.
    pub instructions: u64,
}

/// Runs guest code from `cpu.pc` until an [`Exit`], or until about `budget` instructions have run.
///
/// On return `cpu.pc` is where the guest continues (for faults and undefined instructions: the culprit).
pub fn run(
    cpu: &mut CpuState,
    mem: GuestMem,
    cache: &mut BlockCache,
    budget: u64,
    stats: &mut RunStats,
) -> Exit {
    run_with(cpu, mem, cache, budget, stats, &mut NoRecord)
}

/// [`run`], telling `rec` about every block entered and left (profile recording).
#[inline]
pub fn run_with<R: Recorder>(
    cpu: &mut CpuState,
    mem: GuestMem,
    cache: &mut BlockCache,
    budget: u64,
    stats: &mut RunStats,
    rec: &mut R,
) -> Exit {
    let mut ev = Eval::new(cpu, mem);
    let mut pc = ev.cpu.pc;
    let mut executed = 0u64;
    // The block to run next: found in the links of the one before it, once there is one.
    let mut next = match budget {
        0 => None,
        _ => cache.lookup(pc, &mem).ok(),
    };
    let exit = loop {
        if executed >= budget {
            break Exit::Budget;
        }
        let Some(id) = next else {
            break Exit::FetchFault;
        };
        let block = cache.block(id);
        if R::ACTIVE && executed > 0 && rec.stop_before(block) {
            break Exit::Budget;
        }
        rec.enter(block);
        // Only a block's last instruction can branch; anything before it falls through.
        ev.next_pc = block.end();
        ev.pc = block.start;
        // The first handler runs the whole block (see `Handler`); `ev.pc` is left at the last instruction
        // run, the one that stopped the run if one did.
        if let Some(first) = block.ops.first() {
            (first.run)(&mut ev, &block.ops);
        }
        let ipc = ev.pc;
        // Tested before it is taken: moving the whole `Exit` out on every block costs more than the test.
        let stopped = if ev.exit.is_some() {
            ev.exit.take()
        } else {
            None
        };
        let Some(e) = stopped else {
            pc = ev.next_pc;
            executed += block.len() as u64;
            rec.completed(block, pc, ev.regs[SP]);
            next = cache.next(id, pc, &mem).ok();
            continue;
        };
        // An SVC or `ic` completed (neither branches) and pc moves past it; anything else leaves pc on the
        // culprit.
        let i = (ipc.wrapping_sub(block.start) / 4) as usize;
        let completed = matches!(e, Exit::Syscall | Exit::CodeInvalidated { .. });
        rec.stopped(block, completed && i + 1 == block.len());
        pc = if completed { ipc.wrapping_add(4) } else { ipc };
        executed += i as u64 + completed as u64;
        if let Exit::CodeInvalidated { addr } = e {
            cache.invalidate(addr, crate::cpu_model::ICACHE_LINE);
        }
        break e;
    };
    ev.write_back();
    ev.cpu.pc = pc;
    stats.instructions += executed;
    exit
}
