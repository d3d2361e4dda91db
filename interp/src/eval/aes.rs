//! AES round pieces for `Eval`'s [`Sem::aes_sub_shift`](crate::Sem::aes_sub_shift) and
//! [`Sem::aes_mix_columns`](crate::Sem::aes_mix_columns), as defined in FIPS-197 and used by the ARM ARM's
//! AESE/AESD/AESMC/AESIMC. The S-boxes are computed at compile time from their definition (multiplicative
//! inverse in GF(2^8) followed by the affine map), not typed in.

/// Multiplication in GF(2^8) modulo x^8 + x^4 + x^3 + x + 1.
const fn gmul(mut a: u8, mut b: u8) -> u8 {
    let mut p = 0u8;
    while b != 0 {
        if b & 1 != 0 {
            p ^= a;
        }
        let hi = a & 0x80;
        a <<= 1;
        if hi != 0 {
            a ^= 0x1b;
        }
        b >>= 1;
    }
    p
}

const fn sbox() -> [u8; 256] {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        // Inverse as a^254 (0 maps to 0).
        let a = i as u8;
        let mut inv = 1u8;
        let mut k = 0;
        while k < 254 {
            inv = gmul(inv, a);
            k += 1;
        }
        let b = if i == 0 { 0 } else { inv };
        t[i] = b ^ b.rotate_left(1) ^ b.rotate_left(2) ^ b.rotate_left(3) ^ b.rotate_left(4) ^ 0x63;
        i += 1;
    }
    t
}

const fn invert(s: &[u8; 256]) -> [u8; 256] {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        t[s[i] as usize] = i as u8;
        i += 1;
    }
    t
}

static SBOX: [u8; 256] = sbox();
static INV_SBOX: [u8; 256] = invert(&SBOX);

/// (Inv)ShiftRows then (Inv)SubBytes; byte `4·c + r` of `q` is row r of column c.
pub(super) fn sub_shift(q: u128, inverse: bool) -> u128 {
    let b = q.to_le_bytes();
    let mut out = [0u8; 16];
    for c in 0..4 {
        for r in 0..4 {
            let from = if inverse {
                (c + 4 - r) % 4
            } else {
                (c + r) % 4
            };
            let x = b[4 * from + r];
            out[4 * c + r] = if inverse {
                INV_SBOX[x as usize]
            } else {
                SBOX[x as usize]
            };
        }
    }
    u128::from_le_bytes(out)
}

/// (Inv)MixColumns.
pub(super) fn mix_columns(q: u128, inverse: bool) -> u128 {
    let b = q.to_le_bytes();
    let m: [u8; 4] = if inverse {
        [14, 11, 13, 9]
    } else {
        [2, 3, 1, 1]
    };
    let mut out = [0u8; 16];
    for c in 0..4 {
        for r in 0..4 {
            let mut acc = 0u8;
            for k in 0..4 {
                acc ^= gmul(m[(k + 4 - r) % 4], b[4 * c + k]);
            }
            out[4 * c + r] = acc;
        }
    }
    u128::from_le_bytes(out)
}
