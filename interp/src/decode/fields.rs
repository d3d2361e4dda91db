//! Bit-field helpers for class decoders.

/// Bits `hi..=lo` of `w`.
#[inline(always)]
pub const fn bits(w: u32, hi: u32, lo: u32) -> u32 {
    (w >> lo) & ((1u32 << (hi - lo + 1)) - 1)
}

/// Bit `n` of `w`.
#[inline(always)]
pub const fn bit(w: u32, n: u32) -> bool {
    (w >> n) & 1 != 0
}

/// Register field at bits `lo+4..=lo`.
#[inline(always)]
pub const fn reg(w: u32, lo: u32) -> u8 {
    ((w >> lo) & 31) as u8
}

/// Sign-extends the low `n` bits of `v`.
#[inline(always)]
pub const fn sext(v: u32, n: u32) -> i64 {
    ((v as i64) << (64 - n)) >> (64 - n)
}

/// The ARM ARM's `DecodeBitMasks(N, imms, immr, immediate = true)` for logical immediates, returning the
/// `wmask` replicated to 64 bits, or `None` for reserved encodings.
pub const fn decode_logical_imm(n: u32, imms: u32, immr: u32, sf: bool) -> Option<u64> {
    let combined = (n << 6) | (!imms & 0x3f);
    if combined == 0 {
        return None;
    }
    let len = 31 - combined.leading_zeros();
    if len < 1 || (!sf && n != 0) {
        return None;
    }
    let esize = 1u32 << len;
    let levels = esize - 1;
    let s = imms & levels;
    let r = immr & levels;
    if s == levels {
        return None;
    }
    let welem: u64 = if s + 1 == 64 {
        u64::MAX
    } else {
        (1u64 << (s + 1)) - 1
    };
    let emask: u64 = if esize == 64 {
        u64::MAX
    } else {
        (1u64 << esize) - 1
    };
    let rotated = if r == 0 {
        welem
    } else {
        ((welem >> r) | (welem << (esize - r))) & emask
    };
    let mut out = 0u64;
    let mut i = 0;
    while i < 64 {
        out |= rotated << i;
        i += esize;
    }
    Some(if sf { out } else { out & 0xffff_ffff })
}

/// Every 64-bit logical-immediate mask, indexed by the 13-bit N:immr:imms field (0 for reserved encodings).
/// Computed at compile time so executing AND/ORR/EOR/ANDS (immediate) costs one load.
pub static LOGICAL_IMM_MASKS: [u64; 8192] = {
    let mut t = [0u64; 8192];
    let mut enc = 0;
    while enc < 8192 {
        let e = enc as u32;
        t[enc] = match decode_logical_imm(e >> 12, e & 0x3f, (e >> 6) & 0x3f, true) {
            Some(m) => m,
            None => 0,
        };
        enc += 1;
    }
    t
};

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn logical_imm() {
        // orr w20, w20, #0x4: N=0 immr=30 imms=0
        assert_eq!(decode_logical_imm(0, 0, 30, false), Some(4));
        // and x0, x0, #0xffff: N=1 immr=0 imms=15
        assert_eq!(decode_logical_imm(1, 15, 0, true), Some(0xffff));
        // 0x5555.. : esize 2
        assert_eq!(
            decode_logical_imm(0, 0b111100, 0, true),
            Some(0x5555_5555_5555_5555)
        );
        assert_eq!(decode_logical_imm(1, 63, 0, true), None);
    }
    #[test]
    fn logical_imm_table_matches() {
        for enc in 0..8192u32 {
            let want =
                decode_logical_imm(enc >> 12, enc & 0x3f, (enc >> 6) & 0x3f, true).unwrap_or(0);
            assert_eq!(LOGICAL_IMM_MASKS[enc as usize], want, "enc {enc:#x}");
        }
    }
    #[test]
    fn sext_works() {
        assert_eq!(sext(0x3ff_ffff, 26), -1);
        assert_eq!(sext(0x1ff_ffff, 26), 0x1ff_ffff);
    }
}
