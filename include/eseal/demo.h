/* eseal - a throw-away demonstration PKI. */
#ifndef ESEAL_DEMO_H
#define ESEAL_DEMO_H

#include <eseal/common.h>
#include <eseal/error.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Writes a demo PKI into dir (created if missing; its parent must exist):
 *
 * - root-ca.pem/.key/.cer (self-signed), issuing-ca.pem/.key/.cer (signed
 *   by the root), chain.pem (issuing CA, root), trust.pem (root only);
 * - e-Seal certificates shaped like the Japanese guideline's example
 *   (organizationIdentifier NTRJP- and LEIXG-, QcType eseal, LEI
 *   extension, demo policy OIDs of level 2): eseal-rsa (RSA 2048, also as
 *   eseal-rsa.p12 with a random password in eseal-rsa.p12.pass), eseal-ec
 *   (P-256), eseal-ec384 (P-384), and revoked (P-256, revoked);
 * - tsa.pem/.key (timestamping unit), ocsp.pem/.key (OCSP responder);
 * - issuing-ca.crl (PEM) and issuing-ca.crl.der listing the revoked
 *   certificate, root-ca.crl(.der) (empty);
 * - index.txt and index.txt.attr for `openssl ocsp -index`; README.txt.
 *
 * url_base (e.g. "http://127.0.0.1:8080", NULL for that default) is where
 * the certificates point: <url_base>/issuing-ca.cer and root-ca.cer (CA
 * issuers), <url_base>/issuing-ca.crl.der and root-ca.crl.der (CRLs, in
 * DER as RFC 5280 requires of an HTTP distribution point) and
 * <url_base>/ocsp.  Every certificate says DEMO in its subject and every
 * PEM file starts with a line marking it as demo material.  Private keys
 * (unencrypted PKCS#8 PEM), the .p12 and its password file are written
 * with mode 0600.
 *
 * Refuses (ESEAL_EIO) a directory that already holds root-ca.key; other
 * files of the same names are replaced.  root-ca.key is written last, so
 * a run that failed can be repeated.  ESEAL_EINVAL for a url_base that is
 * not a plain http(s) URL.  Blocks for key generation (about a second)
 * and file I/O.
 */
ESEAL_API int eseal_demo_pki(const char *dir, const char *url_base,
    eseal_error *err);

/**
 * Names of the files eseal_demo_pki() writes, in the order it writes
 * them, NULL-terminated.  Static storage.
 */
ESEAL_API const char *const *eseal_demo_pki_files(void);

#ifdef __cplusplus
}
#endif
#endif
