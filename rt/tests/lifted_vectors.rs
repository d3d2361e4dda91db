//! The checked-in test vectors (`interp/tests/vectors/*.vec`: instruction words, an input state, qemu's output
//! state; docs/testing.md) run through the AOT tier: the same cases the interpreter's `checked_in_vectors`
//! replays, now lifted to Wasm, compiled by wasmer and run by `tier::Aot` — so the lifter's `Sem`
//! implementation (lazy flags, fused compares, bounds checks, the floating-point fast paths) is held to qemu on
//! the same 53,000 cases as the interpreter's, not only through whole programs.
//!
//! Each file's cases become one or more small ELF images built here: every case's words followed by a UDF (so a
//! case is one function that ends where the case ends), and a driver that BLs each case so that static
//! discovery finds it. Cases without a pc-relative instruction are laid out side by side; the others keep
//! their own pc (their expected registers depend on it) and share an image only where they do not overlap.
//! The image is built with `--scope all` semantics, loaded as a bundle, and each case runs as the runtime runs
//! lifted code: from its pc, the interpreter taking over where lifted code hands an instruction back (one the
//! lifter leaves to it, a slow floating-point path, an undefined word) and lifted code again wherever the pc has
//! an entry (a block start), until the pc reaches the case's end. Registers and scratch memory must be qemu's.
//!
//! `ELFRUN_VECTOR_FILES=dp_reg_qemu,simd_cases_qemu` runs only those files (names without `.vec`);
//! `ELFRUN_VECTOR_FILE=PATH` with `--ignored vector_file` runs a file that is not checked in.

mod common;
#[allow(dead_code)]
#[path = "../../interp/tests/difftest/interp_run.rs"]
mod interp_run;
#[allow(dead_code)]
#[path = "../../interp/tests/difftest/prng.rs"]
mod prng;
#[allow(dead_code)]
#[path = "../../interp/tests/difftest/vector.rs"]
mod vector;

use elfrun::host::HostMemory;
use elfrun::tier::{Aot, ReadBundle};
use elfrun_aot::abi::Status;
use elfrun_aot::{BuildInput, Scope};
use elfrun_interp::{Eval, Exit, GuestMem, decode};
use interp_run::{from_cpu, init_scratch, mismatch, scratch_after, to_cpu};
use std::path::PathBuf;
use vector::Vector;

/// Where cases that do not depend on their pc are laid out.
const SIDE_BY_SIDE: u64 = 0x1000_0000;
/// A permanently undefined word (UDF #0): ends each case's function.
const UDF: u32 = 0;
/// Mismatches printed per file.
const PRINT_LIMIT: usize = 20;

/// Whether `w` reads the pc: ADR/ADRP, a literal load or prefetch, a branch (immediate, conditional,
/// compare-and-branch, test-and-branch) or a branch with link through a register (BLR writes pc + 4).
fn reads_pc(w: u32) -> bool {
    w & 0x1f00_0000 == 0x1000_0000
        || w & 0x3b00_0000 == 0x1800_0000
        || w & 0x7c00_0000 == 0x1400_0000
        || w & 0xfe00_0000 == 0x5400_0000
        || w & 0x7e00_0000 == 0x3400_0000
        || w & 0x7e00_0000 == 0x3600_0000
        || w & 0xfe00_0000 == 0xd600_0000
}

/// Bytes a case's code takes as placed ([`code`]).
fn span(v: &Vector) -> u64 {
    4 * (v.words.len() as u64 + 1)
}

/// A case's code as placed: its words, then UDF.
fn code(v: &Vector) -> Vec<u8> {
    v.words
        .iter()
        .chain([&UDF])
        .flat_map(|w| w.to_le_bytes())
        .collect()
}

/// Groups cases (by index) with the pc each runs at into images whose code does not overlap.
fn layout(vs: &[Vector]) -> Vec<Vec<(usize, u64)>> {
    let mut side_by_side = Vec::new();
    let mut next = SIDE_BY_SIDE;
    let mut fixed: Vec<Vec<(usize, u64)>> = Vec::new();
    for (i, v) in vs.iter().enumerate() {
        let len = span(v);
        if !v.words.iter().any(|&w| reads_pc(w)) {
            side_by_side.push((i, next));
            next += len.next_multiple_of(16);
            continue;
        }
        let overlaps = |&(j, pc): &(usize, u64)| v.pc < pc + span(&vs[j]) && pc < v.pc + len;
        match fixed.iter_mut().find(|b| !b.iter().any(overlaps)) {
            Some(b) => b.push((i, v.pc)),
            None => fixed.push(vec![(i, v.pc)]),
        }
    }
    fixed.extend((!side_by_side.is_empty()).then_some(side_by_side));
    fixed
}

/// The ELF of one image: the cases at their pcs, then a driver (the entry) that BLs each of them.
fn image(vs: &[Vector], cases: &[(usize, u64)]) -> Vec<u8> {
    let lo = cases.iter().map(|&(_, pc)| pc).min().unwrap() & !0xfff;
    let hi = cases
        .iter()
        .map(|&(i, pc)| pc + span(&vs[i]))
        .max()
        .unwrap();
    // Room below the code for the ELF headers (the file is mapped from its start).
    let lo = lo - 0x1000;
    let driver = hi.next_multiple_of(16);
    let mut bytes = vec![0u8; (driver - lo) as usize];
    for &(i, pc) in cases {
        let c = code(&vs[i]);
        let at = (pc - lo) as usize;
        bytes[at..at + c.len()].copy_from_slice(&c);
    }
    for (k, &(_, pc)) in cases.iter().enumerate() {
        let from = driver + 4 * k as u64;
        let offset = (pc.wrapping_sub(from) as i64 >> 2) as u32 & 0x03ff_ffff;
        bytes.extend_from_slice(&(0x9400_0000 | offset).to_le_bytes());
    }
    bytes.extend_from_slice(&UDF.to_le_bytes());
    // The file is the segment: its headers take the start, which holds no case.
    let size = bytes.len() as u64;
    let seg = common::Seg {
        ptype: 1, // PT_LOAD
        flags: 5, // R+X
        offset: 0,
        vaddr: lo,
        filesz: size,
        memsz: size,
    };
    let mut f = common::elf_file(&[seg], driver, &[]);
    f.extend_from_slice(&bytes[f.len()..]);
    f
}

/// How a case ran: instructions the interpreter took over, and what differs from qemu (empty if nothing).
struct Outcome {
    interpreted: usize,
    report: String,
}

/// Runs case `v` at `pc` as the runtime runs lifted code, from an entry until the case's end.
fn run_case(aot: &mut Aot, host: &mut HostMemory, mem: GuestMem, v: &Vector, pc: u64) -> Outcome {
    mem.write_bytes(pc, &code(v)).expect("code inside memory");
    let initial = init_scratch(mem, v);
    let mut cpu = to_cpu(&v.input, pc);
    let end = pc + 4 * v.words.len() as u64;
    let (mut problem, mut undefined, mut interpreted) = (None, false, 0);
    let mut rounds = 0;
    while cpu.pc != end {
        rounds += 1;
        if rounds > 4 * v.words.len() + 16 || cpu.pc < pc || cpu.pc > end {
            problem = Some(format!("control left the case (pc {:#x})", cpu.pc));
            break;
        }
        if aot.has_entry(cpu.pc) {
            match aot.run(&mut cpu, host, mem) {
                _ if cpu.pc == end => break,
                // Out of fuel, or left for a pc without an entry: go on from there.
                Ok(Status::Budget | Status::Continue) => continue,
                Ok(Status::Interp | Status::FpSlow) => {}
                Ok(s) => {
                    problem = Some(format!("lifted code stopped with {s:?} at {:#x}", cpu.pc));
                    break;
                }
                Err(e) => {
                    problem = Some(e);
                    break;
                }
            }
        }
        // Lifted code handed this instruction back (or there is no entry here): the interpreter runs it.
        let at = cpu.pc;
        let word = mem.load(at, 4).expect("pc inside memory") as u32;
        interpreted += 1;
        match Eval::new(&mut cpu, mem).step(decode(word), at) {
            Ok(next) => cpu.pc = next,
            Err(Exit::Undefined { word: w }) if v.undefined && at == pc && w == word => {
                undefined = true;
                break;
            }
            Err(e) => {
                problem = Some(format!(
                    "stopped at {at:#x} with {e:?}; qemu completed the case"
                ));
                break;
            }
        }
    }
    if v.undefined && !undefined && problem.is_none() {
        problem = Some("completed the case; qemu raised SIGILL".into());
    }
    let report = mismatch(v, problem, &from_cpu(&cpu), scratch_after(mem, v, initial))
        .map_or(String::new(), |m| m.report);
    Outcome {
        interpreted,
        report,
    }
}

/// What a run of vector files did.
#[derive(Default)]
struct Totals {
    cases: usize,
    /// Instructions of the cases (words; a literal pool's data words included) and those the interpreter ran
    /// (an undefined word, which is the interpreter's to refuse, not counted).
    instructions: usize,
    interpreted: usize,
    /// The reports of the cases that differ from qemu (the first `PRINT_LIMIT` per file).
    failed: Vec<String>,
}

/// Runs every case of `files` in lifted code.
fn run_files(files: &[PathBuf]) -> Totals {
    // Compiled bundles go to the artifact cache under here, not the user's.
    let cache = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("lifted_vectors");
    let _ = std::fs::remove_dir_all(&cache);
    // SAFETY: each test of this binary sets the same value; nothing reads the environment concurrently with
    // a write of another value.
    unsafe { std::env::set_var("XDG_CACHE_HOME", &cache) };
    let mut host = HostMemory::new().expect("guest memory");
    let mem = host.guest_mem();
    let mut t = Totals::default();
    for f in files {
        let vs = vector::parse(&std::fs::read_to_string(f).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        assert!(!vs.is_empty(), "{}: no cases", f.display());
        let (mut file_failed, mut file_handed_back) = (0, 0);
        let interpreted_before = t.interpreted;
        for cases in layout(&vs) {
            let elf = image(&vs, &cases);
            let built = elfrun_aot::build(
                &BuildInput {
                    elf: &elf,
                    bias: 0,
                    profiles: &[],
                    profile_sha256: Vec::new(),
                    elfrun_version: "lifted_vectors",
                    scope: Scope::All,
                    fused_madd: elfrun::host::fuses_madd(),
                },
                &|_, _| {},
            )
            .unwrap_or_else(|e| panic!("{}: build: {e}", f.display()));
            let encoded = built.bundle.encode();
            let read = ReadBundle {
                file_sum: ReadBundle::file_sum(&encoded),
                bundle: built.bundle,
            };
            let mut aot = Aot::load(&read, &mut host, mem)
                .unwrap_or_else(|e| panic!("{}: load: {e}", f.display()));
            for &(i, pc) in &cases {
                let v = &vs[i];
                assert!(aot.has_entry(pc), "{}: no entry at {pc:#x}", v.name);
                let o = run_case(&mut aot, &mut host, mem, v, pc);
                // An undefined word is the interpreter's to refuse; any other hand-back is counted.
                let handed = o.interpreted - usize::from(v.undefined && o.interpreted > 0);
                file_handed_back += usize::from(handed > 0);
                t.interpreted += handed;
                t.instructions += v.words.len();
                if !o.report.is_empty() {
                    file_failed += 1;
                    if file_failed <= PRINT_LIMIT {
                        t.failed.push(format!("{}: {}", f.display(), o.report));
                    }
                }
            }
        }
        println!(
            "{}: {} cases, {file_handed_back} handed {} instructions to the interpreter, {file_failed} differ \
             from qemu",
            f.file_name().unwrap().to_string_lossy(),
            vs.len(),
            t.interpreted - interpreted_before,
        );
        t.cases += vs.len();
    }
    let _ = std::fs::remove_dir_all(&cache);
    t
}

#[test]
fn checked_in_vectors_in_lifted_code() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../interp/tests/vectors");
    let only = std::env::var("ELFRUN_VECTOR_FILES").ok();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("interp/tests/vectors")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "vec"))
        .filter(|p| {
            let name = p.file_stem().unwrap().to_str().unwrap();
            only.as_ref()
                .is_none_or(|o| o.split(',').any(|n| n.trim() == name))
        })
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no vector files in {}", dir.display());
    let t = run_files(&files);
    assert!(t.failed.is_empty(), "{}", t.failed.join(""));
    // The lifter, not the interpreter, must have run the cases: it leaves only rare instructions to it.
    assert!(
        t.interpreted * 10 < t.instructions,
        "the interpreter ran {} of the cases' {} instructions",
        t.interpreted,
        t.instructions
    );
}

/// A vector file that is not checked in (a long run of `gen_simd_vectors.py --fuzz`, `fpgen/gen.sh --all`):
/// `ELFRUN_VECTOR_FILE=PATH cargo test -p elfrun --test lifted_vectors -- --ignored vector_file`.
#[test]
#[ignore = "needs ELFRUN_VECTOR_FILE"]
fn vector_file_in_lifted_code() {
    let path = std::env::var_os("ELFRUN_VECTOR_FILE").expect("set ELFRUN_VECTOR_FILE");
    let t = run_files(&[PathBuf::from(path)]);
    assert!(t.cases > 0, "no cases");
    assert!(t.failed.is_empty(), "{}", t.failed.join(""));
}
