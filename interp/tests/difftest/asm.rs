//! The handful of A64 instructions the harness program itself is made of, encoded by hand (ARM ARM C6.2).
//! Checked against GNU as in `tests::encodings_match_gnu_as`.

// System register encodings grouped by field: op0_op1_CRn_CRm_op2.
#[allow(clippy::unusual_byte_groupings)]
pub const NZCV: u32 = 0b11_011_0100_0010_000;
#[allow(clippy::unusual_byte_groupings)]
pub const FPCR: u32 = 0b11_011_0100_0100_000;
#[allow(clippy::unusual_byte_groupings)]
pub const FPSR: u32 = 0b11_011_0100_0100_001;
#[allow(clippy::unusual_byte_groupings)]
pub const TPIDR_EL0: u32 = 0b11_011_1101_0000_010;

pub fn movz(rd: u32, imm16: u32, hw: u32) -> u32 {
    0xd280_0000 | (hw << 21) | (imm16 << 5) | rd
}
pub fn movk(rd: u32, imm16: u32, hw: u32) -> u32 {
    0xf280_0000 | (hw << 21) | (imm16 << 5) | rd
}
/// `rd = value` in four instructions (fixed length keeps the layout simple).
pub fn mov64(rd: u32, value: u64) -> [u32; 4] {
    let h = |i: u32| ((value >> (16 * i)) & 0xffff) as u32;
    [
        movz(rd, h(0), 0),
        movk(rd, h(1), 1),
        movk(rd, h(2), 2),
        movk(rd, h(3), 3),
    ]
}
/// `ldp/stp xt, xt2, [xn, #off]` (signed offset, off a multiple of 8 in -512..=504).
pub fn ldp_x(load: bool, rt: u32, rt2: u32, rn: u32, off: i32) -> u32 {
    let imm7 = ((off / 8) as u32) & 0x7f;
    0xa900_0000 | ((load as u32) << 22) | (imm7 << 15) | (rt2 << 10) | (rn << 5) | rt
}
/// `ldp/stp qt, qt2, [xn, #off]` (off a multiple of 16 in -1024..=1008).
pub fn ldp_q(load: bool, rt: u32, rt2: u32, rn: u32, off: i32) -> u32 {
    let imm7 = ((off / 16) as u32) & 0x7f;
    0xad00_0000 | ((load as u32) << 22) | (imm7 << 15) | (rt2 << 10) | (rn << 5) | rt
}
/// `ldr/str xt, [xn, #off]` (unsigned offset, a multiple of 8).
pub fn ldr_x(load: bool, rt: u32, rn: u32, off: u32) -> u32 {
    0xf900_0000 | ((load as u32) << 22) | ((off / 8) << 10) | (rn << 5) | rt
}
pub fn msr(sysreg: u32, rt: u32) -> u32 {
    0xd510_0000 | (sysreg << 5) | rt
}
pub fn mrs(rt: u32, sysreg: u32) -> u32 {
    0xd530_0000 | (sysreg << 5) | rt
}
/// `add rd, rn, #0` — `mov` to or from SP.
pub fn mov_sp(rd: u32, rn: u32) -> u32 {
    0x9100_0000 | (rn << 5) | rd
}
pub fn add_reg(rd: u32, rn: u32, rm: u32) -> u32 {
    0x8b00_0000 | (rm << 16) | (rn << 5) | rd
}
pub fn subs_reg(rd: u32, rn: u32, rm: u32) -> u32 {
    0xeb00_0000 | (rm << 16) | (rn << 5) | rd
}
/// `cmp xn, #0`.
pub fn cmp0(rn: u32) -> u32 {
    0xf100_001f | (rn << 5)
}
/// `b.cond` to a byte offset.
pub fn b_cond(cond: u32, off: i32) -> u32 {
    0x5400_0000 | ((((off / 4) as u32) & 0x7ffff) << 5) | cond
}
/// `b` to a byte offset.
pub fn b(off: i32) -> u32 {
    0x1400_0000 | (((off / 4) as u32) & 0x03ff_ffff)
}
pub const SVC0: u32 = 0xd400_0001;
pub const COND_NE: u32 = 0b0001;
pub const COND_LE: u32 = 0b1101;

#[cfg(test)]
mod tests {
    use super::*;

    /// Encodings as printed by `aarch64-linux-gnu-objdump -d` for the same assembly (GNU binutils 2.40).
    #[test]
    fn encodings_match_gnu_as() {
        assert_eq!(movz(1, 0x1234, 0), 0xd282_4681); // mov x1, #0x1234
        assert_eq!(movk(1, 0x40, 1), 0xf2a0_0801); // movk x1, #0x40, lsl #16
        assert_eq!(ldp_x(true, 1, 2, 0, 8), 0xa940_8801); // ldp x1, x2, [x0, #8]
        assert_eq!(ldp_x(false, 29, 30, 0, 232), 0xa90e_f81d); // stp x29, x30, [x0, #232]
        assert_eq!(ldp_q(true, 30, 31, 0, 768), 0xad58_7c1e); // ldp q30, q31, [x0, #768]
        assert_eq!(ldr_x(true, 1, 0, 256), 0xf940_8001); // ldr x1, [x0, #256]
        assert_eq!(msr(NZCV, 1), 0xd51b_4201); // msr nzcv, x1
        assert_eq!(mrs(1, FPSR), 0xd53b_4421); // mrs x1, fpsr
        assert_eq!(msr(TPIDR_EL0, 0), 0xd51b_d040); // msr tpidr_el0, x0
        assert_eq!(mov_sp(31, 1), 0x9100_003f); // mov sp, x1
        assert_eq!(add_reg(1, 1, 0), 0x8b00_0021); // add x1, x1, x0
        assert_eq!(subs_reg(2, 2, 0), 0xeb00_0042); // subs x2, x2, x0
        assert_eq!(cmp0(0), 0xf100_001f); // cmp x0, #0
        assert_eq!(b_cond(COND_LE, 16), 0x5400_008d); // b.le .+16
        assert_eq!(b(20), 0x1400_0005); // b .+20
    }
}
