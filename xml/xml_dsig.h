/* eseal XAdES adapter - restricted xmlsec signature contexts. */
#ifndef ESEAL_XML_DSIG_H
#define ESEAL_XML_DSIG_H

#include <xmlsec/xmlsec.h>
#include <xmlsec/keys.h>
#include <xmlsec/xmldsig.h>
#include "xml_int.h"

/* A signature context for sign (1) or verify (0) that accepts only
 * same-document references and the transforms and algorithms eseal
 * allows; never looks keys up from KeyInfo.  NULL on failure. */
xmlSecDSigCtxPtr eseal__xml_dsig_ctx(int sign);

/* Processes one ds:Reference in ctx's mode (sign: writes DigestValue;
 * verify: compares it).  *ok: the digest was written or matches.  -1 when
 * the reference cannot be processed. */
int eseal__xml_ref_process(xmlSecDSigCtxPtr ctx, xmlNodePtr ref, int *ok);

/* An xmlsec key holding only the public key of cert. */
int eseal__xml_key_from_cert(xmlSecKeyPtr *out, X509 *cert);

#endif
