/* eseal PDF adapter - the PDF object model.  Objects live in an arena. */
#ifndef ESEAL_PDF_OBJ_H
#define ESEAL_PDF_OBJ_H

#include <stddef.h>
#include <stdint.h>
#include "../core/eseal_int.h"

typedef enum pdf_type {
    PDF_NULL = 0,
    PDF_BOOL,
    PDF_INT,
    PDF_REAL,
    PDF_NAME,
    PDF_STRING,
    PDF_ARRAY,
    PDF_DICT,
    PDF_REF,
    PDF_STREAM
} pdf_type;

typedef struct pdf_obj pdf_obj;

struct pdf_obj {
    pdf_type type;
    union {
        int boolean;
        int64_t i;
        double r;
        struct { char *s; size_t len; } name;   /* decoded (#xx), NUL-ended,
                                                   without the leading '/' */
        struct { unsigned char *s; size_t len; int hex; } str; /* decoded */
        struct { pdf_obj **items; size_t len, cap; } arr;
        struct { char **keys; pdf_obj **vals; size_t len, cap; } dict;
        struct { uint32_t num; uint16_t gen; } ref;
        struct {
            pdf_obj *dict;
            uint64_t data_off; /* offset of the raw data in the file */
            uint64_t data_len; /* raw length (from /Length) */
        } stream;
    } u;
};

/* Bump allocator; everything allocated from it is freed at once. */
typedef struct pdf_arena pdf_arena;

pdf_arena *pdf_arena_new(void);
void pdf_arena_free(pdf_arena *a);
void *pdf_arena_alloc(pdf_arena *a, size_t size); /* zeroed; NULL on ENOMEM */

/* Constructors (NULL on ENOMEM).  Strings and names are copied. */
pdf_obj *pdf_new_null(pdf_arena *a);
pdf_obj *pdf_new_bool(pdf_arena *a, int v);
pdf_obj *pdf_new_int(pdf_arena *a, int64_t v);
pdf_obj *pdf_new_real(pdf_arena *a, double v);
pdf_obj *pdf_new_name(pdf_arena *a, const char *name);
pdf_obj *pdf_new_string(pdf_arena *a, const void *s, size_t len, int hex);
pdf_obj *pdf_new_array(pdf_arena *a);
pdf_obj *pdf_new_dict(pdf_arena *a);
pdf_obj *pdf_new_ref(pdf_arena *a, uint32_t num, uint16_t gen);

/* Deep copy into arena a (streams keep their file offsets). */
pdf_obj *pdf_obj_copy(pdf_arena *a, const pdf_obj *o);

/* Containers.  Return 0 or ESEAL_ENOMEM. */
int pdf_array_push(pdf_arena *a, pdf_obj *arr, pdf_obj *item);
/* Replaces the value when the key exists. */
int pdf_dict_put(pdf_arena *a, pdf_obj *dict, const char *key, pdf_obj *val);
void pdf_dict_del(pdf_obj *dict, const char *key);

/* Lookups: no indirection is followed.  A stream's dict is searched too. */
pdf_obj *pdf_dict_get(const pdf_obj *dict, const char *key);
/* 1 when o is a name equal to name */
int pdf_is_name(const pdf_obj *o, const char *name);
/* 1 and *out when o is an integer (or a real with an integral value) */
int pdf_get_int(const pdf_obj *o, int64_t *out);

#endif
