//! Shared test helpers: a seeded PRNG, random profiles, and re-sealing a modified encoding.
#![allow(dead_code)]

use elfrun_profiles::{CHECKSUM_LEN, IndirectKind, IndirectSite, Profile};

/// SplitMix64 (Steele, Lea, Flood 2014): small, seedable, good enough for test inputs.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in 0..n (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    /// A count: usually small, sometimes near u64::MAX so saturation is exercised.
    pub fn count(&mut self) -> u64 {
        match self.below(16) {
            0 => u64::MAX - self.below(4),
            1 => 0,
            _ => self.below(1000),
        }
    }

    /// A pc from a small pool (so random profiles overlap) or anywhere in the address space.
    pub fn pc(&mut self) -> u64 {
        if self.below(8) == 0 {
            self.next_u64()
        } else {
            0x40_0000 + 4 * self.below(64)
        }
    }
}

pub const HASH: [u8; 32] = [0x5a; 32];
pub const VERSION: &str = "0.1.0-test";

/// A random profile of binary [`HASH`] recorded by [`VERSION`], with up to `size` entries per map.
pub fn random_profile(rng: &mut Rng, size: u64) -> Profile {
    let mut p = Profile::new(HASH, VERSION);
    p.runs = rng.below(10);
    p.instructions_executed = rng.count();
    for _ in 0..rng.below(size + 1) {
        let (pc, len, n) = (rng.pc(), 1 + rng.below(40) as u32, rng.count());
        p.record_block(pc, len, n);
    }
    for _ in 0..rng.below(size + 1) {
        let (pc, n) = (rng.pc(), rng.count());
        p.record_call(pc, n);
    }
    for _ in 0..rng.below(size + 1) {
        let kind = [
            IndirectKind::Br,
            IndirectKind::Blr,
            IndirectKind::RetNotToCaller,
        ][rng.below(3) as usize];
        let site = IndirectSite { pc: rng.pc(), kind };
        for _ in 0..1 + rng.below(4) {
            let (pc, n) = (rng.pc(), rng.count());
            p.record_indirect(site, pc, n);
        }
    }
    for _ in 0..rng.below(size + 1) {
        let (pc, n) = (rng.pc(), rng.count());
        p.record_aot_miss(pc, n);
    }
    p
}

/// Replace the trailing checksum of `bytes` with the BLAKE3 hash of everything before it, so a deliberately
/// modified profile gets past the checksum to the structural checks.
pub fn reseal(bytes: &mut [u8]) {
    let body = bytes.len() - CHECKSUM_LEN;
    let sum: [u8; 32] = *blake3::hash(&bytes[..body]).as_bytes();
    bytes[body..].copy_from_slice(&sum);
}

/// Build a profile body from parts, fixing up the total length and appending a valid checksum.
pub fn seal(mut body: Vec<u8>) -> Vec<u8> {
    let total = (body.len() + CHECKSUM_LEN) as u64;
    body[12..20].copy_from_slice(&total.to_le_bytes());
    body.extend_from_slice(&[0; CHECKSUM_LEN]);
    reseal(&mut body);
    body
}
