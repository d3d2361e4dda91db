//! Advanced SIMD structure loads and stores: LD1–LD4/ST1–ST4 of multiple structures (LD1/ST1 with 1–4
//! registers), of a single structure to or from one lane, and LD1R–LD4R (load and replicate), each with
//! optional post-index by an immediate (the bytes transferred) or by a register.
//!
//! Registers wrap modulo 32 (`ld4 {v30.4s-v1.4s}`). A load of a 64-bit arrangement zeroes the upper half of
//! each destination; a lane load keeps the other lanes.

use super::LdSt;
use crate::decode::fields::{bit, bits, reg};
use crate::sem::{Reg, Sem};

/// LDn/STn (multiple structures): `rpt` groups of `selem` registers, elements of `8 << esize` bits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Multi {
    pub load: bool,
    /// 128-bit (Q = 1) or 64-bit arrangement.
    pub q: bool,
    pub rt: Reg,
    pub rn: Reg,
    /// Post-index register; 31 means by the immediate (the number of bytes transferred).
    pub rm: Reg,
    pub post: bool,
    pub rpt: u8,
    pub selem: u8,
    pub esize: u8,
}

/// LDn/STn to or from lane `index`, or LDnR (`replicate`), elements of `8 << esize` bits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lane {
    pub load: bool,
    pub replicate: bool,
    /// Only meaningful for LDnR: the arrangement's width.
    pub q: bool,
    pub rt: Reg,
    pub rn: Reg,
    pub rm: Reg,
    pub post: bool,
    pub selem: u8,
    pub esize: u8,
    pub index: u8,
}

/// `0 Q 0011 0 0 P L R Rm opcode S size Rn Rt` (bit 24 selects single structure).
pub(super) fn decode(w: u32) -> Option<LdSt> {
    let post = bit(w, 23);
    let rm = reg(w, 16);
    if bit(w, 31) || (!post && rm != 0) {
        return None;
    }
    let (q, load, size) = (bit(w, 30), bit(w, 22), bits(w, 11, 10));
    let (rt, rn) = (reg(w, 0), reg(w, 5));
    if !bit(w, 24) {
        if bit(w, 21) {
            return None;
        }
        let (rpt, selem) = match bits(w, 15, 12) {
            0b0000 => (1, 4),
            0b0010 => (4, 1),
            0b0100 => (1, 3),
            0b0110 => (3, 1),
            0b0111 => (1, 1),
            0b1000 => (1, 2),
            0b1010 => (2, 1),
            _ => return None,
        };
        if size == 3 && !q && selem != 1 {
            return None;
        }
        return Some(LdSt::Multi(Multi {
            load,
            q,
            rt,
            rn,
            rm,
            post,
            rpt,
            selem,
            esize: size as u8,
        }));
    }
    let opcode = bits(w, 15, 13);
    let s = bits(w, 12, 12);
    let selem = (((opcode & 1) << 1) | bits(w, 21, 21)) + 1;
    let qb = q as u32;
    let (esize, index, replicate) = match opcode >> 1 {
        0 => (0, (qb << 3) | (s << 2) | size, false),
        1 if size & 1 == 0 => (1, (qb << 2) | (s << 1) | (size >> 1), false),
        2 if size == 0 => (2, (qb << 1) | s, false),
        2 if size == 1 && s == 0 => (3, qb, false),
        3 if load && s == 0 => (size, 0, true),
        _ => return None,
    };
    Some(LdSt::Lane(Lane {
        load,
        replicate,
        q,
        rt,
        rn,
        rm,
        post,
        selem: selem as u8,
        esize: esize as u8,
        index: index as u8,
    }))
}

/// Post-index writeback: `Xn|SP = base + (Xm or imm)`.
fn post_index<S: Sem>(s: &mut S, rn: Reg, rm: Reg, base: S::V, imm: u64) {
    let off = if rm == 31 { s.imm(imm) } else { s.x(rm) };
    let a = s.add(base, off);
    s.set_x_or_sp(rn, a);
}

impl Multi {
    pub fn exec<S: Sem>(self, s: &mut S) {
        let base = s.x_or_sp(self.rn);
        let regbytes: u32 = if self.q { 16 } else { 8 };
        let ebytes = 1u32 << self.esize;
        let ebits = 8 << self.esize;
        let elements = regbytes / ebytes;
        let nregs = self.rpt as u32 * self.selem as u32;
        let vt = |r: u32| ((self.rt as u32 + r) % 32) as Reg;
        let mut vals = [None; 4];
        if self.selem == 1 {
            // Elements are consecutive: each register is one contiguous 8- or 16-byte access.
            for r in 0..nregs {
                let a = super::offset(s, base, (r * regbytes) as i64);
                if self.load {
                    vals[r as usize] = Some(if self.q {
                        s.load_q(a)
                    } else {
                        let lo = s.load(a, 8);
                        let z = s.imm(0);
                        s.q_from(lo, z)
                    });
                } else {
                    let v = s.vreg(vt(r));
                    if self.q {
                        s.store_q(a, v);
                    } else {
                        let lo = s.q_lo(v);
                        s.store(a, lo, 8);
                    }
                }
            }
        } else {
            let z = s.imm(0);
            let zero = s.q_from(z, z);
            let mut regs = [zero; 4];
            if !self.load {
                for (r, q) in regs.iter_mut().enumerate().take(nregs as usize) {
                    *q = s.vreg(vt(r as u32));
                }
            }
            for e in 0..elements {
                for (r, q) in regs.iter_mut().enumerate().take(nregs as usize) {
                    let off = (e * nregs + r as u32) * ebytes;
                    let a = super::offset(s, base, off as i64);
                    if self.load {
                        let v = s.load(a, ebytes);
                        *q = s.q_with_lane(*q, ebits, e, v);
                    } else {
                        let v = s.q_lane(*q, ebits, e);
                        s.store(a, v, ebytes);
                    }
                }
            }
            if self.load {
                for (r, q) in regs.iter().enumerate().take(nregs as usize) {
                    vals[r] = Some(*q);
                }
            }
        }
        // Registers are written only after every access succeeded.
        for (r, v) in vals.iter().enumerate() {
            if let Some(v) = *v {
                s.set_vreg(vt(r as u32), v);
            }
        }
        if self.post {
            post_index(s, self.rn, self.rm, base, (nregs * regbytes) as u64);
        }
    }
}

impl Lane {
    pub fn exec<S: Sem>(self, s: &mut S) {
        let base = s.x_or_sp(self.rn);
        let ebytes = 1u32 << self.esize;
        let ebits = 8 << self.esize;
        let n = self.selem as u32;
        let vt = |r: u32| ((self.rt as u32 + r) % 32) as Reg;
        let mut vals = [None; 4];
        for r in 0..n {
            let a = super::offset(s, base, (r * ebytes) as i64);
            if self.replicate {
                let v = s.load(a, ebytes);
                let rep = match self.esize {
                    0 => Some(0x0101_0101_0101_0101u64),
                    1 => Some(0x0001_0001_0001_0001),
                    2 => Some(0x0000_0001_0000_0001),
                    _ => None,
                };
                let d = match rep {
                    Some(m) => {
                        let m = s.imm(m);
                        s.mul(v, m)
                    }
                    None => v,
                };
                let hi = if self.q { d } else { s.imm(0) };
                vals[r as usize] = Some(s.q_from(d, hi));
            } else if self.load {
                let v = s.load(a, ebytes);
                let old = s.vreg(vt(r));
                vals[r as usize] = Some(s.q_with_lane(old, ebits, self.index as u32, v));
            } else {
                let q = s.vreg(vt(r));
                let v = s.q_lane(q, ebits, self.index as u32);
                s.store(a, v, ebytes);
            }
        }
        for (r, v) in vals.iter().enumerate() {
            if let Some(v) = *v {
                s.set_vreg(vt(r as u32), v);
            }
        }
        if self.post {
            post_index(s, self.rn, self.rm, base, (n * ebytes) as u64);
        }
    }
}
