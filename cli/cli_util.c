/* eseal command - messages, exit statuses and stdin/stdout helpers. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"

void cli_error(const char *what, const char *fmt, ...)
{
    va_list ap;

    fputs("eseal: ", stderr);
    if (what != NULL)
        fprintf(stderr, "%s: ", what);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

void cli_report_error(const char *what, const eseal_error *err)
{
    const char *msg = err->message[0] ? err->message
                                      : eseal_strerror(err->code);

    cli_error(what, "%s", msg);
}

int cli_exit_status(int rc)
{
    if (rc == 0)
        return CLI_EXIT_OK;
    return eseal_error_is_document(rc) ? CLI_EXIT_DOCUMENT : CLI_EXIT_USAGE;
}

int cli_read_all(eseal_bytes *out, const char *path, eseal_error *err)
{
    unsigned char *data = NULL, *grown;
    size_t len = 0, cap = 0;
    int fd, rc = 0;

    out->data = NULL;
    out->len = 0;
    if (strcmp(path, "-") == 0)
        fd = STDIN_FILENO;
    else if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
        err->code = ESEAL_EIO;
        snprintf(err->message, sizeof(err->message), "cannot open: %s",
            strerror(errno));
        return ESEAL_EIO;
    }
    for (;;) {
        ssize_t n;

        if (cap - len < 65536) {
            cap = cap ? cap * 2 : 1 << 20;
            grown = realloc(data, cap);
            if (grown == NULL) {
                rc = ESEAL_ENOMEM;
                snprintf(err->message, sizeof(err->message), "out of memory");
                break;
            }
            data = grown;
        }
        n = read(fd, data + len, cap - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = ESEAL_EIO;
            snprintf(err->message, sizeof(err->message), "cannot read: %s",
                strerror(errno));
            break;
        }
        if (n == 0)
            break;
        len += (size_t)n;
    }
    if (fd != STDIN_FILENO)
        close(fd);
    if (rc != 0) {
        err->code = rc;
        free(data);
        return rc;
    }
    out->data = data;
    out->len = len;
    return 0;
}

int cli_write_stdout(const unsigned char *buf, size_t len, eseal_error *err)
{
    while (len > 0) {
        ssize_t n = write(STDOUT_FILENO, buf, len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            err->code = ESEAL_EIO;
            snprintf(err->message, sizeof(err->message),
                "cannot write to standard output: %s", strerror(errno));
            return ESEAL_EIO;
        }
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}
