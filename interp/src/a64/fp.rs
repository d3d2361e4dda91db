//! Scalar floating point (ARM ARM C4.1.96, the `op0 = x0x1` part of "Data Processing — Scalar Floating-Point
//! and Advanced SIMD"): conversions to and from fixed point and integers, FMOV (register, general, immediate),
//! data-processing with one, two and three sources, FCMP/FCMPE, FCCMP/FCCMPE and FCSEL.
//!
//! Arithmetic is in the `fp_*` primitives (see [`crate::softfp`]). Writes to a scalar register zero the rest
//! of the 128-bit register. FEAT_FP16 arithmetic (type = 11 outside FCVT), FJCVTZS, FRINT32/64 and BFCVT are
//! not advertised and decode as undefined.

use crate::decode::fields::{bit, bits, reg};
use crate::sem::{FpBinOp, FpTy, FpUnOp, Reg, Rounding, Sem, Width};

/// One-source operations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dp1Op {
    Mov,
    Abs,
    Neg,
    Sqrt,
    /// FCVT to another format.
    Cvt(FpTy),
    /// FRINT{N,P,M,Z,A,X,I}.
    Round {
        rounding: Rounding,
        exact: bool,
    },
}

/// FMOV between general and FP registers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MovGen {
    /// Wd ← Sn / Sd ← Wn.
    S,
    /// Xd ← Dn / Dd ← Xn.
    D,
    /// Xd ← Vn.D\[1\] / Vd.D\[1\] ← Xn (the low half of Vd is kept).
    D1,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fp {
    Dp1 {
        ty: FpTy,
        op: Dp1Op,
        rd: Reg,
        rn: Reg,
    },
    /// `op`: 0 FMUL, 1 FDIV, 2 FADD, 3 FSUB, 4 FMAX, 5 FMIN, 6 FMAXNM, 7 FMINNM, 8 FNMUL.
    Dp2 {
        ty: FpTy,
        op: u8,
        rd: Reg,
        rn: Reg,
        rm: Reg,
    },
    /// FMADD/FMSUB/FNMADD/FNMSUB: `neg_a` negates the addend, `neg_n` the first factor.
    Dp3 {
        ty: FpTy,
        neg_a: bool,
        neg_n: bool,
        rd: Reg,
        rn: Reg,
        rm: Reg,
        ra: Reg,
    },
    /// FCMP/FCMPE; `zero` compares with +0.0.
    Cmp {
        ty: FpTy,
        rn: Reg,
        rm: Reg,
        zero: bool,
        signal: bool,
    },
    /// FCCMP/FCCMPE.
    CondCmp {
        ty: FpTy,
        rn: Reg,
        rm: Reg,
        cond: u8,
        nzcv: u8,
        signal: bool,
    },
    Csel {
        ty: FpTy,
        rd: Reg,
        rn: Reg,
        rm: Reg,
        cond: u8,
    },
    MovImm {
        ty: FpTy,
        rd: Reg,
        imm8: u8,
    },
    /// FCVT*S/U (integer and fixed point).
    ToInt {
        ty: FpTy,
        sf: bool,
        signed: bool,
        rounding: Rounding,
        fbits: u8,
        rd: Reg,
        rn: Reg,
    },
    /// SCVTF/UCVTF (integer and fixed point).
    FromInt {
        ty: FpTy,
        sf: bool,
        signed: bool,
        fbits: u8,
        rd: Reg,
        rn: Reg,
    },
    /// FMOV general ← FP.
    MovToGen {
        kind: MovGen,
        rd: Reg,
        rn: Reg,
    },
    /// FMOV FP ← general.
    MovFromGen {
        kind: MovGen,
        rd: Reg,
        rn: Reg,
    },
}

/// The `ftype` field for arithmetic: S and D only (H needs FEAT_FP16; 10 is unallocated).
fn arith_ty(w: u32) -> Option<FpTy> {
    match bits(w, 23, 22) {
        0 => Some(FpTy::S),
        1 => Some(FpTy::D),
        _ => None,
    }
}

fn any_ty(t: u32) -> Option<FpTy> {
    match t {
        0 => Some(FpTy::S),
        1 => Some(FpTy::D),
        3 => Some(FpTy::H),
        _ => None,
    }
}

/// `VFPExpandImm`: the FMOV immediate `imm8` as bits of `ty`.
pub fn expand_imm(ty: FpTy, imm8: u8) -> u64 {
    let imm = imm8 as u64;
    let sign = imm >> 7;
    let b = (imm >> 6) & 1;
    let cd = (imm >> 4) & 3;
    let efgh = imm & 15;
    let (e, f) = match ty {
        FpTy::H => (5, 10),
        FpTy::S => (8, 23),
        FpTy::D => (11, 52),
    };
    let exp = ((b ^ 1) << (e - 1)) | (if b == 1 { ((1 << (e - 3)) - 1) << 2 } else { 0 }) | cd;
    sign << (e + f) | exp << f | efgh << (f - 4)
}

impl Fp {
    pub fn decode(w: u32) -> Option<Fp> {
        let (rd, rn, rm) = (reg(w, 0), reg(w, 5), reg(w, 16));
        if bit(w, 29) {
            return None; // S = 1
        }
        if bit(w, 24) {
            if bit(w, 31) {
                return None;
            }
            let ty = arith_ty(w)?;
            let (o1, o0) = (bit(w, 21), bit(w, 15));
            return Some(Fp::Dp3 {
                ty,
                neg_a: o1,
                neg_n: o0 != o1,
                rd,
                rn,
                rm,
                ra: reg(w, 10),
            });
        }
        if !bit(w, 21) {
            return Self::decode_fixed(w);
        }
        if bits(w, 15, 10) == 0 {
            return Self::decode_int(w);
        }
        if bit(w, 31) {
            return None;
        }
        if bits(w, 14, 10) == 0b10000 {
            return Self::decode_dp1(w);
        }
        if bits(w, 13, 10) == 0b1000 {
            let ty = arith_ty(w)?;
            if bits(w, 15, 14) != 0 || bits(w, 2, 0) != 0 {
                return None;
            }
            return Some(Fp::Cmp {
                ty,
                rn,
                rm,
                zero: bit(w, 3),
                signal: bit(w, 4),
            });
        }
        if bits(w, 12, 10) == 0b100 {
            let ty = arith_ty(w)?;
            if bits(w, 9, 5) != 0 {
                return None;
            }
            return Some(Fp::MovImm {
                ty,
                rd,
                imm8: bits(w, 20, 13) as u8,
            });
        }
        let ty = arith_ty(w)?;
        let cond = bits(w, 15, 12) as u8;
        match bits(w, 11, 10) {
            0b01 => Some(Fp::CondCmp {
                ty,
                rn,
                rm,
                cond,
                nzcv: bits(w, 3, 0) as u8,
                signal: bit(w, 4),
            }),
            0b10 => {
                let op = bits(w, 15, 12) as u8;
                (op <= 8).then_some(Fp::Dp2 { ty, op, rd, rn, rm })
            }
            0b11 => Some(Fp::Csel {
                ty,
                rd,
                rn,
                rm,
                cond,
            }),
            _ => None,
        }
    }

    fn decode_dp1(w: u32) -> Option<Fp> {
        let (rd, rn) = (reg(w, 0), reg(w, 5));
        let t = bits(w, 23, 22);
        let opcode = bits(w, 20, 15);
        if opcode & 0b111100 == 0b000100 {
            // FCVT: H, S and D in both directions (base v8), to a different format.
            let from = any_ty(t)?;
            let to = any_ty(opcode & 3)?;
            return (from != to).then_some(Fp::Dp1 {
                ty: from,
                op: Dp1Op::Cvt(to),
                rd,
                rn,
            });
        }
        let ty = arith_ty(w)?;
        let op = match opcode {
            0 => Dp1Op::Mov,
            1 => Dp1Op::Abs,
            2 => Dp1Op::Neg,
            3 => Dp1Op::Sqrt,
            0b001000..=0b001111 => {
                let (rounding, exact) = match opcode & 7 {
                    0 => (Rounding::TiesEven, false),
                    1 => (Rounding::PosInf, false),
                    2 => (Rounding::NegInf, false),
                    3 => (Rounding::Zero, false),
                    4 => (Rounding::TiesAway, false),
                    6 => (Rounding::Fpcr, true),
                    7 => (Rounding::Fpcr, false),
                    _ => return None,
                };
                Dp1Op::Round { rounding, exact }
            }
            _ => return None, // FRINT32/64 (FEAT_FRINTTS) and unallocated
        };
        Some(Fp::Dp1 { ty, op, rd, rn })
    }

    fn decode_fixed(w: u32) -> Option<Fp> {
        let (rd, rn) = (reg(w, 0), reg(w, 5));
        let sf = bit(w, 31);
        let ty = arith_ty(w)?;
        let scale = bits(w, 15, 10);
        if !sf && scale < 32 {
            return None;
        }
        let fbits = (64 - scale) as u8;
        match bits(w, 20, 16) {
            0b00010 | 0b00011 => Some(Fp::FromInt {
                ty,
                sf,
                signed: !bit(w, 16),
                fbits,
                rd,
                rn,
            }),
            0b11000 | 0b11001 => Some(Fp::ToInt {
                ty,
                sf,
                signed: !bit(w, 16),
                rounding: Rounding::Zero,
                fbits,
                rd,
                rn,
            }),
            _ => None,
        }
    }

    fn decode_int(w: u32) -> Option<Fp> {
        let (rd, rn) = (reg(w, 0), reg(w, 5));
        let sf = bit(w, 31);
        let t = bits(w, 23, 22);
        let rmode = bits(w, 20, 19);
        let opcode = bits(w, 18, 16);
        if opcode >= 6 {
            // FMOV (general).
            let kind = match (sf, t, rmode) {
                (false, 0, 0) => MovGen::S,
                (true, 1, 0) => MovGen::D,
                (true, 2, 1) => MovGen::D1,
                _ => return None, // FP16 forms, FJCVTZS and unallocated
            };
            return Some(if opcode == 6 {
                Fp::MovToGen { kind, rd, rn }
            } else {
                Fp::MovFromGen { kind, rd, rn }
            });
        }
        let ty = arith_ty(w)?;
        let signed = opcode & 1 == 0;
        match (rmode, opcode) {
            (_, 0 | 1) => {
                let rounding = match rmode {
                    0 => Rounding::TiesEven,
                    1 => Rounding::PosInf,
                    2 => Rounding::NegInf,
                    _ => Rounding::Zero,
                };
                Some(Fp::ToInt {
                    ty,
                    sf,
                    signed,
                    rounding,
                    fbits: 0,
                    rd,
                    rn,
                })
            }
            (0, 4 | 5) => Some(Fp::ToInt {
                ty,
                sf,
                signed,
                rounding: Rounding::TiesAway,
                fbits: 0,
                rd,
                rn,
            }),
            (0, 2 | 3) => Some(Fp::FromInt {
                ty,
                sf,
                signed,
                fbits: 0,
                rd,
                rn,
            }),
            _ => None,
        }
    }

    #[inline(always)]
    pub fn exec<S: Sem>(self, s: &mut S) {
        match self {
            Fp::Dp1 { ty, op, rd, rn } => {
                let a = read(s, ty, rn);
                let sign = s.imm(1 << (ty.bits() - 1));
                let r = match op {
                    Dp1Op::Mov => a,
                    Dp1Op::Abs => {
                        let m = s.not(sign);
                        s.and(a, m)
                    }
                    Dp1Op::Neg => s.xor(a, sign),
                    Dp1Op::Sqrt => s.fp_unop(FpUnOp::Sqrt, ty, a),
                    Dp1Op::Cvt(to) => {
                        let r = s.fp_convert(ty, to, a);
                        return write(s, rd, r);
                    }
                    Dp1Op::Round { rounding, exact } => {
                        s.fp_unop(FpUnOp::RoundInt { rounding, exact }, ty, a)
                    }
                };
                write(s, rd, r)
            }
            Fp::Dp2 { ty, op, rd, rn, rm } => {
                let a = read(s, ty, rn);
                let b = read(s, ty, rm);
                let bop = match op {
                    0 | 8 => FpBinOp::Mul,
                    1 => FpBinOp::Div,
                    2 => FpBinOp::Add,
                    3 => FpBinOp::Sub,
                    4 => FpBinOp::Max,
                    5 => FpBinOp::Min,
                    6 => FpBinOp::MaxNum,
                    _ => FpBinOp::MinNum,
                };
                let mut r = s.fp_binop(bop, ty, a, b);
                if op == 8 {
                    // FNMUL negates the product, whatever it is (NaNs included).
                    let sign = s.imm(1 << (ty.bits() - 1));
                    r = s.xor(r, sign);
                }
                write(s, rd, r)
            }
            Fp::Dp3 {
                ty,
                neg_a,
                neg_n,
                rd,
                rn,
                rm,
                ra,
            } => {
                let sign = s.imm(1 << (ty.bits() - 1));
                let mut a = read(s, ty, ra);
                let mut n = read(s, ty, rn);
                let m = read(s, ty, rm);
                if neg_a {
                    a = s.xor(a, sign);
                }
                if neg_n {
                    n = s.xor(n, sign);
                }
                let r = s.fp_muladd(ty, a, n, m);
                write(s, rd, r)
            }
            Fp::Cmp {
                ty,
                rn,
                rm,
                zero,
                signal,
            } => {
                let a = read(s, ty, rn);
                let b = if zero { s.imm(0) } else { read(s, ty, rm) };
                let f = s.fp_compare(ty, a, b, signal);
                s.set_nzcv(f);
            }
            Fp::CondCmp {
                ty,
                rn,
                rm,
                cond,
                nzcv,
                signal,
            } => {
                let a = read(s, ty, rn);
                let b = read(s, ty, rm);
                let c = s.cond(cond);
                let otherwise = s.imm((nzcv as u64) << 28);
                let f = s.fp_compare_if(c, ty, a, b, signal, otherwise);
                s.set_nzcv(f);
            }
            Fp::Csel {
                ty,
                rd,
                rn,
                rm,
                cond,
            } => {
                let a = read(s, ty, rn);
                let b = read(s, ty, rm);
                let c = s.cond(cond);
                let r = s.select(c, a, b);
                write(s, rd, r)
            }
            Fp::MovImm { ty, rd, imm8 } => {
                let r = s.imm(expand_imm(ty, imm8));
                write(s, rd, r)
            }
            Fp::ToInt {
                ty,
                sf,
                signed,
                rounding,
                fbits,
                rd,
                rn,
            } => {
                let a = read(s, ty, rn);
                let r = s.fp_to_int(ty, a, Width::from_sf(sf), signed, fbits as u32, rounding);
                s.set_x(rd, r);
            }
            Fp::FromInt {
                ty,
                sf,
                signed,
                fbits,
                rd,
                rn,
            } => {
                let a = s.x(rn);
                let r = s.int_to_fp(ty, a, Width::from_sf(sf), signed, fbits as u32);
                write(s, rd, r)
            }
            Fp::MovToGen { kind, rd, rn } => {
                let q = s.vreg(rn);
                let r = match kind {
                    MovGen::S => {
                        let lo = s.q_lo(q);
                        s.zext(lo, 32)
                    }
                    MovGen::D => s.q_lo(q),
                    MovGen::D1 => s.q_hi(q),
                };
                s.set_x(rd, r);
            }
            Fp::MovFromGen { kind, rd, rn } => {
                let x = s.x(rn);
                match kind {
                    MovGen::S => {
                        let v = s.zext(x, 32);
                        write(s, rd, v)
                    }
                    MovGen::D => write(s, rd, x),
                    MovGen::D1 => {
                        let q = s.vreg(rd);
                        let lo = s.q_lo(q);
                        let q = s.q_from(lo, x);
                        s.set_vreg(rd, q);
                    }
                }
            }
        }
    }
}

/// The low `ty` bits of V\[r\].
fn read<S: Sem>(s: &mut S, ty: FpTy, r: Reg) -> S::V {
    let q = s.vreg(r);
    let lo = s.q_lo(q);
    match ty {
        FpTy::D => lo,
        _ => s.zext(lo, ty.bits()),
    }
}

/// Writes a scalar (already zero above its width) to V\[r\], zeroing the rest of the register.
fn write<S: Sem>(s: &mut S, r: Reg, v: S::V) {
    let z = s.imm(0);
    let q = s.q_from(v, z);
    s.set_vreg(r, q);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::{disasm, yaxpeax_accepts};
    use alloc::string::String;
    use alloc::vec::Vec;

    /// Every word of the class with Rd = 0, Rn = 1 and all other fields swept (bits 31, 29, 24..10).
    fn sweep() -> impl Iterator<Item = u32> {
        (0u32..1 << 17)
            .map(|i| 0x1e00_0020 | (i & 0x7fff) << 10 | (i >> 15 & 1) << 29 | (i >> 16 & 1) << 31)
    }

    #[test]
    fn decodes_only_what_yaxpeax_accepts() {
        let bad: Vec<String> = sweep()
            .filter(|&w| Fp::decode(w).is_some() && !yaxpeax_accepts(w))
            .take(20)
            .map(|w| alloc::format!("{w:08x} {:?}", Fp::decode(w)))
            .collect();
        assert!(bad.is_empty(), "decoded but unallocated: {bad:#?}");
    }

    #[test]
    fn rejects_only_unadvertised_forms() {
        // What yaxpeax accepts and we refuse must be FEAT_FP16 (H-register arithmetic), FJCVTZS, FRINT32/64 or
        // BFCVT.
        let bad: Vec<String> = sweep()
            .filter(|&w| Fp::decode(w).is_none() && yaxpeax_accepts(w))
            .map(|w| alloc::format!("{w:08x} {}", disasm(w)))
            .filter(|s| {
                let text = &s[9..];
                let fp16 = text
                    .split([' ', ','])
                    .any(|t| t.starts_with('h') && t[1..].parse::<u8>().is_ok());
                // yaxpeax-arm 0.5 is lax about fixed-point conversions (bit 21 = 0, bit 24 = 0): it accepts
                // rmode:opcode combinations and 32-bit scales < 32 that the ARM ARM leaves unallocated. Hold
                // those words to the ARM ARM's rule instead.
                let w = u32::from_str_radix(&s[..8], 16).unwrap();
                let fixed = w & (1 << 21 | 1 << 24) == 0;
                let arm_allocated = !bit(w, 29)
                    && bits(w, 23, 22) != 2
                    && matches!(bits(w, 20, 16), 0b00010 | 0b00011 | 0b11000 | 0b11001)
                    && (bit(w, 31) || bit(w, 15));
                let bad_scale = fixed && !arm_allocated;
                !(fp16
                    || bad_scale
                    || text.starts_with("fjcvtzs")
                    || text.starts_with("frint32")
                    || text.starts_with("frint64")
                    || text.starts_with("bfcvt"))
            })
            .take(20)
            .collect();
        assert!(bad.is_empty(), "allocated but not decoded: {bad:#?}");
    }

    #[test]
    fn fp16_arithmetic_is_undefined() {
        assert_eq!(Fp::decode(0x1ee22820), None); // fadd h0, h1, h2
        assert_eq!(Fp::decode(0x1e7e0020), None); // fjcvtzs w0, d1
        assert_eq!(Fp::decode(0x1e684020), None); // frint32z d0, d1
        assert!(Fp::decode(0x1ee24020).is_some()); // fcvt s0, h1
        assert!(Fp::decode(0x1e63c020).is_some()); // fcvt h0, d1
    }

    #[test]
    fn fmov_immediate_expands() {
        // VFPExpandImm (ARM ARM table C2-1): 0x70 = 1.0, 0x00 = 2.0, 0xf0 = -1.0, 0x7f = 1.9375, 0x10 = 4.0.
        assert_eq!(expand_imm(FpTy::S, 0x70), 0x3f80_0000);
        assert_eq!(expand_imm(FpTy::D, 0x00), 0x4000_0000_0000_0000);
        assert_eq!(expand_imm(FpTy::D, 0xf0), 0xbff0_0000_0000_0000);
        assert_eq!(expand_imm(FpTy::S, 0x7f), 0x3ff8_0000);
        assert_eq!(expand_imm(FpTy::H, 0x70), 0x3c00);
        assert_eq!(expand_imm(FpTy::D, 0x10), 0x4010_0000_0000_0000);
    }
}
