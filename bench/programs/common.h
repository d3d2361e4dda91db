/* common.h: shared helpers for elfrun's benchmark programs.
 *
 * Every program is deterministic (inputs come from the LCG below), checks its own result and exits
 * with status 1 when it is wrong, and prints one portable line
 *     checksum <program> <value>
 * that must be identical on every architecture and runner (the harness compares it with the native
 * x86-64 build). Programs whose floating-point rounding legitimately differs between architectures
 * (gcc contracts a*b+c into fmadd on AArch64) print a second line
 *     exact <program> <hex>
 * with the bit pattern of their result; it must be identical between runners of the same ISA
 * (elfrun vs qemu-aarch64), not across ISAs.
 *
 * argv[1], if given, is a scale factor (default 1.0) multiplying the amount of work; the default is
 * sized for about one second natively.
 */
#ifndef ELFRUN_BENCH_COMMON_H
#define ELFRUN_BENCH_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* Numerical Recipes' 32-bit LCG constants on a 64-bit state; the high bits are returned. */
typedef struct {
    uint64_t s;
} lcg_t;

static inline uint32_t lcg_next(lcg_t *g) {
    g->s = g->s * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(g->s >> 32);
}

/* Uniform in [0, n). */
static inline uint32_t lcg_below(lcg_t *g, uint32_t n) {
    return (uint32_t)(((uint64_t)lcg_next(g) * n) >> 32);
}

/* Uniform double in [-0.5, 0.5), exactly representable (a multiple of 2^-32). */
static inline double lcg_unit(lcg_t *g) {
    return (double)lcg_next(g) / 4294967296.0 - 0.5;
}

/* Work multiplier from argv[1] (default 1.0). Returns max(1, round(base * scale)). */
static inline long scaled(int argc, char **argv, long base) {
    double s = 1.0;
    if (argc > 1) {
        char *end;
        s = strtod(argv[1], &end);
        if (end == argv[1] || !(s > 0.0)) {
            fprintf(stderr, "usage: %s [scale>0]\n", argv[0]);
            exit(2);
        }
    }
    double n = (double)base * s + 0.5;
    return n < 1.0 ? 1 : (long)n;
}

/* FNV-1a style mixing of 32-bit values into a running hash. */
static inline uint32_t mix32(uint32_t h, uint32_t v) {
    for (int i = 0; i < 4; i++) {
        h ^= (v >> (8 * i)) & 0xff;
        h *= 16777619u;
    }
    return h;
}

#define FNV_INIT 2166136261u

#define CHECK(cond, ...)                                                                       \
    do {                                                                                       \
        if (!(cond)) {                                                                         \
            fprintf(stderr, "FAILED: %s:%d: %s: ", __FILE__, __LINE__, #cond);                 \
            fprintf(stderr, __VA_ARGS__);                                                      \
            fprintf(stderr, "\n");                                                             \
            exit(1);                                                                           \
        }                                                                                      \
    } while (0)

#endif
