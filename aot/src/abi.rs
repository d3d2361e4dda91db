//! The contract between lifted code and the runtime that runs it: where the CPU state lives in linear memory,
//! what a lifted function returns, and how floating-point helper calls are encoded.
//!
//! Both sides (`aot` emitting, `rt` running) use only these definitions, so they cannot disagree.

use elfrun_interp::sem::{FpBinOp, FpCmp, FpTy, FpUnOp, Rounding, Width};

/// Guest address of the [`elfrun_interp::CpuState`] while lifted code runs. It lies in the null-pointer guard
/// below [`MEM_LOW`], where the guest can map nothing and lifted code's address checks let no guest access
/// reach. Being below 2 GiB, every address of the state is a 32-bit displacement from the memory base on
/// x86-64: a state access is one instruction, with no register holding its constant address (above 2 GiB
/// Cranelift kept each such constant alive from the prologue's load to the epilogue's store).
pub const STATE_ADDR: u64 = 0x8000;
/// Guest address of the fuel counter (i32): lifted code decrements it at every dispatch of a block through a
/// function's dispatch loop and returns [`Status::Budget`] when it reaches zero, so host signals and timers
/// reach code spinning in a loop.
pub const FUEL_ADDR: u64 = STATE_ADDR + 0xf00;

/// Guest addresses of the lazy flags' kind and second operand. While lifted code runs, NZCV in the state may be
/// lazy: when the word at `FLAGS_KIND_ADDR` is not 0, the state's NZCV word holds the flags' first operand and
/// `FLAGS_B_ADDR` the second, and [`lazy_nzcv`] gives the flags (a returning function hands its caller the
/// comparison that set them instead of materialising NZCV). The runtime stores kind 0 before it enters lifted
/// code and materialises NZCV when it reads the state back.
pub const FLAGS_KIND_ADDR: u64 =
    STATE_ADDR + core::mem::size_of::<elfrun_interp::CpuState>() as u64;
pub const FLAGS_B_ADDR: u64 = FLAGS_KIND_ADDR + 8;
const _: () = assert!(FLAGS_B_ADDR + 8 <= FUEL_ADDR && FUEL_ADDR + 4 <= MEM_LOW);

/// NZCV (PSTATE layout) of lazy flags `kind` (`lift::FlagKind`) with operands `a`, `b`: what the module's `nzcv`
/// helper computes (`module::nzcv_expr`), for the runtime.
pub fn lazy_nzcv(kind: u64, a: u64, b: u64) -> u64 {
    // Kinds as the helper tests them: 0 Value, 1 Sub64, 2 Sub32, 3 Logic64, 4 Logic32 (any other kind: Logic64).
    if kind == 0 {
        return a;
    }
    let (mask, top) = if kind == 2 || kind == 4 {
        (0xffff_ffff, 31)
    } else {
        (u64::MAX, 63)
    };
    let (a, b) = (a & mask, b & mask);
    let bit = |x: u64, i: u32| (x >> i) & 1;
    if kind >= 3 {
        return bit(a, top) << 31 | u64::from(a == 0) << 30;
    }
    let r = a.wrapping_sub(b) & mask;
    bit(r, top) << 31
        | u64::from(r == 0) << 30
        | u64::from(a >= b) << 29
        | bit((a ^ b) & (a ^ r), top) << 28
}

/// Lowest guest address lifted code may access (the null guard, as the interpreter's `GuestMem`).
pub const MEM_LOW: u64 = 0x10000;
/// One past the highest guest address.
pub const MEM_END: u64 = 1 << 32;

/// Name of the imported linear memory (module `env`).
pub const IMPORT_MEMORY: &str = "memory";
/// Name of the imported floating-point helper (module `env`): `fp(code: i32, a: i64, b: i64, c: i64) -> i64`.
pub const IMPORT_FP: &str = "fp";
/// Name of the exported entry: `enter(func: i32, block: i32) -> i32` runs lifted function `func` from its
/// block `block` and returns a [`Status`].
pub const EXPORT_ENTER: &str = "enter";

/// Why lifted code returned to the runtime. In every case the state at [`STATE_ADDR`] is complete and its pc
/// says where the guest continues.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(i32)]
pub enum Status {
    /// Control left the function for `pc` (a call, a return, a jump elsewhere).
    Continue = 0,
    /// `SVC #0` completed: pc is past it; the runtime performs the system call.
    Syscall = 1,
    /// The instruction at pc must be executed by the interpreter (not lifted, or it faults or traps).
    Interp = 2,
    /// Fuel ran out at pc; the runtime may deliver signals and re-enter.
    Budget = 3,
    /// As `Interp`, for an instruction whose floating-point slow path was taken inside a loop, where lifted code
    /// hands it back instead of calling the helper (`Lift::fp_slow_exits`). The next build calls the helper at
    /// this pc; until then the runtime may interpret a longer stretch once the pc is hot. (4 is taken: the low
    /// byte of a direct transfer between lifted functions.)
    FpSlow = 5,
}

impl Status {
    pub fn from_i32(v: i32) -> Option<Status> {
        Some(match v {
            0 => Status::Continue,
            1 => Status::Syscall,
            2 => Status::Interp,
            3 => Status::Budget,
            5 => Status::FpSlow,
            _ => return None,
        })
    }
}

/// A floating-point primitive that lifted code performs through the [`IMPORT_FP`] helper (which works on FPCR
/// and FPSR in the state at [`STATE_ADDR`], exactly as the interpreter does).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FpCall {
    Binop(FpBinOp, FpTy),
    MulAdd(FpTy),
    Unop(FpUnOp, FpTy),
    Compare {
        ty: FpTy,
        signal_all: bool,
    },
    CompareMask(FpCmp, FpTy),
    Convert {
        from: FpTy,
        to: FpTy,
    },
    ToInt {
        ty: FpTy,
        w: Width,
        signed: bool,
        fbits: u32,
        rounding: Rounding,
    },
    FromInt {
        ty: FpTy,
        w: Width,
        signed: bool,
        fbits: u32,
    },
}

const BINOPS: [FpBinOp; 12] = [
    FpBinOp::Add,
    FpBinOp::Sub,
    FpBinOp::Mul,
    FpBinOp::Div,
    FpBinOp::Max,
    FpBinOp::Min,
    FpBinOp::MaxNum,
    FpBinOp::MinNum,
    FpBinOp::MulX,
    FpBinOp::RecipStep,
    FpBinOp::RSqrtStep,
    FpBinOp::AbsDiff,
];
const TYS: [FpTy; 3] = [FpTy::H, FpTy::S, FpTy::D];
const CMPS: [FpCmp; 5] = [FpCmp::Eq, FpCmp::Ge, FpCmp::Gt, FpCmp::AbsGe, FpCmp::AbsGt];
const ROUNDINGS: [Rounding; 6] = [
    Rounding::Fpcr,
    Rounding::TiesEven,
    Rounding::TiesAway,
    Rounding::PosInf,
    Rounding::NegInf,
    Rounding::Zero,
];

fn index<T: PartialEq>(all: &[T], x: &T) -> u32 {
    all.iter().position(|y| y == x).unwrap_or(0) as u32
}

fn unop_code(op: FpUnOp) -> u32 {
    match op {
        FpUnOp::Sqrt => 0,
        FpUnOp::RecipEstimate => 1,
        FpUnOp::RSqrtEstimate => 2,
        FpUnOp::RecipExponent => 3,
        FpUnOp::RoundInt { rounding, exact } => 4 + index(&ROUNDINGS, &rounding) * 2 + exact as u32,
    }
}

fn unop_from(c: u32) -> Option<FpUnOp> {
    Some(match c {
        0 => FpUnOp::Sqrt,
        1 => FpUnOp::RecipEstimate,
        2 => FpUnOp::RSqrtEstimate,
        3 => FpUnOp::RecipExponent,
        4..16 => FpUnOp::RoundInt {
            rounding: ROUNDINGS[((c - 4) / 2) as usize],
            exact: (c - 4) % 2 == 1,
        },
        _ => return None,
    })
}

impl FpCall {
    /// Packs the call into the helper's `code` argument: kind in bits 0..4, type in 4..6, the rest above.
    pub fn encode(self) -> i32 {
        let (kind, ty, rest) = match self {
            FpCall::Binop(op, ty) => (0, ty, index(&BINOPS, &op)),
            FpCall::MulAdd(ty) => (1, ty, 0),
            FpCall::Unop(op, ty) => (2, ty, unop_code(op)),
            FpCall::Compare { ty, signal_all } => (3, ty, signal_all as u32),
            FpCall::CompareMask(cmp, ty) => (4, ty, index(&CMPS, &cmp)),
            FpCall::Convert { from, to } => (5, from, index(&TYS, &to)),
            FpCall::ToInt {
                ty,
                w,
                signed,
                fbits,
                rounding,
            } => (
                6,
                ty,
                (w == Width::W64) as u32
                    | (signed as u32) << 1
                    | index(&ROUNDINGS, &rounding) << 2
                    | fbits << 5,
            ),
            FpCall::FromInt {
                ty,
                w,
                signed,
                fbits,
            } => (
                7,
                ty,
                (w == Width::W64) as u32 | (signed as u32) << 1 | fbits << 5,
            ),
        };
        (kind | index(&TYS, &ty) << 4 | rest << 6) as i32
    }

    /// The inverse of [`FpCall::encode`]; `None` for a code no lifter emits.
    pub fn decode(code: i32) -> Option<FpCall> {
        let code = code as u32;
        let ty = *TYS.get(((code >> 4) & 3) as usize)?;
        let rest = code >> 6;
        let w = if rest & 1 != 0 {
            Width::W64
        } else {
            Width::W32
        };
        let signed = rest & 2 != 0;
        let fbits = rest >> 5;
        if fbits > 64 {
            return None;
        }
        Some(match code & 15 {
            0 => FpCall::Binop(*BINOPS.get(rest as usize)?, ty),
            1 => FpCall::MulAdd(ty),
            2 => FpCall::Unop(unop_from(rest)?, ty),
            3 => FpCall::Compare {
                ty,
                signal_all: rest & 1 != 0,
            },
            4 => FpCall::CompareMask(*CMPS.get(rest as usize)?, ty),
            5 => FpCall::Convert {
                from: ty,
                to: *TYS.get(rest as usize)?,
            },
            6 => FpCall::ToInt {
                ty,
                w,
                signed,
                fbits,
                rounding: *ROUNDINGS.get(((rest >> 2) & 7) as usize)?,
            },
            7 => FpCall::FromInt {
                ty,
                w,
                signed,
                fbits,
            },
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The ARM ARM's AddWithCarry(a, NOT(b), 1) in wide arithmetic (not the bit tricks `lazy_nzcv` uses), and
    /// the logical flags, at 32 and 64 bits.
    #[test]
    fn lazy_nzcv_is_the_flags_of_the_comparison() {
        let edges = [
            0u64,
            1,
            2,
            0x7fff_ffff,
            0x8000_0000,
            0xffff_ffff,
            0x1_0000_0000,
            1 << 63,
            u64::MAX,
            u64::MAX - 1,
            (1 << 63) - 1,
            0x1234_5678_9abc_def0,
            0xffff_ffff_8000_0000,
        ];
        for &a in &edges {
            for &b in &edges {
                for (kind, bits) in [(1u64, 64u32), (2, 32)] {
                    let mask = if bits == 64 { u64::MAX } else { 0xffff_ffff };
                    let (x, y) = (a & mask, !b & mask);
                    let r = x.wrapping_add(y).wrapping_add(1) & mask;
                    let unsigned = u128::from(x) + u128::from(y) + 1;
                    let sext = |v: u64| ((v << (64 - bits)) as i64 >> (64 - bits)) as i128;
                    let signed = sext(x) + sext(y) + 1;
                    let want = (r >> (bits - 1) & 1) << 31
                        | u64::from(r == 0) << 30
                        | u64::from(u128::from(r) != unsigned) << 29
                        | u64::from(sext(r) != signed) << 28;
                    assert_eq!(lazy_nzcv(kind, a, b), want, "kind {kind}: {a:#x} - {b:#x}");
                }
                let logic =
                    |r: u64, bits: u32| (r >> (bits - 1) & 1) << 31 | u64::from(r == 0) << 30;
                assert_eq!(lazy_nzcv(3, a, b), logic(a, 64));
                assert_eq!(lazy_nzcv(4, a, b), logic(a & 0xffff_ffff, 32));
                assert_eq!(lazy_nzcv(0, a, b), a);
            }
        }
    }

    #[test]
    fn fp_calls_round_trip() {
        let mut all = Vec::new();
        for ty in TYS {
            for op in BINOPS {
                all.push(FpCall::Binop(op, ty));
            }
            all.push(FpCall::MulAdd(ty));
            for c in 0..16 {
                all.push(FpCall::Unop(unop_from(c).unwrap(), ty));
            }
            for signal_all in [false, true] {
                all.push(FpCall::Compare { ty, signal_all });
            }
            for cmp in CMPS {
                all.push(FpCall::CompareMask(cmp, ty));
            }
            for to in TYS {
                all.push(FpCall::Convert { from: ty, to });
            }
            for w in [Width::W32, Width::W64] {
                for signed in [false, true] {
                    for fbits in [0, 1, 31, 64] {
                        for rounding in ROUNDINGS {
                            all.push(FpCall::ToInt {
                                ty,
                                w,
                                signed,
                                fbits,
                                rounding,
                            });
                        }
                        all.push(FpCall::FromInt {
                            ty,
                            w,
                            signed,
                            fbits,
                        });
                    }
                }
            }
        }
        for c in all {
            assert_eq!(FpCall::decode(c.encode()), Some(c), "{c:?}");
        }
        assert_eq!(FpCall::decode(15), None);
    }
}
