//! Lane plumbing shared by every AdvSIMD family: arrangement arithmetic, reading and writing elements,
//! integer saturation helpers and FPSR.QC.
//!
//! Everything here composes existing `Sem` primitives; element sizes, counts and indices are decode-time
//! values, so a lifter sees straight-line code.

use super::Vector;
use crate::sem::{Sem, SysReg, Width};

/// Element size in bits for a `size` field.
#[inline(always)]
pub(crate) const fn ebits(size: u8) -> u32 {
    8 << size
}

/// All-ones in the low `e` bits.
#[inline(always)]
pub(crate) const fn ones(e: u32) -> u64 {
    if e >= 64 { u64::MAX } else { (1u64 << e) - 1 }
}

/// Largest signed `e`-bit value.
#[inline(always)]
pub(crate) const fn smax(e: u32) -> u64 {
    ones(e - 1)
}

/// Smallest signed `e`-bit value, sign-extended to 64 bits.
#[inline(always)]
pub(crate) const fn smin(e: u32) -> u64 {
    !ones(e - 1)
}

impl Vector {
    /// Number of elements of `e` bits the instruction works on (1 for scalar forms).
    #[inline(always)]
    pub(crate) fn count(self, e: u32) -> u32 {
        if self.scalar {
            1
        } else if self.q {
            128 / e
        } else {
            64 / e
        }
    }
}

/// A register value being built lane by lane, starting from zero (so 64-bit and scalar results clear the rest).
pub(crate) struct Out<S: Sem> {
    pub q: S::Q,
}

impl<S: Sem> Out<S> {
    pub fn zero(s: &mut S) -> Self {
        let z = s.imm(0);
        Out { q: s.q_from(z, z) }
    }
    pub fn from(q: S::Q) -> Self {
        Out { q }
    }
    pub fn set(&mut self, s: &mut S, e: u32, i: u32, v: S::V) {
        self.q = s.q_with_lane(self.q, e, i, v);
    }
}

/// `q` with its upper 64 bits cleared unless `full`.
pub(crate) fn clear_high<S: Sem>(s: &mut S, q: S::Q, full: bool) -> S::Q {
    if full {
        q
    } else {
        let lo = s.q_lo(q);
        let z = s.imm(0);
        s.q_from(lo, z)
    }
}

/// Accumulates saturation flags (0/1 values) of an instruction; [`Qc::commit`] ORs them into FPSR.QC.
pub(crate) struct Qc<S: Sem> {
    flag: Option<S::V>,
}

impl<S: Sem> Qc<S> {
    pub fn new() -> Self {
        Qc { flag: None }
    }
    /// Records a condition that saturated.
    pub fn note(&mut self, s: &mut S, c: S::B) {
        let f = s.b_to_v(c);
        self.flag = Some(match self.flag {
            None => f,
            Some(p) => s.or(p, f),
        });
    }
    pub fn commit(self, s: &mut S) {
        if let Some(f) = self.flag {
            let fpsr = s.read_sysreg(SysReg::Fpsr);
            let sh = s.imm(27);
            let bit = s.shl(Width::W64, f, sh);
            let n = s.or(fpsr, bit);
            s.write_sysreg(SysReg::Fpsr, n);
        }
    }
}

/// Signed saturation of a 64-bit signed value to `e` bits (`e` < 64).
pub(crate) fn sat_s<S: Sem>(s: &mut S, qc: &mut Qc<S>, v: S::V, e: u32) -> S::V {
    let hi = s.imm(smax(e));
    let lo = s.imm(smin(e));
    let over = s.slt(hi, v);
    let under = s.slt(v, lo);
    let r = s.select(over, hi, v);
    let r = s.select(under, lo, r);
    let any = s.b_or(over, under);
    qc.note(s, any);
    r
}

/// Unsigned saturation of a 64-bit signed value to `e` bits (`e` < 64): clamps to `0..=2^e-1`.
pub(crate) fn sat_su<S: Sem>(s: &mut S, qc: &mut Qc<S>, v: S::V, e: u32) -> S::V {
    let hi = s.imm(ones(e));
    let z = s.imm(0);
    let over = s.slt(hi, v);
    let under = s.slt(v, z);
    let r = s.select(over, hi, v);
    let r = s.select(under, z, r);
    let any = s.b_or(over, under);
    qc.note(s, any);
    r
}

/// Unsigned saturation of a 64-bit unsigned value to `e` bits (`e` < 64).
pub(crate) fn sat_u<S: Sem>(s: &mut S, qc: &mut Qc<S>, v: S::V, e: u32) -> S::V {
    let hi = s.imm(ones(e));
    let over = s.ult(hi, v);
    let r = s.select(over, hi, v);
    qc.note(s, over);
    r
}

/// The 64-bit tail of SQADD/SQSUB: `r` unless the sign bit of `o` says the operation overflowed, in which case
/// the bound on `a`'s side (an overflow always has the sign of the first operand), noting QC.
fn saturate_s64<S: Sem>(s: &mut S, qc: &mut Qc<S>, a: S::V, r: S::V, o: S::V) -> S::V {
    let z = s.imm(0);
    let ovf = s.slt(o, z);
    let aneg = s.slt(a, z);
    let mn = s.imm(smin(64));
    let mx = s.imm(smax(64));
    let sat = s.select(aneg, mn, mx);
    qc.note(s, ovf);
    s.select(ovf, sat, r)
}

/// Signed saturating `a + b` of `e`-bit values given sign-extended to 64 bits.
pub(crate) fn sqadd<S: Sem>(s: &mut S, qc: &mut Qc<S>, a: S::V, b: S::V, e: u32) -> S::V {
    if e < 64 {
        let r = s.add(a, b);
        return sat_s(s, qc, r, e);
    }
    let r = s.add(a, b);
    // Overflow iff a and b have the same sign and r's differs.
    let x1 = s.xor(a, r);
    let x2 = s.xor(b, r);
    let o = s.and(x1, x2);
    saturate_s64(s, qc, a, r, o)
}

/// Signed saturating `a - b` of `e`-bit values given sign-extended to 64 bits.
pub(crate) fn sqsub<S: Sem>(s: &mut S, qc: &mut Qc<S>, a: S::V, b: S::V, e: u32) -> S::V {
    if e < 64 {
        let r = s.sub(a, b);
        return sat_s(s, qc, r, e);
    }
    let r = s.sub(a, b);
    // Overflow iff a and b have different signs and r's sign differs from a's.
    let x1 = s.xor(a, b);
    let x2 = s.xor(a, r);
    let o = s.and(x1, x2);
    saturate_s64(s, qc, a, r, o)
}

/// Unsigned saturating `a + b` of zero-extended `e`-bit values.
pub(crate) fn uqadd<S: Sem>(s: &mut S, qc: &mut Qc<S>, a: S::V, b: S::V, e: u32) -> S::V {
    let r = s.add(a, b);
    if e < 64 {
        return sat_u(s, qc, r, e);
    }
    let c = s.ult(r, a);
    let m = s.imm(u64::MAX);
    qc.note(s, c);
    s.select(c, m, r)
}

/// Unsigned saturating `a - b` of zero-extended `e`-bit values.
pub(crate) fn uqsub<S: Sem>(s: &mut S, qc: &mut Qc<S>, a: S::V, b: S::V) -> S::V {
    let r = s.sub(a, b);
    let c = s.ult(a, b);
    let z = s.imm(0);
    qc.note(s, c);
    s.select(c, z, r)
}

/// `|v|` of a 64-bit signed value (wrapping).
pub(crate) fn abs64<S: Sem>(s: &mut S, v: S::V) -> S::V {
    let z = s.imm(0);
    let neg = s.slt(v, z);
    let n = s.sub(z, v);
    s.select(neg, n, v)
}

/// Sign- or zero-extension of an `e`-bit element to 64 bits.
#[inline(always)]
pub(crate) fn ext<S: Sem>(s: &mut S, v: S::V, e: u32, signed: bool) -> S::V {
    if signed && e < 64 { s.sext(v, e) } else { v }
}

/// All-ones (`e` bits) if `c`, else zero.
pub(crate) fn mask_of<S: Sem>(s: &mut S, c: S::B, e: u32) -> S::V {
    let m = s.imm(ones(e));
    let z = s.imm(0);
    s.select(c, m, z)
}

/// Right shift by a run-time amount `n` (0..=255): arithmetic (clamped, so ≥ 64 gives the sign) or logical
/// (≥ 64 gives zero).
pub(crate) fn shr_var<S: Sem>(s: &mut S, a: S::V, n: S::V, signed: bool) -> S::V {
    let lim = s.imm(64);
    let small = s.ult(n, lim);
    if signed {
        let c63 = s.imm(63);
        let nc = s.select(small, n, c63);
        s.asr(Width::W64, a, nc)
    } else {
        let r = s.lsr(Width::W64, a, n);
        let z = s.imm(0);
        s.select(small, r, z)
    }
}

/// Right shift by a decode-time amount `n` (0..=64) of a 64-bit (sign- or zero-extended) value.
pub(crate) fn shr_const<S: Sem>(s: &mut S, a: S::V, n: u32, signed: bool) -> S::V {
    if n == 0 {
        return a;
    }
    if signed {
        let sh = s.imm(n.min(63) as u64);
        s.asr(Width::W64, a, sh)
    } else if n >= 64 {
        s.imm(0)
    } else {
        let sh = s.imm(n as u64);
        s.lsr(Width::W64, a, sh)
    }
}

/// Rounding right shift by a decode-time amount `n` (1..=64): `(a + 2^(n-1)) >> n` without overflow.
pub(crate) fn rshr_const<S: Sem>(s: &mut S, a: S::V, n: u32, signed: bool) -> S::V {
    if n == 0 {
        return a;
    }
    let t = shr_const(s, a, n, signed);
    let r = shr_const(s, a, n - 1, signed);
    let one = s.imm(1);
    let rb = s.and(r, one);
    s.add(t, rb)
}

/// Byte indices for [`Sem::q_shuffle`] building `n` elements of `e` bits: element `i` is element `k` of the
/// first operand (`pick(i) = (false, k)`) or of the second (`(true, k)`). Bytes past `n` elements pick byte 0.
#[inline(always)]
pub(crate) fn shuffle_idx(e: u32, n: u32, pick: impl Fn(u32) -> (bool, u32)) -> [u8; 16] {
    let eb = e / 8;
    let mut idx = [0u8; 16];
    for i in 0..n {
        let (from_b, k) = pick(i);
        for j in 0..eb {
            idx[(i * eb + j) as usize] = (from_b as u32 * 16 + k * eb + j) as u8;
        }
    }
    idx
}

/// A zero register.
pub(crate) fn zero_q<S: Sem>(s: &mut S) -> S::Q {
    let z = s.imm(0);
    s.q_from(z, z)
}

/// Packs the low halves of the `2e`-bit elements of `wide` into `e`-bit elements: the lower half of the
/// result (upper cleared), or for the `2` forms (`v.q`) the upper half above `rd`'s kept lower half.
pub(crate) fn narrow_pack<S: Sem>(s: &mut S, v: Vector, e: u32, wide: S::Q) -> S::Q {
    let n = 64 / e;
    if v.q {
        let d = s.vreg(v.rd);
        let idx = shuffle_idx(e, 2 * n, |i| {
            if i < n {
                (false, i)
            } else {
                (true, 2 * (i - n))
            }
        });
        s.q_shuffle(d, wide, idx)
    } else {
        let idx = shuffle_idx(e, n, |i| (false, 2 * i));
        let r = s.q_shuffle(wide, wide, idx);
        clear_high(s, r, false)
    }
}

/// Widens the `e`-bit elements of the lower (or, for `part`, upper) half of `a` to `2e` bits, zero- or
/// sign-extended, shifted left by `sh` (`0..=e`).
pub(crate) fn widen<S: Sem>(s: &mut S, a: S::Q, e: u32, part: bool, signed: bool, sh: u32) -> S::Q {
    let n = 64 / e;
    let base = if part { n } else { 0 };
    let z = zero_q(s);
    if signed && sh < e {
        // Element in the high half of its wide lane, then an arithmetic shift back down.
        let idx = shuffle_idx(e, 2 * n, |i| {
            if i % 2 == 1 {
                (false, base + i / 2)
            } else {
                (true, 0)
            }
        });
        let hi = s.q_shuffle(a, z, idx);
        s.q_shr_imm(2 * e, true, hi, e - sh)
    } else {
        // Zero-extended in place; a shift by e is the element in the high half.
        let idx = shuffle_idx(e, 2 * n, |i| {
            let elem = (false, base + i / 2);
            let zero = (true, 0);
            if (i % 2 == 0) == (sh < e) { elem } else { zero }
        });
        let r = s.q_shuffle(a, z, idx);
        if sh == 0 || sh >= e {
            r
        } else {
            s.q_shl_imm(2 * e, r, sh)
        }
    }
}
