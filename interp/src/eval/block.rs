//! Predecoded basic blocks and the cache that maps guest pcs to them.

use alloc::vec::Vec;
use core::cell::Cell;

use crate::decode::{Insn, decode};
use crate::mem::{Fault, GuestMem};

use super::dispatch::{Handler, handler, pair_handler_for};

/// Longest block the predecoder builds; longer straight-line runs are split.
pub const MAX_BLOCK_INSNS: usize = 64;

/// A run of decoded instructions that ends at the first control transfer (or exception-generating or
/// undefined instruction, or [`MAX_BLOCK_INSNS`]).
#[derive(Debug)]
pub struct Block {
    pub start: u64,
    /// The instructions, each with the interpreter routine that executes it.
    pub ops: Vec<Op>,
    /// What kind of control transfer ends the block (for profiles).
    pub term: Term,
    /// The last two blocks control went to from here, as (pc, id): a branch's two ways usually, so the run loop
    /// finds its next block without the cache's table (see [`BlockCache::next`]). `EMPTY` pcs when unused.
    links: [(u64, BlockId); 2],
    /// Entries counted by a recording run ([`super::Counters`]): kept here, in the header the run loop reads
    /// anyway, so counting is one increment; the recorder collects them with [`BlockCache::take_counts`].
    entries: Cell<u64>,
}

/// One predecoded instruction and the routine that executes it: the handler is chosen once, when the block is
/// built, so running the instruction is one jump straight into code specialised for its kind, which then
/// jumps on to the next op's (see [`super::dispatch`]).
#[derive(Clone, Copy)]
pub struct Op {
    pub run: Handler,
    pub insn: Insn,
}

impl Op {
    pub fn new(insn: Insn) -> Op {
        Op {
            run: handler(&insn),
            insn,
        }
    }
}

impl core::fmt::Debug for Op {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        self.insn.fmt(f)
    }
}

/// The control transfer that ends a [`Block`], as far as profiles care (decided from the last word).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Term {
    /// Anything else: fall-through, conditional or plain direct branch, SVC, a block cut at
    /// [`MAX_BLOCK_INSNS`], …
    Other,
    /// `BL target`.
    Call { target: u64 },
    /// `BLR Xn`.
    CallIndirect,
    /// `BR Xn`.
    JumpIndirect,
    /// `RET Xn`.
    Return,
}

impl Term {
    /// Classifies the instruction word `word` at `pc`.
    pub fn of(word: u32, pc: u64) -> Term {
        if word & 0xfc00_0000 == 0x9400_0000 {
            // BL imm26: target = pc + sext(imm26) * 4.
            let off = (((word << 6) as i32) >> 4) as i64;
            return Term::Call {
                target: pc.wrapping_add(off as u64),
            };
        }
        // The plain register forms only (op2 = 0b11111, op3 = 0, op4 = 0), as the decoder accepts them.
        match word & 0xffff_fc1f {
            0xd61f_0000 => Term::JumpIndirect,
            0xd63f_0000 => Term::CallIndirect,
            0xd65f_0000 => Term::Return,
            _ => Term::Other,
        }
    }
}

impl Block {
    /// Decodes the block starting at `pc`. Fails only if the first word cannot be fetched; a later
    /// unfetchable word simply ends the block (it faults when execution reaches it).
    pub fn build(pc: u64, mem: &GuestMem) -> Result<Block, Fault> {
        let mut ops = Vec::new();
        let mut term = Term::Other;
        let mut at = pc;
        while ops.len() < MAX_BLOCK_INSNS {
            let word = match mem.load(at, 4) {
                Ok(w) => w as u32,
                Err(f) if ops.is_empty() => return Err(f),
                Err(_) => break,
            };
            let insn = decode(word);
            ops.push(Op::new(insn));
            if insn.ends_block() {
                term = Term::of(word, at);
                break;
            }
            at = at.wrapping_add(4);
        }
        if let [.., a, b] = &mut ops[..]
            && let Some(h) = pair_handler_for(&a.insn, &b.insn)
        {
            a.run = h;
        }
        Ok(Block::new(pc, ops, term))
    }

    pub fn new(start: u64, ops: Vec<Op>, term: Term) -> Block {
        Block {
            start,
            ops,
            term,
            links: NO_LINKS,
            entries: Cell::new(0),
        }
    }

    /// Counts one entry (profile recording).
    #[inline(always)]
    pub fn count_entry(&self) {
        self.entries.set(self.entries.get().wrapping_add(1));
    }

    /// Number of instructions.
    pub fn len(&self) -> usize {
        self.ops.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }

    /// The `i`-th instruction.
    pub fn insn(&self, i: usize) -> Insn {
        self.ops[i].insn
    }

    /// One past the last byte of the block's code.
    pub fn end(&self) -> u64 {
        self.start + 4 * self.ops.len() as u64
    }
}

const FAST_SLOTS: usize = 4096;
const EMPTY: u64 = u64::MAX;
const NO_LINKS: [(u64, BlockId); 2] = [(EMPTY, 0); 2];

/// Index of a block in its [`BlockCache`].
pub type BlockId = u32;

/// Maps guest pcs to decoded blocks: blocks live in an arena, found through a direct-mapped table in front of a
/// map of every block built. Handing out indices (not reference-counted pointers) keeps the lookup on the
/// interpreter's hot path to a compare and a load.
#[derive(Debug)]
pub struct BlockCache {
    blocks: Vec<Block>,
    free: Vec<BlockId>,
    fast: Vec<(u64, BlockId)>,
    #[cfg(feature = "std")]
    all: dashmap::DashMap<u64, BlockId>,
    #[cfg(not(feature = "std"))]
    all: alloc::collections::BTreeMap<u64, BlockId>,
    /// Blocks decoded so far (a measure of decode work).
    pub built: u64,
    /// Counts of blocks dropped since the recorder last collected them ([`BlockCache::take_counts`]).
    retired: Vec<BlockCount>,
}

/// A block's recorded entries, as [`BlockCache::take_counts`] hands them out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BlockCount {
    pub start: u64,
    /// Length in instructions: a block rebuilt after its code changed may have another.
    pub len: u32,
    pub term: Term,
    pub entries: u64,
}

impl BlockCount {
    fn of(b: &Block) -> BlockCount {
        BlockCount {
            start: b.start,
            len: b.len() as u32,
            term: b.term,
            entries: b.entries.get(),
        }
    }
}

impl Default for BlockCache {
    fn default() -> Self {
        Self::new()
    }
}

impl BlockCache {
    pub fn new() -> BlockCache {
        BlockCache {
            blocks: Vec::new(),
            free: Vec::new(),
            fast: alloc::vec![(EMPTY, 0); FAST_SLOTS],
            all: Default::default(),
            built: 0,
            retired: Vec::new(),
        }
    }

    #[inline(always)]
    fn slot(pc: u64) -> usize {
        ((pc >> 2) as usize) & (FAST_SLOTS - 1)
    }

    /// The block at `pc`, decoding it on first use.
    #[inline]
    pub fn lookup(&mut self, pc: u64, mem: &GuestMem) -> Result<BlockId, Fault> {
        let slot = Self::slot(pc);
        let (tag, id) = self.fast[slot];
        if tag == pc {
            return Ok(id);
        }
        self.lookup_slow(pc, mem, slot)
    }

    /// The block at `pc`, entered from block `from`: first through `from`'s links (no table access), else as
    /// [`lookup`](Self::lookup), remembering the link. Always inlined: it is the run loop's step from block to
    /// block, and with three instantiations of the loop (`run_with` per recorder) the compiler stopped inlining
    /// it into the recording one (`--record` 20% slower than a plain run instead of 4%).
    #[inline(always)]
    pub fn next(&mut self, from: BlockId, pc: u64, mem: &GuestMem) -> Result<BlockId, Fault> {
        let links = self.blocks[from as usize].links;
        if links[0].0 == pc {
            return Ok(links[0].1);
        }
        if links[1].0 == pc {
            return Ok(links[1].1);
        }
        let id = self.lookup(pc, mem)?;
        let b = &mut self.blocks[from as usize];
        b.links = [(pc, id), b.links[0]];
        Ok(id)
    }

    #[cold]
    fn lookup_slow(&mut self, pc: u64, mem: &GuestMem, slot: usize) -> Result<BlockId, Fault> {
        // DashMap hands out a guard, BTreeMap a reference: `*r` reads through either.
        #[allow(clippy::map_clone)]
        let found = self.all.get(&pc).map(|r| *r);
        let id = match found {
            Some(id) => id,
            None => {
                let b = Block::build(pc, mem)?;
                self.built += 1;
                let id = match self.free.pop() {
                    Some(id) => {
                        self.blocks[id as usize] = b;
                        id
                    }
                    None => {
                        self.blocks.push(b);
                        (self.blocks.len() - 1) as BlockId
                    }
                };
                self.all.insert(pc, id);
                id
            }
        };
        self.fast[slot] = (pc, id);
        Ok(id)
    }

    #[inline(always)]
    pub fn block(&self, id: BlockId) -> &Block {
        &self.blocks[id as usize]
    }

    /// Drops every block overlapping `addr..addr + len` (self-modifying or newly mapped code).
    pub fn invalidate(&mut self, addr: u64, len: u64) {
        let end = addr.saturating_add(len);
        let blocks = &mut self.blocks;
        let free = &mut self.free;
        let retired = &mut self.retired;
        self.all.retain(|_, id| {
            let b = &mut blocks[*id as usize];
            let hit = b.start < end && b.end() > addr;
            if hit {
                if b.entries.get() > 0 {
                    retired.push(BlockCount::of(b));
                }
                b.start = EMPTY;
                b.ops = Vec::new();
                b.entries.set(0);
                free.push(*id);
            }
            !hit
        });
        for s in self.fast.iter_mut() {
            if s.0 != EMPTY && blocks[s.1 as usize].start != s.0 {
                *s = (EMPTY, 0);
            }
        }
        // Freed ids are reused for other code: forget every link rather than find the ones that named them.
        for b in blocks.iter_mut() {
            b.links = NO_LINKS;
        }
    }

    /// Drops every block (e.g. after `execve`); their recorded counts stay for [`BlockCache::take_counts`].
    pub fn clear(&mut self) {
        let mut kept = Vec::new();
        self.take_counts(|c| kept.push(c));
        *self = BlockCache::new();
        self.retired = kept;
    }

    /// Hands every non-zero entry count recorded since the last call to `f` (blocks dropped meanwhile first, in
    /// no particular order) and sets them back to zero.
    pub fn take_counts(&mut self, mut f: impl FnMut(BlockCount)) {
        for c in self.retired.drain(..) {
            f(c);
        }
        for b in self.blocks.iter().filter(|b| b.start != EMPTY) {
            if b.entries.get() > 0 {
                f(BlockCount::of(b));
                b.entries.set(0);
            }
        }
    }

    /// Adds `block` as if decoded at its start (tests of what runs over the cache without guest memory).
    #[cfg(test)]
    pub(crate) fn insert(&mut self, block: Block) -> BlockId {
        self.blocks.push(block);
        let id = (self.blocks.len() - 1) as BlockId;
        self.all.insert(self.blocks[id as usize].start, id);
        id
    }
}
