//! Data processing — register (ARM ARM C4.1.87): logical and add/subtract (shifted and extended register),
//! add/subtract with carry, conditional compare and select, one-, two- and three-source operations.

use crate::encoding::{Enc, Fields, Roles, any, enc};
use crate::prng::Rng;

/// 32-bit forms take shift amounts below 32 only.
fn shift_amount(f: &mut Fields) {
    if f.get('z') == 0 {
        f.set('i', f.get('i') & 31);
    }
}

fn logical(f: &mut Fields, _: &mut Rng, _: &mut Roles) -> bool {
    shift_amount(f);
    true
}

fn addsub_shifted(f: &mut Fields, _: &mut Rng, _: &mut Roles) -> bool {
    shift_amount(f);
    f.get('h') != 3 // shift = ROR is reserved
}

fn addsub_extended(f: &mut Fields, _: &mut Rng, _: &mut Roles) -> bool {
    f.get('i') <= 4
}

fn one_source(f: &mut Fields, _: &mut Rng, _: &mut Roles) -> bool {
    let op = f.get('o');
    op <= 5 && !(f.get('z') == 0 && op == 3)
}

fn crc32(f: &mut Fields, _: &mut Rng, _: &mut Roles) -> bool {
    // sz = 11 (CRC32X/CRC32CX) needs sf = 1; the others need sf = 0.
    f.set('z', (f.get('s') == 3) as u32);
    true
}

fn mulh(f: &mut Fields, _: &mut Rng, _: &mut Roles) -> bool {
    f.set('a', 31); // Ra is (1)(1)(1)(1)(1)
    true
}

pub static TABLE: &[Enc] = &[
    enc(
        "AND/BIC_shifted",
        "z0001010hhNmmmmmiiiiiinnnnnddddd",
        logical,
    ),
    enc(
        "ORR/ORN_shifted",
        "z0101010hhNmmmmmiiiiiinnnnnddddd",
        logical,
    ),
    enc(
        "EOR/EON_shifted",
        "z1001010hhNmmmmmiiiiiinnnnnddddd",
        logical,
    ),
    enc(
        "ANDS/BICS_shifted",
        "z1101010hhNmmmmmiiiiiinnnnnddddd",
        logical,
    ),
    enc(
        "ADD_shifted",
        "z0001011hh0mmmmmiiiiiinnnnnddddd",
        addsub_shifted,
    ),
    enc(
        "ADDS_shifted",
        "z0101011hh0mmmmmiiiiiinnnnnddddd",
        addsub_shifted,
    ),
    enc(
        "SUB_shifted",
        "z1001011hh0mmmmmiiiiiinnnnnddddd",
        addsub_shifted,
    ),
    enc(
        "SUBS_shifted",
        "z1101011hh0mmmmmiiiiiinnnnnddddd",
        addsub_shifted,
    ),
    enc(
        "ADD_extended",
        "z0001011001mmmmmxxxiiinnnnnddddd",
        addsub_extended,
    ),
    enc(
        "ADDS_extended",
        "z0101011001mmmmmxxxiiinnnnnddddd",
        addsub_extended,
    ),
    enc(
        "SUB_extended",
        "z1001011001mmmmmxxxiiinnnnnddddd",
        addsub_extended,
    ),
    enc(
        "SUBS_extended",
        "z1101011001mmmmmxxxiiinnnnnddddd",
        addsub_extended,
    ),
    enc("ADC/ADCS", "z0S11010000mmmmm000000nnnnnddddd", any),
    enc("SBC/SBCS", "z1S11010000mmmmm000000nnnnnddddd", any),
    enc("CCMN/CCMP_reg", "zo111010010mmmmmcccc00nnnnn0ffff", any),
    enc("CCMN/CCMP_imm", "zo111010010iiiiicccc10nnnnn0ffff", any),
    enc("CSEL/CSINC", "z0011010100mmmmmcccc0pnnnnnddddd", any),
    enc("CSINV/CSNEG", "z1011010100mmmmmcccc0pnnnnnddddd", any),
    enc(
        "RBIT/REV/CLZ/CLS",
        "z101101011000000000ooonnnnnddddd",
        one_source,
    ),
    enc("UDIV/SDIV", "z0011010110mmmmm00001onnnnnddddd", any),
    enc(
        "LSLV/LSRV/ASRV/RORV",
        "z0011010110mmmmm0010oonnnnnddddd",
        any,
    ),
    enc("CRC32/CRC32C", "z0011010110mmmmm010cssnnnnnddddd", crc32),
    enc("MADD/MSUB", "z0011011000mmmmmoaaaaannnnnddddd", any),
    enc("SMADDL/SMSUBL", "10011011001mmmmmoaaaaannnnnddddd", any),
    enc("UMADDL/UMSUBL", "10011011101mmmmmoaaaaannnnnddddd", any),
    enc("SMULH", "10011011010mmmmm0aaaaannnnnddddd", mulh),
    enc("UMULH", "10011011110mmmmm0aaaaannnnnddddd", mulh),
];
