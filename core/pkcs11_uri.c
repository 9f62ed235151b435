/*
 * eseal - PKCS#11 URIs (RFC 7512): parsing the "pkcs11:" keys of the sealer
 * and describing a token for messages (never with its PIN).
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include "pkcs11.h"

int eseal__p11_is_uri(const char *key)
{
    return key != NULL && strncmp(key, "pkcs11:", 7) == 0;
}

/* Decodes s[0..len) into a new NUL-terminated buffer of *out_len bytes. */
static int pct_decode(unsigned char **out, size_t *out_len, const char *s,
    size_t len, const char *name, eseal_error *err)
{
    unsigned char *buf;
    size_t i, n = 0;
    int hi, lo;

    *out = NULL;
    *out_len = 0;
    buf = OPENSSL_malloc(len + 1);
    if (buf == NULL)
        return eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
    for (i = 0; i < len; i++) {
        if (s[i] != '%') {
            buf[n++] = (unsigned char)s[i];
            continue;
        }
        if (len - i < 3 ||
            (hi = OPENSSL_hexchar2int((unsigned char)s[i + 1])) < 0 ||
            (lo = OPENSSL_hexchar2int((unsigned char)s[i + 2])) < 0) {
            OPENSSL_free(buf);
            return eseal__error_set(err, ESEAL_ECONFIG,
                "pkcs11: URI: attribute '%s': '%%' must be followed by two "
                "hexadecimal digits", name);
        }
        buf[n++] = (unsigned char)(hi * 16 + lo);
        i += 2;
    }
    buf[n] = '\0';
    *out = buf;
    *out_len = n;
    return 0;
}

enum attr_kind { ATTR_STRING, ATTR_ID, ATTR_SLOT_ID };

typedef struct attr_def {
    const char *name;
    int in_query;       /* a query attribute (after '?'), else a path one */
    enum attr_kind kind;
    size_t off;         /* of the char * (or unsigned char *) field */
} attr_def;

#define ATTR(n, q, k, f) { n, q, k, offsetof(eseal_p11_uri, f) }
static const attr_def attr_defs[] = {
    ATTR("token", 0, ATTR_STRING, token),
    ATTR("manufacturer", 0, ATTR_STRING, manufacturer),
    ATTR("serial", 0, ATTR_STRING, serial),
    ATTR("model", 0, ATTR_STRING, model),
    ATTR("library-manufacturer", 0, ATTR_STRING, library_manufacturer),
    ATTR("library-description", 0, ATTR_STRING, library_description),
    ATTR("library-version", 0, ATTR_STRING, library_version),
    ATTR("object", 0, ATTR_STRING, object),
    ATTR("type", 0, ATTR_STRING, type),
    ATTR("id", 0, ATTR_ID, id),
    ATTR("slot-description", 0, ATTR_STRING, slot_description),
    ATTR("slot-manufacturer", 0, ATTR_STRING, slot_manufacturer),
    ATTR("slot-id", 0, ATTR_SLOT_ID, slot_id),
    ATTR("module-path", 1, ATTR_STRING, module_path),
    ATTR("module-name", 1, ATTR_STRING, module_name),
    ATTR("pin-source", 1, ATTR_STRING, pin_source),
};
#undef ATTR

static int set_attr(eseal_p11_uri *u, const attr_def *d, const char *v,
    size_t len, eseal_error *err)
{
    unsigned char *val = NULL;
    size_t n = 0;
    char *end;
    int rc;

    if ((d->kind == ATTR_ID && u->has_id) ||
        (d->kind == ATTR_SLOT_ID && u->has_slot_id) ||
        (d->kind == ATTR_STRING &&
         *(char **)((char *)u + d->off) != NULL))
        return eseal__error_set(err, ESEAL_ECONFIG,
            "pkcs11: URI: attribute '%s' given twice", d->name);
    if ((rc = pct_decode(&val, &n, v, len, d->name, err)) < 0)
        return rc;
    if (n > ESEAL_P11_MAX_VALUE) {
        rc = eseal__error_set(err, ESEAL_ECONFIG, "pkcs11: URI: attribute "
            "'%s' is longer than %d bytes", d->name, ESEAL_P11_MAX_VALUE);
        goto cleanup;
    }
    if (d->kind != ATTR_ID && memchr(val, '\0', n) != NULL) {
        rc = eseal__error_set(err, ESEAL_ECONFIG,
            "pkcs11: URI: attribute '%s' holds a NUL byte", d->name);
        goto cleanup;
    }
    switch (d->kind) {
    case ATTR_ID:
        u->id = val;
        u->id_len = n;
        u->has_id = 1;
        val = NULL;
        break;
    case ATTR_SLOT_ID:
        errno = 0;
        u->slot_id = strtoul((char *)val, &end, 10);
        if (n == 0 || !isdigit(val[0]) || *end != '\0' || errno != 0) {
            rc = eseal__error_set(err, ESEAL_ECONFIG, "pkcs11: URI: "
                "slot-id must be a decimal number");
            goto cleanup;
        }
        u->has_slot_id = 1;
        break;
    case ATTR_STRING:
        *(char **)((char *)u + d->off) = (char *)val;
        val = NULL;
        break;
    }
    rc = 0;
cleanup:
    OPENSSL_free(val);
    return rc;
}

/* Parses the attributes of one part, separated by sep. */
static int parse_part(eseal_p11_uri *u, const char *s, size_t len, char sep,
    int in_query, eseal_error *err)
{
    const char *end = s + len;

    while (s < end) {
        const char *item_end = memchr(s, sep, (size_t)(end - s));
        const char *eq;
        size_t name_len, i;
        const attr_def *d = NULL;
        int rc;

        if (item_end == NULL)
            item_end = end;
        if (item_end == s) { /* empty item: "a=1;;b=2" or a trailing ';' */
            s++;
            continue;
        }
        eq = memchr(s, '=', (size_t)(item_end - s));
        if (eq == NULL)
            return eseal__error_set(err, ESEAL_ECONFIG,
                "pkcs11: URI: every attribute needs a value (name=value)");
        name_len = (size_t)(eq - s);
        if (name_len == 9 && memcmp(s, "pin-value", 9) == 0)
            return eseal__error_set(err, ESEAL_ECONFIG,
                "pkcs11: URI: a PIN in the URI (pin-value) is refused: give "
                "it with --pass-file, --pass-env or the configuration");
        for (i = 0; i < sizeof(attr_defs) / sizeof(attr_defs[0]); i++) {
            if (strlen(attr_defs[i].name) == name_len &&
                memcmp(attr_defs[i].name, s, name_len) == 0) {
                d = &attr_defs[i];
                break;
            }
        }
        if (d == NULL && name_len > 2 && memcmp(s, "x-", 2) == 0) {
            s = item_end + (item_end < end);  /* vendor attribute: ignored */
            continue;
        }
        if (d == NULL || d->in_query != in_query)
            return eseal__error_set(err, ESEAL_ECONFIG,
                "pkcs11: URI: %s attribute '%.*s'", d == NULL ? "unknown" :
                in_query ? "a path attribute in the query:" :
                "a query attribute in the path:",
                (int)(name_len < 64 ? name_len : 64), s);
        if ((rc = set_attr(u, d, eq + 1, (size_t)(item_end - eq - 1),
                 err)) < 0)
            return rc;
        s = item_end + (item_end < end);
    }
    return 0;
}

int eseal__p11_uri_parse(eseal_p11_uri *out, const char *uri,
    eseal_error *err)
{
    const char *path, *q;
    size_t len;
    int rc;

    memset(out, 0, sizeof(*out));
    if (!eseal__p11_is_uri(uri))
        return eseal__error_set(err, ESEAL_EINVAL,
            "not a pkcs11: URI");
    len = strlen(uri);
    if (len > ESEAL_P11_MAX_URI)
        return eseal__error_set(err, ESEAL_ECONFIG,
            "pkcs11: URI: longer than %d characters", ESEAL_P11_MAX_URI);
    path = uri + 7;
    q = strchr(path, '?');
    rc = parse_part(out, path, q ? (size_t)(q - path) : strlen(path), ';',
        0, err);
    if (rc == 0 && q != NULL)
        rc = parse_part(out, q + 1, strlen(q + 1), '&', 1, err);
    if (rc == 0 && out->type != NULL && strcmp(out->type, "private") != 0)
        rc = eseal__error_set(err, ESEAL_ECONFIG, "pkcs11: URI: type=%.32s:"
            " a seal needs a private key (type=private)", out->type);
    if (rc == 0 && out->module_path != NULL && out->module_name != NULL)
        rc = eseal__error_set(err, ESEAL_ECONFIG, "pkcs11: URI: give "
            "module-path or module-name, not both");
    if (rc < 0)
        eseal__p11_uri_clear(out);
    return rc;
}

void eseal__p11_uri_clear(eseal_p11_uri *u)
{
    size_t i;

    for (i = 0; i < sizeof(attr_defs) / sizeof(attr_defs[0]); i++)
        if (attr_defs[i].kind == ATTR_STRING)
            OPENSSL_free(*(char **)((char *)u + attr_defs[i].off));
    OPENSSL_free(u->id);
    memset(u, 0, sizeof(*u));
}

void eseal__p11_uri_describe(char *out, size_t size, const eseal_p11_uri *u)
{
    size_t n = 0, i;

    if (size == 0)
        return;
    out[0] = '\0';
    if (u->token != NULL)
        n += (size_t)snprintf(out + n, size - n, "token \"%.64s\"", u->token);
    if (n < size && u->object != NULL)
        n += (size_t)snprintf(out + n, size - n, "%sobject \"%.64s\"",
            n ? ", " : "", u->object);
    if (n < size && u->has_id) {
        n += (size_t)snprintf(out + n, size - n, "%sid ", n ? ", " : "");
        for (i = 0; i < u->id_len && i < 20 && n < size; i++)
            n += (size_t)snprintf(out + n, size - n, "%02x", u->id[i]);
    }
    if (n == 0)
        snprintf(out, size, "any token");
}
