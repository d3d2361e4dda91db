//! elfrun's ahead-of-time tier (not built yet; see the AOT issue).
//!
//! Owns: code discovery, CFG recovery, `Lift` (an implementation of `elfrun_interp::Sem` that emits Wasm
//! with wasm-encoder), register/flag optimisation, parallel module assembly and the bundle manifest.
//! Must not: execute guest code or use wasmer — running bundles is the runtime's (`rt`) job.
