/*
 * eseal PDF adapter - document timestamps (PAdES B-LTA): an incremental
 * update with a signature field whose value is a /DocTimeStamp dictionary
 * (/SubFilter /ETSI.RFC3161) and whose /Contents holds an RFC 3161 token
 * over the bytes its /ByteRange covers.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "pdf_adapter.h"
#include "pdf_ltv.h"

#define DOC_TS_ROOM 7168     /* bytes kept for the token at first */
#define DOC_TS_SLACK 2048

static void job_clear(eseal_job *job)
{
    if (eseal__pdf_adapter.cleanup != NULL)
        eseal__pdf_adapter.cleanup(job);
    eseal_bytes_free(&job->tail);
    memset(&job->output, 0, sizeof(job->output));
}

int eseal__pdf_add_doc_timestamp(eseal_bytes *doc, const char *name,
    const eseal_ltv_ctx *ctx, eseal_bytes *token, eseal_error *err)
{
    static const eseal_seal_opts defaults = ESEAL_SEAL_OPTS_INIT;
    eseal_seal_opts opts = defaults;
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;
    eseal_bytes tok = { NULL, 0 }, out = { NULL, 0 };
    eseal_source src;
    eseal_ranges tbs;
    eseal_job job;
    size_t pos = 0, i;
    int attempt, rc;

    if (token != NULL) {
        token->data = NULL;
        token->len = 0;
    }
    memset(&job, 0, sizeof(job));
    eseal__source_init_buffer(&src, doc->data, doc->len, name);
    job.in = &src;
    job.opts = &opts;
    job.signing_time = ctx->now ? ctx->now : time(NULL);
    job.max_signature_len = DOC_TS_ROOM;
    job.state = calloc(1, eseal__pdf_adapter.state_size);
    if (job.state == NULL)
        return eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
    for (attempt = 0; attempt < 2; attempt++) {
        memset(&tbs, 0, sizeof(tbs));
        if ((rc = eseal__pdf_prepare_doc_timestamp(&job, &tbs, err)) < 0 ||
            (rc = eseal__digest_spans(md, &md_len, ctx->md_name, &src,
                 &job.tail, &tbs, err)) < 0 ||
            (rc = eseal__tsa_stamp(&tok, ctx->tsa_urls, &ctx->net,
                 ctx->md_name, md, md_len, err)) < 0)
            goto cleanup;
        if (tok.len <= job.max_signature_len)
            break;
        job.max_signature_len = tok.len + DOC_TS_SLACK;
        eseal_bytes_free(&tok);
        job_clear(&job);
    }
    if (tok.data == NULL) {
        rc = eseal__error_set(err, ESEAL_ETSA, "the document timestamp "
            "does not fit its room");
        goto cleanup;
    }
    if ((rc = eseal__pdf_adapter.embed(&job, &tok, err)) < 0)
        goto cleanup;
    for (i = 0; i < job.output.count; i++)
        out.len += (size_t)job.output.span[i].len;
    if ((out.data = malloc(out.len)) == NULL) {
        rc = eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
        goto cleanup;
    }
    for (i = 0; i < job.output.count; i++) {
        const eseal_span *s = &job.output.span[i];

        memcpy(out.data + pos, (s->origin == ESEAL_SPAN_TAIL ?
            job.tail.data : doc->data) + s->off, (size_t)s->len);
        pos += (size_t)s->len;
    }
    eseal_bytes_free(doc);
    *doc = out;
    if (token != NULL) {
        *token = tok;
        tok.data = NULL;
    }
    rc = 0;
cleanup:
    eseal_bytes_free(&tok);
    job_clear(&job);
    free(job.state);
    return rc;
}
