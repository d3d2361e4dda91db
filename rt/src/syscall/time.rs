//! Clocks, sleeping and CPU-time accounting. `timespec`, `timeval`, `struct tms` and `struct rusage` have the
//! same layout on arm64 and x86-64, so everything passes through to the host.

use super::{SysResult, host, host_blocking};
use crate::guest::Guest;
use crate::host::Arg;

pub fn clock_gettime(g: &mut Guest, a: [u64; 6]) -> SysResult {
    let b = g.buf(a[1], 16)?;
    host(
        libc::SYS_clock_gettime,
        &mut [Arg::Int(a[0]), Arg::Guest(b)],
    )
}

pub fn clock_getres(g: &mut Guest, a: [u64; 6]) -> SysResult {
    let b = g.opt_buf(a[1], 16)?;
    host(libc::SYS_clock_getres, &mut [Arg::Int(a[0]), b])
}

pub fn gettimeofday(g: &mut Guest, a: [u64; 6]) -> SysResult {
    let (tv, tz) = (g.opt_buf(a[0], 16)?, g.opt_buf(a[1], 8)?);
    host(libc::SYS_gettimeofday, &mut [tv, tz])
}

pub fn nanosleep(g: &mut Guest, a: [u64; 6]) -> SysResult {
    let req = g.buf(a[0], 16)?;
    let rem = g.opt_buf(a[1], 16)?;
    host_blocking(libc::SYS_nanosleep, &mut [Arg::Guest(req), rem])
}

pub fn clock_nanosleep(g: &mut Guest, a: [u64; 6]) -> SysResult {
    let req = g.buf(a[2], 16)?;
    let rem = g.opt_buf(a[3], 16)?;
    // clock_nanosleep returns the error number instead of setting errno.
    host_blocking(
        libc::SYS_clock_nanosleep,
        &mut [Arg::Int(a[0]), Arg::Int(a[1]), Arg::Guest(req), rem],
    )
}

pub fn times(g: &mut Guest, a: [u64; 6]) -> SysResult {
    let b = g.opt_buf(a[0], 32)?;
    host(libc::SYS_times, &mut [b])
}

pub fn getrusage(g: &mut Guest, a: [u64; 6]) -> SysResult {
    let b = g.buf(a[1], 144)?;
    host(libc::SYS_getrusage, &mut [Arg::Int(a[0]), Arg::Guest(b)])
}
