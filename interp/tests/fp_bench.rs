//! Micro-benchmark of the softfp fast paths (ns per operation), against the exact engine and host arithmetic.
//! Run: `cargo test --release -p elfrun-interp --test fp_bench -- --ignored --nocapture`.
//! On a busy machine wall-clock numbers are noisy; instruction counts are steadier:
//! `FP_BENCH_ONLY="D fma fast" valgrind --tool=callgrind <test binary> --ignored fp_fast` (divide by the
//! 2,046,000 operations). `FP_BENCH_ITERS` sets the loop count of `fp_loop_in_interpreter`.

use elfrun_interp::eval::{RunStats, run};
use elfrun_interp::sem::{FpBinOp, FpTy};
use elfrun_interp::softfp::{self, Fpscr};
use elfrun_interp::{BlockCache, CpuState, Exit, GuestMem};
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

/// A loop of `fmadd d0,d1,d2,d0; fadd d3,d3,d1; fmul d4,d4,d2; fmadd s5,s6,s7,s5; subs x0,x0,#1; b.ne`
/// through the interpreter, next to the same loop with four `add`/`sub` immediates in place of the FP ones.
#[test]
#[ignore]
fn fp_loop_in_interpreter() {
    const CODE: [u32; 14] = [
        0x1f420020, 0x1e612863, 0x1e620884, 0x1f0714c5, 0xf1000400, 0x54ffff61,
        0xd4200000, // FP loop
        0x91000484, 0x91000ca5, 0xd10008c6, 0x910014e7, 0xf1000400, 0x54ffff61,
        0xd4200000, // integer loop
    ];
    let mut buf = vec![0u8; 1 << 16];
    for (i, w) in CODE.iter().enumerate() {
        buf[0x1000 + 4 * i..0x1004 + 4 * i].copy_from_slice(&w.to_le_bytes());
    }
    // SAFETY: buf outlives every use of the view.
    let mem = unsafe { GuestMem::new(buf.as_mut_ptr(), 0x100, buf.len() as u64) };
    let iters: u64 = std::env::var("FP_BENCH_ITERS").map_or(2_000_000, |v| v.parse().unwrap());
    for (name, pc) in [("FP loop", 0x1000u64), ("integer loop", 0x101c)] {
        let mut cpu = CpuState {
            pc,
            ..CpuState::default()
        };
        cpu.x[0] = iters;
        cpu.v[1] = 1.0000001f64.to_bits() as u128;
        cpu.v[2] = 0.9999999f64.to_bits() as u128;
        cpu.v[4] = 1.5f64.to_bits() as u128;
        cpu.v[6] = 1.0000001f32.to_bits() as u128;
        cpu.v[7] = 0.9999999f32.to_bits() as u128;
        let mut cache = BlockCache::new();
        let mut stats = RunStats::default();
        let t = Instant::now();
        let exit = run(&mut cpu, mem, &mut cache, u64::MAX, &mut stats);
        let ns = t.elapsed().as_secs_f64() * 1e9;
        assert_eq!(exit, Exit::Breakpoint { imm: 0 });
        println!(
            "{name:<14} {:6.2} ns/instruction, {:6.2} ns/iteration (fpsr {:x})",
            ns / stats.instructions as f64,
            ns / iters as f64,
            cpu.fpsr
        );
    }
}
