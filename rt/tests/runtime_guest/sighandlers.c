// Signal behaviour of a static glibc program: handlers with SA_SIGINFO, siglongjmp out of a SIGSEGV handler,
// a handler that edits the interrupted context (pc, x0, NZCV, an FP register), sigaltstack, masks and
// sigpending/sigsuspend/sigtimedwait, SA_RESETHAND/SA_NODEFER, nested delivery, interval timers interrupting
// nanosleep and read (SA_RESTART or not). Modes for signals from outside: `spin` / `block` print "ready" and
// wait for SIGINT; `chld` forks and waits for SIGCHLD, `chldloop N` does so N times; `pmask`: pselect and
// ppoll whose mask unblocks a pending signal. Output is compared with qemu-aarch64.
#define _GNU_SOURCE
#include <asm/sigcontext.h>
#include <errno.h>
#include <poll.h>
#include <sys/select.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

static sigjmp_buf jb;
static volatile sig_atomic_t got, order_pos, alarms;
static char order[16];
static char altstack_mem[65536];
static int pipefd[2];

static void segv(int sig, siginfo_t *si, void *uc_) {
    ucontext_t *uc = uc_;
    printf("segv: sig=%d code=%d addr=%p pc-in-handler-frame=%d\n", sig, si->si_code, si->si_addr,
           uc->uc_mcontext.pc != 0);
    siglongjmp(jb, 1);
}

static void usr1_info(int sig, siginfo_t *si, void *uc) {
    (void)uc;
    printf("usr1: sig=%d signo=%d code=%d pid_ok=%d uid_ok=%d\n", sig, si->si_signo, si->si_code,
           si->si_pid == getpid(), si->si_uid == getuid());
    got++;
}

static void queued(int sig, siginfo_t *si, void *uc) {
    (void)uc;
    printf("queued: sig=%d code=%d value=%d pid_ok=%d\n", sig, si->si_code, si->si_value.sival_int,
           si->si_pid == getpid());
}

static struct fpsimd_context *fpsimd_of(ucontext_t *uc) {
    struct _aarch64_ctx *h = (struct _aarch64_ctx *)uc->uc_mcontext.__reserved;
    while (h->magic) {
        if (h->magic == FPSIMD_MAGIC)
            return (struct fpsimd_context *)h;
        h = (struct _aarch64_ctx *)((char *)h + h->size);
    }
    return 0;
}

static void ill_edit(int sig, siginfo_t *si, void *uc_) {
    ucontext_t *uc = uc_;
    struct fpsimd_context *fp = fpsimd_of(uc);
    // Linux arm64 reports ILL_ILLOPC for an undefined instruction; qemu-aarch64 reports ILL_ILLOPN.
    printf("ill: sig=%d code=%s addr==pc %d x0=%llu fpsimd size=%u\n", sig,
           si->si_code == ILL_ILLOPC ? "ILL_ILLOPC" : si->si_code == ILL_ILLOPN ? "ILL_ILLOPN" : "?",
           (uint64_t)si->si_addr == uc->uc_mcontext.pc, (unsigned long long)uc->uc_mcontext.regs[0],
           fp ? fp->head.size : 0);
    uc->uc_mcontext.pc += 4;
    uc->uc_mcontext.regs[0] = 42;
    uc->uc_mcontext.pstate |= 1u << 30; // Z
    if (fp)
        fp->vregs[1] = (__uint128_t)0x4045000000000000ull; // d1 = 42.0
}

static void trap_edit(int sig, siginfo_t *si, void *uc_) {
    ucontext_t *uc = uc_;
    printf("trap: sig=%d code=%d\n", sig, si->si_code);
    uc->uc_mcontext.pc += 4;
    uc->uc_mcontext.regs[1] = uc->uc_mcontext.regs[1] * 3;
}

static void on_alt(int sig) {
    char local;
    stack_t cur;
    sigaltstack(0, &cur);
    printf("alt: sig=%d on altstack=%d ss_flags=%d\n", sig,
           &local >= altstack_mem && &local < altstack_mem + sizeof altstack_mem, cur.ss_flags);
}

static void nested_inner(int sig) {
    order[order_pos++] = 'i';
    (void)sig;
}

static void nested_outer(int sig) {
    (void)sig;
    order[order_pos++] = 'o';
    raise(SIGUSR2);
    order[order_pos++] = 'O';
}

static void nodefer(int sig) {
    sigset_t cur;
    sigprocmask(SIG_BLOCK, 0, &cur);
    printf("nodefer: self blocked in handler=%d\n", sigismember(&cur, sig));
}

static void count(int sig) {
    (void)sig;
    got++;
}

static void on_alarm(int sig) {
    (void)sig;
    alarms++;
    if (alarms == 2)
        write(pipefd[1], "x", 1);
}

static void install(int sig, void (*h)(int), int flags) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = h;
    sa.sa_flags = flags;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, 0);
}

static void install_info(int sig, void (*h)(int, siginfo_t *, void *), int flags) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = h;
    sa.sa_flags = flags | SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, 0);
}

static void arm_timer(long first_us, long interval_us) {
    struct itimerval it = {{0, interval_us}, {0, first_us}};
    setitimer(ITIMER_REAL, &it, 0);
}

static void basic(void) {
    // A fault handled and left with siglongjmp, twice (the mask is restored by siglongjmp).
    install_info(SIGSEGV, segv, 0);
    for (int i = 0; i < 2; i++) {
        if (sigsetjmp(jb, 1) == 0) {
            *(volatile int *)0 = 1;
            puts("not reached");
        } else {
            puts("back from segv");
        }
    }

    install_info(SIGUSR1, usr1_info, 0);
    kill(getpid(), SIGUSR1);
    printf("after kill got=%d\n", got);
    install_info(SIGUSR2, queued, 0);
    union sigval v = {.sival_int = 5};
    printf("sigqueue=%d\n", sigqueue(getpid(), SIGUSR2, v));

    // Edit the context: skip the undefined instruction, set x0, the Z flag and d1.
    install_info(SIGILL, ill_edit, 0);
    uint64_t x0, z;
    double d1;
    __asm__ volatile("mov x0, #7\n\tfmov d1, xzr\n\tcmp x0, #0\n\t.inst 0x00000000\n\tmov %0, x0\n\tcset %1, eq\n\t"
                     "fmov %d2, d1"
                     : "=r"(x0), "=r"(z), "=w"(d1)
                     :
                     : "x0", "v1", "cc");
    printf("after ill: x0=%llu z=%llu d1=%g\n", (unsigned long long)x0, (unsigned long long)z, d1);

    install_info(SIGTRAP, trap_edit, 0);
    uint64_t x1;
    __asm__ volatile("mov x1, #5\n\tbrk #3\n\tmov %0, x1" : "=r"(x1) : : "x1");
    printf("after brk: x1=%llu\n", (unsigned long long)x1);

    // Alternate stack.
    stack_t ss = {.ss_sp = altstack_mem, .ss_size = sizeof altstack_mem, .ss_flags = 0};
    printf("sigaltstack=%d\n", sigaltstack(&ss, 0));
    install(SIGUSR2, on_alt, SA_ONSTACK);
    raise(SIGUSR2);
    stack_t cur;
    sigaltstack(0, &cur);
    printf("outside: ss_flags=%d size_ok=%d\n", cur.ss_flags, cur.ss_size == sizeof altstack_mem);
    install(SIGUSR2, on_alt, 0);
    raise(SIGUSR2);

    // Nested delivery: SIGUSR2 raised inside the SIGUSR1 handler runs at once.
    install(SIGUSR1, nested_outer, 0);
    install(SIGUSR2, nested_inner, 0);
    raise(SIGUSR1);
    printf("nested order=%s\n", order);

    // Masks, sigpending, unblocking delivers.
    got = 0;
    install(SIGUSR1, count, 0);
    sigset_t s, old, pend;
    sigemptyset(&s);
    sigaddset(&s, SIGUSR1);
    sigprocmask(SIG_BLOCK, &s, &old);
    raise(SIGUSR1);
    sigpending(&pend);
    printf("blocked: got=%d pending=%d\n", got, sigismember(&pend, SIGUSR1));
    sigprocmask(SIG_SETMASK, &old, 0);
    printf("unblocked: got=%d\n", got);

    // sigsuspend: returns EINTR after the handler, with the mask restored.
    sigprocmask(SIG_BLOCK, &s, 0);
    raise(SIGUSR1);
    sigset_t empty;
    sigemptyset(&empty);
    int r = sigsuspend(&empty);
    sigset_t now;
    sigprocmask(SIG_BLOCK, 0, &now);
    printf("sigsuspend=%d errno=%s got=%d still blocked=%d\n", r, strerror(errno), got,
           sigismember(&now, SIGUSR1));

    // sigtimedwait takes a blocked pending signal without running the handler.
    raise(SIGUSR1);
    siginfo_t si;
    struct timespec ts = {1, 0};
    r = sigtimedwait(&s, &si, &ts);
    printf("sigtimedwait=%d signo=%d code=%d got=%d\n", r, si.si_signo, si.si_code, got);
    ts.tv_sec = 0;
    ts.tv_nsec = 1000000;
    r = sigtimedwait(&s, &si, &ts);
    printf("sigtimedwait empty=%d errno=%s\n", r, strerror(errno));
    sigprocmask(SIG_UNBLOCK, &s, 0);

    // SA_RESETHAND and SA_NODEFER.
    install(SIGUSR1, nodefer, SA_NODEFER | SA_RESETHAND);
    raise(SIGUSR1);
    struct sigaction q;
    sigaction(SIGUSR1, 0, &q);
    printf("resethand: now default=%d\n", q.sa_handler == SIG_DFL);

    // Ignored signals vanish.
    signal(SIGUSR2, SIG_IGN);
    raise(SIGUSR2);
    puts("ignored ok");
}

static void timers(void) {
    // Interval timer: three SIGALRMs in a busy loop.
    install(SIGALRM, count, 0);
    got = 0;
    arm_timer(2000, 2000);
    while (got < 3)
        ;
    arm_timer(0, 0);
    // (one more may arrive between the loop and the disarming call)
    printf("alarms in busy loop: at least 3=%d\n", got >= 3);
    struct itimerval it;
    getitimer(ITIMER_REAL, &it);
    printf("disarmed: %ld\n", it.it_value.tv_sec + it.it_value.tv_usec);

    // nanosleep interrupted: EINTR with time remaining.
    arm_timer(20000, 0);
    struct timespec req = {5, 0}, rem = {0, 0};
    int r = nanosleep(&req, &rem);
    printf("nanosleep=%d errno=%s rem in (3,5]s=%d\n", r, strerror(errno), rem.tv_sec >= 3 && rem.tv_sec <= 5);

    // read on an empty pipe: without SA_RESTART the first alarm gives EINTR...
    pipe(pipefd);
    install(SIGALRM, on_alarm, 0);
    alarms = 0;
    arm_timer(10000, 0);
    char c;
    ssize_t n = read(pipefd[0], &c, 1);
    arm_timer(0, 0);
    printf("read without SA_RESTART=%zd errno=%s alarms=%d\n", n, strerror(errno), alarms);
    // ...with SA_RESTART it is restarted until the second alarm's handler writes a byte.
    install(SIGALRM, on_alarm, SA_RESTART);
    alarms = 0;
    arm_timer(10000, 10000);
    n = read(pipefd[0], &c, 1);
    arm_timer(0, 0);
    // (a third alarm may land before the timer is disarmed)
    printf("read with SA_RESTART=%zd c=%c alarms>=2: %d\n", n, c, alarms >= 2);

    // POSIX timer delivering SIGUSR1 with si_value.
    install_info(SIGUSR1, usr1_info, 0);
    got = 0;
    timer_t t;
    struct sigevent ev;
    memset(&ev, 0, sizeof ev);
    ev.sigev_notify = SIGEV_SIGNAL;
    ev.sigev_signo = SIGUSR1;
    ev.sigev_value.sival_int = 77;
    printf("timer_create=%d\n", timer_create(CLOCK_MONOTONIC, &ev, &t));
    struct itimerspec its = {{0, 0}, {0, 5000000}};
    timer_settime(t, 0, &its, 0);
    while (!got)
        ;
    timer_delete(t);
}

static void wait_for_sigint(int block) {
    install(SIGINT, count, 0);
    got = 0;
    puts("ready");
    fflush(stdout);
    if (block) {
        pipe(pipefd);
        char c;
        ssize_t n = read(pipefd[0], &c, 1);
        printf("read=%zd errno=%s got=%d\n", n, strerror(errno), got);
    } else {
        while (!got)
            ;
        printf("got SIGINT\n");
    }
}

static volatile int chld_status = -1, chld_code = -1;
static void on_chld(int sig, siginfo_t *si, void *uc) {
    (void)sig;
    (void)uc;
    chld_code = si->si_code;
    chld_status = si->si_status;
}

static void chld(void) {
    install_info(SIGCHLD, on_chld, 0);
    sigset_t s, old;
    sigemptyset(&s);
    sigaddset(&s, SIGCHLD);
    sigprocmask(SIG_BLOCK, &s, &old);
    pid_t p = fork();
    if (p < 0) {
        printf("fork failed: %s\n", strerror(errno));
        exit(1);
    }
    if (p == 0)
        _exit(7);
    while (chld_status < 0)
        sigsuspend(&old);
    int st;
    waitpid(p, &st, 0);
    printf("sigchld: code=%d status=%d exited=%d\n", chld_code, chld_status, WEXITSTATUS(st));
}

/* `n` times: fork a child that exits at once and sigsuspend until its SIGCHLD arrives (SIGCHLD blocked
 * otherwise, as shells do). A SIGCHLD that arrives just before the wait must end it, not be left for the next
 * signal. */
static volatile sig_atomic_t chld_seen;
static void count_chld(int sig) {
    (void)sig;
    chld_seen = 1;
}

/* Installs `h` for `sig` (no flags) and blocks `sig`; returns the mask before. */
static sigset_t handle_blocked(int sig, void (*h)(int)) {
    struct sigaction sa = {0};
    sa.sa_handler = h;
    sigaction(sig, &sa, 0);
    sigset_t s, old;
    sigemptyset(&s);
    sigaddset(&s, sig);
    sigprocmask(SIG_BLOCK, &s, &old);
    return old;
}

static void chld_loop(int n) {
    sigset_t old = handle_blocked(SIGCHLD, count_chld);
    for (int i = 0; i < n; i++) {
        chld_seen = 0;
        pid_t p = fork();
        if (p < 0) {
            printf("fork failed: %s\n", strerror(errno));
            exit(1);
        }
        if (p == 0)
            _exit(i & 127);
        while (!chld_seen)
            sigsuspend(&old);
        int st;
        if (waitpid(p, &st, 0) != p || !WIFEXITED(st) || WEXITSTATUS(st) != (i & 127)) {
            printf("child %d: status %#x\n", i, st);
            exit(1);
        }
    }
    printf("%d children waited for\n", n);
}

/* pselect and ppoll with a mask that unblocks a signal already pending (raised while blocked, from inside
 * and through kill): they return EINTR at once, the handler having run (Linux installs the mask atomically
 * with the wait); the 3-second timeout would give 0. */
static volatile sig_atomic_t pmask_got;
static void on_pmask(int sig) {
    pmask_got = sig;
}

static void pmask(void) {
    sigset_t old = handle_blocked(SIGUSR1, on_pmask);
    for (int k = 0; k < 4; k++) {
        pmask_got = 0;
        if (k & 1)
            kill(getpid(), SIGUSR1);
        else
            raise(SIGUSR1);
        struct timespec ts = {3, 0};
        struct pollfd p;
        int r = k < 2 ? pselect(0, 0, 0, 0, &ts, &old) : ppoll(&p, 0, &ts, &old);
        printf("%s: r=%d errno=%s handled=%d\n", k < 2 ? "pselect" : "ppoll", r, r < 0 ? strerror(errno) : "-",
               pmask_got);
    }
    sigset_t now;
    sigprocmask(SIG_SETMASK, 0, &now);
    printf("mask restored: %d\n", sigismember(&now, SIGUSR1));
}

int main(int argc, char **argv) {
    setvbuf(stdout, 0, _IONBF, 0);
    const char *mode = argc > 1 ? argv[1] : "basic";
    if (!strcmp(mode, "basic"))
        basic();
    else if (!strcmp(mode, "timers"))
        timers();
    else if (!strcmp(mode, "spin"))
        wait_for_sigint(0);
    else if (!strcmp(mode, "block"))
        wait_for_sigint(1);
    else if (!strcmp(mode, "default")) {
        puts("ready");
        for (;;)
            ;
    } else if (!strcmp(mode, "chld"))
        chld();
    else if (!strcmp(mode, "pmask"))
        pmask();
    else if (!strcmp(mode, "chldloop"))
        chld_loop(argc > 2 ? atoi(argv[2]) : 100);
    else if (!strcmp(mode, "abort"))
        abort();
    else if (!strcmp(mode, "segv"))
        *(volatile int *)8 = 0;
    return 0;
}
