/*
 * eseal - reading an e-Seal certificate: names, organization identifiers,
 * key, extensions (ETSI EN 319 412-1/-3/-5, the Japanese e-Seal guidelines)
 * and the warnings that make it unfit for sealing.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include "certinfo_build.h"
#include "certinfo_int.h"
#include "orgid.h"

#define MAX_ITEMS ESEAL_CI_MAX_ITEMS
#define MAX_ORG_IDS ESEAL_CI_MAX_ORG_IDS
#define MAX_CHAIN_COUNT 100 /* certificates counted in a PEM file */

/* ---- small helpers ---------------------------------------------------- */

char *eseal__ci_keep(eseal_ci *b, char *s)
{
    if (s == NULL)
        b->oom = 1;
    return s;
}

char *eseal__ci_dup(eseal_ci *b, const char *s)
{
    return eseal__ci_keep(b, eseal__strdup(s));
}

void eseal__ci_add(eseal_ci *b, char ***list, size_t *n, const char *s)
{
    if (s == NULL) {
        b->oom = 1;
        return;
    }
    if (*n >= MAX_ITEMS) {
        b->truncated = 1;
        return;
    }
    if (eseal__strlist_add(list, n, s) < 0)
        b->oom = 1;
}

/* Adds s and frees it. */
void eseal__ci_add_own(eseal_ci *b, char ***list, size_t *n, char *s)
{
    eseal__ci_add(b, list, n, s);
    free(s);
}

static void vfinding(eseal_ci *b, eseal_cert_warning **arr, size_t *n,
    const char *code, const char *fmt, va_list ap)
{
    eseal_cert_warning *grown;
    char *text = NULL;
    va_list cp;
    int len;

    if (*n >= MAX_ITEMS) {
        b->truncated = 1;
        return;
    }
    va_copy(cp, ap);
    len = vsnprintf(NULL, 0, fmt, cp);
    va_end(cp);
    if (len >= 0 && (text = malloc((size_t)len + 1)) != NULL)
        vsnprintf(text, (size_t)len + 1, fmt, ap);
    if (text == NULL) {
        b->oom = 1;
        return;
    }
    grown = realloc(*arr, (*n + 1) * sizeof(**arr));
    if (grown == NULL) {
        free(text);
        b->oom = 1;
        return;
    }
    grown[*n].code = code;
    grown[*n].message = text;
    *arr = grown;
    (*n)++;
}

void eseal__ci_warn(eseal_ci *b, const char *code, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vfinding(b, &b->info->warnings, &b->info->n_warnings, code, fmt, ap);
    va_end(ap);
}

void eseal__ci_note(eseal_ci *b, const char *code, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vfinding(b, &b->info->notes, &b->info->n_notes, code, fmt, ap);
    va_end(ap);
}

/* An ASN.1 string as UTF-8; NUL bytes inside become '?'. */
char *eseal__ci_text(eseal_ci *b, const ASN1_STRING *s)
{
    unsigned char *u = NULL;
    char *out;
    int len, i;

    if (s == NULL)
        return NULL;
    len = ASN1_STRING_to_UTF8(&u, s);
    if (len < 0) {
        ERR_clear_error();
        return eseal__ci_dup(b, "(undecodable string)");
    }
    for (i = 0; i < len; i++)
        if (u[i] == '\0')
            u[i] = '?';
    out = eseal__ci_keep(b, eseal__strndup((const char *)u, (size_t)len));
    OPENSSL_free(u);
    return out;
}

/* Dotted text of an OID. */
char *eseal__ci_oid(eseal_ci *b, const ASN1_OBJECT *o)
{
    char *s;
    int n;

    n = OBJ_obj2txt(NULL, 0, o, 1);
    if (n <= 0)
        return eseal__ci_dup(b, "(bad OID)");
    s = eseal__ci_keep(b, malloc((size_t)n + 1));
    if (s != NULL)
        OBJ_obj2txt(s, n + 1, o, 1);
    return s;
}

int eseal__ci_oid_is(const ASN1_OBJECT *o, const char *dotted)
{
    char buf[80];
    int n = OBJ_obj2txt(buf, sizeof(buf), o, 1);

    return n > 0 && (size_t)n < sizeof(buf) && strcmp(buf, dotted) == 0;
}

/* A name in RFC 2253 order, UTF-8 kept as is, control characters escaped. */
char *eseal__ci_name(eseal_ci *b, const X509_NAME *name)
{
    unsigned long flags = XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB;
    BIO *bio = BIO_new(BIO_s_mem());
    char *data, *out = NULL;
    long len;

    if (bio == NULL) {
        b->oom = 1;
        return NULL;
    }
    if (X509_NAME_print_ex(bio, name, 0, flags) >= 0) {
        len = BIO_get_mem_data(bio, &data);
        out = eseal__ci_keep(b, eseal__strndup(len > 0 ? data : "",
            len > 0 ? (size_t)len : 0));
    } else {
        out = eseal__ci_dup(b, "(unprintable name)");
    }
    BIO_free(bio);
    ERR_clear_error();
    return out;
}

/* The first value of an attribute in a name, or NULL. */
static char *name_entry(eseal_ci *b, const X509_NAME *name, int nid)
{
    int i = X509_NAME_get_index_by_NID(name, nid, -1);

    if (i < 0)
        return NULL;
    return eseal__ci_text(b, X509_NAME_ENTRY_get_data(
        X509_NAME_get_entry(name, i)));
}

static char *hex_colon(eseal_ci *b, const ASN1_OCTET_STRING *os)
{
    char *h, *out;

    if (os == NULL)
        return NULL;
    if (os->length == 0)
        return eseal__ci_dup(b, "");
    h = OPENSSL_buf2hexstr(os->data, os->length);
    out = eseal__ci_dup(b, h != NULL ? h : NULL);
    OPENSSL_free(h);
    return out;
}

static time_t asn1_time(const ASN1_TIME *t)
{
    struct tm tm;

    memset(&tm, 0, sizeof(tm));
    if (t == NULL || !ASN1_TIME_to_tm(t, &tm)) {
        ERR_clear_error();
        return 0;
    }
    return timegm(&tm);
}

/*
 * Decodes the extension nid.  Reports a malformed or repeated extension as
 * a warning; returns NULL when absent or unusable.
 */
void *eseal__ci_get_ext(eseal_ci *b, X509 *x, int nid, const char *what)
{
    int crit = -1;
    void *p = X509_get_ext_d2i(x, nid, &crit, NULL);

    if (p == NULL && crit == -2)
        eseal__ci_warn(b, "malformed",
            "the %s extension appears more than once", what);
    else if (p == NULL && crit >= 0)
        eseal__ci_warn(b, "malformed", "the %s extension is malformed", what);
    if (p == NULL && crit != -1)
        b->malformed = 1;
    ERR_clear_error();
    return p;
}

/* The extension with the OID, or NULL; a repeated one is reported. */
X509_EXTENSION *eseal__ci_find_ext(eseal_ci *b, X509 *x, const char *oid,
    const char *what)
{
    ASN1_OBJECT *obj = OBJ_txt2obj(oid, 1);
    int i;
    X509_EXTENSION *ext = NULL;

    if (obj == NULL) {
        b->oom = 1;
        return NULL;
    }
    i = X509_get_ext_by_OBJ(x, obj, -1);
    if (i >= 0) {
        ext = X509_get_ext(x, i);
        if (X509_get_ext_by_OBJ(x, obj, i) >= 0) {
            eseal__ci_warn(b, "malformed",
                "the %s extension appears more than once", what);
            b->malformed = 1;
        }
    }
    ASN1_OBJECT_free(obj);
    return ext;
}

/* ---- subject and identifiers ---------------------------------------- */

static void read_names(eseal_ci *b, X509 *x)
{
    eseal_cert_info *info = b->info;
    const X509_NAME *subj = X509_get_subject_name(x);
    const ASN1_INTEGER *serial = X509_get0_serialNumber(x);
    BIGNUM *bn = ASN1_INTEGER_to_BN(serial, NULL);
    char *hex = bn != NULL ? BN_bn2hex(bn) : NULL;
    eseal_error err = { 0, "" };
    int i = -1;

    info->subject = eseal__ci_name(b, subj);
    info->issuer = eseal__ci_name(b, X509_get_issuer_name(x));
    info->serial = eseal__ci_dup(b, hex != NULL ? hex : NULL);
    OPENSSL_free(hex);
    BN_free(bn);
    info->common_name = name_entry(b, subj, NID_commonName);
    info->organization = name_entry(b, subj, NID_organizationName);
    info->organizational_unit = name_entry(b, subj,
        NID_organizationalUnitName);
    info->country = name_entry(b, subj, NID_countryName);
    info->not_before = asn1_time(X509_get0_notBefore(x));
    info->not_after = asn1_time(X509_get0_notAfter(x));

    while ((i = X509_NAME_get_index_by_NID(subj, NID_organizationIdentifier,
                i)) >= 0) {
        char *v;

        if (info->n_org_ids >= MAX_ORG_IDS) {
            b->truncated = 1;
            break;
        }
        v = eseal__ci_text(b, X509_NAME_ENTRY_get_data(
            X509_NAME_get_entry(subj, i)));
        if (v == NULL)
            break;
        if (eseal_org_id_parse(&info->org_ids[info->n_org_ids], v, &err)
            < 0)
            b->oom = 1;
        else
            info->n_org_ids++;
        free(v);
    }
}

/* ---- key and signature ------------------------------------------------ */

static void read_key(eseal_ci *b, X509 *x)
{
    eseal_cert_info *info = b->info;
    EVP_PKEY *pk = X509_get0_pubkey(x);
    char group[64];
    int nid;

    if (pk == NULL) {
        ASN1_OBJECT *alg = NULL;

        ERR_clear_error();
        X509_PUBKEY_get0_param(&alg, NULL, NULL, NULL,
            X509_get_X509_PUBKEY(x));
        info->key_type = alg != NULL ? eseal__ci_oid(b, alg)
                                     : eseal__ci_dup(b, "unknown");
        eseal__ci_warn(b, "key_unreadable", "the public key cannot be read");
        return;
    }
    switch (EVP_PKEY_get_base_id(pk)) {
    case EVP_PKEY_RSA: info->key_type = eseal__ci_dup(b, "RSA"); break;
    case EVP_PKEY_RSA_PSS: info->key_type = eseal__ci_dup(b, "RSA-PSS"); break;
    case EVP_PKEY_EC: info->key_type = eseal__ci_dup(b, "EC"); break;
    case EVP_PKEY_DSA: info->key_type = eseal__ci_dup(b, "DSA"); break;
    case EVP_PKEY_ED25519: info->key_type = eseal__ci_dup(b, "Ed25519"); break;
    case EVP_PKEY_ED448: info->key_type = eseal__ci_dup(b, "Ed448"); break;
    default:
        info->key_type = eseal__ci_dup(b, EVP_PKEY_get0_type_name(pk) != NULL ?
            EVP_PKEY_get0_type_name(pk) : "unknown");
    }
    info->key_bits = EVP_PKEY_get_bits(pk);
    if (EVP_PKEY_get_base_id(pk) == EVP_PKEY_EC &&
        EVP_PKEY_get_utf8_string_param(pk, OSSL_PKEY_PARAM_GROUP_NAME,
            group, sizeof(group), NULL)) {
        const char *nist = NULL;

        nid = OBJ_txt2nid(group);
        if (nid != NID_undef)
            nist = EC_curve_nid2nist(nid);
        info->key_curve = eseal__ci_dup(b, nist != NULL ? nist : group);
    }
    ERR_clear_error();
    if (info->key_bits > 0 &&
        ((strcmp(info->key_type, "RSA") == 0 ||
          strcmp(info->key_type, "RSA-PSS") == 0 ||
          strcmp(info->key_type, "DSA") == 0) ? info->key_bits < 2048
        : strcmp(info->key_type, "EC") == 0 ? info->key_bits < 256 : 0))
        eseal__ci_warn(b, "weak_key",
            "the %s key has only %d bits", info->key_type, info->key_bits);
}

static void read_signature(eseal_ci *b, X509 *x)
{
    const X509_ALGOR *alg = NULL;
    const ASN1_OBJECT *obj = NULL;
    char buf[128];
    int mdnid = NID_undef, pknid, secbits;
    uint32_t flags;

    X509_get0_signature(NULL, &alg, x);
    if (alg != NULL)
        X509_ALGOR_get0(&obj, NULL, NULL, alg);
    if (obj != NULL && OBJ_obj2txt(buf, sizeof(buf), obj, 0) > 0)
        b->info->signature_algorithm = eseal__ci_dup(b, buf);
    if (X509_get_signature_info(x, &mdnid, &pknid, &secbits, &flags)) {
        if (mdnid == NID_sha1 || mdnid == NID_md5 || mdnid == NID_md4 ||
            mdnid == NID_md2 || mdnid == NID_md5_sha1)
            eseal__ci_warn(b, "weak_signature",
                "the certificate is signed with %s, "
                "which is no longer secure", OBJ_nid2sn(mdnid));
    }
    ERR_clear_error();
}

/* ---- usages and constraints ------------------------------------------ */

static const struct {
    unsigned int bit;
    const char *name;
} ku_names[] = {
    { KU_DIGITAL_SIGNATURE, "digitalSignature" },
    { KU_NON_REPUDIATION, "nonRepudiation" },
    { KU_KEY_ENCIPHERMENT, "keyEncipherment" },
    { KU_DATA_ENCIPHERMENT, "dataEncipherment" },
    { KU_KEY_AGREEMENT, "keyAgreement" },
    { KU_KEY_CERT_SIGN, "keyCertSign" },
    { KU_CRL_SIGN, "cRLSign" },
    { KU_ENCIPHER_ONLY, "encipherOnly" },
    { KU_DECIPHER_ONLY, "decipherOnly" },
};

static const struct {
    const char *oid;
    const char *name;
    int fits;   /* tells a verifier the key may sign documents */
} eku_names[] = {
    { "1.3.6.1.5.5.7.3.1", "serverAuth", 0 },
    { "1.3.6.1.5.5.7.3.2", "clientAuth", 0 },
    { "1.3.6.1.5.5.7.3.3", "codeSigning", 0 },
    { "1.3.6.1.5.5.7.3.4", "emailProtection", 1 },
    { "1.3.6.1.5.5.7.3.8", "timeStamping", 0 },
    { "1.3.6.1.5.5.7.3.9", "OCSPSigning", 0 },
    { "1.3.6.1.5.5.7.3.36", "documentSigning", 1 },
    { "2.5.29.37.0", "anyExtendedKeyUsage", 1 },
    { "1.3.6.1.4.1.311.10.3.12", "msDocumentSigning", 1 },
    { "1.2.840.113583.1.1.5", "adobeAuthenticDocumentsTrust", 1 },
};

static void read_usage(eseal_ci *b, X509 *x)
{
    eseal_cert_info *info = b->info;
    EXTENDED_KEY_USAGE *eku;
    BASIC_CONSTRAINTS *bc;
    uint32_t ku = X509_get_key_usage(x);
    uint32_t xflags = X509_get_extension_flags(x);
    size_t i;
    int k, fits = 0;

    info->has_key_usage = (xflags & EXFLAG_KUSAGE) != 0;
    if (info->has_key_usage) {
        for (i = 0; i < sizeof(ku_names) / sizeof(ku_names[0]); i++)
            if (ku & ku_names[i].bit)
                eseal__ci_add(b, &info->key_usage, &info->n_key_usage,
                    ku_names[i].name);
        if (!(ku & (KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION)))
            eseal__ci_warn(b, "key_usage",
                "keyUsage allows neither digitalSignature "
                "nor nonRepudiation");
        else if (!(ku & KU_DIGITAL_SIGNATURE) ||
                 !(ku & KU_NON_REPUDIATION))
            eseal__ci_note(b, "key_usage_partial",
                "keyUsage has %s but not %s, "
                "the e-Seal profile expects both",
                (ku & KU_DIGITAL_SIGNATURE) ? "digitalSignature"
                                            : "nonRepudiation",
                (ku & KU_DIGITAL_SIGNATURE) ? "nonRepudiation"
                                            : "digitalSignature");
        if (ku & (KU_KEY_CERT_SIGN | KU_CRL_SIGN))
            eseal__ci_warn(b, "key_cert_sign",
                "keyUsage allows signing certificates "
                "or CRLs: this is a CA key, not a seal key");
    } else if (X509_get_ext_by_NID(x, NID_key_usage, -1) >= 0) {
        eseal__ci_warn(b, "malformed",
            "the keyUsage extension is malformed");
        b->malformed = 1;
    } else {
        eseal__ci_warn(b, "key_usage",
            "no keyUsage extension: the certificate does "
            "not say that its key is for signatures");
    }

    eku = eseal__ci_get_ext(b, x, NID_ext_key_usage, "extendedKeyUsage");
    if (eku != NULL) {
        info->has_extended_key_usage = 1;
        for (k = 0; k < sk_ASN1_OBJECT_num(eku); k++) {
            const ASN1_OBJECT *o = sk_ASN1_OBJECT_value(eku, k);
            const char *name = NULL;

            for (i = 0; i < sizeof(eku_names) / sizeof(eku_names[0]); i++) {
                if (eseal__ci_oid_is(o, eku_names[i].oid)) {
                    name = eku_names[i].name;
                    fits |= eku_names[i].fits;
                    break;
                }
            }
            if (name != NULL)
                eseal__ci_add(b, &info->extended_key_usage,
                    &info->n_extended_key_usage, name);
            else
                eseal__ci_add_own(b, &info->extended_key_usage,
                    &info->n_extended_key_usage, eseal__ci_oid(b, o));
        }
        if (!fits)
            eseal__ci_note(b, "extended_key_usage",
                "extendedKeyUsage names neither documentSigning, "
                "emailProtection nor anyExtendedKeyUsage: some verifiers "
                "refuse such seals");
        EXTENDED_KEY_USAGE_free(eku);
    }

    bc = eseal__ci_get_ext(b, x, NID_basic_constraints, "basicConstraints");
    if (bc != NULL) {
        info->has_basic_constraints = 1;
        info->basic_constraints_ca = bc->ca != 0;
        if (bc->ca)
            eseal__ci_warn(b, "ca",
                "basicConstraints says CA:TRUE: this is a CA "
                "certificate, not an e-Seal certificate");
        BASIC_CONSTRAINTS_free(bc);
    } else if (!(xflags & EXFLAG_BCONS)) {
        eseal__ci_note(b, "no_basic_constraints",
            "no basicConstraints extension (CA:FALSE is expected)");
    }

    info->subject_key_id = hex_colon(b, X509_get0_subject_key_id(x));
    info->authority_key_id = hex_colon(b, X509_get0_authority_key_id(x));
    if (info->subject_key_id == NULL)
        eseal__ci_note(b, "no_subject_key_id",
            "no subjectKeyIdentifier extension");
    if (info->authority_key_id == NULL && !(xflags & EXFLAG_SS))
        eseal__ci_note(b, "no_authority_key_id",
            "no authorityKeyIdentifier extension");
    if (xflags & EXFLAG_SS)
        eseal__ci_note(b, "self_signed",
            "the certificate is self-issued: it needs to be trusted "
            "on its own");
    if ((xflags & EXFLAG_INVALID) && !b->malformed) {
        eseal__ci_warn(b, "malformed", "some extensions are malformed");
        b->malformed = 1;
    }
    ERR_clear_error();
}

/* ---- the whole inspection ---------------------------------------------- */

static void check_subject(eseal_ci *b, time_t now)
{
    eseal_cert_info *info = b->info;
    char when[21];
    size_t i;

    if (info->not_before == 0 || info->not_after == 0)
        eseal__ci_warn(b, "malformed", "the validity dates cannot be read");
    else if (now > info->not_after) {
        eseal__time_rfc3339(when, info->not_after);
        eseal__ci_warn(b, "expired", "the certificate expired on %s", when);
    } else if (now < info->not_before) {
        eseal__time_rfc3339(when, info->not_before);
        eseal__ci_warn(b, "not_yet_valid",
            "the certificate is valid only from %s", when);
    }
    if (info->organization == NULL)
        eseal__ci_warn(b, "no_organization",
            "the subject has no organization name (O)");
    if (info->country == NULL)
        eseal__ci_note(b, "no_country", "the subject has no country (C)");
    if (info->n_org_ids == 0)
        eseal__ci_warn(b, "no_org_identifier", "the subject has no "
            "organizationIdentifier: the organization is not identified");
    for (i = 0; i < info->n_org_ids; i++) {
        const eseal_org_id *id = &info->org_ids[i];

        if (id->check == ESEAL_ID_INVALID)
            eseal__ci_warn(b, "org_identifier_invalid",
                "organizationIdentifier \"%s\" is invalid: %s",
                id->value, id->reason);
        else if (id->scheme[0] == '\0')
            eseal__ci_note(b, "org_identifier_form",
                "organizationIdentifier \"%s\" is %s", id->value,
                id->reason);
    }
}

/* Unknown critical extensions make every verifier refuse the chain. */
static void check_critical(eseal_ci *b, X509 *x)
{
    int i, n = X509_get_ext_count(x);
    char *oid;

    for (i = 0; i < n; i++) {
        X509_EXTENSION *ext = X509_get_ext(x, i);

        if (!X509_EXTENSION_get_critical(ext) ||
            X509_supported_extension(ext))
            continue;
        oid = eseal__ci_oid(b, X509_EXTENSION_get_object(ext));
        eseal__ci_warn(b, "unknown_critical",
            "the critical extension %s is not "
            "understood by verifiers", oid != NULL ? oid : "?");
        free(oid);
    }
}

static int inspect_x509(eseal_cert_info **out, X509 *x,
    const char *const *table, time_t now, eseal_error *err)
{
    eseal_ci b = { NULL, 0, 0, 0 };
    int n_ids;

    *out = NULL;
    b.info = calloc(1, sizeof(*b.info));
    n_ids = X509_NAME_entry_count(X509_get_subject_name(x));
    if (b.info == NULL)
        return eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
    b.info->org_ids = calloc(n_ids < MAX_ORG_IDS ? (size_t)n_ids + 1
                                                 : MAX_ORG_IDS,
                             sizeof(*b.info->org_ids));
    if (b.info->org_ids == NULL)
        b.oom = 1;
    else
        read_names(&b, x);
    read_key(&b, x);
    read_signature(&b, x);
    read_usage(&b, x);
    eseal__ci_read_policies(&b, x, table);
    eseal__ci_read_locations(&b, x);
    eseal__ci_read_lei(&b, x);
    eseal__ci_read_qc(&b, x);
    check_critical(&b, x);
    check_subject(&b, now);
    if (b.truncated)
        eseal__ci_note(&b, "truncated",
            "the certificate holds more entries than are shown");
    ERR_clear_error();
    if (b.oom) {
        eseal_cert_info_free(b.info);
        return eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
    }
    b.info->fit_for_sealing = b.info->n_warnings == 0;
    *out = b.info;
    return 0;
}

/* ---- reading PEM or DER --------------------------------------------- */

static int no_password(char *buf, int size, int rwflag, void *u)
{
    (void)buf; (void)size; (void)rwflag; (void)u;
    return -1;
}

static int is_pem(const unsigned char *data, size_t len)
{
    static const char tag[] = "-----BEGIN ";

    return memmem(data, len, tag, sizeof(tag) - 1) != NULL;
}

int eseal_cert_inspect_buffer(eseal_cert_info **out,
    const unsigned char *data, size_t len, const char *name,
    const char *const *assurance_table, eseal_error *err)
{
    X509 *x = NULL, *more = NULL;
    BIO *bio = NULL;
    const unsigned char *p = data;
    int rc, count = 0;

    if (out == NULL)
        return eseal__error_set(err, ESEAL_EINVAL, "NULL argument");
    *out = NULL;
    if (name == NULL)
        name = "certificate";
    if (data == NULL || len == 0)
        return eseal__error_set(err, ESEAL_ECERT,
            "%s: empty, not a certificate", name);
    if (len > ESEAL_CERT_MAX_SIZE)
        return eseal__error_set(err, ESEAL_ECERT,
            "%s: larger than %d bytes, not a certificate", name,
            ESEAL_CERT_MAX_SIZE);
    if (is_pem(data, len)) {
        bio = BIO_new_mem_buf(data, (int)len);
        if (bio == NULL) {
            rc = eseal__error_ossl(err, ESEAL_ENOMEM, "%s", name);
            goto cleanup;
        }
        x = PEM_read_bio_X509(bio, NULL, no_password, NULL);
        if (x == NULL) {
            rc = eseal__error_ossl(err, ESEAL_ECERT,
                "%s: no readable PEM certificate", name);
            goto cleanup;
        }
        while (count < MAX_CHAIN_COUNT &&
               (more = PEM_read_bio_X509(bio, NULL, no_password, NULL))
               != NULL) {
            X509_free(more);
            count++;
        }
        ERR_clear_error();
    } else {
        x = d2i_X509(NULL, &p, (long)len);
        if (x == NULL) {
            ERR_clear_error();
            rc = eseal__error_set(err, ESEAL_ECERT,
                "%s: not a certificate (neither PEM nor DER)", name);
            goto cleanup;
        }
        if (p != data + len) {
            rc = eseal__error_set(err, ESEAL_ECERT, "%s: %zu bytes after "
                "the DER certificate", name, (size_t)(data + len - p));
            goto cleanup;
        }
    }
    rc = inspect_x509(out, x, assurance_table, time(NULL), err);
    if (rc == 0 && count > 0) {
        eseal_ci b = { *out, 0, 0, 0 };

        eseal__ci_note(&b, "several_certificates",
            "%s holds %d more certificate%s after the one shown", name,
            count, count > 1 ? "s" : "");
        /* a failed note is not worth failing the inspection */
    }
cleanup:
    X509_free(x);
    BIO_free(bio);
    return rc;
}

int eseal_cert_inspect_file(eseal_cert_info **out, const char *path,
    const char *const *assurance_table, eseal_error *err)
{
    unsigned char *data = NULL;
    size_t len = 0;
    struct stat st;
    int fd = -1, rc;

    if (out == NULL || path == NULL)
        return eseal__error_set(err, ESEAL_EINVAL, "NULL argument");
    *out = NULL;
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return eseal__error_set(err, ESEAL_EIO, "%s: cannot open: %s", path,
            strerror(errno));
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
        st.st_size > ESEAL_CERT_MAX_SIZE) {
        rc = eseal__error_set(err, ESEAL_ECERT, "%s: larger than %d bytes, "
            "not a certificate", path, ESEAL_CERT_MAX_SIZE);
        goto cleanup;
    }
    rc = eseal__read_fd(&data, &len, fd, ESEAL_CERT_MAX_SIZE, path, err);
    if (rc == ESEAL_ELIMIT)
        rc = eseal__error_set(err, ESEAL_ECERT, "%s: larger than %d bytes, "
            "not a certificate", path, ESEAL_CERT_MAX_SIZE);
    if (rc < 0)
        goto cleanup;
    rc = eseal_cert_inspect_buffer(out, data, len, path, assurance_table,
        err);
cleanup:
    free(data);
    if (fd >= 0)
        close(fd);
    return rc;
}

/* ---- freeing ------------------------------------------------------------ */

static void free_findings(eseal_cert_warning *w, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        free(w[i].message);
    free(w);
}

void eseal_cert_info_free(eseal_cert_info *info)
{
    size_t i;

    if (info == NULL)
        return;
    free(info->subject);
    free(info->issuer);
    free(info->serial);
    free(info->common_name);
    free(info->organization);
    free(info->organizational_unit);
    free(info->country);
    for (i = 0; i < info->n_org_ids; i++)
        eseal_org_id_clear(&info->org_ids[i]);
    free(info->org_ids);
    free(info->key_type);
    free(info->key_curve);
    free(info->signature_algorithm);
    eseal__strlist_free(info->key_usage, info->n_key_usage);
    eseal__strlist_free(info->extended_key_usage,
        info->n_extended_key_usage);
    free(info->subject_key_id);
    free(info->authority_key_id);
    for (i = 0; i < info->n_policies; i++) {
        free(info->policies[i].oid);
        eseal__strlist_free(info->policies[i].cps_uris,
            info->policies[i].n_cps_uris);
        free(info->policies[i].user_notice);
    }
    free(info->policies);
    free(info->assurance_level);
    eseal__strlist_free(info->subject_alt_names, info->n_subject_alt_names);
    eseal__strlist_free(info->crl_urls, info->n_crl_urls);
    eseal__strlist_free(info->ocsp_urls, info->n_ocsp_urls);
    eseal__strlist_free(info->ca_issuer_urls, info->n_ca_issuer_urls);
    free(info->lei);
    free(info->lei_role);
    eseal__strlist_free(info->qc_types, info->n_qc_types);
    eseal__strlist_free(info->qc_pds_urls, info->n_qc_pds_urls);
    free(info->semantics_identifier);
    free_findings(info->warnings, info->n_warnings);
    free_findings(info->notes, info->n_notes);
    free(info);
}

size_t eseal_cert_info_warning_count(const eseal_cert_info *info)
{
    return info != NULL ? info->n_warnings : 0;
}

/* ---- what the verifier needs ------------------------------------------- */

int eseal__signer_from_x509(eseal_signer *out, X509 *cert, eseal_error *err)
{
    eseal_ci b = { NULL, 0, 0, 0 };
    const X509_NAME *subj;
    const ASN1_INTEGER *serial;
    BIGNUM *bn = NULL;
    char *hex = NULL, *v;
    int i = -1;

    memset(out, 0, sizeof(*out));
    if (cert == NULL)
        return eseal__error_set(err, ESEAL_EINVAL, "no certificate");
    subj = X509_get_subject_name(cert);
    out->subject = eseal__ci_name(&b, subj);
    out->issuer = eseal__ci_name(&b, X509_get_issuer_name(cert));
    out->organization = name_entry(&b, subj, NID_organizationName);
    serial = X509_get0_serialNumber(cert);
    if ((bn = ASN1_INTEGER_to_BN(serial, NULL)) == NULL ||
        (hex = BN_bn2hex(bn)) == NULL)
        b.oom = 1;
    else
        out->serial = eseal__ci_dup(&b, hex);
    OPENSSL_free(hex);
    BN_free(bn);
    while (!b.oom && (i = X509_NAME_get_index_by_NID(subj,
                          NID_organizationIdentifier, i)) >= 0 &&
           out->n_organization_identifiers < MAX_ORG_IDS) {
        v = eseal__ci_text(&b, X509_NAME_ENTRY_get_data(
            X509_NAME_get_entry(subj, i)));
        if (v == NULL)
            break;
        eseal__ci_add_own(&b, &out->organization_identifiers,
            &out->n_organization_identifiers, v);
    }
    if (!b.oom && out->n_organization_identifiers > 0)
        out->organization_identifier = eseal__ci_dup(&b,
            out->organization_identifiers[0]);
    ERR_clear_error();
    if (b.oom) {
        eseal__signer_clear(out);
        return eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
    }
    return 0;
}

void eseal__signer_clear(eseal_signer *s)
{
    if (s == NULL)
        return;
    free(s->subject);
    free(s->organization);
    free(s->organization_identifier);
    eseal__strlist_free(s->organization_identifiers,
        s->n_organization_identifiers);
    free(s->serial);
    free(s->issuer);
    memset(s, 0, sizeof(*s));
}
