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
}

// SAFETY: the region is shared guest memory; concurrent guest accesses are the guest's business, exactly as
// on hardware. Accesses are bounds-checked against `len`.
unsafe impl Send for GuestMem {}
unsafe impl Sync for GuestMem {}

impl GuestMem {
    /// # Safety
    /// `base..base + len` must stay valid for reads and writes for as long as this view (or any copy) is used.
    pub unsafe fn new(base: *mut u8, low: u64, len: u64) -> GuestMem {
        GuestMem { base, low, len }
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

    #[inline(always)]
    fn check(&self, addr: u64, size: u64) -> Result<*mut u8, Fault> {
        if addr >= self.low && addr < self.len && size <= self.len - addr {
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
