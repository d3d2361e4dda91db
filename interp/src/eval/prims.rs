//! `Sem` for `Eval`: every primitive computed directly on `u64` / `u128`.

use super::{Eval, Exit, Flags, ZR};
use crate::cpu_model;
use crate::mem::{Fault, FaultKind};
use crate::sem::*;
use crate::softfp::{self, Fpscr};

#[inline(always)]
fn mask(bits: u32) -> u64 {
    if bits >= 64 {
        u64::MAX
    } else {
        (1u64 << bits) - 1
    }
}

#[inline(always)]
fn lane_mask(esize: u32) -> u128 {
    if esize >= 128 {
        u128::MAX
    } else {
        (1u128 << esize) - 1
    }
}

impl Eval<'_> {
    #[inline(always)]
    fn ok(&self) -> bool {
        self.exit.is_none()
    }

    /// Computes NZCV from pending operands into `cpu.nzcv`.
    #[inline]
    pub(super) fn sync_flags(&mut self) {
        let nzcv = match self.flags {
            Flags::Done => return,
            Flags::Sub64 { a, b } => add_flags(Width::W64, a, !b, 1).1,
            Flags::Sub32 { a, b } => add_flags(Width::W32, a as u64, !b as u64, 1).1,
            Flags::Logic64(r) => flags(r >> 63 != 0, r == 0, false, false),
            Flags::Logic32(r) => flags(r >> 31 != 0, r == 0, false, false),
        };
        self.cpu.nzcv = nzcv;
        self.flags = Flags::Done;
    }

    #[inline(always)]
    fn fpscr(&mut self) -> Fpscr<'_> {
        Fpscr {
            fpcr: self.cpu.fpcr as u32,
            fpsr: &mut self.cpu.fpsr,
        }
    }

    fn excl_fault(&mut self, addr: u64, size: u32) -> bool {
        if addr & (size as u64 - 1) != 0 {
            self.fault(Fault {
                addr,
                kind: FaultKind::Misaligned,
            });
            return true;
        }
        false
    }
}

impl Sem for Eval<'_> {
    type V = u64;
    type Q = u128;
    type B = bool;

    #[inline(always)]
    fn pc(&self) -> u64 {
        self.pc
    }

    #[inline(always)]
    fn imm(&mut self, v: u64) -> u64 {
        v
    }
    // `regs` is laid out so that only the accesses where number 31 names SP test for it (see `Eval::regs`).
    #[inline(always)]
    fn x(&mut self, r: Reg) -> u64 {
        self.regs[r as usize & 31]
    }
    #[inline(always)]
    fn x_or_sp(&mut self, r: Reg) -> u64 {
        self.regs[sp_slot(r)]
    }
    #[inline(always)]
    fn set_x(&mut self, r: Reg, v: u64) {
        if self.ok() {
            // A write to XZR lands on the zero register, which is zeroed again at once: two plain stores are
            // cheaper than choosing where to write.
            self.regs[r as usize & 31] = v;
            self.regs[ZR] = 0;
        }
    }
    #[inline(always)]
    fn set_x_or_sp(&mut self, r: Reg, v: u64) {
        if self.ok() {
            self.regs[sp_slot(r)] = v;
        }
    }
    #[inline(always)]
    fn vreg(&mut self, r: Reg) -> u128 {
        self.cpu.v[r as usize & 31]
    }
    #[inline(always)]
    fn set_vreg(&mut self, r: Reg, q: u128) {
        if self.ok() {
            self.cpu.v[r as usize & 31] = q;
        }
    }

    #[inline(always)]
    fn add(&mut self, a: u64, b: u64) -> u64 {
        a.wrapping_add(b)
    }
    #[inline(always)]
    fn sub(&mut self, a: u64, b: u64) -> u64 {
        a.wrapping_sub(b)
    }
    #[inline(always)]
    fn mul(&mut self, a: u64, b: u64) -> u64 {
        a.wrapping_mul(b)
    }
    #[inline(always)]
    fn umulh(&mut self, a: u64, b: u64) -> u64 {
        ((a as u128 * b as u128) >> 64) as u64
    }
    #[inline(always)]
    fn smulh(&mut self, a: u64, b: u64) -> u64 {
        ((a as i64 as i128 * b as i64 as i128) >> 64) as u64
    }
    #[inline(always)]
    fn udiv(&mut self, w: Width, a: u64, b: u64) -> u64 {
        match w {
            Width::W64 => a.checked_div(b).unwrap_or(0),
            Width::W32 => (a as u32).checked_div(b as u32).unwrap_or(0) as u64,
        }
    }
    #[inline(always)]
    fn sdiv(&mut self, w: Width, a: u64, b: u64) -> u64 {
        match w {
            Width::W64 => {
                if b == 0 {
                    0
                } else {
                    (a as i64).wrapping_div(b as i64) as u64
                }
            }
            Width::W32 => {
                if b as u32 == 0 {
                    0
                } else {
                    (a as i32).wrapping_div(b as i32) as u32 as u64
                }
            }
        }
    }
    #[inline(always)]
    fn and(&mut self, a: u64, b: u64) -> u64 {
        a & b
    }
    #[inline(always)]
    fn or(&mut self, a: u64, b: u64) -> u64 {
        a | b
    }
    #[inline(always)]
    fn xor(&mut self, a: u64, b: u64) -> u64 {
        a ^ b
    }
    #[inline(always)]
    fn not(&mut self, a: u64) -> u64 {
        !a
    }
    #[inline(always)]
    fn shl(&mut self, w: Width, a: u64, amount: u64) -> u64 {
        match w {
            Width::W64 => a << (amount & 63),
            Width::W32 => ((a as u32) << (amount & 31)) as u64,
        }
    }
    #[inline(always)]
    fn lsr(&mut self, w: Width, a: u64, amount: u64) -> u64 {
        match w {
            Width::W64 => a >> (amount & 63),
            Width::W32 => ((a as u32) >> (amount & 31)) as u64,
        }
    }
    #[inline(always)]
    fn asr(&mut self, w: Width, a: u64, amount: u64) -> u64 {
        match w {
            Width::W64 => ((a as i64) >> (amount & 63)) as u64,
            Width::W32 => ((a as i32) >> (amount & 31)) as u32 as u64,
        }
    }
    #[inline(always)]
    fn ror(&mut self, w: Width, a: u64, amount: u64) -> u64 {
        match w {
            Width::W64 => a.rotate_right((amount & 63) as u32),
            Width::W32 => (a as u32).rotate_right((amount & 31) as u32) as u64,
        }
    }
    #[inline(always)]
    fn clz(&mut self, w: Width, a: u64) -> u64 {
        match w {
            Width::W64 => a.leading_zeros() as u64,
            Width::W32 => (a as u32).leading_zeros() as u64,
        }
    }
    #[inline(always)]
    fn rbit(&mut self, w: Width, a: u64) -> u64 {
        match w {
            Width::W64 => a.reverse_bits(),
            Width::W32 => (a as u32).reverse_bits() as u64,
        }
    }
    #[inline(always)]
    fn bswap64(&mut self, a: u64) -> u64 {
        a.swap_bytes()
    }
    #[inline(always)]
    fn popcount(&mut self, a: u64) -> u64 {
        a.count_ones() as u64
    }
    #[inline(always)]
    fn zext(&mut self, a: u64, bits: u32) -> u64 {
        a & mask(bits)
    }
    #[inline(always)]
    fn sext(&mut self, a: u64, bits: u32) -> u64 {
        if bits >= 64 {
            a
        } else {
            (((a << (64 - bits)) as i64) >> (64 - bits)) as u64
        }
    }

    #[inline(always)]
    fn eq(&mut self, a: u64, b: u64) -> bool {
        a == b
    }
    #[inline(always)]
    fn ult(&mut self, a: u64, b: u64) -> bool {
        a < b
    }
    #[inline(always)]
    fn slt(&mut self, a: u64, b: u64) -> bool {
        (a as i64) < (b as i64)
    }
    #[inline(always)]
    fn b_not(&mut self, c: bool) -> bool {
        !c
    }
    #[inline(always)]
    fn b_and(&mut self, a: bool, b: bool) -> bool {
        a & b
    }
    #[inline(always)]
    fn b_or(&mut self, a: bool, b: bool) -> bool {
        a | b
    }
    #[inline(always)]
    fn select(&mut self, c: bool, a: u64, b: u64) -> u64 {
        if c { a } else { b }
    }
    #[inline(always)]
    fn b_to_v(&mut self, c: bool) -> u64 {
        c as u64
    }

    #[inline(always)]
    fn nzcv(&mut self) -> u64 {
        self.sync_flags();
        self.cpu.nzcv
    }
    #[inline(always)]
    fn set_nzcv(&mut self, v: u64) {
        if self.ok() {
            self.flags = Flags::Done;
            self.cpu.nzcv = v & 0xf000_0000;
        }
    }
    #[inline(always)]
    fn add_with_flags(&mut self, w: Width, a: u64, b: u64, carry_in: u64) -> u64 {
        // SUBS and CMP add the inverted operand and a carry of one: keep the operands, compute nothing.
        if carry_in == 1 {
            let res = a.wrapping_add(b).wrapping_add(1);
            if self.ok() {
                self.flags = match w {
                    Width::W64 => Flags::Sub64 { a, b: !b },
                    Width::W32 => Flags::Sub32 {
                        a: a as u32,
                        b: !b as u32,
                    },
                };
            }
            return match w {
                Width::W64 => res,
                Width::W32 => res as u32 as u64,
            };
        }
        let (res, nzcv) = add_flags(w, a, b, carry_in);
        self.set_nzcv(nzcv);
        res
    }
    #[inline(always)]
    fn set_logic_flags(&mut self, w: Width, result: u64) {
        if self.ok() {
            self.flags = match w {
                Width::W64 => Flags::Logic64(result),
                Width::W32 => Flags::Logic32(result as u32),
            };
        }
    }
    #[inline(always)]
    fn carry(&mut self) -> u64 {
        self.sync_flags();
        (self.cpu.nzcv >> 29) & 1
    }
    #[inline(always)]
    fn cond(&mut self, cond: u8) -> bool {
        match self.flags {
            Flags::Done => cond_holds(self.cpu.nzcv, cond),
            Flags::Sub64 { a, b } => sub_cond(a, b, a.wrapping_sub(b) as i64, cond),
            Flags::Sub32 { a, b } => sub_cond(a, b, a.wrapping_sub(b) as i32, cond),
            Flags::Logic64(r) => logic_cond(r as i64, cond),
            Flags::Logic32(r) => logic_cond(r as i32, cond),
        }
    }

    #[inline(always)]
    fn load(&mut self, addr: u64, size: u32) -> u64 {
        match self.mem.load(addr, size) {
            Ok(v) => v,
            Err(f) => {
                self.fault(f);
                0
            }
        }
    }
    #[inline(always)]
    fn store(&mut self, addr: u64, v: u64, size: u32) {
        if self.ok()
            && let Err(f) = self.mem.store(addr, v, size)
        {
            self.fault(f);
        }
    }
    #[inline(always)]
    fn load_q(&mut self, addr: u64) -> u128 {
        match self.mem.load_u128(addr) {
            Ok(v) => v,
            Err(f) => {
                self.fault(f);
                0
            }
        }
    }
    #[inline(always)]
    fn store_q(&mut self, addr: u64, q: u128) {
        if self.ok()
            && let Err(f) = self.mem.store_u128(addr, q)
        {
            self.fault(f);
        }
    }
    fn load_exclusive(&mut self, addr: u64, size: u32) -> u64 {
        if self.excl_fault(addr, size) {
            return 0;
        }
        let v = if size == 16 {
            self.load_q(addr)
        } else {
            self.load(addr, size) as u128
        };
        if self.ok() {
            self.cpu.excl_addr = addr;
            self.cpu.excl_size = size as u64;
            self.cpu.excl_value = v;
        }
        v as u64
    }
    fn exclusive_high(&mut self) -> u64 {
        (self.cpu.excl_value >> 64) as u64
    }
    fn store_exclusive(&mut self, addr: u64, lo: u64, hi: u64, size: u32) -> u64 {
        if self.excl_fault(addr, size) {
            return 1;
        }
        let armed = self.cpu.excl_addr == addr && self.cpu.excl_size == size as u64;
        let expected = self.cpu.excl_value;
        self.cpu.excl_addr = u64::MAX;
        self.cpu.excl_size = 0;
        if !armed {
            return 1;
        }
        // The monitor is emulated by value: the store succeeds if memory still holds what was loaded, done as a
        // compare-and-swap so another guest thread's intervening store makes it fail.
        let res = if size == 16 {
            self.mem
                .cas_u128(addr, expected, (hi as u128) << 64 | lo as u128)
                .map(|old| old == expected)
        } else {
            let exp = expected as u64;
            self.mem
                .atomic_update(addr, size, |old| (old == exp).then_some(lo))
                .map(|old| old == exp)
        };
        match res {
            Ok(true) => 0,
            Ok(false) => 1,
            Err(f) => {
                self.fault(f);
                1
            }
        }
    }
    fn clear_exclusive(&mut self) {
        self.cpu.excl_addr = u64::MAX;
        self.cpu.excl_size = 0;
    }
    fn atomic_rmw(&mut self, op: AtomicOp, addr: u64, v: u64, size: u32) -> u64 {
        if !self.ok() {
            return 0;
        }
        let bits = size * 8;
        let m = mask(bits);
        let sx = |x: u64| -> i64 { ((x << (64 - bits)) as i64) >> (64 - bits) };
        let r = self.mem.atomic_update(addr, size, |old| {
            Some(
                match op {
                    AtomicOp::Add => old.wrapping_add(v),
                    AtomicOp::Clr => old & !v,
                    AtomicOp::Eor => old ^ v,
                    AtomicOp::Set => old | v,
                    AtomicOp::Smax => {
                        if sx(old) >= sx(v & m) {
                            old
                        } else {
                            v
                        }
                    }
                    AtomicOp::Smin => {
                        if sx(old) <= sx(v & m) {
                            old
                        } else {
                            v
                        }
                    }
                    AtomicOp::Umax => old.max(v & m),
                    AtomicOp::Umin => old.min(v & m),
                    AtomicOp::Swp => v,
                } & m,
            )
        });
        match r {
            Ok(old) => old,
            Err(f) => {
                self.fault(f);
                0
            }
        }
    }
    fn atomic_cas(&mut self, addr: u64, expected: u64, new: u64, size: u32) -> u64 {
        if !self.ok() {
            return 0;
        }
        let m = mask(size * 8);
        match self
            .mem
            .atomic_update(addr, size, |old| (old == expected & m).then_some(new & m))
        {
            Ok(old) => old,
            Err(f) => {
                self.fault(f);
                0
            }
        }
    }
    fn atomic_casp(
        &mut self,
        addr: u64,
        expected: (u64, u64),
        new: (u64, u64),
        size: u32,
    ) -> (u64, u64) {
        if !self.ok() {
            return (0, 0);
        }
        if size == 8 {
            let e = (expected.1 as u128) << 64 | expected.0 as u128;
            let n = (new.1 as u128) << 64 | new.0 as u128;
            match self.mem.cas_u128(addr, e, n) {
                Ok(old) => (old as u64, (old >> 64) as u64),
                Err(f) => {
                    self.fault(f);
                    (0, 0)
                }
            }
        } else {
            let e = (expected.1 & 0xffff_ffff) << 32 | (expected.0 & 0xffff_ffff);
            let n = (new.1 & 0xffff_ffff) << 32 | (new.0 & 0xffff_ffff);
            match self
                .mem
                .atomic_update(addr, 8, |old| (old == e).then_some(n))
            {
                Ok(old) => (old & 0xffff_ffff, old >> 32),
                Err(f) => {
                    self.fault(f);
                    (0, 0)
                }
            }
        }
    }
    #[inline(always)]
    fn barrier(&mut self) {
        core::sync::atomic::fence(core::sync::atomic::Ordering::SeqCst);
    }
    fn cache_op(&mut self, op: CacheOp, addr: u64) {
        match op {
            CacheOp::DcZva => {
                let line = cpu_model::DC_ZVA_BYTES;
                let start = addr & !(line - 1);
                if let Err(f) = self.mem.fill(start, line, 0) {
                    self.fault(f);
                }
            }
            CacheOp::IcIvau => {
                if self.ok() {
                    self.exit = Some(Exit::CodeInvalidated {
                        addr: addr & !(cpu_model::ICACHE_LINE - 1),
                    });
                }
            }
            CacheOp::DcClean => {
                if let Err(f) = self.mem.load(addr, 1) {
                    self.fault(f);
                }
            }
        }
    }

    #[inline(always)]
    fn branch(&mut self, target: u64, _kind: BranchKind) {
        self.next_pc = target;
    }
    #[inline(always)]
    fn branch_if(&mut self, c: bool, target: u64) {
        if c {
            self.next_pc = target;
        }
    }
    #[inline(always)]
    fn branch_indirect(&mut self, target: u64, _kind: BranchKind) {
        self.next_pc = target;
    }
    fn svc(&mut self, _imm: u16) {
        if self.ok() {
            self.exit = Some(Exit::Syscall);
        }
    }
    fn brk(&mut self, imm: u16) {
        if self.ok() {
            self.exit = Some(Exit::Breakpoint { imm });
        }
    }
    fn undefined(&mut self) {
        if self.ok() {
            let word = self.mem.load(self.pc, 4).unwrap_or(0) as u32;
            self.exit = Some(Exit::Undefined { word });
        }
    }
    fn read_sysreg(&mut self, r: SysReg) -> u64 {
        match r {
            SysReg::Nzcv => self.nzcv(),
            SysReg::Fpcr => self.cpu.fpcr,
            SysReg::Fpsr => self.cpu.fpsr,
            SysReg::TpidrEl0 => self.cpu.tpidr_el0,
            SysReg::CntvctEl0 | SysReg::CntpctEl0 => cpu_model::counter(),
            other => cpu_model::read_const_sysreg(other),
        }
    }
    fn write_sysreg(&mut self, r: SysReg, v: u64) {
        if !self.ok() {
            return;
        }
        match r {
            SysReg::Nzcv => self.set_nzcv(v),
            SysReg::Fpcr => self.cpu.fpcr = v & cpu_model::FPCR_WRITABLE,
            SysReg::Fpsr => self.cpu.fpsr = v & cpu_model::FPSR_WRITABLE,
            SysReg::TpidrEl0 => self.cpu.tpidr_el0 = v,
            _ => {}
        }
    }

    #[inline(always)]
    fn q_from(&mut self, lo: u64, hi: u64) -> u128 {
        (hi as u128) << 64 | lo as u128
    }
    #[inline(always)]
    fn q_lo(&mut self, q: u128) -> u64 {
        q as u64
    }
    #[inline(always)]
    fn q_hi(&mut self, q: u128) -> u64 {
        (q >> 64) as u64
    }
    #[inline(always)]
    fn q_lane(&mut self, q: u128, esize: u32, idx: u32) -> u64 {
        ((q >> (esize * idx)) & lane_mask(esize)) as u64
    }
    #[inline(always)]
    fn q_with_lane(&mut self, q: u128, esize: u32, idx: u32, v: u64) -> u128 {
        let m = lane_mask(esize) << (esize * idx);
        (q & !m) | (((v as u128) << (esize * idx)) & m)
    }
    #[inline(always)]
    fn q_and(&mut self, a: u128, b: u128) -> u128 {
        a & b
    }
    #[inline(always)]
    fn q_or(&mut self, a: u128, b: u128) -> u128 {
        a | b
    }
    #[inline(always)]
    fn q_xor(&mut self, a: u128, b: u128) -> u128 {
        a ^ b
    }
    #[inline(always)]
    fn q_not(&mut self, a: u128) -> u128 {
        !a
    }
    fn q_add(&mut self, esize: u32, a: u128, b: u128) -> u128 {
        lanewise(esize, a, b, |x, y| x.wrapping_add(y))
    }
    fn q_sub(&mut self, esize: u32, a: u128, b: u128) -> u128 {
        lanewise(esize, a, b, |x, y| x.wrapping_sub(y))
    }
    fn q_cmeq(&mut self, esize: u32, a: u128, b: u128) -> u128 {
        lanewise(esize, a, b, |x, y| if x == y { u64::MAX } else { 0 })
    }
    fn q_tbl(&mut self, tbl: &[u128], idx: u128, fallback: u128) -> u128 {
        let mut out = 0u128;
        for i in 0..16 {
            let ix = ((idx >> (8 * i)) & 0xff) as usize;
            let byte = if ix < 16 * tbl.len() {
                (tbl[ix / 16] >> (8 * (ix % 16))) & 0xff
            } else {
                (fallback >> (8 * i)) & 0xff
            };
            out |= byte << (8 * i);
        }
        out
    }

    #[inline(always)]
    fn fp_binop(&mut self, op: FpBinOp, ty: FpTy, a: u64, b: u64) -> u64 {
        softfp::binop(&mut self.fpscr(), op, ty, a, b)
    }
    #[inline(always)]
    fn fp_muladd(&mut self, ty: FpTy, a: u64, b: u64, c: u64) -> u64 {
        softfp::muladd(&mut self.fpscr(), ty, a, b, c)
    }
    fn fp_unop(&mut self, op: FpUnOp, ty: FpTy, a: u64) -> u64 {
        softfp::unop(&mut self.fpscr(), op, ty, a)
    }
    fn fp_compare(&mut self, ty: FpTy, a: u64, b: u64, signal_all: bool) -> u64 {
        softfp::compare(&mut self.fpscr(), ty, a, b, signal_all)
    }
    fn fp_compare_mask(&mut self, cmp: FpCmp, ty: FpTy, a: u64, b: u64) -> u64 {
        softfp::compare_mask(&mut self.fpscr(), cmp, ty, a, b)
    }
    fn fp_convert(&mut self, from: FpTy, to: FpTy, a: u64) -> u64 {
        softfp::convert(&mut self.fpscr(), from, to, a)
    }
    fn fp_to_int(
        &mut self,
        ty: FpTy,
        a: u64,
        w: Width,
        signed: bool,
        fbits: u32,
        rounding: Rounding,
    ) -> u64 {
        softfp::to_int(&mut self.fpscr(), ty, a, w, signed, fbits, rounding)
    }
    fn int_to_fp(&mut self, ty: FpTy, a: u64, w: Width, signed: bool, fbits: u32) -> u64 {
        softfp::from_int(&mut self.fpscr(), ty, a, w, signed, fbits)
    }

    // ---- added for the scalar FP class (a64::fp)

    fn fp_compare_if(
        &mut self,
        c: bool,
        ty: FpTy,
        a: u64,
        b: u64,
        signal_all: bool,
        otherwise: u64,
    ) -> u64 {
        if c {
            softfp::compare(&mut self.fpscr(), ty, a, b, signal_all)
        } else {
            otherwise
        }
    }

    // ---- added for dp_reg (CRC32 / CRC32C) ---------------------------------------------------------------------

    fn crc32(&mut self, castagnoli: bool, acc: u64, data: u64, size: u32) -> u64 {
        let table = if castagnoli {
            &CRC32C_TABLE
        } else {
            &CRC32_TABLE
        };
        let mut crc = acc as u32;
        for i in 0..size.min(8) {
            let byte = (data >> (8 * i)) as u8;
            crc = (crc >> 8) ^ table[((crc as u8) ^ byte) as usize];
        }
        crc as u64
    }

    // ---- added for simd::crypto (AES) ------------------------------------------------------------------------

    fn aes_sub_shift(&mut self, q: u128, inverse: bool) -> u128 {
        super::aes::sub_shift(q, inverse)
    }
    fn aes_mix_columns(&mut self, q: u128, inverse: bool) -> u128 {
        super::aes::mix_columns(q, inverse)
    }

    // ---- added for AdvSIMD vector (simdvec)
    fn q_mul(&mut self, esize: u32, a: u128, b: u128) -> u128 {
        lanewise(esize, a, b, |x, y| x.wrapping_mul(y))
    }
    #[inline(always)]
    fn q_minmax(&mut self, esize: u32, signed: bool, max: bool, a: u128, b: u128) -> u128 {
        lanewise(esize, a, b, |x, y| {
            let lt = if signed {
                lane_signed(x, esize) < lane_signed(y, esize)
            } else {
                x < y
            };
            if lt == max { y } else { x }
        })
    }
    fn q_cmgt(&mut self, esize: u32, signed: bool, a: u128, b: u128) -> u128 {
        lanewise(esize, a, b, |x, y| {
            let gt = if signed {
                lane_signed(x, esize) > lane_signed(y, esize)
            } else {
                x > y
            };
            if gt { u64::MAX } else { 0 }
        })
    }
    fn q_shl_imm(&mut self, esize: u32, a: u128, amount: u32) -> u128 {
        let n = amount.min(63);
        lanewise(esize, a, 0, |x, _| if amount >= esize { 0 } else { x << n })
    }
    #[inline(always)]
    fn q_shuffle(&mut self, a: u128, b: u128, idx: [u8; 16]) -> u128 {
        let mut src = [0u8; 32];
        src[..16].copy_from_slice(&a.to_le_bytes());
        src[16..].copy_from_slice(&b.to_le_bytes());
        let mut out = [0u8; 16];
        for (o, &i) in out.iter_mut().zip(idx.iter()) {
            *o = src[(i & 31) as usize];
        }
        u128::from_le_bytes(out)
    }
    fn q_shr_imm(&mut self, esize: u32, signed: bool, a: u128, amount: u32) -> u128 {
        lanewise(esize, a, 0, |x, _| {
            if signed {
                (lane_signed(x, esize) >> amount.min(esize - 1).min(63)) as u64
            } else if amount >= esize {
                0
            } else {
                x >> amount
            }
        })
    }
}

/// Byte-at-a-time table of the bit-reflected CRC with reversed polynomial `poly`.
const fn crc_table(poly: u32) -> [u32; 256] {
    let mut t = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 { (c >> 1) ^ poly } else { c >> 1 };
            k += 1;
        }
        t[i] = c;
        i += 1;
    }
    t
}

/// CRC-32 (ISO-HDLC), 0x04C11DB7 reflected.
static CRC32_TABLE: [u32; 256] = crc_table(0xEDB8_8320);
/// CRC-32C (Castagnoli), 0x1EDC6F41 reflected.
static CRC32C_TABLE: [u32; 256] = crc_table(0x82F6_3B78);

#[inline(always)]
fn flags(n: bool, z: bool, c: bool, v: bool) -> u64 {
    (n as u64) << 31 | (z as u64) << 30 | (c as u64) << 29 | (v as u64) << 28
}

/// `a + b + carry_in` at width `w` and the NZCV it sets.
#[inline(always)]
fn add_flags(w: Width, a: u64, b: u64, carry_in: u64) -> (u64, u64) {
    match w {
        Width::W64 => {
            let (s1, c1) = a.overflowing_add(b);
            let (res, c2) = s1.overflowing_add(carry_in);
            let c = c1 | c2;
            let v = ((a ^ res) & (b ^ res)) >> 63 != 0;
            (res, flags(res >> 63 != 0, res == 0, c, v))
        }
        Width::W32 => {
            let (a, b, ci) = (a as u32, b as u32, carry_in as u32);
            let (s1, c1) = a.overflowing_add(b);
            let (res, c2) = s1.overflowing_add(ci);
            let c = c1 | c2;
            let v = ((a ^ res) & (b ^ res)) >> 31 != 0;
            (res as u64, flags(res >> 31 != 0, res == 0, c, v))
        }
    }
}

/// The slot in `Eval::regs` of register number `r` where 31 names SP: SP sits just after the zero register.
#[inline(always)]
fn sp_slot(r: Reg) -> usize {
    let r = r as usize & 31;
    r + (r == ZR) as usize
}

/// The last step of `ConditionHolds`: an odd condition is the even one's negation, except NV (0b1111), which
/// holds like AL.
#[inline(always)]
fn odd_negates(cond: u8, r: bool) -> bool {
    if cond & 1 != 0 && cond != 0xf { !r } else { r }
}

/// `ConditionHolds` after `a − b` (SUBS/CMP), straight from the operands; `diff` is the signed difference at
/// the operands' width (its sign is N).
#[inline(always)]
fn sub_cond<T: PartialOrd + Copy + Signed>(a: T, b: T, diff: T::S, cond: u8) -> bool {
    let neg = diff < T::S::default();
    let r = match cond >> 1 {
        0 => a == b,
        1 => a >= b,
        2 => neg,
        // V: the wrapped difference's sign is not the true one.
        3 => (a.signed() < b.signed()) != neg,
        4 => a > b,
        5 => a.signed() >= b.signed(),
        6 => a.signed() > b.signed(),
        _ => true,
    };
    odd_negates(cond, r)
}

/// `ConditionHolds` after a logical operation with signed result `r` (C = V = 0).
#[inline(always)]
fn logic_cond<D: Copy + PartialOrd + Default>(r: D, cond: u8) -> bool {
    let zero = D::default();
    let r = match cond >> 1 {
        0 => r == zero,
        1 | 3 | 4 => false,
        2 => r < zero,
        5 => r >= zero,
        6 => r > zero,
        _ => true,
    };
    odd_negates(cond, r)
}

/// The same unsigned value read as two's complement.
trait Signed {
    type S: PartialOrd + Default + Copy;
    fn signed(self) -> Self::S;
}

impl Signed for u64 {
    type S = i64;
    #[inline(always)]
    fn signed(self) -> i64 {
        self as i64
    }
}

impl Signed for u32 {
    type S = i32;
    #[inline(always)]
    fn signed(self) -> i32 {
        self as i32
    }
}

/// The ARM ARM's `ConditionHolds` on PSTATE-layout NZCV.
#[inline(always)]
pub fn cond_holds(nzcv: u64, cond: u8) -> bool {
    let n = nzcv & (1 << 31) != 0;
    let z = nzcv & (1 << 30) != 0;
    let c = nzcv & (1 << 29) != 0;
    let v = nzcv & (1 << 28) != 0;
    let r = match cond >> 1 {
        0 => z,
        1 => c,
        2 => n,
        3 => v,
        4 => c && !z,
        5 => n == v,
        6 => n == v && !z,
        _ => true,
    };
    odd_negates(cond, r)
}

/// A zero-extended `esize`-bit lane value, sign-extended.
#[inline(always)]
fn lane_signed(x: u64, esize: u32) -> i64 {
    if esize >= 64 {
        x as i64
    } else {
        ((x << (64 - esize)) as i64) >> (64 - esize)
    }
}

/// `f` applied to each pair of `esize`-bit lanes (zero-extended; the result truncated to the lane). Lanes are
/// handled as fixed-size arrays of the lane type, which the host compiler vectorises.
#[inline(always)]
fn lanewise(esize: u32, a: u128, b: u128, f: impl Fn(u64, u64) -> u64) -> u128 {
    macro_rules! typed {
        ($t:ty, $n:expr) => {{
            const W: usize = 16 / $n;
            let (ab, bb) = (a.to_le_bytes(), b.to_le_bytes());
            let mut out = [0u8; 16];
            for i in 0..$n {
                let x = <$t>::from_le_bytes(ab[i * W..(i + 1) * W].try_into().unwrap_or_default());
                let y = <$t>::from_le_bytes(bb[i * W..(i + 1) * W].try_into().unwrap_or_default());
                let r = f(x as u64, y as u64) as $t;
                out[i * W..(i + 1) * W].copy_from_slice(&r.to_le_bytes());
            }
            u128::from_le_bytes(out)
        }};
    }
    match esize {
        8 => typed!(u8, 16),
        16 => typed!(u16, 8),
        32 => typed!(u32, 4),
        _ => typed!(u64, 2),
    }
}
