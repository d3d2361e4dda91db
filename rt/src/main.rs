//! The `elfrun` command line: `elfrun [OPTIONS] PROG [ARGS]...` (or `elfrun run …`), qemu-user style options,
//! and the binfmt_misc entry point.

use std::ffi::OsString;
use std::process::ExitCode;

use clap::Parser;
use elfrun::launch::{self, Launch};

const EXAMPLES: &str = "\
Examples:
  elfrun ./hello                      run a static AArch64 program
  elfrun run busybox echo hi          the same, explicit subcommand; PROG is searched in PATH
  elfrun -0 sh -E LANG=C.UTF-8 -U TERM busybox
                                      argv[0] \"sh\", LANG set, TERM removed (as qemu-aarch64's -0/-E/-U)
  elfrun --strace ./prog              one line per syscall on stderr
  RUST_LOG=debug elfrun ./prog        more logging (or -v, -vv)

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
    /// binfmt_misc mode (flags P+F): arguments are `PATH ARGV0 [ARGS]...`.
    #[arg(long)]
    binfmt_p: bool,
    /// The program (`run` first is accepted and ignored) and its arguments.
    #[arg(
        required = true,
        trailing_var_arg = true,
        allow_hyphen_values = true,
        value_name = "PROG [ARGS]"
    )]
    command: Vec<OsString>,
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
    let cli = Cli::parse_from(raw);
    init_logging(cli.verbose);
    let mut command = cli.command.into_iter();
    let mut exec_flags: Vec<OsString> = Vec::new();
    if cli.verbose > 0 {
        exec_flags.push(format!("-{}", "v".repeat(cli.verbose as usize)).into());
    }
    let mut launch = Launch {
        argv0: cli.argv0,
        set_env: cli.set_env,
        unset_env: cli.unset_env,
        no_path_search: cli.binfmt_p,
        exec_flags,
        ..Launch::default()
    };
    let mut first = command.next().unwrap_or_default();
    if !cli.binfmt_p && first == "run" {
        match command.next() {
            Some(p) => first = p,
            None => {
                eprintln!("elfrun: `run` needs a program (see elfrun --help)");
                return ExitCode::from(2);
            }
        }
    }
    launch.prog = first;
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
