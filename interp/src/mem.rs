//! Guest memory as seen by the interpreter: a flat little-endian address space backed by one host region
//! (the wasmer linear memory, reserved up front by the runtime). All of the interpreter's `unsafe` lives here.
//!
//! Guest address == offset into the region. Addresses below [`GuestMem::low`] (the null-pointer guard) or at or
//! above [`GuestMem::len`] fault; everything in between is host-accessible, and the runtime decides what is mapped.

use core::sync::atomic::{AtomicU8, AtomicU16, AtomicU32, AtomicU64, Ordering};

/// Why a guest access failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FaultKind {
    /// Outside the guest address space (SIGSEGV, SEGV_MAPERR).
    Unmapped,
    /// Misaligned exclusive or atomic access (SIGBUS, BUS_ADRALN).
    Misaligned,
}

/// A guest access that failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fault {
    pub addr: u64,
    pub kind: FaultKind,
}

/// A view of guest memory. Cheap to copy; it does not own the region.
#[derive(Clone, Copy, Debug)]
pub struct GuestMem {
    base: *mut u8,
    low: u64,
    len: u64,
    /// `len - low`, at least [`MIN_SPAN`].
    span: u64,
}

/// The smallest accessible part a [`GuestMem`] may have: the largest single access (16 bytes), so that the
/// bounds check of an access of constant size is one subtraction and one compare (see `check`).
pub const MIN_SPAN: u64 = 16;

// SAFETY: the region is shared guest memory; concurrent guest accesses are the guest's business, exactly as
// on hardware. Accesses are bounds-checked against `len`.
unsafe impl Send for GuestMem {}
unsafe impl Sync for GuestMem {}

impl GuestMem {
    /// # Safety
    /// `base..base + len` must stay valid for reads and writes for as long as this view (or any copy) is used.
    ///
    /// # Panics
    /// If `len - low` is less than [`MIN_SPAN`].
    pub unsafe fn new(base: *mut u8, low: u64, len: u64) -> GuestMem {
        let span = len.saturating_sub(low);
        assert!(
            span >= MIN_SPAN,
            "guest memory of {span} bytes above its guard"
        );
        GuestMem {
            base,
            low,
            len,
            span,
        }
    }

    /// This memory with the guard below [`GuestMem::low`] accessible too, for what the host itself keeps there
    /// out of the guest's reach (the AOT tier's CPU state). `base..base + len` is valid, per [`GuestMem::new`].
    pub fn with_guard(self) -> GuestMem {
        GuestMem {
            low: 0,
            span: self.len,
            ..self
        }
    }

    /// Lowest accessible address.
    pub fn low(&self) -> u64 {
        self.low
    }

    /// One past the highest accessible address.
    pub fn len(&self) -> u64 {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len <= self.low
    }

    /// The host address of `addr..addr + size` if all of it is accessible.
    ///
    /// `addr - low` wraps to more than `span - size` for an address below `low`, so one compare covers both
    /// ends; `span - size` cannot wrap for the sizes of single accesses (at most [`MIN_SPAN`], and constants in
    /// the hot paths, where the second test folds away).
    #[inline(always)]
    fn check(&self, addr: u64, size: u64) -> Result<*mut u8, Fault> {
        let off = addr.wrapping_sub(self.low);
        if off <= self.span.wrapping_sub(size) && (size <= MIN_SPAN || size <= self.span) {
            // SAFETY: addr + size <= len, inside the region.
            Ok(unsafe { self.base.add(addr as usize) })
        } else {
            Err(Fault {
                addr,
                kind: FaultKind::Unmapped,
            })
        }
    }

    #[inline(always)]
    fn check_aligned(&self, addr: u64, size: u64) -> Result<*mut u8, Fault> {
        if addr & (size - 1) != 0 {
            return Err(Fault {
                addr,
                kind: FaultKind::Misaligned,
            });
        }
        self.check(addr, size)
    }

    /// Loads `size` (1, 2, 4 or 8) bytes, zero-extended.
    #[inline(always)]
    pub fn load(&self, addr: u64, size: u32) -> Result<u64, Fault> {
        let p = self.check(addr, size as u64)?;
        // SAFETY: `check` proved the bytes are inside the region; unaligned reads are allowed.
        unsafe {
            Ok(match size {
                1 => *p as u64,
                2 => u16::from_le((p as *const u16).read_unaligned()) as u64,
                4 => u32::from_le((p as *const u32).read_unaligned()) as u64,
                _ => u64::from_le((p as *const u64).read_unaligned()),
            })
        }
    }

    /// Stores the low `size` (1, 2, 4 or 8) bytes of `v`.
    #[inline(always)]
    pub fn store(&self, addr: u64, v: u64, size: u32) -> Result<(), Fault> {
        let p = self.check(addr, size as u64)?;
        // SAFETY: as in `load`.
        unsafe {
            match size {
                1 => *p = v as u8,
                2 => (p as *mut u16).write_unaligned((v as u16).to_le()),
                4 => (p as *mut u32).write_unaligned((v as u32).to_le()),
                _ => (p as *mut u64).write_unaligned(v.to_le()),
            }
        }
        Ok(())
    }

    #[inline(always)]
    pub fn load_u128(&self, addr: u64) -> Result<u128, Fault> {
        let p = self.check(addr, 16)?;
        // SAFETY: as in `load`.
        Ok(u128::from_le(unsafe {
            (p as *const u128).read_unaligned()
        }))
    }

    #[inline(always)]
    pub fn store_u128(&self, addr: u64, v: u128) -> Result<(), Fault> {
        let p = self.check(addr, 16)?;
        // SAFETY: as in `load`.
        unsafe { (p as *mut u128).write_unaligned(v.to_le()) };
        Ok(())
    }

    /// Atomic read-modify-write of an aligned `size`-byte location: stores `f(old)`, returns `old`.
    /// `f` may be called more than once (compare-exchange loop).
    pub fn atomic_update(
        &self,
        addr: u64,
        size: u32,
        mut f: impl FnMut(u64) -> Option<u64>,
    ) -> Result<u64, Fault> {
        let p = self.check_aligned(addr, size as u64)?;
        let ord = Ordering::SeqCst;
        // SAFETY: aligned and in bounds; the region is only ever accessed with plain or atomic accesses of
        // the guest's choosing, as on hardware.
        unsafe {
            macro_rules! rmw {
                ($a:ty, $t:ty) => {{
                    let a = <$a>::from_ptr(p as *mut $t);
                    let mut old = a.load(ord);
                    loop {
                        let Some(new) = f(old as u64) else {
                            break Ok(old as u64);
                        };
                        match a.compare_exchange_weak(old, new as $t, ord, ord) {
                            Ok(_) => break Ok(old as u64),
                            Err(cur) => old = cur,
                        }
                    }
                }};
            }
            match size {
                1 => rmw!(AtomicU8, u8),
                2 => rmw!(AtomicU16, u16),
                4 => rmw!(AtomicU32, u32),
                _ => rmw!(AtomicU64, u64),
            }
        }
    }

    /// Aligned 16-byte compare-and-swap (CASP, store-exclusive pair). Returns the old value.
    pub fn cas_u128(&self, addr: u64, expected: u128, new: u128) -> Result<u128, Fault> {
        let p = self.check_aligned(addr, 16)?;
        // Single-threaded guests (the only kind today) make a plain read-compare-write atomic enough; guest
        // threads will need a host 128-bit CAS here.
        // SAFETY: aligned and in bounds.
        unsafe {
            let old = u128::from_le((p as *const u128).read());
            if old == expected {
                (p as *mut u128).write(new.to_le());
            }
            Ok(old)
        }
    }

    /// Copies guest bytes out. Fails without copying if any byte is outside the address space.
    pub fn read_bytes(&self, addr: u64, out: &mut [u8]) -> Result<(), Fault> {
        let p = self.check(addr, out.len() as u64)?;
        // SAFETY: in bounds; `out` is host memory that cannot overlap the guest region's use here.
        unsafe { core::ptr::copy_nonoverlapping(p, out.as_mut_ptr(), out.len()) };
        Ok(())
    }

    /// Copies bytes into guest memory.
    pub fn write_bytes(&self, addr: u64, data: &[u8]) -> Result<(), Fault> {
        let p = self.check(addr, data.len() as u64)?;
        // SAFETY: in bounds.
        unsafe { core::ptr::copy_nonoverlapping(data.as_ptr(), p, data.len()) };
        Ok(())
    }

    /// Fills guest bytes with `byte`.
    pub fn fill(&self, addr: u64, len: u64, byte: u8) -> Result<(), Fault> {
        let p = self.check(addr, len)?;
        // SAFETY: in bounds.
        unsafe { core::ptr::write_bytes(p, byte, len as usize) };
        Ok(())
    }

    /// Host pointer to `len` guest bytes at `addr`, for handing guest buffers to host system calls.
    /// The pointer is valid as long as the region is.
    pub fn host_ptr(&self, addr: u64, len: u64) -> Result<*mut u8, Fault> {
        self.check(addr, len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    const LOW: u64 = 0x1000;
    const LEN: u64 = 0x3000;

    /// Whether `addr..addr + size` lies inside `LOW..LEN`, computed without wrapping.
    fn inside(addr: u64, size: u64) -> bool {
        addr >= LOW && (addr as u128 + size as u128) <= LEN as u128
    }

    #[test]
    fn every_access_size_is_allowed_exactly_inside_the_space() {
        let mut backing = vec![0u8; LEN as usize];
        // SAFETY: `backing` outlives `mem`, used only in this test.
        let mem = unsafe { GuestMem::new(backing.as_mut_ptr(), LOW, LEN) };
        let mut addrs = vec![0, 1, u64::MAX, u64::MAX - 15, 1 << 63];
        for edge in [LOW, LEN] {
            addrs.extend((0..40).map(|d| edge.wrapping_add(d).wrapping_sub(20)));
        }
        for &addr in &addrs {
            for size in [1u32, 2, 4, 8] {
                let ok = inside(addr, size as u64);
                assert_eq!(mem.load(addr, size).is_ok(), ok, "load {size} at {addr:#x}");
                assert_eq!(
                    mem.store(addr, 0, size).is_ok(),
                    ok,
                    "store {size} at {addr:#x}"
                );
            }
            let ok = inside(addr, 16);
            assert_eq!(mem.load_u128(addr).is_ok(), ok, "load 16 at {addr:#x}");
            assert_eq!(mem.store_u128(addr, 0).is_ok(), ok, "store 16 at {addr:#x}");
            for len in [0u64, 17, 0x800, LEN - LOW, LEN - LOW + 1, LEN, u64::MAX] {
                let ok = inside(addr, len);
                assert_eq!(
                    mem.fill(addr, len, 0).is_ok(),
                    ok,
                    "fill {len} at {addr:#x}"
                );
                assert_eq!(mem.host_ptr(addr, len).is_ok(), ok, "{len} at {addr:#x}");
            }
        }
    }

    #[test]
    #[should_panic(expected = "above its guard")]
    fn a_space_smaller_than_the_largest_access_is_refused() {
        let mut backing = vec![0u8; 32];
        // SAFETY: never used: `new` panics.
        let _ = unsafe { GuestMem::new(backing.as_mut_ptr(), 20, 32) };
    }
}
