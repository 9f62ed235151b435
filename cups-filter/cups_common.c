/* eseal CUPS shells - settings, job I/O and safe names (cups_common.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <openssl/crypto.h>
#include "cups_common.h"

/* %XX-decodes s in place; -1 for a bad escape or a NUL byte. */
static int unescape(char *s)
{
    char *d = s;
    int h, l;

    for (; *s != '\0'; s++) {
        if (*s == '%') {
            if ((h = OPENSSL_hexchar2int((unsigned char)s[1])) < 0
                || (l = OPENSSL_hexchar2int((unsigned char)s[2])) < 0
                || (h == 0 && l == 0))
                return -1;
            *d++ = (char)(h * 16 + l);
            s += 2;
        } else {
            *d++ = *s;
        }
    }
    *d = '\0';
    return 0;
}

static int valid_profile_name(const char *s)
{
    size_t n = 0;

    for (; *s != '\0'; s++, n++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')
                || (*s >= '0' && *s <= '9') || *s == '-' || *s == '_'
                || *s == '.'))
            return 0;
    return n > 0 && n <= 64;
}

static int bad(char *why, size_t size, const char *what, const char *v)
{
    snprintf(why, size, "device URI: %s%s%.64s%s", what, v ? " '" : "",
        v ? v : "", v ? "'" : "");
    return -1;
}

int cups_queue_parse(cups_queue *q, const char *uri, char *why,
    size_t why_size)
{
    size_t n = strlen(CUPS_SCHEME);
    char *query, *item, *save = NULL, *save2 = NULL, *eq, *p, *s2;

    memset(q, 0, sizeof(*q));
    if (uri == NULL || strncmp(uri, CUPS_SCHEME, n) != 0 || uri[n] != ':')
        return 1;
    if ((q->buf = strdup(uri + n + 1)) == NULL)
        return bad(why, why_size, "out of memory", NULL);
    query = strchr(q->buf, '?');
    if (query != NULL)
        *query++ = '\0';
    /* eseal-store:/dir or eseal-store:///dir */
    p = q->buf;
    if (strncmp(p, "//", 2) == 0) {
        p += 2;
        if (*p != '/')
            return bad(why, why_size, "a host is not allowed, use "
                CUPS_SCHEME ":/DIRECTORY", NULL);
    }
    if (unescape(p) < 0)
        return bad(why, why_size, "bad %-escape in the path", NULL);
    if (*p != '\0') {
        if (*p != '/' || strstr(p, "/../") != NULL
            || (strlen(p) >= 3 && strcmp(p + strlen(p) - 3, "/..") == 0))
            return bad(why, why_size, "the store must be an absolute "
                "directory", p);
        q->path = p;
    }
    for (item = query != NULL ? strtok_r(query, "&", &save) : NULL;
         item != NULL; item = strtok_r(NULL, "&", &save)) {
        if ((eq = strchr(item, '=')) == NULL)
            return bad(why, why_size, "expected NAME=VALUE, got", item);
        *eq++ = '\0';
        if (unescape(eq) < 0)
            return bad(why, why_size, "bad %-escape in", item);
        if (strcmp(item, "profiles") == 0) {
            for (s2 = strtok_r(eq, ",", &save2); s2 != NULL;
                 s2 = strtok_r(NULL, ",", &save2)) {
                if (!valid_profile_name(s2))
                    return bad(why, why_size, "not a profile name:", s2);
                if (q->n_profiles == CUPS_MAX_PROFILES)
                    return bad(why, why_size, "too many profiles", NULL);
                q->profiles[q->n_profiles++] = s2;
            }
        } else if (strcmp(item, "config") == 0) {
            if (eq[0] != '/')
                return bad(why, why_size, "config must be an absolute "
                    "path:", eq);
            q->config = eq;
        } else if (strcmp(item, "per") == 0) {
            if (strcmp(eq, "user") != 0 && strcmp(eq, "queue") != 0)
                return bad(why, why_size, "per is user or queue, not", eq);
            q->per_user = strcmp(eq, "user") == 0;
        } else {
            return bad(why, why_size, "unknown setting", item);
        }
    }
    return 0;
}

void cups_queue_free(cups_queue *q)
{
    free(q->buf);
    memset(q, 0, sizeof(*q));
}

int cups_read_all(unsigned char **data, size_t *len, const char *path,
    volatile sig_atomic_t *cancel, char *why, size_t why_size)
{
    size_t cap = 1 << 16, used = 0;
    unsigned char *buf = malloc(cap), *grown;
    ssize_t n;
    int fd = 0, rc = 0;

    *data = NULL;
    *len = 0;
    if (buf == NULL) {
        snprintf(why, why_size, "out of memory");
        return -1;
    }
    if (path != NULL && (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
        snprintf(why, why_size, "cannot open the job file: %s",
            strerror(errno));
        free(buf);
        return -1;
    }
    for (;;) {
        if (cancel != NULL && *cancel) {
            rc = -2;
            break;
        }
        if (used == cap) {
            if (cap >= CUPS_MAX_JOB) {
                snprintf(why, why_size, "the job is larger than %u MiB",
                    CUPS_MAX_JOB >> 20);
                rc = -1;
                break;
            }
            cap *= 2;
            if ((grown = realloc(buf, cap)) == NULL) {
                snprintf(why, why_size, "out of memory");
                rc = -1;
                break;
            }
            buf = grown;
        }
        n = read(fd, buf + used, cap - used);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            snprintf(why, why_size, "cannot read the job: %s",
                strerror(errno));
            rc = -1;
            break;
        }
        if (n == 0)
            break;
        used += (size_t)n;
    }
    if (path != NULL)
        close(fd);
    if (rc < 0) {
        free(buf);
        return rc;
    }
    *data = buf;
    *len = used;
    return 0;
}

int cups_write_all(int fd, const void *data, size_t len)
{
    const unsigned char *p = data;
    ssize_t n;

    while (len > 0) {
        n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Length of the valid UTF-8 sequence at s (1..4), or 0. */
static size_t utf8_len(const unsigned char *s)
{
    size_t n, i;
    unsigned int c;

    if (s[0] < 0x80)
        return 1;
    if ((s[0] & 0xe0) == 0xc0) {
        n = 2;
        c = s[0] & 0x1f;
    } else if ((s[0] & 0xf0) == 0xe0) {
        n = 3;
        c = s[0] & 0x0f;
    } else if ((s[0] & 0xf8) == 0xf0) {
        n = 4;
        c = s[0] & 0x07;
    } else {
        return 0;
    }
    for (i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        c = (c << 6) | (s[i] & 0x3f);
    }
    if ((n == 2 && c < 0x80) || (n == 3 && c < 0x800)
        || (n == 4 && (c < 0x10000 || c > 0x10ffff))
        || (c >= 0xd800 && c <= 0xdfff))
        return 0;
    return n;
}

size_t cups_json_string(char *out, size_t size, size_t used, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    char tmp[8];
    size_t k;

#define PUT(str, len) do { \
        if (used + (len) >= size) \
            return size; \
        memcpy(out + used, (str), (len)); \
        used += (len); \
        out[used] = '\0'; \
    } while (0)

    PUT("\"", 1);
    while (p != NULL && *p != '\0') {
        if (*p == '"' || *p == '\\') {
            tmp[0] = '\\';
            tmp[1] = (char)*p++;
            PUT(tmp, 2);
        } else if (*p < 0x20 || *p == 0x7f) {
            snprintf(tmp, sizeof(tmp), "\\u%04x", *p++);
            PUT(tmp, 6);
        } else if ((k = utf8_len(p)) == 0) {
            PUT("\xef\xbf\xbd", 3);
            p++;
        } else {
            PUT(p, k);
            p += k;
        }
    }
    PUT("\"", 1);
#undef PUT
    return used;
}

void cups_safe_title(char *out, size_t max, const char *title)
{
    const unsigned char *p = (const unsigned char *)(title ? title : "");
    size_t n = 0, k;

    while (*p != '\0' && n < max) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')
            || (*p >= '0' && *p <= '9') || *p == '-' || *p == '_'
            || (*p == '.' && n > 0)) {
            out[n++] = (char)*p++;
        } else if (*p >= 0x80 && (k = utf8_len(p)) > 0) {
            if (n + k > max)
                break;
            memcpy(out + n, p, k);
            n += k;
            p += k;
        } else {
            if (*p != '.' || n > 0)
                out[n++] = '_';
            p++;
        }
    }
    out[n] = '\0';
    if (n >= 4 && strcasecmp(out + n - 4, ".pdf") == 0)
        out[n -= 4] = '\0';
    while (n > 0 && (out[n - 1] == '.' || out[n - 1] == '_'))
        out[--n] = '\0';
    if (n == 0)
        strcpy(out, "job");
}

int cups_safe_user(const char *name)
{
    size_t n = 0;

    if (name == NULL || name[0] == '.' || name[0] == '-')
        return 0;
    for (; name[n] != '\0'; n++)
        if (!((name[n] >= 'a' && name[n] <= 'z')
                || (name[n] >= 'A' && name[n] <= 'Z')
                || (name[n] >= '0' && name[n] <= '9') || name[n] == '.'
                || name[n] == '_' || name[n] == '-'))
            return 0;
    return n > 0 && n <= 64;
}
