//! The measurement loop: build every program, then run each under every runner in alternating rounds,
//! verify each runner's first output against the references, and collect the timings.
//!
//! Runners, in the order they run within a round (references first):
//! - `native`: the x86-64 build, the speed and checksum reference;
//! - `wasm`: the wasm32-wasi build in wasmer with elfrun's own engine (`wasi-run`, compiled ahead like elfrun's
//!   bundles), the from-source Wasm reference;
//! - `wasm-v8`: the same build under Node's WASI (V8, optimising tier only), another engine's view of it;
//! - `qemu`: the AArch64 build under qemu-aarch64, the emulator to beat and the bit-exact reference;
//! - `elfrun`: the AArch64 build under `elfrun run`.
//!
//! A runner whose output does not verify is reported and never timed; a missing tool skips its runner.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::measure;
use crate::programs::{self, Program, Target};
use crate::report::Row;
use crate::verify::{self, Signature, Verdict};

/// Which way a program is run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunnerKind {
    Native,
    /// The wasm32-wasi build in wasmer with elfrun's engine (`wasi-run`).
    Wasm,
    /// The wasm32-wasi build under Node.js (V8).
    WasmV8,
    Qemu,
    /// elfrun's interpreter (`--tier interp`).
    Elfrun,
    /// elfrun's interpreter recording a profile (`--record`): its cost over `Elfrun` is the recording overhead.
    ElfrunRecord,
    /// elfrun's AOT tier: one `--record` run and `elfrun build` first (not timed), then `--tier aot`.
    ElfrunAot,
}

impl RunnerKind {
    pub const ALL: [RunnerKind; 7] = [
        RunnerKind::Native,
        RunnerKind::Wasm,
        RunnerKind::WasmV8,
        RunnerKind::Qemu,
        RunnerKind::Elfrun,
        RunnerKind::ElfrunRecord,
        RunnerKind::ElfrunAot,
    ];

    /// The runners measured when none are named (recording overhead is asked for explicitly).
    pub const DEFAULT: [RunnerKind; 6] = [
        RunnerKind::Native,
        RunnerKind::Wasm,
        RunnerKind::WasmV8,
        RunnerKind::Qemu,
        RunnerKind::Elfrun,
        RunnerKind::ElfrunAot,
    ];

    pub fn name(self) -> &'static str {
        match self {
            RunnerKind::Native => "native",
            RunnerKind::Wasm => "wasm",
            RunnerKind::WasmV8 => "wasm-v8",
            RunnerKind::Qemu => "qemu",
            RunnerKind::Elfrun => "elfrun",
            RunnerKind::ElfrunRecord => "elfrun-record",
            RunnerKind::ElfrunAot => "elfrun-aot",
        }
    }

    pub fn target(self) -> Target {
        match self {
            RunnerKind::Native => Target::Native,
            RunnerKind::Wasm | RunnerKind::WasmV8 => Target::Wasm32Wasi,
            RunnerKind::Qemu
            | RunnerKind::Elfrun
            | RunnerKind::ElfrunRecord
            | RunnerKind::ElfrunAot => Target::Aarch64,
        }
    }

    pub fn from_name(name: &str) -> Option<RunnerKind> {
        RunnerKind::ALL.into_iter().find(|r| r.name() == name)
    }
}

/// Everything the harness needs to know.
#[derive(Clone, Debug)]
pub struct Config {
    pub programs: Vec<&'static Program>,
    pub runners: Vec<RunnerKind>,
    pub rounds: usize,
    /// Passed to every program as argv[1].
    pub scale: String,
    pub build_dir: PathBuf,
    pub elfrun: PathBuf,
    pub qemu: PathBuf,
    pub node: PathBuf,
    /// The wasm runner (`wasi-run`, built with elfrun-bench).
    pub wasi_run: PathBuf,
    /// The corpus directory (`root/bin/busybox` for the real-program workload).
    pub corpus: PathBuf,
    pub timeout: Duration,
}

/// Finds `cmd` on PATH (or checks it, if it contains a slash).
pub fn which(cmd: &Path) -> Option<PathBuf> {
    if cmd.components().count() > 1 {
        return cmd.is_file().then(|| cmd.to_path_buf());
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(cmd))
        .find(|p| p.is_file())
}

/// The command line that runs `exe` with `args` under `kind`, or why it cannot run here.
fn command(
    cfg: &Config,
    kind: RunnerKind,
    exe: &Path,
    args: &[String],
) -> Result<(PathBuf, Vec<String>), String> {
    let exe_s = exe.display().to_string();
    let tool = |p: &Path, hint: &str| {
        which(p).ok_or_else(|| format!("skipped: {} not found ({hint})", p.display()))
    };
    let elfrun = || {
        tool(
            &cfg.elfrun,
            "`cargo build --release -p elfrun`, or --elfrun PATH",
        )
    };
    // Each runner's command and what goes before the program's own arguments.
    let (cmd, mut argv): (PathBuf, Vec<String>) = match kind {
        RunnerKind::Native => (exe.to_path_buf(), Vec::new()),
        RunnerKind::Wasm => {
            let run = tool(
                &cfg.wasi_run,
                "`cargo build --release -p elfrun-bench` builds it next to elfrun-bench",
            )?;
            // Compiled (and cached beside the module) before the timed runs, as `elfrun build` does for bundles.
            let out = std::process::Command::new(&run)
                .args(["--compile".as_ref(), exe.as_os_str()])
                .output()
                .map_err(|e| format!("running {}: {e}", run.display()))?;
            if !out.status.success() {
                return Err(format!(
                    "wasi-run --compile failed: {}",
                    last_lines(&String::from_utf8_lossy(&out.stderr), 3)
                ));
            }
            (run, vec![exe_s])
        }
        RunnerKind::WasmV8 => {
            let script = crate::programs::manifest_dir().join("runners/wasi-run.mjs");
            (
                tool(&cfg.node, "Node.js runs the Wasm builds; --node PATH")?,
                vec![
                    "--no-warnings".into(),
                    // Straight to TurboFan: V8 never tiers up a long-running Wasm function that is called
                    // once (no OSR), so by default main's loops would stay in the Liftoff baseline.
                    "--no-liftoff".into(),
                    script.display().to_string(),
                    exe_s,
                ],
            )
        }
        RunnerKind::Qemu => (tool(&cfg.qemu, "--qemu PATH")?, vec![exe_s]),
        RunnerKind::Elfrun => (
            elfrun()?,
            vec!["run".into(), "--tier".into(), "interp".into(), exe_s],
        ),
        RunnerKind::ElfrunRecord => {
            let stem = exe
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            let profile = cfg.build_dir.join(format!("{stem}.record-bench.profile"));
            (
                elfrun()?,
                vec![
                    "run".into(),
                    "--tier".into(),
                    "interp".into(),
                    "--record".into(),
                    "--profile".into(),
                    profile.display().to_string(),
                    exe_s,
                ],
            )
        }
        RunnerKind::ElfrunAot => {
            let elfrun = elfrun()?;
            let bundle = prepare_aot(cfg, &elfrun, exe, args)?;
            (
                elfrun,
                vec![
                    "run".into(),
                    "--tier".into(),
                    "aot".into(),
                    "--bundle".into(),
                    bundle.display().to_string(),
                    exe_s,
                ],
            )
        }
    };
    argv.extend_from_slice(args);
    Ok((cmd, argv))
}

/// The AOT runner's preparation (not timed): record a profile of the program with the benchmark's arguments,
/// build its bundle from it. Returns the bundle's path.
fn prepare_aot(
    cfg: &Config,
    elfrun: &Path,
    exe: &Path,
    args: &[String],
) -> Result<PathBuf, String> {
    let stem = exe
        .file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned();
    let profile = cfg.build_dir.join(format!("{stem}.profile"));
    let bundle = cfg.build_dir.join(format!("{stem}.bundle"));
    let _ = std::fs::remove_file(&profile);
    let run = |args: &[&std::ffi::OsStr]| -> Result<(), String> {
        let out = std::process::Command::new(elfrun)
            .args(args)
            .output()
            .map_err(|e| format!("running {}: {e}", elfrun.display()))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "elfrun {:?} failed: {}",
                args,
                last_lines(&String::from_utf8_lossy(&out.stderr), 3)
            ))
        }
    };
    let record: Vec<&std::ffi::OsStr> = [
        "--record".as_ref(),
        "--profile".as_ref(),
        profile.as_os_str(),
        exe.as_os_str(),
    ]
    .into_iter()
    .chain(args.iter().map(|a| a.as_ref()))
    .collect();
    run(&record)?;
    run(&[
        "build".as_ref(),
        "-q".as_ref(),
        "--profile".as_ref(),
        profile.as_os_str(),
        "-o".as_ref(),
        bundle.as_os_str(),
        exe.as_os_str(),
    ])?;
    Ok(bundle)
}

/// A runner taking part in one program's rounds.
struct Active {
    kind: RunnerKind,
    cmd: PathBuf,
    args: Vec<String>,
    row: Row,
    /// Still being timed.
    live: bool,
}

/// Runs one program under every configured runner and returns one row per runner.
pub fn measure_program(cfg: &Config, program: &Program) -> Vec<Row> {
    let mut runners: Vec<Active> = Vec::new();
    let mut rows_done: Vec<Row> = Vec::new();
    for &kind in &cfg.runners {
        let mut row = Row {
            program: program.name.into(),
            runner: kind.name().into(),
            times: Vec::new(),
            cpu_times: Vec::new(),
            peak_rss_kib: 0,
            status: "ok".into(),
        };
        let prepared = programs::prepare(
            &cfg.build_dir,
            &cfg.corpus,
            program,
            kind.target(),
            &cfg.scale,
        )
        .map_err(|e| format!("skipped: {}", e.lines().next().unwrap_or("")))
        .and_then(|(exe, args)| command(cfg, kind, &exe, &args));
        match prepared {
            Ok((cmd, args)) => runners.push(Active {
                kind,
                cmd,
                args,
                row,
                live: true,
            }),
            Err(why) => {
                eprintln!("{}: {}: {why}", program.name, kind.name());
                row.status = why;
                rows_done.push(row);
            }
        }
    }

    let scratch = cfg.build_dir.join("runs");
    // Known without a run for the busybox workload; otherwise native's run sets it.
    let mut checksum_ref = if runners.is_empty() {
        None
    } else {
        programs::reference_checksum(&cfg.build_dir, program, &cfg.scale).unwrap_or_else(|e| {
            eprintln!("{}: no reference checksum: {e}", program.name);
            None
        })
    };
    let mut exact_refs: Vec<(Target, Signature)> = Vec::new();
    for round in 0..cfg.rounds {
        for a in runners.iter_mut().filter(|a| a.live) {
            let run = match measure::run(&a.cmd, &a.args, &scratch, cfg.timeout) {
                Ok(mut r) => {
                    r.stdout = programs::checksum_output(program, &r.stdout);
                    r
                }
                Err(e) => {
                    a.row.status = format!("FAILED (cannot run {}: {e})", a.cmd.display());
                    a.live = false;
                    continue;
                }
            };
            let verdict = if round == 0 {
                let exact_ref = exact_refs
                    .iter()
                    .find(|(t, _)| *t == a.kind.target())
                    .map(|(_, s)| s);
                let v = verify::judge(program.name, &run, checksum_ref.as_deref(), exact_ref);
                if v.is_ok() {
                    let sig = verify::signature(program.name, &run.stdout);
                    if a.kind == RunnerKind::Native {
                        checksum_ref = sig.checksum.clone();
                    } else if checksum_ref.is_none() {
                        a.row.status = "ok (no native reference)".into();
                    }
                    if exact_ref.is_none() {
                        exact_refs.push((a.kind.target(), sig));
                    }
                }
                v
            } else if run.status.success() {
                Verdict::Ok
            } else {
                Verdict::Failed {
                    why: format!("{} in round {}", run.status, round + 1),
                }
            };
            if !verdict.is_ok() {
                eprintln!(
                    "\n*** {}: {}: {verdict}\n*** stdout:\n{}*** stderr (last lines):\n{}",
                    program.name,
                    a.kind.name(),
                    run.stdout,
                    last_lines(&run.stderr, 10)
                );
                a.row.status = verdict.to_string();
                a.row.times.clear();
                a.row.cpu_times.clear();
                a.live = false;
                continue;
            }
            let secs = run.wall.as_secs_f64();
            eprintln!(
                "{}: round {}/{}: {} {secs:.3}s (cpu {:.3}s), {} KiB",
                program.name,
                round + 1,
                cfg.rounds,
                a.kind.name(),
                run.cpu.as_secs_f64(),
                run.peak_rss_kib
            );
            a.row.times.push(secs);
            a.row.cpu_times.push(run.cpu.as_secs_f64());
            a.row.peak_rss_kib = a.row.peak_rss_kib.max(run.peak_rss_kib);
        }
    }
    let mut rows: Vec<Row> = runners
        .into_iter()
        .map(|a| a.row)
        .chain(rows_done)
        .collect();
    rows.sort_by_key(|r| {
        cfg.runners
            .iter()
            .position(|k| k.name() == r.runner)
            .unwrap_or(usize::MAX)
    });
    rows
}

fn last_lines(s: &str, n: usize) -> String {
    let lines: Vec<&str> = s.lines().collect();
    let mut out = lines[lines.len().saturating_sub(n)..].join("\n");
    out.push('\n');
    out
}

/// Measures every configured program.
pub fn measure_all(cfg: &Config) -> Vec<Row> {
    cfg.programs
        .iter()
        .flat_map(|p| measure_program(cfg, p))
        .collect()
}
