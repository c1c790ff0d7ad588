/* fault_alloc.c - allocation failure for the tests; compiled only in builds
 * with MCPI_TEST_HOOKS, whose executables link with -Wl,--wrap=malloc,
 * --wrap=calloc, --wrap=realloc and --wrap=open_memstream (CMakeLists.txt;
 * mcpi calls no other allocator: no strdup, asprintf, getline).  The wrap
 * redirects only the calls made from mcpi's own objects: the C library, the
 * OpenCL runtime and Open MPI allocate as they always do.  Each wrapper
 * passes the call on to __real_* (the C library's, or a sanitizer's
 * interceptor) unless
 *
 *   MCPI_TEST_FAIL_ALLOC=K       the K-th counted allocation (1-based; every
 *                                call counts, across threads) returns NULL
 *   MCPI_TEST_FAIL_ALLOC=K+      so does every one from the K-th on
 *   MCPI_TEST_FAIL_ALLOC=count   none fails; at exit the process writes
 *                                "mcpi-test: allocations: N" to stderr
 *   MCPI_TEST_FAIL_ALLOC_RANK=r  (with K or K+) only the MPI rank r fails,
 *                                as Open MPI's or a PMI launcher's rank
 *                                variable names it
 *
 * Nothing here allocates (getenv, strtoul and write do not) and the counter
 * is atomic, so the wrappers may be called from any thread. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void *__real_malloc(size_t size);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t size);
void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t size);
FILE *__real_open_memstream(char **buf, size_t *len);
FILE *__wrap_open_memstream(char **buf, size_t *len);

static unsigned long calls; /* counted allocations of this process */

static const char *env(const char *name)
{
    const char *s = getenv(name);
    return s != NULL && s[0] != '\0' ? s : NULL;
}

/* 1 when this process is the rank MCPI_TEST_FAIL_ALLOC_RANK names, or none is named. */
static int this_rank(void)
{
    const char *want = env("MCPI_TEST_FAIL_ALLOC_RANK");
    if (want == NULL)
        return 1;
    const char *rank = env("OMPI_COMM_WORLD_RANK");
    if (rank == NULL)
        rank = env("PMI_RANK");
    if (rank == NULL)
        rank = "0";
    return strtoul(want, NULL, 10) == strtoul(rank, NULL, 10);
}

/* Counts one allocation; 1 (errno ENOMEM, as the C library sets it) when
 * it is to fail. */
static int fail_this_one(void)
{
    unsigned long k = __atomic_add_fetch(&calls, 1, __ATOMIC_RELAXED);
    const char *s = env("MCPI_TEST_FAIL_ALLOC");
    if (s == NULL || s[0] < '0' || s[0] > '9')
        return 0;
    char *end;
    unsigned long want = strtoul(s, &end, 10);
    int from_on = *end == '+';
    if (want == 0 || !(from_on ? k >= want : k == want) || !this_rank())
        return 0;
    errno = ENOMEM;
    return 1;
}

void *__wrap_malloc(size_t size)
{
    return fail_this_one() ? NULL : __real_malloc(size);
}

void *__wrap_calloc(size_t n, size_t size)
{
    return fail_this_one() ? NULL : __real_calloc(n, size);
}

/* A failed realloc leaves p as it was, as the C library's does. */
void *__wrap_realloc(void *p, size_t size)
{
    return fail_this_one() ? NULL : __real_realloc(p, size);
}

/* The JSON report's buffer (its growth inside the C library is not counted). */
FILE *__wrap_open_memstream(char **buf, size_t *len)
{
    return fail_this_one() ? NULL : __real_open_memstream(buf, len);
}

/* MCPI_TEST_FAIL_ALLOC=count: the total, written at a normal exit. */
__attribute__((destructor)) static void report_count(void)
{
    const char *s = env("MCPI_TEST_FAIL_ALLOC");
    if (s == NULL || strcmp(s, "count") != 0)
        return;
    char buf[64] = "mcpi-test: allocations: ";
    size_t n = strlen(buf);
    char digits[24];
    size_t d = 0;
    unsigned long v = __atomic_load_n(&calls, __ATOMIC_RELAXED);
    do {
        digits[d++] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    while (d > 0)
        buf[n++] = digits[--d];
    buf[n++] = '\n';
    ssize_t w = write(STDERR_FILENO, buf, n);
    (void)w;
}
