//! The bundle file: a lifted Wasm module plus the manifest the runtime needs to trust and use it.
//!
//! Layout (little-endian): magic `ELFRUNBN`, format version (u32), ELF hash ([`elfrun_profiles::binary_hash`]),
//! the SHA-256 of each profile used, elfrun version and translator configuration (length-prefixed strings),
//! build statistics, the number of blocks of each function, the entry table (pc → function, block; sorted by
//! pc), the Wasm module, and a BLAKE3 hash of everything before it. Reading checks every length and the
//! checksum before anything is used.

/// First bytes of every bundle.
pub const MAGIC: &[u8; 8] = b"ELFRUNBN";
/// Version of the bundle layout. Version 1 keyed bundles by the ELF's SHA-256 and ended in a SHA-256; version 2
/// uses BLAKE3 for both (every process start checks them: busybox's 1.8 MB and a 1.8 MB bundle took 24 ms).
pub const FORMAT_VERSION: u32 = 2;
/// Identifies the lifter's output conventions, the layout of the CPU state it reads and writes included; a
/// bundle made by another translator is rebuilt, not run. lift-5: the state's `undefined` words (dead registers
/// at exits) moved the V registers by 16 bytes. lift-6: NZCV may be left lazy in the state
/// ([`crate::abi::FLAGS_KIND_ADDR`]). lift-7: the state moved to the null-pointer guard.
pub const TRANSLATOR: &str = "lift-7 (registers in locals, lazy flags, direct calls, inline fp fast paths, \
     FpSlow status, dead registers undefined at exits, lazy NZCV in the state, state in the null guard)";

/// The translator string of a bundle built with or without [`crate::BuildInput::fused_madd`].
pub fn translator(fused_madd: bool) -> String {
    if fused_madd {
        format!("{TRANSLATOR}; fused relaxed_madd")
    } else {
        TRANSLATOR.to_string()
    }
}

/// Where lifted code can be entered: guest `pc` is block `block` of lifted function `func`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Entry {
    pub pc: u64,
    pub func: u32,
    pub block: u32,
}

/// Counts of a build, kept in the bundle for `--stats` and benchmarks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BuildStats {
    pub functions: u64,
    pub blocks: u64,
    /// Guest instructions translated to Wasm.
    pub lifted: u64,
    /// Guest instructions left to the interpreter.
    pub fallback: u64,
    /// Bytes of executable code in the ELF.
    pub code_bytes: u64,
}

/// A bundle in memory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bundle {
    pub elf_hash: [u8; 32],
    pub profile_sha256: Vec<[u8; 32]>,
    pub elfrun_version: String,
    pub translator: String,
    pub stats: BuildStats,
    /// Number of blocks of each lifted function (function `i` is table entry `i`).
    pub blocks_per_function: Vec<u32>,
    pub entries: Vec<Entry>,
    pub wasm: Vec<u8>,
}

/// Why a bundle file was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum BundleError {
    #[error("not an elfrun bundle (bad magic)")]
    Magic,
    #[error(
        "bundle format version {0} is not supported (this elfrun reads version {FORMAT_VERSION}); rebuild it with `elfrun build PROG`"
    )]
    Version(u32),
    #[error("bundle is truncated")]
    Truncated,
    #[error("bundle checksum mismatch (the file is damaged)")]
    Checksum,
    #[error("bundle is inconsistent: {0}")]
    Corrupt(&'static str),
}

struct Writer(Vec<u8>);

impl Writer {
    fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn bytes(&mut self, b: &[u8]) {
        self.u64(b.len() as u64);
        self.0.extend_from_slice(b);
    }
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: u64) -> Result<&'a [u8], BundleError> {
        if n > self.0.len() as u64 {
            return Err(BundleError::Truncated);
        }
        let (a, b) = self.0.split_at(n as usize);
        self.0 = b;
        Ok(a)
    }
    fn u32(&mut self) -> Result<u32, BundleError> {
        Ok(u32::from_le_bytes(
            self.take(4)?.try_into().expect("4 bytes"),
        ))
    }
    fn u64(&mut self) -> Result<u64, BundleError> {
        Ok(u64::from_le_bytes(
            self.take(8)?.try_into().expect("8 bytes"),
        ))
    }
    fn digest(&mut self) -> Result<[u8; 32], BundleError> {
        Ok(self.take(32)?.try_into().expect("32 bytes"))
    }
    fn bytes(&mut self) -> Result<&'a [u8], BundleError> {
        let n = self.u64()?;
        self.take(n)
    }
    fn string(&mut self) -> Result<String, BundleError> {
        String::from_utf8(self.bytes()?.to_vec())
            .map_err(|_| BundleError::Corrupt("string is not UTF-8"))
    }
    /// A count of items of `item` bytes each that must fit in what is left.
    fn count(&mut self, item: u64) -> Result<usize, BundleError> {
        let n = self.u64()?;
        if n.saturating_mul(item) > self.0.len() as u64 {
            return Err(BundleError::Truncated);
        }
        Ok(n as usize)
    }
}

impl Bundle {
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer(Vec::with_capacity(
            self.wasm.len() + 16 * self.entries.len() + 256,
        ));
        w.0.extend_from_slice(MAGIC);
        w.u32(FORMAT_VERSION);
        w.0.extend_from_slice(&self.elf_hash);
        w.u64(self.profile_sha256.len() as u64);
        for p in &self.profile_sha256 {
            w.0.extend_from_slice(p);
        }
        w.bytes(self.elfrun_version.as_bytes());
        w.bytes(self.translator.as_bytes());
        let s = &self.stats;
        for v in [s.functions, s.blocks, s.lifted, s.fallback, s.code_bytes] {
            w.u64(v);
        }
        w.u64(self.blocks_per_function.len() as u64);
        for &b in &self.blocks_per_function {
            w.u32(b);
        }
        w.u64(self.entries.len() as u64);
        for e in &self.entries {
            w.u64(e.pc);
            w.u32(e.func);
            w.u32(e.block);
        }
        w.bytes(&self.wasm);
        let sum = blake3::hash(&w.0);
        w.0.extend_from_slice(sum.as_bytes());
        w.0
    }

    /// Parses and checks a bundle file's bytes.
    pub fn decode(data: &[u8]) -> Result<Bundle, BundleError> {
        if data.len() < MAGIC.len() || &data[..MAGIC.len()] != MAGIC {
            return Err(if MAGIC.starts_with(data) {
                BundleError::Truncated
            } else {
                BundleError::Magic
            });
        }
        let mut r = Reader(&data[MAGIC.len()..]);
        let version = r.u32()?;
        if version != FORMAT_VERSION {
            return Err(BundleError::Version(version));
        }
        if data.len() < MAGIC.len() + 4 + 32 {
            return Err(BundleError::Truncated);
        }
        let (body, sum) = data.split_at(data.len() - 32);
        if blake3::hash(body).as_bytes() != sum {
            return Err(BundleError::Checksum);
        }
        r = Reader(&body[MAGIC.len() + 4..]);
        let elf_hash = r.digest()?;
        let np = r.count(32)?;
        let profile_sha256 = (0..np).map(|_| r.digest()).collect::<Result<_, _>>()?;
        let elfrun_version = r.string()?;
        let translator = r.string()?;
        let mut s = [0u64; 5];
        for v in &mut s {
            *v = r.u64()?;
        }
        let stats = BuildStats {
            functions: s[0],
            blocks: s[1],
            lifted: s[2],
            fallback: s[3],
            code_bytes: s[4],
        };
        let nf = r.count(4)?;
        let blocks_per_function: Vec<u32> = (0..nf).map(|_| r.u32()).collect::<Result<_, _>>()?;
        let ne = r.count(16)?;
        let mut entries = Vec::with_capacity(ne);
        for _ in 0..ne {
            let e = Entry {
                pc: r.u64()?,
                func: r.u32()?,
                block: r.u32()?,
            };
            let ok = blocks_per_function
                .get(e.func as usize)
                .is_some_and(|&n| e.block < n);
            if !ok {
                return Err(BundleError::Corrupt(
                    "entry names a block that does not exist",
                ));
            }
            if entries.last().is_some_and(|p: &Entry| p.pc >= e.pc) {
                return Err(BundleError::Corrupt("entries are not sorted"));
            }
            entries.push(e);
        }
        let wasm = r.bytes()?.to_vec();
        if !r.0.is_empty() {
            return Err(BundleError::Corrupt("trailing bytes"));
        }
        Ok(Bundle {
            elf_hash,
            profile_sha256,
            elfrun_version,
            translator,
            stats,
            blocks_per_function,
            entries,
            wasm,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Bundle {
        Bundle {
            elf_hash: [7; 32],
            profile_sha256: vec![[1; 32], [2; 32]],
            elfrun_version: "0.1.0".into(),
            translator: TRANSLATOR.into(),
            stats: BuildStats {
                functions: 2,
                blocks: 3,
                lifted: 10,
                fallback: 1,
                code_bytes: 44,
            },
            blocks_per_function: vec![2, 1],
            entries: vec![
                Entry {
                    pc: 0x400000,
                    func: 0,
                    block: 0,
                },
                Entry {
                    pc: 0x400010,
                    func: 0,
                    block: 1,
                },
                Entry {
                    pc: 0x400020,
                    func: 1,
                    block: 0,
                },
            ],
            wasm: b"\0asm\x01\0\0\0".to_vec(),
        }
    }

    #[test]
    fn round_trip() {
        let b = sample();
        assert_eq!(Bundle::decode(&b.encode()), Ok(b));
    }

    #[test]
    fn every_truncation_is_refused() {
        let bytes = sample().encode();
        for n in 0..bytes.len() {
            assert!(
                Bundle::decode(&bytes[..n]).is_err(),
                "truncated to {n} accepted"
            );
        }
    }

    #[test]
    fn every_bit_flip_is_refused() {
        let bytes = sample().encode();
        for i in 0..bytes.len() * 8 {
            let mut b = bytes.clone();
            b[i / 8] ^= 1 << (i % 8);
            assert!(Bundle::decode(&b).is_err(), "flip of bit {i} accepted");
        }
    }

    #[test]
    fn bad_entries_are_refused_even_with_a_valid_checksum() {
        let mut b = sample();
        b.entries[1].block = 5;
        assert_eq!(
            Bundle::decode(&b.encode()),
            Err(BundleError::Corrupt(
                "entry names a block that does not exist"
            ))
        );
    }
}
