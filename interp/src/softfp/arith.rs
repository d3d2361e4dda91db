//! Exact arithmetic following the ARM ARM pseudocode (`FPAdd`, `FPMul`, `FPMulX`, `FPDiv`, `FPMulAdd`,
//! `FPSqrt`, `FPMax`/`FPMin`/`…Num`, `FPRecipStepFused`, `FPRSqrtStepFused`, `FPCompare…`) on unpacked
//! operands and integer significands. This is the reference path: any FPCR, any operands.

use super::engine::*;
use core::cmp::Ordering;

/// Sign of an exact zero sum: −0 only when rounding toward −∞.
fn zero_sum_sign(mode: Mode) -> bool {
    mode == Mode::NegInf
}

/// Normalises a nonzero significand so its top bit is bit 125 (room for a carry, 70+ guard bits below a
/// 53-bit significand).
fn norm(exp: i32, mant: u128) -> (i32, u128) {
    let sh = mant.leading_zeros() as i32 - 2;
    if sh >= 0 {
        (exp - sh, mant << sh)
    } else {
        (exp - sh, mant >> -sh)
    }
}

/// Exact sum of two nonzero values, rounded once. Significands have at most 106 bits.
#[allow(clippy::too_many_arguments)]
pub fn add_values(
    c: &mut Ctx,
    f: Fmt,
    sa: bool,
    ea: i32,
    ma: u128,
    sb: bool,
    eb: i32,
    mb: u128,
    mode: Mode,
) -> u64 {
    let (ea, ma) = norm(ea, ma);
    let (eb, mb) = norm(eb, mb);
    let ((sa, ea, ma), (sb, eb, mb)) = if ea >= eb {
        ((sa, ea, ma), (sb, eb, mb))
    } else {
        ((sb, eb, mb), (sa, ea, ma))
    };
    let d = (ea - eb) as u32;
    let mb = if d == 0 {
        mb
    } else if d >= 128 {
        1
    } else {
        (mb >> d) | ((mb & ((1u128 << d) - 1)) != 0) as u128
    };
    let (sign, m) = if sa == sb {
        (sa, ma + mb)
    } else {
        match ma.cmp(&mb) {
            Ordering::Greater => (sa, ma - mb),
            Ordering::Less => (sb, mb - ma),
            Ordering::Equal => return f.zero(zero_sum_sign(mode)),
        }
    };
    round(c, f, sign, ea, m, mode)
}

fn unpack2(c: &mut Ctx, f: Fmt, a: u64, b: u64) -> (Unp, Unp) {
    (unpack(c, f, a), unpack(c, f, b))
}

pub fn add(c: &mut Ctx, f: Fmt, a: u64, b: u64) -> u64 {
    let (ua, ub) = unpack2(c, f, a, b);
    if let Some(r) = process_nans(c, f, &[(a, ua), (b, ub)]) {
        return r;
    }
    let mode = c.mode();
    match (ua.kind, ub.kind) {
        (Kind::Inf, Kind::Inf) if ua.sign != ub.sign => invalid(c, f),
        (Kind::Inf, _) => f.inf(ua.sign),
        (_, Kind::Inf) => f.inf(ub.sign),
        (Kind::Zero, Kind::Zero) => f.zero(if ua.sign == ub.sign {
            ua.sign
        } else {
            zero_sum_sign(mode)
        }),
        (Kind::Zero, _) => round(c, f, ub.sign, ub.exp, ub.mant as u128, mode),
        (_, Kind::Zero) => round(c, f, ua.sign, ua.exp, ua.mant as u128, mode),
        _ => add_values(
            c,
            f,
            ua.sign,
            ua.exp,
            ua.mant as u128,
            ub.sign,
            ub.exp,
            ub.mant as u128,
            mode,
        ),
    }
}

pub fn sub(c: &mut Ctx, f: Fmt, a: u64, b: u64) -> u64 {
    // FPSub is FPAdd with op2's sign flipped, except that a NaN op2 propagates unflipped.
    let ub = unpack(c, f, b);
    let b2 = if ub.is_nan() { b } else { b ^ f.sign_bit() };
    let mut c2 = Ctx::new(c.fpcr);
    let r = add(&mut c2, f, a, b2);
    c.flags |= c2.flags;
    r
}

/// FPMul (`x == false`) and FPMulX (`x == true`: ∞ × 0 = ±2).
pub fn mul(c: &mut Ctx, f: Fmt, a: u64, b: u64, x: bool) -> u64 {
    let (ua, ub) = unpack2(c, f, a, b);
    if let Some(r) = process_nans(c, f, &[(a, ua), (b, ub)]) {
        return r;
    }
    let sign = ua.sign != ub.sign;
    match (ua.kind, ub.kind) {
        (Kind::Inf, Kind::Zero) | (Kind::Zero, Kind::Inf) => {
            if x {
                f.zero(sign) | f.pow2(1)
            } else {
                invalid(c, f)
            }
        }
        (Kind::Inf, _) | (_, Kind::Inf) => f.inf(sign),
        (Kind::Zero, _) | (_, Kind::Zero) => f.zero(sign),
        _ => {
            let mode = c.mode();
            round(
                c,
                f,
                sign,
                ua.exp + ub.exp,
                ua.mant as u128 * ub.mant as u128,
                mode,
            )
        }
    }
}

pub fn div(c: &mut Ctx, f: Fmt, a: u64, b: u64) -> u64 {
    let (ua, ub) = unpack2(c, f, a, b);
    if let Some(r) = process_nans(c, f, &[(a, ua), (b, ub)]) {
        return r;
    }
    let sign = ua.sign != ub.sign;
    match (ua.kind, ub.kind) {
        (Kind::Inf, Kind::Inf) | (Kind::Zero, Kind::Zero) => invalid(c, f),
        (Kind::Inf, _) => f.inf(sign),
        (_, Kind::Zero) => {
            c.flags |= DZC;
            f.inf(sign)
        }
        (Kind::Zero, _) | (_, Kind::Inf) => f.zero(sign),
        _ => {
            // The quotient of a 125-bit dividend by a ≤ 53-bit divisor has ≥ 72 bits: the remainder's sticky
            // bit ORed into its lsb sits far below the rounding position.
            let k = ua.mant.leading_zeros() as i32 + 62;
            let na = (ua.mant as u128) << k;
            let q = na / ub.mant as u128;
            let r = na % ub.mant as u128;
            let mode = c.mode();
            round(c, f, sign, ua.exp - k - ub.exp, q | (r != 0) as u128, mode)
        }
    }
}

/// `a + b·c` with one rounding (FPMulAdd; `a` is the addend).
pub fn muladd(c: &mut Ctx, f: Fmt, a: u64, b: u64, cc: u64) -> u64 {
    let (ua, ub, uc) = (unpack(c, f, a), unpack(c, f, b), unpack(c, f, cc));
    let inf_zero = matches!(
        (ub.kind, uc.kind),
        (Kind::Inf, Kind::Zero) | (Kind::Zero, Kind::Inf)
    );
    if let Some(r) = process_nans(c, f, &[(a, ua), (b, ub), (cc, uc)]) {
        if ua.kind == Kind::QNaN && inf_zero {
            return invalid(c, f);
        }
        return r;
    }
    let sp = ub.sign != uc.sign;
    let inf_p = ub.kind == Kind::Inf || uc.kind == Kind::Inf;
    let zero_p = ub.kind == Kind::Zero || uc.kind == Kind::Zero;
    let mode = c.mode();
    if inf_zero || (ua.kind == Kind::Inf && inf_p && ua.sign != sp) {
        return invalid(c, f);
    }
    if ua.kind == Kind::Inf {
        return f.inf(ua.sign);
    }
    if inf_p {
        return f.inf(sp);
    }
    match (ua.kind, zero_p) {
        (Kind::Zero, true) => f.zero(if ua.sign == sp {
            ua.sign
        } else {
            zero_sum_sign(mode)
        }),
        (Kind::Zero, false) => round(
            c,
            f,
            sp,
            ub.exp + uc.exp,
            ub.mant as u128 * uc.mant as u128,
            mode,
        ),
        (_, true) => round(c, f, ua.sign, ua.exp, ua.mant as u128, mode),
        _ => add_values(
            c,
            f,
            ua.sign,
            ua.exp,
            ua.mant as u128,
            sp,
            ub.exp + uc.exp,
            ub.mant as u128 * uc.mant as u128,
            mode,
        ),
    }
}

/// FRECPS (`three == false`: 2 − a·b) and FRSQRTS (`three == true`: (3 − a·b) / 2), fused.
pub fn step(c: &mut Ctx, f: Fmt, a: u64, b: u64, three: bool) -> u64 {
    let a = a ^ f.sign_bit(); // FPNeg(op1) comes first, NaNs included
    let (ua, ub) = unpack2(c, f, a, b);
    if let Some(r) = process_nans(c, f, &[(a, ua), (b, ub)]) {
        return r;
    }
    let sign = ua.sign != ub.sign;
    let (const_exp, const_mant) = if three { (-1, 3u128) } else { (1, 1u128) };
    let mode = c.mode();
    match (ua.kind, ub.kind) {
        (Kind::Inf, Kind::Zero) | (Kind::Zero, Kind::Inf) => {
            if three {
                f.pow2(0) | 1 << (f.f - 1) // 1.5
            } else {
                f.pow2(1)
            }
        }
        (Kind::Inf, _) | (_, Kind::Inf) => f.inf(sign),
        (Kind::Zero, _) | (_, Kind::Zero) => round(c, f, false, const_exp, const_mant, mode),
        _ => {
            // (const + a·b) [/ 2]: scale the product by 2^-1 as well when halving.
            let h = three as i32;
            add_values(
                c,
                f,
                false,
                const_exp,
                const_mant,
                sign,
                ua.exp + ub.exp - h,
                ua.mant as u128 * ub.mant as u128,
                mode,
            )
        }
    }
}

/// Integer square root of `n` and whether it was exact.
fn isqrt(n: u128) -> (u128, bool) {
    let mut x: u128 = 0;
    let mut bit: u128 = 1 << ((127 - n.leading_zeros()) & !1);
    let mut n = n;
    while bit != 0 {
        if n >= x + bit {
            n -= x + bit;
            x = (x >> 1) + bit;
        } else {
            x >>= 1;
        }
        bit >>= 2;
    }
    (x, n == 0)
}

pub fn sqrt(c: &mut Ctx, f: Fmt, a: u64) -> u64 {
    let ua = unpack(c, f, a);
    if ua.is_nan() {
        return process_nan(c, f, a, ua.kind);
    }
    match ua.kind {
        Kind::Zero => f.zero(ua.sign),
        _ if ua.sign => invalid(c, f),
        Kind::Inf => f.inf(false),
        _ => {
            // mant · 2^exp with exp even and mant shifted up to ~120 bits.
            let mut m = ua.mant as u128;
            let mut e = ua.exp;
            let sh = (m.leading_zeros() as i32 - 8) & !1;
            m <<= sh;
            e -= sh;
            if e & 1 != 0 {
                m <<= 1;
                e -= 1;
            }
            let (r, exact) = isqrt(m);
            let mode = c.mode();
            round(c, f, false, e / 2 - 2, (r << 2) | (!exact) as u128, mode)
        }
    }
}

/// FMAX/FMIN (`num == false`) and FMAXNM/FMINNM (`num == true`).
pub fn minmax(c: &mut Ctx, f: Fmt, a: u64, b: u64, max: bool, num: bool) -> u64 {
    let (mut a, mut b) = (a, b);
    let (ua0, ub0) = unpack2(c, f, a, b);
    if num {
        // A single quiet NaN loses to any number: it is replaced by the infinity that never wins.
        if ua0.kind == Kind::QNaN && ub0.kind != Kind::QNaN {
            a = f.inf(max);
        } else if ua0.kind != Kind::QNaN && ub0.kind == Kind::QNaN {
            b = f.inf(max);
        }
    }
    let mut c2 = Ctx::new(c.fpcr);
    let (ua, ub) = unpack2(&mut c2, f, a, b);
    if let Some(r) = process_nans(c, f, &[(a, ua), (b, ub)]) {
        return r;
    }
    if ua.kind == Kind::Zero && ub.kind == Kind::Zero {
        return f.zero(if max {
            ua.sign && ub.sign
        } else {
            ua.sign || ub.sign
        });
    }
    let ord = cmp_values(&ua, &ub);
    let pick_a = if max {
        ord == Ordering::Greater
    } else {
        ord == Ordering::Less
    };
    let (u, bits) = if pick_a { (ua, a) } else { (ub, b) };
    match u.kind {
        Kind::Zero => f.zero(u.sign),
        _ => bits, // FPRound of an unflushed finite operand (or an infinity) gives it back unchanged
    }
}

fn key(u: &Unp) -> (i32, u128) {
    // Magnitude order key: (class, value) with value normalised to compare by (exponent of top bit, bits).
    match u.kind {
        Kind::Zero => (0, 0),
        Kind::Inf => (2, 0),
        _ => {
            let top = u.exp + 63 - u.mant.leading_zeros() as i32;
            (
                1,
                ((top + 4096) as u128) << 64 | (u.mant << u.mant.leading_zeros()) as u128,
            )
        }
    }
}

/// Compares two non-NaN operands by value (−0 == +0).
pub fn cmp_values(a: &Unp, b: &Unp) -> Ordering {
    let (ka, kb) = (key(a), key(b));
    let sa = a.sign && a.kind != Kind::Zero;
    let sb = b.sign && b.kind != Kind::Zero;
    match (sa, sb) {
        (false, false) => ka.cmp(&kb),
        (true, true) => kb.cmp(&ka),
        (false, true) => Ordering::Greater,
        (true, false) => Ordering::Less,
    }
}

/// FCMP/FCMPE: NZCV in PSTATE layout.
pub fn compare(c: &mut Ctx, f: Fmt, a: u64, b: u64, signal_all: bool) -> u64 {
    let (ua, ub) = unpack2(c, f, a, b);
    if ua.is_nan() || ub.is_nan() {
        if signal_all || ua.kind == Kind::SNaN || ub.kind == Kind::SNaN {
            c.flags |= IOC;
        }
        return 0x3000_0000;
    }
    match cmp_values(&ua, &ub) {
        Ordering::Equal => 0x6000_0000,
        Ordering::Less => 0x8000_0000,
        Ordering::Greater => 0x2000_0000,
    }
}

/// FCMEQ (`quiet`), FCMGE/FCMGT (signalling): the ordering, or None if unordered.
pub fn compare_ord(c: &mut Ctx, f: Fmt, a: u64, b: u64, quiet: bool) -> Option<Ordering> {
    let (ua, ub) = unpack2(c, f, a, b);
    if ua.is_nan() || ub.is_nan() {
        if !quiet || ua.kind == Kind::SNaN || ub.kind == Kind::SNaN {
            c.flags |= IOC;
        }
        return None;
    }
    Some(cmp_values(&ua, &ub))
}
