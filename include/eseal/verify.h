/* eseal - verifying sealed documents; one report type for every format. */
#ifndef ESEAL_VERIFY_H
#define ESEAL_VERIFY_H

#include <time.h>
#include <eseal/common.h>
#include <eseal/error.h>
#include <eseal/seal.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum eseal_modifications {
    ESEAL_MODS_NONE = 0,   /* the signature covers the whole document */
    ESEAL_MODS_PERMITTED,  /* later changes PAdES allows (DSS, seals, doc TS) */
    ESEAL_MODS_FORBIDDEN   /* anything else was changed after sealing */
} eseal_modifications;

typedef enum eseal_revocation {
    ESEAL_REVOCATION_NOT_CHECKED = 0,
    ESEAL_REVOCATION_GOOD,
    ESEAL_REVOCATION_REVOKED,
    ESEAL_REVOCATION_UNKNOWN
} eseal_revocation;

/** Who sealed: read from the signing certificate. Strings may be NULL. */
typedef struct eseal_signer {
    char *subject;                  /* RFC 2253 form */
    char *organization;             /* O */
    char *organization_identifier;  /* the first 2.5.4.97 value */
    char **organization_identifiers;
    size_t n_organization_identifiers;
    char *serial;                   /* hexadecimal, upper case */
    char *issuer;                   /* RFC 2253 form */
} eseal_signer;

/** One signature found in a document.  Owned by its report. */
typedef struct eseal_signature_report {
    int valid;                 /* integrity && chain_trusted && not revoked */
    int integrity;             /* digest and signature value verify */
    int covers_whole_document;
    eseal_modifications modifications_after;
    const char *kind;          /* "pades", "adbe", "xades", "xmldsig" */
    int level;                 /* eseal_level, or -1 when not a baseline */
    int chain_trusted;
    eseal_revocation revocation;
    time_t signing_time;       /* 0: none */
    time_t timestamp_time;     /* 0: none */
    char *timestamp_authority;
    char *assurance_level;     /* from the policy table, or NULL */
    int certification;         /* DocMDP certification signature */
    int docmdp_permissions;    /* 1..3, or 0 */
    eseal_signer signer;
    char **errors;
    size_t n_errors;
    char **warnings;
    size_t n_warnings;
} eseal_signature_report;

typedef struct eseal_doc_timestamp_report {
    int valid;
    time_t time;
    char *authority;
} eseal_doc_timestamp_report;

/** Opaque verification result. */
typedef struct eseal_report eseal_report;

#define ESEAL_VERIFY_OPTS_VERSION 1

typedef struct eseal_verify_opts {
    unsigned int version;       /* ESEAL_VERIFY_OPTS_VERSION */
    const char *trust_file;     /* PEM trust anchors; NULL: none trusted */
    int offline;                /* only what the document embeds: no
                                   OCSP or CRL fetch */
    const char *const *assurance_levels; /* "OID=level" pairs, NULL-ended;
                                            NULL: the built-in table */
    int net_timeout;            /* seconds per OCSP or CRL request made
                                   for a seal without embedded revocation
                                   data (not offline); 0: 10 */
} eseal_verify_opts;

#define ESEAL_VERIFY_OPTS_INIT { ESEAL_VERIFY_OPTS_VERSION, NULL, 0, NULL, \
    0 }

/**
 * Verifies every signature of a document held in memory.  name is used in
 * the report and in messages.  Returns 0 when a report was produced (look
 * at eseal_report_valid() for the verdict), or a negative code when the
 * document could not be read at all (*out stays NULL).
 */
ESEAL_API int eseal_verify_buffer(eseal_report **out,
    const unsigned char *in, size_t len, const char *name,
    const eseal_verify_opts *opts, eseal_error *err);

/** Same as eseal_verify_buffer() for a file; memory stays bounded. */
ESEAL_API int eseal_verify_file(eseal_report **out, const char *path,
    const eseal_verify_opts *opts, eseal_error *err);

ESEAL_API void eseal_report_free(eseal_report *report);

/** 1 when the document holds at least one seal and all of them are valid. */
ESEAL_API int eseal_report_valid(const eseal_report *report);
ESEAL_API const char *eseal_report_file(const eseal_report *report);
ESEAL_API eseal_format eseal_report_format(const eseal_report *report);
ESEAL_API size_t eseal_report_signature_count(const eseal_report *report);
/** Borrowed pointer, valid while the report lives; NULL when out of range. */
ESEAL_API const eseal_signature_report *eseal_report_signature(
    const eseal_report *report, size_t index);
ESEAL_API size_t eseal_report_doc_timestamp_count(const eseal_report *report);
ESEAL_API const eseal_doc_timestamp_report *eseal_report_doc_timestamp(
    const eseal_report *report, size_t index);

/**
 * Renders the report as the JSON object of DESIGN.md (no trailing newline).
 * Returns a string to free with eseal_free(), or NULL when out of memory.
 */
ESEAL_API char *eseal_report_json(const eseal_report *report);

/** Returns "none", "permitted", "forbidden". */
ESEAL_API const char *eseal_modifications_name(eseal_modifications m);
/** Returns "good", "revoked", "unknown", "not_checked". */
ESEAL_API const char *eseal_revocation_name(eseal_revocation r);

#ifdef __cplusplus
}
#endif
#endif
