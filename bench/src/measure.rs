//! Running one command once: wall time, peak RSS (from `wait4`'s rusage), exit status and output.
//!
//! The child's stdout and stderr go to files in a scratch directory (no pipe can fill up and stall it).
//! The child is reaped with `wait4(WNOHANG)` polled every millisecond, so a timeout can kill it without
//! racing against pid reuse; the polling adds at most ~1 ms to a wall time.

use std::ffi::OsStr;
use std::fs::File;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How a run ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Status {
    Exited(i32),
    Signalled(i32),
    TimedOut,
}

impl Status {
    pub fn success(&self) -> bool {
        *self == Status::Exited(0)
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Status::Exited(c) => write!(f, "exit {c}"),
            Status::Signalled(s) => write!(f, "signal {s}"),
            Status::TimedOut => f.write_str("timed out"),
        }
    }
}

/// One run's outcome.
#[derive(Clone, Debug)]
pub struct Run {
    pub wall: Duration,
    /// User + system CPU time of the child (less disturbed than wall time by other load on the machine).
    pub cpu: Duration,
    /// Peak resident set size of the child in KiB (`ru_maxrss`).
    pub peak_rss_kib: u64,
    pub status: Status,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `program args…` with stdin closed, killing it after `timeout`. `scratch` holds the output files.
pub fn run(
    program: &Path,
    args: &[String],
    scratch: &Path,
    timeout: Duration,
) -> std::io::Result<Run> {
    run_env(program, args, &[], scratch, timeout)
}

/// [`run`] with these variables added to (or replacing those in) the child's environment.
pub fn run_env(
    program: &Path,
    args: &[String],
    env: &[(&str, &OsStr)],
    scratch: &Path,
    timeout: Duration,
) -> std::io::Result<Run> {
    std::fs::create_dir_all(scratch)?;
    let out_path = scratch.join("stdout");
    let err_path = scratch.join("stderr");
    let start = Instant::now();
    let child = Command::new(program)
        .args(args)
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(File::create(&out_path)?)
        .stderr(File::create(&err_path)?)
        .spawn()?;
    let pid = child.id() as libc::pid_t;
    let mut status: libc::c_int = 0;
    // SAFETY: rusage is plain old data; an all-zero value is valid.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let mut killed = false;
    loop {
        // SAFETY: `pid` is our own unreaped child (std never reaps it: we do not call wait on `child`),
        // and both out-pointers are valid for writes.
        let r = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut usage) };
        if r == pid {
            break;
        }
        if r < 0 {
            let e = std::io::Error::last_os_error();
            if e.kind() == std::io::ErrorKind::Interrupted {
                continue;
            }
            return Err(e);
        }
        if !killed && start.elapsed() > timeout {
            // SAFETY: the child is not yet reaped, so the pid still names it.
            unsafe { libc::kill(pid, libc::SIGKILL) };
            killed = true;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    let wall = start.elapsed();
    drop(child);
    let status = if killed {
        Status::TimedOut
    } else if libc::WIFEXITED(status) {
        Status::Exited(libc::WEXITSTATUS(status))
    } else {
        Status::Signalled(libc::WTERMSIG(status))
    };
    let tv =
        |t: libc::timeval| Duration::new(t.tv_sec.max(0) as u64, (t.tv_usec.max(0) as u32) * 1000);
    Ok(Run {
        wall,
        cpu: tv(usage.ru_utime) + tv(usage.ru_stime),
        peak_rss_kib: usage.ru_maxrss.max(0) as u64,
        status,
        stdout: String::from_utf8_lossy(&std::fs::read(&out_path)?).into_owned(),
        stderr: String::from_utf8_lossy(&std::fs::read(&err_path)?).into_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> std::path::PathBuf {
        std::env::temp_dir().join(format!("elfrun-bench-test-{}-{name}", std::process::id()))
    }

    #[test]
    fn captures_output_and_status() {
        let dir = scratch("status");
        let r = run(
            Path::new("/bin/sh"),
            &["-c".into(), "echo hello; echo oops >&2; exit 3".into()],
            &dir,
            Duration::from_secs(10),
        )
        .unwrap();
        assert_eq!(r.status, Status::Exited(3));
        assert_eq!(r.stdout, "hello\n");
        assert_eq!(r.stderr, "oops\n");
        assert!(r.peak_rss_kib > 0);
        assert!(r.cpu < Duration::from_secs(5));
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn passes_environment() {
        let dir = scratch("env");
        let r = run_env(
            Path::new("/bin/sh"),
            &["-c".into(), "echo \"$ELFRUN_BENCH_T\"".into()],
            &[("ELFRUN_BENCH_T", OsStr::new("x y"))],
            &dir,
            Duration::from_secs(10),
        )
        .unwrap();
        assert_eq!(r.stdout, "x y\n");
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn kills_on_timeout() {
        let dir = scratch("timeout");
        let r = run(
            Path::new("/bin/sleep"),
            &["5".into()],
            &dir,
            Duration::from_millis(100),
        )
        .unwrap();
        assert_eq!(r.status, Status::TimedOut);
        assert!(r.wall < Duration::from_secs(4));
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn reports_signals() {
        let dir = scratch("signal");
        let r = run(
            Path::new("/bin/sh"),
            &["-c".into(), "kill -SEGV $$".into()],
            &dir,
            Duration::from_secs(10),
        )
        .unwrap();
        assert_eq!(r.status, Status::Signalled(libc::SIGSEGV));
        let _ = std::fs::remove_dir_all(dir);
    }
}
