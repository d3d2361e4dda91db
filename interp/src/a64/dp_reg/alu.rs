//! Semantics of the flag-setting and operand-shaping half of DP-register: logical and add/subtract with a
//! shifted or extended second operand, add/subtract with carry, conditional compare and conditional select.
//! Functions take the decoded fields one by one, mirroring the ARM ARM's per-encoding pseudocode.
#![allow(clippy::too_many_arguments)]

use super::{LogicOp, Shift};
use crate::a64::dp_imm::narrow;
use crate::sem::{Reg, Sem, Width};

/// The ARM ARM's `ShiftReg(m, shift_type, amount, datasize)`, with `amount` known at decode time.
#[inline(always)]
fn shift_reg<S: Sem>(s: &mut S, w: Width, rm: Reg, shift: Shift, amount: u8) -> S::V {
    let v = s.x(rm);
    if amount == 0 {
        return v;
    }
    let amt = s.imm(amount as u64);
    match shift {
        Shift::Lsl => s.shl(w, v, amt),
        Shift::Lsr => s.lsr(w, v, amt),
        Shift::Asr => s.asr(w, v, amt),
        Shift::Ror => s.ror(w, v, amt),
    }
}

/// `a + b` (or `a - b`), setting NZCV at `w` if asked; the result is zero-extended at `w`.
#[inline(always)]
fn add_sub<S: Sem>(s: &mut S, w: Width, sub: bool, set_flags: bool, a: S::V, b: S::V) -> S::V {
    if set_flags {
        let (b, ci) = if sub {
            (s.not(b), s.imm(1))
        } else {
            (b, s.imm(0))
        };
        s.add_with_flags(w, a, b, ci)
    } else {
        let r = if sub { s.sub(a, b) } else { s.add(a, b) };
        narrow(s, w, r)
    }
}

#[inline(always)]
pub(super) fn logical<S: Sem>(
    s: &mut S,
    sf: bool,
    op: LogicOp,
    invert: bool,
    shift: Shift,
    amount: u8,
    rd: Reg,
    rn: Reg,
    rm: Reg,
) {
    let w = Width::from_sf(sf);
    let a = s.x(rn);
    let mut b = shift_reg(s, w, rm, shift, amount);
    if invert {
        b = s.not(b);
    }
    let r = match op {
        LogicOp::And | LogicOp::Ands => s.and(a, b),
        LogicOp::Orr => s.or(a, b),
        LogicOp::Eor => s.xor(a, b),
    };
    let r = narrow(s, w, r);
    if op == LogicOp::Ands {
        s.set_logic_flags(w, r);
    }
    s.set_x(rd, r);
}

#[inline(always)]
pub(super) fn add_sub_shifted<S: Sem>(
    s: &mut S,
    sf: bool,
    sub: bool,
    set_flags: bool,
    shift: Shift,
    amount: u8,
    rd: Reg,
    rn: Reg,
    rm: Reg,
) {
    let w = Width::from_sf(sf);
    let a = s.x(rn);
    let b = shift_reg(s, w, rm, shift, amount);
    let r = add_sub(s, w, sub, set_flags, a, b);
    s.set_x(rd, r);
}

/// The ARM ARM's `ExtendReg(m, extend_type, shift, datasize)`: the low 8/16/32/64 bits of X\[m\], zero- or
/// sign-extended, shifted left by 0..=4 (the caller narrows to the data size).
#[inline(always)]
fn extend_reg<S: Sem>(s: &mut S, rm: Reg, option: u8, amount: u8) -> S::V {
    let v = s.x(rm);
    let len = 8u32 << (option & 3);
    let e = if len == 64 {
        v
    } else if option & 4 != 0 {
        s.sext(v, len)
    } else {
        s.zext(v, len)
    };
    if amount == 0 {
        e
    } else {
        let amt = s.imm(amount as u64);
        s.shl(Width::W64, e, amt)
    }
}

#[inline(always)]
pub(super) fn add_sub_extended<S: Sem>(
    s: &mut S,
    sf: bool,
    sub: bool,
    set_flags: bool,
    option: u8,
    amount: u8,
    rd: Reg,
    rn: Reg,
    rm: Reg,
) {
    let w = Width::from_sf(sf);
    let a = s.x_or_sp(rn);
    let b = extend_reg(s, rm, option, amount);
    let r = add_sub(s, w, sub, set_flags, a, b);
    if set_flags {
        s.set_x(rd, r);
    } else {
        s.set_x_or_sp(rd, r);
    }
}

pub(super) fn add_sub_carry<S: Sem>(
    s: &mut S,
    sf: bool,
    sub: bool,
    set_flags: bool,
    rd: Reg,
    rn: Reg,
    rm: Reg,
) {
    let w = Width::from_sf(sf);
    let a = s.x(rn);
    let mut b = s.x(rm);
    if sub {
        b = s.not(b);
    }
    let c = s.carry();
    let r = if set_flags {
        s.add_with_flags(w, a, b, c)
    } else {
        let ab = s.add(a, b);
        let r = s.add(ab, c);
        narrow(s, w, r)
    };
    s.set_x(rd, r);
}

#[inline(always)]
pub(super) fn cond_compare<S: Sem>(
    s: &mut S,
    sf: bool,
    sub: bool,
    imm: bool,
    operand: u8,
    cond: u8,
    nzcv: u8,
    rn: Reg,
) {
    let w = Width::from_sf(sf);
    // The condition is read from the flags before the comparison overwrites them.
    let holds = s.cond(cond);
    let a = s.x(rn);
    let b = if imm {
        s.imm(operand as u64)
    } else {
        s.x(operand)
    };
    add_sub(s, w, sub, true, a, b);
    s.select_nzcv(holds, nzcv);
}

#[inline(always)]
pub(super) fn cond_select<S: Sem>(
    s: &mut S,
    sf: bool,
    invert: bool,
    increment: bool,
    cond: u8,
    rd: Reg,
    rn: Reg,
    rm: Reg,
) {
    let w = Width::from_sf(sf);
    let holds = s.cond(cond);
    let a = s.x(rn);
    let mut b = s.x(rm);
    if invert {
        b = s.not(b);
    }
    if increment {
        let one = s.imm(1);
        b = s.add(b, one);
    }
    let r = s.select(holds, a, b);
    let r = narrow(s, w, r);
    s.set_x(rd, r);
}
