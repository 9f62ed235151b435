/* placeholder until the XAdES adapter lands: claims no document. */
#include "xml_adapter.h"

static int detect(const unsigned char *head, size_t len)
{
    (void)head;
    (void)len;
    return 0;
}

const eseal_adapter eseal__xml_adapter = {
    .version = ESEAL_ADAPTER_VERSION,
    .name = "xml",
    .format = ESEAL_FORMAT_XML,
    .caps = ESEAL_CAP_RAW_SIG,
    .detect = detect,
};

int eseal__xml_global_init(eseal_error *err)
{
    (void)err;
    return 0;
}

void eseal__xml_global_shutdown(void)
{
}
