//! `elfrun --root DIR`: a root built here holds the guest program (as /bin/prog and /bin/prog2), files that also
//! exist on the host under the same names with other contents, absolute and relative symlinks pointing out, a
//! symlink loop and a dangling symlink. The guest (runtime_guest/jail.c) reports what it sees; every expected
//! line is what openat2(2) `RESOLVE_IN_ROOT` semantics give and differs from what the host's files would give.
//! The host side then checks that creations, renames and metadata changes happened inside the root, and that
//! nothing was created on the host.

mod common;

use std::os::unix::fs::{MetadataExt, PermissionsExt, symlink};
use std::path::{Path, PathBuf};

use common::{build, elfrun, status};

const ENV: [(&str, &str); 2] = [("PATH", "/bin"), ("LANG", "C")];
/// What /dangling points at; must never appear on the host.
const ESCAPE: &str = "/tmp/elfrun-jail-escape-check";

fn make_root(prog: &Path) -> PathBuf {
    let root = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("jail-root");
    let _ = std::fs::remove_dir_all(&root);
    for d in ["bin", "etc", "sub/dir", "tmp"] {
        std::fs::create_dir_all(root.join(d)).unwrap();
    }
    std::fs::copy(prog, root.join("bin/prog")).unwrap();
    std::fs::copy(prog, root.join("bin/prog2")).unwrap();
    std::fs::copy("/bin/true", root.join("bin/hosttrue")).unwrap();
    std::fs::write(root.join("bin/script"), "#!/bin/prog2 --child\n").unwrap();
    std::fs::set_permissions(
        root.join("bin/script"),
        std::fs::Permissions::from_mode(0o755),
    )
    .unwrap();
    std::fs::write(root.join("etc/secret"), "jail secret\n").unwrap();
    std::fs::write(root.join("etc/hostname"), "jail-hostname\n").unwrap();
    std::fs::write(root.join("etc/trunc"), "0123456789\n").unwrap();
    for (link, target) in [
        ("a", "/etc/secret"),
        ("t", "/etc/trunc"),
        ("up", "../../../../../etc"),
        ("loop1", "/loop2"),
        ("loop2", "/loop1"),
        ("dangling", ESCAPE),
        ("sub/gone", "/etc"),
    ] {
        symlink(target, root.join(link)).unwrap();
    }
    root
}

#[test]
fn guest_sees_the_root_as_slash_and_cannot_leave_it() {
    // The host files the guest must never reach.
    assert!(
        Path::new("/etc/passwd").exists(),
        "the host has /etc/passwd"
    );
    let _ = std::fs::remove_file(ESCAPE);
    let prog = build("jail.c", &[]);
    let root = make_root(&prog);
    let r = root.to_str().unwrap();
    let o = elfrun(&["--root", r, "/bin/prog"], &ENV);
    let out = String::from_utf8_lossy(&o.stdout);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(status(&o), 0, "stdout:\n{out}\nstderr:\n{err}");
    let expected = "\
cwd at start: /
ls /: a bin dangling etc loop1 loop2 sub t tmp up 
ls /../..: a bin dangling etc loop1 loop2 sub t tmp up 
/.. is /: 1
chdir ..: ok, cwd /
/a (-> /etc/secret): jail secret
lstat /a is a link: 1
/../../../etc/hostname: jail-hostname
/../../../etc/passwd: ENOENT
/up/hostname (up -> ../../../../../etc): jail-hostname
/up/passwd: ENOENT
/loop1: ELOOP
stat /loop1: ELOOP
/proc/self/root/etc/passwd: ENOENT
access /../etc/passwd: ENOENT
access /a: ok
readlink /proc/self/exe: /bin/prog
readlink /a: /etc/secret
chdir /sub/dir: ok, cwd /sub/dir
../../etc/secret: jail secret
../../../../../../etc/passwd: ENOENT
ls ../../../..: a bin dangling etc loop1 loop2 sub t tmp up 
openat(/sub, ../../../etc/hostname): jail-hostname
openat(/sub, /etc/hostname): jail-hostname
/proc/self/fd/SUB/../../../etc/passwd: ENOENT
/dev/fd/SUB/../etc/hostname: jail-hostname
/dev/fd/PIPE: through a pipe
readlink /proc/self/fd/SUB: /sub
fchdir /sub: ok, cwd /sub
mkdir /sub/new: ok
create /sub/new/f: ok
rename f -> /../../../sub/new/g: ok
link g -> h: ok
symlink /etc/secret as /sub/new/s: ok
readlink /sub/new/s: /etc/secret
/sub/new/s: jail secret
linkat(s, AT_SYMLINK_FOLLOW) -> /sub/new/hs: ok
unlink /sub/new/h: ok
rename /sub/new/g -> /../g2: ok
create through /dangling (-> /tmp/elfrun-jail-escape-check): ok
ls /tmp: elfrun-jail-escape-check 
rmdir /sub/gone/: ENOTDIR
mkdir /../../made: ok
chmod /a 0600: ok
utimensat /a: ok
truncate /t 3: ok
stat /etc/trunc: size 3
statfs /a: ok
chdir /a: ENOTDIR
chdir /up: ok, cwd /etc
child exec: exe=/bin/prog2 cwd=/etc /a=jail secret
execve /bin/prog2: status 0
child /bin/script: exe=/bin/prog2 cwd=/etc /a=jail secret
execve /bin/script (#!/bin/prog2 --child): status 0
child self: exe=/bin/prog cwd=/etc /a=jail secret
execve /proc/self/exe: status 0
/a after replacing and closing descriptors 3..255: jail secret
execve /bin/hosttrue (a host program): execve: ENOEXEC
execve /bin/hosttrue (a host program): status 127
";
    assert_eq!(out, expected, "stderr:\n{err}");

    // What the guest did happened inside the root, and nowhere else.
    assert!(!Path::new(ESCAPE).exists(), "{ESCAPE} created on the host");
    assert!(root.join("tmp/elfrun-jail-escape-check").is_file());
    assert_eq!(std::fs::read_to_string(root.join("g2")).unwrap(), "made\n");
    assert!(!root.join("sub/new/g").exists() && !root.join("sub/new/h").exists());
    assert_eq!(
        std::fs::read_link(root.join("sub/new/s")).unwrap(),
        Path::new("/etc/secret"),
        "symlink contents are stored as given"
    );
    let hs = std::fs::metadata(root.join("sub/new/hs")).unwrap();
    let secret = std::fs::metadata(root.join("etc/secret")).unwrap();
    assert_eq!(
        hs.ino(),
        secret.ino(),
        "hard link to the jail's /etc/secret"
    );
    assert_eq!(
        secret.mode() & 0o7777,
        0o600,
        "chmod reached the jail's file"
    );
    assert_eq!(
        secret.mtime(),
        1_000_000_000,
        "utimensat reached the jail's file"
    );
    assert_eq!(std::fs::metadata(root.join("etc/trunc")).unwrap().len(), 3);
    assert!(root.join("made").is_dir());
}

/// The program named on the command line and PATH are looked up inside the root, and the host cwd is kept when
/// it is inside the root.
#[test]
fn command_line_program_is_looked_up_in_the_root() {
    let prog = build("jail.c", &[]);
    let root = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("jail-root-path");
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(root.join("bin")).unwrap();
    std::fs::create_dir_all(root.join("etc")).unwrap();
    std::fs::copy(&prog, root.join("bin/prog")).unwrap();
    std::fs::write(root.join("etc/secret"), "path secret\n").unwrap();
    symlink("/etc/secret", root.join("a")).unwrap();
    let r = root.to_str().unwrap();

    // By PATH (/bin inside the root), and as an absolute path that does not exist on the host.
    let o = elfrun(&["--root", r, "prog", "--child", "path"], &ENV);
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        "child path: exe=/bin/prog cwd=/ /a=path secret\n",
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    // A host path to the program is not a path inside the root.
    let o = elfrun(&["--root", r, prog.to_str().unwrap()], &ENV);
    assert_eq!(status(&o), 126, "{}", String::from_utf8_lossy(&o.stderr));
    // The host cwd inside the root is kept (as after an exec in the jail).
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_elfrun"))
        .args(["--root", r, "/bin/prog", "--child", "cwd"])
        .current_dir(root.join("etc"))
        .env_clear()
        .envs(ENV)
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        "child cwd: exe=/bin/prog cwd=/etc /a=path secret\n"
    );
    // A root that does not exist is an error before anything runs.
    let o = elfrun(&["--root", "/nonexistent/root", "/bin/prog"], &ENV);
    assert_eq!(status(&o), 126);
    assert!(String::from_utf8_lossy(&o.stderr).contains("--root /nonexistent/root"));
}

/// The host's /proc bind-mounted inside the root (in a private user + mount namespace): its magic links
/// (`/proc/self/root`, `/proc/1/root`, `/proc/self/cwd`) would lead to the host's `/`; they must be refused.
#[test]
fn proc_magic_links_inside_the_root_do_not_lead_out() {
    let prog = build("jail.c", &[]);
    let root = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("jail-root-proc");
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(root.join("bin")).unwrap();
    std::fs::create_dir_all(root.join("proc")).unwrap();
    std::fs::copy(&prog, root.join("bin/prog")).unwrap();
    let o = std::process::Command::new("unshare")
        .args(["--user", "--map-root-user", "--mount", "sh", "-c"])
        .arg(r#"mount --bind /proc "$1/proc" || exit 111; exec "$2" --root "$1" /bin/prog --proc"#)
        .args(["sh", root.to_str().unwrap(), env!("CARGO_BIN_EXE_elfrun")])
        .env_clear()
        .envs(ENV)
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        status(&o) != 111 && o.status.success(),
        "needs unshare(1) with user namespaces: {}\n{out}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(
        out,
        "\
/proc/self/status readable: 1
/proc/self/root/etc/passwd: refused
/proc/1/root/etc/passwd: refused
/proc/self/cwd/../../../etc/passwd: refused
/proc/thread-self/root/etc/passwd: refused
/proc/self/root: refused
chdir /proc/self/root: refused
ls /proc/self/root/: refused
"
    );
}
