/* eseal PDF adapter - FlateDecode with an output limit, and predictors. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include "pdf_read_int.h"

int eseal__pdf_inflate(eseal_bytes *out, const unsigned char *in,
    uint64_t len, size_t limit, eseal_error *err)
{
    z_stream zs;
    unsigned char *buf = NULL, *nb;
    size_t cap, used = 0;
    uint64_t fed = 0;
    int zr, rc, init = 0;

    out->data = NULL;
    out->len = 0;
    if (limit >= SIZE_MAX - 1)
        limit = SIZE_MAX - 2;
    memset(&zs, 0, sizeof(zs));
    if (inflateInit(&zs) != Z_OK) {
        rc = eseal__error_set(err, ESEAL_ENOMEM, "out of memory (zlib)");
        goto cleanup;
    }
    init = 1;
    /* a first guess; the buffer never grows beyond limit + 1 bytes */
    cap = len < SIZE_MAX / 4 ? (size_t)len * 4 : SIZE_MAX / 4;
    if (cap < 4096)
        cap = 4096;
    if (cap > limit + 1)
        cap = limit + 1;
    buf = malloc(cap);
    if (buf == NULL) {
        rc = eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
        goto cleanup;
    }
    for (;;) {
        size_t room;

        if (used == cap) {
            if (cap > limit) {
                rc = eseal__error_set(err, ESEAL_ELIMIT,
                    "decoded stream exceeds the limit of %zu bytes", limit);
                goto cleanup;
            }
            cap = cap <= (limit + 1) / 2 ? cap * 2 : limit + 1;
            nb = realloc(buf, cap);
            if (nb == NULL) {
                rc = eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
                goto cleanup;
            }
            buf = nb;
        }
        if (zs.avail_in == 0 && fed < len) {
            uint64_t chunk = len - fed;

            if (chunk > UINT_MAX)
                chunk = UINT_MAX;
            zs.next_in = (Bytef *)(uintptr_t)(in + fed);
            zs.avail_in = (uInt)chunk;
            fed += chunk;
        }
        room = cap - used;
        if (room > UINT_MAX)
            room = UINT_MAX;
        zs.next_out = buf + used;
        zs.avail_out = (uInt)room;
        zr = inflate(&zs, Z_NO_FLUSH);
        used += room - zs.avail_out;
        if (used > limit) {
            rc = eseal__error_set(err, ESEAL_ELIMIT,
                "decoded stream exceeds the limit of %zu bytes", limit);
            goto cleanup;
        }
        if (zr == Z_STREAM_END)
            break;
        if (zr == Z_MEM_ERROR) {
            rc = eseal__error_set(err, ESEAL_ENOMEM, "out of memory (zlib)");
            goto cleanup;
        }
        if (zr == Z_DATA_ERROR || zr == Z_NEED_DICT || zr == Z_STREAM_ERROR) {
            rc = eseal__error_set(err, ESEAL_EFORMAT,
                "damaged Flate data (%s)",
                zs.msg != NULL ? zs.msg : "zlib error");
            goto cleanup;
        }
        /* truncated data without its end marker: keep what decoded, as
         * other readers do */
        if (zr == Z_BUF_ERROR && zs.avail_in == 0 && fed >= len)
            break;
    }
    out->data = buf;
    out->len = used;
    buf = NULL;
    rc = 0;
cleanup:
    if (init)
        inflateEnd(&zs);
    free(buf);
    return rc;
}

/* ---- predictors --------------------------------------------------------- */

static int paeth(int a, int b, int c)
{
    int p = a + b - c;
    int pa = abs(p - a), pb = abs(p - b), pc = abs(p - c);

    if (pa <= pb && pa <= pc)
        return a;
    return pb <= pc ? b : c;
}

static int png_undo(eseal_bytes *data, size_t rowlen, size_t bpp,
    eseal_error *err)
{
    const unsigned char *in = data->data;
    size_t len = data->len, inrow = rowlen + 1, o = 0, r, i;
    unsigned char *out;

    out = malloc(len > 0 ? len : 1);
    if (out == NULL)
        return eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
    for (r = 0; r * inrow < len; r++) {
        const unsigned char *src = in + r * inrow + 1;
        size_t cnt = len - r * inrow - 1;
        unsigned char *cur = out + o;
        const unsigned char *up = r > 0 ? cur - rowlen : NULL;
        int type = in[r * inrow];

        if (cnt > rowlen)
            cnt = rowlen;
        switch (type) {
        case 0:
            memcpy(cur, src, cnt);
            break;
        case 1:
            for (i = 0; i < cnt; i++)
                cur[i] = (unsigned char)(src[i] +
                    (i >= bpp ? cur[i - bpp] : 0));
            break;
        case 2:
            for (i = 0; i < cnt; i++)
                cur[i] = (unsigned char)(src[i] + (up ? up[i] : 0));
            break;
        case 3:
            for (i = 0; i < cnt; i++) {
                int left = i >= bpp ? cur[i - bpp] : 0;
                int above = up ? up[i] : 0;

                cur[i] = (unsigned char)(src[i] + ((left + above) >> 1));
            }
            break;
        case 4:
            for (i = 0; i < cnt; i++) {
                int left = i >= bpp ? cur[i - bpp] : 0;
                int above = up ? up[i] : 0;
                int ul = up && i >= bpp ? up[i - bpp] : 0;

                cur[i] = (unsigned char)(src[i] + paeth(left, above, ul));
            }
            break;
        default:
            free(out);
            return eseal__error_set(err, ESEAL_EFORMAT,
                "invalid PNG predictor type %d in row %zu", type, r);
        }
        o += cnt;
    }
    free(data->data);
    data->data = out;
    data->len = o;
    return 0;
}

static unsigned get_sample(const unsigned char *row, size_t k, int bpc)
{
    size_t bit = k * (size_t)bpc;
    int shift = 8 - bpc - (int)(bit & 7);

    return (row[bit >> 3] >> shift) & ((1u << bpc) - 1);
}

static void put_sample(unsigned char *row, size_t k, int bpc, unsigned v)
{
    size_t bit = k * (size_t)bpc;
    int shift = 8 - bpc - (int)(bit & 7);
    unsigned mask = ((1u << bpc) - 1) << shift;

    row[bit >> 3] = (unsigned char)((row[bit >> 3] & ~mask) |
        ((v << shift) & mask));
}

static void tiff_undo(eseal_bytes *data, size_t rowlen, size_t colors,
    int bpc, size_t columns)
{
    size_t r, k, nsamples = colors * columns;

    for (r = 0; (r + 1) * rowlen <= data->len; r++) {
        unsigned char *row = data->data + r * rowlen;

        if (bpc == 8) {
            for (k = colors; k < rowlen; k++)
                row[k] = (unsigned char)(row[k] + row[k - colors]);
        } else if (bpc == 16) {
            for (k = colors; k < nsamples; k++) {
                unsigned v = (unsigned)(row[2 * k] << 8 | row[2 * k + 1]);
                unsigned p = (unsigned)(row[2 * (k - colors)] << 8 |
                    row[2 * (k - colors) + 1]);

                v = (v + p) & 0xffff;
                row[2 * k] = (unsigned char)(v >> 8);
                row[2 * k + 1] = (unsigned char)v;
            }
        } else {
            for (k = colors; k < nsamples; k++)
                put_sample(row, k, bpc, get_sample(row, k, bpc) +
                    get_sample(row, k - colors, bpc));
        }
    }
}

int eseal__pdf_unpredict(eseal_bytes *data, int64_t predictor,
    int64_t colors, int64_t bpc, int64_t columns, eseal_error *err)
{
    uint64_t bits, rowlen, bpp;

    if (predictor == 1)
        return 0;
    if (predictor != 2 && (predictor < 10 || predictor > 15))
        return eseal__error_set(err, ESEAL_EUNSUPPORTED,
            "/Predictor %lld is not supported", (long long)predictor);
    if (colors < 1 || colors > 32)
        return eseal__error_set(err, ESEAL_EFORMAT,
            "/Colors %lld is out of range", (long long)colors);
    if (bpc != 1 && bpc != 2 && bpc != 4 && bpc != 8 && bpc != 16)
        return eseal__error_set(err, ESEAL_EFORMAT,
            "/BitsPerComponent %lld is invalid", (long long)bpc);
    if (columns < 1 || columns > (1 << 24))
        return eseal__error_set(err, ESEAL_EFORMAT,
            "/Columns %lld is out of range", (long long)columns);
    bits = (uint64_t)colors * (uint64_t)bpc;
    rowlen = (bits * (uint64_t)columns + 7) / 8;
    bpp = (bits + 7) / 8;
    if (predictor == 2) {
        tiff_undo(data, (size_t)rowlen, (size_t)colors, (int)bpc,
            (size_t)columns);
        return 0;
    }
    return png_undo(data, (size_t)rowlen, (size_t)bpp, err);
}
