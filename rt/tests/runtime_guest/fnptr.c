/* Profile recording test program: a function-pointer table (indirect calls through BLR), a computed goto
 * (BR), a RET to a rewritten X30 (not to its caller) and a longjmp (glibc: BR X30).
 * Deterministic: its output and the instructions it executes depend on nothing outside the program.
 * With an argument it forks first and both processes do all the work (the parent waits for the child). */
#include <setjmp.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

static jmp_buf env;

__attribute__((noinline)) static long op_add(long a, long b) { return a + b; }
__attribute__((noinline)) static long op_sub(long a, long b) { return a - b; }
__attribute__((noinline)) static long op_mul(long a, long b) { return a * b; }

static long (*const table[3])(long, long) = {op_add, op_sub, op_mul};

/* A computed goto (GCC's labels as values): one BR with several targets. */
__attribute__((noinline)) static long classify(int k, long x) {
    static void *const labels[4] = {&&l0, &&l1, &&l2, &&l3};
    goto *labels[k & 3];
l0:
    return x * 3 + 1;
l1:
    return x ^ 0x55;
l2:
    return x >> 2;
l3:
    return x - 17;
}

/* Returns to a label of its own (RET with X30 rewritten: not to its caller), then from there to its caller. */
void skip_ret(void);
__asm__(".text\n"
        ".global skip_ret\n"
        ".type skip_ret, %function\n"
        "skip_ret:\n"
        "    mov x9, x30\n"
        "    adr x30, 1f\n"
        "    ret\n"
        "1:  mov x30, x9\n"
        "    ret\n"
        ".size skip_ret, . - skip_ret\n");

__attribute__((noinline)) static void bail(int v) { longjmp(env, v); }

int main(int argc, char **argv) {
    (void)argv;
    pid_t child = argc > 1 ? fork() : -1;
    long acc = argc;
    for (int i = 0; i < 300; i++) {
        acc = table[i % 3](acc, i) & 0xffffff;
        acc = (acc + classify((int)(acc % 9), acc)) & 0xffffff;
    }
    for (int i = 0; i < 4; i++)
        skip_ret();
    int v = setjmp(env);
    if (v < 3) bail(v + 1);
    if (child > 0) waitpid(child, NULL, 0);
    printf("acc=%ld v=%d\n", acc, v);
    return 0;
}
