//! System information and randomness: uname (machine "aarch64"), sysinfo, getrandom; and the socket queries
//! programs make on their standard streams (getsockname/getpeername: `struct sockaddr` is the same on both ABIs).

use super::{Stop, SysResult, host};
use crate::guest::Guest;
use crate::host::Arg;

/// `struct utsname`: six 65-byte fields; the fifth is `machine`.
pub fn uname(g: &mut Guest, a: [u64; 6]) -> SysResult {
    let mut u = [0u8; 390];
    host(libc::SYS_uname, &mut [Arg::Out(&mut u)])?;
    let machine = &mut u[4 * 65..5 * 65];
    machine.fill(0);
    machine[..7].copy_from_slice(b"aarch64");
    g.write_guest(a[0], &u)?;
    Ok(0)
}

/// `struct sysinfo` is 112 bytes on both 64-bit ABIs.
pub fn sysinfo(g: &mut Guest, a: [u64; 6]) -> SysResult {
    let b = g.buf(a[0], 112)?;
    host(libc::SYS_sysinfo, &mut [Arg::Guest(b)])
}

pub fn getrandom(g: &mut Guest, a: [u64; 6]) -> SysResult {
    let b = g.buf(a[0], a[1])?;
    host(
        libc::SYS_getrandom,
        &mut [Arg::Guest(b), Arg::Int(a[1]), Arg::Int(a[2])],
    )
}

/// `getsockname`/`getpeername(fd, addr, addrlen)`: `addrlen` is a u32 in/out.
pub fn getsockname(g: &mut Guest, a: [u64; 6], nr: libc::c_long) -> SysResult {
    let len = g
        .space
        .mem()
        .load(a[2], 4)
        .map_err(|_| Stop::Errno(libc::EFAULT))?;
    let addr = g.buf(a[1], len)?;
    let lenb = g.buf(a[2], 4)?;
    host(
        nr,
        &mut [Arg::Int(a[0]), Arg::Guest(addr), Arg::Guest(lenb)],
    )
}
