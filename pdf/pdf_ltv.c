/*
 * eseal PDF adapter - raising a document's level (PAdES B-LT, B-LTA).
 *
 * B-LT: the chains of the seals and of the timestamp authorities, with
 * OCSP responses (or CRLs) for every certificate but the roots, go into
 * the /DSS in an incremental update.  A seal without a signature
 * timestamp gets its time from a document timestamp added first (EN 319
 * 142-1 lets one stand for the other).  B-LTA: a document timestamp over
 * everything, DSS included, in one more update.  Renewing an archive
 * timestamp is the same again: the DSS gains what validates the last
 * document timestamp, then a new one covers it.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/err.h>
#include "pdf_adapter.h"
#include "pdf_ltv.h"

typedef struct pdf_sig_info {
    int doc_ts;              /* a document timestamp, not a seal */
    uint64_t end;            /* where the revision it covers ends */
    X509 *signer;            /* seals: the signing certificate */
    STACK_OF(X509) *pool;    /* the certificates it carries */
    eseal_der_list tokens;   /* seals: signature timestamps; doc ts: itself */
} pdf_sig_info;

typedef struct pdf_sigs {
    pdf_sig_info *s;
    size_t n;
} pdf_sigs;

static void sigs_free(pdf_sigs *a)
{
    size_t i;

    for (i = 0; i < a->n; i++) {
        X509_free(a->s[i].signer);
        sk_X509_pop_free(a->s[i].pool, X509_free);
        eseal__der_list_free(&a->s[i].tokens);
    }
    free(a->s);
    memset(a, 0, sizeof(*a));
}

/* Every seal and document timestamp of doc, oldest first. */
static int analyse(pdf_sigs *out, const eseal_bytes *doc, const char *name,
    eseal_error *err)
{
    eseal_source src;
    eseal_verify_job vj;
    size_t i;
    int rc;

    memset(out, 0, sizeof(*out));
    memset(&vj, 0, sizeof(vj));
    eseal__source_init_buffer(&src, doc->data, doc->len, name);
    vj.in = &src;
    if ((rc = eseal__pdf_find_signatures(&vj, err)) < 0)
        return rc;
    out->s = calloc(vj.n_found + 1, sizeof(*out->s));
    if (out->s == NULL) {
        rc = eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
        goto cleanup;
    }
    for (i = 0; i < vj.n_found; i++) {
        const eseal_found_signature *f = &vj.found[i];
        pdf_sig_info *si = &out->s[out->n];

        if (f->contents.len == 0 || f->covered.count != 2)
            continue;  /* nothing to validate in a broken one */
        si->end = f->covered.span[1].off + f->covered.span[1].len;
        si->pool = sk_X509_new_null();
        if (si->pool == NULL) {
            rc = eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
            goto cleanup;
        }
        out->n++;
        if (f->kind == ESEAL_FOUND_DOC_TIMESTAMP) {
            si->doc_ts = 1;
            if (eseal__der_list_add(&si->tokens, f->contents.data,
                    f->contents.len) < 0) {
                rc = eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
                goto cleanup;
            }
            continue;
        }
        if ((rc = eseal__cms_ltv_parts(&si->signer, si->pool, &si->tokens,
                 f->contents.data, f->contents.len, err)) < 0) {
            char msg[256];

            snprintf(msg, sizeof(msg), "%s", err ? err->message : "");
            rc = eseal__error_set(err, ESEAL_EFORMAT, "signature %zu: %s",
                i + 1, msg);
            goto cleanup;
        }
    }
    rc = 0;
cleanup:
    eseal__pdf_verify_cleanup(&vj);
    for (i = 0; i < vj.n_found; i++) {
        X509_free(vj.found[i].signer_cert);
        sk_X509_pop_free(vj.found[i].certs, X509_free);
    }
    free(vj.found);
    if (rc < 0)
        sigs_free(out);
    return rc;
}

/* Is seal i timestamped: by its own token, or a later document ts? */
static int has_time(const pdf_sigs *a, size_t i)
{
    size_t k;

    if (a->s[i].tokens.n > 0)
        return 1;
    for (k = 0; k < a->n; k++)
        if (a->s[k].doc_ts && a->s[k].end > a->s[i].end)
            return 1;
    return 0;
}

/* The chain and revocation data of a token's authority. */
static int collect_tsa(eseal_vdata *vd, const eseal_bytes *token,
    const eseal_ltv_ctx *ctx, eseal_error *err)
{
    eseal_ts ts;
    eseal_rev rev;
    const char *why = NULL;
    int rc;

    if (eseal__ts_open(&ts, token->data, token->len, &why) < 0)
        return eseal__error_set(err, ESEAL_EFORMAT, "%s", why);
    if (ts.signer == NULL) {
        eseal__ts_close(&ts);
        return eseal__error_set(err, ESEAL_EFORMAT, "a timestamp does not "
            "hold its authority's certificate");
    }
    rc = eseal__ltv_collect(vd, &rev, ts.signer, ts.certs, ctx, 1, ts.time,
        "the timestamp authority", err);
    eseal__ts_close(&ts);
    return rc;
}

/* The time a seal's certificate must not have been revoked by. */
static time_t seal_time(const pdf_sig_info *si)
{
    eseal_ts ts;
    const char *why;
    time_t t = 0;

    if (si->tokens.n > 0 && eseal__ts_open(&ts, si->tokens.item[0].data,
            si->tokens.item[0].len, &why) == 0) {
        t = ts.time;
        eseal__ts_close(&ts);
    }
    return t;
}

static int pdf_extend(eseal_bytes *out, const eseal_bytes *doc,
    const char *name, const eseal_job *job, const eseal_ltv_ctx *ctx,
    eseal_error *err)
{
    eseal_bytes cur = { NULL, 0 }, new_ts = { NULL, 0 };
    eseal_vdata vd;
    eseal_rev rev;
    pdf_sigs a;
    size_t i, k, first = 0, n_seals = 0;
    int rc;

    out->data = NULL;
    out->len = 0;
    memset(&vd, 0, sizeof(vd));
    memset(&a, 0, sizeof(a));
    if (ctx->level < ESEAL_LEVEL_B_LT)
        return eseal__error_set(err, ESEAL_EINVAL, "a PDF reaches B-T by "
            "its seal's own timestamp: extend to B-LT or B-LTA");
    if ((cur.data = malloc(doc->len)) == NULL)
        return eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
    memcpy(cur.data, doc->data, doc->len);
    cur.len = doc->len;
    if ((rc = analyse(&a, &cur, name, err)) < 0)
        goto cleanup;
    for (i = 0; i < a.n; i++)
        if (!a.s[i].doc_ts)
            n_seals++;
    if (n_seals == 0) {
        rc = eseal__error_set(err, ESEAL_EREFUSED, "the document holds no "
            "seal or signature to extend");
        goto cleanup;
    }
    /* the seal being made is the newest; eseal extend: every seal */
    if (job != NULL)
        for (i = 0; i < a.n; i++)
            if (!a.s[i].doc_ts)
                first = i;
    for (i = first; i < a.n; i++) {
        if (a.s[i].doc_ts || has_time(&a, i))
            continue;
        /* a seal without a time: a document timestamp gives it one */
        if ((rc = eseal__pdf_add_doc_timestamp(&cur, name, ctx, &new_ts,
                 err)) < 0 ||
            (rc = collect_tsa(&vd, &new_ts, ctx, err)) < 0)
            goto cleanup;
        break;
    }
    for (i = first; i < a.n; i++) {
        pdf_sig_info *si = &a.s[i];

        if (!si->doc_ts && (rc = eseal__ltv_collect(&vd, &rev, si->signer,
                 si->pool, ctx, 1, job != NULL ? 0 : seal_time(si),
                 job != NULL ? "the seal" : "a seal of the document",
                 err)) < 0) {
            /* a document whose seal is revoked: the document is refused */
            if (rc == ESEAL_ECERT && job == NULL) {
                rc = ESEAL_EREFUSED;
                if (err != NULL)
                    err->code = rc;
            }
            goto cleanup;
        }
        /* the seal's timestamps, and every document timestamp: the
         * newest one is what a renewal must keep verifiable */
        for (k = 0; k < si->tokens.n; k++)
            if ((rc = collect_tsa(&vd, &si->tokens.item[k], ctx, err)) < 0)
                goto cleanup;
    }
    if ((rc = eseal__pdf_add_dss(&cur, name, &vd, err)) < 0)
        goto cleanup;
    if (ctx->level >= ESEAL_LEVEL_B_LTA &&
        (rc = eseal__pdf_add_doc_timestamp(&cur, name, ctx, NULL, err)) < 0)
        goto cleanup;
    *out = cur;
    cur.data = NULL;
    rc = 0;
cleanup:
    ERR_clear_error();
    eseal_bytes_free(&cur);
    eseal_bytes_free(&new_ts);
    eseal__vdata_free(&vd);
    sigs_free(&a);
    return rc;
}

const eseal_ltv_adapter eseal__pdf_ltv = {
    .format = ESEAL_FORMAT_PDF,
    .extend = pdf_extend,
    .read_dss = eseal__pdf_read_dss,
};
