/* Oracle for the AdvSIMD test vectors: runs one instruction word per input line under the reference
 * (qemu-aarch64-static) and prints the resulting registers. Built by gen_simd_vectors.py:
 *   aarch64-linux-gnu-gcc -O1 -static -o simd_oracle simd_oracle.c
 * stdin, one case per line (hex): word fpcr x1 v0lo v0hi v1lo v1hi v2lo v2hi v3lo v3hi v4lo v4hi
 * stdout, one line per case (hex): v0lo v0hi x0 fpsr
 * The instruction runs with v0..v4, x1 and FPCR loaded, v5..v31 = 0, x0 = 0 and FPSR = 0. An instruction that
 * raises SIGILL prints "ILL" (SIGSEGV: "SIGSEGV"). */
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>

static sigjmp_buf on_ill;
static void ill(int sig) {
    siglongjmp(on_ill, sig);
}

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
        "movi v5.16b, #0\n movi v6.16b, #0\n movi v7.16b, #0\n movi v8.16b, #0\n movi v9.16b, #0\n"
        "movi v10.16b, #0\n movi v11.16b, #0\n movi v12.16b, #0\n movi v13.16b, #0\n movi v14.16b, #0\n"
        "movi v15.16b, #0\n movi v16.16b, #0\n movi v17.16b, #0\n movi v18.16b, #0\n movi v19.16b, #0\n"
        "movi v20.16b, #0\n movi v21.16b, #0\n movi v22.16b, #0\n movi v23.16b, #0\n movi v24.16b, #0\n"
        "movi v25.16b, #0\n movi v26.16b, #0\n movi v27.16b, #0\n movi v28.16b, #0\n movi v29.16b, #0\n"
        "movi v30.16b, #0\n movi v31.16b, #0\n"
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
        : "x0", "x1", "x9", "x30", "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9", "v10",
          "v11", "v12", "v13", "v14", "v15", "v16", "v17", "v18", "v19", "v20", "v21", "v22", "v23", "v24", "v25",
          "v26", "v27", "v28", "v29", "v30", "v31", "memory");
}

int main(void) {
    uint32_t *code = mmap(0, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (code == MAP_FAILED) return 1;
    struct sigaction sa = {0};
    sa.sa_handler = ill;
    sa.sa_flags = SA_NODEFER;
    sigaction(SIGILL, &sa, 0);
    sigaction(SIGSEGV, &sa, 0); /* qemu raises SIGSEGV for a few unallocated AdvSIMD words */
    unsigned int word;
    In in;
    while (scanf("%x %lx %lx", &word, &in.fpcr, &in.x1) == 3) {
        for (int i = 0; i < 5; i++)
            if (scanf("%lx %lx", &in.v[i][0], &in.v[i][1]) != 2) return 2;
        code[0] = word;
        code[1] = 0xd65f03c0; /* ret */
        __builtin___clear_cache((char *)code, (char *)(code + 2));
        Out out;
        int sig = sigsetjmp(on_ill, 1);
        if (sig) {
            __asm__ volatile("msr fpcr, xzr");
            printf(sig == SIGILL ? "ILL\n" : "SIGSEGV\n");
            fflush(stdout);
            continue;
        }
        run(code, &in, &out);
        printf("%016lx %016lx %016lx %016lx\n", out.v0[0], out.v0[1], out.x0, out.fpsr);
        fflush(stdout);
    }
    return 0;
}
