//! `elfrun-bench`: builds the benchmark programs and compares native, Wasm, qemu-aarch64 and elfrun (interpreter
//! and AOT tier).
//! Prints a markdown table on stdout, progress on stderr, and writes CSV and an SVG bar chart. Exits 1 if any
//! runner's output failed verification (skipped runners do not count).
//! `--builds` measures `elfrun build` (time, sizes, peak RSS) and bundle loading instead.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use elfrun_bench::builds::{self, BuildConfig};
use elfrun_bench::harness::{self, Config, RunnerKind};
use elfrun_bench::programs::{self, Source};
use elfrun_bench::report;

const USAGE: &str = "\
usage: elfrun-bench [options]

Builds bench/programs/*.c for aarch64 (static), x86-64 and wasm32-wasi, runs each under native, wasm
(wasmer with elfrun's engine, via wasi-run), wasm-v8 (Node WASI), qemu-aarch64 and `elfrun run` in
alternating rounds, verifies every checksum against native's, and prints a markdown table of median wall
times and writes CSV and an SVG bar chart. bb-md5sum is a real program: the corpus's busybox-static (and
Debian's x86-64 busybox as native) running md5sum over a generated file of scale x 512 MiB.
With --builds, measures `elfrun build` and bundle loading instead (see below).

options:
  --only NAME[,NAME]     only these programs (primes, mlp, linpack, intmix, memstr, bb-md5sum; with
                         --builds also busybox, bash-static); repeatable
  --runners R[,R]        runners: native, wasm, wasm-v8, qemu, elfrun, elfrun-record, elfrun-aot (default: all but
                         elfrun-record, which measures the recording overhead against elfrun)
  --rounds N             timed runs per runner and program (default 5; --builds: 3); the first also verifies
  --scale S              work scale passed to every program as argv[1] (default 1 = ~1 s natively)
  --by wall|cpu          base % of native and speed vs qemu on median wall (default) or CPU time
  --csv FILE             write CSV here (default <build-dir>/results.csv; --builds: <build-dir>/builds.csv)
  --svg FILE             write the bar chart (% of native, log scale) here (default <build-dir>/results.svg)
  --elfrun PATH          elfrun binary (default $ELFRUN, else target/release/elfrun)
  --qemu PATH            qemu-aarch64 binary (default qemu-aarch64-static)
  --node PATH            Node.js for the wasm-v8 runner (default node)
  --wasi-run PATH        the wasm runner (default: wasi-run next to this binary)
  --build-dir DIR        build outputs (default $CARGO_TARGET_DIR/elfrun-bench or target/elfrun-bench)
  --timeout SECS         kill a run after this long (default 600)
  --corpus DIR           corpus directory holding root/bin/{busybox,bash-static} (bb-md5sum's AArch64
                         busybox; --builds' corpus subjects), default $ELFRUN_CORPUS, else
                         ~/.cache/elfrun-corpus
  -h, --help             this text

build and load benchmark:
  --builds               for each AArch64 bench program and the corpus binaries busybox and bash-static (when
                         present), time `elfrun build --scope all` (no profile) and `elfrun build` from a
                         profile recorded at --scale (`--scope profiled`), each with a fresh private
                         XDG_CACHE_HOME; report Wasm and compiled artifact sizes, build wall/CPU time and peak
                         RSS, and the median bundle_load_ms of trivially short runs; write <build-dir>/builds.csv
  --load-runs N          load-time runs per bundle (default 5)
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

/// `wasi-run`, built by the same `cargo build` next to this binary.
fn default_wasi_run() -> PathBuf {
    std::env::current_exe()
        .map(|e| e.with_file_name("wasi-run"))
        .unwrap_or_else(|_| "wasi-run".into())
}

/// What the command line asked for.
#[derive(Debug)]
struct Options {
    cfg: Config,
    csv: PathBuf,
    svg: PathBuf,
    basis: report::Basis,
    /// `--builds`: the build and load benchmark instead of the runners.
    builds: Option<BuildConfig>,
}

fn parse(args: &[String]) -> Result<Options, String> {
    let mut cfg = Config {
        programs: programs::PROGRAMS.iter().collect(),
        runners: RunnerKind::DEFAULT.to_vec(),
        rounds: 5,
        scale: "1".into(),
        build_dir: programs::default_build_dir(),
        elfrun: default_elfrun(),
        qemu: "qemu-aarch64-static".into(),
        node: "node".into(),
        wasi_run: default_wasi_run(),
        corpus: builds::default_corpus(),
        timeout: Duration::from_secs(600),
    };
    let mut only: Vec<String> = Vec::new();
    let mut csv = None;
    let mut svg = None;
    let mut rounds = None;
    let mut builds_mode = false;
    let mut load_runs = 5;
    let mut basis = report::Basis::Wall;
    let mut it = args.iter();
    let positive = |v: String, opt: &str| {
        v.parse::<usize>()
            .ok()
            .filter(|&n| n > 0)
            .ok_or_else(|| format!("{opt} needs a positive integer"))
    };
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
            "--only" => only.extend(value()?.split(',').map(String::from)),
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
            "--rounds" => rounds = Some(positive(value()?, opt)?),
            "--load-runs" => load_runs = positive(value()?, opt)?,
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
            "--svg" => svg = Some(PathBuf::from(value()?)),
            "--builds" => builds_mode = true,
            "--corpus" => cfg.corpus = value()?.into(),
            "--elfrun" => cfg.elfrun = value()?.into(),
            "--qemu" => cfg.qemu = value()?.into(),
            "--node" => cfg.node = value()?.into(),
            "--wasi-run" => cfg.wasi_run = value()?.into(),
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
    only.dedup();
    let corpus_names = builds::CORPUS.map(|(n, _)| n);
    for name in &only {
        let corpus_ok = builds_mode && corpus_names.contains(&name.as_str());
        if programs::find(name).is_none() && !corpus_ok {
            return Err(format!(
                "unknown program `{name}` (see --help for the list)"
            ));
        }
    }
    let wanted = |name: &str| only.is_empty() || only.iter().any(|o| o == name);
    cfg.programs.retain(|p| wanted(p.name));
    cfg.rounds = rounds.unwrap_or(if builds_mode { 3 } else { 5 });
    let builds = builds_mode.then(|| {
        let corpus = &cfg.corpus;
        let mut subjects = Vec::new();
        // The busybox workload's binary is a corpus subject of its own here.
        for p in cfg.programs.iter().filter(|p| p.source == Source::C) {
            match builds::bench_subject(&cfg.build_dir, p, &cfg.scale) {
                Ok(s) => subjects.push(s),
                Err(e) => eprintln!(
                    "elfrun-bench: {}: skipped: {}",
                    p.name,
                    e.lines().next().unwrap_or("")
                ),
            }
        }
        for name in corpus_names.into_iter().filter(|n| wanted(n)) {
            match builds::corpus_subject(corpus, name) {
                Some(s) => subjects.push(s),
                None => eprintln!(
                    "elfrun-bench: {name}: skipped: not in the corpus {} (--corpus DIR)",
                    corpus.display()
                ),
            }
        }
        BuildConfig {
            subjects,
            rounds: cfg.rounds,
            load_runs,
            build_dir: cfg.build_dir.clone(),
            elfrun: cfg.elfrun.clone(),
            timeout: cfg.timeout,
        }
    });
    let csv = csv.unwrap_or_else(|| {
        cfg.build_dir.join(if builds_mode {
            "builds.csv"
        } else {
            "results.csv"
        })
    });
    let svg = svg.unwrap_or_else(|| cfg.build_dir.join("results.svg"));
    Ok(Options {
        cfg,
        csv,
        svg,
        basis,
        builds,
    })
}

/// Writes `text` to `path` (creating its directory) and says so on stderr.
fn write_output(path: &std::path::Path, text: &str, what: &str) {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
        && let Err(e) = std::fs::create_dir_all(dir)
    {
        eprintln!("elfrun-bench: cannot create {}: {e}", dir.display());
    }
    match std::fs::write(path, text) {
        Ok(()) => eprintln!("{what} written to {}", path.display()),
        Err(e) => eprintln!("elfrun-bench: cannot write {}: {e}", path.display()),
    }
}

/// `--builds`: the build and load table and builds.csv.
fn run_builds(bc: &BuildConfig, csv_path: &std::path::Path) -> ExitCode {
    if harness::which(&bc.elfrun).is_none() {
        eprintln!(
            "elfrun-bench: --builds needs elfrun: {} not found (`cargo build --release -p elfrun`, or --elfrun PATH)",
            bc.elfrun.display()
        );
        return ExitCode::from(2);
    }
    let rows = builds::measure_all(bc);
    println!(
        "elfrun build: median of {} build(s) per scope, each with an empty cache; load: median bundle_load_ms of {} run(s).\n",
        bc.rounds, bc.load_runs
    );
    print!("{}", builds::markdown(&rows));
    write_output(csv_path, &builds::csv(&rows), "CSV");
    let bad = rows.iter().filter(|r| builds::failed(r)).count();
    if bad > 0 {
        eprintln!("elfrun-bench: {bad} build measurement(s) failed (see the status column)");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let opts = match parse(&args) {
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
    if let Some(bc) = &opts.builds {
        return run_builds(bc, &opts.csv);
    }
    let (cfg, basis) = (&opts.cfg, opts.basis);
    let rows = harness::measure_all(cfg);
    let basis_name = match basis {
        report::Basis::Wall => "wall",
        report::Basis::Cpu => "CPU",
    };
    println!(
        "{} round(s) at scale {}; % of native = native time / time, speed vs qemu = qemu time / time, on median {basis_name} time.\n",
        cfg.rounds, cfg.scale,
    );
    print!("{}", report::markdown(&rows, basis));
    write_output(&opts.csv, &report::csv(&rows, basis), "CSV");
    let title = format!(
        "Speed as % of native (log scale): {} round(s), scale {}, median {basis_name} time",
        cfg.rounds, cfg.scale
    );
    write_output(&opts.svg, &report::svg(&rows, basis, &title), "Bar chart");
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
