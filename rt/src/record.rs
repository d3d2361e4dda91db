//! `elfrun --record`: one guest process's profile recording, and how it survives the process's life events.
//!
//! The interpreter counts into an [`elfrun_interp::eval::Counters`]; [`Guest::flush_profile`] turns what was counted
//! since the last flush into an [`elfrun_profiles::Profile`] and merges it into the profile file
//! ([`elfrun_profiles::merge_into_file`]: safe with concurrent writers). Life events:
//! - exit (`exit_group`), a fatal signal: the launcher flushes after the run loop returns;
//! - `execve`: the old image's profile is flushed before the host exec ([`Guest::flush_profile`]); the new elfrun
//!   gets `--record` (and the same `--profile FILE` if it runs the same binary: [`Recording::exec_flags`]);
//! - `fork`: the child calls [`Guest::profile_after_fork`] so it records only its own part (the parent's counts
//!   up to the fork stay the parent's to flush).
//!
//! A process counts as one run in the profile, whatever number of flushes it takes.
//!
//! Owns: the recording state and the conversion to a profile. Must not: define the profile format (the
//! `elfrun-profiles` crate does) or the counters (the interpreter does).

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use elfrun_interp::BlockCache;
use elfrun_interp::eval::{Counters, IndirectKind, Sink};
use elfrun_profiles::{IndirectSite, MergeOutcome, Profile};

use crate::error::RtError;
use crate::guest::Guest;
use crate::launch::RecordTo;

/// elfrun's version as stored in profiles (profiles of other versions are not merged).
pub const ELFRUN_VERSION: &str = env!("CARGO_PKG_VERSION");

/// The hash of the file at `path`: the key of its profile and bundle ([`elfrun_profiles::binary_hash`]).
pub fn hash_file(path: &Path) -> Result<[u8; 32], RtError> {
    elfrun_profiles::binary_hash_file(path).map_err(|e| RtError::Read(path.to_owned(), e))
}

/// The recording state of one guest process.
#[derive(Debug)]
pub struct Recording {
    /// What the interpreter counts into.
    pub counters: Counters,
    /// The profile file merged into.
    pub path: PathBuf,
    /// Hash of the running binary ([`elfrun_profiles::binary_hash`]).
    pub elf_hash: [u8; 32],
    /// `path` was given with --profile (not the default).
    explicit: bool,
    /// This process's run was already counted by an earlier flush (one before an exec that failed).
    run_counted: bool,
    /// `Guest::stats.instructions` at the last flush.
    instructions_flushed: u64,
}

impl Recording {
    /// Starts recording for the binary at `exe`, into `to.file` (if it applies to this binary) or the binary's
    /// default profile path.
    pub fn new(exe: &Path, to: &RecordTo) -> Result<Recording, RtError> {
        let elf_hash = hash_file(exe)?;
        let explicit = to.file.as_ref().filter(|_| {
            to.file_for
                .as_ref()
                .is_none_or(|h| h.eq_ignore_ascii_case(&elfrun_profiles::hex(&elf_hash)))
        });
        let path = explicit
            .cloned()
            .unwrap_or_else(|| elfrun_profiles::default_profile_path(&elf_hash));
        Ok(Recording {
            counters: Counters::new(),
            explicit: explicit.is_some(),
            path,
            elf_hash,
            run_counted: false,
            instructions_flushed: 0,
        })
    }

    /// The elfrun options that make a program the guest execs record too: into the same file if it is the same
    /// binary (busybox re-running itself), else into its own default profile.
    pub fn exec_flags(&self) -> Vec<OsString> {
        let mut v: Vec<OsString> = vec!["--record".into()];
        if self.explicit {
            v.push("--profile".into());
            v.push(self.path.clone().into_os_string());
            v.push("--profile-for".into());
            v.push(elfrun_profiles::hex(&self.elf_hash).into());
        }
        v
    }

    /// What was counted since the last flush, as a profile (and resets the counters).
    /// `cache` is the guest's block cache, where block entries are counted.
    pub fn take_profile(&mut self, cache: &mut BlockCache, instructions_now: u64) -> Profile {
        let mut p = Profile::new(self.elf_hash, ELFRUN_VERSION);
        self.counters.drain(cache, &mut ProfileSink(&mut p));
        p.record_run(instructions_now.saturating_sub(self.instructions_flushed));
        if self.run_counted {
            p.runs = 0;
        }
        self.run_counted = true;
        self.instructions_flushed = instructions_now;
        p
    }
}

struct ProfileSink<'a>(&'a mut Profile);

impl Sink for ProfileSink<'_> {
    fn block(&mut self, pc: u64, len_insns: u32, entries: u64) {
        self.0.record_block(pc, len_insns, entries);
    }
    fn call(&mut self, target: u64, count: u64) {
        self.0.record_call(target, count);
    }
    fn indirect(&mut self, site: u64, kind: IndirectKind, target: u64, count: u64) {
        let kind = match kind {
            IndirectKind::Br => elfrun_profiles::IndirectKind::Br,
            IndirectKind::Blr => elfrun_profiles::IndirectKind::Blr,
            IndirectKind::RetNotToCaller => elfrun_profiles::IndirectKind::RetNotToCaller,
        };
        self.0
            .record_indirect(IndirectSite { pc: site, kind }, target, count);
    }
    fn aot_miss(&mut self, pc: u64, count: u64) {
        self.0.record_aot_miss(pc, count);
    }
}

impl Guest {
    /// Merges what was recorded since the last flush into the profile file (nothing if not recording). Call at
    /// every exit path and before exec. Failures are reported on stderr: they do not change the guest's fate.
    pub fn flush_profile(&mut self) {
        let instructions = self.stats.instructions;
        let Some(rec) = self.recording.as_deref_mut() else {
            return;
        };
        let profile = rec.take_profile(&mut self.cache, instructions);
        match elfrun_profiles::merge_into_file(&rec.path, &profile) {
            Ok(MergeOutcome::Replaced { reason }) => {
                tracing::warn!("replaced the profile {}: {reason}", rec.path.display())
            }
            Ok(outcome) => tracing::info!(
                "profile {}: {outcome:?}, {} instructions",
                rec.path.display(),
                profile.instructions_executed
            ),
            Err(e) => eprintln!("elfrun: cannot save the profile: {e}"),
        }
    }

    /// In the child of a fork: forget the parent's counts, so that each part is flushed once.
    pub fn profile_after_fork(&mut self) {
        let instructions = self.stats.instructions;
        if let Some(rec) = self.recording.as_deref_mut() {
            rec.counters.reset(&mut self.cache);
            rec.run_counted = false;
            rec.instructions_flushed = instructions;
        }
    }
}
