//! The binary profile format: [`Profile::encode`] and [`Profile::decode`]. docs/profiles.md has the byte layout.
//!
//! Owns: the layout, its validation and its canonical form (one byte string per profile, so encoding is
//! deterministic and `encode(decode(b)) == b` for every accepted `b`).
//! Must not: touch files.

use std::collections::BTreeMap;

use crate::error::{ProfileError, hex};
use crate::model::{BlockStats, IndirectKind, IndirectSite, MAX_ELFRUN_VERSION_LEN, Profile};
use crate::varint::{Reader, put_varint};

/// First 8 bytes of every profile.
pub const MAGIC: [u8; 8] = *b"ELFRPROF";
/// The format version this elfrun writes and the only one it reads. Version 1 keyed profiles by the ELF's
/// SHA-256 and ended in a SHA-256; version 2 uses BLAKE3 for both.
pub const FORMAT_VERSION: u16 = 2;
/// Largest profile accepted (1 GiB); anything bigger is treated as corrupt.
pub const MAX_PROFILE_LEN: u64 = 1 << 30;
/// Length of the trailing checksum (BLAKE3).
pub const CHECKSUM_LEN: usize = 32;

/// magic, version, flags, total length, ELF hash, runs.
const FIXED_HEADER_LEN: usize = 8 + 2 + 2 + 8 + 32 + 8;
/// Offset of the total-length field.
const TOTAL_LEN_OFFSET: usize = 12;

/// Section tags, in the order they must appear. Each appears exactly once.
const SECTIONS: [(u8, &str); 5] = [
    (1, "blocks"),
    (2, "call targets"),
    (3, "indirect sites"),
    (4, "AOT misses"),
    (5, "counters"),
];

/// Smallest valid profile: header with an empty version string, five empty sections (tag, length 1, one-byte
/// count or counter), checksum.
pub const MIN_PROFILE_LEN: usize = FIXED_HEADER_LEN + 1 + SECTIONS.len() * 3 + CHECKSUM_LEN;

impl Profile {
    /// The canonical encoding of this profile. Equal profiles give identical bytes.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(MIN_PROFILE_LEN + 8 * self.blocks.len());
        out.extend_from_slice(&MAGIC);
        out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes()); // flags, reserved
        out.extend_from_slice(&0u64.to_le_bytes()); // total length, patched below
        out.extend_from_slice(&self.elf_hash);
        out.extend_from_slice(&self.runs.to_le_bytes());
        let v = self.elfrun_version().as_bytes();
        // Profile::new caps the version at MAX_ELFRUN_VERSION_LEN (255) bytes.
        out.push(v.len().min(MAX_ELFRUN_VERSION_LEN) as u8);
        out.extend_from_slice(&v[..v.len().min(MAX_ELFRUN_VERSION_LEN)]);

        let mut payload = Vec::new();
        for (tag, _) in SECTIONS {
            payload.clear();
            self.encode_section(tag, &mut payload);
            out.push(tag);
            put_varint(&mut out, payload.len() as u64);
            out.extend_from_slice(&payload);
        }

        let total = (out.len() + CHECKSUM_LEN) as u64;
        out[TOTAL_LEN_OFFSET..TOTAL_LEN_OFFSET + 8].copy_from_slice(&total.to_le_bytes());
        let sum = checksum(&out);
        out.extend_from_slice(&sum);
        out
    }

    fn encode_section(&self, tag: u8, out: &mut Vec<u8>) {
        match tag {
            1 => {
                put_varint(out, self.blocks.len() as u64);
                let mut prev = 0;
                for (&pc, b) in &self.blocks {
                    put_varint(out, pc - prev);
                    put_varint(out, u64::from(b.len_insns));
                    put_varint(out, b.entries);
                    prev = pc;
                }
            }
            2 => put_counts(out, &self.call_targets),
            3 => {
                put_varint(out, self.indirect.len() as u64);
                let mut prev = 0;
                for (site, targets) in &self.indirect {
                    put_varint(out, site.pc - prev);
                    out.push(site.kind.code());
                    put_counts(out, targets);
                    prev = site.pc;
                }
            }
            4 => put_counts(out, &self.aot_misses),
            _ => put_varint(out, self.instructions_executed),
        }
    }

    /// Parse and validate a profile. With `expected_elf_hash`, a profile of any other binary is refused.
    ///
    /// Checks, in order: magic, format version, length (truncation, trailing bytes, size limit), checksum,
    /// ELF hash, then the structure (sections present once and in order, keys sorted and unique, no bytes
    /// left over). Never panics, and allocates no more than the input's size.
    pub fn decode(
        bytes: &[u8],
        expected_elf_hash: Option<&[u8; 32]>,
    ) -> Result<Profile, ProfileError> {
        let len = bytes.len() as u64;
        let truncated = |expected: u64| ProfileError::Truncated { len, expected };
        let prefix = &bytes[..bytes.len().min(MAGIC.len())];
        if prefix != &MAGIC[..prefix.len()] {
            return Err(ProfileError::BadMagic {
                found: prefix.to_vec(),
            });
        }
        if bytes.len() < MAGIC.len() + 2 {
            return Err(truncated(MIN_PROFILE_LEN as u64));
        }
        let version = u16::from_le_bytes([bytes[8], bytes[9]]);
        if version != FORMAT_VERSION {
            return Err(ProfileError::UnsupportedVersion {
                found: version,
                supported: FORMAT_VERSION,
            });
        }
        if bytes.len() < MIN_PROFILE_LEN {
            return Err(truncated(MIN_PROFILE_LEN as u64));
        }
        let mut total = [0u8; 8];
        total.copy_from_slice(&bytes[TOTAL_LEN_OFFSET..TOTAL_LEN_OFFSET + 8]);
        let total = u64::from_le_bytes(total);
        if total > MAX_PROFILE_LEN {
            return Err(ProfileError::TooLarge {
                len: total,
                max: MAX_PROFILE_LEN,
            });
        }
        if len < total {
            return Err(truncated(total));
        }
        if len > total {
            return Err(ProfileError::TrailingBytes {
                len,
                expected: total,
                extra: len - total,
            });
        }
        let (body, stored) = bytes.split_at(bytes.len() - CHECKSUM_LEN);
        let computed = checksum(body);
        if stored != computed {
            return Err(ProfileError::ChecksumMismatch {
                stored: hex(stored),
                computed: hex(&computed),
            });
        }

        let mut r = Reader::new(body, 0);
        r.bytes(MAGIC.len() + 2, "magic and version")?;
        let flags = r.bytes(2, "flags")?;
        if flags != [0, 0] {
            return Err(ProfileError::malformed(
                10,
                format!("reserved flags {flags:02x?} are not zero"),
            ));
        }
        r.u64_le("total length")?;
        let mut hash = [0u8; 32];
        hash.copy_from_slice(r.bytes(32, "ELF hash")?);
        if let Some(expected) = expected_elf_hash
            && *expected != hash
        {
            return Err(ProfileError::WrongBinary {
                profile: hex(&hash),
                expected: hex(expected),
            });
        }
        let runs = r.u64_le("run count")?;
        let vlen = r.u8("elfrun version length")?;
        let voff = r.offset();
        let vbytes = r.bytes(usize::from(vlen), "elfrun version")?;
        let version = std::str::from_utf8(vbytes).map_err(|e| {
            ProfileError::malformed(voff, format!("elfrun version is not UTF-8 ({e})"))
        })?;

        let mut p = Profile::new(hash, version);
        p.runs = runs;
        for (tag, name) in SECTIONS {
            let at = r.offset();
            let found = r.u8("section tag")?;
            if found != tag {
                return Err(ProfileError::malformed(
                    at,
                    format!("expected section {tag} ({name}), found tag {found}"),
                ));
            }
            let slen = r.varint("section length")?;
            let mut s = r.sub(slen, name)?;
            p.decode_section(tag, &mut s)?;
            s.finish(name)?;
        }
        r.finish("the profile")?;
        Ok(p)
    }

    fn decode_section(&mut self, tag: u8, r: &mut Reader<'_>) -> Result<(), ProfileError> {
        match tag {
            1 => {
                let n = entry_count(r, 3, "blocks")?;
                let mut keys = Keys::default();
                for _ in 0..n {
                    let pc = keys.next(r, "block")?;
                    let len_insns = r.varint_u32("block length")?;
                    let entries = r.varint("block entry count")?;
                    self.blocks.insert(pc, BlockStats { len_insns, entries });
                }
            }
            2 => self.call_targets = get_counts(r, "call target")?,
            3 => {
                let n = entry_count(r, 3, "indirect sites")?;
                let mut prev: Option<IndirectSite> = None;
                for _ in 0..n {
                    let at = r.offset();
                    let delta = r.varint("indirect site pc delta")?;
                    let base = prev.map_or(0, |s| s.pc);
                    let pc = base.checked_add(delta).ok_or_else(|| {
                        ProfileError::malformed(at, "indirect site pc overflows 64 bits")
                    })?;
                    let kat = r.offset();
                    let code = r.u8("indirect site kind")?;
                    let kind = IndirectKind::from_code(code).ok_or_else(|| {
                        ProfileError::malformed(kat, format!("unknown indirect branch kind {code}"))
                    })?;
                    let site = IndirectSite { pc, kind };
                    if prev.is_some_and(|p| site <= p) {
                        return Err(ProfileError::malformed(
                            at,
                            "indirect sites are not sorted and unique",
                        ));
                    }
                    let targets = get_counts(r, "indirect target")?;
                    self.indirect.insert(site, targets);
                    prev = Some(site);
                }
            }
            4 => self.aot_misses = get_counts(r, "AOT miss")?,
            _ => self.instructions_executed = r.varint("instructions executed")?,
        }
        Ok(())
    }
}

/// BLAKE3 of `data`.
fn checksum(data: &[u8]) -> [u8; 32] {
    *blake3::hash(data).as_bytes()
}

fn put_counts(out: &mut Vec<u8>, map: &BTreeMap<u64, u64>) {
    put_varint(out, map.len() as u64);
    let mut prev = 0;
    for (&pc, &count) in map {
        put_varint(out, pc - prev);
        put_varint(out, count);
        prev = pc;
    }
}

/// Reads a map written by [`put_counts`].
fn get_counts(r: &mut Reader<'_>, what: &str) -> Result<BTreeMap<u64, u64>, ProfileError> {
    let n = entry_count(r, 2, what)?;
    let mut keys = Keys::default();
    let mut map = BTreeMap::new();
    for _ in 0..n {
        let pc = keys.next(r, what)?;
        let count = r.varint(what)?;
        map.insert(pc, count);
    }
    Ok(map)
}

/// Reads an entry count and checks that `n` entries of at least `min_entry` bytes fit in what is left.
fn entry_count(r: &mut Reader<'_>, min_entry: u64, what: &str) -> Result<u64, ProfileError> {
    let at = r.offset();
    let n = r.varint(what)?;
    let room = r.remaining() as u64 / min_entry;
    if n > room {
        return Err(ProfileError::malformed(
            at,
            format!(
                "{n} {what} entries claimed but only {} bytes remain",
                r.remaining()
            ),
        ));
    }
    Ok(n)
}

/// Delta-decodes strictly increasing pcs.
#[derive(Default)]
struct Keys {
    prev: Option<u64>,
}

impl Keys {
    fn next(&mut self, r: &mut Reader<'_>, what: &str) -> Result<u64, ProfileError> {
        let at = r.offset();
        let delta = r.varint(what)?;
        let pc = match self.prev {
            None => delta,
            Some(_) if delta == 0 => {
                return Err(ProfileError::malformed(
                    at,
                    format!("{what} pcs are not sorted and unique"),
                ));
            }
            Some(p) => p.checked_add(delta).ok_or_else(|| {
                ProfileError::malformed(at, format!("{what} pc overflows 64 bits"))
            })?,
        };
        self.prev = Some(pc);
        Ok(pc)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_profile_is_min_len_plus_version() {
        let p = Profile::new([7; 32], "");
        let b = p.encode();
        assert_eq!(b.len(), MIN_PROFILE_LEN);
        assert_eq!(Profile::decode(&b, Some(&[7; 32])).unwrap(), p);
    }

    /// The layout documented in docs/profiles.md, byte by byte.
    #[test]
    fn documented_layout() {
        let mut p = Profile::new([0xab; 32], "0.1");
        p.runs = 2;
        p.instructions_executed = 300;
        p.record_block(0x400000, 5, 3);
        p.record_block(0x400100, 2, 1);
        p.record_call(0x400100, 1);
        p.record_indirect(
            IndirectSite {
                pc: 0x400010,
                kind: IndirectKind::Blr,
            },
            0x400100,
            1,
        );
        p.record_aot_miss(0x400200, 4);
        let b = p.encode();
        let mut want = Vec::new();
        want.extend_from_slice(b"ELFRPROF");
        want.extend_from_slice(&[2, 0, 0, 0]);
        want.extend_from_slice(&(b.len() as u64).to_le_bytes());
        want.extend_from_slice(&[0xab; 32]);
        want.extend_from_slice(&2u64.to_le_bytes());
        want.extend_from_slice(&[3, b'0', b'.', b'1']);
        // blocks: 2 entries; 0x400000 = LEB 80 80 80 02; delta 0x100 = 80 02
        want.extend_from_slice(&[1, 11, 2, 0x80, 0x80, 0x80, 0x02, 5, 3, 0x80, 0x02, 2, 1]);
        want.extend_from_slice(&[2, 6, 1, 0x80, 0x82, 0x80, 0x02, 1]);
        want.extend_from_slice(&[
            3, 12, 1, 0x90, 0x80, 0x80, 0x02, 1, 1, 0x80, 0x82, 0x80, 0x02, 1,
        ]);
        want.extend_from_slice(&[4, 6, 1, 0x80, 0x84, 0x80, 0x02, 4]);
        want.extend_from_slice(&[5, 2, 0xac, 0x02]);
        assert_eq!(&b[..b.len() - 32], &want[..]);
        let sum: [u8; 32] = *blake3::hash(&want).as_bytes();
        assert_eq!(&b[b.len() - 32..], &sum);
    }
}
