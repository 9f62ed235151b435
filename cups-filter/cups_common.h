/*
 * eseal CUPS shells - what the filter (eseal-pdf) and the store backend
 * (eseal-store) share: the queue's settings in its device URI, reading a
 * job with a size limit, writing it out, names made safe for files and
 * JSON.
 *
 * A sealed-PDF queue is configured by its device URI, which only an
 * administrator sets (lpadmin -v) and which CUPS hands to the filters and
 * the backend in DEVICE_URI:
 *
 *   eseal-store:/var/spool/eseal?profiles=invoices,reports&per=user
 *
 * path: where the backend stores the sealed PDFs; profiles: the profiles
 * jobs may ask for with -o eseal-profile=NAME (the first is the default;
 * without it, only the configuration's default profile); config: the
 * configuration file (default /etc/eseal/eseal.conf); per: "queue" (all
 * files in path) or "user" (a directory per user).
 */
#ifndef ESEAL_CUPS_COMMON_H
#define ESEAL_CUPS_COMMON_H

#include <signal.h>
#include <stddef.h>

#define CUPS_SCHEME "eseal-store"
#define CUPS_MAX_JOB (1024u << 20)   /* bytes of one job */
#define CUPS_MAX_PROFILES 32

typedef struct cups_queue {
    char *path;                      /* the store directory, or NULL */
    char *config;                    /* configuration file, or NULL */
    char *profiles[CUPS_MAX_PROFILES + 1]; /* NULL-terminated */
    size_t n_profiles;
    int per_user;
    char *buf;                       /* owns the strings above */
} cups_queue;

/*
 * Parses a device URI.  Returns 0; 1 when the URI is not an eseal-store
 * URI (q is then empty: defaults apply); -1 with a message in why for a
 * malformed one.
 */
int cups_queue_parse(cups_queue *q, const char *uri, char *why,
    size_t why_size);
void cups_queue_free(cups_queue *q);

/*
 * Reads a whole file (path NULL: standard input) of at most CUPS_MAX_JOB
 * bytes into *data (free()).  Stops early, returning -2, when *cancel
 * becomes non-zero.  Returns 0, or -1 with a message in why.
 */
int cups_read_all(unsigned char **data, size_t *len, const char *path,
    volatile sig_atomic_t *cancel, char *why, size_t why_size);

/* Writes all of data to fd (EINTR and short writes handled); 0 or -1. */
int cups_write_all(int fd, const void *data, size_t len);

/*
 * Appends s as a JSON string (quotes included) to out[0..size): invalid
 * UTF-8 bytes become U+FFFD, control characters \u escapes.  Returns the
 * new length, or size when it did not fit.
 */
size_t cups_json_string(char *out, size_t size, size_t used, const char *s);

/*
 * A job title as a file name: letters, digits, '-', '_', '.', and UTF-8
 * characters beyond ASCII kept; anything else (slashes, spaces, control
 * characters) becomes '_'; no leading dot; at most max bytes (cut on a
 * character boundary); a trailing ".pdf" removed; "job" when nothing is
 * left.  out has room for max + 1 bytes.
 */
void cups_safe_title(char *out, size_t max, const char *title);

/* 1 when name is a plausible user name for a directory: [A-Za-z0-9._-],
 * 1..64 bytes, not starting with '.' or '-'. */
int cups_safe_user(const char *name);

#endif
