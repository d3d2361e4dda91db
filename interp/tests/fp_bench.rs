//! Micro-benchmark of the softfp fast paths (ns per operation), against the exact engine and host arithmetic.
//! Run: `cargo test --release -p elfrun-interp --test fp_bench -- --ignored --nocapture`.

use elfrun_interp::sem::{FpBinOp, FpTy};
use elfrun_interp::softfp::{self, Fpscr};
use std::hint::black_box;
use std::time::Instant;

fn values(ty: FpTy) -> Vec<u64> {
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    (0..1024)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let v = 0.5 + (x >> 11) as f64 / (1u64 << 53) as f64; // [0.5, 1.5)
            match ty {
                FpTy::D => v.to_bits(),
                _ => (v as f32).to_bits() as u64,
            }
        })
        .collect()
}

/// Times `f` (n operations). `FP_BENCH_ONLY=substring` runs only the matching measurements (for `perf stat`).
fn time(name: &str, n: usize, mut f: impl FnMut() -> u64) {
    if let Ok(only) = std::env::var("FP_BENCH_ONLY")
        && !name.contains(&only)
    {
        return;
    }
    let t = Instant::now();
    let r = black_box(f());
    let ns = t.elapsed().as_secs_f64() * 1e9 / n as f64;
    println!("{name:<28} {ns:6.2} ns/op  ({r:x})");
}

#[test]
#[ignore]
fn fp_fast_path_speed() {
    const REPS: usize = 2000;
    for ty in [FpTy::S, FpTy::D] {
        let v = values(ty);
        let n = REPS * v.len();
        let mut fpsr = 0u64;
        for (name, op) in [
            ("add", FpBinOp::Add),
            ("mul", FpBinOp::Mul),
            ("div", FpBinOp::Div),
        ] {
            time(&format!("{ty:?} {name} fast"), n, || {
                let mut fs = Fpscr {
                    fpcr: 0,
                    fpsr: &mut fpsr,
                };
                let mut acc = 0;
                for _ in 0..REPS {
                    for w in v.windows(2) {
                        acc ^= softfp::binop(&mut fs, op, ty, black_box(w[0]), w[1]);
                    }
                }
                acc
            });
            time(&format!("{ty:?} {name} exact engine"), n, || {
                let mut fs = Fpscr {
                    fpcr: 0,
                    fpsr: &mut fpsr,
                };
                let mut acc = 0;
                for _ in 0..REPS {
                    for w in v.windows(2) {
                        acc ^= softfp::binop_exact(&mut fs, op, ty, black_box(w[0]), w[1]);
                    }
                }
                acc
            });
        }
        time(&format!("{ty:?} fma fast"), n, || {
            let mut fs = Fpscr {
                fpcr: 0,
                fpsr: &mut fpsr,
            };
            let mut acc = 0;
            for _ in 0..REPS {
                for w in v.windows(3) {
                    acc ^= softfp::muladd(&mut fs, ty, black_box(w[0]), w[1], w[2]);
                }
            }
            acc
        });
        time(&format!("{ty:?} fma exact engine"), n, || {
            let mut fs = Fpscr {
                fpcr: 0,
                fpsr: &mut fpsr,
            };
            let mut acc = 0;
            for _ in 0..REPS {
                for w in v.windows(3) {
                    acc ^= softfp::muladd_exact(&mut fs, ty, black_box(w[0]), w[1], w[2]);
                }
            }
            acc
        });
    }
    let v: Vec<f64> = values(FpTy::D).into_iter().map(f64::from_bits).collect();
    time("host f64 add (reference)", REPS * v.len(), || {
        let mut acc = 0;
        for _ in 0..REPS {
            for w in v.windows(2) {
                acc ^= (black_box(w[0]) + w[1]).to_bits();
            }
        }
        acc
    });
    time("host f64 mul_add (libm)", REPS * v.len(), || {
        let mut acc = 0;
        for _ in 0..REPS {
            for w in v.windows(3) {
                acc ^= black_box(w[0]).mul_add(w[1], w[2]).to_bits();
            }
        }
        acc
    });
}
