//! Integer three-same element operations (and their pairwise and by-element forms). Each operation is one
//! element function, `bin_elem`, used by the vector and the scalar forms alike; the hot vector forms take
//! whole-register lane-wise primitives instead.

use super::Vector;
use super::lanes::*;
use crate::sem::{Sem, Width};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bin {
    Add,
    Sub,
    Mul,
    Mla,
    Mls,
    Cmeq,
    Cmge,
    Cmgt,
    Cmhi,
    Cmhs,
    Cmtst,
    Smax,
    Smin,
    Umax,
    Umin,
    Sqadd,
    Uqadd,
    Sqsub,
    Uqsub,
    Shadd,
    Uhadd,
    Srhadd,
    Urhadd,
    Shsub,
    Uhsub,
    Sabd,
    Uabd,
    Saba,
    Uaba,
    Sshl,
    Ushl,
    Srshl,
    Urshl,
    Sqshl,
    Uqshl,
    Sqrshl,
    Uqrshl,
    Pmul,
    Sqdmulh,
    Sqrdmulh,
    And,
    Bic,
    Orr,
    Orn,
    Eor,
    Bsl,
    Bit,
    Bif,
}

impl Bin {
    fn signed(self) -> bool {
        use Bin::*;
        matches!(
            self,
            Cmge | Cmgt
                | Smax
                | Smin
                | Sqadd
                | Sqsub
                | Shadd
                | Srhadd
                | Shsub
                | Sabd
                | Saba
                | Sshl
                | Srshl
                | Sqshl
                | Sqrshl
                | Sqdmulh
                | Sqrdmulh
        )
    }
    fn accumulates(self) -> bool {
        matches!(self, Bin::Mla | Bin::Mls | Bin::Saba | Bin::Uaba)
    }
}

/// One element of a three-same integer operation. `a`, `b`, `d` (the old destination element, for the
/// accumulating forms) are zero-extended `e`-bit values; the result's bits above `e` are ignored.
pub(crate) fn bin_elem<S: Sem>(
    s: &mut S,
    qc: &mut Qc<S>,
    op: Bin,
    e: u32,
    a: S::V,
    b: S::V,
    d: S::V,
) -> S::V {
    use Bin::*;
    let sg = op.signed();
    let a = ext(s, a, e, sg);
    let b = ext(s, b, e, sg);
    match op {
        Add => s.add(a, b),
        Sub => s.sub(a, b),
        Mul => s.mul(a, b),
        Mla => {
            let p = s.mul(a, b);
            s.add(d, p)
        }
        Mls => {
            let p = s.mul(a, b);
            s.sub(d, p)
        }
        Cmeq => {
            let c = s.eq(a, b);
            mask_of(s, c, e)
        }
        Cmtst => {
            let x = s.and(a, b);
            let z = s.imm(0);
            let c = s.eq(x, z);
            let c = s.b_not(c);
            mask_of(s, c, e)
        }
        Cmgt => {
            let c = s.slt(b, a);
            mask_of(s, c, e)
        }
        Cmge => {
            let c = s.slt(a, b);
            let c = s.b_not(c);
            mask_of(s, c, e)
        }
        Cmhi => {
            let c = s.ult(b, a);
            mask_of(s, c, e)
        }
        Cmhs => {
            let c = s.ult(a, b);
            let c = s.b_not(c);
            mask_of(s, c, e)
        }
        Smax | Smin | Umax | Umin => {
            let lt = if sg { s.slt(a, b) } else { s.ult(a, b) };
            if matches!(op, Smax | Umax) {
                s.select(lt, b, a)
            } else {
                s.select(lt, a, b)
            }
        }
        Sqadd => sqadd(s, qc, a, b, e),
        Sqsub => sqsub(s, qc, a, b, e),
        Uqadd => uqadd(s, qc, a, b, e),
        Uqsub => uqsub(s, qc, a, b),
        // Halving forms exist for e ≤ 32 only, so 64-bit arithmetic is exact.
        Shadd | Uhadd => {
            let r = s.add(a, b);
            shr_const(s, r, 1, sg)
        }
        Srhadd | Urhadd => {
            let r = s.add(a, b);
            let one = s.imm(1);
            let r = s.add(r, one);
            shr_const(s, r, 1, sg)
        }
        Shsub | Uhsub => {
            let r = s.sub(a, b);
            shr_const(s, r, 1, true)
        }
        Sabd | Uabd | Saba | Uaba => {
            let r = s.sub(a, b);
            let r = abs64(s, r);
            if op.accumulates() { s.add(d, r) } else { r }
        }
        Sshl | Ushl | Srshl | Urshl => {
            let round = matches!(op, Srshl | Urshl);
            shl_var(s, a, b, sg, round)
        }
        Sqshl | Uqshl | Sqrshl | Uqrshl => {
            let round = matches!(op, Sqrshl | Uqrshl);
            let right = shl_var(s, a, b, sg, round);
            let amt = s.sext(b, 8);
            let (left, sat) = qshl_var(s, a, amt, e, sg, sg);
            let z = s.imm(0);
            let neg = s.slt(amt, z);
            let pos = s.b_not(neg);
            let sat = s.b_and(sat, pos);
            qc.note(s, sat);
            s.select(neg, right, left)
        }
        Pmul => {
            let mut r = s.imm(0);
            let one = s.imm(1);
            for i in 0..8 {
                let sh = s.imm(i);
                let bit = s.lsr(Width::W64, b, sh);
                let bit = s.and(bit, one);
                let set = s.eq(bit, one);
                let t = s.shl(Width::W64, a, sh);
                let x = s.xor(r, t);
                r = s.select(set, x, r);
            }
            r
        }
        Sqdmulh | Sqrdmulh => {
            // e ∈ {16, 32}: the product fits in 64 bits; 2ab >> e == ab >> (e-1).
            let p = s.mul(a, b);
            let p = if op == Sqrdmulh {
                let k = s.imm(1u64 << (e - 2));
                s.add(p, k)
            } else {
                p
            };
            let r = shr_const(s, p, e - 1, true);
            sat_s(s, qc, r, e)
        }
        And | Bic | Orr | Orn | Eor | Bsl | Bit | Bif => logic(s, op, a, b, d),
    }
}

/// Bitwise three-same operations on 64-bit chunks.
fn logic<S: Sem>(s: &mut S, op: Bin, a: S::V, b: S::V, d: S::V) -> S::V {
    match op {
        Bin::And => s.and(a, b),
        Bin::Bic => {
            let nb = s.not(b);
            s.and(a, nb)
        }
        Bin::Orr => s.or(a, b),
        Bin::Orn => {
            let nb = s.not(b);
            s.or(a, nb)
        }
        Bin::Eor => s.xor(a, b),
        // BSL: d ? a : b per bit; BIT: b ? a : d; BIF: b ? d : a.
        Bin::Bsl => select_bits(s, d, a, b),
        Bin::Bit => select_bits(s, b, a, d),
        _ => select_bits(s, b, d, a),
    }
}

fn select_bits<S: Sem>(s: &mut S, m: S::V, t: S::V, f: S::V) -> S::V {
    // f ^ ((t ^ f) & m)
    let x = s.xor(t, f);
    let x = s.and(x, m);
    s.xor(f, x)
}

/// SSHL/USHL/SRSHL/URSHL: shift `a` (extended) by the signed low byte of `b`.
fn shl_var<S: Sem>(s: &mut S, a: S::V, b: S::V, signed: bool, round: bool) -> S::V {
    let amt = s.sext(b, 8);
    let z = s.imm(0);
    let neg = s.slt(amt, z);
    // Left: shifts of 64 or more give zero.
    let c64 = s.imm(64);
    let small = s.ult(amt, c64);
    let l = s.shl(Width::W64, a, amt);
    let left = s.select(small, l, z);
    // Right by n = -amt (1..=128).
    let n = s.sub(z, amt);
    let r = shr_var(s, a, n, signed);
    let right = if round {
        let one = s.imm(1);
        let n1 = s.sub(n, one);
        let r1 = shr_var(s, a, n1, signed);
        let rb = s.and(r1, one);
        s.add(r, rb)
    } else {
        r
    };
    s.select(neg, right, left)
}

/// Saturating left shift of an extended `e`-bit value by a non-negative run-time amount (0..=127; negative
/// amounts give an unused result). `signed_in` says how `a` is extended, `signed_out` which range the result
/// saturates to (SQSHLU: signed in, unsigned out). Returns the result and whether it saturated.
pub(crate) fn qshl_var<S: Sem>(
    s: &mut S,
    a: S::V,
    amt: S::V,
    e: u32,
    signed_in: bool,
    signed_out: bool,
) -> (S::V, S::B) {
    let z = s.imm(0);
    let c64 = s.imm(64);
    let c63 = s.imm(63);
    let small = s.ult(amt, c64);
    let sh = s.select(small, amt, c63);
    let shifted = s.shl(Width::W64, a, sh);
    // Shifting back must give `a` again: arithmetically for a signed result, logically for an unsigned one
    // (SQSHLU's 2 << 62 fits 64 unsigned bits). A negative SQSHLU input saturates below.
    let back = if signed_out {
        s.asr(Width::W64, shifted, sh)
    } else {
        s.lsr(Width::W64, shifted, sh)
    };
    let lost = s.eq(back, a);
    let lost = s.b_not(lost);
    let nonzero = s.eq(a, z);
    let nonzero = s.b_not(nonzero);
    let big = s.b_not(small);
    let big = s.b_and(big, nonzero);
    let mut sat = s.b_or(lost, big);
    // Saturates towards the input's sign: an unsigned input is never negative.
    let neg_in = if signed_in { Some(s.slt(a, z)) } else { None };
    // The result must fit in e bits of the output range.
    let fits = if signed_out {
        let x = s.sext(shifted, e);
        s.eq(x, shifted)
    } else {
        let x = s.zext(shifted, e);
        s.eq(x, shifted)
    };
    let nf = s.b_not(fits);
    sat = s.b_or(sat, nf);
    let (hi, lo) = if signed_out {
        (smax(e), smin(e))
    } else {
        (ones(e), 0)
    };
    let hi = s.imm(hi);
    let lo = s.imm(lo);
    let (satv, sat) = match neg_in {
        None => (hi, sat),
        Some(neg) => {
            let satv = s.select(neg, lo, hi);
            // A negative input to an unsigned result saturates to 0 even without shifting.
            let sat = if signed_out { sat } else { s.b_or(sat, neg) };
            (satv, sat)
        }
    };
    (s.select(sat, satv, shifted), sat)
}

/// Reads the two operands and old destination and applies `f` element-wise over `n` elements of `e` bits.
pub(crate) fn map3<S: Sem>(
    s: &mut S,
    v: Vector,
    e: u32,
    a: S::Q,
    b: impl Fn(&mut S, u32) -> S::V,
    mut f: impl FnMut(&mut S, S::V, S::V, S::V) -> S::V,
    with_d: bool,
) -> S::Q {
    let d = if with_d { Some(s.vreg(v.rd)) } else { None };
    let mut out = Out::zero(s);
    for i in 0..v.count(e) {
        let x = s.q_lane(a, e, i);
        let y = b(s, i);
        let dv = match d {
            Some(d) => s.q_lane(d, e, i),
            None => s.imm(0),
        };
        let r = f(s, x, y, dv);
        out.set(s, e, i, r);
    }
    out.q
}

pub(crate) fn exec_bin<S: Sem>(s: &mut S, v: Vector, op: Bin) {
    let e = ebits(v.size);
    let a = s.vreg(v.rn);
    let b = s.vreg(v.rm);
    use Bin::*;
    // Whole-register fast paths.
    let fast = match op {
        And => Some(s.q_and(a, b)),
        Orr => Some(s.q_or(a, b)),
        Eor => Some(s.q_xor(a, b)),
        Bic => {
            let nb = s.q_not(b);
            Some(s.q_and(a, nb))
        }
        Orn => {
            let nb = s.q_not(b);
            Some(s.q_or(a, nb))
        }
        Bsl | Bit | Bif => {
            let d = s.vreg(v.rd);
            let (m, t, f) = match op {
                Bsl => (d, a, b),
                Bit => (b, a, d),
                _ => (b, d, a),
            };
            let x = s.q_xor(t, f);
            let x = s.q_and(x, m);
            Some(s.q_xor(f, x))
        }
        _ if v.scalar => None,
        Add => Some(s.q_add(e, a, b)),
        Sub => Some(s.q_sub(e, a, b)),
        Cmeq => Some(s.q_cmeq(e, a, b)),
        Mul => Some(s.q_mul(e, a, b)),
        Mla | Mls => {
            let d = s.vreg(v.rd);
            let p = s.q_mul(e, a, b);
            Some(if op == Mla {
                s.q_add(e, d, p)
            } else {
                s.q_sub(e, d, p)
            })
        }
        Smax | Smin | Umax | Umin => {
            let signed = matches!(op, Smax | Smin);
            Some(s.q_minmax(e, signed, matches!(op, Smax | Umax), a, b))
        }
        Cmgt => Some(s.q_cmgt(e, true, a, b)),
        Cmhi => Some(s.q_cmgt(e, false, a, b)),
        Cmge | Cmhs => {
            let lt = s.q_cmgt(e, op == Cmge, b, a);
            Some(s.q_not(lt))
        }
        Cmtst => {
            let x = s.q_and(a, b);
            let z = s.imm(0);
            let zq = s.q_from(z, z);
            let eq = s.q_cmeq(e, x, zq);
            Some(s.q_not(eq))
        }
        _ => None,
    };
    let r = match fast {
        Some(r) => clear_high(s, r, v.q),
        None => {
            let mut qc = Qc::new();
            let r = map3(
                s,
                v,
                e,
                a,
                |s, i| s.q_lane(b, e, i),
                |s, x, y, d| bin_elem(s, &mut qc, op, e, x, y, d),
                op.accumulates(),
            );
            qc.commit(s);
            r
        }
    };
    s.set_vreg(v.rd, r);
}

pub(crate) fn exec_bin_idx<S: Sem>(s: &mut S, v: Vector, op: Bin) {
    let e = ebits(v.size);
    let a = s.vreg(v.rn);
    let m = s.vreg(v.rm);
    let y = s.q_lane(m, e, v.imm as u32);
    let mut qc = Qc::new();
    let r = map3(
        s,
        v,
        e,
        a,
        |_, _| y,
        |s, x, y, d| bin_elem(s, &mut qc, op, e, x, y, d),
        op.accumulates(),
    );
    qc.commit(s);
    s.set_vreg(v.rd, r);
}

/// Pairwise: element `i` of the result is `op(c[2i], c[2i+1])` where `c` is `rn`'s elements then `rm`'s. The
/// scalar form (ADDP Dd, Vn.2D) pairs the two elements of `rn`.
#[inline(always)]
pub(crate) fn exec_pair<S: Sem>(s: &mut S, v: Vector, op: Bin) {
    let e = ebits(v.size);
    let a = s.vreg(v.rn);
    let b = if v.scalar { a } else { s.vreg(v.rm) };
    let n = v.count(e);
    if !v.scalar {
        // De-interleave the even and odd elements of a:b, then one lane-wise operation.
        let pick = |odd: u32| {
            move |i: u32| {
                let k = 2 * i + odd;
                if k < n { (false, k) } else { (true, k - n) }
            }
        };
        let ev = shuffle_idx(e, n, pick(0));
        let od = shuffle_idx(e, n, pick(1));
        let x = s.q_shuffle(a, b, ev);
        let y = s.q_shuffle(a, b, od);
        let r = match op {
            Bin::Add => s.q_add(e, x, y),
            Bin::Smax | Bin::Smin | Bin::Umax | Bin::Umin => s.q_minmax(
                e,
                matches!(op, Bin::Smax | Bin::Smin),
                matches!(op, Bin::Smax | Bin::Umax),
                x,
                y,
            ),
            _ => x, // the decoder makes pairwise forms only of ADD and the min/max ops
        };
        let r = clear_high(s, r, v.q);
        s.set_vreg(v.rd, r);
        return;
    }
    let per = if v.scalar { 2 } else { n };
    let mut qc = Qc::new();
    let mut out = Out::zero(s);
    for i in 0..n {
        let k = 2 * i;
        let (src, k) = if k < per { (a, k) } else { (b, k - per) };
        let x = s.q_lane(src, e, k);
        let y = s.q_lane(src, e, k + 1);
        let z = s.imm(0);
        let r = bin_elem(s, &mut qc, op, e, x, y, z);
        out.set(s, e, i, r);
    }
    s.set_vreg(v.rd, out.q);
}
