//! Fast paths for comparisons, FMAX/FMIN(NM), S↔D conversion, FP → integer truncation (C casts), integer →
//! FP and square root: the everyday cases on host arithmetic, `None` for anything the exact engine must see
//! (NaNs, flushed denormals, zeros where a sign rule applies, out-of-range values, directed rounding).

use super::engine::{FPCR_FZ, IXC, Mode};
use crate::sem::FpTy;
use core::cmp::Ordering;

const RMODE_MASK: u32 = 3 << 22;

/// The operand as f64 (exact), or None for NaNs and for denormals that FZ would flush.
#[inline(always)]
fn operand(fpcr: u32, ty: FpTy, a: u64) -> Option<f64> {
    let (x, denormal) = match ty {
        FpTy::S => {
            let a = a as u32;
            (
                f32::from_bits(a) as f64,
                a & 0x7f80_0000 == 0 && a << 1 != 0,
            )
        }
        FpTy::D => (
            f64::from_bits(a),
            a & 0x7ff0_0000_0000_0000 == 0 && a << 1 != 0,
        ),
        FpTy::H => return None,
    };
    if x.is_nan() || (denormal && fpcr & FPCR_FZ != 0) {
        return None;
    }
    Some(x)
}

/// Ordering of two non-NaN operands (−0 == +0), no flags.
#[inline(always)]
pub fn compare(fpcr: u32, ty: FpTy, a: u64, b: u64) -> Option<Ordering> {
    let x = operand(fpcr, ty, a)?;
    let y = operand(fpcr, ty, b)?;
    x.partial_cmp(&y)
}

/// FMAX/FMIN and the NM forms (identical without NaNs) when the operands differ in value.
#[inline(always)]
pub fn minmax(fpcr: u32, ty: FpTy, a: u64, b: u64, max: bool) -> Option<u64> {
    match compare(fpcr, ty, a, b)? {
        Ordering::Equal => None, // ±0 pairs: the sign rule lives in the exact engine
        Ordering::Greater => Some(if max { a } else { b }),
        Ordering::Less => Some(if max { b } else { a }),
    }
}

/// FCVT between S and D in round-to-nearest (normal and zero inputs; finite normal results).
#[inline(always)]
pub fn convert(fpcr: u32, from: FpTy, to: FpTy, a: u64, flags: &mut u32) -> Option<u64> {
    match (from, to) {
        (FpTy::S, FpTy::D) => {
            let e = (a >> 23) & 0xff;
            (e != 0 && e != 0xff || a << 33 == 0)
                .then(|| (f32::from_bits(a as u32) as f64).to_bits())
        }
        (FpTy::D, FpTy::S) if fpcr & RMODE_MASK == 0 => {
            let x = operand(fpcr, FpTy::D, a)?;
            let r = x as f32;
            let rb = r.to_bits();
            let mag = rb & 0x7fff_ffff;
            if mag.wrapping_sub(0x0080_0001) < 0x7f80_0000 - 0x0080_0001 {
                if r as f64 != x {
                    *flags |= IXC;
                }
                Some(rb as u64)
            } else if x == 0.0 {
                Some(rb as u64)
            } else {
                None
            }
        }
        _ => None,
    }
}

/// `x` (finite, |x| < 2^52) rounded to an integral value in `mode`, and whether that was inexact.
#[inline(always)]
fn round_small(x: f64, mode: Mode) -> (f64, bool) {
    let t = x as i64 as f64; // toward zero, exact
    let frac = x - t; // exact: t is x with its fraction bits cleared
    let step = if x < 0.0 { -1.0 } else { 1.0 };
    let away = match mode {
        Mode::Zero => false,
        Mode::PosInf => frac > 0.0,
        Mode::NegInf => frac < 0.0,
        Mode::TiesAway => frac.abs() >= 0.5,
        Mode::TiesEven => frac.abs() > 0.5 || (frac.abs() == 0.5 && (t as i64) & 1 != 0),
    };
    (if away { t + step } else { t }, frac != 0.0)
}

/// FRINT* of a finite operand (NaNs, infinities and flushed denormals take the exact path).
#[inline(always)]
pub fn round_int(
    fpcr: u32,
    ty: FpTy,
    a: u64,
    mode: Mode,
    exact: bool,
    flags: &mut u32,
) -> Option<u64> {
    let x = operand(fpcr, ty, a)?;
    let limit = if ty == FpTy::S {
        8_388_608.0
    } else {
        4_503_599_627_370_496.0
    }; // 2^23, 2^52
    if x.abs() >= limit {
        return x.is_finite().then_some(a); // already integral (x is not a NaN here)
    }
    let (r, inexact) = round_small(x, mode);
    if inexact && exact {
        *flags |= IXC;
    }
    // A zero result keeps the operand's sign.
    let r = if r == 0.0 && x.is_sign_negative() {
        -0.0
    } else {
        r
    };
    Some(if ty == FpTy::S {
        (r as f32).to_bits() as u64
    } else {
        r.to_bits()
    })
}

/// FCVT[NAPMZ]S/U to a plain integer, for values whose rounded result is in range.
#[inline(always)]
pub fn to_int(
    fpcr: u32,
    ty: FpTy,
    a: u64,
    bits: u32,
    signed: bool,
    mode: Mode,
    flags: &mut u32,
) -> Option<u64> {
    let x = operand(fpcr, ty, a)?;
    if mode == Mode::Zero {
        return to_int_zero(x, bits, signed, flags);
    }
    if x.abs() >= 4_503_599_627_370_496.0 {
        return None; // |x| ≥ 2^52 or infinite: leave it to the exact path
    }
    let (r, inexact) = round_small(x, mode);
    let v = to_int_zero(r, bits, signed, flags)?;
    if inexact {
        *flags |= IXC;
    }
    Some(v)
}

/// Truncation of `x` to an integer of `bits` (IXC if inexact), when the result is in range.
#[inline(always)]
fn to_int_zero(x: f64, bits: u32, signed: bool, flags: &mut u32) -> Option<u64> {
    let lim = if bits == 64 {
        18_446_744_073_709_551_616.0
    } else {
        4_294_967_296.0
    }; // 2^bits
    let r = if signed {
        if !(x > -(lim / 2.0) - 1.0 && x < lim / 2.0) {
            return None;
        }
        let r = x as i64;
        (r as u64 & (u64::MAX >> (64 - bits)), r as f64)
    } else {
        if !(x > -1.0 && x < lim) {
            return None;
        }
        let r = x as u64;
        (r, r as f64)
    };
    if r.1 != x {
        *flags |= IXC;
    }
    Some(r.0)
}

/// SCVTF/UCVTF without fraction bits in round-to-nearest.
#[inline(always)]
pub fn from_int(
    fpcr: u32,
    ty: FpTy,
    a: u64,
    bits: u32,
    signed: bool,
    flags: &mut u32,
) -> Option<u64> {
    if fpcr & RMODE_MASK != 0 {
        return None;
    }
    let v: i128 = match (bits, signed) {
        (32, true) => a as i32 as i128,
        (32, false) => a as u32 as i128,
        (_, true) => a as i64 as i128,
        _ => a as i128,
    };
    let m = v.unsigned_abs() as u64;
    let (r, sig) = match ty {
        FpTy::S => ((v as f32).to_bits() as u64, 24),
        FpTy::D => ((v as f64).to_bits(), 53),
        FpTy::H => return None,
    };
    if m != 0 && 64 - m.leading_zeros() - m.trailing_zeros() > sig {
        *flags |= IXC;
    }
    Some(r)
}

/// FSQRT of a positive normal number in round-to-nearest (host square root, correctly rounded by IEEE 754).
#[cfg(feature = "std")]
#[inline(always)]
pub fn sqrt(fpcr: u32, ty: FpTy, a: u64, flags: &mut u32) -> Option<u64> {
    if fpcr & RMODE_MASK != 0 {
        return None;
    }
    match ty {
        FpTy::S => {
            let e = (a >> 23) & 0xff;
            if a >> 31 != 0 || e == 0 || e == 0xff {
                return None;
            }
            let x = f32::from_bits(a as u32) as f64;
            let r = std::primitive::f64::sqrt(x) as f32; // one extra rounding is harmless: 53 ≥ 2·24 + 2
            let r64 = r as f64;
            if r64 * r64 != x {
                *flags |= IXC;
            }
            Some(r.to_bits() as u64)
        }
        FpTy::D => {
            let e = (a >> 52) & 0x7ff;
            if a >> 63 != 0 || e == 0 || e == 0x7ff {
                return None;
            }
            let r = std::primitive::f64::sqrt(f64::from_bits(a)).to_bits();
            // r² == a exactly iff the odd parts of their significands agree.
            let sr = (r & ((1 << 52) - 1) | 1 << 52) as u128;
            let p = sr * sr;
            let sa = (a & ((1 << 52) - 1) | 1 << 52) as u128;
            if p >> p.trailing_zeros() != sa >> sa.trailing_zeros() {
                *flags |= IXC;
            }
            Some(r)
        }
        FpTy::H => None,
    }
}

#[cfg(not(feature = "std"))]
#[inline(always)]
pub fn sqrt(_fpcr: u32, _ty: FpTy, _a: u64, _flags: &mut u32) -> Option<u64> {
    None
}
