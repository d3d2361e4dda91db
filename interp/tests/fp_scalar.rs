//! Scalar floating point against qemu-aarch64: every case of `data/fp_scalar.txt` (produced by
//! `data/fpgen/gen.sh`, which runs each instruction word under qemu-aarch64-static over grids of edge values
//! and FPCR settings) is run through `decode` + `Eval` and must give the same registers, NZCV and FPSR.
//! AdvSIMD scalar words in the file (FRECPE, FRECPS, FMULX, FCMEQ, …) belong to another class; their
//! arithmetic is checked here by calling `softfp` directly. Add/sub/mul/div and FMA cases are also run on
//! the exact engine alone, so the fast paths and the reference path are both held to qemu.

use elfrun_interp::sem::{FpBinOp, FpCmp, FpTy, FpUnOp};
use elfrun_interp::softfp::{self, Fpscr};
use elfrun_interp::{CpuState, Eval, GuestMem, decode, disasm};

const PAT0: u64 = 0x5555_5555_5555_5555;
const PAT1: u64 = 0xaaaa_aaaa_aaaa_aaaa;

struct Case {
    word: u32,
    fpcr: u64,
    nzcv: u64,
    x0: u64,
    x1: u64,
    v: [u64; 3],
    out_x0: u64,
    out_v0: u128,
    out_v1: Option<u128>,
    fpsr: u64,
    out_nzcv: u64,
}

fn parse(line: &str) -> Case {
    let f: Vec<&str> = line.split_whitespace().collect();
    let h = |s: &str| u64::from_str_radix(s, 16).unwrap();
    let q = |hi: &str, lo: &str| (h(hi) as u128) << 64 | h(lo) as u128;
    let (out_v1, rest) = if f[12] == "=" {
        (None, 13)
    } else {
        (Some(q(f[12], f[13])), 14)
    };
    Case {
        word: h(f[0]) as u32,
        fpcr: h(f[1]),
        nzcv: h(f[2]),
        x0: h(f[3]),
        x1: h(f[4]),
        v: [h(f[5]), h(f[6]), h(f[7])],
        out_x0: h(f[9]),
        out_v0: q(f[10], f[11]),
        out_v1,
        fpsr: h(f[rest]),
        out_nzcv: h(f[rest + 1]),
    }
}

/// Result of a case: (x0, v0, v1, fpsr, nzcv).
type Outcome = (u64, u128, u128, u64, u64);

fn run_insn(c: &Case) -> Outcome {
    let mut cpu = CpuState::default();
    cpu.x[0] = c.x0;
    cpu.x[1] = c.x1;
    cpu.fpcr = c.fpcr;
    cpu.nzcv = c.nzcv;
    cpu.v[0] = (PAT0 as u128) << 64 | PAT0 as u128;
    for i in 0..3 {
        cpu.v[i + 1] = (PAT1 as u128) << 64 | c.v[i] as u128;
    }
    let mut buf = vec![0u8; 4096];
    buf[0x100..0x104].copy_from_slice(&c.word.to_le_bytes());
    // SAFETY: buf outlives the view.
    let mem = unsafe { GuestMem::new(buf.as_mut_ptr(), 0x10, buf.len() as u64) };
    let r = Eval::new(&mut cpu, mem).step(decode(c.word), 0x100);
    assert!(r.is_ok(), "{:08x} {}: {:?}", c.word, disasm(c.word), r);
    (cpu.x[0], cpu.v[0], cpu.v[1], cpu.fpsr, cpu.nzcv)
}

/// AdvSIMD scalar forms: the softfp operation behind them, or None if the word is not one of them.
fn run_softfp(c: &Case) -> Option<Outcome> {
    let ty = if c.word & (1 << 22) != 0 {
        FpTy::D
    } else {
        FpTy::S
    };
    let base = c.word & !(1 << 22) & !(0x1f << 16) & !0x3ff;
    let mut fpsr = 0u64;
    let mut fs = Fpscr {
        fpcr: c.fpcr as u32,
        fpsr: &mut fpsr,
    };
    let (a, b) = (c.v[0], c.v[1]);
    let (a, b) = if ty == FpTy::S {
        (a & 0xffff_ffff, b & 0xffff_ffff)
    } else {
        (a, b)
    };
    let r = match base {
        0x5e20fc00 => softfp::binop(&mut fs, FpBinOp::RecipStep, ty, a, b),
        0x5ea0fc00 => softfp::binop(&mut fs, FpBinOp::RSqrtStep, ty, a, b),
        0x5e20dc00 => softfp::binop(&mut fs, FpBinOp::MulX, ty, a, b),
        0x7ea0d400 => softfp::binop(&mut fs, FpBinOp::AbsDiff, ty, a, b),
        0x5e20e400 => softfp::compare_mask(&mut fs, FpCmp::Eq, ty, a, b),
        0x7e20e400 => softfp::compare_mask(&mut fs, FpCmp::Ge, ty, a, b),
        0x7ea0e400 => softfp::compare_mask(&mut fs, FpCmp::Gt, ty, a, b),
        0x7e20ec00 => softfp::compare_mask(&mut fs, FpCmp::AbsGe, ty, a, b),
        0x7ea0ec00 => softfp::compare_mask(&mut fs, FpCmp::AbsGt, ty, a, b),
        _ => {
            let base = c.word & !(1 << 22) & !0x3ff;
            match base {
                0x5ea1d800 => softfp::unop(&mut fs, FpUnOp::RecipEstimate, ty, a),
                0x7ea1d800 => softfp::unop(&mut fs, FpUnOp::RSqrtEstimate, ty, a),
                0x5ea1f800 => softfp::unop(&mut fs, FpUnOp::RecipExponent, ty, a),
                _ => return None,
            }
        }
    };
    Some((
        c.x0,
        r as u128,
        (PAT1 as u128) << 64 | c.v[0] as u128,
        fpsr,
        c.nzcv,
    ))
}

/// FADD/FSUB/FMUL/FDIV and FMADD on the exact engine alone: (result, fpsr), or None for other words.
fn run_exact(c: &Case) -> Option<(u64, u64)> {
    let ty = if c.word & (1 << 22) != 0 {
        FpTy::D
    } else {
        FpTy::S
    };
    let m = if ty == FpTy::S { 0xffff_ffff } else { u64::MAX };
    let (a, b, cc) = (c.v[0] & m, c.v[1] & m, c.v[2] & m);
    let mut fpsr = 0u64;
    let mut fs = Fpscr {
        fpcr: c.fpcr as u32,
        fpsr: &mut fpsr,
    };
    let r = if c.word & 0xff20_0c00 == 0x1e20_0800 {
        let op = match (c.word >> 12) & 15 {
            0 => FpBinOp::Mul,
            1 => FpBinOp::Div,
            2 => FpBinOp::Add,
            3 => FpBinOp::Sub,
            _ => return None,
        };
        softfp::binop_exact(&mut fs, op, ty, a, b)
    } else if c.word & 0xff20_8000 == 0x1f00_0000 {
        softfp::muladd_exact(&mut fs, ty, cc, a, b)
    } else {
        return None;
    };
    Some((r, fpsr))
}

#[test]
fn scalar_fp_matches_qemu() {
    let data = include_str!("data/fp_scalar.txt");
    let mut section = "";
    let mut failures = Vec::new();
    let mut n = 0;
    for line in data.lines() {
        if let Some(s) = line.strip_prefix("# ") {
            section = s;
            continue;
        }
        let c = parse(line);
        n += 1;
        let want_v1 = c.out_v1.unwrap_or((PAT1 as u128) << 64 | c.v[0] as u128);
        let want: Outcome = (c.out_x0, c.out_v0, want_v1, c.fpsr, c.out_nzcv);
        let got = run_softfp(&c).unwrap_or_else(|| run_insn(&c));
        if got != want {
            failures.push(format!(
                "[{section}] {:08x} {:<28} fpcr={:x} nzcv={:x} x0={:x} x1={:x} v1..3={:x?}\n   want x0={:x} v0={:x} v1={:x} fpsr={:x} nzcv={:x}\n   got  x0={:x} v0={:x} v1={:x} fpsr={:x} nzcv={:x}",
                c.word, disasm(c.word), c.fpcr, c.nzcv, c.x0, c.x1, c.v, want.0, want.1, want.2, want.3, want.4,
                got.0, got.1, got.2, got.3, got.4
            ));
        }
        if let Some((r, fpsr)) = run_exact(&c)
            && (r as u128, fpsr) != (c.out_v0, c.fpsr)
        {
            failures.push(format!(
                "[{section}, exact engine] {:08x} {} fpcr={:x} v1..3={:x?}: want {:x} fpsr={:x}, got {r:x} fpsr={fpsr:x}",
                c.word, disasm(c.word), c.fpcr, c.v, c.out_v0, c.fpsr
            ));
        }
    }
    assert!(n > 50_000, "test data truncated: {n} cases");
    if !failures.is_empty() {
        for f in failures.iter().take(40) {
            eprintln!("{f}");
        }
        panic!("{} of {n} cases differ from qemu", failures.len());
    }
}

/// Random words of the scalar FP class on random register contents and FPCR values (debug build: arithmetic
/// overflow would panic): nothing may panic, and executed words must be ones the decoder accepted.
#[test]
fn random_words_never_panic() {
    let mut x = 0x1234_5678_9abc_def1u64;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let mut buf = vec![0u8; 4096];
    // SAFETY: buf outlives the view.
    let mem = unsafe { GuestMem::new(buf.as_mut_ptr(), 0x10, buf.len() as u64) };
    let specials = [
        0u64,
        1,
        0x7ff0_0000_0000_0000,
        0x7f80_0001,
        0x7c01,
        0x8000_0000_0000_0000,
        u64::MAX,
    ];
    for _ in 0..100_000 {
        // bit 28 = 1, bit 30 = 0, bits 27..25 = 111: the scalar FP class.
        let word = (next() as u32 & !(1 << 30)) | 0x1e00_0000;
        let mut cpu = CpuState {
            fpcr: next() & elfrun_interp::cpu_model::FPCR_WRITABLE,
            nzcv: next() & 0xf000_0000,
            ..CpuState::default()
        };
        for r in 0..32 {
            let pick = |v: u64| {
                if v.is_multiple_of(3) {
                    specials[(v >> 8) as usize % specials.len()]
                } else {
                    v
                }
            };
            cpu.v[r] = (pick(next()) as u128) << 64 | pick(next()) as u128;
            if r < 31 {
                cpu.x[r] = pick(next());
            }
        }
        let insn = decode(word);
        let r = Eval::new(&mut cpu, mem).step(insn, 0x100);
        if r.is_ok() {
            assert!(!matches!(insn, elfrun_interp::Insn::Undefined(_)));
        }
    }
}
