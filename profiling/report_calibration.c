/* report_calibration.c - a machine calibration (`mcpi calibrate`) as the
 * saved JSON file, CSV, Markdown or text, and the JSON file read back. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_read.h"
#include "mcpi_profile.h"
#include "report_private.h"

#define CAL_FORMAT "mcpi-calibration"

/* The calibration as JSON: the file's content and `--format json`. */
static void write_json(mcpi__out *o, const mcpi_calibration_run *run)
{
    mcpi__printf(o, "{\n  \"format\": \"" CAL_FORMAT "\",\n  \"version\": \"%s\",\n",
                 run->version ? run->version : "");
    mcpi__printf(o, "  \"unit\": \"stone\",\n  \"stone_samples\": %llu,\n",
                 (unsigned long long)MCPI_STONE_SAMPLES);
    mcpi__printf(o,
                 "  \"reference\": {\"core\": \"serial\", \"seed\": %u, \"begin\": 0, "
                 "\"end\": %llu, \"hits\": %llu},\n",
                 MCPI_STONE_SEED, (unsigned long long)MCPI_STONE_SAMPLES,
                 (unsigned long long)run->hits);
    mcpi__printf(o, "  \"reference_samples_per_s\": %.17g,\n", run->cal.samples_per_s);
    mcpi__printf(o, "  \"stone_s\": %.17g,\n", run->best_s);
    mcpi__put(o, "  \"times_s\": [");
    for (unsigned i = 0; i < run->repeats; ++i)
        mcpi__printf(o, "%s%.17g", i ? ", " : "", run->times_s[i]);
    mcpi__put(o, "],\n  \"hostname\": ");
    mcpi__json_str(o, run->cal.hostname);
    mcpi__put(o, ",\n  \"cpu_model\": ");
    mcpi__json_str(o, run->cal.cpu_model);
    mcpi__put(o, ",\n  \"date\": ");
    mcpi__json_str(o, run->cal.date);
    mcpi__put(o, ",\n  \"file\": ");
    mcpi__json_str(o, run->path);
    mcpi__put(o, "\n}\n");
}

static void write_human(mcpi__out *o, const mcpi_calibration_run *run, int markdown)
{
    const char *b = markdown ? "- " : "  ";
    mcpi__printf(o, "%smcpi %s calibration of %s (%s), %s\n\n", markdown ? "## " : "",
                 run->version ? run->version : "", run->cal.hostname, run->cal.cpu_model,
                 run->cal.date);
    mcpi__printf(o, "%sreference core: serial (scalar), seed %u, samples [0, 2^24): %llu hits\n", b,
                 MCPI_STONE_SEED, (unsigned long long)run->hits);
    mcpi__printf(o, "%sspeed: %.1f Msamples/s (best of %u repeats)\n", b,
                 run->cal.samples_per_s / 1e6, run->repeats);
    mcpi__printf(o, "%s1 stone = %.4f s on this machine (the time of 2^24 reference samples)\n", b,
                 run->best_s);
    mcpi__printf(o, "%ssaved to %s; runs now add a 'stones' column (time x %.4g / 2^24)\n", b,
                 run->path, run->cal.samples_per_s);
}

static void write_csv(mcpi__out *o, const mcpi_calibration_run *run)
{
    mcpi__put(o, "hostname,cpu_model,date,reference_samples_per_s,stone_s,repeats,file\r\n");
    mcpi__csv c = {o, 1};
    mcpi__csv_quoted(&c, run->cal.hostname);
    mcpi__csv_quoted(&c, run->cal.cpu_model);
    mcpi__csv_str(&c, run->cal.date);
    mcpi__csv_sep(&c);
    mcpi__printf(o, "%.17g", run->cal.samples_per_s);
    mcpi__csv_sep(&c);
    mcpi__printf(o, "%.17g", run->best_s);
    mcpi__csv_u64(&c, run->repeats);
    mcpi__csv_quoted(&c, run->path);
    mcpi__csv_end(&c);
}

int mcpi_calibration_write(FILE *out, mcpi_format fmt, const mcpi_calibration_run *run)
{
    mcpi__out o = {out, 0};
    switch (fmt) {
    case MCPI_FORMAT_JSON:
        write_json(&o, run);
        break;
    case MCPI_FORMAT_CSV:
        write_csv(&o, run);
        break;
    case MCPI_FORMAT_MARKDOWN:
        write_human(&o, run, 1);
        break;
    default:
        write_human(&o, run, 0);
        break;
    }
    return o.failed || ferror(out) ? MCPI_EIO : MCPI_OK;
}

/* Copies the string at key of the object doc into buf; "" when absent or
 * not a string. */
static void string_field(const mcpi_json *doc, const char *key, char *buf, size_t len)
{
    const mcpi_json *v = mcpi_json_get(doc, key);
    snprintf(buf, len, "%s", v != NULL && v->type == MCPI_JSON_STRING ? v->text : "");
}

int mcpi_calibration_parse(const char *text, size_t len, mcpi_calibration *cal)
{
    mcpi_json *doc = NULL;
    int rc = mcpi_json_parse(text, len, &doc, NULL, 0);
    if (rc != MCPI_OK)
        return rc == MCPI_ENOMEM ? rc : MCPI_EINVAL;
    const mcpi_json *fmt = mcpi_json_get(doc, "format");
    double sps = NAN;
    int ok = fmt != NULL && fmt->type == MCPI_JSON_STRING && strcmp(fmt->text, CAL_FORMAT) == 0 &&
             mcpi_json_double(mcpi_json_get(doc, "reference_samples_per_s"), &sps) == 0 &&
             isfinite(sps) && sps > 0.0;
    if (ok) {
        memset(cal, 0, sizeof *cal);
        cal->samples_per_s = sps;
        string_field(doc, "hostname", cal->hostname, sizeof cal->hostname);
        string_field(doc, "cpu_model", cal->cpu_model, sizeof cal->cpu_model);
        string_field(doc, "date", cal->date, sizeof cal->date);
    }
    mcpi_json_free(doc);
    return ok ? MCPI_OK : MCPI_EINVAL;
}
