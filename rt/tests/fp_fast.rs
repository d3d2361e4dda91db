//! The AOT tier's inline floating-point fast paths (`elfrun_aot::lift::probe_module`) against the
//! interpreter's exact softfp engine: for many operand pairs (triples for the fused multiply-add) — edge values, random bit patterns and random
//! values with short significands (to reach exact results) — whenever the fast path answers without calling
//! the helper, its result and FPSR must equal the engine's; the fast path must also answer most ordinary
//! cases, and never under a directed rounding mode or FZ.

use std::cell::Cell;

use elfrun_aot::lift::{FastOp, QuietOp, probe_module, probe_module_quiet};
use elfrun_interp::sem::{FpBinOp, FpCmp, FpTy, FpUnOp};
use elfrun_interp::softfp::{self, Fpscr};
use elfrun_interp::state::offsets;
use wasmer::{Function, Instance, Module, Store, TypedFunction, imports};

thread_local! {
    /// Calls of the helper (the fast path declined) on this thread.
    static SLOW: Cell<u64> = const { Cell::new(0) };
}
const SENTINEL: i64 = 0x5a5a_5a5a_5a5a_5a5a;
/// FPSR.IXC.
const IXC: u64 = 1 << 4;

fn helper(_code: i32, _a: i64, _b: i64, _c: i64) -> i64 {
    SLOW.set(SLOW.get() + 1);
    SENTINEL
}

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

fn edges(ty: FpTy) -> Vec<u64> {
    let mut v: Vec<u64> = match ty {
        FpTy::D => [
            0.0,
            1.0,
            3.0,
            0.1,
            f64::MIN_POSITIVE,
            f64::MIN_POSITIVE * 1.5,
            f64::MAX,
            f64::INFINITY,
            f64::NAN,
            2f64.powi(995),
            2f64.powi(-537),
            1.0 - 2f64.powi(-53),
            1.0 + 2f64.powi(-52),
            2f64.powi(53) - 1.0,
            2f64.powi(26) + 1.0,
            2f64.powi(27) + 1.0,
        ]
        .iter()
        .map(|x: &f64| x.to_bits())
        .chain([1, 2, 3, 0x000f_ffff_ffff_ffff, 0x0010_0000_0000_0001])
        .collect(),
        _ => [
            0.0,
            1.0,
            3.0,
            0.1,
            f32::MIN_POSITIVE,
            f32::MIN_POSITIVE * 1.5,
            f32::MAX,
            f32::INFINITY,
            f32::NAN,
            1.0 - 2f32.powi(-24),
            2f32.powi(24) - 1.0,
            4097.0,
            8193.0,
        ]
        .iter()
        .map(|x: &f32| x.to_bits() as u64)
        .chain([1, 2, 3, 0x007f_ffff, 0x0080_0001])
        .collect(),
    };
    let sign = if ty == FpTy::D { 1 << 63 } else { 1 << 31 };
    let neg: Vec<u64> = v.iter().map(|x| x ^ sign).collect();
    v.extend(neg);
    v
}

/// A random operand: raw bits, or a value with a short significand and an exponent near 0 or the edges.
fn random(r: &mut Rng, ty: FpTy) -> u64 {
    let x = r.next();
    let (frac_bits, exp_bits, bias) = if ty == FpTy::D {
        (52u32, 11u32, 1023i64)
    } else {
        (23, 8, 127)
    };
    let sign = (x & 1) << (frac_bits + exp_bits);
    let e_max = (1i64 << exp_bits) - 1;
    let exp = match (x >> 1) % 4 {
        0 => return r.next() & (u64::MAX >> (63 - frac_bits - exp_bits)),
        1 => bias + ((x >> 8) % 40) as i64 - 20,
        2 => ((x >> 8) % 8) as i64,
        _ => e_max - 1 - ((x >> 8) % 8) as i64,
    };
    // Keep 1..=frac_bits significant fraction bits.
    let keep = 1 + (x >> 20) as u32 % frac_bits;
    let frac = r.next() & ((1 << frac_bits) - 1) & !((1u64 << (frac_bits - keep)) - 1);
    sign | (exp.clamp(0, e_max - 1) as u64) << frac_bits | frac
}

fn reference(op: FastOp, ty: FpTy, fpcr: u32, [a, b, c]: [u64; 3]) -> (u64, u64) {
    let mut fpsr = 0;
    let mut fs = Fpscr {
        fpcr,
        fpsr: &mut fpsr,
    };
    let r = match op {
        FastOp::Add => softfp::binop_exact(&mut fs, FpBinOp::Add, ty, a, b),
        FastOp::Sub => softfp::binop_exact(&mut fs, FpBinOp::Sub, ty, a, b),
        FastOp::Mul => softfp::binop_exact(&mut fs, FpBinOp::Mul, ty, a, b),
        FastOp::Div => softfp::binop_exact(&mut fs, FpBinOp::Div, ty, a, b),
        FastOp::Sqrt => softfp::unop_exact(&mut fs, FpUnOp::Sqrt, ty, a),
        FastOp::MulAdd => softfp::muladd_exact(&mut fs, ty, a, b, c),
    };
    (r, fpsr)
}

/// A probe module instantiated with the counting helper.
struct Probe {
    store: Store,
    run: TypedFunction<(i64, i64, i64), i64>,
    memory: wasmer::Memory,
    /// The helper's [`SENTINEL`] as the probe returns it ([`fast_sentinel`]).
    sentinel: i64,
}

/// [`SENTINEL`] as a fast path at `ty` returns the helper's result: a single-precision one passes through its
/// `f32` (the helper returns singles zero-extended), so only its low half.
fn fast_sentinel(ty: FpTy) -> i64 {
    match ty {
        FpTy::D => SENTINEL,
        _ => SENTINEL as u32 as i64,
    }
}

impl Probe {
    fn new(wasm: Vec<u8>, sentinel: i64) -> Probe {
        let mut store = Store::new(elfrun::host::engine());
        let module = Module::new(&store, wasm).expect("probe module compiles");
        let imports = imports! { "env" => { "fp" => Function::new_typed(&mut store, helper) } };
        let instance = Instance::new(&mut store, &module, &imports).unwrap();
        let run = instance.exports.get_typed_function(&store, "run").unwrap();
        let memory = instance.exports.get_memory("memory").unwrap().clone();
        Probe {
            store,
            run,
            memory,
            sentinel,
        }
    }

    /// (result, FPSR after) when the fast path answered, `None` when it called the helper.
    fn call(&mut self, fpcr: u64, fpsr: u64, [a, b, c]: [u64; 3]) -> Option<(u64, u64)> {
        let view = self.memory.view(&self.store);
        view.write(offsets::FPCR as u64, &fpcr.to_le_bytes())
            .unwrap();
        view.write(offsets::FPSR as u64, &fpsr.to_le_bytes())
            .unwrap();
        let before = SLOW.get();
        let r = self
            .run
            .call(&mut self.store, a as i64, b as i64, c as i64)
            .unwrap();
        if SLOW.get() != before {
            assert_eq!(r, self.sentinel);
            return None;
        }
        let mut fpsr = [0u8; 8];
        self.memory
            .view(&self.store)
            .read(offsets::FPSR as u64, &mut fpsr)
            .unwrap();
        Some((r as u64, u64::from_le_bytes(fpsr)))
    }
}

/// The cancellation cases of `a + b·c`: the addend minus the rounded product (the result is the product's
/// rounding error: exact, tiny or zero) and one unit off it.
fn cancellations(rng: &mut Rng, ty: FpTy, [_, b, c]: [u64; 3]) -> [[u64; 3]; 2] {
    let p = match ty {
        FpTy::D => (-(f64::from_bits(b) * f64::from_bits(c))).to_bits(),
        _ => (-(f32::from_bits(b as u32) * f32::from_bits(c as u32))).to_bits() as u64,
    };
    [
        [p, b, c],
        [p.wrapping_add(rng.next() % 3).wrapping_sub(1), b, c],
    ]
}

/// `fused`: the multiply-add module uses the engine's relaxed multiply-add (`BuildInput::fused_madd`).
fn check(op: FastOp, ty: FpTy, fused: bool) {
    let mut probe = Probe::new(probe_module(op, ty, fused), fast_sentinel(ty));
    // FPSR starts clear (the full bodies, which compute IXC) or with IXC already set (the cheap bodies).
    let call_with =
        |store: &mut Probe, fpcr: u64, fpsr: u64, abc: [u64; 3]| store.call(fpcr, fpsr, abc);
    let call = |store: &mut Probe, fpcr: u64, abc: [u64; 3]| store.call(fpcr, 0, abc);
    let mut cases: Vec<[u64; 3]> = Vec::new();
    let e = edges(ty);
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ (op as u64) << 8 ^ ty.bits() as u64);
    for &a in &e {
        for &b in &e {
            if op == FastOp::MulAdd {
                // Every edge triple would be 80,000 cases: each pair with a few addends.
                for _ in 0..4 {
                    cases.push([e[rng.next() as usize % e.len()], a, b]);
                }
            } else {
                cases.push([a, b, 0]);
            }
        }
    }
    for _ in 0..60_000 {
        let abc = [
            random(&mut rng, ty),
            random(&mut rng, ty),
            random(&mut rng, ty),
        ];
        cases.push(abc);
        if op == FastOp::MulAdd {
            cases.extend(cancellations(&mut rng, ty, abc));
        }
    }
    if op == FastOp::Sqrt {
        // Exact square roots: (k·2^j)² with k of up to half the significand's bits.
        for _ in 0..5_000 {
            let x = rng.next();
            let j = (x % 300) as i32 - 150;
            let a = match ty {
                FpTy::D => (((x >> 16) % (1 << 26)) as f64 * 2f64.powi(j))
                    .powi(2)
                    .to_bits(),
                _ => (((x >> 16) % (1 << 12)) as f32 * 2f32.powi(j / 5))
                    .powi(2)
                    .to_bits() as u64,
            };
            cases.push([a, 0, 0]);
        }
    }
    let (mut fast, mut inexact, mut fast_ixc) = (0usize, 0usize, 0usize);
    for &abc in &cases {
        let want = reference(op, ty, 0, abc);
        if let Some(got) = call(&mut probe, 0, abc) {
            assert_eq!(
                got, want,
                "{op:?} {ty:?} {abc:#x?}: fast path (result, fpsr) differs from softfp"
            );
            fast += 1;
            inexact += (got.1 != 0) as usize;
        }
        if let Some(got) = call_with(&mut probe, 0, IXC, abc) {
            assert_eq!(
                got,
                (want.0, want.1 | IXC),
                "{op:?} {ty:?} {abc:#x?} with IXC set: fast path (result, fpsr) differs from softfp"
            );
            fast_ixc += 1;
        }
        // Directed rounding and FZ always take the helper (DN does not matter: no NaN comes out fast).
        for fpcr in [1 << 22, 2 << 22, 3 << 22, 1 << 24] {
            assert!(call(&mut probe, fpcr, abc).is_none(), "fpcr {fpcr:#x}");
        }
        if let Some(got) = call(&mut probe, 1 << 25, abc) {
            assert_eq!(got, reference(op, ty, 1 << 25, abc), "DN {op:?} {abc:#x?}");
        }
    }
    // Ordinary operands must mostly stay on the fast path (for √, the nonnegative half), exact and inexact
    // ones both. The double FMA's range is narrower (operands in [2^-480, 2^481)): a third of the random
    // operands are outside, so a smaller share — and every ordinary FMA must be fast, checked below.
    let share = match (op, ty) {
        (FastOp::Sqrt, _) => 4,
        (FastOp::MulAdd, FpTy::D) => 16,
        _ => 2,
    };
    if op == FastOp::MulAdd {
        for _ in 0..10_000 {
            let mut ordinary = || {
                let x = (rng.next() >> 11) as f64 / (1u64 << 53) as f64 * 200.0 - 100.0;
                match ty {
                    FpTy::D => x.to_bits(),
                    _ => (x as f32).to_bits() as u64,
                }
            };
            let abc = [ordinary(), ordinary(), ordinary()];
            let want = reference(op, ty, 0, abc);
            assert_eq!(call(&mut probe, 0, abc), Some(want), "{ty:?} {abc:#x?}");
            assert_eq!(
                call_with(&mut probe, 0, IXC, abc),
                Some((want.0, want.1 | IXC)),
                "{ty:?} {abc:#x?} with IXC set"
            );
        }
    }
    assert!(
        fast * share > cases.len() && fast_ixc * share > cases.len(),
        "{op:?} {ty:?}: fast path taken {fast} (IXC set: {fast_ixc}) of {}",
        cases.len()
    );
    assert!(
        inexact > 1000 && fast - inexact > 1000,
        "{op:?} {ty:?}: {inexact} of {fast} inexact"
    );
}

const FAST_OPS: [FastOp; 6] = [
    FastOp::Add,
    FastOp::Sub,
    FastOp::Mul,
    FastOp::Div,
    FastOp::Sqrt,
    FastOp::MulAdd,
];

#[test]
fn double_ops() {
    for op in FAST_OPS {
        check(op, FpTy::D, false);
    }
}

#[test]
fn single_ops() {
    for op in FAST_OPS {
        check(op, FpTy::S, false);
    }
}

/// The multiply-add fast path on the engine's relaxed multiply-add. Where the engine fuses it (the verdict of
/// `elfrun::host::fuses_madd`, which `elfrun build` follows: either engine on a CPU with FMA3, Cranelift through
/// the patch in `vendor/`), that path must pass every check the exact emulation passes. Where it does not (no
/// FMA3), the verdict is confirmed instead: the path gives results other than the fused ones on cancellations,
/// so a bundle must never use it there. (`aot.rs` checks the refusal of such a bundle under `ELFRUN_FMA=0`.)
#[test]
fn fused_muladd() {
    for ty in [FpTy::D, FpTy::S] {
        if elfrun::host::fuses_madd() {
            check(FastOp::MulAdd, ty, true);
            continue;
        }
        let mut probe = Probe::new(probe_module(FastOp::MulAdd, ty, true), fast_sentinel(ty));
        let mut rng = Rng(0x5eed ^ ty.bits() as u64);
        let mut wrong = 0;
        for _ in 0..1000 {
            let abc = [
                random(&mut rng, ty),
                random(&mut rng, ty),
                random(&mut rng, ty),
            ];
            for case in cancellations(&mut rng, ty, abc) {
                let want = reference(FastOp::MulAdd, ty, 0, case);
                wrong += probe.call(0, IXC, case).is_some_and(|got| got.0 != want.0) as usize;
            }
        }
        assert!(
            wrong > 0,
            "{ty:?}: the engine is said not to fuse, yet every result was fused"
        );
    }
}

/// The quiet operations (comparisons, min/max): answered by the fast path exactly when neither operand is a NaN
/// (and FPCR has no FZ or directed rounding), with softfp's result and no flag.
#[test]
fn quiet_ops() {
    for ty in [FpTy::S, FpTy::D] {
        for op in [
            QuietOp::Compare,
            QuietOp::Mask(FpCmp::Eq),
            QuietOp::Mask(FpCmp::Ge),
            QuietOp::Mask(FpCmp::Gt),
            QuietOp::Mask(FpCmp::AbsGe),
            QuietOp::Mask(FpCmp::AbsGt),
            QuietOp::Max,
            QuietOp::Min,
        ] {
            let mut probe = Probe::new(probe_module_quiet(op, ty), SENTINEL);
            let e = edges(ty);
            let mut pairs: Vec<(u64, u64)> = e
                .iter()
                .flat_map(|&a| e.iter().map(move |&b| (a, b)))
                .collect();
            let mut rng = Rng(0x51_7cc1_b727_220a ^ ty.bits() as u64);
            for _ in 0..20_000 {
                let a = random(&mut rng, ty);
                // Equal operands and operands of equal magnitude are the interesting ones for comparisons.
                let b = match rng.next() % 4 {
                    0 => a,
                    1 => a ^ if ty == FpTy::D { 1 << 63 } else { 1 << 31 },
                    _ => random(&mut rng, ty),
                };
                pairs.push((a, b));
            }
            let is_nan = |x: u64| match ty {
                FpTy::D => f64::from_bits(x).is_nan(),
                _ => f32::from_bits(x as u32).is_nan(),
            };
            for (a, b) in pairs {
                let mut fpsr = 0;
                let mut fs = Fpscr {
                    fpcr: 0,
                    fpsr: &mut fpsr,
                };
                let want = match op {
                    QuietOp::Compare => softfp::compare_exact(&mut fs, ty, a, b, false),
                    QuietOp::Mask(cmp) => softfp::compare_mask_exact(&mut fs, cmp, ty, a, b),
                    QuietOp::Max => softfp::binop_exact(&mut fs, FpBinOp::Max, ty, a, b),
                    QuietOp::Min => softfp::binop_exact(&mut fs, FpBinOp::Min, ty, a, b),
                };
                let got = probe.call(0, 0, [a, b, 0]);
                if is_nan(a) || is_nan(b) {
                    assert_eq!(
                        got, None,
                        "{op:?} {ty:?} {a:#x} {b:#x}: a NaN must take the helper"
                    );
                    continue;
                }
                assert_eq!(got, Some((want, fpsr)), "{op:?} {ty:?} {a:#x} {b:#x}");
                assert_eq!(fpsr, 0, "{op:?} {ty:?} {a:#x} {b:#x}: softfp raised a flag");
                if let QuietOp::Max | QuietOp::Min = op {
                    // FMAXNM/FMINNM agree without NaNs.
                    let num = if op == QuietOp::Max {
                        FpBinOp::MaxNum
                    } else {
                        FpBinOp::MinNum
                    };
                    let mut fpsr = 0;
                    let mut fs = Fpscr {
                        fpcr: 0,
                        fpsr: &mut fpsr,
                    };
                    assert_eq!(softfp::binop_exact(&mut fs, num, ty, a, b), want);
                }
                for fpcr in [1 << 22, 1 << 24] {
                    assert_eq!(probe.call(fpcr, 0, [a, b, 0]), None, "fpcr {fpcr:#x}");
                }
            }
        }
    }
}
