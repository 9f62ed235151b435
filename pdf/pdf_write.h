/*
 * eseal PDF adapter - serializing objects and cross-reference sections.
 *
 * Everything is written into an eseal_buf; an allocation failure sets
 * buf->failed and the caller checks it once at the end.  The output is
 * independent of the C locale.
 */
#ifndef ESEAL_PDF_WRITE_H
#define ESEAL_PDF_WRITE_H

#include "pdf_obj.h"

/* The largest offset a classic xref table can hold (10 digits). */
#define PDF_XREF_TABLE_MAX_OFFSET UINT64_C(9999999999)

/* Writes a name: '/' then the bytes, with #xx for delimiters, whitespace,
 * '#' and anything outside 0x21..0x7e. */
void eseal__pdf_write_name(eseal_buf *b, const char *name, size_t len);

/* Writes a string: hex (<...>) when hex is set, else a literal string with
 * \\, \(, \) escaped and non-printable bytes as three-digit octal. */
void eseal__pdf_write_string(eseal_buf *b, const unsigned char *s,
    size_t len, int hex);

/* Writes a real without exponent, '.' as the decimal point, with the
 * fewest fractional digits (at most 17) that read back as v.  Returns 0,
 * or ESEAL_EINVAL for NaN and infinities. */
int eseal__pdf_write_real(eseal_buf *b, double v, eseal_error *err);

/*
 * Writes any direct object (dictionaries and arrays recursively, at most
 * PDF_MAX_DEPTH deep).  Streams cannot be written this way: their data
 * lives in the input file (ESEAL_EUNSUPPORTED).
 */
int eseal__pdf_write_obj(eseal_buf *b, const pdf_obj *o, eseal_error *err);

/* One in-use object of a cross-reference section. */
typedef struct pdf_xref_row {
    uint32_t num;
    uint16_t gen;
    uint64_t offset;
} pdf_xref_row;

/*
 * Writes a classic table ("xref", one subsection per run of consecutive
 * numbers, 20-byte entries) for rows, which must be sorted by number
 * without duplicates.  Offsets above PDF_XREF_TABLE_MAX_OFFSET give
 * ESEAL_ELIMIT.  The trailer is not written.
 */
int eseal__pdf_write_xref_table(eseal_buf *b, const pdf_xref_row *rows,
    size_t n, eseal_error *err);

/*
 * Writes a whole cross-reference stream object "num 0 obj ... endobj"
 * with uncompressed data.  rows (sorted, unique) must include the stream
 * object itself.  trailer holds the trailer entries (/Size, /Prev, /Root,
 * /Info, /ID); /Type, /W, /Index and /Length are added here, with /W wide
 * enough for the largest offset and generation.  The trailer dictionary is
 * not modified.
 */
int eseal__pdf_write_xref_stream(eseal_buf *b, uint32_t num,
    const pdf_obj *trailer, const pdf_xref_row *rows, size_t n,
    eseal_error *err);

#endif
