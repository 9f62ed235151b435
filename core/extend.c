/* eseal - raising the level of sealed documents (eseal extend). */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "ltv.h"

static const char *md_of(eseal_digest d)
{
    switch (d) {
    case ESEAL_DIGEST_SHA384:
        return "SHA384";
    case ESEAL_DIGEST_SHA512:
        return "SHA512";
    default:
        return "SHA256";
    }
}

/* Extending a seal that does not hold is pointless: refuse it. */
static int precheck(const unsigned char *in, size_t len, const char *name,
    eseal_error *err)
{
    eseal_verify_opts vo = ESEAL_VERIFY_OPTS_INIT;
    eseal_report *r = NULL;
    size_t i, n;
    int rc;

    vo.offline = 1;
    if ((rc = eseal_verify_buffer(&r, in, len, name, &vo, err)) < 0)
        return rc;
    n = eseal_report_signature_count(r);
    rc = 0;
    if (n == 0)
        rc = eseal__error_set(err, ESEAL_EREFUSED, "the document holds no "
            "seal or signature to extend");
    for (i = 0; i < n && rc == 0; i++) {
        const eseal_signature_report *s = eseal_report_signature(r, i);

        if (!s->integrity)
            rc = eseal__error_set(err, ESEAL_EREFUSED, "seal %zu does not "
                "verify (%.120s): extending it cannot make it valid", i + 1,
                s->n_errors > 0 ? s->errors[0] : "broken");
        else if (s->modifications_after == ESEAL_MODS_FORBIDDEN)
            rc = eseal__error_set(err, ESEAL_EREFUSED, "the document was "
                "changed after seal %zu in a way that is not permitted",
                i + 1);
        else if (s->certification && s->docmdp_permissions == 1)
            rc = eseal__error_set(err, ESEAL_EREFUSED, "seal %zu certifies "
                "the document with no changes allowed (DocMDP P=1): added "
                "validation data would break it", i + 1);
    }
    eseal_report_free(r);
    return rc;
}

int eseal_extend_buffer(eseal_bytes *out, const unsigned char *in,
    size_t len, const char *name, const eseal_extend_opts *opts,
    eseal_error *err)
{
    const eseal_adapter *adapter;
    const eseal_ltv_adapter *ltv;
    eseal_ltv_ctx ctx;
    eseal_bytes doc;
    size_t head = len < 1024 ? len : 1024;
    int rc;

    if (out == NULL || in == NULL || opts == NULL)
        return eseal__error_set(err, ESEAL_EINVAL, "invalid argument");
    out->data = NULL;
    out->len = 0;
    if (name == NULL)
        name = "buffer";
    if (opts->version != ESEAL_EXTEND_OPTS_VERSION)
        return eseal__error_set(err, ESEAL_EINVAL, "unknown "
            "eseal_extend_opts version");
    if (opts->level < ESEAL_LEVEL_B_T || opts->level > ESEAL_LEVEL_B_LTA)
        return eseal__error_set(err, ESEAL_EINVAL, "extend to B-LT or "
            "B-LTA");
    if (opts->level >= ESEAL_LEVEL_B_LTA &&
        (opts->tsa_urls == NULL || opts->tsa_urls[0] == NULL))
        return eseal__error_set(err, ESEAL_EINVAL, "B-LTA needs a "
            "timestamp authority: give --tsa URL");
    if (len == 0)
        return eseal__error_set(err, ESEAL_EFORMAT, "the document is empty");
    adapter = eseal__adapter_find(ESEAL_FORMAT_AUTO, in, head);
    if (adapter == NULL || adapter->detect(in, head) == 0 ||
        (ltv = eseal__ltv_adapter(adapter->format)) == NULL)
        return eseal__error_set(err, ESEAL_EFORMAT, "unknown document "
            "format (eseal extends PDF and XML documents)");
    if ((rc = precheck(in, len, name, err)) < 0)
        return rc;
    memset(&ctx, 0, sizeof(ctx));
    ctx.level = opts->level;
    ctx.tsa_urls = opts->tsa_urls;
    ctx.net.timeout = opts->net_timeout;
    ctx.net.auth_file = opts->tsa_auth_file;
    ctx.md_name = md_of(opts->digest);
    ctx.now = time(NULL);
    doc.data = (unsigned char *)in;
    doc.len = len;
    return ltv->extend(out, &doc, name, NULL, &ctx, err);
}

int eseal_extend_file(const char *in_path, const char *out_path,
    const eseal_extend_opts *opts, eseal_error *err)
{
    eseal_source src;
    eseal_bytes out = { NULL, 0 };
    int rc;

    if (in_path == NULL || out_path == NULL)
        return eseal__error_set(err, ESEAL_EINVAL, "invalid argument");
    if ((rc = eseal__source_open_file(&src, in_path, err)) < 0)
        return rc;
    rc = eseal_extend_buffer(&out, src.data, (size_t)src.size, in_path,
        opts, err);
    eseal__source_close(&src);
    if (rc == 0)
        rc = eseal_file_write_atomic(out_path, out.data, out.len, err);
    eseal_bytes_free(&out);
    return rc;
}
