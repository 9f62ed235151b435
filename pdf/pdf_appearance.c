/*
 * eseal PDF adapter - the visible seal: where it goes (page, rotation,
 * rectangle), what it says (organization, identifier, date in the
 * profile's time zone) and the appearance stream that draws it.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>
#include <openssl/x509.h>
#include <zlib.h>
#include "pdf_appearance.h"

#define MAX_PAGE_VISITS 65536   /* page tree nodes looked at */
#define DEFAULT_W 180.0         /* the default stamp, in points */
#define DEFAULT_H 60.0
#define DEFAULT_MARGIN 24.0
#define MIN_W 40.0              /* the smallest stamp that stays legible */
#define MIN_H 20.0
#define TEXT_MAX 512            /* bytes of one line of the stamp */

/* Small helpers instead of libm's, which libeseal does not link. */
static double dmin(double a, double b)
{
    return a < b ? a : b;
}

static double dmax(double a, double b)
{
    return a > b ? a : b;
}

static long long round_ll(double v)
{
    return (long long)(v < 0 ? v - 0.5 : v + 0.5);
}

static int nomem(eseal_error *err)
{
    return eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
}

/* ---- the page ---------------------------------------------------------- */

static int get_number(pdf_reader *r, pdf_obj *o, double *v)
{
    if (o == NULL || pdf_reader_resolve(r, o, &o, NULL) < 0 || o == NULL)
        return 0;
    if (o->type == PDF_INT)
        *v = (double)o->u.i;
    else if (o->type == PDF_REAL && isfinite(o->u.r))
        *v = o->u.r;
    else
        return 0;
    return 1;
}

/* A rectangle [a b c d], normalized; 0 when o is not one. */
static int get_box(pdf_reader *r, pdf_obj *o, double box[4])
{
    double v[4], t;
    size_t i;

    if (o == NULL || pdf_reader_resolve(r, o, &o, NULL) < 0 || o == NULL
        || o->type != PDF_ARRAY || o->u.arr.len != 4)
        return 0;
    for (i = 0; i < 4; i++)
        if (!get_number(r, o->u.arr.items[i], &v[i]))
            return 0;
    if (v[0] > v[2]) {
        t = v[0];
        v[0] = v[2];
        v[2] = t;
    }
    if (v[1] > v[3]) {
        t = v[1];
        v[1] = v[3];
        v[3] = t;
    }
    memcpy(box, v, sizeof(v));
    return 1;
}

/* The attributes a page inherits from its ancestors. */
typedef struct inherited {
    int has_media, has_crop;
    double media[4], crop[4];
    int64_t rotate;
} inherited;

static void inherit(pdf_reader *r, pdf_obj *node, inherited *in)
{
    pdf_obj *v;

    if (get_box(r, pdf_dict_get(node, "MediaBox"), in->media))
        in->has_media = 1;
    if (get_box(r, pdf_dict_get(node, "CropBox"), in->crop))
        in->has_crop = 1;
    v = pdf_dict_get(node, "Rotate");
    if (v != NULL && pdf_reader_resolve(r, v, &v, NULL) == 0 && v != NULL)
        pdf_get_int(v, &in->rotate);
}

static int is_leaf(pdf_reader *r, pdf_obj *node, eseal_error *err,
    int *leaf)
{
    pdf_obj *type = NULL, *kids = NULL;
    int rc;

    if ((rc = pdf_reader_dict_get(r, node, "Type", &type, err)) < 0
        || (rc = pdf_reader_dict_get(r, node, "Kids", &kids, err)) < 0)
        return rc;
    *leaf = pdf_is_name(type, "Page") || kids == NULL;
    return 0;
}

/* How many pages a node holds: 1 for a page, else its /Count. */
static int node_count(pdf_reader *r, pdf_obj *node, int64_t *count,
    eseal_error *err)
{
    pdf_obj *v = NULL;
    int leaf, rc;

    if ((rc = is_leaf(r, node, err, &leaf)) < 0)
        return rc;
    if (leaf) {
        *count = 1;
        return 0;
    }
    if ((rc = pdf_reader_dict_get(r, node, "Count", &v, err)) < 0)
        return rc;
    if (v == NULL || !pdf_get_int(v, count) || *count < 0
        || *count > PDF_MAX_OBJECTS)
        return eseal__error_set(err, ESEAL_EFORMAT, "a page tree node has "
            "no valid /Count");
    return 0;
}

/*
 * Walks down to page index idx (0-based) with the /Count of each node,
 * from the end of the /Kids when the page is in the second half (the last
 * page is the default: one path down, whatever the document's size).
 */
static int find_page(pdf_reader *r, int want, uint32_t *num, pdf_obj **out,
    inherited *in, eseal_error *err)
{
    pdf_obj *cat, *ref, *node, *kids, *kid;
    int64_t total, count, idx, c;
    size_t visits = 0, k, depth, len;
    int leaf, rc, found, backwards;

    if ((rc = pdf_reader_catalog(r, NULL, &cat, err)) < 0)
        return rc;
    ref = pdf_dict_get(cat, "Pages");
    if (ref == NULL || ref->type != PDF_REF)
        return eseal__error_set(err, ESEAL_EFORMAT, "the catalog has no "
            "/Pages reference");
    if ((rc = pdf_reader_load(r, ref->u.ref.num, &node, err)) < 0)
        return rc;
    if (node->type != PDF_DICT)
        return eseal__error_set(err, ESEAL_EFORMAT, "the page tree root is "
            "not a dictionary");
    if ((rc = node_count(r, node, &total, err)) < 0)
        return rc;
    if (total == 0)
        return eseal__error_set(err, ESEAL_EFORMAT, "the document has no "
            "pages");
    if (want > total)
        return eseal__error_set(err, ESEAL_EINVAL, "the visible seal asks "
            "for page %d; the document has %lld page%s", want,
            (long long)total, total == 1 ? "" : "s");
    idx = want == 0 ? total - 1 : want - 1;
    count = total;
    for (depth = 0; ; depth++) {
        inherit(r, node, in);
        if ((rc = is_leaf(r, node, err, &leaf)) < 0)
            return rc;
        if (leaf) {
            if (idx != 0)
                break;
            *num = ref->u.ref.num;
            *out = node;
            return 0;
        }
        if (depth >= PDF_MAX_DEPTH)
            return eseal__error_set(err, ESEAL_ELIMIT, "page tree deeper "
                "than %d levels", PDF_MAX_DEPTH);
        if ((rc = pdf_reader_dict_get(r, node, "Kids", &kids, err)) < 0)
            return rc;
        if (kids == NULL || kids->type != PDF_ARRAY)
            break;
        len = kids->u.arr.len;
        /* from the end: idx counts pages after the one wanted */
        backwards = 2 * idx >= count;
        if (backwards)
            idx = count - 1 - idx;
        found = 0;
        for (k = 0; k < len && !found; k++) {
            kid = kids->u.arr.items[backwards ? len - 1 - k : k];
            if (++visits > MAX_PAGE_VISITS)
                return eseal__error_set(err, ESEAL_ELIMIT, "more than %d "
                    "page tree nodes looked at", MAX_PAGE_VISITS);
            if (kid->type != PDF_REF)
                return eseal__error_set(err, ESEAL_EFORMAT, "a /Kids entry "
                    "is not a reference");
            if ((rc = pdf_reader_load(r, kid->u.ref.num, &node, err)) < 0)
                return rc;
            if (node->type != PDF_DICT)
                return eseal__error_set(err, ESEAL_EFORMAT, "page tree "
                    "node %u is not a dictionary", kid->u.ref.num);
            if ((rc = node_count(r, node, &c, err)) < 0)
                return rc;
            if (idx < c) {
                found = 1;
                ref = kid;
                count = c;
                if (backwards)
                    idx = c - 1 - idx;
            } else {
                idx -= c;
            }
        }
        if (!found)
            break;
    }
    return eseal__error_set(err, ESEAL_EFORMAT, "the page tree's /Count "
        "values do not match its pages");
}

/* The device space of the output intent: PDF/A files keep theirs. */
static int output_intent_cs(pdf_reader *r, int *cs, eseal_error *err)
{
    pdf_obj *cat, *oi = NULL, *first, *prof = NULL, *n;
    int64_t comps;
    int rc;

    *cs = PDF_CS_RGB;
    if ((rc = pdf_reader_catalog(r, NULL, &cat, err)) < 0
        || (rc = pdf_reader_dict_get(r, cat, "OutputIntents", &oi, err)) < 0)
        return rc;
    if (oi == NULL || oi->type != PDF_ARRAY || oi->u.arr.len == 0)
        return 0;
    if ((rc = pdf_reader_resolve(r, oi->u.arr.items[0], &first, err)) < 0)
        return rc;
    if (first == NULL || first->type != PDF_DICT)
        return 0;
    if ((rc = pdf_reader_dict_get(r, first, "DestOutputProfile", &prof,
            err)) < 0)
        return rc;
    if (prof == NULL || prof->type != PDF_STREAM)
        return 0;
    n = pdf_dict_get(prof, "N");
    if (n != NULL && pdf_reader_resolve(r, n, &n, NULL) == 0 && n != NULL
        && pdf_get_int(n, &comps)) {
        if (comps == 1)
            *cs = PDF_CS_GRAY;
        else if (comps == 4)
            *cs = PDF_CS_CMYK;
    }
    return 0;
}

/* The stamp's place in user space, from a rectangle as the page shows. */
static void place(pdf_appearance *ap, const double d[4])
{
    const double *b = ap->box;
    double x = d[0], y = d[1], w = d[2], h = d[3];

    switch (ap->rotate) {
    case 90:    /* shown turned clockwise: the bottom edge is on the left */
        ap->rect[0] = b[2] - y - h;
        ap->rect[1] = b[1] + x;
        ap->rect[2] = b[2] - y;
        ap->rect[3] = b[1] + x + w;
        break;
    case 180:
        ap->rect[0] = b[2] - x - w;
        ap->rect[1] = b[3] - y - h;
        ap->rect[2] = b[2] - x;
        ap->rect[3] = b[3] - y;
        break;
    case 270:
        ap->rect[0] = b[0] + y;
        ap->rect[1] = b[3] - x - w;
        ap->rect[2] = b[0] + y + h;
        ap->rect[3] = b[3] - x;
        break;
    default:
        ap->rect[0] = b[0] + x;
        ap->rect[1] = b[1] + y;
        ap->rect[2] = b[0] + x + w;
        ap->rect[3] = b[1] + y + h;
        break;
    }
    ap->width = w;
    ap->height = h;
}

int eseal__pdf_appearance_page(pdf_appearance *ap, pdf_reader *r,
    const eseal_job *job, uint32_t *page_num, pdf_obj **page,
    eseal_error *err)
{
    const eseal_seal_opts *o = job->opts;
    inherited in;
    double shown_w, shown_h, d[4], m;
    int rc;

    memset(ap, 0, sizeof(*ap));
    memset(&in, 0, sizeof(in));
    ap->r = r;
    if (o->visible_page < 0)
        return eseal__error_set(err, ESEAL_EINVAL, "the visible seal's "
            "page must be 1 or more (0: the last page)");
    if ((rc = find_page(r, o->visible_page, page_num, page, &in, err)) < 0)
        return rc;
    ap->page_num = *page_num;
    if (!in.has_media)
        return eseal__error_set(err, ESEAL_EFORMAT, "the page for the "
            "visible seal has no /MediaBox");
    memcpy(ap->box, in.media, sizeof(ap->box));
    if (in.has_crop) {  /* the crop box, clipped to the media box */
        ap->box[0] = dmax(in.crop[0], in.media[0]);
        ap->box[1] = dmax(in.crop[1], in.media[1]);
        ap->box[2] = dmin(in.crop[2], in.media[2]);
        ap->box[3] = dmin(in.crop[3], in.media[3]);
        if (ap->box[0] >= ap->box[2] || ap->box[1] >= ap->box[3])
            memcpy(ap->box, in.media, sizeof(ap->box));
    }
    ap->rotate = (int)(((in.rotate % 360) + 360) % 360);
    if (ap->rotate % 90 != 0)
        ap->rotate = 0;
    shown_w = ap->box[2] - ap->box[0];
    shown_h = ap->box[3] - ap->box[1];
    if (ap->rotate == 90 || ap->rotate == 270) {
        m = shown_w;
        shown_w = shown_h;
        shown_h = m;
    }
    if (o->visible_rect[2] > 0 || o->visible_rect[3] > 0) {
        memcpy(d, o->visible_rect, sizeof(d));
        if (!(d[2] >= MIN_W && d[3] >= MIN_H))
            return eseal__error_set(err, ESEAL_EINVAL, "the visible seal's "
                "rectangle must be at least %.0fx%.0f points", MIN_W, MIN_H);
        if (!(d[0] >= 0 && d[1] >= 0 && d[0] + d[2] <= shown_w + 0.01
                && d[1] + d[3] <= shown_h + 0.01))
            return eseal__error_set(err, ESEAL_EINVAL, "the visible seal's "
                "rectangle %g,%g,%g,%g does not fit the page (%gx%g "
                "points)", d[0], d[1], d[2], d[3], shown_w, shown_h);
    } else {
        /* bottom right, shrunk to fit a small page */
        m = dmin(DEFAULT_MARGIN, shown_w * 0.04);
        d[2] = dmin(DEFAULT_W, shown_w * 0.45);
        d[3] = d[2] * DEFAULT_H / DEFAULT_W;
        if (d[2] < MIN_W || d[3] + 2 * m > shown_h)
            return eseal__error_set(err, ESEAL_EINVAL, "the page (%gx%g "
                "points) is too small for a visible seal", shown_w, shown_h);
        d[0] = shown_w - m - d[2];
        d[1] = m;
    }
    place(ap, d);
    return output_intent_cs(r, &ap->cs, err);
}

/* ---- the texts --------------------------------------------------------- */

int eseal__pdf_stamp_date(char *out, size_t size, time_t t, const char *tz,
    eseal_error *err)
{
    GTimeZone *zone = tz != NULL ? g_time_zone_new_identifier(tz)
                                 : g_time_zone_new_local();
    GDateTime *utc = NULL, *local = NULL;
    gchar *s = NULL;
    int rc = 0;

    if (zone == NULL)
        return eseal__error_set(err, ESEAL_EINVAL, "unknown time zone "
            "'%.64s' (e.g. Asia/Tokyo, UTC, +09:00)", tz);
    utc = g_date_time_new_from_unix_utc((gint64)t);
    if (utc != NULL)
        local = g_date_time_to_timezone(utc, zone);
    if (local != NULL)
        s = g_date_time_format(local, "%Y-%m-%d %H:%M:%S %:z");
    if (s == NULL || strlen(s) >= size)
        rc = eseal__error_set(err, ESEAL_EINVAL, "cannot show the sealing "
            "time");
    else
        strcpy(out, s);
    g_free(s);
    if (local != NULL)
        g_date_time_unref(local);
    if (utc != NULL)
        g_date_time_unref(utc);
    g_time_zone_unref(zone);
    return rc;
}

/* The first value of a subject attribute as UTF-8, or "" when absent. */
static void subject_text(char *out, size_t size, X509 *cert, int nid)
{
    X509_NAME *name = cert != NULL ? X509_get_subject_name(cert) : NULL;
    int i = name != NULL ? X509_NAME_get_index_by_NID(name, nid, -1) : -1;
    unsigned char *utf8 = NULL;
    int len;

    out[0] = '\0';
    if (i < 0)
        return;
    len = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(
        X509_NAME_get_entry(name, i)));
    if (len > 0 && (size_t)len < size
        && g_utf8_validate((const char *)utf8, len, NULL)) {
        memcpy(out, utf8, (size_t)len);
        out[len] = '\0';
    }
    OPENSSL_free(utf8);
}

/* ---- drawing ----------------------------------------------------------- */

/* A number with at most three decimals, whatever the C locale says. */
static void put_num(eseal_buf *b, double v)
{
    long long m = round_ll(v * 1000.0);
    const char *sign = m < 0 ? "-" : "";
    int frac;

    if (m < 0)
        m = -m;
    frac = (int)(m % 1000);
    eseal__buf_printf(b, "%s%lld", sign, m / 1000);
    if (frac != 0) {
        char digits[5];
        int n = 3;

        snprintf(digits, sizeof(digits), "%03d", frac);
        while (n > 0 && digits[n - 1] == '0')
            n--;
        digits[n] = '\0';
        eseal__buf_printf(b, ".%s", digits);
    }
}

static void put_nums(eseal_buf *b, const double *v, size_t n,
    const char *op)
{
    size_t i;

    for (i = 0; i < n; i++) {
        put_num(b, v[i]);
        eseal__buf_puts(b, " ");
    }
    eseal__buf_puts(b, op);
    eseal__buf_puts(b, "\n");
}

/* Sets the fill (or stroke) colour given in RGB, in the device space cs. */
static void color(eseal_buf *b, int cs, double r, double g, double bl,
    int stroke)
{
    double v[4], k;

    if (cs == PDF_CS_GRAY) {
        v[0] = 0.299 * r + 0.587 * g + 0.114 * bl;
        put_nums(b, v, 1, stroke ? "G" : "g");
    } else if (cs == PDF_CS_CMYK) {
        k = 1 - dmax(r, dmax(g, bl));
        v[0] = k < 1 ? (1 - r - k) / (1 - k) : 0;
        v[1] = k < 1 ? (1 - g - k) / (1 - k) : 0;
        v[2] = k < 1 ? (1 - bl - k) / (1 - k) : 0;
        v[3] = k;
        put_nums(b, v, 4, stroke ? "K" : "k");
    } else {
        v[0] = r;
        v[1] = g;
        v[2] = bl;
        put_nums(b, v, 3, stroke ? "RG" : "rg");
    }
}

/* The seal's red and the text's near-black. */
#define SEAL_RED 0.76, 0.09, 0.09
#define TEXT_INK 0.08, 0.08, 0.08

/* One centred line of text in the box [x, x+w] x [y, y+h]. */
static int draw_line(eseal_buf *c, const pdf_font *font, const char *text,
    double x, double y, double w, double h, double max_size,
    eseal_error *err)
{
    eseal_buf hex = { 0 };
    double width, size, v[6];
    int rc;

    if (text[0] == '\0')
        return 0;
    if ((rc = eseal__pdf_font_encode(&hex, &width, font, text, err)) < 0)
        goto cleanup;
    size = dmin(max_size, h * 0.78);
    if (width > 0 && width * size / 1000 > w)
        size = w * 1000 / width;
    v[0] = 1;
    v[1] = 0;
    v[2] = 0;
    v[3] = 1;
    v[4] = x + (w - width * size / 1000) / 2;
    v[5] = y + (h - size) / 2 + 0.18 * size;
    eseal__buf_puts(c, "BT\n/F1 ");
    put_num(c, size);
    eseal__buf_puts(c, " Tf\n");
    put_nums(c, v, 6, "Tm");
    eseal__buf_append(c, hex.data, hex.len);
    eseal__buf_puts(c, " Tj\nET\n");
    rc = c->failed || hex.failed ? nomem(err) : 0;
cleanup:
    eseal__buf_free(&hex);
    return rc;
}

/* The content stream of the stamp, in its own upright W x H space. */
static int draw(eseal_buf *c, const pdf_appearance *ap, const char *lines[3],
    size_t n_lines, eseal_error *err)
{
    double w = ap->width, h = ap->height, v[6], lw, pad, inset, side = 0;
    double tx, tw, slot, iw, ih;
    size_t i;
    int rc;

    lw = dmax(0.6, dmin(w, h) * 0.025);
    pad = dmax(1.5, dmin(w, h) * 0.06);
    inset = lw + pad;
    eseal__buf_puts(c, "q\n");
    color(c, ap->cs, 1, 1, 1, 0);
    v[0] = 0;
    v[1] = 0;
    v[2] = w;
    v[3] = h;
    put_nums(c, v, 4, "re f");
    color(c, ap->cs, SEAL_RED, 1);
    put_nums(c, &lw, 1, "w");
    v[0] = lw / 2;
    v[1] = lw / 2;
    v[2] = w - lw;
    v[3] = h - lw;
    put_nums(c, v, 4, "re S");
    tx = inset;
    tw = w - 2 * inset;
    if (ap->image.width > 0) {
        side = dmin(h - 2 * inset, w * 0.4);
        iw = side;
        ih = side;
        if (ap->image.width > ap->image.height)
            ih = side * ap->image.height / ap->image.width;
        else
            iw = side * ap->image.width / ap->image.height;
        v[0] = iw;
        v[1] = 0;
        v[2] = 0;
        v[3] = ih;
        v[4] = inset + (side - iw) / 2;
        v[5] = (h - ih) / 2;
        eseal__buf_puts(c, "q\n");
        put_nums(c, v, 6, "cm");
        eseal__buf_puts(c, "/Im1 Do\nQ\n");
        tx += side + pad;
        tw -= side + pad;
    }
    color(c, ap->cs, TEXT_INK, 0);
    slot = (h - 2 * inset) / (double)n_lines;
    for (i = 0; i < n_lines; i++)
        if ((rc = draw_line(c, ap->font, lines[i], tx,
                h - inset - slot * (double)(i + 1), tw, slot,
                i == 0 ? 14 : 10, err)) < 0)
            return rc;
    eseal__buf_puts(c, "Q\n");
    return c->failed ? nomem(err) : 0;
}

/* The form XObject's /Matrix: turns the upright stamp with the page. */
static void matrix(eseal_buf *b, int rotate)
{
    switch (rotate) {
    case 90:
        eseal__buf_puts(b, "[0 1 -1 0 0 0]");
        break;
    case 180:
        eseal__buf_puts(b, "[-1 0 0 -1 0 0]");
        break;
    case 270:
        eseal__buf_puts(b, "[0 -1 1 0 0 0]");
        break;
    default:
        eseal__buf_puts(b, "[1 0 0 1 0 0]");
        break;
    }
}

static int form_object(pdf_appearance *ap, const eseal_buf *content,
    uint32_t font_num, uint32_t image_num, eseal_error *err)
{
    eseal_buf *b = &ap->form;
    uLongf zlen = compressBound((uLong)content->len);
    unsigned char *z = malloc(zlen);
    double bbox[4] = { 0, 0, ap->width, ap->height };

    if (z == NULL)
        return nomem(err);
    if (compress2(z, &zlen, (const unsigned char *)content->data,
            (uLong)content->len, 9) != Z_OK) {
        free(z);
        return eseal__error_set(err, ESEAL_ENOMEM, "zlib: cannot compress");
    }
    eseal__buf_puts(b, "<</Type /XObject /Subtype /Form /FormType 1 "
        "/BBox [");
    put_num(b, bbox[0]);
    eseal__buf_puts(b, " ");
    put_num(b, bbox[1]);
    eseal__buf_puts(b, " ");
    put_num(b, bbox[2]);
    eseal__buf_puts(b, " ");
    put_num(b, bbox[3]);
    eseal__buf_puts(b, "] /Matrix ");
    matrix(b, ap->rotate);
    eseal__buf_printf(b, " /Resources <</Font <</F1 %u 0 R>>", font_num);
    if (image_num != 0)
        eseal__buf_printf(b, " /XObject <</Im1 %u 0 R>>", image_num);
    eseal__buf_printf(b, ">> /Filter /FlateDecode /Length %lu>>\nstream\n",
        (unsigned long)zlen);
    eseal__buf_append(b, z, zlen);
    eseal__buf_puts(b, "\nendstream");
    free(z);
    return b->failed ? nomem(err) : 0;
}

/* Sets the widget's /Rect and /AP /N. */
static int set_widget(pdf_appearance *ap, pdf_obj *field, uint32_t form_num,
    eseal_error *err)
{
    pdf_arena *a = pdf_reader_arena(ap->r);
    pdf_obj *rect = pdf_new_array(a), *apd = pdf_new_dict(a), *v;
    size_t i;

    if (rect == NULL || apd == NULL)
        return nomem(err);
    for (i = 0; i < 4; i++) {
        /* three decimals are plenty, and keep the /Rect short */
        v = pdf_new_real(a, round_ll(ap->rect[i] * 1000.0) / 1000.0);
        if (v == NULL || pdf_array_push(a, rect, v) < 0)
            return nomem(err);
    }
    if ((v = pdf_new_ref(a, form_num, 0)) == NULL
        || pdf_dict_put(a, apd, "N", v) < 0
        || pdf_dict_put(a, field, "Rect", rect) < 0
        || pdf_dict_put(a, field, "AP", apd) < 0)
        return nomem(err);
    return 0;
}

int eseal__pdf_appearance_add(pdf_appearance *ap, pdf_update *u,
    pdf_obj *field, const eseal_job *job, eseal_error *err)
{
    const eseal_seal_opts *o = job->opts;
    char org[TEXT_MAX], id[TEXT_MAX], date[64];
    const char *lines[3];
    eseal_buf content = { 0 };
    X509 *cert = NULL;
    uint32_t font_num = 0, image_num = 0, form_num = 0;
    size_t n = 0;
    int rc;

    if (job->sealer != NULL)
        cert = eseal__sealer_cert(job->sealer);
    subject_text(org, sizeof(org), cert, NID_organizationName);
    if (org[0] == '\0')
        subject_text(org, sizeof(org), cert, NID_commonName);
    subject_text(id, sizeof(id), cert, NID_organizationIdentifier);
    if ((rc = eseal__pdf_stamp_date(date, sizeof(date), job->signing_time,
            o->timezone, err)) < 0)
        goto cleanup;
    if (org[0] != '\0')
        lines[n++] = org;
    if (id[0] != '\0')
        lines[n++] = id;
    lines[n++] = date;

    if ((rc = eseal__pdf_font_open(&ap->font, o->visible_font, err)) < 0
        || (rc = eseal__pdf_font_subset(ap->font, lines, n, err)) < 0)
        goto cleanup;
    if (o->visible_image != NULL
        && (rc = eseal__pdf_image_load(&ap->image, o->visible_image, ap->cs,
            err)) < 0)
        goto cleanup;
    if ((rc = draw(&content, ap, lines, n, err)) < 0)
        goto cleanup;
    if ((rc = eseal__pdf_font_add(&font_num, ap->font, u, err)) < 0)
        goto cleanup;
    if (ap->image.width > 0
        && ((rc = eseal__pdf_update_new_num(u, &image_num, err)) < 0
            || (rc = eseal__pdf_update_add_raw(u, image_num, 0,
                ap->image.body.data, ap->image.body.len, NULL, err)) < 0))
        goto cleanup;
    if ((rc = form_object(ap, &content, font_num, image_num, err)) < 0
        || (rc = eseal__pdf_update_new_num(u, &form_num, err)) < 0
        || (rc = eseal__pdf_update_add_raw(u, form_num, 0, ap->form.data,
            ap->form.len, NULL, err)) < 0)
        goto cleanup;
    rc = set_widget(ap, field, form_num, err);
cleanup:
    eseal__buf_free(&content);
    return rc;
}

void eseal__pdf_appearance_free(pdf_appearance *ap)
{
    if (ap == NULL)
        return;
    eseal__pdf_font_free(ap->font);
    eseal__pdf_image_free(&ap->image);
    eseal__buf_free(&ap->form);
    memset(ap, 0, sizeof(*ap));
}
