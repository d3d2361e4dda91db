//! `Lift`: the AOT tier's implementation of [`Sem`](elfrun_interp::Sem). The instruction semantics in
//! `elfrun_interp::a64` are generic over `Sem`; run over `Lift` they emit Wasm instead of computing. This module
//! owns the shape of one lifted function; [`prims`] the Wasm of each primitive.
//!
//! One guest function becomes one Wasm function `(param $block i32) (result i64)`. Its blocks are laid out in
//! loop nodes ([`Node`], [`loop_nodes`]): node 0 is the whole function, and every target of a back edge (found
//! by a depth-first search) heads a node holding its loop, nested in the nodes around it; a node's units come
//! in reverse postorder from its header:
//!
//! ```text
//! prologue: load the guest registers the function uses from the state into locals; $enter = $block + 1
//! block $exit
//!   loop $node0                                   ;; one per node, nested nodes are units of their parent
//!                                                 ;; (each after one load of the saved pc, `emit_node`)
//!     block $U(m-1) … block $U0
//!       br_if $U0 ($enter == 0)                   ;; the header: a back edge's common case
//!       br_table (unit of block $enter - 1) …     ;; any other entry; a nested node dispatches further
//!                                                 ;; (its default traps, node 0's leaves through $exit)
//!     end  $enter = 0; loop $H code of unit 0 end     ;; a header's own code is a loop too
//!     end  code of unit 1 …
//!   end
//! end
//! epilogue: store the registers the function wrote, store $npc as the pc, return $status
//! ```
//!
//! A branch to a later unit is a plain `br` to its label (setting `$enter` first if it lands inside a
//! nested node other than at its header); a branch back burns one unit of fuel and `br`s to the innermost node
//! holding both ends — straight to the header, or through the dispatch — or, from a header to itself, to the
//! header's own `loop`. A hot loop's code may come several times in a row inside its `loop` (unrolled: each
//! copy's branches back go on to the next copy, only the last one's pay fuel; [`ModuleInfo::unrolled`]).
//! An indirect branch reaches its known
//! targets (profiled, or a recovered jump table) the same way, through a `br_table` on the target address when
//! there are several in the function. Anything else — a call, a return, any other indirect target, a syscall,
//! an instruction `Lift` cannot express, a memory access that would fault — leaves through `$exit` with a
//! [`Status`] and the pc to continue at. Register writes of an instruction are buffered
//! and committed when it completes, so an exit in the middle of an instruction leaves the state as it was
//! before it: the interpreter then re-executes the instruction from scratch. Registers dead where an exit to
//! the runtime continues are left undefined there ([`live`]).

mod fp;
mod live;
mod prims;
mod vector;

pub use fp::{FastOp, QuietOp, probe_module, probe_module_quiet};

/// Whether lifted code runs loop block `b` as vectors too (`lift/vector.rs`; `fused`: the engine's relaxed
/// multiply-add is fused).
pub fn vectorisable(b: &BlockPlan, fused: bool) -> bool {
    vector::recognise(b, fused).is_some()
}

use std::collections::{HashMap, HashSet};

use elfrun_interp::Insn;
use elfrun_interp::state::offsets;
use wasm_encoder::{Function, Instruction, MemArg, MemArgTarget, ValType};

use crate::abi::{FLAGS_B_ADDR, FLAGS_KIND_ADDR, FUEL_ADDR, STATE_ADDR, Status};

/// One block of a function plan: consecutive instructions from `start`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlockPlan {
    pub start: u64,
    pub insns: Vec<Insn>,
}

impl BlockPlan {
    pub fn end(&self) -> u64 {
        self.start + 4 * self.insns.len() as u64
    }

    /// Where control goes when the block ends, inside its function or not: its last instruction's branch
    /// targets and fall-through (none after a return or an indirect branch, whose targets are not its own).
    pub fn targets(&self) -> Vec<u64> {
        match self
            .insns
            .last()
            .and_then(|&last| crate::discover::successors(last, self.end() - 4))
        {
            Some(s) => s.local,
            None => vec![self.end()],
        }
    }
}

/// A loop lifted as a function of its own ([`ModuleInfo::outlined`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outlined {
    /// Its function's index, and the header's block index in it (the blocks are in address order).
    pub func: u32,
    pub block: u32,
    /// Where the loop's blocks branch or fall to outside it: where the function around it continues when the
    /// loop's function returns a direct transfer there.
    pub exits: Vec<u64>,
}

/// The loops of `plan` (its loop nodes but the function itself, see `loop_nodes`): each as its header's
/// block index and every block it holds, nested loops' included, in address order.
pub fn loops(plan: &FnPlan) -> Vec<(usize, Vec<usize>)> {
    loop_nodes(plan, &block_index(plan))
        .iter()
        .skip(1)
        .map(|n| {
            (
                n.head,
                (n.first..=n.last).filter(|&b| n.contains(b)).collect(),
            )
        })
        .collect()
}

/// `plan`'s blocks by start: pc → block index.
pub(crate) fn block_index(plan: &FnPlan) -> HashMap<u64, usize> {
    plan.blocks
        .iter()
        .enumerate()
        .map(|(i, b)| (b.start, i))
        .collect()
}

/// What the lifter translates into one Wasm function: blocks sorted by address, no two overlapping.
#[derive(Clone, Debug)]
pub struct FnPlan {
    pub entry: u64,
    pub blocks: Vec<BlockPlan>,
}

/// Counts of one lifted function.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LiftStats {
    /// Instructions translated to Wasm.
    pub lifted: u64,
    /// Instructions left to the interpreter (an exit with [`Status::Interp`]).
    pub fallback: u64,
    /// Loops that also run as SIMD128 vectors (`lift/vector.rs`).
    pub vector_loops: u64,
}

/// Index of the imported floating-point helper in the module's function space.
pub const FP_FUNC: u32 = 0;
/// Function index of lifted function 0 (table slot 0); lifted function `f` is `FIRST_LIFTED + f`.
pub const FIRST_LIFTED: u32 = 1;
/// The module's global counting nested calls between lifted functions.
pub const G_DEPTH: u32 = 0;
/// Nested calls between lifted functions before calls go through `enter` (bounds the Wasm stack).
pub const MAX_CALL_DEPTH: i32 = 200;
/// Largest leaf function (instructions, its RET included) inlined at its call sites (`Lift::inline_leaf`).
pub const INLINE_MAX: usize = 12;
/// Most instructions of a stub inlined at its callers ([`Lift::inline_stub`]): a PLT entry has four.
const STUB_MAX: usize = 4;
/// Callees inlined inside one another at most: a stub's target that jumps to a leaf is three deep. Bounds the
/// inlining of functions that jump to each other's entries.
const MAX_INLINE_NEST: u32 = 3;
/// Locals a lifted function may declare before the instruction being lifted: Wasm allows 50,000 (wasmparser's
/// limit), and one instruction takes at most some dozens.
const MAX_LOCALS: usize = 48_000;
/// Known BR targets inside the function from which a `br_table` replaces the compare chain.
pub const MIN_BR_TABLE: usize = 4;
/// Largest `br_table` (slots: one per instruction between the lowest and the highest target).
pub const MAX_BR_TABLE_SLOTS: u64 = 4096;

/// Where a guest register lives while a lifted function runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum RegSlot {
    /// X0..X30 (0..=30), SP (31), NZCV (32): a Wasm local, loaded in the prologue and stored in the epilogue.
    Gpr(u8),
    /// V0..V31: the state in memory.
    Vec(u8),
}

const NZCV: u8 = 32;
/// Locals with a fixed meaning: the parameter (block index), the status and the next pc.
const L_BLOCK: u32 = 0;
const L_STATUS: u32 = 1;
/// The status of an entry at a block index the function does not have (a runtime bug, reported as such).
const STATUS_BAD_BLOCK: i64 = -1;
const L_NPC: u32 = 2;
/// First of the 33 register locals (X0..X30, SP, and the flags' first operand [`L_FA`]).
const L_REGS: u32 = 3;
/// The flags, kept lazily as (kind, a, b) — QEMU's cc_op idea: `$fk` says how NZCV follows from `$fa`/`$fb`
/// ([`FlagKind`]); the `nzcv` helper function of the module materialises them where the value is needed.
const L_FA: u32 = L_REGS + NZCV as u32;
const L_FK: u32 = L_REGS + 33;
const L_FB: u32 = L_REGS + 34;
/// First of the 32 SIMD&FP register locals (V0..V31, v128), loaded at entry only if the function uses them.
const L_VREGS: u32 = L_REGS + 35;
/// i32: the floating-point fast paths apply without checking FPCR and FPSR ([`fp::fast_mode`]); computed in the
/// prologue, after calls and after writes to FPCR/FPSR.
const L_FPFAST: u32 = L_VREGS + 32;
/// i32: where a dispatch is going — block index + 1, or 0 for a loop's header ([`Node`]).
const L_ENTER: u32 = L_FPFAST + 1;
/// i32: the fuel counter ([`FUEL_ADDR`]) while the function runs — loaded in the prologue and after calls,
/// stored before calls and at exits — so a back edge decrements a register, not memory.
const L_FUEL: u32 = L_ENTER + 1;
const FIRST_TEMP: u32 = L_FUEL + 1;

/// How NZCV follows from the flag operands (`$fk`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(i32)]
pub enum FlagKind {
    /// `$fa` holds NZCV in PSTATE layout.
    Value = 0,
    /// The flags of SUBS/CMP `$fa - $fb` at 64 bits.
    Sub64 = 1,
    /// … at 32 bits.
    Sub32 = 2,
    /// The flags of ANDS/TST with result `$fa` (C = V = 0) at 64 bits.
    Logic64 = 3,
    Logic32 = 4,
}

/// What a [`Lift::pure`] value is: with its operand locals (or register number, or constant) the key under
/// which the block reuses it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Pure {
    /// A register's current value (by [`RegSlot::Gpr`] number): read, or as last written.
    Reg,
    Imm,
    Add,
    Shl64,
    Zext32,
    Sext32,
}

/// A flags write of an instruction (pending until it completes), or what is known at lift time about the flags
/// in the current block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Flags {
    kind: FlagKind,
    a: u32,
    b: Option<u32>,
    /// CCMP/CCMN ([`Sem::select_nzcv`]): these flags hold only where the i32 local says the condition held;
    /// elsewhere NZCV is the 4-bit constant.
    alt: Option<(u32, u8)>,
    /// FCMP/FCMPE ([`FlagKind::Value`]): NZCV is the IEEE comparison of these two float locals (`f64` if
    /// the bool, else `f32`), so a condition is one comparison of them ([`fp::fcmp_cond`]).
    fcmp: Option<(u32, u32, bool)>,
}

impl Flags {
    fn new(kind: FlagKind, a: u32, b: Option<u32>) -> Flags {
        Flags {
            kind,
            a,
            b,
            alt: None,
            fcmp: None,
        }
    }
}

/// How far around a base-plus-constant access the first bounds check of its base reaches ([`Lift::windows`]):
/// later accesses of the block within this many bytes of it need no check of their own. It only changes where
/// lifted code gives an access to the interpreter, never what happens: an access this close to the ends of the
/// guest memory (nothing is mapped in its low 64 KiB; the stack ends 64 KiB below its top) goes there anyway.
pub(crate) const CHECK_WINDOW: i64 = 4096;
/// Largest value bound [`Lift::bounded`] keeps: an access at a base plus such an offset is checked as a window
/// of the base no wider than a few [`CHECK_WINDOW`]s.
pub(crate) const MAX_BOUND: u64 = 1 << 14;

/// A division whose quotient the next instruction turns into the remainder and overwrites: `UDIV/SDIV t, a, b`
/// then `MSUB t, t, b, a` (or `MSUB t, b, t, a`), how compilers compute `a % b`. Lifted as one remainder
/// operation, the pair needs one host division and no multiply ([`Lift::rem`]); nothing can observe the
/// quotient between them (they are one block's consecutive instructions, neither can fault or exit).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct RemainderPair {
    sf: bool,
    signed: bool,
    rd: u8,
    rn: u8,
    rm: u8,
}

fn remainder_pair(div: Insn, next: Insn) -> Option<RemainderPair> {
    use elfrun_interp::a64::dp_reg::{DpReg, ThreeSrc, TwoSrc};
    let Insn::DpReg(DpReg::TwoSource {
        sf,
        op: op @ (TwoSrc::Udiv | TwoSrc::Sdiv),
        rd: t,
        rn: a,
        rm: b,
    }) = div
    else {
        return None;
    };
    let Insn::DpReg(DpReg::ThreeSource {
        sf: msub_sf,
        op: ThreeSrc::Madd,
        sub: true,
        rd,
        rn,
        rm,
        ra,
    }) = next
    else {
        return None;
    };
    // The quotient register must hold only the quotient (not an operand, not XZR) and die in the MSUB.
    let reads_quotient = (rn == t && rm == b) || (rn == b && rm == t);
    (sf == msub_sf && t != 31 && t != a && t != b && rd == t && ra == a && reads_quotient)
        .then_some(RemainderPair {
            sf,
            signed: op == TwoSrc::Sdiv,
            rd: t,
            rn: a,
            rm: b,
        })
}

/// A `br_if` to `depth` that is rarely taken. The `nop` before it tells elfrun's Cranelift translator
/// (`vendor/wasmer-compiler-cranelift`) that the code the branch leads to is cold: placed after the function's
/// other code, so the path the branch falls through to runs on without jumping over it.
pub(crate) fn br_unlikely(depth: u32) -> [Instruction<'static>; 2] {
    [Instruction::Nop, Instruction::BrIf(depth)]
}

/// A Wasm memory argument for the state/fuel words (absolute address in the constant, offset 0).
pub(crate) fn memarg(align: u32) -> MemArg {
    memarg_at(align, 0)
}

/// [`memarg`] with a constant offset added to the address (`Lift::address_at`).
pub(crate) fn memarg_at(align: u32, offset: u64) -> MemArg {
    MemArg {
        offset,
        align,
        target: MemArgTarget::Memory(0),
        ordering: None,
    }
}

/// A piece of a function's structured layout: one block, or a nested loop node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Unit {
    Block(usize),
    Loop(usize),
}

/// A loop of the structured layout, entered at its header `head` by the back edges found to it (any other
/// entry goes through its dispatch on `$enter`). Its blocks lie within `first..=last`, not necessarily all of
/// them. Node 0 is the whole function (the dispatch loop). Every node is a Wasm `loop` holding its units
/// (blocks and nested nodes) in reverse postorder from the header, so that every branch but a loop's back edge
/// goes forward where the function's control flow allows it.
#[derive(Clone, Debug)]
struct Node {
    head: usize,
    first: usize,
    last: usize,
    units: Vec<Unit>,
    /// For each block `first..=last`, the index of the unit holding it ([`NOT_IN_NODE`] for a block outside).
    unit_of: Vec<u32>,
}

/// [`Node::unit_of`] of a block outside the node.
const NOT_IN_NODE: u32 = u32::MAX;

impl Node {
    fn contains(&self, b: usize) -> bool {
        b >= self.first && b <= self.last && self.unit_of[b - self.first] != NOT_IN_NODE
    }

    /// The unit holding block `b`, which the node contains.
    fn unit(&self, b: usize) -> usize {
        self.unit_of[b - self.first] as usize
    }
}

/// An open structured label while a function is emitted (innermost last).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Label {
    Exit,
    /// A node's `loop`.
    Node(usize),
    /// The `block` ending where unit `idx` of `node` starts.
    Unit {
        node: usize,
        idx: usize,
    },
    /// The `loop` around the code of loop header block `b`.
    Head(usize),
    /// The `block` around a vectorised loop header's vector and scalar loops ([`vector`]): the vector loops
    /// leave it when they ran the guest loop to its end.
    Skip,
    /// The `block` around a peeled copy of a loop's block ([`Lift::peel_loop`]): its branch back to the loop
    /// continues after it, with the next copy.
    Peel,
    /// An `if` of the current instruction open around an inlined leaf's code ([`Lift::inline_leaf`]), counted
    /// as a label while the leaf's blocks are lifted inside it.
    Open,
    /// The `block` ending where the block at this pc of an inlined leaf starts ([`Lift::inline_leaf`]).
    Leaf(u64),
}

/// The blocks of `plan` (by index) control can go to from block `b` directly: branch targets and
/// fall-through within the function.
pub(crate) fn local_successors(plan: &FnPlan, index: &HashMap<u64, usize>, b: usize) -> Vec<usize> {
    plan.blocks[b]
        .targets()
        .into_iter()
        .filter_map(|t| index.get(&t).copied())
        .collect()
}

/// A set of block indexes.
#[derive(PartialEq, Eq)]
struct Blocks(Vec<u64>);

impl Blocks {
    fn new(n: usize) -> Blocks {
        Blocks(vec![0; n.div_ceil(64)])
    }
    fn insert(&mut self, b: usize) -> bool {
        let (w, m) = (b / 64, 1u64 << (b % 64));
        let new = self.0[w] & m == 0;
        self.0[w] |= m;
        new
    }
    fn contains(&self, b: usize) -> bool {
        self.0[b / 64] & (1 << (b % 64)) != 0
    }
    fn intersects(&self, o: &Blocks) -> bool {
        self.0.iter().zip(&o.0).any(|(a, b)| a & b != 0)
    }
    fn is_subset(&self, o: &Blocks) -> bool {
        self.0.iter().zip(&o.0).all(|(a, b)| a & !b == 0)
    }
    fn union(&mut self, o: &Blocks) {
        for (a, b) in self.0.iter_mut().zip(&o.0) {
            *a |= b;
        }
    }
    fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        self.0.iter().enumerate().flat_map(|(w, &bits)| {
            (0..64)
                .filter(move |k| bits & (1 << k) != 0)
                .map(move |k| w * 64 + k)
        })
    }
}

/// The loop nodes of `plan`. A depth-first search from the entry (then from any block it did not reach) finds
/// the back edges — branches to a block still on the search's path; each target heads a loop: the blocks from
/// which a back edge's source is reachable without passing the header, among the header's descendants in the
/// search (so an irreducible loop's other entries stay outside it and enter it through its dispatch). Loops
/// sharing blocks are merged into the outer one until they nest. Every node's units are then ordered by
/// reverse postorder from its header, so a branch goes back only along a back edge (to a header: a plain
/// branch to its loop) or inside an irreducible loop (through the dispatch).
fn loop_nodes(plan: &FnPlan, index: &HashMap<u64, usize>) -> Vec<Node> {
    let n = plan.blocks.len();
    if n == 0 {
        return vec![Node {
            head: 0,
            first: 0,
            last: 0,
            units: Vec::new(),
            unit_of: Vec::new(),
        }];
    }
    let succ: Vec<Vec<usize>> = (0..n).map(|b| local_successors(plan, index, b)).collect();
    let mut preds = vec![Vec::new(); n];
    for (u, s) in succ.iter().enumerate() {
        for &v in s {
            preds[v].push(u);
        }
    }
    // Depth-first search: preorder numbers, the end of each block's subtree in them, back edges.
    const UNSEEN: usize = usize::MAX;
    let (mut pre, mut end, mut on_path) = (vec![UNSEEN; n], vec![0; n], vec![false; n]);
    let mut back: Vec<(usize, usize)> = Vec::new();
    let mut counter = 0;
    let entry = index.get(&plan.entry).copied().unwrap_or(0);
    for root in std::iter::once(entry).chain(0..n) {
        if pre[root] != UNSEEN {
            continue;
        }
        pre[root] = counter;
        counter += 1;
        on_path[root] = true;
        let mut stack = vec![(root, 0usize)];
        while let Some((u, k)) = stack.last_mut() {
            let u = *u;
            if let Some(&v) = succ[u].get(*k) {
                *k += 1;
                if pre[v] == UNSEEN {
                    pre[v] = counter;
                    counter += 1;
                    on_path[v] = true;
                    stack.push((v, 0));
                } else if on_path[v] {
                    back.push((u, v));
                }
            } else {
                end[u] = counter;
                on_path[u] = false;
                stack.pop();
            }
        }
    }
    let below = |h: usize, x: usize| pre[h] <= pre[x] && pre[x] < end[h];
    // Loops, outermost (lowest preorder) first.
    let mut heads: Vec<usize> = back.iter().map(|&(_, h)| h).collect();
    heads.sort_unstable_by_key(|&h| pre[h]);
    heads.dedup();
    let mut bodies: Vec<Blocks> = heads
        .iter()
        .map(|&h| {
            let mut body = Blocks::new(n);
            body.insert(h);
            let mut work: Vec<usize> = back
                .iter()
                .filter(|&&(_, t)| t == h)
                .map(|&(u, _)| u)
                .collect();
            while let Some(x) = work.pop() {
                if body.insert(x) {
                    work.extend(preds[x].iter().copied().filter(|&p| below(h, p)));
                }
            }
            body
        })
        .collect();
    // Nest them: a loop sharing blocks with a deeper one takes all of it. (Each body lies among its header's
    // descendants, so only a loop whose header is below another's can share blocks with it.)
    loop {
        let mut changed = false;
        for a in 0..heads.len() {
            for b in a + 1..heads.len() {
                if below(heads[a], heads[b])
                    && bodies[a].intersects(&bodies[b])
                    && !bodies[b].is_subset(&bodies[a])
                {
                    let (outer, inner) = bodies.split_at_mut(b);
                    outer[a].union(&inner[0]);
                    changed = true;
                }
            }
        }
        if !changed {
            break;
        }
    }
    // Node 0 is the function, node k + 1 loop k; each loop's parent is the innermost node holding its header.
    let mut all = Blocks::new(n);
    for b in 0..n {
        all.insert(b);
    }
    let members: Vec<&Blocks> = std::iter::once(&all).chain(bodies.iter()).collect();
    let heads: Vec<usize> = std::iter::once(entry).chain(heads).collect();
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); heads.len()];
    for (c, &h) in heads.iter().enumerate().skip(1) {
        let parent = (0..c).rev().find(|&p| members[p].contains(h)).unwrap_or(0);
        children[parent].push(c);
    }
    (0..heads.len())
        .map(|id| {
            let blocks: Vec<usize> = members[id].iter().collect();
            let (first, last) = (blocks[0], blocks[blocks.len() - 1]);
            // Units: the nested loops, and the blocks in none of them.
            let mut units: Vec<Unit> = children[id].iter().map(|&c| Unit::Loop(c)).collect();
            let mut unit_of = vec![NOT_IN_NODE; last - first + 1];
            for (u, &c) in children[id].iter().enumerate() {
                for b in members[c].iter() {
                    unit_of[b - first] = u as u32;
                }
            }
            for &b in &blocks {
                if unit_of[b - first] == NOT_IN_NODE {
                    unit_of[b - first] = units.len() as u32;
                    units.push(Unit::Block(b));
                }
            }
            let start = |u: &Unit| match *u {
                Unit::Block(b) => b,
                Unit::Loop(c) => heads[c],
            };
            // Reverse postorder from the header's unit over the edges between units (not those back to it),
            // each unit's successors visited from the highest address down, so that where the order is free
            // a block's fall-through follows it; units the search does not reach follow in address order.
            let m = units.len();
            let mut usucc: Vec<Vec<usize>> = vec![Vec::new(); m];
            let head_unit = unit_of[heads[id] - first] as usize;
            for &b in &blocks {
                let u = unit_of[b - first] as usize;
                for &t in &succ[b] {
                    if t >= first && t <= last {
                        let v = unit_of[t - first];
                        if v != NOT_IN_NODE && v as usize != u && v as usize != head_unit {
                            usucc[u].push(v as usize);
                        }
                    }
                }
            }
            for s in &mut usucc {
                s.sort_unstable_by_key(|&v| std::cmp::Reverse(start(&units[v])));
                s.dedup();
            }
            let mut seen = vec![false; m];
            let mut post = Vec::with_capacity(m);
            seen[head_unit] = true;
            let mut stack = vec![(head_unit, 0usize)];
            while let Some((u, k)) = stack.last_mut() {
                let u = *u;
                if let Some(&v) = usucc[u].get(*k) {
                    *k += 1;
                    if !seen[v] {
                        seen[v] = true;
                        stack.push((v, 0));
                    }
                } else {
                    post.push(u);
                    stack.pop();
                }
            }
            let mut order: Vec<usize> = post.into_iter().rev().collect();
            let mut rest: Vec<usize> = (0..m).filter(|&u| !seen[u]).collect();
            rest.sort_unstable_by_key(|&u| start(&units[u]));
            order.extend(rest);
            let mut position = vec![0u32; m];
            for (p, &u) in order.iter().enumerate() {
                position[u] = p as u32;
            }
            for x in unit_of.iter_mut().filter(|x| **x != NOT_IN_NODE) {
                *x = position[*x as usize];
            }
            Node {
                head: heads[id],
                first,
                last,
                units: order.iter().map(|&u| units[u]).collect(),
                unit_of,
            }
        })
        .collect()
}

/// The lifter of one function.
#[derive(Debug)]
pub struct Lift<'p> {
    plan: &'p FnPlan,
    index: HashMap<u64, usize>,
    /// The structured layout ([`loop_nodes`]) and the labels open at the emission point.
    nodes: Vec<Node>,
    labels: Vec<Label>,
    /// What the whole module is lifted against.
    m: ModuleInfo<'p>,
    /// Lifted functions this one calls or continues in (direct transfers), in any order, repeats allowed.
    edges: Vec<u32>,
    /// Where register spills (before a call) and reloads (after it) go: positions in `cur` / `body`, filled in
    /// by `assemble` once the register sets of this function and of its callees are known.
    cur_marks: Vec<(usize, Mark)>,
    body_marks: Vec<(usize, Mark)>,
    /// Types of the locals after the fixed ones.
    temps: Vec<ValType>,
    /// Temps the current block took, and those free for it (by type): [`Lift::reuse_temps`].
    block_temps: Vec<u32>,
    free_temps: Vec<(ValType, Vec<u32>)>,
    body: Vec<Instruction<'static>>,
    /// The current instruction's code (discarded if it turns out not to be liftable).
    cur: Vec<Instruction<'static>>,
    /// Register writes of the current instruction, committed at its end (or before a branch).
    pending: Vec<(RegSlot, u32)>,
    /// The current instruction's flags write.
    pending_flags: Option<Flags>,
    /// The last FCMP's (NZCV local, compared floats, double) from [`Sem::fp_compare`], for the `set_nzcv`
    /// that follows it.
    fcmp: Option<(u32, u32, u32, bool)>,
    /// The flags as last written in this block (known operands: conditions compare them directly).
    known: Option<Flags>,
    /// `known` when the current instruction started (restored if it turns out not to be liftable).
    known_at_start: Option<Flags>,
    /// Locals known to hold a constant (from `imm`), and locals that are the bitwise NOT of another: SUBS is
    /// `add_with_flags(a, !b, 1)` in the semantics, recognised here to keep the flags as `a - b` lazily.
    consts: HashMap<u32, u64>,
    not_of: HashMap<u32, u32>,
    /// V128 locals built by `q_from(lo, hi)`: their halves, so `q_lo`/`q_hi` need no lane extract (scalar FP
    /// on V registers goes through `q_from` and `q_lo` for every instruction).
    qparts: HashMap<u32, (u32, u32)>,
    /// Float views of scalar bit patterns (`fp::FloatViews`): fast-path results and V register lanes.
    fviews: fp::FloatViews,
    /// The halves of V0..V31 as last written in this block, where known (reset at block starts and calls).
    vparts: [Option<(u32, u32)>; 32],
    /// Values computed earlier in the block at its top level (so they dominate what follows), for reuse
    /// (`pure`: registers' current values, constants, address arithmetic), and the addresses already
    /// bounds-checked, with the widest access size checked. A load and a store of the same address
    /// (`ldr x1, [x0]` … `str x2, [x0]`) check it once. Reset where [`Lift::vparts`] is.
    pure: HashMap<(Pure, u32, u64), u32>,
    checked: HashMap<u32, u32>,
    /// Addresses computed as a base plus a constant (`add` with a constant operand) or plus an offset known to
    /// lie in a small range ([`Lift::bounded`]): address local → (base local, lowest and highest offset).
    /// Locals are reused only in a later block, which clears this first ([`Lift::reuse_temps`]), so entries stay true.
    based: HashMap<u32, (u32, i64, i64)>,
    /// Locals whose value is known not to exceed a bound below [`MAX_BOUND`]: zero-extended byte and halfword
    /// loads, ANDs with a constant, and their left shifts by constants (a table index scaled to an offset:
    /// `ldrb w1, [x2]` … `ldr w3, [x0, x1, lsl #2]`).
    bounded: HashMap<u32, u64>,
    /// Per base local, the window of offsets `[lo, hi)` around it already checked at the block's top level
    /// ([`CHECK_WINDOW`]). Reset where [`Lift::checked`] is.
    windows: HashMap<u32, (i64, i64)>,
    pc: u64,
    block: usize,
    /// While a peeled copy of a loop's block is emitted: the loop's start and the position of the copy's
    /// [`Label::Peel`] in [`Lift::labels`].
    peel: Option<(u64, usize)>,
    /// `if`s opened by the current primitive around code that may branch.
    depth: u32,
    unsupported: bool,
    /// The instruction after the current one in its block, for the pairs lifted as one ([`remainder_pair`]).
    next: Option<Insn>,
    /// The pc of an instruction whose semantics the one before it already ran (the MSUB of a remainder pair).
    done_by_pair: Option<u64>,
    /// The instruction transferred control unconditionally; code after it in the block is unreachable.
    ended: bool,
    reads: u64,
    writes: u64,
    /// The current instruction's own reads (before any write of its own) and writes of X0..X30, SP, NZCV and
    /// V0..V31, and per pc those of every instruction lifted so far ([`live`]).
    insn_reads: u128,
    insn_writes: u128,
    effects: live::Effects,
    /// The same for V0..V31.
    vreads: u32,
    vwrites: u32,
    /// Some floating-point fast path reads `L_FPFAST`: the prologue and call sites keep it up to date.
    uses_fast_fp: bool,
    /// Some back edge decrements `L_FUEL`: the prologue, call sites and the epilogue move it to and from memory.
    uses_fuel: bool,
    /// Callees being inlined around the current instruction ([`Lift::begin_inlined`]).
    inlining: u32,
    pub stats: LiftStats,
}

/// What every function of a module is lifted against.
#[derive(Clone, Copy, Debug)]
pub struct ModuleInfo<'p> {
    /// Every block start of the module: pc → (function, block).
    pub global: &'p HashMap<u64, (u32, u32)>,
    /// Every function entry: pc → (function, block of its entry).
    pub callees: &'p HashMap<u64, (u32, u32)>,
    /// Profiled targets of indirect branches (BR, BLR) by site, most frequent first.
    pub indirect: &'p HashMap<u64, Vec<u64>>,
    /// Pcs where lifted code of an earlier bundle handed control back (profiled AOT misses): a floating-point
    /// slow path there calls the helper even inside a loop (`Lift::fp_slow_exits`).
    pub handed_back: &'p HashSet<u64>,
    /// Loops that have a lifted function of their own (`outline` in lib.rs), by header pc. A function holding
    /// such a loop calls it there instead of running the loop itself (`Lift::call_outlined`).
    pub outlined: &'p HashMap<u64, Outlined>,
    /// Loops of one block peeled where the code before them falls in: start → copies (`Lift::peel_loop`).
    pub peeled: &'p HashMap<u64, u32>,
    /// Loops lifted several times per back edge: header → copies (`Lift::emit_unrolled` for a loop of one
    /// block, `Lift::emit_copies` for an innermost loop of several).
    pub unrolled: &'p HashMap<u64, u32>,
    /// Every function's plan, by index (`Lift::inline_leaf`).
    pub plans: &'p [FnPlan],
    /// Function index of the module's `nzcv(kind, a, b)` helper.
    pub nzcv_func: u32,
    /// Fused multiply-adds may use the engine's relaxed multiply-add ([`crate::BuildInput::fused_madd`]).
    pub fused_madd: bool,
}

impl<'p> Lift<'p> {
    /// Lifts `plan` into a Wasm function body, all but the register moves around calls, which depend on the
    /// callees: [`Lift::summary`] and [`Lift::edges`] of every function go to [`transitive`], whose result
    /// [`Lift::finish`] takes.
    pub fn function(plan: &'p FnPlan, m: &ModuleInfo<'p>) -> Lift<'p> {
        let index = block_index(plan);
        let nodes = loop_nodes(plan, &index);
        let mut l = Lift {
            m: *m,
            nodes,
            labels: Vec::new(),
            pending_flags: None,
            fcmp: None,
            consts: HashMap::new(),
            not_of: HashMap::new(),
            qparts: HashMap::new(),
            fviews: fp::FloatViews::default(),
            vparts: [None; 32],
            pure: HashMap::new(),
            checked: HashMap::new(),
            based: HashMap::new(),
            bounded: HashMap::new(),
            windows: HashMap::new(),
            known: None,
            known_at_start: None,
            plan,
            edges: Vec::new(),
            cur_marks: Vec::new(),
            body_marks: Vec::new(),
            index,
            temps: Vec::new(),
            block_temps: Vec::new(),
            free_temps: Vec::new(),
            body: Vec::new(),
            cur: Vec::new(),
            pending: Vec::new(),
            pc: 0,
            block: 0,
            peel: None,
            depth: 0,
            unsupported: false,
            next: None,
            done_by_pair: None,
            ended: false,
            reads: 0,
            writes: 0,
            insn_reads: 0,
            insn_writes: 0,
            effects: HashMap::new(),
            vreads: 0,
            vwrites: 0,
            uses_fast_fp: false,
            uses_fuel: false,
            inlining: 0,
            stats: LiftStats::default(),
        };
        l.emit_body();
        l
    }

    /// The registers this function itself uses and writes.
    pub fn summary(&self) -> Summary {
        Summary {
            used: self.reads | self.writes,
            writes: self.writes,
            vused: self.vreads | self.vwrites,
            vwrites: self.vwrites,
        }
    }

    /// The functions this one calls or continues in.
    pub fn edges(&self) -> &[u32] {
        &self.edges
    }

    /// The finished Wasm function; `summaries` are every function's, from [`transitive`].
    pub fn finish(self, summaries: &[Summary]) -> (Function, LiftStats) {
        let stats = self.stats;
        (self.assemble(summaries), stats)
    }

    fn emit_body(&mut self) {
        self.body.push(Instruction::I64Const(STATUS_BAD_BLOCK));
        self.body.push(Instruction::LocalSet(L_STATUS));
        self.body.extend([
            Instruction::LocalGet(L_BLOCK),
            Instruction::I32Const(1),
            Instruction::I32Add,
            Instruction::LocalSet(L_ENTER),
        ]);
        self.body
            .push(Instruction::Block(wasm_encoder::BlockType::Empty)); // $exit
        self.labels.push(Label::Exit);
        self.emit_node(0);
        self.labels.pop();
        self.body.push(Instruction::End); // $exit
    }

    /// Emits loop node `id` (node 0: the whole function, the dispatch loop): a `loop`, one `block` per unit
    /// ending where the unit's code starts, and the dispatch on `$enter` — zero continues at the first unit
    /// (the loop header), `k + 1` goes to the unit holding block k, which a nested node dispatches further.
    fn emit_node(&mut self, id: usize) {
        use wasm_encoder::BlockType::Empty;
        let node = self.nodes[id].clone();
        self.body.push(Instruction::Loop(Empty));
        self.labels.push(Label::Node(id));
        let m = node.units.len();
        // An innermost loop of several blocks lifted several times per back edge ([`ModuleInfo::unrolled`]):
        // each copy but the last in a [`Label::Peel`] `block` that its branches back to the header leave for
        // the next copy; the dispatch enters the first.
        // (A header that branches to itself is unrolled as a loop of one block, `emit_unrolled`.)
        let header = self.plan.blocks[node.head].start;
        let copies = match self.m.unrolled.get(&header) {
            Some(&c)
                if id != 0
                    && m > 1
                    && node.units.iter().all(|u| matches!(u, Unit::Block(_)))
                    && !self.plan.blocks[node.head].targets().contains(&header) =>
            {
                c
            }
            _ => 1,
        };
        if copies > 1 {
            self.body.push(Instruction::Block(Empty));
            self.labels.push(Label::Peel);
            self.peel = Some((header, self.labels.len() - 1));
        }
        for idx in (0..m).rev() {
            self.body.push(Instruction::Block(Empty));
            self.labels.push(Label::Unit { node: id, idx });
        }
        // At the dispatch, unit idx's label is at depth idx and $exit at labels.len() - 1.
        let exit = self.labels.len() as u32 - 1;
        if m == 0 {
            // A function without blocks: nothing to enter (depth 0 would be the loop itself).
            self.body.push(Instruction::Br(exit));
        }
        // The dispatch's default: an `$enter` that is none of the node's blocks. A nested node's `$enter` is
        // always one of its blocks (the lifter set it, or the dispatch around it chose this node for it):
        // anything else traps. Leaving through `$exit` instead, the default would read every register local at
        // the node's start, keeping all of them alive around the loop. In node 0 the default comes only from
        // the function's entry, the runtime asking for a block index the function does not have (a runtime
        // bug, reported as status -1). An outlined loop (`ModuleInfo::outlined`, a function of one block)
        // returns -1 itself, as nothing was written yet: through `$exit`, the entry's values of its registers
        // met the epilogue's merge of every exit, and the register allocator kept loop-invariant registers in
        // stack slots, reloaded and stored in every iteration (primes' sieve loop). In whole functions the
        // direct return measured worse (mlp, linpack, intmix: +1–2% host instructions, +3–5% time, through
        // regalloc2's choices elsewhere): they keep leaving through `$exit`.
        let own_default = id != 0 || self.m.outlined.contains_key(&self.plan.entry);
        if own_default {
            self.body.push(Instruction::Block(Empty));
        }
        let default = if own_default { 0 } else { exit };
        let units: Vec<u32> = node
            .unit_of
            .iter()
            .map(|&u| match u {
                NOT_IN_NODE => default,
                u => u + u32::from(own_default),
            })
            .collect();
        self.body.extend([
            Instruction::LocalGet(L_ENTER),
            Instruction::I32Eqz,
            Instruction::BrIf(u32::from(own_default)),
            Instruction::LocalGet(L_ENTER),
            Instruction::I32Const(node.first as i32 + 1),
            Instruction::I32Sub,
            Instruction::BrTable(units.into(), default),
        ]);
        if own_default {
            self.body.push(Instruction::End);
            if id == 0 {
                self.body
                    .extend([Instruction::I64Const(STATUS_BAD_BLOCK), Instruction::Return]);
            } else {
                self.body.push(Instruction::Unreachable);
            }
        }
        for (idx, unit) in node.units.iter().enumerate() {
            self.body.push(Instruction::End);
            self.labels.pop();
            match *unit {
                Unit::Block(b) => {
                    self.block = b;
                    // A loop node's first unit is its header (node 0 is no loop of the guest's).
                    self.emit_block(b, id != 0 && idx == 0);
                }
                Unit::Loop(c) => self.emit_node(c),
            }
        }
        if copies > 1 {
            self.emit_copies(id, copies);
        }
        self.labels.pop();
        self.body.push(Instruction::End); // loop
    }

    /// Closes the [`Label::Peel`] `block` around the first copy of loop node `id` (all of its units blocks)
    /// and emits the other `copies - 1`, each entered only by the branches back to the header of the copy
    /// before: its header's code first, then the other units behind their labels, with no dispatch. Each
    /// but the last sits in a `block` of its own that its branches back to the header leave; the last one's
    /// pay fuel and continue the node's `loop`. The instructions count once.
    fn emit_copies(&mut self, id: usize, copies: u32) {
        use wasm_encoder::BlockType::Empty;
        let node = self.nodes[id].clone();
        let header = self.plan.blocks[node.head].start;
        let stats = self.stats;
        for copy in 1..copies {
            self.peel = None;
            self.labels.pop();
            self.body.push(Instruction::End);
            if copy + 1 < copies {
                self.body.push(Instruction::Block(Empty));
                self.labels.push(Label::Peel);
                self.peel = Some((header, self.labels.len() - 1));
            }
            for idx in (1..node.units.len()).rev() {
                self.body.push(Instruction::Block(Empty));
                self.labels.push(Label::Unit { node: id, idx });
            }
            for (idx, unit) in node.units.iter().enumerate() {
                if idx > 0 {
                    self.body.push(Instruction::End);
                    self.labels.pop();
                }
                if let Unit::Block(b) = *unit {
                    self.block = b;
                    self.emit_block(b, idx == 0);
                }
            }
        }
        self.stats = stats;
    }

    /// Block `i`'s code; `head` if it is a loop node's header.
    fn emit_block(&mut self, i: usize, head: bool) {
        self.reuse_temps();
        // A dispatch that came here is complete.
        self.body
            .extend([Instruction::I32Const(0), Instruction::LocalSet(L_ENTER)]);
        let start = self.plan.blocks[i].start;
        if start != self.plan.entry
            && let Some(g) = self.m.outlined.get(&start)
        {
            self.block = i;
            self.call_outlined(g);
            return;
        }
        // A loop header's own code is a `loop` too: its branch back to itself (the commonest hot loop) continues
        // there without passing its node's dispatch again.
        let vector = if head {
            vector::recognise(&self.plan.blocks[i], self.m.fused_madd)
        } else {
            None
        };
        if let Some(v) = &vector {
            self.body
                .push(Instruction::Block(wasm_encoder::BlockType::Empty));
            self.labels.push(Label::Skip);
            self.emit_vector_loop(v);
        }
        if head {
            self.body
                .push(Instruction::Loop(wasm_encoder::BlockType::Empty));
            self.labels.push(Label::Head(i));
        }
        let b = &self.plan.blocks[i];
        match self.m.unrolled.get(&b.start) {
            // A loop of one block: a header that branches to itself (a loop of several blocks, unrolled as a
            // whole by `emit_node`, never has one; inside its copies `peel` is set).
            Some(&copies)
                if head
                    && vector.is_none()
                    && self.peel.is_none()
                    && b.targets().contains(&b.start) =>
            {
                self.emit_unrolled(i, copies)
            }
            _ => self.emit_block_code(i),
        }
        if head {
            self.labels.pop();
            self.body.push(Instruction::End);
        }
        if vector.is_some() {
            // Where the vector loops ran the guest loop to its end: its fall-through.
            self.labels.pop();
            self.body.push(Instruction::End);
            self.known = None;
            self.forget_values();
            self.drop_insn(0);
            self.goto(self.plan.blocks[i].end());
            self.flush();
        }
    }

    fn emit_block_code(&mut self, i: usize) {
        // Blocks are entered from several places: nothing is known about the flags or V registers but their
        // locals.
        self.known = None;
        self.forget_values();
        self.lift_block(i);
    }

    /// Block `i`'s instructions with what is known now, then its fall-through.
    fn lift_block(&mut self, i: usize) {
        let plan = self.plan;
        let b = &plan.blocks[i];
        if self.lift_insns(b.start, &b.insns, 0) {
            return;
        }
        // Fell through the end of the block.
        self.drop_insn(0);
        if !self.peel_loop(b.end()) {
            self.goto(b.end());
        }
        self.flush();
    }

    /// A loop of one block ([`ModuleInfo::unrolled`]) as `copies` copies of its code inside its header's
    /// `loop`: each but the last in a [`Label::Peel`] `block` that its branch back leaves for the next copy,
    /// the last one's branch back paying the fuel and continuing the `loop`. Each copy knows what the one
    /// before left known (only that copy's branch back reaches it); exits inside the copies are the block's
    /// own, at their own pcs.
    fn emit_unrolled(&mut self, i: usize, copies: u32) {
        let plan = self.plan;
        let b = &plan.blocks[i];
        self.known = None;
        self.forget_values();
        // The copies' instructions are the loop's: counted once, with the last copy.
        let stats = self.stats;
        for _ in 1..copies {
            self.lift_copy(b);
        }
        self.stats = stats;
        self.lift_block(i);
    }

    /// One copy of loop block `blk` (a one-block loop's, peeled or unrolled) in a [`Label::Peel`] `block` that
    /// its branch back to the loop leaves, for the code after it (the next copy). What is known at the end of
    /// the code before (the block falling in, the copy before) holds: that code's top level dominates the
    /// copy, which only its branch back reaches. The next copy knows what this one's instructions left known,
    /// not what its exit adds. Returns whether the block's code ended (it does not fall through).
    fn lift_copy(&mut self, blk: &BlockPlan) -> bool {
        self.body
            .push(Instruction::Block(wasm_encoder::BlockType::Empty));
        self.labels.push(Label::Peel);
        self.peel = Some((blk.start, self.labels.len() - 1));
        let ended = self.lift_insns(blk.start, &blk.insns, 0);
        let kept = (
            self.known,
            self.pure.clone(),
            self.checked.clone(),
            self.windows.clone(),
            self.vparts,
        );
        if !ended {
            self.drop_insn(0);
            self.goto(blk.end());
            self.flush();
        }
        (
            self.known,
            self.pure,
            self.checked,
            self.windows,
            self.vparts,
        ) = kept;
        self.peel = None;
        self.labels.pop();
        self.body.push(Instruction::End);
        ended
    }

    /// Falling into the one-block loop at `target` (a later block of this function, in
    /// [`ModuleInfo::peeled`]): runs its block's copies first, each in a [`Label::Peel`] `block` that its
    /// branch back to the loop leaves for the next copy, then continues in the loop itself for the iterations
    /// left. A copy's other exits are the block's own (its fall-through after the loop, a fault, a budget
    /// check nowhere: the copies have no back edge). Returns whether it did.
    fn peel_loop(&mut self, target: u64) -> bool {
        let (Some(&copies), Some(&j)) = (self.m.peeled.get(&target), self.index.get(&target))
        else {
            return false;
        };
        if self.peel.is_some() || j <= self.block {
            return false;
        }
        let plan = self.plan;
        let blk = &plan.blocks[j];
        // The copies' instructions are the loop's: counted where its own block is lifted.
        let stats = self.stats;
        self.flush();
        for _ in 0..copies {
            if self.lift_copy(blk) {
                // Nothing branched back: the later copies would not run.
                break;
            }
        }
        self.stats = stats;
        self.known = None;
        self.forget_values();
        self.drop_insn(0);
        self.goto(target);
        true
    }

    /// Lifts `insns`, the first at `start`, with `depth` `if`s open around them, until one ends the code (a
    /// transfer, or an exit to the interpreter): returns whether one did.
    fn lift_insns(&mut self, start: u64, insns: &[Insn], depth: u32) -> bool {
        for (k, &insn) in insns.iter().enumerate() {
            self.next = insns.get(k + 1).copied();
            self.lift_insn(insn, start + 4 * k as u64, depth);
            if self.ended {
                return true;
            }
        }
        false
    }

    /// Lifts instruction `insn` at `pc` into the body, with `depth` `if`s of the current instruction open
    /// around it (0 but in inlined callees): its code, or, if it cannot be lifted, an exit to the interpreter
    /// there (`ended` then says so).
    fn lift_insn(&mut self, insn: Insn, pc: u64, depth: u32) {
        self.pc = pc;
        self.known_at_start = self.known;
        self.drop_insn(depth);
        self.ended = false;
        (self.insn_reads, self.insn_writes) = (0, 0);
        // The second of a pair lifted as one emits nothing and must not be left to the interpreter, which would
        // run it again on the pair's result.
        if self.done_by_pair == Some(pc) || FIRST_TEMP as usize + self.temps.len() < MAX_LOCALS {
            self.exec_insn(insn);
        } else {
            // A block that used up the function's locals (some 20,000 instructions without a branch): the
            // interpreter runs the rest of it.
            self.unsupported();
        }
        if self.unsupported {
            // The interpreter runs it: it may read anything.
            (self.insn_reads, self.insn_writes) = (live::ALL, 0);
            self.known = self.known_at_start;
            self.drop_insn(depth);
            self.exit(Status::Interp, pc);
            self.ended = true;
            self.stats.fallback += 1;
        } else {
            self.commit();
            self.stats.lifted += 1;
        }
        // A copy of the instruction (peeled, in a vector loop's scalar part) runs the same semantics.
        let e = self
            .effects
            .entry(pc)
            .or_insert((self.insn_reads, self.insn_writes));
        *e = (e.0 | self.insn_reads, e.1 & self.insn_writes);
        self.flush();
    }

    /// Forgets the current instruction's code and pending writes (before it starts, or when it cannot be
    /// lifted), with `depth` `if`s open around what comes next.
    fn drop_insn(&mut self, depth: u32) {
        self.cur.clear();
        self.cur_marks.clear();
        self.pending.clear();
        self.pending_flags = None;
        self.depth = depth;
        self.unsupported = false;
    }

    /// The code of one instruction: its semantics, or one of the whole-vector forms of `vector`.
    fn exec_insn(&mut self, insn: Insn) {
        if self.done_by_pair.take() == Some(self.pc) {
            return;
        }
        if let Some(p) = self.next.and_then(|next| remainder_pair(insn, next)) {
            use elfrun_interp::sem::Sem;
            let w = elfrun_interp::sem::Width::from_sf(p.sf);
            let a = self.x(p.rn);
            let b = self.x(p.rm);
            let r = self.rem(w, p.signed, a, b);
            self.set_x(p.rd, r);
            self.done_by_pair = Some(self.pc + 4);
        } else if let Some(f) = vector::simd_fast_op(insn, self.m.fused_madd) {
            self.emit_simd_fast(insn, f);
        } else if let Some(l) = vector::simd_long_op(insn) {
            self.emit_simd_long(l);
        } else {
            elfrun_interp::a64::exec(self, insn);
        }
    }

    /// Moves the current instruction's code to the body. A `nop` followed by a constant marks an exit at that pc
    /// in code built out of line (the floating-point slow paths, [`Lift::fp_slow_exits`]), which gets the
    /// [`Mark::Kill`] that [`Lift::exit`] places.
    fn flush(&mut self) {
        let exits: Vec<_> = self
            .cur
            .windows(2)
            .enumerate()
            .filter_map(|(i, w)| match *w {
                [Instruction::Nop, Instruction::I64Const(npc)] => Some((i, Mark::Kill(npc as u64))),
                _ => None,
            })
            .collect();
        if !exits.is_empty() {
            self.cur_marks.extend(exits);
            self.cur_marks.sort_by_key(|&(i, _)| i);
        }
        let base = self.body.len();
        self.body_marks
            .extend(self.cur_marks.drain(..).map(|(i, m)| (base + i, m)));
        self.body.append(&mut self.cur);
    }

    /// Forgets what is known about register and other values (a block start, or after a call reloaded the
    /// registers).
    fn forget_values(&mut self) {
        self.vparts = [None; 32];
        self.pure.clear();
        self.checked.clear();
        self.windows.clear();
        // A comparison's hint is for the instruction's own `set_nzcv`; temps are reused after here.
        self.fcmp = None;
    }

    /// Whether code emitted now runs whenever the rest of the block does: no `if` or `block` of the current
    /// instruction is open around it.
    fn at_top(&self) -> bool {
        self.depth == 0
            && self.cur.iter().fold(0i32, |open, i| match i {
                Instruction::Block(_) | Instruction::Loop(_) | Instruction::If(_) => open + 1,
                Instruction::End => open - 1,
                _ => open,
            }) == 0
    }

    fn mark(&mut self, m: Mark) {
        self.cur_marks.push((self.cur.len(), m));
    }

    /// Applies the current instruction's buffered register writes.
    fn commit(&mut self) {
        if let Some(f) = self.pending_flags.take() {
            use Instruction as I;
            self.writes |= 1 << NZCV;
            self.insn_writes |= 1 << NZCV;
            // With a CCMP's alternative, each flag local takes the comparison's operand or the constant's (the
            // kind `Value`, NZCV itself) by a select on the condition.
            let nzcv = f.alt.map_or(0, |(_, n)| i64::from(n) << 28);
            let mut set = |this: I<'static>, other: I<'static>, local: u32| {
                self.cur.push(this);
                if let Some((holds, _)) = f.alt {
                    self.cur.extend([other, I::LocalGet(holds), I::Select]);
                }
                self.cur.push(I::LocalSet(local));
            };
            set(
                I::I32Const(f.kind as i32),
                I::I32Const(FlagKind::Value as i32),
                L_FK,
            );
            set(I::LocalGet(f.a), I::I64Const(nzcv), L_FA);
            if let Some(b) = f.b {
                set(I::LocalGet(b), I::I64Const(0), L_FB);
            }
            // The flag locals now hold copies: later reads use those (the temps stay valid too).
            self.known = Some(f);
        }
        for (slot, local) in std::mem::take(&mut self.pending) {
            match slot {
                RegSlot::Gpr(r) => {
                    self.writes |= 1 << r;
                    self.insn_writes |= 1 << r;
                    let key = (Pure::Reg, r as u32, 0);
                    if self.at_top() {
                        self.pure.insert(key, local);
                    } else {
                        self.pure.remove(&key);
                    }
                    self.cur.push(Instruction::LocalGet(local));
                    self.cur.push(Instruction::LocalSet(L_REGS + r as u32));
                }
                RegSlot::Vec(r) => {
                    self.vwrites |= 1 << r;
                    self.insn_writes |= live::vbit(r);
                    self.vparts[r as usize] = self.qparts.get(&local).copied();
                    self.cur.push(Instruction::LocalGet(local));
                    self.cur.push(Instruction::LocalSet(L_VREGS + r as u32));
                }
            }
        }
    }

    /// Whether a floating-point slow path here leaves for the interpreter instead of calling the helper: inside
    /// a guest loop, unless an earlier run handed control back at this instruction. A call anywhere in a loop
    /// is a memory fence to Cranelift's alias analysis, which then reloads the guest memory's base (three
    /// dependent loads) before every access of the loop instead of once; slow paths are rare (NaN, infinity,
    /// denormal or huge operands, a rounding mode other than to nearest, flush-to-zero), and the pcs where they
    /// are not come back from the run as AOT misses, so the next build calls the helper there.
    fn fp_slow_exits(&self) -> bool {
        !self.m.handed_back.contains(&self.pc) && self.in_loop()
    }

    /// Whether the code being emitted is inside a guest loop (a loop node other than the function's root).
    fn in_loop(&self) -> bool {
        self.labels
            .iter()
            .any(|l| matches!(*l, Label::Head(_) | Label::Node(1..)))
    }

    /// Label depth of `$exit` from the current emission point: the ifs the current primitive opened, then the
    /// structured labels.
    fn exit_depth(&self) -> u32 {
        self.label_depth(0)
    }

    /// Depth of the structured label at position `pos` of [`Lift::labels`] from the current emission point.
    fn label_depth(&self, pos: usize) -> u32 {
        self.depth + (self.labels.len() - 1 - pos) as u32
    }

    /// Leaves the function with `status`, continuing at the constant `npc`.
    fn exit(&mut self, status: Status, npc: u64) {
        // The runtime continues at `npc` itself (the interpreter, or lifted code entered there again): the
        // registers dead there need not be kept for the exit ([`live`]). A system call reads registers first.
        // Outside loops the constants would only add code (`--scope all` bundles: 13% more, and their load
        // time with it), the values being dead from here on anyway.
        if matches!(status, Status::Budget | Status::Interp) && self.in_loop() {
            self.mark(Mark::Kill(npc));
        }
        self.cur.push(Instruction::I64Const(npc as i64));
        self.exit_with_npc_on_stack(status);
    }

    fn exit_with_npc_on_stack(&mut self, status: Status) {
        self.exit_raw(status as i64);
    }

    /// Sets the function's result to `ret` (a status, or a packed direct transfer) and leaves; the npc is on
    /// the stack.
    fn exit_raw(&mut self, ret: i64) {
        self.cur.push(Instruction::LocalSet(L_NPC));
        self.cur.push(Instruction::I64Const(ret));
        self.cur.push(Instruction::LocalSet(L_STATUS));
        self.cur.push(Instruction::Br(self.exit_depth()));
    }

    /// Continues at the constant `target`: inside the function if it has a block there, else via the runtime.
    fn goto(&mut self, target: u64) {
        if let Some(at) = self.labels.iter().rposition(|&l| l == Label::Leaf(target)) {
            // Within an inlined leaf: forward to one of its blocks.
            self.cur.push(Instruction::Br(self.label_depth(at)));
            return;
        }
        if let Some((start, at)) = self.peel
            && start == target
        {
            // A peeled copy's branch back to its loop: on to the next copy.
            self.cur.push(Instruction::Br(self.label_depth(at)));
            return;
        }
        let Some(&j) = self.index.get(&target) else {
            match self.m.global.get(&target) {
                // Another lifted function has it: `enter` (or the caller's call loop) goes there directly.
                Some(&(f, b)) => {
                    self.edges.push(f);
                    self.cur.push(Instruction::I64Const(target as i64));
                    self.exit_raw(direct(f, b));
                }
                None => self.exit(Status::Continue, target),
            }
            return;
        };
        let i = self.block;
        // The innermost loop node around this block that also holds block j, and its unit holding j.
        let (pos, id) = self
            .labels
            .iter()
            .enumerate()
            .rev()
            .find_map(|(p, l)| match *l {
                Label::Node(n) if self.nodes[n].contains(j) => Some((p, n)),
                _ => None,
            })
            .expect("the root node holds every block");
        let node = &self.nodes[id];
        let unit = node.unit(j);
        let unit_start = self.unit_start(id, unit);
        if unit > node.unit(i) {
            // Forward: to the end of the unit's label (still open: it follows the unit of this block); into a
            // nested loop other than at its header, through that loop's dispatch.
            let at = self
                .labels
                .iter()
                .rposition(|l| {
                    *l == Label::Unit {
                        node: id,
                        idx: unit,
                    }
                })
                .expect("a later unit's label is open");
            if unit_start != j {
                self.cur.extend([
                    Instruction::I32Const(j as i32 + 1),
                    Instruction::LocalSet(L_ENTER),
                ]);
            }
            self.cur.push(Instruction::Br(self.label_depth(at)));
            return;
        }
        // A backward branch: pay fuel, then continue the node's loop — at its header directly, anywhere else in
        // it through its dispatch.
        self.uses_fuel = true;
        self.cur.extend([
            Instruction::LocalGet(L_FUEL),
            Instruction::I32Const(1),
            Instruction::I32Sub,
            Instruction::LocalTee(L_FUEL),
            Instruction::I32Eqz,
            Instruction::If(wasm_encoder::BlockType::Empty),
        ]);
        self.depth += 1;
        self.exit(Status::Budget, target);
        self.depth -= 1;
        self.cur.push(Instruction::End);
        if j == i
            && let Some(at) = self.labels.iter().rposition(|l| *l == Label::Head(i))
        {
            self.cur.push(Instruction::Br(self.label_depth(at)));
            return;
        }
        if !(unit == 0 && unit_start == j) {
            self.cur.extend([
                Instruction::I32Const(j as i32 + 1),
                Instruction::LocalSet(L_ENTER),
            ]);
        }
        self.cur.push(Instruction::Br(self.label_depth(pos)));
    }

    /// The first block of unit `idx` of node `id`.
    fn unit_start(&self, id: usize, idx: usize) -> usize {
        match self.nodes[id].units[idx] {
            Unit::Block(b) => b,
            Unit::Loop(c) => self.nodes[c].head,
        }
    }

    /// The header of a loop with a function `g` of its own (`outlined`): calls it, with the
    /// registers moved as for a BL ([`Lift::call_lifted`]). When the loop ends, `g` returns a direct transfer to
    /// where it continues (one of `g.exits`), which this function then does too; anything else `g` returns (an
    /// exit, fuel running out) is passed up.
    fn call_outlined(&mut self, g: &Outlined) {
        use Instruction as I;
        self.drop_insn(0);
        self.known = None;
        self.forget_values();
        let r = self.temp(ValType::I64);
        self.edges.push(g.func);
        self.mark(Mark::Spill(g.func));
        self.cur.extend([
            I::I32Const(g.block as i32),
            I::Call(FIRST_LIFTED + g.func),
            I::LocalSet(r),
        ]);
        self.mark(Mark::Reload(g.func));
        for &next in &g.exits {
            let Some(&(f, b)) = self.m.global.get(&next) else {
                continue;
            };
            self.cur.extend([
                I::LocalGet(r),
                I::I64Const(direct(f, b)),
                I::I64Eq,
                I::If(wasm_encoder::BlockType::Empty),
            ]);
            self.depth += 1;
            self.goto(next);
            self.depth -= 1;
            self.cur.push(I::End);
        }
        self.cur.extend([
            I::I32Const(state_addr(offsets::PC)),
            I::I64Load(memarg(3)),
            I::LocalSet(L_NPC),
            I::LocalGet(r),
            I::LocalSet(L_STATUS),
            I::Br(self.exit_depth()),
        ]);
        self.flush();
    }

    /// BL to the entry of a lifted function: a Wasm call, so the callee's RET comes back here as a plain return
    /// (continuing at the block after the BL when the callee returned to it). The registers the callee may read are
    /// stored before the call and those it may write reloaded after it ([`Summary`]). A callee that continues in
    /// another function (a tail call) is followed in a loop at the call site; any other outcome (a syscall, an exit, a
    /// return elsewhere, as longjmp does) is passed up to our own caller. Past [`MAX_CALL_DEPTH`] nested calls the call
    /// goes through `enter` instead (no Wasm stack growth). Returns false if `target` is not a lifted function's entry.
    ///
    /// With `tail`, a jump (B, or BR to a known target) to a lifted function's entry: the callee continues
    /// where this code would, so this function returns whatever the callee returns — instead of returning the
    /// callee as a direct transfer for its caller's loop to follow through the table (an indirect call, and
    /// this function's epilogue before it). Past [`MAX_CALL_DEPTH`] it still does that, which bounds the Wasm
    /// stack where functions jump to one another in a cycle.
    fn call_lifted(&mut self, target: u64, tail: bool) -> bool {
        use Instruction as I;
        use wasm_encoder::BlockType::Empty;
        let Some(&(f, b)) = self.m.callees.get(&target) else {
            return false;
        };
        if self.inlining < MAX_INLINE_NEST
            && ((!tail && self.inline_leaf(f, b)) || self.inline_stub(f, b, tail))
        {
            return true;
        }
        let ret_pc = self.pc + 4;
        let (cf, cb, r) = (
            self.temp(ValType::I32),
            self.temp(ValType::I32),
            self.temp(ValType::I64),
        );
        let pc_addr = state_addr(offsets::PC);
        self.edges.push(f);
        self.mark(Mark::Spill(f));
        self.cur.extend([
            I::GlobalGet(G_DEPTH),
            I::I32Const(MAX_CALL_DEPTH),
            I::I32LtU,
            I::If(Empty),
            I::GlobalGet(G_DEPTH),
            I::I32Const(1),
            I::I32Add,
            I::GlobalSet(G_DEPTH),
            // The callee is known: a direct call. Only where it continues in another function (a tail call)
            // does the loop below follow through the table.
            I::I32Const(b as i32),
            I::Call(FIRST_LIFTED + f),
        ]);
        self.cur.extend(if_direct(r, cf, cb));
        self.cur.extend([
            I::Loop(Empty),
            I::LocalGet(cb),
            I::LocalGet(cf),
            I::CallIndirect {
                type_index: crate::module::TY_LIFTED,
                table_index: 0,
            },
        ]);
        self.cur.extend(if_direct(r, cf, cb));
        self.cur.extend([
            I::Br(1),
            I::End,
            I::End,
            I::End,
            I::GlobalGet(G_DEPTH),
            I::I32Const(1),
            I::I32Sub,
            I::GlobalSet(G_DEPTH),
        ]);
        self.mark(Mark::Reload(f));
        self.known = None;
        self.forget_values();
        self.depth += 2; // the depth guard's `if` and the return test's
        if !tail {
            self.cur.extend([
                I::LocalGet(r),
                I::I64Eqz,
                I::I32Const(pc_addr),
                I::I64Load(memarg(3)),
                I::I64Const(ret_pc as i64),
                I::I64Eq,
                I::I32And,
                I::If(Empty),
            ]);
            self.goto(ret_pc);
            self.cur.push(I::End);
        }
        self.cur.extend([
            I::I32Const(pc_addr),
            I::I64Load(memarg(3)),
            I::LocalSet(L_NPC),
            I::LocalGet(r),
            I::LocalSet(L_STATUS),
        ]);
        self.depth -= 1;
        self.cur.push(I::Br(self.exit_depth()));
        self.cur.push(I::Else);
        self.cur.push(I::I64Const(target as i64));
        self.exit_raw(direct(f, b));
        self.depth -= 1;
        self.cur.push(I::End);
        true
    }

    /// A call (its X30 written) to function `f`, entered at block `b`, inlined when the callee is a small leaf
    /// ([`inlinable_leaf`]: at most [`INLINE_MAX`] instructions, branching only forward within itself, every
    /// path ending in RET or in a jump to another lifted function's entry — a comparison function, a getter, a
    /// wrapper): its instructions are lifted here, at their own pcs (an exit inside them leaves with the exact
    /// state, as in the callee), each of its blocks after the first where a `block` opened before the first
    /// ends (as a function's units); each RET continues at the return address when X30 still holds it — else
    /// it leaves for the runtime there — and each jump calls its target as this call would (X30 holds this
    /// call's return address). A Wasm call costs its register moves, the callee's prologue and epilogue and
    /// the outcome checks: dozens of instructions around memstr's six-instruction `qsort` comparison, and
    /// intmix's list sort calls a three-block one; memstr's string comparison (`ldr x0, [x0]; ldr x1, [x1];
    /// b strcmp`) cost a whole frame around its call of `strcmp`.
    fn inline_leaf(&mut self, f: u32, b: u32) -> bool {
        use Instruction as I;
        let ret_pc = self.pc + 4;
        let Some(plan) = self.m.plans.get(f as usize) else {
            return false;
        };
        let entry = |t: u64| self.m.callees.contains_key(&t);
        if b != 0 || !inlinable_leaf(plan, ret_pc, entry) {
            return false;
        }
        let site = self.begin_inlined();
        for blk in plan.blocks[1..].iter().rev() {
            self.body
                .push(Instruction::Block(wasm_encoder::BlockType::Empty));
            self.labels.push(Label::Leaf(blk.start));
        }
        for (k, blk) in plan.blocks.iter().enumerate() {
            if k > 0 {
                // Reached by the blocks before it: what they knew holds on some paths only.
                self.body.push(I::End);
                self.labels.pop();
                self.known = None;
                self.forget_values();
            }
            let n = blk.insns.len();
            let last_pc = blk.start + 4 * (n as u64 - 1);
            let end = leaf_end(plan, blk);
            let body = match end {
                LeafEnd::Other => &blk.insns[..],
                _ => &blk.insns[..n - 1],
            };
            // Ended: a branch (the rest of the block is not reached) or an exit to the interpreter.
            if self.lift_insns(blk.start, body, 0) {
                continue;
            }
            self.depth = 0;
            match end {
                LeafEnd::Return(rn) => {
                    self.pc = last_pc;
                    let x = self.read_slot(RegSlot::Gpr(rn.min(30)));
                    self.open_if_eq(x, ret_pc);
                    self.goto(ret_pc);
                    self.depth -= 1;
                    self.cur.extend([I::End, I::LocalGet(x)]);
                    self.exit_with_npc_on_stack(Status::Continue);
                }
                LeafEnd::Jump(target) => {
                    self.pc = last_pc;
                    self.call_from_site(site.0, target, false);
                }
                LeafEnd::Other => continue,
            }
            self.flush();
        }
        self.end_inlined(site);
        true
    }

    /// Starts a callee's code lifted at the call site (`inline_leaf`, `inline_stub`): returns the call's pc,
    /// the `if`s open around it and the labels before them, for [`Lift::end_inlined`].
    fn begin_inlined(&mut self) -> (u64, u32, usize) {
        // The callee's instructions start where nothing is known but the registers' locals.
        self.known = None;
        self.forget_values();
        let (call_pc, depth) = (self.pc, self.depth);
        self.flush();
        // The `if`s open around the call (a BLR's test for this target) enclose the callee's labels: counted as
        // labels while its instructions are lifted, each starting with none of its own open.
        let outer = self.labels.len();
        self.labels
            .extend(std::iter::repeat_n(Label::Open, depth as usize));
        self.inlining += 1;
        (call_pc, depth, outer)
    }

    /// Inside a callee inlined at the call at `call_pc`, a branch to `target`, a lifted function's entry
    /// (checked by `inline_leaf`'s and `inline_stub`'s choice of callee), lifted as that call would be: X30
    /// already holds the call's return address, after `call_pc`. The current pc is kept.
    fn call_from_site(&mut self, call_pc: u64, target: u64, tail: bool) {
        let pc = std::mem::replace(&mut self.pc, call_pc);
        let called = self.call_lifted(target, tail);
        debug_assert!(
            called,
            "an inlined callee branches to a lifted function's entry"
        );
        self.pc = pc;
    }

    /// Ends what [`Lift::begin_inlined`] started.
    fn end_inlined(&mut self, (call_pc, depth, outer): (u64, u32, usize)) {
        self.labels.truncate(outer);
        self.depth = depth;
        self.pc = call_pc;
        self.inlining -= 1;
        // What the callee's instructions taught about the flags and values holds on this path only: a call
        // inlined for one of a BLR's known targets sits in an `if`, and the next target's code follows it.
        self.known = None;
        self.forget_values();
    }

    /// A call (its X30 written) to function `f`, entered at block `b`, inlined when the callee is a stub
    /// ([`stub_branch`]: a few instructions ending in BR, as a PLT entry's `adrp x16; ldr x17, [x16, #o];
    /// add x16, x16, #o; br x17`) whose BR has profiled targets that are lifted functions' entries: the stub's
    /// instructions are lifted here at their own pcs, and its BR calls each known target directly as this
    /// call would (X30 still holds this call's return address), anything else leaving for the runtime at the
    /// BR's target. Called as a function, the stub cost a Wasm call that returned its target as a tail call
    /// for this call site's loop to follow through the table: glibc calls memcpy, memset and the other ifunc'd
    /// string functions through such stubs.
    fn inline_stub(&mut self, f: u32, b: u32, tail: bool) -> bool {
        let Some(plan) = self.m.plans.get(f as usize) else {
            return false;
        };
        let Some((br_pc, rn)) = stub_branch(plan).filter(|_| b == 0) else {
            return false;
        };
        // Entries of lifted functions that are no stubs themselves (a stub's BR that reached a stub would inline
        // it in turn).
        let plain_entry = |t: &u64| {
            self.m
                .callees
                .get(t)
                .and_then(|&(g, _)| self.m.plans.get(g as usize))
                .is_some_and(|p| stub_branch(p).is_none())
        };
        let targets: Vec<u64> = match self.m.indirect.get(&br_pc) {
            Some(t) if !t.is_empty() && t.iter().all(plain_entry) => {
                t.iter().copied().take(crate::MAX_DEVIRT).collect()
            }
            _ => return false,
        };
        let blk = &plan.blocks[0];
        let site = self.begin_inlined();
        let call_pc = site.0;
        let body = &blk.insns[..blk.insns.len() - 1];
        if !self.lift_insns(blk.start, body, 0) {
            self.pc = br_pc;
            self.depth = 0;
            let x = self.read_slot(RegSlot::Gpr(rn.min(30)));
            for t in targets {
                self.open_if_eq(x, t);
                self.call_from_site(call_pc, t, tail);
                self.depth -= 1;
                self.cur.push(Instruction::End);
            }
            self.cur.push(Instruction::LocalGet(x));
            self.exit_with_npc_on_stack(Status::Continue);
            self.flush();
        }
        self.end_inlined(site);
        true
    }

    /// A BL or BLR to `target` (`call`), or a jump there from this function — a tail call if `target` is
    /// another function's entry: lifted by [`Lift::call_lifted`] if it is a lifted function's entry; false
    /// (nothing emitted) otherwise.
    pub(super) fn call_function(&mut self, target: u64, call: bool) -> bool {
        let tail = !call && !self.index.contains_key(&target);
        (call || tail) && self.call_lifted(target, tail)
    }

    /// Opens an `if` entered when i64 local `v` holds `value` (one more level of [`Lift::depth`]).
    fn open_if_eq(&mut self, v: u32, value: u64) {
        self.cur.extend([
            Instruction::LocalGet(v),
            Instruction::I64Const(value as i64),
            Instruction::I64Eq,
            Instruction::If(wasm_encoder::BlockType::Empty),
        ]);
        self.depth += 1;
    }

    /// An indirect branch to the run-time address in local `target`. Its known targets (profiled ones, and a
    /// jump table's recovered statically) are reached directly: a BR's targets inside this function, when there
    /// are at least [`MIN_BR_TABLE`] of them within [`MAX_BR_TABLE_SLOTS`] instructions, by one `br_table` on
    /// `(target - lowest) / 4` (exact: an address that is not one of them, or not 4-aligned, goes on to the
    /// next step); the others (up to [`MAX_DEVIRT`](crate::MAX_DEVIRT)) by comparing and then branching — or,
    /// for BLR, calling — directly. Anything else leaves for the runtime's lookup.
    fn branch_to(&mut self, target: u32, call: bool) {
        let known = self.m.indirect.get(&self.pc).cloned().unwrap_or_default();
        let mut local: Vec<u64> = known
            .iter()
            .copied()
            .filter(|t| !call && self.index.contains_key(t))
            .collect();
        local.sort_unstable();
        local.dedup();
        let fits = match (local.first(), local.last()) {
            (Some(&lo), Some(&hi)) => (hi - lo) / 4 < MAX_BR_TABLE_SLOTS,
            _ => false,
        };
        let chain: Vec<u64> = if local.len() >= MIN_BR_TABLE && fits {
            self.branch_table(target, &local);
            known.into_iter().filter(|t| !local.contains(t)).collect()
        } else {
            known
        };
        for t in chain.into_iter().take(crate::MAX_DEVIRT) {
            if !self.index.contains_key(&t) && !self.m.global.contains_key(&t) {
                continue;
            }
            self.open_if_eq(target, t);
            if !self.call_function(t, call) {
                self.goto(t);
            }
            self.depth -= 1;
            self.cur.push(Instruction::End);
        }
        self.cur.push(Instruction::LocalGet(target));
        self.exit_with_npc_on_stack(Status::Continue);
    }

    /// A `br_table` from the run-time address in local `target` to the blocks `local` (sorted, distinct, all
    /// blocks of this function): slot `(target - local[0]) rotr 2` (a misaligned difference rotates into the top
    /// bits, out of range). Falls through when `target` is none of them.
    fn branch_table(&mut self, target: u32, local: &[u64]) {
        use Instruction as I;
        use wasm_encoder::BlockType::Empty;
        let lo = local[0];
        let slots = (local[local.len() - 1] - lo) / 4 + 1;
        let m = local.len() as u32;
        let idx = self.temp(ValType::I64);
        self.cur.push(I::Block(Empty)); // $miss
        for _ in 0..m {
            self.cur.push(I::Block(Empty)); // $t_m … $t_1 (innermost)
        }
        // Label k - 1 is target k's block; m is $miss.
        let mut labels = vec![m; slots as usize];
        for (k, &t) in local.iter().enumerate() {
            labels[((t - lo) / 4) as usize] = k as u32;
        }
        self.cur.extend([
            I::LocalGet(target),
            I::I64Const(lo as i64),
            I::I64Sub,
            I::I64Const(2),
            I::I64Rotr,
            I::LocalTee(idx),
            I::I64Const(slots as i64),
            I::I64GeU,
            I::BrIf(m),
            I::LocalGet(idx),
            I::I32WrapI64,
            I::BrTable(labels.into(), m),
        ]);
        for (k, &t) in local.iter().enumerate() {
            self.cur.push(I::End);
            let open = 1 + (m - 1 - k as u32); // $miss and the targets' blocks after this one
            self.depth += open;
            self.goto(t);
            self.depth -= open;
        }
        self.cur.push(I::End); // $miss
    }

    /// A local of type `ty` for a value of the current block: one an earlier block used, or a new one.
    fn temp(&mut self, ty: ValType) -> u32 {
        let t = match self.free_temps.iter_mut().find(|(t, _)| *t == ty) {
            Some((_, free)) if !free.is_empty() => free.pop().unwrap(),
            _ => {
                self.temps.push(ty);
                FIRST_TEMP + self.temps.len() as u32 - 1
            }
        };
        self.block_temps.push(t);
        t
    }

    /// At a block's start: the temps of the blocks before hold nothing the block reads (values reach it only
    /// in the register and flag locals), so they are free for its own values, and nothing known about them
    /// holds any longer. A function of thousands of instructions would otherwise need more locals than Wasm
    /// allows.
    fn reuse_temps(&mut self) {
        for t in std::mem::take(&mut self.block_temps) {
            let ty = self.temps[(t - FIRST_TEMP) as usize];
            match self.free_temps.iter_mut().find(|(k, _)| *k == ty) {
                Some((_, free)) => free.push(t),
                None => self.free_temps.push((ty, vec![t])),
            }
        }
        self.consts.clear();
        self.not_of.clear();
        self.qparts.clear();
        self.fviews.clear();
        self.based.clear();
        self.bounded.clear();
        self.known = None;
        self.forget_values();
    }

    /// Marks the current instruction as not liftable: it will run in the interpreter.
    fn unsupported(&mut self) {
        self.unsupported = true;
    }

    fn assemble(self, summaries: &[Summary]) -> Function {
        // $status (the i64 result) and $npc, then the registers.
        let mut locals = vec![ValType::I64, ValType::I64];
        locals.extend(std::iter::repeat_n(ValType::I64, 33));
        locals.extend([ValType::I32, ValType::I64]); // $fk, $fb
        locals.extend(std::iter::repeat_n(ValType::V128, 32));
        locals.extend([ValType::I32, ValType::I32, ValType::I32]); // L_FPFAST, L_ENTER, L_FUEL
        locals.extend(self.temps.iter().copied());
        let (fpcr, fpsr) = fp::fpscr_addrs(STATE_ADDR);
        let fast_mode = |f: &mut Function| {
            if self.uses_fast_fp {
                for i in fp::fast_mode(fpcr, fpsr, L_FPFAST) {
                    f.instruction(&i);
                }
            }
        };
        let fuel_addr = FUEL_ADDR as u32 as i32;
        let load_fuel = |f: &mut Function| {
            if self.uses_fuel {
                f.instruction(&Instruction::I32Const(fuel_addr));
                f.instruction(&Instruction::I32Load(memarg(2)));
                f.instruction(&Instruction::LocalSet(L_FUEL));
            }
        };
        let store_fuel = |f: &mut Function| {
            if self.uses_fuel {
                f.instruction(&Instruction::I32Const(fuel_addr));
                f.instruction(&Instruction::LocalGet(L_FUEL));
                f.instruction(&Instruction::I32Store(memarg(2)));
            }
        };
        // NZCV goes to the state as the lazy flags are (kind, a, b) — materialised only if the runtime reads it
        // (`abi::FLAGS_KIND_ADDR`): a function returning after a comparison costs three stores, not the helper.
        let flag_words = [
            (L_FA, state_addr(offsets::NZCV)),
            (L_FK, FLAGS_KIND_ADDR as u32 as i32),
            (L_FB, FLAGS_B_ADDR as u32 as i32),
        ];
        let store_nzcv = |f: &mut Function| {
            for (local, addr) in flag_words {
                f.instruction(&Instruction::I32Const(addr));
                f.instruction(&Instruction::LocalGet(local));
                if local == L_FK {
                    f.instruction(&Instruction::I64ExtendI32U);
                }
                f.instruction(&Instruction::I64Store(memarg(3)));
            }
        };
        let load_nzcv = |f: &mut Function| {
            for (local, addr) in flag_words {
                f.instruction(&Instruction::I32Const(addr));
                if local == L_FK {
                    f.instruction(&Instruction::I32Load(memarg(2)));
                } else {
                    f.instruction(&Instruction::I64Load(memarg(3)));
                }
                f.instruction(&Instruction::LocalSet(local));
            }
        };
        let mut f = Function::new_with_locals_types(locals);
        let Summary { used, vused, .. } = self.summary();
        let vregs = |set: u32| (0..32u8).filter(move |r| set & (1 << r) != 0);
        let load_v = |f: &mut Function, r: u8| {
            f.instruction(&Instruction::I32Const(state_addr(vreg_offset(r))));
            f.instruction(&Instruction::V128Load(memarg(4)));
            f.instruction(&Instruction::LocalSet(L_VREGS + r as u32));
        };
        let store_v = |f: &mut Function, r: u8| {
            f.instruction(&Instruction::I32Const(state_addr(vreg_offset(r))));
            f.instruction(&Instruction::LocalGet(L_VREGS + r as u32));
            f.instruction(&Instruction::V128Store(memarg(4)));
        };
        if used & (1 << NZCV) != 0 {
            load_nzcv(&mut f);
        }
        for r in 0..NZCV {
            if used & (1 << r) != 0 {
                f.instruction(&Instruction::I32Const(state_addr(gpr_offset(r))));
                f.instruction(&Instruction::I64Load(memarg(3)));
                f.instruction(&Instruction::LocalSet(L_REGS + r as u32));
            }
        }
        for r in vregs(vused) {
            load_v(&mut f, r);
        }
        fast_mode(&mut f);
        load_fuel(&mut f);
        let liveness = live::Liveness::new(self.plan, &self.index, &self.effects);
        // An exit's dead registers: their locals set to constants, so that no value is kept alive for the exit,
        // and the set recorded in the state.
        let kill = |f: &mut Function, dead: u128| {
            let mut set = |value: Instruction<'static>, local: u32| {
                f.instruction(&value);
                f.instruction(&Instruction::LocalSet(local));
            };
            for r in (0..NZCV).filter(|r| dead & (1 << r) != 0) {
                set(Instruction::I64Const(0), L_REGS + r as u32);
            }
            if dead & (1 << NZCV) != 0 {
                set(Instruction::I32Const(FlagKind::Value as i32), L_FK);
                set(Instruction::I64Const(0), L_FA);
                set(Instruction::I64Const(0), L_FB);
            }
            for r in (0..32u8).filter(|&r| dead & live::vbit(r) != 0) {
                set(Instruction::V128Const(0), L_VREGS + r as u32);
            }
            // Each run of lifted code ends in one exit, and the runtime zeroes both words before it.
            for (offset, bits) in [
                (offsets::UNDEFINED, dead as u64 & ((1 << live::V0) - 1)),
                (offsets::UNDEFINED_V, (dead >> live::V0) as u64),
            ] {
                if bits == 0 {
                    continue;
                }
                f.instruction(&Instruction::I32Const(state_addr(offset)));
                f.instruction(&Instruction::I64Const(bits as i64));
                f.instruction(&Instruction::I64Store(memarg(3)));
            }
        };
        let mut marks = self.body_marks.iter().peekable();
        for (at, i) in self.body.iter().enumerate() {
            while let Some(&&(_, m)) = marks.peek().filter(|(p, _)| *p == at) {
                marks.next();
                let (spill, c) = match m {
                    Mark::Spill(c) => (true, c as usize),
                    Mark::Reload(c) => (false, c as usize),
                    Mark::Kill(npc) => {
                        // Registers the epilogue would store but that are dead where the runtime continues.
                        let dead = liveness.dead_at(npc)
                            & (u128::from(self.writes) | u128::from(self.vwrites) << live::V0);
                        if dead != 0 {
                            kill(&mut f, dead);
                        }
                        continue;
                    }
                };
                // A register this function never writes still holds what the prologue (or the last reload)
                // read from the state: only written ones need storing before a call, and only those the
                // callee may read; after it, only those it may have written need loading.
                let set = if spill {
                    self.writes & summaries[c].used
                } else {
                    used & summaries[c].writes
                };
                for r in (0..33u8).filter(|r| set & (1 << r) != 0) {
                    let addr = Instruction::I32Const(state_addr(gpr_offset(r)));
                    match (spill, r == NZCV) {
                        (true, true) => store_nzcv(&mut f),
                        (false, true) => load_nzcv(&mut f),
                        (true, false) => {
                            f.instruction(&addr);
                            f.instruction(&Instruction::LocalGet(L_REGS + r as u32));
                            f.instruction(&Instruction::I64Store(memarg(3)));
                        }
                        (false, false) => {
                            f.instruction(&addr);
                            f.instruction(&Instruction::I64Load(memarg(3)));
                            f.instruction(&Instruction::LocalSet(L_REGS + r as u32));
                        }
                    }
                }
                // V registers: the same.
                if spill {
                    vregs(self.vwrites & summaries[c].vused).for_each(|r| store_v(&mut f, r));
                    store_fuel(&mut f);
                } else {
                    vregs(vused & summaries[c].vwrites).for_each(|r| load_v(&mut f, r));
                    // The callee may have changed FPCR or cleared FPSR.
                    fast_mode(&mut f);
                    load_fuel(&mut f);
                }
            }
            f.instruction(i);
        }
        for r in 0..33u8 {
            if self.writes & (1 << r) != 0 {
                if r == NZCV {
                    store_nzcv(&mut f);
                    continue;
                }
                f.instruction(&Instruction::I32Const(state_addr(gpr_offset(r))));
                f.instruction(&Instruction::LocalGet(L_REGS + r as u32));
                f.instruction(&Instruction::I64Store(memarg(3)));
            }
        }
        for r in vregs(self.vwrites) {
            store_v(&mut f, r);
        }
        store_fuel(&mut f);
        f.instruction(&Instruction::I32Const(state_addr(offsets::PC)));
        f.instruction(&Instruction::LocalGet(L_NPC));
        f.instruction(&Instruction::I64Store(memarg(3)));
        f.instruction(&Instruction::LocalGet(L_STATUS));
        f.instruction(&Instruction::End);
        f
    }
}

/// A placeholder in the body for code that depends on the registers the whole function uses and on what the
/// called function (its index) may touch ([`Summary`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mark {
    /// Store the register locals this function writes and the callee may read to the state (before calling
    /// another lifted function).
    Spill(u32),
    /// Load those this function uses and the callee may write back (after it returns).
    Reload(u32),
    /// An exit to the runtime at this pc: set the locals of registers the function writes and that are dead
    /// there to a constant, and record them in the state as undefined ([`live`]).
    Kill(u64),
}

/// The guest registers a lifted function uses (loads in its prologue or after its calls: it reads them, or
/// writes them and stores them back in its epilogue) and writes, as bit sets: X0..X30, SP and NZCV in `used` /
/// `writes` (bit 32 = NZCV), V0..V31 in `vused` / `vwrites`. After [`transitive`], the sets also cover every
/// function it may call or continue in, which is what a call site needs: registers outside the callee's
/// `used` need no spill before the call, registers outside its `writes` no reload after it.
///
/// This is exact for what runs inside the Wasm call: any other way out of the callee (a syscall, a fallback to
/// the interpreter, an unknown branch target, a return elsewhere) makes every lifted frame on the Wasm stack
/// leave through its own epilogue, which stores what it wrote, before the runtime looks at the state.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub used: u64,
    pub writes: u64,
    pub vused: u32,
    pub vwrites: u32,
}

impl Summary {
    fn union(self, o: Summary) -> Summary {
        Summary {
            used: self.used | o.used,
            writes: self.writes | o.writes,
            vused: self.vused | o.vused,
            vwrites: self.vwrites | o.vwrites,
        }
    }
}

/// Closes each function's own [`Summary`] over `edges[f]` (the functions f calls or continues in): the
/// least fixpoint, so recursion converges.
pub fn transitive(own: &[Summary], edges: &[Vec<u32>]) -> Vec<Summary> {
    let mut s = own.to_vec();
    loop {
        let mut changed = false;
        for f in 0..s.len() {
            let mut acc = s[f];
            for &g in &edges[f] {
                acc = acc.union(s[g as usize]);
            }
            if acc != s[f] {
                s[f] = acc;
                changed = true;
            }
        }
        if !changed {
            return s;
        }
    }
}

/// Result of a lifted function that continues in another one: [`DIRECT`] in the low byte, the function in
/// bits 8..32, the block in bits 32..64. `enter` and call sites follow it without any lookup.
pub const DIRECT: i64 = 4;

pub fn direct(func: u32, block: u32) -> i64 {
    DIRECT | (func as i64) << 8 | (block as i64) << 32
}

/// After a call to a lifted function (its result on the stack): keeps the result in local `r` and opens an
/// `if` entered when it is a [`direct`] transfer, with the target unpacked into the i32 locals `func`, `block`.
fn if_direct(r: u32, func: u32, block: u32) -> Vec<Instruction<'static>> {
    use Instruction as I;
    let mut code = vec![
        I::LocalTee(r),
        I::I64Const(0xff),
        I::I64And,
        I::I64Const(DIRECT),
        I::I64Eq,
        I::If(wasm_encoder::BlockType::Empty),
    ];
    code.extend(unpack_direct(r, func, block));
    code
}

/// The inverse of [`direct`] in Wasm: the packed result in local `r` into the i32 locals `func` and `block`.
pub(crate) fn unpack_direct(r: u32, func: u32, block: u32) -> [Instruction<'static>; 12] {
    use Instruction as I;
    [
        I::LocalGet(r),
        I::I64Const(8),
        I::I64ShrU,
        I::I32WrapI64,
        I::I32Const(0xff_ffff),
        I::I32And,
        I::LocalSet(func),
        I::LocalGet(r),
        I::I64Const(32),
        I::I64ShrU,
        I::I32WrapI64,
        I::LocalSet(block),
    ]
}

/// Byte offset in the state of X0..X30 (0..=30), SP (31) and NZCV (32).
fn gpr_offset(r: u8) -> usize {
    match r {
        0..=30 => offsets::X + 8 * r as usize,
        31 => offsets::SP,
        _ => offsets::NZCV,
    }
}

fn vreg_offset(r: u8) -> usize {
    offsets::V + 16 * (r as usize & 31)
}

/// The i32 constant that addresses `offset` bytes into the state.
fn state_addr(offset: usize) -> i32 {
    (STATE_ADDR + offset as u64) as u32 as i32
}

/// A stub ([`Lift::inline_stub`]): one block of at most [`STUB_MAX`] instructions, none of them a branch but
/// the last, a BR (not a call or return): its pc and register.
fn stub_branch(p: &FnPlan) -> Option<(u64, u8)> {
    use elfrun_interp::a64::branch::Branch;
    let [blk] = p.blocks.as_slice() else {
        return None;
    };
    let (&last, rest) = blk.insns.split_last()?;
    if blk.insns.len() > STUB_MAX || rest.iter().any(|i| i.ends_block()) {
        return None;
    }
    match last {
        Insn::Branch(Branch::BrReg {
            kind: elfrun_interp::sem::BranchKind::Jump,
            rn,
        }) => Some((blk.end() - 4, rn)),
        _ => None,
    }
}

/// How a block of an inlined leaf ends ([`Lift::inline_leaf`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum LeafEnd {
    /// RET through this register.
    Return(u8),
    /// B to this pc outside the leaf's blocks (another function's entry, by [`inlinable_leaf`]).
    Jump(u64),
    /// Anything else: a branch within the leaf, falling through.
    Other,
}

fn leaf_end(p: &FnPlan, blk: &BlockPlan) -> LeafEnd {
    use elfrun_interp::a64::branch::Branch;
    match blk.insns.last() {
        Some(Insn::Branch(Branch::BrReg {
            kind: elfrun_interp::sem::BranchKind::Return,
            rn,
        })) => LeafEnd::Return(*rn),
        Some(Insn::Branch(Branch::BImm {
            link: false,
            offset,
        })) => {
            let target = (blk.end() - 4).wrapping_add(*offset as i64 as u64);
            if p.blocks.iter().any(|b| b.start == target) {
                LeafEnd::Other
            } else {
                LeafEnd::Jump(target)
            }
        }
        _ => LeafEnd::Other,
    }
}

/// Whether a function of plan `p` can be inlined at a call returning to `ret_pc` ([`Lift::inline_leaf`]): at
/// most [`INLINE_MAX`] instructions, every block ending in RET, in a jump to a function's entry (`entry`) that
/// is none of its own blocks, in a direct branch (conditional or not) to a later block of its own, or falling
/// into the next one — no call, no other way out, no loop — and none of its blocks at `ret_pc` (where the
/// inlined RET continues in the caller).
fn inlinable_leaf(p: &FnPlan, ret_pc: u64, entry: impl Fn(u64) -> bool) -> bool {
    use elfrun_interp::a64::branch::Branch;
    let n: usize = p.blocks.iter().map(|b| b.insns.len()).sum();
    if n == 0 || n > INLINE_MAX || p.blocks.iter().any(|b| b.start == ret_pc) {
        return false;
    }
    p.blocks.iter().enumerate().all(|(k, blk)| {
        let Some((&last, rest)) = blk.insns.split_last() else {
            return false;
        };
        let later = |t: u64| p.blocks[k + 1..].iter().any(|b| b.start == t);
        !rest.iter().any(|i| i.ends_block())
            && match (leaf_end(p, blk), last) {
                (LeafEnd::Return(_), _) => true,
                (LeafEnd::Jump(target), _) => entry(target),
                (
                    _,
                    Insn::Branch(
                        Branch::CondBr { .. }
                        | Branch::Cbz { .. }
                        | Branch::Tbz { .. }
                        | Branch::BImm { link: false, .. },
                    ),
                ) => blk.targets().into_iter().all(later),
                (_, i) if !i.ends_block() => later(blk.end()),
                _ => false,
            }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::abi::{MEM_END, MEM_LOW};

    #[test]
    fn remainder_pairs_are_the_divisions_whose_quotient_dies() {
        let d = elfrun_interp::decode::decode;
        let pair = |a: u32, b: u32| remainder_pair(d(a), d(b));
        // udiv w4, w0, w1 / msub w4, w4, w1, w0
        let p = pair(0x1ac10804, 0x1b018084).unwrap();
        assert_eq!((p.sf, p.signed, p.rd, p.rn, p.rm), (false, false, 4, 0, 1));
        // sdiv x1, x28, x27 / msub x1, x27, x1, x28 (the multiplication's operands the other way round)
        let p = pair(0x9adb0f81, 0x9b01f361).unwrap();
        assert_eq!((p.sf, p.signed, p.rd, p.rn, p.rm), (true, true, 1, 28, 27));
        // udiv w4, w0, w2 / msub w2, w4, w2, w0: the quotient stays in w4.
        assert_eq!(pair(0x1ac20804, 0x1b028082), None);
        // udiv x0, x21, x19 / msub x21, x0, x19, x21: the same.
        assert_eq!(pair(0x9ad30aa0, 0x9b13d415), None);
        // udiv w4, w0, w1 / msub x4, x4, x1, x0: widths differ.
        assert_eq!(pair(0x1ac10804, 0x9b018084), None);
        // udiv w0, w0, w1 / msub w0, w0, w1, w0: the quotient replaced the dividend.
        assert_eq!(pair(0x1ac10800, 0x1b018000), None);
        // udiv w4, w0, w1 / madd w4, w4, w1, w0: no remainder.
        assert_eq!(pair(0x1ac10804, 0x1b010084), None);
        // udiv w4, w0, w1 / msub w4, w4, w1, w2: another accumulator.
        assert_eq!(pair(0x1ac10804, 0x1b018884), None);
    }

    #[test]
    fn summaries_close_over_calls_and_cycles() {
        let own = |used: u64, writes: u64| Summary {
            used,
            writes,
            vused: 0,
            vwrites: 0,
        };
        // 0 calls 1, 1 and 2 call each other, 3 calls nothing.
        let s = transitive(
            &[own(1, 0), own(2, 2), own(4, 0), own(8, 8)],
            &[vec![1], vec![2], vec![1, 1], vec![]],
        );
        assert_eq!(s[0], own(7, 2));
        assert_eq!(s[1], own(6, 2));
        assert_eq!(s[2], own(6, 2));
        assert_eq!(s[3], own(8, 8));
    }

    /// One-instruction blocks at 0x1000, 0x1004, … from the words.
    fn plan(words: &[u32]) -> (FnPlan, HashMap<u64, usize>) {
        let blocks: Vec<BlockPlan> = words
            .iter()
            .enumerate()
            .map(|(i, &w)| BlockPlan {
                start: 0x1000 + 4 * i as u64,
                insns: vec![elfrun_interp::decode::decode(w)],
            })
            .collect();
        let plan = FnPlan {
            entry: 0x1000,
            blocks,
        };
        let index = block_index(&plan);
        (plan, index)
    }

    /// `b.ne` from block `from` to block `to` (one-instruction blocks).
    fn bne(from: i64, to: i64) -> u32 {
        0x5400_0001 | ((((to - from) as u32) & 0x7ffff) << 5)
    }

    /// A plan of blocks, each given by its start and instruction words.
    fn blocks(entry: u64, blocks: &[(u64, &[u32])]) -> FnPlan {
        FnPlan {
            entry,
            blocks: blocks
                .iter()
                .map(|&(start, words)| BlockPlan {
                    start,
                    insns: words
                        .iter()
                        .map(|&w| elfrun_interp::decode::decode(w))
                        .collect(),
                })
                .collect(),
        }
    }

    /// The Wasm body of `plans[0]`, lifted with `plans` as the module's functions and `callees` as its calls'
    /// targets (entry pc → function, block).
    fn lifted_body(
        plans: &[FnPlan],
        callees: HashMap<u64, (u32, u32)>,
    ) -> Vec<Instruction<'static>> {
        let (global, indirect) = (HashMap::new(), HashMap::new());
        let (handed_back, outlined, peeled, unrolled) = (
            HashSet::new(),
            HashMap::new(),
            HashMap::new(),
            HashMap::new(),
        );
        let l = Lift::function(
            &plans[0],
            &ModuleInfo {
                global: &global,
                callees: &callees,
                indirect: &indirect,
                handed_back: &handed_back,
                outlined: &outlined,
                peeled: &peeled,
                unrolled: &unrolled,
                plans,
                nzcv_func: FIRST_LIFTED + plans.len() as u32,
                fused_madd: false,
            },
        );
        l.body
    }

    /// Whether lifting `bl 0x2000; ret` with `callee` at 0x2000 emits a call of it (else it was inlined).
    fn calls_callee(callee: FnPlan) -> bool {
        let plans = [
            blocks(0x1000, &[(0x1000, &[0x9400_0400]), (0x1004, &[RET])]),
            callee,
        ];
        lifted_body(&plans, HashMap::from([(0x2000, (1, 0))]))
            .iter()
            .any(|i| matches!(i, Instruction::Call(f) if *f == FIRST_LIFTED + 1))
    }

    const RET: u32 = 0xd65f_03c0;

    /// A leaf whose blocks branch only forward and end in RET is inlined (intmix's `cmp_value`: three blocks,
    /// two RETs); one with a loop, or one longer than `INLINE_MAX`, is called.
    #[test]
    fn leaves_branching_only_forward_are_inlined() {
        let cmp_value = blocks(
            0x2000,
            &[
                (
                    0x2000,
                    &[0x79c0_1402, 0x79c0_1423, 0x6b03_005f, 0x5400_0060],
                ),
                (0x2010, &[0x4b03_0040, RET]),
                (0x2018, &[0x79c0_1000, 0x79c0_1021, 0x4b01_0000, RET]),
            ],
        );
        assert!(
            !calls_callee(cmp_value),
            "a forward-branching leaf is inlined"
        );
        let countdown = blocks(
            0x2000,
            &[(0x2000, &[0xf100_0400, bne(1, 0)]), (0x2008, &[RET])],
        );
        assert!(calls_callee(countdown), "a leaf with a loop is called");
        let long = blocks(
            0x2000,
            &[(
                0x2000,
                &[[0xd503_201f; INLINE_MAX].as_slice(), &[RET]].concat(),
            )],
        );
        assert!(
            calls_callee(long),
            "a leaf over INLINE_MAX instructions is called"
        );
    }

    /// A wrapper that ends in a jump to another function's entry (memstr's `cmp_str`: `ldr x0, [x0]; ldr x1,
    /// [x1]; b strcmp`) is inlined and its jump calls the target directly; two functions jumping to each
    /// other's entries are inlined only `MAX_INLINE_NEST` deep, then called.
    #[test]
    fn wrappers_jumping_to_another_function_are_inlined() {
        let caller = blocks(0x1000, &[(0x1000, &[0x9400_0400]), (0x1004, &[RET])]);
        // ldr x0, [x0]; ldr x1, [x1]; b 0x3000
        let wrapper = blocks(
            0x2000,
            &[(0x2000, &[0xf940_0000, 0xf940_0021, 0x1400_03fe])],
        );
        let looping = blocks(
            0x3000,
            &[(0x3000, &[0xf100_0400, bne(1, 0)]), (0x3008, &[RET])],
        );
        let calls = |body: &[Instruction<'static>], f: u32| {
            body.iter()
                .filter(|i| matches!(i, Instruction::Call(g) if *g == FIRST_LIFTED + f))
                .count()
        };
        let body = lifted_body(
            &[caller.clone(), wrapper, looping],
            HashMap::from([(0x2000, (1, 0)), (0x3000, (2, 0))]),
        );
        assert_eq!(
            (calls(&body, 1), calls(&body, 2)),
            (0, 1),
            "the wrapper inlined, its target called"
        );
        // b 0x3000 and, at 0x3000, b 0x2000.
        let ping = blocks(0x2000, &[(0x2000, &[0x1400_0400])]);
        let pong = blocks(0x3000, &[(0x3000, &[0x17ff_fc00])]);
        let body = lifted_body(
            &[caller, ping, pong],
            HashMap::from([(0x2000, (1, 0)), (0x3000, (2, 0))]),
        );
        assert_eq!(
            calls(&body, 1) + calls(&body, 2),
            1,
            "inlined MAX_INLINE_NEST deep, then called"
        );
    }

    /// One block: the second access of an address checks it again only because it is wider; the third reuses
    /// the check; after the register is rewritten, the fourth checks again.
    #[test]
    fn bounds_checks_are_reused_within_a_block_for_the_same_address_and_width() {
        let spans = check_spans(&[
            0x3940_0001u32, // ldrb w1, [x0]
            0xf940_0002,    // ldr x2, [x0]
            0xf900_0002,    // str x2, [x0]
            0xaa03_03e0,    // mov x0, x3
            0xf900_0002,    // str x2, [x0]
            0xd65f_03c0,    // ret
        ]);
        assert_eq!(spans, [1, 8, 8], "bounds checks by access size");
    }

    /// The bounds checks of one block (`… i64.const (MEM_END - MEM_LOW - span); i64.gt_u; if …`), as spans.
    fn check_spans(words: &[u32]) -> Vec<u64> {
        let p = blocks(0x1000, &[(0x1000, words)]);
        lifted_body(&[p], HashMap::new())
            .windows(2)
            .filter_map(|w| match w {
                [Instruction::I64Const(c), Instruction::I64GtU] => {
                    Some(MEM_END - MEM_LOW - *c as u64)
                }
                _ => None,
            })
            .collect()
    }

    /// Accesses at constant offsets from one base register share the first one's check of a window of
    /// `CHECK_WINDOW` bytes either side, also through the register stepped by a constant (its new value is
    /// based on the old one); one beyond the window checks a window of its own, and so does one through a
    /// register written with something else.
    #[test]
    fn accesses_near_one_base_share_a_window_check() {
        let window = 8 + 2 * CHECK_WINDOW as u64;
        let spans = check_spans(&[
            0xf940_0401, // ldr x1, [x0, #8]
            0xf940_0802, // ldr x2, [x0, #16]
            0xf85f_8003, // ldur x3, [x0, #-8]
            0x9100_2000, // add x0, x0, #8
            0xf940_0405, // ldr x5, [x0, #8]
            0xf93f_fc04, // ldr x4, [x0, #32760]
            0x8b02_0020, // add x0, x1, x2
            0xf940_0405, // ldr x5, [x0, #8]
            0xd65f_03c0, // ret
        ]);
        assert_eq!(spans, [window, window, window]);
    }

    /// An access at a base plus an index known to be small — a loaded byte, an AND with a constant, scaled by
    /// a shift — is checked as a window of the base covering every index, which later such accesses and those
    /// at constant offsets share; an index loaded as a word is not small, and its access is checked alone.
    #[test]
    fn accesses_at_small_indexes_share_their_base_window() {
        let spans = check_spans(&[
            0x3940_0041, // ldrb w1, [x2]
            0xb861_7803, // ldr w3, [x0, x1, lsl #2]
            0xb940_0804, // ldr w4, [x0, #8]
            0x1200_1c66, // and w6, w3, #0xff
            0xf866_7807, // ldr x7, [x0, x6, lsl #3]
            0xb863_7808, // ldr w8, [x0, x3, lsl #2]
            0xd65f_03c0, // ret
        ]);
        assert_eq!(spans, [1, 255 * 4 + 4 + 2 * CHECK_WINDOW as u64, 4]);
    }

    #[test]
    fn loop_nodes_nest_loops_that_share_blocks() {
        const NOP: u32 = 0xd503_201f;
        let (p, index) = plan(&[
            NOP,
            NOP,
            bne(2, 1), // loop 1..=2
            bne(3, 0), // loop 0..=3 around it
            bne(4, 2), // loop 2..=4: shares 2 and 3 with the others, which take it in
            bne(5, 5), // a one-block loop
            RET,
        ]);
        let nodes = loop_nodes(&p, &index);
        assert_eq!(nodes.len(), 5, "{nodes:?}");
        assert_eq!(
            nodes[0].units,
            [Unit::Loop(1), Unit::Loop(4), Unit::Block(6)]
        );
        assert_eq!(nodes[0].unit_of, [0, 0, 0, 0, 0, 1, 2]);
        assert_eq!((nodes[1].head, nodes[1].first, nodes[1].last), (0, 0, 4));
        assert_eq!(nodes[1].units, [Unit::Block(0), Unit::Loop(2)]);
        assert_eq!(nodes[2].head, 1);
        assert_eq!(nodes[2].units, [Unit::Block(1), Unit::Loop(3)]);
        assert_eq!(nodes[3].head, 2);
        assert_eq!(
            nodes[3].units,
            [Unit::Block(2), Unit::Block(3), Unit::Block(4)]
        );
        assert_eq!(nodes[4].units, [Unit::Block(5)]);
    }

    /// A branch to a block laid out before it that closes no loop is no back edge: its target's unit follows
    /// it (intmix's list sort takes either list's node and continues at blocks above both).
    #[test]
    fn units_follow_the_blocks_that_branch_to_them() {
        let (p, index) = plan(&[
            bne(0, 2),
            RET,
            0x17ff_ffff, // b 1
        ]);
        let nodes = loop_nodes(&p, &index);
        assert_eq!(nodes.len(), 1, "{nodes:?}");
        assert_eq!(
            nodes[0].units,
            [Unit::Block(0), Unit::Block(2), Unit::Block(1)]
        );
        assert_eq!(nodes[0].unit_of, [0, 2, 1]);
    }

    /// A loop with a second entry (irreducible) is headed where the search entered it; the other entry goes
    /// through its dispatch.
    #[test]
    fn an_irreducible_loop_is_headed_where_the_search_enters_it() {
        let (p, index) = plan(&[
            bne(0, 2),
            bne(1, 3),
            0x17ff_ffff, // b 1
            RET,
        ]);
        let nodes = loop_nodes(&p, &index);
        assert_eq!(nodes.len(), 2, "{nodes:?}");
        assert_eq!(
            nodes[0].units,
            [Unit::Block(0), Unit::Loop(1), Unit::Block(3)]
        );
        assert_eq!(nodes[1].head, 2);
        assert_eq!(nodes[1].units, [Unit::Block(2), Unit::Block(1)]);
    }

    /// On random control flow: the nodes nest and their units partition their blocks, a nested node starts
    /// with its header, and in the order the blocks are emitted a branch from code the entry reaches goes
    /// back only where its target reaches it again (a loop) — never for the layout's sake.
    #[test]
    fn loop_nodes_hold_on_random_control_flow() {
        const NOP: u32 = 0xd503_201f;
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        for _ in 0..500 {
            let n = 1 + next(40) as i64;
            let words: Vec<u32> = (0..n)
                .map(|i| match next(4) {
                    _ if i == n - 1 => RET,
                    0 => NOP,
                    1 => RET,
                    2 => 0x1400_0000 | ((next(n as u64) as i64 - i) as u32 & 0x03ff_ffff),
                    _ => bne(i, next(n as u64) as i64),
                })
                .collect();
            let (p, index) = plan(&words);
            let nodes = loop_nodes(&p, &index);
            let succ: Vec<Vec<usize>> = (0..n as usize)
                .map(|b| local_successors(&p, &index, b))
                .collect();
            // The emission order of the blocks.
            fn emit(nodes: &[Node], id: usize, order: &mut Vec<usize>) {
                for u in &nodes[id].units {
                    match *u {
                        Unit::Block(b) => order.push(b),
                        Unit::Loop(c) => emit(nodes, c, order),
                    }
                }
            }
            let mut order = Vec::new();
            emit(&nodes, 0, &mut order);
            let mut pos = vec![usize::MAX; n as usize];
            for (k, &b) in order.iter().enumerate() {
                assert_eq!(pos[b], usize::MAX, "block {b} laid out twice: {words:x?}");
                pos[b] = k;
            }
            assert!(
                pos.iter().all(|&k| k != usize::MAX),
                "a block left out: {words:x?}"
            );
            for (id, node) in nodes.iter().enumerate() {
                for (idx, u) in node.units.iter().enumerate() {
                    match *u {
                        Unit::Block(b) => assert_eq!(node.unit(b), idx),
                        Unit::Loop(c) => {
                            let inner = &nodes[c];
                            assert!(
                                (inner.first..=inner.last)
                                    .all(|b| !inner.contains(b) || node.unit(b) == idx)
                            );
                            assert_eq!(inner.units[0], Unit::Block(inner.head), "{words:x?}");
                        }
                    }
                }
                if id == 0 {
                    assert!(node.contains(0) && (0..n as usize).all(|b| node.contains(b)));
                }
            }
            // Blocks the entry reaches, and whether b reaches a.
            let reaches = |from: usize, to: usize| {
                let mut seen = vec![false; n as usize];
                let mut work = vec![from];
                while let Some(x) = work.pop() {
                    if x == to {
                        return true;
                    }
                    if !std::mem::replace(&mut seen[x], true) {
                        work.extend(succ[x].iter().copied());
                    }
                }
                false
            };
            for u in (0..n as usize).filter(|&u| reaches(0, u)) {
                for &v in &succ[u] {
                    if pos[v] <= pos[u] {
                        assert!(
                            reaches(v, u),
                            "{u} -> {v} goes back without a loop: {words:x?}"
                        );
                    }
                }
            }
        }
    }
}
