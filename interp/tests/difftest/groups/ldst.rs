//! Loads and stores (ARM ARM C4.1.88): single registers (immediate, unscaled, pre/post-index, register offset,
//! literal), pairs, exclusives and load-acquire/store-release, LSE atomics and compare-and-swap, and Advanced
//! SIMD structure loads/stores. Every base register points into the case's scratch buffer (see
//! [`crate::cases::BASE_OFFSET`]): offsets are bounded so every access stays inside it.

use crate::encoding::{Enc, Fields, Roles, enc};
use crate::prng::Rng;

/// Marks Rn as a base register with the given alignment.
fn base(f: &Fields, r: &mut Roles, align: u64) {
    r.bases.push((f.get('n'), align));
}

/// Writeback forms: UNPREDICTABLE when the base is also a transfer register (except SP/XZR numbering: Rn = 31
/// is SP, Rt = 31 is XZR, so they never alias).
fn wb_ok(f: &Fields, regs: &[char]) -> bool {
    let n = f.get('n');
    n == 31 || regs.iter().all(|&c| f.get(c) != n)
}

/// Size in bytes of a single-register integer access, or `None` if unallocated / prefetch.
fn int_size(f: &Fields) -> Option<u64> {
    let (size, opc) = (f.get('s'), f.get('o'));
    match (size, opc) {
        (3, 2) | (3, 3) | (2, 3) => None,
        _ => Some(1 << size),
    }
}

fn fp_size(f: &Fields) -> Option<u64> {
    match (f.get('s'), f.get('o')) {
        (s, 0 | 1) => Some(1 << s),
        (0, 2 | 3) => Some(16),
        _ => None,
    }
}

fn uimm(f: &mut Fields, r: &mut Roles, size: Option<u64>) -> bool {
    // Scaled unsigned offset: keep it below 64 elements (at most 1008 bytes).
    f.set('i', f.get('i') & 63);
    base(f, r, 1);
    size.is_some()
}

fn int_uimm(f: &mut Fields, _: &mut Rng, r: &mut Roles) -> bool {
    let s = int_size(f);
    uimm(f, r, s)
}

fn fp_uimm(f: &mut Fields, _: &mut Rng, r: &mut Roles) -> bool {
    let s = fp_size(f);
    uimm(f, r, s)
}

fn prfm_uimm(f: &mut Fields, _: &mut Rng, r: &mut Roles) -> bool {
    uimm(f, r, Some(8))
}

fn int_unscaled(f: &mut Fields, _: &mut Rng, r: &mut Roles) -> bool {
    base(f, r, 1);
    int_size(f).is_some()
}

fn fp_unscaled(f: &mut Fields, _: &mut Rng, r: &mut Roles) -> bool {
    base(f, r, 1);
    fp_size(f).is_some()
}

fn prfm_any(f: &mut Fields, _: &mut Rng, r: &mut Roles) -> bool {
    base(f, r, 1);
    true
}

fn int_wb(f: &mut Fields, _: &mut Rng, r: &mut Roles) -> bool {
    base(f, r, 1);
    int_size(f).is_some() && wb_ok(f, &['t'])
}

fn fp_wb(f: &mut Fields, _: &mut Rng, r: &mut Roles) -> bool {
    base(f, r, 1);
    fp_size(f).is_some()
}

fn regoff(f: &mut Fields, r: &mut Roles, size: Option<u64>) -> bool {
    let opt = f.get('x');
    let (m, n) = (f.get('m'), f.get('n'));
    if opt & 2 == 0 || (m == n && n != 31) {
        return false; // option x0x is reserved; an index that is also the base cannot be both small and a pointer
    }
    if m != 31 {
        r.indexes.push(m);
    }
    base(f, r, 1);
    size.is_some()
}

fn int_regoff(f: &mut Fields, _: &mut Rng, r: &mut Roles) -> bool {
    let s = int_size(f);
    regoff(f, r, s)
}

fn fp_regoff(f: &mut Fields, _: &mut Rng, r: &mut Roles) -> bool {
    let s = fp_size(f);
    regoff(f, r, s)
}

fn prfm_regoff(f: &mut Fields, _: &mut Rng, r: &mut Roles) -> bool {
    regoff(f, r, Some(8))
}

fn literal(f: &mut Fields, _: &mut Rng, r: &mut Roles) -> bool {
    // The pool is 16 bytes at pc + 8 (see `Roles::literal_pool`).
    let bytes = match (f.get('v'), f.get('o')) {
        (0, 0) | (0, 2) => 4,
        (0, 1) => 8,
        (0, 3) => 4, // PRFM: any offset would do
        (1, 0) => 4,
        (1, 1) => 8,
        (1, 2) => 16,
        _ => return false,
    };
    let slots = (16 - bytes) / 4 + 1;
    f.set('i', 2 + (f.get('i') % slots as u32));
    r.literal_pool = true;
    true
}

fn pair(f: &mut Fields, _: &mut Rng, r: &mut Roles) -> bool {
    let (opc, v, l, mode) = (f.get('o'), f.get('v'), f.get('L'), f.get('p'));
    let ok = match (v, opc) {
        (0, 0) | (0, 2) => true,
        (0, 1) => l == 1 && mode != 0, // LDPSW; STGP (MTE) and the no-allocate form are unallocated
        (1, 0..=2) => true,
        _ => false,
    };
    if !ok {
        return false;
    }
    if l == 1 && f.get('t') == f.get('u') {
        return false; // load pair with Rt == Rt2: UNPREDICTABLE
    }
    if v == 0 && (mode == 1 || mode == 3) && !wb_ok(f, &['t', 'u']) {
        return false;
    }
    base(f, r, 1);
    true
}

/// Access size of exclusive, acquire/release and atomic forms (the `s` field).
fn excl_size(f: &Fields) -> u64 {
    1 << f.get('s')
}

fn ldxr(f: &mut Fields, _: &mut Rng, r: &mut Roles) -> bool {
    f.set('r', 31);
    f.set('u', 31);
    let a = excl_size(f);
    base(f, r, a);
    true
}

fn stxr(f: &mut Fields, _: &mut Rng, r: &mut Roles) -> bool {
    f.set('u', 31);
    let (s, t, n) = (f.get('r'), f.get('t'), f.get('n'));
    if s == t || (s == n && n != 31) {
        return false;
    }
    let a = excl_size(f);
    base(f, r, a);
    true
}

fn ldxp(f: &mut Fields, _: &mut Rng, r: &mut Roles) -> bool {
    f.set('r', 31);
    if f.get('t') == f.get('u') {
        return false;
    }
    let a = 2 * (4 << f.get('s')); // `s` is sz: 32- or 64-bit registers
    base(f, r, a);
    true
}

fn stxp(f: &mut Fields, _: &mut Rng, r: &mut Roles) -> bool {
    let (s, t, u, n) = (f.get('r'), f.get('t'), f.get('u'), f.get('n'));
    if s == t || s == u || (s == n && n != 31) {
        return false;
    }
    let a = 2 * (4 << f.get('s'));
    base(f, r, a);
    true
}

/// A load-exclusive followed by a store-exclusive to the same address (same size, acquire/release bits
/// random): the store succeeds, so the monitor's success path is compared too.
fn ldxr_stxr(f: &mut Fields, rng: &mut Rng, r: &mut Roles) -> bool {
    ldxr(f, rng, r);
    let (t, n) = (f.get('t'), f.get('n'));
    if t == n && n != 31 {
        return false; // the load would overwrite the base before the store
    }
    let (rs, rt) = (rng.below(31) as u32, rng.below(32) as u32);
    if rs == rt || rs == n || (rt == n && n != 31) {
        return false;
    }
    let release = rng.below(2) as u32;
    let size = f.get('s');
    r.follow.push(
        (size << 30) | 0x0800_0000 | (rs << 16) | (release << 15) | (31 << 10) | (n << 5) | rt,
    );
    true
}

/// LDXP/LDAXP followed by STXP/STLXP to the same address.
fn ldxp_stxp(f: &mut Fields, rng: &mut Rng, r: &mut Roles) -> bool {
    if !ldxp(f, rng, r) {
        return false;
    }
    let (t, u, n) = (f.get('t'), f.get('u'), f.get('n'));
    if (t == n || u == n) && n != 31 {
        return false;
    }
    let (rs, rt, rt2) = (
        rng.below(31) as u32,
        rng.below(32) as u32,
        rng.below(32) as u32,
    );
    if rs == rt || rs == rt2 || rs == n {
        return false;
    }
    let release = rng.below(2) as u32;
    let sz = f.get('s');
    r.follow.push(
        0x8820_0000 | (sz << 30) | (rs << 16) | (release << 15) | (rt2 << 10) | (n << 5) | rt,
    );
    true
}

fn cas(f: &mut Fields, _: &mut Rng, r: &mut Roles) -> bool {
    f.set('u', 31);
    let a = excl_size(f);
    base(f, r, a);
    true
}

fn casp(f: &mut Fields, _: &mut Rng, r: &mut Roles) -> bool {
    f.set('u', 31);
    // Rs and Rt must be even (and not 31).
    f.set('r', f.get('r') & 0x1e);
    f.set('t', f.get('t') & 0x1e);
    let a = 2 * (4 << f.get('z'));
    base(f, r, a);
    true
}

fn atomic(f: &mut Fields, _: &mut Rng, r: &mut Roles) -> bool {
    let a = excl_size(f);
    base(f, r, a);
    true
}

/// Multiple structures: opcode selects LD1..LD4 and the register count.
fn multiple(f: &mut Fields, _: &mut Rng, r: &mut Roles) -> bool {
    let op = f.get('o');
    let ok = match op {
        0b0000 | 0b0100 | 0b1000 => !(f.get('s') == 3 && f.get('q') == 0), // LD4/LD3/LD2 .1d reserved
        0b0010 | 0b0110 | 0b0111 | 0b1010 => true,
        _ => false,
    };
    base(f, r, 1);
    ok
}

fn single(f: &mut Fields, _: &mut Rng, r: &mut Roles) -> bool {
    let (op, s, size) = (f.get('o'), f.get('S'), f.get('s'));
    let ok = match op >> 1 {
        0 => true,
        1 => size & 1 == 0,
        2 => size == 0 || (size == 1 && s == 0),
        _ => f.get('L') == 1 && s == 0, // LDnR
    };
    base(f, r, 1);
    ok
}

pub static TABLE: &[Enc] = &[
    enc("LDR/STR_uimm", "ss111001ooiiiiiiiiiiiinnnnnttttt", int_uimm),
    enc("PRFM_uimm", "1111100110iiiiiiiiiiiinnnnnttttt", prfm_uimm),
    enc(
        "LDR/STR_simd_uimm",
        "ss111101ooiiiiiiiiiiiinnnnnttttt",
        fp_uimm,
    ),
    enc(
        "LDUR/STUR",
        "ss111000oo0iiiiiiiii00nnnnnttttt",
        int_unscaled,
    ),
    enc("PRFUM", "11111000100iiiiiiiii00nnnnnttttt", prfm_any),
    enc(
        "LDUR/STUR_simd",
        "ss111100oo0iiiiiiiii00nnnnnttttt",
        fp_unscaled,
    ),
    enc(
        "LDTR/STTR",
        "ss111000oo0iiiiiiiii10nnnnnttttt",
        int_unscaled,
    ),
    enc(
        "LDR/STR_post/pre",
        "ss111000oo0iiiiiiiiip1nnnnnttttt",
        int_wb,
    ),
    enc(
        "LDR/STR_simd_post/pre",
        "ss111100oo0iiiiiiiiip1nnnnnttttt",
        fp_wb,
    ),
    enc(
        "LDR/STR_regoff",
        "ss111000oo1mmmmmxxxS10nnnnnttttt",
        int_regoff,
    ),
    enc(
        "PRFM_regoff",
        "11111000101mmmmmxxxS10nnnnnttttt",
        prfm_regoff,
    ),
    enc(
        "LDR/STR_simd_regoff",
        "ss111100oo1mmmmmxxxS10nnnnnttttt",
        fp_regoff,
    ),
    enc("LDR_literal", "oo011v00iiiiiiiiiiiiiiiiiiittttt", literal),
    enc("LDP/STP", "oo101v0ppLiiiiiiiuuuuunnnnnttttt", pair),
    enc("LDXR/LDAXR", "ss001000010rrrrrauuuuunnnnnttttt", ldxr),
    enc("STXR/STLXR", "ss001000000rrrrrauuuuunnnnnttttt", stxr),
    enc("LDXP/LDAXP", "1s001000011rrrrrauuuuunnnnnttttt", ldxp),
    enc("STXP/STLXP", "1s001000001rrrrrauuuuunnnnnttttt", stxp),
    enc("LDXR+STXR", "ss001000010rrrrrauuuuunnnnnttttt", ldxr_stxr),
    enc("LDXP+STXP", "1s001000011rrrrrauuuuunnnnnttttt", ldxp_stxp),
    enc("LDAR/STLR", "ss0010001L0rrrrr1uuuuunnnnnttttt", ldxr),
    enc("CAS", "ss0010001L1rrrrrauuuuunnnnnttttt", cas),
    enc("CASP", "0z0010000L1rrrrrauuuuunnnnnttttt", casp),
    enc("LDADD..LDUMIN", "ss111000aR1rrrrr0ooo00nnnnnttttt", atomic),
    enc("SWP", "ss111000aR1rrrrr100000nnnnnttttt", atomic),
    enc(
        "LD/ST_multiple",
        "0q0011000L000000oooossnnnnnttttt",
        multiple,
    ),
    enc(
        "LD/ST_multiple_post",
        "0q0011001L0mmmmmoooossnnnnnttttt",
        multiple,
    ),
    enc("LD/ST_single", "0q0011010LR00000oooSssnnnnnttttt", single),
    enc(
        "LD/ST_single_post",
        "0q0011011LRmmmmmoooSssnnnnnttttt",
        single,
    ),
];
