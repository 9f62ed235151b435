/*
 * eseal - the audit log.
 *
 * Lines are appended with O_APPEND, all the lines of one call in a single
 * write(), while holding an exclusive flock() (which also orders writers
 * on file systems where O_APPEND alone is not atomic, such as NFS).
 * Durability is a group commit: a thread that has written its lines joins
 * the list of waiters; if no fdatasync() is running it runs one itself
 * (without the mutex, so that others go on writing), otherwise it waits,
 * and the next fdatasync() covers every line written before it began.
 * Each waiter learns the result of the fdatasync() that covered it.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/sha.h>
#include <eseal/audit.h>
#include "core_int.h"
#include "certinfo_int.h"

#define MAX_LINES (1u << 20)

/* An appender whose lines wait for a flush (on its stack). */
typedef struct waiter {
    uint64_t seq;
    int done;
    int error;                 /* errno of the flush that covered it */
    struct waiter *next;
} waiter;

struct eseal_audit {
    int fd;
    unsigned int flags;
    char *path;
    char host[256];
    pthread_mutex_t lock;      /* everything below, and the writes */
    pthread_cond_t cond;       /* a flush or a reopen ended */
    uint64_t seq;              /* appends written so far */
    waiter *waiters;           /* written, not yet flushed */
    int syncing;               /* a thread runs fdatasync() */
    int reopening;             /* eseal_audit_reopen() holds off writers */
    /* the certificate last described, and its serial and issuer */
    const X509 *cert;
    char *serial;
    char *issuer;
};

/* The file at path for appending (0640 less the umask), or -1 and errno
 * (EINVAL: not a regular file).  O_NONBLOCK: a FIFO without a reader is
 * refused (ENXIO), not waited for. */
static int open_log(const char *path)
{
    struct stat st;
    int e, fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC |
        O_NOCTTY | O_NONBLOCK, 0640);

    if (fd < 0 && errno == ENXIO)
        errno = EINVAL;
    if (fd < 0)
        return -1;
    if (fstat(fd, &st) < 0)
        e = errno;
    else if (!S_ISREG(st.st_mode))
        e = EINVAL;
    else
        return fd;
    close(fd);
    errno = e;
    return -1;
}

static const char *open_error(int e)
{
    return e == EINVAL ? "not a regular file" : strerror(e);
}

int eseal_audit_open(eseal_audit **out, const char *path,
    unsigned int flags, eseal_error *err)
{
    eseal_audit *a;

    if (out == NULL || path == NULL)
        return eseal__error_set(err, ESEAL_EINVAL, "invalid argument");
    *out = NULL;
    a = calloc(1, sizeof(*a));
    if (a == NULL || (a->path = strdup(path)) == NULL) {
        free(a);
        return eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
    }
    a->flags = flags;
    a->fd = open_log(path);
    if (a->fd < 0) {
        int e = errno;

        free(a->path);
        free(a);
        return eseal__error_set(err, ESEAL_EIO, "%s: cannot open the audit "
            "log: %s", path, open_error(e));
    }
    if (gethostname(a->host, sizeof(a->host) - 1) < 0)
        strcpy(a->host, "localhost");
    pthread_mutex_init(&a->lock, NULL);
    pthread_cond_init(&a->cond, NULL);
    *out = a;
    return 0;
}

void eseal_audit_close(eseal_audit *a)
{
    if (a == NULL)
        return;
    close(a->fd);
    pthread_cond_destroy(&a->cond);
    pthread_mutex_destroy(&a->lock);
    free(a->serial);
    free(a->issuer);
    free(a->path);
    free(a);
}

/*
 * One fdatasync() for every line written so far; its result goes to the
 * waiters it covers.  Called with a->lock held, no flush running and
 * waiters present; releases the lock meanwhile.
 */
static void flush_round(eseal_audit *a)
{
    uint64_t upto = a->seq;
    waiter **pp;
    int r, e = 0;

    a->syncing = 1;
    pthread_mutex_unlock(&a->lock);
    while ((r = fdatasync(a->fd)) < 0 && errno == EINTR)
        ;
    if (r < 0)
        e = errno;
    pthread_mutex_lock(&a->lock);
    a->syncing = 0;
    for (pp = &a->waiters; *pp != NULL;) {
        waiter *w = *pp;

        if (w->seq <= upto) {
            w->done = 1;
            w->error = e;
            *pp = w->next;
        } else {
            pp = &w->next;
        }
    }
    pthread_cond_broadcast(&a->cond);
}

int eseal_audit_reopen(eseal_audit *a, eseal_error *err)
{
    int fd, e, rc = 0;

    if (a == NULL)
        return eseal__error_set(err, ESEAL_EINVAL, "invalid argument");
    pthread_mutex_lock(&a->lock);
    while (a->reopening)
        pthread_cond_wait(&a->cond, &a->lock);
    a->reopening = 1;
    /* the lines written to the old file are flushed there */
    while (a->syncing || a->waiters != NULL) {
        if (a->syncing)
            pthread_cond_wait(&a->cond, &a->lock);
        else
            flush_round(a);
    }
    fd = open_log(a->path);
    e = errno;
    if (fd < 0) {
        rc = eseal__error_set(err, ESEAL_EIO, "%s: cannot open the audit "
            "log again: %s", a->path, open_error(e));
    } else {
        close(a->fd);
        a->fd = fd;
    }
    a->reopening = 0;
    pthread_cond_broadcast(&a->cond);
    pthread_mutex_unlock(&a->lock);
    return rc;
}

void eseal_sha256(unsigned char out[32], const void *data, size_t len)
{
    SHA256(data, len, out);
}

/* Length of the valid UTF-8 sequence at s (1..4), or 0. */
static size_t utf8_seq(const unsigned char *s)
{
    size_t n, i;
    unsigned int cp;

    if (s[0] < 0x80)
        return 1;
    if (s[0] >= 0xc2 && s[0] <= 0xdf)
        n = 2, cp = s[0] & 0x1fu;
    else if (s[0] >= 0xe0 && s[0] <= 0xef)
        n = 3, cp = s[0] & 0x0fu;
    else if (s[0] >= 0xf0 && s[0] <= 0xf4)
        n = 4, cp = s[0] & 0x07u;
    else
        return 0;
    for (i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3fu);
    }
    if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
        (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
        return 0;
    return n;
}

/* A copy of s that is valid UTF-8 (bad bytes become U+FFFD), of at most
 * max bytes (cut on a character boundary). */
static char *utf8_clean(const char *s, size_t max)
{
    const unsigned char *p = (const unsigned char *)s;
    eseal_buf b;

    memset(&b, 0, sizeof(b));
    while (*p) {
        size_t n = utf8_seq(p);

        if (b.len + (n == 0 ? 3 : n) > max)
            break;
        if (n == 0) {
            eseal__buf_append(&b, "\xef\xbf\xbd", 3);
            p++;
        } else {
            eseal__buf_append(&b, p, n);
            p += n;
        }
    }
    eseal__buf_append(&b, "", 0);
    if (b.data == NULL && !b.failed)
        return strdup("");
    return eseal__buf_steal(&b, NULL);
}

static void json_clean_string_max(eseal_json *j, const char *s, size_t max)
{
    char *c;

    if (s == NULL) {
        eseal__json_null(j);
        return;
    }
    c = utf8_clean(s, max);
    if (c == NULL) {
        j->buf.failed = 1;
        return;
    }
    eseal__json_string(j, c);
    free(c);
}

static void json_clean_string(eseal_json *j, const char *s)
{
    json_clean_string_max(j, s, SIZE_MAX);
}

static void json_size(eseal_json *j, long long size)
{
    if (size < 0)
        eseal__json_null(j);
    else
        eseal__json_int(j, size);
}

static void json_hex(eseal_json *j, const unsigned char *d)
{
    char hex[65];
    int i;

    if (d == NULL) {
        eseal__json_null(j);
        return;
    }
    for (i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", d[i]);
    eseal__json_string(j, hex);
}

/* Serial and issuer of the sealer's certificate (under a->lock). */
static void describe_cert(eseal_audit *a, const eseal_sealer *sealer)
{
    X509 *cert = sealer != NULL ? eseal__sealer_cert(sealer) : NULL;
    eseal_signer s;

    if (cert == a->cert)
        return;
    free(a->serial);
    free(a->issuer);
    a->serial = a->issuer = NULL;
    a->cert = cert;
    if (cert == NULL || eseal__signer_from_x509(&s, cert, NULL) < 0)
        return;
    a->serial = s.serial ? strdup(s.serial) : NULL;
    a->issuer = s.issuer ? strdup(s.issuer) : NULL;
    eseal__signer_clear(&s);
}

static void add_line(eseal_audit *a, eseal_buf *out,
    const eseal_audit_entry *e)
{
    eseal_json j;
    char *line;
    size_t i, len = 0;

    memset(&j, 0, sizeof(j));
    describe_cert(a, e->sealer);
    eseal__json_begin_object(&j);
    eseal__json_key(&j, "time");
    eseal__json_time(&j, e->time ? e->time : time(NULL));
    eseal__json_key(&j, "host");
    json_clean_string(&j, a->host);
    eseal__json_key(&j, "pid");
    eseal__json_int(&j, (long long)getpid());
    eseal__json_key(&j, "input");
    json_clean_string(&j, e->input);
    eseal__json_key(&j, "output");
    json_clean_string(&j, e->output);
    eseal__json_key(&j, "input_sha256");
    json_hex(&j, e->input_sha256);
    eseal__json_key(&j, "output_sha256");
    json_hex(&j, e->output_sha256);
    eseal__json_key(&j, "format");
    eseal__json_string(&j, eseal_format_name(e->format));
    eseal__json_key(&j, "level");
    eseal__json_string(&j, eseal_level_name(e->level));
    eseal__json_key(&j, "certificate");
    if (a->serial == NULL && a->issuer == NULL) {
        eseal__json_null(&j);
    } else {
        eseal__json_begin_object(&j);
        eseal__json_key(&j, "serial");
        eseal__json_string(&j, a->serial);
        eseal__json_key(&j, "issuer");
        json_clean_string(&j, a->issuer);
        eseal__json_end_object(&j);
    }
    eseal__json_key(&j, "result");
    eseal__json_string(&j, e->result == 0 ? "sealed" : "failed");
    eseal__json_key(&j, "error");
    if (e->result == 0)
        eseal__json_null(&j);
    else
        json_clean_string(&j, e->error && *e->error
                                  ? e->error : eseal_strerror(e->result));
    eseal__json_key(&j, "error_code");
    eseal__json_string(&j, e->result == 0 ? NULL : eseal_err_name(e->result));
    eseal__json_key(&j, "profile");
    json_clean_string(&j, e->profile);
    eseal__json_key(&j, "input_size");
    json_size(&j, e->input_size);
    eseal__json_key(&j, "output_size");
    json_size(&j, e->output_size);
    eseal__json_key(&j, "context");
    eseal__json_begin_object(&j);
    for (i = 0; i < e->n_context; i++) {
        eseal__json_key(&j, e->context[i].name);
        json_clean_string_max(&j, e->context[i].value, ESEAL_AUDIT_MAX_VALUE);
    }
    eseal__json_end_object(&j);
    eseal__json_end_object(&j);
    eseal__buf_puts(&j.buf, "\n");
    if (j.buf.failed) {
        out->failed = 1;
        eseal__buf_free(&j.buf);
        return;
    }
    line = eseal__buf_steal(&j.buf, &len);
    eseal__buf_append(out, line, len);
    free(line);
}

/* The layout of a version 1 entry, whose arrays have this stride. */
typedef struct entry_v1 {
    unsigned int version;
    time_t time;
    const char *input;
    const char *output;
    const unsigned char *input_sha256;
    const unsigned char *output_sha256;
    eseal_format format;
    eseal_level level;
    const eseal_sealer *sealer;
    int result;
    const char *error;
} entry_v1;

/* Entry i of the caller's array, as a current entry. */
static void entry_at(eseal_audit_entry *out, const eseal_audit_entry *entries,
    unsigned int version, size_t i)
{
    static const eseal_audit_entry init = ESEAL_AUDIT_ENTRY_INIT;

    if (version == ESEAL_AUDIT_ENTRY_VERSION) {
        *out = entries[i];
        return;
    }
    *out = init;
    memcpy(out, (const entry_v1 *)(const void *)entries + i,
        sizeof(entry_v1));
    out->version = ESEAL_AUDIT_ENTRY_VERSION;
}

static int valid_name(const char *name)
{
    size_t i;

    if (name == NULL || name[0] < 'a' || name[0] > 'z')
        return 0;
    for (i = 1; name[i] != '\0'; i++)
        if (i >= 32 || !((name[i] >= 'a' && name[i] <= 'z') ||
                         (name[i] >= '0' && name[i] <= '9') ||
                         name[i] == '_'))
            return 0;
    return 1;
}

static int check_context(const eseal_audit_entry *e, eseal_error *err)
{
    size_t i, k;

    if (e->n_context > ESEAL_AUDIT_MAX_CONTEXT ||
        (e->context == NULL && e->n_context > 0))
        return eseal__error_set(err, ESEAL_EINVAL, "an audit entry has more "
            "than %d context fields", ESEAL_AUDIT_MAX_CONTEXT);
    for (i = 0; i < e->n_context; i++) {
        if (!valid_name(e->context[i].name))
            return eseal__error_set(err, ESEAL_EINVAL, "invalid audit context "
                "field name '%.40s'", e->context[i].name ? e->context[i].name
                                                        : "(null)");
        for (k = 0; k < i; k++)
            if (strcmp(e->context[k].name, e->context[i].name) == 0)
                return eseal__error_set(err, ESEAL_EINVAL, "audit context "
                    "field '%s' given twice", e->context[i].name);
    }
    return 0;
}

/* Writes all of buf to the log under an exclusive flock() (a->lock held). */
static int write_lines(eseal_audit *a, const eseal_buf *buf,
    eseal_error *err)
{
    const char *p = buf->data;
    size_t left = buf->len;
    int rc = 0;

    while (flock(a->fd, LOCK_EX) < 0)
        if (errno != EINTR)
            return eseal__error_set(err, ESEAL_EIO, "%s: cannot lock the "
                "audit log: %s", a->path, strerror(errno));
    while (left > 0) {
        ssize_t w = write(a->fd, p, left);

        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            rc = eseal__error_set(err, ESEAL_EIO, "%s: cannot write the "
                "audit log: %s", a->path, w < 0 ? strerror(errno) : "no "
                "space");
            break;
        }
        p += w;
        left -= (size_t)w;
    }
    (void)flock(a->fd, LOCK_UN);
    return rc;
}

int eseal_audit_append(eseal_audit *a, const eseal_audit_entry *entries,
    size_t n, eseal_error *err)
{
    eseal_audit_entry e;
    eseal_buf buf;
    waiter w;
    unsigned int version;
    size_t i;
    int rc = 0;

    if (a == NULL || (entries == NULL && n > 0) || n > MAX_LINES)
        return eseal__error_set(err, ESEAL_EINVAL, "invalid argument");
    if (n == 0)
        return 0;
    version = entries[0].version;
    if (version != 1 && version != ESEAL_AUDIT_ENTRY_VERSION)
        return eseal__error_set(err, ESEAL_EINVAL,
            "unknown eseal_audit_entry version");
    for (i = 0; i < n; i++) {
        unsigned int v = version == 1
            ? ((const entry_v1 *)(const void *)entries)[i].version
            : entries[i].version;

        if (v != version)
            return eseal__error_set(err, ESEAL_EINVAL,
                "unknown eseal_audit_entry version");
        entry_at(&e, entries, version, i);
        if ((rc = check_context(&e, err)) < 0)
            return rc;
    }
    memset(&buf, 0, sizeof(buf));
    pthread_mutex_lock(&a->lock);
    while (a->reopening)
        pthread_cond_wait(&a->cond, &a->lock);
    for (i = 0; i < n; i++) {
        entry_at(&e, entries, version, i);
        add_line(a, &buf, &e);
    }
    if (buf.failed || buf.data == NULL) {
        rc = eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
        goto cleanup;
    }
    if ((rc = write_lines(a, &buf, err)) < 0 ||
        (a->flags & ESEAL_AUDIT_NO_SYNC))
        goto cleanup;
    /* durable once a flush that began after the write has succeeded */
    memset(&w, 0, sizeof(w));
    w.seq = ++a->seq;
    w.next = a->waiters;
    a->waiters = &w;
    while (!w.done) {
        if (!a->syncing)
            flush_round(a);
        else
            pthread_cond_wait(&a->cond, &a->lock);
    }
    if (w.error != 0)
        rc = eseal__error_set(err, ESEAL_EIO, "%s: cannot flush the audit "
            "log: %s", a->path, strerror(w.error));
cleanup:
    pthread_mutex_unlock(&a->lock);
    eseal__buf_free(&buf);
    return rc;
}
