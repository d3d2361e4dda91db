//! Predecoded basic blocks and the cache that maps guest pcs to them.

use alloc::sync::Arc;
use alloc::vec::Vec;

use crate::decode::{Insn, decode};
use crate::mem::{Fault, GuestMem};

/// Longest block the predecoder builds; longer straight-line runs are split.
pub const MAX_BLOCK_INSNS: usize = 64;

/// A run of decoded instructions that ends at the first control transfer (or exception-generating or
/// undefined instruction, or [`MAX_BLOCK_INSNS`]).
#[derive(Debug)]
pub struct Block {
    pub start: u64,
    pub insns: Vec<Insn>,
}

impl Block {
    /// Decodes the block starting at `pc`. Fails only if the first word cannot be fetched; a later
    /// unfetchable word simply ends the block (it faults when execution reaches it).
    pub fn build(pc: u64, mem: &GuestMem) -> Result<Block, Fault> {
        let mut insns = Vec::new();
        let mut at = pc;
        while insns.len() < MAX_BLOCK_INSNS {
            let word = match mem.load(at, 4) {
                Ok(w) => w as u32,
                Err(f) if insns.is_empty() => return Err(f),
                Err(_) => break,
            };
            let insn = decode(word);
            insns.push(insn);
            if insn.ends_block() {
                break;
            }
            at = at.wrapping_add(4);
        }
        Ok(Block { start: pc, insns })
    }

    /// One past the last byte of the block's code.
    pub fn end(&self) -> u64 {
        self.start + 4 * self.insns.len() as u64
    }
}

const FAST_SLOTS: usize = 4096;

/// Maps guest pcs to decoded blocks: a direct-mapped table in front of a map of every block built.
#[derive(Debug)]
pub struct BlockCache {
    fast: Vec<Option<Arc<Block>>>,
    #[cfg(feature = "std")]
    all: dashmap::DashMap<u64, Arc<Block>>,
    #[cfg(not(feature = "std"))]
    all: alloc::collections::BTreeMap<u64, Arc<Block>>,
    /// Blocks decoded so far (a measure of decode work).
    pub built: u64,
}

impl Default for BlockCache {
    fn default() -> Self {
        Self::new()
    }
}

impl BlockCache {
    pub fn new() -> BlockCache {
        BlockCache {
            fast: alloc::vec![None; FAST_SLOTS],
            all: Default::default(),
            built: 0,
        }
    }

    #[inline(always)]
    fn slot(pc: u64) -> usize {
        ((pc >> 2) as usize) & (FAST_SLOTS - 1)
    }

    /// The block at `pc`, decoding it on first use.
    #[inline]
    pub fn get_or_build(&mut self, pc: u64, mem: &GuestMem) -> Result<Arc<Block>, Fault> {
        let slot = Self::slot(pc);
        if let Some(b) = &self.fast[slot]
            && b.start == pc
        {
            return Ok(b.clone());
        }
        let block = match self.all.get(&pc) {
            Some(b) => b.clone(),
            None => {
                let b = Arc::new(Block::build(pc, mem)?);
                self.built += 1;
                self.all.insert(pc, b.clone());
                b
            }
        };
        self.fast[slot] = Some(block.clone());
        Ok(block)
    }

    /// Drops every block overlapping `addr..addr + len` (self-modifying or newly mapped code).
    pub fn invalidate(&mut self, addr: u64, len: u64) {
        let end = addr.saturating_add(len);
        // A block starts at most MAX_BLOCK_INSNS instructions before the range.
        let from = addr.saturating_sub(4 * MAX_BLOCK_INSNS as u64);
        self.all
            .retain(|&start, b| start < from || start >= end || b.end() <= addr);
        for s in self.fast.iter_mut() {
            if let Some(b) = s
                && b.start < end
                && b.end() > addr
            {
                *s = None;
            }
        }
    }

    /// Drops everything (e.g. after `execve` or a large `munmap`).
    pub fn clear(&mut self) {
        self.all.clear();
        self.fast.iter_mut().for_each(|s| *s = None);
    }
}
