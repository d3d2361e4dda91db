//! AdvSIMD instructions against qemu-aarch64-static. `data/gen_simd_vectors.py` ran every case of
//! `data/simd_cases.txt` (and 3000 random words in the AdvSIMD vector/scalar spaces) under qemu and wrote
//! `data/simd_vectors.txt` / `data/simd_random.txt`: named input register sets, then one line per run with the
//! instruction word, its input set and the V0, X0, FPSR qemu produced (or `ILL` for SIGILL). Each is decoded
//! and run through `Eval` here.

use elfrun_interp::a64::simd::Simd;
use elfrun_interp::{CpuState, Eval, GuestMem, Insn, decode};
use std::collections::HashMap;

#[derive(Clone, Copy)]
struct Inputs {
    fpcr: u64,
    x1: u64,
    v: [u128; 5],
}

struct Case<'a> {
    asm: &'a str,
    word: u32,
    input: Inputs,
    /// V0, X0, FPSR; `None` when qemu refused the word (SIGILL).
    want: Option<(u128, u64, u64)>,
}

fn hex(s: &str) -> u64 {
    u64::from_str_radix(s, 16).unwrap_or_else(|_| panic!("bad hex {s:?}"))
}

fn q(lo: u64, hi: u64) -> u128 {
    (hi as u128) << 64 | lo as u128
}

fn parse(data: &str) -> Vec<Case<'_>> {
    let mut sets = HashMap::new();
    let mut cases = Vec::new();
    for line in data.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        if let Some(rest) = line.strip_prefix("set ") {
            let f: Vec<&str> = rest.split_whitespace().collect();
            let n: Vec<u64> = f[1..].iter().map(|s| hex(s)).collect();
            assert_eq!(n.len(), 12, "malformed set: {line}");
            let v = [0, 1, 2, 3, 4].map(|i| q(n[2 + 2 * i], n[3 + 2 * i]));
            sets.insert(
                f[0],
                Inputs {
                    fpcr: n[0],
                    x1: n[1],
                    v,
                },
            );
            continue;
        }
        let (regs, asm) = line.split_once(" ; ").expect("missing ' ; asm'");
        let (inp, out) = regs.split_once(" => ").expect("missing ' => '");
        let (word, set) = inp.split_once(' ').expect("missing set");
        let want = if out.trim() == "SKIP" {
            continue; // qemu itself crashed on the word: no reference
        } else if out.trim() == "ILL" || out.trim() == "SIGSEGV" {
            None
        } else {
            let o: Vec<u64> = out.split_whitespace().map(hex).collect();
            assert_eq!(o.len(), 4, "malformed line: {line}");
            Some((q(o[0], o[1]), o[2], o[3]))
        };
        cases.push(Case {
            asm,
            word: hex(word) as u32,
            input: *sets.get(set).unwrap_or_else(|| panic!("unknown set {set}")),
            want,
        });
    }
    cases
}

/// Runs one instruction on `input`; returns (V0, X0, FPSR), or `Err` if it did not complete.
fn run(word: u32, input: &Inputs) -> Result<(u128, u64, u64), String> {
    let mut cpu = CpuState::default();
    cpu.v[..5].copy_from_slice(&input.v);
    cpu.x[1] = input.x1;
    cpu.fpcr = input.fpcr;
    let mut page = vec![0u8; 0x2000];
    page[0x1000..0x1004].copy_from_slice(&word.to_le_bytes());
    // SAFETY: `page` outlives `mem`, which is only used inside this function.
    let mem = unsafe { GuestMem::new(page.as_mut_ptr(), 0x1000, page.len() as u64) };
    cpu.pc = 0x1000;
    let mut ev = Eval::new(&mut cpu, mem);
    ev.step(decode(word), 0x1000)
        .map_err(|e| format!("exit {e:?}"))?;
    Ok((cpu.v[0], cpu.x[0], cpu.fpsr))
}

/// Whether our decoder calls the word a floating-point AdvSIMD operation.
fn decodes_as_fp(word: u32) -> bool {
    match decode(word) {
        Insn::Simd(Simd::Vector(v)) => v.op.is_fp(),
        Insn::Simd(Simd::Scalar(s)) => s.vector().op.is_fp(),
        _ => false,
    }
}

/// Compares every case `filter` selects; `with_fpsr = false` ignores FPSR. Panics listing the mismatches.
fn check(cases: &[Case<'_>], with_fpsr: bool, filter: impl Fn(&Case<'_>) -> bool) -> usize {
    let mut failures = Vec::new();
    let mut n = 0;
    for c in cases.iter().filter(|c| filter(c)) {
        let Some(want) = c.want else { continue };
        n += 1;
        let got = run(c.word, &c.input);
        let ok = match &got {
            Ok(g) => g.0 == want.0 && g.1 == want.1 && (!with_fpsr || g.2 == want.2),
            Err(_) => false,
        };
        if !ok {
            let got = match got {
                Ok(g) => format!("v0={:032x} x0={:016x} fpsr={:x}", g.0, g.1, g.2),
                Err(e) => e,
            };
            failures.push(format!(
                "{:<40} {:08x}: v1={:032x} v2={:032x}\n    got  {got}\n    want v0={:032x} x0={:016x} fpsr={:x}",
                c.asm, c.word, c.input.v[1], c.input.v[2], want.0, want.1, want.2
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {n} AdvSIMD runs differ from qemu:\n{}",
        failures.len(),
        failures.join("\n")
    );
    n
}

fn listed() -> Vec<Case<'static>> {
    parse(include_str!("data/simd_vectors.txt"))
}

fn random() -> Vec<Case<'static>> {
    parse(include_str!("data/simd_random.txt"))
}

/// A long differential run: the file named by `SIMD_FUZZ_FILE` (written by `gen_simd_vectors.py --fuzz`) gets
/// every check the checked-in random words get.
#[test]
#[ignore = "long run: needs SIMD_FUZZ_FILE from gen_simd_vectors.py --fuzz"]
fn fuzz_file() {
    let path = std::env::var("SIMD_FUZZ_FILE").expect("set SIMD_FUZZ_FILE");
    let data: &'static str = std::fs::read_to_string(path).unwrap().leak();
    let cases = parse(data);
    check(&cases, true, |c| {
        !matches!(decode(c.word), Insn::Undefined(_))
    });
    check_unallocated(&cases);
    check_covered(&cases);
}

#[test]
fn integer_vectors_match_qemu() {
    let cases = listed();
    assert!(check(&cases, true, |c| !decodes_as_fp(c.word)) > 800);
}

/// Floating-point operations, FPSR flags included: the lane plumbing (arrangements, pairwise order,
/// by-element, fixed point, narrowing/widening) over the exact `fp_*` primitives.
#[test]
fn fp_vectors_match_qemu() {
    assert!(check(&listed(), true, |c| decodes_as_fp(c.word)) > 200);
}

/// Random floating-point words (NaN payloads, infinities, denormals from random bits), FPSR included.
#[test]
fn random_fp_words_match_qemu() {
    let n = check(&random(), true, |c| decodes_as_fp(c.word));
    assert!(n > 40, "only {n} random FP words ran");
}

/// Random integer AdvSIMD words: every one qemu executes and we decode gives qemu's registers.
#[test]
fn random_integer_words_match_qemu() {
    let cases = random();
    let n = check(&cases, true, |c| {
        !decodes_as_fp(c.word) && !matches!(decode(c.word), Insn::Undefined(_))
    });
    assert!(n > 200, "only {n} random words ran");
}

/// A word qemu rejects (SIGILL) must be undefined for us too: executing an unallocated encoding would be a
/// decoder bug. (The converse is `random_words_qemu_runs_are_covered`.)
#[test]
fn random_unallocated_words_are_undefined() {
    check_unallocated(&random());
}

fn check_unallocated(cases: &[Case<'_>]) {
    let bad: Vec<String> = cases
        .iter()
        .filter(|c| c.want.is_none() && !matches!(decode(c.word), Insn::Undefined(_)))
        .map(|c| format!("{:08x} {} -> {:?}", c.word, c.asm, decode(c.word)))
        .collect();
    assert!(
        bad.is_empty(),
        "{} unallocated words decode:\n{}",
        bad.len(),
        bad.join("\n")
    );
}

/// Extensions elfrun does not advertise (so glibc never picks code using them); words qemu executes from these
/// may be undefined here. Crypto (AES/SHA/SM) belongs to the crypto class, decoded elsewhere.
const UNSUPPORTED: &[&str] = &[
    "fcmla", "fcadd", "sqrdmlah", "sqrdmlsh", "sdot", "udot", "usdot", "sudot", "fmlal", "fmlal2",
    "fmlsl", "fmlsl2", "bfdot", "bfmlalb", "bfmlalt", "bfmmla", "bfcvtn", "bfcvtn2", "smmla",
    "ummla", "usmmla", "frint32x", "frint32z", "frint64x", "frint64z",
];

/// Whether a disassembled instruction is one elfrun leaves undefined on purpose: an extension in
/// [`UNSUPPORTED`], crypto, or half-precision arithmetic (FEAT_FP16).
fn unsupported_on_purpose(asm: &str) -> bool {
    let m = asm.split_whitespace().next().unwrap_or("");
    let ops = asm.get(m.len()..).unwrap_or("");
    let half = ops.contains(".4h")
        || ops.contains(".8h")
        || ops.contains(".2h")
        || ops.contains(".h[")
        || ops.trim_start().starts_with('h');
    let fp = m.starts_with('f') || m == "scvtf" || m == "ucvtf";
    UNSUPPORTED.contains(&m)
        || m.starts_with("sha")
        || m.starts_with("aes")
        || m.starts_with("sm3")
        || m.starts_with("sm4")
        || m == "eor3"
        || m == "bcax"
        || m == "rax1"
        || m == "xar"
        || (fp && half && m != "fcvtl" && m != "fcvtl2" && m != "fcvtn" && m != "fcvtn2")
}

/// Every random word qemu executes and we leave undefined must be an unsupported-on-purpose extension, or a
/// word binutils (which follows the ARM ARM's encoding tables) calls unallocated (`.inst`) where qemu is
/// lenient: e.g. a modified immediate with o2 = 1 and op = 1, or an FP16 scalar pairwise form with size<0> = 1.
#[test]
fn random_words_qemu_runs_are_covered() {
    check_covered(&random());
}

fn check_covered(cases: &[Case<'_>]) {
    let gaps: Vec<String> = cases
        .iter()
        .filter(|c| c.want.is_some() && matches!(decode(c.word), Insn::Undefined(_)))
        .filter(|c| !unsupported_on_purpose(c.asm) && !c.asm.starts_with(".inst"))
        .map(|c| format!("{:08x} {}", c.word, c.asm))
        .collect();
    assert!(
        gaps.is_empty(),
        "{} words qemu runs are undefined here:\n{}",
        gaps.len(),
        gaps.join("\n")
    );
}

/// No AdvSIMD word may panic the decoder or the semantics (debug builds also trap arithmetic overflow):
/// 200,000 pseudo-random words over the whole SIMD&FP space with varied register contents.
#[test]
fn random_words_never_panic() {
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let sets: Vec<Inputs> = random().iter().map(|c| c.input).take(64).collect();
    for i in 0..200_000 {
        let word = (next() as u32 & !(0xf << 25)) | (0b0111 << 25);
        let input = &sets[i % sets.len()];
        let _ = run(word, input);
    }
}
