/* eseal - keys on PKCS#11 tokens (libp11): RFC 7512 URIs, login, fork. */
#ifndef ESEAL_PKCS11_H
#define ESEAL_PKCS11_H

#include <openssl/evp.h>
#include <openssl/x509.h>
#include "eseal_int.h"

#define ESEAL_P11_MAX_URI 4096   /* characters of a whole URI */
#define ESEAL_P11_MAX_VALUE 1024 /* bytes of one decoded attribute */

/*
 * A parsed "pkcs11:" URI (RFC 7512).  Strings are decoded (percent
 * escapes resolved) and NUL-terminated; NULL when the attribute is absent.
 * pin-value is never accepted, in the path or in the query.
 */
typedef struct eseal_p11_uri {
    char *token;
    char *manufacturer;
    char *serial;
    char *model;
    char *library_manufacturer;
    char *library_description;
    char *library_version;
    char *object;
    char *type;              /* "private" or NULL */
    unsigned char *id;
    size_t id_len;
    int has_id;
    char *slot_description;
    char *slot_manufacturer;
    unsigned long slot_id;
    int has_slot_id;
    char *module_path;       /* query: the PKCS#11 module to load */
    char *module_name;       /* query: a module p11-kit knows by name */
    char *pin_source;        /* query: file holding the PIN */
} eseal_p11_uri;

/* 1 when key names a PKCS#11 object ("pkcs11:" prefix). */
int eseal__p11_is_uri(const char *key);

/*
 * Parses uri into *out (zeroed first; free with eseal__p11_uri_clear()).
 * Refuses pin-value, unknown or repeated attributes, bad escapes, a type
 * other than "private", and values over the limits, with ESEAL_ECONFIG
 * and a message that never repeats the URI.
 */
int eseal__p11_uri_parse(eseal_p11_uri *out, const char *uri,
    eseal_error *err);
void eseal__p11_uri_clear(eseal_p11_uri *uri);

/* "token \"T\", object \"O\"" for messages; never a secret. */
void eseal__p11_uri_describe(char *out, size_t size, const eseal_p11_uri *u);

/* ---- tokens ------------------------------------------------------------ */

/* One loaded module, its slots and the login: owned by one sealer. */
typedef struct eseal_p11 eseal_p11;

/*
 * Loads the module the URI names (module-path; else p11-kit's proxy, which
 * reaches every module p11-kit knows), finds the one token and the one
 * private key that match, logs in once with pin (NULL: no PIN given), and
 * returns the key as an EVP_PKEY whose private-key operations run on the
 * token.  When want_cert is set, *cert is the token's certificate with the
 * key's CKA_ID (or its label) and *extra the token certificates that chain
 * it to a root; else they stay NULL.  The PIN is kept (in OpenSSL's secure
 * heap when it has one) for keys that need a login per signature
 * (CKA_ALWAYS_AUTHENTICATE) and for a login again in a child after fork,
 * and wiped when *out is closed.
 * On failure every out parameter is left NULL.
 */
int eseal__p11_open(eseal_p11 **out, EVP_PKEY **key, X509 **cert,
    STACK_OF(X509) **extra, const char *uri, const char *pin, int want_cert,
    eseal_error *err);

/* The eseal_p11 that made key, or NULL for a key held in memory. */
eseal_p11 *eseal__p11_of_key(const EVP_PKEY *key);

/*
 * In a child process after fork(): disables core dumps, initializes the
 * module again (with OS locking, so threads may share it), checks that a
 * session opens on the slot (else finalizes, pauses and tries again, for
 * up to 10 s: libp11 would wait forever), logs in once and finds the key
 * again.  A no-op in the process that opened the token, or when already
 * done in this one.  Thread-safe.
 */
int eseal__p11_after_fork(eseal_p11 *p11, eseal_error *err);

/* Wipes the PIN; logs out and unloads the module unless another open
 * eseal_p11 of this process uses the same module (then this one waits,
 * retired, for the last one to close).  Call after the last
 * EVP_PKEY_free() of the key.  NULL-safe. */
void eseal__p11_close(eseal_p11 *p11);

#endif
