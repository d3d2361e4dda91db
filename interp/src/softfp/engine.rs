//! The exact engine under every operation: formats, FPCR decoding, unpacking (with flush-to-zero of inputs),
//! ARM NaN propagation and `FPRoundBase` (rounding, flush-to-zero of outputs, overflow, underflow detected
//! before rounding as AArch64 does with FPCR.AH = 0).

use crate::sem::FpTy;

/// FPSR cumulative flag bits.
pub const IOC: u32 = 1 << 0;
pub const DZC: u32 = 1 << 1;
pub const OFC: u32 = 1 << 2;
pub const UFC: u32 = 1 << 3;
pub const IXC: u32 = 1 << 4;
pub const IDC: u32 = 1 << 7;

/// FPCR bits.
pub const FPCR_AHP: u32 = 1 << 26;
pub const FPCR_DN: u32 = 1 << 25;
pub const FPCR_FZ: u32 = 1 << 24;
pub const FPCR_RMODE_SHIFT: u32 = 22;

/// Rounding of one operation (the ARM ARM's `FPRounding`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    TiesEven,
    PosInf,
    NegInf,
    Zero,
    TiesAway,
}

impl Mode {
    pub fn from_fpcr(fpcr: u32) -> Mode {
        match (fpcr >> FPCR_RMODE_SHIFT) & 3 {
            0 => Mode::TiesEven,
            1 => Mode::PosInf,
            2 => Mode::NegInf,
            _ => Mode::Zero,
        }
    }
}

/// An IEEE binary format: exponent and fraction widths.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fmt {
    pub e: u32,
    pub f: u32,
    pub half: bool,
}

pub const H: Fmt = Fmt {
    e: 5,
    f: 10,
    half: true,
};
pub const S: Fmt = Fmt {
    e: 8,
    f: 23,
    half: false,
};
pub const D: Fmt = Fmt {
    e: 11,
    f: 52,
    half: false,
};

pub fn fmt(ty: FpTy) -> Fmt {
    match ty {
        FpTy::H => H,
        FpTy::S => S,
        FpTy::D => D,
    }
}

impl Fmt {
    pub const fn bias(self) -> i32 {
        (1 << (self.e - 1)) - 1
    }
    pub const fn sign_bit(self) -> u64 {
        1 << (self.e + self.f)
    }
    pub const fn frac_mask(self) -> u64 {
        (1 << self.f) - 1
    }
    pub const fn exp_max(self) -> u64 {
        (1 << self.e) - 1
    }
    pub const fn quiet_bit(self) -> u64 {
        1 << (self.f - 1)
    }
    pub const fn inf(self, sign: bool) -> u64 {
        self.exp_max() << self.f | (sign as u64) << (self.e + self.f)
    }
    pub const fn zero(self, sign: bool) -> u64 {
        (sign as u64) << (self.e + self.f)
    }
    pub const fn max_normal(self, sign: bool) -> u64 {
        self.inf(sign) - 1
    }
    pub const fn default_nan(self) -> u64 {
        self.exp_max() << self.f | self.quiet_bit()
    }
    /// `+1.0 · 2^k` for a `k` in the normal range.
    pub const fn pow2(self, k: i32) -> u64 {
        ((k + self.bias()) as u64) << self.f
    }
    /// Minimum exponent of a normal number.
    pub const fn min_exp(self) -> i32 {
        1 - self.bias()
    }
}

/// FPCR plus the flags an operation raised (ORed into FPSR by the caller).
#[derive(Clone, Copy, Debug)]
pub struct Ctx {
    pub fpcr: u32,
    pub flags: u32,
}

impl Ctx {
    pub fn new(fpcr: u32) -> Ctx {
        Ctx { fpcr, flags: 0 }
    }
    pub fn mode(&self) -> Mode {
        Mode::from_fpcr(self.fpcr)
    }
    pub fn dn(&self) -> bool {
        self.fpcr & FPCR_DN != 0
    }
    /// Whether FZ applies to values of format `f` (FZ16 is never set: FEAT_FP16 is not advertised).
    pub fn fz(&self, f: Fmt) -> bool {
        self.fpcr & FPCR_FZ != 0 && !f.half
    }
    pub fn ahp(&self) -> bool {
        self.fpcr & FPCR_AHP != 0
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Zero,
    Num,
    Inf,
    QNaN,
    SNaN,
}

/// An unpacked operand: for `Num`, the value is `(-1)^sign · mant · 2^exp` with `mant != 0`.
#[derive(Clone, Copy, Debug)]
pub struct Unp {
    pub kind: Kind,
    pub sign: bool,
    pub exp: i32,
    pub mant: u64,
}

impl Unp {
    pub fn is_nan(&self) -> bool {
        matches!(self.kind, Kind::QNaN | Kind::SNaN)
    }
}

/// `FPUnpackBase`: `fz` flushes denormals to zero (raising IDC), `ahp` reads half precision as Arm's
/// alternative format (no infinities or NaNs).
pub fn unpack_with(c: &mut Ctx, f: Fmt, bits: u64, fz: bool, ahp: bool) -> Unp {
    let sign = bits & f.sign_bit() != 0;
    let e = (bits >> f.f) & f.exp_max();
    let frac = bits & f.frac_mask();
    let mut u = Unp {
        kind: Kind::Num,
        sign,
        exp: 0,
        mant: 0,
    };
    if e == 0 {
        if frac == 0 {
            u.kind = Kind::Zero;
        } else if fz {
            u.kind = Kind::Zero;
            c.flags |= IDC;
        } else {
            u.exp = f.min_exp() - f.f as i32;
            u.mant = frac;
        }
    } else if e == f.exp_max() && !(ahp && f.half) {
        u.kind = if frac == 0 {
            Kind::Inf
        } else if frac & f.quiet_bit() != 0 {
            Kind::QNaN
        } else {
            Kind::SNaN
        };
    } else {
        u.exp = e as i32 - f.bias() - f.f as i32;
        u.mant = frac | 1 << f.f;
    }
    u
}

/// `FPUnpack` of an arithmetic operand.
pub fn unpack(c: &mut Ctx, f: Fmt, bits: u64) -> Unp {
    let fz = c.fz(f);
    unpack_with(c, f, bits, fz, false)
}

/// `FPProcessNaN`: quiets a signalling NaN (raising IOC), or gives the default NaN under FPCR.DN.
pub fn process_nan(c: &mut Ctx, f: Fmt, bits: u64, kind: Kind) -> u64 {
    let mut r = bits;
    if kind == Kind::SNaN {
        r |= f.quiet_bit();
        c.flags |= IOC;
    }
    if c.dn() { f.default_nan() } else { r }
}

/// `FPProcessNaNs`: signalling NaNs first, then quiet ones, each in operand order.
pub fn process_nans(c: &mut Ctx, f: Fmt, ops: &[(u64, Unp)]) -> Option<u64> {
    for kind in [Kind::SNaN, Kind::QNaN] {
        if let Some(&(b, _)) = ops.iter().find(|(_, u)| u.kind == kind) {
            return Some(process_nan(c, f, b, kind));
        }
    }
    None
}

/// The default NaN with IOC: the result of an invalid operation.
pub fn invalid(c: &mut Ctx, f: Fmt) -> u64 {
    c.flags |= IOC;
    f.default_nan()
}

/// `FPRoundBase` of the nonzero value `(-1)^sign · mant · 2^exp`. `mant` may carry a sticky bit ORed into its
/// least significant bit, provided at least two bits separate it from the rounding position.
pub fn round(c: &mut Ctx, f: Fmt, sign: bool, exp: i32, mant: u128, mode: Mode) -> u64 {
    let fz = c.fz(f);
    let ahp = f.half && c.ahp();
    round_with(c, f, sign, exp, mant, mode, fz, ahp)
}

#[allow(clippy::too_many_arguments)]
pub fn round_with(
    c: &mut Ctx,
    f: Fmt,
    sign: bool,
    exp: i32,
    mant: u128,
    mode: Mode,
    fz: bool,
    ahp: bool,
) -> u64 {
    debug_assert!(mant != 0);
    let nb = 128 - mant.leading_zeros() as i32;
    let exponent = exp + nb - 1;
    let min_exp = f.min_exp();
    if fz && exponent < min_exp {
        c.flags |= UFC;
        return f.zero(sign);
    }
    let mut biased = (exponent - min_exp + 1).max(0);
    let eff = if biased == 0 { min_exp } else { exponent };
    let shift = eff - f.f as i32 - exp;
    // int_mant, and the rounding error: zero, below, at or above one half.
    let (mut im, err_zero, half_cmp) = if shift <= 0 {
        ((mant << -shift) as u64, true, core::cmp::Ordering::Less)
    } else if shift > 128 {
        (0, false, core::cmp::Ordering::Less)
    } else {
        let im = if shift == 128 {
            0
        } else {
            (mant >> shift) as u64
        };
        let rem = if shift == 128 {
            mant
        } else {
            mant & ((1u128 << shift) - 1)
        };
        (im, rem == 0, rem.cmp(&(1u128 << (shift - 1))))
    };
    if biased == 0 && !err_zero {
        c.flags |= UFC;
    }
    use core::cmp::Ordering::*;
    let (round_up, overflow_to_inf) = match mode {
        Mode::TiesEven => (
            half_cmp == Greater || (half_cmp == Equal && im & 1 == 1),
            true,
        ),
        Mode::PosInf => (!err_zero && !sign, !sign),
        Mode::NegInf => (!err_zero && sign, sign),
        Mode::Zero => (false, false),
        Mode::TiesAway => (!err_zero && half_cmp != Less, true),
    };
    if round_up {
        im += 1;
        if im == 1 << f.f {
            biased = 1;
        }
        if im == 1 << (f.f + 1) {
            biased += 1;
            im >>= 1;
        }
    }
    let mut inexact = !err_zero;
    let result = if !ahp {
        if biased as u64 >= f.exp_max() {
            c.flags |= OFC;
            inexact = true;
            if overflow_to_inf {
                f.inf(sign)
            } else {
                f.max_normal(sign)
            }
        } else {
            f.zero(sign) | (biased as u64) << f.f | (im & f.frac_mask())
        }
    } else if biased as u64 > f.exp_max() {
        c.flags |= IOC;
        inexact = false;
        f.zero(sign) | 0x7fff
    } else {
        f.zero(sign) | (biased as u64) << f.f | (im & f.frac_mask())
    };
    if inexact {
        c.flags |= IXC;
    }
    result
}
