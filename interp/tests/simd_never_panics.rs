//! No AdvSIMD word may panic the decoder or the semantics (debug builds also trap arithmetic overflow): 200,000
//! pseudo-random words over the whole SIMD&FP space, on the register contents of the random-word vectors
//! (`vectors/simd_random_qemu.vec`, whose expected states `difftest`'s `checked_in_vectors` checks).

#[allow(dead_code)]
#[path = "difftest/vector.rs"]
mod vector;

use elfrun_interp::{CpuState, Eval, GuestMem, decode};

/// Runs one instruction on `input`; the outcome does not matter, only that it returns.
fn run(word: u32, input: &vector::Regs) {
    let mut cpu = CpuState {
        x: input.x,
        sp: input.sp,
        nzcv: input.nzcv,
        fpcr: input.fpcr,
        fpsr: input.fpsr,
        v: input.v,
        pc: 0x1000,
        ..CpuState::default()
    };
    let mut page = vec![0u8; 0x2000];
    page[0x1000..0x1004].copy_from_slice(&word.to_le_bytes());
    // SAFETY: `page` outlives `mem`, which is only used inside this function.
    let mem = unsafe { GuestMem::new(page.as_mut_ptr(), 0x1000, page.len() as u64) };
    let mut ev = Eval::new(&mut cpu, mem);
    let _ = ev.step(decode(word), 0x1000);
}

#[test]
fn random_words_never_panic() {
    let text = include_str!("vectors/simd_random_qemu.vec");
    let mut sets: Vec<vector::Regs> = Vec::new();
    for v in vector::parse(text).expect("simd_random_qemu.vec") {
        if !sets.contains(&v.input) {
            sets.push(v.input);
        }
    }
    assert!(sets.len() >= 8, "{} input sets", sets.len());
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    for i in 0..200_000 {
        let word = (next() as u32 & !(0xf << 25)) | (0b0111 << 25);
        run(word, &sets[i % sets.len()]);
    }
}
