//! Static C programs (glibc, `aarch64-linux-gnu-gcc -static`) run under elfrun and qemu-aarch64-static with
//! stdout and exit status compared: the initial stack and auxv, file-system syscalls, heap and mapping stress.

mod common;

use common::{build, same_as_qemu, status};

#[test]
fn argv_env_auxv() {
    let p = build("args_env.c", &[]);
    // One variable: qemu 7.2 hands the guest its environment in reverse order (Linux keeps execve's order,
    // which `argv0_and_environment_options` checks for elfrun).
    let env = [("X", "a=b=c")];
    let o = same_as_qemu(&p, &["one", "two words", "", "-v"], &env);
    assert_eq!(status(&o), 15);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("argv[2]=two words\n"), "{out}");
    assert!(out.contains("env: X=a=b=c\n"), "{out}");
    assert!(out.contains("AT_PLATFORM=aarch64\n"), "{out}");
    assert!(out.contains("initial sp 16-aligned=1\n"), "{out}");
}

#[test]
fn argv0_and_environment_options() {
    let p = build("args_env.c", &[]);
    let o = common::elfrun(
        &[
            "-0",
            "renamed",
            "-E",
            "A=1",
            "-E",
            "B=2",
            "-U",
            "B",
            "-U",
            "DROP",
            p.to_str().unwrap(),
            "x",
        ],
        &[("DROP", "yes"), ("KEEP", "k")],
    );
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("argv[0]=renamed\n"), "{out}");
    assert!(out.contains("env: KEEP=k\nenv: A=1\nenv: B=2\n"), "{out}");
    assert!(!out.contains("DROP"), "{out}");
    // Unsets apply before sets, so B, set with -E and removed with -U, stays set.
}

#[test]
fn file_operations() {
    let p = build("fileops.c", &[]);
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let (a, b) = (dir.join("fileops-elfrun"), dir.join("fileops-qemu"));
    for d in [&a, &b] {
        let _ = std::fs::remove_dir_all(d);
        std::fs::create_dir_all(d).unwrap();
    }
    let ours = common::elfrun(&[p.to_str().unwrap(), a.to_str().unwrap()], &[]);
    let theirs = common::qemu(&[p.to_str().unwrap(), b.to_str().unwrap()], &[]);
    assert_eq!(
        String::from_utf8_lossy(&ours.stdout),
        String::from_utf8_lossy(&theirs.stdout),
        "stderr: {}",
        String::from_utf8_lossy(&ours.stderr)
    );
    assert_eq!(status(&ours), 0);
}

#[test]
fn heap_and_mapping_stress() {
    let p = build("mm_stress.c", &[]);
    let o = same_as_qemu(&p, &[], &[]);
    assert_eq!(status(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    assert!(o.stdout.ends_with(b"ok\n"));
}

#[test]
fn process_time_signal_bookkeeping_and_sysinfo() {
    let p = build("misc_sys.c", &[]);
    let o = same_as_qemu(&p, &[], &[]);
    assert_eq!(status(&o), 9);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("machine=aarch64\n") && out.contains("write(bad pointer)=-1 errno=14\n"),
        "{out}"
    );
    // Fatal signals sent to itself: the status a shell reports (SIGTERM 143, SIGABRT 134).
    assert_eq!(status(&same_as_qemu(&p, &["term"], &[])), 143);
    assert_eq!(status(&same_as_qemu(&p, &["abort"], &[])), 134);
}

#[test]
fn self_modifying_code_and_remapped_code() {
    let p = build("jit.c", &[]);
    let o = same_as_qemu(&p, &[], &[]);
    assert_eq!(status(&o), 0);
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        "rewritten 20 times: sum=210\nafter mprotect: 77\nafter remap: 99\n"
    );
}
