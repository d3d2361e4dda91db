// fpgen: runs scalar floating-point instructions over grids of edge values under several FPCR settings and
// prints inputs, results and FPSR, one case a line. Run under qemu-aarch64-static it produces the expected
// values of interp's scalar FP tests (see gen.sh). Line format, all hex:
//   WORD FPCR NZCV X0 X1 V1 V2 V3 : X0 V0HI V0LO V1HI V1LO FPSR NZCV
// Before each case V0 = 5555..55 (both halves), and the high halves of V1..V3 = aaaa..aa; V1..V3's low halves
// and X0/X1 are the inputs. The instruction under test reads x0/x1/v1/v2/v3 and writes x0, v0 or v1.
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

struct state {
    uint64_t x[4];   // 0
    uint64_t fpcr;   // 32
    uint64_t nzcv;   // 40
    uint64_t v[4][2]; // 48: lo, hi
    uint64_t fpsr;   // 112
};
void run_insn(struct state *st, void *code);

static uint32_t *code;
#define PAT0 0x5555555555555555ull
#define PAT1 0xaaaaaaaaaaaaaaaaull

static void emit(uint32_t w, uint64_t fpcr, uint64_t nzcv, uint64_t x0, uint64_t x1, uint64_t a, uint64_t b,
                 uint64_t c) {
    struct state st;
    memset(&st, 0, sizeof st);
    st.x[0] = x0; st.x[1] = x1;
    st.fpcr = fpcr; st.nzcv = nzcv;
    st.v[0][0] = PAT0; st.v[0][1] = PAT0;
    st.v[1][0] = a; st.v[1][1] = PAT1;
    st.v[2][0] = b; st.v[2][1] = PAT1;
    st.v[3][0] = c; st.v[3][1] = PAT1;
    code[0] = w;
    code[1] = 0xd65f03c0; // ret
    __builtin___clear_cache((char *)code, (char *)(code + 2));
    run_insn(&st, code);
    if (st.v[1][0] == a && st.v[1][1] == PAT1) {
        printf("%x %llx %llx %llx %llx %llx %llx %llx : %llx %llx %llx = %llx %llx\n", w, (unsigned long long)fpcr,
               (unsigned long long)nzcv, (unsigned long long)x0, (unsigned long long)x1, (unsigned long long)a,
               (unsigned long long)b, (unsigned long long)c, (unsigned long long)st.x[0],
               (unsigned long long)st.v[0][1], (unsigned long long)st.v[0][0], (unsigned long long)st.fpsr,
               (unsigned long long)st.nzcv);
        return;
    }
    printf("%x %llx %llx %llx %llx %llx %llx %llx : %llx %llx %llx %llx %llx %llx %llx\n", w,
           (unsigned long long)fpcr, (unsigned long long)nzcv, (unsigned long long)x0, (unsigned long long)x1,
           (unsigned long long)a, (unsigned long long)b, (unsigned long long)c, (unsigned long long)st.x[0],
           (unsigned long long)st.v[0][1], (unsigned long long)st.v[0][0], (unsigned long long)st.v[1][1],
           (unsigned long long)st.v[1][0], (unsigned long long)st.fpsr, (unsigned long long)st.nzcv);
}

#define N(a) (sizeof(a) / sizeof((a)[0]))
// Edge values. The first SMALL_* entries are the reduced grid used for non-default FPCR settings.
static const uint64_t D[] = {
    0x0000000000000000, 0x8000000000000000, 0x0000000000000001, 0x800fffffffffffff, 0x0010000000000000,
    0x3ff0000000000000, 0xbff0000000000000, 0x7fefffffffffffff, 0x7ff0000000000000, 0xfff0000000000000,
    0x7ff8000000000001, 0xfff0000000000004, 0x3ff0000000000001, 0x4004000000000000, 0xc00c000000000000,
    0x3fb999999999999a, 0x001fffffffffffff, 0x3ca0000000000000,
    // full grid only
    0x8010000000000000, 0x3ff8000000000000, 0x4008000000000000, 0xffefffffffffffff, 0xfff8000000000002,
    0x7ff0000000000003, 0x4340000000000001, 0xc004000000000000, 0x3fe0000000000000, 0x7e37e43c8800759c,
    0x01a56e1fc2f8f359, 0x43e0000000000000, 0xc3e0000000000000, 0x43f0000000000000, 0x41e0000000000000,
    0xc1e0000000000000, 0x41efffffffe00000, 0xc1e0000000200000, 0x0008000000000000, 0x3fdfffffffffffff,
    0xbfd5555555555555, 0x402a000000000000,
};
#define SMALL_D 14
static const uint64_t S[] = {
    0x00000000, 0x80000000, 0x00000001, 0x807fffff, 0x00800000, 0x3f800000, 0xbf800000, 0x7f7fffff, 0x7f800000,
    0xff800000, 0x7fc00001, 0xff800004, 0x3f800001, 0x40200000, 0xc0600000, 0x3dcccccd, 0x00ffffff, 0x33800000,
    // full grid only
    0x80800000, 0x3fc00000, 0x40400000, 0xff7fffff, 0xffc00002, 0x7f800003, 0x4b800001, 0xc0200000, 0x3f000000,
    0x7e967699, 0x0a4fb11f, 0x5f000000, 0xdf000000, 0x5f800000, 0x4f000000, 0xcf000000, 0x4f7fffff, 0xcf000001,
    0x00400000, 0x3effffff, 0xbeaaaaab, 0x41500000, 0x477fe000, 0x477ff000, 0x387fc000, 0x33000001, 0x33000000,
    0x387fe000, 0x38800000,
};
#define SMALL_S 14
static const uint64_t H[] = {0x0000, 0x8000, 0x0001, 0x03ff, 0x0400, 0x3c00, 0xbc00, 0x7bff, 0x7c00,
                             0xfc00, 0x7e01, 0x7d01, 0xfe00, 0x7c01, 0x3555, 0x83ff, 0xfbff, 0x0200};
static const uint64_t I[] = {0,
                             1,
                             0xffffffffffffffff,
                             0x7fffffff,
                             0x80000000,
                             0xffffffff,
                             0x1000001,
                             0x1000003,
                             0x20000000000001,
                             0x20000000000003,
                             0x7fffffffffffffff,
                             0x8000000000000000,
                             0x123456789abcdef,
                             0xfffffffffffffffe,
                             0xffffffff80000001,
                             0x5,
                             0xfffffffffffffffb,
                             0x7ffffff};

#define FZ (1u << 24)
#define DN (1u << 25)
#define AHP (1u << 26)
#define RM(m) ((uint64_t)(m) << 22)
static const uint64_t MODES[] = {RM(1), RM(2), RM(3), FZ | DN, FZ | RM(3)};

// Encodings (ARM ARM C4.1.96, "Floating-point data-processing" and neighbours); ty: 0 S, 1 D, 3 H.
static uint32_t dp2(int ty, int op) { return 0x1e200800 | ty << 22 | 2 << 16 | op << 12 | 1 << 5; }
static uint32_t dp1(int ty, int op) { return 0x1e204000 | ty << 22 | op << 15 | 1 << 5; }
static uint32_t dp3(int ty, int o1, int o0) {
    return 0x1f000000 | ty << 22 | o1 << 21 | 2 << 16 | o0 << 15 | 3 << 10 | 1 << 5;
}
static uint32_t cmp(int ty, int opc2) { return 0x1e202000 | ty << 22 | 2 << 16 | 1 << 5 | opc2; }
static uint32_t cvt_int(int sf, int ty, int rmode, int opc) {
    return 0x1e200000 | (uint32_t)sf << 31 | ty << 22 | rmode << 19 | opc << 16 | 1 << 5;
}
static uint32_t cvt_fix(int sf, int ty, int rmode, int opc, int fbits) {
    return 0x1e000000 | (uint32_t)sf << 31 | ty << 22 | rmode << 19 | opc << 16 | (64 - fbits) << 10 | 1 << 5;
}
// AdvSIMD scalar forms whose arithmetic lives in interp's softfp (sz: 0 S, 1 D).
static uint32_t simd3(uint32_t base, int sz) { return base | sz << 22 | 2 << 16 | 1 << 5; }
static uint32_t simd2(uint32_t base, int sz) { return base | sz << 22 | 1 << 5; }

// Full grid of n values at FPCR = 0, then the first nsmall values under the MODES selected by `modes` (bit m).
static void grid2(uint32_t w, const uint64_t *v, int n, int nsmall, unsigned modes) {
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) emit(w, 0, 0, 0, 0, v[i], v[j], 0);
    for (unsigned m = 0; m < N(MODES); m++)
        if (modes >> m & 1)
        for (int i = 0; i < nsmall; i++)
            for (int j = 0; j < nsmall; j++) emit(w, MODES[m], 0, 0, 0, v[i], v[j], 0);
}
static void grid1(uint32_t w, const uint64_t *v, int n, int nsmall, uint64_t extra_mode) {
    for (int i = 0; i < n; i++) emit(w, 0, 0, 0, 0, v[i], 0, 0);
    for (unsigned m = 0; m < N(MODES); m++)
        for (int i = 0; i < nsmall; i++) emit(w, MODES[m], 0, 0, 0, v[i], 0, 0);
    if (extra_mode)
        for (int i = 0; i < n; i++) emit(w, extra_mode, 0, 0, 0, v[i], 0, 0);
}
static void grid3(uint32_t w, const uint64_t *v, int n, int all_modes) {
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
            for (int k = 0; k < n; k++) {
                emit(w, 0, 0, 0, 0, v[i], v[j], v[k]);
                if (all_modes)
                    for (unsigned m = 0; m < N(MODES); m++) emit(w, MODES[m], 0, 0, 0, v[i], v[j], v[k]);
            }
}

// Random operands with nearby exponents (so sums cancel and products stay in range), fixed seed.
static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t next(void) {
    rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17;
    return rng;
}
static uint64_t rnd(int ty, int spread) {
    uint64_t r = next();
    if (ty) {
        uint64_t e = 1023 + (int)(r % (2 * spread + 1)) - spread;
        return (r & 0x8000000000000000ull) | e << 52 | (next() & 0xfffffffffffffull);
    }
    uint64_t e = 127 + (int)(r % (2 * spread + 1)) - spread;
    return (r & 0x80000000ull) | e << 23 | (next() & 0x7fffffull);
}
// Random value with biased exponent field in center ± spread (clamped to 0..max-1).
static uint64_t rnd_at(int ty, int center, int spread) {
    uint64_t r = next();
    long e = center + (long)(r % (2 * spread + 1)) - spread;
    if (e < 0) e = 0;
    if (ty) return (r & 0x8000000000000000ull) | (uint64_t)e << 52 | (next() & 0xfffffffffffffull);
    return (r & 0x80000000ull) | (uint64_t)e << 23 | (next() & 0x7fffffull);
}
// {a, b, c}: a + b·c just below a midpoint once the product's low part is dropped: double rounding would get these wrong.
static void double_rounding_cases(void) {
    static const uint64_t d[][3] = {
        {0x3ff0000000000001, 0x3ff0000000000001, 0x3c9ffffffffffffe},
        {0xbff0000000000001, 0x3ff0000000000001, 0xbc9ffffffffffffe},
        {0x3ff0000000000001, 0xbff0000000000001, 0x3c9ffffffffffffe},
        {0x3ff0000000000000, 0x3ff0000000000001, 0x3c9ffffffffffffe},
    };
    static const uint64_t f[][3] = {
        {0x3f800001, 0x3f800001, 0x337ffffe},
        {0xbf800001, 0x3f800001, 0xb37ffffe},
        {0x3f800001, 0xbf800001, 0x337ffffe},
        {0x3f800000, 0x3f800001, 0x337ffffe},
    };
    for (unsigned i = 0; i < N(d); i++)
        for (unsigned m = 0; m < 4; m++) {
            emit(dp3(1, 0, 0), RM(m), 0, 0, 0, d[i][1], d[i][2], d[i][0]); // n, m, a
            emit(dp3(0, 0, 0), RM(m), 0, 0, 0, f[i][1], f[i][2], f[i][0]);
        }
}

static void random_cases(int ty) {
    static const int dp2ops[] = {0, 1, 2, 3};
    for (int k = 0; k < 1000; k++) {
        for (unsigned o = 0; o < N(dp2ops); o++) emit(dp2(ty, dp2ops[o]), 0, 0, 0, 0, rnd(ty, 30), rnd(ty, 30), 0);
        emit(dp3(ty, 0, 0), 0, 0, 0, 0, rnd(ty, 60), rnd(ty, 30), rnd(ty, 30));
        uint64_t b = rnd(ty, 30), c = rnd(ty, 30), a;
        // An addend close to -b*c: heavy cancellation.
        if (ty) {
            double p = *(double *)&b * *(double *)&c;
            a = *(uint64_t *)&p ^ 0x8000000000000000ull ^ (next() & 0xffff);
        } else {
            float p = *(float *)&b * *(float *)&c;
            a = (uint64_t)(*(uint32_t *)&p ^ 0x80000000u ^ (uint32_t)(next() & 0xff));
        }
        emit(dp3(ty, 0, 0), 0, 0, 0, 0, a, b, c);
        emit(dp3(ty, 0, 0), MODES[k % N(MODES)], 0, 0, 0, a, b, c);
        emit(dp1(ty, 3), k & 1 ? RM(k % 4) : 0, 0, 0, 0, rnd(ty, 30) & ~(1ull << (ty ? 63 : 31)), 0, 0);
        // Products and sums near the bottom of the range (underflow, tininess before rounding, FZ).
        int half = ty ? 511 : 63;
        uint64_t fpcr = k % 3 == 0 ? FZ : k % 3 == 1 ? RM(k % 4) : 0;
        emit(dp2(ty, 0), fpcr, 0, 0, 0, rnd_at(ty, half, 1), rnd_at(ty, half, 1), 0);
        emit(dp2(ty, 1), fpcr, 0, 0, 0, rnd_at(ty, 1, 1), rnd_at(ty, 2 * half, 2), 0);
        emit(dp3(ty, 0, 0), fpcr, 0, 0, 0, rnd_at(ty, 1, 1), rnd_at(ty, half, 1), rnd_at(ty, half, 1));
    }
}

int main(void) {
    code = mmap(0, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (code == MAP_FAILED) return 1;
    for (int ty = 0; ty < 2; ty++) {
        const uint64_t *v = ty ? D : S;
        int n = ty ? N(D) : N(S), ns = ty ? SMALL_D : SMALL_S;
        printf("# dp2 ty=%d\n", ty);
        for (int op = 0; op <= 8; op++) grid2(dp2(ty, op), v, 26, ns, op < 4 || op == 8 ? 0x1f : 0x18);
        printf("# compare ty=%d\n", ty);
        for (int o = 0; o < 4; o++) grid2(cmp(ty, o << 3), v, o & 1 ? ns : 26, ns, 0x8);
        printf("# simd scalar ty=%d\n", ty);
        static const uint32_t s3[] = {0x5e20fc00, 0x5ea0fc00, 0x5e20dc00, 0x7ea0d400, 0x5e20e400,
                                      0x7e20e400, 0x7ea0e400, 0x7e20ec00, 0x7ea0ec00};
        for (unsigned k = 0; k < N(s3); k++) grid2(simd3(s3[k], ty), v, ns + 4, ns, k < 3 ? 0x1d : 0x8);
        static const uint32_t s2[] = {0x5ea1d800, 0x7ea1d800, 0x5ea1f800};
        for (unsigned k = 0; k < N(s2); k++) grid1(simd2(s2[k], ty), v, n, ns, 0);
        printf("# dp1 ty=%d\n", ty);
        static const int ops1[] = {0, 1, 2, 3, 8, 9, 10, 11, 12, 14, 15};
        for (unsigned k = 0; k < N(ops1); k++) grid1(dp1(ty, ops1[k]), v, n, ns, 0);
        printf("# fcvt ty=%d\n", ty);
        grid1(dp1(ty, 4 + (1 - ty)), v, n, ns, 0);
        grid1(dp1(ty, 4 + 3), v, n, ns, AHP);
        grid1(dp1(ty, 4 + 3), v, n, ns, AHP | FZ | RM(2));
        printf("# fp->int ty=%d\n", ty);
        for (int sf = 0; sf < 2; sf++) {
            static const int ro[][2] = {{0, 0}, {0, 1}, {0, 4}, {0, 5}, {1, 0}, {1, 1}, {2, 0}, {2, 1}, {3, 0}, {3, 1}};
            for (unsigned k = 0; k < N(ro); k++) grid1(cvt_int(sf, ty, ro[k][0], ro[k][1]), v, n, ns, 0);
            static const int fb[] = {1, 5, 31, 32, 63, 64};
            for (unsigned k = 0; k < N(fb); k++) {
                if (!sf && fb[k] > 32) continue;
                grid1(cvt_fix(sf, ty, 3, 0, fb[k]), v, n, ns, 0);
                grid1(cvt_fix(sf, ty, 3, 1, fb[k]), v, n, ns, 0);
            }
        }
        printf("# int->fp ty=%d\n", ty);
        for (int sf = 0; sf < 2; sf++)
            for (int opc = 2; opc <= 3; opc++) {
                static const int fb[] = {0, 1, 7, 32, 64};
                for (unsigned k = 0; k < N(fb); k++) {
                    if (!sf && fb[k] > 32) continue;
                    uint32_t w = fb[k] ? cvt_fix(sf, ty, 0, opc, fb[k]) : cvt_int(sf, ty, 0, opc);
                    w = (w & ~0x3e0u) | 0 << 5; // source x0
                    for (unsigned i = 0; i < N(I); i++)
                        for (unsigned m = 0; m < 4; m++) emit(w, RM(m), 0, I[i], 0, 0, 0, 0);
                }
            }
        printf("# dp3 ty=%d\n", ty);
        grid3(dp3(ty, 0, 0), v, 14, 0);
        grid3(dp3(ty, 0, 0), v, 8, 1);
        for (int o = 1; o < 4; o++) grid3(dp3(ty, o >> 1, o & 1), v, 8, 0);
        printf("# fmov imm ty=%d\n", ty);
        for (int imm = 0; imm < 256; imm++) emit(0x1e201000 | ty << 22 | imm << 13, 0, 0, 0, 0, 0, 0, 0);
        printf("# fccmp/fcsel ty=%d\n", ty);
        for (int i = 0; i < ns; i++)
            for (int j = 0; j < ns; j++)
                for (int c = 0; c < 16; c += 5) {
                    uint32_t base = 0x1e200400 | ty << 22 | 2 << 16 | c << 12 | 1 << 5;
                    emit(base | 0x5, 0, 0x60000000, 0, 0, v[i], v[j], 0);
                    emit(base | 0x10 | 0xa, 0, 0x80000000, 0, 0, v[i], v[j], 0);
                    emit(0x1e200c00 | ty << 22 | 2 << 16 | c << 12 | 1 << 5, 0, 0x40000000, 0, 0, v[i], v[j], 0);
                }
    }
    for (int ty = 0; ty < 2; ty++) {
        printf("# random ty=%d\n", ty);
        random_cases(ty);
    }
    printf("# double rounding\n");
    double_rounding_cases();
    printf("# half\n");
    for (int to = 0; to < 2; to++) {
        grid1(dp1(3, 4 + to), H, N(H), N(H), AHP);
        grid1(dp1(3, 4 + to), H, N(H), 0, AHP | FZ | DN);
    }
    printf("# fmov general\n");
    for (unsigned i = 0; i < N(D); i++) {
        emit(0x1e260020, 0, 0, 0, 0, D[i], 0, 0);          // fmov w0, s1
        emit(0x9e660020, 0, 0, 0, 0, D[i], 0, 0);          // fmov x0, d1
        emit(0x9eae0020, 0, 0, 0, 0, D[i], 0, 0);          // fmov x0, v1.d[1]
        emit(0x1e270000, 0, 0, D[i], 0, 0, 0, 0);          // fmov s0, w0
        emit(0x9e670000, 0, 0, D[i], 0, 0, 0, 0);          // fmov d0, x0
        emit(0x9eaf0001, 0, 0, D[i], 0, 0, 0, 0);          // fmov v1.d[1], x0
        emit(0x1e204020, 0, 0, 0, 0, D[i], 0, 0);          // fmov s0, s1
        emit(0x1e604020, 0, 0, 0, 0, D[i], 0, 0);          // fmov d0, d1
    }
    return 0;
}
