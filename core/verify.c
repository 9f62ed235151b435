/* eseal - the verification flow: find signatures, check each, report. */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/err.h>
#include <openssl/ts.h>
#include <openssl/x509v3.h>
#include "core_int.h"

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

static time_t asn1_time_to_time_t(const ASN1_TIME *t)
{
    struct tm tm;

    if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1)
        return 0;
    return timegm(&tm);
}

/* A document timestamp: an RFC 3161 token over the covered bytes. */
static void check_doc_timestamp(eseal_doc_timestamp_report *d,
    const eseal_found_signature *f, const eseal_source *src,
    X509_STORE *trust)
{
    const unsigned char *p = f->contents.data;
    PKCS7 *token = d2i_PKCS7(NULL, &p, (long)f->contents.len);
    TS_TST_INFO *tst = token ? PKCS7_to_TS_TST_INFO(token) : NULL;
    TS_VERIFY_CTX *ctx = NULL;
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;
    const ASN1_OBJECT *alg;
    TS_MSG_IMPRINT *mi;
    ASN1_OCTET_STRING *want;
    STACK_OF(X509) *signers = NULL;

    if (tst == NULL)
        goto cleanup;
    d->time = asn1_time_to_time_t(TS_TST_INFO_get_time(tst));
    signers = PKCS7_get0_signers(token, NULL, 0);
    if (signers != NULL && sk_X509_num(signers) == 1) {
        char buf[256];

        X509_NAME_oneline(X509_get_subject_name(sk_X509_value(signers, 0)),
            buf, sizeof(buf));
        d->authority = strdup(buf);
    }
    mi = TS_TST_INFO_get_msg_imprint(tst);
    X509_ALGOR_get0(&alg, NULL, NULL, TS_MSG_IMPRINT_get_algo(mi));
    want = TS_MSG_IMPRINT_get_msg(mi);
    if (eseal__digest_spans(md, &md_len, OBJ_nid2sn(OBJ_obj2nid(alg)), src,
            NULL, &f->covered, NULL) < 0 ||
        (int)md_len != ASN1_STRING_length(want) ||
        memcmp(md, ASN1_STRING_get0_data(want), md_len) != 0 ||
        f->modifications_after == ESEAL_MODS_FORBIDDEN)
        goto cleanup;
    if (trust == NULL)
        goto cleanup;
    ctx = TS_VERIFY_CTX_new();
    if (ctx == NULL || !X509_STORE_up_ref(trust))
        goto cleanup;
    TS_VERIFY_CTX_set_flags(ctx, TS_VFY_SIGNATURE | TS_VFY_VERSION);
    TS_VERIFY_CTX_set_store(ctx, trust);
    d->valid = TS_RESP_verify_token(ctx, token) == 1 && f->n_errors == 0;
cleanup:
    ERR_clear_error();
    sk_X509_free(signers);
    TS_VERIFY_CTX_free(ctx);
    TS_TST_INFO_free(tst);
    PKCS7_free(token);
}

static int verify_source(eseal_report **out, const eseal_source *src,
    const char *name, const eseal_verify_opts *opts, eseal_error *err)
{
    static const eseal_verify_opts defaults = ESEAL_VERIFY_OPTS_INIT;
    const eseal_adapter *adapter;
    eseal_verify_job vj;
    eseal_report *r = NULL;
    X509_STORE *trust = NULL;
    size_t head = src->size < 1024 ? (size_t)src->size : 1024, i;
    int rc;

    *out = NULL;
    memset(&vj, 0, sizeof(vj));
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
    for (i = 0; i < vj.n_found; i++) {
        const eseal_found_signature *f = &vj.found[i];

        if (f->kind == ESEAL_FOUND_DOC_TIMESTAMP) {
            eseal_doc_timestamp_report *d;

            if (eseal__report_add_doc_timestamp(r, &d) < 0) {
                rc = eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
                goto cleanup;
            }
            check_doc_timestamp(d, f, src, trust);
        } else {
            eseal_signature_report *s;

            if (eseal__report_add_signature(r, &s) < 0) {
                rc = eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
                goto cleanup;
            }
            rc = f->kind == ESEAL_FOUND_CHECKED ?
                eseal__checked_verify_found(s, f, opts, trust, err) :
                eseal__cms_verify_found(s, f, src, opts, trust, err);
            if (rc < 0)
                goto cleanup;
        }
    }
    *out = r;
    r = NULL;
cleanup:
    if (adapter->verify_cleanup != NULL)
        adapter->verify_cleanup(&vj);
    for (i = 0; i < vj.n_found; i++) {
        X509_free(vj.found[i].signer_cert);
        sk_X509_pop_free(vj.found[i].certs, X509_free);
    }
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
