//! Data processing — immediate (ARM ARM C4.1.86): PC-relative addressing, add/subtract, logical, move wide,
//! bitfield, extract.

use crate::encoding::{Enc, Fields, Roles, any, enc};
use crate::prng::Rng;

/// DecodeBitMasks' validity rule (ARM ARM J1): `len = HighestSetBit(N:NOT(imms))` must be >= 1, the element
/// must not be all ones, and 32-bit forms need N = 0.
pub fn valid_bitmask(sf: u32, n: u32, imms: u32) -> bool {
    if sf == 0 && n == 1 {
        return false;
    }
    let combined = (n << 6) | (!imms & 0x3f);
    if combined == 0 {
        return false;
    }
    let len = 31 - combined.leading_zeros();
    if len < 1 {
        return false;
    }
    let levels = (1 << len) - 1;
    imms & levels != levels
}

fn logical(f: &mut Fields, _: &mut Rng, _: &mut Roles) -> bool {
    valid_bitmask(f.get('z'), f.get('N'), f.get('s'))
}

fn movw(f: &mut Fields, _: &mut Rng, _: &mut Roles) -> bool {
    f.get('z') == 1 || f.get('h') < 2
}

fn bitfield(f: &mut Fields, _: &mut Rng, _: &mut Roles) -> bool {
    let sf = f.get('z');
    if sf == 0 {
        f.set('r', f.get('r') & 31);
        f.set('s', f.get('s') & 31);
    }
    f.set('N', sf);
    true
}

fn extr(f: &mut Fields, _: &mut Rng, _: &mut Roles) -> bool {
    let sf = f.get('z');
    f.set('N', sf);
    if sf == 0 {
        f.set('s', f.get('s') & 31);
    }
    true
}

pub static TABLE: &[Enc] = &[
    enc("ADR", "0ii10000iiiiiiiiiiiiiiiiiiiddddd", any),
    enc("ADRP", "1ii10000iiiiiiiiiiiiiiiiiiiddddd", any),
    enc("ADD_imm", "z00100010hiiiiiiiiiiiinnnnnddddd", any),
    enc("ADDS_imm", "z01100010hiiiiiiiiiiiinnnnnddddd", any),
    enc("SUB_imm", "z10100010hiiiiiiiiiiiinnnnnddddd", any),
    enc("SUBS_imm", "z11100010hiiiiiiiiiiiinnnnnddddd", any),
    enc("AND_imm", "z00100100Nrrrrrrssssssnnnnnddddd", logical),
    enc("ORR_imm", "z01100100Nrrrrrrssssssnnnnnddddd", logical),
    enc("EOR_imm", "z10100100Nrrrrrrssssssnnnnnddddd", logical),
    enc("ANDS_imm", "z11100100Nrrrrrrssssssnnnnnddddd", logical),
    enc("MOVN", "z00100101hhiiiiiiiiiiiiiiiiddddd", movw),
    enc("MOVZ", "z10100101hhiiiiiiiiiiiiiiiiddddd", movw),
    enc("MOVK", "z11100101hhiiiiiiiiiiiiiiiiddddd", movw),
    enc("SBFM", "z00100110Nrrrrrrssssssnnnnnddddd", bitfield),
    enc("BFM", "z01100110Nrrrrrrssssssnnnnnddddd", bitfield),
    enc("UBFM", "z10100110Nrrrrrrssssssnnnnnddddd", bitfield),
    enc("EXTR", "z00100111N0mmmmmssssssnnnnnddddd", extr),
];
