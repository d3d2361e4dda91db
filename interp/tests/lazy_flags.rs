//! The interpreter keeps the flags of SUBS/CMP and ANDS/TST as their operands and computes a condition from
//! them only when one is read (`Eval`'s lazy NZCV). `Eval::step` writes NZCV back after every instruction, so
//! stepping a program one instruction at a time is the PSTATE-form reference; running it as blocks keeps the
//! flags pending across instructions and blocks. Every condition after every flag setter, read by CSINC,
//! B.cond, CCMP, ADC (the carry) and MRS NZCV, on edge operands at both widths, must give the same final state;
//! and so must every compare directly followed by the B.cond that ends its block (run as one handler).

use elfrun_interp::eval::{RunStats, run};
use elfrun_interp::{BlockCache, CpuState, Eval, Exit, GuestMem, decode};

const CODE: u64 = 0x1000;

/// The flag-setting instructions, all `Xd/Wd = 3, n = 1, m = 2`.
const SETTERS: [(&str, u32); 10] = [
    ("subs x3, x1, x2", 0xeb02_0023),
    ("subs w3, w1, w2", 0x6b02_0023),
    ("ands x3, x1, x2", 0xea02_0023),
    ("ands w3, w1, w2", 0x6a02_0023),
    ("adds x3, x1, x2", 0xab02_0023),
    ("sbcs x3, x1, x2", 0xfa02_0023),
    ("subs x3, x1, #1", 0xf100_0423),
    ("subs w3, w1, #1", 0x7100_0423),
    ("ands x3, x1, #0xff", 0xf240_1c23),
    ("ands w3, w1, #1", 0x7200_0023),
];

const EDGES: [u64; 12] = [
    0,
    1,
    2,
    0x7fff_ffff,
    0x8000_0000,
    0xffff_ffff,
    0x1_0000_0000,
    0x1_8000_0001,
    0x7fff_ffff_ffff_ffff,
    0x8000_0000_0000_0000,
    u64::MAX,
    0x1234_5678_9abc_def0,
];

/// `setter; csinc x4, xzr, xzr, cond; b.cond +8; movz x5, #1; adc x6, x1, x2; ccmp x1, #3, #6, cond;
/// adc x8, x1, x2; mrs x7, nzcv; svc #0`.
fn program(setter: u32, cond: u32) -> [u32; 9] {
    [
        setter,
        0x9a9f_07e4 | cond << 12,
        0x5400_0040 | cond,
        0xd280_0025,
        0x9a02_0026,
        0xfa43_0826 | cond << 12,
        0x9a02_0028,
        0xd53b_4207,
        0xd400_0001,
    ]
}

/// `setter; b.cond +8; movz x5, #1; mrs x7, nzcv; svc #0`: the compare and the branch that ends the block run
/// as one handler when the setter is a CMP/SUBS or TST/ANDS (see `dispatch::pair_handler_for`).
fn compare_and_branch(setter: u32, cond: u32) -> [u32; 5] {
    [
        setter,
        0x5400_0040 | cond,
        0xd280_0025,
        0xd53b_4207,
        0xd400_0001,
    ]
}

fn start(a: u64, b: u64, carry: bool) -> CpuState {
    let mut cpu = CpuState::default();
    cpu.x[1] = a;
    cpu.x[2] = b;
    cpu.nzcv = if carry { 0x2000_0000 } else { 0xd000_0000 };
    cpu.pc = CODE;
    cpu
}

fn with_code<R>(words: &[u32], f: impl FnOnce(GuestMem) -> R) -> R {
    let mut backing = vec![0u8; 0x2000];
    for (i, w) in words.iter().enumerate() {
        let at = CODE as usize + 4 * i;
        backing[at..at + 4].copy_from_slice(&w.to_le_bytes());
    }
    // SAFETY: `backing` outlives every use of the view, which ends with `f`.
    let mem = unsafe { GuestMem::new(backing.as_mut_ptr(), CODE, backing.len() as u64) };
    f(mem)
}

/// One instruction at a time: NZCV in PSTATE form between any two.
fn stepped(words: &[u32], mut cpu: CpuState) -> CpuState {
    with_code(words, |mem| {
        for _ in 0..words.len() {
            let pc = cpu.pc;
            let word = words[((pc - CODE) / 4) as usize];
            match Eval::new(&mut cpu, mem).step(decode(word), pc) {
                Ok(next) => cpu.pc = next,
                Err(Exit::Syscall) => {
                    cpu.pc = pc + 4;
                    break;
                }
                Err(e) => panic!("{e:?} at {pc:#x}"),
            }
        }
        cpu
    })
}

/// As blocks: flags pending from the setter to the condition readers.
fn as_blocks(words: &[u32], mut cpu: CpuState) -> CpuState {
    with_code(words, |mem| {
        let mut cache = BlockCache::new();
        let exit = run(&mut cpu, mem, &mut cache, 1000, &mut RunStats::default());
        assert_eq!(exit, Exit::Syscall);
        cpu
    })
}

#[test]
fn pending_flags_give_every_condition_as_computed_flags_do() {
    let mut compared = 0;
    for (name, setter) in SETTERS {
        for cond in 0..16 {
            let long = program(setter, cond);
            let short = compare_and_branch(setter, cond);
            for (words, a) in [&long[..], &short[..]]
                .into_iter()
                .flat_map(|w| EDGES.map(|a| (w, a)))
            {
                for b in EDGES {
                    for carry in [false, true] {
                        let want = stepped(words, start(a, b, carry));
                        let got = as_blocks(words, start(a, b, carry));
                        assert_eq!(
                            got, want,
                            "{name}, cond {cond:#x}, x1 = {a:#x}, x2 = {b:#x}, carry in {carry}"
                        );
                        compared += 1;
                    }
                }
            }
        }
    }
    assert_eq!(
        compared,
        SETTERS.len() * 16 * 2 * EDGES.len() * EDGES.len() * 2
    );
}
