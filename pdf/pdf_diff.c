/*
 * eseal PDF adapter - what changed after a signed revision.
 *
 * Two readers are opened: one on the signed revision (the bytes up to where
 * the signature's /ByteRange ends) and one on the whole file.  Every object
 * number whose cross-reference entry differs (or whose object stream was
 * replaced) and whose content really differs is a change; each change must
 * be explained by a role PAdES permits, found by walking the new document
 * from its catalog: the catalog itself (only /AcroForm, /DSS, /Extensions,
 * /Metadata), the document information and XMP metadata,
 * the AcroForm (only /Fields growing, /SigFlags, /DR growing, /DA added),
 * new signature fields and widgets (without actions) with their signature
 * dictionaries and appearances, a page whose /Annots only grew by signature
 * widgets (listed in /Fields or not), the DSS and everything in it,
 * cross-reference and object streams, and new objects nothing refers to
 * (pdf_diff_session.c).  Anything unexplained is forbidden.  The bytes
 * after the signed revision must also be made only of the later
 * revisions' objects, xref sections, trailers and comments, with nothing
 * but whitespace after the last %%EOF (pdf_diff_tail.c).
 *
 * Here: the verdicts, reading and comparing objects, the catalog, the
 * metadata and the DSS; the AcroForm, its fields and the pages are judged
 * in pdf_diff_form.c.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "pdf_diff_int.h"

/* ---- verdicts ----------------------------------------------------- */

static void vforbid(diff *d, const char *fmt, va_list ap)
    ESEAL_PRINTF(2, 0);

static void vforbid(diff *d, const char *fmt, va_list ap)
{
    char msg[512];
    int rc;

    d->forbidden = 1;
    if (d->n_reasons_total++ >= DIFF_MAX_REASONS || d->reasons == NULL)
        return;
    vsnprintf(msg, sizeof(msg), fmt, ap);
    rc = eseal__strlist_add(d->reasons, d->n_reasons, msg);
    if (rc < 0 && d->fatal == 0)
        d->fatal = eseal__error_set(d->err, rc, "out of memory");
}

static void forbid(diff *d, const char *fmt, ...) ESEAL_PRINTF(2, 3);

static void forbid(diff *d, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vforbid(d, fmt, ap);
    va_end(ap);
}

void eseal__pdf_diff_forbid(diff *d, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vforbid(d, fmt, ap);
    va_end(ap);
}

/* ---- reading objects ---------------------------------------------- */

/* A load failure is itself a reason to distrust the change. */
static void load_failed(diff *d, int rc, const eseal_error *e)
{
    if (rc == ESEAL_ENOMEM) {
        if (d->fatal == 0)
            d->fatal = eseal__error_set(d->err, rc, "%s", e->message);
        return;
    }
    forbid(d, "cannot read an object after the seal: %s", e->message);
}

/* Resolves o in r; a reference to a free or unknown object is NULL. */
static pdf_obj *resolve(diff *d, pdf_reader *r, pdf_obj *o)
{
    eseal_error e = { 0, "" };
    pdf_obj *out = NULL;
    int rc;

    if (o == NULL || d->fatal)
        return NULL;
    if (o->type != PDF_REF)
        return o;
    if (o->u.ref.num >= pdf_reader_size(r) ||
        pdf_reader_entry(r, o->u.ref.num).type == 0)
        return NULL;
    if ((rc = pdf_reader_resolve(r, o, &out, &e)) < 0) {
        load_failed(d, rc, &e);
        return NULL;
    }
    return out;
}

pdf_obj *eseal__pdf_diff_resolve(diff *d, pdf_reader *r, pdf_obj *o)
{
    return resolve(d, r, o);
}

void eseal__pdf_diff_load_failed(diff *d, int rc, const eseal_error *e)
{
    load_failed(d, rc, e);
}

pdf_obj *eseal__pdf_diff_load(diff *d, pdf_reader *r, uint32_t num)
{
    eseal_error e = { 0, "" };
    pdf_obj *out = NULL;
    int rc;

    if (d->fatal || num >= pdf_reader_size(r) ||
        pdf_reader_entry(r, num).type == 0)
        return NULL;
    if ((rc = pdf_reader_load(r, num, &out, &e)) < 0) {
        load_failed(d, rc, &e);
        return NULL;
    }
    return out;
}

pdf_obj *eseal__pdf_diff_get(diff *d, pdf_reader *r, const pdf_obj *dict,
    const char *key)
{
    if (dict == NULL || (dict->type != PDF_DICT && dict->type != PDF_STREAM))
        return NULL;
    return resolve(d, r, pdf_dict_get(dict, key));
}

/* A short description for messages: the /Type, or the kind of value. */
const char *eseal__pdf_diff_kind_of(const pdf_obj *o)
{
    const pdf_obj *t = NULL, *dict = dict_of(o);

    if (dict != NULL && dict->type == PDF_DICT)
        t = pdf_dict_get(dict, "Type");
    if (t != NULL && t->type == PDF_NAME)
        return t->u.name.s;
    if (o == NULL)
        return "missing";
    switch (o->type) {
    case PDF_STREAM:
        return "stream";
    case PDF_DICT:
        return pdf_dict_get(o, "FT") != NULL ? "form field" : "dictionary";
    case PDF_ARRAY:
        return "array";
    default:
        return "value";
    }
}

int eseal__pdf_diff_equal(const diff *d, const pdf_obj *a, const pdf_obj *b,
    int depth)
{
    size_t i;

    if (a == NULL || b == NULL)
        return a == b;
    if (depth > PDF_MAX_DEPTH || a->type != b->type)
        return 0;
    switch (a->type) {
    case PDF_NULL:
        return 1;
    case PDF_BOOL:
        return !a->u.boolean == !b->u.boolean;
    case PDF_INT:
        return a->u.i == b->u.i;
    case PDF_REAL:
        return a->u.r == b->u.r;
    case PDF_NAME:
        return a->u.name.len == b->u.name.len &&
            memcmp(a->u.name.s, b->u.name.s, a->u.name.len) == 0;
    case PDF_STRING:
        return a->u.str.len == b->u.str.len &&
            (a->u.str.len == 0 ||
                memcmp(a->u.str.s, b->u.str.s, a->u.str.len) == 0);
    case PDF_ARRAY:
        if (a->u.arr.len != b->u.arr.len)
            return 0;
        for (i = 0; i < a->u.arr.len; i++)
            if (!eseal__pdf_diff_equal(d, a->u.arr.items[i], b->u.arr.items[i],
                    depth + 1))
                return 0;
        return 1;
    case PDF_DICT:
        /* by the values readers use: with duplicate keys, the last one */
        if (a->u.dict.len != b->u.dict.len)
            return 0;
        for (i = 0; i < a->u.dict.len; i++)
            if (!eseal__pdf_diff_equal(d, pdf_dict_get(a, a->u.dict.keys[i]),
                    pdf_dict_get(b, a->u.dict.keys[i]), depth + 1) ||
                !eseal__pdf_diff_equal(d, pdf_dict_get(a, b->u.dict.keys[i]),
                    pdf_dict_get(b, b->u.dict.keys[i]), depth + 1))
                return 0;
        return 1;
    case PDF_REF:
        return a->u.ref.num == b->u.ref.num && a->u.ref.gen == b->u.ref.gen;
    case PDF_STREAM:
        if (!eseal__pdf_diff_equal(d, a->u.stream.dict, b->u.stream.dict,
                depth + 1) ||
            a->u.stream.data_len != b->u.stream.data_len ||
            a->u.stream.data_off > d->size ||
            b->u.stream.data_off > d->size ||
            a->u.stream.data_len > d->size - a->u.stream.data_off ||
            b->u.stream.data_len > d->size - b->u.stream.data_off)
            return 0;
        return memcmp(d->data + a->u.stream.data_off,
                   d->data + b->u.stream.data_off,
                   (size_t)a->u.stream.data_len) == 0;
    }
    return 0;
}

static int key_allowed(const char *key, const char *const *allowed)
{
    for (; *allowed != NULL; allowed++)
        if (strcmp(key, *allowed) == 0)
            return 1;
    return 0;
}

/*
 * Compares two dictionaries key by key; lists in *bad the keys that differ
 * and are not allowed to.  Returns how many there are.  a may be NULL (a
 * new dictionary: every key of b differs).
 */
size_t eseal__pdf_diff_keys(const diff *d, const pdf_obj *a, const pdf_obj *b,
    const char *const *allowed, char *bad, size_t bad_size)
{
    const pdf_obj *x[2];
    size_t n = 0, i, used = 0;
    int side;

    x[0] = dict_of(a);
    x[1] = dict_of(b);
    bad[0] = '\0';
    for (side = 0; side < 2; side++) {
        const pdf_obj *p = x[side], *q = x[1 - side];

        if (p == NULL || p->type != PDF_DICT)
            continue;
        for (i = 0; i < p->u.dict.len; i++) {
            const char *key = p->u.dict.keys[i];
            const pdf_obj *other = q != NULL && q->type == PDF_DICT ?
                pdf_dict_get(q, key) : NULL;

            if (side == 1 && other != NULL)
                continue; /* compared from the first side already */
            if (pdf_dict_get(p, key) != p->u.dict.vals[i])
                continue; /* a duplicate key: the last one counts */
            if (eseal__pdf_diff_equal(d, p->u.dict.vals[i], other, 0) ||
                key_allowed(key, allowed))
                continue;
            n++;
            if (used + strlen(key) + 3 < bad_size)
                used += (size_t)snprintf(bad + used, bad_size - used,
                    "%s/%s", used ? " " : "", key);
        }
    }
    if (a != NULL && b != NULL && a->type != b->type && n == 0) {
        snprintf(bad, bad_size, "(stream data)");
        n = 1;
    }
    if (a != NULL && b != NULL && a->type == PDF_STREAM && n == 0 &&
        !eseal__pdf_diff_equal(d, a, b, 0)) {
        snprintf(bad, bad_size, "(stream data)");
        n = 1;
    }
    return n;
}

/* ---- blessing what new permitted objects reference --------------- */

typedef struct objstack {
    pdf_obj **items;
    size_t len;
    size_t cap;
} objstack;

static int push(diff *d, objstack *s, pdf_obj *o)
{
    if (s->len == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 16;
        pdf_obj **items = realloc(s->items, cap * sizeof(*items));

        if (items == NULL) {
            if (d->fatal == 0)
                d->fatal = eseal__error_set(d->err, ESEAL_ENOMEM,
                    "out of memory");
            return -1;
        }
        s->items = items;
        s->cap = cap;
    }
    s->items[s->len++] = o;
    return 0;
}

static void collect_refs(diff *d, objstack *s, pdf_obj *o, int depth)
{
    size_t i;

    if (o == NULL || depth > PDF_MAX_DEPTH || d->fatal)
        return;
    switch (o->type) {
    case PDF_REF: {
        uint32_t num = o->u.ref.num;

        /* only objects the signed revision did not have are blessed */
        if (num == 0 || num >= d->n || (d->st[num] & ST_JUDGED) ||
            !(d->st[num] & ST_NEW))
            return;
        if (++d->n_nodes > DIFF_MAX_NODES)
            return; /* left unjudged: forbidden in the end */
        d->st[num] |= ST_OK;
        push(d, s, eseal__pdf_diff_load(d, d->cur, num));
        return;
    }
    case PDF_ARRAY:
        for (i = 0; i < o->u.arr.len; i++)
            collect_refs(d, s, o->u.arr.items[i], depth + 1);
        return;
    case PDF_DICT:
        for (i = 0; i < o->u.dict.len; i++)
            collect_refs(d, s, o->u.dict.vals[i], depth + 1);
        return;
    case PDF_STREAM:
        collect_refs(d, s, o->u.stream.dict, depth + 1);
        return;
    default:
        return;
    }
}

/*
 * Marks as permitted every new object reachable from o (appearance
 * streams, their resources, a signature's /Reference...).  Objects of the
 * signed revision are not followed: their own role must explain them.
 */
void eseal__pdf_diff_bless(diff *d, pdf_obj *o)
{
    objstack s = { NULL, 0, 0 };

    collect_refs(d, &s, o, 0);
    while (s.len > 0 && !d->fatal) {
        pdf_obj *next = s.items[--s.len];

        collect_refs(d, &s, next, 0);
    }
    free(s.items);
}

/* Blesses the values of a dictionary except the keys listed. */
void eseal__pdf_diff_bless_values(diff *d, pdf_obj *dict,
    const char *const *skip)
{
    size_t i;

    dict = (pdf_obj *)dict_of(dict);
    if (dict == NULL || dict->type != PDF_DICT)
        return;
    for (i = 0; i < dict->u.dict.len; i++)
        if (!key_allowed(dict->u.dict.keys[i], skip))
            eseal__pdf_diff_bless(d, dict->u.dict.vals[i]);
}

/* ---- the catalog -------------------------------------------------- */

static void judge_catalog(diff *d, uint32_t num, pdf_obj *ocat,
    pdf_obj *ncat)
{
    static const char *const allowed[] = { "AcroForm", "DSS", "Extensions",
        "Metadata", NULL };
    char bad[200];

    if (!(d->st[num] & ST_CHANGED))
        return;
    if (eseal__pdf_diff_keys(d, ocat, ncat, allowed, bad, sizeof(bad)) > 0) {
        forbid(d, "object %u 0 (catalog) changed after the seal: %s", num,
            bad);
        set_bad(d, num);
        return;
    }
    set_ok(d, num);
    if (!eseal__pdf_diff_equal(d, pdf_dict_get(ocat, "Extensions"),
            pdf_dict_get(ncat, "Extensions"), 0))
        eseal__pdf_diff_bless(d, pdf_dict_get(ncat, "Extensions"));
}

/* ---- metadata ---------------------------------------------------- */

/*
 * The document information dictionary (trailer /Info) and the XMP stream
 * (catalog /Metadata) are not rendered; signing tools update them (dates,
 * producer), so they may change: a new object, or the same object number
 * as in the signed revision, of the right kind.
 */
static void judge_meta_object(diff *d, const pdf_obj *raw_o,
    const pdf_obj *raw_n, int xmp)
{
    uint32_t num;
    pdf_obj *o;

    if (raw_n == NULL || raw_n->type != PDF_REF || raw_n->u.ref.num >= d->n)
        return;
    num = raw_n->u.ref.num;
    if (!(d->st[num] & ST_TOUCHED) || (d->st[num] & ST_JUDGED))
        return;
    if ((d->st[num] & ST_CHANGED) &&
        (raw_o == NULL || raw_o->type != PDF_REF || raw_o->u.ref.num != num))
        return; /* an object of another role reused: judged as such */
    o = eseal__pdf_diff_load(d, d->cur, num);
    if (o == NULL ||
        (xmp ? o->type != PDF_STREAM || !has_type(o, "Metadata")
             : o->type != PDF_DICT))
        return;
    set_ok(d, num);
    eseal__pdf_diff_bless(d, o);
}

static void judge_metadata(diff *d, const pdf_obj *ocat, const pdf_obj *ncat)
{
    judge_meta_object(d, pdf_dict_get(pdf_reader_trailer(d->old), "Info"),
        pdf_dict_get(pdf_reader_trailer(d->cur), "Info"), 0);
    judge_meta_object(d, pdf_dict_get(ocat, "Metadata"),
        pdf_dict_get(ncat, "Metadata"), 1);
}

/* ---- the DSS ------------------------------------------------------ */

/* old: marks the signed revision's DSS objects; new: judges the new ones */
static pdf_obj *dss_visit(diff *d, pdf_reader *r, pdf_obj *o, int old)
{
    if (o != NULL && o->type == PDF_REF && o->u.ref.num < d->n) {
        uint32_t num = o->u.ref.num;

        if (++d->n_nodes > DIFF_MAX_NODES)
            return NULL;
        if (old)
            d->st[num] |= ST_OLD_DSS;
        else if ((d->st[num] & ST_NEW) ||
            ((d->st[num] & ST_CHANGED) && (d->st[num] & ST_OLD_DSS)))
            set_ok(d, num);
    }
    return resolve(d, r, o);
}

static void dss_array(diff *d, pdf_reader *r, pdf_obj *raw, int old)
{
    pdf_obj *arr = dss_visit(d, r, raw, old);
    size_t i;

    if (arr == NULL || arr->type != PDF_ARRAY)
        return;
    for (i = 0; i < arr->u.arr.len; i++) {
        pdf_obj *item = arr->u.arr.items[i];

        /* streams of certificates, responses, CRLs: leaves */
        if (item->type == PDF_REF)
            dss_visit(d, r, item, old);
    }
}

static void walk_dss(diff *d, pdf_reader *r, pdf_obj *cat, int old)
{
    static const char *const arrays[] = { "Certs", "OCSPs", "CRLs" };
    static const char *const vri_arrays[] = { "Cert", "OCSP", "CRL" };
    pdf_obj *dss, *vri;
    size_t i, k;

    dss = dss_visit(d, r, pdf_dict_get(cat, "DSS"), old);
    if (dss == NULL || dss->type != PDF_DICT)
        return;
    for (k = 0; k < 3; k++)
        dss_array(d, r, pdf_dict_get(dss, arrays[k]), old);
    vri = dss_visit(d, r, pdf_dict_get(dss, "VRI"), old);
    if (vri == NULL || vri->type != PDF_DICT)
        return;
    for (i = 0; i < vri->u.dict.len && !d->fatal; i++) {
        pdf_obj *entry = dss_visit(d, r, vri->u.dict.vals[i], old);
        pdf_obj *ts;

        if (entry == NULL || entry->type != PDF_DICT)
            continue;
        for (k = 0; k < 3; k++)
            dss_array(d, r, pdf_dict_get(entry, vri_arrays[k]), old);
        ts = pdf_dict_get(entry, "TS");
        if (ts != NULL && ts->type == PDF_REF)
            dss_visit(d, r, ts, old);
    }
}

/* ---- comparing the revisions ------------------------------------------ */

static int entry_eq(pdf_xref_entry a, pdf_xref_entry b)
{
    return a.type == b.type && a.field2 == b.field2 && a.field3 == b.field3;
}

static pdf_xref_entry entry(pdf_reader *r, uint64_t num)
{
    pdf_xref_entry none = { 0, 0, 0 };

    if (num >= pdf_reader_size(r))
        return none;
    return pdf_reader_entry(r, (uint32_t)num);
}

/* Sets ST_CHANGED / ST_NEW; returns how many objects changed. */
static size_t find_changes(diff *d)
{
    size_t n_changed = 0;
    uint32_t num;

    for (num = 1; num < d->n && !d->fatal; num++) {
        pdf_xref_entry a = entry(d->old, num), b = entry(d->cur, num);
        pdf_obj *o, *nw;

        if (entry_eq(a, b) &&
            (b.type != 2 ||
                entry_eq(entry(d->old, b.field2), entry(d->cur, b.field2))))
            continue;
        if (a.type == 0 && b.type == 0)
            continue;
        if (b.type == 0) {
            o = eseal__pdf_diff_load(d, d->old, num);
            if (o != NULL && (has_type(o, "XRef") || has_type(o, "ObjStm")))
                continue;
            forbid(d, "object %u %u (%s) deleted after the seal", num,
                (unsigned)a.field3, eseal__pdf_diff_kind_of(o));
            continue;
        }
        if (a.type == 0) {
            d->st[num] |= ST_NEW;
            n_changed++;
            continue;
        }
        o = eseal__pdf_diff_load(d, d->old, num);
        nw = eseal__pdf_diff_load(d, d->cur, num);
        if (o != NULL && nw != NULL && eseal__pdf_diff_equal(d, o, nw, 0))
            continue;
        d->st[num] |= ST_CHANGED;
        n_changed++;
    }
    return n_changed;
}

static int any_unjudged(const diff *d)
{
    uint32_t num;

    for (num = 1; num < d->n; num++)
        if ((d->st[num] & ST_TOUCHED) && !(d->st[num] & ST_JUDGED))
            return 1;
    return 0;
}

static void judge_rest(diff *d)
{
    uint32_t num;

    for (num = 1; num < d->n && !d->fatal; num++) {
        uint8_t s = d->st[num];
        pdf_obj *nw, *o = NULL;

        if (!(s & ST_TOUCHED) || (s & ST_JUDGED))
            continue;
        nw = eseal__pdf_diff_load(d, d->cur, num);
        if (s & ST_CHANGED)
            o = eseal__pdf_diff_load(d, d->old, num);
        /* containers: their objects are judged one by one */
        if (nw != NULL && nw->type == PDF_STREAM &&
            (has_type(nw, "XRef") || has_type(nw, "ObjStm")) &&
            (o == NULL || has_type(o, eseal__pdf_diff_kind_of(nw)))) {
            set_ok(d, num);
            continue;
        }
        forbid(d, "object %u %u (%s) %s after the seal", num,
            (unsigned)entry(d->cur, num).field3, eseal__pdf_diff_kind_of(nw),
            (s & ST_NEW) ? "added" : "changed");
        set_bad(d, num);
    }
}

void eseal__pdf_diff_compare(diff *d)
{
    eseal_error e = { 0, "" };
    pdf_obj *ocat = NULL, *ncat = NULL, *pages;
    uint32_t onum = 0, nnum = 0, num;
    int rc;

    if (find_changes(d) == 0 || d->fatal)
        return;
    if ((rc = pdf_reader_catalog(d->old, &onum, &ocat, &e)) < 0 ||
        (rc = pdf_reader_catalog(d->cur, &nnum, &ncat, &e)) < 0) {
        load_failed(d, rc, &e);
        return;
    }
    if (onum != nnum) {
        forbid(d, "the catalog was replaced after the seal (object %u 0 "
                  "instead of %u 0)", nnum, onum);
        set_bad(d, nnum);
    } else {
        judge_catalog(d, nnum, ocat, ncat);
    }
    judge_metadata(d, ocat, ncat);
    walk_dss(d, d->old, ocat, 1);
    walk_dss(d, d->cur, ncat, 0);
    eseal__pdf_diff_judge_acroform(d, ocat, ncat);
    if (any_unjudged(d)) {
        for (num = 1; num < d->n; num++)
            d->st[num] &= (uint8_t)~ST_SEEN;
        pages = pdf_dict_get(ncat, "Pages");
        eseal__pdf_diff_walk_pages(d, pages, 0);
    }
    eseal__pdf_diff_unreferenced(d);
    judge_rest(d);
}
