//! Data processing — immediate (ARM ARM C4.1.86): PC-relative addressing, add/subtract (immediate), logical
//! (immediate), move wide, bitfield, extract.

use crate::decode::fields::{LOGICAL_IMM_MASKS, bit, bits, decode_logical_imm, reg, sext};
use crate::sem::{Reg, Sem, Width};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DpImm {
    /// ADR / ADRP: `rd = base + offset` where base is pc (ADR) or pc & !0xfff (ADRP); for ADRP `offset` counts
    /// 4 KiB pages (it needs 33 bits in bytes).
    Adr { rd: Reg, page: bool, offset: i32 },
    /// ADD/ADDS/SUB/SUBS (immediate); `imm` already shifted.
    AddSub {
        sf: bool,
        sub: bool,
        set_flags: bool,
        rd: Reg,
        rn: Reg,
        imm: u32,
    },
    /// AND/ORR/EOR/ANDS (immediate); `opc` = 0 AND, 1 ORR, 2 EOR, 3 ANDS. The mask is recomputed from `enc`
    /// (N:immr:imms) to keep [`crate::Insn`] small.
    Logical {
        sf: bool,
        opc: u8,
        rd: Reg,
        rn: Reg,
        enc: u16,
    },
    /// MOVN/MOVZ/MOVK; `opc` = 0 MOVN, 2 MOVZ, 3 MOVK; `shift` = 16·hw.
    MovWide {
        sf: bool,
        opc: u8,
        rd: Reg,
        imm16: u16,
        shift: u8,
    },
    /// SBFM/BFM/UBFM; `opc` = 0 SBFM, 1 BFM, 2 UBFM.
    Bitfield {
        sf: bool,
        opc: u8,
        rd: Reg,
        rn: Reg,
        immr: u8,
        imms: u8,
    },
    /// EXTR: `(rn:rm) >> lsb`.
    Extr {
        sf: bool,
        rd: Reg,
        rn: Reg,
        rm: Reg,
        lsb: u8,
    },
}

impl DpImm {
    pub fn decode(w: u32) -> Option<DpImm> {
        let sf = bit(w, 31);
        let rd = reg(w, 0);
        let rn = reg(w, 5);
        Some(match bits(w, 25, 23) {
            0b000 | 0b001 => {
                let imm = (bits(w, 23, 5) << 2) | bits(w, 30, 29);
                let page = bit(w, 31);
                let offset = sext(imm, 21);
                DpImm::Adr {
                    rd,
                    page,
                    offset: offset as i32,
                }
            }
            0b010 => {
                if bit(w, 23) {
                    return None; // add/subtract with tags (MTE)
                }
                let imm12 = bits(w, 21, 10);
                let imm = if bit(w, 22) { imm12 << 12 } else { imm12 };
                DpImm::AddSub {
                    sf,
                    sub: bit(w, 30),
                    set_flags: bit(w, 29),
                    rd,
                    rn,
                    imm,
                }
            }
            0b100 => {
                let n = bits(w, 22, 22);
                decode_logical_imm(n, bits(w, 15, 10), bits(w, 21, 16), sf)?;
                DpImm::Logical {
                    sf,
                    opc: bits(w, 30, 29) as u8,
                    rd,
                    rn,
                    enc: bits(w, 22, 10) as u16,
                }
            }
            0b101 => {
                let opc = bits(w, 30, 29) as u8;
                let hw = bits(w, 22, 21);
                if opc == 1 || (!sf && hw > 1) {
                    return None;
                }
                DpImm::MovWide {
                    sf,
                    opc,
                    rd,
                    imm16: bits(w, 20, 5) as u16,
                    shift: (hw * 16) as u8,
                }
            }
            0b110 => {
                let opc = bits(w, 30, 29) as u8;
                let n = bit(w, 22);
                let (immr, imms) = (bits(w, 21, 16), bits(w, 15, 10));
                if opc == 3 || n != sf || (!sf && (immr > 31 || imms > 31)) {
                    return None;
                }
                DpImm::Bitfield {
                    sf,
                    opc,
                    rd,
                    rn,
                    immr: immr as u8,
                    imms: imms as u8,
                }
            }
            0b111 => {
                let lsb = bits(w, 15, 10);
                if bits(w, 30, 29) != 0 || bit(w, 21) || bit(w, 22) != sf || (!sf && lsb > 31) {
                    return None;
                }
                DpImm::Extr {
                    sf,
                    rd,
                    rn,
                    rm: reg(w, 16),
                    lsb: lsb as u8,
                }
            }
            _ => return None,
        })
    }

    #[inline(always)]
    pub fn exec<S: Sem>(self, s: &mut S) {
        match self {
            DpImm::Adr { rd, page, offset } => {
                let v = if page {
                    (s.pc() & !0xfff).wrapping_add((offset as i64 as u64) << 12)
                } else {
                    s.pc().wrapping_add(offset as i64 as u64)
                };
                let v = s.imm(v);
                s.set_x(rd, v);
            }
            DpImm::AddSub {
                sf,
                sub,
                set_flags,
                rd,
                rn,
                imm,
            } => {
                let w = Width::from_sf(sf);
                let a = s.x_or_sp(rn);
                let res = if set_flags {
                    let b = s.imm(if sub { !(imm as u64) } else { imm as u64 });
                    let ci = s.imm(sub as u64);
                    s.add_with_flags(w, a, b, ci)
                } else {
                    let b = s.imm(imm as u64);
                    let r = if sub { s.sub(a, b) } else { s.add(a, b) };
                    narrow(s, w, r)
                };
                if set_flags {
                    s.set_x(rd, res);
                } else {
                    s.set_x_or_sp(rd, res);
                }
            }
            DpImm::Logical {
                sf,
                opc,
                rd,
                rn,
                enc,
            } => {
                let w = Width::from_sf(sf);
                let enc = enc as u32;
                // 32-bit masks were validated at decode time and are the low half of the 64-bit one.
                let m = LOGICAL_IMM_MASKS[enc as usize];
                let m = if sf { m } else { m & 0xffff_ffff };
                let a = s.x(rn);
                let b = s.imm(m);
                let r = match opc {
                    0 | 3 => s.and(a, b),
                    1 => s.or(a, b),
                    _ => s.xor(a, b),
                };
                let r = narrow(s, w, r);
                if opc == 3 {
                    s.set_logic_flags(w, r);
                    s.set_x(rd, r);
                } else {
                    s.set_x_or_sp(rd, r);
                }
            }
            DpImm::MovWide {
                sf,
                opc,
                rd,
                imm16,
                shift,
            } => {
                let v = (imm16 as u64) << shift;
                let r = match opc {
                    0 => s.imm(if sf { !v } else { !v & 0xffff_ffff }),
                    2 => s.imm(v),
                    _ => {
                        let old = s.x(rd);
                        let keep = s.imm(!(0xffffu64 << shift));
                        let kept = s.and(old, keep);
                        let ins = s.imm(v);
                        let r = s.or(kept, ins);
                        narrow(s, Width::from_sf(sf), r)
                    }
                };
                s.set_x(rd, r);
            }
            DpImm::Bitfield {
                sf,
                opc,
                rd,
                rn,
                immr,
                imms,
            } => bitfield(s, sf, opc, rd, rn, immr as u32, imms as u32),
            DpImm::Extr {
                sf,
                rd,
                rn,
                rm,
                lsb,
            } => {
                let w = Width::from_sf(sf);
                let lo = s.x(rm);
                let r = if lsb == 0 {
                    narrow(s, w, lo)
                } else {
                    let hi = s.x(rn);
                    let amt = s.imm(lsb as u64);
                    let lo_part = s.lsr(w, lo, amt);
                    let back = s.imm((w.bits() - lsb as u32) as u64);
                    let hi_part = s.shl(w, hi, back);
                    s.or(lo_part, hi_part)
                };
                s.set_x(rd, r);
            }
        }
    }
}

/// Zero-extends a 32-bit result; 64-bit results pass through.
#[inline(always)]
pub(crate) fn narrow<S: Sem>(s: &mut S, w: Width, v: S::V) -> S::V {
    match w {
        Width::W64 => v,
        Width::W32 => s.zext(v, 32),
    }
}

/// SBFM / BFM / UBFM (ARM ARM shared pseudocode, with `DecodeBitMasks(immediate = false)` folded in at decode
/// time: every mask below is a constant). Inlined so that the interpreter's handlers per operation fold it.
#[inline(always)]
fn bitfield<S: Sem>(s: &mut S, sf: bool, opc: u8, rd: Reg, rn: Reg, r: u32, imms: u32) {
    let w = Width::from_sf(sf);
    let size = w.bits();
    let src = s.x(rn);
    // Common aliases first: they are the hot ones (LSL, LSR, ASR, UXTB/H, SXTB/H/W, UBFX, SBFX).
    let res = if imms >= r {
        // Extract: bits imms..r of src, moved to the bottom.
        let width = imms - r + 1;
        let amt = s.imm(r as u64);
        let shifted = s.lsr(w, src, amt);
        match opc {
            0 => {
                let v = s.sext(shifted, width);
                narrow(s, w, v)
            }
            2 => s.zext(shifted, width),
            _ => {
                let field = s.zext(shifted, width);
                insert(s, w, rd, field, 0, width)
            }
        }
    } else {
        // Insert: the low imms+1 bits of src, placed at size - r.
        let width = imms + 1;
        let pos = size - r;
        let field = s.zext(src, width);
        match opc {
            0 => {
                let ext = s.sext(field, width);
                let amt = s.imm(pos as u64);
                s.shl(w, ext, amt)
            }
            2 => {
                let amt = s.imm(pos as u64);
                s.shl(w, field, amt)
            }
            _ => insert(s, w, rd, field, pos, width),
        }
    };
    s.set_x(rd, res);
}

/// `rd` with bits `pos..pos+width` replaced by `field` (BFM's BFI/BFXIL).
fn insert<S: Sem>(s: &mut S, w: Width, rd: Reg, field: S::V, pos: u32, width: u32) -> S::V {
    let m = (if width >= 64 {
        u64::MAX
    } else {
        (1u64 << width) - 1
    }) << pos;
    let old = s.x(rd);
    let keep = s.imm(!m);
    let kept = s.and(old, keep);
    let amt = s.imm(pos as u64);
    let placed = s.shl(Width::W64, field, amt);
    let r = s.or(kept, placed);
    narrow(s, w, r)
}
