/*
 * Unit tests: the PDF lexer/parser, the object model and the lazy reader
 * (xref tables, xref streams, object streams, hybrid files, incremental
 * updates, linearized-style chains, and broken input).  Every PDF is built
 * here; offsets are computed, never written by hand.
 */
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zlib.h>
#include "unit.h"
#include "pdf/pdf_obj.h"
#include "pdf/pdf_reader.h"
#include "pdf/pdf_read_int.h"

/* ---- a tiny PDF builder ------------------------------------------------- */

#define PB_MAX_OBJ 64
#define SELF UINT64_MAX /* xref stream entry: the stream's own offset */

typedef struct pb {
    unsigned char *d;
    size_t len, cap;
    uint64_t off[PB_MAX_OBJ];
} pb;

static void pb_mem(pb *b, const void *p, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 1024;

        while (cap < b->len + n + 1)
            cap *= 2;
        b->d = realloc(b->d, cap);
        if (b->d == NULL)
            abort();
        b->cap = cap;
    }
    memcpy(b->d + b->len, p, n);
    b->len += n;
    b->d[b->len] = 0;
}

static void pb_str(pb *b, const char *s)
{
    pb_mem(b, s, strlen(s));
}

static void pb_fmt(pb *b, const char *fmt, ...) ESEAL_PRINTF(2, 3);

static void pb_fmt(pb *b, const char *fmt, ...)
{
    char tmp[4096];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof(tmp))
        abort();
    pb_mem(b, tmp, (size_t)n);
}

static void pb_free(pb *b)
{
    free(b->d);
    memset(b, 0, sizeof(*b));
}

static void pb_obj(pb *b, unsigned num, const char *body)
{
    b->off[num] = b->len;
    pb_fmt(b, "%u 0 obj\n%s\nendobj\n", num, body);
}

static void pb_stream(pb *b, unsigned num, const char *extra,
    const void *data, size_t len)
{
    b->off[num] = b->len;
    pb_fmt(b, "%u 0 obj\n<< /Length %zu %s >>\nstream\n", num, len, extra);
    pb_mem(b, data, len);
    pb_str(b, "\nendstream\nendobj\n");
}

/* "xref 0 n" for objects 0..n-1 (offset 0 = free), each entry ending in
 * eol (two bytes); returns the table's offset. */
static uint64_t pb_table(pb *b, unsigned n, const char *eol)
{
    uint64_t at = b->len;
    unsigned i;

    pb_fmt(b, "xref\n0 %u\n", n);
    for (i = 0; i < n; i++) {
        if (i == 0 || b->off[i] == 0)
            pb_fmt(b, "%010u %05u f%s", 0, i == 0 ? 65535 : 1, eol);
        else
            pb_fmt(b, "%010llu 00000 n%s", (unsigned long long)b->off[i],
                eol);
    }
    return at;
}

static void pb_trailer(pb *b, const char *dict, uint64_t startxref)
{
    pb_fmt(b, "trailer\n%s\nstartxref\n%llu\n%%%%EOF\n", dict,
        (unsigned long long)startxref);
}

static void pb_tail(pb *b, uint64_t startxref)
{
    pb_fmt(b, "startxref\n%llu\n%%%%EOF\n", (unsigned long long)startxref);
}

static void pb_header(pb *b, const char *version)
{
    pb_fmt(b, "%%PDF-%s\n%%\xe2\xe3\xcf\xd3\n", version);
}

/* catalog 1, pages 2, page 3, contents 4 */
static void pb_basic(pb *b)
{
    pb_header(b, "1.7");
    pb_obj(b, 1, "<< /Type /Catalog /Pages 2 0 R >>");
    pb_obj(b, 2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>");
    pb_obj(b, 3, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        "/Contents 4 0 R >>");
    pb_stream(b, 4, "", "BT ET", 5);
}

static int compress_bytes(unsigned char **out, size_t *out_len,
    const unsigned char *in, size_t len)
{
    uLongf n = compressBound(len);

    *out = malloc(n);
    if (*out == NULL || compress2(*out, &n, in, len, 9) != Z_OK)
        return -1;
    *out_len = n;
    return 0;
}

typedef struct xe {
    int type;
    uint64_t f2;
    uint32_t f3;
} xe;

/*
 * An xref stream object num with W [1 4 2] for ents (numbered per index,
 * or 0..n-1), /Size size (0: n), optionally Flate + PNG Up predictor;
 * returns its offset.
 */
static uint64_t pb_xref_stream(pb *b, unsigned num, const xe *ents, size_t n,
    const char *index, unsigned size, const char *extra, int flate)
{
    unsigned char raw[64 * 8], enc[64 * 8];
    unsigned char *z = NULL;
    size_t i, k, rl = 0, zl = 0;
    uint64_t at = b->len;

    CU_ASSERT_FATAL(n <= 64);
    for (i = 0; i < n; i++) {
        uint64_t f2 = ents[i].f2 == SELF ? at : ents[i].f2;

        raw[rl++] = (unsigned char)ents[i].type;
        for (k = 0; k < 4; k++)
            raw[rl++] = (unsigned char)(f2 >> (8 * (3 - k)));
        raw[rl++] = (unsigned char)(ents[i].f3 >> 8);
        raw[rl++] = (unsigned char)ents[i].f3;
    }
    b->off[num] = at;
    pb_fmt(b, "%u 0 obj\n<< /Type /XRef /W [1 4 2] /Size %u", num,
        size ? size : (unsigned)n);
    if (index != NULL)
        pb_fmt(b, " /Index [%s]", index);
    pb_fmt(b, " %s", extra);
    if (!flate) {
        pb_fmt(b, " /Length %zu >>\nstream\r\n", rl);
        pb_mem(b, raw, rl);
    } else {
        /* PNG Up: each 7-byte row becomes tag 2 + difference to the row
         * above */
        size_t el = 0;

        for (i = 0; i < n; i++) {
            enc[el++] = 2;
            for (k = 0; k < 7; k++)
                enc[el++] = (unsigned char)(raw[i * 7 + k] -
                    (i > 0 ? raw[(i - 1) * 7 + k] : 0));
        }
        CU_ASSERT_FATAL(compress_bytes(&z, &zl, enc, el) == 0);
        pb_fmt(b, " /Filter /FlateDecode /DecodeParms << /Predictor 12 "
            "/Columns 7 >> /Length %zu >>\nstream\r\n", zl);
        pb_mem(b, z, zl);
        free(z);
    }
    pb_str(b, "\r\nendstream\nendobj\n");
    return at;
}

/* An object stream num holding objects nums[] with bodies[]. */
static void pb_objstm(pb *b, unsigned num, const unsigned *nums,
    const char *const *bodies, size_t n, int flate)
{
    pb hdr, body;
    size_t i;
    unsigned char *z = NULL, *all;
    size_t zl = 0;

    memset(&hdr, 0, sizeof(hdr));
    memset(&body, 0, sizeof(body));
    for (i = 0; i < n; i++) {
        pb_fmt(&hdr, "%u %zu ", nums[i], body.len);
        pb_fmt(&body, "%s\n", bodies[i]);
    }
    all = malloc(hdr.len + body.len);
    memcpy(all, hdr.d, hdr.len);
    memcpy(all + hdr.len, body.d, body.len);
    b->off[num] = b->len;
    if (flate) {
        CU_ASSERT_FATAL(compress_bytes(&z, &zl, all, hdr.len + body.len) ==
            0);
        pb_fmt(b, "%u 0 obj\n<< /Type /ObjStm /N %zu /First %zu /Filter "
            "/FlateDecode /Length %zu >>\nstream\n", num, n, hdr.len, zl);
        pb_mem(b, z, zl);
    } else {
        pb_fmt(b, "%u 0 obj\n<< /Type /ObjStm /N %zu /First %zu /Length %zu "
            ">>\nstream\n", num, n, hdr.len, hdr.len + body.len);
        pb_mem(b, all, hdr.len + body.len);
    }
    pb_str(b, "\nendstream\nendobj\n");
    free(z);
    free(all);
    pb_free(&hdr);
    pb_free(&body);
}

/* Writes a 10-digit number over a placeholder at pos. */
static void patch10(pb *b, size_t pos, uint64_t v)
{
    char tmp[16];

    snprintf(tmp, sizeof(tmp), "%010llu", (unsigned long long)v);
    memcpy(b->d + pos, tmp, 10);
}

static pdf_reader *open_ok(const pb *b)
{
    pdf_reader *r = NULL;
    eseal_error err = { 0, "" };
    int rc = pdf_reader_open(&r, b->d, b->len, "test.pdf", &err);

    if (rc != 0)
        fprintf(stderr, "\n  unexpected error: %s\n", err.message);
    CU_ASSERT_EQUAL(rc, 0);
    return r;
}

static int open_err(const pb *b, eseal_error *err)
{
    pdf_reader *r = NULL;
    int rc;

    memset(err, 0, sizeof(*err));
    rc = pdf_reader_open(&r, b->d, b->len, "test.pdf", err);
    CU_ASSERT_PTR_NULL(r);
    pdf_reader_free(r);
    return rc;
}

static int has(const char *msg, const char *part)
{
    if (strstr(msg, part) != NULL)
        return 1;
    fprintf(stderr, "\n  message \"%s\" lacks \"%s\"\n", msg, part);
    return 0;
}

/* Loads num and checks that it is a dictionary whose /Tag is tag. */
static void check_tag(pdf_reader *r, uint32_t num, const char *tag)
{
    eseal_error err = { 0, "" };
    pdf_obj *o = NULL;
    int rc = pdf_reader_load(r, num, &o, &err);

    if (rc != 0)
        fprintf(stderr, "\n  load %u: %s\n", num, err.message);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    CU_ASSERT_TRUE(pdf_is_name(pdf_dict_get(o, "Tag"), tag));
}

static void check_first_page(pdf_reader *r, uint32_t want)
{
    eseal_error err = { 0, "" };
    pdf_obj *page = NULL;
    uint32_t num = 0;
    int rc = pdf_reader_first_page(r, &num, &page, &err);

    if (rc != 0)
        fprintf(stderr, "\n  first page: %s\n", err.message);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_EQUAL(num, want);
    CU_ASSERT_TRUE(pdf_is_name(pdf_dict_get(page, "Type"), "Page"));
}

/* ---- lexer and parser --------------------------------------------------- */

static pdf_obj *parse(pdf_arena *a, const char *s, size_t *used)
{
    pdf_obj *o = NULL;
    eseal_error err = { 0, "" };
    int rc = pdf_parse_object(a, (const unsigned char *)s, strlen(s), &o,
        used, &err);

    if (rc != 0)
        fprintf(stderr, "\n  parse \"%s\": %s\n", s, err.message);
    CU_ASSERT_EQUAL(rc, 0);
    return o;
}

static int parse_fails(pdf_arena *a, const char *s, size_t len,
    const char *part)
{
    pdf_obj *o = NULL;
    eseal_error err = { 0, "" };
    int rc = pdf_parse_object(a, (const unsigned char *)s, len, &o, NULL,
        &err);

    CU_ASSERT_PTR_NULL(o);
    CU_ASSERT_TRUE(rc < 0);
    CU_ASSERT_EQUAL(err.code, rc);
    if (part != NULL)
        CU_ASSERT_TRUE(has(err.message, part));
    return rc;
}

static void test_pdf_reader__lex_numbers(void)
{
    pdf_arena *a = pdf_arena_new();
    pdf_obj *o;
    int64_t v;
    size_t used;

    o = parse(a, "42", &used);
    CU_ASSERT_EQUAL(o->type, PDF_INT);
    CU_ASSERT_EQUAL(o->u.i, 42);
    CU_ASSERT_EQUAL(used, 2);
    o = parse(a, "-17", NULL);
    CU_ASSERT_EQUAL(o->u.i, -17);
    o = parse(a, "+5", NULL);
    CU_ASSERT_EQUAL(o->u.i, 5);
    o = parse(a, "-9223372036854775808", NULL);
    CU_ASSERT_EQUAL(o->type, PDF_INT);
    CU_ASSERT_EQUAL(o->u.i, INT64_MIN);
    o = parse(a, "99999999999999999999999", NULL);
    CU_ASSERT_EQUAL(o->type, PDF_REAL);
    CU_ASSERT_DOUBLE_EQUAL(o->u.r, 1e23, 1e9);
    CU_ASSERT_FALSE(pdf_get_int(o, &v) && v > 0 && o->u.r > 9.3e18);
    o = parse(a, ".5", NULL);
    CU_ASSERT_EQUAL(o->type, PDF_REAL);
    CU_ASSERT_DOUBLE_EQUAL(o->u.r, 0.5, 1e-12);
    o = parse(a, "-.002", NULL);
    CU_ASSERT_DOUBLE_EQUAL(o->u.r, -0.002, 1e-12);
    o = parse(a, "4.", NULL);
    CU_ASSERT_EQUAL(o->type, PDF_REAL);
    CU_ASSERT_DOUBLE_EQUAL(o->u.r, 4.0, 1e-12);
    CU_ASSERT_TRUE(pdf_get_int(o, &v));
    CU_ASSERT_EQUAL(v, 4);
    o = parse(a, "3.25", NULL);
    CU_ASSERT_FALSE(pdf_get_int(o, &v));
    o = parse(a, "0.000000000000000000001", NULL);
    CU_ASSERT_DOUBLE_EQUAL(o->u.r, 0.0, 1e-15);
    parse_fails(a, "1.2.3", 5, "malformed number");
    parse_fails(a, "-", 1, "malformed number");
    parse_fails(a, "12abc", 5, "malformed number");
    parse_fails(a, "--1", 3, "malformed number");
    pdf_arena_free(a);
}

static void test_pdf_reader__lex_strings(void)
{
    static const char s1[] = "(a (nested (deep)) b\\) \\\\ \\n\\r\\t\\b\\f)";
    static const char s2[] = "(\\101\\0\\7a\\1234\\x)";
    static const char s3[] = "(line\\\ncont\\\r\nued\r\nx\ry)";
    pdf_arena *a = pdf_arena_new();
    pdf_obj *o;
    size_t used;

    o = parse(a, s1, &used);
    CU_ASSERT_EQUAL(o->type, PDF_STRING);
    CU_ASSERT_EQUAL(used, strlen(s1));
    CU_ASSERT_EQUAL(o->u.str.len, 28);
    CU_ASSERT_EQUAL(memcmp(o->u.str.s, "a (nested (deep)) b) \\ \n\r\t\b\f",
        28), 0);
    CU_ASSERT_FALSE(o->u.str.hex);
    o = parse(a, s2, NULL);
    /* \101 = A, \0 = NUL, \7 = BEL, a, \123 then '4', unknown \x = x */
    CU_ASSERT_EQUAL(o->u.str.len, 7);
    CU_ASSERT_EQUAL(memcmp(o->u.str.s, "A\0\7aS4x", 7), 0);
    o = parse(a, s3, NULL);
    CU_ASSERT_EQUAL(o->u.str.len, 15);
    CU_ASSERT_EQUAL(memcmp(o->u.str.s, "linecontued\nx\ny", 15), 0);
    o = parse(a, "()", NULL);
    CU_ASSERT_EQUAL(o->u.str.len, 0);
    /* hex: white space inside, odd length padded with 0 */
    o = parse(a, "< 48 65\n6C6c 6f7 >", &used);
    CU_ASSERT_EQUAL(o->type, PDF_STRING);
    CU_ASSERT_TRUE(o->u.str.hex);
    CU_ASSERT_EQUAL(o->u.str.len, 6);
    CU_ASSERT_EQUAL(memcmp(o->u.str.s, "Hello\x70", 6), 0);
    CU_ASSERT_EQUAL(used, 18);
    o = parse(a, "<>", NULL);
    CU_ASSERT_EQUAL(o->u.str.len, 0);
    parse_fails(a, "(abc (def)", 10, "unterminated literal string");
    parse_fails(a, "(abc\\)", 6, "unterminated literal string");
    parse_fails(a, "<414", 4, "unterminated hex string");
    parse_fails(a, "<41zz>", 6, "invalid character in hex string");
    pdf_arena_free(a);
}

static void test_pdf_reader__lex_names_and_keywords(void)
{
    pdf_arena *a = pdf_arena_new();
    pdf_obj *o;
    size_t used;

    o = parse(a, "/Name", NULL);
    CU_ASSERT_TRUE(pdf_is_name(o, "Name"));
    o = parse(a, "/A#20B#2fC#23", NULL);
    CU_ASSERT_TRUE(pdf_is_name(o, "A B/C#"));
    CU_ASSERT_EQUAL(o->u.name.len, 6);
    o = parse(a, "/Bad#G1", NULL);
    CU_ASSERT_TRUE(pdf_is_name(o, "Bad#G1"));
    o = parse(a, "/", &used);
    CU_ASSERT_TRUE(pdf_is_name(o, ""));
    CU_ASSERT_EQUAL(used, 1);
    o = parse(a, "/a/b", &used);
    CU_ASSERT_TRUE(pdf_is_name(o, "a"));
    CU_ASSERT_EQUAL(used, 2);
    parse_fails(a, "/x#00y", 6, "NUL");
    o = parse(a, "true", NULL);
    CU_ASSERT_EQUAL(o->type, PDF_BOOL);
    CU_ASSERT_EQUAL(o->u.boolean, 1);
    o = parse(a, "false", NULL);
    CU_ASSERT_EQUAL(o->type, PDF_BOOL);
    CU_ASSERT_EQUAL(o->u.boolean, 0);
    o = parse(a, "null", NULL);
    CU_ASSERT_EQUAL(o->type, PDF_NULL);
    parse_fails(a, "nulls", 5, "unexpected 'nulls'");
    parse_fails(a, "R", 1, "unexpected 'R'");
    parse_fails(a, "endobj", 6, "unexpected");
    parse_fails(a, ")", 1, "unexpected ')'");
    parse_fails(a, "{", 1, "unexpected '{'");
    parse_fails(a, ">", 1, "unexpected '>'");
    parse_fails(a, "", 0, "found the end");
    parse_fails(a, "  % only a comment\n", 19, "found the end");
    pdf_arena_free(a);
}

static void test_pdf_reader__lex_containers(void)
{
    static const char src[] =
        "% comment\n<< /Type /Test /Arr [1 2 0 R (x) <41> [ ] <<>> 5 0 R 6]"
        " /Ref 12 0 R /Nested << /A << /B [ true ] >> >> "
        "/Dup 1 /Dup 2 /Real 1.5 %c\n/Last 7 >> trailing";
    pdf_arena *a = pdf_arena_new();
    pdf_obj *o, *arr, *v;
    size_t used;

    o = parse(a, src, &used);
    CU_ASSERT_EQUAL_FATAL(o->type, PDF_DICT);
    CU_ASSERT_EQUAL(used, strlen(src) - strlen(" trailing"));
    CU_ASSERT_TRUE(pdf_is_name(pdf_dict_get(o, "Type"), "Test"));
    arr = pdf_dict_get(o, "Arr");
    CU_ASSERT_EQUAL_FATAL(arr->type, PDF_ARRAY);
    CU_ASSERT_EQUAL_FATAL(arr->u.arr.len, 8);
    CU_ASSERT_EQUAL(arr->u.arr.items[0]->type, PDF_INT);
    CU_ASSERT_EQUAL(arr->u.arr.items[1]->type, PDF_REF);
    CU_ASSERT_EQUAL(arr->u.arr.items[1]->u.ref.num, 2);
    CU_ASSERT_EQUAL(arr->u.arr.items[1]->u.ref.gen, 0);
    CU_ASSERT_EQUAL(arr->u.arr.items[2]->type, PDF_STRING);
    CU_ASSERT_EQUAL(arr->u.arr.items[3]->u.str.s[0], 'A');
    CU_ASSERT_EQUAL(arr->u.arr.items[4]->type, PDF_ARRAY);
    CU_ASSERT_EQUAL(arr->u.arr.items[4]->u.arr.len, 0);
    CU_ASSERT_EQUAL(arr->u.arr.items[5]->type, PDF_DICT);
    CU_ASSERT_EQUAL(arr->u.arr.items[6]->type, PDF_REF);
    CU_ASSERT_EQUAL(arr->u.arr.items[6]->u.ref.num, 5);
    CU_ASSERT_EQUAL(arr->u.arr.items[7]->u.i, 6);
    v = pdf_dict_get(o, "Ref");
    CU_ASSERT_EQUAL(v->type, PDF_REF);
    CU_ASSERT_EQUAL(v->u.ref.num, 12);
    v = pdf_dict_get(pdf_dict_get(pdf_dict_get(o, "Nested"), "A"), "B");
    CU_ASSERT_EQUAL_FATAL(v->type, PDF_ARRAY);
    CU_ASSERT_EQUAL(v->u.arr.items[0]->type, PDF_BOOL);
    /* the last of duplicate keys wins */
    CU_ASSERT_EQUAL(pdf_dict_get(o, "Dup")->u.i, 2);
    CU_ASSERT_EQUAL(pdf_dict_get(o, "Last")->u.i, 7);
    CU_ASSERT_DOUBLE_EQUAL(pdf_dict_get(o, "Real")->u.r, 1.5, 1e-12);
    /* references at the top level; "1 0" alone stays two integers */
    o = parse(a, "7 3 R", &used);
    CU_ASSERT_EQUAL(o->type, PDF_REF);
    CU_ASSERT_EQUAL(o->u.ref.num, 7);
    CU_ASSERT_EQUAL(o->u.ref.gen, 3);
    o = parse(a, "1 0", &used);
    CU_ASSERT_EQUAL(o->type, PDF_INT);
    CU_ASSERT_EQUAL(used, 1);
    parse_fails(a, "[3 -4 R]", 8, "unexpected 'R'");
    parse_fails(a, "[1 2", 4, "unterminated array");
    parse_fails(a, "<< /A 1", 7, "unterminated dictionary");
    parse_fails(a, "<< /A >>", 8, "has no value");
    parse_fails(a, "<< (k) 1 >>", 11, "is not a name");
    pdf_arena_free(a);
}

static void test_pdf_reader__lex_deep_nesting(void)
{
    pdf_arena *a = pdf_arena_new();
    size_t n = 100000, i;
    char *s = malloc(2 * n + 1);
    int rc;

    for (i = 0; i < n; i++)
        s[i] = '[';
    rc = parse_fails(a, s, n, "nested deeper than 64");
    CU_ASSERT_EQUAL(rc, ESEAL_ELIMIT);
    for (i = 0; i < n / 4; i++)
        memcpy(s + 4 * i, "<</A", 4);
    rc = parse_fails(a, s, n, "nested deeper than 64");
    CU_ASSERT_EQUAL(rc, ESEAL_ELIMIT);
    /* 64 levels are fine, 65 are not */
    memset(s, '[', 64);
    memset(s + 64, ']', 64);
    s[128] = 0;
    CU_ASSERT_PTR_NOT_NULL(parse(a, s, NULL));
    memset(s, '[', 65);
    memset(s + 65, ']', 65);
    rc = parse_fails(a, s, 130, "nested deeper");
    CU_ASSERT_EQUAL(rc, ESEAL_ELIMIT);
    free(s);
    pdf_arena_free(a);
}

/* ---- object model ------------------------------------------------------- */

static void test_pdf_reader__obj_model(void)
{
    pdf_arena *a = pdf_arena_new();
    pdf_obj *d = pdf_new_dict(a), *arr = pdf_new_array(a), *c, *st;
    int64_t v;
    size_t i;

    CU_ASSERT_EQUAL(pdf_dict_put(a, d, "A", pdf_new_int(a, 1)), 0);
    CU_ASSERT_EQUAL(pdf_dict_put(a, d, "B", pdf_new_name(a, "X Y")), 0);
    CU_ASSERT_EQUAL(pdf_dict_put(a, d, "A", pdf_new_real(a, 2.0)), 0);
    CU_ASSERT_EQUAL(d->u.dict.len, 2);
    CU_ASSERT_TRUE(pdf_get_int(pdf_dict_get(d, "A"), &v));
    CU_ASSERT_EQUAL(v, 2);
    for (i = 0; i < 100; i++)
        CU_ASSERT_EQUAL(pdf_array_push(a, arr, pdf_new_int(a, (int64_t)i)),
            0);
    CU_ASSERT_EQUAL(arr->u.arr.len, 100);
    CU_ASSERT_EQUAL(arr->u.arr.items[99]->u.i, 99);
    CU_ASSERT_EQUAL(pdf_dict_put(a, d, "Arr", arr), 0);
    CU_ASSERT_EQUAL(pdf_dict_put(a, d, "S",
        pdf_new_string(a, "a\0b", 4, 1)), 0);
    CU_ASSERT_EQUAL(pdf_dict_put(a, d, "R", pdf_new_ref(a, 9, 1)), 0);
    c = pdf_obj_copy(a, d);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    CU_ASSERT_PTR_NOT_EQUAL(c, d);
    CU_ASSERT_EQUAL(pdf_dict_get(c, "Arr")->u.arr.len, 100);
    CU_ASSERT_PTR_NOT_EQUAL(pdf_dict_get(c, "Arr"), arr);
    CU_ASSERT_EQUAL(pdf_dict_get(c, "S")->u.str.len, 4);
    CU_ASSERT_TRUE(pdf_dict_get(c, "S")->u.str.hex);
    CU_ASSERT_EQUAL(pdf_dict_get(c, "R")->u.ref.gen, 1);
    CU_ASSERT_TRUE(pdf_is_name(pdf_dict_get(c, "B"), "X Y"));
    pdf_dict_del(d, "B");
    CU_ASSERT_PTR_NULL(pdf_dict_get(d, "B"));
    CU_ASSERT_PTR_NOT_NULL(pdf_dict_get(c, "B"));
    CU_ASSERT_PTR_NOT_NULL(pdf_dict_get(d, "Arr"));
    /* a stream's dictionary is searched, and copied with the offsets */
    st = pdf_arena_alloc(a, sizeof(*st));
    st->type = PDF_STREAM;
    st->u.stream.dict = d;
    st->u.stream.data_off = 1234;
    st->u.stream.data_len = 56;
    CU_ASSERT_PTR_EQUAL(pdf_dict_get(st, "Arr"), arr);
    CU_ASSERT_EQUAL(pdf_dict_put(a, st, "New", pdf_new_null(a)), 0);
    CU_ASSERT_PTR_NOT_NULL(pdf_dict_get(d, "New"));
    c = pdf_obj_copy(a, st);
    CU_ASSERT_EQUAL(c->type, PDF_STREAM);
    CU_ASSERT_EQUAL(c->u.stream.data_off, 1234);
    CU_ASSERT_EQUAL(c->u.stream.data_len, 56);
    CU_ASSERT_PTR_NOT_EQUAL(c->u.stream.dict, d);
    CU_ASSERT_FALSE(pdf_get_int(pdf_new_real(a, 1e300), &v));
    CU_ASSERT_FALSE(pdf_get_int(pdf_new_name(a, "1"), &v));
    CU_ASSERT_FALSE(pdf_is_name(pdf_new_string(a, "N", 1, 0), "N"));
    /* a big allocation next to small ones */
    CU_ASSERT_PTR_NOT_NULL(pdf_arena_alloc(a, 1 << 20));
    CU_ASSERT_PTR_NOT_NULL(pdf_arena_alloc(a, 3));
    pdf_arena_free(a);
}

/* ---- classic tables ----------------------------------------------------- */

static void test_pdf_reader__classic_table(void)
{
    pb b = { 0 };
    pdf_reader *r;
    eseal_error err = { 0, "" };
    pdf_obj *o, *o2, *page = NULL, *contents = NULL, *cat = NULL;
    eseal_bytes data = { NULL, 0 };
    uint64_t x;
    uint32_t num = 0;

    pb_basic(&b);
    x = pb_table(&b, 5, "\r\n");
    pb_trailer(&b, "<< /Size 5 /Root 1 0 R /ID [<01> <02>] >>", x);
    r = open_ok(&b);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(pdf_reader_header_version(r), 17);
    CU_ASSERT_EQUAL(pdf_reader_startxref(r), x);
    CU_ASSERT_EQUAL(pdf_reader_section_count(r), 1);
    CU_ASSERT_EQUAL(pdf_reader_section(r, 0)->offset, x);
    CU_ASSERT_EQUAL(pdf_reader_section(r, 0)->is_stream, 0);
    CU_ASSERT_EQUAL(pdf_reader_section(r, 0)->xrefstm, 0);
    CU_ASSERT_PTR_NULL(pdf_reader_section(r, 1));
    CU_ASSERT_EQUAL(pdf_reader_size(r), 5);
    CU_ASSERT_EQUAL(pdf_reader_entry(r, 3).type, 1);
    CU_ASSERT_EQUAL(pdf_reader_entry(r, 3).field2, b.off[3]);
    CU_ASSERT_EQUAL(pdf_reader_entry(r, 3).field3, 0);
    CU_ASSERT_EQUAL(pdf_reader_entry(r, 0).type, 0);
    CU_ASSERT_EQUAL(pdf_reader_entry(r, 0).field3, 65535);
    CU_ASSERT_EQUAL(pdf_reader_entry(r, 99).type, 0);
    CU_ASSERT_PTR_NOT_NULL(pdf_dict_get(pdf_reader_trailer(r), "ID"));
    CU_ASSERT_FALSE(pdf_reader_is_encrypted(r));
    CU_ASSERT_PTR_NOT_NULL(pdf_reader_arena(r));
    CU_ASSERT_EQUAL(pdf_reader_catalog(r, &num, &cat, &err), 0);
    CU_ASSERT_EQUAL(num, 1);
    CU_ASSERT_TRUE(pdf_is_name(pdf_dict_get(cat, "Type"), "Catalog"));
    check_first_page(r, 3);
    /* cached: the same object twice */
    CU_ASSERT_EQUAL(pdf_reader_load(r, 2, &o, &err), 0);
    CU_ASSERT_EQUAL(pdf_reader_load(r, 2, &o2, &err), 0);
    CU_ASSERT_PTR_EQUAL(o, o2);
    CU_ASSERT_EQUAL(pdf_reader_load(r, 3, &page, &err), 0);
    CU_ASSERT_EQUAL(pdf_reader_dict_get(r, page, "Contents", &contents,
        &err), 0);
    CU_ASSERT_EQUAL_FATAL(contents->type, PDF_STREAM);
    CU_ASSERT_EQUAL(contents->u.stream.data_len, 5);
    CU_ASSERT_EQUAL(pdf_reader_stream_data(r, contents, &data, 100, &err),
        0);
    CU_ASSERT_EQUAL(data.len, 5);
    CU_ASSERT_EQUAL(memcmp(data.data, "BT ET", 5), 0);
    eseal_bytes_free(&data);
    CU_ASSERT_EQUAL(pdf_reader_stream_data(r, contents, &data, 4, &err),
        ESEAL_ELIMIT);
    CU_ASSERT_PTR_NULL(data.data);
    CU_ASSERT_EQUAL(pdf_reader_dict_get(r, page, "Absent", &o, &err), 0);
    CU_ASSERT_PTR_NULL(o);
    CU_ASSERT_EQUAL(pdf_reader_load(r, 0, &o, &err), ESEAL_EFORMAT);
    CU_ASSERT_PTR_NULL(o);
    CU_ASSERT_TRUE(has(err.message, "object 0 0 is missing"));
    CU_ASSERT_EQUAL(pdf_reader_load(r, 77, &o, &err), ESEAL_EFORMAT);
    CU_ASSERT_TRUE(has(err.message, "object 77 0 is missing"));
    pdf_reader_free(r);
    pb_free(&b);
}

static void test_pdf_reader__table_subsections_free_eols(void)
{
    pb b = { 0 };
    pdf_reader *r;
    eseal_error err = { 0, "" };
    pdf_obj *o;
    uint64_t x;

    pb_basic(&b);
    pb_obj(&b, 6, "<< /Tag /Six >>");
    pb_obj(&b, 7, "(seven)");
    x = b.len;
    pb_str(&b, "xref\r\n0 1\r\n0000000000 65535 f\r\n");
    pb_fmt(&b, "1 3\n%010llu 00000 n \n%010llu 00000 n\r\n"
        "%010llu 00000 n\r ", (unsigned long long)b.off[1],
        (unsigned long long)b.off[2], (unsigned long long)b.off[3]);
    pb_fmt(&b, "4 4\n%010llu 00000 n\n0000000000 00001 f\r\n"
        "%llu 0 n\r\n%010llu 00000 n \n", (unsigned long long)b.off[4],
        (unsigned long long)b.off[6], (unsigned long long)b.off[7]);
    pb_trailer(&b, "<< /Size 8 /Root 1 0 R >>", x);
    r = open_ok(&b);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    check_first_page(r, 3);
    check_tag(r, 6, "Six");
    CU_ASSERT_EQUAL(pdf_reader_load(r, 7, &o, &err), 0);
    CU_ASSERT_EQUAL(o->type, PDF_STRING);
    CU_ASSERT_EQUAL(pdf_reader_load(r, 4, &o, &err), 0);
    CU_ASSERT_EQUAL(o->type, PDF_STREAM);
    CU_ASSERT_EQUAL(pdf_reader_entry(r, 5).type, 0);
    CU_ASSERT_EQUAL(pdf_reader_entry(r, 5).field3, 1);
    CU_ASSERT_EQUAL(pdf_reader_load(r, 5, &o, &err), ESEAL_EFORMAT);
    CU_ASSERT_TRUE(has(err.message, "object 5 0 is missing"));
    pdf_reader_free(r);
    pb_free(&b);
}

static void test_pdf_reader__startxref_at_whitespace(void)
{
    pb b = { 0 };
    pdf_reader *r;
    uint64_t ws;

    pb_basic(&b);
    ws = b.len;
    pb_str(&b, " \r\n\n");
    pb_table(&b, 5, " \n");
    pb_trailer(&b, "<< /Size 5 /Root 1 0 R >>", ws);
    r = open_ok(&b);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(pdf_reader_startxref(r), ws);
    CU_ASSERT_EQUAL(pdf_reader_section(r, 0)->offset, ws + 4);
    check_first_page(r, 3);
    pdf_reader_free(r);
    pb_free(&b);
}

static void test_pdf_reader__trailing_garbage(void)
{
    pb b = { 0 };
    pdf_reader *r;
    uint64_t x;
    int i;

    pb_basic(&b);
    x = pb_table(&b, 5, "\r\n");
    pb_trailer(&b, "<< /Size 5 /Root 1 0 R >>", x);
    /* far more than a few KB, with end-of-file markers and binary bytes */
    for (i = 0; i < 2000; i++)
        pb_str(&b, "garbage \x01\xff%%EOF\r\n");
    r = open_ok(&b);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(pdf_reader_startxref(r), x);
    check_first_page(r, 3);
    pdf_reader_free(r);
    pb_free(&b);
}

/* ---- xref streams ------------------------------------------------------- */

static void xref_stream_doc(int flate)
{
    pb b = { 0 };
    pdf_reader *r;
    xe ents[7];
    uint64_t x, ws;
    const pdf_obj *t;
    unsigned i;

    pb_basic(&b);
    pb_obj(&b, 5, "<< /Tag /Five >>");
    ents[0].type = 0;
    ents[0].f2 = 0;
    ents[0].f3 = 65535;
    for (i = 1; i <= 5; i++) {
        ents[i].type = 1;
        ents[i].f2 = b.off[i];
        ents[i].f3 = 0;
    }
    ents[6].type = 1;
    ents[6].f2 = SELF;
    ents[6].f3 = 0;
    ws = b.len;
    pb_str(&b, "\n\r\n");
    x = pb_xref_stream(&b, 6, ents, 7, NULL, 0, "/Root 1 0 R /ID [<aa><bb>]",
        flate);
    pb_tail(&b, flate ? ws : x);
    r = open_ok(&b);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(pdf_reader_section_count(r), 1);
    CU_ASSERT_EQUAL(pdf_reader_section(r, 0)->is_stream, 1);
    CU_ASSERT_EQUAL(pdf_reader_section(r, 0)->offset, x);
    CU_ASSERT_EQUAL(pdf_reader_size(r), 7);
    t = pdf_reader_trailer(r);
    CU_ASSERT_EQUAL(t->type, PDF_DICT);
    CU_ASSERT_TRUE(pdf_is_name(pdf_dict_get(t, "Type"), "XRef"));
    CU_ASSERT_EQUAL(pdf_reader_entry(r, 6).field2, x);
    check_first_page(r, 3);
    check_tag(r, 5, "Five");
    pdf_reader_free(r);
    pb_free(&b);
}

static void test_pdf_reader__xref_stream_plain(void)
{
    xref_stream_doc(0);
}

static void test_pdf_reader__xref_stream_flate_png_up(void)
{
    xref_stream_doc(1);
}

static void test_pdf_reader__object_streams(void)
{
    static const unsigned nums10[] = { 1, 2, 3, 5 };
    static const char *const bodies10[] = {
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 10 10] >>",
        "<< /Tag /Five /Str (a\\)b) >>",
    };
    static const unsigned nums11[] = { 12 };
    static const char *const bodies11[] = { "<< /Tag /Twelve >>" };
    pb b = { 0 };
    pdf_reader *r;
    eseal_error err = { 0, "" };
    pdf_obj *o;
    xe ents[21];
    uint64_t x;
    unsigned i;

    pb_header(&b, "1.5");
    pb_stream(&b, 4, "", "q Q", 3);
    pb_objstm(&b, 10, nums10, bodies10, 4, 1);
    pb_objstm(&b, 11, nums11, bodies11, 1, 0);
    memset(ents, 0, sizeof(ents));
    for (i = 0; i < 21; i++)
        ents[i].type = 0;
    ents[0].f3 = 65535;
    ents[1] = (xe){ 2, 10, 0 };
    ents[2] = (xe){ 2, 10, 1 };
    ents[3] = (xe){ 2, 10, 2 };
    ents[4] = (xe){ 1, b.off[4], 0 };
    ents[5] = (xe){ 2, 10, 3 };
    ents[10] = (xe){ 1, b.off[10], 0 };
    ents[11] = (xe){ 1, b.off[11], 0 };
    ents[12] = (xe){ 2, 11, 0 };
    ents[13] = (xe){ 2, 10, 7 };  /* beyond /N */
    ents[14] = (xe){ 2, 12, 0 };  /* 12 is not a stream, and compressed */
    ents[15] = (xe){ 2, 10, 0 };  /* index 0 holds object 1 */
    ents[16] = (xe){ 2, 4, 0 };   /* a stream that is no object stream */
    ents[17] = (xe){ 2, 19, 0 };  /* a missing object stream */
    ents[20] = (xe){ 1, SELF, 0 };
    x = pb_xref_stream(&b, 20, ents, 21, NULL, 0, "/Root 1 0 R", 1);
    pb_tail(&b, x);
    r = open_ok(&b);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(pdf_reader_entry(r, 5).type, 2);
    CU_ASSERT_EQUAL(pdf_reader_entry(r, 5).field2, 10);
    CU_ASSERT_EQUAL(pdf_reader_entry(r, 5).field3, 3);
    check_first_page(r, 3);
    check_tag(r, 5, "Five");
    CU_ASSERT_EQUAL(pdf_reader_load(r, 5, &o, &err), 0);
    CU_ASSERT_EQUAL(pdf_dict_get(o, "Str")->u.str.len, 3);
    check_tag(r, 12, "Twelve");
    CU_ASSERT_EQUAL(pdf_reader_load(r, 13, &o, &err), ESEAL_EFORMAT);
    CU_ASSERT_TRUE(has(err.message, "index 7 is beyond object stream 10"));
    CU_ASSERT_EQUAL(pdf_reader_load(r, 14, &o, &err), ESEAL_EFORMAT);
    CU_ASSERT_TRUE(has(err.message,
        "object stream 12 is itself inside an object stream"));
    CU_ASSERT_EQUAL(pdf_reader_load(r, 15, &o, &err), ESEAL_EFORMAT);
    CU_ASSERT_TRUE(has(err.message, "holds object 1 at index 0"));
    CU_ASSERT_EQUAL(pdf_reader_load(r, 16, &o, &err), ESEAL_EFORMAT);
    CU_ASSERT_TRUE(has(err.message, "object stream 4: /N or /First"));
    CU_ASSERT_EQUAL(pdf_reader_load(r, 17, &o, &err), ESEAL_EFORMAT);
    CU_ASSERT_TRUE(has(err.message, "object stream 19 is missing"));
    /* the good ones still load after the failures */
    check_tag(r, 5, "Five");
    pdf_reader_free(r);
    pb_free(&b);
}

/* An object stream whose /Length lives inside itself, and /Extends loops. */
static void test_pdf_reader__object_stream_loops(void)
{
    static const unsigned nums[] = { 1, 2 };
    static const char *const bodies[] = { "<< /Tag /One >>", "25" };
    pb b = { 0 }, body = { 0 };
    pdf_reader *r;
    eseal_error err = { 0, "" };
    pdf_obj *o;
    xe ents[8];
    uint64_t x;

    pb_header(&b, "1.5");
    /* 3: an object stream, its /Length (2 0 R) inside itself: the length
     * falls back to "endstream", so it still works */
    pb_fmt(&body, "1 0 2 16 %s\n%s\n", bodies[0], bodies[1]);
    b.off[3] = b.len;
    pb_fmt(&b, "3 0 obj\n<< /Type /ObjStm /N 2 /First 9 /Length 2 0 R >>\n"
        "stream\n%s\nendstream\nendobj\n", body.d);
    /* 4 and 5 extend each other */
    b.off[4] = b.len;
    pb_fmt(&b, "4 0 obj\n<< /Type /ObjStm /N 1 /First 4 /Extends 5 0 R "
        "/Length 24 >>\nstream\n6 0 << /Tag /Six >>     \nendstream\n"
        "endobj\n");
    b.off[5] = b.len;
    pb_fmt(&b, "5 0 obj\n<< /Type /ObjStm /N 1 /First 4 /Extends 4 0 R "
        "/Length 24 >>\nstream\n7 0 << /Tag /Sev >>     \nendstream\n"
        "endobj\n");
    (void)nums;
    memset(ents, 0, sizeof(ents));
    ents[1] = (xe){ 2, 3, 0 };
    ents[2] = (xe){ 2, 3, 1 };
    ents[3] = (xe){ 1, b.off[3], 0 };
    ents[4] = (xe){ 1, b.off[4], 0 };
    ents[5] = (xe){ 1, b.off[5], 0 };
    ents[6] = (xe){ 2, 4, 0 };
    ents[7] = (xe){ 1, SELF, 0 };
    x = pb_xref_stream(&b, 7, ents, 8, NULL, 0, "/Root 1 0 R", 0);
    pb_tail(&b, x);
    r = open_ok(&b);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    check_tag(r, 1, "One");
    CU_ASSERT_EQUAL(pdf_reader_load(r, 2, &o, &err), 0);
    CU_ASSERT_EQUAL(o->u.i, 25);
    CU_ASSERT_EQUAL(pdf_reader_load(r, 6, &o, &err), ESEAL_EFORMAT);
    CU_ASSERT_TRUE(has(err.message, "/Extends loop"));
    pdf_reader_free(r);
    pb_free(&body);
    pb_free(&b);
}

/* ---- chains of sections ------------------------------------------------- */

static void test_pdf_reader__hybrid_xrefstm(void)
{
    static const unsigned nums[] = { 5 };
    static const char *const bodies[] = { "<< /Tag /Five >>" };
    pb b = { 0 };
    pdf_reader *r;
    xe ents[5];
    uint64_t x1, x2, xs;
    char trailer[256];

    /* revision 1: a classic file, object 6 is /Old */
    pb_basic(&b);
    pb_obj(&b, 6, "<< /Tag /Old >>");
    x1 = pb_table(&b, 7, "\r\n");
    pb_trailer(&b, "<< /Size 7 /Root 1 0 R >>", x1);
    /* revision 2, hybrid: object 6 is /New (only in the hidden stream),
     * object 5 in an object stream (free in the table) */
    pb_obj(&b, 6, "<< /Tag /New >>");
    pb_objstm(&b, 8, nums, bodies, 1, 1);
    ents[0] = (xe){ 2, 8, 0 };
    ents[1] = (xe){ 1, b.off[6], 0 };
    ents[2] = (xe){ 1, b.off[8], 0 };
    ents[3] = (xe){ 1, SELF, 0 };
    xs = pb_xref_stream(&b, 9, ents, 4, "5 2 8 2", 10, "", 1);
    x2 = b.len;
    pb_fmt(&b, "xref\n0 1\n0000000000 65535 f\r\n5 1\n0000000000 00001 f\r\n"
        "8 2\n%010llu 00000 n\r\n%010llu 00000 n\r\n",
        (unsigned long long)b.off[8], (unsigned long long)xs);
    snprintf(trailer, sizeof(trailer),
        "<< /Size 10 /Root 1 0 R /Prev %llu /XRefStm %llu >>",
        (unsigned long long)x1, (unsigned long long)xs);
    pb_trailer(&b, trailer, x2);
    r = open_ok(&b);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(pdf_reader_section_count(r), 2);
    CU_ASSERT_EQUAL(pdf_reader_section(r, 0)->offset, x2);
    CU_ASSERT_EQUAL(pdf_reader_section(r, 0)->is_stream, 0);
    CU_ASSERT_EQUAL(pdf_reader_section(r, 0)->xrefstm, xs);
    CU_ASSERT_EQUAL(pdf_reader_section(r, 1)->offset, x1);
    CU_ASSERT_EQUAL(pdf_reader_size(r), 10);
    CU_ASSERT_PTR_NOT_NULL(pdf_dict_get(pdf_reader_trailer(r), "XRefStm"));
    check_tag(r, 6, "New");
    check_tag(r, 5, "Five");
    check_first_page(r, 3);
    pdf_reader_free(r);
    (void)ents[4];
    pb_free(&b);
}

static void test_pdf_reader__incremental_updates(void)
{
    pb b = { 0 };
    pdf_reader *r;
    eseal_error err = { 0, "" };
    pdf_obj *o, *page = NULL;
    uint64_t x1, x2, x3;
    uint32_t num;
    char t[256];

    pb_basic(&b);
    pb_obj(&b, 5, "<< /Tag /A >>");
    x1 = pb_table(&b, 6, "\r\n");
    pb_trailer(&b, "<< /Size 6 /Root 1 0 R >>", x1);
    /* update 1: object 5 changes, object 6 is new */
    pb_obj(&b, 5, "<< /Tag /B >>");
    pb_obj(&b, 6, "<< /Tag /C >>");
    x2 = b.len;
    pb_fmt(&b, "xref\n0 1\n0000000000 65535 f\r\n5 2\n%010llu 00000 n\r\n"
        "%010llu 00000 n\r\n", (unsigned long long)b.off[5],
        (unsigned long long)b.off[6]);
    snprintf(t, sizeof(t), "<< /Size 7 /Root 1 0 R /Prev %llu >>",
        (unsigned long long)x1);
    pb_trailer(&b, t, x2);
    /* update 2: the page changes, object 6 is deleted */
    pb_obj(&b, 3, "<< /Type /Page /Parent 2 0 R /Tag /P3 >>");
    x3 = b.len;
    pb_fmt(&b, "xref\n3 1\n%010llu 00000 n\r\n6 1\n0000000000 00001 f\r\n",
        (unsigned long long)b.off[3]);
    snprintf(t, sizeof(t), "<< /Size 7 /Root 1 0 R /Prev %llu >>",
        (unsigned long long)x2);
    pb_trailer(&b, t, x3);
    r = open_ok(&b);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(pdf_reader_startxref(r), x3);
    CU_ASSERT_EQUAL_FATAL(pdf_reader_section_count(r), 3);
    CU_ASSERT_EQUAL(pdf_reader_section(r, 0)->offset, x3);
    CU_ASSERT_EQUAL(pdf_reader_section(r, 1)->offset, x2);
    CU_ASSERT_EQUAL(pdf_reader_section(r, 2)->offset, x1);
    CU_ASSERT_EQUAL(pdf_reader_size(r), 7);
    check_tag(r, 5, "B");
    CU_ASSERT_EQUAL(pdf_reader_load(r, 6, &o, &err), ESEAL_EFORMAT);
    CU_ASSERT_EQUAL(pdf_reader_first_page(r, &num, &page, &err), 0);
    CU_ASSERT_EQUAL(num, 3);
    CU_ASSERT_TRUE(pdf_is_name(pdf_dict_get(page, "Tag"), "P3"));
    pdf_reader_free(r);
    pb_free(&b);
}

static void test_pdf_reader__linearized_chain(void)
{
    pb b = { 0 };
    pdf_reader *r;
    uint64_t fx, mx;
    size_t p1, p3, p4, pprev;

    pb_header(&b, "1.6");
    b.off[7] = b.len;
    pb_str(&b, "7 0 obj\n<< /Linearized 1 >>\nendobj\n");
    /* the first-page section, before the objects it lists */
    fx = b.len;
    pb_str(&b, "xref\n1 1\n");
    p1 = b.len;
    pb_str(&b, "0000000000 00000 n\r\n3 2\n");
    p3 = b.len;
    pb_str(&b, "0000000000 00000 n\r\n");
    p4 = b.len;
    pb_str(&b, "0000000000 00000 n\r\n7 1\n");
    pb_fmt(&b, "%010llu 00000 n\r\n", (unsigned long long)b.off[7]);
    pb_str(&b, "trailer\n<< /Size 8 /Root 1 0 R /Prev ");
    pprev = b.len;
    pb_str(&b, "0000000000 >>\nstartxref\n0\n%%EOF\n");
    pb_obj(&b, 1, "<< /Type /Catalog /Pages 2 0 R >>");
    pb_obj(&b, 3, "<< /Type /Page /Parent 2 0 R /Contents 4 0 R >>");
    pb_stream(&b, 4, "", "0 g", 3);
    pb_obj(&b, 2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>");
    pb_obj(&b, 5, "<< /Tag /Five >>");
    pb_obj(&b, 6, "<< /Tag /Six >>");
    /* the main section at the end */
    mx = b.len;
    pb_fmt(&b, "xref\n0 1\n0000000000 65535 f\r\n2 1\n%010llu 00000 n\r\n"
        "5 2\n%010llu 00000 n\r\n%010llu 00000 n\r\n",
        (unsigned long long)b.off[2], (unsigned long long)b.off[5],
        (unsigned long long)b.off[6]);
    pb_trailer(&b, "<< /Size 8 >>", fx);
    patch10(&b, p1, b.off[1]);
    patch10(&b, p3, b.off[3]);
    patch10(&b, p4, b.off[4]);
    patch10(&b, pprev, mx);
    r = open_ok(&b);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(pdf_reader_startxref(r), fx);
    CU_ASSERT_EQUAL_FATAL(pdf_reader_section_count(r), 2);
    CU_ASSERT_EQUAL(pdf_reader_section(r, 0)->offset, fx);
    CU_ASSERT_EQUAL(pdf_reader_section(r, 1)->offset, mx);
    CU_ASSERT_PTR_NOT_NULL(pdf_dict_get(pdf_reader_trailer(r), "Root"));
    check_first_page(r, 3);
    check_tag(r, 5, "Five");
    check_tag(r, 6, "Six");
    pdf_reader_free(r);
    pb_free(&b);
}

/* ---- stream lengths ----------------------------------------------------- */

static void check_stream(pdf_reader *r, uint32_t num, const char *want)
{
    eseal_error err = { 0, "" };
    eseal_bytes data = { NULL, 0 };
    pdf_obj *o = NULL;
    int rc = pdf_reader_load(r, num, &o, &err);

    if (rc != 0)
        fprintf(stderr, "\n  load %u: %s\n", num, err.message);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    CU_ASSERT_EQUAL_FATAL(o->type, PDF_STREAM);
    if (pdf_dict_get(o, "Filter") == NULL) {
        if (o->u.stream.data_len != strlen(want))
            fprintf(stderr, "\n  stream %u: %llu bytes\n", num,
                (unsigned long long)o->u.stream.data_len);
        CU_ASSERT_EQUAL(o->u.stream.data_len, strlen(want));
    }
    CU_ASSERT_EQUAL(pdf_reader_stream_data(r, o, &data, 1000, &err), 0);
    CU_ASSERT_EQUAL(data.len, strlen(want));
    CU_ASSERT_TRUE(data.len == strlen(want) &&
        memcmp(data.data, want, data.len) == 0);
    eseal_bytes_free(&data);
}

static void test_pdf_reader__stream_lengths(void)
{
    pb b = { 0 };
    pdf_reader *r;
    eseal_error err = { 0, "" };
    pdf_obj *o;
    uint64_t x;

    pb_basic(&b);
    /* 5: /Length in object 6 */
    b.off[5] = b.len;
    pb_str(&b, "5 0 obj\n<< /Length 6 0 R >>\nstream\r\nindirect!\r\n"
        "endstream\nendobj\n");
    pb_obj(&b, 6, "9");
    /* 7: a wrong /Length */
    b.off[7] = b.len;
    pb_str(&b, "7 0 obj\n<< /Length 3 >>\nstream\n0123456789\nendstream\n"
        "endobj\n");
    /* 8: /Length refers to itself */
    b.off[8] = b.len;
    pb_str(&b, "8 0 obj\n<< /Length 8 0 R >>\nstream\nself\nendstream\n"
        "endobj\n");
    /* 9: /Length refers to a missing object; no endobj, "stream" CR LF */
    b.off[9] = b.len;
    pb_str(&b, "9 0 obj\n<< /Length 40 0 R >>\nstream\r\nmissing\r\n"
        "endstream\n");
    /* 10: a /Length past the end of the file */
    b.off[10] = b.len;
    pb_str(&b, "10 0 obj\n<< /Length 99999999 >>\nstream\nlong\nendstream\n"
        "endobj\n");
    /* 11: the data holds the word endstream; the /Length is right */
    b.off[11] = b.len;
    pb_str(&b, "11 0 obj\n<< /Length 13 >>\nstream\na endstream bendstream\n"
        "endobj\n");
    /* 12: an object with no body, and 13 an integral real /Length */
    pb_str(&b, "12 0 obj endobj\n");
    b.off[12] = b.len - 16;
    b.off[13] = b.len;
    pb_str(&b, "13 0 obj<</Length 2.0>>stream\nab\nendstream endobj\n");
    /* 15 without endstream runs into 16, whose /Length is wrong too */
    b.off[15] = b.len;
    pb_str(&b, "15 0 obj\n<< /Length 0 >>\nstream\nAAA\nendobj\n");
    b.off[16] = b.len;
    pb_str(&b, "16 0 obj\n<< /Length 1 >>\nstream\nBBB\nendstream\n");
    /* 14 and 17: no endstream anywhere after them */
    b.off[14] = b.len;
    pb_str(&b, "14 0 obj\n<< /Length 2 0 R >>\nstream\nnever ends\nendobj\n");
    b.off[17] = b.len;
    pb_str(&b, "17 0 obj\n<< >>\nstream\nno end\n");
    x = pb_table(&b, 18, "\r\n");
    pb_trailer(&b, "<< /Size 18 /Root 1 0 R >>", x);
    r = open_ok(&b);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    check_stream(r, 5, "indirect!");
    check_stream(r, 7, "0123456789");
    check_stream(r, 8, "self");
    check_stream(r, 9, "missing");
    check_stream(r, 10, "long");
    check_stream(r, 11, "a endstream b");
    check_stream(r, 13, "ab");
    CU_ASSERT_EQUAL(pdf_reader_load(r, 12, &o, &err), 0);
    CU_ASSERT_EQUAL(o->type, PDF_NULL);
    CU_ASSERT_EQUAL(pdf_reader_load(r, 15, &o, &err), 0);
    CU_ASSERT_EQUAL(o->u.stream.data_off + o->u.stream.data_len,
        b.off[16] + strlen("16 0 obj\n<< /Length 1 >>\nstream\nBBB"));
    check_stream(r, 16, "BBB");
    CU_ASSERT_EQUAL(pdf_reader_load(r, 17, &o, &err), ESEAL_EFORMAT);
    CU_ASSERT_TRUE(has(err.message, "has no endstream"));
    CU_ASSERT_EQUAL(pdf_reader_load(r, 14, &o, &err), ESEAL_EFORMAT);
    CU_ASSERT_TRUE(has(err.message, "has no endstream"));
    CU_ASSERT_EQUAL(pdf_reader_load(r, 17, &o, &err), ESEAL_EFORMAT);
    check_stream(r, 16, "BBB");
    pdf_reader_free(r);
    pb_free(&b);
}

static void test_pdf_reader__stream_filters(void)
{
    pb b = { 0 };
    pdf_reader *r;
    eseal_error err = { 0, "" };
    eseal_bytes data = { NULL, 0 };
    pdf_obj *o;
    unsigned char *zeros = calloc(1, 4 << 20), *z = NULL, *z2 = NULL;
    size_t zl = 0, z2l = 0;
    uint64_t x;
    char extra[64];

    CU_ASSERT_PTR_NOT_NULL_FATAL(zeros);
    pb_basic(&b);
    /* 5: a Flate bomb, 4 MiB of zeros */
    CU_ASSERT_FATAL(compress_bytes(&z, &zl, zeros, 4 << 20) == 0);
    pb_stream(&b, 5, "/Filter /FlateDecode", z, zl);
    /* 6: an unsupported filter */
    pb_stream(&b, 6, "/Filter /DCTDecode", "xx", 2);
    /* 7: Flate twice, through an array with an indirect filter name */
    CU_ASSERT_FATAL(compress_bytes(&z2, &z2l, z, zl) == 0);
    pb_obj(&b, 8, "/FlateDecode");
    pb_stream(&b, 7, "/Filter [8 0 R /Fl] /DecodeParms [null null]", z2,
        z2l);
    /* 9: damaged Flate data */
    pb_stream(&b, 9, "/Filter /FlateDecode", "\x78\x9c\xff\xff\xff", 5);
    /* 10: a bad predictor */
    snprintf(extra, sizeof(extra),
        "/Filter /FlateDecode /DecodeParms << /Predictor 7 >>");
    pb_stream(&b, 10, extra, z, zl);
    /* 11: [/FlateDecode] with a lone /DecodeParms dictionary, PNG rows */
    free(z2);
    z2 = NULL;
    CU_ASSERT_FATAL(compress_bytes(&z2, &z2l,
        (const unsigned char *)"\0abc\2\3\3\3", 8) == 0);
    pb_stream(&b, 11, "/Filter [/FlateDecode] /DecodeParms << /Predictor 12 "
        "/Columns 3 >>", z2, z2l);
    x = pb_table(&b, 12, "\r\n");
    pb_trailer(&b, "<< /Size 12 /Root 1 0 R /Encrypt << /Filter /X >> >>",
        x);
    r = open_ok(&b);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_TRUE(pdf_reader_is_encrypted(r));
    CU_ASSERT_EQUAL_FATAL(pdf_reader_load(r, 5, &o, &err), 0);
    CU_ASSERT_EQUAL(pdf_reader_stream_data(r, o, &data, 1 << 20, &err),
        ESEAL_ELIMIT);
    CU_ASSERT_TRUE(has(err.message, "exceeds the limit"));
    CU_ASSERT_PTR_NULL(data.data);
    CU_ASSERT_EQUAL(pdf_reader_stream_data(r, o, &data, 4 << 20, &err), 0);
    CU_ASSERT_EQUAL(data.len, 4 << 20);
    CU_ASSERT_TRUE(data.len == (4 << 20) &&
        memcmp(data.data, zeros, data.len) == 0);
    eseal_bytes_free(&data);
    CU_ASSERT_EQUAL_FATAL(pdf_reader_load(r, 6, &o, &err), 0);
    CU_ASSERT_EQUAL(pdf_reader_stream_data(r, o, &data, 100, &err),
        ESEAL_EUNSUPPORTED);
    CU_ASSERT_TRUE(has(err.message, "/DCTDecode"));
    CU_ASSERT_EQUAL_FATAL(pdf_reader_load(r, 7, &o, &err), 0);
    CU_ASSERT_EQUAL(pdf_reader_stream_data(r, o, &data, 4 << 20, &err), 0);
    CU_ASSERT_EQUAL(data.len, 4 << 20);
    eseal_bytes_free(&data);
    CU_ASSERT_EQUAL_FATAL(pdf_reader_load(r, 9, &o, &err), 0);
    CU_ASSERT_EQUAL(pdf_reader_stream_data(r, o, &data, 100, &err),
        ESEAL_EFORMAT);
    CU_ASSERT_TRUE(has(err.message, "damaged Flate data"));
    CU_ASSERT_EQUAL_FATAL(pdf_reader_load(r, 10, &o, &err), 0);
    CU_ASSERT_EQUAL(pdf_reader_stream_data(r, o, &data, 4 << 20, &err),
        ESEAL_EUNSUPPORTED);
    CU_ASSERT_TRUE(has(err.message, "/Predictor 7"));
    check_stream(r, 11, "abcdef");
    pdf_reader_free(r);
    pb_free(&b);
    free(z);
    free(z2);
    free(zeros);
}

/* ---- predictors --------------------------------------------------------- */

static int png_paeth(int a, int b, int c)
{
    int p = a + b - c, pa = abs(p - a), pb_ = abs(p - b), pc = abs(p - c);

    if (pa <= pb_ && pa <= pc)
        return a;
    return pb_ <= pc ? b : c;
}

static void test_pdf_reader__predictors(void)
{
    enum { ROWS = 6, COLS = 5, BPP = 3, RL = COLS * BPP };
    unsigned char img[ROWS][RL], enc[ROWS * (RL + 1)];
    eseal_bytes d = { NULL, 0 };
    eseal_error err = { 0, "" };
    size_t r, i, o = 0;

    for (r = 0; r < ROWS; r++)
        for (i = 0; i < RL; i++)
            img[r][i] = (unsigned char)(r * 37 + i * i * 11 + 5);
    /* rows with types 0..4 and one more Paeth */
    for (r = 0; r < ROWS; r++) {
        int type = (int)(r % 5);

        enc[o++] = (unsigned char)type;
        for (i = 0; i < RL; i++) {
            int left = i >= BPP ? img[r][i - BPP] : 0;
            int up = r > 0 ? img[r - 1][i] : 0;
            int ul = r > 0 && i >= BPP ? img[r - 1][i - BPP] : 0;
            int pred = type == 0 ? 0 : type == 1 ? left : type == 2 ? up :
                type == 3 ? (left + up) / 2 : png_paeth(left, up, ul);

            enc[o++] = (unsigned char)(img[r][i] - pred);
        }
    }
    d.data = malloc(o);
    memcpy(d.data, enc, o);
    d.len = o;
    CU_ASSERT_EQUAL(eseal__pdf_unpredict(&d, 15, 3, 8, COLS, &err), 0);
    CU_ASSERT_EQUAL(d.len, sizeof(img));
    CU_ASSERT_EQUAL(memcmp(d.data, img, sizeof(img)), 0);
    eseal_bytes_free(&d);
    /* a truncated last row is decoded as far as it goes */
    d.data = malloc(o);
    memcpy(d.data, enc, o);
    d.len = (RL + 1) * 2 + 4;
    CU_ASSERT_EQUAL(eseal__pdf_unpredict(&d, 12, 3, 8, COLS, &err), 0);
    CU_ASSERT_EQUAL(d.len, RL * 2 + 3);
    CU_ASSERT_EQUAL(memcmp(d.data, img, RL * 2 + 3), 0);
    /* an invalid row type */
    d.data[0] = 9;
    d.len = RL + 1;
    CU_ASSERT_EQUAL(eseal__pdf_unpredict(&d, 12, 3, 8, COLS, &err),
        ESEAL_EFORMAT);
    eseal_bytes_free(&d);
    /* TIFF, 8 bits, 3 colors, 2 columns */
    d.data = malloc(6);
    memcpy(d.data, "\x0a\x14\x1e\x01\x02\x03", 6);
    d.len = 6;
    CU_ASSERT_EQUAL(eseal__pdf_unpredict(&d, 2, 3, 8, 2, &err), 0);
    CU_ASSERT_EQUAL(memcmp(d.data, "\x0a\x14\x1e\x0b\x16\x21", 6), 0);
    eseal_bytes_free(&d);
    /* TIFF, 16 bits, wrapping */
    d.data = malloc(6);
    memcpy(d.data, "\x00\x01\xff\xff\x00\x02", 6);
    d.len = 6;
    CU_ASSERT_EQUAL(eseal__pdf_unpredict(&d, 2, 1, 16, 3, &err), 0);
    CU_ASSERT_EQUAL(memcmp(d.data, "\x00\x01\x00\x00\x00\x02", 6), 0);
    eseal_bytes_free(&d);
    /* TIFF, 4 bits: 1 2 3 4 -> 1 3 6 10 */
    d.data = malloc(2);
    memcpy(d.data, "\x12\x34", 2);
    d.len = 2;
    CU_ASSERT_EQUAL(eseal__pdf_unpredict(&d, 2, 1, 4, 4, &err), 0);
    CU_ASSERT_EQUAL(memcmp(d.data, "\x13\x6a", 2), 0);
    /* bad parameters */
    CU_ASSERT_EQUAL(eseal__pdf_unpredict(&d, 12, 0, 8, 1, &err),
        ESEAL_EFORMAT);
    CU_ASSERT_EQUAL(eseal__pdf_unpredict(&d, 12, 1, 3, 1, &err),
        ESEAL_EFORMAT);
    CU_ASSERT_EQUAL(eseal__pdf_unpredict(&d, 12, 1, 8, 0, &err),
        ESEAL_EFORMAT);
    CU_ASSERT_EQUAL(eseal__pdf_unpredict(&d, 1, 0, 0, 0, &err), 0);
    eseal_bytes_free(&d);
}

/* ---- the page tree ------------------------------------------------------ */

static void test_pdf_reader__first_page_skips_empty_kids(void)
{
    pb b = { 0 };
    pdf_reader *r;
    eseal_error err = { 0, "" };
    uint64_t x;
    uint32_t num;
    pdf_obj *page;

    pb_header(&b, "1.4");
    pb_obj(&b, 1, "<< /Type /Catalog /Pages 2 0 R >>");
    pb_obj(&b, 2, "<< /Type /Pages /Kids [5 0 R 6 0 R] /Count 1 >>");
    pb_obj(&b, 5, "<< /Type /Pages /Kids [] /Count 0 >>");
    pb_obj(&b, 7, "<< /Kids [ ] >>");
    pb_obj(&b, 3, "<< /Type /Page /Tag /First >>");
    pb_obj(&b, 4, "<< /Type /Pages /Kids [8 0 R] >>");
    pb_obj(&b, 8, "<< /Type /Pages /Kids [4 0 R] >>");
    /* 6's second kid comes after the empty node 7 */
    pb_obj(&b, 6, "<< /Type /Pages /Kids [7 0 R 3 0 R] >>");
    x = pb_table(&b, 9, "\r\n");
    pb_trailer(&b, "<< /Size 9 /Root 1 0 R >>", x);
    r = open_ok(&b);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(pdf_reader_first_page(r, &num, &page, &err), 0);
    CU_ASSERT_EQUAL(num, 3);
    CU_ASSERT_TRUE(pdf_is_name(pdf_dict_get(page, "Tag"), "First"));
    pdf_reader_free(r);
    pb_free(&b);

    /* a loop: 2 -> 4 -> 8 -> 4 */
    pb_header(&b, "1.4");
    pb_obj(&b, 1, "<< /Type /Catalog /Pages 2 0 R >>");
    pb_obj(&b, 2, "<< /Type /Pages /Kids [4 0 R] >>");
    pb_obj(&b, 4, "<< /Type /Pages /Kids [8 0 R] >>");
    pb_obj(&b, 8, "<< /Type /Pages /Kids [4 0 R] >>");
    x = pb_table(&b, 9, "\r\n");
    pb_trailer(&b, "<< /Size 9 /Root 1 0 R >>", x);
    r = open_ok(&b);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(pdf_reader_first_page(r, &num, &page, &err),
        ESEAL_EFORMAT);
    CU_ASSERT_TRUE(has(err.message, "page tree loop"));
    CU_ASSERT_PTR_NULL(page);
    pdf_reader_free(r);
    pb_free(&b);

    /* no pages at all, and a missing /Pages object */
    pb_header(&b, "1.4");
    pb_obj(&b, 1, "<< /Type /Catalog /Pages 2 0 R >>");
    pb_obj(&b, 2, "<< /Type /Pages /Kids [] /Count 0 >>");
    pb_obj(&b, 3, "<< /Type /Catalog /Pages 9 0 R >>");
    x = pb_table(&b, 4, "\r\n");
    pb_trailer(&b, "<< /Size 4 /Root 1 0 R >>", x);
    r = open_ok(&b);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(pdf_reader_first_page(r, &num, &page, &err),
        ESEAL_EFORMAT);
    CU_ASSERT_TRUE(has(err.message, "no pages"));
    pdf_reader_free(r);
    x = pb_table(&b, 4, "\r\n");
    pb_trailer(&b, "<< /Size 4 /Root 3 0 R >>", x);
    r = open_ok(&b);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(pdf_reader_first_page(r, &num, &page, &err),
        ESEAL_EFORMAT);
    CU_ASSERT_TRUE(has(err.message, "object 9 0 is missing"));
    pdf_reader_free(r);
    pb_free(&b);
}

/* ---- broken input ------------------------------------------------------- */

static void test_pdf_reader__not_a_pdf_and_truncated(void)
{
    pb b = { 0 };
    eseal_error err;
    uint64_t x;
    size_t full;

    pb_str(&b, "hello, this is not a PDF\nstartxref\n0\n%%EOF\n");
    CU_ASSERT_EQUAL(open_err(&b, &err), ESEAL_EFORMAT);
    CU_ASSERT_TRUE(has(err.message, "not a PDF"));
    pb_free(&b);
    CU_ASSERT_EQUAL(open_err(&b, &err), ESEAL_EFORMAT);

    pb_basic(&b);
    x = pb_table(&b, 5, "\r\n");
    pb_trailer(&b, "<< /Size 5 /Root 1 0 R >>", x);
    full = b.len;
    /* cut in the middle: no startxref */
    b.len = full / 2;
    CU_ASSERT_EQUAL(open_err(&b, &err), ESEAL_EFORMAT);
    CU_ASSERT_TRUE(has(err.message, "no startxref"));
    /* cut inside the table */
    b.len = (size_t)x + 40;
    CU_ASSERT_EQUAL(open_err(&b, &err), ESEAL_EFORMAT);
    /* cut right after "startxref" */
    b.len = full - strlen("\n%%EOF\n") - strlen(" ") - 1;
    while (b.d[b.len - 1] != 'f')
        b.len--;
    CU_ASSERT_EQUAL(open_err(&b, &err), ESEAL_EFORMAT);
    CU_ASSERT_TRUE(has(err.message, "not followed by an offset"));
    pb_free(&b);
}

static void test_pdf_reader__bad_offsets(void)
{
    pb b = { 0 };
    eseal_error err;
    uint64_t x;
    size_t pos;
    char t[128];

    pb_basic(&b);
    x = pb_table(&b, 5, "\r\n");
    pb_trailer(&b, "<< /Size 5 /Root 1 0 R >>", 999999);
    CU_ASSERT_EQUAL(open_err(&b, &err), ESEAL_EFORMAT);
    CU_ASSERT_TRUE(has(err.message,
        "startxref offset 999999 is beyond the end of the file"));
    /* /Prev beyond the end */
    x = pb_table(&b, 5, "\r\n");
    pb_trailer(&b, "<< /Size 5 /Root 1 0 R /Prev 888888 >>", x);
    CU_ASSERT_EQUAL(open_err(&b, &err), ESEAL_EFORMAT);
    CU_ASSERT_TRUE(has(err.message, "/Prev offset 888888 is beyond"));
    /* pointing into an object */
    snprintf(t, sizeof(t), "<< /Size 5 /Root 1 0 R >>");
    pb_trailer(&b, t, b.off[2] + 3);
    CU_ASSERT_EQUAL(open_err(&b, &err), ESEAL_EFORMAT);
    CU_ASSERT_TRUE(has(err.message, "no xref section at offset"));
    /* pointing at an object that is not an xref stream */
    pb_trailer(&b, t, b.off[2]);
    CU_ASSERT_EQUAL(open_err(&b, &err), ESEAL_EFORMAT);
    CU_ASSERT_TRUE(has(err.message, "not a stream"));
    /* pointing at white space that runs to the end of the file */
    pb_str(&b, "startxref\n");
    pos = b.len;
    pb_str(&b, "0000000000\n%%EOF\n\n");
    patch10(&b, pos, b.len - 2);
    CU_ASSERT_EQUAL(open_err(&b, &err), ESEAL_EFORMAT);
    CU_ASSERT_TRUE(has(err.message, "no xref section at offset"));
    pb_free(&b);
}

static void test_pdf_reader__prev_loops(void)
{
    pb b = { 0 };
    eseal_error err;
    uint64_t x1, x2;
    size_t pprev;
    char t[128];

    pb_basic(&b);
    x1 = b.len;
    snprintf(t, sizeof(t), "<< /Size 5 /Root 1 0 R /Prev %llu >>",
        (unsigned long long)x1);
    pb_table(&b, 5, "\r\n");
    pb_trailer(&b, t, x1);
    CU_ASSERT_EQUAL(open_err(&b, &err), ESEAL_EFORMAT);
    CU_ASSERT_TRUE(has(err.message, "/Prev loop"));
    pb_free(&b);

    /* two sections pointing at each other */
    pb_basic(&b);
    x1 = pb_table(&b, 5, "\r\n");
    pb_str(&b, "trailer\n<< /Size 5 /Root 1 0 R /Prev ");
    pprev = b.len;
    pb_str(&b, "0000000000 >>\n");
    x2 = pb_table(&b, 5, "\r\n");
    snprintf(t, sizeof(t), "<< /Size 5 /Root 1 0 R /Prev %llu >>",
        (unsigned long long)x1);
    pb_trailer(&b, t, x2);
    patch10(&b, pprev, x2);
    CU_ASSERT_EQUAL(open_err(&b, &err), ESEAL_EFORMAT);
    CU_ASSERT_TRUE(has(err.message, "/Prev loop"));
    /* /Prev pointing at white space before the same table */
    patch10(&b, pprev, x2 - 1);
    b.d[x2 - 1] = '\n';
    CU_ASSERT_EQUAL(open_err(&b, &err), ESEAL_EFORMAT);
    CU_ASSERT_TRUE(has(err.message, "/Prev loop"));
    pb_free(&b);
}

static void test_pdf_reader__bad_objects(void)
{
    pb b = { 0 };
    pdf_reader *r;
    eseal_error err = { 0, "" };
    pdf_obj *o;
    uint64_t x;
    size_t i;

    pb_basic(&b);
    b.off[5] = b.len;
    pb_str(&b, "5 0 obj\n");
    for (i = 0; i < 100000; i++)
        pb_str(&b, "[");
    pb_str(&b, "\nendobj\n");
    pb_obj(&b, 6, "<< /A (unterminated >>");
    pb_obj(&b, 7, "<< /A 1 ");
    b.off[8] = b.off[2]; /* header mismatch */
    b.off[9] = b.len + 1000000; /* offset beyond the end */
    b.off[10] = b.off[4] + 1; /* no header there */
    pb_obj(&b, 11, "11 0 R");
    pb_obj(&b, 12, "13 0 R");
    pb_obj(&b, 13, "12 0 R");
    x = pb_table(&b, 14, "\r\n");
    pb_trailer(&b, "<< /Size 14 /Root 1 0 R >>", x);
    r = open_ok(&b);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(pdf_reader_load(r, 5, &o, &err), ESEAL_ELIMIT);
    CU_ASSERT_TRUE(has(err.message, "object 5 0: objects nested deeper"));
    CU_ASSERT_EQUAL(pdf_reader_load(r, 6, &o, &err), ESEAL_EFORMAT);
    CU_ASSERT_TRUE(has(err.message, "object 6 0: unterminated literal"));
    CU_ASSERT_EQUAL(pdf_reader_load(r, 7, &o, &err), ESEAL_EFORMAT);
    CU_ASSERT_TRUE(has(err.message, "unterminated dictionary"));
    CU_ASSERT_EQUAL(pdf_reader_load(r, 8, &o, &err), ESEAL_EFORMAT);
    CU_ASSERT_TRUE(has(err.message, "holds object 2 0"));
    CU_ASSERT_EQUAL(pdf_reader_load(r, 9, &o, &err), ESEAL_EFORMAT);
    CU_ASSERT_TRUE(has(err.message, "beyond the end of the file"));
    CU_ASSERT_EQUAL(pdf_reader_load(r, 10, &o, &err), ESEAL_EFORMAT);
    CU_ASSERT_TRUE(has(err.message, "no object header"));
    /* an object whose value is a reference to itself */
    CU_ASSERT_EQUAL(pdf_reader_load(r, 11, &o, &err), 0);
    CU_ASSERT_EQUAL(pdf_reader_resolve(r, o, &o, &err), ESEAL_ELIMIT);
    CU_ASSERT_TRUE(has(err.message, "chain of more than"));
    CU_ASSERT_EQUAL(pdf_reader_load(r, 12, &o, &err), 0);
    CU_ASSERT_EQUAL(pdf_reader_resolve(r, o, &o, &err), ESEAL_ELIMIT);
    /* the reader stays usable */
    check_first_page(r, 3);
    pdf_reader_free(r);
    pb_free(&b);
}

static void test_pdf_reader__bad_tables(void)
{
    pb b = { 0 };
    eseal_error err;
    uint64_t x;
    size_t base;

    pb_basic(&b);
    base = b.len;
    /* a malformed entry */
    x = b.len;
    pb_fmt(&b, "xref\n0 3\n0000000000 65535 f\r\n%010llu 00000 n\r\n"
        "00000000x0 00000 n\r\n", (unsigned long long)b.off[1]);
    pb_trailer(&b, "<< /Size 3 /Root 1 0 R >>", x);
    CU_ASSERT_EQUAL(open_err(&b, &err), ESEAL_EFORMAT);
    CU_ASSERT_TRUE(has(err.message, "entry 2 is malformed"));
    {
        char want[64];

        snprintf(want, sizeof(want), "xref table at offset %llu",
            (unsigned long long)x);
        CU_ASSERT_TRUE(has(err.message, want));
    }
    /* fewer entries than the subsection says */
    b.len = base;
    x = pb_table(&b, 5, "\r\n");
    b.d[x + 7] = '6';
    pb_trailer(&b, "<< /Size 5 /Root 1 0 R >>", x);
    CU_ASSERT_EQUAL(open_err(&b, &err), ESEAL_EFORMAT);
    CU_ASSERT_TRUE(has(err.message, "entry 5 is malformed"));
    /* no trailer */
    b.len = base;
    x = pb_table(&b, 5, "\r\n");
    pb_fmt(&b, "startxref\n%llu\n%%%%EOF\n", (unsigned long long)x);
    CU_ASSERT_EQUAL(open_err(&b, &err), ESEAL_EFORMAT);
    CU_ASSERT_TRUE(has(err.message, "no trailer"));
    /* an unterminated trailer */
    b.len = base;
    x = pb_table(&b, 5, "\r\n");
    pb_trailer(&b, "<< /Size 5 /Root 1 0 R ", x);
    CU_ASSERT_EQUAL(open_err(&b, &err), ESEAL_EFORMAT);
    CU_ASSERT_TRUE(has(err.message, "trailer"));
    /* a huge /Size */
    b.len = base;
    x = pb_table(&b, 5, "\r\n");
    pb_trailer(&b, "<< /Size 99999999 /Root 1 0 R >>", x);
    CU_ASSERT_EQUAL(open_err(&b, &err), ESEAL_ELIMIT);
    CU_ASSERT_TRUE(has(err.message, "/Size 99999999 exceeds the limit"));
    /* a huge subsection */
    b.len = base;
    x = b.len;
    pb_str(&b, "xref\n8000000 900000\n0000000000 65535 f\r\n");
    pb_trailer(&b, "<< /Size 5 /Root 1 0 R >>", x);
    CU_ASSERT_EQUAL(open_err(&b, &err), ESEAL_ELIMIT);
    /* a generation over 65535 for an object in use */
    b.len = base;
    x = b.len;
    pb_str(&b, "xref\n0 2\n0000000000 65535 f\r\n0000000015 99999 n\r\n");
    pb_trailer(&b, "<< /Size 2 /Root 1 0 R >>", x);
    CU_ASSERT_EQUAL(open_err(&b, &err), ESEAL_EFORMAT);
    pb_free(&b);
}

static void test_pdf_reader__bad_xref_streams(void)
{
    pb b = { 0 };
    eseal_error err;
    xe ents[3];
    uint64_t x;
    size_t base;
    unsigned char *zeros = calloc(1, 1 << 20), *z = NULL;
    size_t zl = 0;

    pb_basic(&b);
    base = b.len;
    ents[0] = (xe){ 0, 0, 65535 };
    ents[1] = (xe){ 1, b.off[1], 0 };
    ents[2] = (xe){ 1, SELF, 0 };
    /* huge /W */
    x = b.len;
    pb_str(&b, "9 0 obj\n<< /Type /XRef /Size 3 /W [1 100 1] /Length 0 >>\n"
        "stream\n\nendstream\nendobj\n");
    pb_tail(&b, x);
    CU_ASSERT_EQUAL(open_err(&b, &err), ESEAL_ELIMIT);
    CU_ASSERT_TRUE(has(err.message, "/W [1 100 1]"));
    /* /W of the wrong shape */
    b.len = base;
    x = b.len;
    pb_str(&b, "9 0 obj\n<< /Type /XRef /Size 3 /W [1 2] /Length 0 >>\n"
        "stream\n\nendstream\nendobj\n");
    pb_tail(&b, x);
    CU_ASSERT_EQUAL(open_err(&b, &err), ESEAL_EFORMAT);
    CU_ASSERT_TRUE(has(err.message, "/W is malformed"));
    /* a huge /Size */
    b.len = base;
    x = pb_xref_stream(&b, 2, ents, 3, NULL, 99999999, "/Root 1 0 R", 0);
    pb_tail(&b, x);
    CU_ASSERT_EQUAL(open_err(&b, &err), ESEAL_ELIMIT);
    /* a huge /Index */
    b.len = base;
    x = pb_xref_stream(&b, 2, ents, 3, "0 3 5 99999999", 3, "/Root 1 0 R",
        0);
    pb_tail(&b, x);
    CU_ASSERT_EQUAL(open_err(&b, &err), ESEAL_ELIMIT);
    /* too little data for /Index */
    b.len = base;
    x = pb_xref_stream(&b, 2, ents, 3, "0 4", 4, "/Root 1 0 R", 0);
    pb_tail(&b, x);
    CU_ASSERT_EQUAL(open_err(&b, &err), ESEAL_EFORMAT);
    CU_ASSERT_TRUE(has(err.message, "expected"));
    /* a Flate bomb as an xref stream */
    CU_ASSERT_FATAL(compress_bytes(&z, &zl, zeros, 1 << 20) == 0);
    b.len = base;
    x = b.len;
    pb_fmt(&b, "9 0 obj\n<< /Type /XRef /Size 3 /W [1 4 2] /Filter "
        "/FlateDecode /Length %zu >>\nstream\n", zl);
    pb_mem(&b, z, zl);
    pb_str(&b, "\nendstream\nendobj\n");
    pb_tail(&b, x);
    CU_ASSERT_EQUAL(open_err(&b, &err), ESEAL_ELIMIT);
    CU_ASSERT_TRUE(has(err.message, "exceeds the limit"));
    /* decode parameters by reference are refused while opening */
    b.len = base;
    x = b.len;
    pb_str(&b, "9 0 obj\n<< /Type /XRef /Size 3 /W [1 4 2] /Filter "
        "/FlateDecode /DecodeParms 1 0 R /Length 0 >>\nstream\n\n"
        "endstream\nendobj\n");
    pb_tail(&b, x);
    CU_ASSERT_EQUAL(open_err(&b, &err), ESEAL_EFORMAT);
    CU_ASSERT_TRUE(has(err.message, "while the xref sections are read"));
    free(z);
    free(zeros);
    pb_free(&b);
}

/* ---- files over 4 GiB --------------------------------------------------- */

static void test_pdf_reader__offsets_over_4gib(void)
{
    const uint64_t base = (5ull << 30) + 12345;
    char path[] = "/tmp/eseal-pdfread-XXXXXX";
    pb tail = { 0 };
    pdf_reader *r = NULL;
    eseal_error err = { 0, "" };
    unsigned char *map;
    uint64_t size, x;
    int fd;

    if (sizeof(void *) < 8)
        return; /* cannot map such a file */
    fd = mkstemp(path);
    CU_ASSERT_FATAL(fd >= 0);
    unlink(path);
    /* a sparse file: the header at 0, the objects after 5 GiB */
    CU_ASSERT_FATAL(pwrite(fd, "%PDF-1.7\n", 9, 0) == 9);
    tail.off[0] = 0;
    pb_fmt(&tail, "1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n");
    tail.off[2] = base + tail.len;
    pb_str(&tail, "2 0 obj\n<< /Type /Pages /Kids [3 0 R] >>\nendobj\n");
    tail.off[3] = base + tail.len;
    pb_str(&tail, "3 0 obj\n<< /Type /Page >>\nendobj\n");
    tail.off[1] = base;
    x = base + tail.len;
    pb_fmt(&tail, "xref\n0 4\n0000000000 65535 f\r\n%010llu 00000 n\r\n"
        "%010llu 00000 n\r\n%010llu 00000 n\r\n",
        (unsigned long long)tail.off[1], (unsigned long long)tail.off[2],
        (unsigned long long)tail.off[3]);
    pb_trailer(&tail, "<< /Size 4 /Root 1 0 R >>", x);
    CU_ASSERT_FATAL(pwrite(fd, tail.d, tail.len, (off_t)base) ==
        (ssize_t)tail.len);
    size = base + tail.len;
    map = mmap(NULL, (size_t)size, PROT_READ, MAP_PRIVATE, fd, 0);
    CU_ASSERT_FATAL(map != MAP_FAILED);
    CU_ASSERT_EQUAL(pdf_reader_open(&r, map, size, "big.pdf", &err), 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(pdf_reader_startxref(r), x);
    CU_ASSERT_EQUAL(pdf_reader_entry(r, 3).field2, tail.off[3]);
    check_first_page(r, 3);
    pdf_reader_free(r);
    munmap(map, (size_t)size);
    close(fd);
    pb_free(&tail);
}

int main(void)
{
    static const unit_case cases[] = {
        UNIT_CASE(test_pdf_reader__lex_numbers),
        UNIT_CASE(test_pdf_reader__lex_strings),
        UNIT_CASE(test_pdf_reader__lex_names_and_keywords),
        UNIT_CASE(test_pdf_reader__lex_containers),
        UNIT_CASE(test_pdf_reader__lex_deep_nesting),
        UNIT_CASE(test_pdf_reader__obj_model),
        UNIT_CASE(test_pdf_reader__classic_table),
        UNIT_CASE(test_pdf_reader__table_subsections_free_eols),
        UNIT_CASE(test_pdf_reader__startxref_at_whitespace),
        UNIT_CASE(test_pdf_reader__trailing_garbage),
        UNIT_CASE(test_pdf_reader__xref_stream_plain),
        UNIT_CASE(test_pdf_reader__xref_stream_flate_png_up),
        UNIT_CASE(test_pdf_reader__object_streams),
        UNIT_CASE(test_pdf_reader__object_stream_loops),
        UNIT_CASE(test_pdf_reader__hybrid_xrefstm),
        UNIT_CASE(test_pdf_reader__incremental_updates),
        UNIT_CASE(test_pdf_reader__linearized_chain),
        UNIT_CASE(test_pdf_reader__stream_lengths),
        UNIT_CASE(test_pdf_reader__stream_filters),
        UNIT_CASE(test_pdf_reader__predictors),
        UNIT_CASE(test_pdf_reader__first_page_skips_empty_kids),
        UNIT_CASE(test_pdf_reader__not_a_pdf_and_truncated),
        UNIT_CASE(test_pdf_reader__bad_offsets),
        UNIT_CASE(test_pdf_reader__prev_loops),
        UNIT_CASE(test_pdf_reader__bad_objects),
        UNIT_CASE(test_pdf_reader__bad_tables),
        UNIT_CASE(test_pdf_reader__bad_xref_streams),
        UNIT_CASE(test_pdf_reader__offsets_over_4gib),
        UNIT_END
    };
    return unit_run("pdf_reader", cases);
}
