
/*
 * ngx_http_eseal_module: directives, configuration and key custody.
 *
 * File keys are opened while the configuration is read, that is by the
 * master process (or by "nginx -t") running as root, so key files can stay
 * readable by root only; the workers inherit the opened sealer.  Keys on a
 * PKCS#11 token are opened there too (which checks the configuration) and
 * each worker logs in again after fork().  A reload reads the files again,
 * so a renewed certificate and key are picked up.
 */


#include <sys/prctl.h>

#include "ngx_http_eseal_module.h"


#define NGX_HTTP_ESEAL_DEFAULT_MAX_SIZE  (10 * 1024 * 1024)

#ifdef NGX_HTTP_LOG_PATH
#define NGX_HTTP_ESEAL_LOG_PATH  NGX_HTTP_LOG_PATH
#else
#define NGX_HTTP_ESEAL_LOG_PATH  "logs/access.log"
#endif


static ngx_int_t ngx_http_eseal_preconfiguration(ngx_conf_t *cf);
static ngx_int_t ngx_http_eseal_postconfiguration(ngx_conf_t *cf);
static void *ngx_http_eseal_create_main_conf(ngx_conf_t *cf);
static void *ngx_http_eseal_create_loc_conf(ngx_conf_t *cf);
static char *ngx_http_eseal_merge_loc_conf(ngx_conf_t *cf, void *parent,
    void *child);
static ngx_int_t ngx_http_eseal_init_process(ngx_cycle_t *cycle);

static char *ngx_http_eseal_enable(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_eseal_types(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_eseal_key_slot(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_eseal_thread_pool(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_eseal_tsa(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_eseal_audit_log(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);

static ngx_int_t ngx_http_eseal_resolve(ngx_conf_t *cf,
    ngx_http_eseal_loc_conf_t *conf);
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

static void ngx_http_eseal_cleanup_shutdown(void *data);
static void ngx_http_eseal_cleanup_sealer(void *data);
static void ngx_http_eseal_cleanup_config(void *data);
static void ngx_http_eseal_cleanup_audit(void *data);


static ngx_conf_enum_t  ngx_http_eseal_levels[] = {
    { ngx_string("B-B"), ESEAL_LEVEL_B_B },
    { ngx_string("B-T"), ESEAL_LEVEL_B_T },
    { ngx_string("B-LT"), ESEAL_LEVEL_B_LT },
    { ngx_string("B-LTA"), ESEAL_LEVEL_B_LTA },
    { ngx_null_string, 0 }
};


static ngx_conf_enum_t  ngx_http_eseal_placements[] = {
    { ngx_string("auto"), NGX_HTTP_ESEAL_PLACEMENT_AUTO },
    { ngx_string("enveloped"), NGX_HTTP_ESEAL_PLACEMENT_ENVELOPED },
    { ngx_string("ubl"), NGX_HTTP_ESEAL_PLACEMENT_UBL },
    { ngx_null_string, 0 }
};


static ngx_str_t  ngx_http_eseal_default_types[] = {
    ngx_string("application/pdf"),
    ngx_string("application/xml"),
    ngx_string("text/xml"),
    ngx_null_string
};


#define NGX_HTTP_ESEAL_KC(field)                                              \
    (offsetof(ngx_http_eseal_loc_conf_t, kc)                                  \
     + offsetof(ngx_http_eseal_keyconf_t, field))

#define NGX_HTTP_ESEAL_CONF                                                   \
    (NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF)


static ngx_command_t  ngx_http_eseal_commands[] = {

    { ngx_string("eseal"),
      NGX_HTTP_ESEAL_CONF|NGX_CONF_FLAG,
      ngx_http_eseal_enable,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_eseal_loc_conf_t, enable),
      NULL },

    { ngx_string("eseal_types"),
      NGX_HTTP_ESEAL_CONF|NGX_CONF_1MORE,
      ngx_http_eseal_types,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_eseal_loc_conf_t, types_keys),
      NULL },

    { ngx_string("eseal_config"),
      NGX_HTTP_ESEAL_CONF|NGX_CONF_TAKE1,
      ngx_http_eseal_key_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      NGX_HTTP_ESEAL_KC(config),
      NULL },

    { ngx_string("eseal_profile"),
      NGX_HTTP_ESEAL_CONF|NGX_CONF_TAKE1,
      ngx_http_eseal_key_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      NGX_HTTP_ESEAL_KC(profile),
      NULL },

    { ngx_string("eseal_key"),
      NGX_HTTP_ESEAL_CONF|NGX_CONF_TAKE1,
      ngx_http_eseal_key_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      NGX_HTTP_ESEAL_KC(key),
      NULL },

    { ngx_string("eseal_certificate"),
      NGX_HTTP_ESEAL_CONF|NGX_CONF_TAKE1,
      ngx_http_eseal_key_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      NGX_HTTP_ESEAL_KC(certificate),
      NULL },

    { ngx_string("eseal_chain"),
      NGX_HTTP_ESEAL_CONF|NGX_CONF_TAKE1,
      ngx_http_eseal_key_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      NGX_HTTP_ESEAL_KC(chain),
      NULL },

    { ngx_string("eseal_pass_file"),
      NGX_HTTP_ESEAL_CONF|NGX_CONF_TAKE1,
      ngx_http_eseal_key_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      NGX_HTTP_ESEAL_KC(pass_file),
      NULL },

    { ngx_string("eseal_level"),
      NGX_HTTP_ESEAL_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_enum_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_eseal_loc_conf_t, level),
      &ngx_http_eseal_levels },

    { ngx_string("eseal_max_size"),
      NGX_HTTP_ESEAL_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_size_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_eseal_loc_conf_t, max_size),
      NULL },

    { ngx_string("eseal_thread_pool"),
      NGX_HTTP_ESEAL_CONF|NGX_CONF_TAKE1,
      ngx_http_eseal_thread_pool,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("eseal_tsa"),
      NGX_HTTP_ESEAL_CONF|NGX_CONF_1MORE,
      ngx_http_eseal_tsa,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("eseal_placement"),
      NGX_HTTP_ESEAL_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_enum_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_eseal_loc_conf_t, placement),
      &ngx_http_eseal_placements },

    { ngx_string("eseal_audit_log"),
      NGX_HTTP_ESEAL_CONF|NGX_CONF_TAKE1,
      ngx_http_eseal_audit_log,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

      ngx_null_command
};


static ngx_http_module_t  ngx_http_eseal_module_ctx = {
    ngx_http_eseal_preconfiguration,       /* preconfiguration */
    ngx_http_eseal_postconfiguration,      /* postconfiguration */

    ngx_http_eseal_create_main_conf,       /* create main configuration */
    NULL,                                  /* init main configuration */

    NULL,                                  /* create server configuration */
    NULL,                                  /* merge server configuration */

    ngx_http_eseal_create_loc_conf,        /* create location configuration */
    ngx_http_eseal_merge_loc_conf          /* merge location configuration */
};


ngx_module_t  ngx_http_eseal_module = {
    NGX_MODULE_V1,
    &ngx_http_eseal_module_ctx,            /* module context */
    ngx_http_eseal_commands,               /* module directives */
    NGX_HTTP_MODULE,                       /* module type */
    NULL,                                  /* init master */
    NULL,                                  /* init module */
    ngx_http_eseal_init_process,           /* init process */
    NULL,                                  /* init thread */
    NULL,                                  /* exit thread */
    NULL,                                  /* exit process */
    NULL,                                  /* exit master */
    NGX_MODULE_V1_PADDING
};


static ngx_int_t
ngx_http_eseal_preconfiguration(ngx_conf_t *cf)
{
    eseal_error          err;
    ngx_pool_cleanup_t  *cln;

    cln = ngx_pool_cleanup_add(cf->pool, 0);
    if (cln == NULL) {
        return NGX_ERROR;
    }

    ngx_memzero(&err, sizeof(eseal_error));

    if (eseal_init(&err) != 0) {
        ngx_log_error(NGX_LOG_EMERG, cf->log, 0,
                      "eseal: cannot initialize libeseal: %s", err.message);
        return NGX_ERROR;
    }

    /* the reference is dropped with the cycle that took it */

    cln->handler = ngx_http_eseal_cleanup_shutdown;
    cln->data = NULL;

    return NGX_OK;
}


static ngx_int_t
ngx_http_eseal_postconfiguration(ngx_conf_t *cf)
{
    ngx_str_t                    name = ngx_string("upstream_addr");
    ngx_http_eseal_main_conf_t  *emcf;

    emcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_eseal_module);

    emcf->upstream_addr_index = ngx_http_get_variable_index(cf, &name);
    if (emcf->upstream_addr_index == NGX_ERROR) {
        return NGX_ERROR;
    }

    return ngx_http_eseal_filter_init(cf);
}


static void *
ngx_http_eseal_create_main_conf(ngx_conf_t *cf)
{
    ngx_http_eseal_main_conf_t  *emcf;

    emcf = ngx_pcalloc(cf->pool, sizeof(ngx_http_eseal_main_conf_t));
    if (emcf == NULL) {
        return NULL;
    }

    if (ngx_array_init(&emcf->sealers, cf->pool, 4,
                       sizeof(ngx_http_eseal_sealer_t *))
        != NGX_OK
        || ngx_array_init(&emcf->audits, cf->pool, 2,
                          sizeof(ngx_http_eseal_audit_t *))
           != NGX_OK
        || ngx_array_init(&emcf->configs, cf->pool, 2,
                          sizeof(ngx_http_eseal_config_t *))
           != NGX_OK)
    {
        return NULL;
    }

    emcf->upstream_addr_index = NGX_ERROR;

    return emcf;
}


static void *
ngx_http_eseal_create_loc_conf(ngx_conf_t *cf)
{
    ngx_http_eseal_loc_conf_t  *conf;

    conf = ngx_pcalloc(cf->pool, sizeof(ngx_http_eseal_loc_conf_t));
    if (conf == NULL) {
        return NULL;
    }

    /*
     * set by ngx_pcalloc():
     *
     *     conf->types = { NULL };
     *     conf->types_keys = NULL;
     *     conf->kc = { all empty };
     *     conf->kc_set = 0;
     *     conf->kc_file = NULL;
     *     conf->on_file = NULL;
     *     conf->audit_path = { 0, NULL };
     *     conf->sealer = NULL;
     *     conf->audit = NULL;
     */

    conf->enable = NGX_CONF_UNSET;
    conf->level = NGX_CONF_UNSET_UINT;
    conf->max_size = NGX_CONF_UNSET_SIZE;
    conf->thread_pool = NGX_CONF_UNSET_PTR;
    conf->tsa = NGX_CONF_UNSET_PTR;
    conf->placement = NGX_CONF_UNSET_UINT;

    return conf;
}


static char *
ngx_http_eseal_merge_loc_conf(ngx_conf_t *cf, void *parent, void *child)
{
    ngx_http_eseal_loc_conf_t *prev = parent;
    ngx_http_eseal_loc_conf_t *conf = child;

    ngx_conf_merge_value(conf->enable, prev->enable, 0);

    if (conf->on_file == NULL) {
        conf->on_file = prev->on_file;
        conf->on_line = prev->on_line;
    }

    if (ngx_http_merge_types(cf, &conf->types_keys, &conf->types,
                             &prev->types_keys, &prev->types,
                             ngx_http_eseal_default_types)
        != NGX_OK)
    {
        return NGX_CONF_ERROR;
    }

    /* the key settings are inherited together, never field by field */

    if (!conf->kc_set) {
        conf->kc = prev->kc;
        conf->kc_set = prev->kc_set;
        conf->kc_file = prev->kc_file;
        conf->kc_line = prev->kc_line;
    }

    ngx_conf_merge_uint_value(conf->level, prev->level, NGX_CONF_UNSET_UINT);
    ngx_conf_merge_size_value(conf->max_size, prev->max_size,
                              NGX_HTTP_ESEAL_DEFAULT_MAX_SIZE);
    ngx_conf_merge_ptr_value(conf->thread_pool, prev->thread_pool,
                             NGX_CONF_UNSET_PTR);
    ngx_conf_merge_ptr_value(conf->tsa, prev->tsa, NGX_CONF_UNSET_PTR);
    ngx_conf_merge_uint_value(conf->placement, prev->placement,
                              NGX_CONF_UNSET_UINT);

    if (conf->audit_path.data == NULL) {
        conf->audit_path = prev->audit_path;
    }

    if (!conf->enable) {
        return NGX_CONF_OK;
    }

    if (ngx_http_eseal_resolve(cf, conf) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


/*
 * Opens (or finds) what an enabled location seals with: the sealer, the
 * seal options and the audit log.  Every problem stops the configuration
 * with a message naming the directive's place.
 */

static ngx_int_t
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

    s->pkcs11 = (ngx_strncmp(opts.key, "pkcs11:", 7) == 0);

    ngx_log_error(NGX_LOG_NOTICE, cf->log, 0,
                  "eseal: key \"%s\" loaded%s%s%s",
                  s->pkcs11 ? "(PKCS#11 token)" : opts.key,
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

    if (eseal_audit_open(&a->audit, (const char *) name.data, 0, &err) != 0) {
        ngx_http_eseal_conf_error(cf, conf, "audit", &err);
        return NULL;
    }

    cln->handler = ngx_http_eseal_cleanup_audit;
    cln->data = a->audit;

    a->path = name;

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


static ngx_int_t
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

        /* a PKCS#11 session does not survive fork(): log in once here */

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


static char *
ngx_http_eseal_enable(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_eseal_loc_conf_t *elcf = conf;

    char  *rv;

    rv = ngx_conf_set_flag_slot(cf, cmd, conf);
    if (rv != NGX_CONF_OK) {
        return rv;
    }

    elcf->on_file = cf->conf_file->file.name.data;
    elcf->on_line = cf->conf_file->line;

    return NGX_CONF_OK;
}


static char *
ngx_http_eseal_types(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_str_t   *value;
    ngx_uint_t   i;

    value = cf->args->elts;

    for (i = 1; i < cf->args->nelts; i++) {
        if (value[i].len == 1 && value[i].data[0] == '*') {
            return "does not accept \"*\": list the types of the documents"
                   " to seal";
        }
    }

    return ngx_http_types_slot(cf, cmd, conf);
}


static char *
ngx_http_eseal_key_slot(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_eseal_loc_conf_t *elcf = conf;

    u_char     *p;
    ngx_str_t  *field, *value;

    field = (ngx_str_t *) ((char *) conf + cmd->offset);

    if (field->data) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (value[1].len == 0) {
        return "needs a value";
    }

    if (cmd->offset == NGX_HTTP_ESEAL_KC(profile)) {
        *field = value[1];

    } else if (cmd->offset == NGX_HTTP_ESEAL_KC(key)
               && ngx_strncmp(value[1].data, "pkcs11:", 7) == 0)
    {
        /* a PIN belongs in eseal_pass_file, never in the configuration */

        for (p = value[1].data + 7; p < value[1].data + value[1].len; p++) {
            if ((p == value[1].data + 7 || p[-1] == ';' || p[-1] == '?'
                 || p[-1] == '&')
                && ngx_strncasecmp(p, (u_char *) "pin-value", 9) == 0)
            {
                return "refuses a PKCS#11 URI that holds \"pin-value\": put the"
                       " PIN in a file named by eseal_pass_file";
            }
        }

        *field = value[1];

    } else {
        *field = value[1];

        if (ngx_conf_full_name(cf->cycle, field, 1) != NGX_OK) {
            return NGX_CONF_ERROR;
        }
    }

    if (!elcf->kc_set) {
        elcf->kc_set = 1;
        elcf->kc_file = cf->conf_file->file.name.data;
        elcf->kc_line = cf->conf_file->line;
    }

    return NGX_CONF_OK;
}


static char *
ngx_http_eseal_thread_pool(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_eseal_loc_conf_t *elcf = conf;

    ngx_str_t  *value;

    if (elcf->thread_pool != NGX_CONF_UNSET_PTR) {
        return "is duplicate";
    }

    value = cf->args->elts;

    /* an undeclared pool is reported with this place after parsing */

    elcf->thread_pool = ngx_thread_pool_add(cf, &value[1]);
    if (elcf->thread_pool == NULL) {
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


static char *
ngx_http_eseal_tsa(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_eseal_loc_conf_t *elcf = conf;

    ngx_str_t   *value, *url;
    ngx_uint_t   i;

    if (elcf->tsa == NGX_CONF_UNSET_PTR) {
        elcf->tsa = ngx_array_create(cf->pool, 2, sizeof(ngx_str_t));
        if (elcf->tsa == NULL) {
            return NGX_CONF_ERROR;
        }
    }

    value = cf->args->elts;

    for (i = 1; i < cf->args->nelts; i++) {

        if (ngx_strncasecmp(value[i].data, (u_char *) "http://", 7) != 0
            && ngx_strncasecmp(value[i].data, (u_char *) "https://", 8) != 0)
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "eseal_tsa: \"%V\" is not an http:// or "
                               "https:// URL", &value[i]);
            return NGX_CONF_ERROR;
        }

        if (elcf->tsa->nelts == 16) {
            return "lists more than 16 timestamp authorities";
        }

        url = ngx_array_push(elcf->tsa);
        if (url == NULL) {
            return NGX_CONF_ERROR;
        }

        *url = value[i];
    }

    return NGX_CONF_OK;
}


static char *
ngx_http_eseal_audit_log(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_eseal_loc_conf_t *elcf = conf;

    ngx_str_t  *value;

    if (elcf->audit_path.data) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (value[1].len == 0) {
        return "needs a file name or \"off\"";
    }

    elcf->audit_path = value[1];

    return NGX_CONF_OK;
}


static void
ngx_http_eseal_cleanup_shutdown(void *data)
{
    eseal_shutdown();
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
