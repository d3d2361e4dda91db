//! The `elfrun` command line: `elfrun [OPTIONS] PROG [ARGS]...` (or `elfrun run …`), qemu-user style options,
//! and the binfmt_misc entry point.

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use elfrun::build::{self, BuildArgs};
use elfrun::launch::{self, Launch};
use elfrun::profile_show::{self, ShowArgs};
use elfrun::tier::Tier;

const EXAMPLES: &str = "\
Examples:
  elfrun ./hello                      run a static AArch64 program
  elfrun run busybox echo hi          the same, explicit subcommand; PROG is searched in PATH
  elfrun -0 sh -E LANG=C.UTF-8 -U TERM busybox
                                      argv[0] \"sh\", LANG set, TERM removed (as qemu-aarch64's -0/-E/-U)
  elfrun --strace ./prog              one line per syscall on stderr
  elfrun --root ./rootfs /bin/sh      the guest sees ./rootfs as / (paths, symlinks, exec stay inside)
  elfrun --record ./prog              record a profile (merged into ~/.cache/elfrun/profiles/<hash>.profile)
  elfrun profile show ./prog          summary of its profile: hot blocks, indirect branch targets (--json, --top N)
  elfrun build ./prog                 lift the program and its profile into a bundle (Wasm), used by later runs
  elfrun --stats ./prog               after the run: which tier ran how much (--stats-file F for JSON)
  elfrun --tier interp ./prog         ignore the bundle (--tier aot: require it)
  ELFRUN_TIER=aot elfrun ./prog       the same as --tier aot; also reaches runs no option can (binfmt_misc)
  RUST_LOG=debug elfrun ./prog        more logging (or -v, -vv)
  ELFRUN_ENGINE=cranelift elfrun build ./prog
                                      compile bundles with Cranelift (the default unless built with the
                                      `llvm` feature, which makes LLVM the default: slower builds, faster code)
  ELFRUN_FMA=0 elfrun build ./prog    compile for this CPU without FMA3: exact multiply-add emulation, a
                                      bundle that also runs where the CPU has no fused multiply-add

binfmt_misc: register elfrun with flags PF and as interpreter a link named `elfrun-binfmt` (or a wrapper
running `elfrun --binfmt-p`). The kernel then calls `elfrun-binfmt /full/path/of/program ARGV0 ARG1...`:
in that mode the first argument is the program's path and the second its argv[0].

The guest's exit status is elfrun's exit status; a fatal signal gives 128 + its number (SIGILL 132, SIGTRAP
133, SIGBUS 135, SIGSEGV 139), as a shell reports it.";

/// Run static Linux/AArch64 ELF programs.
#[derive(Debug, Parser)]
#[command(name = "elfrun", version, after_help = EXAMPLES)]
struct Cli {
    /// Set the guest's argv[0] (default: PROG as given).
    #[arg(short = '0', value_name = "ARGV0")]
    argv0: Option<OsString>,
    /// Set an environment variable for the guest (repeatable).
    #[arg(short = 'E', value_name = "VAR=VALUE")]
    set_env: Vec<OsString>,
    /// Remove an environment variable from the guest's environment (repeatable).
    #[arg(short = 'U', value_name = "VAR")]
    unset_env: Vec<OsString>,
    /// Print each syscall with its arguments and result to stderr.
    #[arg(long)]
    strace: bool,
    /// More log output (-v info, -vv debug, -vvv trace); RUST_LOG overrides.
    #[arg(short, long, action = clap::ArgAction::Count)]
    verbose: u8,
    /// Record a profile of the run, merged into the program's profile at exit (see `elfrun profile show`).
    #[arg(long)]
    record: bool,
    /// The profile file --record merges into (default: the program's file in ~/.cache/elfrun/profiles).
    #[arg(long, value_name = "FILE", requires = "record")]
    profile: Option<PathBuf>,
    /// Use --profile FILE only if the program's hash is this (hex); other programs record into their default
    /// profile. Passed on to the elfrun that runs a program the guest execs.
    #[arg(long, value_name = "HASH", requires = "profile", hide = true)]
    profile_for: Option<String>,
    /// Which tier runs the program: `auto` uses its bundle (see `elfrun build`) when there is a valid one.
    /// Programs the guest execs run in the same tier. Default: the ELFRUN_TIER environment variable (the way to
    /// choose the tier under binfmt_misc, where elfrun gets no options), else `auto`.
    #[arg(long, value_enum, env = "ELFRUN_TIER", default_value_t = Tier::Auto)]
    tier: Tier,
    /// Whether `--tier` was given on this command line (not taken from ELFRUN_TIER or the default).
    #[arg(skip)]
    tier_given: bool,
    /// Use this bundle instead of the program's default one (in ~/.cache/elfrun/bundles).
    #[arg(long, value_name = "FILE")]
    bundle: Option<PathBuf>,
    /// Print tier statistics (instructions interpreted, AOT entries and exits, syscalls, load time) at exit.
    #[arg(long)]
    stats: bool,
    /// Write the statistics as JSON to FILE.
    #[arg(long, value_name = "FILE")]
    stats_file: Option<PathBuf>,
    /// Checking mode (implies --tier aot): every stretch of lifted code is re-run by the interpreter and the
    /// registers and writable memory compared; a difference ends the program with a report (status 134). Slow.
    #[arg(long)]
    lockstep: bool,
    /// Run the guest with DIR as its root directory: every path it names (open, stat, exec, chdir, …) is
    /// resolved inside DIR as openat2's RESOLVE_IN_ROOT does (`..` and absolute symlinks stay inside, symlink
    /// loops give ELOOP). PROG is looked up inside DIR. A path jail, not a sandbox: see SECURITY.md.
    #[arg(long, value_name = "DIR")]
    root: Option<PathBuf>,
    /// binfmt_misc mode (flags P+F): arguments are `PATH ARGV0 [ARGS]...`.
    #[arg(long)]
    binfmt_p: bool,
    /// The guest's command name (`/proc/PID/comm`): given by the elfrun whose guest execs, as the kernel names
    /// the new image after the path passed to execve (a script's name, not its interpreter's).
    #[arg(long, value_name = "NAME", hide = true)]
    comm: Option<OsString>,
    /// The program (`run` first is accepted and ignored) and its arguments.
    #[arg(
        required = true,
        trailing_var_arg = true,
        allow_hyphen_values = true,
        value_name = "PROG [ARGS]"
    )]
    command: Vec<OsString>,
}

impl Cli {
    /// Parses elfrun's options (exits with clap's message on an error, e.g. an invalid ELFRUN_TIER).
    fn parse_args(args: impl IntoIterator<Item = OsString>) -> Cli {
        use clap::{CommandFactory, FromArgMatches};
        let matches = Cli::command().get_matches_from(args);
        let mut cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
        cli.tier_given =
            matches.value_source("tier") == Some(clap::parser::ValueSource::CommandLine);
        cli
    }

    /// Options given after `run` (in `inner`) added to those given before it.
    fn merge_run(self, inner: Cli) -> Cli {
        Cli {
            argv0: inner.argv0.or(self.argv0),
            set_env: [self.set_env, inner.set_env].concat(),
            unset_env: [self.unset_env, inner.unset_env].concat(),
            strace: self.strace || inner.strace,
            verbose: self.verbose.saturating_add(inner.verbose),
            record: self.record || inner.record,
            profile: inner.profile.or(self.profile),
            profile_for: inner.profile_for.or(self.profile_for),
            root: inner.root.or(self.root),
            binfmt_p: self.binfmt_p || inner.binfmt_p,
            comm: inner.comm.or(self.comm),
            // Both parses saw ELFRUN_TIER: only an explicit `--tier` after `run` overrides the one before it.
            tier: if inner.tier_given {
                inner.tier
            } else {
                self.tier
            },
            tier_given: self.tier_given || inner.tier_given,
            bundle: inner.bundle.or(self.bundle),
            stats: self.stats || inner.stats,
            stats_file: inner.stats_file.or(self.stats_file),
            lockstep: self.lockstep || inner.lockstep,
            command: inner.command,
        }
    }
}

/// `elfrun profile …`: working with recorded profiles.
#[derive(Debug, Parser)]
#[command(name = "elfrun profile")]
enum ProfileCli {
    /// Summarise a profile: coverage, hottest blocks (disassembled), indirect branch sites and their targets,
    /// AOT misses.
    Show {
        /// An AArch64 program (its profile is found by the program's hash) or a profile file.
        #[arg(value_name = "PROG|FILE")]
        target: PathBuf,
        /// With PROG: read this profile file instead of the program's default one.
        #[arg(long, value_name = "FILE")]
        profile: Option<PathBuf>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
        /// Entries per list (blocks, indirect sites, AOT misses).
        #[arg(long, value_name = "N", default_value_t = 20)]
        top: usize,
    },
}

fn profile_command(args: Vec<OsString>) -> ExitCode {
    let cmd = ProfileCli::parse_from(std::iter::once(OsString::from("elfrun profile")).chain(args));
    match cmd {
        ProfileCli::Show {
            target,
            profile,
            json,
            top,
        } => match profile_show::show(&ShowArgs {
            target,
            profile,
            json,
            top,
        }) {
            Ok(text) => {
                print!("{text}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("elfrun: {e}");
                ExitCode::from(1)
            }
        },
    }
}

/// `elfrun build PROG`: lift a program and its profiles into a bundle.
#[derive(Debug, Parser)]
#[command(name = "elfrun build")]
struct BuildCli {
    /// The AArch64 program (searched in PATH when it has no slash).
    #[arg(value_name = "PROG")]
    prog: OsString,
    /// Profile to build from (repeatable; default: the program's profile in ~/.cache/elfrun/profiles).
    #[arg(long, value_name = "FILE")]
    profile: Vec<PathBuf>,
    /// Where to write the bundle (default: ~/.cache/elfrun/bundles, where `elfrun run` finds it).
    #[arg(short, long, value_name = "BUNDLE")]
    output: Option<PathBuf>,
    /// No progress bar.
    #[arg(short, long)]
    quiet: bool,
    /// What to lift (default: `profiled` when there is a profile, else `all`).
    #[arg(long, value_enum)]
    scope: Option<ScopeArg>,
    /// Also write the lifted Wasm module to FILE (to inspect it, e.g. with `wasm2wat` or `wasm-tools print`).
    #[arg(long, value_name = "FILE")]
    wasm: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum ScopeArg {
    /// Everything static discovery finds (entry point, symbols, call targets followed), plus profiled code.
    All,
    /// Only the functions the profiles saw run: smaller bundles that compile and load faster; the rest runs in
    /// the interpreter and is recorded as AOT misses for the next build.
    Profiled,
}

fn build_command(args: Vec<OsString>) -> ExitCode {
    let cli = BuildCli::parse_from(std::iter::once(OsString::from("elfrun build")).chain(args));
    init_logging(0);
    let args = BuildArgs {
        prog: cli.prog,
        profiles: cli.profile,
        output: cli.output,
        progress: !cli.quiet && std::io::IsTerminal::is_terminal(&std::io::stderr()),
        scope: cli.scope.map(|s| match s {
            ScopeArg::All => elfrun_aot::Scope::All,
            ScopeArg::Profiled => elfrun_aot::Scope::Profiled,
        }),
    };
    match build::build(&args) {
        Ok(built) => {
            if !cli.quiet {
                eprintln!("{}", built.summary());
            }
            if let Some(path) = cli.wasm
                && let Err(e) = std::fs::write(&path, &built.bundle.wasm)
            {
                eprintln!("elfrun: cannot write {}: {e}", path.display());
                return ExitCode::from(1);
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("elfrun: {e}");
            ExitCode::from(1)
        }
    }
}

fn init_logging(verbose: u8) {
    let default = match verbose {
        0 => "warn",
        1 => "info",
        2 => "debug",
        _ => "trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(false)
        .init();
}

fn main() -> ExitCode {
    // Rust's runtime ignores SIGPIPE before `main`; undo it, so the guest (which inherits host dispositions, as
    // across a real exec) and any host program it execs start with SIGPIPE's default action.
    // SAFETY: setting a disposition to SIG_DFL before anything else runs.
    unsafe { libc::signal(libc::SIGPIPE, libc::SIG_DFL) };
    let mut raw: Vec<OsString> = std::env::args_os().collect();
    let binfmt_name = raw
        .first()
        .and_then(|a| std::path::Path::new(a).file_name())
        .is_some_and(|n| n == "elfrun-binfmt");
    if binfmt_name {
        // Called by the kernel: no elfrun options, just `PATH ARGV0 ARGS...`.
        raw.insert(1, "--binfmt-p".into());
        raw.insert(2, "--".into());
    }
    let mut cli = Cli::parse_args(raw);
    if let Err(e) = elfrun::host::EngineKind::from_env() {
        eprintln!("elfrun: {e}");
        return ExitCode::from(2);
    }
    if !cli.binfmt_p && cli.command.first().is_some_and(|c| c == "profile") {
        return profile_command(cli.command.split_off(1));
    }
    if !cli.binfmt_p && cli.command.first().is_some_and(|c| c == "build") {
        return build_command(cli.command.split_off(1));
    }
    if !cli.binfmt_p && cli.command.first().is_some_and(|c| c == "run") {
        if cli.command.len() == 1 {
            eprintln!("elfrun: `run` needs a program (see elfrun --help)");
            return ExitCode::from(2);
        }
        let rest = cli.command.split_off(1);
        let inner = Cli::parse_args(std::iter::once(OsString::from("elfrun run")).chain(rest));
        cli = cli.merge_run(inner);
    }
    init_logging(cli.verbose);
    let mut command = cli.command.into_iter();
    let mut exec_flags: Vec<OsString> = Vec::new();
    if cli.verbose > 0 {
        exec_flags.push(format!("-{}", "v".repeat(cli.verbose as usize)).into());
    }
    if cli.lockstep {
        exec_flags.push("--lockstep".into());
    } else {
        // Always, `auto` too: the new elfrun would otherwise take ELFRUN_TIER from the guest's environment, which
        // need not be ours (`ELFRUN_TIER=aot elfrun --tier auto …`, or a guest that sets or clears it).
        exec_flags.push("--tier".into());
        exec_flags.push(format!("{:?}", cli.tier).to_lowercase().into());
    }
    let mut launch = Launch {
        argv0: cli.argv0,
        set_env: cli.set_env,
        unset_env: cli.unset_env,
        record: cli.record.then_some(launch::RecordTo {
            // Absolute: under --root the host cwd moves into the jail before the profile is written.
            file: cli.profile.map(|p| std::path::absolute(&p).unwrap_or(p)),
            file_for: cli.profile_for,
        }),
        no_path_search: cli.binfmt_p,
        exec_flags,
        tier: if cli.lockstep { Tier::Aot } else { cli.tier },
        lockstep: cli.lockstep,
        bundle: cli.bundle,
        stats: cli.stats,
        stats_file: cli.stats_file,
        root: cli.root,
        // Called by the kernel (binfmt_misc), the process already has the name the kernel gives the program.
        comm: cli.comm.map(|c| c.into_encoded_bytes()).or_else(|| {
            binfmt_name.then(|| {
                let c = elfrun::host::host_comm();
                c[..c.iter().position(|&b| b == 0).unwrap_or(16)].to_vec()
            })
        }),
        ..Launch::default()
    };
    launch.prog = command.next().unwrap_or_default();
    if cli.binfmt_p {
        match command.next() {
            Some(a0) => launch.argv0 = Some(a0),
            None => {
                eprintln!("elfrun: --binfmt-p needs PATH and ARGV0");
                return ExitCode::from(2);
            }
        }
    }
    launch.args = command.collect();
    match launch::run(&launch, cli.strace) {
        Ok(launch::Ended::Exited(status)) => ExitCode::from((status & 0xff) as u8),
        Ok(launch::Ended::Killed(sig)) => ExitCode::from(launch::die_by_signal(sig) as u8),
        Err(e) => {
            eprintln!("elfrun: {e}");
            ExitCode::from(126)
        }
    }
}
