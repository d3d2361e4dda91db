#!/usr/bin/env bash
# The main job on a fresh machine: install what is needed, build elfrun, cross-compile an example AArch64
# program and take it through elfrun's tiers: record (interpreter + profile) → build (AOT bundle) → fast run,
# next to qemu-aarch64 for comparison.
#   scripts/demo.sh [PROGRAM.c] [ARGS...]     (default: bench/programs/primes.c at scale 0.1)
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/elfrun-target}
if [ $# -gt 0 ]; then src=$1; shift; else src=bench/programs/primes.c; set -- 0.1; fi
bash scripts/setup-test-deps.sh
cargo build --release -q -p elfrun
out=$CARGO_TARGET_DIR/demo; mkdir -p "$out"
prog=$out/$(basename "${src%.c}")-aarch64
aarch64-linux-gnu-gcc -static -O2 -o "$prog" "$src" -lm
echo "== $prog (static AArch64 ELF)"
echo "-- elfrun --record (interpreter, writes the profile)"
time "$CARGO_TARGET_DIR/release/elfrun" --record "$prog" "$@"
"$CARGO_TARGET_DIR/release/elfrun" profile show "$prog" --top 5
echo "-- elfrun build (lift the program and its profile into a Wasm bundle)"
time "$CARGO_TARGET_DIR/release/elfrun" build "$prog"
echo "-- elfrun run (AOT tier: the bundle, in wasmer)"
time "$CARGO_TARGET_DIR/release/elfrun" run --stats "$prog" "$@"
echo "-- qemu-aarch64 (reference)"
time qemu-aarch64-static "$prog" "$@"
