/*
 * eseal - timestamps, revocation data and long-term validation (internal).
 *
 * http.c          OpenSSL's HTTP client with timeouts, bounded retries,
 *                 response limits, proxies from the environment, HTTPS
 * tsa.c           RFC 3161 requests and the checks made before a token is
 *                 embedded
 * timestamp_verify.c  checking a token found in a document
 * revocation.c    OCSP and CRL fetching and checking, the process-wide cache
 * ltv.c           chains and validation data for B-LT, the format registry
 */
#ifndef ESEAL_LTV_H
#define ESEAL_LTV_H

#include <openssl/ocsp.h>
#include <openssl/ts.h>
#include <openssl/x509.h>
#include "core_int.h"

/* ---- network settings ------------------------------------------------ */

#define ESEAL_NET_TIMEOUT 10          /* seconds per attempt */
#define ESEAL_NET_ATTEMPTS 2          /* tries per URL */
#define ESEAL_MAX_TSA_RESP (256u << 10)
#define ESEAL_MAX_OCSP_RESP (256u << 10)
#define ESEAL_MAX_CRL (32u << 20)
#define ESEAL_MAX_CERT_RESP (256u << 10)
#define ESEAL_TSA_MAX_SKEW 300        /* seconds between the local clock and
                                         the authority's genTime */

typedef struct eseal_net {
    int timeout;            /* seconds per attempt; 0: ESEAL_NET_TIMEOUT */
    int attempts;           /* 0: ESEAL_NET_ATTEMPTS */
    const char *auth_file;  /* "user:password" for the TSA (basic auth) */
    int offline;            /* never fetch anything */
} eseal_net;

/* ---- HTTP (core/http.c) ------------------------------------------------ */

/*
 * POSTs body to url (http:// or https://) and returns the response body
 * (at most max_resp bytes).  auth: "user:password" for basic
 * authentication, or NULL.  Tries net->attempts times.  Errors are
 * ESEAL_EIO (transport, HTTP status) or ESEAL_ELIMIT (size), with the URL
 * in the message.
 */
int eseal__http_post(eseal_bytes *out, const char *url, const char *ctype,
    const unsigned char *body, size_t len, const char *auth,
    size_t max_resp, const eseal_net *net, eseal_error *err);

/* GETs url (redirects followed, at most a few). */
int eseal__http_get(eseal_bytes *out, const char *url, size_t max_resp,
    const eseal_net *net, eseal_error *err);

/* ---- lists of DER objects ---------------------------------------------- */

#define ESEAL_DER_LIST_MAX 4096

typedef struct eseal_der_list {
    eseal_bytes *item;
    size_t n;
    size_t cap;
} eseal_der_list;

/* Appends a copy unless the same bytes are there already.  0, ENOMEM or
 * ELIMIT. */
int eseal__der_list_add(eseal_der_list *l, const unsigned char *der,
    size_t len);
int eseal__der_list_has(const eseal_der_list *l, const unsigned char *der,
    size_t len);
void eseal__der_list_free(eseal_der_list *l);

/* Validation data: certificates, OCSP responses, CRLs (all DER). */
typedef struct eseal_vdata {
    eseal_der_list certs;
    eseal_der_list ocsps;
    eseal_der_list crls;
} eseal_vdata;

void eseal__vdata_free(eseal_vdata *vd);
/* Adds every item of from to to. */
int eseal__vdata_merge(eseal_vdata *to, const eseal_vdata *from);
int eseal__vdata_add_cert(eseal_vdata *vd, X509 *cert);
/* The certificates as X509 objects, appended to sk (duplicates skipped). */
int eseal__vdata_certs(STACK_OF(X509) *sk, const eseal_vdata *vd);
int eseal__sk_add_unique(STACK_OF(X509) *sk, X509 *cert); /* up-refs */
/* The certificate of pool that issued cert (checked signature), or NULL;
 * borrowed. */
X509 *eseal__issuer_in(STACK_OF(X509) *pool, X509 *cert);

/* ---- what an adapter found with a signature (XAdES) -------------------- */

typedef enum eseal_found_ts_kind {
    ESEAL_TS_SIGNATURE = 0,  /* over the signature value */
    ESEAL_TS_ARCHIVE         /* over the signature and its validation data */
} eseal_found_ts_kind;

typedef struct eseal_found_ts {
    eseal_found_ts_kind kind;
    eseal_bytes token;       /* DER TimeStampToken */
    eseal_bytes data;        /* the bytes whose digest the token holds */
    const char *problem;     /* static text: why the adapter could not
                                compute data (NULL: it could) */
} eseal_found_ts;

struct eseal_found_ltv {
    eseal_found_ts *ts;
    size_t n_ts;
    eseal_vdata vd;          /* CertificateValues, RevocationValues... */
    int has_cert_values;
    int has_rev_values;
};

int eseal__found_ltv_add_ts(struct eseal_found_ltv *l, eseal_found_ts **out);
void eseal__found_ltv_free(struct eseal_found_ltv *l);

/* ---- timestamps (core/tsa.c, core/timestamp_verify.c) ------------------ */

/*
 * Asks the authorities in turn (urls, NULL-terminated) for a token over
 * digest (made with md_name), with a nonce and certReq.  The response is
 * checked before it is returned: status granted, version, imprint, nonce,
 * the signature of the token, its ESS signing certificate, a TSA
 * certificate whose extended key usage is critical and only timeStamping,
 * and a genTime within ESEAL_TSA_MAX_SKEW of the local clock.  *out is the
 * DER TimeStampToken.  Errors: ESEAL_ETSA (with what the last authority
 * did), ESEAL_EINVAL.
 */
int eseal__tsa_stamp(eseal_bytes *out, const char *const *urls,
    const eseal_net *net, const char *md_name, const unsigned char *digest,
    size_t digest_len, eseal_error *err);

/* The same over data (digested with md_name). */
int eseal__tsa_stamp_data(eseal_bytes *out, const char *const *urls,
    const eseal_net *net, const char *md_name, const unsigned char *data,
    size_t len, eseal_error *err);

/* Checks the TSA certificate's extended key usage; 0 or -1 with *why. */
int eseal__tsa_cert_check(X509 *tsa, const char **why);

/* A token opened for checking. */
typedef struct eseal_ts {
    PKCS7 *token;
    TS_TST_INFO *tst;
    X509 *signer;            /* the TSA certificate (borrowed from token) */
    STACK_OF(X509) *certs;   /* the token's certificates (owned) */
    const EVP_MD *md;        /* of the imprint */
    time_t time;             /* genTime */
    char *authority;         /* the TSA's subject, RFC 2253 */
    char why[200];           /* what eseal__ts_verify() found wrong */
} eseal_ts;

/* Decodes a token; -1 with *why when it is not one. */
int eseal__ts_open(eseal_ts *ts, const unsigned char *der, size_t len,
    const char **why);
void eseal__ts_close(eseal_ts *ts);

/*
 * Checks an opened token: its imprint against digest (made with ts->md),
 * its signature and ESS binding, the TSA certificate's key usage and
 * validity at genTime, and, with trust, the TSA chain at time at (0: now)
 * using untrusted as further intermediate certificates.  Returns 1 valid,
 * 0 not (ts->why), -1 when all but the chain holds and trust is NULL.
 */
int eseal__ts_verify(eseal_ts *ts, const unsigned char *digest,
    size_t digest_len, X509_STORE *trust, STACK_OF(X509) *untrusted,
    time_t at);

/* The digest of data with the token's imprint algorithm. */
int eseal__ts_digest(const eseal_ts *ts, unsigned char *md,
    unsigned int *md_len, const unsigned char *data, size_t len);

/* ---- revocation (core/revocation.c) ------------------------------------ */

typedef struct eseal_rev {
    eseal_revocation status;  /* GOOD, REVOKED, UNKNOWN */
    time_t revoked_at;
    time_t this_update;       /* of the evidence used */
    const char *source;       /* "OCSP", "CRL" or NULL */
} eseal_rev;

/*
 * Fetches revocation evidence for cert issued by issuer: OCSP from the
 * AIA (preferred), else the CRL of its distribution points; responses are
 * checked (signature by the issuer or its delegated responder, nonce,
 * times) and cached for their validity.  The DER of what was used goes to
 * *ocsp or *crl (one of them); *rev gets the status now.  A certificate
 * with no URL, or whose services all fail, gives ESEAL_EIO with the
 * reasons.  *responder: the OCSP responder's certificate when delegated
 * (up-ref'd; may be NULL).
 */
int eseal__rev_fetch(eseal_bytes *ocsp, eseal_bytes *crl, X509 **responder,
    eseal_rev *rev, X509 *cert, X509 *issuer, const eseal_net *net,
    eseal_error *err);

/*
 * The status of cert at time at from evidence in vd (OCSP first, then
 * CRLs): evidence counts when it is authentic (issuer-signed) and either
 * issued after at or current at at.  No usable evidence: UNKNOWN with
 * rev->source NULL.  A certificate revoked only after `at` is GOOD, with
 * rev->revoked_at set.
 */
void eseal__rev_check(eseal_rev *rev, X509 *cert, X509 *issuer,
    const eseal_vdata *vd, time_t at);

/* 1 when cert carries id-pkix-ocsp-nocheck. */
int eseal__rev_nocheck(X509 *cert);

/* Forgets every cached response (tests). */
void eseal__rev_cache_clear(void);

/* ---- long-term validation data (core/ltv.c) --------------------------- */

typedef struct eseal_ltv_ctx {
    eseal_level level;              /* what the document must reach */
    const char *const *tsa_urls;
    eseal_net net;
    const char *md_name;            /* digest of the imprints: "SHA256" */
    STACK_OF(X509) *hints;          /* certificates that complete chains */
    time_t now;
} eseal_ltv_ctx;

/*
 * Builds the chain of leaf from available, ctx->hints and the CA issuers
 * of AIA (fetched), then fetches revocation evidence for every
 * certificate of it but the root (OCSP responders' own certificates
 * included when they need it), and adds the certificates and evidence to
 * vd.  When refuse_revoked is set, a leaf revoked before `at` (0: now) is
 * an error (ESEAL_ECERT) naming what; *leaf_rev gets its status.
 */
int eseal__ltv_collect(eseal_vdata *vd, eseal_rev *leaf_rev, X509 *leaf,
    STACK_OF(X509) *available, const eseal_ltv_ctx *ctx, int refuse_revoked,
    time_t at, const char *what, eseal_error *err);

/* From a DER CMS SignedData: the signer certificate (up-ref'd), its
 * certificates (appended to pool) and its signature timestamp tokens
 * (appended to tokens). */
int eseal__cms_ltv_parts(X509 **signer, STACK_OF(X509) *pool,
    eseal_der_list *tokens, const unsigned char *der, size_t len,
    eseal_error *err);

/* ---- verification (core/ltv_verify.c) ------------------------------------ */

/* A document timestamp as verification saw it. */
typedef struct eseal_doc_ts_seen {
    uint64_t end;            /* end of the revision it covers */
    time_t time;
    int valid;
    char *authority;
} eseal_doc_ts_seen;

/* What one document's verification shares between its signatures. */
typedef struct eseal_ltv_doc {
    X509_STORE *trust;
    const eseal_verify_opts *opts;
    eseal_net net;
    eseal_vdata dss;           /* PDF: the /DSS */
    uint64_t dss_off;          /* where the DSS dictionary is; 0: none */
    char dss_unread[256];      /* why a /DSS there could not be read, or "" */
    STACK_OF(X509) *dss_certs; /* dss.certs decoded */
    eseal_doc_ts_seen *dts;    /* document timestamps, oldest first */
    size_t n_dts;
} eseal_ltv_doc;

int eseal__ltv_doc_open(eseal_ltv_doc *d, eseal_format format,
    const eseal_source *src, X509_STORE *trust,
    const eseal_verify_opts *opts, eseal_error *err);
void eseal__ltv_doc_close(eseal_ltv_doc *d);

/*
 * Checks the document timestamps the adapter found (PDF), oldest first,
 * each protected by the valid ones after it, and adds them to the report
 * and to d->dts.
 */
int eseal__ltv_doc_timestamps(eseal_ltv_doc *d, eseal_report *r,
    const eseal_verify_job *vj, const eseal_source *src, eseal_error *err);

/*
 * The long-term part of a signature's verification, after its integrity:
 * its timestamps (signature and archive) give the time T it existed by
 * (now without one); the chain is checked at T; the revocation status at
 * T comes from embedded evidence (the DSS, own_vd) or, unless offline and
 * for a trusted chain, from the certificates' services; the level rises
 * to B-T, B-LT, B-LTA as the valid parts allow.  end: where the signed
 * revision ends (PDF), 0 otherwise.
 */
void eseal__ltv_check_signature(eseal_signature_report *rep, X509 *signer,
    STACK_OF(X509) *certs, const eseal_found_ts *ts, size_t n_ts,
    const struct eseal_found_ltv *own, uint64_t end, eseal_ltv_doc *d);

/* The checks of core_int.h with the long-term part (d may be NULL). */
int eseal__cms_verify_ltv(eseal_signature_report *rep,
    const eseal_found_signature *found, const eseal_source *src,
    const eseal_verify_opts *opts, X509_STORE *trust, eseal_ltv_doc *d,
    eseal_error *err);
int eseal__checked_verify_ltv(eseal_signature_report *rep,
    const eseal_found_signature *found, const eseal_verify_opts *opts,
    X509_STORE *trust, eseal_ltv_doc *d, eseal_error *err);

/* ---- the per-format part of B-T/B-LT/B-LTA ----------------------------- */

typedef struct eseal_ltv_adapter {
    eseal_format format;
    /*
     * Raises the level of doc (the whole document).  job: the seal being
     * made (its adapter state names the new signature), or NULL for
     * `eseal extend` (every signature).  *out: the whole new document.
     */
    int (*extend)(eseal_bytes *out, const eseal_bytes *doc,
        const char *name, const eseal_job *job, const eseal_ltv_ctx *ctx,
        eseal_error *err);
    /*
     * Verification: validation data the document holds for every
     * signature (PDF /DSS).  *dss_end: offset just past the newest
     * revision that wrote it (0 when there is none).  May be NULL.
     */
    int (*read_dss)(eseal_vdata *vd, uint64_t *dss_off,
        const eseal_source *src, eseal_error *err);
} eseal_ltv_adapter;

const eseal_ltv_adapter *eseal__ltv_adapter(eseal_format format);

/* The formats' parts (pdf/pdf_ltv.c, xml/xml_ltv.c). */
extern const eseal_ltv_adapter eseal__pdf_ltv;
extern const eseal_ltv_adapter eseal__xml_ltv;

#endif
