/*
 * Unit tests: finding the signatures of a PDF (pdf_sigfind.c) and
 * classifying what changed after each (pdf_diff.c).  The documents are
 * built here, object by object, with a fake CMS (30 03 02 01 05) in a
 * zero-padded /Contents and a /ByteRange patched in once the revision is
 * complete.
 */
#include <stdarg.h>
#include <string.h>
#include <zlib.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include "unit.h"
#include "core/eseal_int.h"
#include "pdf/pdf_adapter.h"

/* ---- test doubles of the core's job helpers (core/ranges.c) ----------- */

int eseal__ranges_add(eseal_ranges *r, eseal_span_origin origin,
    uint64_t off, uint64_t len)
{
    if (r->count >= ESEAL_MAX_SPANS)
        return ESEAL_ELIMIT;
    r->span[r->count].origin = origin;
    r->span[r->count].off = off;
    r->span[r->count].len = len;
    r->count++;
    return 0;
}

int eseal__verify_job_add(eseal_verify_job *vj, eseal_found_signature **out,
    eseal_error *err)
{
    if (vj->n_found == vj->cap_found) {
        size_t cap = vj->cap_found ? vj->cap_found * 2 : 2;
        eseal_found_signature *f = realloc(vj->found, cap * sizeof(*f));

        if (f == NULL)
            return eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
        vj->found = f;
        vj->cap_found = cap;
    }
    *out = &vj->found[vj->n_found++];
    memset(*out, 0, sizeof(**out));
    return 0;
}

/* ---- a tiny PDF builder ------------------------------------------------ */

#define FAKE_CMS "3003020105"
#define MAX_OBJ 64

typedef struct pdfb {
    eseal_buf b;
    uint64_t off[MAX_OBJ];     /* type 1: offset; type 2: object stream */
    int type[MAX_OBJ];         /* 1 at an offset, 2 in an object stream */
    int index[MAX_OBJ];        /* type 2: index in the object stream */
    int gen[MAX_OBJ];          /* type 1: generation (pb_begin_gen) */
    int rev[MAX_OBJ];          /* objects written in this revision */
    size_t n_rev;
    uint64_t prev_xref;        /* 0: the first revision */
    uint64_t br_pos;           /* the last signature's placeholders */
    uint64_t ct_start, ct_end;
} pdfb;

static void pb_start(pdfb *p)
{
    memset(p, 0, sizeof(*p));
    eseal__buf_puts(&p->b, "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n");
}

static void pb_begin_gen(pdfb *p, int num, int gen)
{
    CU_ASSERT_FATAL(num > 0 && num < MAX_OBJ);
    p->off[num] = p->b.len;
    p->type[num] = 1;
    p->gen[num] = gen;
    p->rev[p->n_rev++] = num;
    eseal__buf_printf(&p->b, "%d %d obj\n", num, gen);
}

static void pb_begin(pdfb *p, int num)
{
    pb_begin_gen(p, num, 0);
}

static void pb_obj(pdfb *p, int num, const char *fmt, ...)
    ESEAL_PRINTF(3, 4);

static void pb_obj(pdfb *p, int num, const char *fmt, ...)
{
    char body[2048];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(body, sizeof(body), fmt, ap);
    va_end(ap);
    pb_begin(p, num);
    eseal__buf_printf(&p->b, "%s\nendobj\n", body);
}

static void pb_stream(pdfb *p, int num, const char *data)
{
    pb_begin(p, num);
    eseal__buf_printf(&p->b, "<< /Length %zu >>\nstream\n%s\nendstream\n"
        "endobj\n", strlen(data), data);
}

/* A signature dictionary: keys, then /ByteRange and /Contents to patch. */
static void pb_sig(pdfb *p, int num, const char *keys, const char *hex,
    size_t pad)
{
    size_t i;

    pb_begin(p, num);
    eseal__buf_printf(&p->b, "<< %s /ByteRange [0 ", keys);
    p->br_pos = p->b.len;
    eseal__buf_puts(&p->b, "********** ********** **********] /Contents ");
    p->ct_start = p->b.len;
    eseal__buf_printf(&p->b, "<%s", hex);
    for (i = 0; i < pad; i++)
        eseal__buf_puts(&p->b, "00");
    eseal__buf_puts(&p->b, ">");
    p->ct_end = p->b.len;
    eseal__buf_puts(&p->b, " >>\nendobj\n");
}

/* Writes the xref table of this revision, the trailer and %%EOF. */
static void pb_xref(pdfb *p, int size, const char *trailer_extra)
{
    uint64_t xref = p->b.len;
    size_t i, j;

    /* sort this revision's objects */
    for (i = 1; i < p->n_rev; i++)
        for (j = i; j > 0 && p->rev[j - 1] > p->rev[j]; j--) {
            int t = p->rev[j];

            p->rev[j] = p->rev[j - 1];
            p->rev[j - 1] = t;
        }
    eseal__buf_puts(&p->b, "xref\n");
    if (p->prev_xref == 0)
        eseal__buf_puts(&p->b, "0 1\n0000000000 65535 f \n");
    for (i = 0; i < p->n_rev; i++)
        CU_ASSERT_FATAL(p->type[p->rev[i]] == 1);
    for (i = 0; i < p->n_rev; i++)
        eseal__buf_printf(&p->b, "%d 1\n%010llu %05d n \n", p->rev[i],
            (unsigned long long)p->off[p->rev[i]], p->gen[p->rev[i]]);
    eseal__buf_printf(&p->b, "trailer\n<< /Size %d /Root 1 0 R", size);
    if (p->prev_xref != 0)
        eseal__buf_printf(&p->b, " /Prev %llu",
            (unsigned long long)p->prev_xref);
    eseal__buf_printf(&p->b, "%s >>\nstartxref\n%llu\n%%%%EOF\n",
        trailer_extra ? trailer_extra : "", (unsigned long long)xref);
    p->prev_xref = xref;
    p->n_rev = 0;
}

/* An object stream holding objects nums[] (bodies[]), Flate or not. */
static void pb_objstm_z(pdfb *p, int num, size_t n, const int *nums,
    const char *const *bodies, int flate)
{
    eseal_buf head = { NULL, 0, 0, 0 }, body = { NULL, 0, 0, 0 };
    unsigned char z[8192];
    uLongf zlen = sizeof(z);
    size_t i, first;

    for (i = 0; i < n; i++) {
        eseal__buf_printf(&head, "%d %zu ", nums[i], body.len);
        eseal__buf_printf(&body, "%s\n", bodies[i]);
    }
    first = head.len;
    eseal__buf_append(&head, body.data, body.len);
    pb_begin(p, num);
    if (flate) {
        CU_ASSERT_FATAL(compress2(z, &zlen, (const Bytef *)head.data,
            head.len, 9) == Z_OK);
        eseal__buf_printf(&p->b, "<< /Type /ObjStm /N %zu /First %zu "
            "/Filter /FlateDecode /Length %lu >>\nstream\n", n, first,
            (unsigned long)zlen);
        eseal__buf_append(&p->b, z, zlen);
        eseal__buf_puts(&p->b, "\nendstream\nendobj\n");
    } else {
        eseal__buf_printf(&p->b, "<< /Type /ObjStm /N %zu /First %zu "
            "/Length %zu >>\nstream\n%s\nendstream\nendobj\n", n, first,
            head.len, head.data);
    }
    for (i = 0; i < n; i++) {
        p->type[nums[i]] = 2;
        p->off[nums[i]] = (uint64_t)num;
        p->index[nums[i]] = (int)i;
        p->rev[p->n_rev++] = nums[i];
    }
    eseal__buf_free(&head);
    eseal__buf_free(&body);
}

static void pb_objstm(pdfb *p, int num, size_t n, const int *nums,
    const char *const *bodies)
{
    pb_objstm_z(p, num, n, nums, bodies, 0);
}

/* Ends the revision with a cross-reference stream, object xnum. */
static void pb_xref_stream(pdfb *p, int xnum, int size)
{
    unsigned char data[MAX_OBJ * 7];
    uint64_t xref = p->b.len;
    size_t i, j, n = 0;

    p->off[xnum] = xref;
    p->type[xnum] = 1;
    p->rev[p->n_rev++] = xnum;
    for (i = 1; i < p->n_rev; i++)
        for (j = i; j > 0 && p->rev[j - 1] > p->rev[j]; j--) {
            int t = p->rev[j];

            p->rev[j] = p->rev[j - 1];
            p->rev[j - 1] = t;
        }
    eseal__buf_printf(&p->b, "%d 0 obj\n<< /Type /XRef /Size %d /Root 1 0 R "
        "/W [1 4 2] /Index [", xnum, size);
    for (i = 0; i < p->n_rev; i++) {
        int num = p->rev[i];
        uint64_t f2 = p->off[num];
        unsigned f3 = p->type[num] == 2 ? (unsigned)p->index[num] :
            (unsigned)p->gen[num];

        eseal__buf_printf(&p->b, "%s%d 1", i ? " " : "", num);
        data[n++] = (unsigned char)p->type[num];
        data[n++] = (unsigned char)(f2 >> 24);
        data[n++] = (unsigned char)(f2 >> 16);
        data[n++] = (unsigned char)(f2 >> 8);
        data[n++] = (unsigned char)f2;
        data[n++] = (unsigned char)(f3 >> 8);
        data[n++] = (unsigned char)f3;
    }
    eseal__buf_puts(&p->b, "]");
    if (p->prev_xref != 0)
        eseal__buf_printf(&p->b, " /Prev %llu",
            (unsigned long long)p->prev_xref);
    eseal__buf_printf(&p->b, " /Length %zu >>\nstream\n", n);
    eseal__buf_append(&p->b, data, n);
    eseal__buf_printf(&p->b, "\nendstream\nendobj\nstartxref\n%llu\n"
        "%%%%EOF\n", (unsigned long long)xref);
    p->prev_xref = xref;
    p->n_rev = 0;
}

static void pb_patch_br(pdfb *p, long long b, long long c, long long d)
{
    char tmp[64];

    snprintf(tmp, sizeof(tmp), "%10lld %10lld %10lld", b, c, d);
    CU_ASSERT_FATAL(strlen(tmp) == 32);
    memcpy(p->b.data + p->br_pos, tmp, 32);
}

/* Seals the last signature over everything written so far. */
static void pb_seal(pdfb *p)
{
    pb_patch_br(p, (long long)p->ct_start, (long long)p->ct_end,
        (long long)(p->b.len - p->ct_end));
}

/* The common first revision: one page, a signature field 5 with sig 6. */
#define SIG_KEYS "/Type /Sig /Filter /Adobe.PPKLite " \
    "/SubFilter /ETSI.CAdES.detached /M (D:20240102030405Z)"

static void pb_base(pdfb *p, const char *catalog_extra, const char *sig_keys)
{
    pb_start(p);
    pb_obj(p, 1, "<< /Type /Catalog /Pages 2 0 R /AcroForm 7 0 R%s >>",
        catalog_extra ? catalog_extra : "");
    pb_obj(p, 2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>");
    pb_obj(p, 3, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] "
                 "/Contents 4 0 R /Annots [5 0 R] >>");
    pb_stream(p, 4, "BT /F1 12 Tf 10 10 Td (Hello) Tj ET");
    pb_obj(p, 5, "<< /FT /Sig /T (Seal1) /V 6 0 R /Type /Annot "
                 "/Subtype /Widget /Rect [0 0 0 0] /F 132 /P 3 0 R >>");
    pb_sig(p, 6, sig_keys ? sig_keys : SIG_KEYS, FAKE_CMS, 60);
    pb_obj(p, 7, "<< /Fields [5 0 R] /SigFlags 3 >>");
    pb_xref(p, 8, NULL);
}

/* A second signature in an incremental update: field 8, sig 9. */
static void pb_second_sig(pdfb *p, const char *sig_keys)
{
    pb_obj(p, 3, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] "
                 "/Contents 4 0 R /Annots [5 0 R 8 0 R] >>");
    pb_obj(p, 7, "<< /Fields [5 0 R 8 0 R] /SigFlags 3 >>");
    pb_obj(p, 8, "<< /FT /Sig /T (Seal2) /V 9 0 R /Type /Annot "
                 "/Subtype /Widget /Rect [0 0 0 0] /F 132 /P 3 0 R >>");
    pb_sig(p, 9, sig_keys ? sig_keys : SIG_KEYS, FAKE_CMS, 40);
    pb_xref(p, 10, NULL);
}

/* With PDF_DIFF_DUMP_DIR set, the documents are kept (fuzzing seeds). */
static void dump_pdf(const pdfb *p)
{
    static int counter;
    const char *dir = getenv("PDF_DIFF_DUMP_DIR");
    char path[512];
    FILE *f;

    if (dir == NULL)
        return;
    snprintf(path, sizeof(path), "%s/pdf_diff-%03d.pdf", dir, counter++);
    if ((f = fopen(path, "wb")) != NULL) {
        fwrite(p->b.data, 1, p->b.len, f);
        fclose(f);
    }
}

static int find(eseal_verify_job *vj, eseal_source *src, const pdfb *p,
    eseal_error *err)
{
    dump_pdf(p);
    memset(vj, 0, sizeof(*vj));
    memset(src, 0, sizeof(*src));
    src->data = (const unsigned char *)p->b.data;
    src->size = p->b.len;
    src->fd = -1;
    src->name = "test.pdf";
    vj->in = src;
    return eseal__pdf_find_signatures(vj, err);
}

static int has_msg(char **list, size_t n, const char *part)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (strstr(list[i], part) != NULL)
            return 1;
    return 0;
}

/* With PDF_DIFF_VERBOSE set, prints what the adapter said. */
static void dump(const eseal_found_signature *fs)
{
    size_t i;

    if (getenv("PDF_DIFF_VERBOSE") == NULL)
        return;
    for (i = 0; i < fs->n_errors; i++)
        fprintf(stderr, "\n  error: %s", fs->errors[i]);
    for (i = 0; i < fs->n_warnings; i++)
        fprintf(stderr, "\n  warning: %s", fs->warnings[i]);
}

/* ---- tests ------------------------------------------------------------- */

static void test_pdf_diff__one_signature_covers_all(void)
{
    static const unsigned char cms[] = { 0x30, 0x03, 0x02, 0x01, 0x05 };
    eseal_verify_job vj;
    eseal_source src;
    eseal_error err = { 0, "" };
    eseal_found_signature *fs;
    pdfb p;

    pb_base(&p, NULL, NULL);
    pb_seal(&p);
    CU_ASSERT_EQUAL_FATAL(find(&vj, &src, &p, &err), 0);
    CU_ASSERT_EQUAL_FATAL(vj.n_found, 1);
    fs = &vj.found[0];
    dump(fs);
    CU_ASSERT_EQUAL(fs->kind, ESEAL_FOUND_CMS_DETACHED);
    CU_ASSERT_STRING_EQUAL(fs->sub_filter, "ETSI.CAdES.detached");
    CU_ASSERT_EQUAL(fs->n_errors, 0);
    CU_ASSERT_EQUAL(fs->n_warnings, 0);
    CU_ASSERT_EQUAL(fs->covered.count, 2);
    CU_ASSERT_EQUAL(fs->covered.span[0].origin, ESEAL_SPAN_INPUT);
    CU_ASSERT_EQUAL(fs->covered.span[0].off, 0);
    CU_ASSERT_EQUAL(fs->covered.span[0].len, p.ct_start);
    CU_ASSERT_EQUAL(fs->covered.span[1].off, p.ct_end);
    CU_ASSERT_EQUAL(fs->covered.span[1].len, p.b.len - p.ct_end);
    CU_ASSERT_TRUE(fs->covers_whole_document);
    CU_ASSERT_EQUAL(fs->modifications_after, ESEAL_MODS_NONE);
    CU_ASSERT_EQUAL(fs->contents.len, sizeof(cms));
    CU_ASSERT_EQUAL(memcmp(fs->contents.data, cms, sizeof(cms)), 0);
    CU_ASSERT_EQUAL(fs->claimed_time, (time_t)1704164645);
    CU_ASSERT_FALSE(fs->certification);
    CU_ASSERT_EQUAL(fs->docmdp_permissions, 0);
    eseal__pdf_verify_cleanup(&vj);
    CU_ASSERT_PTR_NULL(vj.found);
    CU_ASSERT_EQUAL(vj.n_found, 0);
    eseal__buf_free(&p.b);
}

static void test_pdf_diff__second_signature_is_permitted(void)
{
    eseal_verify_job vj;
    eseal_source src;
    eseal_error err = { 0, "" };
    uint64_t end1;
    pdfb p;

    pb_base(&p, NULL, NULL);
    pb_seal(&p);
    end1 = p.b.len;
    pb_second_sig(&p, NULL);
    pb_seal(&p);
    CU_ASSERT_EQUAL_FATAL(find(&vj, &src, &p, &err), 0);
    CU_ASSERT_EQUAL_FATAL(vj.n_found, 2);
    dump(&vj.found[0]);
    dump(&vj.found[1]);
    /* oldest first */
    CU_ASSERT_EQUAL(vj.found[0].covered.span[1].off +
        vj.found[0].covered.span[1].len, end1);
    CU_ASSERT_FALSE(vj.found[0].covers_whole_document);
    CU_ASSERT_EQUAL(vj.found[0].modifications_after, ESEAL_MODS_PERMITTED);
    CU_ASSERT_EQUAL(vj.found[0].n_errors, 0);
    CU_ASSERT_EQUAL(vj.found[0].n_warnings, 0);
    CU_ASSERT_TRUE(vj.found[1].covers_whole_document);
    CU_ASSERT_EQUAL(vj.found[1].modifications_after, ESEAL_MODS_NONE);
    CU_ASSERT_EQUAL(vj.found[1].n_errors, 0);
    eseal__pdf_verify_cleanup(&vj);
    eseal__buf_free(&p.b);
}

static void test_pdf_diff__oldest_first_whatever_the_field_order(void)
{
    eseal_verify_job vj;
    eseal_source src;
    eseal_error err = { 0, "" };
    uint64_t end1;
    pdfb p;

    pb_base(&p, NULL, NULL);
    pb_seal(&p);
    end1 = p.b.len;
    pb_obj(&p, 3, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] "
                  "/Contents 4 0 R /Annots [5 0 R 8 0 R] >>");
    /* the new field comes first in /Fields */
    pb_obj(&p, 7, "<< /Fields [8 0 R 5 0 R] /SigFlags 3 >>");
    pb_obj(&p, 8, "<< /FT /Sig /T (Seal2) /V 9 0 R /Subtype /Widget "
                  "/Rect [0 0 0 0] /P 3 0 R >>");
    pb_sig(&p, 9, SIG_KEYS, FAKE_CMS, 40);
    pb_xref(&p, 10, NULL);
    pb_seal(&p);
    CU_ASSERT_EQUAL_FATAL(find(&vj, &src, &p, &err), 0);
    CU_ASSERT_EQUAL_FATAL(vj.n_found, 2);
    CU_ASSERT_EQUAL(vj.found[0].covered.span[1].off +
        vj.found[0].covered.span[1].len, end1);
    CU_ASSERT_TRUE(vj.found[1].covers_whole_document);
    /* reordering the old fields is not an append */
    CU_ASSERT_EQUAL(vj.found[0].modifications_after, ESEAL_MODS_FORBIDDEN);
    CU_ASSERT_TRUE(has_msg(vj.found[0].warnings, vj.found[0].n_warnings,
        "/Fields"));
    eseal__pdf_verify_cleanup(&vj);
    eseal__buf_free(&p.b);
}

static void test_pdf_diff__page_contents_changed_is_forbidden(void)
{
    eseal_verify_job vj;
    eseal_source src;
    eseal_error err = { 0, "" };
    pdfb p;

    pb_base(&p, NULL, NULL);
    pb_seal(&p);
    pb_stream(&p, 8, "BT /F1 12 Tf 10 10 Td (Pay 1000000) Tj ET");
    pb_obj(&p, 3, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] "
                  "/Contents 8 0 R /Annots [5 0 R] >>");
    pb_xref(&p, 9, NULL);
    CU_ASSERT_EQUAL_FATAL(find(&vj, &src, &p, &err), 0);
    CU_ASSERT_EQUAL_FATAL(vj.n_found, 1);
    dump(&vj.found[0]);
    CU_ASSERT_EQUAL(vj.found[0].modifications_after, ESEAL_MODS_FORBIDDEN);
    CU_ASSERT_TRUE(has_msg(vj.found[0].warnings, vj.found[0].n_warnings,
        "object 3 0 (page) changed after the seal: /Contents"));
    CU_ASSERT_EQUAL(vj.found[0].n_errors, 0);
    eseal__pdf_verify_cleanup(&vj);
    eseal__buf_free(&p.b);
}

static void test_pdf_diff__content_stream_rewritten_is_forbidden(void)
{
    eseal_modifications m;
    char **reasons = NULL;
    size_t n = 0;
    eseal_error err = { 0, "" };
    uint64_t end1;
    pdfb p;

    pb_base(&p, NULL, NULL);
    pb_seal(&p);
    end1 = p.b.len;
    pb_stream(&p, 4, "BT /F1 12 Tf 10 10 Td (Goodbye) Tj ET");
    pb_xref(&p, 8, NULL);
    CU_ASSERT_EQUAL_FATAL(eseal__pdf_classify_changes(&m,
        (const unsigned char *)p.b.data, p.b.len, end1, "t.pdf", &reasons,
        &n, &err), 0);
    CU_ASSERT_EQUAL(m, ESEAL_MODS_FORBIDDEN);
    CU_ASSERT_TRUE(has_msg(reasons, n, "object 4 0 (stream) changed"));
    eseal__strlist_free(reasons, n);
    eseal__buf_free(&p.b);
}

static void test_pdf_diff__identical_rewrite_is_permitted(void)
{
    eseal_modifications m;
    char **reasons = NULL;
    size_t n = 0;
    eseal_error err = { 0, "" };
    uint64_t end1;
    pdfb p;

    pb_base(&p, NULL, NULL);
    pb_seal(&p);
    end1 = p.b.len;
    /* the same page again, only spaced differently */
    pb_obj(&p, 3, "<<  /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200]\n"
                  "/Annots [5 0 R] /Contents 4 0 R >>");
    pb_xref(&p, 8, NULL);
    CU_ASSERT_EQUAL_FATAL(eseal__pdf_classify_changes(&m,
        (const unsigned char *)p.b.data, p.b.len, end1, "t.pdf", &reasons,
        &n, &err), 0);
    CU_ASSERT_EQUAL(m, ESEAL_MODS_PERMITTED);
    CU_ASSERT_EQUAL(n, 0);
    eseal__strlist_free(reasons, n);
    eseal__buf_free(&p.b);
}

static void test_pdf_diff__garbage_appended_is_forbidden(void)
{
    eseal_verify_job vj;
    eseal_source src;
    eseal_error err = { 0, "" };
    pdfb p;

    pb_base(&p, NULL, NULL);
    pb_seal(&p);
    eseal__buf_puts(&p.b, "\nGARBAGE<<>>\n");
    CU_ASSERT_EQUAL_FATAL(find(&vj, &src, &p, &err), 0);
    CU_ASSERT_EQUAL_FATAL(vj.n_found, 1);
    CU_ASSERT_FALSE(vj.found[0].covers_whole_document);
    CU_ASSERT_EQUAL(vj.found[0].modifications_after, ESEAL_MODS_FORBIDDEN);
    CU_ASSERT_TRUE(has_msg(vj.found[0].warnings, vj.found[0].n_warnings,
        "12 bytes appended after the signed revision"));
    eseal__pdf_verify_cleanup(&vj);
    eseal__buf_free(&p.b);
}

static void test_pdf_diff__comment_appended_is_forbidden(void)
{
    eseal_verify_job vj;
    eseal_source src;
    eseal_error err = { 0, "" };
    pdfb p;

    pb_base(&p, NULL, NULL);
    pb_seal(&p);
    eseal__buf_puts(&p.b, "%not part of the seal\n");
    CU_ASSERT_EQUAL_FATAL(find(&vj, &src, &p, &err), 0);
    CU_ASSERT_EQUAL_FATAL(vj.n_found, 1);
    CU_ASSERT_EQUAL(vj.found[0].modifications_after, ESEAL_MODS_FORBIDDEN);
    eseal__pdf_verify_cleanup(&vj);
    eseal__buf_free(&p.b);
}

static void test_pdf_diff__whitespace_appended_is_no_change(void)
{
    eseal_verify_job vj;
    eseal_source src;
    eseal_error err = { 0, "" };
    pdfb p;

    pb_base(&p, NULL, NULL);
    pb_seal(&p);
    eseal__buf_append(&p.b, "\r\n \t\0\n", 6);
    CU_ASSERT_EQUAL_FATAL(find(&vj, &src, &p, &err), 0);
    CU_ASSERT_EQUAL_FATAL(vj.n_found, 1);
    CU_ASSERT_FALSE(vj.found[0].covers_whole_document);
    CU_ASSERT_EQUAL(vj.found[0].modifications_after, ESEAL_MODS_NONE);
    CU_ASSERT_EQUAL(vj.found[0].n_warnings, 0);
    eseal__pdf_verify_cleanup(&vj);
    eseal__buf_free(&p.b);
}

static void test_pdf_diff__unreferenced_object_between_revisions(void)
{
    eseal_verify_job vj;
    eseal_source src;
    eseal_error err = { 0, "" };
    pdfb p;

    pb_base(&p, NULL, NULL);
    pb_seal(&p);
    /* an object no xref knows, then a harmless later revision */
    eseal__buf_puts(&p.b, "3 0 obj\n<< /Type /Page /Contents 8 0 R >>\n"
                          "endobj\n");
    pb_obj(&p, 7, "<< /Fields [5 0 R] /SigFlags 3 >>");
    pb_xref(&p, 8, NULL);
    CU_ASSERT_EQUAL_FATAL(find(&vj, &src, &p, &err), 0);
    CU_ASSERT_EQUAL_FATAL(vj.n_found, 1);
    CU_ASSERT_EQUAL(vj.found[0].modifications_after, ESEAL_MODS_FORBIDDEN);
    CU_ASSERT_TRUE(has_msg(vj.found[0].warnings, vj.found[0].n_warnings,
        "not part of any later revision"));
    eseal__pdf_verify_cleanup(&vj);
    eseal__buf_free(&p.b);
}

static void test_pdf_diff__dss_and_doc_timestamp_are_permitted(void)
{
    eseal_verify_job vj;
    eseal_source src;
    eseal_error err = { 0, "" };
    pdfb p;

    pb_base(&p, NULL, NULL);
    pb_seal(&p);
    /* B-LT: a DSS (the catalog changes) */
    pb_obj(&p, 1, "<< /Type /Catalog /Pages 2 0 R /AcroForm 7 0 R "
                  "/DSS 8 0 R >>");
    pb_obj(&p, 8, "<< /Type /DSS /Certs [9 0 R] /OCSPs [10 0 R] "
                  "/VRI << /ABCDEF << /Cert [9 0 R] /TS 11 0 R >> >> >>");
    pb_stream(&p, 9, "certificate");
    pb_stream(&p, 10, "ocsp");
    pb_stream(&p, 11, "token");
    pb_xref(&p, 12, NULL);
    /* B-LTA: a document timestamp (the catalog changes again) */
    pb_obj(&p, 1, "<< /Type /Catalog /Pages 2 0 R /AcroForm 7 0 R "
                  "/DSS 8 0 R /Extensions << /ESIC << /BaseVersion /1.7 "
                  "/ExtensionLevel 2 >> >> >>");
    pb_obj(&p, 7, "<< /Fields [5 0 R 12 0 R] /SigFlags 3 >>");
    pb_obj(&p, 3, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] "
                  "/Contents 4 0 R /Annots [5 0 R 12 0 R] >>");
    pb_obj(&p, 12, "<< /FT /Sig /T (TS1) /V 13 0 R /Subtype /Widget "
                   "/Rect [0 0 0 0] /P 3 0 R >>");
    pb_sig(&p, 13, "/Type /DocTimeStamp /Filter /Adobe.PPKLite "
                   "/SubFilter /ETSI.RFC3161", FAKE_CMS, 20);
    pb_xref(&p, 14, NULL);
    pb_seal(&p);
    CU_ASSERT_EQUAL_FATAL(find(&vj, &src, &p, &err), 0);
    CU_ASSERT_EQUAL_FATAL(vj.n_found, 2);
    dump(&vj.found[0]);
    CU_ASSERT_EQUAL(vj.found[0].kind, ESEAL_FOUND_CMS_DETACHED);
    CU_ASSERT_EQUAL(vj.found[0].modifications_after, ESEAL_MODS_PERMITTED);
    CU_ASSERT_EQUAL(vj.found[1].kind, ESEAL_FOUND_DOC_TIMESTAMP);
    CU_ASSERT_STRING_EQUAL(vj.found[1].sub_filter, "ETSI.RFC3161");
    CU_ASSERT_EQUAL(vj.found[1].n_errors, 0);
    CU_ASSERT_EQUAL(vj.found[1].modifications_after, ESEAL_MODS_NONE);
    eseal__pdf_verify_cleanup(&vj);
    eseal__buf_free(&p.b);
}

static void test_pdf_diff__catalog_open_action_is_forbidden(void)
{
    eseal_verify_job vj;
    eseal_source src;
    eseal_error err = { 0, "" };
    pdfb p;

    pb_base(&p, NULL, NULL);
    pb_seal(&p);
    pb_obj(&p, 1, "<< /Type /Catalog /Pages 2 0 R /AcroForm 7 0 R "
                  "/OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>");
    pb_xref(&p, 8, NULL);
    CU_ASSERT_EQUAL_FATAL(find(&vj, &src, &p, &err), 0);
    CU_ASSERT_EQUAL_FATAL(vj.n_found, 1);
    CU_ASSERT_EQUAL(vj.found[0].modifications_after, ESEAL_MODS_FORBIDDEN);
    CU_ASSERT_TRUE(has_msg(vj.found[0].warnings, vj.found[0].n_warnings,
        "(catalog) changed after the seal: /OpenAction"));
    eseal__pdf_verify_cleanup(&vj);
    eseal__buf_free(&p.b);
}

static void test_pdf_diff__new_annotation_is_forbidden(void)
{
    eseal_verify_job vj;
    eseal_source src;
    eseal_error err = { 0, "" };
    pdfb p;

    pb_base(&p, NULL, NULL);
    pb_seal(&p);
    pb_obj(&p, 8, "<< /Type /Annot /Subtype /FreeText /Rect [0 0 200 200] "
                  "/Contents (VOID) >>");
    pb_obj(&p, 3, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] "
                  "/Contents 4 0 R /Annots [5 0 R 8 0 R] >>");
    pb_xref(&p, 9, NULL);
    CU_ASSERT_EQUAL_FATAL(find(&vj, &src, &p, &err), 0);
    CU_ASSERT_EQUAL_FATAL(vj.n_found, 1);
    dump(&vj.found[0]);
    CU_ASSERT_EQUAL(vj.found[0].modifications_after, ESEAL_MODS_FORBIDDEN);
    CU_ASSERT_TRUE(has_msg(vj.found[0].warnings, vj.found[0].n_warnings,
        "not a signature widget"));
    eseal__pdf_verify_cleanup(&vj);
    eseal__buf_free(&p.b);
}

static void test_pdf_diff__text_field_fill_in_is_forbidden(void)
{
    eseal_modifications m;
    char **reasons = NULL;
    size_t n = 0;
    eseal_error err = { 0, "" };
    uint64_t end1;
    pdfb p;

    pb_start(&p);
    pb_obj(&p, 1, "<< /Type /Catalog /Pages 2 0 R /AcroForm 7 0 R >>");
    pb_obj(&p, 2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>");
    pb_obj(&p, 3, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] "
                  "/Annots [5 0 R 8 0 R] >>");
    pb_obj(&p, 5, "<< /FT /Sig /T (Seal1) /V 6 0 R /Subtype /Widget "
                  "/Rect [0 0 0 0] /P 3 0 R >>");
    pb_sig(&p, 6, SIG_KEYS, FAKE_CMS, 10);
    pb_obj(&p, 7, "<< /Fields [5 0 R 8 0 R] >>");
    pb_obj(&p, 8, "<< /FT /Tx /T (Amount) /V (100) /Subtype /Widget "
                  "/Rect [0 0 50 20] /P 3 0 R >>");
    pb_xref(&p, 9, NULL);
    pb_seal(&p);
    end1 = p.b.len;
    pb_obj(&p, 8, "<< /FT /Tx /T (Amount) /V (999) /Subtype /Widget "
                  "/Rect [0 0 50 20] /P 3 0 R >>");
    pb_xref(&p, 9, NULL);
    CU_ASSERT_EQUAL_FATAL(eseal__pdf_classify_changes(&m,
        (const unsigned char *)p.b.data, p.b.len, end1, "t.pdf", &reasons,
        &n, &err), 0);
    CU_ASSERT_EQUAL(m, ESEAL_MODS_FORBIDDEN);
    CU_ASSERT_TRUE(has_msg(reasons, n, "object 8 0 (form field) changed "
                                       "after the seal: /V"));
    eseal__strlist_free(reasons, n);
    eseal__buf_free(&p.b);
}

static void test_pdf_diff__empty_signature_field_signed_later(void)
{
    eseal_verify_job vj;
    eseal_source src;
    eseal_error err = { 0, "" };
    pdfb p;

    /* a certification with a prepared empty field 8 for a second seal */
    pb_start(&p);
    pb_obj(&p, 1, "<< /Type /Catalog /Pages 2 0 R /AcroForm 7 0 R >>");
    pb_obj(&p, 2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>");
    pb_obj(&p, 3, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] "
                  "/Annots [5 0 R 8 0 R] >>");
    pb_obj(&p, 5, "<< /FT /Sig /T (Seal1) /V 6 0 R /Subtype /Widget "
                  "/Rect [0 0 0 0] /P 3 0 R >>");
    pb_sig(&p, 6, SIG_KEYS, FAKE_CMS, 10);
    pb_obj(&p, 7, "<< /Fields [5 0 R 8 0 R] /SigFlags 3 >>");
    pb_obj(&p, 8, "<< /FT /Sig /T (Seal2) /Subtype /Widget "
                  "/Rect [0 0 50 20] /P 3 0 R >>");
    pb_xref(&p, 9, NULL);
    pb_seal(&p);
    pb_obj(&p, 8, "<< /FT /Sig /T (Seal2) /Subtype /Widget "
                  "/Rect [0 0 50 20] /P 3 0 R /V 9 0 R /AP << /N 10 0 R >> "
                  ">>");
    pb_sig(&p, 9, SIG_KEYS, FAKE_CMS, 10);
    pb_stream(&p, 10, "q 0 0 1 rg 0 0 50 20 re f Q");
    pb_xref(&p, 11, NULL);
    pb_seal(&p);
    CU_ASSERT_EQUAL_FATAL(find(&vj, &src, &p, &err), 0);
    CU_ASSERT_EQUAL_FATAL(vj.n_found, 2);
    dump(&vj.found[0]);
    CU_ASSERT_EQUAL(vj.found[0].modifications_after, ESEAL_MODS_PERMITTED);
    CU_ASSERT_EQUAL(vj.found[1].modifications_after, ESEAL_MODS_NONE);
    eseal__pdf_verify_cleanup(&vj);
    eseal__buf_free(&p.b);
}

static void test_pdf_diff__byte_range_not_matching_contents(void)
{
    eseal_verify_job vj;
    eseal_source src;
    eseal_error err = { 0, "" };
    pdfb p;

    pb_base(&p, NULL, NULL);
    /* the gap starts one byte too late */
    pb_patch_br(&p, (long long)p.ct_start + 1, (long long)p.ct_end,
        (long long)(p.b.len - p.ct_end));
    CU_ASSERT_EQUAL_FATAL(find(&vj, &src, &p, &err), 0);
    CU_ASSERT_EQUAL_FATAL(vj.n_found, 1);
    CU_ASSERT_TRUE(has_msg(vj.found[0].errors, vj.found[0].n_errors,
        "ByteRange does not match /Contents"));
    CU_ASSERT_EQUAL(vj.found[0].covered.count, 0);
    CU_ASSERT_EQUAL(vj.found[0].contents.len, 0);
    CU_ASSERT_FALSE(vj.found[0].covers_whole_document);
    eseal__pdf_verify_cleanup(&vj);

    /* a gap that is a hex string, but not this dictionary's /Contents */
    pb_patch_br(&p, (long long)p.ct_start, (long long)p.ct_end - 2,
        (long long)(p.b.len - p.ct_end + 2));
    CU_ASSERT_EQUAL_FATAL(find(&vj, &src, &p, &err), 0);
    CU_ASSERT_TRUE(has_msg(vj.found[0].errors, vj.found[0].n_errors,
        "ByteRange does not match /Contents"));
    eseal__pdf_verify_cleanup(&vj);
    eseal__buf_free(&p.b);
}

static void test_pdf_diff__byte_range_beyond_eof(void)
{
    eseal_verify_job vj;
    eseal_source src;
    eseal_error err = { 0, "" };
    pdfb p;

    pb_base(&p, NULL, NULL);
    pb_patch_br(&p, (long long)p.ct_start, (long long)p.ct_end,
        (long long)(p.b.len - p.ct_end + 1));
    CU_ASSERT_EQUAL_FATAL(find(&vj, &src, &p, &err), 0);
    CU_ASSERT_EQUAL_FATAL(vj.n_found, 1);
    CU_ASSERT_TRUE(has_msg(vj.found[0].errors, vj.found[0].n_errors,
        "beyond the end of the file"));
    CU_ASSERT_EQUAL(vj.found[0].covered.count, 0);
    CU_ASSERT_EQUAL(vj.found[0].modifications_after, ESEAL_MODS_FORBIDDEN);
    eseal__pdf_verify_cleanup(&vj);
    eseal__buf_free(&p.b);
}

static void test_pdf_diff__byte_range_shapes(void)
{
    static const char *const bad[] = {
        "[0 -5 10 10]", "[0 10 20]", "[0 10 20 30 40]", "[0 1.5 20 30]",
        "[5 10 20 30]", "[0 20 10 30]", "[0 (a) 20 30]"
    };
    eseal_verify_job vj;
    eseal_source src;
    eseal_error err = { 0, "" };
    char keys[256];
    size_t i;
    pdfb p;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        /* a second /ByteRange key would be ambiguous: use a dictionary
         * whose only ByteRange is the bad one */
        snprintf(keys, sizeof(keys), "/Type /Sig /SubFilter "
            "/ETSI.CAdES.detached /ByteRange %s /Contents <" FAKE_CMS ">",
            bad[i]);
        pb_start(&p);
        pb_obj(&p, 1, "<< /Type /Catalog /Pages 2 0 R /AcroForm 7 0 R >>");
        pb_obj(&p, 2, "<< /Type /Pages /Kids [] /Count 0 >>");
        pb_obj(&p, 5, "<< /FT /Sig /V 6 0 R >>");
        pb_obj(&p, 6, "<< %s >>", keys);
        pb_obj(&p, 7, "<< /Fields [5 0 R] >>");
        pb_xref(&p, 8, NULL);
        CU_ASSERT_EQUAL_FATAL(find(&vj, &src, &p, &err), 0);
        CU_ASSERT_EQUAL_FATAL(vj.n_found, 1);
        CU_ASSERT_EQUAL(vj.found[0].n_errors, 1);
        CU_ASSERT_EQUAL(vj.found[0].covered.count, 0);
        if (vj.found[0].n_errors != 1)
            fprintf(stderr, "\n  no error for %s", bad[i]);
        eseal__pdf_verify_cleanup(&vj);
        eseal__buf_free(&p.b);
    }
}

static void test_pdf_diff__der_length_checks(void)
{
    static const struct { const char *hex; const char *msg; } cases[] = {
        { "30800480", "indefinite length on a primitive" },
        { "3085000000000105", "overlong" },
        { "3010020105", "exceeds" },
        { "0403020105", "DER SEQUENCE" },
        { "", "empty" },
    };
    eseal_verify_job vj;
    eseal_source src;
    eseal_error err = { 0, "" };
    size_t i;
    pdfb p;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        pb_start(&p);
        pb_obj(&p, 1, "<< /Type /Catalog /Pages 2 0 R /AcroForm 7 0 R >>");
        pb_obj(&p, 2, "<< /Type /Pages /Kids [] /Count 0 >>");
        pb_obj(&p, 5, "<< /FT /Sig /V 6 0 R >>");
        pb_sig(&p, 6, SIG_KEYS, cases[i].hex, 8);
        pb_obj(&p, 7, "<< /Fields [5 0 R] >>");
        pb_xref(&p, 8, NULL);
        pb_seal(&p);
        CU_ASSERT_EQUAL_FATAL(find(&vj, &src, &p, &err), 0);
        CU_ASSERT_EQUAL_FATAL(vj.n_found, 1);
        CU_ASSERT_TRUE(has_msg(vj.found[0].errors, vj.found[0].n_errors,
            cases[i].msg));
        CU_ASSERT_EQUAL(vj.found[0].contents.len, 0);
        eseal__pdf_verify_cleanup(&vj);
        eseal__buf_free(&p.b);
    }
    /* a long-form length and padding that is not zero */
    pb_start(&p);
    pb_obj(&p, 1, "<< /Type /Catalog /Pages 2 0 R /AcroForm 7 0 R >>");
    pb_obj(&p, 2, "<< /Type /Pages /Kids [] /Count 0 >>");
    pb_obj(&p, 5, "<< /FT /Sig /V 6 0 R >>");
    pb_sig(&p, 6, SIG_KEYS, "308103020105 77", 4);
    pb_obj(&p, 7, "<< /Fields [5 0 R] >>");
    pb_xref(&p, 8, NULL);
    pb_seal(&p);
    CU_ASSERT_EQUAL_FATAL(find(&vj, &src, &p, &err), 0);
    CU_ASSERT_EQUAL_FATAL(vj.n_found, 1);
    CU_ASSERT_EQUAL(vj.found[0].n_errors, 0);
    CU_ASSERT_EQUAL(vj.found[0].contents.len, 6);
    CU_ASSERT_TRUE(has_msg(vj.found[0].warnings, vj.found[0].n_warnings,
        "non-zero bytes"));
    eseal__pdf_verify_cleanup(&vj);
    eseal__buf_free(&p.b);
}

static time_t claimed(const char *m, size_t *n_warnings)
{
    eseal_verify_job vj;
    eseal_source src;
    eseal_error err = { 0, "" };
    char keys[256];
    time_t t = (time_t)-1;
    pdfb p;

    snprintf(keys, sizeof(keys), "/Type /Sig /SubFilter /adbe.pkcs7.detached "
        "/M %s", m);
    pb_base(&p, NULL, keys);
    pb_seal(&p);
    if (find(&vj, &src, &p, &err) == 0 && vj.n_found == 1) {
        t = vj.found[0].claimed_time;
        *n_warnings = vj.found[0].n_warnings;
    }
    eseal__pdf_verify_cleanup(&vj);
    eseal__buf_free(&p.b);
    return t;
}

static void test_pdf_diff__signing_time_variants(void)
{
    static const struct { const char *m; long long t; } ok[] = {
        { "(D:20240102030405Z)", 1704164645 },
        { "(D:20240102030405Z00'00')", 1704164645 },
        { "(D:20240102120405+09'00')", 1704164645 },
        { "(D:20240102120405+09'00)", 1704164645 },
        { "(D:20240102120405+09)", 1704164645 },
        { "(D:20240101223405-04'30')", 1704164645 },
        { "(D:20240102030405)", 1704164645 },
        { "(20240102030405Z)", 1704164645 },
        { "<443A3230323430313032303330343035>", 1704164645 },
        { "(D:2024)", 1704067200 },
        { "(D:202401021304)", 1704200640 },
        { "(D:20231231235959Z)", 1704067199 },
        { "(D:20240229)", 1709164800 },
    };
    static const char *const bad[] = {
        "(D:2024133)", "(D:20240230)", "(D:20230229)", "(D:20241301)",
        "(D:20240102250000)", "(D:20240102030405X)", "(yesterday)", "42",
        "(D:20240102030405+09'00'junk)"
    };
    size_t i, nw;

    for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        nw = 99;
        CU_ASSERT_EQUAL(claimed(ok[i].m, &nw), (time_t)ok[i].t);
        CU_ASSERT_EQUAL(nw, 0);
        if (claimed(ok[i].m, &nw) != (time_t)ok[i].t)
            fprintf(stderr, "\n  /M %s", ok[i].m);
    }
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        nw = 0;
        CU_ASSERT_EQUAL(claimed(bad[i], &nw), 0);
        CU_ASSERT_EQUAL(nw, 1);
    }
}

static void test_pdf_diff__inherited_field_type(void)
{
    eseal_verify_job vj;
    eseal_source src;
    eseal_error err = { 0, "" };
    pdfb p;

    pb_start(&p);
    pb_obj(&p, 1, "<< /Type /Catalog /Pages 2 0 R /AcroForm 7 0 R >>");
    pb_obj(&p, 2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>");
    pb_obj(&p, 3, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] "
                  "/Annots [8 0 R] >>");
    /* the parent has the type, the kid the value; a text field with a
     * signature-like value is not a signature; a loop back to the parent
     * is ignored */
    pb_obj(&p, 5, "<< /FT /Sig /T (Seals) /Kids [8 0 R 5 0 R] >>");
    pb_sig(&p, 6, SIG_KEYS, FAKE_CMS, 10);
    pb_obj(&p, 7, "<< /Fields [5 0 R 9 0 R 12 0 R] >>");
    pb_obj(&p, 8, "<< /Parent 5 0 R /T (a) /V 6 0 R /Subtype /Widget "
                  "/Rect [0 0 0 0] /P 3 0 R >>");
    pb_obj(&p, 9, "<< /FT /Tx /T (text) /Kids [10 0 R] >>");
    pb_obj(&p, 10, "<< /Parent 9 0 R /V 11 0 R >>");
    pb_obj(&p, 11, "<< /Type /Sig /ByteRange [0 1 2 3] /Contents <00> >>");
    pb_obj(&p, 12, "<< /T (free) /FT /Sig /V 40 0 R >>");
    pb_xref(&p, 13, NULL);
    pb_seal(&p);
    CU_ASSERT_EQUAL_FATAL(find(&vj, &src, &p, &err), 0);
    CU_ASSERT_EQUAL_FATAL(vj.n_found, 1);
    dump(&vj.found[0]);
    CU_ASSERT_EQUAL(vj.found[0].n_errors, 0);
    CU_ASSERT_TRUE(vj.found[0].covers_whole_document);
    eseal__pdf_verify_cleanup(&vj);
    eseal__buf_free(&p.b);
}

static void certified(int p_value, eseal_modifications *first)
{
    eseal_verify_job vj;
    eseal_source src;
    eseal_error err = { 0, "" };
    char keys[512];
    pdfb p;

    snprintf(keys, sizeof(keys), SIG_KEYS " /Reference [<< /Type /SigRef "
        "/TransformMethod /DocMDP /TransformParams << /Type "
        "/TransformParams /P %d /V /1.2 >> >>]", p_value);
    pb_base(&p, " /Perms << /DocMDP 6 0 R >>", keys);
    pb_seal(&p);
    pb_second_sig(&p, NULL);
    pb_seal(&p);
    CU_ASSERT_EQUAL_FATAL(find(&vj, &src, &p, &err), 0);
    CU_ASSERT_EQUAL_FATAL(vj.n_found, 2);
    CU_ASSERT_TRUE(vj.found[0].certification);
    CU_ASSERT_EQUAL(vj.found[0].docmdp_permissions, p_value);
    CU_ASSERT_FALSE(vj.found[1].certification);
    CU_ASSERT_EQUAL(vj.found[1].docmdp_permissions, 0);
    *first = vj.found[0].modifications_after;
    if (p_value == 1)
        CU_ASSERT_TRUE(has_msg(vj.found[0].warnings, vj.found[0].n_warnings,
            "DocMDP P=1"));
    eseal__pdf_verify_cleanup(&vj);
    eseal__buf_free(&p.b);
}

static void test_pdf_diff__docmdp_permissions(void)
{
    eseal_modifications m;

    certified(1, &m);
    CU_ASSERT_EQUAL(m, ESEAL_MODS_FORBIDDEN);
    certified(2, &m);
    CU_ASSERT_EQUAL(m, ESEAL_MODS_PERMITTED);
    certified(3, &m);
    CU_ASSERT_EQUAL(m, ESEAL_MODS_PERMITTED);
}

static void test_pdf_diff__docmdp_default_is_2(void)
{
    eseal_verify_job vj;
    eseal_source src;
    eseal_error err = { 0, "" };
    pdfb p;

    pb_base(&p, " /Perms << /DocMDP 6 0 R >>", SIG_KEYS
        " /Reference [<< /TransformMethod /DocMDP >>]");
    pb_seal(&p);
    CU_ASSERT_EQUAL_FATAL(find(&vj, &src, &p, &err), 0);
    CU_ASSERT_EQUAL_FATAL(vj.n_found, 1);
    CU_ASSERT_TRUE(vj.found[0].certification);
    CU_ASSERT_EQUAL(vj.found[0].docmdp_permissions, 2);
    CU_ASSERT_EQUAL(vj.found[0].n_warnings, 0);
    eseal__pdf_verify_cleanup(&vj);
    eseal__buf_free(&p.b);
}

static void test_pdf_diff__sub_filters(void)
{
    eseal_verify_job vj;
    eseal_source src;
    eseal_error err = { 0, "" };
    pdfb p;

    pb_base(&p, NULL, "/Type /Sig /SubFilter /adbe.pkcs7.sha1");
    pb_seal(&p);
    CU_ASSERT_EQUAL_FATAL(find(&vj, &src, &p, &err), 0);
    CU_ASSERT_EQUAL_FATAL(vj.n_found, 1);
    CU_ASSERT_STRING_EQUAL(vj.found[0].sub_filter, "adbe.pkcs7.sha1");
    CU_ASSERT_TRUE(has_msg(vj.found[0].errors, vj.found[0].n_errors,
        "SHA-1"));
    eseal__pdf_verify_cleanup(&vj);
    eseal__buf_free(&p.b);

    pb_base(&p, NULL, "/Type /Sig /SubFilter /adbe.x509.rsa_sha1");
    pb_seal(&p);
    CU_ASSERT_EQUAL_FATAL(find(&vj, &src, &p, &err), 0);
    CU_ASSERT_TRUE(has_msg(vj.found[0].errors, vj.found[0].n_errors,
        "unsupported /SubFilter"));
    eseal__pdf_verify_cleanup(&vj);
    eseal__buf_free(&p.b);

    pb_base(&p, NULL, "/Type /Sig /SubFilter /adbe.pkcs7.detached");
    pb_seal(&p);
    CU_ASSERT_EQUAL_FATAL(find(&vj, &src, &p, &err), 0);
    CU_ASSERT_EQUAL(vj.found[0].n_errors, 0);
    CU_ASSERT_EQUAL(vj.found[0].kind, ESEAL_FOUND_CMS_DETACHED);
    eseal__pdf_verify_cleanup(&vj);
    eseal__buf_free(&p.b);

    pb_base(&p, NULL, "/Type /DocTimeStamp /SubFilter /ETSI.CAdES.detached");
    pb_seal(&p);
    CU_ASSERT_EQUAL_FATAL(find(&vj, &src, &p, &err), 0);
    CU_ASSERT_TRUE(has_msg(vj.found[0].errors, vj.found[0].n_errors,
        "document timestamp"));
    eseal__pdf_verify_cleanup(&vj);
    eseal__buf_free(&p.b);
}

static void test_pdf_diff__no_acroform_no_signatures(void)
{
    eseal_verify_job vj;
    eseal_source src;
    eseal_error err = { 0, "" };
    pdfb p;

    pb_start(&p);
    pb_obj(&p, 1, "<< /Type /Catalog /Pages 2 0 R >>");
    pb_obj(&p, 2, "<< /Type /Pages /Kids [] /Count 0 >>");
    pb_xref(&p, 3, NULL);
    CU_ASSERT_EQUAL(find(&vj, &src, &p, &err), 0);
    CU_ASSERT_EQUAL(vj.n_found, 0);
    eseal__pdf_verify_cleanup(&vj);
    eseal__buf_free(&p.b);

    /* an AcroForm without signature fields */
    pb_start(&p);
    pb_obj(&p, 1, "<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields "
                  "[3 0 R] >> >>");
    pb_obj(&p, 2, "<< /Type /Pages /Kids [] /Count 0 >>");
    pb_obj(&p, 3, "<< /FT /Sig /T (empty) >>");
    pb_xref(&p, 4, NULL);
    CU_ASSERT_EQUAL(find(&vj, &src, &p, &err), 0);
    CU_ASSERT_EQUAL(vj.n_found, 0);
    eseal__pdf_verify_cleanup(&vj);
    eseal__buf_free(&p.b);
}

static void test_pdf_diff__not_a_pdf(void)
{
    eseal_verify_job vj;
    eseal_source src;
    eseal_error err = { 0, "" };
    pdfb p;

    memset(&p, 0, sizeof(p));
    eseal__buf_puts(&p.b, "hello, world\n");
    CU_ASSERT_EQUAL(find(&vj, &src, &p, &err), ESEAL_EFORMAT);
    CU_ASSERT_EQUAL(err.code, ESEAL_EFORMAT);
    CU_ASSERT_EQUAL(vj.n_found, 0);
    eseal__pdf_verify_cleanup(&vj);
    eseal__buf_free(&p.b);
}

static void test_pdf_diff__classify_arguments(void)
{
    eseal_modifications m = ESEAL_MODS_FORBIDDEN;
    eseal_error err = { 0, "" };
    static const unsigned char x[] = "%PDF-1.7\n";

    CU_ASSERT_EQUAL(eseal__pdf_classify_changes(&m, x, sizeof(x) - 1,
        sizeof(x) - 1, "t", NULL, NULL, &err), 0);
    CU_ASSERT_EQUAL(m, ESEAL_MODS_NONE);
    CU_ASSERT_EQUAL(eseal__pdf_classify_changes(&m, x, sizeof(x) - 1,
        sizeof(x), "t", NULL, NULL, &err), ESEAL_EINVAL);
}

static void test_pdf_diff__gap_is_another_hex_string(void)
{
    eseal_verify_job vj;
    eseal_source src;
    eseal_error err = { 0, "" };
    const char *hit;
    uint64_t b, c;
    pdfb p;

    /* an annotation earlier in the file holds the same hex string under
     * /Contents, the catalog under another key */
    pb_start(&p);
    pb_obj(&p, 1, "<< /Type /Catalog /Pages 2 0 R /AcroForm 7 0 R "
                  "/Foo <" FAKE_CMS "0000> >>");
    pb_obj(&p, 2, "<< /Type /Pages /Kids [] /Count 0 >>");
    pb_obj(&p, 4, "<< /Type /Annot /Contents <" FAKE_CMS "0000> >>");
    pb_obj(&p, 5, "<< /FT /Sig /V 6 0 R >>");
    pb_sig(&p, 6, SIG_KEYS, FAKE_CMS, 2);
    pb_obj(&p, 7, "<< /Fields [5 0 R] >>");
    pb_xref(&p, 8, NULL);
    pb_seal(&p);
    CU_ASSERT_EQUAL_FATAL(find(&vj, &src, &p, &err), 0);
    CU_ASSERT_EQUAL_FATAL(vj.n_found, 1);
    CU_ASSERT_EQUAL(vj.found[0].n_errors, 0);
    eseal__pdf_verify_cleanup(&vj);

    hit = strstr(p.b.data, "/Foo <");
    CU_ASSERT_PTR_NOT_NULL_FATAL(hit);
    b = (uint64_t)(hit - p.b.data) + 5;
    c = b + strlen(FAKE_CMS "0000") + 2;
    pb_patch_br(&p, (long long)b, (long long)c, (long long)(p.b.len - c));
    CU_ASSERT_EQUAL_FATAL(find(&vj, &src, &p, &err), 0);
    CU_ASSERT_TRUE(has_msg(vj.found[0].errors, vj.found[0].n_errors,
        "ByteRange does not match /Contents"));
    eseal__pdf_verify_cleanup(&vj);

    hit = strstr(p.b.data, "/Annot /Contents <");
    CU_ASSERT_PTR_NOT_NULL_FATAL(hit);
    b = (uint64_t)(hit - p.b.data) + 17;
    c = b + strlen(FAKE_CMS "0000") + 2;
    pb_patch_br(&p, (long long)b, (long long)c, (long long)(p.b.len - c));
    CU_ASSERT_EQUAL_FATAL(find(&vj, &src, &p, &err), 0);
    CU_ASSERT_TRUE(has_msg(vj.found[0].errors, vj.found[0].n_errors,
        "ByteRange does not match /Contents"));
    eseal__pdf_verify_cleanup(&vj);
    eseal__buf_free(&p.b);
}

static void test_pdf_diff__same_gap_claimed_twice(void)
{
    eseal_verify_job vj;
    eseal_source src;
    eseal_error err = { 0, "" };
    char keys[256];
    pdfb p;

    pb_base(&p, NULL, NULL);
    pb_seal(&p);
    /* a later dictionary that copies the first one's range and value */
    snprintf(keys, sizeof(keys), SIG_KEYS " /ByteRange [0 %llu %llu %llu] "
        "/Contents <" FAKE_CMS ">", (unsigned long long)p.ct_start,
        (unsigned long long)p.ct_end,
        (unsigned long long)(p.b.len - p.ct_end));
    pb_obj(&p, 3, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] "
                  "/Contents 4 0 R /Annots [5 0 R 8 0 R] >>");
    pb_obj(&p, 7, "<< /Fields [5 0 R 8 0 R] /SigFlags 3 >>");
    pb_obj(&p, 8, "<< /FT /Sig /T (Copy) /V 9 0 R /Subtype /Widget "
                  "/Rect [0 0 0 0] /P 3 0 R >>");
    pb_obj(&p, 9, "<< %s >>", keys);
    pb_xref(&p, 10, NULL);
    CU_ASSERT_EQUAL_FATAL(find(&vj, &src, &p, &err), 0);
    CU_ASSERT_EQUAL_FATAL(vj.n_found, 2);
    CU_ASSERT_EQUAL(vj.found[0].n_errors, 0);
    CU_ASSERT_EQUAL(vj.found[1].n_errors, 1);
    CU_ASSERT_EQUAL(vj.found[1].covered.count, 0);
    eseal__pdf_verify_cleanup(&vj);
    eseal__buf_free(&p.b);
}

static void test_pdf_diff__object_stream_update(void)
{
    static const int nums[] = { 3, 7, 8 };
    static const char *const ok[] = {
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] "
        "/Contents 4 0 R /Annots [5 0 R 8 0 R] >>",
        "<< /Fields [5 0 R 8 0 R] /SigFlags 3 >>",
        "<< /FT /Sig /T (Seal2) /V 9 0 R /Subtype /Widget "
        "/Rect [0 0 0 0] /P 3 0 R >>"
    };
    static const char *const bad[] = {
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 300] "
        "/Contents 4 0 R /Annots [5 0 R 8 0 R] >>",
        ok[1], ok[2]
    };
    eseal_verify_job vj;
    eseal_source src;
    eseal_error err = { 0, "" };
    int round;
    pdfb p;

    for (round = 0; round < 2; round++) {
        pb_base(&p, NULL, NULL);
        pb_seal(&p);
        pb_objstm(&p, 10, 3, nums, round == 0 ? ok : bad);
        pb_sig(&p, 9, SIG_KEYS, FAKE_CMS, 30);
        pb_xref_stream(&p, 11, 12);
        pb_seal(&p);
        CU_ASSERT_EQUAL_FATAL(find(&vj, &src, &p, &err), 0);
        if (vj.n_found != 2)
            fprintf(stderr, "\n  %s", err.message);
        CU_ASSERT_EQUAL_FATAL(vj.n_found, 2);
        dump(&vj.found[0]);
        CU_ASSERT_EQUAL(vj.found[0].modifications_after, round == 0 ?
            ESEAL_MODS_PERMITTED : ESEAL_MODS_FORBIDDEN);
        if (round == 1)
            CU_ASSERT_TRUE(has_msg(vj.found[0].warnings,
                vj.found[0].n_warnings, "(page) changed after the seal: "
                                        "/MediaBox"));
        CU_ASSERT_EQUAL(vj.found[1].n_errors, 0);
        CU_ASSERT_EQUAL(vj.found[1].modifications_after, ESEAL_MODS_NONE);
        eseal__pdf_verify_cleanup(&vj);
        eseal__buf_free(&p.b);
    }
}

static void test_pdf_diff__signature_in_object_stream(void)
{
    static const int nums[] = { 5, 6, 7 };
    static const char *const bodies[] = {
        "<< /FT /Sig /V 6 0 R >>",
        "<< /Type /Sig /SubFilter /ETSI.CAdES.detached "
        "/ByteRange [0 10 20 30] /Contents <" FAKE_CMS "> >>",
        "<< /Fields [5 0 R] >>"
    };
    eseal_verify_job vj;
    eseal_source src;
    eseal_error err = { 0, "" };
    pdfb p;

    pb_start(&p);
    pb_obj(&p, 1, "<< /Type /Catalog /Pages 2 0 R /AcroForm 7 0 R >>");
    pb_obj(&p, 2, "<< /Type /Pages /Kids [] /Count 0 >>");
    pb_xref(&p, 3, NULL);
    pb_objstm(&p, 8, 3, nums, bodies);
    pb_xref_stream(&p, 9, 10);
    CU_ASSERT_EQUAL_FATAL(find(&vj, &src, &p, &err), 0);
    CU_ASSERT_EQUAL_FATAL(vj.n_found, 1);
    CU_ASSERT_EQUAL(vj.found[0].covered.count, 0);
    CU_ASSERT_TRUE(vj.found[0].n_errors >= 1);
    eseal__pdf_verify_cleanup(&vj);
    eseal__buf_free(&p.b);
}

static void test_pdf_diff__update_not_chained(void)
{
    eseal_modifications m;
    char **reasons = NULL;
    size_t n = 0;
    eseal_error err = { 0, "" };
    uint64_t end1;
    pdfb p;

    pb_base(&p, NULL, NULL);
    pb_seal(&p);
    end1 = p.b.len;
    /* a later revision that forgets /Prev: a new document on top */
    p.prev_xref = 0;
    pb_obj(&p, 1, "<< /Type /Catalog /Pages 2 0 R /AcroForm 7 0 R >>");
    pb_obj(&p, 2, "<< /Type /Pages /Kids [] /Count 0 >>");
    pb_obj(&p, 7, "<< /Fields [5 0 R] >>");
    pb_xref(&p, 8, NULL);
    CU_ASSERT_EQUAL_FATAL(eseal__pdf_classify_changes(&m,
        (const unsigned char *)p.b.data, p.b.len, end1, "t.pdf", &reasons,
        &n, &err), 0);
    CU_ASSERT_EQUAL(m, ESEAL_MODS_FORBIDDEN);
    CU_ASSERT_TRUE(has_msg(reasons, n, "cross-reference chain"));
    eseal__strlist_free(reasons, n);
    eseal__buf_free(&p.b);
}

static void test_pdf_diff__object_deleted(void)
{
    eseal_modifications m;
    char **reasons = NULL;
    size_t n = 0;
    eseal_error err = { 0, "" };
    uint64_t end1, xref;
    pdfb p;

    pb_base(&p, NULL, NULL);
    pb_seal(&p);
    end1 = p.b.len;
    xref = p.b.len;
    eseal__buf_printf(&p.b, "xref\n4 1\n0000000000 00001 f \ntrailer\n"
        "<< /Size 8 /Root 1 0 R /Prev %llu >>\nstartxref\n%llu\n%%%%EOF\n",
        (unsigned long long)p.prev_xref, (unsigned long long)xref);
    CU_ASSERT_EQUAL_FATAL(eseal__pdf_classify_changes(&m,
        (const unsigned char *)p.b.data, p.b.len, end1, "t.pdf", &reasons,
        &n, &err), 0);
    CU_ASSERT_EQUAL(m, ESEAL_MODS_FORBIDDEN);
    CU_ASSERT_TRUE(has_msg(reasons, n, "object 4 0 (stream) deleted"));
    eseal__strlist_free(reasons, n);
    eseal__buf_free(&p.b);
}

static void test_pdf_diff__signed_revision_unreadable(void)
{
    eseal_modifications m;
    char **reasons = NULL;
    size_t n = 0;
    eseal_error err = { 0, "" };
    pdfb p;

    pb_base(&p, NULL, NULL);
    pb_seal(&p);
    /* a "signed revision" that ends in the middle of the first one */
    CU_ASSERT_EQUAL_FATAL(eseal__pdf_classify_changes(&m,
        (const unsigned char *)p.b.data, p.b.len, p.off[4], "t.pdf",
        &reasons, &n, &err), 0);
    CU_ASSERT_EQUAL(m, ESEAL_MODS_FORBIDDEN);
    CU_ASSERT_TRUE(has_msg(reasons, n, "cannot be read"));
    eseal__strlist_free(reasons, n);
    eseal__buf_free(&p.b);
}

static void test_pdf_diff__metadata_updates_are_permitted(void)
{
    eseal_modifications m;
    char **reasons = NULL;
    size_t n = 0;
    eseal_error err = { 0, "" };
    uint64_t end1;
    pdfb p;

    pb_start(&p);
    pb_obj(&p, 1, "<< /Type /Catalog /Pages 2 0 R /Metadata 4 0 R >>");
    pb_obj(&p, 2, "<< /Type /Pages /Kids [] /Count 0 >>");
    pb_obj(&p, 3, "<< /Producer (one) >>");
    pb_begin(&p, 4);
    eseal__buf_puts(&p.b, "<< /Type /Metadata /Subtype /XML /Length 5 >>\n"
        "stream\n<x/>\nendstream\nendobj\n");
    pb_xref(&p, 5, " /Info 3 0 R");
    end1 = p.b.len;
    /* a signing tool updates the producer and the XMP dates */
    pb_obj(&p, 3, "<< /Producer (two) /ModDate (D:20250101) >>");
    pb_begin(&p, 5);
    eseal__buf_puts(&p.b, "<< /Type /Metadata /Subtype /XML /Length 5 >>\n"
        "stream\n<y/>\nendstream\nendobj\n");
    pb_obj(&p, 1, "<< /Type /Catalog /Pages 2 0 R /Metadata 5 0 R >>");
    pb_xref(&p, 6, " /Info 3 0 R");
    CU_ASSERT_EQUAL_FATAL(eseal__pdf_classify_changes(&m,
        (const unsigned char *)p.b.data, p.b.len, end1, "t.pdf", &reasons,
        &n, &err), 0);
    CU_ASSERT_EQUAL(m, ESEAL_MODS_PERMITTED);
    CU_ASSERT_EQUAL(n, 0);
    eseal__strlist_free(reasons, n);
    reasons = NULL;
    n = 0;

    /* the "metadata" is the page tree node: judged as what it was */
    pb_obj(&p, 2, "<< /Type /Pages /Kids [] /Count 0 /Foo 1 >>");
    pb_obj(&p, 1, "<< /Type /Catalog /Pages 2 0 R /Metadata 2 0 R >>");
    pb_xref(&p, 6, " /Info 2 0 R");
    CU_ASSERT_EQUAL_FATAL(eseal__pdf_classify_changes(&m,
        (const unsigned char *)p.b.data, p.b.len, end1, "t.pdf", &reasons,
        &n, &err), 0);
    CU_ASSERT_EQUAL(m, ESEAL_MODS_FORBIDDEN);
    CU_ASSERT_TRUE(has_msg(reasons, n, "object 2 0 (page tree node) changed"));
    eseal__strlist_free(reasons, n);
    eseal__buf_free(&p.b);
}

static void test_pdf_diff__duplicate_keys_do_not_hide_changes(void)
{
    eseal_modifications m;
    char **reasons = NULL;
    size_t n = 0;
    eseal_error err = { 0, "" };
    uint64_t end1;
    pdfb p;

    /* the signed catalog has /Pages twice; the update keeps the count of
     * keys but swaps one for an /OpenAction */
    pb_start(&p);
    pb_obj(&p, 1, "<< /Type /Catalog /Pages 2 0 R /Pages 2 0 R >>");
    pb_obj(&p, 2, "<< /Type /Pages /Kids [] /Count 0 >>");
    pb_xref(&p, 3, NULL);
    end1 = p.b.len;
    pb_obj(&p, 1, "<< /Type /Catalog /Pages 2 0 R /OpenAction 2 0 R >>");
    pb_xref(&p, 3, NULL);
    CU_ASSERT_EQUAL_FATAL(eseal__pdf_classify_changes(&m,
        (const unsigned char *)p.b.data, p.b.len, end1, "t.pdf", &reasons,
        &n, &err), 0);
    CU_ASSERT_EQUAL(m, ESEAL_MODS_FORBIDDEN);
    CU_ASSERT_TRUE(has_msg(reasons, n, "(catalog) changed after the seal: "
                                       "/OpenAction"));
    eseal__strlist_free(reasons, n);
    eseal__buf_free(&p.b);
}

/* The signed page points to object 20, which does not exist yet. */
static void dangling_base(pdfb *p, int in_object_stream)
{
    static const int nums[] = { 3, 7 };
    static const char *const bodies[] = {
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] "
        "/Contents [4 0 R 20 0 R] /Annots [5 0 R] >>",
        "<< /Fields [5 0 R] /SigFlags 3 >>"
    };

    pb_start(p);
    pb_obj(p, 1, "<< /Type /Catalog /Pages 2 0 R /AcroForm 7 0 R >>");
    pb_obj(p, 2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>");
    pb_stream(p, 4, "BT /F1 12 Tf 10 10 Td (Hello) Tj ET");
    pb_obj(p, 5, "<< /FT /Sig /T (Seal1) /V 6 0 R /Subtype /Widget "
                 "/Rect [0 0 0 0] /P 3 0 R >>");
    pb_sig(p, 6, SIG_KEYS, FAKE_CMS, 10);
    if (in_object_stream) {
        /* compressed: only the decoded stream shows the reference */
        pb_objstm_z(p, 8, 2, nums, bodies, 1);
        pb_xref_stream(p, 9, 10);
    } else {
        pb_obj(p, 3, "%s", bodies[0]);
        pb_obj(p, 7, "%s", bodies[1]);
        pb_xref(p, 10, NULL);
    }
    pb_seal(p);
}

static void test_pdf_diff__object_the_signed_revision_pointed_to(void)
{
    eseal_verify_job vj;
    eseal_source src;
    eseal_error err = { 0, "" };
    int round;
    pdfb p;

    for (round = 0; round < 2; round++) {
        dangling_base(&p, round);
        /* a "DSS certificate" that the signed page draws */
        pb_obj(&p, 1, "<< /Type /Catalog /Pages 2 0 R /AcroForm 7 0 R "
                      "/DSS 21 0 R >>");
        pb_obj(&p, 21, "<< /Certs [20 0 R] >>");
        pb_stream(&p, 20, "BT /F1 40 Tf 10 100 Td (VOID) Tj ET");
        if (round == 0)
            pb_xref(&p, 22, NULL);
        else
            pb_xref_stream(&p, 22, 23);
        CU_ASSERT_EQUAL_FATAL(find(&vj, &src, &p, &err), 0);
        if (vj.n_found != 1)
            fprintf(stderr, "\n  %s", err.message);
        CU_ASSERT_EQUAL_FATAL(vj.n_found, 1);
        dump(&vj.found[0]);
        CU_ASSERT_EQUAL(vj.found[0].n_errors, 0);
        CU_ASSERT_EQUAL(vj.found[0].modifications_after,
            ESEAL_MODS_FORBIDDEN);
        CU_ASSERT_TRUE(has_msg(vj.found[0].warnings, vj.found[0].n_warnings,
            "object 20 added after the seal was already referenced"));
        eseal__pdf_verify_cleanup(&vj);
        eseal__buf_free(&p.b);
    }
}

static void test_pdf_diff__dss_after_object_stream_revision(void)
{
    eseal_verify_job vj;
    eseal_source src;
    eseal_error err = { 0, "" };
    pdfb p;

    /* the same, but the new object is not the one the page points to */
    dangling_base(&p, 1);
    pb_obj(&p, 1, "<< /Type /Catalog /Pages 2 0 R /AcroForm 7 0 R "
                  "/DSS 21 0 R >>");
    pb_obj(&p, 21, "<< /Certs [22 0 R] >>");
    pb_stream(&p, 22, "certificate");
    pb_xref_stream(&p, 23, 24);
    CU_ASSERT_EQUAL_FATAL(find(&vj, &src, &p, &err), 0);
    CU_ASSERT_EQUAL_FATAL(vj.n_found, 1);
    dump(&vj.found[0]);
    CU_ASSERT_EQUAL(vj.found[0].modifications_after, ESEAL_MODS_PERMITTED);
    CU_ASSERT_EQUAL(vj.found[0].n_warnings, 0);
    eseal__pdf_verify_cleanup(&vj);
    eseal__buf_free(&p.b);
}

static void test_pdf_diff__acroform_swapped_for_another_object(void)
{
    eseal_modifications m;
    char **reasons = NULL;
    size_t n = 0;
    eseal_error err = { 0, "" };
    uint64_t end1;
    pdfb p;

    pb_start(&p);
    pb_obj(&p, 1, "<< /Type /Catalog /Pages 2 0 R /AcroForm 7 0 R >>");
    pb_obj(&p, 2, "<< /Type /Pages /Kids [] /Count 0 >>");
    pb_obj(&p, 7, "<< /Fields [] >>");
    pb_obj(&p, 8, "<< /Fields [] /NeedAppearances true /XFA 9 0 R >>");
    pb_stream(&p, 9, "<xdp/>");
    pb_xref(&p, 10, NULL);
    end1 = p.b.len;
    /* only the catalog changes: its AcroForm is now an unchanged object */
    pb_obj(&p, 1, "<< /Type /Catalog /Pages 2 0 R /AcroForm 8 0 R >>");
    pb_xref(&p, 10, NULL);
    CU_ASSERT_EQUAL_FATAL(eseal__pdf_classify_changes(&m,
        (const unsigned char *)p.b.data, p.b.len, end1, "t.pdf", &reasons,
        &n, &err), 0);
    CU_ASSERT_EQUAL(m, ESEAL_MODS_FORBIDDEN);
    CU_ASSERT_TRUE(has_msg(reasons, n, "the AcroForm changed after the seal: "
                                       "/NeedAppearances /XFA"));
    eseal__strlist_free(reasons, n);
    eseal__buf_free(&p.b);
}

static void test_pdf_diff__direct_field_appended(void)
{
    eseal_modifications m;
    char **reasons = NULL;
    size_t n = 0;
    eseal_error err = { 0, "" };
    uint64_t end1;
    pdfb p;

    pb_base(&p, NULL, NULL);
    pb_seal(&p);
    end1 = p.b.len;
    pb_obj(&p, 7, "<< /Fields [5 0 R << /FT /Sig /T (x) >>] /SigFlags 3 >>");
    pb_xref(&p, 8, NULL);
    CU_ASSERT_EQUAL_FATAL(eseal__pdf_classify_changes(&m,
        (const unsigned char *)p.b.data, p.b.len, end1, "t.pdf", &reasons,
        &n, &err), 0);
    CU_ASSERT_EQUAL(m, ESEAL_MODS_FORBIDDEN);
    CU_ASSERT_TRUE(has_msg(reasons, n, "direct field"));
    eseal__strlist_free(reasons, n);
    eseal__buf_free(&p.b);
}

/* ---- BER signatures (Poppler's NSS writes indefinite lengths) --------- */

/* One signature whose /Contents is hex followed by pad zero bytes. */
static int one_sig(eseal_verify_job *vj, eseal_source *src, pdfb *p,
    const char *hex, size_t pad)
{
    eseal_error err = { 0, "" };

    pb_start(p);
    pb_obj(p, 1, "<< /Type /Catalog /Pages 2 0 R /AcroForm 7 0 R >>");
    pb_obj(p, 2, "<< /Type /Pages /Kids [] /Count 0 >>");
    pb_obj(p, 5, "<< /FT /Sig /V 6 0 R >>");
    pb_sig(p, 6, SIG_KEYS, hex, pad);
    pb_obj(p, 7, "<< /Fields [5 0 R] >>");
    pb_xref(p, 8, NULL);
    pb_seal(p);
    return find(vj, src, p, &err);
}

static void test_pdf_diff__ber_indefinite_lengths(void)
{
    /* 40 nested indefinite SEQUENCEs */
    static const char deep[] =
        "30803080308030803080308030803080308030803080308030803080308030803080"
        "30803080308030803080308030803080308030803080308030803080308030803080"
        "308030803080308030803080";
    static const struct {
        const char *hex;
        size_t pad;
        size_t len;      /* the CMS kept; 0: refused */
        const char *msg; /* the error, or a warning when len > 0 */
    } cases[] = {
        /* SEQUENCE { INTEGER 5 } and its end-of-contents */
        { "30800201050000", 8, 7, NULL },
        /* the padding's first two zero bytes end it */
        { "3080020105", 8, 7, NULL },
        /* nested, a long-form length inside, a high tag number (129), a
         * constructed context tag */
        { "30803080048103aabbcc00001f810101ffa08005000000" "0000", 6, 25,
          NULL },
        /* a definite outer length holding indefinite ones */
        { "300730800201050000", 4, 9, NULL },
        { "30800201050000" "77", 4, 7, "non-zero bytes" },
        { "3080020105", 0, 0, "no end-of-contents" },
        { "30800480", 8, 0, "indefinite length on a primitive" },
        { "308004820fff", 8, 0, "exceeds" },
        { "3080048900000000000000000101", 8, 0, "overlong" },
        { "308000010000", 8, 0, "end-of-contents" },
        { "30801f81", 0, 0, "malformed" },
        { "308002ff", 0, 0, "malformed" },
        { deep, 120, 0, "nested" },
    };
    eseal_verify_job vj;
    eseal_source src;
    const eseal_found_signature *fs;
    unsigned char expect[64];
    size_t i, k;
    pdfb p;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        CU_ASSERT_EQUAL_FATAL(one_sig(&vj, &src, &p, cases[i].hex,
            cases[i].pad), 0);
        CU_ASSERT_EQUAL_FATAL(vj.n_found, 1);
        fs = &vj.found[0];
        dump(fs);
        CU_ASSERT_EQUAL(fs->contents.len, cases[i].len);
        if (cases[i].len > 0) {
            CU_ASSERT_EQUAL(fs->n_errors, 0);
            memset(expect, 0, sizeof(expect));
            for (k = 0; k < sizeof(expect) && cases[i].hex[2 * k] != '\0';
                 k++)
                sscanf(cases[i].hex + 2 * k, "%2hhx", &expect[k]);
            CU_ASSERT(fs->contents.len == cases[i].len &&
                memcmp(fs->contents.data, expect, cases[i].len) == 0);
            CU_ASSERT_EQUAL(fs->covered.count, 2);
            CU_ASSERT_EQUAL(fs->n_warnings, cases[i].msg ? 1 : 0);
            if (cases[i].msg != NULL)
                CU_ASSERT_TRUE(has_msg(fs->warnings, fs->n_warnings,
                    cases[i].msg));
        } else {
            CU_ASSERT_TRUE(has_msg(fs->errors, fs->n_errors,
                cases[i].msg));
        }
        if (fs->contents.len != cases[i].len ||
            (cases[i].len == 0 && !has_msg(fs->errors, fs->n_errors,
                                      cases[i].msg)))
            fprintf(stderr, "\n  case %zu: %s", i, fs->n_errors ?
                fs->errors[0] : "no error");
        eseal__pdf_verify_cleanup(&vj);
        eseal__buf_free(&p.b);
    }
}

/*
 * A detached CMS as OpenSSL streams it (indefinite lengths, as NSS
 * writes them), signed with a throw-away key; *out gets its bytes.
 */
static void make_ber_cms(eseal_buf *out)
{
    static const char msg[] = "the signed bytes";
    const int flags = CMS_DETACHED | CMS_BINARY | CMS_STREAM;
    EVP_PKEY *key = EVP_EC_gen("P-256");
    X509 *cert = X509_new();
    X509_NAME *name;
    BIO *in = BIO_new_mem_buf(msg, (int)sizeof(msg) - 1);
    BIO *mem = BIO_new(BIO_s_mem());
    CMS_ContentInfo *cms = NULL;
    char *data = NULL;
    long len;

    CU_ASSERT_FATAL(key != NULL && cert != NULL && in != NULL &&
        mem != NULL);
    name = X509_get_subject_name(cert);
    CU_ASSERT_FATAL(X509_set_version(cert, 2) == 1 &&
        ASN1_INTEGER_set(X509_get_serialNumber(cert), 1) == 1 &&
        X509_gmtime_adj(X509_getm_notBefore(cert), 0) != NULL &&
        X509_gmtime_adj(X509_getm_notAfter(cert), 3600) != NULL &&
        X509_set_pubkey(cert, key) == 1 &&
        X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
            (const unsigned char *)"BER test", -1, -1, 0) == 1 &&
        X509_set_issuer_name(cert, name) == 1 &&
        X509_sign(cert, key, EVP_sha256()) > 0);
    cms = CMS_sign(cert, key, NULL, in, (unsigned int)flags);
    CU_ASSERT_FATAL(cms != NULL);
    CU_ASSERT_FATAL(i2d_CMS_bio_stream(mem, cms, in, flags) == 1);
    len = BIO_get_mem_data(mem, &data);
    CU_ASSERT_FATAL(len > 4 && data != NULL);
    eseal__buf_append(out, data, (size_t)len);
    CMS_ContentInfo_free(cms);
    BIO_free(mem);
    BIO_free(in);
    X509_free(cert);
    EVP_PKEY_free(key);
}

static void test_pdf_diff__ber_cms_as_nss_writes_it(void)
{
    eseal_buf ber = { NULL, 0, 0, 0 }, hex = { NULL, 0, 0, 0 };
    const unsigned char *q;
    CMS_ContentInfo *cms;
    eseal_verify_job vj;
    eseal_source src;
    size_t i;
    pdfb p;

    make_ber_cms(&ber);
    /* indefinite lengths, so the end is not in the header */
    CU_ASSERT_EQUAL_FATAL((unsigned char)ber.data[1], 0x80);
    for (i = 0; i < ber.len; i++)
        eseal__buf_printf(&hex, "%02X", (unsigned char)ber.data[i]);
    CU_ASSERT_EQUAL_FATAL(one_sig(&vj, &src, &p, hex.data, 300), 0);
    CU_ASSERT_EQUAL_FATAL(vj.n_found, 1);
    dump(&vj.found[0]);
    CU_ASSERT_EQUAL(vj.found[0].n_errors, 0);
    CU_ASSERT_EQUAL(vj.found[0].n_warnings, 0);
    CU_ASSERT_EQUAL_FATAL(vj.found[0].contents.len, ber.len);
    CU_ASSERT_EQUAL(memcmp(vj.found[0].contents.data, ber.data, ber.len),
        0);
    /* what the verifier will parse: all of it, nothing more */
    q = vj.found[0].contents.data;
    cms = d2i_CMS_ContentInfo(NULL, &q, (long)vj.found[0].contents.len);
    CU_ASSERT_PTR_NOT_NULL(cms);
    CU_ASSERT_EQUAL(q - vj.found[0].contents.data,
        (long)vj.found[0].contents.len);
    CMS_ContentInfo_free(cms);
    ERR_clear_error();
    eseal__pdf_verify_cleanup(&vj);
    eseal__buf_free(&p.b);
    eseal__buf_free(&hex);
    eseal__buf_free(&ber);
}

/* ---- signatures other tools add after a seal ------------------------- */

/* A stream object with extra dictionary keys, in generation gen. */
static void pb_stream_gen(pdfb *p, int num, int gen, const char *keys,
    const char *data)
{
    pb_begin_gen(p, num, gen);
    eseal__buf_printf(&p->b, "<< %s /Length %zu >>\nstream\n%s\nendstream\n"
        "endobj\n", keys, strlen(data), data);
}

/*
 * What pdfsig -add-signature (Poppler 22.12) appends to pb_base's
 * document: the catalog again, an embedded font for the appearance, the
 * widget, the page with /Annots extended, the AcroForm with /DR extended,
 * two unreferenced empty appearance streams in generation 1, the widget's
 * appearance and the signature.  variant 1: the widget also carries a
 * JavaScript action; 2: one of the unreferenced objects is a page; 3: the
 * page's content changes as well.
 */
static void poppler_update(pdfb *p, int variant)
{
    static const char form[] = "/Subtype /Form /BBox [0 0 0 0] "
        "/Resources << /Font << /popplerfont 11 0 R >> >>";

    pb_obj(p, 1, "<< /Type /Catalog /AcroForm 7 0 R /Pages 2 0 R >>");
    pb_stream_gen(p, 8, 0, "/Subtype /OpenType", "OTTO font program");
    pb_obj(p, 9, "<< /Type /FontDescriptor /FontName /Noto#20Sans /Flags 0 "
                 "/FontBBox [-210 -299 1032 1075] /Ascent 729 /Descent -271 "
                 "/FontFile3 8 0 R >>");
    pb_stream_gen(p, 10, 0, "", "\x01\x02");
    pb_obj(p, 11, "<< /Type /Font /Subtype /Type0 /BaseFont /Helvetica#20 "
                  "/Encoding /Identity-H /DescendantFonts [<< /Type /Font "
                  "/Subtype /CIDFontType0 /BaseFont /Helvetica#20 "
                  "/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) "
                  "/Supplement 0 >> /FontDescriptor 9 0 R /W [0 [278]] "
                  "/CIDToGIDMap 10 0 R >>] >>");
    pb_obj(p, 12, "<< /Type /Annot /Subtype /Widget /FT /Sig /T (P1) "
                  "/Rect [0 0 0 0] /DA (/popplerfont 0.00 Tf\\n) /F 148 "
                  "/Border [0 0 0] /P 3 0 R /AP << /N 15 0 R >> /AS /N "
                  "/V 16 0 R%s >>", variant == 1 ?
                  " /AA << /F << /S /JavaScript /JS (app.alert(1)) >> >>" :
                  "");
    pb_obj(p, 3, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] "
                 "/Contents %s /Annots [5 0 R 12 0 R] >>",
        variant == 3 ? "[4 0 R 13 0 R]" : "4 0 R");
    pb_obj(p, 7, "<< /Fields [5 0 R 12 0 R] /SigFlags 3 "
                 "/DR << /Font << /popplerfont 11 0 R >> >> >>");
    if (variant == 2)
        pb_obj(p, 13, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 9 9] >>");
    else
        pb_stream_gen(p, 13, 1, form, "");
    pb_stream_gen(p, 14, 1, form, "");
    pb_stream_gen(p, 15, 0, form, "");
    pb_sig(p, 16, "/Type /Sig /Filter /Adobe.PPKLite /SubFilter "
                  "/adbe.pkcs7.detached /Name (P1) /M (D:20250102030405Z)",
        FAKE_CMS, 30);
    pb_xref(p, 17, NULL);
    pb_seal(p);
}

static void test_pdf_diff__poppler_signature_after_seal(void)
{
    static const struct {
        eseal_modifications first;
        const char *reason;
    } want[] = {
        { ESEAL_MODS_PERMITTED, NULL },
        { ESEAL_MODS_FORBIDDEN, "object 12 0 (signature field) added after "
                                "the seal carries an action (/AA)" },
        { ESEAL_MODS_FORBIDDEN, "object 13 0 (Page) added after the seal" },
        { ESEAL_MODS_FORBIDDEN, "object 3 0 (page) changed after the seal: "
                                "/Contents" },
    };
    eseal_verify_job vj;
    eseal_source src;
    eseal_error err = { 0, "" };
    size_t round;
    pdfb p;

    for (round = 0; round < sizeof(want) / sizeof(want[0]); round++) {
        pb_base(&p, NULL, NULL);
        pb_seal(&p);
        poppler_update(&p, (int)round);
        CU_ASSERT_EQUAL_FATAL(find(&vj, &src, &p, &err), 0);
        CU_ASSERT_EQUAL_FATAL(vj.n_found, 2);
        dump(&vj.found[0]);
        CU_ASSERT_EQUAL(vj.found[0].n_errors, 0);
        CU_ASSERT_EQUAL(vj.found[0].modifications_after, want[round].first);
        if (want[round].reason == NULL) {
            CU_ASSERT_EQUAL(vj.found[0].n_warnings, 0);
        } else {
            CU_ASSERT_TRUE(has_msg(vj.found[0].warnings,
                vj.found[0].n_warnings, want[round].reason));
        }
        if (vj.found[0].modifications_after != want[round].first)
            fprintf(stderr, "\n  round %zu", round);
        CU_ASSERT_EQUAL(vj.found[1].n_errors, 0);
        CU_ASSERT_TRUE(vj.found[1].covers_whole_document);
        eseal__pdf_verify_cleanup(&vj);
        eseal__buf_free(&p.b);
    }
}

static void test_pdf_diff__unreferenced_object_the_seal_pointed_to(void)
{
    eseal_verify_job vj;
    eseal_source src;
    eseal_error err = { 0, "" };
    int round;
    pdfb p;

    for (round = 0; round < 2; round++) {
        /* the signed page draws object 20, missing then; an update adds
         * it, referenced by nothing new, in another generation */
        dangling_base(&p, round);
        pb_stream_gen(&p, 20, 1, "", "BT /F1 40 Tf 10 100 Td (VOID) Tj ET");
        if (round == 0)
            pb_xref(&p, 21, NULL);
        else
            pb_xref_stream(&p, 21, 22);
        CU_ASSERT_EQUAL_FATAL(find(&vj, &src, &p, &err), 0);
        CU_ASSERT_EQUAL_FATAL(vj.n_found, 1);
        dump(&vj.found[0]);
        CU_ASSERT_EQUAL(vj.found[0].modifications_after,
            ESEAL_MODS_FORBIDDEN);
        CU_ASSERT_TRUE(has_msg(vj.found[0].warnings, vj.found[0].n_warnings,
            "object 20 added after the seal was already referenced"));
        eseal__pdf_verify_cleanup(&vj);
        eseal__buf_free(&p.b);

        /* the same object under another number is harmless */
        dangling_base(&p, round);
        pb_stream_gen(&p, 21, 1, "", "BT /F1 40 Tf 10 100 Td (VOID) Tj ET");
        if (round == 0)
            pb_xref(&p, 22, NULL);
        else
            pb_xref_stream(&p, 22, 23);
        CU_ASSERT_EQUAL_FATAL(find(&vj, &src, &p, &err), 0);
        CU_ASSERT_EQUAL_FATAL(vj.n_found, 1);
        dump(&vj.found[0]);
        CU_ASSERT_EQUAL(vj.found[0].modifications_after,
            ESEAL_MODS_PERMITTED);
        CU_ASSERT_EQUAL(vj.found[0].n_warnings, 0);
        eseal__pdf_verify_cleanup(&vj);
        eseal__buf_free(&p.b);
    }
}

static void test_pdf_diff__new_objects_only_unreferenced_ones_alone(void)
{
    eseal_modifications m;
    char **reasons = NULL;
    size_t n = 0;
    eseal_error err = { 0, "" };
    uint64_t end1;
    pdfb p;

    pb_base(&p, NULL, NULL);
    pb_seal(&p);
    end1 = p.b.len;
    /* 8 is referenced by nothing; 9 only by 8; 10 by the trailer */
    pb_obj(&p, 8, "<< /Foo 9 0 R >>");
    pb_stream_gen(&p, 9, 0, "", "q Q");
    pb_obj(&p, 10, "<< /Bar 1 >>");
    pb_xref(&p, 11, " /Baz 10 0 R");
    CU_ASSERT_EQUAL_FATAL(eseal__pdf_classify_changes(&m,
        (const unsigned char *)p.b.data, p.b.len, end1, "t.pdf", &reasons,
        &n, &err), 0);
    CU_ASSERT_EQUAL(m, ESEAL_MODS_FORBIDDEN);
    CU_ASSERT_FALSE(has_msg(reasons, n, "object 8 0"));
    CU_ASSERT_TRUE(has_msg(reasons, n, "object 9 0 (stream) added"));
    CU_ASSERT_TRUE(has_msg(reasons, n, "object 10 0 (dictionary) added"));
    eseal__strlist_free(reasons, n);
    eseal__buf_free(&p.b);
}

/*
 * A signed revision whose AcroForm has /DR /Font /Helv 8 (and /DA when
 * da), then an update with a second signature and the AcroForm acro.
 */
static void dr_case(pdfb *p, int da, const char *acro)
{
    pb_start(p);
    pb_obj(p, 1, "<< /Type /Catalog /Pages 2 0 R /AcroForm 7 0 R >>");
    pb_obj(p, 2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>");
    pb_obj(p, 3, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] "
                 "/Contents 4 0 R /Annots [5 0 R] >>");
    pb_stream(p, 4, "BT /F1 12 Tf 10 10 Td (Hello) Tj ET");
    pb_obj(p, 5, "<< /FT /Sig /T (Seal1) /V 6 0 R /Subtype /Widget "
                 "/Rect [0 0 0 0] /P 3 0 R >>");
    pb_sig(p, 6, SIG_KEYS, FAKE_CMS, 10);
    pb_obj(p, 7, "<< /Fields [5 0 R] /SigFlags 3 /DR << /Font << /Helv "
                 "8 0 R >> >>%s >>", da ? " /DA (/Helv 0 Tf 0 g)" : "");
    pb_obj(p, 8, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>");
    pb_xref(p, 9, NULL);
    pb_seal(p);
    pb_obj(p, 3, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] "
                 "/Contents 4 0 R /Annots [5 0 R 9 0 R] >>");
    pb_obj(p, 9, "<< /FT /Sig /T (Seal2) /V 10 0 R /Subtype /Widget "
                 "/Rect [0 0 0 0] /P 3 0 R >>");
    pb_sig(p, 10, SIG_KEYS, FAKE_CMS, 10);
    pb_obj(p, 11, "<< /Type /Font /Subtype /Type1 /BaseFont /Courier >>");
    pb_obj(p, 12, "<< /Helv 8 0 R /popplerfont 11 0 R >>");
    pb_obj(p, 7, "%s", acro);
    pb_xref(p, 13, NULL);
    pb_seal(p);
}

static void test_pdf_diff__acroform_dr_and_da_may_only_grow(void)
{
    static const struct {
        int da;
        const char *acro;
        const char *reason; /* NULL: permitted */
    } cases[] = {
        { 0, "<< /Fields [5 0 R 9 0 R] /SigFlags 3 /DA (/Helv 0 Tf 0 g) "
             "/DR << /Font << /Helv 8 0 R /popplerfont 11 0 R >> >> >>",
          NULL },
        { 0, "<< /Fields [5 0 R 9 0 R] /SigFlags 3 /DR << /Font << "
             "/Helv 8 0 R >> /XObject << /X 11 0 R >> >> >>", NULL },
        { 0, "<< /Fields [5 0 R 9 0 R] /SigFlags 3 /DR << /Font 12 0 R >> "
             ">>", NULL },
        { 1, "<< /Fields [5 0 R 9 0 R] /SigFlags 3 /DA (/Helv 0 Tf 0 g) "
             "/DR << /Font << /popplerfont 11 0 R /Helv 8 0 R >> >> >>",
          NULL },
        { 0, "<< /Fields [5 0 R 9 0 R] /SigFlags 3 /DR << /Font << "
             "/Helv 11 0 R >> >> >>",
          "the AcroForm /DR changed after the seal: /Font /Helv" },
        { 0, "<< /Fields [5 0 R 9 0 R] /SigFlags 3 /DR << >> >>",
          "the AcroForm /DR changed after the seal: /Font" },
        { 0, "<< /Fields [5 0 R 9 0 R] /SigFlags 3 >>",
          "the AcroForm /DR was removed after the seal" },
        { 1, "<< /Fields [5 0 R 9 0 R] /SigFlags 3 /DA (/Helv 12 Tf 1 g) "
             "/DR << /Font << /Helv 8 0 R >> >> >>",
          "the AcroForm changed after the seal: /DA" },
    };
    eseal_verify_job vj;
    eseal_source src;
    eseal_error err = { 0, "" };
    size_t i;
    pdfb p;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        dr_case(&p, cases[i].da, cases[i].acro);
        CU_ASSERT_EQUAL_FATAL(find(&vj, &src, &p, &err), 0);
        CU_ASSERT_EQUAL_FATAL(vj.n_found, 2);
        dump(&vj.found[0]);
        if (cases[i].reason == NULL) {
            CU_ASSERT_EQUAL(vj.found[0].modifications_after,
                ESEAL_MODS_PERMITTED);
            CU_ASSERT_EQUAL(vj.found[0].n_warnings, 0);
        } else {
            CU_ASSERT_EQUAL(vj.found[0].modifications_after,
                ESEAL_MODS_FORBIDDEN);
            CU_ASSERT_TRUE(has_msg(vj.found[0].warnings,
                vj.found[0].n_warnings, cases[i].reason));
        }
        if ((vj.found[0].modifications_after == ESEAL_MODS_PERMITTED) !=
            (cases[i].reason == NULL))
            fprintf(stderr, "\n  case %zu", i);
        eseal__pdf_verify_cleanup(&vj);
        eseal__buf_free(&p.b);
    }
}

/* ---- signature fields reached only through the pages ----------------- */

static void test_pdf_diff__signature_widget_missing_from_fields(void)
{
    eseal_verify_job vj;
    eseal_source src;
    eseal_error err = { 0, "" };
    uint64_t end1;
    int round;
    pdfb p;

    for (round = 0; round < 2; round++) {
        /* a direct AcroForm; the second signer (Poppler 22.12) rewrites
         * the catalog but lists its field only in the page's /Annots */
        pb_start(&p);
        pb_obj(&p, 1, "<< /Type /Catalog /Pages 2 0 R /AcroForm << "
                      "/Fields [5 0 R] /SigFlags 3 >> >>");
        pb_obj(&p, 2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>");
        pb_obj(&p, 3, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] "
                      "/Contents 4 0 R /Annots [5 0 R] >>");
        pb_stream(&p, 4, "BT /F1 12 Tf 10 10 Td (Hello) Tj ET");
        pb_obj(&p, 5, "<< /FT /Sig /T (Seal1) /V 6 0 R /Subtype /Widget "
                      "/Rect [0 0 0 0] /P 3 0 R >>");
        pb_sig(&p, 6, SIG_KEYS, FAKE_CMS, 10);
        pb_xref(&p, 7, NULL);
        pb_seal(&p);
        end1 = p.b.len;
        pb_obj(&p, 1, "<< /Type /Catalog /AcroForm << /SigFlags 3 /Fields "
                      "[5 0 R] >> /Pages 2 0 R >>");
        pb_obj(&p, 3, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] "
                      "/Contents 4 0 R /Annots [5 0 R 7 0 R] >>");
        if (round == 0) {
            pb_obj(&p, 7, "<< /Type /Annot /Subtype /Widget /FT /Sig "
                          "/T (P1) /Rect [0 0 0 0] /P 3 0 R /V 8 0 R "
                          "/AP << /N 9 0 R >> >>");
        } else {
            /* the widget inherits its type and value from a new parent
             * field that is not listed either */
            pb_obj(&p, 7, "<< /Type /Annot /Subtype /Widget /Parent 10 0 R "
                          "/Rect [0 0 0 0] /P 3 0 R /AP << /N 9 0 R >> >>");
            pb_obj(&p, 10, "<< /FT /Sig /T (P1) /V 8 0 R /Kids [7 0 R] >>");
        }
        pb_sig(&p, 8, "/Type /Sig /SubFilter /adbe.pkcs7.detached",
            FAKE_CMS, 10);
        pb_stream(&p, 9, "");
        pb_xref(&p, 11, NULL);
        pb_seal(&p);
        CU_ASSERT_EQUAL_FATAL(find(&vj, &src, &p, &err), 0);
        CU_ASSERT_EQUAL_FATAL(vj.n_found, 2);
        dump(&vj.found[0]);
        CU_ASSERT_EQUAL(vj.found[0].covered.span[1].off +
            vj.found[0].covered.span[1].len, end1);
        CU_ASSERT_EQUAL(vj.found[0].modifications_after,
            ESEAL_MODS_PERMITTED);
        CU_ASSERT_EQUAL(vj.found[0].n_warnings, 0);
        CU_ASSERT_EQUAL(vj.found[1].n_errors, 0);
        CU_ASSERT_STRING_EQUAL(vj.found[1].sub_filter, "adbe.pkcs7.detached");
        CU_ASSERT_TRUE(vj.found[1].covers_whole_document);
        eseal__pdf_verify_cleanup(&vj);
        eseal__buf_free(&p.b);
    }
}

static void test_pdf_diff__page_walk_limits(void)
{
    eseal_verify_job vj;
    eseal_source src;
    eseal_error err = { 0, "" };
    pdfb p;

    /* no AcroForm; a page tree with a loop, a widget reached from two
     * pages, a /Parent loop, annotations that are not widgets, a widget
     * whose parent is a text field */
    pb_start(&p);
    pb_obj(&p, 1, "<< /Type /Catalog /Pages 2 0 R >>");
    pb_obj(&p, 2, "<< /Type /Pages /Kids [3 0 R 2 0 R 9 0 R 12 0 R] "
                  "/Count 2 >>");
    pb_obj(&p, 3, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] "
                  "/Annots [5 0 R 5 0 R 7 0 R 8 0 R 40 0 R] >>");
    pb_obj(&p, 5, "<< /Type /Annot /Subtype /Widget /FT /Sig /V 6 0 R "
                  "/Rect [0 0 0 0] /P 3 0 R >>");
    pb_sig(&p, 6, SIG_KEYS, FAKE_CMS, 10);
    pb_obj(&p, 7, "<< /Type /Annot /Subtype /Widget /Parent 7 0 R >>");
    pb_obj(&p, 8, "<< /Type /Annot /Subtype /Link /FT /Sig /V 6 0 R >>");
    pb_obj(&p, 9, "<< /Type /Page /Parent 2 0 R /Annots [5 0 R 10 0 R] >>");
    pb_obj(&p, 10, "<< /Type /Annot /Subtype /Widget /Parent 11 0 R >>");
    pb_obj(&p, 11, "<< /FT /Tx /V 6 0 R >>");
    pb_obj(&p, 12, "<< /Type /Pages /Kids [12 0 R] /Count 0 >>");
    pb_xref(&p, 13, NULL);
    pb_seal(&p);
    CU_ASSERT_EQUAL_FATAL(find(&vj, &src, &p, &err), 0);
    CU_ASSERT_EQUAL_FATAL(vj.n_found, 1);
    dump(&vj.found[0]);
    CU_ASSERT_EQUAL(vj.found[0].n_errors, 0);
    CU_ASSERT_TRUE(vj.found[0].covers_whole_document);
    eseal__pdf_verify_cleanup(&vj);
    eseal__buf_free(&p.b);
}

int main(void)
{
    static const unit_case cases[] = {
        UNIT_CASE(test_pdf_diff__one_signature_covers_all),
        UNIT_CASE(test_pdf_diff__second_signature_is_permitted),
        UNIT_CASE(test_pdf_diff__oldest_first_whatever_the_field_order),
        UNIT_CASE(test_pdf_diff__page_contents_changed_is_forbidden),
        UNIT_CASE(test_pdf_diff__content_stream_rewritten_is_forbidden),
        UNIT_CASE(test_pdf_diff__identical_rewrite_is_permitted),
        UNIT_CASE(test_pdf_diff__garbage_appended_is_forbidden),
        UNIT_CASE(test_pdf_diff__comment_appended_is_forbidden),
        UNIT_CASE(test_pdf_diff__whitespace_appended_is_no_change),
        UNIT_CASE(test_pdf_diff__unreferenced_object_between_revisions),
        UNIT_CASE(test_pdf_diff__dss_and_doc_timestamp_are_permitted),
        UNIT_CASE(test_pdf_diff__catalog_open_action_is_forbidden),
        UNIT_CASE(test_pdf_diff__new_annotation_is_forbidden),
        UNIT_CASE(test_pdf_diff__text_field_fill_in_is_forbidden),
        UNIT_CASE(test_pdf_diff__empty_signature_field_signed_later),
        UNIT_CASE(test_pdf_diff__byte_range_not_matching_contents),
        UNIT_CASE(test_pdf_diff__byte_range_beyond_eof),
        UNIT_CASE(test_pdf_diff__byte_range_shapes),
        UNIT_CASE(test_pdf_diff__der_length_checks),
        UNIT_CASE(test_pdf_diff__signing_time_variants),
        UNIT_CASE(test_pdf_diff__inherited_field_type),
        UNIT_CASE(test_pdf_diff__docmdp_permissions),
        UNIT_CASE(test_pdf_diff__docmdp_default_is_2),
        UNIT_CASE(test_pdf_diff__sub_filters),
        UNIT_CASE(test_pdf_diff__no_acroform_no_signatures),
        UNIT_CASE(test_pdf_diff__not_a_pdf),
        UNIT_CASE(test_pdf_diff__classify_arguments),
        UNIT_CASE(test_pdf_diff__gap_is_another_hex_string),
        UNIT_CASE(test_pdf_diff__same_gap_claimed_twice),
        UNIT_CASE(test_pdf_diff__object_stream_update),
        UNIT_CASE(test_pdf_diff__signature_in_object_stream),
        UNIT_CASE(test_pdf_diff__update_not_chained),
        UNIT_CASE(test_pdf_diff__object_deleted),
        UNIT_CASE(test_pdf_diff__signed_revision_unreadable),
        UNIT_CASE(test_pdf_diff__metadata_updates_are_permitted),
        UNIT_CASE(test_pdf_diff__duplicate_keys_do_not_hide_changes),
        UNIT_CASE(test_pdf_diff__object_the_signed_revision_pointed_to),
        UNIT_CASE(test_pdf_diff__dss_after_object_stream_revision),
        UNIT_CASE(test_pdf_diff__acroform_swapped_for_another_object),
        UNIT_CASE(test_pdf_diff__direct_field_appended),
        UNIT_CASE(test_pdf_diff__ber_indefinite_lengths),
        UNIT_CASE(test_pdf_diff__ber_cms_as_nss_writes_it),
        UNIT_CASE(test_pdf_diff__poppler_signature_after_seal),
        UNIT_CASE(test_pdf_diff__unreferenced_object_the_seal_pointed_to),
        UNIT_CASE(test_pdf_diff__new_objects_only_unreferenced_ones_alone),
        UNIT_CASE(test_pdf_diff__acroform_dr_and_da_may_only_grow),
        UNIT_CASE(test_pdf_diff__signature_widget_missing_from_fields),
        UNIT_CASE(test_pdf_diff__page_walk_limits),
        UNIT_END
    };
    return unit_run("pdf_diff", cases);
}
