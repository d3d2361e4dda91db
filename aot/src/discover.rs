//! Code discovery: which guest addresses are code, grouped into functions of basic blocks.
//!
//! Function entries ("roots") come from the ELF entry point, function symbols when present, BL targets followed
//! transitively, and everything the profiles saw: executed block starts, call targets, indirect-branch targets
//! and the places where earlier AOT code handed over to the interpreter. From each root the function's CFG is
//! followed through direct and conditional branches and fall-through (a BL's or BLR's return point, an SVC's
//! successor); BR and RET end a path, a B to another root is a tail call. Every block start of every function
//! becomes an entry the runtime can enter, so a pc that any function covers is reachable without the
//! interpreter. Code nobody found stays the interpreter's, which records it for the next build.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use elfrun_interp::Insn;
use elfrun_interp::a64::branch::Branch;
use elfrun_interp::decode;
use elfrun_interp::sem::BranchKind;
use object::{Object, ObjectSegment, ObjectSymbol, SymbolKind};

use crate::BuildError;
use crate::lift::{BlockPlan, FnPlan};

/// The executable bytes of an ELF image at their run-time addresses.
#[derive(Debug)]
pub struct Image {
    segments: Vec<(u64, Vec<u8>)>,
    pub entry: u64,
    /// Function symbols (run-time addresses), if the binary has any.
    pub symbols: Vec<u64>,
}

impl Image {
    /// Reads the executable segments of `elf`, loaded at `bias` (0 for ET_EXEC).
    pub fn from_elf(elf: &[u8], bias: u64) -> Result<Image, BuildError> {
        let file = object::File::parse(elf).map_err(|e| BuildError::Elf(e.to_string()))?;
        if file.architecture() != object::Architecture::Aarch64 {
            return Err(BuildError::Elf("not an AArch64 ELF file".into()));
        }
        let mut segments = Vec::new();
        for seg in file.segments() {
            let executable = match seg.flags() {
                object::SegmentFlags::Elf { p_flags } => p_flags & object::elf::PF_X != 0,
                _ => false,
            };
            if !executable {
                continue;
            }
            let data = seg.data().map_err(|e| BuildError::Elf(e.to_string()))?;
            segments.push((seg.address().wrapping_add(bias), data.to_vec()));
        }
        if segments.is_empty() {
            return Err(BuildError::Elf("no executable segment".into()));
        }
        let symbols = file
            .symbols()
            .filter(|s| s.kind() == SymbolKind::Text && s.is_definition() && s.address() != 0)
            .map(|s| s.address().wrapping_add(bias))
            .collect();
        Ok(Image {
            segments,
            entry: file.entry().wrapping_add(bias),
            symbols,
        })
    }

    /// The instruction word at `pc`, if `pc` is aligned and inside an executable segment's file bytes.
    pub fn word(&self, pc: u64) -> Option<u32> {
        if !pc.is_multiple_of(4) {
            return None;
        }
        self.segments.iter().find_map(|(start, bytes)| {
            let off = pc.checked_sub(*start)? as usize;
            let b = bytes.get(off..off.checked_add(4)?)?;
            Some(u32::from_le_bytes(b.try_into().ok()?))
        })
    }

    /// Bytes of executable code.
    pub fn code_bytes(&self) -> usize {
        self.segments.iter().map(|(_, b)| b.len()).sum()
    }
}

/// Where control can go after a straight-line run ends.
struct Succ {
    /// Targets inside the same function (conditional and direct branch targets, fall-through).
    local: Vec<u64>,
    /// A new function root (BL target).
    call: Option<u64>,
}

/// Decodes one instruction and what it does to control flow, if it ends a block.
fn successors(insn: Insn, pc: u64) -> Option<Succ> {
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

/// What discovery found.
#[derive(Debug, Default)]
pub struct Discovery {
    pub functions: Vec<FnPlan>,
}

/// Finds the functions of `image`, starting from `roots` (plus the entry point and symbols) and making every
/// address in `entries` (profiled block starts, indirect targets…) a block start wherever it is covered. With
/// `keep`, only the functions covering at least one of its addresses are returned (the code a profile saw run;
/// calls to the others leave lifted code for the interpreter).
pub fn discover(
    image: &Image,
    roots: &BTreeSet<u64>,
    entries: &BTreeSet<u64>,
    indirect: &HashMap<u64, Vec<u64>>,
    keep: Option<&BTreeSet<u64>>,
) -> Discovery {
    let mut all_roots: BTreeSet<u64> = roots.clone();
    all_roots.insert(image.entry);
    all_roots.extend(image.symbols.iter().copied());
    all_roots.retain(|&pc| image.word(pc).is_some());

    // Explore functions until no new BL target appears; then the lowest entry not covered yet becomes a root of
    // its own, and so on. One at a time: exploring it usually covers the entries after it (a profile's block
    // starts inside code found only at run time), which would otherwise each become a root lifting the same code
    // again.
    let mut explored: BTreeMap<u64, Scan> = BTreeMap::new();
    let mut todo: Vec<u64> = all_roots.iter().copied().collect();
    let mut covered: BTreeSet<u64> = BTreeSet::new();
    let mut pending = entries.iter().copied();
    loop {
        while let Some(root) = todo.pop() {
            if explored.contains_key(&root) {
                continue;
            }
            let scan = Scan::explore(image, root, &all_roots, indirect);
            for &c in &scan.calls {
                if image.word(c).is_some() && all_roots.insert(c) {
                    todo.push(c);
                }
            }
            covered.extend(scan.insns.keys().copied());
            explored.insert(root, scan);
        }
        match pending
            .find(|e| !covered.contains(e) && image.word(*e).is_some() && !all_roots.contains(e))
        {
            Some(e) => {
                all_roots.insert(e);
                todo.push(e);
            }
            None => break,
        }
    }

    if let Some(keep) = keep {
        explored.retain(|_, scan| scan.insns.keys().any(|pc| keep.contains(pc)));
    }
    let functions = explored
        .into_iter()
        .map(|(root, scan)| scan.plan(root, entries))
        .collect();
    Discovery { functions }
}

/// The instructions one function covers and where its blocks must start.
struct Scan {
    insns: BTreeMap<u64, Insn>,
    /// Block starts: the root, branch targets, fall-through points after a block-ending instruction.
    leaders: BTreeSet<u64>,
    /// Instructions that end a block (their successor is a leader or outside the function).
    enders: BTreeSet<u64>,
    calls: BTreeSet<u64>,
}

impl Scan {
    fn explore(
        image: &Image,
        root: u64,
        roots: &BTreeSet<u64>,
        indirect: &HashMap<u64, Vec<u64>>,
    ) -> Scan {
        let mut s = Scan {
            insns: BTreeMap::new(),
            leaders: BTreeSet::new(),
            enders: BTreeSet::new(),
            calls: BTreeSet::new(),
        };
        let mut work = vec![root];
        while let Some(start) = work.pop() {
            s.leaders.insert(start);
            let mut pc = start;
            while !s.insns.contains_key(&pc) {
                let Some(word) = image.word(pc) else { break };
                let insn = decode::decode(word);
                s.insns.insert(pc, insn);
                if let Some(mut succ) = successors(insn, pc) {
                    s.enders.insert(pc);
                    // A BR's profiled targets (a jump table, a computed goto) belong to this function.
                    if let Insn::Branch(Branch::BrReg {
                        kind: BranchKind::Jump,
                        ..
                    }) = insn
                    {
                        succ.local
                            .extend(indirect.get(&pc).into_iter().flatten().copied());
                    }
                    if let Some(c) = succ.call {
                        s.calls.insert(c);
                    }
                    for t in succ.local {
                        // A jump to another function's entry is a tail call: that function covers it.
                        let tail_call = t != root && roots.contains(&t) && t != pc.wrapping_add(4);
                        if !tail_call && image.word(t).is_some() {
                            work.push(t);
                        }
                    }
                    break;
                }
                pc += 4;
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
        FnPlan {
            entry: root,
            blocks,
        }
    }
}
