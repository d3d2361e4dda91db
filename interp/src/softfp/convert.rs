//! Conversions: between FP formats (`FPConvert`, half precision IEEE or Arm's alternative format), FP to
//! integer or fixed point (`FPToFixed`, saturating), integer or fixed point to FP (`FixedToFP`), and rounding
//! to an integral FP value (`FPRoundInt`).

use super::engine::*;

/// Bits of a NaN converted to another format (`FPConvertNaN`): sign, quiet bit set, payload's top bits kept.
fn convert_nan(from: Fmt, to: Fmt, bits: u64) -> u64 {
    let sign = bits & from.sign_bit() != 0;
    let frac = bits & from.frac_mask();
    // Left-align the fraction in 52 bits, then take the top to.f bits.
    let frac52 = frac << (52 - from.f);
    to.inf(sign) | to.quiet_bit() | (frac52 >> (52 - to.f))
}

pub fn fp_to_fp(c: &mut Ctx, from: Fmt, to: Fmt, a: u64) -> u64 {
    // FPUnpackCV / FPRoundCV: FZ applies to single and double only; AHP selects the half format.
    let fz_in = c.fz(from);
    let ahp = c.ahp();
    let u = unpack_with(c, from, a, fz_in, ahp);
    let alt_hp = to.half && ahp;
    match u.kind {
        Kind::QNaN | Kind::SNaN => {
            let r = if alt_hp {
                to.zero(u.sign)
            } else if c.dn() {
                to.default_nan()
            } else {
                convert_nan(from, to, a)
            };
            if u.kind == Kind::SNaN || alt_hp {
                c.flags |= IOC;
            }
            r
        }
        Kind::Inf => {
            if alt_hp {
                c.flags |= IOC;
                to.zero(u.sign) | 0x7fff
            } else {
                to.inf(u.sign)
            }
        }
        Kind::Zero => to.zero(u.sign),
        Kind::Num => {
            let mode = c.mode();
            let fz_out = c.fz(to);
            round_with(c, to, u.sign, u.exp, u.mant as u128, mode, fz_out, alt_hp)
        }
    }
}

/// Rounds the magnitude `mant · 2^exp` (mant > 0, sign given for the directed modes) to an integer:
/// (rounded magnitude, inexact). Magnitudes of 2^65 and more come back as 2^66 (enough to saturate any result).
fn round_to_integer(sign: bool, exp: i32, mant: u64, mode: Mode) -> (u128, bool) {
    let m = mant as u128;
    let (int, rem_zero, half) = if exp >= 0 {
        if exp > 64 {
            (1u128 << 66, true, core::cmp::Ordering::Less)
        } else {
            (m << exp, true, core::cmp::Ordering::Less)
        }
    } else {
        let sh = (-exp) as u32;
        if sh > 64 {
            (0, false, core::cmp::Ordering::Less)
        } else {
            let int = m >> sh;
            let rem = m & ((1u128 << sh) - 1);
            (int, rem == 0, rem.cmp(&(1u128 << (sh - 1))))
        }
    };
    use core::cmp::Ordering::*;
    // RoundDown of a negative value is the magnitude rounded up when inexact: work on magnitudes.
    let up = match mode {
        Mode::TiesEven => half == Greater || (half == Equal && int & 1 == 1),
        Mode::TiesAway => !rem_zero && half != Less,
        Mode::PosInf => !rem_zero && !sign,
        Mode::NegInf => !rem_zero && sign,
        Mode::Zero => false,
    };
    (int + up as u128, !rem_zero)
}

/// FP → integer of `bits` (32 or 64), signed or not, with `fbits` fraction bits, saturating.
pub fn fp_to_int(
    c: &mut Ctx,
    f: Fmt,
    a: u64,
    bits: u32,
    signed: bool,
    fbits: u32,
    mode: Mode,
) -> u64 {
    let u = unpack(c, f, a);
    let (mag, inexact, sign) = match u.kind {
        Kind::QNaN | Kind::SNaN => {
            c.flags |= IOC;
            return 0;
        }
        Kind::Zero => (0u128, false, u.sign),
        Kind::Inf => (1u128 << 66, false, u.sign),
        Kind::Num => {
            let (m, ix) = round_to_integer(u.sign, u.exp + fbits as i32, u.mant, mode);
            (m, ix, u.sign)
        }
    };
    let (lo, hi): (i128, i128) = if signed {
        (-(1i128 << (bits - 1)), (1i128 << (bits - 1)) - 1)
    } else {
        (0, (1i128 << bits) - 1)
    };
    let v = if sign { -(mag as i128) } else { mag as i128 };
    let mask = if bits == 64 {
        u64::MAX
    } else {
        (1u64 << bits) - 1
    };
    if v < lo {
        c.flags |= IOC;
        lo as u64 & mask
    } else if v > hi {
        c.flags |= IOC;
        hi as u64 & mask
    } else {
        if inexact {
            c.flags |= IXC;
        }
        v as u64 & mask
    }
}

/// Integer (of `bits`) → FP with `fbits` fraction bits, rounded per FPCR.
pub fn int_to_fp(c: &mut Ctx, f: Fmt, a: u64, bits: u32, signed: bool, fbits: u32) -> u64 {
    let a = if bits == 32 { a & 0xffff_ffff } else { a };
    let neg = signed && a >> (bits - 1) & 1 != 0;
    let mag = if neg {
        if bits == 32 {
            (a as u32 as i32).unsigned_abs() as u64
        } else {
            (a as i64).unsigned_abs()
        }
    } else {
        a
    };
    if mag == 0 {
        return f.zero(false);
    }
    let mode = c.mode();
    round(c, f, neg, -(fbits as i32), mag as u128, mode)
}

/// FRINT*: round to an integral value in the same format; `exact` (FRINTX) raises IXC when inexact.
pub fn round_int(c: &mut Ctx, f: Fmt, a: u64, mode: Mode, exact: bool) -> u64 {
    let u = unpack(c, f, a);
    match u.kind {
        Kind::QNaN | Kind::SNaN => process_nan(c, f, a, u.kind),
        Kind::Inf => f.inf(u.sign),
        Kind::Zero => f.zero(u.sign),
        Kind::Num => {
            if u.exp >= 0 {
                return a; // already integral
            }
            let (int, inexact) = round_to_integer(u.sign, u.exp, u.mant, mode);
            if inexact && exact {
                c.flags |= IXC;
            }
            if int == 0 {
                return f.zero(u.sign);
            }
            let mut c2 = Ctx::new(c.fpcr);
            round(&mut c2, f, u.sign, 0, int, Mode::Zero)
        }
    }
}
