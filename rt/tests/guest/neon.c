/* Loops gcc vectorises with NEON at -O3: sums, dot products, saxpy, min/max, histogram and conversions over
 * int8/int16/int32/float/double arrays (odd lengths, so the scalar tails run too). Prints results; exit 0. */
#include <stdint.h>
#include <stdio.h>

#define N 1003

static int8_t a8[N], b8[N];
static int16_t a16[N], b16[N];
static int32_t a32[N], b32[N];
static float af[N], bf[N], cf[N];
static double ad[N], bd[N];
static uint8_t pix[4 * N];

static uint32_t seed = 12345;
static uint32_t rnd(void) { seed = seed * 1103515245u + 12345u; return seed >> 8; }

__attribute__((noinline)) static int32_t sum8(const int8_t *a, int n) { int32_t s = 0; for (int i = 0; i < n; i++) s += a[i]; return s; }
__attribute__((noinline)) static int64_t dot16(const int16_t *a, const int16_t *b, int n) { int64_t s = 0; for (int i = 0; i < n; i++) s += a[i] * b[i]; return s; }
__attribute__((noinline)) static int32_t dot8(const int8_t *a, const int8_t *b, int n) { int32_t s = 0; for (int i = 0; i < n; i++) s += a[i] * b[i]; return s; }
__attribute__((noinline)) static void add32(int32_t *d, const int32_t *a, const int32_t *b, int n) { for (int i = 0; i < n; i++) d[i] = a[i] + (b[i] >> 3) - (a[i] & b[i]); }
__attribute__((noinline)) static void saxpy(float *y, const float *x, float a, int n) { for (int i = 0; i < n; i++) y[i] = a * x[i] + y[i]; }
__attribute__((noinline)) static void daxpy(double *y, const double *x, double a, int n) { for (int i = 0; i < n; i++) y[i] = a * x[i] + y[i]; }
__attribute__((noinline)) static float sumf(const float *a, int n) { float s = 0; for (int i = 0; i < n; i++) s += a[i]; return s; }
__attribute__((noinline)) static double dotd(const double *a, const double *b, int n) { double s = 0; for (int i = 0; i < n; i++) s += a[i] * b[i]; return s; }
__attribute__((noinline)) static void minmax16(const int16_t *a, int n, int16_t *mn, int16_t *mx) {
    int16_t lo = a[0], hi = a[0];
    for (int i = 1; i < n; i++) { lo = a[i] < lo ? a[i] : lo; hi = a[i] > hi ? a[i] : hi; }
    *mn = lo; *mx = hi;
}
__attribute__((noinline)) static void minmaxf(const float *a, int n, float *mn, float *mx) {
    float lo = a[0], hi = a[0];
    for (int i = 1; i < n; i++) { lo = a[i] < lo ? a[i] : lo; hi = a[i] > hi ? a[i] : hi; }
    *mn = lo; *mx = hi;
}
__attribute__((noinline)) static void hist(const uint8_t *p, int n, uint32_t *h) { for (int i = 0; i < n; i++) h[p[i] >> 4]++; }
__attribute__((noinline)) static void to_gray(uint8_t *g, const uint8_t *rgba, int n) {
    for (int i = 0; i < n; i++) g[i] = (uint8_t)((rgba[4 * i] * 77 + rgba[4 * i + 1] * 150 + rgba[4 * i + 2] * 29) >> 8);
}
__attribute__((noinline)) static void convert(int32_t *d, const float *f, double *dd, int n) {
    for (int i = 0; i < n; i++) { d[i] = (int32_t)f[i]; dd[i] = (double)f[i] * 0.5; }
}
__attribute__((noinline)) static void sat_add8(int8_t *d, const int8_t *a, const int8_t *b, int n) {
    for (int i = 0; i < n; i++) { int s = a[i] + b[i]; d[i] = (int8_t)(s > 127 ? 127 : s < -128 ? -128 : s); }
}
__attribute__((noinline)) static uint32_t abs_diff(const uint8_t *a, const uint8_t *b, int n) {
    uint32_t s = 0; for (int i = 0; i < n; i++) s += (uint32_t)(a[i] > b[i] ? a[i] - b[i] : b[i] - a[i]); return s;
}

int main(void) {
    for (int i = 0; i < N; i++) {
        a8[i] = (int8_t)rnd(); b8[i] = (int8_t)rnd();
        a16[i] = (int16_t)rnd(); b16[i] = (int16_t)rnd();
        a32[i] = (int32_t)(rnd() << 8); b32[i] = (int32_t)rnd();
        af[i] = (float)(int32_t)(rnd() % 20001 - 10000) / 64.0f; bf[i] = (float)(rnd() % 1000) * 0.01f;
        ad[i] = (double)(int32_t)(rnd() % 200001 - 100000) / 1024.0; bd[i] = 1.0 / (double)(i + 1);
    }
    for (int i = 0; i < 4 * N; i++) pix[i] = (uint8_t)rnd();
    for (int n = 1; n <= N; n += 250) {
        printf("n=%d sum8 %d dot8 %d dot16 %lld sumf %a dotd %a\n", n, sum8(a8, n), dot8(a8, b8, n),
               (long long)dot16(a16, b16, n), sumf(af, n), dotd(ad, bd, n));
    }
    add32(b32, a32, b32, N);
    int64_t s = 0;
    for (int i = 0; i < N; i++) s = s * 3 + b32[i];
    printf("add32 %lld\n", (long long)s);
    for (int i = 0; i < N; i++) cf[i] = bf[i];
    saxpy(cf, af, 1.5f, N);
    saxpy(cf, bf, -0.25f, N - 7);
    printf("saxpy %a %a %a\n", cf[0], cf[N / 2], cf[N - 1]);
    daxpy(bd, ad, 3.0, N);
    printf("daxpy %a %a dotd %a\n", bd[1], bd[N - 1], dotd(bd, ad, N));
    int16_t mn, mx;
    minmax16(a16, N, &mn, &mx);
    float fmn, fmx;
    minmaxf(af, N, &fmn, &fmx);
    printf("minmax %d %d %a %a\n", mn, mx, fmn, fmx);
    uint32_t h[16] = {0};
    hist(pix, 4 * N, h);
    for (int i = 0; i < 16; i++) printf("%u ", h[i]);
    printf("\n");
    uint8_t gray[N];
    to_gray(gray, pix, N);
    uint32_t gs = 0;
    for (int i = 0; i < N; i++) gs = gs * 33 + gray[i];
    printf("gray %u absdiff %u\n", gs, abs_diff(pix, pix + N, N));
    int32_t ci[N];
    double cd[N];
    convert(ci, af, cd, N);
    int64_t cs = 0;
    double cds = 0;
    for (int i = 0; i < N; i++) { cs += ci[i] * (i % 7); cds += cd[i]; }
    printf("convert %lld %a\n", (long long)cs, cds);
    int8_t sat[N];
    sat_add8(sat, a8, b8, N);
    int32_t ss = 0;
    for (int i = 0; i < N; i++) ss = ss * 7 + sat[i];
    printf("sat %d\n", ss);
    return 0;
}
