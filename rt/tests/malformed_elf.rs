//! Malformed ELF files: elfrun must refuse each one with a clear message and a non-zero exit, never panic.
//!
//! The base file is a minimal static AArch64 ELF built here byte by byte: one PT_LOAD (R+X) holding
//! `mov x0, #42; mov x8, #93; svc #0` (encodings checked with aarch64-linux-gnu-as/objdump), so a valid
//! variant must exit with status 42.

mod common;

use common::Seg;
use std::path::PathBuf;
use std::process::Command;

const CODE: [u32; 3] = [0xd280_0540, 0xd280_0ba8, 0xd400_0001];
const BASE: u64 = 0x40_0000;
const EHDR: usize = 64;
const PHDR: usize = 56;

/// ELF header + `segs` program headers + code; code at file offset `EHDR + n*PHDR`, mapped at BASE + offset.
fn elf(segs: &[Seg], entry: u64) -> Vec<u8> {
    let code: Vec<u8> = CODE.iter().flat_map(|w| w.to_le_bytes()).collect();
    common::elf_file(segs, entry, &code)
}

/// The one-segment program: the whole file mapped at BASE, entry at the code.
fn good_parts() -> (Seg, u64) {
    let len = (EHDR + PHDR + 12) as u64;
    let seg = Seg {
        ptype: 1,
        flags: 5,
        offset: 0,
        vaddr: BASE,
        filesz: len,
        memsz: len,
    };
    (seg, BASE + (EHDR + PHDR) as u64)
}

fn good() -> Vec<u8> {
    let (s, e) = good_parts();
    elf(&[s], e)
}

fn write_tmp(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("malformed");
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

/// Runs elfrun on the bytes; returns (exit code, stderr).
fn run(name: &str, bytes: &[u8]) -> (i32, String) {
    let p = write_tmp(name, bytes);
    let out = Command::new(env!("CARGO_BIN_EXE_elfrun"))
        .arg(&p)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Asserts a clean refusal mentioning `expect`.
fn refused(name: &str, bytes: &[u8], expect: &str) {
    let (code, err) = run(name, bytes);
    assert_ne!(code, 0, "{name}: must fail");
    assert_ne!(code, 42, "{name}: must not run");
    assert!(!err.contains("panicked"), "{name}: panicked: {err}");
    assert!(
        err.starts_with("elfrun: "),
        "{name}: unclear message: {err}"
    );
    assert!(
        err.contains(expect),
        "{name}: expected {expect:?} in {err:?}"
    );
}

#[test]
fn the_base_file_is_valid_and_runs() {
    let (code, err) = run("good", &good());
    assert_eq!(code, 42, "stderr: {err}");
}

#[test]
fn truncated_at_every_length() {
    let g = good();
    for len in 0..g.len() {
        let (code, err) = run(&format!("trunc{len}"), &g[..len]);
        assert!(code != 0 && code != 42, "truncated to {len}: exit {code}");
        assert!(!err.contains("panicked"), "truncated to {len}: {err}");
        assert!(
            err.contains("not a valid ELF executable"),
            "truncated to {len}: {err}"
        );
    }
}

#[test]
fn wrong_identity() {
    let mut f = good();
    f[4] = 1;
    refused("class32", &f, "ELF class 1 is not ELFCLASS64");
    let mut f = good();
    f[5] = 2;
    refused("bigendian", &f, "not little-endian");
    let mut f = good();
    f[18..20].copy_from_slice(&62u16.to_le_bytes());
    refused("x86", &f, "machine 62 is not AArch64");
    let mut f = good();
    f[16..18].copy_from_slice(&1u16.to_le_bytes());
    refused("relocatable", &f, "ELF type 1 is not an executable");
    let mut f = good();
    f[0] = b'#';
    refused("notelf", &f, "no ELF magic");
    refused("text", b"#!/bin/sh\necho hi\n", "no ELF magic");
}

#[test]
fn bad_program_headers() {
    let mut f = good();
    f[54..56].copy_from_slice(&32u16.to_le_bytes());
    refused("phentsize", &f, "program header entry size 32");
    let mut f = good();
    f[56..58].copy_from_slice(&0u16.to_le_bytes());
    refused("phnum0", &f, "0 program headers");
    let mut f = good();
    f[56..58].copy_from_slice(&1000u16.to_le_bytes());
    refused("phnum_many", &f, "1000 program headers");
    let mut f = good();
    f[56..58].copy_from_slice(&60u16.to_le_bytes());
    refused("phdrs_past_eof", &f, "extend past the end of the file");
    let mut f = good();
    f[32..40].copy_from_slice(&u64::MAX.to_le_bytes());
    refused("phoff_huge", &f, "extend past the end of the file");
}

#[test]
fn bad_segments() {
    let (s, e) = good_parts();
    refused(
        "filesz_gt_memsz",
        &elf(&[Seg { memsz: 8, ..s }], e),
        "file size is larger than memory size",
    );
    refused(
        "out_of_file",
        &elf(
            &[Seg {
                filesz: 1 << 20,
                memsz: 1 << 20,
                ..s
            }],
            e,
        ),
        "extend past the end of the file",
    );
    refused(
        "offset_huge",
        &elf(
            &[Seg {
                offset: u64::MAX - 4,
                ..s
            }],
            e,
        ),
        "extend past the end of the file",
    );
    refused(
        "memsz_huge",
        &elf(
            &[Seg {
                memsz: u64::MAX - 10,
                ..s
            }],
            e,
        ),
        "does not fit the 4 GiB guest address space",
    );
    refused(
        "memsz_8gib",
        &elf(
            &[Seg {
                memsz: 8 << 30,
                ..s
            }],
            e,
        ),
        "does not fit the 4 GiB guest address space",
    );
    refused(
        "above_4gib",
        &elf(
            &[Seg {
                vaddr: 1 << 40,
                ..s
            }],
            (1 << 40) + 120,
        ),
        "does not fit the 4 GiB guest address space",
    );
    refused(
        "page_zero",
        &elf(&[Seg { vaddr: 0, ..s }], 120),
        "does not fit the 4 GiB guest address space",
    );
    refused(
        "misaligned",
        &elf(
            &[Seg {
                vaddr: BASE + 8,
                ..s
            }],
            e + 8,
        ),
        "not congruent",
    );
    let second = Seg {
        vaddr: BASE + 0x40,
        offset: 0x40,
        filesz: 8,
        memsz: 8,
        ..s
    };
    refused("overlap", &elf(&[s, second], e), "overlap");
    refused("no_load", &elf(&[Seg { ptype: 4, ..s }], e), "no loadable");
}

#[test]
fn bad_entry() {
    let (s, e) = good_parts();
    refused(
        "entry_outside",
        &elf(&[s], 0x1234_5678),
        "entry point 0x12345678",
    );
    refused(
        "entry_not_exec",
        &elf(&[Seg { flags: 6, ..s }], e),
        "not inside an executable segment",
    );
}

#[test]
fn dynamic_programs_name_their_interpreter() {
    let (s, e) = good_parts();
    let mut f = elf(&[s, s], e);
    // Second header becomes PT_INTERP pointing at a string appended to the file.
    let interp = b"/lib/ld-linux-aarch64.so.1\0";
    let off = f.len() as u64;
    f.extend_from_slice(interp);
    let h = EHDR + PHDR;
    f[h..h + 4].copy_from_slice(&3u32.to_le_bytes());
    f[h + 8..h + 16].copy_from_slice(&off.to_le_bytes());
    f[h + 32..h + 40].copy_from_slice(&(interp.len() as u64).to_le_bytes());
    refused("dynamic", &f, "elfrun runs static executables; ");
    let (_, err) = run("dynamic", &f);
    assert!(err.contains("needs /lib/ld-linux-aarch64.so.1"), "{err}");
}

#[test]
fn missing_programs_are_reported() {
    let out = Command::new(env!("CARGO_BIN_EXE_elfrun"))
        .arg("elfrun-no-such-program-xyz")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_ne!(out.status.code(), Some(0));
    assert!(err.contains("command not found"), "{err}");
    let out = Command::new(env!("CARGO_BIN_EXE_elfrun"))
        .arg("/nonexistent/prog")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("/nonexistent/prog") && !err.contains("panicked"),
        "{err}"
    );
}
