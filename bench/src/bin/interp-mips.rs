//! `interp-mips`: decoder and interpreter throughput of `elfrun_interp`, independent of the runtime.
//!
//! Three measurements:
//! - decode: `decode(word)` over the loop's own words (the common case of real code);
//! - decode-random: `decode(word)` over LCG-random words (mostly unallocated or rare encodings);
//! - execute: a hand-assembled guest loop of ADD/SUB/AND/CMP/B.cond run by `eval::run` over a `GuestMem`
//!   backed by a `Vec<u8>`, in budget slices as the runtime runs it. Its final registers are checked
//!   against the values the loop must produce, so a wrong interpreter cannot report a speed.
//!
//! Usage: `interp-mips [iterations]` (loop iterations, default 20,000,000; build with --release).

use std::hint::black_box;
use std::time::Instant;

use elfrun_interp::eval::{self, RunStats};
use elfrun_interp::{BlockCache, CpuState, Exit, GuestMem, decode};

/// Where the loop is placed in guest memory.
const CODE: u64 = 0x1000;

/// The guest loop, assembled with aarch64-linux-gnu-as (the words are from its objdump):
/// ```text
/// loop: add  x1, x1, #1        // 91000421
///       sub  x2, x2, #3        // d1000c42
///       and  x3, x1, #7        // 92400823
///       cmp  x3, #3            // f1000c7f
///       b.ne 1f                // 54000041
///       add  x4, x4, #1        // 91000484
/// 1:    subs x0, x0, #1        // f1000400
///       b.ne loop              // 54ffff21
///       brk  #0                // d4200000
/// ```
/// With x0 = n on entry it leaves x1 = n, x2 = -3n, x4 = #{i in 1..=n : i mod 8 = 3}, and runs
/// 7n + (that count) instructions before the BRK.
const LOOP: [u32; 9] = [
    0x91000421, 0xd1000c42, 0x92400823, 0xf1000c7f, 0x54000041, 0x91000484, 0xf1000400, 0x54ffff21,
    0xd4200000,
];

/// Budget per `eval::run` call, as a runtime would slice execution to deliver signals.
const BUDGET: u64 = 1 << 20;

/// Wall clock and this thread's CPU clock, together: on a loaded machine only the latter means much.
#[derive(Clone, Copy)]
struct Clock {
    wall: Instant,
    cpu: f64,
}

fn thread_cpu_secs() -> f64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid out-pointer; CLOCK_THREAD_CPUTIME_ID always exists on Linux.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    ts.tv_sec as f64 + ts.tv_nsec as f64 * 1e-9
}

impl Clock {
    fn start() -> Clock {
        Clock {
            wall: Instant::now(),
            cpu: thread_cpu_secs(),
        }
    }

    /// Millions of `count` per second of (wall, CPU) time since `start`.
    fn mips(self, count: u64) -> Mips {
        let wall = self.wall.elapsed().as_secs_f64();
        let cpu = thread_cpu_secs() - self.cpu;
        Mips {
            wall: count as f64 / wall / 1e6,
            cpu: count as f64 / cpu.max(1e-9) / 1e6,
        }
    }
}

#[derive(Clone, Copy, Debug)]
struct Mips {
    wall: f64,
    cpu: f64,
}

fn bench_decode(words: &[u32], rounds: u64) -> Mips {
    let start = Clock::start();
    for _ in 0..rounds {
        for &w in words {
            black_box(decode(black_box(w)));
        }
    }
    start.mips(rounds * words.len() as u64)
}

fn bench_execute(n: u64) -> Result<(Mips, u64), String> {
    let mut backing = vec![0u8; 0x10000];
    // SAFETY: `backing` outlives `mem` (both live until the end of this function) and is not moved.
    let mem = unsafe { GuestMem::new(backing.as_mut_ptr(), CODE, backing.len() as u64) };
    for (i, w) in LOOP.iter().enumerate() {
        mem.store(CODE + 4 * i as u64, *w as u64, 4)
            .map_err(|f| format!("cannot place code: {f:?}"))?;
    }
    let mut cpu = CpuState {
        pc: CODE,
        ..CpuState::default()
    };
    cpu.x[0] = n;
    let mut cache = BlockCache::new();
    let mut stats = RunStats::default();
    let start = Clock::start();
    let exit = loop {
        match eval::run(&mut cpu, mem, &mut cache, BUDGET, &mut stats) {
            Exit::Budget => continue,
            other => break other,
        }
    };
    let speed = start.mips(stats.instructions);

    let brk = CODE + 4 * (LOOP.len() as u64 - 1);
    let taken = n / 8 + u64::from(n % 8 >= 3);
    let want_insns = 7 * n + taken;
    let checks = [
        (
            exit == Exit::Breakpoint { imm: 0 },
            format!("exit {exit:?}"),
        ),
        (cpu.pc == brk, format!("pc {:#x}, want {brk:#x}", cpu.pc)),
        (cpu.x[1] == n, format!("x1 {}", cpu.x[1])),
        (
            cpu.x[2] == n.wrapping_mul(3).wrapping_neg(),
            format!("x2 {:#x}", cpu.x[2]),
        ),
        (cpu.x[4] == taken, format!("x4 {}, want {taken}", cpu.x[4])),
        (cpu.x[0] == 0, format!("x0 {}", cpu.x[0])),
        (
            stats.instructions == want_insns,
            format!(
                "{} instructions counted, want {want_insns}",
                stats.instructions
            ),
        ),
    ];
    if let Some((_, why)) = checks.iter().find(|(ok, _)| !ok) {
        return Err(format!("the interpreter ran the loop wrongly: {why}"));
    }
    Ok((speed, stats.instructions))
}

fn main() -> std::process::ExitCode {
    let n: u64 = match std::env::args().nth(1).map(|a| a.parse()) {
        None => 20_000_000,
        Some(Ok(n)) if n > 0 => n,
        _ => {
            eprintln!("usage: interp-mips [iterations > 0]");
            return std::process::ExitCode::from(2);
        }
    };
    if cfg!(debug_assertions) {
        eprintln!("note: debug build; use `cargo run --release -p elfrun-bench --bin interp-mips`");
    }
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let random: Vec<u32> = (0..4096)
        .map(|_| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 32) as u32
        })
        .collect();
    let decode_loop = bench_decode(&LOOP, n / 4 + 1);
    let decode_random = bench_decode(&random, n / 1000 + 1);
    match bench_execute(n) {
        Ok((exec, insns)) => {
            println!("| measurement | M/s by CPU time | M/s by wall time |\n|---|---:|---:|");
            for (what, m) in [
                ("decode (loop words)".to_string(), decode_loop),
                ("decode (random words)".to_string(), decode_random),
                (
                    format!("execute ADD/SUB/AND/CMP/B.cond loop ({insns} insns)"),
                    exec,
                ),
            ] {
                println!("| {what} | {:.1} | {:.1} |", m.cpu, m.wall);
            }
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("interp-mips: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loop_runs_to_the_expected_state() {
        // n = 1003: 125 full groups of 8 plus 3 iterations whose last has i mod 8 == 3.
        let (_, insns) = bench_execute(1003).unwrap();
        assert_eq!(insns, 7 * 1003 + 126);
    }

    #[test]
    fn decoder_survives_random_words() {
        assert!(bench_decode(&[0, u32::MAX, 0xd4200000], 10).cpu > 0.0);
    }
}
