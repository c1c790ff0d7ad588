/* fault.c - fault injection for the tests (see fault.h); compiled only in
 * builds with MCPI_TEST_HOOKS. */
#include "fault.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *env(const char *name)
{
    const char *s = getenv(name);
    return s != NULL && s[0] != '\0' ? s : NULL;
}

int mcpi_fault_rank_fails(int rank)
{
    const char *s = env("MCPI_TEST_FAIL_RANK");
    return s != NULL && atoi(s) == rank;
}

uint64_t mcpi_fault_miscount(const char *worker, uint64_t chunk)
{
    const char *s = env("MCPI_TEST_MISCOUNT");
    if (s == NULL)
        return 0;
    const char *colon = strrchr(s, ':');
    /* "opencl:0.0" has a colon of its own: a chunk index is digits only */
    int has_k =
        colon != NULL && colon[1] != '\0' && strspn(colon + 1, "0123456789") == strlen(colon + 1);
    size_t n = has_k ? (size_t)(colon - s) : strlen(s);
    if (strlen(worker) != n || strncmp(worker, s, n) != 0)
        return 0;
    return !has_k || strtoull(colon + 1, NULL, 10) == chunk ? 1 : 0;
}

void mcpi_fault_chunk_delay(void)
{
    static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
    static unsigned long long state = 0x243F6A8885A308D3ull;
    const char *s = env("MCPI_TEST_CHUNK_DELAY_MS");
    if (s == NULL)
        return;
    pthread_mutex_lock(&mu);
    state =
        state * 6364136223846793005ull + (unsigned long long)time(NULL) + 1442695040888963407ull;
    unsigned long long r = state >> 33;
    pthread_mutex_unlock(&mu);
    long max_ms = atol(s);
    if (max_ms <= 0)
        return;
    long us = (long)(r % (unsigned long long)(max_ms * 1000 + 1));
    struct timespec ts = {us / 1000000, (us % 1000000) * 1000};
    nanosleep(&ts, NULL);
}

uint64_t mcpi_fault_fixed_chunk(void)
{
    const char *s = env("MCPI_TEST_CHUNK");
    return s != NULL ? strtoull(s, NULL, 10) : 0;
}

int mcpi_fault_verify_seed(uint64_t *seed)
{
    const char *s = env("MCPI_TEST_VERIFY_SEED");
    if (s == NULL)
        return 0;
    *seed = strtoull(s, NULL, 0);
    return 1;
}

int mcpi_fault_rank_rate(int rank, double *rate)
{
    const char *s = env("MCPI_TEST_RATES");
    for (int k = 0; s != NULL; ++k) {
        if (k == rank) {
            *rate = strtod(s, NULL);
            return *rate > 0;
        }
        s = strchr(s, ',');
        s = s ? s + 1 : NULL;
    }
    return 0;
}

int mcpi_fault_cl(const char *fn)
{
    static unsigned long calls; /* of the call named, this process */
    const char *s = env("MCPI_TEST_CL_FAIL");
    if (s == NULL)
        return 0;
    size_t n = strcspn(s, ":");
    if (strlen(fn) != n || strncmp(fn, s, n) != 0)
        return 0;
    unsigned long k = __atomic_add_fetch(&calls, 1, __ATOMIC_RELAXED);
    return s[n] != ':' || strtoul(s + n + 1, NULL, 10) == k;
}
