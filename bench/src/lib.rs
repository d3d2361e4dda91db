//! elfrun's benchmark programs and harness.
//!
//! Owns: guest benchmark programs (our own C sources) and the harness comparing native, from-source Wasm,
//! qemu-aarch64, the elfrun interpreter and (later) AOT bundles.
//! Must not: be needed at run time by any other crate.
