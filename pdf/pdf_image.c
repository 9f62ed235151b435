/*
 * eseal PDF adapter - the visible seal's image: a PNG (libpng) or JPEG
 * (libjpeg) file as an image XObject without transparency.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jpeglib.h>
#include <png.h>
#include <zlib.h>
#include "pdf_appearance.h"

static int nomem(eseal_error *err)
{
    return eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
}

static const char *cs_name(int cs)
{
    return cs == PDF_CS_GRAY ? "DeviceGray" : cs == PDF_CS_CMYK
        ? "DeviceCMYK" : "DeviceRGB";
}

static int read_file(eseal_bytes *out, const char *path, eseal_error *err)
{
    FILE *fp = fopen(path, "rb");
    unsigned char *data = NULL;
    long size;
    int rc = 0;

    out->data = NULL;
    out->len = 0;
    if (fp == NULL)
        return eseal__error_set(err, ESEAL_EIO, "%s: cannot open the seal "
            "image: %s", path, strerror(errno));
    if (fseek(fp, 0, SEEK_END) != 0 || (size = ftell(fp)) < 0
        || fseek(fp, 0, SEEK_SET) != 0) {
        rc = eseal__error_set(err, ESEAL_EIO, "%s: cannot read the seal "
            "image", path);
        goto cleanup;
    }
    if ((unsigned long)size > PDF_IMAGE_MAX_FILE || size == 0) {
        rc = eseal__error_set(err, ESEAL_ELIMIT, "%s: the seal image is %s "
            "(the limit is %u MiB)", path, size == 0 ? "empty" : "too large",
            PDF_IMAGE_MAX_FILE >> 20);
        goto cleanup;
    }
    if ((data = malloc((size_t)size)) == NULL) {
        rc = nomem(err);
        goto cleanup;
    }
    if (fread(data, 1, (size_t)size, fp) != (size_t)size) {
        rc = eseal__error_set(err, ESEAL_EIO, "%s: cannot read the seal "
            "image", path);
        goto cleanup;
    }
    out->data = data;
    out->len = (size_t)size;
    data = NULL;
cleanup:
    free(data);
    fclose(fp);
    return rc;
}

static int check_size(const char *path, unsigned long w, unsigned long h,
    eseal_error *err)
{
    if (w == 0 || h == 0 || w > PDF_IMAGE_MAX_SIDE || h > PDF_IMAGE_MAX_SIDE)
        return eseal__error_set(err, ESEAL_ELIMIT, "%s: the seal image is "
            "%lux%lu pixels (at most %dx%d)", path, w, h,
            PDF_IMAGE_MAX_SIDE, PDF_IMAGE_MAX_SIDE);
    return 0;
}

/* RGB pixels converted in place to cs; returns the new byte count. */
static size_t convert(unsigned char *px, size_t n_px, int cs)
{
    size_t i;

    if (cs == PDF_CS_GRAY) {
        for (i = 0; i < n_px; i++)
            px[i] = (unsigned char)((299 * px[3 * i] + 587 * px[3 * i + 1]
                + 114 * px[3 * i + 2] + 500) / 1000);
        return n_px;
    }
    return 3 * n_px;
}

/* RGB pixels as CMYK (a plain device conversion) into a new buffer. */
static unsigned char *to_cmyk(const unsigned char *rgb, size_t n_px)
{
    unsigned char *out = malloc(n_px * 4);
    size_t i;

    if (out == NULL)
        return NULL;
    for (i = 0; i < n_px; i++) {
        int c = 255 - rgb[3 * i], m = 255 - rgb[3 * i + 1];
        int y = 255 - rgb[3 * i + 2], k = c < m ? c : m;

        k = k < y ? k : y;
        out[4 * i] = (unsigned char)(c - k);
        out[4 * i + 1] = (unsigned char)(m - k);
        out[4 * i + 2] = (unsigned char)(y - k);
        out[4 * i + 3] = (unsigned char)k;
    }
    return out;
}

/* The XObject of 8-bit RGB pixels, converted to cs and Flate-compressed. */
static int pixels_object(pdf_image *img, unsigned char *rgb, int cs,
    eseal_error *err)
{
    size_t n_px = (size_t)img->width * (size_t)img->height, len;
    unsigned char *data = rgb, *cmyk = NULL, *z = NULL;
    uLongf zlen;
    int rc = 0;

    if (cs == PDF_CS_CMYK) {
        if ((cmyk = to_cmyk(rgb, n_px)) == NULL)
            return nomem(err);
        data = cmyk;
        len = 4 * n_px;
    } else {
        len = convert(rgb, n_px, cs);
    }
    zlen = compressBound((uLong)len);
    if ((z = malloc(zlen)) == NULL) {
        rc = nomem(err);
        goto cleanup;
    }
    if (compress2(z, &zlen, data, (uLong)len, 9) != Z_OK) {
        rc = eseal__error_set(err, ESEAL_ENOMEM, "zlib: cannot compress");
        goto cleanup;
    }
    eseal__buf_printf(&img->body, "<</Type /XObject /Subtype /Image "
        "/Width %d /Height %d /ColorSpace /%s /BitsPerComponent 8 "
        "/Interpolate false /Filter /FlateDecode /Length %lu>>\nstream\n",
        img->width, img->height, cs_name(cs), (unsigned long)zlen);
    eseal__buf_append(&img->body, z, zlen);
    eseal__buf_puts(&img->body, "\nendstream");
    if (img->body.failed)
        rc = nomem(err);
cleanup:
    free(z);
    free(cmyk);
    return rc;
}

/* ---- PNG ----------------------------------------------------------------- */

static int load_png(pdf_image *img, const char *path, const eseal_bytes *f,
    int cs, eseal_error *err)
{
    png_image pi;
    png_color white = { 255, 255, 255 };
    unsigned char *px = NULL;
    int rc;

    memset(&pi, 0, sizeof(pi));
    pi.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_memory(&pi, f->data, f->len)) {
        rc = eseal__error_set(err, ESEAL_ECONFIG, "%s: not a readable PNG "
            "image: %s", path, pi.message);
        goto cleanup;
    }
    if ((rc = check_size(path, pi.width, pi.height, err)) < 0)
        goto cleanup;
    /* no alpha in the output: libpng composites onto the background */
    pi.format = PNG_FORMAT_RGB;
    if ((px = malloc(PNG_IMAGE_SIZE(pi))) == NULL) {
        rc = nomem(err);
        goto cleanup;
    }
    if (!png_image_finish_read(&pi, &white, px, 0, NULL)) {
        rc = eseal__error_set(err, ESEAL_ECONFIG, "%s: damaged PNG image: "
            "%s", path, pi.message);
        goto cleanup;
    }
    img->width = (int)pi.width;
    img->height = (int)pi.height;
    rc = pixels_object(img, px, cs, err);
cleanup:
    png_image_free(&pi);
    free(px);
    return rc;
}

/* ---- JPEG ---------------------------------------------------------------- */

typedef struct jpeg_fail {
    struct jpeg_error_mgr mgr;
    jmp_buf jump;
    char message[JMSG_LENGTH_MAX];
} jpeg_fail;

static void jpeg_error_exit(j_common_ptr cinfo)
{
    jpeg_fail *f = (jpeg_fail *)cinfo->err;

    f->mgr.format_message(cinfo, f->message);
    longjmp(f->jump, 1);
}

static void jpeg_quiet(j_common_ptr cinfo)
{
    (void)cinfo;    /* warnings are not printed: the library never prints */
}

/*
 * Decodes (or only inspects) a JPEG.  The state that must survive a
 * longjmp lives in *st.
 */
typedef struct jpeg_state {
    struct jpeg_decompress_struct d;
    jpeg_fail fail;
    unsigned char *px;
    int created;
} jpeg_state;

static int load_jpeg(pdf_image *img, const char *path, const eseal_bytes *f,
    int cs, eseal_error *err)
{
    jpeg_state *st = calloc(1, sizeof(*st));
    int rc = 0, comps;
    size_t row;

    if (st == NULL)
        return nomem(err);
    st->d.err = jpeg_std_error(&st->fail.mgr);
    st->fail.mgr.error_exit = jpeg_error_exit;
    st->fail.mgr.output_message = jpeg_quiet;
    if (setjmp(st->fail.jump)) {
        rc = eseal__error_set(err, ESEAL_ECONFIG, "%s: damaged JPEG image: "
            "%s", path, st->fail.message);
        goto cleanup;
    }
    jpeg_create_decompress(&st->d);
    st->created = 1;
    jpeg_mem_src(&st->d, f->data, (unsigned long)f->len);
    jpeg_read_header(&st->d, TRUE);
    if ((rc = check_size(path, st->d.image_width, st->d.image_height,
            err)) < 0)
        goto cleanup;
    comps = st->d.num_components;
    if (st->d.jpeg_color_space == JCS_CMYK
        || st->d.jpeg_color_space == JCS_YCCK || (comps != 1 && comps != 3)) {
        rc = eseal__error_set(err, ESEAL_ECONFIG, "%s: CMYK JPEG "
            "images are not supported: use an RGB or grey JPEG, or a PNG",
            path);
        goto cleanup;
    }
    img->width = (int)st->d.image_width;
    img->height = (int)st->d.image_height;
    if (comps == 1 || cs == PDF_CS_RGB) {
        /* kept as it is: a grey JPEG fits any device space */
        eseal__buf_printf(&img->body, "<</Type /XObject /Subtype /Image "
            "/Width %d /Height %d /ColorSpace /%s /BitsPerComponent 8 "
            "/Interpolate false /Filter /DCTDecode /Length %zu>>\nstream\n",
            img->width, img->height, comps == 1 ? "DeviceGray" : "DeviceRGB",
            f->len);
        eseal__buf_append(&img->body, f->data, f->len);
        eseal__buf_puts(&img->body, "\nendstream");
        rc = img->body.failed ? nomem(err) : 0;
        goto cleanup;
    }
    st->d.out_color_space = JCS_RGB;
    jpeg_start_decompress(&st->d);
    row = (size_t)st->d.output_width * 3;
    if ((st->px = malloc(row * st->d.output_height)) == NULL) {
        rc = nomem(err);
        goto cleanup;
    }
    while (st->d.output_scanline < st->d.output_height) {
        JSAMPROW r = st->px + row * st->d.output_scanline;

        jpeg_read_scanlines(&st->d, &r, 1);
    }
    jpeg_finish_decompress(&st->d);
    rc = pixels_object(img, st->px, cs, err);
cleanup:
    if (st->created)
        jpeg_destroy_decompress(&st->d);
    free(st->px);
    free(st);
    return rc;
}

int eseal__pdf_image_load(pdf_image *img, const char *path, int cs,
    eseal_error *err)
{
    static const unsigned char png_sig[8] = {
        0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'
    };
    eseal_bytes f = { NULL, 0 };
    int rc;

    memset(img, 0, sizeof(*img));
    if ((rc = read_file(&f, path, err)) < 0)
        return rc;
    if (f.len >= 8 && memcmp(f.data, png_sig, 8) == 0)
        rc = load_png(img, path, &f, cs, err);
    else if (f.len >= 3 && f.data[0] == 0xff && f.data[1] == 0xd8
        && f.data[2] == 0xff)
        rc = load_jpeg(img, path, &f, cs, err);
    else
        rc = eseal__error_set(err, ESEAL_ECONFIG, "%s: the seal image is "
            "neither PNG nor JPEG", path);
    free(f.data);
    if (rc < 0)
        eseal__pdf_image_free(img);
    return rc;
}

void eseal__pdf_image_free(pdf_image *img)
{
    eseal__buf_free(&img->body);
    memset(img, 0, sizeof(*img));
}
