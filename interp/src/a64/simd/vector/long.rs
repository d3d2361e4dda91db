//! Operations whose result elements differ in size from their sources, and shifts by immediate: three
//! different (long, wide, narrow-high; also by element), widening/narrowing two-register misc (XTN, SQXTN,
//! SADDLP, SHLL, …) and shift by immediate (SSHR … SSHLL).
//!
//! Conventions: `e` is the narrow element size, `E = 2e` the wide one. Sources of long forms are the lower
//! half of the register, or the upper half for the `2` forms (`q`); narrow results go to the lower half
//! (upper cleared) or, for the `2` forms, to the upper half with the lower half kept.

use super::Vector;
use super::int::qshl_var;
use super::lanes::*;
use crate::sem::{Sem, Width};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Diff {
    Saddl,
    Uaddl,
    Saddw,
    Uaddw,
    Ssubl,
    Usubl,
    Ssubw,
    Usubw,
    Addhn,
    Raddhn,
    Subhn,
    Rsubhn,
    Sabal,
    Uabal,
    Sabdl,
    Uabdl,
    Smlal,
    Umlal,
    Smlsl,
    Umlsl,
    Smull,
    Umull,
    Sqdmlal,
    Sqdmlsl,
    Sqdmull,
    Pmull,
}

impl Diff {
    fn signed(self) -> bool {
        use Diff::*;
        matches!(
            self,
            Saddl
                | Saddw
                | Ssubl
                | Ssubw
                | Sabal
                | Sabdl
                | Smlal
                | Smlsl
                | Smull
                | Sqdmlal
                | Sqdmlsl
                | Sqdmull
        )
    }
    fn wide_first(self) -> bool {
        use Diff::*;
        matches!(self, Saddw | Uaddw | Ssubw | Usubw)
    }
    fn narrow_high(self) -> bool {
        use Diff::*;
        matches!(self, Addhn | Raddhn | Subhn | Rsubhn)
    }
    fn accumulates(self) -> bool {
        use Diff::*;
        matches!(
            self,
            Sabal | Uabal | Smlal | Umlal | Smlsl | Umlsl | Sqdmlal | Sqdmlsl
        )
    }
}

/// Carry-less product of the low `bits` bits of `a` and `b`.
fn clmul<S: Sem>(s: &mut S, a: S::V, b: S::V, bits: u32) -> S::V {
    let mut r = s.imm(0);
    let one = s.imm(1);
    for i in 0..bits {
        let sh = s.imm(i as u64);
        let bit = s.lsr(Width::W64, b, sh);
        let bit = s.and(bit, one);
        let set = s.eq(bit, one);
        let t = s.shl(Width::W64, a, sh);
        let x = s.xor(r, t);
        r = s.select(set, x, r);
    }
    r
}

/// PMULL/PMULL2 with 64-bit elements: the 128-bit carry-less product.
fn pmull64<S: Sem>(s: &mut S, a: S::V, b: S::V) -> S::Q {
    let mut lo = s.imm(0);
    let mut hi = s.imm(0);
    let one = s.imm(1);
    for i in 0..64u32 {
        let sh = s.imm(i as u64);
        let bit = s.lsr(Width::W64, b, sh);
        let bit = s.and(bit, one);
        let set = s.eq(bit, one);
        let tl = s.shl(Width::W64, a, sh);
        let xl = s.xor(lo, tl);
        lo = s.select(set, xl, lo);
        if i > 0 {
            let bsh = s.imm(64 - i as u64);
            let th = s.lsr(Width::W64, a, bsh);
            let xh = s.xor(hi, th);
            hi = s.select(set, xh, hi);
        }
    }
    s.q_from(lo, hi)
}

/// `2·a·b` of sign-extended `e`-bit values, saturated to `2e` bits.
fn sqdmull_elem<S: Sem>(s: &mut S, qc: &mut Qc<S>, a: S::V, b: S::V, e: u32) -> S::V {
    let p = s.mul(a, b);
    let p2 = s.add(p, p);
    let mn = s.imm(smin(e));
    let ca = s.eq(a, mn);
    let cb = s.eq(b, mn);
    let both = s.b_and(ca, cb);
    let mx = s.imm(smax(2 * e));
    qc.note(s, both);
    s.select(both, mx, p2)
}

/// One element of a three-different operation: `a` is the first operand (wide for the `W` and narrow-high
/// forms), `b` the second (wide for narrow-high), `d` the old wide destination element.
#[inline(always)]
fn diff_elem<S: Sem>(
    s: &mut S,
    qc: &mut Qc<S>,
    op: Diff,
    e: u32,
    a: S::V,
    b: S::V,
    d: S::V,
) -> S::V {
    use Diff::*;
    let we = 2 * e;
    let sg = op.signed();
    let (a, b) = if op.narrow_high() {
        (a, b)
    } else if op.wide_first() {
        (ext(s, a, we, sg), ext(s, b, e, sg))
    } else {
        (ext(s, a, e, sg), ext(s, b, e, sg))
    };
    match op {
        Saddl | Uaddl | Saddw | Uaddw => s.add(a, b),
        Ssubl | Usubl | Ssubw | Usubw => s.sub(a, b),
        Addhn | Raddhn | Subhn | Rsubhn => {
            let r = if matches!(op, Addhn | Raddhn) {
                s.add(a, b)
            } else {
                s.sub(a, b)
            };
            let r = if we < 64 { s.zext(r, we) } else { r };
            let r = if matches!(op, Raddhn | Rsubhn) {
                let k = s.imm(1u64 << (e - 1));
                s.add(r, k)
            } else {
                r
            };
            shr_const(s, r, e, false)
        }
        Sabal | Uabal | Sabdl | Uabdl => {
            let r = s.sub(a, b);
            let r = abs64(s, r);
            if op.accumulates() { s.add(d, r) } else { r }
        }
        Smlal | Umlal => {
            let p = s.mul(a, b);
            s.add(d, p)
        }
        Smlsl | Umlsl => {
            let p = s.mul(a, b);
            s.sub(d, p)
        }
        Smull | Umull => s.mul(a, b),
        Sqdmull => sqdmull_elem(s, qc, a, b, e),
        Sqdmlal | Sqdmlsl => {
            let p = sqdmull_elem(s, qc, a, b, e);
            let d = ext(s, d, we, true);
            if op == Sqdmlal {
                sqadd(s, qc, d, p, we)
            } else {
                sqsub(s, qc, d, p, we)
            }
        }
        Pmull => clmul(s, a, b, 8),
    }
}

#[inline(always)]
pub(crate) fn exec_diff<S: Sem>(s: &mut S, v: Vector, op: Diff, indexed: bool) {
    let e = ebits(v.size);
    let we = 2 * e;
    let an = s.vreg(v.rn);
    let bm = s.vreg(v.rm);
    let part = (v.q && !v.scalar) as u32;
    if op == Diff::Pmull && e == 64 {
        let a = s.q_lane(an, 64, part);
        let b = s.q_lane(bm, 64, part);
        let r = pmull64(s, a, b);
        s.set_vreg(v.rd, r);
        return;
    }
    let n = if v.scalar { 1 } else { 64 / e };
    let mut qc = Qc::new();
    let bidx = if indexed {
        Some(s.q_lane(bm, e, v.imm as u32))
    } else {
        None
    };
    if op.narrow_high() {
        let mut out = narrow_dest(s, v);
        for i in 0..n {
            let a = s.q_lane(an, we, i);
            let b = s.q_lane(bm, we, i);
            let z = s.imm(0);
            let r = diff_elem(s, &mut qc, op, e, a, b, z);
            out.set(s, e, i + part * n, r);
        }
        s.set_vreg(v.rd, out.q);
        return;
    }
    let d = if op.accumulates() {
        Some(s.vreg(v.rd))
    } else {
        None
    };
    let mut out = Out::zero(s);
    for i in 0..n {
        let a = if op.wide_first() {
            s.q_lane(an, we, i)
        } else {
            s.q_lane(an, e, i + part * n)
        };
        let b = match bidx {
            Some(b) => b,
            None => s.q_lane(bm, e, i + part * n),
        };
        let dv = match d {
            Some(d) => s.q_lane(d, we, i),
            None => s.imm(0),
        };
        let r = diff_elem(s, &mut qc, op, e, a, b, dv);
        out.set(s, we, i, r);
    }
    qc.commit(s);
    s.set_vreg(v.rd, out.q);
}

/// The destination of a narrowing operation before its elements are written: zero, or for the `2` forms the
/// old lower half.
fn narrow_dest<S: Sem>(s: &mut S, v: Vector) -> Out<S> {
    if v.q && !v.scalar {
        let d = s.vreg(v.rd);
        Out::from(clear_high(s, d, false))
    } else {
        Out::zero(s)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resize {
    Xtn,
    Sqxtn,
    Uqxtn,
    Sqxtun,
    Saddlp,
    Uaddlp,
    Sadalp,
    Uadalp,
    Shll,
}

pub(crate) fn exec_resize<S: Sem>(s: &mut S, v: Vector, op: Resize) {
    let e = ebits(v.size);
    let we = 2 * e;
    let a = s.vreg(v.rn);
    let mut qc = Qc::new();
    match op {
        Resize::Xtn if !v.scalar => {
            let r = narrow_pack(s, v, e, a);
            s.set_vreg(v.rd, r);
        }
        Resize::Shll => {
            let r = widen(s, a, e, v.q, false, e);
            s.set_vreg(v.rd, r);
        }
        Resize::Xtn | Resize::Sqxtn | Resize::Uqxtn | Resize::Sqxtun => {
            let n = if v.scalar { 1 } else { 64 / e };
            let part = (v.q && !v.scalar) as u32;
            let mut out = narrow_dest(s, v);
            for i in 0..n {
                let x = s.q_lane(a, we, i);
                let r = match op {
                    Resize::Xtn => x,
                    Resize::Sqxtn => {
                        let x = ext(s, x, we, true);
                        sat_s(s, &mut qc, x, e)
                    }
                    Resize::Uqxtn => sat_u(s, &mut qc, x, e),
                    _ => {
                        let x = ext(s, x, we, true);
                        sat_su(s, &mut qc, x, e)
                    }
                };
                out.set(s, e, i + part * n, r);
            }
            qc.commit(s);
            s.set_vreg(v.rd, out.q);
        }
        Resize::Saddlp | Resize::Uaddlp | Resize::Sadalp | Resize::Uadalp => {
            let signed = matches!(op, Resize::Saddlp | Resize::Sadalp);
            let acc = matches!(op, Resize::Sadalp | Resize::Uadalp);
            let d = s.vreg(v.rd);
            let mut out = Out::zero(s);
            for i in 0..v.count(we) {
                let x = s.q_lane(a, e, 2 * i);
                let y = s.q_lane(a, e, 2 * i + 1);
                let x = ext(s, x, e, signed);
                let y = ext(s, y, e, signed);
                let mut r = s.add(x, y);
                if acc {
                    let dv = s.q_lane(d, we, i);
                    r = s.add(r, dv);
                }
                out.set(s, we, i, r);
            }
            s.set_vreg(v.rd, out.q);
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shift {
    Sshr,
    Ushr,
    Ssra,
    Usra,
    Srshr,
    Urshr,
    Srsra,
    Ursra,
    Shl,
    Sli,
    Sri,
    Sqshl,
    Uqshl,
    Sqshlu,
    Shrn,
    Rshrn,
    Sqshrn,
    Uqshrn,
    Sqrshrn,
    Uqrshrn,
    Sqshrun,
    Sqrshrun,
    Sshll,
    Ushll,
}

/// Shift by immediate; `v.imm` is the shift amount, `v.size` the element size (the narrow one for SHRN …
/// and SSHLL …).
pub(crate) fn exec_shift<S: Sem>(s: &mut S, v: Vector, op: Shift) {
    use Shift::*;
    let e = ebits(v.size);
    let sh = v.imm as u32;
    let a = s.vreg(v.rn);
    let mut qc = Qc::new();
    match op {
        Shrn | Rshrn if !v.scalar => {
            let we = 2 * e;
            let a = if op == Rshrn {
                // The rounding constant in every wide lane; the sum wraps like the ARM ARM's
                // (the carry out lands above the bits kept).
                let k = s.imm((1u64 << (sh - 1)) * (u64::MAX / ones(we)));
                let kq = s.q_from(k, k);
                s.q_add(we, a, kq)
            } else {
                a
            };
            let r = s.q_shr_imm(we, false, a, sh);
            let r = narrow_pack(s, v, e, r);
            s.set_vreg(v.rd, r);
        }
        Shrn | Rshrn | Sqshrn | Uqshrn | Sqrshrn | Uqrshrn | Sqshrun | Sqrshrun => {
            let we = 2 * e;
            let n = if v.scalar { 1 } else { 64 / e };
            let part = (v.q && !v.scalar) as u32;
            let signed = matches!(op, Sqshrn | Sqrshrn | Sqshrun | Sqrshrun);
            let round = matches!(op, Rshrn | Sqrshrn | Uqrshrn | Sqrshrun);
            let mut out = narrow_dest(s, v);
            for i in 0..n {
                let x = s.q_lane(a, we, i);
                let x = ext(s, x, we, signed);
                let r = if round {
                    rshr_const(s, x, sh, signed)
                } else {
                    shr_const(s, x, sh, signed)
                };
                let r = match op {
                    Shrn | Rshrn => r,
                    Sqshrn | Sqrshrn => sat_s(s, &mut qc, r, e),
                    Uqshrn | Uqrshrn => sat_u(s, &mut qc, r, e),
                    _ => sat_su(s, &mut qc, r, e),
                };
                out.set(s, e, i + part * n, r);
            }
            qc.commit(s);
            s.set_vreg(v.rd, out.q);
        }
        Sshll | Ushll => {
            let r = widen(s, a, e, v.q, op == Sshll, sh);
            s.set_vreg(v.rd, r);
        }
        Sshr | Ushr | Ssra | Usra | Shl if !v.scalar => {
            let r = if op == Shl {
                s.q_shl_imm(e, a, sh)
            } else {
                s.q_shr_imm(e, matches!(op, Sshr | Ssra), a, sh)
            };
            let r = if matches!(op, Ssra | Usra) {
                let d = s.vreg(v.rd);
                s.q_add(e, d, r)
            } else {
                r
            };
            let r = clear_high(s, r, v.q);
            s.set_vreg(v.rd, r);
        }
        _ => {
            let d = s.vreg(v.rd);
            let mut out = Out::zero(s);
            let signed = matches!(op, Sshr | Ssra | Srshr | Srsra | Sqshl | Sqshlu);
            for i in 0..v.count(e) {
                let x = s.q_lane(a, e, i);
                let x = ext(s, x, e, signed);
                let dv = s.q_lane(d, e, i);
                let r = match op {
                    Sshr | Ushr => shr_const(s, x, sh, signed),
                    Ssra | Usra => {
                        let r = shr_const(s, x, sh, signed);
                        s.add(dv, r)
                    }
                    Srshr | Urshr => rshr_const(s, x, sh, signed),
                    Srsra | Ursra => {
                        let r = rshr_const(s, x, sh, signed);
                        s.add(dv, r)
                    }
                    Shl => {
                        let k = s.imm(sh as u64);
                        s.shl(Width::W64, x, k)
                    }
                    Sli => {
                        let k = s.imm(sh as u64);
                        let r = s.shl(Width::W64, x, k);
                        let keep = s.imm(ones(sh));
                        let kept = s.and(dv, keep);
                        s.or(r, kept)
                    }
                    Sri => {
                        let r = shr_const(s, x, sh, false);
                        let keep = s.imm(if sh >= e { u64::MAX } else { !(ones(e) >> sh) });
                        let kept = s.and(dv, keep);
                        s.or(r, kept)
                    }
                    Sqshl | Uqshl | Sqshlu => {
                        let k = s.imm(sh as u64);
                        let (r, sat) = qshl_var(s, x, k, e, signed, op == Sqshl);
                        qc.note(s, sat);
                        r
                    }
                    _ => x, // narrowing and widening shifts are handled above
                };
                out.set(s, e, i, r);
            }
            qc.commit(s);
            s.set_vreg(v.rd, out.q);
        }
    }
}
