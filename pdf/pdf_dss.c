/*
 * eseal PDF adapter - the document security store (PAdES B-LT): an
 * incremental update that adds certificates, OCSP responses and CRLs to
 * the catalog's /DSS, and reading them back for verification.
 *
 * The DSS dictionary is an indirect object with direct arrays /Certs,
 * /OCSPs and /CRLs of references to streams holding the DER objects.  An
 * existing DSS keeps its number and every entry (its arrays may only
 * grow, which is what verifiers permit after a seal); objects it holds
 * already are not written again.  No /VRI: it is optional in PAdES
 * baseline signatures.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/evp.h>
#include "pdf_ltv.h"
#include "pdf_update.h"

#define DSS_MAX_ITEMS 1000             /* per array read */
#define DSS_MAX_ITEM (32u << 20)       /* bytes of one object */
#define DSS_MAX_TOTAL (256u << 20)     /* bytes read from one DSS */

static const char *const dss_keys[3] = { "Certs", "OCSPs", "CRLs" };

static eseal_der_list *list_of(eseal_vdata *vd, int k)
{
    return k == 0 ? &vd->certs : k == 1 ? &vd->ocsps : &vd->crls;
}

static const eseal_der_list *clist_of(const eseal_vdata *vd, int k)
{
    return k == 0 ? &vd->certs : k == 1 ? &vd->ocsps : &vd->crls;
}

/*
 * Reads the streams of one DSS array into l.  Items that are not streams
 * or cannot be decoded are skipped.
 */
static int read_array(eseal_der_list *l, size_t *total, pdf_reader *r,
    pdf_obj *arr, eseal_error *err)
{
    size_t i;
    int rc;

    if (arr == NULL || arr->type != PDF_ARRAY)
        return 0;
    for (i = 0; i < arr->u.arr.len && i < DSS_MAX_ITEMS; i++) {
        pdf_obj *s = NULL;
        eseal_bytes data = { NULL, 0 };
        eseal_error ignored = { 0, "" };

        if (pdf_reader_resolve(r, arr->u.arr.items[i], &s, &ignored) < 0 ||
            s == NULL || s->type != PDF_STREAM)
            continue;
        if (pdf_reader_stream_data(r, s, &data, DSS_MAX_ITEM, &ignored) < 0)
            continue;
        *total += data.len;
        if (*total > DSS_MAX_TOTAL) {
            eseal_bytes_free(&data);
            return eseal__error_set(err, ESEAL_ELIMIT, "the /DSS holds more "
                "than %u MB", DSS_MAX_TOTAL >> 20);
        }
        rc = eseal__der_list_add(l, data.data, data.len);
        eseal_bytes_free(&data);
        if (rc < 0)
            return eseal__error_set(err, rc, rc == ESEAL_ENOMEM ?
                "out of memory" : "too many objects in the /DSS");
    }
    return 0;
}

/* The offset of the bytes that hold object num (its own, or its object
 * stream's). */
static uint64_t offset_of(pdf_reader *r, uint32_t num)
{
    pdf_xref_entry e = pdf_reader_entry(r, num);

    if (e.type == 1)
        return e.field2;
    if (e.type == 2 && e.field2 < UINT32_MAX) {
        pdf_xref_entry s = pdf_reader_entry(r, (uint32_t)e.field2);

        return s.type == 1 ? s.field2 : 0;
    }
    return 0;
}

static int open_dss(pdf_reader *r, pdf_obj **dss, uint32_t *dss_num,
    uint32_t *cat_num, pdf_obj **cat, eseal_error *err)
{
    pdf_obj *raw;
    int rc;

    *dss = NULL;
    *dss_num = 0;
    if ((rc = pdf_reader_catalog(r, cat_num, cat, err)) < 0)
        return rc;
    raw = pdf_dict_get(*cat, "DSS");
    if (raw == NULL)
        return 0;
    if (raw->type == PDF_REF) {
        if (raw->u.ref.num >= pdf_reader_size(r) ||
            pdf_reader_entry(r, raw->u.ref.num).type == 0)
            return 0;
        *dss_num = raw->u.ref.num;
    }
    if ((rc = pdf_reader_resolve(r, raw, dss, err)) < 0)
        return rc;
    if (*dss != NULL && (*dss)->type != PDF_DICT) {
        *dss = NULL;
        *dss_num = 0;
    }
    return 0;
}

int eseal__pdf_read_dss(eseal_vdata *vd, uint64_t *dss_off,
    const eseal_source *src, eseal_error *err)
{
    pdf_reader *r = NULL;
    pdf_obj *dss = NULL, *cat = NULL, *arr;
    uint32_t dss_num = 0, cat_num = 0;
    size_t total = 0;
    int k, rc;

    *dss_off = 0;
    if ((rc = pdf_reader_open(&r, src->data, src->size,
             src->name ? src->name : "document", err)) < 0)
        return rc;
    if ((rc = open_dss(r, &dss, &dss_num, &cat_num, &cat, err)) < 0 ||
        dss == NULL)
        goto cleanup;
    *dss_off = offset_of(r, dss_num != 0 ? dss_num : cat_num);
    for (k = 0; k < 3; k++) {
        arr = NULL;
        if (pdf_reader_dict_get(r, dss, dss_keys[k], &arr, err) < 0) {
            rc = 0;   /* a broken entry holds nothing */
            continue;
        }
        if ((rc = read_array(list_of(vd, k), &total, r, arr, err)) < 0)
            goto cleanup;
    }
    rc = 0;
cleanup:
    pdf_reader_free(r);
    return rc;
}

/* ---- writing ------------------------------------------------------------- */

typedef struct dss_writer {
    pdf_reader *r;
    pdf_arena *a;
    pdf_update u;
    eseal_buf *bodies;      /* raw stream objects, alive until render */
    size_t n_bodies;
} dss_writer;

static int stream_body(dss_writer *w, uint32_t *num, const eseal_bytes *der,
    eseal_error *err)
{
    eseal_buf *b;
    int rc;

    if ((rc = eseal__pdf_update_new_num(&w->u, num, err)) < 0)
        return rc;
    b = &w->bodies[w->n_bodies++];
    eseal__buf_printf(b, "<</Length %zu>>\nstream\n", der->len);
    eseal__buf_append(b, der->data, der->len);
    eseal__buf_puts(b, "\nendstream");
    if (b->failed)
        return eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
    return eseal__pdf_update_add_raw(&w->u, *num, 0, b->data, b->len, NULL,
        err);
}

static int make_id2(unsigned char id2[16], const eseal_bytes *doc,
    eseal_error *err)
{
    unsigned char md[EVP_MAX_MD_SIZE], head[24];
    unsigned int len = 0;
    uint64_t size = doc->len;
    int64_t t = (int64_t)time(NULL);
    size_t n = doc->len < 1024 ? doc->len : 1024;
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    int ok;

    memcpy(head, &size, 8);
    memcpy(head + 8, &t, 8);
    memcpy(head + 16, "eSealDSS", 8);
    ok = c != NULL && EVP_DigestInit_ex(c, EVP_sha256(), NULL) &&
        EVP_DigestUpdate(c, head, sizeof(head)) &&
        EVP_DigestUpdate(c, doc->data + doc->len - n, n) &&
        EVP_DigestFinal_ex(c, md, &len);
    EVP_MD_CTX_free(c);
    if (!ok)
        return eseal__error_ossl(err, ESEAL_ECRYPTO, "SHA-256");
    memcpy(id2, md, 16);
    return 0;
}

int eseal__pdf_add_dss(eseal_bytes *doc, const char *name,
    const eseal_vdata *vd, eseal_error *err)
{
    dss_writer w;
    eseal_vdata have;
    eseal_buf tail = { 0 };
    pdf_obj *dss = NULL, *cat = NULL, *ndss, *arr, *old, *v;
    uint32_t dss_num = 0, cat_num = 0, num;
    unsigned char id2[16];
    unsigned char *grown;
    size_t total = 0, i, n_new = 0, k;
    int rc;

    memset(&w, 0, sizeof(w));
    memset(&have, 0, sizeof(have));
    if ((rc = pdf_reader_open(&w.r, doc->data, doc->len, name, err)) < 0)
        return rc;
    w.a = pdf_reader_arena(w.r);
    eseal__pdf_update_init(&w.u, w.r);
    if ((rc = open_dss(w.r, &dss, &dss_num, &cat_num, &cat, err)) < 0)
        goto cleanup;
    for (k = 0; k < 3; k++)
        n_new += clist_of(vd, (int)k)->n;
    w.bodies = calloc(n_new + 1, sizeof(*w.bodies));
    ndss = dss != NULL ? pdf_obj_copy(w.a, dss) : pdf_new_dict(w.a);
    if (w.bodies == NULL || ndss == NULL) {
        rc = eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
        goto cleanup;
    }
    if (n_new > PDF_UPDATE_MAX_OBJECTS - 8) {
        rc = eseal__error_set(err, ESEAL_ELIMIT, "too much validation "
            "data for one update (%zu objects)", n_new);
        goto cleanup;
    }
    for (k = 0; k < 3; k++) {
        const eseal_der_list *want = clist_of(vd, (int)k);

        old = NULL;
        if (dss != NULL && pdf_reader_dict_get(w.r, dss, dss_keys[k], &old,
                err) < 0)
            old = NULL;
        if (dss != NULL &&
            (rc = read_array(list_of(&have, (int)k), &total, w.r, old,
                 err)) < 0)
            goto cleanup;
        arr = old != NULL && old->type == PDF_ARRAY ?
            pdf_obj_copy(w.a, old) : pdf_new_array(w.a);
        if (arr == NULL) {
            rc = eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
            goto cleanup;
        }
        for (i = 0; i < want->n; i++) {
            if (eseal__der_list_has(list_of(&have, (int)k),
                    want->item[i].data, want->item[i].len))
                continue;
            if ((rc = stream_body(&w, &num, &want->item[i], err)) < 0)
                goto cleanup;
            if ((v = pdf_new_ref(w.a, num, 0)) == NULL ||
                pdf_array_push(w.a, arr, v) < 0) {
                rc = eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
                goto cleanup;
            }
        }
        if (arr->u.arr.len > 0 && pdf_dict_put(w.a, ndss, dss_keys[k],
                arr) < 0) {
            rc = eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
            goto cleanup;
        }
    }
    if (w.n_bodies == 0) {
        rc = 0;        /* the DSS holds everything already */
        goto cleanup;
    }
    if (dss_num != 0) {
        rc = eseal__pdf_update_add(&w.u, dss_num,
            eseal__pdf_update_gen_of(&w.u, dss_num), ndss, NULL, err);
    } else {
        pdf_obj *ncat = pdf_obj_copy(w.a, cat);

        if ((rc = eseal__pdf_update_new_num(&w.u, &dss_num, err)) < 0)
            goto cleanup;
        if (ncat == NULL || (v = pdf_new_ref(w.a, dss_num, 0)) == NULL ||
            pdf_dict_put(w.a, ncat, "DSS", v) < 0) {
            rc = eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
            goto cleanup;
        }
        if ((rc = eseal__pdf_update_add(&w.u, dss_num, 0, ndss, NULL,
                 err)) < 0 ||
            (rc = eseal__pdf_update_add(&w.u, cat_num,
                 eseal__pdf_update_gen_of(&w.u, cat_num), ncat, NULL,
                 err)) < 0)
            goto cleanup;
    }
    if (rc < 0 || (rc = make_id2(id2, doc, err)) < 0 ||
        (rc = eseal__pdf_update_render(&w.u, &tail, doc->data, doc->len,
             id2, err)) < 0)
        goto cleanup;
    grown = realloc(doc->data, doc->len + tail.len);
    if (grown == NULL) {
        rc = eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
        goto cleanup;
    }
    memcpy(grown + doc->len, tail.data, tail.len);
    doc->data = grown;
    doc->len += tail.len;
    rc = 0;
cleanup:
    for (i = 0; w.bodies != NULL && i < w.n_bodies; i++)
        eseal__buf_free(&w.bodies[i]);
    free(w.bodies);
    eseal__buf_free(&tail);
    eseal__vdata_free(&have);
    eseal__pdf_update_free(&w.u);
    pdf_reader_free(w.r);
    return rc;
}
