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
 * (pdf_diff_session.c).  Anything unexplained is forbidden.  The bytes after the signed revision must also be made only of
 * the later revisions' objects, xref sections, trailers and comments, with
 * nothing but whitespace after the last %%EOF.
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

static void set_ok(diff *d, uint32_t num)
{
    if (num > 0 && num < d->n && !(d->st[num] & ST_BAD))
        d->st[num] |= ST_OK;
}

static void set_bad(diff *d, uint32_t num)
{
    if (num > 0 && num < d->n) {
        d->st[num] &= (uint8_t)~ST_OK;
        d->st[num] |= ST_BAD;
    }
}

static uint8_t st_of(const diff *d, const pdf_obj *o)
{
    if (o == NULL || o->type != PDF_REF || o->u.ref.num >= d->n)
        return 0;
    return d->st[o->u.ref.num];
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

static pdf_obj *load(diff *d, pdf_reader *r, uint32_t num)
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

static pdf_obj *get(diff *d, pdf_reader *r, const pdf_obj *dict,
    const char *key)
{
    if (dict == NULL || (dict->type != PDF_DICT && dict->type != PDF_STREAM))
        return NULL;
    return resolve(d, r, pdf_dict_get(dict, key));
}

static const pdf_obj *dict_of(const pdf_obj *o)
{
    if (o != NULL && o->type == PDF_STREAM)
        return o->u.stream.dict;
    return o;
}

static int has_type(const pdf_obj *o, const char *type)
{
    o = dict_of(o);
    return o != NULL && o->type == PDF_DICT &&
        pdf_is_name(pdf_dict_get(o, "Type"), type);
}

/* A short description for messages: the /Type, or the kind of value. */
static const char *kind_of(const pdf_obj *o)
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

static int obj_equal(const diff *d, const pdf_obj *a, const pdf_obj *b,
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
            if (!obj_equal(d, a->u.arr.items[i], b->u.arr.items[i],
                    depth + 1))
                return 0;
        return 1;
    case PDF_DICT:
        /* by the values readers use: with duplicate keys, the last one */
        if (a->u.dict.len != b->u.dict.len)
            return 0;
        for (i = 0; i < a->u.dict.len; i++)
            if (!obj_equal(d, pdf_dict_get(a, a->u.dict.keys[i]),
                    pdf_dict_get(b, a->u.dict.keys[i]), depth + 1) ||
                !obj_equal(d, pdf_dict_get(a, b->u.dict.keys[i]),
                    pdf_dict_get(b, b->u.dict.keys[i]), depth + 1))
                return 0;
        return 1;
    case PDF_REF:
        return a->u.ref.num == b->u.ref.num && a->u.ref.gen == b->u.ref.gen;
    case PDF_STREAM:
        if (!obj_equal(d, a->u.stream.dict, b->u.stream.dict, depth + 1) ||
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
static size_t diff_keys(const diff *d, const pdf_obj *a, const pdf_obj *b,
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
            if (obj_equal(d, p->u.dict.vals[i], other, 0) ||
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
        !obj_equal(d, a, b, 0)) {
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
        push(d, s, load(d, d->cur, num));
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
static void bless_reachable(diff *d, pdf_obj *o)
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
static void bless_values(diff *d, pdf_obj *dict, const char *const *skip)
{
    size_t i;

    dict = (pdf_obj *)dict_of(dict);
    if (dict == NULL || dict->type != PDF_DICT)
        return;
    for (i = 0; i < dict->u.dict.len; i++)
        if (!key_allowed(dict->u.dict.keys[i], skip))
            bless_reachable(d, dict->u.dict.vals[i]);
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
    if (diff_keys(d, ocat, ncat, allowed, bad, sizeof(bad)) > 0) {
        forbid(d, "object %u 0 (catalog) changed after the seal: %s", num,
            bad);
        set_bad(d, num);
        return;
    }
    set_ok(d, num);
    if (!obj_equal(d, pdf_dict_get(ocat, "Extensions"),
            pdf_dict_get(ncat, "Extensions"), 0))
        bless_reachable(d, pdf_dict_get(ncat, "Extensions"));
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
    o = load(d, d->cur, num);
    if (o == NULL ||
        (xmp ? o->type != PDF_STREAM || !has_type(o, "Metadata")
             : o->type != PDF_DICT))
        return;
    set_ok(d, num);
    bless_reachable(d, o);
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

/* ---- arrays that may only grow -------------------------------------- */

/*
 * Checks that nw starts with every item of od, in order.  Returns the
 * index of the first appended item, or -1 (and gives a reason) when old
 * items were removed, replaced or reordered.
 */
static long appended_from(diff *d, const pdf_obj *od, const pdf_obj *nw,
    const char *what)
{
    size_t i, olen = od != NULL && od->type == PDF_ARRAY ? od->u.arr.len : 0;

    if (nw == NULL || nw->type != PDF_ARRAY) {
        if (olen == 0)
            return 0;
        forbid(d, "%s was removed after the seal", what);
        return -1;
    }
    if (nw->u.arr.len < olen) {
        forbid(d, "%s lost entries after the seal", what);
        return -1;
    }
    for (i = 0; i < olen; i++)
        if (!obj_equal(d, od->u.arr.items[i], nw->u.arr.items[i], 0)) {
            forbid(d, "%s changed after the seal: entry %zu", what, i);
            return -1;
        }
    return (long)olen;
}

/* ---- the AcroForm and its fields --------------------------------------- */

/* Is d a signature field, by its own /FT or the inherited one? */
static int field_is_sig(const pdf_obj *f, int inherited)
{
    const pdf_obj *ft = pdf_dict_get(f, "FT");

    return ft != NULL ? pdf_is_name(ft, "Sig") : inherited;
}

/* A new field or widget must not run anything (/A, /AA). */
static int has_action(const pdf_obj *f)
{
    return pdf_dict_get(f, "A") != NULL || pdf_dict_get(f, "AA") != NULL;
}

static void judge_new_field(diff *d, uint32_t num, pdf_obj *f, int is_sig)
{
    static const char *const skip[] = { "Parent", "P", "Kids", "V", NULL };
    const pdf_obj *sub = pdf_dict_get(f, "Subtype");
    pdf_obj *raw_v = pdf_dict_get(f, "V");

    if (!is_sig || (sub != NULL && !pdf_is_name(sub, "Widget"))) {
        forbid(d, "object %u 0 (%s) added after the seal is not a "
                  "signature field", num, kind_of(f));
        set_bad(d, num);
        return;
    }
    if ((d->st[num] & ST_NEW) && has_action(f)) {
        forbid(d, "object %u 0 (signature field) added after the seal "
                  "carries an action (/%s)", num,
            pdf_dict_get(f, "AA") != NULL ? "AA" : "A");
        set_bad(d, num);
        return;
    }
    set_ok(d, num);
    if (raw_v != NULL && raw_v->type == PDF_REF &&
        (st_of(d, raw_v) & ST_NEW)) {
        pdf_obj *v = load(d, d->cur, raw_v->u.ref.num);
        const pdf_obj *t = v != NULL && v->type == PDF_DICT ?
            pdf_dict_get(v, "Type") : NULL;

        if (v == NULL || v->type != PDF_DICT ||
            (t != NULL && !pdf_is_name(t, "Sig") &&
                !pdf_is_name(t, "DocTimeStamp"))) {
            forbid(d, "object %u 0 (%s) added after the seal as the value "
                      "of a signature field is not a signature",
                raw_v->u.ref.num, kind_of(v));
            set_bad(d, raw_v->u.ref.num);
        } else {
            set_ok(d, raw_v->u.ref.num);
            bless_reachable(d, v);
        }
    } else if (raw_v != NULL && raw_v->type == PDF_DICT) {
        bless_reachable(d, raw_v);
    }
    bless_values(d, f, skip);
}

static void judge_changed_field(diff *d, uint32_t num, pdf_obj *of,
    pdf_obj *nf, int inherited)
{
    static const char *const allowed[] = { "V", "AP", "Kids", NULL };
    char bad[200];
    const pdf_obj *ov = pdf_dict_get(of, "V");

    if (of == NULL || of->type != PDF_DICT || nf->type != PDF_DICT ||
        !field_is_sig(of, inherited) || !field_is_sig(nf, inherited)) {
        diff_keys(d, of, nf, (const char *const[]){ NULL }, bad, sizeof(bad));
        forbid(d, "object %u 0 (form field) changed after the seal: %s", num,
            bad);
        set_bad(d, num);
        return;
    }
    if (diff_keys(d, of, nf, allowed, bad, sizeof(bad)) > 0) {
        forbid(d, "object %u 0 (signature field) changed after the seal: %s",
            num, bad);
        set_bad(d, num);
        return;
    }
    if (ov != NULL && ov->type != PDF_NULL &&
        !obj_equal(d, ov, pdf_dict_get(nf, "V"), 0)) {
        forbid(d, "object %u 0 (signature field) changed after the seal: "
                  "its signature /V was replaced", num);
        set_bad(d, num);
        return;
    }
    if (appended_from(d, get(d, d->old, of, "Kids"),
            get(d, d->cur, nf, "Kids"), "the /Kids of a signature field") < 0) {
        set_bad(d, num);
        return;
    }
    /* a field signed now: its new value and appearance */
    judge_new_field(d, num, nf, 1);
}

static void walk_fields(diff *d, pdf_obj *node, int inherited, int depth)
{
    pdf_obj *f = node, *kids;
    uint32_t num = 0;
    int is_sig;
    size_t i;

    if (d->fatal || node == NULL)
        return;
    if (depth > DIFF_MAX_DEPTH || ++d->n_nodes > DIFF_MAX_NODES) {
        forbid(d, "the form field tree is too large to analyse");
        return;
    }
    if (node->type == PDF_REF) {
        num = node->u.ref.num;
        if (num >= d->n || (d->st[num] & ST_SEEN))
            return;
        d->st[num] |= ST_SEEN;
        f = load(d, d->cur, num);
    }
    if (f == NULL || f->type != PDF_DICT)
        return;
    is_sig = field_is_sig(f, inherited);
    if (num != 0 && (d->st[num] & ST_NEW))
        judge_new_field(d, num, f, is_sig);
    else if (num != 0 && (d->st[num] & ST_CHANGED))
        judge_changed_field(d, num, load(d, d->old, num), f, inherited);
    kids = get(d, d->cur, f, "Kids");
    if (kids != NULL && kids->type == PDF_ARRAY)
        for (i = 0; i < kids->u.arr.len; i++) {
            pdf_obj *kid = kids->u.arr.items[i];

            if (kid->type == PDF_DICT && num != 0 &&
                (d->st[num] & ST_NEW) &&
                (!field_is_sig(kid, is_sig) || has_action(kid))) {
                forbid(d, "object %u 0 added after the seal holds a "
                          "field that is not a signature field or has an "
                          "action", num);
                set_bad(d, num);
            }
            walk_fields(d, kid, is_sig, depth + 1);
        }
}

/*
 * raw_n, the new value of raw_o, only grew: the object it names (a new
 * one, or the same number as before, changed) is explained.
 */
static void set_grown(diff *d, const pdf_obj *raw_o, const pdf_obj *raw_n)
{
    if (raw_n == NULL || raw_n->type != PDF_REF)
        return;
    if ((st_of(d, raw_n) & ST_NEW) ||
        ((st_of(d, raw_n) & ST_CHANGED) && raw_o != NULL &&
            raw_o->type == PDF_REF && raw_o->u.ref.num == raw_n->u.ref.num))
        set_ok(d, raw_n->u.ref.num);
}

/* Appends " /key" (and " /sub") to bad[] while room is left. */
static void add_key(char *bad, size_t size, const char *key, const char *sub)
{
    size_t used = strlen(bad);

    if (used + strlen(key) + (sub ? strlen(sub) + 2 : 0) + 3 < size)
        snprintf(bad + used, size - used, "%s/%s%s%s", used ? " " : "", key,
            sub ? " /" : "", sub ? sub : "");
}

/*
 * Checks that the category dictionary ocat (/Font, /XObject...) of the
 * old /DR is still all in ncat; blesses what ncat adds.  0 or -1.
 */
static int dr_category_grew(diff *d, const char *cat, pdf_obj *ocat,
    pdf_obj *ncat, char *bad, size_t size)
{
    size_t i;
    int rc = 0;

    if (ncat == NULL || ncat->type != PDF_DICT) {
        add_key(bad, size, cat, NULL);
        return -1;
    }
    for (i = 0; i < ocat->u.dict.len; i++) {
        const char *key = ocat->u.dict.keys[i];

        if (pdf_dict_get(ocat, key) == ocat->u.dict.vals[i] &&
            !obj_equal(d, ocat->u.dict.vals[i], pdf_dict_get(ncat, key), 0)) {
            add_key(bad, size, cat, key);
            rc = -1;
        }
    }
    for (i = 0; rc == 0 && i < ncat->u.dict.len; i++)
        if (pdf_dict_get(ocat, ncat->u.dict.keys[i]) == NULL)
            bless_reachable(d, ncat->u.dict.vals[i]);
    return rc;
}

/*
 * The AcroForm's default resources may only grow: every resource of the
 * signed revision stays as it was; new ones (the fonts of signature
 * appearances) may be added.
 */
static void judge_dr(diff *d, pdf_obj *raw_o, pdf_obj *raw_n)
{
    pdf_obj *odr = resolve(d, d->old, raw_o), *ndr = resolve(d, d->cur, raw_n);
    char bad[200];
    size_t i;
    int ok = 1;

    if (odr != NULL && odr->type != PDF_DICT)
        odr = NULL;
    if (ndr == NULL || ndr->type != PDF_DICT) {
        if (odr != NULL)
            forbid(d, "the AcroForm /DR was removed after the seal");
        return;
    }
    bad[0] = '\0';
    for (i = 0; odr != NULL && i < odr->u.dict.len && !d->fatal; i++) {
        const char *key = odr->u.dict.keys[i];
        pdf_obj *oraw = odr->u.dict.vals[i], *nraw = pdf_dict_get(ndr, key);
        pdf_obj *ocat;

        if (pdf_dict_get(odr, key) != oraw || obj_equal(d, oraw, nraw, 0))
            continue; /* a duplicate key, or the same value */
        ocat = resolve(d, d->old, oraw);
        if (ocat != NULL && ocat->type == PDF_DICT) {
            if (dr_category_grew(d, key, ocat, resolve(d, d->cur, nraw), bad,
                    sizeof(bad)) < 0)
                ok = 0;
            else
                set_grown(d, oraw, nraw);
        } else if (!obj_equal(d, ocat, resolve(d, d->cur, nraw), 0)) {
            add_key(bad, sizeof(bad), key, NULL);
            ok = 0;
        }
    }
    if (!ok) {
        forbid(d, "the AcroForm /DR changed after the seal: %s", bad);
        return;
    }
    set_grown(d, raw_o, raw_n);
    for (i = 0; i < ndr->u.dict.len; i++)
        if (odr == NULL || pdf_dict_get(odr, ndr->u.dict.keys[i]) == NULL)
            bless_reachable(d, ndr->u.dict.vals[i]);
}

static void judge_acroform(diff *d, pdf_obj *ocat, pdf_obj *ncat)
{
    static const char *const allowed[] = { "Fields", "SigFlags", "DR", NULL };
    /* a /DA may be added, not changed */
    static const char *const allowed_da[] = { "Fields", "SigFlags", "DR",
        "DA", NULL };
    pdf_obj *raw = pdf_dict_get(ncat, "AcroForm");
    pdf_obj *oaf = get(d, d->old, ocat, "AcroForm");
    pdf_obj *naf = resolve(d, d->cur, raw);
    pdf_obj *raw_fields, *ofields, *nfields;
    uint32_t num = raw != NULL && raw->type == PDF_REF ? raw->u.ref.num : 0;
    char bad[200];
    long first;
    size_t i;
    int changed;

    if (naf == NULL || naf->type != PDF_DICT) {
        if (oaf != NULL)
            forbid(d, "the AcroForm was removed after the seal");
        return;
    }
    /* a different object, or the same one changed */
    changed = !obj_equal(d, pdf_dict_get(ocat, "AcroForm"), raw, 0) ||
        (num != 0 && (d->st[num] & ST_TOUCHED)) ||
        (num == 0 && !obj_equal(d, oaf, naf, 0));
    if (changed) {
        if (diff_keys(d, oaf, naf, pdf_dict_get(oaf, "DA") == NULL ?
                    allowed_da : allowed, bad, sizeof(bad)) > 0) {
            forbid(d, "the AcroForm changed after the seal: %s", bad);
            set_bad(d, num);
        } else {
            set_ok(d, num);
        }
    }
    judge_dr(d, pdf_dict_get(oaf, "DR"), pdf_dict_get(naf, "DR"));

    raw_fields = pdf_dict_get(naf, "Fields");
    ofields = get(d, d->old, oaf, "Fields");
    nfields = resolve(d, d->cur, raw_fields);
    if ((st_of(d, raw_fields) & ST_TOUCHED) ||
        !obj_equal(d, ofields, nfields, 0)) {
        first = appended_from(d, ofields, nfields, "/AcroForm /Fields");
        for (i = first < 0 ? 0 : (size_t)first; first >= 0 &&
             nfields != NULL && nfields->type == PDF_ARRAY &&
             i < nfields->u.arr.len; i++) {
            pdf_obj *item = nfields->u.arr.items[i];

            /* a field added must be new; the walk judges what it is */
            if (item->type != PDF_REF) {
                forbid(d, "a direct field was added to /AcroForm /Fields "
                          "after the seal");
                first = -1;
            } else if (!(st_of(d, item) & ST_NEW)) {
                forbid(d, "object %u 0 of the signed revision was added "
                          "to /AcroForm /Fields after the seal",
                    item->u.ref.num);
                first = -1;
            }
        }
        if (raw_fields != NULL && raw_fields->type == PDF_REF) {
            if (first < 0)
                set_bad(d, raw_fields->u.ref.num);
            else
                set_ok(d, raw_fields->u.ref.num);
        }
    }
    if (nfields != NULL && nfields->type == PDF_ARRAY)
        for (i = 0; i < nfields->u.arr.len && !d->fatal; i++)
            walk_fields(d, nfields->u.arr.items[i], 0, 1);
}

/* ---- pages ------------------------------------------------------------ */

/*
 * A new widget that only a page lists (Poppler 22.12 leaves its field out
 * of /Fields when the AcroForm is a direct object): judged as a new field,
 * with the new parent fields it takes its type from.
 */
static void judge_lone_widget(diff *d, uint32_t num)
{
    uint32_t chain[DIFF_MAX_DEPTH];
    pdf_obj *w = load(d, d->cur, num), *node = w, *raw, *ft;
    size_t n = 0, i;
    int is_sig = 0;

    if (w == NULL || w->type != PDF_DICT ||
        !pdf_is_name(pdf_dict_get(w, "Subtype"), "Widget"))
        return; /* left unjudged: forbidden */
    while (node != NULL && node->type == PDF_DICT) {
        if ((ft = get(d, d->cur, node, "FT")) != NULL) {
            is_sig = pdf_is_name(ft, "Sig");
            break;
        }
        raw = pdf_dict_get(node, "Parent");
        if (raw == NULL || raw->type != PDF_REF || n == DIFF_MAX_DEPTH ||
            ++d->n_nodes > DIFF_MAX_NODES)
            break;
        if ((st_of(d, raw) & ST_NEW) && !(st_of(d, raw) & ST_JUDGED))
            chain[n++] = raw->u.ref.num;
        node = load(d, d->cur, raw->u.ref.num);
    }
    if (!is_sig)
        return;
    judge_new_field(d, num, w, 1);
    for (i = 0; i < n && !d->fatal; i++) {
        node = load(d, d->cur, chain[i]);
        if (node != NULL && node->type == PDF_DICT &&
            !(d->st[chain[i]] & ST_JUDGED))
            judge_new_field(d, chain[i], node, 1);
    }
}

static void judge_page(diff *d, uint32_t num, pdf_obj *npage)
{
    static const char *const allowed[] = { "Annots", NULL };
    pdf_obj *opage = d->st[num] & ST_CHANGED ? load(d, d->old, num) : npage;
    pdf_obj *raw_o = pdf_dict_get(opage, "Annots");
    pdf_obj *raw_n = pdf_dict_get(npage, "Annots");
    pdf_obj *oannots, *nannots;
    int annots_changed;
    char bad[200];
    long first;
    size_t i;

    if (d->st[num] & ST_NEW) {
        forbid(d, "object %u 0 (page) added after the seal", num);
        set_bad(d, num);
        return;
    }
    if (d->st[num] & ST_CHANGED) {
        if (opage == NULL ||
            diff_keys(d, opage, npage, allowed, bad, sizeof(bad)) > 0) {
            forbid(d, "object %u 0 (page) changed after the seal: %s", num,
                opage == NULL ? "unreadable before" : bad);
            set_bad(d, num);
            return;
        }
    }
    annots_changed = (st_of(d, raw_n) & ST_TOUCHED) ||
        ((d->st[num] & ST_CHANGED) && !obj_equal(d, raw_o, raw_n, 0));
    if (!annots_changed) {
        if (d->st[num] & ST_CHANGED)
            set_ok(d, num);
        return;
    }
    oannots = resolve(d, d->old, raw_o);
    nannots = resolve(d, d->cur, raw_n);
    first = appended_from(d, oannots, nannots, "the /Annots of a page");
    for (i = first < 0 ? 0 : (size_t)first; first >= 0 &&
         nannots != NULL && nannots->type == PDF_ARRAY &&
         i < nannots->u.arr.len; i++) {
        pdf_obj *item = nannots->u.arr.items[i];

        /* the field walk blessed the signature widgets it reached */
        if (item->type == PDF_REF && (st_of(d, item) & ST_NEW) &&
            !(st_of(d, item) & ST_JUDGED))
            judge_lone_widget(d, item->u.ref.num);
        if (item->type != PDF_REF || !(st_of(d, item) & ST_OK) ||
            !(st_of(d, item) & ST_NEW)) {
            forbid(d, "page object %u 0: annotation added after the seal is "
                      "not a signature widget", num);
            first = -1;
        }
    }
    if (first < 0) {
        set_bad(d, num);
        if (raw_n != NULL && raw_n->type == PDF_REF)
            set_bad(d, raw_n->u.ref.num);
        return;
    }
    if (d->st[num] & ST_CHANGED)
        set_ok(d, num);
    if (raw_n != NULL && raw_n->type == PDF_REF)
        set_ok(d, raw_n->u.ref.num);
}

static void walk_pages(diff *d, pdf_obj *node, int depth)
{
    pdf_obj *p, *kids;
    uint32_t num;
    size_t i;

    if (d->fatal || node == NULL || node->type != PDF_REF)
        return;
    num = node->u.ref.num;
    if (num >= d->n || (d->st[num] & ST_SEEN))
        return;
    if (depth > PDF_MAX_DEPTH || ++d->n_nodes > DIFF_MAX_NODES) {
        forbid(d, "the page tree is too large to analyse");
        return;
    }
    d->st[num] |= ST_SEEN;
    if ((p = load(d, d->cur, num)) == NULL || p->type != PDF_DICT)
        return;
    kids = get(d, d->cur, p, "Kids");
    if (has_type(p, "Pages") || (kids != NULL && !has_type(p, "Page"))) {
        if (d->st[num] & ST_TOUCHED) {
            forbid(d, "object %u 0 (page tree node) changed after the seal",
                num);
            set_bad(d, num);
        }
        if (kids != NULL && kids->type == PDF_ARRAY)
            for (i = 0; i < kids->u.arr.len && !d->fatal; i++)
                walk_pages(d, kids->u.arr.items[i], depth + 1);
        return;
    }
    judge_page(d, num, p);
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
            o = load(d, d->old, num);
            if (o != NULL && (has_type(o, "XRef") || has_type(o, "ObjStm")))
                continue;
            forbid(d, "object %u %u (%s) deleted after the seal", num,
                (unsigned)a.field3, kind_of(o));
            continue;
        }
        if (a.type == 0) {
            d->st[num] |= ST_NEW;
            n_changed++;
            continue;
        }
        o = load(d, d->old, num);
        nw = load(d, d->cur, num);
        if (o != NULL && nw != NULL && obj_equal(d, o, nw, 0))
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
        nw = load(d, d->cur, num);
        if (s & ST_CHANGED)
            o = load(d, d->old, num);
        /* containers: their objects are judged one by one */
        if (nw != NULL && nw->type == PDF_STREAM &&
            (has_type(nw, "XRef") || has_type(nw, "ObjStm")) &&
            (o == NULL || has_type(o, kind_of(nw)))) {
            set_ok(d, num);
            continue;
        }
        forbid(d, "object %u %u (%s) %s after the seal", num,
            (unsigned)entry(d->cur, num).field3, kind_of(nw),
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
    judge_acroform(d, ocat, ncat);
    if (any_unjudged(d)) {
        for (num = 1; num < d->n; num++)
            d->st[num] &= (uint8_t)~ST_SEEN;
        pages = pdf_dict_get(ncat, "Pages");
        walk_pages(d, pages, 0);
    }
    eseal__pdf_diff_unreferenced(d);
    judge_rest(d);
}
