/* files.c - atomic file writes, whole-file reads and the cache directory
 * (declared in mcpi.h, "files"). */

/* realpath(3) is XSI, beyond the POSIX level the build asks for. */
#define _XOPEN_SOURCE 700

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mcpi.h"

#define FS_PATH_LEN 4096
#define FS_TEMP_SUFFIX ".tmp.XXXXXX"

/* Makes the temporary beside path (mkstemp: a fresh name, so concurrent
 * writers - other ranks, other runs - never share one).  The fd, or -1 with
 * errno. */
static int open_temp(const char *path, char *tmp, size_t cap)
{
    int n = snprintf(tmp, cap, "%s" FS_TEMP_SUFFIX, path);
    if (n < 0 || (size_t)n >= cap) {
        errno = ENAMETOOLONG;
        return -1;
    }
    return mkstemp(tmp);
}

/* The process umask, left unchanged: Linux shows it in /proc/self/status;
 * elsewhere the umask(2) pair, whose brief window can only make a file
 * created meanwhile more private, never less. */
static mode_t current_umask(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    if (f != NULL) {
        char line[256];
        unsigned m;
        while (fgets(line, sizeof line, f) != NULL) {
            if (sscanf(line, "Umask: %o", &m) == 1) {
                fclose(f);
                return (mode_t)m;
            }
        }
        fclose(f);
    }
    mode_t m = umask(077);
    umask(m);
    return m;
}

/* The directory part of path ("." when it has none). */
static void dir_of(const char *path, char *dir, size_t cap)
{
    const char *slash = strrchr(path, '/');
    if (slash == NULL)
        snprintf(dir, cap, ".");
    else if (slash == path)
        snprintf(dir, cap, "/");
    else
        snprintf(dir, cap, "%.*s", (int)(slash - path), path);
}

/* Makes the rename durable; failure loses nothing already written. */
static void sync_dir_of(const char *path)
{
    char dir[FS_PATH_LEN];
    dir_of(path, dir, sizeof dir);
    int dfd = open(dir, O_RDONLY);
    if (dfd >= 0) {
        (void)fsync(dfd);
        close(dfd);
    }
}

/* ---- where a write lands --------------------------------------------------- */

/* Links followed before ELOOP, as the kernel does. */
#define FS_MAX_LINKS 40

/* path with every symbolic link of its last component followed (a link's
 * target is what mcpi replaces: the link stays).  A dangling link gives
 * the path its target would have.  0, or -1 with errno. */
static int follow_links(const char *path, char *out, size_t cap)
{
    char cur[FS_PATH_LEN];
    if ((size_t)snprintf(cur, sizeof cur, "%s", path) >= sizeof cur) {
        errno = ENAMETOOLONG;
        return -1;
    }
    for (int hops = 0; hops < FS_MAX_LINKS; ++hops) {
        struct stat st;
        if (lstat(cur, &st) != 0 || !S_ISLNK(st.st_mode)) {
            if ((size_t)snprintf(out, cap, "%s", cur) >= cap) {
                errno = ENAMETOOLONG;
                return -1;
            }
            return 0;
        }
        char link[FS_PATH_LEN], dir[FS_PATH_LEN];
        ssize_t n = readlink(cur, link, sizeof link - 1);
        if (n < 0)
            return -1;
        link[n] = '\0';
        dir_of(cur, dir, sizeof dir);
        int len = link[0] == '/' ? snprintf(cur, sizeof cur, "%s", link)
                                 : snprintf(cur, sizeof cur, "%s/%s", dir, link);
        if (len < 0 || (size_t)len >= sizeof cur) {
            errno = ENAMETOOLONG;
            return -1;
        }
    }
    errno = ELOOP;
    return -1;
}

typedef enum { TARGET_REPLACE, TARGET_IN_PLACE } fs_how;

/* How a write to path lands: an absent or regular file is replaced
 * atomically; a character device or a FIFO (/dev/null, a terminal, a pipe
 * to a reader) is written in place, never replaced; anything else (a
 * directory, a socket, a block device) is refused.  real gets the path
 * with links followed.  0, or MCPI_EINVAL with "LABEL: ..." in err. */
static int write_target(const char *path, const char *label, char *real, size_t cap, fs_how *how,
                        char *err, size_t errlen)
{
    struct stat st;
    *how = TARGET_REPLACE;
    if (follow_links(path, real, cap) != 0) {
        mcpi_set_error(err, errlen, "%s: cannot write '%s': %s", label, path, strerror(errno));
        return MCPI_EINVAL;
    }
    if (stat(real, &st) != 0 || S_ISREG(st.st_mode))
        return MCPI_OK; /* absent (its directory is checked when written) or a regular file */
    if (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode)) {
        *how = TARGET_IN_PLACE;
        return MCPI_OK;
    }
    mcpi_set_error(err, errlen, "%s: '%s' is %s; expected a file path", label, path,
                   S_ISDIR(st.st_mode) ? "a directory" : "not a regular file");
    return MCPI_EINVAL;
}

/* Runs writer into f and flushes it: 0, or writer's code (MCPI_EIO when
 * only the flush failed) with *e the cause. */
static int fill(FILE *f, int (*writer)(FILE *out, const void *ctx), const void *ctx, int *e)
{
    errno = 0;
    int wrc = writer(f, ctx);
    if (wrc == MCPI_OK && fflush(f) == 0 && !ferror(f))
        return MCPI_OK;
    *e = errno != 0 ? errno : EIO;
    return wrc != MCPI_OK ? wrc : MCPI_EIO;
}

/* Writes into an existing character device or FIFO (opened as a shell's
 * redirection would: a FIFO waits for its reader). */
static int write_in_place(const char *path, const char *label,
                          int (*writer)(FILE *out, const void *ctx), const void *ctx, char *err,
                          size_t errlen)
{
    const char *step = "open";
    int rc = MCPI_EIO, e = EIO;
    FILE *f = NULL;
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0 || (f = fdopen(fd, "w")) == NULL) {
        e = errno;
        if (fd >= 0)
            close(fd);
        goto fail;
    }
    step = "write";
    if ((rc = fill(f, writer, ctx, &e)) != MCPI_OK) {
        fclose(f);
        goto fail;
    }
    rc = MCPI_EIO;
    if (fclose(f) == 0)
        return MCPI_OK;
    e = errno;
fail:
    mcpi_set_error(err, errlen, "%s: cannot %s '%s': %s", label, step, path,
                   rc == MCPI_ENOMEM ? mcpi_strerror(rc) : strerror(e));
    errno = e;
    return rc;
}

/* ---- atomic writes ------------------------------------------------------------ */

/* Fills a temporary beside path and renames it over path. */
static int replace_file(const char *path, const char *label, mcpi_file_mode mode,
                        int (*writer)(FILE *out, const void *ctx), const void *ctx, char *err,
                        size_t errlen)
{
    char tmp[FS_PATH_LEN + sizeof FS_TEMP_SUFFIX];
    const char *step = "write";
    int rc = MCPI_EIO, e = EIO;
    FILE *f = NULL;
    int fd = open_temp(path, tmp, sizeof tmp);
    if (fd < 0) {
        e = errno;
        goto fail;
    }
    /* mkstemp makes the file 0600; a shared file gets what open() gave it. */
    if ((mode == MCPI_FILE_SHARED && fchmod(fd, 0644 & ~current_umask()) != 0) ||
        (f = fdopen(fd, "w")) == NULL) {
        e = errno;
        close(fd);
        goto fail_tmp;
    }
    if ((rc = fill(f, writer, ctx, &e)) != MCPI_OK) {
        fclose(f);
        goto fail_tmp;
    }
    rc = MCPI_EIO;
    step = "fsync";
    if (fsync(fileno(f)) != 0) {
        e = errno;
        fclose(f);
        goto fail_tmp;
    }
    step = "close";
    if (fclose(f) != 0) {
        e = errno;
        goto fail_tmp;
    }
    step = "rename";
    if (rename(tmp, path) != 0) {
        e = errno;
        goto fail_tmp;
    }
    sync_dir_of(path);
    return MCPI_OK;

fail_tmp:
    unlink(tmp);
fail:
    /* the writer's own failure (out of memory) is not the file's */
    mcpi_set_error(err, errlen, "%s: cannot %s '%s': %s", label, step, path,
                   rc == MCPI_ENOMEM ? mcpi_strerror(rc) : strerror(e));
    errno = e;
    return rc;
}

int mcpi_write_atomic(const char *path, const char *label, mcpi_file_mode mode,
                      int (*writer)(FILE *out, const void *ctx), const void *ctx, char *err,
                      size_t errlen)
{
    char real[FS_PATH_LEN];
    fs_how how;
    if (write_target(path, label, real, sizeof real, &how, err, errlen) != MCPI_OK) {
        errno = EINVAL;
        return MCPI_EIO;
    }
    if (how == TARGET_IN_PLACE)
        return write_in_place(real, label, writer, ctx, err, errlen);
    return replace_file(real, label, mode, writer, ctx, err, errlen);
}

typedef struct fs_bytes {
    const void *data;
    size_t len;
} fs_bytes;

static int write_bytes(FILE *out, const void *ctx)
{
    const fs_bytes *b = ctx;
    return b->len == 0 || fwrite(b->data, b->len, 1, out) == 1 ? MCPI_OK : MCPI_EIO;
}

int mcpi_write_atomic_bytes(const char *path, const char *label, mcpi_file_mode mode,
                            const void *data, size_t len, char *err, size_t errlen)
{
    fs_bytes b = {data, len};
    return mcpi_write_atomic(path, label, mode, write_bytes, &b, err, errlen);
}

int mcpi_probe_writable(const char *path, const char *label, char *err, size_t errlen)
{
    char real[FS_PATH_LEN];
    fs_how how;
    int rc = write_target(path, label, real, sizeof real, &how, err, errlen);
    if (rc != MCPI_OK)
        return rc;
    if (how == TARGET_IN_PLACE) {
        if (access(real, W_OK) == 0)
            return MCPI_OK;
        mcpi_set_error(err, errlen, "%s: cannot write '%s': %s", label, path, strerror(errno));
        return MCPI_EINVAL;
    }
    char tmp[FS_PATH_LEN + sizeof FS_TEMP_SUFFIX];
    int fd = open_temp(real, tmp, sizeof tmp);
    if (fd < 0) {
        mcpi_set_error(err, errlen, "%s: cannot write '%s': %s", label, path, strerror(errno));
        return MCPI_EINVAL;
    }
    close(fd);
    unlink(tmp);
    return MCPI_OK;
}

/* path with links followed and its directory made absolute (the file
 * itself may not exist yet).  0 or -1. */
static int canonical(const char *path, char *out, size_t cap)
{
    char real[FS_PATH_LEN], dir[FS_PATH_LEN], absdir[PATH_MAX];
    if (follow_links(path, real, sizeof real) != 0)
        return -1;
    dir_of(real, dir, sizeof dir);
    const char *slash = strrchr(real, '/');
    if (realpath(dir, absdir) == NULL)
        return -1;
    int n = snprintf(out, cap, "%s/%s", absdir, slash ? slash + 1 : real);
    return n < 0 || (size_t)n >= cap ? -1 : 0;
}

int mcpi_same_file(const char *a, const char *b)
{
    char ra[FS_PATH_LEN], rb[FS_PATH_LEN];
    struct stat sa, sb;
    if (follow_links(a, ra, sizeof ra) == 0 && follow_links(b, rb, sizeof rb) == 0 &&
        stat(ra, &sa) == 0 && stat(rb, &sb) == 0)
        return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
    char ca[FS_PATH_LEN + NAME_MAX + 2], cb[FS_PATH_LEN + NAME_MAX + 2];
    if (canonical(a, ca, sizeof ca) == 0 && canonical(b, cb, sizeof cb) == 0)
        return strcmp(ca, cb) == 0;
    return strcmp(a, b) == 0;
}

static const char *env_nonempty(const char *name)
{
    const char *v = getenv(name);
    return v != NULL && v[0] != '\0' ? v : NULL;
}

int mcpi_cache_dir(char *dir, size_t dirlen, char *err, size_t errlen)
{
    const char *v;
    int n;
    if ((v = env_nonempty("MCPI_CACHE_DIR")) != NULL)
        n = snprintf(dir, dirlen, "%s", v);
    else if ((v = env_nonempty("XDG_CACHE_HOME")) != NULL)
        n = snprintf(dir, dirlen, "%s/mcpi", v);
    else if ((v = env_nonempty("HOME")) != NULL)
        n = snprintf(dir, dirlen, "%s/.cache/mcpi", v);
    else {
        mcpi_set_error(err, errlen,
                       "no cache directory: set MCPI_CACHE_DIR, XDG_CACHE_HOME or HOME");
        return MCPI_EUNAVAIL;
    }
    if (n < 0 || (size_t)n >= dirlen) {
        mcpi_set_error(err, errlen, "cache directory path too long (more than %zu bytes)",
                       dirlen - 1);
        return MCPI_EINVAL;
    }
    return MCPI_OK;
}

int mcpi_make_dirs(const char *dir)
{
    char buf[FS_PATH_LEN];
    size_t n = strlen(dir);
    if (n == 0 || n >= sizeof buf) {
        errno = ENAMETOOLONG;
        return MCPI_EIO;
    }
    memcpy(buf, dir, n + 1);
    for (size_t i = 1; i <= n; ++i) {
        if (buf[i] != '/' && buf[i] != '\0')
            continue;
        char saved = buf[i];
        buf[i] = '\0';
        if (mkdir(buf, 0777) != 0 && errno != EEXIST)
            return MCPI_EIO;
        buf[i] = saved;
    }
    struct stat st;
    if (stat(dir, &st) != 0)
        return MCPI_EIO;
    if (!S_ISDIR(st.st_mode)) {
        errno = ENOTDIR;
        return MCPI_EIO;
    }
    return MCPI_OK;
}

/* Reads what fd holds (a regular file of st_size bytes, at most max) into
 * a buffer with a NUL after it. */
static int read_fd(int fd, const struct stat *st, size_t max, char **data, size_t *len)
{
    if ((uint64_t)st->st_size > (uint64_t)max) {
        errno = EFBIG;
        return MCPI_EIO;
    }
    size_t cap = (size_t)st->st_size, n = 0;
    char *buf = malloc(cap + 1);
    if (buf == NULL)
        return MCPI_ENOMEM;
    /* The size is a hint (the file may change): read to EOF, at most max. */
    for (;;) {
        if (n == cap) {
            if (cap >= max) {
                char probe;
                ssize_t r = read(fd, &probe, 1);
                if (r == 0)
                    break;
                free(buf);
                errno = r < 0 ? errno : EFBIG;
                return MCPI_EIO;
            }
            size_t ncap = cap < 4096 ? 4096 : cap * 2;
            ncap = ncap > max ? max : ncap;
            char *nb = realloc(buf, ncap + 1);
            if (nb == NULL) {
                free(buf);
                return MCPI_ENOMEM;
            }
            buf = nb;
            cap = ncap;
        }
        ssize_t r = read(fd, buf + n, cap - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            free(buf);
            return MCPI_EIO;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    buf[n] = '\0';
    *data = buf;
    *len = n;
    return MCPI_OK;
}

int mcpi_read_file(const char *path, const char *label, size_t max, char **data, size_t *len,
                   char *err, size_t errlen)
{
    *data = NULL;
    *len = 0;
    /* O_NONBLOCK: opening a FIFO without a writer would otherwise block
     * before fstat could tell what it is. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        mcpi_set_error(err, errlen, "%s: cannot read '%s': %s", label, path, strerror(e));
        errno = e;
        return e == ENOENT ? MCPI_EUNAVAIL : MCPI_EIO;
    }
    struct stat st;
    int rc = MCPI_EIO;
    errno = 0;
    if (fstat(fd, &st) != 0) {
        mcpi_set_error(err, errlen, "%s: cannot read '%s': %s", label, path, strerror(errno));
    } else if (!S_ISREG(st.st_mode)) {
        errno = EINVAL;
        mcpi_set_error(err, errlen, "%s: '%s' is not a regular file%s", label, path,
                       S_ISDIR(st.st_mode) ? " (a directory)" : "");
    } else if ((rc = read_fd(fd, &st, max, data, len)) == MCPI_ENOMEM) {
        mcpi_set_error(err, errlen, "%s: '%s': out of memory", label, path);
    } else if (rc != MCPI_OK && errno == EFBIG) {
        mcpi_set_error(err, errlen, "%s: '%s' is larger than %zu bytes", label, path, max);
    } else if (rc != MCPI_OK) {
        mcpi_set_error(err, errlen, "%s: cannot read '%s': %s", label, path, strerror(errno));
    }
    int e = errno;
    close(fd);
    errno = e; /* EFBIG tells a caller the file was too large */
    return rc;
}
