// Prints what the initial stack told the program: argc/argv, the environment, and auxv entries whose values
// do not depend on the emulator (qemu advertises other HWCAP bits, so only the FP/ASIMD bits are printed).
#include <stdio.h>
#include <string.h>
#include <stdint.h>
#include <unistd.h>
#include <sys/auxv.h>

extern char **environ;

int main(int argc, char **argv) {
    printf("argc=%d\n", argc);
    for (int i = 0; i < argc; i++) printf("argv[%d]=%s\n", i, argv[i]);
    printf("argv[argc]=%p\n", (void *)argv[argc]);
    for (char **e = environ; *e; e++) printf("env: %s\n", *e);
    printf("AT_PAGESZ=%lu\n", getauxval(AT_PAGESZ));
    printf("AT_CLKTCK=%lu\n", getauxval(AT_CLKTCK));
    printf("AT_PHENT=%lu\n", getauxval(AT_PHENT));
    printf("AT_SECURE=%lu\n", getauxval(AT_SECURE));
    printf("AT_BASE=%lu\n", getauxval(AT_BASE));
    printf("AT_FLAGS=%lu\n", getauxval(AT_FLAGS));
    printf("AT_UID=%d AT_EUID=%d AT_GID=%d AT_EGID=%d\n", getauxval(AT_UID) == getuid(),
           getauxval(AT_EUID) == geteuid(), getauxval(AT_GID) == getgid(), getauxval(AT_EGID) == getegid());
    printf("AT_PLATFORM=%s\n", (char *)getauxval(AT_PLATFORM));
    printf("AT_EXECFN=%s\n", (char *)getauxval(AT_EXECFN));
    printf("AT_HWCAP fp=%lu asimd=%lu\n", getauxval(AT_HWCAP) & 1, (getauxval(AT_HWCAP) >> 1) & 1);
    printf("AT_RANDOM set=%d\n", getauxval(AT_RANDOM) != 0);
    printf("AT_ENTRY matches=%d\n", getauxval(AT_ENTRY) != 0);
    uintptr_t sp = (uintptr_t)argv - 8;
    printf("initial sp 16-aligned=%d\n", (int)(sp % 16 == 0));
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    exe[n < 0 ? 0 : n] = 0;
    printf("/proc/self/exe=%s\n", exe);
    return argc + 10;
}
