/* eseal - the audit log: one JSON line per document sealed or refused. */
#ifndef ESEAL_AUDIT_H
#define ESEAL_AUDIT_H

#include <time.h>
#include <eseal/common.h>
#include <eseal/error.h>
#include <eseal/sealer.h>
#include <eseal/seal.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Opaque; one open audit log, shared by threads. */
typedef struct eseal_audit eseal_audit;

/** eseal_audit_open() flags */
#define ESEAL_AUDIT_NO_SYNC 0x1u /* do not fdatasync after each append */

/**
 * Opens (creating it with mode 0640 less the umask) the audit log at path
 * for appending.  Refuses anything but a regular file.  Blocks on file
 * I/O.  Returns 0 and a log to close with eseal_audit_close(), or
 * ESEAL_EIO (*out stays NULL).
 */
ESEAL_API int eseal_audit_open(eseal_audit **out, const char *path,
    unsigned int flags, eseal_error *err);

/** Closes the log.  NULL-safe. */
ESEAL_API void eseal_audit_close(eseal_audit *audit);

#define ESEAL_AUDIT_ENTRY_VERSION 1

/** What one line records.  Every pointer is borrowed for the call. */
typedef struct eseal_audit_entry {
    unsigned int version;               /* ESEAL_AUDIT_ENTRY_VERSION */
    time_t time;                        /* when it was sealed; 0: now */
    const char *input;                  /* the input as the shell names it */
    const char *output;                 /* NULL: no output (failed, stdout) */
    const unsigned char *input_sha256;  /* 32 bytes, or NULL: unknown */
    const unsigned char *output_sha256; /* 32 bytes, or NULL */
    eseal_format format;                /* AUTO: unknown (null) */
    eseal_level level;
    const eseal_sealer *sealer;         /* its certificate's serial and
                                           issuer; NULL: none */
    int result;                         /* 0: sealed, else an ESEAL_E* code */
    const char *error;                  /* the message when result != 0 */
} eseal_audit_entry;

#define ESEAL_AUDIT_ENTRY_INIT { ESEAL_AUDIT_ENTRY_VERSION, 0, NULL, NULL, \
    NULL, NULL, ESEAL_FORMAT_AUTO, ESEAL_LEVEL_B_B, NULL, 0, NULL }

/**
 * Appends one JSON line per entry (format in docs/batch.md):
 * {"time", "host", "pid", "input", "output", "input_sha256",
 * "output_sha256", "format", "level", "certificate": {"serial", "issuer"},
 * "result": "sealed"|"failed", "error", "error_code"}.
 * All the lines go out in one write() under an exclusive flock() of the
 * file, then fdatasync(): lines of parallel threads and processes never
 * interleave, and a line that was appended survives a crash.  Names that
 * are not UTF-8 have the bad bytes replaced by U+FFFD.  Thread-safe;
 * blocks on file I/O.  Returns 0, or ESEAL_EIO / ESEAL_ENOMEM.
 */
ESEAL_API int eseal_audit_append(eseal_audit *audit,
    const eseal_audit_entry *entries, size_t n, eseal_error *err);

/** SHA-256 of a buffer, for shells that log what they sealed in memory. */
ESEAL_API void eseal_sha256(unsigned char out[32], const void *data,
    size_t len);

#ifdef __cplusplus
}
#endif
#endif
