/* Exclusives and __atomic builtins on 1-, 2-, 4-, 8- and 16-byte objects. Built twice by the test: for
 * armv8-a (gcc emits LDXR/STXR loops or calls libatomic's outline helpers) and with -march=armv8.1-a (LSE:
 * LDADD, SWP, CAS, CASP). Prints every result; exit status 0. */
#include <stdint.h>
#include <stdio.h>

static uint8_t b8 = 0xf0;
static uint16_t b16 = 0xfff0;
static uint32_t b32 = 0xfffffff0u;
static uint64_t b64 = 0xfffffffffffffff0ull;
static __int128 b128 __attribute__((aligned(16)));

#define OPS(T, v, fmt)                                                                                     \
    do {                                                                                                   \
        T old, expected, x;                                                                                \
        old = __atomic_fetch_add(&v, (T)0x13, __ATOMIC_SEQ_CST);                                           \
        printf(#T " add old " fmt " new " fmt "\n", old, v);                                                \
        old = __atomic_fetch_sub(&v, (T)0x25, __ATOMIC_ACQUIRE);                                           \
        printf(#T " sub old " fmt " new " fmt "\n", old, v);                                                \
        old = __atomic_fetch_and(&v, (T)0x5a5a5a5a5a5a5a5aull, __ATOMIC_RELEASE);                          \
        printf(#T " and old " fmt " new " fmt "\n", old, v);                                                \
        old = __atomic_fetch_or(&v, (T)0x8181818181818181ull, __ATOMIC_ACQ_REL);                           \
        printf(#T " or old " fmt " new " fmt "\n", old, v);                                                 \
        old = __atomic_fetch_xor(&v, (T)0xffffffffffffffffull, __ATOMIC_RELAXED);                          \
        printf(#T " xor old " fmt " new " fmt "\n", old, v);                                                \
        old = __atomic_exchange_n(&v, (T)0x7777777777777777ull, __ATOMIC_SEQ_CST);                         \
        printf(#T " xchg old " fmt " new " fmt "\n", old, v);                                               \
        expected = (T)1;                                                                                   \
        x = __atomic_compare_exchange_n(&v, &expected, (T)2, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);       \
        printf(#T " cas-fail %d expected " fmt " v " fmt "\n", (int)x, expected, v);                       \
        x = __atomic_compare_exchange_n(&v, &expected, (T)2, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);       \
        printf(#T " cas-ok %d expected " fmt " v " fmt "\n", (int)x, expected, v);                         \
        for (int i = 0; i < 1000; i++) __atomic_add_fetch(&v, (T)i, __ATOMIC_RELAXED);                     \
        printf(#T " loop " fmt "\n", v);                                                                    \
        printf(#T " max " fmt "\n", (T)__atomic_load_n(&v, __ATOMIC_ACQUIRE));                             \
    } while (0)

static int64_t smax_atomic(int64_t *p, int64_t v) {
    int64_t cur = __atomic_load_n(p, __ATOMIC_RELAXED);
    while (cur < v && !__atomic_compare_exchange_n(p, &cur, v, 1, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED)) {
    }
    return cur;
}

int main(void) {
    OPS(uint8_t, b8, "%02x");
    OPS(uint16_t, b16, "%04x");
    OPS(uint32_t, b32, "%08x");
    OPS(uint64_t, b64, "%016lx");

    __int128 exp128 = 0, des = ((__int128)0x0123456789abcdefll << 64) | 0xfedcba9876543210ull;
    int ok = __atomic_compare_exchange_n(&b128, &exp128, des, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    printf("int128 cas %d %016llx%016llx\n", ok, (unsigned long long)(b128 >> 64), (unsigned long long)b128);
    ok = __atomic_compare_exchange_n(&b128, &exp128, (__int128)5, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    printf("int128 cas %d %016llx%016llx\n", ok, (unsigned long long)(b128 >> 64), (unsigned long long)b128);

    int64_t m = -5;
    int64_t seen[4] = {smax_atomic(&m, -10), smax_atomic(&m, 3), smax_atomic(&m, 100), smax_atomic(&m, 7)};
    printf("smax %lld %lld %lld %lld -> %lld\n", (long long)seen[0], (long long)seen[1], (long long)seen[2],
           (long long)seen[3], (long long)m);

    /* A hand-written exclusive loop: LDAXR/STLXR must succeed when nothing intervenes. */
    uint64_t word = 40, oldv, tmp;
    uint32_t fail;
    __asm__ volatile("1: ldaxr %0, [%3]\n"
                     "   add %1, %0, #2\n"
                     "   stlxr %w2, %1, [%3]\n"
                     "   cbnz %w2, 1b\n"
                     : "=&r"(oldv), "=&r"(tmp), "=&r"(fail)
                     : "r"(&word)
                     : "memory");
    printf("exclusive %llu -> %llu\n", (unsigned long long)oldv, (unsigned long long)word);
    /* A store-exclusive without a matching load-exclusive (after CLREX) must fail. */
    __asm__ volatile("clrex\n stxr %w0, %1, [%2]" : "=&r"(fail) : "r"(99ull), "r"(&word) : "memory");
    printf("stxr after clrex: status %u word %llu\n", fail, (unsigned long long)word);
    return 0;
}
