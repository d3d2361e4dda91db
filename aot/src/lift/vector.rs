//! Vectorised self-loops, and whole-vector fast paths of guest SIMD float operations ([`simd_fast_op`]).
//!
//! A guest loop that works element by element on arrays of floats — one block branching
//! back to itself, as `h[j] += x * w[j]` (MLP layers) and `y[i] += a * x[i]` (LINPACK's daxpy) compile to —
//! runs whole vectors of iterations in SIMD128 before its scalar code, which finishes it.
//!
//! ```text
//! loop:  ldr   s1, [x3, x0]            ;; loads and stores of one element at base + (index << shift)
//!        ldr   s0, [x1, x0]
//!        fmadd s0, s1, s2, s0          ;; FMUL/FADD/FSUB/FMADD/FMSUB/FNMADD/FNMSUB of that precision
//!        str   s0, [x1, x0]
//!        add   x0, x0, #4              ;; the index: one ADD of a constant, then a compare with a
//!        cmp   x0, #0x100              ;; constant or a register the loop does not write, and B.NE back
//!        b.ne  loop
//! ```
//!
//! [`recognise`] accepts exactly this shape: every V register an operation reads is either computed earlier in
//! the same iteration or not written by the loop at all (then it is the same in every lane); no register but
//! the index and V registers is written; the index steps by one element. It also accepts the loops compilers
//! make of the same source with guest SIMD (`recognise_whole`): whole Q-register loads and stores through
//! base registers that each step by one vector (post-indexed) or at base + an index stepping by one vector,
//! FADD/FSUB/FMUL/FMLA/FMLS on 4S or 2D, lanes summed in order as scalars (a dot product), and one of the
//! bases or the index compared with the limit — there an iteration is one Wasm vector. The loop lifted
//! normally stays as it was; in front of it (where the loop is entered, not on its back edge)
//! [`Lift::emit_vector_loop`] emits a Wasm loop that runs `lanes` iterations at a time while all of this holds:
//!
//! * **Semantics stay bit-exact.** The floating-point fast mode is on (FPCR rounds to nearest without
//!   flush-to-zero and FPSR.IXC is already set; `fp.rs`): then an operation whose result is *big* (finite and
//!   above the smallest normal) is correctly rounded by Wasm and raises no flag the state does not already
//!   hold, and so is a finite sum and a zero product of a zero factor. Every lane of every result is tested
//!   (`Checks`); if any fails, nothing of that group of iterations has been stored and the scalar loop takes
//!   over from it (and handles the NaN, the underflow or the flags exactly). Fused multiply-adds need
//!   `relaxed_madd` to be fused ([`crate::BuildInput::fused_madd`]).
//! * **Memory order is kept.** Stores are made after the whole group is computed, in program order; a load
//!   through the base register of an earlier store of the iteration takes the stored vector. Accesses through
//!   different base registers must be at least a group's span apart (checked once, the bases do not change), so
//!   no lane reads what another lane of the group writes.
//! * **Bounds**: each access's whole span is checked per group; one that fails goes to the scalar loop, which
//!   then faults at exactly the element the interpreter would.
//! * **The loop's end**: a group runs only if the index stays different from the limit through all of its
//!   iterations and beyond (at the compare's width), so the scalar loop always runs the last iteration(s) and
//!   leaves the loop as it would have. Fuel is paid per iteration.
//!
//! After each group the state is what the scalar loop leaves after its last iteration: the index advanced, the
//! flags of its compare (kind, index, limit) and every V register the body writes holding its last lane's value
//! (upper bits zero, as scalar writes leave them).

use elfrun_interp::Insn;
use elfrun_interp::Sem;
use elfrun_interp::a64::branch::Branch;
use elfrun_interp::a64::dp_imm::DpImm;
use elfrun_interp::a64::dp_reg::DpReg;
use elfrun_interp::a64::fp::Fp;
use elfrun_interp::a64::ldst::{Ext, LdSt, Mode, Op};
use elfrun_interp::a64::simd::Simd;
use elfrun_interp::a64::simd::vector::float::FBin;
use elfrun_interp::a64::simd::vector::long::Diff;
use elfrun_interp::a64::simd::vector::perm::Perm;
use elfrun_interp::a64::simd::vector::{Op as SimdOp, Vector};
use elfrun_interp::sem::{FpTy, Reg};
use wasm_encoder::{BlockType, Instruction as I, ValType};

use super::{
    BlockPlan, FlagKind, L_FA, L_FB, L_FK, L_FPFAST, L_FUEL, L_REGS, L_VREGS, Lift, NZCV, RegSlot,
};
use crate::abi::{MEM_END, MEM_LOW};
use crate::lift::memarg;

/// The index register is compared with this.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Limit {
    Imm(u64),
    Reg(Reg),
}

/// One operation of the loop body, in program order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum VOp {
    /// LDR of one element into V register `rt` from `base + (index << shift)`.
    Load { rt: Reg, base: Reg },
    /// STR of one element of V register `rt` there.
    Store { rt: Reg, base: Reg },
    /// FMUL (0), FADD (2), FSUB (3).
    Dp2 { op: u8, rd: Reg, rn: Reg, rm: Reg },
    /// `rd = ±ra + (±rn) · rm`, fused.
    Dp3 {
        neg_a: bool,
        neg_n: bool,
        rd: Reg,
        rn: Reg,
        rm: Reg,
        ra: Reg,
    },
    /// A guest SIMD float operation of [`simd_fast_op`] on whole vectors (a loop of [`VLoop::whole`]), `rm`'s
    /// element `lane` in every lane for the forms by element.
    Simd {
        op: FBin,
        rd: Reg,
        rn: Reg,
        rm: Reg,
        lane: Option<u8>,
    },
    /// In a loop of whole vectors: scalar FADD (2) or FSUB (3) of one iteration (a reduction's in-order sum).
    Scalar { op: u8, rd: Reg, rn: Reg, rm: Reg },
    /// In a loop of whole vectors: `mov sd, vn.s[lane]` (DUP element, scalar; upper bits zero).
    Lane { rd: Reg, rn: Reg, lane: u8 },
}

/// A recognised loop ([`recognise`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct VLoop {
    /// Element precision (S or D).
    pub ty: FpTy,
    /// The index register and its step per iteration.
    pub index: Reg,
    pub step: u64,
    /// Shift of the index in the addresses (0 or log2 of the element size).
    pub shift: u8,
    /// The compare is on the low 32 bits.
    pub w32: bool,
    pub limit: Limit,
    /// The compare is `CMP limit, index` (the flags are those of limit − index).
    pub swapped: bool,
    /// A loop of guest SIMD operations: an iteration works on one whole vector per access.
    pub whole: bool,
    /// Every base register steps by 16 bytes per iteration by itself (post-indexed), the index being one of
    /// them; otherwise accesses are at `base + (index << shift)`.
    pub pointer: bool,
    /// V registers an iteration reads before it writes them: the in-order sums of [`VOp::Scalar`].
    pub carried: u32,
    pub ops: Vec<VOp>,
}

impl VLoop {
    fn esize(&self) -> u64 {
        if self.ty == FpTy::S { 4 } else { 8 }
    }
    /// Iterations per Wasm vector.
    fn lanes(&self) -> u64 {
        if self.whole { 1 } else { 16 / self.esize() }
    }
    /// Whether V register `r`, which the loop writes, holds a scalar after an iteration ([`VOp::Scalar`],
    /// [`VOp::Lane`] write it last).
    fn scalar_at_end(&self, r: Reg) -> bool {
        let last = self.ops.iter().rev().find(|o| o.def() == Some(r));
        matches!(last, Some(VOp::Scalar { .. } | VOp::Lane { .. }))
    }
    /// The distinct base registers, in order of first access.
    fn bases(&self) -> Vec<Reg> {
        let mut bases: Vec<Reg> = Vec::new();
        for (b, _) in self.ops.iter().filter_map(|o| o.base()) {
            if !bases.contains(&b) {
                bases.push(b);
            }
        }
        bases
    }
}

/// The loop's compare at the end of block `b` (before its B.NE): `CMP index, #imm`, `CMP index, Xm` or
/// `CMP Xm, index`, where `is_index` picks the index; an Xm that is not the index must be a register the loop
/// does not write. Returns the index, whether the compare is on 32 bits, the limit and whether it is swapped.
fn loop_compare(insn: Insn, is_index: impl Fn(Reg) -> bool) -> Option<(Reg, bool, Limit, bool)> {
    match insn {
        Insn::DpImm(DpImm::AddSub {
            sf,
            sub: true,
            set_flags: true,
            rd: 31,
            rn,
            imm,
        }) if is_index(rn) => Some((rn, !sf, Limit::Imm(imm as u64), false)),
        Insn::DpReg(DpReg::AddSubShifted {
            sf,
            sub: true,
            set_flags: true,
            amount: 0,
            rd: 31,
            rn,
            rm,
            ..
        }) if is_index(rn) != is_index(rm) => {
            let (index, other, swapped) = if is_index(rn) {
                (rn, rm, false)
            } else {
                (rm, rn, true)
            };
            // Register 31 is XZR here.
            let limit = if other == 31 {
                Limit::Imm(0)
            } else {
                Limit::Reg(other)
            };
            Some((index, !sf, limit, swapped))
        }
        _ => None,
    }
}

/// Block `b` ends in B.NE back to its own start (the last instruction).
fn branches_back_if_ne(b: &BlockPlan) -> bool {
    let br_pc = b.end() - 4;
    matches!(b.insns.last(), Some(&Insn::Branch(Branch::CondBr { cond: 1, offset }))
        if br_pc.wrapping_add(offset as i64 as u64) == b.start)
}

/// Whether every V register an operation of `ops` reads is either computed earlier in the same iteration or not
/// written by the loop at all.
fn reads_in_order(ops: &[VOp]) -> bool {
    let written = ops
        .iter()
        .filter_map(|o| o.def())
        .fold(0u32, |m, r| m | 1 << r);
    let mut defined = 0u32;
    for o in ops {
        if o.uses()
            .iter()
            .any(|&r| written & (1 << r) != 0 && defined & (1 << r) == 0)
        {
            return false;
        }
        if let Some(d) = o.def() {
            defined |= 1 << d;
        }
    }
    true
}

/// The vectorisable loop `b` is, if it is one (see the module documentation); `fused`: FMADD and its negated
/// forms may be vectorised (the engine's `relaxed_madd` is fused).
pub(super) fn recognise(b: &BlockPlan, fused: bool) -> Option<VLoop> {
    recognise_scalar(b, fused).or_else(|| recognise_whole(b, fused))
}

/// The loop of scalar elements at `base + (index << shift)` the module documentation shows.
fn recognise_scalar(b: &BlockPlan, fused: bool) -> Option<VLoop> {
    let n = b.insns.len();
    if n < 4 || !branches_back_if_ne(b) {
        return None;
    }
    let Insn::DpImm(DpImm::AddSub {
        sf: true,
        sub: false,
        set_flags: false,
        rd: index,
        rn,
        imm: step,
    }) = b.insns[n - 3]
    else {
        return None;
    };
    if index == 31 || rn != index || step == 0 {
        return None;
    }
    let (_, w32, limit, swapped) = loop_compare(b.insns[n - 2], |r| r == index)?;
    let mut ty = None;
    let mut shift = None;
    let mut same = |t: FpTy, s: Option<u8>| {
        let ok = *ty.get_or_insert(t) == t && s.is_none_or(|s| *shift.get_or_insert(s) == s);
        ok.then_some(())
    };
    let mut ops = Vec::new();
    for &insn in &b.insns[..n - 3] {
        let op = match insn {
            Insn::LdSt(LdSt::Single(s))
                if matches!(s.op, Op::LdV | Op::StV)
                    && s.mode == Mode::Reg
                    && s.ext == Ext::Lsl
                    && s.rm == index
                    && s.rn != index
                    && matches!(s.size, 2 | 3) =>
            {
                let t = if s.size == 2 { FpTy::S } else { FpTy::D };
                let sh = s.imm.get() as u8;
                // One element per iteration: the address steps by the element size.
                if step.checked_shl(sh as u32) != Some(1 << s.size) {
                    return None;
                }
                same(t, Some(sh))?;
                if s.op == Op::LdV {
                    VOp::Load {
                        rt: s.rt,
                        base: s.rn,
                    }
                } else {
                    VOp::Store {
                        rt: s.rt,
                        base: s.rn,
                    }
                }
            }
            Insn::Fp(Fp::Dp2 {
                ty: t,
                op: op @ (0 | 2 | 3),
                rd,
                rn,
                rm,
            }) => {
                same(t, None)?;
                VOp::Dp2 { op, rd, rn, rm }
            }
            Insn::Fp(Fp::Dp3 {
                ty: t,
                neg_a,
                neg_n,
                rd,
                rn,
                rm,
                ra,
            }) if fused => {
                same(t, None)?;
                VOp::Dp3 {
                    neg_a,
                    neg_n,
                    rd,
                    rn,
                    rm,
                    ra,
                }
            }
            _ => return None,
        };
        ops.push(op);
    }
    let (ty, shift) = (ty?, shift?);
    if !matches!(ty, FpTy::S | FpTy::D)
        || !ops.iter().any(|o| matches!(o, VOp::Store { .. }))
        || !reads_in_order(&ops)
    {
        return None;
    }
    Some(VLoop {
        ty,
        index,
        step: step as u64,
        shift,
        w32,
        limit,
        swapped,
        whole: false,
        pointer: false,
        carried: 0,
        ops,
    })
}

/// A loop of guest SIMD float operations on whole vectors (the forms compilers vectorise `y[j] -= g * x[j]`
/// and `s += w[j] * h[j]` to), walking its arrays by post-indexed pointers or by an index register:
///
/// ```text
/// loop:  ldr   q1, [x1], #16           ;; LDR/STR Q at a base register, post-indexed by 16 at its
///        ldr   q0, [x0]                ;; last access in the iteration (every base steps by one vector)
///        fmls  v0.4s, v2.4s, v1.4s     ;; FADD/FSUB/FMUL/FMLA/FMLS of simd_fast_op, 4S or 2D
///        str   q0, [x0], #16
///        cmp   x2, x0                  ;; a base compared with a constant or a register the loop
///        b.ne  loop                    ;; does not write, and B.NE back
///
/// loop:  ldr   q2, [x2, x0]            ;; or LDR/STR Q at base + index, before
///        ldr   q0, [x1, x0]
///        add   x0, x0, #16             ;; the index steps by one vector (compared as above)
///        fmul  v0.4s, v0.4s, v2.4s
///        mov   s3, v0.s[1]             ;; lanes as scalars (DUP element, scalar form)
///        fadd  s1, s1, s0              ;; scalar FADD/FSUB, also into a register carried round the loop
///        ...
/// ```
///
/// An element by index must come from a register the loop does not write; a register carried round the loop
/// (read before written) only by scalar FADD/FSUB.
fn recognise_whole(b: &BlockPlan, fused: bool) -> Option<VLoop> {
    let n = b.insns.len();
    if n < 4 || !branches_back_if_ne(b) {
        return None;
    }
    let mut ty = None;
    let mut same = |t: FpTy| (*ty.get_or_insert(t) == t).then_some(());
    // Bases post-indexed, registers used as an index, the index's ADD.
    let (mut stepped, mut offsets, mut counter) = (0u32, 0u32, None);
    let mut ops = Vec::new();
    for &insn in &b.insns[..n - 2] {
        let op = match insn {
            Insn::LdSt(LdSt::Single(s))
                if matches!(s.op, Op::LdV | Op::StV) && s.size == 4 && s.rn != 31 =>
            {
                // Every access through a base is where the iteration found it, before the index steps; the
                // last one may step the base.
                if stepped & (1 << s.rn) != 0 || counter.is_some() {
                    return None;
                }
                match (s.mode, s.imm.get()) {
                    (Mode::Offset, 0) => {}
                    (Mode::Post, 16) => stepped |= 1 << s.rn,
                    (Mode::Reg, 0) if s.ext == Ext::Lsl && s.rm != 31 && s.rm != s.rn => {
                        offsets |= 1 << s.rm
                    }
                    _ => return None,
                }
                let (rt, base) = (s.rt, s.rn);
                if s.op == Op::LdV {
                    VOp::Load { rt, base }
                } else {
                    VOp::Store { rt, base }
                }
            }
            Insn::DpImm(DpImm::AddSub {
                sf: true,
                sub: false,
                set_flags: false,
                rd,
                rn,
                imm: 16,
            }) if rd == rn && rd != 31 && counter.is_none() => {
                counter = Some(rd);
                continue;
            }
            Insn::Fp(Fp::Dp2 {
                ty: t,
                op: op @ (2 | 3),
                rd,
                rn,
                rm,
            }) => {
                same(t)?;
                VOp::Scalar { op, rd, rn, rm }
            }
            Insn::Simd(Simd::Scalar(v))
                if v.vector().op == SimdOp::Perm(Perm::DupElem)
                    && matches!(v.vector().size, 2 | 3) =>
            {
                let v = v.vector();
                same(if v.size == 3 { FpTy::D } else { FpTy::S })?;
                VOp::Lane {
                    rd: v.rd,
                    rn: v.rn,
                    lane: v.imm,
                }
            }
            _ => {
                let (v, op, indexed) = simd_fast_op(insn, fused)?;
                same(if v.size == 3 { FpTy::D } else { FpTy::S })?;
                VOp::Simd {
                    op,
                    rd: v.rd,
                    rn: v.rn,
                    rm: v.rm,
                    lane: indexed.then_some(v.imm),
                }
            }
        };
        ops.push(op);
    }
    let ty = ty.filter(|t| matches!(t, FpTy::S | FpTy::D))?;
    // Either every base steps itself, or every access is at base + the index the ADD steps.
    let pointer = counter.is_none();
    let bases = ops.iter().filter_map(|o| o.base());
    let (index, w32, limit, swapped) = if pointer {
        if offsets != 0 || bases.clone().any(|(b, _)| stepped & (1 << b) == 0) {
            return None;
        }
        loop_compare(b.insns[n - 2], |r| stepped & (1 << r) != 0)?
    } else {
        let c = counter?;
        if stepped != 0 || offsets != 1 << c || bases.clone().any(|(b, _)| b == c) {
            return None;
        }
        loop_compare(b.insns[n - 2], |r| r == c)?
    };
    let written = ops
        .iter()
        .filter_map(|o| o.def())
        .fold(0u32, |m, r| m | 1 << r);
    let lane_of_written = ops
        .iter()
        .any(|o| matches!(*o, VOp::Simd { rm, lane: Some(_), .. } if written & (1 << rm) != 0));
    // Registers read before the iteration writes them: only scalar sums read and write them.
    let mut defined = 0u32;
    let mut carried = 0u32;
    for o in &ops {
        for r in o.uses() {
            if written & (1 << r) != 0 && defined & (1 << r) == 0 {
                carried |= 1 << r;
            }
        }
        if let Some(d) = o.def() {
            defined |= 1 << d;
        }
    }
    let touches_carried = |o: &VOp| {
        o.def()
            .into_iter()
            .chain(o.uses())
            .any(|r| carried & (1 << r) != 0)
    };
    if lane_of_written
        || ops
            .iter()
            .any(|o| !matches!(o, VOp::Scalar { .. }) && touches_carried(o))
    {
        return None;
    }
    Some(VLoop {
        ty,
        index,
        step: 16,
        shift: 0,
        w32,
        limit,
        swapped,
        whole: true,
        pointer,
        carried,
        ops,
    })
}

impl VOp {
    /// The V register written.
    fn def(&self) -> Option<Reg> {
        match *self {
            VOp::Load { rt, .. } => Some(rt),
            VOp::Store { .. } => None,
            VOp::Dp2 { rd, .. }
            | VOp::Dp3 { rd, .. }
            | VOp::Simd { rd, .. }
            | VOp::Scalar { rd, .. }
            | VOp::Lane { rd, .. } => Some(rd),
        }
    }
    /// The V registers read.
    fn uses(&self) -> Vec<Reg> {
        match *self {
            VOp::Load { .. } => vec![],
            VOp::Store { rt, .. } => vec![rt],
            VOp::Dp2 { rn, rm, .. } => vec![rn, rm],
            VOp::Dp3 { rn, rm, ra, .. } => vec![rn, rm, ra],
            VOp::Simd { op, rd, rn, rm, .. } => match op {
                FBin::Fmla | FBin::Fmls => vec![rn, rm, rd],
                _ => vec![rn, rm],
            },
            VOp::Scalar { rn, rm, .. } => vec![rn, rm],
            VOp::Lane { rn, .. } => vec![rn],
        }
    }
    fn base(&self) -> Option<(Reg, bool)> {
        match *self {
            VOp::Load { base, .. } => Some((base, false)),
            VOp::Store { base, .. } => Some((base, true)),
            _ => None,
        }
    }
}

/// Vectors per iteration of the main vector loop; a second loop of one vector per iteration does what is left.
const UNROLL: u64 = 4;

impl Lift<'_> {
    /// Emits the vector loops of `v` into the body, in front of the scalar loop of its block (see the module
    /// documentation). They fall through to the scalar loop, or, when they ran the loop to its end, branch out of
    /// the enclosing `block` (depth 0 where this code is emitted: [`Label::Skip`](super::Label)).
    pub(super) fn emit_vector_loop(&mut self, v: &VLoop) {
        let d = v.ty == FpTy::D;
        let x = |r: Reg| L_REGS + r as u32;
        self.uses_fast_fp = true;
        self.uses_fuel = true;
        self.reads |= 1 << v.index;
        self.writes |= 1 << v.index | 1 << NZCV;
        if v.pointer {
            for b in v.bases() {
                self.writes |= 1 << b;
            }
        }
        let start = self.temp(ValType::I64);
        let mut code = vec![
            I::LocalGet(x(v.index)),
            I::LocalSet(start),
            I::Block(BlockType::Empty), // $done
            I::LocalGet(L_FPFAST),
            I::I32Eqz,
            I::BrIf(0),
        ];
        // Different bases at least a group's span apart where either is stored through (the span of the main
        // loop's groups covers the small loop's).
        let span = (16 * UNROLL) as i64;
        let bases: Vec<(Reg, bool)> = v.ops.iter().filter_map(|o| o.base()).collect();
        let mut pairs = Vec::new();
        for (i, &(p, ps)) in bases.iter().enumerate() {
            self.reads |= 1 << p;
            for &(q, qs) in &bases[i + 1..] {
                if p != q && (ps || qs) && !pairs.contains(&(p.min(q), p.max(q))) {
                    pairs.push((p.min(q), p.max(q)));
                }
            }
        }
        for (p, q) in pairs {
            code.extend([
                I::LocalGet(x(p)),
                I::LocalGet(x(q)),
                I::I64Sub,
                I::I64Const(span - 1),
                I::I64Add,
                I::I64Const(2 * span - 1),
                I::I64LtU,
                I::BrIf(0),
            ]);
        }
        // Registers the loop reads but does not write: one vector of copies each, made once (a whole-vector
        // loop's are their own vectors), and one per element by index.
        let written: u32 = v
            .ops
            .iter()
            .filter_map(|o| o.def())
            .fold(0, |m, r| m | 1 << r);
        let mut inv = Invariants {
            whole: [None; 32],
            lanes: Vec::new(),
        };
        let lane_splat = |code: &mut Vec<I<'static>>, t: u32, r: Reg, lane: u8| {
            code.push(I::LocalGet(L_VREGS + r as u32));
            code.extend(splat_lane(lane, d));
            code.push(I::LocalSet(t));
        };
        for o in &v.ops {
            for r in o.uses() {
                if written & (1 << r) == 0 && inv.whole[r as usize].is_none() {
                    self.vreads |= 1 << r;
                    inv.whole[r as usize] = Some(if v.whole {
                        L_VREGS + r as u32
                    } else {
                        let t = self.temp(ValType::V128);
                        lane_splat(&mut code, t, r, 0);
                        t
                    });
                }
            }
            if let VOp::Simd {
                rm, lane: Some(l), ..
            } = *o
                && !inv.lanes.iter().any(|&(r, k, _)| (r, k) == (rm, l))
            {
                let t = self.temp(ValType::V128);
                lane_splat(&mut code, t, rm, l);
                inv.lanes.push((rm, l, t));
            }
        }
        let limit = match v.limit {
            Limit::Imm(c) => I::I64Const(c as i64),
            Limit::Reg(r) => {
                self.reads |= 1 << r;
                I::LocalGet(x(r))
            }
        };
        // Every group's accesses lie between where the loop's first iteration accesses through each base and
        // where the limit takes it (the groups run only while the limit is a whole group away): checked once
        // here, so the groups check nothing, and if it fails the vector loops do not run at all. The iterations
        // left (at the compare's width) times the element size must fit in guest memory (else the scalar loop
        // faults or ends early), and each base's range in it.
        let mem = (MEM_END - MEM_LOW) as i64;
        let bytes = self.temp(ValType::I64);
        code.extend([limit.clone(), I::LocalGet(x(v.index)), I::I64Sub]);
        if v.w32 {
            code.extend([I::I64Const(0xffff_ffff), I::I64And]);
        }
        code.extend([
            I::LocalTee(bytes),
            I::I64Const(mem),
            I::I64GtU,
            I::BrIf(0),
            I::LocalGet(bytes),
            I::I64Const(v.shift as i64),
            I::I64Shl,
            I::LocalSet(bytes),
        ]);
        let mut checked: Vec<Reg> = Vec::new();
        for &(b, _) in &bases {
            if checked.contains(&b) {
                continue;
            }
            checked.push(b);
            code.push(I::LocalGet(x(b)));
            if !v.pointer {
                code.extend([
                    I::LocalGet(x(v.index)),
                    I::I64Const(v.shift as i64),
                    I::I64Shl,
                    I::I64Add,
                ]);
            }
            code.extend([
                I::I64Const(MEM_LOW as i64),
                I::I64Sub,
                I::I64Const(mem),
                I::LocalGet(bytes),
                I::I64Sub,
                I::I64GtU,
                I::BrIf(0),
            ]);
        }
        // The V registers written, as of the last complete group: vectors, or the scalars a [`VOp::Scalar`] or
        // [`VOp::Lane`] left (upper bits zero). A carried register's starts as its value on entry.
        let elem = if d { ValType::F64 } else { ValType::F32 };
        let committed: Vec<(Reg, u32, bool)> = (0..32u8)
            .filter(|r| written & (1 << r) != 0)
            .map(|r| {
                let scalar = v.scalar_at_end(r);
                let ty = if scalar { elem } else { ValType::V128 };
                (r, self.temp(ty), scalar)
            })
            .collect();
        for &(r, c, _) in &committed {
            if v.carried & (1 << r) != 0 {
                self.vreads |= 1 << r;
                code.extend([I::LocalGet(L_VREGS + r as u32), lane0(d), I::LocalSet(c)]);
            }
        }
        // The groups pay their fuel when they end (an iteration a unit, as the scalar loop's back edge does):
        // nothing inside them reads it, and a group loop's count already kept within it.
        let from = self.temp(ValType::I64);
        let pay = |code: &mut Vec<I<'static>>| {
            code.extend([
                I::LocalGet(L_FUEL),
                I::LocalGet(x(v.index)),
                I::LocalGet(from),
                I::I64Sub,
            ]);
            code.extend(div_const(v.step, false));
            code.extend([I::I32WrapI64, I::I32Sub, I::LocalSet(L_FUEL)]);
        };
        code.extend([I::LocalGet(x(v.index)), I::LocalSet(from)]);
        code.push(I::Block(BlockType::Empty)); // $big_done
        self.group_loop(&mut code, v, UNROLL, &inv, &committed, &limit);
        code.push(I::End);
        pay(&mut code);
        code.extend([I::LocalGet(x(v.index)), I::LocalSet(from)]);
        self.group_loop(&mut code, v, 1, &inv, &committed, &limit);
        code.push(I::End); // $done
        pay(&mut code);
        // If any group ran, the state its last iteration leaves: the flags of its compare and the V registers
        // holding their last lanes (upper bits zero, as scalar writes leave them; a whole-vector loop's, its
        // last vectors). Set here rather than per
        // group: the scalar loop that follows rewrites them before it reads them, only an exit before that (or
        // the code after the loop, if the groups ended it) sees them.
        code.extend([
            I::LocalGet(x(v.index)),
            I::LocalGet(start),
            I::I64Ne,
            I::If(BlockType::Empty),
            I::I32Const(if v.w32 {
                FlagKind::Sub32
            } else {
                FlagKind::Sub64
            } as i32),
            I::LocalSet(L_FK),
        ]);
        let (a, b) = if v.swapped {
            (limit.clone(), I::LocalGet(x(v.index)))
        } else {
            (I::LocalGet(x(v.index)), limit.clone())
        };
        code.extend([a, I::LocalSet(L_FA), b, I::LocalSet(L_FB)]);
        let last: Vec<u8> = if d {
            (8..16).chain(16..24).collect()
        } else {
            (12..16).chain(16..28).collect()
        };
        let last: [u8; 16] = last.try_into().expect("16 lanes");
        for &(r, c, scalar) in &committed {
            self.vwrites |= 1 << r;
            if scalar {
                code.extend(to_vector(c, d));
            } else {
                code.push(I::LocalGet(c));
                if !v.whole {
                    code.extend([I::V128Const(0), I::I8x16Shuffle(last)]);
                }
            }
            code.push(I::LocalSet(L_VREGS + r as u32));
        }
        // The groups reached the limit: the loop is done (B.NE falls through), past the scalar loop.
        code.extend([limit, I::LocalGet(x(v.index)), I::I64Sub]);
        if v.w32 {
            code.push(I::I32WrapI64);
        } else {
            code.extend([I::I64Const(0), I::I64Ne]);
        }
        code.extend([I::I32Eqz, I::BrIf(1), I::End]);
        self.body.extend(code);
        self.stats.vector_loops += 1;
    }

    /// One vector loop: groups of `u` vectors of iterations while they can run (else `br 1`, out of the
    /// enclosing block). `inv`: the vectors of registers the loop does not write; `committed`: where the
    /// written V registers' vectors go after each complete group.
    fn group_loop(
        &mut self,
        code: &mut Vec<I<'static>>,
        v: &VLoop,
        u: u64,
        inv: &Invariants,
        committed: &[(Reg, u32, bool)],
        limit: &I<'static>,
    ) {
        let d = v.ty == FpTy::D;
        let x = |r: Reg| L_REGS + r as u32;
        let iters = v.lanes() * u;
        let group = iters * v.step;
        // How many groups may run, counted once: a group runs while the loop goes on through all of it
        // (limit - index ≥ group at the compare's width, so its last compare may end the loop) and fuel is
        // left after it (fuel > iters). Its accesses lie in guest memory: [`Lift::emit_vector_loop`] checked
        // every base's range. Lanes, groups and steps are powers of two, so the divisions are shifts.
        let n = self.temp(ValType::I64);
        let by_limit = self.temp(ValType::I64);
        code.extend([limit.clone(), I::LocalGet(x(v.index)), I::I64Sub]);
        if v.w32 {
            code.extend([I::I64Const(0xffff_ffff), I::I64And]);
        }
        code.extend(div_const(group, false));
        code.extend([
            I::LocalTee(by_limit),
            // (fuel - 1) / iters, ≤ 0 without fuel.
            I::LocalGet(L_FUEL),
            I::I64ExtendI32U,
            I::I64Const(1),
            I::I64Sub,
        ]);
        code.extend(div_const(iters, true));
        code.extend([
            I::LocalTee(n),
            I::LocalGet(by_limit),
            I::LocalGet(n),
            I::I64LtS,
            I::Select,
            I::LocalSet(n),
        ]);
        code.push(I::Loop(BlockType::Empty));
        code.extend([
            I::LocalGet(n),
            I::I64Const(0),
            I::I64LeS,
            I::BrIf(1),
            I::LocalGet(n),
            I::I64Const(1),
            I::I64Sub,
            I::LocalSet(n),
        ]);
        let mut addr: Vec<(Reg, u32)> = Vec::new();
        for o in &v.ops {
            let Some((b, _)) = o.base() else { continue };
            if addr.iter().any(|&(r, _)| r == b) {
                continue;
            }
            if v.pointer {
                // The base register is the address.
                addr.push((b, x(b)));
                continue;
            }
            let a = self.temp(ValType::I64);
            code.push(I::LocalGet(x(b)));
            code.push(I::LocalGet(x(v.index)));
            if v.shift != 0 {
                code.extend([I::I64Const(v.shift as i64), I::I64Shl]);
            }
            code.extend([I::I64Add, I::LocalSet(a)]);
            addr.push((b, a));
        }
        let addr_of = |b: Reg| addr.iter().find(|&&(r, _)| r == b).unwrap().1;
        // The body, vector k of the group at byte offset 16·k: each V register's current vector. Memory is
        // not written until every result is known to be exact, so a load reads what was there before the group
        // — unless the iteration stored through the same base before it (then it takes the stored vector).
        let mut stores: Vec<(Reg, u64, u32)> = Vec::new();
        let mut checks = Checks {
            d,
            big: Vec::new(),
            masks: Vec::new(),
        };
        // Scalar values (`scalar`: the local holds an f32/f64, the register's upper bits zero): the sums, and
        // whether a later sum reads them (then a non-finite one makes that one non-finite too).
        let mut sums: Vec<(u32, bool)> = Vec::new();
        let mut val: [Option<u32>; 32] = inv.whole;
        let mut scalar = 0u32;
        for &(r, c, s) in committed {
            if v.carried & (1 << r) != 0 {
                val[r as usize] = Some(c);
                scalar |= (s as u32) << r;
            }
        }
        let elem = if d { ValType::F64 } else { ValType::F32 };
        for k in 0..u {
            let mut stored: Vec<(Reg, u32)> = Vec::new();
            for o in &v.ops {
                match *o {
                    VOp::Load { rt, base } => {
                        let q = match stored.iter().rev().find(|&&(b, _)| b == base) {
                            Some(&(_, q)) => q,
                            None => {
                                let q = self.temp(ValType::V128);
                                code.extend([
                                    I::LocalGet(addr_of(base)),
                                    I::I32WrapI64,
                                    I::V128Load(vec_memarg(16 * k)),
                                    I::LocalSet(q),
                                ]);
                                q
                            }
                        };
                        val[rt as usize] = Some(q);
                        scalar &= !(1 << rt);
                    }
                    VOp::Store { rt, base } => {
                        let mut q = val[rt as usize].expect("recognise: defined or invariant");
                        if scalar & (1 << rt) != 0 {
                            let t = self.temp(ValType::V128);
                            code.extend(to_vector(q, d));
                            code.push(I::LocalSet(t));
                            q = t;
                        }
                        stored.push((base, q));
                        stores.push((base, 16 * k, q));
                    }
                    VOp::Scalar { op, rd, rn, rm } => {
                        for r in [rn, rm] {
                            let q =
                                val[r as usize].expect("recognise: defined, carried or invariant");
                            code.push(I::LocalGet(q));
                            if scalar & (1 << r) == 0 {
                                code.push(lane0(d));
                            }
                            if let Some(s) = sums.iter_mut().find(|(l, _)| *l == q) {
                                s.1 = true;
                            }
                        }
                        code.push(match (op, d) {
                            (2, false) => I::F32Add,
                            (3, false) => I::F32Sub,
                            (2, true) => I::F64Add,
                            _ => I::F64Sub,
                        });
                        let t = self.temp(elem);
                        code.push(I::LocalSet(t));
                        sums.push((t, false));
                        val[rd as usize] = Some(t);
                        scalar |= 1 << rd;
                    }
                    VOp::Lane { rd, rn, lane } => {
                        let q = val[rn as usize].expect("recognise: defined or invariant");
                        code.push(I::LocalGet(q));
                        if scalar & (1 << rn) == 0 {
                            code.push(if d {
                                I::F64x2ExtractLane(lane)
                            } else {
                                I::F32x4ExtractLane(lane)
                            });
                        } else if lane != 0 {
                            // Above a scalar's element all bits are zero.
                            code.extend([
                                I::Drop,
                                if d {
                                    I::F64Const(0.0.into())
                                } else {
                                    I::F32Const(0.0.into())
                                },
                            ]);
                        }
                        let t = self.temp(elem);
                        code.push(I::LocalSet(t));
                        val[rd as usize] = Some(t);
                        scalar |= 1 << rd;
                    }
                    VOp::Dp2 { op, rd, rn, rm } => {
                        let (a, b) = (val[rn as usize].unwrap(), val[rm as usize].unwrap());
                        code.extend([I::LocalGet(a), I::LocalGet(b)]);
                        code.push(match (op, d) {
                            (0, false) => I::F32x4Mul,
                            (2, false) => I::F32x4Add,
                            (3, false) => I::F32x4Sub,
                            (0, true) => I::F64x2Mul,
                            (2, true) => I::F64x2Add,
                            _ => I::F64x2Sub,
                        });
                        let q = self.temp(ValType::V128);
                        code.push(I::LocalSet(q));
                        let op = [FBin::Fmul, FBin::Fmul, FBin::Fadd, FBin::Fsub][op as usize];
                        checks.add(self, code, q, op, [a, b]);
                        val[rd as usize] = Some(q);
                    }
                    VOp::Dp3 {
                        neg_a,
                        neg_n,
                        rd,
                        rn,
                        rm,
                        ra,
                    } => {
                        let neg = if d { I::F64x2Neg } else { I::F32x4Neg };
                        code.push(I::LocalGet(val[rn as usize].unwrap()));
                        if neg_n {
                            code.push(neg.clone());
                        }
                        code.push(I::LocalGet(val[rm as usize].unwrap()));
                        code.push(I::LocalGet(val[ra as usize].unwrap()));
                        if neg_a {
                            code.push(neg);
                        }
                        code.push(if d {
                            I::F64x2RelaxedMadd
                        } else {
                            I::F32x4RelaxedMadd
                        });
                        let q = self.temp(ValType::V128);
                        code.push(I::LocalSet(q));
                        checks.add(self, code, q, FBin::Fmla, [0, 0]);
                        val[rd as usize] = Some(q);
                    }
                    VOp::Simd {
                        op,
                        rd,
                        rn,
                        rm,
                        lane,
                    } => {
                        // Operands that are scalars just now, as vectors.
                        let mut vector = |code: &mut Vec<I<'static>>, r: Reg| {
                            let q = val[r as usize].expect("recognise: defined or invariant");
                            if scalar & (1 << r) == 0 {
                                return q;
                            }
                            let t = self.temp(ValType::V128);
                            code.extend(to_vector(q, d));
                            code.push(I::LocalSet(t));
                            t
                        };
                        let a = vector(code, rn);
                        let b = match lane {
                            Some(l) => inv.lane(rm, l),
                            None => vector(code, rm),
                        };
                        let acc = matches!(op, FBin::Fmla | FBin::Fmls).then(|| vector(code, rd));
                        code.push(I::LocalGet(a));
                        code.extend(simd_fast_body(op, d, b, acc));
                        let q = self.temp(ValType::V128);
                        code.push(I::LocalSet(q));
                        checks.add(self, code, q, op, [a, b]);
                        val[rd as usize] = Some(q);
                        scalar &= !(1 << rd);
                    }
                }
            }
        }
        // Every lane of every result big and every sum finite (a sum a later one reads makes that one
        // non-finite if it is not: ±∞ and NaN absorb sums and differences), or the scalar loop takes the group
        // over.
        let mut tests = checks.finish(code);
        for &(t, read) in &sums {
            if read {
                continue;
            }
            code.push(I::LocalGet(t));
            code.extend(if d {
                [
                    I::I64ReinterpretF64,
                    I::I64Const(i64::MAX),
                    I::I64And,
                    I::I64Const(0x7ff0_0000_0000_0000),
                    I::I64GeU,
                ]
            } else {
                [
                    I::I32ReinterpretF32,
                    I::I32Const(i32::MAX),
                    I::I32And,
                    I::I32Const(0x7f80_0000),
                    I::I32GeU,
                ]
            });
            tests += 1;
        }
        if tests > 0 {
            code.extend(std::iter::repeat_n(I::I32Or, tests - 1));
            code.push(I::BrIf(1));
        }
        for (b, off, q) in stores {
            code.extend([
                I::LocalGet(addr_of(b)),
                I::I32WrapI64,
                I::LocalGet(q),
                I::V128Store(vec_memarg(off)),
            ]);
        }
        // The index moves on; a whole-vector loop's bases (the index among them) all step with it.
        let stepped = if v.pointer { v.bases() } else { vec![v.index] };
        for r in stepped {
            code.extend([
                I::LocalGet(x(r)),
                I::I64Const(group as i64),
                I::I64Add,
                I::LocalSet(x(r)),
            ]);
        }
        for &(r, c, _) in committed {
            code.extend([I::LocalGet(val[r as usize].unwrap()), I::LocalSet(c)]);
        }
        code.extend([I::Br(0), I::End]);
    }
}

/// The i64 on the stack divided by the constant `k` (a shift where `k` is a power of two).
fn div_const(k: u64, signed: bool) -> [I<'static>; 2] {
    if k.is_power_of_two() {
        let shr = if signed { I::I64ShrS } else { I::I64ShrU };
        [I::I64Const(k.trailing_zeros() as i64), shr]
    } else {
        let div = if signed { I::I64DivS } else { I::I64DivU };
        [I::I64Const(k as i64), div]
    }
}

/// A guest SIMD instruction with a whole-vector fast path ([`Lift::emit_simd_fast`]): FADD, FSUB, FMUL and (when
/// `fused`) FMLA, FMLS on 4S or 2D, also by element. Returns it with its operation and whether it is indexed.
pub(super) fn simd_fast_op(insn: Insn, fused: bool) -> Option<(Vector, FBin, bool)> {
    let Insn::Simd(Simd::Vector(v)) = insn else {
        return None;
    };
    let (op, indexed) = match v.op {
        SimdOp::FBin(o) => (o, false),
        SimdOp::FBinIdx(o) => (o, true),
        _ => return None,
    };
    if !v.q || v.scalar || !matches!(v.size, 2 | 3) {
        return None;
    }
    match op {
        FBin::Fadd | FBin::Fsub | FBin::Fmul => {}
        FBin::Fmla | FBin::Fmls if fused => {}
        _ => return None,
    }
    Some((v, op, indexed))
}

impl Lift<'_> {
    /// A SIMD float operation of [`simd_fast_op`] as one Wasm vector operation when the floating-point fast mode
    /// is on and every result lane is big (the condition of the scalar fast paths, `fp.rs`: the Wasm result is
    /// the correctly rounded one and only IXC, already set, can arise); otherwise the instruction's semantics
    /// lane by lane, as always.
    pub(super) fn emit_simd_fast(&mut self, insn: Insn, (v, op, indexed): (Vector, FBin, bool)) {
        let d = v.size == 3;
        let a = self.vreg(v.rn);
        let mut b = self.vreg(v.rm);
        self.uses_fast_fp = true;
        if indexed {
            let lane = v.imm;
            let splat = self.temp(ValType::V128);
            self.cur.push(I::LocalGet(b));
            self.cur.extend(splat_lane(lane, d));
            self.cur.push(I::LocalSet(splat));
            b = splat;
        }
        let acc = matches!(op, FBin::Fmla | FBin::Fmls).then(|| self.vreg(v.rd));
        self.cur.push(I::LocalGet(a));
        self.cur.extend(simd_fast_body(op, d, b, acc));
        let r = self.temp(ValType::V128);
        self.cur.push(I::LocalSet(r));
        // Two branches to the semantics rather than one on a combined condition: the fast mode's is the same
        // every time round a loop. A lane that is not big may still be an exact zero (a ReLU's zeros times
        // weights), tested only then.
        self.cur.extend([
            I::Block(BlockType::Empty), // $done
            I::Block(BlockType::Empty), // $slow
            I::Block(BlockType::Empty), // $zeros
            I::LocalGet(L_FPFAST),
            I::I32Eqz,
        ]);
        self.cur.extend(super::br_unlikely(1));
        self.cur.extend(any_not_big(&[r], d));
        self.cur.extend(super::br_unlikely(0));
        self.cur.extend([I::Br(2), I::End]);
        self.cur.extend(any_inexact(op, d, r, [a, b], acc));
        self.cur.extend([I::BrIf(0), I::Br(1), I::End]);
        self.depth += 1;
        let before = self.pending.len();
        elfrun_interp::a64::exec(self, insn);
        let slow: Vec<_> = self.pending.drain(before..).collect();
        match slow[..] {
            [(RegSlot::Vec(rd), q)] if rd == v.rd & 31 => {
                self.cur.extend([I::LocalGet(q), I::LocalSet(r)]);
            }
            // Not what the semantics of these instructions do: leave it to the interpreter.
            _ => self.unsupported(),
        }
        self.depth -= 1;
        self.cur.push(I::End);
        self.pending.push((RegSlot::Vec(v.rd & 31), r));
    }
}

/// Lane 0 of the vector on the stack, as an f64 (`d`) or f32.
fn lane0(d: bool) -> I<'static> {
    if d {
        I::F64x2ExtractLane(0)
    } else {
        I::F32x4ExtractLane(0)
    }
}

/// The scalar in local `s` as a V register's vector: the element, upper bits zero.
fn to_vector(s: u32, d: bool) -> [I<'static>; 3] {
    [
        I::V128Const(0),
        I::LocalGet(s),
        if d {
            I::F64x2ReplaceLane(0)
        } else {
            I::F32x4ReplaceLane(0)
        },
    ]
}

/// The Wasm code of [`simd_fast_op`] `op` on doubles (`d`) or singles, its first operand on the stack, its
/// second in local `b` and (FMLA, FMLS) its accumulator in `acc`.
fn simd_fast_body(op: FBin, d: bool, b: u32, acc: Option<u32>) -> Vec<I<'static>> {
    let (add, sub, mul, madd, neg) = if d {
        (
            I::F64x2Add,
            I::F64x2Sub,
            I::F64x2Mul,
            I::F64x2RelaxedMadd,
            I::F64x2Neg,
        )
    } else {
        (
            I::F32x4Add,
            I::F32x4Sub,
            I::F32x4Mul,
            I::F32x4RelaxedMadd,
            I::F32x4Neg,
        )
    };
    match op {
        FBin::Fadd => vec![I::LocalGet(b), add],
        FBin::Fsub => vec![I::LocalGet(b), sub],
        FBin::Fmul => vec![I::LocalGet(b), mul],
        _ => {
            let acc = acc.expect("FMLA and FMLS accumulate");
            let mut code = Vec::new();
            if op == FBin::Fmls {
                code.push(neg);
            }
            code.extend([I::LocalGet(b), I::LocalGet(acc), madd]);
            code
        }
    }
}

/// How a group of a vector loop tests its results ([`Lift::group_loop`]): each must be one the scalar fast
/// paths accept (`fp.rs`, as [`any_inexact`]), tested by what its operation needs.
struct Checks {
    d: bool,
    /// Multiply-adds' results: big (finite, above the smallest normal), [`any_not_big`] on them all at the end.
    big: Vec<u32>,
    /// Lanes that fail, computed as each result is made (its operands die there): a sum or difference that is
    /// not finite (any finite one is exact or big); a product that is not big unless a factor is zero (a ReLU's
    /// zeros times weights: an exact zero).
    masks: Vec<u32>,
}

impl Checks {
    fn add(
        &mut self,
        l: &mut Lift<'_>,
        code: &mut Vec<I<'static>>,
        q: u32,
        op: FBin,
        ab: [u32; 2],
    ) {
        let d = self.d;
        match op {
            FBin::Fadd | FBin::Fsub => code.extend(not_finite_lanes(q, d)),
            FBin::Fmul => {
                code.extend(not_big_lanes(q, d));
                code.extend(zero_lanes(ab[0], d));
                code.extend(zero_lanes(ab[1], d));
                code.extend([I::V128Or, I::V128AndNot]);
            }
            _ => {
                self.big.push(q);
                return;
            }
        }
        let m = l.temp(ValType::V128);
        code.push(I::LocalSet(m));
        self.masks.push(m);
    }

    /// Pushes the tests' i32s (non-zero: the group fails); returns how many.
    fn finish(&self, code: &mut Vec<I<'static>>) -> usize {
        let mut tests = 0;
        if !self.big.is_empty() {
            code.extend(any_not_big(&self.big, self.d));
            tests += 1;
        }
        if let [first, rest @ ..] = &self.masks[..] {
            code.push(I::LocalGet(*first));
            for &m in rest {
                code.extend([I::LocalGet(m), I::V128Or]);
            }
            code.push(I::V128AnyTrue);
            tests += 1;
        }
        tests
    }
}

/// The vectors a vector loop's operations read of the registers it does not write ([`Lift::emit_vector_loop`]).
struct Invariants {
    /// By register: lane 0 in every lane (loops of scalars) or the whole register (loops of whole vectors).
    whole: [Option<u32>; 32],
    /// Register, element, and the local holding that element in every lane.
    lanes: Vec<(Reg, u8, u32)>,
}

impl Invariants {
    fn lane(&self, r: Reg, lane: u8) -> u32 {
        let found = self.lanes.iter().find(|&&(q, l, _)| (q, l) == (r, lane));
        found
            .expect("emit_vector_loop splats every element by index")
            .2
    }
}

/// `extmul` by narrow element size (8, 16, 32 bits), half (low, high) and signedness (signed, unsigned).
const EXTMUL: [[[I<'static>; 2]; 2]; 3] = [
    [
        [I::I16x8ExtMulLowI8x16S, I::I16x8ExtMulLowI8x16U],
        [I::I16x8ExtMulHighI8x16S, I::I16x8ExtMulHighI8x16U],
    ],
    [
        [I::I32x4ExtMulLowI16x8S, I::I32x4ExtMulLowI16x8U],
        [I::I32x4ExtMulHighI16x8S, I::I32x4ExtMulHighI16x8U],
    ],
    [
        [I::I64x2ExtMulLowI32x4S, I::I64x2ExtMulLowI32x4U],
        [I::I64x2ExtMulHighI32x4S, I::I64x2ExtMulHighI32x4U],
    ],
];

/// `extend`, indexed as [`EXTMUL`].
const EXTEND: [[[I<'static>; 2]; 2]; 3] = [
    [
        [I::I16x8ExtendLowI8x16S, I::I16x8ExtendLowI8x16U],
        [I::I16x8ExtendHighI8x16S, I::I16x8ExtendHighI8x16U],
    ],
    [
        [I::I32x4ExtendLowI16x8S, I::I32x4ExtendLowI16x8U],
        [I::I32x4ExtendHighI16x8S, I::I32x4ExtendHighI16x8U],
    ],
    [
        [I::I64x2ExtendLowI32x4S, I::I64x2ExtendLowI32x4U],
        [I::I64x2ExtendHighI32x4S, I::I64x2ExtendHighI32x4U],
    ],
];

/// A guest SIMD widening integer operation that is one or two Wasm vector operations
/// ([`Lift::emit_simd_long`]): SMULL/UMULL, SMLAL/UMLAL, SMLSL/UMLSL (also by element), SADDL/UADDL,
/// SSUBL/USUBL, SADDW/UADDW, SSUBW/USUBW on 8-, 16- or 32-bit elements, lower or upper halves (the `2` forms).
pub(super) fn simd_long_op(insn: Insn) -> Option<(Vector, Diff, bool)> {
    let Insn::Simd(Simd::Vector(v)) = insn else {
        return None;
    };
    let (op, indexed) = match v.op {
        SimdOp::Diff(o) => (o, false),
        SimdOp::DiffIdx(o) => (o, true),
        _ => return None,
    };
    use Diff::*;
    let ok = match op {
        Smull | Umull | Smlal | Umlal | Smlsl | Umlsl => true,
        Saddl | Uaddl | Ssubl | Usubl | Saddw | Uaddw | Ssubw | Usubw => !indexed,
        _ => false,
    };
    (ok && !v.scalar && v.size <= 2 && !(indexed && v.size == 0)).then_some((v, op, indexed))
}

impl Lift<'_> {
    /// An operation of [`simd_long_op`]: Wasm's `extmul`, `extend` and wide `add`/`sub` compute exactly what
    /// the semantics compute lane by lane (wrapping, no flags).
    pub(super) fn emit_simd_long(&mut self, (v, op, indexed): (Vector, Diff, bool)) {
        use Diff::*;
        let high = v.q;
        let signed = matches!(op, Smull | Smlal | Smlsl | Saddl | Ssubl | Saddw | Ssubw);
        let a = self.vreg(v.rn);
        let mut b = self.vreg(v.rm);
        if indexed {
            let splat = self.temp(ValType::V128);
            let lane = v.imm;
            self.cur.push(I::LocalGet(b));
            self.cur.extend(if v.size == 1 {
                [I::I16x8ExtractLaneU(lane), I::I16x8Splat]
            } else {
                [I::I32x4ExtractLane(lane), I::I32x4Splat]
            });
            self.cur.push(I::LocalSet(splat));
            b = splat;
        }
        // Wasm's forms by element size (8, 16, 32 bits) and half: extmul and extend signed/unsigned.
        let i = (v.size.min(2) as usize, high as usize, !signed as usize);
        let (extmul, extend) = (EXTMUL[i.0][i.1][i.2].clone(), EXTEND[i.0][i.1][i.2].clone());
        let (add, sub) = match v.size {
            0 => (I::I16x8Add, I::I16x8Sub),
            1 => (I::I32x4Add, I::I32x4Sub),
            _ => (I::I64x2Add, I::I64x2Sub),
        };
        match op {
            Smull | Umull => self.cur.extend([I::LocalGet(a), I::LocalGet(b), extmul]),
            Smlal | Umlal | Smlsl | Umlsl => {
                let d = self.vreg(v.rd);
                let acc = if matches!(op, Smlal | Umlal) {
                    add
                } else {
                    sub
                };
                self.cur
                    .extend([I::LocalGet(d), I::LocalGet(a), I::LocalGet(b), extmul, acc]);
            }
            Saddl | Uaddl | Ssubl | Usubl => {
                let op = if matches!(op, Saddl | Uaddl) {
                    add
                } else {
                    sub
                };
                self.cur
                    .extend([I::LocalGet(a), extend.clone(), I::LocalGet(b), extend, op]);
            }
            _ => {
                // The wide forms: the first operand is already wide.
                let op = if matches!(op, Saddw | Uaddw) {
                    add
                } else {
                    sub
                };
                self.cur
                    .extend([I::LocalGet(a), I::LocalGet(b), extend, op]);
            }
        }
        let r = self.temp(ValType::V128);
        self.cur.push(I::LocalSet(r));
        self.set_vreg(v.rd, r);
    }
}

/// A guest-memory access at a constant offset from the address on the stack (which the bounds check covered).
fn vec_memarg(offset: u64) -> wasm_encoder::MemArg {
    wasm_encoder::MemArg {
        offset,
        ..memarg(0)
    }
}

/// Whether some lane of the vectors in locals `qs` is not big (big: finite, magnitude above the smallest
/// normal), as an i32 on the stack.
///
/// A lane's magnitude `m` (its bits without the sign) is big when `MIN_NORMAL < m < INFINITY`, i.e. when
/// `m − (MIN_NORMAL + 1)` is below `INFINITY − MIN_NORMAL − 1` as an unsigned number. Adding the sign bit turns
/// that into a signed comparison, which SIMD has: `t = m + SIGN − (MIN_NORMAL + 1)` (wrapping) is at most
/// `SIGN + INFINITY − MIN_NORMAL − 2` exactly when `m` is big. So a lane is not big when `t` is greater than
/// that bound — one AND, one add and one compare per vector, each with a constant operand the engine reads
/// from memory (the two bounds' compares needed two more operations and a register). Single-precision `t`s
/// are combined by a signed maximum before the one compare; doubles (SIMD128 has no i64x2 maximum) by OR-ing
/// the compares. Unit test: `not_big_is_the_range_check`.
fn any_not_big(qs: &[u32], d: bool) -> Vec<I<'static>> {
    let mut code = Vec::new();
    let (_, bound) = not_big_consts(d);
    for (k, &q) in qs.iter().enumerate() {
        code.extend(biased_magnitude(q, d));
        if d {
            code.extend([I::V128Const(splat(bound, d)), I::I64x2GtS]);
        }
        if k > 0 {
            code.push(if d { I::V128Or } else { I::I32x4MaxS });
        }
    }
    if !d {
        code.extend([I::V128Const(splat(bound, d)), I::I32x4GtS]);
    }
    code.push(I::V128AnyTrue);
    code
}

/// After [`any_not_big`] found a lane of `r` that is not big, the result of a [`simd_fast_op`] `op` on `ab`
/// (and the accumulator `acc` of FMLA/FMLS): whether some lane is not one the scalar fast paths accept either
/// (`fp.rs`, "Zeros"). A sum or difference is exact whenever it is at or below the smallest normal, so any
/// finite lane will do; a product that is zero is exact where a factor is zero; a multiply-add where its
/// product's factor and its accumulator are zeros. Any other zero or tiny result may have underflowed.
fn any_inexact(op: FBin, d: bool, r: u32, ab: [u32; 2], acc: Option<u32>) -> Vec<I<'static>> {
    if let FBin::Fadd | FBin::Fsub = op {
        let mut code = not_finite_lanes(r, d).to_vec();
        code.push(I::V128AnyTrue);
        return code;
    }
    // Lanes not big, and not an exact zero.
    let mut code = not_big_lanes(r, d).to_vec();
    code.extend(zero_lanes(r, d));
    code.extend(zero_lanes(ab[0], d));
    code.extend(zero_lanes(ab[1], d));
    code.extend([I::V128Or, I::V128And]);
    if let Some(acc) = acc {
        code.extend(zero_lanes(acc, d));
        code.push(I::V128And);
    }
    code.extend([I::V128AndNot, I::V128AnyTrue]);
    code
}

/// All ones in the lanes of local `q` that are infinite or NaN (a magnitude above the largest finite one).
fn not_finite_lanes(q: u32, d: bool) -> [I<'static>; 5] {
    let inf = if d {
        0x7ff0_0000_0000_0000
    } else {
        0x7f80_0000
    };
    [
        I::LocalGet(q),
        I::V128Const(magnitude_mask(d)),
        I::V128And,
        I::V128Const(splat(inf - 1, d)),
        if d { I::I64x2GtS } else { I::I32x4GtS },
    ]
}

/// All ones in the lanes of local `q` that are not big ([`any_not_big`]'s test, lane by lane).
fn not_big_lanes(q: u32, d: bool) -> [I<'static>; 7] {
    let (_, bound) = not_big_consts(d);
    let [a, b, c, e, f] = biased_magnitude(q, d);
    [
        a,
        b,
        c,
        e,
        f,
        I::V128Const(splat(bound, d)),
        if d { I::I64x2GtS } else { I::I32x4GtS },
    ]
}

/// All ones in the lanes of local `q` that are ±0.
fn zero_lanes(q: u32, d: bool) -> [I<'static>; 5] {
    [
        I::LocalGet(q),
        I::V128Const(magnitude_mask(d)),
        I::V128And,
        I::V128Const(0),
        if d { I::I64x2Eq } else { I::I32x4Eq },
    ]
}

/// Element `lane` of the vector on the stack in every lane, for doubles (`d`) or singles.
fn splat_lane(lane: u8, d: bool) -> [I<'static>; 2] {
    if d {
        [I::F64x2ExtractLane(lane), I::F64x2Splat]
    } else {
        [I::F32x4ExtractLane(lane), I::F32x4Splat]
    }
}

/// Every lane's sign bit clear, for doubles (`d`) or singles.
fn magnitude_mask(d: bool) -> i128 {
    splat(i64::MAX >> if d { 0 } else { 32 }, d)
}

/// Each lane's magnitude of the V128 local `q` plus [`not_big_consts`]' bias: above its bound (signed) where
/// the lane is not big.
fn biased_magnitude(q: u32, d: bool) -> [I<'static>; 5] {
    let (bias, _) = not_big_consts(d);
    [
        I::LocalGet(q),
        I::V128Const(magnitude_mask(d)),
        I::V128And,
        I::V128Const(splat(bias, d)),
        if d { I::I64x2Add } else { I::I32x4Add },
    ]
}

/// [`any_not_big`]'s bias and bound (sign-extended lane values) for doubles (`d`) or singles.
fn not_big_consts(d: bool) -> (i64, i64) {
    let (sign, min_normal, inf): (i64, i64, i64) = if d {
        (i64::MIN, 0x0010_0000_0000_0000, 0x7ff0_0000_0000_0000)
    } else {
        (i32::MIN as i64, 0x0080_0000, 0x7f80_0000)
    };
    let wrap = |v: i64| if d { v } else { v as i32 as i64 };
    (
        wrap(sign.wrapping_sub(min_normal + 1)),
        wrap(sign.wrapping_add(inf - min_normal - 2)),
    )
}

/// `v`'s low 64 (`d`) or 32 bits in every lane.
fn splat(v: i64, d: bool) -> i128 {
    if d { i64x2(v) } else { i32x4(v as i32) }
}

fn i64x2(v: i64) -> i128 {
    let v = v as u64 as u128;
    (v | v << 64) as i128
}

fn i32x4(v: i32) -> i128 {
    let v = v as u32 as u128;
    (v | v << 32 | v << 64 | v << 96) as i128
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A block of `words` at 0x1000 that ends in a branch back to its start.
    fn block(words: &[u32]) -> BlockPlan {
        BlockPlan {
            start: 0x1000,
            insns: words.iter().map(|&w| elfrun_interp::decode(w)).collect(),
        }
    }

    #[test]
    fn mlp_and_daxpy_loops_are_recognised() {
        // ldr s1, [x3, x0]; ldr s0, [x1, x0]; fmadd s0, s1, s2, s0; str s0, [x1, x0]; add x0, x0, #4;
        // cmp x0, #0x100; b.ne
        let mlp = [
            0xbc606861, 0xbc606820, 0x1f020020, 0xbc206820, 0x91001000, 0xf104001f, 0x54ffff41,
        ];
        let v = recognise(&block(&mlp), true).expect("the MLP loop");
        assert_eq!(
            (v.ty, v.index, v.step, v.shift, v.w32, v.limit, v.swapped),
            (FpTy::S, 0, 4, 0, false, Limit::Imm(0x100), false)
        );
        assert_eq!(
            v.ops,
            [
                VOp::Load { rt: 1, base: 3 },
                VOp::Load { rt: 0, base: 1 },
                VOp::Dp3 {
                    neg_a: false,
                    neg_n: false,
                    rd: 0,
                    rn: 1,
                    rm: 2,
                    ra: 0
                },
                VOp::Store { rt: 0, base: 1 },
            ]
        );
        // Without a fused relaxed_madd the multiply-add stays scalar.
        assert_eq!(recognise(&block(&mlp), false), None);
        // ldr d2, [x2, x0, lsl #3]; ldr d1, [x1, x0, lsl #3]; fmadd d1, d3, d2, d1; str d1, [x1, x0, lsl #3];
        // add x0, x0, #1; cmp w0, #0x12c; b.ne
        let daxpy = [
            0xfc607842, 0xfc607821, 0x1f420461, 0xfc207821, 0x91000400, 0x7104b01f, 0x54ffff41,
        ];
        let v = recognise(&block(&daxpy), true).expect("daxpy");
        assert_eq!(
            (v.ty, v.step, v.shift, v.w32, v.limit),
            (FpTy::D, 1, 3, true, Limit::Imm(0x12c))
        );
        // ldr s0, [x1, x0]; fmul s1, s0, s2; str s1, [x2, x0]; add x0, x0, #4; cmp x5, x0; b.ne
        let swapped = [
            0xbc606820, 0x1e220801, 0xbc206841, 0x91001000, 0xeb0000bf, 0x54ffff61,
        ];
        let v = recognise(&block(&swapped), false).expect("cmp limit, index");
        assert_eq!((v.limit, v.swapped), (Limit::Reg(5), true));
    }

    /// [`any_not_big`]'s lane test — `m + bias > bound`, wrapping and signed at the lane's width, on the
    /// magnitude `m` — against the definition of big, on the bounds' neighbourhoods and pseudo-random bits.
    #[test]
    fn not_big_is_the_range_check() {
        for d in [false, true] {
            let (bias, bound) = not_big_consts(d);
            let (min_normal, inf, max): (u64, u64, u64) = if d {
                (
                    0x0010_0000_0000_0000,
                    0x7ff0_0000_0000_0000,
                    i64::MAX as u64,
                )
            } else {
                (0x0080_0000, 0x7f80_0000, i32::MAX as u64)
            };
            let not_big = |m: u64| {
                if d {
                    (m as i64).wrapping_add(bias) > bound
                } else {
                    (m as i32).wrapping_add(bias as i32) > bound as i32
                }
            };
            let mut bits = vec![0, 1, max, max - 1, 0x1234_5678];
            for b in [min_normal, inf] {
                bits.extend([b - 2, b - 1, b, b + 1, b + 2]);
            }
            let mut x = 0x9e37_79b9_7f4a_7c15_u64;
            for _ in 0..100_000 {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                bits.push(x);
            }
            for b in bits {
                let m = b & max;
                assert_eq!(not_big(m), !(min_normal < m && m < inf), "d={d} m={m:#x}");
            }
        }
    }

    #[test]
    fn loops_that_are_not_elementwise_stay_scalar() {
        // A reduction: fadd s1, s1, s0 reads the s1 of the iteration before.
        let reduction = [
            0xbc606820, 0x1e202821, 0xbc206841, 0x91001000, 0xf104001f, 0x54ffff61,
        ];
        assert_eq!(recognise(&block(&reduction), true), None);
        // ldr s0, [x1, x0, lsl #2] with x0 stepping by 4: every fourth element.
        let strided = [
            0xbc607820, 0x1e220801, 0xbc207841, 0x91001000, 0xeb0000bf, 0x54ffff61,
        ];
        assert_eq!(recognise(&block(&strided), true), None);
        // The MLP loop branching elsewhere than to its start.
        let elsewhere = [
            0xbc606861, 0xbc606820, 0x1f020020, 0xbc206820, 0x91001000, 0xf104001f, 0x54ffff21,
        ];
        assert_eq!(recognise(&block(&elsewhere), true), None);
        // No store: nothing to vectorise.
        let no_store = [0xbc606820, 0x1e220801, 0x91001000, 0xf104001f, 0x54ffff81];
        assert_eq!(recognise(&block(&no_store), true), None);
    }
}
