#!/bin/sh
# Regenerates ../fp_scalar.txt (expected results of interp's scalar FP tests) by running fpgen under qemu,
# and its sample in the common vector format, ../../vectors/fp_scalar.vec (to_vec.py).
# Needs aarch64-linux-gnu-gcc and qemu-aarch64-static. Usage: sh gen.sh (from this directory).
set -e
aarch64-linux-gnu-gcc -O1 -static -o /tmp/fpgen fpgen.c run.S
qemu-aarch64-static /tmp/fpgen > ../fp_scalar.txt
wc -l ../fp_scalar.txt
python3 to_vec.py
