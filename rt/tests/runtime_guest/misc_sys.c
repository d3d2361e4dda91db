// Process, time, signal-bookkeeping and system-information syscalls; prints only what does not depend on the
// machine or the moment. argv[1] picks how the program ends: "exit", "term" (kill self with SIGTERM), "abort".
#define _GNU_SOURCE
#include <errno.h>
#include <linux/futex.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/time.h>
#include <sys/times.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

static void handler(int s) { (void)s; }

int main(int argc, char **argv) {
    struct utsname u;
    printf("uname=%d machine=%s\n", uname(&u), u.machine);
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    struct timespec d = {0, 20 * 1000 * 1000};
    printf("nanosleep=%d\n", nanosleep(&d, NULL));
    clock_gettime(CLOCK_MONOTONIC, &b);
    long ns = (b.tv_sec - a.tv_sec) * 1000000000L + (b.tv_nsec - a.tv_nsec);
    printf("slept>=20ms=%d\n", ns >= 20000000L);
    struct timespec r;
    printf("clock_getres=%d\n", clock_getres(CLOCK_MONOTONIC, &r));
    struct timeval tv;
    printf("gettimeofday=%d recent=%d\n", gettimeofday(&tv, NULL), tv.tv_sec > 1600000000);
    printf("realtime recent=%d\n", time(NULL) > 1600000000);
    printf("clock_nanosleep=%d\n", clock_nanosleep(CLOCK_MONOTONIC, 0, &d, NULL));
    struct tms t;
    printf("times>=0=%d\n", times(&t) != (clock_t)-1);
    struct rusage ru;
    printf("getrusage=%d\n", getrusage(RUSAGE_SELF, &ru));
    unsigned char rnd[32];
    printf("getrandom=%zd\n", getrandom(rnd, sizeof rnd, 0));
    struct sysinfo si;
    printf("sysinfo=%d ram>0=%d\n", sysinfo(&si), si.totalram > 0);
    struct rlimit rl;
    printf("getrlimit(STACK)=%d cur=%lu\n", getrlimit(RLIMIT_STACK, &rl), (unsigned long)rl.rlim_cur);
    printf("getrlimit(NOFILE)=%d cur>0=%d\n", getrlimit(RLIMIT_NOFILE, &rl), rl.rlim_cur > 0);
    cpu_set_t set;
    printf("sched_getaffinity=%d some=%d\n", sched_getaffinity(0, sizeof set, &set), CPU_COUNT(&set) > 0);
    printf("sched_yield=%d\n", sched_yield());
    char name[16] = {0};
    printf("prctl set=%d\n", prctl(PR_SET_NAME, "elfrun-test-name-long"));
    printf("prctl get=%d name=%s\n", prctl(PR_GET_NAME, name), name);
    printf("pid>0=%d ppid>0=%d tid==pid=%d\n", getpid() > 0, getppid() > 0, (pid_t)syscall(SYS_gettid) == getpid());
    printf("uid=%d gid=%d\n", getuid() == geteuid(), getgid() == getegid());
    uid_t ru1, eu1, su1;
    printf("getresuid=%d same=%d\n", getresuid(&ru1, &eu1, &su1), ru1 == getuid());
    printf("getgroups>=0=%d\n", getgroups(0, NULL) >= 0);
    struct sigaction sa = {0}, old;
    sa.sa_handler = handler;
    sa.sa_flags = SA_RESTART;
    sigaddset(&sa.sa_mask, SIGUSR2);
    printf("sigaction=%d\n", sigaction(SIGUSR1, &sa, NULL));
    printf("sigaction old=%d same=%d flags=%d\n", sigaction(SIGUSR1, NULL, &old), old.sa_handler == handler,
           (old.sa_flags & SA_RESTART) != 0);
    printf("sigaction(SIGKILL)=%d errno=%d\n", sigaction(SIGKILL, &sa, NULL), errno);
    sigset_t m, o;
    sigemptyset(&m);
    sigaddset(&m, SIGINT);
    sigprocmask(SIG_BLOCK, &m, NULL);
    sigprocmask(SIG_SETMASK, NULL, &o);
    printf("blocked SIGINT=%d SIGTERM=%d\n", sigismember(&o, SIGINT), sigismember(&o, SIGTERM));
    stack_t ss = {.ss_sp = malloc(65536), .ss_size = 65536, .ss_flags = 0}, os;
    printf("sigaltstack=%d\n", sigaltstack(&ss, NULL));
    printf("sigaltstack old=%d size=%zu\n", sigaltstack(NULL, &os), os.ss_size);
    printf("kill(self, 0)=%d\n", kill(getpid(), 0));
    int p[2];
    pipe(p);
    struct pollfd pf = {p[0], POLLIN, 0};
    printf("poll empty=%d\n", poll(&pf, 1, 10));
    write(p[1], "x", 1);
    printf("poll ready=%d revents=%d\n", poll(&pf, 1, 10), pf.revents);
    fd_set rs;
    FD_ZERO(&rs);
    FD_SET(p[0], &rs);
    struct timeval to = {0, 1000};
    printf("select=%d isset=%d\n", select(p[0] + 1, &rs, NULL, NULL, &to), FD_ISSET(p[0], &rs));
    int fut = 5;
    printf("futex wake=%ld\n", syscall(SYS_futex, &fut, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0));
    printf("futex wait mismatch=%ld errno=%d\n", syscall(SYS_futex, &fut, FUTEX_WAIT_PRIVATE, 4, NULL, NULL, 0), errno);
    printf("write(bad pointer)=%zd errno=%d\n", write(1, (void *)0x10000000, 4), errno);
    fflush(stdout);
    const char *how = argc > 1 ? argv[1] : "exit";
    if (!strcmp(how, "term")) kill(getpid(), SIGTERM);
    if (!strcmp(how, "abort")) abort();
    return 9;
}
