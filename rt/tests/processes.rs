//! Processes: fork/vfork, wait statuses, pipes and dup2 across processes, process groups, execve/execveat
//! (AArch64 programs, scripts, host programs, the kernel's errors, what survives exec), and busybox's shell
//! running pipelines — compared with qemu-aarch64-static (with qemu as binfmt_misc handler where the guest
//! execs AArch64 programs), or, where qemu 7.2 cannot serve (execveat), with execve(2)/execveat(2)'s rules.

mod common;

use common::{build, elfrun, qemu_binfmt, same_as_qemu, status};

const ENV: [(&str, &str); 2] = [("PATH", "/usr/bin:/bin"), ("LANG", "C")];

fn text(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn fork_wait_pipes_and_groups() {
    let p = build("fork_wait.c", &[]);
    let o = same_as_qemu(&p, &[], &ENV);
    let out = text(&o);
    // The point of fork: the child's write to a global stays in the child.
    assert!(out.contains("child: global=42"), "{out}");
    assert!(out.contains("parent: global=1 buf=''"), "{out}");
    assert!(out.contains("raise(SIGTERM): killed by signal 15"), "{out}");
    assert!(out.contains("null write: killed by signal 11"), "{out}");
    assert!(out.contains("after SIGSTOP: stopped by signal 19"), "{out}");
    assert_eq!(status(&o), 0);
}

fn scratch(name: &str) -> String {
    let d = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d.to_str().unwrap().to_owned()
}

/// One test for both parts: they share the guest binary (a parallel rebuild would race with a running exec).
#[test]
fn execve_and_execveat() {
    let p = build("exec.c", &[]);
    execve_like_qemu(p.to_str().unwrap());
    execveat(p.to_str().unwrap());
}

fn execve_like_qemu(p: &str) {
    let (a, b) = (scratch("exec-elfrun"), scratch("exec-qemu"));
    let ours = elfrun(&[p, &a, "noat"], &ENV);
    let theirs = qemu_binfmt(&[p, &b, "noat"], &ENV);
    let (so, st) = (
        text(&ours).replace(&a, "DIR"),
        text(&theirs).replace(&b, "DIR"),
    );
    assert_eq!(
        so,
        st,
        "elfrun stderr: {}",
        String::from_utf8_lossy(&ours.stderr)
    );
    assert_eq!(status(&ours), status(&theirs));
    for line in [
        "child argc=4 [--child] [two words] []\n",
        "directory: -1 Permission denied\n",
        "not executable: -1 Permission denied\n",
        "no format: -1 Exec format error\n",
        "missing interpreter: -1 No such file or directory\n",
        "child argc=5 [--child  with arg] [DIR/script] [x] [y]\n",
        "host sh: DIR/hostscript x y\n",
        "child pid same 1\n",
        "fd 5 open 1, fd 6 open 0\n",
        "open fds above 2 the runner did not leave us: 0\n",
        "SIGUSR1 ignored 1\n",
        "SIGUSR2 (had a handler) default 1\n",
        "SIGINT blocked 1, SIGTERM blocked 0\n",
    ] {
        assert!(so.contains(line), "missing {line:?} in\n{so}");
    }
}

/// qemu 7.2 has no execveat; the expectations are execveat(2)'s: the new program's name is `/dev/fd/N/path`,
/// and a script reached through a close-on-exec descriptor fails with ENOENT.
fn execveat(p: &str) {
    let d = scratch("execveat");
    let o = elfrun(&[p, &d], &ENV);
    let out = text(&o);
    for line in [
        "child argc=5 [--child  with arg] [/dev/fd/3/script] [x] [y]\n",
        "execveat script via O_CLOEXEC dirfd: -1 No such file or directory\n",
        "execveat bad flags: -1 Invalid argument\n",
    ] {
        assert!(out.contains(line), "missing {line:?} in\n{out}");
    }
    // fexecve-style AT_EMPTY_PATH on a close-on-exec descriptor still runs the program.
    assert_eq!(
        out.matches("child argc=4 [--child] [two words] []\n")
            .count(),
        2,
        "{out}"
    );
}

#[test]
fn busybox_shell_pipelines_and_subshells() {
    let bb = std::path::PathBuf::from(std::env::var("HOME").unwrap())
        .join(".cache/elfrun-corpus/root/bin/busybox");
    assert!(
        bb.exists(),
        "run scripts/setup-test-deps.sh for the busybox corpus"
    );
    let bb = bb.to_str().unwrap();
    let script = format!(
        "echo one two | {bb} tr a-z A-Z; x=$(echo sub; exit 3); echo \"$x $?\"; \
         (exit 4); echo $?; sh -c 'kill -TERM $$'; echo $?; \
         {bb} sh -c 'exit 5'; echo $?; /bin/echo host; ls /nonexistent 2>/dev/null; echo $?"
    );
    let ours = elfrun(&[bb, "sh", "-c", &script], &ENV);
    let theirs = qemu_binfmt(&[bb, "sh", "-c", &script], &ENV);
    assert_eq!(
        text(&ours),
        text(&theirs),
        "elfrun stderr: {}",
        String::from_utf8_lossy(&ours.stderr)
    );
    assert_eq!(text(&ours), "ONE TWO\nsub 3\n4\n143\n5\nhost\n1\n");
}
