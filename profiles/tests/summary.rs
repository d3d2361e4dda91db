//! The summary of a hand-built profile, with expected numbers worked out by hand in the comments.

use elfrun_profiles::{IndirectKind, IndirectSite, Profile, Summary};

fn profile() -> Profile {
    let mut p = Profile::new([0x01; 32], "0.1.0");
    p.runs = 2;
    p.instructions_executed = 250;
    p.record_block(0x1000, 4, 10); // 40 instructions
    p.record_block(0x2000, 2, 30); // 60
    p.record_block(0x3000, 10, 0); // never entered
    p.record_block(0x4000, 5, 20); // 100  -> total 200
    let br = IndirectSite {
        pc: 0x1010,
        kind: IndirectKind::Br,
    };
    p.record_indirect(br, 0x2000, 3);
    p.record_indirect(br, 0x4000, 7); // total 10
    let ret = IndirectSite {
        pc: 0x5000,
        kind: IndirectKind::RetNotToCaller,
    };
    p.record_indirect(ret, 0x1000, 10); // total 10, ties with br; br has the lower pc
    let blr = IndirectSite {
        pc: 0x1010,
        kind: IndirectKind::Blr,
    };
    p.record_indirect(blr, 0x3000, 1);
    p.record_call(0x2000, 4);
    p.record_aot_miss(0x6000, 1);
    p.record_aot_miss(0x7000, 5);
    p
}

fn disasm(pc: u64) -> Option<String> {
    (pc == 0x4000).then(|| "ret".to_owned())
}

#[test]
fn coverage_and_ordering() {
    let s = Summary::new(&profile(), 2, disasm);
    let c = &s.coverage;
    assert_eq!(
        (
            c.blocks,
            c.blocks_entered,
            c.static_instructions,
            c.block_instructions
        ),
        (4, 3, 11, 200)
    );
    assert_eq!(
        (
            c.call_targets,
            c.indirect_sites,
            c.indirect_targets,
            c.aot_miss_sites,
            c.aot_misses
        ),
        (1, 3, 4, 2, 6)
    );

    let top: Vec<_> = s
        .top_blocks
        .iter()
        .map(|b| (b.pc, b.executed_insns, b.share))
        .collect();
    assert_eq!(top, vec![(0x4000, 100, 0.5), (0x2000, 60, 0.3)]);
    assert_eq!(s.top_blocks[0].disasm.as_deref(), Some("ret"));
    assert_eq!(s.top_blocks[1].disasm, None);

    let sites: Vec<_> = s
        .indirect_sites
        .iter()
        .map(|i| (i.pc, i.kind, i.total))
        .collect();
    assert_eq!(
        sites,
        vec![(0x1010, "br", 10), (0x5000, "ret-not-to-caller", 10)]
    );
    let targets: Vec<_> = s.indirect_sites[0]
        .targets
        .iter()
        .map(|t| (t.pc, t.count))
        .collect();
    assert_eq!(targets, vec![(0x4000, 7), (0x2000, 3)]);

    let misses: Vec<_> = s.aot_misses.iter().map(|m| (m.pc, m.count)).collect();
    assert_eq!(misses, vec![(0x7000, 5), (0x6000, 1)]);
}

#[test]
fn json_for_tools() {
    let s = Summary::new(&profile(), usize::MAX, disasm);
    let v: serde_json::Value = serde_json::from_str(&s.to_json()).unwrap();
    assert_eq!(v["elf_hash"], "01".repeat(32));
    assert_eq!(v["runs"], 2);
    assert_eq!(v["top_blocks"].as_array().unwrap().len(), 4);
    assert_eq!(v["top_blocks"][0]["pc"], "0x4000");
    assert_eq!(v["top_blocks"][0]["share"], 0.5);
    assert_eq!(v["top_blocks"][0]["disasm"], "ret");
    assert!(v["top_blocks"][1]["disasm"].is_null());
    assert_eq!(v["indirect_sites"].as_array().unwrap().len(), 3);
    assert_eq!(v["indirect_sites"][0]["targets"][0]["pc"], "0x4000");
    assert_eq!(v["aot_misses"][0]["count"], 5);
    assert_eq!(v["coverage"]["block_instructions"], 200);
}

#[test]
fn text_for_people() {
    let text = Summary::new(&profile(), 3, disasm).to_string();
    for want in [
        "2 run(s)",
        "50.00%",
        "30.00%",
        "20.00%",
        "ret-not-to-caller",
        "-> 0x000000004000 7  ret",
        "AOT misses",
    ] {
        assert!(text.contains(want), "missing {want:?} in:\n{text}");
    }
}

#[test]
fn empty_profile_has_zero_shares() {
    let mut p = Profile::new([0; 32], "v");
    p.record_block(0x10, 3, 0);
    let s = Summary::new(&p, 10, |_| None);
    assert_eq!(s.top_blocks[0].share, 0.0);
    assert!(s.to_json().contains("\"share\": 0.0"));
}
