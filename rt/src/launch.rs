//! Turning a command line into a [`Program`]: PATH search, the absolute path /proc/self/exe reports, argv[0]
//! override and environment edits (qemu-user's `-0`, `-E`, `-U`), and entering the `--root` jail.

use std::ffi::{OsStr, OsString};
use std::os::fd::AsRawFd;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::PathBuf;
use std::sync::Arc;

use crate::error::RtError;
use crate::guest::Program;
use crate::jail::Jail;
use crate::tier::Tier;

/// How to start a program.
#[derive(Debug, Clone, Default)]
pub struct Launch {
    /// Program name or path (searched in PATH when it has no slash).
    pub prog: OsString,
    /// Arguments after the program name.
    pub args: Vec<OsString>,
    /// Replacement for argv[0] (default: `prog` as given).
    pub argv0: Option<OsString>,
    /// `VAR=VAL` settings, applied after `unset`.
    pub set_env: Vec<OsString>,
    /// Variables removed from the environment.
    pub unset_env: Vec<OsString>,
    /// Record a profile (`--record`).
    pub record: Option<RecordTo>,
    /// `prog` is a path even without a slash (binfmt_misc and exec hand over paths, never names to search).
    pub no_path_search: bool,
    /// elfrun options to pass on when the guest execs another AArch64 program.
    pub exec_flags: Vec<OsString>,
    /// Which tier runs the program (`--tier`).
    pub tier: crate::tier::Tier,
    /// `--lockstep`: check lifted code against the interpreter (see `crate::lockstep`).
    pub lockstep: bool,
    /// `--bundle FILE`: the bundle to use instead of the program's default one.
    pub bundle: Option<PathBuf>,
    /// `--stats`: print tier statistics on stderr at exit.
    pub stats: bool,
    /// `--stats-file FILE`: write them as JSON.
    pub stats_file: Option<PathBuf>,
    /// `--root DIR`: the guest sees DIR as `/` (`prog` and PATH are then looked up inside DIR).
    pub root: Option<PathBuf>,
    /// The guest's command name (`comm`); `None`: the file name of `prog` as given, as the kernel names a
    /// process after the path it was exec'd by (not after a symlink's target).
    pub comm: Option<Vec<u8>>,
}

/// Where `--record` merges the profile.
#[derive(Debug, Clone, Default)]
pub struct RecordTo {
    /// `--profile FILE`; `None`: the binary's default profile path.
    pub file: Option<PathBuf>,
    /// `--profile-for HASH`: `file` applies only to the binary with this hash (hex).
    pub file_for: Option<String>,
}

/// How a guest ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    /// `exit`/`exit_group` with this status (0..=255).
    Exited(i32),
    /// Killed by this signal (elfrun should die of it too, so its parent's wait sees the same).
    Killed(i32),
}

impl Ended {
    /// The status a shell would report: the exit code, or 128 + the signal.
    pub fn shell_status(self) -> i32 {
        match self {
            Ended::Exited(s) => s,
            Ended::Killed(sig) => 128 + sig,
        }
    }
}

/// Finds `prog`: as a path if it contains a slash, else in `PATH`.
pub fn find_program(prog: &OsStr) -> Result<PathBuf, RtError> {
    if prog.as_bytes().contains(&b'/') {
        return Ok(PathBuf::from(prog));
    }
    let path = std::env::var_os("PATH").unwrap_or_else(|| "/usr/local/bin:/usr/bin:/bin".into());
    for dir in std::env::split_paths(&path) {
        let cand = dir.join(prog);
        if let Ok(m) = std::fs::metadata(&cand)
            && m.is_file()
        {
            return Ok(cand);
        }
    }
    Err(RtError::NotFound(prog.to_string_lossy().into_owned()))
}

/// Finds `prog` inside the jail: as a path if it contains a slash, else in the guest's `PATH` (`path_var`).
fn find_in_jail(jail: &Jail, prog: &OsStr, path_var: Option<&[u8]>) -> Result<PathBuf, RtError> {
    if prog.as_bytes().contains(&b'/') {
        return Ok(PathBuf::from(prog));
    }
    for dir in path_var
        .unwrap_or(b"/usr/local/bin:/usr/bin:/bin")
        .split(|&c| c == b':')
    {
        let dir = if dir.is_empty() { &b"."[..] } else { dir };
        let cand = [dir, b"/", prog.as_bytes()].concat();
        if let Ok(fd) = jail.open(libc::AT_FDCWD, &cand, libc::O_PATH as u64, 0)
            && std::fs::metadata(crate::jail::proc_self_fd(&fd).to_str().unwrap_or(""))
                .is_ok_and(|m| m.is_file())
        {
            return Ok(PathBuf::from(OsStr::from_bytes(&cand)));
        }
    }
    Err(RtError::NotFound(prog.to_string_lossy().into_owned()))
}

impl Launch {
    /// Resolves the program (inside `jail`, if given) and builds its argv and environment (from this process's
    /// environment).
    pub fn program(&self, jail: Option<&Jail>) -> Result<Program, RtError> {
        let envp = self.environment();
        let (path, file, exe, opened) = match jail {
            None => {
                let path = if self.no_path_search {
                    PathBuf::from(&self.prog)
                } else {
                    find_program(&self.prog)?
                };
                let exe =
                    std::fs::canonicalize(&path).map_err(|e| RtError::Read(path.clone(), e))?;
                (path.clone(), path, exe, None)
            }
            Some(jail) => {
                let path = if self.no_path_search {
                    PathBuf::from(&self.prog)
                } else {
                    let var = envp.iter().find_map(|e| e.strip_prefix(b"PATH="));
                    find_in_jail(jail, &self.prog, var)?
                };
                let flags = (libc::O_RDONLY | libc::O_CLOEXEC) as u64;
                let fd = jail
                    .open(libc::AT_FDCWD, path.as_os_str().as_bytes(), flags, 0)
                    .map_err(|e| {
                        RtError::Read(path.clone(), std::io::Error::from_raw_os_error(e))
                    })?;
                let exe = jail
                    .guest_path_of_fd(fd.as_raw_fd())
                    .map(|p| PathBuf::from(OsString::from_vec(p)))
                    .unwrap_or_else(|_| path.clone());
                let file = PathBuf::from(OsString::from_vec(
                    crate::jail::proc_self_fd(&fd).into_bytes(),
                ));
                (path, file, exe, Some(Arc::new(fd)))
            }
        };
        let mut argv = vec![
            self.argv0
                .clone()
                .unwrap_or_else(|| self.prog.clone())
                .into_vec(),
        ];
        argv.extend(self.args.iter().map(|a| a.as_bytes().to_vec()));
        Ok(Program {
            path,
            file,
            opened,
            exe,
            argv,
            envp,
        })
    }

    /// This process's environment with `-U` and `-E` applied.
    fn environment(&self) -> Vec<Vec<u8>> {
        let mut env: Vec<(OsString, OsString)> = std::env::vars_os().collect();
        env.retain(|(k, _)| !self.unset_env.contains(k));
        for kv in &self.set_env {
            let b = kv.as_bytes();
            let (k, v) = match b.iter().position(|&c| c == b'=') {
                Some(i) => (&b[..i], &b[i + 1..]),
                None => (b, &b""[..]),
            };
            let k = OsStr::from_bytes(k).to_owned();
            env.retain(|(ek, _)| *ek != k);
            env.push((k, OsStr::from_bytes(v).to_owned()));
        }
        env.into_iter()
            .map(|(k, v)| {
                let mut e = k.into_vec();
                e.push(b'=');
                e.extend_from_slice(v.as_bytes());
                e
            })
            .collect()
    }
}

/// Runs a program to completion; returns how it ended.
pub fn run(launch: &Launch, strace: bool) -> Result<Ended, RtError> {
    let jail = match &launch.root {
        Some(dir) => {
            let jail = Jail::new(dir).map_err(|e| RtError::Root(dir.clone(), e))?;
            jail.enter().map_err(|e| RtError::Root(dir.clone(), e))?;
            Some(jail)
        }
        None => None,
    };
    let prog = launch.program(jail.as_ref())?;
    let mut guest = crate::Guest::start(&prog, strace)?;
    let comm = launch.comm.clone().unwrap_or_else(|| {
        let p = prog.path.as_os_str().as_bytes();
        p[p.iter().rposition(|&b| b == b'/').map_or(0, |i| i + 1)..].to_vec()
    });
    guest.set_comm(&comm);
    if let Some(jail) = jail {
        // The elfrun that runs a program the guest execs works in the same root.
        guest.exec_flags.push("--root".into());
        guest.exec_flags.push(jail.dir().as_os_str().to_owned());
        guest.jail = Some(jail);
    }
    if let Some(to) = &launch.record {
        let rec = crate::record::Recording::new(&prog.file, to)?;
        guest.exec_flags.extend(rec.exec_flags());
        guest.recording = Some(Box::new(rec));
    }
    guest.exec_flags.extend(launch.exec_flags.iter().cloned());
    if launch.record.is_none() {
        attach_bundle(&mut guest, launch, &prog)?;
    } else if launch.tier == Tier::Aot {
        eprintln!(
            "elfrun: --record runs the interpreter (it records what the interpreter sees); ignoring --tier aot"
        );
    }
    let started = std::time::Instant::now();
    // The program is loaded: its descriptor's number is the guest's to use from here on.
    drop(prog);
    let status = guest.run();
    let run_ms = started.elapsed().as_secs_f64() * 1e3;
    guest.flush_profile();
    let report = crate::tier::StatsReport::of(&guest, run_ms);
    guest.flush_aot_misses();
    if launch.stats || launch.stats_file.is_some() {
        if launch.stats {
            eprint!("{}", report.table());
        }
        if let Some(f) = &launch.stats_file
            && let Err(e) = std::fs::write(f, report.json())
        {
            eprintln!("elfrun: cannot write {}: {e}", f.display());
        }
    }
    tracing::info!(
        instructions = guest.stats.instructions,
        blocks = guest.cache.built,
        "guest exited with status {status}"
    );
    Ok(match guest.fatal_signal {
        Some(sig) => Ended::Killed(sig),
        None => Ended::Exited(status),
    })
}

/// Finds, checks and loads the program's bundle per `launch.tier`. With `auto`, a missing bundle means the
/// interpreter, and an unusable one the interpreter with a warning; with `aot` both are errors.
fn attach_bundle(guest: &mut crate::Guest, launch: &Launch, prog: &Program) -> Result<(), RtError> {
    if launch.tier == Tier::Interp {
        return Ok(());
    }
    let required = launch.tier == Tier::Aot;
    // The load time reported covers finding, reading and checking the bundle too.
    let started = std::time::Instant::now();
    let hash = crate::record::hash_file(&prog.file)?;
    let path = launch
        .bundle
        .clone()
        .unwrap_or_else(|| crate::tier::default_bundle_path(&hash));
    let problem = match crate::tier::read_bundle(&path, &hash) {
        // `auto`: checked now (so that a stale bundle is reported by every run), loaded when the guest has run
        // long enough for that to pay (most processes of a shell script never do).
        Ok(Some(read)) if launch.tier == Tier::Auto && !launch.lockstep => {
            let after = crate::tier::load_after(&read, guest.space.host_mut());
            guest.deferred_aot = Some(Box::new(crate::tier::Deferred {
                read,
                after,
                checked_ms: started.elapsed().as_secs_f64() * 1e3,
            }));
            return Ok(());
        }
        Ok(Some(bundle)) => {
            let mem = guest.space.mem();
            match crate::tier::Aot::load(&bundle, guest.space.host_mut(), mem) {
                Ok(mut aot) => {
                    aot.stats.load_ms = started.elapsed().as_secs_f64() * 1e3;
                    if launch.lockstep {
                        aot.lockstep = Some(Default::default());
                    }
                    guest.aot = Some(Box::new(aot));
                    return Ok(());
                }
                Err(e) => e,
            }
        }
        Ok(None) if !required => return Ok(()),
        Ok(None) => format!(
            "no bundle for {} (looked for {}): run `elfrun build {}` first",
            prog.path.display(),
            path.display(),
            prog.path.display()
        ),
        Err(e) => format!(
            "{e}; rebuild it with `elfrun build {}`",
            prog.path.display()
        ),
    };
    if required {
        return Err(RtError::Aot(problem));
    }
    eprintln!("elfrun: {problem}; running in the interpreter");
    Ok(())
}

/// Ends elfrun the way the guest ended: killed by the same signal (without a core dump of the 4 GiB guest
/// memory), so a parent's `wait` sees what it would see natively; falls back to exiting with 128 + signal.
pub fn die_by_signal(sig: i32) -> i32 {
    // SAFETY: plain libc calls with valid arguments; nothing runs after the signal kills the process.
    unsafe {
        let no_core = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        libc::setrlimit(libc::RLIMIT_CORE, &no_core);
        libc::signal(sig, libc::SIG_DFL);
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, sig);
        libc::sigprocmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut());
        libc::raise(sig);
    }
    128 + sig
}
