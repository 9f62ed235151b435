/* eseal - a throw-away demonstration PKI (eseal demo-pki). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include "eseal_int.h"
#include "orgid.h"
#include "demo_int.h"
#include "oids.h"

#define DEMO_URL_BASE "http://127.0.0.1:8080"
#define DEMO_URL_MAX 200
#define DEMO_MAX_FILES 32
#define DEMO_MARK "eseal demo material - NOT FOR PRODUCTION"
#define DEMO_OU "DEMO - NOT FOR PRODUCTION"
#define DEMO_CA_ORG "eseal Demo Trust Services (DEMO)"

/*
 * The fictitious identifiers of the demo organization.  The check digits
 * are computed below, so that the certificates carry valid identifiers.
 */
#define DEMO_CORPORATE_BASE "999900000001" /* 12 digits, check digit added */
#define DEMO_LEI_BASE "DEMO00ESEALJP00001"  /* 18 characters, 2 check digits */

/* Every file demo-pki writes, in order; root-ca.key last (see build()). */
static const char *const demo_files[] = {
    "root-ca.pem", "root-ca.cer", "root-ca.crl", "root-ca.crl.der",
    "issuing-ca.pem", "issuing-ca.key", "issuing-ca.cer", "issuing-ca.crl",
    "issuing-ca.crl.der", "chain.pem", "trust.pem",
    "eseal-rsa.pem", "eseal-rsa.key", "eseal-rsa.p12", "eseal-rsa.p12.pass",
    "eseal-ec.pem", "eseal-ec.key", "eseal-ec384.pem", "eseal-ec384.key",
    "tsa.pem", "tsa.key", "ocsp.pem", "ocsp.key", "revoked.pem",
    "revoked.key", "index.txt", "index.txt.attr", "README.txt",
    "root-ca.key", NULL
};

typedef struct demo_file {
    const char *name;
    int secret;        /* private: mode 0600 */
    eseal_buf data;
} demo_file;

typedef struct demo {
    char url[DEMO_URL_MAX + 1];   /* url_base without a trailing '/' */
    char corporate_number[14];
    char lei[21];
    eseal_demo_where where;       /* points into url and lei */
    demo_file files[DEMO_MAX_FILES];
    size_t n_files;
    eseal_buf index;              /* index.txt */
    eseal_demo_pair root, issuing;
} demo;

const char *const *eseal_demo_pki_files(void)
{
    return demo_files;
}

/* ---- identifiers --------------------------------------------------------- */

/* Japanese Corporate Number: check digit first, then the 12 base digits
 * (base: twelve ASCII digits, a constant of this file). */
static void corporate_number(char out[14], const char *base)
{
    out[0] = (char)('0' + eseal__corporate_number_check_digit(base));
    memcpy(out + 1, base, 12);
    out[13] = '\0';
}

/* LEI: 18 characters followed by two check digits (ISO 17442: the whole
 * identifier is 1 modulo 97). */
static void lei(char out[21], const char *base)
{
    char tmp[21];

    memcpy(tmp, base, 18);
    memcpy(tmp + 18, "00", 3);
    snprintf(out, 21, "%.18s%02u", base,
        (unsigned int)(98 - eseal__mod97(tmp)) % 100);
}

/* The text of an ASN1_TIME as the `openssl ca` database stores it. */
static void db_time(eseal_buf *b, const ASN1_TIME *t)
{
    eseal__buf_append(b, ASN1_STRING_get0_data(t),
        (size_t)ASN1_STRING_length(t));
}

/*
 * One line of index.txt: status, expiry, revocation (date,reason), serial
 * in upper-case hexadecimal, file name ("unknown"), subject.
 */
static int db_add(demo *d, X509 *cert, const ASN1_TIME *revoked_at,
    eseal_error *err)
{
    BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get_serialNumber(cert), NULL);
    char *hex = bn != NULL ? BN_bn2hex(bn) : NULL;
    char *subject = X509_NAME_oneline(X509_get_subject_name(cert), NULL, 0);
    int rc = 0;

    if (hex == NULL || subject == NULL) {
        rc = eseal__error_ossl(err, ESEAL_ENOMEM, "demo-pki: index.txt");
        goto cleanup;
    }
    eseal__buf_puts(&d->index, revoked_at != NULL ? "R\t" : "V\t");
    db_time(&d->index, X509_get0_notAfter(cert));
    eseal__buf_puts(&d->index, "\t");
    if (revoked_at != NULL) {
        db_time(&d->index, revoked_at);
        eseal__buf_puts(&d->index, ",keyCompromise");
    }
    eseal__buf_printf(&d->index, "\t%s\tunknown\t%s\n", hex, subject);
cleanup:
    OPENSSL_free(hex);
    OPENSSL_free(subject);
    BN_free(bn);
    return rc;
}

/* ---- output files ------------------------------------------------------ */

static int file_new(demo_file **out, demo *d, const char *name, int secret,
    eseal_error *err)
{
    if (d->n_files == DEMO_MAX_FILES)
        return eseal__error_set(err, ESEAL_ELIMIT, "demo-pki: too many files");
    *out = &d->files[d->n_files++];
    (*out)->name = name;
    (*out)->secret = secret;
    return 0;
}

/* Moves what a memory BIO holds to the end of b. */
static int bio_drain(eseal_buf *b, BIO *mem, int ok, eseal_error *err)
{
    char *p;
    long n;

    if (ok != 1)
        return eseal__error_ossl(err, ESEAL_ECRYPTO, "demo-pki: encoding");
    n = BIO_get_mem_data(mem, &p);
    eseal__buf_append(b, p, n > 0 ? (size_t)n : 0);
    BIO_reset(mem);
    return 0;
}

/*
 * A PEM file.  The leading lines mark it as demo material; RFC 7468 lets
 * explanatory text precede the encapsulation boundary and OpenSSL skips it.
 */
static int pem_file(demo *d, const char *name, const char *what,
    X509 *const *certs, EVP_PKEY *key, X509_CRL *crl, eseal_error *err)
{
    demo_file *f = NULL;
    BIO *mem = BIO_new(BIO_s_mem());
    int rc;

    if (mem == NULL)
        return eseal__error_ossl(err, ESEAL_ENOMEM, "demo-pki: BIO");
    if ((rc = file_new(&f, d, name, key != NULL, err)) < 0)
        goto cleanup;
    eseal__buf_printf(&f->data, "# %s\n# %s\n", DEMO_MARK, what);
    for (; rc == 0 && certs != NULL && *certs != NULL; certs++)
        rc = bio_drain(&f->data, mem, PEM_write_bio_X509(mem, *certs), err);
    if (rc == 0 && key != NULL)
        rc = bio_drain(&f->data, mem, PEM_write_bio_PrivateKey(mem, key,
            NULL, NULL, 0, NULL, NULL), err);
    if (rc == 0 && crl != NULL)
        rc = bio_drain(&f->data, mem, PEM_write_bio_X509_CRL(mem, crl), err);
cleanup:
    BIO_free(mem);
    return rc;
}

static int cert_pem(demo *d, const char *name, const char *what, X509 *cert,
    eseal_error *err)
{
    X509 *list[2] = { cert, NULL };

    return pem_file(d, name, what, list, NULL, NULL, err);
}

static int key_pem(demo *d, const char *name, const char *what,
    EVP_PKEY *key, eseal_error *err)
{
    return pem_file(d, name, what, NULL, key, NULL, err);
}

static int der_file(demo *d, const char *name, X509 *cert, X509_CRL *crl,
    eseal_error *err)
{
    demo_file *f = NULL;
    unsigned char *der = NULL;
    int len, rc;

    if ((rc = file_new(&f, d, name, 0, err)) < 0)
        return rc;
    len = cert != NULL ? i2d_X509(cert, &der) : i2d_X509_CRL(crl, &der);
    if (len <= 0)
        return eseal__error_ossl(err, ESEAL_ECRYPTO, "demo-pki: %s", name);
    eseal__buf_append(&f->data, der, (size_t)len);
    OPENSSL_free(der);
    return 0;
}

static int text_file(demo *d, const char *name, int secret, const char *text,
    eseal_error *err)
{
    demo_file *f = NULL;
    int rc;

    if ((rc = file_new(&f, d, name, secret, err)) == 0)
        eseal__buf_puts(&f->data, text);
    return rc;
}

/* A random password of letters and digits. */
static int random_password(char *out, size_t len, eseal_error *err)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    unsigned char b[64];
    size_t i = 0, j;

    while (i < len) {
        if (RAND_bytes(b, sizeof(b)) != 1)
            return eseal__error_ossl(err, ESEAL_ECRYPTO,
                "demo-pki: RAND_bytes");
        for (j = 0; j < sizeof(b) && i < len; j++)
            if (b[j] < 248) /* 248 = 4 * 62: no bias */
                out[i++] = alphabet[b[j] % 62];
    }
    out[len] = '\0';
    eseal__wipe(b, sizeof(b));
    return 0;
}

/* eseal-rsa.p12 and its password file. */
static int p12_files(demo *d, const eseal_demo_pair *seal, eseal_error *err)
{
    char pass[33], line[34];
    STACK_OF(X509) *ca = sk_X509_new_null();
    PKCS12 *p12 = NULL;
    demo_file *f = NULL;
    unsigned char *der = NULL;
    int len, rc;

    if ((rc = random_password(pass, 32, err)) < 0)
        goto cleanup;
    if (ca == NULL || sk_X509_push(ca, d->issuing.cert) <= 0 ||
        sk_X509_push(ca, d->root.cert) <= 0 ||
        (p12 = PKCS12_create(pass, "eSeal DEMO (" DEMO_MARK ")", seal->key,
            seal->cert, ca, NID_aes_256_cbc, NID_aes_256_cbc,
            PKCS12_DEFAULT_ITER, PKCS12_DEFAULT_ITER, 0)) == NULL ||
        (len = i2d_PKCS12(p12, &der)) <= 0) {
        rc = eseal__error_ossl(err, ESEAL_ECRYPTO,
            "demo-pki: cannot make eseal-rsa.p12");
        goto cleanup;
    }
    if ((rc = file_new(&f, d, "eseal-rsa.p12", 1, err)) < 0)
        goto cleanup;
    eseal__buf_append(&f->data, der, (size_t)len);
    snprintf(line, sizeof(line), "%s\n", pass);
    rc = text_file(d, "eseal-rsa.p12.pass", 1, line, err);
cleanup:
    eseal__wipe(pass, sizeof(pass));
    eseal__wipe(line, sizeof(line));
    OPENSSL_free(der);
    PKCS12_free(p12);
    sk_X509_free(ca);
    return rc;
}

static int readme(demo *d, eseal_error *err)
{
    demo_file *f = NULL;
    int rc;

    if ((rc = file_new(&f, d, "README.txt", 0, err)) < 0)
        return rc;
    eseal__buf_printf(&f->data,
        "%s\n"
        "\n"
        "This directory holds a throw-away test PKI written by\n"
        "`eseal demo-pki`.  Every certificate says DEMO in its subject;\n"
        "the keys are unencrypted.  Do not trust trust.pem anywhere but in\n"
        "tests and demonstrations, and never seal real documents with these\n"
        "keys.  The organization, its Corporate Number (%s) and its LEI\n"
        "(%s) are fictitious.\n"
        "\n"
        "  root-ca.pem/.key/.cer     self-signed root CA (trust.pem)\n"
        "  issuing-ca.pem/.key/.cer  issuing CA, signed by the root\n"
        "  chain.pem                 issuing CA then root\n"
        "  eseal-rsa.pem/.key/.p12   e-Seal certificate, RSA 2048\n"
        "                            (.p12 password in eseal-rsa.p12.pass)\n"
        "  eseal-ec.pem/.key         e-Seal certificate, ECDSA P-256\n"
        "  eseal-ec384.pem/.key      e-Seal certificate, ECDSA P-384\n"
        "  revoked.pem/.key          e-Seal certificate, revoked\n"
        "  tsa.pem/.key              timestamping unit (RFC 3161)\n"
        "  ocsp.pem/.key             OCSP responder of the issuing CA\n"
        "  issuing-ca.crl(.der)      CRL of the issuing CA (PEM, DER)\n"
        "  root-ca.crl(.der)         CRL of the root CA (PEM, DER)\n"
        "  index.txt(.attr)          database for `openssl ocsp -index`\n"
        "\n"
        "The certificates point to %s for CA certificates\n"
        "(issuing-ca.cer, root-ca.cer), CRLs (*.crl.der) and OCSP (/ocsp).\n"
        "To serve them (port as in that URL):\n"
        "\n"
        "  python3 -m http.server --bind 127.0.0.1 PORT   # in this directory\n"
        "  openssl ocsp -index index.txt -CA issuing-ca.pem \\\n"
        "      -rsigner ocsp.pem -rkey ocsp.key -port PORT2\n"
        "\n"
        "(one HTTP server cannot be both: put the OCSP responder behind\n"
        "the /ocsp path, or give --url-base the address of a server that\n"
        "serves both.)\n"
        "\n"
        "Seal with, for example:\n"
        "\n"
        "  eseal seal --key eseal-rsa.key --cert eseal-rsa.pem \\\n"
        "      --chain chain.pem -o sealed.pdf input.pdf\n"
        "  eseal verify --trust trust.pem sealed.pdf\n",
        DEMO_MARK, d->corporate_number, d->lei, d->url);
    return 0;
}

/* ---- the PKI ------------------------------------------------------------- */

static int build(demo *d, eseal_error *err)
{
    char org_ntr[20], org_lei[30];
    const char *root_rdn[] = {
        "C", "JP", "O", DEMO_CA_ORG, "OU", DEMO_OU,
        "CN", "eseal Demo Root CA (DEMO)", NULL
    };
    const char *issuing_rdn[] = {
        "C", "JP", "O", DEMO_CA_ORG, "OU", DEMO_OU,
        "CN", "eseal Demo Issuing CA (DEMO)", NULL
    };
    const char *seal_rdn[] = {
        "C", "JP", "O", ESEAL_DEMO_ORG, "organizationIdentifier", org_ntr,
        "organizationIdentifier", org_lei, "CN", "eSeal DEMO", NULL
    };
    const char *revoked_rdn[] = {
        "C", "JP", "O", ESEAL_DEMO_ORG, "organizationIdentifier", org_ntr,
        "organizationIdentifier", org_lei, "CN", "eSeal DEMO (revoked)", NULL
    };
    const char *tsa_rdn[] = {
        "C", "JP", "O", DEMO_CA_ORG, "OU", DEMO_OU,
        "CN", "eseal Demo Timestamping Unit (DEMO)", NULL
    };
    const char *ocsp_rdn[] = {
        "C", "JP", "O", DEMO_CA_ORG, "OU", DEMO_OU,
        "CN", "eseal Demo OCSP Responder (DEMO)", NULL
    };
    eseal_demo_pair rsa = { 0 }, ec = { 0 }, ec384 = { 0 }, tsa = { 0 };
    eseal_demo_pair ocsp = { 0 }, revoked = { 0 };
    X509_CRL *crl = NULL, *root_crl = NULL;
    ASN1_TIME *revoked_at = NULL;
    demo_file *db = NULL;
    const eseal_demo_where *w = &d->where;
    X509 *chain[3];
    int rc;

    snprintf(org_ntr, sizeof(org_ntr), "NTRJP-%s", d->corporate_number);
    snprintf(org_lei, sizeof(org_lei), "LEIXG-%s", d->lei);

    if ((rc = eseal__demo_issue(&d->root, ESEAL_DEMO_RSA2048, root_rdn,
            NULL, 3650, ESEAL_DEMO_ROOT, w, err)) < 0 ||
        (rc = eseal__demo_issue(&d->issuing, ESEAL_DEMO_RSA2048,
            issuing_rdn, &d->root, 1825, ESEAL_DEMO_ISSUING, w, err)) < 0 ||
        (rc = eseal__demo_issue(&rsa, ESEAL_DEMO_RSA2048, seal_rdn,
            &d->issuing, 730, ESEAL_DEMO_ESEAL, w, err)) < 0 ||
        (rc = eseal__demo_issue(&ec, ESEAL_DEMO_P256, seal_rdn,
            &d->issuing, 730, ESEAL_DEMO_ESEAL, w, err)) < 0 ||
        (rc = eseal__demo_issue(&ec384, ESEAL_DEMO_P384, seal_rdn,
            &d->issuing, 730, ESEAL_DEMO_ESEAL, w, err)) < 0 ||
        (rc = eseal__demo_issue(&tsa, ESEAL_DEMO_RSA2048, tsa_rdn,
            &d->issuing, 730, ESEAL_DEMO_TSA, w, err)) < 0 ||
        (rc = eseal__demo_issue(&ocsp, ESEAL_DEMO_RSA2048, ocsp_rdn,
            &d->issuing, 730, ESEAL_DEMO_OCSP, w, err)) < 0 ||
        (rc = eseal__demo_issue(&revoked, ESEAL_DEMO_P256, revoked_rdn,
            &d->issuing, 730, ESEAL_DEMO_ESEAL, w, err)) < 0)
        goto cleanup;

    /* revoked ten minutes ago, listed by a CRL issued five minutes ago */
    if ((rc = eseal__demo_crl(&crl, &d->issuing, revoked.cert,
            w->now - 600, w->now, err)) < 0 ||
        (rc = eseal__demo_crl(&root_crl, &d->root, NULL, 0, w->now,
            err)) < 0)
        goto cleanup;
    if ((revoked_at = ASN1_TIME_set(NULL, w->now - 600)) == NULL) {
        rc = eseal__error_ossl(err, ESEAL_ENOMEM, "demo-pki: time");
        goto cleanup;
    }
    if ((rc = db_add(d, rsa.cert, NULL, err)) < 0 ||
        (rc = db_add(d, ec.cert, NULL, err)) < 0 ||
        (rc = db_add(d, ec384.cert, NULL, err)) < 0 ||
        (rc = db_add(d, tsa.cert, NULL, err)) < 0 ||
        (rc = db_add(d, ocsp.cert, NULL, err)) < 0 ||
        (rc = db_add(d, revoked.cert, revoked_at, err)) < 0)
        goto cleanup;

    chain[0] = d->issuing.cert;
    chain[1] = d->root.cert;
    chain[2] = NULL;
    if ((rc = cert_pem(d, "root-ca.pem", "root CA certificate",
            d->root.cert, err)) < 0 ||
        (rc = der_file(d, "root-ca.cer", d->root.cert, NULL, err)) < 0 ||
        (rc = pem_file(d, "root-ca.crl", "CRL of the root CA", NULL, NULL,
            root_crl, err)) < 0 ||
        (rc = der_file(d, "root-ca.crl.der", NULL, root_crl, err)) < 0 ||
        (rc = cert_pem(d, "issuing-ca.pem", "issuing CA certificate",
            d->issuing.cert, err)) < 0 ||
        (rc = key_pem(d, "issuing-ca.key", "issuing CA private key",
            d->issuing.key, err)) < 0 ||
        (rc = der_file(d, "issuing-ca.cer", d->issuing.cert, NULL,
            err)) < 0 ||
        (rc = pem_file(d, "issuing-ca.crl", "CRL of the issuing CA", NULL,
            NULL, crl, err)) < 0 ||
        (rc = der_file(d, "issuing-ca.crl.der", NULL, crl, err)) < 0 ||
        (rc = pem_file(d, "chain.pem", "issuing CA, then root CA", chain,
            NULL, NULL, err)) < 0 ||
        (rc = pem_file(d, "trust.pem", "trust anchor: the demo root CA",
            chain + 1, NULL, NULL, err)) < 0)
        goto cleanup;
    if ((rc = cert_pem(d, "eseal-rsa.pem", "e-Seal certificate (RSA 2048)",
            rsa.cert, err)) < 0 ||
        (rc = key_pem(d, "eseal-rsa.key", "e-Seal private key (RSA 2048)",
            rsa.key, err)) < 0 ||
        (rc = p12_files(d, &rsa, err)) < 0 ||
        (rc = cert_pem(d, "eseal-ec.pem", "e-Seal certificate (P-256)",
            ec.cert, err)) < 0 ||
        (rc = key_pem(d, "eseal-ec.key", "e-Seal private key (P-256)",
            ec.key, err)) < 0 ||
        (rc = cert_pem(d, "eseal-ec384.pem", "e-Seal certificate (P-384)",
            ec384.cert, err)) < 0 ||
        (rc = key_pem(d, "eseal-ec384.key", "e-Seal private key (P-384)",
            ec384.key, err)) < 0 ||
        (rc = cert_pem(d, "tsa.pem", "timestamping unit certificate",
            tsa.cert, err)) < 0 ||
        (rc = key_pem(d, "tsa.key", "timestamping unit private key",
            tsa.key, err)) < 0 ||
        (rc = cert_pem(d, "ocsp.pem", "OCSP responder certificate",
            ocsp.cert, err)) < 0 ||
        (rc = key_pem(d, "ocsp.key", "OCSP responder private key",
            ocsp.key, err)) < 0 ||
        (rc = cert_pem(d, "revoked.pem", "REVOKED e-Seal certificate",
            revoked.cert, err)) < 0 ||
        (rc = key_pem(d, "revoked.key", "private key of a revoked e-Seal",
            revoked.key, err)) < 0)
        goto cleanup;
    if ((rc = file_new(&db, d, "index.txt", 0, err)) < 0)
        goto cleanup;
    db->data = d->index;
    memset(&d->index, 0, sizeof(d->index)); /* owned by the file now */
    if ((rc = text_file(d, "index.txt.attr", 0, "unique_subject = no\n",
            err)) < 0 ||
        (rc = readme(d, err)) < 0)
        goto cleanup;
    /* last: a run that failed before this point can simply be repeated */
    rc = key_pem(d, "root-ca.key", "root CA private key", d->root.key, err);
cleanup:
    eseal__demo_pair_free(&rsa);
    eseal__demo_pair_free(&ec);
    eseal__demo_pair_free(&ec384);
    eseal__demo_pair_free(&tsa);
    eseal__demo_pair_free(&ocsp);
    eseal__demo_pair_free(&revoked);
    X509_CRL_free(crl);
    X509_CRL_free(root_crl);
    ASN1_TIME_free(revoked_at);
    return rc;
}

/* Writes one file: replaces any earlier file of that name. */
static int write_file(int dfd, const char *dir, const demo_file *f,
    eseal_error *err)
{
    const char *p = f->data.data;
    size_t left = f->data.len;
    int fd, rc = 0;

    if (unlinkat(dfd, f->name, 0) < 0 && errno != ENOENT)
        return eseal__error_set(err, ESEAL_EIO, "%s/%s: cannot replace: %s",
            dir, f->name, strerror(errno));
    fd = openat(dfd, f->name,
        O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
        f->secret ? 0600 : 0644);
    if (fd < 0)
        return eseal__error_set(err, ESEAL_EIO, "%s/%s: cannot create: %s",
            dir, f->name, strerror(errno));
    while (left > 0) {
        ssize_t n = write(fd, p, left);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = eseal__error_set(err, ESEAL_EIO, "%s/%s: cannot write: %s",
                dir, f->name, strerror(errno));
            break;
        }
        p += n;
        left -= (size_t)n;
    }
    if (close(fd) < 0 && rc == 0)
        rc = eseal__error_set(err, ESEAL_EIO, "%s/%s: cannot write: %s",
            dir, f->name, strerror(errno));
    return rc;
}

static int check_url(char *out, const char *url, eseal_error *err)
{
    size_t len = strlen(url), i;
    const char *host;

    while (len > 0 && url[len - 1] == '/')
        len--;
    if (strncmp(url, "http://", 7) == 0)
        host = url + 7;
    else if (strncmp(url, "https://", 8) == 0)
        host = url + 8;
    else
        return eseal__error_set(err, ESEAL_EINVAL,
            "demo-pki: URL base must start with http:// or https://");
    if (len > DEMO_URL_MAX || host >= url + len || *host == '/')
        return eseal__error_set(err, ESEAL_EINVAL,
            "demo-pki: URL base has no host or is too long");
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)url[i];

        /* no commas, spaces or quotes: the value goes into X.509 names */
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                (c >= '0' && c <= '9') || strchr("-._~:/[]@%+", c) != NULL))
            return eseal__error_set(err, ESEAL_EINVAL,
                "demo-pki: URL base has a character not allowed here: "
                "'%c'", c >= 0x20 && c < 0x7f ? c : '?');
    }
    memcpy(out, url, len);
    out[len] = '\0';
    return 0;
}

int eseal_demo_pki(const char *dir, const char *url_base, eseal_error *err)
{
    demo *d = NULL;
    struct stat st;
    size_t i;
    int dfd = -1, rc = 0;

    if (dir == NULL || *dir == '\0')
        return eseal__error_set(err, ESEAL_EINVAL, "demo-pki: no directory");
    if ((d = calloc(1, sizeof(*d))) == NULL)
        return eseal__error_set(err, ESEAL_ENOMEM, "demo-pki: out of memory");
    if ((rc = check_url(d->url, url_base != NULL ? url_base : DEMO_URL_BASE,
            err)) < 0)
        goto cleanup;
    if (stat(dir, &st) == 0) {
        char key[4096];

        if (!S_ISDIR(st.st_mode)) {
            rc = eseal__error_set(err, ESEAL_EIO, "%s: not a directory", dir);
            goto cleanup;
        }
        snprintf(key, sizeof(key), "%s/root-ca.key", dir);
        if (lstat(key, &st) == 0 || errno != ENOENT) {
            rc = eseal__error_set(err, ESEAL_EIO,
                "%s: holds a PKI already (root-ca.key); will not overwrite "
                "it", dir);
            goto cleanup;
        }
    } else if (errno != ENOENT) {
        rc = eseal__error_set(err, ESEAL_EIO, "%s: %s", dir, strerror(errno));
        goto cleanup;
    }

    corporate_number(d->corporate_number, DEMO_CORPORATE_BASE);
    lei(d->lei, DEMO_LEI_BASE);
    d->where.url = d->url;
    d->where.lei = d->lei;
    d->where.now = time(NULL);
    if ((rc = build(d, err)) < 0)
        goto cleanup;
    for (i = 0; i < d->n_files; i++) {
        if (d->files[i].data.failed) {
            rc = eseal__error_set(err, ESEAL_ENOMEM,
                "demo-pki: out of memory");
            goto cleanup;
        }
        /* keep eseal_demo_pki_files() honest */
        if (demo_files[i] == NULL ||
            strcmp(demo_files[i], d->files[i].name) != 0) {
            rc = eseal__error_set(err, ESEAL_EINVAL,
                "demo-pki: internal error: file list out of date (%s)",
                d->files[i].name);
            goto cleanup;
        }
    }
    if (demo_files[d->n_files] != NULL) {
        rc = eseal__error_set(err, ESEAL_EINVAL,
            "demo-pki: internal error: %s not made", demo_files[d->n_files]);
        goto cleanup;
    }

    if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
        rc = eseal__error_set(err, ESEAL_EIO, "%s: cannot create: %s", dir,
            strerror(errno));
        goto cleanup;
    }
    if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
        rc = eseal__error_set(err, ESEAL_EIO, "%s: cannot open: %s", dir,
            strerror(errno));
        goto cleanup;
    }
    for (i = 0; i < d->n_files && rc == 0; i++)
        rc = write_file(dfd, dir, &d->files[i], err);
cleanup:
    if (dfd >= 0)
        close(dfd);
    if (d != NULL) {
        for (i = 0; i < d->n_files; i++) {
            if (d->files[i].data.data != NULL)
                eseal__wipe(d->files[i].data.data, d->files[i].data.len);
            eseal__buf_free(&d->files[i].data);
        }
        eseal__buf_free(&d->index);
        eseal__demo_pair_free(&d->root);
        eseal__demo_pair_free(&d->issuing);
        free(d);
    }
    return rc;
}
