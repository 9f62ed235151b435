/* eseal XAdES adapter - reading and checking XAdES qualifying properties:
 * SigningTime, SigningCertificateV2 (or v1) against the signer's
 * certificate, DataObjectFormat. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include "xml_int.h"

static void add_error(eseal_found_signature *f, const char *msg)
{
    (void)eseal__strlist_add(&f->errors, &f->n_errors, msg);
}

static void add_warning(eseal_found_signature *f, const char *msg)
{
    size_t i;

    for (i = 0; i < f->n_warnings; i++)
        if (strcmp(f->warnings[i], msg) == 0)
            return;
    (void)eseal__strlist_add(&f->warnings, &f->n_warnings, msg);
}

static int is_xades(xmlNodePtr n, const char *name)
{
    return eseal__xml_is(n, ESEAL_NS_XADES, name) ||
        eseal__xml_is(n, ESEAL_NS_XADES111, name);
}

static xmlNodePtr xchild(xmlNodePtr n, const char *name)
{
    xmlNodePtr c = eseal__xml_child(n, ESEAL_NS_XADES, name);

    return c != NULL ? c : eseal__xml_child(n, ESEAL_NS_XADES111, name);
}

/* ds:Object/xades:QualifyingProperties whose Target names this signature. */
static xmlNodePtr qualifying_properties(xmlNodePtr sig, int *target_ok)
{
    xmlChar *id = xmlGetProp(sig, BAD_CAST "Id");
    xmlNodePtr obj, qp, any = NULL;

    *target_ok = 0;
    for (obj = eseal__xml_child(sig, ESEAL_NS_DS, "Object"); obj != NULL;
         obj = eseal__xml_next(obj, ESEAL_NS_DS, "Object")) {
        for (qp = obj->children; qp != NULL; qp = qp->next) {
            xmlChar *target;

            if (!is_xades(qp, "QualifyingProperties"))
                continue;
            if (any == NULL)
                any = qp;
            target = xmlGetProp(qp, BAD_CAST "Target");
            if (id != NULL && target != NULL && target[0] == '#' &&
                strcmp((const char *)target + 1, (const char *)id) == 0) {
                xmlFree(target);
                xmlFree(id);
                *target_ok = 1;
                return qp;
            }
            xmlFree(target);
        }
    }
    xmlFree(id);
    return any;
}

static char *text_of(xmlNodePtr n)
{
    xmlChar *v = n ? xmlNodeGetContent(n) : NULL;
    char *s;

    if (v == NULL)
        return NULL;
    s = strdup((const char *)v);
    xmlFree(v);
    return s;
}

/* 1: the CertDigest names cert; 0: it does not; -1: unknown algorithm. */
static int cert_digest_matches(xmlNodePtr cd, X509 *cert, int *weak)
{
    xmlNodePtr dm = eseal__xml_child(cd, ESEAL_NS_DS, "DigestMethod");
    xmlNodePtr dv = eseal__xml_child(cd, ESEAL_NS_DS, "DigestValue");
    xmlChar *alg = dm ? xmlGetProp(dm, BAD_CAST "Algorithm") : NULL;
    const char *md_name = eseal__xml_digest_name((const char *)alg);
    unsigned char md[EVP_MAX_MD_SIZE], *der = NULL, *want = NULL;
    unsigned int md_len = 0;
    size_t want_len = 0;
    char *v = text_of(dv);
    EVP_MD *m = md_name ? EVP_MD_fetch(NULL, md_name, NULL) : NULL;
    int der_len, r = -1;

    if (m == NULL || v == NULL)
        goto cleanup;
    if (strcmp(md_name, "SHA1") == 0)
        *weak = 1;
    der_len = i2d_X509(cert, &der);
    if (der_len <= 0 ||
        EVP_Digest(der, (size_t)der_len, md, &md_len, m, NULL) != 1)
        goto cleanup;
    r = 0;
    if (eseal__xml_unbase64(&want, &want_len, v) == 0 &&
        want_len == md_len && memcmp(want, md, md_len) == 0)
        r = 1;
cleanup:
    EVP_MD_free(m);
    OPENSSL_free(der);
    free(want);
    free(v);
    xmlFree(alg);
    return r;
}

static xmlNodePtr signing_certificate(xmlNodePtr qp, int *v1)
{
    xmlNodePtr sp = xchild(qp, "SignedProperties");
    xmlNodePtr ssp = xchild(sp, "SignedSignatureProperties");
    xmlNodePtr sc = eseal__xml_child(ssp, ESEAL_NS_XADES,
        "SigningCertificateV2");

    *v1 = 0;
    if (sc != NULL)
        return sc;
    *v1 = 1;
    return xchild(ssp, "SigningCertificate");
}

int eseal__xml_signing_cert_index(xmlNodePtr sig, X509 **certs, size_t n)
{
    int target_ok, v1, weak = 0;
    xmlNodePtr qp = qualifying_properties(sig, &target_ok);
    xmlNodePtr sc = qp ? signing_certificate(qp, &v1) : NULL;
    xmlNodePtr c;
    size_t i;

    for (c = sc ? sc->children : NULL; c != NULL; c = c->next) {
        if (!is_xades(c, "Cert"))
            continue;
        for (i = 0; i < n; i++)
            if (cert_digest_matches(xchild(c, "CertDigest"), certs[i],
                    &weak) == 1)
                return (int)i;
    }
    return -1;
}

/* Compares a v1 IssuerSerial's serial number with the certificate's. */
static int serial_matches(xmlNodePtr is, X509 *cert)
{
    char *dec = text_of(eseal__xml_child(is, ESEAL_NS_DS,
        "X509SerialNumber"));
    BIGNUM *want = NULL, *have = ASN1_INTEGER_to_BN(
        X509_get0_serialNumber(cert), NULL);
    char *p;
    int r = 0;

    if (dec != NULL) {
        for (p = dec; *p && isspace((unsigned char)*p); p++)
            ;
        if (strlen(p) < 200 && BN_dec2bn(&want, p) > 0 && have != NULL)
            r = BN_cmp(want, have) == 0;
    }
    BN_free(want);
    BN_free(have);
    free(dec);
    return r;
}

static int issuer_serial_v2_matches(xmlNodePtr isv2, X509 *cert)
{
    char *v = text_of(isv2);
    unsigned char *got = NULL, *want = NULL;
    size_t got_len = 0, want_len = 0;
    int r = 0;

    if (v != NULL && eseal__xml_unbase64(&got, &got_len, v) == 0 &&
        eseal__xml_issuer_serial_der(&want, &want_len, cert) == 0)
        r = got_len == want_len && memcmp(got, want, got_len) == 0;
    free(v);
    free(got);
    free(want);
    return r;
}

static void check_signing_cert(eseal_xml_xades *x, xmlNodePtr sc, int v1,
    X509 *signer, eseal_found_signature *f)
{
    xmlNodePtr c;
    int weak = 0, unknown = 0, reported = 0;

    x->has_signing_cert = 1;
    x->signing_cert_v1 = v1;
    if (v1)
        add_warning(f, "the signature uses XAdES SigningCertificate (v1); "
            "ETSI EN 319 132-1 baseline signatures use "
            "SigningCertificateV2");
    if (signer == NULL)
        return;
    for (c = sc->children; c != NULL; c = c->next) {
        int m;

        if (!is_xades(c, "Cert"))
            continue;
        m = cert_digest_matches(xchild(c, "CertDigest"), signer, &weak);
        if (m < 0)
            unknown = 1;
        if (m != 1)
            continue;
        x->signing_cert_ok = 1;
        if (v1) {
            xmlNodePtr is = xchild(c, "IssuerSerial");

            if (is != NULL && !serial_matches(is, signer)) {
                x->signing_cert_ok = 0;
                reported = 1;
                add_error(f, "the XAdES SigningCertificate names another "
                    "serial number than the signing certificate's");
            }
        } else {
            xmlNodePtr is = eseal__xml_child(c, ESEAL_NS_XADES,
                "IssuerSerialV2");

            if (is != NULL && !issuer_serial_v2_matches(is, signer)) {
                x->signing_cert_ok = 0;
                reported = 1;
                add_error(f, "the XAdES IssuerSerialV2 does not match the "
                    "signing certificate's issuer and serial number");
            }
        }
        break;
    }
    if (weak)
        add_warning(f, "the XAdES signing certificate digest uses SHA-1 "
            "(weak)");
    if (!x->signing_cert_ok && !reported)
        add_error(f, unknown ? "the XAdES signing certificate digest uses "
            "an unknown algorithm" : "the XAdES signing certificate "
            "property does not name the certificate that made the "
            "signature");
}

void eseal__xml_check_xades(eseal_xml_xades *x, xmlNodePtr sig,
    X509 *signer, eseal_found_signature *f)
{
    int target_ok = 0, v1 = 0;
    xmlNodePtr qp, sp, ssp, st, sc, sdop;
    char *when;

    memset(x, 0, sizeof(*x));
    qp = qualifying_properties(sig, &target_ok);
    if (qp == NULL)
        return;
    x->present = 1;
    if (!target_ok)
        add_warning(f, "xades:QualifyingProperties/@Target does not name "
            "this signature");
    sp = xchild(qp, "SignedProperties");
    x->signed_props = sp;
    if (sp == NULL) {
        add_warning(f, "the XAdES properties have no SignedProperties");
        return;
    }
    ssp = xchild(sp, "SignedSignatureProperties");
    st = xchild(ssp, "SigningTime");
    when = text_of(st);
    if (when != NULL) {
        int zone = 0;

        if (eseal__xml_parse_datetime(&x->signing_time, &zone, when) < 0) {
            add_warning(f, "the XAdES SigningTime is not a valid date and "
                "time");
            x->signing_time = 0;
        } else if (!zone) {
            add_warning(f, "the XAdES SigningTime has no time zone (read "
                "as UTC)");
        }
        free(when);
    }
    sc = signing_certificate(qp, &v1);
    if (sc != NULL)
        check_signing_cert(x, sc, v1, signer, f);
    sdop = xchild(sp, "SignedDataObjectProperties");
    x->has_data_object_format = xchild(sdop, "DataObjectFormat") != NULL;
}
