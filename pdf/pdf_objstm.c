/*
 * eseal PDF adapter - objects inside object streams (/Type /ObjStm).
 * Decoded streams and their index are cached up to a byte budget.
 */
#include <stdlib.h>
#include <string.h>
#include "pdf_read_int.h"

#define MAX_EXTENDS 64

static void stm_free(pdf_objstm *s)
{
    free(s->nums);
    free(s->offs);
    eseal_bytes_free(&s->data);
    memset(s, 0, sizeof(*s));
}

void eseal__pdf_objstm_free_all(pdf_reader *r)
{
    size_t i;

    for (i = 0; i < r->n_stms; i++)
        stm_free(&r->stms[i]);
    free(r->stms);
    r->stms = NULL;
    r->n_stms = r->cap_stms = 0;
    r->stm_bytes = 0;
}

/* Every /Extends target must be an object stream; the chain must end. */
static int check_extends(pdf_reader *r, uint32_t stm, pdf_obj *so,
    eseal_error *err)
{
    uint32_t seen[MAX_EXTENDS + 1];
    size_t n_seen = 0, i;
    pdf_obj *ext, *target;
    int rc;

    seen[n_seen++] = stm;
    while ((ext = pdf_dict_get(so, "Extends")) != NULL) {
        if (ext->type != PDF_REF)
            return eseal__error_set(err, ESEAL_EFORMAT,
                "object stream %u: /Extends is not a reference", stm);
        for (i = 0; i < n_seen; i++)
            if (seen[i] == ext->u.ref.num)
                return eseal__error_set(err, ESEAL_EFORMAT,
                    "object stream %u: /Extends loop through object %u",
                    stm, ext->u.ref.num);
        if (n_seen > MAX_EXTENDS)
            return eseal__error_set(err, ESEAL_ELIMIT,
                "object stream %u: /Extends chain longer than %d", stm,
                MAX_EXTENDS);
        seen[n_seen++] = ext->u.ref.num;
        if (pdf_reader_entry(r, ext->u.ref.num).type != 1)
            return eseal__error_set(err, ESEAL_EFORMAT,
                "object stream %u: /Extends object %u is not an object "
                "stream", stm, ext->u.ref.num);
        if ((rc = pdf_reader_load(r, ext->u.ref.num, &target, err)) < 0)
            return rc;
        if (target->type != PDF_STREAM ||
            !pdf_is_name(pdf_dict_get(target, "Type"), "ObjStm"))
            return eseal__error_set(err, ESEAL_EFORMAT,
                "object stream %u: /Extends object %u is not an object "
                "stream", stm, ext->u.ref.num);
        so = target;
    }
    return 0;
}

/* Loads, decodes and indexes object stream stm. */
static int stm_open(pdf_reader *r, uint32_t stm, pdf_objstm *s,
    eseal_error *err)
{
    pdf_xref_entry e = pdf_reader_entry(r, stm);
    pdf_obj *so;
    int64_t n, first;
    pdf_lexer lx;
    pdf_token t1, t2;
    uint32_t i;
    int rc;

    memset(s, 0, sizeof(*s));
    s->num = stm;
    if (e.type == 2)
        return eseal__error_set(err, ESEAL_EFORMAT,
            "object stream %u is itself inside an object stream", stm);
    if (e.type != 1)
        return eseal__error_set(err, ESEAL_EFORMAT,
            "object stream %u is missing", stm);
    if ((rc = pdf_reader_load(r, stm, &so, err)) < 0)
        return rc;
    if (so->type != PDF_STREAM ||
        (pdf_dict_get(so, "Type") != NULL &&
         !pdf_is_name(pdf_dict_get(so, "Type"), "ObjStm")))
        return eseal__error_set(err, ESEAL_EFORMAT,
            "object %u is not an object stream", stm);
    if (!pdf_get_int(pdf_dict_get(so, "N"), &n) || n < 0 ||
        !pdf_get_int(pdf_dict_get(so, "First"), &first) || first < 0)
        return eseal__error_set(err, ESEAL_EFORMAT,
            "object stream %u: /N or /First is missing or invalid", stm);
    if (n > PDF_MAX_OBJECTS)
        return eseal__error_set(err, ESEAL_ELIMIT,
            "object stream %u: /N %lld exceeds the limit of %u objects",
            stm, (long long)n, (unsigned)PDF_MAX_OBJECTS);
    if ((rc = check_extends(r, stm, so, err)) < 0)
        return rc;
    rc = pdf_reader_stream_data(r, so, &s->data, PDF_MAX_STREAM_DECODED,
        err);
    if (rc < 0) {
        eseal__pdf_error_prefix(err, "object stream %u", stm);
        return rc;
    }
    /* each pair takes at least four bytes ("1 2 ") before /First */
    if ((uint64_t)first > s->data.len || (uint64_t)n > (uint64_t)first / 4 + 1)
        return eseal__error_set(err, ESEAL_EFORMAT,
            "object stream %u: /First %lld or /N %lld does not fit its %zu "
            "bytes", stm, (long long)first, (long long)n, s->data.len);
    s->n = (uint32_t)n;
    s->first = (uint64_t)first;
    s->nums = malloc((n > 0 ? (size_t)n : 1) * sizeof(*s->nums));
    s->offs = malloc((n > 0 ? (size_t)n : 1) * sizeof(*s->offs));
    if (s->nums == NULL || s->offs == NULL)
        return eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
    eseal__pdf_lex_init(&lx, s->data.data, (uint64_t)first, 0);
    for (i = 0; i < s->n; i++) {
        if (eseal__pdf_lex_next(&lx, &t1, NULL) < 0 ||
            eseal__pdf_lex_next(&lx, &t2, NULL) < 0 ||
            t1.type != PDF_TOK_INT || t2.type != PDF_TOK_INT ||
            t1.i < 0 || t1.i > (int64_t)UINT32_MAX || t2.i < 0 ||
            (uint64_t)t2.i >= s->data.len - s->first)
            return eseal__error_set(err, ESEAL_EFORMAT,
                "object stream %u: index entry %u is malformed", stm, i);
        s->nums[i] = (uint32_t)t1.i;
        s->offs[i] = (uint64_t)t2.i;
    }
    return 0;
}

static int stm_find(pdf_reader *r, uint32_t stm, pdf_objstm **out,
    eseal_error *err)
{
    pdf_objstm s;
    size_t i;
    int rc;

    for (i = 0; i < r->n_stms; i++) {
        if (r->stms[i].num == stm) {
            *out = &r->stms[i];
            return 0;
        }
    }
    for (i = 0; i < r->n_stm_open; i++)
        if (r->stm_open[i] == stm)
            return eseal__error_set(err, ESEAL_EFORMAT,
                "object stream %u is needed to decode itself", stm);
    if (r->n_stm_open >= PDF_MAX_LOAD_DEPTH)
        return eseal__error_set(err, ESEAL_ELIMIT,
            "object streams nested deeper than %d while loading object "
            "stream %u", PDF_MAX_LOAD_DEPTH, stm);
    r->stm_open[r->n_stm_open++] = stm;
    rc = stm_open(r, stm, &s, err);
    r->n_stm_open--;
    if (rc < 0) {
        stm_free(&s);
        return rc;
    }
    /* over budget: drop what is cached (objects already parsed stay) */
    if (r->stm_bytes + s.data.len > PDF_OBJSTM_CACHE_BYTES) {
        for (i = 0; i < r->n_stms; i++)
            stm_free(&r->stms[i]);
        r->n_stms = 0;
        r->stm_bytes = 0;
    }
    if (r->n_stms == r->cap_stms) {
        size_t cap = r->cap_stms ? r->cap_stms * 2 : 4;
        pdf_objstm *a = realloc(r->stms, cap * sizeof(*a));

        if (a == NULL) {
            stm_free(&s);
            return eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
        }
        r->stms = a;
        r->cap_stms = cap;
    }
    r->stms[r->n_stms] = s;
    r->stm_bytes += s.data.len;
    *out = &r->stms[r->n_stms++];
    return 0;
}

int eseal__pdf_objstm_get(pdf_reader *r, uint32_t num, uint32_t stm,
    uint32_t idx, pdf_obj **out, eseal_error *err)
{
    pdf_objstm *s = NULL;
    pdf_lexer lx;
    int rc;

    if ((rc = stm_find(r, stm, &s, err)) < 0)
        return rc;
    if (idx >= s->n)
        return eseal__error_set(err, ESEAL_EFORMAT,
            "object %u 0: index %u is beyond object stream %u (/N %u)",
            num, idx, stm, s->n);
    if (s->nums[idx] != num)
        return eseal__error_set(err, ESEAL_EFORMAT,
            "object %u 0: object stream %u holds object %u at index %u",
            num, stm, s->nums[idx], idx);
    eseal__pdf_lex_init(&lx, s->data.data, s->data.len,
        s->first + s->offs[idx]);
    if ((rc = eseal__pdf_parse(&lx, r->arena, out, err)) < 0) {
        eseal__pdf_error_prefix(err, "object %u 0 in object stream %u "
            "(offsets are in the decoded stream)", num, stm);
        return rc;
    }
    return 0;
}
