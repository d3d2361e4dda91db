//! A digest of a profile for people (`Display`) and tools ([`Summary::to_json`]): coverage, the hottest blocks by
//! share of executed instructions, indirect sites with their targets, and AOT misses.
//!
//! This crate cannot decode instructions, so disassembly comes from the caller as a closure `pc -> text`.
//! Pcs are written as `"0x…"` strings in JSON (JSON numbers lose precision above 2^53).
//!
//! Owns: the summary. Must not: decode guest code.

use std::fmt;

use serde::{Serialize, Serializer};

use crate::model::Profile;

fn hex_pc<S: Serializer>(pc: &u64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format!("{pc:#x}"))
}

/// Counts describing how much of the program a profile covers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Coverage {
    /// Blocks recorded.
    pub blocks: usize,
    /// Blocks entered at least once.
    pub blocks_entered: usize,
    /// Distinct guest instructions in entered blocks (sum of their lengths).
    pub static_instructions: u64,
    /// Instructions executed inside recorded blocks (sum of entries × length).
    pub block_instructions: u64,
    /// Distinct call targets.
    pub call_targets: usize,
    /// Indirect branch sites.
    pub indirect_sites: usize,
    /// Distinct (site, target) pairs.
    pub indirect_targets: usize,
    /// Pcs where AOT code handed control to the interpreter.
    pub aot_miss_sites: usize,
    /// Total hand-overs from AOT code to the interpreter.
    pub aot_misses: u64,
}

/// One hot block.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BlockSummary {
    #[serde(serialize_with = "hex_pc")]
    pub pc: u64,
    pub len_insns: u32,
    pub entries: u64,
    /// entries × length.
    pub executed_insns: u64,
    /// `executed_insns` / [`Coverage::block_instructions`], in 0..=1.
    pub share: f64,
    pub disasm: Option<String>,
}

/// A target of an indirect branch, or an AOT-miss pc, with its count.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PcCount {
    #[serde(serialize_with = "hex_pc")]
    pub pc: u64,
    pub count: u64,
    pub disasm: Option<String>,
}

/// One indirect branch site and its targets, most frequent first.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndirectSummary {
    #[serde(serialize_with = "hex_pc")]
    pub pc: u64,
    pub kind: &'static str,
    /// Sum of the target counts.
    pub total: u64,
    pub disasm: Option<String>,
    pub targets: Vec<PcCount>,
}

/// The summary of one profile. Lists are ordered by count (descending), then pc, so equal profiles give
/// equal summaries.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    pub elf_hash: String,
    pub elfrun_version: String,
    pub runs: u64,
    pub instructions_executed: u64,
    pub coverage: Coverage,
    /// At most `top_n` blocks with the largest executed-instruction share.
    pub top_blocks: Vec<BlockSummary>,
    /// At most `top_n` indirect sites with the most executions, each with all its targets.
    pub indirect_sites: Vec<IndirectSummary>,
    /// At most `top_n` AOT-miss pcs with the largest counts.
    pub aot_misses: Vec<PcCount>,
}

impl Summary {
    /// Summarise `profile`, keeping `top_n` entries per list (`usize::MAX` for all). `disasm` gives the text of
    /// the instruction at a pc, if the caller can decode it.
    pub fn new(profile: &Profile, top_n: usize, disasm: impl Fn(u64) -> Option<String>) -> Summary {
        let block_instructions = profile.block_instructions();
        let entered = profile.blocks.values().filter(|b| b.entries > 0);
        let coverage = Coverage {
            blocks: profile.blocks.len(),
            blocks_entered: entered.clone().count(),
            static_instructions: entered
                .fold(0u64, |a, b| a.saturating_add(u64::from(b.len_insns))),
            block_instructions,
            call_targets: profile.call_targets.len(),
            indirect_sites: profile.indirect.len(),
            indirect_targets: profile.indirect.values().map(|t| t.len()).sum(),
            aot_miss_sites: profile.aot_misses.len(),
            aot_misses: profile
                .aot_misses
                .values()
                .fold(0u64, |a, &c| a.saturating_add(c)),
        };

        let mut blocks: Vec<_> = profile.blocks.iter().collect();
        blocks.sort_by_key(|(pc, b)| (std::cmp::Reverse(b.executed_insns()), **pc));
        let top_blocks = blocks
            .into_iter()
            .take(top_n)
            .map(|(&pc, b)| BlockSummary {
                pc,
                len_insns: b.len_insns,
                entries: b.entries,
                executed_insns: b.executed_insns(),
                share: if block_instructions == 0 {
                    0.0
                } else {
                    b.executed_insns() as f64 / block_instructions as f64
                },
                disasm: disasm(pc),
            })
            .collect();

        let pc_counts = |it: &mut dyn Iterator<Item = (u64, u64)>, n: usize| -> Vec<PcCount> {
            let mut v: Vec<(u64, u64)> = it.collect();
            v.sort_by_key(|&(pc, c)| (std::cmp::Reverse(c), pc));
            v.into_iter()
                .take(n)
                .map(|(pc, count)| PcCount {
                    pc,
                    count,
                    disasm: disasm(pc),
                })
                .collect()
        };

        let mut sites: Vec<_> = profile
            .indirect
            .iter()
            .map(|(site, t)| (site, t, t.values().fold(0u64, |a, &c| a.saturating_add(c))))
            .collect();
        sites.sort_by_key(|&(site, _, total)| (std::cmp::Reverse(total), *site));
        let indirect_sites = sites
            .into_iter()
            .take(top_n)
            .map(|(site, targets, total)| IndirectSummary {
                pc: site.pc,
                kind: site.kind.name(),
                total,
                disasm: disasm(site.pc),
                targets: pc_counts(&mut targets.iter().map(|(&p, &c)| (p, c)), usize::MAX),
            })
            .collect();

        Summary {
            elf_hash: profile.elf_hash_hex(),
            elfrun_version: profile.elfrun_version().to_owned(),
            runs: profile.runs,
            instructions_executed: profile.instructions_executed,
            coverage,
            top_blocks,
            indirect_sites,
            aot_misses: pc_counts(&mut profile.aot_misses.iter().map(|(&p, &c)| (p, c)), top_n),
        }
    }

    /// The summary as pretty-printed JSON.
    pub fn to_json(&self) -> String {
        // Serializing these plain structs (strings, integers, finite floats) cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

fn with_disasm(f: &mut fmt::Formatter<'_>, d: &Option<String>) -> fmt::Result {
    match d {
        Some(d) => write!(f, "  {d}"),
        None => Ok(()),
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = &self.coverage;
        writeln!(
            f,
            "profile of {} (elfrun {}), {} run(s)",
            self.elf_hash, self.elfrun_version, self.runs
        )?;
        writeln!(f, "instructions executed: {}", self.instructions_executed)?;
        writeln!(
            f,
            "coverage: {} blocks ({} entered, {} distinct instructions), {} call targets, \
             {} indirect sites ({} targets), {} AOT misses at {} pcs",
            c.blocks,
            c.blocks_entered,
            c.static_instructions,
            c.call_targets,
            c.indirect_sites,
            c.indirect_targets,
            c.aot_misses,
            c.aot_miss_sites
        )?;
        if !self.top_blocks.is_empty() {
            writeln!(f, "hottest blocks (share of executed instructions):")?;
            for b in &self.top_blocks {
                write!(
                    f,
                    "  {:#014x} {:6.2}%  {} x {} insns",
                    b.pc,
                    b.share * 100.0,
                    b.entries,
                    b.len_insns
                )?;
                with_disasm(f, &b.disasm)?;
                writeln!(f)?;
            }
        }
        if !self.indirect_sites.is_empty() {
            writeln!(f, "indirect sites:")?;
            for s in &self.indirect_sites {
                write!(f, "  {:#014x} {} ({} times)", s.pc, s.kind, s.total)?;
                with_disasm(f, &s.disasm)?;
                writeln!(f)?;
                for t in &s.targets {
                    write!(f, "    -> {:#014x} {}", t.pc, t.count)?;
                    with_disasm(f, &t.disasm)?;
                    writeln!(f)?;
                }
            }
        }
        if !self.aot_misses.is_empty() {
            writeln!(f, "AOT misses:")?;
            for m in &self.aot_misses {
                write!(f, "  {:#014x} {}", m.pc, m.count)?;
                with_disasm(f, &m.disasm)?;
                writeln!(f)?;
            }
        }
        Ok(())
    }
}
