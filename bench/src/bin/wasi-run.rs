//! `wasi-run`: runs a wasm32-wasi command module in wasmer with elfrun's own engine ([`elfrun::host::engine`]:
//! the same compiler, CPU features and memory settings as lifted bundles), for `elfrun-bench`'s from-source Wasm
//! column. Like elfrun's bundles, the compiled module is cached ahead of the timed runs.
//!
//! ```text
//! wasi-run [--compile] MODULE.wasm [ARGS...]
//! ```
//!
//! `--compile` only compiles MODULE into its cache file beside it (`MODULE.<key>.wasmer`, named and framed as
//! elfrun's artifact cache: the module's SHA-256, the engine and the CPU features in the key, a hash of the
//! payload checked before loading) and exits. A run loads the cache file when it is there and intact.
//!
//! WASI preview 1 is implemented only as far as the benchmark programs need it: arguments, writes to stdout and
//! stderr, `fd_fdstat_get`/`fd_seek`/`fd_close` on them, and `proc_exit`. Any other import makes instantiation
//! fail with wasmer's message naming it.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use elfrun::tier::artifact;
use sha2::{Digest, Sha256};
use wasmer::{
    Function, FunctionEnv, FunctionEnvMut, Instance, Memory, MemoryView, Module, RuntimeError,
    Store, imports,
};

/// WASI errno values used here.
const ESUCCESS: i32 = 0;
const EBADF: i32 = 8;
const EFAULT: i32 = 21;
const EIO: i32 = 29;
const ESPIPE: i32 = 70;

/// `proc_exit`'s status, carried out of the guest as the trap's payload.
#[derive(Debug)]
struct Exit(u32);

impl std::fmt::Display for Exit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "exit {}", self.0)
    }
}

impl std::error::Error for Exit {}

struct Wasi {
    memory: Option<Memory>,
    /// argv, each NUL-terminated.
    args: Vec<Vec<u8>>,
}

fn main() -> ExitCode {
    let mut argv: Vec<String> = std::env::args().skip(1).collect();
    let compile_only = argv.first().is_some_and(|a| a == "--compile");
    if compile_only {
        argv.remove(0);
    }
    let Some(path) = argv.first().map(PathBuf::from) else {
        eprintln!("usage: wasi-run [--compile] MODULE.wasm [ARGS...]");
        return ExitCode::from(2);
    };
    match run(&path, &argv, compile_only) {
        // As a Linux process's status: the low 8 bits.
        Ok(status) => ExitCode::from(status as u8),
        Err(e) => {
            eprintln!("wasi-run: {}: {e}", path.display());
            ExitCode::from(1)
        }
    }
}

fn run(path: &Path, argv: &[String], compile_only: bool) -> Result<u32, String> {
    let wasm = std::fs::read(path).map_err(|e| e.to_string())?;
    let mut store = Store::new(elfrun::host::engine());
    let module = load_or_compile(&store, path, &wasm)?;
    if compile_only {
        return Ok(0);
    }
    let args = argv
        .iter()
        .map(|a| {
            let mut b = a.clone().into_bytes();
            b.push(0);
            b
        })
        .collect();
    let env = FunctionEnv::new(&mut store, Wasi { memory: None, args });
    let imports = imports! {
        "wasi_snapshot_preview1" => {
            "args_sizes_get" => Function::new_typed_with_env(&mut store, &env, args_sizes_get),
            "args_get" => Function::new_typed_with_env(&mut store, &env, args_get),
            "fd_write" => Function::new_typed_with_env(&mut store, &env, fd_write),
            "fd_close" => Function::new_typed_with_env(&mut store, &env, fd_close),
            "fd_fdstat_get" => Function::new_typed_with_env(&mut store, &env, fd_fdstat_get),
            "fd_seek" => Function::new_typed_with_env(&mut store, &env, fd_seek),
            "proc_exit" => Function::new_typed_with_env(&mut store, &env, proc_exit),
        }
    };
    let instance = Instance::new(&mut store, &module, &imports).map_err(|e| e.to_string())?;
    let memory = instance
        .exports
        .get_memory("memory")
        .map_err(|e| e.to_string())?
        .clone();
    env.as_mut(&mut store).memory = Some(memory);
    let start = instance
        .exports
        .get_typed_function::<(), ()>(&store, "_start")
        .map_err(|e| e.to_string())?;
    let result = start.call(&mut store);
    std::io::stdout().flush().map_err(|e| e.to_string())?;
    match result {
        Ok(()) => Ok(0),
        Err(e) => match e.downcast::<Exit>() {
            Ok(Exit(status)) => Ok(status),
            Err(e) => Err(format!("trapped: {e}")),
        },
    }
}

/// The module from its cache file when that was made from these bytes by this engine on this CPU (elfrun's
/// artifact key, in the file name) and is intact (elfrun's artifact frame), else compiled and the file written.
fn load_or_compile(store: &Store, path: &Path, wasm: &[u8]) -> Result<Module, String> {
    let key = artifact::key(
        &Sha256::digest(wasm).into(),
        &store.engine().deterministic_id(),
    );
    let mut cache = path.as_os_str().to_owned();
    cache.push(format!(".{}.wasmer", &key[..16]));
    let cache = PathBuf::from(cache);
    if let Some(bytes) = artifact::read(&cache) {
        // SAFETY: the frame's hash checked that the file is byte for byte what `Module::serialize` wrote for
        // these module bytes with this engine and CPU (the key in its name).
        if let Ok(m) = unsafe { Module::deserialize_unchecked(store, bytes) } {
            return Ok(m);
        }
    }
    let module = Module::new(store, wasm).map_err(|e| e.to_string())?;
    if let Ok(ser) = module.serialize() {
        let _ = artifact::write(&cache, &ser);
    }
    Ok(module)
}

fn view<'a>(ctx: &'a FunctionEnvMut<'_, Wasi>) -> Option<MemoryView<'a>> {
    Some(ctx.data().memory.as_ref()?.view(ctx))
}

fn write_u32(v: &MemoryView<'_>, at: i32, x: u32) -> bool {
    v.write(at as u32 as u64, &x.to_le_bytes()).is_ok()
}

fn args_sizes_get(ctx: FunctionEnvMut<'_, Wasi>, argc_at: i32, size_at: i32) -> i32 {
    let (n, size) = (
        ctx.data().args.len() as u32,
        ctx.data().args.iter().map(Vec::len).sum::<usize>() as u32,
    );
    let Some(v) = view(&ctx) else { return EFAULT };
    if write_u32(&v, argc_at, n) && write_u32(&v, size_at, size) {
        ESUCCESS
    } else {
        EFAULT
    }
}

fn args_get(ctx: FunctionEnvMut<'_, Wasi>, argv_at: i32, buf_at: i32) -> i32 {
    let Some(v) = view(&ctx) else { return EFAULT };
    let mut at = buf_at as u32;
    for (i, a) in ctx.data().args.iter().enumerate() {
        if !write_u32(&v, argv_at + 4 * i as i32, at) || v.write(at as u64, a).is_err() {
            return EFAULT;
        }
        at += a.len() as u32;
    }
    ESUCCESS
}

fn fd_write(ctx: FunctionEnvMut<'_, Wasi>, fd: i32, iovs: i32, n: i32, written_at: i32) -> i32 {
    let Some(v) = view(&ctx) else { return EFAULT };
    let mut out: Box<dyn Write> = match fd {
        1 => Box::new(std::io::stdout().lock()),
        2 => Box::new(std::io::stderr().lock()),
        _ => return EBADF,
    };
    let mut total = 0u32;
    for i in 0..n.max(0) as u64 {
        let mut iov = [0u8; 8];
        if v.read(iovs as u32 as u64 + 8 * i, &mut iov).is_err() {
            return EFAULT;
        }
        let base = u32::from_le_bytes(iov[..4].try_into().unwrap());
        let len = u32::from_le_bytes(iov[4..].try_into().unwrap());
        let mut buf = vec![0u8; len as usize];
        if v.read(base as u64, &mut buf).is_err() {
            return EFAULT;
        }
        if out.write_all(&buf).is_err() {
            return EIO;
        }
        total += len;
    }
    if write_u32(&v, written_at, total) {
        ESUCCESS
    } else {
        EFAULT
    }
}

fn fd_close(_ctx: FunctionEnvMut<'_, Wasi>, fd: i32) -> i32 {
    if (0..=2).contains(&fd) {
        ESUCCESS
    } else {
        EBADF
    }
}

/// `fdstat`: filetype (u8; 2 = character device), flags (u16 at 2), rights base and inheriting (u64 at 8, 16).
fn fd_fdstat_get(ctx: FunctionEnvMut<'_, Wasi>, fd: i32, at: i32) -> i32 {
    if !(0..=2).contains(&fd) {
        return EBADF;
    }
    let Some(v) = view(&ctx) else { return EFAULT };
    let mut st = [0u8; 24];
    st[0] = 2;
    st[8..16].copy_from_slice(&u64::MAX.to_le_bytes());
    st[16..24].copy_from_slice(&u64::MAX.to_le_bytes());
    if v.write(at as u32 as u64, &st).is_ok() {
        ESUCCESS
    } else {
        EFAULT
    }
}

fn fd_seek(_ctx: FunctionEnvMut<'_, Wasi>, fd: i32, _off: i64, _whence: i32, _at: i32) -> i32 {
    if (0..=2).contains(&fd) { ESPIPE } else { EBADF }
}

fn proc_exit(_ctx: FunctionEnvMut<'_, Wasi>, status: i32) -> Result<(), RuntimeError> {
    Err(RuntimeError::user(Box::new(Exit(status as u32))))
}
