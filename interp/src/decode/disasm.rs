//! Disassembly through yaxpeax-arm, for messages and profiles. The only place yaxpeax types appear.

use alloc::format;
use alloc::string::{String, ToString};
use yaxpeax_arch::{Decoder, U8Reader};
use yaxpeax_arm::armv8::a64::{InstDecoder, Opcode};

/// The instruction's assembly text, or `"<undefined>"`.
pub fn disasm(word: u32) -> String {
    let bytes = word.to_le_bytes();
    let mut reader = U8Reader::new(&bytes);
    match InstDecoder::default().decode(&mut reader) {
        Ok(i) if i.opcode != Opcode::Invalid => i.to_string(),
        Ok(_) | Err(_) => "<undefined>".into(),
    }
}

/// Whether yaxpeax-arm considers the word an allocated instruction (`Ok` with `Opcode::Invalid` is not).
pub fn yaxpeax_accepts(word: u32) -> bool {
    let bytes = word.to_le_bytes();
    let mut reader = U8Reader::new(&bytes);
    matches!(InstDecoder::default().decode(&mut reader), Ok(i) if i.opcode != Opcode::Invalid)
}

/// `0x…: word (disassembly)` for error reports.
pub fn describe(pc: u64, word: u32) -> String {
    format!("{pc:#x} ({word:#010x}, {})", disasm(word))
}
