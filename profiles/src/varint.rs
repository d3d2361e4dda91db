//! LEB128 unsigned varints and a bounds-checked byte reader that never panics.
//!
//! Owns: the primitive encodings the profile format is built from. Only canonical varints are accepted
//! (no redundant trailing zero groups, no bits beyond 64), so every value has exactly one encoding.

use crate::error::ProfileError;

/// Longest LEB128 encoding of a `u64`.
pub const MAX_VARINT_LEN: usize = 10;

/// Append `v` as unsigned LEB128.
pub fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// Reads from a byte slice; every read checks bounds and reports the absolute offset of a failure.
#[derive(Debug, Clone)]
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
    /// Absolute offset of `buf[0]` in the whole profile (for messages).
    base: usize,
}

impl<'a> Reader<'a> {
    pub fn new(buf: &'a [u8], base: usize) -> Self {
        Reader { buf, pos: 0, base }
    }

    /// Absolute offset of the next byte.
    pub fn offset(&self) -> usize {
        self.base + self.pos
    }

    pub fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    pub fn is_empty(&self) -> bool {
        self.remaining() == 0
    }

    fn err(&self, what: impl Into<String>) -> ProfileError {
        ProfileError::malformed(self.offset(), what)
    }

    /// The next `n` bytes.
    pub fn bytes(&mut self, n: usize, what: &str) -> Result<&'a [u8], ProfileError> {
        if n > self.remaining() {
            return Err(self.err(format!(
                "{what} needs {n} bytes but only {} remain",
                self.remaining()
            )));
        }
        let s = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    pub fn u8(&mut self, what: &str) -> Result<u8, ProfileError> {
        Ok(self.bytes(1, what)?[0])
    }

    pub fn u64_le(&mut self, what: &str) -> Result<u64, ProfileError> {
        let b = self.bytes(8, what)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(u64::from_le_bytes(a))
    }

    /// A canonical unsigned LEB128 varint.
    pub fn varint(&mut self, what: &str) -> Result<u64, ProfileError> {
        let start = self.offset();
        let mut v: u64 = 0;
        for i in 0..MAX_VARINT_LEN {
            let byte = self.u8(what)?;
            let payload = u64::from(byte & 0x7f);
            if i == MAX_VARINT_LEN - 1 && payload > 1 {
                return Err(ProfileError::malformed(
                    start,
                    format!("{what}: varint overflows 64 bits"),
                ));
            }
            v |= payload << (7 * i);
            if byte & 0x80 == 0 {
                if byte == 0 && i > 0 {
                    return Err(ProfileError::malformed(
                        start,
                        format!("{what}: varint has a redundant zero byte"),
                    ));
                }
                return Ok(v);
            }
        }
        Err(ProfileError::malformed(
            start,
            format!("{what}: varint longer than {MAX_VARINT_LEN} bytes"),
        ))
    }

    /// A varint that must fit in a `u32`.
    pub fn varint_u32(&mut self, what: &str) -> Result<u32, ProfileError> {
        let start = self.offset();
        let v = self.varint(what)?;
        u32::try_from(v).map_err(|_| {
            ProfileError::malformed(start, format!("{what} {v} does not fit in 32 bits"))
        })
    }

    /// A reader over the next `len` bytes (advancing past them).
    pub fn sub(&mut self, len: u64, what: &str) -> Result<Reader<'a>, ProfileError> {
        let base = self.offset();
        let n = usize::try_from(len).unwrap_or(usize::MAX);
        let b = self.bytes(n, what)?;
        Ok(Reader::new(b, base))
    }

    /// Fail unless the reader is exhausted.
    pub fn finish(&self, what: &str) -> Result<(), ProfileError> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(self.err(format!(
                "{} unexpected bytes at the end of {what}",
                self.remaining()
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enc(v: u64) -> Vec<u8> {
        let mut o = Vec::new();
        put_varint(&mut o, v);
        o
    }

    #[test]
    fn known_encodings() {
        // Values from the LEB128 definition (DWARF 5, section 7.6).
        assert_eq!(enc(2), [2]);
        assert_eq!(enc(127), [127]);
        assert_eq!(enc(128), [0x80, 1]);
        assert_eq!(enc(129), [0x81, 1]);
        assert_eq!(enc(130), [0x82, 1]);
        assert_eq!(enc(12857), [0xb9, 100]);
        assert_eq!(
            enc(u64::MAX),
            [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]
        );
    }

    #[test]
    fn round_trip_edges() {
        for shift in 0..64 {
            for v in [1u64 << shift, (1u64 << shift) - 1, (1u64 << shift) + 1] {
                let e = enc(v);
                let mut r = Reader::new(&e, 0);
                assert_eq!(r.varint("v").unwrap(), v);
                assert!(r.is_empty());
            }
        }
    }

    #[test]
    fn rejects_non_canonical_and_overflow() {
        for bad in [
            &[0x80, 0x00][..],
            &[0xff, 0x80, 0x00],
            &[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02],
            &[
                0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x81, 0x00,
            ],
            &[0x80],
            &[],
        ] {
            assert!(Reader::new(bad, 0).varint("v").is_err(), "{bad:02x?}");
        }
    }

    #[test]
    fn sub_and_bytes_are_bounds_checked() {
        let data = [1u8, 2, 3];
        let mut r = Reader::new(&data, 10);
        assert!(r.sub(u64::MAX, "s").is_err());
        assert!(r.bytes(4, "b").is_err());
        let mut s = r.sub(2, "s").unwrap();
        assert_eq!(s.offset(), 10);
        assert_eq!(s.u8("x").unwrap(), 1);
        assert!(s.finish("s").is_err());
        assert_eq!(r.offset(), 12);
        assert!(r.u64_le("q").is_err());
    }
}
