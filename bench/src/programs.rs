//! The benchmark programs and how each is built for each target.
//!
//! Sources live in `bench/programs/` (one self-checking C file per program plus `common.h`). Each is built
//! three ways: AArch64 static (the guest, run by qemu-aarch64 and elfrun), x86-64 native (the speed
//! reference) and wasm32-wasi (the from-source Wasm reference). Builds are cached in the build directory
//! and redone when a source is newer than the output.
//!
//! One more program is a real one: Debian's busybox-static from the corpus running `md5sum` over a generated file
//! ([`Source::BusyboxMd5sum`]); its x86-64 reference is Debian's `busybox` on PATH and it has no Wasm build.

use std::fmt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

/// A benchmark program: its name (the C file's stem) and what it measures, for the report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Program {
    pub name: &'static str,
    pub measures: &'static str,
    pub source: Source,
}

/// Where a program comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// `bench/programs/<name>.c`, built for every [`Target`]; it prints `checksum <name> <value>`.
    C,
    /// `busybox md5sum FILE` over a generated file of scale × [`MD5SUM_BYTES_PER_SCALE`] bytes: the corpus's
    /// AArch64 busybox-static, and Debian's x86-64 `busybox` on PATH as the native build; the reference checksum
    /// is coreutils' `md5sum` of the same file.
    BusyboxMd5sum,
}

/// The md5sum workload's input size at scale 1 (~1 s for busybox's md5sum natively).
pub const MD5SUM_BYTES_PER_SCALE: f64 = 512.0 * 1024.0 * 1024.0;

/// Every program, in report order.
pub const PROGRAMS: &[Program] = &[
    Program {
        name: "primes",
        measures: "integer division, compare-and-branch loops, byte sieve over 10 MB",
        source: Source::C,
    },
    Program {
        name: "mlp",
        measures: "fp32 multiply-add in vectorised loops (NEON), SGD forward + backward",
        source: Source::C,
    },
    Program {
        name: "linpack",
        measures: "fp64 LU factorisation with partial pivoting (daxpy), n = 300",
        source: Source::C,
    },
    Program {
        name: "intmix",
        measures: "CoreMark-like: linked lists, int16 matrix, state machine, CRC16",
        source: Source::C,
    },
    Program {
        name: "memstr",
        measures: "libc memcpy/memmove/memset/memcmp/strlen/strchr and qsort",
        source: Source::C,
    },
    Program {
        name: "bb-md5sum",
        measures: "a real program: Debian's busybox-static `md5sum` over a generated file (scale × 512 MiB)",
        source: Source::BusyboxMd5sum,
    },
];

/// Looks a program up by name.
pub fn find(name: &str) -> Option<&'static Program> {
    PROGRAMS.iter().find(|p| p.name == name)
}

/// What a program is compiled for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Target {
    /// `aarch64-linux-gnu-gcc -static -O2` (default fp-contract, so a*b+c becomes fmadd).
    Aarch64,
    /// The host compiler, `gcc -O2`.
    Native,
    /// `clang --target=wasm32-wasi --sysroot=/usr -O2`.
    Wasm32Wasi,
}

impl Target {
    pub const ALL: [Target; 3] = [Target::Aarch64, Target::Native, Target::Wasm32Wasi];

    fn suffix(self) -> &'static str {
        match self {
            Target::Aarch64 => "aarch64",
            Target::Native => "native",
            Target::Wasm32Wasi => "wasm",
        }
    }

    /// The compiler command line, without source and output.
    pub fn compiler(self) -> (&'static str, &'static [&'static str]) {
        match self {
            Target::Aarch64 => ("aarch64-linux-gnu-gcc", &["-static", "-O2"]),
            Target::Native => ("gcc", &["-O2"]),
            Target::Wasm32Wasi => ("clang", &["--target=wasm32-wasi", "--sysroot=/usr", "-O2"]),
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.suffix())
    }
}

/// The directory holding the C sources.
pub fn source_dir() -> PathBuf {
    manifest_dir().join("programs")
}

/// The bench crate's directory: `CARGO_MANIFEST_DIR` at run time when cargo runs us (checkouts sharing one target
/// directory may share a binary built in another of them), else where it was at build time.
pub fn manifest_dir() -> PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .filter(|d| d.join("programs").is_dir())
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")))
}

/// Where the build outputs go by default: `$CARGO_TARGET_DIR/elfrun-bench`, else `<workspace>/target/elfrun-bench`.
pub fn default_build_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest_dir().join("../target"));
    target.join("elfrun-bench")
}

/// Output path of `program` built for `target` inside `build_dir`.
pub fn output_path(build_dir: &Path, program: &Program, target: Target) -> PathBuf {
    build_dir.join(format!("{}.{}", program.name, target.suffix()))
}

fn mtime(p: &Path) -> Option<SystemTime> {
    std::fs::metadata(p).and_then(|m| m.modified()).ok()
}

/// The command that runs `program` for `target` at `scale`: the executable and its arguments. A C program is
/// built ([`build`]); the busybox workload finds its binaries (`corpus`: the directory holding
/// `root/bin/busybox`) and generates its input in `build_dir`.
pub fn prepare(
    build_dir: &Path,
    corpus: &Path,
    program: &Program,
    target: Target,
    scale: &str,
) -> Result<(PathBuf, Vec<String>), String> {
    match program.source {
        Source::C => Ok((build(build_dir, program, target)?, vec![scale.into()])),
        Source::BusyboxMd5sum => {
            let exe = match target {
                Target::Aarch64 => {
                    let bb = corpus.join("root/bin/busybox");
                    if !bb.is_file() {
                        return Err(format!(
                            "no AArch64 busybox at {} (--corpus DIR)",
                            bb.display()
                        ));
                    }
                    bb
                }
                Target::Native => crate::harness::which(Path::new("busybox"))
                    .ok_or("no x86-64 busybox on PATH (Debian package `busybox`)")?,
                Target::Wasm32Wasi => return Err("busybox has no Wasm build".into()),
            };
            let input = md5sum_input(build_dir, scale)?;
            Ok((exe, vec!["md5sum".into(), input.display().to_string()]))
        }
    }
}

/// The checksum every run of `program` at `scale` must print, where it is known without running a build:
/// coreutils' `md5sum` of the busybox workload's input. C programs: `None` (their native run is the reference).
pub fn reference_checksum(
    build_dir: &Path,
    program: &Program,
    scale: &str,
) -> Result<Option<String>, String> {
    match program.source {
        Source::C => Ok(None),
        Source::BusyboxMd5sum => {
            let file = md5sum_input(build_dir, scale)?;
            let out = Command::new("md5sum")
                .arg(&file)
                .output()
                .map_err(|e| format!("cannot run md5sum: {e}"))?;
            let text = String::from_utf8_lossy(&out.stdout);
            match text.split_whitespace().next() {
                Some(h) if out.status.success() => Ok(Some(h.to_string())),
                _ => Err(format!("md5sum {} failed", file.display())),
            }
        }
    }
}

/// A run's stdout in the form [`crate::verify`] reads: C programs print their `checksum` lines themselves;
/// `busybox md5sum FILE` prints `<hash>  FILE`, which becomes `checksum <name> <hash>`.
pub fn checksum_output(program: &Program, stdout: &str) -> String {
    match program.source {
        Source::C => stdout.to_string(),
        Source::BusyboxMd5sum => match stdout.split_whitespace().next() {
            Some(h) => format!("checksum {} {h}\n", program.name),
            None => String::new(),
        },
    }
}

/// The md5sum workload's input at `scale`: pseudo-random bytes (xorshift), generated once per size.
fn md5sum_input(build_dir: &Path, scale: &str) -> Result<PathBuf, String> {
    let s: f64 = scale
        .parse()
        .ok()
        .filter(|s: &f64| *s > 0.0 && s.is_finite())
        .ok_or_else(|| format!("scale `{scale}` is not a positive number"))?;
    let len = ((s * MD5SUM_BYTES_PER_SCALE) as u64).max(4096) / 4096 * 4096;
    let path = build_dir.join(format!("md5sum-input-{len}.bin"));
    if std::fs::metadata(&path).is_ok_and(|m| m.len() == len) {
        return Ok(path);
    }
    std::fs::create_dir_all(build_dir)
        .map_err(|e| format!("cannot create {}: {e}", build_dir.display()))?;
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut buf = Vec::with_capacity(1 << 20);
    let tmp = path.with_extension("tmp");
    let mut f = std::io::BufWriter::new(
        std::fs::File::create(&tmp).map_err(|e| format!("cannot create {}: {e}", tmp.display()))?,
    );
    let mut left = len;
    while left > 0 {
        buf.clear();
        let n = left.min(1 << 20);
        while (buf.len() as u64) < n {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            buf.extend_from_slice(&x.to_le_bytes());
        }
        std::io::Write::write_all(&mut f, &buf[..n as usize])
            .map_err(|e| format!("cannot write {}: {e}", tmp.display()))?;
        left -= n;
    }
    std::io::Write::flush(&mut f).map_err(|e| format!("cannot write {}: {e}", tmp.display()))?;
    drop(f);
    std::fs::rename(&tmp, &path).map_err(|e| format!("cannot rename {}: {e}", tmp.display()))?;
    Ok(path)
}

/// Builds `program` for `target` unless an up-to-date output exists. Returns the output path, or a message
/// saying what failed (a missing compiler is reported, not fatal: that target's runners are skipped).
pub fn build(build_dir: &Path, program: &Program, target: Target) -> Result<PathBuf, String> {
    let src = source_dir().join(format!("{}.c", program.name));
    let header = source_dir().join("common.h");
    let out = output_path(build_dir, program, target);
    let newest_src = mtime(&src).max(mtime(&header));
    if newest_src.is_none() {
        return Err(format!("source {} not found", src.display()));
    }
    if mtime(&out).is_some_and(|o| Some(o) >= newest_src) {
        return Ok(out);
    }
    std::fs::create_dir_all(build_dir)
        .map_err(|e| format!("cannot create {}: {e}", build_dir.display()))?;
    let (cc, flags) = target.compiler();
    let result = Command::new(cc)
        .args(flags)
        .arg("-o")
        .arg(&out)
        .arg(&src)
        .output()
        .map_err(|e| format!("cannot run {cc} (is it installed?): {e}"))?;
    if !result.status.success() {
        let _ = std::fs::remove_file(&out);
        return Err(format!(
            "{cc} failed on {} for {target}:\n{}",
            src.display(),
            String::from_utf8_lossy(&result.stderr)
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_program_has_a_source() {
        for p in PROGRAMS.iter().filter(|p| p.source == Source::C) {
            let src = source_dir().join(format!("{}.c", p.name));
            assert!(src.is_file(), "{} missing", src.display());
        }
        assert!(find("linpack").is_some());
        assert!(find("nonesuch").is_none());
    }

    #[test]
    fn outputs_are_distinct_per_target() {
        let p = find("primes").unwrap();
        let dir = Path::new("/b");
        let paths: Vec<_> = Target::ALL
            .iter()
            .map(|&t| output_path(dir, p, t))
            .collect();
        assert_eq!(paths[0], Path::new("/b/primes.aarch64"));
        assert_ne!(paths[1], paths[2]);
    }
}
