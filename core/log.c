/* eseal - the sealer's log callback: warnings of successful seals. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "core_int.h"

void eseal_set_log(eseal_sealer *sealer, eseal_log_level level,
    eseal_log_fn cb, void *payload)
{
    if (sealer == NULL)
        return;
    sealer->log_cb = cb;
    sealer->log_payload = payload;
    sealer->log_level = level;
}

const char *eseal_log_level_name(eseal_log_level level)
{
    switch (level) {
    case ESEAL_LOG_WARNING:
        return "warning";
    case ESEAL_LOG_INFO:
        return "info";
    case ESEAL_LOG_DEBUG:
        return "debug";
    default:
        return NULL;
    }
}

int eseal__sealer_logs(const eseal_sealer *sealer, eseal_log_level level)
{
    return sealer != NULL && sealer->log_cb != NULL &&
        level <= sealer->log_level;
}

void eseal__sealer_log(const eseal_sealer *sealer, eseal_log_level level,
    const char *document, const char *code, const char *fmt, ...)
{
    char message[512], *nl;
    va_list ap;

    if (!eseal__sealer_logs(sealer, level))
        return;
    va_start(ap, fmt);
    vsnprintf(message, sizeof(message), fmt, ap);
    va_end(ap);
    /* one line, always */
    while ((nl = strpbrk(message, "\r\n")) != NULL)
        *nl = ' ';
    sealer->log_cb(level, document, code, message, sealer->log_payload);
}
