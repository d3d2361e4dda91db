//! Data-moving syscalls on descriptors: read/write and their vector and positional forms, ioctl (terminal
//! requests passed through), sendfile, copy_file_range, fadvise64 and the poll/select family.
//!
//! Owns: translating guest `iovec` arrays (guest pointers) into host ones, and the size of every ioctl argument
//! it passes through.

use super::{Stop, SysResult, host, host_blocking};
use crate::guest::Guest;
use crate::host::Arg;
use crate::signal::{SIGKILL, SIGSTOP, hostsig, sigbit};

pub fn read(g: &mut Guest, a: [u64; 6]) -> SysResult {
    let b = g.buf_prefix(a[1], a[2])?;
    host_blocking(
        libc::SYS_read,
        &mut [Arg::Int(a[0]), Arg::Guest(b), Arg::Int(b.len() as u64)],
    )
}

pub fn write(g: &mut Guest, a: [u64; 6]) -> SysResult {
    let b = g.buf_prefix(a[1], a[2])?;
    host_blocking(
        libc::SYS_write,
        &mut [Arg::Int(a[0]), Arg::Guest(b), Arg::Int(b.len() as u64)],
    )
}

pub fn pread64(g: &mut Guest, a: [u64; 6]) -> SysResult {
    let b = g.buf_prefix(a[1], a[2])?;
    host(
        libc::SYS_pread64,
        &mut [
            Arg::Int(a[0]),
            Arg::Guest(b),
            Arg::Int(b.len() as u64),
            Arg::Int(a[3]),
        ],
    )
}

pub fn pwrite64(g: &mut Guest, a: [u64; 6]) -> SysResult {
    let b = g.buf_prefix(a[1], a[2])?;
    host(
        libc::SYS_pwrite64,
        &mut [
            Arg::Int(a[0]),
            Arg::Guest(b),
            Arg::Int(b.len() as u64),
            Arg::Int(a[3]),
        ],
    )
}

/// Host `iovec` array (as bytes) for a guest one: each buffer checked against the address space.
fn host_iovecs(g: &Guest, iov: u64, cnt: u64) -> Result<Vec<u8>, Stop> {
    if cnt > 1024 {
        return Err(Stop::Errno(libc::EINVAL));
    }
    let mut raw = vec![0u8; cnt as usize * 16];
    g.read_guest(iov, &mut raw)?;
    let mut out = Vec::with_capacity(raw.len());
    for e in raw.chunks_exact(16) {
        let base = u64::from_le_bytes(e[..8].try_into().expect("8"));
        let len = u64::from_le_bytes(e[8..].try_into().expect("8"));
        let b = g.buf(base, len)?;
        out.extend_from_slice(&b.host_addr().to_le_bytes());
        out.extend_from_slice(&(b.len() as u64).to_le_bytes());
    }
    Ok(out)
}

pub fn readv(g: &mut Guest, a: [u64; 6]) -> SysResult {
    let v = host_iovecs(g, a[1], a[2])?;
    host_blocking(
        libc::SYS_readv,
        &mut [Arg::Int(a[0]), Arg::In(&v), Arg::Int(a[2])],
    )
}

pub fn writev(g: &mut Guest, a: [u64; 6]) -> SysResult {
    let v = host_iovecs(g, a[1], a[2])?;
    host_blocking(
        libc::SYS_writev,
        &mut [Arg::Int(a[0]), Arg::In(&v), Arg::Int(a[2])],
    )
}

const TCGETS: u64 = 0x5401;
const TCSETS: u64 = 0x5402;
const TCSETSW: u64 = 0x5403;
const TCSETSF: u64 = 0x5404;
const TIOCGPGRP: u64 = 0x540f;
const TIOCSPGRP: u64 = 0x5410;
const TIOCGWINSZ: u64 = 0x5413;
const TIOCSWINSZ: u64 = 0x5414;
const TCSBRK: u64 = 0x5409;
const TCXONC: u64 = 0x540a;
const TCFLSH: u64 = 0x540b;
const TIOCSCTTY: u64 = 0x540e;
const TIOCOUTQ: u64 = 0x5411;
const FIONREAD: u64 = 0x541b;
const TIOCNOTTY: u64 = 0x5422;
const TIOCGSID: u64 = 0x5429;
const FIONBIO: u64 = 0x5421;
const FIONCLEX: u64 = 0x5450;
const FIOCLEX: u64 = 0x5451;

/// Terminal and descriptor ioctls; the request numbers and structs (kernel `termios`, 36 bytes; `winsize`,
/// 8 bytes; `pid_t`/`int` 4 bytes) are the same on arm64 and x86-64 (both use the asm-generic termbits).
pub fn ioctl(g: &mut Guest, a: [u64; 6]) -> SysResult {
    let (fd, req) = (a[0], a[1] & 0xffff_ffff);
    let size = match req {
        TCGETS | TCSETS | TCSETSW | TCSETSF => 36,
        TIOCGWINSZ | TIOCSWINSZ => 8,
        TIOCGPGRP | TIOCSPGRP | FIONREAD | FIONBIO | TIOCOUTQ | TIOCGSID => 4,
        FIOCLEX | FIONCLEX | TIOCNOTTY => 0,
        // The argument is an integer, not a pointer.
        TCSBRK | TCXONC | TCFLSH | TIOCSCTTY => {
            return host(
                libc::SYS_ioctl,
                &mut [Arg::Int(fd), Arg::Int(req), Arg::Int(a[2])],
            );
        }
        _ => {
            g.warn_once(
                (2 << 40) | req,
                format_args!("ioctl request {req:#x} is not supported: returning -ENOTTY"),
            );
            return Err(Stop::Errno(libc::ENOTTY));
        }
    };
    let arg = if size == 0 {
        Arg::Int(0)
    } else {
        Arg::Guest(g.buf(a[2], size)?)
    };
    host(libc::SYS_ioctl, &mut [Arg::Int(fd), Arg::Int(req), arg])
}

pub fn sendfile(g: &mut Guest, a: [u64; 6]) -> SysResult {
    let off = g.opt_buf(a[2], 8)?;
    host_blocking(
        libc::SYS_sendfile,
        &mut [Arg::Int(a[0]), Arg::Int(a[1]), off, Arg::Int(a[3])],
    )
}

pub fn copy_file_range(g: &mut Guest, a: [u64; 6]) -> SysResult {
    let (off_in, off_out) = (g.opt_buf(a[1], 8)?, g.opt_buf(a[3], 8)?);
    host(
        libc::SYS_copy_file_range,
        &mut [
            Arg::Int(a[0]),
            off_in,
            Arg::Int(a[2]),
            off_out,
            Arg::Int(a[4]),
            Arg::Int(a[5]),
        ],
    )
}

pub fn fadvise64(_g: &mut Guest, a: [u64; 6]) -> SysResult {
    host(
        libc::SYS_fadvise64,
        &mut [
            Arg::Int(a[0]),
            Arg::Int(a[1]),
            Arg::Int(a[2]),
            Arg::Int(a[3]),
        ],
    )
}

/// Runs a host wait with the guest's temporary signal mask `mask_ptr` (if not NULL) in force, as ppoll and
/// pselect6 do: if a signal interrupts it, the handler's frame restores the caller's mask (like sigsuspend).
/// `wait` gets the host set to pass as the call's own sigmask (NULL without one): the kernel installs it
/// atomically with the wait, while every mirrored signal stays blocked in the host from the test of what is
/// pending until then — so a signal pending on entry that the temporary mask unblocks, or one arriving just
/// before the wait, interrupts it (EINTR) instead of being left for later.
fn with_temp_mask(
    g: &mut Guest,
    mask_ptr: u64,
    wait: impl FnOnce(&mut Guest, Option<&[u8; 8]>) -> SysResult,
) -> SysResult {
    if mask_ptr == 0 {
        return wait(g, None);
    }
    let tmp = g.read_u64(mask_ptr)? & !(sigbit(SIGKILL) | sigbit(SIGSTOP));
    let old = g.signals.mask;
    let blocked = hostsig::block_all();
    let pending = g.signals.pending | hostsig::peek_pending() | hostsig::host_sigpending();
    let r = if g.signals.first_not_ignored(pending & !tmp).is_some() {
        Err(Stop::Errno(libc::EINTR))
    } else {
        wait(g, Some(&hostsig::kernel_set(tmp)))
    };
    drop(blocked);
    if r == Err(Stop::Errno(libc::EINTR)) {
        // Delivered with the temporary mask in force, as after rt_sigsuspend.
        g.signals.set_mask(tmp);
        g.signals.saved_mask = Some(old);
    } else {
        g.signals.set_mask(old);
    }
    r
}

/// `ppoll(fds, nfds, timeout, sigmask, sigsetsize)`.
pub fn ppoll(g: &mut Guest, a: [u64; 6]) -> SysResult {
    if a[1] > 1 << 20 {
        return Err(Stop::Errno(libc::EINVAL));
    }
    let fds = g.buf(a[0], a[1] * 8)?;
    let timeout = g.opt_buf(a[2], 16)?;
    with_temp_mask(g, a[3], |_, set| {
        host(
            libc::SYS_ppoll,
            &mut [
                Arg::Guest(fds),
                Arg::Int(a[1]),
                timeout,
                set.map_or(Arg::Int(0), |s| Arg::In(s)),
                Arg::Int(8),
            ],
        )
    })
}

/// `pselect6(nfds, readfds, writefds, exceptfds, timeout, {sigmask, size})`.
pub fn pselect6(g: &mut Guest, a: [u64; 6]) -> SysResult {
    if a[0] > 1024 {
        return Err(Stop::Errno(libc::EINVAL));
    }
    let set_len = a[0].div_ceil(64) * 8;
    let r = g.opt_buf(a[1], set_len)?;
    let w = g.opt_buf(a[2], set_len)?;
    let e = g.opt_buf(a[3], set_len)?;
    let t = g.opt_buf(a[4], 16)?;
    let mask_ptr = if a[5] != 0 { g.read_u64(a[5])? } else { 0 };
    with_temp_mask(g, mask_ptr, |_, set| {
        // The sixth argument points at {sigmask pointer, its size}.
        let data: Option<[u8; 16]> = set.map(|s| {
            let mut d = [0u8; 16];
            d[..8].copy_from_slice(&(s.as_ptr() as u64).to_le_bytes());
            d[8..].copy_from_slice(&8u64.to_le_bytes());
            d
        });
        host(
            libc::SYS_pselect6,
            &mut [
                Arg::Int(a[0]),
                r,
                w,
                e,
                t,
                data.as_ref().map_or(Arg::Int(0), |d| Arg::In(d)),
            ],
        )
    })
}
