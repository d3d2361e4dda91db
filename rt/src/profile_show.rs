//! `elfrun profile show PROG|FILE`: a profile's summary for people or (`--json`) tools, with the disassembly of
//! hot blocks, indirect sites and their targets read from the ELF file.
//!
//! Owns: finding the profile of a program, mapping guest addresses to ELF file bytes for disassembly.
//! Must not: define the summary (the `elfrun-profiles` crate does).

use std::path::{Path, PathBuf};

use elfrun_profiles::{Profile, Summary};
use object::{Object, ObjectSegment};

use crate::record::hash_file;

/// Most instructions shown of one block (the rest is summarised as `…(+N)`).
const MAX_SHOWN_INSNS: u32 = 12;

/// What to show.
#[derive(Debug, Clone)]
pub struct ShowArgs {
    /// An AArch64 ELF program (its profile is looked up) or a profile file.
    pub target: PathBuf,
    /// With a program: the profile file to read instead of the program's default profile.
    pub profile: Option<PathBuf>,
    pub json: bool,
    pub top: usize,
}

/// Guest code bytes of an ELF file, addressed by virtual address (its PT_LOAD segments' file bytes).
#[derive(Debug)]
pub struct ElfCode {
    data: Vec<u8>,
    /// (vaddr, file offset, file size) of each loadable segment.
    segments: Vec<(u64, u64, u64)>,
}

impl ElfCode {
    /// Reads `path`; `None` if it is not a readable ELF file.
    pub fn read(path: &Path) -> Option<ElfCode> {
        let data = std::fs::read(path).ok()?;
        let segments = {
            let file = object::File::parse(&*data).ok()?;
            file.segments()
                .map(|s| {
                    let (off, size) = s.file_range();
                    (s.address(), off, size)
                })
                .collect()
        };
        Some(ElfCode { data, segments })
    }

    /// The instruction word at `pc`, if `pc` is inside a segment's file bytes.
    pub fn word(&self, pc: u64) -> Option<u32> {
        let &(vaddr, off, _) = self.segments.iter().find(|&&(vaddr, _, size)| {
            pc >= vaddr
                && pc
                    .checked_add(4)
                    .is_some_and(|end| end <= vaddr.saturating_add(size))
        })?;
        let at = usize::try_from(off.checked_add(pc - vaddr)?).ok()?;
        let b = self.data.get(at..at.checked_add(4)?)?;
        Some(u32::from_le_bytes(b.try_into().ok()?))
    }

    /// Disassembly of `n` instructions from `pc`, `; `-separated (at most [`MAX_SHOWN_INSNS`]).
    pub fn disasm(&self, pc: u64, n: u32) -> Option<String> {
        let shown = n.clamp(1, MAX_SHOWN_INSNS);
        let mut parts = Vec::new();
        for i in 0..u64::from(shown) {
            match self.word(pc.wrapping_add(4 * i)) {
                Some(w) => parts.push(elfrun_interp::decode::disasm(w)),
                None if i == 0 => return None,
                None => break,
            }
        }
        let mut s = parts.join("; ");
        if n > shown {
            s.push_str(&format!("; …(+{})", n - shown));
        }
        Some(s)
    }
}

fn is_elf(path: &Path) -> Result<bool, String> {
    use std::io::Read;
    let mut f =
        std::fs::File::open(path).map_err(|e| format!("{}: cannot open: {e}", path.display()))?;
    let mut magic = [0u8; 4];
    let n = f
        .read(&mut magic)
        .map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    Ok(n == 4 && magic == *b"\x7fELF")
}

/// The report `elfrun profile show` prints, or the error message.
pub fn show(args: &ShowArgs) -> Result<String, String> {
    let (profile, code) = if is_elf(&args.target)? {
        let hash = hash_file(&args.target).map_err(|e| e.to_string())?;
        let path = args
            .profile
            .clone()
            .unwrap_or_else(|| elfrun_profiles::default_profile_path(&hash));
        let p = elfrun_profiles::load(&path, Some(&hash)).map_err(|e| e.to_string())?;
        (p, ElfCode::read(&args.target))
    } else {
        if args.profile.is_some() {
            return Err(format!(
                "{} is not an ELF program; --profile goes with a program (`elfrun profile show PROG --profile FILE`)",
                args.target.display()
            ));
        }
        let p = elfrun_profiles::load(&args.target, None).map_err(|e| e.to_string())?;
        (p, None)
    };
    Ok(render(&profile, code.as_ref(), args.top, args.json))
}

/// The summary of `profile` (disassembled from `code` if given).
pub fn render(profile: &Profile, code: Option<&ElfCode>, top: usize, json: bool) -> String {
    let summary = Summary::new(profile, top, |pc| {
        let code = code?;
        // A block start shows the block; any other pc (a branch site) its instruction.
        let n = profile.blocks.get(&pc).map_or(1, |b| b.len_insns);
        code.disasm(pc, n)
    });
    if json {
        let mut s = summary.to_json();
        s.push('\n');
        s
    } else {
        summary.to_string()
    }
}
