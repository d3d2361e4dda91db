//! elfrun's ahead-of-time tier: turns an AArch64 ELF and its profiles into a bundle — one Wasm module of lifted
//! guest code plus a manifest — that the runtime (`rt`) runs in wasmer, falling back to the interpreter for
//! anything the bundle does not cover.
//!
//! Owns: code discovery ([`discover`], over the ELF as [`image`] reads it, with [`jump_table`] recovery), `Lift` (an implementation of `elfrun_interp::Sem` that emits Wasm with
//! wasm-encoder, in [`lift`]), module assembly, the bundle format ([`bundle`]) and the ABI between lifted code
//! and the runtime ([`abi`]).
//! Must not: execute guest code or use wasmer — running bundles is the runtime's job. Instruction semantics are
//! never written here: they are `elfrun_interp::a64`'s, run over `Lift`.
//!
//! Functions are lifted in parallel with rayon; the output does not depend on the thread count (functions are
//! sorted by entry address and collected in order).

pub mod abi;
pub mod bundle;
pub mod discover;
pub mod image;
pub mod jump_table;
pub mod lift;
mod module;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// Profiled targets of one indirect branch that lifted code compares against before asking the runtime.
const MAX_DEVIRT: usize = 16;
use std::sync::atomic::{AtomicUsize, Ordering};

use elfrun_interp::a64::branch::Branch;
use elfrun_profiles::{IndirectKind, Profile};

use crate::lift::{FnPlan, Outlined};
use rayon::prelude::*;

pub use bundle::{BuildStats, Bundle, BundleError, Entry};

/// Why a build failed.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("cannot read the ELF file: {0}")]
    Elf(String),
    #[error("profile is for another binary (ELF hash {found}, expected {expected})")]
    ProfileMismatch { expected: String, found: String },
    #[error("internal error: the lifted module does not validate: {0}")]
    Invalid(String),
}

/// What to build from.
#[derive(Debug)]
pub struct BuildInput<'a> {
    /// The ELF file's bytes.
    pub elf: &'a [u8],
    /// Where the runtime loads it (0 for ET_EXEC; the static-pie base otherwise).
    pub bias: u64,
    pub profiles: &'a [Profile],
    /// The profiles' file hashes, recorded in the manifest.
    pub profile_sha256: Vec<[u8; 32]>,
    pub elfrun_version: &'a str,
    pub scope: Scope,
    /// The engine that will compile the module computes `f32x4.relaxed_madd` and `f64x2.relaxed_madd` fused,
    /// with one rounding (what [`fused_madd_probe`] checks): fused multiply-adds then take one such operation
    /// where they would otherwise be emulated exactly (some 60 Wasm operations for a double). The bundle
    /// records it in its translator string, so that an engine that does not fuse never runs it.
    pub fused_madd: bool,
}

/// Which of the code static discovery finds goes into the bundle.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Scope {
    /// Everything discovery finds (the functions reachable from the entry point, symbols, `.eh_frame` FDEs,
    /// init/fini arrays, validated address-taken candidates, profiled targets).
    #[default]
    All,
    /// Only the functions whose code the profiles saw run (executed blocks, call and indirect targets, AOT
    /// misses): a smaller module that compiles and loads faster. Code outside it runs in the interpreter, which
    /// records it as a miss for the next build.
    Profiled,
}

/// Progress callbacks of a build: `(done, total)` lifted functions.
pub type Progress<'a> = &'a (dyn Fn(usize, usize) + Sync);

/// What a build produced: the bundle, and what discovery found where (for the build summary).
#[derive(Debug)]
pub struct Built {
    pub bundle: Bundle,
    pub discovery: discover::DiscoveryStats,
    /// Guest loops that also run as SIMD128 vectors (`lift::vector`).
    pub vector_loops: u64,
    /// Loops of one block lifted as functions of their own (`outline`).
    pub outlined_loops: u64,
    /// Loops of one block peeled where the code before them falls in (`peel`).
    pub peeled_loops: u64,
    /// Loops whose code runs several times per back edge (`unroll`).
    pub unrolled_loops: u64,
}

/// Guest instructions a loop of several blocks must run per entry (as profiled) to be outlined; at most
/// this many instructions in its blocks.
const NEST_PER_ENTRY: u64 = 512;
const NEST_MAX_INSNS: usize = 1024;
/// Share of the profiled guest instructions a one-block loop must account for to be outlined.
const OUTLINE_SHARE: u64 = 50;
/// Iterations per entry a one-block loop must run (as profiled) to be outlined: the call costs a few dozen
/// instructions each time the loop is entered.
const OUTLINE_ITERATIONS: u64 = 64;
/// Share of the profiled guest instructions a one-block loop must account for to be peeled.
const PEEL_SHARE: u64 = 100;
/// Most copies of a loop's block peeled in front of it, and most instructions in all of them. (intmix's CRC
/// loops, 8 iterations of 7 instructions inside `main`'s hot loop, ran 5% slower as 8 copies.)
const PEEL_COPIES: u64 = 4;
const PEEL_INSNS: u64 = 256;
/// Share of the profiled guest instructions a loop must account for to be unrolled.
const UNROLL_SHARE: u64 = 1000;
/// Copies of a loop's code per back edge: 4 for a loop of at most `UNROLL_SHORT` instructions, 2 for one of at
/// most `UNROLL_INSNS`.
const UNROLL_SHORT: usize = 16;
const UNROLL_INSNS: usize = 64;

/// The profiles' counts per profiled block (the interpreter's: from a branch target to the next branch), for
/// the decisions about one-block loops.
struct BlockCounts {
    /// Start → (executed instructions, entries, end).
    counts: BTreeMap<u64, (u64, u64, u64)>,
    /// Executed instructions in all.
    total: u64,
}

impl BlockCounts {
    fn new(profiles: &[Profile]) -> BlockCounts {
        let mut counts: BTreeMap<u64, (u64, u64, u64)> = BTreeMap::new();
        let mut total = 0u64;
        for p in profiles {
            for (&pc, b) in &p.blocks {
                let c = counts.entry(pc).or_default();
                c.0 += b.executed_insns();
                c.1 += b.entries;
                c.2 = c.2.max(pc + 4 * u64::from(b.len_insns));
                total += b.executed_insns();
            }
        }
        BlockCounts { counts, total }
    }

    /// Instructions executed in the profiled block at `start`.
    fn executed(&self, start: u64) -> u64 {
        self.counts.get(&start).map_or(0, |c| c.0)
    }

    /// Whether the block at `start` ran at least a `1 / share` part of all profiled instructions.
    fn hot(&self, start: u64, share: u64) -> bool {
        self.share(self.executed(start), share)
    }

    /// Whether `executed` instructions are at least a `1 / share` part of all profiled instructions.
    fn share(&self, executed: u64, share: u64) -> bool {
        executed > 0 && executed >= self.total / share
    }

    /// Back edges per entry of the loop whose block starts at `start`. A loop's block is entered by its back
    /// edge and by jumps to it; falling into it from the code before is part of that code's profiled block
    /// (which also ran the first iteration). Its entries over those of the block falling in; 0 for a loop only
    /// jumped to (its entries are not known apart from its iterations).
    fn per_entry(&self, start: u64) -> u64 {
        let Some(&(_, iters, _)) = self.counts.get(&start) else {
            return 0;
        };
        let fall_in = self.fall_in(start);
        iters / fall_in.max(1) * u64::from(fall_in > 0)
    }

    /// Entries of the profiled block that runs into `start` (0 if none does).
    fn fall_in(&self, start: u64) -> u64 {
        self.counts
            .range(..start)
            .rev()
            .take(8)
            .find(|(_, c)| c.2 >= start)
            .map_or(0, |(_, c)| c.1)
    }

    /// Instructions executed in the profiled blocks that start in `[from, to)`.
    fn executed_in(&self, from: u64, to: u64) -> u64 {
        self.counts.range(from..to).map(|(_, c)| c.0).sum()
    }

    /// Instructions executed in blocks `blocks` of `f` (a loop's).
    fn executed_in_blocks(&self, f: &FnPlan, blocks: &[usize]) -> u64 {
        blocks
            .iter()
            .map(|&b| self.executed_in(f.blocks[b].start, f.blocks[b].end()))
            .sum()
    }

    /// Whether any of `f`'s code ran in the profiles.
    fn ran(&self, f: &FnPlan) -> bool {
        f.blocks
            .iter()
            .any(|b| self.executed_in(b.start, b.end()) > 0)
    }
}

/// The blocks of `functions` that branch back to their own start (other than a function's entry) and ran.
fn one_block_loops<'a>(
    functions: &'a [FnPlan],
    counts: &'a BlockCounts,
) -> impl Iterator<Item = &'a lift::BlockPlan> + 'a {
    functions.iter().flat_map(move |f| {
        f.blocks.iter().filter(move |b| {
            b.start != f.entry
                && counts.executed(b.start) > 0
                && b.insns.last().is_some_and(|&last| {
                    discover::successors(last, b.end() - 4)
                        .is_some_and(|s| s.local.contains(&b.start))
                })
        })
    })
}

/// Gives each hot loop of one block (a block that branches back to its own start, not a function's entry) a
/// lifted function of its own, and each hot loop of several blocks that runs long per entry (a loop nest: an
/// inner loop of a few iterations inside an outer one), appended to `functions`; returns them by header. The
/// function around the loop calls it there ([`lift::ModuleInfo::outlined`]). In a big function — a `main`
/// with dozens of live registers and many loops — Cranelift's register allocator keeps the loop's registers
/// in stack slots, storing and reloading them every iteration; alone, the loop has its few registers to
/// itself.
fn outline(
    functions: &mut Vec<FnPlan>,
    counts: &BlockCounts,
    fused: bool,
) -> HashMap<u64, Outlined> {
    let mut outlined = HashMap::new();
    let mut plans: Vec<FnPlan> = Vec::new();
    let mut add = |outlined: &mut HashMap<u64, Outlined>, plan: FnPlan| {
        let inside = |pc: u64| plan.blocks.iter().any(|b| b.start == pc);
        let mut exits: Vec<u64> = plan
            .blocks
            .iter()
            .flat_map(|b| b.targets())
            .filter(|&t| !inside(t))
            .collect();
        exits.sort_unstable();
        exits.dedup();
        let func = (functions.len() + plans.len()) as u32;
        let block = plan.blocks.iter().position(|b| b.start == plan.entry);
        let block = block.expect("a loop's header is one of its blocks") as u32;
        outlined.insert(plan.entry, Outlined { func, block, exits });
        plans.push(plan);
    };
    for b in one_block_loops(functions, counts) {
        if !counts.hot(b.start, OUTLINE_SHARE)
            || counts.per_entry(b.start) < OUTLINE_ITERATIONS
            || lift::vectorisable(b, fused)
            || outlined.contains_key(&b.start)
        {
            continue;
        }
        tracing::debug!(
            "outlined loop at {:#x}: {} iterations per entry, {} instructions",
            b.start,
            counts.per_entry(b.start),
            counts.executed(b.start)
        );
        let plan = FnPlan {
            entry: b.start,
            blocks: vec![b.clone()],
        };
        add(&mut outlined, plan);
    }
    // Loops of several blocks, innermost first; a loop holding an outlined nest is left alone (one holding an
    // outlined one-block loop calls it).
    let mut nests = Vec::new();
    for f in functions.iter() {
        if !counts.ran(f) {
            continue;
        }
        let mut loops = lift::loops(f);
        loops.retain(|(_, blocks)| blocks.len() > 1);
        loops.sort_by_key(|(_, blocks)| blocks.len());
        let mut taken: Vec<Vec<usize>> = Vec::new();
        for (head, blocks) in loops {
            let start = f.blocks[head].start;
            let insns: usize = blocks.iter().map(|&b| f.blocks[b].insns.len()).sum();
            if start == f.entry
                || outlined.contains_key(&start)
                || insns > NEST_MAX_INSNS
                || taken.iter().any(|t| t.iter().any(|b| blocks.contains(b)))
            {
                continue;
            }
            // Its entries are estimated as those of the profiled block that falls into its header.
            let executed = counts.executed_in_blocks(f, &blocks);
            let entries = counts.fall_in(start);
            if entries == 0
                || !counts.share(executed, OUTLINE_SHARE)
                || executed / entries < NEST_PER_ENTRY
            {
                continue;
            }
            // Entered only at its header.
            let starts: HashSet<u64> = blocks.iter().map(|&j| f.blocks[j].start).collect();
            let other_entry = f.blocks.iter().enumerate().any(|(i, b)| {
                !blocks.contains(&i)
                    && b.targets()
                        .iter()
                        .any(|&t| t != start && starts.contains(&t))
            });
            if other_entry {
                continue;
            }
            tracing::debug!(
                "outlined loop nest at {start:#x}: {} blocks, {} instructions per entry",
                blocks.len(),
                executed / entries
            );
            let plan = FnPlan {
                entry: start,
                blocks: blocks.iter().map(|&b| f.blocks[b].clone()).collect(),
            };
            taken.push(blocks);
            nests.push(plan);
        }
    }
    for plan in nests {
        add(&mut outlined, plan);
    }
    functions.extend(plans);
    outlined
}

/// Hot loops of one block that run a few iterations per entry (as profiled), neither outlined nor vectorised:
/// start → copies of the block that code falling into the loop runs first ([`lift::ModuleInfo::peeled`]).
/// The copies are straight-line code: no back edge, no fuel, and what the code before the loop set up (a
/// counter, table pointers) stays constant for Cranelift to fold, bounds checks included.
fn peel(
    functions: &[FnPlan],
    counts: &BlockCounts,
    outlined: &HashMap<u64, Outlined>,
    fused: bool,
) -> HashMap<u64, u32> {
    let mut peeled = HashMap::new();
    for b in one_block_loops(functions, counts) {
        let copies = counts.per_entry(b.start) + 1;
        if !counts.hot(b.start, PEEL_SHARE)
            || !(2..=PEEL_COPIES).contains(&copies)
            || copies * b.insns.len() as u64 > PEEL_INSNS
            || !matches!(
                b.insns.last(),
                Some(elfrun_interp::Insn::Branch(
                    Branch::CondBr { .. } | Branch::Cbz { .. } | Branch::Tbz { .. }
                ))
            )
            || outlined.contains_key(&b.start)
            || lift::vectorisable(b, fused)
        {
            continue;
        }
        tracing::debug!("peeled loop at {:#x}: {copies} copies", b.start);
        peeled.insert(b.start, copies as u32);
    }
    peeled
}

/// Hot loops of one block that run long per entry (as profiled), not vectorised, and hot innermost loops of
/// several blocks: header → copies of the loop's code lifted per back edge ([`lift::ModuleInfo::unrolled`]).
/// Each back edge pays one unit of fuel and carries every register across it; with the code lifted `copies`
/// times in a row inside the loop, the branches back of all but the last copy go on to the next, so only
/// one in `copies` iterations pays (mlp's 16-iteration SIMD loops, intmix's list reversal and search, primes'
/// trial division, memstr's string scans).
fn unroll(
    functions: &[FnPlan],
    counts: &BlockCounts,
    peeled: &HashMap<u64, u32>,
    fused: bool,
) -> HashMap<u64, u32> {
    let mut unrolled = HashMap::new();
    for b in one_block_loops(functions, counts) {
        let copies = if b.insns.len() <= UNROLL_SHORT { 4 } else { 2 };
        // Iterations per entry, the first one included; 1 when the loop is only jumped to (not known).
        let iterations = counts.per_entry(b.start) + 1;
        if !counts.hot(b.start, UNROLL_SHARE)
            || b.insns.len() > UNROLL_INSNS
            || (iterations > 1 && iterations < copies)
            || peeled.contains_key(&b.start)
            || lift::vectorisable(b, fused)
        {
            continue;
        }
        tracing::debug!("unrolled loop at {:#x}: {copies} copies", b.start);
        unrolled.insert(b.start, copies as u32);
    }
    // Innermost loops of several blocks (no other loop's header inside), headed by a block that does not
    // branch to itself (that one is a loop of one block, above), at most `UNROLL_INSNS` instructions in all:
    // as many copies as a loop of one block of that size.
    for f in functions.iter().filter(|f| counts.ran(f)) {
        let loops = lift::loops(f);
        for (head, blocks) in &loops {
            let start = f.blocks[*head].start;
            let insns: usize = blocks.iter().map(|&b| f.blocks[b].insns.len()).sum();
            if blocks.len() < 2
                || insns > UNROLL_INSNS
                || !counts.share(counts.executed_in_blocks(f, blocks), UNROLL_SHARE)
                || f.blocks[*head].targets().contains(&start)
                || loops.iter().any(|(h, _)| h != head && blocks.contains(h))
            {
                continue;
            }
            let copies = if insns <= UNROLL_SHORT { 4 } else { 2 };
            tracing::debug!(
                "unrolled loop at {start:#x}: {} blocks, {copies} copies",
                blocks.len()
            );
            unrolled.insert(start, copies);
        }
    }
    unrolled
}

/// Builds the bundle for `input`.
pub fn build(input: &BuildInput<'_>, progress: Progress<'_>) -> Result<Built, BuildError> {
    let elf_hash = elfrun_profiles::binary_hash(input.elf);
    for p in input.profiles {
        if p.elf_hash != elf_hash {
            return Err(BuildError::ProfileMismatch {
                expected: elfrun_profiles::hex(&elf_hash),
                found: p.elf_hash_hex(),
            });
        }
    }
    let image = discover::Image::from_elf(input.elf, input.bias)?;
    let mut roots = BTreeSet::new();
    let mut entries = BTreeSet::new();
    // Profiled targets of BR/BLR sites, most frequent first (a few per site: a compare chain in Lift).
    let mut site_targets: BTreeMap<u64, BTreeMap<u64, u64>> = BTreeMap::new();
    // Where an earlier bundle's code handed control back: floating-point slow paths there call the helper.
    let handed_back: HashSet<u64> = input
        .profiles
        .iter()
        .flat_map(|p| p.aot_misses.keys().copied())
        .collect();
    for p in input.profiles {
        roots.extend(p.call_targets.keys().copied());
        entries.extend(p.blocks.keys().copied());
        entries.extend(p.aot_misses.keys().copied());
        for (site, targets) in &p.indirect {
            if site.kind == IndirectKind::Blr {
                roots.extend(targets.keys().copied());
            }
            entries.extend(targets.keys().copied());
            if site.kind != IndirectKind::RetNotToCaller {
                let m = site_targets.entry(site.pc).or_default();
                for (&t, &n) in targets {
                    *m.entry(t).or_default() += n;
                }
            }
        }
    }
    let mut indirect: HashMap<u64, Vec<u64>> = site_targets
        .into_iter()
        .map(|(site, m)| {
            let mut v: Vec<(u64, u64)> = m.into_iter().collect();
            v.sort_by_key(|&(t, n)| (std::cmp::Reverse(n), t));
            (
                site,
                v.into_iter().take(MAX_DEVIRT).map(|(t, _)| t).collect(),
            )
        })
        .collect();
    // Every profiled address is in `entries` (block starts, misses, indirect targets) or `roots` (calls).
    let ran: BTreeSet<u64> = entries.union(&roots).copied().collect();
    let keep = (input.scope == Scope::Profiled).then_some(&ran);
    let found = discover::discover(&image, &roots, &entries, &indirect, keep);
    // A recovered jump table's targets join the BR's profiled ones (after them: those are the frequent ones).
    for (site, targets) in &found.jump_tables {
        let known = indirect.entry(*site).or_default();
        for &t in targets {
            if !known.contains(&t) {
                known.push(t);
            }
        }
    }

    // Hot loops of one block get a Wasm function of their own ([`outline`]).
    let mut functions = found.functions.clone();
    let counts = BlockCounts::new(input.profiles);
    let outlined = outline(&mut functions, &counts, input.fused_madd);
    // Loops of one block running a few iterations per entry are peeled ([`peel`]).
    let peeled = peel(&functions, &counts, &outlined, input.fused_madd);
    // Long-running ones run several copies of their block per back edge ([`unroll`]).
    let unrolled = unroll(&functions, &counts, &peeled, input.fused_madd);
    let total = functions.len();
    let mut stats = BuildStats {
        functions: total as u64,
        code_bytes: image.code_bytes() as u64,
        ..BuildStats::default()
    };
    let mut table: Vec<Entry> = Vec::new();
    let mut blocks_per_function = Vec::with_capacity(total);
    let mut callees = HashMap::new();
    for (fi, plan) in functions.iter().enumerate() {
        blocks_per_function.push(plan.blocks.len() as u32);
        stats.blocks += plan.blocks.len() as u64;
        for (bi, b) in plan.blocks.iter().enumerate() {
            table.push(Entry {
                pc: b.start,
                func: fi as u32,
                block: bi as u32,
            });
            if b.start == plan.entry {
                callees.insert(plan.entry, (fi as u32, bi as u32));
            }
        }
    }
    // One entry per pc: prefer the function that starts there, else the first function covering it.
    table.sort_by_key(|e| (e.pc, callees.get(&e.pc) != Some(&(e.func, e.block)), e.func));
    table.dedup_by_key(|e| e.pc);
    let global: HashMap<u64, (u32, u32)> =
        table.iter().map(|e| (e.pc, (e.func, e.block))).collect();

    let done = AtomicUsize::new(0);
    let info = lift::ModuleInfo {
        global: &global,
        callees: &callees,
        indirect: &indirect,
        handed_back: &handed_back,
        outlined: &outlined,
        peeled: &peeled,
        unrolled: &unrolled,
        plans: &functions,
        nzcv_func: module::nzcv_index(total),
        fused_madd: input.fused_madd,
    };
    let lifted: Vec<_> = functions
        .par_iter()
        .map(|plan| {
            let r = lift::Lift::function(plan, &info);
            progress(done.fetch_add(1, Ordering::Relaxed) + 1, total);
            r
        })
        .collect();
    // What each function may touch, with everything it calls: call sites move only those registers.
    let own: Vec<_> = lifted.iter().map(|l| l.summary()).collect();
    let edges: Vec<Vec<u32>> = lifted.iter().map(|l| l.edges().to_vec()).collect();
    let summaries = lift::transitive(&own, &edges);
    let lifted: Vec<_> = lifted
        .into_par_iter()
        .map(|l| l.finish(&summaries))
        .collect();

    let mut bodies = Vec::with_capacity(total);
    let mut vector_loops = 0;
    for (f, s) in lifted {
        stats.lifted += s.lifted;
        stats.fallback += s.fallback;
        vector_loops += s.vector_loops;
        bodies.push(f);
    }
    let entries: Vec<u64> = functions.iter().map(|p| p.entry).collect();
    let wasm = module::assemble(bodies, &entries);
    validate(&wasm)?;
    let bundle = Bundle {
        elf_hash,
        profile_sha256: input.profile_sha256.clone(),
        elfrun_version: input.elfrun_version.to_string(),
        translator: bundle::translator(input.fused_madd),
        stats,
        blocks_per_function,
        entries: table,
        wasm,
    };
    Ok(Built {
        bundle,
        discovery: found.stats,
        vector_loops,
        outlined_loops: outlined.len() as u64,
        peeled_loops: peeled.len() as u64,
        unrolled_loops: unrolled.len() as u64,
    })
}

/// A module that tells whether an engine fuses relaxed multiply-adds: it exports `f64(x, y, z) -> f64` and
/// `f32(x, y, z) -> f32`, each `x·y + z` by `f64x2.relaxed_madd` / `f32x4.relaxed_madd` on splatted operands
/// (lane 0 returned), the way lifted code uses them when [`BuildInput::fused_madd`] is set. The runtime runs
/// them on operands whose fused and unfused results differ before it sets that option.
pub fn fused_madd_probe() -> Vec<u8> {
    use wasm_encoder::{
        CodeSection, ExportKind, ExportSection, Function, FunctionSection, Instruction as I,
        Module, TypeSection, ValType,
    };
    let mut types = TypeSection::new();
    types.ty().function([ValType::F64; 3], [ValType::F64]);
    types.ty().function([ValType::F32; 3], [ValType::F32]);
    let mut funcs = FunctionSection::new();
    funcs.function(0);
    funcs.function(1);
    let mut exports = ExportSection::new();
    exports.export("f64", ExportKind::Func, 0);
    exports.export("f32", ExportKind::Func, 1);
    let mut codes = CodeSection::new();
    for (splat, madd, extract) in [
        (I::F64x2Splat, I::F64x2RelaxedMadd, I::F64x2ExtractLane(0)),
        (I::F32x4Splat, I::F32x4RelaxedMadd, I::F32x4ExtractLane(0)),
    ] {
        let mut f = Function::new([]);
        for i in 0..3 {
            f.instruction(&I::LocalGet(i));
            f.instruction(&splat);
        }
        f.instruction(&madd);
        f.instruction(&extract);
        f.instruction(&I::End);
        codes.function(&f);
    }
    let mut m = Module::new();
    m.section(&types)
        .section(&funcs)
        .section(&exports)
        .section(&codes);
    m.finish()
}

/// Checks the module with wasmparser (the Wasm features wasmer's Cranelift backend supports).
pub fn validate(wasm: &[u8]) -> Result<(), BuildError> {
    let features = wasmparser::WasmFeatures::default()
        | wasmparser::WasmFeatures::THREADS
        | wasmparser::WasmFeatures::WIDE_ARITHMETIC
        | wasmparser::WasmFeatures::RELAXED_SIMD;
    wasmparser::Validator::new_with_features(features)
        .validate_all(wasm)
        .map(|_| ())
        .map_err(|e| BuildError::Invalid(e.to_string()))
}
