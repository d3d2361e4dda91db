//! Fast paths for round-to-nearest-even (FZ and DN allowed): host `f32`/`f64` arithmetic plus cheap exact
//! tests for the flags, and a fused multiply-add for doubles built from error-free transformations. Each
//! returns `None` when the case is not an easy one (NaN or infinite operands or result, results at or below
//! the smallest normal, flushed denormal inputs, operands outside the FMA's safe exponent range), and the
//! caller takes the exact path in `arith`.
//!
//! Cost (callgrind, x86-64, per call through `softfp::binop`/`muladd` incl. dispatch): about 55–65
//! instructions for single add/mul/div/FMA, 60 for double add, 85 for double mul, 100 for double div and
//! FMA; the exact engine takes 400–500.

use super::engine::{FPCR_FZ, IXC};

const RMODE_MASK: u32 = 3 << 22;

const S_SIGN: u32 = 1 << 31;
const S_MIN_NORMAL: u32 = 0x0080_0000;
const S_INF: u32 = 0x7f80_0000;
const D_SIGN: u64 = 1 << 63;
const D_MIN_NORMAL: u64 = 0x0010_0000_0000_0000;
const D_INF: u64 = 0x7ff0_0000_0000_0000;
const D_FRAC: u64 = D_MIN_NORMAL - 1;

#[inline(always)]
fn usable(fpcr: u32) -> bool {
    fpcr & RMODE_MASK == 0
}

#[inline(always)]
fn denormal_s(x: u32) -> bool {
    x & S_INF == 0 && x << 1 != 0
}

#[inline(always)]
fn denormal_d(x: u64) -> bool {
    x & D_INF == 0 && x << 1 != 0
}

/// Magnitude strictly between the smallest normal and infinity: no underflow, overflow or NaN is possible.
#[inline(always)]
fn big_s(r: u32) -> bool {
    (r & !S_SIGN).wrapping_sub(S_MIN_NORMAL + 1) < S_INF - (S_MIN_NORMAL + 1)
}

#[inline(always)]
fn big_d(r: u64) -> bool {
    (r & !D_SIGN).wrapping_sub(D_MIN_NORMAL + 1) < D_INF - (D_MIN_NORMAL + 1)
}

/// Knuth's TwoSum error term of `r = x + y` (exact without overflow).
#[inline(always)]
fn two_sum_err(x: f64, y: f64, r: f64) -> f64 {
    let bb = r - x;
    (x - (r - bb)) + (y - bb)
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Add,
    Sub,
    Mul,
    Div,
}

/// Single precision through double: every result below is correctly rounded, since 53 ≥ 2·24 + 2.
#[inline(always)]
pub fn binop_s(fpcr: u32, op: Op, a: u32, b: u32, flags: &mut u32) -> Option<u32> {
    if !usable(fpcr) || (fpcr & FPCR_FZ != 0 && (denormal_s(a) || denormal_s(b))) {
        return None;
    }
    let (x, y) = (f32::from_bits(a) as f64, f32::from_bits(b) as f64);
    let (r64, exact64) = match op {
        Op::Add => {
            let r = x + y;
            (r, two_sum_err(x, y, r) == 0.0)
        }
        Op::Sub => {
            let r = x - y;
            (r, two_sum_err(x, -y, r) == 0.0)
        }
        Op::Mul => (x * y, true),
        // A quotient of 24-bit significands that is not exact in double is not exact in single either.
        Op::Div => (x / y, true),
    };
    let r = r64 as f32;
    let rb = r.to_bits();
    let exact = exact64 && r as f64 == r64;
    if big_s(rb) {
        if !exact {
            *flags |= IXC;
        }
        return Some(rb);
    }
    // Exact zero from finite operands (x − x, 0 · y, 0 / y).
    if rb << 1 == 0 && r64 == 0.0 && (op != Op::Div || y != 0.0) && x.is_finite() && y.is_finite() {
        return Some(rb);
    }
    None
}

/// Single-precision fused `a + b·c`: the product is exact in double; the double sum is rounded to odd, which
/// makes the final rounding to single correct.
#[inline(always)]
pub fn muladd_s(fpcr: u32, a: u32, b: u32, c: u32, flags: &mut u32) -> Option<u32> {
    if !usable(fpcr) || (fpcr & FPCR_FZ != 0 && (denormal_s(a) || denormal_s(b) || denormal_s(c))) {
        return None;
    }
    let x = f32::from_bits(a) as f64;
    let p = f32::from_bits(b) as f64 * f32::from_bits(c) as f64;
    let mut s = x + p;
    let e = two_sum_err(x, p, s);
    if e != 0.0 {
        if !e.is_finite() {
            return None;
        }
        let sb = s.to_bits();
        if sb & 1 == 0 {
            let away = (e > 0.0) == (s > 0.0);
            s = f64::from_bits(if away { sb + 1 } else { sb - 1 });
        }
    }
    let r = s as f32;
    let rb = r.to_bits();
    if big_s(rb) {
        if e != 0.0 || r as f64 != s {
            *flags |= IXC;
        }
        return Some(rb);
    }
    if rb << 1 == 0 && s == 0.0 && e == 0.0 && x.is_finite() && p.is_finite() {
        return Some(rb);
    }
    None
}

/// Significand of a finite double as an integer (hidden bit included for normals).
#[inline(always)]
fn sig_d(x: u64) -> u64 {
    (x & D_FRAC) | (((x & D_INF) != 0) as u64) << 52
}

/// Number of significant bits between the highest and lowest set bits.
#[inline(always)]
fn width(p: u128) -> u32 {
    128 - p.leading_zeros() - p.trailing_zeros()
}

#[inline(always)]
pub fn binop_d(fpcr: u32, op: Op, a: u64, b: u64, flags: &mut u32) -> Option<u64> {
    if !usable(fpcr) || (fpcr & FPCR_FZ != 0 && (denormal_d(a) || denormal_d(b))) {
        return None;
    }
    let (x, y) = (f64::from_bits(a), f64::from_bits(b));
    let r = match op {
        Op::Add => x + y,
        Op::Sub => x - y,
        Op::Mul => x * y,
        Op::Div => x / y,
    };
    let rb = r.to_bits();
    if big_d(rb) {
        let exact = match op {
            Op::Add | Op::Sub => {
                let e = two_sum_err(x, if op == Op::Sub { -y } else { y }, r);
                if !e.is_finite() {
                    return None;
                }
                e == 0.0
            }
            // Operands are finite here (else the result would be infinite, NaN or zero).
            Op::Mul => width(sig_d(a) as u128 * sig_d(b) as u128) <= 53,
            Op::Div => {
                // r·b == a exactly iff their odd parts agree (the powers of two must then agree too).
                let p = sig_d(rb) as u128 * sig_d(b) as u128;
                let sa = sig_d(a) as u128;
                sa != 0 && p >> p.trailing_zeros() == sa >> sa.trailing_zeros()
            }
        };
        if !exact {
            *flags |= IXC;
        }
        return Some(rb);
    }
    if rb << 1 == 0 && x.is_finite() && y.is_finite() {
        let exact_zero = match op {
            Op::Add | Op::Sub => true, // a sum that rounds to zero is zero
            Op::Mul => a << 1 == 0 || b << 1 == 0,
            Op::Div => a << 1 == 0 && b << 1 != 0,
        };
        if exact_zero {
            return Some(rb);
        }
    }
    None
}

/// Veltkamp's split of `x` into two halves of 26 significant bits (|x| < 2^995).
#[inline(always)]
fn split(x: f64) -> (f64, f64) {
    let t = 134_217_729.0 * x; // 2^27 + 1
    let hi = t - (t - x);
    (hi, x - hi)
}

/// Dekker's exact product: `x·y = hi + lo` (no FMA needed; exact away from overflow and underflow).
#[inline(always)]
fn two_prod(x: f64, y: f64) -> (f64, f64) {
    let p = x * y;
    let (xh, xl) = split(x);
    let (yh, yl) = split(y);
    (p, ((xh * yh - p) + xh * yl + xl * yh) + xl * yl)
}

/// `x + y` rounded to odd (the sum and whether it was inexact).
#[inline(always)]
fn add_round_odd(x: f64, y: f64) -> (f64, bool) {
    let s = x + y;
    let e = two_sum_err(x, y, s);
    if e == 0.0 {
        return (s, false);
    }
    let sb = s.to_bits();
    if sb & 1 != 0 {
        return (s, true);
    }
    // Toward the exact value: one unit away from zero if the error has the sum's sign, else toward it.
    let away = (e > 0.0) == (s > 0.0);
    (f64::from_bits(if away { sb + 1 } else { sb - 1 }), true)
}

/// Biased exponent field of a double.
#[inline(always)]
fn exp_d(x: u64) -> u64 {
    (x >> 52) & 0x7ff
}

/// Double-precision fused `a + b·c` with double arithmetic only (so it also maps to Wasm's f64 ops): Dekker's
/// exact product, then Boldo and Melquiond's emulation `RN(th + RO(tl + pl))` where `th + tl = a + ph`
/// exactly ("Emulation of FMA and correctly rounded sums: proved algorithms using rounding to odd", IEEE TC
/// 2008). Operands and result are kept well inside the exponent range, so nothing overflows or underflows
/// and every error-free transformation is exact.
#[inline(always)]
pub fn muladd_d(fpcr: u32, a: u64, b: u64, c: u64, flags: &mut u32) -> Option<u64> {
    const LO: u64 = 1023 - 480;
    const SPAN: u64 = 960;
    // |b|, |c| in [2^-480, 2^481), |a| < 2^481 (zero allowed): the product is in [2^-960, 2^962).
    if !usable(fpcr)
        || exp_d(b).wrapping_sub(LO) >= SPAN
        || exp_d(c).wrapping_sub(LO) >= SPAN
        || (exp_d(a).wrapping_sub(LO) >= SPAN && a << 1 != 0)
    {
        return None;
    }
    let x = f64::from_bits(a);
    let (ph, pl) = two_prod(f64::from_bits(b), f64::from_bits(c));
    let th = x + ph;
    let tl = two_sum_err(x, ph, th);
    let (v, inexact_v) = add_round_odd(tl, pl);
    let r = th + v;
    let rb = r.to_bits();
    // The result must stay far from underflow (where the transformations stop being exact).
    if exp_d(rb) < 1023 - 900 {
        return None;
    }
    if inexact_v || two_sum_err(th, v, r) != 0.0 {
        *flags |= IXC;
    }
    Some(rb)
}

/// Whether the cheap forms below apply: round to nearest even, no flush to zero, and FPSR.IXC already set.
/// IXC is sticky and nearly every program sets it early. Then an operation on any operands whose host result
/// is a normal finite number (`big_*`) can raise no flag that is not already set: invalid operations give a
/// NaN, division by zero and overflow an infinity, underflow a result at or below the smallest normal (a
/// result rounded above it was not tiny before rounding either), and without FZ no input is flushed (IDC).
/// So the host's correctly rounded result is the whole answer, with no exactness test.
#[inline(always)]
pub fn cheap(fpcr: u32, fpsr: u64) -> bool {
    fpcr & (RMODE_MASK | FPCR_FZ) == 0 && fpsr as u32 & IXC != 0
}

/// [`binop_s`] when [`cheap`] holds.
#[inline(always)]
pub fn binop_cheap_s(op: Op, a: u32, b: u32) -> Option<u32> {
    let (x, y) = (f32::from_bits(a), f32::from_bits(b));
    let r = match op {
        Op::Add => x + y,
        Op::Sub => x - y,
        Op::Mul => x * y,
        Op::Div => x / y,
    }
    .to_bits();
    big_s(r).then_some(r)
}

/// [`binop_d`] when [`cheap`] holds.
#[inline(always)]
pub fn binop_cheap_d(op: Op, a: u64, b: u64) -> Option<u64> {
    let (x, y) = (f64::from_bits(a), f64::from_bits(b));
    let r = match op {
        Op::Add => x + y,
        Op::Sub => x - y,
        Op::Mul => x * y,
        Op::Div => x / y,
    }
    .to_bits();
    big_d(r).then_some(r)
}

/// `a + b·c` with one rounding when [`cheap`] holds. The product is exact in double and the double sum `s`
/// is one rounding of the exact result; rounding `s` to single then gives the single rounding of the exact
/// result unless `s` lies exactly halfway between two singles (a single's midpoint is a double and rounding is
/// monotonic, so `s` cannot cross one, only land on it): that case, rare, gives `None` and the exact path
/// above decides. No call, so the common case stays inline and light in the handler.
#[inline(always)]
pub fn muladd_cheap_s(a: u32, b: u32, c: u32) -> Option<u32> {
    let s = f32::from_bits(b) as f64 * f32::from_bits(c) as f64 + f32::from_bits(a) as f64;
    // The 29 bits below a normal single's last significand bit: exactly one half.
    if s.to_bits() & 0x1fff_ffff == 0x1000_0000 {
        return None;
    }
    let r = (s as f32).to_bits();
    // Normal results only: the halfway test is for a normal single's spacing.
    big_s(r).then_some(r)
}

/// See [`muladd_cheap_s`].
#[inline(always)]
pub fn muladd_cheap_d(a: u64, b: u64, c: u64) -> Option<u64> {
    let r = hw::fma_d(f64::from_bits(b), f64::from_bits(c), f64::from_bits(a))?.to_bits();
    big_d(r).then_some(r)
}

/// The host's double-precision fused multiply-add, where the CPU has one (x86-64 with FMA3, detected once at
/// run time). Single precision needs none: see [`muladd_cheap_s`].
mod hw {
    #[cfg(all(feature = "std", target_arch = "x86_64"))]
    #[inline(always)]
    pub fn fma_d(x: f64, y: f64, z: f64) -> Option<f64> {
        if std::is_x86_feature_detected!("fma") {
            // SAFETY: the CPU supports FMA (checked above).
            Some(unsafe { fma_d_fma3(x, y, z) })
        } else {
            None
        }
    }

    #[cfg(all(feature = "std", target_arch = "x86_64"))]
    #[target_feature(enable = "fma")]
    fn fma_d_fma3(x: f64, y: f64, z: f64) -> f64 {
        x.mul_add(y, z)
    }

    #[cfg(not(all(feature = "std", target_arch = "x86_64")))]
    #[inline(always)]
    pub fn fma_d(_: f64, _: f64, _: f64) -> Option<f64> {
        None
    }
}
