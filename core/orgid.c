/*
 * eseal - organization identifiers (X.520 organizationIdentifier) as ETSI
 * EN 319 412-1 5.1.4 shapes them, with the check rules we know: Japanese
 * Corporate Numbers and ISO 17442 LEIs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "orgid.h"

static int is_digit(char c) { return c >= '0' && c <= '9'; }
static int is_upper(char c) { return c >= 'A' && c <= 'Z'; }

static int all_digits(const char *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (!is_digit(s[i]))
            return 0;
    return s[n] == '\0';
}

int eseal__corporate_number_check_digit(const char *base12)
{
    int sum = 0, n;

    if (base12 == NULL || !all_digits(base12, 12))
        return -1;
    /* n counts the base digits from the right: weight 1 odd, 2 even */
    for (n = 1; n <= 12; n++)
        sum += (base12[12 - n] - '0') * ((n % 2) ? 1 : 2);
    return 9 - sum % 9;
}

int eseal_corporate_number_valid(const char *digits)
{
    if (digits == NULL || !all_digits(digits, 13))
        return 0;
    return eseal__corporate_number_check_digit(digits + 1) ==
           digits[0] - '0';
}

int eseal__mod97(const char *s)
{
    int rem = 0;

    if (s == NULL || *s == '\0')
        return -1;
    for (; *s; s++) {
        if (is_digit(*s))
            rem = (rem * 10 + (*s - '0')) % 97;
        else if (is_upper(*s))
            rem = (rem * 100 + (*s - 'A' + 10)) % 97;
        else
            return -1;
    }
    return rem;
}

int eseal_lei_valid(const char *lei)
{
    size_t i;

    if (lei == NULL || strlen(lei) != 20)
        return 0;
    for (i = 0; i < 18; i++)
        if (!is_digit(lei[i]) && !is_upper(lei[i]))
            return 0;
    if (!is_digit(lei[18]) || !is_digit(lei[19]))
        return 0;
    return eseal__mod97(lei) == 1;
}

const char *eseal_id_check_name(eseal_id_check check)
{
    switch (check) {
    case ESEAL_ID_VALID: return "valid";
    case ESEAL_ID_INVALID: return "invalid";
    default: return "not_checkable";
    }
}

static void result(eseal_org_id *id, eseal_id_check check, const char *fmt,
    ...) ESEAL_PRINTF(3, 4);

static void result(eseal_org_id *id, eseal_id_check check, const char *fmt,
    ...)
{
    va_list ap;

    id->check = check;
    va_start(ap, fmt);
    vsnprintf(id->reason, sizeof(id->reason), fmt, ap);
    va_end(ap);
}

/* NTRJP- and GOVJP-: a 13-digit Corporate Number. */
static void check_corporate_number(eseal_org_id *id, const char *what)
{
    const char *num = id->number;
    int expect;

    if (!all_digits(num, 13)) {
        result(id, ESEAL_ID_INVALID,
            "a Japanese Corporate Number has 13 digits");
        return;
    }
    expect = eseal__corporate_number_check_digit(num + 1);
    if (expect == num[0] - '0')
        result(id, ESEAL_ID_VALID, "%s: check digit %c is right", what,
            num[0]);
    else
        result(id, ESEAL_ID_INVALID,
            "%s: check digit is %c, the other 12 digits give %d", what,
            num[0], expect);
}

static void check_lei(eseal_org_id *id)
{
    const char *num = id->number;
    size_t i, len = strlen(num);

    if (strcmp(id->country, "XG") != 0) {
        result(id, ESEAL_ID_INVALID,
            "LEI identifiers use the country code XG, not %s", id->country);
        return;
    }
    if (len != 20) {
        result(id, ESEAL_ID_INVALID, "an LEI has 20 characters, not %zu",
            len);
        return;
    }
    for (i = 0; i < 20; i++) {
        if (!is_digit(num[i]) && !is_upper(num[i])) {
            result(id, ESEAL_ID_INVALID,
                "an LEI holds only digits and upper-case letters");
            return;
        }
    }
    if (!is_digit(num[18]) || !is_digit(num[19])) {
        result(id, ESEAL_ID_INVALID, "an LEI ends with two check digits");
        return;
    }
    if (eseal__mod97(num) == 1)
        result(id, ESEAL_ID_VALID, "LEI: ISO 7064 MOD 97-10 check holds");
    else
        result(id, ESEAL_ID_INVALID,
            "LEI: ISO 7064 MOD 97-10 check fails (remainder %d, not 1)",
            eseal__mod97(num));
}

/* PSD: "PSDXX-" NCA identifier (2-8 capitals) "-" PSP identifier
 * (ETSI TS 119 495 5.2.1). */
static void check_psd(eseal_org_id *id)
{
    const char *num = id->number, *dash = strchr(num, '-');
    size_t i, nca;

    nca = dash != NULL ? (size_t)(dash - num) : 0;
    for (i = 0; i < nca; i++)
        if (!is_upper(num[i]))
            nca = 0;
    if (nca < 2 || nca > 8 || dash[1] == '\0') {
        result(id, ESEAL_ID_INVALID, "a PSD2 identifier is the authority "
            "identifier (2-8 capitals), '-' and the authorization number");
        return;
    }
    result(id, ESEAL_ID_NOT_CHECKABLE,
        "PSD2 authorization number: no check digit rule");
}

static void check_scheme(eseal_org_id *id)
{
    const char *s = id->scheme, *c = id->country;

    if (id->private_scheme) {
        if (strcmp(c, "JP") == 0 && (strcmp(s, "TD") == 0 ||
            strcmp(s, "JI") == 0 || strcmp(s, "TS") == 0))
            result(id, ESEAL_ID_NOT_CHECKABLE, "private scheme %s of the "
                "Japanese e-Seal guidelines: no check rule known", s);
        else
            result(id, ESEAL_ID_NOT_CHECKABLE,
                "private scheme %s (%s): no check rule known", s, c);
        return;
    }
    if (strcmp(s, "NTR") == 0 && strcmp(c, "JP") == 0)
        check_corporate_number(id, "Corporate Number");
    else if (strcmp(s, "GOV") == 0 && strcmp(c, "JP") == 0 &&
             strlen(id->number) == 13 && all_digits(id->number, 13))
        check_corporate_number(id, "government body's Corporate Number");
    else if (strcmp(s, "GOV") == 0)
        result(id, ESEAL_ID_NOT_CHECKABLE,
            "government body identifier (%s): no check rule known", c);
    else if (strcmp(s, "LEI") == 0)
        check_lei(id);
    else if (strcmp(s, "NTR") == 0)
        result(id, ESEAL_ID_NOT_CHECKABLE,
            "national trade register number (%s): no check rule known", c);
    else if (strcmp(s, "VAT") == 0)
        result(id, ESEAL_ID_NOT_CHECKABLE,
            "VAT number (%s): check rules differ by country", c);
    else if (strcmp(s, "PSD") == 0)
        check_psd(id);
    else
        result(id, ESEAL_ID_NOT_CHECKABLE, "unknown scheme %s", s);
}

/* Splits "SSSCC-number" or "XX:CC-number" into id; 0 when not that form. */
static int split(eseal_org_id *id, const char *v, eseal_error *err)
{
    size_t slen;

    if (is_upper(v[0]) && is_upper(v[1]) && is_upper(v[2]) &&
        is_upper(v[3]) && is_upper(v[4]) && v[5] == '-') {
        slen = 3;
    } else if ((is_upper(v[0]) || is_digit(v[0])) &&
               (is_upper(v[1]) || is_digit(v[1])) && v[2] == ':' &&
               is_upper(v[3]) && is_upper(v[4]) && v[5] == '-') {
        slen = 2;
        id->private_scheme = 1;
    } else {
        return 0;
    }
    /* the checks above stop at the terminating NUL, so v has >= 6 bytes */
    memcpy(id->scheme, v, slen);
    id->scheme[slen] = '\0';
    memcpy(id->country, v + 3, 2);
    id->country[2] = '\0';
    id->number = eseal__strdup(v + 6);
    if (id->number == NULL)
        return eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
    return 1;
}

int eseal_org_id_parse(eseal_org_id *out, const char *value,
    eseal_error *err)
{
    size_t len, i;
    int rc;

    if (out == NULL || value == NULL)
        return eseal__error_set(err, ESEAL_EINVAL,
            "organization identifier: NULL argument");
    memset(out, 0, sizeof(*out));
    len = strnlen(value, ESEAL_ORG_ID_MAX + 1);
    if (len > ESEAL_ORG_ID_MAX)
        out->value = eseal__strndup(value, ESEAL_ORG_ID_MAX);
    else
        out->value = eseal__strdup(value);
    if (out->value == NULL)
        return eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
    if (len == 0) {
        result(out, ESEAL_ID_INVALID, "empty identifier");
        return 0;
    }
    if (len > ESEAL_ORG_ID_MAX) {
        result(out, ESEAL_ID_INVALID, "longer than %d bytes (cut short)",
            ESEAL_ORG_ID_MAX);
        return 0;
    }
    for (i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)value[i];

        if (ch < 0x20 || ch == 0x7f) {
            result(out, ESEAL_ID_INVALID, "contains control characters");
            return 0;
        }
    }
    rc = split(out, value, err);
    if (rc < 0) {
        eseal_org_id_clear(out);
        return rc;
    }
    if (rc == 0) {
        result(out, ESEAL_ID_NOT_CHECKABLE, "not in the ETSI EN 319 412-1 "
            "form (scheme, country, '-', identifier)");
        return 0;
    }
    if (out->number[0] == '\0') {
        result(out, ESEAL_ID_INVALID, "nothing follows the '-'");
        return 0;
    }
    for (i = 0; out->number[i]; i++) {
        if (out->number[i] == ' ') {
            result(out, ESEAL_ID_INVALID, "the identifier contains spaces");
            return 0;
        }
    }
    check_scheme(out);
    return 0;
}

void eseal_org_id_clear(eseal_org_id *id)
{
    if (id == NULL)
        return;
    free(id->value);
    free(id->number);
    memset(id, 0, sizeof(*id));
}
