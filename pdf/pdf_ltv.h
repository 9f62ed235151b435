/*
 * eseal PDF adapter - long-term validation: the document security store
 * (/DSS, pdf_dss.c), document timestamps (pdf_doctime.c) and raising a
 * document's level (pdf_ltv.c).  PAdES, ETSI EN 319 142-1.
 */
#ifndef ESEAL_PDF_LTV_H
#define ESEAL_PDF_LTV_H

#include "../core/ltv.h"
#include "pdf_reader.h"

/*
 * Prepares an incremental update that adds a document timestamp field:
 * the signature dictionary is /Type /DocTimeStamp /SubFilter
 * /ETSI.RFC3161, with a /Contents placeholder of job->max_signature_len
 * bytes (pdf_seal.c).  Like the adapter's prepare otherwise; embed fills
 * the placeholder.
 */
int eseal__pdf_prepare_doc_timestamp(eseal_job *job, eseal_ranges *tbs,
    eseal_error *err);

/*
 * Appends a document timestamp from ctx's authorities to *doc (replaced
 * by the whole new document).  *token gets a copy of the token (may be
 * NULL).
 */
int eseal__pdf_add_doc_timestamp(eseal_bytes *doc, const char *name,
    const eseal_ltv_ctx *ctx, eseal_bytes *token, eseal_error *err);

/*
 * Appends an incremental update that adds what vd holds to the /DSS
 * (certificates, OCSP responses, CRLs; what the DSS holds already is not
 * repeated, and its entries are kept).  *doc is replaced.
 */
int eseal__pdf_add_dss(eseal_bytes *doc, const char *name,
    const eseal_vdata *vd, eseal_error *err);

/* Reads the /DSS of a document; *dss_off: offset of the DSS dictionary's
 * object (0: none). */
int eseal__pdf_read_dss(eseal_vdata *vd, uint64_t *dss_off,
    const eseal_source *src, eseal_error *err);

#endif
