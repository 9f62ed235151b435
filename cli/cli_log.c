/* eseal command - the library's warnings of successful seals, on stderr. */
#include <stdatomic.h>
#include <stdio.h>
#include <unistd.h>
#include "cli.h"

/* A batch of a thousand invoices of one kind would repeat one warning a
 * thousand times: the first few say it, the rest are counted. */
#define CLI_LOG_MAX_LINES 20

static atomic_uint lines_seen;

static void print_warning(eseal_log_level level, const char *document,
    const char *code, const char *message, void *payload)
{
    unsigned int n = atomic_fetch_add(&lines_seen, 1) + 1;
    const char *level_name = eseal_log_level_name(level);

    (void)payload;
    if (n > CLI_LOG_MAX_LINES + 1)
        return;
    flockfile(stderr);
    /* a progress bar may own the terminal's last line */
    if (isatty(STDERR_FILENO))
        fputs("\r\033[K", stderr);
    if (n == CLI_LOG_MAX_LINES + 1)
        fprintf(stderr, "eseal: further warnings are not shown\n");
    else if (document != NULL)
        fprintf(stderr, "eseal: %s: %s: %s [%s]\n", level_name, document,
            message, code);
    else
        fprintf(stderr, "eseal: %s: %s [%s]\n", level_name, message, code);
    funlockfile(stderr);
}

void cli_log_warnings(eseal_sealer *sealer)
{
    eseal_set_log(sealer, ESEAL_LOG_WARNING, print_warning, NULL);
}
