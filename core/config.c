/*
 * eseal - the configuration file: named profiles in GKeyFile syntax.
 * Here: reading the file, its lines (groups, keys, duplicates, passwords),
 * the [eseal] and [assurance] groups and the public API; the keys of a
 * [profile NAME] group are read in config_profile.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib.h>
#include "eseal_int.h"
#include "config_parse.h"

#define CONFIG_MAX_LINES 65536  /* groups and keys, not comments */
#define CONFIG_NAME_MAX 64      /* profile names */
#define CONFIG_OID_MAX 128
#define CONFIG_LEVEL_MAX 32

/* ---- messages and ownership ------------------------------------------- */

int eseal__config_perr(parser *p, unsigned int line, const char *fmt, ...)
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

int eseal__config_nomem(parser *p)
{
    return eseal__error_set(p->err, ESEAL_ENOMEM, "%s: out of memory",
        p->name);
}

int eseal__config_keep(parser *p, void *ptr)
{
    eseal_config *c = p->cfg;

    if (ptr == NULL)
        return eseal__config_nomem(p);
    if (c->n_owned == c->cap_owned) {
        size_t cap = c->cap_owned ? c->cap_owned * 2 : 32;
        void **grown = realloc(c->owned, cap * sizeof(*grown));

        if (grown == NULL) {
            free(ptr);
            return eseal__config_nomem(p);
        }
        c->owned = grown;
        c->cap_owned = cap;
    }
    c->owned[c->n_owned++] = ptr;
    return 0;
}

int eseal__config_keep_secret(parser *p, char *secret)
{
    eseal_config *c = p->cfg;

    if (c->n_secrets == c->cap_secrets) {
        size_t cap = c->cap_secrets ? c->cap_secrets * 2 : 4;
        char **grown = realloc(c->secrets, cap * sizeof(*grown));

        if (grown == NULL)
            return eseal__config_nomem(p);
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
            return eseal__config_nomem(p);
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
        return eseal__config_perr(p, lineno,
            "not a [group], a key = value line or a # comment");
    while (k > s && is_space(k[-1]))
        k--;
    if (k == s)
        return eseal__config_perr(p, lineno, "no key before '='");
    if (group == NULL)
        return eseal__config_perr(p, lineno, "key outside a [group]");
    if ((rc = add_entry(p, &en)) < 0)
        return rc;
    en->line = lineno;
    if ((en->key = eseal__strndup(s, (size_t)(k - s))) == NULL)
        return eseal__config_nomem(p);
    first = g_hash_table_lookup(keys, en->key);
    if (first != NULL)
        return eseal__config_perr(p, lineno,
            "'%.40s' set twice (first on line %u)", en->key,
            GPOINTER_TO_UINT(first));
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
        return eseal__config_nomem(p);
    if (rc < 0)
        return eseal__config_perr(p, lineno, "password: invalid escape "
            "sequence (\\s \\t \\n \\r \\\\ are known)");
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
            rc = eseal__config_perr(p, lineno, "not a valid [group] line");
            continue;
        }
        if ((rc = add_entry(p, &en)) < 0)
            continue;
        en->line = lineno;
        if ((en->group = eseal__strndup(s + 1, (size_t)(e - s - 2))) ==
            NULL) {
            rc = eseal__config_nomem(p);
            continue;
        }
        group = en->group;
        p->group = group;
        if (g_hash_table_contains(groups, group)) {
            rc = eseal__config_perr(p, lineno,
                "group appears twice (first on line %u)",
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

/* ---- groups -------------------------------------------------------------- */

static int valid_profile_name(const char *s)
{
    size_t n = 0;

    for (; *s != '\0'; s++, n++)
        if (!g_ascii_isalnum(*s) && *s != '-' && *s != '_' && *s != '.')
            return 0;
    return n > 0 && n <= CONFIG_NAME_MAX;
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
        return eseal__config_nomem(p);
    for (i = first; i < last; i++) {
        const entry *en = &p->v[i];
        const char *s, *level;
        char *pair;

        if (!valid_oid(en->key))
            return eseal__config_perr(p, en->line, "'%.40s' is not a policy "
                "OID (dotted numbers such as 1.2.392.1)", en->key);
        if ((rc = eseal__config_get_string(&level, p, en)) < 0)
            return rc;
        for (s = level; *s != '\0'; s++)
            if (!g_ascii_isalnum(*s) && strchr(" ._-", *s) == NULL)
                break;
        if (*s != '\0' || strlen(level) > CONFIG_LEVEL_MAX)
            return eseal__config_perr(p, en->line, "%.40s: a level is up to %d "
                "letters, digits, spaces, '.', '_' or '-'", en->key,
                CONFIG_LEVEL_MAX);
        if (c->n_assurance == ESEAL_CONFIG_MAX_ASSURANCE)
            return eseal__config_perr(p, en->line, "more than %d policies",
                ESEAL_CONFIG_MAX_ASSURANCE);
        pair = g_strdup_printf("%s=%s", en->key, level);
        rc = pair == NULL ? ESEAL_ENOMEM :
            eseal__strlist_add(&c->assurance, &c->n_assurance, pair);
        g_free(pair);
        if (rc < 0)
            return eseal__config_nomem(p);
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
            return eseal__config_perr(p, en->line, "unknown key '%.40s'",
                en->key);
        if ((rc = eseal__config_get_string(&v, p, en)) < 0)
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
        return eseal__config_nomem(p);

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
                rc = eseal__config_perr(p, p->v[i].line, "a profile name is 1 "
                    "to %d letters, digits, '-', '_' or '.'", CONFIG_NAME_MAX);
                break;
            }
            prof->name = name;
            c->names[c->n_profiles++] = name;
            rc = eseal__config_read_profile(p, prof, i + 1, last);
        } else {
            rc = eseal__config_perr(p, p->v[i].line, "unknown group (expected "
                "[eseal], [profile NAME] or [assurance])");
        }
    }
    p->group = NULL;
    if (rc == 0 && c->default_profile != NULL) {
        for (i = 0; i < c->n_profiles; i++)
            if (strcmp(c->names[i], c->default_profile) == 0)
                break;
        if (i == c->n_profiles)
            rc = eseal__config_perr(p, c->default_line,
                "[eseal] default_profile: no [profile %.40s]",
                c->default_profile);
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
        rc = eseal__config_nomem(&p);
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
                eseal__config_keep(&p, p.v[i].group) < 0) && rc == 0)
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
    if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) < 0)
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
