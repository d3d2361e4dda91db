//! Shared helpers for the whole-program tests: build small AArch64 programs with the cross toolchain and run
//! them under elfrun and under qemu-aarch64-static (the reference), comparing output and exit status.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Guest sources live in `rt/tests/runtime_guest/`. The manifest directory is taken at run time (cargo sets it for
/// every test process): checkouts sharing one target directory may share a test binary built in another of them.
pub fn source(name: &str) -> PathBuf {
    (std::env::var_os("CARGO_MANIFEST_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into()))
    .join("tests/runtime_guest")
    .join(name)
}

fn tmp() -> PathBuf {
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("runtime_guest");
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Compiles `name` (a `.S` or `.c` file in tests/runtime_guest) with `aarch64-linux-gnu-gcc -static` and `extra` flags.
///
/// Tests running in parallel may build the same program: each compiles to a private file and renames it into
/// place, so a test never executes a binary another test is still writing.
pub fn build(name: &str, extra: &[&str]) -> PathBuf {
    build_as(
        name,
        Path::new(name).file_stem().unwrap().to_str().unwrap(),
        extra,
    )
}

/// [`build`] into the file `out` (for a second build of one source with other flags).
pub fn build_as(name: &str, out: &str, extra: &[&str]) -> PathBuf {
    use std::sync::atomic::{AtomicU64, Ordering};
    static SEQ: AtomicU64 = AtomicU64::new(0);
    let out = tmp().join(out);
    let partial = out.with_extension(format!(
        "partial.{}.{}",
        std::process::id(),
        SEQ.fetch_add(1, Ordering::Relaxed)
    ));
    let st = Command::new("aarch64-linux-gnu-gcc")
        .args(["-static", "-O1", "-o"])
        .arg(&partial)
        .arg(source(name))
        .args(extra)
        .status()
        .expect("aarch64-linux-gnu-gcc is needed (scripts/setup-test-deps.sh installs it)");
    assert!(st.success(), "building {name} failed");
    std::fs::rename(&partial, &out).unwrap();
    out
}

/// A program of Debian's arm64 corpus (busybox-static, bash-static), which `scripts/setup-test-deps.sh` unpacks
/// into `${ELFRUN_CORPUS:-~/.cache/elfrun-corpus}/root/bin`.
pub fn corpus(name: &str) -> PathBuf {
    let root = std::env::var_os("ELFRUN_CORPUS").map_or_else(
        || PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cache/elfrun-corpus"),
        PathBuf::from,
    );
    let p = root.join("root/bin").join(name);
    assert!(
        p.exists(),
        "{} is missing: install the test dependencies with scripts/setup-test-deps.sh",
        p.display()
    );
    p
}

/// Exit status as a shell reports it: the code, or 128 + the signal that killed the process.
pub fn status(o: &Output) -> i32 {
    use std::os::unix::process::ExitStatusExt;
    o.status
        .code()
        .unwrap_or_else(|| 128 + o.status.signal().unwrap_or(0))
}

pub fn elfrun(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_elfrun"));
    c.args(args).env_clear().envs(env.iter().copied());
    c.output().unwrap()
}

pub fn qemu(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new("qemu-aarch64-static");
    c.args(args).env_clear().envs(env.iter().copied());
    c.output()
        .expect("qemu-aarch64-static is needed (scripts/setup-test-deps.sh installs it)")
}

/// Runs `prog args` under both and asserts equal stdout and exit status; returns elfrun's output.
pub fn same_as_qemu(prog: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let p = prog.to_str().unwrap();
    let mut all = vec![p];
    all.extend_from_slice(args);
    let ours = elfrun(&all, env);
    let theirs = qemu(&all, env);
    let so = String::from_utf8_lossy(&ours.stdout);
    let st = String::from_utf8_lossy(&theirs.stdout);
    assert_eq!(
        so,
        st,
        "stdout differs for {p} {args:?}\nelfrun stderr: {}",
        String::from_utf8_lossy(&ours.stderr)
    );
    assert_eq!(
        status(&ours),
        status(&theirs),
        "exit status differs for {p} {args:?}\nelfrun stderr: {}",
        String::from_utf8_lossy(&ours.stderr)
    );
    assert!(!String::from_utf8_lossy(&ours.stderr).contains("panicked"));
    ours
}

/// Runs `args` under qemu-aarch64-static with qemu also registered (in a private binfmt_misc namespace, see
/// scripts/binfmt-ns.sh) for every AArch64 program the guest execs: the reference for programs that exec.
pub fn qemu_binfmt(args: &[&str], env: &[(&str, &str)]) -> Output {
    let script = (std::env::var_os("CARGO_MANIFEST_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into()))
    .join("../scripts/binfmt-ns.sh");
    let mut c = Command::new(script);
    c.arg("/usr/libexec/qemu-binfmt/aarch64-binfmt-P")
        .args(args)
        .env_clear()
        .envs(env.iter().copied());
    let o = c.output().unwrap();
    assert!(
        !matches!(o.status.code(), Some(111..=113)),
        "scripts/binfmt-ns.sh could not set up binfmt_misc (needs Linux >= 6.7 and user namespaces): {}",
        String::from_utf8_lossy(&o.stderr)
    );
    o
}

/// One program header of [`elf_file`].
#[derive(Clone, Copy, Debug)]
pub struct Seg {
    pub ptype: u32,
    pub flags: u32,
    pub offset: u64,
    pub vaddr: u64,
    pub filesz: u64,
    pub memsz: u64,
}

/// A static AArch64 ELF file (ET_EXEC, no section headers) built byte by byte: the ELF header, `segs` as its
/// program headers, then `payload`.
pub fn elf_file(segs: &[Seg], entry: u64, payload: &[u8]) -> Vec<u8> {
    const EHDR: usize = 64;
    const PHDR: usize = 56;
    let mut f = Vec::new();
    f.extend_from_slice(b"\x7fELF");
    f.extend_from_slice(&[2, 1, 1, 0]); // ELFCLASS64, little-endian, version 1, SysV ABI
    f.extend_from_slice(&[0; 8]);
    f.extend_from_slice(&2u16.to_le_bytes()); // ET_EXEC
    f.extend_from_slice(&183u16.to_le_bytes()); // EM_AARCH64
    f.extend_from_slice(&1u32.to_le_bytes());
    f.extend_from_slice(&entry.to_le_bytes());
    f.extend_from_slice(&(EHDR as u64).to_le_bytes()); // e_phoff
    f.extend_from_slice(&0u64.to_le_bytes()); // e_shoff
    f.extend_from_slice(&0u32.to_le_bytes()); // e_flags
    f.extend_from_slice(&(EHDR as u16).to_le_bytes());
    f.extend_from_slice(&(PHDR as u16).to_le_bytes());
    f.extend_from_slice(&(segs.len() as u16).to_le_bytes());
    f.extend_from_slice(&[0; 6]); // shentsize, shnum, shstrndx
    assert_eq!(f.len(), EHDR);
    for s in segs {
        f.extend_from_slice(&s.ptype.to_le_bytes());
        f.extend_from_slice(&s.flags.to_le_bytes());
        f.extend_from_slice(&s.offset.to_le_bytes());
        f.extend_from_slice(&s.vaddr.to_le_bytes());
        f.extend_from_slice(&s.vaddr.to_le_bytes()); // p_paddr
        f.extend_from_slice(&s.filesz.to_le_bytes());
        f.extend_from_slice(&s.memsz.to_le_bytes());
        f.extend_from_slice(&4096u64.to_le_bytes());
    }
    f.extend_from_slice(payload);
    f
}
