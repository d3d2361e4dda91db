/* AdvSIMD in context: gcc -O3 vectorised loops (add/mul/shift, min/max, reductions, widening dot products,
 * absolute differences, saxpy with FMLA, conversions, narrowing/widening, byte counting, saturation), glibc's
 * NEON string functions at 40 alignments, and arm_neon.h intrinsics (TBL2, ZIP, UQADD, SQRDMULH, SMULL2,
 * PMULL (64-bit), FRSQRTE, UMAXV, the widening SMULL/UMULL/SMLAL/SMLSL/SADDL/SSUBL/SADDW/SSUBW families).
 * Prints hashes of the results; exit 0. */
#include <arm_neon.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N 1027
static int32_t ia[N], ib[N], ic[N];
static int16_t sa[N], sb[N];
static uint8_t ua[N], ub[N];
static float fa[N], fb[N], fc[N];
static double da[N], db[N];
static char text[4096];

static uint32_t rng = 12345;
static uint32_t rnd(void) { rng = rng * 1103515245u + 12345u; return rng >> 8; }

__attribute__((noinline)) void vadd(void) { for (int i = 0; i < N; i++) ic[i] = ia[i] + ib[i] * 3 - (ia[i] >> 2); }
__attribute__((noinline)) void vminmax(void) { for (int i = 0; i < N; i++) ic[i] = (ia[i] > ib[i] ? ia[i] : ib[i]) - (sa[i] < sb[i] ? sa[i] : sb[i]); }
__attribute__((noinline)) int64_t vsum(void) { int64_t s = 0; for (int i = 0; i < N; i++) s += ia[i]; return s; }
__attribute__((noinline)) int32_t vdot16(void) { int32_t s = 0; for (int i = 0; i < N; i++) s += sa[i] * sb[i]; return s; }
__attribute__((noinline)) uint32_t vsad(void) { uint32_t s = 0; for (int i = 0; i < N; i++) s += abs(ua[i] - ub[i]); return s; }
__attribute__((noinline)) void vsaxpy(float k) { for (int i = 0; i < N; i++) fc[i] = k * fa[i] + fb[i]; }
__attribute__((noinline)) double vddot(void) { double s = 0; for (int i = 0; i < N; i++) s += da[i] * db[i]; return s; }
__attribute__((noinline)) float vfmax(void) { float m = -1e30f; for (int i = 0; i < N; i++) m = fa[i] > m ? fa[i] : m; return m; }
__attribute__((noinline)) void vconv(void) { for (int i = 0; i < N; i++) { ic[i] = (int)(fa[i] * 100.0f); da[i] = (double)ib[i] * 0.5; } }
__attribute__((noinline)) void vnarrow(void) { for (int i = 0; i < N; i++) ua[i] = (uint8_t)(ia[i] >> 3); }
__attribute__((noinline)) void vwiden(void) { for (int i = 0; i < N; i++) ic[i] = ua[i] * (int)sb[i]; }
__attribute__((noinline)) int vcount(char c) { int n = 0; for (int i = 0; i < (int)sizeof text; i++) n += text[i] == c; return n; }
__attribute__((noinline)) void vsat(void) { for (int i = 0; i < N; i++) { int v = sa[i] + sb[i]; sa[i] = v > 32767 ? 32767 : v < -32768 ? -32768 : v; } }

static uint64_t h = 1469598103934665603ull;
static void mix(const void *p, size_t n) { const uint8_t *b = p; for (size_t i = 0; i < n; i++) { h ^= b[i]; h *= 1099511628211ull; } }
#define MIX(x) mix(&(x), sizeof(x))

int main(void) {
    for (int i = 0; i < N; i++) {
        ia[i] = (int32_t)rnd() - (1 << 23); ib[i] = (int32_t)(rnd() % 20001) - 10000;
        sa[i] = (int16_t)rnd(); sb[i] = (int16_t)(rnd() >> 3);
        ua[i] = rnd(); ub[i] = rnd();
        fa[i] = (float)((int)(rnd() % 200001) - 100000) / 1000.0f; fb[i] = (float)(rnd() % 1000) / 7.0f;
        da[i] = (double)rnd() / 3.0; db[i] = (double)(rnd() % 1000) - 500.0;
    }
    for (int i = 0; i < (int)sizeof text - 1; i++) text[i] = "abcdefghij klmnopqrstuvwxyz,.\n"[rnd() % 31];
    text[sizeof text - 1] = 0;
    vadd(); mix(ic, sizeof ic); printf("vadd %016llx\n", (unsigned long long)h);
    vminmax(); mix(ic, sizeof ic); printf("vminmax %016llx\n", (unsigned long long)h);
    int64_t s = vsum(); MIX(s); int32_t d = vdot16(); MIX(d); uint32_t sad = vsad(); MIX(sad);
    printf("sum %lld dot %d sad %u\n", (long long)s, d, sad);
    vsaxpy(1.5f); mix(fc, sizeof fc); double dd = vddot(); MIX(dd); float fm = vfmax(); MIX(fm);
    printf("saxpy %016llx ddot %.17g fmax %.9g\n", (unsigned long long)h, dd, fm);
    vconv(); mix(ic, sizeof ic); mix(da, sizeof da); printf("conv %016llx\n", (unsigned long long)h);
    vnarrow(); mix(ua, sizeof ua); vwiden(); mix(ic, sizeof ic); printf("narrow/widen %016llx\n", (unsigned long long)h);
    printf("count e=%d ' '=%d\n", vcount('e'), vcount(' '));
    vsat(); mix(sa, sizeof sa); printf("sat %016llx\n", (unsigned long long)h);
    /* glibc string functions (NEON implementations) */
    size_t total = 0;
    for (int off = 0; off < 40; off++) {
        total += strlen(text + off) + (size_t)(strchr(text + off, 'z') - text) + (size_t)(strrchr(text + off, 'q') - text);
        total += (size_t)((char *)memchr(text + off, ',', 3000) - text);
        char buf[512]; memcpy(buf, text + off, 300); buf[300] = 0; total += strlen(buf) + (size_t)memcmp(buf, text + off + 1, 200);
        memset(buf + off, 'x', 100); total += (size_t)strcmp(buf, text) + strspn(buf, "abcdx") + strcspn(buf + off, "q");
    }
    printf("strings %zu\n", total);
    /* intrinsics */
    uint8x16_t t0 = vld1q_u8(ua), t1 = vld1q_u8(ub);
    uint8x16_t idx = vandq_u8(vld1q_u8(ub + 16), vdupq_n_u8(31));
    uint8x16x2_t tab = {{t0, t1}};
    uint8x16_t r = vqtbl2q_u8(tab, idx);
    r = veorq_u8(r, vqaddq_u8(t0, t1));
    uint8x16x2_t z = vzipq_u8(r, t0);
    int16x8_t q = vqrdmulhq_s16(vld1q_s16(sa), vld1q_s16(sb));
    int32x4_t l = vmull_high_s16(vld1q_s16(sa), vld1q_s16(sb));
    uint64x2_t p = vreinterpretq_u64_p128(vmull_p64(0x8765432187654321ull, 0x0123456789abcdefull));
    float32x4_t f = vrsqrteq_f32(vabsq_f32(vld1q_f32(fa)));
    uint32_t mx = vmaxvq_u32(vreinterpretq_u32_u8(z.val[1]));
    MIX(r); MIX(z); MIX(q); MIX(l); MIX(p); MIX(f); MIX(mx);
    printf("intrinsics %016llx\n", (unsigned long long)h);
    /* Widening integer operations (the AOT tier's extmul/extend forms), signed and unsigned, low and high
     * halves, by element, on data with the sign bits set. */
    for (int k = 0; k < 4; k++) {
        int8x16_t a8 = vld1q_s8((const int8_t *)ua + 16 * k), b8 = vld1q_s8((const int8_t *)ub + 16 * k);
        uint8x16_t u8a = vld1q_u8(ua + 16 * k), u8b = vld1q_u8(ub + 16 * k);
        int16x8_t a16 = vld1q_s16(sa + 8 * k), b16 = vld1q_s16(sb + 8 * k);
        uint16x8_t u16a = vreinterpretq_u16_s16(a16), u16b = vreinterpretq_u16_s16(b16);
        int32x4_t a32 = vld1q_s32(ia + 4 * k), b32 = vld1q_s32(ib + 4 * k);
        uint32x4_t u32a = vreinterpretq_u32_s32(a32), u32b = vreinterpretq_u32_s32(b32);
        int16x8_t w16 = vmull_s8(vget_low_s8(a8), vget_low_s8(b8));
        uint16x8_t uw16 = vmull_high_u8(u8a, u8b);
        w16 = vmlal_high_s8(w16, a8, b8);
        uw16 = vmlsl_u8(uw16, vget_low_u8(u8a), vget_low_u8(u8b));
        int32x4_t w32 = vmlal_s16(vmull_high_s16(a16, b16), vget_low_s16(a16), vget_low_s16(b16));
        w32 = vmlsl_lane_s16(w32, vget_low_s16(a16), vget_low_s16(b16), 3);
        uint32x4_t uw32 = vmlal_high_laneq_u16(vmull_u16(vget_low_u16(u16a), vget_low_u16(u16b)), u16a, u16b, 5);
        int64x2_t w64 = vmlal_high_s32(vmull_laneq_s32(vget_low_s32(a32), b32, 2), a32, b32);
        uint64x2_t uw64 = vmlsl_u32(vmull_high_u32(u32a, u32b), vget_low_u32(u32a), vget_low_u32(u32b));
        int16x8_t s16 = vsubq_s16(vaddl_high_s8(a8, b8), vsubl_s8(vget_low_s8(a8), vget_low_s8(b8)));
        uint32x4_t s32 = vaddw_high_u16(vsubl_u16(vget_low_u16(u16a), vget_low_u16(u16b)), u16b);
        int64x2_t s64 = vsubw_s32(vaddl_high_s32(a32, b32), vget_low_s32(b32));
        uint16x8_t s8w = vsubw_high_u8(vaddw_u8(uw16, vget_low_u8(u8b)), u8a);
        MIX(w16); MIX(uw16); MIX(w32); MIX(uw32); MIX(w64); MIX(uw64); MIX(s16); MIX(s32); MIX(s64); MIX(s8w);
    }
    printf("widening %016llx\n", (unsigned long long)h);
    return 0;
}
