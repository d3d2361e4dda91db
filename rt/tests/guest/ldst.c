/* Load/store addressing: every access size signed and unsigned, register offsets with sign/zero-extended
 * 32-bit indexes, pre/post-increment walks, unaligned accesses through packed structs and memcpy, struct
 * copies, and stack arrays. Prints the results; exit status 0. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

struct __attribute__((packed)) packed {
    uint8_t a;
    uint64_t b;
    uint16_t c;
    uint32_t d;
    int16_t e;
};

struct big { uint64_t w[9]; char tail[5]; };

static uint8_t buf[256];

__attribute__((noinline)) static int64_t sum_idx32(const int32_t *p, int32_t *idx, int n) {
    int64_t s = 0;
    for (int i = 0; i < n; i++) s += p[idx[i]];
    return s;
}

__attribute__((noinline)) static uint64_t sum_uidx(const uint16_t *p, uint32_t *idx, int n) {
    uint64_t s = 0;
    for (int i = 0; i < n; i++) s += p[idx[i]];
    return s;
}

__attribute__((noinline)) static void copy_big(struct big *d, const struct big *s) { *d = *s; }

int main(void) {
    for (int i = 0; i < 256; i++) buf[i] = (uint8_t)(i * 37 + 11);
    for (int off = 0; off < 16; off++) {
        const uint8_t *p = buf + off;
        int8_t sb; int16_t sh; int32_t sw; int64_t sd; uint16_t uh; uint32_t uw; uint64_t ud;
        memcpy(&sb, p, 1); memcpy(&sh, p, 2); memcpy(&sw, p, 4); memcpy(&sd, p, 8);
        memcpy(&uh, p, 2); memcpy(&uw, p, 4); memcpy(&ud, p, 8);
        printf("off %2d: %d %d %d %lld %u %u %llx\n", off, sb, sh, sw, (long long)sd, uh, uw,
               (unsigned long long)ud);
        __uint128_t q;
        memcpy(&q, p, 16);
        printf("  q %016llx%016llx\n", (unsigned long long)(q >> 64), (unsigned long long)q);
    }
    struct packed pk[3];
    memset(pk, 0, sizeof pk);
    for (int i = 0; i < 3; i++) {
        pk[i].a = (uint8_t)(i + 1);
        pk[i].b = 0x1122334455667788ull * (uint64_t)(i + 1);
        pk[i].c = (uint16_t)(0xfedc - i);
        pk[i].d = 0x89abcdefu ^ (uint32_t)i;
        pk[i].e = (int16_t)(-300 * i);
    }
    for (int i = 0; i < 3; i++)
        printf("packed %d: %u %llx %x %x %d\n", i, pk[i].a, (unsigned long long)pk[i].b, pk[i].c, pk[i].d,
               pk[i].e);
    const uint8_t *raw = (const uint8_t *)pk;
    for (size_t i = 0; i < sizeof pk; i++) printf("%02x", raw[i]);
    printf("\n");

    int32_t arr[64];
    int32_t idx[16];
    uint32_t uidx[16];
    uint16_t harr[64];
    for (int i = 0; i < 64; i++) { arr[i] = i * i - 1000; harr[i] = (uint16_t)(i * 1000); }
    for (int i = 0; i < 16; i++) { idx[i] = (i * 7) % 64; uidx[i] = (uint32_t)((i * 13) % 64); }
    printf("idx sums %lld %llu\n", (long long)sum_idx32(arr, idx, 16), (unsigned long long)sum_uidx(harr, uidx, 16));
    int32_t *mid = arr + 32;
    printf("negative offsets %d %d %d\n", mid[-1], mid[-32], *(mid - 17));

    struct big a, b;
    for (int i = 0; i < 9; i++) a.w[i] = (uint64_t)i * 0x0101010101010101ull;
    memcpy(a.tail, "tail", 5);
    copy_big(&b, &a);
    printf("big %llx %llx %s %d\n", (unsigned long long)b.w[0], (unsigned long long)b.w[8], b.tail,
           memcmp(&a, &b, sizeof a));

    /* Walks with pointer increments (post-index addressing). */
    uint64_t acc = 0;
    for (const uint8_t *p = buf; p < buf + 256; p += 3) acc = acc * 31 + *p;
    for (const uint16_t *p = (const uint16_t *)buf; p < (const uint16_t *)(buf + 256); p += 5) acc ^= *p;
    for (const uint64_t *p = (const uint64_t *)buf; p < (const uint64_t *)(buf + 256); p++) acc += *p;
    printf("walk %llx\n", (unsigned long long)acc);

    /* Overlapping moves and byte stores. */
    memmove(buf + 1, buf, 100);
    memmove(buf + 50, buf + 53, 100);
    volatile uint8_t *vb = buf;
    for (int i = 0; i < 256; i += 7) vb[i] = (uint8_t)(vb[i] + 1);
    uint64_t h = 0;
    for (int i = 0; i < 256; i++) h = h * 131 + buf[i];
    printf("moved %llx\n", (unsigned long long)h);
    return 0;
}
