/*
 * eseal PDF adapter - the lazy reader: startxref, the xref chain (tables,
 * streams, hybrid /XRefStm), trailers, and single objects on demand,
 * including those inside object streams.  It never parses the whole file.
 * Every limit (depth, sizes, counts) is enforced with a clear ESEAL_EFORMAT
 * or ESEAL_ELIMIT error whose message names the problem and the offset.
 */
#ifndef ESEAL_PDF_READER_H
#define ESEAL_PDF_READER_H

#include "pdf_obj.h"

#define PDF_MAX_DEPTH 64               /* nesting of arrays/dicts */
#define PDF_MAX_XREF_SECTIONS 4096     /* length of the /Prev chain */
#define PDF_MAX_OBJECTS 8388608        /* /Size */
#define PDF_MAX_STREAM_DECODED (256u << 20) /* inflate output, bytes */

typedef struct pdf_reader pdf_reader;

typedef struct pdf_xref_entry {
    uint8_t type;    /* 0 free, 1 at an offset, 2 inside an object stream */
    uint64_t field2; /* type 1: byte offset; type 2: object stream number */
    uint32_t field3; /* type 1: generation; type 2: index in the stream */
} pdf_xref_entry;

typedef struct pdf_xref_section {
    uint64_t offset; /* where the section (table or stream object) starts */
    int is_stream;   /* cross-reference stream (1) or classic table (0) */
    uint64_t xrefstm;/* hybrid: the /XRefStm offset, or 0 */
} pdf_xref_section;

/*
 * Opens data[0..size) (which must stay valid while the reader lives):
 * finds the last startxref, reads every xref section along /Prev (and
 * /XRefStm) with loop detection, and merges them, newest first.  Falls
 * back to nothing: a broken xref is an error (ESEAL_EFORMAT), not a rebuild.
 * name is used in messages.
 */
int pdf_reader_open(pdf_reader **out, const unsigned char *data,
    uint64_t size, const char *name, eseal_error *err);
void pdf_reader_free(pdf_reader *r);

/* Where the %PDF- header starts within the first 1024 bytes, or
 * UINT64_MAX when there is none. */
uint64_t pdf_header_offset(const unsigned char *data, uint64_t size);

/* The arena owning every object the reader returns. */
pdf_arena *pdf_reader_arena(pdf_reader *r);

/* Header version as 10*major+minor (17 for %PDF-1.7, 20 for 2.0). The
 * catalog's /Version is not considered. */
int pdf_reader_header_version(const pdf_reader *r);

/* The newest trailer dictionary (for an xref stream: its dictionary). */
const pdf_obj *pdf_reader_trailer(const pdf_reader *r);

/* The startxref value of the file, i.e. the newest section's offset. */
uint64_t pdf_reader_startxref(const pdf_reader *r);

/* Sections, newest first (index 0 = the one startxref points to). */
size_t pdf_reader_section_count(const pdf_reader *r);
const pdf_xref_section *pdf_reader_section(const pdf_reader *r, size_t i);

/* /Size of the newest trailer: one more than the highest object number. */
uint32_t pdf_reader_size(const pdf_reader *r);

/* The merged entry for an object number; type 0 when unknown. */
pdf_xref_entry pdf_reader_entry(const pdf_reader *r, uint32_t num);

/*
 * Loads indirect object num (from its offset or its object stream),
 * checking that the object header matches.  The result is cached and
 * borrowed (owned by the reader's arena).  A free or missing object gives
 * ESEAL_EFORMAT ("object 12 0 is missing").
 */
int pdf_reader_load(pdf_reader *r, uint32_t num, pdf_obj **out,
    eseal_error *err);

/* If o is a reference, loads its target; otherwise *out = o. Follows at
 * most PDF_MAX_DEPTH references. */
int pdf_reader_resolve(pdf_reader *r, pdf_obj *o, pdf_obj **out,
    eseal_error *err);

/* Dictionary lookup that resolves a reference value; *out NULL if absent. */
int pdf_reader_dict_get(pdf_reader *r, const pdf_obj *dict, const char *key,
    pdf_obj **out, eseal_error *err);

/*
 * Decodes a stream's data (FlateDecode with PNG/TIFF predictors; no filter)
 * into *out (free with eseal_bytes_free).  limit bounds the decoded size
 * (ESEAL_ELIMIT beyond it).  Other filters give ESEAL_EUNSUPPORTED.
 */
int pdf_reader_stream_data(pdf_reader *r, const pdf_obj *stream,
    eseal_bytes *out, size_t limit, eseal_error *err);

/* The first page: walks /Root /Pages /Kids down to a /Page leaf. */
int pdf_reader_first_page(pdf_reader *r, uint32_t *num, pdf_obj **page,
    eseal_error *err);

/* The catalog (/Root) and its object number. */
int pdf_reader_catalog(pdf_reader *r, uint32_t *num, pdf_obj **catalog,
    eseal_error *err);

/* 1 when the trailer has /Encrypt. */
int pdf_reader_is_encrypted(const pdf_reader *r);

/*
 * Parses one direct object from buf[0..len) (used by tests and by the
 * writer's round-trip checks).  *used gets the number of bytes consumed.
 */
int pdf_parse_object(pdf_arena *a, const unsigned char *buf, size_t len,
    pdf_obj **out, size_t *used, eseal_error *err);

#endif
