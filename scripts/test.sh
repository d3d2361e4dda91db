#!/usr/bin/env bash
# elfrun's test command (what CI runs): installs the test dependencies if missing, then runs the checks and the
# quick test pass. Long runs (full differential, busybox suites, benchmarks) have their own commands: see
# docs/testing.md.
#   scripts/test.sh            # everything CI runs
# Environment: CARGO_TARGET_DIR (default: ~/.cache/elfrun-target, kept between runs: wasmer takes ~11 min to build).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/elfrun-target}
export CARGO_TERM_COLOR=${CARGO_TERM_COLOR:-never}

step() { printf '\n== %s\n' "$*"; }

step "test dependencies"
bash scripts/setup-test-deps.sh

step "format"
cargo fmt --all -- --check

step "interp builds as no_std + alloc"
cargo clippy -q -p elfrun-interp --no-default-features -- -D warnings

step "clippy"
cargo clippy -q --workspace --all-targets -- -D warnings

step "tests"
cargo test --workspace 2>&1 | tee "$CARGO_TARGET_DIR/last-test.log"
grep -E '^test result:' "$CARGO_TARGET_DIR/last-test.log" |
  awk '{p+=$4; f+=$6; i+=$8} END {printf "\ntotal: %d passed, %d failed\n", p, f; exit (f > 0)}'
