/*
 * Unit tests: inspecting e-Seal certificates.  The certificates are made
 * here with the OpenSSL API: one shaped like the Japanese guidelines'
 * e-Seal certificate, and unfit ones.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <openssl/conf.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include "unit.h"
#include "core/certinfo_int.h"
#include "core/oids.h"

#define DAY (24L * 3600)

/* Sections that extension values refer to with '@'. */
static const char conf_text[] =
    "[pol_eseal]\n"
    "policyIdentifier = " ESEAL_OID_DEMO_ESEAL_LEVEL2 "\n"
    "CPS.1 = https://ca.example.jp/cps\n"
    "CPS.2 = https://ca.example.jp/cps-en\n"
    "userNotice.1 = @notice\n"
    "[notice]\n"
    "explicitText = UTF8:e-Seal level 2\n"
    "[dir_sect]\n"
    "O = Example Seal Co.\n"
    "OU = Osaka Branch\n";

static EVP_PKEY *ca_key;
static X509 *ca_cert;

typedef struct spec {
    const char *const *name;  /* field, value pairs; NULL-ended */
    const char *const *exts;  /* name, value pairs; NULL-ended */
    const unsigned char *qc;  /* QCStatements DER, or NULL */
    size_t qc_len;
    EVP_PKEY *key;            /* NULL: a new P-256 key */
    long from, to;            /* validity, seconds from now */
    const EVP_MD *md;         /* NULL: SHA-256 */
    int self_signed;
} spec;

/* ---- a tiny DER writer for QCStatements ------------------------------- */

typedef struct der {
    unsigned char b[1024];
    size_t n;
} der;

static void der_tlv(der *out, int tag, const der *content)
{
    CU_ASSERT_FATAL(content->n < 128 && out->n + content->n + 2 <
        sizeof(out->b));
    out->b[out->n++] = (unsigned char)tag;
    out->b[out->n++] = (unsigned char)content->n;
    memcpy(out->b + out->n, content->b, content->n);
    out->n += content->n;
}

static void der_str(der *out, int tag, const char *s)
{
    der c;

    c.n = strlen(s);
    memcpy(c.b, s, c.n);
    der_tlv(out, tag, &c);
}

static void der_oid(der *out, const char *dotted)
{
    ASN1_OBJECT *o = OBJ_txt2obj(dotted, 1);
    unsigned char *p = out->b + out->n;
    int n;

    CU_ASSERT_PTR_NOT_NULL_FATAL(o);
    n = i2d_ASN1_OBJECT(o, &p);
    CU_ASSERT_FATAL(n > 0);
    out->n += (size_t)n;
    ASN1_OBJECT_free(o);
}

/* SEQUENCE { oid } or SEQUENCE { oid, info } */
static void der_statement(der *out, const char *oid, const der *info)
{
    der s = { .n = 0 };

    der_oid(&s, oid);
    if (info != NULL) {
        memcpy(s.b + s.n, info->b, info->n);
        s.n += info->n;
    }
    der_tlv(out, 0x30, &s);
}

/* QcCompliance, QcType (types), QcSSCD, QcPDS, PKIX semantics (legal). */
static void make_qc(der *out, const char *const *types, const char *sem)
{
    der all = { .n = 0 }, seq = { .n = 0 }, info = { .n = 0 };
    der loc = { .n = 0 }, locs = { .n = 0 };

    der_statement(&all, ESEAL_OID_QCS_QC_COMPLIANCE, NULL);
    for (; *types != NULL; types++)
        der_oid(&seq, *types);
    der_tlv(&info, 0x30, &seq);
    der_statement(&all, ESEAL_OID_QCS_QC_TYPE, &info);
    der_statement(&all, ESEAL_OID_QCS_QC_SSCD, NULL);
    der_str(&loc, 0x16, "https://ca.example.jp/pds-en.pdf");
    der_str(&loc, 0x13, "en");
    der_tlv(&locs, 0x30, &loc);
    info.n = 0;
    der_tlv(&info, 0x30, &locs);
    der_statement(&all, "0.4.0.1862.1.5", &info);
    seq.n = info.n = 0;
    der_oid(&seq, sem);
    der_tlv(&info, 0x30, &seq);
    der_statement(&all, "1.3.6.1.5.5.7.11.2", &info);
    out->n = 0;
    der_tlv(out, 0x30, &all);
}

/* ---- making certificates --------------------------------------------- */

static void add_ext(X509 *x, X509 *issuer, CONF *conf, const char *name,
    const char *value)
{
    X509V3_CTX ctx;
    X509_EXTENSION *ext;

    X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
    X509V3_set_nconf(&ctx, conf);
    ext = X509V3_EXT_nconf(conf, &ctx, name, value);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ext);
    CU_ASSERT_FATAL(X509_add_ext(x, ext, -1) == 1);
    X509_EXTENSION_free(ext);
}

/* Adds an extension with these exact value bytes. */
static void add_raw_ext(X509 *x, const char *oid, int critical,
    const unsigned char *data, size_t len)
{
    ASN1_OBJECT *o = OBJ_txt2obj(oid, 1);
    ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
    X509_EXTENSION *ext;

    CU_ASSERT_FATAL(o != NULL && os != NULL);
    ASN1_OCTET_STRING_set(os, data, (int)len);
    ext = X509_EXTENSION_create_by_OBJ(NULL, o, critical, os);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ext);
    CU_ASSERT_FATAL(X509_add_ext(x, ext, -1) == 1);
    X509_EXTENSION_free(ext);
    ASN1_OCTET_STRING_free(os);
    ASN1_OBJECT_free(o);
}

static void make_ca(void);

static X509 *make_cert(const spec *s)
{
    static long serial = 0x1000;
    X509 *x = X509_new();
    X509_NAME *name = X509_NAME_new();
    EVP_PKEY *key = s->key != NULL ? s->key : EVP_EC_gen("P-256");
    CONF *conf = NCONF_new(NULL);
    BIO *bio = BIO_new_mem_buf(conf_text, -1);
    long eline = 0;
    size_t i;

    if (ca_cert == NULL && !s->self_signed)
        make_ca();
    CU_ASSERT_FATAL(x && name && key && conf && bio);
    CU_ASSERT_FATAL(NCONF_load_bio(conf, bio, &eline) == 1);
    X509_set_version(x, X509_VERSION_3);
    ASN1_INTEGER_set(X509_get_serialNumber(x), serial++);
    for (i = 0; s->name[i] != NULL; i += 2)
        CU_ASSERT_FATAL(X509_NAME_add_entry_by_txt(name, s->name[i],
            MBSTRING_UTF8, (const unsigned char *)s->name[i + 1], -1, -1,
            0) == 1);
    X509_set_subject_name(x, name);
    X509_set_issuer_name(x, s->self_signed ? name
                                           : X509_get_subject_name(ca_cert));
    X509_gmtime_adj(X509_getm_notBefore(x), s->from);
    X509_gmtime_adj(X509_getm_notAfter(x), s->to);
    X509_set_pubkey(x, key);
    for (i = 0; s->exts != NULL && s->exts[i] != NULL; i += 2)
        add_ext(x, s->self_signed ? x : ca_cert, conf, s->exts[i],
            s->exts[i + 1]);
    if (s->qc != NULL)
        add_raw_ext(x, "1.3.6.1.5.5.7.1.3", 0, s->qc, s->qc_len);
    CU_ASSERT_FATAL(X509_sign(x, s->self_signed ? key : ca_key,
        s->md != NULL ? s->md : EVP_sha256()) > 0);
    if (s->key == NULL)
        EVP_PKEY_free(key);
    X509_NAME_free(name);
    NCONF_free(conf);
    BIO_free(bio);
    return x;
}

static void make_ca(void)
{
    static const char *const name[] = { "C", "JP", "O", "Example CA",
                                        "CN", "Example Issuing CA", NULL };
    static const char *const exts[] = {
        "basicConstraints", "critical,CA:TRUE",
        "keyUsage", "critical,keyCertSign,cRLSign",
        "subjectKeyIdentifier", "hash", NULL };
    spec s = { name, exts, NULL, 0, NULL, -10 * DAY, 3650 * DAY, NULL, 1 };

    ca_key = EVP_EC_gen("P-256");
    CU_ASSERT_PTR_NOT_NULL_FATAL(ca_key);
    s.key = ca_key;
    ca_cert = make_cert(&s);
}

static eseal_cert_info *inspect(X509 *x, const char *const *table)
{
    unsigned char *buf = NULL;
    int len = i2d_X509(x, &buf);
    eseal_cert_info *info = NULL;
    eseal_error err = { 0, "" };

    CU_ASSERT_FATAL(len > 0);
    CU_ASSERT_EQUAL(eseal_cert_inspect_buffer(&info, buf, (size_t)len,
        "test.der", table, &err), 0);
    OPENSSL_free(buf);
    CU_ASSERT_PTR_NOT_NULL_FATAL(info);
    CU_ASSERT_EQUAL(ERR_peek_error(), 0);
    return info;
}

static int has(const eseal_cert_warning *w, size_t n, const char *code)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (strcmp(w[i].code, code) == 0)
            return 1;
    return 0;
}

#define HAS_WARNING(info, code) has((info)->warnings, (info)->n_warnings, code)
#define HAS_NOTE(info, code) has((info)->notes, (info)->n_notes, code)

/* ---- the e-Seal-shaped certificate ------------------------------------ */

static const char *const eseal_name[] = {
    "C", "JP",
    "O", "\xe6\xa0\xaa\xe5\xbc\x8f\xe4\xbc\x9a\xe7\xa4\xbe Example",
    "OU", "Accounting",
    "organizationIdentifier", "NTRJP-7000012050002",
    "organizationIdentifier", "LEIXG-5493001KJTIIGC8Y1R12",
    "CN", "Example Co. invoice seal",
    NULL };

static const char *const eseal_exts[] = {
    "basicConstraints", "critical,CA:FALSE",
    "keyUsage", "critical,digitalSignature,nonRepudiation",
    "extendedKeyUsage", "1.3.6.1.5.5.7.3.36",
    "subjectKeyIdentifier", "hash",
    "authorityKeyIdentifier", "keyid:always",
    "certificatePolicies", ESEAL_OID_DEMO_CA_POLICY ",@pol_eseal",
    "subjectAltName", "DNS:seal.example.jp,URI:https://example.jp/office/"
        "tokyo,email:seal@example.jp,dirName:dir_sect,IP:192.0.2.7",
    "crlDistributionPoints", "URI:http://crl.example.jp/ca.crl",
    "authorityInfoAccess", "OCSP;URI:http://ocsp.example.jp/,"
        "caIssuers;URI:http://ca.example.jp/ca.crt",
    ESEAL_OID_LEI, "ASN1:PRINTABLESTRING:5493001KJTIIGC8Y1R12",
    "1.3.6.1.4.1.52266.2", "ASN1:UTF8String:Seal Officer",
    NULL };

static X509 *make_eseal(void)
{
    static const char *const types[] = { ESEAL_OID_QCT_ESEAL, NULL };
    der qc;
    spec s = { eseal_name, eseal_exts, NULL, 0, NULL, -DAY, 365 * DAY,
               NULL, 0 };

    make_qc(&qc, types, ESEAL_OID_SEMANTICS_LEGAL);
    s.qc = qc.b;
    s.qc_len = qc.n;
    return make_cert(&s);
}

static void test_certinfo__eseal_fields(void)
{
    X509 *x = make_eseal();
    eseal_cert_info *info = inspect(x, NULL);
    char serial[32];

    snprintf(serial, sizeof(serial), "%lX",
        ASN1_INTEGER_get(X509_get0_serialNumber(x)));
    CU_ASSERT_STRING_EQUAL(info->serial, serial);
    CU_ASSERT_PTR_NOT_NULL(strstr(info->subject,
        "organizationIdentifier=NTRJP-7000012050002"));
    CU_ASSERT_EQUAL(strncmp(info->subject, "CN=Example Co. invoice seal,",
        28), 0);
    CU_ASSERT_STRING_EQUAL(info->issuer,
        "CN=Example Issuing CA,O=Example CA,C=JP");
    CU_ASSERT_STRING_EQUAL(info->organization, eseal_name[3]);
    CU_ASSERT_STRING_EQUAL(info->organizational_unit, "Accounting");
    CU_ASSERT_STRING_EQUAL(info->common_name, "Example Co. invoice seal");
    CU_ASSERT_STRING_EQUAL(info->country, "JP");
    CU_ASSERT(info->not_before < time(NULL) - DAY + 60);
    CU_ASSERT(info->not_after > time(NULL) + 364 * DAY);

    CU_ASSERT_EQUAL_FATAL(info->n_org_ids, 2);
    CU_ASSERT_STRING_EQUAL(info->org_ids[0].value, "NTRJP-7000012050002");
    CU_ASSERT_STRING_EQUAL(info->org_ids[0].scheme, "NTR");
    CU_ASSERT_STRING_EQUAL(info->org_ids[0].country, "JP");
    CU_ASSERT_STRING_EQUAL(info->org_ids[0].number, "7000012050002");
    CU_ASSERT_EQUAL(info->org_ids[0].check, ESEAL_ID_VALID);
    CU_ASSERT_STRING_EQUAL(info->org_ids[1].scheme, "LEI");
    CU_ASSERT_STRING_EQUAL(info->org_ids[1].country, "XG");
    CU_ASSERT_EQUAL(info->org_ids[1].check, ESEAL_ID_VALID);

    CU_ASSERT_STRING_EQUAL(info->key_type, "EC");
    CU_ASSERT_EQUAL(info->key_bits, 256);
    CU_ASSERT_STRING_EQUAL(info->key_curve, "P-256");
    CU_ASSERT_STRING_EQUAL(info->signature_algorithm, "ecdsa-with-SHA256");

    CU_ASSERT_TRUE(info->has_key_usage);
    CU_ASSERT_EQUAL_FATAL(info->n_key_usage, 2);
    CU_ASSERT_STRING_EQUAL(info->key_usage[0], "digitalSignature");
    CU_ASSERT_STRING_EQUAL(info->key_usage[1], "nonRepudiation");
    CU_ASSERT_TRUE(info->has_extended_key_usage);
    CU_ASSERT_EQUAL_FATAL(info->n_extended_key_usage, 1);
    CU_ASSERT_STRING_EQUAL(info->extended_key_usage[0], "documentSigning");
    CU_ASSERT_TRUE(info->has_basic_constraints);
    CU_ASSERT_FALSE(info->basic_constraints_ca);
    CU_ASSERT_PTR_NOT_NULL(info->subject_key_id);
    CU_ASSERT_EQUAL(strlen(info->subject_key_id), 20 * 3 - 1);
    CU_ASSERT_PTR_NOT_NULL(info->authority_key_id);

    CU_ASSERT_EQUAL_FATAL(info->n_policies, 2);
    CU_ASSERT_STRING_EQUAL(info->policies[0].oid, ESEAL_OID_DEMO_CA_POLICY);
    CU_ASSERT_EQUAL(info->policies[0].n_cps_uris, 0);
    CU_ASSERT_STRING_EQUAL(info->policies[1].oid,
        ESEAL_OID_DEMO_ESEAL_LEVEL2);
    CU_ASSERT_EQUAL_FATAL(info->policies[1].n_cps_uris, 2);
    CU_ASSERT_STRING_EQUAL(info->policies[1].cps_uris[0],
        "https://ca.example.jp/cps");
    CU_ASSERT_STRING_EQUAL(info->policies[1].cps_uris[1],
        "https://ca.example.jp/cps-en");
    CU_ASSERT_STRING_EQUAL(info->policies[1].user_notice, "e-Seal level 2");
    CU_ASSERT_STRING_EQUAL(info->assurance_level, "2");

    CU_ASSERT_EQUAL_FATAL(info->n_subject_alt_names, 5);
    CU_ASSERT_STRING_EQUAL(info->subject_alt_names[0],
        "DNS:seal.example.jp");
    CU_ASSERT_STRING_EQUAL(info->subject_alt_names[1],
        "URI:https://example.jp/office/tokyo");
    CU_ASSERT_STRING_EQUAL(info->subject_alt_names[2],
        "email:seal@example.jp");
    CU_ASSERT_STRING_EQUAL(info->subject_alt_names[3],
        "dirName:OU=Osaka Branch,O=Example Seal Co.");
    CU_ASSERT_STRING_EQUAL(info->subject_alt_names[4], "IP:192.0.2.7");
    CU_ASSERT_EQUAL_FATAL(info->n_crl_urls, 1);
    CU_ASSERT_STRING_EQUAL(info->crl_urls[0], "http://crl.example.jp/ca.crl");
    CU_ASSERT_EQUAL_FATAL(info->n_ocsp_urls, 1);
    CU_ASSERT_STRING_EQUAL(info->ocsp_urls[0], "http://ocsp.example.jp/");
    CU_ASSERT_EQUAL_FATAL(info->n_ca_issuer_urls, 1);
    CU_ASSERT_STRING_EQUAL(info->ca_issuer_urls[0],
        "http://ca.example.jp/ca.crt");

    CU_ASSERT_STRING_EQUAL(info->lei, "5493001KJTIIGC8Y1R12");
    CU_ASSERT_STRING_EQUAL(info->lei_role, "Seal Officer");
    CU_ASSERT_TRUE(info->has_qc_statements);
    CU_ASSERT_TRUE(info->qc_compliance);
    CU_ASSERT_TRUE(info->qc_sscd);
    CU_ASSERT_EQUAL_FATAL(info->n_qc_types, 1);
    CU_ASSERT_STRING_EQUAL(info->qc_types[0], "eseal");
    CU_ASSERT_EQUAL_FATAL(info->n_qc_pds_urls, 1);
    CU_ASSERT_STRING_EQUAL(info->qc_pds_urls[0],
        "https://ca.example.jp/pds-en.pdf");
    CU_ASSERT_STRING_EQUAL(info->semantics_identifier,
        ESEAL_OID_SEMANTICS_LEGAL);

    CU_ASSERT_TRUE(info->fit_for_sealing);
    CU_ASSERT_EQUAL(info->n_warnings, 0);
    CU_ASSERT_EQUAL(eseal_cert_info_warning_count(info), 0);
    CU_ASSERT_EQUAL(info->n_notes, 0);
    if (info->n_warnings > 0)
        fprintf(stderr, "unexpected warning: %s\n",
            info->warnings[0].message);
    if (info->n_notes > 0)
        fprintf(stderr, "unexpected note: %s\n", info->notes[0].message);
    eseal_cert_info_free(info);
    X509_free(x);
}

static void test_certinfo__assurance_table(void)
{
    static const char *const custom[] = {
        "1.2.3.4=9",
        "  " ESEAL_OID_DEMO_CA_POLICY " = 3 ",
        ESEAL_OID_DEMO_ESEAL_LEVEL2 "=10",
        "garbage without equals",
        NULL };
    static const char *const alpha[] = {
        ESEAL_OID_DEMO_CA_POLICY "=basic",
        ESEAL_OID_DEMO_ESEAL_LEVEL2 "=advanced", NULL };
    static const char *const none[] = { "1.2.3.4=1", NULL };
    static const char *const empty[] = { NULL };
    X509 *x = make_eseal();
    eseal_cert_info *info;
    char *lv;

    /* numbers compare as numbers: 10 beats 3 and 9 does not apply */
    lv = eseal__assurance_level(x, custom);
    CU_ASSERT_STRING_EQUAL(lv, "10");
    free(lv);
    lv = eseal__assurance_level(x, alpha);
    CU_ASSERT_STRING_EQUAL(lv, "basic");
    free(lv);
    CU_ASSERT_PTR_NULL(eseal__assurance_level(x, none));
    CU_ASSERT_PTR_NULL(eseal__assurance_level(x, empty));
    lv = eseal__assurance_level(x, NULL);
    CU_ASSERT_STRING_EQUAL(lv, "2");
    free(lv);
    CU_ASSERT_PTR_NULL(eseal__assurance_level(ca_cert, NULL));
    CU_ASSERT_PTR_NULL(eseal__assurance_level(NULL, NULL));

    info = inspect(x, custom);
    CU_ASSERT_STRING_EQUAL(info->assurance_level, "10");
    eseal_cert_info_free(info);
    info = inspect(x, none);
    CU_ASSERT_PTR_NULL(info->assurance_level);
    eseal_cert_info_free(info);
    X509_free(x);
}

static void test_certinfo__signer(void)
{
    X509 *x = make_eseal();
    eseal_signer s;
    eseal_error err = { 0, "" };
    char serial[32];

    CU_ASSERT_EQUAL_FATAL(eseal__signer_from_x509(&s, x, &err), 0);
    snprintf(serial, sizeof(serial), "%lX",
        ASN1_INTEGER_get(X509_get0_serialNumber(x)));
    CU_ASSERT_STRING_EQUAL(s.serial, serial);
    CU_ASSERT_STRING_EQUAL(s.organization, eseal_name[3]);
    CU_ASSERT_STRING_EQUAL(s.organization_identifier, "NTRJP-7000012050002");
    CU_ASSERT_EQUAL_FATAL(s.n_organization_identifiers, 2);
    CU_ASSERT_STRING_EQUAL(s.organization_identifiers[1],
        "LEIXG-5493001KJTIIGC8Y1R12");
    CU_ASSERT_PTR_NULL(s.organization_identifiers[2]);
    CU_ASSERT_PTR_NOT_NULL(strstr(s.subject, "CN=Example Co. invoice seal"));
    CU_ASSERT_STRING_EQUAL(s.issuer, "CN=Example Issuing CA,O=Example CA,C=JP");
    eseal__signer_clear(&s);
    CU_ASSERT_PTR_NULL(s.subject);
    CU_ASSERT_EQUAL(s.n_organization_identifiers, 0);

    /* a certificate without O or identifiers gives NULLs */
    CU_ASSERT_EQUAL_FATAL(eseal__signer_from_x509(&s, ca_cert, &err), 0);
    CU_ASSERT_STRING_EQUAL(s.organization, "Example CA");
    CU_ASSERT_PTR_NULL(s.organization_identifier);
    CU_ASSERT_PTR_NULL(s.organization_identifiers);
    CU_ASSERT_EQUAL(s.n_organization_identifiers, 0);
    eseal__signer_clear(&s);
    eseal__signer_clear(NULL);
    X509_free(x);
}

/* ---- unfit certificates ---------------------------------------------- */

static void test_certinfo__unfit_everything(void)
{
    static const char *const name[] = { "CN", "a CA pretending", NULL };
    static const char *const exts[] = {
        "basicConstraints", "critical,CA:TRUE",
        "keyUsage", "critical,keyCertSign,cRLSign", NULL };
    EVP_PKEY *rsa = EVP_RSA_gen(1024);
    spec s = { name, exts, NULL, 0, rsa, -400 * DAY, -30 * DAY,
               EVP_sha1(), 0 };
    X509 *x;
    eseal_cert_info *info;

    CU_ASSERT_PTR_NOT_NULL_FATAL(rsa);
    x = make_cert(&s);
    info = inspect(x, NULL);
    CU_ASSERT_FALSE(info->fit_for_sealing);
    CU_ASSERT_TRUE(HAS_WARNING(info, "ca"));
    CU_ASSERT_TRUE(HAS_WARNING(info, "key_usage"));
    CU_ASSERT_TRUE(HAS_WARNING(info, "key_cert_sign"));
    CU_ASSERT_TRUE(HAS_WARNING(info, "expired"));
    CU_ASSERT_TRUE(HAS_WARNING(info, "no_org_identifier"));
    CU_ASSERT_TRUE(HAS_WARNING(info, "no_organization"));
    CU_ASSERT_TRUE(HAS_WARNING(info, "weak_key"));
    CU_ASSERT_TRUE(HAS_WARNING(info, "weak_signature"));
    CU_ASSERT_TRUE(HAS_WARNING(info, "no_revocation"));
    CU_ASSERT_FALSE(HAS_WARNING(info, "not_yet_valid"));
    CU_ASSERT_FALSE(HAS_WARNING(info, "malformed"));
    CU_ASSERT_EQUAL(info->n_warnings, 9);
    CU_ASSERT_EQUAL(eseal_cert_info_warning_count(info), 9);
    CU_ASSERT_TRUE(HAS_NOTE(info, "no_country"));
    CU_ASSERT_TRUE(HAS_NOTE(info, "no_policies"));
    CU_ASSERT_TRUE(HAS_NOTE(info, "no_subject_key_id"));
    CU_ASSERT_TRUE(HAS_NOTE(info, "no_authority_key_id"));
    CU_ASSERT_STRING_EQUAL(info->key_type, "RSA");
    CU_ASSERT_EQUAL(info->key_bits, 1024);
    CU_ASSERT_PTR_NULL(info->key_curve);
    CU_ASSERT_STRING_EQUAL(info->signature_algorithm, "ecdsa-with-SHA1");
    CU_ASSERT_TRUE(info->basic_constraints_ca);
    CU_ASSERT_EQUAL_FATAL(info->n_key_usage, 2);
    CU_ASSERT_STRING_EQUAL(info->key_usage[0], "keyCertSign");
    CU_ASSERT_STRING_EQUAL(info->key_usage[1], "cRLSign");
    CU_ASSERT_FALSE(info->has_extended_key_usage);
    CU_ASSERT_FALSE(info->has_qc_statements);
    CU_ASSERT_PTR_NULL(info->organization);
    CU_ASSERT_PTR_NULL(info->assurance_level);
    CU_ASSERT_EQUAL(info->n_org_ids, 0);
    eseal_cert_info_free(info);
    X509_free(x);
    EVP_PKEY_free(rsa);
}

static void test_certinfo__bad_identifiers(void)
{
    static const char *const name[] = { "C", "JP", "O", "Example",
        "organizationIdentifier", "NTRJP-6000012050002",
        "organizationIdentifier", "TD:JP-123456789",
        "organizationIdentifier", "free text id", NULL };
    static const char *const exts[] = {
        "keyUsage", "critical,digitalSignature",
        "extendedKeyUsage", "serverAuth,clientAuth",
        "crlDistributionPoints", "URI:http://crl.example.jp/ca.crl",
        ESEAL_OID_LEI, "ASN1:PRINTABLESTRING:5493001KJTIIGC8Y1R21", NULL };
    static const char *const types[] = { ESEAL_OID_QCT_ESIGN, NULL };
    der qc;
    spec s = { name, exts, NULL, 0, NULL, DAY, 30 * DAY, NULL, 0 };
    X509 *x;
    eseal_cert_info *info;

    make_qc(&qc, types, "0.4.0.194121.1.1");
    s.qc = qc.b;
    s.qc_len = qc.n;
    x = make_cert(&s);
    info = inspect(x, NULL);
    CU_ASSERT_FALSE(info->fit_for_sealing);
    CU_ASSERT_EQUAL_FATAL(info->n_org_ids, 3);
    CU_ASSERT_EQUAL(info->org_ids[0].check, ESEAL_ID_INVALID);
    CU_ASSERT_EQUAL(info->org_ids[1].check, ESEAL_ID_NOT_CHECKABLE);
    CU_ASSERT_TRUE(info->org_ids[1].private_scheme);
    CU_ASSERT_EQUAL(info->org_ids[2].check, ESEAL_ID_NOT_CHECKABLE);
    CU_ASSERT_TRUE(HAS_WARNING(info, "org_identifier_invalid"));
    CU_ASSERT_TRUE(HAS_WARNING(info, "lei_invalid"));
    CU_ASSERT_TRUE(HAS_WARNING(info, "not_yet_valid"));
    CU_ASSERT_EQUAL(info->n_warnings, 3);
    /* CRL only is enough to reach revocation */
    CU_ASSERT_FALSE(HAS_WARNING(info, "no_revocation"));
    CU_ASSERT_FALSE(HAS_WARNING(info, "key_usage"));
    CU_ASSERT_TRUE(HAS_NOTE(info, "key_usage_partial"));
    CU_ASSERT_TRUE(HAS_NOTE(info, "extended_key_usage"));
    CU_ASSERT_TRUE(HAS_NOTE(info, "org_identifier_form"));
    CU_ASSERT_TRUE(HAS_NOTE(info, "qc_type"));
    CU_ASSERT_TRUE(HAS_NOTE(info, "semantics_natural"));
    CU_ASSERT_TRUE(HAS_NOTE(info, "no_basic_constraints"));
    CU_ASSERT_EQUAL_FATAL(info->n_extended_key_usage, 2);
    CU_ASSERT_STRING_EQUAL(info->extended_key_usage[0], "serverAuth");
    CU_ASSERT_STRING_EQUAL(info->qc_types[0], "esign");
    CU_ASSERT_STRING_EQUAL(info->lei, "5493001KJTIIGC8Y1R21");
    eseal_cert_info_free(info);
    X509_free(x);
}

static void test_certinfo__no_key_usage_is_unfit(void)
{
    static const char *const exts[] = {
        "crlDistributionPoints", "URI:http://crl.example.jp/ca.crl", NULL };
    spec s = { eseal_name, exts, NULL, 0, NULL, -DAY, DAY, NULL, 0 };
    X509 *x = make_cert(&s);
    eseal_cert_info *info = inspect(x, NULL);

    CU_ASSERT_FALSE(info->has_key_usage);
    CU_ASSERT_PTR_NULL(info->key_usage);
    CU_ASSERT_TRUE(HAS_WARNING(info, "key_usage"));
    CU_ASSERT_EQUAL(info->n_warnings, 1);
    eseal_cert_info_free(info);
    X509_free(x);
}

static void test_certinfo__malformed_extensions(void)
{
    static const unsigned char bad_ku[] = { 0x03, 0x05, 0x00 };
    static const unsigned char bad_qc[] = { 0x30, 0x03, 0x30, 0x01, 0x05 };
    static const unsigned char lei_int[] = { 0x02, 0x01, 0x05 };
    static const unsigned char any[] = { 0x05, 0x00 };
    static const char *const exts[] = {
        "crlDistributionPoints", "URI:http://crl.example.jp/ca.crl", NULL };
    spec s = { eseal_name, exts, NULL, 0, NULL, -DAY, DAY, NULL, 0 };
    X509 *x = make_cert(&s);
    eseal_cert_info *info;

    add_raw_ext(x, "2.5.29.15", 1, bad_ku, sizeof(bad_ku));
    add_raw_ext(x, "1.3.6.1.5.5.7.1.3", 0, bad_qc, sizeof(bad_qc));
    add_raw_ext(x, ESEAL_OID_LEI, 0, lei_int, sizeof(lei_int));
    add_raw_ext(x, "1.2.3.4.5", 1, any, sizeof(any));
    CU_ASSERT_FATAL(X509_sign(x, ca_key, EVP_sha256()) > 0);
    info = inspect(x, NULL);
    CU_ASSERT_FALSE(info->fit_for_sealing);
    CU_ASSERT_TRUE(HAS_WARNING(info, "malformed"));
    CU_ASSERT_TRUE(HAS_WARNING(info, "unknown_critical"));
    CU_ASSERT_TRUE(info->has_qc_statements);
    CU_ASSERT_PTR_NULL(info->lei);
    eseal_cert_info_free(info);
    X509_free(x);
}

/* ---- rendering ------------------------------------------------------- */

static void test_certinfo__json_and_text(void)
{
    static const char *const evil[] = { "O", "Evil\x1b[31m\nCo", "C", "JP",
        "organizationIdentifier", "NTRJP-7000012050002", NULL };
    static const char *const exts[] = {
        "keyUsage", "critical,digitalSignature,nonRepudiation",
        "basicConstraints", "critical,CA:FALSE",
        "subjectKeyIdentifier", "hash",
        "authorityKeyIdentifier", "keyid:always",
        "authorityInfoAccess", "OCSP;URI:http://ocsp.example.jp/", NULL };
    spec s = { evil, exts, NULL, 0, NULL, -DAY, DAY, NULL, 0 };
    X509 *good = make_eseal(), *x = make_cert(&s);
    eseal_cert_info *info = inspect(good, NULL);
    char *json = eseal_cert_info_json(info), *text;

    CU_ASSERT_PTR_NOT_NULL_FATAL(json);
    CU_ASSERT_PTR_NOT_NULL(strstr(json, "\"fit_for_sealing\": true"));
    CU_ASSERT_PTR_NOT_NULL(strstr(json, "\"warnings\": []"));
    CU_ASSERT_PTR_NOT_NULL(strstr(json, "\"assurance_level\": \"2\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(json, "\"check\": \"valid\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(json, "\"scheme\": \"NTR\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(json, "\"number\": \"7000012050002\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(json, "\"curve\": \"P-256\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(json, "\"bits\": 256"));
    CU_ASSERT_PTR_NOT_NULL(strstr(json, "\"basic_constraints_ca\": false"));
    CU_ASSERT_PTR_NOT_NULL(strstr(json,
        "\"cps\": \"https://ca.example.jp/cps\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(json, "\"lei\": \"5493001KJTIIGC8Y1R12\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(json, "\"compliance\": true"));
    CU_ASSERT_PTR_NOT_NULL(strstr(json, "\"eseal\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(json, "\"not_before\": \"20"));
    CU_ASSERT_EQUAL(json[strlen(json) - 1], '}');
    text = eseal_cert_info_text(info);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "Fit for sealing:      yes\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "NTRJP-7000012050002  [valid: "));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "Assurance level:      2\n"));
    CU_ASSERT_PTR_NULL(strstr(text, "Warnings:"));
    free(json);
    free(text);
    eseal_cert_info_free(info);

    /* control characters: escaped in JSON, replaced in text */
    info = inspect(x, NULL);
    CU_ASSERT_TRUE(info->fit_for_sealing);
    json = eseal_cert_info_json(info);
    text = eseal_cert_info_text(info);
    CU_ASSERT_PTR_NOT_NULL_FATAL(json);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    CU_ASSERT_PTR_NOT_NULL(strstr(json, "Evil\\u001b[31m\\nCo"));
    CU_ASSERT_PTR_NULL(strchr(text, '\x1b'));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "Evil?[31m?Co"));
    CU_ASSERT_PTR_NOT_NULL(strstr(json, "\"qc_statements\": null"));
    CU_ASSERT_PTR_NOT_NULL(strstr(json, "\"extended_key_usage\": null"));
    free(json);
    free(text);
    eseal_cert_info_free(info);

    /* warnings are listed */
    X509_free(x);
    {
        static const char *const bare[] = { "CN", "bare", NULL };
        spec t = { bare, NULL, NULL, 0, NULL, -DAY, DAY, NULL, 0 };

        x = make_cert(&t);
    }
    info = inspect(x, NULL);
    json = eseal_cert_info_json(info);
    text = eseal_cert_info_text(info);
    CU_ASSERT_PTR_NOT_NULL_FATAL(json);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    CU_ASSERT_PTR_NOT_NULL(strstr(json, "\"fit_for_sealing\": false"));
    CU_ASSERT_PTR_NOT_NULL(strstr(json, "organizationIdentifier"));
    CU_ASSERT_PTR_NOT_NULL(strstr(json, "\"key_usage\": null"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "Fit for sealing:      no\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "Warnings:\n  - "));
    free(json);
    free(text);
    eseal_cert_info_free(info);
    X509_free(x);
    X509_free(good);
    CU_ASSERT_PTR_NULL(eseal_cert_info_json(NULL));
    CU_ASSERT_PTR_NULL(eseal_cert_info_text(NULL));
    eseal_cert_info_free(NULL);
}

/* ---- input forms ----------------------------------------------------- */

static void test_certinfo__pem_der_and_errors(void)
{
    X509 *x = make_eseal();
    BIO *mem = BIO_new(BIO_s_mem());
    unsigned char *der_buf = NULL, *pem;
    eseal_cert_info *info = (eseal_cert_info *)&info;  /* not NULL */
    eseal_error err = { 0, "" };
    int der_len = i2d_X509(x, &der_buf);
    long pem_len;
    static const unsigned char junk[] = "this is not a certificate";
    char path[] = "/tmp/test_certinfo_XXXXXX";
    int fd;

    CU_ASSERT_FATAL(der_len > 0 && mem != NULL);
    CU_ASSERT_FATAL(PEM_write_bio_X509(mem, x) == 1);
    CU_ASSERT_FATAL(PEM_write_bio_X509(mem, ca_cert) == 1);
    pem_len = BIO_get_mem_data(mem, (char **)&pem);

    /* PEM with a chain: the first certificate, and a note */
    CU_ASSERT_EQUAL(eseal_cert_inspect_buffer(&info, pem, (size_t)pem_len,
        "chain.pem", NULL, &err), 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(info);
    CU_ASSERT_STRING_EQUAL(info->common_name, "Example Co. invoice seal");
    CU_ASSERT_TRUE(HAS_NOTE(info, "several_certificates"));
    CU_ASSERT_TRUE(info->fit_for_sealing);
    eseal_cert_info_free(info);

    CU_ASSERT_EQUAL(eseal_cert_inspect_buffer(&info, junk, sizeof(junk),
        "junk.txt", NULL, &err), ESEAL_ECERT);
    CU_ASSERT_PTR_NULL(info);
    CU_ASSERT_EQUAL(strncmp(err.message, "junk.txt: not a certificate", 27),
        0);
    CU_ASSERT_EQUAL(ERR_peek_error(), 0);

    CU_ASSERT_EQUAL(eseal_cert_inspect_buffer(&info, junk, 0, NULL, NULL,
        &err), ESEAL_ECERT);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "empty"));

    /* truncated DER and DER with trailing bytes */
    CU_ASSERT_EQUAL(eseal_cert_inspect_buffer(&info, der_buf,
        (size_t)der_len - 1, "cut.der", NULL, &err), ESEAL_ECERT);
    {
        unsigned char *longer = malloc((size_t)der_len + 3);

        CU_ASSERT_PTR_NOT_NULL_FATAL(longer);
        memcpy(longer, der_buf, (size_t)der_len);
        memcpy(longer + der_len, "xyz", 3);
        CU_ASSERT_EQUAL(eseal_cert_inspect_buffer(&info, longer,
            (size_t)der_len + 3, "long.der", NULL, &err), ESEAL_ECERT);
        CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "3 bytes after"));
        free(longer);
    }
    /* a PEM header with nothing behind it */
    CU_ASSERT_EQUAL(eseal_cert_inspect_buffer(&info,
        (const unsigned char *)"-----BEGIN CERTIFICATE-----\nAAAA\n", 33,
        "x.pem", NULL, &err), ESEAL_ECERT);
    CU_ASSERT_EQUAL(ERR_peek_error(), 0);

    /* files: DER, missing, not a certificate */
    fd = mkstemp(path);
    CU_ASSERT_FATAL(fd >= 0);
    CU_ASSERT_FATAL(write(fd, der_buf, (size_t)der_len) == der_len);
    close(fd);
    CU_ASSERT_EQUAL(eseal_cert_inspect_file(&info, path, NULL, &err), 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(info);
    CU_ASSERT_STRING_EQUAL(info->lei, "5493001KJTIIGC8Y1R12");
    eseal_cert_info_free(info);
    CU_ASSERT_EQUAL(eseal_cert_inspect_file(&info, "/nonexistent/c.pem",
        NULL, &err), ESEAL_EIO);
    CU_ASSERT_PTR_NULL(info);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "/nonexistent/c.pem"));
    CU_ASSERT_EQUAL(eseal_cert_inspect_file(&info, "/", NULL, &err),
        ESEAL_EIO);
    fd = open(path, O_WRONLY | O_TRUNC);
    CU_ASSERT_FATAL(fd >= 0);
    CU_ASSERT_FATAL(write(fd, junk, sizeof(junk)) == (ssize_t)sizeof(junk));
    close(fd);
    CU_ASSERT_EQUAL(eseal_cert_inspect_file(&info, path, NULL, &err),
        ESEAL_ECERT);
    CU_ASSERT_EQUAL(strncmp(err.message, path, strlen(path)), 0);
    unlink(path);
    CU_ASSERT_EQUAL(eseal_cert_inspect_buffer(NULL, junk, 1, NULL, NULL,
        &err), ESEAL_EINVAL);

    OPENSSL_free(der_buf);
    BIO_free(mem);
    X509_free(x);
}

int main(void)
{
    static const unit_case cases[] = {
        UNIT_CASE(test_certinfo__eseal_fields),
        UNIT_CASE(test_certinfo__assurance_table),
        UNIT_CASE(test_certinfo__signer),
        UNIT_CASE(test_certinfo__unfit_everything),
        UNIT_CASE(test_certinfo__bad_identifiers),
        UNIT_CASE(test_certinfo__no_key_usage_is_unfit),
        UNIT_CASE(test_certinfo__malformed_extensions),
        UNIT_CASE(test_certinfo__json_and_text),
        UNIT_CASE(test_certinfo__pem_der_and_errors),
        UNIT_END
    };
    int rc;

    rc = unit_run("certinfo", cases);
    X509_free(ca_cert);
    EVP_PKEY_free(ca_key);
    return rc;
}
