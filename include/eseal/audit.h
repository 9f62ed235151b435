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

/**
 * Opens the log's path again, for log rotation: after the file was
 * renamed, lines go to a new file at the path (created as by
 * eseal_audit_open()).  Lines appended before are flushed to the old file
 * first (unless ESEAL_AUDIT_NO_SYNC); appends of other threads wait while
 * the file changes.  On failure the old file stays in use.  Thread-safe;
 * blocks on file I/O.  Returns 0, or ESEAL_EIO.
 */
ESEAL_API int eseal_audit_reopen(eseal_audit *audit, eseal_error *err);

/** Closes the log.  NULL-safe. */
ESEAL_API void eseal_audit_close(eseal_audit *audit);

#define ESEAL_AUDIT_MAX_CONTEXT 16     /* fields in one entry's context */
#define ESEAL_AUDIT_MAX_VALUE 1024     /* bytes kept of a context value */

/**
 * One field of a shell's own in a line's "context" object, such as the
 * print queue or the request URI.  name: 1 to 32 bytes of [a-z0-9_],
 * starting with a letter, unique in the entry; value: a string (not
 * UTF-8 bytes become U+FFFD, longer values are cut to
 * ESEAL_AUDIT_MAX_VALUE bytes on a character boundary) or NULL (null).
 */
typedef struct eseal_audit_field {
    const char *name;
    const char *value;
} eseal_audit_field;

#define ESEAL_AUDIT_ENTRY_VERSION 2

/**
 * What one line records.  Every pointer is borrowed for the call.
 * Version 1 entries (without the members after error) are still accepted:
 * all the entries of one call have the same version.
 */
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
    /* version 2 */
    const char *profile;                /* the profile sealed with, or NULL */
    long long input_size;               /* bytes; -1: unknown (null) */
    long long output_size;              /* bytes; -1: unknown or none */
    const eseal_audit_field *context;   /* the shell's own fields */
    size_t n_context;                   /* at most ESEAL_AUDIT_MAX_CONTEXT */
} eseal_audit_entry;

#define ESEAL_AUDIT_ENTRY_INIT { ESEAL_AUDIT_ENTRY_VERSION, 0, NULL, NULL, \
    NULL, NULL, ESEAL_FORMAT_AUTO, ESEAL_LEVEL_B_B, NULL, 0, NULL, NULL, \
    -1, -1, NULL, 0 }

/**
 * Appends one JSON line per entry (format in docs/batch.md):
 * {"time", "host", "pid", "input", "output", "input_sha256",
 * "output_sha256", "format", "level", "certificate": {"serial", "issuer"},
 * "result": "sealed"|"failed", "error", "error_code", "profile",
 * "input_size", "output_size", "context": {NAME: VALUE...}}.
 * All the lines go out in one write() under an exclusive flock() of the
 * file: lines of parallel threads and processes never interleave.  Then,
 * unless ESEAL_AUDIT_NO_SYNC, the call returns only once an fdatasync()
 * that began after the write has succeeded, so an appended line survives
 * a crash; threads appending at once share one fdatasync() (a thread
 * that finds one running waits for the next, which covers its lines).
 * Names that are not UTF-8 have the bad bytes replaced by U+FFFD.
 * Thread-safe; blocks on file I/O.  Returns 0, or ESEAL_EINVAL (a bad
 * version or context field), ESEAL_EIO / ESEAL_ENOMEM.
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
