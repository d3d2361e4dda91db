#!/usr/bin/env python3
"""Regenerates ../vectors/simd_cases_qemu.vec and simd_random_qemu.vec: the AdvSIMD test vectors, expected
values from qemu-aarch64-static, in elfrun's test-vector format 1 (docs/testing.md; written by to_vec.py).

Reads simd_cases.txt (one `TAG asm` per line; TAG picks the input sets: i = integer, s = single, d = double,
e = all 512 estimate inputs),
assembles every instruction with aarch64-linux-gnu-as, runs each word on each input set of its tag through
simd_oracle.c under qemu-aarch64-static, and writes one case per run (SIGILL/SIGSEGV: `expect undefined`;
runs on which qemu itself crashes are left out). Then the same for 6000 random words in the AdvSIMD
vector/scalar spaces and 4000 single-field mutants of the cases.
Run from anywhere: python3 interp/tests/data/gen_simd_vectors.py

Long differential runs (not checked in): `gen_simd_vectors.py --fuzz N SEED OUT` writes N random and N mutant
words as a vector file OUT; `ELFRUN_VECTOR_FILE=OUT cargo test -p elfrun-interp --test difftest -- --ignored
vector_file` checks them.
"""
import os, re, struct, subprocess, tempfile
import to_vec

HERE = os.path.dirname(os.path.abspath(__file__))

def f32s(*xs):
    """Four single-precision values (lane 0 first) -> (lo, hi)."""
    b = struct.pack('<4f', *xs)
    return struct.unpack('<2Q', b)

def f32bits(*xs):
    b = struct.pack('<4I', *xs)
    return struct.unpack('<2Q', b)

def f64s(*xs):
    b = struct.pack('<2d', *xs)
    return struct.unpack('<2Q', b)

M = (1 << 64) - 1
INT_SETS = [
    dict(x1=0x8899aabbccddeeff, v=[
        (0xfedcba9876543210, 0x0123456789abcdef),
        (0x807f01ff00fe7f80, 0x7fff8000ffff0001),
        (0xffffffff7fffffff, 0x0000000180000000),
        (0x7fffffffffffffff, 0x8000000000000000),
        (0x090a0b0c0d0e0f10, 0x0102030405060708)]),
    dict(x1=0x0000000000000f80, v=[
        (0x5555555555555555, 0xaaaaaaaaaaaaaaaa),
        (0xc0000003ffff8001, 0x80ff7f0102fe0380),
        (0x08f8fc0407e1813f, 0x0000c0fe2040f9ff),
        (0x0706050403020100, 0x1f1e1d1c1b1a1918),
        (0x5a0b4c1d00ff1121, 0x3f2f1f0f40302010)]),
    dict(x1=0x7fffffff80000000, v=[
        (0x0123456789abcdef, 0x0f1e2d3c4b5a6978),
        (0x8000800080008000, 0x8000000080000000),
        (0x8000800080008000, 0x7fff7fff00000001),
        (0x0000000000000000, 0x8000000000000000),
        (0xfffefdfcfbfaf9f8, 0x3b2a19087f6e5d4c)]),
]
SINGLE_SETS = [
    dict(x1=0, v=[f32s(1.0, -1.0, 0.5, 8.0), f32s(1.5, -2.25, 3.0, 0.75), f32s(2.0, 4.0, -0.5, 10.0),
                  f32s(0.0, -0.0, 100.0, -3.5), f32s(7.0, 6.0, 5.0, 4.0)]),
    dict(x1=0, v=[f32s(-3.0, 2.5, 1e10, -1e-3), f32s(-7.5, 1e9, 2.5, -3.5), f32s(-0.0, 1.0, 2.5, 65536.0),
                  f32s(2.0, 3.0, 5.0, 7.0), f32s(1.0, 1.0, 1.0, 1.0)]),
]
DOUBLE_SETS = [
    dict(x1=0, v=[f64s(1.0, -1.0), f64s(1.5, -2.25), f64s(2.0, 4.0), f64s(0.0, -0.0), f64s(7.0, 6.0)]),
    dict(x1=0, v=[f64s(-3.0, 2.5), f64s(-7.5, 1e300), f64s(-0.0, 65536.5), f64s(2.0, 3.0), f64s(1.0, 1.0)]),
    dict(x1=0, v=[f64s(0.1, -1.0 / 3), f64s(1e-310, float('nan')), f64s(2.0 ** -130, -(2.0 ** 128)),
                  f64s(float('inf'), 3.4028235677973366e38), f64s(1.0 + 2.0 ** -30, -5e-324)]),
]
def edge_set(rng, x1):
    """Random registers built from per-lane edge values (0, ±1, MIN, MAX, small shifts, random)."""
    def lane(bits):
        m = (1 << bits) - 1
        return rng.choice([0, 1, m, m >> 1, (m >> 1) + 1, 2, m - 1, rng.randrange(1 << bits),
                           rng.randrange(1 << bits), rng.randrange(64), (-rng.randrange(1, 64)) & m])
    regs = []
    for _ in range(5):
        bits = rng.choice([8, 16, 32, 64])
        v = 0
        for i in range(128 // bits):
            v |= lane(bits) << (i * bits)
        regs.append((v & M, v >> 64))
    return dict(x1=x1, v=regs)

def random_words(rng, n):
    """Random words in the AdvSIMD vector and scalar spaces with Rd = 0 and Rn = 1."""
    out = []
    while len(out) < n:
        w = rng.getrandbits(32)
        w &= ~((1 << 31) | 0x3ff)
        w |= (0b0111 << 25) | (1 << 5)
        if rng.random() < 0.3:
            w |= (1 << 30) | (1 << 28)        # scalar: 01 U 1111x
        elif w & (1 << 28):
            continue                          # scalar FP / vector with bit 28 set is not AdvSIMD vector
        out.append(w)
    return out

# Every value of bits 31:23 (the input of URECPE/URSQRTE's estimate), four per register.
ESTIMATE_SETS = [
    dict(x1=0, v=[(0, 0), f32bits(*[((4 * k + j) << 23) | (0x5a5a5 * (j + 1) & 0x7fffff) for j in range(4)]),
                  (0, 0), (0, 0), (0, 0)])
    for k in range(128)
]
def mutants(rng, words, n):
    """Neighbours of the listed cases: 1-3 flipped bits among Q, U, size and the opcode/immediate fields
    (bits 10-23, 29, 30), register fields Rd/Rn kept. They probe the decoder's allocated/unallocated
    boundaries."""
    bits = list(range(10, 24)) + [29, 30]
    out = []
    while len(out) < n:
        w = rng.choice(words)
        for b in rng.sample(bits, rng.randint(1, 3)):
            w ^= 1 << b
        if w & (1 << 28) and not w & (1 << 30):
            continue                          # flipped into the scalar FP class (not AdvSIMD)
        out.append(w)
    return out

SETS = {'i': INT_SETS, 's': SINGLE_SETS, 'd': DOUBLE_SETS, 'e': ESTIMATE_SETS}

def write(path, what, sets, runs, results):
    named, seq = dict(sets), {}
    with open(path, 'w') as f:
        f.write(to_vec.HEADER % what)
        for (w, name, asm), res in zip(runs, results):
            if res != 'SKIP':
                f.write(to_vec.simd_named(seq, w, named[name], res, asm))

def oracle(exe, sets, runs):
    named = dict(sets)
    lines = []
    for w, name, _ in runs:
        st = named[name]
        lines.append('%08x %x %x %s' % (w, st.get('fpcr', 0), st['x1'],
                                         ' '.join('%x %x' % p for p in st['v'])))
    # qemu itself aborts on a few unallocated words (e.g. 0x2e14d020): those get no expected value ("SKIP")
    # and the run resumes after them.
    out = []
    while len(out) < len(lines):
        p = subprocess.run(['qemu-aarch64-static', '-cpu', 'cortex-a57', exe], input='\n'.join(lines[len(out):]) + '\n',
                           capture_output=True, text=True)
        # qemu's own abort message ("Bail out! ERROR: …") also lands on stdout.
        got = [l for l in p.stdout.split('\n') if re.fullmatch(r'([0-9a-f]{16} ){3}[0-9a-f]{16}|ILL|SIGSEGV', l)]
        out += got
        if p.returncode != 0:
            out.append('SKIP')
    return out

def disassemble(tmp, words):
    """objdump's text for each word ('.inst' when it knows none)."""
    src = os.path.join(tmp, 'r.s')
    with open(src, 'w') as f:
        f.write('.text\n' + ''.join('  .inst 0x%08x\n' % w for w in words))
    obj = os.path.join(tmp, 'r.o')
    subprocess.check_call(['aarch64-linux-gnu-as', '-o', obj, src])
    dis = subprocess.run(['aarch64-linux-gnu-objdump', '-d', obj], capture_output=True, text=True,
                         check=True).stdout
    out = {}
    for line in dis.split('\n'):
        parts = line.split('\t')
        if len(parts) >= 3 and parts[0].strip().endswith(':'):
            out[int(parts[1].strip(), 16)] = ' '.join(' '.join(parts[2:]).split())
    return [out.get(w, '.inst').split(' //')[0].split(' ;')[0] for w in words]

def main():
    import random, sys
    fuzz = sys.argv[1:2] == ['--fuzz']
    cases = []
    for line in open(os.path.join(HERE, 'simd_cases.txt')):
        line = line.split('//')[0].strip()
        if not line:
            continue
        tag, asm = line.split(None, 1)
        cases.append((tag, asm))
    sets = [('%s%d' % (tag, i), st) for tag, group in SETS.items() for i, st in enumerate(group)]
    rng = random.Random(20261125)
    rsets = [('r%d' % i, edge_set(rng, rng.getrandbits(64))) for i in range(8)]
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, 'c.s')
        with open(src, 'w') as f:
            f.write('.text\n' + ''.join('  %s\n' % a for _, a in cases))
        obj = os.path.join(tmp, 'c.o')
        subprocess.check_call(['aarch64-linux-gnu-as', '-march=armv8-a+crypto', '-o', obj, src])
        binf = os.path.join(tmp, 'c.bin')
        subprocess.check_call(['aarch64-linux-gnu-objcopy', '-O', 'binary', '-j', '.text', obj, binf])
        words = struct.unpack('<%dI' % len(cases), open(binf, 'rb').read())
        exe = os.path.join(tmp, 'oracle')
        subprocess.check_call(['aarch64-linux-gnu-gcc', '-O1', '-static', '-o', exe,
                               os.path.join(HERE, 'simd_oracle.c')])
        runs = [(w, '%s%d' % (tag, i), asm)
                for (tag, asm), w in zip(cases, words) for i in range(len(SETS[tag]))]
        res = oracle(exe, sets, runs)
        write(os.path.join(HERE, '..', 'vectors', 'simd_cases_qemu.vec'),
              'gen_simd_vectors.py (simd_cases.txt)', sets, runs, res)
        if fuzz:
            n, rng = int(sys.argv[2]), random.Random(int(sys.argv[3]))
            rsets = [('r%d' % i, edge_set(rng, rng.getrandbits(64))) for i in range(8)]
            for i, (_, st) in enumerate(rsets):
                # FPCR: RMode (23:22), FZ (24), DN (25) in every combination across the sets.
                st['fpcr'] = ((i & 3) << 22) | ((i >> 2) & 1) << 24 | ((i >> 1) & 1) << 25
            rwords = random_words(rng, n) + mutants(rng, words, n)
            rruns = [(w, rng.choice(rsets)[0], a) for w, a in zip(rwords, disassemble(tmp, rwords))]
            write(sys.argv[4], 'gen_simd_vectors.py --fuzz %s %s' % (sys.argv[2], sys.argv[3]),
                  rsets, rruns, oracle(exe, rsets, rruns))
            return
        rwords = random_words(rng, 6000) + mutants(rng, words, 4000)
        rruns = [(w, rng.choice(rsets)[0], a) for w, a in zip(rwords, disassemble(tmp, rwords))]
        rres = oracle(exe, rsets, rruns)
        write(os.path.join(HERE, '..', 'vectors', 'simd_random_qemu.vec'),
              'gen_simd_vectors.py (random words and mutants)', rsets, rruns, rres)

main()
