//! `elfrun --record` and `elfrun profile show`, end to end: determinism of recorded profiles, merging of runs,
//! indirect-branch targets of a C program with a function-pointer table (expected addresses from the toolchain's
//! `nm`, counts from the program's own loop structure), and clean errors for damaged or foreign profiles.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use elfrun_profiles::{IndirectKind, IndirectSite, Profile};

fn tmp(name: &str) -> PathBuf {
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("record");
    std::fs::create_dir_all(&d).unwrap();
    let p = d.join(name);
    let _ = std::fs::remove_file(&p);
    p
}

/// The test program, built once.
fn fnptr() -> &'static Path {
    static PROG: OnceLock<PathBuf> = OnceLock::new();
    PROG.get_or_init(|| common::build("fnptr.c", &[]))
}

/// Address of `sym` in `prog`, from the toolchain's `nm`.
fn nm(prog: &Path, sym: &str) -> u64 {
    let out = Command::new("aarch64-linux-gnu-nm")
        .arg(prog)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let line = text
        .lines()
        .find(|l| l.split_whitespace().nth(2) == Some(sym))
        .unwrap_or_else(|| panic!("{sym} not in nm output"));
    u64::from_str_radix(line.split_whitespace().next().unwrap(), 16).unwrap()
}

fn run(args: &[&str]) -> Output {
    common::elfrun(args, &[("PATH", "/usr/bin:/bin")])
}

fn record(prog: &Path, profile: &Path) -> Output {
    let o = run(&[
        "--record",
        "--profile",
        profile.to_str().unwrap(),
        prog.to_str().unwrap(),
    ]);
    assert_eq!(
        common::status(&o),
        0,
        "stderr: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    o
}

fn load(profile: &Path) -> Profile {
    elfrun_profiles::load(profile, None).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn recording_does_not_change_the_program() {
    let prog = fnptr();
    let o = record(prog, &tmp("same-output.profile"));
    let reference = common::qemu(&[prog.to_str().unwrap()], &[]);
    assert_eq!(o.stdout, reference.stdout);
}

#[test]
fn two_recordings_are_byte_identical() {
    let (a, b) = (tmp("det-a.profile"), tmp("det-b.profile"));
    record(fnptr(), &a);
    record(fnptr(), &b);
    let (a, b) = (std::fs::read(a).unwrap(), std::fs::read(b).unwrap());
    assert!(a.len() > 200);
    assert!(a == b, "profiles of two identical runs differ");
}

#[test]
fn recording_into_the_same_file_merges_runs() {
    let f = tmp("merge.profile");
    record(fnptr(), &f);
    let one = load(&f);
    assert_eq!(one.runs, 1);
    // Every executed instruction belongs to exactly one block entry (no block ends early in this program).
    assert_eq!(one.instructions_executed, one.block_instructions());
    record(fnptr(), &f);
    let two = load(&f);
    assert_eq!(two.runs, 2);
    assert_eq!(two.instructions_executed, 2 * one.instructions_executed);
    assert_eq!(two.blocks.len(), one.blocks.len());
    for (pc, b) in &one.blocks {
        assert_eq!(two.blocks[pc].entries, 2 * b.entries, "block {pc:#x}");
        assert_eq!(two.blocks[pc].len_insns, b.len_insns, "block {pc:#x}");
    }
    assert_eq!(two.indirect.len(), one.indirect.len());
}

#[test]
fn calls_and_indirect_targets_match_the_program() {
    let prog = fnptr();
    let f = tmp("targets.profile");
    record(prog, &f);
    let p = load(&f);
    let (add, sub, mul) = (nm(prog, "op_add"), nm(prog, "op_sub"), nm(prog, "op_mul"));
    let (classify, skip_ret, bail) = (nm(prog, "classify"), nm(prog, "skip_ret"), nm(prog, "bail"));
    // 300 iterations call table[i % 3] (BLR) and classify (BL); skip_ret runs 4 times, bail 3 times.
    for t in [add, sub, mul] {
        assert_eq!(p.call_targets.get(&t), Some(&100), "calls to {t:#x}");
    }
    assert_eq!(p.call_targets.get(&classify), Some(&300));
    assert_eq!(p.call_targets.get(&skip_ret), Some(&4));
    assert_eq!(p.call_targets.get(&bail), Some(&3));
    // The BLR site has exactly the three table entries as targets.
    let blr: Vec<_> = p
        .indirect
        .iter()
        .filter(|(s, t)| s.kind == IndirectKind::Blr && t.contains_key(&add))
        .collect();
    assert_eq!(blr.len(), 1);
    let want: std::collections::BTreeMap<u64, u64> = [(add, 100), (sub, 100), (mul, 100)].into();
    assert_eq!(blr[0].1, &want);
    // The computed goto: one BR inside classify, 300 times, to its four labels (all inside classify).
    let br: Vec<_> = p
        .indirect
        .iter()
        .filter(|(s, _)| s.kind == IndirectKind::Br && (classify..classify + 0x40).contains(&s.pc))
        .collect();
    assert_eq!(br.len(), 1);
    assert_eq!(br[0].1.values().sum::<u64>(), 300);
    assert_eq!(br[0].1.len(), 4);
    assert!(
        br[0]
            .1
            .keys()
            .all(|t| (classify..classify + 0x40).contains(t))
    );
    // skip_ret's first RET (its third instruction) goes to its fourth instruction, not to the caller.
    let site = IndirectSite {
        pc: skip_ret + 8,
        kind: IndirectKind::RetNotToCaller,
    };
    assert_eq!(p.indirect.get(&site), Some(&[(skip_ret + 12, 4)].into()));
    // Ordinary returns, and main's return after the longjmps (glibc jumps with BR X30), are not recorded.
    let rets: Vec<_> = p
        .indirect
        .keys()
        .filter(|s| s.kind == IndirectKind::RetNotToCaller)
        .collect();
    assert_eq!(rets, [&site]);
}

#[test]
fn show_json_names_the_indirect_targets() {
    let prog = fnptr();
    let f = tmp("show.profile");
    record(prog, &f);
    let o = run(&[
        "profile",
        "show",
        prog.to_str().unwrap(),
        "--profile",
        f.to_str().unwrap(),
        "--json",
        "--top",
        "50",
    ]);
    assert_eq!(common::status(&o), 0, "stderr: {}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["runs"], 1);
    let sites = v["indirect_sites"].as_array().unwrap();
    let blr = sites
        .iter()
        .find(|s| s["kind"] == "blr" && s["total"] == 300)
        .expect("the function-pointer call site");
    assert_eq!(blr["disasm"], "blr x2");
    let mut targets: Vec<&str> = blr["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["pc"].as_str().unwrap())
        .collect();
    targets.sort();
    let mut want: Vec<String> = ["op_add", "op_sub", "op_mul"]
        .iter()
        .map(|s| format!("{:#x}", nm(prog, s)))
        .collect();
    want.sort();
    assert_eq!(targets, want);
    // op_add is `add x0, x0, x1; ret`.
    let add = format!("{:#x}", nm(prog, "op_add"));
    let t = blr["targets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["pc"] == add.as_str())
        .unwrap();
    assert_eq!(t["disasm"], "add x0, x0, x1; ret");
    let top = v["top_blocks"].as_array().unwrap();
    assert!(!top.is_empty() && top[0]["disasm"].is_string());

    // The text form, from the profile file alone (no disassembly then).
    let o = run(&["profile", "show", f.to_str().unwrap()]);
    assert_eq!(common::status(&o), 0, "stderr: {}", stderr(&o));
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(text.contains("1 run(s)"), "{text}");
    assert!(text.contains("ret-not-to-caller"), "{text}");
}

#[test]
fn default_profile_path_is_keyed_by_the_elf_hash() {
    let prog = fnptr();
    let cache = tmp("xdg");
    let _ = std::fs::remove_dir_all(&cache);
    std::fs::create_dir_all(&cache).unwrap();
    let env = [
        ("PATH", "/usr/bin:/bin"),
        ("XDG_CACHE_HOME", cache.to_str().unwrap()),
    ];
    let o = common::elfrun(&["run", "--record", prog.to_str().unwrap()], &env);
    assert_eq!(common::status(&o), 0, "stderr: {}", stderr(&o));
    let hash = elfrun_profiles::hex(&elfrun_profiles::binary_hash(&std::fs::read(prog).unwrap()));
    let file = cache.join(format!("elfrun/profiles/{hash}.profile"));
    assert_eq!(load(&file).runs, 1);
    let o = common::elfrun(&["profile", "show", prog.to_str().unwrap()], &env);
    assert_eq!(common::status(&o), 0, "stderr: {}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains(&hash));
}

fn show_fails(args: &[&str], expect: &str) {
    let o = run(args);
    let err = stderr(&o);
    assert_eq!(
        common::status(&o),
        1,
        "stdout: {}",
        String::from_utf8_lossy(&o.stdout)
    );
    assert!(err.contains(expect), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn damaged_profiles_are_refused_cleanly() {
    let f = tmp("damaged.profile");
    record(fnptr(), &f);
    let good = std::fs::read(&f).unwrap();
    let bad = tmp("bitflip.profile");
    let mut flipped = good.clone();
    flipped[good.len() / 2] ^= 0x10;
    std::fs::write(&bad, &flipped).unwrap();
    show_fails(
        &["profile", "show", bad.to_str().unwrap()],
        "checksum mismatch",
    );
    let short = tmp("truncated.profile");
    std::fs::write(&short, &good[..good.len() - 40]).unwrap();
    show_fails(&["profile", "show", short.to_str().unwrap()], "truncated");
    let tiny = tmp("tiny.profile");
    std::fs::write(&tiny, &good[..50]).unwrap();
    show_fails(&["profile", "show", tiny.to_str().unwrap()], "truncated");
    let version = tmp("version.profile");
    // A profile of format version 1 (SHA-256 keys and checksum), as earlier elfruns wrote them.
    let mut v1 = good.clone();
    v1[8] = 1;
    std::fs::write(&version, &v1).unwrap();
    show_fails(
        &["profile", "show", version.to_str().unwrap()],
        "format version 1 is not supported",
    );
    show_fails(
        &["profile", "show", "/nonexistent/x.profile"],
        "cannot open",
    );
}

#[test]
fn a_profile_of_another_binary_is_refused() {
    let f = tmp("other.profile");
    record(fnptr(), &f);
    let other = common::build("hello.S", &["-nostdlib"]);
    show_fails(
        &[
            "profile",
            "show",
            other.to_str().unwrap(),
            "--profile",
            f.to_str().unwrap(),
        ],
        "recorded for a different binary",
    );
    // Recording another binary into that file is refused too, and leaves it alone.
    let before = std::fs::read(&f).unwrap();
    let o = run(&[
        "--record",
        "--profile",
        f.to_str().unwrap(),
        other.to_str().unwrap(),
    ]);
    assert_eq!(common::status(&o), 42, "hello.S exits 42");
    assert!(
        stderr(&o).contains("recorded for a different binary"),
        "{}",
        stderr(&o)
    );
    assert_eq!(std::fs::read(&f).unwrap(), before);
}

#[test]
fn a_forked_child_records_only_its_own_part() {
    let prog = fnptr();
    let f = tmp("fork.profile");
    let o = run(&[
        "--record",
        "--profile",
        f.to_str().unwrap(),
        prog.to_str().unwrap(),
        "fork",
    ]);
    assert_eq!(common::status(&o), 0, "stderr: {}", stderr(&o));
    assert_eq!(String::from_utf8_lossy(&o.stdout).lines().count(), 2);
    let p = load(&f);
    // Two processes, each a run; both did the whole loop.
    assert_eq!(p.runs, 2);
    assert_eq!(p.call_targets.get(&nm(prog, "classify")), Some(&600));
    assert_eq!(p.call_targets.get(&nm(prog, "op_add")), Some(&200));
    // main's first block ran once, before the fork: the child did not flush the parent's counts again.
    assert_eq!(p.blocks[&nm(prog, "main")].entries, 1);
    assert_eq!(p.instructions_executed, p.block_instructions());
}

#[test]
fn busybox_shell_pipeline() {
    let bb = Path::new("/root/.cache/elfrun-corpus/root/bin/busybox");
    if !bb.exists() {
        eprintln!("skipped: no {}", bb.display());
        return;
    }
    let f = tmp("busybox.profile");
    let script = "x=0; for i in 1 2 3 4 5; do x=$((x+i)); done; echo $x; echo hi | tr a-z A-Z";
    let o = run(&[
        "--record",
        "--profile",
        f.to_str().unwrap(),
        bb.to_str().unwrap(),
        "sh",
        "-c",
        script,
    ]);
    assert_eq!(common::status(&o), 0, "stderr: {}", stderr(&o));
    assert_eq!(String::from_utf8_lossy(&o.stdout), "15\nHI\n");
    let p = load(&f);
    // The shell and the two processes of the pipeline.
    assert!(p.runs >= 3, "{} runs", p.runs);
    let o = run(&[
        "profile",
        "show",
        bb.to_str().unwrap(),
        "--profile",
        f.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(common::status(&o), 0, "stderr: {}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let sites = v["indirect_sites"].as_array().unwrap();
    assert!(sites.iter().any(|s| s["kind"] == "br"));
    assert!(sites.iter().any(|s| s["kind"] == "blr"));
    // Every site and target is code of the (stripped) busybox file: it disassembles.
    for s in sites {
        assert!(s["disasm"].is_string(), "{s}");
        for t in s["targets"].as_array().unwrap() {
            assert!(t["disasm"].is_string(), "{t}");
        }
    }
}
