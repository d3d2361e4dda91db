//! Decoding: instruction words → elfrun's compact [`Insn`] form.
//!
//! The ARM ARM's top-level groups (bits 28..25) dispatch to one decoder per instruction class in [`crate::a64`];
//! each class owns its field layout, its decoded form and its semantics, next to each other. Fields are taken
//! from the raw word, never from a disassembler's operand list, so known yaxpeax-arm quirks (MSR's 4-bit Rt,
//! UXTW shown on W registers) cannot reach the semantics. yaxpeax-arm provides [`disasm`] for messages and
//! profiles, and a cross-check in the tests (every word it calls invalid, we must not execute).

mod disasm;
pub mod fields;

pub use disasm::{describe, disasm, yaxpeax_accepts};

use crate::a64::{branch::Branch, dp_imm::DpImm, dp_reg::DpReg, fp::Fp, ldst::LdSt, simd::Simd};

/// One decoded instruction. `Copy`, at most 16 bytes; the pc is implied by its place in a [`crate::Block`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Insn {
    DpImm(DpImm),
    DpReg(DpReg),
    Branch(Branch),
    LdSt(LdSt),
    Fp(Fp),
    Simd(Simd),
    /// Unallocated, or allocated but not supported: executing it raises SIGILL.
    Undefined(u32),
}

impl Insn {
    /// Whether execution cannot simply continue with the next word (branches, exceptions, undefined).
    pub fn ends_block(&self) -> bool {
        match self {
            Insn::Branch(b) => b.ends_block(),
            Insn::Undefined(_) => true,
            _ => false,
        }
    }
}

/// Decodes one instruction word. Never fails: what is not understood becomes [`Insn::Undefined`].
pub fn decode(word: u32) -> Insn {
    let op0 = (word >> 25) & 0xf;
    let insn = match op0 {
        0b1000 | 0b1001 => DpImm::decode(word).map(Insn::DpImm),
        0b1010 | 0b1011 => Branch::decode(word).map(Insn::Branch),
        0b0100 | 0b0110 | 0b1100 | 0b1110 => LdSt::decode(word).map(Insn::LdSt),
        0b0101 | 0b1101 => DpReg::decode(word).map(Insn::DpReg),
        0b0111 | 0b1111 => {
            // Scalar floating point is op0 = x0x1 in the SIMD&FP group; the rest is Advanced SIMD and crypto.
            if word & (1 << 28) != 0 && word & (1 << 30) == 0 {
                Fp::decode(word).map(Insn::Fp)
            } else {
                Simd::decode(word).map(Insn::Simd)
            }
        }
        _ => None, // reserved, SME, SVE, unallocated
    };
    insn.unwrap_or(Insn::Undefined(word))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insn_is_compact() {
        assert!(
            core::mem::size_of::<Insn>() <= 16,
            "Insn is {} bytes",
            core::mem::size_of::<Insn>()
        );
    }

    #[test]
    fn zero_word_is_undefined() {
        assert_eq!(decode(0), Insn::Undefined(0));
    }
}
