/*
 * eseal PDF adapter - sealing: detection, the incremental update that adds
 * a signature field and its signature dictionary (PAdES, ETSI.CAdES.
 * detached), and embedding the CMS into the /Contents placeholder.
 *
 * prepare reads only the trailer, the xref chain, the catalog, the
 * AcroForm and its top-level fields, and the first page.  The new bytes
 * (the "tail") are owned by job->tail: the core frees them with
 * eseal_bytes_free() after calling cleanup.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/evp.h>
#include "pdf_adapter.h"
#include "pdf_ltv.h"
#include "pdf_reader.h"
#include "pdf_update.h"
#include "pdf_write.h"
#include "pdf_appearance.h"

#define SEAL_FIELD_PREFIX "eSeal"
#define MAX_FIELDS_VISITED 100000  /* fields looked at in the AcroForm */
#define MAX_FIELD_DEPTH 32         /* /Kids levels */
#define MAX_SIGNATURE_LEN (16u << 20) /* bytes of DER the placeholder holds */
#define BYTERANGE_WIDTH 64         /* "0 a b c", each up to 20 digits */

typedef struct pdf_seal_state {
    size_t contents_off;   /* tail offset of the '<' of /Contents */
    size_t contents_hex;   /* hex digits between '<' and '>' */
} pdf_seal_state;

/* What prepare learns about the form. */
typedef struct form_info {
    size_t n_fields;           /* top-level fields */
    unsigned char *used;       /* used[k]: "eSeal<k>" exists, k <= n+1 */
    int has_signatures;        /* a signature field with a value */
    size_t visited;
} form_info;

static const char *doc_name(const eseal_job *job)
{
    return job->in->name != NULL ? job->in->name : "document";
}

static int pdf_detect(const unsigned char *head, size_t len)
{
    size_t i;

    if (len > 1024)
        len = 1024;
    for (i = 0; i + 5 <= len; i++)
        if (head[i] == '%' && memcmp(head + i, "%PDF-", 5) == 0)
            return 90;
    return 0;
}

/*
 * The core links the module libraries into one, but pdf's static library
 * does not depend on the core's: spans are added here directly.
 */
static int span_add(eseal_ranges *r, eseal_span_origin origin, uint64_t off,
    uint64_t len, eseal_error *err)
{
    if (r->count >= ESEAL_MAX_SPANS)
        return eseal__error_set(err, ESEAL_ELIMIT, "too many byte ranges");
    r->span[r->count].origin = origin;
    r->span[r->count].off = off;
    r->span[r->count].len = len;
    r->count++;
    return 0;
}

/* ---- refusals --------------------------------------------------------- */

/* *p = the DocMDP permission of a certified document, 0 when none. */
static int docmdp_permissions(int *p, pdf_reader *r, const pdf_obj *catalog,
    eseal_error *err)
{
    pdf_obj *perms = NULL, *sig = NULL, *refs = NULL, *ref, *params = NULL;
    pdf_obj *pv;
    int64_t v;
    size_t i;
    int rc;

    *p = 0;
    if ((rc = pdf_reader_dict_get(r, catalog, "Perms", &perms, err)) < 0)
        return rc;
    if (perms == NULL || perms->type != PDF_DICT)
        return 0;
    if ((rc = pdf_reader_dict_get(r, perms, "DocMDP", &sig, err)) < 0)
        return rc;
    if (sig == NULL || sig->type != PDF_DICT)
        return 0;
    if ((rc = pdf_reader_dict_get(r, sig, "Reference", &refs, err)) < 0)
        return rc;
    if (refs == NULL || refs->type != PDF_ARRAY)
        return 0;
    for (i = 0; i < refs->u.arr.len && i < 64; i++) {
        if ((rc = pdf_reader_resolve(r, refs->u.arr.items[i], &ref,
                err)) < 0)
            return rc;
        if (ref == NULL || ref->type != PDF_DICT
            || !pdf_is_name(pdf_dict_get(ref, "TransformMethod"), "DocMDP"))
            continue;
        if ((rc = pdf_reader_dict_get(r, ref, "TransformParams", &params,
                err)) < 0)
            return rc;
        *p = 2;                       /* the default when /P is absent */
        pv = params != NULL && params->type == PDF_DICT ?
            pdf_dict_get(params, "P") : NULL;
        if (pv != NULL && pdf_reader_resolve(r, pv, &pv, err) == 0
            && pdf_get_int(pv, &v) && v >= 1 && v <= 3)
            *p = (int)v;
        return 0;
    }
    return 0;
}

/* 1 when the text string s equals the ASCII text t (PDFDocEncoding or
 * UTF-16BE with a byte order mark). */
static int text_equals(const pdf_obj *s, const char *t)
{
    const unsigned char *p = s->u.str.s;
    size_t len = s->u.str.len, tl = strlen(t), i;

    if (len >= 2 && p[0] == 0xfe && p[1] == 0xff) {
        if (len - 2 != 2 * tl)
            return 0;
        for (i = 0; i < tl; i++)
            if (p[2 + 2 * i] != 0 || p[3 + 2 * i] != (unsigned char)t[i])
                return 0;
        return 1;
    }
    return len == tl && memcmp(p, t, tl) == 0;
}

/* Marks "eSeal<k>" as used when the top-level name t has that form. */
static void note_name(form_info *fi, const pdf_obj *t, size_t limit)
{
    char ascii[32];
    const unsigned char *p = t->u.str.s;
    size_t len = t->u.str.len, i, n = 0, k = 0;
    int utf16 = len >= 2 && p[0] == 0xfe && p[1] == 0xff;

    for (i = utf16 ? 2 : 0; i < len && n + 1 < sizeof(ascii); i++) {
        if (utf16) {
            if (p[i] != 0 || i + 1 >= len)
                return;
            i++;
        }
        ascii[n++] = (char)p[i];
    }
    ascii[n] = '\0';
    if (i < len || n <= strlen(SEAL_FIELD_PREFIX)
        || strncmp(ascii, SEAL_FIELD_PREFIX, strlen(SEAL_FIELD_PREFIX)) != 0)
        return;
    for (i = strlen(SEAL_FIELD_PREFIX); i < n; i++) {
        if (ascii[i] < '0' || ascii[i] > '9' || (k == 0 && ascii[i] == '0'))
            return;
        k = 10 * k + (size_t)(ascii[i] - '0');
        if (k > limit)
            return;
    }
    if (text_equals(t, ascii))
        fi->used[k] = 1;
}

/* A reference to a free or unknown object: null, as verifiers read it. */
static int dangling(pdf_reader *r, const pdf_obj *o)
{
    return o != NULL && o->type == PDF_REF &&
        (o->u.ref.num >= pdf_reader_size(r) ||
            pdf_reader_entry(r, o->u.ref.num).type == 0);
}

/* Walks a field and its kids: does a signature field carry a value?  Each
 * signature value is read, as a verifier will read it. */
static int scan_field(form_info *fi, pdf_reader *r, pdf_obj *ref,
    int inherited_sig, int depth, eseal_error *err)
{
    pdf_obj *f, *ft, *kids = NULL, *v;
    size_t i;
    int is_sig, rc;

    if (depth > MAX_FIELD_DEPTH || ++fi->visited > MAX_FIELDS_VISITED)
        return eseal__error_set(err, ESEAL_ELIMIT, "the form has too many "
            "or too deeply nested fields");
    if (dangling(r, ref))
        return 0;
    if ((rc = pdf_reader_resolve(r, ref, &f, err)) < 0)
        return rc;
    if (f == NULL || f->type != PDF_DICT)
        return 0;
    ft = pdf_dict_get(f, "FT");
    is_sig = ft != NULL ? pdf_is_name(ft, "Sig") : inherited_sig;
    v = pdf_dict_get(f, "V");
    if (is_sig && v != NULL && v->type != PDF_NULL) {
        fi->has_signatures = 1;
        /* a verifier reads every signature: one it cannot read would make
         * the sealed document unverifiable */
        if (!dangling(r, v) &&
            (rc = pdf_reader_resolve(r, v, &v, err)) < 0) {
            char why[256];

            snprintf(why, sizeof(why), "%s", err != NULL ? err->message : "");
            return eseal__error_set(err, rc, "cannot read an existing "
                "signature of the document: %s", why);
        }
        return 0;
    }
    kids = pdf_dict_get(f, "Kids");
    if (dangling(r, kids))
        return 0;
    if ((rc = pdf_reader_resolve(r, kids, &kids, err)) < 0)
        return rc;
    if (kids == NULL || kids->type != PDF_ARRAY)
        return 0;
    for (i = 0; i < kids->u.arr.len; i++)
        if ((rc = scan_field(fi, r, kids->u.arr.items[i], is_sig, depth + 1,
                err)) < 0)
            return rc;
    return 0;
}

/* Reads the top-level field names, and whether any field is signed. */
static int scan_form(form_info *fi, pdf_reader *r, const pdf_obj *fields,
    eseal_error *err)
{
    pdf_obj *f, *t;
    size_t i, n;
    int rc;

    n = fields != NULL && fields->type == PDF_ARRAY ? fields->u.arr.len : 0;
    if (n > MAX_FIELDS_VISITED)
        return eseal__error_set(err, ESEAL_ELIMIT, "the form has %zu "
            "fields, the limit is %d", n, MAX_FIELDS_VISITED);
    fi->n_fields = n;
    if ((fi->used = calloc(n + 2, 1)) == NULL)
        return eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
    for (i = 0; i < n; i++) {
        if ((rc = pdf_reader_resolve(r, fields->u.arr.items[i], &f,
                err)) < 0)
            return rc;
        if (f == NULL || f->type != PDF_DICT)
            continue;
        t = pdf_dict_get(f, "T");
        if (t != NULL && pdf_reader_resolve(r, t, &t, err) == 0
            && t != NULL && t->type == PDF_STRING)
            note_name(fi, t, n + 1);
        if ((rc = scan_field(fi, r, fields->u.arr.items[i], 0, 0,
                err)) < 0)
            return rc;
    }
    return 0;
}

/* ---- building the update ---------------------------------------------- */

typedef struct seal_plan {
    pdf_reader *r;
    pdf_arena *a;
    pdf_update u;
    uint32_t cat_num;
    pdf_obj *cat;          /* as read */
    pdf_obj *cat_new;      /* a copy, once the catalog must change */
    uint32_t sig_num, field_num;
} seal_plan;

static int nomem(eseal_error *err)
{
    return eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
}

static pdf_obj *catalog_for_change(seal_plan *p)
{
    if (p->cat_new == NULL)
        p->cat_new = pdf_obj_copy(p->a, p->cat);
    return p->cat_new;
}

static pdf_obj *ref_to(seal_plan *p, uint32_t num)
{
    return pdf_new_ref(p->a, num, eseal__pdf_update_gen_of(&p->u, num));
}

/*
 * Appends item to the array held under key in dict (which the caller may
 * change): a direct array is extended in place, an indirect one is copied
 * and rewritten under its own number, an absent one is created.  *dict_changed
 * is set when dict itself changed.
 */
static int append_to_array(seal_plan *p, pdf_obj *dict, const char *key,
    pdf_obj *item, int *dict_changed, eseal_error *err)
{
    pdf_obj *v = pdf_dict_get(dict, key), *arr;
    uint32_t num;
    int rc;

    *dict_changed = 0;
    if (v != NULL && v->type == PDF_REF) {
        num = v->u.ref.num;
        if ((rc = pdf_reader_load(p->r, num, &arr, err)) < 0)
            return rc;
        if (arr->type == PDF_ARRAY) {
            if ((arr = pdf_obj_copy(p->a, arr)) == NULL
                || pdf_array_push(p->a, arr, item) < 0)
                return nomem(err);
            return eseal__pdf_update_add(&p->u, num,
                eseal__pdf_update_gen_of(&p->u, num), arr, NULL, err);
        }
        v = NULL;                     /* not an array: replace it */
    }
    *dict_changed = 1;
    if (v != NULL && v->type == PDF_ARRAY)
        return pdf_array_push(p->a, v, item) < 0 ? nomem(err) : 0;
    if ((arr = pdf_new_array(p->a)) == NULL
        || pdf_array_push(p->a, arr, item) < 0
        || pdf_dict_put(p->a, dict, key, arr) < 0)
        return nomem(err);
    return 0;
}

static int set_sig_flags(seal_plan *p, pdf_obj *af, eseal_error *err)
{
    pdf_obj *v = pdf_dict_get(af, "SigFlags");
    int64_t flags = 0;

    if (v != NULL)
        pdf_get_int(v, &flags);
    if (flags < 0 || flags > 0xffff)
        flags = 0;
    if ((v = pdf_new_int(p->a, flags | 3)) == NULL
        || pdf_dict_put(p->a, af, "SigFlags", v) < 0)
        return nomem(err);
    return 0;
}

/* Adds the field to /AcroForm /Fields; *fields gets the fields read. */
static int update_acroform(seal_plan *p, const pdf_obj **fields,
    eseal_error *err)
{
    pdf_obj *v = pdf_dict_get(p->cat, "AcroForm"), *af = NULL, *cat;
    pdf_obj *item, *fv = NULL;
    uint32_t af_num = 0;
    int64_t flags = 0;
    int changed, rc;

    if (v != NULL && v->type == PDF_REF) {
        af_num = v->u.ref.num;
        if ((rc = pdf_reader_load(p->r, af_num, &af, err)) < 0)
            return rc;
        if (af->type != PDF_DICT) {
            af = NULL;
            af_num = 0;
        }
    } else if (v != NULL && v->type == PDF_DICT) {
        af = v;
    }
    *fields = NULL;
    if (af != NULL) {
        if ((rc = pdf_reader_dict_get(p->r, af, "Fields", &fv, err)) < 0)
            return rc;
        *fields = fv;
    }
    if ((item = ref_to(p, p->field_num)) == NULL)
        return nomem(err);
    if (af_num != 0) {
        /* indirect AcroForm: the catalog stays as it is */
        pdf_obj *sf = pdf_dict_get(af, "SigFlags");
        pdf_obj *copy = pdf_obj_copy(p->a, af);

        if (copy == NULL)
            return nomem(err);
        if ((rc = append_to_array(p, copy, "Fields", item, &changed,
                err)) < 0)
            return rc;
        if (sf == NULL || !pdf_get_int(sf, &flags) || (flags & 3) != 3)
            changed = 1;
        if (!changed)
            return 0;
        if ((rc = set_sig_flags(p, copy, err)) < 0)
            return rc;
        return eseal__pdf_update_add(&p->u, af_num,
            eseal__pdf_update_gen_of(&p->u, af_num), copy, NULL, err);
    }
    /*
     * Direct or absent: the AcroForm becomes an indirect object of its own
     * and the catalog refers to it.  Later signers (Poppler 22.12 among
     * them) extend /Fields only of an indirect AcroForm.
     */
    if ((cat = catalog_for_change(p)) == NULL)
        return nomem(err);
    af = pdf_dict_get(cat, "AcroForm");
    if (af == NULL || af->type != PDF_DICT)
        af = pdf_new_dict(p->a);
    if (af == NULL)
        return nomem(err);
    if ((rc = append_to_array(p, af, "Fields", item, &changed, err)) < 0
        || (rc = set_sig_flags(p, af, err)) < 0
        || (rc = eseal__pdf_update_new_num(&p->u, &af_num, err)) < 0
        || (rc = eseal__pdf_update_add(&p->u, af_num, 0, af, NULL, err)) < 0)
        return rc;
    if ((item = ref_to(p, af_num)) == NULL
        || pdf_dict_put(p->a, cat, "AcroForm", item) < 0)
        return nomem(err);
    return 0;
}

/* Adds the widget to the first page's /Annots. */
static int update_page(seal_plan *p, uint32_t page_num, pdf_obj *page,
    eseal_error *err)
{
    pdf_obj *copy, *item, *v = pdf_dict_get(page, "Annots"), *arr = NULL;
    int changed, rc;

    if ((item = ref_to(p, p->field_num)) == NULL)
        return nomem(err);
    if (v != NULL && v->type == PDF_REF) {
        /* an indirect array: only the array changes */
        if ((rc = pdf_reader_load(p->r, v->u.ref.num, &arr, err)) < 0)
            return rc;
        if (arr->type == PDF_ARRAY)
            return append_to_array(p, page, "Annots", item, &changed, err);
    }
    if ((copy = pdf_obj_copy(p->a, page)) == NULL)
        return nomem(err);
    if (arr != NULL)
        pdf_dict_del(copy, "Annots");
    if ((rc = append_to_array(p, copy, "Annots", item, &changed, err)) < 0)
        return rc;
    return eseal__pdf_update_add(&p->u, page_num,
        eseal__pdf_update_gen_of(&p->u, page_num), copy, NULL, err);
}

/* /Perms /DocMDP for a certification seal. */
static int add_perms(seal_plan *p, eseal_error *err)
{
    pdf_obj *cat, *perms = NULL, *ref;
    int rc;

    if ((cat = catalog_for_change(p)) == NULL)
        return nomem(err);
    if ((rc = pdf_reader_dict_get(p->r, cat, "Perms", &perms, err)) < 0)
        return rc;
    if (perms != NULL && perms->type == PDF_DICT)
        perms = pdf_obj_copy(p->a, perms);   /* kept direct from now on */
    else
        perms = pdf_new_dict(p->a);
    if (perms == NULL || (ref = ref_to(p, p->sig_num)) == NULL
        || pdf_dict_put(p->a, perms, "DocMDP", ref) < 0
        || pdf_dict_put(p->a, cat, "Perms", perms) < 0)
        return nomem(err);
    return 0;
}

/* 10 * major + minor of a version name such as "1.7"; 0 if not one. */
static int version_of(const pdf_obj *v)
{
    const char *s;

    if (v == NULL || v->type != PDF_NAME || v->u.name.len < 3)
        return 0;
    s = v->u.name.s;
    if (s[0] < '1' || s[0] > '9' || s[1] != '.' || s[2] < '0' || s[2] > '9')
        return 0;
    return 10 * (s[0] - '0') + (s[2] - '0');
}

/*
 * Below PDF 1.7, PAdES asks for the ESIC extension (BaseVersion 1.7,
 * ExtensionLevel 2) in the catalog.  /Version itself is left alone.
 */
static int add_extension(seal_plan *p, eseal_error *err)
{
    pdf_obj *cat, *ext = NULL, *esic, *v;
    int version = pdf_reader_header_version(p->r), rc;

    if (version_of(pdf_dict_get(p->cat, "Version")) > version)
        version = version_of(pdf_dict_get(p->cat, "Version"));
    if (version >= 17)
        return 0;
    if ((rc = pdf_reader_dict_get(p->r, p->cat, "Extensions", &ext,
            err)) < 0)
        return rc;
    if (ext != NULL && ext->type == PDF_DICT
        && pdf_dict_get(ext, "ESIC") != NULL)
        return 0;
    if ((cat = catalog_for_change(p)) == NULL)
        return nomem(err);
    if (ext != NULL && ext->type == PDF_DICT)
        ext = pdf_obj_copy(p->a, ext);
    else
        ext = pdf_new_dict(p->a);
    if (ext == NULL || (esic = pdf_new_dict(p->a)) == NULL
        || (v = pdf_new_name(p->a, "1.7")) == NULL
        || pdf_dict_put(p->a, esic, "BaseVersion", v) < 0
        || (v = pdf_new_int(p->a, 2)) == NULL
        || pdf_dict_put(p->a, esic, "ExtensionLevel", v) < 0
        || pdf_dict_put(p->a, ext, "ESIC", esic) < 0
        || pdf_dict_put(p->a, cat, "Extensions", ext) < 0)
        return nomem(err);
    return 0;
}

static int put_name(pdf_arena *a, pdf_obj *d, const char *key,
    const char *name)
{
    pdf_obj *v = pdf_new_name(a, name);

    return v == NULL ? ESEAL_ENOMEM : pdf_dict_put(a, d, key, v);
}

/* The signature field merged with its widget annotation. */
static int make_field(pdf_obj **out, seal_plan *p, uint32_t page_num,
    size_t k, eseal_error *err)
{
    char name[32];
    pdf_obj *f, *rect, *v;
    int i;

    snprintf(name, sizeof(name), SEAL_FIELD_PREFIX "%zu", k);
    if ((f = pdf_new_dict(p->a)) == NULL || (rect = pdf_new_array(p->a))
        == NULL)
        return nomem(err);
    for (i = 0; i < 4; i++)
        if ((v = pdf_new_int(p->a, 0)) == NULL
            || pdf_array_push(p->a, rect, v) < 0)
            return nomem(err);
    if (put_name(p->a, f, "FT", "Sig") < 0
        || (v = pdf_new_string(p->a, name, strlen(name), 0)) == NULL
        || pdf_dict_put(p->a, f, "T", v) < 0
        || put_name(p->a, f, "Type", "Annot") < 0
        || put_name(p->a, f, "Subtype", "Widget") < 0
        || pdf_dict_put(p->a, f, "Rect", rect) < 0
        || (v = pdf_new_int(p->a, 132)) == NULL     /* Print | Locked */
        || pdf_dict_put(p->a, f, "F", v) < 0
        || (v = ref_to(p, page_num)) == NULL
        || pdf_dict_put(p->a, f, "P", v) < 0
        || (v = ref_to(p, p->sig_num)) == NULL
        || pdf_dict_put(p->a, f, "V", v) < 0)
        return nomem(err);
    *out = f;
    return 0;
}

static void buf_fill(eseal_buf *b, char c, size_t n)
{
    char chunk[512];
    size_t k;

    memset(chunk, c, sizeof(chunk));
    for (; n > 0 && !b->failed; n -= k) {
        k = n < sizeof(chunk) ? n : sizeof(chunk);
        eseal__buf_append(b, chunk, k);
    }
}

/*
 * The signature dictionary, as text: its /ByteRange is filled in once the
 * tail is laid out and its /Contents once the CMS exists.
 */
static int make_sig_dict(eseal_buf *b, size_t *br_off, size_t *ct_off,
    const eseal_job *job, int certify, int doc_ts, eseal_error *err)
{
    struct tm tm;
    time_t t = job->signing_time;

    if (gmtime_r(&t, &tm) == NULL)
        return eseal__error_set(err, ESEAL_EINVAL, "bad signing time");
    if (doc_ts)     /* PAdES document timestamp: no /M, no DocMDP */
        eseal__buf_puts(b, "<</Type /DocTimeStamp /Filter /Adobe.PPKLite "
            "/SubFilter /ETSI.RFC3161");
    else
        eseal__buf_printf(b, "<</Type /Sig /Filter /Adobe.PPKLite "
            "/SubFilter /ETSI.CAdES.detached "
            "/M (D:%04d%02d%02d%02d%02d%02dZ)", tm.tm_year + 1900,
            tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    if (certify)
        eseal__buf_puts(b, " /Reference [<</Type /SigRef "
            "/TransformMethod /DocMDP /TransformParams "
            "<</Type /TransformParams /P 2 /V /1.2>>>>]");
    eseal__buf_puts(b, " /ByteRange [");
    *br_off = b->len;
    eseal__buf_printf(b, "%*s] /Contents <", BYTERANGE_WIDTH, "");
    *ct_off = b->len - 1;
    buf_fill(b, '0', 2 * job->max_signature_len);
    eseal__buf_puts(b, ">>>");
    return b->failed ? nomem(err) : 0;
}

/* A new second /ID element, derived from the input's state and the time. */
static int make_id2(unsigned char id2[16], const eseal_job *job,
    uint64_t startxref, eseal_error *err)
{
    unsigned char md[EVP_MAX_MD_SIZE], buf[1024 + 32];
    uint64_t size = job->in->size, n = size < 1024 ? size : 1024;
    unsigned int mdlen = 0;
    int64_t t = (int64_t)job->signing_time;
    size_t len = 0;

    memcpy(buf, &size, 8);
    memcpy(buf + 8, &startxref, 8);
    memcpy(buf + 16, &t, 8);
    len = 24;
    memcpy(buf + len, job->in->data + size - n, (size_t)n);
    len += (size_t)n;
    if (!EVP_Digest(buf, len, md, &mdlen, EVP_sha256(), NULL) || mdlen < 16)
        return eseal__error_ossl(err, ESEAL_ECRYPTO, "SHA-256");
    memcpy(id2, md, 16);
    return 0;
}

/*
 * Opens the reader on the input.  Some producers (print drivers wrapping
 * the PDF in PJL commands, mail gateways) put bytes before the %PDF-
 * header and count the offsets from the header: when the file does not
 * read as it is, it is read from its header, and *base says where that is.
 * The sealed output then starts at the header: the bytes before it are not
 * part of the PDF, and its offsets become right.
 */
static int open_input(pdf_reader **r, uint64_t *base, const eseal_job *job,
    eseal_error *err)
{
    const unsigned char *data = job->in->data;
    uint64_t size = job->in->size, at;
    eseal_error again = { 0, "" };
    int rc;

    *base = 0;
    rc = pdf_reader_open(r, data, size, doc_name(job), err);
    if (rc == 0 || rc == ESEAL_ENOMEM)
        return rc;
    at = pdf_header_offset(data, size);
    if (at == 0 || at == UINT64_MAX)
        return rc;
    if (pdf_reader_open(r, data + at, size - at, doc_name(job), &again) < 0)
        return rc;      /* the first error says more */
    *base = at;
    return 0;
}

static void fill_byterange(unsigned char *at, uint64_t a, uint64_t b,
    uint64_t c)
{
    char tmp[BYTERANGE_WIDTH + 1];
    int n;

    n = snprintf(tmp, sizeof(tmp), "0 %" PRIu64 " %" PRIu64 " %" PRIu64,
        a, b, c);
    memset(at, ' ', BYTERANGE_WIDTH);
    memcpy(at, tmp, (size_t)n);
}

static int prepare_update(eseal_job *job, eseal_ranges *tbs, int doc_ts,
    eseal_error *err)
{
    pdf_seal_state *st = job->state;
    seal_plan p;
    pdf_appearance ap;
    form_info fi;
    eseal_buf sig = { 0 }, tail = { 0 };
    const pdf_obj *fields = NULL;
    pdf_obj *page = NULL, *field = NULL;
    unsigned char id2[16];
    uint32_t page_num = 0;
    size_t k, br_off = 0, ct_off = 0, sig_index = 0, ct, hex, len;
    uint64_t size = job->in->size, base, a, b;
    const unsigned char *in;
    int certify = job->opts != NULL && job->opts->certify, perm, rc;
    int visible = job->opts != NULL && job->opts->visible;

    memset(&p, 0, sizeof(p));
    memset(&ap, 0, sizeof(ap));
    memset(&fi, 0, sizeof(fi));
    memset(tbs, 0, sizeof(*tbs));
    memset(&job->output, 0, sizeof(job->output));
    if (st == NULL) {
        rc = eseal__error_set(err, ESEAL_EINVAL, "the PDF adapter needs "
            "its job state");
        goto cleanup;
    }
    if (job->max_signature_len == 0
        || job->max_signature_len > MAX_SIGNATURE_LEN) {
        rc = eseal__error_set(err, ESEAL_EINVAL, "cannot reserve %zu bytes "
            "for a signature", job->max_signature_len);
        goto cleanup;
    }
    if ((rc = open_input(&p.r, &base, job, err)) < 0)
        goto cleanup;
    in = job->in->data + base;
    size -= base;
    p.a = pdf_reader_arena(p.r);
    if (pdf_reader_is_encrypted(p.r)) {
        rc = eseal__error_set(err, ESEAL_EREFUSED, "encrypted PDFs are not "
            "supported: decrypt it first, e.g. qpdf --decrypt");
        goto cleanup;
    }
    eseal__pdf_update_init(&p.u, p.r);
    if ((rc = pdf_reader_catalog(p.r, &p.cat_num, &p.cat, err)) < 0)
        goto cleanup;
    if ((rc = docmdp_permissions(&perm, p.r, p.cat, err)) < 0)
        goto cleanup;
    if (perm == 1) {
        rc = eseal__error_set(err, ESEAL_EREFUSED, "document is certified "
            "with no changes allowed (DocMDP P=1)");
        goto cleanup;
    }
    if (visible)    /* the page the seal is shown on */
        rc = eseal__pdf_appearance_page(&ap, p.r, job, &page_num, &page, err);
    else
        rc = pdf_reader_first_page(p.r, &page_num, &page, err);
    if (rc < 0)
        goto cleanup;
    if ((rc = eseal__pdf_update_new_num(&p.u, &p.sig_num, err)) < 0
        || (rc = eseal__pdf_update_new_num(&p.u, &p.field_num, err)) < 0)
        goto cleanup;

    /* the form: the field goes into /Fields, its name must be new */
    if ((rc = update_acroform(&p, &fields, err)) < 0)
        goto cleanup;
    if ((rc = scan_form(&fi, p.r, fields, err)) < 0)
        goto cleanup;
    if (certify && (fi.has_signatures || perm != 0)) {
        rc = eseal__error_set(err, ESEAL_EREFUSED, "a certification seal "
            "must be the first signature");
        goto cleanup;
    }
    for (k = 1; k <= fi.n_fields && fi.used[k]; k++)
        ;
    if ((rc = make_field(&field, &p, page_num, k, err)) < 0)
        goto cleanup;
    if (visible
        && (rc = eseal__pdf_appearance_add(&ap, &p.u, field, job, err)) < 0)
        goto cleanup;
    if ((rc = update_page(&p, page_num, page, err)) < 0)
        goto cleanup;
    if (certify && (rc = add_perms(&p, err)) < 0)
        goto cleanup;
    if ((rc = add_extension(&p, err)) < 0)
        goto cleanup;
    if (p.cat_new != NULL
        && (rc = eseal__pdf_update_add(&p.u, p.cat_num,
            eseal__pdf_update_gen_of(&p.u, p.cat_num), p.cat_new, NULL,
            err)) < 0)
        goto cleanup;

    /* the new objects */
    if ((rc = make_sig_dict(&sig, &br_off, &ct_off, job, certify, doc_ts,
            err)) < 0)
        goto cleanup;
    if ((rc = eseal__pdf_update_add_raw(&p.u, p.sig_num, 0, sig.data,
            sig.len, &sig_index, err)) < 0
        || (rc = eseal__pdf_update_add(&p.u, p.field_num, 0, field, NULL,
            err)) < 0)
        goto cleanup;
    if ((rc = make_id2(id2, job, pdf_reader_startxref(p.r), err)) < 0)
        goto cleanup;
    if ((rc = eseal__pdf_update_render(&p.u, &tail, in, size,
            id2, err)) < 0)
        goto cleanup;

    /* the byte range: everything but the placeholder between < and > */
    ct = p.u.objs[sig_index].body_off + ct_off;
    hex = 2 * job->max_signature_len;
    len = tail.len;
    a = size + ct;
    b = a + hex + 2;
    fill_byterange((unsigned char *)tail.data + p.u.objs[sig_index].body_off
        + br_off, a, b, size + len - b);
    if ((rc = span_add(tbs, ESEAL_SPAN_INPUT, base, size, err)) < 0
        || (rc = span_add(tbs, ESEAL_SPAN_TAIL, 0, ct, err)) < 0
        || (rc = span_add(tbs, ESEAL_SPAN_TAIL, ct + hex + 2,
            len - ct - hex - 2, err)) < 0
        || (rc = span_add(&job->output, ESEAL_SPAN_INPUT, base, size,
            err)) < 0
        || (rc = span_add(&job->output, ESEAL_SPAN_TAIL, 0, len, err)) < 0)
        goto cleanup;
    st->contents_off = ct;
    st->contents_hex = hex;
    job->tail.data = (unsigned char *)eseal__buf_steal(&tail,
        &job->tail.len);
    if (job->tail.data == NULL) {
        rc = nomem(err);
        goto cleanup;
    }
    rc = 0;
cleanup:
    if (rc < 0) {
        memset(tbs, 0, sizeof(*tbs));
        memset(&job->output, 0, sizeof(job->output));
    }
    eseal__buf_free(&tail);
    eseal__buf_free(&sig);
    free(fi.used);
    eseal__pdf_appearance_free(&ap);
    eseal__pdf_update_free(&p.u);
    pdf_reader_free(p.r);
    return rc;
}

static int pdf_prepare(eseal_job *job, eseal_ranges *tbs, eseal_error *err)
{
    return prepare_update(job, tbs, 0, err);
}

/* Callers give opts without certify and visible (pdf_doctime.c). */
int eseal__pdf_prepare_doc_timestamp(eseal_job *job, eseal_ranges *tbs,
    eseal_error *err)
{
    return prepare_update(job, tbs, 1, err);
}

static int pdf_embed(eseal_job *job, const eseal_bytes *sig,
    eseal_error *err)
{
    static const char hexdigits[] = "0123456789ABCDEF";
    const pdf_seal_state *st = job->state;
    unsigned char *p;
    size_t i;

    if (st == NULL || job->tail.data == NULL || st->contents_hex == 0
        || st->contents_off + st->contents_hex + 2 > job->tail.len
        || job->tail.data[st->contents_off] != '<')
        return eseal__error_set(err, ESEAL_EINVAL, "embed without a "
            "prepared signature placeholder");
    if (sig->len > st->contents_hex / 2)
        return eseal__error_set(err, ESEAL_ECRYPTO, "signature larger than "
            "reserved (%zu > %zu bytes)", sig->len,
            st->contents_hex / 2);
    p = job->tail.data + st->contents_off + 1;
    for (i = 0; i < sig->len; i++) {
        *p++ = (unsigned char)hexdigits[sig->data[i] >> 4];
        *p++ = (unsigned char)hexdigits[sig->data[i] & 0xf];
    }
    memset(p, '0', st->contents_hex - 2 * sig->len);
    return 0;
}

/* job->tail is freed by the core (eseal_bytes_free) after this. */
static void pdf_cleanup(eseal_job *job)
{
    if (job->state != NULL)
        memset(job->state, 0, sizeof(pdf_seal_state));
}

const eseal_adapter eseal__pdf_adapter = {
    .version = ESEAL_ADAPTER_VERSION,
    .name = "pdf",
    .format = ESEAL_FORMAT_PDF,
    .caps = ESEAL_CAP_CMS_DETACHED,
    .state_size = sizeof(pdf_seal_state),
    .detect = pdf_detect,
    .prepare = pdf_prepare,
    .embed = pdf_embed,
    .self_check = eseal__pdf_self_check,
    .find_signatures = eseal__pdf_find_signatures,
    .cleanup = pdf_cleanup,
    .verify_cleanup = eseal__pdf_verify_cleanup,
};
