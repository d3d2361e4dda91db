//! What static discovery finds in ELF files, without lifting: roots per source, jump tables, instructions.
//!
//! `cargo run -p elfrun-aot --example discover -- [--tables] [--lift] ELF...` (ET_EXEC at its link address; a static-pie at
//! 0). `--tables` lists the jump tables recovered. With `--lift`, also lifts everything found (as `elfrun build --scope all` without a profile, minus
//! wasmer's compilation) and prints the module's size and the time taken.

use std::collections::{BTreeSet, HashMap};

fn main() {
    let (mut lift, mut tables) = (false, false);
    for path in std::env::args().skip(1) {
        match path.as_str() {
            "--lift" => lift = true,
            "--tables" => tables = true,
            _ => {}
        }
        if path.starts_with("--") {
            continue;
        }
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
        // What the other sources find without the FDEs (how much only .eh_frame finds).
        let mut bare = elfrun_aot::discover::Image::from_elf(&elf, 0).expect("parsed once");
        bare.fdes.clear();
        let without = elfrun_aot::discover::discover(
            &bare,
            &BTreeSet::new(),
            &BTreeSet::new(),
            &HashMap::new(),
            None,
        );
        println!(
            "{path}: without FDEs: {} functions, {} instructions",
            without.functions.len(),
            without.stats.instructions
        );
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
        if tables {
            let mut sites: Vec<_> = d.jump_tables.iter().collect();
            sites.sort();
            for (site, targets) in sites {
                println!("  jump table at {site:#x}: {} targets", targets.len());
            }
        }
        if lift {
            let started = std::time::Instant::now();
            let input = elfrun_aot::BuildInput {
                elf: &elf,
                bias: 0,
                profiles: &[],
                profile_sha256: Vec::new(),
                elfrun_version: "example",
                scope: elfrun_aot::Scope::All,
                fused_madd: false,
            };
            match elfrun_aot::build(&input, &|_, _| {}) {
                Ok(b) => println!(
                    "{path}: lifted {} functions, {} instructions into {:.1} MiB of Wasm in {:.0} ms",
                    b.bundle.stats.functions,
                    b.bundle.stats.lifted + b.bundle.stats.fallback,
                    b.bundle.wasm.len() as f64 / (1 << 20) as f64,
                    started.elapsed().as_secs_f64() * 1e3
                ),
                Err(e) => eprintln!("{path}: {e}"),
            }
        }
    }
}
