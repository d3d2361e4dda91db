//! elfrun's runtime: ELF loading, the guest address space, Linux syscall emulation and the pieces of the CLI
//! that are not argument parsing.
//!
//! Modules by concern:
//! - [`host`]: the wasmer memory holding the guest (all of the runtime's `unsafe`).
//! - [`vm`]: VMAs, brk, mmap/munmap/mprotect/mremap/madvise with Linux semantics inside 4 GiB.
//! - [`loader`]: ELF validation and mapping; [`stack`]: the initial stack and auxiliary vector.
//! - [`guest`]: a guest process and its run loop; [`syscall`]: Linux syscalls by family.
//! - [`record`]: profile recording (`elfrun --record`); [`profile_show`]: `elfrun profile show`.
//! - [`signal`]: guest signal dispositions, delivery (the arm64 `rt_sigframe`) and host-signal mirroring.
//! - [`build`]: `elfrun build` (lifting through `elfrun-aot`, writing the bundle, precompiling it).
//! - [`tier`]: the AOT tier at run time (bundles, artifact cache, switching to and from lifted code).
//! - [`jail`]: `--root DIR`, resolving guest paths inside DIR (openat2 `RESOLVE_IN_ROOT`).
//! - [`launch`]: finding the program and building its argv/environment (qemu-user conventions).
//!
//! Must not: contain instruction semantics — those live in `elfrun-interp`.

pub mod build;
pub mod error;
pub mod guest;
pub mod host;
pub mod jail;
pub mod launch;
pub mod loader;
pub mod lockstep;
pub mod profile_show;
pub mod record;
pub mod signal;
pub mod stack;
pub mod syscall;
pub mod tier;
pub mod vm;

pub use error::{ElfError, RtError};
pub use guest::{Guest, Program};
