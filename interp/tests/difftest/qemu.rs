//! Running harness programs under qemu-aarch64-static, the reference. A batch that qemu kills (a generated word
//! it considers undefined, a stray access) is split in halves until the culprit cases are isolated; those are
//! reported as generator problems instead of silently dropped.

use crate::harness::{self, Case, Layout};
use crate::vector::Vector;
use std::io::Write as _;
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};

pub const QEMU: &str = "qemu-aarch64-static";
pub const SETUP_HINT: &str = "run scripts/setup-test-deps.sh (as root) to install it";

/// Fails with a clear message when qemu is not installed.
pub fn require() {
    match Command::new(QEMU).arg("--version").output() {
        Ok(o) if o.status.success() => {}
        _ => panic!(
            "{QEMU} not found: the differential tests need the reference emulator; {SETUP_HINT}"
        ),
    }
}

fn run_image(dir: &Path, tag: &str, img: &[u8]) -> Result<Vec<u8>, String> {
    static RUNS: AtomicU64 = AtomicU64::new(0);
    let run = RUNS.fetch_add(1, Ordering::Relaxed);
    let path: PathBuf = dir.join(format!("difftest-{tag}-{}-{run}.elf", std::process::id()));
    // qemu-user refuses files without execute permission.
    std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o755)
        .open(&path)
        .and_then(|mut f| f.write_all(img))
        .map_err(|e| format!("writing {}: {e}", path.display()))?;
    let out = Command::new(QEMU).arg(&path).output();
    if std::env::var_os("ELFRUN_DIFFTEST_KEEP").is_none() {
        let _ = std::fs::remove_file(&path);
    }
    let out = out.map_err(|e| format!("running {QEMU}: {e}; {SETUP_HINT}"))?;
    if !out.status.success() {
        return Err(format!(
            "{QEMU} failed: {:?} {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(out.stdout)
}

/// Result of running a batch on the reference.
#[derive(Debug, Default)]
pub struct Reference {
    pub vectors: Vec<Vector>,
    /// Cases qemu would not run, with the reason.
    pub rejected: Vec<(Case, String)>,
}

/// Runs `cases` (laid out by `layout`) under qemu. `relayout` rebuilds a subset at new addresses, which the
/// bisection needs; cases are position-dependent only through their scratch pointers, so the caller's
/// generator provides it.
pub fn reference(dir: &Path, tag: &str, layout: Layout, cases: Vec<Case>) -> Reference {
    let (img, pcs) = harness::build(&layout, &cases);
    match run_image(dir, tag, &img).and_then(|out| harness::vectors(&layout, &cases, &pcs, &out)) {
        Ok(vectors) => Reference {
            vectors,
            rejected: Vec::new(),
        },
        Err(e) if cases.len() == 1 => Reference {
            vectors: Vec::new(),
            rejected: vec![(cases.into_iter().next().unwrap(), e)],
        },
        Err(_) => {
            // Bisect. Scratch buffers move with the split, so pointers into them are rebased.
            let mid = cases.len() / 2;
            let mut all = Reference::default();
            let mut rest = cases;
            let right = rest.split_off(mid);
            for (half, part) in [(0u64, rest), (mid as u64, right)] {
                let sub = Layout {
                    n: part.len() as u64,
                    scratch_len: layout.scratch_len,
                };
                let part = part
                    .into_iter()
                    .enumerate()
                    .map(|(i, c)| rebase(c, layout.scratch(half + i as u64), sub.scratch(i as u64)))
                    .collect();
                let r = reference(dir, tag, sub, part);
                all.vectors.extend(r.vectors);
                all.rejected.extend(r.rejected);
            }
            all
        }
    }
}

/// Moves a case's scratch buffer from `from` to `to`, adjusting registers that point into it.
fn rebase(mut c: Case, from: u64, to: u64) -> Case {
    if let Some(s) = &mut c.scratch {
        let inside = |v: u64| v >= from && v < from + s.len;
        for x in c.input.x.iter_mut().chain([&mut c.input.sp]) {
            if inside(*x) {
                *x = *x - from + to;
            }
        }
        s.addr = to;
    }
    c
}
