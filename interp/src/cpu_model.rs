//! The CPU elfrun presents to guests: identification registers, cache geometry and the features advertised
//! (which must agree with what the runtime puts in AT_HWCAP/AT_HWCAP2).
//!
//! Features the decoder does not implement (SVE, SME, MOPS, MTE, BF16, …) are hidden, so libc's ifunc
//! resolvers pick NEON or generic code.

use crate::sem::SysReg;

/// `dc zva` block size in bytes (DCZID_EL0.BS = log2(words) = 4).
pub const DC_ZVA_BYTES: u64 = 64;
/// Smallest instruction/data cache line (CTR_EL0.IminLine/DminLine = 4 → 64 bytes).
pub const ICACHE_LINE: u64 = 64;

/// CTR_EL0: IDC/DIC clear (guests must clean and invalidate), 64-byte lines, VIPT.
pub const CTR_EL0: u64 = 0x8444_c004;
/// MIDR_EL1: an Arm Neoverse-N1 r3p1 (implementer 0x41, part 0xd0c).
pub const MIDR_EL1: u64 = 0x413f_d0c1;

/// FPCR bits a guest can set: AHP, DN, FZ, RMode, FZ16 (trap enables read as zero).
pub const FPCR_WRITABLE: u64 = (1 << 26) | (1 << 25) | (1 << 24) | (3 << 22) | (1 << 19);
/// FPSR bits: QC and the cumulative exception flags IDC, IXC, UFC, OFC, DZC, IOC.
pub const FPSR_WRITABLE: u64 = (1 << 27) | (1 << 7) | 0x1f;

/// ID_AA64ISAR0_EL1: AES+PMULL (2), SHA1 (1), SHA2 (1), CRC32 (1), atomics (2 = LSE).
pub const ID_AA64ISAR0_EL1: u64 = (2 << 4) | (1 << 8) | (1 << 12) | (1 << 16) | (2 << 20);
/// ID_AA64PFR0_EL1: EL0/EL1 AArch64 only, FP and AdvSIMD implemented (0), no SVE.
pub const ID_AA64PFR0_EL1: u64 = 0x11;

/// Linux AT_HWCAP bits matching the registers above: fp, asimd, evtstrm(no), aes, pmull, sha1, sha2, crc32,
/// atomics, cpuid.
pub const HWCAP: u64 = (1 << 0)
    | (1 << 1)
    | (1 << 3)
    | (1 << 4)
    | (1 << 5)
    | (1 << 6)
    | (1 << 7)
    | (1 << 8)
    | (1 << 11);
/// Linux AT_HWCAP2: nothing beyond the base (no SVE2, MTE, BF16, …).
pub const HWCAP2: u64 = 0;

/// Encoding (op0:op1:CRn:CRm:op2, MRS bits 20..5) of the ID registers with non-zero values.
#[allow(clippy::unusual_byte_groupings)] // grouped by field: op0_op1_CRn_CRm_op2
pub mod enc {
    pub const MIDR_EL1: u16 = 0b11_000_0000_0000_000;
    pub const MPIDR_EL1: u16 = 0b11_000_0000_0000_101;
    pub const REVIDR_EL1: u16 = 0b11_000_0000_0000_110;
    pub const ID_AA64PFR0_EL1: u16 = 0b11_000_0000_0100_000;
    pub const ID_AA64ISAR0_EL1: u16 = 0b11_000_0000_0110_000;
}

/// Value of a register that does not depend on the thread's state.
pub fn read_const_sysreg(r: SysReg) -> u64 {
    match r {
        SysReg::CtrEl0 => CTR_EL0,
        SysReg::DczidEl0 => 4,
        SysReg::MidrEl1 => MIDR_EL1,
        SysReg::MpidrEl1 => 0x8000_0000,
        SysReg::RevidrEl1 => 0,
        SysReg::CntfrqEl0 => 1_000_000_000,
        SysReg::Id(e) => match e {
            enc::MIDR_EL1 => MIDR_EL1,
            enc::MPIDR_EL1 => 0x8000_0000,
            enc::ID_AA64PFR0_EL1 => ID_AA64PFR0_EL1,
            enc::ID_AA64ISAR0_EL1 => ID_AA64ISAR0_EL1,
            _ => 0,
        },
        // Counters and thread state are not constant; callers handle them.
        SysReg::CntvctEl0
        | SysReg::CntpctEl0
        | SysReg::Nzcv
        | SysReg::Fpcr
        | SysReg::Fpsr
        | SysReg::TpidrEl0
        | SysReg::TpidrroEl0
        | SysReg::Raz(_) => 0,
    }
}

use core::sync::atomic::{AtomicUsize, Ordering};

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// Installs the source of CNTVCT_EL0/CNTPCT_EL0 (nanoseconds of a monotonic clock at CNTFRQ = 1 GHz).
/// Without one the counter reads 0. The runtime installs the host's monotonic clock.
pub fn set_counter_source(f: fn() -> u64) {
    COUNTER.store(f as usize, Ordering::Relaxed);
}

/// The virtual counter's current value.
pub fn counter() -> u64 {
    let f = COUNTER.load(Ordering::Relaxed);
    if f == 0 {
        return 0;
    }
    // SAFETY: only `set_counter_source` stores here, always a `fn() -> u64`.
    let f: fn() -> u64 = unsafe { core::mem::transmute::<usize, fn() -> u64>(f) };
    f()
}
