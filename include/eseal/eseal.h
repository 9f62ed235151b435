/* eseal - e-Seals for PDF and XML documents.  Umbrella header. */
#ifndef ESEAL_H
#define ESEAL_H

#include <eseal/common.h>
#include <eseal/error.h>
#include <eseal/sealer.h>
#include <eseal/seal.h>
#include <eseal/verify.h>
#include <eseal/cert.h>
#include <eseal/config.h>
#include <eseal/demo.h>
#include <eseal/log.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Sets up OpenSSL (and later libxml2/xmlsec) once.  Idempotent and
 * reference-counted; call it before starting threads or workers.
 * Returns 0 or a negative ESEAL_E* code.
 */
ESEAL_API int eseal_init(eseal_error *err);

/** Drops one reference taken by eseal_init(). */
ESEAL_API void eseal_shutdown(void);

/** Returns the library version, "MAJOR.MINOR.PATCH". */
ESEAL_API const char *eseal_version(void);

#ifdef __cplusplus
}
#endif
#endif
