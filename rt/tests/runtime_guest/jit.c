// Self-modifying code: writes `mov w0, #N; ret` into an executable mapping, calls it, rewrites it (with the
// cache maintenance AArch64 requires), calls again; then replaces the mapping and protection entirely.
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

typedef int (*fn)(void);

static void emit(uint32_t *code, int n) {
    code[0] = 0x52800000u | ((uint32_t)n << 5); // mov w0, #n
    code[1] = 0xd65f03c0u;                       // ret
    __builtin___clear_cache((char *)code, (char *)(code + 2));
}

int main(void) {
    uint32_t *code = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (code == MAP_FAILED) return 1;
    int sum = 0;
    for (int i = 1; i <= 20; i++) {
        emit(code, i);
        sum += ((fn)code)();
    }
    printf("rewritten 20 times: sum=%d\n", sum);
    // W^X style: write while RW, then flip to RX (no explicit cache maintenance of its own).
    mprotect(code, 4096, PROT_READ | PROT_WRITE);
    code[0] = 0x52800000u | (77u << 5);
    mprotect(code, 4096, PROT_READ | PROT_EXEC);
    printf("after mprotect: %d\n", ((fn)code)());
    // A new mapping at the same address must not run the old code.
    munmap(code, 4096);
    uint32_t *again = mmap(code, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    again[0] = 0x52800000u | (99u << 5);
    again[1] = 0xd65f03c0u;
    mprotect(again, 4096, PROT_READ | PROT_EXEC);
    printf("after remap: %d\n", ((fn)again)());
    return 0;
}
