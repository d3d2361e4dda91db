//! elfrun's benchmark programs and harness.
//!
//! Owns: guest benchmark programs (our own C sources in `programs/`), building them for each target
//! ([`programs`]), running and timing them under each runner ([`measure`], [`harness`]), checking that every
//! runner printed the same checksum ([`verify`]) and reporting medians as markdown and CSV ([`report`]).
//! Also the interpreter's decode/execute throughput microbenchmark (`src/bin/interp-mips.rs`).
//!
//! Must not: be needed at run time by any other crate.

pub mod harness;
pub mod measure;
pub mod programs;
pub mod report;
pub mod verify;
