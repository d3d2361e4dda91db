//! What static discovery finds in ELF files, without lifting: roots per source, jump tables, instructions.
//!
//! `cargo run -p elfrun-aot --example discover -- ELF...` (ET_EXEC at its link address; a static-pie at 0).

use std::collections::{BTreeSet, HashMap};

fn main() {
    for path in std::env::args().skip(1) {
        let elf = match std::fs::read(&path) {
            Ok(e) => e,
            Err(e) => {
                eprintln!("{path}: {e}");
                continue;
            }
        };
        let image = match elfrun_aot::discover::Image::from_elf(&elf, 0) {
            Ok(i) => i,
            Err(e) => {
                eprintln!("{path}: {e}");
                continue;
            }
        };
        let started = std::time::Instant::now();
        let d = elfrun_aot::discover::discover(
            &image,
            &BTreeSet::new(),
            &BTreeSet::new(),
            &HashMap::new(),
            None,
        );
        println!(
            "{path}: {} functions in {:.0} ms; {}",
            d.functions.len(),
            started.elapsed().as_secs_f64() * 1e3,
            d.stats.summary()
        );
    }
}
