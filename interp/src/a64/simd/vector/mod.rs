//! Advanced SIMD vector instructions (ARM ARM C4.1.95 "Advanced SIMD …" vector classes), and the element
//! operations the scalar forms ([`super::scalar`]) share with them.
//!
//! One decoded form, [`Vector`], serves both: an [`Op`] names the operation by family, the fields carry the
//! arrangement. Every per-element operation is written once (in [`int`], [`misc`], [`long`], [`float`]),
//! parametrised by element size and element count, and the scalar forms are the same code with one element
//! (`scalar = true`). The hot vector forms use whole-register lane-wise primitives (`q_add`, `q_minmax`,
//! `q_shuffle`, …) instead of per-element code.
//!
//! Submodules by concern: [`decode`] and [`decode_wide`] (vector encodings → [`Vector`]), [`lanes`] (lane
//! access, saturation, FPSR.QC, shuffles), [`perm`] (copy, permute, extract, table, modified immediate),
//! [`int`] (integer three same, pairwise, by element), [`misc`] (integer two-register misc, across lanes),
//! [`long`] (widening and narrowing: three different, shift by immediate, long/narrow misc), [`float`]
//! (floating point, each lane through the `fp_*` primitives).
//!
//! Not covered (decode to `None`, i.e. SIGILL): half-precision arithmetic (FEAT_FP16), dot products, BF16, I8MM,
//! FCMA, SQRDMLAH/SQRDMLSH, FRINT32/64.

pub mod decode;
pub mod decode_wide;
pub mod float;
pub mod int;
pub mod lanes;
pub mod long;
pub mod misc;
pub mod perm;

use crate::sem::{Reg, Sem};

/// A decoded Advanced SIMD instruction (vector, or scalar when `scalar` is set).
///
/// `size` is log2 of the element size in bytes as the ARM ARM's `size` field gives it for the class (for
/// floating point: 1 = H, 2 = S, 3 = D; for narrowing and widening operations: the narrow element). `imm` and
/// `imm2` carry the class's immediate fields (element index, shift amount, fraction bits, table length, …).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Vector {
    pub op: Op,
    /// 128-bit arrangement (Q); for widening/narrowing ops, "second half" (the `2` forms).
    pub q: bool,
    /// AdvSIMD scalar form: one element, the rest of the destination zeroed.
    pub scalar: bool,
    pub size: u8,
    pub rd: Reg,
    pub rn: Reg,
    pub rm: Reg,
    pub imm: u8,
    pub imm2: u8,
}

/// Operation families; each inner enum is executed by one module.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Perm(perm::Perm),
    /// Integer three same (element-wise).
    Bin(int::Bin),
    /// Integer pairwise (ADDP, SMAXP, …): the element op on adjacent pairs of `rn:rm`.
    Pair(int::Bin),
    /// Integer by element: `rm`'s element `imm` against every element of `rn`.
    BinIdx(int::Bin),
    /// Integer two-register misc, same-size.
    Un(misc::Un),
    Across(misc::Across),
    /// Three different (long, wide, narrow-high).
    Diff(long::Diff),
    /// Long by element (SMULL (by element), SQDMLAL, …).
    DiffIdx(long::Diff),
    /// Widening / narrowing two-register misc.
    Resize(long::Resize),
    Shift(long::Shift),
    FBin(float::FBin),
    FPair(float::FBin),
    FBinIdx(float::FBin),
    /// FMAXV, FMINV, FMAXNMV, FMINNMV.
    FAcross(float::FBin),
    FUn(float::FUn),
}

impl Op {
    /// Whether the operation is floating point (its lanes go through the `fp_*` primitives).
    pub fn is_fp(self) -> bool {
        matches!(
            self,
            Op::FBin(_) | Op::FPair(_) | Op::FBinIdx(_) | Op::FAcross(_) | Op::FUn(_)
        )
    }
}

impl Vector {
    pub fn decode(w: u32) -> Option<Vector> {
        decode::decode(w)
    }

    #[inline(always)]
    pub fn exec<S: Sem>(self, s: &mut S) {
        match self.op {
            Op::Perm(p) => perm::exec(s, self, p),
            Op::Bin(o) => int::exec_bin(s, self, o),
            Op::Pair(o) => int::exec_pair(s, self, o),
            Op::BinIdx(o) => int::exec_bin_idx(s, self, o),
            Op::Un(o) => misc::exec_un(s, self, o),
            Op::Across(o) => misc::exec_across(s, self, o),
            Op::Diff(o) => long::exec_diff(s, self, o, false),
            Op::DiffIdx(o) => long::exec_diff(s, self, o, true),
            Op::Resize(o) => long::exec_resize(s, self, o),
            Op::Shift(o) => long::exec_shift(s, self, o),
            Op::FBin(o) => float::exec_bin(s, self, o, false),
            Op::FBinIdx(o) => float::exec_bin(s, self, o, true),
            Op::FPair(o) => float::exec_pair(s, self, o),
            Op::FAcross(o) => float::exec_across(s, self, o),
            Op::FUn(o) => float::exec_un(s, self, o),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn decoded_form_is_compact() {
        assert!(core::mem::size_of::<super::Vector>() <= 12);
    }
}
