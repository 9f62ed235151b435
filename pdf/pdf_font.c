/*
 * eseal PDF adapter - the visible seal's font: a subset of a TrueType font
 * made with HarfBuzz (hb-subset), embedded as a CIDFontType2 font with
 * Identity-H encoding, CIDs equal to the subset's glyph ids, a ToUnicode
 * CMap (text stays searchable and extractable) and a CIDSet (PDF/A-1).
 */
#include <stdlib.h>
#include <string.h>
#include <glib.h>
#include <hb.h>
#include <hb-ot.h>
#include <hb-subset.h>
#include <openssl/evp.h>
#include <zlib.h>
#include "pdf_appearance.h"

/* Installed by fonts-ipaexfont-gothic, then fonts-ipafont-gothic. */
static const char *const default_fonts[] = {
    "/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf",
    "/usr/share/fonts/truetype/fonts-japanese-gothic.ttf",
    "/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf",
    NULL
};

#define FONT_OBJECTS 6

struct pdf_font {
    char *path;
    hb_blob_t *blob;
    hb_face_t *face;
    hb_font_t *font;          /* of the whole font: which glyphs exist */
    unsigned int upem;
    double bbox[4], ascent, descent, cap_height; /* 1/1000 em */
    char ps_name[64];
    /* after subsetting */
    hb_blob_t *sub_blob;      /* the subset font program */
    hb_font_t *sub_font;
    unsigned int n_glyphs;    /* of the subset, .notdef included */
    hb_codepoint_t *unicode;  /* unicode[gid]: a character it draws, or 0 */
    char tag[7];              /* the subset prefix, "ABCDEF" */
    eseal_buf body[FONT_OBJECTS];
};

static int nomem(eseal_error *err)
{
    return eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
}

static unsigned int be16(const char *p)
{
    return ((unsigned int)(unsigned char)p[0] << 8) | (unsigned char)p[1];
}

static int sbe16(const char *p)
{
    unsigned int v = be16(p);

    return v >= 0x8000 ? (int)v - 0x10000 : (int)v;
}

/* A table of the face, or NULL with *len 0 when it is absent. */
static hb_blob_t *table(hb_face_t *face, const char *tag, const char **data,
    unsigned int *len)
{
    hb_blob_t *b = hb_face_reference_table(face,
        HB_TAG(tag[0], tag[1], tag[2], tag[3]));

    *data = hb_blob_get_data(b, len);
    return b;
}

/* Metrics for the font descriptor, in 1/1000 em. */
static void read_metrics(pdf_font *f)
{
    const char *d;
    unsigned int len;
    hb_blob_t *b;
    double k = 1000.0 / f->upem;

    b = table(f->face, "head", &d, &len);
    if (len >= 44) {
        f->bbox[0] = sbe16(d + 36) * k;
        f->bbox[1] = sbe16(d + 38) * k;
        f->bbox[2] = sbe16(d + 40) * k;
        f->bbox[3] = sbe16(d + 42) * k;
    }
    hb_blob_destroy(b);
    b = table(f->face, "hhea", &d, &len);
    if (len >= 8) {
        f->ascent = sbe16(d + 4) * k;
        f->descent = sbe16(d + 6) * k;
    }
    hb_blob_destroy(b);
    f->cap_height = f->ascent;
    b = table(f->face, "OS/2", &d, &len);
    if (len >= 90 && be16(d) >= 2)
        f->cap_height = sbe16(d + 88) * k;
    hb_blob_destroy(b);
}

/* The PostScript name, reduced to letters, digits and '-'. */
static void read_name(pdf_font *f)
{
    char buf[64];
    unsigned int len = sizeof(buf);
    size_t i, n = 0;

    len = hb_ot_name_get_utf8(f->face, HB_OT_NAME_ID_POSTSCRIPT_NAME,
        HB_LANGUAGE_INVALID, &len, buf);
    for (i = 0; i < len && buf[i] != '\0' && n + 1 < sizeof(f->ps_name);
         i++)
        if (g_ascii_isalnum(buf[i]) || buf[i] == '-')
            f->ps_name[n++] = buf[i];
    f->ps_name[n] = '\0';
    if (n == 0)
        strcpy(f->ps_name, "Font");
}

/* May a subset be embedded?  (OS/2 fsType, OpenType 1.9) */
static int check_licence(const pdf_font *f, eseal_error *err)
{
    const char *d;
    unsigned int len, fs = 0;
    hb_blob_t *b = table(f->face, "OS/2", &d, &len);

    if (len >= 10)
        fs = be16(d + 8);
    hb_blob_destroy(b);
    if ((fs & 0x000f) == 0x0002)
        return eseal__error_set(err, ESEAL_ECONFIG, "%s: the font's "
            "licence forbids embedding it (restricted licence)", f->path);
    if (fs & 0x0100)
        return eseal__error_set(err, ESEAL_ECONFIG, "%s: the font's "
            "licence forbids subsetting it", f->path);
    if (fs & 0x0200)
        return eseal__error_set(err, ESEAL_ECONFIG, "%s: the font's "
            "licence allows embedding its bitmaps only", f->path);
    return 0;
}

int eseal__pdf_font_open(pdf_font **out, const char *path, eseal_error *err)
{
    pdf_font *f = NULL;
    const char *d;
    unsigned int len;
    hb_blob_t *glyf;
    size_t i;
    int rc;

    *out = NULL;
    if (path == NULL) {
        for (i = 0; default_fonts[i] != NULL; i++)
            if (g_file_test(default_fonts[i], G_FILE_TEST_IS_REGULAR))
                break;
        if (default_fonts[i] == NULL)
            return eseal__error_set(err, ESEAL_EIO, "no font for the visible "
                "seal: install fonts-ipaexfont-gothic, or name a TrueType "
                "font (visible_font)");
        path = default_fonts[i];
    }
    if ((f = calloc(1, sizeof(*f))) == NULL
        || (f->path = eseal__strdup(path)) == NULL) {
        rc = nomem(err);
        goto cleanup;
    }
    if (!g_file_test(path, G_FILE_TEST_IS_REGULAR)) {
        rc = eseal__error_set(err, ESEAL_EIO, "%s: no such font file", path);
        goto cleanup;
    }
    f->blob = hb_blob_create_from_file_or_fail(path);
    if (f->blob == NULL) {
        rc = eseal__error_set(err, ESEAL_EIO, "%s: cannot read the font",
            path);
        goto cleanup;
    }
    if (hb_blob_get_length(f->blob) > PDF_FONT_MAX_FILE) {
        rc = eseal__error_set(err, ESEAL_ELIMIT, "%s: a font file over %u "
            "MiB", path, PDF_FONT_MAX_FILE >> 20);
        goto cleanup;
    }
    f->face = hb_face_create(f->blob, 0);
    f->upem = hb_face_get_upem(f->face);
    if (hb_face_get_glyph_count(f->face) == 0 || f->upem < 16) {
        rc = eseal__error_set(err, ESEAL_ECONFIG, "%s: not a TrueType or "
            "OpenType font", path);
        goto cleanup;
    }
    glyf = table(f->face, "glyf", &d, &len);
    hb_blob_destroy(glyf);
    if (len == 0) {
        rc = eseal__error_set(err, ESEAL_ECONFIG, "%s: not a TrueType "
            "font (no glyf outlines; CFF fonts are not supported)", path);
        goto cleanup;
    }
    if ((rc = check_licence(f, err)) < 0)
        goto cleanup;
    f->font = hb_font_create(f->face);
    read_metrics(f);
    read_name(f);
    *out = f;
    f = NULL;
    rc = 0;
cleanup:
    eseal__pdf_font_free(f);
    return rc;
}

void eseal__pdf_font_free(pdf_font *f)
{
    size_t i;

    if (f == NULL)
        return;
    for (i = 0; i < FONT_OBJECTS; i++)
        eseal__buf_free(&f->body[i]);
    free(f->unicode);
    hb_font_destroy(f->sub_font);
    hb_blob_destroy(f->sub_blob);
    hb_font_destroy(f->font);
    hb_face_destroy(f->face);
    hb_blob_destroy(f->blob);
    free(f->path);
    free(f);
}

const char *eseal__pdf_font_path(const pdf_font *f)
{
    return f->path;
}

/* The next character of a valid UTF-8 string; C0 controls become spaces. */
static hb_codepoint_t next_char(const char **p)
{
    gunichar c = g_utf8_get_char(*p);

    *p = g_utf8_next_char(*p);
    return c < 0x20 || c == 0x7f ? 0x20 : c;
}

static int check_utf8(const char *s, eseal_error *err)
{
    if (!g_utf8_validate(s, -1, NULL))
        return eseal__error_set(err, ESEAL_EINVAL, "the visible seal's "
            "text is not UTF-8");
    return 0;
}

/* Six letters from the glyph set, as PDF asks of a subset's name. */
static void make_tag(pdf_font *f, hb_set_t *chars)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0, i;
    hb_codepoint_t c = HB_SET_VALUE_INVALID;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();

    memset(md, 0, sizeof(md));
    if (ctx != NULL && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1) {
        EVP_DigestUpdate(ctx, f->ps_name, strlen(f->ps_name));
        while (hb_set_next(chars, &c))
            EVP_DigestUpdate(ctx, &c, sizeof(c));
        EVP_DigestFinal_ex(ctx, md, &mdlen);
    }
    EVP_MD_CTX_free(ctx);
    for (i = 0; i < 6; i++)
        f->tag[i] = (char)('A' + md[i] % 26);
    f->tag[6] = '\0';
}

int eseal__pdf_font_subset(pdf_font *f, const char *const *texts, size_t n,
    eseal_error *err)
{
    hb_subset_input_t *in = NULL;
    hb_face_t *sub = NULL;
    hb_set_t *chars, *drop;
    hb_codepoint_t c, gid;
    static const char *const dropped[] = {
        "GSUB", "GPOS", "GDEF", "BASE", "JSTF", "MATH", "vhea", "vmtx",
        "VORG", "kern", "gasp", "DSIG", NULL
    };
    size_t i;
    int rc;

    if (f->sub_blob != NULL)
        return eseal__error_set(err, ESEAL_EINVAL, "font subset twice");
    if ((in = hb_subset_input_create_or_fail()) == NULL) {
        rc = nomem(err);
        goto cleanup;
    }
    chars = hb_subset_input_unicode_set(in);
    for (i = 0; i < n; i++) {
        const char *p = texts[i];

        if ((rc = check_utf8(p, err)) < 0)
            goto cleanup;
        while (*p != '\0') {
            c = next_char(&p);
            if (!hb_font_get_nominal_glyph(f->font, c, &gid)) {
                rc = eseal__error_set(err, ESEAL_ECONFIG, "%s has no glyph "
                    "for U+%04X in the visible seal's text: choose "
                    "another font (visible_font)", f->path, (unsigned)c);
                goto cleanup;
            }
            hb_set_add(chars, c);
        }
    }
    if (hb_set_get_population(chars) > PDF_FONT_MAX_CHARS) {
        rc = eseal__error_set(err, ESEAL_ELIMIT, "the visible seal's text "
            "uses more than %d characters", PDF_FONT_MAX_CHARS);
        goto cleanup;
    }
    hb_subset_input_set_flags(in, HB_SUBSET_FLAGS_NO_HINTING);
    drop = hb_subset_input_set(in, HB_SUBSET_SETS_DROP_TABLE_TAG);
    for (i = 0; dropped[i] != NULL; i++)
        hb_set_add(drop, HB_TAG(dropped[i][0], dropped[i][1],
            dropped[i][2], dropped[i][3]));
    make_tag(f, chars);
    if ((sub = hb_subset_or_fail(f->face, in)) == NULL) {
        rc = eseal__error_set(err, ESEAL_EFORMAT, "%s: HarfBuzz could not "
            "subset the font", f->path);
        goto cleanup;
    }
    f->sub_blob = hb_face_reference_blob(sub);
    f->sub_font = hb_font_create(sub);
    f->n_glyphs = hb_face_get_glyph_count(sub);
    if (f->n_glyphs == 0 || f->n_glyphs > PDF_FONT_MAX_CHARS * 4
        || (f->unicode = calloc(f->n_glyphs, sizeof(*f->unicode)))
            == NULL) {
        rc = f->n_glyphs == 0 || f->unicode != NULL ? eseal__error_set(err,
            ESEAL_EFORMAT, "%s: the font subset is empty or too large",
            f->path) : nomem(err);
        goto cleanup;
    }
    c = HB_SET_VALUE_INVALID;
    while (hb_set_next(chars, &c))
        if (hb_font_get_nominal_glyph(f->sub_font, c, &gid)
            && gid < f->n_glyphs && f->unicode[gid] == 0)
            f->unicode[gid] = c;
    rc = 0;
cleanup:
    hb_face_destroy(sub);
    hb_subset_input_destroy(in);
    return rc;
}

int eseal__pdf_font_encode(eseal_buf *b, double *width, const pdf_font *f,
    const char *utf8, eseal_error *err)
{
    const char *p = utf8;
    hb_codepoint_t gid;
    double w = 0;
    int rc;

    *width = 0;
    if (f->sub_font == NULL)
        return eseal__error_set(err, ESEAL_EINVAL, "font not subset");
    if ((rc = check_utf8(utf8, err)) < 0)
        return rc;
    eseal__buf_puts(b, "<");
    while (*p != '\0') {
        hb_codepoint_t c = next_char(&p);

        if (!hb_font_get_nominal_glyph(f->sub_font, c, &gid)
            || gid >= f->n_glyphs)
            return eseal__error_set(err, ESEAL_EINVAL, "U+%04X is not in "
                "the font subset", (unsigned)c);
        eseal__buf_printf(b, "%04X", (unsigned)gid);
        w += hb_font_get_glyph_h_advance(f->sub_font, gid) * 1000.0
            / f->upem;
    }
    eseal__buf_puts(b, ">");
    *width = w;
    return b->failed ? nomem(err) : 0;
}

/* ---- the objects --------------------------------------------------------- */

/* An integer, for metrics (locale-independent by construction). */
static long metric(double v)
{
    return (long)(v < 0 ? v - 0.5 : v + 0.5);
}

/* "<< dict /Length n /Filter /FlateDecode >>stream...endstream" */
static int flate_stream(eseal_buf *b, const char *dict,
    const unsigned char *data, size_t len, eseal_error *err)
{
    uLongf zlen = compressBound((uLong)len);
    unsigned char *z = malloc(zlen);

    if (z == NULL)
        return nomem(err);
    if (compress2(z, &zlen, data, (uLong)len, 9) != Z_OK) {
        free(z);
        return eseal__error_set(err, ESEAL_ENOMEM, "zlib: cannot compress");
    }
    eseal__buf_printf(b, "<<%s /Filter /FlateDecode /Length %lu>>\nstream\n",
        dict, (unsigned long)zlen);
    eseal__buf_append(b, z, zlen);
    eseal__buf_puts(b, "\nendstream");
    free(z);
    return b->failed ? nomem(err) : 0;
}

/* A UTF-16BE hex string of one character. */
static void utf16_hex(eseal_buf *b, hb_codepoint_t c)
{
    if (c >= 0x10000) {
        c -= 0x10000;
        eseal__buf_printf(b, "<%04X%04X>", (unsigned)(0xd800 + (c >> 10)),
            (unsigned)(0xdc00 + (c & 0x3ff)));
    } else {
        eseal__buf_printf(b, "<%04X>", (unsigned)c);
    }
}

static int to_unicode(eseal_buf *out, const pdf_font *f, eseal_error *err)
{
    eseal_buf cmap = { 0 };
    unsigned int gid, n = 0, block;
    int rc;

    eseal__buf_puts(&cmap, "/CIDInit /ProcSet findresource begin\n"
        "12 dict begin\nbegincmap\n/CIDSystemInfo <</Registry (Adobe) "
        "/Ordering (UCS) /Supplement 0>> def\n/CMapName /Adobe-Identity-UCS "
        "def\n/CMapType 2 def\n1 begincodespacerange\n<0000> <FFFF>\n"
        "endcodespacerange\n");
    for (gid = 0; gid < f->n_glyphs; gid++)
        n += f->unicode[gid] != 0;
    for (gid = 0; gid < f->n_glyphs && n > 0; ) {
        block = n < 100 ? n : 100;
        eseal__buf_printf(&cmap, "%u beginbfchar\n", block);
        n -= block;
        for (; block > 0; gid++) {
            if (f->unicode[gid] == 0)
                continue;
            eseal__buf_printf(&cmap, "<%04X> ", gid);
            utf16_hex(&cmap, f->unicode[gid]);
            eseal__buf_puts(&cmap, "\n");
            block--;
        }
        eseal__buf_puts(&cmap, "endbfchar\n");
    }
    eseal__buf_puts(&cmap, "endcmap\nCMapName currentdict /CMap "
        "defineresource pop\nend\nend\n");
    rc = cmap.failed ? nomem(err) : flate_stream(out, "",
        (const unsigned char *)cmap.data, cmap.len, err);
    eseal__buf_free(&cmap);
    return rc;
}

/* The CIDSet: one bit per CID present, most significant bit first. */
static int cid_set(eseal_buf *out, const pdf_font *f, eseal_error *err)
{
    size_t len = (f->n_glyphs + 7) / 8, i;
    unsigned char *bits = calloc(len, 1);
    int rc;

    if (bits == NULL)
        return nomem(err);
    for (i = 0; i < f->n_glyphs; i++)
        bits[i / 8] |= (unsigned char)(0x80u >> (i % 8));
    rc = flate_stream(out, "", bits, len, err);
    free(bits);
    return rc;
}

int eseal__pdf_font_add(uint32_t *num, pdf_font *f, pdf_update *u,
    eseal_error *err)
{
    enum { TYPE0, CIDFONT, DESC, FILE2, TOUNI, CIDSET };
    uint32_t n[FONT_OBJECTS];
    const unsigned char *prog;
    unsigned int prog_len, gid;
    char dict[64];
    eseal_buf *b;
    size_t i;
    int rc;

    *num = 0;
    if (f->sub_blob == NULL)
        return eseal__error_set(err, ESEAL_EINVAL, "font not subset");
    for (i = 0; i < FONT_OBJECTS; i++)
        if ((rc = eseal__pdf_update_new_num(u, &n[i], err)) < 0)
            return rc;

    b = &f->body[TYPE0];
    eseal__buf_printf(b, "<</Type /Font /Subtype /Type0 /BaseFont /%s+%s "
        "/Encoding /Identity-H /DescendantFonts [%u 0 R] /ToUnicode "
        "%u 0 R>>", f->tag, f->ps_name, n[CIDFONT], n[TOUNI]);

    b = &f->body[CIDFONT];
    eseal__buf_printf(b, "<</Type /Font /Subtype /CIDFontType2 /BaseFont "
        "/%s+%s /CIDSystemInfo <</Registry (Adobe) /Ordering (Identity) "
        "/Supplement 0>> /FontDescriptor %u 0 R /CIDToGIDMap /Identity "
        "/DW 1000 /W [0 [", f->tag, f->ps_name, n[DESC]);
    for (gid = 0; gid < f->n_glyphs; gid++)
        eseal__buf_printf(b, "%s%ld", gid > 0 ? " " : "", metric(
            hb_font_get_glyph_h_advance(f->sub_font, gid) * 1000.0
            / f->upem));
    eseal__buf_puts(b, "]]>>");

    b = &f->body[DESC];
    eseal__buf_printf(b, "<</Type /FontDescriptor /FontName /%s+%s "
        "/Flags 4 /FontBBox [%ld %ld %ld %ld] /ItalicAngle 0 /Ascent %ld "
        "/Descent %ld /CapHeight %ld /StemV 80 /FontFile2 %u 0 R "
        "/CIDSet %u 0 R>>", f->tag, f->ps_name, metric(f->bbox[0]),
        metric(f->bbox[1]), metric(f->bbox[2]), metric(f->bbox[3]),
        metric(f->ascent), metric(f->descent), metric(f->cap_height),
        n[FILE2], n[CIDSET]);

    prog = (const unsigned char *)hb_blob_get_data(f->sub_blob, &prog_len);
    snprintf(dict, sizeof(dict), " /Length1 %u", prog_len);
    if ((rc = flate_stream(&f->body[FILE2], dict, prog, prog_len, err)) < 0
        || (rc = to_unicode(&f->body[TOUNI], f, err)) < 0
        || (rc = cid_set(&f->body[CIDSET], f, err)) < 0)
        return rc;
    for (i = 0; i < FONT_OBJECTS; i++) {
        if (f->body[i].failed)
            return nomem(err);
        if ((rc = eseal__pdf_update_add_raw(u, n[i], 0, f->body[i].data,
                f->body[i].len, NULL, err)) < 0)
            return rc;
    }
    *num = n[TYPE0];
    return 0;
}
