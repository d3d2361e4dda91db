//! Single-register loads and stores (general-purpose and SIMD&FP): LDR (literal), LDR/STR with an unsigned
//! scaled offset, LDUR/STUR, pre- and post-index, LDTR/STTR (unprivileged: a normal access at EL0) and register
//! offset with LSL/UXTW/SXTW/SXTX. PRFM/PRFUM in any of these forms decode to [`LdSt::Prefetch`].

use super::{Imm32, LdSt, Op, is_load, load_reg, offset, store_reg};
use crate::decode::fields::{bit, bits, reg, sext};
use crate::sem::{Reg, Sem, Width};

/// How the address is formed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// `[Xn|SP, #imm]`: unsigned scaled or unscaled offset, no writeback.
    Offset,
    /// `[Xn|SP, #imm]!`.
    Pre,
    /// `[Xn|SP], #imm`.
    Post,
    /// `[Xn|SP, Rm{, ext #amount}]`; `imm` holds the shift amount (0 or the access size's log2).
    Reg,
    /// `label`: pc + imm.
    Literal,
}

/// Extension of the offset register in [`Mode::Reg`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ext {
    Uxtw,
    /// LSL / UXTX: the 64-bit register as is.
    Lsl,
    Sxtw,
}

/// A single-register load or store. `size` is the log2 of the access size in bytes (0..=4).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Single {
    pub op: Op,
    pub size: u8,
    pub rt: Reg,
    pub rn: Reg,
    pub mode: Mode,
    pub rm: Reg,
    pub ext: Ext,
    /// Byte offset (Offset/Pre/Post/Literal) or shift amount (Reg).
    pub imm: Imm32,
}

/// What (size, V, opc) of the register classes name.
enum Kind {
    Transfer(Op, u8),
    Prefetch,
}

/// Decodes size/V/opc (bits 31:30, 26, 23:22) of the immediate and register-offset classes.
fn kind(w: u32) -> Option<Kind> {
    let size = bits(w, 31, 30) as u8;
    let opc = bits(w, 23, 22);
    Some(if bit(w, 26) {
        match (opc, size) {
            (0, _) => Kind::Transfer(Op::StV, size),
            (1, _) => Kind::Transfer(Op::LdV, size),
            (2, 0) => Kind::Transfer(Op::StV, 4),
            (3, 0) => Kind::Transfer(Op::LdV, 4),
            _ => return None,
        }
    } else {
        match (opc, size) {
            (0, _) => Kind::Transfer(Op::St, size),
            (1, _) => Kind::Transfer(Op::Ld, size),
            (2, 3) => Kind::Prefetch,
            (2, _) => Kind::Transfer(Op::LdSx64, size),
            (3, 0 | 1) => Kind::Transfer(Op::LdSx32, size),
            _ => return None,
        }
    })
}

fn single(op: Op, size: u8, w: u32, mode: Mode, imm: i64) -> LdSt {
    LdSt::Single(Single {
        op,
        size,
        rt: reg(w, 0),
        rn: reg(w, 5),
        mode,
        rm: 0,
        ext: Ext::Lsl,
        imm: Imm32::new(imm as i32),
    })
}

/// Load register (literal): LDR W/X/S/D/Q, LDRSW, PRFM (literal).
pub(super) fn decode_literal(w: u32) -> Option<LdSt> {
    let imm = sext(bits(w, 23, 5), 19) << 2;
    let (op, size) = match (bit(w, 26), bits(w, 31, 30)) {
        (false, 0) => (Op::Ld, 2),
        (false, 1) => (Op::Ld, 3),
        (false, 2) => (Op::LdSx64, 2),
        (false, _) => return Some(LdSt::Prefetch),
        (true, 0) => (Op::LdV, 2),
        (true, 1) => (Op::LdV, 3),
        (true, 2) => (Op::LdV, 4),
        (true, _) => return None,
    };
    Some(single(op, size, w, Mode::Literal, imm))
}

/// Unsigned scaled 12-bit offset.
pub(super) fn decode_unsigned(w: u32) -> Option<LdSt> {
    match kind(w)? {
        Kind::Prefetch => Some(LdSt::Prefetch),
        Kind::Transfer(op, size) => {
            let imm = (bits(w, 21, 10) as i64) << size;
            Some(single(op, size, w, Mode::Offset, imm))
        }
    }
}

/// The 9-bit signed immediate forms (bits 11:10): unscaled, post-index, unprivileged, pre-index.
pub(super) fn decode_imm9(w: u32) -> Option<LdSt> {
    let imm = sext(bits(w, 20, 12), 9);
    let k = kind(w)?;
    let mode = match bits(w, 11, 10) {
        0b00 => Mode::Offset,
        0b01 => Mode::Post,
        0b10 if bit(w, 26) => return None, // no unprivileged SIMD&FP forms
        0b10 => Mode::Offset,
        _ => Mode::Pre,
    };
    match k {
        // PRFUM; size 11 with opc 10 is unallocated in the other forms.
        Kind::Prefetch if bits(w, 11, 10) == 0 => Some(LdSt::Prefetch),
        Kind::Prefetch => None,
        Kind::Transfer(op, size) => Some(single(op, size, w, mode, imm)),
    }
}

/// Register offset: `[Xn|SP, Rm{, ext {#amount}}]`.
pub(super) fn decode_reg(w: u32) -> Option<LdSt> {
    let k = kind(w)?;
    let ext = match bits(w, 15, 13) {
        0b010 => Ext::Uxtw,
        0b011 | 0b111 => Ext::Lsl,
        0b110 => Ext::Sxtw,
        _ => return None,
    };
    match k {
        Kind::Prefetch => Some(LdSt::Prefetch),
        Kind::Transfer(op, size) => {
            let shift = if bit(w, 12) { size as i64 } else { 0 };
            let LdSt::Single(mut i) = single(op, size, w, Mode::Reg, shift) else {
                return None;
            };
            i.rm = reg(w, 16);
            i.ext = ext;
            Some(LdSt::Single(i))
        }
    }
}

impl Single {
    #[inline(always)]
    pub fn exec<S: Sem>(self, s: &mut S) {
        let imm = self.imm.get() as i64;
        let (addr, wb) = match self.mode {
            Mode::Literal => {
                let a = s.pc().wrapping_add(imm as u64);
                (s.imm(a), None)
            }
            Mode::Offset => {
                let b = s.x_or_sp(self.rn);
                (offset(s, b, imm), None)
            }
            Mode::Pre => {
                let b = s.x_or_sp(self.rn);
                let a = offset(s, b, imm);
                (a, Some(a))
            }
            Mode::Post => {
                let b = s.x_or_sp(self.rn);
                let a = offset(s, b, imm);
                (b, Some(a))
            }
            Mode::Reg => {
                let b = s.x_or_sp(self.rn);
                let m = s.x(self.rm);
                let m = match self.ext {
                    Ext::Uxtw => s.zext(m, 32),
                    Ext::Sxtw => s.sext(m, 32),
                    Ext::Lsl => m,
                };
                let m = if imm != 0 {
                    let sh = s.imm(imm as u64);
                    s.shl(Width::W64, m, sh)
                } else {
                    m
                };
                (s.add(b, m), None)
            }
        };
        if is_load(self.op) {
            load_reg(s, self.op, self.size, self.rt, addr);
        } else {
            store_reg(s, self.op, self.size, self.rt, addr);
        }
        if let Some(a) = wb {
            s.set_x_or_sp(self.rn, a);
        }
    }
}
