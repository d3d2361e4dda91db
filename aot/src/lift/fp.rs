//! Inline Wasm fast paths for the commonest floating-point primitives — FADD, FSUB, FMUL, FDIV and FSQRT in
//! single and double precision — bit-exact with the interpreter's `softfp` (the ARM ARM pseudocode), FPSR
//! cumulative flags included. Everything the fast path does not handle calls the `env.fp` helper as before.
//!
//! # When the fast path applies
//!
//! * **FPCR**: RMode = 0 (round to nearest even, what Wasm's `f32`/`f64` ops do) and FZ = 0 (no flushing of
//!   denormal inputs or outputs, so no IDC and no flushed results). DN only changes NaN results and AHP/FZ16
//!   only half precision: the fast path produces neither, so they may have any value.
//! * **Result**: finite, and either *big* (magnitude strictly greater than the smallest normal) or a zero that
//!   is provably exact. An operation is then correctly rounded by Wasm (IEEE 754 round-to-nearest-even, which
//!   AArch64 implements with FPCR.RMode = 0) and the only flag it can raise is IXC:
//!   - no IOC: the invalid cases (∞ − ∞, 0 · ∞, 0/0, ∞/∞, √negative) and NaN operands give NaN, not finite;
//!   - no DZC: x/0 with x ≠ 0 gives ∞;
//!   - no OFC: the result is finite (AArch64 and IEEE both give ∞ on overflow in this mode);
//!   - no UFC: AArch64 (FPCR.AH = 0) detects tininess *before* rounding. A big result r ≥ nextUp(min normal)
//!     means the exact value is above min normal (it is within half an ulp of r), so it is not tiny. A result
//!     of exactly the smallest normal is excluded because the exact value may have been tiny (then UFC).
//!     An exact zero is not tiny either (the pseudocode raises UFC only for a nonzero inexact tiny value);
//!   - no IDC: FZ = 0.
//! * **Zeros**: a sum that rounds to zero *is* zero (two floats' exact sum below 2^-1021 (double) is a
//!   multiple of the smallest subnormal small enough to be representable, so rounding never reaches zero from
//!   a nonzero sum; Hauser 1996), and its sign follows the same IEEE rule as the ARM ARM's FPAdd. In fact
//!   every sum with a result at or below the smallest normal is exact, so Add/Sub accept any finite result.
//!   A product or quotient that rounds to zero is exact only when an operand (the dividend) is zero; any
//!   other zero (tiny · tiny) underflowed, so it takes the helper. √±0 = ±0 exactly; no other square root is
//!   zero (√ of the smallest subnormal is 2^-537) or below the smallest normal.
//!
//! # IXC: is the rounded result the exact one?
//!
//! * Double Add/Sub: Knuth's TwoSum error `e` of `r = x + y` is exact unless an intermediate overflows (then
//!   `e` is ∞ or NaN and the helper takes over; `e` is also NaN whenever `r` is not finite). Inexact ⇔ e ≠ 0.
//! * Single precision: operands are widened to double. Products of two 24-bit significands (48 bits) are
//!   exact in double and quotients and square roots are rounded once there; Figueroa ("When is double
//!   rounding innocuous?", 1995) shows that rounding the double result to single then gives the correctly
//!   rounded single result for +, −, ·, / and √ since 53 ≥ 2·24 + 2. Exactness: sums via TwoSum in double
//!   (which cannot overflow there) plus "the single result equals the double one"; products: the double
//!   product is exact, so exact ⇔ widen(r32) = p. Quotients and square roots: if the exact result is not a
//!   single-precision number it differs from every 24-bit float by a relative 2^-49 or more (|a·2^k − n·b|
//!   ≥ 1 resp. |m − n²| ≥ 1 with n < 2^24), more than the double result's 2^-53 error, so again exact ⇔
//!   widen(r32) = r64.
//! * Double Mul: with `oa`, `ob` the odd parts of the operands' integer significands, the exact product's
//!   significand is `oa·ob` times a power of two; a big result is exact ⇔ `oa·ob` < 2^53. When the two have
//!   more than 64 significant bits together the product is ≥ 2^63 (inexact); otherwise it fits in a u64.
//! * Double Div: q = RN(a/b) is exact ⇔ q·b = a. Odd parts: oq·ob = oa means q·b = a·2^k, and k = 0 since q
//!   is within 2^-53 (relative) of a/b. A product of more than 64 significant bits exceeds oa < 2^53.
//! * Double Sqrt: r exact ⇔ r·r = a, tested the same way (or² = oa, and or² ≥ 2^54 > oa once or has more
//!   than 27 significant bits, so the 32-bit guard keeps the multiplication in range).
//!
//! The inexact bit is ORed into FPSR in the CPU state in memory, like the helper does.

use elfrun_interp::sem::{FpBinOp, FpCmp, FpTy, Rounding, Width};
use elfrun_interp::state::offsets;
use std::collections::HashMap;
use wasm_encoder::{BlockType, Ieee64, Instruction as I, ValType};

use super::{FIRST_TEMP, FP_FUNC, L_FPFAST, Lift, br_unlikely, memarg};
use crate::abi::{FpCall, STATE_ADDR};

/// FPCR bits that must be clear: RMode (23:22) and FZ (24).
pub const FPCR_SLOW: i64 = (3 << 22) | (1 << 24);
/// FPSR.IXC.
const IXC_SHIFT: i64 = 4;

const D_SIGN: i64 = i64::MIN;
const D_MIN_NORMAL: i64 = 0x0010_0000_0000_0000;
const D_INF: i64 = 0x7ff0_0000_0000_0000;
const D_FRAC: i64 = D_MIN_NORMAL - 1;
const S_MIN_NORMAL: i32 = 0x0080_0000;
const S_INF: i32 = 0x7f80_0000;

/// `big(x)` for the single bit pattern in i32 local `bits`: magnitude strictly between the smallest normal and
/// infinity (no underflow, overflow or NaN possible), as i32 0/1 onto the stack.
fn big_s(bits: u32) -> [I<'static>; 7] {
    [
        I::LocalGet(bits),
        I::I32Const(0x7fff_ffff),
        I::I32And,
        I::I32Const(S_MIN_NORMAL + 1),
        I::I32Sub,
        I::I32Const(S_INF - (S_MIN_NORMAL + 1)),
        I::I32LtU,
    ]
}

/// [`big_s`] for the double bit pattern in i64 local `bits`.
fn big_d(bits: u32) -> [I<'static>; 7] {
    [
        I::LocalGet(bits),
        I::I64Const(!D_SIGN),
        I::I64And,
        I::I64Const(D_MIN_NORMAL + 1),
        I::I64Sub,
        I::I64Const(D_INF - (D_MIN_NORMAL + 1)),
        I::I64LtU,
    ]
}

/// The operations with a fast path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FastOp {
    Add,
    Sub,
    Mul,
    Div,
    Sqrt,
    /// Fused `a + b·c` (FMADD, FMLA and the negated forms, whose negations the semantics apply first).
    MulAdd,
}

impl FastOp {
    pub fn of_binop(op: FpBinOp) -> Option<FastOp> {
        Some(match op {
            FpBinOp::Add => FastOp::Add,
            FpBinOp::Sub => FastOp::Sub,
            FpBinOp::Mul => FastOp::Mul,
            FpBinOp::Div => FastOp::Div,
            _ => return None,
        })
    }
}

/// Where the emitted code goes: instructions and the function's extra locals (numbered from `first`).
pub struct Code<'a> {
    pub code: &'a mut Vec<I<'static>>,
    pub temps: &'a mut Vec<ValType>,
    pub first: u32,
    /// Absolute addresses of FPCR and FPSR (the CPU state's).
    pub fpcr: i32,
    pub fpsr: i32,
    /// The i32 local caching "FPCR allows the fast path and FPSR.IXC is set" ([`fast_mode`]). It may be stale
    /// towards 0 (the full body then checks FPCR and FPSR itself and sets it again), never towards 1: whoever
    /// writes FPCR or FPSR other than by setting flags recomputes it.
    pub fast: u32,
    /// `f32x4`/`f64x2.relaxed_madd` are fused ([`crate::BuildInput::fused_madd`]).
    pub fused_madd: bool,
    /// Float views of operand bit patterns ([`FloatViews`]); results get one too.
    pub views: &'a mut FloatViews,
}

/// For i64 locals holding a single's (zero-extended) or a double's bit pattern, where lifted code has the
/// same value as a float at hand: a fast path's `f32`/`f64` result, or a lane of a V register (read by
/// `f32x4`/`f64x2.extract_lane`, which costs nothing on x86-64 for lane 0). Scalar floating-point operations
/// read their operands from these, and V registers are built from them, instead of moving every value between
/// general-purpose and vector registers (two transfers of 2–3 cycles each on the chain of a reduction's
/// additions). Keyed by the bits' local; valid while the block's temps are (cleared with them).
#[derive(Debug, Default)]
pub struct FloatViews(HashMap<u32, (View, bool)>);

/// Where a float view's value is: a local of the float type, or lane `1` of the V128 local `0` (in lanes of
/// the float's size).
#[derive(Clone, Copy, Debug)]
pub enum View {
    Local(u32),
    Lane(u32, u8),
}

impl FloatViews {
    /// The view of `bits` as an `f64` (`double`) or `f32`, if it has one of that type.
    pub fn get(&self, bits: u32, double: bool) -> Option<View> {
        self.0.get(&bits).filter(|v| v.1 == double).map(|v| v.0)
    }
    /// Records `view` (of type `f64` if `double`, else `f32`) for `bits`.
    pub fn insert(&mut self, bits: u32, view: View, double: bool) {
        self.0.insert(bits, (view, double));
    }
    /// The view of `bits` whatever its type (`true`: `f64`).
    pub fn any(&self, bits: u32) -> Option<(View, bool)> {
        self.0.get(&bits).copied()
    }
    pub fn clear(&mut self) {
        self.0.clear();
    }
}

/// Onto the stack: `view` as an `f64` (`double`) or `f32`.
pub fn view_value(view: View, double: bool) -> Vec<I<'static>> {
    match view {
        View::Local(f) => vec![I::LocalGet(f)],
        View::Lane(q, i) if double => vec![I::LocalGet(q), I::F64x2ExtractLane(i)],
        View::Lane(q, i) => vec![I::LocalGet(q), I::F32x4ExtractLane(i)],
    }
}

/// The i64 bit pattern on the stack as the single (`double` false, in its low half) or double it holds.
fn bits_to_float(double: bool) -> Vec<I<'static>> {
    if double {
        vec![I::F64ReinterpretI64]
    } else {
        vec![I::I32WrapI64, I::F32ReinterpretI32]
    }
}

/// Onto the stack: the single (`double` false) or double in the i64 local `v`, as `f32`/`f64` — its view if
/// it has one.
fn as_float(views: &FloatViews, v: u32, double: bool) -> Vec<I<'static>> {
    match views.get(v, double) {
        Some(view) => view_value(view, double),
        None => [vec![I::LocalGet(v)], bits_to_float(double)].concat(),
    }
}

/// Sets the i32 local `fast` to 1 if the FPCR at `fpcr` allows the fast path and FPSR.IXC at `fpsr` is set,
/// else 0: the cheap bodies' condition, tested once where the state may have changed instead of per operation.
pub fn fast_mode(fpcr: i32, fpsr: i32, fast: u32) -> [I<'static>; 14] {
    let [shift, shr, wrap, one, and] = ixc_bit();
    [
        I::I32Const(fpcr),
        I::I64Load(memarg(3)),
        I::I64Const(FPCR_SLOW),
        I::I64And,
        I::I64Eqz,
        I::I32Const(fpsr),
        I::I64Load(memarg(3)),
        shift,
        shr,
        wrap,
        one,
        and,
        I::I32And,
        I::LocalSet(fast),
    ]
}

/// FPSR (i64 on the stack) to its IXC bit (i32 0/1).
fn ixc_bit() -> [I<'static>; 5] {
    [
        I::I64Const(IXC_SHIFT),
        I::I64ShrU,
        I::I32WrapI64,
        I::I32Const(1),
        I::I32And,
    ]
}

impl Code<'_> {
    fn temp(&mut self, ty: ValType) -> u32 {
        self.temps.push(ty);
        self.first + self.temps.len() as u32 - 1
    }
    fn emit<const N: usize>(&mut self, code: [I<'static>; N]) {
        self.code.extend(code);
    }
    fn set<const N: usize>(&mut self, ty: ValType, code: [I<'static>; N]) -> u32 {
        let t = self.temp(ty);
        self.code.extend(code);
        self.code.push(I::LocalSet(t));
        t
    }
}

/// Addresses of FPCR and FPSR in the CPU state at `state`.
pub fn fpscr_addrs(state: u64) -> (i32, i32) {
    (
        (state + offsets::FPCR as u64) as u32 as i32,
        (state + offsets::FPSR as u64) as u32 as i32,
    )
}

/// Emits `op` at `ty` on the i64 locals `ops` (the first one or two for Sqrt and the binary operations), with
/// `slow` (which leaves the helper's i64 result on the stack) for the cases the fast path does not take.
/// Operands with a float view in `c.views` are read from it. Returns the i64 local holding the result's bit
/// pattern, recorded in `c.views` with the `f32`/`f64` local that holds it as a float, or `None` if there is
/// no fast path for `op`/`ty` (nothing emitted).
pub fn emit(
    c: &mut Code<'_>,
    op: FastOp,
    ty: FpTy,
    ops: [u32; 3],
    slow: &[I<'static>],
) -> Option<u32> {
    let [a, b, third] = ops;
    if ty == FpTy::H {
        return None;
    }
    let dbl = ty == FpTy::D;
    let ft = if dbl { ValType::F64 } else { ValType::F32 };
    let out = c.temp(ValType::I64);
    let out_f = c.temp(ft);
    let to_float = bits_to_float(dbl);
    let (fpcr, fpsr) = (c.fpcr, c.fpsr);
    // FPSR.IXC is sticky: once set, whether this result is exact does not matter. The cheap bodies only check
    // that the fast path applies (the double FMA has no cheaper form than the full body, but skips the FPSR
    // update). They run when the `fast` local says so; otherwise the full body checks FPCR itself.
    // The result block's value is the float (its bits follow from it): a float view for what reads it.
    c.emit([
        I::Block(BlockType::Result(ft)), // $done
        I::Block(BlockType::Empty),      // $slow
        I::Block(BlockType::Empty),      // $full
        I::LocalGet(c.fast),
        I::I32Eqz,
    ]);
    c.emit(br_unlikely(0)); // $full
    // The cheap bodies branch to $slow themselves (one compare and branch per test: a combined boolean would
    // be materialised with set-on-condition instructions); the others leave `ok` on the stack.
    let res = match (ty, op) {
        (_, FastOp::MulAdd) if c.fused_madd => {
            let res = fused_muladd(c, ty, a, b, third);
            c.emit([I::I32Eqz]);
            c.emit(br_unlikely(1));
            Ok(res)
        }
        (FpTy::D, FastOp::MulAdd) => Err(muladd_double(c, a, b, third, 1).0),
        (_, FastOp::MulAdd) => Ok(cheap_muladd_single(c, a, b, third, 1)),
        _ => Ok(cheap(c, op, ty, a, b, 1)),
    };
    match res {
        Ok(f) => c.emit([I::LocalGet(f)]),
        Err(bits) => {
            c.emit([I::LocalGet(bits)]);
            c.code.extend(to_float.iter().cloned());
        }
    }
    c.emit([I::Br(2)]);
    c.emit([
        I::End, // $full
        I::I32Const(fpcr),
        I::I64Load(memarg(3)),
        I::I64Const(FPCR_SLOW),
        I::I64And,
        I::I64Const(0),
        I::I64Ne,
        I::BrIf(0), // $slow
    ]);
    // Each body sets `res` (i64) and `inexact` (i32 0/1) and leaves `ok` (i32) on the stack — the double FMA
    // branches to $slow itself, and leaves a constant `ok`.
    let (res, inexact) = match (ty, op) {
        (FpTy::D, FastOp::MulAdd) => {
            let r = muladd_double(c, a, b, third, 0);
            c.emit([I::I32Const(1)]);
            r
        }
        (_, FastOp::MulAdd) => muladd_single(c, a, b, third),
        (FpTy::D, _) => double(c, op, a, b),
        _ => single(c, op, a, b),
    };
    // FPSR |= inexact << IXC; `fast` becomes IXC (FPCR was just checked).
    let new_fpsr = c.temp(ValType::I64);
    c.emit([
        I::I32Eqz,
        I::BrIf(0),
        I::I32Const(fpsr),
        I::I32Const(fpsr),
        I::I64Load(memarg(3)),
        I::LocalGet(inexact),
        I::I64ExtendI32U,
        I::I64Const(IXC_SHIFT),
        I::I64Shl,
        I::I64Or,
        I::LocalTee(new_fpsr),
        I::I64Store(memarg(3)),
        I::LocalGet(new_fpsr),
    ]);
    c.emit(ixc_bit());
    c.emit([I::LocalSet(c.fast), I::LocalGet(res)]);
    c.code.extend(to_float.iter().cloned());
    c.emit([I::Br(1), I::End]); // $slow
    c.code.extend_from_slice(slow);
    c.code.extend(to_float);
    c.emit([I::End, I::LocalTee(out_f)]);
    c.code.extend(if dbl {
        vec![I::I64ReinterpretF64]
    } else {
        vec![I::I32ReinterpretF32, I::I64ExtendI32U]
    });
    c.emit([I::LocalSet(out)]);
    c.views.insert(out, View::Local(out_f), dbl);
    Some(out)
}

/// Onto the stack (i32 0/1): whether a zero result of `op` on the operands' bit patterns in locals `a`, `b` is
/// exact. Mul — an operand is zero; Div — the dividend is; Sqrt — always (only √±0 is zero); Add/Sub — always (a
/// sum that rounds to zero is zero). Zero tests shift the sign out.
fn zero_exact(c: &mut Code<'_>, op: FastOp, double: bool, a: u32, b: u32) {
    let is_zero = |v: u32| -> Vec<I<'static>> {
        if double {
            vec![I::LocalGet(v), I::I64Const(1), I::I64Shl, I::I64Eqz]
        } else {
            vec![
                I::LocalGet(v),
                I::I32WrapI64,
                I::I32Const(1),
                I::I32Shl,
                I::I32Eqz,
            ]
        }
    };
    match op {
        FastOp::Mul => {
            c.code.extend(is_zero(a));
            c.code.extend(is_zero(b));
            c.code.push(I::I32Or);
        }
        FastOp::Div => c.code.extend(is_zero(a)),
        _ => c.code.push(I::I32Const(1)),
    }
}

/// The body for FPSR.IXC already set, for the non-fused operations: Wasm's own correctly rounded
/// (round-to-nearest-even) `f32`/`f64` operation. The rules for taking the result are those of the full bodies:
/// a big result (no underflow, overflow or NaN possible) or an exact zero; a sum may be anything finite.
/// Otherwise it branches to `slow` (a label depth at the body's start). Returns the result's `f32`/`f64` local.
fn cheap(c: &mut Code<'_>, op: FastOp, ty: FpTy, a: u32, b: u32, slow: u32) -> u32 {
    let double = ty == FpTy::D;
    let it = if double { ValType::I64 } else { ValType::I32 };
    let mut code = as_float(c.views, a, double);
    if op != FastOp::Sqrt {
        code.extend(as_float(c.views, b, double));
    }
    code.push(match (op, double) {
        (FastOp::Add, true) => I::F64Add,
        (FastOp::Sub, true) => I::F64Sub,
        (FastOp::Mul, true) => I::F64Mul,
        (FastOp::Div, true) => I::F64Div,
        (_, true) => I::F64Sqrt,
        (FastOp::Add, false) => I::F32Add,
        (FastOp::Sub, false) => I::F32Sub,
        (FastOp::Mul, false) => I::F32Mul,
        (FastOp::Div, false) => I::F32Div,
        (_, false) => I::F32Sqrt,
    });
    let f = c.temp(if double { ValType::F64 } else { ValType::F32 });
    code.push(I::LocalTee(f));
    code.push(if double {
        I::I64ReinterpretF64
    } else {
        I::I32ReinterpretF32
    });
    let bits = c.temp(it);
    c.code.extend(code);
    c.code.push(I::LocalSet(bits));
    // The magnitude, then the range tests on it.
    if double {
        c.emit([I::LocalGet(bits), I::I64Const(!D_SIGN), I::I64And]);
    } else {
        c.emit([I::LocalGet(bits), I::I32Const(0x7fff_ffff), I::I32And]);
    }
    let mag = c.temp(it);
    c.code.push(I::LocalSet(mag));
    if matches!(op, FastOp::Add | FastOp::Sub) {
        if double {
            c.emit([I::LocalGet(mag), I::I64Const(D_INF), I::I64GeU]);
        } else {
            c.emit([I::LocalGet(mag), I::I32Const(S_INF), I::I32GeU]);
        }
        c.emit(br_unlikely(slow));
        return f;
    }
    // block $ok { block $small { not big → $small (rare); → $ok } a zero that is exact → $ok; else $slow }
    c.emit([I::Block(BlockType::Empty), I::Block(BlockType::Empty)]);
    c.emit(if double { big_d(bits) } else { big_s(bits) });
    c.emit([I::I32Eqz]);
    c.emit(br_unlikely(0));
    c.emit([I::Br(1), I::End]);
    if double {
        c.emit([I::LocalGet(mag), I::I64Const(0), I::I64Ne]);
    } else {
        c.emit([I::LocalGet(mag), I::I32Const(0), I::I32Ne]);
    }
    c.emit([I::BrIf(slow + 1)]);
    zero_exact(c, op, double, a, b);
    c.emit([I::I32Eqz, I::BrIf(slow + 1), I::End]);
    f
}

/// The single-precision FMA for FPSR.IXC already set: the double sum `s = a + b·c` (the product is exact) rounds
/// correctly to single unless it lies exactly halfway between two singles (then the double rounding may have
/// created the tie: the full body's round-to-odd decides). The result is taken if it is big and no tie, or a
/// zero sum (two doubles' sum rounds to zero only when it is zero: exact, with IEEE's sign); otherwise the body
/// branches to `slow` (a label depth at its start).
fn cheap_muladd_single(c: &mut Code<'_>, a: u32, b: u32, m: u32, slow: u32) -> u32 {
    let s = c.temp(ValType::F64);
    for v in [a, b, m] {
        c.code.extend(as_float(c.views, v, false));
        c.emit([I::F64PromoteF32]);
    }
    c.emit([I::F64Mul, I::F64Add, I::LocalSet(s)]);
    let f = c.set(ValType::F32, [I::LocalGet(s), I::F32DemoteF64]);
    let bits = c.set(ValType::I32, [I::LocalGet(f), I::I32ReinterpretF32]);
    // block $ok { block $small { not big → $small (rare); a tie → $slow (rare); → $ok } a nonzero sum → $slow }
    c.emit([I::Block(BlockType::Empty), I::Block(BlockType::Empty)]);
    c.emit(big_s(bits));
    c.emit([I::I32Eqz]);
    c.emit(br_unlikely(0));
    // s is halfway between two singles (the 29 bits below a single's last are 1000…0)
    c.emit([
        I::LocalGet(s),
        I::I64ReinterpretF64,
        I::I64Const(0x1fff_ffff),
        I::I64And,
        I::I64Const(0x1000_0000),
        I::I64Eq,
    ]);
    c.emit(br_unlikely(slow + 2));
    c.emit([
        I::Br(1),
        I::End, // $small
        I::LocalGet(s),
        I::F64Const(Ieee64::new(0)),
        I::F64Ne,
        I::BrIf(slow + 1),
        I::End, // $ok
    ]);
    f
}

/// The fused `a + b·c` for FPSR.IXC already set, by the engine's fused relaxed multiply-add on splatted
/// operands (lane 0). `ok`: a big result — a NaN, infinite, zero or subnormal one takes the helper, which
/// decides the flags; a big one raised at most IXC, already set.
fn fused_muladd(c: &mut Code<'_>, ty: FpTy, a: u32, b: u32, m: u32) -> u32 {
    let double = ty == FpTy::D;
    for v in [b, m, a] {
        c.code.extend(as_float(c.views, v, double));
        c.emit([if double { I::F64x2Splat } else { I::F32x4Splat }]);
    }
    if double {
        let f = c.set(ValType::F64, [I::F64x2RelaxedMadd, I::F64x2ExtractLane(0)]);
        let bits = c.set(ValType::I64, [I::LocalGet(f), I::I64ReinterpretF64]);
        c.emit(big_d(bits));
        f
    } else {
        let f = c.set(ValType::F32, [I::F32x4RelaxedMadd, I::F32x4ExtractLane(0)]);
        let bits = c.set(ValType::I32, [I::LocalGet(f), I::I32ReinterpretF32]);
        c.emit(big_s(bits));
        f
    }
}

impl Lift<'_> {
    /// The slow path of a fast-path operation: the helper `call`, or (see [`Lift::fp_slow_exits`]) leaving
    /// for the interpreter at this instruction, which then runs it from scratch (the instruction's register
    /// writes are still pending; an FPSR flag a lane before set again is set again). `emit` and `emit_quiet`
    /// place it directly inside their result block.
    fn fp_slow(&mut self, call: [I<'static>; 5]) -> Vec<I<'static>> {
        if !self.fp_slow_exits() {
            return call.to_vec();
        }
        vec![
            // Marks the exit for `Lift::flush` (registers dead at this pc need not be kept).
            I::Nop,
            I::I64Const(self.pc as i64),
            I::LocalSet(super::L_NPC),
            I::I64Const(crate::abi::Status::FpSlow as i64),
            I::LocalSet(super::L_STATUS),
            I::Br(self.exit_depth() + 1),
        ]
    }

    /// Where the fast paths emit: the current instruction's code and the function's temps, with the state's
    /// FPCR and FPSR.
    fn fp_code(&mut self) -> Code<'_> {
        let (fpcr, fpsr) = fpscr_addrs(STATE_ADDR);
        self.uses_fast_fp = true;
        Code {
            code: &mut self.cur,
            temps: &mut self.temps,
            first: FIRST_TEMP,
            fpcr,
            fpsr,
            fast: L_FPFAST,
            fused_madd: self.m.fused_madd,
            views: &mut self.fviews,
        }
    }

    /// `op` at `ty` on the fast path, with the helper call `call` (on the same operands) for everything else.
    /// `ops` as for [`emit`]. `None` if there is no fast path (half precision); nothing is emitted then.
    pub(super) fn fp_fast(
        &mut self,
        op: FastOp,
        call: FpCall,
        ty: FpTy,
        ops: [u32; 3],
    ) -> Option<u32> {
        let operand = |used: bool, x: u32| if used { I::LocalGet(x) } else { I::I64Const(0) };
        let slow = self.fp_slow([
            I::I32Const(call.encode()),
            I::LocalGet(ops[0]),
            operand(op != FastOp::Sqrt, ops[1]),
            operand(op == FastOp::MulAdd, ops[2]),
            I::Call(FP_FUNC),
        ]);
        let mut c = self.fp_code();
        emit(&mut c, op, ty, ops, &slow)
    }

    /// `op` at `ty` through [`emit_quiet`], with the helper call `call` on `a`, `b` otherwise. `None` for half
    /// precision (nothing emitted).
    pub(super) fn fp_quiet(
        &mut self,
        op: QuietOp,
        call: FpCall,
        ty: FpTy,
        a: u32,
        b: u32,
    ) -> Option<u32> {
        let slow = self.quiet_slow(call, a, b);
        let mut c = self.fp_code();
        emit_quiet(&mut c, op, ty, a, b, &slow)
    }

    /// The slow path of a quiet operation `call` on `a`, `b` ([`Lift::fp_slow`]).
    fn quiet_slow(&mut self, call: FpCall, a: u32, b: u32) -> Vec<I<'static>> {
        self.fp_slow([
            I::I32Const(call.encode()),
            I::LocalGet(a),
            I::LocalGet(b),
            I::I64Const(0),
            I::Call(FP_FUNC),
        ])
    }

    /// FCMP/FCMPE of `a` and `b` through [`emit_compare`]: (NZCV, the compared floats). `None` for half
    /// precision (nothing emitted).
    pub(super) fn fp_compare_floats(
        &mut self,
        call: FpCall,
        ty: FpTy,
        a: u32,
        b: u32,
    ) -> Option<(u32, u32, u32)> {
        let slow = self.quiet_slow(call, a, b);
        let mut c = self.fp_code();
        emit_compare(&mut c, ty, a, b, &slow)
    }
}

impl Lift<'_> {
    /// The conversions with an inline fast path: SCVTF/UCVTF (no fraction bits), FCVT between single and
    /// double, FCVTZS/FCVTZU (no fraction bits) of single or double. `None` for the others (nothing emitted).
    ///
    /// * A 32-bit integer is exact as a double: always inline, no flag, whatever FPCR says.
    /// * Otherwise only in the fast mode (round to nearest, no flush-to-zero, IXC already set), where Wasm's
    ///   round-to-nearest-even conversions give the ARM result and inexactness changes nothing — and only
    ///   where no other flag can arise: a single to double of a non-NaN (exact); a double to single whose
    ///   result is big, or of a zero (no overflow or underflow); a truncation of a value in the integer's range
    ///   (no IOC; not NaN).
    ///
    /// Everything else takes the helper (or, in a loop, leaves for the interpreter: [`Lift::fp_slow`]).
    pub(super) fn fp_conv(&mut self, call: FpCall, a: u32) -> Option<u32> {
        let to_f64 = |views: &FloatViews, ty: FpTy| -> Vec<I<'static>> {
            let mut v = as_float(views, a, ty == FpTy::D);
            if ty != FpTy::D {
                v.push(I::F64PromoteF32);
            }
            v
        };
        // The fast value (i64 on the stack) and when it holds besides the fast mode (i32), if it needs it.
        let (value, cond, needs_mode): (Vec<I<'static>>, Vec<I<'static>>, bool) = match call {
            FpCall::FromInt {
                ty: ty @ (FpTy::S | FpTy::D),
                w,
                signed,
                fbits: 0,
            } => {
                let mut v = vec![I::LocalGet(a)];
                let w32 = w == Width::W32;
                if w32 {
                    v.push(I::I32WrapI64);
                }
                v.push(match (ty, w32, signed) {
                    (FpTy::D, true, true) => I::F64ConvertI32S,
                    (FpTy::D, true, false) => I::F64ConvertI32U,
                    (FpTy::D, false, true) => I::F64ConvertI64S,
                    (FpTy::D, false, false) => I::F64ConvertI64U,
                    (_, true, true) => I::F32ConvertI32S,
                    (_, true, false) => I::F32ConvertI32U,
                    (_, false, true) => I::F32ConvertI64S,
                    (_, false, false) => I::F32ConvertI64U,
                });
                if ty == FpTy::D {
                    v.push(I::I64ReinterpretF64);
                    if w32 {
                        return Some(self.val(ValType::I64, v));
                    }
                } else {
                    v.extend([I::I32ReinterpretF32, I::I64ExtendI32U]);
                }
                (v, vec![I::I32Const(1)], true)
            }
            FpCall::Convert {
                from: FpTy::S,
                to: FpTy::D,
            } => {
                let mut v = to_f64(&self.fviews, FpTy::S);
                v.push(I::I64ReinterpretF64);
                let not_nan = vec![
                    I::LocalGet(a),
                    I::I32WrapI64,
                    I::I32Const(0x7fff_ffff),
                    I::I32And,
                    I::I32Const(S_INF),
                    I::I32LeU,
                ];
                (v, not_nan, true)
            }
            FpCall::Convert {
                from: FpTy::D,
                to: FpTy::S,
            } => {
                let bits = self.temp(ValType::I32);
                let mut v = to_f64(&self.fviews, FpTy::D);
                v.extend([
                    I::F32DemoteF64,
                    I::I32ReinterpretF32,
                    I::LocalTee(bits),
                    I::I64ExtendI32U,
                ]);
                let mut ok = big_s(bits).to_vec();
                ok.extend([
                    I::LocalGet(a),
                    I::I64Const(1),
                    I::I64Shl,
                    I::I64Eqz,
                    I::I32Or,
                ]);
                (v, ok, true)
            }
            FpCall::ToInt {
                ty: ty @ (FpTy::S | FpTy::D),
                w,
                signed,
                fbits: 0,
                rounding: Rounding::Zero,
            } => {
                let w32 = w == Width::W32;
                let mut v = to_f64(&self.fviews, ty);
                v.push(match (w32, signed) {
                    (true, true) => I::I32TruncSatF64S,
                    (true, false) => I::I32TruncSatF64U,
                    (false, true) => I::I64TruncSatF64S,
                    (false, false) => I::I64TruncSatF64U,
                });
                if w32 {
                    v.push(I::I64ExtendI32U);
                }
                // In range (after truncation toward zero), as softfp's fast path has it; NaN is not.
                let lim = if w32 {
                    4_294_967_296.0
                } else {
                    18_446_744_073_709_551_616.0
                };
                let (lo, hi) = if signed {
                    (-(lim / 2.0) - 1.0, lim / 2.0)
                } else {
                    (-1.0, lim)
                };
                let x = self.temp(ValType::F64);
                let mut ok = to_f64(&self.fviews, ty);
                ok.extend([
                    I::LocalTee(x),
                    I::F64Const(Ieee64::from(lo)),
                    I::F64Gt,
                    I::LocalGet(x),
                    I::F64Const(Ieee64::from(hi)),
                    I::F64Lt,
                    I::I32And,
                ]);
                (v, ok, true)
            }
            _ => return None,
        };
        let slow = self.fp_slow([
            I::I32Const(call.encode()),
            I::LocalGet(a),
            I::I64Const(0),
            I::I64Const(0),
            I::Call(FP_FUNC),
        ]);
        if needs_mode {
            self.uses_fast_fp = true;
        }
        // block $done (result i64) { block $slow { value; not ok → $slow (rare); → $done } slow }
        let mut code = vec![
            I::Block(BlockType::Result(ValType::I64)),
            I::Block(BlockType::Empty),
        ];
        code.extend(value);
        code.extend(cond);
        if needs_mode {
            code.extend([I::LocalGet(L_FPFAST), I::I32And]);
        }
        code.push(I::I32Eqz);
        code.extend(br_unlikely(0));
        code.extend([I::Br(1), I::End]);
        code.extend(slow);
        code.push(I::End);
        Some(self.val(ValType::I64, code))
    }
}

/// A stand-alone module for testing the fast path against `softfp`: imports `env.fp` (the helper's type; it
/// is called for every case the fast path declines), exports its memory `memory` (one page, the CPU state at
/// address 0, so FPCR and FPSR at their offsets) and `run(a: i64, b: i64, c: i64) -> i64` (unused operands
/// are ignored).
pub fn probe_module(op: FastOp, ty: FpTy, fused_madd: bool) -> Vec<u8> {
    probe(fused_madd, |c, slow| emit(c, op, ty, [0, 1, 2], slow))
}

/// [`probe_module`] for a [`QuietOp`] (operands `a`, `b`).
pub fn probe_module_quiet(op: QuietOp, ty: FpTy) -> Vec<u8> {
    probe(false, |c, slow| emit_quiet(c, op, ty, 0, 1, slow))
}

fn probe(
    fused_madd: bool,
    body: impl FnOnce(&mut Code<'_>, &[I<'static>]) -> Option<u32>,
) -> Vec<u8> {
    use wasm_encoder::{
        CodeSection, EntityType, ExportKind, ExportSection, Function, FunctionSection,
        ImportSection, MemorySection, MemoryType, Module, TypeSection,
    };
    let mut types = TypeSection::new();
    types.ty().function(
        [ValType::I32, ValType::I64, ValType::I64, ValType::I64],
        [ValType::I64],
    );
    types
        .ty()
        .function([ValType::I64, ValType::I64, ValType::I64], [ValType::I64]);
    let mut imports = ImportSection::new();
    imports.import("env", crate::abi::IMPORT_FP, EntityType::Function(0));
    let mut funcs = FunctionSection::new();
    funcs.function(1);
    let mut mems = MemorySection::new();
    mems.memory(MemoryType {
        minimum: 1,
        maximum: Some(1),
        memory64: false,
        shared: false,
        page_size_log2: None,
    });
    let mut exports = ExportSection::new();
    exports.export("run", ExportKind::Func, 1);
    exports.export("memory", ExportKind::Memory, 0);

    let (mut code, mut temps) = (Vec::new(), Vec::new());
    let (fpcr, fpsr) = fpscr_addrs(0);
    // Local 3 is the fast-mode flag, computed from the state like a lifted function's prologue does.
    temps.push(ValType::I32);
    code.extend(fast_mode(fpcr, fpsr, 3));
    let mut c = Code {
        code: &mut code,
        temps: &mut temps,
        first: 3,
        fpcr,
        fpsr,
        fast: 3,
        fused_madd,
        views: &mut FloatViews::default(),
    };
    let slow = [
        I::I32Const(0),
        I::LocalGet(0),
        I::LocalGet(1),
        I::LocalGet(2),
        I::Call(0),
    ];
    let out = body(&mut c, &slow).unwrap_or_else(|| {
        c.code.extend(slow);
        c.code.push(I::LocalSet(0));
        0
    });
    let mut f = Function::new_with_locals_types(temps);
    for i in &code {
        f.instruction(i);
    }
    f.instruction(&I::LocalGet(out));
    f.instruction(&I::End);
    let mut codes = CodeSection::new();
    codes.function(&f);
    let mut m = Module::new();
    m.section(&types)
        .section(&imports)
        .section(&funcs)
        .section(&mems)
        .section(&exports)
        .section(&codes);
    m.finish()
}

/// TwoSum's error term of `r = x + y` (f64 locals), onto the stack.
fn two_sum_err(x: u32, y: u32, r: u32) -> [I<'static>; 10] {
    // bb = r − x; e = (x − (r − bb)) + (y − bb), with bb recomputed (Cranelift shares it).
    [
        I::LocalGet(x),
        I::LocalGet(r),
        I::LocalGet(r),
        I::LocalGet(x),
        I::F64Sub,
        I::F64Sub,
        I::F64Sub,
        I::LocalGet(y),
        I::LocalGet(r),
        I::LocalGet(x),
    ]
}
fn two_sum_tail() -> [I<'static>; 3] {
    [I::F64Sub, I::F64Sub, I::F64Add]
}

/// Double precision. Locals `a`, `b` are the operands' bit patterns.
fn double(c: &mut Code<'_>, op: FastOp, a: u32, b: u32) -> (u32, u32) {
    let x = c.set(ValType::F64, [I::LocalGet(a), I::F64ReinterpretI64]);
    let y = c.set(ValType::F64, [I::LocalGet(b), I::F64ReinterpretI64]);
    if matches!(op, FastOp::Add | FastOp::Sub) {
        // x − y = x + (−y) in every case that reaches the result (NaN payloads do not: they go slow).
        let y = if op == FastOp::Sub {
            c.set(ValType::F64, [I::LocalGet(y), I::F64Neg])
        } else {
            y
        };
        let r = c.set(ValType::F64, [I::LocalGet(x), I::LocalGet(y), I::F64Add]);
        let e = c.temp(ValType::F64);
        c.code.extend(two_sum_err(x, y, r));
        c.code.extend(two_sum_tail());
        c.code.push(I::LocalSet(e));
        let res = c.set(ValType::I64, [I::LocalGet(r), I::I64ReinterpretF64]);
        let inexact = c.set(
            ValType::I32,
            [I::LocalGet(e), I::F64Const(Ieee64::new(0)), I::F64Ne],
        );
        // ok: e finite (which also means r finite: r = ±∞ or NaN makes e NaN).
        c.emit([
            I::LocalGet(e),
            I::F64Abs,
            I::F64Const(Ieee64::new(f64::INFINITY.to_bits())),
            I::F64Lt,
        ]);
        return (res, inexact);
    }
    let r = match op {
        FastOp::Mul => c.set(ValType::F64, [I::LocalGet(x), I::LocalGet(y), I::F64Mul]),
        FastOp::Div => c.set(ValType::F64, [I::LocalGet(x), I::LocalGet(y), I::F64Div]),
        _ => c.set(ValType::F64, [I::LocalGet(x), I::F64Sqrt]),
    };
    let res = c.set(ValType::I64, [I::LocalGet(r), I::I64ReinterpretF64]);
    let big = c.set(ValType::I32, big_d(res));
    // Odd parts of the integer significands (only used when the result is big: then the operands involved
    // are finite and nonzero, so the significands are nonzero).
    let odd = |c: &mut Code<'_>, v: u32| {
        let s = c.set(
            ValType::I64,
            [
                I::LocalGet(v),
                I::I64Const(D_FRAC),
                I::I64And,
                I::LocalGet(v),
                I::I64Const(D_INF),
                I::I64And,
                I::I64Const(0),
                I::I64Ne,
                I::I64ExtendI32U,
                I::I64Const(52),
                I::I64Shl,
                I::I64Or,
            ],
        );
        c.set(
            ValType::I64,
            [I::LocalGet(s), I::LocalGet(s), I::I64Ctz, I::I64ShrU],
        )
    };
    // exact = clz(p) + clz(q) ≥ 64 && p·q `cmp` target.
    let fits_and = |p: u32, q: u32| {
        [
            I::LocalGet(p),
            I::I64Clz,
            I::LocalGet(q),
            I::I64Clz,
            I::I64Add,
            I::I64Const(64),
            I::I64GeU,
            I::LocalGet(p),
            I::LocalGet(q),
            I::I64Mul,
        ]
    };
    let inexact = c.temp(ValType::I32);
    match op {
        FastOp::Mul => {
            let oa = odd(c, a);
            let ob = odd(c, b);
            c.code.extend(fits_and(oa, ob));
            c.emit([
                I::I64Const(1 << 53),
                I::I64LtU,
                I::I32And,
                I::I32Eqz,
                I::LocalSet(inexact),
            ]);
        }
        FastOp::Div => {
            let oq = odd(c, res);
            let ob = odd(c, b);
            let oa = odd(c, a);
            c.code.extend(fits_and(oq, ob));
            c.emit([
                I::LocalGet(oa),
                I::I64Eq,
                I::I32And,
                I::I32Eqz,
                I::LocalSet(inexact),
            ]);
        }
        _ => {
            let or = odd(c, res);
            let oa = odd(c, a);
            c.emit([
                I::LocalGet(or),
                I::I64Clz,
                I::I64Const(32),
                I::I64GeU,
                I::LocalGet(or),
                I::LocalGet(or),
                I::I64Mul,
                I::LocalGet(oa),
                I::I64Eq,
                I::I32And,
                I::I32Eqz,
                I::LocalSet(inexact),
            ]);
        }
    }
    // ok = big || (result is ±0 && that zero is exact); a zero result is exact, so clear `inexact` then.
    c.emit([
        I::LocalGet(inexact),
        I::LocalGet(big),
        I::I32And,
        I::LocalSet(inexact),
        I::LocalGet(big),
        I::LocalGet(res),
        I::I64Const(1),
        I::I64Shl,
        I::I64Eqz,
    ]);
    zero_exact(c, op, true, a, b);
    c.emit([I::I32And, I::I32Or]);
    (res, inexact)
}

/// Single precision, computed in double and narrowed once (see the module docs).
fn single(c: &mut Code<'_>, op: FastOp, a: u32, b: u32) -> (u32, u32) {
    let widen = |c: &mut Code<'_>, v: u32| {
        c.set(
            ValType::F64,
            [
                I::LocalGet(v),
                I::I32WrapI64,
                I::F32ReinterpretI32,
                I::F64PromoteF32,
            ],
        )
    };
    let x = widen(c, a);
    let y = widen(c, b);
    let inexact = c.temp(ValType::I32);
    let r = match op {
        FastOp::Add | FastOp::Sub => {
            let y = if op == FastOp::Sub {
                c.set(ValType::F64, [I::LocalGet(y), I::F64Neg])
            } else {
                y
            };
            let r = c.set(ValType::F64, [I::LocalGet(x), I::LocalGet(y), I::F64Add]);
            // Operands below 2^128 in magnitude: TwoSum cannot overflow in double.
            c.code.extend(two_sum_err(x, y, r));
            c.code.extend(two_sum_tail());
            c.emit([I::F64Const(Ieee64::new(0)), I::F64Ne, I::LocalSet(inexact)]);
            r
        }
        FastOp::Mul => {
            c.emit([I::I32Const(0), I::LocalSet(inexact)]);
            c.set(ValType::F64, [I::LocalGet(x), I::LocalGet(y), I::F64Mul])
        }
        FastOp::Div => {
            c.emit([I::I32Const(0), I::LocalSet(inexact)]);
            c.set(ValType::F64, [I::LocalGet(x), I::LocalGet(y), I::F64Div])
        }
        FastOp::Sqrt => {
            c.emit([I::I32Const(0), I::LocalSet(inexact)]);
            c.set(ValType::F64, [I::LocalGet(x), I::F64Sqrt])
        }
        FastOp::MulAdd => unreachable!("muladd_single"),
    };
    let r32 = c.set(ValType::F32, [I::LocalGet(r), I::F32DemoteF64]);
    let bits = c.set(ValType::I32, [I::LocalGet(r32), I::I32ReinterpretF32]);
    let res = c.set(ValType::I64, [I::LocalGet(bits), I::I64ExtendI32U]);
    // inexact |= widen(r32) ≠ r
    c.emit([
        I::LocalGet(inexact),
        I::LocalGet(r32),
        I::F64PromoteF32,
        I::LocalGet(r),
        I::F64Ne,
        I::I32Or,
        I::LocalSet(inexact),
    ]);
    let mag = c.set(
        ValType::I32,
        [I::LocalGet(bits), I::I32Const(0x7fff_ffff), I::I32And],
    );
    match op {
        // Any finite result (r32 finite implies finite operands: ±∞ or NaN in gives ±∞ or NaN out).
        FastOp::Add | FastOp::Sub => c.emit([I::LocalGet(mag), I::I32Const(S_INF), I::I32LtU]),
        _ => {
            c.emit(big_s(bits));
            c.emit([I::LocalGet(mag), I::I32Eqz]);
            zero_exact(c, op, false, a, b);
            c.emit([I::I32And, I::I32Or]);
        }
    }
    (res, inexact)
}

/// `x + y` rounded to odd on f64 locals: the sum's bit pattern (i64 local) and its TwoSum error (f64 local).
/// Rounding to odd is truncation (toward zero) with the last bit set if inexact: a nonzero error of the other
/// sign than the sum means the exact value is one unit closer to zero than the rounded sum (the bit pattern
/// minus one), so `odd = (sum − (inexact ∧ signs differ)) | inexact`. A non-finite error (overflow, ∞ or NaN in)
/// is left for the caller to reject.
fn add_round_odd(c: &mut Code<'_>, x: u32, y: u32) -> (u32, u32) {
    let s = c.set(ValType::F64, [I::LocalGet(x), I::LocalGet(y), I::F64Add]);
    let e = c.temp(ValType::F64);
    c.code.extend(two_sum_err(x, y, s));
    c.code.extend(two_sum_tail());
    c.code.push(I::LocalSet(e));
    let sb = c.set(ValType::I64, [I::LocalGet(s), I::I64ReinterpretF64]);
    let inexact = c.set(
        ValType::I64,
        [
            I::LocalGet(e),
            I::F64Const(Ieee64::new(0)),
            I::F64Ne,
            I::I64ExtendI32U,
        ],
    );
    let odd = c.set(
        ValType::I64,
        [
            I::LocalGet(sb),
            I::LocalGet(inexact),
            I::LocalGet(e),
            I::I64ReinterpretF64,
            I::LocalGet(sb),
            I::I64Xor,
            I::I64Const(63),
            I::I64ShrU,
            I::I64And,
            I::I64Sub,
            I::LocalGet(inexact),
            I::I64Or,
        ],
    );
    (odd, e)
}

/// Biased exponent of the double bit pattern in local `x`, minus `lo`, onto the stack (as i64; an unsigned
/// comparison against a span then checks a range).
fn exp_minus(x: u32, lo: i64) -> [I<'static>; 6] {
    [
        I::LocalGet(x),
        I::I64Const(52),
        I::I64ShrU,
        I::I64Const(0x7ff),
        I::I64And,
        I::I64Const(lo),
    ]
}

/// Single-precision fused `a + b·c`, as the interpreter's `softfp::fast::muladd_s`: the product of two
/// singles is exact in double; the double sum rounded to odd then rounds correctly to single (Boldo and
/// Melquiond: 53 ≥ 24 + 2). Inexact ⇔ the sum or the narrowing was.
fn muladd_single(c: &mut Code<'_>, a: u32, b: u32, m: u32) -> (u32, u32) {
    let widen = |v: u32| {
        [
            I::LocalGet(v),
            I::I32WrapI64,
            I::F32ReinterpretI32,
            I::F64PromoteF32,
        ]
    };
    let x = c.set(ValType::F64, widen(a));
    let p = c.temp(ValType::F64);
    c.emit(widen(b));
    c.emit(widen(m));
    c.emit([I::F64Mul, I::LocalSet(p)]);
    let (sb, e) = add_round_odd(c, x, p);
    let s = c.set(ValType::F64, [I::LocalGet(sb), I::F64ReinterpretI64]);
    let r32 = c.set(ValType::F32, [I::LocalGet(s), I::F32DemoteF64]);
    let bits = c.set(ValType::I32, [I::LocalGet(r32), I::I32ReinterpretF32]);
    let res = c.set(ValType::I64, [I::LocalGet(bits), I::I64ExtendI32U]);
    let inexact = c.set(
        ValType::I32,
        [
            I::LocalGet(e),
            I::F64Const(Ieee64::new(0)),
            I::F64Ne,
            I::LocalGet(r32),
            I::F64PromoteF32,
            I::LocalGet(s),
            I::F64Ne,
            I::I32Or,
        ],
    );
    // ok = (big result && finite error) || exact zero (a zero sum with no error: its sign is IEEE's, as the
    // ARM ARM's FPMulAdd gives it).
    c.emit(big_s(bits));
    c.emit([
        I::LocalGet(e),
        I::F64Abs,
        I::F64Const(Ieee64::new(f64::INFINITY.to_bits())),
        I::F64Lt,
        I::I32And,
        I::LocalGet(s),
        I::F64Const(Ieee64::new(0)),
        I::F64Eq,
        I::LocalGet(e),
        I::F64Const(Ieee64::new(0)),
        I::F64Eq,
        I::I32And,
        I::I32Or,
    ]);
    (res, inexact)
}

/// Double-precision fused `a + b·c`, as the interpreter's `softfp::fast::muladd_d`: Dekker's exact product
/// `ph + pl = b·c` (Veltkamp splits), `th + tl = a + ph` exactly, then `RN(th + RO(tl + pl))` (Boldo and
/// Melquiond, IEEE TC 2008). The operands are kept within [2^-480, 2^481) (a may also be zero) and the result
/// at or above 2^-900, so nothing overflows or underflows and every transformation is exact.
///
/// Where the fast path does not apply the body branches to `slow` (a label depth at its start), one compare and
/// branch per test.
fn muladd_double(c: &mut Code<'_>, a: u32, b: u32, m: u32, slow: u32) -> (u32, u32) {
    const LO: i64 = 1023 - 480;
    const SPAN: i64 = 960;
    let f = |c: &mut Code<'_>, v: u32| c.set(ValType::F64, [I::LocalGet(v), I::F64ReinterpretI64]);
    // block $a { b, c out of range → $slow; a in range → $a; a nonzero → $slow }
    c.emit([I::Block(BlockType::Empty)]);
    for v in [b, m] {
        c.emit(exp_minus(v, LO));
        c.emit([I::I64Sub, I::I64Const(SPAN), I::I64GeU, I::BrIf(slow + 1)]);
    }
    c.emit(exp_minus(a, LO));
    c.emit([I::I64Sub, I::I64Const(SPAN), I::I64LtU, I::BrIf(0)]);
    c.emit([
        I::LocalGet(a),
        I::I64Const(1),
        I::I64Shl,
        I::I64Const(0),
        I::I64Ne,
        I::BrIf(slow + 1),
        I::End,
    ]);
    let x = f(c, a);
    let y = f(c, b);
    let z = f(c, m);
    // Veltkamp split: t = (2^27 + 1)·v, hi = t − (t − v), lo = v − hi.
    let split = |c: &mut Code<'_>, v: u32| {
        let t = c.set(
            ValType::F64,
            [
                I::F64Const(Ieee64::new(134_217_729f64.to_bits())),
                I::LocalGet(v),
                I::F64Mul,
            ],
        );
        let hi = c.set(
            ValType::F64,
            [
                I::LocalGet(t),
                I::LocalGet(t),
                I::LocalGet(v),
                I::F64Sub,
                I::F64Sub,
            ],
        );
        let lo = c.set(ValType::F64, [I::LocalGet(v), I::LocalGet(hi), I::F64Sub]);
        (hi, lo)
    };
    let ph = c.set(ValType::F64, [I::LocalGet(y), I::LocalGet(z), I::F64Mul]);
    let (yh, yl) = split(c, y);
    let (zh, zl) = split(c, z);
    // pl = ((yh·zh − ph) + yh·zl + yl·zh) + yl·zl
    let pl = c.set(
        ValType::F64,
        [
            I::LocalGet(yh),
            I::LocalGet(zh),
            I::F64Mul,
            I::LocalGet(ph),
            I::F64Sub,
            I::LocalGet(yh),
            I::LocalGet(zl),
            I::F64Mul,
            I::F64Add,
            I::LocalGet(yl),
            I::LocalGet(zh),
            I::F64Mul,
            I::F64Add,
            I::LocalGet(yl),
            I::LocalGet(zl),
            I::F64Mul,
            I::F64Add,
        ],
    );
    let th = c.set(ValType::F64, [I::LocalGet(x), I::LocalGet(ph), I::F64Add]);
    let tl = c.temp(ValType::F64);
    c.code.extend(two_sum_err(x, ph, th));
    c.code.extend(two_sum_tail());
    c.code.push(I::LocalSet(tl));
    let (vb, ev) = add_round_odd(c, tl, pl);
    let v = c.set(ValType::F64, [I::LocalGet(vb), I::F64ReinterpretI64]);
    let r = c.set(ValType::F64, [I::LocalGet(th), I::LocalGet(v), I::F64Add]);
    let res = c.set(ValType::I64, [I::LocalGet(r), I::I64ReinterpretF64]);
    let inexact = c.temp(ValType::I32);
    c.emit([I::LocalGet(ev), I::F64Const(Ieee64::new(0)), I::F64Ne]);
    c.code.extend(two_sum_err(th, v, r));
    c.code.extend(two_sum_tail());
    c.emit([
        I::F64Const(Ieee64::new(0)),
        I::F64Ne,
        I::I32Or,
        I::LocalSet(inexact),
    ]);
    // The result's exponent must be in [2^-900, ∞) (so finite; every error term is then finite too, as the
    // operands' range bounds them).
    c.emit(exp_minus(res, 1023 - 900));
    c.emit([
        I::I64Sub,
        I::I64Const(0x7ff - (1023 - 900)),
        I::I64GeU,
        I::BrIf(slow),
    ]);
    (res, inexact)
}

/// Floating-point operations that raise no flag unless an operand is a NaN (with FZ clear: no denormal
/// flushing, no IDC): their fast path is Wasm's own comparison or min/max when neither operand is a NaN.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QuietOp {
    /// FCMP/FCMPE: NZCV in PSTATE layout (equal 0110, less 1000, greater 0010).
    Compare,
    /// FCMEQ/FCMGE/FCMGT/FACGE/FACGT: all ones at the width of the type, or zero.
    Mask(FpCmp),
    /// FMAX/FMAXNM (the same without NaNs; Wasm's `max` gives +0 for ±0 as the ARM ARM does).
    Max,
    /// FMIN/FMINNM (−0 for ±0).
    Min,
}

/// Emits `op` at `ty` (single or double) on the i64 locals `a`, `b` with `slow` (leaving the helper's i64 result)
/// when FPCR asks for flushing or a directed rounding, or an operand is a NaN. Returns the result local.
pub fn emit_quiet(
    c: &mut Code<'_>,
    op: QuietOp,
    ty: FpTy,
    a: u32,
    b: u32,
    slow: &[I<'static>],
) -> Option<u32> {
    quiet(c, op, ty, a, b, slow, None)
}

/// FCMP/FCMPE as [`emit_quiet`]'s [`QuietOp::Compare`], also giving the comparison as two float locals
/// (`f64` for a double, `f32` for a single) whose IEEE comparison gives every condition NZCV gives: the
/// operands themselves on the fast path; on the helper's path, stand-ins for its NZCV (−1, 0, 1 or a NaN
/// against +0), so that what FZ flushed or a NaN made unordered is compared as the helper found it. Returns
/// (NZCV local, first, second).
pub fn emit_compare(
    c: &mut Code<'_>,
    ty: FpTy,
    a: u32,
    b: u32,
    slow: &[I<'static>],
) -> Option<(u32, u32, u32)> {
    let fty = match ty {
        FpTy::D => ValType::F64,
        FpTy::S => ValType::F32,
        FpTy::H => return None,
    };
    let compared = (c.temp(fty), c.temp(fty));
    let nzcv = quiet(c, QuietOp::Compare, ty, a, b, slow, Some(compared))?;
    Some((nzcv, compared.0, compared.1))
}

/// The conditions of A64 (`cond` as encoded, 0 = EQ … 13 = LE; 14 and 15 always hold) after FCMP on two
/// floats, as one Wasm comparison of them (and an `i32.eqz` where the condition holds for unordered
/// operands); on the stack from `x` and `y` (each the code pushing one float of the type). An unordered
/// comparison sets NZCV = 0011, so it satisfies NE, CS, VS, HI, LT and LE.
pub fn fcmp_cond(cond: u8, double: bool, x: &[I<'static>], y: &[I<'static>]) -> Vec<I<'static>> {
    let (eq, ne, lt, le, gt, ge) = if double {
        (I::F64Eq, I::F64Ne, I::F64Lt, I::F64Le, I::F64Gt, I::F64Ge)
    } else {
        (I::F32Eq, I::F32Ne, I::F32Lt, I::F32Le, I::F32Gt, I::F32Ge)
    };
    let pair = |op: I<'static>, negate: bool| {
        let mut v = [x, y].concat();
        v.push(op);
        if negate {
            v.push(I::I32Eqz);
        }
        v
    };
    match cond {
        0 => pair(eq, false),
        1 => pair(ne, false),
        // CS: equal, greater or unordered; MI: less.
        2 | 5 => pair(lt, true),
        3 | 4 => pair(lt, false),
        6 | 7 => {
            // VS: unordered (either is a NaN).
            let mut v = [x, x].concat();
            v.push(ne.clone());
            v.extend_from_slice(y);
            v.extend_from_slice(y);
            v.extend([ne, I::I32Or]);
            if cond == 7 {
                v.push(I::I32Eqz);
            }
            v
        }
        // HI: greater or unordered.
        8 => pair(le, true),
        9 => pair(le, false),
        10 => pair(ge, false),
        11 => pair(ge, true),
        12 => pair(gt, false),
        13 => pair(gt, true),
        _ => vec![I::I32Const(1)],
    }
}

fn quiet(
    c: &mut Code<'_>,
    op: QuietOp,
    ty: FpTy,
    a: u32,
    b: u32,
    slow: &[I<'static>],
    compared: Option<(u32, u32)>,
) -> Option<u32> {
    let double = match ty {
        FpTy::D => true,
        FpTy::S => false,
        FpTy::H => return None,
    };
    let out = c.temp(ValType::I64);
    // FPCR is read only where the fast mode's local is clear (it is set only where FPCR allows the fast
    // path; stale only towards clear).
    c.emit([
        I::Block(BlockType::Result(ValType::I64)), // $done
        I::Block(BlockType::Empty),                // $slow
        I::LocalGet(c.fast),
        I::I32Eqz,
        I::If(BlockType::Empty),
        I::I32Const(c.fpcr),
        I::I64Load(memarg(3)),
        I::I64Const(FPCR_SLOW),
        I::I64And,
        I::I64Const(0),
        I::I64Ne,
    ]);
    c.emit(br_unlikely(1));
    c.emit([I::End]);
    for v in [a, b] {
        // NaN: magnitude above infinity's.
        if double {
            c.emit([
                I::LocalGet(v),
                I::I64Const(!D_SIGN),
                I::I64And,
                I::I64Const(D_INF),
                I::I64GtU,
            ]);
        } else {
            c.emit([
                I::LocalGet(v),
                I::I32WrapI64,
                I::I32Const(0x7fff_ffff),
                I::I32And,
                I::I32Const(S_INF),
                I::I32GtU,
            ]);
        }
        c.emit(br_unlikely(0));
    }
    let (eq, lt, gt, ge, abs) = if double {
        (I::F64Eq, I::F64Lt, I::F64Gt, I::F64Ge, I::F64Abs)
    } else {
        (I::F32Eq, I::F32Lt, I::F32Gt, I::F32Ge, I::F32Abs)
    };
    let value = |v: u32| as_float(c.views, v, double);
    let mut body: Vec<I<'static>> = Vec::new();
    match op {
        QuietOp::Compare => {
            if let Some((x, y)) = compared {
                body.extend(value(a));
                body.push(I::LocalSet(x));
                body.extend(value(b));
                body.push(I::LocalSet(y));
            }
            body.extend([
                I::I64Const(0x6000_0000),
                I::I64Const(0x8000_0000),
                I::I64Const(0x2000_0000),
            ]);
            body.extend(value(a));
            body.extend(value(b));
            body.extend([lt, I::Select]);
            body.extend(value(a));
            body.extend(value(b));
            body.extend([eq, I::Select]);
        }
        QuietOp::Mask(cmp) => {
            let ones = if double { -1 } else { 0xffff_ffff };
            body.extend([I::I64Const(ones), I::I64Const(0)]);
            let absolute = matches!(cmp, FpCmp::AbsGe | FpCmp::AbsGt);
            for v in [a, b] {
                body.extend(value(v));
                if absolute {
                    body.push(abs.clone());
                }
            }
            body.push(match cmp {
                FpCmp::Eq => eq,
                FpCmp::Ge | FpCmp::AbsGe => ge,
                FpCmp::Gt | FpCmp::AbsGt => gt,
            });
            body.push(I::Select);
        }
        QuietOp::Max | QuietOp::Min => {
            body.extend(value(a));
            body.extend(value(b));
            body.push(match (op, double) {
                (QuietOp::Max, true) => I::F64Max,
                (QuietOp::Max, false) => I::F32Max,
                (_, true) => I::F64Min,
                (_, false) => I::F32Min,
            });
            if double {
                body.push(I::I64ReinterpretF64);
            } else {
                body.extend([I::I32ReinterpretF32, I::I64ExtendI32U]);
            }
        }
    }
    c.code.extend(body);
    c.emit([I::Br(1), I::End]); // $slow
    c.code.extend_from_slice(slow);
    if let Some((x, y)) = compared {
        // Stand-ins for the helper's NZCV: less 1000 → −1, equal 0110 → 0, greater 0010 → 1, else a NaN;
        // against +0.
        let (minus_one, zero, one, nan) = if double {
            let f = |v: f64| I::F64Const(Ieee64::from(v));
            (f(-1.0), f(0.0), f(1.0), f(f64::NAN))
        } else {
            let f = |v: f32| I::F32Const(wasm_encoder::Ieee32::from(v));
            (f(-1.0), f(0.0), f(1.0), f(f32::NAN))
        };
        let n = c.temp(ValType::I64);
        let is = |nzcv: i64| [I::LocalGet(n), I::I64Const(nzcv), I::I64Eq];
        c.emit([I::LocalTee(n), zero.clone(), minus_one, one, nan]);
        c.emit(is(0x2000_0000));
        c.emit([I::Select]);
        c.emit(is(0x8000_0000));
        c.emit([I::Select]);
        c.emit(is(0x6000_0000));
        c.emit([I::Select, I::LocalSet(x), zero, I::LocalSet(y)]);
    }
    c.emit([I::End, I::LocalSet(out)]);
    Some(out)
}
