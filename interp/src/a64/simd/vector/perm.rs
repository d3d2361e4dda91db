//! Moving data between lanes and registers: copy (DUP, INS, UMOV, SMOV), permute (UZP, TRN, ZIP), EXT, TBL/TBX
//! and the modified-immediate moves (MOVI, MVNI, ORR, BIC, FMOV (vector, immediate)).

use super::Vector;
use super::lanes::{clear_high, ebits, ones, shuffle_idx};
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
        Perm::DupElem if v.scalar => {
            let src = s.vreg(v.rn);
            let x = s.q_lane(src, e, v.imm as u32);
            let z = s.imm(0);
            let r = s.q_from(x, z);
            s.set_vreg(v.rd, r);
        }
        Perm::DupElem => {
            let src = s.vreg(v.rn);
            let idx = shuffle_idx(e, n, |_| (false, v.imm as u32));
            let r = s.q_shuffle(src, src, idx);
            let r = clear_high(s, r, v.q);
            s.set_vreg(v.rd, r);
        }
        Perm::DupGen => {
            // The element times 0x0101…: one copy per lane of a 64-bit half.
            let x = s.x(v.rn);
            let x = s.zext(x, e);
            let rep = s.imm(u64::MAX / ones(e));
            let r = s.mul(x, rep);
            let z = s.imm(0);
            let q = s.q_from(r, if v.q { r } else { z });
            s.set_vreg(v.rd, q);
        }
        Perm::InsGen => {
            let x = s.x(v.rn);
            let d = s.vreg(v.rd);
            let r = s.q_with_lane(d, e, v.imm as u32, x);
            s.set_vreg(v.rd, r);
        }
        Perm::InsElem => {
            let d = s.vreg(v.rd);
            let src = s.vreg(v.rn);
            let idx = shuffle_idx(e, 128 / e, |i| {
                if i == v.imm as u32 {
                    (true, v.imm2 as u32)
                } else {
                    (false, i)
                }
            });
            let r = s.q_shuffle(d, src, idx);
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
            let half = n / 2;
            let idx = shuffle_idx(e, n, |i| match p {
                Perm::Uzp1 | Perm::Uzp2 => {
                    let k = 2 * i + (p == Perm::Uzp2) as u32;
                    if k < n { (false, k) } else { (true, k - n) }
                }
                Perm::Trn1 | Perm::Trn2 => (i & 1 == 1, (i & !1) + (p == Perm::Trn2) as u32),
                _ => (i & 1 == 1, i / 2 + if p == Perm::Zip2 { half } else { 0 }),
            });
            let r = s.q_shuffle(a, b, idx);
            let r = clear_high(s, r, v.q);
            s.set_vreg(v.rd, r);
        }
        Perm::Ext => {
            let a = s.vreg(v.rn);
            let b = s.vreg(v.rm);
            let bytes = if v.q { 16 } else { 8 };
            let idx = shuffle_idx(8, bytes, |i| {
                let k = i + v.imm as u32;
                if k < bytes {
                    (false, k)
                } else {
                    (true, k - bytes)
                }
            });
            let r = s.q_shuffle(a, b, idx);
            let r = clear_high(s, r, v.q);
            s.set_vreg(v.rd, r);
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
