/* Oracle for the AdvSIMD test vectors: runs one instruction word per input line under the reference
 * (qemu-aarch64-static) and prints the resulting registers. Built by gen_simd_vectors.py:
 *   aarch64-linux-gnu-gcc -O1 -static -o simd_oracle simd_oracle.c
 * stdin, one case per line (hex): word fpcr x1 v0lo v0hi v1lo v1hi v2lo v2hi v3lo v3hi v4lo v4hi
 * stdout, one line per case (hex): v0lo v0hi x0 fpsr
 * The instruction runs with v0..v4, x1 and FPCR loaded, x0 = 0 and FPSR = 0. */
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>

typedef struct {
    uint64_t v[5][2];
    uint64_t x1, fpcr;
} In;
typedef struct {
    uint64_t v0[2];
    uint64_t x0, fpsr;
} Out;

static void run(uint32_t *code, In *in, Out *out) {
    __asm__ volatile(
        "ldp q0, q1, [%[in]]\n"
        "ldp q2, q3, [%[in], #32]\n"
        "ldr q4, [%[in], #64]\n"
        "ldr x1, [%[in], #80]\n"
        "ldr x9, [%[in], #88]\n"
        "msr fpcr, x9\n"
        "msr fpsr, xzr\n"
        "mov x0, #0\n"
        "blr %[code]\n"
        "mrs x9, fpsr\n"
        "msr fpcr, xzr\n"
        "str q0, [%[out]]\n"
        "str x0, [%[out], #16]\n"
        "str x9, [%[out], #24]\n"
        :
        : [in] "r"(in), [out] "r"(out), [code] "r"(code)
        : "x0", "x1", "x9", "x30", "v0", "v1", "v2", "v3", "v4", "memory");
}

int main(void) {
    uint32_t *code = mmap(0, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (code == MAP_FAILED) return 1;
    unsigned int word;
    In in;
    while (scanf("%x %lx %lx", &word, &in.fpcr, &in.x1) == 3) {
        for (int i = 0; i < 5; i++)
            if (scanf("%lx %lx", &in.v[i][0], &in.v[i][1]) != 2) return 2;
        code[0] = word;
        code[1] = 0xd65f03c0; /* ret */
        __builtin___clear_cache((char *)code, (char *)(code + 2));
        Out out;
        run(code, &in, &out);
        printf("%016lx %016lx %016lx %016lx\n", out.v0[0], out.v0[1], out.x0, out.fpsr);
        fflush(stdout);
    }
    return 0;
}
