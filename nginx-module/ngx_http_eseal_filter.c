
/*
 * ngx_http_eseal_module: the header and body filters.
 *
 * A 200 response of the main request whose type is in eseal_types is held:
 * the header filter keeps the headers back, the body filter collects the
 * body in memory (up to eseal_max_size), then the seal runs in a thread
 * pool.  When it is done, the headers go out with the sealed length and
 * the sealed body follows.  Any failure answers 5xx before a header has
 * left, so an unsealed document is never sent.
 */


#include "ngx_http_eseal_module.h"


#define NGX_HTTP_ESEAL_BUFFERED  0x08

#define NGX_HTTP_ESEAL_READ      0
#define NGX_HTTP_ESEAL_SEAL      1
#define NGX_HTTP_ESEAL_DONE      2
#define NGX_HTTP_ESEAL_FAIL      3
#define NGX_HTTP_ESEAL_PASS      4

#define NGX_HTTP_ESEAL_MIN_BUFFER  (64 * 1024)


typedef struct {
    ngx_uint_t                   phase;
    ngx_uint_t                   status;      /* to answer on failure */

    u_char                      *body;
    size_t                       len;
    size_t                       size;
    off_t                        expected;    /* Content-Length, or -1 */

    /* read by the thread, then written by it; nginx looks after the task */

    eseal_sealer                *sealer;
    eseal_audit                 *audit;
    eseal_seal_opts              opts;
    const char                  *input;       /* for the audit line */
    const char                  *output;
    const char                  *profile;
    eseal_audit_field            fields[2];   /* uri, upstream */
    size_t                       n_fields;

    int                          rc;
    eseal_error                  err;
    eseal_bytes                  out;

    /* the library's first warning of this seal, logged on the loop */
    char                         warning[400];
    ngx_uint_t                   n_warnings;
} ngx_http_eseal_ctx_t;


/* the seal a pool thread is running, for the sealer's log callback */
static __thread ngx_http_eseal_ctx_t  *ngx_http_eseal_sealing;


static ngx_int_t ngx_http_eseal_header_filter(ngx_http_request_t *r);
static ngx_int_t ngx_http_eseal_body_filter(ngx_http_request_t *r,
    ngx_chain_t *in);
static ngx_int_t ngx_http_eseal_collect(ngx_http_request_t *r,
    ngx_http_eseal_ctx_t *ctx, ngx_http_eseal_loc_conf_t *conf,
    ngx_chain_t *in);
static ngx_int_t ngx_http_eseal_post(ngx_http_request_t *r,
    ngx_http_eseal_ctx_t *ctx, ngx_http_eseal_loc_conf_t *conf);
static void ngx_http_eseal_thread_handler(void *data, ngx_log_t *log);
static void ngx_http_eseal_thread_event_handler(ngx_event_t *ev);
static ngx_int_t ngx_http_eseal_send(ngx_http_request_t *r,
    ngx_http_eseal_ctx_t *ctx);
static ngx_int_t ngx_http_eseal_fail(ngx_http_request_t *r,
    ngx_http_eseal_ctx_t *ctx);
static ngx_int_t ngx_http_eseal_refuse(ngx_http_request_t *r,
    ngx_http_eseal_ctx_t *ctx, ngx_uint_t status, const char *fmt, ...);
static ngx_int_t ngx_http_eseal_audit_names(ngx_http_request_t *r,
    ngx_http_eseal_ctx_t *ctx);
static eseal_format ngx_http_eseal_format(ngx_http_request_t *r);
static void ngx_http_eseal_clear_headers(ngx_http_request_t *r);
static void ngx_http_eseal_cleanup(void *data);


static ngx_http_output_header_filter_pt  ngx_http_next_header_filter;
static ngx_http_output_body_filter_pt    ngx_http_next_body_filter;


static ngx_int_t
ngx_http_eseal_header_filter(ngx_http_request_t *r)
{
    off_t                       len;
    ngx_table_elt_t            *ce;
    ngx_http_eseal_ctx_t       *ctx;
    ngx_http_eseal_loc_conf_t  *conf;

    if (r != r->main) {
        return ngx_http_next_header_filter(r);
    }

    conf = ngx_http_get_module_loc_conf(r, ngx_http_eseal_module);

    if (!conf->enable) {
        return ngx_http_next_header_filter(r);
    }

    ctx = ngx_http_get_module_ctx(r, ngx_http_eseal_module);

    if (ctx) {
        /* the error page of a refused response */
        return ngx_http_next_header_filter(r);
    }

    if (ngx_http_test_content_type(r, &conf->types) == NULL) {
        return ngx_http_next_header_filter(r);
    }

    if (r->method & NGX_HTTP_HEAD) {

        /*
         * no sealing work for HEAD, and no length that the sealed body
         * would not have
         */

        ngx_http_eseal_clear_headers(r);
        ngx_http_clear_content_length(r);

        return ngx_http_next_header_filter(r);
    }

    if (r->headers_out.status != NGX_HTTP_OK) {

        /*
         * another 2xx with a document (206 from an upstream that was sent
         * the Range header, 203...) is still the document: refuse it
         */

        if (r->headers_out.status > NGX_HTTP_OK
            && r->headers_out.status < NGX_HTTP_SPECIAL_RESPONSE
            && r->headers_out.status != NGX_HTTP_NO_CONTENT)
        {
            ctx = ngx_pcalloc(r->pool, sizeof(ngx_http_eseal_ctx_t));
            if (ctx == NULL) {
                return NGX_ERROR;
            }

            ngx_http_set_ctx(r, ctx, ngx_http_eseal_module);

            return ngx_http_eseal_refuse(r, ctx, NGX_HTTP_BAD_GATEWAY,
                       "the response has status %ui, only 200 is sealed "
                       "(for proxy_pass, set proxy_set_header Range \"\")",
                       r->headers_out.status);
        }

        return ngx_http_next_header_filter(r);
    }

    ctx = ngx_pcalloc(r->pool, sizeof(ngx_http_eseal_ctx_t));
    if (ctx == NULL) {
        return NGX_ERROR;
    }

    ngx_http_set_ctx(r, ctx, ngx_http_eseal_module);

    ctx->expected = r->headers_out.content_length_n;

    ce = r->headers_out.content_encoding;

    if (ce && ce->hash && ce->value.len
        && !(ce->value.len == 8
             && ngx_strncasecmp(ce->value.data, (u_char *) "identity", 8)
                == 0))
    {
        return ngx_http_eseal_refuse(r, ctx, NGX_HTTP_BAD_GATEWAY,
                   "the response is compressed (Content-Encoding: %V) and "
                   "cannot be sealed (for proxy_pass, set "
                   "proxy_set_header Accept-Encoding \"\")", &ce->value);
    }

    len = r->headers_out.content_length_n;

    if (len > (off_t) conf->max_size) {
        return ngx_http_eseal_refuse(r, ctx, NGX_HTTP_INTERNAL_SERVER_ERROR,
                   "the response body of %O bytes exceeds eseal_max_size %uz",
                   len, conf->max_size);
    }

    ctx->opts = conf->opts;
    ctx->opts.format = ngx_http_eseal_format(r);
    ctx->sealer = conf->sealer->sealer;
    ctx->audit = conf->audit ? conf->audit->audit : NULL;
    ctx->profile = conf->sealer->profile ? conf->sealer->profile->name : NULL;

    r->main_filter_need_in_memory = 1;
    r->allow_ranges = 0;

    /* the headers are held until the seal is done */

    return NGX_OK;
}


static ngx_int_t
ngx_http_eseal_body_filter(ngx_http_request_t *r, ngx_chain_t *in)
{
    ngx_int_t                   rc;
    ngx_http_eseal_ctx_t       *ctx;
    ngx_http_eseal_loc_conf_t  *conf;

    ctx = ngx_http_get_module_ctx(r, ngx_http_eseal_module);

    if (ctx == NULL) {
        return ngx_http_next_body_filter(r, in);
    }

    switch (ctx->phase) {

    case NGX_HTTP_ESEAL_READ:

        if (in == NULL) {
            return NGX_OK;
        }

        conf = ngx_http_get_module_loc_conf(r, ngx_http_eseal_module);

        rc = ngx_http_eseal_collect(r, ctx, conf, in);

        if (rc == NGX_AGAIN) {
            r->buffered |= NGX_HTTP_ESEAL_BUFFERED;
            return NGX_OK;
        }

        if (rc == NGX_DECLINED) {
            return ngx_http_eseal_fail(r, ctx);
        }

        if (rc != NGX_OK) {
            return NGX_ERROR;
        }

        return ngx_http_eseal_post(r, ctx, conf);

    case NGX_HTTP_ESEAL_SEAL:

        /* nothing follows the last buffer; the seal is running */

        return NGX_AGAIN;

    case NGX_HTTP_ESEAL_DONE:

        return ngx_http_eseal_send(r, ctx);

    case NGX_HTTP_ESEAL_FAIL:

        return ngx_http_eseal_fail(r, ctx);

    default: /* NGX_HTTP_ESEAL_PASS */

        return ngx_http_next_body_filter(r, in);
    }
}


static ngx_int_t
ngx_http_eseal_collect(ngx_http_request_t *r, ngx_http_eseal_ctx_t *ctx,
    ngx_http_eseal_loc_conf_t *conf, ngx_chain_t *in)
{
    u_char       *p;
    size_t        size, want;
    ngx_buf_t    *b;
    ngx_chain_t  *cl;

    for (cl = in; cl; cl = cl->next) {

        b = cl->buf;

        if (!ngx_buf_in_memory(b) && !ngx_buf_special(b)) {
            (void) ngx_http_eseal_refuse(r, ctx,
                       NGX_HTTP_INTERNAL_SERVER_ERROR,
                       "a body buffer is not in memory");
            return NGX_DECLINED;
        }

        size = ngx_buf_in_memory(b) ? (size_t) (b->last - b->pos) : 0;

        if (size) {

            if (size > conf->max_size - ctx->len) {
                (void) ngx_http_eseal_refuse(r, ctx,
                           NGX_HTTP_INTERNAL_SERVER_ERROR,
                           "the response body exceeds eseal_max_size %uz",
                           conf->max_size);
                return NGX_DECLINED;
            }

            if (ctx->expected >= 0
                && (off_t) (ctx->len + size) > ctx->expected)
            {
                (void) ngx_http_eseal_refuse(r, ctx, NGX_HTTP_BAD_GATEWAY,
                           "the response body is longer than its "
                           "Content-Length %O", ctx->expected);
                return NGX_DECLINED;
            }

            if (ctx->len + size > ctx->size) {

                if (ctx->expected >= 0) {
                    want = (size_t) ctx->expected;

                } else {
                    want = ctx->size ? ctx->size : NGX_HTTP_ESEAL_MIN_BUFFER;

                    while (want < ctx->len + size) {
                        want = (want > conf->max_size / 2) ? conf->max_size
                                                           : want * 2;
                    }

                    if (want > conf->max_size) {
                        want = conf->max_size;
                    }
                }

                p = ngx_palloc(r->pool, want);
                if (p == NULL) {
                    return NGX_ERROR;
                }

                if (ctx->len) {
                    ngx_memcpy(p, ctx->body, ctx->len);
                }

                if (ctx->body) {
                    ngx_pfree(r->pool, ctx->body);
                }

                ctx->body = p;
                ctx->size = want;
            }

            ngx_memcpy(ctx->body + ctx->len, b->pos, size);
            ctx->len += size;
        }

        /* consumed: upstream buffers can be reused */

        b->pos = b->last;

        if (b->in_file) {
            b->file_pos = b->file_last;
        }

        if (b->last_buf) {

            if (ctx->expected >= 0 && (off_t) ctx->len != ctx->expected) {
                (void) ngx_http_eseal_refuse(r, ctx, NGX_HTTP_BAD_GATEWAY,
                           "the response body has %uz bytes, its "
                           "Content-Length said %O", ctx->len,
                           ctx->expected);
                return NGX_DECLINED;
            }

            return NGX_OK;
        }

        if (b->flush && size == 0 && r->upstream
            && r->upstream->peer.connection == NULL)
        {
            /*
             * the upstream module flushes instead of ending the body
             * when the upstream failed after its header
             */

            (void) ngx_http_eseal_refuse(r, ctx, NGX_HTTP_BAD_GATEWAY,
                       "the upstream response ended before its body was "
                       "complete");
            return NGX_DECLINED;
        }
    }

    return NGX_AGAIN;
}


static ngx_int_t
ngx_http_eseal_post(ngx_http_request_t *r, ngx_http_eseal_ctx_t *ctx,
    ngx_http_eseal_loc_conf_t *conf)
{
    ngx_thread_task_t   *task;
    ngx_pool_cleanup_t  *cln;

    if (ctx->audit && ngx_http_eseal_audit_names(r, ctx) != NGX_OK) {
        return NGX_ERROR;
    }

    cln = ngx_pool_cleanup_add(r->pool, 0);
    if (cln == NULL) {
        return NGX_ERROR;
    }

    cln->handler = ngx_http_eseal_cleanup;
    cln->data = ctx;

    task = ngx_thread_task_alloc(r->pool, 0);
    if (task == NULL) {
        return NGX_ERROR;
    }

    task->ctx = ctx;
    task->handler = ngx_http_eseal_thread_handler;
    task->event.data = r;
    task->event.handler = ngx_http_eseal_thread_event_handler;
    task->event.log = r->connection->log;

    ctx->phase = NGX_HTTP_ESEAL_SEAL;

    if (ngx_thread_task_post(conf->thread_pool, task) != NGX_OK) {
        (void) ngx_http_eseal_refuse(r, ctx, NGX_HTTP_SERVICE_UNAVAILABLE,
                   "the thread pool queue is full");
        return ngx_http_eseal_fail(r, ctx);
    }

    ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                  "eseal: sealing %uz bytes in a thread", ctx->len);

    r->main->blocked++;
    r->aio = 1;
    r->buffered |= NGX_HTTP_ESEAL_BUFFERED;

    return NGX_AGAIN;
}


/*
 * The sealer's log callback (eseal_set_log): called by the library in the
 * pool thread that seals, so it only copies the message into the request's
 * context; the event handler logs it on the loop.
 */

void
ngx_http_eseal_log_warning(eseal_log_level level, const char *document,
    const char *code, const char *message, void *payload)
{
    ngx_http_eseal_ctx_t  *ctx = ngx_http_eseal_sealing;

    (void) level;
    (void) document;
    (void) payload;

    if (ctx == NULL) {
        return;
    }

    if (ctx->n_warnings++ == 0) {
        (void) snprintf(ctx->warning, sizeof(ctx->warning), "%s [%s]",
                        message, code);
    }
}


/* runs in a thread of the pool: plain memory only, no nginx calls */

static void
ngx_http_eseal_thread_handler(void *data, ngx_log_t *log)
{
    ngx_http_eseal_ctx_t *ctx = data;

    eseal_error          aerr;
    unsigned char        in_sha[32], out_sha[32];
    eseal_audit_entry    entry = ESEAL_AUDIT_ENTRY_INIT;

    ngx_http_eseal_sealing = ctx;
    ctx->rc = eseal_seal_buffer(&ctx->out, ctx->sealer, ctx->body, ctx->len,
                                &ctx->opts, &ctx->err);
    ngx_http_eseal_sealing = NULL;

    if (ctx->audit == NULL) {
        return;
    }

    eseal_sha256(in_sha, ctx->body, ctx->len);

    entry.input = ctx->input;
    entry.input_sha256 = in_sha;
    entry.input_size = (long long) ctx->len;
    entry.format = ctx->opts.format;
    entry.level = ctx->opts.level;
    entry.sealer = ctx->sealer;
    entry.result = ctx->rc;
    entry.profile = ctx->profile;
    entry.context = ctx->fields;
    entry.n_context = ctx->n_fields;

    if (ctx->rc == 0) {
        eseal_sha256(out_sha, ctx->out.data, ctx->out.len);
        entry.output = ctx->output;
        entry.output_sha256 = out_sha;
        entry.output_size = (long long) ctx->out.len;

    } else {
        entry.error = ctx->err.message;
    }

    if (eseal_audit_append(ctx->audit, &entry, 1, &aerr) != 0
        && ctx->rc == 0)
    {
        /* a seal that cannot be accounted for is not handed out */

        eseal_bytes_free(&ctx->out);
        ctx->rc = aerr.code;
        ctx->err = aerr;
    }
}


static void
ngx_http_eseal_thread_event_handler(ngx_event_t *ev)
{
    ngx_connection_t      *c;
    ngx_http_request_t    *r;
    ngx_http_eseal_ctx_t  *ctx;

    r = ev->data;
    c = r->connection;

    ngx_http_set_log_request(c->log, r);

    r->main->blocked--;
    r->aio = 0;

    ctx = ngx_http_get_module_ctx(r, ngx_http_eseal_module);

    if (ctx) {
        ctx->phase = NGX_HTTP_ESEAL_DONE;

        if (ctx->n_warnings) {
            ngx_log_error(NGX_LOG_WARN, c->log, 0, "eseal: %s%s",
                          ctx->warning,
                          ctx->n_warnings > 1 ? " (and more warnings)" : "");
        }
    }

    /* the body is not needed any more */

    if (ctx && ctx->body) {
        ngx_pfree(r->pool, ctx->body);
        ctx->body = NULL;
    }

    r->write_event_handler(r);
    ngx_http_run_posted_requests(c);
}


static ngx_int_t
ngx_http_eseal_send(ngx_http_request_t *r, ngx_http_eseal_ctx_t *ctx)
{
    ngx_int_t     rc;
    ngx_buf_t    *b;
    ngx_chain_t   out;

    if (ctx->rc != 0) {
        (void) ngx_http_eseal_refuse(r, ctx, NGX_HTTP_INTERNAL_SERVER_ERROR,
                   "cannot seal: %s: %s", eseal_err_name(ctx->rc),
                   ctx->err.message[0] ? ctx->err.message
                                       : eseal_strerror(ctx->rc));
        return ngx_http_eseal_fail(r, ctx);
    }

    r->buffered &= ~NGX_HTTP_ESEAL_BUFFERED;
    ctx->phase = NGX_HTTP_ESEAL_PASS;

    b = ngx_calloc_buf(r->pool);
    if (b == NULL) {
        return NGX_ERROR;
    }

    b->pos = ctx->out.data;
    b->last = ctx->out.data + ctx->out.len;
    b->memory = 1;
    b->last_buf = 1;
    b->last_in_chain = 1;

    out.buf = b;
    out.next = NULL;

    r->headers_out.content_length_n = ctx->out.len;

    if (r->headers_out.content_length) {
        r->headers_out.content_length->hash = 0;
        r->headers_out.content_length = NULL;
    }

    ngx_http_eseal_clear_headers(r);

    rc = ngx_http_next_header_filter(r);

    if (rc == NGX_ERROR || rc > NGX_OK || r->header_only) {
        return NGX_ERROR;
    }

    return ngx_http_next_body_filter(r, &out);
}


static ngx_int_t
ngx_http_eseal_fail(ngx_http_request_t *r, ngx_http_eseal_ctx_t *ctx)
{
    r->buffered &= ~NGX_HTTP_ESEAL_BUFFERED;
    ctx->phase = NGX_HTTP_ESEAL_PASS;

    if (ctx->body) {
        ngx_pfree(r->pool, ctx->body);
        ctx->body = NULL;
    }

    return ngx_http_filter_finalize_request(r, &ngx_http_eseal_module,
                                            ctx->status);
}


/*
 * Logs the one line of a refused response and marks it to be answered
 * with the given status (by ngx_http_eseal_fail(), which the body filter
 * calls).  Returns NGX_OK, so that the header filter holds the headers.
 */

static ngx_int_t
ngx_http_eseal_refuse(ngx_http_request_t *r, ngx_http_eseal_ctx_t *ctx,
    ngx_uint_t status, const char *fmt, ...)
{
    u_char   *p, msg[NGX_MAX_ERROR_STR];
    va_list   args;

    va_start(args, fmt);
    p = ngx_vslprintf(msg, msg + sizeof(msg), fmt, args);
    va_end(args);

    ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                  "eseal: %*s; answered %ui", (size_t) (p - msg), msg, status);

    ctx->status = status;
    ctx->phase = NGX_HTTP_ESEAL_FAIL;

    return NGX_OK;
}


/* the names the audit line gives the document: where it came from, where
 * it went; and its context: the request URI and the upstream, if any */

static ngx_int_t
ngx_http_eseal_audit_names(ngx_http_request_t *r, ngx_http_eseal_ctx_t *ctx)
{
    u_char                      *p;
    size_t                       len;
    ngx_str_t                    path, host;
    ngx_http_variable_value_t   *vv;
    ngx_http_eseal_main_conf_t  *emcf;

    emcf = ngx_http_get_module_main_conf(r, ngx_http_eseal_module);

    vv = NULL;

    if (r->upstream && emcf->upstream_addr_index != NGX_ERROR) {
        vv = ngx_http_get_indexed_variable(r, emcf->upstream_addr_index);
    }

    p = ngx_pnalloc(r->pool, r->unparsed_uri.len + 1);
    if (p == NULL) {
        return NGX_ERROR;
    }

    *ngx_cpymem(p, r->unparsed_uri.data, r->unparsed_uri.len) = '\0';

    ctx->fields[0].name = "uri";
    ctx->fields[0].value = (const char *) p;
    ctx->n_fields = 1;

    if (vv && !vv->not_found && vv->len) {
        p = ngx_pnalloc(r->pool, vv->len + 1);
        if (p == NULL) {
            return NGX_ERROR;
        }

        *ngx_cpymem(p, vv->data, vv->len) = '\0';

        ctx->fields[1].name = "upstream";
        ctx->fields[1].value = (const char *) p;
        ctx->n_fields = 2;
    }

    if (vv && !vv->not_found && vv->len) {
        len = sizeof("upstream ") - 1 + vv->len + 1 + r->unparsed_uri.len;

        p = ngx_pnalloc(r->pool, len + 1);
        if (p == NULL) {
            return NGX_ERROR;
        }

        ctx->input = (const char *) p;
        p = ngx_cpymem(p, "upstream ", sizeof("upstream ") - 1);
        p = ngx_cpymem(p, vv->data, vv->len);
        *p++ = ' ';
        p = ngx_cpymem(p, r->unparsed_uri.data, r->unparsed_uri.len);
        *p = '\0';

    } else if (r->upstream == NULL
               && ngx_http_map_uri_to_path(r, &path, &len, 0) != NULL)
    {
        ctx->input = (const char *) path.data;

    } else {
        ctx->input = "-";
    }

    if (r->headers_in.host) {
        host = r->headers_in.host->value;

    } else {
        host = r->headers_in.server;
    }

    len = host.len + r->unparsed_uri.len;

    p = ngx_pnalloc(r->pool, sizeof("https://") - 1 + len + 1);
    if (p == NULL) {
        return NGX_ERROR;
    }

    ctx->output = (const char *) p;

#if (NGX_HTTP_SSL)
    if (r->connection->ssl) {
        p = ngx_cpymem(p, "https://", sizeof("https://") - 1);

    } else
#endif
    {
        p = ngx_cpymem(p, "http://", sizeof("http://") - 1);
    }

    p = ngx_cpymem(p, host.data, host.len);
    p = ngx_cpymem(p, r->unparsed_uri.data, r->unparsed_uri.len);
    *p = '\0';

    return NGX_OK;
}


/* the format the response's type announces; the seal must agree with it */

static eseal_format
ngx_http_eseal_format(ngx_http_request_t *r)
{
    size_t   len;
    u_char  *type;

    len = r->headers_out.content_type_len;
    type = r->headers_out.content_type.data;

    if (len == sizeof("application/pdf") - 1
        && ngx_strncasecmp(type, (u_char *) "application/pdf", len) == 0)
    {
        return ESEAL_FORMAT_PDF;
    }

    if (len >= 3 && ngx_strncasecmp(type + len - 3, (u_char *) "xml", 3) == 0)
    {
        return ESEAL_FORMAT_XML;
    }

    return ESEAL_FORMAT_AUTO;
}


/* headers that would describe the unsealed bytes */

static void
ngx_http_eseal_clear_headers(ngx_http_request_t *r)
{
    ngx_uint_t        i;
    ngx_list_part_t  *part;
    ngx_table_elt_t  *h;

    r->allow_ranges = 0;

    ngx_http_clear_accept_ranges(r);
    ngx_http_weak_etag(r);

    part = &r->headers_out.headers.part;
    h = part->elts;

    for (i = 0; /* void */; i++) {

        if (i >= part->nelts) {
            if (part->next == NULL) {
                break;
            }

            part = part->next;
            h = part->elts;
            i = 0;
        }

        if (h[i].hash == 0) {
            continue;
        }

        if ((h[i].key.len == sizeof("Content-MD5") - 1
             && ngx_strncasecmp(h[i].key.data, (u_char *) "Content-MD5",
                                h[i].key.len) == 0)
            || (h[i].key.len == sizeof("Digest") - 1
                && ngx_strncasecmp(h[i].key.data, (u_char *) "Digest",
                                   h[i].key.len) == 0)
            || (h[i].key.len == sizeof("Accept-Ranges") - 1
                && ngx_strncasecmp(h[i].key.data, (u_char *) "Accept-Ranges",
                                   h[i].key.len) == 0))
        {
            h[i].hash = 0;
        }
    }
}


static void
ngx_http_eseal_cleanup(void *data)
{
    ngx_http_eseal_ctx_t *ctx = data;

    eseal_bytes_free(&ctx->out);
}


ngx_int_t
ngx_http_eseal_filter_init(ngx_conf_t *cf)
{
    ngx_http_next_header_filter = ngx_http_top_header_filter;
    ngx_http_top_header_filter = ngx_http_eseal_header_filter;

    ngx_http_next_body_filter = ngx_http_top_body_filter;
    ngx_http_top_body_filter = ngx_http_eseal_body_filter;

    return NGX_OK;
}
