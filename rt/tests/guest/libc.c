/* libc: stdio (printf of integers, strings and floats in every format, snprintf, buffered and unbuffered
 * output), malloc/realloc/free patterns, qsort and bsearch, string and memory functions, strtod/strtol.
 * Ends with exit status 3 so the status comparison is exercised. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp_int(const void *a, const void *b) { int x = *(const int *)a, y = *(const int *)b; return (x > y) - (x < y); }
static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }
static int cmp_dbl(const void *a, const void *b) { double x = *(const double *)a, y = *(const double *)b; return (x > y) - (x < y); }

int main(void) {
    static const double ds[] = {0.0, -0.0, 1.0, 0.1, 1.0 / 3, 2.5e-300, 6.02214076e23, 123456789.125, -1e-5, 1e21, 0.5, 1.5, 2.5};
    for (size_t i = 0; i < sizeof ds / sizeof ds[0]; i++)
        printf("%g|%e|%f|%.17g|%a|%10.3f|%-12.4e|%+.0f\n", ds[i], ds[i], ds[i], ds[i], ds[i], ds[i], ds[i], ds[i]);
    printf("%f %f %F %g\n", 1.0 / 0.0, -1.0 / 0.0, 0.0 / 0.0 * -1.0, (float)3.14159f);
    printf("%d %i %u %x %X %o %lld %llu %hhd %hd %zu %p %5s|%-5s|%.2s %c%%\n", -42, 42, 4000000000u, 0xbeefu, 0xbeefu,
           8u, (long long)INT64_MIN, (unsigned long long)UINT64_MAX, (signed char)200, (short)70000, sizeof(long double),
           (void *)0x1234, "ab", "cd", "xyz", 'Q');
    char buf[64];
    int n = snprintf(buf, sizeof buf, "%08.3f/%#x/%#o/%*d", 3.14159, 255u, 8u, 6, -7);
    printf("snprintf %d '%s'\n", n, buf);
    volatile size_t small = 5;
    n = snprintf(buf, small, "truncated %d", 12345);
    printf("snprintf %d '%s'\n", n, buf);

    /* malloc patterns */
    void *ptrs[200];
    size_t total = 0;
    for (int i = 0; i < 200; i++) {
        size_t sz = (size_t)((i * 7919) % 5000 + 1);
        ptrs[i] = malloc(sz);
        memset(ptrs[i], i & 0xff, sz);
        total += sz;
    }
    for (int i = 0; i < 200; i += 2) free(ptrs[i]);
    for (int i = 1; i < 200; i += 2) {
        ptrs[i] = realloc(ptrs[i], 10000);
        if (((unsigned char *)ptrs[i])[0] != (i & 0xff)) printf("realloc lost data at %d\n", i);
    }
    for (int i = 1; i < 200; i += 2) free(ptrs[i]);
    char *big = malloc(1 << 20);
    memset(big, 'x', 1 << 20);
    big[(1 << 20) - 1] = 0;
    printf("malloc total %zu strlen %zu\n", total, strlen(big));
    free(big);
    int *cz = calloc(1000, sizeof(int));
    int zs = 0;
    for (int i = 0; i < 1000; i++) zs += cz[i];
    free(cz);
    printf("calloc zero sum %d\n", zs);

    /* qsort/bsearch */
    int arr[500];
    uint32_t s = 7;
    for (int i = 0; i < 500; i++) { s = s * 1664525u + 1013904223u; arr[i] = (int)(s >> 12) - 500000; }
    qsort(arr, 500, sizeof arr[0], cmp_int);
    printf("qsort %d %d %d %d\n", arr[0], arr[1], arr[250], arr[499]);
    int key = arr[321];
    int *found = bsearch(&key, arr, 500, sizeof arr[0], cmp_int);
    printf("bsearch %ld\n", found ? (long)(found - arr) : -1L);
    const char *words[] = {"pear", "apple", "fig", "banana", "kiwi", "apricot", "date", "cherry"};
    qsort(words, 8, sizeof words[0], cmp_str);
    for (int i = 0; i < 8; i++) printf("%s ", words[i]);
    printf("\n");
    double dd[9] = {3.5, -1.0, 2.25, 1e10, -1e-10, 0.0, 7.0, 2.25, -3.0};
    qsort(dd, 9, sizeof dd[0], cmp_dbl);
    for (int i = 0; i < 9; i++) printf("%g ", dd[i]);
    printf("\n");

    /* strings */
    char str[128] = "The quick brown fox jumps over the lazy dog";
    printf("strlen %zu strchr %s strrchr %s strstr %s\n", strlen(str), strchr(str, 'q'), strrchr(str, 'o'),
           strstr(str, "lazy"));
    printf("strcmp %d %d %d strncmp %d memcmp %d\n", strcmp("abc", "abd") < 0, strcmp("b", "a") > 0,
           strcmp("same", "same"), strncmp("abcdef", "abcxyz", 3), memcmp("\x01\xff", "\x01\x00", 2) > 0);
    char *tok, *save;
    char copy[128];
    strcpy(copy, str);
    for (tok = strtok_r(copy, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) printf("[%s]", tok);
    printf("\n");
    strcat(str, "!!");
    char *dup = strdup(str);
    for (char *p = dup; *p; p++) if (*p >= 'a' && *p <= 'z') *p = (char)(*p - 32);
    printf("%s %zu %zu\n", dup, strspn(dup, "THE "), strcspn(dup, "XYZ"));
    free(dup);
    memset(copy, 0, sizeof copy);
    memcpy(copy + 3, "unaligned copy", 15);
    memmove(copy + 1, copy + 3, 15);
    printf("%s\n", copy + 1);
    printf("strtod %a %a %a strtol %ld %ld %lu atoi %d\n", strtod("0x1.8p3", NULL), strtod("1e-320", NULL),
           strtod("-inf", NULL), strtol("-0x7fffffff", NULL, 16), strtol("777", NULL, 8),
           strtoul("18446744073709551615", NULL, 10), atoi("  -123abc"));

    fflush(stdout);
    setvbuf(stdout, NULL, _IONBF, 0);
    for (int i = 0; i < 5; i++) putchar('0' + i);
    puts(" unbuffered");
    fputs("to stderr is not compared\n", stderr);
    return 3;
}
