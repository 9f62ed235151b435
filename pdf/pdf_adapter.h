/* eseal PDF adapter - entry points shared by the adapter's files. */
#ifndef ESEAL_PDF_ADAPTER_H
#define ESEAL_PDF_ADAPTER_H

#include "../core/adapter.h"

/* The adapter vtable (pdf_seal.c). */
extern const eseal_adapter eseal__pdf_adapter;

/* Finds every signature and document timestamp (pdf_sigfind.c). */
int eseal__pdf_find_signatures(eseal_verify_job *vj, eseal_error *err);
void eseal__pdf_verify_cleanup(eseal_verify_job *vj);

/*
 * Classifies what changed between the revision that ends at covered_end
 * and the whole document (pdf_diff.c): ESEAL_MODS_NONE when nothing follows,
 * PERMITTED when later revisions only add what PAdES allows (signature
 * fields and their widgets, signature dictionaries, DSS, document
 * timestamps, the AcroForm/catalog/page entries these need), FORBIDDEN
 * otherwise.  Appends human-readable reasons for a FORBIDDEN verdict to
 * *reasons.
 */
int eseal__pdf_classify_changes(eseal_modifications *out,
    const unsigned char *data, uint64_t size, uint64_t covered_end,
    const char *name, char ***reasons, size_t *n_reasons, eseal_error *err);

/* Re-opens a sealed PDF with Poppler (pdf_selfcheck.c). */
int eseal__pdf_self_check(const eseal_source *sealed, eseal_error *err);

#endif
