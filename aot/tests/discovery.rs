//! Static discovery on real binaries built with `aarch64-linux-gnu-gcc -static` (`tests/guest/roots.c`): the
//! `.eh_frame` FDE reader (with section headers and through `PT_GNU_EH_FRAME` without them), the init/fini
//! arrays (sections, and `DT_*` + relocations of a static-pie), the jump-table matcher (byte and halfword
//! tables), the candidate validation rule, and that damaged tables never panic.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::process::Command;

use elfrun_aot::discover::{self, Image, Source};
use elfrun_aot::jump_table;
use object::{Object, ObjectSection, ObjectSymbol};

fn tmp() -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join("discovery");
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Compiles `tests/guest/roots.c` with `flags` into `out`.
fn build(out: &str, flags: &[&str]) -> Vec<u8> {
    build_source("roots.c", out, flags)
}

/// Compiles `tests/guest/SRC` with `flags` into `out` (a private file renamed into place: tests run in
/// parallel).
fn build_source(src: &str, out: &str, flags: &[&str]) -> Vec<u8> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/guest")
        .join(src);
    let path = tmp().join(out);
    static SEQ: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let seq = SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let partial = path.with_extension(format!("partial.{}.{seq}", std::process::id()));
    let st = Command::new("aarch64-linux-gnu-gcc")
        .args(["-O2", "-o"])
        .arg(&partial)
        .arg(&src)
        .args(flags)
        .status()
        .expect("aarch64-linux-gnu-gcc is needed (scripts/setup-test-deps.sh installs it)");
    assert!(st.success(), "building {out} failed");
    std::fs::rename(&partial, &path).unwrap();
    std::fs::read(&path).unwrap()
}

/// Function symbols: name → (address, size).
fn symbols(elf: &[u8]) -> HashMap<String, (u64, u64)> {
    let f = object::File::parse(elf).unwrap();
    f.symbols()
        .filter(|s| s.kind() == object::SymbolKind::Text && s.size() > 0)
        .map(|s| (s.name().unwrap().to_string(), (s.address(), s.size())))
        .collect()
}

/// The same file without section headers (as `sstrip` leaves it).
fn without_section_headers(elf: &[u8]) -> Vec<u8> {
    let mut e = elf.to_vec();
    e[0x28..0x30].fill(0); // e_shoff
    e[0x3c..0x40].fill(0); // e_shnum, e_shstrndx
    e
}

/// The BR of the function `[start, start + size)` (the only one in these functions).
fn br_in(image: &Image, (start, size): (u64, u64)) -> u64 {
    (start..start + size)
        .step_by(4)
        .find(|&pc| {
            image
                .word(pc)
                .is_some_and(|w| w & 0xffff_fc1f == 0xd61f_0000)
        })
        .expect("a BR")
}

#[test]
fn fdes_are_the_function_starts_with_or_without_section_headers() {
    let elf = build("roots", &["-static", "-Wl,--eh-frame-hdr"]);
    let syms = symbols(&elf);
    let image = Image::from_elf(&elf, 0).unwrap();
    let fdes: BTreeSet<u64> = image.fdes.iter().copied().collect();
    for f in ["main", "sw_small", "sw_big", "data_cb", "ctor", "dtor"] {
        assert!(fdes.contains(&syms[f].0), "{f} has no FDE root");
    }
    // Every FDE starts a function (glibc's and ours): no FDE root lands inside one.
    let starts: BTreeSet<u64> = object::File::parse(&*elf)
        .unwrap()
        .symbols()
        .map(|s| s.address())
        .collect();
    let stray: Vec<_> = fdes.iter().filter(|a| !starts.contains(a)).collect();
    assert!(
        stray.len() * 100 <= fdes.len(),
        "{} of {} FDEs are not at a function symbol: {stray:x?}",
        stray.len(),
        fdes.len()
    );

    let bare = Image::from_elf(&without_section_headers(&elf), 0).unwrap();
    assert!(bare.symbols.is_empty());
    let bare_fdes: BTreeSet<u64> = bare.fdes.iter().copied().collect();
    assert_eq!(
        bare_fdes, fdes,
        "PT_GNU_EH_FRAME → eh_frame_ptr finds the same FDEs"
    );
}

#[test]
fn init_and_fini_arrays_from_sections_and_from_a_static_pie_dynamic_section() {
    let elf = build("roots", &["-static", "-Wl,--eh-frame-hdr"]);
    let syms = symbols(&elf);
    let image = Image::from_elf(&elf, 0).unwrap();
    for f in ["ctor", "dtor"] {
        assert!(image.init_fini.contains(&syms[f].0), "{f} not found");
    }

    // A static-pie: the arrays hold zeros in the file; R_AARCH64_RELATIVE relocations put bias + addend there.
    let pie = build("roots-pie", &["-static-pie"]);
    let syms = symbols(&pie);
    let bias = 0x7f_0000_0000;
    for elf in [pie.clone(), without_section_headers(&pie)] {
        let image = Image::from_elf(&elf, bias).unwrap();
        for f in ["ctor", "dtor"] {
            assert!(
                image.init_fini.contains(&(syms[f].0 + bias)),
                "{f} + bias not found in {:x?}",
                image.init_fini
            );
        }
        // The data pointer to the callback is relocated too.
        assert!(
            image
                .data_words()
                .any(|(_, v)| v == syms["data_cb"].0 + bias),
            "the hook's pointer to data_cb"
        );
        // And the jump tables (PC-relative) are found at the biased addresses.
        let (a, n) = syms["sw_big"];
        let br = br_in(&image, (a + bias, n));
        assert_eq!(jump_table::recover(&image, br).map(|t| t.len()), Some(48));
    }
}

#[test]
fn jump_tables_of_byte_and_halfword_entries_are_recovered() {
    let elf = build("roots", &["-static"]);
    let syms = symbols(&elf);
    let image = Image::from_elf(&elf, 0).unwrap();
    // Table entries: cases 0..=10 of k % 12 (11 is the default, the bound check's other side), and 0..=47.
    for (f, cases) in [("sw_small", 11), ("sw_big", 48)] {
        let (a, n) = syms[f];
        let br = br_in(&image, (a, n));
        let table = jump_table::recover(&image, br).unwrap_or_else(|| panic!("{f}: no table"));
        assert_eq!(table.len(), cases, "{f}: {table:x?}");
        assert!(
            table.iter().all(|&t| t >= a && t < a + n && t != br),
            "{f}: targets outside the function: {table:x?}"
        );
        // Cases have code of their own (gcc may share a tail or two).
        let distinct: BTreeSet<u64> = table.iter().copied().collect();
        assert!(distinct.len() + 2 >= cases, "{f}: {table:x?}");
        // Not a BR with a table: nothing.
        assert_eq!(jump_table::recover(&image, a), None);
    }

    // Discovery makes them successors of the BR: every case is a block of the function.
    let d = discover::discover(
        &image,
        &BTreeSet::new(),
        &BTreeSet::new(),
        &HashMap::new(),
        None,
    );
    let (a, n) = syms["sw_big"];
    let f = d.functions.iter().find(|f| f.entry == a).unwrap();
    assert_eq!(d.jump_tables[&br_in(&image, (a, n))].len(), 48);
    let br = br_in(&image, (a, n));
    for t in &d.jump_tables[&br] {
        assert!(
            f.blocks.iter().any(|b| b.start == *t),
            "case {t:#x} is not a block"
        );
    }
    assert!(d.stats.jump_tables >= 2, "{:?}", d.stats);
}

#[test]
fn jump_tables_with_a_hoisted_table_address_or_a_distant_bound_are_recovered() {
    let elf = build_source("hoisted.S", "hoisted", &["-static", "-nostdlib"]);
    let image = Image::from_elf(&elf, 0).unwrap();
    let f = object::File::parse(&*elf).unwrap();
    let at = |name: &str| {
        f.symbols()
            .find(|s| s.name() == Ok(name))
            .unwrap()
            .address()
    };
    let base = at("hoisted_br") + 4;
    let cases: Vec<u64> = (0..4).map(|k| base + 8 * k).collect();
    for br in ["hoisted_br", "far_br"] {
        assert_eq!(
            jump_table::recover(&image, at(br)).as_deref(),
            Some(&cases[..]),
            "{br}"
        );
    }
}

#[test]
fn candidates_are_validated() {
    let elf = build("roots", &["-static"]);
    let syms = symbols(&elf);
    let image = Image::from_elf(&elf, 0).unwrap();
    let (cb, _) = syms["data_cb"];
    assert!(discover::validate(&image, cb, Source::DataWord));
    assert!(discover::validate(&image, cb, Source::CodeRef));
    // Misaligned, or after an instruction that falls through (the middle of a function): not a data word root.
    assert!(!discover::validate(&image, cb + 2, Source::DataWord));
    let (big, _) = syms["sw_big"];
    assert!(!discover::validate(&image, big + 4, Source::DataWord));
    // .rodata shares the executable segment but is not an SHF_EXECINSTR section.
    let f = object::File::parse(&*elf).unwrap();
    let rodata = f.section_by_name(".rodata").unwrap().address();
    assert!(
        image.word(rodata + 16).is_some(),
        "rodata is in the RX segment"
    );
    assert!(!discover::validate(&image, rodata + 16, Source::DataWord));

    // Stripped, the callback is still found (by its FDE, and its pointer in data).
    let stripped = build("roots-stripped", &["-static", "-s"]);
    let image = Image::from_elf(&stripped, 0).unwrap();
    let d = discover::discover(
        &image,
        &BTreeSet::new(),
        &BTreeSet::new(),
        &HashMap::new(),
        None,
    );
    assert!(d.functions.iter().any(|f| f.entry == cb));
    assert!(d.stats.offered[Source::DataWord as usize] > 0);
}

/// A deterministic xorshift generator.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn damaged_eh_frames_and_tables_never_panic() {
    let elf = build("roots", &["-static"]);
    let f = object::File::parse(&*elf).unwrap();
    let eh = f.section_by_name(".eh_frame").unwrap();
    let (off, len) = eh.file_range().unwrap();
    let (off, len) = (off as usize, len as usize);
    let bytes = &elf[off..off + len];
    let base = eh.address();
    let good = discover::Image::from_elf(&elf, 0).unwrap().fdes.len();
    assert_eq!(elfrun_aot::image::parse_eh_frame(bytes, base).len(), good);
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for n in (0..len).step_by(97) {
        elfrun_aot::image::parse_eh_frame(&bytes[..n], base);
    }
    for _ in 0..300 {
        let mut b = bytes.to_vec();
        for _ in 0..1 + rng.next() % 8 {
            let i = (rng.next() % len as u64) as usize;
            b[i] = rng.next() as u8;
        }
        elfrun_aot::image::parse_eh_frame(&b, base);
    }

    // Whole files with random bytes changed in .eh_frame, .rodata (the jump tables), .data and the
    // init/fini arrays: discovery finds what it finds, without panicking.
    let ranges: Vec<(usize, usize)> = [
        ".eh_frame",
        ".rodata",
        ".data",
        ".init_array",
        ".fini_array",
    ]
    .iter()
    .filter_map(|n| f.section_by_name(n)?.file_range())
    .map(|(o, l)| (o as usize, l as usize))
    .collect();
    for round in 0..12 {
        let mut e = elf.clone();
        for _ in 0..200 {
            let (o, l) = ranges[(rng.next() % ranges.len() as u64) as usize];
            let i = o + (rng.next() % l as u64) as usize;
            e[i] = if round % 2 == 0 {
                rng.next() as u8
            } else {
                0xff
            };
        }
        let image = discover::Image::from_elf(&e, 0).unwrap();
        let d = discover::discover(
            &image,
            &BTreeSet::new(),
            &BTreeSet::new(),
            &HashMap::new(),
            None,
        );
        assert!(!d.functions.is_empty());
    }
}
