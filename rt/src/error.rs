//! The runtime's error type: everything that stops elfrun before or outside the guest's own control
//! (bad ELF files, a program that cannot be found, host resources). Guest-visible failures are errnos instead.

use std::path::PathBuf;

/// Why elfrun could not start (or keep running) a program. Messages say what was wrong and, where possible,
/// what to do.
#[derive(Debug, thiserror::Error)]
pub enum RtError {
    #[error("{0}: cannot read: {1}")]
    Read(PathBuf, std::io::Error),
    #[error("{0}: command not found (searched PATH)")]
    NotFound(String),
    #[error("{path}: not a valid ELF executable: {why}")]
    BadElf { path: PathBuf, why: ElfError },
    #[error(
        "elfrun runs static executables; {path} needs {interp} (a dynamically linked program: link it with -static)"
    )]
    Dynamic { path: PathBuf, interp: String },
    #[error("cannot set up guest memory: {0}")]
    Memory(String),
    #[error("--root {0}: {1}")]
    Root(PathBuf, std::io::Error),
    #[error("cannot build the initial stack: arguments and environment are too large")]
    StackTooBig,
    #[error("{0}")]
    Aot(String),
}

/// What is wrong with an ELF file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ElfError {
    #[error("file is too short ({0} bytes) to hold an ELF header")]
    TooShort(u64),
    #[error("no ELF magic number (not an ELF file)")]
    NotElf,
    #[error("ELF class {0} is not ELFCLASS64 (elfrun runs 64-bit AArch64 programs)")]
    WrongClass(u8),
    #[error("data encoding {0} is not little-endian")]
    WrongEndian(u8),
    #[error("unsupported ELF version {0}")]
    WrongVersion(u32),
    #[error("machine {0} is not AArch64 (EM_AARCH64 = 183)")]
    WrongMachine(u16),
    #[error("ELF type {0} is not an executable (ET_EXEC or ET_DYN)")]
    NotExecutable(u16),
    #[error("program header entry size {0} is not 56")]
    BadPhentsize(u16),
    #[error("{0} program headers is out of range (1..=73, like Linux)")]
    BadPhnum(u16),
    #[error("program headers (offset {off:#x}, {len} bytes) extend past the end of the file")]
    PhdrsOutOfFile { off: u64, len: u64 },
    #[error("PT_INTERP is malformed")]
    BadInterp,
    #[error("no loadable (PT_LOAD) segment")]
    NoLoad,
    #[error("segment {0}: file size is larger than memory size")]
    FileszOverMemsz(usize),
    #[error("segment {0}: file bytes {1:#x}..{2:#x} extend past the end of the file")]
    SegmentOutOfFile(usize, u64, u64),
    #[error("segment {0}: address and file offset are not congruent modulo the page size")]
    Misaligned(usize),
    #[error("segment {0}: {1:#x}..{2:#x} does not fit the 4 GiB guest address space")]
    OutOfSpace(usize, u64, u64),
    #[error("segments {0} and {1} overlap")]
    Overlap(usize, usize),
    #[error("entry point {0:#x} is not inside an executable segment")]
    BadEntry(u64),
}
