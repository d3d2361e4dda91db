//! Advanced SIMD scalar instructions (`01 U 1111x …`): scalar three same, three different, two-register misc,
//! pairwise, copy (DUP element), shift by immediate and × indexed element.
//!
//! Decoding only: a scalar instruction is a [`Vector`] with `scalar = true` (one element, the rest of the
//! destination zeroed), so its semantics are the vector element operations in [`super::vector`], written once.

use super::vector::decode::{mk, three_same_fp, three_same_int, two_misc_op};
use super::vector::decode_wide::{diff_op, indexed, shift_imm};
use super::vector::float::{FBin, FUn};
use super::vector::int::Bin;
use super::vector::long::{Diff, Resize, Shift};
use super::vector::misc::Un;
use super::vector::perm::Perm;
use super::vector::{Op, Vector};
use crate::decode::fields::{bit, bits};
use crate::sem::Sem;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Scalar(Vector);

impl Scalar {
    pub fn decode(w: u32) -> Option<Scalar> {
        if bits(w, 31, 30) != 0b01 {
            return None;
        }
        let v = match bits(w, 28, 24) {
            0b11110 => {
                if bit(w, 21) {
                    if bit(w, 10) {
                        three_same(w)
                    } else if !bit(w, 11) {
                        three_diff(w)
                    } else {
                        match bits(w, 20, 17) {
                            0b0000 => two_misc(w),
                            0b1000 => pairwise(w),
                            _ => None,
                        }
                    }
                } else if bits(w, 23, 21) == 0
                    && !bit(w, 15)
                    && bit(w, 10)
                    && !bit(w, 29)
                    && bits(w, 14, 11) == 0
                {
                    let imm5 = bits(w, 20, 16);
                    if imm5 & 0xf == 0 {
                        return None;
                    }
                    let size = imm5.trailing_zeros();
                    let mut v = mk(w, Op::Perm(Perm::DupElem), false, size);
                    v.imm = (imm5 >> (size + 1)) as u8;
                    Some(v)
                } else {
                    None
                }
            }
            0b11111 => {
                if !bit(w, 10) {
                    indexed(w, false, true).filter(|v| {
                        matches!(
                            v.op,
                            Op::FBinIdx(_)
                                | Op::BinIdx(Bin::Sqdmulh | Bin::Sqrdmulh)
                                | Op::DiffIdx(Diff::Sqdmlal | Diff::Sqdmlsl | Diff::Sqdmull)
                        )
                    })
                } else if bit(w, 23) || bits(w, 22, 19) == 0 {
                    None
                } else {
                    shift_imm(w, false, true).filter(|v| match v.op {
                        Op::Shift(Shift::Shrn | Shift::Rshrn | Shift::Sshll | Shift::Ushll) => {
                            false
                        }
                        Op::Shift(
                            Shift::Sqshl
                            | Shift::Uqshl
                            | Shift::Sqshlu
                            | Shift::Sqshrn
                            | Shift::Uqshrn
                            | Shift::Sqrshrn
                            | Shift::Uqrshrn
                            | Shift::Sqshrun
                            | Shift::Sqrshrun,
                        ) => true,
                        Op::Shift(_) => v.size == 3,
                        _ => true,
                    })
                }
            }
            _ => None,
        }?;
        Some(Scalar(Vector { scalar: true, ..v }))
    }

    pub fn exec<S: Sem>(self, s: &mut S) {
        self.0.exec(s)
    }

    /// The shared decoded form (with `scalar` set).
    pub fn vector(self) -> Vector {
        self.0
    }
}

fn three_same(w: u32) -> Option<Vector> {
    let opcode = bits(w, 15, 11);
    let size = bits(w, 23, 22);
    if opcode >= 0b11000 {
        let (op, pair) = three_same_fp(bit(w, 29), bit(w, 23), opcode)?;
        use FBin::*;
        if pair
            || !matches!(
                op,
                Fmulx | Fcmeq | Frecps | Frsqrts | Fcmge | Facge | Fabd | Fcmgt | Facgt
            )
        {
            return None;
        }
        return Some(mk(w, Op::FBin(op), false, 2 + bit(w, 22) as u32));
    }
    let (op, pair) = three_same_int(bit(w, 29), opcode, size)?;
    use Bin::*;
    let ok = match op {
        _ if pair => false,
        Sqadd | Uqadd | Sqsub | Uqsub | Sqshl | Uqshl | Sqrshl | Uqrshl => true,
        Cmgt | Cmge | Cmhi | Cmhs | Sshl | Ushl | Srshl | Urshl | Add | Sub | Cmtst | Cmeq => {
            size == 3
        }
        Sqdmulh | Sqrdmulh => size == 1 || size == 2,
        _ => false,
    };
    ok.then(|| mk(w, Op::Bin(op), false, size))
}

fn three_diff(w: u32) -> Option<Vector> {
    let size = bits(w, 23, 22);
    let op = diff_op(bit(w, 29), bits(w, 15, 12))?;
    let ok =
        matches!(op, Diff::Sqdmlal | Diff::Sqdmlsl | Diff::Sqdmull) && (size == 1 || size == 2);
    ok.then(|| mk(w, Op::Diff(op), false, size))
}

fn two_misc(w: u32) -> Option<Vector> {
    let size = bits(w, 23, 22);
    let u = bit(w, 29);
    let opcode = bits(w, 16, 12);
    let sz = bit(w, 22) as u32;
    if !u && opcode == 31 && size >= 2 {
        return Some(mk(w, Op::FUn(FUn::Frecpx), false, 2 + sz));
    }
    let op = two_misc_op(u, opcode, size)?;
    use FUn::*;
    use Un::*;
    let size = match op {
        Op::Un(Suqadd | Usqadd | Sqabs | Sqneg) => size,
        Op::Un(Cmgt0 | Cmge0 | Cmeq0 | Cmle0 | Cmlt0 | Abs | Neg) if size == 3 => size,
        Op::Resize(Resize::Sqxtn | Resize::Uqxtn | Resize::Sqxtun) if size < 3 => size,
        Op::FUn(
            Fcvtns | Fcvtnu | Fcvtms | Fcvtmu | Fcvtps | Fcvtpu | Fcvtzs | Fcvtzu | Fcvtas | Fcvtau
            | Scvtf | Ucvtf | Frecpe | Frsqrte | Fcmeq0 | Fcmge0 | Fcmgt0 | Fcmle0 | Fcmlt0,
        ) => 2 + sz,
        Op::FUn(Fcvtxn) => 3,
        _ => return None,
    };
    Some(mk(w, op, false, size))
}

fn pairwise(w: u32) -> Option<Vector> {
    let size = bits(w, 23, 22);
    let opcode = bits(w, 16, 12);
    let sz = bit(w, 22) as u32;
    let a = bit(w, 23);
    let op = match (bit(w, 29), opcode, a) {
        (false, 27, _) if size == 3 => return Some(mk(w, Op::Pair(Bin::Add), false, 3)),
        (true, 12, false) => FBin::Fmaxnm,
        (true, 12, true) => FBin::Fminnm,
        (true, 13, false) => FBin::Fadd,
        (true, 15, false) => FBin::Fmax,
        (true, 15, true) => FBin::Fmin,
        _ => return None,
    };
    Some(mk(w, Op::FPair(op), false, 2 + sz))
}
