//! Random instruction differential testing of elfrun's interpreter against qemu-aarch64-static, per group.
//!
//! Each group's encoding table (see [`groups`]) generates random valid instruction words with a fixed-seed
//! PRNG; a harness ELF runs them under qemu to produce test vectors (input state → expected state); the same
//! vectors then run through `elfrun_interp` in-process and every difference is reported with the case name,
//! its disassembly and the differing registers. See docs/testing.md.
//!
//! - `cargo test -p elfrun-interp --test difftest`: CI mode, fixed seed, a few thousand cases per group, plus
//!   the checked-in vector files in `interp/tests/vectors/`.
//! - `scripts/difftest-long.sh`: the long run (`long_run`, ignored by default), configured by environment:
//!   `ELFRUN_DIFFTEST_COUNT` (cases per group), `ELFRUN_DIFFTEST_SEED`, `ELFRUN_DIFFTEST_GROUPS` (comma list).
//! - `ELFRUN_DIFFTEST_SAVE=DIR` writes the generated vectors to `DIR/<group>.vec`.
//! - `ELFRUN_DIFFTEST_RUN=N` (long runs): each case of a group without memory accesses is N instructions of
//!   that group instead of one, each feeding the next its flags, FPSR and registers.
//! - `ELFRUN_DIFFTEST_JOBS=N` runs N qemu batches at once (default: the number of CPUs).
//! - `ELFRUN_VECTOR_FILE=PATH` with `--ignored vector_file` runs one vector file that is not checked in.

mod asm;
mod cases;
mod encoding;
mod groups;
mod harness;
mod interp_run;
mod prng;
mod qemu;
mod vector;

use encoding::Group;
use harness::{Layout, MAX_WORDS};
use prng::Rng;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Cases (one instruction each) per group in CI mode.
const CI_CASES: u64 = 3000;
/// Cases per qemu run.
const BATCH: u64 = 500;
/// The CI seed.
const CI_SEED: u64 = 0x0e1f_2a0b_5eed_0001;
/// Mismatches printed in full per encoding family (the rest are only counted).
const PER_FAMILY: usize = 3;
/// Rejected cases and failing vector-file cases printed in full.
const PRINT_LIMIT: usize = 25;

/// Outcome of one group.
#[derive(Debug, Default)]
struct Outcome {
    cases: u64,
    /// family -> (cases, mismatches)
    families: BTreeMap<String, (u64, u64)>,
    mismatches: Vec<interp_run::Mismatch>,
    rejected: Vec<String>,
}

fn family_of(name: &str) -> String {
    name.split('#').next().unwrap_or(name).to_string()
}

fn tmp_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
}

fn run_group(group: &Group, count: u64, seed: u64) -> Outcome {
    qemu::require();
    // Each group has its own stream, so adding a group does not change the others' cases.
    let mut rng = Rng::new(
        seed ^ group
            .name
            .bytes()
            .fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(b as u64)),
    );
    let save = std::env::var_os("ELFRUN_DIFFTEST_SAVE").map(PathBuf::from);
    let run: usize = std::env::var("ELFRUN_DIFFTEST_RUN")
        .ok()
        .map_or(1, |r| r.parse().expect("ELFRUN_DIFFTEST_RUN"));
    assert!(
        (1..=MAX_WORDS).contains(&run),
        "ELFRUN_DIFFTEST_RUN: 1 to {MAX_WORDS}"
    );
    let mut saved = String::new();
    let mut out = Outcome::default();
    let jobs = std::env::var("ELFRUN_DIFFTEST_JOBS")
        .ok()
        .and_then(|j| j.parse().ok())
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .max(1);
    let mut seq = 0;
    while seq < count {
        // Generate `jobs` batches in order (so results do not depend on the job count), run their reference
        // runs in parallel, then compare in order.
        let mut batches = Vec::new();
        while batches.len() < jobs && seq < count {
            let n = BATCH.min(count - seq);
            let layout = Layout {
                n,
                scratch_len: group.scratch,
            };
            let cases: Vec<_> = (0..n)
                .map(|i| cases::case(group, &mut rng, &layout, i, seq + i, run))
                .collect();
            seq += n;
            batches.push((layout, cases));
        }
        let references: Vec<qemu::Reference> = std::thread::scope(|s| {
            let handles: Vec<_> = batches
                .into_iter()
                .map(|(layout, cases)| {
                    s.spawn(move || qemu::reference(&tmp_dir(), group.name, layout, cases))
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("reference run panicked"))
                .collect()
        });
        for reference in references {
            record(&mut out, &reference, save.is_some().then_some(&mut saved));
        }
        if count > CI_CASES && seq % (100 * BATCH) < (jobs as u64 * BATCH) {
            eprintln!(
                "difftest {}: {seq}/{count} cases, {} mismatches, {} rejected so far",
                group.name,
                out.mismatches.len(),
                out.rejected.len()
            );
        }
    }
    if let Some(dir) = save {
        std::fs::create_dir_all(&dir).expect("create ELFRUN_DIFFTEST_SAVE dir");
        let header = format!(
            "# elfrun test vectors, format 1: group {}, seed {seed:#x}, {count} cases, expected states from {}\n",
            group.name,
            qemu::QEMU
        );
        std::fs::write(dir.join(format!("{}.vec", group.name)), header + &saved)
            .expect("write vectors");
    }
    out
}

/// Compares one batch's vectors against elfrun and adds the results to `out`.
fn record(out: &mut Outcome, reference: &qemu::Reference, saved: Option<&mut String>) {
    for (c, why) in &reference.rejected {
        out.rejected.push(format!(
            "{} {:08x?} ({}): {why}",
            c.name,
            c.words,
            elfrun_interp::disasm(c.words[0])
        ));
    }
    if let Some(saved) = saved {
        for v in &reference.vectors {
            saved.push_str(&v.to_text());
        }
    }
    for v in &reference.vectors {
        out.families.entry(family_of(&v.name)).or_default().0 += 1;
    }
    for m in interp_run::run_all(&reference.vectors) {
        out.families.entry(family_of(&m.name)).or_default().1 += 1;
        out.mismatches.push(m);
    }
    out.cases += reference.vectors.len() as u64;
}

fn report(group: &str, o: &Outcome) -> String {
    let mut s = format!(
        "difftest {group}: {} cases, {} mismatches, {} rejected by qemu\n",
        o.cases,
        o.mismatches.len(),
        o.rejected.len()
    );
    for (fam, (n, bad)) in &o.families {
        s += &format!("  {fam:<40} {n:>8} cases {bad:>8} mismatches\n");
    }
    // The first few of each family, so one noisy family does not hide the others.
    let mut shown: BTreeMap<String, usize> = BTreeMap::new();
    let mut printed = 0;
    for m in &o.mismatches {
        let n = shown.entry(family_of(&m.name)).or_default();
        if *n < PER_FAMILY {
            *n += 1;
            printed += 1;
            s += &m.report;
        }
    }
    if o.mismatches.len() > printed {
        s += &format!("  … {} more mismatches\n", o.mismatches.len() - printed);
    }
    for r in o.rejected.iter().take(PRINT_LIMIT) {
        s += &format!("  rejected: {r}\n");
    }
    s
}

fn check_group(name: &str, count: u64, seed: u64) {
    let group = groups::by_name(name);
    let o = run_group(group, count, seed);
    let text = report(name, &o);
    println!("{text}");
    assert!(o.mismatches.is_empty() && o.rejected.is_empty(), "{text}");
}

#[test]
fn dp_imm() {
    check_group("dp_imm", CI_CASES, CI_SEED);
}

#[test]
fn dp_reg() {
    check_group("dp_reg", CI_CASES, CI_SEED);
}

#[test]
fn ldst() {
    check_group("ldst", CI_CASES, CI_SEED);
}

#[test]
fn fp() {
    check_group("fp", CI_CASES, CI_SEED);
}

#[test]
fn simd() {
    check_group("simd", CI_CASES, CI_SEED);
}

/// The long run: `scripts/difftest-long.sh`.
#[test]
#[ignore = "long run; use scripts/difftest-long.sh"]
fn long_run() {
    let env = |k: &str| std::env::var(k).ok();
    let count = env("ELFRUN_DIFFTEST_COUNT")
        .map_or(1_000_000, |c| c.parse().expect("ELFRUN_DIFFTEST_COUNT"));
    let seed = env("ELFRUN_DIFFTEST_SEED").map_or(CI_SEED, |s| {
        let s = s.trim_start_matches("0x");
        u64::from_str_radix(s, 16).expect("ELFRUN_DIFFTEST_SEED (hex)")
    });
    let names: Vec<String> = env("ELFRUN_DIFFTEST_GROUPS").map_or_else(
        || groups::GROUPS.iter().map(|g| g.name.to_string()).collect(),
        |g| g.split(',').map(str::to_string).collect(),
    );
    let mut failed = Vec::new();
    for name in &names {
        let o = run_group(groups::by_name(name), count, seed);
        println!("{}", report(name, &o));
        if !o.mismatches.is_empty() || !o.rejected.is_empty() {
            failed.push(name.clone());
        }
    }
    assert!(
        failed.is_empty(),
        "groups with mismatches: {failed:?} (seed {seed:#x})"
    );
}

/// Runs vector files, printing the case count of each; returns the mismatch reports (the first few per file).
fn run_vector_files(files: &[PathBuf]) -> (usize, String) {
    let mut text = String::new();
    let mut total = 0;
    for f in files {
        let vs = vector::parse(&std::fs::read_to_string(f).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        let undefined = vs.iter().filter(|v| v.undefined).count();
        println!(
            "{}: {} cases ({undefined} expect undefined)",
            f.display(),
            vs.len()
        );
        assert!(!vs.is_empty(), "{}: no cases", f.display());
        total += vs.len();
        for m in interp_run::run_all(&vs).iter().take(PRINT_LIMIT) {
            text += &format!("{}: {}", f.display(), m.report);
        }
    }
    (total, text)
}

/// Checked-in vector files (expected states recorded from qemu) run without needing qemu.
#[test]
fn checked_in_vectors() {
    let dir = (std::env::var_os("CARGO_MANIFEST_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into()))
    .join("tests/vectors");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("interp/tests/vectors")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "vec"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no vector files in {}", dir.display());
    let (total, text) = run_vector_files(&files);
    assert!(total > 0);
    assert!(text.is_empty(), "{text}");
}

/// A vector file that is not checked in (e.g. a long run written by `gen_simd_vectors.py --fuzz`):
/// `ELFRUN_VECTOR_FILE=PATH cargo test -p elfrun-interp --test difftest -- --ignored vector_file`.
#[test]
#[ignore = "needs ELFRUN_VECTOR_FILE"]
fn vector_file() {
    let path = std::env::var_os("ELFRUN_VECTOR_FILE").expect("set ELFRUN_VECTOR_FILE");
    let (total, text) = run_vector_files(&[PathBuf::from(path)]);
    assert!(total > 0, "no cases");
    assert!(text.is_empty(), "{text}");
}
