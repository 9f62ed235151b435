/* eseal - the sealing flow: detect, prepare, digest, sign, embed, write. */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "core_int.h"

typedef struct seal_run {
    const eseal_adapter *adapter;
    eseal_job job;
} seal_run;

static void seal_run_cleanup(seal_run *run)
{
    if (run->adapter != NULL && run->adapter->cleanup != NULL)
        run->adapter->cleanup(&run->job);
    eseal_bytes_free(&run->job.tail);
    eseal_bytes_free(&run->job.to_sign);
    free(run->job.state);
    memset(run, 0, sizeof(*run));
}

static int check_opts(const eseal_seal_opts *opts, eseal_error *err)
{
    if (opts->version != ESEAL_SEAL_OPTS_VERSION)
        return eseal__error_set(err, ESEAL_EINVAL,
            "unknown eseal_seal_opts version");
    if (opts->level != ESEAL_LEVEL_B_B)
        return eseal__error_set(err, ESEAL_EUNSUPPORTED,
            "level %s is not supported yet (only B-B)",
            eseal_level_name(opts->level) ? eseal_level_name(opts->level)
                                          : "?");
    return 0;
}

/* Everything up to a complete tail holding the signature. */
static int seal_source(seal_run *run, eseal_sealer *sealer,
    const eseal_source *src, const eseal_seal_opts *opts, eseal_error *err)
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int digest_len = 0;
    eseal_bytes sig = { NULL, 0 };
    eseal_ranges tbs;
    size_t head = src->size < 1024 ? (size_t)src->size : 1024;
    int rc;

    memset(run, 0, sizeof(*run));
    memset(&tbs, 0, sizeof(tbs));
    if ((rc = check_opts(opts, err)) < 0)
        return rc;
    run->adapter = eseal__adapter_find(opts->format, src->data, head);
    if (run->adapter == NULL || run->adapter->detect(src->data, head) == 0) {
        const char *want = eseal_format_name(opts->format);

        run->adapter = NULL;
        return eseal__error_set(err, ESEAL_EFORMAT, want != NULL ?
            "not a %s document" : "unknown document format%s",
            want != NULL ? want : " (eseal seals PDF and XML documents)");
    }
    run->job.in = src;
    run->job.opts = opts;
    run->job.signing_time = opts->signing_time ? opts->signing_time
                                               : time(NULL);
    run->job.sealer = sealer;
    run->job.max_signature_len = sealer->cms_max_len;
    if (run->adapter->caps & ESEAL_CAP_RAW_SIG)
        run->job.max_signature_len = (size_t)EVP_PKEY_get_size(sealer->key);
    if (run->adapter->state_size > 0) {
        run->job.state = calloc(1, run->adapter->state_size);
        if (run->job.state == NULL)
            return eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
    }
    if ((rc = run->adapter->prepare(&run->job, &tbs, err)) < 0)
        return rc;
    if (run->adapter->caps & ESEAL_CAP_RAW_SIG) {
        if ((rc = eseal__sign_bytes(&sig, sealer, run->job.to_sign.data,
                 run->job.to_sign.len, err)) < 0)
            return rc;
        rc = run->adapter->embed(&run->job, &sig, err);
        eseal_bytes_free(&sig);
        return rc;
    }
    if ((rc = eseal__digest_spans(digest, &digest_len, sealer->md_name, src,
             &run->job.tail, &tbs, err)) < 0)
        return rc;
    if ((rc = eseal__cms_sign_digest(&sig, sealer, digest, digest_len,
             err)) < 0)
        return rc;
    rc = run->adapter->embed(&run->job, &sig, err);
    eseal_bytes_free(&sig);
    return rc;
}

int eseal_seal_buffer(eseal_bytes *out, eseal_sealer *sealer,
    const unsigned char *in, size_t len, const eseal_seal_opts *opts,
    eseal_error *err)
{
    eseal_source src;
    seal_run run;
    unsigned char *buf = NULL;
    size_t total = 0, pos = 0, i;
    int rc;

    if (out == NULL || sealer == NULL || in == NULL || opts == NULL)
        return eseal__error_set(err, ESEAL_EINVAL, "invalid argument");
    out->data = NULL;
    out->len = 0;
    if (len == 0)
        return eseal__error_set(err, ESEAL_EFORMAT, "the document is empty");
    eseal__source_init_buffer(&src, in, len, "buffer");
    if ((rc = seal_source(&run, sealer, &src, opts, err)) < 0)
        goto cleanup;
    for (i = 0; i < run.job.output.count; i++)
        total += (size_t)run.job.output.span[i].len;
    buf = malloc(total ? total : 1);
    if (buf == NULL) {
        rc = eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
        goto cleanup;
    }
    for (i = 0; i < run.job.output.count; i++) {
        const eseal_span *s = &run.job.output.span[i];
        const unsigned char *from = s->origin == ESEAL_SPAN_TAIL ?
            run.job.tail.data : in;

        memcpy(buf + pos, from + s->off, (size_t)s->len);
        pos += (size_t)s->len;
    }
    if (opts->self_check && run.adapter->self_check != NULL) {
        eseal_source sealed;

        eseal__source_init_buffer(&sealed, buf, total, "sealed output");
        if ((rc = run.adapter->self_check(&sealed, err)) < 0)
            goto cleanup;
    }
    out->data = buf;
    out->len = total;
    buf = NULL;
cleanup:
    free(buf);
    seal_run_cleanup(&run);
    return rc;
}

static int self_check_output(const eseal_source *written, void *payload,
    eseal_error *err)
{
    const eseal_adapter *adapter = payload;

    return adapter->self_check(written, err);
}

int eseal_seal_file(eseal_sealer *sealer, const char *in_path,
    const char *out_path, const eseal_seal_opts *opts, eseal_error *err)
{
    eseal_source src;
    seal_run run;
    int rc;

    if (sealer == NULL || in_path == NULL || out_path == NULL || opts == NULL)
        return eseal__error_set(err, ESEAL_EINVAL, "invalid argument");
    memset(&run, 0, sizeof(run));
    if ((rc = eseal__source_open_file(&src, in_path, err)) < 0)
        return rc;
    if ((rc = seal_source(&run, sealer, &src, opts, err)) < 0)
        goto cleanup;
    rc = eseal__write_spans_atomic(out_path, &src, &run.job.tail,
        &run.job.output,
        opts->self_check && run.adapter->self_check ? self_check_output
                                                     : NULL,
        (void *)run.adapter, err);
cleanup:
    seal_run_cleanup(&run);
    eseal__source_close(&src);
    return rc;
}
