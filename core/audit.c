/*
 * eseal - the audit log.
 *
 * Lines are appended with O_APPEND, all the lines of one call in a single
 * write(), while holding an exclusive flock() (which also orders writers
 * on file systems where O_APPEND alone is not atomic, such as NFS), and
 * made durable with fdatasync() before the lock is released.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
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

struct eseal_audit {
    int fd;
    unsigned int flags;
    char *path;
    char host[256];
    pthread_mutex_t lock;
    /* the certificate last described, and its serial and issuer */
    const X509 *cert;
    char *serial;
    char *issuer;
};

int eseal_audit_open(eseal_audit **out, const char *path,
    unsigned int flags, eseal_error *err)
{
    eseal_audit *a;
    struct stat st;

    if (out == NULL || path == NULL)
        return eseal__error_set(err, ESEAL_EINVAL, "invalid argument");
    *out = NULL;
    a = calloc(1, sizeof(*a));
    if (a == NULL || (a->path = strdup(path)) == NULL) {
        free(a);
        return eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
    }
    a->flags = flags;
    a->fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY,
        0640);
    if (a->fd < 0 || fstat(a->fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        int e = a->fd < 0 ? errno : 0;

        if (a->fd >= 0)
            close(a->fd);
        free(a->path);
        free(a);
        return eseal__error_set(err, ESEAL_EIO, "%s: cannot open the audit "
            "log: %s", path, e ? strerror(e) : "not a regular file");
    }
    if (gethostname(a->host, sizeof(a->host) - 1) < 0)
        strcpy(a->host, "localhost");
    pthread_mutex_init(&a->lock, NULL);
    *out = a;
    return 0;
}

void eseal_audit_close(eseal_audit *a)
{
    if (a == NULL)
        return;
    close(a->fd);
    pthread_mutex_destroy(&a->lock);
    free(a->serial);
    free(a->issuer);
    free(a->path);
    free(a);
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

/* A copy of s that is valid UTF-8 (bad bytes become U+FFFD). */
static char *utf8_clean(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    eseal_buf b;

    memset(&b, 0, sizeof(b));
    while (*p) {
        size_t n = utf8_seq(p);

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

static void json_clean_string(eseal_json *j, const char *s)
{
    char *c;

    if (s == NULL) {
        eseal__json_null(j);
        return;
    }
    c = utf8_clean(s);
    if (c == NULL) {
        j->buf.failed = 1;
        return;
    }
    eseal__json_string(j, c);
    free(c);
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
    size_t len = 0;

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
        json_clean_string(&j, e->error && *e->error ? e->error
                                                    : eseal_strerror(e->result));
    eseal__json_key(&j, "error_code");
    eseal__json_string(&j, e->result == 0 ? NULL : eseal_err_name(e->result));
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

int eseal_audit_append(eseal_audit *a, const eseal_audit_entry *entries,
    size_t n, eseal_error *err)
{
    eseal_buf buf;
    const char *p;
    size_t i, left;
    int rc = 0, locked = 0;

    if (a == NULL || (entries == NULL && n > 0) || n > MAX_LINES)
        return eseal__error_set(err, ESEAL_EINVAL, "invalid argument");
    for (i = 0; i < n; i++)
        if (entries[i].version != ESEAL_AUDIT_ENTRY_VERSION)
            return eseal__error_set(err, ESEAL_EINVAL,
                "unknown eseal_audit_entry version");
    if (n == 0)
        return 0;
    memset(&buf, 0, sizeof(buf));
    pthread_mutex_lock(&a->lock);
    for (i = 0; i < n; i++)
        add_line(a, &buf, &entries[i]);
    if (buf.failed || buf.data == NULL) {
        rc = eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
        goto cleanup;
    }
    while (flock(a->fd, LOCK_EX) < 0) {
        if (errno != EINTR) {
            rc = eseal__error_set(err, ESEAL_EIO, "%s: cannot lock the "
                "audit log: %s", a->path, strerror(errno));
            goto cleanup;
        }
    }
    locked = 1;
    p = buf.data;
    left = buf.len;
    while (left > 0) {
        ssize_t w = write(a->fd, p, left);

        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            rc = eseal__error_set(err, ESEAL_EIO, "%s: cannot write the "
                "audit log: %s", a->path, w < 0 ? strerror(errno) : "no "
                "space");
            goto cleanup;
        }
        p += w;
        left -= (size_t)w;
    }
    if (!(a->flags & ESEAL_AUDIT_NO_SYNC) && fdatasync(a->fd) < 0)
        rc = eseal__error_set(err, ESEAL_EIO, "%s: cannot flush the audit "
            "log: %s", a->path, strerror(errno));
cleanup:
    if (locked)
        (void)flock(a->fd, LOCK_UN);
    pthread_mutex_unlock(&a->lock);
    eseal__buf_free(&buf);
    return rc;
}
