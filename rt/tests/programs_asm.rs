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
            .join(format!("runtime_guest/signals_{entry}"));
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
    let exe = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("runtime_guest/signals_undef_msg");
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

#[test]
fn static_pie_is_loaded_low() {
    let exe = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("runtime_guest/hello_pie");
    let st = std::process::Command::new("aarch64-linux-gnu-gcc")
        .args(["-nostdlib", "-static-pie", "-o"])
        .arg(&exe)
        .arg(common::source("hello.S"))
        .status()
        .unwrap();
    assert!(st.success());
    let o = same_as_qemu(&exe, &[], &[]);
    assert_eq!(status(&o), 42);
    let o = elfrun(&["--strace", exe.to_str().unwrap()], &[]);
    let err = String::from_utf8_lossy(&o.stderr);
    // The message address is below 4 GiB: the load base is low.
    let addr = err
        .split("write(1, 0x")
        .nth(1)
        .and_then(|s| s.split(',').next())
        .unwrap();
    assert!(u64::from_str_radix(addr, 16).unwrap() < 1 << 32, "{err}");
}

#[test]
fn command_line_forms() {
    let p = build("hello.S", &["-nostdlib"]);
    let path = p.to_str().unwrap();
    let dir = p.parent().unwrap().to_str().unwrap();
    assert_eq!(status(&elfrun(&["run", path], &[])), 42);
    assert_eq!(
        status(&elfrun(&["hello"], &[("PATH", dir)])),
        42,
        "PATH search"
    );
    assert_eq!(
        status(&elfrun(&["run", "hello", "x"], &[("PATH", dir)])),
        42
    );
    assert_eq!(
        status(&elfrun(&["--binfmt-p", path, "argv0", "arg1"], &[])),
        42
    );
    let link = p.parent().unwrap().join("elfrun-binfmt");
    let _ = std::fs::remove_file(&link);
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_elfrun"), &link).unwrap();
    let o = std::process::Command::new(&link)
        .args([path, "argv0", "--strace"])
        .output()
        .unwrap();
    assert_eq!(status(&o), 42);
    assert!(
        o.stderr.is_empty(),
        "--strace after ARGV0 belongs to the guest"
    );
    let help = elfrun(&["--help"], &[]);
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(
        help.contains("Examples:") && help.contains("binfmt_misc"),
        "{help}"
    );
}
