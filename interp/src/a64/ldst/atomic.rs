//! LSE atomics: LDADD, LDCLR, LDEOR, LDSET, LDSMAX, LDSMIN, LDUMAX, LDUMIN, SWP (B/H/W/X, with A/L variants;
//! the ST* aliases are these with Rt = XZR), CAS* (B/H/W/X) and CASP* (W/X pairs). The read-modify-write and
//! its alignment check are the `Sem` primitives' (`atomic_rmw`, `atomic_cas`, `atomic_casp`).

use super::{LdSt, excl};
use crate::decode::fields::{bit, bits, reg};
use crate::sem::{AtomicOp, Reg, Sem};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AtomOp {
    /// `rt = old; mem = op(old, rs)`.
    Rmw(AtomicOp),
    /// `rs = old; if old == rs { mem = rt }`.
    Cas,
    /// CASP: the pairs `rs, rs+1` (expected, then old) and `rt, rt+1` (new).
    Casp,
}

/// An atomic access of `1 << size` bytes (per register, for CASP).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Atomic {
    pub op: AtomOp,
    pub size: u8,
    pub rs: Reg,
    pub rt: Reg,
    pub rn: Reg,
    pub acquire: bool,
    pub release: bool,
}

fn atomic(op: AtomOp, size: u32, w: u32, acquire: bool, release: bool) -> LdSt {
    LdSt::Atomic(Atomic {
        op,
        size: size as u8,
        rs: reg(w, 16),
        rt: reg(w, 0),
        rn: reg(w, 5),
        acquire,
        release,
    })
}

/// Atomic memory operations (bits 29:24 = 111000, bit 21 = 1, bits 11:10 = 00, V = 0).
pub(super) fn decode(w: u32) -> Option<LdSt> {
    let size = bits(w, 31, 30);
    let (a, r) = (bit(w, 23), bit(w, 22));
    let op = match (bit(w, 15), bits(w, 14, 12)) {
        (false, 0) => AtomicOp::Add,
        (false, 1) => AtomicOp::Clr,
        (false, 2) => AtomicOp::Eor,
        (false, 3) => AtomicOp::Set,
        (false, 4) => AtomicOp::Smax,
        (false, 5) => AtomicOp::Smin,
        (false, 6) => AtomicOp::Umax,
        (false, _) => AtomicOp::Umin,
        (true, 0) => AtomicOp::Swp,
        (true, 4) if a && !r => return Some(excl::decode_ldapr(w)),
        _ => return None, // LD64B/ST64B/ST64BV*, unallocated
    };
    Some(atomic(AtomOp::Rmw(op), size, w, a, r))
}

/// CAS/CASA/CASL/CASAL (+B/H): size, o2 = 1, o1 = 1, L = acquire, o0 = release, Rt2 = 11111.
pub(super) fn decode_cas(w: u32) -> Option<LdSt> {
    if bits(w, 14, 10) != 31 {
        return None;
    }
    Some(atomic(
        AtomOp::Cas,
        bits(w, 31, 30),
        w,
        bit(w, 22),
        bit(w, 15),
    ))
}

/// CASP/CASPA/CASPL/CASPAL: `0 sz 001000 0 L 1 Rs o0 11111 Rn Rt`, Rs and Rt even.
pub(super) fn decode_casp(w: u32) -> Option<LdSt> {
    if bit(w, 31) || bits(w, 14, 10) != 31 || reg(w, 16) & 1 != 0 || reg(w, 0) & 1 != 0 {
        return None;
    }
    let size = if bit(w, 30) { 3 } else { 2 };
    Some(atomic(AtomOp::Casp, size, w, bit(w, 22), bit(w, 15)))
}

impl Atomic {
    pub fn exec<S: Sem>(self, s: &mut S) {
        let addr = s.x_or_sp(self.rn);
        let bytes = 1u32 << self.size;
        if self.release {
            s.barrier();
        }
        match self.op {
            AtomOp::Rmw(op) => {
                let v = s.x(self.rs);
                let old = s.atomic_rmw(op, addr, v, bytes);
                s.set_x(self.rt, old);
            }
            AtomOp::Cas => {
                let expected = s.x(self.rs);
                let new = s.x(self.rt);
                let old = s.atomic_cas(addr, expected, new, bytes);
                s.set_x(self.rs, old);
            }
            AtomOp::Casp => {
                let e = (s.x(self.rs), s.x(self.rs + 1));
                let n = (s.x(self.rt), s.x(self.rt + 1));
                let (lo, hi) = s.atomic_casp(addr, e, n, bytes);
                s.set_x(self.rs, lo);
                s.set_x(self.rs + 1, hi);
            }
        }
        if self.acquire {
            s.barrier();
        }
    }
}
