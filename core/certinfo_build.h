/*
 * eseal - helpers shared by the certificate inspection files (certinfo.c,
 * certinfo_ext.c): a collector that remembers allocation failures and
 * findings, and readers of ASN.1 values.
 */
#ifndef ESEAL_CERTINFO_BUILD_H
#define ESEAL_CERTINFO_BUILD_H

#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include "eseal_int.h"

/* Caps on what one certificate can make us collect. */
#define ESEAL_CI_MAX_ITEMS 256   /* entries of each list */
#define ESEAL_CI_MAX_ORG_IDS 32  /* organizationIdentifier values */

/* Collects results; an allocation failure is remembered, not returned. */
typedef struct eseal_ci {
    eseal_cert_info *info;  /* NULL when only names are read */
    int oom;
    int truncated;          /* a list reached ESEAL_CI_MAX_ITEMS */
    int malformed;          /* a "malformed" warning was given */
} eseal_ci;

/* Returns s; a NULL s marks b as out of memory. */
char *eseal__ci_keep(eseal_ci *b, char *s);
char *eseal__ci_dup(eseal_ci *b, const char *s);
/* Appends a copy of s to a string list (at most ESEAL_CI_MAX_ITEMS). */
void eseal__ci_add(eseal_ci *b, char ***list, size_t *n, const char *s);
/* Same, and frees s. */
void eseal__ci_add_own(eseal_ci *b, char ***list, size_t *n, char *s);

/* A finding that makes the certificate unfit for sealing. */
void eseal__ci_warn(eseal_ci *b, const char *code, const char *fmt, ...)
    ESEAL_PRINTF(3, 4);
/* A softer remark. */
void eseal__ci_note(eseal_ci *b, const char *code, const char *fmt, ...)
    ESEAL_PRINTF(3, 4);

/* An ASN.1 string as UTF-8 (NUL bytes inside become '?'). */
char *eseal__ci_text(eseal_ci *b, const ASN1_STRING *s);
/* Dotted text of an OID. */
char *eseal__ci_oid(eseal_ci *b, const ASN1_OBJECT *o);
int eseal__ci_oid_is(const ASN1_OBJECT *o, const char *dotted);
/* A name in RFC 2253 order with UTF-8 kept as is. */
char *eseal__ci_name(eseal_ci *b, const X509_NAME *name);

/* Decodes extension nid; reports malformed or repeated ones; NULL when
 * absent or unusable.  Free with the type's own free function. */
void *eseal__ci_get_ext(eseal_ci *b, X509 *x, int nid, const char *what);
/* The extension with the dotted OID, or NULL; repeats are reported. */
X509_EXTENSION *eseal__ci_find_ext(eseal_ci *b, X509 *x, const char *oid,
    const char *what);

/* Extension readers (certinfo_ext.c). */
void eseal__ci_read_policies(eseal_ci *b, X509 *x, const char *const *table);
void eseal__ci_read_locations(eseal_ci *b, X509 *x);
void eseal__ci_read_lei(eseal_ci *b, X509 *x);
void eseal__ci_read_qc(eseal_ci *b, X509 *x);

#endif
