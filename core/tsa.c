/*
 * eseal - RFC 3161 timestamp requests: the request (imprint, nonce,
 * certReq), the exchange with each authority in turn, and the checks made
 * before a token is embedded in a seal.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>
#include "ltv.h"

#define AUTH_MAX 400

/* Reads "user:password" (first line) from a file only its owner reads. */
static int read_auth(char *out, size_t size, const char *path,
    eseal_error *err)
{
    FILE *f;
    size_t n;
    int rc;

    if ((rc = eseal__check_secret_file_mode(path, "TSA credentials",
             err)) < 0)
        return rc;
    f = fopen(path, "r");
    if (f == NULL)
        return eseal__error_set(err, ESEAL_EIO, "%s: cannot open the TSA "
            "credentials: %s", path, strerror(errno));
    if (fgets(out, (int)size, f) == NULL)
        out[0] = '\0';
    fclose(f);
    n = strcspn(out, "\r\n");
    out[n] = '\0';
    if (n == 0 || strchr(out, ':') == NULL) {
        eseal__wipe(out, size);
        return eseal__error_set(err, ESEAL_ECONFIG, "%s: the first line "
            "must be user:password", path);
    }
    return 0;
}

static int make_request(eseal_bytes *der, ASN1_INTEGER **nonce_out,
    const EVP_MD *md, const unsigned char *digest, size_t digest_len,
    eseal_error *err)
{
    TS_REQ *req = TS_REQ_new();
    TS_MSG_IMPRINT *mi = TS_MSG_IMPRINT_new();
    X509_ALGOR *alg = X509_ALGOR_new();
    ASN1_INTEGER *nonce = NULL;
    BIGNUM *bn = NULL;
    unsigned char r[8], *p = NULL;
    int len, rc = 0;

    *nonce_out = NULL;
    if (req == NULL || mi == NULL || alg == NULL) {
        rc = eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
        goto cleanup;
    }
    if (RAND_bytes(r, sizeof(r)) != 1) {
        rc = eseal__error_ossl(err, ESEAL_ECRYPTO, "cannot draw a nonce");
        goto cleanup;
    }
    r[0] &= 0x7f;
    if (r[0] == 0)
        r[0] = 1;
    if ((bn = BN_bin2bn(r, sizeof(r), NULL)) == NULL ||
        (nonce = BN_to_ASN1_INTEGER(bn, NULL)) == NULL ||
        !X509_ALGOR_set0(alg, OBJ_nid2obj(EVP_MD_get_type(md)), V_ASN1_NULL,
            NULL) ||
        !TS_MSG_IMPRINT_set_algo(mi, alg) ||
        !TS_MSG_IMPRINT_set_msg(mi, (unsigned char *)digest,
            (int)digest_len) ||
        !TS_REQ_set_version(req, 1) || !TS_REQ_set_msg_imprint(req, mi) ||
        !TS_REQ_set_nonce(req, nonce) || !TS_REQ_set_cert_req(req, 1) ||
        (len = i2d_TS_REQ(req, &p)) <= 0) {
        rc = eseal__error_ossl(err, ESEAL_ECRYPTO, "cannot build the "
            "timestamp request");
        goto cleanup;
    }
    der->data = malloc((size_t)len);
    if (der->data == NULL) {
        rc = eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
        goto cleanup;
    }
    memcpy(der->data, p, (size_t)len);
    der->len = (size_t)len;
    *nonce_out = nonce;
    nonce = NULL;
cleanup:
    OPENSSL_free(p);
    ASN1_INTEGER_free(nonce);
    BN_free(bn);
    X509_ALGOR_free(alg);
    TS_MSG_IMPRINT_free(mi);
    TS_REQ_free(req);
    return rc;
}

int eseal__tsa_cert_check(X509 *tsa, const char **why)
{
    int i = X509_get_ext_by_NID(tsa, NID_ext_key_usage, -1);
    uint32_t xku;

    if (i < 0 || !(X509_get_extension_flags(tsa) & EXFLAG_XKUSAGE)) {
        *why = "the TSA certificate has no extended key usage "
            "(timeStamping required)";
        return -1;
    }
    if (!X509_EXTENSION_get_critical(X509_get_ext(tsa, i))) {
        *why = "the extended key usage of the TSA certificate is not "
            "critical";
        return -1;
    }
    xku = X509_get_extended_key_usage(tsa);
    if (xku != XKU_TIMESTAMP) {
        *why = "the TSA certificate's extended key usage is not only "
            "timeStamping";
        return -1;
    }
    return 0;
}

static const char *status_text(long status)
{
    switch (status) {
    case 2: return "rejection";
    case 3: return "waiting";
    case 4: return "revocation warning";
    case 5: return "revoked";
    default: return "unknown status";
    }
}

/* Checks one response against the request; *token gets its DER token. */
static int check_response(eseal_bytes *token, const eseal_bytes *resp,
    const EVP_MD *md, const unsigned char *digest, size_t digest_len,
    const ASN1_INTEGER *nonce, const char *url, eseal_error *err)
{
    const unsigned char *p = resp->data;
    TS_RESP *r = d2i_TS_RESP(NULL, &p, (long)resp->len);
    TS_STATUS_INFO *si;
    TS_TST_INFO *tst;
    TS_MSG_IMPRINT *mi;
    const ASN1_OBJECT *alg = NULL;
    ASN1_OCTET_STRING *got;
    const ASN1_INTEGER *got_nonce;
    PKCS7 *tok;
    eseal_ts ts;
    const char *why = NULL;
    unsigned char *der = NULL;
    time_t now = time(NULL);
    long status;
    int len, rc, v;

    memset(&ts, 0, sizeof(ts));
    if (r == NULL || p != resp->data + resp->len) {
        rc = eseal__error_set(err, ESEAL_ETSA, "%s: the answer is not an "
            "RFC 3161 timestamp response", url);
        goto cleanup;
    }
    si = TS_RESP_get_status_info(r);
    status = ASN1_INTEGER_get(TS_STATUS_INFO_get0_status(si));
    if (status != 0 && status != 1) {
        const STACK_OF(ASN1_UTF8STRING) *text = TS_STATUS_INFO_get0_text(si);
        char t[100] = "";

        if (text != NULL && sk_ASN1_UTF8STRING_num(text) > 0)
            snprintf(t, sizeof(t), ": %.*s",
                ASN1_STRING_length(sk_ASN1_UTF8STRING_value(text, 0)) > 80 ?
                80 : ASN1_STRING_length(sk_ASN1_UTF8STRING_value(text, 0)),
                (const char *)ASN1_STRING_get0_data(
                    sk_ASN1_UTF8STRING_value(text, 0)));
        rc = eseal__error_set(err, ESEAL_ETSA, "%s: the authority "
            "refused the request (%s%s)", url, status_text(status), t);
        goto cleanup;
    }
    tok = TS_RESP_get_token(r);
    tst = TS_RESP_get_tst_info(r);
    if (tok == NULL || tst == NULL) {
        rc = eseal__error_set(err, ESEAL_ETSA, "%s: the response holds no "
            "token", url);
        goto cleanup;
    }
    if (TS_TST_INFO_get_version(tst) != 1) {
        rc = eseal__error_set(err, ESEAL_ETSA, "%s: unknown token version",
            url);
        goto cleanup;
    }
    mi = TS_TST_INFO_get_msg_imprint(tst);
    X509_ALGOR_get0(&alg, NULL, NULL, TS_MSG_IMPRINT_get_algo(mi));
    got = TS_MSG_IMPRINT_get_msg(mi);
    if (OBJ_obj2nid(alg) != EVP_MD_get_type(md) ||
        ASN1_STRING_length(got) != (int)digest_len ||
        memcmp(ASN1_STRING_get0_data(got), digest, digest_len) != 0) {
        rc = eseal__error_set(err, ESEAL_ETSA, "%s: the token is over "
            "other data than requested (wrong message imprint)", url);
        goto cleanup;
    }
    got_nonce = TS_TST_INFO_get_nonce(tst);
    if (got_nonce == NULL || ASN1_INTEGER_cmp(got_nonce, nonce) != 0) {
        rc = eseal__error_set(err, ESEAL_ETSA, "%s: the token does not "
            "repeat the request's nonce (a replayed or foreign answer)",
            url);
        goto cleanup;
    }
    if ((len = i2d_PKCS7(tok, &der)) <= 0) {
        rc = eseal__error_ossl(err, ESEAL_ETSA, "%s: cannot encode the "
            "token", url);
        goto cleanup;
    }
    if (eseal__ts_open(&ts, der, (size_t)len, &why) < 0) {
        rc = eseal__error_set(err, ESEAL_ETSA, "%s: %s", url, why);
        goto cleanup;
    }
    if (ts.signer == NULL) {
        rc = eseal__error_set(err, ESEAL_ETSA, "%s: the token does not "
            "hold the authority's certificate (certReq was set)", url);
        goto cleanup;
    }
    /* signature, ESS binding and key usage; no trust anchor here */
    v = eseal__ts_verify(&ts, digest, digest_len, NULL, NULL, 0);
    if (v == 0) {
        rc = eseal__error_set(err, ESEAL_ETSA, "%s: %s", url, ts.why);
        goto cleanup;
    }
    if (ts.time > now + ESEAL_TSA_MAX_SKEW ||
        ts.time < now - ESEAL_TSA_MAX_SKEW) {
        char at[21];

        eseal__time_rfc3339(at, ts.time);
        rc = eseal__error_set(err, ESEAL_ETSA, "%s: the local clock is "
            "%lld s %s the timestamp authority's (genTime %s): set the "
            "clock right (NTP) before sealing", url,
            (long long)(ts.time > now ? ts.time - now : now - ts.time),
            ts.time > now ? "behind" : "ahead of", at);
        goto cleanup;
    }
    token->data = malloc((size_t)len);
    if (token->data == NULL) {
        rc = eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
        goto cleanup;
    }
    memcpy(token->data, der, (size_t)len);
    token->len = (size_t)len;
    rc = 0;
cleanup:
    ERR_clear_error();
    eseal__ts_close(&ts);
    OPENSSL_free(der);
    TS_RESP_free(r);
    return rc;
}

int eseal__tsa_stamp(eseal_bytes *out, const char *const *urls,
    const eseal_net *net, const char *md_name, const unsigned char *digest,
    size_t digest_len, eseal_error *err)
{
    EVP_MD *md = NULL;
    eseal_bytes req = { NULL, 0 }, resp = { NULL, 0 };
    ASN1_INTEGER *nonce = NULL;
    char auth[AUTH_MAX], first[256];
    size_t i;
    int rc;

    out->data = NULL;
    first[0] = '\0';
    out->len = 0;
    auth[0] = '\0';
    if (urls == NULL || urls[0] == NULL)
        return eseal__error_set(err, ESEAL_EINVAL, "a timestamp needs a "
            "timestamp authority (--tsa URL)");
    if ((md = EVP_MD_fetch(NULL, md_name, NULL)) == NULL ||
        (size_t)EVP_MD_get_size(md) != digest_len) {
        rc = eseal__error_ossl(err, ESEAL_EINVAL, "digest %s", md_name);
        goto cleanup;
    }
    if (net != NULL && net->auth_file != NULL &&
        (rc = read_auth(auth, sizeof(auth), net->auth_file, err)) < 0)
        goto cleanup;
    if ((rc = make_request(&req, &nonce, md, digest, digest_len, err)) < 0)
        goto cleanup;
    rc = ESEAL_ETSA;
    for (i = 0; urls[i] != NULL; i++) {
        eseal_error one = { 0, "" };

        eseal_bytes_free(&resp);
        rc = eseal__http_post(&resp, urls[i], "application/timestamp-query",
            req.data, req.len, auth[0] ? auth : NULL, ESEAL_MAX_TSA_RESP,
            net, &one);
        if (rc == 0)
            rc = check_response(out, &resp, md, digest, digest_len, nonce,
                urls[i], &one);
        if (rc == 0)
            goto cleanup;
        if (rc == ESEAL_ENOMEM || rc == ESEAL_EINVAL) {
            eseal__error_set(err, rc, "%s", one.message);
            goto cleanup;
        }
        /* keep the first authority's reason, and say how many failed */
        if (i == 0)
            snprintf(first, sizeof(first), "%s", one.message);
    }
    if (i > 1)
        eseal__error_set(err, ESEAL_ETSA, "no timestamp from %zu "
            "authorities; the first: %.200s", i, first);
    else
        eseal__error_set(err, ESEAL_ETSA, "%s", first);
    rc = ESEAL_ETSA;
cleanup:
    eseal__wipe(auth, sizeof(auth));
    ASN1_INTEGER_free(nonce);
    eseal_bytes_free(&req);
    eseal_bytes_free(&resp);
    EVP_MD_free(md);
    return rc;
}

int eseal__tsa_stamp_data(eseal_bytes *out, const char *const *urls,
    const eseal_net *net, const char *md_name, const unsigned char *data,
    size_t len, eseal_error *err)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;
    EVP_MD *alg = EVP_MD_fetch(NULL, md_name, NULL);
    int ok = alg != NULL && EVP_Digest(data, len, md, &md_len, alg, NULL);

    EVP_MD_free(alg);
    if (!ok) {
        out->data = NULL;
        out->len = 0;
        return eseal__error_ossl(err, ESEAL_ECRYPTO, "digest %s", md_name);
    }
    return eseal__tsa_stamp(out, urls, net, md_name, md, md_len, err);
}
