//! The benchmark programs and how each is built for each target.
//!
//! Sources live in `bench/programs/` (one self-checking C file per program plus `common.h`). Each is built
//! three ways: AArch64 static (the guest, run by qemu-aarch64 and elfrun), x86-64 native (the speed
//! reference) and wasm32-wasi (the from-source Wasm reference). Builds are cached in the build directory
//! and redone when a source is newer than the output.

use std::fmt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

/// A benchmark program: its name (the C file's stem) and what it measures, for the report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Program {
    pub name: &'static str,
    pub measures: &'static str,
}

/// Every program, in report order.
pub const PROGRAMS: &[Program] = &[
    Program {
        name: "primes",
        measures: "integer division, compare-and-branch loops, byte sieve over 10 MB",
    },
    Program {
        name: "mlp",
        measures: "fp32 multiply-add in vectorised loops (NEON), SGD forward + backward",
    },
    Program {
        name: "linpack",
        measures: "fp64 LU factorisation with partial pivoting (daxpy), n = 300",
    },
    Program {
        name: "intmix",
        measures: "CoreMark-like: linked lists, int16 matrix, state machine, CRC16",
    },
    Program {
        name: "memstr",
        measures: "libc memcpy/memmove/memset/memcmp/strlen/strchr and qsort",
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
        for p in PROGRAMS {
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
