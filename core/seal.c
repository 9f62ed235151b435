/* eseal - the sealing flow: detect, prepare, digest, sign, embed, write. */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include "ltv.h"

/* Room kept in a CMS placeholder for the signature timestamp token; a
 * token that does not fit makes the seal start over with the room it
 * needs (docs/levels.md). */
#define TS_MARGIN 7168
#define TS_SLACK 2048

typedef struct seal_run {
    const eseal_adapter *adapter;
    eseal_job job;
    int self_checked;   /* the self-check ran before the level was raised */
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
    if (eseal_level_name(opts->level) == NULL)
        return eseal__error_set(err, ESEAL_EINVAL, "unknown level");
    if (opts->level >= ESEAL_LEVEL_B_T &&
        (opts->tsa_urls == NULL || opts->tsa_urls[0] == NULL))
        return eseal__error_set(err, ESEAL_EINVAL, "level %s needs a "
            "timestamp authority: give --tsa URL (or tsa in the profile)",
            eseal_level_name(opts->level));
    return 0;
}

static void net_of(eseal_net *net, const eseal_seal_opts *opts)
{
    memset(net, 0, sizeof(*net));
    net->timeout = opts->net_timeout;
    net->auth_file = opts->tsa_auth_file;
}

/*
 * Adds the signature timestamp (id-aa-signatureTimeStampToken, over the
 * SignerInfo's signature value) to a DER CMS, in place.
 */
static int add_signature_timestamp(eseal_bytes *cms_der,
    const eseal_sealer *sealer, const eseal_seal_opts *opts,
    eseal_error *err)
{
    const unsigned char *p = cms_der->data;
    CMS_ContentInfo *cms = d2i_CMS_ContentInfo(NULL, &p,
        (long)cms_der->len);
    CMS_SignerInfo *si;
    ASN1_OCTET_STRING *value;
    eseal_bytes token = { NULL, 0 };
    eseal_net net;
    unsigned char *der = NULL;
    int len, rc;

    net_of(&net, opts);
    if (cms == NULL || sk_CMS_SignerInfo_num(CMS_get0_SignerInfos(cms)) != 1) {
        rc = eseal__error_ossl(err, ESEAL_ECRYPTO, "cannot read back the "
            "CMS");
        goto cleanup;
    }
    si = sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(cms), 0);
    value = CMS_SignerInfo_get0_signature(si);
    if ((rc = eseal__tsa_stamp_data(&token, opts->tsa_urls, &net,
             sealer->md_name, ASN1_STRING_get0_data(value),
             (size_t)ASN1_STRING_length(value), err)) < 0)
        goto cleanup;
    if (!CMS_unsigned_add1_attr_by_NID(si, NID_id_smime_aa_timeStampToken,
            V_ASN1_SEQUENCE, token.data, (int)token.len) ||
        (len = i2d_CMS_ContentInfo(cms, &der)) <= 0) {
        rc = eseal__error_ossl(err, ESEAL_ECRYPTO, "cannot add the "
            "timestamp to the CMS");
        goto cleanup;
    }
    eseal_bytes_free(cms_der);
    cms_der->data = malloc((size_t)len);
    if (cms_der->data == NULL) {
        rc = eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
        goto cleanup;
    }
    memcpy(cms_der->data, der, (size_t)len);
    cms_der->len = (size_t)len;
    rc = 0;
cleanup:
    ERR_clear_error();
    OPENSSL_free(der);
    eseal_bytes_free(&token);
    CMS_ContentInfo_free(cms);
    return rc;
}

/* Throws away what prepare made, to prepare again. */
static void job_reset(seal_run *run)
{
    if (run->adapter->cleanup != NULL)
        run->adapter->cleanup(&run->job);
    eseal_bytes_free(&run->job.tail);
    eseal_bytes_free(&run->job.to_sign);
    memset(&run->job.output, 0, sizeof(run->job.output));
    if (run->job.state != NULL)
        memset(run->job.state, 0, run->adapter->state_size);
}

/* prepare, digest, CMS, signature timestamp: *sig fits the placeholder. */
static int sign_cms(eseal_bytes *sig, seal_run *run, eseal_sealer *sealer,
    const eseal_source *src, const eseal_seal_opts *opts, eseal_error *err)
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int digest_len = 0;
    eseal_ranges tbs;
    int attempt, rc;

    for (attempt = 0; attempt < 2; attempt++) {
        memset(&tbs, 0, sizeof(tbs));
        if (attempt > 0)
            job_reset(run);
        if ((rc = run->adapter->prepare(&run->job, &tbs, err)) < 0)
            return rc;
        if ((rc = eseal__digest_spans(digest, &digest_len, sealer->md_name,
                 src, &run->job.tail, &tbs, err)) < 0 ||
            (rc = eseal__cms_sign_digest(sig, sealer, digest, digest_len,
                 err)) < 0)
            return rc;
        if (opts->level < ESEAL_LEVEL_B_T)
            return 0;
        if ((rc = add_signature_timestamp(sig, sealer, opts, err)) < 0) {
            eseal_bytes_free(sig);
            return rc;
        }
        if (sig->len <= run->job.max_signature_len)
            return 0;
        /* the token is larger than the room kept: once more, with room */
        run->job.max_signature_len = sig->len + TS_SLACK;
        eseal_bytes_free(sig);
    }
    return eseal__error_set(err, ESEAL_ETSA, "the timestamp token does not "
        "fit the signature's room");
}

/*
 * B-LT and B-LTA (and B-T for adapters that sign raw bytes): the format's
 * part raises the sealed document's level; the output becomes the whole
 * new document, held in the tail.
 */
static int raise_level(seal_run *run, const eseal_source *src,
    const eseal_seal_opts *opts, eseal_error *err)
{
    const eseal_ltv_adapter *ltv = eseal__ltv_adapter(
        run->adapter->format);
    eseal_bytes doc = { NULL, 0 }, out = { NULL, 0 };
    eseal_ltv_ctx ctx;
    size_t total = 0, pos = 0, i;
    int rc;

    if (ltv == NULL)
        return eseal__error_set(err, ESEAL_EUNSUPPORTED, "level %s is not "
            "supported for %s documents", eseal_level_name(opts->level),
            run->adapter->name);
    for (i = 0; i < run->job.output.count; i++)
        total += (size_t)run->job.output.span[i].len;
    doc.data = malloc(total ? total : 1);
    if (doc.data == NULL)
        return eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
    for (i = 0; i < run->job.output.count; i++) {
        const eseal_span *s = &run->job.output.span[i];
        const unsigned char *from = s->origin == ESEAL_SPAN_TAIL ?
            run->job.tail.data : src->data;

        memcpy(doc.data + pos, from + s->off, (size_t)s->len);
        pos += (size_t)s->len;
    }
    doc.len = total;
    /* the independent reader checks the seal itself: what follows it
     * (DSS, document timestamps) is beyond what it validates */
    if (opts->self_check && run->adapter->self_check != NULL) {
        eseal_source sealed;

        eseal__source_init_buffer(&sealed, doc.data, doc.len,
            src->name ? src->name : "sealed output");
        if ((rc = run->adapter->self_check(&sealed, err)) < 0) {
            eseal_bytes_free(&doc);
            return rc;
        }
        run->self_checked = 1;
    }
    memset(&ctx, 0, sizeof(ctx));
    ctx.level = opts->level;
    ctx.tsa_urls = opts->tsa_urls;
    net_of(&ctx.net, opts);
    ctx.md_name = run->job.sealer->md_name;
    ctx.hints = run->job.sealer->chain;
    ctx.now = time(NULL);
    rc = ltv->extend(&out, &doc, src->name ? src->name : "document",
        &run->job, &ctx, err);
    eseal_bytes_free(&doc);
    if (rc < 0)
        return rc;
    eseal_bytes_free(&run->job.tail);
    run->job.tail = out;
    memset(&run->job.output, 0, sizeof(run->job.output));
    return eseal__ranges_add(&run->job.output, ESEAL_SPAN_TAIL, 0, out.len)
        < 0 ? eseal__error_set(err, ESEAL_ELIMIT, "too many spans") : 0;
}

/* Everything up to a complete tail holding the signature. */
static int seal_source(seal_run *run, eseal_sealer *sealer,
    const eseal_source *src, const eseal_seal_opts *opts, eseal_error *err)
{
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
    if (run->adapter->caps & ESEAL_CAP_RAW_SIG) {
        if ((rc = run->adapter->prepare(&run->job, &tbs, err)) < 0)
            return rc;
        if ((rc = eseal__sign_bytes(&sig, sealer, run->job.to_sign.data,
                 run->job.to_sign.len, err)) < 0)
            return rc;
        rc = run->adapter->embed(&run->job, &sig, err);
        eseal_bytes_free(&sig);
        if (rc == 0 && opts->level >= ESEAL_LEVEL_B_T)
            rc = raise_level(run, src, opts, err);
        return rc;
    }
    if (opts->level >= ESEAL_LEVEL_B_T)
        run->job.max_signature_len += TS_MARGIN;
    if ((rc = sign_cms(&sig, run, sealer, src, opts, err)) < 0)
        return rc;
    rc = run->adapter->embed(&run->job, &sig, err);
    eseal_bytes_free(&sig);
    if (rc == 0 && opts->level >= ESEAL_LEVEL_B_LT)
        rc = raise_level(run, src, opts, err);
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
    if (opts->self_check && run.adapter->self_check != NULL &&
        !run.self_checked) {
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
        opts->self_check && run.adapter->self_check && !run.self_checked ?
            self_check_output
                                                     : NULL,
        (void *)run.adapter, err);
cleanup:
    seal_run_cleanup(&run);
    eseal__source_close(&src);
    return rc;
}
