/* replay.c - runs a fuzz target's inputs without libFuzzer: the main of the
 * fuzz_replay_<name> tests (label fuzz), linked with tests/fuzz/fuzz_<name>.c
 * built with MCPI_FUZZ_REPLAY.
 *
 *     fuzz_replay_<name> PATH...
 *
 * Each PATH is an input file or a folder of them (its regular files, in name
 * order, dot files skipped); a folder that does not exist is skipped with a
 * note (git keeps no empty regressions/<name>/).  Each input is read into a
 * buffer of exactly its size, as libFuzzer does, so a sanitizer build sees a
 * read past its end.  The file's name is printed before it runs: a crash is
 * then the last name printed.  Exit 0 when every input ran, 1 when none was
 * found or one could not be read; a finding aborts. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

/* Runs the input in file; 0 or -1 (message printed). */
static int run_file(const char *file)
{
    FILE *f = fopen(file, "rb");
    if (f == NULL) {
        fprintf(stderr, "replay: %s: %s\n", file, strerror(errno));
        return -1;
    }
    size_t cap = 4096, len = 0;
    uint8_t *data = malloc(cap);
    for (size_t got = 1; data != NULL && got > 0;) {
        if (len == cap) {
            uint8_t *bigger = realloc(data, cap *= 2);
            if (bigger == NULL) {
                free(data);
                data = NULL;
                break;
            }
            data = bigger;
        }
        got = fread(data + len, 1, cap - len, f);
        len += got;
    }
    int bad = data == NULL || ferror(f);
    fclose(f);
    if (bad) {
        fprintf(stderr, "replay: %s: cannot read\n", file);
        free(data);
        return -1;
    }
    /* Exactly len bytes (one for an empty input: malloc(0) may be NULL). */
    uint8_t *exact = malloc(len > 0 ? len : 1);
    if (exact == NULL) {
        free(data);
        fprintf(stderr, "replay: %s: out of memory\n", file);
        return -1;
    }
    memcpy(exact, data, len);
    free(data);
    printf("replay: %s (%zu bytes)\n", file, len);
    fflush(stdout);
    LLVMFuzzerTestOneInput(exact, len);
    free(exact);
    return 0;
}

static int skip_entry(const struct dirent *e)
{
    return e->d_name[0] != '.';
}

/* Runs every regular file in dir; the count in *n.  0 or -1. */
static int run_dir(const char *dir, size_t *n)
{
    struct dirent **names = NULL;
    int count = scandir(dir, &names, skip_entry, alphasort);
    if (count < 0) {
        fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
        return -1;
    }
    int rc = 0;
    for (int i = 0; i < count; ++i) {
        size_t need = strlen(dir) + 1 + strlen(names[i]->d_name) + 1;
        char *path = malloc(need);
        struct stat st;
        if (path == NULL) {
            rc = -1;
        } else {
            snprintf(path, need, "%s/%s", dir, names[i]->d_name);
            if (rc == 0 && stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
                rc = run_file(path);
                *n += rc == 0;
            }
        }
        free(path);
        free(names[i]);
    }
    free(names);
    return rc;
}

int main(int argc, char **argv)
{
    size_t total = 0;
    for (int i = 1; i < argc; ++i) {
        struct stat st;
        size_t n = 0;
        if (stat(argv[i], &st) != 0) {
            printf("replay: %s: none (no such folder)\n", argv[i]);
            continue;
        }
        if (S_ISDIR(st.st_mode) ? run_dir(argv[i], &n) != 0 : (n = 1, run_file(argv[i]) != 0))
            return 1;
        printf("replay: %s: %zu input%s\n", argv[i], n, n == 1 ? "" : "s");
        total += n;
    }
    if (total == 0) {
        fprintf(stderr, "replay: no inputs (give corpus folders or files)\n");
        return 1;
    }
    printf("replay: %zu inputs, no finding\n", total);
    return 0;
}
