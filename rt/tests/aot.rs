//! The AOT tier on code that is hard to discover statically (`runtime_guest/hard.c`, stripped): run-time
//! computed function pointers, a jump table, a callback found only through data, and JIT code. It must run
//! correctly before any profile exists (interpreter, and a bundle built from static discovery alone), and after
//! one `--record` + `elfrun build` the interpreter must execute at most 0.1% of what an interpreter-only run
//! executes. Also: bad bundles are refused with a clear message, never used.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn dir() -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join("aot-tests");
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// An empty directory `name` of its own for one test (what an earlier run left there removed).
fn fresh_dir(name: &str) -> PathBuf {
    let d = dir().join(name);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// elfrun with a private cache directory (profiles, bundles, artifacts).
fn elfrun(args: &[&str]) -> Output {
    elfrun_cached(&dir().join("cache"), args)
}

/// elfrun with `cache` as its cache directory (a test's own: no profile or bundle of another test is picked up).
fn elfrun_cached(cache: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_elfrun"))
        .args(args)
        .env("XDG_CACHE_HOME", cache)
        .output()
        .unwrap()
}

/// Fails the test with the command's stderr unless it succeeded.
fn assert_success(o: &Output) {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

fn stats(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn hard() -> PathBuf {
    common::build("hard.c", &["-O2", "-s"])
}

/// One `--record` run of `bin ARG` (its stdout must be `want`) into a fresh `DIR/NAME.profile`, then
/// `elfrun build` of `DIR/NAME.bundle` from it.
fn record_and_build(bin: &Path, arg: &str, want: &[u8], d: &Path, name: &str) {
    let bin_s = bin.to_str().unwrap();
    let profile = d.join(format!("{name}.profile"));
    let profile = profile.to_str().unwrap();
    let _ = std::fs::remove_file(profile);
    let rec = elfrun(&["--record", "--profile", profile, bin_s, arg]);
    assert_eq!(rec.stdout, want);
    let bundle = d.join(format!("{name}.bundle"));
    let built = elfrun(&[
        "build",
        "-q",
        "--profile",
        profile,
        "-o",
        bundle.to_str().unwrap(),
        bin_s,
    ]);
    assert_success(&built);
}

#[test]
fn hard_to_discover_code_runs_first_time_and_is_covered_after_one_recording() {
    let bin = hard();
    let bin_s = bin.to_str().unwrap();
    let want = common::qemu(&[bin_s, "100000"], &[]);
    assert!(
        String::from_utf8_lossy(&want.stdout).contains("jit "),
        "reference run: {want:?}"
    );
    let d = dir();
    let s = |name: &str| d.join(name).to_str().unwrap().to_string();

    // First run: the interpreter only.
    let interp = elfrun(&[
        "--tier",
        "interp",
        "--stats-file",
        &s("interp.json"),
        bin_s,
        "100000",
    ]);
    assert_eq!(
        (interp.stdout.clone(), common::status(&interp)),
        (want.stdout.clone(), common::status(&want))
    );
    let interp_insns = stats(&d.join("interp.json"))["interp_instructions"]
        .as_u64()
        .unwrap();

    // A bundle from static discovery alone (no profile): correct, with what it misses left to the interpreter.
    let built = elfrun(&["build", "-q", "-o", &s("static.bundle"), bin_s]);
    assert_success(&built);
    let first = elfrun(&[
        "--tier",
        "aot",
        "--bundle",
        &s("static.bundle"),
        "--stats-file",
        &s("static.json"),
        bin_s,
        "100000",
    ]);
    assert_eq!(
        (first.stdout.clone(), common::status(&first)),
        (want.stdout.clone(), common::status(&want))
    );
    let st = stats(&d.join("static.json"));
    assert_eq!(st["tier"], "aot");
    assert!(
        st["aot_misses"].as_u64().unwrap() > 0,
        "static discovery cannot have found everything: {st}"
    );

    // Record once, build, run: the interpreter's share must be at most 0.1%.
    record_and_build(&bin, "100000", &want.stdout, &d, "hard");
    let second = elfrun(&[
        "--tier",
        "aot",
        "--bundle",
        &s("hard.bundle"),
        "--stats-file",
        &s("aot.json"),
        bin_s,
        "100000",
    ]);
    assert_eq!(
        (second.stdout.clone(), common::status(&second)),
        (want.stdout.clone(), common::status(&want))
    );
    let st = stats(&d.join("aot.json"));
    let left = st["interp_instructions"].as_u64().unwrap();
    assert!(
        left * 1000 <= interp_insns,
        "after recording, the interpreter still ran {left} of {interp_insns} instructions: {st}"
    );
}

/// Static discovery alone (`elfrun build --scope all`, no profile) covers the hard program's jump table and its
/// callback reachable only through a pointer in data: the bundle has a block for every case and an entry at the
/// callback, the interpreter runs under 1% of an interpreter-only run (before `.eh_frame` FDEs, data words and
/// jump-table recovery it ran about a quarter), and `--lockstep` finds the lifted code in agreement.
#[test]
fn static_discovery_covers_the_jump_table_and_the_data_callback() {
    use object::{Object, ObjectSymbol};
    let d = dir().join("static");
    std::fs::create_dir_all(&d).unwrap();
    let s = |name: &str| d.join(name).to_str().unwrap().to_string();
    // A private cache: no profile of the program from another test can be picked up.
    let run = |args: &[&str]| elfrun_cached(&d.join("cache"), args);
    let bin = hard();
    let bin_s = bin.to_str().unwrap();
    // The same program with its symbols (the same code at the same addresses) says where things are.
    let named = std::fs::read(common::build_as("hard.c", "hard-symbols", &["-O2"])).unwrap();
    let file = object::File::parse(&*named).unwrap();
    let sym = |name: &str| {
        let s = file
            .symbols()
            .find(|s| s.name() == Ok(name))
            .unwrap_or_else(|| panic!("no symbol {name}"));
        (s.address(), s.size())
    };

    let built = run(&["build", "--scope", "all", "-o", &s("static.bundle"), bin_s]);
    let summary = String::from_utf8_lossy(&built.stderr).to_string();
    assert!(built.status.success(), "{summary}");
    assert!(
        summary.contains("discovery: roots") && summary.contains("eh_frame"),
        "{summary}"
    );
    let bundle =
        elfrun_aot::Bundle::decode(&std::fs::read(d.join("static.bundle")).unwrap()).unwrap();
    let entries: std::collections::BTreeSet<u64> = bundle.entries.iter().map(|e| e.pc).collect();
    let (cb, _) = sym("plugin_cb");
    assert!(entries.contains(&cb), "plugin_cb is not lifted: {summary}");
    // by_switch: the head, the default and the dispatch, and one block per case (11 table entries).
    let (sw, size) = sym("by_switch");
    let blocks = entries.range(sw..sw + size).count();
    assert!(
        blocks >= 12,
        "by_switch has {blocks} blocks: its jump table was not followed ({summary})"
    );

    let want = common::qemu(&[bin_s, "20000"], &[]);
    let interp = run(&[
        "--tier",
        "interp",
        "--stats-file",
        &s("interp.json"),
        bin_s,
        "20000",
    ]);
    assert_eq!(interp.stdout, want.stdout);
    let all = stats(&d.join("interp.json"))["interp_instructions"]
        .as_u64()
        .unwrap();
    let aot = run(&[
        "--tier",
        "aot",
        "--bundle",
        &s("static.bundle"),
        "--stats-file",
        &s("aot.json"),
        bin_s,
        "20000",
    ]);
    assert_eq!(
        (aot.stdout.clone(), common::status(&aot)),
        (want.stdout.clone(), common::status(&want))
    );
    let st = stats(&d.join("aot.json"));
    let left = st["interp_instructions"].as_u64().unwrap();
    assert!(
        left * 100 < all,
        "the interpreter still ran {left} of {all} instructions: {st}"
    );

    let checked = run(&[
        "--lockstep",
        "--bundle",
        &s("static.bundle"),
        "--stats-file",
        &s("lockstep.json"),
        bin_s,
        "3000",
    ]);
    let want = common::qemu(&[bin_s, "3000"], &[]);
    assert_eq!(
        (checked.stdout.clone(), common::status(&checked)),
        (want.stdout.clone(), common::status(&want)),
        "{}",
        String::from_utf8_lossy(&checked.stderr)
    );
}

/// A jump table recovered statically is lowered exactly: `jumptable.S` rewrites its (writable) table while
/// running so the BR goes to an address between the recovered targets that is none of them. The lifted
/// `br_table` must send that address to the runtime (the interpreter runs those few instructions) and every
/// recovered case to its lifted block; `--lockstep` agrees.
#[test]
fn a_recovered_jump_table_is_exact_when_the_table_changes_at_run_time() {
    let d = dir().join("jumptable");
    std::fs::create_dir_all(&d).unwrap();
    let s = |name: &str| d.join(name).to_str().unwrap().to_string();
    let run = |args: &[&str]| elfrun_cached(&d.join("cache"), args);
    let bin = common::build("jumptable.S", &["-nostdlib"]);
    let bin_s = bin.to_str().unwrap();
    let want = common::qemu(&[bin_s], &[]);
    assert_eq!(common::status(&want), 198);
    let built = run(&["build", "--scope", "all", "-o", &s("jt.bundle"), bin_s]);
    let summary = String::from_utf8_lossy(&built.stderr).to_string();
    assert!(built.status.success(), "{summary}");
    assert!(summary.contains("jump tables 1 (4 targets)"), "{summary}");
    let aot = run(&[
        "--tier",
        "aot",
        "--bundle",
        &s("jt.bundle"),
        "--stats-file",
        &s("jt.json"),
        bin_s,
    ]);
    assert_eq!(common::status(&aot), 198);
    // `odd` (add, ret) twice in the interpreter; every case ran lifted.
    let st = stats(&d.join("jt.json"));
    let left = st["interp_instructions"].as_u64().unwrap();
    assert!((1..=8).contains(&left), "{st}");
    let checked = run(&["--lockstep", "--bundle", &s("jt.bundle"), bin_s]);
    assert_eq!(
        common::status(&checked),
        198,
        "{}",
        String::from_utf8_lossy(&checked.stderr)
    );
}

/// The structured layout of lifted functions (loop nodes, `aot/src/lift/mod.rs`) on every way into a loop:
/// `runtime_guest/loops.S` has nested loops with a syscall in the outer body and budget exits inside the inner
/// one (the runtime re-enters the function at a block inside a loop), a loop entered in its middle, and two
/// loops overlapping only partly. Lifted, all of it runs without the interpreter and matches qemu; lockstep
/// agrees.
#[test]
fn structured_loops_are_entered_correctly_everywhere() {
    let (want, st, _) = lifted_matches_qemu("loops");
    assert_eq!(want.stdout, b"....");
    // Entries: the start, one after each of the 5 syscalls, and after budget exits (300,000 inner back edges).
    let (entries, syscalls) = (
        st["aot_entries"].as_u64().unwrap(),
        st["syscalls"].as_u64().unwrap(),
    );
    assert!(entries >= syscalls + 2, "no budget exit: {st}");
}

/// `elfrun build --scope all` of `bin` into `bundle`, then a run in lifted code writing its statistics to `json`;
/// `cache` is the cache directory (profile, artifacts) of both.
fn build_all_and_run_aot(cache: &Path, bundle: &str, json: &str, bin: &str) -> Output {
    assert_success(&elfrun_cached(
        cache,
        &["build", "-q", "--scope", "all", "-o", bundle, bin],
    ));
    elfrun_cached(
        cache,
        &[
            "--tier",
            "aot",
            "--bundle",
            bundle,
            "--stats-file",
            json,
            bin,
        ],
    )
}

/// Builds `runtime_guest/{name}.S` (no libc), lifts everything static discovery finds (`--scope all`), runs
/// it in lifted code and under `--lockstep`, and checks output and status against qemu's and that no
/// instruction was interpreted. Returns qemu's output and the AOT run's `--stats-file`.
fn lifted_matches_qemu(name: &str) -> (Output, serde_json::Value, PathBuf) {
    let d = fresh_dir(name);
    let s = |file: &str| d.join(file).to_str().unwrap().to_string();
    let run = |args: &[&str]| elfrun_cached(&d.join("cache"), args);
    let bin = common::build(&format!("{name}.S"), &["-nostdlib"]);
    let bin_s = bin.to_str().unwrap();
    let want = common::qemu(&[bin_s], &[]);
    let (bundle, json) = (s("b.bundle"), s("stats.json"));
    let aot = build_all_and_run_aot(&d.join("cache"), &bundle, &json, bin_s);
    assert_eq!(aot.stdout, want.stdout);
    assert_eq!(common::status(&aot), common::status(&want));
    let st = stats(Path::new(&json));
    assert_eq!(st["interp_instructions"].as_u64(), Some(0), "{st}");
    let checked = run(&["--lockstep", "--bundle", &bundle, bin_s]);
    assert_eq!(
        common::status(&checked),
        common::status(&want),
        "{}",
        String::from_utf8_lossy(&checked.stderr)
    );
    (want, st, bin)
}

/// Calls between lifted functions move only the registers the callee (with everything it calls or continues in)
/// may read or write (`Summary` in aot/src/lift/mod.rs): calls.S keeps values in registers across calls that
/// do not touch them while a callee makes a syscall and runs into budget exits, and passes registers, flags and
/// a V register through two levels of calls, a recursion and a tail call.
#[test]
fn calls_move_the_registers_the_callees_use() {
    let (want, st, _) = lifted_matches_qemu("calls");
    assert_eq!(want.stdout, b"ok\n");
    assert!(
        st["aot_entries"].as_u64().unwrap() > st["syscalls"].as_u64().unwrap() + 2,
        "no budget exit: {st}"
    );
}

/// Conditions at the start of a block inside a loop, on flags of every lazily kept kind (flags_loop.S): lifted
/// code materialises NZCV there with the `nzcv` helper's code inlined.
#[test]
fn flags_read_at_block_starts_inside_loops() {
    lifted_matches_qemu("flags_loop");
}

/// Exits of lifted code leave registers dead where the runtime continues undefined (aot/src/lift/live.rs;
/// dead_at_exits.S): with fuel running out at the back edges of loops whose header reads the flags and a
/// register the previous iteration set, and writes another before reading it, registers and flags after the
/// loops match qemu's, also under `--lockstep` (which does not compare the registers an exit left undefined).
#[test]
fn registers_dead_at_exits_are_left_undefined_only_there() {
    let (_, st, _) = lifted_matches_qemu("dead_at_exits");
    assert!(
        st["aot_entries"].as_u64().unwrap() > 5,
        "no budget exits: {st}"
    );
}

/// Functions return with their flags lazy (the comparison that set them, aot/src/abi.rs `FLAGS_KIND_ADDR`;
/// lazy_flags.S): callers read NZCV, C and a condition after CMP, TST (64 and 32 bits) and ADDS in leaves called
/// directly and through a register, and after a system call between the return and the reads, where the runtime
/// gets the flags lazy; the checksum of every read matches qemu's, also under `--lockstep`.
#[test]
fn flags_returned_lazily_are_the_comparisons_flags() {
    let (want, st, _) = lifted_matches_qemu("lazy_flags");
    assert_eq!(want.stdout.len(), 8);
    assert!(st["syscalls"].as_u64().unwrap() >= 160, "{st}");
}

/// The CPU state lives in the null-pointer guard while lifted code runs (aot/src/abi.rs `STATE_ADDR`): a guest
/// store to its pc slot and a load from its start fault in lifted code as under qemu (SIGSEGV), with the
/// faulting address reported (null_guard.S).
#[test]
fn accesses_to_the_null_guard_where_the_state_lives_fault() {
    let (want, _, bin) = lifted_matches_qemu("null_guard");
    assert_eq!(want.stdout, b"ok\n");
    let d = dir().join("null_guard");
    let bin_s = bin.to_str().unwrap();
    let bundle = d.join("b.bundle");
    for (arg, addr) in [("store", "0x8100"), ("load", "0x8000")] {
        let want = common::qemu(&[bin_s, arg], &[]);
        assert_eq!(common::status(&want), 139, "qemu {arg}: {want:?}");
        let got = elfrun_cached(
            &d.join("cache"),
            &[
                "--tier",
                "aot",
                "--bundle",
                bundle.to_str().unwrap(),
                bin_s,
                arg,
            ],
        );
        let stderr = String::from_utf8_lossy(&got.stderr);
        assert_eq!(common::status(&got), 139, "{arg}: {stderr}");
        assert!(
            stderr.contains(&format!("address {addr}")),
            "{arg}: {stderr}"
        );
        assert!(got.stdout.is_empty(), "{arg}");
    }
}

/// Register values, address arithmetic and bounds checks are reused within a block (same_address.S: one address
/// read and written, narrow then wide, writeback, a register reloaded or moved between accesses, a call in
/// between; accesses near one base covered by one check's window); with an argument the program then faults on
/// an address whose register was rewritten after a check, and with two on an access past 4 GiB through a base
/// whose window would reach there, as under qemu (SIGSEGV).
#[test]
fn accesses_to_one_address_reuse_its_check_and_fault_when_it_changes() {
    let (_, _, bin) = lifted_matches_qemu("same_address");
    let d = dir().join("same_address");
    let bin_s = bin.to_str().unwrap();
    let bundle = d.join("b.bundle");
    for args in [&["fault"][..], &["fault", "window"][..]] {
        let want = common::qemu(&[&[bin_s][..], args].concat(), &[]);
        assert_eq!(common::status(&want), 139, "qemu {args:?}: {want:?}");
        let got = elfrun_cached(
            &d.join("cache"),
            &[
                &["--tier", "aot", "--bundle", bundle.to_str().unwrap(), bin_s][..],
                args,
            ]
            .concat(),
        );
        assert_eq!(
            common::status(&got),
            common::status(&want),
            "{args:?}: {}",
            String::from_utf8_lossy(&got.stderr)
        );
        assert_eq!(got.stdout, want.stdout, "{args:?}");
    }
}

/// Float loops also run as SIMD128 vectors in front of their scalar loops (aot/src/lift/vector.rs;
/// vector_loops.S): f32 and f64 multiply-adds, a remainder for the scalar loop and a loop the vectors finish,
/// a load after a store through one base, a register limit on either side of the compare, a loop whose bases
/// are 4 bytes apart (a true dependence: scalar), and loops of guest SIMD operations on whole vectors (groups
/// of four iterations; a multiply-add giving an exact zero sends its group back to the scalar loop, a
/// product's exact zeros do not), among them in-order dot products. Arrays, V registers, NZCV and FPSR after
/// each loop match qemu's, also under `--lockstep`; with `special` an underflowing product, ∞ − ∞ and a sum
/// that overflows are left to the scalar loop's slow paths (UFC, IOC, the default NaN, OFC), and with `fault`
/// (a loop of scalars) and `vfault` (of whole vectors) a read crossing the 4 GiB end of guest memory dies of
/// SIGSEGV as under qemu.
#[test]
fn float_loops_run_as_vectors_exactly() {
    let fused = std::fs::read_to_string("/proc/cpuinfo").is_ok_and(|c| c.contains(" fma "))
        && std::env::var("ELFRUN_FMA").as_deref() != Ok("0");
    // Without FMA3 the scalar FMLS's exact emulation declines a few lanes (slow paths in a loop hand back to
    // the interpreter), so only with it does nothing run in the interpreter.
    let (bin, runs): (_, &[&[&str]]) = if fused {
        let (_, _, bin) = lifted_matches_qemu("vector_loops");
        (bin, &[&["special"], &["fault"], &["vfault"]])
    } else {
        fresh_dir("vector_loops");
        let bin = common::build("vector_loops.S", &["-nostdlib"]);
        (bin, &[&[], &["special"], &["fault"], &["vfault"]])
    };
    let d = dir().join("vector_loops");
    let bin_s = bin.to_str().unwrap();
    let bundle = d.join("b.bundle");
    let bundle_s = bundle.to_str().unwrap();
    // Every loop but the fill loop is vectorised, the SIMD loops 7 and 8 as groups of whole vectors; without
    // fused multiply-adds only the one that has none.
    let built = elfrun_cached(
        &d.join("cache"),
        &["build", "--scope", "all", "-o", bundle_s, bin_s],
    );
    assert_success(&built);
    let summary = String::from_utf8_lossy(&built.stderr);
    let want_loops = if fused { 10 } else { 3 };
    assert!(
        summary.contains(&format!(" {want_loops} loops vectorised")),
        "{summary}"
    );
    for &args in runs {
        let want = common::qemu(&[&[bin_s][..], args].concat(), &[]);
        for tier in [&["--tier", "aot"][..], &["--lockstep"][..]] {
            let got = elfrun_cached(
                &d.join("cache"),
                &[tier, &["--bundle", bundle_s, bin_s][..], args].concat(),
            );
            assert_eq!(
                common::status(&got),
                common::status(&want),
                "{tier:?} {args:?}: {}",
                String::from_utf8_lossy(&got.stderr)
            );
            assert_eq!(got.stdout, want.stdout, "{tier:?} {args:?}");
        }
    }
    for fault in ["fault", "vfault"] {
        assert_eq!(common::status(&common::qemu(&[bin_s, fault], &[])), 139);
    }
}

/// Calls to tiny leaf functions are inlined at their call sites (`inline_leaf` in aot/src/lift/mod.rs;
/// inline_leaf.S): a comparison whose result and flags the caller uses, one that moves SP, a floating-point
/// one, one that rewrites X30 and so returns elsewhere, and two behind one BLR (inlined when profiled), the
/// second reading the caller's flags; with an argument the comparison faults inside the inlined code (SIGSEGV
/// as under qemu).
#[test]
fn tiny_leaf_functions_are_inlined_where_they_are_called() {
    let (want, _, bin) = lifted_matches_qemu("inline_leaf");
    let d = dir().join("inline_leaf");
    let bin_s = bin.to_str().unwrap();
    let bundle = d.join("b.bundle");
    let bundle_s = bundle.to_str().unwrap();
    // With a profile the BLR's two leaves are known targets, inlined one after the other; the second reads the
    // caller's flags, which the first one's inlined compare must not stand in for.
    let cache = d.join("profiled");
    let profiled = d.join("p.bundle");
    let profiled_s = profiled.to_str().unwrap();
    assert_eq!(
        elfrun_cached(&cache, &["--record", bin_s]).stdout,
        want.stdout
    );
    assert_success(&elfrun_cached(&cache, &["build", "-o", profiled_s, bin_s]));
    for tier in [&["--tier", "aot"][..], &["--lockstep"][..]] {
        let got = elfrun_cached(
            &cache,
            &[tier, &["--bundle", profiled_s, bin_s][..]].concat(),
        );
        assert_eq!(
            got.stdout,
            want.stdout,
            "{tier:?}: {}",
            String::from_utf8_lossy(&got.stderr)
        );
    }
    dies_of_sigsegv_with_fault(&d.join("cache"), bundle_s, bin_s);
}

/// A hot loop of one block gets a lifted function of its own in a profiled build (`outline` in aot/src/lib.rs;
/// outlined_loop.S), and so does the loop of passes around it (several blocks, long per entry): its output,
/// under `--lockstep` too, matches qemu's while fuel runs out inside the loop (the runtime enters the loop's
/// function, which continues in the one around it), and a fault inside it is SIGSEGV as under qemu.
#[test]
fn hot_one_block_loops_run_as_functions_of_their_own() {
    outlined_matches_qemu("outlined_loop", 2);
}

/// A hot loop nest gets a lifted function of its own, which calls its outlined inner loop (outlined_nest.S):
/// its header is not its first block, it is entered twice, and it leaves by its second exit; output and
/// registers as qemu's, in lifted code and under `--lockstep`, with fuel running out inside; a fault in the
/// inner loop is SIGSEGV. (With the header taken for the function's first block, the pass loop went wrong.)
#[test]
fn hot_loop_nests_run_as_functions_of_their_own() {
    outlined_matches_qemu("outlined_nest", 2);
}

/// [`profiled_bundle_matches_qemu`] for a program whose profile outlines `outlined` loops, which must leave
/// on budget exits.
fn outlined_matches_qemu(name: &str, outlined: u32) {
    let st = profiled_bundle_matches_qemu(name, &format!(", {outlined} outlined, "));
    // Entered at the start, after the `write` and after each budget exit: at least two of those.
    assert!(
        st["aot_entries"].as_u64().unwrap() >= 4,
        "no budget exits: {st}"
    );
}

/// A call through a PLT-like stub runs the stub's code at the call site and calls its BR's profiled target
/// directly, and a jump to another function's entry is a tail call that returns what the callee returns
/// (`Lift::inline_stub`, `Lift::call_lifted`; tail_calls.S): chains of up to 499 such jumps, past the nesting
/// limit of Wasm calls, a stub whose slot then holds a target it never had while profiled, and a leaf reached by
/// a jump give qemu's output in lifted code and in lockstep, and the unprofiled target's fault is a SIGSEGV.
#[test]
fn stubs_and_tail_calls_call_their_targets_directly() {
    profiled_bundle_matches_qemu("tail_calls", ": 6 functions, ");
}

/// A hot loop of one block running a few iterations per entry is peeled where the code before it falls in
/// (aot/src/lib.rs, `peel`): passes that run fewer iterations than the copies, as many, and more (which go on
/// in the loop itself) give qemu's output, in lifted code and in lockstep with the interpreter, and a fault in
/// the second copy is a SIGSEGV.
#[test]
fn short_loops_are_peeled_where_they_are_fallen_into() {
    profiled_bundle_matches_qemu("peeled_loop", ", 1 peeled, ");
}

/// A hot loop of one block running many iterations per entry runs four copies of its block per back edge
/// (aot/src/lib.rs, `unroll`): passes of 1 to 9 iterations, leaving from every copy, and one of 600,000, give
/// qemu's output in lifted code and in lockstep with the interpreter; the long pass runs out of fuel inside
/// the loop once per four iterations' worth (2 budget exits; paying per iteration it would be 9), and a fault
/// in the third copy is a SIGSEGV.
#[test]
fn long_loops_of_one_block_pay_fuel_once_per_four_iterations() {
    let st = profiled_bundle_matches_qemu("unrolled_loop", ", 1 unrolled)");
    // Entered at the start, after each budget exit and after the `write`.
    let entries = st["aot_entries"].as_u64().unwrap();
    assert!((3..=5).contains(&entries), "{entries} entries");
}

/// A hot innermost loop of several blocks (16 instructions) is lifted four times per back edge (`unroll`,
/// `Lift::emit_copies`): passes of 1 to 11 iterations, two paths through the loop, a system call inside it (the
/// runtime enters the loop's middle afterwards, through its dispatch), an exit from its middle, fuel running
/// out inside, and a fault in the second copy, as under qemu, in lifted code and in lockstep.
#[test]
fn innermost_loops_of_several_blocks_run_four_times_per_back_edge() {
    let st = profiled_bundle_matches_qemu("unrolled_blocks", ", 1 unrolled)");
    assert_eq!(st["interp_instructions"].as_u64(), Some(0), "{st}");
}

/// Records `runtime_guest/{name}.S`, builds its bundle from the profile (whose summary must contain `shape`),
/// checks the AOT run and `--lockstep` against qemu and a fault with an argument; returns the AOT run's
/// statistics.
fn profiled_bundle_matches_qemu(name: &str, shape: &str) -> serde_json::Value {
    let d = fresh_dir(name);
    let bin = common::build(&format!("{name}.S"), &["-nostdlib"]);
    let bin_s = bin.to_str().unwrap();
    let cache = d.join("cache");
    let (bundle, json) = (d.join("b.bundle"), d.join("stats.json"));
    let (bundle_s, json_s) = (bundle.to_str().unwrap(), json.to_str().unwrap());
    let want = common::qemu(&[bin_s], &[]);
    assert_eq!(common::status(&want), 0);
    let recorded = elfrun_cached(&cache, &["--record", bin_s]);
    assert_eq!(recorded.stdout, want.stdout);
    let built = elfrun_cached(&cache, &["build", "-o", bundle_s, bin_s]);
    assert_success(&built);
    let summary = String::from_utf8_lossy(&built.stderr);
    assert!(summary.contains(shape), "{summary}");
    let args = [
        "--tier",
        "aot",
        "--bundle",
        bundle_s,
        "--stats-file",
        json_s,
        bin_s,
    ];
    let got = elfrun_cached(&cache, &args);
    assert_eq!(got.stdout, want.stdout);
    assert_eq!(common::status(&got), 0);
    let checked = elfrun_cached(&cache, &["--lockstep", "--bundle", bundle_s, bin_s]);
    assert_eq!(
        checked.stdout,
        want.stdout,
        "{}",
        String::from_utf8_lossy(&checked.stderr)
    );
    assert_eq!(common::status(&checked), 0);
    dies_of_sigsegv_with_fault(&cache, bundle_s, bin_s);
    stats(&json)
}

/// CCMP/CCMN's flags, which lifted code keeps lazily (`Sem::select_nzcv`), read every way after every
/// condition with several immediates and operands (`ccmp_flags.S`): lifted code gives qemu's output with nothing
/// interpreted, and agrees with the interpreter in lockstep (`lifted_matches_qemu`). The program is one function of 13,000 instructions in 2,700 blocks, more values than a
/// Wasm function may have locals unless blocks reuse them (`Lift::reuse_temps`).
#[test]
fn conditional_compares_set_the_flags_every_reader_sees() {
    let (want, _, _) = lifted_matches_qemu("ccmp_flags");
    assert_eq!(common::status(&want), 0);
    assert_eq!(want.stdout.len(), 48);
}

/// Conditions after FCMP/FCMPE are one comparison of the floats in lifted code (`fp::fcmp_cond`; the helper's
/// NZCV becomes stand-in floats): every condition read by CSET, FCSEL, B.cond, at the next block and by MRS,
/// double and single, over ordered, ±0, infinite, denormal and NaN operands, with FPSR.IXC clear and set and with
/// FPCR.FZ (`fcmp_flags.S`): qemu's output with nothing interpreted, and the interpreter's state in lockstep.
#[test]
fn float_comparisons_give_every_condition_as_qemu() {
    let (want, _, _) = lifted_matches_qemu("fcmp_flags");
    assert_eq!(common::status(&want), 0);
    assert_eq!(want.stdout.len(), 24);
}

/// A block too big for a Wasm function's locals (`big_block.S`, 60,000 instructions without a branch) does
/// not fail the build: lifted code runs what fits, the interpreter the rest, and the output is qemu's.
#[test]
fn a_block_beyond_the_wasm_locals_limit_ends_in_the_interpreter() {
    let d = fresh_dir("big_block");
    let s = |file: &str| d.join(file).to_str().unwrap().to_string();
    let bin = common::build("big_block.S", &["-nostdlib"]);
    let bin_s = bin.to_str().unwrap();
    let want = common::qemu(&[bin_s], &[]);
    assert_eq!(common::status(&want), 0);
    let (bundle, json) = (s("b.bundle"), s("stats.json"));
    let got = build_all_and_run_aot(&d.join("cache"), &bundle, &json, bin_s);
    assert_eq!(got.stdout, want.stdout);
    assert_eq!(common::status(&got), 0);
    let st = stats(Path::new(&json));
    let interpreted = st["interp_instructions"].as_u64().unwrap();
    assert!(
        (1000..60_000).contains(&interpreted),
        "the block's end in the interpreter: {st}"
    );
}

/// `bin fault` dies of SIGSEGV under qemu, and so in lifted code from `bundle` and under `--lockstep`.
fn dies_of_sigsegv_with_fault(cache: &Path, bundle: &str, bin: &str) {
    assert_eq!(common::status(&common::qemu(&[bin, "fault"], &[])), 139);
    for tier in [&["--tier", "aot"][..], &["--lockstep"][..]] {
        let got = elfrun_cached(
            cache,
            &[tier, &["--bundle", bundle, bin, "fault"][..]].concat(),
        );
        assert_eq!(
            common::status(&got),
            139,
            "{tier:?}: {}",
            String::from_utf8_lossy(&got.stderr)
        );
    }
}

/// A floating-point slow path inside a loop leaves for the interpreter (instead of a helper call, which would
/// make Cranelift reload the memory base before every access of the loop); the run records the pc as an AOT
/// miss, and the next build calls the helper there. fp_slow_loop.S takes the slow path 1,000 times: once the pc
/// is hot the runtime interprets a longer stretch instead of handing back per iteration.
#[test]
fn fp_slow_paths_in_loops_hand_back_once_then_call_the_helper() {
    let d = fresh_dir("fp_slow_loop");
    let s = |name: &str| d.join(name).to_str().unwrap().to_string();
    let bin = common::build("fp_slow_loop.S", &["-nostdlib"]);
    let bin_s = bin.to_str().unwrap();
    let want = common::qemu(&[bin_s], &[]);
    let mut fallbacks = Vec::new();
    for round in ["1", "2"] {
        let (bundle, json) = (s(&format!("b{round}.bundle")), s(&format!("s{round}.json")));
        let aot = build_all_and_run_aot(&d.join("cache"), &bundle, &json, bin_s);
        assert_eq!(common::status(&aot), common::status(&want), "round {round}");
        fallbacks.push(stats(Path::new(&json))["aot_fallbacks"].as_u64().unwrap());
    }
    // Round 1 hands back until the pc is hot, then the interpreter runs the rest of the loop in one stretch
    // (`HOT_FALLBACK` in rt/src/guest.rs); round 2 calls the helper.
    assert!((1..1000).contains(&fallbacks[0]), "{fallbacks:?}");
    assert_eq!(fallbacks[1], 0);
}

/// `--tier auto` checks the bundle when the program starts but loads it only once the guest has run long enough
/// (`elfrun::tier::load_after`: at least `MIN_LOAD_AFTER` instructions, more for a bigger compiled bundle): a
/// short run stays in the interpreter, a long one moves to lifted code midway; both are right.
#[test]
fn auto_loads_the_bundle_only_for_long_runs() {
    let bin = hard();
    let bin_s = bin.to_str().unwrap();
    let d = dir().join("deferred");
    std::fs::create_dir_all(&d).unwrap();
    let s = |name: &str| d.join(name).to_str().unwrap().to_string();
    let built = elfrun(&["build", "-q", "-o", &s("static.bundle"), bin_s]);
    assert_success(&built);
    // `hard 100` runs ~30 thousand instructions, `hard 1000000` ~50 million.
    for (arg, tier) in [("100", "interp"), ("1000000", "aot")] {
        let want = common::qemu(&[bin_s, arg], &[]);
        let json = s(&format!("auto-{arg}.json"));
        let got = elfrun(&[
            "--bundle",
            &s("static.bundle"),
            "--stats-file",
            &json,
            bin_s,
            arg,
        ]);
        assert_eq!(
            (got.stdout.clone(), common::status(&got)),
            (want.stdout.clone(), common::status(&want)),
            "hard {arg}"
        );
        let st = stats(Path::new(&json));
        assert_eq!(st["tier"], tier, "hard {arg}: {st}");
        if tier == "aot" {
            let interp = st["interp_instructions"].as_u64().unwrap();
            assert!(interp >= elfrun::tier::MIN_LOAD_AFTER, "{st}");
        }
    }
}

/// A damaged bundle, one for another binary, or a damaged artifact: refused or rebuilt, never used.
#[test]
fn bad_bundles_are_refused_and_bad_artifacts_recompiled() {
    let bin = common::build("fnptr.c", &["-O2"]);
    let other = hard();
    let (bin_s, other_s) = (bin.to_str().unwrap(), other.to_str().unwrap());
    let want = common::qemu(&[bin_s], &[]);
    let d = dir().join("bad");
    std::fs::create_dir_all(&d).unwrap();
    let s = |name: &str| d.join(name).to_str().unwrap().to_string();
    let cache = d.join("cache");
    let run = |args: &[&str]| elfrun_cached(&cache, args);
    assert!(
        run(&["build", "-q", "-o", &s("good.bundle"), bin_s])
            .status
            .success()
    );
    assert!(
        run(&["build", "-q", "-o", &s("other.bundle"), other_s])
            .status
            .success()
    );
    let good = std::fs::read(d.join("good.bundle")).unwrap();
    let mut flipped = good.clone();
    flipped[good.len() / 2] ^= 0x10;
    std::fs::write(d.join("flipped.bundle"), &flipped).unwrap();
    std::fs::write(d.join("truncated.bundle"), &good[..good.len() - 100]).unwrap();
    // The same module, labelled as relying on fused relaxed multiply-adds: an engine that does not fuse them
    // (Cranelift for a CPU without FMA3, as `ELFRUN_FMA=0` makes it) must not compile it.
    let mut fused = elfrun_aot::bundle::Bundle::decode(&good).unwrap();
    fused.translator = elfrun_aot::bundle::translator(true);
    std::fs::write(d.join("fused.bundle"), fused.encode()).unwrap();
    let required = Command::new(env!("CARGO_BIN_EXE_elfrun"))
        .args(["--tier", "aot", "--bundle", &s("fused.bundle"), bin_s])
        .env("XDG_CACHE_HOME", &cache)
        .env("ELFRUN_ENGINE", "cranelift")
        .env("ELFRUN_FMA", "0")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&required.stderr);
    assert_eq!(common::status(&required), 126, "{err}");
    assert!(
        err.contains("fused multiply-adds") && err.contains("elfrun build"),
        "{err}"
    );

    for (bundle, why) in [
        ("flipped.bundle", "checksum"),
        ("truncated.bundle", "truncated"),
        ("other.bundle", "another binary"),
    ] {
        let required = run(&["--tier", "aot", "--bundle", &s(bundle), bin_s]);
        let err = String::from_utf8_lossy(&required.stderr);
        assert_eq!(common::status(&required), 126, "{bundle}: {err}");
        assert!(
            err.contains(why) && err.contains("elfrun build"),
            "{bundle}: {err}"
        );
        let auto = run(&[
            "--bundle",
            &s(bundle),
            "--stats-file",
            &s("auto.json"),
            bin_s,
        ]);
        assert_eq!(
            (auto.stdout.clone(), common::status(&auto)),
            (want.stdout.clone(), common::status(&want))
        );
        assert!(String::from_utf8_lossy(&auto.stderr).contains("running in the interpreter"));
        assert_eq!(stats(&d.join("auto.json"))["tier"], "interp");
    }

    // Damage every cached artifact: the run must notice (our own hash), recompile, and be right.
    let arts = cache.join("elfrun/artifacts");
    let mut damaged = 0;
    for e in std::fs::read_dir(&arts).unwrap() {
        let p = e.unwrap().path();
        let mut bytes = std::fs::read(&p).unwrap();
        let at = bytes.len() - 7;
        bytes[at] ^= 0x40;
        std::fs::write(&p, bytes).unwrap();
        damaged += 1;
    }
    assert!(
        damaged >= 2,
        "elfrun build precompiles into the artifact cache"
    );
    let again = run(&[
        "--tier",
        "aot",
        "--bundle",
        &s("good.bundle"),
        "--stats-file",
        &s("re.json"),
        bin_s,
    ]);
    assert_eq!(
        (again.stdout.clone(), common::status(&again)),
        (want.stdout.clone(), common::status(&want))
    );
    let st = stats(&d.join("re.json"));
    assert_eq!(
        (st["tier"].as_str(), st["artifact_cached"].as_bool()),
        (Some("aot"), Some(false)),
        "{st}"
    );
}

/// `--lockstep` re-runs every stretch of lifted code in the interpreter: silent on a correct bundle (the hard
/// program, after recording), and it stops a run whose bundle computes something else than the program — here a
/// bundle lifted from a copy of the program with one immediate changed, relabelled for the original.
#[test]
fn lockstep_checks_lifted_code_and_catches_a_wrong_bundle() {
    let d = dir().join("lockstep");
    std::fs::create_dir_all(&d).unwrap();
    let s = |name: &str| d.join(name).to_str().unwrap().to_string();

    let bin = hard();
    let bin_s = bin.to_str().unwrap();
    let want = common::qemu(&[bin_s, "3000"], &[]);
    record_and_build(&bin, "3000", &want.stdout, &d, "hard");
    let checked = elfrun(&[
        "--lockstep",
        "--bundle",
        &s("hard.bundle"),
        "--stats-file",
        &s("lockstep.json"),
        bin_s,
        "3000",
    ]);
    assert_eq!(
        (checked.stdout.clone(), common::status(&checked)),
        (want.stdout.clone(), common::status(&want)),
        "{}",
        String::from_utf8_lossy(&checked.stderr)
    );
    let st = stats(&d.join("lockstep.json"));
    assert!(st["lockstep_windows"].as_u64().unwrap() > 10, "{st}");
    assert!(
        st["lockstep_instructions"].as_u64().unwrap() > 10_000,
        "{st}"
    );

    // Programs differing in one immediate: another copy's bundle relabelled as A's.
    let variant = |name: &str, step: u32, store: u32| {
        let p = d.join(name);
        let built = common::build(
            "lockstep.S",
            &[
                "-nostdlib",
                &format!("-DSTEP={step}"),
                &format!("-DSTORE={store}"),
            ],
        );
        std::fs::copy(built, &p).unwrap();
        p
    };
    let a = variant("a", 1, 1);
    let a_s = a.to_str().unwrap();
    let a_hash = elfrun_profiles::binary_hash(&std::fs::read(&a).unwrap());
    assert_eq!(common::status(&elfrun(&["--tier", "interp", a_s])), 6);
    for (name, step, store, silent_status, report) in [
        // A different result register…
        ("b", 2, 1, 7, "x0: lifted 0x7, interpreter 0x6"),
        // … or only a different value in memory (the run's result is right without checking).
        ("c", 1, 2, 6, "memory differs in 1 page(s)"),
    ] {
        let other = variant(name, step, store);
        let out = s(&format!("{name}.bundle"));
        assert!(
            elfrun(&["build", "-q", "-o", &out, other.to_str().unwrap()])
                .status
                .success()
        );
        let mut bundle = elfrun_aot::Bundle::decode(&std::fs::read(&out).unwrap()).unwrap();
        bundle.elf_hash = a_hash;
        let wrong = s(&format!("wrong-{name}.bundle"));
        std::fs::write(&wrong, bundle.encode()).unwrap();
        // Without checking, the wrong bundle's code runs…
        let unchecked = elfrun(&["--tier", "aot", "--bundle", &wrong, a_s]);
        assert_eq!(common::status(&unchecked), silent_status, "{name}");
        // … with --lockstep the interpreter disagrees and the run stops with a report.
        let caught = elfrun(&["--lockstep", "--bundle", &wrong, a_s]);
        let err = String::from_utf8_lossy(&caught.stderr);
        assert_eq!(common::status(&caught), 134, "{name}: {err}");
        assert!(
            err.contains("lockstep") && err.contains(report),
            "{name}: {err}"
        );
    }
}

/// `ELFRUN_TIER` is `--tier`'s default, for runs that cannot be given options (binfmt_misc): `aot` fails without a
/// bundle exactly as `--tier aot` does, `interp` ignores a bundle, an explicit `--tier` (before or after `run`)
/// wins over it, a bad value is refused by the option parser, and a program the guest execs runs in its parent's
/// tier, not in one the variable would pick.
#[test]
fn elfrun_tier_variable_is_the_default_of_the_tier_option() {
    let bin = common::build("fnptr.c", &["-O2"]);
    let bin_s = bin.to_str().unwrap();
    let want = common::qemu(&[bin_s], &[]);
    let d = fresh_dir("tier-env");
    let s = |name: &str| d.join(name).to_str().unwrap().to_string();
    // A private cache without a bundle for anything: only `--bundle` offers one.
    let run = |tier: Option<&str>, args: &[&str]| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_elfrun"));
        c.args(args).env("XDG_CACHE_HOME", d.join("cache"));
        match tier {
            Some(t) => c.env("ELFRUN_TIER", t),
            None => c.env_remove("ELFRUN_TIER"),
        };
        c.output().unwrap()
    };
    let tier_of = |tier: Option<&str>, args: &[&str]| {
        let json = s("stats.json");
        let _ = std::fs::remove_file(&json);
        let out = run(
            tier,
            &[&["--stats-file", json.as_str()][..], args, &[bin_s]].concat(),
        );
        assert_eq!(
            (out.stdout.clone(), common::status(&out)),
            (want.stdout.clone(), common::status(&want)),
            "ELFRUN_TIER={tier:?} {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        stats(Path::new(&json))["tier"]
            .as_str()
            .unwrap()
            .to_string()
    };

    // No bundle: the variable fails the run the way the option does.
    let by_option = run(None, &["--tier", "aot", bin_s]);
    let by_variable = run(Some("aot"), &[bin_s]);
    let err = String::from_utf8_lossy(&by_variable.stderr);
    assert_eq!(common::status(&by_option), 126);
    assert!(err.contains("no bundle for"), "{err}");
    assert_eq!(
        (common::status(&by_variable), by_variable.stdout.clone()),
        (126, Vec::new())
    );
    assert_eq!(err, String::from_utf8_lossy(&by_option.stderr));
    assert_eq!(tier_of(None, &[]), "interp");

    let bundle = s("fnptr.bundle");
    let built = run(None, &["build", "-q", "-o", &bundle, bin_s]);
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    let with_bundle = ["--bundle", bundle.as_str()];
    assert_eq!(tier_of(Some("aot"), &with_bundle), "aot");
    assert_eq!(tier_of(Some("interp"), &with_bundle), "interp");
    assert_eq!(
        tier_of(
            Some("interp"),
            &["--tier", "aot", with_bundle[0], with_bundle[1]]
        ),
        "aot"
    );
    assert_eq!(
        tier_of(
            Some("aot"),
            &["--tier", "interp", with_bundle[0], with_bundle[1]]
        ),
        "interp"
    );
    // `elfrun OPTIONS run OPTIONS PROG`: both parts see the variable; it must not undo an option before `run`.
    assert_eq!(
        tier_of(
            Some("aot"),
            &["--tier", "interp", with_bundle[0], with_bundle[1], "run"]
        ),
        "interp"
    );
    assert_eq!(
        tier_of(
            Some("interp"),
            &[with_bundle[0], with_bundle[1], "run", "--tier", "aot"]
        ),
        "aot"
    );

    let bad = run(Some("fast"), &[bin_s]);
    let err = String::from_utf8_lossy(&bad.stderr);
    assert_eq!(common::status(&bad), 2, "{err}");
    assert!(
        err.contains("invalid value 'fast'") && err.contains("--tier") && err.contains("aot"),
        "{err}"
    );

    // A guest's exec: busybox's sh, in `--tier auto` without a bundle (the interpreter), execs busybox again. The
    // new elfrun must run it in auto too, not in the `aot` of the environment it inherits (no bundle: it would fail).
    let bb = common::corpus("busybox");
    let bb_s = bb.to_str().unwrap();
    let script = format!("exec {bb_s} echo exec ran");
    let out = run(Some("aot"), &["--tier", "auto", bb_s, "sh", "-c", &script]);
    assert_eq!(
        (
            String::from_utf8_lossy(&out.stdout).into_owned(),
            common::status(&out)
        ),
        ("exec ran\n".to_string(), 0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `ELFRUN_ENGINE` chooses the compiler of bundles: `cranelift` always works (build and run with it give the
/// program's output in lifted code); `llvm` only in a build with the `llvm` feature; anything else is refused
/// at start with a message, before the program runs.
#[test]
fn elfrun_engine_variable_is_checked_and_cranelift_always_available() {
    let bin = common::build("fnptr.c", &["-O2"]);
    let bin_s = bin.to_str().unwrap();
    let want = common::qemu(&[bin_s], &[]);
    let d = fresh_dir("engine-env");
    let bundle = d.join("fnptr.bundle");
    let bundle = bundle.to_str().unwrap();
    let run = |engine: &str, args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_elfrun"))
            .args(args)
            .env("XDG_CACHE_HOME", d.join("cache"))
            .env("ELFRUN_ENGINE", engine)
            .output()
            .unwrap()
    };

    assert_success(&run("cranelift", &["build", "-q", "-o", bundle, bin_s]));
    let lifted = run("cranelift", &["--tier", "aot", "--bundle", bundle, bin_s]);
    assert_eq!(
        (lifted.stdout.clone(), common::status(&lifted)),
        (want.stdout.clone(), common::status(&want)),
        "{}",
        String::from_utf8_lossy(&lifted.stderr)
    );

    let mut refused = vec![("wasmtime", "expected `cranelift` or `llvm`")];
    if !cfg!(feature = "llvm") {
        refused.push(("llvm", "built without the `llvm` feature"));
    }
    for (engine, why) in refused {
        let out = run(engine, &[bin_s]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(common::status(&out), 2, "ELFRUN_ENGINE={engine}: {err}");
        assert!(
            out.stdout.is_empty() && err.contains(why),
            "ELFRUN_ENGINE={engine}: {err}"
        );
    }
}
