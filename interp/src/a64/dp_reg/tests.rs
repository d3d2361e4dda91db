//! DP-register decoding: the allocation map of the whole class swept under qemu-aarch64
//! (`interp/tests/data/dp_reg_allocated.txt`, see the README there) and unallocated encodings named by the
//! ARM ARM. The semantics are checked against qemu by the test vectors `interp/tests/vectors/dp_reg_qemu.vec`
//! (edge operands for every sub-class) and `difftest`'s random `dp_reg` group.

use alloc::vec;
use alloc::vec::Vec;

use super::DpReg;
use crate::decode::decode;
use crate::eval::{Eval, Exit};
use crate::mem::GuestMem;
use crate::state::CpuState;

const ALLOCATED: &str = include_str!("../../../tests/data/dp_reg_allocated.txt");

/// Executes `word` at pc 0x1000 over `cpu` through the decoder and `Eval::step`.
fn step(cpu: &mut CpuState, word: u32) -> Result<u64, Exit> {
    let mut backing = vec![0u8; 0x2000];
    backing[0x1000..0x1004].copy_from_slice(&word.to_le_bytes());
    // SAFETY: `backing` outlives `ev`, which is dropped at the end of this function.
    let mem = unsafe { GuestMem::new(backing.as_mut_ptr(), 0x1000, backing.len() as u64) };
    cpu.pc = 0x1000;
    let mut ev = Eval::new(cpu, mem);
    ev.step(decode(word), 0x1000)
}

fn hex(s: &str) -> u64 {
    u64::from_str_radix(s, 16).unwrap_or_else(|_| panic!("bad hex {s:?}"))
}

/// Word `j` of sweep group `hi`, exactly as `sweep_word()` in `gen_dp_reg.c` builds it.
fn sweep_word(hi: u32, j: u32) -> u32 {
    const F2016: [u32; 4] = [0, 1, 2, 31];
    let w = hi << 21
        | (j & 63) << 10
        | F2016[((j >> 6) & 3) as usize] << 16
        | ((j >> 8) & 1) << 4
        | 1 << 5;
    (w & !(7 << 25)) | (5 << 25)
}

/// The decoder accepts exactly the words qemu (`-cpu cortex-a57`: no FlagM, PAuth, CSSC or MTE, like elfrun's
/// advertised feature set) executes, over 2^20 words covering every opcode field of the class.
#[test]
fn allocation_matches_qemu_sweep() {
    let mut patterns: Vec<[u64; 8]> = Vec::new();
    let mut by_hi = [None; 2048];
    for line in ALLOCATED.lines() {
        let f: Vec<&str> = line.split(' ').collect();
        match f[0] {
            "pattern" => {
                assert_eq!(f[1].parse::<usize>().unwrap(), patterns.len());
                let mut p = [0u64; 8];
                for (k, chunk) in f[2].as_bytes().chunks(16).enumerate() {
                    p[7 - k] = hex(core::str::from_utf8(chunk).unwrap());
                }
                patterns.push(p);
            }
            "hi" => by_hi[hex(f[1]) as usize] = Some(f[2].parse::<usize>().unwrap()),
            _ => panic!("bad line {line:?}"),
        }
    }
    assert!(patterns.len() > 5);
    let mut mismatches = Vec::new();
    for (hi, id) in by_hi.iter().enumerate() {
        for j in 0..512u32 {
            let qemu = id.is_some_and(|id| patterns[id][(j / 64) as usize] >> (j % 64) & 1 != 0);
            let w = sweep_word(hi as u32, j);
            let ours = DpReg::decode(w).is_some();
            if ours != qemu {
                mismatches.push((w, qemu));
            }
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} mismatches, first: {:08x?}",
        mismatches.len(),
        &mismatches[..mismatches.len().min(20)]
    );
}

/// Unallocated or unsupported encodings named by the ARM ARM (C4.1.90) raise SIGILL.
#[test]
fn unallocated_words_are_undefined() {
    // Each also raises SIGILL under qemu-aarch64 -cpu cortex-a57.
    let words = [
        0x0a02_8020, // and w0, w1, w2, lsl #32: imm6 >= 32 with sf = 0
        0x8bc2_0020, // add x0, x1, x2, ror #0: ROR is unallocated for add/subtract
        0x0b02_8020, // add w0, w1, w2, lsl #32
        0x8b22_f420, // add x0, x1, x2, sxtx #5: imm3 > 4
        0x8b62_0020, // add (extended) with opt = 01
        0x9a02_0420, // adc with op3 = 000001
        0xba00_0420, // rmif x1, #0, #0 (FlagM)
        0x3a00_082d, // setf8 w1 (FlagM)
        0x3a00_482d, // setf16 w1 (FlagM)
        0x1a42_0020, // ccmn with S = 0
        0x3a42_0420, // ccmn with o2 = 1
        0x3a42_0030, // ccmn with o3 = 1
        0x1a82_0820, // csel with op2 = 10
        0x3a82_0020, // csel with S = 1
        0x5ac0_0c20, // rev with sf = 0 and opc = 3
        0xdac1_0020, // pacia x0, x1 (PAuth)
        0xdac0_1820, // ctz x0, x1 (CSSC)
        0xdac0_1c20, // cnt x0, x1 (CSSC)
        0xdac0_2020, // abs x0, x1 (CSSC)
        0x7ac0_0020, // 1-source with S = 1
        0x9ac2_3020, // pacga x0, x1, x2 (PAuth)
        0x9ac2_6020, // smax x0, x1, x2 (CSSC)
        0x9ac2_1020, // irg x0, x1, x2 (MTE)
        0x9ac2_1420, // gmi x0, x1, x2 (MTE)
        0x9ac2_0020, // subp x0, x1, x2 (MTE)
        0xbac2_0020, // subps x0, x1, x2 (MTE)
        0x1ac2_0020, // 2-source opcode 000000 with sf = 0
        0x1ac2_4c20, // crc32x with sf = 0
        0x9ac2_4020, // crc32b with sf = 1
        0x9ac2_5820, // crc32cw with sf = 1
        0x1b22_0c20, // smaddl with sf = 0
        0x9b42_fc20, // smulh with o0 = 1
        0x9bc2_fc20, // umulh with o0 = 1
        0x9b62_0c20, // 3-source op31 = 011
        0x9be2_0c20, // 3-source op31 = 111
        0xbb02_0c20, // 3-source with op54 = 01
        0x1a22_0020, // op1 = 1, op2 = 0001
        0x1ae2_0020, // op1 = 1, op2 = 0111
    ];
    for w in words {
        assert_eq!(DpReg::decode(w), None, "{w:08x}");
        let mut cpu = CpuState::default();
        assert_eq!(
            step(&mut cpu, w),
            Err(Exit::Undefined { word: w }),
            "{w:08x}"
        );
    }
}
