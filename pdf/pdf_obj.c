/* eseal PDF adapter - the object model: arena, constructors, containers. */
#include <stdlib.h>
#include <string.h>
#include "pdf_obj.h"
#include "pdf_lex.h"

/*
 * The arena is a list of zeroed chunks.  Small allocations are bumped from
 * the head chunk; large ones get a chunk of their own, linked behind the
 * head so that the head keeps serving small requests.
 */
#define ARENA_ALIGN 16
#define ARENA_FIRST_CHUNK 8192
#define ARENA_MAX_CHUNK (1024 * 1024)

typedef struct arena_chunk {
    struct arena_chunk *next;
    size_t used;
    size_t cap;
    size_t pad; /* keeps data 16-byte aligned after the header */
} arena_chunk;

struct pdf_arena {
    arena_chunk *head;
    size_t next_size;
};

#define CHUNK_DATA(c) ((unsigned char *)(c) + sizeof(arena_chunk))

pdf_arena *pdf_arena_new(void)
{
    pdf_arena *a = calloc(1, sizeof(*a));

    if (a != NULL)
        a->next_size = ARENA_FIRST_CHUNK;
    return a;
}

void pdf_arena_free(pdf_arena *a)
{
    arena_chunk *c, *next;

    if (a == NULL)
        return;
    for (c = a->head; c != NULL; c = next) {
        next = c->next;
        free(c);
    }
    free(a);
}

static arena_chunk *chunk_new(size_t cap)
{
    arena_chunk *c;

    if (cap > SIZE_MAX - sizeof(arena_chunk))
        return NULL;
    c = calloc(1, sizeof(arena_chunk) + cap);
    if (c != NULL)
        c->cap = cap;
    return c;
}

void *pdf_arena_alloc(pdf_arena *a, size_t size)
{
    arena_chunk *c;
    void *p;

    if (a == NULL)
        return NULL;
    if (size == 0)
        size = 1;
    if (size > SIZE_MAX - ARENA_ALIGN)
        return NULL;
    size = (size + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
    c = a->head;
    if (c != NULL && c->cap - c->used >= size) {
        p = CHUNK_DATA(c) + c->used;
        c->used += size;
        return p;
    }
    if (size > a->next_size / 4) {
        /* a chunk of its own, behind the head */
        c = chunk_new(size);
        if (c == NULL)
            return NULL;
        c->used = size;
        if (a->head != NULL) {
            c->next = a->head->next;
            a->head->next = c;
        } else {
            a->head = c;
        }
        return CHUNK_DATA(c);
    }
    c = chunk_new(a->next_size);
    if (c == NULL)
        return NULL;
    if (a->next_size < ARENA_MAX_CHUNK)
        a->next_size *= 2;
    c->next = a->head;
    a->head = c;
    c->used = size;
    return CHUNK_DATA(c);
}

/* ---- constructors ----------------------------------------------------- */

static pdf_obj *new_obj(pdf_arena *a, pdf_type type)
{
    pdf_obj *o = pdf_arena_alloc(a, sizeof(*o));

    if (o != NULL)
        o->type = type;
    return o;
}

pdf_obj *pdf_new_null(pdf_arena *a)
{
    return new_obj(a, PDF_NULL);
}

pdf_obj *pdf_new_bool(pdf_arena *a, int v)
{
    pdf_obj *o = new_obj(a, PDF_BOOL);

    if (o != NULL)
        o->u.boolean = v != 0;
    return o;
}

pdf_obj *pdf_new_int(pdf_arena *a, int64_t v)
{
    pdf_obj *o = new_obj(a, PDF_INT);

    if (o != NULL)
        o->u.i = v;
    return o;
}

pdf_obj *pdf_new_real(pdf_arena *a, double v)
{
    pdf_obj *o = new_obj(a, PDF_REAL);

    if (o != NULL)
        o->u.r = v;
    return o;
}

char *eseal__pdf_arena_strndup(pdf_arena *a, const char *s, size_t len)
{
    char *p;

    if (len == SIZE_MAX)
        return NULL;
    p = pdf_arena_alloc(a, len + 1);
    if (p != NULL && len > 0)
        memcpy(p, s, len);
    return p;
}

pdf_obj *eseal__pdf_new_name_len(pdf_arena *a, const char *name, size_t len)
{
    pdf_obj *o = new_obj(a, PDF_NAME);

    if (o == NULL)
        return NULL;
    o->u.name.s = eseal__pdf_arena_strndup(a, name, len);
    if (o->u.name.s == NULL)
        return NULL;
    o->u.name.len = len;
    return o;
}

pdf_obj *pdf_new_name(pdf_arena *a, const char *name)
{
    if (name == NULL)
        return NULL;
    return eseal__pdf_new_name_len(a, name, strlen(name));
}

pdf_obj *pdf_new_string(pdf_arena *a, const void *s, size_t len, int hex)
{
    pdf_obj *o = new_obj(a, PDF_STRING);

    if (o == NULL || (s == NULL && len > 0))
        return NULL;
    o->u.str.s = (unsigned char *)eseal__pdf_arena_strndup(a, s, len);
    if (o->u.str.s == NULL)
        return NULL;
    o->u.str.len = len;
    o->u.str.hex = hex != 0;
    return o;
}

pdf_obj *pdf_new_array(pdf_arena *a)
{
    return new_obj(a, PDF_ARRAY);
}

pdf_obj *pdf_new_dict(pdf_arena *a)
{
    return new_obj(a, PDF_DICT);
}

pdf_obj *pdf_new_ref(pdf_arena *a, uint32_t num, uint16_t gen)
{
    pdf_obj *o = new_obj(a, PDF_REF);

    if (o != NULL) {
        o->u.ref.num = num;
        o->u.ref.gen = gen;
    }
    return o;
}

/* ---- containers ------------------------------------------------------- */

int pdf_array_push(pdf_arena *a, pdf_obj *arr, pdf_obj *item)
{
    if (arr == NULL || arr->type != PDF_ARRAY || item == NULL)
        return ESEAL_EINVAL;
    if (arr->u.arr.len == arr->u.arr.cap) {
        size_t cap = arr->u.arr.cap ? arr->u.arr.cap * 2 : 8;
        pdf_obj **items;

        if (cap > SIZE_MAX / sizeof(*items))
            return ESEAL_ENOMEM;
        items = pdf_arena_alloc(a, cap * sizeof(*items));
        if (items == NULL)
            return ESEAL_ENOMEM;
        if (arr->u.arr.len > 0)
            memcpy(items, arr->u.arr.items,
                arr->u.arr.len * sizeof(*items));
        arr->u.arr.items = items;
        arr->u.arr.cap = cap;
    }
    arr->u.arr.items[arr->u.arr.len++] = item;
    return 0;
}

int eseal__pdf_dict_append(pdf_arena *a, pdf_obj *dict, char *key,
    pdf_obj *val)
{
    if (dict->u.dict.len == dict->u.dict.cap) {
        size_t cap = dict->u.dict.cap ? dict->u.dict.cap * 2 : 8;
        char **keys;
        pdf_obj **vals;

        if (cap > SIZE_MAX / sizeof(*vals))
            return ESEAL_ENOMEM;
        keys = pdf_arena_alloc(a, cap * sizeof(*keys));
        vals = pdf_arena_alloc(a, cap * sizeof(*vals));
        if (keys == NULL || vals == NULL)
            return ESEAL_ENOMEM;
        if (dict->u.dict.len > 0) {
            memcpy(keys, dict->u.dict.keys,
                dict->u.dict.len * sizeof(*keys));
            memcpy(vals, dict->u.dict.vals,
                dict->u.dict.len * sizeof(*vals));
        }
        dict->u.dict.keys = keys;
        dict->u.dict.vals = vals;
        dict->u.dict.cap = cap;
    }
    dict->u.dict.keys[dict->u.dict.len] = key;
    dict->u.dict.vals[dict->u.dict.len] = val;
    dict->u.dict.len++;
    return 0;
}

static pdf_obj *as_dict(const pdf_obj *o)
{
    if (o == NULL)
        return NULL;
    if (o->type == PDF_STREAM)
        o = o->u.stream.dict;
    if (o == NULL || o->type != PDF_DICT)
        return NULL;
    return (pdf_obj *)o;
}

int pdf_dict_put(pdf_arena *a, pdf_obj *dict, const char *key, pdf_obj *val)
{
    pdf_obj *d = as_dict(dict);
    size_t i;
    char *k;

    if (d == NULL || key == NULL || val == NULL)
        return ESEAL_EINVAL;
    /* the parser appends, so a duplicate key may exist: replace the last,
     * which is the one lookups see, and drop the others */
    for (i = d->u.dict.len; i-- > 0;) {
        if (strcmp(d->u.dict.keys[i], key) == 0) {
            d->u.dict.vals[i] = val;
            return 0;
        }
    }
    k = eseal__pdf_arena_strndup(a, key, strlen(key));
    if (k == NULL)
        return ESEAL_ENOMEM;
    return eseal__pdf_dict_append(a, d, k, val);
}

void pdf_dict_del(pdf_obj *dict, const char *key)
{
    pdf_obj *d = as_dict(dict);
    size_t i, j;

    if (d == NULL || key == NULL)
        return;
    for (i = 0, j = 0; i < d->u.dict.len; i++) {
        if (strcmp(d->u.dict.keys[i], key) == 0)
            continue;
        d->u.dict.keys[j] = d->u.dict.keys[i];
        d->u.dict.vals[j] = d->u.dict.vals[i];
        j++;
    }
    d->u.dict.len = j;
}

pdf_obj *pdf_dict_get(const pdf_obj *dict, const char *key)
{
    const pdf_obj *d = as_dict(dict);
    size_t i;

    if (d == NULL || key == NULL)
        return NULL;
    /* the last of duplicate keys wins */
    for (i = d->u.dict.len; i-- > 0;) {
        const char *k = d->u.dict.keys[i];

        if (k[0] == key[0] && strcmp(k, key) == 0)
            return d->u.dict.vals[i];
    }
    return NULL;
}

int pdf_is_name(const pdf_obj *o, const char *name)
{
    return o != NULL && o->type == PDF_NAME && name != NULL &&
           strcmp(o->u.name.s, name) == 0;
}

int pdf_get_int(const pdf_obj *o, int64_t *out)
{
    if (o == NULL)
        return 0;
    if (o->type == PDF_INT) {
        if (out != NULL)
            *out = o->u.i;
        return 1;
    }
    if (o->type == PDF_REAL) {
        double r = o->u.r;

        /* integral and inside the int64 range (2^63 is exact in double) */
        if (!(r >= -9223372036854775808.0 && r < 9223372036854775808.0))
            return 0;
        if ((double)(int64_t)r != r)
            return 0;
        if (out != NULL)
            *out = (int64_t)r;
        return 1;
    }
    return 0;
}

/* ---- deep copy -------------------------------------------------------- */

static pdf_obj *copy_depth(pdf_arena *a, const pdf_obj *o, int depth)
{
    pdf_obj *c;
    size_t i;

    if (o == NULL || depth > 2 * PDF_LEX_MAX_DEPTH)
        return NULL;
    switch (o->type) {
    case PDF_NAME:
        return eseal__pdf_new_name_len(a, o->u.name.s, o->u.name.len);
    case PDF_STRING:
        return pdf_new_string(a, o->u.str.s, o->u.str.len, o->u.str.hex);
    case PDF_ARRAY:
        c = pdf_new_array(a);
        if (c == NULL)
            return NULL;
        for (i = 0; i < o->u.arr.len; i++) {
            pdf_obj *item = copy_depth(a, o->u.arr.items[i], depth + 1);

            if (item == NULL || pdf_array_push(a, c, item) < 0)
                return NULL;
        }
        return c;
    case PDF_DICT:
        c = pdf_new_dict(a);
        if (c == NULL)
            return NULL;
        for (i = 0; i < o->u.dict.len; i++) {
            const char *k = o->u.dict.keys[i];
            char *key = eseal__pdf_arena_strndup(a, k, strlen(k));
            pdf_obj *val = copy_depth(a, o->u.dict.vals[i], depth + 1);

            if (key == NULL || val == NULL ||
                eseal__pdf_dict_append(a, c, key, val) < 0)
                return NULL;
        }
        return c;
    case PDF_STREAM:
        c = new_obj(a, PDF_STREAM);
        if (c == NULL)
            return NULL;
        c->u.stream = o->u.stream;
        c->u.stream.dict = copy_depth(a, o->u.stream.dict, depth + 1);
        if (c->u.stream.dict == NULL)
            return NULL;
        return c;
    default:
        c = new_obj(a, o->type);
        if (c != NULL)
            c->u = o->u;
        return c;
    }
}

pdf_obj *pdf_obj_copy(pdf_arena *a, const pdf_obj *o)
{
    return copy_depth(a, o, 0);
}
