// File-system and descriptor syscalls in a scratch directory (argv[1]); prints results and errnos.
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#define CHECK(x) do { long r_ = (long)(x); printf("%-50s -> %ld%s%s\n", #x, r_, r_ < 0 ? " errno " : "", r_ < 0 ? strerror(errno) : ""); } while (0)

static int cmp(const void *a, const void *b) { return strcmp(*(char **)a, *(char **)b); }

int main(int argc, char **argv) {
    if (argc < 2 || chdir(argv[1]) != 0) return 2;
    CHECK(mkdir("d", 0755));
    CHECK(mkdir("d", 0755));
    int fd = open("d/f", O_CREAT | O_RDWR | O_TRUNC, 0640);
    CHECK(fd >= 0);
    CHECK(write(fd, "hello world\n", 12));
    CHECK(lseek(fd, 0, SEEK_CUR));
    CHECK(lseek(fd, 6, SEEK_SET));
    char buf[64] = {0};
    CHECK(read(fd, buf, sizeof buf));
    printf("read: %s", buf);
    CHECK(pwrite(fd, "HELLO", 5, 0));
    memset(buf, 0, sizeof buf);
    CHECK(pread(fd, buf, 5, 0));
    printf("pread: %s\n", buf);
    struct iovec iov[2] = {{"ab", 2}, {"cd\n", 3}};
    CHECK(lseek(fd, 0, SEEK_END));
    CHECK(writev(fd, iov, 2));
    struct stat st;
    CHECK(fstat(fd, &st));
    printf("size=%ld mode=%o nlink=%ld isreg=%d blksize>0=%d\n", (long)st.st_size, st.st_mode & 07777,
           (long)st.st_nlink, S_ISREG(st.st_mode), st.st_blksize > 0);
    CHECK(fcntl(fd, F_GETFL) & O_ACCMODE);
    CHECK(fcntl(fd, F_SETFL, O_APPEND));
    CHECK((fcntl(fd, F_GETFL) & O_APPEND) != 0);
    CHECK(fcntl(fd, F_GETFD));
    int fd2 = dup(fd);
    CHECK(fd2 > fd);
    CHECK(dup3(fd, 20, O_CLOEXEC));
    CHECK(fcntl(20, F_GETFD));
    CHECK(close(20));
    CHECK(close(20));
    CHECK(ftruncate(fd, 4));
    CHECK(stat("d/f", &st));
    printf("size after ftruncate=%ld\n", (long)st.st_size);
    CHECK(close(fd));
    CHECK(close(fd2));
    CHECK(link("d/f", "d/g"));
    CHECK(stat("d/g", &st));
    printf("nlink=%ld\n", (long)st.st_nlink);
    CHECK(symlink("f", "d/s"));
    char lnk[64] = {0};
    CHECK(readlink("d/s", lnk, sizeof lnk));
    printf("readlink: %s\n", lnk);
    CHECK(lstat("d/s", &st));
    printf("islnk=%d\n", S_ISLNK(st.st_mode));
    CHECK(rename("d/g", "d/h"));
    CHECK(access("d/h", R_OK));
    CHECK(access("d/nope", F_OK));
    CHECK(stat("d/nope", &st));
    CHECK(open("d/nope", O_RDONLY));
    CHECK(open("d", O_RDONLY | O_DIRECTORY) >= 0);
    CHECK(open("d/f", O_RDONLY | O_DIRECTORY));
    CHECK(chmod("d/h", 0600));
    CHECK(stat("d/h", &st));
    printf("mode=%o\n", st.st_mode & 07777);
    CHECK(truncate("d/h", 100));
    CHECK(stat("d/h", &st));
    printf("size=%ld\n", (long)st.st_size);
    DIR *d = opendir("d");
    char *names[16];
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)) && n < 16) names[n++] = strdup(e->d_name);
    if (d) closedir(d);
    qsort(names, n, sizeof *names, cmp);
    for (int i = 0; i < n; i++) printf("entry: %s\n", names[i]);
    char cwd[4096];
    CHECK(getcwd(cwd, sizeof cwd) != NULL);
    CHECK(chdir("d"));
    char cwd2[4096];
    getcwd(cwd2, sizeof cwd2);
    printf("cwd suffix ok=%d\n", strlen(cwd2) == strlen(cwd) + 2 && strcmp(cwd2 + strlen(cwd), "/d") == 0);
    CHECK(chdir(".."));
    int p[2];
    CHECK(pipe(p));
    CHECK(write(p[1], "xyz", 3));
    memset(buf, 0, sizeof buf);
    CHECK(read(p[0], buf, 10));
    printf("pipe: %s\n", buf);
    CHECK(unlink("d/f"));
    CHECK(unlink("d/h"));
    CHECK(unlink("d/s"));
    CHECK(rmdir("d"));
    CHECK(rmdir("d"));
    CHECK(umask(077));
    CHECK(umask(022));
    CHECK(write(1000, "x", 1));
    return 0;
}
