//! Loads and stores (ARM ARM C4.1.88): every A64 load/store class a user-mode Linux program can use.
//!
//! One file per ARM ARM sub-class, each owning its compact decoded form, its decoder and its semantics:
//! - [`single`]: single registers, general-purpose and SIMD&FP — literal, unsigned scaled offset, unscaled
//!   (LDUR/STUR), pre/post-index, unprivileged (LDTR/STTR, which behave as normal loads at EL0) and register
//!   offset; PRFM/PRFUM in every form decode to [`LdSt::Prefetch`], a no-op.
//! - [`pair`]: LDP/STP/LDNP/STNP/LDPSW, general-purpose and SIMD&FP.
//! - [`excl`]: exclusives (LDXR…/STXR…, pairs), load-acquire/store-release (LDAR, STLR, LDLAR, STLLR), RCpc
//!   (LDAPR) and RCpc2 (LDAPUR*/STLUR*).
//! - [`atomic`]: LSE atomics (LDADD…, SWP, CAS, CASP).
//! - [`simd`]: Advanced SIMD structure loads and stores (LD1–LD4/ST1–ST4, multiple and single structure, LDnR).
//!
//! Not supported (decode as `None`, so the guest gets SIGILL, as on a CPU without the feature; elfrun does not
//! advertise them): memory tagging (STG, LDG, STGP…), LD64B/ST64B, LDRAA/LDRAB (PAuth), RCpc3 SIMD&FP and pair
//! forms, 128-bit atomics (LSE128), GCS stores.
//!
//! Constrained-unpredictable cases follow qemu-aarch64 (checked by the tests): a load with writeback and
//! `Rn == Rt` leaves the written-back address in `Rn`; a store with writeback and `Rn == Rt` stores the old
//! value of `Rt`; with `Rt == Rt2`, LDP/LDPSW of general registers leave the first value, LDP of SIMD&FP registers
//! and LDXP the second; a store-exclusive reads its operands before
//! writing the status register.
//!
//! Memory ordering: acquire forms call [`Sem::barrier`] after their access, release forms before it; STLR and
//! friends (RCsc) also after, so a later LDAR cannot pass them.
//! Ordered accesses (LDAR, STLR, LDAPR, …) are not checked for alignment (as with FEAT_LSE2); exclusives and
//! atomics are, by their `Sem` primitives.

mod atomic;
mod excl;
mod pair;
mod simd;
mod single;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_simd;

pub use atomic::{AtomOp, Atomic};
pub use excl::{ExOp, Excl};
pub use pair::Pair;
pub use simd::{Lane, Multi};
pub use single::{Ext, Mode, Single};

use crate::decode::fields::{bit, bits};
use crate::sem::{Reg, Sem, Width};

/// A decoded load/store. Payloads use alignment-1 fields so [`crate::Insn`] stays within 16 bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LdSt {
    Single(Single),
    Pair(Pair),
    Excl(Excl),
    Atomic(Atomic),
    Multi(Multi),
    Lane(Lane),
    /// PRFM / PRFUM / RPRFM: hints with no effect (they never fault).
    Prefetch,
}

/// What a single-register or pair transfer does with its register(s).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// STR: the low `size` bytes of X\[t\].
    St,
    /// LDR: zero-extended into X\[t\].
    Ld,
    /// LDRS* to an X register (sign-extended to 64 bits).
    LdSx64,
    /// LDRS* to a W register (sign-extended to 32 bits, zero above).
    LdSx32,
    /// STR of a SIMD&FP register (B/H/S/D/Q).
    StV,
    /// LDR of a SIMD&FP register: the whole 128-bit register is written, zero-extended.
    LdV,
}

/// A 32-bit immediate stored with alignment 1 (see [`LdSt`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Imm32([u8; 4]);

impl Imm32 {
    pub const fn new(v: i32) -> Imm32 {
        Imm32(v.to_le_bytes())
    }
    pub const fn get(self) -> i32 {
        i32::from_le_bytes(self.0)
    }
}

impl LdSt {
    pub fn decode(w: u32) -> Option<LdSt> {
        let v = bit(w, 26);
        if bit(w, 25) || !bit(w, 27) {
            return None; // not in the load/store group (op0 = x1x0)
        }
        match bits(w, 29, 27) {
            0b001 if v => simd::decode(w),
            0b001 if !bit(w, 24) => excl::decode(w),
            0b011 if !bit(w, 24) => single::decode_literal(w),
            0b011 if !v && !bit(w, 21) && bits(w, 11, 10) == 0 => excl::decode_rcpc2(w),
            0b101 => pair::decode(w),
            0b111 if bit(w, 24) => single::decode_unsigned(w),
            0b111 if !bit(w, 21) => single::decode_imm9(w),
            0b111 => match bits(w, 11, 10) {
                0b00 if !v => atomic::decode(w),
                0b10 => single::decode_reg(w),
                _ => None, // LDRAA/LDRAB (PAuth), SIMD&FP atomics
            },
            _ => None,
        }
    }

    #[inline]
    pub fn exec<S: Sem>(self, s: &mut S) {
        match self {
            LdSt::Single(i) => i.exec(s),
            LdSt::Pair(i) => i.exec(s),
            LdSt::Excl(i) => i.exec(s),
            LdSt::Atomic(i) => i.exec(s),
            LdSt::Multi(i) => i.exec(s),
            LdSt::Lane(i) => i.exec(s),
            LdSt::Prefetch => {}
        }
    }
}

/// `base + off` (decode-time offset); no operation when `off == 0`.
#[inline(always)]
fn offset<S: Sem>(s: &mut S, base: S::V, off: i64) -> S::V {
    if off == 0 {
        base
    } else {
        let o = s.imm(off as u64);
        s.add(base, o)
    }
}

/// Loads `1 << size` bytes at `addr` and delivers them to register `rt` as `op` says (a load `op`).
#[inline(always)]
fn load_reg<S: Sem>(s: &mut S, op: Op, size: u8, rt: Reg, addr: S::V) {
    match op {
        Op::LdV => {
            let q = load_v(s, size, addr);
            s.set_vreg(rt, q);
        }
        _ => {
            let v = load_value(s, op, size, addr);
            s.set_x(rt, v);
        }
    }
}

/// A SIMD&FP load of `1 << size` bytes, zero-extended to 128 bits.
#[inline(always)]
fn load_v<S: Sem>(s: &mut S, size: u8, addr: S::V) -> S::Q {
    if size == 4 {
        s.load_q(addr)
    } else {
        let lo = s.load(addr, 1 << size);
        let z = s.imm(0);
        s.q_from(lo, z)
    }
}

/// The value a general-purpose load `op` of `1 << size` bytes at `addr` produces.
#[inline(always)]
fn load_value<S: Sem>(s: &mut S, op: Op, size: u8, addr: S::V) -> S::V {
    let bits = 8u32 << size;
    let v = s.load(addr, 1 << size);
    match op {
        Op::LdSx64 => s.sext(v, bits),
        Op::LdSx32 => {
            let x = s.sext(v, bits);
            super::dp_imm::narrow(s, Width::W32, x)
        }
        _ => v,
    }
}

/// Stores `1 << size` bytes of register `rt` (X or V as `op` says) at `addr`.
#[inline(always)]
fn store_reg<S: Sem>(s: &mut S, op: Op, size: u8, rt: Reg, addr: S::V) {
    match op {
        Op::StV => {
            let q = s.vreg(rt);
            if size == 4 {
                s.store_q(addr, q);
            } else {
                let lo = s.q_lo(q);
                s.store(addr, lo, 1 << size);
            }
        }
        _ => {
            let v = s.x(rt);
            s.store(addr, v, 1 << size);
        }
    }
}

/// Whether `op` reads memory.
#[inline(always)]
const fn is_load(op: Op) -> bool {
    !matches!(op, Op::St | Op::StV)
}
