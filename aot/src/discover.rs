//! Code discovery: which guest addresses are code, grouped into functions of basic blocks.
//!
//! Function entries ("roots") come from, in this order (a root is credited to the first [`Source`] offering it,
//! and [`DiscoveryStats`] counts them): the ELF entry point, function symbols when present, `.eh_frame` FDEs,
//! the init/fini arrays (all three read by [`Image`]), the profiles' call and BLR targets, BL targets followed
//! transitively, and the profiles' executed block starts, indirect targets and AOT misses that no function
//! covers. When those are exhausted, **address-taken candidates** — ADR and ADRP+ADD pairs in the code found,
//! and 8-byte words of the file's segments holding a code address — become roots lowest first, one at a time,
//! if they pass [`validate`]; a candidate inside a found function's FDE range becomes a block start of that
//! function instead (a computed goto's label). The rule keeps a wrong root harmless: lifted code is the
//! semantics of the same bytes the interpreter would run, and a root never splits code already found, so a
//! false candidate can only cost Wasm.
//!
//! From each root the function's CFG is followed through direct and conditional branches and fall-through (a
//! BL's or BLR's return point, an SVC's successor); RET ends a path, a B to another root is a tail call and
//! running into another root's entry leaves the function. A BR's targets are part of its function: the
//! profiled ones, and those of a jump table recovered statically ([`jump_table`](crate::jump_table)). Once all
//! roots are known every function is explored again, so no code is lifted by two functions because one of
//! them was explored before the other's root was found. Every block start of every function becomes an entry
//! the runtime can enter, so a pc that any function covers is reachable without the interpreter. Code nobody
//! found stays the interpreter's, which records it for the next build.

use std::collections::{BTreeMap, BTreeSet, HashMap};

pub use crate::image::Image;
use crate::lift::{BlockPlan, FnPlan};
use elfrun_interp::Insn;
use elfrun_interp::a64::branch::Branch;
use elfrun_interp::decode;
use elfrun_interp::sem::BranchKind;

/// Where control can go after a straight-line run ends.
pub(crate) struct Succ {
    /// Targets inside the same function (conditional and direct branch targets, fall-through).
    pub(crate) local: Vec<u64>,
    /// A new function root (BL target).
    call: Option<u64>,
}

/// Decodes one instruction and what it does to control flow, if it ends a block.
pub(crate) fn successors(insn: Insn, pc: u64) -> Option<Succ> {
    let rel = |off: i32| pc.wrapping_add(off as i64 as u64);
    let next = pc.wrapping_add(4);
    let s = match insn {
        Insn::Branch(b) => match b {
            Branch::CondBr { offset, .. }
            | Branch::Cbz { offset, .. }
            | Branch::Tbz { offset, .. } => Succ {
                local: vec![rel(offset), next],
                call: None,
            },
            Branch::BImm {
                link: false,
                offset,
            } => Succ {
                local: vec![rel(offset)],
                call: None,
            },
            Branch::BImm { link: true, offset } => Succ {
                local: vec![next],
                call: Some(rel(offset)),
            },
            Branch::BrReg {
                kind: BranchKind::Call,
                ..
            }
            | Branch::Svc { .. }
            | Branch::Brk { .. } => Succ {
                local: vec![next],
                call: None,
            },
            Branch::BrReg { .. } => Succ {
                local: vec![],
                call: None,
            },
            _ => return None,
        },
        Insn::Undefined(_) => Succ {
            local: vec![],
            call: None,
        },
        _ => return None,
    };
    Some(s)
}

/// Where a function root came from, in the order sources are consulted (a root is credited to the first source
/// that offered it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Source {
    /// The ELF entry point.
    Entry,
    /// Function symbols.
    Symbol,
    /// `.eh_frame` FDEs.
    EhFrame,
    /// preinit/init/fini arrays, `DT_INIT`/`DT_FINI`.
    InitFini,
    /// Profiled call targets and BLR targets.
    Profile,
    /// BL targets of discovered code.
    Call,
    /// Profiled block starts, indirect targets and AOT misses no function covered.
    ProfileEntry,
    /// ADR / ADRP+ADD in discovered code forming a code address (validated).
    CodeRef,
    /// 8-byte words in the file's segments holding a code address (validated).
    DataWord,
}

impl Source {
    pub const ALL: [Source; 9] = [
        Source::Entry,
        Source::Symbol,
        Source::EhFrame,
        Source::InitFini,
        Source::Profile,
        Source::Call,
        Source::ProfileEntry,
        Source::CodeRef,
        Source::DataWord,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Source::Entry => "entry",
            Source::Symbol => "symbols",
            Source::EhFrame => "eh_frame",
            Source::InitFini => "init/fini",
            Source::Profile => "profile calls",
            Source::Call => "BL targets",
            Source::ProfileEntry => "profile entries",
            Source::CodeRef => "ADR/ADRP refs",
            Source::DataWord => "data words",
        }
    }
}

/// What each source contributed to a discovery.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DiscoveryStats {
    /// Distinct code addresses each source offered (before validation for the weak sources), by
    /// `Source as usize`.
    pub offered: [u64; 9],
    /// Function roots credited to each source (offered and not already a root from an earlier one).
    pub roots: [u64; 9],
    /// Address-taken candidates (code refs, data words) refused by validation.
    pub rejected: u64,
    /// Address-taken candidates that fell inside a function already found (not roots of their own).
    pub covered: u64,
    /// Address-taken candidates inside a found function's FDE range but not yet covered by it: explored as
    /// block starts of that function (computed-goto labels), not as roots.
    pub labels: u64,
    /// BR sites whose jump table was recovered statically, and the distinct targets those tables gave.
    pub jump_tables: u64,
    pub jump_table_targets: u64,
    /// Instructions of all functions, and distinct instruction addresses among them (the difference is code
    /// that more than one function covers).
    pub instructions: u64,
    pub distinct_instructions: u64,
}

impl DiscoveryStats {
    /// One line: `entry 1, eh_frame 1234/1300, …` (roots credited / addresses offered), then the tables.
    pub fn summary(&self) -> String {
        let mut parts: Vec<String> = Source::ALL
            .iter()
            .filter(|&&s| self.offered[s as usize] > 0)
            .map(|&s| {
                format!(
                    "{} {}/{}",
                    s.name(),
                    self.roots[s as usize],
                    self.offered[s as usize]
                )
            })
            .collect();
        parts.push(format!(
            "candidates rejected {}, inside known functions {}, labels of known functions {}",
            self.rejected, self.covered, self.labels
        ));
        parts.push(format!(
            "jump tables {} ({} targets), {} instructions ({} distinct)",
            self.jump_tables,
            self.jump_table_targets,
            self.instructions,
            self.distinct_instructions
        ));
        format!("roots (new/offered): {}", parts.join(", "))
    }
}

/// What discovery found.
#[derive(Debug, Default)]
pub struct Discovery {
    pub functions: Vec<FnPlan>,
    /// Targets of the jump tables recovered statically, by BR site (in the functions returned).
    pub jump_tables: HashMap<u64, Vec<u64>>,
    pub stats: DiscoveryStats,
}

/// Instructions a candidate's first straight-line run may have before it must end (see [`validate`]).
pub const MAX_CANDIDATE_RUN: usize = 256;

/// Whether an address-taken candidate `c` may become a function root. The rule — chosen so that a wrong root
/// only costs Wasm, never behaviour (lifted code is the semantics of the same bytes the interpreter would run,
/// and a root never splits code another function already covers) — is:
/// - `c` is 4-aligned and inside a code range of the image (an `SHF_EXECINSTR` section when there are section
///   headers, so pointers into `.rodata` do not count);
/// - the straight-line run from `c` decodes, without an undefined instruction, to a block-ending instruction
///   (branch, return, call, SVC) within [`MAX_CANDIDATE_RUN`] instructions;
/// - for a data word, the word before `c` must end a run (an unconditional branch or return, BRK/UDF) or be
///   padding (NOP, zero), or `c` must start its code range: pointers stored in data point at function starts,
///   and this keeps a constant that merely looks like an address from starting a function mid-code.
///
/// Candidates inside a function already found are not checked here: the caller never makes them roots.
pub fn validate(image: &Image, c: u64, source: Source) -> bool {
    if !c.is_multiple_of(4) || !image.in_code_range(c) {
        return false;
    }
    let mut pc = c;
    let mut ended = false;
    for _ in 0..MAX_CANDIDATE_RUN {
        let Some(w) = image.word(pc) else {
            return false;
        };
        let insn = decode::decode(w);
        if matches!(insn, Insn::Undefined(_)) {
            return false;
        }
        if successors(insn, pc).is_some() {
            ended = true;
            break;
        }
        pc += 4;
    }
    if !ended {
        return false;
    }
    if source == Source::DataWord && image.in_code_range(c.wrapping_sub(4)) {
        let prev = image.word(c.wrapping_sub(4)).unwrap_or(0);
        let padding = prev == 0 || prev == 0xd503_201f;
        let ends = match decode::decode(prev) {
            Insn::Branch(Branch::BImm { link: false, .. }) | Insn::Undefined(_) => true,
            Insn::Branch(Branch::BrReg { kind, .. }) => kind != BranchKind::Call,
            Insn::Branch(Branch::Brk { .. }) => true,
            _ => false,
        };
        if !(padding || ends) {
            return false;
        }
    }
    true
}

/// Addresses that ADR, and ADRP followed within four instructions by `ADD xd, xt, #lo12` on its register, form
/// in the code `scan` covers.
fn code_refs(image: &Image, scan: &Scan) -> Vec<u64> {
    let mut out = Vec::new();
    for &pc in scan.insns.keys() {
        let Some(w) = image.word(pc) else { continue };
        if w & 0x1f00_0000 != 0x1000_0000 {
            continue;
        }
        let imm = ((((w >> 5) & 0x7ffff) << 2 | ((w >> 29) & 3)) << 11) as i32 >> 11;
        if w >> 31 == 0 {
            out.push(pc.wrapping_add(imm as i64 as u64));
            continue;
        }
        let page = (pc & !0xfff).wrapping_add(((imm as i64) << 12) as u64);
        let t = w & 31;
        for k in 1..=4u64 {
            let next = pc.wrapping_add(4 * k);
            if !scan.insns.contains_key(&next) {
                break;
            }
            let Some(a) = image.word(next) else { break };
            if a & 0xff80_0000 == 0x9100_0000 && (a >> 5) & 31 == t && (a >> 22) & 1 == 0 {
                out.push(page.wrapping_add(u64::from((a >> 10) & 0xfff)));
                break;
            }
        }
    }
    out
}

/// Finds the functions of `image`, starting from `roots` (profiled calls; plus the entry point, symbols, FDEs and
/// init/fini arrays) and making every address in `entries` (profiled block starts, indirect targets…) a block
/// start wherever it is covered. When those are exhausted, address-taken candidates (ADR/ADRP+ADD in the code
/// found, code addresses stored in data) that pass [`validate`] become roots, lowest first, one at a time (a
/// function found that way usually covers the candidates after it). With `keep`, only the functions covering at
/// least one of its addresses are returned (the code a profile saw run; calls to the others leave lifted code
/// for the interpreter).
pub fn discover(
    image: &Image,
    roots: &BTreeSet<u64>,
    entries: &BTreeSet<u64>,
    indirect: &HashMap<u64, Vec<u64>>,
    keep: Option<&BTreeSet<u64>>,
) -> Discovery {
    let mut stats = DiscoveryStats::default();
    let mut all_roots: BTreeSet<u64> = BTreeSet::new();
    let mut todo: Vec<u64> = Vec::new();
    let strong: [(Source, Vec<u64>); 5] = [
        (Source::Entry, vec![image.entry]),
        (Source::Symbol, image.symbols.clone()),
        (Source::EhFrame, image.fdes.clone()),
        (Source::InitFini, image.init_fini.clone()),
        (Source::Profile, roots.iter().copied().collect()),
    ];
    for (src, addrs) in strong {
        let valid: BTreeSet<u64> = addrs
            .into_iter()
            .filter(|&pc| image.word(pc).is_some())
            .collect();
        stats.offered[src as usize] += valid.len() as u64;
        for pc in valid {
            if all_roots.insert(pc) {
                stats.roots[src as usize] += 1;
                todo.push(pc);
            }
        }
    }
    // Explored last-in first-out: the lowest first.
    todo.sort_unstable_by(|a, b| b.cmp(a));

    // Address-taken candidates, lowest first: code addresses stored in data now, code refs as code is found.
    let mut candidates: BTreeMap<u64, Source> = image
        .data_words()
        .filter(|&(_, v)| image.is_code(v))
        .map(|(_, v)| (v, Source::DataWord))
        .collect();
    stats.offered[Source::DataWord as usize] = candidates.len() as u64;
    let mut offered_refs: BTreeSet<u64> = BTreeSet::new();
    // Candidates that are labels inside a function found already: function → labels.
    let mut labels: BTreeMap<u64, Vec<u64>> = BTreeMap::new();

    // Explore functions until no new BL target appears; then the lowest entry not covered yet becomes a root of
    // its own, and so on. One at a time: exploring it usually covers the entries after it (a profile's block
    // starts inside code found only at run time), which would otherwise each become a root lifting the same code
    // again. Then the same for the address-taken candidates.
    let mut explored: BTreeMap<u64, Scan> = BTreeMap::new();
    let mut covered: BTreeSet<u64> = BTreeSet::new();
    let mut pending = entries.iter().copied();
    loop {
        while let Some(root) = todo.pop() {
            if explored.contains_key(&root) {
                continue;
            }
            let scan = Scan::explore(image, root, &[], &all_roots, indirect);
            for &c in &scan.calls {
                if image.word(c).is_some() && all_roots.insert(c) {
                    stats.roots[Source::Call as usize] += 1;
                    todo.push(c);
                }
            }
            for r in code_refs(image, &scan) {
                if image.is_code(r) && offered_refs.insert(r) {
                    candidates.entry(r).or_insert(Source::CodeRef);
                }
            }
            covered.extend(scan.insns.keys().copied());
            explored.insert(root, scan);
        }
        if let Some(e) = pending
            .find(|e| !covered.contains(e) && image.word(*e).is_some() && !all_roots.contains(e))
        {
            all_roots.insert(e);
            stats.roots[Source::ProfileEntry as usize] += 1;
            todo.push(e);
            continue;
        }
        let mut next = None;
        while let Some((c, src)) = candidates.pop_first() {
            if all_roots.contains(&c) || covered.contains(&c) {
                stats.covered += 1;
                continue;
            }
            // Inside a function found already (by its FDE's range): a label of that function (a computed
            // goto's target, say), explored as part of it rather than as a function of its own that would
            // lift the rest of it again.
            if let Some(f) = image.fde_containing(c)
                && explored.contains_key(&f)
            {
                if validate(image, c, Source::CodeRef) {
                    let l = labels.entry(f).or_default();
                    l.push(c);
                    stats.labels += 1;
                    let scan = Scan::explore(image, f, l, &all_roots, indirect);
                    for &t in &scan.calls {
                        if image.word(t).is_some() && all_roots.insert(t) {
                            stats.roots[Source::Call as usize] += 1;
                            todo.push(t);
                        }
                    }
                    covered.extend(scan.insns.keys().copied());
                    explored.insert(f, scan);
                    if !todo.is_empty() {
                        break;
                    }
                } else {
                    stats.rejected += 1;
                }
                continue;
            }
            if validate(image, c, src) {
                next = Some((c, src));
                break;
            } else {
                stats.rejected += 1;
            }
        }
        if !todo.is_empty() {
            continue;
        }
        match next {
            Some((c, src)) => {
                tracing::debug!("root {c:#x} from {}", src.name());
                all_roots.insert(c);
                stats.roots[src as usize] += 1;
                todo.push(c);
            }
            None => break,
        }
    }
    // Roots found late (a BL target seen only in a later function, a candidate) were not known when the
    // functions before them were explored: explore every function again, now stopping at every root, so no code
    // is lifted twice because a function ran into another's entry.
    let rescanned: BTreeMap<u64, Scan> = explored
        .keys()
        .map(|&root| {
            let extra = labels.get(&root).map_or(&[][..], |v| &v[..]);
            (
                root,
                Scan::explore(image, root, extra, &all_roots, indirect),
            )
        })
        .collect();
    explored = rescanned;
    stats.offered[Source::Call as usize] = explored
        .values()
        .flat_map(|s| s.calls.iter())
        .filter(|&&c| image.word(c).is_some())
        .collect::<BTreeSet<_>>()
        .len() as u64;
    stats.offered[Source::ProfileEntry as usize] = entries.len() as u64;
    stats.offered[Source::CodeRef as usize] = offered_refs.len() as u64;

    if let Some(keep) = keep {
        explored.retain(|_, scan| scan.insns.keys().any(|pc| keep.contains(pc)));
    }
    let mut jump_tables: HashMap<u64, Vec<u64>> = HashMap::new();
    for scan in explored.values() {
        for (&site, targets) in &scan.tables {
            jump_tables.insert(site, targets.clone());
        }
    }
    stats.jump_tables = jump_tables.len() as u64;
    stats.jump_table_targets = jump_tables.values().map(|t| t.len() as u64).sum();
    stats.instructions = explored.values().map(|s| s.insns.len() as u64).sum();
    stats.distinct_instructions = explored
        .values()
        .flat_map(|s| s.insns.keys())
        .collect::<BTreeSet<_>>()
        .len() as u64;
    let functions = explored
        .into_iter()
        .map(|(root, scan)| scan.plan(root, entries))
        .collect();
    Discovery {
        functions,
        jump_tables,
        stats,
    }
}

/// The instructions one function covers and where its blocks must start.
struct Scan {
    insns: BTreeMap<u64, Insn>,
    /// Block starts: the root, branch targets, fall-through points after a block-ending instruction.
    leaders: BTreeSet<u64>,
    /// Instructions that end a block (their successor is a leader or outside the function).
    enders: BTreeSet<u64>,
    calls: BTreeSet<u64>,
    /// Jump tables recovered at BR sites of this function: site → targets.
    tables: BTreeMap<u64, Vec<u64>>,
}

impl Scan {
    /// Explores the function at `root`, also from `labels` (addresses inside it that code or data refers to).
    fn explore(
        image: &Image,
        root: u64,
        labels: &[u64],
        roots: &BTreeSet<u64>,
        indirect: &HashMap<u64, Vec<u64>>,
    ) -> Scan {
        let mut s = Scan {
            insns: BTreeMap::new(),
            leaders: BTreeSet::new(),
            enders: BTreeSet::new(),
            calls: BTreeSet::new(),
            tables: BTreeMap::new(),
        };
        let mut work = vec![root];
        work.extend(labels.iter().copied().filter(|&l| !roots.contains(&l)));
        while let Some(start) = work.pop() {
            s.leaders.insert(start);
            let mut pc = start;
            while !s.insns.contains_key(&pc) {
                let Some(word) = image.word(pc) else { break };
                let insn = decode::decode(word);
                s.insns.insert(pc, insn);
                if let Some(mut succ) = successors(insn, pc) {
                    s.enders.insert(pc);
                    // A BR's profiled targets (a jump table, a computed goto) and the targets of a jump table
                    // recovered statically belong to this function.
                    if let Insn::Branch(Branch::BrReg {
                        kind: BranchKind::Jump,
                        ..
                    }) = insn
                    {
                        succ.local
                            .extend(indirect.get(&pc).into_iter().flatten().copied());
                        if let Some(mut t) = crate::jump_table::recover(image, pc) {
                            t.sort_unstable();
                            t.dedup();
                            succ.local.extend(t.iter().copied());
                            s.tables.insert(pc, t);
                        }
                    }
                    if let Some(c) = succ.call {
                        s.calls.insert(c);
                    }
                    for t in succ.local {
                        // A jump to another function's entry is a tail call, and falling into one (after a call
                        // that does not return, say) leaves this function too: that function covers it.
                        let tail_call = t != root && roots.contains(&t);
                        if !tail_call && image.word(t).is_some() {
                            work.push(t);
                        }
                    }
                    break;
                }
                let next = pc.wrapping_add(4);
                if next != root && roots.contains(&next) {
                    s.enders.insert(pc);
                    break;
                }
                pc = next;
            }
        }
        s
    }

    fn plan(self, root: u64, entries: &BTreeSet<u64>) -> FnPlan {
        let mut leaders = self.leaders;
        leaders.extend(entries.iter().filter(|e| self.insns.contains_key(e)));
        let mut blocks = Vec::new();
        for &start in &leaders {
            let mut insns = Vec::new();
            let mut pc = start;
            while let Some(&insn) = self.insns.get(&pc) {
                if pc != start && leaders.contains(&pc) {
                    break;
                }
                insns.push(insn);
                if self.enders.contains(&pc) {
                    break;
                }
                pc += 4;
            }
            if !insns.is_empty() {
                blocks.push(BlockPlan { start, insns });
            }
        }
        let mut plan = FnPlan {
            entry: root,
            blocks,
        };
        merge_equal_tails(&mut plan);
        plan
    }
}

/// Redirects a block whose last instructions are the whole of another block `e` — the same computations, then
/// a conditional branch to the same two places — to `e`: its tail becomes a `B e` (at the tail's first pc).
/// Only where both of `e`'s successors lead back to `e`: gcc's loop header copying turns `while (a || b)` into a
/// test before the loop and the same test at its end, whose fall-through is the loop's other test — and the
/// loop then has two entries (irreducible: run through a dispatch in lifted code, intmix's list merge). Entered
/// at `e`, it has one. The tail's instructions must neither fault nor read the pc (a fault reports its pc), so
/// running `e` instead is the same run; where lifted code exits at the `B`, the interpreter runs the real tail.
fn merge_equal_tails(plan: &mut FnPlan) {
    use elfrun_interp::a64::dp_imm::DpImm;
    let same_everywhere = |insn: &Insn| match insn {
        Insn::DpImm(DpImm::Adr { .. }) => false,
        Insn::DpImm(_) | Insn::DpReg(_) | Insn::Fp(_) | Insn::Simd(_) => true,
        _ => false,
    };
    // A block ending in a conditional branch: (the condition without its sense bit, where control goes when
    // that holds, where when not) — equal for `b.le x` falling to `y` and `b.gt y` falling to `x`.
    let test = |b: &BlockPlan| -> Option<(Branch, u64, u64)> {
        let last = *b.insns.last()?;
        // The condition with its sense bit cleared, and whether the branch is taken when that does not hold.
        let (key, inverted) = match last {
            Insn::Branch(Branch::CondBr { cond, .. }) if cond < 14 => (
                Branch::CondBr {
                    cond: cond & !1,
                    offset: 0,
                },
                cond & 1 != 0,
            ),
            Insn::Branch(Branch::Cbz {
                sf, nonzero, rt, ..
            }) => (
                Branch::Cbz {
                    sf,
                    nonzero: false,
                    rt,
                    offset: 0,
                },
                nonzero,
            ),
            Insn::Branch(Branch::Tbz {
                nonzero, rt, bit, ..
            }) => (
                Branch::Tbz {
                    nonzero: false,
                    rt,
                    bit,
                    offset: 0,
                },
                nonzero,
            ),
            _ => return None,
        };
        let [taken, fall] = successors(last, b.end() - 4)?.local[..] else {
            return None;
        };
        Some(if inverted {
            (key, fall, taken)
        } else {
            (key, taken, fall)
        })
    };
    // Blocks by the two places their tests go; the pairs with the same test where one block's tail is the
    // whole other block (cheap: the control flow is searched only if there are any).
    let tests: Vec<Option<(Branch, u64, u64)>> = plan.blocks.iter().map(test).collect();
    let mut by_places: HashMap<(u64, u64), Vec<usize>> = HashMap::new();
    for (e, t) in tests.iter().enumerate() {
        if let Some((_, yes, no)) = *t {
            by_places.entry((yes, no)).or_default().push(e);
        }
    }
    let pairs: Vec<(usize, usize)> = (0..plan.blocks.len())
        .flat_map(|p| {
            let candidates = tests[p].and_then(|(_, yes, no)| by_places.get(&(yes, no)));
            let (blocks, tests) = (&plan.blocks, &tests);
            candidates
                .into_iter()
                .flatten()
                .copied()
                .filter_map(move |e| {
                    let (pb, eb) = (&blocks[p], &blocks[e]);
                    let k = eb.insns.len();
                    (e != p
                        && tests[e] == tests[p]
                        && k < pb.insns.len()
                        && pb.insns[pb.insns.len() - k..pb.insns.len() - 1] == eb.insns[..k - 1]
                        && eb.insns[..k - 1].iter().all(same_everywhere))
                    .then_some((p, e))
                })
        })
        .collect();
    if pairs.is_empty() {
        return;
    }
    let index = crate::lift::block_index(plan);
    let succ: Vec<Vec<usize>> = (0..plan.blocks.len())
        .map(|b| crate::lift::local_successors(plan, &index, b))
        .collect();
    let reaches = |from: usize, to: usize| {
        let mut seen = vec![false; succ.len()];
        let mut work = vec![from];
        while let Some(x) = work.pop() {
            if x == to {
                return true;
            }
            if !std::mem::replace(&mut seen[x], true) {
                work.extend(&succ[x]);
            }
        }
        false
    };
    // A loop's test: both of its ways lead back to it.
    let loop_test = |e: usize| {
        tests[e].is_some_and(|(_, t, f)| {
            [t, f]
                .iter()
                .all(|x| index.get(x).is_some_and(|&x| reaches(x, e)))
        })
    };
    // In block order, each block redirected to its first candidate that is a loop's test; a block redirected
    // already is neither redirected again nor a target (its test is gone).
    let mut redirected = vec![false; plan.blocks.len()];
    for (p, e) in pairs {
        if redirected[p] || redirected[e] || !loop_test(e) {
            continue;
        }
        redirected[p] = true;
        let (target, k) = (plan.blocks[e].start, plan.blocks[e].insns.len());
        let b = &mut plan.blocks[p];
        let keep = b.insns.len() - k;
        let at = b.start + 4 * keep as u64;
        b.insns.truncate(keep);
        b.insns.push(Insn::Branch(Branch::BImm {
            link: false,
            offset: target.wrapping_sub(at) as i32,
        }));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A plan from blocks given by start and instruction words.
    fn plan(blocks: &[(u64, &[u32])]) -> FnPlan {
        FnPlan {
            entry: blocks[0].0,
            blocks: blocks
                .iter()
                .map(|&(start, words)| BlockPlan {
                    start,
                    insns: words.iter().map(|&w| decode(w)).collect(),
                })
                .collect(),
        }
    }

    const ADD_X0: u32 = 0x9100_0400; // add x0, x0, #1
    const CMP_X2: u32 = 0xf100_005f; // cmp x2, #0
    const SUB_X2: u32 = 0xd100_0442; // sub x2, x2, #1
    const SUB_X3: u32 = 0xd100_0463; // sub x3, x3, #1
    const RET: u32 = 0xd65f_03c0;

    /// `while (x2 > 0 || x3 != 0)` as gcc rotates it: the test before the loop (block 0, after `before`; it
    /// falls to `ptake` at 0x100c), the same test at the loop's end (`latch`, 0x1010: `b.gt ptake`), falling to
    /// the second test (`qtest`, 0x1018); `qtake` (0x1020) ends with `qtake_end`.
    fn rotated(before: u32, copy_branch: u32, qtake_end: u32) -> FnPlan {
        plan(&[
            (0x1000, &[before, CMP_X2, copy_branch]),
            (0x100c, &[SUB_X2]),
            (
                0x1010,
                &[CMP_X2, 0x5400_0000 | ((-2i32 as u32 & 0x7ffff) << 5) | 12],
            ),
            (0x1018, &[0xb500_0043]), // cbnz x3, 0x1020
            (0x101c, &[RET]),
            (0x1020, &[SUB_X3, qtake_end]),
        ])
    }

    const BLE_QTEST: u32 = 0x5400_0000 | (4 << 5) | 13; // b.le 0x1018 (at 0x1008)
    const B_LATCH: u32 = 0x17ff_fffb; // b 0x1010 (at 0x1024)

    #[test]
    fn a_copied_loop_test_enters_the_loop_at_its_end() {
        let mut p = rotated(ADD_X0, BLE_QTEST, B_LATCH);
        let before = crate::lift::loops(&p);
        merge_equal_tails(&mut p);
        assert_eq!(
            p.blocks[0].insns,
            [
                decode(ADD_X0),
                Insn::Branch(Branch::BImm {
                    link: false,
                    offset: 0x1010 - 0x1004
                })
            ]
        );
        assert_eq!(
            p.blocks[1..],
            rotated(ADD_X0, BLE_QTEST, B_LATCH).blocks[1..]
        );
        // Entered at the copy's branch target `qtest` first, the search found `latch` heading a loop inside the
        // loop at `qtest`; entered at `latch`, all of it is one loop.
        assert_eq!(before.len(), 2);
        assert_eq!(p.blocks[before[0].0].start, 0x1018);
        assert_eq!(crate::lift::loops(&p), [(2, vec![1, 2, 3, 5])]);
    }

    #[test]
    fn only_the_same_test_of_a_loop_with_two_ways_back_is_merged() {
        let unchanged = |before: u32, branch: u32, end: u32| {
            let mut p = rotated(before, branch, end);
            merge_equal_tails(&mut p);
            assert_eq!(p.blocks, rotated(before, branch, end).blocks);
        };
        // The loop's second way ends it (a plain rotated loop: entered at its start already).
        unchanged(ADD_X0, BLE_QTEST, RET);
        // A condition that differs: b.gt to `qtest` is not b.gt to `ptake`; b.lt to `qtest` goes to the same
        // two places as b.le, on another condition.
        unchanged(ADD_X0, 0x5400_0000 | (4 << 5) | 12, B_LATCH);
        unchanged(ADD_X0, 0x5400_0000 | (4 << 5) | 11, B_LATCH);
        // A different compare before the branch.
        let mut p = rotated(ADD_X0, BLE_QTEST, B_LATCH);
        p.blocks[0].insns[1] = decode(0xf100_047f); // cmp x3, #1
        let q = p.clone();
        merge_equal_tails(&mut p);
        assert_eq!(p.blocks, q.blocks);
        // A tail that could fault or reads the pc: a load, an ADR (as the whole latch block's first word).
        for word in [0xf940_0042u32, 0x1000_0002] {
            // ldr x2, [x2] / adr x2, .
            let mut p = rotated(ADD_X0, BLE_QTEST, B_LATCH);
            p.blocks[0].insns[1] = decode(word);
            p.blocks[2].insns[0] = decode(word);
            let q = p.clone();
            merge_equal_tails(&mut p);
            assert_eq!(p.blocks, q.blocks);
        }
    }
}
