//! Our bash script suite (`rt/tests/bash/*.sh`: functions, pipelines, subshells, command substitution,
//! redirections, here-docs, traps, `wait`, background jobs, `read` from pipes, globbing, `printf`) run by the
//! corpus's bash-static under elfrun and under qemu-aarch64-static: stdout and exit status must be identical.
//!
//! Every script runs with a cleared environment (`PATH=/usr/bin:/bin`, `LC_ALL=C`, `TZ=UTC`, `TMPDIR` a fresh
//! directory, which is also the working directory), stdin from /dev/null, stdout and stderr on pipes. The scripts
//! only exec host programs by absolute path or from PATH (x86-64 binaries, which both run natively), never an
//! AArch64 program (plain qemu-user cannot exec one).
//!
//! Knobs: `ELFRUN_BASH_SCRIPTS=traps,wait` runs only those scripts; `ELFRUN_BASH_ARGS="--tier aot"` passes
//! options to elfrun (before the program), e.g. to run the suite on the AOT tier after `elfrun build`.

mod common;

use std::io::Read;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Far above what any script needs (the slowest takes a few seconds under the debug interpreter); a script that
/// hangs is killed with its process group and reported.
const TIMEOUT: Duration = Duration::from_secs(180);

fn manifest_dir() -> PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into())
}

/// The scripts, by name, sorted; `ELFRUN_BASH_SCRIPTS` (comma-separated names without `.sh`) selects some.
fn scripts() -> Vec<PathBuf> {
    let dir = manifest_dir().join("tests/bash");
    let mut all: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "sh"))
        .collect();
    all.sort();
    if let Ok(only) = std::env::var("ELFRUN_BASH_SCRIPTS") {
        let want: Vec<&str> = only.split(',').map(str::trim).collect();
        all.retain(|p| want.contains(&name(p)));
        assert_eq!(
            all.len(),
            want.len(),
            "ELFRUN_BASH_SCRIPTS={only}: unknown script"
        );
    }
    all
}

fn name(p: &Path) -> &str {
    p.file_stem().unwrap().to_str().unwrap()
}

#[derive(Debug)]
struct Run {
    stdout: Vec<u8>,
    stderr: Vec<u8>,
    status: i32,
    /// Why the run did not end normally (timeout, output left open by a leftover process).
    trouble: Option<String>,
}

fn drain(mut r: impl Read + Send + 'static) -> mpsc::Receiver<Vec<u8>> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = r.read_to_end(&mut buf);
        let _ = tx.send(buf);
    });
    rx
}

/// Runs `cmd` in its own process group with a deadline; on timeout the whole group is killed.
fn run(mut cmd: Command, tmpdir: &Path, env: &[(&str, std::ffi::OsString)]) -> Run {
    let _ = std::fs::remove_dir_all(tmpdir);
    std::fs::create_dir_all(tmpdir).unwrap();
    cmd.env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("LC_ALL", "C")
        .env("TZ", "UTC")
        .env("TMPDIR", tmpdir)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .current_dir(tmpdir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    let mut child = cmd.spawn().unwrap_or_else(|e| {
        panic!("{cmd:?}: {e} (qemu-aarch64-static: scripts/setup-test-deps.sh)")
    });
    let out = drain(child.stdout.take().unwrap());
    let err = drain(child.stderr.take().unwrap());
    let start = Instant::now();
    let mut trouble = None;
    let status = loop {
        if let Some(st) = child.try_wait().unwrap() {
            break st;
        }
        if start.elapsed() > TIMEOUT {
            trouble = Some(format!("timed out after {TIMEOUT:?}"));
            // SAFETY: kill(2) on the process group this function created.
            unsafe { libc::kill(-(child.id() as i32), libc::SIGKILL) };
            break child.wait().unwrap();
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut collect = |rx: mpsc::Receiver<Vec<u8>>| {
        rx.recv_timeout(Duration::from_secs(30))
            .unwrap_or_else(|_| {
                trouble.get_or_insert_with(|| "a leftover process kept the output open".into());
                Vec::new()
            })
    };
    let stdout = collect(out);
    let stderr = collect(err);
    // Whatever is left of the group (a hung background job) goes too.
    // SAFETY: as above; ESRCH when the group is gone.
    unsafe { libc::kill(-(child.id() as i32), libc::SIGKILL) };
    let _ = std::fs::remove_dir_all(tmpdir);
    Run {
        stdout,
        stderr,
        status: common::status(&std::process::Output {
            status,
            stdout: Vec::new(),
            stderr: Vec::new(),
        }),
        trouble,
    }
}

/// The first line where `a` and `b` differ, for the report.
fn first_difference(a: &str, b: &str) -> String {
    let (mut la, mut lb) = (a.lines(), b.lines());
    for n in 1.. {
        match (la.next(), lb.next()) {
            (None, None) => return "(same lines; the final newline differs)".into(),
            (x, y) if x == y => {}
            (x, y) => return format!("line {n}:\n    qemu:   {x:?}\n    elfrun: {y:?}"),
        }
    }
    unreachable!()
}

#[test]
fn bash_script_suite_same_as_qemu() {
    let bash = common::corpus("bash-static");
    let scripts = scripts();
    assert!(
        std::env::var_os("ELFRUN_BASH_SCRIPTS").is_some() || scripts.len() >= 12,
        "the suite lost scripts: {scripts:?}"
    );
    let extra: Vec<String> = std::env::var("ELFRUN_BASH_ARGS")
        .map(|s| s.split_whitespace().map(str::to_owned).collect())
        .unwrap_or_default();
    let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("bash_suite.{}", std::process::id()));
    let home: Vec<(&str, std::ffi::OsString)> = std::env::var_os("HOME")
        .map(|h| ("HOME", h))
        .into_iter()
        .collect();
    let mut failures = Vec::new();
    for script in &scripts {
        let n = name(script);
        let (ours, theirs) = std::thread::scope(|s| {
            let ours = s.spawn(|| {
                let mut c = Command::new(env!("CARGO_BIN_EXE_elfrun"));
                // elfrun itself finds its profiles, bundles and artifacts under $HOME/.cache; the guest
                // does not get HOME (qemu's guest has none either).
                c.args(&extra).args(["-U", "HOME"]).arg(&bash).arg(script);
                run(c, &tmp.join(format!("{n}.elfrun")), &home)
            });
            let theirs = s.spawn(|| {
                let mut c = Command::new("qemu-aarch64-static");
                c.arg(&bash).arg(script);
                run(c, &tmp.join(format!("{n}.qemu")), &[])
            });
            (ours.join().unwrap(), theirs.join().unwrap())
        });
        // The reference itself must have worked, or the comparison means nothing.
        assert!(
            theirs.trouble.is_none(),
            "{n}: qemu run: {:?}",
            theirs.trouble
        );
        assert!(
            !theirs.stdout.is_empty(),
            "{n}: qemu printed nothing: {theirs:?}"
        );
        let (so, st) = (
            String::from_utf8_lossy(&ours.stdout),
            String::from_utf8_lossy(&theirs.stdout),
        );
        let mut why = Vec::new();
        if let Some(t) = &ours.trouble {
            why.push(t.clone());
        }
        if so != st {
            why.push(format!("stdout differs at {}", first_difference(&st, &so)));
        }
        if ours.status != theirs.status {
            why.push(format!(
                "exit status: qemu {}, elfrun {}",
                theirs.status, ours.status
            ));
        }
        let err = String::from_utf8_lossy(&ours.stderr);
        if err.contains("panicked") {
            why.push("elfrun panicked".into());
        }
        eprintln!("{n}: {}", if why.is_empty() { "same" } else { "DIFFERENT" });
        if !why.is_empty() {
            failures.push(format!(
                "{n}.sh: {}\n  elfrun stderr:\n{err}",
                why.join("\n  ")
            ));
        }
    }
    let _ = std::fs::remove_dir_all(&tmp);
    assert!(
        failures.is_empty(),
        "{} of {} scripts differ from qemu (elfrun options {extra:?}):\n{}",
        failures.len(),
        scripts.len(),
        failures.join("\n")
    );
}
