//! Profile files: loading, atomic saving, merging into a file shared by concurrent recorders, and the default
//! location.
//!
//! Concurrency: [`merge_into_file`] takes an exclusive `flock` (via [`std::fs::File::lock`]) on a sibling lock
//! file `PATH.lock`, then reads, merges and atomically replaces `PATH`. The lock file is never deleted (deleting
//! it would let two writers hold locks on different inodes). Readers need no lock: [`save_atomic`] renames a fully
//! written temporary file over `PATH`, so a reader sees either the old or the new profile, never a mix.
//!
//! Owns: file I/O for profiles. Must not: know the byte layout (see `codec`).

use std::ffi::OsString;
use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::codec::MAX_PROFILE_LEN;
use crate::error::{ProfileError, hex};
use crate::model::Profile;

/// File name extension of profiles in the default location.
pub const PROFILE_EXTENSION: &str = "profile";

/// What [`merge_into_file`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MergeOutcome {
    /// There was no profile yet; it now holds the given one.
    Created,
    /// The given profile was added to the existing one.
    Merged,
    /// The existing profile could not be merged (written by another elfrun version or format version) and was
    /// replaced by the given one. `reason` says why, for the caller to log.
    Replaced { reason: String },
}

/// Read and validate the profile at `path` (see [`Profile::decode`]). Errors name the file.
pub fn load(path: &Path, expected_elf_hash: Option<&[u8; 32]>) -> Result<Profile, ProfileError> {
    let bytes = read_limited(path)?;
    Profile::decode(&bytes, expected_elf_hash).map_err(|e| e.in_file(path))
}

/// Read a profile file; one longer than [`MAX_PROFILE_LEN`] is refused without reading it all.
fn read_limited(path: &Path) -> Result<Vec<u8>, ProfileError> {
    let f = File::open(path).map_err(|e| ProfileError::io("cannot open profile", path, e))?;
    if let Ok(m) = f.metadata()
        && m.len() > MAX_PROFILE_LEN
    {
        return Err(ProfileError::TooLarge {
            len: m.len(),
            max: MAX_PROFILE_LEN,
        }
        .in_file(path));
    }
    let mut bytes = Vec::new();
    f.take(MAX_PROFILE_LEN + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| ProfileError::io("cannot read profile", path, e))?;
    if bytes.len() as u64 > MAX_PROFILE_LEN {
        let len = fs::metadata(path).map_or(bytes.len() as u64, |m| m.len());
        return Err(ProfileError::TooLarge {
            len,
            max: MAX_PROFILE_LEN,
        }
        .in_file(path));
    }
    Ok(bytes)
}

impl Profile {
    /// Write the profile to `path` atomically: into a new temporary file in the same directory, synced, then
    /// renamed over `path`. Readers never see a partly written profile; on error `path` is unchanged.
    pub fn save_atomic(&self, path: &Path) -> Result<(), ProfileError> {
        save_atomic(self, path)
    }
}

/// See [`Profile::save_atomic`].
pub fn save_atomic(profile: &Profile, path: &Path) -> Result<(), ProfileError> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let name = path.file_name().ok_or_else(|| {
        ProfileError::io(
            "cannot save profile to",
            path,
            std::io::Error::other("the path has no file name"),
        )
    })?;
    let mut tmp_name = name.to_os_string();
    tmp_name.push(format!(
        ".tmp.{}.{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let tmp = path.with_file_name(tmp_name);

    let write = || -> std::io::Result<()> {
        let mut f = OpenOptions::new().write(true).create_new(true).open(&tmp)?;
        f.write_all(&profile.encode())?;
        f.sync_all()?;
        fs::rename(&tmp, path)
    };
    if let Err(e) = write() {
        let _ = fs::remove_file(&tmp);
        return Err(ProfileError::io("cannot save profile to", path, e));
    }
    // Make the rename durable; failure here does not undo a completed save, so it is ignored.
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
        && let Ok(d) = File::open(dir)
    {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Add `profile` to the profile stored at `path` (creating it and its directory if needed), safely with other
/// processes and threads doing the same: all counts of all writers end up in the file.
///
/// A stored profile of another binary, or a corrupt one, is an error and is left untouched (delete it to start
/// over). A stored profile from another elfrun version or format version is replaced; see [`MergeOutcome`].
pub fn merge_into_file(path: &Path, profile: &Profile) -> Result<MergeOutcome, ProfileError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_dir_all(dir)
            .map_err(|e| ProfileError::io("cannot create profile directory", dir, e))?;
    }
    let mut lock_name = path
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    lock_name.push(".lock");
    let lock_path = path.with_file_name(lock_name);
    let lock = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&lock_path)
        .map_err(|e| ProfileError::io("cannot open profile lock file", &lock_path, e))?;
    lock.lock()
        .map_err(|e| ProfileError::io("cannot lock profile lock file", &lock_path, e))?;

    let (merged, outcome) = match fs::metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            (profile.clone(), MergeOutcome::Created)
        }
        _ => {
            let bytes = read_limited(path)?;
            match Profile::decode(&bytes, Some(&profile.elf_hash)) {
                Ok(mut stored) => match stored.merge(profile) {
                    Ok(()) => (stored, MergeOutcome::Merged),
                    Err(e @ ProfileError::MergeDifferentElfrun { .. }) => (
                        profile.clone(),
                        MergeOutcome::Replaced {
                            reason: e.to_string(),
                        },
                    ),
                    Err(e) => return Err(e.in_file(path)),
                },
                Err(e @ ProfileError::UnsupportedVersion { .. }) => (
                    profile.clone(),
                    MergeOutcome::Replaced {
                        reason: e.to_string(),
                    },
                ),
                Err(e) => return Err(e.in_file(path)),
            }
        }
    };
    save_atomic(&merged, path)?;
    drop(lock); // releases the flock
    Ok(outcome)
}

/// The key of a program's profile and bundle: the BLAKE3 hash of its file's bytes. Every process start that may
/// use a bundle computes it, so it is a fast hash: some 1 ms for busybox's 1.8 MB here, against 12 ms as
/// SHA-256 (without SHA extensions).
pub fn binary_hash(bytes: &[u8]) -> [u8; 32] {
    *blake3::hash(bytes).as_bytes()
}

/// [`binary_hash`] of the file at `path`.
pub fn binary_hash_file(path: &Path) -> std::io::Result<[u8; 32]> {
    use std::io::Read;
    let mut f = std::fs::File::open(path)?;
    let mut h = blake3::Hasher::new();
    let mut buf = vec![0u8; 1 << 18];
    loop {
        match f.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                h.update(&buf[..n]);
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(*h.finalize().as_bytes())
}

/// Where the profile of the ELF with hash `elf_hash` ([`binary_hash`]) lives by default:
/// `$XDG_CACHE_HOME/elfrun/profiles/<hex hash>.profile`, or `~/.cache/elfrun/profiles/…` when
/// `XDG_CACHE_HOME` is unset or not absolute, or under the system temporary directory when `HOME` is unset too.
pub fn default_profile_path(elf_hash: &[u8; 32]) -> PathBuf {
    profile_path_in(
        std::env::var_os("XDG_CACHE_HOME"),
        std::env::var_os("HOME"),
        elf_hash,
    )
}

/// [`default_profile_path`] with the environment passed in.
pub fn profile_path_in(
    xdg_cache_home: Option<OsString>,
    home: Option<OsString>,
    elf_hash: &[u8; 32],
) -> PathBuf {
    let absolute = |v: Option<OsString>| v.map(PathBuf::from).filter(|p| p.is_absolute());
    let cache = absolute(xdg_cache_home)
        .or_else(|| absolute(home).map(|h| h.join(".cache")))
        .unwrap_or_else(|| std::env::temp_dir().join("elfrun-cache"));
    cache
        .join("elfrun")
        .join("profiles")
        .join(format!("{}.{PROFILE_EXTENSION}", hex(elf_hash)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_path_follows_xdg() {
        let hash = [0xa5; 32];
        let name = format!("{}.profile", "a5".repeat(32));
        assert_eq!(
            profile_path_in(Some("/x/cache".into()), Some("/home/u".into()), &hash),
            PathBuf::from("/x/cache/elfrun/profiles").join(&name)
        );
        // Relative XDG_CACHE_HOME is ignored, as the XDG base directory spec requires.
        assert_eq!(
            profile_path_in(Some("rel".into()), Some("/home/u".into()), &hash),
            PathBuf::from("/home/u/.cache/elfrun/profiles").join(&name)
        );
        assert_eq!(
            profile_path_in(None, Some("/home/u".into()), &hash),
            PathBuf::from("/home/u/.cache/elfrun/profiles").join(&name)
        );
        assert_eq!(
            profile_path_in(None, None, &hash),
            std::env::temp_dir()
                .join("elfrun-cache/elfrun/profiles")
                .join(&name)
        );
    }
}
