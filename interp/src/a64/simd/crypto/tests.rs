//! Crypto tests: the allocation of the three encoding spaces under qemu-aarch64 and the AES-128 round keys
//! (`interp/tests/data/crypto_alloc.txt`, see the README there), and whole-algorithm runs against the
//! published FIPS-197 (AES-128) and FIPS-180 (SHA-1, SHA-256) examples, executing the instruction words
//! through `Eval`. Each instruction's results are checked against qemu by the test vectors
//! `interp/tests/vectors/crypto_qemu.vec`.

use alloc::vec;
use alloc::vec::Vec;

use super::Crypto;
use crate::decode::decode;
use crate::eval::{Eval, Exit};
use crate::mem::GuestMem;
use crate::state::CpuState;

const VECTORS: &str = include_str!("../../../../tests/data/crypto_alloc.txt");

fn step(cpu: &mut CpuState, word: u32) -> Result<u64, Exit> {
    let mut backing = vec![0u8; 0x2000];
    backing[0x1000..0x1004].copy_from_slice(&word.to_le_bytes());
    // SAFETY: `backing` outlives `ev`, which is dropped at the end of this function.
    let mem = unsafe { GuestMem::new(backing.as_mut_ptr(), 0x1000, backing.len() as u64) };
    cpu.pc = 0x1000;
    let mut ev = Eval::new(cpu, mem);
    ev.step(decode(word), 0x1000)
}

/// Runs `word` and checks it completed.
fn exec(cpu: &mut CpuState, word: u32) {
    assert_eq!(step(cpu, word), Ok(0x1004), "{word:08x}");
}

fn hex128(s: &str) -> u128 {
    u128::from_str_radix(s, 16).unwrap_or_else(|_| panic!("bad hex {s:?}"))
}

#[test]
fn allocation_matches_qemu() {
    let mut n = 0;
    for line in VECTORS.lines().filter(|l| l.starts_with("alloc ")) {
        let f: Vec<&str> = line.split(' ').collect();
        let word = u32::from_str_radix(f[1], 16).unwrap();
        assert_eq!(Crypto::decode(word).is_some(), f[2] == "1", "{line}");
        n += 1;
    }
    assert_eq!(n, 320);
}

const AESE: u32 = 0x4e28_4800;
const AESD: u32 = 0x4e28_5800;
const AESMC: u32 = 0x4e28_6800;
const AESIMC: u32 = 0x4e28_7800;

fn rd_rn(op: u32, d: u32, n: u32) -> u32 {
    op | n << 5 | d
}

fn rd_rn_rm(op: u32, d: u32, n: u32, m: u32) -> u32 {
    op | m << 16 | n << 5 | d
}

/// FIPS-197 appendix C.1: AES-128 of 00112233…ff under key 00010203…0f is 69c4e0d8…c55a; then back again.
/// Round keys: printed by `gen_crypto` (key expansion, checked by qemu to give the published ciphertext).
#[test]
fn aes128_fips197() {
    let line = VECTORS
        .lines()
        .find(|l| l.starts_with("aes_round_keys "))
        .unwrap();
    let rk: Vec<u128> = line.split(' ').skip(1).map(hex128).collect();
    assert_eq!(rk.len(), 11);
    let pt = u128::from_le_bytes(core::array::from_fn(|i| i as u8 * 0x11));
    let ct = u128::from_le_bytes([
        0x69, 0xc4, 0xe0, 0xd8, 0x6a, 0x7b, 0x04, 0x30, 0xd8, 0xcd, 0xb7, 0x80, 0x70, 0xb4, 0xc5,
        0x5a,
    ]);
    let mut cpu = CpuState::default();
    cpu.v[0] = pt;
    for (r, &k) in rk.iter().enumerate().take(10) {
        cpu.v[1] = k;
        exec(&mut cpu, rd_rn(AESE, 0, 1));
        if r < 9 {
            exec(&mut cpu, rd_rn(AESMC, 0, 0));
        }
    }
    assert_eq!(cpu.v[0] ^ rk[10], ct, "encrypt");
    // Equivalent inverse cipher: AESIMC(x ^ k) = AESIMC(x) ^ AESIMC(k).
    cpu.v[0] = ct;
    cpu.v[1] = rk[10];
    exec(&mut cpu, rd_rn(AESD, 0, 1));
    for &k in rk[1..10].iter().rev() {
        cpu.v[2] = k;
        exec(&mut cpu, rd_rn(AESIMC, 1, 2));
        exec(&mut cpu, rd_rn(AESIMC, 0, 0));
        exec(&mut cpu, rd_rn(AESD, 0, 1));
    }
    assert_eq!(cpu.v[0] ^ rk[0], pt, "decrypt");
}

fn q32(w: [u32; 4]) -> u128 {
    w.iter().rev().fold(0u128, |acc, &x| acc << 32 | x as u128)
}

fn lanes32(q: u128) -> [u32; 4] {
    core::array::from_fn(|i| (q >> (32 * i)) as u32)
}

fn add32x4(a: u128, b: u128) -> u128 {
    let (a, b) = (lanes32(a), lanes32(b));
    q32(core::array::from_fn(|i| a[i].wrapping_add(b[i])))
}

/// The padded one-block message "abc" as big-endian words (FIPS-180 section 5.1.1).
fn abc_block() -> [u128; 4] {
    let mut m = [0u32; 16];
    m[0] = 0x6162_6380;
    m[15] = 24;
    core::array::from_fn(|i| q32([m[4 * i], m[4 * i + 1], m[4 * i + 2], m[4 * i + 3]]))
}

/// FIPS-180 example: SHA-256("abc") = ba7816bf…f20015ad, with SHA256H/H2/SU0/SU1.
#[test]
fn sha256_fips180_abc() {
    const K: [u32; 64] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
        0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
        0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
        0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
        0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
        0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
        0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
        0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
        0xc67178f2,
    ];
    let h0 = q32([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a]);
    let h1 = q32([0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
    // v0 = abcd, v1 = efgh, v2 = abcd before the round, v3 = schedule + K, v4..v7 = schedule.
    let mut cpu = CpuState::default();
    cpu.v[0] = h0;
    cpu.v[1] = h1;
    cpu.v[4..8].copy_from_slice(&abc_block());
    for t in 0..16u32 {
        let s = |k: u32| 4 + (t + k) % 4;
        if t >= 4 {
            exec(&mut cpu, rd_rn(0x5e28_2800, s(0), s(1))); // sha256su0
            exec(&mut cpu, rd_rn_rm(0x5e00_6000, s(0), s(2), s(3))); // sha256su1
        }
        let k = t as usize * 4;
        cpu.v[3] = add32x4(
            cpu.v[s(0) as usize],
            q32([K[k], K[k + 1], K[k + 2], K[k + 3]]),
        );
        cpu.v[2] = cpu.v[0];
        exec(&mut cpu, rd_rn_rm(0x5e00_4000, 0, 1, 3)); // sha256h q0, q1, v3
        exec(&mut cpu, rd_rn_rm(0x5e00_5000, 1, 2, 3)); // sha256h2 q1, q2, v3
    }
    let abcd = lanes32(add32x4(cpu.v[0], h0));
    let efgh = lanes32(add32x4(cpu.v[1], h1));
    assert_eq!(abcd, [0xba7816bf, 0x8f01cfea, 0x414140de, 0x5dae2223]);
    assert_eq!(efgh, [0xb00361a3, 0x96177a9c, 0xb410ff61, 0xf20015ad]);
}

/// FIPS-180 example: SHA-1("abc") = a9993e36…9cd0d89d, with SHA1C/P/M/H/SU0/SU1.
#[test]
fn sha1_fips180_abc() {
    const K: [u32; 4] = [0x5a827999, 0x6ed9eba1, 0x8f1bbcdc, 0xca62c1d6];
    const H: [u32; 5] = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0];
    // v0 = abcd, v1 = e (lane 0), v2 = next e, v3 = schedule + K, v4..v7 = schedule.
    let mut cpu = CpuState::default();
    cpu.v[0] = q32([H[0], H[1], H[2], H[3]]);
    cpu.v[1] = H[4] as u128;
    cpu.v[4..8].copy_from_slice(&abc_block());
    for t in 0..20u32 {
        let s = |k: u32| 4 + (t + k) % 4;
        if t >= 4 {
            exec(&mut cpu, rd_rn_rm(0x5e00_3000, s(0), s(1), s(2))); // sha1su0
            exec(&mut cpu, rd_rn(0x5e28_1800, s(0), s(3))); // sha1su1
        }
        let k = K[t as usize / 5];
        cpu.v[3] = add32x4(cpu.v[s(0) as usize], q32([k; 4]));
        exec(&mut cpu, rd_rn(0x5e28_0800, 2, 0)); // sha1h s2, s0
        let op = match t {
            0..5 => 0x5e00_0000,   // sha1c
            10..15 => 0x5e00_2000, // sha1m
            _ => 0x5e00_1000,      // sha1p
        };
        exec(&mut cpu, rd_rn_rm(op, 0, 1, 3));
        cpu.v[1] = cpu.v[2];
    }
    let abcd = lanes32(add32x4(cpu.v[0], q32([H[0], H[1], H[2], H[3]])));
    let e = (cpu.v[1] as u32).wrapping_add(H[4]);
    assert_eq!(abcd, [0xa9993e36, 0x4706816a, 0xba3e2571, 0x7850c26c]);
    assert_eq!(e, 0x9cd0d89d);
}
