//! Whole programs written in assembly (only the instruction classes the interpreter has had from the start:
//! MOV/ADD/SUB immediate, branches, SVC), run under elfrun and qemu-aarch64-static with output and exit status
//! compared.

mod common;

use common::{build, elfrun, same_as_qemu, status};

#[test]
fn hello_world_and_exit_status() {
    let p = build("hello.S", &["-nostdlib"]);
    let o = same_as_qemu(&p, &[], &[]);
    assert_eq!(o.stdout, b"hello, world\n");
    assert_eq!(status(&o), 42);
}

#[test]
fn mmap_munmap_fixed_mremap() {
    let p = build("mmap_zero.S", &["-nostdlib"]);
    let o = same_as_qemu(&p, &[], &[]);
    assert_eq!(status(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(o.stdout, b"\0\0mapped\0\0\0\0\0\0\0\0\0\0\0\0");
}

#[test]
fn fatal_events_give_shell_statuses() {
    for (entry, code, msg) in [
        ("undefined", 132, "elfrun: illegal instruction at 0x"),
        (
            "breakpoint",
            133,
            "elfrun: trace/breakpoint trap (brk #0x7)",
        ),
        ("fetch", 139, "elfrun: segmentation fault at address 0x10"),
        ("selfkill", 143, ""),
    ] {
        let exe = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("guests/signals_{entry}"));
        let st = std::process::Command::new("aarch64-linux-gnu-gcc")
            .args(["-static", "-nostdlib", &format!("-Wl,-e,{entry}"), "-o"])
            .arg(&exe)
            .arg(common::source("signals.S"))
            .status()
            .unwrap();
        assert!(st.success());
        let o = same_as_qemu(&exe, &[], &[]);
        assert_eq!(status(&o), code, "{entry}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(msg), "{entry}: {err}");
    }
}

#[test]
fn undefined_instruction_message_names_the_word() {
    let exe =
        std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("guests/signals_undef_msg");
    let st = std::process::Command::new("aarch64-linux-gnu-gcc")
        .args(["-static", "-nostdlib", "-Wl,-e,undefined", "-o"])
        .arg(&exe)
        .arg(common::source("signals.S"))
        .status()
        .unwrap();
    assert!(st.success());
    let o = elfrun(&[exe.to_str().unwrap()], &[]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("(0x00000000, "), "{err}");
}

#[test]
fn strace_prints_one_line_per_syscall() {
    let p = build("hello.S", &["-nostdlib"]);
    let o = elfrun(&["--strace", p.to_str().unwrap()], &[]);
    let err = String::from_utf8_lossy(&o.stderr);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 2, "{err}");
    assert!(
        lines[0].starts_with("write(1, 0x") && lines[0].ends_with(", 13) = 13"),
        "{err}"
    );
    assert_eq!(lines[1], "exit(42) = ? (exit 42)");
}
