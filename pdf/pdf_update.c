/* eseal PDF adapter - rendering an incremental update. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "pdf_update.h"
#include "pdf_write.h"

void eseal__pdf_update_init(pdf_update *u, pdf_reader *reader)
{
    int i;

    memset(u, 0, sizeof(*u));
    u->reader = reader;
    u->next_num = pdf_reader_size(reader);
    if (u->next_num == 0)
        u->next_num = 1;              /* object 0 is always free */
    /* a /Size that is too small must not make new objects replace old
     * ones: skip numbers the xref knows (bounded) */
    for (i = 0; i < 1024 && u->next_num < PDF_MAX_OBJECTS
        && pdf_reader_entry(reader, u->next_num).type != 0; i++)
        u->next_num++;
}

void eseal__pdf_update_free(pdf_update *u)
{
    if (u == NULL)
        return;
    free(u->objs);
    u->objs = NULL;
    u->n_objs = u->cap_objs = 0;
}

int eseal__pdf_update_new_num(pdf_update *u, uint32_t *num,
    eseal_error *err)
{
    if (u->next_num >= PDF_MAX_OBJECTS)
        return eseal__error_set(err, ESEAL_ELIMIT, "the document already "
            "has %" PRIu32 " objects, the limit is %d", u->next_num,
            PDF_MAX_OBJECTS);
    *num = u->next_num++;
    return 0;
}

uint16_t eseal__pdf_update_gen_of(const pdf_update *u, uint32_t num)
{
    pdf_xref_entry e = pdf_reader_entry(u->reader, num);

    return e.type == 1 ? (uint16_t)e.field3 : 0;
}

static int add_entry(pdf_update *u, uint32_t num, uint16_t gen,
    const pdf_obj *obj, const char *raw, size_t raw_len, size_t *index,
    eseal_error *err)
{
    pdf_update_obj *grown;
    size_t i;

    if (num == 0 || num >= PDF_MAX_OBJECTS)
        return eseal__error_set(err, ESEAL_EINVAL, "cannot write object "
            "number %" PRIu32, num);
    for (i = 0; i < u->n_objs; i++)
        if (u->objs[i].num == num)
            return eseal__error_set(err, ESEAL_EINVAL, "object %" PRIu32
                " is written twice in one update", num);
    if (u->n_objs >= PDF_UPDATE_MAX_OBJECTS)
        return eseal__error_set(err, ESEAL_ELIMIT, "too many objects in "
            "one update");
    if (u->n_objs == u->cap_objs) {
        size_t cap = u->cap_objs ? 2 * u->cap_objs : 8;

        grown = realloc(u->objs, cap * sizeof(*grown));
        if (grown == NULL)
            return eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
        u->objs = grown;
        u->cap_objs = cap;
    }
    memset(&u->objs[u->n_objs], 0, sizeof(u->objs[0]));
    u->objs[u->n_objs].num = num;
    u->objs[u->n_objs].gen = gen;
    u->objs[u->n_objs].obj = obj;
    u->objs[u->n_objs].raw = raw;
    u->objs[u->n_objs].raw_len = raw_len;
    if (index != NULL)
        *index = u->n_objs;
    u->n_objs++;
    return 0;
}

int eseal__pdf_update_add(pdf_update *u, uint32_t num, uint16_t gen,
    const pdf_obj *obj, size_t *index, eseal_error *err)
{
    if (obj == NULL)
        return eseal__error_set(err, ESEAL_EINVAL, "no object to write");
    return add_entry(u, num, gen, obj, NULL, 0, index, err);
}

int eseal__pdf_update_add_raw(pdf_update *u, uint32_t num, uint16_t gen,
    const char *raw, size_t raw_len, size_t *index, eseal_error *err)
{
    if (raw == NULL)
        return eseal__error_set(err, ESEAL_EINVAL, "no object to write");
    return add_entry(u, num, gen, NULL, raw, raw_len, index, err);
}

static int cmp_rows(const void *a, const void *b)
{
    const pdf_xref_row *x = a, *y = b;

    return x->num < y->num ? -1 : x->num > y->num;
}

/* The new /ID: the first element kept, the second one new. */
static int make_id(pdf_obj **out, pdf_update *u, const unsigned char id2[16],
    eseal_error *err)
{
    pdf_arena *a = pdf_reader_arena(u->reader);
    pdf_obj *old = NULL, *first = NULL, *arr, *second;
    int rc;

    rc = pdf_reader_dict_get(u->reader, pdf_reader_trailer(u->reader), "ID",
        &old, err);
    if (rc < 0)
        return rc;
    if (old != NULL && old->type == PDF_ARRAY && old->u.arr.len >= 1) {
        if ((rc = pdf_reader_resolve(u->reader, old->u.arr.items[0], &first,
                err)) < 0)
            return rc;
        if (first != NULL && first->type != PDF_STRING)
            first = NULL;
    }
    arr = pdf_new_array(a);
    second = pdf_new_string(a, id2, 16, 1);
    if (first == NULL)
        first = second;
    if (arr == NULL || second == NULL || pdf_array_push(a, arr, first) < 0
        || pdf_array_push(a, arr, second) < 0)
        return eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
    *out = arr;
    return 0;
}

static int make_trailer(pdf_obj **out, pdf_update *u, uint32_t size,
    const unsigned char id2[16], eseal_error *err)
{
    pdf_arena *a = pdf_reader_arena(u->reader);
    const pdf_obj *old = pdf_reader_trailer(u->reader);
    pdf_obj *t, *root, *info, *id = NULL, *sz, *prev;
    int rc;

    root = pdf_dict_get(old, "Root");
    info = pdf_dict_get(old, "Info");
    if (root == NULL || root->type != PDF_REF)
        return eseal__error_set(err, ESEAL_EFORMAT, "the trailer has no "
            "/Root reference");
    if ((rc = make_id(&id, u, id2, err)) < 0)
        return rc;
    t = pdf_new_dict(a);
    sz = pdf_new_int(a, size);
    prev = pdf_new_int(a, (int64_t)pdf_reader_startxref(u->reader));
    if (t == NULL || sz == NULL || prev == NULL
        || pdf_dict_put(a, t, "Size", sz) < 0
        || pdf_dict_put(a, t, "Root", root) < 0
        || (info != NULL && info->type != PDF_NULL
            && info->type != PDF_STREAM
            && pdf_dict_put(a, t, "Info", info) < 0)
        || pdf_dict_put(a, t, "ID", id) < 0
        || pdf_dict_put(a, t, "Prev", prev) < 0)
        return eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
    *out = t;
    return 0;
}

int eseal__pdf_update_render(pdf_update *u, eseal_buf *out,
    const unsigned char *data, uint64_t size, const unsigned char id2[16],
    eseal_error *err)
{
    const pdf_xref_section *newest = pdf_reader_section(u->reader, 0);
    pdf_xref_row *rows = NULL;
    pdf_obj *trailer = NULL;
    uint32_t xref_num = 0, new_size;
    size_t i, n_rows = 0;
    uint64_t startxref;
    int is_stream, rc;

    if (newest == NULL) {
        rc = eseal__error_set(err, ESEAL_EFORMAT, "the document has no "
            "cross-reference section");
        goto cleanup;
    }
    is_stream = newest->is_stream;
    if (is_stream && (rc = eseal__pdf_update_new_num(u, &xref_num,
            err)) < 0)
        goto cleanup;
    rows = malloc((u->n_objs + 1) * sizeof(*rows));
    if (rows == NULL) {
        rc = eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
        goto cleanup;
    }
    if (size == 0 || (data[size - 1] != '\n' && data[size - 1] != '\r'))
        eseal__buf_append(out, "\n", 1);
    new_size = u->next_num;
    if (pdf_reader_size(u->reader) > new_size)
        new_size = pdf_reader_size(u->reader);
    for (i = 0; i < u->n_objs; i++) {
        pdf_update_obj *o = &u->objs[i];

        rows[n_rows].num = o->num;
        rows[n_rows].gen = o->gen;
        rows[n_rows].offset = size + out->len;
        n_rows++;
        if (o->num >= new_size)
            new_size = o->num + 1;
        eseal__buf_printf(out, "%" PRIu32 " %u obj\n", o->num,
            (unsigned int)o->gen);
        o->body_off = out->len;
        if (o->raw != NULL)
            eseal__buf_append(out, o->raw, o->raw_len);
        else if ((rc = eseal__pdf_write_obj(out, o->obj, err)) < 0)
            goto cleanup;
        eseal__buf_puts(out, "\nendobj\n");
    }
    if ((rc = make_trailer(&trailer, u, new_size, id2, err)) < 0)
        goto cleanup;
    u->xref_off = out->len;
    startxref = size + out->len;
    if (is_stream) {
        rows[n_rows].num = xref_num;
        rows[n_rows].gen = 0;
        rows[n_rows].offset = startxref;
        n_rows++;
    }
    qsort(rows, n_rows, sizeof(*rows), cmp_rows);
    if (is_stream) {
        rc = eseal__pdf_write_xref_stream(out, xref_num, trailer, rows,
            n_rows, err);
    } else {
        rc = eseal__pdf_write_xref_table(out, rows, n_rows, err);
        eseal__buf_puts(out, "trailer\n");
        if (rc == 0)
            rc = eseal__pdf_write_obj(out, trailer, err);
        eseal__buf_puts(out, "\n");
    }
    if (rc < 0)
        goto cleanup;
    eseal__buf_printf(out, "startxref\n%" PRIu64 "\n%%%%EOF\n", startxref);
    if (out->failed) {
        rc = eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
        goto cleanup;
    }
    rc = 0;
cleanup:
    free(rows);
    return rc;
}
