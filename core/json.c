/* eseal - a small streaming JSON writer. */
#include <string.h>
#include <time.h>
#include "eseal_int.h"

static void indent(eseal_json *j)
{
    int i;

    if (!j->pretty)
        return;
    eseal__buf_puts(&j->buf, "\n");
    for (i = 0; i < j->depth; i++)
        eseal__buf_puts(&j->buf, "  ");
}

/* Called before every value or key at the current level. */
static void before_item(eseal_json *j)
{
    if (j->depth > 0 && j->depth <= 32) {
        if (j->need_comma[j->depth - 1])
            eseal__buf_puts(&j->buf, ",");
        j->need_comma[j->depth - 1] = 1;
        indent(j);
    }
}

static void value_start(eseal_json *j)
{
    if (j->after_key) {
        j->after_key = 0;
        return;
    }
    before_item(j);
}

static void open_container(eseal_json *j, const char *c)
{
    value_start(j);
    eseal__buf_puts(&j->buf, c);
    if (j->depth < 32)
        j->need_comma[j->depth] = 0;
    j->depth++;
}

static void close_container(eseal_json *j, const char *c)
{
    int had_items = j->depth > 0 && j->depth <= 32 &&
                    j->need_comma[j->depth - 1];

    j->depth--;
    if (had_items)
        indent(j);
    eseal__buf_puts(&j->buf, c);
}

void eseal__json_begin_object(eseal_json *j) { open_container(j, "{"); }
void eseal__json_end_object(eseal_json *j) { close_container(j, "}"); }
void eseal__json_begin_array(eseal_json *j) { open_container(j, "["); }
void eseal__json_end_array(eseal_json *j) { close_container(j, "]"); }

static void put_string(eseal_json *j, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;

    eseal__buf_puts(&j->buf, "\"");
    for (; *p; p++) {
        switch (*p) {
        case '"': eseal__buf_puts(&j->buf, "\\\""); break;
        case '\\': eseal__buf_puts(&j->buf, "\\\\"); break;
        case '\n': eseal__buf_puts(&j->buf, "\\n"); break;
        case '\r': eseal__buf_puts(&j->buf, "\\r"); break;
        case '\t': eseal__buf_puts(&j->buf, "\\t"); break;
        default:
            if (*p < 0x20 || *p == 0x7f)
                eseal__buf_printf(&j->buf, "\\u%04x", *p);
            else
                eseal__buf_append(&j->buf, p, 1);
        }
    }
    eseal__buf_puts(&j->buf, "\"");
}

void eseal__json_key(eseal_json *j, const char *key)
{
    before_item(j);
    put_string(j, key);
    eseal__buf_puts(&j->buf, j->pretty ? ": " : ":");
    j->after_key = 1;
}

void eseal__json_string(eseal_json *j, const char *s)
{
    value_start(j);
    if (s == NULL)
        eseal__buf_puts(&j->buf, "null");
    else
        put_string(j, s);
}

void eseal__json_bool(eseal_json *j, int v)
{
    value_start(j);
    eseal__buf_puts(&j->buf, v ? "true" : "false");
}

void eseal__json_int(eseal_json *j, long long v)
{
    value_start(j);
    eseal__buf_printf(&j->buf, "%lld", v);
}

void eseal__json_null(eseal_json *j)
{
    value_start(j);
    eseal__buf_puts(&j->buf, "null");
}

void eseal__json_raw(eseal_json *j, const char *json)
{
    value_start(j);
    eseal__buf_puts(&j->buf, json);
}

void eseal__time_rfc3339(char out[21], time_t t)
{
    struct tm tm;

    if (gmtime_r(&t, &tm) == NULL ||
        strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        strcpy(out, "1970-01-01T00:00:00Z");
}

void eseal__json_time(eseal_json *j, time_t t)
{
    char s[21];

    if (t == 0) {
        eseal__json_null(j);
        return;
    }
    eseal__time_rfc3339(s, t);
    eseal__json_string(j, s);
}
