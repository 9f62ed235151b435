/*
 * libFuzzer target: the DER structures verification parses out of
 * documents, fed directly to the internal entry points that take them,
 * with the committed demo certificates (tests/fuzz/corpus/cert) as the
 * fixed trust anchor and chain.  The first byte picks what the rest is:
 *
 *   0  CMS SignedData: [a:4][L:4][L content bytes][DER CMS].  The content
 *      is signed as two spans, [0,a) and [a,L) (a PDF's byte ranges);
 *      checked by eseal__cms_verify_ltv (integrity, ESS binding,
 *      signature timestamps, chain, embedded revocation, level) offline,
 *      and taken apart by eseal__cms_ltv_parts (extend's reader).
 *   1  RFC 3161 TimeStampToken: [L:4][L data bytes][DER token], checked
 *      over the data by eseal__ts_open/_digest/_verify.
 *   2  OCSP response: [c][DER], eseal__rev_check of demo certificate c.
 *   3  CRL: [c][DER], the same.
 *
 * Seeds: tests/fuzz/corpus/cms (tests/fuzz/make-seeds.sh).
 * Build: meson setup with CC=clang -Dfuzzing=true (tests/fuzz/meson.build).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <eseal/eseal.h>
#include "core/ltv.h"

#ifndef FUZZ_CERT_DIR
#error "FUZZ_CERT_DIR: the directory of the committed demo certificates"
#endif

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* the certificates whose revocation status mode 2 and 3 ask for, each
 * with its issuer */
static const char *const cert_names[] = { "eseal-ec", "eseal-rsa",
    "revoked", "issuing-ca", "tsa", "ocsp" };
#define N_CERTS (sizeof(cert_names) / sizeof(cert_names[0]))

static X509 *certs[N_CERTS];
static X509 *root, *issuing, *responder;
static X509_STORE *trust;
static eseal_verify_opts vopts = ESEAL_VERIFY_OPTS_INIT;

static X509 *load(const char *name)
{
    char path[600];
    FILE *fp;
    X509 *x;

    snprintf(path, sizeof(path), "%s/%s.pem", FUZZ_CERT_DIR, name);
    fp = fopen(path, "r");
    if (fp == NULL) {
        fprintf(stderr, "fuzz: cannot read %s\n", path);
        abort();
    }
    x = PEM_read_X509(fp, NULL, NULL, NULL);
    fclose(fp);
    if (x == NULL) {
        fprintf(stderr, "fuzz: %s is no certificate\n", path);
        abort();
    }
    return x;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    size_t i;

    (void)argc;
    (void)argv;
    root = load("root-ca");
    issuing = load("issuing-ca");
    responder = load("ocsp");
    for (i = 0; i < N_CERTS; i++)
        certs[i] = load(cert_names[i]);
    trust = X509_STORE_new();
    if (trust == NULL || !X509_STORE_add_cert(trust, root))
        abort();
    vopts.trust_file = FUZZ_CERT_DIR "/root-ca.pem";
    vopts.offline = 1;
    return 0;
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
           (uint32_t)p[2] << 8 | p[3];
}

static void check_text(const char *s)
{
    if (s == NULL || s[0] == '\0' || strchr(s, '\n') != NULL)
        __builtin_trap();
}

static void cms(const uint8_t *data, size_t size)
{
    eseal_found_signature found;
    eseal_signature_report *rep;
    eseal_report *r;
    char *json;
    eseal_source src;
    eseal_ltv_doc d;
    eseal_error err = { 0 };
    STACK_OF(X509) *pool;
    eseal_der_list tokens;
    X509 *signer = NULL;
    uint32_t a, len;
    size_t i;

    if (size < 8)
        return;
    a = be32(data);
    len = be32(data + 4);
    data += 8;
    size -= 8;
    if (len > size)
        len = (uint32_t)size;
    if (a > len)
        a = len;
    memset(&found, 0, sizeof(found));
    r = calloc(1, sizeof(*r));
    if (r == NULL || eseal__report_add_signature(r, &rep) < 0)
        abort();
    r->format = ESEAL_FORMAT_PDF;
    memset(&d, 0, sizeof(d));
    eseal__source_init_buffer(&src, data, len, "fuzz");
    found.kind = ESEAL_FOUND_CMS_DETACHED;
    found.sub_filter = "ETSI.CAdES.detached";
    found.covered.count = 2;
    found.covered.span[0].off = 0;
    found.covered.span[0].len = a;
    found.covered.span[1].off = a;
    found.covered.span[1].len = len - a;
    found.covers_whole_document = 1;
    found.contents.data = (unsigned char *)data + len;
    found.contents.len = size - len;
    d.trust = trust;
    d.opts = &vopts;
    d.net.offline = 1;
    d.dss_certs = sk_X509_new_null();
    if (d.dss_certs == NULL || !X509_up_ref(issuing) ||
        !sk_X509_push(d.dss_certs, issuing))
        abort();
    if (eseal__cms_verify_ltv(rep, &found, &src, &vopts, trust, &d,
            &err) < 0)
        check_text(err.message);
    if (rep->valid && (!rep->integrity || !rep->chain_trusted ||
                          rep->n_errors != 0))
        __builtin_trap();
    /* offline, with no revocation data: never above B-T */
    if (rep->level > ESEAL_LEVEL_B_T)
        __builtin_trap();
    for (i = 0; i < rep->n_errors; i++)
        check_text(rep->errors[i]);
    for (i = 0; i < rep->n_warnings; i++)
        check_text(rep->warnings[i]);
    json = eseal_report_json(r);
    if (json == NULL)
        __builtin_trap();
    eseal_free(json);
    eseal_report_free(r);
    eseal__ltv_doc_close(&d);

    /* extend's reader of the same bytes */
    pool = sk_X509_new_null();
    memset(&tokens, 0, sizeof(tokens));
    memset(&err, 0, sizeof(err));
    if (pool == NULL)
        abort();
    if (eseal__cms_ltv_parts(&signer, pool, &tokens, found.contents.data,
            found.contents.len, &err) < 0)
        check_text(err.message);
    X509_free(signer);
    sk_X509_pop_free(pool, X509_free);
    eseal__der_list_free(&tokens);
}

static void timestamp(const uint8_t *data, size_t size)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;
    STACK_OF(X509) *untrusted;
    const char *why = NULL;
    eseal_ts ts;
    uint32_t len;
    int r;

    if (size < 4)
        return;
    len = be32(data);
    data += 4;
    size -= 4;
    if (len > size)
        len = (uint32_t)size;
    memset(&ts, 0, sizeof(ts));
    if (eseal__ts_open(&ts, data + len, size - len, &why) < 0) {
        check_text(why);
        eseal__ts_close(&ts);
        return;
    }
    untrusted = sk_X509_new_null();
    if (untrusted == NULL || !X509_up_ref(issuing) ||
        !sk_X509_push(untrusted, issuing))
        abort();
    if (eseal__ts_digest(&ts, md, &md_len, data, len) == 0) {
        r = eseal__ts_verify(&ts, md, md_len, trust, untrusted, 0);
        if (r != 1)
            check_text(ts.why);
        if (r == 1 && ts.time == 0)
            __builtin_trap();
        /* without trust: never more than "all but the chain" */
        r = eseal__ts_verify(&ts, md, md_len, NULL, untrusted, 0);
        if (r == 1)
            __builtin_trap();
    }
    sk_X509_pop_free(untrusted, X509_free);
    eseal__ts_close(&ts);
}

static void revocation(const uint8_t *data, size_t size, int crl)
{
    eseal_vdata vd;
    eseal_rev rev;
    X509 *cert, *issuer;
    size_t c;
    int der_len;
    unsigned char *der = NULL;

    if (size < 1)
        return;
    c = data[0] % N_CERTS;
    cert = certs[c];
    issuer = strcmp(cert_names[c], "issuing-ca") == 0 ? root : issuing;
    memset(&vd, 0, sizeof(vd));
    if (eseal__der_list_add(crl ? &vd.crls : &vd.ocsps, data + 1,
            size - 1) < 0)
        goto cleanup;
    der_len = i2d_X509(responder, &der);
    if (der_len <= 0 || eseal__der_list_add(&vd.certs, der,
            (size_t)der_len) < 0)
        goto cleanup;
    eseal__rev_check(&rev, cert, issuer, &vd, time(NULL));
    if (rev.status != ESEAL_REVOCATION_GOOD &&
        rev.status != ESEAL_REVOCATION_REVOKED &&
        rev.status != ESEAL_REVOCATION_UNKNOWN)
        __builtin_trap();
    if (rev.source != NULL && strcmp(rev.source, crl ? "CRL" : "OCSP") != 0)
        __builtin_trap();
    /* evidence long before: a revocation it records still decides */
    eseal__rev_check(&rev, cert, issuer, &vd, 86400);
cleanup:
    OPENSSL_free(der);
    eseal__vdata_free(&vd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 65536)
        return 0;
    switch (data[0] & 3) {
    case 0:
        cms(data + 1, size - 1);
        break;
    case 1:
        timestamp(data + 1, size - 1);
        break;
    case 2:
        revocation(data + 1, size - 1, 0);
        break;
    default:
        revocation(data + 1, size - 1, 1);
        break;
    }
    ERR_clear_error();
    return 0;
}
