/*
 * eseal - the extensions of an e-Seal certificate that say where it comes
 * from and what it is for: certificatePolicies (and the assurance level
 * they map to), subjectAltName, CRL distribution points, authority
 * information access, the ISO 17442-2 LEI extensions and the ETSI EN
 * 319 412-5 QCStatements.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/err.h>
#include "certinfo_build.h"
#include "certinfo_int.h"
#include "oids.h"

#define MAX_ITEMS ESEAL_CI_MAX_ITEMS

#define OID_QCSTATEMENTS "1.3.6.1.5.5.7.1.3"
#define OID_QCS_PDS "0.4.0.1862.1.5"
#define OID_QCS_PKIX_SYNTAX_V1 "1.3.6.1.5.5.7.11.1"
#define OID_QCS_PKIX_SYNTAX_V2 "1.3.6.1.5.5.7.11.2"
#define OID_SEMANTICS_NATURAL "0.4.0.194121.1.1"
#define OID_SEMANTICS_EIDAS_NATURAL "0.4.0.194121.1.3"
#define OID_LEI_ROLE "1.3.6.1.4.1.52266.2"

/* The policy-OID -> level table used when the caller gives none. */
static const char *const builtin_levels[] = {
    ESEAL_OID_DEMO_ESEAL_LEVEL1 "=1",
    ESEAL_OID_DEMO_ESEAL_LEVEL2 "=2",
    NULL
};

/* "type:value" for one GeneralName. */
static char *general_name_text(eseal_ci *b, const GENERAL_NAME *gn)
{
    eseal_buf s = { 0 };
    char *v = NULL, *out;
    const char *prefix;
    int i;

    switch (gn->type) {
    case GEN_DNS: prefix = "DNS:"; v = eseal__ci_text(b, gn->d.dNSName); break;
    case GEN_URI:
        prefix = "URI:";
        v = eseal__ci_text(b, gn->d.uniformResourceIdentifier);
        break;
    case GEN_EMAIL:
        prefix = "email:";
        v = eseal__ci_text(b, gn->d.rfc822Name);
        break;
    case GEN_DIRNAME:
        prefix = "dirName:";
        v = eseal__ci_name(b, gn->d.directoryName);
        break;
    case GEN_RID:
        prefix = "RID:";
        v = eseal__ci_oid(b, gn->d.registeredID);
        break;
    case GEN_OTHERNAME:
        prefix = "otherName:";
        v = eseal__ci_oid(b, gn->d.otherName->type_id);
        break;
    case GEN_IPADD:
        prefix = "IP:";
        if (gn->d.iPAddress->length == 4) {
            const unsigned char *a = gn->d.iPAddress->data;

            eseal__buf_printf(&s, "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
        } else if (gn->d.iPAddress->length == 16) {
            for (i = 0; i < 16; i += 2)
                eseal__buf_printf(&s, "%s%x", i ? ":" : "",
                    (gn->d.iPAddress->data[i] << 8) |
                    gn->d.iPAddress->data[i + 1]);
        } else {
            eseal__buf_puts(&s, "(bad address)");
        }
        v = eseal__ci_keep(b, eseal__buf_steal(&s, NULL));
        break;
    case GEN_X400: prefix = "x400Address"; break;
    case GEN_EDIPARTY: prefix = "ediPartyName"; break;
    default: prefix = "unknown"; break;
    }
    eseal__buf_puts(&s, prefix);
    if (v != NULL)
        eseal__buf_puts(&s, v);
    free(v);
    out = eseal__ci_keep(b, eseal__buf_steal(&s, NULL));
    return out;
}

/* ---- policies and the assurance level -------------------------------- */

/* Level strings compare as numbers when both are numbers. */
static int level_higher(const char *a, const char *b)
{
    char *ea, *eb;
    unsigned long na, nb;

    errno = 0;
    na = strtoul(a, &ea, 10);
    nb = strtoul(b, &eb, 10);
    if (errno == 0 && *a && *b && *ea == '\0' && *eb == '\0')
        return na > nb;
    return strcmp(a, b) > 0;
}

/* The level of one policy OID in table, or NULL (borrowed, not a copy). */
static const char *table_level(const char *const *table, const char *oid,
    size_t *len)
{
    size_t olen = strlen(oid);

    for (; *table != NULL; table++) {
        const char *e = *table, *eq = strchr(e, '='), *end, *lv;

        if (eq == NULL)
            continue;
        while (*e == ' ' || *e == '\t')
            e++;
        end = eq;
        while (end > e && (end[-1] == ' ' || end[-1] == '\t'))
            end--;
        if ((size_t)(end - e) != olen || memcmp(e, oid, olen) != 0)
            continue;
        lv = eq + 1;
        while (*lv == ' ' || *lv == '\t')
            lv++;
        *len = strlen(lv);
        while (*len > 0 && (lv[*len - 1] == ' ' || lv[*len - 1] == '\t'))
            (*len)--;
        if (*len > 0)
            return lv;
    }
    return NULL;
}

/* The highest level among the policies, as a new string, or NULL. */
static char *policies_level(eseal_ci *b, const CERTIFICATEPOLICIES *pols,
    const char *const *table)
{
    char *best = NULL, *oid, *lv;
    const char *found;
    size_t len;
    int i;

    if (table == NULL)
        table = builtin_levels;
    for (i = 0; i < sk_POLICYINFO_num(pols); i++) {
        oid = eseal__ci_oid(b, sk_POLICYINFO_value(pols, i)->policyid);
        if (oid == NULL)
            continue;
        found = table_level(table, oid, &len);
        free(oid);
        if (found == NULL)
            continue;
        lv = eseal__ci_keep(b, eseal__strndup(found, len));
        if (lv == NULL)
            continue;
        if (best == NULL || level_higher(lv, best)) {
            free(best);
            best = lv;
        } else {
            free(lv);
        }
    }
    return best;
}

void eseal__ci_read_policies(eseal_ci *b, X509 *x, const char *const *table)
{
    eseal_cert_info *info = b->info;
    CERTIFICATEPOLICIES *pols;
    int i, k, n;

    pols = eseal__ci_get_ext(b, x, NID_certificate_policies,
        "certificatePolicies");
    if (pols == NULL) {
        eseal__ci_note(b, "no_policies",
            "no certificatePolicies: the assurance level cannot be told");
        return;
    }
    n = sk_POLICYINFO_num(pols);
    if (n > MAX_ITEMS) {
        n = MAX_ITEMS;
        b->truncated = 1;
    }
    info->policies = calloc(n > 0 ? (size_t)n : 1, sizeof(*info->policies));
    if (info->policies == NULL) {
        b->oom = 1;
        goto cleanup;
    }
    for (i = 0; i < n; i++) {
        const POLICYINFO *pi = sk_POLICYINFO_value(pols, i);
        eseal_cert_policy *p = &info->policies[info->n_policies++];

        p->oid = eseal__ci_oid(b, pi->policyid);
        for (k = 0; k < sk_POLICYQUALINFO_num(pi->qualifiers); k++) {
            const POLICYQUALINFO *q = sk_POLICYQUALINFO_value(
                pi->qualifiers, k);
            int qnid = OBJ_obj2nid(q->pqualid);

            if (qnid == NID_id_qt_cps && q->d.cpsuri != NULL)
                eseal__ci_add_own(b, &p->cps_uris, &p->n_cps_uris,
                    eseal__ci_text(b, q->d.cpsuri));
            else if (qnid == NID_id_qt_unotice && q->d.usernotice != NULL &&
                     q->d.usernotice->exptext != NULL &&
                     p->user_notice == NULL)
                p->user_notice = eseal__ci_text(b, q->d.usernotice->exptext);
        }
    }
    info->assurance_level = policies_level(b, pols, table);
cleanup:
    CERTIFICATEPOLICIES_free(pols);
}

char *eseal__assurance_level(X509 *cert, const char *const *table)
{
    eseal_ci b = { NULL, 0, 0, 0 };
    CERTIFICATEPOLICIES *pols;
    char *level;

    if (cert == NULL)
        return NULL;
    pols = X509_get_ext_d2i(cert, NID_certificate_policies, NULL, NULL);
    ERR_clear_error();
    if (pols == NULL)
        return NULL;
    level = policies_level(&b, pols, table);
    CERTIFICATEPOLICIES_free(pols);
    return level;
}

/* ---- names and locations --------------------------------------------- */

void eseal__ci_read_locations(eseal_ci *b, X509 *x)
{
    eseal_cert_info *info = b->info;
    GENERAL_NAMES *san;
    CRL_DIST_POINTS *dps;
    AUTHORITY_INFO_ACCESS *aia;
    int i, k;

    san = eseal__ci_get_ext(b, x, NID_subject_alt_name, "subjectAltName");
    for (i = 0; san != NULL && i < sk_GENERAL_NAME_num(san); i++)
        eseal__ci_add_own(b, &info->subject_alt_names,
            &info->n_subject_alt_names,
            general_name_text(b, sk_GENERAL_NAME_value(san, i)));
    GENERAL_NAMES_free(san);

    dps = eseal__ci_get_ext(b, x, NID_crl_distribution_points,
        "cRLDistributionPoints");
    for (i = 0; dps != NULL && i < sk_DIST_POINT_num(dps); i++) {
        const DIST_POINT *dp = sk_DIST_POINT_value(dps, i);

        if (dp->distpoint == NULL || dp->distpoint->type != 0)
            continue;
        for (k = 0; k < sk_GENERAL_NAME_num(dp->distpoint->name.fullname);
             k++) {
            const GENERAL_NAME *gn = sk_GENERAL_NAME_value(
                dp->distpoint->name.fullname, k);

            if (gn->type == GEN_URI)
                eseal__ci_add_own(b, &info->crl_urls, &info->n_crl_urls,
                    eseal__ci_text(b, gn->d.uniformResourceIdentifier));
        }
    }
    CRL_DIST_POINTS_free(dps);

    aia = eseal__ci_get_ext(b, x, NID_info_access, "authorityInfoAccess");
    for (i = 0; aia != NULL && i < sk_ACCESS_DESCRIPTION_num(aia); i++) {
        const ACCESS_DESCRIPTION *ad = sk_ACCESS_DESCRIPTION_value(aia, i);
        int m = OBJ_obj2nid(ad->method);

        if (ad->location->type != GEN_URI)
            continue;
        if (m == NID_ad_OCSP)
            eseal__ci_add_own(b, &info->ocsp_urls, &info->n_ocsp_urls,
                eseal__ci_text(b, ad->location->d.uniformResourceIdentifier));
        else if (m == NID_ad_ca_issuers)
            eseal__ci_add_own(b, &info->ca_issuer_urls, &info->n_ca_issuer_urls,
                eseal__ci_text(b, ad->location->d.uniformResourceIdentifier));
    }
    AUTHORITY_INFO_ACCESS_free(aia);

    if (info->n_crl_urls == 0 && info->n_ocsp_urls == 0)
        eseal__ci_warn(b, "no_revocation",
            "neither a CRL distribution point nor an "
            "OCSP responder: revocation cannot be checked");
}

/* ---- LEI extension and QCStatements ---------------------------------- */

/* A string extension value (ISO 17442-2 LEI and role). */
static char *string_ext(eseal_ci *b, X509_EXTENSION *ext, const char *what)
{
    const ASN1_OCTET_STRING *data = X509_EXTENSION_get_data(ext);
    const unsigned char *p = data->data;
    ASN1_TYPE *t = d2i_ASN1_TYPE(NULL, &p, data->length);
    char *s = NULL;

    if (t == NULL || p != data->data + data->length ||
        (t->type != V_ASN1_PRINTABLESTRING && t->type != V_ASN1_UTF8STRING &&
         t->type != V_ASN1_IA5STRING))
        eseal__ci_warn(b, "malformed",
            "the %s extension is not a string", what);
    else
        s = eseal__ci_text(b, t->value.asn1_string);
    ASN1_TYPE_free(t);
    ERR_clear_error();
    return s;
}

void eseal__ci_read_lei(eseal_ci *b, X509 *x)
{
    eseal_cert_info *info = b->info;
    X509_EXTENSION *ext;
    size_t i;

    if ((ext = eseal__ci_find_ext(b, x, ESEAL_OID_LEI, "LEI")) != NULL)
        info->lei = string_ext(b, ext, "LEI");
    if ((ext = eseal__ci_find_ext(b, x, OID_LEI_ROLE, "LEI role")) != NULL)
        info->lei_role = string_ext(b, ext, "LEI role");
    if (info->lei == NULL)
        return;
    if (!eseal_lei_valid(info->lei))
        eseal__ci_warn(b, "lei_invalid",
            "the LEI extension holds \"%s\", which is "
            "not a valid LEI", info->lei);
    for (i = 0; i < info->n_org_ids; i++) {
        const eseal_org_id *id = &info->org_ids[i];

        if (strcmp(id->scheme, "LEI") == 0 && !id->private_scheme &&
            strcmp(id->number, info->lei) != 0)
            eseal__ci_note(b, "lei_mismatch",
                "the LEI extension (%s) differs from "
                "the organization identifier %s", info->lei, id->value);
    }
}

/* SEQUENCE OF ANY from exactly len bytes, or NULL. */
static ASN1_SEQUENCE_ANY *seq_from(const unsigned char *data, long len)
{
    const unsigned char *p = data;
    ASN1_SEQUENCE_ANY *s = d2i_ASN1_SEQUENCE_ANY(NULL, &p, len);

    if (s != NULL && p != data + len) {
        sk_ASN1_TYPE_pop_free(s, ASN1_TYPE_free);
        s = NULL;
    }
    return s;
}

static ASN1_SEQUENCE_ANY *seq_of(const ASN1_TYPE *t)
{
    if (t == NULL || t->type != V_ASN1_SEQUENCE)
        return NULL;
    return seq_from(t->value.sequence->data, t->value.sequence->length);
}

/* One QCStatement { statementId, statementInfo OPTIONAL }; 0 or -1. */
static int read_qc_statement(eseal_ci *b, const ASN1_TYPE *st)
{
    eseal_cert_info *info = b->info;
    ASN1_SEQUENCE_ANY *s = seq_of(st), *inner = NULL, *loc = NULL;
    const ASN1_TYPE *id, *arg;
    const ASN1_OBJECT *oid;
    int rc = -1, i;

    if (s == NULL || sk_ASN1_TYPE_num(s) < 1 || sk_ASN1_TYPE_num(s) > 2)
        goto cleanup;
    id = sk_ASN1_TYPE_value(s, 0);
    if (id->type != V_ASN1_OBJECT)
        goto cleanup;
    oid = id->value.object;
    arg = sk_ASN1_TYPE_num(s) == 2 ? sk_ASN1_TYPE_value(s, 1) : NULL;
    if (eseal__ci_oid_is(oid, ESEAL_OID_QCS_QC_COMPLIANCE)) {
        info->qc_compliance = 1;
    } else if (eseal__ci_oid_is(oid, ESEAL_OID_QCS_QC_SSCD)) {
        info->qc_sscd = 1;
    } else if (eseal__ci_oid_is(oid, ESEAL_OID_QCS_QC_TYPE)) {
        if ((inner = seq_of(arg)) == NULL)
            goto cleanup;
        for (i = 0; i < sk_ASN1_TYPE_num(inner); i++) {
            const ASN1_TYPE *t = sk_ASN1_TYPE_value(inner, i);
            const ASN1_OBJECT *o;

            if (t->type != V_ASN1_OBJECT)
                goto cleanup;
            o = t->value.object;
            if (eseal__ci_oid_is(o, ESEAL_OID_QCT_ESIGN))
                eseal__ci_add(b, &info->qc_types, &info->n_qc_types, "esign");
            else if (eseal__ci_oid_is(o, ESEAL_OID_QCT_ESEAL))
                eseal__ci_add(b, &info->qc_types, &info->n_qc_types, "eseal");
            else if (eseal__ci_oid_is(o, ESEAL_OID_QCT_WEB))
                eseal__ci_add(b, &info->qc_types, &info->n_qc_types, "web");
            else
                eseal__ci_add_own(b, &info->qc_types, &info->n_qc_types,
                    eseal__ci_oid(b, o));
        }
    } else if (eseal__ci_oid_is(oid, OID_QCS_PDS)) {
        if ((inner = seq_of(arg)) == NULL)
            goto cleanup;
        for (i = 0; i < sk_ASN1_TYPE_num(inner); i++) {
            const ASN1_TYPE *url;

            sk_ASN1_TYPE_pop_free(loc, ASN1_TYPE_free);
            loc = seq_of(sk_ASN1_TYPE_value(inner, i));
            if (loc == NULL || sk_ASN1_TYPE_num(loc) < 1)
                goto cleanup;
            url = sk_ASN1_TYPE_value(loc, 0);
            if (url->type != V_ASN1_IA5STRING)
                goto cleanup;
            eseal__ci_add_own(b, &info->qc_pds_urls, &info->n_qc_pds_urls,
                eseal__ci_text(b, url->value.ia5string));
        }
    } else if (eseal__ci_oid_is(oid, OID_QCS_PKIX_SYNTAX_V2) ||
               eseal__ci_oid_is(oid, OID_QCS_PKIX_SYNTAX_V1)) {
        /* SemanticsInformation { semanticsIdentifier OID OPTIONAL, ... } */
        if (arg != NULL) {
            const ASN1_TYPE *first;

            if ((inner = seq_of(arg)) == NULL)
                goto cleanup;
            first = sk_ASN1_TYPE_num(inner) > 0 ?
                    sk_ASN1_TYPE_value(inner, 0) : NULL;
            if (first != NULL && first->type == V_ASN1_OBJECT &&
                info->semantics_identifier == NULL)
                info->semantics_identifier = eseal__ci_oid(b,
                    first->value.object);
        }
    }
    rc = 0;
cleanup:
    sk_ASN1_TYPE_pop_free(s, ASN1_TYPE_free);
    sk_ASN1_TYPE_pop_free(inner, ASN1_TYPE_free);
    sk_ASN1_TYPE_pop_free(loc, ASN1_TYPE_free);
    return rc;
}

void eseal__ci_read_qc(eseal_ci *b, X509 *x)
{
    eseal_cert_info *info = b->info;
    X509_EXTENSION *ext;
    const ASN1_OCTET_STRING *data;
    ASN1_SEQUENCE_ANY *stmts = NULL;
    const char *sem;
    size_t i;
    int k, eseal = 0;

    ext = eseal__ci_find_ext(b, x, OID_QCSTATEMENTS, "QCStatements");
    if (ext == NULL)
        return;
    info->has_qc_statements = 1;
    data = X509_EXTENSION_get_data(ext);
    stmts = seq_from(data->data, data->length);
    if (stmts == NULL) {
        eseal__ci_warn(b, "malformed",
            "the QCStatements extension is malformed");
        goto cleanup;
    }
    for (k = 0; k < sk_ASN1_TYPE_num(stmts); k++) {
        if (read_qc_statement(b, sk_ASN1_TYPE_value(stmts, k)) < 0) {
            eseal__ci_warn(b, "malformed",
                "QCStatement %d is malformed", k + 1);
            break;
        }
    }
    for (i = 0; i < info->n_qc_types; i++)
        eseal |= strcmp(info->qc_types[i], "eseal") == 0;
    if (info->n_qc_types > 0 && !eseal)
        eseal__ci_note(b, "qc_type",
            "QcType does not name eseal: the certificate is "
            "declared for %s", info->qc_types[0]);
    sem = info->semantics_identifier;
    if (sem != NULL && (strcmp(sem, OID_SEMANTICS_NATURAL) == 0 ||
                        strcmp(sem, OID_SEMANTICS_EIDAS_NATURAL) == 0))
        eseal__ci_note(b, "semantics_natural",
            "the semantics identifier is for natural persons, an e-Seal "
            "belongs to a legal person");
cleanup:
    sk_ASN1_TYPE_pop_free(stmts, ASN1_TYPE_free);
    ERR_clear_error();
}
