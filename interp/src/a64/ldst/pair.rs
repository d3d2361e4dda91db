//! Register pairs: LDP/STP/LDNP/STNP (W, X, S, D, Q) and LDPSW, with signed offset, pre- and post-index.
//! LDNP/STNP's non-temporal hint has no effect here: they are LDP/STP with an offset.

use super::{LdSt, Mode, Op, is_load, load_v, load_value, offset, store_reg};
use crate::decode::fields::{bit, bits, reg, sext};
use crate::sem::{Reg, Sem};

/// A pair transfer of two `1 << size`-byte registers at consecutive addresses. `mode` is Offset, Pre or Post.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pair {
    pub op: Op,
    pub size: u8,
    pub rt: Reg,
    pub rt2: Reg,
    pub rn: Reg,
    pub mode: Mode,
    /// Byte offset (imm7 already scaled).
    pub imm: i16,
}

pub(super) fn decode(w: u32) -> Option<LdSt> {
    let load = bit(w, 22);
    let opc = bits(w, 31, 30);
    let mode = match bits(w, 24, 23) {
        0b00 | 0b10 => Mode::Offset,
        0b01 => Mode::Post,
        _ => Mode::Pre,
    };
    let (op, size) = if bit(w, 26) {
        let size = match opc {
            0 => 2,
            1 => 3,
            2 => 4,
            _ => return None,
        };
        (if load { Op::LdV } else { Op::StV }, size)
    } else {
        match opc {
            0 => (if load { Op::Ld } else { Op::St }, 2),
            // LDPSW; opc 01 with L = 0 is STGP (memory tagging), with mode 00 unallocated.
            1 if load && bits(w, 24, 23) != 0 => (Op::LdSx64, 2),
            2 => (if load { Op::Ld } else { Op::St }, 3),
            _ => return None,
        }
    };
    Some(LdSt::Pair(Pair {
        op,
        size,
        rt: reg(w, 0),
        rt2: reg(w, 10),
        rn: reg(w, 5),
        mode,
        imm: (sext(bits(w, 21, 15), 7) << size) as i16,
    }))
}

impl Pair {
    #[inline(always)]
    pub fn exec<S: Sem>(self, s: &mut S) {
        let base = s.x_or_sp(self.rn);
        let moved = offset(s, base, self.imm as i64);
        let addr = if self.mode == Mode::Post { base } else { moved };
        let addr2 = offset(s, addr, 1 << self.size);
        match self.op {
            Op::LdV => {
                let a = load_v(s, self.size, addr);
                let b = load_v(s, self.size, addr2);
                s.set_vreg(self.rt, a);
                s.set_vreg(self.rt2, b);
            }
            op if is_load(op) => {
                // Both loads before either write: `ldp x0, x1, [x0]` must use the old base for both. Rt2 is
                // written first so that Rt == Rt2 leaves the first value, as qemu-aarch64 does.
                let a = load_value(s, op, self.size, addr);
                let b = load_value(s, op, self.size, addr2);
                s.set_x(self.rt2, b);
                s.set_x(self.rt, a);
            }
            op => {
                store_reg(s, op, self.size, self.rt, addr);
                store_reg(s, op, self.size, self.rt2, addr2);
            }
        }
        if self.mode != Mode::Offset {
            s.set_x_or_sp(self.rn, moved);
        }
    }
}
