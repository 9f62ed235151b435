/*
 * eseal PDF adapter - the reader's internals, shared by pdf_reader.c,
 * pdf_xref.c, pdf_objstm.c and pdf_flate.c.
 */
#ifndef ESEAL_PDF_READ_INT_H
#define ESEAL_PDF_READ_INT_H

#include "pdf_reader.h"
#include "pdf_lex.h"

/* The merged xref: one slot per object number. */
typedef struct pdf_xent {
    uint64_t f2;
    uint32_t f3;
    uint8_t type; /* 0 free, 1 offset, 2 in an object stream */
    uint8_t set;  /* a newer section already decided this number */
} pdf_xent;

/* A decoded object stream and its index. */
typedef struct pdf_objstm {
    uint32_t num;
    uint32_t n;        /* /N */
    uint64_t first;    /* /First */
    uint32_t *nums;    /* object numbers, n of them */
    uint64_t *offs;    /* offsets relative to first */
    eseal_bytes data;  /* decoded */
} pdf_objstm;

/* Decoded object streams kept at once, in bytes; older ones are dropped. */
#define PDF_OBJSTM_CACHE_BYTES (64u << 20)
/* Nested loads (a /Length, an object stream) before giving up. */
#define PDF_MAX_LOAD_DEPTH 16

struct pdf_reader {
    const unsigned char *data;
    uint64_t size;
    pdf_arena *arena;
    int version;
    pdf_obj *trailer;            /* the newest trailer dictionary */
    uint64_t startxref;
    uint32_t size_value;         /* what pdf_reader_size() returns */
    int encrypted;

    pdf_xref_section *sections;  /* newest first */
    size_t n_sections, cap_sections;

    pdf_xent *xref;              /* n_xref valid slots */
    uint32_t n_xref, cap_xref;

    pdf_obj **objs;              /* cache, n_xref slots, made on first load */
    uint8_t *loading;            /* 1 while an object is being loaded */
    int opening;                 /* xref sections are being read */
    uint64_t es_from, es_at;     /* the last "endstream" search: from
                                    es_from, the first is at es_at
                                    (UINT64_MAX: none up to the end) */
    int load_depth;

    pdf_objstm *stms;            /* decoded object streams */
    size_t n_stms, cap_stms;
    size_t stm_bytes;
    uint32_t stm_open[PDF_MAX_LOAD_DEPTH]; /* being decoded, to stop loops */
    size_t n_stm_open;
};

/* pdf_xref.c: finds startxref and reads/merges every section. */
int eseal__pdf_xref_read(pdf_reader *r, eseal_error *err);

/* pdf_objstm.c: object num at index idx of object stream stm. */
int eseal__pdf_objstm_get(pdf_reader *r, uint32_t num, uint32_t stm,
    uint32_t idx, pdf_obj **out, eseal_error *err);
void eseal__pdf_objstm_free_all(pdf_reader *r);

/* pdf_flate.c */
/* Inflates a zlib stream; ESEAL_ELIMIT when the output exceeds limit. */
int eseal__pdf_inflate(eseal_bytes *out, const unsigned char *in,
    uint64_t len, size_t limit, eseal_error *err);
/* Undoes a /Predictor (1, 2 = TIFF, 10..15 = PNG) on data, in place. */
int eseal__pdf_unpredict(eseal_bytes *data, int64_t predictor,
    int64_t colors, int64_t bpc, int64_t columns, eseal_error *err);

/*
 * pdf_reader.c: parses the indirect object "N G obj ..." at off (white
 * space before it is skipped).  When check is set, N and G must equal num
 * and gen.  A stream's /Length is resolved through the reader when
 * resolve_length is set (never while the xref is being read); a wrong or
 * unusable /Length falls back to the position of "endstream".
 */
int eseal__pdf_parse_indirect(pdf_reader *r, uint64_t off, int check,
    uint32_t num, uint32_t gen, int resolve_length, uint32_t *num_out,
    pdf_obj **out, eseal_error *err);

/* Puts "<prefix>: " in front of err's message (code unchanged). */
void eseal__pdf_error_prefix(eseal_error *err, const char *fmt, ...)
    ESEAL_PRINTF(2, 3);

#endif
