/* eseal - a batch: many files, one sealer, group commit, audit lines. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <eseal/audit.h>
#include <eseal/batch.h>
#include "output.h"

#define DEFAULT_MAX_PENDING 256

/* Up to this many outputs on one file system are flushed one by one;
 * beyond, one syncfs() (a journal commit each) is cheaper. */
#define FSYNC_EACH_MAX 2

typedef struct batch_doc {
    void *tag;
    int rc;
    eseal_error err;
    eseal_pending out;       /* rc == 0: the output waiting */
    int has_out;
    char *input;             /* absolute, for the audit log */
    char *output;
    unsigned char in_sha256[32];
    int has_in_sha256;
    int late_failure;        /* failed after its "sealed" line was logged */
    eseal_format format;
    eseal_level level;
    time_t time;
} batch_doc;

struct eseal_batch {
    eseal_sealer *sealer;
    eseal_audit *audit;
    int no_sync;
    size_t max_pending;
    char *profile;          /* for the audit lines, or NULL */
    char *cwd;
    pthread_mutex_t lock;
    pthread_cond_t room;
    batch_doc *docs;
    size_t n_docs;
    size_t cap_docs;
};

int eseal_batch_open(eseal_batch **out, eseal_sealer *sealer,
    const eseal_batch_opts *opts, eseal_error *err)
{
    eseal_batch *b;
    int rc;

    if (out == NULL || sealer == NULL || opts == NULL)
        return eseal__error_set(err, ESEAL_EINVAL, "invalid argument");
    *out = NULL;
    if (opts->version != 1 && opts->version != ESEAL_BATCH_OPTS_VERSION)
        return eseal__error_set(err, ESEAL_EINVAL,
            "unknown eseal_batch_opts version");
    b = calloc(1, sizeof(*b));
    if (b == NULL)
        return eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
    b->sealer = sealer;
    b->no_sync = opts->no_sync;
    b->max_pending = opts->max_pending ? opts->max_pending
                                       : DEFAULT_MAX_PENDING;
    b->cwd = getcwd(NULL, 0);
    if (opts->version >= 2 && opts->profile != NULL &&
        (b->profile = strdup(opts->profile)) == NULL) {
        free(b->cwd);
        free(b);
        return eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
    }
    pthread_mutex_init(&b->lock, NULL);
    pthread_cond_init(&b->room, NULL);
    if (opts->audit != NULL &&
        (rc = eseal_audit_open(&b->audit, opts->audit,
             opts->no_sync ? ESEAL_AUDIT_NO_SYNC : 0, err)) < 0) {
        eseal_batch_free(b);
        return rc;
    }
    *out = b;
    return 0;
}

/* The path made absolute against the working directory (not resolved). */
static char *absolute(const eseal_batch *b, const char *path)
{
    char *abs = NULL;

    if (path[0] == '/' || b->cwd == NULL)
        return strdup(path);
    if (asprintf(&abs, "%s/%s", strcmp(b->cwd, "/") ? b->cwd : "", path) < 0)
        return NULL;
    return abs;
}

/* The format the first bytes of a file show, for a failed document. */
static eseal_format sniff_format(const char *path)
{
    unsigned char head[1024];
    const eseal_adapter *a;
    ssize_t n;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0)
        return ESEAL_FORMAT_AUTO;
    n = pread(fd, head, sizeof(head), 0);
    close(fd);
    if (n <= 0)
        return ESEAL_FORMAT_AUTO;
    a = eseal__adapter_find(ESEAL_FORMAT_AUTO, head, (size_t)n);
    return a != NULL && a->detect(head, (size_t)n) > 0 ? a->format
                                                        : ESEAL_FORMAT_AUTO;
}

int eseal_batch_seal_file(eseal_batch *b, const char *in_path,
    const char *out_path, const eseal_seal_opts *opts, void *tag,
    eseal_error *err)
{
    eseal_capture cap;
    batch_doc d;
    int rc = 0;

    if (b == NULL || in_path == NULL || out_path == NULL || opts == NULL)
        return eseal__error_set(err, ESEAL_EINVAL, "invalid argument");
    memset(&cap, 0, sizeof(cap));
    memset(&d, 0, sizeof(d));
    cap.out.fd = -1;
    d.out.fd = -1;
    cap.hash = b->audit != NULL;
    cap.no_sync = b->no_sync;
    d.tag = tag;
    d.level = opts->level;
    eseal__capture_set(&cap);
    d.rc = eseal_seal_file(b->sealer, in_path, out_path, opts, &d.err);
    eseal__capture_set(NULL);
    d.time = time(NULL);
    if (d.rc == 0 && cap.captured) {
        d.out = cap.out;
        d.has_out = 1;
        d.format = cap.out.format;
    } else if (d.rc < 0 && cap.captured) {
        eseal__pending_discard(&cap.out); /* failed after the write */
    }
    if (b->audit != NULL) {
        d.input = absolute(b, in_path);
        d.output = absolute(b, out_path);
        if (d.has_out && cap.out.hashed) {
            memcpy(d.in_sha256, cap.out.in_sha256, 32);
            d.has_in_sha256 = 1;
        } else if (d.rc < 0) {
            d.has_in_sha256 = eseal__sha256_file(d.in_sha256, in_path,
                NULL) == 0;
            d.format = sniff_format(in_path);
        }
        if (d.input == NULL || d.output == NULL)
            goto nomem;
    }
    pthread_mutex_lock(&b->lock);
    while (b->n_docs >= b->max_pending)
        pthread_cond_wait(&b->room, &b->lock);
    if (b->n_docs == b->cap_docs) {
        size_t cap_docs = b->cap_docs ? b->cap_docs * 2 : 64;
        batch_doc *grown = realloc(b->docs, cap_docs * sizeof(*grown));

        if (grown == NULL) {
            pthread_mutex_unlock(&b->lock);
            goto nomem;
        }
        b->docs = grown;
        b->cap_docs = cap_docs;
    }
    b->docs[b->n_docs++] = d;
    pthread_mutex_unlock(&b->lock);
    return 0;
nomem:
    rc = eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
    if (d.has_out)
        eseal__pending_discard(&d.out);
    free(d.input);
    free(d.output);
    return rc;
}

size_t eseal_batch_pending(eseal_batch *b)
{
    size_t n;

    pthread_mutex_lock(&b->lock);
    n = b->n_docs;
    pthread_mutex_unlock(&b->lock);
    return n;
}

static void doc_fail(batch_doc *d, int code, const char *reason,
    const char *detail)
{
    eseal__error_set(&d->err, code, "%s: %s%s", d->out.path, reason,
        detail);
    d->rc = code;
    eseal__pending_discard(&d->out);
    d->has_out = 0;
}

/* Flushes the outputs' contents: per file system, fdatasync() of each
 * when they are few, else one syncfs(). */
static void flush_outputs(batch_doc *docs, size_t n)
{
    size_t i, k;

    for (i = 0; i < n; i++) {
        size_t count = 0;
        int seen = 0, rc = 0, e = 0;

        if (!docs[i].has_out)
            continue;
        for (k = 0; k < i && !seen; k++)
            seen = docs[k].has_out && docs[k].out.dev == docs[i].out.dev;
        if (seen)
            continue; /* that file system is done */
        for (k = i; k < n; k++)
            count += docs[k].has_out && docs[k].out.dev == docs[i].out.dev;
        if (count > FSYNC_EACH_MAX) {
            rc = syncfs(docs[i].out.fd);
            e = errno;
        }
        for (k = i; k < n; k++) {
            batch_doc *d = &docs[k];

            if (!d->has_out || d->out.dev != docs[i].out.dev)
                continue;
            if (count <= FSYNC_EACH_MAX && fdatasync(d->out.fd) < 0)
                doc_fail(d, ESEAL_EIO, "cannot flush: ", strerror(errno));
            else if (count > FSYNC_EACH_MAX && rc < 0)
                doc_fail(d, ESEAL_EIO, "cannot flush: ", strerror(e));
        }
    }
}

/* fsync of each directory that received an output. */
static void flush_dirs(batch_doc *docs, size_t n)
{
    size_t i, k;

    for (i = 0; i < n; i++) {
        int seen = 0, failed;

        if (!docs[i].has_out)
            continue;
        for (k = 0; k < i && !seen; k++)
            seen = docs[k].has_out &&
                   strcmp(docs[k].out.dir, docs[i].out.dir) == 0;
        if (seen)
            continue;
        failed = eseal__fsync_dir(docs[i].out.dir) < 0;
        for (k = i; k < n && failed; k++)
            if (docs[k].has_out &&
                strcmp(docs[k].out.dir, docs[i].out.dir) == 0)
                doc_fail(&docs[k], ESEAL_EIO, "sealed, but this directory "
                    "could not be flushed: ", docs[i].out.dir);
    }
}

/* Audit lines for the documents, or only for the late failures. */
static int audit_docs(eseal_batch *b, batch_doc *docs, size_t n_docs,
    int late, eseal_error *err)
{
    static const eseal_audit_entry init = ESEAL_AUDIT_ENTRY_INIT;
    eseal_audit_entry *e = calloc(n_docs ? n_docs : 1, sizeof(*e));
    size_t i, n = 0;
    int rc;

    if (e == NULL)
        return eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
    for (i = 0; i < n_docs; i++) {
        const batch_doc *d = &docs[i];
        eseal_audit_entry *x = &e[n];

        if (late && !d->late_failure)
            continue;
        *x = init;
        x->time = late ? time(NULL) : d->time;
        x->input = d->input;
        x->output = d->rc == 0 ? d->output : NULL;
        x->input_sha256 = d->has_in_sha256 ? d->in_sha256 : NULL;
        x->output_sha256 = d->rc == 0 && d->out.hashed ? d->out.out_sha256
                                                       : NULL;
        if (d->rc == 0 && d->out.hashed) {
            x->input_size = (long long)d->out.in_size;
            x->output_size = (long long)d->out.out_size;
        }
        x->format = d->format;
        x->level = d->level;
        x->sealer = b->sealer;
        x->profile = b->profile;
        x->result = d->rc;
        x->error = d->rc != 0 ? d->err.message : NULL;
        n++;
    }
    rc = eseal_audit_append(b->audit, e, n, err);
    free(e);
    return rc;
}

int eseal_batch_commit(eseal_batch *b, eseal_batch_cb cb, void *payload,
    eseal_error *err)
{
    batch_doc *docs;
    size_t n, i;
    int rc = 0;

    if (b == NULL)
        return eseal__error_set(err, ESEAL_EINVAL, "invalid argument");
    pthread_mutex_lock(&b->lock);
    docs = b->docs;
    n = b->n_docs;
    b->docs = NULL;
    b->n_docs = b->cap_docs = 0;
    pthread_cond_broadcast(&b->room);
    pthread_mutex_unlock(&b->lock);
    if (n == 0)
        goto cleanup;
    /* 1. the contents on disk */
    if (!b->no_sync)
        flush_outputs(docs, n);
    /* 2. the audit lines, before any output appears: a sealed file is
     * never in place without its line */
    if (b->audit != NULL && (rc = audit_docs(b, docs, n, 0, err)) < 0) {
        for (i = 0; i < n; i++) {
            if (docs[i].rc != 0)
                continue;
            docs[i].rc = rc;
            eseal__error_set(&docs[i].err, rc, "not sealed: %s",
                err != NULL ? err->message : "the audit log failed");
            eseal__pending_discard(&docs[i].out);
            docs[i].has_out = 0;
        }
        goto report;
    }
    /* 3. the outputs in place, their directories on disk */
    for (i = 0; i < n; i++) {
        batch_doc *d = &docs[i];

        d->late_failure = d->rc == 0; /* until it proves fine */
        if (d->has_out && eseal__pending_link(&d->out, &d->err) < 0) {
            d->rc = d->err.code;
            eseal__pending_discard(&d->out);
            d->has_out = 0;
        }
    }
    if (!b->no_sync)
        flush_dirs(docs, n);
    /* 4. a second line for a document that failed after its first */
    for (i = 0; i < n; i++)
        docs[i].late_failure = docs[i].late_failure && docs[i].rc != 0;
    if (b->audit != NULL)
        rc = audit_docs(b, docs, n, 1, err);
report:
    for (i = 0; i < n; i++)
        if (cb != NULL)
            cb(docs[i].tag, docs[i].rc, &docs[i].err, payload);
cleanup:
    for (i = 0; i < n; i++) {
        eseal__pending_discard(&docs[i].out);
        free(docs[i].input);
        free(docs[i].output);
    }
    free(docs);
    return rc;
}

void eseal_batch_free(eseal_batch *b)
{
    size_t i;

    if (b == NULL)
        return;
    for (i = 0; i < b->n_docs; i++) {
        eseal__pending_discard(&b->docs[i].out);
        free(b->docs[i].input);
        free(b->docs[i].output);
    }
    free(b->docs);
    eseal_audit_close(b->audit);
    pthread_cond_destroy(&b->room);
    pthread_mutex_destroy(&b->lock);
    free(b->profile);
    free(b->cwd);
    free(b);
}
