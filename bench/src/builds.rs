//! The build-and-load benchmark (`elfrun-bench --builds`): how long `elfrun build` takes, how large the bundle
//! and its compiled artifact are, and how long a run takes to load them.
//!
//! Subjects: the AArch64 benchmark programs and, when present, the corpus binaries `busybox` and `bash-static`.
//! Each is built with both scopes: `--scope all` without a profile (static discovery only) and the default
//! `--scope profiled` from a profile recorded once on a representative run. Every build runs with a fresh
//! private `XDG_CACHE_HOME` (nothing shared with the user's cache or between rounds: `elfrun build` compiles
//! the module into `$XDG_CACHE_HOME/elfrun/artifacts/` every time). The load time is `bundle_load_ms` from
//! `elfrun run --tier aot --stats-file F` on a trivially short invocation, with the artifact the last build
//! left in the cache.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::measure::{self, Run};
use crate::programs::{self, Program, Target};
use crate::report::Stats;

/// What `elfrun build` lifts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// `--scope all`, no profile: everything static discovery finds.
    All,
    /// `--scope profiled` (the default with a profile): the functions a recorded run executed.
    Profiled,
}

impl Scope {
    pub const BOTH: [Scope; 2] = [Scope::All, Scope::Profiled];

    pub fn name(self) -> &'static str {
        match self {
            Scope::All => "all",
            Scope::Profiled => "profiled",
        }
    }
}

/// A program to build: where it is and how it is run for the profile and for the load measurement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Subject {
    pub name: String,
    pub exe: PathBuf,
    /// Arguments of the representative run recorded for the profiled build.
    pub record_args: Vec<String>,
    /// Arguments of the trivially short run whose bundle load time is measured.
    pub load_args: Vec<String>,
}

/// The corpus binaries measured when present: name, path under the corpus directory.
pub const CORPUS: [(&str, &str); 2] = [
    ("busybox", "root/bin/busybox"),
    ("bash-static", "root/bin/bash-static"),
];

/// The default corpus directory: `$ELFRUN_CORPUS`, else `~/.cache/elfrun-corpus`.
pub fn default_corpus() -> PathBuf {
    if let Some(p) = std::env::var_os("ELFRUN_CORPUS") {
        return p.into();
    }
    std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_else(std::env::temp_dir)
        .join(".cache/elfrun-corpus")
}

/// A benchmark program as a subject: recorded at `scale`, loaded at a tiny scale.
pub fn bench_subject(build_dir: &Path, program: &Program, scale: &str) -> Result<Subject, String> {
    let exe = programs::build(build_dir, program, Target::Aarch64)?;
    Ok(Subject {
        name: program.name.into(),
        exe,
        record_args: vec![scale.into()],
        load_args: vec!["0.0001".into()],
    })
}

/// A corpus binary as a subject, if it is in `corpus`.
pub fn corpus_subject(corpus: &Path, name: &str) -> Option<Subject> {
    let rel = CORPUS.iter().find(|(n, _)| *n == name)?.1;
    let exe = corpus.join(rel);
    if !exe.is_file() {
        return None;
    }
    let (record_args, load_args) = if name == "busybox" {
        let bb = exe.display().to_string();
        (
            vec![
                "sh".into(),
                "-c".into(),
                format!(
                    "echo hi | {bb} md5sum; {bb} ls / >/dev/null; {bb} sort /etc/passwd >/dev/null"
                ),
            ],
            vec!["true".into()],
        )
    } else {
        (
            vec!["-c".into(), "for i in 1 2 3; do echo $i; done".into()],
            vec!["-c".into(), "true".into()],
        )
    };
    Some(Subject {
        name: name.into(),
        exe,
        record_args,
        load_args,
    })
}

/// One subject built with one scope.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BuildRow {
    pub program: String,
    pub scope: String,
    /// `elfrun build` wall and user+system CPU times, seconds, per round.
    pub build_times: Vec<f64>,
    pub build_cpu_times: Vec<f64>,
    /// Lifting and compiling times from `elfrun build`'s summary line, ms, per round.
    pub lift_ms: Vec<f64>,
    pub compile_ms: Vec<f64>,
    /// Largest peak RSS of `elfrun build` over the rounds, KiB.
    pub peak_rss_kib: u64,
    /// Lifted functions, and the share of their instructions translated to Wasm (the rest falls back).
    pub functions: Option<u64>,
    pub lifted_pct: Option<f64>,
    /// Size of the bundle's Wasm module and of the whole bundle file, bytes.
    pub wasm_bytes: Option<u64>,
    pub bundle_bytes: Option<u64>,
    /// Size of the compiled artifact(s) under `$XDG_CACHE_HOME/elfrun/artifacts/`, bytes.
    pub artifact_bytes: Option<u64>,
    /// `bundle_load_ms` of the load runs.
    pub load_ms: Vec<f64>,
    /// "ok", or what failed.
    pub status: String,
}

/// Everything `--builds` needs.
#[derive(Clone, Debug)]
pub struct BuildConfig {
    pub subjects: Vec<Subject>,
    pub rounds: usize,
    pub load_runs: usize,
    pub build_dir: PathBuf,
    pub elfrun: PathBuf,
    pub timeout: Duration,
}

/// Lifting and compiling times (ms) from `elfrun build`'s summary line
/// (`…; lifting 123 ms, compiling 456 ms`).
pub fn parse_summary_times(stderr: &str) -> Option<(f64, f64)> {
    let line = stderr
        .lines()
        .rev()
        .find(|l| l.starts_with("elfrun: built "))?;
    let num_after = |key: &str| -> Option<f64> {
        let i = line.rfind(key)? + key.len();
        line[i..].split_whitespace().next()?.parse().ok()
    };
    Some((num_after("; lifting ")?, num_after(", compiling ")?))
}

/// A number field of a flat JSON object (`"key": 1.5`), as `elfrun run --stats-file` writes it.
pub fn json_number(json: &str, key: &str) -> Option<f64> {
    let i = json.find(&format!("\"{key}\""))? + key.len() + 2;
    let rest = json[i..].trim_start().strip_prefix(':')?.trim_start();
    let end = rest
        .find(|c: char| !(c.is_ascii_digit() || "+-.eE".contains(c)))
        .unwrap_or(rest.len());
    rest[..end].parse().ok()
}

/// A string field of a flat JSON object (no escapes expected).
pub fn json_string<'a>(json: &'a str, key: &str) -> Option<&'a str> {
    let i = json.find(&format!("\"{key}\""))? + key.len() + 2;
    let rest = json[i..].trim_start().strip_prefix(':')?.trim_start();
    let rest = rest.strip_prefix('"')?;
    Some(&rest[..rest.find('"')?])
}

/// Total size of the regular files under `dir` (recursively); 0 if it does not exist.
pub fn dir_size(dir: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| match e.file_type() {
            Ok(t) if t.is_dir() => dir_size(&e.path()),
            Ok(t) if t.is_file() => e.metadata().map_or(0, |m| m.len()),
            _ => 0,
        })
        .sum()
}

fn last_line(s: &str) -> &str {
    s.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("")
}

/// Runs elfrun with `XDG_CACHE_HOME=cache`; a failure to start or a nonzero exit is an error message.
fn elfrun(cfg: &BuildConfig, cache: &Path, args: &[String], what: &str) -> Result<Run, String> {
    let scratch = cfg.build_dir.join("runs");
    let run = measure::run_env(
        &cfg.elfrun,
        args,
        &[("XDG_CACHE_HOME", cache.as_os_str())],
        &scratch,
        cfg.timeout,
    )
    .map_err(|e| format!("FAILED (cannot run {}: {e})", cfg.elfrun.display()))?;
    if run.status.success() {
        Ok(run)
    } else {
        Err(format!(
            "FAILED ({what}: {}: {})",
            run.status,
            last_line(&run.stderr)
        ))
    }
}

/// A fresh, empty directory.
fn fresh_dir(dir: &Path) -> Result<(), String> {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir)
        .map_err(|e| format!("FAILED (cannot create {}: {e})", dir.display()))
}

/// Records `subject`'s profile on its representative run. Returns the profile's path.
fn record(cfg: &BuildConfig, subject: &Subject, work: &Path) -> Result<PathBuf, String> {
    let cache = work.join("record-cache");
    fresh_dir(&cache)?;
    let profile = work.join(format!("{}.profile", subject.name));
    let _ = std::fs::remove_file(&profile);
    let mut args = vec![
        "--record".to_string(),
        "--profile".into(),
        profile.display().to_string(),
        subject.exe.display().to_string(),
    ];
    args.extend(subject.record_args.iter().cloned());
    elfrun(cfg, &cache, &args, "recording the profile")?;
    if !profile.is_file() {
        return Err("FAILED (recording wrote no profile)".into());
    }
    Ok(profile)
}

/// Builds `subject` with `scope` `cfg.rounds` times, then measures loading the last bundle.
fn measure_scope(
    cfg: &BuildConfig,
    subject: &Subject,
    scope: Scope,
    profile: Option<&Path>,
    work: &Path,
) -> BuildRow {
    let mut row = BuildRow {
        program: subject.name.clone(),
        scope: scope.name().into(),
        status: "ok".into(),
        ..BuildRow::default()
    };
    if let Err(e) = measure_scope_into(cfg, subject, scope, profile, work, &mut row) {
        eprintln!("{} ({}): {e}", subject.name, scope.name());
        row.status = e;
    }
    row
}

fn measure_scope_into(
    cfg: &BuildConfig,
    subject: &Subject,
    scope: Scope,
    profile: Option<&Path>,
    work: &Path,
    row: &mut BuildRow,
) -> Result<(), String> {
    let cache = work.join(format!("{}-cache", scope.name()));
    let bundle = work.join(format!("{}.bundle", scope.name()));
    let mut args = vec!["build".to_string(), "--scope".into(), scope.name().into()];
    if let Some(p) = profile {
        args.extend(["--profile".into(), p.display().to_string()]);
    }
    args.extend([
        "-o".into(),
        bundle.display().to_string(),
        subject.exe.display().to_string(),
    ]);
    for round in 0..cfg.rounds {
        fresh_dir(&cache)?;
        let _ = std::fs::remove_file(&bundle);
        let run = elfrun(cfg, &cache, &args, "elfrun build")?;
        let data = std::fs::read(&bundle)
            .map_err(|e| format!("FAILED (no bundle {}: {e})", bundle.display()))?;
        let b = elfrun_aot::bundle::Bundle::decode(&data)
            .map_err(|e| format!("FAILED (bad bundle: {e})"))?;
        let total = (b.stats.lifted + b.stats.fallback).max(1);
        row.functions = Some(b.stats.functions);
        row.lifted_pct = Some(100.0 * b.stats.lifted as f64 / total as f64);
        row.wasm_bytes = Some(b.wasm.len() as u64);
        row.bundle_bytes = Some(data.len() as u64);
        row.artifact_bytes = Some(dir_size(&cache.join("elfrun/artifacts")));
        if let Some((lift, compile)) = parse_summary_times(&run.stderr) {
            row.lift_ms.push(lift);
            row.compile_ms.push(compile);
        }
        row.build_times.push(run.wall.as_secs_f64());
        row.build_cpu_times.push(run.cpu.as_secs_f64());
        row.peak_rss_kib = row.peak_rss_kib.max(run.peak_rss_kib);
        eprintln!(
            "{} ({}): build {}/{}: {:.2}s (cpu {:.2}s), {} KiB, {} functions, {:.2} MiB of Wasm, {:.2} MiB artifact",
            subject.name,
            scope.name(),
            round + 1,
            cfg.rounds,
            run.wall.as_secs_f64(),
            run.cpu.as_secs_f64(),
            run.peak_rss_kib,
            b.stats.functions,
            b.wasm.len() as f64 / (1 << 20) as f64,
            row.artifact_bytes.unwrap_or(0) as f64 / (1 << 20) as f64,
        );
    }
    if row.artifact_bytes == Some(0) {
        return Err("FAILED (elfrun build left no compiled artifact in the cache)".into());
    }
    let stats = work.join(format!("{}.stats.json", scope.name()));
    let mut args = vec![
        "run".to_string(),
        "--tier".into(),
        "aot".into(),
        "--bundle".into(),
        bundle.display().to_string(),
        "--stats-file".into(),
        stats.display().to_string(),
        subject.exe.display().to_string(),
    ];
    args.extend(subject.load_args.iter().cloned());
    for _ in 0..cfg.load_runs {
        let _ = std::fs::remove_file(&stats);
        elfrun(cfg, &cache, &args, "the load run")?;
        let json = std::fs::read_to_string(&stats)
            .map_err(|e| format!("FAILED (no stats file from the load run: {e})"))?;
        if json_string(&json, "tier") != Some("aot") {
            return Err("FAILED (the load run did not use the bundle)".into());
        }
        let ms = json_number(&json, "bundle_load_ms")
            .ok_or("FAILED (no bundle_load_ms in the stats file)")?;
        if !json.contains("\"artifact_cached\": true") {
            row.status = "ok (artifact was not cached: load includes compiling)".into();
        }
        row.load_ms.push(ms);
    }
    if let Some(s) = Stats::of(&row.load_ms) {
        eprintln!(
            "{} ({}): bundle load {:.2} ms median over {} run(s)",
            subject.name,
            scope.name(),
            s.median,
            row.load_ms.len()
        );
    }
    Ok(())
}

/// Measures every subject with both scopes (the profile recorded first). Two rows per subject.
pub fn measure_all(cfg: &BuildConfig) -> Vec<BuildRow> {
    let mut rows = Vec::new();
    for subject in &cfg.subjects {
        let work = cfg.build_dir.join("builds").join(&subject.name);
        let mut profile = None;
        for scope in Scope::BOTH {
            let row = if scope == Scope::Profiled {
                match profile.get_or_insert_with(|| record(cfg, subject, &work)) {
                    Ok(p) => measure_scope(cfg, subject, scope, Some(p.as_path()), &work),
                    Err(e) => BuildRow {
                        program: subject.name.clone(),
                        scope: scope.name().into(),
                        status: e.clone(),
                        ..BuildRow::default()
                    },
                }
            } else {
                if let Err(e) = fresh_dir(&work) {
                    rows.push(BuildRow {
                        program: subject.name.clone(),
                        scope: scope.name().into(),
                        status: e,
                        ..BuildRow::default()
                    });
                    continue;
                }
                measure_scope(cfg, subject, scope, None, &work)
            };
            rows.push(row);
        }
    }
    rows
}

fn median(v: &[f64]) -> Option<f64> {
    Stats::of(v).map(|s| s.median)
}

fn mib(b: Option<u64>) -> Option<f64> {
    b.map(|b| b as f64 / (1 << 20) as f64)
}

fn cell(v: Option<f64>, f: impl Fn(f64) -> String) -> String {
    v.map(f).unwrap_or_else(|| "–".into())
}

/// The build results as a markdown table.
pub fn markdown(rows: &[BuildRow]) -> String {
    let mut s = String::from(
        "| program | scope | functions | lifted | Wasm MiB | artifact MiB | build s | build CPU s | lift ms | compile ms | build peak RSS MiB | load ms | load spread ms | status |\n\
         |---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n",
    );
    for r in rows {
        let load = Stats::of(&r.load_ms);
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            r.program,
            r.scope,
            cell(r.functions.map(|f| f as f64), |f| format!("{f:.0}")),
            cell(r.lifted_pct, |p| format!("{p:.2}%")),
            cell(mib(r.wasm_bytes), |m| format!("{m:.2}")),
            cell(mib(r.artifact_bytes), |m| format!("{m:.2}")),
            cell(median(&r.build_times), |t| format!("{t:.2}")),
            cell(median(&r.build_cpu_times), |t| format!("{t:.2}")),
            cell(median(&r.lift_ms), |t| format!("{t:.0}")),
            cell(median(&r.compile_ms), |t| format!("{t:.0}")),
            cell(
                (!r.build_times.is_empty()).then_some(r.peak_rss_kib as f64 / 1024.0),
                |m| format!("{m:.0}")
            ),
            cell(load.map(|l| l.median), |t| format!("{t:.1}")),
            cell(load.map(|l| l.min), |_| {
                let l = load.unwrap();
                format!("{:.1}–{:.1}", l.min, l.max)
            }),
            r.status,
        );
    }
    s
}

/// The build results as CSV.
pub fn csv(rows: &[BuildRow]) -> String {
    let mut s = String::from(
        "program,scope,rounds,build_median_s,build_min_s,build_max_s,build_median_cpu_s,lift_median_ms,\
         compile_median_ms,build_peak_rss_kib,functions,lifted_pct,wasm_bytes,bundle_bytes,artifact_bytes,\
         load_runs,load_median_ms,load_min_ms,load_max_ms,status\n",
    );
    let f = |v: Option<f64>| v.map(|v| format!("{v:.6}")).unwrap_or_default();
    let u = |v: Option<u64>| v.map(|v| v.to_string()).unwrap_or_default();
    for r in rows {
        let build = Stats::of(&r.build_times);
        let load = Stats::of(&r.load_ms);
        let _ = writeln!(
            s,
            "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},\"{}\"",
            r.program,
            r.scope,
            r.build_times.len(),
            f(build.map(|b| b.median)),
            f(build.map(|b| b.min)),
            f(build.map(|b| b.max)),
            f(median(&r.build_cpu_times)),
            f(median(&r.lift_ms)),
            f(median(&r.compile_ms)),
            u((!r.build_times.is_empty()).then_some(r.peak_rss_kib)),
            u(r.functions),
            f(r.lifted_pct),
            u(r.wasm_bytes),
            u(r.bundle_bytes),
            u(r.artifact_bytes),
            r.load_ms.len(),
            f(load.map(|l| l.median)),
            f(load.map(|l| l.min)),
            f(load.map(|l| l.max)),
            r.status.replace('"', "'"),
        );
    }
    s
}

/// True when the row's status is a failure (not "ok…").
pub fn failed(row: &BuildRow) -> bool {
    !row.status.starts_with("ok")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_line_times() {
        let err = "warning: something\nelfrun: built /x/b.bundle (1 profile(s), code that ran): 12 functions, 300 \
                   blocks, 2000 instructions (99.50% lifted, 10 left to the interpreter), 0.3 MiB of Wasm; lifting \
                   41 ms, compiling 1234 ms\n";
        assert_eq!(parse_summary_times(err), Some((41.0, 1234.0)));
        assert_eq!(parse_summary_times("elfrun: cannot read x\n"), None);
    }

    #[test]
    fn stats_file_fields() {
        let json = "{\n  \"tier\": \"aot\",\n  \"aot_entries\": 12,\n  \"bundle_load_ms\": 15.25,\n  \
                    \"artifact_cached\": true,\n  \"run_ms\": 1e-3\n}\n";
        assert_eq!(json_string(json, "tier"), Some("aot"));
        assert_eq!(json_number(json, "bundle_load_ms"), Some(15.25));
        assert_eq!(json_number(json, "aot_entries"), Some(12.0));
        assert_eq!(json_number(json, "run_ms"), Some(0.001));
        assert_eq!(json_number(json, "tier"), None);
        assert_eq!(json_number(json, "missing"), None);
    }

    #[test]
    fn sizes_add_up_recursively() {
        let d = std::env::temp_dir().join(format!("elfrun-bench-size-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(d.join("a/b")).unwrap();
        std::fs::write(d.join("x"), [0u8; 100]).unwrap();
        std::fs::write(d.join("a/b/y"), [0u8; 23]).unwrap();
        assert_eq!(dir_size(&d), 123);
        assert_eq!(dir_size(&d.join("nonesuch")), 0);
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn corpus_subjects_only_when_present() {
        let d = std::env::temp_dir().join(format!("elfrun-bench-corpus-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(d.join("root/bin")).unwrap();
        std::fs::write(d.join("root/bin/busybox"), b"x").unwrap();
        let bb = corpus_subject(&d, "busybox").unwrap();
        assert_eq!(bb.load_args, ["true"]);
        assert_eq!(bb.record_args[..2], ["sh", "-c"]);
        assert!(bb.record_args[2].contains(&format!("{} md5sum", bb.exe.display())));
        assert!(corpus_subject(&d, "bash-static").is_none());
        assert!(corpus_subject(&d, "nonesuch").is_none());
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn table_and_csv() {
        let ok = BuildRow {
            program: "busybox".into(),
            scope: "all".into(),
            build_times: vec![30.0, 20.0, 25.0],
            build_cpu_times: vec![50.0, 40.0, 45.0],
            lift_ms: vec![1000.0, 1200.0, 1100.0],
            compile_ms: vec![20000.0, 21000.0, 22000.0],
            peak_rss_kib: 512 * 1024,
            functions: Some(2500),
            lifted_pct: Some(99.25),
            wasm_bytes: Some(3 << 20),
            bundle_bytes: Some((3 << 20) + 1000),
            artifact_bytes: Some(12 << 20),
            load_ms: vec![40.0, 30.0, 50.0],
            status: "ok".into(),
        };
        let bad = BuildRow {
            program: "busybox".into(),
            scope: "profiled".into(),
            status: "FAILED (recording the profile: exit 1: \"x\")".into(),
            ..BuildRow::default()
        };
        let md = markdown(&[ok.clone(), bad.clone()]);
        assert!(
            md.contains("| busybox | all | 2500 | 99.25% | 3.00 | 12.00 | 25.00 | 45.00 | 1100 | 21000 | 512 | 40.0 | 30.0–50.0 | ok |"),
            "{md}"
        );
        assert!(
            md.contains(
                "| busybox | profiled | – | – | – | – | – | – | – | – | – | – | – | FAILED"
            )
        );
        let csv = csv(&[ok.clone(), bad.clone()]);
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines.len(), 3);
        let cols = lines[0].split(',').count();
        assert_eq!(lines[1].split(',').count(), cols);
        assert_eq!(
            lines[1],
            "busybox,all,3,25.000000,20.000000,30.000000,45.000000,1100.000000,21000.000000,524288,2500,\
             99.250000,3145728,3146728,12582912,3,40.000000,30.000000,50.000000,\"ok\""
        );
        assert!(lines[2].starts_with("busybox,profiled,0,,,,,,,,,,,,,0,,,,\"FAILED"));
        assert!(!lines[2].contains("\"x\""));
        assert!(!failed(&ok) && failed(&bad));
    }
}
