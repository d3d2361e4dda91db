/* Hard-to-discover code for the AOT tier (built stripped, -O2): code that static discovery cannot find, which
 * the first run must still execute correctly and which one `--record` + `elfrun build` must then cover.
 * - a function-pointer table computed at run time (addresses combined with a key known only at run time);
 * - a switch compiled to a jump table (BR through a table of offsets);
 * - a callback reachable only through a pointer read from data;
 * - code copied into an mmap'd buffer and run after __builtin___clear_cache (always the interpreter's).
 * Deterministic; prints a checksum per part; the exit status is the low bits of the total. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

typedef uint64_t (*op_fn)(uint64_t, uint64_t);

__attribute__((noinline)) static uint64_t op_mix(uint64_t a, uint64_t b) { return (a ^ b) * 0x9e3779b97f4a7c15ull; }
__attribute__((noinline)) static uint64_t op_rot(uint64_t a, uint64_t b) { return (a << (b & 31)) | (a >> (64 - (b & 31) - 1)); }
__attribute__((noinline)) static uint64_t op_sum(uint64_t a, uint64_t b) { return a + 3 * b + 1; }
__attribute__((noinline)) static uint64_t op_div(uint64_t a, uint64_t b) { return a / (b | 1) + a % 7; }

/* The table is filled at run time: each entry is stored XORed with a key derived from argc, so the file holds
 * no plain pointers to these functions. */
static uintptr_t hidden[4];

__attribute__((noinline)) static uint64_t by_switch(unsigned k, uint64_t x) {
    switch (k % 12) {
    case 0: return x + 11;
    case 1: return x * 3;
    case 2: return x ^ 0xabcdef;
    case 3: return x >> 3;
    case 4: return x - 77;
    case 5: return ~x;
    case 6: return x * x;
    case 7: return x | 0x1000;
    case 8: return x & 0xffff0000ffffull;
    case 9: return x + (x >> 7);
    case 10: return x * 5 + 9;
    default: return x ^ (x << 13);
    }
}

struct plugin {
    const char *name;
    uint64_t (*callback)(uint64_t);
};

__attribute__((noinline)) static uint64_t plugin_cb(uint64_t v) { return v * 31 + 7; }
static struct plugin plugins[] = {{"cb", plugin_cb}};
static struct plugin *volatile plugin_ptr = plugins;

typedef uint64_t (*jit_fn)(uint64_t, uint64_t);

int main(int argc, char **argv) {
    unsigned n = argc > 1 ? (unsigned)strtoul(argv[1], 0, 0) : 200000;
    uintptr_t key = 0x5a5a5a5a5a5aull * (uintptr_t)(argc + 1);
    op_fn ops[4] = {op_mix, op_rot, op_sum, op_div};
    for (int i = 0; i < 4; i++) hidden[i] = (uintptr_t)ops[i] ^ key;
    memset(ops, 0, sizeof ops);

    uint64_t a = 1, b = 2, c = 3;
    for (unsigned i = 0; i < n; i++) {
        op_fn f = (op_fn)(hidden[(i * 7 + (unsigned)(a & 1)) & 3] ^ key);
        a = f(a, i);
        b = by_switch(i + (unsigned)(a >> 60), b + i);
        c = plugin_ptr->callback(c ^ a);
    }
    printf("table %016llx switch %016llx callback %016llx\n", (unsigned long long)a, (unsigned long long)b,
           (unsigned long long)c);

    /* add x0, x0, x1; eor x0, x0, x1, lsl #3; ret */
    static const uint32_t words[] = {0x8b010000, 0xca010c00, 0xd65f03c0};
    void *buf = mmap(0, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (buf == MAP_FAILED) return 1;
    memcpy(buf, words, sizeof words);
    __builtin___clear_cache((char *)buf, (char *)buf + sizeof words);
    uint64_t j = 0;
    for (unsigned i = 0; i < 64; i++) j = ((jit_fn)buf)(j, i);
    printf("jit %016llx\n", (unsigned long long)j);
    return (int)((a ^ b ^ c ^ j) & 0x7f);
}
