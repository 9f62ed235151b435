/* eseal PDF adapter - serializing objects and cross-reference sections. */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "pdf_reader.h"
#include "pdf_write.h"

static const char hexdigits[] = "0123456789ABCDEF";

/* PDF "regular" characters: neither whitespace nor delimiters. */
static int is_regular_name_char(unsigned char c)
{
    if (c < 0x21 || c > 0x7e)
        return 0;
    return strchr("()<>[]{}/%#", c) == NULL;
}

void eseal__pdf_write_name(eseal_buf *b, const char *name, size_t len)
{
    char esc[3];
    size_t i, start = 0;

    eseal__buf_append(b, "/", 1);
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)name[i];

        if (is_regular_name_char(c))
            continue;
        eseal__buf_append(b, name + start, i - start);
        esc[0] = '#';
        esc[1] = hexdigits[c >> 4];
        esc[2] = hexdigits[c & 0xf];
        eseal__buf_append(b, esc, 3);
        start = i + 1;
    }
    eseal__buf_append(b, name + start, len - start);
}

void eseal__pdf_write_string(eseal_buf *b, const unsigned char *s,
    size_t len, int hex)
{
    char esc[4];
    size_t i, start = 0;

    if (hex) {
        eseal__buf_append(b, "<", 1);
        for (i = 0; i < len; i++) {
            esc[0] = hexdigits[s[i] >> 4];
            esc[1] = hexdigits[s[i] & 0xf];
            eseal__buf_append(b, esc, 2);
        }
        eseal__buf_append(b, ">", 1);
        return;
    }
    eseal__buf_append(b, "(", 1);
    for (i = 0; i < len; i++) {
        unsigned char c = s[i];
        size_t n = 2;

        if (c >= 0x20 && c < 0x7f && c != '(' && c != ')' && c != '\\')
            continue;
        eseal__buf_append(b, s + start, i - start);
        esc[0] = '\\';
        switch (c) {
        case '(': case ')': case '\\':
            esc[1] = (char)c;
            break;
        case '\n':
            esc[1] = 'n';
            break;
        case '\r':
            esc[1] = 'r';
            break;
        case '\t':
            esc[1] = 't';
            break;
        default:
            /* always three digits: a digit that follows stays a digit */
            esc[1] = (char)('0' + (c >> 6));
            esc[2] = (char)('0' + ((c >> 3) & 7));
            esc[3] = (char)('0' + (c & 7));
            n = 4;
            break;
        }
        eseal__buf_append(b, esc, n);
        start = i + 1;
    }
    eseal__buf_append(b, s + start, len - start);
    eseal__buf_append(b, ")", 1);
}

int eseal__pdf_write_real(eseal_buf *b, double v, eseal_error *err)
{
    char tmp[400], out[400];
    size_t i = 0, o = 0, frac_start, end;
    int prec, n = 0;

    if (!isfinite(v))
        return eseal__error_set(err, ESEAL_EINVAL,
            "cannot write a non-finite real number");
    /*
     * printf and strtod both follow LC_NUMERIC, so the round-trip test is
     * consistent in any locale; the decimal point (whatever bytes the
     * locale uses) is then replaced by '.'.  %f never uses an exponent;
     * the largest double has 309 integer digits.
     */
    for (prec = 1; prec <= 17; prec++) {
        n = snprintf(tmp, sizeof(tmp), "%.*f", prec, v);
        if (n < 0 || (size_t)n >= sizeof(tmp))
            return eseal__error_set(err, ESEAL_EINVAL,
                "cannot format a real number");
        if (strtod(tmp, NULL) == v)
            break;
    }
    if (tmp[i] == '-')
        out[o++] = tmp[i++];
    while (tmp[i] >= '0' && tmp[i] <= '9')
        out[o++] = tmp[i++];
    while (tmp[i] != '\0' && (tmp[i] < '0' || tmp[i] > '9'))
        i++;                                  /* the decimal point */
    out[o++] = '.';
    frac_start = o;
    while (tmp[i] >= '0' && tmp[i] <= '9')
        out[o++] = tmp[i++];
    end = o;
    while (end > frac_start + 1 && out[end - 1] == '0')
        end--;                                /* keep one: "595.0" */
    out[end] = '\0';
    if (strcmp(out, "-0.0") == 0)
        eseal__buf_puts(b, "0.0");
    else
        eseal__buf_append(b, out, end);
    return 0;
}

static int write_obj(eseal_buf *b, const pdf_obj *o, int depth,
    eseal_error *err)
{
    size_t i;
    int rc;

    if (o == NULL)
        return eseal__error_set(err, ESEAL_EINVAL, "cannot write a NULL "
            "PDF object");
    switch (o->type) {
    case PDF_NULL:
        eseal__buf_puts(b, "null");
        return 0;
    case PDF_BOOL:
        eseal__buf_puts(b, o->u.boolean ? "true" : "false");
        return 0;
    case PDF_INT:
        eseal__buf_printf(b, "%" PRId64, o->u.i);
        return 0;
    case PDF_REAL:
        return eseal__pdf_write_real(b, o->u.r, err);
    case PDF_NAME:
        eseal__pdf_write_name(b, o->u.name.s, o->u.name.len);
        return 0;
    case PDF_STRING:
        eseal__pdf_write_string(b, o->u.str.s, o->u.str.len, o->u.str.hex);
        return 0;
    case PDF_REF:
        eseal__buf_printf(b, "%" PRIu32 " %u R", o->u.ref.num,
            (unsigned int)o->u.ref.gen);
        return 0;
    case PDF_ARRAY:
    case PDF_DICT:
        if (depth >= PDF_MAX_DEPTH)
            return eseal__error_set(err, ESEAL_ELIMIT, "cannot write a PDF "
                "object nested deeper than %d levels", PDF_MAX_DEPTH);
        break;
    case PDF_STREAM:
    default:
        return eseal__error_set(err, ESEAL_EUNSUPPORTED,
            "cannot rewrite a PDF stream object");
    }
    if (o->type == PDF_ARRAY) {
        eseal__buf_append(b, "[", 1);
        for (i = 0; i < o->u.arr.len; i++) {
            if (i > 0)
                eseal__buf_append(b, " ", 1);
            if ((rc = write_obj(b, o->u.arr.items[i], depth + 1, err)) < 0)
                return rc;
        }
        eseal__buf_append(b, "]", 1);
        return 0;
    }
    eseal__buf_append(b, "<<", 2);
    for (i = 0; i < o->u.dict.len; i++) {
        if (i > 0)
            eseal__buf_append(b, " ", 1);
        eseal__pdf_write_name(b, o->u.dict.keys[i],
            strlen(o->u.dict.keys[i]));
        eseal__buf_append(b, " ", 1);
        if ((rc = write_obj(b, o->u.dict.vals[i], depth + 1, err)) < 0)
            return rc;
    }
    eseal__buf_append(b, ">>", 2);
    return 0;
}

int eseal__pdf_write_obj(eseal_buf *b, const pdf_obj *o, eseal_error *err)
{
    return write_obj(b, o, 0, err);
}

static int check_rows(const pdf_xref_row *rows, size_t n, eseal_error *err)
{
    size_t i;

    if (n == 0)
        return eseal__error_set(err, ESEAL_EINVAL, "empty xref section");
    for (i = 1; i < n; i++)
        if (rows[i].num <= rows[i - 1].num)
            return eseal__error_set(err, ESEAL_EINVAL,
                "xref rows are not sorted (object %" PRIu32 ")",
                rows[i].num);
    return 0;
}

/* Length of the run of consecutive object numbers starting at rows[i]. */
static size_t run_length(const pdf_xref_row *rows, size_t n, size_t i)
{
    size_t j = i + 1;

    while (j < n && rows[j].num == rows[j - 1].num + 1)
        j++;
    return j - i;
}

int eseal__pdf_write_xref_table(eseal_buf *b, const pdf_xref_row *rows,
    size_t n, eseal_error *err)
{
    size_t i, j, run;
    int rc;

    if ((rc = check_rows(rows, n, err)) < 0)
        return rc;
    for (i = 0; i < n; i++)
        if (rows[i].offset > PDF_XREF_TABLE_MAX_OFFSET)
            return eseal__error_set(err, ESEAL_ELIMIT, "offset %" PRIu64
                " does not fit a classic xref table", rows[i].offset);
    eseal__buf_puts(b, "xref\n");
    for (i = 0; i < n; i += run) {
        run = run_length(rows, n, i);
        eseal__buf_printf(b, "%" PRIu32 " %zu\n", rows[i].num, run);
        for (j = i; j < i + run; j++)
            eseal__buf_printf(b, "%010" PRIu64 " %05u n\r\n",
                rows[j].offset, (unsigned int)rows[j].gen);
    }
    return 0;
}

static unsigned int bytes_for(uint64_t v)
{
    unsigned int n = 1;

    while (n < 8 && (v >> (8 * n)) != 0)
        n++;
    return n;
}

static void put_be(unsigned char *p, uint64_t v, unsigned int n)
{
    while (n-- > 0) {
        p[n] = (unsigned char)(v & 0xff);
        v >>= 8;
    }
}

static int is_own_xref_key(const char *key)
{
    static const char *const own[] = { "Type", "W", "Index", "Length",
        "Filter", "DecodeParms", "DL", "F", "FFilter", "FDecodeParms",
        "XRefStm", "Encrypt", NULL };
    size_t i;

    for (i = 0; own[i] != NULL; i++)
        if (strcmp(key, own[i]) == 0)
            return 1;
    return 0;
}

int eseal__pdf_write_xref_stream(eseal_buf *b, uint32_t num,
    const pdf_obj *trailer, const pdf_xref_row *rows, size_t n,
    eseal_error *err)
{
    unsigned char *data = NULL;
    uint64_t max_off = 0;
    unsigned int ow, gw, max_gen = 0;
    size_t i, run, rowlen;
    int rc;

    if ((rc = check_rows(rows, n, err)) < 0)
        goto cleanup;
    if (trailer == NULL || trailer->type != PDF_DICT) {
        rc = eseal__error_set(err, ESEAL_EINVAL, "xref stream needs a "
            "trailer dictionary");
        goto cleanup;
    }
    for (i = 0; i < n; i++) {
        if (rows[i].offset > max_off)
            max_off = rows[i].offset;
        if (rows[i].gen > max_gen)
            max_gen = rows[i].gen;
    }
    ow = bytes_for(max_off);
    gw = bytes_for(max_gen);
    rowlen = 1 + ow + gw;
    if ((data = malloc(n * rowlen)) == NULL) {
        rc = eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
        goto cleanup;
    }
    for (i = 0; i < n; i++) {
        unsigned char *p = data + i * rowlen;

        p[0] = 1;
        put_be(p + 1, rows[i].offset, ow);
        put_be(p + 1 + ow, rows[i].gen, gw);
    }
    eseal__buf_printf(b, "%" PRIu32 " 0 obj\n<</Type /XRef", num);
    for (i = 0; i < trailer->u.dict.len; i++) {
        const char *key = trailer->u.dict.keys[i];

        if (is_own_xref_key(key))
            continue;
        eseal__buf_append(b, " ", 1);
        eseal__pdf_write_name(b, key, strlen(key));
        eseal__buf_append(b, " ", 1);
        if ((rc = eseal__pdf_write_obj(b, trailer->u.dict.vals[i], err)) < 0)
            goto cleanup;
    }
    eseal__buf_printf(b, " /W [1 %u %u] /Index [", ow, gw);
    for (i = 0; i < n; i += run) {
        run = run_length(rows, n, i);
        eseal__buf_printf(b, "%s%" PRIu32 " %zu", i > 0 ? " " : "",
            rows[i].num, run);
    }
    eseal__buf_printf(b, "] /Length %zu>>\nstream\n", n * rowlen);
    eseal__buf_append(b, data, n * rowlen);
    eseal__buf_puts(b, "\nendstream\nendobj\n");
    rc = 0;
cleanup:
    free(data);
    return rc;
}
