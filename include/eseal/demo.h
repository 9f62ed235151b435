/* eseal - a throw-away demonstration PKI. */
#ifndef ESEAL_DEMO_H
#define ESEAL_DEMO_H

#include <eseal/common.h>
#include <eseal/error.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Writes a demo PKI into dir (created if missing): root CA, issuing CA,
 * e-Seal certificates (RSA and ECDSA) shaped like the Japanese guideline's
 * example, a TSA certificate, an OCSP responder certificate, a CRL, and an
 * OpenSSL CA index.  url_base (e.g. "http://127.0.0.1:8080", NULL for a
 * default) is where the certificates point for OCSP, CRLs and CA
 * certificates.  Every key and certificate is marked as demo material.
 * Private keys are written with mode 0600.
 */
ESEAL_API int eseal_demo_pki(const char *dir, const char *url_base,
    eseal_error *err);

#ifdef __cplusplus
}
#endif
#endif
