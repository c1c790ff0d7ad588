/* scheduler.c - one pass of a row through the scheduler (see scheduler.h): the
 * workers' loops, the ticks at which the ranks agree, the reference
 * recount of the verification chunks. */
#include "scheduler.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fault.h"
#include "mcpi_core.h"
#include "sched_ctx.h"

/* ---- the workers' loops ------------------------------------------------- */

void sched_fail(sched_ctx *x, int rc, const char *msg)
{
    if (x->status == MCPI_OK) {
        x->status = rc;
        snprintf(x->err, sizeof x->err, "%s", msg && msg[0] ? msg : mcpi_strerror(rc));
    }
    x->stop = 1;
}

/* A count above the samples counted is wrong whatever the stream: checked on
 * every count, verified or not (Oclgrind's vector path returns such counts at
 * some work-group sizes, nondeterministically, where sample verification's
 * small chunks may all be right). */
static int check_bound(const mcpi_worker *w, uint64_t seed, uint64_t begin, uint64_t end,
                       uint64_t hits, char *err, size_t errlen)
{
    if (hits <= end - begin)
        return MCPI_OK;
    snprintf(err, errlen,
             "mcpi: %s counted %" PRIu64 " hits over the %" PRIu64 " samples [%" PRIu64 ", %" PRIu64
             ") of seed %" PRIu64 ": more hits than samples, the device computes wrong results",
             w->dev.id, hits, end - begin, begin, end, seed);
    return MCPI_EBACKEND;
}

/* Counts one chunk on its worker (outside the mutex). */
static int count_chunk(sched_ctx *x, mcpi_chunk *c, mcpi_phases *ph, double *dt, char *err,
                       size_t errlen)
{
    mcpi_worker *w = &x->w[c->worker];
    unsigned flags = c->sample ? MCPI_COUNT_VERIFY : 0u;
    double t0 = mcpi_now();
    mcpi_fault_chunk_delay();
    int rc = w->backend->count(w->state, x->cfg->seed, c->begin, c->end, flags, &c->hits, ph,
                               w->rec, err, errlen);
    if (rc == MCPI_OK) {
        c->hits += mcpi_fault_miscount(w->dev.id, x->wp[c->worker].chunks);
        rc = check_bound(w, x->cfg->seed, c->begin, c->end, c->hits, err, errlen);
    }
    *dt = mcpi_now() - t0;
    return rc;
}

/* Books a counted chunk (under the mutex): the worker's figures, the done
 * list, the recount list, the rate for its next chunk. */
static void book_chunk(sched_ctx *x, const mcpi_chunk *c, const mcpi_phases *ph, double dt)
{
    mcpi_worker_pass *wp = &x->wp[c->worker];
    uint64_t n = c->end - c->begin;
    wp->samples += n;
    wp->hits += c->hits;
    wp->chunks += 1;
    wp->busy_s += dt;
    wp->finish_s = mcpi_now() - x->t0;
    for (int p = 0; p < MCPI_PHASE_COUNT; ++p)
        if (ph->mask & (1u << p))
            mcpi_phases_add(&wp->ph, (mcpi_phase)p, ph->s[p]);
    x->completed += n;
    x->hits += c->hits;
    if (mcpi_intervals_add(&x->wdone[c->worker], c->begin, c->end, c->hits) != MCPI_OK ||
        (c->recount && mcpi_chunks_push(&x->recount, c) != MCPI_OK))
        sched_fail(x, MCPI_ENOMEM, "mcpi: scheduler: out of memory");
    /* Short counts are dominated by fixed costs: they only raise a rate. */
    double rate = dt > 0 ? (double)n / dt : 0;
    mcpi_worker *w = &x->w[c->worker];
    if (rate > 0 && (dt >= 5e-3 || rate > w->rate || w->rate <= 0))
        w->rate = rate;
}

/* Worker k's loop: take a chunk, count it, book it, until none is left or
 * the pass stops.  on_chunk (worker 0 only) keeps the ticks. */
static void worker_loop(sched_ctx *x, size_t k, void (*on_chunk)(sched_ctx *x))
{
    char err[MCPI_ERROR_LEN] = "";
    for (;;) {
        mcpi_chunk c;
        pthread_mutex_lock(&x->mu);
        int have = !x->stop && mcpi_plan_next(&x->plan, x->w, x->nw, k, &c);
        pthread_mutex_unlock(&x->mu);
        if (!have)
            break;
        mcpi_phases ph;
        mcpi_phases_clear(&ph);
        double dt = 0;
        int rc = count_chunk(x, &c, &ph, &dt, err, sizeof err);
        pthread_mutex_lock(&x->mu);
        if (rc == MCPI_OK)
            book_chunk(x, &c, &ph, dt);
        else
            sched_fail(x, rc, err);
        pthread_mutex_unlock(&x->mu);
        if (on_chunk != NULL)
            on_chunk(x);
    }
    pthread_mutex_lock(&x->mu);
    --x->running;
    pthread_cond_broadcast(&x->cv);
    pthread_mutex_unlock(&x->mu);
}

/* ---- the crew: threads for workers 1..n-1, kept for the row's life ----- */

/* Creating threads in every pass would cost tens of microseconds a pass and
 * give each new thread a malloc arena and a stack of its own to touch, which
 * shows as memory growth across repeats.  The crew's threads wait for a
 * pass, run their worker's loop and wait again. */
struct mcpi_sched_crew {
    pthread_mutex_t mu;
    pthread_cond_t go;
    pthread_t tid[MCPI_MAX_WORKERS];
    size_t nthreads; /* started: workers 1..nthreads */
    unsigned long generation;
    sched_ctx *job; /* the pass of the current generation */
    int quit;
};

typedef struct crew_arg {
    mcpi_sched_crew *crew;
    size_t k;
} crew_arg;

static void *crew_thread(void *varg)
{
    crew_arg a = *(crew_arg *)varg;
    free(varg);
    unsigned long seen = 0;
    for (;;) {
        pthread_mutex_lock(&a.crew->mu);
        while (!a.crew->quit && a.crew->generation == seen)
            pthread_cond_wait(&a.crew->go, &a.crew->mu);
        int quit = a.crew->quit;
        seen = a.crew->generation;
        sched_ctx *x = a.crew->job;
        pthread_mutex_unlock(&a.crew->mu);
        if (quit)
            return NULL;
        if (a.k < x->nw)
            worker_loop(x, a.k, NULL);
    }
}

void mcpi_sched_crew_destroy(mcpi_sched_crew *crew)
{
    if (crew == NULL)
        return;
    pthread_mutex_lock(&crew->mu);
    crew->quit = 1;
    pthread_cond_broadcast(&crew->go);
    pthread_mutex_unlock(&crew->mu);
    for (size_t k = 1; k <= crew->nthreads; ++k)
        pthread_join(crew->tid[k], NULL);
    pthread_cond_destroy(&crew->go);
    pthread_mutex_destroy(&crew->mu);
    free(crew);
}

int mcpi_sched_crew_create(mcpi_sched_crew **out, size_t nworkers)
{
    *out = NULL;
    if (nworkers < 2)
        return MCPI_OK;
    mcpi_sched_crew *crew = calloc(1, sizeof *crew);
    if (crew == NULL)
        return MCPI_ENOMEM;
    if (pthread_mutex_init(&crew->mu, NULL) != 0) {
        free(crew);
        return MCPI_ENOMEM;
    }
    pthread_cond_init(&crew->go, NULL);
    for (size_t k = 1; k < nworkers && k < MCPI_MAX_WORKERS; ++k) {
        crew_arg *a = malloc(sizeof *a);
        if (a == NULL) {
            mcpi_sched_crew_destroy(crew);
            return MCPI_ENOMEM;
        }
        *a = (crew_arg){crew, k};
        if (pthread_create(&crew->tid[k], NULL, crew_thread, a) != 0) {
            free(a);
            mcpi_sched_crew_destroy(crew);
            return MCPI_EBACKEND;
        }
        crew->nthreads = k;
    }
    *out = crew;
    return MCPI_OK;
}

/* Hands the pass to the crew's threads (workers 1..n-1). */
static void crew_start(mcpi_sched_crew *crew, sched_ctx *x)
{
    x->running = x->nw;
    if (x->nw < 2)
        return;
    if (crew == NULL || crew->nthreads + 1 < x->nw) {
        pthread_mutex_lock(&x->mu);
        sched_fail(x, MCPI_EBACKEND, "mcpi: scheduler: no threads for this row's workers");
        x->running = 1;
        pthread_mutex_unlock(&x->mu);
        return;
    }
    pthread_mutex_lock(&crew->mu);
    crew->job = x;
    ++crew->generation;
    pthread_cond_broadcast(&crew->go);
    pthread_mutex_unlock(&crew->mu);
}

/* ---- the pass ------------------------------------------------------------- */

/* A seed for the verification positions: fixed by the test hook, else new
 * in every pass (a device cannot know where it will be checked). */
static uint64_t verify_seed(const mcpi_config *cfg)
{
    uint64_t fixed = 0;
    if (mcpi_fault_verify_seed(&fixed))
        return fixed;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return cfg->seed ^ ((uint64_t)ts.tv_sec << 32) ^ (uint64_t)ts.tv_nsec ^
           ((uint64_t)getpid() << 16);
}

static int ctx_init(sched_ctx *x, mcpi_worker *workers, size_t n, const mcpi_config *cfg,
                    mcpi_comm *comm, const mcpi_intervals *todo)
{
    memset(x, 0, sizeof *x);
    x->w = workers;
    x->nw = n;
    x->cfg = cfg;
    x->comm = comm;
    for (size_t k = 0; k < MCPI_MAX_WORKERS; ++k)
        mcpi_intervals_init(&x->wdone[k]);
    if (pthread_mutex_init(&x->mu, NULL) != 0)
        return MCPI_ENOMEM;
    if (pthread_cond_init(&x->cv, NULL) != 0) {
        pthread_mutex_destroy(&x->mu);
        return MCPI_ENOMEM;
    }
    return mcpi_plan_init(&x->plan, todo, workers, n, cfg->verify, verify_seed(cfg));
}

static void ctx_free(sched_ctx *x)
{
    mcpi_plan_free(&x->plan);
    mcpi_chunks_free(&x->recount);
    for (size_t k = 0; k < MCPI_MAX_WORKERS; ++k)
        mcpi_intervals_free(&x->wdone[k]);
    pthread_cond_destroy(&x->cv);
    pthread_mutex_destroy(&x->mu);
}

/* Recounts the recount list with the reference core; the first mismatch
 * fails the pass with the worker, the sub-range and both counts. */
static void recount(sched_ctx *x, mcpi_sched_pass *out)
{
    double t0 = mcpi_now();
    for (size_t i = 0; i < x->recount.n; ++i) {
        const mcpi_chunk *c = &x->recount.v[i];
        uint64_t want = mcpi_count_range(x->cfg->seed, c->begin, c->end);
        out->w[c->worker].verified_chunks += 1;
        out->w[c->worker].verified_samples += c->end - c->begin;
        if (want == c->hits || x->bad[c->worker])
            continue;
        char msg[MCPI_ERROR_LEN];
        x->bad[c->worker] = 1;
        snprintf(msg, sizeof msg,
                 "mcpi: %s counted %" PRIu64 " hits over samples [%" PRIu64 ", %" PRIu64
                 ") of seed %" PRIu64 ", the reference core %" PRIu64
                 ": the device computes wrong results (verification)",
                 x->w[c->worker].dev.id, c->hits, c->begin, c->end, x->cfg->seed, want);
        sched_fail(x, MCPI_EBACKEND, msg);
    }
    out->verify_s = mcpi_now() - t0;
}

/* The pass's outcome; this rank's done list is the union of its workers'. */
static int fill_out(sched_ctx *x, mcpi_sched_pass *out)
{
    int rc = MCPI_OK;
    for (size_t k = 0; k < x->nw && rc == MCPI_OK; ++k)
        rc = mcpi_intervals_add_all(&out->done, &x->wdone[k]);
    for (size_t k = 0; k < x->nw; ++k) {
        uint64_t vc = out->w[k].verified_chunks, vs = out->w[k].verified_samples;
        out->w[k] = x->wp[k];
        out->w[k].verified_chunks = vc;
        out->w[k].verified_samples = vs;
        if (x->wp[k].finish_s > out->elapsed_s)
            out->elapsed_s = x->wp[k].finish_s;
    }
    out->hits = x->hits;
    out->stop_signo = x->stop_signo;
    return rc;
}

int mcpi_sched_pass_run(mcpi_worker *workers, size_t n, mcpi_sched_crew *crew,
                        const mcpi_config *cfg, mcpi_comm *comm, const mcpi_intervals *todo,
                        const char *row, const char *pass, uint64_t total_samples,
                        uint64_t done_before, const mcpi_sched_ckpt *ck, mcpi_sched_pass *out,
                        char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    mcpi_intervals_init(&out->done);
    sched_ctx x;
    int rc = ctx_init(&x, workers, n, cfg, comm, todo);
    x.ticks = (sched_ticks){row, pass, total_samples, done_before, ck, 0, 0};
    if (rc != MCPI_OK)
        sched_fail(&x, rc, "mcpi: scheduler: out of memory");
    x.t0 = mcpi_now();
    sched_ticks_start(&x);
    crew_start(crew, &x);
    worker_loop(&x, 0, sched_tick_if_due);
    sched_ticks_finish(&x); /* every rank, until every rank is done */
    recount(&x, out);
    char why[MCPI_ERROR_LEN] = "";
    if (ck != NULL && (rc = sched_save(&x, why, sizeof why)) != MCPI_OK)
        sched_fail(&x, rc, why);
    int agreed = mcpi_agree(comm, x.status);
    if (fill_out(&x, out) != MCPI_OK && agreed == MCPI_OK) {
        agreed = MCPI_ENOMEM; /* only this rank's list: the pass's figures stand */
        sched_fail(&x, agreed, "mcpi: scheduler: out of memory");
    }
    if (x.status != MCPI_OK)
        snprintf(err, errlen, "%s", x.err);
    else if (agreed != MCPI_OK)
        snprintf(err, errlen, "mcpi: %s", MCPI_COLLATERAL_ERROR);
    ctx_free(&x);
    /* A stop request that came after the last chunk finds the pass complete. */
    if (agreed == MCPI_OK && out->stop_signo) {
        int incomplete = mcpi_intervals_samples(&out->done) < mcpi_intervals_samples(todo);
        if (mcpi_agree(comm, incomplete ? -1 : 0) < 0)
            return MCPI_EINTERRUPTED;
    }
    return agreed;
}

int mcpi_sched_count_once(mcpi_worker *w, uint64_t seed, uint64_t begin, uint64_t end,
                          uint64_t *hits, mcpi_phases *ph, char *err, size_t errlen)
{
    int rc = w->backend->count(w->state, seed, begin, end, 0u, hits, ph, w->rec, err, errlen);
    return rc == MCPI_OK ? check_bound(w, seed, begin, end, *hits, err, errlen) : rc;
}
