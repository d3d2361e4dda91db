#include <stdint.h>
#include <string.h>
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
typedef unsigned __int128 u128;
struct state { uint64_t x[31]; uint64_t sp; uint64_t nzcv; uint64_t pad; u128 v[32]; };
_Static_assert(__builtin_offsetof(struct state, v) == 272, "layout");
struct state g_state __attribute__((aligned(16)));
extern void run_insn(void);
extern uint32_t insn_slot;
static sigjmp_buf jb;
static void on_ill(int sig) { (void)sig; siglongjmp(jb, 1); }
static void harness_init(void) {
    static char altstack[65536];
    stack_t ss = { .ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0 };
    sigaltstack(&ss, 0);
    struct sigaction sa; memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_ill; sa.sa_flags = SA_ONSTACK | SA_NODEFER;
    sigaction(SIGILL, &sa, 0);
}
/* Runs `word` on g_state; returns 0, or 1 if it raised SIGILL (g_state then unchanged). */
static int run_word(uint32_t word) {
    insn_slot = word;
    __builtin___clear_cache((char *)&insn_slot, (char *)&insn_slot + 4);
    struct state saved = g_state;
    if (sigsetjmp(jb, 1)) { g_state = saved; return 1; }
    run_insn();
    return 0;
}
