/* eseal - growable buffers and small string helpers. */
#include <stdlib.h>
#include <string.h>
#include "eseal_int.h"

static int buf_reserve(eseal_buf *b, size_t extra)
{
    size_t need, cap;
    char *p;

    if (b->failed)
        return -1;
    if (extra > SIZE_MAX - b->len - 1)
        goto fail;
    need = b->len + extra + 1;
    if (need <= b->cap)
        return 0;
    cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    p = realloc(b->data, cap);
    if (p == NULL)
        goto fail;
    b->data = p;
    b->cap = cap;
    return 0;
fail:
    b->failed = 1;
    return -1;
}

void eseal__buf_append(eseal_buf *b, const void *data, size_t len)
{
    if (buf_reserve(b, len) < 0)
        return;
    if (len > 0)
        memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
}

void eseal__buf_puts(eseal_buf *b, const char *s)
{
    eseal__buf_append(b, s, strlen(s));
}

void eseal__buf_printf(eseal_buf *b, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || buf_reserve(b, (size_t)n) < 0)
        return;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

char *eseal__buf_steal(eseal_buf *b, size_t *len)
{
    char *data = NULL;

    if (!b->failed && buf_reserve(b, 0) == 0) {
        data = b->data;
        if (len != NULL)
            *len = b->len;
        b->data = NULL;
    }
    eseal__buf_free(b);
    return data;
}

void eseal__buf_free(eseal_buf *b)
{
    free(b->data);
    memset(b, 0, sizeof(*b));
}

char *eseal__strdup(const char *s)
{
    return s == NULL ? NULL : strdup(s);
}

char *eseal__strndup(const char *s, size_t n)
{
    char *p = malloc(n + 1);

    if (p != NULL) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

int eseal__strlist_add(char ***list, size_t *n, const char *s)
{
    char **grown;
    char *copy = strdup(s);

    if (copy == NULL)
        return ESEAL_ENOMEM;
    grown = realloc(*list, (*n + 2) * sizeof(**list));
    if (grown == NULL) {
        free(copy);
        return ESEAL_ENOMEM;
    }
    grown[*n] = copy;
    grown[*n + 1] = NULL;
    *list = grown;
    (*n)++;
    return 0;
}

void eseal__strlist_free(char **list, size_t n)
{
    size_t i;

    if (list == NULL)
        return;
    for (i = 0; i < n; i++)
        free(list[i]);
    free(list);
}

void eseal__wipe(void *p, size_t len)
{
    volatile unsigned char *v = p;

    while (len--)
        *v++ = 0;
}

void eseal_bytes_free(eseal_bytes *bytes)
{
    if (bytes == NULL)
        return;
    free(bytes->data);
    bytes->data = NULL;
    bytes->len = 0;
}

void eseal_free(void *ptr)
{
    free(ptr);
}
