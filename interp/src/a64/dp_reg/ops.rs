//! Semantics of DP 1-source (bit and byte reversal, leading-bit counts), 2-source (division, variable
//! shifts, CRC32) and 3-source (multiply-add, long and high-half multiplies).
#![allow(clippy::too_many_arguments)]

use super::{OneSrc, ThreeSrc, TwoSrc};
use crate::a64::dp_imm::narrow;
use crate::sem::{Reg, Sem, Width};

pub(super) fn one_source<S: Sem>(s: &mut S, sf: bool, op: OneSrc, rd: Reg, rn: Reg) {
    let w = Width::from_sf(sf);
    let a = s.x(rn);
    let r = match op {
        OneSrc::Rbit => s.rbit(w, a),
        OneSrc::Rev16 => {
            // Swap the bytes of every halfword.
            let m = s.imm(0x00ff_00ff_00ff_00ff);
            let eight = s.imm(8);
            let hi = s.lsr(Width::W64, a, eight);
            let hi = s.and(hi, m);
            let lo = s.and(a, m);
            let lo = s.shl(Width::W64, lo, eight);
            let r = s.or(hi, lo);
            narrow(s, w, r)
        }
        OneSrc::Rev32 => {
            // Byte-reverse each word: reverse all eight bytes, then swap the words back.
            let r = s.bswap64(a);
            let amt = s.imm(32);
            s.ror(Width::W64, r, amt)
        }
        OneSrc::Rev => {
            let r = s.bswap64(a);
            if sf {
                r
            } else {
                let amt = s.imm(32);
                s.lsr(Width::W64, r, amt)
            }
        }
        OneSrc::Clz => s.clz(w, a),
        OneSrc::Cls => {
            // CLS(x) = CLZ(x EOR (x ASR 1)) - 1: the first bit differing from the sign bit.
            let one = s.imm(1);
            let sh = s.asr(w, a, one);
            let x = s.xor(a, sh);
            let z = s.clz(w, x);
            s.sub(z, one)
        }
    };
    s.set_x(rd, r);
}

#[inline(always)]
pub(super) fn two_source<S: Sem>(s: &mut S, sf: bool, op: TwoSrc, rd: Reg, rn: Reg, rm: Reg) {
    let w = Width::from_sf(sf);
    let a = s.x(rn);
    let b = s.x(rm);
    let r = match op {
        TwoSrc::Udiv => s.udiv(w, a, b),
        TwoSrc::Sdiv => s.sdiv(w, a, b),
        TwoSrc::Lslv => s.shl(w, a, b),
        TwoSrc::Lsrv => s.lsr(w, a, b),
        TwoSrc::Asrv => s.asr(w, a, b),
        TwoSrc::Rorv => s.ror(w, a, b),
        TwoSrc::Crc32 { castagnoli, size } => s.crc32(castagnoli, a, b, size as u32),
    };
    s.set_x(rd, r);
}

#[inline(always)]
pub(super) fn three_source<S: Sem>(
    s: &mut S,
    sf: bool,
    op: ThreeSrc,
    sub: bool,
    rd: Reg,
    rn: Reg,
    rm: Reg,
    ra: Reg,
) {
    let w = Width::from_sf(sf);
    let a = s.x(rn);
    let b = s.x(rm);
    let r = match op {
        ThreeSrc::Smulh => s.smulh(a, b),
        ThreeSrc::Umulh => s.umulh(a, b),
        ThreeSrc::Madd | ThreeSrc::Smaddl | ThreeSrc::Umaddl => {
            let (a, b) = match op {
                ThreeSrc::Smaddl => (s.sext(a, 32), s.sext(b, 32)),
                ThreeSrc::Umaddl => (s.zext(a, 32), s.zext(b, 32)),
                _ => (a, b),
            };
            let p = s.mul(a, b);
            let acc = s.x(ra);
            let r = if sub { s.sub(acc, p) } else { s.add(acc, p) };
            narrow(s, w, r)
        }
    };
    s.set_x(rd, r);
}
