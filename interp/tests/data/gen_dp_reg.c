/* Reference vectors for elfrun's DP-register class, taken from qemu-aarch64 (-cpu cortex-a57).
 *
 * Build: aarch64-linux-gnu-gcc -O1 -static -o gen_dp_reg gen_dp_reg.c harness.S
 * Run:   qemu-aarch64-static -cpu cortex-a57 ./gen_dp_reg vectors | python3 to_vec.py dp_reg gen_dp_reg.c \
 *            > ../vectors/dp_reg_qemu.vec
 *        qemu-aarch64-static -cpu cortex-a57 ./gen_dp_reg sweep   > dp_reg_allocated.txt  (about 5 minutes)
 *
 * vectors: one line per case (to_vec.py turns them into elfrun's test-vector format, docs/testing.md),
 *   <word> <nzcv> <x1> <x2> <x3> <sp> -> <nzcv'> [<reg>=<value> ...]
 * all hex; the listed registers are those that changed (x0..x30, sp); every other register starts as
 * 0xa5a5_0000_0000_00NN (NN = its number) and must be left alone.
 * sweep: the DP-register words (bits 28..25 = x101) with fields varied as in main(), as ranges
 *   a compact map of which words qemu executes without SIGILL (see sweep()).
 */
#include <stdio.h>
#include "harness.h"

static const uint64_t vals[] = {
    0, 1, 2, 0x1f, 0x20, 0x21, 0x3f, 0x40, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff, 0x80000000,
    0xffffffff, 0x100000000, 0x7fffffffffffffff, 0x8000000000000000, 0xffffffffffffffff, 0xfffffffffffffffe,
    0x0123456789abcdef, 0xfedcba9876543210, 0xffff0000, 0x8000000080000000, 0x7ffffffe, 0xffffffff80000000,
    0x00000000fffffff9, 0xfffffffffffffff9,
};
#define NV (sizeof vals / sizeof vals[0])
static uint64_t rng = 0x9e3779b97f4a7c15;
static uint64_t rnd(void) { rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17; return rng; }
static uint64_t pick(void) { uint64_t r = rnd(); return (r & 7) == 0 ? rnd() : vals[(r >> 8) % NV]; }

static void one(uint32_t w, uint64_t nzcv, uint64_t a, uint64_t b, uint64_t c, uint64_t sp) {
    struct state in;
    memset(&in, 0, sizeof in);
    for (int i = 0; i < 31; i++) in.x[i] = 0xa5a5000000000000ull | i;
    in.x[1] = a; in.x[2] = b; in.x[3] = c; in.sp = sp; in.nzcv = nzcv;
    g_state = in;
    if (run_word(w)) { printf("%08x SIGILL\n", w); return; }
    printf("%08x %lx %lx %lx %lx %lx -> %lx", w, nzcv, a, b, c, sp, g_state.nzcv);
    for (int i = 0; i < 31; i++) if (g_state.x[i] != in.x[i]) printf(" x%d=%lx", i, g_state.x[i]);
    if (g_state.sp != in.sp) printf(" sp=%lx", g_state.sp);
    for (int i = 0; i < 32; i++) if (g_state.v[i] != in.v[i]) printf(" v%d=CHANGED", i);
    printf("\n");
}

/* Each word with fixed edge pairs and a few random ones. */
static void cases(uint32_t w) {
    static const uint64_t fixed[][2] = {
        {0, 0}, {0xffffffffffffffff, 0xffffffffffffffff}, {0x8000000000000000, 0xffffffffffffffff},
        {0x80000000, 0xffffffff}, {0x7fffffffffffffff, 1},
    };
    for (unsigned i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        one(w, (rnd() & 15) << 28, fixed[i][0], fixed[i][1], pick(), 0x7ffff000);
    for (int i = 0; i < 2; i++) one(w, (rnd() & 15) << 28, pick(), pick(), pick(), 0x7ffff000 + (rnd() & 0xff0));
}

#define RD 0
#define RN 1
#define RM 2
#define RA 3
static uint32_t rr(uint32_t base, uint32_t rd, uint32_t rn, uint32_t rm) { return base | rd | rn << 5 | rm << 16; }

static void vectors(void) {
    /* Logical (shifted register): sf opc 01010 shift N Rm imm6 Rn Rd. */
    for (int sf = 0; sf < 2; sf++)
        for (int opc = 0; opc < 4; opc++)
            for (int n = 0; n < 2; n++) {
                uint32_t base = sf << 31 | opc << 29 | 0x0a000000 | n << 21;
                cases(rr(base, RD, RN, RM));
                int amts[] = {1, 31, 32, 63};
                if ((opc == 1 && n == 0) || (opc == 3 && n == 1))
                    for (int sh = 0; sh < 4; sh++)
                        for (int k = 0; k < (sf ? 4 : 2); k++) cases(rr(base | sh << 22 | amts[k] << 10, RD, RN, RM));
            }
    /* ANDS with Rd = ZR (TST) and ORR with Rn = ZR (MOV). */
    cases(rr(0xea000000, 31, RN, RM));
    cases(rr(0xaa000000, RD, 31, RM));
    /* Add/subtract (shifted register): sf op S 01011 shift 0 Rm imm6 Rn Rd. */
    for (int sf = 0; sf < 2; sf++)
        for (int op = 0; op < 2; op++)
            for (int s = 0; s < 2; s++) {
                uint32_t base = sf << 31 | op << 30 | s << 29 | 0x0b000000;
                cases(rr(base, RD, RN, RM));
                int amts[] = {1, 31, 32, 63};
                if ((op == 0 && s == 0) || (op == 1 && s == 1))
                    for (int sh = 0; sh < 3; sh++)
                        for (int k = 0; k < (sf ? 4 : 2); k++) cases(rr(base | sh << 22 | amts[k] << 10, RD, RN, RM));
            }
    cases(rr(0xeb000000, 31, RN, RM)); /* cmp x1, x2 */
    cases(rr(0x4b000000, RD, 31, RM)); /* neg w0, w2 */
    /* Add/subtract (extended register): sf op S 01011 00 1 Rm option imm3 Rn Rd. */
    for (int sf = 0; sf < 2; sf++)
        for (int op = 0; op < 2; op++)
            for (int s = 0; s < 2; s++) {
                uint32_t base = sf << 31 | op << 30 | s << 29 | 0x0b200000;
                for (int opt = 0; opt < 8; opt++) {
                    if ((op ^ s) == 0 || opt == 2 || opt == 6 || opt == 3) cases(rr(base | opt << 13, RD, RN, RM));
                }
                cases(rr(base | 2 << 13 | 2 << 10, RD, RN, RM));
                cases(rr(base | 6 << 13 | 4 << 10, RD, RN, RM));
                cases(rr(base | 7 << 13 | 3 << 10, RD, RN, RM));
                cases(rr(base | 4 << 13 | 1 << 10, RD, RN, RM));
                cases(rr(base | 3 << 13, s ? 31 : 31, 31, RM)); /* sp/zr forms */
                cases(rr(base | 2 << 13 | 1 << 10, RD, 31, RM));
            }
    /* Add/subtract with carry. */
    for (int sf = 0; sf < 2; sf++)
        for (int op = 0; op < 2; op++)
            for (int s = 0; s < 2; s++) cases(rr(sf << 31 | op << 30 | s << 29 | 0x1a000000, RD, RN, RM));
    /* Conditional compare: sf op 1 11010010 Rm/imm5 cond imm 0 Rn 0 nzcv. */
    int conds[] = {0, 1, 2, 9, 10, 12, 13, 14, 15};
    for (int sf = 0; sf < 2; sf++)
        for (int op = 0; op < 2; op++)
            for (int imm = 0; imm < 2; imm++)
                for (unsigned c = 0; c < sizeof conds / sizeof conds[0]; c++) {
                    uint32_t w = sf << 31 | op << 30 | 0x3a400000 | conds[c] << 12 | imm << 11 | RN << 5 | (c * 5 + 3) % 16;
                    w |= (imm ? (c * 7 + 1) % 32 : RM) << 16;
                    cases(w);
                }
    /* Conditional select: sf op 0 11010100 Rm cond 0 o2 Rn Rd. */
    int sconds[] = {0, 3, 11, 14, 15};
    for (int sf = 0; sf < 2; sf++)
        for (int op = 0; op < 2; op++)
            for (int o2 = 0; o2 < 2; o2++)
                for (unsigned c = 0; c < sizeof sconds / sizeof sconds[0]; c++)
                    cases(rr(sf << 31 | op << 30 | 0x1a800000 | sconds[c] << 12 | o2 << 10, RD, RN, RM));
    cases(rr(0x9a9f17e0, RD, 31, 31)); /* cset x0, eq */
    /* 1-source: sf 1 0 11010110 00000 opcode Rn Rd. */
    for (int sf = 0; sf < 2; sf++)
        for (int opc = 0; opc < 6; opc++)
            if (!(opc == 3 && !sf)) cases(rr(sf << 31 | 0x5ac00000 | opc << 10, RD, RN, 0));
    /* 2-source: sf 0 0 11010110 Rm opcode Rn Rd. */
    int ops2[] = {2, 3, 8, 9, 10, 11};
    for (int sf = 0; sf < 2; sf++) {
        for (int k = 0; k < 6; k++) cases(rr(sf << 31 | 0x1ac00000 | ops2[k] << 10, RD, RN, RM));
        for (int c = 0; c < 2; c++)
            for (int sz = 0; sz < 4; sz++)
                if ((sz == 3) == sf) cases(rr(sf << 31 | 0x1ac00000 | (0x10 | c << 2 | sz) << 10, RD, RN, RM));
    }
    /* 3-source: sf 00 11011 op31 Rm o0 Ra Rn Rd. */
    for (int sf = 0; sf < 2; sf++)
        for (int o0 = 0; o0 < 2; o0++) cases(rr(sf << 31 | 0x1b000000 | o0 << 15 | RA << 10, RD, RN, RM));
    int op31[] = {1, 5};
    for (int k = 0; k < 2; k++)
        for (int o0 = 0; o0 < 2; o0++) cases(rr(0x9b000000 | op31[k] << 21 | o0 << 15 | RA << 10, RD, RN, RM));
    cases(rr(0x9b400000 | 31 << 10, RD, RN, RM)); /* smulh */
    cases(rr(0x9bc00000 | 31 << 10, RD, RN, RM)); /* umulh */
    cases(rr(0x1b000000 | 31 << 10, RD, RN, RM)); /* mul w0 */
}

/* The allocation sweep. For each value `hi` of bits 31..21 (with bits 27..25 forced to x101), 512 words:
 * j = bits 15..10 | (bits 20..16 chosen from {0, 1, 2, 31}) << 6 | bit 4 << 8; Rn = 1, Rd = 0 or 16.
 * Output: "pattern <id> <512-bit mask as 128 hex digits, bit j = word j executes>" lines, then
 * "hi <hi> <id>" for every hi with any executing word. */
static uint32_t sweep_word(uint32_t hi, uint32_t j) {
    static const uint32_t f2016[] = {0, 1, 2, 31};
    uint32_t w = hi << 21 | (j & 63) << 10 | f2016[(j >> 6) & 3] << 16 | ((j >> 8) & 1) << 4 | 1 << 5;
    return (w & ~(7u << 25)) | (5u << 25);
}

static void sweep(void) {
    static uint64_t pats[2048][8];
    static int id_of[2048];
    int npats = 0;
    for (uint32_t hi = 0; hi < 2048; hi++) {
        uint64_t p[8] = {0};
        for (uint32_t j = 0; j < 512; j++) {
            memset(&g_state, 0, sizeof g_state);
            g_state.sp = 0x7ffff000;
            if (!run_word(sweep_word(hi, j))) p[j / 64] |= 1ull << (j % 64);
        }
        int any = 0;
        for (int k = 0; k < 8; k++) any |= p[k] != 0;
        id_of[hi] = -1;
        if (!any) continue;
        int id = 0;
        while (id < npats && memcmp(pats[id], p, sizeof p)) id++;
        if (id == npats) memcpy(pats[npats++], p, sizeof p);
        id_of[hi] = id;
    }
    for (int id = 0; id < npats; id++) {
        printf("pattern %d ", id);
        for (int k = 7; k >= 0; k--) printf("%016lx", pats[id][k]);
        printf("\n");
    }
    for (uint32_t hi = 0; hi < 2048; hi++)
        if (id_of[hi] >= 0) printf("hi %03x %d\n", hi, id_of[hi]);
}

int main(int argc, char **argv) {
    harness_init();
    if (argc > 1 && !strcmp(argv[1], "sweep")) sweep();
    else vectors();
    return 0;
}
