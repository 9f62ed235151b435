/* Unit tests: the sealer (key custody, fitness) and the CMS it builds. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include "unit.h"
#include "core/core_int.h"

static char dir[] = "/tmp/eseal-test-cms-XXXXXX";

/* Fixture set-up runs outside any suite: fail loudly, not through CUnit. */
#define REQUIRE(x) do { if (!(x)) { fprintf(stderr, "%s:%d: fixture: %s\n", \
    __FILE__, __LINE__, #x); exit(2); } } while (0)

typedef struct cert_spec {
    const char *key_type;   /* "RSA", "P-256", "P-384" */
    const char *key_usage;  /* e.g. "critical,digitalSignature" */
    long not_before_days;   /* relative to now */
    long not_after_days;
} cert_spec;

static EVP_PKEY *make_key(const char *type)
{
    if (strcmp(type, "RSA") == 0)
        return EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
    return EVP_PKEY_Q_keygen(NULL, NULL, "EC", type);
}

static void write_pem(const char *name, EVP_PKEY *key, X509 *cert,
    const char *pass, mode_t mode)
{
    char path[512];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "w");
    REQUIRE(f != NULL);
    if (key != NULL)
        PEM_write_PrivateKey(f, key, pass ? EVP_aes_256_cbc() : NULL, NULL,
            0, NULL, (void *)pass);
    if (cert != NULL)
        PEM_write_X509(f, cert);
    fclose(f);
    chmod(path, mode);
}

/* A self-signed certificate named after the spec; writes NAME.key/.pem. */
static void make_cert(const char *name, const cert_spec *spec)
{
    EVP_PKEY *key = make_key(spec->key_type);
    X509 *cert = X509_new();
    X509_NAME *subj = X509_NAME_new();
    X509V3_CTX ctx;
    X509_EXTENSION *ext;
    char file[256];

    REQUIRE(key != NULL && cert != NULL && subj != NULL);
    X509_set_version(cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert), 4242);
    X509_NAME_add_entry_by_txt(subj, "C", MBSTRING_UTF8,
        (const unsigned char *)"JP", -1, -1, 0);
    X509_NAME_add_entry_by_txt(subj, "O", MBSTRING_UTF8,
        (const unsigned char *)"Unit Test Corporation", -1, -1, 0);
    X509_NAME_add_entry_by_txt(subj, "organizationIdentifier", MBSTRING_UTF8,
        (const unsigned char *)"NTRJP-7000012050002", -1, -1, 0);
    X509_set_subject_name(cert, subj);
    X509_set_issuer_name(cert, subj);
    X509_gmtime_adj(X509_getm_notBefore(cert), spec->not_before_days * 86400);
    X509_gmtime_adj(X509_getm_notAfter(cert), spec->not_after_days * 86400);
    X509_set_pubkey(cert, key);
    X509V3_set_ctx(&ctx, cert, cert, NULL, NULL, 0);
    ext = X509V3_EXT_conf_nid(NULL, &ctx, NID_key_usage, spec->key_usage);
    REQUIRE(ext != NULL);
    X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
    REQUIRE(X509_sign(cert, key, EVP_sha256()) > 0);
    snprintf(file, sizeof(file), "%s.key", name);
    write_pem(file, key, NULL, NULL, 0600);
    snprintf(file, sizeof(file), "%s.pem", name);
    write_pem(file, NULL, cert, NULL, 0644);
    X509_NAME_free(subj);
    X509_free(cert);
    EVP_PKEY_free(key);
}

static int open_sealer(eseal_sealer **out, const char *key, const char *cert,
    int rsa_pss, eseal_error *err)
{
    eseal_sealer_opts opts = ESEAL_SEALER_OPTS_INIT;
    char kp[512], cp[512];

    snprintf(kp, sizeof(kp), "%s/%s", dir, key);
    snprintf(cp, sizeof(cp), "%s/%s", dir, cert);
    opts.key = kp;
    opts.cert = cp;
    opts.rsa_pss = rsa_pss;
    return eseal_sealer_open(out, &opts, err);
}

static int suite_init(void)
{
    static const cert_spec rsa = { "RSA", "critical,digitalSignature,"
        "nonRepudiation", -1, 365 };
    static const cert_spec ec = { "P-256", "critical,nonRepudiation", -1, 365 };
    static const cert_spec ec384 = { "P-384", "digitalSignature", -1, 365 };
    static const cert_spec no_sign = { "P-256", "keyEncipherment", -1, 365 };
    static const cert_spec expired = { "P-256", "digitalSignature", -30, -1 };
    static const cert_spec future = { "P-256", "digitalSignature", 10, 365 };

    if (mkdtemp(dir) == NULL)
        return 1;
    make_cert("rsa", &rsa);
    make_cert("ec", &ec);
    make_cert("ec384", &ec384);
    make_cert("nosign", &no_sign);
    make_cert("expired", &expired);
    make_cert("future", &future);
    return 0;
}

/* Parses a DER CMS and returns its only SignerInfo. */
static CMS_SignerInfo *only_signer(CMS_ContentInfo **cms,
    const eseal_bytes *der)
{
    const unsigned char *p = der->data;

    *cms = d2i_CMS_ContentInfo(NULL, &p, (long)der->len);
    CU_ASSERT_FATAL(*cms != NULL);
    CU_ASSERT_EQUAL_FATAL(sk_CMS_SignerInfo_num(CMS_get0_SignerInfos(*cms)),
        1);
    return sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(*cms), 0);
}

static void check_cms(const char *key, const char *cert, int rsa_pss,
    int expect_sig_nid)
{
    eseal_sealer *sealer = NULL;
    eseal_error err = { 0, "" };
    eseal_bytes der = { NULL, 0 };
    unsigned char digest[64];
    CMS_ContentInfo *cms = NULL;
    CMS_SignerInfo *si;
    X509_ALGOR *sig_alg = NULL;
    const ASN1_OBJECT *obj;
    ASN1_OCTET_STRING *md;
    int i;

    CU_ASSERT_EQUAL_FATAL(open_sealer(&sealer, key, cert, rsa_pss, &err), 0);
    memset(digest, 0xab, sizeof(digest));
    CU_ASSERT_EQUAL_FATAL(eseal__cms_sign_digest(&der, sealer, digest,
        EVP_MD_get_size(EVP_get_digestbyname(sealer->md_name)), &err), 0);
    CU_ASSERT(der.len <= sealer->cms_max_len);
    si = only_signer(&cms, &der);
    /* exactly content-type, message-digest, signing-certificate-v2 */
    CU_ASSERT_EQUAL(CMS_signed_get_attr_count(si), 3);
    CU_ASSERT(CMS_signed_get_attr_by_NID(si, NID_pkcs9_contentType, -1) >= 0);
    CU_ASSERT(CMS_signed_get_attr_by_NID(si,
        NID_id_smime_aa_signingCertificateV2, -1) >= 0);
    CU_ASSERT(CMS_signed_get_attr_by_NID(si, NID_pkcs9_signingTime, -1) < 0);
    md = CMS_signed_get0_data_by_OBJ(si,
        OBJ_nid2obj(NID_pkcs9_messageDigest), -3, V_ASN1_OCTET_STRING);
    CU_ASSERT_FATAL(md != NULL);
    CU_ASSERT_EQUAL(memcmp(ASN1_STRING_get0_data(md), digest,
        (size_t)ASN1_STRING_length(md)), 0);
    CU_ASSERT_PTR_NULL(CMS_get0_content(cms) ? *CMS_get0_content(cms) : NULL);
    /* the signature over the signed attributes verifies */
    CU_ASSERT_EQUAL(CMS_set1_signers_certs(cms, NULL, 0), 1);
    CU_ASSERT_EQUAL(CMS_SignerInfo_verify(si), 1);
    CMS_SignerInfo_get0_algs(si, NULL, NULL, NULL, &sig_alg);
    X509_ALGOR_get0(&obj, NULL, NULL, sig_alg);
    if (expect_sig_nid != 0)
        CU_ASSERT_EQUAL(OBJ_obj2nid(obj), expect_sig_nid);
    for (i = 0; i < 3; i++)
        ERR_clear_error();
    CMS_ContentInfo_free(cms);
    eseal_bytes_free(&der);
    eseal_sealer_free(sealer);
}

static void test_cms__rsa_attributes(void)
{
    check_cms("rsa.key", "rsa.pem", 0, 0);
}

static void test_cms__rsa_pss_algorithm(void)
{
    check_cms("rsa.key", "rsa.pem", 1, NID_rsassaPss);
}

static void test_cms__ecdsa_algorithms(void)
{
    check_cms("ec.key", "ec.pem", 0, NID_ecdsa_with_SHA256);
    check_cms("ec384.key", "ec384.pem", 0, NID_ecdsa_with_SHA384);
}

/* ECDSA signatures vary in length: the bound must hold for every one. */
static void test_cms__upper_bound_holds(void)
{
    eseal_sealer *sealer = NULL;
    eseal_error err = { 0, "" };
    unsigned char digest[32] = { 1 };
    size_t max_seen = 0;
    int i;

    CU_ASSERT_EQUAL_FATAL(open_sealer(&sealer, "ec.key", "ec.pem", 0, &err),
        0);
    for (i = 0; i < 200; i++) {
        eseal_bytes der = { NULL, 0 };

        digest[1] = (unsigned char)i;
        CU_ASSERT_EQUAL_FATAL(eseal__cms_sign_digest(&der, sealer, digest,
            32, &err), 0);
        if (der.len > max_seen)
            max_seen = der.len;
        eseal_bytes_free(&der);
    }
    CU_ASSERT(max_seen <= sealer->cms_max_len);
    CU_ASSERT(sealer->cms_max_len - max_seen < 16);
    eseal_sealer_free(sealer);
}

static void test_cms__refuses_bad_keys_and_certs(void)
{
    eseal_sealer *sealer = NULL;
    eseal_error err = { 0, "" };
    char path[512];

    CU_ASSERT_EQUAL(open_sealer(&sealer, "ec.key", "rsa.pem", 0, &err),
        ESEAL_EKEY);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "does not match"));
    CU_ASSERT_EQUAL(open_sealer(&sealer, "nosign.key", "nosign.pem", 0, &err),
        ESEAL_ECERT);
    CU_ASSERT_EQUAL(open_sealer(&sealer, "expired.key", "expired.pem", 0,
        &err), ESEAL_ECERT);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "expired"));
    CU_ASSERT_EQUAL(open_sealer(&sealer, "future.key", "future.pem", 0, &err),
        ESEAL_ECERT);
    CU_ASSERT_EQUAL(open_sealer(&sealer, "ec.key", "ec.pem", 1, &err),
        ESEAL_EINVAL);
    snprintf(path, sizeof(path), "%s/ec.key", dir);
    chmod(path, 0644);
    CU_ASSERT_EQUAL(open_sealer(&sealer, "ec.key", "ec.pem", 0, &err),
        ESEAL_EKEY);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "group or others"));
    chmod(path, 0600);
    CU_ASSERT_PTR_NULL(sealer);
    CU_ASSERT_EQUAL(ERR_peek_error(), 0);
}

static void test_cms__encrypted_key_password(void)
{
    EVP_PKEY *key = NULL;
    eseal_sealer_opts opts = ESEAL_SEALER_OPTS_INIT;
    eseal_sealer *sealer = NULL;
    eseal_error err = { 0, "" };
    char kp[512], cp[512], pp[512];
    FILE *f;

    snprintf(kp, sizeof(kp), "%s/ec.key", dir);
    f = fopen(kp, "r");
    CU_ASSERT_FATAL(f != NULL);
    key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
    fclose(f);
    write_pem("enc.key", key, NULL, "s3cret-pass", 0600);
    EVP_PKEY_free(key);
    snprintf(kp, sizeof(kp), "%s/enc.key", dir);
    snprintf(cp, sizeof(cp), "%s/ec.pem", dir);
    snprintf(pp, sizeof(pp), "%s/pass", dir);
    opts.key = kp;
    opts.cert = cp;
    /* no password */
    CU_ASSERT_EQUAL(eseal_sealer_open(&sealer, &opts, &err), ESEAL_EPASS);
    /* wrong password from the environment */
    setenv("ESEAL_TEST_PASS", "wrong-pass", 1);
    opts.pass_env = "ESEAL_TEST_PASS";
    CU_ASSERT_EQUAL(eseal_sealer_open(&sealer, &opts, &err), ESEAL_EPASS);
    CU_ASSERT_PTR_NULL(strstr(err.message, "wrong-pass"));
    /* the right one from a file, first line only */
    f = fopen(pp, "w");
    fputs("s3cret-pass\nsecond line\n", f);
    fclose(f);
    chmod(pp, 0600);
    opts.pass_env = NULL;
    opts.pass_file = pp;
    CU_ASSERT_EQUAL(eseal_sealer_open(&sealer, &opts, &err), 0);
    eseal_sealer_free(sealer);
    sealer = NULL;
    /* a password file readable by others is refused */
    chmod(pp, 0644);
    CU_ASSERT_EQUAL(eseal_sealer_open(&sealer, &opts, &err), ESEAL_EKEY);
    CU_ASSERT_PTR_NULL(strstr(err.message, "s3cret"));
}

int main(void)
{
    static const unit_case cases[] = {
        UNIT_CASE(test_cms__rsa_attributes),
        UNIT_CASE(test_cms__rsa_pss_algorithm),
        UNIT_CASE(test_cms__ecdsa_algorithms),
        UNIT_CASE(test_cms__upper_bound_holds),
        UNIT_CASE(test_cms__refuses_bad_keys_and_certs),
        UNIT_CASE(test_cms__encrypted_key_password),
        UNIT_END
    };
    char cmd[600];
    int rc;

    if (suite_init() != 0)
        return 2;
    rc = unit_run("cms", cases);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    return rc;
}
