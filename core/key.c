/* eseal - loading private keys, certificates and passwords. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/proverr.h>
#include "core_int.h"
#include "pkcs11.h"

#define MAX_KEY_FILE (1u << 20)
#define MAX_PASSWORD 1024

int eseal__check_secret_file_mode(const char *path, const char *what,
    eseal_error *err)
{
    struct stat st;

    if (stat(path, &st) < 0)
        return eseal__error_set(err, ESEAL_EIO, "%s: cannot open %s: %s",
            path, what, strerror(errno));
    if (st.st_mode & (S_IRWXG | S_IRWXO))
        return eseal__error_set(err, ESEAL_EKEY,
            "%s: %s is accessible by group or others (mode %04o); "
            "run chmod 600 on it", path, what, (unsigned)(st.st_mode & 07777));
    return 0;
}

/* Reads a small whole file into a buffer that is wiped when freed. */
static int read_small_file(unsigned char **out, size_t *len, const char *path,
    const char *what, eseal_error *err)
{
    unsigned char *buf = NULL;
    struct stat st;
    size_t got = 0;
    int fd, rc = 0;

    *out = NULL;
    *len = 0;
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0)
        return eseal__error_set(err, ESEAL_EIO, "%s: cannot open %s: %s",
            path, what, strerror(errno));
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
        st.st_size > MAX_KEY_FILE) {
        rc = eseal__error_set(err, ESEAL_EIO, "%s: %s is not a regular file "
            "of at most 1 MiB", path, what);
        goto cleanup;
    }
    buf = OPENSSL_secure_malloc((size_t)st.st_size + 1);
    if (buf == NULL) {
        rc = eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
        goto cleanup;
    }
    while (got < (size_t)st.st_size) {
        ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            rc = eseal__error_set(err, ESEAL_EIO, "%s: cannot read %s",
                path, what);
            goto cleanup;
        }
        got += (size_t)n;
    }
    buf[got] = '\0';
    *out = buf;
    *len = got;
    buf = NULL;
cleanup:
    if (buf != NULL)
        OPENSSL_secure_clear_free(buf, (size_t)st.st_size + 1);
    close(fd);
    return rc;
}

/* The password, or NULL when no source is configured.  Wipe with
 * OPENSSL_clear_free(p, strlen(p)). */
static int get_password(char **out, const eseal_sealer_opts *opts,
    eseal_error *err)
{
    const char *src = NULL;
    unsigned char *file = NULL;
    size_t len = 0;
    char *pw;
    int rc;

    *out = NULL;
    if (opts->pass_file != NULL) {
        if ((rc = eseal__check_secret_file_mode(opts->pass_file,
                 "password file", err)) < 0)
            return rc;
        if ((rc = read_small_file(&file, &len, opts->pass_file,
                 "password file", err)) < 0)
            return rc;
        /* the first line is the password */
        len = strcspn((char *)file, "\r\n");
        src = (const char *)file;
    } else if (opts->pass_env != NULL) {
        src = getenv(opts->pass_env);
        if (src == NULL)
            return eseal__error_set(err, ESEAL_ECONFIG,
                "environment variable %s is not set", opts->pass_env);
        len = strlen(src);
    } else if (opts->password != NULL) {
        src = opts->password;
        len = strlen(src);
    } else {
        return 0;
    }
    if (len > MAX_PASSWORD) {
        rc = eseal__error_set(err, ESEAL_ECONFIG, "password too long");
        goto cleanup;
    }
    pw = OPENSSL_malloc(len + 1);
    if (pw == NULL) {
        rc = eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
        goto cleanup;
    }
    memcpy(pw, src, len);
    pw[len] = '\0';
    *out = pw;
    rc = 0;
cleanup:
    if (file != NULL)
        OPENSSL_secure_clear_free(file, strlen((char *)file) + 1);
    return rc;
}

static int password_cb(char *buf, int size, int rwflag, void *u)
{
    const char *pw = u;
    size_t len;

    (void)rwflag;
    if (pw == NULL)
        return -1;
    len = strlen(pw);
    if (len > (size_t)size)
        return -1;
    memcpy(buf, pw, len);
    return (int)len;
}

/* Drains the OpenSSL queue; 1 when it says the password was missing or
 * wrong (the reason depends on the key format and the decoder). */
static int is_password_error(void)
{
    unsigned long e;
    int found = 0;

    while ((e = ERR_get_error()) != 0) {
        int lib = ERR_GET_LIB(e), reason = ERR_GET_REASON(e);

        if ((lib == ERR_LIB_PEM && (reason == PEM_R_BAD_PASSWORD_READ ||
                                    reason == PEM_R_BAD_DECRYPT)) ||
            (lib == ERR_LIB_PKCS12 &&
             (reason == PKCS12_R_PKCS12_CIPHERFINAL_ERROR ||
              reason == PKCS12_R_MAC_VERIFY_FAILURE)) ||
            (lib == ERR_LIB_EVP && reason == EVP_R_BAD_DECRYPT) ||
            (lib == ERR_LIB_PROV && reason == PROV_R_BAD_DECRYPT))
            found = 1;
    }
    return found;
}

static int load_pkcs12(EVP_PKEY **key, X509 **cert, STACK_OF(X509) **extra,
    PKCS12 *p12, const char *path, const char *pw, eseal_error *err)
{
    if (PKCS12_verify_mac(p12, pw ? pw : "", -1) != 1 &&
        PKCS12_verify_mac(p12, NULL, 0) != 1) {
        ERR_clear_error();
        return eseal__error_set(err, ESEAL_EPASS,
            "%s: wrong password for the PKCS#12 file", path);
    }
    if (PKCS12_parse(p12, pw ? pw : "", key, cert, extra) != 1)
        return eseal__error_ossl(err, ESEAL_EKEY,
            "%s: cannot read the PKCS#12 file", path);
    if (*key == NULL)
        return eseal__error_set(err, ESEAL_EKEY,
            "%s: the PKCS#12 file holds no private key", path);
    return 0;
}

/* The PIN file a URI's pin-source names ("file:/path" or a path). */
static int uri_pin_source(char **out, const char *uri, eseal_error *err)
{
    eseal_sealer_opts o = ESEAL_SEALER_OPTS_INIT;
    eseal_p11_uri u;
    const char *path;
    int rc;

    *out = NULL;
    if ((rc = eseal__p11_uri_parse(&u, uri, err)) < 0)
        return rc;
    if (u.pin_source == NULL)
        goto cleanup;
    path = u.pin_source;
    if (strncmp(path, "file:", 5) == 0) {
        path += 5;
        if (strncmp(path, "//", 2) == 0) /* file:///abs/path */
            path += 2;
    }
    if (*path == '\0' || *path == '|') {
        rc = eseal__error_set(err, ESEAL_ECONFIG, "pkcs11: URI: pin-source "
            "must name a file");
        goto cleanup;
    }
    o.pass_file = path;
    rc = get_password(out, &o, err);
cleanup:
    eseal__p11_uri_clear(&u);
    return rc;
}

/* A key on a PKCS#11 token: the PIN from the options or the URI's
 * pin-source; the certificate from the token when none is given. */
static int load_pkcs11(EVP_PKEY **key, X509 **cert, STACK_OF(X509) **extra,
    const eseal_sealer_opts *opts, eseal_error *err)
{
    eseal_p11 *p11 = NULL;
    char *pin = NULL;
    int rc;

    if ((rc = get_password(&pin, opts, err)) < 0)
        return rc;
    if (pin == NULL && (rc = uri_pin_source(&pin, opts->key, err)) < 0)
        return rc;
    rc = eseal__p11_open(&p11, key, cert, extra, opts->key, pin,
        opts->cert == NULL, err);
    /* p11 lives as long as *key: eseal__p11_of_key() finds it again */
    if (pin != NULL)
        OPENSSL_clear_free(pin, strlen(pin));
    return rc;
}

int eseal__key_load(EVP_PKEY **key, X509 **cert, STACK_OF(X509) **extra,
    const eseal_sealer_opts *opts, eseal_error *err)
{
    unsigned char *data = NULL;
    size_t len = 0;
    char *pw = NULL;
    PKCS12 *p12 = NULL;
    BIO *bio = NULL;
    const unsigned char *p;
    int rc;

    *key = NULL;
    *cert = NULL;
    *extra = NULL;
    if (opts->key == NULL)
        return eseal__error_set(err, ESEAL_EINVAL, "no key given (--key)");
    if (eseal__p11_is_uri(opts->key))
        return load_pkcs11(key, cert, extra, opts, err);
    if ((rc = eseal__check_secret_file_mode(opts->key, "key file", err)) < 0)
        return rc;
    if ((rc = read_small_file(&data, &len, opts->key, "key file", err)) < 0)
        return rc;
    if ((rc = get_password(&pw, opts, err)) < 0)
        goto cleanup;

    p = data;
    p12 = d2i_PKCS12(NULL, &p, (long)len);
    if (p12 != NULL) {
        rc = load_pkcs12(key, cert, extra, p12, opts->key, pw, err);
        goto cleanup;
    }
    ERR_clear_error();
    bio = BIO_new_mem_buf(data, (int)len);
    if (bio == NULL) {
        rc = eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
        goto cleanup;
    }
    *key = PEM_read_bio_PrivateKey(bio, NULL, password_cb, pw);
    if (*key == NULL && is_password_error()) {
        ERR_clear_error();
        rc = eseal__error_set(err, ESEAL_EPASS, pw == NULL ?
            "%s: the key is encrypted: give its password "
            "(--pass-file or --pass-env)" :
            "%s: wrong password for the key", opts->key);
        goto cleanup;
    }
    if (*key == NULL) {
        ERR_clear_error();
        p = data;
        *key = d2i_AutoPrivateKey(NULL, &p, (long)len);
    }
    if (*key == NULL) {
        rc = eseal__error_ossl(err, ESEAL_EKEY,
            "%s: not a private key (PEM, DER or PKCS#12)", opts->key);
        goto cleanup;
    }
    rc = 0;
cleanup:
    if (rc < 0) {
        EVP_PKEY_free(*key);
        X509_free(*cert);
        sk_X509_pop_free(*extra, X509_free);
        *key = NULL;
        *cert = NULL;
        *extra = NULL;
    }
    ERR_clear_error();
    PKCS12_free(p12);
    BIO_free(bio);
    if (pw != NULL)
        OPENSSL_clear_free(pw, strlen(pw));
    if (data != NULL)
        OPENSSL_secure_clear_free(data, len + 1);
    return rc;
}
