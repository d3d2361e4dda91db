//! Floating-point arithmetic with AArch64 semantics: FPCR rounding modes, flush-to-zero (FZ), default NaN
//! (DN), alternative half precision (AHP), ARM NaN propagation and FPSR's cumulative flags (IOC, DZC, OFC,
//! UFC, IXC, IDC), bit-exact with the ARM ARM pseudocode (and qemu-aarch64).
//!
//! Layout: [`engine`] is the exact engine (unpack, NaN rules, `FPRoundBase`), [`arith`] the arithmetic built on
//! it, [`convert`] the conversions, [`estimate`] FRECPE/FRSQRTE/FRECPX; `fast` and `fast_misc` are the fast
//! paths: in round-to-nearest mode the common cases run on host `f32`/`f64` arithmetic with cheap exactness
//! tests for the flags (a double FMA from Dekker's exact product and a sum rounded to odd; no host FMA is
//! needed), cheaper still once FPSR.IXC is set (no exactness test at all; a single FMA as a double
//! multiply-add with a test for a sum halfway between two singles, a double FMA on the host's instruction when
//! it has one), falling back to the exact engine for anything unusual (NaNs, infinities, results near underflow
//! or overflow, denormals under FZ, directed rounding). Each `*_exact` entry point runs the engine alone;
//! tests hold both paths to qemu and to each other.
//!
//! Values are IEEE bit patterns of the given [`FpTy`] in the low bits of a `u64`. Half precision is supported
//! by conversions only (FEAT_FP16 arithmetic is not advertised).

mod arith;
mod convert;
pub mod engine;
mod estimate;
mod fast;
mod fast_misc;

use self::engine::{Ctx, Mode, fmt};
use crate::sem::{FpBinOp, FpCmp, FpTy, FpUnOp, Rounding, Width};
use ::core::cmp::Ordering;

/// The FP control and status registers an operation reads and updates.
#[derive(Debug)]
pub struct Fpscr<'a> {
    pub fpcr: u32,
    pub fpsr: &'a mut u64,
}

impl Fpscr<'_> {
    #[inline(always)]
    fn raise(&mut self, flags: u32) {
        *self.fpsr |= flags as u64;
    }

    /// Runs an exact-engine operation and accumulates its flags.
    #[inline(never)]
    fn slow(&mut self, op: impl FnOnce(&mut Ctx) -> u64) -> u64 {
        let mut c = Ctx::new(self.fpcr);
        let r = op(&mut c);
        self.raise(c.flags);
        r
    }
}

fn mode_of(r: Rounding, fpcr: u32) -> Mode {
    match r {
        Rounding::Fpcr => Mode::from_fpcr(fpcr),
        Rounding::TiesEven => Mode::TiesEven,
        Rounding::TiesAway => Mode::TiesAway,
        Rounding::PosInf => Mode::PosInf,
        Rounding::NegInf => Mode::NegInf,
        Rounding::Zero => Mode::Zero,
    }
}

/// Two-operand arithmetic (FADD, FSUB, FMUL, FDIV, FMAX…, FMULX, FRECPS, FRSQRTS, FABD). The cheap forms
/// (see `fast::cheap`) are inlined into the caller; everything else is one call away.
#[inline(always)]
pub fn binop(fs: &mut Fpscr<'_>, op: FpBinOp, ty: FpTy, a: u64, b: u64) -> u64 {
    if fast::cheap(fs.fpcr, *fs.fpsr) {
        let cop = match op {
            FpBinOp::Add => Some(fast::Op::Add),
            FpBinOp::Sub => Some(fast::Op::Sub),
            FpBinOp::Mul => Some(fast::Op::Mul),
            FpBinOp::Div => Some(fast::Op::Div),
            _ => None,
        };
        let r = match (cop, ty) {
            (Some(o), FpTy::S) => fast::binop_cheap_s(o, a as u32, b as u32).map(u64::from),
            (Some(o), FpTy::D) => fast::binop_cheap_d(o, a, b),
            _ => None,
        };
        if let Some(r) = r {
            return r;
        }
    }
    binop_full(fs, op, ty, a, b)
}

/// [`binop`] without the cheap forms: the fast paths with exactness tests, then the exact engine.
#[inline(never)]
fn binop_full(fs: &mut Fpscr<'_>, op: FpBinOp, ty: FpTy, a: u64, b: u64) -> u64 {
    // FMULX differs from FMUL only for ∞ × 0, and FABD is |FSUB|: neither reaches the fast paths' cases.
    let fop = match op {
        FpBinOp::Add => Some(fast::Op::Add),
        FpBinOp::Sub | FpBinOp::AbsDiff => Some(fast::Op::Sub),
        FpBinOp::Mul | FpBinOp::MulX => Some(fast::Op::Mul),
        FpBinOp::Div => Some(fast::Op::Div),
        _ => None,
    };
    let mut flags = 0;
    let r = match (fop, op) {
        (Some(fop), _) => match ty {
            FpTy::S => fast::binop_s(fs.fpcr, fop, a as u32, b as u32, &mut flags).map(u64::from),
            FpTy::D => fast::binop_d(fs.fpcr, fop, a, b, &mut flags),
            FpTy::H => None,
        }
        .map(|r| {
            if op == FpBinOp::AbsDiff {
                r & !(1 << (ty.bits() - 1))
            } else {
                r
            }
        }),
        (_, FpBinOp::Max | FpBinOp::MaxNum) => fast_misc::minmax(fs.fpcr, ty, a, b, true),
        (_, FpBinOp::Min | FpBinOp::MinNum) => fast_misc::minmax(fs.fpcr, ty, a, b, false),
        (_, FpBinOp::RecipStep) => step_fast(fs.fpcr, ty, a, b, false, &mut flags),
        (_, FpBinOp::RSqrtStep) => step_fast(fs.fpcr, ty, a, b, true, &mut flags),
        _ => None,
    };
    if let Some(r) = r {
        fs.raise(flags);
        return r;
    }
    binop_exact(fs, op, ty, a, b)
}

/// FRECPS (2 − a·b) and FRSQRTS ((3 − a·b)/2 = 1.5 − (a/2)·b, halving `a` only when that is exact) on the
/// fused multiply-add fast paths.
#[inline(always)]
fn step_fast(fpcr: u32, ty: FpTy, a: u64, b: u64, three: bool, flags: &mut u32) -> Option<u64> {
    let f = fmt(ty);
    let n = if three {
        let e = (a >> f.f) & f.exp_max();
        if e < 2 || e == f.exp_max() {
            return None;
        }
        (a - (1 << f.f)) ^ f.sign_bit()
    } else {
        a ^ f.sign_bit()
    };
    let addend = if three {
        f.pow2(0) | f.quiet_bit()
    } else {
        f.pow2(1)
    }; // 1.5 or 2.0
    match ty {
        FpTy::S => fast::muladd_s(fpcr, addend as u32, n as u32, b as u32, flags).map(u64::from),
        FpTy::D => fast::muladd_d(fpcr, addend, n, b, flags),
        FpTy::H => None,
    }
}

/// [`binop`] on the exact engine only (the reference for the fast paths).
#[inline(never)]
pub fn binop_exact(fs: &mut Fpscr<'_>, op: FpBinOp, ty: FpTy, a: u64, b: u64) -> u64 {
    let f = fmt(ty);
    fs.slow(|c| match op {
        FpBinOp::Add => arith::add(c, f, a, b),
        FpBinOp::Sub => arith::sub(c, f, a, b),
        FpBinOp::Mul => arith::mul(c, f, a, b, false),
        FpBinOp::MulX => arith::mul(c, f, a, b, true),
        FpBinOp::Div => arith::div(c, f, a, b),
        FpBinOp::Max => arith::minmax(c, f, a, b, true, false),
        FpBinOp::Min => arith::minmax(c, f, a, b, false, false),
        FpBinOp::MaxNum => arith::minmax(c, f, a, b, true, true),
        FpBinOp::MinNum => arith::minmax(c, f, a, b, false, true),
        FpBinOp::RecipStep => arith::step(c, f, a, b, false),
        FpBinOp::RSqrtStep => arith::step(c, f, a, b, true),
        FpBinOp::AbsDiff => {
            let r = arith::sub(c, f, a, b);
            r & !f.sign_bit()
        }
    })
}

/// `a + b·c` with a single rounding (FMADD & co.; the semantics flip operand signs for the negated forms). The
/// cheap forms are inlined into the caller, as for [`binop`].
#[inline(always)]
pub fn muladd(fs: &mut Fpscr<'_>, ty: FpTy, a: u64, b: u64, c: u64) -> u64 {
    if fast::cheap(fs.fpcr, *fs.fpsr) {
        let r = match ty {
            FpTy::S => fast::muladd_cheap_s(a as u32, b as u32, c as u32).map(u64::from),
            FpTy::D => fast::muladd_cheap_d(a, b, c),
            FpTy::H => None,
        };
        if let Some(r) = r {
            return r;
        }
    }
    muladd_full(fs, ty, a, b, c)
}

/// [`muladd`] without the cheap forms.
#[inline(never)]
fn muladd_full(fs: &mut Fpscr<'_>, ty: FpTy, a: u64, b: u64, c: u64) -> u64 {
    let mut flags = 0;
    let r = match ty {
        FpTy::S => fast::muladd_s(fs.fpcr, a as u32, b as u32, c as u32, &mut flags).map(u64::from),
        FpTy::D => fast::muladd_d(fs.fpcr, a, b, c, &mut flags),
        FpTy::H => None,
    };
    if let Some(r) = r {
        fs.raise(flags);
        return r;
    }
    muladd_exact(fs, ty, a, b, c)
}

/// [`muladd`] on the exact engine only.
#[inline(never)]
pub fn muladd_exact(fs: &mut Fpscr<'_>, ty: FpTy, a: u64, b: u64, c: u64) -> u64 {
    let f = fmt(ty);
    fs.slow(|cx| arith::muladd(cx, f, a, b, c))
}

/// One-operand arithmetic (FSQRT, FRINT*, FRECPE, FRSQRTE, FRECPX).
#[inline(never)]
pub fn unop(fs: &mut Fpscr<'_>, op: FpUnOp, ty: FpTy, a: u64) -> u64 {
    let mut flags = 0;
    let fast = match op {
        FpUnOp::Sqrt => fast_misc::sqrt(fs.fpcr, ty, a, &mut flags),
        FpUnOp::RoundInt { rounding, exact } => fast_misc::round_int(
            fs.fpcr,
            ty,
            a,
            mode_of(rounding, fs.fpcr),
            exact,
            &mut flags,
        ),
        _ => None,
    };
    if let Some(r) = fast {
        fs.raise(flags);
        return r;
    }
    unop_exact(fs, op, ty, a)
}

/// [`unop`] on the exact engine only.
#[inline(never)]
pub fn unop_exact(fs: &mut Fpscr<'_>, op: FpUnOp, ty: FpTy, a: u64) -> u64 {
    let f = fmt(ty);
    let fpcr = fs.fpcr;
    fs.slow(|c| match op {
        FpUnOp::Sqrt => arith::sqrt(c, f, a),
        FpUnOp::RoundInt { rounding, exact } => {
            convert::round_int(c, f, a, mode_of(rounding, fpcr), exact)
        }
        FpUnOp::RecipEstimate => estimate::recip_estimate_fp(c, f, a),
        FpUnOp::RSqrtEstimate => estimate::rsqrt_estimate_fp(c, f, a),
        FpUnOp::RecipExponent => estimate::recip_exponent(c, f, a),
    })
}

/// FCMP/FCMPE: NZCV in PSTATE layout; `signal_all` raises IOC on quiet NaNs too.
#[inline(never)]
pub fn compare(fs: &mut Fpscr<'_>, ty: FpTy, a: u64, b: u64, signal_all: bool) -> u64 {
    if let Some(o) = fast_misc::compare(fs.fpcr, ty, a, b) {
        return match o {
            Ordering::Equal => 0x6000_0000,
            Ordering::Less => 0x8000_0000,
            Ordering::Greater => 0x2000_0000,
        };
    }
    compare_exact(fs, ty, a, b, signal_all)
}

/// [`compare`] on the exact engine only.
#[inline(never)]
pub fn compare_exact(fs: &mut Fpscr<'_>, ty: FpTy, a: u64, b: u64, signal_all: bool) -> u64 {
    let f = fmt(ty);
    fs.slow(|c| arith::compare(c, f, a, b, signal_all))
}

/// FCMEQ/FCMGE/FCMGT/FACGE/FACGT: all ones at the width of `ty` when true, else zero.
#[inline(never)]
pub fn compare_mask(fs: &mut Fpscr<'_>, cmp: FpCmp, ty: FpTy, a: u64, b: u64) -> u64 {
    let f = fmt(ty);
    let ones = u64::MAX >> (64 - ty.bits());
    let abs = !f.sign_bit();
    let fast = match cmp {
        FpCmp::Eq | FpCmp::Ge | FpCmp::Gt => fast_misc::compare(fs.fpcr, ty, a, b),
        FpCmp::AbsGe | FpCmp::AbsGt => fast_misc::compare(fs.fpcr, ty, a & abs, b & abs),
    };
    if let Some(o) = fast {
        let r = match cmp {
            FpCmp::Eq => o == Ordering::Equal,
            FpCmp::Ge | FpCmp::AbsGe => o != Ordering::Less,
            FpCmp::Gt | FpCmp::AbsGt => o == Ordering::Greater,
        };
        return if r { ones } else { 0 };
    }
    compare_mask_exact(fs, cmp, ty, a, b)
}

/// [`compare_mask`] on the exact engine only.
#[inline(never)]
pub fn compare_mask_exact(fs: &mut Fpscr<'_>, cmp: FpCmp, ty: FpTy, a: u64, b: u64) -> u64 {
    let f = fmt(ty);
    let ones = u64::MAX >> (64 - ty.bits());
    fs.slow(|c| {
        let r = match cmp {
            FpCmp::Eq => arith::compare_ord(c, f, a, b, true) == Some(Ordering::Equal),
            FpCmp::Ge => matches!(
                arith::compare_ord(c, f, a, b, false),
                Some(Ordering::Greater | Ordering::Equal)
            ),
            FpCmp::Gt => arith::compare_ord(c, f, a, b, false) == Some(Ordering::Greater),
            FpCmp::AbsGe => matches!(
                arith::compare_ord(c, f, a & !f.sign_bit(), b & !f.sign_bit(), false),
                Some(Ordering::Greater | Ordering::Equal)
            ),
            FpCmp::AbsGt => {
                arith::compare_ord(c, f, a & !f.sign_bit(), b & !f.sign_bit(), false)
                    == Some(Ordering::Greater)
            }
        };
        if r { ones } else { 0 }
    })
}

/// FCVT between formats.
#[inline(never)]
pub fn convert(fs: &mut Fpscr<'_>, from: FpTy, to: FpTy, a: u64) -> u64 {
    let mut flags = 0;
    if let Some(r) = fast_misc::convert(fs.fpcr, from, to, a, &mut flags) {
        fs.raise(flags);
        return r;
    }
    convert_exact(fs, from, to, a)
}

/// [`convert`] on the exact engine only.
#[inline(never)]
pub fn convert_exact(fs: &mut Fpscr<'_>, from: FpTy, to: FpTy, a: u64) -> u64 {
    let (ff, tf) = (fmt(from), fmt(to));
    fs.slow(|c| convert::fp_to_fp(c, ff, tf, a))
}

/// FP → integer of `w` with `fbits` fraction bits, saturating (FCVT[NAPMZ][SU], fixed-point FCVTZ[SU]).
#[inline(never)]
pub fn to_int(
    fs: &mut Fpscr<'_>,
    ty: FpTy,
    a: u64,
    w: Width,
    signed: bool,
    fbits: u32,
    r: Rounding,
) -> u64 {
    if fbits == 0 {
        let mut flags = 0;
        let mode = mode_of(r, fs.fpcr);
        if let Some(v) = fast_misc::to_int(fs.fpcr, ty, a, w.bits(), signed, mode, &mut flags) {
            fs.raise(flags);
            return v;
        }
    }
    to_int_exact(fs, ty, a, w, signed, fbits, r)
}

/// [`to_int`] on the exact engine only.
#[inline(never)]
pub fn to_int_exact(
    fs: &mut Fpscr<'_>,
    ty: FpTy,
    a: u64,
    w: Width,
    signed: bool,
    fbits: u32,
    r: Rounding,
) -> u64 {
    let f = fmt(ty);
    let mode = mode_of(r, fs.fpcr);
    fs.slow(|c| convert::fp_to_int(c, f, a, w.bits(), signed, fbits, mode))
}

/// Integer of `w` → FP with `fbits` fraction bits, rounded per FPCR (SCVTF, UCVTF).
#[inline(never)]
pub fn from_int(fs: &mut Fpscr<'_>, ty: FpTy, a: u64, w: Width, signed: bool, fbits: u32) -> u64 {
    if fbits == 0 {
        let mut flags = 0;
        if let Some(r) = fast_misc::from_int(fs.fpcr, ty, a, w.bits(), signed, &mut flags) {
            fs.raise(flags);
            return r;
        }
    }
    from_int_exact(fs, ty, a, w, signed, fbits)
}

/// [`from_int`] on the exact engine only.
#[inline(never)]
pub fn from_int_exact(
    fs: &mut Fpscr<'_>,
    ty: FpTy,
    a: u64,
    w: Width,
    signed: bool,
    fbits: u32,
) -> u64 {
    let f = fmt(ty);
    fs.slow(|c| convert::int_to_fp(c, f, a, w.bits(), signed, fbits))
}

#[cfg(test)]
mod tests;
