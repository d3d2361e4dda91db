// fork, vfork, wait4/waitid statuses, pipes between processes, dup2, process groups.
// Output must not depend on pids: only relations between them are printed.
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int global = 1;
static char buf[64];

static void show(const char *what, int st) {
    if (WIFEXITED(st))
        printf("%s: exited %d\n", what, WEXITSTATUS(st));
    else if (WIFSIGNALED(st))
        printf("%s: killed by signal %d\n", what, WTERMSIG(st));
    else if (WIFSTOPPED(st))
        printf("%s: stopped by signal %d\n", what, WSTOPSIG(st));
    else
        printf("%s: status %#x\n", what, st);
}

static int reap(pid_t pid) {
    int st = -1;
    pid_t r = waitpid(pid, &st, 0);
    if (r != pid) printf("waitpid returned %d (errno %d), wanted the child\n", r, errno);
    return st;
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    pid_t me = getpid();

    // Separate memory: the child's write stays in the child.
    pid_t c = fork();
    if (c == 0) {
        global = 42;
        strcpy(buf, "child");
        printf("child: global=%d getppid==parent %d getpid!=parent %d\n", global, getppid() == me, getpid() != me);
        _exit(7);
    }
    show("fork child", reap(c));
    printf("parent: global=%d buf='%s'\n", global, buf);

    // Exit statuses: exit code truncation, exit vs exit_group, fatal signals.
    if ((c = fork()) == 0) exit(300);
    show("exit(300)", reap(c));
    if ((c = fork()) == 0) syscall(SYS_exit, 5);
    show("SYS_exit(5)", reap(c));
    if ((c = fork()) == 0) { raise(SIGTERM); _exit(99); }
    show("raise(SIGTERM)", reap(c));
    if ((c = fork()) == 0) { abort(); }
    show("abort()", reap(c));
    if ((c = fork()) == 0) { kill(getpid(), SIGKILL); _exit(99); }
    show("kill(self, SIGKILL)", reap(c));
    if ((c = fork()) == 0) { *(volatile int *)8 = 1; _exit(99); }
    show("null write", reap(c));

    // A parent signalling its child; WNOHANG; WUNTRACED; waitid.
    int p[2];
    if (pipe(p) != 0) return 1;
    if ((c = fork()) == 0) {
        close(p[1]);
        char ch;
        while (read(p[0], &ch, 1) > 0) {}
        _exit(3);
    }
    close(p[0]);
    int st = 0;
    printf("WNOHANG on a running child: %d\n", waitpid(c, &st, WNOHANG));
    kill(c, SIGSTOP);
    if (waitpid(c, &st, WUNTRACED) == c) show("after SIGSTOP", st);
    kill(c, SIGCONT);
    close(p[1]);
    siginfo_t si;
    memset(&si, 0, sizeof si);
    int r = waitid(P_PID, c, &si, WEXITED);
    printf("waitid: r=%d signo=%d code=%d (CLD_EXITED %d) status=%d pid ok %d\n", r, si.si_signo, si.si_code,
           CLD_EXITED, si.si_status, si.si_pid == c);
    if ((c = fork()) == 0) { pause(); _exit(0); }
    kill(c, SIGTERM);
    memset(&si, 0, sizeof si);
    r = waitid(P_ALL, 0, &si, WEXITED);
    printf("waitid killed: r=%d code=%d (CLD_KILLED %d) status=%d\n", r, si.si_code, CLD_KILLED, si.si_status);
    printf("wait with no children: %d errno ECHILD %d\n", wait(&st), errno == ECHILD);

    // Pipes between processes, dup2 onto stdout.
    if (pipe(p) != 0) return 1;
    if ((c = fork()) == 0) {
        dup2(p[1], 1);
        close(p[0]);
        close(p[1]);
        printf("through the pipe %d\n", 123);
        _exit(0);
    }
    close(p[1]);
    int n = read(p[0], buf, sizeof buf - 1);
    buf[n > 0 ? n : 0] = 0;
    printf("parent read: %s", buf);
    close(p[0]);
    reap(c);
    printf("dup2(1,1)=%d dup2 bad=%d errno EBADF %d\n", dup2(1, 1), dup2(1000, 5), errno == EBADF);

    // vfork: the parent resumes after the child exits; rusage comes back.
    if ((c = vfork()) == 0) _exit(9);
    struct rusage ru;
    st = 0;
    printf("wait4 got child %d\n", wait4(c, &st, 0, &ru) == c);
    show("vfork child", st);

    // Process groups and sessions.
    if ((c = fork()) == 0) {
        printf("child setpgid(0,0)=%d pgid is own pid %d\n", setpgid(0, 0), getpgid(0) == getpid());
        printf("group leader setsid=%d errno EPERM %d\n", setsid(), errno == EPERM);
        _exit(0);
    }
    reap(c);
    if ((c = fork()) == 0) {
        printf("child setsid is own pid %d, sid %d, pgid %d\n", setsid() == getpid(), getsid(0) == getpid(),
               getpgrp() == getpid());
        _exit(0);
    }
    reap(c);
    printf("getpgrp==getpgid(0) %d getsid(0)>0 %d\n", getpgrp() == getpgid(0), getsid(0) > 0);
    printf("kill(no such pid)=%d errno ESRCH %d\n", kill(0x3ffffff0, 0), errno == ESRCH);
    return 0;
}
