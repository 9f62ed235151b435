/*
 * eseal - checking an RFC 3161 token: imprint, signature, ESS binding,
 * the TSA certificate's key usage and its chain at a given time.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include "ltv.h"

static time_t to_time_t(const ASN1_TIME *t)
{
    struct tm tm;

    if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1)
        return 0;
    return timegm(&tm);
}

static char *name_rfc2253(const X509_NAME *name)
{
    BIO *mem = BIO_new(BIO_s_mem());
    char *p = NULL, *out = NULL;
    long n;

    if (mem != NULL && X509_NAME_print_ex(mem, name, 0,
            XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) >= 0) {
        n = BIO_get_mem_data(mem, &p);
        out = eseal__strndup(p, n > 0 ? (size_t)n : 0);
    }
    BIO_free(mem);
    return out;
}

void eseal__ts_close(eseal_ts *ts)
{
    if (ts == NULL)
        return;
    sk_X509_pop_free(ts->certs, X509_free);
    free(ts->authority);
    TS_TST_INFO_free(ts->tst);
    PKCS7_free(ts->token);
    memset(ts, 0, sizeof(*ts));
}

int eseal__ts_open(eseal_ts *ts, const unsigned char *der, size_t len,
    const char **why)
{
    const unsigned char *p = der;
    STACK_OF(X509) *signers = NULL, *in;
    const ASN1_OBJECT *alg = NULL;
    int i;

    memset(ts, 0, sizeof(*ts));
    *why = "the timestamp is not an RFC 3161 token";
    if (len > LONG_MAX)
        return -1;
    ts->token = d2i_PKCS7(NULL, &p, (long)len);
    if (ts->token == NULL || p != der + len ||
        !PKCS7_type_is_signed(ts->token))
        goto fail;
    ts->tst = PKCS7_to_TS_TST_INFO(ts->token);
    if (ts->tst == NULL)
        goto fail;
    X509_ALGOR_get0(&alg, NULL, NULL, TS_MSG_IMPRINT_get_algo(
        TS_TST_INFO_get_msg_imprint(ts->tst)));
    ts->md = EVP_get_digestbyobj(alg);
    if (ts->md == NULL) {
        *why = "the timestamp's imprint uses an unknown digest";
        goto fail;
    }
    ts->time = to_time_t(TS_TST_INFO_get_time(ts->tst));
    if (ts->time == 0) {
        *why = "the timestamp has no valid genTime";
        goto fail;
    }
    ts->certs = sk_X509_new_null();
    if (ts->certs == NULL)
        goto fail;
    in = ts->token->d.sign->cert;
    for (i = 0; in != NULL && i < sk_X509_num(in) && i < 64; i++)
        if (eseal__sk_add_unique(ts->certs, sk_X509_value(in, i)) < 0)
            goto fail;
    signers = PKCS7_get0_signers(ts->token, NULL, 0);
    if (signers != NULL && sk_X509_num(signers) == 1) {
        ts->signer = sk_X509_value(signers, 0);
        ts->authority = name_rfc2253(X509_get_subject_name(ts->signer));
    }
    sk_X509_free(signers);
    ERR_clear_error();
    return 0;
fail:
    ERR_clear_error();
    eseal__ts_close(ts);
    return -1;
}

int eseal__ts_digest(const eseal_ts *ts, unsigned char *md,
    unsigned int *md_len, const unsigned char *data, size_t len)
{
    return EVP_Digest(data, len, md, md_len, ts->md, NULL) == 1 ? 0 : -1;
}

/* Signature and ESS binding, with the signer as its own anchor, at
 * genTime. */
static int check_signature(eseal_ts *ts)
{
    X509_STORE *self = X509_STORE_new();
    X509_VERIFY_PARAM *param = X509_VERIFY_PARAM_new();
    int ok = 0;

    if (self == NULL || param == NULL || !X509_STORE_add_cert(self,
            ts->signer))
        goto cleanup;
    X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_PARTIAL_CHAIN);
    X509_VERIFY_PARAM_set_time(param, ts->time);
    if (!X509_STORE_set1_param(self, param))
        goto cleanup;
    ok = TS_RESP_verify_signature(ts->token, ts->certs, self, NULL) == 1;
cleanup:
    ERR_clear_error();
    X509_VERIFY_PARAM_free(param);
    X509_STORE_free(self);
    return ok;
}

int eseal__ts_verify(eseal_ts *ts, const unsigned char *digest,
    size_t digest_len, X509_STORE *trust, STACK_OF(X509) *untrusted,
    time_t at)
{
    ASN1_OCTET_STRING *want = TS_MSG_IMPRINT_get_msg(
        TS_TST_INFO_get_msg_imprint(ts->tst));
    STACK_OF(X509) *all = NULL;
    X509_STORE_CTX *ctx = NULL;
    const char *why = NULL;
    int i, r = 0;

    ts->why[0] = '\0';
    if (ASN1_STRING_length(want) != (int)digest_len ||
        memcmp(ASN1_STRING_get0_data(want), digest, digest_len) != 0) {
        snprintf(ts->why, sizeof(ts->why), "the timestamp is over other "
            "data (its message imprint does not match)");
        return 0;
    }
    if (ts->signer == NULL) {
        snprintf(ts->why, sizeof(ts->why), "the timestamp does not hold "
            "the authority's certificate");
        return 0;
    }
    if (eseal__tsa_cert_check(ts->signer, &why) < 0) {
        snprintf(ts->why, sizeof(ts->why), "%s", why);
        return 0;
    }
    if (!check_signature(ts)) {
        snprintf(ts->why, sizeof(ts->why), "the timestamp's signature or "
            "its signing-certificate attribute does not verify, or the "
            "TSA certificate was not valid at genTime");
        return 0;
    }
    if (trust == NULL) {
        snprintf(ts->why, sizeof(ts->why), "no trust anchor: the TSA "
            "chain was not checked");
        return -1;
    }
    all = sk_X509_new_null();
    ctx = X509_STORE_CTX_new();
    if (all == NULL || ctx == NULL)
        goto cleanup;
    for (i = 0; i < sk_X509_num(ts->certs); i++)
        if (eseal__sk_add_unique(all, sk_X509_value(ts->certs, i)) < 0)
            goto cleanup;
    for (i = 0; untrusted != NULL && i < sk_X509_num(untrusted); i++)
        if (eseal__sk_add_unique(all, sk_X509_value(untrusted, i)) < 0)
            goto cleanup;
    if (!X509_STORE_CTX_init(ctx, trust, ts->signer, all))
        goto cleanup;
    X509_STORE_CTX_set_purpose(ctx, X509_PURPOSE_TIMESTAMP_SIGN);
    X509_STORE_CTX_set_time(ctx, 0, at != 0 ? at : time(NULL));
    if (X509_verify_cert(ctx) == 1) {
        r = 1;
    } else {
        snprintf(ts->why, sizeof(ts->why), "TSA certificate chain: %s",
            X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx)));
    }
cleanup:
    if (r == 0 && ts->why[0] == '\0')
        snprintf(ts->why, sizeof(ts->why), "cannot check the TSA chain");
    ERR_clear_error();
    X509_STORE_CTX_free(ctx);
    sk_X509_pop_free(all, X509_free);
    return r;
}
