#!/bin/bash
# Long random differential run of elfrun's interpreter against qemu-aarch64-static (see docs/testing.md).
#
#   scripts/difftest-long.sh [GROUP,GROUP,...]
#
# Environment:
#   ELFRUN_DIFFTEST_COUNT  cases (one instruction each) per group   (default 1000000)
#   ELFRUN_DIFFTEST_SEED   PRNG seed, hex                            (default: the CI seed)
#   ELFRUN_DIFFTEST_SAVE   directory to write <group>.vec vector files into (optional; large)
#   ELFRUN_DIFFTEST_LIFTED set (to anything): also run every generated case in lifted code, the AOT tier
#                          (rt/tests/lifted_vectors.rs; the vector files go to ELFRUN_DIFFTEST_SAVE, or to a
#                          temporary directory removed afterwards). About 4 ms per case in the debug build.
# Groups: dp_imm dp_reg ldst fp simd (default: all).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -ge 1 ]; then export ELFRUN_DIFFTEST_GROUPS=$1; fi
export ELFRUN_DIFFTEST_COUNT=${ELFRUN_DIFFTEST_COUNT:-1000000}
command -v qemu-aarch64-static >/dev/null ||
  { echo "qemu-aarch64-static missing: run scripts/setup-test-deps.sh (as root)" >&2; exit 1; }
if [ -z "${ELFRUN_DIFFTEST_LIFTED:-}" ]; then
  exec cargo test --release -p elfrun-interp --test difftest long_run -- --ignored --nocapture
fi
if [ -z "${ELFRUN_DIFFTEST_SAVE:-}" ]; then
  ELFRUN_DIFFTEST_SAVE=$(mktemp -d /tmp/difftest.XXXXXX)
  trap 'rm -rf "$ELFRUN_DIFFTEST_SAVE"' EXIT
fi
export ELFRUN_DIFFTEST_SAVE
cargo test --release -p elfrun-interp --test difftest long_run -- --ignored --nocapture
for f in "$ELFRUN_DIFFTEST_SAVE"/*.vec; do
  ELFRUN_VECTOR_FILE=$f cargo test -p elfrun --test lifted_vectors vector_file -- --ignored --nocapture
done
