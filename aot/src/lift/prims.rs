//! The Wasm of each [`Sem`] primitive. Values are Wasm locals: `V` an i64 local, `Q` a v128 local, `B` an i32
//! local holding 0 or 1. Every primitive reads its operands with `local.get` and writes a fresh local; Cranelift
//! turns the locals into SSA values, so the copies cost nothing at run time.
//!
//! A primitive with no Wasm lowering yet calls [`Lift::unsupported`]: the whole instruction then runs in the
//! interpreter (correct, counted, slower). Each lowering mirrors `Eval`'s in `elfrun_interp::eval::prims`; the
//! differential tests run every program through both.

use elfrun_interp::cpu_model;
use elfrun_interp::sem::*;
use elfrun_interp::state::offsets;
use wasm_encoder::{BlockType, Instruction as I, ValType};

use super::fp::{self, FastOp, QuietOp};
use super::{
    CHECK_WINDOW, FP_FUNC, FlagKind, Flags, L_FA, L_FB, L_FK, L_REGS, Lift, MAX_BOUND, NZCV, Pure,
    RegSlot, memarg, memarg_at, state_addr,
};
use crate::abi::{FpCall, MEM_END, MEM_LOW, STATE_ADDR, Status};

impl Lift<'_> {
    /// Runs `code` (which leaves one value of type `ty` on the stack) into a new local.
    pub(super) fn val(&mut self, ty: ValType, code: impl IntoIterator<Item = I<'static>>) -> u32 {
        let t = self.temp(ty);
        self.cur.extend(code);
        self.cur.push(I::LocalSet(t));
        t
    }
    fn v<const N: usize>(&mut self, code: [I<'static>; N]) -> u32 {
        self.val(ValType::I64, code)
    }
    fn b<const N: usize>(&mut self, code: [I<'static>; N]) -> u32 {
        self.val(ValType::I32, code)
    }
    fn q<const N: usize>(&mut self, code: [I<'static>; N]) -> u32 {
        self.val(ValType::V128, code)
    }

    /// The value of a register, seeing the current instruction's own earlier writes.
    pub(super) fn read_slot(&mut self, slot: RegSlot) -> u32 {
        if let Some(&(_, l)) = self.pending.iter().rev().find(|(s, _)| *s == slot) {
            return l;
        }
        match slot {
            RegSlot::Gpr(r) => {
                self.reads |= 1 << r;
                self.insn_reads |= 1 << r;
                self.pure((Pure::Reg, r as u32, 0), |l| {
                    l.v([I::LocalGet(L_REGS + r as u32)])
                })
            }
            RegSlot::Vec(r) => {
                self.vreads |= 1 << r;
                self.insn_reads |= super::live::vbit(r);
                let q = self.q([I::LocalGet(super::L_VREGS + r as u32)]);
                if let Some(parts) = self.vparts[r as usize] {
                    self.qparts.insert(q, parts);
                }
                q
            }
        }
    }

    /// The current instruction reads NZCV (unless it wrote them itself).
    fn reads_flags(&mut self) {
        if self.pending_flags.is_none() {
            self.insn_reads |= 1 << NZCV;
        }
    }

    /// Alignment check of an exclusive or atomic access: misaligned, the interpreter takes the instruction over
    /// (and raises SIGBUS), as Wasm atomics would trap.
    fn aligned(&mut self, a: u32, size: u32) {
        if size <= 1 {
            return;
        }
        self.cur.extend([
            I::LocalGet(a),
            I::I64Const(size as i64 - 1),
            I::I64And,
            I::I64Const(0),
            I::I64Ne,
            I::If(BlockType::Empty),
        ]);
        self.depth += 1;
        self.exit(Status::Interp, self.pc);
        self.depth -= 1;
        self.cur.push(I::End);
    }

    /// Bounds check of a `size`-byte access at `a`; on failure the interpreter takes the instruction over (and
    /// raises the fault). Leaves the 32-bit Wasm address on the stack.
    fn address(&mut self, a: u32, size: u32) {
        if self.checked.get(&a).is_some_and(|&s| s >= size) {
            self.cur.extend([I::LocalGet(a), I::I32WrapI64]);
            return;
        }
        // A base register plus a constant: one check of a window around the first such access covers the
        // block's later accesses near the same base (a frame's slots off SP, a struct's fields, bytes of a
        // buffer). Failing it leaves for the interpreter at this instruction, which then runs from here exactly
        // as the individual checks would have (the window only widens what sends an access there).
        // (Offsets beyond ±4 GiB, which no access in guest memory has, are left to the exact check.)
        if let Some(&(base, off, max)) = self.based.get(&a)
            && off.unsigned_abs() < 1 << 32
            && max.unsigned_abs() < 1 << 32
        {
            let end = max + size as i64;
            if self
                .windows
                .get(&base)
                .is_some_and(|&(lo, hi)| lo <= off && end <= hi)
            {
                self.cur.extend([I::LocalGet(a), I::I32WrapI64]);
                return;
            }
            if self.at_top() {
                let (lo, hi) = (off - CHECK_WINDOW, end + CHECK_WINDOW);
                self.windows.insert(base, (lo, hi));
                self.check_range(base, lo, hi - lo);
                self.cur.extend([I::LocalGet(a), I::I32WrapI64]);
                return;
            }
        }
        if self.at_top() {
            let s = self.checked.entry(a).or_default();
            *s = size.max(*s);
        }
        self.check_range(a, 0, size as i64);
        self.cur.extend([I::LocalGet(a), I::I32WrapI64]);
    }

    /// [`Lift::address`] for a plain load or store, which can take a constant offset in its `memarg`: where `a` is
    /// a base plus a constant `0 < off < MEM_LOW` ([`Lift::based`]), leaves the base's 32-bit address on the stack
    /// and returns `off`, which Cranelift folds into the host access (`mov 0x10(%r15,%rdx,1)`), where the sum
    /// took an instruction of its own; else as `address`, returning 0. Exact: `a` passed its check, so
    /// `MEM_LOW <= a < MEM_END = 2^32`, and then the base `a - off` lies below 2^32 without wrapping and the
    /// engine's 64-bit sum of it and `off` is `a`.
    fn address_at(&mut self, a: u32, size: u32) -> u64 {
        self.address(a, size);
        match self.based.get(&a) {
            Some(&(base, off, max)) if off == max && 0 < off && off < MEM_LOW as i64 => {
                let n = self.cur.len();
                debug_assert!(matches!(self.cur[n - 2], I::LocalGet(x) if x == a));
                self.cur[n - 2] = I::LocalGet(base);
                off as u64
            }
            _ => 0,
        }
    }

    /// Leaves for the interpreter at this instruction unless `[v + lo, v + lo + span)` lies within guest memory
    /// (`MEM_LOW..MEM_END`; `v + lo` wrapping below zero fails too).
    fn check_range(&mut self, v: u32, lo: i64, span: i64) {
        self.cur.extend([
            I::LocalGet(v),
            I::I64Const(lo - MEM_LOW as i64),
            I::I64Add,
            I::I64Const((MEM_END - MEM_LOW) as i64 - span),
            I::I64GtU,
            I::If(BlockType::Empty),
        ]);
        self.depth += 1;
        self.exit(Status::Interp, self.pc);
        self.depth -= 1;
        self.cur.push(I::End);
    }

    /// Records that local `t` does not exceed `max` ([`Lift::bounded`]), if that is small enough to use.
    fn bound(&mut self, t: u32, max: u64) {
        if max < MAX_BOUND {
            self.bounded.insert(t, max);
        }
    }

    /// `compute`'s value, or the one an earlier `pure` call with the same `key` computed at the block's top level
    /// ([`Lift::at_top`]); `compute` emits a pure operation on the operands the key names.
    fn pure(&mut self, key: (Pure, u32, u64), compute: impl FnOnce(&mut Self) -> u32) -> u32 {
        if let Some(&v) = self.pure.get(&key) {
            return v;
        }
        let top = self.at_top();
        let v = compute(self);
        if top {
            self.pure.insert(key, v);
        }
        v
    }

    /// Low 32 bits of `a` as an i32 on the stack.
    fn w32(&mut self, a: u32) -> [I<'static>; 2] {
        [I::LocalGet(a), I::I32WrapI64]
    }

    /// A conversion of `a`: inline where [`Lift::fp_conv`] has a fast path, else the helper.
    fn conversion(&mut self, call: FpCall, a: u32) -> u32 {
        match self.fp_conv(call, a) {
            Some(r) => r,
            None => self.fp(call, a, None, None),
        }
    }

    fn fp(&mut self, call: FpCall, a: u32, b: Option<u32>, c: Option<u32>) -> u32 {
        let arg = |x: Option<u32>| x.map_or(I::I64Const(0), I::LocalGet);
        self.v([
            I::I32Const(call.encode()),
            I::LocalGet(a),
            arg(b),
            arg(c),
            I::Call(FP_FUNC),
        ])
    }

    /// Where the flags are a CCMP's ([`Flags::alt`]): `compute` run on its comparison's flags alone, with the
    /// condition's local and the immediate NZCV.
    fn with_ccmp_comparison<R>(
        &mut self,
        compute: impl FnOnce(&mut Self) -> R,
    ) -> Option<(u32, u8, R)> {
        let f = self.pending_flags.or(self.known)?;
        let (holds, n) = f.alt?;
        let saved = (self.pending_flags, self.known);
        self.pending_flags = Some(Flags { alt: None, ..f });
        let r = compute(self);
        (self.pending_flags, self.known) = saved;
        Some((holds, n, r))
    }

    /// NZCV as a value (PSTATE layout): this instruction's pending flags, else the block's last write (both
    /// known at lift time), else the flag locals, materialised by the module's `nzcv` helper — or, inside a
    /// guest loop, by its code inlined (a call would be a memory fence there, see `Lift::fp_slow_exits`).
    fn nzcv_value(&mut self) -> u32 {
        if let Some((holds, n, computed)) = self.with_ccmp_comparison(Self::nzcv_value) {
            // A CCMP's flags: the comparison's, materialised, or the constant.
            let fallback = self.imm(u64::from(n) << 28);
            return self.select(holds, computed, fallback);
        }
        let (kind, a, b) = match self.pending_flags.or(self.known) {
            Some(Flags {
                kind: FlagKind::Value,
                a,
                ..
            }) => return a,
            Some(f) => (
                I::I32Const(f.kind as i32),
                I::LocalGet(f.a),
                f.b.map_or(I::I64Const(0), I::LocalGet),
            ),
            None => {
                self.reads |= 1 << NZCV;
                (I::LocalGet(L_FK), I::LocalGet(L_FA), I::LocalGet(L_FB))
            }
        };
        if !self.in_loop() {
            return self.v([kind, a, b, I::Call(self.m.nzcv_func)]);
        }
        // The helper's body on copies of the operands (it masks them for the 32-bit kinds).
        let k = self.temp(ValType::I32);
        let [ca, cb, r, top] = [(); 4].map(|_| self.temp(ValType::I64));
        self.cur
            .extend([kind, I::LocalSet(k), a, I::LocalSet(ca), b, I::LocalSet(cb)]);
        self.val(ValType::I64, crate::module::nzcv_expr(k, ca, cb, r, top))
    }

    /// A comparison of `a` and `b` at the flags' width: `op64` on the i64s, or `op32` on their low halves.
    fn cmp_w(&mut self, w32: bool, a: u32, b: u32, op64: I<'static>, op32: I<'static>) -> u32 {
        if w32 {
            self.b([
                I::LocalGet(a),
                I::I32WrapI64,
                I::LocalGet(b),
                I::I32WrapI64,
                op32,
            ])
        } else {
            self.b([I::LocalGet(a), I::LocalGet(b), op64])
        }
    }

    /// `ConditionHolds(cond)` after SUBS/CMP `a - b`, as a direct comparison (compare + branch fusion).
    fn cond_sub(&mut self, cond: u8, f: Flags) -> u32 {
        let w32 = f.kind == FlagKind::Sub32;
        let (a, b) = (f.a, f.b.unwrap_or(f.a));
        let r = match cond {
            0 | 1 => self.cmp_w(w32, a, b, I::I64Eq, I::I32Eq),
            2 | 3 => self.cmp_w(w32, a, b, I::I64GeU, I::I32GeU),
            8 | 9 => self.cmp_w(w32, a, b, I::I64GtU, I::I32GtU),
            10 | 11 => self.cmp_w(w32, a, b, I::I64GeS, I::I32GeS),
            12 | 13 => self.cmp_w(w32, a, b, I::I64GtS, I::I32GtS),
            4..=7 => {
                // N: the difference is negative; V: ((a ^ b) & (a ^ (a - b))) is negative.
                let d = self.sub(a, b);
                let x = if cond < 6 {
                    d
                } else {
                    self.v([
                        I::LocalGet(a),
                        I::LocalGet(b),
                        I::I64Xor,
                        I::LocalGet(a),
                        I::LocalGet(d),
                        I::I64Xor,
                        I::I64And,
                    ])
                };
                let zero = self.imm(0);
                self.cmp_w(w32, x, zero, I::I64LtS, I::I32LtS)
            }
            _ => return self.b([I::I32Const(1)]),
        };
        if cond & 1 != 0 { self.b_not(r) } else { r }
    }

    /// `ConditionHolds(cond)` on the flag locals, nothing being known at lift time (at a block start): when
    /// `$fk` says SUBS/CMP (the common case), a direct comparison of `$fa` and `$fb`; otherwise on NZCV
    /// materialised ([`Lift::cond_nzcv`]). The branch on `$fk` is predictable where the flags come from one
    /// kind of instruction, and saves materialising all four flags to test one or two.
    fn cond_lazy(&mut self, cond: u8) -> u32 {
        self.reads |= 1 << NZCV;
        let r = self.temp(ValType::I32);
        let a = self.v([I::LocalGet(L_FA)]);
        let b = self.v([I::LocalGet(L_FB)]);
        self.depth += 2;
        for kind in [FlagKind::Sub64, FlagKind::Sub32] {
            self.cur.extend([
                I::LocalGet(L_FK),
                I::I32Const(kind as i32),
                I::I32Eq,
                I::If(BlockType::Empty),
            ]);
            let x = self.cond_sub(cond, Flags::new(kind, a, Some(b)));
            self.cur.extend([I::LocalGet(x), I::LocalSet(r), I::Else]);
        }
        let x = self.cond_nzcv(cond);
        self.cur
            .extend([I::LocalGet(x), I::LocalSet(r), I::End, I::End]);
        self.depth -= 2;
        r
    }

    /// `ConditionHolds(cond)` on NZCV as a value ([`Lift::nzcv_value`]).
    fn cond_nzcv(&mut self, cond: u8) -> u32 {
        let f = self.nzcv();
        let r = match cond >> 1 {
            0 => self.flag(f, 30),
            1 => self.flag(f, 29),
            2 => self.flag(f, 31),
            3 => self.flag(f, 28),
            4 => {
                let (c, z) = (self.flag(f, 29), self.flag(f, 30));
                self.b([I::LocalGet(c), I::LocalGet(z), I::I32Eqz, I::I32And])
            }
            5 | 6 => {
                let (n, v) = (self.flag(f, 31), self.flag(f, 28));
                let ge = self.b([I::LocalGet(n), I::LocalGet(v), I::I32Eq]);
                if cond >> 1 == 5 {
                    ge
                } else {
                    let z = self.flag(f, 30);
                    self.b([I::LocalGet(ge), I::LocalGet(z), I::I32Eqz, I::I32And])
                }
            }
            _ => return self.b([I::I32Const(1)]),
        };
        if cond & 1 != 0 { self.b_not(r) } else { r }
    }

    /// `ConditionHolds(cond)` after ANDS/TST with result `r` (C = V = 0).
    fn cond_logic(&mut self, cond: u8, f: Flags) -> u32 {
        let w32 = f.kind == FlagKind::Logic32;
        let zero = self.imm(0);
        let r = match cond >> 1 {
            0 => self.cmp_w(w32, f.a, zero, I::I64Eq, I::I32Eq),
            // C = 0: CS never, CC always; V = 0: VS never, VC always; HI = C && !Z never, LS always.
            1 | 3 | 4 => self.b([I::I32Const(0)]),
            2 => self.cmp_w(w32, f.a, zero, I::I64LtS, I::I32LtS),
            // GE: N == V == 0.
            5 => self.cmp_w(w32, f.a, zero, I::I64GeS, I::I32GeS),
            // GT: !Z && N == 0.
            6 => self.cmp_w(w32, f.a, zero, I::I64GtS, I::I32GtS),
            _ => return self.b([I::I32Const(1)]),
        };
        if cond & 1 != 0 { self.b_not(r) } else { r }
    }

    /// A condition bit of NZCV (31 = N … 28 = V) as an i32 0/1.
    fn flag(&mut self, nzcv: u32, bit: i64) -> u32 {
        self.b([
            I::LocalGet(nzcv),
            I::I64Const(bit),
            I::I64ShrU,
            I::I32WrapI64,
            I::I32Const(1),
            I::I32And,
        ])
    }

    fn state_load(&mut self, offset: usize) -> u32 {
        self.v([I::I32Const(state_addr(offset)), I::I64Load(memarg(3))])
    }

    fn state_store(&mut self, offset: usize, v: u32) {
        self.cur.extend([
            I::I32Const(state_addr(offset)),
            I::LocalGet(v),
            I::I64Store(memarg(3)),
        ]);
    }

    /// Integer division at `w` with A64's rules (by zero gives 0; signed MIN / -1 gives MIN).
    fn div(&mut self, w: Width, signed: bool, a: u32, b: u32) -> u32 {
        self.guarded_div(w, signed, false, a, b)
    }

    /// The remainder `a - (a / b) * b` of a [`div`](Self::div) at `w`, as A64's UDIV/SDIV then MSUB compute
    /// it: by zero gives `a`; signed MIN by -1 gives 0 (Wasm's `rem_s` does too, without trapping).
    pub(super) fn rem(&mut self, w: Width, signed: bool, a: u32, b: u32) -> u32 {
        self.guarded_div(w, signed, true, a, b)
    }

    /// [`div`](Self::div) or [`rem`](Self::rem). The cases where Wasm would trap are rare branches
    /// ([`super::br_unlikely`]) to their results.
    fn guarded_div(&mut self, w: Width, signed: bool, rem: bool, a: u32, b: u32) -> u32 {
        // The 64-bit instruction or its 32-bit twin.
        let pick = |i64: I<'static>, i32: I<'static>| if w == Width::W64 { i64 } else { i32 };
        let ty = if w == Width::W64 {
            ValType::I64
        } else {
            ValType::I32
        };
        let op = match (signed, rem) {
            (false, false) => pick(I::I64DivU, I::I32DivU),
            (true, false) => pick(I::I64DivS, I::I32DivS),
            (false, true) => pick(I::I64RemU, I::I32RemU),
            (true, true) => pick(I::I64RemS, I::I32RemS),
        };
        let zero = pick(I::I64Const(0), I::I32Const(0));
        let minus_one = pick(I::I64Const(-1), I::I32Const(-1));
        let (eqz, eq, sub) = (
            pick(I::I64Eqz, I::I32Eqz),
            pick(I::I64Eq, I::I32Eq),
            pick(I::I64Sub, I::I32Sub),
        );
        let get = |x: u32| -> Vec<I<'static>> {
            match w {
                Width::W64 => vec![I::LocalGet(x)],
                Width::W32 => vec![I::LocalGet(x), I::I32WrapI64],
            }
        };
        // block $done (result) { block $zero { [block $ovf {] b == 0 → $zero; [b == -1 → $ovf;] a op b → $done
        // [} -a → $done] } by zero: 0, or the dividend for the remainder }. Both cases are marked rare: their
        // code goes after the function's other code, and the host division falls through to what follows.
        let ovf = signed && !rem;
        self.cur
            .extend([I::Block(BlockType::Result(ty)), I::Block(BlockType::Empty)]);
        if ovf {
            self.cur.push(I::Block(BlockType::Empty));
        }
        self.cur.extend(get(b));
        self.cur.push(eqz);
        self.cur.extend(super::br_unlikely(u32::from(ovf)));
        if ovf {
            self.cur.extend(get(b));
            self.cur.extend([minus_one, eq]);
            self.cur.extend(super::br_unlikely(0));
        }
        self.cur.extend(get(a));
        self.cur.extend(get(b));
        self.cur.extend([op, I::Br(1 + u32::from(ovf))]);
        if ovf {
            // MIN / -1 overflows (Wasm traps): the quotient is -a, which wraps to MIN.
            self.cur.extend([I::End, zero.clone()]);
            self.cur.extend(get(a));
            self.cur.extend([sub, I::Br(1)]);
        }
        self.cur.push(I::End);
        if rem {
            self.cur.extend(get(a));
        } else {
            self.cur.push(zero);
        }
        self.cur.push(I::End);
        if w == Width::W32 {
            self.cur.push(I::I64ExtendI32U);
        }
        let t = self.temp(ValType::I64);
        self.cur.push(I::LocalSet(t));
        t
    }

    /// A 32-bit operation on the low halves, zero-extended.
    fn op32(&mut self, a: u32, b: u32, op: I<'static>) -> u32 {
        self.v([
            I::LocalGet(a),
            I::I32WrapI64,
            I::LocalGet(b),
            I::I32WrapI64,
            op,
            I::I64ExtendI32U,
        ])
    }

    /// High 64 bits of the 128-bit product (`wide` is the wide-arithmetic proposal's `i64.mul_wide_u` or
    /// `_s`, one x86 `mul`/`imul` under Cranelift; it leaves the low half below the high one).
    fn mul_high(&mut self, a: u32, b: u32, wide: I<'static>) -> u32 {
        let hi = self.temp(ValType::I64);
        self.cur.extend([
            I::LocalGet(a),
            I::LocalGet(b),
            wide,
            I::LocalSet(hi),
            I::Drop,
        ]);
        hi
    }

    fn bswap(&mut self, a: u32) -> u32 {
        let mut idx = [0u8; 16];
        for (i, x) in idx.iter_mut().enumerate() {
            *x = (7 - (i % 8)) as u8;
        }
        self.v([
            I::LocalGet(a),
            I::I64x2Splat,
            I::LocalGet(a),
            I::I64x2Splat,
            I::I8x16Shuffle(idx),
            I::I64x2ExtractLane(0),
        ])
    }

    /// `((a >> s) & m) | ((a & m) << s)`: one step of a bit reversal.
    fn swap_bits(&mut self, a: u32, s: i64, m: u64) -> u32 {
        self.v([
            I::LocalGet(a),
            I::I64Const(s),
            I::I64ShrU,
            I::I64Const(m as i64),
            I::I64And,
            I::LocalGet(a),
            I::I64Const(m as i64),
            I::I64And,
            I::I64Const(s),
            I::I64Shl,
            I::I64Or,
        ])
    }

    /// Lane-wise binary SIMD op on two Q locals.
    fn qop(&mut self, a: u32, b: u32, op: Option<I<'static>>) -> u32 {
        match op {
            Some(op) => self.q([I::LocalGet(a), I::LocalGet(b), op]),
            None => {
                self.unsupported();
                a
            }
        }
    }
}

fn by_esize(esize: u32, ops: [I<'static>; 4]) -> Option<I<'static>> {
    let [b, h, s, d] = ops;
    match esize {
        8 => Some(b),
        16 => Some(h),
        32 => Some(s),
        64 => Some(d),
        _ => None,
    }
}

impl Sem for Lift<'_> {
    type V = u32;
    type Q = u32;
    type B = u32;

    fn pc(&self) -> u64 {
        self.pc
    }

    fn imm(&mut self, v: u64) -> u32 {
        self.pure((Pure::Imm, 0, v), |l| {
            let t = l.v([I::I64Const(v as i64)]);
            l.consts.insert(t, v);
            t
        })
    }
    fn x(&mut self, r: Reg) -> u32 {
        if r == 31 {
            self.imm(0)
        } else {
            self.read_slot(RegSlot::Gpr(r))
        }
    }
    fn x_or_sp(&mut self, r: Reg) -> u32 {
        self.read_slot(RegSlot::Gpr(r.min(31)))
    }
    fn set_x(&mut self, r: Reg, v: u32) {
        if r != 31 {
            self.pending.push((RegSlot::Gpr(r), v));
        }
    }
    fn set_x_or_sp(&mut self, r: Reg, v: u32) {
        self.pending.push((RegSlot::Gpr(r.min(31)), v));
    }
    fn vreg(&mut self, r: Reg) -> u32 {
        self.read_slot(RegSlot::Vec(r & 31))
    }
    fn set_vreg(&mut self, r: Reg, q: u32) {
        self.pending.push((RegSlot::Vec(r & 31), q));
    }

    fn add(&mut self, a: u32, b: u32) -> u32 {
        let sum = self.pure((Pure::Add, a, b as u64), |l| {
            l.v([I::LocalGet(a), I::LocalGet(b), I::I64Add])
        });
        // The offset's range from the constant or small operand, added to the other's own base and range (a
        // pointer stepped through a buffer stays based on the pointer it started from).
        let range = |l: &Self, x: u32| match (l.consts.get(&x), l.bounded.get(&x)) {
            (Some(&c), _) => Some((c as i64, c as i64)),
            (None, Some(&m)) => Some((0, m as i64)),
            _ => None,
        };
        if let Some(((lo, hi), base)) = range(self, b)
            .map(|r| (r, a))
            .or(range(self, a).map(|r| (r, b)))
        {
            let (base, blo, bhi) = self.based.get(&base).copied().unwrap_or((base, 0, 0));
            if let (Some(lo), Some(hi)) = (blo.checked_add(lo), bhi.checked_add(hi)) {
                self.based.insert(sum, (base, lo, hi));
            }
        }
        sum
    }
    fn sub(&mut self, a: u32, b: u32) -> u32 {
        self.v([I::LocalGet(a), I::LocalGet(b), I::I64Sub])
    }
    fn mul(&mut self, a: u32, b: u32) -> u32 {
        self.v([I::LocalGet(a), I::LocalGet(b), I::I64Mul])
    }
    fn umulh(&mut self, a: u32, b: u32) -> u32 {
        self.mul_high(a, b, I::I64MulWideU)
    }
    fn smulh(&mut self, a: u32, b: u32) -> u32 {
        self.mul_high(a, b, I::I64MulWideS)
    }
    fn udiv(&mut self, w: Width, a: u32, b: u32) -> u32 {
        self.div(w, false, a, b)
    }
    fn sdiv(&mut self, w: Width, a: u32, b: u32) -> u32 {
        self.div(w, true, a, b)
    }
    fn and(&mut self, a: u32, b: u32) -> u32 {
        let t = self.v([I::LocalGet(a), I::LocalGet(b), I::I64And]);
        let mask = |x| {
            self.consts
                .get(&x)
                .copied()
                .or(self.bounded.get(&x).copied())
        };
        if let Some(m) = [mask(a), mask(b)].into_iter().flatten().min() {
            self.bound(t, m);
        }
        t
    }
    fn or(&mut self, a: u32, b: u32) -> u32 {
        self.v([I::LocalGet(a), I::LocalGet(b), I::I64Or])
    }
    fn xor(&mut self, a: u32, b: u32) -> u32 {
        self.v([I::LocalGet(a), I::LocalGet(b), I::I64Xor])
    }
    fn not(&mut self, a: u32) -> u32 {
        let t = self.v([I::LocalGet(a), I::I64Const(-1), I::I64Xor]);
        self.not_of.insert(t, a);
        t
    }
    fn shl(&mut self, w: Width, a: u32, amount: u32) -> u32 {
        match w {
            Width::W64 => {
                let t = self.pure((Pure::Shl64, a, amount as u64), |l| {
                    l.v([I::LocalGet(a), I::LocalGet(amount), I::I64Shl])
                });
                if let (Some(&m), Some(&s)) = (self.bounded.get(&a), self.consts.get(&amount))
                    && s < 64
                {
                    self.bound(
                        t,
                        m.checked_shl(s as u32)
                            .filter(|&v| v >> s == m)
                            .unwrap_or(u64::MAX),
                    );
                }
                t
            }
            Width::W32 => self.op32(a, amount, I::I32Shl),
        }
    }
    fn lsr(&mut self, w: Width, a: u32, amount: u32) -> u32 {
        match w {
            Width::W64 => self.v([I::LocalGet(a), I::LocalGet(amount), I::I64ShrU]),
            Width::W32 => self.op32(a, amount, I::I32ShrU),
        }
    }
    fn asr(&mut self, w: Width, a: u32, amount: u32) -> u32 {
        match w {
            Width::W64 => self.v([I::LocalGet(a), I::LocalGet(amount), I::I64ShrS]),
            Width::W32 => self.op32(a, amount, I::I32ShrS),
        }
    }
    fn ror(&mut self, w: Width, a: u32, amount: u32) -> u32 {
        match w {
            Width::W64 => self.v([I::LocalGet(a), I::LocalGet(amount), I::I64Rotr]),
            Width::W32 => self.op32(a, amount, I::I32Rotr),
        }
    }
    fn clz(&mut self, w: Width, a: u32) -> u32 {
        match w {
            Width::W64 => self.v([I::LocalGet(a), I::I64Clz]),
            Width::W32 => self.v([I::LocalGet(a), I::I32WrapI64, I::I32Clz, I::I64ExtendI32U]),
        }
    }
    fn rbit(&mut self, w: Width, a: u32) -> u32 {
        let x = self.bswap(a);
        let x = self.swap_bits(x, 4, 0x0f0f_0f0f_0f0f_0f0f);
        let x = self.swap_bits(x, 2, 0x3333_3333_3333_3333);
        let x = self.swap_bits(x, 1, 0x5555_5555_5555_5555);
        match w {
            Width::W64 => x,
            Width::W32 => self.v([I::LocalGet(x), I::I64Const(32), I::I64ShrU]),
        }
    }
    fn bswap64(&mut self, a: u32) -> u32 {
        self.bswap(a)
    }
    fn popcount(&mut self, a: u32) -> u32 {
        self.v([I::LocalGet(a), I::I64Popcnt])
    }
    fn zext(&mut self, a: u32, bits: u32) -> u32 {
        if bits >= 64 {
            return a;
        }
        let mask = (1u64 << bits) - 1;
        let t = if bits == 32 {
            // A 32-bit move under Cranelift (an AND with 0xffff_ffff needs the mask from memory on x86).
            self.pure((Pure::Zext32, a, 0), |l| {
                l.v([I::LocalGet(a), I::I32WrapI64, I::I64ExtendI32U])
            })
        } else {
            self.v([I::LocalGet(a), I::I64Const(mask as i64), I::I64And])
        };
        self.bound(t, self.bounded.get(&a).map_or(mask, |&m| m.min(mask)));
        // The single in the low half of a value with a float view (scalar FP reads S registers this way).
        if bits == 32 {
            match self.fviews.any(a) {
                Some((view, false)) => self.fviews.insert(t, view, false),
                Some((fp::View::Lane(q, i), true)) => {
                    self.fviews.insert(t, fp::View::Lane(q, 2 * i), false)
                }
                _ => {}
            }
        }
        t
    }

    fn sext(&mut self, a: u32, bits: u32) -> u32 {
        match bits {
            64.. => a,
            32 => self.pure((Pure::Sext32, a, 0), |l| {
                l.v([I::LocalGet(a), I::I32WrapI64, I::I64ExtendI32S])
            }),
            _ => {
                let s = (64 - bits) as i64;
                self.v([
                    I::LocalGet(a),
                    I::I64Const(s),
                    I::I64Shl,
                    I::I64Const(s),
                    I::I64ShrS,
                ])
            }
        }
    }

    fn eq(&mut self, a: u32, b: u32) -> u32 {
        self.b([I::LocalGet(a), I::LocalGet(b), I::I64Eq])
    }
    fn ult(&mut self, a: u32, b: u32) -> u32 {
        self.b([I::LocalGet(a), I::LocalGet(b), I::I64LtU])
    }
    fn slt(&mut self, a: u32, b: u32) -> u32 {
        self.b([I::LocalGet(a), I::LocalGet(b), I::I64LtS])
    }
    fn b_not(&mut self, c: u32) -> u32 {
        self.b([I::LocalGet(c), I::I32Eqz])
    }
    fn b_and(&mut self, a: u32, b: u32) -> u32 {
        self.b([I::LocalGet(a), I::LocalGet(b), I::I32And])
    }
    fn b_or(&mut self, a: u32, b: u32) -> u32 {
        self.b([I::LocalGet(a), I::LocalGet(b), I::I32Or])
    }
    fn select(&mut self, c: u32, a: u32, b: u32) -> u32 {
        self.v([I::LocalGet(a), I::LocalGet(b), I::LocalGet(c), I::Select])
    }
    fn b_to_v(&mut self, c: u32) -> u32 {
        self.v([I::LocalGet(c), I::I64ExtendI32U])
    }

    fn nzcv(&mut self) -> u32 {
        self.reads_flags();
        self.nzcv_value()
    }
    fn set_nzcv(&mut self, v: u32) {
        if let Some((nzcv, x, y, double)) = self.fcmp.take()
            && nzcv == v
        {
            // FCMP's flags (only NZCV's bits set): conditions compare the floats ([`Lift::cond`]).
            self.pending_flags = Some(Flags {
                fcmp: Some((x, y, double)),
                ..Flags::new(FlagKind::Value, v, None)
            });
            return;
        }
        let m = self.v([I::LocalGet(v), I::I64Const(0xf000_0000), I::I64And]);
        self.pending_flags = Some(Flags::new(FlagKind::Value, m, None));
    }
    fn select_nzcv(&mut self, holds: u32, nzcv: u8) {
        match self.pending_flags {
            Some(f) if f.alt.is_none() => {
                self.pending_flags = Some(Flags {
                    alt: Some((holds, nzcv & 0xf)),
                    ..f
                });
            }
            _ => select_nzcv_now(self, holds, nzcv & 0xf),
        }
    }
    fn add_with_flags(&mut self, w: Width, a: u32, b: u32, carry_in: u32) -> u32 {
        // SUBS/CMP (`a + !b + 1`): the result is `a - b` and the flags stay lazy as (Sub, a, b).
        if self.consts.get(&carry_in) == Some(&1) {
            let orig = match (self.not_of.get(&b).copied(), self.consts.get(&b).copied()) {
                (Some(x), _) => Some(x),
                (None, Some(c)) => Some(self.imm(!c)),
                _ => None,
            };
            if let Some(orig) = orig {
                let r = self.sub(a, orig);
                let kind = match w {
                    Width::W64 => FlagKind::Sub64,
                    Width::W32 => FlagKind::Sub32,
                };
                self.pending_flags = Some(Flags::new(kind, a, Some(orig)));
                return self.zext(r, w.bits());
            }
        }
        let (res, c) = match w {
            Width::W64 => {
                let s1 = self.add(a, b);
                let res = self.add(s1, carry_in);
                // carry = (s1 < a) | (res < s1)
                let c = self.v([
                    I::LocalGet(s1),
                    I::LocalGet(a),
                    I::I64LtU,
                    I::LocalGet(res),
                    I::LocalGet(s1),
                    I::I64LtU,
                    I::I32Or,
                    I::I64ExtendI32U,
                ]);
                (res, c)
            }
            Width::W32 => {
                let lo = |x: u32| [I::LocalGet(x), I::I64Const(0xffff_ffff), I::I64And];
                let (a32, b32) = (self.v(lo(a)), self.v(lo(b)));
                let sum = self.v([
                    I::LocalGet(a32),
                    I::LocalGet(b32),
                    I::I64Add,
                    I::LocalGet(carry_in),
                    I::I64Add,
                ]);
                let res = self.v(lo(sum));
                let c = self.v([I::LocalGet(sum), I::I64Const(32), I::I64ShrU]);
                (res, c)
            }
        };
        let top = w.bits() as i64 - 1;
        // N<<31 | Z<<30 | C<<29 | V<<28, V = ((a ^ res) & (b ^ res)) >> top.
        let nzcv = self.v([
            I::LocalGet(res),
            I::I64Const(top),
            I::I64ShrU,
            I::I64Const(1),
            I::I64And,
            I::I64Const(31),
            I::I64Shl,
            I::LocalGet(res),
            I::I64Eqz,
            I::I64ExtendI32U,
            I::I64Const(30),
            I::I64Shl,
            I::I64Or,
            I::LocalGet(c),
            I::I64Const(29),
            I::I64Shl,
            I::I64Or,
            I::LocalGet(a),
            I::LocalGet(res),
            I::I64Xor,
            I::LocalGet(b),
            I::LocalGet(res),
            I::I64Xor,
            I::I64And,
            I::I64Const(top),
            I::I64ShrU,
            I::I64Const(1),
            I::I64And,
            I::I64Const(28),
            I::I64Shl,
            I::I64Or,
        ]);
        self.pending_flags = Some(Flags::new(FlagKind::Value, nzcv, None));
        res
    }
    fn set_logic_flags(&mut self, w: Width, result: u32) {
        let kind = match w {
            Width::W64 => FlagKind::Logic64,
            Width::W32 => FlagKind::Logic32,
        };
        self.pending_flags = Some(Flags::new(kind, result, None));
    }
    fn carry(&mut self) -> u32 {
        // C is condition CS: after SUBS/CMP a direct unsigned comparison (CMP + CSET HI + SBC, a C
        // comparator's idiom), after a logical operation 0 — NZCV materialised only where nothing is known.
        let c = self.cond(2);
        self.b_to_v(c)
    }
    fn cond(&mut self, cond: u8) -> u32 {
        self.reads_flags();
        if let Some((holds, n, computed)) = self.with_ccmp_comparison(|l| l.cond(cond)) {
            // After CCMP: the comparison's condition where CCMP's own held, else a constant.
            return if elfrun_interp::eval::cond_holds(u64::from(n) << 28, cond) {
                let failed = self.b_not(holds);
                self.b_or(failed, computed)
            } else {
                self.b_and(holds, computed)
            };
        }
        match self.pending_flags.or(self.known) {
            Some(
                f @ Flags {
                    kind: FlagKind::Sub64 | FlagKind::Sub32,
                    ..
                },
            ) => return self.cond_sub(cond, f),
            Some(
                f @ Flags {
                    kind: FlagKind::Logic64 | FlagKind::Logic32,
                    ..
                },
            ) => {
                return self.cond_logic(cond, f);
            }
            Some(Flags {
                fcmp: Some((x, y, double)),
                ..
            }) => {
                // After FCMP: one comparison of the floats (compare + branch fusion).
                let code = fp::fcmp_cond(cond, double, &[I::LocalGet(x)], &[I::LocalGet(y)]);
                return self.val(ValType::I32, code);
            }
            Some(_) => {}
            None => return self.cond_lazy(cond),
        }
        self.cond_nzcv(cond)
    }

    fn load(&mut self, addr: u32, size: u32) -> u32 {
        let m = memarg_at(0, self.address_at(addr, size));
        let op = match size {
            1 => I::I64Load8U(m),
            2 => I::I64Load16U(m),
            4 => I::I64Load32U(m),
            _ => I::I64Load(m),
        };
        let t = self.v([op]);
        if size < 8 {
            self.bound(t, (1 << (8 * size)) - 1);
        }
        t
    }
    fn store(&mut self, addr: u32, v: u32, size: u32) {
        let m = memarg_at(0, self.address_at(addr, size));
        let op = match size {
            1 => I::I64Store8(m),
            2 => I::I64Store16(m),
            4 => I::I64Store32(m),
            _ => I::I64Store(m),
        };
        self.cur.extend([I::LocalGet(v), op]);
    }
    fn load_q(&mut self, addr: u32) -> u32 {
        let m = memarg_at(0, self.address_at(addr, 16));
        self.q([I::V128Load(m)])
    }
    fn store_q(&mut self, addr: u32, q: u32) {
        let m = memarg_at(0, self.address_at(addr, 16));
        self.cur.extend([I::LocalGet(q), I::V128Store(m)]);
    }
    fn load_exclusive(&mut self, addr: u32, size: u32) -> u32 {
        if size > 8 {
            self.unsupported();
            return addr;
        }
        self.aligned(addr, size);
        let v = self.load(addr, size);
        let size_v = self.imm(size as u64);
        let zero = self.imm(0);
        self.state_store(excl_offset(Excl::Addr), addr);
        self.state_store(excl_offset(Excl::Size), size_v);
        self.state_store(excl_offset(Excl::Value), v);
        self.state_store(excl_offset(Excl::Value) + 8, zero);
        v
    }
    fn exclusive_high(&mut self) -> u32 {
        self.unsupported();
        self.imm(0)
    }
    fn store_exclusive(&mut self, addr: u32, lo: u32, _hi: u32, size: u32) -> u32 {
        if size > 8 {
            self.unsupported();
            return addr;
        }
        self.aligned(addr, size);
        let (m_addr, m_size) = (
            self.state_load(excl_offset(Excl::Addr)),
            self.state_load(excl_offset(Excl::Size)),
        );
        let expected = self.state_load(excl_offset(Excl::Value));
        let armed = self.b([
            I::LocalGet(m_addr),
            I::LocalGet(addr),
            I::I64Eq,
            I::LocalGet(m_size),
            I::I64Const(size as i64),
            I::I64Eq,
            I::I32And,
        ]);
        // Armed and outside memory: the interpreter raises the fault (before the monitor is touched).
        self.cur
            .extend([I::LocalGet(armed), I::If(BlockType::Empty)]);
        self.depth += 1;
        self.address(addr, size);
        self.depth -= 1;
        self.cur.extend([I::Drop, I::End]);
        self.clear_exclusive();
        // Armed: compare-and-swap against what the load-exclusive saw (the monitor is emulated by value, as in
        // the interpreter); 0 on success, 1 on failure. Not armed: 1, memory untouched.
        let t = self.temp(ValType::I64);
        self.cur.extend([
            I::LocalGet(armed),
            I::If(BlockType::Result(ValType::I64)),
            I::LocalGet(addr),
            I::I32WrapI64,
            I::LocalGet(expected),
            I::LocalGet(lo),
            rmw(RmwKind::Cmpxchg, size),
            I::LocalGet(expected),
            I::I64Ne,
            I::I64ExtendI32U,
            I::Else,
            I::I64Const(1),
            I::End,
            I::LocalSet(t),
        ]);
        t
    }
    fn clear_exclusive(&mut self) {
        let none = self.imm(u64::MAX);
        let zero = self.imm(0);
        self.state_store(excl_offset(Excl::Addr), none);
        self.state_store(excl_offset(Excl::Size), zero);
    }
    fn atomic_rmw(&mut self, op: AtomicOp, addr: u32, v: u32, size: u32) -> u32 {
        let (kind, operand) = match op {
            AtomicOp::Add => (RmwKind::Add, v),
            AtomicOp::Clr => (RmwKind::And, self.not(v)),
            AtomicOp::Eor => (RmwKind::Xor, v),
            AtomicOp::Set => (RmwKind::Or, v),
            AtomicOp::Swp => (RmwKind::Xchg, v),
            AtomicOp::Smax | AtomicOp::Smin | AtomicOp::Umax | AtomicOp::Umin => {
                self.unsupported();
                return addr;
            }
        };
        self.aligned(addr, size);
        self.address(addr, size);
        self.v([I::LocalGet(operand), rmw(kind, size)])
    }
    fn atomic_cas(&mut self, addr: u32, expected: u32, new: u32, size: u32) -> u32 {
        self.aligned(addr, size);
        self.address(addr, size);
        self.v([
            I::LocalGet(expected),
            I::LocalGet(new),
            rmw(RmwKind::Cmpxchg, size),
        ])
    }
    fn atomic_casp(&mut self, addr: u32, _e: (u32, u32), _n: (u32, u32), _size: u32) -> (u32, u32) {
        self.unsupported();
        (addr, addr)
    }
    fn barrier(&mut self) {
        self.cur
            .push(I::AtomicFence(wasm_encoder::Ordering::SeqCst));
    }
    fn cache_op(&mut self, op: CacheOp, addr: u32) {
        match op {
            CacheOp::DcZva => {
                let line = cpu_model::DC_ZVA_BYTES;
                let start = self.v([
                    I::LocalGet(addr),
                    I::I64Const(!(line as i64 - 1)),
                    I::I64And,
                ]);
                self.address(start, line as u32);
                self.cur
                    .extend([I::I32Const(0), I::I32Const(line as i32), I::MemoryFill(0)]);
            }
            CacheOp::DcClean => {
                self.address(addr, 1);
                self.cur.push(I::Drop);
            }
            // The interpreter reports the invalidation to the runtime, which drops translated code.
            CacheOp::IcIvau => self.unsupported(),
        }
    }

    fn branch(&mut self, target: u64, kind: BranchKind) {
        self.commit();
        if kind == BranchKind::Return || !self.call_function(target, kind == BranchKind::Call) {
            self.goto(target);
        }
        self.ended = true;
    }
    fn branch_if(&mut self, c: u32, target: u64) {
        self.commit();
        self.cur.extend([I::LocalGet(c), I::If(BlockType::Empty)]);
        self.depth += 1;
        self.goto(target);
        self.depth -= 1;
        self.cur.push(I::End);
    }
    fn branch_indirect(&mut self, target: u32, kind: BranchKind) {
        self.commit();
        self.branch_to(target, kind == BranchKind::Call);
        self.ended = true;
    }
    fn svc(&mut self, _imm: u16) {
        self.commit();
        self.exit(Status::Syscall, self.pc + 4);
        self.ended = true;
    }
    fn brk(&mut self, _imm: u16) {
        self.unsupported();
    }
    fn undefined(&mut self) {
        self.unsupported();
    }
    fn read_sysreg(&mut self, r: SysReg) -> u32 {
        match r {
            SysReg::Nzcv => self.nzcv(),
            SysReg::Fpcr => self.state_load(offsets::FPCR),
            SysReg::Fpsr => self.state_load(offsets::FPSR),
            SysReg::TpidrEl0 => self.state_load(offsets::TPIDR_EL0),
            SysReg::CntvctEl0 | SysReg::CntpctEl0 => {
                self.unsupported();
                self.imm(0)
            }
            other => self.imm(cpu_model::read_const_sysreg(other)),
        }
    }
    fn write_sysreg(&mut self, r: SysReg, v: u32) {
        let masked = |s: &mut Self, m: u64| s.v([I::LocalGet(v), I::I64Const(m as i64), I::I64And]);
        match r {
            SysReg::Nzcv => self.set_nzcv(v),
            SysReg::Fpcr | SysReg::Fpsr => {
                let (offset, writable) = if r == SysReg::Fpcr {
                    (offsets::FPCR, cpu_model::FPCR_WRITABLE)
                } else {
                    (offsets::FPSR, cpu_model::FPSR_WRITABLE)
                };
                let m = masked(self, writable);
                self.state_store(offset, m);
                let (fpcr, fpsr) = super::fp::fpscr_addrs(STATE_ADDR);
                self.cur
                    .extend(super::fp::fast_mode(fpcr, fpsr, super::L_FPFAST));
            }
            SysReg::TpidrEl0 => self.state_store(offsets::TPIDR_EL0, v),
            _ => {}
        }
    }

    fn q_from(&mut self, lo: u32, hi: u32) -> u32 {
        // A scalar float written to a V register (the rest zero) from its float view: one insert into a
        // zeroed vector, without the value's trip through a general-purpose register.
        let q = match (self.fviews.any(lo), self.consts.get(&hi)) {
            (Some((view, double)), Some(&0)) => {
                let mut code = vec![I::V128Const(0)];
                code.extend(fp::view_value(view, double));
                code.push(if double {
                    I::F64x2ReplaceLane(0)
                } else {
                    I::F32x4ReplaceLane(0)
                });
                self.val(ValType::V128, code)
            }
            _ => self.q([
                I::LocalGet(lo),
                I::I64x2Splat,
                I::LocalGet(hi),
                I::I64x2ReplaceLane(1),
            ]),
        };
        self.qparts.insert(q, (lo, hi));
        q
    }
    fn q_lo(&mut self, q: u32) -> u32 {
        if let Some(&(lo, _)) = self.qparts.get(&q) {
            return lo;
        }
        let lo = self.v([I::LocalGet(q), I::I64x2ExtractLane(0)]);
        self.fviews.insert(lo, fp::View::Lane(q, 0), true);
        lo
    }
    fn q_hi(&mut self, q: u32) -> u32 {
        if let Some(&(_, hi)) = self.qparts.get(&q) {
            return hi;
        }
        let hi = self.v([I::LocalGet(q), I::I64x2ExtractLane(1)]);
        self.fviews.insert(hi, fp::View::Lane(q, 1), true);
        hi
    }
    fn q_lane(&mut self, q: u32, esize: u32, idx: u32) -> u32 {
        if esize == 64 && idx < 2 {
            return if idx == 0 { self.q_lo(q) } else { self.q_hi(q) };
        }
        let i = idx as u8;
        match esize {
            8 => self.v([I::LocalGet(q), I::I8x16ExtractLaneU(i), I::I64ExtendI32U]),
            16 => self.v([I::LocalGet(q), I::I16x8ExtractLaneU(i), I::I64ExtendI32U]),
            32 => {
                let t = self.v([I::LocalGet(q), I::I32x4ExtractLane(i), I::I64ExtendI32U]);
                self.fviews.insert(t, fp::View::Lane(q, i), false);
                t
            }
            64 => self.v([I::LocalGet(q), I::I64x2ExtractLane(i)]),
            _ => {
                self.unsupported();
                self.imm(0)
            }
        }
    }
    fn q_with_lane(&mut self, q: u32, esize: u32, idx: u32, v: u32) -> u32 {
        let i = idx as u8;
        let w = self.w32(v);
        match esize {
            8 => self.q([
                I::LocalGet(q),
                w[0].clone(),
                w[1].clone(),
                I::I8x16ReplaceLane(i),
            ]),
            16 => self.q([
                I::LocalGet(q),
                w[0].clone(),
                w[1].clone(),
                I::I16x8ReplaceLane(i),
            ]),
            32 => self.q([
                I::LocalGet(q),
                w[0].clone(),
                w[1].clone(),
                I::I32x4ReplaceLane(i),
            ]),
            64 => self.q([I::LocalGet(q), I::LocalGet(v), I::I64x2ReplaceLane(i)]),
            _ => {
                self.unsupported();
                q
            }
        }
    }
    fn q_and(&mut self, a: u32, b: u32) -> u32 {
        self.qop(a, b, Some(I::V128And))
    }
    fn q_or(&mut self, a: u32, b: u32) -> u32 {
        self.qop(a, b, Some(I::V128Or))
    }
    fn q_xor(&mut self, a: u32, b: u32) -> u32 {
        self.qop(a, b, Some(I::V128Xor))
    }
    fn q_not(&mut self, a: u32) -> u32 {
        self.q([I::LocalGet(a), I::V128Not])
    }
    fn q_add(&mut self, esize: u32, a: u32, b: u32) -> u32 {
        let op = by_esize(esize, [I::I8x16Add, I::I16x8Add, I::I32x4Add, I::I64x2Add]);
        self.qop(a, b, op)
    }
    fn q_sub(&mut self, esize: u32, a: u32, b: u32) -> u32 {
        let op = by_esize(esize, [I::I8x16Sub, I::I16x8Sub, I::I32x4Sub, I::I64x2Sub]);
        self.qop(a, b, op)
    }
    fn q_cmeq(&mut self, esize: u32, a: u32, b: u32) -> u32 {
        let op = by_esize(esize, [I::I8x16Eq, I::I16x8Eq, I::I32x4Eq, I::I64x2Eq]);
        self.qop(a, b, op)
    }
    fn q_tbl(&mut self, tbl: &[u32], idx: u32, fallback: u32) -> u32 {
        // One-register TBL is Wasm's swizzle (out-of-range indices give zero); TBX merges the fallback bytes.
        if tbl.len() != 1 {
            self.unsupported();
            return idx;
        }
        let looked = self.q([I::LocalGet(tbl[0]), I::LocalGet(idx), I::I8x16Swizzle]);
        let in_range = self.q([
            I::LocalGet(idx),
            I::V128Const(0x10101010_10101010_10101010_10101010),
            I::I8x16LtU,
        ]);
        self.q([
            I::LocalGet(looked),
            I::LocalGet(fallback),
            I::LocalGet(in_range),
            I::V128Bitselect,
        ])
    }

    fn fp_binop(&mut self, op: FpBinOp, ty: FpTy, a: u32, b: u32) -> u32 {
        let call = FpCall::Binop(op, ty);
        if let Some(r) = FastOp::of_binop(op).and_then(|f| self.fp_fast(f, call, ty, [a, b, b])) {
            return r;
        }
        let quiet = match op {
            FpBinOp::Max | FpBinOp::MaxNum => Some(QuietOp::Max),
            FpBinOp::Min | FpBinOp::MinNum => Some(QuietOp::Min),
            _ => None,
        };
        if let Some(r) = quiet.and_then(|q| self.fp_quiet(q, call, ty, a, b)) {
            return r;
        }
        self.fp(call, a, Some(b), None)
    }
    fn fp_muladd(&mut self, ty: FpTy, a: u32, b: u32, c: u32) -> u32 {
        let call = FpCall::MulAdd(ty);
        if let Some(r) = self.fp_fast(FastOp::MulAdd, call, ty, [a, b, c]) {
            return r;
        }
        self.fp(call, a, Some(b), Some(c))
    }
    fn fp_unop(&mut self, op: FpUnOp, ty: FpTy, a: u32) -> u32 {
        let call = FpCall::Unop(op, ty);
        if op == FpUnOp::Sqrt
            && let Some(r) = self.fp_fast(FastOp::Sqrt, call, ty, [a, a, a])
        {
            return r;
        }
        self.fp(call, a, None, None)
    }
    fn fp_compare(&mut self, ty: FpTy, a: u32, b: u32, signal_all: bool) -> u32 {
        let call = FpCall::Compare { ty, signal_all };
        if let Some((nzcv, x, y)) = self.fp_compare_floats(call, ty, a, b) {
            // For `set_nzcv`, which follows: conditions on these flags compare the floats.
            self.fcmp = Some((nzcv, x, y, ty == FpTy::D));
            return nzcv;
        }
        self.fp(call, a, Some(b), None)
    }
    fn fp_compare_mask(&mut self, cmp: FpCmp, ty: FpTy, a: u32, b: u32) -> u32 {
        let call = FpCall::CompareMask(cmp, ty);
        if let Some(r) = self.fp_quiet(QuietOp::Mask(cmp), call, ty, a, b) {
            return r;
        }
        self.fp(call, a, Some(b), None)
    }
    fn fp_convert(&mut self, from: FpTy, to: FpTy, a: u32) -> u32 {
        self.conversion(FpCall::Convert { from, to }, a)
    }
    fn fp_to_int(
        &mut self,
        ty: FpTy,
        a: u32,
        w: Width,
        signed: bool,
        fbits: u32,
        rounding: Rounding,
    ) -> u32 {
        let call = FpCall::ToInt {
            ty,
            w,
            signed,
            fbits,
            rounding,
        };
        self.conversion(call, a)
    }
    fn int_to_fp(&mut self, ty: FpTy, a: u32, w: Width, signed: bool, fbits: u32) -> u32 {
        let call = FpCall::FromInt {
            ty,
            w,
            signed,
            fbits,
        };
        self.conversion(call, a)
    }
    fn fp_compare_if(
        &mut self,
        c: u32,
        ty: FpTy,
        a: u32,
        b: u32,
        signal_all: bool,
        otherwise: u32,
    ) -> u32 {
        // The comparison (and any flag it raises) only when `c` holds.
        let t = self.temp(ValType::I64);
        self.cur.extend([I::LocalGet(c), I::If(BlockType::Empty)]);
        let r = self.fp_compare(ty, a, b, signal_all);
        self.cur.extend([
            I::LocalGet(r),
            I::LocalSet(t),
            I::Else,
            I::LocalGet(otherwise),
            I::LocalSet(t),
            I::End,
        ]);
        t
    }

    fn crc32(&mut self, _castagnoli: bool, acc: u32, _data: u32, _size: u32) -> u32 {
        self.unsupported();
        acc
    }
    fn aes_sub_shift(&mut self, q: u32, _inverse: bool) -> u32 {
        self.unsupported();
        q
    }
    fn aes_mix_columns(&mut self, q: u32, _inverse: bool) -> u32 {
        self.unsupported();
        q
    }

    fn q_mul(&mut self, esize: u32, a: u32, b: u32) -> u32 {
        let op = match esize {
            16 => Some(I::I16x8Mul),
            32 => Some(I::I32x4Mul),
            64 => Some(I::I64x2Mul),
            _ => None,
        };
        self.qop(a, b, op)
    }
    fn q_minmax(&mut self, esize: u32, signed: bool, max: bool, a: u32, b: u32) -> u32 {
        let op = match (esize, signed, max) {
            (8, true, true) => Some(I::I8x16MaxS),
            (8, true, false) => Some(I::I8x16MinS),
            (8, false, true) => Some(I::I8x16MaxU),
            (8, false, false) => Some(I::I8x16MinU),
            (16, true, true) => Some(I::I16x8MaxS),
            (16, true, false) => Some(I::I16x8MinS),
            (16, false, true) => Some(I::I16x8MaxU),
            (16, false, false) => Some(I::I16x8MinU),
            (32, true, true) => Some(I::I32x4MaxS),
            (32, true, false) => Some(I::I32x4MinS),
            (32, false, true) => Some(I::I32x4MaxU),
            (32, false, false) => Some(I::I32x4MinU),
            _ => None,
        };
        self.qop(a, b, op)
    }
    fn q_cmgt(&mut self, esize: u32, signed: bool, a: u32, b: u32) -> u32 {
        let op = match (esize, signed) {
            (8, true) => Some(I::I8x16GtS),
            (8, false) => Some(I::I8x16GtU),
            (16, true) => Some(I::I16x8GtS),
            (16, false) => Some(I::I16x8GtU),
            (32, true) => Some(I::I32x4GtS),
            (32, false) => Some(I::I32x4GtU),
            (64, true) => Some(I::I64x2GtS),
            _ => None,
        };
        self.qop(a, b, op)
    }
    fn q_shl_imm(&mut self, esize: u32, a: u32, amount: u32) -> u32 {
        if amount >= esize {
            return self.q([I::V128Const(0)]);
        }
        match by_esize(esize, [I::I8x16Shl, I::I16x8Shl, I::I32x4Shl, I::I64x2Shl]) {
            Some(op) => self.q([I::LocalGet(a), I::I32Const(amount as i32), op]),
            None => {
                self.unsupported();
                a
            }
        }
    }
    fn q_shr_imm(&mut self, esize: u32, signed: bool, a: u32, amount: u32) -> u32 {
        if !signed && amount >= esize {
            return self.q([I::V128Const(0)]);
        }
        let amount = amount.min(esize - 1);
        let op = if signed {
            by_esize(
                esize,
                [I::I8x16ShrS, I::I16x8ShrS, I::I32x4ShrS, I::I64x2ShrS],
            )
        } else {
            by_esize(
                esize,
                [I::I8x16ShrU, I::I16x8ShrU, I::I32x4ShrU, I::I64x2ShrU],
            )
        };
        match op {
            Some(op) => self.q([I::LocalGet(a), I::I32Const(amount as i32), op]),
            None => {
                self.unsupported();
                a
            }
        }
    }
    fn q_shuffle(&mut self, a: u32, b: u32, idx: [u8; 16]) -> u32 {
        self.q([
            I::LocalGet(a),
            I::LocalGet(b),
            I::I8x16Shuffle(idx.map(|i| i & 31)),
        ])
    }
}

/// The exclusive monitor's fields in the state.
enum Excl {
    Addr,
    Size,
    Value,
}

fn excl_offset(f: Excl) -> usize {
    match f {
        Excl::Addr => core::mem::offset_of!(elfrun_interp::CpuState, excl_addr),
        Excl::Size => core::mem::offset_of!(elfrun_interp::CpuState, excl_size),
        Excl::Value => core::mem::offset_of!(elfrun_interp::CpuState, excl_value),
    }
}

#[derive(Clone, Copy)]
enum RmwKind {
    Add,
    And,
    Or,
    Xor,
    Xchg,
    Cmpxchg,
}

/// The Wasm atomic read-modify-write of `size` bytes (natural alignment, zero-extending the old value).
fn rmw(kind: RmwKind, size: u32) -> I<'static> {
    let m = memarg(size.trailing_zeros());
    use RmwKind::*;
    match (kind, size) {
        (Add, 1) => I::I64AtomicRmw8AddU(m),
        (Add, 2) => I::I64AtomicRmw16AddU(m),
        (Add, 4) => I::I64AtomicRmw32AddU(m),
        (Add, _) => I::I64AtomicRmwAdd(m),
        (And, 1) => I::I64AtomicRmw8AndU(m),
        (And, 2) => I::I64AtomicRmw16AndU(m),
        (And, 4) => I::I64AtomicRmw32AndU(m),
        (And, _) => I::I64AtomicRmwAnd(m),
        (Or, 1) => I::I64AtomicRmw8OrU(m),
        (Or, 2) => I::I64AtomicRmw16OrU(m),
        (Or, 4) => I::I64AtomicRmw32OrU(m),
        (Or, _) => I::I64AtomicRmwOr(m),
        (Xor, 1) => I::I64AtomicRmw8XorU(m),
        (Xor, 2) => I::I64AtomicRmw16XorU(m),
        (Xor, 4) => I::I64AtomicRmw32XorU(m),
        (Xor, _) => I::I64AtomicRmwXor(m),
        (Xchg, 1) => I::I64AtomicRmw8XchgU(m),
        (Xchg, 2) => I::I64AtomicRmw16XchgU(m),
        (Xchg, 4) => I::I64AtomicRmw32XchgU(m),
        (Xchg, _) => I::I64AtomicRmwXchg(m),
        (Cmpxchg, 1) => I::I64AtomicRmw8CmpxchgU(m),
        (Cmpxchg, 2) => I::I64AtomicRmw16CmpxchgU(m),
        (Cmpxchg, 4) => I::I64AtomicRmw32CmpxchgU(m),
        (Cmpxchg, _) => I::I64AtomicRmwCmpxchg(m),
    }
}
