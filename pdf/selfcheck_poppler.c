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
 * What eseal's reader sees comes from selfcheck_scan.c.
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

#define SC_POPPLER_LIB "libpoppler-glib.so.8"  /* the ABI of poppler.h */

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
    eseal_selfcheck_scan s;
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
    if ((rc = eseal__selfcheck_scan(&s, sealed, err)) < 0) {
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
    eseal__selfcheck_scan_free(&s);
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
