/*
 * Unit tests: serializing PDF objects, cross-reference sections, and the
 * sealing side of the PDF adapter (prepare, embed, self-check) on small
 * PDFs built in memory.
 */
#include <locale.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/cms.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include "unit.h"
#include "eseal_config.h"
#include "pdf/pdf_adapter.h"
#include "pdf/pdf_reader.h"
#include "pdf/pdf_update.h"
#include "pdf/pdf_write.h"

/*
 * This suite links the sealing and reading modules only; the adapter's
 * vtable also names the verifier's entry points, which are not exercised
 * here.  Weak stand-ins keep the link self-contained.
 */
__attribute__((weak)) int eseal__pdf_find_signatures(eseal_verify_job *vj,
    eseal_error *err)
{
    (void)vj;
    return eseal__error_set(err, ESEAL_EUNSUPPORTED, "not linked");
}

__attribute__((weak)) void eseal__pdf_verify_cleanup(eseal_verify_job *vj)
{
    (void)vj;
}

/* ---- helpers ---------------------------------------------------------- */

static char *write_to_string(const pdf_obj *o)
{
    eseal_buf b = { 0 };
    eseal_error err = { 0, "" };

    if (eseal__pdf_write_obj(&b, o, &err) < 0) {
        eseal__buf_free(&b);
        return NULL;
    }
    return eseal__buf_steal(&b, NULL);
}

static int obj_equal(const pdf_obj *x, const pdf_obj *y)
{
    size_t i;

    if (x == NULL || y == NULL || x->type != y->type)
        return 0;
    switch (x->type) {
    case PDF_NULL:
        return 1;
    case PDF_BOOL:
        return !x->u.boolean == !y->u.boolean;
    case PDF_INT:
        return x->u.i == y->u.i;
    case PDF_REAL:
        return x->u.r == y->u.r;
    case PDF_NAME:
        return x->u.name.len == y->u.name.len
            && memcmp(x->u.name.s, y->u.name.s, x->u.name.len) == 0;
    case PDF_STRING:
        return x->u.str.len == y->u.str.len
            && !x->u.str.hex == !y->u.str.hex
            && memcmp(x->u.str.s, y->u.str.s, x->u.str.len) == 0;
    case PDF_REF:
        return x->u.ref.num == y->u.ref.num && x->u.ref.gen == y->u.ref.gen;
    case PDF_ARRAY:
        if (x->u.arr.len != y->u.arr.len)
            return 0;
        for (i = 0; i < x->u.arr.len; i++)
            if (!obj_equal(x->u.arr.items[i], y->u.arr.items[i]))
                return 0;
        return 1;
    case PDF_DICT:
        if (x->u.dict.len != y->u.dict.len)
            return 0;
        for (i = 0; i < x->u.dict.len; i++)
            if (!obj_equal(x->u.dict.vals[i],
                    pdf_dict_get(y, x->u.dict.keys[i])))
                return 0;
        return 1;
    default:
        return 0;
    }
}

/* Serializes o, parses the text back and compares. */
static int round_trips(pdf_arena *a, const pdf_obj *o)
{
    eseal_error err = { 0, "" };
    pdf_obj *back = NULL;
    size_t used = 0;
    char *s = write_to_string(o);
    int ok;

    if (s == NULL)
        return 0;
    ok = pdf_parse_object(a, (const unsigned char *)s, strlen(s), &back,
             &used, &err) == 0 && obj_equal(o, back);
    if (!ok)
        fprintf(stderr, "\n  no round trip: %s (%s)\n", s, err.message);
    free(s);
    return ok;
}

static void check_real(double v, const char *want)
{
    eseal_buf b = { 0 };
    eseal_error err = { 0, "" };

    CU_ASSERT_EQUAL(eseal__pdf_write_real(&b, v, &err), 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b.data);
    if (strcmp(b.data, want) != 0)
        fprintf(stderr, "\n  real %.17g: got %s, want %s\n", v, b.data, want);
    CU_ASSERT_STRING_EQUAL(b.data, want);
    eseal__buf_free(&b);
}

/* ---- building test PDFs ----------------------------------------------- */

typedef struct test_obj {
    const char *body;   /* the object's text, "<<...>>" */
    int compressed;     /* inside an object stream (xref stream files) */
} test_obj;

/*
 * A one-revision PDF: objects 1..n (1 is the catalog), then a classic
 * table (xref_stream 0) or a cross-reference stream.  trailer_extra is
 * inserted into the trailer dictionary.  eol: end the file with "\n".
 */
static eseal_bytes make_pdf(const char *version, const test_obj *objs,
    int xref_stream, const char *trailer_extra, int eol)
{
    eseal_buf b = { 0 }, stm = { 0 }, head = { 0 };
    uint64_t off[64] = { 0 }, xref;
    int idx[64] = { 0 }, n, i, k = 0, objstm = 0, xnum;
    eseal_bytes out = { NULL, 0 };

    for (n = 0; objs[n].body != NULL; n++)
        ;
    eseal__buf_printf(&b, "%%PDF-%s\n%%\xe2\xe3\xcf\xd3\n", version);
    for (i = 0; i < n; i++) {
        if (xref_stream && objs[i].compressed) {
            eseal__buf_printf(&head, "%d %zu ", i + 1, stm.len);
            eseal__buf_printf(&stm, "%s\n", objs[i].body);
            idx[i] = k++;
            continue;
        }
        off[i + 1] = b.len;
        eseal__buf_printf(&b, "%d 0 obj\n%s\nendobj\n", i + 1, objs[i].body);
    }
    if (k > 0) {
        objstm = n + 1;
        off[objstm] = b.len;
        eseal__buf_printf(&b, "%d 0 obj\n<</Type /ObjStm /N %d /First %zu "
            "/Length %zu>>\nstream\n%s%s\nendstream\nendobj\n", objstm, k,
            head.len, head.len + stm.len, head.data, stm.data);
    }
    xnum = n + 1 + (k > 0);
    xref = b.len;
    if (!xref_stream) {
        eseal__buf_printf(&b, "xref\n0 %d\n0000000000 65535 f\r\n", n + 1);
        for (i = 1; i <= n; i++)
            eseal__buf_printf(&b, "%010llu 00000 n\r\n",
                (unsigned long long)off[i]);
        eseal__buf_printf(&b, "trailer\n<</Size %d /Root 1 0 R%s>>\n",
            n + 1, trailer_extra);
    } else {
        unsigned char row[4];
        int total = xnum + 1;

        off[xnum] = xref;
        eseal__buf_printf(&b, "%d 0 obj\n<</Type /XRef /Size %d /W [1 2 1] "
            "/Root 1 0 R%s /Length %d>>\nstream\n", xnum, total,
            trailer_extra, 4 * total);
        for (i = 0; i < total; i++) {
            if (i == 0) {
                row[0] = 0; row[1] = 0; row[2] = 0; row[3] = 0xff;
            } else if (i <= n && objs[i - 1].compressed) {
                row[0] = 2; row[1] = 0; row[2] = (unsigned char)objstm;
                row[3] = (unsigned char)idx[i - 1];
            } else {
                row[0] = 1; row[1] = (unsigned char)(off[i] >> 8);
                row[2] = (unsigned char)off[i]; row[3] = 0;
            }
            eseal__buf_append(&b, row, 4);
        }
        eseal__buf_puts(&b, "\nendstream\nendobj\n");
    }
    eseal__buf_printf(&b, "startxref\n%llu\n%%%%EOF%s",
        (unsigned long long)xref, eol ? "\n" : "");
    out.data = (unsigned char *)eseal__buf_steal(&b, &out.len);
    eseal__buf_free(&stm);
    eseal__buf_free(&head);
    return out;
}

/* Replaces every occurrence of from by to (same length) in b. */
static void replace_all(eseal_bytes *b, const char *from, const char *to)
{
    size_t n = strlen(from), i;

    for (i = 0; i + n <= b->len; i++)
        if (memcmp(b->data + i, from, n) == 0)
            memcpy(b->data + i, to, n);
}

/* ---- sealing helpers -------------------------------------------------- */

typedef struct sealed {
    eseal_source src;
    eseal_job job;
    eseal_ranges tbs;
    eseal_seal_opts opts;
    eseal_bytes out;     /* input + tail */
    int rc;
    eseal_error err;
} sealed;

#define TEST_TIME 1767225600  /* 2026-01-01T00:00:00Z */

static void seal_prepare(sealed *s, const eseal_bytes *in, int certify,
    size_t max_sig)
{
    const eseal_adapter *ad = &eseal__pdf_adapter;
    size_t i, pos = 0;

    memset(s, 0, sizeof(*s));
    s->src.data = in->data;
    s->src.size = in->len;
    s->src.fd = -1;
    s->src.name = "test.pdf";
    s->opts.version = ESEAL_SEAL_OPTS_VERSION;
    s->opts.certify = certify;
    s->job.in = &s->src;
    s->job.opts = &s->opts;
    s->job.signing_time = TEST_TIME;
    s->job.max_signature_len = max_sig;
    s->job.state = calloc(1, ad->state_size);
    s->rc = ad->prepare(&s->job, &s->tbs, &s->err);
    if (s->rc < 0)
        return;
    for (i = 0; i < s->job.output.count; i++)
        s->out.len += s->job.output.span[i].len;
    s->out.data = malloc(s->out.len);
    for (i = 0; i < s->job.output.count; i++) {
        const eseal_span *sp = &s->job.output.span[i];

        memcpy(s->out.data + pos, (sp->origin == ESEAL_SPAN_TAIL ?
            s->job.tail.data : in->data) + sp->off, sp->len);
        pos += sp->len;
    }
}

/* Rebuilds the output after embed changed the tail. */
static void seal_refresh(sealed *s)
{
    size_t in_len = (size_t)s->src.size;

    memcpy(s->out.data + in_len, s->job.tail.data, s->job.tail.len);
}

static void seal_free(sealed *s)
{
    if (eseal__pdf_adapter.cleanup != NULL)
        eseal__pdf_adapter.cleanup(&s->job);
    eseal_bytes_free(&s->job.tail);
    free(s->job.state);
    free(s->out.data);
    memset(s, 0, sizeof(*s));
}

/* The bytes the tbs spans name, concatenated. */
static eseal_bytes tbs_bytes(const sealed *s)
{
    eseal_bytes b = { NULL, 0 };
    size_t i, pos = 0;

    for (i = 0; i < s->tbs.count; i++)
        b.len += s->tbs.span[i].len;
    b.data = malloc(b.len ? b.len : 1);
    for (i = 0; i < s->tbs.count; i++) {
        const eseal_span *sp = &s->tbs.span[i];

        memcpy(b.data + pos, (sp->origin == ESEAL_SPAN_TAIL ?
            s->job.tail.data : s->src.data) + sp->off, sp->len);
        pos += sp->len;
    }
    return b;
}

/* Everything a reader can check about one sealing revision. */
typedef struct seal_view {
    pdf_reader *r;
    pdf_obj *catalog, *acroform, *fields, *page, *annots;
    pdf_obj *field, *sig;
    uint32_t field_num;
} seal_view;

static int view_open(seal_view *v, const eseal_bytes *doc)
{
    eseal_error err = { 0, "" };
    uint32_t num;
    pdf_obj *last, *fld;
    size_t i;

    memset(v, 0, sizeof(*v));
    if (pdf_reader_open(&v->r, doc->data, doc->len, "sealed", &err) < 0) {
        fprintf(stderr, "\n  reopen: %s\n", err.message);
        return -1;
    }
    if (pdf_reader_catalog(v->r, &num, &v->catalog, &err) < 0
        || pdf_reader_dict_get(v->r, v->catalog, "AcroForm", &v->acroform,
            &err) < 0 || v->acroform == NULL
        || pdf_reader_dict_get(v->r, v->acroform, "Fields", &v->fields,
            &err) < 0 || v->fields == NULL
        || v->fields->type != PDF_ARRAY || v->fields->u.arr.len == 0
        || pdf_reader_first_page(v->r, &num, &v->page, &err) < 0
        || pdf_reader_dict_get(v->r, v->page, "Annots", &v->annots,
            &err) < 0 || v->annots == NULL) {
        fprintf(stderr, "\n  view: %s\n", err.message);
        return -1;
    }
    last = v->fields->u.arr.items[v->fields->u.arr.len - 1];
    if (last->type != PDF_REF)
        return -1;
    v->field_num = last->u.ref.num;
    if (pdf_reader_load(v->r, v->field_num, &v->field, &err) < 0
        || pdf_reader_dict_get(v->r, v->field, "V", &v->sig, &err) < 0
        || v->sig == NULL)
        return -1;
    /* the widget is on the first page */
    for (i = 0; i < v->annots->u.arr.len; i++) {
        fld = v->annots->u.arr.items[i];
        if (fld->type == PDF_REF && fld->u.ref.num == v->field_num)
            return 0;
    }
    return -1;
}

static void view_close(seal_view *v)
{
    pdf_reader_free(v->r);
    memset(v, 0, sizeof(*v));
}

static int string_is(const pdf_obj *o, const char *s)
{
    return o != NULL && o->type == PDF_STRING && o->u.str.len == strlen(s)
        && memcmp(o->u.str.s, s, o->u.str.len) == 0;
}

static int64_t int_of(const pdf_obj *o)
{
    int64_t v = -1;

    return pdf_get_int(o, &v) ? v : -1;
}

/*
 * The checks every sealed output must pass: the byte range covers the
 * file except the placeholder, the tbs spans are exactly those bytes, the
 * placeholder holds the embedded signature, and the new field and widget
 * are in place.
 */
static void check_sealed(sealed *s, const unsigned char *sig, size_t sig_len,
    const char *want_name)
{
    seal_view v;
    pdf_obj *br, *contents, *t;
    int64_t a, b, c;
    eseal_bytes tb;
    size_t i;

    CU_ASSERT_EQUAL_FATAL(view_open(&v, &s->out), 0);
    t = pdf_dict_get(v.field, "T");
    CU_ASSERT_TRUE(string_is(t, want_name));
    CU_ASSERT_TRUE(pdf_is_name(pdf_dict_get(v.field, "FT"), "Sig"));
    CU_ASSERT_TRUE(pdf_is_name(pdf_dict_get(v.field, "Subtype"), "Widget"));
    CU_ASSERT_EQUAL(int_of(pdf_dict_get(v.field, "F")), 132);
    CU_ASSERT_TRUE(pdf_is_name(pdf_dict_get(v.sig, "SubFilter"),
        "ETSI.CAdES.detached"));
    CU_ASSERT_TRUE(pdf_is_name(pdf_dict_get(v.sig, "Filter"),
        "Adobe.PPKLite"));
    CU_ASSERT_TRUE(string_is(pdf_dict_get(v.sig, "M"), "D:20260101000000Z"));
    CU_ASSERT_PTR_NULL(pdf_dict_get(v.sig, "Name"));
    CU_ASSERT_PTR_NULL(pdf_dict_get(v.sig, "Reason"));
    CU_ASSERT_EQUAL(int_of(pdf_dict_get(v.acroform, "SigFlags")) & 3, 3);
    br = pdf_dict_get(v.sig, "ByteRange");
    CU_ASSERT_FATAL(br != NULL && br->type == PDF_ARRAY
        && br->u.arr.len == 4);
    a = int_of(br->u.arr.items[1]);
    b = int_of(br->u.arr.items[2]);
    c = int_of(br->u.arr.items[3]);
    CU_ASSERT_EQUAL(int_of(br->u.arr.items[0]), 0);
    CU_ASSERT_EQUAL((uint64_t)(b + c), s->out.len);
    CU_ASSERT_EQUAL_FATAL(s->out.data[a], '<');
    CU_ASSERT_EQUAL_FATAL(s->out.data[b - 1], '>');
    CU_ASSERT_EQUAL((uint64_t)(b - a - 2),
        2 * s->job.max_signature_len);
    contents = pdf_dict_get(v.sig, "Contents");
    CU_ASSERT_FATAL(contents != NULL && contents->type == PDF_STRING);
    CU_ASSERT_EQUAL(contents->u.str.len, s->job.max_signature_len);
    if (sig != NULL) {
        CU_ASSERT_EQUAL(memcmp(contents->u.str.s, sig, sig_len), 0);
        for (i = sig_len; i < contents->u.str.len; i++)
            if (contents->u.str.s[i] != 0)
                break;
        CU_ASSERT_EQUAL(i, contents->u.str.len);
    }
    tb = tbs_bytes(s);
    CU_ASSERT_EQUAL(tb.len, (size_t)(a + c));
    CU_ASSERT_EQUAL(memcmp(tb.data, s->out.data, (size_t)a), 0);
    CU_ASSERT_EQUAL(memcmp(tb.data + a, s->out.data + b, (size_t)c), 0);
    free(tb.data);
    view_close(&v);
}

static const unsigned char fake_sig[] = { 0x30, 0x82, 0x01, 0x2c, 0xde,
    0xad, 0xbe, 0xef, 0x00, 0x01 };

/* Prepares, embeds a fake signature and checks the result. */
static void seal_and_check(sealed *s, const eseal_bytes *in, int certify,
    const char *want_name)
{
    eseal_bytes sig = { (unsigned char *)fake_sig, sizeof(fake_sig) };

    seal_prepare(s, in, certify, 300);
    if (s->rc < 0)
        fprintf(stderr, "\n  prepare: %s\n", s->err.message);
    CU_ASSERT_EQUAL_FATAL(s->rc, 0);
    CU_ASSERT_EQUAL_FATAL(eseal__pdf_adapter.embed(&s->job, &sig,
        &s->err), 0);
    seal_refresh(s);
    check_sealed(s, fake_sig, sizeof(fake_sig), want_name);
}

static const test_obj simple_doc[] = {
    { "<</Type /Catalog /Pages 2 0 R>>", 0 },
    { "<</Type /Pages /Kids [3 0 R] /Count 1>>", 0 },
    { "<</Type /Page /Parent 2 0 R /MediaBox [0 0 595.276 841.89] "
      "/Contents 4 0 R /Resources <<>>>>", 0 },
    { "<</Length 0>>\nstream\n\nendstream", 0 },
    { NULL, 0 }
};

#define DOC_ID " /ID [<00112233445566778899AABBCCDDEEFF> " \
    "<00112233445566778899AABBCCDDEEFF>]"

/* ---- object serialization --------------------------------------------- */

static void test_pdf_write__names(void)
{
    eseal_buf b = { 0 };
    const char odd[] = "A B#/()<>[]{}%\xe9\x7f";

    eseal__pdf_write_name(&b, "Type", 4);
    eseal__pdf_write_name(&b, odd, sizeof(odd) - 1);
    eseal__pdf_write_name(&b, "", 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b.data);
    CU_ASSERT_STRING_EQUAL(b.data, "/Type/A#20B#23#2F#28#29#3C#3E#5B#5D"
        "#7B#7D#25#E9#7F/");
    eseal__buf_free(&b);
}

static void test_pdf_write__strings(void)
{
    eseal_buf b = { 0 };
    const unsigned char s[] = "a(b)c\\\n\r\t\x01" "7\xff";

    eseal__pdf_write_string(&b, s, sizeof(s) - 1, 0);
    eseal__buf_puts(&b, " ");
    eseal__pdf_write_string(&b, (const unsigned char *)"\x00\xab", 2, 1);
    eseal__buf_puts(&b, " ");
    eseal__pdf_write_string(&b, (const unsigned char *)"", 0, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b.data);
    CU_ASSERT_STRING_EQUAL(b.data,
        "(a\\(b\\)c\\\\\\n\\r\\t\\0017\\377) <00AB> ()");
    eseal__buf_free(&b);
}

static void test_pdf_write__reals(void)
{
    eseal_buf b = { 0 };
    eseal_error err = { 0, "" };

    check_real(0.5, "0.5");
    check_real(595.276, "595.276");
    check_real(841.89, "841.89");
    check_real(-3.0, "-3.0");
    check_real(0.0, "0.0");
    check_real(-0.0, "0.0");
    check_real(1e-5, "0.00001");
    check_real(1e20, "100000000000000000000.0");
    check_real(0.1 + 0.2, "0.30000000000000004");
    check_real(-123456.125, "-123456.125");
    CU_ASSERT_EQUAL(eseal__pdf_write_real(&b, NAN, &err), ESEAL_EINVAL);
    CU_ASSERT_EQUAL(eseal__pdf_write_real(&b, INFINITY, &err), ESEAL_EINVAL);
    eseal__buf_free(&b);
    /* the output does not follow LC_NUMERIC */
    if (setlocale(LC_NUMERIC, "de_DE.UTF-8") != NULL
        || setlocale(LC_NUMERIC, "fr_FR.UTF-8") != NULL) {
        check_real(1.25, "1.25");
        setlocale(LC_NUMERIC, "C");
    }
}

static void test_pdf_write__round_trip(void)
{
    pdf_arena *a = pdf_arena_new();
    pdf_obj *d, *arr, *inner;
    const unsigned char bin[] = { 0, 1, 2, 0xfe, 0xff, '(', ')', '\\' };

    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    d = pdf_new_dict(a);
    arr = pdf_new_array(a);
    inner = pdf_new_dict(a);
    CU_ASSERT_EQUAL(pdf_dict_put(a, d, "Type", pdf_new_name(a, "Sig")), 0);
    CU_ASSERT_EQUAL(pdf_dict_put(a, d, "Odd Name#1",
        pdf_new_name(a, "a/b c")), 0);
    CU_ASSERT_EQUAL(pdf_dict_put(a, d, "Int", pdf_new_int(a, -42)), 0);
    CU_ASSERT_EQUAL(pdf_dict_put(a, d, "Big",
        pdf_new_int(a, INT64_C(123456789012345))), 0);
    CU_ASSERT_EQUAL(pdf_dict_put(a, d, "Real", pdf_new_real(a, 595.276)), 0);
    CU_ASSERT_EQUAL(pdf_dict_put(a, d, "Whole", pdf_new_real(a, 2.0)), 0);
    CU_ASSERT_EQUAL(pdf_dict_put(a, d, "T",
        pdf_new_string(a, "e(S)eal\\1\n", 10, 0)), 0);
    CU_ASSERT_EQUAL(pdf_dict_put(a, d, "Bin",
        pdf_new_string(a, bin, sizeof(bin), 0)), 0);
    CU_ASSERT_EQUAL(pdf_dict_put(a, d, "Hex",
        pdf_new_string(a, bin, sizeof(bin), 1)), 0);
    CU_ASSERT_EQUAL(pdf_dict_put(a, d, "True", pdf_new_bool(a, 1)), 0);
    CU_ASSERT_EQUAL(pdf_dict_put(a, d, "False", pdf_new_bool(a, 0)), 0);
    CU_ASSERT_EQUAL(pdf_dict_put(a, d, "Null", pdf_new_null(a)), 0);
    CU_ASSERT_EQUAL(pdf_array_push(a, arr, pdf_new_ref(a, 12, 3)), 0);
    CU_ASSERT_EQUAL(pdf_array_push(a, arr, pdf_new_int(a, 0)), 0);
    CU_ASSERT_EQUAL(pdf_array_push(a, arr, pdf_new_array(a)), 0);
    CU_ASSERT_EQUAL(pdf_array_push(a, arr, pdf_new_dict(a)), 0);
    CU_ASSERT_EQUAL(pdf_dict_put(a, inner, "P", pdf_new_int(a, 2)), 0);
    CU_ASSERT_EQUAL(pdf_array_push(a, arr, inner), 0);
    CU_ASSERT_EQUAL(pdf_dict_put(a, d, "Arr", arr), 0);
    CU_ASSERT_TRUE(round_trips(a, d));
    CU_ASSERT_TRUE(round_trips(a, arr));
    CU_ASSERT_TRUE(round_trips(a, pdf_new_real(a, -0.001)));
    CU_ASSERT_TRUE(round_trips(a, pdf_new_string(a, "", 0, 1)));
    pdf_arena_free(a);
}

static void test_pdf_write__limits(void)
{
    pdf_arena *a = pdf_arena_new();
    pdf_obj *top, *cur, *next, st;
    eseal_buf b = { 0 };
    eseal_error err = { 0, "" };
    int i;

    top = cur = pdf_new_array(a);
    for (i = 0; i < PDF_MAX_DEPTH + 5; i++) {
        next = pdf_new_array(a);
        CU_ASSERT_EQUAL_FATAL(pdf_array_push(a, cur, next), 0);
        cur = next;
    }
    CU_ASSERT_EQUAL(eseal__pdf_write_obj(&b, top, &err), ESEAL_ELIMIT);
    memset(&st, 0, sizeof(st));
    st.type = PDF_STREAM;
    st.u.stream.dict = pdf_new_dict(a);
    CU_ASSERT_EQUAL(eseal__pdf_write_obj(&b, &st, &err),
        ESEAL_EUNSUPPORTED);
    eseal__buf_free(&b);
    pdf_arena_free(a);
}

/* ---- cross-reference sections ----------------------------------------- */

static void test_pdf_write__xref_table(void)
{
    const pdf_xref_row rows[] = { { 3, 0, 15 }, { 4, 0, 300 },
        { 9, 1, 1000 }, { 10, 0, UINT64_C(9999999999) } };
    const pdf_xref_row big[] = { { 3, 0, UINT64_C(10000000000) } };
    const pdf_xref_row unsorted[] = { { 4, 0, 1 }, { 3, 0, 2 } };
    eseal_buf b = { 0 };
    eseal_error err = { 0, "" };

    CU_ASSERT_EQUAL(eseal__pdf_write_xref_table(&b, rows, 4, &err), 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b.data);
    CU_ASSERT_STRING_EQUAL(b.data, "xref\n3 2\n"
        "0000000015 00000 n\r\n0000000300 00000 n\r\n"
        "9 2\n0000001000 00001 n\r\n9999999999 00000 n\r\n");
    eseal__buf_free(&b);
    CU_ASSERT_EQUAL(eseal__pdf_write_xref_table(&b, big, 1, &err),
        ESEAL_ELIMIT);
    CU_ASSERT_EQUAL(eseal__pdf_write_xref_table(&b, unsorted, 2, &err),
        ESEAL_EINVAL);
    eseal__buf_free(&b);
}

static void test_pdf_write__xref_stream_beyond_4gib(void)
{
    const pdf_xref_row rows[] = { { 7, 0, 0x10 },
        { 8, 2, UINT64_C(0x123456789A) }, { 20, 0, UINT64_C(0x100000000) } };
    static const unsigned char want[] = {
        1, 0x00, 0x00, 0x00, 0x00, 0x10, 0,
        1, 0x12, 0x34, 0x56, 0x78, 0x9a, 2,
        1, 0x01, 0x00, 0x00, 0x00, 0x00, 0 };
    pdf_arena *a = pdf_arena_new();
    pdf_obj *t = pdf_new_dict(a), *d = NULL, *w, *idx;
    eseal_buf b = { 0 };
    eseal_error err = { 0, "" };
    const char *head = "20 0 obj\n", *data;
    size_t used = 0;
    int i;
    static const int64_t want_index[] = { 7, 2, 20, 1 };

    CU_ASSERT_EQUAL(pdf_dict_put(a, t, "Size", pdf_new_int(a, 21)), 0);
    CU_ASSERT_EQUAL(pdf_dict_put(a, t, "Root", pdf_new_ref(a, 1, 0)), 0);
    CU_ASSERT_EQUAL(pdf_dict_put(a, t, "Prev",
        pdf_new_int(a, INT64_C(0x0FFFFFFF0))), 0);
    CU_ASSERT_EQUAL(pdf_dict_put(a, t, "Length", pdf_new_int(a, 999)), 0);
    CU_ASSERT_EQUAL(eseal__pdf_write_xref_stream(&b, 20, t, rows, 3, &err),
        0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b.data);
    CU_ASSERT_EQUAL_FATAL(strncmp(b.data, head, strlen(head)), 0);
    CU_ASSERT_EQUAL_FATAL(pdf_parse_object(a, (unsigned char *)b.data
        + strlen(head), b.len - strlen(head), &d, &used, &err), 0);
    CU_ASSERT_TRUE(pdf_is_name(pdf_dict_get(d, "Type"), "XRef"));
    CU_ASSERT_EQUAL(int_of(pdf_dict_get(d, "Size")), 21);
    CU_ASSERT_EQUAL(int_of(pdf_dict_get(d, "Prev")), 0x0FFFFFFF0);
    CU_ASSERT_EQUAL(int_of(pdf_dict_get(d, "Length")), (int64_t)sizeof(want));
    w = pdf_dict_get(d, "W");
    CU_ASSERT_FATAL(w != NULL && w->type == PDF_ARRAY && w->u.arr.len == 3);
    CU_ASSERT_EQUAL(int_of(w->u.arr.items[0]), 1);
    CU_ASSERT_EQUAL(int_of(w->u.arr.items[1]), 5);
    CU_ASSERT_EQUAL(int_of(w->u.arr.items[2]), 1);
    idx = pdf_dict_get(d, "Index");
    CU_ASSERT_FATAL(idx != NULL && idx->type == PDF_ARRAY
        && idx->u.arr.len == 4);
    for (i = 0; i < 4; i++)
        CU_ASSERT_EQUAL(int_of(idx->u.arr.items[i]), want_index[i]);
    data = strstr(b.data + strlen(head), ">>\nstream\n");
    CU_ASSERT_PTR_NOT_NULL_FATAL(data);
    data += strlen(">>\nstream\n");
    CU_ASSERT_EQUAL(memcmp(data, want, sizeof(want)), 0);
    CU_ASSERT_EQUAL(strcmp(data + sizeof(want), "\nendstream\nendobj\n"), 0);
    eseal__buf_free(&b);
    pdf_arena_free(a);
}

/* ---- the adapter ------------------------------------------------------ */

static void test_pdf_write__detect(void)
{
    unsigned char junk[1100];
    const char *pdf = "%PDF-1.7\n";

    CU_ASSERT_EQUAL(eseal__pdf_adapter.detect((const unsigned char *)pdf,
        strlen(pdf)), 90);
    memset(junk, ' ', sizeof(junk));
    memcpy(junk + 500, "%PDF-1.4", 8);
    CU_ASSERT_EQUAL(eseal__pdf_adapter.detect(junk, sizeof(junk)), 90);
    memset(junk, ' ', sizeof(junk));
    memcpy(junk + 1020, "%PDF-1.4", 8);
    CU_ASSERT_EQUAL(eseal__pdf_adapter.detect(junk, sizeof(junk)), 0);
    CU_ASSERT_EQUAL(eseal__pdf_adapter.detect((const unsigned char *)"<?xml",
        5), 0);
    CU_ASSERT_EQUAL(eseal__pdf_adapter.version, ESEAL_ADAPTER_VERSION);
    CU_ASSERT_STRING_EQUAL(eseal__pdf_adapter.name, "pdf");
    CU_ASSERT_EQUAL(eseal__pdf_adapter.format, ESEAL_FORMAT_PDF);
    CU_ASSERT_EQUAL(eseal__pdf_adapter.caps, ESEAL_CAP_CMS_DETACHED);
}

static void test_pdf_write__classic_table(void)
{
    eseal_bytes in = make_pdf("1.7", simple_doc, 0, DOC_ID, 1);
    pdf_reader *old = NULL, *r = NULL;
    eseal_error err = { 0, "" };
    const pdf_obj *t;
    pdf_obj *id, *ext;
    sealed s;
    seal_view v;

    CU_ASSERT_EQUAL_FATAL(pdf_reader_open(&old, in.data, in.len, "in",
        &err), 0);
    seal_and_check(&s, &in, 0, "eSeal1");
    /* the update is appended, the input is untouched */
    CU_ASSERT_EQUAL(memcmp(s.out.data, in.data, in.len), 0);
    CU_ASSERT_EQUAL(s.job.output.count, 2);
    /* the input ended with an EOL: the tail starts with an object */
    CU_ASSERT_TRUE(s.job.tail.data[0] >= '1' && s.job.tail.data[0] <= '9');
    CU_ASSERT_EQUAL_FATAL(pdf_reader_open(&r, s.out.data, s.out.len, "out",
        &err), 0);
    CU_ASSERT_EQUAL(pdf_reader_section_count(r), 2);
    CU_ASSERT_FALSE(pdf_reader_section(r, 0)->is_stream);
    t = pdf_reader_trailer(r);
    CU_ASSERT_EQUAL(int_of(pdf_dict_get(t, "Prev")),
        (int64_t)pdf_reader_startxref(old));
    /* 5 objects (0..4), the sig dict 5, the field 6, the AcroForm 7 */
    CU_ASSERT_EQUAL(int_of(pdf_dict_get(t, "Size")), 8);
    CU_ASSERT_EQUAL(pdf_reader_size(r), 8);
    CU_ASSERT_EQUAL(pdf_dict_get(t, "Root")->u.ref.num, 1);
    CU_ASSERT_PTR_NULL(pdf_dict_get(t, "Encrypt"));
    id = pdf_dict_get(t, "ID");
    CU_ASSERT_FATAL(id != NULL && id->type == PDF_ARRAY
        && id->u.arr.len == 2);
    CU_ASSERT_EQUAL(id->u.arr.items[0]->u.str.len, 16);
    CU_ASSERT_EQUAL(memcmp(id->u.arr.items[0]->u.str.s,
        "\x00\x11\x22\x33\x44\x55\x66\x77\x88\x99\xaa\xbb\xcc\xdd\xee\xff",
        16), 0);
    CU_ASSERT_EQUAL(id->u.arr.items[1]->u.str.len, 16);
    CU_ASSERT_NOT_EQUAL(memcmp(id->u.arr.items[1]->u.str.s,
        id->u.arr.items[0]->u.str.s, 16), 0);
    /* the catalog (its direct AcroForm moved out) and the page were
     * rewritten in place */
    CU_ASSERT_EQUAL(pdf_reader_entry(r, 1).field2 >= in.len, 1);
    CU_ASSERT_EQUAL(pdf_reader_entry(r, 3).field2 >= in.len, 1);
    CU_ASSERT_EQUAL(pdf_reader_entry(r, 2).field2 < in.len, 1);
    CU_ASSERT_EQUAL_FATAL(view_open(&v, &s.out), 0);
    CU_ASSERT_EQUAL(v.field_num, 6);
    /* a direct AcroForm becomes an indirect object (later signers such as
     * Poppler extend /Fields only of an indirect one) */
    CU_ASSERT_EQUAL(pdf_dict_get(v.catalog, "AcroForm")->type, PDF_REF);
    CU_ASSERT_EQUAL(pdf_dict_get(v.catalog, "AcroForm")->u.ref.num, 7);
    CU_ASSERT_EQUAL(pdf_dict_get(v.page, "Annots")->type, PDF_ARRAY);
    CU_ASSERT_EQUAL(pdf_dict_get(v.field, "P")->u.ref.num, 3);
    CU_ASSERT_PTR_NOT_NULL(pdf_dict_get(v.page, "MediaBox"));
    CU_ASSERT_PTR_NULL(pdf_dict_get(v.sig, "Reference"));
    CU_ASSERT_PTR_NULL(pdf_dict_get(v.catalog, "Perms"));
    /* a 1.7 document gets no extension */
    ext = pdf_dict_get(v.catalog, "Extensions");
    CU_ASSERT_PTR_NULL(ext);
    view_close(&v);
    pdf_reader_free(r);
    pdf_reader_free(old);
    seal_free(&s);
    free(in.data);
}

static void test_pdf_write__xref_stream_file(void)
{
    static const test_obj doc[] = {
        { "<</Type /Catalog /Pages 2 0 R /AcroForm 5 0 R>>", 1 },
        { "<</Type /Pages /Kids [3 0 R] /Count 1>>", 1 },
        { "<</Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
          "/Annots 6 0 R>>", 0 },
        { "<</Type /Annot /Subtype /Text /Rect [0 0 10 10]>>", 0 },
        { "<</Fields [] /DA (/Helv 0 Tf 0 g) /SigFlags 3>>", 1 },
        { "[4 0 R]", 0 },
        { NULL, 0 }
    };
    eseal_bytes in = make_pdf("1.5", doc, 1, DOC_ID, 1);
    pdf_reader *r = NULL;
    eseal_error err = { 0, "" };
    const pdf_obj *t;
    pdf_obj *esic;
    sealed s;
    seal_view v;

    seal_and_check(&s, &in, 0, "eSeal1");
    CU_ASSERT_EQUAL_FATAL(pdf_reader_open(&r, s.out.data, s.out.len, "out",
        &err), 0);
    CU_ASSERT_TRUE(pdf_reader_section(r, 0)->is_stream);
    t = pdf_reader_trailer(r);
    /* 0..6, the object stream 7, the old xref stream 8, then sig 9, field
     * 10 and the new xref stream 11 */
    CU_ASSERT_EQUAL(int_of(pdf_dict_get(t, "Size")), 12);
    CU_ASSERT_EQUAL(int_of(pdf_dict_get(t, "Prev")),
        (int64_t)(strstr((char *)in.data, "8 0 obj") - (char *)in.data));
    CU_ASSERT_EQUAL(pdf_dict_get(t, "Root")->u.ref.num, 1);
    CU_ASSERT_PTR_NOT_NULL(pdf_dict_get(t, "ID"));
    /* AcroForm 5 (compressed before) rewritten, Annots array 6 extended,
     * the page untouched; the catalog changes for the ESIC extension */
    CU_ASSERT_EQUAL(pdf_reader_entry(r, 5).type, 1);
    CU_ASSERT_TRUE(pdf_reader_entry(r, 5).field2 >= in.len);
    CU_ASSERT_TRUE(pdf_reader_entry(r, 6).field2 >= in.len);
    CU_ASSERT_TRUE(pdf_reader_entry(r, 3).field2 < in.len);
    CU_ASSERT_EQUAL(pdf_reader_entry(r, 1).type, 1);
    CU_ASSERT_EQUAL_FATAL(view_open(&v, &s.out), 0);
    CU_ASSERT_EQUAL(v.annots->u.arr.len, 2);
    CU_ASSERT_EQUAL(v.fields->u.arr.len, 1);
    CU_ASSERT_TRUE(string_is(pdf_dict_get(v.acroform, "DA"),
        "/Helv 0 Tf 0 g"));
    CU_ASSERT_EQUAL(pdf_dict_get(v.catalog, "AcroForm")->type, PDF_REF);
    esic = pdf_dict_get(pdf_dict_get(v.catalog, "Extensions"), "ESIC");
    CU_ASSERT_FATAL(esic != NULL && esic->type == PDF_DICT);
    CU_ASSERT_TRUE(pdf_is_name(pdf_dict_get(esic, "BaseVersion"), "1.7"));
    CU_ASSERT_EQUAL(int_of(pdf_dict_get(esic, "ExtensionLevel")), 2);
    view_close(&v);
    pdf_reader_free(r);
    seal_free(&s);
    free(in.data);
}

static void test_pdf_write__existing_fields(void)
{
    static const test_obj doc[] = {
        { "<</Type /Catalog /Pages 2 0 R /AcroForm <</Fields 5 0 R "
          "/NeedAppearances false>> /Version /1.7>>", 0 },
        { "<</Type /Pages /Kids [3 0 R] /Count 1>>", 0 },
        { "<</Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
          "/Annots [4 0 R]>>", 0 },
        { "<</Type /Annot /Subtype /Widget /FT /Tx /T (eSeal1) "
          "/Rect [0 0 10 10] /P 3 0 R>>", 0 },
        { "[4 0 R 6 0 R 7 0 R]", 0 },
        { "<</FT /Tx /T <FEFF0065005300650061006C0032>>>", 0 },
        { "<</FT /Tx /T (eSeal04)>>", 0 },
        { NULL, 0 }
    };
    eseal_bytes in = make_pdf("1.4", doc, 0, "", 0);
    pdf_reader *r = NULL;
    eseal_error err = { 0, "" };
    pdf_obj *id;
    sealed s;
    seal_view v;

    /* "eSeal1" and UTF-16 "eSeal2" are taken */
    seal_and_check(&s, &in, 0, "eSeal3");
    CU_ASSERT_EQUAL(s.job.tail.data[0], '\n');   /* no EOL at the end */
    CU_ASSERT_EQUAL_FATAL(pdf_reader_open(&r, s.out.data, s.out.len, "out",
        &err), 0);
    CU_ASSERT_TRUE(pdf_reader_entry(r, 5).field2 >= in.len);
    CU_ASSERT_TRUE(pdf_reader_entry(r, 1).field2 >= in.len);
    CU_ASSERT_TRUE(pdf_reader_entry(r, 3).field2 >= in.len);
    /* no /ID before: both elements new and equal */
    id = pdf_dict_get(pdf_reader_trailer(r), "ID");
    CU_ASSERT_FATAL(id != NULL && id->type == PDF_ARRAY
        && id->u.arr.len == 2);
    CU_ASSERT_TRUE(obj_equal(id->u.arr.items[0], id->u.arr.items[1]));
    CU_ASSERT_EQUAL_FATAL(view_open(&v, &s.out), 0);
    CU_ASSERT_EQUAL(v.fields->u.arr.len, 4);
    CU_ASSERT_EQUAL(v.annots->u.arr.len, 2);
    CU_ASSERT_EQUAL(pdf_dict_get(v.acroform, "NeedAppearances")->type,
        PDF_BOOL);
    /* the catalog says /Version /1.7: no extension needed */
    CU_ASSERT_PTR_NULL(pdf_dict_get(v.catalog, "Extensions"));
    view_close(&v);
    pdf_reader_free(r);
    seal_free(&s);
    free(in.data);
}

static void test_pdf_write__generations_and_small_size(void)
{
    eseal_bytes in = make_pdf("1.7", simple_doc, 0, DOC_ID, 1);
    char line[32], line1[32];
    pdf_reader *r = NULL;
    eseal_error err = { 0, "" };
    const char *obj3;
    pdf_obj *p;
    sealed s;
    seal_view v;

    /* the page is "3 1 obj", and /Size says 3 although 4 objects exist */
    obj3 = strstr((const char *)in.data, "3 0 obj");
    CU_ASSERT_PTR_NOT_NULL_FATAL(obj3);
    snprintf(line, sizeof(line), "%010ld 00000 n",
        (long)(obj3 - (const char *)in.data));
    snprintf(line1, sizeof(line1), "%010ld 00001 n",
        (long)(obj3 - (const char *)in.data));
    replace_all(&in, line, line1);
    replace_all(&in, "3 0 obj", "3 1 obj");
    replace_all(&in, "3 0 R", "3 1 R");
    replace_all(&in, "/Size 5", "/Size 3");
    seal_and_check(&s, &in, 0, "eSeal1");
    CU_ASSERT_EQUAL_FATAL(pdf_reader_open(&r, s.out.data, s.out.len, "out",
        &err), 0);
    CU_ASSERT_EQUAL(pdf_reader_entry(r, 3).type, 1);
    CU_ASSERT_EQUAL(pdf_reader_entry(r, 3).field3, 1);
    CU_ASSERT_TRUE(pdf_reader_entry(r, 3).field2 >= in.len);
    /* objects 3 and 4 are untouched by the new numbers 5 and 6 */
    CU_ASSERT_TRUE(pdf_reader_entry(r, 4).field2 < in.len);
    CU_ASSERT_EQUAL(pdf_reader_size(r), 8);
    pdf_reader_free(r);
    CU_ASSERT_EQUAL_FATAL(view_open(&v, &s.out), 0);
    CU_ASSERT_EQUAL(v.field_num, 6);
    p = pdf_dict_get(v.field, "P");
    CU_ASSERT_FATAL(p != NULL && p->type == PDF_REF);
    CU_ASSERT_EQUAL(p->u.ref.num, 3);
    CU_ASSERT_EQUAL(p->u.ref.gen, 1);
    CU_ASSERT_TRUE(pdf_is_name(pdf_dict_get(v.page, "Type"), "Page"));
    view_close(&v);
    seal_free(&s);
    free(in.data);
}

static void test_pdf_write__seal_twice(void)
{
    eseal_bytes in = make_pdf("1.7", simple_doc, 0, DOC_ID, 1);
    eseal_bytes first;
    pdf_reader *r = NULL;
    eseal_error err = { 0, "" };
    sealed s1, s2;
    seal_view v;

    seal_and_check(&s1, &in, 0, "eSeal1");
    first.data = s1.out.data;
    first.len = s1.out.len;
    seal_and_check(&s2, &first, 0, "eSeal2");
    CU_ASSERT_EQUAL(memcmp(s2.out.data, first.data, first.len), 0);
    CU_ASSERT_EQUAL_FATAL(pdf_reader_open(&r, s2.out.data, s2.out.len,
        "out", &err), 0);
    CU_ASSERT_EQUAL(pdf_reader_section_count(r), 3);
    /* first seal: sig, field, AcroForm (5..7); second: sig, field (8, 9) */
    CU_ASSERT_EQUAL(pdf_reader_size(r), 10);
    pdf_reader_free(r);
    CU_ASSERT_EQUAL_FATAL(view_open(&v, &s2.out), 0);
    CU_ASSERT_EQUAL(v.fields->u.arr.len, 2);
    CU_ASSERT_EQUAL(v.annots->u.arr.len, 2);
    view_close(&v);
    /* certifying a signed document is refused */
    seal_free(&s2);
    seal_prepare(&s2, &first, 1, 300);
    CU_ASSERT_EQUAL(s2.rc, ESEAL_EREFUSED);
    CU_ASSERT_PTR_NOT_NULL(strstr(s2.err.message,
        "a certification seal must be the first signature"));
    seal_free(&s2);
    seal_free(&s1);
    free(in.data);
}

static void test_pdf_write__certify(void)
{
    eseal_bytes in = make_pdf("1.7", simple_doc, 0, DOC_ID, 1);
    pdf_obj *perms, *ref, *params, *refs;
    sealed s;
    seal_view v;

    seal_and_check(&s, &in, 1, "eSeal1");
    CU_ASSERT_EQUAL_FATAL(view_open(&v, &s.out), 0);
    perms = pdf_dict_get(v.catalog, "Perms");
    CU_ASSERT_FATAL(perms != NULL && perms->type == PDF_DICT);
    ref = pdf_dict_get(perms, "DocMDP");
    CU_ASSERT_FATAL(ref != NULL && ref->type == PDF_REF);
    CU_ASSERT_EQUAL(ref->u.ref.num, pdf_dict_get(v.field, "V")->u.ref.num);
    refs = pdf_dict_get(v.sig, "Reference");
    CU_ASSERT_FATAL(refs != NULL && refs->type == PDF_ARRAY
        && refs->u.arr.len == 1);
    CU_ASSERT_TRUE(pdf_is_name(pdf_dict_get(refs->u.arr.items[0],
        "TransformMethod"), "DocMDP"));
    params = pdf_dict_get(refs->u.arr.items[0], "TransformParams");
    CU_ASSERT_EQUAL(int_of(pdf_dict_get(params, "P")), 2);
    CU_ASSERT_TRUE(pdf_is_name(pdf_dict_get(params, "V"), "1.2"));
    view_close(&v);
    seal_free(&s);
    free(in.data);
}

static void test_pdf_write__refusals(void)
{
    static const test_obj p1[] = {
        { "<</Type /Catalog /Pages 2 0 R /Perms <</DocMDP 4 0 R>>>>", 0 },
        { "<</Type /Pages /Kids [3 0 R] /Count 1>>", 0 },
        { "<</Type /Page /Parent 2 0 R /MediaBox [0 0 612 792]>>", 0 },
        { "<</Type /Sig /Reference [<</Type /SigRef /TransformMethod "
          "/DocMDP /TransformParams 5 0 R>>] /Contents <00>>>", 0 },
        { "<</Type /TransformParams /P 1 /V /1.2>>", 0 },
        { NULL, 0 }
    };
    static const test_obj enc[] = {
        { "<</Type /Catalog /Pages 2 0 R>>", 0 },
        { "<</Type /Pages /Kids [3 0 R] /Count 1>>", 0 },
        { "<</Type /Page /Parent 2 0 R /MediaBox [0 0 612 792]>>", 0 },
        { "<</Filter /Standard /V 2 /R 3 /Length 128 /P -44 "
          "/O <00> /U <00>>>", 0 },
        { NULL, 0 }
    };
    eseal_bytes in = make_pdf("1.7", p1, 0, DOC_ID, 1);
    sealed s;

    seal_prepare(&s, &in, 0, 300);
    CU_ASSERT_EQUAL(s.rc, ESEAL_EREFUSED);
    CU_ASSERT_PTR_NOT_NULL(strstr(s.err.message, "DocMDP P=1"));
    CU_ASSERT_PTR_NULL(s.job.tail.data);
    CU_ASSERT_EQUAL(s.job.output.count, 0);
    seal_free(&s);
    free(in.data);

    in = make_pdf("1.7", enc, 0, DOC_ID " /Encrypt 4 0 R", 1);
    seal_prepare(&s, &in, 0, 300);
    CU_ASSERT_EQUAL(s.rc, ESEAL_EREFUSED);
    CU_ASSERT_PTR_NOT_NULL(strstr(s.err.message, "qpdf --decrypt"));
    seal_free(&s);
    free(in.data);

    in = make_pdf("1.7", simple_doc, 0, DOC_ID, 1);
    seal_prepare(&s, &in, 0, 0);
    CU_ASSERT_EQUAL(s.rc, ESEAL_EINVAL);
    seal_free(&s);
    free(in.data);

    in.data = (unsigned char *)strdup("%PDF-1.7\nnot really\n");
    in.len = strlen((char *)in.data);
    seal_prepare(&s, &in, 0, 300);
    CU_ASSERT_EQUAL(s.rc, ESEAL_EFORMAT);
    seal_free(&s);
    free(in.data);
}

static void test_pdf_write__embed_too_large(void)
{
    eseal_bytes in = make_pdf("1.7", simple_doc, 0, DOC_ID, 1);
    unsigned char big[301];
    eseal_bytes sig = { big, sizeof(big) };
    sealed s;

    memset(big, 0x30, sizeof(big));
    seal_prepare(&s, &in, 0, 300);
    CU_ASSERT_EQUAL_FATAL(s.rc, 0);
    CU_ASSERT_EQUAL(eseal__pdf_adapter.embed(&s.job, &sig, &s.err),
        ESEAL_ECRYPTO);
    CU_ASSERT_PTR_NOT_NULL(strstr(s.err.message,
        "signature larger than reserved"));
    sig.len = 300;
    CU_ASSERT_EQUAL(eseal__pdf_adapter.embed(&s.job, &sig, &s.err), 0);
    seal_refresh(&s);
    check_sealed(&s, big, 300, "eSeal1");
    seal_free(&s);
    free(in.data);
}

static void test_pdf_write__prepare_is_fast(void)
{
    eseal_bytes in = make_pdf("1.7", simple_doc, 0, DOC_ID, 1);
    struct timespec t0, t1;
    double us;
    int i, n = 2000;
    sealed s;

    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (i = 0; i < n; i++) {
        seal_prepare(&s, &in, 0, 8192);
        CU_ASSERT_EQUAL(s.rc, 0);
        seal_free(&s);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    us = ((double)(t1.tv_sec - t0.tv_sec) * 1e6
        + (double)(t1.tv_nsec - t0.tv_nsec) / 1e3) / n;
    fprintf(stderr, "\n  prepare of a small PDF: %.1f us ", us);
    free(in.data);
}

/* ---- the self-check with a real CMS ------------------------------------ */

#if ESEAL_HAVE_POPPLER
static int make_cms(eseal_bytes *out, const eseal_bytes *tbs)
{
    EVP_PKEY *key = EVP_EC_gen("P-256");
    X509 *cert = X509_new();
    X509_NAME *name;
    BIO *in = NULL;
    CMS_ContentInfo *cms = NULL;
    unsigned char *der = NULL;
    int len = -1;

    if (key == NULL || cert == NULL)
        goto cleanup;
    name = X509_get_subject_name(cert);
    X509_set_version(cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
        (const unsigned char *)"eseal unit test", -1, -1, 0);
    X509_set_issuer_name(cert, name);
    X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
    X509_set_pubkey(cert, key);
    if (!X509_sign(cert, key, EVP_sha256()))
        goto cleanup;
    in = BIO_new_mem_buf(tbs->data, (int)tbs->len);
    cms = CMS_sign(cert, key, NULL, in, CMS_DETACHED | CMS_BINARY
        | CMS_NOSMIMECAP);
    if (cms == NULL)
        goto cleanup;
    len = i2d_CMS_ContentInfo(cms, &der);
cleanup:
    CMS_ContentInfo_free(cms);
    BIO_free(in);
    X509_free(cert);
    EVP_PKEY_free(key);
    if (len <= 0)
        return -1;
    out->data = der;
    out->len = (size_t)len;
    return 0;
}

static void seal_for_real(sealed *s, const eseal_bytes *in)
{
    eseal_bytes tb, cms = { NULL, 0 };

    seal_prepare(s, in, 0, 4096);
    CU_ASSERT_EQUAL_FATAL(s->rc, 0);
    tb = tbs_bytes(s);
    CU_ASSERT_EQUAL_FATAL(make_cms(&cms, &tb), 0);
    CU_ASSERT_EQUAL_FATAL(eseal__pdf_adapter.embed(&s->job, &cms, &s->err),
        0);
    seal_refresh(s);
    free(tb.data);
    OPENSSL_free(cms.data);
}

static void test_pdf_write__self_check(void)
{
    eseal_bytes in = make_pdf("1.7", simple_doc, 0, DOC_ID, 1), first;
    eseal_source out = { NULL, 0, -1, "sealed.pdf", 0 };
    eseal_error err = { 0, "" };
    sealed s, s2;
    int rc;

    seal_for_real(&s, &in);
    out.data = s.out.data;
    out.size = s.out.len;
    rc = eseal__pdf_self_check(&out, &err);
    if (rc < 0)
        fprintf(stderr, "\n  self-check: %s\n", err.message);
    CU_ASSERT_EQUAL(rc, 0);

    /* a second seal: two fields, the newest validated */
    first.data = s.out.data;
    first.len = s.out.len;
    seal_for_real(&s2, &first);
    out.data = s2.out.data;
    out.size = s2.out.len;
    rc = eseal__pdf_self_check(&out, &err);
    if (rc < 0)
        fprintf(stderr, "\n  self-check: %s\n", err.message);
    CU_ASSERT_EQUAL(rc, 0);

    /* one changed byte inside the signed range */
    s2.out.data[20] ^= 0x01;
    CU_ASSERT_EQUAL(eseal__pdf_self_check(&out, &err), ESEAL_EVERIFY);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "self-check: Poppler"));
    s2.out.data[20] ^= 0x01;

    /* the unsealed input has no signature ending at the end */
    out.data = in.data;
    out.size = in.len;
    CU_ASSERT_EQUAL(eseal__pdf_self_check(&out, &err), ESEAL_EVERIFY);
    seal_free(&s2);
    seal_free(&s);
    free(in.data);
}
#endif

int main(void)
{
    static const unit_case cases[] = {
        UNIT_CASE(test_pdf_write__names),
        UNIT_CASE(test_pdf_write__strings),
        UNIT_CASE(test_pdf_write__reals),
        UNIT_CASE(test_pdf_write__round_trip),
        UNIT_CASE(test_pdf_write__limits),
        UNIT_CASE(test_pdf_write__xref_table),
        UNIT_CASE(test_pdf_write__xref_stream_beyond_4gib),
        UNIT_CASE(test_pdf_write__detect),
        UNIT_CASE(test_pdf_write__classic_table),
        UNIT_CASE(test_pdf_write__xref_stream_file),
        UNIT_CASE(test_pdf_write__existing_fields),
        UNIT_CASE(test_pdf_write__generations_and_small_size),
        UNIT_CASE(test_pdf_write__seal_twice),
        UNIT_CASE(test_pdf_write__certify),
        UNIT_CASE(test_pdf_write__refusals),
        UNIT_CASE(test_pdf_write__embed_too_large),
        UNIT_CASE(test_pdf_write__prepare_is_fast),
#if ESEAL_HAVE_POPPLER
        UNIT_CASE(test_pdf_write__self_check),
#endif
        UNIT_END
    };
    return unit_run("pdf_write", cases);
}
