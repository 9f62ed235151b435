/* eseal - error codes, names and the error record. */
#include <stdio.h>
#include <string.h>
#include <openssl/err.h>
#include "eseal_int.h"

const char *eseal_err_name(int code)
{
    switch (code) {
    case ESEAL_OK:
        return "OK";
#define ESEAL_ERROR_NAME(name, value, text) case ESEAL_##name: return #name;
        ESEAL_ERRORS(ESEAL_ERROR_NAME)
#undef ESEAL_ERROR_NAME
    default:
        return "UNKNOWN";
    }
}

const char *eseal_strerror(int code)
{
    switch (code) {
    case ESEAL_OK:
        return "success";
#define ESEAL_ERROR_TEXT(name, value, text) case ESEAL_##name: return text;
        ESEAL_ERRORS(ESEAL_ERROR_TEXT)
#undef ESEAL_ERROR_TEXT
    default:
        return "unknown error";
    }
}

int eseal_error_is_document(int code)
{
    return code == ESEAL_EFORMAT || code == ESEAL_EREFUSED ||
           code == ESEAL_EVERIFY || code == ESEAL_ELIMIT;
}

static void set_message(eseal_error *err, int code, const char *fmt,
    va_list ap)
{
    char *nl;

    err->code = code;
    vsnprintf(err->message, sizeof(err->message), fmt, ap);
    /* one line, always */
    while ((nl = strpbrk(err->message, "\r\n")) != NULL)
        *nl = ' ';
}

int eseal__error_set(eseal_error *err, int code, const char *fmt, ...)
{
    va_list ap;

    if (err == NULL)
        return code;
    va_start(ap, fmt);
    set_message(err, code, fmt, ap);
    va_end(ap);
    return code;
}

int eseal__error_ossl(eseal_error *err, int code, const char *fmt, ...)
{
    unsigned long e = ERR_peek_error();
    va_list ap;

    if (err != NULL) {
        va_start(ap, fmt);
        set_message(err, code, fmt, ap);
        va_end(ap);
        if (e != 0) {
            const char *reason = ERR_reason_error_string(e);
            size_t used = strlen(err->message);

            if (reason != NULL)
                snprintf(err->message + used, sizeof(err->message) - used,
                    ": %s", reason);
            else
                snprintf(err->message + used, sizeof(err->message) - used,
                    ": OpenSSL error %lx", e);
        }
    }
    ERR_clear_error();
    return code;
}
