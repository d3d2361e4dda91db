//! Turning a command line into a [`Program`]: PATH search, the absolute path /proc/self/exe reports, argv[0]
//! override and environment edits (qemu-user's `-0`, `-E`, `-U`).

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::PathBuf;

use crate::error::RtError;
use crate::guest::Program;

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
    /// Record a profile (`--record`), into this file or (`None`) the binary's default profile path.
    pub record: Option<Option<PathBuf>>,
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

impl Launch {
    /// Resolves the program and builds its argv and environment (from this process's environment).
    pub fn program(&self) -> Result<Program, RtError> {
        let path = find_program(&self.prog)?;
        let exe = std::fs::canonicalize(&path).map_err(|e| RtError::Read(path.clone(), e))?;
        let mut argv = vec![
            self.argv0
                .clone()
                .unwrap_or_else(|| self.prog.clone())
                .into_vec(),
        ];
        argv.extend(self.args.iter().map(|a| a.as_bytes().to_vec()));
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
        let envp = env
            .into_iter()
            .map(|(k, v)| {
                let mut e = k.into_vec();
                e.push(b'=');
                e.extend_from_slice(v.as_bytes());
                e
            })
            .collect();
        Ok(Program {
            path,
            exe,
            argv,
            envp,
        })
    }
}

/// Runs a program to completion; returns its exit status.
pub fn run(launch: &Launch, strace: bool) -> Result<i32, RtError> {
    let prog = launch.program()?;
    let mut guest = crate::Guest::start(&prog, strace)?;
    if let Some(file) = &launch.record {
        let rec = crate::record::Recording::new(&prog.path, file.clone())?;
        guest.recording = Some(Box::new(rec));
    }
    let status = guest.run();
    guest.flush_profile();
    tracing::info!(
        instructions = guest.stats.instructions,
        blocks = guest.cache.built,
        "guest exited with status {status}"
    );
    Ok(status)
}
