#!/bin/bash
# Long random differential run of elfrun's interpreter against qemu-aarch64-static (see docs/testing.md).
#
#   scripts/difftest-long.sh [GROUP,GROUP,...]
#
# Environment:
#   ELFRUN_DIFFTEST_COUNT  cases (one instruction each) per group   (default 1000000)
#   ELFRUN_DIFFTEST_SEED   PRNG seed, hex                            (default: the CI seed)
#   ELFRUN_DIFFTEST_SAVE   directory to write <group>.vec vector files into (optional; large)
# Groups: dp_imm dp_reg ldst fp simd (default: all).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -ge 1 ]; then export ELFRUN_DIFFTEST_GROUPS=$1; fi
export ELFRUN_DIFFTEST_COUNT=${ELFRUN_DIFFTEST_COUNT:-1000000}
command -v qemu-aarch64-static >/dev/null ||
  { echo "qemu-aarch64-static missing: run scripts/setup-test-deps.sh (as root)" >&2; exit 1; }
exec cargo test --release -p elfrun-interp --test difftest long_run -- --ignored --nocapture
