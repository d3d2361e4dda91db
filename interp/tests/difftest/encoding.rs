//! Encoding tables that generate random *valid* instruction words, dynarmic-style: one line per encoding family,
//! a 32-character bit pattern (most significant bit first) whose `0`/`1` are fixed and whose letters are fields,
//! plus a constraint function that rejects or repairs field combinations the ARM ARM calls UNPREDICTABLE,
//! unallocated, or that elfrun does not advertise, and that tells the harness how to set up memory operands.
//! The family name doubles as the label in mismatch reports. Everything left out on purpose is listed, with its
//! reason, in `interp/tests/difftest-exclusions.txt`.

use crate::prng::Rng;

/// What the constraint function tells the harness about the case's input state.
#[derive(Clone, Debug, Default)]
pub struct Roles {
    /// Registers (31 = SP) used as a memory base: they get a pointer into the scratch buffer, aligned to
    /// the given number of bytes (SP is always 16-aligned).
    pub bases: Vec<(u32, u64)>,
    /// Registers used as an index (register-offset addressing): they get a small value in 0..64.
    pub indexes: Vec<u32>,
    /// The instruction is a PC-relative literal load: the case becomes `insn; b +20; 4 random words`, with
    /// the literal offset pointing into those words.
    pub literal_pool: bool,
    /// Words that follow the generated one in the same case (e.g. the store-exclusive after a
    /// load-exclusive, so the monitor's success path runs).
    pub follow: Vec<u32>,
}

/// The fields of one instruction being generated, addressed by their pattern letter.
#[derive(Debug)]
pub struct Fields {
    pub word: u32,
    pattern: &'static [u8],
}

impl Fields {
    fn positions(&self, letter: char) -> impl Iterator<Item = u32> + '_ {
        let l = letter as u8;
        self.pattern
            .iter()
            .enumerate()
            .filter(move |(_, c)| **c == l)
            .map(|(i, _)| 31 - i as u32)
    }

    /// The field's value (its bits in pattern order, most significant first).
    pub fn get(&self, letter: char) -> u32 {
        let mut v = 0;
        for p in self.positions(letter) {
            v = (v << 1) | ((self.word >> p) & 1);
        }
        v
    }

    pub fn set(&mut self, letter: char, value: u32) {
        let pos: Vec<u32> = self.positions(letter).collect();
        assert!(!pos.is_empty(), "no field {letter}");
        for (i, p) in pos.iter().enumerate() {
            let b = (value >> (pos.len() - 1 - i)) & 1;
            self.word = (self.word & !(1 << p)) | (b << p);
        }
    }

    /// Width of the field in bits.
    pub fn width(&self, letter: char) -> u32 {
        self.positions(letter).count() as u32
    }
}

/// Decides whether generated fields are acceptable (possibly adjusting them) and fills in the roles.
pub type Constraint = fn(&mut Fields, &mut Rng, &mut Roles) -> bool;

/// One encoding family.
#[derive(Debug)]
pub struct Enc {
    pub name: &'static str,
    pub pattern: &'static str,
    pub constraint: Constraint,
}

/// No constraint beyond the pattern.
pub fn any(_: &mut Fields, _: &mut Rng, _: &mut Roles) -> bool {
    true
}

/// Shorthand for table lines.
pub const fn enc(name: &'static str, pattern: &'static str, constraint: Constraint) -> Enc {
    Enc {
        name,
        pattern,
        constraint,
    }
}

impl Enc {
    /// `(mask, value)` of the fixed bits.
    pub fn mask_value(&self) -> (u32, u32) {
        let mut mask = 0;
        let mut value = 0;
        for (i, c) in self.pattern.bytes().enumerate() {
            let bit = 1u32 << (31 - i);
            match c {
                b'0' => mask |= bit,
                b'1' => {
                    mask |= bit;
                    value |= bit;
                }
                _ => {}
            }
        }
        (mask, value)
    }

    /// Generates one word; `None` when the constraint rejected 10,000 attempts (a table bug).
    pub fn generate(&self, rng: &mut Rng) -> Option<(u32, Roles)> {
        assert_eq!(
            self.pattern.len(),
            32,
            "pattern of {} is not 32 bits",
            self.name
        );
        let (mask, value) = self.mask_value();
        for _ in 0..10_000 {
            let mut f = Fields {
                word: (rng.next_u32() & !mask) | value,
                pattern: self.pattern.as_bytes(),
            };
            let mut roles = Roles::default();
            if (self.constraint)(&mut f, rng, &mut roles) {
                debug_assert_eq!(
                    f.word & mask,
                    value,
                    "{} constraint changed fixed bits",
                    self.name
                );
                return Some((f.word, roles));
            }
        }
        None
    }
}

/// A group of encoding families tested together (one test, one report).
#[derive(Debug)]
pub struct Group {
    pub name: &'static str,
    pub encodings: &'static [Enc],
    /// Bytes of scratch memory per case (0: the group does not access memory).
    pub scratch: u64,
    /// Whether V registers get floating-point edge values rather than random bits.
    pub fp_values: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_round_trip() {
        let e = enc("ADD_imm", "z0010001ssiiiiiiiiiiiinnnnnddddd", any);
        let (mask, value) = e.mask_value();
        assert_eq!(mask, 0x7f00_0000);
        assert_eq!(value, 0x1100_0000);
        let mut f = Fields {
            word: 0x9100_0420, // add x0, x1, #1
            pattern: e.pattern.as_bytes(),
        };
        assert_eq!(f.get('z'), 1);
        assert_eq!(f.get('i'), 1);
        assert_eq!(f.get('n'), 1);
        assert_eq!(f.width('i'), 12);
        f.set('d', 31);
        assert_eq!(f.word, 0x9100_043f);
    }
}
