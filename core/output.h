/* eseal - outputs held back for a group commit (core/atomic_file.c). */
#ifndef ESEAL_OUTPUT_H
#define ESEAL_OUTPUT_H

#include <sys/types.h>
#include "core_int.h"

/*
 * A complete output that is not in place yet: an unnamed file (O_TMPFILE)
 * or, where the file system has none, a named temporary file.  Linking it
 * (eseal__pending_link) makes it appear under path in one step.
 */
typedef struct eseal_pending {
    int fd;
    char *tmp;            /* the named temporary file, or NULL */
    char *path;           /* where it goes */
    char *dir;            /* path's directory */
    dev_t dev;            /* the file system it is on */
    unsigned char in_sha256[32];
    unsigned char out_sha256[32];
    int hashed;           /* the two digests and sizes are set */
    uint64_t in_size;     /* bytes of the input and of the output */
    uint64_t out_size;
    eseal_format format;  /* of the input, as detected */
} eseal_pending;

/*
 * While a capture is set on a thread, eseal__write_spans_atomic() on that
 * thread leaves its output pending in *out (fd and names moved there)
 * instead of flushing and renaming it, and computes the SHA-256 of the
 * input and of the output when hash is set.  no_sync skips even starting
 * the write-back.  Set to NULL to end.
 */
typedef struct eseal_capture {
    int hash;
    int no_sync;
    int captured;         /* set when *out was filled */
    eseal_pending out;
} eseal_capture;

void eseal__capture_set(eseal_capture *capture);

/* Puts a pending output in place (link, or rename over a file that is
 * there).  Does not flush anything.  On failure the output is dropped. */
int eseal__pending_link(eseal_pending *p, eseal_error *err);

/* Drops a pending output (an unnamed file just vanishes). NULL-safe. */
void eseal__pending_discard(eseal_pending *p);

/* fsync of a directory; 0 or -1 with errno. */
int eseal__fsync_dir(const char *dir);

/* SHA-256 of a whole file, read with pread (memory stays flat). */
int eseal__sha256_file(unsigned char out[32], const char *path,
    eseal_error *err);

#endif
