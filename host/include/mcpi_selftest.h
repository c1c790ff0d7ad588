/* mcpi_selftest.h - `mcpi selftest`: what a site runs on a new node or after
 * a driver update (engine layer; the records and writers are in
 * mcpi_selftest_report.h).
 *
 * Every selected device (one worker each) is opened as the runner opens a
 * row's worker and counted through the scheduler's one-chunk path
 * (mcpi_sched_count_once), and runs four checks:
 *   1. known answers: the 13 Philox4x32-10 vectors of Random123 (the table
 *      of mcpi_selftest_kat, built from tests/data/philox4x32_10_kat.txt)
 *      through the device's philox op, or, for a backend without one (the
 *      CPU backends), through the host core it counts with;
 *   2. hit counts: DESIGN section 1's five known counts;
 *   3. geometry: the device reopened with each of its knobs (OpenCL:
 *      work-group 1, 7 and the kernel's maximum, --per-item 1,
 *      --launch-samples 37, the scalar kernel path; threads: 1, 2, 3
 *      threads; simd: every instruction set), each counting ranges with an
 *      odd begin, an odd end, one across 2^33 and one ending at 2^64-1,
 *      compared exactly with the reference core (mcpi_count_range); a
 *      backend without knobs (serial) is n/a;
 *   4. statistics: 32 seeds' hits (each also recounted by the reference
 *      core) held to the bounds of MCPI_SELFTEST_SEEDS.
 * In test builds (MCPI_TEST_HOOKS) MCPI_TEST_MISCOUNT=ID[:K] makes device ID
 * miscount its counts here as it does in the scheduler.
 *
 * Error convention: as in mcpi.h. */
#ifndef MCPI_SELFTEST_H
#define MCPI_SELFTEST_H

#include <stddef.h>
#include <stdint.h>

#include "mcpi.h"
#include "mcpi_selftest_report.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One Philox4x32-10 known answer: counter and key in, the four words out. */
typedef struct mcpi_philox_kat {
    uint32_t ctr[4], key[2], out[4];
} mcpi_philox_kat;

/* The known answers check 1 runs (*n gets their number, 13). */
const mcpi_philox_kat *mcpi_selftest_kat(size_t *n);

/* Checks a --backend list for mcpi selftest without touching any device:
 * mcpi_selection_check's syntax, and one worker per row: no A+B rows, node,
 * auto, or naive (off the exact stream).  0 or MCPI_EINVAL naming
 * --backend. */
int mcpi_selftest_check_backends(const char *list, char *err, size_t errlen);

/* The devices cfg->backends selects ("" = all: every exact backend's
 * devices, one each), as mcpi_selection_resolve resolves them, into
 * targets[MCPI_MAX_TARGETS].  0, MCPI_EINVAL, or MCPI_EUNAVAIL naming what
 * is available (err). */
int mcpi_selftest_select(const mcpi_config *cfg, mcpi_target *targets, size_t *n, char *err,
                         size_t errlen);

/* Runs the four checks on target t (one worker) with cfg's seed, cache and
 * hooks, into *out.  A device that fails a check, or cannot be opened, is
 * recorded as failed (out->passed 0); that is not an error.  0, or
 * MCPI_ENOMEM (err says for what). */
int mcpi_selftest_device_run(const mcpi_config *cfg, const mcpi_target *t,
                             mcpi_selftest_device *out, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif
#endif /* MCPI_SELFTEST_H */
