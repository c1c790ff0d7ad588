/* test_files.c - the engine's file functions (mcpi.h, "files"; host/io):
 * whole-file reads that never block and refuse what is not a regular file
 * or is too large, atomic writes that keep the old file and leave no
 * temporary behind, their permissions, the writability probe, mkdir -p,
 * the cache directory, and the FNV-1a hash every checksum uses. */
#define _XOPEN_SOURCE 700 /* nftw */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "hash.h"
#include "mcpi.h"

/* ---- a scratch directory per test ------------------------------------------ */

typedef struct scratch {
    char dir[64];
} scratch;

static int scratch_setup(void **state)
{
    static scratch s;
    snprintf(s.dir, sizeof s.dir, "/tmp/mcpi-files-XXXXXX");
    if (mkdtemp(s.dir) == NULL)
        return -1;
    *state = &s;
    return 0;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

static int scratch_teardown(void **state)
{
    scratch *s = *state;
    return nftw(s->dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void path_in(char *buf, size_t len, void **state, const char *name)
{
    const scratch *s = *state;
    snprintf(buf, len, "%s/%s", s->dir, name);
}

static void put_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    if (len > 0)
        assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

/* The names in the scratch directory, sorted, joined by spaces. */
static void list_dir(void **state, char *out, size_t len)
{
    const scratch *s = *state;
    struct dirent **names = NULL;
    int n = scandir(s->dir, &names, NULL, alphasort);
    assert_true(n >= 0);
    out[0] = '\0';
    for (int i = 0; i < n; ++i) {
        if (strcmp(names[i]->d_name, ".") != 0 && strcmp(names[i]->d_name, "..") != 0) {
            size_t used = strlen(out);
            snprintf(out + used, len - used, "%s%s", used ? " " : "", names[i]->d_name);
        }
        free(names[i]);
    }
    free(names);
}

/* ---- mcpi_read_file ------------------------------------------------------------ */

/* A FIFO with no writer: reading it would block forever.  The alarm ends
 * the test (and fails it) if the call blocks. */
static void test_read_refuses_fifo(void **state)
{
    char path[128], err[MCPI_ERROR_LEN] = "";
    path_in(path, sizeof path, state, "fifo");
    assert_int_equal(mkfifo(path, 0600), 0);
    char *data = (char *)1;
    size_t len = 99;
    alarm(5);
    int rc = mcpi_read_file(path, "--resume", 1 << 20, &data, &len, err, sizeof err);
    alarm(0);
    assert_int_equal(rc, MCPI_EIO);
    assert_null(data);
    assert_int_equal(len, 0);
    assert_non_null(strstr(err, "--resume: "));
    assert_non_null(strstr(err, path));
    assert_non_null(strstr(err, "not a regular file"));
}

static void test_read_refuses_directory(void **state)
{
    char path[128], err[MCPI_ERROR_LEN] = "";
    path_in(path, sizeof path, state, "sub");
    assert_int_equal(mkdir(path, 0700), 0);
    char *data = NULL;
    size_t len = 0;
    assert_int_equal(mcpi_read_file(path, "--calibration", 1 << 20, &data, &len, err, sizeof err),
                     MCPI_EIO);
    assert_null(data);
    assert_non_null(strstr(err, "--calibration: "));
    assert_non_null(strstr(err, "directory"));
}

/* max is inclusive: a file of exactly max bytes is read, one more is
 * refused with EFBIG (and nothing returned). */
static void test_read_size_limit(void **state)
{
    char path[128], err[MCPI_ERROR_LEN] = "";
    path_in(path, sizeof path, state, "big");
    put_file(path, "0123456789A", 11);
    char *data = (char *)1;
    size_t len = 99;
    errno = 0;
    assert_int_equal(mcpi_read_file(path, "-o/--output", 10, &data, &len, err, sizeof err),
                     MCPI_EIO);
    assert_int_equal(errno, EFBIG);
    assert_null(data);
    assert_int_equal(len, 0);
    assert_non_null(strstr(err, "larger than 10 bytes"));
    assert_int_equal(mcpi_read_file(path, "-o/--output", 11, &data, &len, err, sizeof err),
                     MCPI_OK);
    assert_int_equal(len, 11);
    assert_memory_equal(data, "0123456789A", 12); /* with the NUL after it */
    free(data);
}

static void test_read_missing(void **state)
{
    char path[128], err[MCPI_ERROR_LEN] = "";
    path_in(path, sizeof path, state, "absent.json");
    char *data = (char *)1;
    size_t len = 99;
    errno = 0;
    assert_int_equal(mcpi_read_file(path, "merge", 100, &data, &len, err, sizeof err),
                     MCPI_EUNAVAIL);
    assert_int_equal(errno, ENOENT);
    assert_null(data);
    assert_non_null(strstr(err, "merge: "));
    assert_non_null(strstr(err, path));
    /* A missing directory on the way is missing too, not an I/O error. */
    path_in(path, sizeof path, state, "no/such/file");
    assert_int_equal(mcpi_read_file(path, "merge", 100, &data, &len, err, sizeof err),
                     MCPI_EUNAVAIL);
}

static void test_read_empty_file(void **state)
{
    char path[128], err[MCPI_ERROR_LEN] = "";
    path_in(path, sizeof path, state, "empty");
    put_file(path, "", 0);
    char *data = NULL;
    size_t len = 99;
    assert_int_equal(mcpi_read_file(path, "x", 100, &data, &len, err, sizeof err), MCPI_OK);
    assert_non_null(data);
    assert_int_equal(len, 0);
    assert_int_equal(data[0], '\0');
    free(data);
    /* An empty file fits even a zero limit. */
    assert_int_equal(mcpi_read_file(path, "x", 0, &data, &len, err, sizeof err), MCPI_OK);
    assert_int_equal(len, 0);
    free(data);
}

/* Every byte, NULs included, read back exactly; larger than one 4 KiB read. */
static void test_read_exact_bytes(void **state)
{
    char path[128], err[MCPI_ERROR_LEN] = "";
    path_in(path, sizeof path, state, "data.bin");
    static unsigned char want[10007];
    for (size_t i = 0; i < sizeof want; ++i)
        want[i] = (unsigned char)(i * 131u + 7u);
    want[100] = 0;
    put_file(path, want, sizeof want);
    char *data = NULL;
    size_t len = 0;
    assert_int_equal(mcpi_read_file(path, "x", 1 << 20, &data, &len, err, sizeof err), MCPI_OK);
    assert_int_equal(len, sizeof want);
    assert_memory_equal(data, want, sizeof want);
    assert_int_equal(data[len], '\0');
    free(data);
}

/* ---- mcpi_write_atomic ------------------------------------------------------------ */

static int write_hello(FILE *out, const void *ctx)
{
    return fputs(ctx, out) >= 0 ? MCPI_OK : MCPI_EIO;
}

/* Writes half a document, then fails as a reporter would. */
static int write_then_fail(FILE *out, const void *ctx)
{
    (void)ctx;
    fputs("{\"partial\": ", out);
    fflush(out);
    return MCPI_EBACKEND;
}

static void test_write_failure_keeps_old_file(void **state)
{
    char path[128], err[MCPI_ERROR_LEN] = "", names[512];
    path_in(path, sizeof path, state, "report.json");
    put_file(path, "old", 3);
    assert_int_equal(mcpi_write_atomic(path, "-o/--output", MCPI_FILE_SHARED, write_then_fail, NULL,
                                       err, sizeof err),
                     MCPI_EBACKEND); /* the writer's own code */
    assert_non_null(strstr(err, "-o/--output: "));
    assert_non_null(strstr(err, path));
    char *data = NULL;
    size_t len = 0;
    assert_int_equal(mcpi_read_file(path, "x", 100, &data, &len, err, sizeof err), MCPI_OK);
    assert_string_equal(data, "old");
    free(data);
    list_dir(state, names, sizeof names);
    assert_string_equal(names, "report.json"); /* no temporary left */

    /* Success replaces it, again with nothing beside it. */
    assert_int_equal(mcpi_write_atomic(path, "-o/--output", MCPI_FILE_SHARED, write_hello, "new\n",
                                       err, sizeof err),
                     MCPI_OK);
    assert_int_equal(mcpi_read_file(path, "x", 100, &data, &len, err, sizeof err), MCPI_OK);
    assert_string_equal(data, "new\n");
    free(data);
    list_dir(state, names, sizeof names);
    assert_string_equal(names, "report.json");
}

/* A directory that does not exist: MCPI_EIO with errno at the cause, and
 * no file anywhere. */
static void test_write_missing_directory(void **state)
{
    char path[128], err[MCPI_ERROR_LEN] = "", names[512];
    path_in(path, sizeof path, state, "missing/report.json");
    errno = 0;
    assert_int_equal(
        mcpi_write_atomic_bytes(path, "--checkpoint", MCPI_FILE_PRIVATE, "x", 1, err, sizeof err),
        MCPI_EIO);
    assert_int_equal(errno, ENOENT);
    assert_non_null(strstr(err, "--checkpoint: cannot "));
    assert_non_null(strstr(err, path));
    list_dir(state, names, sizeof names);
    assert_string_equal(names, "");
    /* A directory where the file should go: refused before anything is
     * made, the directory left as it was. */
    path_in(path, sizeof path, state, "dir");
    assert_int_equal(mkdir(path, 0700), 0);
    assert_int_equal(
        mcpi_write_atomic_bytes(path, "-o/--output", MCPI_FILE_SHARED, "x", 1, err, sizeof err),
        MCPI_EIO);
    assert_non_null(strstr(err, "is a directory"));
    assert_true(errno != 0);
    list_dir(state, names, sizeof names);
    assert_string_equal(names, "dir");
}

static unsigned mode_of(const char *path)
{
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    return (unsigned)(st.st_mode & 07777);
}

static void test_write_modes(void **state)
{
    char path[128], err[MCPI_ERROR_LEN] = "";
    path_in(path, sizeof path, state, "f");
    mode_t old = umask(022);
    assert_int_equal(mcpi_write_atomic_bytes(path, "x", MCPI_FILE_SHARED, "a", 1, err, sizeof err),
                     MCPI_OK);
    assert_int_equal(mode_of(path), 0644);
    umask(027);
    assert_int_equal(mcpi_write_atomic_bytes(path, "x", MCPI_FILE_SHARED, "a", 1, err, sizeof err),
                     MCPI_OK);
    assert_int_equal(mode_of(path), 0640);
    umask(0);
    assert_int_equal(mcpi_write_atomic_bytes(path, "x", MCPI_FILE_SHARED, "a", 1, err, sizeof err),
                     MCPI_OK);
    assert_int_equal(mode_of(path), 0644);
    /* private whatever the umask, also over a shared file */
    assert_int_equal(
        mcpi_write_atomic_bytes(path, "x", MCPI_FILE_PRIVATE, "ab", 2, err, sizeof err), MCPI_OK);
    assert_int_equal(mode_of(path), 0600);
    umask(022);
    assert_int_equal(mcpi_write_atomic_bytes(path, "x", MCPI_FILE_PRIVATE, "", 0, err, sizeof err),
                     MCPI_OK);
    assert_int_equal(mode_of(path), 0600);
    umask(old);
    char *data = NULL;
    size_t len = 99;
    assert_int_equal(mcpi_read_file(path, "x", 100, &data, &len, err, sizeof err), MCPI_OK);
    assert_int_equal(len, 0); /* the empty write replaced "ab" */
    free(data);
}

/* ---- mcpi_probe_writable -------------------------------------------------------------- */

static void test_probe_writable(void **state)
{
    char path[128], err[MCPI_ERROR_LEN] = "", names[512];
    const scratch *s = *state;
    assert_int_equal(mcpi_probe_writable(s->dir, "-o/--output", err, sizeof err), MCPI_EINVAL);
    assert_non_null(strstr(err, "-o/--output: "));
    assert_non_null(strstr(err, "directory"));
    path_in(path, sizeof path, state, "missing/out.json");
    err[0] = '\0';
    assert_int_equal(mcpi_probe_writable(path, "--checkpoint", err, sizeof err), MCPI_EINVAL);
    assert_non_null(strstr(err, "--checkpoint: "));
    assert_non_null(strstr(err, path));
    /* A good path: yes, and neither the file nor a temporary is left. */
    path_in(path, sizeof path, state, "out.json");
    assert_int_equal(mcpi_probe_writable(path, "-o/--output", err, sizeof err), MCPI_OK);
    list_dir(state, names, sizeof names);
    assert_string_equal(names, "");
    /* An existing file is writable and stays as it was. */
    put_file(path, "keep", 4);
    assert_int_equal(mcpi_probe_writable(path, "-o/--output", err, sizeof err), MCPI_OK);
    list_dir(state, names, sizeof names);
    assert_string_equal(names, "out.json");
    char *data = NULL;
    size_t len = 0;
    assert_int_equal(mcpi_read_file(path, "x", 100, &data, &len, err, sizeof err), MCPI_OK);
    assert_string_equal(data, "keep");
    free(data);
}

static int write_text(FILE *out, const void *ctx)
{
    return fputs(ctx, out) >= 0 ? MCPI_OK : MCPI_EIO;
}

/* A link is followed (even a dangling one, and through a chain): its
 * target is replaced, the link stays; a socket-like special file is
 * refused; /dev/null is written in place. */
static void test_write_follows_links_and_keeps_specials(void **state)
{
    char target[128], link[128], link2[128], dangling[128], names[512], err[MCPI_ERROR_LEN];
    path_in(target, sizeof target, state, "target.txt");
    path_in(link, sizeof link, state, "link.txt");
    path_in(link2, sizeof link2, state, "link2.txt");
    path_in(dangling, sizeof dangling, state, "dangling.txt");
    put_file(target, "old", 3);
    assert_int_equal(symlink("target.txt", link), 0);
    assert_int_equal(symlink("link.txt", link2), 0);
    assert_int_equal(symlink("created.txt", dangling), 0);
    assert_int_equal(
        mcpi_write_atomic(link2, "-o", MCPI_FILE_SHARED, write_text, "new", err, sizeof err),
        MCPI_OK);
    assert_int_equal(
        mcpi_write_atomic(dangling, "-o", MCPI_FILE_SHARED, write_text, "made", err, sizeof err),
        MCPI_OK);
    list_dir(state, names, sizeof names);
    assert_string_equal(names, "created.txt dangling.txt link.txt link2.txt target.txt");
    char *data = NULL;
    size_t len = 0;
    assert_int_equal(mcpi_read_file(link, "x", 100, &data, &len, err, sizeof err), MCPI_OK);
    assert_string_equal(data, "new");
    free(data);
    struct stat st;
    assert_int_equal(lstat(link2, &st), 0);
    assert_true(S_ISLNK(st.st_mode));
    assert_int_equal(
        mcpi_write_atomic("/dev/null", "-o", MCPI_FILE_SHARED, write_text, "x", err, sizeof err),
        MCPI_OK);
    assert_int_equal(stat("/dev/null", &st), 0);
    assert_true(S_ISCHR(st.st_mode));
    const scratch *s = *state;
    assert_int_equal(
        mcpi_write_atomic(s->dir, "-o", MCPI_FILE_SHARED, write_text, "x", err, sizeof err),
        MCPI_EIO);
    assert_non_null(strstr(err, "is a directory"));
}

/* Two spellings of one file are the same file, existing or not. */
static void test_same_file(void **state)
{
    char a[128], b[128], c[128], link[128];
    const scratch *s = *state;
    path_in(a, sizeof a, state, "ck.json");
    snprintf(b, sizeof b, "%s/./ck.json", s->dir);
    path_in(c, sizeof c, state, "other.json");
    path_in(link, sizeof link, state, "ln.json");
    assert_int_equal(mcpi_same_file(a, b), 1); /* neither exists yet */
    assert_int_equal(mcpi_same_file(a, c), 0);
    put_file(a, "{}", 2);
    assert_int_equal(symlink("ck.json", link), 0);
    assert_int_equal(mcpi_same_file(link, b), 1);
    assert_int_equal(mcpi_same_file(link, c), 0);
}

/* ---- mcpi_make_dirs ---------------------------------------------------------------- */

static int is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static void test_make_dirs(void **state)
{
    char path[128];
    path_in(path, sizeof path, state, "a/b/c");
    assert_int_equal(mcpi_make_dirs(path), MCPI_OK);
    assert_true(is_dir(path));
    assert_int_equal(mcpi_make_dirs(path), MCPI_OK); /* already there */
    path_in(path, sizeof path, state, "a/b/d/");
    assert_int_equal(mcpi_make_dirs(path), MCPI_OK); /* trailing slash */
    assert_true(is_dir(path));
    /* A file in the way. */
    path_in(path, sizeof path, state, "a/file");
    put_file(path, "x", 1);
    errno = 0;
    assert_int_equal(mcpi_make_dirs(path), MCPI_EIO);
    assert_int_equal(errno, ENOTDIR);
    path_in(path, sizeof path, state, "a/file/sub");
    errno = 0;
    assert_int_equal(mcpi_make_dirs(path), MCPI_EIO);
    assert_int_equal(errno, ENOTDIR);
    assert_int_equal(mcpi_make_dirs(""), MCPI_EIO);
}

/* ---- the cache directory ---------------------------------------------------------------- */

typedef struct saved_env {
    char *mcpi, *xdg, *home;
} saved_env;

static char *dup_env(const char *name)
{
    const char *v = getenv(name);
    return v ? strdup(v) : NULL;
}

static void restore_env(const char *name, char *v)
{
    if (v) {
        setenv(name, v, 1);
        free(v);
    } else {
        unsetenv(name);
    }
}

static void test_cache_dir(void **state)
{
    (void)state;
    saved_env s = {dup_env("MCPI_CACHE_DIR"), dup_env("XDG_CACHE_HOME"), dup_env("HOME")};
    char dir[64], err[MCPI_ERROR_LEN];
    setenv("MCPI_CACHE_DIR", "/m", 1);
    setenv("XDG_CACHE_HOME", "/x", 1);
    setenv("HOME", "/h", 1);
    assert_int_equal(mcpi_cache_dir(dir, sizeof dir, err, sizeof err), MCPI_OK);
    assert_string_equal(dir, "/m");
    setenv("MCPI_CACHE_DIR", "", 1); /* empty counts as unset */
    assert_int_equal(mcpi_cache_dir(dir, sizeof dir, err, sizeof err), MCPI_OK);
    assert_string_equal(dir, "/x/mcpi");
    unsetenv("XDG_CACHE_HOME");
    assert_int_equal(mcpi_cache_dir(dir, sizeof dir, err, sizeof err), MCPI_OK);
    assert_string_equal(dir, "/h/.cache/mcpi");
    setenv("HOME", "", 1);
    err[0] = '\0';
    assert_int_equal(mcpi_cache_dir(dir, sizeof dir, err, sizeof err), MCPI_EUNAVAIL);
    assert_non_null(strstr(err, "MCPI_CACHE_DIR"));
    setenv("HOME", "/a-home-directory-long-enough-to-overflow", 1);
    assert_int_equal(mcpi_cache_dir(dir, 40, err, sizeof err), MCPI_EINVAL);
    restore_env("MCPI_CACHE_DIR", s.mcpi);
    restore_env("XDG_CACHE_HOME", s.xdg);
    restore_env("HOME", s.home);
}

/* ---- FNV-1a ------------------------------------------------------------------------ */

static void test_fnv1a64_known_values(void **state)
{
    (void)state;
    /* Reference values of FNV-1a 64 (Fowler/Noll/Vo test suite). */
    assert_int_equal(mcpi_fnv1a(MCPI_FNV_OFFSET, "", 0), 0xcbf29ce484222325ull);
    assert_int_equal(mcpi_fnv1a(MCPI_FNV_OFFSET, "a", 1), 0xaf63dc4c8601ec8cull);
    assert_int_equal(mcpi_fnv1a(MCPI_FNV_OFFSET, "foobar", 6), 0x85944171f73967e8ull);
    /* Continuing from a hash is hashing the concatenation. */
    uint64_t h = mcpi_fnv1a(MCPI_FNV_OFFSET, "foo", 3);
    assert_int_equal(mcpi_fnv1a(h, "bar", 3), 0x85944171f73967e8ull);
    /* Bytes above 0x7f are bytes, not sign-extended chars. */
    const unsigned char hi[] = {0xff};
    uint64_t want = (0xcbf29ce484222325ull ^ 0xffu) * 0x100000001b3ull;
    assert_int_equal(mcpi_fnv1a(MCPI_FNV_OFFSET, hi, 1), want);
}

static void test_hash_parts(void **state)
{
    (void)state;
    const char *ab_c[] = {"ab", "c"}, *a_bc[] = {"a", "bc"}, *abc[] = {"abc"};
    assert_true(mcpi_hash_parts(ab_c, 2) != mcpi_hash_parts(a_bc, 2));
    assert_true(mcpi_hash_parts(ab_c, 2) != mcpi_hash_parts(abc, 1));
    /* Each part with its NUL: the same as hashing "ab\0c\0". */
    assert_int_equal(mcpi_hash_parts(ab_c, 2), mcpi_fnv1a(MCPI_FNV_OFFSET, "ab\0c", 5));
    /* NULL counts as "". */
    const char *with_null[] = {"x", NULL}, *with_empty[] = {"x", ""};
    assert_int_equal(mcpi_hash_parts(with_null, 2), mcpi_hash_parts(with_empty, 2));
    assert_int_equal(mcpi_hash_parts(NULL, 0), MCPI_FNV_OFFSET);
}

int main(void)
{
#define SCRATCH(t) cmocka_unit_test_setup_teardown(t, scratch_setup, scratch_teardown)
    const struct CMUnitTest tests[] = {
        SCRATCH(test_read_refuses_fifo),
        SCRATCH(test_read_refuses_directory),
        SCRATCH(test_read_size_limit),
        SCRATCH(test_read_missing),
        SCRATCH(test_read_empty_file),
        SCRATCH(test_read_exact_bytes),
        SCRATCH(test_write_failure_keeps_old_file),
        SCRATCH(test_write_missing_directory),
        SCRATCH(test_write_modes),
        SCRATCH(test_probe_writable),
        SCRATCH(test_write_follows_links_and_keeps_specials),
        SCRATCH(test_same_file),
        SCRATCH(test_make_dirs),
        cmocka_unit_test(test_cache_dir),
        cmocka_unit_test(test_fnv1a64_known_values),
        cmocka_unit_test(test_hash_parts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
