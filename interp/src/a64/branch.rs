//! Branches, exception generating and system instructions (ARM ARM C4.1.87): B.cond, SVC/BRK, hints,
//! barriers, MRS/MSR, SYS (`dc`/`ic`), BR/BLR/RET, B/BL, CBZ/CBNZ, TBZ/TBNZ.
//!
//! Pointer authentication and BTI are executed as a CPU without those features does: the hint-space forms
//! (PACIASP, AUTIASP, BTI, …) are NOPs, the others are undefined (elfrun does not advertise PAuth).

use crate::cpu_model::enc as idenc;
use crate::decode::fields::{bit, bits, reg, sext};
use crate::sem::{BranchKind, CacheOp, Reg, Sem, SysReg, Width};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Branch {
    /// B.cond / BC.cond.
    CondBr {
        cond: u8,
        offset: i32,
    },
    Svc {
        imm: u16,
    },
    Brk {
        imm: u16,
    },
    /// A hint with no effect here (NOP, YIELD, WFE, SEV, PAC/BTI hints, …).
    Hint,
    /// DMB, DSB, ISB, SB.
    Barrier,
    Clrex,
    Mrs {
        rt: Reg,
        reg: SysReg,
    },
    Msr {
        rt: Reg,
        reg: SysReg,
    },
    Sys {
        op: CacheOp,
        rt: Reg,
    },
    /// BR, BLR, RET.
    BrReg {
        kind: BranchKind,
        rn: Reg,
    },
    /// B, BL.
    BImm {
        link: bool,
        offset: i32,
    },
    Cbz {
        sf: bool,
        nonzero: bool,
        rt: Reg,
        offset: i32,
    },
    Tbz {
        nonzero: bool,
        rt: Reg,
        bit: u8,
        offset: i32,
    },
}

impl Branch {
    pub fn ends_block(&self) -> bool {
        !matches!(
            self,
            Branch::Hint
                | Branch::Barrier
                | Branch::Clrex
                | Branch::Mrs { .. }
                | Branch::Msr { .. }
                | Branch::Sys { .. }
        )
    }

    pub fn decode(w: u32) -> Option<Branch> {
        let op0 = bits(w, 31, 29);
        let op1 = bits(w, 25, 12);
        Some(match op0 {
            0b010 if bit(w, 25) => return None,
            0b010 => {
                // B.cond (o0 = 0) and BC.cond (o0 = 1, FEAT_HBC: same behaviour, different hint).
                if bit(w, 24) {
                    return None;
                }
                Branch::CondBr {
                    cond: bits(w, 3, 0) as u8,
                    offset: (sext(bits(w, 23, 5), 19) << 2) as i32,
                }
            }
            0b110 if op1 >> 12 == 0 => Self::decode_exception(w)?,
            0b110 if op1 == 0b01000000110010 => Self::decode_hint(w)?,
            0b110 if op1 == 0b01000000110011 => Self::decode_barrier(w)?,
            0b110 if op1 >> 7 == 0b0100000 && bits(w, 15, 12) == 0b0100 => {
                // MSR (immediate): PSTATE fields. None is useful at EL0 without the features we hide.
                return None;
            }
            0b110 if bits(w, 25, 22) == 0b0100 && bits(w, 20, 19) != 0 => Self::decode_sys(w)?,
            0b110 if bit(w, 25) => Self::decode_branch_reg(w)?,
            0b000 | 0b100 => Branch::BImm {
                link: bit(w, 31),
                offset: (sext(bits(w, 25, 0), 26) << 2) as i32,
            },
            0b001 | 0b101 => {
                let offset = (sext(bits(w, 23, 5), 19) << 2) as i32;
                if bit(w, 25) {
                    let b = (bits(w, 31, 31) << 5) | bits(w, 23, 19);
                    let offset = (sext(bits(w, 18, 5), 14) << 2) as i32;
                    Branch::Tbz {
                        nonzero: bit(w, 24),
                        rt: reg(w, 0),
                        bit: b as u8,
                        offset,
                    }
                } else {
                    Branch::Cbz {
                        sf: bit(w, 31),
                        nonzero: bit(w, 24),
                        rt: reg(w, 0),
                        offset,
                    }
                }
            }
            _ => return None,
        })
    }

    fn decode_exception(w: u32) -> Option<Branch> {
        let imm = bits(w, 20, 5) as u16;
        match (bits(w, 23, 21), bits(w, 4, 0)) {
            (0b000, 0b00001) => Some(Branch::Svc { imm }),
            (0b001, 0b00000) => Some(Branch::Brk { imm }),
            // HVC, SMC, HLT, DCPS: undefined at EL0.
            _ => None,
        }
    }

    fn decode_hint(w: u32) -> Option<Branch> {
        if bits(w, 4, 0) != 0b11111 {
            return None;
        }
        // Every hint encoding executes as a NOP on a CPU without the feature; the allocated ones that matter
        // (NOP, YIELD, WFE, WFI, SEV, SEVL, ESB, PSB, TSB, CSDB, BTI, PAC*/AUT*SP, XPACLRI, CLRBHB) all do.
        Some(Branch::Hint)
    }

    fn decode_barrier(w: u32) -> Option<Branch> {
        if bits(w, 4, 0) != 0b11111 {
            return None;
        }
        match bits(w, 7, 5) {
            0b010 => Some(Branch::Clrex),
            0b100..=0b111 => Some(Branch::Barrier), // DSB, DMB, ISB, SB
            _ => None,
        }
    }

    fn decode_sys(w: u32) -> Option<Branch> {
        let l = bit(w, 21);
        let o0 = bits(w, 20, 19);
        let op1 = bits(w, 18, 16);
        let crn = bits(w, 15, 12);
        let crm = bits(w, 11, 8);
        let op2 = bits(w, 7, 5);
        let rt = reg(w, 0);
        if o0 == 0b01 {
            // SYS / SYSL: only the EL0-accessible cache maintenance operations.
            if l || op1 != 3 || crn != 7 {
                return None;
            }
            let op = match (crm, op2) {
                (4, 1) => CacheOp::DcZva,
                (5, 1) => CacheOp::IcIvau,
                (10, 1) | (11, 1) | (12, 1) | (13, 1) | (14, 1) => CacheOp::DcClean,
                _ => return None,
            };
            return Some(Branch::Sys { op, rt });
        }
        if o0 < 2 {
            return None;
        }
        let enc = ((o0 << 14) | (op1 << 11) | (crn << 7) | (crm << 3) | op2) as u16;
        let reg = sysreg(o0, op1, crn, crm, op2, enc, l)?;
        Some(if l {
            Branch::Mrs { rt, reg }
        } else {
            Branch::Msr { rt, reg }
        })
    }

    fn decode_branch_reg(w: u32) -> Option<Branch> {
        // Only the plain forms: op2 = 0b11111, op3 = 0, op4 = 0 (the PAuth forms are undefined without it).
        if bits(w, 20, 16) != 0b11111 || bits(w, 15, 10) != 0 || bits(w, 4, 0) != 0 {
            return None;
        }
        let kind = match bits(w, 24, 21) {
            0b0000 => BranchKind::Jump,
            0b0001 => BranchKind::Call,
            0b0010 => BranchKind::Return,
            _ => return None,
        };
        Some(Branch::BrReg {
            kind,
            rn: reg(w, 5),
        })
    }

    #[inline(always)]
    pub fn exec<S: Sem>(self, s: &mut S) {
        let pc = s.pc();
        let rel = |off: i32| pc.wrapping_add(off as i64 as u64);
        match self {
            Branch::CondBr { cond, offset } => {
                let c = s.cond(cond);
                s.branch_if(c, rel(offset));
            }
            Branch::Svc { imm } => s.svc(imm),
            Branch::Brk { imm } => s.brk(imm),
            Branch::Hint => {}
            Branch::Barrier => s.barrier(),
            Branch::Clrex => s.clear_exclusive(),
            Branch::Mrs { rt, reg } => {
                let v = s.read_sysreg(reg);
                s.set_x(rt, v);
            }
            Branch::Msr { rt, reg } => {
                let v = s.x(rt);
                s.write_sysreg(reg, v);
            }
            Branch::Sys { op, rt } => {
                let a = s.x(rt);
                s.cache_op(op, a);
            }
            Branch::BrReg { kind, rn } => {
                let target = s.x(rn);
                if kind == BranchKind::Call {
                    let ret = s.imm(pc.wrapping_add(4));
                    s.set_x(30, ret);
                }
                s.branch_indirect(target, kind);
            }
            Branch::BImm { link, offset } => {
                if link {
                    let ret = s.imm(pc.wrapping_add(4));
                    s.set_x(30, ret);
                }
                s.branch(
                    rel(offset),
                    if link {
                        BranchKind::Call
                    } else {
                        BranchKind::Jump
                    },
                );
            }
            Branch::Cbz {
                sf,
                nonzero,
                rt,
                offset,
            } => {
                let mut v = s.x(rt);
                if !sf {
                    v = s.zext(v, 32);
                }
                let zero = s.imm(0);
                let mut c = s.eq(v, zero);
                if nonzero {
                    c = s.b_not(c);
                }
                s.branch_if(c, rel(offset));
            }
            Branch::Tbz {
                nonzero,
                rt,
                bit,
                offset,
            } => {
                let v = s.x(rt);
                let amt = s.imm(bit as u64);
                let shifted = s.lsr(Width::W64, v, amt);
                let one = s.imm(1);
                let b = s.and(shifted, one);
                let zero = s.imm(0);
                let mut c = s.eq(b, zero);
                if nonzero {
                    c = s.b_not(c);
                }
                s.branch_if(c, rel(offset));
            }
        }
    }
}

/// The user-visible system registers; `None` for those that trap at EL0 (SIGILL).
fn sysreg(o0: u32, op1: u32, crn: u32, crm: u32, op2: u32, enc: u16, read: bool) -> Option<SysReg> {
    let r = match (o0, op1, crn, crm, op2) {
        (3, 3, 4, 2, 0) => SysReg::Nzcv,
        (3, 3, 4, 4, 0) => SysReg::Fpcr,
        (3, 3, 4, 4, 1) => SysReg::Fpsr,
        (3, 3, 13, 0, 2) => SysReg::TpidrEl0,
        (3, 3, 13, 0, 3) if read => SysReg::TpidrroEl0,
        (3, 3, 0, 0, 1) if read => SysReg::CtrEl0,
        (3, 3, 0, 0, 7) if read => SysReg::DczidEl0,
        (3, 3, 14, 0, 0) if read => SysReg::CntfrqEl0,
        (3, 3, 14, 0, 1) if read => SysReg::CntpctEl0,
        (3, 3, 14, 0, 2) if read => SysReg::CntvctEl0,
        // DIT, SSBS: read-as-zero, writes ignored.
        (3, 3, 4, 2, 5) | (3, 3, 4, 2, 6) => SysReg::Raz(enc),
        // Linux emulates MRS of the ID register space (HWCAP_CPUID) at EL0.
        (3, 0, 0, _, _) if read => match enc {
            idenc::MIDR_EL1 => SysReg::MidrEl1,
            idenc::MPIDR_EL1 => SysReg::MpidrEl1,
            idenc::REVIDR_EL1 => SysReg::RevidrEl1,
            _ => SysReg::Id(enc),
        },
        _ => return None,
    };
    Some(r)
}
