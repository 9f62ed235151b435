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
 * Reads and checks a configuration file (path NULL: ESEAL_DEFAULT_CONFIG;
 * the format is in docs/config.md).  Like ssh, refuses a file owned by
 * someone other than the caller or root, or writable by group or others;
 * a file that holds a password must not be accessible by group or others
 * at all.  Relative file names in it resolve against its directory.
 * Unknown groups and keys, bad values and duplicates are errors that name
 * the file, the line, the group and the problem (ESEAL_ECONFIG); a file
 * that cannot be read is ESEAL_EIO.  Blocks on file I/O.  On success the
 * caller frees *out with eseal_config_free().
 */
ESEAL_API int eseal_config_load(eseal_config **out, const char *path,
    eseal_error *err);

/** Frees a configuration and wipes the passwords it held.  NULL-safe. */
ESEAL_API void eseal_config_free(eseal_config *config);

/**
 * Looks a profile up by name; NULL selects the default profile (the
 * `default_profile` setting, else the one named "default", else the only
 * profile).  *out is borrowed from config.  ESEAL_ECONFIG if unknown.
 */
ESEAL_API int eseal_config_profile(const eseal_profile **out,
    const eseal_config *config, const char *name, eseal_error *err);

/**
 * Names of all profiles in file order, NULL-terminated, borrowed from
 * config (an empty list, never NULL).
 */
ESEAL_API const char *const *eseal_config_profile_names(
    const eseal_config *config);

/**
 * The [assurance] table as "OID=level" strings, NULL-terminated and
 * borrowed from config (every profile's verify.assurance_levels points to
 * it); NULL when the file has no [assurance] group, which selects the
 * built-in table.  For callers that verify without choosing a profile.
 */
ESEAL_API const char *const *eseal_config_assurance_levels(
    const eseal_config *config);

#ifdef __cplusplus
}
#endif
#endif
