
/*
 * ngx_http_eseal_module: directives and configuration.  What the
 * directives name is opened in ngx_http_eseal_keys.c; the filters are in
 * ngx_http_eseal_filter.c.
 */


#include "ngx_http_eseal_module.h"


#define NGX_HTTP_ESEAL_DEFAULT_MAX_SIZE  (10 * 1024 * 1024)

static ngx_int_t ngx_http_eseal_preconfiguration(ngx_conf_t *cf);
static ngx_int_t ngx_http_eseal_postconfiguration(ngx_conf_t *cf);
static void *ngx_http_eseal_create_main_conf(ngx_conf_t *cf);
static void *ngx_http_eseal_create_loc_conf(ngx_conf_t *cf);
static char *ngx_http_eseal_merge_loc_conf(ngx_conf_t *cf, void *parent,
    void *child);

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


static char *ngx_http_eseal_check_timeout(ngx_conf_t *cf, void *post,
    void *data);
static void ngx_http_eseal_cleanup_shutdown(void *data);


static ngx_conf_post_handler_pt  ngx_http_eseal_timeout_post =
    ngx_http_eseal_check_timeout;


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

    { ngx_string("eseal_net_timeout"),
      NGX_HTTP_ESEAL_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_sec_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_eseal_loc_conf_t, net_timeout),
      &ngx_http_eseal_timeout_post },

    { ngx_string("eseal_placement"),
      NGX_HTTP_ESEAL_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_enum_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_eseal_loc_conf_t, placement),
      &ngx_http_eseal_placements },

    { ngx_string("eseal_audit_log"),
      NGX_HTTP_ESEAL_CONF|NGX_CONF_TAKE12,
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
    conf->net_timeout = NGX_CONF_UNSET;
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
    ngx_conf_merge_value(conf->net_timeout, prev->net_timeout,
                         NGX_CONF_UNSET);
    ngx_conf_merge_uint_value(conf->placement, prev->placement,
                              NGX_CONF_UNSET_UINT);

    if (conf->audit_path.data == NULL) {
        conf->audit_path = prev->audit_path;
        conf->audit_nosync = prev->audit_nosync;
    }

    if (!conf->enable) {
        return NGX_CONF_OK;
    }

    if (ngx_http_eseal_resolve(cf, conf) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
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

    if (cf->args->nelts == 3) {

        if (ngx_strcmp(value[2].data, "sync=off") == 0) {
            elcf->audit_nosync = 1;

        } else if (ngx_strcmp(value[2].data, "sync=on") != 0) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid parameter \"%V\" (sync=on or sync=off)",
                               &value[2]);
            return NGX_CONF_ERROR;
        }
    }

    return NGX_CONF_OK;
}


static char *
ngx_http_eseal_check_timeout(ngx_conf_t *cf, void *post, void *data)
{
    time_t  *sec = data;

    if (*sec < 1 || *sec > 600) {
        return "must be between 1s and 600s";
    }

    return NGX_CONF_OK;
}


static void
ngx_http_eseal_cleanup_shutdown(void *data)
{
    eseal_shutdown();
}
