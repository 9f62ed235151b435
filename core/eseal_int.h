/* eseal - internal helpers shared by the core and the adapters. */
#ifndef ESEAL_INT_H
#define ESEAL_INT_H

#ifndef ESEAL_BUILDING
#error "eseal_int.h is private to libeseal"
#endif

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <eseal/eseal.h>

#if defined(__GNUC__)
#define ESEAL_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define ESEAL_PRINTF(f, a)
#endif

/* ---- errors (core/error.c) ------------------------------------------- */

/* Fills err (if not NULL) with code and a formatted message; returns code. */
int eseal__error_set(eseal_error *err, int code, const char *fmt, ...)
    ESEAL_PRINTF(3, 4);

/*
 * Like eseal__error_set(), and appends ": <reason>" from the first error on
 * the OpenSSL queue; always empties the queue.  Returns code.
 */
int eseal__error_ossl(eseal_error *err, int code, const char *fmt, ...)
    ESEAL_PRINTF(3, 4);

/* ---- growable byte/string buffer (core/buf.c) ------------------------ */

typedef struct eseal_buf {
    char *data;   /* always NUL-terminated when not NULL */
    size_t len;
    size_t cap;
    int failed;   /* an allocation failed; later appends are ignored */
} eseal_buf;

void eseal__buf_append(eseal_buf *b, const void *data, size_t len);
void eseal__buf_puts(eseal_buf *b, const char *s);
void eseal__buf_printf(eseal_buf *b, const char *fmt, ...) ESEAL_PRINTF(2, 3);
/* Hands the data to the caller (free()) and resets b; NULL if failed. */
char *eseal__buf_steal(eseal_buf *b, size_t *len);
void eseal__buf_free(eseal_buf *b);

/* ---- JSON writer on top of eseal_buf (core/json.c) --------------------- */

/*
 * Minimal streaming writer: the caller writes values in order, commas are
 * inserted automatically.  Nesting up to 32 levels.
 */
typedef struct eseal_json {
    eseal_buf buf;
    int depth;
    unsigned char need_comma[32];
    int pretty;   /* indent with two spaces */
    int after_key;/* the next value belongs to the key just written */
} eseal_json;

void eseal__json_begin_object(eseal_json *j);
void eseal__json_end_object(eseal_json *j);
void eseal__json_begin_array(eseal_json *j);
void eseal__json_end_array(eseal_json *j);
void eseal__json_key(eseal_json *j, const char *key);
void eseal__json_string(eseal_json *j, const char *s);   /* NULL -> null */
void eseal__json_bool(eseal_json *j, int v);
void eseal__json_int(eseal_json *j, long long v);
void eseal__json_null(eseal_json *j);
void eseal__json_time(eseal_json *j, time_t t);          /* 0 -> null */
/* Writes an already-encoded JSON value (object, array...) as is. */
void eseal__json_raw(eseal_json *j, const char *json);

/* Formats t as RFC 3339 UTC ("2026-11-24T01:02:03Z"); out has >= 21 bytes. */
void eseal__time_rfc3339(char out[21], time_t t);

/* ---- small string helpers (core/buf.c) -------------------------------- */

char *eseal__strdup(const char *s);          /* NULL-safe */
char *eseal__strndup(const char *s, size_t n);
/* Appends a copy of s to a NULL-terminated growable list; 0 or ENOMEM. */
int eseal__strlist_add(char ***list, size_t *n, const char *s);
void eseal__strlist_free(char **list, size_t n);

/* ---- files (core/readfile.c) -------------------------------------------- */

/*
 * Reads what fd holds, at most max bytes, into a NUL-terminated buffer to
 * free() (*len excludes the NUL).  A longer file gives ESEAL_ELIMIT; path
 * names the file in messages.
 */
int eseal__read_fd(unsigned char **out, size_t *len, int fd, size_t max,
    const char *path, eseal_error *err);

/* Overwrites len bytes of secret data, in a way the compiler keeps. */
void eseal__wipe(void *p, size_t len);

#endif
