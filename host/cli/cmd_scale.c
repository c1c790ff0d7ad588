/* cmd_scale.c - mcpi scale: one row counted at several worker counts, with
 * speedup, efficiency, the Karp-Flatt fraction and a fitted law per study
 * (the analysis and the writers are the records layer's: mcpi_profile.h).
 *
 * Over threads every rank counts each point with t threads.  Over ranks the
 * job is split once per point: the first p ranks count the row on a
 * sub-communicator of their own while the others wait, so a whole study is
 * one batch job.  Strong scaling keeps N; weak scaling counts p * N at p.
 * The worker counts come from the arguments (and, for the default thread
 * list, rank 0's usable cores broadcast), so every rank walks the same
 * points and makes the same collective calls; only rank 0 keeps rows. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* The row a study counts when -b is not given. */
#define SCALE_ROW_THREADS "threads"
#define SCALE_ROW_RANKS "serial"

typedef struct scale_state {
    mcpi_scale_over over;
    mcpi_scale_kind kind;
    unsigned p[MCPI_SCALE_MAX_POINTS]; /* worker counts, increasing */
    size_t np;
    mcpi_record *rows;      /* np job rows (rank 0); one scratch record elsewhere */
    mcpi_record *rank_rows; /* np x size rank rows (rank 0) */
    mcpi_scale_point points[MCPI_SCALE_MAX_POINTS];
} scale_state;

/* 1, 2, 4, ... below max, then max itself. */
static size_t powers_up_to(unsigned max, unsigned *out)
{
    size_t n = 0;
    for (unsigned v = 1; v < max && n + 1 < MCPI_SCALE_MAX_POINTS; v *= 2)
        out[n++] = v;
    out[n++] = max;
    return n;
}

/* The worker counts: as given, or the default list (over threads up to
 * rank 0's usable cores, over ranks up to the job's size). */
static int worker_counts(scale_state *s, const mcpi_cli *c, mcpi_comm *comm)
{
    if (s->over == MCPI_SCALE_RANKS) {
        s->np = c->nranks_list;
        memcpy(s->p, c->ranks_list, s->np * sizeof *s->p);
        for (size_t i = 0; i < s->np; ++i)
            if (s->p[i] > (unsigned)comm->size) {
                if (comm->rank == 0)
                    fprintf(stderr,
                            "mcpi: --ranks: %u is more than this job's %d rank%s (start it with "
                            "mpirun -n %u or more)\n",
                            s->p[i], comm->size, comm->size == 1 ? "" : "s", s->p[i]);
                return MCPI_EINVAL;
            }
        return MCPI_OK;
    }
    if (c->nthreads_list > 0) {
        s->np = c->nthreads_list;
        memcpy(s->p, c->threads_list, s->np * sizeof *s->p);
        return MCPI_OK;
    }
    uint64_t cores = comm->rank == 0 ? mcpi_cpu_usable() : 0;
    int rc = comm->sum_u64(comm, &cores, 1);
    if (rc != MCPI_OK)
        comm->abort(comm, mcpi_exit_code(MCPI_EMPI));
    s->np = powers_up_to(cores > MCPI_MAX_THREADS ? MCPI_MAX_THREADS : (unsigned)cores, s->p);
    return MCPI_OK;
}

/* The one row of the study; over threads it must have the threads worker. */
static int scale_row(const scale_state *s, mcpi_config *cfg, mcpi_comm *comm, mcpi_target *row)
{
    mcpi_target targets[MCPI_MAX_TARGETS];
    size_t n = 0;
    int rc = mcpi_cli_select(cfg, comm, targets, &n);
    if (rc != MCPI_OK)
        return rc;
    if (n != 1) {
        if (comm->rank == 0)
            fprintf(stderr,
                    "mcpi: scale: -b/--backend: one row is scaled, '%s' gives %zu (e.g. -b "
                    "threads, -b threads+opencl:0.0)\n",
                    cfg->backends, n);
        return MCPI_EINVAL;
    }
    int has_threads = 0;
    for (size_t i = 0; i < targets[0].nworkers; ++i)
        has_threads |= strcmp(targets[0].workers[i].backend->name, "threads") == 0;
    if (s->over == MCPI_SCALE_THREADS && !has_threads) {
        if (comm->rank == 0)
            fprintf(stderr,
                    "mcpi: scale: --threads: the row '%s' has no threads worker to scale; use "
                    "-b threads (or a row with threads), or --ranks under mpirun\n",
                    targets[0].name);
        return MCPI_EINVAL;
    }
    *row = targets[0];
    return MCPI_OK;
}

/* Checks what a study cannot take, before any work. */
static int refuse(const mcpi_cli *c, const scale_state *s, const mcpi_comm *comm)
{
    const mcpi_config *cfg = &c->cfg;
    const char *why = NULL;
    if (cfg->has_range)
        why = "--range: not accepted by scale (each point counts [0, N))";
    else if (cfg->checkpoint != NULL || cfg->resume != NULL)
        why = "--checkpoint/--resume: not accepted by scale (a study is many short runs)";
    else if (s->kind == MCPI_SCALE_WEAK && cfg->samples > UINT64_MAX / s->p[s->np - 1])
        why = "--weak: -n times the largest worker count is above 2^64-1 samples";
    if (why != NULL && comm->rank == 0)
        fprintf(stderr, "mcpi: %s\n", why);
    return why != NULL ? MCPI_EINVAL : MCPI_OK;
}

static void scale_free(scale_state *s)
{
    free(s->rows);
    free(s->rank_rows);
}

static int scale_alloc(scale_state *s, mcpi_comm *comm)
{
    size_t size = (size_t)comm->size;
    s->rows = calloc(comm->rank == 0 ? s->np : 1, sizeof *s->rows);
    s->rank_rows = comm->rank == 0 ? calloc(s->np * size, sizeof *s->rank_rows) : NULL;
    int nomem = s->rows == NULL || (comm->rank == 0 && s->rank_rows == NULL);
    if (nomem)
        fprintf(stderr, "mcpi: scale: out of memory for %zu points x %zu ranks\n", s->np, size);
    return mcpi_agree(comm, nomem ? MCPI_ENOMEM : MCPI_OK);
}

/* Point k over ranks: the first p ranks count it on a communicator of their
 * own; the others wait.  The status, agreed by the whole job. */
static int point_on_ranks(scale_state *s, size_t k, const mcpi_config *cfg, const mcpi_target *row,
                          mcpi_comm *comm)
{
    mcpi_comm sub;
    int member = comm->rank < (int)s->p[k];
    int rc = comm->split(comm, member ? 0 : MCPI_COMM_NO_COLOR, &sub);
    rc = mcpi_agree(comm, rc);
    if (rc != MCPI_OK) {
        mcpi_cli_say(comm, comm->error);
        if (member)
            comm->release(&sub);
        return rc;
    }
    int st = INT_MAX; /* neutral in the agreement below */
    if (member) {
        mcpi_record *rows = comm->rank == 0 ? &s->rows[k] : s->rows;
        mcpi_record *rrows = comm->rank == 0 ? &s->rank_rows[k * (size_t)comm->size] : NULL;
        st = mcpi_cli_run_rows(cfg, row, 1, &sub, rows, rrows);
        comm->release(&sub);
    }
    /* The others sleep here, leaving their cores to the point's ranks. */
    rc = comm->idle_barrier(comm);
    if (rc != MCPI_OK)
        comm->abort(comm, mcpi_exit_code(rc));
    return mcpi_agree(comm, st);
}

/* Every point's row; the worst status. */
static int scale_run(scale_state *s, mcpi_config cfg, const mcpi_target *row, mcpi_comm *comm)
{
    uint64_t n = cfg.samples;
    int worst = MCPI_OK;
    for (size_t k = 0; k < s->np; ++k) {
        cfg.samples = s->kind == MCPI_SCALE_WEAK ? n * s->p[k] : n;
        if (s->over == MCPI_SCALE_THREADS)
            cfg.threads = s->p[k];
        if (comm->rank == 0 && !cfg.quiet)
            fprintf(stderr, "mcpi: scale: point %zu/%zu: %u %s%s, N=%llu\n", k + 1, s->np, s->p[k],
                    s->over == MCPI_SCALE_RANKS ? "rank" : "thread", s->p[k] == 1 ? "" : "s",
                    (unsigned long long)cfg.samples);
        int st;
        if (s->over == MCPI_SCALE_RANKS)
            st = point_on_ranks(s, k, &cfg, row, comm);
        else
            st = mcpi_cli_run_rows(&cfg, row, 1, comm, comm->rank == 0 ? &s->rows[k] : s->rows,
                                   comm->rank == 0 ? &s->rank_rows[k * (size_t)comm->size] : NULL);
        if (st < worst)
            worst = st;
        /* The study stops with the point: interrupted, or the row refused a
         * setting (bad input: one line, the other points would repeat it). */
        if (st == MCPI_EINTERRUPTED || st == MCPI_EINVAL)
            break;
    }
    return worst;
}

/* Distinct hostnames among n rank rows. */
static unsigned count_hosts(const mcpi_record *r, size_t n)
{
    unsigned hosts = 0;
    for (size_t i = 0; i < n; ++i) {
        size_t j = 0;
        while (j < i && strcmp(r[j].hostname, r[i].hostname) != 0)
            ++j;
        hosts += j == i;
    }
    return hosts;
}

/* Rank 0: the study's points.  Strong scaling counts one range at every
 * point, so the hits must be the same: a point that differs is reported
 * and fails the run. */
static int scale_points(scale_state *s, const mcpi_comm *comm)
{
    size_t size = (size_t)comm->size;
    int rc = MCPI_OK;
    const mcpi_record *first = NULL;
    for (size_t k = 0; k < s->np; ++k) {
        mcpi_scale_point *pt = &s->points[k];
        memset(pt, 0, sizeof *pt);
        pt->workers = s->p[k];
        pt->row = &s->rows[k];
        pt->ranks = &s->rank_rows[k * size];
        pt->nranks = s->over == MCPI_SCALE_RANKS ? s->p[k] : size;
        pt->hosts = count_hosts(pt->ranks, pt->nranks);
        if (pt->row->status != MCPI_OK || s->kind != MCPI_SCALE_STRONG)
            continue;
        if (first == NULL) {
            first = pt->row;
        } else if (pt->row->hits != first->hits) {
            fprintf(stderr,
                    "mcpi: scale: %u %s counted %llu hits, %u counted %llu, over the same "
                    "samples: one of them miscounts\n",
                    s->points[0].workers, mcpi_scale_over_name(s->over),
                    (unsigned long long)first->hits, pt->workers,
                    (unsigned long long)pt->row->hits);
            rc = MCPI_EBACKEND;
        }
    }
    return rc;
}

/* Rank 0: the analysed study, written. */
static int scale_report(scale_state *s, const mcpi_config *cfg, const mcpi_target *row,
                        const mcpi_comm *comm, const mcpi_calibration *cal)
{
    mcpi_scale sc;
    memset(&sc, 0, sizeof sc);
    sc.kind = s->kind;
    sc.over = s->over;
    sc.row = row->name;
    sc.samples = cfg->samples;
    sc.points = s->points;
    sc.npoints = s->np;
    if (mcpi_scale_analyse(&sc) != MCPI_OK)
        return MCPI_EINVAL;
    mcpi_report rep;
    memset(&rep, 0, sizeof rep);
    mcpi_cli_run_info(cfg, comm, &rep.info);
    rep.info.calibration = cal;
    rep.show_rank_rows = cfg->per_rank;
    rep.format = cfg->format;
    rep.scale = &sc;
    return mcpi_cli_emit_report(cfg, &rep);
}

int mcpi_cmd_scale(mcpi_cli *c, mcpi_comm *comm)
{
    mcpi_config cfg = c->cfg;
    scale_state s;
    memset(&s, 0, sizeof s);
    s.over = c->nranks_list > 0 ? MCPI_SCALE_RANKS : MCPI_SCALE_THREADS;
    s.kind = c->weak ? MCPI_SCALE_WEAK : MCPI_SCALE_STRONG;
    if (cfg.backends[0] == '\0')
        snprintf(cfg.backends, sizeof cfg.backends, "%s",
                 s.over == MCPI_SCALE_RANKS ? SCALE_ROW_RANKS : SCALE_ROW_THREADS);
    int rc = worker_counts(&s, c, comm);
    if (rc == MCPI_OK)
        rc = refuse(c, &s, comm);
    mcpi_calibration cal;
    int have_cal = 0;
    if (rc == MCPI_OK)
        rc = mcpi_cli_calibration(&cfg, comm, &cal, &have_cal);
    mcpi_target row;
    if (rc == MCPI_OK)
        rc = scale_row(&s, &cfg, comm, &row);
    if (rc == MCPI_OK)
        rc = scale_alloc(&s, comm);
    if (rc != MCPI_OK) {
        scale_free(&s);
        return rc;
    }
    rc = scale_run(&s, cfg, &row, comm);
    /* Bad input and an interrupted study write nothing (exit 2, exit 5). */
    if (comm->rank == 0 && rc != MCPI_EINVAL && rc != MCPI_EINTERRUPTED) {
        int prc = scale_points(&s, comm);
        int wrc = scale_report(&s, &cfg, &row, comm, have_cal ? &cal : NULL);
        if (rc == MCPI_OK)
            rc = prc != MCPI_OK ? prc : wrc;
    }
    scale_free(&s);
    return mcpi_agree(comm, rc);
}
