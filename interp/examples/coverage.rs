//! Decoder coverage of real binaries: every word in the executable sections of the ELF files given that
//! yaxpeax-arm accepts but elfrun decodes as undefined, counted by mnemonic.
//!
//!     cargo run -p elfrun-interp --example coverage -- /path/to/aarch64-elf...
//!
//! Words in executable sections include literal pools and padding, so a few "misses" are data.
use std::collections::BTreeMap;

fn main() {
    let mut misses: BTreeMap<String, (u64, u32)> = BTreeMap::new();
    let (mut total, mut accepted, mut ours) = (0u64, 0u64, 0u64);
    for path in std::env::args().skip(1) {
        let data = std::fs::read(&path).expect("read ELF");
        for (off, len) in exec_segments(&data) {
            for chunk in data[off..off + len].chunks_exact(4) {
                let w = u32::from_le_bytes(chunk.try_into().unwrap());
                total += 1;
                let ya = elfrun_interp::decode::yaxpeax_accepts(w);
                let us = !matches!(elfrun_interp::decode(w), elfrun_interp::Insn::Undefined(_));
                accepted += ya as u64;
                ours += us as u64;
                if ya && !us {
                    let d = elfrun_interp::disasm(w);
                    let m = d.split_whitespace().next().unwrap_or("?").to_string();
                    let e = misses.entry(m).or_insert((0, w));
                    e.0 += 1;
                }
            }
        }
    }
    println!("{total} words, yaxpeax accepts {accepted}, elfrun decodes {ours}");
    let mut v: Vec<_> = misses.into_iter().collect();
    v.sort_by_key(|(_, (n, _))| std::cmp::Reverse(*n));
    for (m, (n, w)) in v {
        println!("{n:8}  {m:12} e.g. {w:#010x} {}", elfrun_interp::disasm(w));
    }
}

/// (file offset, length) of PF_X PT_LOAD segments of a little-endian ELF64.
fn exec_segments(d: &[u8]) -> Vec<(usize, usize)> {
    let u16_at = |o: usize| u16::from_le_bytes([d[o], d[o + 1]]) as usize;
    let u32_at = |o: usize| u32::from_le_bytes(d[o..o + 4].try_into().unwrap());
    let u64_at = |o: usize| u64::from_le_bytes(d[o..o + 8].try_into().unwrap()) as usize;
    let (phoff, phentsize, phnum) = (u64_at(0x20), u16_at(0x36), u16_at(0x38));
    (0..phnum)
        .map(|i| phoff + i * phentsize)
        .filter(|&p| u32_at(p) == 1 && u32_at(p + 4) & 1 != 0)
        .map(|p| (u64_at(p + 8), u64_at(p + 0x20).min(d.len() - u64_at(p + 8))))
        .collect()
}
