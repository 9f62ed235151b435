/*
 * eseal - the configuration file: the keys of a [profile NAME] group, each
 * value checked and converted (files, PKCS#11 URIs, URLs, choices,
 * booleans, pages, rectangles, time zones) into the profile's options.
 */
#include <stdlib.h>
#include <string.h>
#include <glib.h>
#include "eseal_int.h"
#include "config_parse.h"

#define CONFIG_URL_MAX 2048

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
        return eseal__config_perr(p, en->line,
            "%s: invalid escape sequence or not UTF-8", en->key);
    }
    g_strstrip(v);
    if (*v == '\0')
        rc = eseal__config_perr(p, en->line, "%s: empty value", en->key);
    else if ((*out = strdup(v)) == NULL)
        rc = eseal__config_nomem(p);
    g_free(v);
    return rc;
}

/* Same as get_value(); the config owns *out (see config_parse.h). */
int eseal__config_get_string(const char **out, parser *p, const entry *en)
{
    char *v;
    int rc;

    if ((rc = get_value(&v, p, en)) < 0 || (rc = eseal__config_keep(p, v)) < 0)
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
    if ((rc = eseal__config_keep(p, v)) < 0)
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
        return eseal__config_perr(p, en->line, "key: a PIN in the PKCS#11 URI "
            "is refused; use password_file or password_env");
    }
    if ((rc = eseal__config_keep(p, v)) < 0)
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

    if ((rc = eseal__config_get_string(&v, p, en)) < 0)
        return rc;
    for (i = 0; v[i] != '\0'; i++)
        if (i >= 128 || !(g_ascii_isalpha(v[i]) || v[i] == '_' ||
                (i > 0 && g_ascii_isdigit(v[i]))))
            return eseal__config_perr(p, en->line,
                "password_env: '%.32s' is not an environment variable name", v);
    *out = v;
    return 0;
}

static int get_bool(int *out, parser *p, const entry *en)
{
    static const char *const yes[] = { "true", "yes", "on", "1", NULL };
    static const char *const no[] = { "false", "no", "off", "0", NULL };
    const char *v;
    int rc, i;

    if ((rc = eseal__config_get_string(&v, p, en)) < 0)
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
    return eseal__config_perr(p, en->line, "%s: '%.32s' is not true or false",
        en->key, v);
}

/* One of a list of words; *out is its index. */
static int get_choice(int *out, const char **word, parser *p,
    const entry *en, const char *const *choices, const char *hint)
{
    const char *v;
    int rc, i;

    if ((rc = eseal__config_get_string(&v, p, en)) < 0)
        return rc;
    for (i = 0; choices[i] != NULL; i++)
        if (strcmp(v, choices[i]) == 0) {
            *out = i;
            if (word != NULL)
                *word = v;
            return 0;
        }
    return eseal__config_perr(p, en->line, "%s: '%.32s' is not one of %s",
        en->key, v, hint);
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
        return eseal__config_perr(p, en->line,
            "tsa: invalid escape sequence or not UTF-8");
    }
    if ((urls = calloc(ESEAL_CONFIG_MAX_TSA + 1, sizeof(*urls))) == NULL ||
        (rc = eseal__config_keep(p, urls)) < 0) {
        rc = rc < 0 ? rc : eseal__config_nomem(p);
        goto cleanup;
    }
    for (i = 0; i < n; i++) {
        g_strstrip(items[i]);
        if (items[i][0] == '\0')
            continue;
        if (!valid_url(items[i])) {
            rc = eseal__config_perr(p, en->line,
                "tsa: '%.60s' is not an http:// or https:// URL", items[i]);
            goto cleanup;
        }
        if (count == ESEAL_CONFIG_MAX_TSA) {
            rc = eseal__config_perr(p, en->line, "tsa: more than %d URLs",
                ESEAL_CONFIG_MAX_TSA);
            goto cleanup;
        }
        if ((urls[count] = strdup(items[i])) == NULL ||
            (rc = eseal__config_keep(p, urls[count])) < 0) {
            urls[count] = NULL;
            rc = rc < 0 ? rc : eseal__config_nomem(p);
            goto cleanup;
        }
        count++;
    }
    if (count == 0)
        rc = eseal__config_perr(p, en->line, "tsa: no URL");
    else
        *out = (const char *const *)urls;
cleanup:
    g_strfreev(items);
    return rc;
}

/* 1 when v is a whole number from 1 to max, stored in *out. */
static int whole_number(int *out, const char *v, long max)
{
    char *end;
    long n = strtol(v, &end, 10);

    if (!g_ascii_isdigit(v[0]) || *end != '\0' || n < 1 || n > max)
        return 0;
    *out = (int)n;
    return 1;
}

/* visible_page = N: 1 or more, or "last". */
static int get_page(int *out, parser *p, const entry *en)
{
    const char *v;
    int rc;

    if ((rc = eseal__config_get_string(&v, p, en)) < 0)
        return rc;
    if (strcmp(v, "last") == 0) {
        *out = 0;
        return 0;
    }
    if (!whole_number(out, v, 1000000))
        return eseal__config_perr(p, en->line,
            "visible_page: '%.32s' is not a page number (1, 2, ... or last)",
            v);
    return 0;
}

/* timeout = seconds per network request, 1..600. */
static int get_timeout(int *out, parser *p, const entry *en)
{
    const char *v;
    int rc;

    if ((rc = eseal__config_get_string(&v, p, en)) < 0)
        return rc;
    if (!whole_number(out, v, 600))
        return eseal__config_perr(p, en->line,
            "timeout: '%.32s' is not a number of seconds from 1 to 600", v);
    return 0;
}

/* visible_rect = x,y,width,height in points (locale-independent). */
static int get_rect(double out[4], parser *p, const entry *en)
{
    const char *v, *s;
    char *end;
    int rc, i;

    if ((rc = eseal__config_get_string(&v, p, en)) < 0)
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
        return eseal__config_perr(p, en->line, "visible_rect: '%.60s' is not "
            "x,y,width,height in points (e.g. 380,30,180,60)", v);
    return 0;
}

/* timezone = an IANA name ("Asia/Tokyo"), "UTC" or an offset ("+09:00"). */
static int get_timezone(const char **out, parser *p, const entry *en)
{
    GTimeZone *tz;
    const char *v;
    int rc;

    if ((rc = eseal__config_get_string(&v, p, en)) < 0)
        return rc;
    if ((tz = g_time_zone_new_identifier(v)) == NULL)
        return eseal__config_perr(p, en->line, "timezone: unknown time zone "
            "'%.64s' (e.g. Asia/Tokyo, UTC, +09:00)", v);
    g_time_zone_unref(tz);
    *out = v;
    return 0;
}

int eseal__config_read_profile(parser *p, eseal_profile *prof, size_t first,
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
                return eseal__config_perr(p, en->line,
                    "%s and %s (line %u): give one password source", en->key,
                    pass_key, pass_line);
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
                rc = eseal__config_perr(p, en->line, "password: a file that "
                    "holds a password must be private to its owner (chmod 600 "
                    "%s), or use password_file or password_env", p->name);
                break;
            }
            if ((rc = eseal__config_keep_secret(p, p->v[i].secret)) < 0)
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
            rc = eseal__config_get_string(&prof->seal.policy_id, p, en);
            policy_line = en->line;
            break;
        case K_POLICY_HASH:
            rc = eseal__config_get_string(&prof->seal.policy_hash, p, en);
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
            rc = eseal__config_perr(p, en->line, "unknown key '%.40s'",
                en->key);
            break;
        }
    }
    /* the XML settings travel with the seal options too */
    prof->seal.placement = prof->placement;
    prof->seal.c14n = prof->c14n;
    if (rc == 0 &&
        (prof->seal.policy_id == NULL) != (prof->seal.policy_hash == NULL))
        rc = eseal__config_perr(p, policy_line, "policy_id and policy_hash go "
            "together (the signature policy and the base64 SHA-256 of its "
            "document)");
    if (rc == 0 && prof->seal.level != ESEAL_LEVEL_B_B &&
        prof->seal.tsa_urls == NULL)
        rc = eseal__config_perr(p, level_line,
            "level %s needs a timestamp: set tsa", levels[prof->seal.level]);
    return rc;
}
