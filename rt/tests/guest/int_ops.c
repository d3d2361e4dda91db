/* Integer edge cases: overflow (wrapping through unsigned and __builtin_*_overflow), shifts by every amount,
 * division and remainder including division by zero and INT_MIN / -1 (done with sdiv/udiv directly, since C
 * leaves them undefined), bit operations. Prints one line per check; exit status 0. */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>

static const int64_t vals[] = {0, 1, -1, 2, -2, 7, -7, 100, INT32_MAX, INT32_MIN, (int64_t)INT32_MAX + 1,
                               UINT32_MAX, INT64_MAX, INT64_MIN, INT64_MIN + 1, 0x5555555555555555,
                               (int64_t)0xaaaaaaaaaaaaaaaa, 0x0123456789abcdef};
#define N (sizeof vals / sizeof vals[0])

static int64_t sdiv64(int64_t a, int64_t b) { int64_t r; __asm__("sdiv %0, %1, %2" : "=r"(r) : "r"(a), "r"(b)); return r; }
static uint64_t udiv64(uint64_t a, uint64_t b) { uint64_t r; __asm__("udiv %0, %1, %2" : "=r"(r) : "r"(a), "r"(b)); return r; }
static int32_t sdiv32(int32_t a, int32_t b) { int32_t r; __asm__("sdiv %w0, %w1, %w2" : "=r"(r) : "r"(a), "r"(b)); return r; }
static uint32_t udiv32(uint32_t a, uint32_t b) { uint32_t r; __asm__("udiv %w0, %w1, %w2" : "=r"(r) : "r"(a), "r"(b)); return r; }
/* A division then an MSUB that turns the quotient into the remainder in the same register (both operand orders):
 * the AOT tier lifts such a pair as one remainder operation. By zero the remainder is the dividend; MIN by -1
 * gives 0. */
static uint64_t urem64(uint64_t a, uint64_t b) { uint64_t t; __asm__("udiv %0, %1, %2\n\tmsub %0, %0, %2, %1" : "=&r"(t) : "r"(a), "r"(b)); return t; }
static int64_t srem64(int64_t a, int64_t b) { int64_t t; __asm__("sdiv %0, %1, %2\n\tmsub %0, %2, %0, %1" : "=&r"(t) : "r"(a), "r"(b)); return t; }
static uint32_t urem32(uint32_t a, uint32_t b) { uint32_t t; __asm__("udiv %w0, %w1, %w2\n\tmsub %w0, %w2, %w0, %w1" : "=&r"(t) : "r"(a), "r"(b)); return t; }
static int32_t srem32(int32_t a, int32_t b) { int32_t t; __asm__("sdiv %w0, %w1, %w2\n\tmsub %w0, %w0, %w2, %w1" : "=&r"(t) : "r"(a), "r"(b)); return t; }

static uint64_t hash = 1469598103934665603ull;
static void mix(uint64_t v) { hash = (hash ^ v) * 1099511628211ull; }

int main(void) {
    for (unsigned i = 0; i < N; i++) {
        for (unsigned j = 0; j < N; j++) {
            int64_t a = vals[i], b = vals[j];
            uint64_t ua = (uint64_t)a, ub = (uint64_t)b;
            int64_t s64;
            int32_t s32;
            int o1 = __builtin_add_overflow(a, b, &s64);
            int o2 = __builtin_sub_overflow((int32_t)a, (int32_t)b, &s32);
            int o3 = __builtin_mul_overflow(a, b, &s64);
            uint64_t u;
            int o4 = __builtin_umull_overflow(ua, ub, (unsigned long *)&u);
            printf("%lld %lld: add %llx sub32 %x mul %llx mulhi %llx/%llx ov %d%d%d%d\n", (long long)a,
                   (long long)b, (unsigned long long)(ua + ub), (unsigned)((uint32_t)a - (uint32_t)b),
                   (unsigned long long)(ua * ub),
                   (unsigned long long)(((unsigned __int128)ua * ub) >> 64),
                   (unsigned long long)(((__int128)a * b) >> 64), o1, o2, o3, o4);
            printf("  div %llx %llx %x %x rem %llx %llx\n", (unsigned long long)sdiv64(a, b),
                   (unsigned long long)udiv64(ua, ub), (unsigned)sdiv32((int32_t)a, (int32_t)b),
                   udiv32((uint32_t)a, (uint32_t)b),
                   (unsigned long long)(b ? (ua - (uint64_t)sdiv64(a, b) * ub) : ua),
                   (unsigned long long)(b ? ua % ub : ua));
            printf("  rem %llx %llx %x %x\n", (unsigned long long)srem64(a, b), (unsigned long long)urem64(ua, ub),
                   (unsigned)srem32((int32_t)a, (int32_t)b), urem32((uint32_t)a, (uint32_t)b));
        }
    }
    for (unsigned i = 0; i < N; i++) {
        uint64_t x = (uint64_t)vals[i];
        uint32_t w = (uint32_t)x;
        for (volatile unsigned sh = 0; sh < 64; sh++) {
            mix(x << sh); mix(x >> sh); mix((uint64_t)((int64_t)x >> sh));
            mix((x >> sh) | (x << ((64 - sh) & 63)));
            mix(w << (sh & 31)); mix(w >> (sh & 31)); mix((uint32_t)((int32_t)w >> (sh & 31)));
        }
        printf("bits %016llx: clz %d ctz %d pop %d clrsb %d clz32 %d pop32 %d bswap %016llx bswap32 %08x "
               "rev16 %04x parity %d\n", (unsigned long long)x, x ? __builtin_clzll(x) : 64,
               x ? __builtin_ctzll(x) : 64, __builtin_popcountll(x), __builtin_clrsbll((long long)x),
               w ? __builtin_clz(w) : 32, __builtin_popcount(w), (unsigned long long)__builtin_bswap64(x),
               __builtin_bswap32(w), __builtin_bswap16((uint16_t)w), __builtin_parityll(x));
        printf("  sext %lld %lld %d zext %u %u\n", (long long)(int8_t)x, (long long)(int16_t)x, (int32_t)x,
               (unsigned)(uint8_t)x, (unsigned)(uint16_t)x);
    }
    printf("shift hash %016llx\n", (unsigned long long)hash);
    return 0;
}
