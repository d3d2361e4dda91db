//! The crate's one error type. Every message says what is wrong and what the user can do about it.

use std::path::PathBuf;

use thiserror::Error;

/// What the user is told to do with a profile that cannot be used.
const RERECORD: &str = "re-record it with `elfrun --record PROG`";

/// Lower-case hex of a hash (for messages and file names).
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// Everything that can go wrong reading, validating, merging or storing a profile.
#[derive(Debug, Error)]
pub enum ProfileError {
    #[error("profile is truncated ({len} bytes, expected at least {expected}); {RERECORD}")]
    Truncated { len: u64, expected: u64 },

    #[error(
        "profile has {extra} trailing bytes after its end ({len} bytes, header says {expected}); it is corrupt: delete it and {RERECORD}"
    )]
    TrailingBytes { len: u64, expected: u64, extra: u64 },

    #[error(
        "not an elfrun profile (starts with {found:02x?}, expected the magic \"ELFRPROF\"); pass a file written by `elfrun --record`"
    )]
    BadMagic { found: Vec<u8> },

    #[error(
        "profile format version {found} is not supported by this elfrun (wants {supported}); {RERECORD}"
    )]
    UnsupportedVersion { found: u16, supported: u16 },

    #[error(
        "profile is {len} bytes, more than the {max} bytes this elfrun accepts; it is corrupt or not a profile: delete it and {RERECORD}"
    )]
    TooLarge { len: u64, max: u64 },

    #[error(
        "profile checksum mismatch (stored {stored}, computed {computed}): the file is corrupt; delete it and {RERECORD}"
    )]
    ChecksumMismatch { stored: String, computed: String },

    #[error("profile is malformed at byte {offset}: {what}; delete it and {RERECORD}")]
    Malformed { offset: usize, what: String },

    #[error(
        "profile was recorded for a different binary (hash {profile}, this one is {expected}); use the profile of this binary or {RERECORD}"
    )]
    WrongBinary { profile: String, expected: String },

    #[error(
        "cannot merge profiles of different binaries (hashes {ours} and {theirs}); merge only profiles recorded for the same ELF file"
    )]
    MergeDifferentBinary { ours: String, theirs: String },

    #[error(
        "cannot merge profiles recorded by different elfrun versions ({ours:?} and {theirs:?}); {RERECORD} using one elfrun version"
    )]
    MergeDifferentElfrun { ours: String, theirs: String },

    #[error("{action} {path}: {source}")]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("in profile file {path}: {source}")]
    InFile {
        path: PathBuf,
        #[source]
        source: Box<ProfileError>,
    },
}

impl ProfileError {
    pub(crate) fn malformed(offset: usize, what: impl Into<String>) -> Self {
        ProfileError::Malformed {
            offset,
            what: what.into(),
        }
    }

    pub(crate) fn io(action: &'static str, path: &std::path::Path, source: std::io::Error) -> Self {
        ProfileError::Io {
            action,
            path: path.to_path_buf(),
            source,
        }
    }

    pub(crate) fn in_file(self, path: &std::path::Path) -> Self {
        ProfileError::InFile {
            path: path.to_path_buf(),
            source: Box::new(self),
        }
    }

    /// The underlying error, looking through [`ProfileError::InFile`].
    pub fn root(&self) -> &ProfileError {
        match self {
            ProfileError::InFile { source, .. } => source.root(),
            e => e,
        }
    }
}
