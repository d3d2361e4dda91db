//! elfrun's profile format: what the interpreter learned about a guest binary while running it, for the AOT tier
//! (`elfrun build`) to compile the hot and indirect code.
//!
//! Owns: the versioned profile format keyed by the ELF's hash ([`binary_hash`], BLAKE3; [`Profile::encode`],
//! [`Profile::decode`]),
//! deterministic merging ([`Profile::merge`]), profile files and their default location ([`file`](mod@file)), and the
//! summary for humans and tools ([`Summary`]).
//! Must not: depend on any other workspace crate — tools read profiles without pulling in the translator.
//!
//! ```
//! use elfrun_profiles::{IndirectKind, IndirectSite, Profile};
//! let mut p = Profile::new([0x11; 32], "0.1.0");
//! p.record_block(0x400000, 4, 10);
//! p.record_indirect(IndirectSite { pc: 0x40000c, kind: IndirectKind::Br }, 0x400100, 3);
//! p.record_run(40);
//! let bytes = p.encode();
//! assert_eq!(Profile::decode(&bytes, Some(&[0x11; 32])).unwrap(), p);
//! ```

mod codec;
mod error;
pub mod file;
mod model;
mod summary;
mod varint;

pub use codec::{CHECKSUM_LEN, FORMAT_VERSION, MAGIC, MAX_PROFILE_LEN, MIN_PROFILE_LEN};
pub use error::{ProfileError, hex};
pub use file::{
    MergeOutcome, binary_hash, binary_hash_file, default_profile_path, load, merge_into_file,
    save_atomic,
};
pub use model::{BlockStats, IndirectKind, IndirectSite, MAX_ELFRUN_VERSION_LEN, Profile};
pub use summary::Summary;
