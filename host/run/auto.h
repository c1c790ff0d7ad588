/* auto.h (private to the engine) - `--backend auto`: pick the backend expected to
 * be fastest for this N from a small model per candidate,
 *     time(n) = startup_s + n / samples_per_s,
 * fitted from two timed sizes by a quick probe (or injected by tests), and
 * cached: one file per machine, candidate set and settings in the cache
 * directory, so the probe runs once (and again on `mcpi calibrate`). */
#ifndef MCPI_AUTO_H
#define MCPI_AUTO_H

#include <stddef.h>
#include <stdint.h>

#include "mcpi.h"

/* Probe sizes: small enough that the whole probe of every CPU backend takes
 * a few tens of milliseconds, large enough to see each one's throughput. */
#define MCPI_AUTO_PROBE_SMALL (1ull << 12)
#define MCPI_AUTO_PROBE_LARGE (1ull << 24)

typedef struct mcpi_auto_entry {
    char name[MCPI_NAME_LEN]; /* the candidate's row name ("threads", "opencl:0.0") */
    double startup_s;         /* fixed cost of one count, >= 0 */
    double samples_per_s;     /* throughput, > 0 */
} mcpi_auto_entry;

typedef struct mcpi_auto_model {
    mcpi_auto_entry e[MCPI_MAX_TARGETS];
    size_t n;
} mcpi_auto_model;

/* Predicted seconds for n samples. */
double mcpi_auto_predict(const mcpi_auto_entry *e, uint64_t n);
/* Index of the entry predicted fastest for n (the first on ties); the
 * model must have at least one entry. */
size_t mcpi_auto_choose(const mcpi_auto_model *m, uint64_t n);
/* Fits startup and throughput through (n1, t1) and (n2, t2), n1 < n2.
 * A non-increasing time gives the large point's rate and zero startup. */
void mcpi_auto_fit(mcpi_auto_entry *e, uint64_t n1, double t1, uint64_t n2, double t2);
/* Opens each target, times counts of the two probe sizes (best of 3), closes
 * it and fits its entry.  A target that fails to open or count is left out
 * (with its reason in err, which is only informative).  MCPI_EUNAVAIL when
 * no candidate could be probed. */
int mcpi_auto_probe(const mcpi_target *t, size_t n, const mcpi_config *cfg, mcpi_auto_model *m,
                    char *err, size_t errlen);
/* One line explaining a choice: "auto chose threads for N=...: predicted
 * 1.2 ms (simd 2.3 ms, serial 9.1 ms, ...)". */
void mcpi_auto_explain(const mcpi_auto_model *m, size_t chosen, uint64_t n, char *buf, size_t len);

/* ---- the model cache ------------------------------------------------------ */

/* Where a model came from. */
typedef enum { MCPI_AUTO_PROBED, MCPI_AUTO_CACHED } mcpi_auto_source;

/* The key of the model for these candidates on this host: mcpi's version,
 * the host name, each candidate's row name and device, and the settings that
 * change a backend's speed (threads, ranks per node, ISA, OpenCL tuning). */
uint64_t mcpi_auto_key(const mcpi_target *t, size_t n, const mcpi_config *cfg);
/* Writes m to path (atomically, text: a header, the key, one line per
 * entry, a checksum).  0 or an MCPI_E* code with the reason in err. */
int mcpi_auto_save(const char *path, uint64_t key, const mcpi_auto_model *m, char *err,
                   size_t errlen);
/* Reads path: 0 when it holds a valid model with this key whose entries
 * are, in order, the names[0..n); MCPI_EUNAVAIL when there is no file;
 * MCPI_EIO when the file is corrupt, truncated or for other candidates (err
 * says which). */
int mcpi_auto_load(const char *path, uint64_t key, const char *const *names, size_t n,
                   mcpi_auto_model *m, char *err, size_t errlen);
/* The model for these candidates: the cached one unless cfg->no_cache or
 * refresh, else probed now and saved (unless cfg->no_cache).  A cache that
 * cannot be read or written never fails: a corrupt entry is reported on
 * stderr (unless cfg->quiet) and replaced.  *source says which. */
int mcpi_auto_model_get(const mcpi_target *t, size_t n, const mcpi_config *cfg, int refresh,
                        mcpi_auto_model *m, mcpi_auto_source *source, char *err, size_t errlen);

#endif /* MCPI_AUTO_H */
