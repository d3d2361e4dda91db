#!/bin/bash
# Installs what elfrun's tests need on a fresh Debian 12 (bookworm) machine, idempotently. Run as root.
#
#   scripts/setup-test-deps.sh
#
# Installs (apt): the AArch64 cross gcc with static glibc, qemu-user-static (the reference emulator for every
# differential test), clang/lld/wasi-libc/libclang-rt wasm32 (the from-source Wasm baseline of the benchmarks),
# a host busybox (busybox-static unless one is installed: the native column of the bb-md5sum benchmark) and
# file. `apt-get update` runs once, and only when something is missing.
# Fetches Debian's arm64 busybox-static and bash-static and unpacks them into
# ${ELFRUN_CORPUS:-$HOME/.cache/elfrun-corpus}/root (bin/busybox, bin/bash-static), the guest-program corpus.
# With --busybox-suite also fetches busybox's source for its test suites (scripts/setup-busybox-suite.sh).
set -euo pipefail

busybox_suite=0
[ "${1:-}" = --busybox-suite ] && busybox_suite=1

CORPUS=${ELFRUN_CORPUS:-$HOME/.cache/elfrun-corpus}
export DEBIAN_FRONTEND=noninteractive

PKGS=(gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user-static clang lld wasi-libc
      libclang-rt-14-dev-wasm32 file)
((busybox_suite)) && PKGS+=(dpkg-dev)
# Any host busybox serves; busybox-static only where there is none (it conflicts with Debian's `busybox`).
command -v busybox >/dev/null || PKGS+=(busybox-static)

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing+=("$p")
done

need_update=0
add_arch=0
dpkg --print-foreign-architectures | grep -qx arm64 || { add_arch=1; need_update=1; }
((${#missing[@]})) && need_update=1
# `apt-get download busybox-static:arm64` needs the arm64 package lists.
if ! ls "$CORPUS"/debs/busybox-static_*_arm64.deb "$CORPUS"/debs/bash-static_*_arm64.deb >/dev/null 2>&1 &&
   ! apt-cache show busybox-static:arm64 >/dev/null 2>&1; then
  need_update=1
fi

if ((need_update)) && [ "$(id -u)" != 0 ]; then
  echo "setup-test-deps.sh: missing ${missing[*]:-arm64 package lists}; run as root to install" >&2
  exit 1
fi
if ((need_update)); then
  ((add_arch)) && dpkg --add-architecture arm64
  apt-get update -qq
fi
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

mkdir -p "$CORPUS/debs" "$CORPUS/root"
(
  cd "$CORPUS/debs"
  for p in busybox-static bash-static; do
    ls "${p}"_*_arm64.deb >/dev/null 2>&1 || apt-get download -qq "$p:arm64"
  done
)
for d in "$CORPUS"/debs/*_arm64.deb; do
  dpkg -x "$d" "$CORPUS/root"
done

for t in aarch64-linux-gnu-gcc qemu-aarch64-static clang; do
  command -v "$t" >/dev/null || { echo "setup-test-deps.sh: $t still missing" >&2; exit 1; }
done
file "$CORPUS/root/bin/busybox" "$CORPUS/root/bin/bash-static" | sed "s|$CORPUS/||"
((busybox_suite)) && "$(dirname "$0")/setup-busybox-suite.sh"
echo "test dependencies ready; corpus in $CORPUS"
