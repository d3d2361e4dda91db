//! Everything `unsafe` in the runtime: the wasmer linear memory that holds the guest address space, zeroing
//! host pages behind it, calling host system calls with guest buffers (blocking ones through a trampoline a
//! signal handler can stop before the kernel is entered, [`syscall_unless_signalled`]), read-only file
//! mappings, and the host process's command name.
//!
//! Owns: the one `Store` + shared `Memory` of the guest (4 GiB reserved up front, committed lazily, never moving),
//! and [`HostBuf`], a host pointer that was bounds-checked against the guest address space. Every other module
//! reaches guest memory through [`GuestMem`] and passes buffers to the host only as [`Arg`]s.
//!
//! Must not: know about VMAs, ELF or syscall semantics.

use std::ffi::CStr;
use std::sync::atomic::AtomicU64;

use elfrun_interp::GuestMem;
use wasmer::{Memory, MemoryType, Pages, Store};

use crate::error::RtError;

/// Host and guest page size.
pub const PAGE: u64 = 4096;
/// Lowest guest address that can ever be mapped (like Linux's `vm.mmap_min_addr`): the null-pointer guard.
pub const NULL_GUARD: u64 = 0x10000;
/// Size of the guest address space: everything lives below 4 GiB.
pub const SPACE_END: u64 = 1 << 32;

/// The guest's linear memory and the wasmer store that owns it.
pub struct HostMemory {
    // The memory's pages belong to the store; lifted code (the AOT tier) is instantiated in it too.
    store: Store,
    memory: Memory,
    base: *mut u8,
}

impl std::fmt::Debug for HostMemory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HostMemory")
            .field("base", &self.base)
            .finish()
    }
}

/// Which compiler turns bundles into machine code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EngineKind {
    /// wasmer's Cranelift backend: compiles a profiled bundle in about a second.
    Cranelift,
    /// wasmer's LLVM backend (build feature `llvm`): faster code, but
    /// compiling takes minutes even for a small program's bundle (see docs/aot.md).
    Llvm,
}

impl EngineKind {
    /// The engine of this process: `ELFRUN_ENGINE` (`cranelift` or `llvm`), else LLVM in a build with the `llvm`
    /// feature and Cranelift otherwise. An unknown value, or `llvm` in a build without the feature, is an error.
    pub fn from_env() -> Result<EngineKind, String> {
        let default = if cfg!(feature = "llvm") {
            EngineKind::Llvm
        } else {
            EngineKind::Cranelift
        };
        match std::env::var("ELFRUN_ENGINE") {
            Err(_) => Ok(default),
            Ok(v) => match v.as_str() {
                "" => Ok(default),
                "cranelift" => Ok(EngineKind::Cranelift),
                "llvm" if cfg!(feature = "llvm") => Ok(EngineKind::Llvm),
                "llvm" => Err(
                    "ELFRUN_ENGINE=llvm: this elfrun was built without the `llvm` feature \
                     (cargo build --release -p elfrun --features llvm)"
                        .to_string(),
                ),
                _ => Err(format!(
                    "ELFRUN_ENGINE={v:?}: expected `cranelift` or `llvm`"
                )),
            },
        }
    }
}

/// A wasmer engine of the process's [`EngineKind`] (Cranelift if `ELFRUN_ENGINE` is invalid: the CLI reports
/// that at start).
pub fn engine() -> wasmer::Engine {
    match EngineKind::from_env() {
        #[cfg(feature = "llvm")]
        Ok(EngineKind::Llvm) => {
            let mut llvm = wasmer::sys::LLVM::default();
            // wasmer marks every memory access volatile so that LLVM never drops or moves one that would trap
            // out of bounds. Lifted code checks every guest address before it accesses memory, and nothing
            // else writes the guest memory while it runs (no guest threads; the host only inside calls), so
            // plain accesses are what AArch64's plain loads and stores are.
            llvm.non_volatile_memops(true);
            wasmer::sys::EngineBuilder::new(llvm)
                .set_target(Some(target()))
                .engine()
                .into()
        }
        _ => {
            let mut cl = wasmer::sys::Cranelift::default();
            // A developer's window into the generated code (docs/aot.md): per function, the CLIF before
            // optimisation, the object code and its disassembly.
            if let Some(dir) = std::env::var_os("ELFRUN_CLIF_DIR") {
                match wasmer_compiler_cranelift::CraneliftCallbacks::new(dir.clone().into()) {
                    Ok(c) => {
                        cl.callbacks(Some(c));
                    }
                    Err(e) => tracing::warn!("ELFRUN_CLIF_DIR {}: {e}", dir.to_string_lossy()),
                }
            }
            // `ELFRUN_PERFMAP=1`: /tmp/perf-PID.map names the JIT code of every loaded bundle's functions by the
            // guest address they were lifted from, for `perf report` (docs/aot.md).
            if std::env::var_os("ELFRUN_PERFMAP").is_some_and(|v| v == "1") {
                use wasmer::sys::CompilerConfig;
                cl.enable_perfmap();
            }
            wasmer::sys::EngineBuilder::new(cl)
                .set_target(Some(target()))
                .engine()
                .into()
        }
    }
}

/// What [`engine`] compiles for: this host with its CPU features, less FMA3 when `ELFRUN_FMA=0` — the engine
/// then computes relaxed multiply-adds unfused and `elfrun build` lifts FMADD/FMLA with their exact emulation,
/// as on a CPU without FMA (a bundle for such a machine; the tests use it to check the unfused engine's side).
pub fn target() -> wasmer::sys::Target {
    use wasmer::sys::{CpuFeature, Target, Triple};
    let mut features = CpuFeature::for_host();
    match std::env::var("ELFRUN_FMA").as_deref() {
        Ok("0") => {
            features.remove(CpuFeature::FMA);
        }
        Ok("1") | Ok("") | Err(_) => {}
        Ok(v) => {
            static WARNED: std::sync::Once = std::sync::Once::new();
            WARNED.call_once(|| tracing::warn!("ELFRUN_FMA={v:?} ignored: expected 0 or 1"));
        }
    }
    Target::new(Triple::host(), features)
}

/// Whether [`engine`] computes relaxed multiply-adds fused, with one rounding: it compiles and runs
/// [`elfrun_aot::fused_madd_probe`] (once per process) on operands whose fused and unfused results differ.
/// Both engines do on a CPU with FMA3 (Cranelift through our patch in `vendor/`); neither does under `ELFRUN_FMA=0`.
pub fn fuses_madd() -> bool {
    static FUSES: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *FUSES.get_or_init(|| {
        let probe = || -> Option<bool> {
            let mut store = Store::new(engine());
            let module = wasmer::Module::new(&store, elfrun_aot::fused_madd_probe()).ok()?;
            let instance = wasmer::Instance::new(&mut store, &module, &wasmer::imports! {}).ok()?;
            let f64f: wasmer::TypedFunction<(f64, f64, f64), f64> =
                instance.exports.get_typed_function(&store, "f64").ok()?;
            let f32f: wasmer::TypedFunction<(f32, f32, f32), f32> =
                instance.exports.get_typed_function(&store, "f32").ok()?;
            // x² − RN(x²) is x²'s rounding error when fused (2^-60, 2^-24), zero when not.
            let x = 1.0 + 2f64.powi(-30);
            let d = f64f.call(&mut store, x, x, -(x * x)).ok()?;
            let y = 1.0 + 2f32.powi(-12);
            let s = f32f.call(&mut store, y, y, -(y * y)).ok()?;
            Some(d == 2f64.powi(-60) && s == 2f32.powi(-24))
        };
        let fused = probe().unwrap_or(false);
        tracing::debug!("engine fuses relaxed multiply-adds: {fused}");
        fused
    })
}

impl HostMemory {
    /// Creates the shared 4 GiB guest memory (reserved up front, committed on first touch).
    pub fn new() -> Result<HostMemory, RtError> {
        let mut store = Store::new(engine());
        let ty = MemoryType::new(1, Some(65536), true);
        let memory = Memory::new(&mut store, ty).map_err(|e| RtError::Memory(e.to_string()))?;
        memory
            .grow(&mut store, Pages(65535))
            .map_err(|e| RtError::Memory(e.to_string()))?;
        let view = memory.view(&store);
        if view.data_size() != SPACE_END {
            return Err(RtError::Memory(format!(
                "guest memory is {} bytes, expected 4 GiB",
                view.data_size()
            )));
        }
        let base = view.data_ptr();
        Ok(HostMemory {
            store,
            memory,
            base,
        })
    }

    /// The wasmer store that owns the memory (lifted code is instantiated and called in it).
    pub fn store_mut(&mut self) -> &mut Store {
        &mut self.store
    }

    /// The guest memory as a wasmer import.
    pub fn memory(&self) -> &Memory {
        &self.memory
    }

    /// Loads a compiled module from wasmer's serialized form.
    ///
    /// Callers pass only bytes that `Module::serialize` wrote for this wasmer version, engine and host CPU and
    /// that were verified against our own SHA-256 since (see `crate::tier`): a damaged artifact can load silently
    /// or crash wasmer, so it must never get here. Because of that check, wasmer's own validation of the
    /// archive's layout is skipped (`deserialize_unchecked`): it walked the whole archive on every process start
    /// (tens of milliseconds for a large bundle) and proves nothing our hash does not.
    pub fn deserialize_module(&self, verified: bytes::Bytes) -> Result<wasmer::Module, String> {
        // SAFETY: per the contract above, `verified` is byte-for-byte an artifact wasmer produced for this engine.
        unsafe { wasmer::Module::deserialize_unchecked(&self.store, verified) }
            .map_err(|e| e.to_string())
    }

    /// The bounds-checked view the interpreter and syscalls use.
    pub fn guest_mem(&self) -> GuestMem {
        // SAFETY: the memory is grown to its maximum at creation, so `base..base + 4 GiB` stays valid (a static
        // wasmer memory never moves) for as long as `self` lives; the runtime keeps `self` alive for the whole run.
        unsafe { GuestMem::new(self.base, NULL_GUARD, SPACE_END) }
    }

    /// Gives the host pages of `addr..addr + len` back to the kernel, so they read as zeros afterwards.
    /// `addr` and `len` must be page-aligned and inside the space (checked; otherwise nothing happens).
    pub fn zero_pages(&self, addr: u64, len: u64) {
        if !addr.is_multiple_of(PAGE)
            || !len.is_multiple_of(PAGE)
            || addr >= SPACE_END
            || len > SPACE_END - addr
        {
            return;
        }
        // SAFETY: the range is inside the private anonymous mapping that backs the memory; MADV_DONTNEED on it
        // only replaces the pages with zero-fill-on-demand ones.
        let r = unsafe {
            libc::madvise(
                self.base.add(addr as usize).cast(),
                len as usize,
                libc::MADV_DONTNEED,
            )
        };
        if r != 0 {
            // Fall back to writing zeros (e.g. if the memory were ever file-backed).
            let _ = self.guest_mem().fill(addr, len, 0);
        }
    }
}

/// A host pointer to `len` bytes of guest memory, checked to lie inside the address space.
#[derive(Clone, Copy, Debug)]
pub struct HostBuf {
    ptr: *mut u8,
    len: usize,
}

impl HostBuf {
    /// `None` when `addr..addr + len` is not inside the address space.
    pub fn new(mem: &GuestMem, addr: u64, len: u64) -> Option<HostBuf> {
        let ptr = mem.host_ptr(addr, len).ok()?;
        Some(HostBuf {
            ptr,
            len: len as usize,
        })
    }

    pub fn len(&self) -> usize {
        self.len
    }

    /// The host address, for building host structures that point at guest memory (e.g. `iovec`).
    pub fn host_addr(&self) -> u64 {
        self.ptr as u64
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// An argument to a host system call.
#[derive(Debug)]
pub enum Arg<'a> {
    /// A plain integer (or a NULL pointer: `Int(0)`).
    Int(u64),
    /// A guest buffer the kernel may read or write, at most its checked length.
    Guest(HostBuf),
    /// A host buffer the kernel may write.
    Out(&'a mut [u8]),
    /// A host buffer the kernel reads.
    In(&'a [u8]),
    /// A NUL-terminated host string.
    Str(&'a CStr),
}

impl Arg<'_> {
    fn raw(&mut self) -> libc::c_long {
        match self {
            Arg::Int(v) => *v as libc::c_long,
            Arg::Guest(b) => b.ptr as libc::c_long,
            Arg::Out(b) => b.as_mut_ptr() as libc::c_long,
            Arg::In(b) => b.as_ptr() as libc::c_long,
            Arg::Str(s) => s.as_ptr() as libc::c_long,
        }
    }
}

/// Calls host system call `nr`. Returns the result or the positive errno.
///
/// Callers pass buffers only as [`Arg`]s whose length covers what the call may touch (the syscall layer computes
/// those lengths from the guest's arguments, exactly as the kernel would); integers are passed through.
pub fn syscall(nr: libc::c_long, args: &mut [Arg<'_>]) -> Result<u64, i32> {
    let a = raw_args(args);
    // SAFETY: every pointer argument is either a guest range checked by `HostBuf::new` (inside the 4 GiB region
    // that lives for the whole run) or a live host buffer/string borrowed for the duration of the call.
    let r = unsafe { libc::syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]) };
    if r < 0 {
        Err(std::io::Error::last_os_error()
            .raw_os_error()
            .unwrap_or(libc::EIO))
    } else {
        Ok(r as u64)
    }
}

/// The six raw syscall arguments of `args` (zero beyond them).
fn raw_args(args: &mut [Arg<'_>]) -> [libc::c_long; 6] {
    let mut a = [0 as libc::c_long; 6];
    for (slot, arg) in a.iter_mut().zip(args.iter_mut()) {
        *slot = arg.raw();
    }
    a
}

/// What [`syscall_unless_signalled`] returns for a call it did not make: the kernel's ERESTARTSYS, which no
/// syscall returns to user space.
pub const NOT_STARTED: i32 = 512;

// `elfrun_safe_syscall(pending, unblocked, nr, args) -> raw result`: loads the six arguments, then — from
// `_start` up to and including the `syscall` instruction — tests `*pending & unblocked` and makes the call only
// if it is zero; otherwise returns -NOT_STARTED. A host signal handler that interrupts the thread inside that
// window moves its pc to `_not_started` ([`rewind_unstarted`]), so a signal arriving after the test but before
// the kernel entered the call is not lost behind a blocking wait (QEMU's `safe_syscall` does the same). rbx is
// saved: it holds the mask across the argument loads; rcx and r11 are free (the `syscall` instruction
// clobbers them).
#[cfg(target_arch = "x86_64")]
std::arch::global_asm!(
    ".pushsection .text.elfrun_safe_syscall, \"ax\"",
    ".globl elfrun_safe_syscall",
    ".globl elfrun_safe_syscall_start",
    ".globl elfrun_safe_syscall_end",
    ".globl elfrun_safe_syscall_not_started",
    "elfrun_safe_syscall:",
    "    push rbx",
    "    mov r11, rdi",
    "    mov rbx, rsi",
    "    mov rax, rdx",
    "    mov rdi, [rcx]",
    "    mov rsi, [rcx + 8]",
    "    mov rdx, [rcx + 16]",
    "    mov r10, [rcx + 24]",
    "    mov r8, [rcx + 32]",
    "    mov r9, [rcx + 40]",
    "elfrun_safe_syscall_start:",
    "    mov rcx, [r11]",
    "    test rcx, rbx",
    "    jnz elfrun_safe_syscall_not_started",
    "    syscall",
    "elfrun_safe_syscall_end:",
    "    pop rbx",
    "    ret",
    "elfrun_safe_syscall_not_started:",
    "    mov rax, -512",
    "    pop rbx",
    "    ret",
    ".popsection",
);

#[cfg(target_arch = "x86_64")]
unsafe extern "C" {
    fn elfrun_safe_syscall(
        pending: *const u64,
        unblocked: u64,
        nr: libc::c_long,
        args: *const libc::c_long,
    ) -> libc::c_long;
    static elfrun_safe_syscall_start: u8;
    static elfrun_safe_syscall_end: u8;
    static elfrun_safe_syscall_not_started: u8;
}

/// A blocking host syscall that a host signal can always interrupt: made only if no signal of `unblocked` is
/// recorded in `pending` (the host handler's set) just before the kernel is entered, else
/// `Err(NOT_STARTED)` without making it. A signal arriving while the call waits interrupts it with EINTR as
/// any host call (the handler has no SA_RESTART).
pub fn syscall_unless_signalled(
    nr: libc::c_long,
    args: &mut [Arg<'_>],
    pending: &AtomicU64,
    unblocked: u64,
) -> Result<u64, i32> {
    // Other hosts have no trampoline: the test is made here, and a signal that arrives after it is left to
    // the next one, as before (see `rewind_unstarted`).
    #[cfg(not(target_arch = "x86_64"))]
    {
        if pending.load(std::sync::atomic::Ordering::Acquire) & unblocked != 0 {
            return Err(NOT_STARTED);
        }
        return syscall(nr, args);
    }
    #[cfg(target_arch = "x86_64")]
    {
        let a = raw_args(args);
        // SAFETY: as in `syscall`: every pointer argument is a checked guest range or a live host buffer;
        // `pending` is a live atomic (read with a plain load, as the handler on this thread writes it).
        let r = unsafe { elfrun_safe_syscall(pending.as_ptr(), unblocked, nr, a.as_ptr()) };
        if r < 0 { Err(-r as i32) } else { Ok(r as u64) }
    }
}

/// Other hosts have no trampoline: [`syscall_unless_signalled`] tests in Rust, and a signal that arrives after
/// that test is left to the next one, as before. Nothing to rewind.
///
/// # Safety
/// Nothing to uphold; `unsafe` as on x86-64.
#[cfg(not(target_arch = "x86_64"))]
pub unsafe fn rewind_unstarted(_ctx: *mut libc::c_void) {}

/// For a host signal handler: if the interrupted thread (`ctx`, its `ucontext_t`) was inside
/// [`syscall_unless_signalled`]'s window — tested, the kernel not yet entered — it resumes where the call
/// returns `NOT_STARTED` instead.
///
/// # Safety
/// `ctx` must be the context pointer the kernel passed to an SA_SIGINFO handler.
#[cfg(target_arch = "x86_64")]
pub unsafe fn rewind_unstarted(ctx: *mut libc::c_void) {
    if ctx.is_null() {
        return;
    }
    let uc = ctx.cast::<libc::ucontext_t>();
    // SAFETY: the caller passes the kernel's ucontext; the symbols are the trampoline's labels.
    unsafe {
        let pc = &mut (*uc).uc_mcontext.gregs[libc::REG_RIP as usize];
        let start = &raw const elfrun_safe_syscall_start as i64;
        let end = &raw const elfrun_safe_syscall_end as i64;
        if (start..end).contains(pc) {
            *pc = &raw const elfrun_safe_syscall_not_started as i64;
        }
    }
}

/// Nanoseconds of the host's CLOCK_MONOTONIC (the guest's CNTVCT_EL0 at 1 GHz).
pub fn monotonic_ns() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid out-pointer.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

/// Fills `buf` with random bytes from the host kernel.
pub fn random_bytes(buf: &mut [u8]) {
    let mut off = 0;
    while off < buf.len() {
        let rest = &mut buf[off..];
        // SAFETY: `rest` is a valid writable host buffer of the given length.
        let n = unsafe { libc::getrandom(rest.as_mut_ptr().cast(), rest.len(), 0) };
        if n <= 0 {
            break;
        }
        off += n as usize;
    }
}

/// The whole file at `path`, mapped read-only: the page cache's pages, without copying them into the process.
/// Only for files elfrun replaces by rename, never in place (bundles and compiled artifacts): a file truncated
/// in place while mapped would make reads past its new end fault (SIGBUS).
pub fn map_file(path: &std::path::Path) -> std::io::Result<memmap2::Mmap> {
    let file = std::fs::File::open(path)?;
    // SAFETY: see above: nothing elfrun does modifies these files in place; the mapping is read-only.
    unsafe { memmap2::Mmap::map(&file) }
}

/// The host process's command name (`/proc/self/comm`), NUL-padded (at most 15 bytes and a NUL).
pub fn host_comm() -> [u8; 16] {
    let mut name = [0u8; 16];
    // SAFETY: PR_GET_NAME writes at most 16 bytes into the buffer it is given.
    unsafe { libc::prctl(libc::PR_GET_NAME, name.as_mut_ptr()) };
    name[15] = 0;
    name
}

/// Sets the host process's command name (what `/proc/PID/comm`, `ps` and `pidof` see) to `name` up to its
/// first NUL, at most 15 bytes.
pub fn set_host_comm(name: &[u8; 16]) {
    let mut z = *name;
    z[15] = 0;
    // SAFETY: PR_SET_NAME reads a NUL-terminated string of at most 16 bytes; `z` ends with a NUL.
    unsafe { libc::prctl(libc::PR_SET_NAME, z.as_ptr()) };
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The engine keeps a module's memory base in a pinned register (vendor/README.md): after a call that ran
    /// another instance's function — an imported one, or one reached through a table — a function must read
    /// its own memory, not the one the callee pinned.
    #[test]
    fn calls_into_another_instance_leave_the_callers_memory_in_place() {
        let callee = r#"(module
            (memory 1 1)
            (data (i32.const 16) "\de\00\00\00")
            (func (export "get") (param i32) (result i32) (i32.load (local.get 0))))"#;
        let caller = r#"(module
            (import "b" "get" (func $get (param i32) (result i32)))
            (memory 1 1)
            (data (i32.const 16) "\6f\00\00\00")
            (table 1 funcref)
            (elem (i32.const 0) $get)
            (type $t (func (param i32) (result i32)))
            (func (export "direct") (result i32)
                (drop (call $get (i32.const 16)))
                (i32.load (i32.const 16)))
            (func (export "indirect") (result i32)
                (drop (call_indirect (type $t) (i32.const 16) (i32.const 0)))
                (i32.load (i32.const 16))))"#;
        let mut store = Store::new(engine());
        let b = wasmer::Module::new(&store, callee).unwrap();
        let b = wasmer::Instance::new(&mut store, &b, &wasmer::imports! {}).unwrap();
        let get = b.exports.get_function("get").unwrap().clone();
        let a = wasmer::Module::new(&store, caller).unwrap();
        let a = wasmer::Instance::new(
            &mut store,
            &a,
            &wasmer::imports! { "b" => { "get" => get } },
        )
        .unwrap();
        for name in ["direct", "indirect"] {
            let f: wasmer::TypedFunction<(), i32> =
                a.exports.get_typed_function(&store, name).unwrap();
            assert_eq!(f.call(&mut store).unwrap(), 0x6f, "{name}");
        }
    }

    /// Writes one byte to a fresh pipe through [`syscall_unless_signalled`]; returns its result and whether
    /// the byte arrived.
    fn write_one(pending: &AtomicU64, unblocked: u64) -> (Result<u64, i32>, bool) {
        let mut fds = [0; 2];
        // SAFETY: valid out-array for pipe2.
        assert_eq!(
            unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_NONBLOCK) },
            0
        );
        let byte = [7u8];
        let r = syscall_unless_signalled(
            libc::SYS_write,
            &mut [Arg::Int(fds[1] as u64), Arg::In(&byte), Arg::Int(1)],
            pending,
            unblocked,
        );
        let mut got = [0u8; 1];
        // SAFETY: valid buffer; the descriptors are ours and closed here.
        let n = unsafe { libc::read(fds[0], got.as_mut_ptr().cast(), 1) };
        unsafe {
            libc::close(fds[0]);
            libc::close(fds[1]);
        }
        (r, n == 1 && got == byte)
    }

    /// The call is made unless a signal the mask leaves unblocked is recorded; then it is not made at all.
    #[test]
    fn a_recorded_unblocked_signal_keeps_the_call_from_being_made() {
        let pending = AtomicU64::new(0);
        assert_eq!(write_one(&pending, u64::MAX), (Ok(1), true));
        pending.store(1 << 9, std::sync::atomic::Ordering::Relaxed); // SIGUSR1 recorded
        assert_eq!(
            write_one(&pending, !(1 << 9)),
            (Ok(1), true),
            "blocked: made"
        );
        assert_eq!(write_one(&pending, u64::MAX), (Err(NOT_STARTED), false));
    }

    /// A handler that interrupts the thread between the test and the kernel's entry sends it to the
    /// not-started return; before the window (argument loads) or after the call it leaves the pc alone.
    #[cfg(target_arch = "x86_64")]
    #[test]
    fn a_signal_inside_the_window_rewinds_to_not_started() {
        let start = &raw const elfrun_safe_syscall_start as i64;
        let end = &raw const elfrun_safe_syscall_end as i64;
        let not_started = &raw const elfrun_safe_syscall_not_started as i64;
        assert!(start < end && end < not_started);
        for (pc, want) in [
            (start, not_started),
            (end - 2, not_started), // the `syscall` instruction itself
            (end, end),
            (start - 4, start - 4),
        ] {
            // SAFETY: a zeroed ucontext_t is a valid value; only its pc is read and written.
            let mut uc: libc::ucontext_t = unsafe { std::mem::zeroed() };
            uc.uc_mcontext.gregs[libc::REG_RIP as usize] = pc;
            // SAFETY: a valid ucontext_t.
            unsafe { rewind_unstarted((&raw mut uc).cast()) };
            assert_eq!(
                uc.uc_mcontext.gregs[libc::REG_RIP as usize],
                want,
                "pc {pc:#x}"
            );
        }
    }
}
