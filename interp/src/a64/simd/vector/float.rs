//! Floating-point element operations (single and double precision): three same and its pairwise, by-element
//! and across-lanes forms, two-register misc (rounding, conversions, estimates, compares against zero) and the
//! fixed-point conversions of shift-by-immediate. Every lane goes through the `fp_*` primitives, so rounding,
//! NaN handling and FPSR flags are theirs; only FABS/FNEG are bit operations, as in the ARM ARM.

use super::Vector;
use super::lanes::*;
use crate::sem::{FpBinOp, FpCmp, FpTy, FpUnOp, Rounding, Sem, SysReg, Width};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FBin {
    Fadd,
    Fsub,
    Fmul,
    Fdiv,
    Fmax,
    Fmin,
    Fmaxnm,
    Fminnm,
    Fabd,
    Fmulx,
    Frecps,
    Frsqrts,
    Fmla,
    Fmls,
    Fcmeq,
    Fcmge,
    Fcmgt,
    Facge,
    Facgt,
}

/// The FP type of a `size` field (2 = single, 3 = double, 1 = half).
pub(crate) fn fp_ty(size: u8) -> FpTy {
    match size {
        1 => FpTy::H,
        2 => FpTy::S,
        _ => FpTy::D,
    }
}

fn neg<S: Sem>(s: &mut S, ty: FpTy, a: S::V) -> S::V {
    let m = s.imm(1u64 << (ty.bits() - 1));
    s.xor(a, m)
}

/// One element of a floating-point three-same operation; `d` is the old destination element (FMLA/FMLS).
#[inline(always)]
pub(crate) fn fbin_elem<S: Sem>(s: &mut S, op: FBin, ty: FpTy, a: S::V, b: S::V, d: S::V) -> S::V {
    use FBin::*;
    let bin = |op| Some(op);
    let o = match op {
        Fadd => bin(FpBinOp::Add),
        Fsub => bin(FpBinOp::Sub),
        Fmul => bin(FpBinOp::Mul),
        Fdiv => bin(FpBinOp::Div),
        Fmax => bin(FpBinOp::Max),
        Fmin => bin(FpBinOp::Min),
        Fmaxnm => bin(FpBinOp::MaxNum),
        Fminnm => bin(FpBinOp::MinNum),
        Fabd => bin(FpBinOp::AbsDiff),
        Fmulx => bin(FpBinOp::MulX),
        Frecps => bin(FpBinOp::RecipStep),
        Frsqrts => bin(FpBinOp::RSqrtStep),
        _ => None,
    };
    if let Some(o) = o {
        return s.fp_binop(o, ty, a, b);
    }
    match op {
        Fmla => s.fp_muladd(ty, d, a, b),
        Fmls => {
            let na = neg(s, ty, a);
            s.fp_muladd(ty, d, na, b)
        }
        Fcmeq => s.fp_compare_mask(FpCmp::Eq, ty, a, b),
        Fcmge => s.fp_compare_mask(FpCmp::Ge, ty, a, b),
        Fcmgt => s.fp_compare_mask(FpCmp::Gt, ty, a, b),
        Facge => s.fp_compare_mask(FpCmp::AbsGe, ty, a, b),
        _ => s.fp_compare_mask(FpCmp::AbsGt, ty, a, b),
    }
}

/// Three same (and by element, `indexed`: `rm`'s element `imm` as the second operand of every lane).
#[inline(always)]
pub(crate) fn exec_bin<S: Sem>(s: &mut S, v: Vector, op: FBin, indexed: bool) {
    let ty = fp_ty(v.size);
    let e = ty.bits();
    let a = s.vreg(v.rn);
    let b = s.vreg(v.rm);
    let bi = if indexed {
        Some(s.q_lane(b, e, v.imm as u32))
    } else {
        None
    };
    let acc = matches!(op, FBin::Fmla | FBin::Fmls);
    let d = if acc { Some(s.vreg(v.rd)) } else { None };
    let mut out = Out::zero(s);
    for i in 0..v.count(e) {
        let x = s.q_lane(a, e, i);
        let y = match bi {
            Some(y) => y,
            None => s.q_lane(b, e, i),
        };
        let dv = match d {
            Some(d) => s.q_lane(d, e, i),
            None => s.imm(0),
        };
        let r = fbin_elem(s, op, ty, x, y, dv);
        out.set(s, e, i, r);
    }
    s.set_vreg(v.rd, out.q);
}

/// Pairwise (FADDP, FMAXP, …); the scalar form pairs the two elements of `rn`.
pub(crate) fn exec_pair<S: Sem>(s: &mut S, v: Vector, op: FBin) {
    let ty = fp_ty(v.size);
    let e = ty.bits();
    let a = s.vreg(v.rn);
    let b = if v.scalar { a } else { s.vreg(v.rm) };
    let n = v.count(e);
    let per = if v.scalar { 2 } else { n };
    let mut out = Out::zero(s);
    for i in 0..n {
        let k = 2 * i;
        let (src, k) = if k < per { (a, k) } else { (b, k - per) };
        let x = s.q_lane(src, e, k);
        let y = s.q_lane(src, e, k + 1);
        let z = s.imm(0);
        let r = fbin_elem(s, op, ty, x, y, z);
        out.set(s, e, i, r);
    }
    s.set_vreg(v.rd, out.q);
}

/// FMAXV/FMINV/FMAXNMV/FMINNMV: the ARM ARM's `Reduce`, halving recursively.
pub(crate) fn exec_across<S: Sem>(s: &mut S, v: Vector, op: FBin) {
    let ty = fp_ty(v.size);
    let e = ty.bits();
    let a = s.vreg(v.rn);
    let n = v.count(e) as usize;
    let mut vals = [s.imm(0); 4];
    for (i, x) in vals.iter_mut().enumerate().take(n) {
        *x = s.q_lane(a, e, i as u32);
    }
    let mut len = n;
    while len > 1 {
        for i in 0..len / 2 {
            let z = s.imm(0);
            vals[i] = fbin_elem(s, op, ty, vals[2 * i], vals[2 * i + 1], z);
        }
        len /= 2;
    }
    let z = s.imm(0);
    let q = s.q_from(vals[0], z);
    s.set_vreg(v.rd, q);
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FUn {
    Fabs,
    Fneg,
    Fsqrt,
    Frintn,
    Frintm,
    Frintp,
    Frintz,
    Frinta,
    Frintx,
    Frinti,
    Fcvtns,
    Fcvtnu,
    Fcvtms,
    Fcvtmu,
    Fcvtps,
    Fcvtpu,
    Fcvtzs,
    Fcvtzu,
    Fcvtas,
    Fcvtau,
    Scvtf,
    Ucvtf,
    Frecpe,
    Frsqrte,
    Frecpx,
    Fcmeq0,
    Fcmge0,
    Fcmgt0,
    Fcmle0,
    Fcmlt0,
    /// FCVTN/FCVTN2: `size` names the wide source (3: D → S, 2: S → H).
    Fcvtn,
    /// FCVTL/FCVTL2: `size` names the wide result (3: S → D, 2: H → S).
    Fcvtl,
    /// FCVTXN/FCVTXN2: D → S rounding to odd.
    Fcvtxn,
}

/// One element of a floating-point two-register misc operation; `fbits` is the fixed-point fraction width
/// (SCVTF/UCVTF/FCVTZS/FCVTZU by immediate; 0 otherwise).
pub(crate) fn fun_elem<S: Sem>(s: &mut S, op: FUn, ty: FpTy, a: S::V, fbits: u32) -> S::V {
    use FUn::*;
    let w = if ty == FpTy::D {
        Width::W64
    } else {
        Width::W32
    };
    let round = |rounding, exact| FpUnOp::RoundInt { rounding, exact };
    let cvt = |rounding, signed| (rounding, signed);
    let z = s.imm(0);
    let conv = match op {
        Fcvtns => Some(cvt(Rounding::TiesEven, true)),
        Fcvtnu => Some(cvt(Rounding::TiesEven, false)),
        Fcvtms => Some(cvt(Rounding::NegInf, true)),
        Fcvtmu => Some(cvt(Rounding::NegInf, false)),
        Fcvtps => Some(cvt(Rounding::PosInf, true)),
        Fcvtpu => Some(cvt(Rounding::PosInf, false)),
        Fcvtzs => Some(cvt(Rounding::Zero, true)),
        Fcvtzu => Some(cvt(Rounding::Zero, false)),
        Fcvtas => Some(cvt(Rounding::TiesAway, true)),
        Fcvtau => Some(cvt(Rounding::TiesAway, false)),
        _ => None,
    };
    if let Some((r, signed)) = conv {
        return s.fp_to_int(ty, a, w, signed, fbits, r);
    }
    match op {
        Fabs => {
            let m = s.imm(!(1u64 << (ty.bits() - 1)));
            s.and(a, m)
        }
        Fneg => neg(s, ty, a),
        Fsqrt => s.fp_unop(FpUnOp::Sqrt, ty, a),
        Frintn => s.fp_unop(round(Rounding::TiesEven, false), ty, a),
        Frintm => s.fp_unop(round(Rounding::NegInf, false), ty, a),
        Frintp => s.fp_unop(round(Rounding::PosInf, false), ty, a),
        Frintz => s.fp_unop(round(Rounding::Zero, false), ty, a),
        Frinta => s.fp_unop(round(Rounding::TiesAway, false), ty, a),
        Frintx => s.fp_unop(round(Rounding::Fpcr, true), ty, a),
        Frinti => s.fp_unop(round(Rounding::Fpcr, false), ty, a),
        Scvtf => s.int_to_fp(ty, a, w, true, fbits),
        Ucvtf => s.int_to_fp(ty, a, w, false, fbits),
        Frecpe => s.fp_unop(FpUnOp::RecipEstimate, ty, a),
        Frsqrte => s.fp_unop(FpUnOp::RSqrtEstimate, ty, a),
        Frecpx => s.fp_unop(FpUnOp::RecipExponent, ty, a),
        Fcmeq0 => s.fp_compare_mask(FpCmp::Eq, ty, a, z),
        Fcmge0 => s.fp_compare_mask(FpCmp::Ge, ty, a, z),
        Fcmgt0 => s.fp_compare_mask(FpCmp::Gt, ty, a, z),
        Fcmle0 => s.fp_compare_mask(FpCmp::Ge, ty, z, a),
        Fcmlt0 => s.fp_compare_mask(FpCmp::Gt, ty, z, a),
        // Element-size-changing conversions and the fpcr-juggling FCVTXN run in `exec_un`, and the integer
        // conversions returned above.
        _ => a,
    }
}

pub(crate) fn exec_un<S: Sem>(s: &mut S, v: Vector, op: FUn) {
    let a = s.vreg(v.rn);
    match op {
        FUn::Fcvtxn => fcvtxn(s, v, a),
        FUn::Fcvtn => {
            let (from, to) = if v.size == 3 {
                (FpTy::D, FpTy::S)
            } else {
                (FpTy::S, FpTy::H)
            };
            let (we, e) = (from.bits(), to.bits());
            let n = if v.scalar { 1 } else { 64 / e };
            let part = (v.q && !v.scalar) as u32;
            let mut out = if part == 1 {
                let d = s.vreg(v.rd);
                Out::from(clear_high(s, d, false))
            } else {
                Out::zero(s)
            };
            for i in 0..n {
                let x = s.q_lane(a, we, i);
                let r = s.fp_convert(from, to, x);
                out.set(s, e, i + part * n, r);
            }
            s.set_vreg(v.rd, out.q);
        }
        FUn::Fcvtl => {
            let (from, to) = if v.size == 3 {
                (FpTy::S, FpTy::D)
            } else {
                (FpTy::H, FpTy::S)
            };
            let (e, we) = (from.bits(), to.bits());
            let n = 64 / e;
            let part = v.q as u32;
            let mut out = Out::zero(s);
            for i in 0..n {
                let x = s.q_lane(a, e, i + part * n);
                let r = s.fp_convert(from, to, x);
                out.set(s, we, i, r);
            }
            s.set_vreg(v.rd, out.q);
        }
        _ => {
            let ty = fp_ty(v.size);
            let e = ty.bits();
            let fbits = v.imm as u32;
            let mut out = Out::zero(s);
            for i in 0..v.count(e) {
                let x = s.q_lane(a, e, i);
                let r = fun_elem(s, op, ty, x, fbits);
                out.set(s, e, i, r);
            }
            s.set_vreg(v.rd, out.q);
        }
    }
}

/// FCVTXN: double → single with the ARM ARM's round-to-odd. There is no such rounding primitive, so each lane
/// is converted rounding towards zero (FPCR.RMode temporarily RZ) and its lowest bit set when that conversion
/// was inexact (FPSR.IXC, cleared before each lane): exactly round-to-odd, including overflow (RZ and odd
/// both give the largest normal) and NaNs (never inexact). FPCR is restored; FPSR keeps the flags raised.
fn fcvtxn<S: Sem>(s: &mut S, v: Vector, a: S::Q) {
    const IXC: u64 = 1 << 4;
    let fpcr = s.read_sysreg(SysReg::Fpcr);
    let fpsr0 = s.read_sysreg(SysReg::Fpsr);
    let rz = s.imm(3 << 22);
    let rz_fpcr = s.or(fpcr, rz);
    s.write_sysreg(SysReg::Fpcr, rz_fpcr);
    let mut flags = s.imm(0);
    let n = if v.scalar { 1 } else { 2 };
    let part = (v.q && !v.scalar) as u32;
    let mut out = if part == 1 {
        let d = s.vreg(v.rd);
        Out::from(clear_high(s, d, false))
    } else {
        Out::zero(s)
    };
    for i in 0..n {
        let z = s.imm(0);
        s.write_sysreg(SysReg::Fpsr, z);
        let x = s.q_lane(a, 64, i);
        let r = s.fp_convert(FpTy::D, FpTy::S, x);
        let f = s.read_sysreg(SysReg::Fpsr);
        flags = s.or(flags, f);
        let ix = s.imm(IXC);
        let inexact = s.and(f, ix);
        let sh = s.imm(4);
        let lsb = s.lsr(Width::W64, inexact, sh);
        let r = s.or(r, lsb);
        out.set(s, 32, i + part * n, r);
    }
    let all = s.or(fpsr0, flags);
    s.write_sysreg(SysReg::Fpsr, all);
    s.write_sysreg(SysReg::Fpcr, fpcr);
    s.set_vreg(v.rd, out.q);
}
