/* eseal - the verification flow: find signatures, check each, report. */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/err.h>
#include <openssl/ts.h>
#include <openssl/x509v3.h>
#include "ltv.h"

static int load_trust(X509_STORE **out, const char *path, eseal_error *err)
{
    X509_STORE *store;

    *out = NULL;
    if (path == NULL)
        return 0;
    store = X509_STORE_new();
    if (store == NULL)
        return eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
    if (X509_STORE_load_file(store, path) != 1) {
        X509_STORE_free(store);
        return eseal__error_ossl(err, ESEAL_ECONFIG,
            "%s: cannot load the trust anchors", path);
    }
    *out = store;
    return 0;
}

static int verify_source(eseal_report **out, const eseal_source *src,
    const char *name, const eseal_verify_opts *opts, eseal_error *err)
{
    static const eseal_verify_opts defaults = ESEAL_VERIFY_OPTS_INIT;
    const eseal_adapter *adapter;
    eseal_verify_job vj;
    eseal_ltv_doc ltv;
    eseal_report *r = NULL;
    X509_STORE *trust = NULL;
    size_t head = src->size < 1024 ? (size_t)src->size : 1024, i;
    int rc;

    *out = NULL;
    memset(&vj, 0, sizeof(vj));
    memset(&ltv, 0, sizeof(ltv));
    if (opts == NULL)
        opts = &defaults;
    adapter = eseal__adapter_find(ESEAL_FORMAT_AUTO, src->data, head);
    if (adapter == NULL)
        return eseal__error_set(err, ESEAL_EFORMAT,
            "unknown document format (eseal verifies PDF and XML documents)");
    if ((rc = load_trust(&trust, opts->trust_file, err)) < 0)
        return rc;
    r = calloc(1, sizeof(*r));
    if (r == NULL || (r->file = strdup(name)) == NULL) {
        rc = eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
        goto cleanup;
    }
    r->format = adapter->format;
    vj.in = src;
    if ((rc = adapter->find_signatures(&vj, err)) < 0)
        goto cleanup;
    /* validation data the document holds, then its document timestamps
     * (newest first), then each seal */
    if ((rc = eseal__ltv_doc_open(&ltv, adapter->format, src, trust, opts,
             err)) < 0 ||
        (rc = eseal__ltv_doc_timestamps(&ltv, r, &vj, src, err)) < 0)
        goto cleanup;
    for (i = 0; i < vj.n_found; i++) {
        const eseal_found_signature *f = &vj.found[i];
        eseal_signature_report *s;

        if (f->kind == ESEAL_FOUND_DOC_TIMESTAMP)
            continue;
        if (eseal__report_add_signature(r, &s) < 0) {
            rc = eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
            goto cleanup;
        }
        rc = f->kind == ESEAL_FOUND_CHECKED ?
            eseal__checked_verify_ltv(s, f, opts, trust, &ltv, err) :
            eseal__cms_verify_ltv(s, f, src, opts, trust, &ltv, err);
        if (rc < 0)
            goto cleanup;
    }
    *out = r;
    r = NULL;
cleanup:
    if (adapter->verify_cleanup != NULL)
        adapter->verify_cleanup(&vj);
    for (i = 0; i < vj.n_found; i++) {
        X509_free(vj.found[i].signer_cert);
        sk_X509_pop_free(vj.found[i].certs, X509_free);
        eseal__found_ltv_free(vj.found[i].ltv);
    }
    eseal__ltv_doc_close(&ltv);
    free(vj.found);
    X509_STORE_free(trust);
    eseal_report_free(r);
    return rc;
}

int eseal_verify_buffer(eseal_report **out, const unsigned char *in,
    size_t len, const char *name, const eseal_verify_opts *opts,
    eseal_error *err)
{
    eseal_source src;

    if (out == NULL || in == NULL)
        return eseal__error_set(err, ESEAL_EINVAL, "invalid argument");
    *out = NULL;
    if (len == 0)
        return eseal__error_set(err, ESEAL_EFORMAT, "the document is empty");
    eseal__source_init_buffer(&src, in, len, name ? name : "buffer");
    return verify_source(out, &src, src.name, opts, err);
}

int eseal_verify_file(eseal_report **out, const char *path,
    const eseal_verify_opts *opts, eseal_error *err)
{
    eseal_source src;
    int rc;

    if (out == NULL || path == NULL)
        return eseal__error_set(err, ESEAL_EINVAL, "invalid argument");
    *out = NULL;
    if ((rc = eseal__source_open_file(&src, path, err)) < 0)
        return rc;
    rc = verify_source(out, &src, path, opts, err);
    eseal__source_close(&src);
    return rc;
}
