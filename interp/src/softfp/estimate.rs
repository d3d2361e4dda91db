//! Reciprocal and reciprocal square-root estimates (FRECPE, FRSQRTE) with the ARMv8.0 8-bit tables computed as
//! the ARM ARM's `RecipEstimate` / `RecipSqrtEstimate` do, and FRECPX.

use super::engine::*;

/// `RecipEstimate`: a in 256..=511 (0.5 ≤ x < 1 in steps of 1/512) → 256..=511.
fn recip_estimate(a: u64) -> u64 {
    let a = a * 2 + 1;
    let b = (1u64 << 19) / a;
    b.div_ceil(2) // the ARM ARM's (b + 1) DIV 2
}

/// `RecipSqrtEstimate`: a in 128..=511 → 256..=511 (the ARM ARM's search loop, run at compile time).
const fn recip_sqrt_estimate_slow(a: u64) -> u64 {
    let a = if a < 256 {
        a * 2 + 1
    } else {
        ((a >> 1) << 1) * 2 + 2
    };
    let mut b = 512u64;
    while a * (b + 1) * (b + 1) < 1 << 28 {
        b += 1;
    }
    b.div_ceil(2) // the ARM ARM's (b + 1) DIV 2
}

const RSQRT_TABLE: [u16; 384] = {
    let mut t = [0u16; 384];
    let mut i = 0;
    while i < 384 {
        t[i] = recip_sqrt_estimate_slow(i as u64 + 128) as u16;
        i += 1;
    }
    t
};

fn recip_sqrt_estimate(a: u64) -> u64 {
    RSQRT_TABLE[(a - 128) as usize] as u64
}

/// Operand's fraction left-aligned to 52 bits and its biased exponent field.
fn frac52_exp(f: Fmt, a: u64) -> (u64, i32) {
    (
        (a & f.frac_mask()) << (52 - f.f),
        ((a >> f.f) & f.exp_max()) as i32,
    )
}

pub fn recip_estimate_fp(c: &mut Ctx, f: Fmt, a: u64) -> u64 {
    let u = unpack(c, f, a);
    let sign = u.sign;
    match u.kind {
        Kind::QNaN | Kind::SNaN => return process_nan(c, f, a, u.kind),
        Kind::Inf => return f.zero(sign),
        Kind::Zero => {
            c.flags |= DZC;
            return f.inf(sign);
        }
        Kind::Num => {}
    }
    let (mut fraction, mut exp) = frac52_exp(f, a);
    // |value| < 2^-(bias+2): the estimate overflows.
    if exp == 0 && fraction >> 50 == 0 {
        let to_inf = match c.mode() {
            Mode::TiesEven | Mode::TiesAway => true,
            Mode::PosInf => !sign,
            Mode::NegInf => sign,
            Mode::Zero => false,
        };
        c.flags |= OFC | IXC;
        return if to_inf {
            f.inf(sign)
        } else {
            f.max_normal(sign)
        };
    }
    // |value| ≥ 2^(bias-1) with FZ: the estimate is a denormal, flushed.
    if c.fz(f) && exp >= f.bias() * 2 - 1 {
        c.flags |= UFC;
        return f.zero(sign);
    }
    if exp == 0 {
        if fraction >> 51 & 1 == 0 {
            exp = -1;
            fraction = (fraction << 2) & ((1 << 52) - 1);
        } else {
            fraction = (fraction << 1) & ((1 << 52) - 1);
        }
    }
    let scaled = 256 | (fraction >> 44);
    let mut result_exp = 2 * f.bias() - 1 - exp; // 253 - exp for single
    let estimate = recip_estimate(scaled);
    let mut fraction = (estimate & 0xff) << 44;
    if result_exp == 0 {
        fraction = 1 << 51 | fraction >> 1;
    } else if result_exp == -1 {
        fraction = 1 << 50 | fraction >> 2;
        result_exp = 0;
    }
    f.zero(sign) | (result_exp as u64) << f.f | fraction >> (52 - f.f)
}

pub fn rsqrt_estimate_fp(c: &mut Ctx, f: Fmt, a: u64) -> u64 {
    let u = unpack(c, f, a);
    match u.kind {
        Kind::QNaN | Kind::SNaN => return process_nan(c, f, a, u.kind),
        Kind::Zero => {
            c.flags |= DZC;
            return f.inf(u.sign);
        }
        _ if u.sign => return invalid(c, f),
        Kind::Inf => return f.zero(false),
        Kind::Num => {}
    }
    let (mut fraction, mut exp) = frac52_exp(f, a);
    if exp == 0 {
        while fraction >> 51 & 1 == 0 {
            fraction = (fraction << 1) & ((1 << 52) - 1);
            exp -= 1;
        }
        fraction = (fraction << 1) & ((1 << 52) - 1);
    }
    let scaled = if exp & 1 == 0 {
        256 | fraction >> 44
    } else {
        128 | fraction >> 45
    };
    // (3·bias - 1 - exp) / 2, rounding down: 380 - exp for single.
    let result_exp = (3 * f.bias() - 1 - exp).div_euclid(2);
    let estimate = recip_sqrt_estimate(scaled);
    (result_exp as u64) << f.f | ((estimate & 0xff) << 44) >> (52 - f.f)
}

pub fn recip_exponent(c: &mut Ctx, f: Fmt, a: u64) -> u64 {
    let u = unpack(c, f, a);
    if u.is_nan() {
        return process_nan(c, f, a, u.kind);
    }
    let exp = (a >> f.f) & f.exp_max();
    let e = if exp == 0 {
        f.exp_max() - 1
    } else {
        !exp & f.exp_max()
    };
    f.zero(u.sign) | e << f.f
}
