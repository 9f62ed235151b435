/* eseal - error codes and the error record filled by every fallible call. */
#ifndef ESEAL_ERROR_H
#define ESEAL_ERROR_H

#include <eseal/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * X(name, value, text).  Document errors (the input itself is unusable or did
 * not verify) are EFORMAT, EREFUSED, EVERIFY and ELIMIT; everything else is a
 * usage, I/O or configuration problem.  See eseal_error_is_document().
 */
#define ESEAL_ERRORS(X)                                                       \
    X(EINVAL, -1, "invalid argument")                                         \
    X(ENOMEM, -2, "out of memory")                                            \
    X(EFORMAT, -3, "unknown or damaged document")                             \
    X(ECRYPTO, -4, "cryptographic operation failed")                          \
    X(ECERT, -5, "certificate problem")                                       \
    X(ETSA, -6, "timestamp problem")                                          \
    X(EIO, -7, "input/output error")                                          \
    X(ECONFIG, -8, "configuration error")                                     \
    X(EKEY, -9, "key problem")                                                \
    X(EPASS, -10, "wrong password")                                           \
    X(EREFUSED, -11, "document refused")                                      \
    X(EVERIFY, -12, "verification failed")                                    \
    X(EUNSUPPORTED, -13, "unsupported")                                       \
    X(ELIMIT, -14, "limit exceeded")

enum {
    ESEAL_OK = 0,
#define ESEAL_ERROR_ENUM(name, value, text) ESEAL_##name = value,
    ESEAL_ERRORS(ESEAL_ERROR_ENUM)
#undef ESEAL_ERROR_ENUM
};

/** One error: a code and a one-line message without secrets. */
typedef struct eseal_error {
    int code;          /* 0 or ESEAL_E* */
    char message[256]; /* one line, names the file concerned, no secrets */
} eseal_error;

/** Returns the symbolic name of a code ("EFORMAT"), or "UNKNOWN". */
ESEAL_API const char *eseal_err_name(int code);

/** Returns a short description of a code; never NULL. */
ESEAL_API const char *eseal_strerror(int code);

/**
 * Returns 1 when the code says the document itself was at fault (damaged,
 * refused, did not verify), 0 for usage, I/O, key and configuration errors.
 * The CLI maps the former to exit status 1, the latter to 2.
 */
ESEAL_API int eseal_error_is_document(int code);

#ifdef __cplusplus
}
#endif
#endif
