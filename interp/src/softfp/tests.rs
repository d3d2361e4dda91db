//! The fast paths against the exact engine (which `tests/fp_scalar.rs` holds to qemu) on many random
//! operands: results and flags must agree bit for bit, whichever path a case takes.

use super::*;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A value of `ty` whose biased exponent is `center ± spread`, occasionally a special one.
    fn value(&mut self, ty: FpTy, center: i64, spread: i64) -> u64 {
        let r = self.next();
        let f = engine::fmt(ty);
        if r.is_multiple_of(64) {
            const SPECIAL: [u64; 8] = [0, 1, 2, 3, 4, 5, 6, 7];
            return match SPECIAL[(r >> 8) as usize % 8] {
                0 => f.zero(r & 1 << 20 != 0),
                1 => f.inf(r & 1 << 20 != 0),
                2 => f.default_nan() | 5,
                3 => f.inf(false) | 3, // signalling
                4 => 1,                // smallest denormal
                5 => f.max_normal(false),
                6 => f.pow2(1 - f.bias()),
                _ => f.frac_mask(), // largest denormal
            };
        }
        let e = (center + (r >> 32) as i64 % (2 * spread + 1) - spread)
            .clamp(0, f.exp_max() as i64 - 1);
        (r & f.sign_bit()) | (e as u64) << f.f | (self.next() & f.frac_mask())
    }
}

fn run<T>(fpcr: u32, op: impl FnOnce(&mut Fpscr<'_>) -> T) -> (T, u64) {
    let mut fpsr = 0;
    let r = op(&mut Fpscr {
        fpcr,
        fpsr: &mut fpsr,
    });
    (r, fpsr)
}

const ROUNDINGS: [Rounding; 6] = [
    Rounding::Fpcr,
    Rounding::TiesEven,
    Rounding::TiesAway,
    Rounding::PosInf,
    Rounding::NegInf,
    Rounding::Zero,
];

const FPCRS: [u32; 4] = [
    0,
    engine::FPCR_FZ,
    engine::FPCR_DN,
    engine::FPCR_FZ | engine::FPCR_DN,
];

#[test]
fn fast_paths_agree_with_exact_engine() {
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    for ty in [FpTy::S, FpTy::D] {
        let f = engine::fmt(ty);
        let mid = f.bias() as i64;
        for i in 0..30_000u32 {
            let fpcr = FPCRS[i as usize % 4];
            // Normal range, then near the bottom (underflow), then near the top (overflow).
            let (center, spread) = match i % 3 {
                0 => (mid, 40),
                1 => (mid / 2, 3),
                _ => (mid + mid / 2, 3),
            };
            let (a, b) = (rng.value(ty, center, spread), rng.value(ty, center, spread));
            for op in [
                FpBinOp::Add,
                FpBinOp::Sub,
                FpBinOp::Mul,
                FpBinOp::Div,
                FpBinOp::MulX,
                FpBinOp::AbsDiff,
                FpBinOp::RecipStep,
                FpBinOp::RSqrtStep,
            ] {
                let fast = run(fpcr, |fs| binop(fs, op, ty, a, b));
                let exact = run(fpcr, |fs| binop_exact(fs, op, ty, a, b));
                assert_eq!(fast, exact, "{op:?} {ty:?} fpcr={fpcr:x} {a:x} {b:x}");
            }
            // Newton steps as NEON code runs them: b ≈ 1/a (FRECPS) and b ≈ 1/a² (FRSQRTS, a·b ≈ 1 as well).
            let recip = match ty {
                FpTy::S => (1.0 / f32::from_bits(a as u32)).to_bits() as u64,
                _ => (1.0 / f64::from_bits(a)).to_bits(),
            }
            .wrapping_add(rng.next() % 5)
            .wrapping_sub(2)
                & (u64::MAX >> (64 - ty.bits()));
            for op in [FpBinOp::RecipStep, FpBinOp::RSqrtStep] {
                let fast = run(fpcr, |fs| binop(fs, op, ty, a, recip));
                let exact = run(fpcr, |fs| binop_exact(fs, op, ty, a, recip));
                assert_eq!(fast, exact, "{op:?} {ty:?} fpcr={fpcr:x} {a:x} {recip:x}");
            }
            let c = rng.value(ty, center, spread);
            // Addends: random, and the product's negation nudged by a few ulps (heavy cancellation).
            let p = match ty {
                FpTy::S => (f32::from_bits(b as u32) * f32::from_bits(c as u32)).to_bits() as u64,
                _ => (f64::from_bits(b) * f64::from_bits(c)).to_bits(),
            };
            let near = (p ^ f.sign_bit())
                .wrapping_add(rng.next() % 9)
                .wrapping_sub(4)
                & (u64::MAX >> (64 - ty.bits()));
            for addend in [a, near, 0, f.sign_bit()] {
                let fast = run(fpcr, |fs| muladd(fs, ty, addend, b, c));
                let exact = run(fpcr, |fs| muladd_exact(fs, ty, addend, b, c));
                assert_eq!(
                    fast, exact,
                    "fma {ty:?} fpcr={fpcr:x} {addend:x} + {b:x}·{c:x}"
                );
            }
        }
    }
}

#[test]
fn other_fast_paths_agree_with_exact_engine() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for ty in [FpTy::S, FpTy::D] {
        let f = engine::fmt(ty);
        let mid = f.bias() as i64;
        for i in 0..15_000u32 {
            let fpcr = FPCRS[i as usize % 4] | (i % 5 / 4) << 22; // some round-toward-+inf too
            let spread = if i % 2 == 0 { 4 } else { mid };
            let (a, b) = (rng.value(ty, mid, spread), rng.value(ty, mid, spread));
            let b = if i % 7 == 0 {
                a ^ (rng.next() & f.sign_bit())
            } else {
                b
            }; // equal magnitudes
            for sig in [false, true] {
                let fast = run(fpcr, |fs| compare(fs, ty, a, b, sig));
                let exact = run(fpcr, |fs| compare_exact(fs, ty, a, b, sig));
                assert_eq!(fast, exact, "fcmp {ty:?} fpcr={fpcr:x} {a:x} {b:x}");
            }
            for cmp in [FpCmp::Eq, FpCmp::Ge, FpCmp::Gt, FpCmp::AbsGe, FpCmp::AbsGt] {
                let fast = run(fpcr, |fs| compare_mask(fs, cmp, ty, a, b));
                let exact = run(fpcr, |fs| compare_mask_exact(fs, cmp, ty, a, b));
                assert_eq!(fast, exact, "{cmp:?} {ty:?} fpcr={fpcr:x} {a:x} {b:x}");
            }
            for op in [FpBinOp::Max, FpBinOp::Min, FpBinOp::MaxNum, FpBinOp::MinNum] {
                let fast = run(fpcr, |fs| binop(fs, op, ty, a, b));
                let exact = run(fpcr, |fs| binop_exact(fs, op, ty, a, b));
                assert_eq!(fast, exact, "{op:?} {ty:?} fpcr={fpcr:x} {a:x} {b:x}");
            }
            let to = if ty == FpTy::S { FpTy::D } else { FpTy::S };
            let fast = run(fpcr, |fs| convert(fs, ty, to, a));
            let exact = run(fpcr, |fs| convert_exact(fs, ty, to, a));
            assert_eq!(fast, exact, "fcvt {ty:?} fpcr={fpcr:x} {a:x}");
            let fast = run(fpcr, |fs| unop(fs, FpUnOp::Sqrt, ty, a));
            let exact = run(fpcr, |fs| unop_exact(fs, FpUnOp::Sqrt, ty, a));
            assert_eq!(fast, exact, "fsqrt {ty:?} fpcr={fpcr:x} {a:x}");
            // Integers near 2^k and their conversions, both ways.
            let k = (rng.next() % 60) as i64;
            let big = rng.value(ty, mid + 10 + k, 2);
            // Around ±0.5, ±1.5, ±2.5 …: the rounding ties.
            let half = (rng.next() % 8) as f64 + 0.5;
            let half = if rng.next() & 1 == 0 { half } else { -half };
            let small = match ty {
                FpTy::S => (half as f32).to_bits() as u64 + (rng.next() % 3),
                _ => half.to_bits() + (rng.next() % 3),
            }
            .wrapping_sub(1);
            for x in [a, big, small] {
                for r in ROUNDINGS {
                    for exact in [false, true] {
                        let op = FpUnOp::RoundInt { rounding: r, exact };
                        let fast = run(fpcr, |fs| unop(fs, op, ty, x));
                        let slow = run(fpcr, |fs| unop_exact(fs, op, ty, x));
                        assert_eq!(fast, slow, "frint {r:?} {exact} {ty:?} fpcr={fpcr:x} {x:x}");
                    }
                }
            }
            for w in [Width::W32, Width::W64] {
                for signed in [false, true] {
                    for x in [a, big, small] {
                        for r in ROUNDINGS {
                            let fast = run(fpcr, |fs| to_int(fs, ty, x, w, signed, 0, r));
                            let exact = run(fpcr, |fs| to_int_exact(fs, ty, x, w, signed, 0, r));
                            assert_eq!(
                                fast, exact,
                                "fcvt {r:?} {ty:?} {w:?} {signed} fpcr={fpcr:x} {x:x}"
                            );
                        }
                    }
                    let n = rng.next() >> (rng.next() % 64);
                    let fast = run(fpcr, |fs| from_int(fs, ty, n, w, signed, 0));
                    let exact = run(fpcr, |fs| from_int_exact(fs, ty, n, w, signed, 0));
                    assert_eq!(
                        fast, exact,
                        "cvtf {ty:?} {w:?} {signed} fpcr={fpcr:x} {n:x}"
                    );
                }
            }
        }
    }
}

/// The cheap forms run only with FPSR.IXC already set (as in nearly every running program): the fused
/// multiply-adds against the exact engine there, on random operands (all ranges, cancellations) and on sums
/// whose double rounding lands exactly halfway between two singles, where rounding the double sum again would
/// pick the wrong single (e.g. 4097² = 16785409, halfway between 16785408 and 16785410, plus a tiny addend
/// that the double sum loses).
#[test]
fn cheap_muladds_with_ixc_set_agree_with_exact_engine() {
    let ixc_run = |op: &dyn Fn(&mut Fpscr<'_>) -> u64| {
        let mut fpsr = engine::IXC as u64;
        let r = op(&mut Fpscr {
            fpcr: 0,
            fpsr: &mut fpsr,
        });
        (r, fpsr)
    };
    let mut rng = Rng(0x6a09_e667_f3bc_c909);
    let mut cases = alloc::vec::Vec::new();
    for ty in [FpTy::S, FpTy::D] {
        let f = engine::fmt(ty);
        let mid = f.bias() as i64;
        for i in 0..30_000u32 {
            let (center, spread) = match i % 3 {
                0 => (mid, 40),
                1 => (mid / 2, 3),
                _ => (mid + mid / 2, 3),
            };
            let (a, b, c) = (
                rng.value(ty, center, spread),
                rng.value(ty, center, spread),
                rng.value(ty, center, spread),
            );
            cases.push((ty, a, b, c));
        }
    }
    let s = |v: f32| v.to_bits() as u64;
    // b·c is an odd integer of 25 significant bits (each factor has 12 to 14): a midpoint between two singles,
    // which a tiny addend moves off in the exact sum but not in the double one.
    for (b, c, tiny) in [
        (4097.0f32, 4097.0f32, 2f32.powi(-30)),
        (2049.0, 8193.0, 2f32.powi(-40)),
        (4099.0, 4097.0, 2f32.powi(-60)),
    ] {
        for (sign, t) in [(1.0f32, tiny), (-1.0, -tiny), (1.0, -tiny), (-1.0, tiny)] {
            cases.push((FpTy::S, s(t), s(sign * b), s(c)));
        }
    }
    for (ty, a, b, c) in cases {
        let fast = ixc_run(&|fs| muladd(fs, ty, a, b, c));
        let exact = ixc_run(&|fs| muladd_exact(fs, ty, a, b, c));
        assert_eq!(fast, exact, "fma {ty:?} {a:x} + {b:x}·{c:x} with IXC set");
    }
}
