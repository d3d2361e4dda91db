//! Encoding round trips, determinism, and refusal of every kind of damaged or foreign profile.

mod common;

use common::{HASH, Rng, VERSION, random_profile, reseal, seal};
use elfrun_profiles::{
    FORMAT_VERSION, IndirectKind, IndirectSite, MIN_PROFILE_LEN, Profile, ProfileError,
};

fn small_profile() -> Profile {
    let mut p = Profile::new(HASH, VERSION);
    p.record_run(1234);
    p.record_block(0x400000, 5, 7);
    p.record_block(0x400014, 3, 7);
    p.record_call(0x400100, 2);
    p.record_indirect(
        IndirectSite {
            pc: 0x400020,
            kind: IndirectKind::Br,
        },
        0x400200,
        5,
    );
    p.record_aot_miss(0x400300, 1);
    p
}

#[test]
fn round_trip_random_profiles() {
    let mut rng = Rng::new(1);
    for i in 0..500 {
        let p = random_profile(&mut rng, 1 + i % 40);
        let b = p.encode();
        let q = Profile::decode(&b, Some(&HASH)).unwrap_or_else(|e| panic!("profile {i}: {e}"));
        assert_eq!(q, p, "profile {i}");
        assert_eq!(q.encode(), b, "profile {i}: re-encoding differs");
    }
}

#[test]
fn same_content_in_any_recording_order_gives_identical_bytes() {
    let mut rng = Rng::new(2);
    let events: Vec<(u64, u64, u64)> = (0..300)
        .map(|_| (rng.below(4), rng.pc(), rng.below(100)))
        .collect();
    let build = |order: &[usize]| {
        let mut p = Profile::new(HASH, VERSION);
        for &i in order {
            let (what, pc, n) = events[i];
            match what {
                0 => p.record_block(pc, 4, n),
                1 => p.record_call(pc, n),
                2 => p.record_indirect(
                    IndirectSite {
                        pc,
                        kind: IndirectKind::Blr,
                    },
                    pc ^ 0x40,
                    n,
                ),
                _ => p.record_aot_miss(pc, n),
            }
        }
        p.encode()
    };
    let forward: Vec<usize> = (0..events.len()).collect();
    let reference = build(&forward);
    assert_eq!(
        build(&forward),
        reference,
        "encoding the same profile twice differs"
    );
    for _ in 0..20 {
        let mut order = forward.clone();
        for i in (1..order.len()).rev() {
            order.swap(i, rng.below(i as u64 + 1) as usize);
        }
        assert_eq!(build(&order), reference);
    }
}

#[test]
fn every_truncation_is_refused() {
    let b = small_profile().encode();
    for len in 0..b.len() {
        match Profile::decode(&b[..len], None) {
            Err(ProfileError::Truncated { len: l, expected }) => {
                assert_eq!(l, len as u64);
                assert!(expected > l);
            }
            other => panic!("prefix of {len} bytes: expected Truncated, got {other:?}"),
        }
    }
    assert!(Profile::decode(&b, None).is_ok());
}

#[test]
fn trailing_bytes_are_refused() {
    let mut b = small_profile().encode();
    b.push(0);
    assert!(matches!(
        Profile::decode(&b, None),
        Err(ProfileError::TrailingBytes { extra: 1, .. })
    ));
}

#[test]
fn single_bit_flips_are_all_refused() {
    let b = small_profile().encode();
    let mut n = 0;
    for byte in 0..b.len() {
        for bit in 0..8 {
            let mut c = b.clone();
            c[byte] ^= 1 << bit;
            assert!(
                Profile::decode(&c, None).is_err(),
                "flip of bit {bit} of byte {byte} accepted"
            );
            n += 1;
        }
    }
    assert!(n >= 8 * MIN_PROFILE_LEN);
}

#[test]
fn ten_thousand_random_flips_are_refused() {
    let mut rng = Rng::new(3);
    let p = random_profile(&mut rng, 30);
    let b = p.encode();
    assert!(
        b.len() > 200,
        "want a profile with some body, got {} bytes",
        b.len()
    );
    for i in 0..12_000 {
        let mut c = b.clone();
        let flips = if i % 2 == 0 { 1 } else { 2 + rng.below(15) };
        for _ in 0..flips {
            let pos = rng.below(c.len() as u64) as usize;
            c[pos] ^= 1 << rng.below(8);
        }
        if c == b {
            continue; // an even number of flips of the same bit
        }
        assert!(
            Profile::decode(&c, None).is_err(),
            "iteration {i}: corrupted profile accepted"
        );
    }
}

#[test]
fn another_binary_is_refused() {
    let b = small_profile().encode();
    let other = [0xa5; 32];
    match Profile::decode(&b, Some(&other)) {
        Err(e @ ProfileError::WrongBinary { .. }) => {
            let msg = e.to_string();
            assert!(
                msg.contains(&"5a".repeat(32)) && msg.contains(&"a5".repeat(32)),
                "{msg}"
            );
        }
        other => panic!("expected WrongBinary, got {other:?}"),
    }
    assert!(Profile::decode(&b, Some(&HASH)).is_ok());
}

#[test]
fn other_format_versions_are_refused() {
    for v in [0u16, FORMAT_VERSION + 1, 0x0100, u16::MAX] {
        let mut b = small_profile().encode();
        b[8..10].copy_from_slice(&v.to_le_bytes());
        // Whether or not the checksum matches, the version is reported (it decides the layout).
        for sealed in [false, true] {
            if sealed {
                reseal(&mut b);
            }
            match Profile::decode(&b, None) {
                Err(e @ ProfileError::UnsupportedVersion { found, supported }) => {
                    assert_eq!((found, supported), (v, FORMAT_VERSION));
                    assert!(e.to_string().contains("re-record"), "{e}");
                }
                other => panic!("version {v}: expected UnsupportedVersion, got {other:?}"),
            }
        }
    }
}

#[test]
fn bad_magic_is_refused() {
    for input in [&b"\x7fELF\x02\x01\x01"[..], b"ELFRPROX", b"x"] {
        assert!(
            matches!(
                Profile::decode(input, None),
                Err(ProfileError::BadMagic { .. })
            ),
            "{input:?}"
        );
    }
}

#[test]
fn corrupt_length_fields_do_not_allocate_or_panic() {
    let b = small_profile().encode();
    for total in [
        0u64,
        1,
        MIN_PROFILE_LEN as u64,
        b.len() as u64 + 1,
        1 << 40,
        u64::MAX,
    ] {
        let mut c = b.clone();
        c[12..20].copy_from_slice(&total.to_le_bytes());
        assert!(Profile::decode(&c, None).is_err(), "total length {total}");
    }
}

/// Header with an empty version string and no sections yet.
fn header() -> Vec<u8> {
    let mut h = Vec::new();
    h.extend_from_slice(b"ELFRPROF");
    h.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    h.extend_from_slice(&[0, 0]);
    h.extend_from_slice(&[0; 8]);
    h.extend_from_slice(&HASH);
    h.extend_from_slice(&3u64.to_le_bytes());
    h.push(0);
    h
}

/// A sealed profile whose sections are given as (tag, payload).
fn with_sections(sections: &[(u8, &[u8])]) -> Vec<u8> {
    let mut b = header();
    for (tag, payload) in sections {
        b.push(*tag);
        b.push(payload.len() as u8);
        b.extend_from_slice(payload);
    }
    seal(b)
}

const EMPTY: &[u8] = &[0];

fn malformed(name: &str, bytes: &[u8]) -> String {
    match Profile::decode(bytes, None) {
        Err(ProfileError::Malformed { what, .. }) => what,
        other => panic!("{name}: expected Malformed, got {other:?}"),
    }
}

#[test]
fn well_formed_hand_built_profile_is_accepted() {
    let b = with_sections(&[
        (1, &[1, 4, 2, 3]),
        (2, EMPTY),
        (3, EMPTY),
        (4, EMPTY),
        (5, &[9]),
    ]);
    let p = Profile::decode(&b, None).unwrap();
    assert_eq!(
        (
            p.runs,
            p.instructions_executed,
            p.blocks[&4].len_insns,
            p.blocks[&4].entries
        ),
        (3, 9, 2, 3)
    );
}

#[test]
fn structural_errors_are_refused_even_with_a_valid_checksum() {
    let cases: Vec<(&str, Vec<u8>)> = vec![
        (
            "duplicate block pc",
            with_sections(&[
                (1, &[2, 4, 1, 1, 0, 1, 1]),
                (2, EMPTY),
                (3, EMPTY),
                (4, EMPTY),
                (5, EMPTY),
            ]),
        ),
        (
            "block count too big",
            with_sections(&[
                (1, &[0xff, 0xff, 0xff, 0xff, 0x0f, 4, 1, 1]),
                (2, EMPTY),
                (3, EMPTY),
                (4, EMPTY),
                (5, EMPTY),
            ]),
        ),
        (
            "block length over 32 bits",
            with_sections(&[
                (1, &[1, 4, 0x80, 0x80, 0x80, 0x80, 0x10, 1]),
                (2, EMPTY),
                (3, EMPTY),
                (4, EMPTY),
                (5, EMPTY),
            ]),
        ),
        (
            "sections out of order",
            with_sections(&[(2, EMPTY), (1, EMPTY), (3, EMPTY), (4, EMPTY), (5, EMPTY)]),
        ),
        (
            "missing section",
            with_sections(&[(1, &[1, 4, 1, 1]), (2, EMPTY), (3, EMPTY), (4, EMPTY)]),
        ),
        (
            "extra section",
            with_sections(&[
                (1, EMPTY),
                (2, EMPTY),
                (3, EMPTY),
                (4, EMPTY),
                (5, EMPTY),
                (6, EMPTY),
            ]),
        ),
        (
            "unknown indirect kind",
            with_sections(&[
                (1, EMPTY),
                (2, EMPTY),
                (3, &[1, 8, 3, 0]),
                (4, EMPTY),
                (5, EMPTY),
            ]),
        ),
        (
            "indirect sites unsorted",
            with_sections(&[
                (1, EMPTY),
                (2, EMPTY),
                (3, &[2, 8, 1, 0, 0, 0, 0]),
                (4, EMPTY),
                (5, EMPTY),
            ]),
        ),
        (
            "indirect targets unsorted",
            with_sections(&[
                (1, EMPTY),
                (2, EMPTY),
                (3, &[1, 8, 0, 2, 4, 1, 0, 1]),
                (4, EMPTY),
                (5, EMPTY),
            ]),
        ),
        (
            "overlong varint",
            with_sections(&[
                (1, &[0x80, 0x00]),
                (2, EMPTY),
                (3, EMPTY),
                (4, EMPTY),
                (5, EMPTY),
            ]),
        ),
        (
            "pc overflows",
            with_sections(&[
                (1, EMPTY),
                (
                    2,
                    &[
                        2, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 1, 1, 1,
                    ],
                ),
                (3, EMPTY),
                (4, EMPTY),
                (5, EMPTY),
            ]),
        ),
        (
            "bytes left in section",
            with_sections(&[(1, EMPTY), (2, EMPTY), (3, EMPTY), (4, &[0, 0]), (5, EMPTY)]),
        ),
        ("section runs past the end", {
            let mut b = header();
            b.extend_from_slice(&[1, 100, 0, 2, 1, 0, 3, 1, 0, 4, 1, 0, 5, 1, 0]);
            seal(b)
        }),
        ("bytes after the last section", {
            let mut b = header();
            b.extend_from_slice(&[1, 1, 0, 2, 1, 0, 3, 1, 0, 4, 1, 0, 5, 1, 0, 0]);
            seal(b)
        }),
        ("non-zero flags", {
            let mut b =
                with_sections(&[(1, EMPTY), (2, EMPTY), (3, EMPTY), (4, EMPTY), (5, EMPTY)]);
            b[10] = 1;
            reseal(&mut b);
            b
        }),
        ("version not UTF-8", {
            let mut b = header();
            *b.last_mut().unwrap() = 2;
            b.extend_from_slice(&[0xc3, 0x28, 1, 1, 0, 2, 1, 0, 3, 1, 0, 4, 1, 0, 5, 1, 0]);
            seal(b)
        }),
    ];
    for (name, bytes) in cases {
        let what = malformed(name, &bytes);
        let want = expected_reason(name);
        assert!(
            what.contains(want),
            "{name}: got {what:?}, expected it to mention {want:?}"
        );
    }
}

fn expected_reason(case: &str) -> &'static str {
    match case {
        "duplicate block pc" => "not sorted and unique",
        "block count too big" => "entries claimed",
        "block length over 32 bits" => "32 bits",
        "sections out of order" => "expected section 1",
        "missing section" => "section tag needs",
        "extra section" => "unexpected bytes at the end of the profile",
        "unknown indirect kind" => "unknown indirect branch kind 3",
        "indirect sites unsorted" => "indirect sites are not sorted",
        "indirect targets unsorted" => "indirect target pcs are not sorted",
        "overlong varint" => "redundant zero",
        "pc overflows" => "overflows 64 bits",
        "bytes left in section" => "end of AOT misses",
        "section runs past the end" => "blocks needs 100 bytes",
        "bytes after the last section" => "end of the profile",
        "non-zero flags" => "reserved flags",
        "version not UTF-8" => "not UTF-8",
        _ => panic!("no expected reason for {case}"),
    }
}

/// Damage the body of valid profiles and fix the checksum, so the structural checks see arbitrary input:
/// they must never panic, and whatever they accept must be canonical (re-encodes to the same bytes).
#[test]
fn resealed_garbage_never_panics_and_accepted_input_is_canonical() {
    let mut rng = Rng::new(4);
    let (mut accepted, mut refused) = (0, 0);
    for i in 0..20_000 {
        let p = random_profile(&mut rng, 1 + i % 8);
        let mut b = p.encode();
        let body_start = 20;
        let body_end = b.len() - 32;
        for _ in 0..1 + rng.below(3) {
            let pos = body_start + rng.below((body_end - body_start) as u64) as usize;
            b[pos] = match rng.below(3) {
                0 => b[pos] ^ (1 << rng.below(8)),
                1 => rng.below(256) as u8,
                _ => [0, 0x80, 0xff, 1][rng.below(4) as usize],
            };
        }
        reseal(&mut b);
        match Profile::decode(&b, None) {
            Ok(q) => {
                accepted += 1;
                assert_eq!(
                    q.encode(),
                    b,
                    "iteration {i}: accepted a non-canonical encoding"
                );
            }
            Err(_) => refused += 1,
        }
    }
    // Both outcomes must actually occur, or the test is not testing anything.
    assert!(
        accepted > 100 && refused > 100,
        "accepted {accepted}, refused {refused}"
    );
}

#[test]
fn error_messages_say_what_to_do() {
    let b = small_profile().encode();
    let e = Profile::decode(&b[..b.len() - 1], None)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("truncated") && e.contains("elfrun --record"),
        "{e}"
    );
    let mut c = b.clone();
    let last = c.len() - 1;
    c[last] ^= 1;
    let e = Profile::decode(&c, None).unwrap_err().to_string();
    assert!(e.contains("checksum") && e.contains("re-record"), "{e}");
}
