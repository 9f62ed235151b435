/* eseal - demo PKI: keys, certificates and CRLs (see demo_pki.c). */
#include <string.h>
#include <time.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include "eseal_int.h"
#include "demo_int.h"
#include "oids.h"

static int make_key(EVP_PKEY **out, eseal_demo_key kind, eseal_error *err)
{
    if (kind == ESEAL_DEMO_RSA2048)
        *out = EVP_RSA_gen(2048);
    else
        *out = EVP_EC_gen(kind == ESEAL_DEMO_P256 ? "P-256" : "P-384");
    if (*out == NULL)
        return eseal__error_ossl(err, ESEAL_ECRYPTO,
            "demo-pki: cannot generate a key");
    return 0;
}

/* A random positive 16-byte serial number. */
static int random_serial(ASN1_INTEGER **out, eseal_error *err)
{
    unsigned char b[16];
    BIGNUM *bn = NULL;
    int rc = 0;

    *out = NULL;
    if (RAND_bytes(b, sizeof(b)) != 1) {
        rc = eseal__error_ossl(err, ESEAL_ECRYPTO, "demo-pki: RAND_bytes");
        goto cleanup;
    }
    b[0] = (unsigned char)((b[0] & 0x3f) | 0x40); /* positive, 16 bytes */
    bn = BN_bin2bn(b, sizeof(b), NULL);
    if (bn == NULL || (*out = BN_to_ASN1_INTEGER(bn, NULL)) == NULL)
        rc = eseal__error_ossl(err, ESEAL_ENOMEM, "demo-pki: serial");
cleanup:
    BN_free(bn);
    return rc;
}

/* Builds a name from "field", "value" pairs ending with NULL. */
static int make_name(X509_NAME **out, const char *const *rdn,
    eseal_error *err)
{
    X509_NAME *name = X509_NAME_new();

    *out = NULL;
    if (name == NULL)
        return eseal__error_ossl(err, ESEAL_ENOMEM, "demo-pki: name");
    for (; rdn[0] != NULL; rdn += 2) {
        if (X509_NAME_add_entry_by_txt(name, rdn[0], MBSTRING_UTF8,
                (const unsigned char *)rdn[1], -1, -1, 0) != 1) {
            X509_NAME_free(name);
            return eseal__error_ossl(err, ESEAL_ECRYPTO,
                "demo-pki: name attribute %s", rdn[0]);
        }
    }
    *out = name;
    return 0;
}

/* Adds an extension written in the openssl.cnf notation. */
static int add_ext(X509 *cert, X509V3_CTX *ctx, int nid, const char *value,
    eseal_error *err)
{
    X509_EXTENSION *ext = X509V3_EXT_nconf_nid(NULL, ctx, nid, value);
    int ok;

    if (ext == NULL)
        return eseal__error_ossl(err, ESEAL_ECRYPTO,
            "demo-pki: extension %s", OBJ_nid2sn(nid));
    ok = X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
    if (ok != 1)
        return eseal__error_ossl(err, ESEAL_ENOMEM, "demo-pki: extension");
    return 0;
}

/* Adds an extension whose value is given DER-encoded. */
static int add_ext_der(X509 *cert, const char *oid, int critical,
    const unsigned char *der, size_t len, eseal_error *err)
{
    ASN1_OBJECT *obj = OBJ_txt2obj(oid, 1);
    ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
    X509_EXTENSION *ext = NULL;
    int rc = 0;

    if (obj == NULL || os == NULL ||
        ASN1_OCTET_STRING_set(os, der, (int)len) != 1 ||
        (ext = X509_EXTENSION_create_by_OBJ(NULL, obj, critical, os)) ==
            NULL ||
        X509_add_ext(cert, ext, -1) != 1)
        rc = eseal__error_ossl(err, ESEAL_ECRYPTO,
            "demo-pki: extension %s", oid);
    X509_EXTENSION_free(ext);
    ASN1_OCTET_STRING_free(os);
    ASN1_OBJECT_free(obj);
    return rc;
}

/* Appends a DER tag and length (definite form). */
static void der_header(eseal_buf *b, unsigned char tag, size_t len)
{
    unsigned char h[6];
    size_t n = 0;

    h[n++] = tag;
    if (len < 0x80) {
        h[n++] = (unsigned char)len;
    } else if (len < 0x100) {
        h[n++] = 0x81;
        h[n++] = (unsigned char)len;
    } else {
        h[n++] = 0x82;
        h[n++] = (unsigned char)(len >> 8);
        h[n++] = (unsigned char)len;
    }
    eseal__buf_append(b, h, n);
}

/* Appends the DER encoding of an OBJECT IDENTIFIER given in dotted form. */
static int der_oid(eseal_buf *b, const char *oid, eseal_error *err)
{
    ASN1_OBJECT *obj = OBJ_txt2obj(oid, 1);
    unsigned char *der = NULL;
    int len;

    if (obj == NULL || (len = i2d_ASN1_OBJECT(obj, &der)) <= 0) {
        ASN1_OBJECT_free(obj);
        return eseal__error_ossl(err, ESEAL_ECRYPTO, "demo-pki: OID %s",
            oid);
    }
    eseal__buf_append(b, der, (size_t)len);
    OPENSSL_free(der);
    ASN1_OBJECT_free(obj);
    return 0;
}

/*
 * QCStatements (ETSI EN 319 412-5) holding one statement, QcType eseal:
 * SEQUENCE { SEQUENCE { id-etsi-qcs-QcType, SEQUENCE { id-etsi-qct-eseal } } }
 */
static int add_qc_statements(X509 *cert, eseal_error *err)
{
    eseal_buf type = { 0 }, types = { 0 }, stmt = { 0 }, all = { 0 };
    int rc;

    if ((rc = der_oid(&type, ESEAL_OID_QCT_ESEAL, err)) < 0)
        goto cleanup;
    der_header(&types, 0x30, type.len);
    eseal__buf_append(&types, type.data, type.len);
    if ((rc = der_oid(&stmt, ESEAL_OID_QCS_QC_TYPE, err)) < 0)
        goto cleanup;
    eseal__buf_append(&stmt, types.data, types.len);
    der_header(&all, 0x30, stmt.len);
    eseal__buf_append(&all, stmt.data, stmt.len);
    eseal__buf_free(&stmt);
    der_header(&stmt, 0x30, all.len);
    eseal__buf_append(&stmt, all.data, all.len);
    if (stmt.failed || all.failed || types.failed) {
        rc = eseal__error_set(err, ESEAL_ENOMEM, "demo-pki: out of memory");
        goto cleanup;
    }
    rc = add_ext_der(cert, "1.3.6.1.5.5.7.1.3", 0,
        (const unsigned char *)stmt.data, stmt.len, err);
cleanup:
    eseal__buf_free(&type);
    eseal__buf_free(&types);
    eseal__buf_free(&stmt);
    eseal__buf_free(&all);
    return rc;
}

/* The ISO 17442-2 LEI extension: a PrintableString. */
static int add_lei(X509 *cert, const char *value, eseal_error *err)
{
    ASN1_PRINTABLESTRING *s = ASN1_PRINTABLESTRING_new();
    unsigned char *der = NULL;
    int len = -1, rc;

    if (s != NULL && ASN1_STRING_set(s, value, -1) == 1)
        len = i2d_ASN1_PRINTABLESTRING(s, &der);
    if (len <= 0)
        rc = eseal__error_ossl(err, ESEAL_ENOMEM, "demo-pki: LEI");
    else
        rc = add_ext_der(cert, ESEAL_OID_LEI, 0, der, (size_t)len, err);
    OPENSSL_free(der);
    ASN1_PRINTABLESTRING_free(s);
    return rc;
}

/* certificatePolicies holding the given policy OIDs, without qualifiers. */
static int add_policies(X509 *cert, const char *const *oids,
    eseal_error *err)
{
    CERTIFICATEPOLICIES *pols = CERTIFICATEPOLICIES_new();
    POLICYINFO *pi = NULL;
    int rc = 0;

    if (pols == NULL)
        goto fail;
    for (; *oids != NULL; oids++) {
        if ((pi = POLICYINFO_new()) == NULL)
            goto fail;
        ASN1_OBJECT_free(pi->policyid);
        if ((pi->policyid = OBJ_txt2obj(*oids, 1)) == NULL ||
            sk_POLICYINFO_push(pols, pi) <= 0)
            goto fail;
        pi = NULL; /* owned by pols now */
    }
    if (X509_add1_ext_i2d(cert, NID_certificate_policies, pols, 0,
            X509V3_ADD_DEFAULT) == 1)
        goto cleanup;
fail:
    rc = eseal__error_ossl(err, ESEAL_ECRYPTO,
        "demo-pki: certificatePolicies");
cleanup:
    POLICYINFO_free(pi);
    CERTIFICATEPOLICIES_free(pols);
    return rc;
}

/* subjectAltName: a directoryName naming the department that seals. */
static int add_department(X509 *cert, eseal_error *err)
{
    static const char *const rdn[] = {
        "C", "JP", "O", ESEAL_DEMO_ORG, "OU", "Accounting Department", NULL
    };
    GENERAL_NAMES *names = GENERAL_NAMES_new();
    GENERAL_NAME *gn = GENERAL_NAME_new();
    X509_NAME *dir = NULL;
    int rc;

    if (names == NULL || gn == NULL) {
        rc = eseal__error_ossl(err, ESEAL_ENOMEM, "demo-pki: SAN");
        goto cleanup;
    }
    if ((rc = make_name(&dir, rdn, err)) < 0)
        goto cleanup;
    GENERAL_NAME_set0_value(gn, GEN_DIRNAME, dir);
    dir = NULL; /* owned by gn now */
    if (sk_GENERAL_NAME_push(names, gn) <= 0) {
        rc = eseal__error_ossl(err, ESEAL_ENOMEM, "demo-pki: SAN");
        goto cleanup;
    }
    gn = NULL; /* owned by names now */
    if (X509_add1_ext_i2d(cert, NID_subject_alt_name, names, 0,
            X509V3_ADD_DEFAULT) != 1)
        rc = eseal__error_ossl(err, ESEAL_ECRYPTO, "demo-pki: SAN");
cleanup:
    X509_NAME_free(dir);
    GENERAL_NAME_free(gn);
    GENERAL_NAMES_free(names);
    return rc;
}

/* The extensions each kind of certificate carries. */
static int add_profile(X509 *cert, X509 *issuer, eseal_demo_cert kind,
    const eseal_demo_where *d, eseal_error *err)
{
    static const char *const eseal_policies[] = {
        ESEAL_OID_DEMO_CA_POLICY, ESEAL_OID_DEMO_ESEAL_LEVEL2, NULL
    };
    static const char *const tsa_policies[] = {
        ESEAL_OID_DEMO_TSA_POLICY, NULL
    };
    X509V3_CTX ctx;
    char v[1024];
    int rc;

    X509V3_set_ctx(&ctx, issuer != NULL ? issuer : cert, cert, NULL, NULL,
        0);
    if (kind == ESEAL_DEMO_ROOT || kind == ESEAL_DEMO_ISSUING) {
        rc = add_ext(cert, &ctx, NID_basic_constraints,
            kind == ESEAL_DEMO_ROOT ? "critical,CA:TRUE" :
            "critical,CA:TRUE,pathlen:0", err);
        if (rc == 0)
            rc = add_ext(cert, &ctx, NID_key_usage,
                "critical,keyCertSign,cRLSign", err);
    } else {
        rc = add_ext(cert, &ctx, NID_basic_constraints, "CA:FALSE", err);
        if (rc == 0)
            rc = add_ext(cert, &ctx, NID_key_usage,
                kind == ESEAL_DEMO_ESEAL ?
                "critical,digitalSignature,nonRepudiation" :
                "critical,digitalSignature", err);
    }
    if (rc == 0)
        rc = add_ext(cert, &ctx, NID_subject_key_identifier, "hash", err);
    if (rc < 0 || kind == ESEAL_DEMO_ROOT)
        return rc;
    if ((rc = add_ext(cert, &ctx, NID_authority_key_identifier,
            "keyid:always", err)) < 0)
        return rc;

    /* where relying parties find the issuer and its revocation data */
    if (kind == ESEAL_DEMO_ISSUING) {
        snprintf(v, sizeof(v), "URI:%s/root-ca.crl.der", d->url);
        if ((rc = add_ext(cert, &ctx, NID_crl_distribution_points, v,
                err)) < 0)
            return rc;
        snprintf(v, sizeof(v), "caIssuers;URI:%s/root-ca.cer", d->url);
        return add_ext(cert, &ctx, NID_info_access, v, err);
    }
    snprintf(v, sizeof(v), "URI:%s/issuing-ca.crl.der", d->url);
    if ((rc = add_ext(cert, &ctx, NID_crl_distribution_points, v, err)) < 0)
        return rc;
    if (kind == ESEAL_DEMO_OCSP)
        snprintf(v, sizeof(v), "caIssuers;URI:%s/issuing-ca.cer", d->url);
    else
        snprintf(v, sizeof(v), "caIssuers;URI:%s/issuing-ca.cer,"
            "OCSP;URI:%s/ocsp", d->url, d->url);
    if ((rc = add_ext(cert, &ctx, NID_info_access, v, err)) < 0)
        return rc;

    switch (kind) {
    case ESEAL_DEMO_ESEAL:
        if ((rc = add_policies(cert, eseal_policies, err)) < 0 ||
            (rc = add_department(cert, err)) < 0 ||
            (rc = add_lei(cert, d->lei, err)) < 0)
            return rc;
        return add_qc_statements(cert, err);
    case ESEAL_DEMO_TSA:
        if ((rc = add_ext(cert, &ctx, NID_ext_key_usage,
                "critical,timeStamping", err)) < 0)
            return rc;
        return add_policies(cert, tsa_policies, err);
    case ESEAL_DEMO_OCSP:
        if ((rc = add_ext(cert, &ctx, NID_ext_key_usage, "OCSPSigning",
                err)) < 0)
            return rc;
        return add_ext(cert, &ctx, NID_id_pkix_OCSP_noCheck, "ignored",
            err);
    default:
        return 0;
    }
}

int eseal__demo_issue(eseal_demo_pair *out, eseal_demo_key key_kind,
    const char *const *rdn, const eseal_demo_pair *issuer, long days,
    eseal_demo_cert kind, const eseal_demo_where *d, eseal_error *err)
{
    X509 *cert = NULL;
    X509_NAME *name = NULL;
    ASN1_INTEGER *serial = NULL;
    EVP_PKEY *key = NULL;
    time_t now = d->now;
    int rc;

    if ((rc = make_key(&key, key_kind, err)) < 0 ||
        (rc = make_name(&name, rdn, err)) < 0 ||
        (rc = random_serial(&serial, err)) < 0)
        goto cleanup;
    if ((cert = X509_new()) == NULL ||
        X509_set_version(cert, X509_VERSION_3) != 1 ||
        X509_set_serialNumber(cert, serial) != 1 ||
        X509_set_subject_name(cert, name) != 1 ||
        X509_set_issuer_name(cert, issuer != NULL ?
            X509_get_subject_name(issuer->cert) : name) != 1 ||
        X509_time_adj_ex(X509_getm_notBefore(cert), 0, -3600, &now) ==
            NULL ||
        X509_time_adj_ex(X509_getm_notAfter(cert), (int)days, 0, &now) ==
            NULL ||
        X509_set_pubkey(cert, key) != 1) {
        rc = eseal__error_ossl(err, ESEAL_ECRYPTO,
            "demo-pki: cannot build a certificate");
        goto cleanup;
    }
    if ((rc = add_profile(cert, issuer != NULL ? issuer->cert : NULL, kind,
            d, err)) < 0)
        goto cleanup;
    if (X509_sign(cert, issuer != NULL ? issuer->key : key, EVP_sha256()) <=
        0) {
        rc = eseal__error_ossl(err, ESEAL_ECRYPTO,
            "demo-pki: cannot sign a certificate");
        goto cleanup;
    }
    out->cert = cert;
    out->key = key;
    cert = NULL;
    key = NULL;
cleanup:
    X509_free(cert);
    EVP_PKEY_free(key);
    X509_NAME_free(name);
    ASN1_INTEGER_free(serial);
    return rc;
}

void eseal__demo_pair_free(eseal_demo_pair *p)
{
    X509_free(p->cert);
    EVP_PKEY_free(p->key);
    p->cert = NULL;
    p->key = NULL;
}

int eseal__demo_crl(X509_CRL **out, const eseal_demo_pair *ca, X509 *revoked,
    time_t revoked_at, time_t now, eseal_error *err)
{
    X509_CRL *crl = X509_CRL_new();
    X509_REVOKED *entry = NULL;
    ASN1_TIME *t = NULL;
    ASN1_ENUMERATED *reason = NULL;
    ASN1_INTEGER *number = NULL;
    X509_EXTENSION *aki = NULL;
    X509V3_CTX ctx;
    int rc = 0;

    *out = NULL;
    if (crl == NULL || X509_CRL_set_version(crl, X509_CRL_VERSION_2) != 1 ||
        X509_CRL_set_issuer_name(crl, X509_get_subject_name(ca->cert)) != 1 ||
        (t = X509_time_adj_ex(NULL, 0, -300, &now)) == NULL ||
        X509_CRL_set1_lastUpdate(crl, t) != 1 ||
        X509_time_adj_ex(t, 7, 0, &now) == NULL ||
        X509_CRL_set1_nextUpdate(crl, t) != 1)
        goto fail;
    if (revoked != NULL) {
        if ((entry = X509_REVOKED_new()) == NULL ||
            X509_REVOKED_set_serialNumber(entry,
                X509_get_serialNumber(revoked)) != 1 ||
            ASN1_TIME_set(t, revoked_at) == NULL ||
            X509_REVOKED_set_revocationDate(entry, t) != 1 ||
            (reason = ASN1_ENUMERATED_new()) == NULL ||
            ASN1_ENUMERATED_set(reason, CRL_REASON_KEY_COMPROMISE) != 1 ||
            X509_REVOKED_add1_ext_i2d(entry, NID_crl_reason, reason, 0,
                0) != 1 ||
            X509_CRL_add0_revoked(crl, entry) != 1)
            goto fail;
        entry = NULL; /* owned by crl now */
    }
    X509V3_set_ctx(&ctx, ca->cert, NULL, NULL, crl, 0);
    if ((aki = X509V3_EXT_nconf_nid(NULL, &ctx,
            NID_authority_key_identifier, "keyid:always")) == NULL ||
        X509_CRL_add_ext(crl, aki, -1) != 1 ||
        (number = ASN1_INTEGER_new()) == NULL ||
        ASN1_INTEGER_set(number, 1) != 1 ||
        X509_CRL_add1_ext_i2d(crl, NID_crl_number, number, 0, 0) != 1 ||
        X509_CRL_sort(crl) != 1 ||
        X509_CRL_sign(crl, ca->key, EVP_sha256()) <= 0)
        goto fail;
    *out = crl;
    crl = NULL;
    goto cleanup;
fail:
    rc = eseal__error_ossl(err, ESEAL_ECRYPTO, "demo-pki: cannot make a CRL");
cleanup:
    X509_CRL_free(crl);
    X509_REVOKED_free(entry);
    ASN1_TIME_free(t);
    ASN1_ENUMERATED_free(reason);
    ASN1_INTEGER_free(number);
    X509_EXTENSION_free(aki);
    return rc;
}
