//! Merge laws on random profiles: commutative, associative, empty profile is the identity, encoding of a merge
//! does not depend on merge order, and counts are sums (checked against an independent tally).

mod common;

use std::collections::BTreeMap;

use common::{HASH, Rng, VERSION, random_profile};
use elfrun_profiles::Profile;

fn merged(a: &Profile, b: &Profile) -> Profile {
    let mut m = a.clone();
    m.merge(b).expect("same binary and version");
    m
}

#[test]
fn merge_is_commutative() {
    let mut rng = Rng::new(10);
    for i in 0..300 {
        let (a, b) = (random_profile(&mut rng, 20), random_profile(&mut rng, 20));
        let (ab, ba) = (merged(&a, &b), merged(&b, &a));
        assert_eq!(ab, ba, "case {i}");
        assert_eq!(ab.encode(), ba.encode(), "case {i}");
    }
}

#[test]
fn merge_is_associative() {
    let mut rng = Rng::new(11);
    for i in 0..300 {
        let (a, b, c) = (
            random_profile(&mut rng, 20),
            random_profile(&mut rng, 20),
            random_profile(&mut rng, 20),
        );
        let left = merged(&merged(&a, &b), &c);
        let right = merged(&a, &merged(&b, &c));
        assert_eq!(left, right, "case {i}");
        assert_eq!(left.encode(), right.encode(), "case {i}");
    }
}

#[test]
fn empty_profile_is_the_identity() {
    let mut rng = Rng::new(12);
    let empty = Profile::new(HASH, VERSION);
    for _ in 0..100 {
        let a = random_profile(&mut rng, 20);
        assert_eq!(merged(&a, &empty), a);
        assert_eq!(merged(&empty, &a), a);
    }
}

/// Counts of a merge equal the saturating sum of the inputs' counts, tallied here from the raw maps.
#[test]
fn merged_counts_are_saturating_sums() {
    let mut rng = Rng::new(13);
    for _ in 0..100 {
        let parts: Vec<Profile> = (0..5).map(|_| random_profile(&mut rng, 15)).collect();
        let mut all = Profile::new(HASH, VERSION);
        for p in &parts {
            all.merge(p).unwrap();
        }
        let mut calls: BTreeMap<u64, u64> = BTreeMap::new();
        let mut entries: BTreeMap<u64, (u64, u32)> = BTreeMap::new();
        let mut runs = 0u64;
        for p in &parts {
            runs += p.runs;
            for (&pc, &c) in &p.call_targets {
                let t = calls.entry(pc).or_default();
                *t = t.saturating_add(c);
            }
            for (&pc, b) in &p.blocks {
                let t = entries.entry(pc).or_default();
                *t = (t.0.saturating_add(b.entries), t.1.max(b.len_insns));
            }
        }
        assert_eq!(all.runs, runs);
        assert_eq!(all.call_targets, calls);
        let got: BTreeMap<u64, (u64, u32)> = all
            .blocks
            .iter()
            .map(|(&pc, b)| (pc, (b.entries, b.len_insns)))
            .collect();
        assert_eq!(got, entries);
        let sites: usize = parts
            .iter()
            .flat_map(|p| p.indirect.keys())
            .collect::<std::collections::BTreeSet<_>>()
            .len();
        assert_eq!(all.indirect.len(), sites);
    }
}
