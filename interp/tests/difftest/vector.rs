//! elfrun's test-vector format: instruction words, input state, expected output state. One text format for
//! every executor (the interpreter now, the AOT tier later); qemu-aarch64 produces the expectations.
//! The format is specified in docs/testing.md; this module is its only reader and writer.

use std::fmt::Write as _;

/// The architectural state a vector sets and checks.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Regs {
    pub x: [u64; 31],
    pub sp: u64,
    pub nzcv: u64,
    pub fpcr: u64,
    pub fpsr: u64,
    pub v: [u128; 32],
}

/// A named register value, for diffs and the text format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RegVal {
    X(usize, u64),
    Sp(u64),
    Nzcv(u64),
    Fpcr(u64),
    Fpsr(u64),
    V(usize, u128),
}

impl RegVal {
    pub fn name(&self) -> String {
        match self {
            RegVal::X(i, _) => format!("x{i}"),
            RegVal::Sp(_) => "sp".into(),
            RegVal::Nzcv(_) => "nzcv".into(),
            RegVal::Fpcr(_) => "fpcr".into(),
            RegVal::Fpsr(_) => "fpsr".into(),
            RegVal::V(i, _) => format!("v{i}"),
        }
    }

    pub fn value(&self) -> String {
        match *self {
            RegVal::X(_, v)
            | RegVal::Sp(v)
            | RegVal::Nzcv(v)
            | RegVal::Fpcr(v)
            | RegVal::Fpsr(v) => {
                format!("{v:#x}")
            }
            RegVal::V(_, v) => format!("{v:#034x}"),
        }
    }
}

impl Regs {
    /// Every register, in a fixed order.
    pub fn values(&self) -> Vec<RegVal> {
        let mut out: Vec<RegVal> = (0..31).map(|i| RegVal::X(i, self.x[i])).collect();
        out.extend([
            RegVal::Sp(self.sp),
            RegVal::Nzcv(self.nzcv),
            RegVal::Fpcr(self.fpcr),
            RegVal::Fpsr(self.fpsr),
        ]);
        out.extend((0..32).map(|i| RegVal::V(i, self.v[i])));
        out
    }

    pub fn set(&mut self, r: RegVal) {
        match r {
            RegVal::X(i, v) => self.x[i] = v,
            RegVal::Sp(v) => self.sp = v,
            RegVal::Nzcv(v) => self.nzcv = v,
            RegVal::Fpcr(v) => self.fpcr = v,
            RegVal::Fpsr(v) => self.fpsr = v,
            RegVal::V(i, v) => self.v[i] = v,
        }
    }

    /// `(expected, actual)` pairs of registers that differ.
    pub fn diff(&self, other: &Regs) -> Vec<(RegVal, RegVal)> {
        self.values()
            .into_iter()
            .zip(other.values())
            .filter(|(a, b)| a != b)
            .collect()
    }
}

/// Scratch memory: `len` bytes at `addr`, initially the SplitMix64 stream of `seed`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Scratch {
    pub addr: u64,
    pub len: u64,
    pub seed: u64,
}

/// One test case with its expected outcome.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Vector {
    /// `group.Family` plus a sequence number, e.g. `dp_imm.ADD_imm#17`.
    pub name: String,
    /// Address of the first word.
    pub pc: u64,
    /// Executed from `pc` until execution reaches `pc + 4 * words.len()`.
    pub words: Vec<u32>,
    pub scratch: Option<Scratch>,
    pub input: Regs,
    pub output: Regs,
    /// Scratch bytes after the case: runs of `(addr, bytes)` that differ from the initial contents.
    pub mem_changes: Vec<(u64, Vec<u8>)>,
    /// `expect undefined`: the first word raises SIGILL (elfrun: `Exit::Undefined`) and changes nothing.
    pub undefined: bool,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// Runs of bytes where `after` differs from `before`, as `(offset, bytes)`.
pub fn changed_runs(before: &[u8], after: &[u8]) -> Vec<(usize, Vec<u8>)> {
    let mut runs: Vec<(usize, Vec<u8>)> = Vec::new();
    for (i, (a, b)) in before.iter().zip(after).enumerate() {
        if a == b {
            continue;
        }
        match runs.last_mut() {
            Some((start, bytes)) if *start + bytes.len() == i => bytes.push(*b),
            _ => runs.push((i, vec![*b])),
        }
    }
    runs
}

fn write_regs(out: &mut String, key: &str, regs: &[RegVal]) {
    for chunk in regs.chunks(8) {
        out.push_str(key);
        for r in chunk {
            let _ = write!(out, " {}={}", r.name(), r.value());
        }
        out.push('\n');
    }
}

impl Vector {
    pub fn to_text(&self) -> String {
        let mut s = format!("case {}\ncode {:#x}", self.name, self.pc);
        for w in &self.words {
            let _ = write!(s, " {w:08x}");
        }
        s.push('\n');
        if let Some(sc) = self.scratch {
            let _ = writeln!(s, "scratch {:#x} {:#x} {:#x}", sc.addr, sc.len, sc.seed);
        }
        let nonzero: Vec<RegVal> = Regs::default()
            .diff(&self.input)
            .into_iter()
            .map(|(_, b)| b)
            .collect();
        write_regs(&mut s, "in", &nonzero);
        let changed: Vec<RegVal> = self
            .input
            .diff(&self.output)
            .into_iter()
            .map(|(_, b)| b)
            .collect();
        write_regs(&mut s, "out", &changed);
        for (addr, bytes) in &self.mem_changes {
            let _ = writeln!(s, "mem {addr:#x} {}", hex(bytes));
        }
        if self.undefined {
            s.push_str("expect undefined\n");
        }
        s.push_str("end\n");
        s
    }
}

fn parse_u64(t: &str) -> Result<u64, String> {
    let h = t
        .strip_prefix("0x")
        .ok_or_else(|| format!("expected 0x-prefixed hex, got {t:?}"))?;
    u64::from_str_radix(h, 16).map_err(|e| format!("{t:?}: {e}"))
}

fn parse_reg(tok: &str) -> Result<RegVal, String> {
    let (name, val) = tok
        .split_once('=')
        .ok_or_else(|| format!("expected reg=value, got {tok:?}"))?;
    let small = || parse_u64(val);
    Ok(match name {
        "sp" => RegVal::Sp(small()?),
        "nzcv" => RegVal::Nzcv(small()?),
        "fpcr" => RegVal::Fpcr(small()?),
        "fpsr" => RegVal::Fpsr(small()?),
        _ => {
            let idx = |p: &str, max: usize| -> Result<usize, String> {
                let i: usize = name[p.len()..]
                    .parse()
                    .map_err(|_| format!("bad register {name:?}"))?;
                if i < max {
                    Ok(i)
                } else {
                    Err(format!("bad register {name:?}"))
                }
            };
            if name.starts_with('x') {
                RegVal::X(idx("x", 31)?, small()?)
            } else if name.starts_with('v') {
                let h = val
                    .strip_prefix("0x")
                    .ok_or_else(|| format!("bad value {val:?}"))?;
                let v = u128::from_str_radix(h, 16).map_err(|e| format!("{val:?}: {e}"))?;
                RegVal::V(idx("v", 32)?, v)
            } else {
                return Err(format!("unknown register {name:?}"));
            }
        }
    })
}

/// Parses a vector file. Lines starting with `#` and blank lines are ignored.
pub fn parse(text: &str) -> Result<Vec<Vector>, String> {
    let mut out = Vec::new();
    let mut cur: Option<Vector> = None;
    for (ln, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let err = |e: String| format!("line {}: {e}", ln + 1);
        let mut toks = line.split_whitespace();
        let key = toks.next().unwrap_or_default();
        if key == "case" {
            if cur.is_some() {
                return Err(err("`case` before `end`".into()));
            }
            cur = Some(Vector {
                name: toks.next().unwrap_or_default().to_string(),
                pc: 0,
                words: Vec::new(),
                scratch: None,
                input: Regs::default(),
                output: Regs::default(),
                mem_changes: Vec::new(),
                undefined: false,
            });
            continue;
        }
        let v = cur
            .as_mut()
            .ok_or_else(|| err(format!("`{key}` outside a case")))?;
        match key {
            "code" => {
                v.pc = parse_u64(toks.next().unwrap_or_default()).map_err(err)?;
                for t in toks {
                    v.words
                        .push(u32::from_str_radix(t, 16).map_err(|e| err(format!("{t:?}: {e}")))?);
                }
            }
            "scratch" => {
                let mut n = || parse_u64(toks.next().unwrap_or_default()).map_err(err);
                v.scratch = Some(Scratch {
                    addr: n()?,
                    len: n()?,
                    seed: n()?,
                });
            }
            "in" => {
                for t in toks {
                    let r = parse_reg(t).map_err(err)?;
                    v.input.set(r);
                    v.output.set(r);
                }
            }
            "out" => {
                for t in toks {
                    v.output.set(parse_reg(t).map_err(err)?);
                }
            }
            "mem" => {
                let addr = parse_u64(toks.next().unwrap_or_default()).map_err(err)?;
                let h = toks.next().unwrap_or_default();
                if h.len() % 2 != 0 {
                    return Err(err("odd number of hex digits".into()));
                }
                let bytes = (0..h.len() / 2)
                    .map(|i| u8::from_str_radix(&h[2 * i..2 * i + 2], 16))
                    .collect::<Result<Vec<u8>, _>>()
                    .map_err(|e| err(e.to_string()))?;
                v.mem_changes.push((addr, bytes));
            }
            "expect" => match toks.next() {
                Some("undefined") => v.undefined = true,
                t => return Err(err(format!("unknown expectation {t:?}"))),
            },
            "end" => {
                let v = cur.take().expect("checked above");
                if v.undefined && (v.output != v.input || !v.mem_changes.is_empty()) {
                    return Err(err("`expect undefined` with `out` or `mem` lines".into()));
                }
                out.push(v);
            }
            _ => return Err(err(format!("unknown key {key:?}"))),
        }
    }
    if cur.is_some() {
        return Err("file ends inside a case".into());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_round_trip() {
        let mut input = Regs::default();
        input.x[1] = 5;
        input.v[3] = 1 << 100;
        input.nzcv = 0x6000_0000;
        let mut output = input.clone();
        output.x[0] = 6;
        let v = Vector {
            name: "dp_imm.ADD_imm#0".into(),
            pc: 0x40_1000,
            words: vec![0x9100_0420],
            scratch: Some(Scratch {
                addr: 0x50_0000,
                len: 0x1000,
                seed: 7,
            }),
            input,
            output,
            mem_changes: vec![(0x50_0010, vec![1, 2, 0xff])],
            undefined: false,
        };
        let text = v.to_text();
        assert!(text.contains("out x0=0x6\n"), "{text}");
        assert_eq!(parse(&text).unwrap(), vec![v.clone()]);
        let mut u = v;
        u.output = u.input.clone();
        u.mem_changes.clear();
        u.undefined = true;
        let text = u.to_text();
        assert!(text.contains("expect undefined\nend\n"), "{text}");
        assert_eq!(parse(&text).unwrap(), vec![u]);
        assert!(parse("case a\ncode 0x1000 0\nout x0=0x1\nexpect undefined\nend\n").is_err());
    }
}
