//! Static jump-table recovery: the targets of a `BR` that dispatches through a table of offsets, as gcc (and
//! clang) lower a dense `switch` on AArch64:
//!
//! ```text
//!     cmp   w2, #10              ; the bound: b.hi/b.hs to the default falls through, or b.ls/b.lo jumps here
//!     b.ls  1f
//!     …default…
//! 1:  adrp  x0, table
//!     add   x0, x0, :lo12:table
//!     ldrb  w0, [x0, w2, uxtw]   ; ldrb/ldrh/ldr (or ldrs*), index scaled or not
//!     adr   x2, base
//!     add   x0, x2, w0, sxtb #2  ; any extend (or lsl) and shift
//!     br    x0
//! ```
//!
//! Owns: recognising that shape in the raw instruction words and reading the table (which may lie in a
//! non-executable segment) through [`Image`]. Must not: decide what the lifted code does with the targets.
//!
//! How it matches: the straight-line run of instructions ending at the `BR` (back to the previous unconditional
//! transfer, at most [`WINDOW`] instructions) is evaluated forward over a tiny abstract domain — constants from
//! ADR/ADRP/ADD-immediate, "a load from `table` indexed by register `n`", "`base` plus an extended loaded
//! value" — with every instruction it does not model clobbering the registers it may write. A table or base
//! register the run reads without setting takes the constant of the nearest ADR/ADRP/ADRP+ADD writing it
//! before the run (at most [`LOOKBACK`] instructions back: gcc hoists the table's address out of loops). The
//! index's bound comes from a `cmp n, #imm` immediately followed by a conditional branch: inside the run
//! (`b.hi`/`b.hs` to the default, falling through), or, when the run starts at a branch target, a
//! `b.ls`/`b.lo` to that start within [`LOOKBACK`] instructions either side. A table is accepted only if every
//! one of its entries yields a 4-aligned address in an executable segment.
//!
//! Why a near miss is harmless: the recovered targets only become block starts of the function and candidate
//! targets the lifted `BR` compares its run-time address against; the address itself is still computed by the
//! lifted instructions, so a wrong or partial table costs Wasm size or a runtime lookup, never behaviour.

use crate::image::Image;

/// Instructions before a `BR` the matcher looks at.
pub const WINDOW: usize = 32;
/// Instructions before and after a run's start searched for the `cmp` + `b.ls`/`b.lo` that jumps to it, and
/// before it for the definition of a table or base register the run itself does not set (hoisted out of a
/// loop, say).
pub const LOOKBACK: u64 = 1024;
/// Largest table accepted (entries).
pub const MAX_ENTRIES: u64 = 4096;

/// What a register is known to hold at a point of the run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Val {
    Unknown,
    Const(u64),
    /// A value loaded from the table (`ldr{b,h,}` / `ldrs*` register offset).
    Loaded(Load),
    /// `base + (extend(loaded) << shift)`: the BR target.
    Target {
        base: u64,
        load: Load,
        extend: u8,
        shift: u8,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Load {
    table: u64,
    /// Valid indices `0..count`, from the bound on the index register when it was loaded.
    count: u64,
    /// log2 of the entry size.
    size: u8,
    /// The load's opc: 1 zero-extends, 2 sign-extends to 64 bits, 3 sign-extends to 32 bits.
    opc: u8,
    /// Index scaling (0 or `size`).
    scale: u8,
}

/// The state of the forward evaluation.
struct State<'i> {
    image: &'i Image,
    /// Where the run starts (definitions before it are looked up by [`def_before`]).
    start: u64,
    /// Registers the run has written so far.
    written: u32,
    regs: [Val; 32],
    /// Number of valid values of a register (and whether the bound was a 64-bit compare).
    bound: [Option<(u64, bool)>; 32],
    /// The last instruction was `cmp rn, #imm`: (rn, imm, 64-bit).
    cmp: Option<(u8, u64, bool)>,
}

impl State<'_> {
    fn clobber(&mut self, r: u32) {
        let r = r as usize & 31;
        self.regs[r] = Val::Unknown;
        self.bound[r] = None;
        self.written |= 1 << r;
    }

    /// Register `r`'s value, from its definition before the run if the run has not written it.
    fn read(&mut self, r: usize) -> Val {
        if self.regs[r] == Val::Unknown
            && self.written & (1 << r) == 0
            && let Some(v) = def_before(self.image, self.start, r as u32)
        {
            self.regs[r] = Val::Const(v);
            self.written |= 1 << r;
        }
        self.regs[r]
    }
}

/// The constant the nearest instruction before `start` writing `r` puts there (linearly, at most [`LOOKBACK`]
/// instructions back), if it is ADR, ADRP, or `ADD r, u, #imm` with `u` set by an ADRP just before it. Linear
/// order is not dominance: a wrong answer gives a table that fails its checks or extra targets, never wrong code.
fn def_before(image: &Image, start: u64, r: u32) -> Option<u64> {
    let mut pc = start;
    for _ in 0..LOOKBACK {
        pc = pc.checked_sub(4)?;
        let w = image.word(pc)?;
        if w & 31 != r || as_cmp(w).is_some() || as_bcond(w, pc).is_some() || is_store(w) {
            continue;
        }
        if let Some(v) = adr_value(w, pc) {
            return Some(v);
        }
        if w & 0xff80_0000 == 0x9100_0000 {
            let u = (w >> 5) & 31;
            let imm = u64::from((w >> 10) & 0xfff) << (12 * ((w >> 22) & 1));
            for k in 1..=8u64 {
                let p = pc.checked_sub(4 * k)?;
                let d = image.word(p)?;
                if d & 31 == u
                    && d >> 31 == 1
                    && let Some(page) = adr_value(d, p)
                {
                    return Some(page.wrapping_add(imm));
                }
            }
        }
        return None;
    }
    None
}

/// The address ADR or ADRP at `pc` forms.
fn adr_value(w: u32, pc: u64) -> Option<u64> {
    if w & 0x1f00_0000 != 0x1000_0000 {
        return None;
    }
    let imm = sext(
        u64::from((w >> 5) & 0x7ffff) << 2 | u64::from((w >> 29) & 3),
        21,
    );
    Some(if w >> 31 == 1 {
        (pc & !0xfff).wrapping_add(imm << 12)
    } else {
        pc.wrapping_add(imm)
    })
}

/// A store (general or SIMD&FP; without writeback: those write the base register, bits 5..10).
fn is_store(w: u32) -> bool {
    // Loads and stores: bit 27 set, bit 25 clear; L (bit 22) clear for the single-register and pair forms.
    w & 0x0a00_0000 == 0x0800_0000 && (w >> 22) & 1 == 0 && (w >> 29) & 1 == 1
}

fn sext(v: u64, bits: u32) -> u64 {
    let s = 64 - bits;
    (((v << s) as i64) >> s) as u64
}

/// `cmp rn, #imm` (SUBS to the zero register): (rn, imm, 64-bit).
fn as_cmp(w: u32) -> Option<(u8, u64, bool)> {
    if w & 0x7f80_001f != 0x7100_001f {
        return None;
    }
    let imm = u64::from((w >> 10) & 0xfff) << (12 * ((w >> 22) & 1));
    Some((((w >> 5) & 31) as u8, imm, w >> 31 == 1))
}

/// `b.cond`: (cond, target).
fn as_bcond(w: u32, pc: u64) -> Option<(u8, u64)> {
    if w & 0xff00_0010 != 0x5400_0000 {
        return None;
    }
    let off = sext(u64::from((w >> 5) & 0x7ffff), 19) << 2;
    Some(((w & 15) as u8, pc.wrapping_add(off)))
}

/// Whether `w` transfers control unconditionally (B, BL, BR, BLR, RET…, SVC/HVC/SMC, BRK, HLT): the run
/// before a `BR` cannot fall through it.
fn ends_run(w: u32) -> bool {
    w & 0x7c00_0000 == 0x1400_0000
        || w & 0xfe00_0000 == 0xd600_0000
        || w & 0xff00_0000 == 0xd400_0000
}

const HI: u8 = 8;
const LS: u8 = 9;
const CS: u8 = 2;
const CC: u8 = 3;

/// The bound a `cmp rn, #imm` puts on `rn` on the path where `cond` is false (`taken == false`) or true.
fn bound_of(cond: u8, taken: bool, imm: u64) -> Option<u64> {
    match (cond, taken) {
        (HI, false) | (LS, true) => imm.checked_add(1),
        (CS, false) | (CC, true) => Some(imm),
        _ => None,
    }
}

/// The targets of the jump table the `BR` at `br_pc` dispatches through, in table order (index 0 first; cases
/// sharing code repeat a target); `None` when the code before it does not have the shape above or the table
/// does not check out.
pub fn recover(image: &Image, br_pc: u64) -> Option<Vec<u64>> {
    let br = image.word(br_pc)?;
    if br & 0xffff_fc1f != 0xd61f_0000 {
        return None;
    }
    let rn = (br >> 5) & 31;
    // The run: back from the BR to just after the previous unconditional transfer.
    let mut start = br_pc;
    for _ in 0..WINDOW {
        let Some(prev) = start.checked_sub(4) else {
            break;
        };
        match image.word(prev) {
            Some(w) if !ends_run(w) => start = prev,
            _ => break,
        }
    }
    let mut st = State {
        image,
        start,
        written: 0,
        regs: [Val::Unknown; 32],
        bound: [None; 32],
        cmp: None,
    };
    // The run may start at the target of a `cmp n, #imm; b.ls start` before or after it (the largest bound
    // if there are several: too many entries fail the table's checks, too few would miss cases).
    let lo = start.saturating_sub(4 * LOOKBACK);
    for pc in (lo..start.saturating_add(4 * LOOKBACK)).step_by(4) {
        let (Some(w), Some(prev)) = (
            image.word(pc),
            pc.checked_sub(4).and_then(|p| image.word(p)),
        ) else {
            continue;
        };
        if let (Some((cond, t)), Some((n, imm, wide))) = (as_bcond(w, pc), as_cmp(prev))
            && t == start
            && let Some(count) = bound_of(cond, true, imm)
            && st.bound[n as usize].is_none_or(|(c, _)| c < count)
        {
            st.bound[n as usize] = Some((count, wide));
        }
    }
    let mut pc = start;
    while pc < br_pc {
        let w = image.word(pc)?;
        step(&mut st, w, pc);
        pc += 4;
    }
    let Val::Target {
        base,
        load,
        extend,
        shift,
    } = st.regs[rn as usize]
    else {
        return None;
    };
    if load.count == 0 || load.count > MAX_ENTRIES {
        return None;
    }
    let mut targets = Vec::with_capacity(load.count as usize);
    for i in 0..load.count {
        let at = load.table.wrapping_add(i << load.scale);
        let raw = image.data(at, 1 << load.size)?;
        let bits = 8u32 << load.size;
        let v = match load.opc {
            1 => raw,
            2 => sext(raw, bits),
            _ => sext(raw, bits) & 0xffff_ffff,
        };
        let v = match extend {
            0 => v & 0xff,
            1 => v & 0xffff,
            2 => v & 0xffff_ffff,
            4 => sext(v, 8),
            5 => sext(v, 16),
            6 => sext(v, 32),
            _ => v,
        };
        let t = base.wrapping_add(v << shift);
        if image.word(t).is_none() {
            tracing::debug!(
                "jump table of the BR at {br_pc:#x}: entry {i} gives {t:#x}, not code; table ignored"
            );
            return None;
        }
        targets.push(t);
    }
    Some(targets)
}

/// Evaluates one instruction of the run.
fn step(st: &mut State<'_>, w: u32, pc: u64) {
    let rd = w & 31;
    let rn = ((w >> 5) & 31) as usize;
    let cmp = st.cmp.take();
    // ADR / ADRP
    if w & 0x1f00_0000 == 0x1000_0000 {
        let imm = sext(
            u64::from((w >> 5) & 0x7ffff) << 2 | u64::from((w >> 29) & 3),
            21,
        );
        let v = if w >> 31 == 1 {
            (pc & !0xfff).wrapping_add(imm << 12)
        } else {
            pc.wrapping_add(imm)
        };
        st.clobber(rd);
        st.regs[rd as usize] = Val::Const(v);
        return;
    }
    // ADD (immediate), 64-bit
    if w & 0xff80_0000 == 0x9100_0000 {
        let imm = u64::from((w >> 10) & 0xfff) << (12 * ((w >> 22) & 1));
        let v = match st.read(rn) {
            Val::Const(c) if rn != 31 => Val::Const(c.wrapping_add(imm)),
            _ => Val::Unknown,
        };
        st.clobber(rd);
        st.regs[rd as usize] = v;
        return;
    }
    // ADD (extended register) or ADD (shifted register, LSL), 64-bit: base + loaded value.
    let ext = if w & 0xffe0_0000 == 0x8b20_0000 && (w >> 10) & 7 <= 4 {
        Some((((w >> 13) & 7) as u8, ((w >> 10) & 7) as u8))
    } else if w & 0xffe0_0000 == 0x8b00_0000 && (w >> 10) & 0x3f <= 4 {
        Some((3, ((w >> 10) & 0x3f) as u8))
    } else {
        None
    };
    if let Some((extend, shift)) = ext {
        let rm = ((w >> 16) & 31) as usize;
        let v = match (st.read(rn), st.read(rm)) {
            (Val::Const(base), Val::Loaded(load)) | (Val::Loaded(load), Val::Const(base))
                if rn != 31 =>
            {
                Val::Target {
                    base,
                    load,
                    extend,
                    shift,
                }
            }
            _ => Val::Unknown,
        };
        st.clobber(rd);
        st.regs[rd as usize] = v;
        return;
    }
    // LDR{B,H,}/LDRS{B,H,W} (register offset), general registers.
    if w & 0x3f20_0c00 == 0x3820_0800 {
        let size = (w >> 30) as u8;
        let opc = ((w >> 22) & 3) as u8;
        let rm = ((w >> 16) & 31) as usize;
        let option = (w >> 13) & 7;
        let scale = if (w >> 12) & 1 == 1 { size } else { 0 };
        let wide_index = match option {
            2 | 6 => Some(false),
            3 | 7 => Some(true),
            _ => None,
        };
        let valid = opc != 0 && size < 3 && !(size == 2 && opc == 3);
        let base = st.read(rn);
        let v = match (valid, base, wide_index, st.bound[rm]) {
            (true, Val::Const(table), Some(wide), Some((count, cmp_wide)))
                if rn != 31 && (cmp_wide || !wide) =>
            {
                Val::Loaded(Load {
                    table,
                    count,
                    size,
                    opc,
                    scale,
                })
            }
            _ => Val::Unknown,
        };
        st.clobber(rd);
        st.regs[rd as usize] = v;
        return;
    }
    if let Some(c) = as_cmp(w) {
        st.cmp = Some(c);
        return;
    }
    if let Some((cond, _)) = as_bcond(w, pc) {
        // Falling through this branch: the index is bounded on the way to the BR.
        if let Some((n, imm, wide)) = cmp
            && let Some(count) = bound_of(cond, false, imm)
        {
            st.bound[n as usize] = Some((count, wide));
        }
        return;
    }
    // CBZ/CBNZ, TBZ/TBNZ: no register written.
    if w & 0x7e00_0000 == 0x3400_0000 || w & 0x7e00_0000 == 0x3600_0000 {
        return;
    }
    // Anything else: assume it writes Rd, and for loads/stores also a written-back base and a pair's second
    // register. Stores write nothing, so this only ever forgets too much.
    st.clobber(rd);
    if w & 0x0a00_0000 == 0x0800_0000 {
        st.clobber(rn as u32);
        st.clobber((w >> 10) & 31);
    }
    // Anything that sets flags also ends a `cmp` + `b.cond` pairing (st.cmp was taken above).
}
