/* eseal - the configuration file (/etc/eseal/eseal.conf) and its profiles. */
#ifndef ESEAL_CONFIG_H
#define ESEAL_CONFIG_H

#include <eseal/common.h>
#include <eseal/error.h>
#include <eseal/sealer.h>
#include <eseal/seal.h>
#include <eseal/verify.h>

#ifdef __cplusplus
extern "C" {
#endif

#define ESEAL_DEFAULT_CONFIG "/etc/eseal/eseal.conf"

/** Opaque parsed configuration. */
typedef struct eseal_config eseal_config;

/**
 * One named profile.  Every pointer is borrowed from the eseal_config and
 * lives as long as it does.  Ready to hand to eseal_sealer_open(),
 * eseal_seal_*() and eseal_verify_*().
 */
typedef struct eseal_profile {
    const char *name;
    eseal_sealer_opts sealer;   /* key, cert, chain, password source, digest */
    eseal_seal_opts seal;       /* format, level, tsa_urls, certify... */
    eseal_verify_opts verify;   /* trust, assurance level table */
    const char *placement;      /* XML placement, or NULL */
    const char *c14n;           /* XML canonicalization, or NULL */
    const char *audit;          /* audit log path, or NULL */
} eseal_profile;

/**
 * Reads and checks a configuration file.  A file that holds a secret
 * (a password) must not be readable by group or others.  Errors name the
 * file, the line and the problem.  Free with eseal_config_free().
 */
ESEAL_API int eseal_config_load(eseal_config **out, const char *path,
    eseal_error *err);

ESEAL_API void eseal_config_free(eseal_config *config);

/**
 * Looks a profile up by name; NULL selects the default profile (the
 * `default_profile` setting, else the one named "default", else the only
 * profile).  *out is borrowed from config.  ESEAL_ECONFIG if unknown.
 */
ESEAL_API int eseal_config_profile(const eseal_profile **out,
    const eseal_config *config, const char *name, eseal_error *err);

/** Names of all profiles, NULL-terminated, borrowed from config. */
ESEAL_API const char *const *eseal_config_profile_names(
    const eseal_config *config);

#ifdef __cplusplus
}
#endif
#endif
