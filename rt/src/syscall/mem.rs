//! Memory-management syscalls: brk, mmap (anonymous and file-backed, copied in), munmap, mprotect, mremap,
//! madvise. Placement and VMA bookkeeping live in [`crate::vm`]; this module decodes arguments and copies file
//! bytes.

use super::{Stop, SysResult, host};
use crate::guest::Guest;
use crate::host::Arg;
use crate::vm::Kind;

const MAP_SHARED: u64 = 0x01;
const MAP_PRIVATE: u64 = 0x02;
const MAP_SHARED_VALIDATE: u64 = 0x03;
const MAP_FIXED: u64 = 0x10;
const MAP_ANONYMOUS: u64 = 0x20;
const MAP_FIXED_NOREPLACE: u64 = 0x10_0000;

pub fn brk(g: &mut Guest, a: [u64; 6]) -> SysResult {
    Ok(g.space.brk(a[0]))
}

/// `mmap(addr, len, prot, flags, fd, offset)`. File mappings are private copies of the file's bytes: writes to a
/// MAP_SHARED file mapping do not reach the file.
pub fn mmap(g: &mut Guest, a: [u64; 6]) -> SysResult {
    let (hint, len, prot, flags, fd, off) = (a[0], a[1], a[2] as u32, a[3], a[4] as i32, a[5]);
    let kind = flags & 0x0f;
    if !matches!(kind, MAP_SHARED | MAP_PRIVATE | MAP_SHARED_VALIDATE) || prot & !7 != 0 {
        return Err(Stop::Errno(libc::EINVAL));
    }
    if !off.is_multiple_of(4096) {
        return Err(Stop::Errno(libc::EINVAL));
    }
    let anon = flags & MAP_ANONYMOUS != 0;
    if !anon {
        // Check the descriptor before changing the address space (EBADF, EACCES, ENODEV as Linux would).
        let mut st = [0u8; 256];
        host(
            libc::SYS_statx,
            &mut [
                Arg::Int(fd as u64),
                Arg::Str(c""),
                Arg::Int(0x1000),
                Arg::Int(libc::STATX_TYPE as u64),
                Arg::Out(&mut st),
            ],
        )?;
        let mode = u16::from_le_bytes([st[28], st[29]]) as u32;
        if mode & libc::S_IFMT == libc::S_IFDIR {
            return Err(Stop::Errno(libc::ENODEV));
        }
    }
    if kind != MAP_PRIVATE && !anon {
        tracing::debug!("MAP_SHARED file mapping is a private copy");
    }
    let fixed = flags & MAP_FIXED != 0;
    let noreplace = flags & MAP_FIXED_NOREPLACE != 0;
    let vkind = if anon { Kind::Anon } else { Kind::File };
    let addr = g.space.mmap(hint, len, prot, fixed, noreplace, vkind)?;
    if !anon {
        // Copy the file's bytes in; past end of file the mapping reads zeros (Linux would SIGBUS past the last
        // page, a documented difference).
        let buf = g.buf(addr, len)?;
        let mut done = 0u64;
        while done < len {
            let b = g.buf(addr + done, len - done)?;
            let n = host(
                libc::SYS_pread64,
                &mut [
                    Arg::Int(fd as u64),
                    Arg::Guest(b),
                    Arg::Int(len - done),
                    Arg::Int(off + done),
                ],
            )?;
            if n == 0 {
                break;
            }
            done += n;
        }
        let _ = buf;
    }
    Ok(addr)
}

pub fn munmap(g: &mut Guest, a: [u64; 6]) -> SysResult {
    g.space.munmap(a[0], a[1])?;
    Ok(0)
}

pub fn mprotect(g: &mut Guest, a: [u64; 6]) -> SysResult {
    // PROT_GROWSDOWN / PROT_GROWSUP (high bits) apply to the whole stack mapping: accept and ignore them.
    let prot = (a[2] & 7) as u32;
    if a[2] & !(7 | 0x0100_0000 | 0x0200_0000) != 0 {
        return Err(Stop::Errno(libc::EINVAL));
    }
    g.space.mprotect(a[0], a[1], prot)?;
    Ok(0)
}

pub fn mremap(g: &mut Guest, a: [u64; 6]) -> SysResult {
    Ok(g.space.mremap(a[0], a[1], a[2], a[3], a[4])?)
}

pub fn madvise(g: &mut Guest, a: [u64; 6]) -> SysResult {
    g.space.madvise(a[0], a[1], a[2] as i32)?;
    Ok(0)
}
