//! Moving data between lanes and registers: copy (DUP, INS, UMOV, SMOV), permute (UZP, TRN, ZIP), EXT, TBL/TBX
//! and the modified-immediate moves (MOVI, MVNI, ORR, BIC, FMOV (vector, immediate)).

use super::Vector;
use super::lanes::{Out, clear_high, ebits};
use crate::sem::Sem;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Perm {
    /// DUP (element): `rn[imm]` to every element (scalar form: DUP/MOV scalar).
    DupElem,
    /// DUP (general): `x(rn)` to every element.
    DupGen,
    /// INS (general): `rd[imm] = x(rn)`.
    InsGen,
    /// INS (element): `rd[imm] = rn[imm2]`.
    InsElem,
    /// UMOV: `x(rd) = rn[imm]`, zero-extended.
    Umov,
    /// SMOV: `x(rd) = rn[imm]`, sign-extended to 32 (`q` = 0) or 64 bits.
    Smov,
    /// MOVI/MVNI/ORR/BIC/FMOV (vector, immediate): `imm` = abcdefgh, `imm2` = cmode << 1 | op.
    ModImm,
    Uzp1,
    Uzp2,
    Trn1,
    Trn2,
    Zip1,
    Zip2,
    /// EXT: bytes `imm..` of `rn:rm`.
    Ext,
    /// TBL/TBX with `imm` table registers starting at `rn`.
    Tbl,
    Tbx,
}

/// The ARM ARM's `AdvSIMDExpandImm(op, cmode, imm8)`; `None` for the unallocated combinations.
pub(crate) fn expand_imm(op: bool, cmode: u8, imm8: u8) -> Option<u64> {
    let i = imm8 as u64;
    let rep32 = |v: u64| v | (v << 32);
    let rep16 = |v: u64| v | (v << 16) | (v << 32) | (v << 48);
    Some(match cmode >> 1 {
        0 => rep32(i),
        1 => rep32(i << 8),
        2 => rep32(i << 16),
        3 => rep32(i << 24),
        4 => rep16(i),
        5 => rep16(i << 8),
        6 => {
            if cmode & 1 == 0 {
                rep32((i << 8) | 0xff)
            } else {
                rep32((i << 16) | 0xffff)
            }
        }
        _ => match (cmode & 1, op) {
            (0, false) => i * 0x0101_0101_0101_0101,
            (0, true) => {
                let mut r = 0u64;
                for b in 0..8 {
                    if i & (1 << b) != 0 {
                        r |= 0xff << (8 * b);
                    }
                }
                r
            }
            (_, false) => {
                // FMOV single: aBbbbbbc defgh000 0…
                let a = (i >> 7) & 1;
                let b = (i >> 6) & 1;
                let v = (a << 31)
                    | ((b ^ 1) << 30)
                    | (if b != 0 { 0x1f << 25 } else { 0 })
                    | ((i & 0x3f) << 19);
                rep32(v)
            }
            (_, true) => {
                let a = (i >> 7) & 1;
                let b = (i >> 6) & 1;
                (a << 63)
                    | ((b ^ 1) << 62)
                    | (if b != 0 { 0xff << 54 } else { 0 })
                    | ((i & 0x3f) << 48)
            }
        },
    })
}

pub(crate) fn exec<S: Sem>(s: &mut S, v: Vector, p: Perm) {
    let e = ebits(v.size);
    let n = v.count(e);
    match p {
        Perm::DupElem => {
            let src = s.vreg(v.rn);
            let x = s.q_lane(src, e, v.imm as u32);
            let mut out = Out::zero(s);
            for i in 0..n {
                out.set(s, e, i, x);
            }
            s.set_vreg(v.rd, out.q);
        }
        Perm::DupGen => {
            let x = s.x(v.rn);
            let mut out = Out::zero(s);
            for i in 0..n {
                out.set(s, e, i, x);
            }
            s.set_vreg(v.rd, out.q);
        }
        Perm::InsGen => {
            let x = s.x(v.rn);
            let d = s.vreg(v.rd);
            let r = s.q_with_lane(d, e, v.imm as u32, x);
            s.set_vreg(v.rd, r);
        }
        Perm::InsElem => {
            let src = s.vreg(v.rn);
            let x = s.q_lane(src, e, v.imm2 as u32);
            let d = s.vreg(v.rd);
            let r = s.q_with_lane(d, e, v.imm as u32, x);
            s.set_vreg(v.rd, r);
        }
        Perm::Umov | Perm::Smov => {
            let src = s.vreg(v.rn);
            let mut x = s.q_lane(src, e, v.imm as u32);
            if p == Perm::Smov {
                x = s.sext(x, e);
                if !v.q {
                    x = s.zext(x, 32);
                }
            }
            s.set_x(v.rd, x);
        }
        Perm::ModImm => {
            let (cmode, op) = (v.imm2 >> 1, v.imm2 & 1 != 0);
            let imm = expand_imm(op, cmode, v.imm).unwrap_or(0);
            let lo = s.imm(imm);
            let hi = s.imm(if v.q { imm } else { 0 });
            let k = s.q_from(lo, hi);
            // ORR / BIC: cmode 0xx1 and 10x1; MVNI: op = 1 and not the 64-bit / FMOV forms.
            let logical = cmode < 12 && cmode & 1 == 1;
            let r = if logical {
                let d = s.vreg(v.rd);
                let r = if op {
                    let nk = s.q_not(k);
                    s.q_and(d, nk)
                } else {
                    s.q_or(d, k)
                };
                clear_high(s, r, v.q)
            } else if op && cmode < 14 {
                let nk = s.q_not(k);
                clear_high(s, nk, v.q)
            } else {
                k
            };
            s.set_vreg(v.rd, r);
        }
        Perm::Uzp1 | Perm::Uzp2 | Perm::Trn1 | Perm::Trn2 | Perm::Zip1 | Perm::Zip2 => {
            let a = s.vreg(v.rn);
            let b = s.vreg(v.rm);
            let mut out = Out::zero(s);
            let half = n / 2;
            for i in 0..n {
                let (src, idx) = match p {
                    Perm::Uzp1 | Perm::Uzp2 => {
                        let k = 2 * i + (p == Perm::Uzp2) as u32;
                        if k < n { (a, k) } else { (b, k - n) }
                    }
                    Perm::Trn1 | Perm::Trn2 => {
                        let k = (i & !1) + (p == Perm::Trn2) as u32;
                        (if i & 1 == 0 { a } else { b }, k)
                    }
                    _ => {
                        let k = i / 2 + if p == Perm::Zip2 { half } else { 0 };
                        (if i & 1 == 0 { a } else { b }, k)
                    }
                };
                let x = s.q_lane(src, e, idx);
                out.set(s, e, i, x);
            }
            s.set_vreg(v.rd, out.q);
        }
        Perm::Ext => {
            let a = s.vreg(v.rn);
            let b = s.vreg(v.rm);
            let bytes = if v.q { 16 } else { 8 };
            let mut out = Out::zero(s);
            for i in 0..bytes {
                let k = i + v.imm as u32;
                let x = if k < bytes {
                    s.q_lane(a, 8, k)
                } else {
                    s.q_lane(b, 8, k - bytes)
                };
                out.set(s, 8, i, x);
            }
            s.set_vreg(v.rd, out.q);
        }
        Perm::Tbl | Perm::Tbx => {
            let nregs = v.imm as usize;
            let mut tbl = [s.vreg(v.rn); 4];
            for (k, t) in tbl.iter_mut().enumerate().take(nregs).skip(1) {
                *t = s.vreg((v.rn + k as u8) & 31);
            }
            let idx = s.vreg(v.rm);
            let fallback = if p == Perm::Tbx {
                s.vreg(v.rd)
            } else {
                let z = s.imm(0);
                s.q_from(z, z)
            };
            let r = s.q_tbl(&tbl[..nregs], idx, fallback);
            let r = clear_high(s, r, v.q);
            s.set_vreg(v.rd, r);
        }
    }
}
