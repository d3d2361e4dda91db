//! elfrun's profile format (not built yet; see the profiles issue).
//!
//! Owns: the versioned profile format keyed by the ELF's SHA-256, deterministic merging and validation.
//! Must not: depend on any other workspace crate — tools read profiles without pulling in the translator.
