/* eseal - basic types shared by every public header. */
#ifndef ESEAL_COMMON_H
#define ESEAL_COMMON_H

#include <stddef.h>
#include <stdint.h>

#if defined(ESEAL_BUILDING) && defined(__GNUC__)
#define ESEAL_API __attribute__((visibility("default")))
#else
#define ESEAL_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/** A byte buffer.  When the library fills one, free it with eseal_bytes_free. */
typedef struct eseal_bytes {
    unsigned char *data;
    size_t len;
} eseal_bytes;

/** Frees the data of a buffer the library filled and zeroes it. NULL-safe. */
ESEAL_API void eseal_bytes_free(eseal_bytes *bytes);

/** Frees a string the library returned. NULL-safe. */
ESEAL_API void eseal_free(void *ptr);

#ifdef __cplusplus
}
#endif
#endif
