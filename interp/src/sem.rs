//! The `Sem` trait: the primitives in which every instruction's semantics are written, once.
//!
//! Decode-time facts (register numbers, sizes, immediates, the pc of the instruction) are plain Rust values.
//! Guest run-time values are opaque: [`Sem::V`] (64-bit), [`Sem::Q`] (128-bit) and [`Sem::B`] (a condition).
//! Semantics cannot inspect them, so they cannot branch on run-time data except through [`Sem::select`],
//! [`Sem::branch_if`] and friends. `Eval` implements the trait by computing (`V = u64`); the AOT tier's `Lift`
//! implements it by emitting Wasm. Any difference between the tiers can only live in these primitives, which is
//! why they are few, small and tested on edge values.
//!
//! Conventions:
//! - Integer primitives work on 64 bits and wrap. 32-bit instructions compute on 64 bits and narrow with
//!   [`Sem::zext`]/[`Sem::sext`]; where the 32-bit result is not the low half of the 64-bit one (shifts, rotates,
//!   division, flags, bit counts) the primitive takes a [`Width`].
//! - Shift and rotate amounts are taken modulo the width, as A64's variable shifts do.
//! - Memory primitives take a guest virtual address and a size in bytes; loads zero-extend.
//! - Floating-point primitives take the bits of an IEEE value of type [`FpTy`] in the low bits of a `V` (zero
//!   above), obey FPCR (rounding mode, FZ, DN, AHP) and accumulate FPSR's cumulative flags, exactly as the
//!   ARM ARM's `FPAdd`, `FPMulAdd`… pseudocode does.

/// Register number 0..=31. Whether 31 means XZR or SP is chosen by the accessor used.
pub type Reg = u8;

/// Operand width of an integer instruction (the `sf` bit).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Width {
    W32,
    W64,
}

impl Width {
    pub const fn from_sf(sf: bool) -> Width {
        if sf { Width::W64 } else { Width::W32 }
    }
    pub const fn bits(self) -> u32 {
        match self {
            Width::W32 => 32,
            Width::W64 => 64,
        }
    }
}

/// Floating-point format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FpTy {
    H,
    S,
    D,
}

impl FpTy {
    pub const fn bits(self) -> u32 {
        match self {
            FpTy::H => 16,
            FpTy::S => 32,
            FpTy::D => 64,
        }
    }
}

/// Two-operand floating-point operations ([`Sem::fp_binop`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FpBinOp {
    Add,
    Sub,
    Mul,
    Div,
    Max,
    Min,
    MaxNum,
    MinNum,
    /// FMULX: like Mul, but 0 × ∞ = ±2.
    MulX,
    /// FRECPS: 2 − a·b, fused.
    RecipStep,
    /// FRSQRTS: (3 − a·b) / 2, fused.
    RSqrtStep,
    /// FABD: |a − b|.
    AbsDiff,
}

/// One-operand floating-point operations ([`Sem::fp_unop`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FpUnOp {
    Sqrt,
    /// FRINT* with the given rounding; `exact` (FRINTX) raises Inexact when the value changes.
    RoundInt {
        rounding: Rounding,
        exact: bool,
    },
    /// FRECPE: reciprocal estimate.
    RecipEstimate,
    /// FRSQRTE: reciprocal square-root estimate.
    RSqrtEstimate,
    /// FRECPX: reciprocal exponent.
    RecipExponent,
}

/// Rounding mode of an operation: one of the IEEE modes, or whatever FPCR.RMode says.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Rounding {
    /// FPCR.RMode.
    Fpcr,
    TiesEven,
    TiesAway,
    PosInf,
    NegInf,
    Zero,
}

/// Which register or system instruction an MRS/MSR/SYS names (user-visible subset).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SysReg {
    Nzcv,
    Fpcr,
    Fpsr,
    TpidrEl0,
    TpidrroEl0,
    CtrEl0,
    DczidEl0,
    MidrEl1,
    MpidrEl1,
    RevidrEl1,
    CntfrqEl0,
    CntvctEl0,
    CntpctEl0,
    /// An ID register read as all-zero except the fields elfrun advertises (`ID_AA64*`); carries the raw
    /// (op0, op1, CRn, CRm, op2) encoding packed as in MRS bits 20..5.
    Id(u16),
    /// Read-as-zero / write-ignored register elfrun accepts without meaning (e.g. `DIT`, `SSBS`).
    Raz(u16),
}

/// Kind of a control transfer, for profiles and for the lifter's call/return handling.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BranchKind {
    /// B, B.cond, CBZ, TBZ, BR: a jump.
    Jump,
    /// BL, BLR: a call; the return address is `pc + 4` (already written to X30 by the semantics).
    Call,
    /// RET.
    Return,
}

/// Read-modify-write operation of an LSE atomic ([`Sem::atomic_rmw`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AtomicOp {
    Add,
    Clr,
    Eor,
    Set,
    Smax,
    Smin,
    Umax,
    Umin,
    Swp,
}

/// Cache and barrier operations that matter to an emulator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CacheOp {
    /// `dc zva`: zero the block of `DCZID_EL0` size containing the address.
    DcZva,
    /// `ic ivau`: code at the address may have changed; translated code for it must go.
    IcIvau,
    /// `dc cvau`/`civac`/…: no effect on a coherent emulator beyond checking the address.
    DcClean,
}

/// The primitives of A64 semantics. See the module documentation for the conventions.
pub trait Sem {
    /// A 64-bit guest value.
    type V: Copy;
    /// A 128-bit guest value (a SIMD&FP register).
    type Q: Copy;
    /// A guest condition.
    type B: Copy;

    // ---- instruction context -------------------------------------------------------------------------------

    /// Address of the instruction being executed (a decode-time constant).
    fn pc(&self) -> u64;

    // ---- constants and registers -----------------------------------------------------------------------------

    fn imm(&mut self, v: u64) -> Self::V;
    /// X\[r\], with r = 31 reading as zero (XZR).
    fn x(&mut self, r: Reg) -> Self::V;
    /// X\[r\], with r = 31 reading SP.
    fn x_or_sp(&mut self, r: Reg) -> Self::V;
    /// Writes X\[r\]; r = 31 discards (XZR).
    fn set_x(&mut self, r: Reg, v: Self::V);
    /// Writes X\[r\]; r = 31 writes SP.
    fn set_x_or_sp(&mut self, r: Reg, v: Self::V);
    /// V\[r\], all 128 bits.
    fn vreg(&mut self, r: Reg) -> Self::Q;
    fn set_vreg(&mut self, r: Reg, q: Self::Q);

    // ---- integer arithmetic and logic (64-bit, wrapping) -----------------------------------------------------

    fn add(&mut self, a: Self::V, b: Self::V) -> Self::V;
    fn sub(&mut self, a: Self::V, b: Self::V) -> Self::V;
    fn mul(&mut self, a: Self::V, b: Self::V) -> Self::V;
    /// High 64 bits of the unsigned 128-bit product.
    fn umulh(&mut self, a: Self::V, b: Self::V) -> Self::V;
    /// High 64 bits of the signed 128-bit product.
    fn smulh(&mut self, a: Self::V, b: Self::V) -> Self::V;
    /// Unsigned division at `w`; division by zero gives 0.
    fn udiv(&mut self, w: Width, a: Self::V, b: Self::V) -> Self::V;
    /// Signed division at `w`, rounding to zero; by zero gives 0, MIN / -1 gives MIN (result zero-extended).
    fn sdiv(&mut self, w: Width, a: Self::V, b: Self::V) -> Self::V;
    fn and(&mut self, a: Self::V, b: Self::V) -> Self::V;
    fn or(&mut self, a: Self::V, b: Self::V) -> Self::V;
    fn xor(&mut self, a: Self::V, b: Self::V) -> Self::V;
    fn not(&mut self, a: Self::V) -> Self::V;
    /// Left shift at `w` by `amount mod w.bits()`; the 32-bit result is zero-extended.
    fn shl(&mut self, w: Width, a: Self::V, amount: Self::V) -> Self::V;
    /// Logical right shift at `w` (the operand is first truncated to `w`).
    fn lsr(&mut self, w: Width, a: Self::V, amount: Self::V) -> Self::V;
    /// Arithmetic right shift at `w`; the 32-bit result is zero-extended.
    fn asr(&mut self, w: Width, a: Self::V, amount: Self::V) -> Self::V;
    /// Rotate right at `w`.
    fn ror(&mut self, w: Width, a: Self::V, amount: Self::V) -> Self::V;
    /// Count leading zeros at `w`.
    fn clz(&mut self, w: Width, a: Self::V) -> Self::V;
    /// Reverse the bit order of the low `w` bits.
    fn rbit(&mut self, w: Width, a: Self::V) -> Self::V;
    /// Reverse the byte order of the 64-bit value.
    fn bswap64(&mut self, a: Self::V) -> Self::V;
    /// Number of set bits.
    fn popcount(&mut self, a: Self::V) -> Self::V;
    /// Zero-extend from the low `bits` bits (1..=64).
    fn zext(&mut self, a: Self::V, bits: u32) -> Self::V;
    /// Sign-extend from the low `bits` bits (1..=64).
    fn sext(&mut self, a: Self::V, bits: u32) -> Self::V;

    // ---- conditions ----------------------------------------------------------------------------------------

    fn eq(&mut self, a: Self::V, b: Self::V) -> Self::B;
    fn ult(&mut self, a: Self::V, b: Self::V) -> Self::B;
    fn slt(&mut self, a: Self::V, b: Self::V) -> Self::B;
    fn b_not(&mut self, c: Self::B) -> Self::B;
    fn b_and(&mut self, a: Self::B, b: Self::B) -> Self::B;
    fn b_or(&mut self, a: Self::B, b: Self::B) -> Self::B;
    /// `if c { a } else { b }`.
    fn select(&mut self, c: Self::B, a: Self::V, b: Self::V) -> Self::V;
    /// 1 or 0.
    fn b_to_v(&mut self, c: Self::B) -> Self::V;

    // ---- flags -----------------------------------------------------------------------------------------------

    /// NZCV in PSTATE layout (bits 31..28), other bits zero.
    fn nzcv(&mut self) -> Self::V;
    fn set_nzcv(&mut self, v: Self::V);
    /// `a + b + carry_in` at `w` (`carry_in` is 0 or 1); sets NZCV like ADDS/ADCS and returns the result
    /// (zero-extended). SUBS is `add_with_flags(a, !b, 1)`.
    fn add_with_flags(&mut self, w: Width, a: Self::V, b: Self::V, carry_in: Self::V) -> Self::V;
    /// Sets N and Z from `result` at `w`, C = V = 0 (ANDS, BICS, TST).
    fn set_logic_flags(&mut self, w: Width, result: Self::V);
    /// The C flag as 0 or 1.
    fn carry(&mut self) -> Self::V;
    /// `ConditionHolds(cond)` for a 4-bit condition code.
    fn cond(&mut self, cond: u8) -> Self::B;
    /// CCMP/CCMN's last step: NZCV stays as the instruction's comparison set it if `holds`, else becomes the
    /// immediate `nzcv` (4 bits). An implementation may keep the choice lazy (the lifter does: the branch that
    /// usually follows tests the comparison or a constant).
    #[inline(always)]
    fn select_nzcv(&mut self, holds: Self::B, nzcv: u8) {
        select_nzcv_now(self, holds, nzcv)
    }

    // ---- memory ----------------------------------------------------------------------------------------------

    /// Loads `size` (1, 2, 4, 8) bytes, zero-extended.
    fn load(&mut self, addr: Self::V, size: u32) -> Self::V;
    /// Stores the low `size` (1, 2, 4, 8) bytes of `v`.
    fn store(&mut self, addr: Self::V, v: Self::V, size: u32);
    /// Loads 16 bytes.
    fn load_q(&mut self, addr: Self::V) -> Self::Q;
    fn store_q(&mut self, addr: Self::V, q: Self::Q);
    /// Load-exclusive of `size` (1, 2, 4, 8, 16 for a pair of 8) bytes, zero-extended: arms the monitor. The
    /// address must be aligned to `size` (else alignment fault). For `size == 16` the result is the low half
    /// and the high half is read with [`Sem::exclusive_high`].
    fn load_exclusive(&mut self, addr: Self::V, size: u32) -> Self::V;
    /// High 64 bits of the last 16-byte load-exclusive.
    fn exclusive_high(&mut self) -> Self::V;
    /// Store-exclusive: stores `lo` (and `hi` when `size == 16`) if the monitor is armed for `addr`/`size`
    /// and memory still holds what was loaded; returns 0 on success, 1 on failure. Always disarms.
    fn store_exclusive(&mut self, addr: Self::V, lo: Self::V, hi: Self::V, size: u32) -> Self::V;
    /// CLREX.
    fn clear_exclusive(&mut self);
    /// LSE read-modify-write: returns the old value (zero-extended), stores `op(old, v)`. Aligned to `size`.
    fn atomic_rmw(&mut self, op: AtomicOp, addr: Self::V, v: Self::V, size: u32) -> Self::V;
    /// CAS: if memory == `expected` (at `size`) store `new`; returns the old value.
    fn atomic_cas(&mut self, addr: Self::V, expected: Self::V, new: Self::V, size: u32) -> Self::V;
    /// CASP: 128-bit compare-and-swap of a pair of `size`-byte halves; returns (old_lo, old_hi).
    fn atomic_casp(
        &mut self,
        addr: Self::V,
        expected: (Self::V, Self::V),
        new: (Self::V, Self::V),
        size: u32,
    ) -> (Self::V, Self::V);
    /// Memory barrier / acquire-release ordering point.
    fn barrier(&mut self);
    fn cache_op(&mut self, op: CacheOp, addr: Self::V);

    // ---- control flow and exceptions -------------------------------------------------------------------------

    /// Continue at `target` (a decode-time constant).
    fn branch(&mut self, target: u64, kind: BranchKind);
    /// Continue at `target` if `c`, else at the next instruction.
    fn branch_if(&mut self, c: Self::B, target: u64);
    /// Continue at a run-time address.
    fn branch_indirect(&mut self, target: Self::V, kind: BranchKind);
    /// SVC #imm: a system call.
    fn svc(&mut self, imm: u16);
    /// BRK #imm (SIGTRAP).
    fn brk(&mut self, imm: u16);
    /// The instruction is undefined or not supported: SIGILL at this pc.
    fn undefined(&mut self);
    fn read_sysreg(&mut self, r: SysReg) -> Self::V;
    fn write_sysreg(&mut self, r: SysReg, v: Self::V);
    /// Whether the instruction may be skipped as a hint (YIELD, WFE, …) is decided at decode time; this is for
    /// hints with an effect on an emulator: none today, kept for profiles (`isb`).
    fn sync(&mut self) {}

    // ---- 128-bit values --------------------------------------------------------------------------------------

    fn q_from(&mut self, lo: Self::V, hi: Self::V) -> Self::Q;
    fn q_lo(&mut self, q: Self::Q) -> Self::V;
    fn q_hi(&mut self, q: Self::Q) -> Self::V;
    /// Lane `idx` of `esize` bits (8, 16, 32, 64), zero-extended.
    fn q_lane(&mut self, q: Self::Q, esize: u32, idx: u32) -> Self::V;
    /// `q` with lane `idx` of `esize` bits replaced by the low bits of `v`.
    fn q_with_lane(&mut self, q: Self::Q, esize: u32, idx: u32, v: Self::V) -> Self::Q;
    fn q_and(&mut self, a: Self::Q, b: Self::Q) -> Self::Q;
    fn q_or(&mut self, a: Self::Q, b: Self::Q) -> Self::Q;
    fn q_xor(&mut self, a: Self::Q, b: Self::Q) -> Self::Q;
    fn q_not(&mut self, a: Self::Q) -> Self::Q;
    /// Lane-wise wrapping add of `esize`-bit lanes.
    fn q_add(&mut self, esize: u32, a: Self::Q, b: Self::Q) -> Self::Q;
    /// Lane-wise wrapping subtract of `esize`-bit lanes.
    fn q_sub(&mut self, esize: u32, a: Self::Q, b: Self::Q) -> Self::Q;
    /// Lane-wise equality: all-ones lanes where equal.
    fn q_cmeq(&mut self, esize: u32, a: Self::Q, b: Self::Q) -> Self::Q;
    /// Byte table lookup: for each byte index `i` of `idx`, the byte of the `nregs`×16-byte table `tbl` or, when
    /// out of range, the byte of `fallback` (TBX) — TBL passes zero.
    fn q_tbl(&mut self, tbl: &[Self::Q], idx: Self::Q, fallback: Self::Q) -> Self::Q;

    // ---- floating point ---------------------------------------------------------------------------------------

    fn fp_binop(&mut self, op: FpBinOp, ty: FpTy, a: Self::V, b: Self::V) -> Self::V;
    /// `a + b·c` with a single rounding (FMADD, FMLA). Negations are applied by the semantics (bit flips of
    /// the operands, as the ARM ARM's `FPNeg` does) before calling this.
    fn fp_muladd(&mut self, ty: FpTy, a: Self::V, b: Self::V, c: Self::V) -> Self::V;
    fn fp_unop(&mut self, op: FpUnOp, ty: FpTy, a: Self::V) -> Self::V;
    /// FCMP/FCMPE: NZCV result in PSTATE layout. `signal_all` (FCMPE) raises Invalid on quiet NaNs too.
    fn fp_compare(&mut self, ty: FpTy, a: Self::V, b: Self::V, signal_all: bool) -> Self::V;
    /// Lane-style comparison (FCMEQ/FCMGE/FCMGT): all-ones or zero at the width of `ty`.
    fn fp_compare_mask(&mut self, cmp: FpCmp, ty: FpTy, a: Self::V, b: Self::V) -> Self::V;
    /// FCVT between formats.
    fn fp_convert(&mut self, from: FpTy, to: FpTy, a: Self::V) -> Self::V;
    /// FP → integer of `w`, saturating, with `fbits` fraction bits (fixed point; 0 for plain integers).
    fn fp_to_int(
        &mut self,
        ty: FpTy,
        a: Self::V,
        w: Width,
        signed: bool,
        fbits: u32,
        rounding: Rounding,
    ) -> Self::V;
    /// Integer (of `w`) → FP with `fbits` fraction bits, rounded per FPCR.
    fn int_to_fp(&mut self, ty: FpTy, a: Self::V, w: Width, signed: bool, fbits: u32) -> Self::V;

    // ---- added for the scalar FP class (a64::fp)

    /// FCCMP/FCCMPE: if `c`, [`Sem::fp_compare`] (raising its FPSR flags); otherwise `otherwise`, with no FP
    /// exception raised. A lifter emits the comparison inside a Wasm `if`.
    fn fp_compare_if(
        &mut self,
        c: Self::B,
        ty: FpTy,
        a: Self::V,
        b: Self::V,
        signal_all: bool,
        otherwise: Self::V,
    ) -> Self::V;

    // ---- added for dp_reg (CRC32 / CRC32C) ---------------------------------------------------------------------

    /// The ARM ARM's CRC32 step: folds the low `size` (1, 2, 4, 8) bytes of `data` into the 32-bit `acc`
    /// (upper bits ignored) and returns the new 32-bit checksum, zero-extended. Bit-reflected, no pre- or
    /// post-inversion; polynomial 0x04C11DB7 (CRC32*) or, with `castagnoli`, 0x1EDC6F41 (CRC32C*). A lifter
    /// can implement it with a 256-entry table per polynomial in a helper function.
    fn crc32(&mut self, castagnoli: bool, acc: Self::V, data: Self::V, size: u32) -> Self::V;

    // ---- added for simd::crypto (AES) ------------------------------------------------------------------------

    /// `AESSubBytes(AESShiftRows(q))`, or with `inverse` `AESInvSubBytes(AESInvShiftRows(q))`, on the state in
    /// the ARM ARM's byte order (byte `4·c + r` is row r of column c). AESE/AESD are this after XOR with the
    /// round key. A lifter can implement it as a helper with the two 256-byte S-boxes in a data segment.
    fn aes_sub_shift(&mut self, q: Self::Q, inverse: bool) -> Self::Q;
    /// `AESMixColumns(q)`, or with `inverse` `AESInvMixColumns(q)` (AESMC / AESIMC).
    fn aes_mix_columns(&mut self, q: Self::Q, inverse: bool) -> Self::Q;

    // ---- added for AdvSIMD vector (simdvec) ------------------------------------------------------------------
    // Lane-wise operations on all `128 / esize` lanes of a register, for the hot integer NEON forms that would
    // otherwise take a lane extract/insert per element. `esize` is 8, 16, 32 or 64; each maps to one Wasm
    // SIMD128 instruction for most sizes (the exceptions are noted; a lifter composes those).

    /// Lane-wise wrapping multiply (MUL, MLA, MLS). Wasm: `i16x8.mul`, `i32x4.mul`, `i64x2.mul`; 8-bit lanes
    /// via `i16x8.extmul_*` and a narrowing shuffle.
    fn q_mul(&mut self, esize: u32, a: Self::Q, b: Self::Q) -> Self::Q;
    /// Lane-wise maximum (`max`) or minimum, signed or unsigned (SMAX, UMIN, …). Wasm:
    /// `i8x16/i16x8/i32x4.{min,max}_{s,u}`; 64-bit lanes via `i64x2.gt_s` / a bias and `v128.bitselect`.
    fn q_minmax(&mut self, esize: u32, signed: bool, max: bool, a: Self::Q, b: Self::Q) -> Self::Q;
    /// Lane-wise `a > b`, signed or unsigned: all-ones lanes where true, zero elsewhere (CMGT, CMHI; with
    /// operands swapped and [`Sem::q_not`], CMGE/CMHS). Wasm: `*.gt_s` / `*.gt_u` (`i64x2` unsigned via a bias).
    fn q_cmgt(&mut self, esize: u32, signed: bool, a: Self::Q, b: Self::Q) -> Self::Q;
    /// Lane-wise shift left by a decode-time `amount` (`0..esize`) (SHL). Wasm: `*.shl`.
    fn q_shl_imm(&mut self, esize: u32, a: Self::Q, amount: u32) -> Self::Q;
    /// Lane-wise shift right by a decode-time `amount` (`1..=esize`), arithmetic or logical; shifting by
    /// `esize` gives the sign (arithmetic) or zero (SSHR, USHR). Wasm: `*.shr_s` / `*.shr_u` (by `esize` as
    /// `esize - 1` / a zero constant).
    fn q_shr_imm(&mut self, esize: u32, signed: bool, a: Self::Q, amount: u32) -> Self::Q;
    /// Byte shuffle of the 32-byte concatenation `a:b` (`a` bytes 0..16, `b` bytes 16..32): byte `i` of the
    /// result is byte `idx[i] & 31` (decode-time constants). ZIP/UZP/TRN/EXT/REV/DUP (element)/INS (element),
    /// the narrowing and widening moves and pairwise de-interleaving. Wasm: `i8x16.shuffle`.
    fn q_shuffle(&mut self, a: Self::Q, b: Self::Q, idx: [u8; 16]) -> Self::Q;
}

/// Comparisons of [`Sem::fp_compare_mask`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FpCmp {
    Eq,
    Ge,
    Gt,
    /// FACGE: |a| ≥ |b|.
    AbsGe,
    /// FACGT: |a| > |b|.
    AbsGt,
}

/// [`Sem::select_nzcv`] done at once: the materialised flags or the immediate, by a select. The default, and
/// what an implementation that keeps it lazy falls back to.
#[inline(always)]
pub fn select_nzcv_now<S: Sem + ?Sized>(s: &mut S, holds: S::B, nzcv: u8) {
    let computed = s.nzcv();
    let fallback = s.imm((nzcv as u64) << 28);
    let flags = s.select(holds, computed, fallback);
    s.set_nzcv(flags);
}
