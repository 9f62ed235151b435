/*
 * eseal PDF adapter - the lazy reader: opening, loading single objects on
 * demand (cached per object number), resolving references, stream data,
 * the catalog and the first page.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "pdf_read_int.h"

/* How far into the file the "%PDF-" header may start. */
#define HEADER_WINDOW 1024
/* Page tree nodes visited while looking for the first page. */
#define MAX_PAGE_NODES 65536

void eseal__pdf_error_prefix(eseal_error *err, const char *fmt, ...)
{
    char msg[sizeof(err->message)];
    size_t n;
    va_list ap;

    if (err == NULL)
        return;
    memcpy(msg, err->message, sizeof(msg));
    msg[sizeof(msg) - 1] = '\0';
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof(err->message), fmt, ap);
    va_end(ap);
    n = strlen(err->message);
    if (n + 2 < sizeof(err->message)) {
        memcpy(err->message + n, ": ", 3);
        n += 2;
        strncat(err->message + n, msg, sizeof(err->message) - n - 1);
    }
}

uint64_t pdf_header_offset(const unsigned char *data, uint64_t size)
{
    uint64_t n = size < HEADER_WINDOW ? size : HEADER_WINDOW, p;

    for (p = 0; p + 5 <= n; p++)
        if (data[p] == '%' && memcmp(data + p, "%PDF-", 5) == 0)
            return p;
    return UINT64_MAX;
}

static int read_header(pdf_reader *r, uint64_t *at, eseal_error *err)
{
    const unsigned char *d = r->data;
    uint64_t p = pdf_header_offset(d, r->size);
    int major = 0, minor = 0;

    if (p == UINT64_MAX)
        return eseal__error_set(err, ESEAL_EFORMAT,
            "not a PDF (no %%PDF- header)");
    *at = p;
    p += 5;
    if (p < r->size && PDF_IS_DIGIT(d[p])) {
        major = d[p++] - '0';
        if (p + 1 < r->size && d[p] == '.' && PDF_IS_DIGIT(d[p + 1]))
            minor = d[p + 1] - '0';
    }
    r->version = 10 * major + minor;
    return 0;
}

int pdf_reader_open(pdf_reader **out, const unsigned char *data,
    uint64_t size, const char *name, eseal_error *err)
{
    pdf_reader *r = NULL;
    uint64_t header_at = 0;
    int rc;

    (void)name; /* the core names the document in messages */
    if (out != NULL)
        *out = NULL;
    if (out == NULL || (data == NULL && size > 0))
        return eseal__error_set(err, ESEAL_EINVAL,
            "pdf_reader_open: invalid argument");
    r = calloc(1, sizeof(*r));
    if (r == NULL)
        return eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
    r->data = data;
    r->size = size;
    r->arena = pdf_arena_new();
    if (r->arena == NULL) {
        rc = eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
        goto cleanup;
    }
    if ((rc = read_header(r, &header_at, err)) < 0)
        goto cleanup;
    r->opening = 1;
    rc = eseal__pdf_xref_read(r, err);
    r->opening = 0;
    if (rc < 0) {
        /* some producers count offsets from a late header: say so */
        if (header_at > 0)
            eseal__pdf_error_prefix(err, "%llu bytes before the %%PDF- "
                "header (offsets counted from the header are not "
                "supported; remove those bytes first)",
                (unsigned long long)header_at);
        goto cleanup;
    }
    r->encrypted = pdf_dict_get(r->trailer, "Encrypt") != NULL;
    *out = r;
    r = NULL;
cleanup:
    pdf_reader_free(r);
    return rc;
}

void pdf_reader_free(pdf_reader *r)
{
    if (r == NULL)
        return;
    eseal__pdf_objstm_free_all(r);
    free(r->sections);
    free(r->xref);
    free(r->objs);
    free(r->loading);
    pdf_arena_free(r->arena);
    free(r);
}

pdf_arena *pdf_reader_arena(pdf_reader *r)
{
    return r != NULL ? r->arena : NULL;
}

int pdf_reader_header_version(const pdf_reader *r)
{
    return r != NULL ? r->version : 0;
}

const pdf_obj *pdf_reader_trailer(const pdf_reader *r)
{
    return r != NULL ? r->trailer : NULL;
}

uint64_t pdf_reader_startxref(const pdf_reader *r)
{
    return r != NULL ? r->startxref : 0;
}

size_t pdf_reader_section_count(const pdf_reader *r)
{
    return r != NULL ? r->n_sections : 0;
}

const pdf_xref_section *pdf_reader_section(const pdf_reader *r, size_t i)
{
    if (r == NULL || i >= r->n_sections)
        return NULL;
    return &r->sections[i];
}

uint32_t pdf_reader_size(const pdf_reader *r)
{
    return r != NULL ? r->size_value : 0;
}

pdf_xref_entry pdf_reader_entry(const pdf_reader *r, uint32_t num)
{
    pdf_xref_entry e;

    memset(&e, 0, sizeof(e));
    if (r != NULL && num < r->n_xref && r->xref[num].set) {
        e.type = r->xref[num].type;
        e.field2 = r->xref[num].f2;
        e.field3 = r->xref[num].f3;
    }
    return e;
}

int pdf_reader_is_encrypted(const pdf_reader *r)
{
    return r != NULL && r->encrypted;
}

/* ---- single objects ----------------------------------------------------- */

static uint64_t skip_ws(const unsigned char *d, uint64_t n, uint64_t p)
{
    while (p < n && PDF_IS_WS(d[p]))
        p++;
    return p;
}

static int endstream_at(const pdf_reader *r, uint64_t p)
{
    p = skip_ws(r->data, r->size, p);
    return r->size - p >= 9 && memcmp(r->data + p, "endstream", 9) == 0;
}

/*
 * The first "endstream" at or after from.  The last answer is remembered:
 * streams with a wrong /Length one after the other then cost one scan,
 * not one scan each.
 */
static int find_endstream(pdf_reader *r, uint64_t from, uint64_t *at)
{
    const unsigned char *d = r->data, *q;
    uint64_t p = from, found = UINT64_MAX;

    if (r->es_at != 0 && from >= r->es_from && from <= r->es_at) {
        found = r->es_at;
    } else {
        while (p < r->size) {
            q = memchr(d + p, 'e', (size_t)(r->size - p));
            if (q == NULL)
                break;
            p = (uint64_t)(q - d);
            if (r->size - p >= 9 && memcmp(q, "endstream", 9) == 0) {
                found = p;
                break;
            }
            p++;
        }
        r->es_from = from;
        r->es_at = found;
    }
    if (found == UINT64_MAX)
        return 0;
    *at = found;
    return 1;
}

/* The stream's /Length, or -1 when it is absent or unusable. */
static int stream_length(pdf_reader *r, pdf_obj *dict, int resolve,
    int64_t *len, eseal_error *err)
{
    pdf_obj *lo = pdf_dict_get(dict, "Length"), *lv = NULL;
    eseal_error e2;
    int rc;

    *len = -1;
    if (lo != NULL && lo->type == PDF_REF) {
        if (!resolve)
            return 0;
        memset(&e2, 0, sizeof(e2));
        rc = pdf_reader_resolve(r, lo, &lv, &e2);
        if (rc == ESEAL_ENOMEM || rc == ESEAL_ELIMIT) {
            if (err != NULL)
                *err = e2;
            return rc;
        }
        /* a missing or looping /Length: use "endstream" instead */
        if (rc < 0)
            return 0;
        lo = lv;
    }
    if (!pdf_get_int(lo, len) || *len < 0)
        *len = -1;
    return 0;
}

int eseal__pdf_parse_indirect(pdf_reader *r, uint64_t off, int check,
    uint32_t num, uint32_t gen, int resolve_length, uint32_t *num_out,
    pdf_obj **out, eseal_error *err)
{
    const unsigned char *d = r->data;
    char id[64];
    pdf_lexer lx;
    pdf_token t1, t2, t3, tok;
    pdf_obj *o = NULL, *st;
    uint64_t p, data_off, at;
    int64_t len;
    int rc;

    *out = NULL;
    if (check)
        snprintf(id, sizeof(id), "object %u %u", num, gen);
    else
        snprintf(id, sizeof(id), "object at offset %llu",
            (unsigned long long)off);
    if (off >= r->size)
        return eseal__error_set(err, ESEAL_EFORMAT,
            "%s: offset %llu is beyond the end of the file (%llu bytes)", id,
            (unsigned long long)off, (unsigned long long)r->size);
    eseal__pdf_lex_init(&lx, d, r->size, off);
    if (eseal__pdf_lex_next(&lx, &t1, NULL) < 0 ||
        eseal__pdf_lex_next(&lx, &t2, NULL) < 0 ||
        eseal__pdf_lex_next(&lx, &t3, NULL) < 0 ||
        t1.type != PDF_TOK_INT || t2.type != PDF_TOK_INT || t1.i < 0 ||
        t1.i > (int64_t)UINT32_MAX || t2.i < 0 || t2.i > 65535 ||
        !eseal__pdf_tok_is(&lx, &t3, "obj"))
        return eseal__error_set(err, ESEAL_EFORMAT,
            "%s: no object header ('N G obj') at offset %llu", id,
            (unsigned long long)off);
    if (check && ((uint64_t)t1.i != num || (uint64_t)t2.i != gen))
        return eseal__error_set(err, ESEAL_EFORMAT,
            "%s: offset %llu holds object %lld %lld", id,
            (unsigned long long)off, (long long)t1.i, (long long)t2.i);
    if (num_out != NULL)
        *num_out = (uint32_t)t1.i;
    if ((rc = eseal__pdf_lex_next(&lx, &tok, err)) < 0)
        goto fail;
    if (eseal__pdf_tok_is(&lx, &tok, "endobj")) {
        o = pdf_new_null(r->arena);
        if (o == NULL)
            return eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
        *out = o;
        return 0;
    }
    if ((rc = eseal__pdf_parse_from(&lx, r->arena, &tok, &o, err)) < 0)
        goto fail;
    if (o->type != PDF_DICT || !eseal__pdf_lex_keyword(&lx, "stream")) {
        /* "endobj" is not required */
        *out = o;
        return 0;
    }
    /* "stream" EOL data EOL "endstream"; tolerate blanks and a lone CR */
    p = lx.pos;
    while (p < r->size && d[p] == ' ')
        p++;
    if (p < r->size && d[p] == '\r')
        p++;
    if (p < r->size && d[p] == '\n')
        p++;
    data_off = p;
    if ((rc = stream_length(r, o, resolve_length, &len, err)) < 0)
        return rc;
    if (len < 0 || (uint64_t)len > r->size - data_off ||
        !endstream_at(r, data_off + (uint64_t)len)) {
        if (!find_endstream(r, data_off, &at))
            return eseal__error_set(err, ESEAL_EFORMAT,
                "%s: the stream at offset %llu has no endstream", id,
                (unsigned long long)data_off);
        len = (int64_t)(at - data_off);
        if (len > 0 && d[data_off + len - 1] == '\n')
            len--;
        if (len > 0 && d[data_off + len - 1] == '\r')
            len--;
    }
    st = pdf_arena_alloc(r->arena, sizeof(*st));
    if (st == NULL)
        return eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
    st->type = PDF_STREAM;
    st->u.stream.dict = o;
    st->u.stream.data_off = data_off;
    st->u.stream.data_len = (uint64_t)len;
    *out = st;
    return 0;
fail:
    if (rc != ESEAL_ENOMEM)
        eseal__pdf_error_prefix(err, "%s", id);
    return rc;
}

static int missing(pdf_reader *r, uint32_t num, eseal_error *err)
{
    return eseal__error_set(err, ESEAL_EFORMAT, "object %u 0 is missing",
        num);
}

int pdf_reader_load(pdf_reader *r, uint32_t num, pdf_obj **out,
    eseal_error *err)
{
    pdf_xent *e;
    pdf_obj *o = NULL;
    int rc;

    if (out != NULL)
        *out = NULL;
    if (r == NULL || out == NULL)
        return eseal__error_set(err, ESEAL_EINVAL,
            "pdf_reader_load: invalid argument");
    if (r->opening)
        return eseal__error_set(err, ESEAL_EFORMAT,
            "object %u is needed while the xref sections are read", num);
    if (num >= r->n_xref || !r->xref[num].set || r->xref[num].type == 0)
        return missing(r, num, err);
    if (r->objs == NULL) {
        r->objs = calloc(r->n_xref, sizeof(*r->objs));
        r->loading = calloc(r->n_xref, 1);
        if (r->objs == NULL || r->loading == NULL) {
            free(r->objs);
            free(r->loading);
            r->objs = NULL;
            r->loading = NULL;
            return eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
        }
    }
    if (r->objs[num] != NULL) {
        *out = r->objs[num];
        return 0;
    }
    e = &r->xref[num];
    if (r->loading[num])
        return eseal__error_set(err, ESEAL_EFORMAT,
            "object %u %u refers to itself while it is loaded", num,
            e->type == 1 ? e->f3 : 0);
    if (r->load_depth >= PDF_MAX_LOAD_DEPTH)
        return eseal__error_set(err, ESEAL_ELIMIT,
            "objects depend on each other deeper than %d levels at object "
            "%u", PDF_MAX_LOAD_DEPTH, num);
    r->loading[num] = 1;
    r->load_depth++;
    if (e->type == 1) {
        rc = eseal__pdf_parse_indirect(r, e->f2, 1, num, e->f3, 1, NULL, &o,
            err);
    } else if (e->f2 > UINT32_MAX) {
        rc = eseal__error_set(err, ESEAL_EFORMAT,
            "object %u 0: object stream number %llu is invalid", num,
            (unsigned long long)e->f2);
    } else {
        rc = eseal__pdf_objstm_get(r, num, (uint32_t)e->f2, e->f3, &o, err);
    }
    r->load_depth--;
    r->loading[num] = 0;
    if (rc < 0)
        return rc;
    r->objs[num] = o;
    *out = o;
    return 0;
}

int pdf_reader_resolve(pdf_reader *r, pdf_obj *o, pdf_obj **out,
    eseal_error *err)
{
    int i, rc;

    if (out == NULL)
        return eseal__error_set(err, ESEAL_EINVAL,
            "pdf_reader_resolve: invalid argument");
    *out = NULL;
    for (i = 0; o != NULL && o->type == PDF_REF; i++) {
        if (i >= PDF_MAX_DEPTH)
            return eseal__error_set(err, ESEAL_ELIMIT,
                "a chain of more than %d references at object %u",
                PDF_MAX_DEPTH, o->u.ref.num);
        if ((rc = pdf_reader_load(r, o->u.ref.num, &o, err)) < 0)
            return rc;
    }
    *out = o;
    return 0;
}

int pdf_reader_dict_get(pdf_reader *r, const pdf_obj *dict, const char *key,
    pdf_obj **out, eseal_error *err)
{
    pdf_obj *v;
    int rc;

    if (out == NULL)
        return eseal__error_set(err, ESEAL_EINVAL,
            "pdf_reader_dict_get: invalid argument");
    *out = NULL;
    v = pdf_dict_get(dict, key);
    if (v == NULL)
        return 0;
    if ((rc = pdf_reader_resolve(r, v, &v, err)) < 0)
        return rc;
    /* a null value is the same as an absent key */
    *out = v != NULL && v->type == PDF_NULL ? NULL : v;
    return 0;
}

/* ---- stream data -------------------------------------------------------- */

static int param_int(pdf_reader *r, const pdf_obj *parms, const char *key,
    int64_t def, int64_t *out, eseal_error *err)
{
    pdf_obj *v;
    int rc;

    *out = def;
    if (parms == NULL)
        return 0;
    if ((rc = pdf_reader_dict_get(r, parms, key, &v, err)) < 0)
        return rc;
    if (v != NULL && !pdf_get_int(v, out))
        return eseal__error_set(err, ESEAL_EFORMAT,
            "/DecodeParms /%s is not an integer", key);
    return 0;
}

#define MAX_FILTERS 8

int pdf_reader_stream_data(pdf_reader *r, const pdf_obj *stream,
    eseal_bytes *out, size_t limit, eseal_error *err)
{
    pdf_obj *filter = NULL, *parms = NULL, *f, *p;
    pdf_obj *filters[MAX_FILTERS], *fparms[MAX_FILTERS];
    size_t n_filters = 0, i;
    uint64_t off, len;
    eseal_bytes cur = { NULL, 0 }, next = { NULL, 0 };
    int64_t pred, colors, bpc, columns;
    int rc;

    if (out != NULL) {
        out->data = NULL;
        out->len = 0;
    }
    if (r == NULL || stream == NULL || out == NULL ||
        stream->type != PDF_STREAM)
        return eseal__error_set(err, ESEAL_EINVAL,
            "pdf_reader_stream_data: not a stream");
    off = stream->u.stream.data_off;
    len = stream->u.stream.data_len;
    if (off > r->size || len > r->size - off)
        return eseal__error_set(err, ESEAL_EFORMAT,
            "stream data at offset %llu runs past the end of the file",
            (unsigned long long)off);
    if ((rc = pdf_reader_dict_get(r, stream, "Filter", &filter, err)) < 0 ||
        (rc = pdf_reader_dict_get(r, stream, "DecodeParms", &parms,
             err)) < 0)
        goto cleanup;
    if (filter != NULL && filter->type == PDF_ARRAY) {
        if (filter->u.arr.len > MAX_FILTERS) {
            rc = eseal__error_set(err, ESEAL_EUNSUPPORTED,
                "more than %d stream filters", MAX_FILTERS);
            goto cleanup;
        }
        for (i = 0; i < filter->u.arr.len; i++) {
            if ((rc = pdf_reader_resolve(r, filter->u.arr.items[i], &f,
                     err)) < 0)
                goto cleanup;
            p = NULL;
            if (parms != NULL && parms->type == PDF_ARRAY &&
                i < parms->u.arr.len &&
                (rc = pdf_reader_resolve(r, parms->u.arr.items[i], &p,
                     err)) < 0)
                goto cleanup;
            /* [/FlateDecode] with a lone dictionary, as some write it */
            if (parms != NULL && parms->type == PDF_DICT &&
                filter->u.arr.len == 1)
                p = parms;
            filters[n_filters] = f;
            fparms[n_filters++] = p;
        }
    } else if (filter != NULL) {
        filters[n_filters] = filter;
        fparms[n_filters++] = parms;
    }
    if (n_filters == 0) {
        if (len > limit) {
            rc = eseal__error_set(err, ESEAL_ELIMIT,
                "stream of %llu bytes exceeds the limit of %zu bytes",
                (unsigned long long)len, limit);
            goto cleanup;
        }
        out->data = malloc(len > 0 ? (size_t)len : 1);
        if (out->data == NULL) {
            rc = eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
            goto cleanup;
        }
        if (len > 0)
            memcpy(out->data, r->data + off, (size_t)len);
        out->len = (size_t)len;
        rc = 0;
        goto cleanup;
    }
    for (i = 0; i < n_filters; i++) {
        f = filters[i];
        p = fparms[i];
        if (f == NULL || f->type != PDF_NAME ||
            (strcmp(f->u.name.s, "FlateDecode") != 0 &&
             strcmp(f->u.name.s, "Fl") != 0)) {
            rc = eseal__error_set(err, ESEAL_EUNSUPPORTED,
                "stream filter %s%s is not supported",
                f != NULL && f->type == PDF_NAME ? "/" : "",
                f != NULL && f->type == PDF_NAME ? f->u.name.s : "(invalid)");
            goto cleanup;
        }
        if (p != NULL && p->type != PDF_DICT)
            p = NULL;
        rc = i == 0 ? eseal__pdf_inflate(&next, r->data + off, len, limit,
                          err)
                    : eseal__pdf_inflate(&next, cur.data, cur.len, limit,
                          err);
        if (rc < 0)
            goto cleanup;
        eseal_bytes_free(&cur);
        cur = next;
        next.data = NULL;
        next.len = 0;
        if ((rc = param_int(r, p, "Predictor", 1, &pred, err)) < 0 ||
            (rc = param_int(r, p, "Colors", 1, &colors, err)) < 0 ||
            (rc = param_int(r, p, "BitsPerComponent", 8, &bpc, err)) < 0 ||
            (rc = param_int(r, p, "Columns", 1, &columns, err)) < 0)
            goto cleanup;
        rc = eseal__pdf_unpredict(&cur, pred, colors, bpc, columns, err);
        if (rc < 0)
            goto cleanup;
    }
    *out = cur;
    cur.data = NULL;
    rc = 0;
cleanup:
    eseal_bytes_free(&cur);
    eseal_bytes_free(&next);
    return rc;
}

/* ---- catalog and first page --------------------------------------------- */

int pdf_reader_catalog(pdf_reader *r, uint32_t *num, pdf_obj **catalog,
    eseal_error *err)
{
    pdf_obj *root, *cat;
    int rc;

    if (num != NULL)
        *num = 0;
    if (catalog != NULL)
        *catalog = NULL;
    if (r == NULL)
        return eseal__error_set(err, ESEAL_EINVAL,
            "pdf_reader_catalog: invalid argument");
    root = pdf_dict_get(r->trailer, "Root");
    if (root == NULL || root->type != PDF_REF)
        return eseal__error_set(err, ESEAL_EFORMAT,
            "the trailer has no /Root reference");
    if ((rc = pdf_reader_load(r, root->u.ref.num, &cat, err)) < 0)
        return rc;
    if (cat->type != PDF_DICT)
        return eseal__error_set(err, ESEAL_EFORMAT,
            "the catalog (object %u) is not a dictionary", root->u.ref.num);
    if (num != NULL)
        *num = root->u.ref.num;
    if (catalog != NULL)
        *catalog = cat;
    return 0;
}

typedef struct kids_pos {
    pdf_obj *kids;
    size_t i;
} kids_pos;

int pdf_reader_first_page(pdf_reader *r, uint32_t *num, pdf_obj **page,
    eseal_error *err)
{
    kids_pos stack[PDF_MAX_DEPTH];
    size_t depth = 0, visits = 0;
    unsigned char *seen = NULL;
    pdf_obj *cat, *ref, *node, *type, *kids;
    uint32_t n;
    int rc;

    if (num != NULL)
        *num = 0;
    if (page != NULL)
        *page = NULL;
    if ((rc = pdf_reader_catalog(r, NULL, &cat, err)) < 0)
        return rc;
    ref = pdf_dict_get(cat, "Pages");
    if (ref == NULL || ref->type != PDF_REF) {
        rc = eseal__error_set(err, ESEAL_EFORMAT,
            "the catalog has no /Pages reference");
        goto cleanup;
    }
    seen = calloc((size_t)r->n_xref / 8 + 1, 1);
    if (seen == NULL) {
        rc = eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
        goto cleanup;
    }
    for (;;) {
        n = ref->u.ref.num;
        if ((rc = pdf_reader_load(r, n, &node, err)) < 0)
            goto cleanup;
        if (node->type != PDF_DICT) {
            rc = eseal__error_set(err, ESEAL_EFORMAT,
                "page tree node %u is not a dictionary", n);
            goto cleanup;
        }
        /* load succeeded, so n < n_xref */
        if (seen[n / 8] & (1u << (n % 8))) {
            rc = eseal__error_set(err, ESEAL_EFORMAT,
                "page tree loop at object %u", n);
            goto cleanup;
        }
        seen[n / 8] |= (unsigned char)(1u << (n % 8));
        if (++visits > MAX_PAGE_NODES) {
            rc = eseal__error_set(err, ESEAL_ELIMIT,
                "more than %d page tree nodes before the first page",
                MAX_PAGE_NODES);
            goto cleanup;
        }
        if ((rc = pdf_reader_dict_get(r, node, "Type", &type, err)) < 0 ||
            (rc = pdf_reader_dict_get(r, node, "Kids", &kids, err)) < 0)
            goto cleanup;
        if (pdf_is_name(type, "Page") ||
            (type == NULL && kids == NULL)) {
            if (num != NULL)
                *num = n;
            if (page != NULL)
                *page = node;
            rc = 0;
            goto cleanup;
        }
        if (kids != NULL && kids->type == PDF_ARRAY && kids->u.arr.len > 0) {
            if (depth >= PDF_MAX_DEPTH) {
                rc = eseal__error_set(err, ESEAL_ELIMIT,
                    "page tree deeper than %d levels", PDF_MAX_DEPTH);
                goto cleanup;
            }
            stack[depth].kids = kids;
            stack[depth].i = 0;
            depth++;
        }
        /* the next kid: depth first, skipping exhausted (or empty) nodes */
        while (depth > 0 && stack[depth - 1].i >= stack[depth - 1].kids->
            u.arr.len)
            depth--;
        if (depth == 0) {
            rc = eseal__error_set(err, ESEAL_EFORMAT,
                "the document has no pages");
            goto cleanup;
        }
        ref = stack[depth - 1].kids->u.arr.items[stack[depth - 1].i++];
        if (ref->type != PDF_REF) {
            rc = eseal__error_set(err, ESEAL_EFORMAT,
                "a /Kids entry of page tree node %u is not a reference", n);
            goto cleanup;
        }
    }
cleanup:
    free(seen);
    return rc;
}
