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
} eseal_seal_opts;

#define ESEAL_SEAL_OPTS_INIT { ESEAL_SEAL_OPTS_VERSION, ESEAL_FORMAT_AUTO, \
    ESEAL_LEVEL_B_B, NULL, 0, 0, 0, NULL, NULL, 0, 0, 0, NULL, NULL, \
    0, 0, { 0, 0, 0, 0 }, NULL, NULL, NULL }

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

/** Returns "pdf", "xml", or NULL. */
ESEAL_API const char *eseal_format_name(eseal_format format);

#ifdef __cplusplus
}
#endif
#endif
