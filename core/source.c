/* eseal - the document being read: a mapped file or a caller's buffer. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/bio.h>
#include "core_int.h"

#define STREAM_CHUNK (1u << 20)
/* Files up to this size are read, larger ones mapped: mapping and
 * unmapping a small file costs more than copying it, and unmapping in a
 * process whose threads seal in parallel interrupts every other core to
 * flush its TLB. */
#define READ_MAX (256u << 10)

/* Reads len bytes at off from a file-backed source into buf. */
static int read_exact(const eseal_source *src, uint64_t off, void *buf,
    size_t len, eseal_error *err)
{
    unsigned char *p = buf;

    while (len > 0) {
        ssize_t n = pread(src->fd, p, len, (off_t)off);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return eseal__error_set(err, ESEAL_EIO, "cannot read: %s",
                n < 0 ? strerror(errno) : "file shrank while reading");
        p += n;
        off += (uint64_t)n;
        len -= (size_t)n;
    }
    return 0;
}

/* Reads the whole small file src->fd into src->data. */
static int read_small(eseal_source *src, size_t size, eseal_error *err)
{
    unsigned char *buf = malloc(size);
    int rc;

    if (buf == NULL)
        return eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
    if ((rc = read_exact(src, 0, buf, size, err)) < 0) {
        free(buf);
        return rc;
    }
    src->data = buf;
    src->in_heap = 1;
    return 0;
}

int eseal__source_open_file(eseal_source *src, const char *path,
    eseal_error *err)
{
    struct stat st;
    void *map;
    int fd;

    memset(src, 0, sizeof(*src));
    src->fd = -1;
    src->name = path;
    /* O_NONBLOCK: a FIFO without a writer is refused below, not waited
     * for (no effect on regular files) */
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0)
        return eseal__error_set(err, ESEAL_EIO, "cannot open: %s",
            strerror(errno));
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return eseal__error_set(err, ESEAL_EIO, "not a regular file");
    }
    if (st.st_size == 0) {
        close(fd);
        return eseal__error_set(err, ESEAL_EFORMAT, "the file is empty");
    }
    if ((uint64_t)st.st_size <= READ_MAX) {
        int rc;

        src->fd = fd;
        if ((rc = read_small(src, (size_t)st.st_size, err)) < 0) {
            close(fd);
            src->fd = -1;
            return rc;
        }
        src->size = (uint64_t)st.st_size;
        return 0;
    }
    map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (map == MAP_FAILED) {
        close(fd);
        return eseal__error_set(err, ESEAL_EIO, "cannot map: %s",
            strerror(errno));
    }
    src->data = map;
    src->size = (uint64_t)st.st_size;
    src->fd = fd;
    return 0;
}

void eseal__source_init_buffer(eseal_source *src, const unsigned char *data,
    size_t len, const char *name)
{
    src->data = data;
    src->size = len;
    src->fd = -1;
    src->name = name;
    src->in_heap = 0;
}

void eseal__source_close(eseal_source *src)
{
    if (src->fd >= 0) {
        if (src->in_heap)
            free((void *)src->data);
        else
            munmap((void *)src->data, (size_t)src->size);
        close(src->fd);
    }
    memset(src, 0, sizeof(*src));
    src->fd = -1;
}

int eseal__digest_spans(unsigned char *md_out, unsigned int *md_len,
    const char *md_name, const eseal_source *src, const eseal_bytes *tail,
    const eseal_ranges *spans, eseal_error *err)
{
    EVP_MD_CTX *ctx = NULL;
    EVP_MD *md = NULL;
    unsigned char *chunk = NULL;
    size_t i;
    int rc = 0;

    md = EVP_MD_fetch(NULL, md_name, NULL);
    ctx = EVP_MD_CTX_new();
    if (md == NULL || ctx == NULL || EVP_DigestInit_ex(ctx, md, NULL) != 1) {
        rc = eseal__error_ossl(err, ESEAL_ECRYPTO, "digest %s", md_name);
        goto cleanup;
    }
    for (i = 0; i < spans->count; i++) {
        const eseal_span *s = &spans->span[i];

        if (s->origin == ESEAL_SPAN_TAIL) {
            if (tail == NULL || s->off + s->len > tail->len) {
                rc = eseal__error_set(err, ESEAL_EINVAL, "bad tail span");
                goto cleanup;
            }
            EVP_DigestUpdate(ctx, tail->data + s->off, (size_t)s->len);
            continue;
        }
        if (s->off > src->size || s->len > src->size - s->off) {
            rc = eseal__error_set(err, ESEAL_EFORMAT,
                "signed range beyond the end of the file");
            goto cleanup;
        }
        if (src->fd < 0 || s->len < STREAM_CHUNK) {
            EVP_DigestUpdate(ctx, src->data + s->off, (size_t)s->len);
            continue;
        }
        /* large file spans: pread through one buffer, memory stays flat */
        if (chunk == NULL && (chunk = OPENSSL_malloc(STREAM_CHUNK)) == NULL) {
            rc = eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
            goto cleanup;
        }
        {
            uint64_t off = s->off, left = s->len;

            while (left > 0) {
                size_t n = left < STREAM_CHUNK ? (size_t)left : STREAM_CHUNK;

                if ((rc = read_exact(src, off, chunk, n, err)) < 0)
                    goto cleanup;
                EVP_DigestUpdate(ctx, chunk, n);
                off += n;
                left -= n;
            }
        }
    }
    if (EVP_DigestFinal_ex(ctx, md_out, md_len) != 1)
        rc = eseal__error_ossl(err, ESEAL_ECRYPTO, "digest %s", md_name);
cleanup:
    OPENSSL_free(chunk);
    EVP_MD_CTX_free(ctx);
    EVP_MD_free(md);
    return rc;
}

/* ---- a BIO over input spans, for CMS_verify's content ----------------- */

typedef struct spans_bio_state {
    const eseal_source *src;
    eseal_ranges spans;
    size_t index;       /* current span */
    uint64_t consumed;  /* bytes read of the current span */
} spans_bio_state;

static int spans_bio_read(BIO *b, char *out, size_t want, size_t *got)
{
    spans_bio_state *st = BIO_get_data(b);

    *got = 0;
    while (st->index < st->spans.count) {
        const eseal_span *s = &st->spans.span[st->index];
        uint64_t left = s->len - st->consumed;
        size_t n;

        if (left == 0) {
            st->index++;
            st->consumed = 0;
            continue;
        }
        n = want < left ? want : (size_t)left;
        if (st->src->fd >= 0) {
            ssize_t r = pread(st->src->fd, out, n,
                (off_t)(s->off + st->consumed));

            if (r <= 0)
                return 0;
            n = (size_t)r;
        } else {
            memcpy(out, st->src->data + s->off + st->consumed, n);
        }
        st->consumed += n;
        *got = n;
        return 1;
    }
    return 0; /* end of data */
}

static long spans_bio_ctrl(BIO *b, int cmd, long num, void *ptr)
{
    (void)b; (void)num; (void)ptr;
    return cmd == BIO_CTRL_FLUSH ? 1 : 0;
}

static int spans_bio_destroy(BIO *b)
{
    OPENSSL_free(BIO_get_data(b));
    BIO_set_data(b, NULL);
    return 1;
}

static BIO_METHOD *spans_method;
static CRYPTO_ONCE spans_once = CRYPTO_ONCE_STATIC_INIT;

static void spans_method_init(void)
{
    BIO_METHOD *m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK,
        "eseal spans");

    if (m == NULL)
        return;
    BIO_meth_set_read_ex(m, spans_bio_read);
    BIO_meth_set_ctrl(m, spans_bio_ctrl);
    BIO_meth_set_destroy(m, spans_bio_destroy);
    spans_method = m;
}

BIO *eseal__spans_bio(const eseal_source *src, const eseal_ranges *spans)
{
    spans_bio_state *st;
    BIO *b;
    size_t i;

    for (i = 0; i < spans->count; i++)
        if (spans->span[i].origin != ESEAL_SPAN_INPUT ||
            spans->span[i].off > src->size ||
            spans->span[i].len > src->size - spans->span[i].off)
            return NULL;
    if (!CRYPTO_THREAD_run_once(&spans_once, spans_method_init) ||
        spans_method == NULL)
        return NULL;
    st = OPENSSL_zalloc(sizeof(*st));
    if (st == NULL)
        return NULL;
    st->src = src;
    st->spans = *spans;
    b = BIO_new(spans_method);
    if (b == NULL) {
        OPENSSL_free(st);
        return NULL;
    }
    BIO_set_data(b, st);
    BIO_set_init(b, 1);
    return b;
}
