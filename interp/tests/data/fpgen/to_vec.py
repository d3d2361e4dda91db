#!/usr/bin/env python3
"""Turns fpgen's output (read from stdin; line format at the top of fpgen.c) into elfrun's test vectors, format 1
(docs/testing.md): ../../vectors/fp_scalar_<section>.vec, one file per kind of section (both precisions).

fpgen's grids are the full cross product of edge values per instruction word and FPCR setting (~101,000 runs);
as vectors that would be ~26 MB, so this keeps a subset that is still a superset of the edges:
  - every run that shows, for its (word, FPCR), an operand value (x0, x1, NZCV, v1, v2, v3) in its position not
    seen before: every edge value of every operation under every rounding mode / FZ / DN / AHP setting stays;
  - every run that shows a new FPSR, new output NZCV, or new (result class, FPSR) for its (word, FPCR);
  - every run that shows a new combination of operand classes (sign x zero / denormal / normal / infinity /
    quiet NaN / signalling NaN, of v1, v2, v3) for its word;
  - every "double rounding" run, every 10th random-operand run and every 25th other run.
Random-operand sections count only the class, FPSR and result features (their operand values are all new).
Usage (from this directory): qemu-aarch64-static /tmp/fpgen | python3 to_vec.py [--all OUT.vec]
`--all OUT.vec` writes every run to one file instead (~26 MB, not checked in), for
`ELFRUN_VECTOR_FILE=OUT.vec cargo test -p elfrun-interp --test difftest -- --ignored vector_file` and
`ELFRUN_VECTOR_FILE=OUT.vec cargo test -p elfrun-interp --test fp_scalar` (the exact engine on every run).
"""
import os
import sys

PAT0 = 0x5555555555555555
PAT1 = 0xAAAAAAAAAAAAAAAA
HERE = os.path.dirname(os.path.abspath(__file__))
DST = os.path.join(HERE, "..", "..", "vectors")
FORMATS = {"S": (8, 23), "D": (11, 52), "H": (5, 10)}


def fp_class(v, t):
    e, m = FORMATS[t]
    n = 1 + e + m
    v &= (1 << n) - 1
    sign, exp, frac = v >> (n - 1), (v >> m) & ((1 << e) - 1), v & ((1 << m) - 1)
    if exp == 0:
        c = "zero" if frac == 0 else "denormal"
    elif exp == (1 << e) - 1:
        c = "inf" if frac == 0 else ("qnan" if frac >> (m - 1) else "snan")
    else:
        c = "normal"
    return sign, c


def file_of(section):
    """`dp2 ty=0` -> `dp2`; `fccmp/fcsel ty=1` -> `fccmp_fcsel`; `fp->int ty=0` -> `fp_to_int`."""
    s = section.replace(" ty=0", "").replace(" ty=1", "").replace("->", "_to_")
    return "fp_scalar_" + s.replace("/", "_").replace(" ", "_")


def main():
    everything = sys.argv[1:2] == ["--all"]
    h = lambda s: int(s, 16)
    seen = set()
    files = {}
    section, n, kept = "", 0, 0
    for line in sys.stdin:
        if line.startswith("# "):
            section = line[2:].strip()
            continue
        n += 1
        f = line.split()
        word, fpcr, nzcv, x0, x1 = h(f[0]), h(f[1]), h(f[2]), h(f[3]), h(f[4])
        v_in = [PAT0 << 64 | PAT0] + [PAT1 << 64 | h(f[i]) for i in (5, 6, 7)]
        ox0, v0 = h(f[9]), h(f[10]) << 64 | h(f[11])
        if f[12] == "=":
            v1, rest = v_in[1], 13
        else:
            v1, rest = h(f[12]) << 64 | h(f[13]), 14
        fpsr, onzcv = h(f[rest]), h(f[rest + 1])

        t = "D" if "ty=1" in section else ("H" if section == "half" else "S")
        key = (word, fpcr)
        feats = [] if section.startswith("random") else [(key, "in", p, f[p]) for p in range(2, 8)]
        feats += [(word, "classes") + tuple(fp_class(h(f[p]), t) for p in (5, 6, 7)),
                  (key, "fpsr", fpsr), (key, "nzcv", onzcv), (key, "result", fp_class(v0, t), fpsr)]
        every = 10 if section.startswith("random") else 25
        if not (everything or section == "double rounding" or n % every == 0 or any(x not in seen for x in feats)):
            continue
        seen.update(feats)
        kept += 1

        ins = [f"x0={x0:#x}" if x0 else "", f"x1={x1:#x}" if x1 else "", f"nzcv={nzcv:#x}" if nzcv else "",
               f"fpcr={fpcr:#x}" if fpcr else ""]
        ins = [s for s in ins if s]
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
        out = files.setdefault("all" if everything else file_of(section), [])
        out.append(f"case fp_scalar.{section.replace(' ', '_').replace('=', '')}#{n}")
        out.append(f"code 0x400000 {word:08x}")
        if ins:
            out.append("in " + " ".join(ins))
        out.append("in " + " ".join(f"v{i}={v:#034x}" for i, v in enumerate(v_in)))
        if outs:
            out.append("out " + " ".join(outs))
        out.append("end")
    if everything:
        with open(sys.argv[2], "w") as out:
            out.write("# elfrun test vectors, format 1: every fpgen run, expected states from qemu-aarch64-static\n")
            out.write("\n".join(files["all"]) + "\n")
        print(f"{kept} runs -> {sys.argv[2]}")
        return
    for name in os.listdir(DST):
        if name.startswith("fp_scalar") and name.endswith(".vec"):
            os.remove(os.path.join(DST, name))
    for name, lines in files.items():
        head = [f"# elfrun test vectors, format 1: scalar FP edge grids ({name[10:]}), expected states from",
                "# qemu-aarch64-static; a subset of fpgen's runs (see interp/tests/data/fpgen/to_vec.py)"]
        with open(os.path.join(DST, name + ".vec"), "w") as out:
            out.write("\n".join(head + lines) + "\n")
    print(f"{kept} of {n} runs -> {len(files)} files in {os.path.normpath(DST)}")


main()
