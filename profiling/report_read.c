/* report_read.c - a JSON run report read back into records (mcpi merge,
 * mcpi compare): the inverse of report_json.c for the fields a record
 * needs to be reported again. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_read.h"
#include "mcpi_profile.h"

static int get_str(const mcpi_json *o, const char *key, char *out, size_t cap)
{
    const mcpi_json *v = mcpi_json_get(o, key);
    if (v == NULL || v->type != MCPI_JSON_STRING)
        return -1;
    snprintf(out, cap, "%s", v->text);
    return 0;
}

static int get_u64(const mcpi_json *o, const char *key, uint64_t *out)
{
    return mcpi_json_u64(mcpi_json_get(o, key), out);
}

/* A non-negative int64 that may be null (-1, "unknown"). */
static int64_t get_known(const mcpi_json *o, const char *key)
{
    uint64_t x;
    if (mcpi_json_u64(mcpi_json_get(o, key), &x) != 0 || x > INT64_MAX)
        return -1;
    return (int64_t)x;
}

/* The row's outcome: "ok", or the status_code and error of a failed row. */
static void read_status(const mcpi_json *o, const char *status, mcpi_record *r)
{
    if (strcmp(status, "ok") == 0)
        return;
    double code = NAN;
    r->status = MCPI_EBACKEND;
    if (mcpi_json_double(mcpi_json_get(o, "status_code"), &code) == 0 && code < 0 &&
        code >= INT32_MIN && code == floor(code))
        r->status = (int)code;
    get_str(o, "error", r->error, sizeof r->error);
}

static double get_double(const mcpi_json *o, const char *key)
{
    double d = 0;
    return mcpi_json_double(mcpi_json_get(o, key), &d) == 0 && !isnan(d) ? d : 0.0;
}

/* The row's workers (each one's share of the last pass) and what the
 * reference core verified, so that a merged row says them again. */
static void read_workers(const mcpi_json *o, mcpi_record *r)
{
    const mcpi_json *ws = mcpi_json_get(o, "workers");
    for (size_t i = 0;
         ws != NULL && ws->type == MCPI_JSON_ARRAY && i < ws->n && r->nworkers < MCPI_MAX_WORKERS;
         ++i) {
        const mcpi_json *w = &ws->items[i];
        mcpi_worker_record *k = &r->workers[r->nworkers];
        memset(k, 0, sizeof *k);
        if (get_str(w, "name", k->name, sizeof k->name) != 0)
            continue;
        get_str(w, "device", k->device, sizeof k->device);
        get_u64(w, "samples", &k->samples);
        get_u64(w, "hits", &k->hits);
        get_u64(w, "chunks", &k->chunks);
        get_u64(w, "verified_chunks", &k->verified_chunks);
        get_u64(w, "verified_samples", &k->verified_samples);
        k->busy_s = get_double(w, "busy_s");
        k->idle_s = get_double(w, "idle_s");
        r->nworkers++;
    }
    const mcpi_json *v = mcpi_json_get(o, "verify");
    char mode[16];
    if (v == NULL || get_str(v, "mode", mode, sizeof mode) != 0)
        return;
    static const mcpi_verify_mode modes[] = {MCPI_VERIFY_SAMPLE, MCPI_VERIFY_OFF, MCPI_VERIFY_FULL};
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; ++i)
        if (strcmp(mode, mcpi_verify_name(modes[i])) == 0)
            r->verify = modes[i];
    get_u64(v, "chunks", &r->verified_chunks);
    get_u64(v, "samples", &r->verified_samples);
    r->verify_s = get_double(v, "seconds");
}

/* Times (every repeat, so a row's statistics are its own), phases, memory. */
static int read_costs(const mcpi_json *o, mcpi_record *r, char *why, size_t wlen)
{
    const mcpi_json *reps = mcpi_json_get(mcpi_json_get(o, "time_s"), "repeats");
    for (size_t i = 0;
         reps != NULL && reps->type == MCPI_JSON_ARRAY && i < reps->n && i < MCPI_MAX_REPEAT; ++i) {
        double d;
        if (mcpi_json_double(&reps->items[i], &d) != 0) {
            snprintf(why, wlen, "row '%s': time_s.repeats holds a non-number", r->name);
            return -1;
        }
        r->repeat_s[r->repeats++] = d;
    }
    const mcpi_json *ph = mcpi_json_get(o, "phases");
    for (int p = 0; p < MCPI_PHASE_COUNT; ++p) {
        double d;
        const mcpi_json *v = mcpi_json_get(ph, mcpi_phase_name((mcpi_phase)p));
        if (v != NULL && mcpi_json_double(v, &d) == 0 && !isnan(d))
            mcpi_phases_add(&r->phases, (mcpi_phase)p, d);
    }
    const mcpi_json *mem = mcpi_json_get(o, "memory");
    r->host_peak_bytes = get_known(mem, "host_peak_bytes");
    r->host_growth_bytes = get_known(mem, "host_growth_bytes");
    r->device_bytes = get_known(mem, "device_bytes");
    r->device_mem_bytes = get_known(mem, "device_mem_bytes");
    read_workers(o, r);
    return 0;
}

/* Fills r from one results[] object.  The reason in why on failure. */
static int row_from_json(const mcpi_json *o, mcpi_record *r, char *why, size_t wlen)
{
    mcpi_record_init(r);
    const mcpi_json *range = mcpi_json_get(o, "range");
    const mcpi_json *exact = mcpi_json_get(o, "exact");
    uint64_t ranks = 1, threads = 0;
    char status[16];
    if (get_str(o, "name", r->name, sizeof r->name) != 0 ||
        get_str(o, "backend", r->backend, sizeof r->backend) != 0 ||
        get_u64(o, "seed", &r->seed) != 0 || get_u64(range, "begin", &r->begin) != 0 ||
        get_u64(range, "end", &r->end) != 0 || get_u64(o, "samples", &r->samples) != 0 ||
        get_u64(o, "hits", &r->hits) != 0 || exact == NULL || exact->type != MCPI_JSON_BOOL ||
        get_str(o, "status", status, sizeof status) != 0) {
        snprintf(why, wlen,
                 "a results[] row lacks name, backend, exact, seed, range, samples, "
                 "hits or status (not an mcpi JSON report?)");
        return -1;
    }
    r->exact = exact->boolean;
    read_status(o, status, r);
    if (r->begin >= r->end || r->samples != r->end - r->begin || r->hits > r->samples) {
        snprintf(why, wlen,
                 "row '%s' is inconsistent (need begin < end, samples = end - "
                 "begin, hits <= samples)",
                 r->name);
        return -1;
    }
    get_str(o, "device", r->device, sizeof r->device);
    get_str(o, "hostname", r->hostname, sizeof r->hostname);
    if (get_u64(o, "ranks", &ranks) == 0 && ranks <= INT32_MAX)
        r->ranks = (int)ranks;
    if (get_u64(o, "threads", &threads) == 0 && threads <= UINT32_MAX)
        r->threads = (unsigned)threads;
    return read_costs(o, r, why, wlen);
}

/* What another mcpi document is, by its key of its own; NULL for none. */
static const char *other_document(const mcpi_json *root)
{
    static const struct {
        const char *key, *what;
    } kinds[] = {{"sweep", "a sweep (mcpi sweep)"},
                 {"scale", "a scaling study (mcpi scale)"},
                 {"compare", "a comparison (mcpi compare)"},
                 {"reference_samples_per_s", "a calibration (mcpi calibrate)"},
                 {"backends", "a device listing (mcpi devices)"}};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; ++i)
        if (mcpi_json_get(root, kinds[i].key) != NULL)
            return kinds[i].what;
    return NULL;
}

/* The document's own fields and every row. */
static int read_doc(const mcpi_json *root, mcpi_report_doc *doc, char *why, size_t wlen)
{
    const mcpi_json *cfg = mcpi_json_get(root, "config");
    const mcpi_json *results = mcpi_json_get(root, "results");
    const mcpi_json *pr = mcpi_json_get(cfg, "peak_resettable");
    uint64_t ranks = 1;
    if (get_str(root, "version", doc->version, sizeof doc->version) != 0 ||
        get_u64(cfg, "seed", &doc->seed) != 0 || results == NULL ||
        results->type != MCPI_JSON_ARRAY) {
        const char *other = other_document(root);
        if (other != NULL)
            snprintf(why, wlen,
                     "%s, not an mcpi JSON run report (needs results[]: write one with "
                     "mcpi --format json, or mcpi merge)",
                     other);
        else
            snprintf(why, wlen,
                     "not an mcpi JSON report (needs version, config.seed and results; "
                     "write it with --format json)");
        return MCPI_EINVAL;
    }
    if (get_u64(cfg, "ranks", &ranks) == 0 && ranks <= INT32_MAX)
        doc->ranks = (int)ranks;
    doc->peak_resettable = pr != NULL && pr->type == MCPI_JSON_BOOL && pr->boolean;
    if (results->n == 0)
        return MCPI_OK;
    doc->rows = calloc(results->n, sizeof *doc->rows);
    if (doc->rows == NULL)
        return MCPI_ENOMEM;
    for (size_t i = 0; i < results->n; ++i) {
        if (row_from_json(&results->items[i], &doc->rows[i], why, wlen) != 0)
            return MCPI_EINVAL;
        doc->nrows++;
    }
    return MCPI_OK;
}

/* The report's checksum (MCPI_REPORT_CHECKSUM_KEY): 1 when it has one and
 * it matches, 0 when it has none, -1 (why written) when it does not match
 * or is not where mcpi writes it. */
static int checksum_state(const char *text, size_t len, const mcpi_json *root, char *why,
                          size_t whylen)
{
    if (mcpi_json_get(root, "checksum") == NULL)
        return 0;
    static const char key[] = MCPI_REPORT_CHECKSUM_KEY, end[] = "\"\n}\n";
    size_t klen = sizeof key - 1, tail = klen + 16 + sizeof end - 1;
    const char *at = len >= tail ? text + len - tail : NULL;
    uint64_t want = 0;
    int laid_out = at != NULL && memcmp(at, key, klen) == 0 &&
                   memcmp(at + klen + 16, end, sizeof end - 1) == 0;
    for (size_t i = 0; laid_out && i < 16; i++) {
        char c = at[klen + i];
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
        laid_out = d >= 0;
        want = want << 4 | (uint64_t)(d & 15);
    }
    if (!laid_out) {
        snprintf(why, whylen,
                 "its checksum is not where mcpi writes it (the last member, as mcpi laid "
                 "the file out): the file was reformatted or edited");
        return -1;
    }
    if (mcpi_fnv1a(MCPI_FNV_OFFSET, text, (size_t)(at - text)) != want) {
        snprintf(why, whylen,
                 "its checksum does not match its content: the file was changed after mcpi "
                 "wrote it");
        return -1;
    }
    return 1;
}

int mcpi_report_read_json(const char *text, size_t len, mcpi_report_doc *doc, char *why,
                          size_t whylen)
{
    memset(doc, 0, sizeof *doc);
    doc->ranks = 1;
    mcpi_json *root = NULL;
    char what[MCPI_ERROR_LEN] = "";
    int rc = mcpi_json_parse(text, len, &root, what, sizeof what);
    if (rc == MCPI_ENOMEM)
        return rc;
    if (rc != MCPI_OK) {
        snprintf(why, whylen, "not valid JSON (%.180s)", what);
        return MCPI_EINVAL;
    }
    rc = read_doc(root, doc, why, whylen);
    if (rc == MCPI_OK) { /* the shape first: its errors say more than a checksum's */
        int state = checksum_state(text, len, root, why, whylen);
        rc = state < 0 ? MCPI_EINVAL : MCPI_OK;
        doc->checksummed = state > 0;
    }
    mcpi_json_free(root);
    if (rc != MCPI_OK)
        mcpi_report_doc_free(doc);
    return rc;
}

void mcpi_report_doc_free(mcpi_report_doc *doc)
{
    if (doc == NULL)
        return;
    free(doc->rows);
    doc->rows = NULL;
    doc->nrows = 0;
}
