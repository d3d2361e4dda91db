//! The ELF file as discovery sees it: the bytes of every `PT_LOAD` segment at their run-time addresses, the
//! pointers a static-pie's relocations put into data, and the function roots the file itself declares —
//! `.eh_frame` FDEs and the init/fini arrays.
//!
//! Owns: reading those from the file bytes (with `object` for headers, `gimli` for `.eh_frame`). Must not: decide
//! what is code (that is [`discover`](crate::discover)'s job) or trust the file: every table it reads may be
//! malformed, so a bad entry is skipped with a `tracing` debug message, never a panic, and every address it
//! hands out is only a candidate that discovery checks against the executable segments.
//!
//! Where the roots come from:
//! - **FDEs**: `.eh_frame` by section header; without section headers, `PT_GNU_EH_FRAME` → `.eh_frame_hdr` →
//!   its `eh_frame_ptr` (the section then runs to its zero terminator or the end of its segment). Each FDE's
//!   initial location is a function start (static glibc binaries and stripped ones keep `.eh_frame`).
//! - **init/fini arrays**: `.preinit_array`, `.init_array`, `.fini_array` by section type; without section
//!   headers, `DT_PREINIT_ARRAY`/`DT_INIT_ARRAY`/`DT_FINI_ARRAY` (and `DT_INIT`/`DT_FINI`) from `PT_DYNAMIC`,
//!   which a static-pie has and a plain static binary does not. Entries are function pointers in data.
//! - **Relocated data**: a static-pie's data holds pointers only after its `R_AARCH64_RELATIVE` relocations
//!   (`DT_RELA`) ran; [`Image::word64`] applies them (addend + load bias). `DT_RELR` is not read.

use std::collections::{BTreeMap, HashMap};

use object::{Object, ObjectSection, ObjectSegment, ObjectSymbol, SymbolKind};

use crate::BuildError;

/// One `PT_LOAD` segment's file bytes at its run-time address.
#[derive(Debug)]
struct Segment {
    start: u64,
    bytes: Vec<u8>,
    executable: bool,
}

/// The loadable bytes of an ELF image at their run-time addresses, and the roots the file declares.
#[derive(Debug)]
pub struct Image {
    /// Every `PT_LOAD` segment (executable ones are the code discovery may lift).
    segments: Vec<Segment>,
    /// Static-pie: run-time value of each relocated 8-byte word (`R_AARCH64_RELATIVE`: bias + addend).
    relocated: HashMap<u64, u64>,
    pub entry: u64,
    /// Function symbols (run-time addresses), if the binary has any.
    pub symbols: Vec<u64>,
    /// Initial locations of the `.eh_frame` FDEs (run-time addresses, unchecked).
    pub fdes: Vec<u64>,
    /// The code ranges the FDEs describe: start → end.
    fde_ranges: BTreeMap<u64, u64>,
    /// Entries of the preinit/init/fini arrays and `DT_INIT`/`DT_FINI` (run-time addresses, unchecked).
    pub init_fini: Vec<u64>,
    /// Where functions may start: the `SHF_EXECINSTR` sections when the file has section headers (so a pointer
    /// into `.rodata`, which shares the executable segment, is not taken for code), else the executable
    /// segments. `[start, end)`, run-time addresses.
    code_ranges: Vec<(u64, u64)>,
}

const R_AARCH64_RELATIVE: u32 = 1027;

impl Image {
    /// Reads the loadable segments of `elf`, loaded at `bias` (0 for ET_EXEC).
    pub fn from_elf(elf: &[u8], bias: u64) -> Result<Image, BuildError> {
        let file = object::File::parse(elf).map_err(|e| BuildError::Elf(e.to_string()))?;
        if file.architecture() != object::Architecture::Aarch64 {
            return Err(BuildError::Elf("not an AArch64 ELF file".into()));
        }
        let mut segments = Vec::new();
        for seg in file.segments() {
            let executable = match seg.flags() {
                object::SegmentFlags::Elf { p_flags } => p_flags & object::elf::PF_X != 0,
                _ => false,
            };
            let data = seg.data().map_err(|e| BuildError::Elf(e.to_string()))?;
            segments.push(Segment {
                start: seg.address().wrapping_add(bias),
                bytes: data.to_vec(),
                executable,
            });
        }
        if !segments.iter().any(|s| s.executable) {
            return Err(BuildError::Elf("no executable segment".into()));
        }
        let symbols = file
            .symbols()
            .filter(|s| s.kind() == SymbolKind::Text && s.is_definition() && s.address() != 0)
            .map(|s| s.address().wrapping_add(bias))
            .collect();
        let mut image = Image {
            segments,
            relocated: HashMap::new(),
            entry: file.entry().wrapping_add(bias),
            symbols,
            fdes: Vec::new(),
            fde_ranges: BTreeMap::new(),
            init_fini: Vec::new(),
            code_ranges: Vec::new(),
        };
        image.code_ranges = code_ranges(&image, &file, bias);
        let dynamic = dynamic_entries(elf, &file);
        image.relocated = relative_relocs(&image, &dynamic, bias);
        let fdes = fdes(&image, elf, &file, bias);
        image.fdes = fdes.iter().map(|&(a, _)| a).collect();
        image.fde_ranges = fdes
            .into_iter()
            .map(|(a, n)| (a, a.saturating_add(n)))
            .collect();
        image.init_fini = init_fini(&image, &file, &dynamic, bias);
        Ok(image)
    }

    fn bytes(&self, addr: u64, n: usize, executable_only: bool) -> Option<&[u8]> {
        self.segments
            .iter()
            .filter(|s| s.executable || !executable_only)
            .find_map(|s| {
                let off = addr.checked_sub(s.start)? as usize;
                s.bytes.get(off..off.checked_add(n)?)
            })
    }

    /// The instruction word at `pc`, if `pc` is aligned and inside an executable segment's file bytes.
    pub fn word(&self, pc: u64) -> Option<u32> {
        if !pc.is_multiple_of(4) {
            return None;
        }
        let b = self.bytes(pc, 4, true)?;
        Some(u32::from_le_bytes(b.try_into().ok()?))
    }

    /// `n` (1, 2, 4 or 8) little-endian bytes at `addr` in any loadable segment's file bytes, zero-extended;
    /// relocated words of a static-pie read as their run-time value.
    pub fn data(&self, addr: u64, n: usize) -> Option<u64> {
        if n == 8
            && let Some(&v) = self.relocated.get(&addr)
        {
            return Some(v);
        }
        let b = self.bytes(addr, n, false)?;
        let mut v = [0u8; 8];
        v[..n].copy_from_slice(b);
        Some(u64::from_le_bytes(v))
    }

    /// The 8-byte word at `addr` as the program sees it after relocation.
    pub fn word64(&self, addr: u64) -> Option<u64> {
        self.data(addr, 8)
    }

    /// Every 8-aligned 8-byte word of every loadable segment (relocations applied), with its address.
    pub fn data_words(&self) -> impl Iterator<Item = (u64, u64)> + '_ {
        self.segments.iter().flat_map(move |s| {
            let first = s.start.next_multiple_of(8);
            let skip = (first - s.start) as usize;
            s.bytes
                .get(skip..)
                .unwrap_or_default()
                .chunks_exact(8)
                .enumerate()
                .map(move |(i, c)| {
                    let addr = first + 8 * i as u64;
                    let v = u64::from_le_bytes(c.try_into().expect("8 bytes"));
                    (addr, self.relocated.get(&addr).copied().unwrap_or(v))
                })
        })
    }

    /// Whether `addr` lies in an executable segment's file bytes.
    pub fn is_code(&self, addr: u64) -> bool {
        self.bytes(addr, 1, true).is_some()
    }

    /// The start of the FDE whose code range contains `addr`, if any.
    pub fn fde_containing(&self, addr: u64) -> Option<u64> {
        let (&start, &end) = self.fde_ranges.range(..=addr).next_back()?;
        (addr < end).then_some(start)
    }

    /// Whether `addr` lies where a function may start (see `code_ranges`).
    pub fn in_code_range(&self, addr: u64) -> bool {
        self.code_ranges
            .iter()
            .any(|&(a, b)| (a..b).contains(&addr))
    }

    /// Bytes of executable code.
    pub fn code_bytes(&self) -> usize {
        self.segments
            .iter()
            .filter(|s| s.executable)
            .map(|s| s.bytes.len())
            .sum()
    }
}

fn code_ranges(image: &Image, file: &object::File<'_>, bias: u64) -> Vec<(u64, u64)> {
    let mut out = Vec::new();
    if let object::File::Elf64(e) = file {
        use object::read::elf::SectionHeader;
        let endian = e.endian();
        for sh in e.elf_section_table().iter() {
            if sh.sh_flags(endian) & u64::from(object::elf::SHF_EXECINSTR) != 0 {
                let start = sh.sh_addr(endian).wrapping_add(bias);
                out.push((start, start.saturating_add(sh.sh_size(endian))));
            }
        }
    }
    if out.is_empty() {
        out = image
            .segments
            .iter()
            .filter(|s| s.executable)
            .map(|s| (s.start, s.start.saturating_add(s.bytes.len() as u64)))
            .collect();
    }
    out
}

/// `(tag, value)` of the `PT_DYNAMIC` segment, if there is one (a static-pie has it; a plain static binary not).
fn dynamic_entries(elf: &[u8], file: &object::File<'_>) -> Vec<(u64, u64)> {
    let object::File::Elf64(e) = file else {
        return Vec::new();
    };
    use object::read::elf::ProgramHeader;
    let endian = e.endian();
    let mut out = Vec::new();
    for ph in e.elf_program_headers() {
        if ph.p_type(endian) != object::elf::PT_DYNAMIC {
            continue;
        }
        let off = ph.p_offset(endian) as usize;
        let len = ph.p_filesz(endian) as usize;
        let Some(bytes) = off.checked_add(len).and_then(|end| elf.get(off..end)) else {
            tracing::debug!("PT_DYNAMIC lies outside the file: ignored");
            continue;
        };
        for c in bytes.chunks_exact(16) {
            let tag = u64::from_le_bytes(c[..8].try_into().expect("8 bytes"));
            if tag == 0 {
                break;
            }
            out.push((tag, u64::from_le_bytes(c[8..].try_into().expect("8 bytes"))));
        }
    }
    out
}

fn dyn_value(dynamic: &[(u64, u64)], tag: u32) -> Option<u64> {
    dynamic
        .iter()
        .find(|&&(t, _)| t == u64::from(tag))
        .map(|&(_, v)| v)
}

/// `R_AARCH64_RELATIVE` relocations of `DT_RELA`: run-time address → run-time value.
fn relative_relocs(image: &Image, dynamic: &[(u64, u64)], bias: u64) -> HashMap<u64, u64> {
    let mut out = HashMap::new();
    let (Some(rela), Some(size)) = (
        dyn_value(dynamic, object::elf::DT_RELA),
        dyn_value(dynamic, object::elf::DT_RELASZ),
    ) else {
        return out;
    };
    let at = rela.wrapping_add(bias);
    for i in 0..size / 24 {
        let e = at.wrapping_add(24 * i);
        let (Some(offset), Some(info), Some(addend)) = (
            image.data(e, 8),
            image.data(e.wrapping_add(8), 8),
            image.data(e.wrapping_add(16), 8),
        ) else {
            tracing::debug!(
                "DT_RELA entry {i} at {e:#x} is outside the file: relocations ignored from there"
            );
            break;
        };
        if info as u32 == R_AARCH64_RELATIVE {
            out.insert(offset.wrapping_add(bias), addend.wrapping_add(bias));
        }
    }
    out
}

/// The initial locations of `.eh_frame`'s FDEs.
fn fdes(image: &Image, elf: &[u8], file: &object::File<'_>, bias: u64) -> Vec<(u64, u64)> {
    if let Some(sec) = file.section_by_name(".eh_frame")
        && let Ok(data) = sec.data()
    {
        return parse_eh_frame(data, sec.address().wrapping_add(bias));
    }
    // No section headers: PT_GNU_EH_FRAME → .eh_frame_hdr → eh_frame_ptr.
    let object::File::Elf64(e) = file else {
        return Vec::new();
    };
    use object::read::elf::ProgramHeader;
    let endian = e.endian();
    for ph in e.elf_program_headers() {
        if ph.p_type(endian) != object::elf::PT_GNU_EH_FRAME {
            continue;
        }
        let off = ph.p_offset(endian) as usize;
        let Some(hdr) = off
            .checked_add(ph.p_filesz(endian) as usize)
            .and_then(|end| elf.get(off..end))
        else {
            tracing::debug!("PT_GNU_EH_FRAME lies outside the file: no FDE roots");
            continue;
        };
        let hdr_addr = ph.p_vaddr(endian).wrapping_add(bias);
        let bases = gimli::BaseAddresses::default().set_eh_frame_hdr(hdr_addr);
        let ptr = match gimli::EhFrameHdr::new(hdr, gimli::LittleEndian).parse(&bases, 8) {
            Ok(p) => p.eh_frame_ptr(),
            Err(err) => {
                tracing::debug!("malformed .eh_frame_hdr at {hdr_addr:#x}: {err}");
                continue;
            }
        };
        let gimli::Pointer::Direct(at) = ptr else {
            tracing::debug!(".eh_frame_hdr's eh_frame_ptr is indirect: no FDE roots");
            continue;
        };
        // The section's length is not recorded: it runs to its terminator or the end of its segment.
        let Some(data) = image
            .segments
            .iter()
            .find_map(|s| s.bytes.get(at.checked_sub(s.start)? as usize..))
        else {
            tracing::debug!("eh_frame_ptr {at:#x} is outside the loadable segments");
            continue;
        };
        return parse_eh_frame(data, at);
    }
    Vec::new()
}

/// FDE code ranges (initial location, length) of the `.eh_frame` bytes `data` that the program sees at `addr`. Parsing stops at the
/// first entry that does not parse (the rest cannot be found reliably); an FDE whose CIE is bad is skipped.
pub fn parse_eh_frame(data: &[u8], addr: u64) -> Vec<(u64, u64)> {
    use gimli::UnwindSection;
    let mut eh = gimli::EhFrame::new(data, gimli::LittleEndian);
    eh.set_address_size(8);
    let bases = gimli::BaseAddresses::default().set_eh_frame(addr);
    let mut out = Vec::new();
    let mut entries = eh.entries(&bases);
    loop {
        match entries.next() {
            Ok(None) => break,
            Ok(Some(gimli::CieOrFde::Cie(_))) => {}
            Ok(Some(gimli::CieOrFde::Fde(partial))) => {
                match partial.parse(gimli::EhFrame::cie_from_offset) {
                    Ok(fde) => out.push((fde.initial_address(), fde.len())),
                    Err(err) => tracing::debug!("skipping an FDE of .eh_frame at {addr:#x}: {err}"),
                }
            }
            Err(err) => {
                tracing::debug!("malformed .eh_frame at {addr:#x}: {err} (FDEs after it ignored)");
                break;
            }
        }
    }
    out
}

/// Entries of the preinit/init/fini arrays, and `DT_INIT`/`DT_FINI`.
fn init_fini(
    image: &Image,
    file: &object::File<'_>,
    dynamic: &[(u64, u64)],
    bias: u64,
) -> Vec<u64> {
    let mut arrays: Vec<(u64, u64)> = Vec::new();
    if let object::File::Elf64(e) = file {
        use object::read::elf::SectionHeader;
        let endian = e.endian();
        for sh in e.elf_section_table().iter() {
            if matches!(
                sh.sh_type(endian),
                object::elf::SHT_INIT_ARRAY
                    | object::elf::SHT_FINI_ARRAY
                    | object::elf::SHT_PREINIT_ARRAY
            ) {
                arrays.push((sh.sh_addr(endian).wrapping_add(bias), sh.sh_size(endian)));
            }
        }
    }
    let mut out = Vec::new();
    if arrays.is_empty() {
        use object::elf::*;
        for (at, size) in [
            (DT_PREINIT_ARRAY, DT_PREINIT_ARRAYSZ),
            (DT_INIT_ARRAY, DT_INIT_ARRAYSZ),
            (DT_FINI_ARRAY, DT_FINI_ARRAYSZ),
        ] {
            if let (Some(a), Some(n)) = (dyn_value(dynamic, at), dyn_value(dynamic, size)) {
                arrays.push((a.wrapping_add(bias), n));
            }
        }
        for tag in [DT_INIT, DT_FINI] {
            out.extend(dyn_value(dynamic, tag).map(|f| f.wrapping_add(bias)));
        }
    }
    for (at, size) in arrays {
        for i in 0..size / 8 {
            let e = at.wrapping_add(8 * i);
            match image.word64(e) {
                Some(f) => out.push(f),
                None => {
                    tracing::debug!("init/fini array entry at {e:#x} is outside the file");
                    break;
                }
            }
        }
    }
    out
}
