//! A tiny deterministic PRNG (SplitMix64) so every run with the same seed generates the same cases, on every
//! host, without a `rand` dependency. The scratch-memory seed of a test vector is expanded with it too, so the
//! vector format depends on this exact algorithm (documented in docs/testing.md).

/// SplitMix64 (Steele, Lea, Flood 2014): `state += 0x9e3779b97f4a7c15`, then the murmur3-style finaliser.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    pub fn next_u32(&mut self) -> u32 {
        (self.next_u64() >> 32) as u32
    }

    /// Uniform in `0..n` (n > 0; the modulo bias is irrelevant here).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1) as u64) as i64
    }

    pub fn chance(&mut self, num: u64, den: u64) -> bool {
        self.below(den) < num
    }

    pub fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len() as u64) as usize]
    }

    /// A 64-bit value biased towards edge cases: zero, all ones, sign boundaries, small numbers, single bits.
    pub fn edgy_u64(&mut self) -> u64 {
        match self.below(16) {
            0 => 0,
            1 => u64::MAX,
            2 => 1u64 << 63,
            3 => (1u64 << 63) - 1,
            4 => 0x8000_0000,
            5 => 0x7fff_ffff,
            6 => 0xffff_ffff,
            7 => self.below(256),
            8 => self.below(256).wrapping_neg(),
            9 => 1u64 << self.below(64),
            10 => self.next_u64() & 0xffff_ffff,
            11 => self.next_u32() as i32 as i64 as u64,
            _ => self.next_u64(),
        }
    }

    /// Fills `out` with the byte stream of this generator (little-endian u64s).
    pub fn fill(&mut self, out: &mut [u8]) {
        for chunk in out.chunks_mut(8) {
            let v = self.next_u64().to_le_bytes();
            chunk.copy_from_slice(&v[..chunk.len()]);
        }
    }
}

/// The scratch memory a vector's `scratch` line describes: `len` bytes of SplitMix64 output from `seed`.
pub fn scratch_bytes(seed: u64, len: usize) -> Vec<u8> {
    let mut v = vec![0u8; len];
    Rng::new(seed).fill(&mut v);
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix_reference_values() {
        // First outputs of SplitMix64 seeded with 0 (reference implementation by Vigna, splitmix64.c).
        let mut r = Rng::new(0);
        assert_eq!(r.next_u64(), 0xe220_a839_7b1d_cdaf);
        assert_eq!(r.next_u64(), 0x6e78_9e6a_a1b9_65f4);
    }
}
