//! The initial process stack, laid out exactly as Linux's `create_elf_tables` does on arm64: strings at the top
//! (execfn, environment, arguments), then the platform string and AT_RANDOM bytes, then (16-byte aligned) argc,
//! argv[], NULL, envp[], NULL and the auxiliary vector.
//!
//! Owns: the auxiliary vector's contents. Must not: load the program or run it.

use crate::error::RtError;
use crate::host::random_bytes;
use crate::loader::Image;
use crate::vm::{AddressSpace, Kind, PROT_EXEC, PROT_READ, PROT_WRITE, STACK_SIZE, STACK_TOP};

pub const AT_NULL: u64 = 0;
pub const AT_PHDR: u64 = 3;
pub const AT_PHENT: u64 = 4;
pub const AT_PHNUM: u64 = 5;
pub const AT_PAGESZ: u64 = 6;
pub const AT_BASE: u64 = 7;
pub const AT_FLAGS: u64 = 8;
pub const AT_ENTRY: u64 = 9;
pub const AT_UID: u64 = 11;
pub const AT_EUID: u64 = 12;
pub const AT_GID: u64 = 13;
pub const AT_EGID: u64 = 14;
pub const AT_PLATFORM: u64 = 15;
pub const AT_HWCAP: u64 = 16;
pub const AT_CLKTCK: u64 = 17;
pub const AT_SECURE: u64 = 23;
pub const AT_RANDOM: u64 = 25;
pub const AT_HWCAP2: u64 = 26;
pub const AT_EXECFN: u64 = 31;
pub const AT_MINSIGSTKSZ: u64 = 51;

/// arm64's minimum signal stack size without SVE/SME state (what Linux reports on such a CPU).
pub const MINSIGSTKSZ: u64 = 4720;

/// What goes on the stack.
#[derive(Debug)]
pub struct StackInput<'a> {
    pub argv: &'a [Vec<u8>],
    pub envp: &'a [Vec<u8>],
    /// The path the program was executed as (AT_EXECFN).
    pub execfn: &'a [u8],
}

/// Maps the stack and writes the initial frame; returns the initial sp.
pub fn build(
    space: &mut AddressSpace,
    image: &Image,
    input: &StackInput<'_>,
) -> Result<u64, RtError> {
    let mut prot = PROT_READ | PROT_WRITE;
    if image.exec_stack {
        prot |= PROT_EXEC;
    }
    space.map_fixed(STACK_TOP - STACK_SIZE, STACK_TOP, prot, Kind::Stack);
    let mem = space.mem();
    // Arguments may use at most a quarter of the stack (Linux's limit with an 8 MiB RLIMIT_STACK).
    let limit = STACK_TOP - STACK_SIZE / 4;
    let mut sp = STACK_TOP - 8;
    let push_str = |sp: &mut u64, s: &[u8]| -> Result<u64, RtError> {
        let len = s.len() as u64 + 1;
        if *sp < limit + len {
            return Err(RtError::StackTooBig);
        }
        *sp -= len;
        mem.write_bytes(*sp, s).map_err(|_| RtError::StackTooBig)?;
        mem.store(*sp + s.len() as u64, 0, 1)
            .map_err(|_| RtError::StackTooBig)?;
        Ok(*sp)
    };
    let execfn = push_str(&mut sp, input.execfn)?;
    let mut envp = Vec::with_capacity(input.envp.len());
    for e in input.envp.iter().rev() {
        envp.push(push_str(&mut sp, e)?);
    }
    envp.reverse();
    let mut argv = Vec::with_capacity(input.argv.len());
    for a in input.argv.iter().rev() {
        argv.push(push_str(&mut sp, a)?);
    }
    argv.reverse();
    let platform = push_str(&mut sp, b"aarch64")?;
    sp &= !15;
    sp -= 16;
    let random = sp;
    let mut rnd = [0u8; 16];
    random_bytes(&mut rnd);
    mem.write_bytes(random, &rnd)
        .map_err(|_| RtError::StackTooBig)?;

    // SAFETY: none needed; plain id queries.
    let (uid, euid, gid, egid) = host_ids();
    let auxv: [(u64, u64); 19] = [
        (AT_MINSIGSTKSZ, MINSIGSTKSZ),
        (AT_HWCAP, elfrun_interp::cpu_model::HWCAP),
        (AT_PAGESZ, 4096),
        (AT_CLKTCK, 100),
        (AT_PHDR, image.phdr),
        (AT_PHENT, 56),
        (AT_PHNUM, image.phnum),
        (AT_BASE, 0),
        (AT_FLAGS, 0),
        (AT_ENTRY, image.entry),
        (AT_UID, uid),
        (AT_EUID, euid),
        (AT_GID, gid),
        (AT_EGID, egid),
        (AT_SECURE, 0),
        (AT_RANDOM, random),
        (AT_HWCAP2, elfrun_interp::cpu_model::HWCAP2),
        (AT_EXECFN, execfn),
        (AT_PLATFORM, platform),
    ];
    let words = 1 + argv.len() + 1 + envp.len() + 1 + 2 * (auxv.len() + 1);
    let frame = words as u64 * 8;
    if sp < limit + frame + 16 {
        return Err(RtError::StackTooBig);
    }
    sp = (sp - frame) & !15;
    let mut at = sp;
    let mut put = |v: u64| {
        let _ = mem.store(at, v, 8);
        at += 8;
    };
    put(argv.len() as u64);
    argv.iter().for_each(|&a| put(a));
    put(0);
    envp.iter().for_each(|&e| put(e));
    put(0);
    for (k, v) in auxv {
        put(k);
        put(v);
    }
    put(AT_NULL);
    put(0);
    Ok(sp)
}

fn host_ids() -> (u64, u64, u64, u64) {
    // These calls cannot fail.
    let r = |nr| crate::host::syscall(nr, &mut []).unwrap_or(0);
    (
        r(libc::SYS_getuid),
        r(libc::SYS_geteuid),
        r(libc::SYS_getgid),
        r(libc::SYS_getegid),
    )
}
