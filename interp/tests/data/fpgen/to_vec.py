#!/usr/bin/env python3
"""Writes a sample of ../fp_scalar.txt in elfrun's test-vector format (docs/testing.md) to
../../vectors/fp_scalar.vec, so every executor (the interpreter now, the AOT tier later) runs those cases.
Sample: all "double rounding" cases and every 25th case of the other sections. Usage: python3 to_vec.py"""
import os

PAT0 = 0x5555555555555555
PAT1 = 0xAAAAAAAAAAAAAAAA
here = os.path.dirname(os.path.abspath(__file__))
src = os.path.join(here, "..", "fp_scalar.txt")
dst = os.path.join(here, "..", "..", "vectors", "fp_scalar.vec")

out = ["# elfrun test vectors, format 1: a sample of interp/tests/data/fp_scalar.txt (scalar FP edge grids),",
       "# expected states from qemu-aarch64-static; regenerate with interp/tests/data/fpgen/gen.sh"]
section, n, kept = "", 0, 0
for line in open(src):
    if line.startswith("# "):
        section = line[2:].strip()
        continue
    n += 1
    if section != "double rounding" and n % 25:
        continue
    f = line.split()
    h = lambda s: int(s, 16)
    word, fpcr, nzcv, x0, x1 = h(f[0]), h(f[1]), h(f[2]), h(f[3]), h(f[4])
    v_in = [PAT0 << 64 | PAT0] + [PAT1 << 64 | h(f[i]) for i in (5, 6, 7)]
    ox0, v0 = h(f[9]), h(f[10]) << 64 | h(f[11])
    if f[12] == "=":
        v1, rest = v_in[1], 13
    else:
        v1, rest = h(f[12]) << 64 | h(f[13]), 14
    fpsr, onzcv = h(f[rest]), h(f[rest + 1])
    ins = [f"x0={x0:#x}" if x0 else "", f"x1={x1:#x}" if x1 else "", f"nzcv={nzcv:#x}" if nzcv else "",
           f"fpcr={fpcr:#x}" if fpcr else ""]
    outs = []
    if ox0 != x0:
        outs.append(f"x0={ox0:#x}")
    if onzcv != nzcv:
        outs.append(f"nzcv={onzcv:#x}")
    if fpsr:
        outs.append(f"fpsr={fpsr:#x}")
    if v0 != v_in[0]:
        outs.append(f"v0={v0:#034x}")
    if v1 != v_in[1]:
        outs.append(f"v1={v1:#034x}")
    kept += 1
    out.append(f"case fp_scalar.{section.replace(' ', '_').replace('=', '')}#{n}")
    out.append(f"code 0x400000 {word:08x}")
    ins = [s for s in ins if s]
    if ins:
        out.append("in " + " ".join(ins))
    out.append("in " + " ".join(f"v{i}={v:#034x}" for i, v in enumerate(v_in)))
    if outs:
        out.append("out " + " ".join(outs))
    out.append("end")
open(dst, "w").write("\n".join(out) + "\n")
print(f"{kept} of {n} cases -> {dst}")
