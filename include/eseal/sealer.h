/* eseal - the sealer: a key, its certificate and chain, opened once. */
#ifndef ESEAL_SEALER_H
#define ESEAL_SEALER_H

#include <eseal/common.h>
#include <eseal/error.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Opaque; after eseal_sealer_open() it may be shared by threads. */
typedef struct eseal_sealer eseal_sealer;

typedef enum eseal_digest {
    ESEAL_DIGEST_DEFAULT = 0, /* SHA-256, or SHA-384 for a P-384 key */
    ESEAL_DIGEST_SHA256,
    ESEAL_DIGEST_SHA384,
    ESEAL_DIGEST_SHA512
} eseal_digest;

typedef enum eseal_level {
    ESEAL_LEVEL_B_B = 0,
    ESEAL_LEVEL_B_T,
    ESEAL_LEVEL_B_LT,
    ESEAL_LEVEL_B_LTA
} eseal_level;

#define ESEAL_SEALER_OPTS_VERSION 1

typedef struct eseal_sealer_opts {
    unsigned int version;  /* ESEAL_SEALER_OPTS_VERSION */
    const char *key;       /* PEM/DER private key or PKCS#12 file, or a
                              "pkcs11:" URI (RFC 7512; docs/pkcs11.md) */
    const char *cert;      /* PEM/DER certificate; NULL: from the PKCS#12
                              or the token */
    const char *chain;     /* PEM file of CA certificates; may be NULL */
    const char *pass_file; /* file whose first line is the key password
                              (or the token's PIN) */
    const char *pass_env;  /* environment variable holding it */
    const char *password;  /* password held by the caller (config file) */
    eseal_digest digest;
    int rsa_pss;           /* sign with RSASSA-PSS instead of PKCS#1 v1.5 */
    int allow_unfit;       /* seal even with an unfit certificate (tests) */
} eseal_sealer_opts;

#define ESEAL_SEALER_OPTS_INIT { ESEAL_SEALER_OPTS_VERSION, NULL, NULL, NULL, \
    NULL, NULL, NULL, ESEAL_DIGEST_DEFAULT, 0, 0 }

/**
 * Loads the key, certificate and chain; checks that the key matches the
 * certificate, that the certificate may seal (digitalSignature or
 * nonRepudiation) and is valid now; refuses key files readable by group or
 * others; disables core dumps of the process while a key is loaded.
 *
 * A "pkcs11:" key is opened on its token: the module is loaded, the one
 * matching token and private key are found and the process logs in once
 * with the PIN from pass_file, pass_env or password (a pin-value in the
 * URI is refused).  Without cert, the token's certificate for the key is
 * used, and without chain the token's certificates that issue it.
 * Signatures made at the same time by several threads each use their own
 * PKCS#11 session; a key that needs a login per signature
 * (CKA_ALWAYS_AUTHENTICATE) gets it with the same PIN.
 *
 * Blocks on file I/O (and on the token).  Returns 0 and a sealer the
 * caller frees with eseal_sealer_free(), or a negative code (*out stays
 * NULL): ESEAL_EPASS for a wrong or missing password or PIN, ESEAL_EKEY,
 * ESEAL_ECERT, ESEAL_ECONFIG, ESEAL_EIO.
 */
ESEAL_API int eseal_sealer_open(eseal_sealer **out,
    const eseal_sealer_opts *opts, eseal_error *err);

/**
 * Makes a sealer opened before fork() usable in the child (an nginx worker,
 * a pre-forked server): disables core dumps again (the child may have been
 * made dumpable), and for a PKCS#11 key initializes the module again in
 * this process, logs in once and finds the key again; for a key in memory,
 * that is all.  Children may call it at the same time: a token their
 * module cannot see for a moment (SoftHSM2 while another process logs in)
 * is tried again for up to 10 seconds, then ESEAL_EKEY is returned; it
 * never waits forever.  Call it in each child, before its threads seal
 * (the first signature made in a child does it otherwise, and a failure
 * then shows on that document).  Alternatively open the sealer in each
 * child after the fork.  Thread-safe; idempotent.  Returns 0 or ESEAL_EKEY.
 */
ESEAL_API int eseal_sealer_after_fork(eseal_sealer *sealer,
    eseal_error *err);

/**
 * Frees a sealer and wipes its key material; for a PKCS#11 key, logs out
 * and unloads the module (in a child that never used the token after a
 * fork, that is left to the process exit).  NULL-safe.
 */
ESEAL_API void eseal_sealer_free(eseal_sealer *sealer);

/** Returns the name of a level ("B-B"...), or NULL. */
ESEAL_API const char *eseal_level_name(eseal_level level);

/** Parses "B-B", "B-T", "B-LT", "B-LTA".  Returns 0 or ESEAL_EINVAL. */
ESEAL_API int eseal_level_parse(eseal_level *out, const char *name);

/** Parses "sha256", "sha384", "sha512".  Returns 0 or ESEAL_EINVAL. */
ESEAL_API int eseal_digest_parse(eseal_digest *out, const char *name);

#ifdef __cplusplus
}
#endif
#endif
