//! Scalar floating point (ARM ARM C4.1.90): data processing with one, two and three sources, compare,
//! conditional compare and select, immediate moves, and conversions to and from integer and fixed point.
//! Half-precision arithmetic is left out (FEAT_FP16 is not advertised); conversions to and from half are base.

use crate::encoding::{Enc, Fields, Roles, enc};
use crate::prng::Rng;

/// Single or double (ftype 00/01).
fn sd(f: &mut Fields) -> bool {
    f.get('t') < 2
}

fn arith(f: &mut Fields, _: &mut Rng, _: &mut Roles) -> bool {
    sd(f)
}

fn one_source(f: &mut Fields, _: &mut Rng, _: &mut Roles) -> bool {
    let (t, op) = (f.get('t'), f.get('o'));
    match op {
        0..=3 => t < 2,                                    // FMOV FABS FNEG FSQRT
        4..=7 => t != 2 && (op & 3) != 2 && (op & 3) != t, // FCVT between H, S and D
        8..=15 => t < 2 && op != 13,                       // FRINTN/P/M/Z/A/X/I (101 unallocated)
        _ => false, // FRINT32/64 (FEAT_FRINTTS): not advertised
    }
}

fn two_source(f: &mut Fields, _: &mut Rng, _: &mut Roles) -> bool {
    sd(f) && f.get('o') <= 8
}

fn compare(f: &mut Fields, _: &mut Rng, _: &mut Roles) -> bool {
    if f.get('o') & 1 == 1 {
        f.set('m', 0); // compare with zero: Rm is (0)(0)(0)(0)(0)
    }
    sd(f)
}

fn int_conv(f: &mut Fields, _: &mut Rng, _: &mut Roles) -> bool {
    let (sf, t, rmode, op) = (f.get('z'), f.get('t'), f.get('r'), f.get('o'));
    match op {
        0 | 1 => t < 2,               // FCVT{N,P,M,Z}{S,U}
        2..=5 => t < 2 && rmode == 0, // SCVTF UCVTF FCVTAS FCVTAU
        _ => matches!((sf, t, rmode), (0, 0, 0) | (1, 1, 0) | (1, 2, 1)), // FMOV general (no FP16)
    }
}

fn fixed_conv(f: &mut Fields, _: &mut Rng, _: &mut Roles) -> bool {
    let (sf, rmode, op) = (f.get('z'), f.get('r'), f.get('o'));
    if sf == 0 {
        f.set('s', f.get('s') | 32); // scale < 32 is unallocated for 32-bit integers
    }
    sd(f) && matches!((rmode, op), (0, 2) | (0, 3) | (3, 0) | (3, 1))
}

pub static TABLE: &[Enc] = &[
    enc(
        "FMOV/FABS/FNEG/FSQRT/FCVT/FRINT",
        "00011110tt1oooooo10000nnnnnddddd",
        one_source,
    ),
    enc("FCMP/FCMPE", "00011110tt1mmmmm001000nnnnnoo000", compare),
    enc("FCCMP/FCCMPE", "00011110tt1mmmmmcccc01nnnnnoffff", arith),
    enc(
        "FMUL/FDIV/FADD/FSUB/FMAX/FMIN/FNMUL",
        "00011110tt1mmmmmoooo10nnnnnddddd",
        two_source,
    ),
    enc("FCSEL", "00011110tt1mmmmmcccc11nnnnnddddd", arith),
    enc(
        "FMADD/FMSUB/FNMADD/FNMSUB",
        "00011111ttommmmmpaaaaannnnnddddd",
        arith,
    ),
    enc("FMOV_imm", "00011110tt1iiiiiiii10000000ddddd", arith),
    enc(
        "FCVT*_int/SCVTF/UCVTF/FMOV_gen",
        "z0011110tt1rrooo000000nnnnnddddd",
        int_conv,
    ),
    enc(
        "FCVTZ*_fixed/SCVTF/UCVTF_fixed",
        "z0011110tt0rrooossssssnnnnnddddd",
        fixed_conv,
    ),
];
