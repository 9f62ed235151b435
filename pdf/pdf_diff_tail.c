/*
 * eseal PDF adapter - the bytes after a signed revision: they must be made
 * only of the later revisions (their objects, xref tables or streams,
 * trailers, startxref lines and comments), with nothing but whitespace
 * after the last %%EOF.  An object no cross-reference section of its own
 * revision points to, or garbage appended, is a forbidden change even when
 * no reader would look at it: a reader that repairs files might.
 *
 * Each later revision is checked on its own, with a reader of the file up
 * to its %%EOF, once per session: a document with many signatures does
 * not reopen its revisions for each of them.
 */
#include <stdlib.h>
#include <string.h>
#include "pdf_diff_int.h"

/* One later revision being checked: its bytes and its reader. */
typedef struct tiler {
    diff *d;
    pdf_reader *r;    /* the file up to the end of this revision */
    size_t sec;       /* its xref section: index in the session */
    uint64_t end;     /* the end of the bytes checked */
} tiler;

static int is_ws(unsigned char c)
{
    return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' ||
        c == '\0';
}

static int at(const diff *d, uint64_t p, uint64_t end, const char *kw)
{
    size_t n = strlen(kw);

    return p <= end && end - p >= n && memcmp(d->data + p, kw, n) == 0;
}

static uint64_t skip_ws(const diff *d, uint64_t p, uint64_t end)
{
    while (p < end && is_ws(d->data[p]))
        p++;
    return p;
}

/* Reads a decimal number; returns the position after it, or 0. */
static uint64_t read_uint(const diff *d, uint64_t p, uint64_t end,
    uint64_t *v)
{
    uint64_t start = p;

    *v = 0;
    while (p < end && d->data[p] >= '0' && d->data[p] <= '9') {
        if (*v > (UINT64_MAX - 9) / 10)
            return 0;
        *v = *v * 10 + (uint64_t)(d->data[p] - '0');
        p++;
    }
    return p > start ? p : 0;
}

/* Where the revision whose xref section is at sec ends (after %%EOF). */
static int find_rev_end(const diff *d, uint64_t sec, uint64_t limit,
    uint64_t *end)
{
    uint64_t p = sec;

    while (p < limit) {
        const unsigned char *hit = memmem(d->data + p, (size_t)(limit - p),
            "startxref", 9);
        uint64_t q, v;

        if (hit == NULL)
            return -1;
        q = (uint64_t)(hit - d->data);
        p = q + 1;
        q = read_uint(d, skip_ws(d, q + 9, limit), limit, &v);
        if (q == 0 || v != sec)
            continue;
        q = skip_ws(d, q, limit);
        if (at(d, q, limit, "%%EOF")) {
            *end = q + 5;
            return 0;
        }
    }
    return -1;
}

/* Is there object num gen at p in this revision's cross-reference data? */
static int known_object(const tiler *t, uint64_t num, uint64_t gen,
    uint64_t p)
{
    const pdf_xref_section *s = pdf_reader_section(t->d->cur, t->sec);
    pdf_xref_entry e;

    if ((s->is_stream && s->offset == p) || (s->xrefstm != 0 &&
                                                 s->xrefstm == p))
        return 1; /* the cross-reference stream itself */
    if (num >= pdf_reader_size(t->r))
        return 0;
    e = pdf_reader_entry(t->r, (uint32_t)num);
    return e.type == 1 && e.field2 == p && e.field3 == gen;
}

/* Skips "N G obj ... endobj" at p; 0 when it is not a known object. */
static uint64_t skip_object(tiler *t, uint64_t p)
{
    diff *d = t->d;
    eseal_error e = { 0, "" };
    pdf_obj *o = NULL, *len;
    uint64_t num, gen, q, end = t->end;
    size_t used = 0;
    int64_t n;

    if ((q = read_uint(d, p, end, &num)) == 0 || q >= end ||
        !is_ws(d->data[q]))
        return 0;
    if ((q = read_uint(d, skip_ws(d, q, end), end, &gen)) == 0)
        return 0;
    q = skip_ws(d, q, end);
    if (!at(d, q, end, "obj") || !known_object(t, num, gen, p))
        return 0;
    q += 3;
    if (pdf_parse_object(d->s->arena, d->data + q, (size_t)(end - q), &o,
            &used, &e) < 0) {
        if (e.code == ESEAL_ENOMEM && d->fatal == 0)
            d->fatal = eseal__error_set(d->err, e.code, "%s", e.message);
        return 0;
    }
    q = skip_ws(d, q + used, end);
    if (o->type == PDF_DICT && at(d, q, end, "stream")) {
        len = eseal__pdf_diff_resolve(d, t->r, pdf_dict_get(o, "Length"));
        if (len == NULL || !pdf_get_int(len, &n) || n < 0)
            return 0;
        q += 6;
        if (at(d, q, end, "\r\n"))
            q += 2;
        else if (at(d, q, end, "\n") || at(d, q, end, "\r"))
            q += 1;
        if ((uint64_t)n > end - q)
            return 0;
        q = skip_ws(d, q + (uint64_t)n, end);
        if (!at(d, q, end, "endstream"))
            return 0;
        q = skip_ws(d, q + 9, end);
    }
    if (!at(d, q, end, "endobj"))
        return 0;
    return q + 6;
}

/* Skips this revision's xref table and trailer at p; 0 if it is not. */
static uint64_t skip_xref_table(tiler *t, uint64_t p)
{
    diff *d = t->d;
    const pdf_xref_section *s = pdf_reader_section(d->cur, t->sec);
    eseal_error e = { 0, "" };
    pdf_obj *o = NULL;
    uint64_t q = p + 4, start, count, k, v, end = t->end;
    size_t used = 0;

    if (s->is_stream || s->offset != p)
        return 0;
    for (;;) {
        q = skip_ws(d, q, end);
        if (q >= end || d->data[q] < '0' || d->data[q] > '9')
            break;
        if ((q = read_uint(d, q, end, &start)) == 0 ||
            (q = read_uint(d, skip_ws(d, q, end), end, &count)) == 0 ||
            count > PDF_MAX_OBJECTS)
            return 0;
        for (k = 0; k < count; k++) {
            if ((q = read_uint(d, skip_ws(d, q, end), end, &v)) == 0 ||
                (q = read_uint(d, skip_ws(d, q, end), end, &v)) == 0)
                return 0;
            q = skip_ws(d, q, end);
            if (q >= end || (d->data[q] != 'n' && d->data[q] != 'f'))
                return 0;
            q++;
        }
    }
    if (!at(d, q, end, "trailer"))
        return 0;
    q = skip_ws(d, q + 7, end);
    if (pdf_parse_object(d->s->arena, d->data + q, (size_t)(end - q), &o,
            &used, &e) < 0 || o->type != PDF_DICT)
        return 0;
    return q + used;
}

/*
 * Walks [start, t->end) over whitespace, comments, the revision's objects,
 * its xref table and trailer and startxref lines.  Returns where it
 * stopped: t->end when everything was explained.
 */
static uint64_t tile(tiler *t, uint64_t p)
{
    diff *d = t->d;
    uint64_t q, v;

    while (p < t->end && !d->fatal) {
        unsigned char c = d->data[p];

        if (is_ws(c)) {
            p++;
        } else if (c == '%') {
            while (p < t->end && d->data[p] != '\n' && d->data[p] != '\r')
                p++;
        } else if (c >= '0' && c <= '9') {
            if ((q = skip_object(t, p)) == 0)
                return p;
            p = q;
        } else if (at(d, p, t->end, "xref")) {
            if ((q = skip_xref_table(t, p)) == 0)
                return p;
            p = q;
        } else if (at(d, p, t->end, "startxref")) {
            if ((q = read_uint(d, skip_ws(d, p + 9, t->end), t->end,
                     &v)) == 0)
                return p;
            p = q;
        } else {
            return p;
        }
    }
    return p;
}

/* Checks later revision i (its bytes from start on), once per session. */
static void check_revision(diff *d, size_t i, uint64_t start)
{
    pdf_diff_session *s = d->s;
    pdf_diff_region *reg = &s->region[i];
    eseal_error e = { 0, "" };
    char msg[160];
    tiler t;
    uint64_t stop;
    int rc;

    if (reg->state != 0 && reg->start == start)
        goto verdict;
    memset(&t, 0, sizeof(t));
    t.d = d;
    t.sec = i;
    t.end = s->rev_end[i];
    t.r = d->cur;
    if (i > 0) {
        rc = pdf_reader_open(&t.r, d->data, s->rev_end[i], d->name, &e);
        if (rc < 0) {
            eseal__pdf_diff_load_failed(d, rc, &e);
            return;
        }
        if (eseal__pdf_diff_work(d, pdf_reader_size(t.r)) < 0) {
            pdf_reader_free(t.r);
            return;
        }
    }
    msg[0] = '\0';
    if (pdf_reader_startxref(t.r) != pdf_reader_section(d->cur, i)->offset)
        snprintf(msg, sizeof(msg), "the revision ending at offset %llu is "
            "inconsistent", (unsigned long long)t.end);
    else if ((stop = tile(&t, start)) < t.end)
        snprintf(msg, sizeof(msg), "bytes at offset %llu after the signed "
            "revision are not part of any later revision",
            (unsigned long long)stop);
    if (t.r != d->cur)
        pdf_reader_free(t.r);
    if (d->fatal)
        return;
    free(reg->reason);
    reg->reason = NULL;
    reg->start = start;
    reg->state = msg[0] == '\0' ? 1 : 2;
    if (reg->state == 2 && (reg->reason = eseal__strdup(msg)) == NULL) {
        reg->state = 0;
        d->fatal = eseal__error_set(d->err, ESEAL_ENOMEM, "out of memory");
        return;
    }
verdict:
    if (reg->state == 2)
        eseal__pdf_diff_forbid(d, "%s", reg->reason);
}

void eseal__pdf_diff_check_tail(diff *d)
{
    uint64_t end = d->n_later > 0 ? d->s->rev_end[0] : d->covered_end;
    uint64_t p;
    size_t i;

    for (i = d->n_later; i-- > 0 && !d->fatal && !d->forbidden;)
        check_revision(d, i, i + 1 == d->n_later ? d->covered_end :
                                                   d->s->rev_end[i + 1]);
    p = skip_ws(d, end, d->size);
    if (p < d->size)
        eseal__pdf_diff_forbid(d, "%llu bytes appended after the %s "
            "revision", (unsigned long long)(d->size - p),
            d->n_later > 0 ? "last" : "signed");
}

int eseal__pdf_diff_find_revisions(diff *d)
{
    pdf_diff_session *s = d->s;
    size_t nc = s->n_sec;
    size_t no = pdf_reader_section_count(d->old);
    size_t i;

    for (i = 0; i < no; i++)
        if (no > nc || pdf_reader_section(d->cur, nc - no + i)->offset !=
                           pdf_reader_section(d->old, i)->offset) {
            eseal__pdf_diff_forbid(d, "the later revisions do not extend "
                "the signed revision's cross-reference chain");
            return -1;
        }
    d->n_later = nc - no;
    if (d->n_later > DIFF_MAX_REVISIONS) {
        eseal__pdf_diff_forbid(d, "more than %d revisions after the seal",
            DIFF_MAX_REVISIONS);
        return -1;
    }
    for (i = 0; i < d->n_later; i++) {
        uint64_t off = pdf_reader_section(d->cur, i)->offset;

        if (off < d->covered_end ||
            (i > 0 && off >= pdf_reader_section(d->cur, i - 1)->offset)) {
            eseal__pdf_diff_forbid(d, "a later cross-reference section at "
                "offset %llu is out of place", (unsigned long long)off);
            return -1;
        }
        if (s->rev_end[i] != 0)
            continue;
        if (find_rev_end(d, off, i > 0 ? pdf_reader_section(d->cur,
                                             i - 1)->offset : d->size,
                &s->rev_end[i]) < 0) {
            eseal__pdf_diff_forbid(d, "the revision with the cross-reference "
                "section at offset %llu has no startxref and %%%%EOF",
                (unsigned long long)off);
            return -1;
        }
    }
    return 0;
}
