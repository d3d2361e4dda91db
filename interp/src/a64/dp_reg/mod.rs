//! Data processing — register (ARM ARM C4.1.90): logical (shifted register), add/subtract (shifted and
//! extended register), add/subtract with carry, conditional compare, conditional select, and
//! data-processing with one, two and three sources.
//!
//! This module owns the decoded form and the decoder of the class; the semantics live in [`alu`] (logical,
//! add/subtract, carry, conditional compare/select) and [`ops`] (1-, 2- and 3-source). Encodings of
//! extensions elfrun does not advertise (FlagM's RMIF/SETF, PAuth, CSSC, MTE's SUBP/IRG/GMI) decode as
//! `None`, like every unallocated encoding, and so raise SIGILL.

mod alu;
mod ops;
#[cfg(test)]
mod tests;

use crate::decode::fields::{bit, bits, reg};
use crate::sem::{Reg, Sem};

/// Shift applied to the second operand of a shifted-register instruction (the `shift` field).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shift {
    Lsl,
    Lsr,
    Asr,
    /// Logical instructions only; ROR on add/subtract is unallocated.
    Ror,
}

impl Shift {
    const fn from_field(v: u32) -> Shift {
        match v & 3 {
            0 => Shift::Lsl,
            1 => Shift::Lsr,
            2 => Shift::Asr,
            _ => Shift::Ror,
        }
    }
}

/// Logical operation of a shifted-register logical instruction (`opc`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogicOp {
    And,
    Orr,
    Eor,
    /// AND setting N and Z (ANDS / BICS / TST).
    Ands,
}

/// DP 1-source operations (the ones elfrun supports).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OneSrc {
    Rbit,
    Rev16,
    /// REV32 (64-bit form only).
    Rev32,
    /// REV: byte reverse of the whole register (32- or 64-bit).
    Rev,
    Clz,
    Cls,
}

/// DP 2-source operations (the ones elfrun supports).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TwoSrc {
    Udiv,
    Sdiv,
    Lslv,
    Lsrv,
    Asrv,
    Rorv,
    /// CRC32{B,H,W,X} (`castagnoli = false`) or CRC32C{…}; `size` is the data size in bytes.
    Crc32 {
        castagnoli: bool,
        size: u8,
    },
}

/// DP 3-source operations; each has an accumulate (`sub = false`) and a subtract form where one exists.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ThreeSrc {
    /// MADD / MSUB.
    Madd,
    /// SMADDL / SMSUBL.
    Smaddl,
    /// UMADDL / UMSUBL.
    Umaddl,
    Smulh,
    Umulh,
}

/// A decoded data-processing (register) instruction. `sf` selects 64-bit (true) or 32-bit operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DpReg {
    /// AND/BIC/ORR/ORN/EOR/EON/ANDS/BICS (shifted register); `invert` is the N bit (BIC, ORN, EON, BICS).
    Logical {
        sf: bool,
        op: LogicOp,
        invert: bool,
        shift: Shift,
        amount: u8,
        rd: Reg,
        rn: Reg,
        rm: Reg,
    },
    /// ADD/ADDS/SUB/SUBS (shifted register); `shift` is never ROR.
    AddSubShifted {
        sf: bool,
        sub: bool,
        set_flags: bool,
        shift: Shift,
        amount: u8,
        rd: Reg,
        rn: Reg,
        rm: Reg,
    },
    /// ADD/ADDS/SUB/SUBS (extended register): `rn` (and `rd` unless flags are set) may be SP; `option` is the
    /// extend (0 UXTB … 3 UXTX, 4 SXTB … 7 SXTX), `amount` the left shift 0..=4.
    AddSubExtended {
        sf: bool,
        sub: bool,
        set_flags: bool,
        option: u8,
        amount: u8,
        rd: Reg,
        rn: Reg,
        rm: Reg,
    },
    /// ADC/ADCS/SBC/SBCS.
    AddSubCarry {
        sf: bool,
        sub: bool,
        set_flags: bool,
        rd: Reg,
        rn: Reg,
        rm: Reg,
    },
    /// CCMN/CCMP: if `cond` holds, flags of `rn ± operand`, else `nzcv`. `operand` is a register number, or an
    /// unsigned 5-bit immediate when `imm` is set.
    CondCompare {
        sf: bool,
        /// CCMP (subtract) rather than CCMN (add).
        sub: bool,
        imm: bool,
        operand: u8,
        cond: u8,
        nzcv: u8,
        rn: Reg,
    },
    /// CSEL/CSINC/CSINV/CSNEG: `rd = cond ? rn : f(rm)`; `invert` is `op` (CSINV, CSNEG), `increment` is
    /// `op2<0>` (CSINC, CSNEG).
    CondSelect {
        sf: bool,
        invert: bool,
        increment: bool,
        cond: u8,
        rd: Reg,
        rn: Reg,
        rm: Reg,
    },
    OneSource {
        sf: bool,
        op: OneSrc,
        rd: Reg,
        rn: Reg,
    },
    TwoSource {
        sf: bool,
        op: TwoSrc,
        rd: Reg,
        rn: Reg,
        rm: Reg,
    },
    /// `rd = ra ± rn * rm` (or the high half for SMULH/UMULH, which ignore `ra`).
    ThreeSource {
        sf: bool,
        op: ThreeSrc,
        sub: bool,
        rd: Reg,
        rn: Reg,
        rm: Reg,
        ra: Reg,
    },
}

impl DpReg {
    /// Decodes a word whose bits 27..25 are `x101`. `None` for unallocated and unsupported encodings.
    pub fn decode(w: u32) -> Option<DpReg> {
        let sf = bit(w, 31);
        let op = bit(w, 30);
        let s = bit(w, 29);
        let (rd, rn, rm) = (reg(w, 0), reg(w, 5), reg(w, 16));
        let op2 = bits(w, 24, 21);
        if bits(w, 27, 25) != 0b101 {
            return None;
        }
        if !bit(w, 28) {
            let imm6 = bits(w, 15, 10);
            if op2 & 0b1000 == 0 {
                // Logical (shifted register).
                if !sf && imm6 >= 32 {
                    return None;
                }
                let op = match bits(w, 30, 29) {
                    0 => LogicOp::And,
                    1 => LogicOp::Orr,
                    2 => LogicOp::Eor,
                    _ => LogicOp::Ands,
                };
                return Some(DpReg::Logical {
                    sf,
                    op,
                    invert: bit(w, 21),
                    shift: Shift::from_field(bits(w, 23, 22)),
                    amount: imm6 as u8,
                    rd,
                    rn,
                    rm,
                });
            }
            if op2 & 1 == 0 {
                // Add/subtract (shifted register).
                let shift = Shift::from_field(bits(w, 23, 22));
                if shift == Shift::Ror || (!sf && imm6 >= 32) {
                    return None;
                }
                return Some(DpReg::AddSubShifted {
                    sf,
                    sub: op,
                    set_flags: s,
                    shift,
                    amount: imm6 as u8,
                    rd,
                    rn,
                    rm,
                });
            }
            // Add/subtract (extended register).
            let imm3 = bits(w, 12, 10);
            if bits(w, 23, 22) != 0 || imm3 > 4 {
                return None;
            }
            return Some(DpReg::AddSubExtended {
                sf,
                sub: op,
                set_flags: s,
                option: bits(w, 15, 13) as u8,
                amount: imm3 as u8,
                rd,
                rn,
                rm,
            });
        }
        match op2 {
            0b0000 => {
                // Add/subtract with carry; op3 = x00001 is RMIF and xx0010 SETF8/16 (FlagM, not advertised).
                if bits(w, 15, 10) != 0 {
                    return None;
                }
                Some(DpReg::AddSubCarry {
                    sf,
                    sub: op,
                    set_flags: s,
                    rd,
                    rn,
                    rm,
                })
            }
            0b0010 => {
                // Conditional compare (register / immediate): S must be 1, o2 (bit 10) and o3 (bit 4) 0.
                if !s || bit(w, 10) || bit(w, 4) {
                    return None;
                }
                Some(DpReg::CondCompare {
                    sf,
                    sub: op,
                    imm: bit(w, 11),
                    operand: rm,
                    cond: bits(w, 15, 12) as u8,
                    nzcv: bits(w, 3, 0) as u8,
                    rn,
                })
            }
            0b0100 => {
                // Conditional select: S = 1 and op2<1> = 1 are unallocated.
                if s || bit(w, 11) {
                    return None;
                }
                Some(DpReg::CondSelect {
                    sf,
                    invert: op,
                    increment: bit(w, 10),
                    cond: bits(w, 15, 12) as u8,
                    rd,
                    rn,
                    rm,
                })
            }
            0b0110 => {
                if s {
                    return None; // SUBPS (MTE) or unallocated
                }
                let opcode = bits(w, 15, 10);
                if op {
                    decode_one_source(sf, rm, opcode, rd, rn)
                } else {
                    decode_two_source(sf, opcode, rd, rn, rm)
                }
            }
            0b1000..=0b1111 => decode_three_source(w, sf, rd, rn, rm),
            _ => None,
        }
    }

    #[inline(always)]
    pub fn exec<S: Sem>(self, s: &mut S) {
        match self {
            DpReg::Logical {
                sf,
                op,
                invert,
                shift,
                amount,
                rd,
                rn,
                rm,
            } => alu::logical(s, sf, op, invert, shift, amount, rd, rn, rm),
            DpReg::AddSubShifted {
                sf,
                sub,
                set_flags,
                shift,
                amount,
                rd,
                rn,
                rm,
            } => alu::add_sub_shifted(s, sf, sub, set_flags, shift, amount, rd, rn, rm),
            DpReg::AddSubExtended {
                sf,
                sub,
                set_flags,
                option,
                amount,
                rd,
                rn,
                rm,
            } => alu::add_sub_extended(s, sf, sub, set_flags, option, amount, rd, rn, rm),
            DpReg::AddSubCarry {
                sf,
                sub,
                set_flags,
                rd,
                rn,
                rm,
            } => alu::add_sub_carry(s, sf, sub, set_flags, rd, rn, rm),
            DpReg::CondCompare {
                sf,
                sub,
                imm,
                operand,
                cond,
                nzcv,
                rn,
            } => alu::cond_compare(s, sf, sub, imm, operand, cond, nzcv, rn),
            DpReg::CondSelect {
                sf,
                invert,
                increment,
                cond,
                rd,
                rn,
                rm,
            } => alu::cond_select(s, sf, invert, increment, cond, rd, rn, rm),
            DpReg::OneSource { sf, op, rd, rn } => ops::one_source(s, sf, op, rd, rn),
            DpReg::TwoSource { sf, op, rd, rn, rm } => ops::two_source(s, sf, op, rd, rn, rm),
            DpReg::ThreeSource {
                sf,
                op,
                sub,
                rd,
                rn,
                rm,
                ra,
            } => ops::three_source(s, sf, op, sub, rd, rn, rm, ra),
        }
    }
}

/// DP 1-source: `opcode2` (bits 20..16) must be 0; 1 is PAuth, the rest unallocated. Opcodes 6.. are CSSC
/// (CTZ, CNT, ABS) or unallocated.
fn decode_one_source(sf: bool, opcode2: u8, opcode: u32, rd: Reg, rn: Reg) -> Option<DpReg> {
    if opcode2 != 0 {
        return None;
    }
    let op = match (opcode, sf) {
        (0, _) => OneSrc::Rbit,
        (1, _) => OneSrc::Rev16,
        (2, false) => OneSrc::Rev,
        (2, true) => OneSrc::Rev32,
        (3, true) => OneSrc::Rev,
        (4, _) => OneSrc::Clz,
        (5, _) => OneSrc::Cls,
        _ => return None,
    };
    Some(DpReg::OneSource { sf, op, rd, rn })
}

/// DP 2-source. Not supported: SUBP/IRG/GMI (MTE), PACGA (PAuth), SMAX/UMAX/SMIN/UMIN (CSSC).
fn decode_two_source(sf: bool, opcode: u32, rd: Reg, rn: Reg, rm: Reg) -> Option<DpReg> {
    let op = match opcode {
        0b000010 => TwoSrc::Udiv,
        0b000011 => TwoSrc::Sdiv,
        0b001000 => TwoSrc::Lslv,
        0b001001 => TwoSrc::Lsrv,
        0b001010 => TwoSrc::Asrv,
        0b001011 => TwoSrc::Rorv,
        0b010000..=0b010111 => {
            let sz = opcode & 3;
            // CRC32X/CX need sf = 1; the B/H/W forms need sf = 0.
            if (sz == 3) != sf {
                return None;
            }
            TwoSrc::Crc32 {
                castagnoli: opcode & 0b100 != 0,
                size: 1 << sz,
            }
        }
        _ => return None,
    };
    Some(DpReg::TwoSource { sf, op, rd, rn, rm })
}

/// DP 3-source: `op54` (bits 30..29) must be 0; the long and high-half forms exist only with sf = 1.
fn decode_three_source(w: u32, sf: bool, rd: Reg, rn: Reg, rm: Reg) -> Option<DpReg> {
    if bits(w, 30, 29) != 0 {
        return None;
    }
    let o0 = bit(w, 15);
    let op = match (bits(w, 23, 21), o0) {
        (0b000, _) => ThreeSrc::Madd,
        (0b001, _) if sf => ThreeSrc::Smaddl,
        (0b010, false) if sf => ThreeSrc::Smulh,
        (0b101, _) if sf => ThreeSrc::Umaddl,
        (0b110, false) if sf => ThreeSrc::Umulh,
        _ => return None,
    };
    Some(DpReg::ThreeSource {
        sf,
        op,
        sub: o0,
        rd,
        rn,
        rm,
        ra: reg(w, 10),
    })
}
