/*
 * eseal-selfcheck - what eseal's own reader sees of a sealed PDF, for the
 * self-check to compare with Poppler (selfcheck_poppler.c): the terminal
 * signature fields (and signature widgets no AcroForm field lists, which
 * Poppler counts too), and the seal whose /ByteRange ends at the end of
 * the file.  Runs in the helper process.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>
#include "pdf_reader.h"
#include "selfcheck.h"

#define SC_MAX_DEPTH 32            /* /Kids levels of fields and pages */
#define SC_MAX_VISITED 1000000     /* fields, pages and annotations */
#define SC_MAX_NAME 1024           /* bytes of a fully qualified name */

/* The walk's state. */
typedef struct sc_scan {
    pdf_reader *r;
    uint64_t size;
    size_t visited;
    size_t n_sig_fields;         /* terminal signature fields */
    uint32_t *seen;              /* object numbers of fields and widgets */
    size_t n_seen, cap_seen;
    char *last_name;             /* UTF-8 name of the seal ending the file */
    size_t n_last;
} sc_scan;

/* The seen set: open addressing over object numbers (0 = empty slot). */
static size_t seen_slot(const sc_scan *s, uint32_t num)
{
    size_t i = (size_t)(num * UINT32_C(2654435761)) & (s->cap_seen - 1);

    while (s->seen[i] != 0 && s->seen[i] != num)
        i = (i + 1) & (s->cap_seen - 1);
    return i;
}

static int seen_has(const sc_scan *s, uint32_t num)
{
    return s->cap_seen != 0 && num != 0 && s->seen[seen_slot(s, num)] == num;
}

static int seen_add(sc_scan *s, uint32_t num, eseal_error *err)
{
    uint32_t *old = s->seen;
    size_t old_cap = s->cap_seen, i;

    if (num == 0 || seen_has(s, num))
        return 0;
    if (2 * (s->n_seen + 1) > s->cap_seen) {
        size_t cap = old_cap ? 2 * old_cap : 64;

        if ((s->seen = calloc(cap, sizeof(*s->seen))) == NULL) {
            s->seen = old;
            return eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
        }
        s->cap_seen = cap;
        for (i = 0; i < old_cap; i++)
            if (old[i] != 0)
                s->seen[seen_slot(s, old[i])] = old[i];
        free(old);
    }
    s->seen[seen_slot(s, num)] = num;
    s->n_seen++;
    return 0;
}

static int visit(sc_scan *s, int depth, eseal_error *err)
{
    if (depth > SC_MAX_DEPTH || ++s->visited > SC_MAX_VISITED)
        return eseal__error_set(err, ESEAL_ELIMIT, "self-check: too many "
            "or too deeply nested fields or pages");
    return 0;
}

/* Appends a text string (PDFDocEncoding or UTF-16BE) as UTF-8. */
static void append_text(GString *out, const pdf_obj *t)
{
    const unsigned char *p = t->u.str.s;
    size_t len = t->u.str.len;
    gchar *u = NULL;

    if (len >= 2 && p[0] == 0xfe && p[1] == 0xff)
        u = g_convert((const gchar *)p + 2, (gssize)(len - 2), "UTF-8",
            "UTF-16BE", NULL, NULL, NULL);
    else
        u = g_convert((const gchar *)p, (gssize)len, "UTF-8", "ISO-8859-1",
            NULL, NULL, NULL);
    if (u != NULL)
        g_string_append(out, u);
    g_free(u);
}

/* 1 when the signature dictionary's /ByteRange ends at the end of file. */
static int covers_end(sc_scan *s, const pdf_obj *field)
{
    pdf_obj *v = NULL, *br = NULL;
    int64_t n[4];
    size_t i;
    eseal_error ignored;

    if (pdf_reader_dict_get(s->r, field, "V", &v, &ignored) < 0
        || v == NULL || v->type != PDF_DICT
        || pdf_reader_dict_get(s->r, v, "ByteRange", &br, &ignored) < 0
        || br == NULL || br->type != PDF_ARRAY || br->u.arr.len != 4)
        return 0;
    for (i = 0; i < 4; i++)
        if (!pdf_get_int(br->u.arr.items[i], &n[i]) || n[i] < 0)
            return 0;
    return n[0] == 0 && n[1] > 0 && n[2] > n[1]
        && (uint64_t)n[2] + (uint64_t)n[3] == s->size;
}

static int scan_field(sc_scan *s, pdf_obj *ref, const char *parent,
    int sig, int depth, eseal_error *err)
{
    pdf_obj *f, *ft, *t, *kids = NULL, *kid;
    GString *name = NULL;
    size_t i, n_field_kids = 0;
    int rc;

    if ((rc = visit(s, depth, err)) < 0)
        return rc;
    if (ref->type == PDF_REF && seen_has(s, ref->u.ref.num))
        return 0;                       /* a loop or a shared field */
    if ((rc = pdf_reader_resolve(s->r, ref, &f, err)) < 0)
        return rc;
    if (f == NULL || f->type != PDF_DICT)
        return 0;
    if (ref->type == PDF_REF && (rc = seen_add(s, ref->u.ref.num, err)) < 0)
        return rc;
    ft = pdf_dict_get(f, "FT");
    if (ft != NULL)
        sig = pdf_is_name(ft, "Sig");
    name = g_string_new(parent);
    t = pdf_dict_get(f, "T");
    if (t != NULL && t->type == PDF_STRING) {
        if (name->len > 0)
            g_string_append_c(name, '.');
        append_text(name, t);
    }
    if (name->len > SC_MAX_NAME) {
        rc = eseal__error_set(err, ESEAL_ELIMIT, "self-check: a field "
            "name is too long");
        goto cleanup;
    }
    if ((rc = pdf_reader_dict_get(s->r, f, "Kids", &kids, err)) < 0)
        goto cleanup;
    for (i = 0; kids != NULL && kids->type == PDF_ARRAY
        && i < kids->u.arr.len; i++) {
        if ((rc = pdf_reader_resolve(s->r, kids->u.arr.items[i], &kid,
                err)) < 0)
            goto cleanup;
        if (kid == NULL || kid->type != PDF_DICT)
            continue;
        if (pdf_dict_get(kid, "T") != NULL) {
            n_field_kids++;
            rc = scan_field(s, kids->u.arr.items[i], name->str, sig,
                depth + 1, err);
        } else if (kids->u.arr.items[i]->type == PDF_REF) {
            rc = seen_add(s, kids->u.arr.items[i]->u.ref.num, err);
        }
        if (rc < 0)
            goto cleanup;
    }
    if (n_field_kids == 0 && sig) {
        s->n_sig_fields++;
        if (covers_end(s, f)) {
            g_free(s->last_name);
            s->last_name = g_strdup(name->str);
            s->n_last++;
        }
    }
    rc = 0;
cleanup:
    if (name != NULL)
        g_string_free(name, TRUE);
    return rc;
}

/* Poppler also counts signature widgets that no AcroForm field lists. */
static int scan_annots(sc_scan *s, const pdf_obj *page, eseal_error *err)
{
    pdf_obj *annots = NULL, *a, *ft, *parent, *p;
    size_t i;
    int depth, sig, rc;

    if ((rc = pdf_reader_dict_get(s->r, page, "Annots", &annots, err)) < 0)
        return rc;
    if (annots == NULL || annots->type != PDF_ARRAY)
        return 0;
    for (i = 0; i < annots->u.arr.len; i++) {
        pdf_obj *ref = annots->u.arr.items[i];

        if ((rc = visit(s, 0, err)) < 0)
            return rc;
        if (ref->type == PDF_REF && seen_has(s, ref->u.ref.num))
            continue;
        if ((rc = pdf_reader_resolve(s->r, ref, &a, err)) < 0)
            return rc;
        if (a == NULL || a->type != PDF_DICT
            || !pdf_is_name(pdf_dict_get(a, "Subtype"), "Widget"))
            continue;
        /* the field type, inherited along /Parent */
        sig = 0;
        for (p = a, depth = 0; p != NULL && depth < SC_MAX_DEPTH; depth++) {
            parent = pdf_dict_get(p, "Parent");
            if (parent != NULL && parent->type == PDF_REF
                && seen_has(s, parent->u.ref.num))
                break;                  /* belongs to a listed field */
            if ((ft = pdf_dict_get(p, "FT")) != NULL) {
                sig = pdf_is_name(ft, "Sig");
                break;
            }
            if (parent == NULL
                || pdf_reader_resolve(s->r, parent, &p, err) < 0
                || p == NULL || p->type != PDF_DICT)
                break;
        }
        if (!sig)
            continue;
        s->n_sig_fields++;
        if (ref->type == PDF_REF && (rc = seen_add(s, ref->u.ref.num,
                err)) < 0)
            return rc;
    }
    return 0;
}

static int scan_pages(sc_scan *s, pdf_obj *node, int depth, eseal_error *err)
{
    pdf_obj *n, *kids = NULL;
    size_t i;
    int rc;

    if ((rc = visit(s, depth, err)) < 0)
        return rc;
    if ((rc = pdf_reader_resolve(s->r, node, &n, err)) < 0)
        return rc;
    if (n == NULL || n->type != PDF_DICT)
        return 0;
    if ((rc = pdf_reader_dict_get(s->r, n, "Kids", &kids, err)) < 0)
        return rc;
    if (kids == NULL || kids->type != PDF_ARRAY)
        return scan_annots(s, n, err);
    for (i = 0; i < kids->u.arr.len; i++)
        if ((rc = scan_pages(s, kids->u.arr.items[i], depth + 1, err)) < 0)
            return rc;
    return 0;
}

static int scan_document(sc_scan *s, eseal_error *err)
{
    pdf_obj *cat = NULL, *af = NULL, *fields = NULL, *pages;
    uint32_t cat_num;
    size_t i;
    int rc;

    if ((rc = pdf_reader_catalog(s->r, &cat_num, &cat, err)) < 0)
        return rc;
    if ((rc = pdf_reader_dict_get(s->r, cat, "AcroForm", &af, err)) < 0)
        return rc;
    if (af != NULL && af->type == PDF_DICT
        && (rc = pdf_reader_dict_get(s->r, af, "Fields", &fields, err)) < 0)
        return rc;
    for (i = 0; fields != NULL && fields->type == PDF_ARRAY
        && i < fields->u.arr.len; i++)
        if ((rc = scan_field(s, fields->u.arr.items[i], "", 0, 0,
                err)) < 0)
            return rc;
    pages = pdf_dict_get(cat, "Pages");
    return pages != NULL ? scan_pages(s, pages, 0, err) : 0;
}

int eseal__selfcheck_scan(eseal_selfcheck_scan *out,
    const eseal_source *sealed, eseal_error *err)
{
    sc_scan s;
    int rc;

    memset(out, 0, sizeof(*out));
    memset(&s, 0, sizeof(s));
    s.size = sealed->size;
    rc = pdf_reader_open(&s.r, sealed->data, sealed->size,
        sealed->name != NULL ? sealed->name : "document", err);
    if (rc == 0)
        rc = scan_document(&s, err);
    if (rc == 0) {
        out->n_sig_fields = s.n_sig_fields;
        out->n_last = s.n_last;
        out->last_name = s.last_name;
        s.last_name = NULL;
    }
    g_free(s.last_name);
    free(s.seen);
    pdf_reader_free(s.r);
    return rc;
}

void eseal__selfcheck_scan_free(eseal_selfcheck_scan *scan)
{
    g_free(scan->last_name);
    memset(scan, 0, sizeof(*scan));
}
