//! Guest register liveness inside one function's plan, for the exits of lifted code.
//!
//! An exit hands the runtime the guest state at a pc, so every register the function wrote is live on the exit
//! path: its Wasm local stays live around every loop the exit sits in (a fuel check at the back edge, a memory
//! access's fallback inside the loop), which costs the register allocator a register or a stack slot per
//! iteration even where the guest overwrites the value before reading it again. Where the guest code at the
//! exit's pc writes a register before it reads it on every path (found here, within the plan), its value at the
//! exit is dead: the exit sets its local to a constant, so nothing keeps the value alive, and reports the
//! registers it left undefined in the state ([`elfrun_interp::state::CpuState::undefined`]) for `--lockstep`.
//! A program cannot tell, but through a signal handler's view of the registers (as after any optimising
//! compiler, the value of a dead register is unspecified there).
//!
//! The sets are bit sets of X0..X30, SP (bit 31), NZCV (bit 32) and V0..V31 (bits 33..=64), per instruction
//! as [`super::Lift`] saw the semantics read and write them while lifting. Anything that leaves the plan — a call, a return, an indirect
//! branch, a system call, a branch to a block of another function, an instruction that was not lifted — reads
//! every register.

use std::collections::HashMap;

use elfrun_interp::Insn;
use elfrun_interp::a64::branch::Branch;

use super::FnPlan;

/// The bit of V0 (X0..X30, SP and NZCV come before).
pub(super) const V0: u32 = 33;

/// X0..X30, SP, NZCV and V0..V31.
pub(super) const ALL: u128 = (1 << (V0 + 32)) - 1;

/// The bit of V register `r`.
pub(super) const fn vbit(r: u8) -> u128 {
    1 << (V0 + r as u32)
}

/// The registers each instruction reads (before any write of its own) and writes: pc → (reads, writes).
pub(super) type Effects = HashMap<u64, (u128, u128)>;

/// Where registers are live in `plan`.
pub(super) struct Liveness<'p> {
    plan: &'p FnPlan,
    effects: &'p Effects,
    /// Per block: live at its end.
    live_out: Vec<u128>,
}

impl<'p> Liveness<'p> {
    pub(super) fn new(
        plan: &'p FnPlan,
        index: &HashMap<u64, usize>,
        effects: &'p Effects,
    ) -> Liveness<'p> {
        let n = plan.blocks.len();
        // Successor blocks of each block; `None`: control may leave the plan.
        let succs: Vec<Option<Vec<usize>>> = plan
            .blocks
            .iter()
            .map(|b| b.targets().iter().map(|t| index.get(t).copied()).collect())
            .collect();
        let mut l = Liveness {
            plan,
            effects,
            live_out: vec![0; n],
        };
        let mut live_in = vec![0u128; n];
        loop {
            let mut changed = false;
            for i in (0..n).rev() {
                let out = match &succs[i] {
                    Some(s) => s.iter().fold(0, |acc, &j| acc | live_in[j]),
                    None => ALL,
                };
                l.live_out[i] = out;
                let inn = l.before(i, 0, out);
                if inn != live_in[i] {
                    live_in[i] = inn;
                    changed = true;
                }
            }
            if !changed {
                return l;
            }
        }
    }

    /// Live before instruction `k` of block `i`, given `out` live at the block's end.
    fn before(&self, i: usize, k: usize, out: u128) -> u128 {
        let b = &self.plan.blocks[i];
        b.insns[k..]
            .iter()
            .enumerate()
            .rev()
            .fold(out, |live, (d, &insn)| {
                let (reads, writes) = self.effect(insn, b.start + 4 * (k + d) as u64);
                (live & !writes) | reads
            })
    }

    fn effect(&self, insn: Insn, pc: u64) -> (u128, u128) {
        let leaves = match insn {
            Insn::Branch(Branch::BrReg { .. } | Branch::Svc { .. } | Branch::Brk { .. }) => true,
            Insn::Branch(Branch::BImm { link, .. }) => link,
            Insn::Undefined(_) => true,
            _ => false,
        };
        match self.effects.get(&pc) {
            Some(&e) if !leaves => e,
            _ => (ALL, 0),
        }
    }

    /// The registers dead at `pc` (an instruction of the plan): written before read on every path from there
    /// that stays in the plan; none for a pc outside it.
    pub(super) fn dead_at(&self, pc: u64) -> u128 {
        let Some(i) = self
            .plan
            .blocks
            .partition_point(|b| b.start <= pc)
            .checked_sub(1)
        else {
            return 0;
        };
        let b = &self.plan.blocks[i];
        if pc >= b.end() || !(pc - b.start).is_multiple_of(4) {
            return 0;
        }
        ALL & !self.before(i, ((pc - b.start) / 4) as usize, self.live_out[i])
    }
}
