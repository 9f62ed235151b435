/* eseal - the verification report and its JSON form (DESIGN.md contract). */
#include <stdlib.h>
#include <string.h>
#include "core_int.h"
#include "certinfo_int.h"

static void *grow(void *array, size_t *n, size_t elem)
{
    unsigned char *p = realloc(array, (*n + 1) * elem);

    if (p == NULL)
        return NULL;
    memset(p + *n * elem, 0, elem);
    (*n)++;
    return p;
}

int eseal__report_add_signature(eseal_report *r,
    eseal_signature_report **out)
{
    size_t n = r->n_sigs;
    eseal_signature_report *p = grow(r->sigs, &n, sizeof(*p));

    if (p == NULL)
        return ESEAL_ENOMEM;
    r->sigs = p;
    r->n_sigs = n;
    *out = &p[n - 1];
    (*out)->level = -1;
    return 0;
}

int eseal__report_add_doc_timestamp(eseal_report *r,
    eseal_doc_timestamp_report **out)
{
    size_t n = r->n_doc_ts;
    eseal_doc_timestamp_report *p = grow(r->doc_ts, &n, sizeof(*p));

    if (p == NULL)
        return ESEAL_ENOMEM;
    r->doc_ts = p;
    r->n_doc_ts = n;
    *out = &p[n - 1];
    return 0;
}

static void add_message(char ***list, size_t *n, const char *fmt, va_list ap)
{
    char msg[512];

    vsnprintf(msg, sizeof(msg), fmt, ap);
    (void)eseal__strlist_add(list, n, msg);
}

void eseal__sig_error(eseal_signature_report *s, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    add_message(&s->errors, &s->n_errors, fmt, ap);
    va_end(ap);
}

void eseal__sig_warning(eseal_signature_report *s, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    add_message(&s->warnings, &s->n_warnings, fmt, ap);
    va_end(ap);
}

void eseal_report_free(eseal_report *r)
{
    size_t i;

    if (r == NULL)
        return;
    for (i = 0; i < r->n_sigs; i++) {
        eseal_signature_report *s = &r->sigs[i];

        free(s->timestamp_authority);
        free(s->assurance_level);
        eseal__signer_clear(&s->signer);
        eseal__strlist_free(s->errors, s->n_errors);
        eseal__strlist_free(s->warnings, s->n_warnings);
    }
    for (i = 0; i < r->n_doc_ts; i++)
        free(r->doc_ts[i].authority);
    free(r->sigs);
    free(r->doc_ts);
    free(r->file);
    free(r);
}

int eseal_report_valid(const eseal_report *r)
{
    size_t i;

    if (r == NULL || r->n_sigs == 0)
        return 0;
    for (i = 0; i < r->n_sigs; i++)
        if (!r->sigs[i].valid)
            return 0;
    for (i = 0; i < r->n_doc_ts; i++)
        if (!r->doc_ts[i].valid)
            return 0;
    return 1;
}

const char *eseal_report_file(const eseal_report *r)
{
    return r->file;
}

eseal_format eseal_report_format(const eseal_report *r)
{
    return r->format;
}

size_t eseal_report_signature_count(const eseal_report *r)
{
    return r->n_sigs;
}

const eseal_signature_report *eseal_report_signature(const eseal_report *r,
    size_t index)
{
    return index < r->n_sigs ? &r->sigs[index] : NULL;
}

size_t eseal_report_doc_timestamp_count(const eseal_report *r)
{
    return r->n_doc_ts;
}

const eseal_doc_timestamp_report *eseal_report_doc_timestamp(
    const eseal_report *r, size_t index)
{
    return index < r->n_doc_ts ? &r->doc_ts[index] : NULL;
}

const char *eseal_modifications_name(eseal_modifications m)
{
    switch (m) {
    case ESEAL_MODS_NONE:
        return "none";
    case ESEAL_MODS_PERMITTED:
        return "permitted";
    default:
        return "forbidden";
    }
}

const char *eseal_revocation_name(eseal_revocation r)
{
    switch (r) {
    case ESEAL_REVOCATION_GOOD:
        return "good";
    case ESEAL_REVOCATION_REVOKED:
        return "revoked";
    case ESEAL_REVOCATION_UNKNOWN:
        return "unknown";
    default:
        return "not_checked";
    }
}

static void json_strings(eseal_json *j, char *const *list, size_t n)
{
    size_t i;

    eseal__json_begin_array(j);
    for (i = 0; i < n; i++)
        eseal__json_string(j, list[i]);
    eseal__json_end_array(j);
}

static void json_signer(eseal_json *j, const eseal_signer *s)
{
    eseal__json_begin_object(j);
    eseal__json_key(j, "subject");
    eseal__json_string(j, s->subject);
    eseal__json_key(j, "organization");
    eseal__json_string(j, s->organization);
    eseal__json_key(j, "organization_identifier");
    eseal__json_string(j, s->organization_identifier);
    eseal__json_key(j, "organization_identifiers");
    json_strings(j, s->organization_identifiers,
        s->n_organization_identifiers);
    eseal__json_key(j, "serial");
    eseal__json_string(j, s->serial);
    eseal__json_key(j, "issuer");
    eseal__json_string(j, s->issuer);
    eseal__json_end_object(j);
}

static void json_signature(eseal_json *j, const eseal_signature_report *s)
{
    eseal__json_begin_object(j);
    eseal__json_key(j, "valid");
    eseal__json_bool(j, s->valid);
    eseal__json_key(j, "integrity");
    eseal__json_bool(j, s->integrity);
    eseal__json_key(j, "covers_whole_document");
    eseal__json_bool(j, s->covers_whole_document);
    eseal__json_key(j, "modifications_after");
    eseal__json_string(j, eseal_modifications_name(s->modifications_after));
    eseal__json_key(j, "kind");
    eseal__json_string(j, s->kind);
    eseal__json_key(j, "level");
    eseal__json_string(j, s->level < 0 ? NULL
                                       : eseal_level_name(s->level));
    eseal__json_key(j, "chain_trusted");
    eseal__json_bool(j, s->chain_trusted);
    eseal__json_key(j, "revocation");
    eseal__json_string(j, eseal_revocation_name(s->revocation));
    eseal__json_key(j, "signing_time");
    eseal__json_time(j, s->signing_time);
    eseal__json_key(j, "timestamp_time");
    eseal__json_time(j, s->timestamp_time);
    eseal__json_key(j, "timestamp_authority");
    eseal__json_string(j, s->timestamp_authority);
    eseal__json_key(j, "assurance_level");
    eseal__json_string(j, s->assurance_level);
    eseal__json_key(j, "certification");
    eseal__json_bool(j, s->certification);
    eseal__json_key(j, "docmdp_permissions");
    if (s->docmdp_permissions > 0)
        eseal__json_int(j, s->docmdp_permissions);
    else
        eseal__json_null(j);
    eseal__json_key(j, "signer");
    json_signer(j, &s->signer);
    eseal__json_key(j, "errors");
    json_strings(j, s->errors, s->n_errors);
    eseal__json_key(j, "warnings");
    json_strings(j, s->warnings, s->n_warnings);
    eseal__json_end_object(j);
}

char *eseal_report_json(const eseal_report *r)
{
    eseal_json j;
    size_t i;

    memset(&j, 0, sizeof(j));
    j.pretty = 1;
    eseal__json_begin_object(&j);
    eseal__json_key(&j, "file");
    eseal__json_string(&j, r->file);
    eseal__json_key(&j, "format");
    eseal__json_string(&j, eseal_format_name(r->format));
    eseal__json_key(&j, "valid");
    eseal__json_bool(&j, eseal_report_valid(r));
    eseal__json_key(&j, "signatures");
    eseal__json_begin_array(&j);
    for (i = 0; i < r->n_sigs; i++)
        json_signature(&j, &r->sigs[i]);
    eseal__json_end_array(&j);
    eseal__json_key(&j, "document_timestamps");
    eseal__json_begin_array(&j);
    for (i = 0; i < r->n_doc_ts; i++) {
        eseal__json_begin_object(&j);
        eseal__json_key(&j, "valid");
        eseal__json_bool(&j, r->doc_ts[i].valid);
        eseal__json_key(&j, "time");
        eseal__json_time(&j, r->doc_ts[i].time);
        eseal__json_key(&j, "authority");
        eseal__json_string(&j, r->doc_ts[i].authority);
        eseal__json_end_object(&j);
    }
    eseal__json_end_array(&j);
    eseal__json_end_object(&j);
    return eseal__buf_steal(&j.buf, NULL);
}
