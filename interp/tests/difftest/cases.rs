//! Random cases: a family picked uniformly from the group's table, a word from it, and an input state that is
//! random except where the family's roles ask for scratch pointers or small indexes.

use crate::encoding::Group;
use crate::harness::{Case, Layout};
use crate::prng::Rng;
use crate::vector::{Regs, Scratch};
use elfrun_interp::cpu_model::{FPCR_WRITABLE, FPSR_WRITABLE};

/// A floating-point edge value of `bits` (16, 32 or 64) width.
fn fp_edge(rng: &mut Rng, bits: u32) -> u64 {
    let (ebits, mbits) = match bits {
        16 => (5, 10),
        32 => (8, 23),
        _ => (11, 52),
    };
    let emax = (1u64 << ebits) - 1;
    let bias = emax >> 1;
    let mmask = (1u64 << mbits) - 1;
    let sign = (rng.below(2)) << (bits - 1);
    let m = rng.next_u64() & mmask;
    let make = |e: u64, m: u64| sign | (e << mbits) | (m & mmask);
    // An exponent near `e`, kept inside the normal range.
    let near = |e: i64| e.clamp(1, emax as i64 - 1) as u64;
    match rng.below(14) {
        0 => sign,                                                            // ±0
        1 => make(emax, 0),                                                   // ±inf
        2 => make(emax, (1 << (mbits - 1)) | m),                              // qNaN
        3 => make(emax, (m >> 1).max(1)),                                     // sNaN
        4 => make(0, m.max(1)),                                               // denormal
        5 => make(1, m),                                                      // smallest normals
        6 => make(emax - 1, m),                                               // largest normals
        7 => make(bias, 0),                                                   // ±1
        8 => make(bias - 1, 0),                                               // ±0.5
        9 => make(bias + rng.below(4), m & !0xff), // few-bit values near 1
        10 => make(near(bias as i64 + rng.range(-30, 30)), m), // ordinary
        11 => make(near((bias + mbits as u64) as i64 + rng.range(-2, 2)), m), // around the integer limit
        12 => make(near((bias + 31) as i64 + rng.range(-1, 1)), m), // around the int32/int64 limits
        _ => rng.next_u64() & ((1u128 << bits) - 1) as u64,
    }
}

fn fp_vreg(rng: &mut Rng) -> u128 {
    let bits = *rng.pick(&[16u32, 32, 64, 64, 32]);
    let mut v = 0u128;
    for lane in 0..128 / bits {
        v |= (fp_edge(rng, bits) as u128) << (lane * bits);
    }
    v
}

fn int_vreg(rng: &mut Rng) -> u128 {
    match rng.below(4) {
        0 => {
            // Lanes of edge values of one size.
            let bits = *rng.pick(&[8u32, 16, 32, 64]);
            let mut v = 0u128;
            for lane in 0..128 / bits {
                let e = rng.edgy_u64() & ((1u128 << bits) - 1) as u64;
                v |= (e as u128) << (lane * bits);
            }
            v
        }
        _ => ((rng.next_u64() as u128) << 64) | rng.next_u64() as u128,
    }
}

/// Offset of base pointers inside a case's scratch buffer (its middle).
pub const BASE_OFFSET: u64 = 2048;

/// Generates case `i` of a batch: one instruction, or with `run` > 1 (a group without memory accesses) that
/// many, each from a family picked anew, so that one instruction's flags, FPSR bits and registers feed the next
/// (the executors' lazy flags and values kept between instructions).
pub fn case(group: &Group, rng: &mut Rng, layout: &Layout, i: u64, seq: u64, run: usize) -> Case {
    if run > 1 && group.scratch == 0 {
        let mut c = case(group, rng, layout, i, seq, 1);
        while c.words.len() < run {
            let family = &group.encodings[rng.below(group.encodings.len() as u64) as usize];
            match family.generate(rng) {
                Some((word, roles)) if roles.follow.is_empty() && !roles.literal_pool => {
                    c.words.push(word)
                }
                _ => {}
            }
        }
        c.name = format!("{}.run{run}#{seq}", group.name);
        return c;
    }
    let family = &group.encodings[rng.below(group.encodings.len() as u64) as usize];
    let (word, roles) = family
        .generate(rng)
        .unwrap_or_else(|| panic!("{}: constraint rejects every word (table bug)", family.name));
    let mut input = Regs::default();
    for x in &mut input.x {
        *x = rng.edgy_u64();
    }
    input.sp = rng.next_u64() & !0xf;
    input.nzcv = rng.below(16) << 28;
    if rng.chance(1, 2) {
        input.fpcr = rng.next_u64() & FPCR_WRITABLE;
    }
    if rng.chance(1, 2) {
        input.fpsr = rng.next_u64() & FPSR_WRITABLE;
    }
    for v in &mut input.v {
        *v = if group.fp_values && rng.chance(3, 4) {
            fp_vreg(rng)
        } else {
            int_vreg(rng)
        };
    }
    let scratch = (group.scratch > 0).then(|| Scratch {
        addr: layout.scratch(i),
        len: group.scratch,
        seed: rng.next_u64(),
    });
    for &r in &roles.indexes {
        input.x[r as usize] = rng.below(64);
    }
    for &(r, align) in &roles.bases {
        let s = scratch.expect("a memory family in a group without scratch");
        let mut p = (s.addr + BASE_OFFSET).wrapping_add((16 * rng.range(-16, 16)) as u64);
        if r == 31 {
            input.sp = p;
        } else {
            p += rng.below(16) & !(align - 1);
            input.x[r as usize] = p;
        }
    }
    let mut words = vec![word];
    words.extend(&roles.follow);
    if roles.literal_pool {
        words.push(crate::asm::b(20));
        words.extend((0..4).map(|_| rng.next_u32()));
    }
    Case {
        name: format!("{}.{}#{seq}", group.name, family.name),
        words,
        input,
        scratch,
    }
}
