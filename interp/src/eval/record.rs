//! Profile recording hooks of the run loop: the [`Recorder`] trait that [`run_with`](super::run_with) calls at
//! block entry and exit, the no-op [`NoRecord`] (monomorphised away: plain [`run`](super::run) pays nothing), and
//! [`Counters`], the recorder `elfrun --record` uses.
//!
//! What `Counters` collects, per guest binary image:
//! - block entries (+ length), counted in the [`Block`] itself (one increment in the header the run loop reads
//!   anyway; a slot table of its own cost ~30 host instructions per block, mostly in registers the run loop
//!   then spilled) and collected from the [`BlockCache`] when drained, together with the counts of blocks the
//!   cache dropped meanwhile;
//! - calls: `BL` targets are static, so they are derived from the entry counts of blocks ending in `BL`
//!   (minus the entries that stopped early, counted on the cold path); `BLR` targets are counted per execution;
//! - indirect branch sites (`BR`, `BLR`, and `RET` that did not return to its caller) with target histograms, in a
//!   small open-addressing table;
//! - AOT misses (pcs where compiled code handed control back), for the AOT tier.
//!
//! `RET` is checked against a shadow stack of (return address, SP) pairs pushed by `BL`/`BLR`: a `RET` to the top
//! entry's address with the SP the call had is an ordinary return and is not recorded. Entries whose SP is below
//! the current SP belong to frames abandoned without a `RET` (longjmp, which glibc does with `BR X30`, exceptions)
//! and are dropped first. Any other `RET` (longjmp in libcs that use `RET`, coroutine switches, a signal handler
//! returning into its restorer) is a `ret-not-to-caller` site.
//!
//! Owns: the recording data structures. Must not: know about profile files or encodings (the runtime turns the
//! drained counts into an `elfrun_profiles::Profile`).

use alloc::collections::BTreeMap;
use alloc::vec::Vec;

use super::block::{Block, BlockCache, Term};

/// Hooks the run loop calls. All are inlined; [`NoRecord`]'s are empty.
pub trait Recorder {
    /// Whether this recorder records anything (lets the run loop skip bookkeeping at compile time).
    const ACTIVE: bool;
    /// `block` is about to run.
    fn enter(&mut self, block: &Block);
    /// The block ran to its end and control continues at `next`; `sp` is the stack pointer now.
    fn completed(&mut self, block: &Block, next: u64, sp: u64);
    /// `block` stopped before completing its last instruction (fault, undefined instruction, `ic ivau`, or the
    /// exit of a syscall, which is the block's last instruction and does complete: `completed_last` says so).
    fn stopped(&mut self, block: &Block, completed_last: bool);
    /// Whether the run ends (as if its budget ran out) before `block`, asked from the second block of a run on:
    /// lets the caller interpret only until control reaches code it runs another way (the AOT tier's lifted
    /// code).
    #[inline(always)]
    fn stop_before(&mut self, _block: &Block) -> bool {
        false
    }
}

/// Records nothing.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoRecord;

impl Recorder for NoRecord {
    const ACTIVE: bool = false;
    #[inline(always)]
    fn enter(&mut self, _block: &Block) {}
    #[inline(always)]
    fn completed(&mut self, _block: &Block, _next: u64, _sp: u64) {}
    #[inline(always)]
    fn stopped(&mut self, _block: &Block, _completed_last: bool) {}
}

/// Kind of an indirect branch site recorded by [`Counters`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum IndirectKind {
    /// `BR Xn`.
    Br,
    /// `BLR Xn`.
    Blr,
    /// `RET` that did not return to the instruction after the matching call.
    RetNotToCaller,
}

/// Deepest shadow stack kept; deeper calls drop the oldest half (a program that never returns from its calls).
const MAX_SHADOW: usize = 4096;

/// The recorder of `elfrun --record`. See the module docs.
#[derive(Debug, Default)]
pub struct Counters {
    /// Entries that did not complete the block's last instruction, by (start, length in instructions).
    incomplete: BTreeMap<(u64, u32), u64>,
    indirect: PairTable,
    /// (return address, SP at the call) of the calls not yet returned from, innermost last.
    shadow: Vec<(u64, u64)>,
    aot_misses: BTreeMap<u64, u64>,
}

impl Recorder for Counters {
    const ACTIVE: bool = true;

    #[inline(always)]
    fn enter(&mut self, block: &Block) {
        block.count_entry();
    }

    #[inline(always)]
    fn completed(&mut self, block: &Block, next: u64, sp: u64) {
        // Tests, not a `match`: a jump table here is one indirect jump whose target changes with every call
        // and return (a misprediction each time, where these branches follow the program's own pattern).
        // Most blocks end in something else than a call, return or indirect branch.
        if let Term::Other = block.term {
            return;
        }
        if let Term::Call { .. } = block.term {
            self.push_return(block.end(), sp);
        } else if let Term::Return = block.term {
            if self.shadow.last() == Some(&(next, sp)) {
                self.shadow.pop();
            } else {
                self.unexpected_return(block.end().wrapping_sub(4), next, sp);
            }
        } else {
            self.indirect_branch(block, next, sp);
        }
    }

    #[cold]
    fn stopped(&mut self, block: &Block, completed_last: bool) {
        if !completed_last {
            let c = self
                .incomplete
                .entry((block.start, block.len() as u32))
                .or_insert(0);
            *c = c.saturating_add(1);
        }
    }
}

impl Counters {
    pub fn new() -> Counters {
        Counters::default()
    }

    #[inline(always)]
    fn push_return(&mut self, ret: u64, sp: u64) {
        if self.shadow.len() >= MAX_SHADOW {
            self.shadow.drain(..MAX_SHADOW / 2);
        }
        self.shadow.push((ret, sp));
    }

    /// A block ending in `BLR` or `BR` went to `next`.
    #[inline(never)]
    fn indirect_branch(&mut self, block: &Block, next: u64, sp: u64) {
        let site = block.end().wrapping_sub(4);
        if let Term::CallIndirect = block.term {
            self.push_return(block.end(), sp);
            self.indirect.add(site, IndirectKind::Blr, next, 1);
        } else {
            self.indirect.add(site, IndirectKind::Br, next, 1);
        }
    }

    /// A `RET` that does not match the top of the shadow stack: drop abandoned frames (SP below the current one),
    /// then it is either an ordinary return after all or a `ret-not-to-caller`.
    #[cold]
    #[inline(never)]
    fn unexpected_return(&mut self, site: u64, target: u64, sp: u64) {
        while self.shadow.last().is_some_and(|&(_, s)| s < sp) {
            self.shadow.pop();
        }
        if self.shadow.last() == Some(&(target, sp)) {
            self.shadow.pop();
        } else {
            self.indirect
                .add(site, IndirectKind::RetNotToCaller, target, 1);
        }
    }

    /// Records that AOT code handed control to the interpreter at `pc`.
    pub fn aot_miss(&mut self, pc: u64) {
        let c = self.aot_misses.entry(pc).or_insert(0);
        *c = c.saturating_add(1);
    }

    /// Forgets all counts (not the shadow stack), the entries counted in `cache`'s blocks included: after
    /// `fork` the child records only its own part.
    pub fn reset(&mut self, cache: &mut BlockCache) {
        cache.take_counts(|_| {});
        self.incomplete.clear();
        self.indirect = PairTable::default();
        self.aot_misses.clear();
    }

    /// Hands every non-zero count to `sink` (block entries from `cache`, where the run loop counted them), then
    /// [`reset`](Counters::reset)s. Blocks come in no particular order (the profile sorts them).
    pub fn drain(&mut self, cache: &mut BlockCache, sink: &mut impl Sink) {
        // A block dropped and rebuilt with the same code comes twice: add up first, so that its incomplete
        // entries are taken off its calls once.
        let mut counted: BTreeMap<(u64, u32), (u64, Term)> = BTreeMap::new();
        cache.take_counts(|c| {
            let e = counted.entry((c.start, c.len)).or_insert((0, c.term));
            *e = (e.0.saturating_add(c.entries), c.term);
        });
        // Rebuilt at the same start with another length (its code changed): one block to the profile, of the
        // longest length.
        let mut blocks: BTreeMap<u64, (u32, u64)> = BTreeMap::new();
        let mut calls: BTreeMap<u64, u64> = BTreeMap::new();
        for (&(start, len), &(entries, term)) in &counted {
            let b = blocks.entry(start).or_insert((0, 0));
            b.0 = b.0.max(len);
            b.1 = b.1.saturating_add(entries);
            // BL targets are static: a block ending in BL called its target once per completed entry.
            if let Term::Call { target } = term {
                let incomplete = self.incomplete.get(&(start, len)).copied().unwrap_or(0);
                let done = entries.saturating_sub(incomplete);
                if done > 0 {
                    let c = calls.entry(target).or_insert(0);
                    *c = c.saturating_add(done);
                }
            }
        }
        for (pc, (len, entries)) in blocks {
            sink.block(pc, len, entries);
        }
        for e in self.indirect.entries() {
            sink.indirect(e.site, e.kind, e.target, e.count);
            if e.kind == IndirectKind::Blr {
                *calls.entry(e.target).or_insert(0) += e.count;
            }
        }
        for (target, count) in calls {
            sink.call(target, count);
        }
        for (&pc, &count) in &self.aot_misses {
            sink.aot_miss(pc, count);
        }
        self.reset(cache);
    }
}

/// Receives the counts of [`Counters::drain`].
pub trait Sink {
    fn block(&mut self, pc: u64, len_insns: u32, entries: u64);
    fn call(&mut self, target: u64, count: u64);
    fn indirect(&mut self, site: u64, kind: IndirectKind, target: u64, count: u64);
    fn aot_miss(&mut self, pc: u64, count: u64);
}

/// One (site, kind, target) count.
#[derive(Clone, Copy, Debug)]
struct PairEntry {
    site: u64,
    target: u64,
    count: u64,
    kind: IndirectKind,
}

/// Open-addressing hash table (linear probing, power-of-two size, at most half full) of indirect-branch counts.
#[derive(Debug, Default)]
struct PairTable {
    table: Vec<Option<PairEntry>>,
    len: usize,
}

impl PairTable {
    #[inline(always)]
    fn hash(site: u64, target: u64) -> usize {
        let h = (site ^ target.rotate_left(29)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        (h >> 32) as usize
    }

    #[inline]
    fn add(&mut self, site: u64, kind: IndirectKind, target: u64, count: u64) {
        if (self.len + 1) * 2 > self.table.len() {
            self.grow();
        }
        let mask = self.table.len() - 1;
        let mut i = Self::hash(site, target) & mask;
        loop {
            match &mut self.table[i] {
                Some(e) if e.site == site && e.target == target && e.kind == kind => {
                    e.count = e.count.saturating_add(count);
                    return;
                }
                Some(_) => i = (i + 1) & mask,
                slot @ None => {
                    *slot = Some(PairEntry {
                        site,
                        target,
                        count,
                        kind,
                    });
                    self.len += 1;
                    return;
                }
            }
        }
    }

    #[cold]
    fn grow(&mut self) {
        let size = (self.table.len() * 2).max(64);
        let old = core::mem::replace(&mut self.table, alloc::vec![None; size]);
        self.len = 0;
        for e in old.into_iter().flatten() {
            self.add(e.site, e.kind, e.target, e.count);
        }
    }

    fn entries(&self) -> impl Iterator<Item = &PairEntry> {
        self.table.iter().flatten()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::decode;
    use crate::eval::Op;
    use alloc::vec;

    const NOP: u32 = 0xd503_201f;

    fn block(start: u64, len: usize, term: Term) -> Block {
        Block::new(start, vec![Op::new(decode(NOP)); len], term)
    }

    #[derive(Default)]
    struct Collect {
        blocks: Vec<(u64, u32, u64)>,
        calls: Vec<(u64, u64)>,
        indirect: Vec<(u64, IndirectKind, u64, u64)>,
        aot: Vec<(u64, u64)>,
    }

    impl Sink for Collect {
        fn block(&mut self, pc: u64, len: u32, entries: u64) {
            self.blocks.push((pc, len, entries));
        }
        fn call(&mut self, target: u64, count: u64) {
            self.calls.push((target, count));
        }
        fn indirect(&mut self, site: u64, kind: IndirectKind, target: u64, count: u64) {
            self.indirect.push((site, kind, target, count));
        }
        fn aot_miss(&mut self, pc: u64, count: u64) {
            self.aot.push((pc, count));
        }
    }

    fn drain(c: &mut Counters, cache: &mut BlockCache) -> Collect {
        let mut s = Collect::default();
        c.drain(cache, &mut s);
        s.indirect.sort();
        s.blocks.sort();
        s
    }

    /// A block run to its end (entered, then left for `next` with stack pointer `sp`).
    fn run(c: &mut Counters, b: &Block, next: u64, sp: u64) {
        c.enter(b);
        c.completed(b, next, sp);
    }

    #[test]
    fn terminators_from_words() {
        // Encodings as objdump prints them: `bl 405aa0` at 0x4008f8, `blr x2`, `br x17`, `ret`.
        assert_eq!(
            Term::of(0x9400_146a, 0x4008f8),
            Term::Call { target: 0x405aa0 }
        );
        // imm26 = all ones: BL to the previous instruction (ARM ARM: offset = SignExtend(imm26:'00')).
        assert_eq!(Term::of(0x97ff_ffff, 0x1000), Term::Call { target: 0xffc });
        assert_eq!(Term::of(0xd63f_0040, 0), Term::CallIndirect);
        assert_eq!(Term::of(0xd61f_0220, 0), Term::JumpIndirect);
        assert_eq!(Term::of(0xd65f_03c0, 0), Term::Return);
        // B (not BL), RETAA (PAuth form) and B.cond are none of these.
        assert_eq!(Term::of(0x17ff_fffd, 0), Term::Other);
        assert_eq!(Term::of(0xd65f_0bff, 0), Term::Other);
        assert_eq!(Term::of(0x5400_0040, 0), Term::Other);
    }

    #[test]
    fn calls_returns_and_indirect_sites() {
        let mut c = Counters::new();
        let mut cache = BlockCache::new();
        let caller = cache.insert(block(0x1000, 3, Term::Call { target: 0x2000 }));
        let callee = cache.insert(block(0x2000, 2, Term::Return));
        let icall = cache.insert(block(0x3000, 1, Term::CallIndirect));
        let jump = cache.insert(block(0x4000, 4, Term::JumpIndirect));
        let b = |id| cache.block(id);
        let sp = 0x8000;
        for _ in 0..5 {
            run(&mut c, b(caller), 0x2000, sp);
            run(&mut c, b(callee), 0x100c, sp); // back to the caller: not recorded
        }
        run(&mut c, b(icall), 0x2000, sp);
        run(&mut c, b(callee), 0x3004, sp);
        run(&mut c, b(jump), 0x5000, sp);
        run(&mut c, b(jump), 0x6000, sp);
        c.aot_miss(0x7000);
        let s = drain(&mut c, &mut cache);
        assert_eq!(
            s.blocks,
            [
                (0x1000, 3, 5),
                (0x2000, 2, 6),
                (0x3000, 1, 1),
                (0x4000, 4, 2)
            ]
        );
        assert_eq!(s.calls, [(0x2000, 6)]);
        assert_eq!(
            s.indirect,
            [
                (0x3000, IndirectKind::Blr, 0x2000, 1),
                (0x400c, IndirectKind::Br, 0x5000, 1),
                (0x400c, IndirectKind::Br, 0x6000, 1),
            ]
        );
        assert_eq!(s.aot, [(0x7000, 1)]);
        // Drained means reset.
        let s = drain(&mut c, &mut cache);
        assert!(
            s.blocks.is_empty() && s.calls.is_empty() && s.indirect.is_empty() && s.aot.is_empty()
        );
    }

    #[test]
    fn return_elsewhere_and_abandoned_frames() {
        let mut c = Counters::new();
        let outer = block(0x1000, 1, Term::Call { target: 0x2000 });
        let inner = block(0x2000, 1, Term::Call { target: 0x3000 });
        let ret = block(0x3000, 1, Term::Return);
        let mut cache = BlockCache::new();
        // outer calls at sp 0x8000, inner at 0x7f00; then a RET with sp back at 0x8000 to outer's return address:
        // the inner frame was abandoned (longjmp by BR); an ordinary return.
        run(&mut c, &outer, 0x2000, 0x8000);
        run(&mut c, &inner, 0x3000, 0x7f00);
        run(&mut c, &ret, 0x1004, 0x8000);
        assert!(drain(&mut c, &mut cache).indirect.is_empty());
        // A RET to an address no call pushed: recorded.
        run(&mut c, &outer, 0x2000, 0x8000);
        run(&mut c, &ret, 0x9999, 0x8000);
        assert_eq!(
            drain(&mut c, &mut cache).indirect,
            [(0x3000, IndirectKind::RetNotToCaller, 0x9999, 1)]
        );
    }

    #[test]
    fn stopped_blocks_do_not_count_calls_and_dropped_blocks_keep_counts() {
        let mut c = Counters::new();
        let mut cache = BlockCache::new();
        let call = cache.insert(block(0x1000, 4, Term::Call { target: 0x2000 }));
        run(&mut c, cache.block(call), 0x2000, 0);
        c.enter(cache.block(call));
        c.stopped(cache.block(call), false); // faulted inside: the BL did not run
        let other = cache.insert(block(0x5000, 2, Term::Other));
        c.enter(cache.block(other));
        // Both dropped (their code changed), then rebuilt: the counts of the dropped ones are kept. The call
        // block comes back as it was (same code), the other one longer: counted apart, merged when drained
        // (the longest length, the entries summed).
        cache.invalidate(0x1000, 0x5000);
        let call = cache.insert(block(0x1000, 4, Term::Call { target: 0x2000 }));
        let longer = cache.insert(block(0x5000, 3, Term::Other));
        run(&mut c, cache.block(call), 0x2000, 0);
        c.enter(cache.block(longer));
        c.enter(cache.block(longer));
        let s = drain(&mut c, &mut cache);
        assert_eq!(s.blocks, [(0x1000, 4, 3), (0x5000, 3, 3)]);
        // Three entries of the BL block, one of which stopped before its BL.
        assert_eq!(s.calls, [(0x2000, 2)]);
        // A cleared cache (execve) keeps the counts too.
        c.enter(cache.block(longer));
        cache.clear();
        assert_eq!(drain(&mut c, &mut cache).blocks, [(0x5000, 3, 1)]);
    }

    #[test]
    fn reset_forgets_counts_but_not_calls_in_flight() {
        let mut c = Counters::new();
        let mut cache = BlockCache::new();
        let call = cache.insert(block(0x1000, 1, Term::Call { target: 0x2000 }));
        let ret = cache.insert(block(0x2000, 1, Term::Return));
        run(&mut c, cache.block(call), 0x2000, 0x8000);
        c.reset(&mut cache); // fork: the child returns from the call the parent made
        run(&mut c, cache.block(ret), 0x1004, 0x8000);
        let s = drain(&mut c, &mut cache);
        assert_eq!(s.blocks, [(0x2000, 1, 1)]);
        assert!(s.calls.is_empty() && s.indirect.is_empty());
    }

    #[test]
    fn indirect_table_grows() {
        let mut t = PairTable::default();
        for i in 0..1000u64 {
            t.add(0x40, IndirectKind::Br, i * 4, i + 1);
            t.add(0x40, IndirectKind::Br, i * 4, 1);
        }
        assert_eq!(t.entries().count(), 1000);
        let sum: u64 = t.entries().map(|e| e.count).sum();
        assert_eq!(sum, (1..=1000).sum::<u64>() + 1000);
    }
}
