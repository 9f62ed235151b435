/* eseal - the sealer: key, certificate and chain, checked and opened once. */
#include <errno.h>
#include <string.h>
#include <time.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include "core_int.h"
#include "pkcs11.h"

static int load_cert_file(X509 **out, const char *path, eseal_error *err)
{
    BIO *bio = BIO_new_file(path, "rb");
    X509 *cert = NULL;

    *out = NULL;
    if (bio == NULL) {
        ERR_clear_error();
        return eseal__error_set(err, ESEAL_EIO,
            "%s: cannot open the certificate: %s", path, strerror(errno));
    }
    cert = PEM_read_bio_X509(bio, NULL, NULL, NULL);
    if (cert == NULL) {
        ERR_clear_error();
        (void)BIO_reset(bio);
        cert = d2i_X509_bio(bio, NULL);
    }
    BIO_free(bio);
    if (cert == NULL)
        return eseal__error_ossl(err, ESEAL_ECERT,
            "%s: not a certificate (PEM or DER)", path);
    ERR_clear_error();
    *out = cert;
    return 0;
}

static int load_chain_file(STACK_OF(X509) **out, const char *path,
    eseal_error *err)
{
    STACK_OF(X509) *chain = sk_X509_new_null();
    BIO *bio = BIO_new_file(path, "rb");
    X509 *c;
    int rc = 0;

    *out = NULL;
    if (chain == NULL || bio == NULL) {
        rc = bio == NULL ?
            eseal__error_set(err, ESEAL_EIO, "%s: cannot open the chain: %s",
                path, strerror(errno)) :
            eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
        goto cleanup;
    }
    while ((c = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
        if (!sk_X509_push(chain, c)) {
            X509_free(c);
            rc = eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
            goto cleanup;
        }
    }
    /* the loop ends on "no start line" at the end of the file */
    if (sk_X509_num(chain) == 0) {
        rc = eseal__error_set(err, ESEAL_ECERT,
            "%s: no PEM certificate in the chain file", path);
        goto cleanup;
    }
    *out = chain;
    chain = NULL;
cleanup:
    ERR_clear_error();
    BIO_free(bio);
    sk_X509_pop_free(chain, X509_free);
    return rc;
}

/* The certificate must be able to seal now. */
static int check_fit(const X509 *cert, const char *path, eseal_error *err)
{
    uint32_t ku = X509_get_key_usage((X509 *)cert);
    time_t now = time(NULL);

    if ((ku & (KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION)) == 0)
        return eseal__error_set(err, ESEAL_ECERT, "%s: the certificate's key "
            "usage allows neither digitalSignature nor nonRepudiation", path);
    if (X509_check_ca((X509 *)cert) != 0 &&
        (X509_get_extension_flags((X509 *)cert) & EXFLAG_CA))
        return eseal__error_set(err, ESEAL_ECERT,
            "%s: the certificate is a CA certificate, not a seal "
            "certificate", path);
    if (X509_cmp_time(X509_get0_notBefore(cert), &now) > 0)
        return eseal__error_set(err, ESEAL_ECERT,
            "%s: the certificate is not valid yet", path);
    if (X509_cmp_time(X509_get0_notAfter(cert), &now) < 0)
        return eseal__error_set(err, ESEAL_ECERT,
            "%s: the certificate has expired", path);
    return 0;
}

/* Picks the digest and checks the key type. */
static int choose_digest(eseal_sealer *s, const eseal_sealer_opts *opts,
    eseal_error *err)
{
    int id = EVP_PKEY_get_base_id(s->key);
    int bits = EVP_PKEY_get_bits(s->key);

    if (id == EVP_PKEY_RSA || id == EVP_PKEY_RSA_PSS) {
        if (bits < 2048)
            return eseal__error_set(err, ESEAL_EKEY,
                "%s: RSA keys must have at least 2048 bits (this one has %d)",
                opts->key, bits);
        s->rsa_pss = opts->rsa_pss || id == EVP_PKEY_RSA_PSS;
    } else if (id == EVP_PKEY_EC) {
        if (opts->rsa_pss)
            return eseal__error_set(err, ESEAL_EINVAL,
                "--rsa-pss needs an RSA key; %s is an ECDSA key", opts->key);
        if (bits < 256)
            return eseal__error_set(err, ESEAL_EKEY,
                "%s: ECDSA keys must have at least 256 bits", opts->key);
    } else if (id == EVP_PKEY_ED25519 || id == EVP_PKEY_ED448) {
        return eseal__error_set(err, ESEAL_EUNSUPPORTED,
            "%s: EdDSA keys are not supported for seals", opts->key);
    } else {
        return eseal__error_set(err, ESEAL_EUNSUPPORTED,
            "%s: unsupported key type", opts->key);
    }
    switch (opts->digest) {
    case ESEAL_DIGEST_SHA256:
        s->md_name = "SHA256";
        break;
    case ESEAL_DIGEST_SHA384:
        s->md_name = "SHA384";
        break;
    case ESEAL_DIGEST_SHA512:
        s->md_name = "SHA512";
        break;
    default:
        s->md_name = id == EVP_PKEY_EC && bits >= 384 ? "SHA384" : "SHA256";
        if (id == EVP_PKEY_EC && bits > 384)
            s->md_name = "SHA512";
    }
    return 0;
}

/* Keys must not end up in core files. */
static void disable_core_dumps(void)
{
    struct rlimit rl = { 0, 0 };

    (void)setrlimit(RLIMIT_CORE, &rl);
    (void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

int eseal_sealer_open(eseal_sealer **out, const eseal_sealer_opts *opts,
    eseal_error *err)
{
    eseal_sealer *s = NULL;
    STACK_OF(X509) *extra = NULL;
    int rc, i, token;

    if (out == NULL || opts == NULL)
        return eseal__error_set(err, ESEAL_EINVAL, "invalid argument");
    *out = NULL;
    if (opts->version != ESEAL_SEALER_OPTS_VERSION)
        return eseal__error_set(err, ESEAL_EINVAL,
            "unknown eseal_sealer_opts version");
    token = eseal__p11_is_uri(opts->key);
    disable_core_dumps();
    s = OPENSSL_zalloc(sizeof(*s));
    if (s == NULL)
        return eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
    if ((rc = eseal__key_load(&s->key, &s->cert, &extra, opts, err)) < 0)
        goto cleanup;
    if (opts->cert != NULL) {
        X509_free(s->cert);
        s->cert = NULL;
        if ((rc = load_cert_file(&s->cert, opts->cert, err)) < 0)
            goto cleanup;
    }
    if (s->cert == NULL) {
        rc = eseal__error_set(err, ESEAL_EINVAL, token ?
            "no certificate given (--cert), and the token holds none for "
            "the key" : "no certificate given (--cert)");
        goto cleanup;
    }
    if (X509_check_private_key(s->cert, s->key) != 1) {
        ERR_clear_error();
        rc = eseal__error_set(err, ESEAL_EKEY,
            "%s: the key does not match the certificate %s", opts->key,
            opts->cert ? opts->cert : token ? "on the token"
                                            : "in the PKCS#12 file");
        goto cleanup;
    }
    if (!opts->allow_unfit &&
        (rc = check_fit(s->cert, opts->cert ? opts->cert : opts->key,
             err)) < 0)
        goto cleanup;
    if ((rc = choose_digest(s, opts, err)) < 0)
        goto cleanup;
    if (opts->chain != NULL) {
        if ((rc = load_chain_file(&s->chain, opts->chain, err)) < 0)
            goto cleanup;
    } else {
        s->chain = extra != NULL ? extra : sk_X509_new_null();
        extra = NULL; /* owned by s now */
        if (s->chain == NULL) {
            rc = eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
            goto cleanup;
        }
    }
    /* the leaf is added by the CMS code; never twice */
    for (i = sk_X509_num(s->chain) - 1; i >= 0; i--) {
        if (X509_cmp(sk_X509_value(s->chain, i), s->cert) == 0)
            X509_free(sk_X509_delete(s->chain, i));
    }
    if ((rc = eseal__cms_max_len(&s->cms_max_len, s, err)) < 0)
        goto cleanup;
    *out = s;
    s = NULL;
cleanup:
    sk_X509_pop_free(extra, X509_free);
    eseal_sealer_free(s);
    return rc;
}

void eseal_sealer_free(eseal_sealer *sealer)
{
    eseal_p11 *p11;

    if (sealer == NULL)
        return;
    p11 = eseal__p11_of_key(sealer->key);
    EVP_PKEY_free(sealer->key);
    eseal__p11_close(p11); /* after the key it made */
    X509_free(sealer->cert);
    sk_X509_pop_free(sealer->chain, X509_free);
    OPENSSL_clear_free(sealer, sizeof(*sealer));
}

int eseal_sealer_after_fork(eseal_sealer *sealer, eseal_error *err)
{
    if (sealer == NULL)
        return eseal__error_set(err, ESEAL_EINVAL, "invalid argument");
    /* the fork kept the parent's settings, but a server may have made its
     * worker dumpable again (nginx does, for its core files) */
    disable_core_dumps();
    return eseal__p11_after_fork(eseal__p11_of_key(sealer->key), err);
}

const char *eseal_level_name(eseal_level level)
{
    static const char *const names[] = { "B-B", "B-T", "B-LT", "B-LTA" };

    if ((unsigned)level >= sizeof(names) / sizeof(names[0]))
        return NULL;
    return names[level];
}

int eseal_level_parse(eseal_level *out, const char *name)
{
    eseal_level l;

    for (l = ESEAL_LEVEL_B_B; l <= ESEAL_LEVEL_B_LTA; l++) {
        if (name != NULL && strcmp(name, eseal_level_name(l)) == 0) {
            *out = l;
            return 0;
        }
    }
    return ESEAL_EINVAL;
}

int eseal_digest_parse(eseal_digest *out, const char *name)
{
    if (name == NULL)
        return ESEAL_EINVAL;
    if (strcmp(name, "sha256") == 0)
        *out = ESEAL_DIGEST_SHA256;
    else if (strcmp(name, "sha384") == 0)
        *out = ESEAL_DIGEST_SHA384;
    else if (strcmp(name, "sha512") == 0)
        *out = ESEAL_DIGEST_SHA512;
    else
        return ESEAL_EINVAL;
    return 0;
}

X509 *eseal__sealer_cert(const eseal_sealer *sealer)
{
    return sealer->cert;
}

STACK_OF(X509) *eseal__sealer_chain(const eseal_sealer *sealer)
{
    return sealer->chain;
}

const char *eseal__sealer_md_name(const eseal_sealer *sealer)
{
    return sealer->md_name;
}

int eseal__sealer_key_type(const eseal_sealer *sealer)
{
    return EVP_PKEY_get_base_id(sealer->key);
}

int eseal__sealer_rsa_pss(const eseal_sealer *sealer)
{
    return sealer->rsa_pss;
}

int eseal__sealer_key_bits(const eseal_sealer *sealer)
{
    return EVP_PKEY_get_bits(sealer->key);
}
