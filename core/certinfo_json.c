/* eseal - rendering a certificate inspection as JSON and as text. */
#include <stdlib.h>
#include <string.h>
#include "eseal_int.h"

/* ---- JSON -------------------------------------------------------------- */

static void json_list(eseal_json *j, const char *key, char *const *list,
    size_t n)
{
    size_t i;

    eseal__json_key(j, key);
    eseal__json_begin_array(j);
    for (i = 0; i < n; i++)
        eseal__json_string(j, list[i]);
    eseal__json_end_array(j);
}

/* Like json_list(), null when the extension is absent. */
static void json_opt_list(eseal_json *j, const char *key, int present,
    char *const *list, size_t n)
{
    if (present) {
        json_list(j, key, list, n);
    } else {
        eseal__json_key(j, key);
        eseal__json_null(j);
    }
}

static void json_str(eseal_json *j, const char *key, const char *v)
{
    eseal__json_key(j, key);
    eseal__json_string(j, v);
}

static void json_findings(eseal_json *j, const char *key,
    const eseal_cert_warning *w, size_t n)
{
    size_t i;

    eseal__json_key(j, key);
    eseal__json_begin_array(j);
    for (i = 0; i < n; i++)
        eseal__json_string(j, w[i].message);
    eseal__json_end_array(j);
}

static void json_org_ids(eseal_json *j, const eseal_cert_info *info)
{
    size_t i;

    eseal__json_key(j, "organization_identifiers");
    eseal__json_begin_array(j);
    for (i = 0; i < info->n_org_ids; i++) {
        const eseal_org_id *id = &info->org_ids[i];

        eseal__json_begin_object(j);
        json_str(j, "value", id->value);
        json_str(j, "scheme", id->scheme[0] ? id->scheme : NULL);
        json_str(j, "country", id->country[0] ? id->country : NULL);
        json_str(j, "number", id->number);
        json_str(j, "check", eseal_id_check_name(id->check));
        json_str(j, "reason", id->reason);
        eseal__json_end_object(j);
    }
    eseal__json_end_array(j);
}

static void json_policies(eseal_json *j, const eseal_cert_info *info)
{
    size_t i;

    eseal__json_key(j, "policies");
    eseal__json_begin_array(j);
    for (i = 0; i < info->n_policies; i++) {
        const eseal_cert_policy *p = &info->policies[i];

        eseal__json_begin_object(j);
        json_str(j, "oid", p->oid);
        json_str(j, "cps", p->n_cps_uris > 0 ? p->cps_uris[0] : NULL);
        json_list(j, "cps_uris", p->cps_uris, p->n_cps_uris);
        json_str(j, "user_notice", p->user_notice);
        eseal__json_end_object(j);
    }
    eseal__json_end_array(j);
}

static void json_qc(eseal_json *j, const eseal_cert_info *info)
{
    eseal__json_key(j, "qc_statements");
    if (!info->has_qc_statements) {
        eseal__json_null(j);
        return;
    }
    eseal__json_begin_object(j);
    eseal__json_key(j, "compliance");
    eseal__json_bool(j, info->qc_compliance);
    json_list(j, "types", info->qc_types, info->n_qc_types);
    eseal__json_key(j, "sscd");
    eseal__json_bool(j, info->qc_sscd);
    json_list(j, "pds_urls", info->qc_pds_urls, info->n_qc_pds_urls);
    json_str(j, "semantics_identifier", info->semantics_identifier);
    eseal__json_end_object(j);
}

char *eseal_cert_info_json(const eseal_cert_info *info)
{
    eseal_json j;

    if (info == NULL)
        return NULL;
    memset(&j, 0, sizeof(j));
    j.pretty = 1;
    eseal__json_begin_object(&j);
    json_str(&j, "subject", info->subject);
    json_str(&j, "issuer", info->issuer);
    json_str(&j, "serial", info->serial);
    eseal__json_key(&j, "not_before");
    eseal__json_time(&j, info->not_before);
    eseal__json_key(&j, "not_after");
    eseal__json_time(&j, info->not_after);
    json_str(&j, "common_name", info->common_name);
    json_str(&j, "organization", info->organization);
    json_str(&j, "organizational_unit", info->organizational_unit);
    json_str(&j, "country", info->country);
    json_org_ids(&j, info);

    eseal__json_key(&j, "key");
    eseal__json_begin_object(&j);
    json_str(&j, "type", info->key_type);
    eseal__json_key(&j, "bits");
    if (info->key_bits > 0)
        eseal__json_int(&j, info->key_bits);
    else
        eseal__json_null(&j);
    json_str(&j, "curve", info->key_curve);
    eseal__json_end_object(&j);
    json_str(&j, "signature_algorithm", info->signature_algorithm);

    json_opt_list(&j, "key_usage", info->has_key_usage, info->key_usage,
        info->n_key_usage);
    json_opt_list(&j, "extended_key_usage", info->has_extended_key_usage,
        info->extended_key_usage, info->n_extended_key_usage);
    eseal__json_key(&j, "basic_constraints_ca");
    if (info->has_basic_constraints)
        eseal__json_bool(&j, info->basic_constraints_ca);
    else
        eseal__json_null(&j);
    json_str(&j, "subject_key_id", info->subject_key_id);
    json_str(&j, "authority_key_id", info->authority_key_id);
    json_policies(&j, info);
    json_str(&j, "assurance_level", info->assurance_level);
    json_list(&j, "subject_alt_names", info->subject_alt_names,
        info->n_subject_alt_names);
    json_list(&j, "crl_urls", info->crl_urls, info->n_crl_urls);
    json_list(&j, "ocsp_urls", info->ocsp_urls, info->n_ocsp_urls);
    json_list(&j, "ca_issuer_urls", info->ca_issuer_urls,
        info->n_ca_issuer_urls);
    json_str(&j, "lei", info->lei);
    json_str(&j, "lei_role", info->lei_role);
    json_qc(&j, info);
    eseal__json_key(&j, "fit_for_sealing");
    eseal__json_bool(&j, info->fit_for_sealing);
    json_findings(&j, "warnings", info->warnings, info->n_warnings);
    json_findings(&j, "notes", info->notes, info->n_notes);
    eseal__json_end_object(&j);
    return eseal__buf_steal(&j.buf, NULL);
}

/* ---- text ------------------------------------------------------------ */

#define LABEL_WIDTH 22

/* Appends s with control characters replaced, so that a certificate
 * cannot drive the terminal. */
static void put(eseal_buf *b, const char *s)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "(none)");

    for (; *p; p++) {
        if (*p < 0x20 || *p == 0x7f)
            eseal__buf_puts(b, "?");
        else
            eseal__buf_append(b, p, 1);
    }
}

static void label(eseal_buf *b, const char *name)
{
    eseal__buf_printf(b, "%-*s", LABEL_WIDTH, name);
}

static void field(eseal_buf *b, const char *name, const char *v)
{
    label(b, name);
    put(b, v);
    eseal__buf_puts(b, "\n");
}

/* One value a line, aligned after the label. */
static void field_list(eseal_buf *b, const char *name, char *const *list,
    size_t n)
{
    size_t i;

    label(b, name);
    if (n == 0)
        eseal__buf_puts(b, "(none)\n");
    for (i = 0; i < n; i++) {
        if (i > 0)
            label(b, "");
        put(b, list[i]);
        eseal__buf_puts(b, "\n");
    }
}

static void text_time(eseal_buf *b, time_t t)
{
    char s[21];

    if (t == 0) {
        eseal__buf_puts(b, "(unreadable)");
        return;
    }
    eseal__time_rfc3339(s, t);
    eseal__buf_puts(b, s);
}

static void text_findings(eseal_buf *b, const char *title,
    const eseal_cert_warning *w, size_t n)
{
    size_t i;

    if (n == 0)
        return;
    eseal__buf_printf(b, "%s:\n", title);
    for (i = 0; i < n; i++) {
        eseal__buf_puts(b, "  - ");
        put(b, w[i].message);
        eseal__buf_puts(b, "\n");
    }
}

static void text_ids_and_key(eseal_buf *b, const eseal_cert_info *info)
{
    size_t i;

    label(b, "Organization ids:");
    if (info->n_org_ids == 0)
        eseal__buf_puts(b, "(none)\n");
    for (i = 0; i < info->n_org_ids; i++) {
        const eseal_org_id *id = &info->org_ids[i];

        if (i > 0)
            label(b, "");
        put(b, id->value);
        eseal__buf_printf(b, "  [%s: ", eseal_id_check_name(id->check));
        put(b, id->reason);
        eseal__buf_puts(b, "]\n");
    }
    label(b, "Key:");
    put(b, info->key_type);
    if (info->key_curve != NULL) {
        eseal__buf_puts(b, " ");
        put(b, info->key_curve);
    }
    if (info->key_bits > 0)
        eseal__buf_printf(b, " (%d bits)", info->key_bits);
    eseal__buf_puts(b, "\n");
    field(b, "Signature algorithm:", info->signature_algorithm);
}

static void text_policies(eseal_buf *b, const eseal_cert_info *info)
{
    size_t i, k;

    label(b, "Policies:");
    if (info->n_policies == 0)
        eseal__buf_puts(b, "(none)\n");
    for (i = 0; i < info->n_policies; i++) {
        const eseal_cert_policy *p = &info->policies[i];

        if (i > 0)
            label(b, "");
        put(b, p->oid);
        eseal__buf_puts(b, "\n");
        for (k = 0; k < p->n_cps_uris; k++) {
            label(b, "");
            eseal__buf_puts(b, "  CPS: ");
            put(b, p->cps_uris[k]);
            eseal__buf_puts(b, "\n");
        }
        if (p->user_notice != NULL) {
            label(b, "");
            eseal__buf_puts(b, "  notice: ");
            put(b, p->user_notice);
            eseal__buf_puts(b, "\n");
        }
    }
    field(b, "Assurance level:", info->assurance_level);
}

static void text_qc(eseal_buf *b, const eseal_cert_info *info)
{
    size_t i;

    label(b, "QC statements:");
    if (!info->has_qc_statements) {
        eseal__buf_puts(b, "(none)\n");
        return;
    }
    eseal__buf_printf(b, "QcCompliance %s, QcSSCD %s, QcType ",
        info->qc_compliance ? "yes" : "no", info->qc_sscd ? "yes" : "no");
    for (i = 0; i < info->n_qc_types; i++) {
        if (i > 0)
            eseal__buf_puts(b, ",");
        put(b, info->qc_types[i]);
    }
    if (info->n_qc_types == 0)
        eseal__buf_puts(b, "(none)");
    eseal__buf_puts(b, "\n");
    for (i = 0; i < info->n_qc_pds_urls; i++) {
        label(b, "");
        eseal__buf_puts(b, "PDS: ");
        put(b, info->qc_pds_urls[i]);
        eseal__buf_puts(b, "\n");
    }
    if (info->semantics_identifier != NULL) {
        label(b, "");
        eseal__buf_puts(b, "semantics identifier: ");
        put(b, info->semantics_identifier);
        eseal__buf_puts(b, "\n");
    }
}

char *eseal_cert_info_text(const eseal_cert_info *info)
{
    eseal_buf b = { 0 };

    if (info == NULL)
        return NULL;
    field(&b, "Subject:", info->subject);
    field(&b, "Issuer:", info->issuer);
    field(&b, "Serial:", info->serial);
    label(&b, "Valid:");
    text_time(&b, info->not_before);
    eseal__buf_puts(&b, " to ");
    text_time(&b, info->not_after);
    eseal__buf_puts(&b, "\n");
    field(&b, "Organization:", info->organization);
    if (info->organizational_unit != NULL)
        field(&b, "Unit:", info->organizational_unit);
    field(&b, "Country:", info->country);
    text_ids_and_key(&b, info);
    if (info->has_key_usage)
        field_list(&b, "Key usage:", info->key_usage, info->n_key_usage);
    else
        field(&b, "Key usage:", "(no extension)");
    if (info->has_extended_key_usage)
        field_list(&b, "Extended key usage:", info->extended_key_usage,
            info->n_extended_key_usage);
    else
        field(&b, "Extended key usage:", "(no extension)");
    field(&b, "Basic constraints:", !info->has_basic_constraints
        ? "(no extension)" : info->basic_constraints_ca ? "CA:TRUE"
        : "CA:FALSE");
    field(&b, "Subject key id:", info->subject_key_id);
    field(&b, "Authority key id:", info->authority_key_id);
    text_policies(&b, info);
    field_list(&b, "Subject alt names:", info->subject_alt_names,
        info->n_subject_alt_names);
    field_list(&b, "CRL:", info->crl_urls, info->n_crl_urls);
    field_list(&b, "OCSP:", info->ocsp_urls, info->n_ocsp_urls);
    field_list(&b, "CA issuers:", info->ca_issuer_urls,
        info->n_ca_issuer_urls);
    if (info->lei != NULL || info->lei_role != NULL) {
        field(&b, "LEI:", info->lei);
        if (info->lei_role != NULL)
            field(&b, "LEI role:", info->lei_role);
    }
    text_qc(&b, info);
    field(&b, "Fit for sealing:", info->fit_for_sealing ? "yes" : "no");
    text_findings(&b, "Warnings", info->warnings, info->n_warnings);
    text_findings(&b, "Notes", info->notes, info->n_notes);
    return eseal__buf_steal(&b, NULL);
}
