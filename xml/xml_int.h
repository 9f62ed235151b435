/* eseal XAdES adapter - internals shared by the xml/ files. */
#ifndef ESEAL_XML_INT_H
#define ESEAL_XML_INT_H

#include <libxml/tree.h>
#include <openssl/x509.h>
#include "xml_adapter.h"

/* ---- limits on what untrusted input controls ---------------------------- */

#define ESEAL_XML_MAX_SIZE ((uint64_t)512 << 20)  /* bytes of one document */
#define ESEAL_XML_MAX_DEPTH 200                   /* element nesting */
#define ESEAL_XML_MAX_SIGNATURES 64               /* ds:Signature elements */
#define ESEAL_XML_MAX_CERTS 16                    /* per ds:KeyInfo */

/* ---- namespaces and algorithm identifiers ------------------------------- */

#define ESEAL_NS_DS "http://www.w3.org/2000/09/xmldsig#"
#define ESEAL_NS_XADES "http://uri.etsi.org/01903/v1.3.2#"
#define ESEAL_NS_XADES141 "http://uri.etsi.org/01903/v1.4.1#"
#define ESEAL_NS_XADES111 "http://uri.etsi.org/01903/v1.1.1#"
#define ESEAL_NS_XPATH2 "http://www.w3.org/2002/06/xmldsig-filter2"
#define ESEAL_NS_UBL_EXT \
    "urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2"
#define ESEAL_NS_UBL_SIG \
    "urn:oasis:names:specification:ubl:schema:xsd:CommonSignatureComponents-2"
#define ESEAL_NS_UBL_SAC "urn:oasis:names:specification:ubl:schema:xsd:" \
    "SignatureAggregateComponents-2"
#define ESEAL_NS_UBL_SBC "urn:oasis:names:specification:ubl:schema:xsd:" \
    "SignatureBasicComponents-2"
#define ESEAL_UBL_INVOICE_PREFIX "urn:oasis:names:specification:ubl:schema:xsd:"
#define ESEAL_UBL_EXTENSION_URI \
    "urn:oasis:names:specification:ubl:dsig:enveloped:xades"

#define ESEAL_ALG_ENVELOPED "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
#define ESEAL_ALG_XPATH "http://www.w3.org/TR/1999/REC-xpath-19991116"
#define ESEAL_ALG_XPATH2 ESEAL_NS_XPATH2
#define ESEAL_ALG_EXC_C14N "http://www.w3.org/2001/10/xml-exc-c14n#"
#define ESEAL_ALG_C14N "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
#define ESEAL_ALG_C14N11 "http://www.w3.org/2006/12/xml-c14n11"
#define ESEAL_TYPE_SIGNED_PROPS "http://uri.etsi.org/01903#SignedProperties"
#define ESEAL_ALG_PSS_SHA256 "http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1"
#define ESEAL_ALG_PSS_SHA384 "http://www.w3.org/2007/05/xmldsig-more#sha384-rsa-MGF1"
#define ESEAL_ALG_PSS_SHA512 "http://www.w3.org/2007/05/xmldsig-more#sha512-rsa-MGF1"

/* The XPath 1.0 transform of the UBL TC's enveloped XAdES sample:
 * everything but the sig:UBLDocumentSignatures that holds this signature.
 * Recognized when verifying; eseal does not make it (xmlsec evaluates it
 * once per node: 13 s for a 1 MB invoice). */
#define ESEAL_UBL_XPATH \
    "count(ancestor-or-self::sig:UBLDocumentSignatures | " \
    "here()/ancestor::sig:UBLDocumentSignatures[1]) > " \
    "count(ancestor-or-self::sig:UBLDocumentSignatures)"

/* ---- encodings and the byte scanner (xml/xml_scan.c) -------------------- */

typedef enum eseal_xml_enc_kind {
    ESEAL_XML_ENC_ASCII = 0, /* ASCII bytes always mean ASCII characters */
    ESEAL_XML_ENC_SJIS,      /* ASCII-compatible, but trail bytes may be ASCII */
    ESEAL_XML_ENC_OTHER      /* UTF-16/32 and the like: no splicing */
} eseal_xml_enc_kind;

typedef struct eseal_xml_encoding {
    eseal_xml_enc_kind kind;
    char name[40];   /* as declared (or implied): "UTF-8", "Shift_JIS" */
    size_t bom_len;  /* bytes of a UTF-8 byte order mark, or 0 */
} eseal_xml_encoding;

/* Looks at the byte order mark and the XML declaration. */
void eseal__xml_sniff_encoding(eseal_xml_encoding *out,
    const unsigned char *p, size_t n);

/* Where one element's tags sit in the input. */
typedef struct eseal_xml_pos {
    uint64_t start;     /* '<' of the start tag */
    uint64_t start_end; /* just after the start tag's '>' */
    uint64_t end;       /* '<' of the end tag (== start for <x/>) */
    uint64_t end_end;   /* just after the end tag */
    int empty;          /* written <x/> */
    int found;
} eseal_xml_pos;

typedef struct eseal_xml_scan {
    size_t n_elements;
    int max_depth;
    int has_doctype;
    int doctype_declares; /* internal subset or external identifier */
    const char *eol;      /* the document's line end: "\r\n", "\n" or "" */
} eseal_xml_scan;

/*
 * Walks the raw bytes of a well-formed document in an ASCII-compatible
 * encoding and reports, for the elements whose document-order indices are
 * in want[] (0 = the root), where their tags are.  Fails with ELIMIT past
 * ESEAL_XML_MAX_DEPTH, EFORMAT on markup it cannot follow.
 */
int eseal__xml_scan(eseal_xml_scan *out, eseal_xml_pos *pos,
    const size_t *want, size_t n_want, const unsigned char *p, size_t n,
    int sjis, const char *name, eseal_error *err);

/* ---- safe parsing (xml/xml_parse.c) ------------------------------------- */

/*
 * Parses a document from memory: no network, no external entities or DTDs,
 * no entity substitution, libxml2's default size limits (no HUGE), entity
 * declarations refused.  Messages name `name`.
 */
int eseal__xml_parse(xmlDocPtr *out, const unsigned char *p, size_t n,
    const char *name, eseal_error *err);

/* Registers Id, ID and id attributes as XML IDs; duplicates go to *dups
 * (a string list, may be NULL). */
int eseal__xml_register_ids(xmlDocPtr doc, char ***dups, size_t *n_dups);

/* Document-order index of an element among all elements (root = 0), or
 * (size_t)-1 when it is not in the tree. */
size_t eseal__xml_element_index(xmlDocPtr doc, xmlNodePtr target);

/* The first element child of node with that namespace and local name. */
xmlNodePtr eseal__xml_child(xmlNodePtr node, const char *ns,
    const char *name);
/* The next element sibling after node with that namespace and name. */
xmlNodePtr eseal__xml_next(xmlNodePtr node, const char *ns, const char *name);
/* The first element child, skipping text and comments. */
xmlNodePtr eseal__xml_first_element(xmlNodePtr node);
int eseal__xml_is(xmlNodePtr node, const char *ns, const char *name);

/* Warns through the sealer's log where the chosen placement breaks the
 * document's schema or draws a business-rule warning (CII, a forced
 * enveloped seal on UBL, EN 16931 UBL's rule on extensions);
 * explicit_choice: the caller named the placement (xml_schema_notes.c). */
void eseal__xml_note_placement(const eseal_job *job, xmlNodePtr root,
    int ubl, int explicit_choice);

/* Number of elements in the document. */
size_t eseal__xml_count_elements(xmlDocPtr doc);

/* The adapter's detect(): an XML document (never a PDF). */
int eseal__xml_detect(const unsigned char *head, size_t len);

/* Collects ds:Signature elements in document order (at most max). */
size_t eseal__xml_collect_signatures(xmlNodePtr *out, size_t max,
    xmlNodePtr root, size_t *total);

/* Canonical form of the subtree at node (c14n mode of the algorithm URI,
 * no comments), malloc'd into *out. */
int eseal__xml_c14n_subtree(unsigned char **out, size_t *out_len,
    xmlNodePtr node, const char *c14n_uri, eseal_error *err);

/* Silences libxml2's generic errors on this thread between begin/end. */
typedef struct eseal_xml_quiet {
    void *saved_generic;
    void *saved_generic_ctx;
    void *saved_structured;
    void *saved_structured_ctx;
} eseal_xml_quiet;
void eseal__xml_quiet_begin(eseal_xml_quiet *q);
void eseal__xml_quiet_end(eseal_xml_quiet *q);

/* The last xmlsec error message on this thread ("" if none); reset. */
const char *eseal__xmlsec_last_error(void);
void eseal__xmlsec_clear_error(void);

/* ---- building the signature (xml/xml_build.c) --------------------------- */

/* What the seal's signature holds; strings are borrowed. */
typedef struct eseal_xml_sig_params {
    const char *id;             /* ds:Signature/@Id; the others derive */
    const char *c14n_uri;
    const char *sig_uri;        /* SignatureMethod */
    const char *digest_uri;     /* DigestMethod */
    const char *md_name;        /* "SHA256" */
    int transform;              /* ESEAL_XML_T_* */
    const char *eol;
    X509 *cert;
    STACK_OF(X509) *chain;
    time_t signing_time;
    int signing_certificate_v1;
    const char *policy_id;
    const char *policy_hash;    /* base64 SHA-256 */
    const char *mime_type;      /* DataObjectFormat */
} eseal_xml_sig_params;

#define ESEAL_XML_T_ENVELOPED 0 /* plain enveloped-signature transform */
#define ESEAL_XML_T_COSEAL 1    /* XPath Filter 2.0: minus every signature */
#define ESEAL_XML_T_UBL 2       /* co-seal in UBL: XPath Filter 2.0 minus
                                   sig:UBLDocumentSignatures and every
                                   signature */

/* Picks the URIs for the sealer's key and digest and the c14n option. */
int eseal__xml_algorithms(eseal_xml_sig_params *p, const eseal_sealer *s,
    const char *c14n_opt, eseal_error *err);

/*
 * Renders ds:Signature as ASCII text (anything else as character
 * references), with the digest and signature values given (NULL: empty
 * elements).  malloc'd, NUL-terminated.
 */
int eseal__xml_render_signature(char **out, size_t *out_len,
    const eseal_xml_sig_params *p, const char *doc_digest,
    const char *props_digest, const char *sig_value, eseal_error *err);

/* Base64 without line breaks; malloc'd. */
char *eseal__xml_base64(const unsigned char *data, size_t len);
/* Decodes base64 ignoring white space; malloc'd. */
int eseal__xml_unbase64(unsigned char **out, size_t *out_len,
    const char *text);

/* DER ECDSA-Sig-Value to the fixed-size r||s of XML-DSig. */
int eseal__xml_ecdsa_der_to_raw(unsigned char **out, size_t *out_len,
    const unsigned char *der, size_t der_len, int key_bits,
    eseal_error *err);

/* Digest URI <-> OpenSSL name ("SHA256"); NULL when unknown. */
const char *eseal__xml_digest_uri(const char *md_name);
const char *eseal__xml_digest_name(const char *uri);

/* DER of IssuerSerial (RFC 5035) for a certificate; malloc'd. */
int eseal__xml_issuer_serial_der(unsigned char **out, size_t *out_len,
    X509 *cert);

/* xs:dateTime in UTC ("2026-11-24T01:02:03Z"); out has >= 21 bytes. */
void eseal__xml_datetime(char out[21], time_t t);
/* Parses xs:dateTime (time zone optional, fractions ignored); 0 on
 * success. */
int eseal__xml_parse_datetime(time_t *out, int *had_zone, const char *s);

/* ---- RSA-PSS for xmlsec (xml/xml_pss.c) ----------------------------------*/

/* xmlsec transform klasses for the RFC 6931 sha*-rsa-MGF1 URIs (verify
 * only).  Returns a NULL-terminated array. */
const void *const *eseal__xml_pss_klasses(void);

/* ---- verification (xml/xml_verify.c, xml/xml_xades.c) ------------------- */

int eseal__xml_find_signatures(eseal_verify_job *vj, eseal_error *err);
void eseal__xml_verify_cleanup(eseal_verify_job *vj);

/* Outcome of looking at a signature's XAdES properties. */
typedef struct eseal_xml_xades {
    int present;              /* QualifyingProperties for this signature */
    xmlNodePtr signed_props;
    int signed_props_referenced; /* a verified reference covers it */
    int has_signing_cert;     /* V2 or v1 */
    int signing_cert_v1;
    int signing_cert_ok;      /* names the signer certificate */
    int has_data_object_format;
    time_t signing_time;
} eseal_xml_xades;

/* Reads QualifyingProperties of sig; checks SigningCertificate(V2) against
 * signer; adds messages to the found signature. */
void eseal__xml_check_xades(eseal_xml_xades *out, xmlNodePtr sig,
    X509 *signer, eseal_found_signature *f);

/* Which certificate of certs[] SigningCertificate(V2) names, or -1. */
int eseal__xml_signing_cert_index(xmlNodePtr sig, X509 **certs, size_t n);

/* ---- levels B-T, B-LT, B-LTA (xml/xml_ltv.c) ---------------------------- */

/* Reads the signature's timestamps and validation data into f->ltv (left
 * NULL when it has no unsigned signature properties).  0 or ENOMEM. */
int eseal__xml_read_ltv(eseal_found_signature *f, xmlNodePtr sig);

/* The Id of the signature a seal job made (xml_seal.c). */
const char *eseal__xml_job_signature_id(const eseal_job *job);

#endif
