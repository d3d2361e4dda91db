//! Whole-program differential tests: the C programs in `tests/guest/` are built with
//! `aarch64-linux-gnu-gcc -static` at -O0, -O2 and -O3 (plus per-program variants, e.g. with and without
//! LSE atomics), run under qemu-aarch64-static (the reference) and under the `elfrun` CLI in both tiers (the
//! interpreter while recording a profile, then the AOT tier after `elfrun build`), and their stdout and exit
//! status must match byte for byte. Binaries are cached in the target directory by source hash and
//! flags. Missing tools fail the tests with a pointer to `scripts/setup-test-deps.sh`.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

const CC: &str = "aarch64-linux-gnu-gcc";
const QEMU: &str = "qemu-aarch64-static";
const SETUP_HINT: &str = "install the test dependencies with scripts/setup-test-deps.sh (as root)";
/// A guest program that runs longer than this (under either runner) fails the test: it catches hangs. The
/// slowest run, `fp_heavy -O0` under `--lockstep` in the debug build (83M instructions re-run and compared), takes
/// 75 s of CPU on an idle machine and passed 120 s with the other core busy.
const TIMEOUT: Duration = Duration::from_secs(300);

const OPT_LEVELS: &[&str] = &["-O0", "-O2", "-O3"];

fn tool_present(tool: &str) -> bool {
    Command::new(tool)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn require_tools() {
    for t in [CC, QEMU] {
        assert!(tool_present(t), "{t} not found: {SETUP_HINT}");
    }
}

fn source_dir() -> PathBuf {
    (std::env::var_os("CARGO_MANIFEST_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into()))
    .join("tests/guest")
}

/// FNV-1a, to key cached binaries by source and flags.
fn fnv(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ b as u64).wrapping_mul(0x100_0000_01b3)
    })
}

/// Builds `name.c` with `flags`; returns the binary's path.
fn build(name: &str, flags: &[&str]) -> PathBuf {
    let src = source_dir().join(format!("{name}.c"));
    let text = std::fs::read(&src).unwrap_or_else(|e| panic!("{}: {e}", src.display()));
    let key = fnv(&[text.as_slice(), flags.join(" ").as_bytes()].concat());
    let out_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("guest");
    std::fs::create_dir_all(&out_dir).unwrap();
    let tag: String = flags
        .concat()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    let bin = out_dir.join(format!("{name}-{tag}-{key:016x}"));
    if bin.exists() {
        return bin;
    }
    // Tests build concurrently (and may build the same binary): write privately, then rename.
    static BUILDS: AtomicU64 = AtomicU64::new(0);
    let n = BUILDS.fetch_add(1, Ordering::Relaxed);
    let tmp = out_dir.join(format!(".{name}-{}-{n}.tmp", std::process::id()));
    let out = Command::new(CC)
        .args(["-static", "-Wall", "-o"])
        .arg(&tmp)
        .args(flags)
        .arg(&src)
        .args(["-lm", "-latomic"])
        .output()
        .unwrap_or_else(|e| panic!("running {CC}: {e}; {SETUP_HINT}"));
    assert!(
        out.status.success(),
        "{CC} {} {} failed:\n{}",
        flags.join(" "),
        src.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::rename(&tmp, &bin).unwrap();
    bin
}

/// stdout and exit status (or the signal, as 128 + n) of a run, killed after [`TIMEOUT`].
#[derive(Debug, PartialEq, Eq)]
struct Outcome {
    status: i32,
    stdout: Vec<u8>,
}

fn run(cmd: &mut Command) -> Outcome {
    use std::os::unix::process::ExitStatusExt;
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("spawning {cmd:?}: {e}"));
    let mut pipe = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = pipe.read_to_end(&mut v);
        v
    });
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if start.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{cmd:?} ran longer than {TIMEOUT:?}");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    Outcome {
        status: status
            .code()
            .unwrap_or_else(|| 128 + status.signal().unwrap_or(0)),
        stdout: reader.join().unwrap(),
    }
}

/// First differing line of two outputs, for the failure message.
fn first_difference(a: &[u8], b: &[u8]) -> String {
    let (a, b) = (String::from_utf8_lossy(a), String::from_utf8_lossy(b));
    for (i, (la, lb)) in a.lines().zip(b.lines()).enumerate() {
        if la != lb {
            return format!("line {}:\n  qemu:   {la}\n  elfrun: {lb}", i + 1);
        }
    }
    format!(
        "one output is a prefix of the other ({} vs {} lines)",
        a.lines().count(),
        b.lines().count()
    )
}

/// Where AOT runs keep bundles, profiles and the artifact cache (never the user's ~/.cache).
fn aot_dir() -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join("aot");
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn elfrun_cmd() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_elfrun"));
    c.env("XDG_CACHE_HOME", aot_dir().join("cache"));
    c
}

/// The AOT tier's run of `bin`: record a profile (an interpreter run, whose outcome is returned too), build a
/// bundle from it, run the bundle with `--tier aot`, and once more with `--lockstep` (every stretch of lifted code
/// re-run by the interpreter and compared; a disagreement ends the run with status 134 and a report on stderr).
/// Returns (recorded run, AOT run, lockstep run).
fn record_build_run(bin: &Path) -> (Outcome, Outcome, Outcome) {
    let name = bin.file_name().unwrap().to_string_lossy().into_owned();
    let (profile, bundle, stats) = (
        aot_dir().join(format!("{name}.profile")),
        aot_dir().join(format!("{name}.bundle")),
        aot_dir().join(format!("{name}.stats.json")),
    );
    let _ = std::fs::remove_file(&profile);
    let recorded_stats = aot_dir().join(format!("{name}.record-stats.json"));
    let recorded = run(elfrun_cmd()
        .arg("--record")
        .arg("--profile")
        .arg(&profile)
        .arg("--stats-file")
        .arg(&recorded_stats)
        .arg(bin));
    let built = elfrun_cmd()
        .args(["build", "-q", "--profile"])
        .arg(&profile)
        .arg("-o")
        .arg(&bundle)
        .arg(bin)
        .output()
        .unwrap();
    assert!(
        built.status.success(),
        "elfrun build {name}: {}",
        String::from_utf8_lossy(&built.stderr)
    );
    let aot = run(elfrun_cmd()
        .args(["--tier", "aot", "--bundle"])
        .arg(&bundle)
        .arg("--stats-file")
        .arg(&stats)
        .arg(bin));
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&stats).unwrap_or_default()).unwrap_or_default();
    assert_eq!(
        json["tier"], "aot",
        "{name}: the AOT run did not use the bundle: {json}"
    );
    // Lifted code must really have run: the interpreter's share is what the bundle leaves to it.
    let interp_only: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&recorded_stats).unwrap_or_default())
            .unwrap_or_default();
    let (all, left) = (
        interp_only["interp_instructions"].as_u64().unwrap_or(0),
        json["interp_instructions"].as_u64().unwrap_or(u64::MAX),
    );
    let max_percent = 5;
    assert!(
        left.saturating_mul(100) < all.saturating_mul(max_percent),
        "{name}: the AOT run interpreted {left} of {all} instructions (allowed: {max_percent}%)"
    );
    let lockstep_stats = aot_dir().join(format!("{name}.lockstep.json"));
    let lockstep = run(elfrun_cmd()
        .args(["--lockstep", "--bundle"])
        .arg(&bundle)
        .arg("--stats-file")
        .arg(&lockstep_stats)
        .arg(bin));
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&lockstep_stats).unwrap_or_default())
            .unwrap_or_default();
    assert!(
        json["lockstep_windows"].as_u64().unwrap_or(0) > 0,
        "{name}: the lockstep run checked nothing: {json}"
    );
    (recorded, aot, lockstep)
}

/// Builds `name` with every optimisation level (times each extra flag set) and compares the runs: qemu (the
/// reference), elfrun's interpreter (recording a profile), and elfrun's AOT tier after `elfrun build`.
fn check(name: &str, variants: &[&[&str]]) {
    require_tools();
    let mut failures = Vec::new();
    for opt in OPT_LEVELS {
        for extra in variants {
            let flags: Vec<&str> = std::iter::once(*opt).chain(extra.iter().copied()).collect();
            let bin = build(name, &flags);
            let want = run(Command::new(QEMU).arg(&bin));
            let (interp, aot, lockstep) = record_build_run(&bin);
            for (tier, got) in [
                ("interp", interp),
                ("aot", aot),
                ("aot --lockstep", lockstep),
            ] {
                if want != got {
                    let what = if want.stdout != got.stdout {
                        first_difference(&want.stdout, &got.stdout)
                    } else {
                        String::new()
                    };
                    failures.push(format!(
                    "{name} {} (tier {tier}): exit status qemu {} elfrun {}; {} vs {} bytes of stdout {what}\n  binary: {}",
                    flags.join(" "),
                    want.status,
                    got.status,
                    want.stdout.len(),
                    got.stdout.len(),
                    bin.display()
                ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn int_ops() {
    check("int_ops", &[&[]]);
}

#[test]
fn ldst() {
    check("ldst", &[&[]]);
}

#[test]
fn atomics() {
    // Default (outline atomics: LSE or LL/SC chosen at run time from AT_HWCAP), pure LDXR/STXR loops, and
    // inline LSE.
    check(
        "atomics",
        &[&[], &["-mno-outline-atomics"], &["-march=armv8.1-a"]],
    );
}

#[test]
fn fp_scalar() {
    check("fp_scalar", &[&[]]);
}

#[test]
fn neon() {
    check("neon", &[&[]]);
}

#[test]
fn neon_intrinsics() {
    check("neon_intrinsics", &[&["-march=armv8-a+crypto"]]);
}

#[test]
fn fp_fast() {
    // The boundaries of the AOT tier's inline add/sub/mul/div/sqrt (nearest, upward, FZ, DN).
    check("fp_fast", &[&[]]);
}

#[test]
fn fp_heavy() {
    check("fp_heavy", &[&[]]);
}

#[test]
fn libc() {
    check("libc", &[&[]]);
}

/// The programs' outputs are not trivially empty, and the exit status is really compared: these are facts
/// about the reference run, checked so a broken build cannot make every comparison pass vacuously.
#[test]
fn reference_runs_are_meaningful() {
    require_tools();
    let libc = run(Command::new(QEMU).arg(build("libc", &["-O2"])));
    assert_eq!(libc.status, 3, "libc.c ends with exit status 3");
    assert!(libc.stdout.len() > 1000);
    let int_ops = run(Command::new(QEMU).arg(build("int_ops", &["-O0"])));
    assert_eq!(int_ops.status, 0);
    assert!(String::from_utf8_lossy(&int_ops.stdout).contains("shift hash"));
}
