/*
 * eseal-selfcheck - the Poppler side of the PDF self-check, run in the
 * helper process (pdf/selfcheck_main.c), never inside libeseal: a sealed
 * output is re-opened with Poppler, an independent reader.  Poppler must
 * see as many signature fields as eseal's own reader, and must find the
 * newest seal (the one whose /ByteRange ends at the end of the file)
 * cryptographically valid.  Certificates are not checked here (Poppler
 * 22.12's certificate check is unreliable); the core checks them with
 * OpenSSL.
 *
 * The helper loads Poppler when it runs (dlopen), so that a missing
 * libpoppler-glib8 is a clear message; poppler.h gives the types and
 * prototypes.
 */
#include "eseal_config.h"
#include "selfcheck.h"

#if ESEAL_HAVE_POPPLER

#include <dlfcn.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <poppler.h>
#include "pdf_reader.h"

#define SC_POPPLER_LIB "libpoppler-glib.so.8"  /* the ABI of poppler.h */

#define SC_MAX_DEPTH 32            /* /Kids levels of fields and pages */
#define SC_MAX_VISITED 1000000     /* fields, pages and annotations */
#define SC_MAX_NAME 1024           /* bytes of a fully qualified name */

/* What eseal's reader sees. */
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

static const char *status_text(PopplerSignatureStatus st)
{
    switch (st) {
    case POPPLER_SIGNATURE_VALID:
        return "valid";
    case POPPLER_SIGNATURE_INVALID:
        return "invalid";
    case POPPLER_SIGNATURE_DIGEST_MISMATCH:
        return "changed after sealing (digest mismatch)";
    case POPPLER_SIGNATURE_DECODING_ERROR:
        return "malformed (decoding error)";
    case POPPLER_SIGNATURE_GENERIC_ERROR:
        return "not verifiable (generic error)";
    case POPPLER_SIGNATURE_NOT_FOUND:
        return "not found";
    case POPPLER_SIGNATURE_NOT_VERIFIED:
    default:
        return "not verified";
    }
}

/* The Poppler calls the self-check makes, resolved from SC_POPPLER_LIB. */
typedef struct sc_poppler {
    void *lib;
    __typeof__(poppler_document_new_from_bytes) *document_new_from_bytes;
    __typeof__(poppler_document_get_signature_fields)
        *document_get_signature_fields;
    __typeof__(poppler_form_field_get_name) *form_field_get_name;
    __typeof__(poppler_form_field_signature_validate_sync)
        *form_field_signature_validate_sync;
    __typeof__(poppler_signature_info_get_signature_status)
        *signature_info_get_signature_status;
    __typeof__(poppler_signature_info_free) *signature_info_free;
    __typeof__(g_object_unref) *object_unref;
    __typeof__(g_object_set_data_full) *object_set_data_full;
} sc_poppler;

static int poppler_sym(void *fn, void *lib, const char *name,
    eseal_error *err)
{
    void *f = dlsym(lib, name);

    if (f == NULL)
        return eseal__error_set(err, ESEAL_EUNSUPPORTED, "self-check: "
            "%s has no %s (Poppler too old?)", SC_POPPLER_LIB, name);
    memcpy(fn, &f, sizeof(f));      /* POSIX: data and code pointers */
    return 0;
}

/*
 * Loads Poppler.  It stays loaded (RTLD_NODELETE): GLib types cannot be
 * unregistered, and a second self-check then costs no reload.
 */
static int poppler_open(sc_poppler *pp, eseal_error *err)
{
    int rc;

    memset(pp, 0, sizeof(*pp));
    pp->lib = dlopen(SC_POPPLER_LIB, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
    if (pp->lib == NULL) {
        const char *why = dlerror();

        return eseal__error_set(err, ESEAL_EUNSUPPORTED, "self-check needs "
            "Poppler (the libpoppler-glib8 package): %s",
            why != NULL ? why : SC_POPPLER_LIB);
    }
    if ((rc = poppler_sym(&pp->document_new_from_bytes, pp->lib,
            "poppler_document_new_from_bytes", err)) < 0
        || (rc = poppler_sym(&pp->document_get_signature_fields, pp->lib,
            "poppler_document_get_signature_fields", err)) < 0
        || (rc = poppler_sym(&pp->form_field_get_name, pp->lib,
            "poppler_form_field_get_name", err)) < 0
        || (rc = poppler_sym(&pp->form_field_signature_validate_sync,
            pp->lib, "poppler_form_field_signature_validate_sync", err)) < 0
        || (rc = poppler_sym(&pp->signature_info_get_signature_status,
            pp->lib, "poppler_signature_info_get_signature_status",
            err)) < 0
        || (rc = poppler_sym(&pp->signature_info_free, pp->lib,
            "poppler_signature_info_free", err)) < 0
        || (rc = poppler_sym(&pp->object_unref, pp->lib, "g_object_unref",
            err)) < 0
        || (rc = poppler_sym(&pp->object_set_data_full, pp->lib,
            "g_object_set_data_full", err)) < 0) {
        dlclose(pp->lib);
        pp->lib = NULL;
        return rc;
    }
    return 0;
}

/* Drops Poppler's informational chatter (its error callback logs syntax
 * notes and NSS database remarks at these levels); warnings and errors
 * still reach the default handler. */
static void quiet_log(const gchar *domain, GLogLevelFlags level,
    const gchar *message, gpointer payload)
{
    (void)domain;
    (void)level;
    (void)message;
    (void)payload;
}

/*
 * Poppler's signature validation runs in a GIO worker thread, which may
 * drop the document's last reference after validate_sync has returned: the
 * document (and Poppler's global state with it) is then torn down in that
 * thread, racing with whatever the caller does next, process exit included
 * (a crash in ~GlobalParams at exit, about one run in ten).  The self-check
 * waits until the document is finalized.  The record is on the heap: if the
 * wait ever timed out, the late notification would still find it.
 */
typedef struct sc_finalized {
    GMutex lock;
    GCond cond;
    int done;
} sc_finalized;

#define SC_FINALIZE_WAIT_SECONDS 30

static void on_document_finalized(gpointer data)
{
    sc_finalized *f = data;

    g_mutex_lock(&f->lock);
    f->done = 1;
    g_cond_signal(&f->cond);
    g_mutex_unlock(&f->lock);
}

/* Drops the self-check's reference and waits for the finalization; frees
 * the record unless the wait timed out. */
static void release_document(const sc_poppler *pp, PopplerDocument *doc,
    sc_finalized *f)
{
    gint64 deadline;
    int done;

    pp->object_unref(doc);
    if (f == NULL)
        return;
    deadline = g_get_monotonic_time() +
        SC_FINALIZE_WAIT_SECONDS * G_TIME_SPAN_SECOND;
    g_mutex_lock(&f->lock);
    while (!f->done && g_cond_wait_until(&f->cond, &f->lock, deadline))
        ;
    done = f->done;
    g_mutex_unlock(&f->lock);
    if (done) {
        g_mutex_clear(&f->lock);
        g_cond_clear(&f->cond);
        g_free(f);
    }
}

int eseal__selfcheck_poppler(const eseal_source *sealed, eseal_error *err)
{
    const char *fname = sealed->name != NULL ? sealed->name : "document";
    sc_scan s;
    sc_poppler pp;
    GBytes *bytes = NULL;
    GError *gerr = NULL;
    PopplerDocument *doc = NULL;
    PopplerSignatureInfo *info = NULL;
    PopplerFormField *target = NULL;
    GList *fields = NULL, *l;
    sc_finalized *finalized = NULL;
    guint handler;
    gsize n_poppler;
    int rc;

    memset(&s, 0, sizeof(s));
    if ((rc = poppler_open(&pp, err)) < 0)
        return rc;
    handler = g_log_set_handler("Poppler", G_LOG_LEVEL_MESSAGE
        | G_LOG_LEVEL_INFO | G_LOG_LEVEL_DEBUG, quiet_log, NULL);
    s.size = sealed->size;
    rc = pdf_reader_open(&s.r, sealed->data, sealed->size, fname, err);
    if (rc == 0)
        rc = scan_document(&s, err);
    if (rc < 0) {
        if (rc != ESEAL_ENOMEM) {
            char why[sizeof(err->message)] = "";

            if (err != NULL)
                memcpy(why, err->message, sizeof(why));
            why[sizeof(why) - 1] = '\0';
            rc = eseal__error_set(err, ESEAL_EVERIFY, "self-check: eseal "
                "cannot re-read the output: %s", why);
        }
        goto cleanup;
    }
    if (s.n_last == 0) {
        rc = eseal__error_set(err, ESEAL_EVERIFY, "self-check: no "
            "signature covers the whole document");
        goto cleanup;
    }
    if (s.n_last > 1) {
        rc = eseal__error_set(err, ESEAL_EVERIFY, "self-check: several "
            "signatures cover the whole document");
        goto cleanup;
    }
    if (sealed->size > G_MAXSIZE) {
        rc = eseal__error_set(err, ESEAL_ELIMIT, "self-check: file too "
            "large");
        goto cleanup;
    }
    /* a copy: the document may outlive this call in Poppler's thread */
    bytes = g_bytes_new(sealed->data, (gsize)sealed->size);
    doc = pp.document_new_from_bytes(bytes, NULL, &gerr);
    if (doc == NULL) {
        rc = eseal__error_set(err, ESEAL_EVERIFY, "self-check: Poppler "
            "cannot open the sealed document: %s",
            gerr != NULL ? gerr->message : "unknown error");
        goto cleanup;
    }
    finalized = g_new0(sc_finalized, 1);
    g_mutex_init(&finalized->lock);
    g_cond_init(&finalized->cond);
    pp.object_set_data_full((GObject *)doc, "eseal-self-check-finalized",
        finalized, on_document_finalized);
    fields = pp.document_get_signature_fields(doc);
    n_poppler = g_list_length(fields);
    if (n_poppler != s.n_sig_fields) {
        rc = eseal__error_set(err, ESEAL_EVERIFY, "self-check: Poppler "
            "sees %zu signature fields, eseal sees %zu",
            (size_t)n_poppler, s.n_sig_fields);
        goto cleanup;
    }
    for (l = fields; l != NULL; l = l->next) {
        gchar *name = pp.form_field_get_name(l->data);

        if (name != NULL && strcmp(name, s.last_name) == 0)
            target = l->data;
        g_free(name);
    }
    if (target == NULL) {
        rc = eseal__error_set(err, ESEAL_EVERIFY, "self-check: Poppler "
            "does not see the signature field \"%s\"", s.last_name);
        goto cleanup;
    }
    info = pp.form_field_signature_validate_sync(target,
        (PopplerSignatureValidationFlags)0, NULL, &gerr);
    if (info == NULL) {
        rc = eseal__error_set(err, ESEAL_EVERIFY, "self-check: Poppler "
            "cannot validate \"%s\": %s", s.last_name,
            gerr != NULL ? gerr->message : "unknown error");
        goto cleanup;
    }
    if (pp.signature_info_get_signature_status(info)
        != POPPLER_SIGNATURE_VALID) {
        rc = eseal__error_set(err, ESEAL_EVERIFY, "self-check: Poppler "
            "reports the seal \"%s\" as %s", s.last_name,
            status_text(pp.signature_info_get_signature_status(info)));
        goto cleanup;
    }
    rc = 0;
cleanup:
    if (info != NULL)
        pp.signature_info_free(info);
    g_list_free_full(fields, pp.object_unref);
    if (doc != NULL)
        release_document(&pp, doc, finalized);
    if (bytes != NULL)
        g_bytes_unref(bytes);
    if (gerr != NULL)
        g_error_free(gerr);
    g_log_remove_handler("Poppler", handler);
    g_free(s.last_name);
    free(s.seen);
    pdf_reader_free(s.r);
    dlclose(pp.lib);
    return rc;
}

#else /* !ESEAL_HAVE_POPPLER */

int eseal__selfcheck_poppler(const eseal_source *sealed, eseal_error *err)
{
    (void)sealed;
    return eseal__error_set(err, ESEAL_EUNSUPPORTED, "self-check: this "
        "build of eseal has no Poppler");
}

#endif
