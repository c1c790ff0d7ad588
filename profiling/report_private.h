/* report_private.h - helpers shared by the reporters (report_*.c) only.
 *
 * Reporters are pure functions of records.  They see records through row
 * views (mcpi__row) that carry the derived numbers once: statistics, the
 * estimate, throughput and ratio.  Output goes through mcpi__out, whose error
 * flag is sticky, so a reporter writes everything and checks once. */
#ifndef MCPI_REPORT_PRIVATE_H
#define MCPI_REPORT_PRIVATE_H

#include <stdint.h>
#include <stdio.h>

#include "mcpi_profile.h"

/* ---- output ----------------------------------------------------------- */

typedef struct mcpi__out {
    FILE *f;
    int failed; /* set by the first failed write; later writes are skipped */
} mcpi__out;

void mcpi__put(mcpi__out *o, const char *s);
void mcpi__printf(mcpi__out *o, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Length of the valid UTF-8 sequence at s (first byte >= 0x80), or 0 when
 * it is not valid (overlong forms, surrogates, values above U+10FFFF). */
size_t mcpi__utf8_len(const unsigned char *s);
/* U+FFFD, written in place of each byte that is not valid UTF-8. */
#define MCPI__UTF8_REPLACEMENT "\xEF\xBF\xBD"
/* Writes n bytes of s with every invalid UTF-8 byte replaced. */
void mcpi__put_utf8(mcpi__out *o, const char *s, size_t n);

/* ---- quoting (report_format.c) ------------------------------------------ */

/* A JSON string: '"', '\\' and control characters escaped, each byte that
 * is not valid UTF-8 as U+FFFD, so the output always parses. */
void mcpi__json_str(mcpi__out *o, const char *str);

/* One RFC 4180 record being written: fields are separated by commas, text
 * quoted when it holds a comma, quote or line break (quotes doubled), and
 * written as valid UTF-8; records end with CRLF. */
typedef struct mcpi__csv {
    mcpi__out *o;
    int first; /* no separator before the first field of a record */
} mcpi__csv;

void mcpi__csv_sep(mcpi__csv *c); /* before a field written by hand */
void mcpi__csv_str(mcpi__csv *c, const char *s);
void mcpi__csv_quoted(mcpi__csv *c, const char *s); /* quoted whatever it holds */
void mcpi__csv_empty(mcpi__csv *c);
void mcpi__csv_u64(mcpi__csv *c, uint64_t v);
void mcpi__csv_int(mcpi__csv *c, long long v);
void mcpi__csv_known(mcpi__csv *c, int64_t v); /* -1 (unknown) is an empty field */
void mcpi__csv_num(mcpi__csv *c, double v);    /* shortest exact decimal; NaN empty */
void mcpi__csv_end(mcpi__csv *c);

/* ---- JSON pieces (report_json.c), shared with the scale writer ---------- */

/* A number as mcpi__fmt_exact writes it; null when not finite. */
void mcpi__json_num(mcpi__out *o, double v);
/* `"k": ` after ", " unless *first (then clears it); the key_* forms write
 * the value too: an unsigned count, a number (null when not finite), a string. */
void mcpi__json_key(mcpi__out *o, int *first, const char *k);
void mcpi__json_key_u64(mcpi__out *o, int *first, const char *k, uint64_t v);
void mcpi__json_key_num(mcpi__out *o, int *first, const char *k, double v);
void mcpi__json_key_str(mcpi__out *o, int *first, const char *k, const char *v);
/* A report's opening: "{", its version, its config (samples null for a
 * sweep, whose points each have their own) and, given a valid cal, the
 * calibration; the caller continues with ",\n" and the next key. */
void mcpi__json_head(mcpi__out *o, const mcpi_run_info *info, int sweep,
                     const mcpi_calibration *cal);
/* rep's job rows and rank rows as the "results" and "ranks" keys of a run,
 * each row one level deeper than indent.  Returns 0 or MCPI_ENOMEM. */
int mcpi__json_results_and_ranks(mcpi__out *o, const mcpi_report *rep, const char *indent,
                                 const mcpi_calibration *cal);

/* ---- row views -------------------------------------------------------- */

typedef struct mcpi__row {
    const mcpi_record *r;
    mcpi_stats st;         /* NaN when the row has no timed repeat */
    int ok;                /* r->status == 0 */
    double pi, se, err_se; /* NaN for failed rows; err_se NaN when se == 0 */
    double samples_per_s;  /* samples / median; NaN when not measurable */
    double ratio;          /* median / fastest ok median; NaN for failed and rank rows */
    double stones;         /* median in stones; NaN without a calibration */
} mcpi__row;

/* Builds views of n records.  Job rows (job = 1) are sorted fastest first by
 * median, failed rows last, ties in input order, and get ratios; rank rows
 * (job = 0) keep their order and have no ratio.  Returns NULL when n is 0 or
 * memory runs out (then *nomem is set). */
mcpi__row *mcpi__rows_new(const mcpi_record *recs, size_t n, int job, int *nomem);
void mcpi__rows_free(mcpi__row *rows);
/* Sets every row's stones from cal (NULL leaves them NaN). */
void mcpi__rows_calibrate(mcpi__row *rows, size_t n, const mcpi_calibration *cal);

/* Row is noisy: relative spread above MCPI__NOISY_RSD or max > MCPI__NOISY_SPREAD x min. */
#define MCPI__NOISY_RSD 0.10
#define MCPI__NOISY_SPREAD 2.0
int mcpi__row_noisy(const mcpi__row *row);

/* "hit", "miss", "off" for ocl.cache 1, 0, 2; NULL when OpenCL was not used. */
const char *mcpi__ocl_cache_name(int cache);

/* ---- numbers ---------------------------------------------------------- */

/* A finite double as the fewest significant digits that read back to the
 * same value (whole numbers below 2^53 in plain digits); "" for NaN and
 * infinities, which the caller writes as null or an empty field. */
#define MCPI__NUM_LEN 32
void mcpi__fmt_exact(char buf[MCPI__NUM_LEN], double v);

/* ---- the human layout shared by table and Markdown -------------------- */

/* v with the given decimals and suffix ("1.94", "97.2 %"); "-" when not finite. */
void mcpi__fmt_fixed(char *buf, size_t len, int decimals, double v, const char *suffix);

/* "1.23 ms (1.20-1.30)": a median time with its min-max, three digits. */
void mcpi__fmt_time_cell(char *buf, size_t len, const mcpi_stats *st);
/* A time alone, in the same units and digits: "181 ms"; "-" for NaN. */
void mcpi__fmt_time(char *buf, size_t len, double t);

enum {
    MCPI__COL_NAME,
    MCPI__COL_DEVICE,
    MCPI__COL_TIME,
    MCPI__COL_STONES, /* shown only with a calibration */
    MCPI__COL_RATE,
    MCPI__COL_RATIO,
    MCPI__COL_PEAK,
    MCPI__COL_DEVMEM,
    MCPI__COL_PI,
    MCPI__COL_ERR,
    MCPI__COL_HITS,
    MCPI__NCOLS
};

enum {
    MCPI__RCOL_RANK,
    MCPI__RCOL_HOST,
    MCPI__RCOL_LOCAL,
    MCPI__RCOL_BACKEND,
    MCPI__RCOL_DEVICE,
    MCPI__RCOL_TIME,
    MCPI__RCOL_SAMPLES,
    MCPI__RCOL_HITS,
    MCPI__RCOL_PEAK,
    MCPI__NRCOLS
};

/* Large enough for an error message with its "error: " prefix. */
#define MCPI__CELL_LEN (MCPI_ERROR_LEN + 16)

/* Marks rows off the exact stream (the naive teaching row). */
#define MCPI__INEXACT_MARK "*"

const char *mcpi__col_title(int col);
const char *mcpi__rcol_title(int col);
/* 1 when the column holds numbers (right-aligned in the table). */
int mcpi__col_numeric(int col);
int mcpi__rcol_numeric(int col);
/* 1 when the job column is part of this report (stones need a calibration). */
int mcpi__col_shown(int col, const mcpi_run_info *info);

/* Fills the cells of a job row.  A failed row gets its name and device and,
 * in the time cell, "error: <message>"; its other cells are empty. */
void mcpi__job_cells(const mcpi__row *row, char cells[MCPI__NCOLS][MCPI__CELL_LEN]);
/* Same for a rank row (the error goes in the time cell). */
void mcpi__rank_cells(const mcpi__row *row, char cells[MCPI__NRCOLS][MCPI__CELL_LEN]);

/* Replaces control characters and bytes that are not UTF-8 in a cell, one
 * byte for one, so a row stays on one line and its width countable. */
void mcpi__flatten(char *cell);

/* Table lines (report_table.c): widen grows *width to the display width of
 * s; line writes ncols cells padded to width (numeric ones right-aligned),
 * stopping after cell stop_at, which, when it is not the last, is written
 * unpadded (a failed row's error across the columns after it); rule is the
 * line of dashes under the titles. */
void mcpi__table_widen(size_t *width, const char *s);
void mcpi__table_line(mcpi__out *o, const char *const *cells, const size_t *width,
                      const int *numeric, int ncols, int stop_at);
void mcpi__table_rule(mcpi__out *o, const size_t *width, int ncols);

/* Markdown pieces (report_markdown.c): text escaped for a paragraph or a
 * cell, one table row, and the title row with its alignment row. */
void mcpi__md_text(mcpi__out *o, const char *s);
void mcpi__md_row(mcpi__out *o, const char *const *cells, int ncols);
void mcpi__md_header(mcpi__out *o, const char *const *titles, const int *numeric, int ncols);

/* One line describing the run: version, N, seed, repeats, ranks, threads. */
#define MCPI__SUMMARY_LEN 256
void mcpi__run_summary(char buf[MCPI__SUMMARY_LEN], const mcpi_run_info *info);
/* Its end, shared with the sweep's line: seed, repeats, ranks, threads. */
void mcpi__run_tail(char *buf, size_t len, const mcpi_run_info *info);

/* Lines under the table: noise warnings, memory growth, the naive footnote,
 * the peak-memory note.  Each is passed to emit (without newline). */
#define MCPI__NOTE_LEN (MCPI_NAME_LEN + 256)
void mcpi__notes(const mcpi__row *rows, size_t n, const mcpi_run_info *info,
                 void (*emit)(void *ctx, const char *line), void *ctx);

/* Slow ranks: in a row counted by 3 or more ranks (or merged parts), a rank
 * whose samples/s is below MCPI__SLOW_RANK_FRACTION of the median rank's
 * (the slow node of a job).  Rank rows are rep->rank_rows in blocks of
 * nrank_rows / nrows, one block per job row, in rank order. */
#define MCPI__SLOW_RANK_FRACTION (2.0 / 3.0)
typedef struct mcpi__slow_rank {
    const mcpi_record *job, *rank;
    double rate, median_rate; /* samples/s of the rank, of the median rank */
} mcpi__slow_rank;
/* Every slow rank of rep in a malloc'd array (*n of them; NULL when none).
 * 0 or MCPI_ENOMEM. */
int mcpi__slow_ranks(const mcpi_report *rep, mcpi__slow_rank **out, size_t *n);
/* One line per slow rank, each passed to emit.  0 or MCPI_ENOMEM. */
int mcpi__slow_rank_lines(const mcpi_report *rep, void (*emit)(void *ctx, const char *line),
                          void *ctx);

/* ---- sweeps ----------------------------------------------------------- */

/* The report of one sweep point: rep with that point's rows and N. */
void mcpi__point_report(const mcpi_report *rep, size_t k, mcpi_report *out);
/* One line describing a sweep: version, N range, steps, seed, repeats, ranks. */
void mcpi__sweep_summary(char buf[MCPI__SUMMARY_LEN], const mcpi_report *rep);
/* The crossover summary of a sweep as lines (title first), each passed to
 * emit.  Returns 0 or MCPI_ENOMEM. */
int mcpi__crossover_lines(const mcpi_report *rep, void (*emit)(void *ctx, const char *line),
                          void *ctx);
/* Crossovers of rep->sweep in a malloc'd array (*n entries; NULL when 0).
 * Returns 0 or MCPI_ENOMEM. */
int mcpi__crossovers_new(const mcpi_sweep *sw, mcpi_crossover **out, size_t *n);
/* The crossover entry named name, or NULL. */
const mcpi_crossover *mcpi__crossover_find(const mcpi_crossover *c, size_t n, const char *name);

/* ---- reporters (each returns 0, MCPI_EIO or MCPI_ENOMEM) -------------- */

int mcpi__report_table(FILE *out, const mcpi_report *rep);
int mcpi__report_csv(FILE *out, const mcpi_report *rep);
int mcpi__report_json(FILE *out, const mcpi_report *rep);
int mcpi__report_markdown(FILE *out, const mcpi_report *rep);
/* A scaling study (rep->scale, analysed) in any format (report_scale.c). */
int mcpi__report_scale(FILE *out, mcpi_format fmt, const mcpi_report *rep);

#endif /* MCPI_REPORT_PRIVATE_H */
