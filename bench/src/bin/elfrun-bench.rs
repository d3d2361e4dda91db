//! `elfrun-bench`: builds the benchmark programs and compares native, Wasm, qemu-aarch64 and elfrun (interpreter
//! and AOT tier).
//! Prints a markdown table on stdout, progress on stderr, and writes CSV. Exits 1 if any runner's output
//! failed verification (skipped runners do not count).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use elfrun_bench::harness::{self, Config, RunnerKind};
use elfrun_bench::{programs, report};

const USAGE: &str = "\
usage: elfrun-bench [options]

Builds bench/programs/*.c for aarch64 (static), x86-64 and wasm32-wasi, runs each under native, wasm
(Node WASI), qemu-aarch64 and `elfrun run` in alternating rounds, verifies every checksum against
native's, and prints a markdown table of median wall times.

options:
  --only NAME[,NAME]     only these programs (primes, mlp, linpack, intmix, memstr); repeatable
  --runners R[,R]        runners: native, wasm, qemu, elfrun, elfrun-record, elfrun-aot (default: all but
                         elfrun-record, which measures the recording overhead against elfrun)
  --rounds N             timed runs per runner and program (default 5); the first also verifies
  --scale S              work scale passed to every program as argv[1] (default 1 = ~1 s natively)
  --by wall|cpu          base % of native and speed vs qemu on median wall (default) or CPU time
  --csv FILE             write CSV here (default <build-dir>/results.csv)
  --elfrun PATH          elfrun binary (default $ELFRUN, else target/release/elfrun)
  --qemu PATH            qemu-aarch64 binary (default qemu-aarch64-static)
  --node PATH            Node.js for the wasm runner (default node)
  --build-dir DIR        build outputs (default $CARGO_TARGET_DIR/elfrun-bench or target/elfrun-bench)
  --timeout SECS         kill a run after this long (default 600)
  -h, --help             this text
";

fn default_elfrun() -> PathBuf {
    if let Some(p) = std::env::var_os("ELFRUN") {
        return p.into();
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| elfrun_bench::programs::manifest_dir().join("../target"));
    target.join("release/elfrun")
}

fn parse(args: &[String]) -> Result<(Config, PathBuf, report::Basis), String> {
    let mut cfg = Config {
        programs: programs::PROGRAMS.iter().collect(),
        runners: RunnerKind::DEFAULT.to_vec(),
        rounds: 5,
        scale: "1".into(),
        build_dir: programs::default_build_dir(),
        elfrun: default_elfrun(),
        qemu: "qemu-aarch64-static".into(),
        node: "node".into(),
        timeout: Duration::from_secs(600),
    };
    let mut only: Vec<&'static programs::Program> = Vec::new();
    let mut csv = None;
    let mut basis = report::Basis::Wall;
    let mut it = args.iter();
    while let Some(opt) = it.next() {
        if opt == "-h" || opt == "--help" {
            return Err(String::new());
        }
        let mut value = || {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{opt} needs a value"))
        };
        match opt.as_str() {
            "--only" => {
                for name in value()?.split(',') {
                    only.push(programs::find(name).ok_or_else(|| {
                        format!("unknown program `{name}` (see --help for the list)")
                    })?);
                }
            }
            "--runners" => {
                cfg.runners = value()?
                    .split(',')
                    .map(|n| {
                        RunnerKind::from_name(n).ok_or_else(|| format!("unknown runner `{n}`"))
                    })
                    .collect::<Result<_, _>>()?;
                // Keep the reference order whatever order was given.
                cfg.runners
                    .sort_by_key(|r| RunnerKind::ALL.iter().position(|k| k == r));
                cfg.runners.dedup();
            }
            "--rounds" => {
                cfg.rounds = value()?
                    .parse()
                    .ok()
                    .filter(|&n| n > 0)
                    .ok_or("--rounds needs a positive integer")?;
            }
            "--scale" => {
                let s = value()?;
                match s.parse::<f64>() {
                    Ok(v) if v > 0.0 && v.is_finite() => cfg.scale = s,
                    _ => return Err("--scale needs a positive number".into()),
                }
            }
            "--by" => {
                basis = match value()?.as_str() {
                    "wall" => report::Basis::Wall,
                    "cpu" => report::Basis::Cpu,
                    _ => return Err("--by needs `wall` or `cpu`".into()),
                }
            }
            "--csv" => csv = Some(PathBuf::from(value()?)),
            "--elfrun" => cfg.elfrun = value()?.into(),
            "--qemu" => cfg.qemu = value()?.into(),
            "--node" => cfg.node = value()?.into(),
            "--build-dir" => cfg.build_dir = value()?.into(),
            "--timeout" => {
                let secs: f64 = value()?
                    .parse()
                    .ok()
                    .filter(|&s: &f64| s > 0.0 && s.is_finite())
                    .ok_or("--timeout needs a positive number of seconds")?;
                cfg.timeout = Duration::from_secs_f64(secs);
            }
            _ => return Err(format!("unknown option `{opt}`")),
        }
    }
    if !only.is_empty() {
        only.dedup();
        cfg.programs = only;
    }
    let csv = csv.unwrap_or_else(|| cfg.build_dir.join("results.csv"));
    Ok((cfg, csv, basis))
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (cfg, csv_path, basis) = match parse(&args) {
        Ok(c) => c,
        Err(msg) if msg.is_empty() => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(msg) => {
            eprintln!("elfrun-bench: {msg}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let rows = harness::measure_all(&cfg);
    println!(
        "{} round(s) at scale {}; % of native = native time / time, speed vs qemu = qemu time / time, on median {} time.\n",
        cfg.rounds,
        cfg.scale,
        match basis {
            report::Basis::Wall => "wall",
            report::Basis::Cpu => "CPU",
        }
    );
    print!("{}", report::markdown(&rows, basis));
    if let Some(dir) = csv_path.parent().filter(|d| !d.as_os_str().is_empty())
        && let Err(e) = std::fs::create_dir_all(dir)
    {
        eprintln!("elfrun-bench: cannot create {}: {e}", dir.display());
    }
    match std::fs::write(&csv_path, report::csv(&rows, basis)) {
        Ok(()) => eprintln!("CSV written to {}", csv_path.display()),
        Err(e) => eprintln!("elfrun-bench: cannot write {}: {e}", csv_path.display()),
    }
    let bad = rows
        .iter()
        .filter(|r| {
            r.status != "ok" && !r.status.starts_with("ok ") && !r.status.starts_with("skipped")
        })
        .count();
    if bad > 0 {
        eprintln!(
            "elfrun-bench: {bad} runner result(s) failed verification (see the status column)"
        );
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
