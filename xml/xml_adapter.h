/* eseal XAdES adapter - entry points the core uses. */
#ifndef ESEAL_XML_ADAPTER_H
#define ESEAL_XML_ADAPTER_H

#include "../core/adapter.h"

/* The adapter vtable. */
extern const eseal_adapter eseal__xml_adapter;

/* Process-wide set-up of libxml2 and xmlsec (called once by eseal_init
 * under its lock) and the matching shutdown (last eseal_shutdown). */
int eseal__xml_global_init(eseal_error *err);
void eseal__xml_global_shutdown(void);

#endif
