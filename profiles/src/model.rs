//! The in-memory profile: what the interpreter learned about one ELF binary over one or more runs, and how two
//! such records merge.
//!
//! Owns: [`Profile`] and its parts, the recording helpers the interpreter calls, and the merge rules.
//! Must not: know about the byte encoding (see `codec`) or files (see `file`).

use std::collections::BTreeMap;

use crate::error::{ProfileError, hex};

/// Longest elfrun version string a profile stores, in bytes; [`Profile::new`] cuts longer ones.
pub const MAX_ELFRUN_VERSION_LEN: usize = 255;

/// Entry statistics of one basic block (keyed by its first guest pc in [`Profile::blocks`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BlockStats {
    /// Number of guest instructions in the block (its static length).
    pub len_insns: u32,
    /// How many times the block was entered.
    pub entries: u64,
}

impl BlockStats {
    /// Guest instructions this block accounts for: `entries * len_insns`, saturating.
    pub fn executed_insns(&self) -> u64 {
        self.entries.saturating_mul(u64::from(self.len_insns))
    }
}

/// The kind of an indirect branch site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum IndirectKind {
    /// `BR Xn` (and `BRAA` etc.): computed jump, e.g. a jump table or tail call.
    Br,
    /// `BLR Xn`: indirect call.
    Blr,
    /// `RET` that did not return to the instruction after its caller's BL (longjmp, coroutine switch, …).
    RetNotToCaller,
}

impl IndirectKind {
    /// The byte this kind is stored as.
    pub fn code(self) -> u8 {
        match self {
            IndirectKind::Br => 0,
            IndirectKind::Blr => 1,
            IndirectKind::RetNotToCaller => 2,
        }
    }

    /// Inverse of [`IndirectKind::code`].
    pub fn from_code(code: u8) -> Option<Self> {
        match code {
            0 => Some(IndirectKind::Br),
            1 => Some(IndirectKind::Blr),
            2 => Some(IndirectKind::RetNotToCaller),
            _ => None,
        }
    }

    /// Short lower-case name (used in summaries).
    pub fn name(self) -> &'static str {
        match self {
            IndirectKind::Br => "br",
            IndirectKind::Blr => "blr",
            IndirectKind::RetNotToCaller => "ret-not-to-caller",
        }
    }
}

/// An indirect branch site: the pc of the branch instruction and what kind of branch it is.
///
/// Keyed by both so that a pc that held different instructions in different runs (guest JITs) never conflicts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct IndirectSite {
    pub pc: u64,
    pub kind: IndirectKind,
}

/// Everything recorded about one ELF binary. All maps are `BTreeMap`s, so iteration and encoding are deterministic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    /// Hash of the ELF file the profile was recorded for ([`crate::binary_hash`]).
    pub elf_hash: [u8; 32],
    elfrun_version: String,
    /// Number of runs merged into this profile.
    pub runs: u64,
    /// Guest instructions executed over all runs.
    pub instructions_executed: u64,
    /// Basic blocks by first guest pc.
    pub blocks: BTreeMap<u64, BlockStats>,
    /// Direct (BL) and indirect (BLR) call targets by target pc -> number of calls.
    pub call_targets: BTreeMap<u64, u64>,
    /// Indirect branch sites -> histogram of target pc -> count.
    pub indirect: BTreeMap<IndirectSite, BTreeMap<u64, u64>>,
    /// Pcs at which AOT code handed control back to the interpreter -> count.
    pub aot_misses: BTreeMap<u64, u64>,
}

impl Profile {
    /// An empty profile (zero runs) for the ELF with this hash, written by this elfrun version.
    /// A version longer than [`MAX_ELFRUN_VERSION_LEN`] bytes is cut at a character boundary.
    pub fn new(elf_hash: [u8; 32], elfrun_version: &str) -> Self {
        let mut end = elfrun_version.len().min(MAX_ELFRUN_VERSION_LEN);
        while !elfrun_version.is_char_boundary(end) {
            end -= 1;
        }
        Profile {
            elf_hash,
            elfrun_version: elfrun_version[..end].to_owned(),
            runs: 0,
            instructions_executed: 0,
            blocks: BTreeMap::new(),
            call_targets: BTreeMap::new(),
            indirect: BTreeMap::new(),
            aot_misses: BTreeMap::new(),
        }
    }

    /// The elfrun version that recorded this profile.
    pub fn elfrun_version(&self) -> &str {
        &self.elfrun_version
    }

    /// Lower-case hex of [`Profile::elf_hash`].
    pub fn elf_hash_hex(&self) -> String {
        hex(&self.elf_hash)
    }

    /// Record `entries` entries of the block at `pc` with `len_insns` instructions.
    pub fn record_block(&mut self, pc: u64, len_insns: u32, entries: u64) {
        let b = self.blocks.entry(pc).or_default();
        b.len_insns = b.len_insns.max(len_insns);
        b.entries = b.entries.saturating_add(entries);
    }

    /// Record `count` calls to `target`.
    pub fn record_call(&mut self, target: u64, count: u64) {
        add(&mut self.call_targets, target, count);
    }

    /// Record `count` transfers from the indirect branch `site` to `target`.
    pub fn record_indirect(&mut self, site: IndirectSite, target: u64, count: u64) {
        add(self.indirect.entry(site).or_default(), target, count);
    }

    /// Record `count` hand-overs from AOT code to the interpreter at `pc`.
    pub fn record_aot_miss(&mut self, pc: u64, count: u64) {
        add(&mut self.aot_misses, pc, count);
    }

    /// Count one finished run that executed `instructions` guest instructions.
    pub fn record_run(&mut self, instructions: u64) {
        self.runs = self.runs.saturating_add(1);
        self.instructions_executed = self.instructions_executed.saturating_add(instructions);
    }

    /// Add `other` into `self`: counts add (saturating at `u64::MAX`), key sets unite, a block recorded with two
    /// lengths keeps the larger. The result does not depend on the order of merges (commutative and associative).
    ///
    /// Refused (and `self` left unchanged) if the profiles are of different binaries or were recorded by
    /// different elfrun versions (block boundaries may differ between versions).
    pub fn merge(&mut self, other: &Profile) -> Result<(), ProfileError> {
        if self.elf_hash != other.elf_hash {
            return Err(ProfileError::MergeDifferentBinary {
                ours: self.elf_hash_hex(),
                theirs: other.elf_hash_hex(),
            });
        }
        if self.elfrun_version != other.elfrun_version {
            return Err(ProfileError::MergeDifferentElfrun {
                ours: self.elfrun_version.clone(),
                theirs: other.elfrun_version.clone(),
            });
        }
        self.runs = self.runs.saturating_add(other.runs);
        self.instructions_executed = self
            .instructions_executed
            .saturating_add(other.instructions_executed);
        for (&pc, b) in &other.blocks {
            self.record_block(pc, b.len_insns, b.entries);
        }
        merge_counts(&mut self.call_targets, &other.call_targets);
        for (site, targets) in &other.indirect {
            merge_counts(self.indirect.entry(*site).or_default(), targets);
        }
        merge_counts(&mut self.aot_misses, &other.aot_misses);
        Ok(())
    }

    /// Sum of [`BlockStats::executed_insns`] over all blocks, saturating.
    pub fn block_instructions(&self) -> u64 {
        self.blocks
            .values()
            .fold(0u64, |acc, b| acc.saturating_add(b.executed_insns()))
    }
}

fn add(map: &mut BTreeMap<u64, u64>, key: u64, count: u64) {
    let c = map.entry(key).or_insert(0);
    *c = c.saturating_add(count);
}

fn merge_counts(into: &mut BTreeMap<u64, u64>, from: &BTreeMap<u64, u64>) {
    for (&k, &v) in from {
        add(into, k, v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_is_cut_at_char_boundary() {
        let long = "é".repeat(200); // 400 bytes, 2 per char
        let p = Profile::new([0; 32], &long);
        assert_eq!(p.elfrun_version().len(), 254);
        assert!(p.elfrun_version().chars().all(|c| c == 'é'));
    }

    #[test]
    fn counts_saturate() {
        let mut a = Profile::new([1; 32], "v");
        a.record_call(0x40, u64::MAX - 1);
        a.record_block(0x40, 3, u64::MAX);
        let b = a.clone();
        a.merge(&b).unwrap();
        assert_eq!(a.call_targets[&0x40], u64::MAX);
        assert_eq!(a.blocks[&0x40].entries, u64::MAX);
        assert_eq!(a.blocks[&0x40].executed_insns(), u64::MAX);
    }

    #[test]
    fn merge_refuses_other_binary_and_version_and_leaves_self_alone() {
        let mut a = Profile::new([1; 32], "v1");
        a.record_run(5);
        let before = a.clone();
        let e = a.merge(&Profile::new([2; 32], "v1")).unwrap_err();
        assert!(
            matches!(e, ProfileError::MergeDifferentBinary { .. }),
            "{e}"
        );
        let e = a.merge(&Profile::new([1; 32], "v2")).unwrap_err();
        assert!(
            matches!(e, ProfileError::MergeDifferentElfrun { .. }),
            "{e}"
        );
        assert_eq!(a, before);
    }

    #[test]
    fn block_length_keeps_the_larger() {
        let mut a = Profile::new([1; 32], "v");
        a.record_block(0x100, 4, 1);
        let mut b = Profile::new([1; 32], "v");
        b.record_block(0x100, 7, 2);
        a.merge(&b).unwrap();
        assert_eq!(
            a.blocks[&0x100],
            BlockStats {
                len_insns: 7,
                entries: 3
            }
        );
    }
}
