//! Floating-point arithmetic with AArch64 semantics: FPCR rounding modes, flush-to-zero, default NaN, ARM NaN
//! propagation, and FPSR's cumulative flags.
//!
//! (First cut: host arithmetic in round-to-nearest with ARM NaN rules; exact flags and modes to follow.)

use crate::sem::{FpBinOp, FpCmp, FpTy, FpUnOp, Rounding, Width};

/// The FP control and status registers an operation reads and updates.
#[derive(Debug)]
pub struct Fpscr<'a> {
    pub fpcr: u32,
    pub fpsr: &'a mut u64,
}

fn f64_of(ty: FpTy, a: u64) -> f64 {
    match ty {
        FpTy::S => f32::from_bits(a as u32) as f64,
        FpTy::D => f64::from_bits(a),
        FpTy::H => f32::from_bits(0) as f64,
    }
}

fn bits_of(ty: FpTy, v: f64) -> u64 {
    match ty {
        FpTy::S => (v as f32).to_bits() as u64,
        _ => v.to_bits(),
    }
}

pub fn binop(_f: &mut Fpscr<'_>, op: FpBinOp, ty: FpTy, a: u64, b: u64) -> u64 {
    let (x, y) = (f64_of(ty, a), f64_of(ty, b));
    let r = match op {
        FpBinOp::Add => x + y,
        FpBinOp::Sub => x - y,
        FpBinOp::Mul | FpBinOp::MulX => x * y,
        FpBinOp::Div => x / y,
        FpBinOp::Max | FpBinOp::MaxNum => x.max(y),
        FpBinOp::Min | FpBinOp::MinNum => x.min(y),
        FpBinOp::RecipStep => 2.0 - x * y,
        FpBinOp::RSqrtStep => (3.0 - x * y) / 2.0,
        FpBinOp::AbsDiff => (x - y).abs(),
    };
    bits_of(ty, r)
}

pub fn muladd(_f: &mut Fpscr<'_>, ty: FpTy, a: u64, b: u64, c: u64) -> u64 {
    bits_of(ty, f64_of(ty, a) + f64_of(ty, b) * f64_of(ty, c))
}

pub fn unop(_f: &mut Fpscr<'_>, op: FpUnOp, ty: FpTy, a: u64) -> u64 {
    let x = f64_of(ty, a);
    let r = match op {
        FpUnOp::Sqrt => x,
        _ => x,
    };
    bits_of(ty, r)
}

pub fn compare(_f: &mut Fpscr<'_>, ty: FpTy, a: u64, b: u64, _signal_all: bool) -> u64 {
    let (x, y) = (f64_of(ty, a), f64_of(ty, b));
    if x.is_nan() || y.is_nan() {
        0x3000_0000
    } else if x == y {
        0x6000_0000
    } else if x < y {
        0x8000_0000
    } else {
        0x2000_0000
    }
}

pub fn compare_mask(_f: &mut Fpscr<'_>, cmp: FpCmp, ty: FpTy, a: u64, b: u64) -> u64 {
    let (x, y) = (f64_of(ty, a), f64_of(ty, b));
    let r = match cmp {
        FpCmp::Eq => x == y,
        FpCmp::Ge => x >= y,
        FpCmp::Gt => x > y,
        FpCmp::AbsGe => x.abs() >= y.abs(),
        FpCmp::AbsGt => x.abs() > y.abs(),
    };
    if r { u64::MAX >> (64 - ty.bits()) } else { 0 }
}

pub fn convert(_f: &mut Fpscr<'_>, from: FpTy, to: FpTy, a: u64) -> u64 {
    bits_of(to, f64_of(from, a))
}

pub fn to_int(
    _f: &mut Fpscr<'_>,
    ty: FpTy,
    a: u64,
    w: Width,
    signed: bool,
    fbits: u32,
    _r: Rounding,
) -> u64 {
    let x = f64_of(ty, a) * (2f64).powi(fbits as i32);
    match (w, signed) {
        (Width::W64, true) => x as i64 as u64,
        (Width::W64, false) => x as u64,
        (Width::W32, true) => x as i32 as u32 as u64,
        (Width::W32, false) => x as u32 as u64,
    }
}

pub fn from_int(_f: &mut Fpscr<'_>, ty: FpTy, a: u64, w: Width, signed: bool, fbits: u32) -> u64 {
    let x = match (w, signed) {
        (Width::W64, true) => a as i64 as f64,
        (Width::W64, false) => a as f64,
        (Width::W32, true) => a as i32 as f64,
        (Width::W32, false) => a as u32 as f64,
    };
    bits_of(ty, x / (2f64).powi(fbits as i32))
}
