/*
 * eseal PDF adapter - the self-check in a helper process.
 *
 * libeseal runs Poppler in a separate program, eseal-selfcheck, so that a
 * crash, a hang or a leak in Poppler (or NSS, which it calls) ends as the
 * self-check failing on that one document, never as the death of the
 * caller (the eseal command, a CUPS filter, an nginx worker).
 *
 * The helper's protocol (selfcheck_main.c):
 *   eseal-selfcheck --eseal-version=VERSION SIZE NAME
 *   standard input: a regular file (a memfd, or the written output) whose
 *     first SIZE bytes are the sealed document; NAME names it in messages;
 *   standard output: one line, "ok" or "<ESEAL code name> <message>";
 *   exit status: 0 = ok, 1 = the check's finding (the line), 2 = the
 *     helper could not run the check (the line); anything else, a signal
 *     included, is a failure of the helper.
 */
#ifndef ESEAL_PDF_SELFCHECK_H
#define ESEAL_PDF_SELFCHECK_H

#include "../core/adapter.h"

#define ESEAL_SELFCHECK_HELPER "eseal-selfcheck"
#define ESEAL_SELFCHECK_EXIT_FINDING 1
#define ESEAL_SELFCHECK_EXIT_SETUP 2
#define ESEAL_SELFCHECK_MAX_LINE 1024  /* bytes of the helper's answer */
#define ESEAL_SELFCHECK_TIMEOUT_S 120  /* then the helper is killed */

/* What eseal's own reader sees of the sealed PDF (selfcheck_scan.c). */
typedef struct eseal_selfcheck_scan {
    size_t n_sig_fields; /* terminal signature fields, and signature
                            widgets that no AcroForm field lists */
    size_t n_last;       /* seals whose /ByteRange ends at the end */
    char *last_name;     /* UTF-8 full name of such a seal (GLib memory) */
} eseal_selfcheck_scan;

/* Fills scan (free it with eseal__selfcheck_scan_free()); 0 or a negative
 * ESEAL_E* code of the reader, or ELIMIT for too many or too deeply nested
 * fields or pages. */
int eseal__selfcheck_scan(eseal_selfcheck_scan *scan,
    const eseal_source *sealed, eseal_error *err);
void eseal__selfcheck_scan_free(eseal_selfcheck_scan *scan);

/* The check itself, with Poppler, in the helper (selfcheck_poppler.c). */
int eseal__selfcheck_poppler(const eseal_source *sealed, eseal_error *err);

/* How the helper ended (selfcheck_run.c). */
typedef struct eseal_selfcheck_result {
    int exited;           /* 1: exit status in status; 0: see signal */
    int status;           /* exit status */
    int signal;           /* the signal that ended it, or 0 */
    int timed_out;        /* killed after the timeout */
    int reaped_elsewhere; /* someone else reaped it (waitpid: ECHILD) */
    char line[ESEAL_SELFCHECK_MAX_LINE]; /* its answer, without newline */
    int line_ok;          /* one complete line within the cap */
} eseal_selfcheck_result;

/*
 * Runs the program at path with argv (argv[0] first, NULL-terminated),
 * stdin = doc_fd, stdout = a pipe read into out->line; every other
 * descriptor but stderr is closed in the child.  Waits at most
 * timeout_s seconds, then kills it (SIGKILL); always reaps it.  Returns
 * 0 when it ran (out says how it ended), or a negative ESEAL_E* code when
 * it could not start (ECONFIG, naming path) or on a system error.
 */
int eseal__selfcheck_run(eseal_selfcheck_result *out, const char *path,
    char *const argv[], int doc_fd, int timeout_s, eseal_error *err);

/*
 * Finds the helper: next to the shared object holding libeseal's code
 * (the build directory, or the installed libdir), then in the configured
 * libexecdir/eseal.  Test programs linking eseal's code statically look
 * next to themselves, then in the build root.  Fills path (cap bytes);
 * returns 0 or ECONFIG naming where it looked.
 */
int eseal__selfcheck_find(char *path, size_t cap, eseal_error *err);

#endif
