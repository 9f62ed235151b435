/* eseal - reading a small file (certificate, configuration) whole. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "eseal_int.h"

int eseal__read_fd(unsigned char **out, size_t *len, int fd, size_t max,
    const char *path, eseal_error *err)
{
    unsigned char *buf;
    size_t got = 0;

    *out = NULL;
    *len = 0;
    if (max > SIZE_MAX - 2 || (buf = malloc(max + 2)) == NULL)
        return eseal__error_set(err, ESEAL_ENOMEM, "%s: out of memory", path);
    /* read one byte more than allowed: a longer file is refused */
    while (got <= max) {
        ssize_t n = read(fd, buf + got, max + 1 - got);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int e = errno;

            free(buf);
            return eseal__error_set(err, ESEAL_EIO, "%s: cannot read: %s",
                path, strerror(e));
        }
        if (n == 0)
            break;
        got += (size_t)n;
    }
    if (got > max) {
        eseal__wipe(buf, got);
        free(buf);
        return eseal__error_set(err, ESEAL_ELIMIT, "%s: larger than %zu "
            "bytes", path, max);
    }
    buf[got] = '\0';
    *out = buf;
    *len = got;
    return 0;
}
