/* eseal - the configuration file: named profiles in GKeyFile syntax. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib.h>
#include "eseal_int.h"
#include "config_int.h"

#define CONFIG_MAX_LINES 65536  /* groups and keys, not comments */
#define CONFIG_NAME_MAX 64      /* profile names */
#define CONFIG_URL_MAX 2048
#define CONFIG_OID_MAX 128
#define CONFIG_LEVEL_MAX 32

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

enum pkey {
    K_KEY, K_CERTIFICATE, K_CHAIN, K_PASSWORD_FILE, K_PASSWORD_ENV,
    K_PASSWORD, K_DIGEST, K_RSA_PSS, K_LEVEL, K_TSA, K_FORMAT, K_PLACEMENT,
    K_C14N, K_CERTIFY, K_SELF_CHECK, K_TRUST, K_OFFLINE, K_AUDIT,
    K_SIGNING_CERT, K_POLICY_ID, K_POLICY_HASH, K_VISIBLE, K_VISIBLE_PAGE,
    K_VISIBLE_RECT, K_VISIBLE_IMAGE, K_VISIBLE_FONT, K_TIMEZONE,
    K_TSA_AUTH_FILE, K_TIMEOUT, K_COUNT
};

static const char *const profile_keys[K_COUNT] = {
    "key", "certificate", "chain", "password_file", "password_env",
    "password", "digest", "rsa_pss", "level", "tsa", "format", "placement",
    "c14n", "certify", "self_check", "trust", "offline", "audit",
    "signing_certificate", "policy_id", "policy_hash", "visible",
    "visible_page", "visible_rect", "visible_image", "visible_font",
    "timezone", "tsa_auth_file", "timeout"
};

/* ---- messages and ownership ------------------------------------------- */

static int perr(parser *p, unsigned int line, const char *fmt, ...)
    ESEAL_PRINTF(3, 4);

/* "FILE:LINE: [group] problem" */
static int perr(parser *p, unsigned int line, const char *fmt, ...)
{
    char what[200];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    if (p->group != NULL)
        return eseal__error_set(p->err, ESEAL_ECONFIG, "%s:%u: [%.64s] %s",
            p->name, line, p->group, what);
    return eseal__error_set(p->err, ESEAL_ECONFIG, "%s:%u: %s", p->name,
        line, what);
}

static int nomem(parser *p)
{
    return eseal__error_set(p->err, ESEAL_ENOMEM, "%s: out of memory",
        p->name);
}

/* Hands ptr to the config, which frees it; frees it at once on failure. */
static int keep(parser *p, void *ptr)
{
    eseal_config *c = p->cfg;

    if (ptr == NULL)
        return nomem(p);
    if (c->n_owned == c->cap_owned) {
        size_t cap = c->cap_owned ? c->cap_owned * 2 : 32;
        void **grown = realloc(c->owned, cap * sizeof(*grown));

        if (grown == NULL) {
            free(ptr);
            return nomem(p);
        }
        c->owned = grown;
        c->cap_owned = cap;
    }
    c->owned[c->n_owned++] = ptr;
    return 0;
}

static int keep_secret(parser *p, char *secret)
{
    eseal_config *c = p->cfg;

    if (c->n_secrets == c->cap_secrets) {
        size_t cap = c->cap_secrets ? c->cap_secrets * 2 : 4;
        char **grown = realloc(c->secrets, cap * sizeof(*grown));

        if (grown == NULL)
            return nomem(p);
        c->secrets = grown;
        c->cap_secrets = cap;
    }
    c->secrets[c->n_secrets++] = secret;
    return 0;
}

/* ---- the scanner: line numbers, duplicates, passwords ---------------- */

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\f' || c == '\v' || c == '\r';
}

/*
 * A password value, unescaped as GKeyFile would (\s \t \n \r \\).  The
 * scanner reads it itself, so that GKeyFile never holds the secret.
 */
static int unescape_secret(char **out, const char *s, size_t len)
{
    char *d = malloc(len + 1);
    size_t i, n = 0;

    *out = NULL;
    if (d == NULL)
        return ESEAL_ENOMEM;
    for (i = 0; i < len; i++) {
        char c = s[i];

        if (c == '\\') {
            if (++i == len)
                goto bad;
            switch (s[i]) {
            case 's': c = ' '; break;
            case 't': c = '\t'; break;
            case 'n': c = '\n'; break;
            case 'r': c = '\r'; break;
            case '\\': c = '\\'; break;
            default: goto bad;
            }
        }
        d[n++] = c;
    }
    d[n] = '\0';
    *out = d;
    return 0;
bad:
    eseal__wipe(d, len + 1);
    free(d);
    return ESEAL_ECONFIG;
}

static int add_entry(parser *p, entry **out)
{
    if (p->n == CONFIG_MAX_LINES)
        return eseal__error_set(p->err, ESEAL_ECONFIG,
            "%s: more than %d groups and keys", p->name, CONFIG_MAX_LINES);
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 64;
        entry *grown = realloc(p->v, cap * sizeof(*grown));

        if (grown == NULL)
            return nomem(p);
        p->v = grown;
        p->cap = cap;
    }
    *out = &p->v[p->n++];
    memset(*out, 0, sizeof(**out));
    return 0;
}

/* A key line: records it, catches duplicates, takes a password out. */
static int scan_key(parser *p, char *s, char *e, const char *group,
    unsigned int lineno, GHashTable *keys)
{
    char *eq = memchr(s, '=', (size_t)(e - s)), *k = eq, *vs, *ve;
    entry *en;
    gpointer first;
    int rc;

    if (eq == NULL)
        return perr(p, lineno,
            "not a [group], a key = value line or a # comment");
    while (k > s && is_space(k[-1]))
        k--;
    if (k == s)
        return perr(p, lineno, "no key before '='");
    if (group == NULL)
        return perr(p, lineno, "key outside a [group]");
    if ((rc = add_entry(p, &en)) < 0)
        return rc;
    en->line = lineno;
    if ((en->key = eseal__strndup(s, (size_t)(k - s))) == NULL)
        return nomem(p);
    first = g_hash_table_lookup(keys, en->key);
    if (first != NULL)
        return perr(p, lineno, "'%.40s' set twice (first on line %u)",
            en->key, GPOINTER_TO_UINT(first));
    g_hash_table_insert(keys, en->key, GUINT_TO_POINTER(lineno));
    if (strcmp(en->key, "password") != 0)
        return 0;

    for (vs = eq + 1; vs < e && is_space(*vs); vs++)
        ;
    for (ve = e; ve > vs && is_space(ve[-1]); ve--)
        ;
    rc = unescape_secret(&en->secret, vs, (size_t)(ve - vs));
    memset(eq + 1, '*', (size_t)(e - eq - 1)); /* GKeyFile sees no secret */
    if (rc == ESEAL_ENOMEM)
        return nomem(p);
    if (rc < 0)
        return perr(p, lineno, "password: invalid escape sequence "
            "(\\s \\t \\n \\r \\\\ are known)");
    return 0;
}

/* Walks the lines the way GKeyFile reads them. */
static int scan(parser *p, char *text, size_t len)
{
    GHashTable *groups = g_hash_table_new(g_str_hash, g_str_equal);
    GHashTable *keys = NULL;
    char *line = text, *end = text + len;
    const char *group = NULL;
    unsigned int lineno = 0;
    int rc = 0;

    while (line < end && rc == 0) {
        char *nl = memchr(line, '\n', (size_t)(end - line));
        char *s = line, *e = nl != NULL ? nl : end;
        entry *en;

        lineno++;
        line = nl != NULL ? nl + 1 : end;
        while (s < e && is_space(*s))
            s++;
        while (e > s && is_space(e[-1]))
            e--;
        if (s == e || *s == '#')
            continue;
        if (*s != '[') {
            rc = scan_key(p, s, e, group, lineno, keys);
            continue;
        }
        p->group = NULL;
        if (e[-1] != ']' || e - s < 3 ||
            memchr(s + 1, '[', (size_t)(e - s - 2)) != NULL ||
            memchr(s + 1, ']', (size_t)(e - s - 2)) != NULL) {
            rc = perr(p, lineno, "not a valid [group] line");
            continue;
        }
        if ((rc = add_entry(p, &en)) < 0)
            continue;
        en->line = lineno;
        if ((en->group = eseal__strndup(s + 1, (size_t)(e - s - 2))) ==
            NULL) {
            rc = nomem(p);
            continue;
        }
        group = en->group;
        p->group = group;
        if (g_hash_table_contains(groups, group)) {
            rc = perr(p, lineno, "group appears twice (first on line %u)",
                GPOINTER_TO_UINT(g_hash_table_lookup(groups, group)));
            continue;
        }
        g_hash_table_insert(groups, en->group, GUINT_TO_POINTER(lineno));
        if (keys != NULL)
            g_hash_table_destroy(keys);
        keys = g_hash_table_new(g_str_hash, g_str_equal);
    }
    if (keys != NULL)
        g_hash_table_destroy(keys);
    g_hash_table_destroy(groups);
    p->group = NULL;
    return rc;
}

/* ---- values -------------------------------------------------------------- */

/*
 * The value of a key, unescaped, without surrounding spaces; never empty.
 * The caller frees *out.
 */
static int get_value(char **out, parser *p, const entry *en)
{
    GError *gerr = NULL;
    gchar *v = g_key_file_get_string(p->kf, p->group, en->key, &gerr);
    int rc = 0;

    *out = NULL;
    if (v == NULL || gerr != NULL) { /* a bad escape sets both */
        g_clear_error(&gerr);
        g_free(v);
        return perr(p, en->line, "%s: invalid escape sequence or not UTF-8",
            en->key);
    }
    g_strstrip(v);
    if (*v == '\0')
        rc = perr(p, en->line, "%s: empty value", en->key);
    else if ((*out = strdup(v)) == NULL)
        rc = nomem(p);
    g_free(v);
    return rc;
}

/* Same as get_value(); the config owns *out. */
static int get_string(const char **out, parser *p, const entry *en)
{
    char *v;
    int rc;

    if ((rc = get_value(&v, p, en)) < 0 || (rc = keep(p, v)) < 0)
        return rc;
    *out = v;
    return 0;
}

/* Resolves a file name against the config's directory; takes v. */
static int resolve(const char **out, parser *p, char *v)
{
    char *joined;
    int rc;

    if (p->base_dir != NULL && !g_path_is_absolute(v)) {
        joined = malloc(strlen(p->base_dir) + strlen(v) + 2);
        if (joined != NULL)
            sprintf(joined, "%s/%s", p->base_dir, v);
        free(v);
        v = joined;
    }
    if ((rc = keep(p, v)) < 0)
        return rc;
    *out = v;
    return 0;
}

/* A file name; relative names resolve against the config's directory. */
static int get_path(const char **out, parser *p, const entry *en)
{
    char *v;
    int rc;

    if ((rc = get_value(&v, p, en)) < 0)
        return rc;
    return resolve(out, p, v);
}

/* key = FILE or a PKCS#11 URI (kept as written, without a PIN). */
static int get_key(const char **out, parser *p, const entry *en)
{
    char *v;
    int rc;

    if ((rc = get_value(&v, p, en)) < 0)
        return rc;
    if (g_ascii_strncasecmp(v, "pkcs11:", 7) != 0)
        return resolve(out, p, v);
    if (strstr(v, "pin-value") != NULL) {
        free(v);
        return perr(p, en->line, "key: a PIN in the PKCS#11 URI is "
            "refused; use password_file or password_env");
    }
    if ((rc = keep(p, v)) < 0)
        return rc;
    *out = v;
    return 0;
}

/* password_env = NAME of an environment variable. */
static int get_env_name(const char **out, parser *p, const entry *en)
{
    const char *v;
    size_t i;
    int rc;

    if ((rc = get_string(&v, p, en)) < 0)
        return rc;
    for (i = 0; v[i] != '\0'; i++)
        if (i >= 128 || !(g_ascii_isalpha(v[i]) || v[i] == '_' ||
                (i > 0 && g_ascii_isdigit(v[i]))))
            return perr(p, en->line, "password_env: '%.32s' is not an "
                "environment variable name", v);
    *out = v;
    return 0;
}

static int get_bool(int *out, parser *p, const entry *en)
{
    static const char *const yes[] = { "true", "yes", "on", "1", NULL };
    static const char *const no[] = { "false", "no", "off", "0", NULL };
    const char *v;
    int rc, i;

    if ((rc = get_string(&v, p, en)) < 0)
        return rc;
    for (i = 0; yes[i] != NULL; i++) {
        if (strcmp(v, yes[i]) == 0) {
            *out = 1;
            return 0;
        }
        if (strcmp(v, no[i]) == 0) {
            *out = 0;
            return 0;
        }
    }
    return perr(p, en->line, "%s: '%.32s' is not true or false", en->key, v);
}

/* One of a list of words; *out is its index. */
static int get_choice(int *out, const char **word, parser *p,
    const entry *en, const char *const *choices, const char *hint)
{
    const char *v;
    int rc, i;

    if ((rc = get_string(&v, p, en)) < 0)
        return rc;
    for (i = 0; choices[i] != NULL; i++)
        if (strcmp(v, choices[i]) == 0) {
            *out = i;
            if (word != NULL)
                *word = v;
            return 0;
        }
    return perr(p, en->line, "%s: '%.32s' is not one of %s", en->key, v,
        hint);
}

static int valid_url(const char *s)
{
    const char *host;

    if (strncmp(s, "http://", 7) == 0)
        host = s + 7;
    else if (strncmp(s, "https://", 8) == 0)
        host = s + 8;
    else
        return 0;
    if (*host == '\0' || *host == '/' || strlen(s) > CONFIG_URL_MAX)
        return 0;
    for (; *s != '\0'; s++)
        if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f)
            return 0;
    return 1;
}

/* tsa = URL ; URL ... -> a NULL-terminated array owned by the config. */
static int get_tsa(const char *const **out, parser *p, const entry *en)
{
    GError *gerr = NULL;
    gsize n = 0, i;
    gchar **items = g_key_file_get_string_list(p->kf, p->group, en->key, &n,
        &gerr);
    char **urls = NULL;
    size_t count = 0;
    int rc = 0;

    if (items == NULL || gerr != NULL) {
        g_clear_error(&gerr);
        g_strfreev(items);
        return perr(p, en->line, "tsa: invalid escape sequence or not UTF-8");
    }
    if ((urls = calloc(ESEAL_CONFIG_MAX_TSA + 1, sizeof(*urls))) == NULL ||
        (rc = keep(p, urls)) < 0) {
        rc = rc < 0 ? rc : nomem(p);
        goto cleanup;
    }
    for (i = 0; i < n; i++) {
        g_strstrip(items[i]);
        if (items[i][0] == '\0')
            continue;
        if (!valid_url(items[i])) {
            rc = perr(p, en->line, "tsa: '%.60s' is not an http:// or "
                "https:// URL", items[i]);
            goto cleanup;
        }
        if (count == ESEAL_CONFIG_MAX_TSA) {
            rc = perr(p, en->line, "tsa: more than %d URLs",
                ESEAL_CONFIG_MAX_TSA);
            goto cleanup;
        }
        if ((urls[count] = strdup(items[i])) == NULL ||
            (rc = keep(p, urls[count])) < 0) {
            urls[count] = NULL;
            rc = rc < 0 ? rc : nomem(p);
            goto cleanup;
        }
        count++;
    }
    if (count == 0)
        rc = perr(p, en->line, "tsa: no URL");
    else
        *out = (const char *const *)urls;
cleanup:
    g_strfreev(items);
    return rc;
}

/* visible_page = N: 1 or more, or "last". */
static int get_page(int *out, parser *p, const entry *en)
{
    const char *v;
    char *end;
    long n;
    int rc;

    if ((rc = get_string(&v, p, en)) < 0)
        return rc;
    if (strcmp(v, "last") == 0) {
        *out = 0;
        return 0;
    }
    n = strtol(v, &end, 10);
    if (!g_ascii_isdigit(v[0]) || *end != '\0' || n < 1 || n > 1000000)
        return perr(p, en->line, "visible_page: '%.32s' is not a page "
            "number (1, 2, ... or last)", v);
    *out = (int)n;
    return 0;
}

/* timeout = seconds per network request, 1..600. */
static int get_timeout(int *out, parser *p, const entry *en)
{
    const char *v;
    char *end;
    long n;
    int rc;

    if ((rc = get_string(&v, p, en)) < 0)
        return rc;
    n = strtol(v, &end, 10);
    if (!g_ascii_isdigit(v[0]) || *end != '\0' || n < 1 || n > 600)
        return perr(p, en->line, "timeout: '%.32s' is not a number of "
            "seconds from 1 to 600", v);
    *out = (int)n;
    return 0;
}

/* visible_rect = x,y,width,height in points (locale-independent). */
static int get_rect(double out[4], parser *p, const entry *en)
{
    const char *v, *s;
    char *end;
    int rc, i;

    if ((rc = get_string(&v, p, en)) < 0)
        return rc;
    for (s = v, i = 0; i < 4; i++) {
        while (*s == ' ')
            s++;
        out[i] = g_ascii_strtod(s, &end);
        if (end == s || !(out[i] >= 0 && out[i] <= 100000))
            break;
        for (s = end; *s == ' '; s++)
            ;
        if (i < 3 && *s++ != ',')
            break;
    }
    if (i < 4 || *s != '\0' || out[2] <= 0 || out[3] <= 0)
        return perr(p, en->line, "visible_rect: '%.60s' is not x,y,width,"
            "height in points (e.g. 380,30,180,60)", v);
    return 0;
}

/* timezone = an IANA name ("Asia/Tokyo"), "UTC" or an offset ("+09:00"). */
static int get_timezone(const char **out, parser *p, const entry *en)
{
    GTimeZone *tz;
    const char *v;
    int rc;

    if ((rc = get_string(&v, p, en)) < 0)
        return rc;
    if ((tz = g_time_zone_new_identifier(v)) == NULL)
        return perr(p, en->line, "timezone: unknown time zone '%.64s' "
            "(e.g. Asia/Tokyo, UTC, +09:00)", v);
    g_time_zone_unref(tz);
    *out = v;
    return 0;
}

/* ---- groups -------------------------------------------------------------- */

static int valid_profile_name(const char *s)
{
    size_t n = 0;

    for (; *s != '\0'; s++, n++)
        if (!g_ascii_isalnum(*s) && *s != '-' && *s != '_' && *s != '.')
            return 0;
    return n > 0 && n <= CONFIG_NAME_MAX;
}

/* The settings of one [profile NAME] group: entries v[first..last). */
static int read_profile(parser *p, eseal_profile *prof, size_t first,
    size_t last)
{
    static const char *const digests[] = {
        "sha256", "sha384", "sha512", NULL
    };
    static const eseal_digest digest_values[] = {
        ESEAL_DIGEST_SHA256, ESEAL_DIGEST_SHA384, ESEAL_DIGEST_SHA512
    };
    static const char *const levels[] = {
        "B-B", "B-T", "B-LT", "B-LTA", NULL
    };
    static const eseal_level level_values[] = {
        ESEAL_LEVEL_B_B, ESEAL_LEVEL_B_T, ESEAL_LEVEL_B_LT, ESEAL_LEVEL_B_LTA
    };
    static const char *const formats[] = { "auto", "pdf", "xml", NULL };
    static const eseal_format format_values[] = {
        ESEAL_FORMAT_AUTO, ESEAL_FORMAT_PDF, ESEAL_FORMAT_XML
    };
    static const char *const placements[] = {
        "auto", "enveloped", "ubl", NULL
    };
    static const char *const c14ns[] = { "exc", "c14n", "c14n11", NULL };
    static const char *const signing_certs[] = { "v2", "v1", NULL };
    const eseal_sealer_opts sealer = ESEAL_SEALER_OPTS_INIT;
    const eseal_seal_opts seal = ESEAL_SEAL_OPTS_INIT;
    const eseal_verify_opts verify = ESEAL_VERIFY_OPTS_INIT;
    unsigned int pass_line = 0, level_line = 0, policy_line = 0;
    const char *pass_key = NULL;
    size_t i;
    int rc = 0, k, choice;

    prof->sealer = sealer;
    prof->seal = seal;
    prof->verify = verify;
    prof->verify.assurance_levels = (const char *const *)p->cfg->assurance;
    for (i = first; i < last && rc == 0; i++) {
        const entry *en = &p->v[i];

        for (k = 0; k < K_COUNT; k++)
            if (strcmp(en->key, profile_keys[k]) == 0)
                break;
        if (k == K_PASSWORD_FILE || k == K_PASSWORD_ENV ||
            k == K_PASSWORD) {
            if (pass_key != NULL)
                return perr(p, en->line, "%s and %s (line %u): give one "
                    "password source", en->key, pass_key, pass_line);
            pass_key = en->key;
            pass_line = en->line;
        }
        switch (k) {
        case K_KEY:
            rc = get_key(&prof->sealer.key, p, en);
            break;
        case K_CERTIFICATE:
            rc = get_path(&prof->sealer.cert, p, en);
            break;
        case K_CHAIN:
            rc = get_path(&prof->sealer.chain, p, en);
            break;
        case K_PASSWORD_FILE:
            rc = get_path(&prof->sealer.pass_file, p, en);
            break;
        case K_PASSWORD_ENV:
            rc = get_env_name(&prof->sealer.pass_env, p, en);
            break;
        case K_PASSWORD:
            if (!p->secrets_ok) {
                rc = perr(p, en->line, "password: a file that holds a "
                    "password must be private to its owner (chmod 600 %s), "
                    "or use password_file or password_env", p->name);
                break;
            }
            if ((rc = keep_secret(p, p->v[i].secret)) < 0)
                break;
            prof->sealer.password = p->v[i].secret;
            p->v[i].secret = NULL; /* owned by the config now */
            break;
        case K_DIGEST:
            if ((rc = get_choice(&choice, NULL, p, en, digests,
                    "sha256, sha384, sha512")) == 0)
                prof->sealer.digest = digest_values[choice];
            break;
        case K_RSA_PSS:
            rc = get_bool(&prof->sealer.rsa_pss, p, en);
            break;
        case K_LEVEL:
            if ((rc = get_choice(&choice, NULL, p, en, levels,
                    "B-B, B-T, B-LT, B-LTA")) == 0)
                prof->seal.level = level_values[choice];
            level_line = en->line;
            break;
        case K_TSA:
            rc = get_tsa(&prof->seal.tsa_urls, p, en);
            break;
        case K_FORMAT:
            if ((rc = get_choice(&choice, NULL, p, en, formats,
                    "auto, pdf, xml")) == 0)
                prof->seal.format = format_values[choice];
            break;
        case K_PLACEMENT:
            rc = get_choice(&choice, &prof->placement, p, en, placements,
                "auto, enveloped, ubl");
            break;
        case K_C14N:
            rc = get_choice(&choice, &prof->c14n, p, en, c14ns,
                "exc, c14n, c14n11");
            break;
        case K_CERTIFY:
            rc = get_bool(&prof->seal.certify, p, en);
            break;
        case K_SELF_CHECK:
            rc = get_bool(&prof->seal.self_check, p, en);
            break;
        case K_TRUST:
            rc = get_path(&prof->verify.trust_file, p, en);
            break;
        case K_OFFLINE:
            rc = get_bool(&prof->verify.offline, p, en);
            break;
        case K_AUDIT:
            rc = get_path(&prof->audit, p, en);
            break;
        case K_SIGNING_CERT:
            if ((rc = get_choice(&choice, NULL, p, en, signing_certs,
                    "v2, v1")) == 0)
                prof->seal.signing_certificate_v1 = choice == 1;
            break;
        case K_POLICY_ID:
            rc = get_string(&prof->seal.policy_id, p, en);
            policy_line = en->line;
            break;
        case K_POLICY_HASH:
            rc = get_string(&prof->seal.policy_hash, p, en);
            policy_line = en->line;
            break;
        case K_VISIBLE:
            rc = get_bool(&prof->seal.visible, p, en);
            break;
        case K_VISIBLE_PAGE:
            rc = get_page(&prof->seal.visible_page, p, en);
            break;
        case K_TSA_AUTH_FILE:
            rc = get_path(&prof->seal.tsa_auth_file, p, en);
            break;
        case K_TIMEOUT:
            rc = get_timeout(&prof->seal.net_timeout, p, en);
            if (rc == 0)
                prof->verify.net_timeout = prof->seal.net_timeout;
            break;
        case K_VISIBLE_RECT:
            rc = get_rect(prof->seal.visible_rect, p, en);
            break;
        case K_VISIBLE_IMAGE:
            rc = get_path(&prof->seal.visible_image, p, en);
            break;
        case K_VISIBLE_FONT:
            rc = get_path(&prof->seal.visible_font, p, en);
            break;
        case K_TIMEZONE:
            rc = get_timezone(&prof->seal.timezone, p, en);
            break;
        default:
            rc = perr(p, en->line, "unknown key '%.40s'", en->key);
            break;
        }
    }
    /* the XML settings travel with the seal options too */
    prof->seal.placement = prof->placement;
    prof->seal.c14n = prof->c14n;
    if (rc == 0 &&
        (prof->seal.policy_id == NULL) != (prof->seal.policy_hash == NULL))
        rc = perr(p, policy_line, "policy_id and policy_hash go together (the "
            "signature policy and the base64 SHA-256 of its document)");
    if (rc == 0 && prof->seal.level != ESEAL_LEVEL_B_B &&
        prof->seal.tsa_urls == NULL)
        rc = perr(p, level_line, "level %s needs a timestamp: set tsa",
            levels[prof->seal.level]);
    return rc;
}

/* An OBJECT IDENTIFIER in dotted form: 0.x, 1.x or 2.x, no leading 0s. */
static int valid_oid(const char *s)
{
    size_t arcs = 0, len = strlen(s);
    const char *p = s;

    if (len > CONFIG_OID_MAX || (s[0] < '0' || s[0] > '2') || s[1] != '.')
        return 0;
    while (*p != '\0') {
        const char *start = p;

        while (g_ascii_isdigit(*p))
            p++;
        if (p == start || (*start == '0' && p - start > 1))
            return 0;
        arcs++;
        if (*p == '.' && p[1] != '\0')
            p++;
        else if (*p != '\0')
            return 0;
    }
    return arcs >= 2;
}

/* [assurance]: policy OID = level name. */
static int read_assurance(parser *p, size_t first, size_t last)
{
    eseal_config *c = p->cfg;
    size_t i;
    int rc;

    if ((c->assurance = calloc(1, sizeof(*c->assurance))) == NULL)
        return nomem(p);
    for (i = first; i < last; i++) {
        const entry *en = &p->v[i];
        const char *s, *level;
        char *pair;

        if (!valid_oid(en->key))
            return perr(p, en->line, "'%.40s' is not a policy OID "
                "(dotted numbers such as 1.2.392.1)", en->key);
        if ((rc = get_string(&level, p, en)) < 0)
            return rc;
        for (s = level; *s != '\0'; s++)
            if (!g_ascii_isalnum(*s) && strchr(" ._-", *s) == NULL)
                break;
        if (*s != '\0' || strlen(level) > CONFIG_LEVEL_MAX)
            return perr(p, en->line, "%.40s: a level is up to %d letters, "
                "digits, spaces, '.', '_' or '-'", en->key,
                CONFIG_LEVEL_MAX);
        if (c->n_assurance == ESEAL_CONFIG_MAX_ASSURANCE)
            return perr(p, en->line, "more than %d policies",
                ESEAL_CONFIG_MAX_ASSURANCE);
        pair = g_strdup_printf("%s=%s", en->key, level);
        rc = pair == NULL ? ESEAL_ENOMEM :
            eseal__strlist_add(&c->assurance, &c->n_assurance, pair);
        g_free(pair);
        if (rc < 0)
            return nomem(p);
    }
    return 0;
}

/* [eseal]: settings for the whole file. */
static int read_global(parser *p, size_t first, size_t last)
{
    size_t i;
    int rc;

    for (i = first; i < last; i++) {
        const entry *en = &p->v[i];
        const char *v;

        if (strcmp(en->key, "default_profile") != 0)
            return perr(p, en->line, "unknown key '%.40s'", en->key);
        if ((rc = get_string(&v, p, en)) < 0)
            return rc;
        p->cfg->default_profile = v;
        p->cfg->default_line = en->line;
    }
    return 0;
}

static int read_groups(parser *p)
{
    eseal_config *c = p->cfg;
    size_t i, last, n = 0;
    int rc = 0;

    for (i = 0; i < p->n; i++)
        if (p->v[i].key == NULL && strncmp(p->v[i].group, "profile ", 8) == 0)
            n++;
    if (n > ESEAL_CONFIG_MAX_PROFILES)
        return eseal__error_set(p->err, ESEAL_ECONFIG,
            "%s: more than %d profiles", p->name, ESEAL_CONFIG_MAX_PROFILES);
    c->profiles = calloc(n > 0 ? n : 1, sizeof(*c->profiles));
    c->names = calloc(n + 1, sizeof(*c->names));
    if (c->profiles == NULL || c->names == NULL)
        return nomem(p);

    /* [assurance] first: every profile points to its table */
    for (i = 0; i < p->n && rc == 0; i = last) {
        for (last = i + 1; last < p->n && p->v[last].key != NULL; last++)
            ;
        p->group = p->v[i].group;
        if (strcmp(p->group, "assurance") == 0)
            rc = read_assurance(p, i + 1, last);
    }
    for (i = 0; i < p->n && rc == 0; i = last) {
        const char *name;

        for (last = i + 1; last < p->n && p->v[last].key != NULL; last++)
            ;
        p->group = p->v[i].group;
        if (strcmp(p->group, "eseal") == 0) {
            rc = read_global(p, i + 1, last);
        } else if (strcmp(p->group, "assurance") == 0) {
            continue;
        } else if (strncmp(p->group, "profile ", 8) == 0) {
            eseal_profile *prof = &c->profiles[c->n_profiles];

            name = p->group + 8;
            if (!valid_profile_name(name)) {
                rc = perr(p, p->v[i].line, "a profile name is 1 to %d "
                    "letters, digits, '-', '_' or '.'", CONFIG_NAME_MAX);
                break;
            }
            prof->name = name;
            c->names[c->n_profiles++] = name;
            rc = read_profile(p, prof, i + 1, last);
        } else {
            rc = perr(p, p->v[i].line, "unknown group (expected [eseal], "
                "[profile NAME] or [assurance])");
        }
    }
    p->group = NULL;
    if (rc == 0 && c->default_profile != NULL) {
        for (i = 0; i < c->n_profiles; i++)
            if (strcmp(c->names[i], c->default_profile) == 0)
                break;
        if (i == c->n_profiles)
            rc = perr(p, c->default_line, "[eseal] default_profile: no "
                "[profile %.40s]", c->default_profile);
    }
    return rc;
}

/* ---- public API ---------------------------------------------------------- */

int eseal__config_load_buffer(eseal_config **out, const char *data,
    size_t len, const char *name, const char *base_dir, int secrets_ok,
    eseal_error *err)
{
    parser p;
    GError *gerr = NULL;
    char *text = NULL;
    size_t i;
    int rc = 0;

    memset(&p, 0, sizeof(p));
    p.name = name != NULL ? name : "(config)";
    p.base_dir = base_dir;
    p.secrets_ok = secrets_ok;
    p.err = err;
    *out = NULL;
    if (data == NULL)
        len = 0;
    if (len > ESEAL_CONFIG_MAX_SIZE)
        return eseal__error_set(err, ESEAL_ECONFIG,
            "%s: larger than %d bytes", p.name, ESEAL_CONFIG_MAX_SIZE);
    if (len > 0 && memchr(data, '\0', len) != NULL)
        return eseal__error_set(err, ESEAL_ECONFIG,
            "%s: holds a NUL byte: not a text file", p.name);
    if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0) {
        data += 3; /* a UTF-8 byte order mark */
        len -= 3;
    }
    if ((p.cfg = calloc(1, sizeof(*p.cfg))) == NULL ||
        (p.cfg->name = strdup(p.name)) == NULL ||
        (text = eseal__strndup(len > 0 ? data : "", len)) == NULL) {
        rc = nomem(&p);
        goto cleanup;
    }
    p.name = p.cfg->name;
    if ((rc = scan(&p, text, len)) < 0)
        goto cleanup;
    p.kf = g_key_file_new();
    g_key_file_set_list_separator(p.kf, ';');
    if (p.n > 0 &&
        !g_key_file_load_from_data(p.kf, text, len, G_KEY_FILE_NONE, &gerr)) {
        rc = eseal__error_set(err, ESEAL_ECONFIG, "%s: %s", p.name,
            gerr->message);
        goto cleanup;
    }
    rc = read_groups(&p);
cleanup:
    g_clear_error(&gerr);
    if (p.kf != NULL)
        g_key_file_free(p.kf);
    for (i = 0; i < p.n; i++) {
        if (p.v[i].secret != NULL) {
            eseal__wipe(p.v[i].secret, strlen(p.v[i].secret));
            free(p.v[i].secret);
        }
        free(p.v[i].key);
        /* group names stay: profiles point to them */
        if (p.v[i].group != NULL && (p.cfg == NULL ||
                keep(&p, p.v[i].group) < 0) && rc == 0)
            rc = ESEAL_ENOMEM;
    }
    free(p.v);
    if (text != NULL) {
        eseal__wipe(text, len);
        free(text);
    }
    if (rc < 0) {
        eseal_config_free(p.cfg);
        return rc;
    }
    *out = p.cfg;
    return 0;
}

/* The absolute directory of path. */
static char *dir_of(const char *path)
{
    gchar *dir = g_path_get_dirname(path), *abs;
    char *copy;

    if (g_path_is_absolute(dir)) {
        abs = dir;
    } else {
        gchar *cwd = g_get_current_dir();

        abs = strcmp(dir, ".") == 0 ? g_strdup(cwd) :
            g_build_filename(cwd, dir, NULL);
        g_free(cwd);
        g_free(dir);
    }
    copy = eseal__strdup(abs);
    g_free(abs);
    return copy;
}

int eseal_config_load(eseal_config **out, const char *path, eseal_error *err)
{
    struct stat st;
    unsigned char *buf = NULL;
    char *dir = NULL;
    size_t len = 0;
    int fd, rc = 0;

    *out = NULL;
    if (path == NULL)
        path = ESEAL_DEFAULT_CONFIG;
    if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0)
        return eseal__error_set(err, ESEAL_EIO, "%s: cannot open: %s", path,
            strerror(errno));
    if (fstat(fd, &st) < 0) {
        rc = eseal__error_set(err, ESEAL_EIO, "%s: %s", path,
            strerror(errno));
        goto cleanup;
    }
    if (!S_ISREG(st.st_mode)) {
        rc = eseal__error_set(err, ESEAL_ECONFIG, "%s: not a regular file",
            path);
        goto cleanup;
    }
    /* like ssh: a config that others can change is not to be trusted */
    if (st.st_uid != geteuid() && st.st_uid != 0) {
        rc = eseal__error_set(err, ESEAL_ECONFIG,
            "%s: owned by uid %u, neither you nor root", path,
            (unsigned int)st.st_uid);
        goto cleanup;
    }
    if (st.st_mode & (S_IWGRP | S_IWOTH)) {
        rc = eseal__error_set(err, ESEAL_ECONFIG,
            "%s: writable by group or others (mode %03o): chmod go-w %s",
            path, (unsigned int)(st.st_mode & 0777), path);
        goto cleanup;
    }
    if (st.st_size > ESEAL_CONFIG_MAX_SIZE) {
        rc = eseal__error_set(err, ESEAL_ECONFIG, "%s: larger than %d bytes",
            path, ESEAL_CONFIG_MAX_SIZE);
        goto cleanup;
    }
    /* a file that grows while read is refused */
    if ((rc = eseal__read_fd(&buf, &len, fd, (size_t)st.st_size, path,
             err)) < 0) {
        if (rc == ESEAL_ELIMIT)
            rc = eseal__error_set(err, ESEAL_EIO, "%s: changed while read",
                path);
        goto cleanup;
    }
    if ((dir = dir_of(path)) == NULL) {
        rc = eseal__error_set(err, ESEAL_ENOMEM, "%s: out of memory", path);
        goto cleanup;
    }
    rc = eseal__config_load_buffer(out, (const char *)buf, len, path, dir,
        (st.st_mode & (S_IRWXG | S_IRWXO)) == 0, err);
cleanup:
    close(fd);
    if (buf != NULL) {
        eseal__wipe(buf, len);
        free(buf);
    }
    free(dir);
    return rc;
}

void eseal_config_free(eseal_config *config)
{
    size_t i;

    if (config == NULL)
        return;
    for (i = 0; i < config->n_secrets; i++) {
        eseal__wipe(config->secrets[i], strlen(config->secrets[i]));
        free(config->secrets[i]);
    }
    free(config->secrets);
    for (i = 0; i < config->n_owned; i++)
        free(config->owned[i]);
    free(config->owned);
    eseal__strlist_free(config->assurance, config->n_assurance);
    free(config->profiles);
    free(config->names);
    free(config->name);
    free(config);
}

static void list_names(char *out, size_t size, const eseal_config *config)
{
    size_t i, used = 0;

    out[0] = '\0';
    for (i = 0; i < config->n_profiles && used < size; i++)
        used += (size_t)snprintf(out + used, size - used, "%s%s",
            i > 0 ? ", " : "", config->names[i]);
}

int eseal_config_profile(const eseal_profile **out,
    const eseal_config *config, const char *name, eseal_error *err)
{
    char names[160];
    size_t i;

    *out = NULL;
    if (config == NULL)
        return eseal__error_set(err, ESEAL_EINVAL, "no configuration");
    if (name == NULL)
        name = config->default_profile;
    if (name == NULL) {
        for (i = 0; i < config->n_profiles; i++)
            if (strcmp(config->names[i], "default") == 0)
                name = "default";
    }
    if (name == NULL && config->n_profiles == 1)
        name = config->names[0];
    if (name == NULL && config->n_profiles == 0)
        return eseal__error_set(err, ESEAL_ECONFIG,
            "%s: defines no [profile NAME]", config->name);
    list_names(names, sizeof(names), config);
    if (name == NULL)
        return eseal__error_set(err, ESEAL_ECONFIG, "%s: several profiles "
            "(%s) and no default_profile in [eseal]: choose one",
            config->name, names);
    for (i = 0; i < config->n_profiles; i++)
        if (strcmp(config->profiles[i].name, name) == 0) {
            *out = &config->profiles[i];
            return 0;
        }
    return eseal__error_set(err, ESEAL_ECONFIG, "%s: no profile '%.64s' "
        "(profiles: %s)", config->name, name, names[0] ? names : "none");
}

const char *const *eseal_config_profile_names(const eseal_config *config)
{
    static const char *const none[] = { NULL };

    return config != NULL ? (const char *const *)config->names : none;
}

const char *const *eseal_config_assurance_levels(const eseal_config *config)
{
    return config != NULL ? (const char *const *)config->assurance : NULL;
}
