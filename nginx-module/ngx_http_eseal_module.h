
/*
 * ngx_http_eseal_module: seals PDF and XML responses on the way out.
 *
 * Shared by the directives (ngx_http_eseal_module.c), key custody
 * (ngx_http_eseal_keys.c) and the filters (ngx_http_eseal_filter.c).  Only
 * the public headers of libeseal (include/eseal) are used.
 */


#ifndef _NGX_HTTP_ESEAL_MODULE_H_INCLUDED_
#define _NGX_HTTP_ESEAL_MODULE_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include <eseal/eseal.h>
#include <eseal/audit.h>


#if !(NGX_THREADS)
#error ngx_http_eseal_module needs nginx built with --with-threads
#endif


#define NGX_HTTP_ESEAL_PLACEMENT_AUTO       0
#define NGX_HTTP_ESEAL_PLACEMENT_ENVELOPED  1
#define NGX_HTTP_ESEAL_PLACEMENT_UBL        2


/* one opened sealer, shared by every location with the same key settings */

typedef struct {
    ngx_str_t                    config;      /* eseal_config, "" if none */
    ngx_str_t                    profile;     /* eseal_profile, "" if none */
    ngx_str_t                    key;
    ngx_str_t                    certificate;
    ngx_str_t                    chain;
    ngx_str_t                    pass_file;
} ngx_http_eseal_keyconf_t;


typedef struct {
    ngx_http_eseal_keyconf_t     kc;
    const eseal_profile         *profile;     /* NULL without a profile */
    eseal_sealer                *sealer;
    ngx_uint_t                   pkcs11;      /* the key is on a token */
} ngx_http_eseal_sealer_t;


typedef struct {
    ngx_str_t                    path;
    ngx_uint_t                   nosync;
    eseal_audit                 *audit;
} ngx_http_eseal_audit_t;


typedef struct {
    ngx_str_t                    path;
    eseal_config                *config;
} ngx_http_eseal_config_t;


typedef struct {
    ngx_array_t                  sealers;     /* ngx_http_eseal_sealer_t * */
    ngx_array_t                  audits;      /* ngx_http_eseal_audit_t * */
    ngx_array_t                  configs;     /* ngx_http_eseal_config_t * */
    ngx_int_t                    upstream_addr_index;
} ngx_http_eseal_main_conf_t;


typedef struct {
    ngx_flag_t                   enable;
    ngx_hash_t                   types;
    ngx_array_t                 *types_keys;

    ngx_http_eseal_keyconf_t     kc;
    ngx_uint_t                   kc_set;      /* a key directive is here */
    u_char                      *kc_file;     /* where, for messages */
    ngx_uint_t                   kc_line;
    u_char                      *on_file;     /* where "eseal on" is */
    ngx_uint_t                   on_line;

    ngx_uint_t                   level;
    size_t                       max_size;
    ngx_thread_pool_t           *thread_pool;
    ngx_array_t                 *tsa;         /* ngx_str_t */
    time_t                       net_timeout;
    ngx_uint_t                   placement;
    ngx_str_t                    audit_path;  /* "off": none */
    ngx_uint_t                   audit_nosync;

    /* resolved when the configuration is merged */
    ngx_http_eseal_sealer_t     *sealer;
    ngx_http_eseal_audit_t      *audit;
    eseal_seal_opts              opts;
} ngx_http_eseal_loc_conf_t;


ngx_int_t ngx_http_eseal_resolve(ngx_conf_t *cf,
    ngx_http_eseal_loc_conf_t *conf);
ngx_int_t ngx_http_eseal_init_process(ngx_cycle_t *cycle);
ngx_int_t ngx_http_eseal_filter_init(ngx_conf_t *cf);
void ngx_http_eseal_log_warning(eseal_log_level level, const char *document,
    const char *code, const char *message, void *payload);


extern ngx_module_t  ngx_http_eseal_module;


#endif /* _NGX_HTTP_ESEAL_MODULE_H_INCLUDED_ */
