#!/bin/bash
# Fetches Debian's busybox source (the version of the arm64 busybox-static in the corpus) for its upstream test
# suites, which scripts/busybox-tests.sh runs. Idempotent; needs dpkg-dev (dpkg-source) and network access.
#   scripts/setup-busybox-suite.sh
# Result: ${ELFRUN_CORPUS:-$HOME/.cache/elfrun-corpus}/busybox-src (testsuite/, shell/ash_test/, debian/config).
# Uses a private apt source list (bookworm deb-src), so the system's apt configuration is not touched.
# Run scripts/setup-test-deps.sh first (it fetches the busybox binary itself).
set -euo pipefail
C=${ELFRUN_CORPUS:-$HOME/.cache/elfrun-corpus}
if [ -d "$C/busybox-src/testsuite" ]; then
  echo "busybox source already in $C/busybox-src"
  exit 0
fi
command -v dpkg-source >/dev/null || { echo "setup-busybox-suite.sh: needs dpkg-dev (dpkg-source)" >&2; exit 1; }
s=$C/apt-src
mkdir -p "$s/lists/partial"
printf 'deb-src http://deb.debian.org/debian bookworm main\ndeb-src http://deb.debian.org/debian-security bookworm-security main\n' \
  > "$s/sources.list"
o=(-o Dir::Etc::SourceList="$s/sources.list" -o Dir::Etc::SourceParts=/dev/null -o Dir::State::Lists="$s/lists")
apt-get "${o[@]}" update -qq
(
  cd "$s"
  apt-get "${o[@]}" source -qq --download-only busybox
  rm -rf "$C/busybox-src"
  dpkg-source -x busybox_*.dsc "$C/busybox-src" >/dev/null
)
echo "busybox source ready in $C/busybox-src"
