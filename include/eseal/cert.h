/* eseal - inspecting e-Seal certificates (`eseal cert inspect`). */
#ifndef ESEAL_CERT_H
#define ESEAL_CERT_H

#include <time.h>
#include <eseal/common.h>
#include <eseal/error.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- organization identifiers (X.520 organizationIdentifier) ---------- */

/** What the check of an organization identifier found. */
typedef enum eseal_id_check {
    ESEAL_ID_NOT_CHECKABLE = 0, /* well formed, no check rule is known */
    ESEAL_ID_VALID,             /* format and check digits are right */
    ESEAL_ID_INVALID            /* a rule of its scheme is broken */
} eseal_id_check;

/** Longest organizationIdentifier value that is parsed at all. */
#define ESEAL_ORG_ID_MAX 256

/**
 * One organizationIdentifier value, parsed after ETSI EN 319 412-1 5.1.4:
 * a 3-letter scheme ("NTR", "VAT", "PSD", "LEI", "GOV"...), a 2-letter
 * country, '-' and the number ("NTRJP-7000012050002"), or a 2-character
 * private scheme, ':', country, '-' and the number ("TD:JP-123456789").
 * Read-only; every string is owned by the structure.
 */
typedef struct eseal_org_id {
    char *value;          /* the value as found (UTF-8); never NULL */
    char scheme[4];       /* "NTR", "LEI", "TD"...; "" when not parsed */
    char country[3];      /* "JP", "XG"...; "" when not parsed */
    char *number;         /* what follows the '-'; NULL when not parsed */
    int private_scheme;   /* 1 for the "XX:CC-" form */
    eseal_id_check check;
    char reason[160];     /* one line: why valid, invalid or not checkable */
} eseal_org_id;

/**
 * Parses and checks one identifier: Japanese Corporate Numbers (NTRJP-,
 * GOVJP- with 13 digits) by their check digit, LEIs (LEIXG-) by ISO 7064
 * MOD 97-10; other schemes are shape-checked only.  Any input gives a
 * result (check and reason say what is wrong); fails only with
 * ESEAL_ENOMEM or ESEAL_EINVAL (NULL argument).  Free with
 * eseal_org_id_clear().
 */
ESEAL_API int eseal_org_id_parse(eseal_org_id *out, const char *value,
    eseal_error *err);

/** Frees the strings of *id and zeroes it.  NULL-safe. */
ESEAL_API void eseal_org_id_clear(eseal_org_id *id);

/** Returns "valid", "invalid" or "not_checkable". */
ESEAL_API const char *eseal_id_check_name(eseal_id_check check);

/** 1 when the 13-digit string is a Japanese Corporate Number whose first
 *  digit is the right check digit, else 0. */
ESEAL_API int eseal_corporate_number_valid(const char *digits);

/** 1 when the 20-character string is an ISO 17442 LEI whose MOD 97-10
 *  check holds, else 0. */
ESEAL_API int eseal_lei_valid(const char *lei);

/* ---- certificate inspection -------------------------------------------- */

/** One certificatePolicies entry. */
typedef struct eseal_cert_policy {
    char *oid;            /* dotted */
    char **cps_uris;      /* NULL-terminated, may be empty */
    size_t n_cps_uris;
    char *user_notice;    /* explicitText of the first user notice, or NULL */
} eseal_cert_policy;

/**
 * A finding about the certificate.  code is a stable identifier for
 * programs ("key_usage", "ca", "expired", ...), message a sentence for
 * people.
 */
typedef struct eseal_cert_warning {
    const char *code;     /* static string */
    char *message;
} eseal_cert_warning;

/**
 * What a certificate says, read for sealing.  Read-only: filled by
 * eseal_cert_inspect_*(), freed with eseal_cert_info_free().  Strings are
 * UTF-8 and may be NULL when the certificate lacks the field; lists are
 * NULL-terminated with their length beside them.  Names are in RFC 2253
 * order with UTF-8 kept as is.
 */
typedef struct eseal_cert_info {
    char *subject;
    char *issuer;
    char *serial;                  /* hexadecimal, upper case */
    time_t not_before;
    time_t not_after;
    char *common_name;             /* CN */
    char *organization;            /* O (the first) */
    char *organizational_unit;     /* OU (the first) */
    char *country;                 /* C */
    eseal_org_id *org_ids;         /* every organizationIdentifier */
    size_t n_org_ids;

    char *key_type;                /* "RSA", "RSA-PSS", "EC", "Ed25519"... */
    int key_bits;                  /* 0 when unknown */
    char *key_curve;               /* "P-256"... for EC keys, else NULL */
    char *signature_algorithm;     /* "sha256WithRSAEncryption"... */

    int has_key_usage;             /* the extension is present */
    char **key_usage;              /* "digitalSignature", "nonRepudiation" */
    size_t n_key_usage;
    int has_extended_key_usage;
    char **extended_key_usage;     /* names we know, else dotted OIDs */
    size_t n_extended_key_usage;
    int has_basic_constraints;
    int basic_constraints_ca;      /* 1 for CA:TRUE */
    char *subject_key_id;          /* hex with colons, or NULL */
    char *authority_key_id;

    eseal_cert_policy *policies;
    size_t n_policies;
    char *assurance_level;         /* from the policy table, or NULL */

    char **subject_alt_names;      /* "DNS:...", "URI:...", "email:...",
                                      "dirName:...", "IP:...", ... */
    size_t n_subject_alt_names;
    char **crl_urls;
    size_t n_crl_urls;
    char **ocsp_urls;
    size_t n_ocsp_urls;
    char **ca_issuer_urls;
    size_t n_ca_issuer_urls;

    char *lei;                     /* ISO 17442-2 LEI extension, or NULL */
    char *lei_role;                /* its role extension, or NULL */

    int has_qc_statements;         /* the QCStatements extension exists */
    int qc_compliance;             /* QcCompliance */
    int qc_sscd;                   /* QcSSCD */
    char **qc_types;               /* "esign", "eseal", "web", or OIDs */
    size_t n_qc_types;
    char **qc_pds_urls;            /* QcPDS locations */
    size_t n_qc_pds_urls;
    char *semantics_identifier;    /* dotted OID from the PKIX QC syntax
                                      statement, or NULL */

    int fit_for_sealing;           /* 1 when there is no warning */
    eseal_cert_warning *warnings;  /* each makes the certificate unfit */
    size_t n_warnings;
    eseal_cert_warning *notes;     /* softer remarks; do not make it unfit */
    size_t n_notes;
} eseal_cert_info;

/** Largest certificate file eseal_cert_inspect_*() reads. */
#define ESEAL_CERT_MAX_SIZE (1024 * 1024)

/**
 * Reads one X.509 certificate, PEM or DER, and inspects it for sealing at
 * the current time.  assurance_table maps policy OIDs to assurance levels
 * ("OID=level" strings, NULL-terminated; NULL selects the built-in table).
 * name is used in error messages (NULL: "certificate").  A certificate
 * that is unfit for sealing still returns 0: look at fit_for_sealing.
 * Returns 0, ESEAL_ECERT when the bytes are not a certificate (or exceed
 * ESEAL_CERT_MAX_SIZE), ESEAL_ENOMEM, ESEAL_EINVAL.  On failure *out is
 * NULL.  Free *out with eseal_cert_info_free().  Does not block.
 */
ESEAL_API int eseal_cert_inspect_buffer(eseal_cert_info **out,
    const unsigned char *data, size_t len, const char *name,
    const char *const *assurance_table, eseal_error *err);

/**
 * Same as eseal_cert_inspect_buffer() for a file (PEM or DER); a PEM file
 * holding a chain is read for its first certificate.  Also returns
 * ESEAL_EIO when the file cannot be read.  Messages name the file.
 */
ESEAL_API int eseal_cert_inspect_file(eseal_cert_info **out,
    const char *path, const char *const *assurance_table, eseal_error *err);

/** Frees everything.  NULL-safe. */
ESEAL_API void eseal_cert_info_free(eseal_cert_info *info);

/** Number of warnings that make the certificate unfit for sealing. */
ESEAL_API size_t eseal_cert_info_warning_count(const eseal_cert_info *info);

/**
 * Renders the inspection as one JSON object (no trailing newline): subject,
 * issuer, serial, not_before, not_after, organization, country,
 * organization_identifiers, key, signature_algorithm, key_usage, ...,
 * fit_for_sealing, warnings, notes.  Returns a string to free with
 * eseal_free(), or NULL when out of memory.
 */
ESEAL_API char *eseal_cert_info_json(const eseal_cert_info *info);

/**
 * Renders the inspection as text for people, one field a line, ending
 * with a newline; control characters from the certificate are replaced.
 * Returns a string to free with eseal_free(), or NULL when out of memory.
 */
ESEAL_API char *eseal_cert_info_text(const eseal_cert_info *info);

#ifdef __cplusplus
}
#endif
#endif
