/* Reference vectors for elfrun's crypto class (AES, SHA1, SHA256), taken from qemu-aarch64 -cpu cortex-a57.
 *
 * Build: aarch64-linux-gnu-gcc -O1 -static -march=armv8-a+crypto -o gen_crypto gen_crypto.c harness.S
 * Run:   qemu-aarch64-static -cpu cortex-a57 ./gen_crypto > /tmp/crypto.txt
 *        python3 to_vec.py crypto gen_crypto.c < /tmp/crypto.txt > ../vectors/crypto_qemu.vec
 *        grep -E '^(alloc|aes_round_keys)' /tmp/crypto.txt > crypto_alloc.txt
 *
 * First it checks, with arm_neon.h intrinsics, that qemu's instructions reproduce the published test vectors
 * (FIPS-197 C.1 AES-128, FIPS-180 "abc" for SHA-1 and SHA-256) and prints the AES-128 round keys used
 * ("aes_round_keys ..."). Then one line per case (to_vec.py turns them into elfrun's test-vector format):
 *   <word> <v0> <v1> <v2> -> [<reg>=<value> ...]      (128-bit hex, the changed registers)
 * and for every word of the three crypto encoding spaces: "alloc <word> <0|1>" (1 = qemu executes it).
 */
#include <stdio.h>
#include <arm_neon.h>
#include "harness.h"

static uint64_t rng = 0x243f6a8885a308d3;
static uint64_t rnd(void) { rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17; return rng; }
static void p128(u128 v) { printf("%016lx%016lx", (uint64_t)(v >> 64), (uint64_t)v); }

static int fips(void) {
    int bad = 0;
    /* AES-128, FIPS-197 appendix C.1. Software key expansion (FIPS-197 section 5.2). */
    uint8_t key[16], pt[16], ct[16], back[16];
    for (int i = 0; i < 16; i++) { key[i] = i; pt[i] = i * 0x11; }
    static const uint8_t want[16] = {0x69,0xc4,0xe0,0xd8,0x6a,0x7b,0x04,0x30,0xd8,0xcd,0xb7,0x80,0x70,0xb4,0xc5,0x5a};
    uint8_t rk[11][16];
    memcpy(rk[0], key, 16);
    uint8_t rcon = 1;
    for (int r = 1; r <= 10; r++) {
        /* SubWord via AESE with a zero state: AESE(x) = SubBytes(ShiftRows(x)); replicate the word in all columns
           so ShiftRows has no effect. */
        uint8_t t[4] = {rk[r - 1][13], rk[r - 1][14], rk[r - 1][15], rk[r - 1][12]};
        uint8_t blk[16];
        for (int c = 0; c < 4; c++) memcpy(blk + 4 * c, t, 4);
        uint8x16_t s = vaeseq_u8(vld1q_u8(blk), vdupq_n_u8(0));
        vst1q_u8(blk, s);
        t[0] = blk[0] ^ rcon; t[1] = blk[1]; t[2] = blk[2]; t[3] = blk[3];
        rcon = (rcon << 1) ^ ((rcon & 0x80) ? 0x1b : 0);
        for (int i = 0; i < 16; i++) rk[r][i] = rk[r - 1][i] ^ (i < 4 ? t[i] : rk[r][i - 4]);
    }
    uint8x16_t st = vld1q_u8(pt);
    for (int r = 0; r < 9; r++) st = vaesmcq_u8(vaeseq_u8(st, vld1q_u8(rk[r])));
    st = veorq_u8(vaeseq_u8(st, vld1q_u8(rk[9])), vld1q_u8(rk[10]));
    vst1q_u8(ct, st);
    if (memcmp(ct, want, 16)) { printf("FAIL aes128 encrypt\n"); bad = 1; }
    st = vld1q_u8(ct);
    /* Equivalent inverse cipher: AESIMC(x ^ k) = AESIMC(x) ^ AESIMC(k). */
    st = vaesdq_u8(st, vld1q_u8(rk[10]));
    for (int r = 9; r >= 1; r--) st = vaesdq_u8(vaesimcq_u8(st), vaesimcq_u8(vld1q_u8(rk[r])));
    st = veorq_u8(st, vld1q_u8(rk[0]));
    vst1q_u8(back, st);
    if (memcmp(back, pt, 16)) { printf("FAIL aes128 decrypt\n"); bad = 1; }
    printf("aes_round_keys");
    for (int r = 0; r <= 10; r++) { printf(" "); for (int i = 15; i >= 0; i--) printf("%02x", rk[r][i]); }
    printf("\n");

    /* The padded one-block message "abc" as big-endian words. */
    uint32_t m[16] = {0x61626380};
    m[15] = 24;
    /* SHA-256, FIPS-180 example "abc". */
    static const uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};
    static const uint32_t H256[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    static const uint32_t want256[8] = {0xba7816bf, 0x8f01cfea, 0x414140de, 0x5dae2223, 0xb00361a3, 0x96177a9c, 0xb410ff61, 0xf20015ad};
    uint32x4_t abcd = vld1q_u32(H256), efgh = vld1q_u32(H256 + 4), s[4];
    for (int i = 0; i < 4; i++) s[i] = vld1q_u32(m + 4 * i);
    for (int t = 0; t < 16; t++) {
        if (t >= 4) s[t % 4] = vsha256su1q_u32(vsha256su0q_u32(s[t % 4], s[(t + 1) % 4]), s[(t + 2) % 4], s[(t + 3) % 4]);
        uint32x4_t w = vaddq_u32(s[t % 4], vld1q_u32(K + 4 * t));
        uint32x4_t a0 = abcd;
        abcd = vsha256hq_u32(abcd, efgh, w);
        efgh = vsha256h2q_u32(efgh, a0, w);
    }
    uint32_t out[8];
    vst1q_u32(out, vaddq_u32(abcd, vld1q_u32(H256)));
    vst1q_u32(out + 4, vaddq_u32(efgh, vld1q_u32(H256 + 4)));
    if (memcmp(out, want256, 32)) { printf("FAIL sha256\n"); bad = 1; }
    /* SHA-1, FIPS-180 example "abc". */
    static const uint32_t H1[5] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0};
    static const uint32_t want1[5] = {0xa9993e36, 0x4706816a, 0xba3e2571, 0x7850c26c, 0x9cd0d89d};
    static const uint32_t K1[4] = {0x5a827999, 0x6ed9eba1, 0x8f1bbcdc, 0xca62c1d6};
    abcd = vld1q_u32(H1);
    uint32_t e = H1[4];
    for (int i = 0; i < 4; i++) s[i] = vld1q_u32(m + 4 * i);
    for (int t = 0; t < 20; t++) {
        if (t >= 4) s[t % 4] = vsha1su1q_u32(vsha1su0q_u32(s[t % 4], s[(t + 1) % 4], s[(t + 2) % 4]), s[(t + 3) % 4]);
        uint32x4_t w = vaddq_u32(s[t % 4], vdupq_n_u32(K1[t / 5]));
        uint32_t e_next = vsha1h_u32(vgetq_lane_u32(abcd, 0));
        if (t < 5) abcd = vsha1cq_u32(abcd, e, w);
        else if (t < 10 || t >= 15) abcd = vsha1pq_u32(abcd, e, w);
        else abcd = vsha1mq_u32(abcd, e, w);
        e = e_next;
    }
    vst1q_u32(out, vaddq_u32(abcd, vld1q_u32(H1)));
    out[4] = e + H1[4];
    if (memcmp(out, want1, 20)) { printf("FAIL sha1\n"); bad = 1; }
    return bad;
}

static void cases(uint32_t w) {
    for (int k = 0; k < 8; k++) {
        struct state in;
        memset(&in, 0, sizeof in);
        in.sp = 0x7ffff000;
        for (int i = 0; i < 32; i++) in.v[i] = (u128)(0xa5a5a5a5a5a5a5a5ull) << 64 | i;
        for (int i = 0; i < 3; i++) in.v[i] = (u128)rnd() << 64 | rnd();
        if (k == 0) in.v[0] = in.v[1] = in.v[2] = 0;
        if (k == 1) in.v[0] = in.v[1] = in.v[2] = ~(u128)0;
        g_state = in;
        if (run_word(w)) { printf("%08x SIGILL\n", w); continue; }
        printf("%08x ", w); p128(in.v[0]); printf(" "); p128(in.v[1]); printf(" "); p128(in.v[2]); printf(" ->");
        for (int i = 0; i < 32; i++) if (g_state.v[i] != in.v[i]) { printf(" v%d=", i); p128(g_state.v[i]); }
        for (int i = 0; i < 31; i++) if (g_state.x[i] != in.x[i]) printf(" x%d=CHANGED", i);
        printf("\n");
    }
}

int main(void) {
    harness_init();
    if (fips()) return 1;
    for (int op = 4; op < 8; op++) cases(0x4e280800 | op << 12 | 1 << 5);
    for (int op = 0; op < 7; op++) cases(0x5e000000 | op << 12 | 2 << 16 | 1 << 5);
    for (int op = 0; op < 3; op++) cases(0x5e280800 | op << 12 | 1 << 5);
    cases(0x4e284800 | 0 << 5); /* aese v0, v0 */
    cases(0x5e004000 | 0 << 16 | 1 << 5); /* sha256h q0, q1, v0.4s */
    /* Allocation of the three encoding spaces: AES and two-register SHA (size, opcode<16:12>), three-register
       SHA (size, bit 15, opcode<14:12>). */
    for (int size = 0; size < 4; size++)
        for (int op = 0; op < 32; op++) {
            uint32_t a = 0x4e280800 | size << 22 | op << 12 | 1 << 5, b = 0x5e280800 | size << 22 | op << 12 | 1 << 5;
            memset(&g_state, 0, sizeof g_state);
            printf("alloc %08x %d\n", a, !run_word(a));
            printf("alloc %08x %d\n", b, !run_word(b));
        }
    for (int size = 0; size < 4; size++)
        for (int op = 0; op < 16; op++) {
            uint32_t w = 0x5e000000 | size << 22 | (op & 8) << 12 | (op & 7) << 12 | 2 << 16 | 1 << 5;
            memset(&g_state, 0, sizeof g_state);
            printf("alloc %08x %d\n", w, !run_word(w));
        }
    return 0;
}
