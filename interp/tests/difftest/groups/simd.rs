//! Advanced SIMD (ARM ARM C4.1.91–C4.1.92) and the advertised crypto extensions (AES, SHA1, SHA256, PMULL):
//! vector three-same / three-different / two-register misc / across lanes / copy / modified immediate / shift by
//! immediate / permute / EXT / TBL / indexed element, and the scalar forms most compilers emit. Field rules
//! follow the ARM ARM's "reserved" and "unallocated" rows; FP16, dot product, RDM, FHM, complex numbers,
//! SHA3/SHA512/SM3/SM4, BF16 and I8MM are not advertised and are never generated.

use crate::encoding::{Enc, Fields, Roles, any, enc};
use crate::prng::Rng;

type R = bool;

fn q(f: &Fields) -> u32 {
    f.get('q')
}

/// size = 11 is only allowed with Q = 1 (the `.2d` arrangement).
fn d2(f: &Fields) -> R {
    f.get('s') != 3 || q(f) == 1
}

fn three_same(f: &mut Fields, _: &mut Rng, _: &mut Roles) -> R {
    let (op, u, size) = (f.get('o'), f.get('u'), f.get('s'));
    match op {
        0x03 => true,
        0x01 | 0x05..=0x0b | 0x10 | 0x11 => d2(f),
        0x00 | 0x02 | 0x04 | 0x0c..=0x0f | 0x12 | 0x14 | 0x15 => size != 3,
        0x13 => {
            if u == 0 {
                size != 3
            } else {
                size == 0
            }
        }
        0x16 => size == 1 || size == 2,
        0x17 => u == 0 && d2(f),
        _ => false,
    }
}

/// FP three-same: `a` (bit 23) extends the opcode, `z` (bit 22) is the element size.
fn three_same_fp(f: &mut Fields, _: &mut Rng, _: &mut Roles) -> R {
    let (op, u, a) = (f.get('o'), f.get('u'), f.get('a'));
    if f.get('z') == 1 && q(f) == 0 {
        return false;
    }
    match (u, a, op) {
        (_, _, 0b000) | (_, _, 0b010) | (_, _, 0b110) => true, // FMAX/MINNM(P), FADD/FSUB/FADDP/FABD, FMAX/MIN(P)
        (0, _, 0b001) => true,                                 // FMLA/FMLS
        (0, 0, 0b011) | (0, 0, 0b100) | (0, _, 0b111) => true, // FMULX, FCMEQ, FRECPS/FRSQRTS
        (1, 0, 0b011) | (1, _, 0b100) | (1, _, 0b101) => true, // FMUL, FCMGE/FCMGT, FACGE/FACGT
        (1, 0, 0b111) => true,                                 // FDIV
        _ => false,
    }
}

fn two_misc(f: &mut Fields, _: &mut Rng, _: &mut Roles) -> R {
    let (op, u, size) = (f.get('o'), f.get('u'), f.get('s'));
    match (u, op) {
        (0, 0b00000) => size != 3,                           // REV64
        (1, 0b00000) => size < 2,                            // REV32
        (0, 0b00001) => size == 0,                           // REV16
        (_, 0b00010) | (_, 0b00110) => size != 3,            // SADDLP/UADDLP, SADALP/UADALP
        (_, 0b00011) | (_, 0b00111) => d2(f),                // SUQADD/USQADD, SQABS/SQNEG
        (_, 0b00100) => size != 3,                           // CLS/CLZ
        (0, 0b00101) => size == 0,                           // CNT
        (1, 0b00101) => size < 2,                            // NOT, RBIT
        (_, 0b01000) | (_, 0b01001) | (_, 0b01011) => d2(f), // CMGT/CMGE/CMEQ/CMLE #0, ABS/NEG
        (0, 0b01010) => d2(f),                               // CMLT #0
        (_, 0b10010) | (_, 0b10100) => size != 3,            // XTN/SQXTUN, SQXTN/UQXTN
        (1, 0b10011) => size != 3,                           // SHLL
        _ => false,
    }
}

/// FP two-register misc: `a` (bit 23) extends the opcode, `z` (bit 22) is the element size.
fn two_misc_fp(f: &mut Fields, _: &mut Rng, _: &mut Roles) -> R {
    let (op, u, a, z) = (f.get('o'), f.get('u'), f.get('a'), f.get('z'));
    let q1 = z == 0 || q(f) == 1;
    match (u, a, op) {
        (0, 0, 0b10110) | (0, 0, 0b10111) => true, // FCVTN, FCVTL (z: S<->D vs H<->S)
        (1, 0, 0b10110) => z == 1,                 // FCVTXN
        (_, _, 0b11000) | (_, _, 0b11001) => q1 && !(u == 1 && a == 1 && op == 0b11000), // FRINT*
        (_, _, 0b11010) | (_, _, 0b11011) => q1,   // FCVT{N,M,P,Z}{S,U}
        (_, 0, 0b11100) | (_, 0, 0b11101) => q1,   // FCVTA{S,U}, {S,U}CVTF
        (_, 1, 0b01100) | (_, 1, 0b01101) => q1,   // FCMGT/FCMGE/FCMEQ/FCMLE #0
        (0, 1, 0b01110) | (_, 1, 0b01111) => q1,   // FCMLT #0, FABS/FNEG
        (_, 1, 0b11101) => q1,                     // FRECPE/FRSQRTE
        (1, 1, 0b11111) => q1,                     // FSQRT
        (0, 1, 0b11100) | (1, 1, 0b11100) => z == 0, // URECPE/URSQRTE (.2s/.4s)
        _ => false,
    }
}

fn across(f: &mut Fields, _: &mut Rng, _: &mut Roles) -> R {
    let (op, u, size) = (f.get('o'), f.get('u'), f.get('s'));
    let sized = size < 2 || (size == 2 && q(f) == 1);
    match (u, op) {
        (_, 0b00011) | (_, 0b01010) | (_, 0b11010) => sized, // {S,U}ADDLV, {S,U}MAXV, {S,U}MINV
        (0, 0b11011) => sized,                               // ADDV
        _ => false,
    }
}

fn across_fp(f: &mut Fields, _: &mut Rng, _: &mut Roles) -> R {
    // FMAXNMV/FMINNMV (01100), FMAXV/FMINV (01111): only .4s (sz = 0, Q = 1).
    matches!(f.get('o'), 0b01100 | 0b01111)
}

/// Element size of a copy's imm5 (lowest set bit); `None` if imm5 = x0000.
fn imm5_size(imm5: u32) -> Option<u32> {
    (imm5 & 0xf != 0).then(|| imm5.trailing_zeros())
}

fn copy(f: &mut Fields, _: &mut Rng, _: &mut Roles) -> R {
    let (op, imm4) = (f.get('o'), f.get('j'));
    let Some(size) = imm5_size(f.get('i')) else {
        return false;
    };
    if op == 1 {
        // INS (element): imm4 holds the source index in its high bits.
        f.set('q', 1);
        return true;
    }
    match imm4 {
        0b0000 => size < 3 || q(f) == 1, // DUP (element)
        0b0001 => size < 3 || q(f) == 1, // DUP (general)
        0b0011 => {
            f.set('q', 1);
            true
        } // INS (general)
        0b0101 => size < 2 || (size == 2 && q(f) == 1), // SMOV
        0b0111 => (size < 3 && q(f) == 0) || (size == 3 && q(f) == 1), // UMOV
        _ => false,
    }
}

fn mod_imm(f: &mut Fields, _: &mut Rng, _: &mut Roles) -> R {
    !(f.get('o') == 1 && f.get('c') == 0b1111 && q(f) == 0)
}

fn shift_imm(f: &mut Fields, _: &mut Rng, _: &mut Roles) -> R {
    let (immh, op, u) = (f.get('h'), f.get('o'), f.get('u'));
    if immh == 0 {
        return false; // modified immediate
    }
    let wide = immh & 8 != 0;
    match (u, op) {
        (_, 0b00000) | (_, 0b00010) | (_, 0b00100) | (_, 0b00110) | (_, 0b01110) => {
            !wide || q(f) == 1
        }
        (1, 0b01000) | (_, 0b01010) | (1, 0b01100) => !wide || q(f) == 1,
        (_, 0b10000) | (_, 0b10001) | (_, 0b10010) | (_, 0b10011) | (_, 0b10100) => !wide,
        (_, 0b11100) | (_, 0b11111) => immh & 0xc != 0 && (!wide || q(f) == 1), // {S,U}CVTF, FCVTZ{S,U} fixed
        _ => false,
    }
}

fn permute(f: &mut Fields, _: &mut Rng, _: &mut Roles) -> R {
    f.get('o') & 3 != 0 && d2(f)
}

fn ext(f: &mut Fields, _: &mut Rng, _: &mut Roles) -> R {
    q(f) == 1 || f.get('i') < 8
}

fn three_diff(f: &mut Fields, _: &mut Rng, _: &mut Roles) -> R {
    let (op, u, size) = (f.get('o'), f.get('u'), f.get('s'));
    match (u, op) {
        (0, 0b1110) => size == 0 || size == 3, // PMULL (64-bit: FEAT_PMULL, advertised)
        (0, 0b1001) | (0, 0b1011) | (0, 0b1101) => size == 1 || size == 2, // SQDMLAL/SQDMLSL/SQDMULL
        (_, 0b0000..=0b1000) | (_, 0b1010) | (_, 0b1100) => size != 3,
        _ => false,
    }
}

fn indexed(f: &mut Fields, _: &mut Rng, _: &mut Roles) -> R {
    let (op, u, size) = (f.get('o'), f.get('u'), f.get('s'));
    match (u, op) {
        // MUL, MLA, MLS, SMULL/UMULL, SMLAL/UMLAL, SQDMULH: H and S elements.
        (0, 0b1000) | (1, 0b0000) | (1, 0b0100) | (_, 0b1010) | (_, 0b0010) | (0, 0b1100) => {
            size == 1 || size == 2
        }
        // FMLA, FMLS, FMUL (by element), FMULX: S and D elements (D: L = 0, Q = 1).
        (0, 0b0001) | (0, 0b0101) | (0, 0b1001) | (1, 0b1001) => {
            size == 2 || (size == 3 && f.get('L') == 0 && q(f) == 1)
        }
        _ => false,
    }
}

fn scalar_three(f: &mut Fields, _: &mut Rng, _: &mut Roles) -> R {
    let (op, size) = (f.get('o'), f.get('s'));
    match op {
        0x01 | 0x05 | 0x09 | 0x0b => true, // SQADD, SQSUB, SQSHL, SQRSHL (any size)
        0x06 | 0x07 | 0x08 | 0x0a | 0x10 | 0x11 => size == 3, // CMGT/HI, CMGE/HS, SSHL, SRSHL, ADD/SUB, CMTST/EQ
        0x16 => size == 1 || size == 2,                       // SQDMULH/SQRDMULH
        _ => false,
    }
}

fn scalar_three_fp(f: &mut Fields, _: &mut Rng, _: &mut Roles) -> R {
    let (op, u, a) = (f.get('o'), f.get('u'), f.get('a'));
    matches!(
        (u, a, op),
        (0, 0, 0b011)
            | (0, 0, 0b100)
            | (0, _, 0b111)
            | (1, _, 0b100)
            | (1, _, 0b101)
            | (1, 1, 0b010)
    ) // FMULX, FCMEQ, FRECPS/FRSQRTS, FCMGE/FCMGT, FACGE/FACGT, FABD
}

fn scalar_misc(f: &mut Fields, _: &mut Rng, _: &mut Roles) -> R {
    let (op, u, size) = (f.get('o'), f.get('u'), f.get('s'));
    match (u, op) {
        (_, 0b00011) | (_, 0b00111) => true, // SUQADD/USQADD, SQABS/SQNEG
        (_, 0b01000) | (_, 0b01001) | (_, 0b01011) | (0, 0b01010) => size == 3, // CM* #0, ABS/NEG
        (_, 0b10100) | (1, 0b10010) => size != 3, // SQXTN/UQXTN, SQXTUN
        _ => false,
    }
}

fn scalar_misc_fp(f: &mut Fields, _: &mut Rng, _: &mut Roles) -> R {
    let (op, u, a) = (f.get('o'), f.get('u'), f.get('a'));
    matches!(
        (u, a, op),
        (_, _, 0b11010)
            | (_, _, 0b11011)
            | (_, 0, 0b11100)
            | (_, 0, 0b11101)
            | (_, 1, 0b01100)
            | (_, 1, 0b01101)
            | (0, 1, 0b01110)
            | (_, 1, 0b11101)
            | (0, 1, 0b11111)
    ) // FCVT{N,M,P,Z,A}{S,U}, {S,U}CVTF, FCM* #0, FRECPE/FRSQRTE, FRECPX
}

fn scalar_pairwise(f: &mut Fields, rng: &mut Rng, _: &mut Roles) -> R {
    // Few opcodes are allocated: pick one instead of rejecting most random words.
    let (u, op, a) = *rng.pick(&[
        (0, 0b11011, 1), // ADDP (size = 11)
        (1, 0b01100, 0), // FMAXNMP
        (1, 0b01100, 1), // FMINNMP
        (1, 0b01101, 0), // FADDP
        (1, 0b01111, 0), // FMAXP
        (1, 0b01111, 1), // FMINP
    ]);
    f.set('u', u);
    f.set('o', op);
    f.set('a', a);
    if u == 0 {
        f.set('z', 1);
    }
    true
}

fn scalar_shift(f: &mut Fields, _: &mut Rng, _: &mut Roles) -> R {
    let (immh, op, u) = (f.get('h'), f.get('o'), f.get('u'));
    let d = immh & 8 != 0;
    match (u, op) {
        (_, 0b00000) | (_, 0b00010) | (_, 0b00100) | (_, 0b00110) | (0, 0b01010) | (1, 0b01000) => {
            d
        }
        (_, 0b01110) | (1, 0b01100) => immh != 0,
        (_, 0b10010) | (_, 0b10011) | (1, 0b10000) => immh != 0 && !d,
        (_, 0b11100) | (_, 0b11111) => immh & 0xc != 0,
        _ => false,
    }
}

fn scalar_dup(f: &mut Fields, _: &mut Rng, _: &mut Roles) -> R {
    imm5_size(f.get('i')).is_some()
}

fn sha2reg(f: &mut Fields, _: &mut Rng, _: &mut Roles) -> R {
    f.get('o') <= 2
}

fn sha3reg(f: &mut Fields, _: &mut Rng, _: &mut Roles) -> R {
    f.get('o') <= 6
}

pub static TABLE: &[Enc] = &[
    enc(
        "vec_three_same_int",
        "0qu01110ss1mmmmmooooo1nnnnnddddd",
        three_same,
    ),
    enc(
        "vec_three_same_fp",
        "0qu01110az1mmmmm11ooo1nnnnnddddd",
        three_same_fp,
    ),
    enc(
        "vec_three_diff",
        "0qu01110ss1mmmmmoooo00nnnnnddddd",
        three_diff,
    ),
    enc(
        "vec_two_misc_int",
        "0qu01110ss10000ooooo10nnnnnddddd",
        two_misc,
    ),
    enc(
        "vec_two_misc_fp",
        "0qu01110az10000ooooo10nnnnnddddd",
        two_misc_fp,
    ),
    enc("vec_across_int", "0qu01110ss11000ooooo10nnnnnddddd", across),
    enc(
        "vec_across_fp",
        "01101110a011000ooooo10nnnnnddddd",
        across_fp,
    ),
    enc("vec_copy", "0qo01110000iiiii0jjjj1nnnnnddddd", copy),
    enc("vec_mod_imm", "0qo0111100000iiicccc01iiiiiddddd", mod_imm),
    enc(
        "vec_shift_imm",
        "0qu011110hhhhbbbooooo1nnnnnddddd",
        shift_imm,
    ),
    enc("vec_permute", "0q001110ss0mmmmm0ooo10nnnnnddddd", permute),
    enc("vec_EXT", "0q101110000mmmmm0iiii0nnnnnddddd", ext),
    enc("vec_TBL/TBX", "0q001110000mmmmm0llo00nnnnnddddd", any),
    enc("vec_indexed", "0qu01111ssLMmmmmooooH0nnnnnddddd", indexed),
    enc(
        "scalar_three_same_int",
        "01u11110ss1mmmmmooooo1nnnnnddddd",
        scalar_three,
    ),
    enc(
        "scalar_three_same_fp",
        "01u11110az1mmmmm11ooo1nnnnnddddd",
        scalar_three_fp,
    ),
    enc(
        "scalar_two_misc_int",
        "01u11110ss10000ooooo10nnnnnddddd",
        scalar_misc,
    ),
    enc(
        "scalar_two_misc_fp",
        "01u11110az10000ooooo10nnnnnddddd",
        scalar_misc_fp,
    ),
    enc(
        "scalar_pairwise",
        "01u11110az11000ooooo10nnnnnddddd",
        scalar_pairwise,
    ),
    enc(
        "scalar_shift_imm",
        "01u111110hhhhbbbooooo1nnnnnddddd",
        scalar_shift,
    ),
    enc("scalar_DUP", "01011110000iiiii000001nnnnnddddd", scalar_dup),
    enc(
        "AESE/AESD/AESMC/AESIMC",
        "010011100010100001oo10nnnnnddddd",
        any,
    ),
    enc(
        "SHA1/SHA256_two_reg",
        "010111100010100000oo10nnnnnddddd",
        sha2reg,
    ),
    enc(
        "SHA1/SHA256_three_reg",
        "01011110000mmmmm0ooo00nnnnnddddd",
        sha3reg,
    ),
];
