/* eseal XAdES adapter - algorithms and the text of the ds:Signature with
 * its XAdES SignedProperties (baseline B-B, ETSI EN 319 132-1). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include "xml_int.h"

/* ---- algorithms -------------------------------------------------------------- */

const char *eseal__xml_digest_uri(const char *md_name)
{
    if (md_name == NULL)
        return NULL;
    if (strcmp(md_name, "SHA256") == 0)
        return "http://www.w3.org/2001/04/xmlenc#sha256";
    if (strcmp(md_name, "SHA384") == 0)
        return "http://www.w3.org/2001/04/xmldsig-more#sha384";
    if (strcmp(md_name, "SHA512") == 0)
        return "http://www.w3.org/2001/04/xmlenc#sha512";
    return NULL;
}

const char *eseal__xml_digest_name(const char *uri)
{
    static const struct {
        const char *uri, *name;
    } t[] = {
        { "http://www.w3.org/2001/04/xmlenc#sha256", "SHA256" },
        { "http://www.w3.org/2001/04/xmldsig-more#sha384", "SHA384" },
        { "http://www.w3.org/2001/04/xmlenc#sha512", "SHA512" },
        { "http://www.w3.org/2001/04/xmldsig-more#sha224", "SHA224" },
        { "http://www.w3.org/2000/09/xmldsig#sha1", "SHA1" },
    };
    size_t i;

    for (i = 0; uri != NULL && i < sizeof(t) / sizeof(t[0]); i++)
        if (strcmp(uri, t[i].uri) == 0)
            return t[i].name;
    return NULL;
}

int eseal__xml_algorithms(eseal_xml_sig_params *p, const eseal_sealer *s,
    const char *c14n_opt, eseal_error *err)
{
    const char *md = eseal__sealer_md_name(s);
    int type = eseal__sealer_key_type(s);
    int bits = strcmp(md, "SHA512") == 0 ? 512 :
               strcmp(md, "SHA384") == 0 ? 384 : 256;

    p->md_name = md;
    p->digest_uri = eseal__xml_digest_uri(md);
    if (p->digest_uri == NULL)
        return eseal__error_set(err, ESEAL_EUNSUPPORTED,
            "digest %s is not supported for XML signatures", md);
    if (type == EVP_PKEY_RSA_PSS ||
        (type == EVP_PKEY_RSA && eseal__sealer_rsa_pss(s))) {
        p->sig_uri = bits == 512 ? ESEAL_ALG_PSS_SHA512 :
                     bits == 384 ? ESEAL_ALG_PSS_SHA384 :
                                   ESEAL_ALG_PSS_SHA256;
    } else if (type == EVP_PKEY_RSA) {
        p->sig_uri = bits == 512 ?
            "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512" :
            bits == 384 ?
            "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384" :
            "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
    } else if (type == EVP_PKEY_EC) {
        p->sig_uri = bits == 512 ?
            "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512" :
            bits == 384 ?
            "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384" :
            "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256";
    } else {
        return eseal__error_set(err, ESEAL_EUNSUPPORTED,
            "this key type cannot make XML signatures (RSA or ECDSA only)");
    }
    if (c14n_opt == NULL || strcmp(c14n_opt, "exc") == 0)
        p->c14n_uri = ESEAL_ALG_EXC_C14N;
    else if (strcmp(c14n_opt, "c14n") == 0)
        p->c14n_uri = ESEAL_ALG_C14N;
    else if (strcmp(c14n_opt, "c14n11") == 0)
        p->c14n_uri = ESEAL_ALG_C14N11;
    else
        return eseal__error_set(err, ESEAL_EINVAL, "unknown "
            "canonicalization '%s' (exc, c14n, c14n11)", c14n_opt);
    return 0;
}

/* ---- small encoders ------------------------------------------------------------ */

char *eseal__xml_base64(const unsigned char *data, size_t len)
{
    size_t cap = 4 * ((len + 2) / 3) + 1;
    char *out = malloc(cap);

    if (out == NULL)
        return NULL;
    if (len > 0x7fffffff) {
        free(out);
        return NULL;
    }
    EVP_EncodeBlock((unsigned char *)out, data, (int)len);
    return out;
}

int eseal__xml_unbase64(unsigned char **out, size_t *out_len,
    const char *text)
{
    size_t n = strlen(text), i, k = 0, pad = 0;
    char *clean = malloc(n + 1);
    unsigned char *bin = NULL;
    int got;

    *out = NULL;
    *out_len = 0;
    if (clean == NULL)
        return ESEAL_ENOMEM;
    for (i = 0; i < n; i++)
        if (!isspace((unsigned char)text[i]))
            clean[k++] = text[i];
    clean[k] = '\0';
    if (k % 4 != 0 || k > 0x7ffffff0) {
        free(clean);
        return ESEAL_EFORMAT;
    }
    if (k > 0 && clean[k - 1] == '=')
        pad++;
    if (k > 1 && clean[k - 2] == '=')
        pad++;
    bin = malloc(k / 4 * 3 + 1);
    if (bin == NULL) {
        free(clean);
        return ESEAL_ENOMEM;
    }
    got = EVP_DecodeBlock(bin, (unsigned char *)clean, (int)k);
    free(clean);
    if (got < 0 || (size_t)got < pad) {
        free(bin);
        return ESEAL_EFORMAT;
    }
    *out = bin;
    *out_len = (size_t)got - pad;
    return 0;
}

int eseal__xml_ecdsa_der_to_raw(unsigned char **out, size_t *out_len,
    const unsigned char *der, size_t der_len, int key_bits,
    eseal_error *err)
{
    const unsigned char *p = der;
    ECDSA_SIG *sig = d2i_ECDSA_SIG(NULL, &p, (long)der_len);
    const BIGNUM *r, *s;
    size_t half = ((size_t)key_bits + 7) / 8;
    unsigned char *raw = NULL;
    int rc = 0;

    *out = NULL;
    *out_len = 0;
    if (sig == NULL || p != der + der_len) {
        rc = eseal__error_ossl(err, ESEAL_ECRYPTO,
            "the ECDSA signature is not DER");
        goto cleanup;
    }
    ECDSA_SIG_get0(sig, &r, &s);
    raw = malloc(2 * half);
    if (raw == NULL) {
        rc = eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
        goto cleanup;
    }
    if (BN_bn2binpad(r, raw, (int)half) < 0 ||
        BN_bn2binpad(s, raw + half, (int)half) < 0) {
        rc = eseal__error_ossl(err, ESEAL_ECRYPTO,
            "the ECDSA signature does not fit the key size");
        goto cleanup;
    }
    *out = raw;
    *out_len = 2 * half;
    raw = NULL;
cleanup:
    free(raw);
    ECDSA_SIG_free(sig);
    return rc;
}

/* DER: tag, length, contents. */
static void der_tlv(eseal_buf *b, unsigned char tag, const unsigned char *c,
    size_t len)
{
    unsigned char hdr[6];
    size_t h = 0;

    hdr[h++] = tag;
    if (len < 0x80) {
        hdr[h++] = (unsigned char)len;
    } else if (len < 0x100) {
        hdr[h++] = 0x81;
        hdr[h++] = (unsigned char)len;
    } else if (len < 0x10000) {
        hdr[h++] = 0x82;
        hdr[h++] = (unsigned char)(len >> 8);
        hdr[h++] = (unsigned char)len;
    } else {
        hdr[h++] = 0x83;
        hdr[h++] = (unsigned char)(len >> 16);
        hdr[h++] = (unsigned char)(len >> 8);
        hdr[h++] = (unsigned char)len;
    }
    eseal__buf_append(b, hdr, h);
    eseal__buf_append(b, c, len);
}

int eseal__xml_issuer_serial_der(unsigned char **out, size_t *out_len,
    X509 *cert)
{
    unsigned char *name = NULL, *serial = NULL;
    int name_len = i2d_X509_NAME(X509_get_issuer_name(cert), &name);
    int serial_len = i2d_ASN1_INTEGER(X509_get0_serialNumber(cert), &serial);
    eseal_buf dn = { 0 }, gns = { 0 }, body = { 0 }, all = { 0 };
    int rc = ESEAL_ENOMEM;

    *out = NULL;
    *out_len = 0;
    if (name_len <= 0 || serial_len <= 0)
        goto cleanup;
    der_tlv(&dn, 0xA4, name, (size_t)name_len);      /* directoryName */
    der_tlv(&gns, 0x30, (unsigned char *)dn.data, dn.len); /* GeneralNames */
    eseal__buf_append(&body, gns.data, gns.len);
    eseal__buf_append(&body, serial, (size_t)serial_len);
    der_tlv(&all, 0x30, (unsigned char *)body.data, body.len);
    if (all.failed || dn.failed || gns.failed || body.failed)
        goto cleanup;
    *out = (unsigned char *)eseal__buf_steal(&all, out_len);
    rc = *out != NULL ? 0 : ESEAL_ENOMEM;
cleanup:
    OPENSSL_free(name);
    OPENSSL_free(serial);
    eseal__buf_free(&dn);
    eseal__buf_free(&gns);
    eseal__buf_free(&body);
    eseal__buf_free(&all);
    return rc;
}

/* ---- times ------------------------------------------------------------------- */

void eseal__xml_datetime(char out[21], time_t t)
{
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int digits(const char *s, int n, int *v)
{
    int i;

    *v = 0;
    for (i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return -1;
        *v = *v * 10 + (s[i] - '0');
    }
    return 0;
}

int eseal__xml_parse_datetime(time_t *out, int *had_zone, const char *s)
{
    struct tm tm;
    int y, mo, d, h, mi, sec, zh = 0, zm = 0, sign = 0;
    time_t t;

    *out = 0;
    *had_zone = 0;
    while (isspace((unsigned char)*s))
        s++;
    if (strlen(s) < 19 || digits(s, 4, &y) || s[4] != '-' ||
        digits(s + 5, 2, &mo) || s[7] != '-' || digits(s + 8, 2, &d) ||
        s[10] != 'T' || digits(s + 11, 2, &h) || s[13] != ':' ||
        digits(s + 14, 2, &mi) || s[16] != ':' || digits(s + 17, 2, &sec))
        return -1;
    s += 19;
    if (*s == '.') {
        s++;
        while (isdigit((unsigned char)*s))
            s++;
    }
    if (*s == 'Z') {
        *had_zone = 1;
        s++;
    } else if (*s == '+' || *s == '-') {
        sign = *s == '+' ? 1 : -1;
        if (digits(s + 1, 2, &zh) || s[3] != ':' || digits(s + 4, 2, &zm))
            return -1;
        *had_zone = 1;
        s += 6;
    }
    while (isspace((unsigned char)*s))
        s++;
    if (*s != '\0' || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 24 ||
        mi > 59 || sec > 60 || y < 1970)
        return -1;
    memset(&tm, 0, sizeof(tm));
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec;
    t = timegm(&tm);
    if (t == (time_t)-1)
        return -1;
    *out = t - sign * (zh * 3600 + zm * 60);
    return 0;
}

/* ---- rendering ----------------------------------------------------------------- */

/* Appends UTF-8 text as ASCII: markup characters and everything beyond
 * ASCII become character references, so the bytes are the same in every
 * ASCII-compatible document encoding. */
static void put_text(eseal_buf *b, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;

    while (*p != '\0') {
        unsigned long cp = *p;
        int extra = 0, i;

        if (cp < 0x80) {
            if (cp == '&')
                eseal__buf_puts(b, "&amp;");
            else if (cp == '<')
                eseal__buf_puts(b, "&lt;");
            else if (cp == '>')
                eseal__buf_puts(b, "&gt;");
            else if (cp == '"')
                eseal__buf_puts(b, "&quot;");
            else if (cp < 0x20 && cp != '\t' && cp != '\n')
                eseal__buf_puts(b, "?");
            else
                eseal__buf_append(b, p, 1);
            p++;
            continue;
        }
        if ((cp & 0xE0) == 0xC0) {
            cp &= 0x1F;
            extra = 1;
        } else if ((cp & 0xF0) == 0xE0) {
            cp &= 0x0F;
            extra = 2;
        } else if ((cp & 0xF8) == 0xF0) {
            cp &= 0x07;
            extra = 3;
        } else {
            eseal__buf_puts(b, "?");
            p++;
            continue;
        }
        for (i = 1; i <= extra; i++) {
            if ((p[i] & 0xC0) != 0x80)
                break;
            cp = (cp << 6) | (p[i] & 0x3F);
        }
        if (i <= extra || cp > 0x10FFFF || (cp >= 0xD800 && cp < 0xE000)) {
            eseal__buf_puts(b, "?");
            p++;
            continue;
        }
        eseal__buf_printf(b, "&#x%lX;", cp);
        p += extra + 1;
    }
}

static int is_oid(const char *s)
{
    int dots = 0;

    if (!isdigit((unsigned char)*s))
        return 0;
    for (; *s; s++) {
        if (*s == '.')
            dots++;
        else if (!isdigit((unsigned char)*s))
            return 0;
    }
    return dots > 0;
}

static void put_digest(eseal_buf *b, const char *uri, const char *value,
    const char *eol)
{
    eseal__buf_printf(b, "<ds:DigestMethod Algorithm=\"%s\"/>%s"
        "<ds:DigestValue>%s</ds:DigestValue>", uri, eol,
        value ? value : "");
}

static int put_signing_cert(eseal_buf *b, const eseal_xml_sig_params *p)
{
    unsigned char md[EVP_MAX_MD_SIZE], *der = NULL, *is = NULL;
    unsigned int md_len = 0;
    int der_len = i2d_X509(p->cert, &der);
    size_t is_len = 0;
    EVP_MD *alg = EVP_MD_fetch(NULL, p->md_name, NULL);
    char *b64 = NULL, *is64 = NULL;
    int rc = ESEAL_ECRYPTO;

    if (der_len <= 0 || alg == NULL ||
        EVP_Digest(der, (size_t)der_len, md, &md_len, alg, NULL) != 1)
        goto cleanup;
    rc = ESEAL_ENOMEM;
    if ((b64 = eseal__xml_base64(md, md_len)) == NULL)
        goto cleanup;
    eseal__buf_printf(b, "<xades:SigningCertificate%s>%s<xades:Cert>%s"
        "<xades:CertDigest>", p->signing_certificate_v1 ? "" : "V2",
        p->eol, p->eol);
    put_digest(b, p->digest_uri, b64, "");
    eseal__buf_puts(b, "</xades:CertDigest>");
    if (p->signing_certificate_v1) {
        BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(p->cert),
            NULL);
        char *dec = bn ? BN_bn2dec(bn) : NULL;
        BIO *mem = BIO_new(BIO_s_mem());
        char *name = NULL;
        long nl;

        if (mem != NULL && X509_NAME_print_ex(mem,
                X509_get_issuer_name(p->cert), 0,
                XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) >= 0) {
            BIO_write(mem, "", 1);
            nl = BIO_get_mem_data(mem, &name);
            (void)nl;
        }
        if (dec != NULL && name != NULL) {
            eseal__buf_puts(b, "<xades:IssuerSerial><ds:X509IssuerName>");
            put_text(b, name);
            eseal__buf_printf(b, "</ds:X509IssuerName><ds:X509SerialNumber>"
                "%s</ds:X509SerialNumber></xades:IssuerSerial>", dec);
            rc = 0;
        }
        OPENSSL_free(dec);
        BN_free(bn);
        BIO_free(mem);
        if (rc < 0)
            goto cleanup;
    } else {
        if (eseal__xml_issuer_serial_der(&is, &is_len, p->cert) < 0 ||
            (is64 = eseal__xml_base64(is, is_len)) == NULL)
            goto cleanup;
        eseal__buf_printf(b, "<xades:IssuerSerialV2>%s</xades:IssuerSerialV2>",
            is64);
    }
    eseal__buf_printf(b, "</xades:Cert>%s</xades:SigningCertificate%s>%s",
        p->eol, p->signing_certificate_v1 ? "" : "V2", p->eol);
    rc = 0;
cleanup:
    EVP_MD_free(alg);
    OPENSSL_free(der);
    free(is);
    free(b64);
    free(is64);
    return rc;
}

static void put_policy(eseal_buf *b, const eseal_xml_sig_params *p)
{
    eseal__buf_printf(b, "<xades:SignaturePolicyIdentifier>%s"
        "<xades:SignaturePolicyId>%s<xades:SigPolicyId>", p->eol, p->eol);
    if (is_oid(p->policy_id)) {
        eseal__buf_puts(b, "<xades:Identifier Qualifier=\"OIDAsURN\">"
            "urn:oid:");
    } else {
        eseal__buf_puts(b, "<xades:Identifier>");
    }
    put_text(b, p->policy_id);
    eseal__buf_printf(b, "</xades:Identifier></xades:SigPolicyId>%s"
        "<xades:SigPolicyHash>", p->eol);
    put_digest(b, "http://www.w3.org/2001/04/xmlenc#sha256", p->policy_hash,
        "");
    eseal__buf_printf(b, "</xades:SigPolicyHash>%s</xades:SignaturePolicyId>"
        "%s</xades:SignaturePolicyIdentifier>%s", p->eol, p->eol, p->eol);
}

static void put_transforms(eseal_buf *b, const eseal_xml_sig_params *p)
{
    eseal__buf_printf(b, "<ds:Transforms>%s", p->eol);
    switch (p->transform) {
    case ESEAL_XML_T_COSEAL:
        eseal__buf_printf(b, "<ds:Transform Algorithm=\"%s\">"
            "<dsig-xpath:XPath xmlns:dsig-xpath=\"%s\" Filter=\"subtract\">"
            "//ds:Signature</dsig-xpath:XPath></ds:Transform>%s",
            ESEAL_ALG_XPATH2, ESEAL_NS_XPATH2, p->eol);
        break;
    case ESEAL_XML_T_UBL:
        eseal__buf_printf(b, "<ds:Transform Algorithm=\"%s\">"
            "<dsig-xpath:XPath xmlns:dsig-xpath=\"%s\" xmlns:sig=\"%s\" "
            "Filter=\"subtract\">//sig:UBLDocumentSignatures | //ds:Signature"
            "</dsig-xpath:XPath></ds:Transform>%s", ESEAL_ALG_XPATH2,
            ESEAL_NS_XPATH2, ESEAL_NS_UBL_SIG, p->eol);
        break;
    default:
        eseal__buf_printf(b, "<ds:Transform Algorithm=\"%s\"/>%s",
            ESEAL_ALG_ENVELOPED, p->eol);
        break;
    }
    eseal__buf_printf(b, "<ds:Transform Algorithm=\"%s\"/>%s"
        "</ds:Transforms>%s", p->c14n_uri, p->eol, p->eol);
}

static int put_cert(eseal_buf *b, X509 *cert, const char *eol)
{
    unsigned char *der = NULL;
    int len = i2d_X509(cert, &der);
    char *b64;

    if (len <= 0)
        return ESEAL_ECRYPTO;
    b64 = eseal__xml_base64(der, (size_t)len);
    OPENSSL_free(der);
    if (b64 == NULL)
        return ESEAL_ENOMEM;
    eseal__buf_printf(b, "<ds:X509Certificate>%s</ds:X509Certificate>%s",
        b64, eol);
    free(b64);
    return 0;
}

int eseal__xml_render_signature(char **out, size_t *out_len,
    const eseal_xml_sig_params *p, const char *doc_digest,
    const char *props_digest, const char *sig_value, eseal_error *err)
{
    eseal_buf b = { 0 };
    const char *nl = p->eol;
    char when[21];
    int i, rc;

    *out = NULL;
    *out_len = 0;
    eseal__buf_printf(&b, "<ds:Signature xmlns:ds=\"%s\" Id=\"%s\">%s"
        "<ds:SignedInfo>%s<ds:CanonicalizationMethod Algorithm=\"%s\"/>%s"
        "<ds:SignatureMethod Algorithm=\"%s\"/>%s"
        "<ds:Reference Id=\"%s-ref0\" URI=\"\">%s",
        ESEAL_NS_DS, p->id, nl, nl, p->c14n_uri, nl, p->sig_uri, nl, p->id,
        nl);
    put_transforms(&b, p);
    put_digest(&b, p->digest_uri, doc_digest, nl);
    eseal__buf_printf(&b, "%s</ds:Reference>%s<ds:Reference Type=\"%s\" "
        "URI=\"#%s-signedprops\">%s<ds:Transforms><ds:Transform "
        "Algorithm=\"%s\"/></ds:Transforms>%s", nl, nl,
        ESEAL_TYPE_SIGNED_PROPS, p->id, nl, p->c14n_uri, nl);
    put_digest(&b, p->digest_uri, props_digest, nl);
    eseal__buf_printf(&b, "%s</ds:Reference>%s</ds:SignedInfo>%s"
        "<ds:SignatureValue Id=\"%s-sigvalue\">%s</ds:SignatureValue>%s"
        "<ds:KeyInfo>%s<ds:X509Data>%s", nl, nl, nl, p->id,
        sig_value ? sig_value : "", nl, nl, nl);
    if ((rc = put_cert(&b, p->cert, nl)) < 0)
        goto fail;
    for (i = 0; p->chain != NULL && i < sk_X509_num(p->chain); i++)
        if ((rc = put_cert(&b, sk_X509_value(p->chain, i), nl)) < 0)
            goto fail;
    eseal__xml_datetime(when, p->signing_time);
    eseal__buf_printf(&b, "</ds:X509Data>%s</ds:KeyInfo>%s<ds:Object>"
        "<xades:QualifyingProperties xmlns:xades=\"%s\" Target=\"#%s\">%s"
        "<xades:SignedProperties Id=\"%s-signedprops\">%s"
        "<xades:SignedSignatureProperties>%s"
        "<xades:SigningTime>%s</xades:SigningTime>%s",
        nl, nl, ESEAL_NS_XADES, p->id, nl, p->id, nl, nl, when, nl);
    if ((rc = put_signing_cert(&b, p)) < 0)
        goto fail;
    if (p->policy_id != NULL)
        put_policy(&b, p);
    eseal__buf_printf(&b, "</xades:SignedSignatureProperties>%s"
        "<xades:SignedDataObjectProperties>%s<xades:DataObjectFormat "
        "ObjectReference=\"#%s-ref0\"><xades:MimeType>%s</xades:MimeType>"
        "</xades:DataObjectFormat>%s</xades:SignedDataObjectProperties>%s"
        "</xades:SignedProperties>%s</xades:QualifyingProperties></ds:Object>"
        "%s</ds:Signature>", nl, nl, p->id, p->mime_type, nl, nl, nl, nl);
    if (b.failed) {
        rc = ESEAL_ENOMEM;
        goto fail;
    }
    *out = eseal__buf_steal(&b, out_len);
    return 0;
fail:
    eseal__buf_free(&b);
    return rc == ESEAL_ENOMEM ?
        eseal__error_set(err, rc, "out of memory") :
        eseal__error_ossl(err, rc, "cannot encode the signing certificate");
}
