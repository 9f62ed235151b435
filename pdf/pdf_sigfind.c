/*
 * eseal PDF adapter - finding every signature and document timestamp of a
 * document for the verifier.
 *
 * The field tree of /Root /AcroForm /Fields is walked (with /Kids, an
 * inherited /FT, depth, count and loop limits), then the widgets of every
 * page (some signers do not list their field in /Fields); every signature
 * field whose /V is a signature dictionary gives one eseal_found_signature.
 * Its /ByteRange is checked against the file itself: the gap must be
 * exactly the hexadecimal /Contents string of that dictionary, and the CMS
 * is decoded from those file bytes, not from the parsed object, up to the
 * end of its DER or BER (indefinite-length) encoding.  Structural
 * problems become errors of the found signature, so that the core reports
 * it as broken instead of failing the whole verification.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include "pdf_diff_int.h"

#define SIGFIND_MAX_FIELDS 100000
#define SIGFIND_MAX_DEPTH 32
#define SIGFIND_MAX_HEX (64u << 20)     /* hex digits of one /Contents */
#define SIGFIND_MAX_SIGS 10000
#define SIGFIND_MAX_BER_DEPTH 32        /* nested indefinite lengths */
#define SIGFIND_MAX_ANNOTS 1000000      /* annotations looked at, in all */

typedef struct sig_cand {
    pdf_obj *dict;   /* the signature dictionary (borrowed from the reader) */
    uint32_t num;    /* its object number; 0 when it is a direct object */
    uint32_t holder; /* the indirect object whose bytes hold it */
    uint64_t key;    /* sort key: where its ByteRange ends */
    size_t order;    /* discovery order, to keep the sort stable */
} sig_cand;

typedef struct sigfind {
    pdf_reader *r;
    const unsigned char *data;
    uint64_t size;
    const char *name;
    uint8_t *seen;   /* bitmap by object number: the loop guard */
    uint8_t *pseen;  /* the same for the page tree */
    uint32_t n_objs;
    size_t n_fields;
    size_t n_annots;
    sig_cand *cand;
    size_t n_cand;
    size_t cap_cand;
    pdf_obj *catalog;
    pdf_diff_session *diff;  /* opened for the first partial signature */
} sigfind;

/* ---- small helpers --------------------------------------------------- */

static int add_msg(char ***list, size_t *n, const char *fmt, ...)
    ESEAL_PRINTF(3, 4);

static int add_msg(char ***list, size_t *n, const char *fmt, ...)
{
    char msg[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return eseal__strlist_add(list, n, msg);
}

static int is_ws(unsigned char c)
{
    return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' ||
        c == '\0';
}

/*
 * Resolves o like pdf_reader_resolve(), except that a reference to a free
 * or unknown object gives NULL (PDF treats it as null) instead of an error.
 */
static int resolve_soft(pdf_reader *r, pdf_obj *o, pdf_obj **out,
    eseal_error *err)
{
    *out = NULL;
    if (o == NULL)
        return 0;
    if (o->type == PDF_REF &&
        (o->u.ref.num >= pdf_reader_size(r) ||
            pdf_reader_entry(r, o->u.ref.num).type == 0))
        return 0;
    return pdf_reader_resolve(r, o, out, err);
}

static int get_soft(pdf_reader *r, const pdf_obj *dict, const char *key,
    pdf_obj **out, eseal_error *err)
{
    *out = NULL;
    if (dict == NULL || (dict->type != PDF_DICT && dict->type != PDF_STREAM))
        return 0;
    return resolve_soft(r, pdf_dict_get(dict, key), out, err);
}

/* ---- the field tree ------------------------------------------------- */

static int is_sig_dict(const pdf_obj *d)
{
    const pdf_obj *type;

    if (d == NULL || d->type != PDF_DICT)
        return 0;
    type = pdf_dict_get(d, "Type");
    if (type != NULL)
        return pdf_is_name(type, "Sig") || pdf_is_name(type, "DocTimeStamp");
    return pdf_dict_get(d, "ByteRange") != NULL ||
        pdf_dict_get(d, "Contents") != NULL;
}

static int add_cand(sigfind *sf, pdf_obj *dict, uint32_t num,
    uint32_t holder, eseal_error *err)
{
    size_t i;

    for (i = 0; i < sf->n_cand; i++)
        if (sf->cand[i].dict == dict)
            return 0; /* the same dictionary reached twice */
    if (sf->n_cand >= SIGFIND_MAX_SIGS)
        return eseal__error_set(err, ESEAL_ELIMIT,
            "more than %d signatures", SIGFIND_MAX_SIGS);
    if (sf->n_cand == sf->cap_cand) {
        size_t cap = sf->cap_cand ? sf->cap_cand * 2 : 8;
        sig_cand *c = realloc(sf->cand, cap * sizeof(*c));

        if (c == NULL)
            return eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
        sf->cand = c;
        sf->cap_cand = cap;
    }
    memset(&sf->cand[sf->n_cand], 0, sizeof(sf->cand[0]));
    sf->cand[sf->n_cand].dict = dict;
    sf->cand[sf->n_cand].num = num;
    sf->cand[sf->n_cand].holder = holder;
    sf->cand[sf->n_cand].order = sf->n_cand;
    sf->n_cand++;
    return 0;
}

static int walk_field(sigfind *sf, pdf_obj *node, uint32_t holder,
    int inherited_sig, int depth, eseal_error *err)
{
    pdf_obj *d = node, *ft = NULL, *v = NULL, *kids = NULL;
    uint32_t vholder, vnum = 0;
    int is_sig, rc;
    size_t i;

    if (depth > SIGFIND_MAX_DEPTH)
        return eseal__error_set(err, ESEAL_ELIMIT,
            "form field tree deeper than %d levels", SIGFIND_MAX_DEPTH);
    if (node->type == PDF_REF) {
        uint32_t num = node->u.ref.num;

        if (num >= sf->n_objs || pdf_reader_entry(sf->r, num).type == 0)
            return 0; /* a reference to nothing is null */
        if (sf->seen[num / 8] & (1u << (num % 8)))
            return 0; /* visited already: a loop or a shared kid */
        sf->seen[num / 8] |= (uint8_t)(1u << (num % 8));
        if ((rc = pdf_reader_load(sf->r, num, &d, err)) < 0)
            return rc;
        holder = num;
    }
    if (d == NULL || d->type != PDF_DICT)
        return 0;
    if (++sf->n_fields > SIGFIND_MAX_FIELDS)
        return eseal__error_set(err, ESEAL_ELIMIT,
            "more than %d form fields", SIGFIND_MAX_FIELDS);

    if ((rc = get_soft(sf->r, d, "FT", &ft, err)) < 0)
        return rc;
    is_sig = ft != NULL ? pdf_is_name(ft, "Sig") : inherited_sig;
    if (is_sig) {
        pdf_obj *raw = pdf_dict_get(d, "V");

        vholder = holder;
        if (raw != NULL && raw->type == PDF_REF) {
            vnum = raw->u.ref.num;
            vholder = vnum;
        }
        if ((rc = resolve_soft(sf->r, raw, &v, err)) < 0)
            return rc;
        if (is_sig_dict(v) && (rc = add_cand(sf, v, vnum, vholder, err)) < 0)
            return rc;
    }
    if ((rc = get_soft(sf->r, d, "Kids", &kids, err)) < 0)
        return rc;
    if (kids != NULL && kids->type == PDF_ARRAY)
        for (i = 0; i < kids->u.arr.len; i++)
            if ((rc = walk_field(sf, kids->u.arr.items[i], holder, is_sig,
                     depth + 1, err)) < 0)
                return rc;
    return 0;
}

/* ---- widgets on the pages ------------------------------------------- */

/*
 * Poppler also finds signature fields through the pages' /Annots, and some
 * signers leave theirs out of /Fields (Poppler 22.12 itself, signing a
 * document whose AcroForm is a direct object).  So every widget of every
 * page is looked at too, with /FT and /V taken from it or inherited along
 * /Parent; a signature reached both ways is the same dictionary, kept once
 * (add_cand).
 */

/*
 * *out = o, or the object o refers to (its number in *num); a reference to
 * nothing, or to an object that cannot be read, gives NULL: a damaged
 * annotation is not a signature.
 */
static int load_soft(sigfind *sf, pdf_obj *o, pdf_obj **out, uint32_t *num,
    eseal_error *err)
{
    eseal_error e = { 0, "" };
    int rc;

    *out = NULL;
    if (o == NULL || o->type != PDF_REF) {
        *out = o;
        return 0;
    }
    if (o->u.ref.num >= sf->n_objs ||
        pdf_reader_entry(sf->r, o->u.ref.num).type == 0)
        return 0;
    if ((rc = pdf_reader_load(sf->r, o->u.ref.num, out, &e)) < 0) {
        *out = NULL;
        return rc == ESEAL_EFORMAT ? 0 :
            eseal__error_set(err, rc, "%s", e.message);
    }
    *num = o->u.ref.num;
    return 0;
}

static int walk_widget(sigfind *sf, pdf_obj *raw, uint32_t page,
    eseal_error *err)
{
    pdf_obj *node = NULL, *ft = NULL, *v_raw = NULL, *v = NULL;
    uint32_t holder = page, v_holder = 0, vnum = 0, ignored;
    int depth, rc;

    if (++sf->n_annots > SIGFIND_MAX_ANNOTS)
        return eseal__error_set(err, ESEAL_ELIMIT,
            "more than %d annotations", SIGFIND_MAX_ANNOTS);
    if ((rc = load_soft(sf, raw, &node, &holder, err)) < 0)
        return rc;
    if (node == NULL || node->type != PDF_DICT ||
        !pdf_is_name(pdf_dict_get(node, "Subtype"), "Widget"))
        return 0;
    for (depth = 0; node != NULL && node->type == PDF_DICT; depth++) {
        if (ft == NULL && (rc = load_soft(sf, pdf_dict_get(node, "FT"), &ft,
                               &ignored, err)) < 0)
            return rc;
        if (v_raw == NULL && (v_raw = pdf_dict_get(node, "V")) != NULL)
            v_holder = holder;
        if ((ft != NULL && v_raw != NULL) || depth >= SIGFIND_MAX_DEPTH)
            break;
        if ((rc = load_soft(sf, pdf_dict_get(node, "Parent"), &node,
                 &holder, err)) < 0)
            return rc;
    }
    if (!pdf_is_name(ft, "Sig") || v_raw == NULL)
        return 0;
    if ((rc = load_soft(sf, v_raw, &v, &v_holder, err)) < 0)
        return rc;
    if (v_raw->type == PDF_REF)
        vnum = v_raw->u.ref.num;
    return is_sig_dict(v) ? add_cand(sf, v, vnum, v_holder, err) : 0;
}

static int walk_pages(sigfind *sf, pdf_obj *raw, int depth, eseal_error *err)
{
    pdf_obj *node = NULL, *annots = NULL, *kids = NULL;
    uint32_t num = 0, ignored;
    size_t i;
    int rc;

    if (raw == NULL || raw->type != PDF_REF || raw->u.ref.num >= sf->n_objs)
        return 0;
    num = raw->u.ref.num;
    if (sf->pseen[num / 8] & (1u << (num % 8)))
        return 0; /* a loop, or a node listed twice */
    sf->pseen[num / 8] |= (uint8_t)(1u << (num % 8));
    if (depth > PDF_MAX_DEPTH)
        return eseal__error_set(err, ESEAL_ELIMIT,
            "page tree deeper than %d levels", PDF_MAX_DEPTH);
    if ((rc = load_soft(sf, raw, &node, &num, err)) < 0)
        return rc;
    if (node == NULL || node->type != PDF_DICT)
        return 0;
    if ((rc = load_soft(sf, pdf_dict_get(node, "Annots"), &annots, &ignored,
             err)) < 0)
        return rc;
    for (i = 0; annots != NULL && annots->type == PDF_ARRAY &&
         i < annots->u.arr.len; i++)
        if ((rc = walk_widget(sf, annots->u.arr.items[i], num, err)) < 0)
            return rc;
    if ((rc = load_soft(sf, pdf_dict_get(node, "Kids"), &kids, &ignored,
             err)) < 0)
        return rc;
    for (i = 0; kids != NULL && kids->type == PDF_ARRAY &&
         i < kids->u.arr.len; i++)
        if ((rc = walk_pages(sf, kids->u.arr.items[i], depth + 1, err)) < 0)
            return rc;
    return 0;
}

/* ---- the signature dictionary --------------------------------------- */

/* Reads an exact [a b c d] of non-negative integers; 0 or -1. */
static int read_byte_range(pdf_reader *r, const pdf_obj *sig, uint64_t v[4])
{
    pdf_obj *br = NULL;
    eseal_error ignored;
    size_t i;

    if (resolve_soft(r, pdf_dict_get(sig, "ByteRange"), &br, &ignored) < 0 ||
        br == NULL || br->type != PDF_ARRAY || br->u.arr.len != 4)
        return -1;
    for (i = 0; i < 4; i++) {
        const pdf_obj *it = br->u.arr.items[i];

        if (it->type != PDF_INT || it->u.i < 0)
            return -1;
        v[i] = (uint64_t)it->u.i;
    }
    return 0;
}

static int cand_cmp(const void *pa, const void *pb)
{
    const sig_cand *a = pa, *b = pb;

    if (a->key != b->key)
        return a->key < b->key ? -1 : 1;
    return a->order < b->order ? -1 : a->order > b->order;
}

static int64_t days_from_civil(int64_t y, int m, int d)
{
    int64_t era, yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int read_digits(const unsigned char *s, size_t len, size_t *pos,
    int n, int *out)
{
    int v = 0, i;

    if (*pos + (size_t)n > len)
        return -1;
    for (i = 0; i < n; i++) {
        unsigned char c = s[*pos + (size_t)i];

        if (c < '0' || c > '9')
            return -1;
        v = v * 10 + (c - '0');
    }
    *pos += (size_t)n;
    *out = v;
    return 0;
}

/*
 * Parses a PDF date, D:YYYYMMDDHHmmSSOHH'mm', where everything after the
 * year is optional (and so is the "D:" prefix, which many writers drop),
 * into seconds since the epoch, UTC.  Returns 0 or -1.
 */
static int parse_pdf_date(const unsigned char *s, size_t len, time_t *out)
{
    static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30,
        31 };
    int year, mon = 1, day = 1, hour = 0, min = 0, sec = 0;
    int oh = 0, om = 0, sign = 0;
    size_t pos = 0;
    int64_t t;

    while (len > 0 && is_ws(s[len - 1]))
        len--;
    if (len >= 2 && s[0] == 'D' && s[1] == ':')
        pos = 2;
    if (read_digits(s, len, &pos, 4, &year) < 0)
        return -1;
    if (pos < len && read_digits(s, len, &pos, 2, &mon) < 0)
        return -1;
    if (pos < len && s[pos] >= '0' && s[pos] <= '9' &&
        read_digits(s, len, &pos, 2, &day) < 0)
        return -1;
    if (pos < len && s[pos] >= '0' && s[pos] <= '9' &&
        read_digits(s, len, &pos, 2, &hour) < 0)
        return -1;
    if (pos < len && s[pos] >= '0' && s[pos] <= '9' &&
        read_digits(s, len, &pos, 2, &min) < 0)
        return -1;
    if (pos < len && s[pos] >= '0' && s[pos] <= '9' &&
        read_digits(s, len, &pos, 2, &sec) < 0)
        return -1;
    if (pos < len) {
        if (s[pos] == 'Z')
            sign = 0;
        else if (s[pos] == '+')
            sign = 1;
        else if (s[pos] == '-')
            sign = -1;
        else
            return -1;
        pos++;
        /* "Z" may still be followed by 00'00' */
        if (pos < len && read_digits(s, len, &pos, 2, &oh) < 0)
            return -1;
        if (pos < len && s[pos] == '\'')
            pos++;
        if (pos < len && read_digits(s, len, &pos, 2, &om) < 0)
            return -1;
        if (pos < len && s[pos] == '\'')
            pos++;
        if (pos != len)
            return -1;
    }
    if (mon < 1 || mon > 12 || day < 1 || day > mdays[mon - 1] ||
        hour > 23 || min > 59 || sec > 60 || oh > 23 || om > 59)
        return -1;
    if (mon == 2 && day == 29 &&
        !(year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)))
        return -1;
    if (sec == 60)
        sec = 59; /* a leap second: keep the value representable */
    t = days_from_civil(year, mon, day) * 86400 + hour * 3600 + min * 60 +
        sec;
    t -= (int64_t)sign * (oh * 3600 + om * 60);
    if (sizeof(time_t) < 8 && (t < INT32_MIN || t > INT32_MAX))
        return -1;
    *out = (time_t)t;
    return 0;
}

/*
 * Checks that data[b..c) is exactly one hexadecimal string that is the
 * /Contents value of the dictionary held by object holder, and decodes it
 * into *dec.  Returns 0, -1 with *why set (a structural problem), or a
 * negative error code (ENOMEM).
 */
static int decode_gap(const sigfind *sf, const pdf_obj *sig, uint32_t holder,
    uint64_t b, uint64_t c, eseal_bytes *dec, const char **why,
    eseal_error *err)
{
    const unsigned char *p = sf->data;
    const pdf_obj *parsed;
    pdf_xref_entry e;
    uint64_t i, k;
    size_t n = 0;
    int hi = -1;

    *why = "ByteRange does not match /Contents";
    if (c - b < 2 || p[b] != '<' || p[c - 1] != '>')
        return -1;
    if (c - b - 2 > SIGFIND_MAX_HEX) {
        *why = "/Contents is larger than 64 MB";
        return -1;
    }
    for (i = b + 1; i < c - 1; i++)
        if (OPENSSL_hexchar2int(p[i]) < 0 && !is_ws(p[i]))
            return -1;
    /* the gap must follow the /Contents key of this very dictionary */
    k = b;
    while (k > 0 && is_ws(p[k - 1]))
        k--;
    if (k < 9 || memcmp(p + k - 9, "/Contents", 9) != 0)
        return -1;
    e = pdf_reader_entry(sf->r, holder);
    if (e.type == 2) {
        *why = "signature dictionary inside an object stream";
        return -1;
    }
    if (e.type != 1 || e.field2 >= k - 9)
        return -1;

    dec->data = malloc((size_t)((c - b) / 2 + 1));
    if (dec->data == NULL)
        return eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
    for (i = b + 1; i < c - 1; i++) {
        int v = OPENSSL_hexchar2int(p[i]);

        if (v < 0)
            continue;
        if (hi < 0) {
            hi = v;
        } else {
            dec->data[n++] = (unsigned char)(hi << 4 | v);
            hi = -1;
        }
    }
    if (hi >= 0)
        dec->data[n++] = (unsigned char)(hi << 4);
    dec->len = n;

    /* the parsed value must be the same string (no second /Contents) */
    parsed = pdf_dict_get(sig, "Contents");
    if (parsed == NULL || parsed->type != PDF_STRING ||
        parsed->u.str.len != n ||
        (n > 0 && memcmp(parsed->u.str.s, dec->data, n) != 0)) {
        eseal_bytes_free(dec);
        return -1;
    }
    return 0;
}

/*
 * Finds where the BER element at d[*pos..n) ends, following indefinite
 * lengths down to their end-of-contents octets (NSS, and so Poppler's
 * pdfsig, writes the CMS that way).  Returns 0 with *pos after the element,
 * or -1 with *why.
 */
static int ber_skip(const unsigned char *d, size_t n, size_t *pos, int depth,
    const char **why)
{
    size_t p = *pos, len = 0, nb, i;
    int constructed;

    if (depth > SIGFIND_MAX_BER_DEPTH) {
        *why = "/Contents BER encoding is nested too deeply";
        return -1;
    }
    *why = "/Contents BER encoding has a malformed tag or length";
    if (n - p < 2)
        return -1;
    constructed = (d[p] & 0x20) != 0;
    if ((d[p++] & 0x1f) == 0x1f) {
        /* a high tag number: base-128 digits, at most 4 */
        for (i = 0; p < n && (d[p] & 0x80) != 0 && i < 4; i++)
            p++;
        if (p >= n || (d[p] & 0x80) != 0)
            return -1;
        p++;
    }
    if (p >= n)
        return -1;
    if (d[p] == 0x80) {
        if (!constructed) {
            *why = "/Contents BER encoding has an indefinite length on a "
                "primitive element";
            return -1;
        }
        p++;
        for (;;) {
            if (n - p < 2) {
                *why = "/Contents BER encoding is truncated (no "
                    "end-of-contents)";
                return -1;
            }
            if (d[p] == 0) {
                if (d[p + 1] != 0) {
                    *why = "/Contents BER encoding has a malformed "
                        "end-of-contents";
                    return -1;
                }
                *pos = p + 2;
                return 0;
            }
            if (ber_skip(d, n, &p, depth + 1, why) < 0)
                return -1;
        }
    }
    if (d[p] == 0xff)
        return -1; /* reserved */
    if (d[p] < 0x80) {
        len = d[p++];
    } else {
        nb = d[p++] & 0x7fu;
        if (nb > 4) {
            *why = "/Contents has an overlong BER length";
            return -1;
        }
        if (nb > n - p)
            return -1;
        for (i = 0; i < nb; i++)
            len = len << 8 | d[p++];
    }
    if (len > n - p) {
        *why = "/Contents BER length exceeds the string";
        return -1;
    }
    *pos = p + len;
    return 0;
}

/*
 * Strips the zero padding: the CMS is the outer SEQUENCE, whose length the
 * header gives (DER), or which ends with its end-of-contents octets (BER
 * with an indefinite length).  Returns 0 or -1 with *why.
 */
static int der_extent(const eseal_bytes *dec, size_t *total, int *trailing,
    const char **why)
{
    const unsigned char *d = dec->data;
    size_t n = dec->len, i, len = 0, hdr;

    *trailing = 0;
    for (i = 0; i < n && d[i] == 0; i++)
        ;
    if (i == n) {
        *why = "/Contents is empty (no signature was embedded)";
        return -1;
    }
    *why = "/Contents does not hold a DER SEQUENCE";
    if (n < 2 || d[0] != 0x30)
        return -1;
    if (d[1] < 0x80) {
        len = d[1];
        hdr = 2;
    } else if (d[1] == 0x80) {
        hdr = 0;
        if (ber_skip(d, n, &hdr, 0, why) < 0)
            return -1;
    } else {
        size_t nb = d[1] & 0x7fu;

        if (nb > 4 || 2 + nb > n) {
            *why = "/Contents has an overlong DER length";
            return -1;
        }
        for (i = 0; i < nb; i++)
            len = len << 8 | d[2 + i];
        hdr = 2 + nb;
    }
    if (len > n - hdr) {
        *why = "/Contents DER length exceeds the string";
        return -1;
    }
    *total = hdr + len;
    for (i = *total; i < n; i++)
        if (d[i] != 0)
            *trailing = 1;
    return 0;
}

static int read_docmdp(sigfind *sf, const sig_cand *cand,
    eseal_found_signature *fs, eseal_error *err)
{
    pdf_obj *perms = NULL, *refs = NULL, *raw;
    int64_t p = 2;
    int rc, found = 0;
    size_t i;

    if ((rc = get_soft(sf->r, sf->catalog, "Perms", &perms, err)) < 0)
        return rc;
    raw = perms != NULL && perms->type == PDF_DICT ?
        pdf_dict_get(perms, "DocMDP") : NULL;
    if (raw == NULL)
        return 0;
    if (raw->type == PDF_REF ? cand->num == 0 || raw->u.ref.num != cand->num
                             : raw != cand->dict)
        return 0;
    fs->certification = 1;

    if ((rc = get_soft(sf->r, cand->dict, "Reference", &refs, err)) < 0)
        return rc;
    for (i = 0; refs != NULL && refs->type == PDF_ARRAY &&
         i < refs->u.arr.len && !found; i++) {
        pdf_obj *ref = NULL, *params = NULL, *pv = NULL;

        if ((rc = resolve_soft(sf->r, refs->u.arr.items[i], &ref, err)) < 0)
            return rc;
        if (ref == NULL || ref->type != PDF_DICT ||
            !pdf_is_name(pdf_dict_get(ref, "TransformMethod"), "DocMDP"))
            continue;
        found = 1;
        if ((rc = get_soft(sf->r, ref, "TransformParams", &params, err)) < 0 ||
            (rc = get_soft(sf->r, params, "P", &pv, err)) < 0)
            return rc;
        if (pv != NULL && !pdf_get_int(pv, &p))
            p = -1;
    }
    if (!found &&
        (rc = add_msg(&fs->warnings, &fs->n_warnings,
             "certification signature without a DocMDP transform")) < 0)
        return rc;
    if (p < 1 || p > 3) {
        if ((rc = add_msg(&fs->warnings, &fs->n_warnings,
                 "invalid DocMDP /P; treated as 1 (no changes)")) < 0)
            return rc;
        p = 1;
    }
    fs->docmdp_permissions = (int)p;
    return 0;
}

static int read_sub_filter(sigfind *sf, const pdf_obj *sig,
    eseal_found_signature *fs, eseal_error *err)
{
    pdf_obj *sub = NULL, *type;
    const char *s;
    int rc, is_ts;

    if ((rc = get_soft(sf->r, sig, "SubFilter", &sub, err)) < 0)
        return rc;
    type = pdf_dict_get(sig, "Type");
    is_ts = pdf_is_name(type, "DocTimeStamp");
    if (sub == NULL || sub->type != PDF_NAME)
        return add_msg(&fs->errors, &fs->n_errors,
            "signature dictionary has no /SubFilter");
    s = sub->u.name.s;
    if ((fs->sub_filter = eseal__strdup(s)) == NULL)
        return eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
    if (strcmp(s, "ETSI.RFC3161") == 0)
        fs->kind = ESEAL_FOUND_DOC_TIMESTAMP;
    if (is_ts && fs->kind != ESEAL_FOUND_DOC_TIMESTAMP)
        return add_msg(&fs->errors, &fs->n_errors,
            "document timestamp with /SubFilter /%s", s);
    if (strcmp(s, "adbe.pkcs7.sha1") == 0)
        return add_msg(&fs->errors, &fs->n_errors,
            "SHA-1 based adbe.pkcs7.sha1 is weak and not supported");
    if (strcmp(s, "adbe.pkcs7.detached") != 0 &&
        strcmp(s, "ETSI.CAdES.detached") != 0 &&
        strcmp(s, "ETSI.RFC3161") != 0)
        return add_msg(&fs->errors, &fs->n_errors,
            "unsupported /SubFilter /%s", s);
    return 0;
}

static int add_found(sigfind *sf, eseal_verify_job *vj, const sig_cand *cand,
    eseal_error *err)
{
    eseal_found_signature *fs = NULL;
    eseal_bytes dec = { NULL, 0 };
    pdf_obj *m = NULL;
    const char *why = NULL;
    uint64_t v[4];
    size_t total, i;
    int rc, trailing, br_ok = 0;

    if ((rc = eseal__verify_job_add(vj, &fs, err)) < 0)
        return rc;
    fs->kind = ESEAL_FOUND_CMS_DETACHED;
    if ((rc = read_sub_filter(sf, cand->dict, fs, err)) < 0)
        goto cleanup;

    if (read_byte_range(sf->r, cand->dict, v) < 0) {
        why = pdf_dict_get(cand->dict, "ByteRange") == NULL ?
            "signature dictionary has no /ByteRange" :
            "/ByteRange must be 4 non-negative integers";
    } else if (v[0] != 0) {
        why = "/ByteRange does not start at offset 0";
    } else if (v[1] >= v[2] || v[2] > sf->size ||
        v[3] > sf->size - v[2]) {
        why = v[1] >= v[2] ? "/ByteRange ranges are out of order" :
            "/ByteRange reaches beyond the end of the file";
    } else {
        rc = decode_gap(sf, cand->dict, cand->holder, v[1], v[2], &dec,
            &why, err);
        if (rc < -1)
            goto cleanup;
        br_ok = rc == 0;
    }
    /* a second dictionary claiming the same gap is not a second signature */
    for (i = 0; br_ok && i + 1 < vj->n_found; i++)
        if (vj->found[i].covered.count == 2 &&
            vj->found[i].covered.span[1].off == v[2]) {
            why = "/ByteRange repeats the one of another signature";
            br_ok = 0;
        }
    if (!br_ok) {
        if ((rc = add_msg(&fs->errors, &fs->n_errors, "%s", why)) < 0)
            goto cleanup;
    } else if (der_extent(&dec, &total, &trailing, &why) < 0) {
        if ((rc = add_msg(&fs->errors, &fs->n_errors, "%s", why)) < 0)
            goto cleanup;
    } else {
        fs->contents = dec;
        fs->contents.len = total;
        dec.data = NULL; /* owned by fs now */
        if (trailing && (rc = add_msg(&fs->warnings, &fs->n_warnings,
                             "/Contents holds non-zero bytes after the "
                             "signature")) < 0)
            goto cleanup;
    }
    if (br_ok) {
        if ((rc = eseal__ranges_add(&fs->covered, ESEAL_SPAN_INPUT, 0,
                 v[1])) < 0 ||
            (rc = eseal__ranges_add(&fs->covered, ESEAL_SPAN_INPUT, v[2],
                 v[3])) < 0) {
            eseal__error_set(err, rc, "too many spans");
            goto cleanup;
        }
        fs->covers_whole_document = v[2] + v[3] == sf->size;
        if (!fs->covers_whole_document && sf->diff == NULL &&
            (rc = eseal__pdf_diff_open(&sf->diff, sf->r, sf->data, sf->size,
                 sf->name, err)) < 0)
            goto cleanup;
        if (!fs->covers_whole_document &&
            (rc = eseal__pdf_diff_classify(sf->diff,
                 &fs->modifications_after, v[2] + v[3], &fs->warnings,
                 &fs->n_warnings, err)) < 0)
            goto cleanup;
    } else {
        /* nothing is known to be covered: conservatively "forbidden" */
        fs->modifications_after = ESEAL_MODS_FORBIDDEN;
    }

    if ((rc = get_soft(sf->r, cand->dict, "M", &m, err)) < 0)
        goto cleanup;
    if (m != NULL && (m->type != PDF_STRING ||
                         parse_pdf_date(m->u.str.s, m->u.str.len,
                             &fs->claimed_time) < 0)) {
        fs->claimed_time = 0;
        if ((rc = add_msg(&fs->warnings, &fs->n_warnings,
                 "signing time /M is not a valid PDF date")) < 0)
            goto cleanup;
    }

    if ((rc = read_docmdp(sf, cand, fs, err)) < 0)
        goto cleanup;
    if (fs->certification && fs->docmdp_permissions == 1 &&
        fs->modifications_after != ESEAL_MODS_NONE) {
        fs->modifications_after = ESEAL_MODS_FORBIDDEN;
        if ((rc = add_msg(&fs->warnings, &fs->n_warnings,
                 "the document was changed after a certification that "
                 "permits no changes (DocMDP P=1)")) < 0)
            goto cleanup;
    }
    if (fs->certification && vj->n_found > 1 &&
        (rc = add_msg(&fs->warnings, &fs->n_warnings,
             "certification signature is not the first signature")) < 0)
        goto cleanup;
    rc = 0;
cleanup:
    if (rc == ESEAL_ENOMEM && err != NULL && err->code != ESEAL_ENOMEM)
        eseal__error_set(err, rc, "out of memory");
    eseal_bytes_free(&dec);
    return rc;
}

/* ---- entry points --------------------------------------------------- */

int eseal__pdf_find_signatures(eseal_verify_job *vj, eseal_error *err)
{
    sigfind sf;
    pdf_obj *acro = NULL, *fields = NULL;
    uint32_t root;
    size_t i;
    int rc;

    memset(&sf, 0, sizeof(sf));
    if (vj == NULL || vj->in == NULL || vj->in->data == NULL)
        return eseal__error_set(err, ESEAL_EINVAL,
            "find_signatures: no document");
    sf.data = vj->in->data;
    sf.size = vj->in->size;
    sf.name = vj->in->name != NULL ? vj->in->name : "document";
    if ((rc = pdf_reader_open(&sf.r, sf.data, sf.size, sf.name, err)) < 0)
        goto cleanup;
    sf.n_objs = pdf_reader_size(sf.r);
    sf.seen = calloc((size_t)sf.n_objs / 8 + 1, 1);
    sf.pseen = calloc((size_t)sf.n_objs / 8 + 1, 1);
    if (sf.seen == NULL || sf.pseen == NULL) {
        rc = eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
        goto cleanup;
    }
    if ((rc = pdf_reader_catalog(sf.r, &root, &sf.catalog, err)) < 0 ||
        (rc = get_soft(sf.r, sf.catalog, "AcroForm", &acro, err)) < 0 ||
        (rc = get_soft(sf.r, acro, "Fields", &fields, err)) < 0)
        goto cleanup;
    for (i = 0; fields != NULL && fields->type == PDF_ARRAY &&
         i < fields->u.arr.len; i++)
        if ((rc = walk_field(&sf, fields->u.arr.items[i], 0, 0, 1,
                 err)) < 0)
            goto cleanup;
    if ((rc = walk_pages(&sf, pdf_dict_get(sf.catalog, "Pages"), 0,
             err)) < 0)
        goto cleanup;

    /* oldest first: by where the signed revision ends */
    for (i = 0; i < sf.n_cand; i++) {
        uint64_t v[4];
        pdf_xref_entry e = pdf_reader_entry(sf.r, sf.cand[i].holder);

        if (read_byte_range(sf.r, sf.cand[i].dict, v) == 0 &&
            v[2] <= UINT64_MAX - v[3])
            sf.cand[i].key = v[2] + v[3];
        else
            sf.cand[i].key = e.type == 1 ? e.field2 : UINT64_MAX;
    }
    if (sf.n_cand > 1)
        qsort(sf.cand, sf.n_cand, sizeof(sf.cand[0]), cand_cmp);
    for (i = 0; i < sf.n_cand; i++)
        if ((rc = add_found(&sf, vj, &sf.cand[i], err)) < 0)
            goto cleanup;
    rc = 0;
cleanup:
    eseal__pdf_diff_close(sf.diff);
    free(sf.cand);
    free(sf.pseen);
    free(sf.seen);
    pdf_reader_free(sf.r);
    if (rc < 0)
        eseal__pdf_verify_cleanup(vj);
    return rc;
}

void eseal__pdf_verify_cleanup(eseal_verify_job *vj)
{
    size_t i;

    if (vj == NULL)
        return;
    for (i = 0; i < vj->n_found; i++) {
        eseal_found_signature *fs = &vj->found[i];

        free(fs->sub_filter);
        eseal_bytes_free(&fs->contents);
        eseal__strlist_free(fs->errors, fs->n_errors);
        eseal__strlist_free(fs->warnings, fs->n_warnings);
    }
    free(vj->found);
    vj->found = NULL;
    vj->n_found = 0;
    vj->cap_found = 0;
}
