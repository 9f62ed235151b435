/* eseal - the interface between the core and the format adapters. */
#ifndef ESEAL_ADAPTER_H
#define ESEAL_ADAPTER_H

#include <openssl/x509.h>
#include "eseal_int.h"

/*
 * The document being sealed or verified: the whole input as a read-only
 * byte range.  For files this is a read-only mmap, so touching only the
 * tail and a few objects keeps memory small; fd is then also set so the
 * core can stream large spans with pread().  name is for messages.
 */
typedef struct eseal_source {
    const unsigned char *data;
    uint64_t size;
    int fd;            /* -1 for buffers */
    const char *name;
    int in_heap;       /* a file read into malloc'd data, not mapped */
} eseal_source;

/*
 * A span of bytes: of the input, or of the new bytes the adapter produced
 * (the "tail").  Lists of spans describe what is signed and what is
 * written out.
 */
typedef enum eseal_span_origin { ESEAL_SPAN_INPUT = 0, ESEAL_SPAN_TAIL } eseal_span_origin;

typedef struct eseal_span {
    eseal_span_origin origin;
    uint64_t off;
    uint64_t len;
} eseal_span;

#define ESEAL_MAX_SPANS 8

typedef struct eseal_ranges {
    eseal_span span[ESEAL_MAX_SPANS];
    size_t count;
} eseal_ranges;

/* Appends a span; returns 0 or ESEAL_ELIMIT. */
int eseal__ranges_add(eseal_ranges *r, eseal_span_origin origin,
    uint64_t off, uint64_t len);

/* ---- sealing ---------------------------------------------------------- */

typedef struct eseal_job {
    const eseal_source *in;
    const eseal_seal_opts *opts;
    const eseal_sealer *sealer; /* certificate, chain, algorithms; no key */
    time_t signing_time;      /* the time the seal states (PDF /M) */
    size_t max_signature_len; /* upper bound of the DER CMS (or raw sig) */
    eseal_bytes tail;         /* new bytes, owned by the job */
    eseal_ranges output;      /* the sealed document = these spans, in order */
    eseal_bytes to_sign;      /* ESEAL_CAP_RAW_SIG: the bytes the core signs
                                 (e.g. canonical SignedInfo); owned by job */
    void *state;              /* adapter->state_size bytes, zeroed */
} eseal_job;

/* What an adapter may know of the sealer (core/sealer.c).  Borrowed. */
X509 *eseal__sealer_cert(const eseal_sealer *sealer);
STACK_OF(X509) *eseal__sealer_chain(const eseal_sealer *sealer);
const char *eseal__sealer_md_name(const eseal_sealer *sealer); /* "SHA256" */
int eseal__sealer_key_type(const eseal_sealer *sealer); /* EVP_PKEY_RSA.. */
int eseal__sealer_rsa_pss(const eseal_sealer *sealer);
int eseal__sealer_key_bits(const eseal_sealer *sealer);

/* Passes a message about the document being sealed to the sealer's log
 * callback, if it takes messages of that level (core/log.c). */
int eseal__sealer_logs(const eseal_sealer *sealer, eseal_log_level level);
void eseal__sealer_log(const eseal_sealer *sealer, eseal_log_level level,
    const char *document, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* ---- verifying -------------------------------------------------------- */

typedef enum eseal_found_kind {
    ESEAL_FOUND_CMS_DETACHED = 0, /* CMS over the covered spans */
    ESEAL_FOUND_DOC_TIMESTAMP,    /* RFC 3161 token over the covered spans */
    ESEAL_FOUND_CHECKED           /* the adapter checked the signature value
                                     and references itself (XML-DSig) */
} eseal_found_kind;

/* One signature an adapter found; the core checks it. */
typedef struct eseal_found_signature {
    eseal_found_kind kind;
    char *sub_filter;        /* "ETSI.CAdES.detached", "adbe.pkcs7.detached"..*/
    eseal_ranges covered;    /* spans of the input only */
    eseal_bytes contents;    /* the DER CMS / token, trailing zeros removed */
    int covers_whole_document;
    eseal_modifications modifications_after;
    time_t claimed_time;     /* PDF /M, 0 if absent */
    int certification;       /* DocMDP */
    int docmdp_permissions;  /* 1..3 or 0 */
    char **errors;           /* structural problems the adapter saw */
    size_t n_errors;
    char **warnings;
    size_t n_warnings;
    /* ESEAL_FOUND_CHECKED only */
    int integrity;           /* signature value and every reference verify */
    const char *kind_name;   /* static: "xades", "xmldsig" */
    int level;               /* eseal_level, or -1 */
    X509 *signer_cert;       /* freed by the core */
    STACK_OF(X509) *certs;   /* further certificates found; freed by core */
    /* timestamps and validation data found with the signature (XAdES
     * unsigned properties; core/ltv.h); may be NULL; freed by the core */
    struct eseal_found_ltv *ltv;
} eseal_found_signature;

typedef struct eseal_verify_job {
    const eseal_source *in;
    eseal_found_signature *found;
    size_t n_found;
    size_t cap_found;
    void *state;
} eseal_verify_job;

/* Appends a zeroed entry; returns 0 or ESEAL_ENOMEM. *out is borrowed. */
int eseal__verify_job_add(eseal_verify_job *vj, eseal_found_signature **out,
    eseal_error *err);

/* ---- the adapter vtable ----------------------------------------------- */

#define ESEAL_ADAPTER_VERSION 1
#define ESEAL_CAP_CMS_DETACHED 0x1u /* the core builds a detached CMS */
#define ESEAL_CAP_RAW_SIG 0x2u      /* the core signs raw bytes (XML-DSig) */

typedef struct eseal_adapter {
    unsigned int version;
    const char *name;                  /* "pdf", "xml" */
    eseal_format format;
    unsigned int caps;
    size_t state_size;
    /* 0..100: how sure the adapter is that these first bytes are its own */
    int (*detect)(const unsigned char *head, size_t len);
    /* plans the new bytes; fills job->tail, job->output and *tbs */
    int (*prepare)(eseal_job *job, eseal_ranges *tbs, eseal_error *err);
    /* places the signature into job->tail: the DER CMS (CMS_DETACHED), or
     * the signature value over job->to_sign (RAW_SIG; ECDSA values come
     * DER-encoded as OpenSSL makes them) */
    int (*embed)(eseal_job *job, const eseal_bytes *sig, eseal_error *err);
    /* checks the sealed result with an independent reader; may be NULL.
     * expected_signatures: how many signatures the output must show. */
    int (*self_check)(const eseal_source *sealed, eseal_error *err);
    /* finds every signature of the input */
    int (*find_signatures)(eseal_verify_job *vj, eseal_error *err);
    void (*cleanup)(eseal_job *job);   /* may be NULL */
    void (*verify_cleanup)(eseal_verify_job *vj); /* may be NULL */
} eseal_adapter;

/* NULL-terminated table of the adapters this build has. */
extern const eseal_adapter *const eseal__adapters[];

/* Picks the adapter for a format, or by detection when format is AUTO. */
const eseal_adapter *eseal__adapter_find(eseal_format format,
    const unsigned char *head, size_t len);

#endif
