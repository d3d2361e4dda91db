/* The boundaries of the AOT tier's inline floating-point fast paths (add, sub, mul, div, sqrt in single and
 * double precision, and conversions between integers, singles and doubles): exact and inexact results, results at and next to the smallest normal, subnormal and
 * zero results, overflow, operands near 2^995 and the odd-part width limits of the exactness tests. Each
 * operation runs with FPSR cleared and prints the operands, the result and FPSR as hex bits; then the whole
 * table again with FPCR.RMode = +inf (fesetround), FPCR.FZ and FPCR.DN set. Exit status 0. */
#include <fenv.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static uint64_t get_fpsr(void) {
    uint64_t r;
    __asm__ volatile("mrs %0, fpsr" : "=r"(r)::"memory");
    return r;
}
static void set_fpsr(uint64_t v) { __asm__ volatile("msr fpsr, %0" ::"r"(v) : "memory"); }
static uint64_t get_fpcr(void) {
    uint64_t r;
    __asm__ volatile("mrs %0, fpcr" : "=r"(r)::"memory");
    return r;
}
static void set_fpcr(uint64_t v) { __asm__ volatile("msr fpcr, %0" ::"r"(v) : "memory"); }

static volatile double dres;
static volatile float fres;

__attribute__((noipa)) static void dop(int op, double a, double b) {
    switch (op) {
    case 0: dres = a + b; break;
    case 1: dres = a - b; break;
    case 2: dres = a * b; break;
    case 3: dres = a / b; break;
    default: dres = __builtin_sqrt(a); break;
    }
}
__attribute__((noipa)) static void fop(int op, float a, float b) {
    switch (op) {
    case 0: fres = a + b; break;
    case 1: fres = a - b; break;
    case 2: fres = a * b; break;
    case 3: fres = a / b; break;
    default: fres = __builtin_sqrtf(a); break;
    }
}

static uint64_t db(double d) { uint64_t u; memcpy(&u, &d, 8); return u; }
static uint32_t fb(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }

static const char OPS[] = "+-*/r";

static void d(int op, double a, double b) {
    set_fpsr(0);
    dop(op, a, b);
    uint64_t f = get_fpsr();
    printf("d %c %016llx %016llx = %016llx fpsr %02llx\n", OPS[op], (unsigned long long)db(a),
           (unsigned long long)db(b), (unsigned long long)db(dres), (unsigned long long)f);
}
static void s(int op, float a, float b) {
    set_fpsr(0);
    fop(op, a, b);
    uint64_t f = get_fpsr();
    printf("s %c %08x %08x = %08x fpsr %02llx\n", OPS[op], fb(a), fb(b), fb(fres), (unsigned long long)f);
}

static void doubles(void) {
    const double m = DBL_MIN, t = DBL_TRUE_MIN, M = DBL_MAX;
    const double p995 = ldexp(1.0, 995), p27 = ldexp(1.0, 27), p26 = ldexp(1.0, 26), p53 = ldexp(1.0, 53);
    const double up = nextafter(m, 1.0), one_minus = 1.0 - ldexp(1.0, -53);
    /* add / sub */
    double add[][2] = {{1.5, 2.25}, {1.0, ldexp(1.0, -60)}, {0.1, 0.2}, {3.0, -3.0}, {-0.0, -0.0}, {0.0, -0.0},
                       {t, t}, {m, -t}, {up, -t}, {m, t}, {1.5 * m, -0.5 * m}, {M, M}, {M, ldexp(1.0, 970)},
                       {M, ldexp(1.0, 969)}, {M, -ldexp(1.0, 970)}, {-M, ldexp(1.0, 970)}, {M, -M},
                       {p995, 1.0}, {INFINITY, 1.0}, {INFINITY, -INFINITY}, {NAN, 1.0}, {-p53, 1.0},
                       {p53, 1.0}, {1e-310, 1e-310}, {1e-310, -2e-310}};
    for (unsigned i = 0; i < sizeof add / sizeof add[0]; i++) {
        d(0, add[i][0], add[i][1]);
        d(1, add[i][0], add[i][1]);
    }
    /* mul */
    double mul[][2] = {{3.0, 0.5}, {0.1, 3.0}, {1e300, 1e-300}, {1e-200, 1e-200}, {m, 0.5}, {m, one_minus},
                       {up, one_minus}, {up, 1.0}, {m, 1.0}, {0.0, -3.0}, {-0.0, -0.0}, {0.0, INFINITY},
                       {t, ldexp(1.0, 1000)}, {3 * t, 0.1 * ldexp(1.0, 1070)}, {p27 + 1, p26 + 1},
                       {p26 + 1, p26 + 1}, {p53 - 1, p53 - 1}, {p53 - 1, 1.0}, {p53 - 1, 3.0}, {p995, 2.0},
                       {p995 * 1.5, ldexp(1.0, 28) + 1}, {p995, p995}, {M, 1.0 + ldexp(1.0, -52)}, {M, 0.5},
                       {-p995, 1.0 / 3}, {NAN, 0.0}, {t, t}, {t, 0.5}, {t * 3, 0.5}};
    for (unsigned i = 0; i < sizeof mul / sizeof mul[0]; i++)
        d(2, mul[i][0], mul[i][1]);
    /* div */
    double div[][2] = {{1.0, 3.0}, {6.0, 3.0}, {1.0, 0.0}, {0.0, 0.0}, {0.0, 5.0}, {-0.0, 5.0}, {m, 1024.0},
                       {m, 3.0}, {1e300, 1e-300}, {7.0, INFINITY}, {0.0, INFINITY}, {p53 - 1, p26 + 1},
                       {(p26 + 1) * (p26 + 1), p26 + 1}, {1.0, M}, {M, 0.5}, {up, 1.0}, {m, one_minus},
                       {up * 2, 2.0}, {m * 2, 2.0}, {t, 0.5}, {1.0, t}, {p995, 1.0 / 3}, {INFINITY, INFINITY},
                       {NAN, 2.0}, {-10.0, 4.0}};
    for (unsigned i = 0; i < sizeof div / sizeof div[0]; i++)
        d(3, div[i][0], div[i][1]);
    /* sqrt */
    double sq[] = {4.0, 2.0, -1.0, -0.0, 0.0, t, 2 * m, m, (p26 + 1) * (p26 + 1), (p27 - 1) * (p27 - 1),
                   ldexp(1.0, 100), ldexp(1.0, 101), INFINITY, -INFINITY, NAN, M, 0.25, 1e-310};
    for (unsigned i = 0; i < sizeof sq / sizeof sq[0]; i++)
        d(4, sq[i], 0.0);
}

static void floats(void) {
    const float m = FLT_MIN, t = FLT_TRUE_MIN, M = FLT_MAX;
    const float p12 = 4096.0f, p13 = 8192.0f, p24 = 16777216.0f;
    const float up = nextafterf(m, 1.0f), one_minus = 1.0f - ldexpf(1.0f, -24);
    float add[][2] = {{1.5f, 2.25f}, {1.0f, ldexpf(1.0f, -30)}, {0.1f, 0.2f}, {3.0f, -3.0f}, {-0.0f, -0.0f},
                      {0.0f, -0.0f}, {t, t}, {m, -t}, {up, -t}, {1.5f * m, -0.5f * m}, {M, M},
                      {M, ldexpf(1.0f, 103)}, {M, ldexpf(1.0f, 102)}, {M, -M}, {p24, 1.0f}, {-p24, 1.0f},
                      {INFINITY, 1.0f}, {INFINITY, -INFINITY}, {NAN, 1.0f}, {1e-40f, 1e-40f}, {1e30f, 1e-30f}};
    for (unsigned i = 0; i < sizeof add / sizeof add[0]; i++) {
        s(0, add[i][0], add[i][1]);
        s(1, add[i][0], add[i][1]);
    }
    float mul[][2] = {{3.0f, 0.5f}, {0.1f, 3.0f}, {1e30f, 1e-30f}, {1e-30f, 1e-30f}, {m, 0.5f}, {m, one_minus},
                      {up, one_minus}, {m, 1.0f}, {0.0f, -3.0f}, {-0.0f, -0.0f}, {0.0f, INFINITY},
                      {t, ldexpf(1.0f, 100)}, {p13 + 1, p12 + 1}, {p12 + 1, p12 + 1}, {p24 - 1, p24 - 1},
                      {p24 - 1, 3.0f}, {M, 2.0f}, {M, 0.5f}, {t, 0.5f}, {NAN, 2.0f}};
    for (unsigned i = 0; i < sizeof mul / sizeof mul[0]; i++)
        s(2, mul[i][0], mul[i][1]);
    float div[][2] = {{1.0f, 3.0f}, {6.0f, 3.0f}, {1.0f, 0.0f}, {0.0f, 0.0f}, {0.0f, 5.0f}, {-0.0f, 5.0f},
                      {m, 1024.0f}, {m, 3.0f}, {1e30f, 1e-30f}, {7.0f, INFINITY}, {1.0f, M}, {M, 0.5f},
                      {up, 1.0f}, {m, one_minus}, {t, 0.5f}, {1.0f, t}, {p24 - 1, p12 + 1}, {-10.0f, 4.0f}};
    for (unsigned i = 0; i < sizeof div / sizeof div[0]; i++)
        s(3, div[i][0], div[i][1]);
    float sq[] = {4.0f, 2.0f, -1.0f, -0.0f, 0.0f, t, 2 * m, m, (p12 + 1) * (p12 + 1), M, 0.25f, 1e-40f,
                  INFINITY, NAN};
    for (unsigned i = 0; i < sizeof sq / sizeof sq[0]; i++)
        s(4, sq[i], 0.0f);
}

/* Conversions: SCVTF/UCVTF, FCVT single <-> double, FCVTZS/FCVTZU, each run with FPSR cleared and with only
 * IXC set (the AOT tier inlines them in that mode). */
static volatile uint64_t cres;
__attribute__((noipa)) static void conv(int op, uint64_t x) {
    double dx;
    float fx;
    memcpy(&dx, &x, 8);
    uint32_t x32 = (uint32_t)x;
    memcpy(&fx, &x32, 4);
    switch (op) {
    case 0: dres = (double)(int32_t)x; break;
    case 1: dres = (double)(uint32_t)x; break;
    case 2: dres = (double)(int64_t)x; break;
    case 3: dres = (double)x; break;
    case 4: fres = (float)(int32_t)x; break;
    case 5: fres = (float)(uint32_t)x; break;
    case 6: fres = (float)(int64_t)x; break;
    case 7: fres = (float)x; break;
    case 8: dres = (double)fx; break;
    case 9: fres = (float)dx; break;
    case 10: cres = (uint32_t)(int32_t)dx; break;
    case 11: cres = (uint32_t)dx; break;
    case 12: cres = (uint64_t)(int64_t)dx; break;
    case 13: cres = (uint64_t)dx; break;
    case 14: cres = (uint32_t)(int32_t)fx; break;
    case 15: cres = (uint32_t)fx; break;
    case 16: cres = (uint64_t)(int64_t)fx; break;
    default: cres = (uint64_t)fx; break;
    }
}

static void conversions(void) {
    static const uint64_t ints[] = {0, 1, 0xffffffffu, 0x80000000u, 0x7fffffffu, 16777217, 0x20000001,
                                    0x20000000000001ull, 0x8000000000000000ull, 0xffffffffffffffffull,
                                    0x7fffffffffffffffull, 0xfffffffffffff000ull, 123456789012345ull};
    static const double ds[] = {0.0, -0.0, 0.5, -0.5, 0.1, 1e39, -1e39, 1e-40, 0x1p-150, 0x1p-149, 3.4028235677973366e38,
                                3.4028235677973362e38, 2147483647.9, 2147483648.0, -2147483648.9, -2147483649.0,
                                4294967295.5, 4294967296.0, -1.0, 9.3e18, 9223372036854775808.0,
                                -9223372036854775808.0, -9223372036854777856.0, 1.8e19, 18446744073709551616.0,
                                1e-310, INFINITY, -INFINITY, NAN};
    static const uint32_t fs[] = {0x00000000, 0x80000000, 0x3f000000, 0xbf000000, 0x00000001, 0x00800000,
                                  0x7f800000, 0xff800000, 0x7fc00000, 0x7fa00000, 0x4f000000, 0xcf000000,
                                  0xcf000001, 0x4f800000, 0x5f000000, 0xdf000000, 0x5f800000, 0x4effffff};
    for (int fpsr = 0; fpsr <= 0x10; fpsr += 0x10) {
        for (int op = 0; op <= 7; op++)
            for (unsigned i = 0; i < sizeof ints / sizeof ints[0]; i++) {
                set_fpsr(fpsr);
                conv(op, ints[i]);
                uint64_t f = get_fpsr();
                printf("c%d %016llx = %016llx %08x fpsr %02llx\n", op, (unsigned long long)ints[i],
                       (unsigned long long)db(dres), fb(fres), (unsigned long long)f);
            }
        for (int op = 8; op <= 17; op++) {
            unsigned n = op == 8 || op >= 14 ? sizeof fs / sizeof fs[0] : sizeof ds / sizeof ds[0];
            for (unsigned i = 0; i < n; i++) {
                uint64_t x = op == 8 || op >= 14 ? fs[i] : db(ds[i]);
                set_fpsr(fpsr);
                conv(op, x);
                uint64_t f = get_fpsr();
                printf("c%d %016llx = %016llx %08x %016llx fpsr %02llx\n", op, (unsigned long long)x,
                       (unsigned long long)db(dres), fb(fres), (unsigned long long)cres, (unsigned long long)f);
            }
        }
    }
}

int main(void) {
    uint64_t fpcr = get_fpcr();
    printf("-- nearest\n");
    doubles();
    floats();
    conversions();
    printf("-- upward\n");
    fesetround(FE_UPWARD);
    doubles();
    floats();
    conversions();
    fesetround(FE_TONEAREST);
    printf("-- FZ\n");
    set_fpcr(fpcr | (1 << 24));
    doubles();
    floats();
    conversions();
    printf("-- DN\n");
    set_fpcr(fpcr | (1 << 25));
    doubles();
    floats();
    set_fpcr(fpcr);
    set_fpsr(0);
    return 0;
}
