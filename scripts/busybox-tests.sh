#!/bin/sh
# Runs BusyBox's own upstream test suites against Debian's arm64 busybox-static, executed through INTERP
# (registered for AArch64 ELF in a private binfmt_misc namespace, see binfmt-ns.sh).
#   scripts/busybox-tests.sh INTERP [CORPUS_DIR] [APPLET...]
# INTERP: the elfrun binary (target/release/elfrun), or /usr/libexec/qemu-binfmt/aarch64-binfmt-P.
# CORPUS_DIR (default $HOME/.cache/elfrun-corpus) holds root/bin/busybox and busybox-src/ (see
# scripts/setup-busybox-suite.sh). With APPLETs only those testsuite/*.tests run, and not the ash tests.
# Reference, INTERP=/usr/libexec/qemu-binfmt/aarch64-binfmt-P (qemu-user-static 7.2):
#   testsuite/runtest: 856 passed, 0 failed (12 skipped);  shell/ash_test: 329 passed, 4 failed (324/9 before
#   binfmt-ns.sh closed inherited descriptors; exitcode_trap6, one of the 4, is a timing race)
# Prints one summary line per suite; logs stay in a temporary folder whose path is printed.
# Each suite is stopped after BUSYBOX_TESTS_TIMEOUT seconds (default 2400; a loaded machine may need more).
# BUSYBOX_TESTS_SUITES (default "runtest ash") picks the suites, e.g. to run them in two parallel invocations.
# ELFRUN_TIER=aot (exported) runs every guest process in the AOT tier; docs/testing.md has the recording steps.
set -u
here=$(cd "$(dirname "$0")" && pwd)
[ $# -ge 1 ] || { echo "usage: $0 INTERP [CORPUS_DIR] [APPLET...]" >&2; exit 2; }
interp=$1; C=${2:-$HOME/.cache/elfrun-corpus}; limit=${BUSYBOX_TESTS_TIMEOUT:-2400}; [ $# -ge 2 ] && shift 2 || shift 1
[ -x "$C/root/bin/busybox" ] && [ -d "$C/busybox-src/testsuite" ] ||
  { echo "no busybox corpus in $C (run scripts/setup-busybox-suite.sh)" >&2; exit 2; }
W=$(mktemp -d /tmp/bbtests.XXXXXX)
cp "$C/root/bin/busybox" "$W/busybox"
cp -a "$C/busybox-src/testsuite" "$W/testsuite"; cp "$C/busybox-src/debian/config/pkg/static" "$W/.config"
rm -f "$W/testsuite/mdev.tests"
suites=${BUSYBOX_TESTS_SUITES:-runtest ash}; [ $# -gt 0 ] && suites=runtest
cd "$W/testsuite"
case " $suites " in *" runtest "*)
  SKIP_KNOWN_BUGS=y LANG=C.UTF-8 LC_ALL=C.UTF-8 SKIP_INTERNET_TESTS=y SHELL=/bin/sh ECHO=/bin/echo \
    timeout "$limit" "$here/binfmt-ns.sh" "$interp" ./runtest "$@" > "$W/runtest.log" 2>&1
  echo "busybox testsuite: $(grep -c '^PASS:' "$W/runtest.log") passed, $(grep -c '^FAIL:' "$W/runtest.log") failed, $(grep -c '^SKIPPED:' "$W/runtest.log") skipped"
esac
case " $suites " in *" ash "*)
  cp -a "$C/busybox-src/shell/ash_test" "$W/ash_test"; cp "$W/.config" "$W/ash_test/.config"; ln -s ../busybox "$W/ash_test/ash"
  cd "$W/ash_test" && timeout "$limit" "$here/binfmt-ns.sh" "$interp" ./run-all > "$W/ash.log" 2>&1
  echo "ash tests: $(grep -c ': ok$' "$W/ash.log") passed, $(grep -c ': fail$' "$W/ash.log") failed"
esac
echo "logs: $W"
