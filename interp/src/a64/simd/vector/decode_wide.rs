//! Decoding of the Advanced SIMD vector classes whose elements change size or come from another register's
//! element: three different, shift by immediate and × indexed element (shared with the scalar decoder).

use super::decode::mk;
use super::float::{FBin, FUn};
use super::int::Bin;
use super::long::{Diff, Shift};
use super::{Op, Vector};
use crate::decode::fields::{bit, bits};

/// Three-different operation for (U, opcode).
pub(crate) fn diff_op(u: bool, opcode: u32) -> Option<Diff> {
    use Diff::*;
    Some(match (u, opcode) {
        (false, 0) => Saddl,
        (true, 0) => Uaddl,
        (false, 1) => Saddw,
        (true, 1) => Uaddw,
        (false, 2) => Ssubl,
        (true, 2) => Usubl,
        (false, 3) => Ssubw,
        (true, 3) => Usubw,
        (false, 4) => Addhn,
        (true, 4) => Raddhn,
        (false, 5) => Sabal,
        (true, 5) => Uabal,
        (false, 6) => Subhn,
        (true, 6) => Rsubhn,
        (false, 7) => Sabdl,
        (true, 7) => Uabdl,
        (false, 8) => Smlal,
        (true, 8) => Umlal,
        (false, 9) => Sqdmlal,
        (false, 10) => Smlsl,
        (true, 10) => Umlsl,
        (false, 11) => Sqdmlsl,
        (false, 12) => Smull,
        (true, 12) => Umull,
        (false, 13) => Sqdmull,
        (false, 14) => Pmull,
        _ => return None,
    })
}

pub(crate) fn three_diff(w: u32, q: bool) -> Option<Vector> {
    let size = bits(w, 23, 22);
    let op = diff_op(bit(w, 29), bits(w, 15, 12))?;
    match op {
        Diff::Pmull if size != 0 && size != 3 => return None,
        Diff::Pmull => {}
        Diff::Sqdmlal | Diff::Sqdmlsl | Diff::Sqdmull if size == 0 || size == 3 => return None,
        _ if size == 3 => return None,
        _ => {}
    }
    Some(mk(w, Op::Diff(op), q, size))
}

/// Shift by immediate, vector or (`scalar`) scalar form.
pub(crate) fn shift_imm(w: u32, q: bool, scalar: bool) -> Option<Vector> {
    use Shift::*;
    let immh = bits(w, 22, 19);
    let immhb = bits(w, 22, 16);
    let hsb = 31 - immh.leading_zeros();
    let e = 8u32 << hsb;
    let u = bit(w, 29);
    let opcode = bits(w, 15, 11);
    if opcode == 28 || opcode == 31 {
        // Fixed-point conversions.
        let (size, fbits) = if immh & 8 != 0 {
            (3, 128 - immhb)
        } else if immh & 4 != 0 {
            (2, 64 - immhb)
        } else {
            return None;
        };
        if size == 3 && !q && !scalar {
            return None;
        }
        let op = match (u, opcode) {
            (false, 28) => FUn::Scvtf,
            (true, 28) => FUn::Ucvtf,
            (false, _) => FUn::Fcvtzs,
            (true, _) => FUn::Fcvtzu,
        };
        let mut v = mk(w, Op::FUn(op), q, size);
        v.scalar = scalar;
        v.imm = fbits as u8;
        return Some(v);
    }
    let op = match (u, opcode) {
        (false, 0) => Sshr,
        (true, 0) => Ushr,
        (false, 2) => Ssra,
        (true, 2) => Usra,
        (false, 4) => Srshr,
        (true, 4) => Urshr,
        (false, 6) => Srsra,
        (true, 6) => Ursra,
        (true, 8) => Sri,
        (false, 10) => Shl,
        (true, 10) => Sli,
        (true, 12) => Sqshlu,
        (false, 14) => Sqshl,
        (true, 14) => Uqshl,
        (false, 16) => Shrn,
        (true, 16) => Sqshrun,
        (false, 17) => Rshrn,
        (true, 17) => Sqrshrun,
        (false, 18) => Sqshrn,
        (true, 18) => Uqshrn,
        (false, 19) => Sqrshrn,
        (true, 19) => Uqrshrn,
        (false, 20) => Sshll,
        (true, 20) => Ushll,
        _ => return None,
    };
    let narrow = matches!(
        op,
        Shrn | Rshrn | Sqshrn | Uqshrn | Sqrshrn | Uqrshrn | Sqshrun | Sqrshrun | Sshll | Ushll
    );
    if narrow && hsb == 3 {
        return None;
    }
    if !narrow && hsb == 3 && !q && !scalar {
        return None;
    }
    let left = matches!(op, Shl | Sli | Sqshl | Uqshl | Sqshlu | Sshll | Ushll);
    let sh = if left { immhb - e } else { 2 * e - immhb };
    let mut v = mk(w, Op::Shift(op), q, hsb);
    v.scalar = scalar;
    v.imm = sh as u8;
    Some(v)
}

/// Vector × indexed element, vector or (`scalar`) scalar form.
pub(crate) fn indexed(w: u32, q: bool, scalar: bool) -> Option<Vector> {
    let size = bits(w, 23, 22);
    let (l, m, h) = (bit(w, 21) as u32, bit(w, 20) as u32, bit(w, 11) as u32);
    let u = bit(w, 29);
    let opcode = bits(w, 15, 12);
    let fp = match (u, opcode) {
        (false, 1) => Some(FBin::Fmla),
        (false, 5) => Some(FBin::Fmls),
        (false, 9) => Some(FBin::Fmul),
        (true, 9) => Some(FBin::Fmulx),
        _ => None,
    };
    if let Some(op) = fp {
        let (idx, rm) = match size {
            2 => ((h << 1) | l, bits(w, 20, 16)),
            3 if l == 0 && (q || scalar) => (h, bits(w, 20, 16)),
            _ => return None, // half precision, reserved
        };
        let mut v = mk(w, Op::FBinIdx(op), q, size);
        v.scalar = scalar;
        v.rm = rm as u8;
        v.imm = idx as u8;
        return Some(v);
    }
    let op = match (u, opcode) {
        (true, 0) => Op::BinIdx(Bin::Mla),
        (true, 4) => Op::BinIdx(Bin::Mls),
        (false, 8) => Op::BinIdx(Bin::Mul),
        (false, 12) => Op::BinIdx(Bin::Sqdmulh),
        (false, 13) => Op::BinIdx(Bin::Sqrdmulh),
        (false, 2) => Op::DiffIdx(Diff::Smlal),
        (true, 2) => Op::DiffIdx(Diff::Umlal),
        (false, 3) => Op::DiffIdx(Diff::Sqdmlal),
        (false, 6) => Op::DiffIdx(Diff::Smlsl),
        (true, 6) => Op::DiffIdx(Diff::Umlsl),
        (false, 7) => Op::DiffIdx(Diff::Sqdmlsl),
        (false, 10) => Op::DiffIdx(Diff::Smull),
        (true, 10) => Op::DiffIdx(Diff::Umull),
        (false, 11) => Op::DiffIdx(Diff::Sqdmull),
        _ => return None, // dot products, SQRDMLAH/SQRDMLSH, FCMLA
    };
    let (idx, rm) = match size {
        1 => ((h << 2) | (l << 1) | m, bits(w, 19, 16)),
        2 => ((h << 1) | l, bits(w, 20, 16)),
        _ => return None,
    };
    let mut v = mk(w, op, q, size);
    v.scalar = scalar;
    v.rm = rm as u8;
    v.imm = idx as u8;
    Some(v)
}
