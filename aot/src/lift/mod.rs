//! `Lift`: the AOT tier's implementation of [`Sem`](elfrun_interp::Sem). The instruction semantics in
//! `elfrun_interp::a64` are generic over `Sem`; run over `Lift` they emit Wasm instead of computing. This module
//! owns the shape of one lifted function; [`prims`] the Wasm of each primitive.
//!
//! One guest function becomes one Wasm function `(param $block i32) (result i32)`:
//!
//! ```text
//! prologue: load the guest registers the function uses from the state in linear memory into locals
//! block $exit
//!   loop $dispatch
//!     block $L(n-1) … block $L0
//!       br_table $L0 … $L(n-1) (local $block)      ;; enter at any block
//!     end  code of block 0
//!     end  code of block 1 …
//!   end
//! end
//! epilogue: store the registers the function wrote, store $npc as the pc, return $status
//! ```
//!
//! A branch to a later block of the function is a plain `br` to that block's label; a branch to the same or an
//! earlier block burns one unit of fuel and goes round the dispatch loop. Anything else — a call, a return, an
//! indirect branch, a syscall, an instruction `Lift` cannot express, a memory access that would fault — leaves
//! through `$exit` with a [`Status`] and the pc to continue at. Register writes of an instruction are buffered
//! and committed when it completes, so an exit in the middle of an instruction leaves the state as it was
//! before it: the interpreter then re-executes the instruction from scratch.

mod prims;

use std::collections::HashMap;

use elfrun_interp::Insn;
use elfrun_interp::state::offsets;
use wasm_encoder::{Function, Instruction, MemArg, MemArgTarget, ValType};

use crate::abi::{FUEL_ADDR, STATE_ADDR, Status};

/// One block of a function plan: consecutive instructions from `start`.
#[derive(Clone, Debug)]
pub struct BlockPlan {
    pub start: u64,
    pub insns: Vec<Insn>,
}

impl BlockPlan {
    pub fn end(&self) -> u64 {
        self.start + 4 * self.insns.len() as u64
    }
}

/// What the lifter translates into one Wasm function: blocks sorted by address, no two overlapping.
#[derive(Clone, Debug)]
pub struct FnPlan {
    pub entry: u64,
    pub blocks: Vec<BlockPlan>,
}

/// Counts of one lifted function.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LiftStats {
    /// Instructions translated to Wasm.
    pub lifted: u64,
    /// Instructions left to the interpreter (an exit with [`Status::Interp`]).
    pub fallback: u64,
}

/// Index of the imported floating-point helper in the module's function space.
pub const FP_FUNC: u32 = 0;

/// Where a guest register lives while a lifted function runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum RegSlot {
    /// X0..X30 (0..=30), SP (31), NZCV (32): a Wasm local, loaded in the prologue and stored in the epilogue.
    Gpr(u8),
    /// V0..V31: the state in memory.
    Vec(u8),
}

const NZCV: u8 = 32;
/// Locals with a fixed meaning: the parameter (block index), the status and the next pc.
const L_BLOCK: u32 = 0;
const L_STATUS: u32 = 1;
const L_NPC: u32 = 2;
/// First of the 33 register locals (X0..X30, SP, NZCV).
const L_REGS: u32 = 3;
const FIRST_TEMP: u32 = L_REGS + 33;

/// A Wasm memory argument for the state/fuel words (absolute address in the constant, offset 0).
fn memarg(align: u32) -> MemArg {
    MemArg {
        offset: 0,
        align,
        target: MemArgTarget::Memory(0),
        ordering: None,
    }
}

/// The lifter of one function.
#[derive(Debug)]
pub struct Lift<'p> {
    plan: &'p FnPlan,
    index: HashMap<u64, usize>,
    /// Types of the locals after the fixed ones.
    temps: Vec<ValType>,
    body: Vec<Instruction<'static>>,
    /// The current instruction's code (discarded if it turns out not to be liftable).
    cur: Vec<Instruction<'static>>,
    /// Register writes of the current instruction, committed at its end (or before a branch).
    pending: Vec<(RegSlot, u32)>,
    pc: u64,
    block: usize,
    /// `if`s opened by the current primitive around code that may branch.
    depth: u32,
    unsupported: bool,
    /// The instruction transferred control unconditionally; code after it in the block is unreachable.
    ended: bool,
    reads: u64,
    writes: u64,
    pub stats: LiftStats,
}

impl<'p> Lift<'p> {
    /// Lifts `plan` into a Wasm function body.
    pub fn function(plan: &'p FnPlan) -> (Function, LiftStats) {
        let mut l = Lift {
            plan,
            index: plan
                .blocks
                .iter()
                .enumerate()
                .map(|(i, b)| (b.start, i))
                .collect(),
            temps: Vec::new(),
            body: Vec::new(),
            cur: Vec::new(),
            pending: Vec::new(),
            pc: 0,
            block: 0,
            depth: 0,
            unsupported: false,
            ended: false,
            reads: 0,
            writes: 0,
            stats: LiftStats::default(),
        };
        l.emit_body();
        let stats = l.stats;
        (l.assemble(), stats)
    }

    fn emit_body(&mut self) {
        let n = self.plan.blocks.len() as u32;
        // Status -1 marks "entered at a block index the function does not have" (a runtime bug, reported).
        self.body.push(Instruction::I32Const(-1));
        self.body.push(Instruction::LocalSet(L_STATUS));
        self.body
            .push(Instruction::Block(wasm_encoder::BlockType::Empty)); // $exit
        self.body
            .push(Instruction::Loop(wasm_encoder::BlockType::Empty)); // $dispatch
        for _ in 0..n {
            self.body
                .push(Instruction::Block(wasm_encoder::BlockType::Empty));
        }
        self.body.push(Instruction::LocalGet(L_BLOCK));
        // Inside the n block labels, the loop is at depth n and $exit at n + 1.
        self.body.push(Instruction::BrTable(
            (0..n).collect::<Vec<_>>().into(),
            n + 1,
        ));
        for i in 0..self.plan.blocks.len() {
            self.body.push(Instruction::End);
            self.block = i;
            self.emit_block(i);
        }
        self.body.push(Instruction::End); // loop
        self.body.push(Instruction::End); // $exit
    }

    fn emit_block(&mut self, i: usize) {
        let plan = self.plan;
        let b = &plan.blocks[i];
        let mut pc = b.start;
        for &insn in &b.insns {
            self.pc = pc;
            self.cur.clear();
            self.pending.clear();
            self.depth = 0;
            self.unsupported = false;
            self.ended = false;
            elfrun_interp::a64::exec(self, insn);
            if self.unsupported {
                self.cur.clear();
                self.pending.clear();
                self.depth = 0;
                self.exit(Status::Interp, pc);
                self.ended = true;
                self.stats.fallback += 1;
            } else {
                self.commit();
                self.stats.lifted += 1;
            }
            self.body.append(&mut self.cur);
            if self.ended {
                return;
            }
            pc += 4;
        }
        // Fell through the end of the block.
        self.cur.clear();
        self.depth = 0;
        self.goto(b.end());
        self.body.append(&mut self.cur);
    }

    /// Applies the current instruction's buffered register writes.
    fn commit(&mut self) {
        for (slot, local) in std::mem::take(&mut self.pending) {
            match slot {
                RegSlot::Gpr(r) => {
                    self.writes |= 1 << r;
                    self.cur.push(Instruction::LocalGet(local));
                    self.cur.push(Instruction::LocalSet(L_REGS + r as u32));
                }
                RegSlot::Vec(r) => {
                    self.cur
                        .push(Instruction::I32Const(state_addr(vreg_offset(r))));
                    self.cur.push(Instruction::LocalGet(local));
                    self.cur.push(Instruction::V128Store(memarg(4)));
                }
            }
        }
    }

    /// Label depth of `$exit` / `$dispatch` / block `j`'s start, from the current emission point.
    fn exit_depth(&self) -> u32 {
        self.plan.blocks.len() as u32 - self.block as u32 + self.depth
    }

    /// Leaves the function with `status`, continuing at the constant `npc`.
    fn exit(&mut self, status: Status, npc: u64) {
        self.cur.push(Instruction::I64Const(npc as i64));
        self.exit_with_npc_on_stack(status);
    }

    fn exit_with_npc_on_stack(&mut self, status: Status) {
        self.cur.push(Instruction::LocalSet(L_NPC));
        self.cur.push(Instruction::I32Const(status as i32));
        self.cur.push(Instruction::LocalSet(L_STATUS));
        self.cur.push(Instruction::Br(self.exit_depth()));
    }

    /// Continues at the constant `target`: inside the function if it has a block there, else via the runtime.
    fn goto(&mut self, target: u64) {
        let Some(&j) = self.index.get(&target) else {
            self.exit(Status::Continue, target);
            return;
        };
        let i = self.block;
        if j > i {
            self.cur
                .push(Instruction::Br((j - i - 1) as u32 + self.depth));
            return;
        }
        // A backward branch: pay fuel, then go round the dispatch loop.
        let fuel = self.temp(ValType::I32);
        let fuel_addr = FUEL_ADDR as u32 as i32;
        self.cur.extend([
            Instruction::I32Const(fuel_addr),
            Instruction::I32Const(fuel_addr),
            Instruction::I32Load(memarg(2)),
            Instruction::I32Const(1),
            Instruction::I32Sub,
            Instruction::LocalTee(fuel),
            Instruction::I32Store(memarg(2)),
            Instruction::LocalGet(fuel),
            Instruction::I32Eqz,
            Instruction::If(wasm_encoder::BlockType::Empty),
        ]);
        self.depth += 1;
        self.exit(Status::Budget, target);
        self.depth -= 1;
        self.cur.extend([
            Instruction::End,
            Instruction::I32Const(j as i32),
            Instruction::LocalSet(L_BLOCK),
            Instruction::Br(self.exit_depth() - 1),
        ]);
    }

    /// A new local of type `ty`.
    fn temp(&mut self, ty: ValType) -> u32 {
        self.temps.push(ty);
        FIRST_TEMP + self.temps.len() as u32 - 1
    }

    /// Marks the current instruction as not liftable: it will run in the interpreter.
    fn unsupported(&mut self) {
        self.unsupported = true;
    }

    fn assemble(self) -> Function {
        let mut locals = vec![ValType::I32, ValType::I64];
        locals.extend(std::iter::repeat_n(ValType::I64, 33));
        locals.extend(self.temps.iter().copied());
        let mut f = Function::new_with_locals_types(locals);
        let used = self.reads | self.writes;
        for r in 0..33u8 {
            if used & (1 << r) != 0 {
                f.instruction(&Instruction::I32Const(state_addr(gpr_offset(r))));
                f.instruction(&Instruction::I64Load(memarg(3)));
                f.instruction(&Instruction::LocalSet(L_REGS + r as u32));
            }
        }
        for i in &self.body {
            f.instruction(i);
        }
        for r in 0..33u8 {
            if self.writes & (1 << r) != 0 {
                f.instruction(&Instruction::I32Const(state_addr(gpr_offset(r))));
                f.instruction(&Instruction::LocalGet(L_REGS + r as u32));
                f.instruction(&Instruction::I64Store(memarg(3)));
            }
        }
        f.instruction(&Instruction::I32Const(state_addr(offsets::PC)));
        f.instruction(&Instruction::LocalGet(L_NPC));
        f.instruction(&Instruction::I64Store(memarg(3)));
        f.instruction(&Instruction::LocalGet(L_STATUS));
        f.instruction(&Instruction::End);
        f
    }
}

/// Byte offset in the state of X0..X30 (0..=30), SP (31) and NZCV (32).
fn gpr_offset(r: u8) -> usize {
    match r {
        0..=30 => offsets::X + 8 * r as usize,
        31 => offsets::SP,
        _ => offsets::NZCV,
    }
}

fn vreg_offset(r: u8) -> usize {
    offsets::V + 16 * (r as usize & 31)
}

/// The i32 constant that addresses `offset` bytes into the state.
fn state_addr(offset: usize) -> i32 {
    (STATE_ADDR + offset as u64) as u32 as i32
}
