/* memstr.c: a libc string and memory workload: memcpy, memmove, memset, memcmp, strlen, strchr, qsort.
 *
 * Measures: the C library's optimised routines (glibc's AArch64 ifunc variants; wasi-libc's portable
 * ones), unaligned block moves, and qsort's indirect comparator calls.
 *
 * Each round copies, fills and compares blocks of LCG-chosen sizes and alignments inside a 1 MiB
 * arena, builds NUL-terminated strings and measures / searches them, and sorts an array of integers and
 * an array of short strings. Every result is checked against a naive byte loop (on a sample, to keep
 * the libc routines dominant) or an invariant (sortedness, preserved sum). The checksum hashes the
 * results.
 */
#include "common.h"

#include <string.h>

#define ARENA (1u << 20)
#define NINTS 4000
#define NSTRS 1000
#define STRLEN 12

static unsigned char src[ARENA], dst[ARENA];
static uint32_t ints[NINTS];
static char strs[NSTRS][STRLEN + 1];
static char *strp[NSTRS];

static volatile size_t naive_sink;

static size_t naive_strlen(const char *s) {
    size_t n = 0;
    while (s[n])
        n++;
    naive_sink = n; /* keeps gcc from turning this loop back into strlen */
    return n;
}

static int cmp_u32(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static uint32_t round_blocks(lcg_t *g, uint32_t h, int check) {
    for (int i = 0; i < 64; i++) {
        uint32_t len = 1 + lcg_below(g, 16384);
        uint32_t so = lcg_below(g, ARENA - len), d = lcg_below(g, ARENA - len);
        memcpy(dst + d, src + so, len);
        if (check)
            for (uint32_t k = 0; k < len; k += 97)
                CHECK(dst[d + k] == src[so + k], "memcpy byte %u of %u", k, len);
        CHECK(memcmp(dst + d, src + so, len) == 0, "memcmp after memcpy, len %u", len);
        /* Flip one byte: memcmp must see the difference with the right sign. */
        uint32_t at = lcg_below(g, len);
        dst[d + at] ^= 0x80;
        int c = memcmp(dst + d, src + so, len);
        CHECK((c > 0) == (dst[d + at] > src[so + at]) && c != 0, "memcmp sign at %u", at);
        dst[d + at] ^= 0x80;

        uint32_t f = lcg_below(g, ARENA - len);
        unsigned char byte = (unsigned char)lcg_next(g);
        memset(dst + f, byte, len);
        if (check)
            for (uint32_t k = 0; k < len; k += 89)
                CHECK(dst[f + k] == byte, "memset byte %u", k);
        /* Overlapping move within src keeps the arena's contents evolving. */
        uint32_t mo = lcg_below(g, ARENA - len - 64);
        memmove(src + mo + lcg_below(g, 64), src + mo, len);
        h = mix32(h, (uint32_t)dst[(d + len / 2) % ARENA] | (uint32_t)src[mo] << 8);
    }
    return h;
}

static uint32_t round_strings(lcg_t *g, uint32_t h, int check) {
    for (int i = 0; i < 32; i++) {
        uint32_t len = lcg_below(g, 8192);
        uint32_t o = lcg_below(g, ARENA - len - 1);
        for (uint32_t k = 0; k < len; k++)
            dst[o + k] = (unsigned char)('a' + ((k * 7 + i) % 26));
        dst[o + len] = 0;
        const char *s = (const char *)dst + o;
        size_t n = strlen(s);
        CHECK(n == len, "strlen %zu, want %u", n, len);
        if (check)
            CHECK(naive_strlen(s) == n, "naive strlen");
        char want = (char)('a' + lcg_below(g, 26));
        const char *p = strchr(s, want);
        size_t first = len;
        for (size_t k = 0; k < len && k < 26; k++)
            if (s[k] == want) {
                first = k;
                break;
            }
        CHECK(p ? (size_t)(p - s) == first : first == len, "strchr for %c", want);
        CHECK(strchr(s, 0) == s + len, "strchr for NUL");
        h = mix32(h, (uint32_t)n ^ (uint32_t)(p ? p - s : -1));
    }
    return h;
}

static uint32_t round_sort(lcg_t *g, uint32_t h) {
    uint64_t sum = 0, sum_after = 0;
    for (int i = 0; i < NINTS; i++) {
        ints[i] = lcg_next(g);
        sum += ints[i];
    }
    qsort(ints, NINTS, sizeof ints[0], cmp_u32);
    for (int i = 0; i < NINTS; i++) {
        CHECK(i == 0 || ints[i - 1] <= ints[i], "ints not sorted at %d", i);
        sum_after += ints[i];
    }
    CHECK(sum == sum_after, "qsort changed the multiset of ints");
    for (int i = 0; i < NSTRS; i++) {
        for (int k = 0; k < STRLEN; k++)
            strs[i][k] = (char)('a' + lcg_below(g, 4));
        strs[i][STRLEN] = 0;
        strp[i] = strs[i];
    }
    qsort(strp, NSTRS, sizeof strp[0], cmp_str);
    for (int i = 1; i < NSTRS; i++)
        CHECK(strcmp(strp[i - 1], strp[i]) <= 0, "strings not sorted at %d", i);
    h = mix32(h, ints[NINTS / 2]);
    /* Hash contents, not positions: equal strings may be ordered differently by different libcs. */
    for (int k = 0; k < STRLEN; k += 4)
        h = mix32(h, (uint32_t)strp[NSTRS / 3][k] | (uint32_t)strp[NSTRS / 3][k + 3] << 8);
    return h;
}

int main(int argc, char **argv) {
    long rounds = scaled(argc, argv, 1000);
    lcg_t g = {99};
    for (uint32_t i = 0; i < ARENA; i++)
        src[i] = (unsigned char)lcg_next(&g);
    uint32_t h = FNV_INIT;
    for (long r = 0; r < rounds; r++) {
        int check = r % 8 == 0;
        h = round_blocks(&g, h, check);
        h = round_strings(&g, h, check);
        h = round_sort(&g, h);
    }
    printf("memstr: %ld rounds\n", rounds);
    printf("checksum memstr %08x\n", h);
    return 0;
}
