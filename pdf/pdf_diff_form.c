/*
 * eseal PDF adapter - what changed after a signed revision, in the form
 * and the pages (pdf_diff.c judges the rest): the AcroForm (only /Fields
 * growing, /SigFlags, /DR growing, /DA added), new signature fields and
 * widgets (without actions) with their signature dictionaries and
 * appearances, and pages whose /Annots only grew by signature widgets
 * (listed in /Fields or not).
 */
#include <stdio.h>
#include <string.h>
#include "pdf_diff_int.h"

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
        eseal__pdf_diff_forbid(d, "%s was removed after the seal", what);
        return -1;
    }
    if (nw->u.arr.len < olen) {
        eseal__pdf_diff_forbid(d, "%s lost entries after the seal", what);
        return -1;
    }
    for (i = 0; i < olen; i++)
        if (!eseal__pdf_diff_equal(d, od->u.arr.items[i],
                nw->u.arr.items[i], 0)) {
            eseal__pdf_diff_forbid(d, "%s changed after the seal: entry %zu",
                what, i);
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
        eseal__pdf_diff_forbid(d,
            "object %u 0 (%s) added after the seal is not a signature field",
            num, eseal__pdf_diff_kind_of(f));
        set_bad(d, num);
        return;
    }
    if ((d->st[num] & ST_NEW) && has_action(f)) {
        eseal__pdf_diff_forbid(d, "object %u 0 (signature field) added after "
            "the seal carries an action (/%s)", num,
            pdf_dict_get(f, "AA") != NULL ? "AA" : "A");
        set_bad(d, num);
        return;
    }
    set_ok(d, num);
    if (raw_v != NULL && raw_v->type == PDF_REF &&
        (st_of(d, raw_v) & ST_NEW)) {
        pdf_obj *v = eseal__pdf_diff_load(d, d->cur, raw_v->u.ref.num);
        const pdf_obj *t = v != NULL && v->type == PDF_DICT ?
            pdf_dict_get(v, "Type") : NULL;

        if (v == NULL || v->type != PDF_DICT ||
            (t != NULL && !pdf_is_name(t, "Sig") &&
                !pdf_is_name(t, "DocTimeStamp"))) {
            eseal__pdf_diff_forbid(d, "object %u 0 (%s) added after the seal "
                "as the value of a signature field is not a signature",
                raw_v->u.ref.num, eseal__pdf_diff_kind_of(v));
            set_bad(d, raw_v->u.ref.num);
        } else {
            set_ok(d, raw_v->u.ref.num);
            eseal__pdf_diff_bless(d, v);
        }
    } else if (raw_v != NULL && raw_v->type == PDF_DICT) {
        eseal__pdf_diff_bless(d, raw_v);
    }
    eseal__pdf_diff_bless_values(d, f, skip);
}

static void judge_changed_field(diff *d, uint32_t num, pdf_obj *of,
    pdf_obj *nf, int inherited)
{
    static const char *const allowed[] = { "V", "AP", "Kids", NULL };
    char bad[200];
    const pdf_obj *ov = pdf_dict_get(of, "V");

    if (of == NULL || of->type != PDF_DICT || nf->type != PDF_DICT ||
        !field_is_sig(of, inherited) || !field_is_sig(nf, inherited)) {
        eseal__pdf_diff_keys(d, of, nf, (const char *const[]){ NULL }, bad,
            sizeof(bad));
        eseal__pdf_diff_forbid(d,
            "object %u 0 (form field) changed after the seal: %s", num, bad);
        set_bad(d, num);
        return;
    }
    if (eseal__pdf_diff_keys(d, of, nf, allowed, bad, sizeof(bad)) > 0) {
        eseal__pdf_diff_forbid(d,
            "object %u 0 (signature field) changed after the seal: %s", num,
            bad);
        set_bad(d, num);
        return;
    }
    if (ov != NULL && ov->type != PDF_NULL &&
        !eseal__pdf_diff_equal(d, ov, pdf_dict_get(nf, "V"), 0)) {
        eseal__pdf_diff_forbid(d, "object %u 0 (signature field) changed after "
            "the seal: its signature /V was replaced", num);
        set_bad(d, num);
        return;
    }
    if (appended_from(d, eseal__pdf_diff_get(d, d->old, of, "Kids"),
            eseal__pdf_diff_get(d, d->cur, nf, "Kids"),
            "the /Kids of a signature field") < 0) {
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
        eseal__pdf_diff_forbid(d,
            "the form field tree is too large to analyse");
        return;
    }
    if (node->type == PDF_REF) {
        num = node->u.ref.num;
        if (num >= d->n || (d->st[num] & ST_SEEN))
            return;
        d->st[num] |= ST_SEEN;
        f = eseal__pdf_diff_load(d, d->cur, num);
    }
    if (f == NULL || f->type != PDF_DICT)
        return;
    is_sig = field_is_sig(f, inherited);
    if (num != 0 && (d->st[num] & ST_NEW))
        judge_new_field(d, num, f, is_sig);
    else if (num != 0 && (d->st[num] & ST_CHANGED))
        judge_changed_field(d, num, eseal__pdf_diff_load(d, d->old, num), f,
            inherited);
    kids = eseal__pdf_diff_get(d, d->cur, f, "Kids");
    if (kids != NULL && kids->type == PDF_ARRAY)
        for (i = 0; i < kids->u.arr.len; i++) {
            pdf_obj *kid = kids->u.arr.items[i];

            if (kid->type == PDF_DICT && num != 0 &&
                (d->st[num] & ST_NEW) &&
                (!field_is_sig(kid, is_sig) || has_action(kid))) {
                eseal__pdf_diff_forbid(d, "object %u 0 added after the seal "
                    "holds a field that is not a signature field or has an "
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
            !eseal__pdf_diff_equal(d, ocat->u.dict.vals[i],
                pdf_dict_get(ncat, key), 0)) {
            add_key(bad, size, cat, key);
            rc = -1;
        }
    }
    for (i = 0; rc == 0 && i < ncat->u.dict.len; i++)
        if (pdf_dict_get(ocat, ncat->u.dict.keys[i]) == NULL)
            eseal__pdf_diff_bless(d, ncat->u.dict.vals[i]);
    return rc;
}

/*
 * The AcroForm's default resources may only grow: every resource of the
 * signed revision stays as it was; new ones (the fonts of signature
 * appearances) may be added.
 */
static void judge_dr(diff *d, pdf_obj *raw_o, pdf_obj *raw_n)
{
    pdf_obj *odr = eseal__pdf_diff_resolve(d, d->old, raw_o);
    pdf_obj *ndr = eseal__pdf_diff_resolve(d, d->cur, raw_n);
    char bad[200];
    size_t i;
    int ok = 1;

    if (odr != NULL && odr->type != PDF_DICT)
        odr = NULL;
    if (ndr == NULL || ndr->type != PDF_DICT) {
        if (odr != NULL)
            eseal__pdf_diff_forbid(d,
                "the AcroForm /DR was removed after the seal");
        return;
    }
    bad[0] = '\0';
    for (i = 0; odr != NULL && i < odr->u.dict.len && !d->fatal; i++) {
        const char *key = odr->u.dict.keys[i];
        pdf_obj *oraw = odr->u.dict.vals[i], *nraw = pdf_dict_get(ndr, key);
        pdf_obj *ocat;

        if (pdf_dict_get(odr, key) != oraw ||
            eseal__pdf_diff_equal(d, oraw, nraw, 0))
            continue; /* a duplicate key, or the same value */
        ocat = eseal__pdf_diff_resolve(d, d->old, oraw);
        if (ocat != NULL && ocat->type == PDF_DICT) {
            if (dr_category_grew(d, key, ocat,
                    eseal__pdf_diff_resolve(d, d->cur, nraw), bad,
                    sizeof(bad)) < 0)
                ok = 0;
            else
                set_grown(d, oraw, nraw);
        } else if (!eseal__pdf_diff_equal(d, ocat,
                       eseal__pdf_diff_resolve(d, d->cur, nraw), 0)) {
            add_key(bad, sizeof(bad), key, NULL);
            ok = 0;
        }
    }
    if (!ok) {
        eseal__pdf_diff_forbid(d, "the AcroForm /DR changed after the seal: %s",
            bad);
        return;
    }
    set_grown(d, raw_o, raw_n);
    for (i = 0; i < ndr->u.dict.len; i++)
        if (odr == NULL || pdf_dict_get(odr, ndr->u.dict.keys[i]) == NULL)
            eseal__pdf_diff_bless(d, ndr->u.dict.vals[i]);
}

void eseal__pdf_diff_judge_acroform(diff *d, pdf_obj *ocat, pdf_obj *ncat)
{
    static const char *const allowed[] = { "Fields", "SigFlags", "DR", NULL };
    /* a /DA may be added, not changed */
    static const char *const allowed_da[] = { "Fields", "SigFlags", "DR",
        "DA", NULL };
    pdf_obj *raw = pdf_dict_get(ncat, "AcroForm");
    pdf_obj *oaf = eseal__pdf_diff_get(d, d->old, ocat, "AcroForm");
    pdf_obj *naf = eseal__pdf_diff_resolve(d, d->cur, raw);
    pdf_obj *raw_fields, *ofields, *nfields;
    uint32_t num = raw != NULL && raw->type == PDF_REF ? raw->u.ref.num : 0;
    char bad[200];
    long first;
    size_t i;
    int changed;

    if (naf == NULL || naf->type != PDF_DICT) {
        if (oaf != NULL)
            eseal__pdf_diff_forbid(d,
                "the AcroForm was removed after the seal");
        return;
    }
    /* a different object, or the same one changed */
    changed =
        !eseal__pdf_diff_equal(d, pdf_dict_get(ocat, "AcroForm"), raw, 0) ||
        (num != 0 && (d->st[num] & ST_TOUCHED)) ||
        (num == 0 && !eseal__pdf_diff_equal(d, oaf, naf, 0));
    if (changed) {
        if (eseal__pdf_diff_keys(d, oaf, naf, pdf_dict_get(oaf, "DA") == NULL ?
                    allowed_da : allowed, bad, sizeof(bad)) > 0) {
            eseal__pdf_diff_forbid(d, "the AcroForm changed after the seal: %s",
                bad);
            set_bad(d, num);
        } else {
            set_ok(d, num);
        }
    }
    judge_dr(d, pdf_dict_get(oaf, "DR"), pdf_dict_get(naf, "DR"));

    raw_fields = pdf_dict_get(naf, "Fields");
    ofields = eseal__pdf_diff_get(d, d->old, oaf, "Fields");
    nfields = eseal__pdf_diff_resolve(d, d->cur, raw_fields);
    if ((st_of(d, raw_fields) & ST_TOUCHED) ||
        !eseal__pdf_diff_equal(d, ofields, nfields, 0)) {
        first = appended_from(d, ofields, nfields, "/AcroForm /Fields");
        for (i = first < 0 ? 0 : (size_t)first; first >= 0 &&
             nfields != NULL && nfields->type == PDF_ARRAY &&
             i < nfields->u.arr.len; i++) {
            pdf_obj *item = nfields->u.arr.items[i];

            /* a field added must be new; the walk judges what it is */
            if (item->type != PDF_REF) {
                eseal__pdf_diff_forbid(d, "a direct field was added to "
                    "/AcroForm /Fields after the seal");
                first = -1;
            } else if (!(st_of(d, item) & ST_NEW)) {
                eseal__pdf_diff_forbid(d, "object %u 0 of the signed revision "
                    "was added to /AcroForm /Fields after the seal",
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
    pdf_obj *w = eseal__pdf_diff_load(d, d->cur, num), *node = w, *raw, *ft;
    size_t n = 0, i;
    int is_sig = 0;

    if (w == NULL || w->type != PDF_DICT ||
        !pdf_is_name(pdf_dict_get(w, "Subtype"), "Widget"))
        return; /* left unjudged: forbidden */
    while (node != NULL && node->type == PDF_DICT) {
        if ((ft = eseal__pdf_diff_get(d, d->cur, node, "FT")) != NULL) {
            is_sig = pdf_is_name(ft, "Sig");
            break;
        }
        raw = pdf_dict_get(node, "Parent");
        if (raw == NULL || raw->type != PDF_REF || n == DIFF_MAX_DEPTH ||
            ++d->n_nodes > DIFF_MAX_NODES)
            break;
        if ((st_of(d, raw) & ST_NEW) && !(st_of(d, raw) & ST_JUDGED))
            chain[n++] = raw->u.ref.num;
        node = eseal__pdf_diff_load(d, d->cur, raw->u.ref.num);
    }
    if (!is_sig)
        return;
    judge_new_field(d, num, w, 1);
    for (i = 0; i < n && !d->fatal; i++) {
        node = eseal__pdf_diff_load(d, d->cur, chain[i]);
        if (node != NULL && node->type == PDF_DICT &&
            !(d->st[chain[i]] & ST_JUDGED))
            judge_new_field(d, chain[i], node, 1);
    }
}

static void judge_page(diff *d, uint32_t num, pdf_obj *npage)
{
    static const char *const allowed[] = { "Annots", NULL };
    pdf_obj *opage = d->st[num] & ST_CHANGED ?
        eseal__pdf_diff_load(d, d->old, num) : npage;
    pdf_obj *raw_o = pdf_dict_get(opage, "Annots");
    pdf_obj *raw_n = pdf_dict_get(npage, "Annots");
    pdf_obj *oannots, *nannots;
    int annots_changed;
    char bad[200];
    long first;
    size_t i;

    if (d->st[num] & ST_NEW) {
        eseal__pdf_diff_forbid(d, "object %u 0 (page) added after the seal",
            num);
        set_bad(d, num);
        return;
    }
    if (d->st[num] & ST_CHANGED) {
        if (opage == NULL ||
            eseal__pdf_diff_keys(d, opage, npage, allowed, bad,
                sizeof(bad)) > 0) {
            eseal__pdf_diff_forbid(d,
                "object %u 0 (page) changed after the seal: %s", num,
                opage == NULL ? "unreadable before" : bad);
            set_bad(d, num);
            return;
        }
    }
    annots_changed = (st_of(d, raw_n) & ST_TOUCHED) ||
        ((d->st[num] & ST_CHANGED) &&
            !eseal__pdf_diff_equal(d, raw_o, raw_n, 0));
    if (!annots_changed) {
        if (d->st[num] & ST_CHANGED)
            set_ok(d, num);
        return;
    }
    oannots = eseal__pdf_diff_resolve(d, d->old, raw_o);
    nannots = eseal__pdf_diff_resolve(d, d->cur, raw_n);
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
            eseal__pdf_diff_forbid(d, "page object %u 0: annotation added "
                "after the seal is not a signature widget", num);
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

void eseal__pdf_diff_walk_pages(diff *d, pdf_obj *node, int depth)
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
        eseal__pdf_diff_forbid(d, "the page tree is too large to analyse");
        return;
    }
    d->st[num] |= ST_SEEN;
    if ((p = eseal__pdf_diff_load(d, d->cur, num)) == NULL ||
        p->type != PDF_DICT)
        return;
    kids = eseal__pdf_diff_get(d, d->cur, p, "Kids");
    if (has_type(p, "Pages") || (kids != NULL && !has_type(p, "Page"))) {
        if (d->st[num] & ST_TOUCHED) {
            eseal__pdf_diff_forbid(d,
                "object %u 0 (page tree node) changed after the seal", num);
            set_bad(d, num);
        }
        if (kids != NULL && kids->type == PDF_ARRAY)
            for (i = 0; i < kids->u.arr.len && !d->fatal; i++)
                eseal__pdf_diff_walk_pages(d, kids->u.arr.items[i], depth + 1);
        return;
    }
    judge_page(d, num, p);
}
