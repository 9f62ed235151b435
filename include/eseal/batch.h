/* eseal - sealing many files with one sealer: group commit and audit. */
#ifndef ESEAL_BATCH_H
#define ESEAL_BATCH_H

#include <eseal/common.h>
#include <eseal/error.h>
#include <eseal/sealer.h>
#include <eseal/seal.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Opaque.  Threads seal files into it (eseal_batch_seal_file); one thread
 * commits them now and then (eseal_batch_commit): the outputs written
 * since the last commit are flushed to disk together (one syncfs() per
 * file system instead of one fsync() per file), their audit lines
 * appended and flushed, then the outputs linked into place and their
 * directories flushed.  An output appears under its name only once its
 * content is on disk, complete, and its audit line written; a process
 * killed before leaves nothing (the pending outputs are unnamed files).
 */
typedef struct eseal_batch eseal_batch;

#define ESEAL_BATCH_OPTS_VERSION 2   /* 1: without profile */

typedef struct eseal_batch_opts {
    unsigned int version;     /* ESEAL_BATCH_OPTS_VERSION */
    const char *audit;        /* audit log to append to, or NULL */
    int no_sync;              /* never flush to disk (benchmarks, scratch
                                 file systems): success then means written,
                                 not durable */
    unsigned int max_pending; /* documents waiting for a commit before
                                 eseal_batch_seal_file() waits; 0: 256 */
    const char *profile;      /* named in the audit lines, or NULL */
} eseal_batch_opts;

#define ESEAL_BATCH_OPTS_INIT { ESEAL_BATCH_OPTS_VERSION, NULL, 0, 0, NULL }

/**
 * Opens a batch on an opened sealer (borrowed: it must outlive the batch)
 * and its audit log, if any.  Returns 0, or ESEAL_EIO when the audit log
 * cannot be opened.
 */
ESEAL_API int eseal_batch_open(eseal_batch **out, eseal_sealer *sealer,
    const eseal_batch_opts *opts, eseal_error *err);

/**
 * Seals in_path into out_path like eseal_seal_file(), but leaves the
 * output pending until the next commit; a failure is recorded for it too.
 * The outcome of the document, with tag, comes from eseal_batch_commit().
 * Waits while max_pending documents wait for a commit.  Thread-safe.
 * Returns 0, or ESEAL_EINVAL / ESEAL_ENOMEM when the document could not be
 * recorded at all (then it is reported nowhere else).
 */
ESEAL_API int eseal_batch_seal_file(eseal_batch *batch, const char *in_path,
    const char *out_path, const eseal_seal_opts *opts, void *tag,
    eseal_error *err);

/** Called once per document by eseal_batch_commit(): rc 0 = sealed and
 * durable, else the error. */
typedef void (*eseal_batch_cb)(void *tag, int rc, const eseal_error *err,
    void *payload);

/**
 * Makes the pending outputs durable, appends the audit lines of every
 * document finished since the last commit (sealed and failed alike), puts
 * the outputs in place, and calls cb for each document, in the order they
 * finished.  A document that fails after its "sealed" line was written
 * (it could not be linked into place) gets a second, "failed" line.  Call
 * it from one thread at a time, while others keep sealing.  Returns 0, or
 * the error of the audit log: the documents concerned are then reported
 * as failed and their outputs dropped (stop the batch).
 */
ESEAL_API int eseal_batch_commit(eseal_batch *batch, eseal_batch_cb cb,
    void *payload, eseal_error *err);

/** How many documents wait for a commit.  Thread-safe. */
ESEAL_API size_t eseal_batch_pending(eseal_batch *batch);

/**
 * Frees the batch and closes its audit log.  Outputs not committed are
 * dropped (no file appears).  NULL-safe.
 */
ESEAL_API void eseal_batch_free(eseal_batch *batch);

#ifdef __cplusplus
}
#endif
#endif
