//! Scalar floating point beyond the vector replay: the exact softfp engine alone against qemu's results, and random
//! words of the class never panicking. qemu's expected states for the scalar FP edge grids (made by
//! `data/fpgen/gen.sh`) are the test vectors `vectors/fp_scalar_*.vec`, run through `decode` + `Eval` by
//! `difftest`'s `checked_in_vectors`; here the FADD/FSUB/FMUL/FDIV and FMADD cases among them are also run on
//! the exact engine (`binop_exact`, `muladd_exact`), so the fast paths and the reference path are both held to
//! qemu. `ELFRUN_VECTOR_FILE=OUT.vec` (from `data/fpgen/gen.sh --all OUT.vec`) runs it on every fpgen run.

#[allow(dead_code)]
#[path = "difftest/vector.rs"]
mod vector;

use elfrun_interp::sem::{FpBinOp, FpTy};
use elfrun_interp::softfp::{self, Fpscr};
use elfrun_interp::{CpuState, Eval, GuestMem, decode, disasm};

/// FADD/FSUB/FMUL/FDIV and FMADD of `word` on the exact engine alone, operands from v1..v3 of `input`:
/// (result, fpsr), or None for other words.
fn run_exact(word: u32, input: &vector::Regs) -> Option<(u64, u64)> {
    let ty = if word & (1 << 22) != 0 {
        FpTy::D
    } else {
        FpTy::S
    };
    let m = if ty == FpTy::S { 0xffff_ffff } else { u64::MAX };
    let [a, b, cc] = [1, 2, 3].map(|i| input.v[i] as u64 & m);
    let mut fpsr = 0u64;
    let mut fs = Fpscr {
        fpcr: input.fpcr as u32,
        fpsr: &mut fpsr,
    };
    let r = if word & 0xff20_0c00 == 0x1e20_0800 {
        let op = match (word >> 12) & 15 {
            0 => FpBinOp::Mul,
            1 => FpBinOp::Div,
            2 => FpBinOp::Add,
            3 => FpBinOp::Sub,
            _ => return None,
        };
        softfp::binop_exact(&mut fs, op, ty, a, b)
    } else if word & 0xff20_8000 == 0x1f00_0000 {
        softfp::muladd_exact(&mut fs, ty, cc, a, b)
    } else {
        return None;
    };
    Some((r, fpsr))
}

#[test]
fn exact_engine_matches_qemu() {
    let mut files = vec![
        include_str!("vectors/fp_scalar_dp2.vec").to_string(),
        include_str!("vectors/fp_scalar_dp3.vec").to_string(),
        include_str!("vectors/fp_scalar_random.vec").to_string(),
        include_str!("vectors/fp_scalar_double_rounding.vec").to_string(),
    ];
    // Every fpgen run (`data/fpgen/gen.sh --all OUT.vec`) instead of the checked-in subset.
    let min = if let Some(path) = std::env::var_os("ELFRUN_VECTOR_FILE") {
        files = vec![std::fs::read_to_string(path).expect("ELFRUN_VECTOR_FILE")];
        1
    } else {
        5_000
    };
    let mut failures = Vec::new();
    let mut n = 0;
    for text in &files {
        for v in vector::parse(text).expect("fp_scalar vectors") {
            let word = v.words[0];
            let Some((r, fpsr)) = run_exact(word, &v.input) else {
                continue;
            };
            n += 1;
            if (r as u128, fpsr) != (v.output.v[0], v.output.fpsr) {
                failures.push(format!(
                    "{} {word:08x} {} fpcr={:x} v1..3={:x?}: want {:x} fpsr={:x}, got {r:x} fpsr={fpsr:x}",
                    v.name,
                    disasm(word),
                    v.input.fpcr,
                    &v.input.v[1..4],
                    v.output.v[0],
                    v.output.fpsr
                ));
            }
        }
    }
    println!("{n} cases on the exact engine");
    assert!(n >= min, "test data truncated: {n} cases");
    assert!(
        failures.is_empty(),
        "{} of {n} cases differ from qemu:\n{}",
        failures.len(),
        failures[..failures.len().min(40)].join("\n")
    );
}

/// The same qemu-checked edge cases through `Eval` with FPSR.IXC already set on entry, as it is in nearly every
/// running program: the softfp fast paths then take their cheap forms (host arithmetic, no exactness test),
/// which must give qemu's result and qemu's flags plus the sticky IXC.
#[test]
fn cheap_paths_with_ixc_set_match_qemu() {
    const IXC: u64 = 1 << 4;
    let files = [
        include_str!("vectors/fp_scalar_dp2.vec"),
        include_str!("vectors/fp_scalar_dp3.vec"),
        include_str!("vectors/fp_scalar_random.vec"),
        include_str!("vectors/fp_scalar_double_rounding.vec"),
    ];
    let mut buf = vec![0u8; 4096];
    // SAFETY: buf outlives the view.
    let mem = unsafe { GuestMem::new(buf.as_mut_ptr(), 0x10, buf.len() as u64) };
    let (mut n, mut failures) = (0, Vec::new());
    for text in files {
        for v in vector::parse(text).expect("fp_scalar vectors") {
            let word = v.words[0];
            // FADD/FSUB/FMUL/FDIV and FMADD/FMSUB/FNMADD/FNMSUB, single and double.
            let dp2 = word & 0xff20_0c00 == 0x1e20_0800 && (word >> 12) & 15 < 4;
            let dp3 = word & 0xff20_0000 == 0x1f00_0000;
            if !(dp2 || dp3) || word & (1 << 23) != 0 {
                continue;
            }
            let mut cpu = CpuState {
                x: v.input.x,
                sp: v.input.sp,
                nzcv: v.input.nzcv,
                fpcr: v.input.fpcr,
                fpsr: v.input.fpsr | IXC,
                v: v.input.v,
                ..CpuState::default()
            };
            Eval::new(&mut cpu, mem)
                .step(decode(word), 0x100)
                .expect("scalar FP arithmetic does not exit");
            n += 1;
            let want = (v.output.v[0], v.output.fpsr | IXC);
            if (cpu.v[0], cpu.fpsr) != want {
                failures.push(format!(
                    "{} {word:08x} {} fpcr={:x} v1..3={:x?}: want {:x} fpsr={:x}, got {:x} fpsr={:x}",
                    v.name,
                    disasm(word),
                    v.input.fpcr,
                    &v.input.v[1..4],
                    want.0,
                    want.1,
                    cpu.v[0],
                    cpu.fpsr
                ));
            }
        }
    }
    println!("{n} cases with IXC set");
    assert!(n >= 5_000, "test data truncated: {n} cases");
    assert!(
        failures.is_empty(),
        "{} of {n} cases differ from qemu:\n{}",
        failures.len(),
        failures[..failures.len().min(40)].join("\n")
    );
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
