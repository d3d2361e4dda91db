//! The elfrun side: runs vectors through `elfrun_interp` in-process (decode + `Eval::step`) over a `GuestMem`
//! backed by a `Vec<u8>` with the same addresses as the reference run, and reports every difference.

use crate::prng::scratch_bytes;
use crate::vector::{Regs, Vector};
use elfrun_interp::{CpuState, Eval, Exit, GuestMem, decode, disasm};
use std::fmt::Write as _;

/// The interpreter's state for input `r` at `pc`.
pub fn to_cpu(r: &Regs, pc: u64) -> CpuState {
    CpuState {
        x: r.x,
        sp: r.sp,
        pc,
        nzcv: r.nzcv,
        fpcr: r.fpcr,
        fpsr: r.fpsr,
        v: r.v,
        ..CpuState::default()
    }
}

/// The registers a vector checks, from the interpreter's state.
pub fn from_cpu(c: &CpuState) -> Regs {
    Regs {
        x: c.x,
        sp: c.sp,
        nzcv: c.nzcv,
        fpcr: c.fpcr,
        fpsr: c.fpsr,
        v: c.v,
    }
}

/// A flat guest memory for running vectors.
pub struct Memory {
    bytes: Vec<u8>,
}

impl Memory {
    /// Memory covering every address the vectors use.
    pub fn for_vectors(vs: &[Vector]) -> Memory {
        let top = vs
            .iter()
            .map(|v| {
                let code = v.pc + 4 * v.words.len() as u64;
                v.scratch.map_or(code, |s| code.max(s.addr + s.len))
            })
            .max()
            .unwrap_or(0);
        assert!(top < 1 << 32, "vector addresses above 4 GiB");
        Memory {
            bytes: vec![0; (top as usize + 0xfff) & !0xfff],
        }
    }

    fn guest(&mut self) -> GuestMem {
        // SAFETY: the Vec outlives every use of the view (it is only used inside `run_one`).
        unsafe { GuestMem::new(self.bytes.as_mut_ptr(), 0x1000, self.bytes.len() as u64) }
    }
}

/// One mismatch, ready to print.
#[derive(Debug)]
pub struct Mismatch {
    pub name: String,
    pub report: String,
}

/// The case's words, one line each, disassembled.
pub fn disasm_words(v: &Vector) -> String {
    let mut s = String::new();
    for (i, w) in v.words.iter().enumerate() {
        let _ = writeln!(s, "    {:#x}: {w:08x}  {}", v.pc + 4 * i as u64, disasm(*w));
    }
    s
}

/// Fills the case's scratch buffer (if it has one) in `g` with its initial bytes, and returns them.
pub fn init_scratch(g: GuestMem, v: &Vector) -> Option<Vec<u8>> {
    v.scratch.map(|s| {
        let b = scratch_bytes(s.seed, s.len as usize);
        g.write_bytes(s.addr, &b).expect("scratch inside memory");
        b
    })
}

/// The case's scratch buffer as [`init_scratch`] set it and as it is now in `g`, for [`mismatch`].
pub fn scratch_after(
    g: GuestMem,
    v: &Vector,
    initial: Option<Vec<u8>>,
) -> Option<(Vec<u8>, Vec<u8>)> {
    v.scratch.zip(initial).map(|(s, initial)| {
        let mut actual = vec![0u8; s.len as usize];
        g.read_bytes(s.addr, &mut actual)
            .expect("scratch inside memory");
        (initial, actual)
    })
}

/// Runs one vector; `None` when elfrun agrees with the expectation.
pub fn run_one(mem: &mut Memory, v: &Vector) -> Option<Mismatch> {
    let g = mem.guest();
    let code: Vec<u8> = v.words.iter().flat_map(|w| w.to_le_bytes()).collect();
    g.write_bytes(v.pc, &code).expect("code inside memory");
    let initial = init_scratch(g, v);
    let mut cpu = to_cpu(&v.input, v.pc);
    let end = v.pc + 4 * v.words.len() as u64;
    let mut problem = None;
    let mut undefined = false;
    {
        let mut ev = Eval::new(&mut cpu, g);
        let mut pc = v.pc;
        let mut steps = 0;
        while pc != end {
            steps += 1;
            if steps > 4 * v.words.len() + 16 || pc < v.pc || pc > end {
                problem = Some(format!("control left the case (pc {pc:#x})"));
                break;
            }
            let word = g.load(pc, 4).expect("pc inside memory") as u32;
            match ev.step(decode(word), pc) {
                Ok(next) => pc = next,
                Err(Exit::Undefined { word: w }) if v.undefined && pc == v.pc && w == word => {
                    undefined = true;
                    break;
                }
                Err(e) => {
                    problem = Some(format!(
                        "elfrun stopped at {pc:#x} with {e:?}; qemu completed the case"
                    ));
                    break;
                }
            }
        }
    }
    if v.undefined && !undefined && problem.is_none() {
        problem = Some("elfrun completed the case; qemu raised SIGILL".into());
    }
    mismatch(v, problem, &from_cpu(&cpu), scratch_after(g, v, initial))
}

/// What differs between the case's expectation and what an executor left: `problem` (how it stopped, if not
/// as expected), the registers `got`, and the scratch memory as initialised and as left. `None` if nothing.
pub fn mismatch(
    v: &Vector,
    problem: Option<String>,
    got: &Regs,
    scratch: Option<(Vec<u8>, Vec<u8>)>,
) -> Option<Mismatch> {
    let mut report = String::new();
    if let Some(p) = problem {
        let _ = writeln!(report, "  {p}");
    }
    for (want, have) in v.output.diff(got) {
        let _ = writeln!(
            report,
            "  {:<5} input {:<34} qemu {:<34} elfrun {}",
            want.name(),
            v.input
                .values()
                .into_iter()
                .find(|r| r.name() == want.name())
                .map(|r| r.value())
                .unwrap_or_default(),
            want.value(),
            have.value()
        );
    }
    if let (Some(s), Some((initial, actual))) = (v.scratch, scratch) {
        let mut expected = initial;
        for (addr, bytes) in &v.mem_changes {
            let o = (addr - s.addr) as usize;
            expected[o..o + bytes.len()].copy_from_slice(bytes);
        }
        let bad: Vec<usize> = (0..actual.len())
            .filter(|&i| actual[i] != expected[i])
            .collect();
        if let (Some(&first), Some(&last)) = (bad.first(), bad.last()) {
            let _ = writeln!(
                report,
                "  memory differs at {} bytes in {:#x}..={:#x}: qemu {:02x?} elfrun {:02x?}",
                bad.len(),
                s.addr + first as u64,
                s.addr + last as u64,
                &expected[first..=last.min(first + 15)],
                &actual[first..=last.min(first + 15)]
            );
        }
    }
    (!report.is_empty()).then(|| Mismatch {
        name: v.name.clone(),
        report: format!("{}\n{}{report}", v.name, disasm_words(v)),
    })
}

/// Runs every vector, returning the mismatches. A panic inside elfrun (which must never happen on any guest
/// input) is reported as that case's mismatch instead of ending the run.
pub fn run_all(vs: &[Vector]) -> Vec<Mismatch> {
    let mut mem = Memory::for_vectors(vs);
    vs.iter()
        .filter_map(|v| {
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run_one(&mut mem, v)))
                .unwrap_or_else(|p| {
                    let msg = p
                        .downcast_ref::<String>()
                        .cloned()
                        .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                        .unwrap_or_default();
                    Some(Mismatch {
                        name: v.name.clone(),
                        report: format!(
                            "{}\n{}  elfrun panicked: {msg}\n",
                            v.name,
                            disasm_words(v)
                        ),
                    })
                })
        })
        .collect()
}
