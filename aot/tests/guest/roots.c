/* Discovery test program (aot/tests/discovery.rs): a constructor and a destructor (init/fini arrays), two
 * switches gcc lowers to jump tables — one with byte entries, one large enough to need halfword entries — and
 * a callback reachable only through a pointer in data. Deterministic; the exit status is a checksum. */
#include <stdio.h>

static unsigned long acc;

__attribute__((constructor, noinline)) static void ctor(void) { acc = 17; }
__attribute__((destructor, noinline)) static void dtor(void) { acc ^= 3; }

__attribute__((noinline)) unsigned long sw_small(unsigned k, unsigned long x) {
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

/* Cases with long bodies: the table's offsets do not fit a byte. */
#define C(n) case n: x = x * (n + 3) + (x >> (n % 13)); x ^= x << (n % 7); x += (x >> 17) * n; return x ^ (n * 0x1234567ull);
__attribute__((noinline)) unsigned long sw_big(unsigned k, unsigned long x) {
    switch (k) {
    C(0) C(1) C(2) C(3) C(4) C(5) C(6) C(7) C(8) C(9) C(10) C(11) C(12) C(13) C(14) C(15)
    C(16) C(17) C(18) C(19) C(20) C(21) C(22) C(23) C(24) C(25) C(26) C(27) C(28) C(29) C(30) C(31)
    C(32) C(33) C(34) C(35) C(36) C(37) C(38) C(39) C(40) C(41) C(42) C(43) C(44) C(45) C(46) C(47)
    default: return x + 1;
    }
}

__attribute__((noinline)) static unsigned long data_cb(unsigned long v) { return v * 31 + 7; }
struct hook { const char *name; unsigned long (*fn)(unsigned long); };
static struct hook hooks[] = {{"cb", data_cb}};
static struct hook *volatile hook_ptr = hooks;

int main(int argc, char **argv) {
    (void)argv;
    unsigned long x = acc + (unsigned long)argc;
    for (unsigned i = 0; i < 200; i++) {
        x = sw_small(i * 7 + (unsigned)(x >> 60), x);
        x = sw_big(i % 50, x);
        x = hook_ptr->fn(x);
    }
    printf("%lx\n", x);
    return (int)(x & 0x7f);
}
