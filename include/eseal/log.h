/* eseal - warnings of successful operations, passed to the caller. */
#ifndef ESEAL_LOG_H
#define ESEAL_LOG_H

#include <eseal/common.h>
#include <eseal/sealer.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The library never prints.  Errors are returned (eseal_error); what a
 * caller should hear about a seal that succeeded goes to its log
 * callback.  Messages never hold keys, PINs or document contents. */
typedef enum eseal_log_level {
    ESEAL_LOG_WARNING = 1, /* the seal is made, but a receiver may object */
    ESEAL_LOG_INFO,        /* choices the library made for the caller */
    ESEAL_LOG_DEBUG
} eseal_log_level;

/**
 * Receives one message.  document names the document (a file name, or the
 * name the caller gave a buffer; may be NULL); code is a stable identifier
 * of the kind of message (e.g. "xml-schema-no-signature"), for filtering;
 * message is one line of text.  Called from the thread that seals, so
 * several threads may call it at once.  The strings live for the call
 * only.
 */
typedef void (*eseal_log_fn)(eseal_log_level level, const char *document,
    const char *code, const char *message, void *payload);

/**
 * Sends the sealer's messages of level or more important to cb (NULL:
 * none, the default).  Set it before the sealer is shared by threads.
 */
ESEAL_API void eseal_set_log(eseal_sealer *sealer, eseal_log_level level,
    eseal_log_fn cb, void *payload);

/** Returns "warning", "info", "debug", or NULL. */
ESEAL_API const char *eseal_log_level_name(eseal_log_level level);

#ifdef __cplusplus
}
#endif
#endif
