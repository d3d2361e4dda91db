//! Decoding of the Advanced SIMD vector encodings (`0 Q U 0111x …`) into [`Vector`]. Reserved and unsupported
//! encodings give `None`. The class tables (`three_same_int`, `two_misc`, …) are shared with the scalar
//! decoder, which filters them to the operations that have scalar forms.

use super::float::{FBin, FUn};
use super::int::Bin;
use super::long::Resize;
use super::misc::{Across, Un};
use super::perm::Perm;
use super::{Op, Vector, decode_wide};
use crate::decode::fields::{bit, bits, reg};

/// A [`Vector`] with the registers at their usual places (Rd 4:0, Rn 9:5, Rm 20:16).
pub(crate) fn mk(w: u32, op: Op, q: bool, size: u32) -> Vector {
    Vector {
        op,
        q,
        scalar: false,
        size: size as u8,
        rd: reg(w, 0),
        rn: reg(w, 5),
        rm: reg(w, 16),
        imm: 0,
        imm2: 0,
    }
}

pub(crate) fn decode(w: u32) -> Option<Vector> {
    if bit(w, 31) {
        return None;
    }
    let q = bit(w, 30);
    match bits(w, 28, 24) {
        0b01110 => {
            if bit(w, 21) {
                if bit(w, 10) {
                    three_same(w, q)
                } else if !bit(w, 11) {
                    decode_wide::three_diff(w, q)
                } else {
                    match bits(w, 20, 17) {
                        0b0000 => two_misc(w, q),
                        0b1000 => across(w, q),
                        _ => None,
                    }
                }
            } else if bits(w, 23, 21) == 0 && !bit(w, 15) && bit(w, 10) {
                copy(w, q)
            } else if !bit(w, 29) && bits(w, 23, 21) == 0 && !bit(w, 15) && bits(w, 11, 10) == 0 {
                let op = if bit(w, 12) { Perm::Tbx } else { Perm::Tbl };
                let mut v = mk(w, Op::Perm(op), q, 0);
                v.imm = bits(w, 14, 13) as u8 + 1;
                Some(v)
            } else if !bit(w, 29) && !bit(w, 15) && bits(w, 11, 10) == 0b10 {
                permute(w, q)
            } else if bit(w, 29) && bits(w, 23, 21) == 0 && !bit(w, 15) && !bit(w, 10) {
                let imm4 = bits(w, 14, 11);
                if !q && imm4 >= 8 {
                    return None;
                }
                let mut v = mk(w, Op::Perm(Perm::Ext), q, 0);
                v.imm = imm4 as u8;
                Some(v)
            } else {
                None // FP16 three same, three same extra (dot products, FCMLA, SQRDMLAH)
            }
        }
        0b01111 => {
            if !bit(w, 10) {
                decode_wide::indexed(w, q, false)
            } else if bit(w, 23) {
                None
            } else if bits(w, 22, 19) == 0 {
                mod_imm(w, q)
            } else {
                decode_wide::shift_imm(w, q, false)
            }
        }
        _ => None,
    }
}

fn three_same(w: u32, q: bool) -> Option<Vector> {
    let opcode = bits(w, 15, 11);
    let size = bits(w, 23, 22);
    if opcode >= 0b11000 {
        let sz = bit(w, 22);
        if sz && !q {
            return None;
        }
        let (op, pair) = three_same_fp(bit(w, 29), bit(w, 23), opcode)?;
        let op = if pair { Op::FPair(op) } else { Op::FBin(op) };
        return Some(mk(w, op, q, 2 + sz as u32));
    }
    let (op, pair) = three_same_int(bit(w, 29), opcode, size)?;
    let logic = opcode == 0b00011;
    if logic {
        return Some(mk(w, Op::Bin(op), q, 0));
    }
    if size == 3 && !q {
        return None;
    }
    let ok64 = matches!(
        op,
        Bin::Add
            | Bin::Sub
            | Bin::Cmeq
            | Bin::Cmge
            | Bin::Cmgt
            | Bin::Cmhi
            | Bin::Cmhs
            | Bin::Cmtst
            | Bin::Sqadd
            | Bin::Uqadd
            | Bin::Sqsub
            | Bin::Uqsub
            | Bin::Sshl
            | Bin::Ushl
            | Bin::Srshl
            | Bin::Urshl
            | Bin::Sqshl
            | Bin::Uqshl
            | Bin::Sqrshl
            | Bin::Uqrshl
    ) || (pair && op == Bin::Add);
    if size == 3 && !ok64 {
        return None;
    }
    match op {
        Bin::Pmul if size != 0 => return None,
        Bin::Sqdmulh | Bin::Sqrdmulh if size == 0 || size == 3 => return None,
        _ => {}
    }
    let op = if pair { Op::Pair(op) } else { Op::Bin(op) };
    Some(mk(w, op, q, size))
}

/// Integer three-same operation for (U, opcode, size); `true` for the pairwise forms.
pub(crate) fn three_same_int(u: bool, opcode: u32, size: u32) -> Option<(Bin, bool)> {
    use Bin::*;
    let p = |b| Some((b, false));
    match (u, opcode) {
        (false, 0) => p(Shadd),
        (true, 0) => p(Uhadd),
        (false, 1) => p(Sqadd),
        (true, 1) => p(Uqadd),
        (false, 2) => p(Srhadd),
        (true, 2) => p(Urhadd),
        (false, 3) => p([And, Bic, Orr, Orn][size as usize]),
        (true, 3) => p([Eor, Bsl, Bit, Bif][size as usize]),
        (false, 4) => p(Shsub),
        (true, 4) => p(Uhsub),
        (false, 5) => p(Sqsub),
        (true, 5) => p(Uqsub),
        (false, 6) => p(Cmgt),
        (true, 6) => p(Cmhi),
        (false, 7) => p(Cmge),
        (true, 7) => p(Cmhs),
        (false, 8) => p(Sshl),
        (true, 8) => p(Ushl),
        (false, 9) => p(Sqshl),
        (true, 9) => p(Uqshl),
        (false, 10) => p(Srshl),
        (true, 10) => p(Urshl),
        (false, 11) => p(Sqrshl),
        (true, 11) => p(Uqrshl),
        (false, 12) => p(Smax),
        (true, 12) => p(Umax),
        (false, 13) => p(Smin),
        (true, 13) => p(Umin),
        (false, 14) => p(Sabd),
        (true, 14) => p(Uabd),
        (false, 15) => p(Saba),
        (true, 15) => p(Uaba),
        (false, 16) => p(Add),
        (true, 16) => p(Sub),
        (false, 17) => p(Cmtst),
        (true, 17) => p(Cmeq),
        (false, 18) => p(Mla),
        (true, 18) => p(Mls),
        (false, 19) => p(Mul),
        (true, 19) => p(Pmul),
        (false, 20) => Some((Smax, true)),
        (true, 20) => Some((Umax, true)),
        (false, 21) => Some((Smin, true)),
        (true, 21) => Some((Umin, true)),
        (false, 22) => p(Sqdmulh),
        (true, 22) => p(Sqrdmulh),
        (false, 23) => Some((Add, true)),
        _ => None,
    }
}

/// Floating-point three-same operation for (U, size<1>, opcode); `true` for the pairwise forms.
pub(crate) fn three_same_fp(u: bool, a: bool, opcode: u32) -> Option<(FBin, bool)> {
    use FBin::*;
    let p = |b| Some((b, false));
    let pp = |b| Some((b, true));
    match (u, a, opcode) {
        (false, false, 0b11000) => p(Fmaxnm),
        (false, false, 0b11001) => p(Fmla),
        (false, false, 0b11010) => p(Fadd),
        (false, false, 0b11011) => p(Fmulx),
        (false, false, 0b11100) => p(Fcmeq),
        (false, false, 0b11110) => p(Fmax),
        (false, false, 0b11111) => p(Frecps),
        (false, true, 0b11000) => p(Fminnm),
        (false, true, 0b11001) => p(Fmls),
        (false, true, 0b11010) => p(Fsub),
        (false, true, 0b11110) => p(Fmin),
        (false, true, 0b11111) => p(Frsqrts),
        (true, false, 0b11000) => pp(Fmaxnm),
        (true, false, 0b11010) => pp(Fadd),
        (true, false, 0b11011) => p(Fmul),
        (true, false, 0b11100) => p(Fcmge),
        (true, false, 0b11101) => p(Facge),
        (true, false, 0b11110) => pp(Fmax),
        (true, false, 0b11111) => p(Fdiv),
        (true, true, 0b11000) => pp(Fminnm),
        (true, true, 0b11010) => p(Fabd),
        (true, true, 0b11100) => p(Fcmgt),
        (true, true, 0b11101) => p(Facgt),
        (true, true, 0b11110) => pp(Fmin),
        _ => None,
    }
}

/// Two-register misc: the operation for (U, opcode, size), or `None`.
pub(crate) fn two_misc_op(u: bool, opcode: u32, size: u32) -> Option<Op> {
    use FUn::*;
    let a = size >= 2;
    let f = |x| Some(Op::FUn(x));
    Some(match (u, opcode) {
        (false, 0) => Op::Un(Un::Rev64),
        (false, 1) => Op::Un(Un::Rev16),
        (true, 0) => Op::Un(Un::Rev32),
        (false, 2) => Op::Resize(Resize::Saddlp),
        (true, 2) => Op::Resize(Resize::Uaddlp),
        (false, 3) => Op::Un(Un::Suqadd),
        (true, 3) => Op::Un(Un::Usqadd),
        (false, 4) => Op::Un(Un::Cls),
        (true, 4) => Op::Un(Un::Clz),
        (false, 5) => Op::Un(Un::Cnt),
        (true, 5) => Op::Un(if size == 0 { Un::Not } else { Un::Rbit }),
        (false, 6) => Op::Resize(Resize::Sadalp),
        (true, 6) => Op::Resize(Resize::Uadalp),
        (false, 7) => Op::Un(Un::Sqabs),
        (true, 7) => Op::Un(Un::Sqneg),
        (false, 8) => Op::Un(Un::Cmgt0),
        (true, 8) => Op::Un(Un::Cmge0),
        (false, 9) => Op::Un(Un::Cmeq0),
        (true, 9) => Op::Un(Un::Cmle0),
        (false, 10) => Op::Un(Un::Cmlt0),
        (false, 11) => Op::Un(Un::Abs),
        (true, 11) => Op::Un(Un::Neg),
        (false, 18) => Op::Resize(Resize::Xtn),
        (true, 18) => Op::Resize(Resize::Sqxtun),
        (true, 19) => Op::Resize(Resize::Shll),
        (false, 20) => Op::Resize(Resize::Sqxtn),
        (true, 20) => Op::Resize(Resize::Uqxtn),
        (false, 12) if a => return f(Fcmgt0),
        (true, 12) if a => return f(Fcmge0),
        (false, 13) if a => return f(Fcmeq0),
        (true, 13) if a => return f(Fcmle0),
        (false, 14) if a => return f(Fcmlt0),
        (false, 15) if a => return f(Fabs),
        (true, 15) if a => return f(Fneg),
        (false, 22) if !a => return f(Fcvtn),
        (true, 22) if size == 1 => return f(Fcvtxn),
        (false, 23) if !a => return f(Fcvtl),
        (false, 24) => return f(if a { Frintp } else { Frintn }),
        (false, 25) => return f(if a { Frintz } else { Frintm }),
        (false, 26) => return f(if a { Fcvtps } else { Fcvtns }),
        (false, 27) => return f(if a { Fcvtzs } else { Fcvtms }),
        (false, 28) => {
            return if a {
                Some(Op::Un(Un::Urecpe))
            } else {
                f(Fcvtas)
            };
        }
        (false, 29) => return f(if a { Frecpe } else { Scvtf }),
        (true, 24) if !a => return f(Frinta),
        (true, 25) => return f(if a { Frinti } else { Frintx }),
        (true, 26) => return f(if a { Fcvtpu } else { Fcvtnu }),
        (true, 27) => return f(if a { Fcvtzu } else { Fcvtmu }),
        (true, 28) if !a => return f(Fcvtau),
        (true, 28) => Op::Un(Un::Ursqrte),
        (true, 29) => return f(if a { Frsqrte } else { Ucvtf }),
        (true, 31) if a => return f(Fsqrt),
        _ => return None,
    })
}

fn two_misc(w: u32, q: bool) -> Option<Vector> {
    let size = bits(w, 23, 22);
    let op = two_misc_op(bit(w, 29), bits(w, 16, 12), size)?;
    let sz = bit(w, 22) as u32;
    let size = match op {
        Op::FUn(FUn::Fcvtn | FUn::Fcvtl | FUn::Fcvtxn) => 2 + sz,
        Op::FUn(_) => {
            if sz == 1 && !q {
                return None;
            }
            2 + sz
        }
        Op::Un(Un::Rev64 | Un::Cls | Un::Clz) if size == 3 => return None,
        Op::Un(Un::Rev16 | Un::Cnt) if size != 0 => return None,
        Op::Un(Un::Rev32) if size > 1 => return None,
        Op::Un(Un::Not | Un::Rbit) if size > 1 => return None,
        Op::Un(Un::Not | Un::Rbit) => 0,
        Op::Un(Un::Urecpe | Un::Ursqrte) => {
            if sz == 1 {
                return None;
            }
            2
        }
        Op::Un(_) if size == 3 && !q => return None,
        Op::Resize(_) if size == 3 => return None,
        _ => size,
    };
    Some(mk(w, op, q, size))
}

fn across(w: u32, q: bool) -> Option<Vector> {
    let size = bits(w, 23, 22);
    let opcode = bits(w, 16, 12);
    let u = bit(w, 29);
    if u && (opcode == 12 || opcode == 15) {
        if !q || bit(w, 22) {
            return None;
        }
        let a = bit(w, 23);
        let op = match (opcode, a) {
            (12, false) => FBin::Fmaxnm,
            (12, true) => FBin::Fminnm,
            (_, false) => FBin::Fmax,
            _ => FBin::Fmin,
        };
        return Some(mk(w, Op::FAcross(op), q, 2));
    }
    let op = match (u, opcode) {
        (false, 3) => Across::Saddlv,
        (true, 3) => Across::Uaddlv,
        (false, 10) => Across::Smaxv,
        (true, 10) => Across::Umaxv,
        (false, 26) => Across::Sminv,
        (true, 26) => Across::Uminv,
        (false, 27) => Across::Addv,
        _ => return None,
    };
    if size == 3 || (size == 2 && !q) {
        return None;
    }
    Some(mk(w, Op::Across(op), q, size))
}

fn copy(w: u32, q: bool) -> Option<Vector> {
    let imm5 = bits(w, 20, 16);
    let imm4 = bits(w, 14, 11);
    if imm5 & 0xf == 0 {
        return None;
    }
    let size = imm5.trailing_zeros();
    let idx = (imm5 >> (size + 1)) as u8;
    let (op, ok) = if bit(w, 29) {
        (Perm::InsElem, q)
    } else {
        match imm4 {
            0 => (Perm::DupElem, size < 3 || q),
            1 => (Perm::DupGen, size < 3 || q),
            3 => (Perm::InsGen, q),
            5 => (Perm::Smov, if q { size < 3 } else { size < 2 }),
            7 => (Perm::Umov, if q { size == 3 } else { size < 3 }),
            _ => (Perm::DupElem, false),
        }
    };
    if !ok {
        return None;
    }
    let mut v = mk(w, Op::Perm(op), q, size);
    v.imm = idx;
    v.imm2 = (imm4 >> size) as u8;
    Some(v)
}

fn permute(w: u32, q: bool) -> Option<Vector> {
    let size = bits(w, 23, 22);
    if size == 3 && !q {
        return None;
    }
    let op = match bits(w, 14, 12) {
        1 => Perm::Uzp1,
        2 => Perm::Trn1,
        3 => Perm::Zip1,
        5 => Perm::Uzp2,
        6 => Perm::Trn2,
        7 => Perm::Zip2,
        _ => return None,
    };
    Some(mk(w, Op::Perm(op), q, size))
}

fn mod_imm(w: u32, q: bool) -> Option<Vector> {
    let op = bit(w, 29);
    let cmode = bits(w, 15, 12);
    if bit(w, 11) || (cmode == 15 && op && !q) {
        return None; // FP16 FMOV; FMOV double needs Q = 1
    }
    let mut v = mk(w, Op::Perm(Perm::ModImm), q, 0);
    v.imm = ((bits(w, 18, 16) << 5) | bits(w, 9, 5)) as u8;
    v.imm2 = ((cmode << 1) | op as u32) as u8;
    Some(v)
}
