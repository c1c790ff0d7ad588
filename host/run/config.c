/* config.c - defaults and the validator for mcpi_config. */
#include <string.h>

#include "mcpi.h"

void mcpi_config_default(mcpi_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->samples = MCPI_DEFAULT_SAMPLES;
    cfg->seed = 0;
    cfg->threads = 0;
    cfg->repeat = MCPI_DEFAULT_REPEAT;
    cfg->warmup = 1;
    cfg->format = MCPI_FORMAT_TABLE;
}

int mcpi_config_validate(const mcpi_config *cfg, char *err, size_t errlen)
{
    if (cfg->samples == 0) {
        mcpi_set_error(err, errlen, "-n/--samples: must be an integer from 1 to 2^64-1");
        return MCPI_EINVAL;
    }
    if (cfg->repeat < 1 || cfg->repeat > MCPI_MAX_REPEAT) {
        mcpi_set_error(err, errlen, "--repeat: must be an integer from 1 to %u", MCPI_MAX_REPEAT);
        return MCPI_EINVAL;
    }
    if (cfg->warmup > MCPI_MAX_REPEAT) {
        mcpi_set_error(err, errlen, "--warmup: must be an integer from 0 to %u", MCPI_MAX_REPEAT);
        return MCPI_EINVAL;
    }
    if (cfg->threads > MCPI_MAX_THREADS) {
        mcpi_set_error(err, errlen, "--threads: must be an integer from 1 to %u", MCPI_MAX_THREADS);
        return MCPI_EINVAL;
    }
    return mcpi_selection_check(cfg->backends, err, errlen);
}
