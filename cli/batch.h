/* eseal command - sealing many files: inputs, workers, progress. */
#ifndef ESEAL_CLI_BATCH_H
#define ESEAL_CLI_BATCH_H

#include <stddef.h>
#include "cli.h"

/* Limits on what the command line and lists may ask for. */
#define CLI_MAX_JOBS 1024          /* --jobs */
#define CLI_MAX_DOCUMENTS 10000000 /* documents in one batch */
#define CLI_MAX_DEPTH 64           /* directory levels walked */

typedef struct cli_batch_opts {
    eseal_sealer *sealer;
    const eseal_seal_opts *seal;
    char *const *inputs;        /* command-line inputs (files, directories) */
    size_t n_inputs;
    const char *from_list;      /* file of paths, one a line; "-": stdin */
    const char *out;            /* -o: one input */
    const char *out_dir;
    int in_place;
    unsigned int jobs;          /* 0: one per core */
    const char *audit;
    const char *profile;        /* named in the audit lines, or NULL */
    int no_sync;
} cli_batch_opts;

/* Seals the documents; returns the exit status (DESIGN.md): 0 all sealed,
 * 1 some document failed or was not sealed, 2 the batch could not start.
 * Reports each failure and, for several documents, a summary on stderr. */
int cli_batch_run(const cli_batch_opts *o);

/* The number of processors this process may run on. */
unsigned int cli_cores(void);

/* ---- progress (cli/progress.c) ------------------------------------------ */

typedef struct cli_progress {
    int enabled;       /* several documents: show progress */
    int tty;           /* stderr is a terminal: a bar, redrawn in place */
    int drawn;         /* a bar is on the screen */
    double start;
    double last;       /* when progress was last shown */
    double interval;   /* seconds between lines when not a terminal */
    size_t total;
} cli_progress;

double cli_now(void);
void cli_progress_init(cli_progress *p, size_t total);
/* Shows progress if it is time to (always when force is set). */
void cli_progress_update(cli_progress *p, size_t sealed, size_t failed,
    int force);
/* Erases the bar so that a message can be printed. */
void cli_progress_clear(cli_progress *p);
/* The final summary line. */
void cli_progress_summary(cli_progress *p, size_t sealed, size_t failed,
    size_t not_started);

#endif
