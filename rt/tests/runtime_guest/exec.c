// execve/execveat: argv/envp hand-over, shebang scripts (AArch64 and host interpreters), the kernel's errors,
// what survives exec (pid, fds without O_CLOEXEC, ignored signals, the signal mask) and what does not.
// Run as `exec DIR`: DIR is a scratch folder for the scripts it writes.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static void write_file(const char *path, const char *text, int mode) {
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
    chmod(path, mode);
}

// The exec'd side: prints what it was given and what it inherited.
static int child_side(int argc, char **argv) {
    printf("child argc=%d", argc);
    for (int i = 1; i < argc; i++) printf(" [%s]", argv[i]);
    printf("\n");
    const char *v = getenv("EXEC_TEST");
    printf("child env EXEC_TEST=%s PATH set %d\n", v ? v : "(unset)", getenv("PATH") != NULL);
    if (argc > 2 && strcmp(argv[2], "state") == 0) {
        printf("child pid same %d\n", getpid() == atoi(getenv("EXEC_PID")));
        printf("fd 5 open %d, fd 6 open %d\n", fcntl(5, F_GETFD) >= 0, fcntl(6, F_GETFD) >= 0);
        int extra = 0;
        for (int fd = 3; fd < 1024; fd++)
            if (fd != 5 && fcntl(fd, F_GETFD) >= 0) extra++;
        printf("open fds above 2 the runner did not leave us: %d\n", extra - atoi(getenv("EXEC_BASE_FDS")));
        struct sigaction sa;
        sigaction(SIGUSR1, NULL, &sa);
        printf("SIGUSR1 ignored %d\n", sa.sa_handler == SIG_IGN);
        sigaction(SIGUSR2, NULL, &sa);
        printf("SIGUSR2 (had a handler) default %d\n", sa.sa_handler == SIG_DFL);
        sigset_t m;
        sigprocmask(SIG_SETMASK, NULL, &m);
        printf("SIGINT blocked %d, SIGTERM blocked %d\n", sigismember(&m, SIGINT), sigismember(&m, SIGTERM));
    }
    return 0;
}

static void on_usr2(int s) { (void)s; }

static void run(const char *what, const char *path, char *const argv[]) {
    pid_t c = fork();
    if (c == 0) {
        execve(path, argv, environ);
        printf("%s: execve failed: %s\n", what, strerror(errno));
        _exit(127);
    }
    int st;
    waitpid(c, &st, 0);
    printf("%s: status %d\n", what, WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IONBF, 0);
    if (argc > 1 && strncmp(argv[1], "--child", 7) == 0) return child_side(argc, argv);
    if (argc < 2) return 2;
    const char *dir = argv[1];
    int base = 0; // descriptors the test runner left open
    for (int fd = 3; fd < 1024; fd++)
        if (fcntl(fd, F_GETFD) >= 0) base++;
    char num[32];
    snprintf(num, sizeof num, "%d", base);
    setenv("EXEC_BASE_FDS", num, 1);
    char self[4096], path[4200], script[4200], body[8400];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    self[n > 0 ? n : 0] = 0;
    setenv("EXEC_TEST", "hello", 1);

    char *a1[] = {"renamed", "--child", "two words", "", NULL};
    run("self", self, a1);

    // Errors as the kernel reports them.
    snprintf(path, sizeof path, "%s/missing", dir);
    printf("missing: %d %s\n", execve(path, a1, environ), strerror(errno));
    printf("directory: %d %s\n", execve(dir, a1, environ), strerror(errno));
    snprintf(path, sizeof path, "%s/noexec", dir);
    write_file(path, "#!/bin/sh\necho no\n", 0644);
    printf("not executable: %d %s\n", execve(path, a1, environ), strerror(errno));
    snprintf(path, sizeof path, "%s/garbage", dir);
    write_file(path, "just text\n", 0755);
    printf("no format: %d %s\n", execve(path, a1, environ), strerror(errno));
    snprintf(path, sizeof path, "%s/nointerp", dir);
    write_file(path, "#!/nonexistent/interpreter\n", 0755);
    printf("missing interpreter: %d %s\n", execve(path, a1, environ), strerror(errno));
    printf("empty path: %d %s\n", execve("", a1, environ), strerror(errno));

    // Scripts: an AArch64 interpreter with an argument, and a host one.
    snprintf(script, sizeof script, "%s/script", dir);
    snprintf(body, sizeof body, "#! %s  --child  with arg \nignored\n", self);
    write_file(script, body, 0755);
    char *a2[] = {"scriptname", "x", "y", NULL};
    run("aarch64 script", script, a2);
    snprintf(script, sizeof script, "%s/hostscript", dir);
    write_file(script, "#!/bin/sh\necho \"host sh: $0 $*\" | sed \"s|$EXEC_DIR|DIR|\"\n", 0755);
    setenv("EXEC_DIR", dir, 1);
    run("host script", script, a2);
    char *a3[] = {"echo", "host", "echo", NULL};
    run("host program", "/bin/echo", a3);

    // execveat relative to a directory descriptor, and fexecve-style AT_EMPTY_PATH (qemu 7.2 lacks execveat:
    // `exec DIR noat` skips this part).
    int with_at = !(argc > 2 && strcmp(argv[2], "noat") == 0);
    int dfd = open(dir, O_RDONLY | O_DIRECTORY);
    int cfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int sfd = open(self, O_RDONLY | O_CLOEXEC);
    pid_t c = with_at ? fork() : 1;
    if (c == 0) {
        syscall(SYS_execveat, dfd, "script", a2, environ, 0);
        printf("execveat failed: %s\n", strerror(errno));
        _exit(127);
    }
    if (with_at) {
        waitpid(c, NULL, 0);
        if ((c = fork()) == 0) {
            syscall(SYS_execveat, sfd, "", a1, environ, AT_EMPTY_PATH);
            printf("execveat AT_EMPTY_PATH failed: %s\n", strerror(errno));
            _exit(127);
        }
        waitpid(c, NULL, 0);
        // A script reached through a close-on-exec descriptor: its interpreter could not open it (ENOENT).
        printf("execveat script via O_CLOEXEC dirfd: %ld %s\n", syscall(SYS_execveat, cfd, "script", a2, environ, 0),
               strerror(errno));
        printf("execveat bad flags: %ld %s\n", syscall(SYS_execveat, dfd, "script", a2, environ, 1),
               strerror(errno));
    }

    // What survives: pid, fds without O_CLOEXEC, SIG_IGN, the mask; handlers are reset.
    close(dfd);
    close(cfd);
    close(sfd);
    int null = open("/dev/null", O_RDONLY);
    dup2(null, 5);
    dup3(null, 6, O_CLOEXEC);
    close(null);
    signal(SIGUSR1, SIG_IGN);
    signal(SIGUSR2, on_usr2);
    sigset_t m;
    sigemptyset(&m);
    sigaddset(&m, SIGINT);
    sigprocmask(SIG_BLOCK, &m, NULL);
    char pid[32];
    snprintf(pid, sizeof pid, "%d", getpid());
    setenv("EXEC_PID", pid, 1);
    char *a4[] = {"self", "--child", "state", NULL};
    execve(self, a4, environ);
    printf("final execve failed: %s\n", strerror(errno));
    return 1;
}
