//! elfrun's runtime (being built): ELF loading, the guest address space, Linux syscall emulation and the CLI.
//!
//! Must not: contain instruction semantics — those live in `elfrun-interp`.
