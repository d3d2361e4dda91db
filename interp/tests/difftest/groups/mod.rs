//! The instruction groups under test, one encoding table per ARM ARM class.

mod dp_imm;
mod dp_reg;
mod fp;
mod ldst;
mod simd;

use crate::encoding::Group;

/// Bytes of scratch memory per load/store case (base pointers sit in its middle).
const LDST_SCRATCH: u64 = 4096;

pub static GROUPS: &[Group] = &[
    Group {
        name: "dp_imm",
        encodings: dp_imm::TABLE,
        scratch: 0,
        fp_values: false,
    },
    Group {
        name: "dp_reg",
        encodings: dp_reg::TABLE,
        scratch: 0,
        fp_values: false,
    },
    Group {
        name: "ldst",
        encodings: ldst::TABLE,
        scratch: LDST_SCRATCH,
        fp_values: false,
    },
    Group {
        name: "fp",
        encodings: fp::TABLE,
        scratch: 0,
        fp_values: true,
    },
    Group {
        name: "simd",
        encodings: simd::TABLE,
        scratch: 0,
        fp_values: true,
    },
];

pub fn by_name(name: &str) -> &'static Group {
    GROUPS
        .iter()
        .find(|g| g.name == name)
        .unwrap_or_else(|| panic!("no difftest group {name:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prng::Rng;

    /// Every table line is 32 bits long, and no family's constraint rejects (nearly) everything.
    #[test]
    fn tables_generate() {
        let mut rng = Rng::new(1);
        for g in GROUPS {
            for e in g.encodings {
                for _ in 0..50 {
                    let (w, _) = e
                        .generate(&mut rng)
                        .unwrap_or_else(|| panic!("{}: no word", e.name));
                    let (mask, value) = e.mask_value();
                    assert_eq!(w & mask, value, "{}", e.name);
                }
            }
        }
    }
}

#[cfg(test)]
mod yaxpeax_cross_check {
    use super::*;
    use crate::prng::Rng;

    /// A second opinion on the tables: yaxpeax-arm (an independent decoder) must call every generated word
    /// allocated. (qemu is the first: it kills a batch containing a word it considers undefined.)
    #[test]
    fn yaxpeax_accepts_generated_words() {
        let mut rng = Rng::new(2);
        let mut bad = Vec::new();
        for g in GROUPS {
            for e in g.encodings {
                for _ in 0..300 {
                    let w = e.generate(&mut rng).unwrap().0;
                    if !elfrun_interp::decode::yaxpeax_accepts(w) {
                        bad.push(format!("{}.{} {w:08x}", g.name, e.name));
                    }
                }
            }
        }
        assert!(
            bad.is_empty(),
            "words yaxpeax-arm calls unallocated: {bad:?}"
        );
    }
}
