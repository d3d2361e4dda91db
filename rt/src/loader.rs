//! ELF loading: validates a static AArch64 executable (ET_EXEC or static-pie ET_DYN) and maps its PT_LOAD
//! segments into the guest address space.
//!
//! Owns: parsing of the ELF header and program headers, with every bound checked here (malformed input gives an
//! [`ElfError`], never a panic), the static-pie load base, and what the initial stack needs to know ([`Image`]).
//!
//! Must not: build the stack or start the guest.

use std::path::Path;

use crate::error::{ElfError, RtError};
use crate::host::{NULL_GUARD, PAGE};
use crate::vm::{
    AddressSpace, Kind, MMAP_TOP, PROT_EXEC, PROT_READ, PROT_WRITE, page_down, page_up,
};

const PT_LOAD: u32 = 1;
const PT_INTERP: u32 = 3;
const PT_PHDR: u32 = 6;
const PT_GNU_STACK: u32 = 0x6474_e551;
const PF_X: u32 = 1;
const PF_W: u32 = 2;
const PF_R: u32 = 4;
const EM_AARCH64: u16 = 183;
const ET_EXEC: u16 = 2;
const ET_DYN: u16 = 3;
/// Program header size for ELF64.
const PHENT: u16 = 56;
/// Linux refuses program header tables larger than one page (4096 / 56 = 73 entries).
const MAX_PHNUM: u16 = (4096 / PHENT as u32) as u16;
/// Where a static-pie (ET_DYN) program's lowest page goes: low, like a classic ET_EXEC.
pub const DYN_BASE: u64 = 0x40_0000;

/// What the rest of the runtime needs to know about a loaded program.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Image {
    pub entry: u64,
    /// Address of the program headers in guest memory (AT_PHDR), 0 if they are not loaded.
    pub phdr: u64,
    pub phnum: u64,
    /// First byte after the highest segment, page-aligned: the initial program break.
    pub brk: u64,
    /// PT_GNU_STACK asked for an executable stack.
    pub exec_stack: bool,
    /// Load bias added to every address (0 for ET_EXEC).
    pub bias: u64,
}

/// One PT_LOAD segment (addresses before the bias).
#[derive(Clone, Copy, Debug)]
struct Segment {
    vaddr: u64,
    memsz: u64,
    offset: u64,
    filesz: u64,
    flags: u32,
}

fn u16_at(b: &[u8], off: usize) -> u16 {
    u16::from_le_bytes([b[off], b[off + 1]])
}
fn u32_at(b: &[u8], off: usize) -> u32 {
    u32::from_le_bytes(b[off..off + 4].try_into().expect("4 bytes"))
}
fn u64_at(b: &[u8], off: usize) -> u64 {
    u64::from_le_bytes(b[off..off + 8].try_into().expect("8 bytes"))
}

/// The checked description of an ELF file, before anything is mapped.
#[derive(Debug)]
pub struct Parsed {
    is_dyn: bool,
    entry: u64,
    phoff: u64,
    phnum: u16,
    loads: Vec<Segment>,
    phdr_vaddr: Option<u64>,
    exec_stack: bool,
    /// PT_INTERP contents, if any.
    pub interp: Option<String>,
}

/// Parses and validates `file`.
pub fn parse(file: &[u8]) -> Result<Parsed, ElfError> {
    if file.len() < 64 {
        if file.len() < 4 || &file[..4] != b"\x7fELF" {
            return Err(if file.len() >= 4 {
                ElfError::NotElf
            } else {
                ElfError::TooShort(file.len() as u64)
            });
        }
        return Err(ElfError::TooShort(file.len() as u64));
    }
    if &file[..4] != b"\x7fELF" {
        return Err(ElfError::NotElf);
    }
    if file[4] != 2 {
        return Err(ElfError::WrongClass(file[4]));
    }
    if file[5] != 1 {
        return Err(ElfError::WrongEndian(file[5]));
    }
    let version = u32_at(file, 20);
    if file[6] != 1 || version != 1 {
        return Err(ElfError::WrongVersion(version));
    }
    let machine = u16_at(file, 18);
    if machine != EM_AARCH64 {
        return Err(ElfError::WrongMachine(machine));
    }
    let ty = u16_at(file, 16);
    if ty != ET_EXEC && ty != ET_DYN {
        return Err(ElfError::NotExecutable(ty));
    }
    let entry = u64_at(file, 24);
    let phoff = u64_at(file, 32);
    let phentsize = u16_at(file, 54);
    let phnum = u16_at(file, 56);
    if phentsize != PHENT {
        return Err(ElfError::BadPhentsize(phentsize));
    }
    if phnum == 0 || phnum > MAX_PHNUM {
        return Err(ElfError::BadPhnum(phnum));
    }
    let ph_len = phnum as u64 * PHENT as u64;
    let out = ElfError::PhdrsOutOfFile {
        off: phoff,
        len: ph_len,
    };
    let ph_end = phoff.checked_add(ph_len).ok_or(out.clone())?;
    if ph_end > file.len() as u64 {
        return Err(out);
    }
    let mut p = Parsed {
        is_dyn: ty == ET_DYN,
        entry,
        phoff,
        phnum,
        loads: Vec::new(),
        phdr_vaddr: None,
        exec_stack: false,
        interp: None,
    };
    for i in 0..phnum as usize {
        let h = &file[phoff as usize + i * PHENT as usize..][..PHENT as usize];
        let (ptype, flags) = (u32_at(h, 0), u32_at(h, 4));
        let (offset, vaddr) = (u64_at(h, 8), u64_at(h, 16));
        let (filesz, memsz) = (u64_at(h, 32), u64_at(h, 40));
        match ptype {
            PT_LOAD => {
                let idx = p.loads.len();
                if filesz > memsz {
                    return Err(ElfError::FileszOverMemsz(idx));
                }
                match offset.checked_add(filesz) {
                    Some(end) if end <= file.len() as u64 => {}
                    _ => {
                        return Err(ElfError::SegmentOutOfFile(
                            idx,
                            offset,
                            offset.wrapping_add(filesz),
                        ));
                    }
                }
                if vaddr % PAGE != offset % PAGE {
                    return Err(ElfError::Misaligned(idx));
                }
                if vaddr.checked_add(memsz).is_none() {
                    return Err(ElfError::OutOfSpace(idx, vaddr, u64::MAX));
                }
                if memsz > 0 {
                    p.loads.push(Segment {
                        vaddr,
                        memsz,
                        offset,
                        filesz,
                        flags,
                    });
                }
            }
            PT_INTERP => {
                let s = offset
                    .checked_add(filesz)
                    .filter(|&e| e <= file.len() as u64 && filesz > 0 && filesz <= 4096)
                    .map(|e| &file[offset as usize..e as usize])
                    .ok_or(ElfError::BadInterp)?;
                let s = s.split(|&b| b == 0).next().unwrap_or_default();
                p.interp = Some(String::from_utf8_lossy(s).into_owned());
            }
            PT_PHDR => p.phdr_vaddr = Some(vaddr),
            PT_GNU_STACK => p.exec_stack = flags & PF_X != 0,
            // PT_TLS: libc sets up TLS itself from the header; PT_NOTE, PT_GNU_RELRO, …: nothing to do.
            _ => {}
        }
    }
    if p.loads.is_empty() {
        return Err(ElfError::NoLoad);
    }
    // Overlapping segments (sharing a page is fine, as on Linux; sharing bytes is not).
    let mut order: Vec<usize> = (0..p.loads.len()).collect();
    order.sort_by_key(|&i| p.loads[i].vaddr);
    for w in order.windows(2) {
        let (a, b) = (p.loads[w[0]], p.loads[w[1]]);
        if a.vaddr + a.memsz > b.vaddr {
            return Err(ElfError::Overlap(w[0], w[1]));
        }
    }
    Ok(p)
}

impl Parsed {
    fn bias(&self) -> u64 {
        if self.is_dyn {
            let low = self.loads.iter().map(|s| s.vaddr).min().unwrap_or(0);
            DYN_BASE.wrapping_sub(page_down(low))
        } else {
            0
        }
    }

    /// Checks that every segment fits the space and the entry is executable; returns the image description.
    pub fn layout(&self) -> Result<Image, ElfError> {
        let bias = self.bias();
        let mut top = 0;
        for (i, s) in self.loads.iter().enumerate() {
            let start = s.vaddr.wrapping_add(bias);
            let end = start.checked_add(s.memsz).and_then(page_up);
            match end {
                Some(end) if start >= NULL_GUARD && end <= MMAP_TOP && start < end => {
                    top = top.max(end)
                }
                _ => return Err(ElfError::OutOfSpace(i, start, start.wrapping_add(s.memsz))),
            }
        }
        let entry = self.entry.wrapping_add(bias);
        let in_text = self.loads.iter().any(|s| {
            let start = s.vaddr.wrapping_add(bias);
            s.flags & PF_X != 0 && entry >= start && entry - start < s.memsz
        });
        if !in_text {
            return Err(ElfError::BadEntry(entry));
        }
        let phdr = match self.phdr_vaddr {
            Some(v) => v.wrapping_add(bias),
            None => self
                .loads
                .iter()
                .find(|s| self.phoff >= s.offset && self.phoff - s.offset < s.filesz)
                .map_or(0, |s| s.vaddr.wrapping_add(bias) + (self.phoff - s.offset)),
        };
        Ok(Image {
            entry,
            phdr,
            phnum: self.phnum as u64,
            brk: top,
            exec_stack: self.exec_stack,
            bias,
        })
    }

    /// Maps the segments and copies their file bytes in (the rest reads zero).
    pub fn map(&self, file: &[u8], space: &mut AddressSpace) -> Result<Image, ElfError> {
        let image = self.layout()?;
        for s in &self.loads {
            let start = s.vaddr + image.bias;
            let mut prot = 0;
            if s.flags & PF_R != 0 {
                prot |= PROT_READ;
            }
            if s.flags & PF_W != 0 {
                prot |= PROT_WRITE;
            }
            if s.flags & PF_X != 0 {
                prot |= PROT_EXEC;
            }
            let (lo, hi) = (
                page_down(start),
                page_up(start + s.memsz).unwrap_or(MMAP_TOP),
            );
            // A page shared with the previous segment keeps its bytes: map only the pages not yet mapped.
            let lo = if space.is_free(lo, lo + PAGE) {
                lo
            } else {
                lo + PAGE
            };
            if lo < hi {
                space.map_fixed(lo, hi, prot, Kind::Elf);
            }
            let bytes = &file[s.offset as usize..(s.offset + s.filesz) as usize];
            space
                .mem()
                .write_bytes(start, bytes)
                .map_err(|_| ElfError::OutOfSpace(0, start, start + s.filesz))?;
        }
        space.init_brk(image.brk);
        Ok(image)
    }
}

/// The load bias the program in `file` gets (what `elfrun build` needs to lift it at its run-time addresses).
pub fn load_bias(file: &[u8]) -> Result<u64, ElfError> {
    Ok(parse(file)?.bias())
}

/// Reads, validates and maps the program at `path`.
pub fn load(path: &Path, space: &mut AddressSpace) -> Result<Image, RtError> {
    let file = std::fs::read(path).map_err(|e| RtError::Read(path.to_owned(), e))?;
    let bad = |why| RtError::BadElf {
        path: path.to_owned(),
        why,
    };
    let parsed = parse(&file).map_err(bad)?;
    if let Some(interp) = parsed.interp.clone() {
        return Err(RtError::Dynamic {
            path: path.to_owned(),
            interp,
        });
    }
    parsed.map(&file, space).map_err(bad)
}
