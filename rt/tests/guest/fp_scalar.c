/* Scalar floating point: NaN, infinities, signed zeros and denormals through arithmetic, comparisons and
 * conversions; every rounding mode (fesetround) on inexact operations; exception flags (fetestexcept);
 * fused multiply-add both explicitly (fma) and from gcc's default fp-contract (a*b+c). Prints %a so every bit
 * is visible; exit status 0. */
#include <fenv.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static volatile double dv[] = {0.0, -0.0, 1.0, -1.0, 0.1, 3.0, 1e308, -1e308, DBL_MIN, DBL_TRUE_MIN,
                               -DBL_TRUE_MIN, DBL_MAX, INFINITY, -INFINITY, NAN, 2.5, -2.5, 0.5, 1e-310,
                               9007199254740993.0, 4294967296.5, -2147483648.5};
static volatile float fv[] = {0.0f, -0.0f, 1.0f, -1.5f, 0.1f, 3.0f, FLT_MIN, FLT_TRUE_MIN, FLT_MAX,
                              INFINITY, -INFINITY, NAN, 16777217.0f, -0.75f, 1e-40f, 2147483648.0f};
#define ND (sizeof dv / sizeof dv[0])
#define NF (sizeof fv / sizeof fv[0])

static void flags(const char *what) {
    int f = fetestexcept(FE_ALL_EXCEPT);
    printf("%s flags:%s%s%s%s%s\n", what, f & FE_INVALID ? " invalid" : "", f & FE_DIVBYZERO ? " divbyzero" : "",
           f & FE_OVERFLOW ? " overflow" : "", f & FE_UNDERFLOW ? " underflow" : "",
           f & FE_INEXACT ? " inexact" : "");
    feclearexcept(FE_ALL_EXCEPT);
}

static uint64_t bits(double d) { uint64_t u; memcpy(&u, &d, 8); return u; }
static uint32_t fbits(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }

/* Contracted by gcc into fmadd/fmsub/fnmadd at -O2 and -O3 (fp-contract=fast is gcc's default). */
__attribute__((noinline)) static double contract(double a, double b, double c) { return a * b + c; }
__attribute__((noinline)) static float contractf(float a, float b, float c) { return a * b - c; }

int main(void) {
    feclearexcept(FE_ALL_EXCEPT);
    for (unsigned i = 0; i < ND; i++) {
        for (unsigned j = 0; j < ND; j += 3) {
            double a = dv[i], b = dv[j];
            printf("%a %a: + %a - %a * %a / %a min %a max %a cmp %d%d%d%d\n", a, b, a + b, a - b, a * b, a / b,
                   fmin(a, b), fmax(a, b), a < b, a == b, a > b, isunordered(a, b));
        }
        double a = dv[i];
        printf("%a: sqrt %a rint %a floor %a ceil %a trunc %a round %a i64 %lld u32 %u f %a bits %016llx\n", a,
               sqrt(a), rint(a), floor(a), ceil(a), trunc(a), round(a), (long long)(isnan(a) ? 0 : (a > 9e18 || a < -9e18) ? 1 : (long long)a),
               (unsigned)(a >= 0 && a < 4e9 ? (uint32_t)a : 7), (double)(float)a, (unsigned long long)bits(a));
        flags("  d");
    }
    for (unsigned i = 0; i < NF; i++) {
        for (unsigned j = 0; j < NF; j += 2) {
            float a = fv[i], b = fv[j];
            printf("f %a %a: + %a * %a / %a fma %a\n", a, b, a + b, a * b, a / b, fmaf(a, b, 1.0f));
        }
        printf("f %a: sqrt %a bits %08x to-double %a\n", fv[i], sqrtf(fv[i]), fbits(fv[i]), (double)fv[i]);
        flags("  f");
    }
    static const int modes[] = {FE_TONEAREST, FE_UPWARD, FE_DOWNWARD, FE_TOWARDZERO};
    static const char *names[] = {"nearest", "upward", "downward", "towardzero"};
    for (int m = 0; m < 4; m++) {
        fesetround(modes[m]);
        volatile double one = 1.0, three = 3.0, big = 1e308, tiny = DBL_MIN;
        volatile float fone = 1.0f, fthree = 3.0f;
        printf("%s: 1/3 %a -1/3 %a f %a big*10 %a tiny/3 %a rint(2.5) %a rint(-2.5) %a nearbyint(0.5) %a "
               "lrint(-3.5) %ld (float)0.1 %a\n",
               names[m], one / three, -one / three, fone / fthree, big * 10, tiny / three, rint(2.5), rint(-2.5),
               nearbyint(0.5), lrint(-3.5), (double)(float)dv[4]);
        flags("  mode");
    }
    fesetround(FE_TONEAREST);
    volatile double z = 0.0;
    printf("1/0 %a ", 1.0 / z);
    flags("");
    printf("0/0 %a ", z / z);
    flags("");
    printf("sqrt(-1) %a ", sqrt(-1.0 + z));
    flags("");
    volatile double x = 1.0 + 0x1p-52, y = 1.0 - 0x1p-52, c = -1.0;
    printf("fma %a contract %a separate %a\n", fma(x, y, c), contract(x, y, c), (double)(x * y) + c);
    printf("fmaf %a contractf %a\n", fmaf(1.0f + 0x1p-23f, 1.0f - 0x1p-23f, -1.0f),
           contractf(1.0f + 0x1p-23f, 1.0f - 0x1p-23f, 1.0f));
    printf("fma inf*0 %a ", fma(INFINITY, z, 1.0));
    flags("");
    printf("copysign %a nextafter %a frexp-ldexp %a\n", copysign(3.0, -0.0), nextafter(1.0, 2.0),
           ldexp(0.75, -1074));
    return 0;
}
