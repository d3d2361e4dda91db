//! The AArch64 signal frame exactly as Linux builds it (arch/arm64/kernel/signal.c): `struct rt_sigframe`
//! (`siginfo_t` then `ucontext_t`) below a `frame_record` {x29, x30}, on the interrupted stack or the
//! alternate one, and its reverse for `rt_sigreturn`.
//!
//! Layout (byte offsets from the frame; sizes from the arm64 uapi headers):
//! - 0: `siginfo_t` (128)
//! - 128: `ucontext_t`: uc_flags, uc_link, uc_stack (`stack_t`, 24), uc_sigmask (8), 120 bytes of padding,
//!   then at 176 (16-aligned) `struct sigcontext`: fault_address, regs[31], sp, pc, pstate, and at 288 the
//!   4096-byte `__reserved` area holding an `fpsimd_context` (magic 0x46508001, size 528, fpsr, fpcr, vregs[32])
//!   and the terminating null record.
//!
//! Total 4688 bytes, 16-aligned. No `esr_context` is written for faults (qemu-aarch64 writes none either); no
//! SVE/SME records exist because the guest CPU has neither.
//!
//! Owns: frame layout. Must not: decide which signal is delivered or touch the host.

use elfrun_interp::{CpuState, GuestMem};

use super::SigSet;

pub const SIGINFO: u64 = 0;
const UC: u64 = 128;
const UC_FLAGS: u64 = UC;
const UC_LINK: u64 = UC + 8;
pub const UC_STACK: u64 = UC + 16;
const UC_SIGMASK: u64 = UC + 40;
const MCONTEXT: u64 = UC + 176;
const MC_FAULT_ADDRESS: u64 = MCONTEXT;
const MC_REGS: u64 = MCONTEXT + 8;
const MC_SP: u64 = MC_REGS + 31 * 8;
const MC_PC: u64 = MC_SP + 8;
const MC_PSTATE: u64 = MC_PC + 8;
const MC_RESERVED: u64 = MCONTEXT + 288;
const RESERVED_SIZE: u64 = 4096;
/// `sizeof(struct rt_sigframe)`.
pub const FRAME_SIZE: u64 = MC_RESERVED + RESERVED_SIZE;

const FPSIMD_MAGIC: u32 = 0x4650_8001;
const FPSIMD_SIZE: u32 = 16 + 32 * 16;
const EXTRA_MAGIC: u32 = 0x4558_5401;

/// PSTATE bits a user-mode sigreturn may set: NZCV (mode EL0t, everything else zero).
const PSTATE_NZCV: u64 = 0xf000_0000;

/// The frame cannot be written or read (stack outside the address space, misaligned or corrupt frame): Linux
/// raises SIGSEGV.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BadFrame;

/// What goes into one frame besides the CPU state.
#[derive(Debug, Clone, Copy)]
pub struct FrameInput<'a> {
    pub signo: usize,
    pub info: &'a [u8; 128],
    /// The mask to restore on return (the one in force before delivery).
    pub mask: SigSet,
    /// `uc_stack`: the alternate stack as `__save_altstack` reports it (sp, flags, size).
    pub altstack: [u64; 3],
    pub fault_address: u64,
    /// Where the frame ends (the interrupted sp, or the top of the alternate stack).
    pub stack_top: u64,
    /// x30 for the handler: `sa_restorer` or elfrun's trampoline.
    pub return_to: u64,
    pub handler: u64,
    pub siginfo_args: bool,
}

/// Builds the frame in guest memory and points the CPU at the handler, as `setup_rt_frame` +
/// `setup_return` do. On a bad stack nothing changes and the caller raises SIGSEGV.
pub fn push(cpu: &mut CpuState, mem: &GuestMem, f: &FrameInput<'_>) -> Result<(), BadFrame> {
    let record = f.stack_top.checked_sub(16).ok_or(BadFrame)? & !15;
    let frame = record.checked_sub(FRAME_SIZE).ok_or(BadFrame)?;
    let mut b = vec![0u8; FRAME_SIZE as usize];
    let put =
        |b: &mut [u8], at: u64, v: &[u8]| b[at as usize..at as usize + v.len()].copy_from_slice(v);
    put(&mut b, SIGINFO, f.info);
    put(&mut b, UC_FLAGS, &0u64.to_le_bytes());
    put(&mut b, UC_LINK, &0u64.to_le_bytes());
    put(&mut b, UC_STACK, &f.altstack[0].to_le_bytes());
    put(&mut b, UC_STACK + 8, &(f.altstack[1] as u32).to_le_bytes());
    put(&mut b, UC_STACK + 16, &f.altstack[2].to_le_bytes());
    put(&mut b, UC_SIGMASK, &f.mask.to_le_bytes());
    put(&mut b, MC_FAULT_ADDRESS, &f.fault_address.to_le_bytes());
    for (i, x) in cpu.x.iter().enumerate() {
        put(&mut b, MC_REGS + 8 * i as u64, &x.to_le_bytes());
    }
    put(&mut b, MC_SP, &cpu.sp.to_le_bytes());
    put(&mut b, MC_PC, &cpu.pc.to_le_bytes());
    put(&mut b, MC_PSTATE, &(cpu.nzcv & PSTATE_NZCV).to_le_bytes());
    put(&mut b, MC_RESERVED, &FPSIMD_MAGIC.to_le_bytes());
    put(&mut b, MC_RESERVED + 4, &FPSIMD_SIZE.to_le_bytes());
    put(&mut b, MC_RESERVED + 8, &(cpu.fpsr as u32).to_le_bytes());
    put(&mut b, MC_RESERVED + 12, &(cpu.fpcr as u32).to_le_bytes());
    for (i, v) in cpu.v.iter().enumerate() {
        put(&mut b, MC_RESERVED + 16 + 16 * i as u64, &v.to_le_bytes());
    }
    // The terminating null record follows the fpsimd one (already zero).
    let mut rec = [0u8; 16];
    rec[..8].copy_from_slice(&cpu.x[29].to_le_bytes());
    rec[8..].copy_from_slice(&cpu.x[30].to_le_bytes());
    mem.write_bytes(frame, &b).map_err(|_| BadFrame)?;
    mem.write_bytes(record, &rec).map_err(|_| BadFrame)?;

    cpu.x[0] = f.signo as u64;
    if f.siginfo_args {
        cpu.x[1] = frame + SIGINFO;
        cpu.x[2] = frame + UC;
    }
    cpu.sp = frame;
    cpu.x[29] = record;
    cpu.x[30] = f.return_to;
    cpu.pc = f.handler;
    // Exception entry and return clear the exclusive monitor.
    cpu.excl_addr = u64::MAX;
    cpu.excl_size = 0;
    Ok(())
}

/// What `rt_sigreturn` found in the frame at sp.
#[derive(Debug, Clone, Copy)]
pub struct Restored {
    pub mask: SigSet,
    /// `uc_stack` (sp, flags, size): Linux re-applies it with sigaltstack.
    pub altstack: [u64; 3],
}

fn word(b: &[u8], at: u64) -> u64 {
    u64::from_le_bytes(b[at as usize..at as usize + 8].try_into().expect("8 bytes"))
}

fn half(b: &[u8], at: u64) -> u32 {
    u32::from_le_bytes(b[at as usize..at as usize + 4].try_into().expect("4 bytes"))
}

/// Restores the CPU from the frame at `cpu.sp` (`restore_sigframe`). Err when the frame is misaligned,
/// unreadable or invalid (bad PSTATE, missing fpsimd record): the caller raises SIGSEGV, as Linux does.
pub fn pop(cpu: &mut CpuState, mem: &GuestMem) -> Result<Restored, BadFrame> {
    let frame = cpu.sp;
    if !frame.is_multiple_of(16) {
        return Err(BadFrame);
    }
    let mut b = vec![0u8; FRAME_SIZE as usize];
    mem.read_bytes(frame, &mut b).map_err(|_| BadFrame)?;
    let pstate = word(&b, MC_PSTATE);
    // valid_native_regs: EL0t (mode bits 0..4 clear) with D, A, I, F (bits 6..9) clear.
    if pstate & 0x3df != 0 {
        return Err(BadFrame);
    }
    // Walk the records in __reserved: fpsimd is required; unknown ones are skipped by size.
    let mut fp = None;
    let mut at = 0u64;
    while at + 8 <= RESERVED_SIZE {
        let magic = half(&b, MC_RESERVED + at);
        let size = half(&b, MC_RESERVED + at + 4) as u64;
        if magic == 0 {
            break;
        }
        if size < 8 || !size.is_multiple_of(16) || at + size > RESERVED_SIZE || magic == EXTRA_MAGIC
        {
            return Err(BadFrame);
        }
        if magic == FPSIMD_MAGIC {
            if size != FPSIMD_SIZE as u64 {
                return Err(BadFrame);
            }
            fp = Some(MC_RESERVED + at);
        }
        at += size;
    }
    let fp = fp.ok_or(BadFrame)?;
    for i in 0..31 {
        cpu.x[i] = word(&b, MC_REGS + 8 * i as u64);
    }
    cpu.sp = word(&b, MC_SP);
    cpu.pc = word(&b, MC_PC);
    cpu.nzcv = pstate & PSTATE_NZCV;
    cpu.fpsr = half(&b, fp + 8) as u64;
    cpu.fpcr = half(&b, fp + 12) as u64;
    for i in 0..32 {
        let at = (fp + 16 + 16 * i as u64) as usize;
        cpu.v[i] = u128::from_le_bytes(b[at..at + 16].try_into().expect("16 bytes"));
    }
    cpu.excl_addr = u64::MAX;
    cpu.excl_size = 0;
    Ok(Restored {
        mask: word(&b, UC_SIGMASK),
        altstack: [
            word(&b, UC_STACK),
            half(&b, UC_STACK + 8) as u64,
            word(&b, UC_STACK + 16),
        ],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_matches_the_arm64_uapi_headers() {
        // sizeof(struct rt_sigframe) on arm64: 128 (siginfo) + 4560 (ucontext) = 4688.
        assert_eq!(FRAME_SIZE, 4688);
        assert_eq!(MCONTEXT % 16, 0);
        assert_eq!(MC_RESERVED % 16, 0);
        // offsetof(ucontext_t, uc_mcontext.pc) is 440 and .pstate 448 in glibc's arm64 <sys/ucontext.h>.
        assert_eq!(MC_PC - UC, 440);
        assert_eq!(MC_PSTATE - UC, 448);
    }
}
