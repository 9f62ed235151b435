/*
 * eseal - writing an output atomically.
 *
 * The output is written to an unnamed file in the target directory
 * (O_TMPFILE), flushed, and linked under its name in one step: a process
 * killed at any moment leaves either no output or a complete one, and no
 * temporary file.  A file that is already there is replaced by linking
 * under a temporary name and renaming over it (the temporary name exists
 * between those two calls only).  File systems without O_TMPFILE get a
 * named temporary file ".eseal-XXXXXX", renamed into place.
 *
 * A batch (core/batch.c) captures outputs instead, to flush many with one
 * syncfs() and link them afterwards (core/output.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>
#include <openssl/evp.h>
#include "output.h"

#define COPY_CHUNK (1u << 20)
#define HASH_CHUNK (1u << 20)
#define WRITEBACK_MIN (1u << 20)

static _Thread_local eseal_capture *tls_capture;

void eseal__capture_set(eseal_capture *capture)
{
    tls_capture = capture;
}


/* The input's bytes are in memory: a buffer, or a small file read whole
 * (a mapped file is read through its descriptor, page cache to page
 * cache). */
static int in_memory(const eseal_source *src)
{
    return src->fd < 0 || src->in_heap;
}

/* Writes the iovecs whole (at most ESEAL_MAX_SPANS); they are consumed. */
static int writev_all(int fd, struct iovec *iov, int n, eseal_error *err)
{
    while (n > 0) {
        ssize_t w = writev(fd, iov, n);

        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return eseal__error_set(err, ESEAL_EIO, "cannot write: %s",
                strerror(errno));
        while (n > 0 && (size_t)w >= iov->iov_len) {
            w -= (ssize_t)iov->iov_len;
            iov++;
            n--;
        }
        if (n > 0) {
            iov->iov_base = (unsigned char *)iov->iov_base + w;
            iov->iov_len -= (size_t)w;
        }
    }
    return 0;
}

static int write_all(int fd, const unsigned char *p, size_t len,
    eseal_error *err)
{
    struct iovec one = { (void *)p, len };

    return writev_all(fd, &one, 1, err);
}

/* Copies a span of a file-backed input: in the kernel when possible, else
 * through a buffer. */
static int copy_span(int out_fd, const eseal_source *src, uint64_t off,
    uint64_t len, eseal_error *err)
{
    unsigned char *buf = NULL;
    int rc = 0;

    while (len > 0) {
        loff_t in_off = (loff_t)off;
        ssize_t n = copy_file_range(src->fd, &in_off, out_fd, NULL,
            len < (1u << 30) ? (size_t)len : (1u << 30), 0);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break; /* not supported here (or EOF): fall back */
        off += (uint64_t)n;
        len -= (uint64_t)n;
    }
    while (len > 0 && rc == 0) {
        size_t want = len < COPY_CHUNK ? (size_t)len : COPY_CHUNK;
        ssize_t n;

        if (buf == NULL && (buf = malloc(COPY_CHUNK)) == NULL)
            return eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
        n = pread(src->fd, buf, want, (off_t)off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            rc = eseal__error_set(err, ESEAL_EIO, "cannot read the input");
            break;
        }
        rc = write_all(out_fd, buf, (size_t)n, err);
        off += (uint64_t)n;
        len -= (uint64_t)n;
    }
    free(buf);
    return rc;
}

int eseal__fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int rc = 0, e;

    if (fd < 0)
        return -1;
    if (fsync(fd) < 0 && errno != EINVAL)
        rc = -1;
    e = errno;
    close(fd);
    errno = e;
    return rc;
}

/* ---- the process's umask, read without changing it -------------------- */

static pthread_once_t umask_once = PTHREAD_ONCE_INIT;
static mode_t umask_value = 022;

static void umask_init(void)
{
    FILE *f = fopen("/proc/self/status", "re");
    char line[128];
    unsigned int v;

    if (f != NULL) {
        while (fgets(line, sizeof(line), f) != NULL) {
            if (sscanf(line, "Umask: %o", &v) == 1) {
                umask_value = (mode_t)v & 0777;
                fclose(f);
                return;
            }
        }
        fclose(f);
    }
    /* no /proc: the classic dance, once, before the threads write files */
    umask_value = umask(022);
    umask(umask_value);
}

static mode_t current_umask(void)
{
    pthread_once(&umask_once, umask_init);
    return umask_value;
}

/* ---- temporary files ---------------------------------------------------- */

static int have_proc_fd(void)
{
    static int cached = -1;

    if (cached < 0)
        cached = access("/proc/self/fd", X_OK) == 0;
    return cached;
}

/*
 * Opens the temporary output in dir with the final mode: unnamed when the
 * file system can (*tmp = NULL), else named (*tmp = its path).  A new file
 * gets 0644 less the umask (or the directory's default ACL) from the
 * kernel; the mode of a file it replaces is set explicitly.
 */
static int open_temp(int *fd_out, char **tmp, const char *dir, mode_t mode,
    int replacing, const char *path, eseal_error *err)
{
    int fd = -1;

    *tmp = NULL;
    if (have_proc_fd()) {
        fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC,
            replacing ? 0600 : 0644);
        if (fd < 0 && errno != EOPNOTSUPP && errno != EISDIR &&
            errno != EINVAL && errno != ENOENT)
            return eseal__error_set(err, ESEAL_EIO,
                "%s: cannot create the output in %s: %s", path, dir,
                strerror(errno));
    }
    if (fd < 0) {
        if (asprintf(tmp, "%s/.eseal-XXXXXX", dir) < 0) {
            *tmp = NULL;
            return eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
        }
        fd = mkostemp(*tmp, O_CLOEXEC);
        if (fd < 0) {
            int e = errno;

            free(*tmp);
            *tmp = NULL;
            return eseal__error_set(err, ESEAL_EIO,
                "%s: cannot create the output in %s: %s", path, dir,
                strerror(e));
        }
    }
    if (replacing || *tmp != NULL)
        (void)fchmod(fd, mode);
    *fd_out = fd;
    return 0;
}

/* Links the unnamed file fd as path; replaces a file that is there. */
static int link_unnamed(int fd, const char *path, const char *dir,
    eseal_error *err)
{
    char proc[64], *tmp = NULL;
    int attempt, rc = 0;

    snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
    if (linkat(AT_FDCWD, proc, AT_FDCWD, path, AT_SYMLINK_FOLLOW) == 0)
        return 0;
    if (errno != EEXIST)
        return eseal__error_set(err, ESEAL_EIO, "%s: cannot link the output "
            "into place: %s", path, strerror(errno));
    /* replace: a fresh temporary name, then rename over the old file */
    for (attempt = 0; attempt < 100; attempt++) {
        unsigned long r = 0;

        if (getrandom(&r, sizeof(r), 0) != (ssize_t)sizeof(r))
            r = (unsigned long)random() ^ ((unsigned long)getpid() << 16);
        free(tmp);
        if (asprintf(&tmp, "%s/.eseal-%012lx", dir, r & 0xffffffffffffUL)
            < 0) {
            tmp = NULL;
            return eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
        }
        if (linkat(AT_FDCWD, proc, AT_FDCWD, tmp, AT_SYMLINK_FOLLOW) == 0)
            break;
        if (errno != EEXIST) {
            rc = eseal__error_set(err, ESEAL_EIO, "%s: cannot link the "
                "output: %s", path, strerror(errno));
            goto cleanup;
        }
    }
    if (attempt == 100) {
        rc = eseal__error_set(err, ESEAL_EIO, "%s: cannot find a free "
            "temporary name in %s", path, dir);
        goto cleanup;
    }
    if (rename(tmp, path) < 0) {
        rc = eseal__error_set(err, ESEAL_EIO, "%s: cannot rename into "
            "place: %s", path, strerror(errno));
        unlink(tmp);
    }
cleanup:
    free(tmp);
    return rc;
}

int eseal__pending_link(eseal_pending *p, eseal_error *err)
{
    int rc;

    if (p->tmp != NULL) {
        rc = rename(p->tmp, p->path) < 0 ?
            eseal__error_set(err, ESEAL_EIO, "%s: cannot rename into "
                "place: %s", p->path, strerror(errno)) : 0;
        if (rc == 0) {
            free(p->tmp);
            p->tmp = NULL;
        }
    } else {
        rc = link_unnamed(p->fd, p->path, p->dir, err);
    }
    return rc;
}

void eseal__pending_discard(eseal_pending *p)
{
    if (p == NULL)
        return;
    if (p->fd >= 0)
        close(p->fd);
    if (p->tmp != NULL)
        unlink(p->tmp);
    free(p->tmp);
    free(p->path);
    free(p->dir);
    memset(p, 0, sizeof(*p));
    p->fd = -1;
}

/* ---- digests for the audit log ------------------------------------------ */

/* Feeds bytes [off, off+len) of the source: pread for files. */
static int hash_source(EVP_MD_CTX *ctx, const eseal_source *src,
    uint64_t off, uint64_t len, unsigned char **buf, eseal_error *err)
{
    if (in_memory(src)) {
        EVP_DigestUpdate(ctx, src->data + off, (size_t)len);
        return 0;
    }
    while (len > 0) {
        size_t want = len < HASH_CHUNK ? (size_t)len : HASH_CHUNK;
        ssize_t n;

        if (*buf == NULL && (*buf = malloc(HASH_CHUNK)) == NULL)
            return eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
        n = pread(src->fd, *buf, want, (off_t)off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return eseal__error_set(err, ESEAL_EIO, "cannot read the input");
        EVP_DigestUpdate(ctx, *buf, (size_t)n);
        off += (uint64_t)n;
        len -= (uint64_t)n;
    }
    return 0;
}

/*
 * SHA-256 of the input and of the output the spans describe.  When the
 * output starts with the whole input (a PDF update), the input's digest
 * state goes on with the rest: the input is read once.
 */
static int hash_in_out(eseal_pending *p, const eseal_source *src,
    const eseal_bytes *tail, const eseal_ranges *spans, eseal_error *err)
{
    EVP_MD_CTX *in = EVP_MD_CTX_new(), *out = EVP_MD_CTX_new();
    unsigned char *buf = NULL;
    size_t i;
    int out_continues_in = 0, rc = 0;

    if (in == NULL || out == NULL ||
        EVP_DigestInit_ex(in, EVP_sha256(), NULL) != 1) {
        rc = eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
        goto cleanup;
    }
    if ((rc = hash_source(in, src, 0, src->size, &buf, err)) < 0)
        goto cleanup;
    if (spans->count > 0 && spans->span[0].origin == ESEAL_SPAN_INPUT &&
        spans->span[0].off == 0 && spans->span[0].len == src->size) {
        if (EVP_MD_CTX_copy_ex(out, in) != 1)
            goto fail;
        out_continues_in = 1;
    } else if (EVP_DigestInit_ex(out, EVP_sha256(), NULL) != 1) {
        goto fail;
    }
    p->in_size = src->size;
    p->out_size = 0;
    for (i = 0; i < spans->count; i++)
        p->out_size += spans->span[i].len;
    i = out_continues_in ? 1 : 0;
    for (; i < spans->count; i++) {
        const eseal_span *s = &spans->span[i];

        if (s->origin == ESEAL_SPAN_TAIL)
            EVP_DigestUpdate(out, tail->data + s->off, (size_t)s->len);
        else if ((rc = hash_source(out, src, s->off, s->len, &buf,
                      err)) < 0)
            goto cleanup;
    }
    if (EVP_DigestFinal_ex(in, p->in_sha256, NULL) != 1 ||
        EVP_DigestFinal_ex(out, p->out_sha256, NULL) != 1)
        goto fail;
    p->hashed = 1;
    goto cleanup;
fail:
    rc = eseal__error_ossl(err, ESEAL_ECRYPTO, "SHA-256");
cleanup:
    free(buf);
    EVP_MD_CTX_free(in);
    EVP_MD_CTX_free(out);
    return rc;
}

int eseal__sha256_file(unsigned char out[32], const char *path,
    eseal_error *err)
{
    eseal_source src;
    EVP_MD_CTX *ctx = NULL;
    unsigned char *buf = NULL;
    struct stat st;
    int rc = 0;

    memset(&src, 0, sizeof(src));
    src.fd = open(path, O_RDONLY | O_CLOEXEC);
    if (src.fd < 0 || fstat(src.fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        rc = eseal__error_set(err, ESEAL_EIO, "cannot read");
        goto cleanup;
    }
    src.size = (uint64_t)st.st_size;
    ctx = EVP_MD_CTX_new();
    if (ctx == NULL || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
        rc = eseal__error_ossl(err, ESEAL_ENOMEM, "SHA-256");
        goto cleanup;
    }
    if ((rc = hash_source(ctx, &src, 0, src.size, &buf, err)) == 0 &&
        EVP_DigestFinal_ex(ctx, out, NULL) != 1)
        rc = eseal__error_ossl(err, ESEAL_ECRYPTO, "SHA-256");
cleanup:
    free(buf);
    EVP_MD_CTX_free(ctx);
    if (src.fd >= 0)
        close(src.fd);
    return rc;
}

/* ---- the writer --------------------------------------------------------- */

/* The output the spans describe, into fd: one writev() when the input is
 * in memory, else span by span. */
static int write_spans(int fd, const eseal_source *src,
    const eseal_bytes *tail, const eseal_ranges *spans, eseal_error *err)
{
    struct iovec iov[ESEAL_MAX_SPANS];
    size_t i;
    int rc = 0;

    if (in_memory(src)) {
        for (i = 0; i < spans->count; i++) {
            const eseal_span *s = &spans->span[i];
            const unsigned char *base = s->origin == ESEAL_SPAN_TAIL ?
                tail->data : src->data;

            iov[i].iov_base = (void *)(base + s->off);
            iov[i].iov_len = (size_t)s->len;
        }
        return writev_all(fd, iov, (int)spans->count, err);
    }
    for (i = 0; i < spans->count && rc == 0; i++) {
        const eseal_span *s = &spans->span[i];

        if (s->origin == ESEAL_SPAN_TAIL)
            rc = write_all(fd, tail->data + s->off, (size_t)s->len, err);
        else
            rc = copy_span(fd, src, s->off, s->len, err);
    }
    return rc;
}

int eseal__write_spans_atomic(const char *path, const eseal_source *src,
    const eseal_bytes *tail, const eseal_ranges *spans,
    eseal_output_check check, void *payload, eseal_error *err)
{
    eseal_capture *cap = tls_capture;
    char *dir_copy = NULL, *tmp = NULL, proc[64];
    const char *dir;
    struct stat st;
    mode_t mode;
    int fd = -1, rc = 0, replacing;

    dir_copy = strdup(path);
    if (dir_copy == NULL)
        return eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
    dir = dirname(dir_copy);
    /* the output keeps the mode of a file it replaces, else 0644 & umask */
    replacing = stat(path, &st) == 0;
    mode = replacing ? st.st_mode & 07777 : 0644 & ~current_umask();
    if ((rc = open_temp(&fd, &tmp, dir, mode, replacing, path, err)) < 0)
        goto cleanup;
    if (cap != NULL) {
        const eseal_adapter *a = eseal__adapter_find(ESEAL_FORMAT_AUTO,
            src->data, src->size < 1024 ? (size_t)src->size : 1024);

        cap->out.format = a != NULL ? a->format : ESEAL_FORMAT_AUTO;
        if (cap->hash &&
            (rc = hash_in_out(&cap->out, src, tail, spans, err)) < 0)
            goto cleanup;
    }
    rc = write_spans(fd, src, tail, spans, err);
    if (rc < 0)
        goto cleanup;
    if (cap == NULL && fsync(fd) < 0) {
        rc = eseal__error_set(err, ESEAL_EIO, "%s: cannot flush: %s", path,
            strerror(errno));
        goto cleanup;
    }
    /* a large output: start its write-back now, the commit's flush
     * then finds it mostly done (small ones are not worth a call) */
    if (cap != NULL && !cap->no_sync && src->size >= WRITEBACK_MIN)
        (void)sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
    if (check != NULL) {
        eseal_source written;

        snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
        if ((rc = eseal__source_open_file(&written, tmp ? tmp : proc,
                 err)) < 0)
            goto cleanup;
        written.name = path;
        rc = check(&written, payload, err);
        eseal__source_close(&written);
        if (rc < 0)
            goto cleanup;
    }
    if (cap != NULL) {
        cap->out.path = strdup(path);
        cap->out.dir = strdup(dir);
        if (cap->out.path == NULL || cap->out.dir == NULL) {
            rc = eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
            goto cleanup;
        }
        cap->out.fd = fd;
        cap->out.tmp = tmp;
        cap->out.dev = fstat(fd, &st) == 0 ? st.st_dev : 0;
        cap->captured = 1;
        fd = -1;     /* owned by the capture now */
        tmp = NULL;
        goto cleanup;
    }
    if (tmp != NULL) {
        if (rename(tmp, path) < 0)
            rc = eseal__error_set(err, ESEAL_EIO, "%s: cannot rename into "
                "place: %s", path, strerror(errno));
    } else {
        rc = link_unnamed(fd, path, dir, err);
    }
    if (rc == 0 && eseal__fsync_dir(dir) < 0)
        rc = eseal__error_set(err, ESEAL_EIO, "%s: cannot flush the "
            "directory %s", path, dir);
cleanup:
    if (rc < 0 && cap != NULL && cap->captured == 0) {
        free(cap->out.path);
        free(cap->out.dir);
        cap->out.path = NULL;
        cap->out.dir = NULL;
    }
    if (fd >= 0)
        close(fd);
    if (rc < 0 && tmp != NULL)
        unlink(tmp);
    free(tmp);
    free(dir_copy);
    return rc;
}

int eseal_file_write_atomic(const char *path, const unsigned char *data,
    size_t len, eseal_error *err)
{
    eseal_source src;
    eseal_ranges spans;

    if (path == NULL || (data == NULL && len > 0))
        return eseal__error_set(err, ESEAL_EINVAL, "invalid argument");
    eseal__source_init_buffer(&src, data, len, path);
    memset(&spans, 0, sizeof(spans));
    if (len > 0)
        (void)eseal__ranges_add(&spans, ESEAL_SPAN_INPUT, 0, len);
    return eseal__write_spans_atomic(path, &src, NULL, &spans, NULL, NULL,
        err);
}
