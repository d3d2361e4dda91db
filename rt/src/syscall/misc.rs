//! System information and randomness: uname (machine "aarch64"), sysinfo, getrandom.

use super::{SysResult, host};
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
