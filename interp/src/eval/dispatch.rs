//! Handler selection: which interpreter routine runs a decoded instruction.
//!
//! A block is predecoded once into [`Op`](super::block::Op)s, each carrying a plain function pointer chosen here.
//! Running an instruction is then one jump into a small function made for its kind, instead of walking the
//! nested `match` of [`crate::a64::exec`] (class, then variant, then operand forms) for every instruction.
//! Handlers are threaded: each one ends by jumping to the next instruction's handler (see [`Handler`]), so
//! the run loop only goes from block to block, and every jump between two instructions has its own entry in the
//! host's branch predictor (a block's jump from `LDR` to `FMADD` is predicted apart from every other `LDR`'s).
//! Every handler is a closure made by `th!` around the routine for its instruction, so profilers name them all
//! `FnOnce::call_once`: read them by source line (`perf annotate`, `cg_annotate`).
//!
//! Every handler ends in the same generic semantics (`exec::<Eval>`); this module only selects code, it never
//! restates what an instruction does. The hottest kinds get handlers specialised by constant generics: the
//! handler rebuilds the decoded instruction with those fields replaced by the constants they are known to equal
//! (it is only selected for instructions where they do), so after inlining the compiler folds away the branches
//! on them — `B.cond`, CSEL and CCMP per condition, ADR/ADRP, ADD/SUB per width / operation / flag setting, logical and
//! ADD/SUB register forms also for an unshifted operand, logical immediates, divisions and shifts by a register
//! per operation and width, bitfield moves and multiplies per operation, scalar FP
//! arithmetic per precision and operation, single-register loads and stores per operation, addressing mode and
//! size (each extension of a register offset, scaled by the access size or not, a mode of its own).

use super::Eval;
use super::block::Op as BlockOp;
use crate::a64::branch::Branch;
use crate::a64::dp_imm::DpImm;
use crate::a64::dp_reg::{DpReg, LogicOp, ThreeSrc, TwoSrc};
use crate::a64::fp::Fp;
use crate::a64::ldst::{Ext, Imm32, LdSt, Mode, Op, Pair, Single};
use crate::a64::simd::Simd;
use crate::a64::simd::vector::float::FBin;
use crate::a64::simd::vector::int::Bin;
use crate::a64::simd::vector::long::Diff;
use crate::a64::simd::vector::{Op as VOp, Vector};
use crate::decode::Insn;
use crate::sem::FpTy;

/// An interpreter routine for one kind of instruction, called with the rest of its block: `ops[0]` is the
/// instruction it was selected for by [`handler`]. It runs that instruction and then, unless it was the block's
/// last, calls the next instruction's routine itself — a tail call, so running a block is a chain of jumps from
/// routine to routine (threaded code) with no loop around them; each jump is predicted where it is made, and
/// the chain never grows deeper than a block. A routine entered after the instruction before it stopped the
/// run (`Eval::exit` set) returns at once, leaving `pc` on that instruction.
pub type Handler = fn(&mut Eval<'_>, &[BlockOp]);

/// The handler that runs `body` (an interpreter routine for one instruction) and continues the block.
///
/// The test for a stopped run is made on entry, not before the jump: the instruction before stopped it, and
/// `pc` steps back to it. Knowing that nothing has stopped the run when `body` starts lets the compiler drop
/// the same test from every register write of an instruction that cannot stop it (they are suppressed after
/// a fault) and from the jump on.
macro_rules! th {
    ($body:expr) => {
        threaded(|ev, ops| {
            if ev.exit.is_some() {
                ev.pc = ev.pc.wrapping_sub(4);
                return;
            }
            if let [op, rest @ ..] = ops {
                $body(ev, &op.insn);
                if let [next, ..] = rest {
                    ev.pc = ev.pc.wrapping_add(4);
                    (next.run)(ev, rest)
                }
            }
        })
    };
}

/// Gives the closures of [`th`] the type of a handler.
const fn threaded(h: Handler) -> Handler {
    h
}

/// The handler for `insn`.
pub fn handler(insn: &Insn) -> Handler {
    match *insn {
        Insn::DpImm(DpImm::AddSub {
            sf, sub, set_flags, ..
        }) => pick3!(dp_imm_add_sub, sf, sub, set_flags),
        Insn::DpImm(DpImm::Adr { page, .. }) => match page {
            false => th!(dp_imm_adr::<false>),
            true => th!(dp_imm_adr::<true>),
        },
        Insn::DpImm(DpImm::Logical { sf, opc, .. }) => match opc {
            0 => pick1!(dp_imm_logical_k[0], sf),
            1 => pick1!(dp_imm_logical_k[1], sf),
            2 => pick1!(dp_imm_logical_k[2], sf),
            _ => pick1!(dp_imm_logical_k[3], sf),
        },
        Insn::DpImm(DpImm::MovWide { .. }) => th!(dp_imm_mov_wide),
        Insn::DpImm(DpImm::Bitfield {
            sf,
            opc,
            immr,
            imms,
            ..
        }) => match opc {
            0 => pick2!(dp_imm_bitfield_k[0], sf, imms >= immr),
            1 => pick2!(dp_imm_bitfield_k[1], sf, imms >= immr),
            _ => pick2!(dp_imm_bitfield_k[2], sf, imms >= immr),
        },
        Insn::DpImm(DpImm::Extr { sf, .. }) => pick1!(dp_imm_extr_k, sf),
        Insn::DpReg(DpReg::AddSubShifted {
            sf,
            sub,
            set_flags,
            amount,
            ..
        }) => pick4!(dp_reg_add_sub_shifted, sf, sub, set_flags, amount == 0),
        Insn::DpReg(DpReg::Logical {
            sf,
            op,
            invert,
            amount,
            ..
        }) => match op {
            LogicOp::And => pick3!(dp_reg_logical[0], sf, invert, amount == 0),
            LogicOp::Orr => pick3!(dp_reg_logical[1], sf, invert, amount == 0),
            LogicOp::Eor => pick3!(dp_reg_logical[2], sf, invert, amount == 0),
            LogicOp::Ands => pick3!(dp_reg_logical[3], sf, invert, amount == 0),
        },
        Insn::DpReg(DpReg::AddSubExtended { .. }) => th!(dp_reg_add_sub_extended),
        Insn::DpReg(DpReg::CondSelect { cond, .. }) => COND_SELECT[cond as usize & 15],
        Insn::DpReg(DpReg::CondCompare { cond, .. }) => COND_COMPARE[cond as usize & 15],
        Insn::DpReg(DpReg::TwoSource { sf, op, .. }) => match op {
            TwoSrc::Udiv => pick1!(dp_reg_two_source_k[0], sf),
            TwoSrc::Sdiv => pick1!(dp_reg_two_source_k[1], sf),
            TwoSrc::Lslv => pick1!(dp_reg_two_source_k[2], sf),
            TwoSrc::Lsrv => pick1!(dp_reg_two_source_k[3], sf),
            TwoSrc::Asrv => pick1!(dp_reg_two_source_k[4], sf),
            TwoSrc::Rorv => pick1!(dp_reg_two_source_k[5], sf),
            TwoSrc::Crc32 { .. } => th!(dp_reg_two_source),
        },
        Insn::DpReg(DpReg::ThreeSource { sf, op, sub, .. }) => match op {
            ThreeSrc::Madd => pick2!(dp_reg_three_source_k[0], sf, sub),
            ThreeSrc::Smaddl => pick2!(dp_reg_three_source_k[1], sf, sub),
            ThreeSrc::Umaddl => pick2!(dp_reg_three_source_k[2], sf, sub),
            ThreeSrc::Smulh => pick2!(dp_reg_three_source_k[3], sf, sub),
            ThreeSrc::Umulh => pick2!(dp_reg_three_source_k[4], sf, sub),
        },
        Insn::DpReg(_) => th!(dp_reg),
        Insn::Branch(Branch::CondBr { cond, .. }) => COND_BR[cond as usize & 15],
        Insn::Branch(Branch::Cbz { sf, nonzero, .. }) => pick2!(cbz, sf, nonzero),
        Insn::Branch(Branch::Tbz { .. }) => th!(tbz),
        Insn::Branch(Branch::BImm { .. }) => th!(b_imm),
        Insn::Branch(Branch::BrReg { .. }) => th!(br_reg),
        Insn::Branch(_) => th!(branch),
        Insn::LdSt(LdSt::Single(s)) => single_handler(&s),
        Insn::LdSt(LdSt::Pair(p)) => pair_handler(&p),
        Insn::LdSt(_) => th!(ldst),
        Insn::Fp(Fp::Dp1 { .. }) => th!(fp_dp1),
        Insn::Fp(Fp::Dp2 { ty, op, .. }) => fp_dp2_handler(ty, op),
        Insn::Fp(Fp::Dp3 {
            ty, neg_a, neg_n, ..
        }) => match ty {
            FpTy::S => pick2!(fp_dp3_k[false], neg_a, neg_n),
            FpTy::D => pick2!(fp_dp3_k[true], neg_a, neg_n),
            FpTy::H => th!(fp_dp3),
        },
        Insn::Fp(_) => th!(fp),
        Insn::Simd(Simd::Vector(v)) => vector_handler(&v),
        Insn::Simd(_) => th!(simd),
        Insn::Undefined(_) => th!(undefined),
    }
}

/// `f::<a>` for a runtime boolean; `f[k, …]` puts constant arguments `k, …` first.
macro_rules! pick1 {
    ($f:ident $([$($k:literal),*])?, $a:expr) => {
        match $a {
            false => th!($f::<$($($k,)*)? false>),
            true => th!($f::<$($($k,)*)? true>),
        }
    };
}
use pick1;

/// `f::<a, b>` for two runtime booleans; `f[k, …]` puts constant arguments `k, …` first.
macro_rules! pick2 {
    ($f:ident $([$($k:literal),*])?, $a:expr, $b:expr) => {
        match ($a, $b) {
            (false, false) => th!($f::<$($($k,)*)? false, false>),
            (false, true) => th!($f::<$($($k,)*)? false, true>),
            (true, false) => th!($f::<$($($k,)*)? true, false>),
            (true, true) => th!($f::<$($($k,)*)? true, true>),
        }
    };
}
use pick2;

/// `f::<a, b, c>` for three runtime booleans; `f[k, …]` puts constant arguments `k, …` first.
macro_rules! pick3 {
    ($f:ident $([$($k:literal),*])?, $a:expr, $b:expr, $c:expr) => {
        match ($a, $b, $c) {
            (false, false, false) => th!($f::<$($($k,)*)? false, false, false>),
            (false, false, true) => th!($f::<$($($k,)*)? false, false, true>),
            (false, true, false) => th!($f::<$($($k,)*)? false, true, false>),
            (false, true, true) => th!($f::<$($($k,)*)? false, true, true>),
            (true, false, false) => th!($f::<$($($k,)*)? true, false, false>),
            (true, false, true) => th!($f::<$($($k,)*)? true, false, true>),
            (true, true, false) => th!($f::<$($($k,)*)? true, true, false>),
            (true, true, true) => th!($f::<$($($k,)*)? true, true, true>),
        }
    };
}
use pick3;

/// `f::<a, b, c, d>` for four runtime booleans.
macro_rules! pick4 {
    ($f:ident, $a:expr, $b:expr, $c:expr, $d:expr) => {
        if $a {
            pick3!($f[true], $b, $c, $d)
        } else {
            pick3!($f[false], $b, $c, $d)
        }
    };
}
use pick4;

/// A handler for every instruction of one class: `$class` is both the `Insn` variant and the decoded type.
macro_rules! class_handler {
    ($name:ident, $class:ident) => {
        fn $name(ev: &mut Eval<'_>, insn: &Insn) {
            if let Insn::$class(i) = *insn {
                i.exec(ev)
            }
        }
    };
}

/// A handler for one variant of a class: matching the variant here lets the compiler drop the class's own
/// dispatch from the inlined `exec`.
macro_rules! variant_handler {
    ($name:ident, $class:ident :: $variant:ident) => {
        fn $name(ev: &mut Eval<'_>, insn: &Insn) {
            if let Insn::$class(i @ $class::$variant { .. }) = *insn {
                i.exec(ev)
            }
        }
    };
}

class_handler!(dp_reg, DpReg);
class_handler!(branch, Branch);
class_handler!(ldst, LdSt);
class_handler!(fp, Fp);
class_handler!(simd, Simd);
variant_handler!(dp_imm_mov_wide, DpImm::MovWide);
variant_handler!(dp_reg_add_sub_extended, DpReg::AddSubExtended);
variant_handler!(dp_reg_two_source, DpReg::TwoSource);
variant_handler!(tbz, Branch::Tbz);
variant_handler!(b_imm, Branch::BImm);
variant_handler!(br_reg, Branch::BrReg);
variant_handler!(fp_dp1, Fp::Dp1);
variant_handler!(fp_dp2, Fp::Dp2);
variant_handler!(fp_dp3, Fp::Dp3);

fn undefined(ev: &mut Eval<'_>, _: &Insn) {
    crate::sem::Sem::undefined(ev)
}

fn dp_imm_add_sub<const SF: bool, const SUB: bool, const FLAGS: bool>(
    ev: &mut Eval<'_>,
    insn: &Insn,
) {
    if let Insn::DpImm(DpImm::AddSub { rd, rn, imm, .. }) = *insn {
        DpImm::AddSub {
            sf: SF,
            sub: SUB,
            set_flags: FLAGS,
            rd,
            rn,
            imm,
        }
        .exec(ev)
    }
}

/// `PLAIN`: the second operand is not shifted (amount 0), so the shift folds away.
fn dp_reg_add_sub_shifted<const SF: bool, const SUB: bool, const FLAGS: bool, const PLAIN: bool>(
    ev: &mut Eval<'_>,
    insn: &Insn,
) {
    if let Insn::DpReg(DpReg::AddSubShifted {
        shift,
        amount,
        rd,
        rn,
        rm,
        ..
    }) = *insn
    {
        DpReg::AddSubShifted {
            sf: SF,
            sub: SUB,
            set_flags: FLAGS,
            shift,
            amount: if PLAIN { 0 } else { amount },
            rd,
            rn,
            rm,
        }
        .exec(ev)
    }
}

/// The handler for a block's last two instructions together, where they are a compare and the `B.cond` that
/// reads it (a loop's tail, most often): CMP/SUBS with an immediate or an unshifted register, or TST/ANDS
/// likewise. The pair runs as one routine, the condition straight from the compare's operands; the branch
/// keeps its own op (and handler, for [`Eval::step`]) but the pair's routine does not go on to it.
pub fn pair_handler_for(first: &Insn, last: &Insn) -> Option<Handler> {
    let Insn::Branch(Branch::CondBr { cond, .. }) = *last else {
        return None;
    };
    let cond = cond as usize & 15;
    match *first {
        Insn::DpImm(DpImm::AddSub {
            sf,
            sub: true,
            set_flags: true,
            ..
        }) => Some(CMP_IMM_BCOND[sf as usize][cond]),
        Insn::DpReg(DpReg::AddSubShifted {
            sf,
            sub: true,
            set_flags: true,
            amount: 0,
            ..
        }) => Some(CMP_REG_BCOND[sf as usize][cond]),
        Insn::DpImm(DpImm::Logical { sf, opc: 3, .. }) => Some(TST_IMM_BCOND[sf as usize][cond]),
        Insn::DpReg(DpReg::Logical {
            sf,
            op: LogicOp::Ands,
            invert: false,
            amount: 0,
            ..
        }) => Some(TST_REG_BCOND[sf as usize][cond]),
        _ => None,
    }
}

/// The handler for a block's last two instructions when they are a flag setter (`setter`, one of this file's
/// routines) and a `B.cond` on `cond`: the setter, then the branch from the next pc, in one routine.
macro_rules! th_pair {
    ($setter:expr, $cond:literal) => {
        threaded(|ev, ops| {
            if ev.exit.is_some() {
                ev.pc = ev.pc.wrapping_sub(4);
                return;
            }
            if let [a, b] = ops {
                $setter(ev, &a.insn);
                ev.pc = ev.pc.wrapping_add(4);
                cond_br::<$cond>(ev, &b.insn);
            }
        })
    };
}

/// `setter` followed by a `B.cond` on each condition, as pair handlers.
macro_rules! pair_by_cond {
    ($setter:expr) => {
        [
            th_pair!($setter, 0),
            th_pair!($setter, 1),
            th_pair!($setter, 2),
            th_pair!($setter, 3),
            th_pair!($setter, 4),
            th_pair!($setter, 5),
            th_pair!($setter, 6),
            th_pair!($setter, 7),
            th_pair!($setter, 8),
            th_pair!($setter, 9),
            th_pair!($setter, 10),
            th_pair!($setter, 11),
            th_pair!($setter, 12),
            th_pair!($setter, 13),
            th_pair!($setter, 14),
            th_pair!($setter, 15),
        ]
    };
}

static CMP_IMM_BCOND: [[Handler; 16]; 2] = [
    pair_by_cond!(dp_imm_add_sub::<false, true, true>),
    pair_by_cond!(dp_imm_add_sub::<true, true, true>),
];
static CMP_REG_BCOND: [[Handler; 16]; 2] = [
    pair_by_cond!(dp_reg_add_sub_shifted::<false, true, true, true>),
    pair_by_cond!(dp_reg_add_sub_shifted::<true, true, true, true>),
];
static TST_IMM_BCOND: [[Handler; 16]; 2] = [
    pair_by_cond!(dp_imm_logical_k::<3, false>),
    pair_by_cond!(dp_imm_logical_k::<3, true>),
];
static TST_REG_BCOND: [[Handler; 16]; 2] = [
    pair_by_cond!(dp_reg_logical::<3, false, false, true>),
    pair_by_cond!(dp_reg_logical::<3, true, false, true>),
];

/// `[f::<0>, …, f::<15>]`: a handler per condition code.
macro_rules! by_cond {
    ($f:ident) => {
        [
            th!($f::<0>),
            th!($f::<1>),
            th!($f::<2>),
            th!($f::<3>),
            th!($f::<4>),
            th!($f::<5>),
            th!($f::<6>),
            th!($f::<7>),
            th!($f::<8>),
            th!($f::<9>),
            th!($f::<10>),
            th!($f::<11>),
            th!($f::<12>),
            th!($f::<13>),
            th!($f::<14>),
            th!($f::<15>),
        ]
    };
}

static COND_BR: [Handler; 16] = by_cond!(cond_br);
static COND_SELECT: [Handler; 16] = by_cond!(dp_reg_cond_select);
static COND_COMPARE: [Handler; 16] = by_cond!(dp_reg_cond_compare);

/// ADR / ADRP (`PAGE`): frequent in static code, where every global's address starts with an ADRP.
fn dp_imm_adr<const PAGE: bool>(ev: &mut Eval<'_>, insn: &Insn) {
    if let Insn::DpImm(DpImm::Adr { rd, offset, .. }) = *insn {
        DpImm::Adr {
            rd,
            page: PAGE,
            offset,
        }
        .exec(ev)
    }
}

/// SBFM/BFM/UBFM per operation (`OPC` 0, 1, 2), width and form: `EXTRACT` (imms ≥ immr) takes a field to the
/// bottom (LSR, ASR, UBFX, SBFX, sign and zero extensions), otherwise it is placed higher (LSL, UBFIZ, BFI).
fn dp_imm_bitfield_k<const OPC: u8, const SF: bool, const EXTRACT: bool>(
    ev: &mut Eval<'_>,
    insn: &Insn,
) {
    if let Insn::DpImm(DpImm::Bitfield {
        rd, rn, immr, imms, ..
    }) = *insn
        && (imms >= immr) == EXTRACT
    {
        DpImm::Bitfield {
            sf: SF,
            opc: OPC,
            rd,
            rn,
            immr,
            imms,
        }
        .exec(ev)
    }
}

/// EXTR (ROR by an immediate, where both sources are one register) by width: busybox md5's rounds rotate
/// every fourth instruction.
fn dp_imm_extr_k<const SF: bool>(ev: &mut Eval<'_>, insn: &Insn) {
    if let Insn::DpImm(DpImm::Extr {
        rd, rn, rm, lsb, ..
    }) = *insn
    {
        DpImm::Extr {
            sf: SF,
            rd,
            rn,
            rm,
            lsb,
        }
        .exec(ev)
    }
}

/// AND/ORR/EOR/ANDS with an immediate by operation and width.
fn dp_imm_logical_k<const OPC: u8, const SF: bool>(ev: &mut Eval<'_>, insn: &Insn) {
    if let Insn::DpImm(DpImm::Logical { rd, rn, enc, .. }) = *insn {
        DpImm::Logical {
            sf: SF,
            opc: OPC,
            rd,
            rn,
            enc,
        }
        .exec(ev)
    }
}

/// UDIV, SDIV and the shifts by a register (LSLV, LSRV, ASRV, RORV) by operation and width; CRC32 goes
/// through the generic handler.
fn dp_reg_two_source_k<const OP: u8, const SF: bool>(ev: &mut Eval<'_>, insn: &Insn) {
    if let Insn::DpReg(DpReg::TwoSource { rd, rn, rm, .. }) = *insn {
        DpReg::TwoSource {
            sf: SF,
            op: match OP {
                0 => TwoSrc::Udiv,
                1 => TwoSrc::Sdiv,
                2 => TwoSrc::Lslv,
                3 => TwoSrc::Lsrv,
                4 => TwoSrc::Asrv,
                _ => TwoSrc::Rorv,
            },
            rd,
            rn,
            rm,
        }
        .exec(ev)
    }
}

/// MADD/MSUB, SMADDL/SMSUBL, UMADDL/UMSUBL, SMULH, UMULH (`OP` in that order) per width and subtraction.
fn dp_reg_three_source_k<const OP: u8, const SF: bool, const SUB: bool>(
    ev: &mut Eval<'_>,
    insn: &Insn,
) {
    if let Insn::DpReg(DpReg::ThreeSource { rd, rn, rm, ra, .. }) = *insn {
        DpReg::ThreeSource {
            sf: SF,
            op: match OP {
                0 => ThreeSrc::Madd,
                1 => ThreeSrc::Smaddl,
                2 => ThreeSrc::Umaddl,
                3 => ThreeSrc::Smulh,
                _ => ThreeSrc::Umulh,
            },
            sub: SUB,
            rd,
            rn,
            rm,
            ra,
        }
        .exec(ev)
    }
}

/// CSEL/CSINC/CSINV/CSNEG per condition.
fn dp_reg_cond_select<const COND: u8>(ev: &mut Eval<'_>, insn: &Insn) {
    if let Insn::DpReg(DpReg::CondSelect {
        sf,
        invert,
        increment,
        rd,
        rn,
        rm,
        ..
    }) = *insn
    {
        DpReg::CondSelect {
            sf,
            invert,
            increment,
            cond: COND,
            rd,
            rn,
            rm,
        }
        .exec(ev)
    }
}

/// CCMP/CCMN per condition.
fn dp_reg_cond_compare<const COND: u8>(ev: &mut Eval<'_>, insn: &Insn) {
    if let Insn::DpReg(DpReg::CondCompare {
        sf,
        sub,
        imm,
        operand,
        nzcv,
        rn,
        ..
    }) = *insn
    {
        DpReg::CondCompare {
            sf,
            sub,
            imm,
            operand,
            cond: COND,
            nzcv,
            rn,
        }
        .exec(ev)
    }
}

fn cond_br<const COND: u8>(ev: &mut Eval<'_>, insn: &Insn) {
    if let Insn::Branch(Branch::CondBr { offset, .. }) = *insn {
        Branch::CondBr { cond: COND, offset }.exec(ev)
    }
}

fn cbz<const SF: bool, const NONZERO: bool>(ev: &mut Eval<'_>, insn: &Insn) {
    if let Insn::Branch(Branch::Cbz { rt, offset, .. }) = *insn {
        Branch::Cbz {
            sf: SF,
            nonzero: NONZERO,
            rt,
            offset,
        }
        .exec(ev)
    }
}

fn pair(ev: &mut Eval<'_>, insn: &Insn) {
    if let Insn::LdSt(LdSt::Pair(p)) = *insn {
        p.exec(ev)
    }
}

/// Register-pair transfers (LDP/STP: prologues, epilogues, memcpy) by operation, mode and size: general-purpose
/// W and X pairs (operations 0, 1), SIMD&FP S, D and Q pairs (4, 5); LDPSW and the rest share one handler.
fn pair_handler(p: &Pair) -> Handler {
    let mode = match p.mode {
        Mode::Offset => 0,
        Mode::Pre => 1,
        Mode::Post => 2,
        _ => return th!(pair),
    };
    match (p.op, p.size) {
        (Op::St, 2 | 3) => PAIR_GP[0][mode][p.size as usize - 2],
        (Op::Ld, 2 | 3) => PAIR_GP[1][mode][p.size as usize - 2],
        (Op::StV, 2..=4) => PAIR_V[0][mode][p.size as usize - 2],
        (Op::LdV, 2..=4) => PAIR_V[1][mode][p.size as usize - 2],
        _ => th!(pair),
    }
}

fn pair_k<const OP: u8, const MODE: u8, const SIZE: u8>(ev: &mut Eval<'_>, insn: &Insn) {
    if let Insn::LdSt(LdSt::Pair(mut p)) = *insn {
        p.op = ldst_op(OP);
        p.mode = ldst_mode(MODE);
        p.size = SIZE;
        p.exec(ev)
    }
}

/// `[mode][size - 2]` handlers of one pair operation, sizes 4 and 8 bytes.
macro_rules! pair_gp {
    ($op:literal) => {
        [
            [th!(pair_k::<$op, 0, 2>), th!(pair_k::<$op, 0, 3>)],
            [th!(pair_k::<$op, 1, 2>), th!(pair_k::<$op, 1, 3>)],
            [th!(pair_k::<$op, 2, 2>), th!(pair_k::<$op, 2, 3>)],
        ]
    };
}

/// The same with 16-byte (Q) pairs.
macro_rules! pair_v {
    ($op:literal) => {
        [
            [
                th!(pair_k::<$op, 0, 2>),
                th!(pair_k::<$op, 0, 3>),
                th!(pair_k::<$op, 0, 4>),
            ],
            [
                th!(pair_k::<$op, 1, 2>),
                th!(pair_k::<$op, 1, 3>),
                th!(pair_k::<$op, 1, 4>),
            ],
            [
                th!(pair_k::<$op, 2, 2>),
                th!(pair_k::<$op, 2, 3>),
                th!(pair_k::<$op, 2, 4>),
            ],
        ]
    };
}

static PAIR_GP: [[[Handler; 2]; 3]; 2] = [pair_gp!(0), pair_gp!(1)];
static PAIR_V: [[[Handler; 3]; 3]; 2] = [pair_v!(4), pair_v!(5)];

/// Single-register transfers by operation, mode and size: general-purpose STR/LDR/LDRS* (operations 0..=3) of
/// 1..8 bytes, SIMD&FP STR/LDR (4, 5) of 1..16 bytes; literal loads share one handler.
fn single_handler(s: &Single) -> Handler {
    let mode = match s.mode {
        Mode::Offset => 0,
        Mode::Pre => 1,
        Mode::Post => 2,
        // The shift is the size's log2 or nothing (S).
        Mode::Reg if s.imm.get() == s.size as i32 => reg_mode(s.ext, true),
        Mode::Reg if s.imm.get() == 0 => reg_mode(s.ext, false),
        Mode::Reg | Mode::Literal => return th!(single_any),
    };
    let size = s.size as usize;
    match s.op {
        Op::St if size < 4 => SINGLE_GP[0][mode][size],
        Op::Ld if size < 4 => SINGLE_GP[1][mode][size],
        Op::LdSx64 if size < 4 => SINGLE_GP[2][mode][size],
        Op::LdSx32 if size < 4 => SINGLE_GP[3][mode][size],
        Op::StV | Op::LdV if size < 5 => SINGLE_V[(s.op == Op::LdV) as usize][mode][size],
        _ => th!(single_any),
    }
}

fn single_any(ev: &mut Eval<'_>, insn: &Insn) {
    if let Insn::LdSt(LdSt::Single(s)) = *insn {
        s.exec(ev)
    }
}

const fn ldst_op(op: u8) -> Op {
    match op {
        0 => Op::St,
        1 => Op::Ld,
        2 => Op::LdSx64,
        3 => Op::LdSx32,
        4 => Op::StV,
        _ => Op::LdV,
    }
}

/// Handler modes 0..=2 are offset, pre- and post-index; from 3 on a register offset, by extension and shift
/// (see [`reg_mode`]).
const fn ldst_mode(mode: u8) -> Mode {
    match mode {
        0 => Mode::Offset,
        1 => Mode::Pre,
        2 => Mode::Post,
        _ => Mode::Reg,
    }
}

const REG_EXTS: [Ext; 3] = [Ext::Uxtw, Ext::Lsl, Ext::Sxtw];

/// The handler mode of a register offset with extension `ext`, `scaled` (shifted left by the access size's
/// log2: `ldr d0, [x1, x2, lsl #3]`, `ldr w0, [x1, w2, sxtw #2]`) or not: all six forms are modes of their
/// own, so the extension and shift are constants.
fn reg_mode(ext: Ext, scaled: bool) -> usize {
    let e = match ext {
        Ext::Uxtw => 0,
        Ext::Lsl => 1,
        Ext::Sxtw => 2,
    };
    3 + 2 * e + scaled as usize
}

fn single<const OP: u8, const MODE: u8, const SIZE: u8>(ev: &mut Eval<'_>, insn: &Insn) {
    if let Insn::LdSt(LdSt::Single(mut s)) = *insn {
        s.op = ldst_op(OP);
        s.mode = ldst_mode(MODE);
        s.size = SIZE;
        if MODE >= 3 {
            let m = (MODE - 3) as usize;
            s.ext = REG_EXTS[m / 2];
            s.imm = Imm32::new(if m % 2 == 1 { SIZE as i32 } else { 0 });
        }
        s.exec(ev)
    }
}

/// `[mode][size]` handlers of one general-purpose operation, sizes 1, 2, 4, 8 bytes.
macro_rules! single_gp {
    ($op:literal) => {
        single_modes!($op, [0, 1, 2, 3])
    };
}

/// The same for a SIMD&FP operation, sizes 1 to 16 bytes.
macro_rules! single_v {
    ($op:literal) => {
        single_modes!($op, [0, 1, 2, 3, 4])
    };
}

/// `[mode][size]` handlers of operation `$op` for the given sizes.
macro_rules! single_modes {
    ($op:literal, $sizes:tt) => {
        [
            single_row!($op, 0, $sizes),
            single_row!($op, 1, $sizes),
            single_row!($op, 2, $sizes),
            single_row!($op, 3, $sizes),
            single_row!($op, 4, $sizes),
            single_row!($op, 5, $sizes),
            single_row!($op, 6, $sizes),
            single_row!($op, 7, $sizes),
            single_row!($op, 8, $sizes),
        ]
    };
}

/// `single::<op, mode, size>` for each size.
macro_rules! single_row {
    ($op:literal, $mode:literal, [$($size:literal),*]) => {
        [$(th!(single::<$op, $mode, $size>)),*]
    };
}

static SINGLE_GP: [[[Handler; 4]; 9]; 4] =
    [single_gp!(0), single_gp!(1), single_gp!(2), single_gp!(3)];
static SINGLE_V: [[[Handler; 5]; 9]; 2] = [single_v!(4), single_v!(5)];

/// AND/ORR/EOR/ANDS (shifted register) by width, operation and inversion (BIC, ORN, EON, BICS).
/// `PLAIN`: the second operand is not shifted (amount 0), so the shift folds away.
fn dp_reg_logical<const OP: u8, const SF: bool, const INVERT: bool, const PLAIN: bool>(
    ev: &mut Eval<'_>,
    insn: &Insn,
) {
    if let Insn::DpReg(DpReg::Logical {
        shift,
        amount,
        rd,
        rn,
        rm,
        ..
    }) = *insn
    {
        DpReg::Logical {
            sf: SF,
            op: match OP {
                0 => LogicOp::And,
                1 => LogicOp::Orr,
                2 => LogicOp::Eor,
                _ => LogicOp::Ands,
            },
            invert: INVERT,
            shift,
            amount: if PLAIN { 0 } else { amount },
            rd,
            rn,
            rm,
        }
        .exec(ev)
    }
}

/// Scalar FMUL, FDIV, FADD, FSUB, FMAX, FMIN, FMAXNM, FMINNM, FNMUL by precision (single, double) and
/// operation; half precision through the generic handler.
fn fp_dp2_handler(ty: FpTy, op: u8) -> Handler {
    macro_rules! by_op {
        ($d:literal) => {
            match op {
                0 => th!(fp_dp2_k::<$d, 0>),
                1 => th!(fp_dp2_k::<$d, 1>),
                2 => th!(fp_dp2_k::<$d, 2>),
                3 => th!(fp_dp2_k::<$d, 3>),
                4 => th!(fp_dp2_k::<$d, 4>),
                5 => th!(fp_dp2_k::<$d, 5>),
                6 => th!(fp_dp2_k::<$d, 6>),
                7 => th!(fp_dp2_k::<$d, 7>),
                8 => th!(fp_dp2_k::<$d, 8>),
                _ => th!(fp_dp2),
            }
        };
    }
    match ty {
        FpTy::S => by_op!(false),
        FpTy::D => by_op!(true),
        FpTy::H => th!(fp_dp2),
    }
}

const fn fp_ty(double: bool) -> FpTy {
    if double { FpTy::D } else { FpTy::S }
}

fn fp_dp2_k<const D: bool, const OP: u8>(ev: &mut Eval<'_>, insn: &Insn) {
    if let Insn::Fp(Fp::Dp2 { rd, rn, rm, .. }) = *insn {
        Fp::Dp2 {
            ty: fp_ty(D),
            op: OP,
            rd,
            rn,
            rm,
        }
        .exec(ev)
    }
}

/// FMADD, FMSUB, FNMADD, FNMSUB by precision and the two negations.
fn fp_dp3_k<const D: bool, const NEG_A: bool, const NEG_N: bool>(ev: &mut Eval<'_>, insn: &Insn) {
    if let Insn::Fp(Fp::Dp3 { rd, rn, rm, ra, .. }) = *insn {
        Fp::Dp3 {
            ty: fp_ty(D),
            neg_a: NEG_A,
            neg_n: NEG_N,
            rd,
            rn,
            rm,
            ra,
        }
        .exec(ev)
    }
}

/// Advanced SIMD vector instructions: one handler per operation family (the decoded form's `Op`); the hot
/// floating-point arithmetic (FADD, FSUB, FMUL, FDIV, FMLA, FMLS) by operation, precision and register width,
/// the integer pairwise forms (ADDP, UMAXP, UMINP, SMAXP, SMINP: string functions' reductions) and the widening
/// multiplies (SMULL, UMULL, SMLAL, UMLAL) by operation, element size and width, which unrolls the lane loops.
fn vector_handler(v: &Vector) -> Handler {
    match v.op {
        VOp::FBin(o) if !v.scalar && (v.size == 2 || v.size == 3) => {
            let k = match o {
                FBin::Fadd => 0,
                FBin::Fsub => 1,
                FBin::Fmul => 2,
                FBin::Fdiv => 3,
                FBin::Fmla => 4,
                FBin::Fmls => 5,
                _ => return th!(vector_fbin_any),
            };
            VECTOR_FBIN[k][(v.size == 3) as usize][v.q as usize]
        }
        VOp::FBin(_) => th!(vector_fbin_any),
        VOp::Pair(o) if !v.scalar && v.size < 4 => {
            let k = match o {
                Bin::Add => 0,
                Bin::Umax => 1,
                Bin::Umin => 2,
                Bin::Smax => 3,
                Bin::Smin => 4,
                _ => return th!(vector_any),
            };
            VECTOR_PAIR[k][v.size as usize][v.q as usize]
        }
        VOp::Perm(_) => th!(vector_perm),
        VOp::Bin(_) => th!(vector_bin),
        VOp::Un(_) => th!(vector_un),
        VOp::Diff(o) if !v.scalar && v.size < 3 => {
            let k = match o {
                Diff::Smull => 0,
                Diff::Umull => 1,
                Diff::Smlal => 2,
                Diff::Umlal => 3,
                _ => return th!(vector_diff),
            };
            VECTOR_DIFF[k][v.size as usize][v.q as usize]
        }
        VOp::Diff(_) => th!(vector_diff),
        VOp::Resize(_) => th!(vector_resize),
        VOp::Shift(_) => th!(vector_shift),
        _ => th!(vector_any),
    }
}

/// A handler for one operation family of [`Vector`].
macro_rules! vector_family {
    ($name:ident, $family:ident) => {
        fn $name(ev: &mut Eval<'_>, insn: &Insn) {
            if let Insn::Simd(Simd::Vector(
                v @ Vector {
                    op: VOp::$family(_),
                    ..
                },
            )) = *insn
            {
                v.exec(ev)
            }
        }
    };
}

vector_family!(vector_fbin_any, FBin);
vector_family!(vector_perm, Perm);
vector_family!(vector_bin, Bin);
vector_family!(vector_un, Un);
vector_family!(vector_diff, Diff);
vector_family!(vector_resize, Resize);
vector_family!(vector_shift, Shift);

fn vector_any(ev: &mut Eval<'_>, insn: &Insn) {
    if let Insn::Simd(Simd::Vector(v)) = *insn {
        v.exec(ev)
    }
}

const VECTOR_FBIN_OPS: [FBin; 6] = [
    FBin::Fadd,
    FBin::Fsub,
    FBin::Fmul,
    FBin::Fdiv,
    FBin::Fmla,
    FBin::Fmls,
];

/// Runs a (non-scalar) vector instruction with its operation, element size and width replaced by the
/// constants a specialised handler was made for.
#[inline(always)]
fn vector_fixed(ev: &mut Eval<'_>, insn: &Insn, op: VOp, size: u8, q: bool) {
    if let Insn::Simd(Simd::Vector(mut v)) = *insn {
        v.op = op;
        v.size = size;
        v.q = q;
        v.scalar = false;
        v.exec(ev)
    }
}

fn vector_fbin<const OP: usize, const DOUBLE: bool, const Q: bool>(ev: &mut Eval<'_>, insn: &Insn) {
    let size = if DOUBLE { 3 } else { 2 };
    vector_fixed(ev, insn, VOp::FBin(VECTOR_FBIN_OPS[OP]), size, Q)
}

static VECTOR_FBIN: [[[Handler; 2]; 2]; 6] = [
    [
        [
            th!(vector_fbin::<0, false, false>),
            th!(vector_fbin::<0, false, true>),
        ],
        [
            th!(vector_fbin::<0, true, false>),
            th!(vector_fbin::<0, true, true>),
        ],
    ],
    [
        [
            th!(vector_fbin::<1, false, false>),
            th!(vector_fbin::<1, false, true>),
        ],
        [
            th!(vector_fbin::<1, true, false>),
            th!(vector_fbin::<1, true, true>),
        ],
    ],
    [
        [
            th!(vector_fbin::<2, false, false>),
            th!(vector_fbin::<2, false, true>),
        ],
        [
            th!(vector_fbin::<2, true, false>),
            th!(vector_fbin::<2, true, true>),
        ],
    ],
    [
        [
            th!(vector_fbin::<3, false, false>),
            th!(vector_fbin::<3, false, true>),
        ],
        [
            th!(vector_fbin::<3, true, false>),
            th!(vector_fbin::<3, true, true>),
        ],
    ],
    [
        [
            th!(vector_fbin::<4, false, false>),
            th!(vector_fbin::<4, false, true>),
        ],
        [
            th!(vector_fbin::<4, true, false>),
            th!(vector_fbin::<4, true, true>),
        ],
    ],
    [
        [
            th!(vector_fbin::<5, false, false>),
            th!(vector_fbin::<5, false, true>),
        ],
        [
            th!(vector_fbin::<5, true, false>),
            th!(vector_fbin::<5, true, true>),
        ],
    ],
];

const VECTOR_DIFF_OPS: [Diff; 4] = [Diff::Smull, Diff::Umull, Diff::Smlal, Diff::Umlal];

/// The widening multiplies (SMULL, UMULL, SMLAL, UMLAL and their `2` forms: integer dot products, e.g. an int16
/// matrix multiply) by operation, element size and width, which unrolls their lane loops.
fn vector_diff_k<const OP: usize, const SIZE: u8, const Q: bool>(ev: &mut Eval<'_>, insn: &Insn) {
    vector_fixed(ev, insn, VOp::Diff(VECTOR_DIFF_OPS[OP]), SIZE, Q)
}

/// One row of [`VECTOR_DIFF`]: operation `$op` at element sizes 8, 16, 32, each for 64- and 128-bit sources.
macro_rules! vector_diff_row {
    ($op:literal) => {
        [
            [
                th!(vector_diff_k::<$op, 0, false>),
                th!(vector_diff_k::<$op, 0, true>),
            ],
            [
                th!(vector_diff_k::<$op, 1, false>),
                th!(vector_diff_k::<$op, 1, true>),
            ],
            [
                th!(vector_diff_k::<$op, 2, false>),
                th!(vector_diff_k::<$op, 2, true>),
            ],
        ]
    };
}

static VECTOR_DIFF: [[[Handler; 2]; 3]; 4] = [
    vector_diff_row!(0),
    vector_diff_row!(1),
    vector_diff_row!(2),
    vector_diff_row!(3),
];

const VECTOR_PAIR_OPS: [Bin; 5] = [Bin::Add, Bin::Umax, Bin::Umin, Bin::Smax, Bin::Smin];

fn vector_pair<const OP: usize, const SIZE: u8, const Q: bool>(ev: &mut Eval<'_>, insn: &Insn) {
    vector_fixed(ev, insn, VOp::Pair(VECTOR_PAIR_OPS[OP]), SIZE, Q)
}

static VECTOR_PAIR: [[[Handler; 2]; 4]; 5] = [
    [
        [
            th!(vector_pair::<0, 0, false>),
            th!(vector_pair::<0, 0, true>),
        ],
        [
            th!(vector_pair::<0, 1, false>),
            th!(vector_pair::<0, 1, true>),
        ],
        [
            th!(vector_pair::<0, 2, false>),
            th!(vector_pair::<0, 2, true>),
        ],
        [
            th!(vector_pair::<0, 3, false>),
            th!(vector_pair::<0, 3, true>),
        ],
    ],
    [
        [
            th!(vector_pair::<1, 0, false>),
            th!(vector_pair::<1, 0, true>),
        ],
        [
            th!(vector_pair::<1, 1, false>),
            th!(vector_pair::<1, 1, true>),
        ],
        [
            th!(vector_pair::<1, 2, false>),
            th!(vector_pair::<1, 2, true>),
        ],
        [
            th!(vector_pair::<1, 3, false>),
            th!(vector_pair::<1, 3, true>),
        ],
    ],
    [
        [
            th!(vector_pair::<2, 0, false>),
            th!(vector_pair::<2, 0, true>),
        ],
        [
            th!(vector_pair::<2, 1, false>),
            th!(vector_pair::<2, 1, true>),
        ],
        [
            th!(vector_pair::<2, 2, false>),
            th!(vector_pair::<2, 2, true>),
        ],
        [
            th!(vector_pair::<2, 3, false>),
            th!(vector_pair::<2, 3, true>),
        ],
    ],
    [
        [
            th!(vector_pair::<3, 0, false>),
            th!(vector_pair::<3, 0, true>),
        ],
        [
            th!(vector_pair::<3, 1, false>),
            th!(vector_pair::<3, 1, true>),
        ],
        [
            th!(vector_pair::<3, 2, false>),
            th!(vector_pair::<3, 2, true>),
        ],
        [
            th!(vector_pair::<3, 3, false>),
            th!(vector_pair::<3, 3, true>),
        ],
    ],
    [
        [
            th!(vector_pair::<4, 0, false>),
            th!(vector_pair::<4, 0, true>),
        ],
        [
            th!(vector_pair::<4, 1, false>),
            th!(vector_pair::<4, 1, true>),
        ],
        [
            th!(vector_pair::<4, 2, false>),
            th!(vector_pair::<4, 2, true>),
        ],
        [
            th!(vector_pair::<4, 3, false>),
            th!(vector_pair::<4, 3, true>),
        ],
    ],
];
