/*
 * eseal-selfcheck - the helper program of the PDF self-check: runs the
 * Poppler check (selfcheck_poppler.c) on one sealed document, in its own
 * process, and answers on standard output with one line.  The protocol is
 * in selfcheck.h; libeseal starts it (pdf_selfcheck.c), not users.
 */
#include "eseal_config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include "selfcheck.h"
#include "../core/eseal_int.h"

static void write_all(int fd, const char *s, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, s, len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        s += n;
        len -= (size_t)n;
    }
}

/*
 * Writes the answer and ends without running exit handlers: Poppler's and
 * NSS's global state is not torn down (its teardown has raced with
 * Poppler's worker threads before), and what it keeps until exit is not
 * reported as a leak.
 */
static void answer(int fd, int status, const eseal_error *e)
{
    char line[ESEAL_SELFCHECK_MAX_LINE];
    int n;

    if (status == 0)
        n = snprintf(line, sizeof(line), "ok\n");
    else
        n = snprintf(line, sizeof(line), "%s %s\n", eseal_err_name(e->code),
            e->message);
    if (n > 0 && (size_t)n < sizeof(line))
        write_all(fd, line, (size_t)n);
    _exit(status);
}

int main(int argc, char **argv)
{
    eseal_error err = { 0, "" };
    eseal_source src;
    struct rlimit no_core = { 0, 0 };
    struct stat st;
    unsigned long long size;
    char *end;
    void *map;
    int out;

    /* the answer goes to a private copy of standard output; whatever the
     * libraries print goes to standard error */
    if ((out = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3)) < 0
        || dup2(STDERR_FILENO, STDOUT_FILENO) < 0)
        return 3;
    setrlimit(RLIMIT_CORE, &no_core);   /* no core files of Poppler */
    if (argc != 4 || strcmp(argv[1], "--eseal-version=" ESEAL_VERSION) != 0) {
        eseal__error_set(&err, ESEAL_ECONFIG, "self-check: %s is the "
            "helper of eseal %s and is started by it",
            argc > 0 ? argv[0] : ESEAL_SELFCHECK_HELPER, ESEAL_VERSION);
        answer(out, ESEAL_SELFCHECK_EXIT_SETUP, &err);
    }
    errno = 0;
    size = strtoull(argv[2], &end, 10);
    if (errno != 0 || end == argv[2] || *end != '\0' || size == 0
        || size > SIZE_MAX || fstat(STDIN_FILENO, &st) < 0
        || !S_ISREG(st.st_mode) || (unsigned long long)st.st_size < size) {
        eseal__error_set(&err, ESEAL_ECONFIG, "self-check: the helper's "
            "standard input is not the %s bytes of %s", argv[2], argv[3]);
        answer(out, ESEAL_SELFCHECK_EXIT_SETUP, &err);
    }
    map = mmap(NULL, (size_t)size, PROT_READ, MAP_PRIVATE, STDIN_FILENO, 0);
    if (map == MAP_FAILED) {
        eseal__error_set(&err, ESEAL_EIO, "self-check: cannot map %s: %s",
            argv[3], strerror(errno));
        answer(out, ESEAL_SELFCHECK_EXIT_SETUP, &err);
    }
    src.data = map;
    src.size = (uint64_t)size;
    src.fd = -1;
    src.name = argv[3];
    src.in_heap = 0;
    if (eseal__selfcheck_poppler(&src, &err) < 0)
        answer(out, ESEAL_SELFCHECK_EXIT_FINDING, &err);
    answer(out, 0, &err);
    return 0;
}
