/* eseal - what the core needs from certificate inspection (certinfo.c). */
#ifndef ESEAL_CERTINFO_INT_H
#define ESEAL_CERTINFO_INT_H

#include <openssl/x509.h>
#include "eseal_int.h"

/* Fills *out from the certificate: subject, O, organizationIdentifier(s),
 * serial (hex, upper case), issuer.  Returns 0 or ESEAL_ENOMEM. */
int eseal__signer_from_x509(eseal_signer *out, X509 *cert, eseal_error *err);

/* Frees the strings of *s and zeroes it. */
void eseal__signer_clear(eseal_signer *s);

/* The assurance level ("1", "2", ...) that the certificate's policies map
 * to, from table ("OID=level" pairs, NULL-terminated; NULL = built-in
 * table).  Returns a string to free(), or NULL when no policy matches. */
char *eseal__assurance_level(X509 *cert, const char *const *table);

#endif
