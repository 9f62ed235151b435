/* eseal - span lists and the verify job's list of found signatures. */
#include <stdlib.h>
#include <string.h>
#include "adapter.h"

int eseal__ranges_add(eseal_ranges *r, eseal_span_origin origin,
    uint64_t off, uint64_t len)
{
    if (r->count >= ESEAL_MAX_SPANS)
        return ESEAL_ELIMIT;
    r->span[r->count].origin = origin;
    r->span[r->count].off = off;
    r->span[r->count].len = len;
    r->count++;
    return 0;
}

int eseal__verify_job_add(eseal_verify_job *vj, eseal_found_signature **out,
    eseal_error *err)
{
    if (vj->n_found == vj->cap_found) {
        size_t cap = vj->cap_found ? vj->cap_found * 2 : 4;
        eseal_found_signature *grown =
            realloc(vj->found, cap * sizeof(*grown));

        if (grown == NULL)
            return eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
        vj->found = grown;
        vj->cap_found = cap;
    }
    *out = &vj->found[vj->n_found++];
    memset(*out, 0, sizeof(**out));
    return 0;
}
