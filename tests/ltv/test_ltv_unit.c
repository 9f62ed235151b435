/*
 * Unit tests of the LTV internals that the integration tests cannot reach
 * with OpenSSL-made services: the TSA certificate's key usage rules
 * (OpenSSL's own TSA refuses such certificates), URL and offline refusals
 * of the HTTP client, lists of DER objects, evidence checks without
 * evidence, malformed tokens, and the cache under threads.
 */
#include <pthread.h>
#include <string.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>
#include "../unit/unit.h"
#include "core/ltv.h"

/* A self-signed certificate with the given extended key usage ("" for
 * none), critical or not. */
static X509 *make_cert(const char *eku, int critical)
{
    EVP_PKEY *key = EVP_EC_gen("P-256");
    X509 *x = X509_new();
    X509V3_CTX ctx;
    char value[128];

    if (key == NULL || x == NULL)
        return NULL;
    X509_set_version(x, X509_VERSION_3);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 7);
    X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
        (const unsigned char *)"unit TSA", -1, -1, 0);
    X509_set_issuer_name(x, X509_get_subject_name(x));
    X509_gmtime_adj(X509_getm_notBefore(x), -60);
    X509_gmtime_adj(X509_getm_notAfter(x), 3600);
    X509_set_pubkey(x, key);
    if (*eku != '\0') {
        X509_EXTENSION *e;

        snprintf(value, sizeof(value), "%s%s", critical ? "critical," : "",
            eku);
        X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
        e = X509V3_EXT_conf_nid(NULL, &ctx, NID_ext_key_usage, value);
        X509_add_ext(x, e, -1);
        X509_EXTENSION_free(e);
    }
    X509_sign(x, key, EVP_sha256());
    EVP_PKEY_free(key);
    return x;
}

static void test_ltv__tsa_key_usage(void)
{
    struct {
        const char *eku;
        int critical, ok;
    } cases[] = {
        { "", 0, 0 },
        { "timeStamping", 0, 0 },
        { "timeStamping,serverAuth", 1, 0 },
        { "codeSigning", 1, 0 },
        { "timeStamping", 1, 1 },
    };
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        X509 *x = make_cert(cases[i].eku, cases[i].critical);
        const char *why = NULL;
        int r;

        CU_ASSERT_PTR_NOT_NULL_FATAL(x);
        r = eseal__tsa_cert_check(x, &why);
        CU_ASSERT_EQUAL(r == 0, cases[i].ok);
        if (!cases[i].ok)
            CU_ASSERT_PTR_NOT_NULL(why);
        X509_free(x);
    }
    ERR_clear_error();
}

static void test_ltv__http_refusals(void)
{
    eseal_bytes out = { NULL, 0 };
    eseal_error err = { 0, "" };
    eseal_net net;
    const unsigned char body[] = { 0x30, 0x00 };

    memset(&net, 0, sizeof(net));
    CU_ASSERT_EQUAL(eseal__http_post(&out, "http://user:pw@127.0.0.1:1/",
        "application/x", body, sizeof(body), NULL, 100, &net, &err),
        ESEAL_EINVAL);
    CU_ASSERT_PTR_NULL(strstr(err.message, "pw"));
    CU_ASSERT_EQUAL(eseal__http_post(&out, "ftp://127.0.0.1/x",
        "application/x", body, sizeof(body), NULL, 100, &net, &err),
        ESEAL_EINVAL);
    net.offline = 1;
    CU_ASSERT_EQUAL(eseal__http_get(&out, "http://127.0.0.1:1/x", 100, &net,
        &err), ESEAL_EIO);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "offline"));
    CU_ASSERT_PTR_NULL(out.data);
}

static void test_ltv__der_lists(void)
{
    eseal_der_list l;
    unsigned char a[] = { 1, 2, 3 }, b[] = { 1, 2, 4 };
    size_t i;

    memset(&l, 0, sizeof(l));
    CU_ASSERT_EQUAL(eseal__der_list_add(&l, a, sizeof(a)), 0);
    CU_ASSERT_EQUAL(eseal__der_list_add(&l, a, sizeof(a)), 0);
    CU_ASSERT_EQUAL(eseal__der_list_add(&l, b, sizeof(b)), 0);
    CU_ASSERT_EQUAL(eseal__der_list_add(&l, a, 0), 0);
    CU_ASSERT_EQUAL(l.n, 2);
    CU_ASSERT_TRUE(eseal__der_list_has(&l, b, sizeof(b)));
    CU_ASSERT_FALSE(eseal__der_list_has(&l, b, 2));
    for (i = 0; i < ESEAL_DER_LIST_MAX + 5; i++) {
        unsigned char v[8];

        memcpy(v, &i, sizeof(v) < sizeof(i) ? sizeof(v) : sizeof(i));
        if (eseal__der_list_add(&l, v, sizeof(v)) == ESEAL_ELIMIT)
            break;
    }
    CU_ASSERT_EQUAL(l.n, ESEAL_DER_LIST_MAX);
    eseal__der_list_free(&l);
    CU_ASSERT_EQUAL(l.n, 0);
}

static void test_ltv__no_evidence(void)
{
    X509 *c = make_cert("timeStamping", 1);
    eseal_vdata vd;
    eseal_rev rev;
    unsigned char junk[] = { 0x30, 0x03, 0x02, 0x01, 0x05 };

    memset(&vd, 0, sizeof(vd));
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    eseal__rev_check(&rev, c, c, &vd, time(NULL));
    CU_ASSERT_EQUAL(rev.status, ESEAL_REVOCATION_UNKNOWN);
    CU_ASSERT_PTR_NULL(rev.source);
    /* garbage where responses and CRLs belong is no evidence either */
    CU_ASSERT_EQUAL(eseal__der_list_add(&vd.ocsps, junk, sizeof(junk)), 0);
    CU_ASSERT_EQUAL(eseal__der_list_add(&vd.crls, junk, sizeof(junk)), 0);
    eseal__rev_check(&rev, c, c, &vd, time(NULL));
    CU_ASSERT_PTR_NULL(rev.source);
    CU_ASSERT_FALSE(eseal__rev_nocheck(c));
    eseal__vdata_free(&vd);
    X509_free(c);
}

static void test_ltv__malformed_tokens(void)
{
    unsigned char junk[] = { 0x30, 0x03, 0x02, 0x01, 0x05 };
    unsigned char trunc[] = { 0x30, 0x82, 0x10, 0x00, 0x06 };
    eseal_ts ts;
    const char *why = NULL;

    CU_ASSERT_EQUAL(eseal__ts_open(&ts, junk, sizeof(junk), &why), -1);
    CU_ASSERT_PTR_NOT_NULL(why);
    CU_ASSERT_EQUAL(eseal__ts_open(&ts, trunc, sizeof(trunc), &why), -1);
    CU_ASSERT_EQUAL(eseal__ts_open(&ts, junk, 0, &why), -1);
    eseal__ts_close(&ts);
}

static void test_ltv__registry(void)
{
    CU_ASSERT_PTR_NOT_NULL(eseal__ltv_adapter(ESEAL_FORMAT_PDF));
    CU_ASSERT_PTR_NOT_NULL(eseal__ltv_adapter(ESEAL_FORMAT_XML));
    CU_ASSERT_PTR_NULL(eseal__ltv_adapter(ESEAL_FORMAT_AUTO));
}

static void *collect_in_thread(void *arg)
{
    X509 *c = arg;
    eseal_vdata vd;
    eseal_rev rev;
    int i;

    memset(&vd, 0, sizeof(vd));
    for (i = 0; i < 200; i++)
        eseal__rev_check(&rev, c, c, &vd, time(NULL));
    eseal__rev_cache_clear();
    return NULL;
}

static void test_ltv__threads(void)
{
    X509 *c = make_cert("timeStamping", 1);
    pthread_t t[4];
    int i;

    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    for (i = 0; i < 4; i++)
        CU_ASSERT_EQUAL(pthread_create(&t[i], NULL, collect_in_thread, c),
            0);
    for (i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    X509_free(c);
}

int main(void)
{
    static const unit_case cases[] = {
        UNIT_CASE(test_ltv__tsa_key_usage),
        UNIT_CASE(test_ltv__http_refusals),
        UNIT_CASE(test_ltv__der_lists),
        UNIT_CASE(test_ltv__no_evidence),
        UNIT_CASE(test_ltv__malformed_tokens),
        UNIT_CASE(test_ltv__registry),
        UNIT_CASE(test_ltv__threads),
        UNIT_END
    };

    return unit_run("ltv", cases);
}
