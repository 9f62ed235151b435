/*
 * eseal PDF adapter - cross-reference sections: startxref, classic tables,
 * xref streams (/W /Index), hybrid files (/XRefStm), the /Prev chain.
 * Sections are merged newest first: the first section that mentions an
 * object number decides it.
 */
#include <stdlib.h>
#include <string.h>
#include "pdf_read_int.h"

/* A free entry of a classic table, applied after the section's /XRefStm. */
typedef struct free_ent {
    uint64_t num;
    uint64_t f2;
    uint32_t f3;
} free_ent;

/* Entries read over all sections (xref streams can be Flate bombs). */
#define MAX_TOTAL_ENTRIES (8ull * PDF_MAX_OBJECTS)

typedef struct xref_ctx {
    pdf_reader *r;
    uint64_t n_entries;
    free_ent *fr;
    size_t n_fr, cap_fr;
    uint64_t *visited; /* section positions already read */
    size_t n_visited, cap_visited;
} xref_ctx;

static int count_entries(xref_ctx *c, uint64_t pos, uint64_t count,
    eseal_error *err)
{
    c->n_entries += count;
    if (c->n_entries > MAX_TOTAL_ENTRIES)
        return eseal__error_set(err, ESEAL_ELIMIT,
            "xref section at offset %llu: more than %llu xref entries in "
            "all sections", (unsigned long long)pos, MAX_TOTAL_ENTRIES);
    return 0;
}

static int xref_grow(pdf_reader *r, uint64_t need, eseal_error *err)
{
    uint64_t cap;
    pdf_xent *x;

    if (need > PDF_MAX_OBJECTS)
        return eseal__error_set(err, ESEAL_ELIMIT,
            "object number %llu exceeds the limit of %u objects",
            (unsigned long long)need - 1, (unsigned)PDF_MAX_OBJECTS);
    if (need > r->cap_xref) {
        cap = r->cap_xref ? (uint64_t)r->cap_xref * 2 : 64;
        if (cap < need)
            cap = need;
        if (cap > PDF_MAX_OBJECTS)
            cap = PDF_MAX_OBJECTS;
        x = realloc(r->xref, (size_t)cap * sizeof(*x));
        if (x == NULL)
            return eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
        memset(x + r->cap_xref, 0,
            (size_t)(cap - r->cap_xref) * sizeof(*x));
        r->xref = x;
        r->cap_xref = (uint32_t)cap;
    }
    if (need > r->n_xref)
        r->n_xref = (uint32_t)need;
    return 0;
}

/* Records an entry unless a newer section already did. */
static int xref_set(pdf_reader *r, uint64_t num, uint8_t type, uint64_t f2,
    uint32_t f3, eseal_error *err)
{
    pdf_xent *e;
    int rc;

    if (num >= r->n_xref && (rc = xref_grow(r, num + 1, err)) < 0)
        return rc;
    e = &r->xref[num];
    if (e->set)
        return 0;
    e->set = 1;
    e->type = type;
    e->f2 = f2;
    e->f3 = f3;
    return 0;
}

static int visit(xref_ctx *c, uint64_t pos, uint64_t off, eseal_error *err)
{
    size_t i;

    for (i = 0; i < c->n_visited; i++)
        if (c->visited[i] == pos)
            return eseal__error_set(err, ESEAL_EFORMAT,
                "/Prev loop: the xref section at offset %llu is reached "
                "twice", (unsigned long long)off);
    if (c->n_visited == c->cap_visited) {
        size_t cap = c->cap_visited ? c->cap_visited * 2 : 8;
        uint64_t *v = realloc(c->visited, cap * sizeof(*v));

        if (v == NULL)
            return eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
        c->visited = v;
        c->cap_visited = cap;
    }
    c->visited[c->n_visited++] = pos;
    return 0;
}

/* ---- startxref ---------------------------------------------------------- */

static int find_startxref(pdf_reader *r, uint64_t *out, eseal_error *err)
{
    static const char kw[] = "startxref";
    const unsigned char *d = r->data;
    uint64_t p, n = r->size;
    pdf_lexer lx;
    pdf_token tok;

    if (n < sizeof(kw) - 1)
        return eseal__error_set(err, ESEAL_EFORMAT,
            "no startxref (the file is truncated)");
    /* the last occurrence: scanning backwards from the end finds it in the
     * final bytes, and keeps going through any trailing garbage */
    p = n - (sizeof(kw) - 1) + 1;
    for (;;) {
        if (p == 0)
            return eseal__error_set(err, ESEAL_EFORMAT,
                "no startxref (the file is truncated or not a PDF)");
        p--;
        if (d[p] == 's' && memcmp(d + p, kw, sizeof(kw) - 1) == 0)
            break;
    }
    eseal__pdf_lex_init(&lx, d, n, p + sizeof(kw) - 1);
    if (eseal__pdf_lex_next(&lx, &tok, NULL) < 0 ||
        tok.type != PDF_TOK_INT || tok.i < 0)
        return eseal__error_set(err, ESEAL_EFORMAT,
            "startxref at offset %llu is not followed by an offset",
            (unsigned long long)p);
    *out = (uint64_t)tok.i;
    return 0;
}

/* ---- classic tables ----------------------------------------------------- */

static uint64_t skip_ws(const unsigned char *d, uint64_t n, uint64_t p)
{
    while (p < n && PDF_IS_WS(d[p]))
        p++;
    return p;
}

static int get_uint(const unsigned char *d, uint64_t n, uint64_t *p,
    uint64_t *v)
{
    uint64_t q = *p, x = 0;

    if (q >= n || !PDF_IS_DIGIT(d[q]))
        return -1;
    for (; q < n && PDF_IS_DIGIT(d[q]); q++) {
        if (x > (UINT64_MAX - 9) / 10)
            return -1;
        x = x * 10 + (uint64_t)(d[q] - '0');
    }
    *p = q;
    *v = x;
    return 0;
}

/* One or more blanks on the same line. */
static int get_blank(const unsigned char *d, uint64_t n, uint64_t *p)
{
    uint64_t q = *p;

    while (q < n && (d[q] == ' ' || d[q] == '\t'))
        q++;
    if (q == *p)
        return -1;
    *p = q;
    return 0;
}

static int push_free(xref_ctx *c, uint64_t num, uint64_t f2, uint64_t f3,
    eseal_error *err)
{
    if (c->n_fr == c->cap_fr) {
        size_t cap = c->cap_fr ? c->cap_fr * 2 : 16;
        free_ent *f = realloc(c->fr, cap * sizeof(*f));

        if (f == NULL)
            return eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
        c->fr = f;
        c->cap_fr = cap;
    }
    c->fr[c->n_fr].num = num;
    c->fr[c->n_fr].f2 = f2;
    c->fr[c->n_fr].f3 = f3 > UINT32_MAX ? UINT32_MAX : (uint32_t)f3;
    c->n_fr++;
    return 0;
}

/*
 * Reads "xref" at pos, its subsections and the trailer.  In-use entries are
 * merged at once; free entries wait in c->fr (see read_section()).
 */
static int read_table(xref_ctx *c, uint64_t pos, pdf_obj **trailer,
    eseal_error *err)
{
    pdf_reader *r = c->r;
    const unsigned char *d = r->data;
    uint64_t n = r->size, p = pos + 4, start, count, k, f2, f3;
    pdf_lexer lx;
    pdf_obj *t = NULL;
    int rc;

    c->n_fr = 0;
    for (;;) {
        p = skip_ws(d, n, p);
        if (p >= n || !PDF_IS_DIGIT(d[p]))
            break;
        if (get_uint(d, n, &p, &start) < 0 || get_blank(d, n, &p) < 0 ||
            get_uint(d, n, &p, &count) < 0)
            return eseal__error_set(err, ESEAL_EFORMAT,
                "xref table at offset %llu: malformed subsection header at "
                "offset %llu", (unsigned long long)pos,
                (unsigned long long)p);
        if (start > PDF_MAX_OBJECTS || count > PDF_MAX_OBJECTS - start)
            return eseal__error_set(err, ESEAL_ELIMIT,
                "xref table at offset %llu: subsection %llu %llu exceeds "
                "the limit of %u objects", (unsigned long long)pos,
                (unsigned long long)start, (unsigned long long)count,
                (unsigned)PDF_MAX_OBJECTS);
        if ((rc = count_entries(c, pos, count, err)) < 0)
            return rc;
        for (k = 0; k < count; k++) {
            unsigned char type;

            /* "oooooooooo ggggg n" and any end of line producers write */
            p = skip_ws(d, n, p);
            if (get_uint(d, n, &p, &f2) < 0 || get_blank(d, n, &p) < 0 ||
                get_uint(d, n, &p, &f3) < 0 || get_blank(d, n, &p) < 0 ||
                p >= n || (d[p] != 'n' && d[p] != 'f') ||
                (p + 1 < n && !PDF_IS_WS(d[p + 1])))
                return eseal__error_set(err, ESEAL_EFORMAT,
                    "xref table at offset %llu: entry %llu is malformed",
                    (unsigned long long)pos,
                    (unsigned long long)(start + k));
            type = d[p++];
            if (type == 'n') {
                if (f3 > 65535)
                    return eseal__error_set(err, ESEAL_EFORMAT,
                        "xref table at offset %llu: entry %llu has "
                        "generation %llu", (unsigned long long)pos,
                        (unsigned long long)(start + k),
                        (unsigned long long)f3);
                rc = xref_set(r, start + k, 1, f2, (uint32_t)f3, err);
            } else {
                rc = push_free(c, start + k, f2, f3, err);
            }
            if (rc < 0)
                return rc;
        }
    }
    eseal__pdf_lex_init(&lx, d, n, p);
    if (!eseal__pdf_lex_keyword(&lx, "trailer"))
        return eseal__error_set(err, ESEAL_EFORMAT,
            "xref table at offset %llu: no trailer at offset %llu",
            (unsigned long long)pos, (unsigned long long)p);
    if ((rc = eseal__pdf_parse(&lx, r->arena, &t, err)) < 0) {
        eseal__pdf_error_prefix(err, "trailer of the xref table at offset "
            "%llu", (unsigned long long)pos);
        return rc;
    }
    if (t->type != PDF_DICT)
        return eseal__error_set(err, ESEAL_EFORMAT,
            "xref table at offset %llu: the trailer is not a dictionary",
            (unsigned long long)pos);
    *trailer = t;
    return 0;
}

/* ---- xref streams ------------------------------------------------------- */

static uint64_t get_be(const unsigned char *p, int w)
{
    uint64_t v = 0;

    while (w-- > 0)
        v = v << 8 | *p++;
    return v;
}

static int read_stream(xref_ctx *c, uint64_t pos, pdf_obj **trailer,
    eseal_error *err)
{
    pdf_reader *r = c->r;
    pdf_obj *so = NULL, *dict, *wo, *io, *o;
    int64_t w[3], size, v;
    uint64_t idx[2 * 64], total = 0, need, wsum, i, k, e;
    size_t n_idx, limit;
    eseal_bytes data = { NULL, 0 };
    const unsigned char *q;
    int rc;

    rc = eseal__pdf_parse_indirect(r, pos, 0, 0, 0, 0, NULL, &so, err);
    if (rc < 0) {
        eseal__pdf_error_prefix(err, "xref stream at offset %llu",
            (unsigned long long)pos);
        goto cleanup;
    }
    if (so->type != PDF_STREAM) {
        rc = eseal__error_set(err, ESEAL_EFORMAT,
            "xref stream at offset %llu: the object is not a stream",
            (unsigned long long)pos);
        goto cleanup;
    }
    dict = so->u.stream.dict;
    o = pdf_dict_get(dict, "Type");
    if (o != NULL && !pdf_is_name(o, "XRef")) {
        rc = eseal__error_set(err, ESEAL_EFORMAT,
            "xref stream at offset %llu: /Type is not /XRef",
            (unsigned long long)pos);
        goto cleanup;
    }
    if (!pdf_get_int(pdf_dict_get(dict, "Size"), &size) || size < 0) {
        rc = eseal__error_set(err, ESEAL_EFORMAT,
            "xref stream at offset %llu: no valid /Size",
            (unsigned long long)pos);
        goto cleanup;
    }
    if (size > PDF_MAX_OBJECTS) {
        rc = eseal__error_set(err, ESEAL_ELIMIT,
            "xref stream at offset %llu: /Size %lld exceeds the limit of %u "
            "objects", (unsigned long long)pos, (long long)size,
            (unsigned)PDF_MAX_OBJECTS);
        goto cleanup;
    }
    wo = pdf_dict_get(dict, "W");
    if (wo == NULL || wo->type != PDF_ARRAY || wo->u.arr.len != 3 ||
        !pdf_get_int(wo->u.arr.items[0], &w[0]) ||
        !pdf_get_int(wo->u.arr.items[1], &w[1]) ||
        !pdf_get_int(wo->u.arr.items[2], &w[2]) ||
        w[0] < 0 || w[1] < 0 || w[2] < 0 || w[0] + w[1] + w[2] == 0) {
        rc = eseal__error_set(err, ESEAL_EFORMAT,
            "xref stream at offset %llu: /W is malformed",
            (unsigned long long)pos);
        goto cleanup;
    }
    if (w[0] > 8 || w[1] > 8 || w[2] > 8) {
        rc = eseal__error_set(err, ESEAL_ELIMIT,
            "xref stream at offset %llu: /W [%lld %lld %lld] has fields "
            "wider than 8 bytes", (unsigned long long)pos, (long long)w[0],
            (long long)w[1], (long long)w[2]);
        goto cleanup;
    }
    wsum = (uint64_t)(w[0] + w[1] + w[2]);
    io = pdf_dict_get(dict, "Index");
    if (io == NULL) {
        idx[0] = 0;
        idx[1] = (uint64_t)size;
        n_idx = 2;
    } else {
        if (io->type != PDF_ARRAY || io->u.arr.len % 2 != 0 ||
            io->u.arr.len > sizeof(idx) / sizeof(idx[0])) {
            rc = eseal__error_set(err, ESEAL_EFORMAT,
                "xref stream at offset %llu: /Index is malformed or has "
                "more than %zu subsections", (unsigned long long)pos,
                sizeof(idx) / sizeof(idx[0]) / 2);
            goto cleanup;
        }
        n_idx = io->u.arr.len;
        for (i = 0; i < n_idx; i++) {
            if (!pdf_get_int(io->u.arr.items[i], &v) || v < 0) {
                rc = eseal__error_set(err, ESEAL_EFORMAT,
                    "xref stream at offset %llu: /Index is malformed",
                    (unsigned long long)pos);
                goto cleanup;
            }
            idx[i] = (uint64_t)v;
        }
    }
    for (i = 0; i < n_idx; i += 2) {
        if (idx[i] > PDF_MAX_OBJECTS || idx[i + 1] > PDF_MAX_OBJECTS -
            idx[i]) {
            rc = eseal__error_set(err, ESEAL_ELIMIT,
                "xref stream at offset %llu: subsection %llu %llu exceeds "
                "the limit of %u objects", (unsigned long long)pos,
                (unsigned long long)idx[i], (unsigned long long)idx[i + 1],
                (unsigned)PDF_MAX_OBJECTS);
            goto cleanup;
        }
        total += idx[i + 1];
    }
    if ((rc = count_entries(c, pos, total, err)) < 0)
        goto cleanup;
    /* total <= 64 * 2^23 and wsum <= 24: no overflow; one byte per row is
     * allowed for a PNG predictor tag, plus some slack */
    need = total * wsum;
    limit = PDF_MAX_STREAM_DECODED;
    if (total * (wsum + 1) + 4096 < limit)
        limit = (size_t)(total * (wsum + 1) + 4096);
    rc = pdf_reader_stream_data(r, so, &data, limit, err);
    if (rc < 0) {
        eseal__pdf_error_prefix(err, "xref stream at offset %llu",
            (unsigned long long)pos);
        goto cleanup;
    }
    if (data.len < need) {
        rc = eseal__error_set(err, ESEAL_EFORMAT,
            "xref stream at offset %llu: %zu bytes of entries, %llu "
            "expected", (unsigned long long)pos, data.len,
            (unsigned long long)need);
        goto cleanup;
    }
    q = data.data;
    for (i = 0; i < n_idx; i += 2) {
        for (k = 0; k < idx[i + 1]; k++) {
            uint64_t type = w[0] ? get_be(q, (int)w[0]) : 1;
            uint64_t f2 = get_be(q + w[0], (int)w[1]);
            uint64_t f3 = get_be(q + w[0] + w[1], (int)w[2]);

            q += wsum;
            e = idx[i] + k;
            if (type > 2)
                continue; /* reserved: a reference to null */
            if (f3 > UINT32_MAX || (type == 1 && f3 > 65535)) {
                rc = eseal__error_set(err, ESEAL_EFORMAT,
                    "xref stream at offset %llu: entry %llu is malformed",
                    (unsigned long long)pos, (unsigned long long)e);
                goto cleanup;
            }
            rc = xref_set(r, e, (uint8_t)type, f2, (uint32_t)f3, err);
            if (rc < 0)
                goto cleanup;
        }
    }
    if (trailer != NULL)
        *trailer = dict;
    rc = 0;
cleanup:
    eseal_bytes_free(&data);
    return rc;
}

/* ---- the chain ---------------------------------------------------------- */

static int add_section(pdf_reader *r, uint64_t pos, int is_stream,
    eseal_error *err)
{
    if (r->n_sections == r->cap_sections) {
        size_t cap = r->cap_sections ? r->cap_sections * 2 : 4;
        pdf_xref_section *s = realloc(r->sections, cap * sizeof(*s));

        if (s == NULL)
            return eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
        r->sections = s;
        r->cap_sections = cap;
    }
    r->sections[r->n_sections].offset = pos;
    r->sections[r->n_sections].is_stream = is_stream;
    r->sections[r->n_sections].xrefstm = 0;
    r->n_sections++;
    return 0;
}

static int check_size(const pdf_obj *trailer, uint64_t pos, int64_t *size,
    eseal_error *err)
{
    pdf_obj *o = pdf_dict_get(trailer, "Size");

    *size = -1;
    if (o == NULL)
        return 0;
    if (!pdf_get_int(o, size) || *size < 0)
        return eseal__error_set(err, ESEAL_EFORMAT,
            "xref section at offset %llu: /Size is not a valid count",
            (unsigned long long)pos);
    if (*size > PDF_MAX_OBJECTS)
        return eseal__error_set(err, ESEAL_ELIMIT,
            "xref section at offset %llu: /Size %lld exceeds the limit of "
            "%u objects", (unsigned long long)pos, (long long)*size,
            (unsigned)PDF_MAX_OBJECTS);
    return 0;
}

static int get_offset(const pdf_obj *trailer, const char *key, uint64_t pos,
    uint64_t *out, int *present, eseal_error *err)
{
    pdf_obj *o = pdf_dict_get(trailer, key);
    int64_t v;

    *present = 0;
    if (o == NULL)
        return 0;
    if (!pdf_get_int(o, &v) || v < 0)
        return eseal__error_set(err, ESEAL_EFORMAT,
            "xref section at offset %llu: /%s is not an offset",
            (unsigned long long)pos, key);
    *present = 1;
    *out = (uint64_t)v;
    return 0;
}

/* Where the section at off really starts (white space skipped). */
static int locate(pdf_reader *r, uint64_t off, const char *what,
    uint64_t *pos, eseal_error *err)
{
    if (off >= r->size)
        return eseal__error_set(err, ESEAL_EFORMAT,
            "%s %llu is beyond the end of the file (%llu bytes)", what,
            (unsigned long long)off, (unsigned long long)r->size);
    *pos = skip_ws(r->data, r->size, off);
    return 0;
}

static int is_table_at(const pdf_reader *r, uint64_t pos)
{
    return r->size - pos >= 4 && memcmp(r->data + pos, "xref", 4) == 0 &&
           (r->size - pos == 4 || !PDF_IS_REGULAR(r->data[pos + 4]));
}

static int read_section(xref_ctx *c, uint64_t off, const char *what,
    pdf_obj **trailer, uint64_t *prev, int *has_prev, eseal_error *err)
{
    pdf_reader *r = c->r;
    pdf_xref_section *sec;
    uint64_t pos, stm_off, stm_pos;
    int64_t size;
    int rc, has_stm;
    size_t i;

    if ((rc = locate(r, off, what, &pos, err)) < 0)
        return rc;
    if ((rc = visit(c, pos, off, err)) < 0)
        return rc;
    if (is_table_at(r, pos)) {
        if ((rc = add_section(r, pos, 0, err)) < 0)
            return rc;
        if ((rc = read_table(c, pos, trailer, err)) < 0)
            return rc;
        if ((rc = get_offset(*trailer, "XRefStm", pos, &stm_off, &has_stm,
                 err)) < 0)
            return rc;
        if (has_stm) {
            /* hybrid: the table's in-use entries, then the hidden stream,
             * then the table's free entries, then /Prev */
            if ((rc = locate(r, stm_off, "/XRefStm offset", &stm_pos,
                     err)) < 0 ||
                (rc = visit(c, stm_pos, stm_off, err)) < 0)
                return rc;
            sec = &r->sections[r->n_sections - 1];
            sec->xrefstm = stm_pos;
            if ((rc = read_stream(c, stm_pos, NULL, err)) < 0)
                return rc;
        }
        for (i = 0; i < c->n_fr; i++) {
            rc = xref_set(r, c->fr[i].num, 0, c->fr[i].f2, c->fr[i].f3, err);
            if (rc < 0)
                return rc;
        }
    } else if (pos < r->size && PDF_IS_DIGIT(r->data[pos])) {
        if ((rc = add_section(r, pos, 1, err)) < 0)
            return rc;
        if ((rc = read_stream(c, pos, trailer, err)) < 0)
            return rc;
    } else {
        return eseal__error_set(err, ESEAL_EFORMAT,
            "no xref section at offset %llu (from %s)",
            (unsigned long long)off, what);
    }
    if ((rc = check_size(*trailer, pos, &size, err)) < 0)
        return rc;
    if (r->n_sections == 1) {
        r->trailer = *trailer;
        r->size_value = size > 0 ? (uint32_t)size : 0;
    }
    return get_offset(*trailer, "Prev", pos, prev, has_prev, err);
}

int eseal__pdf_xref_read(pdf_reader *r, eseal_error *err)
{
    xref_ctx c;
    pdf_obj *trailer = NULL;
    uint64_t off = 0, prev = 0;
    int rc, has_prev = 0;
    const char *what = "startxref offset";

    memset(&c, 0, sizeof(c));
    c.r = r;
    if ((rc = find_startxref(r, &off, err)) < 0)
        goto cleanup;
    r->startxref = off;
    for (;;) {
        if (r->n_sections >= PDF_MAX_XREF_SECTIONS) {
            rc = eseal__error_set(err, ESEAL_ELIMIT,
                "more than %d xref sections", PDF_MAX_XREF_SECTIONS);
            goto cleanup;
        }
        rc = read_section(&c, off, what, &trailer, &prev, &has_prev, err);
        if (rc < 0)
            goto cleanup;
        if (!has_prev)
            break;
        off = prev;
        what = "/Prev offset";
    }
    if (r->n_xref > r->size_value)
        r->size_value = r->n_xref;
    rc = 0;
cleanup:
    free(c.fr);
    free(c.visited);
    return rc;
}
