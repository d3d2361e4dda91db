// The `--root DIR` jail seen from inside: run as /bin/prog in a root the test (rt/tests/jail.rs) builds.
// Each line is one check; the test compares them with what openat2(2) RESOLVE_IN_ROOT semantics demand.
// `prog --child TAG` is the exec'd side (installed as /bin/prog2 too).
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

// The file's first line, or the error name.
static const char *slurp_at(int dirfd, const char *path) {
    static char buf[256];
    int fd = openat(dirfd, path, O_RDONLY);
    if (fd < 0) return strerrorname_np(errno);
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n < 0) return strerrorname_np(errno);
    buf[n] = 0;
    char *nl = strchr(buf, '\n');
    if (nl) *nl = 0;
    return buf;
}

static const char *slurp(const char *path) { return slurp_at(AT_FDCWD, path); }

static const char *rc(int r) { return r == 0 ? "ok" : strerrorname_np(errno); }

// Sorted names in a directory, without . and ..
static const char *list(const char *path) {
    static char out[1024];
    struct dirent **names;
    int n = scandir(path, &names, NULL, alphasort);
    if (n < 0) return strerrorname_np(errno);
    out[0] = 0;
    for (int i = 0; i < n; i++) {
        if (strcmp(names[i]->d_name, ".") && strcmp(names[i]->d_name, "..")) {
            strcat(out, names[i]->d_name);
            strcat(out, " ");
        }
        free(names[i]);
    }
    free(names);
    return out;
}

static const char *cwd(void) {
    static char buf[512];
    return getcwd(buf, sizeof buf) ? buf : strerrorname_np(errno);
}

static const char *link_of(const char *path) {
    static char buf[512];
    ssize_t n = readlink(path, buf, sizeof buf - 1);
    if (n < 0) return strerrorname_np(errno);
    buf[n] = 0;
    return buf;
}

static int child(int argc, char **argv) {
    printf("child %s: exe=%s cwd=%s /a=%s\n", argc > 2 ? argv[2] : "?", link_of("/proc/self/exe"), cwd(),
           slurp("/a"));
    return 0;
}

static void run(const char *what, const char *path, char *const argv[]) {
    fflush(stdout);
    pid_t c = fork();
    if (c == 0) {
        execve(path, argv, environ);
        printf("%s: execve: %s\n", what, strerrorname_np(errno));
        _exit(127);
    }
    int st;
    waitpid(c, &st, 0);
    printf("%s: status %d\n", what, WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
}

// With the host's /proc bind-mounted at /proc inside the root: its magic links must not lead out.
static int proc_tricks(void) {
    printf("/proc/self/status readable: %d\n", strncmp(slurp("/proc/self/status"), "Name:", 5) == 0);
    const char *tricks[] = {"/proc/self/root/etc/passwd", "/proc/1/root/etc/passwd", "/proc/self/cwd/../../../etc/passwd",
                            "/proc/thread-self/root/etc/passwd", "/proc/self/root"};
    for (int i = 0; i < 5; i++) {
        int fd = open(tricks[i], O_RDONLY);
        printf("%s: %s\n", tricks[i], fd >= 0 ? "OPENED" : "refused");
    }
    printf("chdir /proc/self/root: %s\n", chdir("/proc/self/root") == 0 ? "DONE" : "refused");
    printf("ls /proc/self/root/: %s\n", strchr(list("/proc/self/root/"), ' ') ? "LISTED" : "refused");
    return 0;
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "--child") == 0) return child(argc, argv);
    if (argc > 1 && strcmp(argv[1], "--proc") == 0) return proc_tricks();
    setvbuf(stdout, NULL, _IOLBF, 0);
    struct stat a, b;

    printf("cwd at start: %s\n", cwd());
    printf("ls /: %s\n", list("/"));
    printf("ls /../..: %s\n", list("/../.."));
    stat("/", &a);
    stat("/..", &b);
    printf("/.. is /: %d\n", a.st_ino == b.st_ino && a.st_dev == b.st_dev);
    printf("chdir ..: %s, cwd %s\n", rc(chdir("..")), cwd());

    printf("/a (-> /etc/secret): %s\n", slurp("/a"));
    printf("lstat /a is a link: %d\n", lstat("/a", &a) == 0 && S_ISLNK(a.st_mode));
    printf("/../../../etc/hostname: %s\n", slurp("/../../../etc/hostname"));
    printf("/../../../etc/passwd: %s\n", slurp("/../../../etc/passwd"));
    printf("/up/hostname (up -> ../../../../../etc): %s\n", slurp("/up/hostname"));
    printf("/up/passwd: %s\n", slurp("/up/passwd"));
    printf("/loop1: %s\n", slurp("/loop1"));
    printf("stat /loop1: %s\n", rc(stat("/loop1", &a)));
    printf("/proc/self/root/etc/passwd: %s\n", slurp("/proc/self/root/etc/passwd"));
    printf("access /../etc/passwd: %s\n", rc(access("/../etc/passwd", F_OK)));
    printf("access /a: %s\n", rc(access("/a", R_OK)));
    printf("readlink /proc/self/exe: %s\n", link_of("/proc/self/exe"));
    printf("readlink /a: %s\n", link_of("/a"));

    printf("chdir /sub/dir: %s, cwd %s\n", rc(chdir("/sub/dir")), cwd());
    printf("../../etc/secret: %s\n", slurp("../../etc/secret"));
    printf("../../../../../../etc/passwd: %s\n", slurp("../../../../../../etc/passwd"));
    printf("ls ../../../..: %s\n", list("../../../.."));
    int sub = open("/sub", O_RDONLY | O_DIRECTORY);
    printf("openat(/sub, ../../../etc/hostname): %s\n", slurp_at(sub, "../../../etc/hostname"));
    printf("openat(/sub, /etc/hostname): %s\n", slurp_at(sub, "/etc/hostname"));
    char alias[64];
    snprintf(alias, sizeof alias, "/proc/self/fd/%d/../../../etc/passwd", sub);
    printf("/proc/self/fd/SUB/../../../etc/passwd: %s\n", slurp(alias));
    snprintf(alias, sizeof alias, "/dev/fd/%d/../etc/hostname", sub);
    printf("/dev/fd/SUB/../etc/hostname: %s\n", slurp(alias));
    int pfd[2];
    (void)!pipe(pfd);
    (void)!write(pfd[1], "through a pipe\n", 15);
    snprintf(alias, sizeof alias, "/dev/fd/%d", pfd[0]);
    printf("/dev/fd/PIPE: %s\n", slurp(alias));
    snprintf(alias, sizeof alias, "/proc/self/fd/%d", sub);
    printf("readlink /proc/self/fd/SUB: %s\n", link_of(alias));
    close(pfd[0]);
    close(pfd[1]);
    printf("fchdir /sub: %s, cwd %s\n", rc(fchdir(sub)), cwd());
    close(sub);

    // Creating, renaming, linking and removing names.
    printf("mkdir /sub/new: %s\n", rc(mkdir("/sub/new", 0755)));
    int fd = open("/sub/new/f", O_CREAT | O_WRONLY | O_EXCL, 0644);
    printf("create /sub/new/f: %s\n", fd >= 0 ? "ok" : strerrorname_np(errno));
    if (fd >= 0) {
        (void)!write(fd, "made\n", 5);
        close(fd);
    }
    printf("rename f -> /../../../sub/new/g: %s\n", rc(rename("/sub/new/f", "/../../../sub/new/g")));
    printf("link g -> h: %s\n", rc(link("new/g", "/sub/new/h")));
    printf("symlink /etc/secret as /sub/new/s: %s\n", rc(symlink("/etc/secret", "/sub/new/s")));
    printf("readlink /sub/new/s: %s\n", link_of("/sub/new/s"));
    printf("/sub/new/s: %s\n", slurp("/sub/new/s"));
    printf("linkat(s, AT_SYMLINK_FOLLOW) -> /sub/new/hs: %s\n",
           rc(linkat(AT_FDCWD, "/sub/new/s", AT_FDCWD, "/sub/new/hs", AT_SYMLINK_FOLLOW)));
    printf("unlink /sub/new/h: %s\n", rc(unlink("/sub/new/h")));
    printf("rename /sub/new/g -> /../g2: %s\n", rc(rename("/sub/new/g", "/../g2")));
    fd = open("/dangling", O_CREAT | O_WRONLY, 0644);
    printf("create through /dangling (-> /tmp/elfrun-jail-escape-check): %s\n",
           fd >= 0 ? "ok" : strerrorname_np(errno));
    if (fd >= 0) close(fd);
    printf("ls /tmp: %s\n", list("/tmp"));
    printf("rmdir /sub/gone/: %s\n", rc(rmdir("/sub/gone/")));
    printf("mkdir /../../made: %s\n", rc(mkdir("/../../made", 0700)));

    // Metadata through an absolute symlink lands on the jail's file.
    printf("chmod /a 0600: %s\n", rc(chmod("/a", 0600)));
    struct timespec ts[2] = {{1000000000, 0}, {1000000000, 0}};
    printf("utimensat /a: %s\n", rc(utimensat(AT_FDCWD, "/a", ts, 0)));
    printf("truncate /t 3: %s\n", rc(truncate("/t", 3)));
    stat("/etc/trunc", &a);
    printf("stat /etc/trunc: size %lld\n", (long long)a.st_size);
    struct statfs sf;
    printf("statfs /a: %s\n", rc(statfs("/a", &sf)));
    printf("chdir /a: %s\n", rc(chdir("/a")));
    printf("chdir /up: %s, cwd %s\n", rc(chdir("/up")), cwd());

    // exec inside the jail: the program, and a script's interpreter, are looked up there.
    char *p2[] = {"prog2", "--child", "exec", NULL};
    run("execve /bin/prog2", "/bin/prog2", p2);
    char *sc[] = {"script", NULL};
    run("execve /bin/script (#!/bin/prog2 --child)", "/bin/script", sc);
    char *self[] = {"self", "--child", "self", NULL};
    run("execve /proc/self/exe", "/proc/self/exe", self);
    // elfrun's root descriptor is not the guest's to close or replace.
    int outside = open("/", O_RDONLY | O_DIRECTORY);
    for (int i = 3; i < 256; i++)
        if (i != outside) dup2(outside, i);
    for (int i = 3; i < 256; i++) close(i);
    printf("/a after replacing and closing descriptors 3..255: %s\n", slurp("/a"));
    char *host[] = {"hosttrue", NULL};
    run("execve /bin/hosttrue (a host program)", "/bin/hosttrue", host);
    return 0;
}
