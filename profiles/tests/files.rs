//! Profile files: atomic save and load, the refusal cases of `merge_into_file`, and concurrent merging from
//! threads and processes without losing counts.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{HASH, VERSION};
use elfrun_profiles::{
    FORMAT_VERSION, MAX_PROFILE_LEN, MergeOutcome, Profile, ProfileError, load, merge_into_file,
};

/// The contribution of writer `w`, merge number `i`: one run, one shared block, one block of its own.
fn contribution(w: u64, i: u64) -> Profile {
    let mut p = Profile::new(HASH, VERSION);
    p.record_run(10);
    p.record_block(0x400000, 4, 1);
    p.record_block(0x500000 + 4 * w, 2, 1);
    p.record_call(0x600000 + 4 * i, 1);
    p
}

const THREADS: u64 = 6;
const PROCESSES: u64 = 3;
const MERGES: u64 = 25;

fn merge_many(path: &Path, w: u64) {
    for i in 0..MERGES {
        let out = merge_into_file(path, &contribution(w, i)).expect("merge_into_file");
        assert!(
            matches!(out, MergeOutcome::Created | MergeOutcome::Merged),
            "{out:?}"
        );
    }
}

#[test]
fn save_and_load_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.profile");
    let p = contribution(1, 2);
    p.save_atomic(&path).unwrap();
    assert_eq!(load(&path, Some(&HASH)).unwrap(), p);
    // Overwriting leaves no temporary files behind.
    contribution(3, 4).save_atomic(&path).unwrap();
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, vec![std::ffi::OsString::from("p.profile")]);
}

#[test]
fn save_into_missing_directory_fails_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let e = contribution(0, 0)
        .save_atomic(&dir.path().join("no/such/p.profile"))
        .unwrap_err();
    assert!(matches!(e, ProfileError::Io { .. }), "{e}");
}

/// Child-process half of `concurrent_merges_keep_all_counts`; does nothing unless started by it.
#[test]
#[ignore = "run as a child process by concurrent_merges_keep_all_counts"]
fn child_merger() {
    if let (Some(path), Some(w)) = (
        std::env::var_os("ELFRUN_PROFILES_TEST_PATH"),
        std::env::var_os("ELFRUN_PROFILES_TEST_WRITER"),
    ) {
        let w: u64 = w.to_str().unwrap().parse().unwrap();
        merge_many(Path::new(&path), w);
    }
}

#[test]
fn concurrent_merges_keep_all_counts() {
    let dir = tempfile::tempdir().unwrap();
    let path: PathBuf = dir.path().join("sub/dir/p.profile");
    let exe = std::env::current_exe().unwrap();
    let children: Vec<_> = (0..PROCESSES)
        .map(|w| {
            Command::new(&exe)
                .args(["--ignored", "--exact", "child_merger", "--test-threads=1"])
                .env("ELFRUN_PROFILES_TEST_PATH", &path)
                .env("ELFRUN_PROFILES_TEST_WRITER", (THREADS + w).to_string())
                .stdout(std::process::Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    std::thread::scope(|s| {
        for w in 0..THREADS {
            let path = &path;
            s.spawn(move || merge_many(path, w));
        }
    });
    for mut c in children {
        assert!(c.wait().unwrap().success(), "a child merger failed");
    }

    let writers = THREADS + PROCESSES;
    let p = load(&path, Some(&HASH)).unwrap();
    assert_eq!(p.runs, writers * MERGES);
    assert_eq!(p.instructions_executed, writers * MERGES * 10);
    assert_eq!(p.blocks[&0x400000].entries, writers * MERGES);
    for w in 0..writers {
        assert_eq!(p.blocks[&(0x500000 + 4 * w)].entries, MERGES, "writer {w}");
    }
    for i in 0..MERGES {
        assert_eq!(p.call_targets[&(0x600000 + 4 * i)], writers, "call {i}");
    }
}

#[test]
fn merge_refuses_another_binary_and_keeps_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.profile");
    assert_eq!(
        merge_into_file(&path, &contribution(0, 0)).unwrap(),
        MergeOutcome::Created
    );
    let before = std::fs::read(&path).unwrap();
    let e = merge_into_file(&path, &Profile::new([1; 32], VERSION)).unwrap_err();
    assert!(matches!(e.root(), ProfileError::WrongBinary { .. }), "{e}");
    assert!(
        e.to_string().contains("p.profile"),
        "error should name the file: {e}"
    );
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

#[test]
fn merge_refuses_a_corrupt_file_and_keeps_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.profile");
    let mut bytes = contribution(0, 0).encode();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 4;
    std::fs::write(&path, &bytes).unwrap();
    let e = merge_into_file(&path, &contribution(0, 0)).unwrap_err();
    assert!(
        matches!(e.root(), ProfileError::ChecksumMismatch { .. }),
        "{e}"
    );
    assert_eq!(std::fs::read(&path).unwrap(), bytes);
}

#[test]
fn merge_replaces_profiles_of_other_elfrun_or_format_versions() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.profile");
    let mut old = Profile::new(HASH, "0.0.1");
    old.record_run(5);
    old.save_atomic(&path).unwrap();
    let new = contribution(0, 0);
    assert!(matches!(
        merge_into_file(&path, &new).unwrap(),
        MergeOutcome::Replaced { .. }
    ));
    assert_eq!(load(&path, None).unwrap(), new);

    let mut future = new.encode();
    future[8..10].copy_from_slice(&(FORMAT_VERSION + 1).to_le_bytes());
    std::fs::write(&path, &future).unwrap();
    match merge_into_file(&path, &new).unwrap() {
        MergeOutcome::Replaced { reason } => assert!(reason.contains("version"), "{reason}"),
        other => panic!("expected Replaced, got {other:?}"),
    }
    assert_eq!(load(&path, None).unwrap(), new);
}

#[test]
fn oversized_file_is_refused_without_reading_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.profile");
    let f = std::fs::File::create(&path).unwrap();
    f.set_len(MAX_PROFILE_LEN + 1).unwrap(); // sparse
    let e = load(&path, None).unwrap_err();
    assert!(matches!(e.root(), ProfileError::TooLarge { .. }), "{e}");
}

#[test]
fn missing_file_is_an_io_error() {
    let dir = tempfile::tempdir().unwrap();
    let e = load(&dir.path().join("none"), None).unwrap_err();
    assert!(matches!(e, ProfileError::Io { .. }), "{e}");
}
