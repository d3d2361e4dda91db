//! Where a run stops when an instruction stops it. The interpreter runs a block as a chain of handlers (each
//! jumps to the next), so an instruction in the middle of a block that faults or invalidates code (`ic ivau`)
//! must still leave `pc` on itself (or just past the `ic`), its own and every later instruction's effects
//! suppressed, the earlier ones' kept, and the instruction count exact; likewise SVC and undefined
//! instructions, which end their blocks. And a write to XZR in a block must not be read back.

use elfrun_interp::eval::{RunStats, run};
use elfrun_interp::{BlockCache, CpuState, Exit, GuestMem};

const CODE: u64 = 0x1000;

const MOVZ_X0_1: u32 = 0xd280_0020;
const MOVZ_X0_7: u32 = 0xd280_00e0;
const ADD_X3_X3_1: u32 = 0x9100_0463;
/// `ldr x1, [x2]`
const LDR_X1_X2: u32 = 0xf940_0041;
/// `ldr x1, [x2], #8`: a post-index load also writes its base.
const LDR_X1_X2_POST: u32 = 0xf840_8441;
const SVC: u32 = 0xd400_0001;
/// `ic ivau, x2`
const IC_IVAU_X2: u32 = 0xd50b_7522;
const UDF: u32 = 0x0000_0000;
/// `b .`
const B_SELF: u32 = 0x1400_0000;

/// Runs `words` at `CODE` from its first instruction with x2 = `x2`; returns the exit, the CPU and the
/// instructions counted.
fn run_words(words: &[u32], x2: u64) -> (Exit, CpuState, u64) {
    let mut backing = vec![0u8; 0x2000];
    for (i, w) in words.iter().enumerate() {
        let at = CODE as usize + 4 * i;
        backing[at..at + 4].copy_from_slice(&w.to_le_bytes());
    }
    // SAFETY: `backing` outlives the view, used only inside this function.
    let mem = unsafe { GuestMem::new(backing.as_mut_ptr(), CODE, backing.len() as u64) };
    let mut cpu = CpuState {
        pc: CODE,
        ..CpuState::default()
    };
    cpu.x[1] = 0x1111;
    cpu.x[2] = x2;
    let mut stats = RunStats::default();
    let exit = run(&mut cpu, mem, &mut BlockCache::new(), 1000, &mut stats);
    (exit, cpu, stats.instructions)
}

#[test]
fn a_fault_mid_block_stops_on_the_faulting_load() {
    for (load, at) in [(LDR_X1_X2, 1), (LDR_X1_X2_POST, 1), (LDR_X1_X2, 0)] {
        let mut words = vec![MOVZ_X0_1; at];
        words.extend([load, MOVZ_X0_7, ADD_X3_X3_1, B_SELF]);
        let (exit, cpu, n) = run_words(&words, 8);
        assert!(
            matches!(exit, Exit::Fault(f) if f.addr == 8),
            "{exit:?} for load {load:#x} at {at}"
        );
        assert_eq!(cpu.pc, CODE + 4 * at as u64, "pc names the load");
        assert_eq!(
            n, at as u64,
            "only the instructions before the load completed"
        );
        assert_eq!(cpu.x[0], if at == 1 { 1 } else { 0 });
        assert_eq!(
            (cpu.x[1], cpu.x[2], cpu.x[3]),
            (0x1111, 8, 0),
            "no write of the load or after it"
        );
    }
}

#[test]
fn a_load_that_succeeds_mid_block_lets_the_block_go_on() {
    let words = [MOVZ_X0_1, LDR_X1_X2_POST, MOVZ_X0_7, ADD_X3_X3_1, SVC];
    let (exit, cpu, n) = run_words(&words, CODE);
    assert_eq!(exit, Exit::Syscall);
    assert_eq!(cpu.pc, CODE + 4 * words.len() as u64);
    assert_eq!(n, words.len() as u64);
    assert_eq!(
        (cpu.x[0], cpu.x[1], cpu.x[2], cpu.x[3]),
        (
            7,
            MOVZ_X0_1 as u64 | (LDR_X1_X2_POST as u64) << 32,
            CODE + 8,
            1
        )
    );
}

#[test]
fn an_svc_stops_just_past_itself() {
    let words = [MOVZ_X0_1, SVC, MOVZ_X0_7, ADD_X3_X3_1, B_SELF];
    let (exit, cpu, n) = run_words(&words, 0);
    assert_eq!(exit, Exit::Syscall);
    assert_eq!(cpu.pc, CODE + 8);
    assert_eq!(n, 2);
    assert_eq!((cpu.x[0], cpu.x[3]), (1, 0));
}

#[test]
fn an_undefined_instruction_stops_on_itself() {
    let words = [MOVZ_X0_1, ADD_X3_X3_1, UDF, MOVZ_X0_7, B_SELF];
    let (exit, cpu, n) = run_words(&words, 0);
    assert_eq!(exit, Exit::Undefined { word: UDF });
    assert_eq!(cpu.pc, CODE + 8);
    assert_eq!(n, 2);
    assert_eq!((cpu.x[0], cpu.x[3]), (1, 1));
}

#[test]
fn an_ic_ivau_mid_block_stops_just_past_itself() {
    let words = [MOVZ_X0_1, IC_IVAU_X2, MOVZ_X0_7, ADD_X3_X3_1, B_SELF];
    let (exit, cpu, n) = run_words(&words, CODE + 0x14);
    assert!(
        matches!(exit, Exit::CodeInvalidated { addr } if addr <= CODE + 0x14),
        "{exit:?}"
    );
    assert_eq!(cpu.pc, CODE + 8);
    assert_eq!(n, 2);
    assert_eq!((cpu.x[0], cpu.x[3]), (1, 0));
}

/// Writes to XZR go to the zero register's slot, which must read as zero again by the next instruction.
#[test]
fn writes_to_xzr_leave_it_reading_zero() {
    const ORR_XZR_X1_X1: u32 = 0xaa01_003f;
    const ADD_X4_XZR_X1: u32 = 0x8b01_03e4;
    const SUBS_XZR_X1_X2: u32 = 0xeb02_003f;
    const MOV_X5_XZR: u32 = 0xaa1f_03e5;
    let words = [
        ORR_XZR_X1_X1,
        ADD_X4_XZR_X1,
        SUBS_XZR_X1_X2,
        MOV_X5_XZR,
        SVC,
    ];
    let (exit, cpu, _) = run_words(&words, 0x77);
    assert_eq!(exit, Exit::Syscall);
    // x1 = 0x1111 (see `run_words`).
    assert_eq!((cpu.x[4], cpu.x[5]), (0x1111, 0));
}
