//! The guest CPU state, laid out `#[repr(C)]` so both tiers (and the host) agree on every offset.

/// Architectural state of one AArch64 thread at user level.
///
/// `nzcv` holds the flags in PSTATE layout (N = bit 31, Z = 30, C = 29, V = 28). `v` holds the 32 SIMD&FP
/// registers as little-endian 128-bit values (lane 0 in the low bits).
#[repr(C, align(16))]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CpuState {
    pub x: [u64; 31],
    pub sp: u64,
    pub pc: u64,
    pub nzcv: u64,
    pub fpcr: u64,
    pub fpsr: u64,
    pub tpidr_el0: u64,
    /// Address tagged by the last load-exclusive, or `u64::MAX` when the monitor is open.
    pub excl_addr: u64,
    /// Value observed by the last load-exclusive (compared on store-exclusive).
    pub excl_value: u128,
    /// Size in bytes of the last load-exclusive (0 when open); for pairs, the whole pair.
    pub excl_size: u64,
    /// Registers (bit n for Xn, 31 for SP, 32 for NZCV; in `undefined_v` bit n for Vn) whose value the last
    /// exit of lifted code left undefined, being dead where it continues (`elfrun_aot`'s liveness of exits);
    /// `--lockstep` does not compare them. Nothing else reads them.
    pub undefined: u64,
    pub undefined_v: u64,
    /// Keeps `v` 16-byte aligned without implicit padding (the state is copied as bytes).
    pub _pad: u64,
    pub v: [u128; 32],
}

impl Default for CpuState {
    fn default() -> Self {
        CpuState {
            x: [0; 31],
            sp: 0,
            pc: 0,
            nzcv: 0,
            fpcr: 0,
            fpsr: 0,
            tpidr_el0: 0,
            excl_addr: u64::MAX,
            excl_value: 0,
            excl_size: 0,
            undefined: 0,
            undefined_v: 0,
            _pad: 0,
            v: [0; 32],
        }
    }
}

/// Byte offsets of the fields, for code that addresses the state in linear memory (the AOT tier).
pub mod offsets {
    use super::CpuState;
    use core::mem::offset_of;
    pub const X: usize = offset_of!(CpuState, x);
    pub const SP: usize = offset_of!(CpuState, sp);
    pub const PC: usize = offset_of!(CpuState, pc);
    pub const NZCV: usize = offset_of!(CpuState, nzcv);
    pub const FPCR: usize = offset_of!(CpuState, fpcr);
    pub const FPSR: usize = offset_of!(CpuState, fpsr);
    pub const TPIDR_EL0: usize = offset_of!(CpuState, tpidr_el0);
    pub const UNDEFINED: usize = offset_of!(CpuState, undefined);
    pub const UNDEFINED_V: usize = offset_of!(CpuState, undefined_v);
    pub const V: usize = offset_of!(CpuState, v);
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn layout_is_stable() {
        assert_eq!(offsets::X, 0);
        assert_eq!(offsets::SP, 248);
        assert_eq!(offsets::V % 16, 0);
        assert_eq!(core::mem::size_of::<CpuState>(), offsets::V + 32 * 16);
    }
}
