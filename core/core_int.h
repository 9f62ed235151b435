/* eseal - internals of the core: the sealer, CMS, sources, output. */
#ifndef ESEAL_CORE_INT_H
#define ESEAL_CORE_INT_H

#include <openssl/evp.h>
#include <openssl/x509.h>
#include "adapter.h"

struct eseal_sealer {
    EVP_PKEY *key;
    X509 *cert;
    STACK_OF(X509) *chain;  /* CA certificates to embed, without the leaf */
    const char *md_name;    /* "SHA256"... */
    int rsa_pss;
    size_t cms_max_len;     /* upper bound of the DER CMS of one seal */
    eseal_log_fn log_cb;    /* eseal_set_log(); NULL: silent */
    void *log_payload;
    eseal_log_level log_level;
};

/* ---- sources (core/source.c) ------------------------------------------- */

/* Maps a file read-only; name is kept as a borrowed pointer. */
int eseal__source_open_file(eseal_source *src, const char *path,
    eseal_error *err);
void eseal__source_init_buffer(eseal_source *src, const unsigned char *data,
    size_t len, const char *name);
void eseal__source_close(eseal_source *src);

/* Feeds the spans through a digest, reading input spans from the file with
 * pread (so memory stays flat) or from the buffer.  tail may be NULL when
 * the spans are all of the input. */
int eseal__digest_spans(unsigned char *md_out, unsigned int *md_len,
    const char *md_name, const eseal_source *src, const eseal_bytes *tail,
    const eseal_ranges *spans, eseal_error *err);

/* A read-only BIO that streams the concatenated input spans. */
BIO *eseal__spans_bio(const eseal_source *src, const eseal_ranges *spans);

/* ---- output (core/atomic_file.c) ---------------------------------------- */

/* Writes the concatenated spans to path atomically: temp file in the
 * target directory, fsync, rename, directory fsync.  If check is not NULL
 * it is called on the complete temp file before the rename; a failure
 * removes the temp file. */
typedef int (*eseal_output_check)(const eseal_source *written, void *payload,
    eseal_error *err);
int eseal__write_spans_atomic(const char *path, const eseal_source *src,
    const eseal_bytes *tail, const eseal_ranges *spans,
    eseal_output_check check, void *payload, eseal_error *err);

/* ---- keys (core/key.c) ---------------------------------------------------- */

/* Loads the key and certificate(s) named by opts.  From a PKCS#12, *cert and
 * *extra (its CA certificates) may be filled too. */
int eseal__key_load(EVP_PKEY **key, X509 **cert, STACK_OF(X509) **extra,
    const eseal_sealer_opts *opts, eseal_error *err);

/* Refuses a file that group or others may read (as ssh does). */
int eseal__check_secret_file_mode(const char *path, const char *what,
    eseal_error *err);

/* ---- CMS (core/cms_sign.c, core/cms_verify.c) ----------------------------- */

/* Builds the detached CMS SignedData for a content digest: signed
 * attributes content-type, message-digest, ESS signing-certificate-v2; no
 * signing-time; one private-key operation.  DER into *out. */
int eseal__cms_sign_digest(eseal_bytes *out, const eseal_sealer *sealer,
    const unsigned char *digest, size_t digest_len, eseal_error *err);

/* One private-key operation over bytes (digest and padding of the sealer). */
int eseal__sign_bytes(eseal_bytes *out, const eseal_sealer *sealer,
    const unsigned char *tbs, size_t tbs_len, eseal_error *err);

/* The size of the DER CMS with the largest possible signature value. */
int eseal__cms_max_len(size_t *out, const eseal_sealer *sealer,
    eseal_error *err);

/* Checks a signature the adapter verified itself (ESEAL_FOUND_CHECKED):
 * signer, chain, verdict. */
int eseal__checked_verify_found(eseal_signature_report *rep,
    const eseal_found_signature *found, const eseal_verify_opts *opts,
    X509_STORE *trust, eseal_error *err);

/* Checks one found CMS signature and fills the report entry. */
int eseal__cms_verify_found(eseal_signature_report *rep,
    const eseal_found_signature *found, const eseal_source *src,
    const eseal_verify_opts *opts, X509_STORE *trust, eseal_error *err);

/* ---- reports (core/report.c) ------------------------------------------- */

struct eseal_report {
    char *file;
    eseal_format format;
    eseal_signature_report *sigs;
    size_t n_sigs;
    eseal_doc_timestamp_report *doc_ts;
    size_t n_doc_ts;
};

int eseal__report_add_signature(eseal_report *r,
    eseal_signature_report **out);
int eseal__report_add_doc_timestamp(eseal_report *r,
    eseal_doc_timestamp_report **out);
/* Adds a message to a signature's errors or warnings (ENOMEM ignored). */
void eseal__sig_error(eseal_signature_report *s, const char *fmt, ...)
    ESEAL_PRINTF(2, 3);
void eseal__sig_warning(eseal_signature_report *s, const char *fmt, ...)
    ESEAL_PRINTF(2, 3);

#endif
