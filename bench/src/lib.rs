//! elfrun's benchmark programs and harness.
//!
//! Owns: guest benchmark programs (our own C sources in `programs/`), building them for each target
//! ([`programs`]), running and timing them under each runner ([`measure`], [`harness`]), checking that every
//! runner printed the same checksum ([`verify`]) and reporting medians as markdown, CSV and an SVG bar chart
//! ([`report`]). `--builds` measures `elfrun build` itself and bundle loading instead ([`builds`]).
//! Also the interpreter's decode/execute throughput microbenchmark (`src/bin/interp-mips.rs`).
//!
//! Must not: be needed at run time by any other crate.

pub mod builds;
pub mod harness;
pub mod measure;
pub mod programs;
pub mod report;
pub mod verify;
