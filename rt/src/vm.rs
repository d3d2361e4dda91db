//! The guest address space with Linux semantics inside 4 GiB: VMAs, brk, mmap placement, munmap, mprotect,
//! mremap and madvise.
//!
//! Owns: the VMA map and the host memory behind it. Pages are zeroed (MADV_DONTNEED) when unmapped, so a later
//! mapping reads zeros. Ranges whose code may have changed are queued in [`AddressSpace::take_code_changes`] for
//! the block cache.
//!
//! Must not: decode syscall arguments (the syscall layer does) or touch guest memory outside its own maps.
//! Protection is recorded, not enforced: the interpreter sees every page inside the space as accessible.

use std::collections::BTreeMap;

use elfrun_interp::GuestMem;

use crate::host::{HostMemory, NULL_GUARD, PAGE, SPACE_END};

pub const PROT_READ: u32 = 1;
pub const PROT_WRITE: u32 = 2;
pub const PROT_EXEC: u32 = 4;

/// Top of the initial stack (one 64 KiB guard below the end of the space).
pub const STACK_TOP: u64 = SPACE_END - 0x10000;
/// Maximum stack size (like the default RLIMIT_STACK).
pub const STACK_SIZE: u64 = 8 << 20;
/// Top-down mmap placement starts here: below the stack and a gap.
pub const MMAP_TOP: u64 = STACK_TOP - STACK_SIZE - (1 << 20);

/// What a mapping is (for messages and madvise semantics).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Kind {
    Anon,
    /// Private copy of a file's bytes.
    File,
    Heap,
    Stack,
    /// A PT_LOAD segment of the program.
    Elf,
}

/// One mapping: `start..end` (page-aligned) with its protection.
#[derive(Clone, Debug)]
pub struct Vma {
    pub end: u64,
    pub prot: u32,
    pub kind: Kind,
}

/// The guest's memory map.
#[derive(Debug)]
pub struct AddressSpace {
    host: HostMemory,
    mem: GuestMem,
    vmas: BTreeMap<u64, Vma>,
    brk_start: u64,
    brk: u64,
    code_changes: Vec<(u64, u64)>,
}

pub fn page_up(x: u64) -> Option<u64> {
    x.checked_add(PAGE - 1).map(|v| v & !(PAGE - 1))
}

pub fn page_down(x: u64) -> u64 {
    x & !(PAGE - 1)
}

impl AddressSpace {
    pub fn new(host: HostMemory) -> AddressSpace {
        let mem = host.guest_mem();
        AddressSpace {
            host,
            mem,
            vmas: BTreeMap::new(),
            brk_start: 0,
            brk: 0,
            code_changes: Vec::new(),
        }
    }

    /// The host memory and wasmer store behind the space (for the AOT tier).
    pub fn host_mut(&mut self) -> &mut HostMemory {
        &mut self.host
    }

    pub fn mem(&self) -> GuestMem {
        self.mem
    }

    /// Iterates over `(start, vma)` in address order.
    pub fn vmas(&self) -> impl Iterator<Item = (u64, &Vma)> {
        self.vmas.iter().map(|(&s, v)| (s, v))
    }

    /// Ranges where executable code was mapped, unmapped or changed protection since the last call.
    pub fn take_code_changes(&mut self) -> Vec<(u64, u64)> {
        std::mem::take(&mut self.code_changes)
    }

    /// Whether `start..end` lies inside the space at or above the null guard.
    fn in_space(start: u64, end: u64) -> bool {
        start >= NULL_GUARD && start <= end && end <= SPACE_END
    }

    /// Whether no mapping overlaps `start..end`.
    pub fn is_free(&self, start: u64, end: u64) -> bool {
        if !Self::in_space(start, end) {
            return false;
        }
        match self.vmas.range(..end).next_back() {
            Some((_, v)) => v.end <= start,
            None => true,
        }
    }

    /// Whether every byte of `start..end` is mapped.
    pub fn is_mapped(&self, start: u64, end: u64) -> bool {
        let mut at = start;
        while at < end {
            match self.vmas.range(..=at).next_back() {
                Some((_, v)) if v.end > at => at = v.end,
                _ => return false,
            }
        }
        true
    }

    /// How many bytes from `start` (at most `len`) are mapped without a gap.
    pub fn mapped_prefix(&self, start: u64, len: u64) -> u64 {
        let end = start.saturating_add(len);
        let mut at = start;
        while at < end {
            match self.vmas.range(..=at).next_back() {
                Some((_, v)) if v.end > at => at = v.end,
                _ => break,
            }
        }
        at.min(end) - start
    }

    /// Splits the mapping containing `addr` (if any, and if `addr` is strictly inside) at `addr`.
    fn split_at(&mut self, addr: u64) {
        let Some((&s, v)) = self.vmas.range(..addr).next_back() else {
            return;
        };
        if v.end > addr {
            let tail = v.clone();
            self.vmas.get_mut(&s).expect("vma just found").end = addr;
            self.vmas.insert(addr, tail);
        }
    }

    /// Merges adjacent anonymous mappings with equal protection around `start..end`, as Linux does (so a
    /// later `mremap` of the whole range sees one mapping).
    fn merge_around(&mut self, start: u64, end: u64) {
        let from = self
            .vmas
            .range(..start)
            .next_back()
            .map_or(start, |(&s, _)| s);
        let keys: Vec<u64> = self.vmas.range(from..=end).map(|(&s, _)| s).collect();
        let mut prev: Option<u64> = None;
        for s in keys {
            if let Some(p) = prev {
                let (pv, sv) = (&self.vmas[&p], &self.vmas[&s]);
                let mergeable = matches!(pv.kind, Kind::Anon | Kind::Heap | Kind::Stack);
                if pv.end == s && pv.prot == sv.prot && pv.kind == sv.kind && mergeable {
                    let end = sv.end;
                    self.vmas.remove(&s);
                    self.vmas.get_mut(&p).expect("vma listed").end = end;
                    continue;
                }
            }
            prev = Some(s);
        }
    }

    /// Removes every mapping in `start..end` (page-aligned) and zeroes its pages.
    fn unmap_range(&mut self, start: u64, end: u64) {
        self.split_at(start);
        self.split_at(end);
        let gone: Vec<u64> = self.vmas.range(start..end).map(|(&s, _)| s).collect();
        for s in gone {
            let v = self.vmas.remove(&s).expect("vma listed");
            if v.prot & PROT_EXEC != 0 {
                self.code_changes.push((s, v.end - s));
            }
            self.host.zero_pages(s, v.end - s);
        }
    }

    /// Maps `start..end` (page-aligned, inside the space) replacing anything there; the new pages read zeros.
    pub fn map_fixed(&mut self, start: u64, end: u64, prot: u32, kind: Kind) {
        self.unmap_range(start, end);
        // Pages outside any mapping may still hold stray guest writes: make the new mapping read zeros.
        self.host.zero_pages(start, end - start);
        if prot & PROT_EXEC != 0 {
            self.code_changes.push((start, end - start));
        }
        self.vmas.insert(start, Vma { end, prot, kind });
        self.merge_around(start, end);
    }

    /// A free range of `len` bytes, highest first below [`MMAP_TOP`].
    pub fn find_free(&self, len: u64) -> Option<u64> {
        let mut top = MMAP_TOP;
        for (&s, v) in self.vmas.range(..MMAP_TOP).rev() {
            if v.end <= top && top - v.end >= len {
                return Some(top - len);
            }
            top = top.min(s);
        }
        let low = NULL_GUARD.max(page_up(self.brk).unwrap_or(0));
        (top >= len && top - len >= low).then(|| top - len)
    }

    /// `mmap` placement and mapping (the caller copies file bytes in). Returns the address or an errno.
    pub fn mmap(
        &mut self,
        hint: u64,
        len: u64,
        prot: u32,
        fixed: bool,
        noreplace: bool,
        kind: Kind,
    ) -> Result<u64, i32> {
        if len == 0 {
            return Err(libc::EINVAL);
        }
        let len = page_up(len).ok_or(libc::ENOMEM)?;
        if fixed || noreplace {
            if !hint.is_multiple_of(PAGE) {
                return Err(libc::EINVAL);
            }
            let end = hint.checked_add(len).ok_or(libc::ENOMEM)?;
            if !Self::in_space(hint, end) {
                return Err(if hint < NULL_GUARD {
                    libc::EPERM
                } else {
                    libc::ENOMEM
                });
            }
            if noreplace && !fixed && !self.is_free(hint, end) {
                return Err(libc::EEXIST);
            }
            self.map_fixed(hint, end, prot, kind);
            return Ok(hint);
        }
        let hint = page_down(hint);
        let start = match hint.checked_add(len) {
            Some(end) if hint != 0 && self.is_free(hint, end) => hint,
            _ => self.find_free(len).ok_or(libc::ENOMEM)?,
        };
        self.map_fixed(start, start + len, prot, kind);
        Ok(start)
    }

    pub fn munmap(&mut self, addr: u64, len: u64) -> Result<(), i32> {
        if !addr.is_multiple_of(PAGE) || len == 0 {
            return Err(libc::EINVAL);
        }
        let end = page_up(len)
            .and_then(|l| addr.checked_add(l))
            .ok_or(libc::EINVAL)?;
        if end > SPACE_END {
            return Err(libc::EINVAL);
        }
        self.unmap_range(addr, end);
        Ok(())
    }

    pub fn mprotect(&mut self, addr: u64, len: u64, prot: u32) -> Result<(), i32> {
        if !addr.is_multiple_of(PAGE) || prot & !(PROT_READ | PROT_WRITE | PROT_EXEC) != 0 {
            return Err(libc::EINVAL);
        }
        let end = page_up(len)
            .and_then(|l| addr.checked_add(l))
            .ok_or(libc::ENOMEM)?;
        if !self.is_mapped(addr, end) {
            return Err(libc::ENOMEM);
        }
        self.split_at(addr);
        self.split_at(end);
        let mut changed = Vec::new();
        for (&s, v) in self.vmas.range_mut(addr..end) {
            if (v.prot ^ prot) & PROT_EXEC != 0 {
                changed.push((s, v.end - s));
            }
            v.prot = prot;
        }
        self.code_changes.extend(changed);
        self.merge_around(addr, end);
        Ok(())
    }

    /// `madvise`: MADV_DONTNEED (and MADV_FREE / MADV_REMOVE) zero anonymous pages; everything else is advice.
    pub fn madvise(&mut self, addr: u64, len: u64, advice: i32) -> Result<(), i32> {
        if !addr.is_multiple_of(PAGE) {
            return Err(libc::EINVAL);
        }
        let end = page_up(len)
            .and_then(|l| addr.checked_add(l))
            .ok_or(libc::EINVAL)?;
        if !self.is_mapped(addr, end) {
            return Err(libc::ENOMEM);
        }
        if matches!(
            advice,
            libc::MADV_DONTNEED | libc::MADV_FREE | libc::MADV_REMOVE
        ) {
            let zero: Vec<(u64, u64)> = self
                .vmas
                .range(..end)
                .filter(|(_, v)| v.end > addr && v.kind != Kind::File)
                .map(|(&s, v)| (s.max(addr), v.end.min(end)))
                .collect();
            for (s, e) in zero {
                self.host.zero_pages(s, e - s);
            }
        }
        Ok(())
    }

    /// `mremap` with MREMAP_MAYMOVE (1) and MREMAP_FIXED (2).
    pub fn mremap(
        &mut self,
        old: u64,
        old_len: u64,
        new_len: u64,
        flags: u64,
        new_addr: u64,
    ) -> Result<u64, i32> {
        const MAYMOVE: u64 = 1;
        const FIXED: u64 = 2;
        if !old.is_multiple_of(PAGE)
            || flags & !3 != 0
            || (flags & FIXED != 0 && flags & MAYMOVE == 0)
        {
            return Err(libc::EINVAL);
        }
        let old_len = page_up(old_len).ok_or(libc::EINVAL)?;
        let new_len = page_up(new_len).ok_or(libc::EINVAL)?;
        if new_len == 0 || old_len == 0 {
            return Err(libc::EINVAL);
        }
        let old_end = old.checked_add(old_len).ok_or(libc::EFAULT)?;
        let (_, vma) = match self.vmas.range(..=old).next_back() {
            Some((&s, v)) if v.end >= old_end => (s, v.clone()),
            _ => return Err(libc::EFAULT),
        };
        let move_to = |this: &mut Self, dest: u64| -> u64 {
            // The destination never overlaps the old range: map it, copy in bounded chunks, then unmap the old.
            let keep = old_len.min(new_len);
            this.map_fixed(dest, dest + new_len, vma.prot, vma.kind.clone());
            let mut buf = vec![0u8; keep.min(1 << 20) as usize];
            let mut done = 0;
            while done < keep {
                let n = (keep - done).min(buf.len() as u64);
                let chunk = &mut buf[..n as usize];
                // Both ranges are inside the space (checked above), so these cannot fail.
                let _ = this.mem.read_bytes(old + done, chunk);
                let _ = this.mem.write_bytes(dest + done, chunk);
                done += n;
            }
            this.unmap_range(old, old_end);
            dest
        };
        if flags & FIXED != 0 {
            let end = new_addr.checked_add(new_len).ok_or(libc::EINVAL)?;
            if !new_addr.is_multiple_of(PAGE)
                || !Self::in_space(new_addr, end)
                || (new_addr < old_end && old < end)
            {
                return Err(libc::EINVAL);
            }
            return Ok(move_to(self, new_addr));
        }
        if new_len <= old_len {
            self.unmap_range(old + new_len, old_end);
            return Ok(old);
        }
        let grow_end = old.checked_add(new_len).ok_or(libc::ENOMEM)?;
        if vma.end == old_end && self.is_free(old_end, grow_end) {
            self.host.zero_pages(old_end, grow_end - old_end);
            self.split_at(old);
            if let Some(v) = self.vmas.get_mut(&old) {
                v.end = grow_end;
            }
            if vma.prot & PROT_EXEC != 0 {
                self.code_changes.push((old_end, grow_end - old_end));
            }
            self.merge_around(old, grow_end);
            return Ok(old);
        }
        if flags & MAYMOVE == 0 {
            return Err(libc::ENOMEM);
        }
        let dest = self.find_free(new_len).ok_or(libc::ENOMEM)?;
        Ok(move_to(self, dest))
    }

    /// Sets where the heap starts (just past the program's last segment).
    pub fn init_brk(&mut self, start: u64) {
        self.brk_start = start;
        self.brk = start;
    }

    /// `brk`: returns the new break, or the old one when the request cannot be met.
    pub fn brk(&mut self, want: u64) -> u64 {
        if want < self.brk_start || want > MMAP_TOP {
            return self.brk;
        }
        let (Some(old_top), Some(new_top)) = (page_up(self.brk), page_up(want)) else {
            return self.brk;
        };
        if new_top > old_top {
            if !self.is_free(old_top, new_top) {
                return self.brk;
            }
            self.map_fixed(old_top, new_top, PROT_READ | PROT_WRITE, Kind::Heap);
        } else if new_top < old_top {
            self.unmap_range(new_top, old_top);
        }
        // Bytes between the break and its page end must read zero when the break grows again.
        if want < self.brk {
            let _ = self.mem.fill(want, new_top.min(self.brk) - want, 0);
        }
        self.brk = want;
        want
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn space() -> AddressSpace {
        AddressSpace::new(HostMemory::new().expect("guest memory"))
    }

    #[test]
    fn top_down_placement_and_reuse_after_munmap() {
        let mut s = space();
        let a = s.mmap(0, 8192, 3, false, false, Kind::Anon).unwrap();
        assert_eq!(a, MMAP_TOP - 8192);
        let b = s.mmap(0, 4096, 3, false, false, Kind::Anon).unwrap();
        assert_eq!(b, a - 4096);
        s.mem().store(a, 0x55, 1).unwrap();
        s.munmap(a, 8192).unwrap();
        let c = s.mmap(0, 8192, 3, false, false, Kind::Anon).unwrap();
        assert_eq!(c, a);
        assert_eq!(s.mem().load(c, 1).unwrap(), 0, "a new mapping reads zeros");
    }

    #[test]
    fn fixed_noreplace_and_hints() {
        let mut s = space();
        let a = s
            .mmap(0x1000_0000, 4096, 3, false, false, Kind::Anon)
            .unwrap();
        assert_eq!(a, 0x1000_0000, "a free hint is honoured");
        let e = s.mmap(0x1000_0000, 4096, 3, false, true, Kind::Anon);
        assert_eq!(e, Err(libc::EEXIST));
        let h = s
            .mmap(0x1_0000_0000, 4096, 3, false, false, Kind::Anon)
            .unwrap();
        assert!(h < SPACE_END, "hints above 4 GiB are ignored");
        assert_eq!(
            s.mmap(0x1000, 4096, 3, true, false, Kind::Anon),
            Err(libc::EPERM)
        );
    }

    #[test]
    fn mprotect_splits_and_reports_code_changes() {
        let mut s = space();
        let a = s.mmap(0, 4 * 4096, 3, false, false, Kind::Anon).unwrap();
        s.take_code_changes();
        s.mprotect(a + 4096, 4096, PROT_READ | PROT_EXEC).unwrap();
        assert_eq!(s.take_code_changes(), vec![(a + 4096, 4096)]);
        assert_eq!(s.vmas().count(), 3);
        s.mprotect(a + 4096, 4096, PROT_READ | PROT_WRITE).unwrap();
        assert_eq!(
            s.vmas().count(),
            1,
            "equal neighbours merge again, as on Linux"
        );
        s.munmap(a + 4096, 4096).unwrap();
        s.mmap(a + 4096, 4096, 3, true, false, Kind::Anon).unwrap();
        assert_eq!(s.mremap(a, 4 * 4096, 8 * 4096, 1, 0).map(|_| ()), Ok(()));
        assert_eq!(s.mprotect(a + 8 * 4096, 4096, 1), Err(libc::ENOMEM));
    }

    #[test]
    fn mremap_grows_in_place_or_moves_keeping_bytes() {
        let mut s = space();
        let a = s
            .mmap(0x2000_0000, 4096, 3, true, false, Kind::Anon)
            .unwrap();
        s.mem().store(a, 0xabcd, 2).unwrap();
        assert_eq!(s.mremap(a, 4096, 8192, 0, 0), Ok(a));
        s.mmap(a + 8192, 4096, 3, true, false, Kind::Anon).unwrap();
        assert_eq!(s.mremap(a, 8192, 16384, 0, 0), Err(libc::ENOMEM));
        let b = s.mremap(a, 8192, 16384, 1, 0).unwrap();
        assert_ne!(a, b);
        assert_eq!(s.mem().load(b, 2).unwrap(), 0xabcd);
        assert!(s.is_free(a, a + 8192));
    }

    #[test]
    fn mapped_prefix_stops_at_the_first_hole() {
        let mut s = space();
        s.mmap(0x3000_0000, 8192, 3, true, false, Kind::Anon)
            .unwrap();
        s.mmap(0x3000_2000, 4096, 1, true, false, Kind::Anon)
            .unwrap();
        assert_eq!(s.mapped_prefix(0x3000_0100, 1 << 20), 3 * 4096 - 0x100);
        assert_eq!(s.mapped_prefix(0x3000_0100, 16), 16);
        assert_eq!(s.mapped_prefix(0x2fff_f000, 16), 0);
    }

    #[test]
    fn brk_grows_shrinks_and_rezeroes() {
        let mut s = space();
        s.init_brk(0x50_0000);
        assert_eq!(s.brk(0), 0x50_0000);
        assert_eq!(s.brk(0x50_2000), 0x50_2000);
        s.mem().store(0x50_1000, 7, 1).unwrap();
        assert_eq!(s.brk(0x50_0800), 0x50_0800);
        assert_eq!(s.brk(0x50_2000), 0x50_2000);
        assert_eq!(s.mem().load(0x50_1000, 1).unwrap(), 0);
        s.mmap(0x50_3000, 4096, 3, true, false, Kind::Anon).unwrap();
        assert_eq!(
            s.brk(0x50_5000),
            0x50_2000,
            "brk cannot grow over a mapping"
        );
    }
}
