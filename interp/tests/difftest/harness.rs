//! The reference side: builds one minimal static AArch64 ELF per batch of cases (one RWX `PT_LOAD`, no libc)
//! whose code, per case, loads the input state from a data area, runs the case's words, and stores the whole
//! state to an output area; at the end one `write(1, …)` loop emits all output areas and scratch buffers, then
//! `exit(0)`. qemu-aarch64-static runs it and the output becomes the vectors' expected states.

use crate::asm::*;
use crate::prng::scratch_bytes;
use crate::vector::{Regs, Scratch, Vector, changed_runs};

/// Where the image is loaded (and where elfrun's in-process run places the same bytes).
pub const BASE: u64 = 0x40_0000;
/// Upper bound on one case's code: state load, the case's words, state store.
pub const CASE_CODE_MAX: u64 = 512;
/// Most words a case may have.
pub const MAX_WORDS: usize = 16;
/// Size of a state area: x0..x30, sp, nzcv, fpcr, fpsr, pad, v0..v31.
pub const STATE_BYTES: u64 = 35 * 8 + 8 + 32 * 16;
const OFF_SP: i32 = 248;
const OFF_NZCV: u32 = 256;
const OFF_FPCR: u32 = 264;
const OFF_FPSR: u32 = 272;
const OFF_V: i32 = 288;

/// Addresses of a batch of `n` cases.
#[derive(Clone, Copy, Debug)]
pub struct Layout {
    pub n: u64,
    pub scratch_len: u64,
}

impl Layout {
    pub fn code(&self) -> u64 {
        BASE + 0x1000
    }
    fn code_end(&self) -> u64 {
        (self.code() + self.n * CASE_CODE_MAX + 0x100 + 0xfff) & !0xfff
    }
    pub fn input(&self, i: u64) -> u64 {
        self.code_end() + i * STATE_BYTES
    }
    /// Start of what the program writes to stdout: output areas, then scratch buffers.
    pub fn out_start(&self) -> u64 {
        (self.input(self.n) + 0xfff) & !0xfff
    }
    pub fn output(&self, i: u64) -> u64 {
        self.out_start() + i * STATE_BYTES
    }
    pub fn scratch(&self, i: u64) -> u64 {
        self.output(self.n) + i * self.scratch_len
    }
    pub fn end(&self) -> u64 {
        self.scratch(self.n)
    }
}

/// A case before qemu ran it.
#[derive(Clone, Debug)]
pub struct Case {
    pub name: String,
    pub words: Vec<u32>,
    pub input: Regs,
    pub scratch: Option<Scratch>,
}

fn state_bytes(r: &Regs) -> Vec<u8> {
    let mut b = Vec::with_capacity(STATE_BYTES as usize);
    for x in r.x.iter().chain([&r.sp, &r.nzcv, &r.fpcr, &r.fpsr, &0]) {
        b.extend_from_slice(&x.to_le_bytes());
    }
    for v in &r.v {
        b.extend_from_slice(&v.to_le_bytes());
    }
    b
}

fn parse_state(b: &[u8]) -> Regs {
    let u = |i: usize| u64::from_le_bytes(b[8 * i..8 * i + 8].try_into().unwrap());
    let mut r = Regs::default();
    for i in 0..31 {
        r.x[i] = u(i);
    }
    r.sp = u(31);
    r.nzcv = u(32);
    r.fpcr = u(33);
    r.fpsr = u(34);
    for i in 0..32 {
        let o = OFF_V as usize + 16 * i;
        r.v[i] = u128::from_le_bytes(b[o..o + 16].try_into().unwrap());
    }
    r
}

fn load_state(code: &mut Vec<u32>, area: u64) {
    code.extend(mov64(0, area));
    for (off, sysreg) in [(OFF_NZCV, NZCV), (OFF_FPCR, FPCR), (OFF_FPSR, FPSR)] {
        code.push(ldr_x(true, 1, 0, off));
        code.push(msr(sysreg, 1));
    }
    code.push(ldr_x(true, 1, 0, OFF_SP as u32));
    code.push(mov_sp(31, 1));
    for q in (0..32).step_by(2) {
        code.push(ldp_q(true, q, q + 1, 0, OFF_V + 16 * q as i32));
    }
    for x in (1..31).step_by(2) {
        code.push(ldp_x(true, x, x + 1, 0, 8 * x as i32));
    }
    code.push(ldr_x(true, 0, 0, 0));
}

fn store_state(code: &mut Vec<u32>, area: u64) {
    code.push(msr(TPIDR_EL0, 0));
    code.extend(mov64(0, area));
    for x in (1..31).step_by(2) {
        code.push(ldp_x(false, x, x + 1, 0, 8 * x as i32));
    }
    code.push(mrs(1, TPIDR_EL0));
    code.push(ldr_x(false, 1, 0, 0));
    code.push(mov_sp(1, 31));
    code.push(ldr_x(false, 1, 0, OFF_SP as u32));
    for (off, sysreg) in [(OFF_NZCV, NZCV), (OFF_FPCR, FPCR), (OFF_FPSR, FPSR)] {
        code.push(mrs(1, sysreg));
        code.push(ldr_x(false, 1, 0, off));
    }
    for q in (0..32).step_by(2) {
        code.push(ldp_q(false, q, q + 1, 0, OFF_V + 16 * q as i32));
    }
}

/// `write(1, buf, len)` until done (exit 1 on error), then `exit(0)`.
fn write_and_exit(code: &mut Vec<u32>, buf: u64, len: u64) {
    code.extend(mov64(1, buf));
    code.extend(mov64(2, len));
    let top = code.len();
    code.extend([movz(0, 1, 0), movz(8, 64, 0), SVC0, cmp0(0)]);
    code.push(b_cond(COND_LE, 4 * 5)); // -> fail
    code.push(add_reg(1, 1, 0));
    code.push(subs_reg(2, 2, 0));
    code.push(b_cond(COND_NE, -4 * (code.len() - top) as i32));
    code.extend([movz(0, 0, 0), movz(8, 93, 0), SVC0]);
    code.extend([movz(0, 1, 0), movz(8, 93, 0), SVC0]); // fail:
}

/// The ELF image of a batch, and the pc of each case's first word.
pub fn build(layout: &Layout, cases: &[Case]) -> (Vec<u8>, Vec<u64>) {
    assert_eq!(cases.len() as u64, layout.n);
    let mut code: Vec<u32> = Vec::new();
    let mut pcs = Vec::new();
    for (i, c) in cases.iter().enumerate() {
        assert!(c.words.len() <= MAX_WORDS);
        load_state(&mut code, layout.input(i as u64));
        pcs.push(layout.code() + 4 * code.len() as u64);
        code.extend(&c.words);
        store_state(&mut code, layout.output(i as u64));
    }
    write_and_exit(
        &mut code,
        layout.out_start(),
        layout.end() - layout.out_start(),
    );
    assert!(layout.code() + 4 * code.len() as u64 <= layout.input(0));

    let size = (layout.end() - BASE) as usize;
    let mut img = vec![0u8; size];
    let put = |img: &mut Vec<u8>, addr: u64, bytes: &[u8]| {
        let o = (addr - BASE) as usize;
        img[o..o + bytes.len()].copy_from_slice(bytes);
    };
    let code_bytes: Vec<u8> = code.iter().flat_map(|w| w.to_le_bytes()).collect();
    put(&mut img, layout.code(), &code_bytes);
    for (i, c) in cases.iter().enumerate() {
        put(&mut img, layout.input(i as u64), &state_bytes(&c.input));
        if let Some(s) = c.scratch {
            assert_eq!(s.addr, layout.scratch(i as u64));
            put(&mut img, s.addr, &scratch_bytes(s.seed, s.len as usize));
        }
    }
    elf_header(&mut img, layout.code(), size as u64);
    (img, pcs)
}

/// Writes the ELF header and the one program header into the first bytes of the image.
fn elf_header(img: &mut [u8], entry: u64, size: u64) {
    let mut h = Vec::with_capacity(120);
    h.extend_from_slice(b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0"); // 64-bit, LE, SysV
    h.extend_from_slice(&2u16.to_le_bytes()); // ET_EXEC
    h.extend_from_slice(&183u16.to_le_bytes()); // EM_AARCH64
    h.extend_from_slice(&1u32.to_le_bytes()); // EV_CURRENT
    h.extend_from_slice(&entry.to_le_bytes());
    h.extend_from_slice(&64u64.to_le_bytes()); // e_phoff
    h.extend_from_slice(&0u64.to_le_bytes()); // e_shoff
    h.extend_from_slice(&0u32.to_le_bytes()); // e_flags
    for v in [64u16, 56, 1, 64, 0, 0] {
        // ehsize, phentsize, phnum, shentsize, shnum, shstrndx
        h.extend_from_slice(&v.to_le_bytes());
    }
    h.extend_from_slice(&1u32.to_le_bytes()); // PT_LOAD
    h.extend_from_slice(&7u32.to_le_bytes()); // PF_R | PF_W | PF_X
    h.extend_from_slice(&0u64.to_le_bytes()); // p_offset
    h.extend_from_slice(&BASE.to_le_bytes()); // p_vaddr
    h.extend_from_slice(&BASE.to_le_bytes()); // p_paddr
    h.extend_from_slice(&size.to_le_bytes()); // p_filesz
    h.extend_from_slice(&size.to_le_bytes()); // p_memsz
    h.extend_from_slice(&0x1000u64.to_le_bytes()); // p_align
    img[..h.len()].copy_from_slice(&h);
}

/// Turns the program's output into vectors.
pub fn vectors(
    layout: &Layout,
    cases: &[Case],
    pcs: &[u64],
    out: &[u8],
) -> Result<Vec<Vector>, String> {
    let want = (layout.end() - layout.out_start()) as usize;
    if out.len() != want {
        return Err(format!(
            "harness wrote {} bytes, expected {want}",
            out.len()
        ));
    }
    let at = |addr: u64| (addr - layout.out_start()) as usize;
    Ok(cases
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let o = at(layout.output(i as u64));
            let output = parse_state(&out[o..o + STATE_BYTES as usize]);
            let mem_changes = match c.scratch {
                None => Vec::new(),
                Some(s) => {
                    let before = scratch_bytes(s.seed, s.len as usize);
                    let after = &out[at(s.addr)..at(s.addr) + s.len as usize];
                    changed_runs(&before, after)
                        .into_iter()
                        .map(|(off, b)| (s.addr + off as u64, b))
                        .collect()
                }
            };
            Vector {
                name: c.name.clone(),
                pc: pcs[i],
                words: c.words.clone(),
                scratch: c.scratch,
                input: c.input.clone(),
                output,
                mem_changes,
                undefined: false,
            }
        })
        .collect())
}
