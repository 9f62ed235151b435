/* eseal - internals of the configuration file (core/config.c). */
#ifndef ESEAL_CONFIG_INT_H
#define ESEAL_CONFIG_INT_H

#include "eseal_int.h"

/* Limits on what a configuration file may hold. */
#define ESEAL_CONFIG_MAX_SIZE (1024 * 1024)
#define ESEAL_CONFIG_MAX_PROFILES 256
#define ESEAL_CONFIG_MAX_TSA 16
#define ESEAL_CONFIG_MAX_ASSURANCE 1024

/*
 * Parses a configuration held in memory (what eseal_config_load() does
 * after reading and checking the file).  name is used in messages;
 * base_dir is where relative paths resolve (NULL: they stay relative).
 * secrets_ok says whether a `password` key is acceptable (the file is
 * private to its owner).  Returns 0 or ESEAL_ECONFIG / ESEAL_ENOMEM.
 */
int eseal__config_load_buffer(eseal_config **out, const char *data,
    size_t len, const char *name, const char *base_dir, int secrets_ok,
    eseal_error *err);

#endif
