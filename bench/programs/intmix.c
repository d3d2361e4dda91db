/* intmix.c: a CoreMark-like integer mix: linked-list operations, integer matrix multiply, a state
 * machine scanning a string, and CRC16.
 *
 * Measures: pointer chasing and unpredictable branches (list find / reverse / merge sort), 16x16->32-bit
 * multiply-accumulate loops, byte-wise character classification, and bit-serial CRC.
 *
 * Self-checks: the list sorted by value is non-decreasing and, sorted back by index, is 0..n-1 again;
 * the matrix product passes Freivalds' test C r == A (B r); the state machine's token counts equal the
 * counts the generator put in the string. The checksum is a CRC16 over every iteration's results.
 */
#include "common.h"

#include <string.h>

/* ---- CRC16 (CCITT polynomial 0x1021, bitwise) */

static uint16_t crc16(uint16_t crc, uint32_t v, int bytes) {
    for (int b = 0; b < bytes; b++) {
        crc ^= (uint16_t)((v >> (8 * b)) & 0xff) << 8;
        for (int i = 0; i < 8; i++)
            crc = (crc & 0x8000) ? (uint16_t)((crc << 1) ^ 0x1021) : (uint16_t)(crc << 1);
    }
    return crc;
}

/* ---- linked list */

#define NODES 600

typedef struct node {
    struct node *next;
    int16_t idx;
    int16_t value;
} node_t;

static node_t pool[NODES];

static node_t *list_build(lcg_t *g) {
    for (int i = 0; i < NODES; i++) {
        pool[i].idx = (int16_t)i;
        pool[i].value = (int16_t)lcg_below(g, 20000);
        pool[i].next = i + 1 < NODES ? &pool[i + 1] : NULL;
    }
    return &pool[0];
}

static node_t *list_find(node_t *l, int16_t value) {
    while (l && l->value != value)
        l = l->next;
    return l;
}

static node_t *list_reverse(node_t *l) {
    node_t *prev = NULL;
    while (l) {
        node_t *n = l->next;
        l->next = prev;
        prev = l;
        l = n;
    }
    return prev;
}

static int cmp_value(const node_t *a, const node_t *b) {
    return a->value != b->value ? a->value - b->value : a->idx - b->idx;
}
static int cmp_idx(const node_t *a, const node_t *b) { return a->idx - b->idx; }

/* Bottom-up merge sort of a singly linked list (as CoreMark does). */
static node_t *list_sort(node_t *l, int (*cmp)(const node_t *, const node_t *)) {
    for (int run = 1;; run *= 2) {
        node_t *p = l, *tail = NULL;
        l = NULL;
        int merges = 0;
        while (p) {
            merges++;
            node_t *q = p;
            int psize = 0, qsize = run;
            for (int i = 0; i < run && q; i++) {
                psize++;
                q = q->next;
            }
            while (psize > 0 || (qsize > 0 && q)) {
                node_t *e;
                if (psize == 0) {
                    e = q, q = q->next, qsize--;
                } else if (qsize == 0 || !q || cmp(p, q) <= 0) {
                    e = p, p = p->next, psize--;
                } else {
                    e = q, q = q->next, qsize--;
                }
                if (tail)
                    tail->next = e;
                else
                    l = e;
                tail = e;
            }
            p = q;
        }
        tail->next = NULL;
        if (merges <= 1)
            return l;
    }
}

static uint16_t bench_list(lcg_t *g, uint16_t crc) {
    node_t *l = list_build(g);
    int found = 0;
    for (int i = 0; i < 40; i++) {
        node_t *n = list_find(l, (int16_t)lcg_below(g, 20000));
        found += n != NULL;
        if (n)
            crc = crc16(crc, (uint32_t)n->idx, 2);
        l = list_reverse(l);
    }
    l = list_sort(l, cmp_value);
    int count = 0;
    for (node_t *n = l; n; n = n->next, count++)
        CHECK(!n->next || n->value <= n->next->value, "list not sorted by value");
    CHECK(count == NODES, "list lost nodes: %d", count);
    crc = crc16(crc, (uint32_t)l->value, 2);
    crc = crc16(crc, (uint32_t)l->next->next->idx, 2);
    l = list_sort(l, cmp_idx);
    int i = 0;
    for (node_t *n = l; n; n = n->next, i++)
        CHECK(n->idx == i, "list not restored: position %d holds %d", i, n->idx);
    return crc16(crc, (uint32_t)found, 2);
}

/* ---- integer matrix */

#define MN 40

static int16_t ma[MN][MN], mb[MN][MN];
static int32_t mc[MN][MN];

static uint16_t bench_matrix(lcg_t *g, uint16_t crc) {
    for (int i = 0; i < MN; i++)
        for (int j = 0; j < MN; j++) {
            ma[i][j] = (int16_t)(lcg_below(g, 2000) - 1000);
            mb[i][j] = (int16_t)(lcg_below(g, 2000) - 1000);
        }
    for (int i = 0; i < MN; i++)
        for (int j = 0; j < MN; j++) {
            int32_t s = 0;
            for (int k = 0; k < MN; k++)
                s += (int32_t)ma[i][k] * mb[k][j];
            mc[i][j] = s;
        }
    /* Freivalds: C r == A (B r) for an LCG vector r (64-bit sums cannot overflow here). */
    int64_t r[MN], br[MN];
    for (int i = 0; i < MN; i++)
        r[i] = (int64_t)lcg_below(g, 100) - 50;
    for (int i = 0; i < MN; i++) {
        br[i] = 0;
        for (int k = 0; k < MN; k++)
            br[i] += mb[i][k] * r[k];
    }
    for (int i = 0; i < MN; i++) {
        int64_t lhs = 0, rhs = 0;
        for (int k = 0; k < MN; k++) {
            lhs += mc[i][k] * r[k];
            rhs += ma[i][k] * br[k];
        }
        CHECK(lhs == rhs, "matrix row %d fails Freivalds' test", i);
    }
    uint32_t acc = 0;
    for (int i = 0; i < MN; i++)
        for (int j = 0; j < MN; j++)
            acc = acc * 31 + (uint32_t)mc[i][j];
    return crc16(crc, acc, 4);
}

/* ---- state machine over a string of numeric tokens */

enum { TOK_INT, TOK_FLOAT, TOK_EXP, TOK_BAD, TOK_KINDS };

static char text[4096];

static int gen_digits(lcg_t *g, char *p, int max) {
    int n = 1 + (int)lcg_below(g, (uint32_t)max);
    for (int i = 0; i < n; i++)
        p[i] = (char)('0' + lcg_below(g, 10));
    return n;
}

/* Fills text with tokens separated by ',' and counts how many of each kind were generated. */
static void gen_text(lcg_t *g, int counts[TOK_KINDS]) {
    int len = 0;
    memset(counts, 0, TOK_KINDS * sizeof counts[0]);
    while (len < (int)sizeof text - 40) {
        int kind = (int)lcg_below(g, TOK_KINDS);
        char *p = text + len;
        int n = 0;
        if (lcg_below(g, 4) == 0)
            p[n++] = lcg_below(g, 2) ? '-' : '+';
        n += gen_digits(g, p + n, 6);
        if (kind == TOK_FLOAT || kind == TOK_EXP) {
            p[n++] = '.';
            n += gen_digits(g, p + n, 4);
        }
        if (kind == TOK_EXP) {
            p[n++] = lcg_below(g, 2) ? 'e' : 'E';
            if (lcg_below(g, 2))
                p[n++] = '-';
            n += gen_digits(g, p + n, 2);
        }
        if (kind == TOK_BAD) {
            static const char junk[] = "x.+e-";
            int at = (int)lcg_below(g, (uint32_t)n + 1);
            memmove(p + at + 1, p + at, (size_t)(n - at));
            p[at] = junk[lcg_below(g, 5)];
            n++;
            if (at == 0 && (p[0] == '+' || p[0] == '-') && p[1] >= '0' && p[1] <= '9')
                p[0] = 'x'; /* a leading sign alone would still be a valid number */
            if (p[at] == '.' || p[at] == 'e' || p[at] == '-' || p[at] == '+')
                p[n++] = '.', p[n++] = '.'; /* ".." is never valid, whatever came before */
        }
        counts[kind]++;
        p[n++] = ',';
        len += n;
    }
    text[len] = 0;
}

enum { S_START, S_SIGN, S_INT, S_DOT, S_FRAC, S_E, S_ESIGN, S_EXP, S_BAD };

static int is_digit(char c) { return c >= '0' && c <= '9'; }

static void scan(const char *s, int counts[TOK_KINDS]) {
    memset(counts, 0, TOK_KINDS * sizeof counts[0]);
    int st = S_START;
    for (;; s++) {
        char c = *s;
        if (c == ',' || c == 0) {
            if (st != S_START) {
                int kind = st == S_INT ? TOK_INT : st == S_FRAC ? TOK_FLOAT : st == S_EXP ? TOK_EXP : TOK_BAD;
                counts[kind]++;
            }
            st = S_START;
            if (c == 0)
                return;
            continue;
        }
        switch (st) {
        case S_START: st = (c == '+' || c == '-') ? S_SIGN : is_digit(c) ? S_INT : S_BAD; break;
        case S_SIGN: st = is_digit(c) ? S_INT : S_BAD; break;
        case S_INT: st = is_digit(c) ? S_INT : c == '.' ? S_DOT : S_BAD; break;
        case S_DOT: st = is_digit(c) ? S_FRAC : S_BAD; break;
        case S_FRAC: st = is_digit(c) ? S_FRAC : (c == 'e' || c == 'E') ? S_E : S_BAD; break;
        case S_E: st = is_digit(c) ? S_EXP : c == '-' ? S_ESIGN : S_BAD; break;
        case S_ESIGN: st = is_digit(c) ? S_EXP : S_BAD; break;
        case S_EXP: st = is_digit(c) ? S_EXP : S_BAD; break;
        default: break;
        }
    }
}

static uint16_t bench_state(lcg_t *g, uint16_t crc) {
    int want[TOK_KINDS], got[TOK_KINDS];
    gen_text(g, want);
    scan(text, got);
    for (int k = 0; k < TOK_KINDS; k++) {
        CHECK(got[k] == want[k], "token kind %d: scanned %d, generated %d", k, got[k], want[k]);
        crc = crc16(crc, (uint32_t)got[k], 2);
    }
    return crc;
}

int main(int argc, char **argv) {
    long iters = scaled(argc, argv, 4000);
    lcg_t g = {7};
    uint16_t crc = 0xffff;
    for (long it = 0; it < iters; it++) {
        crc = bench_list(&g, crc);
        crc = bench_matrix(&g, crc);
        crc = bench_state(&g, crc);
    }
    printf("intmix: %ld iterations\n", iters);
    printf("checksum intmix %04x\n", crc);
    return 0;
}
