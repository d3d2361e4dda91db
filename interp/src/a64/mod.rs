//! A64 instruction semantics, one module per ARM ARM instruction class. Each module owns its decoded form
//! (`decode(word) -> Option<Self>`) and its semantics (`exec<S: Sem>`), written once for every tier.

pub mod branch;
pub mod dp_imm;
pub mod dp_reg;
pub mod fp;
pub mod ldst;
pub mod simd;

use crate::decode::Insn;
use crate::sem::Sem;

/// Executes (or, for the lifter, emits) one instruction.
#[inline(always)]
pub fn exec<S: Sem>(s: &mut S, insn: Insn) {
    match insn {
        Insn::DpImm(i) => i.exec(s),
        Insn::DpReg(i) => i.exec(s),
        Insn::Branch(i) => i.exec(s),
        Insn::LdSt(i) => i.exec(s),
        Insn::Fp(i) => i.exec(s),
        Insn::Simd(i) => i.exec(s),
        Insn::Undefined(_) => s.undefined(),
    }
}
