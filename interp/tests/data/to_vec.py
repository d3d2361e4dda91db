#!/usr/bin/env python3
"""Writes qemu reference runs as elfrun test vectors, format 1 (docs/testing.md), the one format
`difftest`'s `checked_in_vectors` runs (interp/tests/vectors/*.vec).

    qemu-aarch64-static -cpu cortex-a57 /tmp/gen_dp_reg vectors | python3 to_vec.py dp_reg > ../vectors/dp_reg_qemu.vec
    qemu-aarch64-static -cpu cortex-a57 /tmp/gen_crypto | python3 to_vec.py crypto > ../vectors/crypto_qemu.vec

`gen_dp_reg` / `gen_crypto` print one line per run (formats at the top of each .c file); this turns each line into
a case with the harness's whole input state (harness.h: every register not set by the case holds its fill value)
and the registers qemu changed. SIGILL lines become `expect undefined` cases. `gen_simd_vectors.py` calls
`simd_case` directly. Lines that are not runs (crypto's `alloc`/`aes_round_keys`) are skipped here.
"""
import sys

PC = 0x400000
# What harness.S / simd_oracle.c leave in the registers a run does not set (see gen_dp_reg.c, gen_crypto.c).
DP_REG_X_FILL = 0xa5a5000000000000
CRYPTO_V_FILL = 0xa5a5a5a5a5a5a5a5 << 64
HARNESS_SP = 0x7ffff000


def regs_line(key, regs):
    """`in`/`out` lines, eight registers each."""
    out = []
    for i in range(0, len(regs), 8):
        out.append(key + ''.join(' %s=%s' % r for r in regs[i:i + 8]))
    return out


def x(v):
    return '%#x' % v


def q(v):
    return '0x%032x' % v


def case(name, word, inp, out=None, comment=None):
    """One format-1 case; `inp` and `out` are lists of (register, formatted value); `out=None`: SIGILL."""
    lines = ['# ' + comment] if comment else []
    lines += ['case ' + name, 'code %#x %08x' % (PC, word)]
    lines += regs_line('in', inp)
    if out is None:
        lines.append('expect undefined')
    else:
        lines += regs_line('out', out)
    lines.append('end')
    return '\n'.join(lines) + '\n'


def dp_reg(lines):
    """`<word> <nzcv> <x1> <x2> <x3> <sp> -> <nzcv'> [<reg>=<value> ...]` or `<word> SIGILL`."""
    seq = {}
    for line in lines:
        f = line.split()
        if not f:
            continue
        word = int(f[0], 16)
        k = seq[word] = seq.get(word, -1) + 1
        name = 'dp_reg_qemu.%08x#%d' % (word, k)
        xs = [DP_REG_X_FILL | i for i in range(31)]
        if f[1] == 'SIGILL':
            inp = [('x%d' % i, x(xs[i])) for i in range(31)] + [('sp', x(HARNESS_SP))]
            yield case(name, word, inp)
            continue
        assert f[6] == '->', line
        nzcv, xs[1], xs[2], xs[3], sp = (int(t, 16) for t in f[1:6])
        inp = [('x%d' % i, x(xs[i])) for i in range(31) if xs[i]] + [('sp', x(sp))]
        if nzcv:
            inp.append(('nzcv', x(nzcv)))
        out = []
        nzcv_out = int(f[7], 16)
        if nzcv_out != nzcv:
            out.append(('nzcv', x(nzcv_out)))
        for ch in f[8:]:
            reg, val = ch.split('=')
            assert val != 'CHANGED' and (reg == 'sp' or reg[0] == 'x'), line
            out.append((reg, x(int(val, 16))))
        yield case(name, word, inp, out)


def crypto(lines):
    """`<word> <v0> <v1> <v2> -> [<reg>=<value> ...]` (128-bit hex) or `<word> SIGILL`."""
    seq = {}
    for line in lines:
        f = line.split()
        if not f or f[0] in ('alloc', 'aes_round_keys'):
            continue
        word = int(f[0], 16)
        k = seq[word] = seq.get(word, -1) + 1
        name = 'crypto_qemu.%08x#%d' % (word, k)
        vs = [CRYPTO_V_FILL | i for i in range(32)]
        if f[1] == 'SIGILL':
            yield case(name, word, [('sp', x(HARNESS_SP))] + [('v%d' % i, q(vs[i])) for i in range(32)])
            continue
        assert f[4] == '->', line
        vs[0], vs[1], vs[2] = (int(t, 16) for t in f[1:4])
        inp = [('sp', x(HARNESS_SP))] + [('v%d' % i, q(vs[i])) for i in range(32) if vs[i]]
        out = []
        for ch in f[5:]:
            reg, val = ch.split('=')
            assert val != 'CHANGED' and reg[0] == 'v', line
            out.append((reg, q(int(val, 16))))
        yield case(name, word, inp, out)


def simd_case(name, word, st, res, asm):
    """A `simd_oracle` run: input set `st` (dict fpcr, x1, v = five (lo, hi) pairs; v5..v31, x0, FPSR zero) and
    its result `res`: 'v0lo v0hi x0 fpsr' (hex), 'ILL' or 'SIGSEGV' (both: undefined). The oracle observes V0,
    X0 and FPSR; the instruction words it runs write only V0 or X0 (Rd = 0) and FPSR."""
    v = [lo | hi << 64 for lo, hi in st['v']]
    inp = [('x1', x(st['x1']))] if st['x1'] else []
    if st.get('fpcr', 0):
        inp.append(('fpcr', x(st['fpcr'])))
    inp += [('v%d' % i, q(v[i])) for i in range(5) if v[i]]
    if res in ('ILL', 'SIGSEGV'):
        return case(name, word, inp, comment=asm)
    lo, hi, x0, fpsr = (int(t, 16) for t in res.split())
    out = []
    if x0:
        out.append(('x0', x(x0)))
    if fpsr:
        out.append(('fpsr', x(fpsr)))
    if lo | hi << 64 != v[0]:
        out.append(('v0', q(lo | hi << 64)))
    return case(name, word, inp, out, comment=asm)


def simd_named(seq, word, st, res, asm):
    """`simd_case` named by the mnemonic and its sequence number in `seq`."""
    mnem = asm.split()[0] if not asm.startswith('.inst') else 'inst'
    k = seq[mnem] = seq.get(mnem, -1) + 1
    return simd_case('simd_qemu.%s#%d' % (mnem, k), word, st, res, asm)


HEADER = ('# elfrun test vectors, format 1 (docs/testing.md): %s, expected states from qemu-aarch64-static '
          '-cpu cortex-a57\n')

if __name__ == '__main__':
    kind = sys.argv[1]
    conv = {'dp_reg': dp_reg, 'crypto': crypto}[kind]
    sys.stdout.write(HEADER % ' '.join(sys.argv[2:] or ['interp/tests/data/gen_%s' % kind]))
    for c in conv(sys.stdin):
        sys.stdout.write(c)
