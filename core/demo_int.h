/* eseal - internals of the demo PKI (core/demo_pki.c, core/demo_x509.c). */
#ifndef ESEAL_DEMO_INT_H
#define ESEAL_DEMO_INT_H

#include <time.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include "eseal_int.h"

#define ESEAL_DEMO_ORG "Example Demo Corporation (DEMO)"

typedef enum eseal_demo_key {
    ESEAL_DEMO_RSA2048,
    ESEAL_DEMO_P256,
    ESEAL_DEMO_P384
} eseal_demo_key;

/* The kind of certificate, which decides its extensions. */
typedef enum eseal_demo_cert {
    ESEAL_DEMO_ROOT,     /* self-signed root CA */
    ESEAL_DEMO_ISSUING,  /* CA signed by the root, pathlen 0 */
    ESEAL_DEMO_ESEAL,    /* e-Seal, shaped like the Japanese guideline's */
    ESEAL_DEMO_TSA,      /* timestamping unit */
    ESEAL_DEMO_OCSP      /* OCSP responder of the issuing CA */
} eseal_demo_cert;

/* One key pair and its certificate. */
typedef struct eseal_demo_pair {
    EVP_PKEY *key;
    X509 *cert;
} eseal_demo_pair;

/* What the certificates point to and when they start. */
typedef struct eseal_demo_where {
    const char *url;   /* URL base, no trailing '/' or ',' */
    const char *lei;   /* the LEI of the demo organization */
    time_t now;
} eseal_demo_where;

/*
 * Makes a key and a certificate of the given kind for it, signed by issuer
 * (NULL: self-signed), with a random positive 16-byte serial, valid from
 * an hour before w->now for the given number of days.  On success the
 * caller frees *out with eseal__demo_pair_free().
 */
int eseal__demo_issue(eseal_demo_pair *out, eseal_demo_key key_kind,
    const char *const *rdn, const eseal_demo_pair *issuer, long days,
    eseal_demo_cert kind, const eseal_demo_where *w, eseal_error *err);

void eseal__demo_pair_free(eseal_demo_pair *p);

/*
 * A v2 CRL of ca, issued five minutes before now, next update seven days
 * after now, listing revoked (NULL: none) as revoked at revoked_at for
 * keyCompromise.
 */
int eseal__demo_crl(X509_CRL **out, const eseal_demo_pair *ca,
    X509 *revoked, time_t revoked_at, time_t now, eseal_error *err);

#endif
