// Heap and mapping stress: malloc/realloc/free of many sizes (brk and mmap-backed), explicit mmap/munmap/
#define _GNU_SOURCE
// mremap/mprotect patterns with contents checked, and sbrk. Prints checksums, not addresses.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static uint64_t rng = 88172645463325252ull;
static uint64_t next(void) { rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17; return rng; }

int main(void) {
    enum { N = 200 };
    static unsigned char *p[N];
    static size_t sz[N];
    uint64_t sum = 0;
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < N; i++) {
            size_t s = (next() % 7 == 0) ? 64 * 1024 + next() % (512 * 1024) : 1 + next() % 3000;
            if (p[i] && next() % 2) {
                unsigned char *q = realloc(p[i], s);
                if (!q) return 3;
                size_t keep = s < sz[i] ? s : sz[i];
                for (size_t k = 0; k < keep; k += 97) if (q[k] != (unsigned char)(i + k)) return 4;
                p[i] = q;
            } else {
                free(p[i]);
                p[i] = malloc(s);
                if (!p[i]) return 5;
            }
            sz[i] = s;
            for (size_t k = 0; k < s; k++) p[i][k] = (unsigned char)(i + k);
        }
        for (int i = 0; i < N; i++) for (size_t k = 0; k < sz[i]; k += 13) sum += p[i][k] * (k + 1);
        printf("round %d sum %llu\n", round, (unsigned long long)sum);
    }
    for (int i = 0; i < N; i++) free(p[i]);
    // calloc must hand out zeros even when it reuses memory.
    for (int i = 0; i < 50; i++) {
        unsigned char *c = calloc(1, 100000 + i * 1000);
        for (int k = 0; k < 100000; k += 101) if (c[k]) return 6;
        memset(c, 0xff, 100000);
        free(c);
    }
    // Explicit mappings.
    size_t pg = 4096;
    unsigned char *m = mmap(NULL, 16 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) return 7;
    memset(m, 0x5a, 16 * pg);
    if (munmap(m + 4 * pg, 4 * pg)) return 8;
    unsigned char *f = mmap(m + 4 * pg, 4 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    if (f != m + 4 * pg || f[0] != 0 || f[4 * pg - 1] != 0 || m[4 * pg - 1] != 0x5a) return 9;
    if (madvise(m, 4 * pg, MADV_DONTNEED) || m[0] != 0 || m[8 * pg] != 0x5a) return 10;
    if (mprotect(m, 4 * pg, PROT_READ) || mprotect(m, 4 * pg, PROT_READ | PROT_WRITE)) return 11;
    m[0] = 1;
    unsigned char *r = mremap(m, 16 * pg, 64 * pg, MREMAP_MAYMOVE);
    if (r == MAP_FAILED || r[0] != 1 || r[8 * pg] != 0x5a || r[40 * pg] != 0) return 12;
    r = mremap(r, 64 * pg, 2 * pg, 0);
    if (r == MAP_FAILED || r[0] != 1) return 13;
    if (munmap(r, 2 * pg)) return 14;
    printf("munmap unaligned: %d\n", munmap((char *)r + 1, pg));
    printf("mprotect unmapped: %d\n", mprotect(r, pg, PROT_READ));
    // sbrk
    void *b0 = sbrk(0);
    if (sbrk(1 << 20) != b0) return 15;
    memset(b0, 7, 1 << 20);
    if (sbrk(-(1 << 20)) == (void *)-1 || sbrk(0) != b0) return 16;
    if (sbrk(4096) != b0 || ((unsigned char *)b0)[100] != 0) return 17;
    printf("ok\n");
    return 0;
}
