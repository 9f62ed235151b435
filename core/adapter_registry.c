/* eseal - the table of format adapters and format detection. */
#include <stddef.h>
#include "adapter.h"
#include "eseal_config.h"
#if ESEAL_HAVE_PDF
#include "../pdf/pdf_adapter.h"
#endif
#if ESEAL_HAVE_XML
#include "../xml/xml_adapter.h"
#endif

const eseal_adapter *const eseal__adapters[] = {
#if ESEAL_HAVE_PDF
    &eseal__pdf_adapter,
#endif
#if ESEAL_HAVE_XML
    &eseal__xml_adapter,
#endif
    NULL
};

const eseal_adapter *eseal__adapter_find(eseal_format format,
    const unsigned char *head, size_t len)
{
    const eseal_adapter *best = NULL;
    int best_score = 0;
    size_t i;

    for (i = 0; eseal__adapters[i] != NULL; i++) {
        const eseal_adapter *a = eseal__adapters[i];
        int score;

        if (format != ESEAL_FORMAT_AUTO) {
            if (a->format == format)
                return a;
            continue;
        }
        score = a->detect(head, len);
        if (score > best_score) {
            best_score = score;
            best = a;
        }
    }
    return best;
}

const char *eseal_format_name(eseal_format format)
{
    switch (format) {
    case ESEAL_FORMAT_PDF:
        return "pdf";
    case ESEAL_FORMAT_XML:
        return "xml";
    default:
        return NULL;
    }
}
