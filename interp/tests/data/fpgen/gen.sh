#!/bin/sh
# Regenerates the scalar FP test vectors ../../vectors/fp_scalar_*.vec (a superset of the edges of fpgen's runs,
# see to_vec.py) by running fpgen under qemu; `sh gen.sh --all OUT.vec` writes every run to OUT.vec instead.
# Needs aarch64-linux-gnu-gcc, qemu-aarch64-static and python3. Usage: sh gen.sh (from this directory).
set -e
aarch64-linux-gnu-gcc -O1 -static -o /tmp/fpgen fpgen.c run.S
qemu-aarch64-static /tmp/fpgen > /tmp/fp_scalar.txt
wc -l /tmp/fp_scalar.txt
python3 to_vec.py "$@" < /tmp/fp_scalar.txt
