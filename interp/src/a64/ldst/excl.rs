//! Exclusives and ordered accesses: LDXR/LDAXR/STXR/STLXR (B/H/W/X), LDXP/LDAXP/STXP/STLXP (W/X pairs),
//! LDAR/STLR and LDLAR/STLLR (all sizes), LDAPR* (RCpc) and LDAPUR*/STLUR* (RCpc2, unscaled offset).
//! CAS/CASP share the exclusive encoding space and are decoded here into [`super::Atomic`].
//!
//! The exclusive monitor lives behind the `Sem` primitives (`load_exclusive`, `store_exclusive`,
//! `exclusive_high`), which also check alignment.

use super::{LdSt, Op, atomic, load_value};
use crate::decode::fields::{bit, bits, reg, sext};
use crate::sem::{Reg, Sem};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExOp {
    /// LDXR/LDAXR: load-exclusive into `rt`.
    Ldx,
    /// STXR/STLXR: store-exclusive of `rt`, status to `rs`.
    Stx,
    /// LDXP/LDAXP: two registers from one exclusive access of twice the size.
    Ldxp,
    /// STXP/STLXP.
    Stxp,
    /// Ordered load (LDAR, LDLAR, LDAPR, LDAPUR; `Op::LdSx*` for LDAPURS*).
    Ld(Op),
    /// Ordered store (STLR, STLLR, STLUR).
    St,
}

/// An exclusive or ordered access of `1 << size` bytes per register, at `[Xn|SP, #imm]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Excl {
    pub op: ExOp,
    pub size: u8,
    pub rs: Reg,
    pub rt: Reg,
    pub rt2: Reg,
    pub rn: Reg,
    pub acquire: bool,
    pub release: bool,
    /// Unscaled offset (RCpc2 forms only; 0 otherwise).
    pub imm: i16,
}

fn excl(op: ExOp, size: u32, w: u32, acquire: bool, release: bool) -> LdSt {
    LdSt::Excl(Excl {
        op,
        size: size as u8,
        rs: reg(w, 16),
        rt: reg(w, 0),
        rt2: reg(w, 10),
        rn: reg(w, 5),
        acquire,
        release,
        imm: 0,
    })
}

/// The exclusive / ordered / compare-and-swap class (bits 29:24 = 001000).
pub(super) fn decode(w: u32) -> Option<LdSt> {
    let size = bits(w, 31, 30);
    let (o2, l, o1, o0) = (bit(w, 23), bit(w, 22), bit(w, 21), bit(w, 15));
    Some(match (o2, o1) {
        (false, false) if l => excl(ExOp::Ldx, size, w, o0, false),
        (false, false) => excl(ExOp::Stx, size, w, false, o0),
        (false, true) if size >= 2 => {
            if l {
                excl(ExOp::Ldxp, size, w, o0, false)
            } else {
                excl(ExOp::Stxp, size, w, false, o0)
            }
        }
        (false, true) => atomic::decode_casp(w)?,
        // LDAR (o0 = 1) / LDLAR (o0 = 0): LDLAR's limited ordering region is the whole memory here.
        (true, false) if l => excl(ExOp::Ld(Op::Ld), size, w, true, false),
        (true, false) => excl(ExOp::St, size, w, false, true),
        (true, true) => atomic::decode_cas(w)?,
    })
}

/// LDAPR (RCpc), found in the atomic-memory-operation space (o3 = 1, opc = 100, A = 1, R = 0).
pub(super) fn decode_ldapr(w: u32) -> LdSt {
    excl(ExOp::Ld(Op::Ld), bits(w, 31, 30), w, true, false)
}

/// LDAPUR*/STLUR* (RCpc2: bits 29:24 = 011001, bit 21 = 0, bits 11:10 = 00).
pub(super) fn decode_rcpc2(w: u32) -> Option<LdSt> {
    let size = bits(w, 31, 30);
    let (op, acquire) = match (bits(w, 23, 22), size) {
        (0, _) => (ExOp::St, false),
        (1, _) => (ExOp::Ld(Op::Ld), true),
        (2, 0..=2) => (ExOp::Ld(Op::LdSx64), true),
        (3, 0 | 1) => (ExOp::Ld(Op::LdSx32), true),
        _ => return None,
    };
    let LdSt::Excl(mut i) = excl(op, size, w, acquire, !acquire) else {
        return None;
    };
    i.imm = sext(bits(w, 20, 12), 9) as i16;
    Some(LdSt::Excl(i))
}

impl Excl {
    pub fn exec<S: Sem>(self, s: &mut S) {
        let base = s.x_or_sp(self.rn);
        let addr = super::offset(s, base, self.imm as i64);
        let bytes = 1u32 << self.size;
        if self.release {
            s.barrier();
        }
        match self.op {
            ExOp::Ldx => {
                let v = s.load_exclusive(addr, bytes);
                s.set_x(self.rt, v);
            }
            ExOp::Ldxp => {
                let (lo, hi) = if self.size == 3 {
                    let lo = s.load_exclusive(addr, 16);
                    (lo, s.exclusive_high())
                } else {
                    let v = s.load_exclusive(addr, 8);
                    let lo = s.zext(v, 32);
                    let sh = s.imm(32);
                    (lo, s.lsr(crate::sem::Width::W64, v, sh))
                };
                s.set_x(self.rt, lo);
                s.set_x(self.rt2, hi);
            }
            ExOp::Stx => {
                let v = s.x(self.rt);
                let z = s.imm(0);
                let status = s.store_exclusive(addr, v, z, bytes);
                s.set_x(self.rs, status);
            }
            ExOp::Stxp => {
                let a = s.x(self.rt);
                let b = s.x(self.rt2);
                let status = if self.size == 3 {
                    s.store_exclusive(addr, a, b, 16)
                } else {
                    let lo = s.zext(a, 32);
                    let sh = s.imm(32);
                    let hi = s.shl(crate::sem::Width::W64, b, sh);
                    let v = s.or(lo, hi);
                    let z = s.imm(0);
                    s.store_exclusive(addr, v, z, 8)
                };
                s.set_x(self.rs, status);
            }
            ExOp::Ld(op) => {
                let v = load_value(s, op, self.size, addr);
                s.set_x(self.rt, v);
            }
            ExOp::St => {
                let v = s.x(self.rt);
                s.store(addr, v, bytes);
                // RCsc: a later load-acquire must not be satisfied before this store is visible.
                s.barrier();
            }
        }
        if self.acquire {
            s.barrier();
        }
    }
}
