//! `elfrun build PROG`: lifts a program and its profiles into a bundle (via `elfrun-aot`), writes it where
//! `elfrun run` looks for it, and compiles it once so the first run loads it from the artifact cache.

use std::path::{Path, PathBuf};
use std::time::Instant;

use elfrun_aot::discover::DiscoveryStats;
use elfrun_aot::{BuildInput, Bundle, Scope};
use elfrun_profiles::Profile;
use sha2::{Digest, Sha256};

use crate::error::RtError;
use crate::record::ELFRUN_VERSION;

/// What to build.
#[derive(Debug, Clone, Default)]
pub struct BuildArgs {
    pub prog: std::ffi::OsString,
    /// Profiles to use; empty: the program's default profile, if it has one.
    pub profiles: Vec<PathBuf>,
    /// Where to write the bundle (default: the cache, where `elfrun run` finds it).
    pub output: Option<PathBuf>,
    /// Print a progress bar on stderr.
    pub progress: bool,
    /// What to lift; `None`: only the code the profiles saw run if there are profiles, else everything static
    /// discovery finds.
    pub scope: Option<Scope>,
}

/// What a build produced (for the summary line and benchmarks).
#[derive(Debug, Clone)]
pub struct Built {
    pub path: PathBuf,
    pub bundle: Bundle,
    /// Where discovery found the functions (roots per source, jump tables).
    pub discovery: DiscoveryStats,
    /// Guest loops that also run as SIMD128 vectors.
    pub vector_loops: u64,
    /// Loops of one block lifted as functions of their own.
    pub outlined_loops: u64,
    /// Loops of one block peeled where they are fallen into.
    pub peeled_loops: u64,
    /// Loops lifted several times per back edge.
    pub unrolled_loops: u64,
    pub lift_ms: f64,
    pub compile_ms: f64,
    pub profiles_used: usize,
    pub scope: Scope,
}

impl Built {
    /// Two lines: what discovery found where, then the build's counts and times.
    pub fn summary(&self) -> String {
        let s = &self.bundle.stats;
        let total = (s.lifted + s.fallback).max(1);
        format!(
            "elfrun: discovery: {}\nelfrun: built {} ({} profile(s), {}): {} functions, {} blocks, {} instructions ({:.2}% lifted, {} left to the \
             interpreter, {} loops vectorised, {} outlined, {} peeled, {} unrolled), {:.1} MiB of Wasm; lifting {:.0} ms, compiling {:.0} ms",
            self.discovery.summary(),
            self.path.display(),
            self.profiles_used,
            match self.scope {
                Scope::All => "all code found",
                Scope::Profiled => "code that ran",
            },
            s.functions,
            s.blocks,
            s.lifted + s.fallback,
            100.0 * s.lifted as f64 / total as f64,
            s.fallback,
            self.vector_loops,
            self.outlined_loops,
            self.peeled_loops,
            self.unrolled_loops,
            self.bundle.wasm.len() as f64 / (1 << 20) as f64,
            self.lift_ms,
            self.compile_ms
        )
    }
}

fn aot_err(e: impl std::fmt::Display) -> RtError {
    RtError::Aot(e.to_string())
}

/// Builds and writes the bundle of `args.prog`.
pub fn build(args: &BuildArgs) -> Result<Built, RtError> {
    let path = crate::launch::find_program(&args.prog)?;
    let elf = std::fs::read(&path).map_err(|e| RtError::Read(path.clone(), e))?;
    let bias = crate::loader::load_bias(&elf).map_err(|why| RtError::BadElf {
        path: path.clone(),
        why,
    })?;
    let elf_hash = elfrun_profiles::binary_hash(&elf);

    let mut files = args.profiles.clone();
    if files.is_empty() {
        let default = elfrun_profiles::default_profile_path(&elf_hash);
        if default.exists() {
            files.push(default);
        } else {
            eprintln!(
                "elfrun: no profile for {} yet: building from what static discovery finds \
                 (record one with `elfrun --record {}`)",
                path.display(),
                path.display()
            );
        }
    }
    let mut profiles: Vec<Profile> = Vec::new();
    let mut profile_sha256 = Vec::new();
    for f in &files {
        let bytes = std::fs::read(f).map_err(|e| RtError::Read(f.clone(), e))?;
        profile_sha256.push(Sha256::digest(&bytes).into());
        let p = elfrun_profiles::load(f, Some(&elf_hash)).map_err(|e| {
            aot_err(format!(
                "profile {}: {e} (re-record it with `elfrun --record`)",
                f.display()
            ))
        })?;
        profiles.push(p);
    }

    let scope = args.scope.unwrap_or(if profiles.is_empty() {
        Scope::All
    } else {
        Scope::Profiled
    });
    let bar = args.progress.then(|| {
        let b = indicatif::ProgressBar::new(0);
        b.set_style(
            indicatif::ProgressStyle::with_template(
                "lifting {bar:40} {pos}/{len} functions ({elapsed})",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        b
    });
    let started = Instant::now();
    let progress = |done: usize, total: usize| {
        if let Some(b) = &bar {
            b.set_length(total as u64);
            b.set_position(done as u64);
        }
    };
    let elfrun_aot::Built {
        bundle,
        discovery,
        vector_loops,
        outlined_loops,
        peeled_loops,
        unrolled_loops,
    } = elfrun_aot::build(
        &BuildInput {
            elf: &elf,
            bias,
            profiles: &profiles,
            profile_sha256,
            elfrun_version: ELFRUN_VERSION,
            scope,
            fused_madd: crate::host::fuses_madd(),
        },
        &progress,
    )
    .map_err(aot_err)?;
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let lift_ms = started.elapsed().as_secs_f64() * 1e3;

    let out = args
        .output
        .clone()
        .unwrap_or_else(|| crate::tier::default_bundle_path(&elf_hash));
    let encoded = bundle.encode();
    write_atomic(&out, &encoded)
        .map_err(|e| aot_err(format!("cannot write {}: {e}", out.display())))?;
    let read = crate::tier::ReadBundle {
        file_sum: crate::tier::ReadBundle::file_sum(&encoded),
        bundle,
    };
    drop(encoded);

    let started = Instant::now();
    crate::tier::precompile(&read).map_err(aot_err)?;
    let bundle = read.bundle;
    Ok(Built {
        path: out,
        bundle,
        discovery,
        vector_loops,
        outlined_loops,
        peeled_loops,
        unrolled_loops,
        lift_ms,
        compile_ms: started.elapsed().as_secs_f64() * 1e3,
        profiles_used: profiles.len(),
        scope,
    })
}

fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(format!(
        ".{}.tmp.{}",
        path.file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("bundle"),
        std::process::id()
    ));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)
}
