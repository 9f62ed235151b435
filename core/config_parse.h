/*
 * eseal - the configuration parser's state, shared by core/config.c (the
 * file, its lines and groups, the public API) and core/config_profile.c
 * (the keys of a [profile NAME] group and their values).
 */
#ifndef ESEAL_CONFIG_PARSE_H
#define ESEAL_CONFIG_PARSE_H

#include <glib.h>
#include "config_int.h"

struct eseal_config {
    char *name;              /* the file, for messages */
    eseal_profile *profiles;
    size_t n_profiles;
    const char **names;      /* NULL-terminated, borrowed from profiles */
    const char *default_profile;
    unsigned int default_line;
    char **assurance;        /* "OID=level", NULL-terminated; NULL: none */
    size_t n_assurance;
    void **owned;            /* strings and arrays the profiles point to */
    size_t n_owned, cap_owned;
    char **secrets;          /* passwords: wiped, then freed */
    size_t n_secrets, cap_secrets;
};

/* A line that opens a group or sets a key, as the scanner saw it. */
typedef struct entry {
    char *group;             /* group header: the name inside [] */
    char *key;               /* key line: the key; NULL for a header */
    char *secret;            /* the value of a `password` key */
    unsigned int line;
} entry;

typedef struct parser {
    eseal_config *cfg;
    const char *name;
    const char *base_dir;
    int secrets_ok;
    GKeyFile *kf;
    entry *v;
    size_t n, cap;
    const char *group;       /* the group being read, for messages */
    eseal_error *err;
} parser;

/* "FILE:LINE: [group] problem"; returns ESEAL_ECONFIG. */
int eseal__config_perr(parser *p, unsigned int line, const char *fmt, ...)
    ESEAL_PRINTF(3, 4);
/* "FILE: out of memory"; returns ESEAL_ENOMEM. */
int eseal__config_nomem(parser *p);
/* Hands ptr to the config, which frees it; frees it at once on failure. */
int eseal__config_keep(parser *p, void *ptr);
/* Hands a password to the config, which wipes and frees it. */
int eseal__config_keep_secret(parser *p, char *secret);

/*
 * The value of a key, unescaped, without surrounding spaces; never empty.
 * The config owns *out (config_profile.c).
 */
int eseal__config_get_string(const char **out, parser *p, const entry *en);
/*
 * The settings of one [profile NAME] group: entries v[first..last)
 * (config_profile.c).
 */
int eseal__config_read_profile(parser *p, eseal_profile *prof, size_t first,
    size_t last);

#endif
