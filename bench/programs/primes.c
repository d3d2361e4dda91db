/* primes.c: prime counting, a sieve of Eratosthenes cross-checked by trial division.
 *
 * Measures: integer division throughput (udiv/msub on AArch64), tight compare-and-branch loops, and
 * byte stores streaming over a 10 MB array.
 *
 * A sieve up to LIMIT is built once and its prime count checked against the known values of pi(x).
 * Then, for each round, a window of WINDOW numbers is chosen by the LCG, the primes in it are counted
 * by trial division, and the count must equal the sieve's. The checksum hashes every window's count.
 */
#include "common.h"

#include <string.h>

#define LIMIT 10000000u
#define WINDOW 4000u

static unsigned char composite[LIMIT + 1];
/* prefix[i] = number of primes < i * 1024, for quick window counts from the sieve. */
static uint32_t prefix[LIMIT / 1024 + 2];

static void sieve(void) {
    memset(composite, 0, sizeof composite);
    composite[0] = composite[1] = 1;
    for (uint32_t i = 2; (uint64_t)i * i <= LIMIT; i++)
        if (!composite[i])
            for (uint32_t j = i * i; j <= LIMIT; j += i)
                composite[j] = 1;
    uint32_t count = 0;
    for (uint32_t i = 0; i <= LIMIT; i++) {
        if (i % 1024 == 0)
            prefix[i / 1024] = count;
        count += !composite[i];
    }
    prefix[LIMIT / 1024 + 1] = count;
}

/* Primes in [0, n) from the sieve. */
static uint32_t pi_below(uint32_t n) {
    uint32_t c = prefix[n / 1024];
    for (uint32_t i = n - n % 1024; i < n; i++)
        c += !composite[i];
    return c;
}

static int is_prime_trial(uint32_t n) {
    if (n < 2)
        return 0;
    if (n < 4)
        return 1;
    if (n % 2 == 0 || n % 3 == 0)
        return 0;
    for (uint32_t d = 5; d * d <= n; d += 6)
        if (n % d == 0 || n % (d + 2) == 0)
            return 0;
    return 1;
}

int main(int argc, char **argv) {
    long rounds = scaled(argc, argv, 2000);
    sieve();
    /* Known values of the prime-counting function. */
    CHECK(pi_below(10000 + 1) == 1229, "pi(10^4)");
    CHECK(pi_below(100000 + 1) == 9592, "pi(10^5)");
    CHECK(pi_below(1000000 + 1) == 78498, "pi(10^6)");
    CHECK(pi_below(LIMIT + 1) == 664579, "pi(10^7)");

    lcg_t g = {12345};
    uint32_t h = FNV_INIT;
    uint64_t total = 0;
    for (long r = 0; r < rounds; r++) {
        uint32_t lo = lcg_below(&g, LIMIT - WINDOW);
        uint32_t by_trial = 0;
        for (uint32_t n = lo; n < lo + WINDOW; n++)
            by_trial += is_prime_trial(n);
        uint32_t by_sieve = pi_below(lo + WINDOW) - pi_below(lo);
        CHECK(by_trial == by_sieve, "window %u: trial %u, sieve %u", lo, by_trial, by_sieve);
        h = mix32(h, by_trial);
        total += by_trial;
    }
    printf("primes: %ld windows of %u, %llu primes found\n", rounds, WINDOW,
           (unsigned long long)total);
    printf("checksum primes %08x\n", h);
    return 0;
}
