/* eseal command - shared declarations of the subcommands. */
#ifndef ESEAL_CLI_H
#define ESEAL_CLI_H

#include <eseal/eseal.h>

/* Exit statuses (DESIGN.md): document problem 1, usage/I-O/config 2. */
#define CLI_EXIT_OK 0
#define CLI_EXIT_DOCUMENT 1
#define CLI_EXIT_USAGE 2

/* Each subcommand gets argv starting at its own name. */
int cmd_seal(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_extend(int argc, char **argv);
int cmd_cert(int argc, char **argv);
int cmd_demo_pki(int argc, char **argv);

/* Prints "eseal: <what>: <message>" (or "eseal: <message>") to stderr. */
void cli_error(const char *what, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Prints the error record: "eseal: <what>: <err->message>". */
void cli_report_error(const char *what, const eseal_error *err);

/* Prints the sealer's warnings on stderr: "eseal: warning: <document>:
 * <message> [<code>]", at most a screenful per run (cli_log.c). */
void cli_log_warnings(eseal_sealer *sealer);

/* Maps a library return code to the exit status. */
int cli_exit_status(int rc);

/* Reads a whole file ("-" = stdin) into *out; returns 0 or an ESEAL code. */
int cli_read_all(eseal_bytes *out, const char *path, eseal_error *err);

/* Writes buf to stdout completely; returns 0 or ESEAL_EIO. */
int cli_write_stdout(const unsigned char *buf, size_t len, eseal_error *err);

#endif
