/* eseal - sealing documents. */
#ifndef ESEAL_SEAL_H
#define ESEAL_SEAL_H

#include <time.h>
#include <eseal/common.h>
#include <eseal/error.h>
#include <eseal/sealer.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum eseal_format {
    ESEAL_FORMAT_AUTO = 0,
    ESEAL_FORMAT_PDF,
    ESEAL_FORMAT_XML
} eseal_format;

#define ESEAL_SEAL_OPTS_VERSION 1

typedef struct eseal_seal_opts {
    unsigned int version;        /* ESEAL_SEAL_OPTS_VERSION */
    eseal_format format;         /* AUTO: detected from the first bytes */
    eseal_level level;
    const char *const *tsa_urls; /* NULL-terminated; NULL: none */
    int certify;                 /* PDF: certification seal, DocMDP P=2 */
    int self_check;              /* re-open the output with a second reader */
    time_t signing_time;         /* 0: now */
    /* XML (XAdES) only */
    const char *placement;       /* "auto" (NULL), "enveloped", "ubl" */
    const char *c14n;            /* "exc" (NULL), "c14n", "c14n11" */
    int signing_certificate_v1;  /* SigningCertificate instead of V2 */
    int co_seal;                 /* transform excludes every signature */
    int force;                   /* seal even if it breaks a signature */
    const char *policy_id;       /* EPES: signature policy OID or URI */
    const char *policy_hash;     /* base64 SHA-256 of the policy document */
    /* PDF visible seal (docs/visible-seal.md) */
    int visible;                 /* draw the seal's appearance on a page */
    int visible_page;            /* 1-based page; 0: the last page */
    double visible_rect[4];      /* x, y, width, height in points from the
                                    lower-left corner of the page as shown;
                                    width 0: the default box, bottom right */
    const char *visible_image;   /* PNG or JPEG of the company seal, or NULL */
    const char *visible_font;    /* TrueType font file; NULL: IPAex Gothic */
    const char *timezone;        /* zone of the date shown ("Asia/Tokyo",
                                    "+09:00", "UTC"); NULL: local time */
    /* timestamps and validation data (B-T and above; docs/levels.md) */
    const char *tsa_auth_file;   /* "user:password" on its first line, for
                                    a TSA that wants basic authentication;
                                    readable by its owner only */
    int net_timeout;             /* seconds per TSA, OCSP, CRL request;
                                    0: 10 */
} eseal_seal_opts;

#define ESEAL_SEAL_OPTS_INIT { ESEAL_SEAL_OPTS_VERSION, ESEAL_FORMAT_AUTO, \
    ESEAL_LEVEL_B_B, NULL, 0, 0, 0, NULL, NULL, 0, 0, 0, NULL, NULL, \
    0, 0, { 0, 0, 0, 0 }, NULL, NULL, NULL, NULL, 0 }

/**
 * Seals a document held in memory.  On success *out holds the sealed
 * document (free it with eseal_bytes_free()); on failure it stays zeroed.
 * Blocks for the private-key operation (and any timestamp request).
 * Thread-safe: one sealer may serve many threads at once.
 */
ESEAL_API int eseal_seal_buffer(eseal_bytes *out, eseal_sealer *sealer,
    const unsigned char *in, size_t len, const eseal_seal_opts *opts,
    eseal_error *err);

/**
 * Seals the file in_path into out_path.  The input is read, never written
 * (out_path may equal in_path only to seal in place).  The output is
 * written to a temporary file in out_path's directory, flushed to disk and
 * renamed into place: a failure leaves no output behind.  Memory use does
 * not grow with the file size.
 */
ESEAL_API int eseal_seal_file(eseal_sealer *sealer, const char *in_path,
    const char *out_path, const eseal_seal_opts *opts, eseal_error *err);

/**
 * Writes data to path atomically: a temporary file in the same directory,
 * flushed to disk, then renamed into place.  A failure leaves no file.
 */
ESEAL_API int eseal_file_write_atomic(const char *path,
    const unsigned char *data, size_t len, eseal_error *err);

#define ESEAL_EXTEND_OPTS_VERSION 1

/** What eseal_extend_*() raises documents to (docs/levels.md). */
typedef struct eseal_extend_opts {
    unsigned int version;        /* ESEAL_EXTEND_OPTS_VERSION */
    eseal_level level;           /* B-LT or B-LTA (XML: also B-T) */
    const char *const *tsa_urls; /* NULL-terminated; needed for B-LTA and
                                    for seals that have no timestamp yet */
    const char *tsa_auth_file;   /* as in eseal_seal_opts */
    int net_timeout;             /* seconds per request; 0: 10 */
    eseal_digest digest;         /* of the timestamps' imprints; DEFAULT:
                                    SHA-256 */
} eseal_extend_opts;

#define ESEAL_EXTEND_OPTS_INIT { ESEAL_EXTEND_OPTS_VERSION, ESEAL_LEVEL_B_LT, \
    NULL, NULL, 0, ESEAL_DIGEST_DEFAULT }

/**
 * Raises the level of a sealed document held in memory: every seal of it
 * (by eseal or another tool) gets what the level needs: a timestamp (a
 * PDF document timestamp when the seal has none), the certificate chains
 * and revocation data of the seals and of the timestamp authorities
 * (PDF: in the /DSS; XML: in each XAdES signature's unsigned properties),
 * and for B-LTA a new archive timestamp over everything (PDF: a document
 * timestamp), which is also how an archive timestamp is renewed.  Earlier
 * revisions and signatures stay byte for byte.  A document whose seals do
 * not verify (changed, broken) is refused; so is one whose seal
 * certificate was revoked before the seal's time.  Blocks for the
 * network.  On success *out holds the new document (eseal_bytes_free()).
 */
ESEAL_API int eseal_extend_buffer(eseal_bytes *out, const unsigned char *in,
    size_t len, const char *name, const eseal_extend_opts *opts,
    eseal_error *err);

/**
 * The same for a file; the result is written atomically to out_path
 * (which may be in_path).  The document is read into memory.
 */
ESEAL_API int eseal_extend_file(const char *in_path, const char *out_path,
    const eseal_extend_opts *opts, eseal_error *err);

/** Returns "pdf", "xml", or NULL. */
ESEAL_API const char *eseal_format_name(eseal_format format);

#ifdef __cplusplus
}
#endif
#endif
