//! End-to-end runs of the `elfrun-bench` binary at a tiny scale: real builds, real runs, and a fake
//! `elfrun` that prints a wrong checksum, which must be caught.

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::process::Command;

fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("elfrun-bench-it-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn have(tool: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .output()
        .is_ok_and(|o| o.status.success())
}

fn bench(dir: &PathBuf, extra: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_elfrun-bench"))
        .args(["--scale", "0.01", "--rounds", "1", "--build-dir"])
        .arg(dir)
        .arg("--csv")
        .arg(dir.join("r.csv"))
        .args(extra)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Runs `program` under only the `elfrun` runner, with a fake elfrun (a shell script in `dir`) that prints
/// `output` whatever it is asked: the harness must not accept it.
fn bench_with_fake_elfrun(dir: &PathBuf, program: &str, output: &str) -> (bool, String, String) {
    let fake = dir.join("fake-elfrun");
    std::fs::write(&fake, format!("#!/bin/sh\necho '{output}'\n")).unwrap();
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    let runners = if program == "primes" {
        "native,elfrun"
    } else {
        "elfrun"
    };
    bench(
        dir,
        &[
            "--only",
            program,
            "--runners",
            runners,
            "--elfrun",
            fake.to_str().unwrap(),
        ],
    )
}

#[test]
fn native_wasm_and_qemu_verify() {
    let dir = scratch("ok");
    let (ok, table, err) = bench(
        &dir,
        &[
            "--only",
            "primes,intmix",
            "--runners",
            "native,wasm,qemu",
            "--wasi-run",
            env!("CARGO_BIN_EXE_wasi-run"),
        ],
    );
    assert!(ok, "harness failed:\n{table}\n{err}");
    for p in ["primes", "intmix"] {
        assert!(table.contains(&format!("| {p} | native |")), "{table}");
        let native = table
            .lines()
            .find(|l| l.starts_with(&format!("| {p} | native |")))
            .unwrap();
        assert!(native.ends_with("| ok |"), "{native}");
        if have("qemu-aarch64-static") && have("aarch64-linux-gnu-gcc") {
            let q = table
                .lines()
                .find(|l| l.starts_with(&format!("| {p} | qemu |")))
                .unwrap();
            assert!(q.ends_with("| ok |"), "{q}");
        }
        // The from-source Wasm build, run by wasi-run in wasmer, prints native's checksum.
        if have("clang") && std::path::Path::new("/usr/lib/wasm32-wasi").exists() {
            let w = table
                .lines()
                .find(|l| l.starts_with(&format!("| {p} | wasm |")))
                .unwrap();
            assert!(w.ends_with("| ok |"), "{w}");
        }
    }
    let csv = std::fs::read_to_string(dir.join("r.csv")).unwrap();
    assert!(csv.starts_with("program,runner,rounds,median_s"));
    assert_eq!(csv.lines().count(), 1 + 6);
    // The bar chart: one bar per measured row (native always; qemu where it ran and verified).
    let svg = std::fs::read_to_string(dir.join("results.svg")).unwrap();
    assert!(svg.trim_end().ends_with("</svg>"));
    let measured = csv
        .lines()
        .skip(1)
        .filter(|l| l.contains(",\"ok\""))
        .count();
    assert!(measured >= 2);
    assert_eq!(svg.matches("class=\"bar\"").count(), measured, "{svg}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn builds_mode_reports_a_failing_elfrun_and_skips_a_missing_corpus() {
    if !have("aarch64-linux-gnu-gcc") {
        return; // the bench subject needs the aarch64 build
    }
    let dir = scratch("builds");
    let fake = dir.join("fake-elfrun");
    std::fs::write(
        &fake,
        "#!/bin/sh\necho 'elfrun: no such thing' >&2\nexit 1\n",
    )
    .unwrap();
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_elfrun-bench"))
        .args(["--builds", "--rounds", "1", "--only", "primes,busybox"])
        .arg("--build-dir")
        .arg(&dir)
        .arg("--corpus")
        .arg(dir.join("no-corpus"))
        .arg("--elfrun")
        .arg(&fake)
        .output()
        .unwrap();
    let table = String::from_utf8_lossy(&out.stdout);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{table}\n{err}");
    assert!(err.contains("busybox: skipped: not in the corpus"), "{err}");
    let all = table
        .lines()
        .find(|l| l.starts_with("| primes | all |"))
        .unwrap();
    assert!(
        all.contains("FAILED (elfrun build: exit 1: elfrun: no such thing)"),
        "{all}"
    );
    let profiled = table
        .lines()
        .find(|l| l.starts_with("| primes | profiled |"))
        .unwrap();
    assert!(
        profiled.contains("FAILED (recording the profile"),
        "{profiled}"
    );
    let csv = std::fs::read_to_string(dir.join("builds.csv")).unwrap();
    assert!(csv.starts_with("program,scope,rounds,build_median_s"));
    assert_eq!(csv.lines().count(), 1 + 2, "{csv}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn wrong_checksum_is_reported_and_fails_the_run() {
    if !have("aarch64-linux-gnu-gcc") {
        return; // the fake runner needs the aarch64 build to exist
    }
    let dir = scratch("bad");
    // With native's run as the reference.
    let (ok, table, err) = bench_with_fake_elfrun(&dir, "primes", "checksum primes deadbeef");
    assert!(!ok, "a mismatch must fail the run:\n{table}");
    let row = table
        .lines()
        .find(|l| l.starts_with("| primes | elfrun |"))
        .unwrap();
    assert!(row.contains("CHECKSUM MISMATCH (got deadbeef"), "{row}");
    assert!(
        err.contains("*** primes: elfrun: CHECKSUM MISMATCH"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(dir);
}

/// The real-program workload: the corpus's AArch64 busybox-static running `md5sum` over a generated file, each
/// runner's hash checked against coreutils' `md5sum` of the file. A fake elfrun printing another hash fails.
#[test]
fn busybox_md5sum_is_checked_against_coreutils() {
    let corpus = elfrun_bench::builds::default_corpus();
    if !corpus.join("root/bin/busybox").is_file() || !have("qemu-aarch64-static") {
        eprintln!("skipped: no corpus busybox or no qemu-aarch64-static");
        return;
    }
    let dir = scratch("md5");
    let (ok, table, err) = bench(
        &dir,
        &["--only", "bb-md5sum", "--runners", "native,wasm,qemu"],
    );
    assert!(ok, "harness failed:\n{table}\n{err}");
    let row = |t: &str, r: &str| {
        t.lines()
            .find(|l| l.starts_with(&format!("| bb-md5sum | {r} |")))
            .unwrap()
            .to_string()
    };
    assert!(row(&table, "qemu").ends_with("| ok |"), "{table}");
    assert!(
        row(&table, "wasm").contains("skipped: busybox has no Wasm build"),
        "{table}"
    );
    if have("busybox") {
        assert!(row(&table, "native").ends_with("| ok |"), "{table}");
    }

    // Without a native run: coreutils' hash is the reference.
    let (ok, table, _) =
        bench_with_fake_elfrun(&dir, "bb-md5sum", "0123456789abcdef0123456789abcdef  input");
    assert!(!ok, "a wrong hash must fail the run:\n{table}");
    assert!(
        row(&table, "elfrun").contains("CHECKSUM MISMATCH (got 0123456789abcdef"),
        "{table}"
    );
    let _ = std::fs::remove_dir_all(dir);
}
