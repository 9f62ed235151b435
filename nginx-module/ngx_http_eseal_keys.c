
/*
 * ngx_http_eseal_module: key custody.
 *
 * File keys are opened while the configuration is read, that is by the
 * master process (or by "nginx -t") running as root, so key files can stay
 * readable by root only; the workers inherit the opened sealer.  Keys on a
 * PKCS#11 token are opened there too (which checks the configuration) and
 * each worker logs in again after fork().  A reload reads the files again,
 * so a renewed certificate and key are picked up.  Configuration files and
 * audit logs are opened here as well, each once per configuration load.
 */


#include <sys/prctl.h>

#include "ngx_http_eseal_module.h"


#ifdef NGX_HTTP_LOG_PATH
#define NGX_HTTP_ESEAL_LOG_PATH  NGX_HTTP_LOG_PATH
#else
#define NGX_HTTP_ESEAL_LOG_PATH  "logs/access.log"
#endif


static ngx_http_eseal_sealer_t *ngx_http_eseal_get_sealer(ngx_conf_t *cf,
    ngx_http_eseal_loc_conf_t *conf);
static eseal_config *ngx_http_eseal_get_config(ngx_conf_t *cf,
    ngx_http_eseal_loc_conf_t *conf, ngx_str_t *path);
static ngx_http_eseal_audit_t *ngx_http_eseal_get_audit(ngx_conf_t *cf,
    ngx_http_eseal_loc_conf_t *conf, ngx_str_t *path);
static void ngx_http_eseal_conf_error(ngx_conf_t *cf,
    ngx_http_eseal_loc_conf_t *conf, const char *what, eseal_error *err);
static ngx_uint_t ngx_http_eseal_kc_empty(ngx_http_eseal_keyconf_t *kc);
static ngx_uint_t ngx_http_eseal_kc_equal(ngx_http_eseal_keyconf_t *a,
    ngx_http_eseal_keyconf_t *b);
static void ngx_http_eseal_cleanup_sealer(void *data);
static void ngx_http_eseal_cleanup_config(void *data);
static void ngx_http_eseal_cleanup_audit(void *data);
static void ngx_http_eseal_reopen_audit(ngx_open_file_t *file,
    ngx_log_t *log);


/*
 * Opens (or finds) what an enabled location seals with: the sealer, the
 * seal options and the audit log.  Every problem stops the configuration
 * with a message naming the directive's place.
 */

ngx_int_t
ngx_http_eseal_resolve(ngx_conf_t *cf, ngx_http_eseal_loc_conf_t *conf)
{
    u_char                       *p;
    ngx_str_t                    *tsa, path;
    ngx_uint_t                    i;
    const char                  **urls;
    const eseal_profile          *profile;
    static const eseal_seal_opts  init = ESEAL_SEAL_OPTS_INIT;

    if (conf->thread_pool == NGX_CONF_UNSET_PTR) {
        conf->thread_pool = ngx_thread_pool_add(cf, NULL);
        if (conf->thread_pool == NULL) {
            return NGX_ERROR;
        }
    }

    if (conf->sealer == NULL) {
        conf->sealer = ngx_http_eseal_get_sealer(cf, conf);
        if (conf->sealer == NULL) {
            return NGX_ERROR;
        }
    }

    profile = conf->sealer->profile;

    conf->opts = profile ? profile->seal : init;

    if (profile && conf->opts.placement == NULL) {
        conf->opts.placement = profile->placement;
    }

    if (profile && conf->opts.c14n == NULL) {
        conf->opts.c14n = profile->c14n;
    }

    if (conf->level != NGX_CONF_UNSET_UINT) {
        conf->opts.level = (eseal_level) conf->level;
    }

    if (conf->placement == NGX_HTTP_ESEAL_PLACEMENT_AUTO) {
        conf->opts.placement = NULL;

    } else if (conf->placement == NGX_HTTP_ESEAL_PLACEMENT_ENVELOPED) {
        conf->opts.placement = "enveloped";

    } else if (conf->placement == NGX_HTTP_ESEAL_PLACEMENT_UBL) {
        conf->opts.placement = "ubl";
    }

    if (conf->tsa != NGX_CONF_UNSET_PTR) {
        urls = ngx_pcalloc(cf->pool,
                           (conf->tsa->nelts + 1) * sizeof(const char *));
        if (urls == NULL) {
            return NGX_ERROR;
        }

        tsa = conf->tsa->elts;
        for (i = 0; i < conf->tsa->nelts; i++) {
            urls[i] = (const char *) tsa[i].data;
        }

        conf->opts.tsa_urls = urls;
    }

    if (conf->net_timeout != NGX_CONF_UNSET) {
        conf->opts.net_timeout = (int) conf->net_timeout;
    }

    if (conf->opts.level != ESEAL_LEVEL_B_B && conf->opts.tsa_urls == NULL) {
        ngx_http_eseal_conf_error(cf, conf, "level", NULL);
        return NGX_ERROR;
    }

    /* the format follows each response's type */

    conf->opts.format = ESEAL_FORMAT_AUTO;

    if (conf->audit == NULL) {
        path = conf->audit_path;

        if (path.data == NULL && profile && profile->audit) {
            path.data = (u_char *) profile->audit;
            path.len = ngx_strlen(profile->audit);
        }

        if (path.data == NULL) {

            /* the directory of the access log, as compiled into nginx */

            path.len = sizeof(NGX_HTTP_ESEAL_LOG_PATH) - 1;
            path.data = (u_char *) NGX_HTTP_ESEAL_LOG_PATH;

            while (path.len && path.data[path.len - 1] != '/') {
                path.len--;
            }

            p = ngx_pnalloc(cf->pool, path.len + sizeof("eseal-audit.log"));
            if (p == NULL) {
                return NGX_ERROR;
            }

            ngx_memcpy(ngx_cpymem(p, path.data, path.len), "eseal-audit.log",
                       sizeof("eseal-audit.log"));

            path.data = p;
            path.len = ngx_strlen(p);
        }

        if (!(path.len == 3 && ngx_strncmp(path.data, "off", 3) == 0)) {
            conf->audit = ngx_http_eseal_get_audit(cf, conf, &path);
            if (conf->audit == NULL) {
                return NGX_ERROR;
            }
        }
    }

    return NGX_OK;
}


static ngx_http_eseal_sealer_t *
ngx_http_eseal_get_sealer(ngx_conf_t *cf, ngx_http_eseal_loc_conf_t *conf)
{
    int                           rc;
    ngx_str_t                     path;
    ngx_uint_t                    i;
    eseal_error                   err;
    eseal_config                 *config;
    eseal_sealer_opts             opts;
    ngx_pool_cleanup_t           *cln;
    ngx_http_eseal_sealer_t     **sp, *s;
    ngx_http_eseal_main_conf_t   *emcf;
    static const eseal_sealer_opts  init = ESEAL_SEALER_OPTS_INIT;

    emcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_eseal_module);

    sp = emcf->sealers.elts;
    for (i = 0; i < emcf->sealers.nelts; i++) {
        if (ngx_http_eseal_kc_equal(&sp[i]->kc, &conf->kc)) {
            return sp[i];
        }
    }

    if (ngx_http_eseal_kc_empty(&conf->kc)) {
        ngx_http_eseal_conf_error(cf, conf, "nokey", NULL);
        return NULL;
    }

    s = ngx_pcalloc(cf->pool, sizeof(ngx_http_eseal_sealer_t));
    if (s == NULL) {
        return NULL;
    }

    s->kc = conf->kc;
    opts = init;

    ngx_memzero(&err, sizeof(eseal_error));

    if (conf->kc.config.len || conf->kc.profile.len) {

        if (conf->kc.config.len) {
            path = conf->kc.config;

        } else {
            ngx_str_set(&path, ESEAL_DEFAULT_CONFIG);
        }

        config = ngx_http_eseal_get_config(cf, conf, &path);
        if (config == NULL) {
            return NULL;
        }

        rc = eseal_config_profile(&s->profile, config,
                                  conf->kc.profile.len
                                  ? (const char *) conf->kc.profile.data
                                  : NULL,
                                  &err);
        if (rc != 0) {
            ngx_http_eseal_conf_error(cf, conf, "profile", &err);
            return NULL;
        }

        opts = s->profile->sealer;
    }

    /* the directives win over the profile, as options do in the CLI */

    if (conf->kc.key.len) {
        opts.key = (const char *) conf->kc.key.data;
    }

    if (conf->kc.certificate.len) {
        opts.cert = (const char *) conf->kc.certificate.data;
    }

    if (conf->kc.chain.len) {
        opts.chain = (const char *) conf->kc.chain.data;
    }

    if (conf->kc.pass_file.len) {
        opts.pass_file = (const char *) conf->kc.pass_file.data;
        opts.pass_env = NULL;
        opts.password = NULL;
    }

    if (opts.key == NULL) {
        ngx_http_eseal_conf_error(cf, conf, "nokey", NULL);
        return NULL;
    }

    cln = ngx_pool_cleanup_add(cf->pool, 0);
    if (cln == NULL) {
        return NULL;
    }

    rc = eseal_sealer_open(&s->sealer, &opts, &err);
    if (rc != 0) {
        ngx_http_eseal_conf_error(cf, conf, "sealer", &err);
        return NULL;
    }

    cln->handler = ngx_http_eseal_cleanup_sealer;
    cln->data = s->sealer;
    eseal_set_log(s->sealer, ESEAL_LOG_WARNING, ngx_http_eseal_log_warning,
                  NULL);

    s->pkcs11 = (ngx_strncmp(opts.key, "pkcs11:", 7) == 0);

    ngx_log_error(NGX_LOG_NOTICE, cf->log, 0,
                  "eseal: key \"%s\" loaded%s%s%s",
                  opts.key,
                  s->profile ? " for profile \"" : "",
                  s->profile ? s->profile->name : "",
                  s->profile ? "\"" : "");

    sp = ngx_array_push(&emcf->sealers);
    if (sp == NULL) {
        return NULL;
    }

    *sp = s;

    return s;
}


static eseal_config *
ngx_http_eseal_get_config(ngx_conf_t *cf, ngx_http_eseal_loc_conf_t *conf,
    ngx_str_t *path)
{
    ngx_uint_t                    i;
    eseal_error                   err;
    ngx_pool_cleanup_t           *cln;
    ngx_http_eseal_config_t     **cp, *c;
    ngx_http_eseal_main_conf_t   *emcf;

    emcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_eseal_module);

    cp = emcf->configs.elts;
    for (i = 0; i < emcf->configs.nelts; i++) {
        if (cp[i]->path.len == path->len
            && ngx_strncmp(cp[i]->path.data, path->data, path->len) == 0)
        {
            return cp[i]->config;
        }
    }

    c = ngx_pcalloc(cf->pool, sizeof(ngx_http_eseal_config_t));
    if (c == NULL) {
        return NULL;
    }

    cln = ngx_pool_cleanup_add(cf->pool, 0);
    if (cln == NULL) {
        return NULL;
    }

    ngx_memzero(&err, sizeof(eseal_error));

    if (eseal_config_load(&c->config, (const char *) path->data, &err) != 0) {
        ngx_http_eseal_conf_error(cf, conf, "config", &err);
        return NULL;
    }

    cln->handler = ngx_http_eseal_cleanup_config;
    cln->data = c->config;

    c->path = *path;

    cp = ngx_array_push(&emcf->configs);
    if (cp == NULL) {
        return NULL;
    }

    *cp = c;

    return c->config;
}


static ngx_http_eseal_audit_t *
ngx_http_eseal_get_audit(ngx_conf_t *cf, ngx_http_eseal_loc_conf_t *conf,
    ngx_str_t *path)
{
    ngx_str_t                     name;
    ngx_uint_t                    i;
    eseal_error                   err;
    ngx_open_file_t              *file;
    ngx_pool_cleanup_t           *cln;
    ngx_http_eseal_audit_t      **ap, *a;
    ngx_http_eseal_main_conf_t   *emcf;

    emcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_eseal_module);

    name = *path;

    if (ngx_conf_full_name(cf->cycle, &name, 0) != NGX_OK) {
        return NULL;
    }

    ap = emcf->audits.elts;
    for (i = 0; i < emcf->audits.nelts; i++) {
        if (ap[i]->path.len == name.len
            && ngx_strncmp(ap[i]->path.data, name.data, name.len) == 0)
        {
            if (ap[i]->nosync != conf->audit_nosync) {
                ngx_http_eseal_conf_error(cf, conf, "audit-sync", NULL);
                return NULL;
            }

            return ap[i];
        }
    }

    a = ngx_pcalloc(cf->pool, sizeof(ngx_http_eseal_audit_t));
    if (a == NULL) {
        return NULL;
    }

    cln = ngx_pool_cleanup_add(cf->pool, 0);
    if (cln == NULL) {
        return NULL;
    }

    ngx_memzero(&err, sizeof(eseal_error));

    /* opened by the master: the workers append to the inherited file */

    if (eseal_audit_open(&a->audit, (const char *) name.data,
                         conf->audit_nosync ? ESEAL_AUDIT_NO_SYNC : 0, &err)
        != 0)
    {
        ngx_http_eseal_conf_error(cf, conf, "audit", &err);
        return NULL;
    }

    cln->handler = ngx_http_eseal_cleanup_audit;
    cln->data = a->audit;

    a->path = name;
    a->nosync = conf->audit_nosync;

    /*
     * Listed with nginx's open files for the reopen signal (USR1, nginx -s
     * reopen): the master reopens them, giving the file at the path to the
     * worker user, then each worker.  The flush handler runs first in each
     * of them and opens the audit log's path again.
     */

    file = ngx_conf_open_file(cf->cycle, &name);
    if (file == NULL) {
        return NULL;
    }

    if (file->flush && file->flush != ngx_http_eseal_reopen_audit) {
        ngx_http_eseal_conf_error(cf, conf, "audit-shared", NULL);
        return NULL;
    }

    file->flush = ngx_http_eseal_reopen_audit;
    file->data = a;

    ap = ngx_array_push(&emcf->audits);
    if (ap == NULL) {
        return NULL;
    }

    *ap = a;

    return a;
}


static void
ngx_http_eseal_conf_error(ngx_conf_t *cf, ngx_http_eseal_loc_conf_t *conf,
    const char *what, eseal_error *err)
{
    u_char      *file;
    ngx_uint_t   line;
    const char  *msg;

    if (conf->kc_file) {
        file = conf->kc_file;
        line = conf->kc_line;

    } else {
        file = conf->on_file;
        line = conf->on_line;
    }

    if (file == NULL) {
        file = (u_char *) "the configuration";
        line = 0;
    }

    if (ngx_strcmp(what, "nokey") == 0) {
        msg = "\"eseal on\" needs a key: set eseal_key and eseal_certificate,"
              " or eseal_profile";

    } else if (ngx_strcmp(what, "audit-sync") == 0) {
        msg = "an audit log is named with both sync=on and sync=off";

    } else if (ngx_strcmp(what, "audit-shared") == 0) {
        msg = "the audit log is also a buffered log of nginx";

    } else if (ngx_strcmp(what, "level") == 0) {
        msg = "a level above B-B needs a timestamp authority: set eseal_tsa"
              " (or tsa in the profile)";

    } else {
        msg = (err && err->message[0]) ? err->message
                                       : eseal_strerror(err ? err->code : 0);
    }

    ngx_log_error(NGX_LOG_EMERG, cf->log, 0, "eseal: %s in %s:%ui",
                  msg, file, line);
}


static ngx_uint_t
ngx_http_eseal_kc_empty(ngx_http_eseal_keyconf_t *kc)
{
    return kc->config.len == 0 && kc->profile.len == 0 && kc->key.len == 0;
}


static ngx_uint_t
ngx_http_eseal_kc_equal(ngx_http_eseal_keyconf_t *a,
    ngx_http_eseal_keyconf_t *b)
{
    ngx_str_t   *x, *y;
    ngx_uint_t   i, n;

    x = (ngx_str_t *) a;
    y = (ngx_str_t *) b;
    n = sizeof(ngx_http_eseal_keyconf_t) / sizeof(ngx_str_t);

    for (i = 0; i < n; i++) {
        if (x[i].len != y[i].len
            || (x[i].len && ngx_strncmp(x[i].data, y[i].data, x[i].len) != 0))
        {
            return 0;
        }
    }

    return 1;
}


ngx_int_t
ngx_http_eseal_init_process(ngx_cycle_t *cycle)
{
    ngx_uint_t                    i, n;
    eseal_error                   err;
    ngx_http_eseal_sealer_t     **sp;
    ngx_http_eseal_main_conf_t   *emcf;

    emcf = ngx_http_cycle_get_module_main_conf(cycle, ngx_http_eseal_module);

    if (emcf == NULL || emcf->sealers.nelts == 0) {
        return NGX_OK;
    }

    /*
     * nginx makes its workers dumpable again after setuid(); a worker
     * holds the key in memory, so keep it out of core dumps
     */

    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1) {
        ngx_log_error(NGX_LOG_ALERT, cycle->log, ngx_errno,
                      "eseal: prctl(PR_SET_DUMPABLE, 0) failed");
    }

    sp = emcf->sealers.elts;
    n = emcf->sealers.nelts;

    for (i = 0; i < n; i++) {

        if (!sp[i]->pkcs11) {
            ngx_log_error(NGX_LOG_NOTICE, cycle->log, 0,
                          "eseal: worker %P uses key \"%V\" "
                          "loaded by the master", ngx_pid,
                          sp[i]->kc.key.len ? &sp[i]->kc.key
                                            : &sp[i]->kc.profile);
            continue;
        }

        /*
         * a PKCS#11 session does not survive fork(): log in once here
         * (the library has the workers take turns: tokens such as
         * SoftHSM2's file store fail logins made at the same instant)
         */

        ngx_memzero(&err, sizeof(eseal_error));

        if (eseal_sealer_after_fork(sp[i]->sealer, &err) != 0) {
            ngx_log_error(NGX_LOG_ERR, cycle->log, 0,
                          "eseal: worker %P cannot log in to the token: %s",
                          ngx_pid, err.message);
            continue;
        }

        ngx_log_error(NGX_LOG_NOTICE, cycle->log, 0,
                      "eseal: worker %P logged in to the PKCS#11 token",
                      ngx_pid);
    }

    return NGX_OK;
}


static void
ngx_http_eseal_cleanup_sealer(void *data)
{
    eseal_sealer_free(data);
}


static void
ngx_http_eseal_cleanup_config(void *data)
{
    eseal_config_free(data);
}


static void
ngx_http_eseal_cleanup_audit(void *data)
{
    eseal_audit_close(data);
}


static void
ngx_http_eseal_reopen_audit(ngx_open_file_t *file, ngx_log_t *log)
{
    ngx_http_eseal_audit_t *a = file->data;

    eseal_error  err;

    /*
     * nginx also calls the handler when a process exits (the flush of its
     * open files): nothing to reopen then, and a worker could not open a
     * file that only the master ever opened
     */

    if (ngx_exiting || ngx_terminate || ngx_quit) {
        return;
    }

    ngx_memzero(&err, sizeof(eseal_error));

    if (eseal_audit_reopen(a->audit, &err) != 0) {

        /* the lines go on to the file that was there */

        ngx_log_error(NGX_LOG_ALERT, log, 0, "eseal: %s", err.message);
        return;
    }

    ngx_log_error(NGX_LOG_NOTICE, log, 0, "eseal: audit log \"%V\" reopened",
                  &a->path);
}
