//! elfrun's AArch64 execution core: decoding, the [`Sem`] trait, instruction semantics written once, and the
//! [`Eval`] interpreter.
//!
//! Owns:
//! - [`decode`]: turning instruction words into elfrun's compact [`Insn`] form (yaxpeax-arm is used only for
//!   disassembly and as a cross-check; its types never leave [`decode::disasm`]).
//! - [`sem`]: the primitives every tier implements. Semantics in [`a64`] are generic over them, one file per
//!   ARM ARM instruction class, so the interpreter and the AOT lifter cannot drift apart.
//! - [`eval`]: `Eval`, the interpreter (`Sem` with `V = u64`), the predecoded [`Block`] form and the block cache.
//! - [`state`]: the `#[repr(C)]` CPU state shared by both tiers.
//!
//! Must not: touch the host OS, wasmer, or know syscall numbers. Guest memory is reached only through
//! [`GuestMem`]; an `SVC` ends execution with [`Exit::Syscall`] and the runtime (`rt`) does the rest.
//!
//! Builds as `no_std` + `alloc` with `--no-default-features`, so the interpreter can itself be compiled to Wasm;
//! the concurrent block cache (dashmap) lives behind the default `std` feature.
#![no_std]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

pub mod a64;
pub mod cpu_model;
pub mod decode;
pub mod eval;
pub mod mem;
pub mod sem;
pub mod softfp;
pub mod state;

pub use decode::{Insn, decode, disasm};
pub use eval::{Block, BlockCache, Eval, Exit, Fault};
pub use mem::GuestMem;
pub use sem::Sem;
pub use state::CpuState;
