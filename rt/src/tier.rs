//! The AOT tier at run time: finding and checking a program's bundle, compiling it (through a private artifact
//! cache), instantiating it against the guest's memory, and switching between lifted code and the interpreter.
//!
//! Lifted code and the interpreter share one CPU state: the runtime keeps it in [`Guest::cpu`](crate::Guest) and
//! copies it to [`abi::STATE_ADDR`] in guest memory around each stretch of lifted code. Lifted code returns a
//! [`Status`]; `Continue` to a pc the bundle has an entry for is followed without leaving the host loop, anything
//! else goes back to the run loop (syscall, budget) or to the interpreter for one block (an instruction `Lift`
//! leaves to it, a fault to raise, or code the bundle does not have: an *AOT miss*, recorded for the next build).
//!
//! Owns: bundle lookup/validation, the artifact cache, the `fp` helper import, tier statistics.
//! Must not: decide syscall or signal semantics (the run loop in [`crate::guest`] does).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use elfrun_aot::abi::{self, FpCall, Status};
use elfrun_aot::bundle::{self, Bundle};
use elfrun_interp::softfp::{self, Fpscr};
use elfrun_interp::state::offsets;
use elfrun_interp::{CpuState, GuestMem};
use sha2::{Digest, Sha256};
use wasmer::{
    Function, FunctionEnv, FunctionEnvMut, Instance, RuntimeError, TypedFunction, imports,
};

use crate::host::HostMemory;
use crate::record::ELFRUN_VERSION;

/// Which tier runs the guest (`--tier`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Tier {
    /// The interpreter only.
    Interp,
    /// The program's bundle, required.
    Aot,
    /// The bundle if there is a valid one, else the interpreter.
    #[default]
    Auto,
}

/// Counters for `--stats` / `--stats-file`.
#[derive(Clone, Debug, Default)]
pub struct TierStats {
    /// Calls from the host into lifted code.
    pub aot_entries: u64,
    /// Returns from lifted code to the host loop (each is followed by a syscall, signal check or interpreter
    /// stretch).
    pub aot_exits: u64,
    /// Instructions lifted code left to the interpreter (`Status::Interp`, `Status::FpSlow`).
    pub aot_fallbacks: u64,
    /// Block starts the interpreter ran in the AOT tier because the bundle had no code for them (where lifted code
    /// left, and the blocks the interpreter went on to), with counts: recorded into the profile. (Counted for
    /// every block the interpreter runs there: a fast hash.)
    pub aot_misses: rustc_hash::FxHashMap<u64, u64>,
    /// Misses already written to the profile (taken out of `aot_misses`).
    pub flushed_miss_sites: usize,
    pub flushed_misses: u64,
    /// Time to find, check, compile or load and instantiate the bundle.
    pub load_ms: f64,
    /// Whether the module came from the artifact cache.
    pub artifact_cached: bool,
}

/// Fuel given to lifted code per entry: dispatch-loop iterations before it returns [`Status::Budget`].
const FUEL: i32 = 1 << 16;

/// A bundle instantiated for one guest process.
pub struct Aot {
    _instance: Instance,
    enter: TypedFunction<(i32, i32), i32>,
    entries: HashMap<u64, (i32, i32)>,
    /// Range of guest code the bundle translated (for invalidation).
    code: (u64, u64),
    /// Hash of the program (its profile's key, [`elfrun_profiles::binary_hash`]).
    elf_hash: [u8; 32],
    pub stats: TierStats,
    /// `--lockstep`: every stretch of lifted code is checked by the interpreter (see `crate::lockstep`).
    pub lockstep: Option<crate::lockstep::LockstepStats>,
}

impl std::fmt::Debug for Aot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Aot")
            .field("entries", &self.entries.len())
            .field("stats", &self.stats)
            .finish()
    }
}

/// Where the bundle of the ELF with hash `elf_hash` lives by default (beside its profile, in the cache).
pub fn default_bundle_path(elf_hash: &[u8; 32]) -> PathBuf {
    cache_root(elf_hash)
        .join("bundles")
        .join(format!("{}.bundle", elfrun_profiles::hex(elf_hash)))
}

fn cache_root(elf_hash: &[u8; 32]) -> PathBuf {
    let p = elfrun_profiles::default_profile_path(elf_hash);
    p.parent()
        .and_then(Path::parent)
        .map(Path::to_path_buf)
        .unwrap_or_else(|| std::env::temp_dir().join("elfrun-cache"))
}

/// A bundle read from its file, with the file's checksum (the BLAKE3 hash its last 32 bytes hold, checked by
/// [`Bundle::decode`]): it names the module in the artifact cache without hashing the module again.
#[derive(Debug)]
pub struct ReadBundle {
    pub bundle: Bundle,
    pub file_sum: [u8; 32],
}

impl ReadBundle {
    /// The checksum of a bundle file's bytes (as [`Bundle::encode`] wrote them): their last 32 bytes.
    pub fn file_sum(encoded: &[u8]) -> [u8; 32] {
        let mut sum = [0u8; 32];
        if let Some(tail) = encoded.len().checked_sub(32).map(|at| &encoded[at..]) {
            sum.copy_from_slice(tail);
        }
        sum
    }
}

/// Reads and checks the bundle at `path` for the ELF with `elf_hash`. `Ok(None)`: there is none. The file is
/// mapped rather than read (bundles are only replaced by rename: `elfrun build` writes them atomically), and
/// dropped once decoded.
pub fn read_bundle(path: &Path, elf_hash: &[u8; 32]) -> Result<Option<ReadBundle>, String> {
    let map = match crate::host::map_file(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("cannot read the bundle {}: {e}", path.display())),
    };
    let data = map.as_ref();
    let b = Bundle::decode(data).map_err(|e| format!("bundle {}: {e}", path.display()))?;
    let file_sum = ReadBundle::file_sum(data);
    drop(map);
    if &b.elf_hash != elf_hash {
        return Err(format!(
            "bundle {} is for another binary (hash {})",
            path.display(),
            elfrun_profiles::hex(&b.elf_hash)
        ));
    }
    let translator_known = [false, true]
        .iter()
        .any(|&f| b.translator == bundle::translator(f));
    if b.elfrun_version != ELFRUN_VERSION || !translator_known {
        return Err(format!(
            "bundle {} was built by elfrun {} ({}); this is elfrun {ELFRUN_VERSION}",
            path.display(),
            b.elfrun_version,
            b.translator
        ));
    }
    Ok(Some(ReadBundle {
        bundle: b,
        file_sum,
    }))
}

/// The `fp(code, a, b, c)` import: one floating-point primitive on the FPCR/FPSR in the state in guest memory,
/// computed by the same `softfp` code the interpreter uses.
fn fp_helper(
    env: FunctionEnvMut<'_, GuestMem>,
    code: i32,
    a: i64,
    b: i64,
    c: i64,
) -> Result<i64, RuntimeError> {
    let mem = *env.data();
    let call = FpCall::decode(code)
        .ok_or_else(|| RuntimeError::new(format!("bad fp helper code {code:#x}")))?;
    let fpcr_at = abi::STATE_ADDR + offsets::FPCR as u64;
    let fpsr_at = abi::STATE_ADDR + offsets::FPSR as u64;
    let bad = |_| RuntimeError::new("CPU state outside guest memory");
    let fpcr = mem.load(fpcr_at, 8).map_err(bad)? as u32;
    let mut fpsr = mem.load(fpsr_at, 8).map_err(bad)?;
    let (a, b, c) = (a as u64, b as u64, c as u64);
    let mut fs = Fpscr {
        fpcr,
        fpsr: &mut fpsr,
    };
    let r = match call {
        FpCall::Binop(op, ty) => softfp::binop(&mut fs, op, ty, a, b),
        FpCall::MulAdd(ty) => softfp::muladd(&mut fs, ty, a, b, c),
        FpCall::Unop(op, ty) => softfp::unop(&mut fs, op, ty, a),
        FpCall::Compare { ty, signal_all } => softfp::compare(&mut fs, ty, a, b, signal_all),
        FpCall::CompareMask(cmp, ty) => softfp::compare_mask(&mut fs, cmp, ty, a, b),
        FpCall::Convert { from, to } => softfp::convert(&mut fs, from, to, a),
        FpCall::ToInt {
            ty,
            w,
            signed,
            fbits,
            rounding,
        } => softfp::to_int(&mut fs, ty, a, w, signed, fbits, rounding),
        FpCall::FromInt {
            ty,
            w,
            signed,
            fbits,
        } => softfp::from_int(&mut fs, ty, a, w, signed, fbits),
    };
    mem.store(fpsr_at, fpsr, 8).map_err(bad)?;
    Ok(r as i64)
}

/// The artifact cache: wasmer's compiled form of a bundle's module, keyed by everything that must match for it
/// to be loadable, and framed by our own hash (BLAKE3; wasmer does not verify what it deserializes). Public for
/// the benchmarks' `wasi-run`, which caches its compiled modules the same way.
pub mod artifact {
    use super::*;

    /// `ELFRUNAR` framed the payload with a SHA-256; `ELFRUNA2` with a BLAKE3 hash, about twice as fast to
    /// check on every process start (an artifact is several times the size of its module).
    const MAGIC: &[u8; 8] = b"ELFRUNA2";

    /// The key of the compiled form of a module whose bytes (or bundle file) have checksum `bundle_sum`.
    pub fn key(bundle_sum: &[u8; 32], engine_id: &str) -> String {
        let mut h = Sha256::new();
        // The frame's format too: elfruns that frame artifacts differently must not overwrite each other's.
        h.update(MAGIC);
        h.update(bundle_sum);
        h.update(b"wasmer 7.4.2 ");
        // Our patch of its Cranelift compiler (vendor/README.md) changes the code it generates.
        h.update(wasmer_compiler_cranelift::ELFRUN_PATCH.as_bytes());
        h.update(engine_id.as_bytes());
        h.update(format!("{:?}", crate::host::target().cpu_features()).as_bytes());
        elfrun_profiles::hex(h.finalize().as_slice())
    }

    /// The verified payload (wasmer's serialized module). The file is mapped, not read: the payload stays the
    /// page cache's pages (artifacts are only ever replaced by rename, see [`write`]), and wasmer keeps the
    /// mapping for as long as the module lives.
    pub fn read(path: &Path) -> Option<bytes::Bytes> {
        let map = crate::host::map_file(path).ok()?;
        let data = map.as_ref();
        if data.len() < 40 || &data[..8] != MAGIC {
            return None;
        }
        let (sum, payload) = data[8..].split_at(32);
        if blake3::hash(payload).as_bytes() != sum {
            return None;
        }
        Some(bytes::Bytes::from_owner(map).slice(40..))
    }

    /// Writes `payload` framed to `path` (by rename: a reader sees the old file or the new one).
    pub fn write(path: &Path, payload: &[u8]) -> std::io::Result<()> {
        let dir = path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir)?;
        set_private(dir);
        let mut data = Vec::with_capacity(payload.len() + 40);
        data.extend_from_slice(MAGIC);
        data.extend_from_slice(blake3::hash(payload).as_bytes());
        data.extend_from_slice(payload);
        let tmp = dir.join(format!(".tmp.{}", std::process::id()));
        std::fs::write(&tmp, &data)?;
        std::fs::rename(&tmp, path)
    }

    /// Artifacts are native code we will map executable: only the user may write the directory.
    fn set_private(dir: &Path) {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700));
    }
}

/// Where the compiled form of `bundle` for the engine `engine_id` is cached. Keyed by the bundle file's
/// checksum, which covers the module (hashing the module itself again cost every process start ~10 ms per
/// 10 MB of Wasm).
fn artifact_path(bundle: &ReadBundle, engine_id: &str) -> PathBuf {
    let key = artifact::key(&bundle.file_sum, engine_id);
    let bundle = &bundle.bundle;
    // Named by the program first, so that a rebuild can drop the program's older artifacts.
    cache_root(&bundle.elf_hash).join("artifacts").join(format!(
        "{}-{key}.wasmer",
        &elfrun_profiles::hex(&bundle.elf_hash)[..16]
    ))
}

/// Removes the program's other artifacts (older builds): one compiled bundle per program stays cached.
fn prune_artifacts(keep: &Path) {
    let (Some(dir), Some(name)) = (keep.parent(), keep.file_name().and_then(|n| n.to_str())) else {
        return;
    };
    let Some((program, _)) = name.split_once('-') else {
        return;
    };
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let n = e.file_name();
        let n = n.to_string_lossy();
        if n != name && n.starts_with(&format!("{program}-")) && n.ends_with(".wasmer") {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

/// Compiles `bundle`'s module and stores it in the artifact cache (`elfrun build` does this, so that the first
/// run only loads).
pub fn precompile(bundle: &ReadBundle) -> Result<(), String> {
    check_engine(bundle)?;
    let store = wasmer::Store::new(crate::host::engine());
    let path = artifact_path(bundle, &store.engine().deterministic_id());
    let module = wasmer::Module::new(&store, &bundle.bundle.wasm)
        .map_err(|e| format!("cannot compile the bundle: {e}"))?;
    let bytes = module
        .serialize()
        .map_err(|e| format!("cannot serialize the compiled bundle: {e}"))?;
    artifact::write(&path, &bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    prune_artifacts(&path);
    Ok(())
}

/// Refuses to compile a bundle whose fused multiply-adds rely on relaxed multiply-adds being fused (see
/// [`elfrun_aot::BuildInput::fused_madd`]) with an engine that does not fuse them: it would compute them with
/// two roundings. (A cached artifact was compiled by the same engine as the build that checked it.)
fn check_engine(read: &ReadBundle) -> Result<(), String> {
    if read.bundle.translator == bundle::translator(true) && !crate::host::fuses_madd() {
        return Err(
            "the bundle was built for an engine with fused multiply-adds (a CPU with FMA3); this engine \
             does not fuse them (no FMA3, or ELFRUN_FMA=0): rebuild it with `elfrun build`"
                .to_string(),
        );
    }
    Ok(())
}

/// The Wasm stack lifted code runs on. Lifted functions nest up to [`elfrun_aot::lift::MAX_CALL_DEPTH`] (200) Wasm calls deep, and
/// the frames of big guest functions are large: bash-static's function recursion needed more than wasmer's
/// default 1 MiB at 15 shell levels and between 2 and 4 MiB to reach the depth bound ("call stack exhausted"
/// otherwise, which ends the guest). The stack is reserved, not committed: untouched pages cost nothing.
const WASM_STACK_BYTES: usize = 64 << 20;

/// How many guest instructions `--tier auto` interprets before it loads the program's bundle: about as many as
/// the interpreter runs in the time the load takes ([`load_after`]). Most processes of a shell script (`true`,
/// `sleep`, `head -c`, `date`) end before that and never pay for the load; a process that runs longer pays at
/// most about twice what loading at its start would have cost.
///
/// Loading a compiled bundle from the artifact cache (reading and verifying the file, wasmer's deserialisation,
/// instantiation) takes about 1 ms per MB of artifact here, in which the interpreter runs some 200,000
/// instructions; compiling one that is not cached takes about 1 ms per KB of Wasm.
const INSNS_PER_ARTIFACT_BYTE: f64 = 0.2;
const INSNS_PER_WASM_BYTE: u64 = 200;
/// The least [`load_after`] gives: a load has fixed costs too.
pub const MIN_LOAD_AFTER: u64 = 250_000;

/// Guest instructions to interpret before loading `read` ([`INSNS_PER_ARTIFACT_BYTE`]).
pub fn load_after(read: &ReadBundle, host: &mut HostMemory) -> u64 {
    let engine_id = host.store_mut().engine().deterministic_id();
    let after = match std::fs::metadata(artifact_path(read, &engine_id)) {
        Ok(m) => (m.len() as f64 * INSNS_PER_ARTIFACT_BYTE) as u64,
        Err(_) => (read.bundle.wasm.len() as u64).saturating_mul(INSNS_PER_WASM_BYTE),
    };
    after.max(MIN_LOAD_AFTER)
}

/// A checked bundle whose compiled module is not loaded yet (`--tier auto`: see [`load_after`]).
#[derive(Debug)]
pub struct Deferred {
    pub read: ReadBundle,
    /// Load once the interpreter has run this many instructions (the guest's [`RunStats`] count).
    ///
    /// [`RunStats`]: elfrun_interp::eval::RunStats
    pub after: u64,
    /// Time spent finding and checking the bundle, counted into the load time reported.
    pub checked_ms: f64,
}

impl Deferred {
    /// Whether translated code of the bundle may cover part of `start..start + len` (see [`Aot::overlaps`]).
    pub fn overlaps(&self, start: u64, len: u64) -> bool {
        let (lo, hi) = code_range(&self.read.bundle);
        start < hi && start.saturating_add(len) > lo
    }
}

/// Range of guest code a bundle translated: from its first entry to past its last one (blocks extend past the
/// last entry; the code segment's size bounds how far).
fn code_range(bundle: &Bundle) -> (u64, u64) {
    let lo = bundle.entries.first().map_or(0, |e| e.pc);
    let hi = bundle.entries.last().map_or(0, |e| e.pc);
    (lo, hi.saturating_add(bundle.stats.code_bytes))
}

impl Aot {
    /// Compiles (or loads from the artifact cache) and instantiates `bundle` against the guest memory.
    pub fn load(read: &ReadBundle, host: &mut HostMemory, mem: GuestMem) -> Result<Aot, String> {
        let start = Instant::now();
        wasmer::sys::vm::set_stack_size(WASM_STACK_BYTES);
        let engine_id = host.store_mut().engine().deterministic_id();
        let art_path = artifact_path(read, &engine_id);
        let bundle = &read.bundle;
        let cached = artifact::read(&art_path).and_then(|bytes| {
            tracing::debug!(
                "artifact read and verified: {:.1} ms",
                start.elapsed().as_secs_f64() * 1e3
            );
            host.deserialize_module(bytes).ok()
        });
        tracing::debug!(
            "module ready: {:.1} ms",
            start.elapsed().as_secs_f64() * 1e3
        );
        let artifact_cached = cached.is_some();
        let module = match cached {
            Some(m) => m,
            None => {
                check_engine(read)?;
                let m = wasmer::Module::new(host.store_mut(), &bundle.wasm)
                    .map_err(|e| format!("cannot compile the bundle: {e}"))?;
                match m.serialize() {
                    Ok(bytes) => {
                        if let Err(e) = artifact::write(&art_path, &bytes) {
                            tracing::warn!(
                                "cannot cache the compiled bundle in {}: {e}",
                                art_path.display()
                            );
                        }
                    }
                    Err(e) => tracing::warn!("cannot serialize the compiled bundle: {e}"),
                }
                m
            }
        };
        let memory = host.memory().clone();
        let store = host.store_mut();
        // The helper works on FPCR/FPSR in the state, in the guard below the guest's memory.
        let env = FunctionEnv::new(store, mem.with_guard());
        let imports = imports! {
            "env" => {
                abi::IMPORT_FP => Function::new_typed_with_env(store, &env, fp_helper),
                abi::IMPORT_MEMORY => memory,
            }
        };
        let instance = Instance::new(store, &module, &imports)
            .map_err(|e| format!("cannot instantiate the bundle: {e}"))?;
        let enter = instance
            .exports
            .get_typed_function(store, abi::EXPORT_ENTER)
            .map_err(|e| format!("bundle has no usable `{}` export: {e}", abi::EXPORT_ENTER))?;
        tracing::debug!(
            "instantiated: {:.1} ms",
            start.elapsed().as_secs_f64() * 1e3
        );
        let entries: HashMap<u64, (i32, i32)> = bundle
            .entries
            .iter()
            .map(|e| (e.pc, (e.func as i32, e.block as i32)))
            .collect();
        Ok(Aot {
            _instance: instance,
            enter,
            entries,
            code: code_range(bundle),
            elf_hash: bundle.elf_hash,
            lockstep: None,
            stats: TierStats {
                load_ms: start.elapsed().as_secs_f64() * 1e3,
                artifact_cached,
                ..TierStats::default()
            },
        })
    }

    /// Whether translated code may cover part of `start..start + len`.
    pub fn overlaps(&self, start: u64, len: u64) -> bool {
        start < self.code.1 && start.saturating_add(len) > self.code.0
    }

    /// Counts a block the interpreter runs because the bundle has no entry for it (or an instruction lifted code
    /// handed back); returns how often that happened at `pc` since the misses were last flushed.
    pub fn note_miss(&mut self, pc: u64) -> u64 {
        let n = self.stats.aot_misses.entry(pc).or_default();
        *n += 1;
        *n
    }

    /// A recorder for the interpreter running code the bundle does not have: notes every block it runs as a
    /// miss (so the next build covers it) and stops it where lifted code can be entered.
    pub fn miss_recorder(&mut self) -> MissRecorder<'_> {
        MissRecorder {
            entries: &self.entries,
            misses: &mut self.stats.aot_misses,
        }
    }

    /// Whether lifted code can be entered at `pc`.
    pub fn has_entry(&self, pc: u64) -> bool {
        self.entries.contains_key(&pc)
    }

    /// Runs lifted code from `cpu.pc` (which must have an entry) until it needs the host. On return `cpu` is the
    /// complete state and `cpu.pc` where the guest continues.
    pub fn run(
        &mut self,
        cpu: &mut CpuState,
        host: &mut HostMemory,
        mem: GuestMem,
    ) -> Result<Status, String> {
        // The state lies in the guard below the guest's memory (`abi::STATE_ADDR`).
        let state = mem.with_guard();
        state_to_mem(cpu, state);
        let _ = state.store(abi::FUEL_ADDR, FUEL as u64, 4);
        let mut pc = cpu.pc;
        let status = loop {
            let Some(&(f, b)) = self.entries.get(&pc) else {
                *self.stats.aot_misses.entry(pc).or_default() += 1;
                break Status::Continue;
            };
            self.stats.aot_entries += 1;
            let raw = self
                .enter
                .call(host.store_mut(), f, b)
                .map_err(|e| format!("lifted code failed at pc {pc:#x}: {e}"))?;
            let status = Status::from_i32(raw)
                .ok_or_else(|| format!("lifted code returned status {raw} at pc {pc:#x}"))?;
            pc = state
                .load(abi::STATE_ADDR + offsets::PC as u64, 8)
                .unwrap_or(0);
            if status != Status::Continue {
                break status;
            }
        };
        self.stats.aot_exits += 1;
        state_from_mem(cpu, state);
        if matches!(status, Status::Interp | Status::FpSlow) {
            self.stats.aot_fallbacks += 1;
        }
        Ok(status)
    }
}

/// See [`Aot::miss_recorder`].
#[derive(Debug)]
pub struct MissRecorder<'a> {
    entries: &'a HashMap<u64, (i32, i32)>,
    misses: &'a mut rustc_hash::FxHashMap<u64, u64>,
}

impl elfrun_interp::eval::Recorder for MissRecorder<'_> {
    const ACTIVE: bool = true;
    fn enter(&mut self, block: &elfrun_interp::eval::Block) {
        *self.misses.entry(block.start).or_default() += 1;
    }
    fn completed(&mut self, _block: &elfrun_interp::eval::Block, _next: u64, _sp: u64) {}
    fn stopped(&mut self, _block: &elfrun_interp::eval::Block, _completed_last: bool) {}
    fn stop_before(&mut self, block: &elfrun_interp::eval::Block) -> bool {
        self.entries.contains_key(&block.start)
    }
}

/// Copies the CPU state into guest memory at [`abi::STATE_ADDR`] (the layout of [`CpuState`]).
fn state_to_mem(cpu: &CpuState, mem: GuestMem) {
    let at = |off: usize| abi::STATE_ADDR + off as u64;
    for (i, &x) in cpu.x.iter().enumerate() {
        let _ = mem.store(at(offsets::X + 8 * i), x, 8);
    }
    for (off, v) in [
        (offsets::SP, cpu.sp),
        (offsets::PC, cpu.pc),
        (offsets::NZCV, cpu.nzcv),
        (offsets::FPCR, cpu.fpcr),
        (offsets::FPSR, cpu.fpsr),
        (offsets::TPIDR_EL0, cpu.tpidr_el0),
        (core::mem::offset_of!(CpuState, excl_addr), cpu.excl_addr),
        (core::mem::offset_of!(CpuState, excl_size), cpu.excl_size),
        // Set by lifted code's exits that leave dead registers undefined.
        (offsets::UNDEFINED, 0),
        (offsets::UNDEFINED_V, 0),
    ] {
        let _ = mem.store(at(off), v, 8);
    }
    // NZCV as a value, not lazy flags (`abi::FLAGS_KIND_ADDR`).
    let _ = mem.store(abi::FLAGS_KIND_ADDR, 0, 8);
    let _ = mem.store_u128(
        at(core::mem::offset_of!(CpuState, excl_value)),
        cpu.excl_value,
    );
    for (i, &v) in cpu.v.iter().enumerate() {
        let _ = mem.store_u128(at(offsets::V + 16 * i), v);
    }
}

/// Reads the CPU state back from guest memory.
fn state_from_mem(cpu: &mut CpuState, mem: GuestMem) {
    let at = |off: usize| abi::STATE_ADDR + off as u64;
    let ld = |off: usize| mem.load(at(off), 8).unwrap_or(0);
    for i in 0..31 {
        cpu.x[i] = ld(offsets::X + 8 * i);
    }
    cpu.sp = ld(offsets::SP);
    cpu.pc = ld(offsets::PC);
    // Lifted code may leave the flags lazy (the comparison that set them).
    let flags_kind = mem.load(abi::FLAGS_KIND_ADDR, 8).unwrap_or(0);
    let flags_b = mem.load(abi::FLAGS_B_ADDR, 8).unwrap_or(0);
    cpu.nzcv = abi::lazy_nzcv(flags_kind, ld(offsets::NZCV), flags_b);
    cpu.fpcr = ld(offsets::FPCR);
    cpu.fpsr = ld(offsets::FPSR);
    cpu.tpidr_el0 = ld(offsets::TPIDR_EL0);
    cpu.excl_addr = ld(core::mem::offset_of!(CpuState, excl_addr));
    cpu.excl_size = ld(core::mem::offset_of!(CpuState, excl_size));
    cpu.undefined = ld(offsets::UNDEFINED);
    cpu.undefined_v = ld(offsets::UNDEFINED_V);
    cpu.excl_value = mem
        .load_u128(at(core::mem::offset_of!(CpuState, excl_value)))
        .unwrap_or(0);
    for i in 0..32 {
        cpu.v[i] = mem.load_u128(at(offsets::V + 16 * i)).unwrap_or(0);
    }
}

/// What `--stats` / `--stats-file` report about a finished run.
#[derive(Debug, Clone, serde::Serialize)]
pub struct StatsReport {
    /// `aot` if a bundle was in use, else `interp`.
    pub tier: &'static str,
    /// Guest instructions executed by the interpreter.
    pub interp_instructions: u64,
    pub aot_entries: u64,
    pub aot_exits: u64,
    /// Instructions the bundle leaves to the interpreter, each time one was reached.
    pub aot_fallbacks: u64,
    /// Distinct pcs lifted code reached without code for them, and how often.
    pub aot_miss_sites: usize,
    pub aot_misses: u64,
    pub syscalls: u64,
    /// Time to load the bundle (find, check, compile or load the artifact, instantiate).
    pub bundle_load_ms: f64,
    pub artifact_cached: bool,
    /// Wall time of the guest's run (after loading).
    pub run_ms: f64,
    /// `--lockstep`: stretches of lifted code checked by the interpreter, and the instructions it re-ran.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lockstep_windows: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lockstep_instructions: Option<u64>,
}

impl StatsReport {
    pub fn of(g: &crate::Guest, run_ms: f64) -> StatsReport {
        let none = TierStats::default();
        let s = g.aot.as_ref().map_or(&none, |a| &a.stats);
        StatsReport {
            tier: if g.aot.is_some() { "aot" } else { "interp" },
            interp_instructions: g.stats.instructions,
            aot_entries: s.aot_entries,
            aot_exits: s.aot_exits,
            aot_fallbacks: s.aot_fallbacks,
            aot_miss_sites: s.aot_misses.len() + s.flushed_miss_sites,
            aot_misses: s.aot_misses.values().sum::<u64>() + s.flushed_misses,
            syscalls: g.syscalls,
            bundle_load_ms: s.load_ms,
            artifact_cached: s.artifact_cached,
            run_ms,
            lockstep_windows: g.aot.as_ref().and_then(|a| a.lockstep).map(|l| l.windows),
            lockstep_instructions: g
                .aot
                .as_ref()
                .and_then(|a| a.lockstep)
                .map(|l| l.instructions),
        }
    }

    pub fn json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default() + "\n"
    }

    pub fn table(&self) -> String {
        format!(
            "elfrun stats: tier {}\n  interp instructions {:>14}\n  aot entries/exits   {:>14} / {}\n  \
             aot fallbacks       {:>14}\n  aot misses          {:>14} at {} pcs\n  syscalls            {:>14}\n  \
             bundle load         {:>11.2} ms{}\n  run                 {:>11.2} ms\n",
            self.tier,
            self.interp_instructions,
            self.aot_entries,
            self.aot_exits,
            self.aot_fallbacks,
            self.aot_misses,
            self.aot_miss_sites,
            self.syscalls,
            self.bundle_load_ms,
            if self.artifact_cached {
                " (artifact cache)"
            } else {
                ""
            },
            self.run_ms
        ) + &match (self.lockstep_windows, self.lockstep_instructions) {
            (Some(w), Some(n)) => {
                format!("  lockstep checked    {w:>14} stretches, {n} instructions re-run\n")
            }
            _ => String::new(),
        }
    }
}

impl crate::Guest {
    /// Records the pcs lifted code missed into the program's profile, so the next `elfrun build` covers them.
    /// Call at exit and before exec (each pc is recorded once: the misses are taken).
    pub fn flush_aot_misses(&mut self) {
        let Some(aot) = self.aot.as_deref_mut() else {
            return;
        };
        if aot.stats.aot_misses.is_empty() {
            return;
        }
        let misses = std::mem::take(&mut aot.stats.aot_misses);
        aot.stats.flushed_miss_sites += misses.len();
        aot.stats.flushed_misses += misses.values().sum::<u64>();
        let hash = aot.elf_hash;
        let mut p = elfrun_profiles::Profile::new(hash, ELFRUN_VERSION);
        for (&pc, &n) in &misses {
            p.record_aot_miss(pc, n);
        }
        let path = elfrun_profiles::default_profile_path(&hash);
        if let Err(e) = elfrun_profiles::merge_into_file(&path, &p) {
            tracing::warn!("cannot record AOT misses in {}: {e}", path.display());
        }
    }
}
