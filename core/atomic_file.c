/* eseal - writing an output atomically: temp file, fsync, rename. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "core_int.h"

#define COPY_CHUNK (1u << 20)

static int write_all(int fd, const unsigned char *p, size_t len,
    eseal_error *err)
{
    while (len > 0) {
        ssize_t n = write(fd, p, len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return eseal__error_set(err, ESEAL_EIO, "cannot write: %s",
                strerror(errno));
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Copies an input span: in-kernel when possible, else through a buffer. */
static int copy_span(int out_fd, const eseal_source *src, uint64_t off,
    uint64_t len, eseal_error *err)
{
    unsigned char *buf = NULL;
    int rc = 0;

    if (src->fd < 0)
        return write_all(out_fd, src->data + off, (size_t)len, err);
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

static int fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int rc = 0;

    if (fd < 0)
        return -1;
    if (fsync(fd) < 0 && errno != EINVAL)
        rc = -1;
    close(fd);
    return rc;
}

int eseal__write_spans_atomic(const char *path, const eseal_source *src,
    const eseal_bytes *tail, const eseal_ranges *spans,
    eseal_output_check check, void *payload, eseal_error *err)
{
    char *dir_copy = NULL, *tmp = NULL;
    const char *dir;
    struct stat st;
    mode_t mode = 0644, mask;
    int fd = -1, rc = 0;
    size_t i;

    dir_copy = strdup(path);
    if (dir_copy == NULL)
        return eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
    dir = dirname(dir_copy);
    if (asprintf(&tmp, "%s/.eseal-XXXXXX", dir) < 0) {
        tmp = NULL;
        rc = eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
        goto cleanup;
    }
    fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0) {
        rc = eseal__error_set(err, ESEAL_EIO,
            "%s: cannot create the output in %s: %s", path, dir,
            strerror(errno));
        free(tmp);
        tmp = NULL;
        goto cleanup;
    }
    /* the output keeps the mode of a file it replaces, else 0644 & umask */
    if (stat(path, &st) == 0) {
        mode = st.st_mode & 07777;
    } else {
        mask = umask(0);
        umask(mask);
        mode &= ~mask;
    }
    (void)fchmod(fd, mode);
    for (i = 0; i < spans->count && rc == 0; i++) {
        const eseal_span *s = &spans->span[i];

        if (s->origin == ESEAL_SPAN_TAIL)
            rc = write_all(fd, tail->data + s->off, (size_t)s->len, err);
        else
            rc = copy_span(fd, src, s->off, s->len, err);
    }
    if (rc == 0 && fsync(fd) < 0)
        rc = eseal__error_set(err, ESEAL_EIO, "%s: cannot flush: %s", path,
            strerror(errno));
    if (rc == 0 && check != NULL) {
        eseal_source written;

        if ((rc = eseal__source_open_file(&written, tmp, err)) == 0) {
            written.name = path;
            rc = check(&written, payload, err);
            eseal__source_close(&written);
        }
    }
    if (rc == 0 && rename(tmp, path) < 0)
        rc = eseal__error_set(err, ESEAL_EIO, "%s: cannot rename into "
            "place: %s", path, strerror(errno));
    if (rc == 0 && fsync_dir(dir) < 0)
        rc = eseal__error_set(err, ESEAL_EIO, "%s: cannot flush the "
            "directory %s", path, dir);
cleanup:
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
