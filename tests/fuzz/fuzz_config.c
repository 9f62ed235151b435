/*
 * libFuzzer target: the configuration file parser (core/config.c,
 * core/config_profile.c).
 *
 * Build by hand (clang), from the source root, after `meson setup build`:
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -DESEAL_BUILDING \
 *     -D_GNU_SOURCE -Iinclude -I. -Ibuild tests/fuzz/fuzz_config.c \
 *     core/config.c core/config_profile.c core/error.c core/buf.c \
 *     core/json.c \
 *     $(pkg-config --cflags --libs glib-2.0) -lcrypto -o fuzz_config
 *   ./fuzz_config -max_len=4096 corpus/ samples/eseal.conf.example
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "core/eseal_int.h"
#include "core/config_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    eseal_config *config = NULL;
    eseal_error err;
    const eseal_profile *p;
    const char *const *names, *const *s;
    size_t n = 0;

    memset(&err, 0, sizeof(err));
    if (eseal__config_load_buffer(&config, (const char *)data, size,
            "fuzz.conf", "/fuzz", 1, &err) < 0) {
        /* a failure must leave a one-line message and no config */
        if (config != NULL || err.code >= 0 ||
            memchr(err.message, '\n', sizeof(err.message)) != NULL)
            __builtin_trap();
        return 0;
    }
    /* touch everything the profiles point to */
    for (names = eseal_config_profile_names(config); *names != NULL;
         names++) {
        if (eseal_config_profile(&p, config, *names, &err) < 0)
            __builtin_trap();
        n += strlen(p->name);
        if (p->sealer.key != NULL)
            n += strlen(p->sealer.key);
        if (p->sealer.password != NULL)
            n += strlen(p->sealer.password);
        for (s = p->seal.tsa_urls; s != NULL && *s != NULL; s++)
            n += strlen(*s);
        for (s = p->verify.assurance_levels; s != NULL && *s != NULL; s++)
            n += strlen(*s);
    }
    (void)eseal_config_profile(&p, config, NULL, &err);
    eseal_config_free(config);
    return n == (size_t)-1;
}
