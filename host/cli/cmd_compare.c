/* cmd_compare.c - mcpi compare A.json B.json [C.json ...]: every later run
 * set against the first (the baseline), row by row (the analysis and the
 * writers are the records layer's: mcpi_profile.h, "comparing runs").
 *
 * Inputs are JSON run reports (mcpi --format json) and merge reports; any
 * other file (a sweep, a scaling study, a comparison, garbage, a directory,
 * a missing file) is refused with one line naming it, exit 2, before
 * anything is written.  After the report (to stdout or -o), stderr says
 * what must not be missed, and the exit code follows:
 * - two exact rows over the same samples (seed and range) whose hits differ
 *   are a wrong number: a loud line each, exit 1;
 * - --fail-if-slower PCT: a row whose ratio minus its uncertainty is above
 *   1 + PCT/100 with a significant verdict trips the gate, exit 1;
 * - rows with too few repeats for the rank test: one warning (unless -q),
 *   naming the -r that would do. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* What a wrong number and a tripped gate return: exit 1, the code of a run
 * whose result cannot be accepted (README "Exit codes"). */
#define COMPARE_FAILED MCPI_EBACKEND

typedef struct compare_ctx {
    mcpi_format format;
    const mcpi_compare *cmp;
} compare_ctx;

/* One line "mcpi: compare: FILE: what" in err; MCPI_EINVAL. */
static int bad(char *err, size_t errlen, const char *file, const char *what)
{
    mcpi_set_error(err, errlen, "compare: %s: %s", file, what);
    return MCPI_EINVAL;
}

/* Reads one report into doc and describes it in run.  MCPI_EINVAL (one line
 * naming the file), MCPI_ENOMEM. */
static int load_run(const char *file, mcpi_report_doc *doc, mcpi_compare_run *run, char *err,
                    size_t errlen)
{
    int rc = mcpi_cli_read_report("compare", file, doc, err, errlen);
    if (rc != MCPI_OK)
        return rc;
    if (doc->nrows == 0)
        return bad(err, errlen, file, "has no result rows");
    run->file = file;
    run->version = doc->version;
    run->seed = doc->seed;
    run->rows = doc->rows;
    run->nrows = doc->nrows;
    return MCPI_OK;
}

static int write_compare(FILE *out, const void *ctx)
{
    const compare_ctx *x = ctx;
    return mcpi_compare_write(out, x->format, x->cmp);
}

/* A loud line for every wrong number. */
static void say_wrong_hits(const mcpi_compare *cmp)
{
    for (size_t k = 0; k < cmp->nblocks; k++)
        for (size_t i = 0; i < cmp->blocks[k].nrows; i++) {
            const mcpi_compare_row *r = &cmp->blocks[k].rows[i];
            if (!(r->flags & MCPI_CMP_WRONG_HITS))
                continue;
            fprintf(stderr,
                    "mcpi: compare: %s: WRONG NUMBER: row '%s' counted %" PRIu64
                    " hits, but %s counted %" PRIu64 " over the same samples (seed %" PRIu64
                    ", [%" PRIu64 ", %" PRIu64 ")): one of them miscounts\n",
                    cmp->blocks[k].run->file, r->b->name, r->b->hits, cmp->runs[0].file, r->a->hits,
                    r->a->seed, r->a->begin, r->a->end);
        }
}

/* Once, however many rows: the rank test cannot decide on them. */
static void warn_too_few(const mcpi_compare *cmp, int quiet)
{
    if (cmp->too_few == 0 || quiet)
        return;
    fprintf(stderr,
            "mcpi: compare: too few repeats to tell on %zu row%s: with fewer than %u repeats "
            "per side no outcome of the rank test reaches p < %g; use -r %u or more on both "
            "runs%s\n",
            cmp->too_few, cmp->too_few == 1 ? "" : "s", cmp->min_repeats, cmp->alpha,
            cmp->min_repeats, cmp->gate ? " (--fail-if-slower cannot trip on those rows)" : "");
}

static void say_gate(const mcpi_compare *cmp)
{
    const mcpi_compare_row *first = NULL;
    const char *file = NULL;
    for (size_t k = 0; k < cmp->nblocks && first == NULL; k++)
        for (size_t i = 0; i < cmp->blocks[k].nrows && first == NULL; i++)
            if (cmp->blocks[k].rows[i].slower) {
                first = &cmp->blocks[k].rows[i];
                file = cmp->blocks[k].run->file;
            }
    if (first == NULL)
        return;
    fprintf(stderr,
            "mcpi: compare: --fail-if-slower %g: %zu row%s slower by more than %g%% beyond the "
            "uncertainty, significantly (first: '%s' in %s, %.3f ± %.3f times the baseline's "
            "time)\n",
            cmp->gate_pct, cmp->slower_rows, cmp->slower_rows == 1 ? "" : "s", cmp->gate_pct,
            first->b->name, file, first->ratio, first->ratio_u);
}

/* Analyses the loaded runs, writes the report, says what stderr must. */
static int compare_runs(const mcpi_cli *c, const mcpi_compare_run *runs, char *err, size_t errlen)
{
    mcpi_compare cmp;
    memset(&cmp, 0, sizeof cmp);
    cmp.version = MCPI_VERSION_STRING;
    cmp.runs = runs;
    cmp.nruns = (size_t)c->nfiles;
    cmp.alpha = c->has_alpha ? c->alpha : MCPI_COMPARE_ALPHA;
    cmp.gate = c->has_fail_if_slower;
    cmp.gate_pct = c->fail_if_slower;
    int rc = mcpi_compare_analyse(&cmp);
    if (rc == MCPI_EINVAL)
        bad(err, errlen, runs[cmp.bad_run].file, cmp.why);
    else if (rc != MCPI_OK)
        mcpi_set_error(err, errlen, "compare: out of memory");
    if (rc != MCPI_OK) {
        mcpi_compare_free(&cmp);
        return rc;
    }
    say_wrong_hits(&cmp);
    warn_too_few(&cmp, c->cfg.quiet);
    compare_ctx ctx = {c->cfg.format, &cmp};
    rc = mcpi_cli_emit(&c->cfg, write_compare, &ctx);
    if (rc == MCPI_OK)
        say_gate(&cmp);
    if (rc == MCPI_OK && (cmp.wrong_hits > 0 || cmp.slower_rows > 0))
        rc = COMPARE_FAILED;
    mcpi_compare_free(&cmp);
    return rc;
}

/* Rank 0's work: check, read every file, compare, emit. */
static int compare_main(const mcpi_cli *c)
{
    char err[MCPI_ERROR_LEN] = "";
    int n = c->nfiles, loaded = 0;
    mcpi_report_doc *docs = calloc((size_t)n, sizeof *docs);
    mcpi_compare_run *runs = calloc((size_t)n, sizeof *runs);
    int rc = docs != NULL && runs != NULL ? MCPI_OK : MCPI_ENOMEM;
    if (rc != MCPI_OK)
        mcpi_set_error(err, sizeof err, "compare: out of memory");
    for (; rc == MCPI_OK && loaded < n; ++loaded)
        rc = load_run(c->files[loaded], &docs[loaded], &runs[loaded], err, sizeof err);
    if (rc == MCPI_OK) {
        int *verified = calloc((size_t)n, sizeof *verified);
        for (int i = 0; verified != NULL && i < n; ++i)
            verified[i] = docs[i].checksummed;
        if (verified != NULL)
            mcpi_cli_unverified_note(c, "compare", c->files, verified, n);
        free(verified);
        rc = compare_runs(c, runs, err, sizeof err);
    }
    if (err[0] != '\0')
        fprintf(stderr, "%s\n", err);
    for (int i = 0; docs != NULL && i < n; ++i)
        mcpi_report_doc_free(&docs[i]);
    free(docs);
    free(runs);
    return rc;
}

int mcpi_cmd_compare(mcpi_cli *c, mcpi_comm *comm)
{
    return mcpi_agree(comm, comm->rank == 0 ? compare_main(c) : MCPI_OK);
}
