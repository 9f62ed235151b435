/*
 * eseal PDF adapter - change analysis sessions (one per document, shared by
 * its signatures, with a bound on the total work) and the check that the
 * signed revision does not already point to an object added after it.
 *
 * That check closes a hole the object-by-object classification leaves: a
 * signed revision may hold a reference to an object that does not exist
 * (a page whose /Contents is "99 0 R", read as empty).  An update that
 * adds object 99, dressed as something permitted (a DSS certificate, an
 * appearance stream), would change what the signed page shows.  So a new
 * object is permitted only if no reference to it appears in the signed
 * bytes, raw or inside the signed revision's object streams, whatever the
 * generation (lenient readers ignore it).  The scan is textual and
 * streaming: a "99 0 R" inside binary data also counts, which errs on the
 * side of "forbidden".
 *
 * The same file finds the new objects that nothing of the later revisions
 * refers to (Poppler leaves unused appearance streams behind): no reader
 * reaches them, so they are permitted, under the check above.
 */
#include <stdlib.h>
#include <string.h>
#include "pdf_diff_int.h"

#define REF_MAX_WS 64      /* whitespace looked through inside "n g R" */

static int is_ws(unsigned char c)
{
    return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' ||
        c == '\0';
}

static int is_delim(unsigned char c)
{
    return is_ws(c) || strchr("()<>[]{}/%", c) != NULL;
}

static int is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

/*
 * Notes every "num gen R" of buf[0..len): as found at base + its position,
 * or at base itself when fixed (the bytes are an object stream's, decoded,
 * and base is where that stream is).
 */
static void scan_refs(pdf_diff_session *s, const unsigned char *buf,
    size_t len, uint64_t base, int fixed)
{
    const unsigned char *hit;
    size_t i = 0, k, e, lim;
    uint64_t num, off, *slot;

    while (i < len && (hit = memchr(buf + i, 'R', len - i)) != NULL) {
        i = (size_t)(hit - buf) + 1;
        if (i < len && !is_delim(buf[i]))
            continue;
        k = i - 1;
        for (lim = 0; k > 0 && is_ws(buf[k - 1]) && lim < REF_MAX_WS; lim++)
            k--;
        if (lim == 0)
            continue;
        for (e = k; k > 0 && is_digit(buf[k - 1]) && e - k < 5;)
            k--;
        if (k == e)
            continue;
        for (e = k, lim = 0; k > 0 && is_ws(buf[k - 1]) && lim < REF_MAX_WS;
             lim++)
            k--;
        if (k == e)
            continue;
        for (e = k; k > 0 && is_digit(buf[k - 1]) && e - k < 10;)
            k--;
        if (k == e || (k > 0 && !is_delim(buf[k - 1]) &&
                          buf[k - 1] != '+' && buf[k - 1] != '-'))
            continue;
        for (num = 0, lim = k; lim < e; lim++)
            num = num * 10 + (uint64_t)(buf[lim] - '0');
        if (num >= s->n_ref)
            continue;
        slot = &s->first_ref[num];
        off = fixed ? base : base + k;
        if (off < *slot)
            *slot = off;
    }
}

/* Scans the object streams of the signed revision (each once). */
static void scan_object_streams(diff *d)
{
    pdf_diff_session *s = d->s;
    uint32_t num, n_old = pdf_reader_size(d->old);
    size_t i;

    for (num = 1; num < n_old && !d->fatal && !d->forbidden; num++) {
        pdf_xref_entry e = pdf_reader_entry(d->old, num), se;
        eseal_bytes data = { NULL, 0 };
        eseal_error err = { 0, "" };
        uint32_t stm;
        pdf_obj *o = NULL;
        int rc;

        if (e.type != 2 || e.field2 >= d->n || (d->st[e.field2] & ST_STM))
            continue;
        stm = (uint32_t)e.field2;
        d->st[stm] |= ST_STM;
        se = pdf_reader_entry(d->old, stm);
        for (i = 0; i < s->n_stm_done; i++)
            if (s->stm_done[i] == se.field2)
                break;
        if (se.type != 1 || i < s->n_stm_done)
            continue;
        if ((rc = pdf_reader_load(d->old, stm, &o, &err)) < 0 ||
            (rc = pdf_reader_stream_data(d->old, o, &data,
                 PDF_MAX_STREAM_DECODED, &err)) < 0) {
            eseal__pdf_diff_load_failed(d, rc, &err);
            continue;
        }
        if (eseal__pdf_diff_work(d, data.len / 16) == 0)
            scan_refs(s, data.data, data.len, se.field2, 1);
        eseal_bytes_free(&data);
        if (s->n_stm_done == s->cap_stm_done) {
            size_t cap = s->cap_stm_done ? s->cap_stm_done * 2 : 16;
            uint64_t *p = realloc(s->stm_done, cap * sizeof(*p));

            if (p == NULL) {
                d->fatal = eseal__error_set(d->err, ESEAL_ENOMEM,
                    "out of memory");
                return;
            }
            s->stm_done = p;
            s->cap_stm_done = cap;
        }
        s->stm_done[s->n_stm_done++] = se.field2;
    }
}

void eseal__pdf_diff_check_refs(diff *d)
{
    pdf_diff_session *s = d->s;
    uint32_t num;
    int any = 0;

    for (num = 1; num < d->n && !any; num++)
        any = (d->st[num] & (ST_NEW | ST_OK)) == (ST_NEW | ST_OK);
    if (!any || d->forbidden || d->fatal)
        return; /* nothing added is permitted: nothing to confirm */
    if (s->first_ref == NULL) {
        s->n_ref = pdf_reader_size(d->cur);
        if (eseal__pdf_diff_work(d, s->n_ref) < 0)
            return;
        s->first_ref = malloc(((size_t)s->n_ref + 1) * sizeof(uint64_t));
        if (s->first_ref == NULL) {
            d->fatal = eseal__error_set(d->err, ESEAL_ENOMEM,
                "out of memory");
            return;
        }
        memset(s->first_ref, 0xff, ((size_t)s->n_ref + 1) * sizeof(uint64_t));
    }
    if (s->raw_done < d->covered_end) {
        if (eseal__pdf_diff_work(d, (d->covered_end - s->raw_done) / 64) < 0)
            return;
        scan_refs(s, d->data + s->raw_done,
            (size_t)(d->covered_end - s->raw_done), s->raw_done, 0);
        s->raw_done = d->covered_end;
    }
    scan_object_streams(d);
    if (d->fatal || d->forbidden)
        return;
    for (num = 1; num < d->n && num < s->n_ref; num++) {
        uint64_t at;

        if ((d->st[num] & (ST_NEW | ST_OK)) != (ST_NEW | ST_OK))
            continue;
        at = s->first_ref[num];
        if (at < d->covered_end) {
            eseal__pdf_diff_forbid(d, "object %u added after the seal was "
                "already referenced by the signed revision (at offset %llu)",
                num, (unsigned long long)at);
            d->st[num] &= (uint8_t)~ST_OK;
            d->st[num] |= ST_BAD;
        }
    }
}

/* ---- new objects nothing refers to -------------------------------------- */

static void mark_refs(diff *d, const pdf_obj *o, uint32_t self, int depth)
{
    size_t i;

    if (o == NULL || depth > PDF_MAX_DEPTH)
        return;
    switch (o->type) {
    case PDF_REF:
        if (o->u.ref.num != self && o->u.ref.num < d->n)
            d->st[o->u.ref.num] |= ST_REFD;
        return;
    case PDF_ARRAY:
        for (i = 0; i < o->u.arr.len; i++)
            mark_refs(d, o->u.arr.items[i], self, depth + 1);
        return;
    case PDF_DICT:
        for (i = 0; i < o->u.dict.len; i++)
            mark_refs(d, o->u.dict.vals[i], self, depth + 1);
        return;
    case PDF_STREAM:
        mark_refs(d, o->u.stream.dict, self, depth + 1);
        return;
    default:
        return;
    }
}

static int is_page_tree(const pdf_obj *o)
{
    const pdf_obj *t;

    if (o != NULL && o->type == PDF_STREAM)
        o = o->u.stream.dict;
    if (o == NULL || o->type != PDF_DICT)
        return 0;
    t = pdf_dict_get(o, "Type");
    return pdf_is_name(t, "Catalog") || pdf_is_name(t, "Pages") ||
        pdf_is_name(t, "Page");
}

/*
 * A new object that no object of the later revisions (but itself) and not
 * the trailer refers to is never read: Poppler leaves such empty
 * appearance streams behind.  They are permitted, and the reference check
 * still forbids those the signed bytes name.  Catalogs and page tree nodes
 * are not: a reader that rebuilds a damaged file might pick them up.  An
 * object that only such an object refers to stays forbidden.
 */
void eseal__pdf_diff_unreferenced(diff *d)
{
    eseal_error e = { 0, "" };
    uint32_t num, n_touched = 0;
    pdf_obj *o;
    int any = 0, rc;

    for (num = 1; num < d->n; num++) {
        if (d->st[num] & ST_TOUCHED)
            n_touched++;
        if ((d->st[num] & ST_NEW) && !(d->st[num] & ST_JUDGED))
            any = 1;
    }
    if (!any || d->fatal || eseal__pdf_diff_work(d, n_touched) < 0)
        return;
    mark_refs(d, pdf_reader_trailer(d->cur), 0, 0);
    for (num = 1; num < d->n && !d->fatal; num++) {
        if (!(d->st[num] & ST_TOUCHED))
            continue;
        if ((rc = pdf_reader_load(d->cur, num, &o, &e)) < 0) {
            eseal__pdf_diff_load_failed(d, rc, &e);
            return; /* nothing is known to be unreferenced */
        }
        mark_refs(d, o, num, 0);
    }
    for (num = 1; num < d->n && !d->fatal; num++) {
        if ((d->st[num] & (ST_NEW | ST_JUDGED | ST_REFD)) != ST_NEW)
            continue;
        if (pdf_reader_load(d->cur, num, &o, &e) == 0 && !is_page_tree(o))
            d->st[num] |= ST_OK;
    }
}

/* ---- sessions ----------------------------------------------------------- */

int eseal__pdf_diff_work(diff *d, uint64_t units)
{
    if (d->s->work > DIFF_MAX_WORK || units > DIFF_MAX_WORK - d->s->work) {
        d->s->work = (uint64_t)DIFF_MAX_WORK + 1;
        eseal__pdf_diff_forbid(d, "the document is too large to analyse the "
            "changes after the seal");
        return -1;
    }
    d->s->work += units;
    return 0;
}

int eseal__pdf_diff_open(pdf_diff_session **out, pdf_reader *cur,
    const unsigned char *data, uint64_t size, const char *name,
    eseal_error *err)
{
    pdf_diff_session *s;
    int rc;

    *out = NULL;
    if ((s = calloc(1, sizeof(*s))) == NULL)
        return eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
    s->data = data;
    s->size = size;
    s->name = name != NULL ? name : "PDF";
    s->cur = cur;
    if (cur == NULL) {
        if ((rc = pdf_reader_open(&s->cur, data, size, s->name, err)) < 0)
            goto cleanup;
        s->own_cur = 1;
    }
    s->n_sec = pdf_reader_section_count(s->cur);
    s->arena = pdf_arena_new();
    s->rev_end = calloc(s->n_sec + 1, sizeof(*s->rev_end));
    s->region = calloc(s->n_sec + 1, sizeof(*s->region));
    if (s->arena == NULL || s->rev_end == NULL || s->region == NULL) {
        rc = eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
        goto cleanup;
    }
    s->work = pdf_reader_size(s->cur);
    *out = s;
    s = NULL;
    rc = 0;
cleanup:
    eseal__pdf_diff_close(s);
    return rc;
}

void eseal__pdf_diff_close(pdf_diff_session *s)
{
    size_t i;

    if (s == NULL)
        return;
    for (i = 0; s->region != NULL && i < s->n_sec; i++)
        free(s->region[i].reason);
    free(s->first_ref);
    free(s->stm_done);
    free(s->region);
    free(s->rev_end);
    pdf_arena_free(s->arena);
    if (s->own_cur)
        pdf_reader_free(s->cur);
    free(s);
}

int eseal__pdf_diff_classify(pdf_diff_session *s, eseal_modifications *out,
    uint64_t covered_end, char ***reasons, size_t *n_reasons,
    eseal_error *err)
{
    diff d;
    eseal_error e = { 0, "" };
    int rc;

    *out = ESEAL_MODS_FORBIDDEN;
    if (covered_end > s->size)
        return eseal__error_set(err, ESEAL_EINVAL,
            "signed range ends beyond the file");
    if (covered_end == s->size) {
        *out = ESEAL_MODS_NONE;
        return 0;
    }
    memset(&d, 0, sizeof(d));
    d.s = s;
    d.data = s->data;
    d.size = s->size;
    d.covered_end = covered_end;
    d.name = s->name;
    d.cur = s->cur;
    d.reasons = reasons;
    d.n_reasons = n_reasons;
    d.err = err;

    if (eseal__pdf_diff_work(&d, 0) < 0)
        goto verdict;
    if ((rc = pdf_reader_open(&d.old, s->data, covered_end, s->name,
             &e)) < 0) {
        if (rc == ESEAL_ENOMEM) {
            eseal__error_set(err, rc, "%s", e.message);
            goto cleanup;
        }
        eseal__pdf_diff_forbid(&d, "the signed revision cannot be read on "
            "its own: %s", e.message);
        goto verdict;
    }
    if (eseal__pdf_diff_work(&d, pdf_reader_size(d.old)) < 0)
        goto verdict;
    if (eseal__pdf_diff_find_revisions(&d) == 0) {
        eseal__pdf_diff_check_tail(&d);
        if (d.n_later == 0 && !d.forbidden && !d.fatal) {
            *out = ESEAL_MODS_NONE; /* only whitespace follows */
            rc = 0;
            goto cleanup;
        }
    }
    d.n = pdf_reader_size(d.cur);
    if (pdf_reader_size(d.old) > d.n)
        d.n = pdf_reader_size(d.old);
    if (d.fatal || eseal__pdf_diff_work(&d, d.n) < 0)
        goto verdict;
    if ((d.st = calloc((size_t)d.n + 1, 1)) == NULL) {
        rc = eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
        goto cleanup;
    }
    eseal__pdf_diff_compare(&d);
    eseal__pdf_diff_check_refs(&d);
verdict:
    if (d.fatal) {
        rc = d.fatal;
        goto cleanup;
    }
    if (d.n_reasons_total > DIFF_MAX_REASONS && reasons != NULL) {
        char msg[96];

        snprintf(msg, sizeof(msg), "... and %zu more changes after the seal",
            d.n_reasons_total - DIFF_MAX_REASONS);
        if ((rc = eseal__strlist_add(reasons, n_reasons, msg)) < 0) {
            eseal__error_set(err, rc, "out of memory");
            goto cleanup;
        }
    }
    *out = d.forbidden ? ESEAL_MODS_FORBIDDEN : ESEAL_MODS_PERMITTED;
    rc = 0;
cleanup:
    free(d.st);
    pdf_reader_free(d.old);
    return rc;
}

int eseal__pdf_classify_changes(eseal_modifications *out,
    const unsigned char *data, uint64_t size, uint64_t covered_end,
    const char *name, char ***reasons, size_t *n_reasons, eseal_error *err)
{
    pdf_diff_session *s = NULL;
    int rc;

    *out = ESEAL_MODS_FORBIDDEN;
    if (data == NULL || covered_end > size)
        return eseal__error_set(err, ESEAL_EINVAL,
            "signed range ends beyond the file");
    if (covered_end == size) {
        *out = ESEAL_MODS_NONE;
        return 0;
    }
    if ((rc = eseal__pdf_diff_open(&s, NULL, data, size, name, err)) < 0)
        return rc;
    rc = eseal__pdf_diff_classify(s, out, covered_end, reasons, n_reasons,
        err);
    eseal__pdf_diff_close(s);
    return rc;
}
