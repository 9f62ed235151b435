/* Fuzz targets' helper: a sealer on a throw-away demo PKI. */
#ifndef FUZZ_DEMO_SEALER_H
#define FUZZ_DEMO_SEALER_H

#include <stddef.h>
#include <eseal/eseal.h>

/*
 * Initializes eseal, makes a demo PKI in a new directory under /tmp (named
 * after tag; removed when the process exits) and opens a sealer on its
 * ECDSA P-256 key with the chain.  trust gets the path of the PKI's trust
 * file.  Aborts with a message on any failure: a fuzzer cannot run without.
 */
eseal_sealer *fuzz_demo_sealer(const char *tag, char *trust,
    size_t trust_size);

#endif
