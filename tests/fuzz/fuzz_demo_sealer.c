/* Fuzz targets' helper: a sealer on a throw-away demo PKI. */
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include "fuzz_demo_sealer.h"

static char dir[64];

static int remove_one(const char *path, const struct stat *st, int flag,
    struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

/* The demo PKI goes when the fuzzer exits. */
static void remove_dir(void)
{
    nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

eseal_sealer *fuzz_demo_sealer(const char *tag, char *trust,
    size_t trust_size)
{
    eseal_sealer_opts opts = ESEAL_SEALER_OPTS_INIT;
    eseal_sealer *sealer = NULL;
    eseal_error err = { 0 };
    char pki[512], key[600], cert[600], chain[600];

    snprintf(dir, sizeof(dir), "/tmp/eseal-fuzz-%.20s.XXXXXX", tag);
    if (eseal_init(&err) < 0 || mkdtemp(dir) == NULL)
        abort();
    atexit(remove_dir);
    snprintf(pki, sizeof(pki), "%s/pki", dir);
    if (eseal_demo_pki(pki, NULL, &err) < 0) {
        fprintf(stderr, "demo-pki: %s\n", err.message);
        abort();
    }
    snprintf(key, sizeof(key), "%s/eseal-ec.key", pki);
    snprintf(cert, sizeof(cert), "%s/eseal-ec.pem", pki);
    snprintf(chain, sizeof(chain), "%s/chain.pem", pki);
    snprintf(trust, trust_size, "%s/trust.pem", pki);
    opts.key = key;
    opts.cert = cert;
    opts.chain = chain;
    if (eseal_sealer_open(&sealer, &opts, &err) < 0) {
        fprintf(stderr, "sealer: %s\n", err.message);
        abort();
    }
    return sealer;
}
