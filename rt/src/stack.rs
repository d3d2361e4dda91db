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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::HostMemory;

    fn string_at(mem: &elfrun_interp::GuestMem, mut at: u64) -> Vec<u8> {
        let mut s = Vec::new();
        while let Ok(b) = mem.load(at, 1) {
            if b == 0 {
                break;
            }
            s.push(b as u8);
            at += 1;
        }
        s
    }

    /// The layout of Linux's `create_elf_tables` (fs/binfmt_elf.c) on arm64.
    #[test]
    fn frame_is_laid_out_like_linux() {
        let mut space = AddressSpace::new(HostMemory::new().unwrap());
        let image = Image {
            entry: 0x40_1000,
            phdr: 0x40_0040,
            phnum: 6,
            brk: 0x50_0000,
            exec_stack: false,
            bias: 0,
        };
        let argv = [b"prog".to_vec(), b"arg one".to_vec(), Vec::new()];
        let envp = [b"A=1".to_vec(), b"B=".to_vec()];
        let input = StackInput {
            argv: &argv,
            envp: &envp,
            execfn: b"/bin/prog",
        };
        let sp = build(&mut space, &image, &input).unwrap();
        let mem = space.mem();
        let word = |i: u64| mem.load(sp + 8 * i, 8).unwrap();
        assert_eq!(sp % 16, 0);
        assert_eq!(word(0), 3, "argc");
        let strs: Vec<Vec<u8>> = (1..=3).map(|i| string_at(&mem, word(i))).collect();
        assert_eq!(strs, argv);
        assert_eq!(word(4), 0);
        assert_eq!(string_at(&mem, word(5)), b"A=1");
        assert_eq!(string_at(&mem, word(6)), b"B=");
        assert_eq!(word(7), 0);
        // argv strings lie below the environment strings, which lie below execfn at the very top.
        assert!(word(1) < word(2) && word(3) < word(5) && word(6) < STACK_TOP);
        let mut keys = Vec::new();
        let mut i = 8;
        loop {
            let (k, v) = (word(i), word(i + 1));
            keys.push(k);
            match k {
                AT_NULL => break,
                AT_EXECFN => assert_eq!(string_at(&mem, v), b"/bin/prog"),
                AT_PLATFORM => assert_eq!(string_at(&mem, v), b"aarch64"),
                AT_RANDOM => assert!(v > sp && v + 16 <= word(1)),
                AT_PAGESZ => assert_eq!(v, 4096),
                AT_ENTRY => assert_eq!(v, 0x40_1000),
                AT_PHDR => assert_eq!(v, 0x40_0040),
                AT_PHNUM => assert_eq!(v, 6),
                AT_PHENT => assert_eq!(v, 56),
                AT_CLKTCK => assert_eq!(v, 100),
                AT_HWCAP => assert_eq!(v, elfrun_interp::cpu_model::HWCAP),
                _ => {}
            }
            i += 2;
        }
        assert_eq!(
            keys,
            [
                AT_MINSIGSTKSZ,
                AT_HWCAP,
                AT_PAGESZ,
                AT_CLKTCK,
                AT_PHDR,
                AT_PHENT,
                AT_PHNUM,
                AT_BASE,
                AT_FLAGS,
                AT_ENTRY,
                AT_UID,
                AT_EUID,
                AT_GID,
                AT_EGID,
                AT_SECURE,
                AT_RANDOM,
                AT_HWCAP2,
                AT_EXECFN,
                AT_PLATFORM,
                AT_NULL
            ]
        );
    }

    #[test]
    fn oversized_arguments_are_refused() {
        let mut space = AddressSpace::new(HostMemory::new().unwrap());
        let image = Image {
            entry: 0x40_1000,
            phdr: 0,
            phnum: 1,
            brk: 0x50_0000,
            exec_stack: false,
            bias: 0,
        };
        let big = vec![vec![b'x'; 1 << 20]; 3];
        let input = StackInput {
            argv: &big,
            envp: &[],
            execfn: b"p",
        };
        assert!(matches!(
            build(&mut space, &image, &input),
            Err(RtError::StackTooBig)
        ));
    }
}
