/* consumer.c - a program built against an installed mcpi, the way README's
 * "Using the library" says (tests/install.cmake builds it with the CMake
 * package and with pkg-config).  Exits 0 when the header-only core and the
 * library both give DESIGN's known answers. */
#include <mcpi/mcpi.h>
#include <mcpi/mcpi_core.h>
/* The bare form works too (the headers include each other by bare name). */
#include <mcpi_profile.h>

#include <stdio.h>

static int check(const char *what, unsigned long long got, unsigned long long want)
{
    if (got == want)
        return 0;
    fprintf(stderr, "consumer: %s: %llu hits, expected %llu\n", what, got, want);
    return 1;
}

/* One timed pass of the serial backend through the library's runner. */
static int run_serial(unsigned long long *hits)
{
    static mcpi_target targets[MCPI_MAX_TARGETS];
    static mcpi_record mine, job;
    char err[MCPI_ERROR_LEN];
    size_t n = 0;
    mcpi_config cfg;
    mcpi_config_default(&cfg);
    cfg.samples = 1000;
    cfg.seed = 0;
    cfg.repeat = 1;
    cfg.warmup = 0;
    cfg.quiet = 1;
    int rc = mcpi_config_validate(&cfg, err, sizeof err);
    if (rc == MCPI_OK)
        rc = mcpi_selection_resolve("serial", targets, MCPI_MAX_TARGETS, &n, err, sizeof err);
    if (rc != MCPI_OK || n != 1) {
        fprintf(stderr, "consumer: %s (%s)\n", err, mcpi_strerror(rc));
        return 1;
    }
    mcpi_comm comm;
    mcpi_comm_self(&comm);
    rc = mcpi_run_target(&cfg, &targets[0], &comm, &mine, &job, NULL);
    if (rc != MCPI_OK) {
        fprintf(stderr, "consumer: serial run: %s (%s)\n", job.error, mcpi_strerror(rc));
        return 1;
    }
    *hits = job.hits;
    return 0;
}

int main(void)
{
    int bad = 0;
    unsigned long long hits = 0;
    bad += check("seed 42, N=10^6", mcpi_count_range(42, 0, 1000000), 785856);
    bad += check("seed 0, [8589934092, 8589935092)",
                 mcpi_count_range(0, 8589934092ull, 8589935092ull), 784);
    bad += run_serial(&hits) || check("serial backend, seed 0, N=1000", hits, 783);
#ifdef MCPI_WITH_OPENCL
    const int with_opencl = 1;
#else
    const int with_opencl = 0;
#endif
#ifdef MCPI_WITH_MPI
    const int with_mpi = 1;
#else
    const int with_mpi = 0;
#endif
    printf("consumer: %s mcpi %s opencl=%d mpi=%d\n", bad ? "FAILED" : "ok", MCPI_VERSION_STRING,
           with_opencl, with_mpi);
    return bad ? 1 : 0;
}
