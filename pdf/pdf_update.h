/*
 * eseal PDF adapter - an incremental update: the objects to append (changed
 * ones keep their number and generation, new ones get numbers from /Size
 * up), then a cross-reference section of the same kind as the file's newest
 * one, the trailer, startxref and %%EOF.
 */
#ifndef ESEAL_PDF_UPDATE_H
#define ESEAL_PDF_UPDATE_H

#include "pdf_reader.h"

#define PDF_UPDATE_MAX_OBJECTS 1024

/* One object of the update. */
typedef struct pdf_update_obj {
    uint32_t num;
    uint16_t gen;
    const pdf_obj *obj;      /* serialized with eseal__pdf_write_obj, or */
    const char *raw;         /* ... these bytes as the object's body */
    size_t raw_len;
    size_t body_off;         /* set by render: tail offset of the body */
} pdf_update_obj;

typedef struct pdf_update {
    pdf_reader *reader;      /* borrowed */
    uint32_t next_num;       /* the next new object number */
    pdf_update_obj *objs;
    size_t n_objs, cap_objs;
    size_t xref_off;         /* set by render: tail offset of the xref */
} pdf_update;

/* Starts an empty update of the file the reader reads; new numbers start
 * at the reader's /Size. */
void eseal__pdf_update_init(pdf_update *u, pdf_reader *reader);
void eseal__pdf_update_free(pdf_update *u);

/* Reserves a new object number (generation 0). */
int eseal__pdf_update_new_num(pdf_update *u, uint32_t *num,
    eseal_error *err);

/* The generation under which object num is in use now (0 when it is
 * compressed or unknown). */
uint16_t eseal__pdf_update_gen_of(const pdf_update *u, uint32_t num);

/*
 * Adds an object to write, either an object (borrowed until render) or raw
 * body bytes (borrowed too).  Writing the same number twice is
 * ESEAL_EINVAL.  Returns the index of the entry via *index (may be NULL).
 */
int eseal__pdf_update_add(pdf_update *u, uint32_t num, uint16_t gen,
    const pdf_obj *obj, size_t *index, eseal_error *err);
int eseal__pdf_update_add_raw(pdf_update *u, uint32_t num, uint16_t gen,
    const char *raw, size_t raw_len, size_t *index, eseal_error *err);

/*
 * Renders the update into out, which receives the bytes that follow the
 * input's data[0..size).  When the input does not end with an end-of-line,
 * the update starts with "\n".  id2 is the new second element of /ID (16
 * bytes); the first element is kept (or set to id2 when the file has no
 * /ID).  Fills every entry's body_off and u->xref_off.
 */
int eseal__pdf_update_render(pdf_update *u, eseal_buf *out,
    const unsigned char *data, uint64_t size, const unsigned char id2[16],
    eseal_error *err);

#endif
