/*
 * eseal - long-term validation data: lists of DER objects, chains
 * completed from what is at hand and from the CA issuers the certificates
 * name, revocation evidence for every certificate of a chain, and the
 * registry of the per-format parts.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include "eseal_config.h"
#include "ltv.h"

#define MAX_CHAIN 10

/* ---- lists --------------------------------------------------------------- */

int eseal__der_list_has(const eseal_der_list *l, const unsigned char *der,
    size_t len)
{
    size_t i;

    for (i = 0; i < l->n; i++)
        if (l->item[i].len == len && memcmp(l->item[i].data, der, len) == 0)
            return 1;
    return 0;
}

int eseal__der_list_add(eseal_der_list *l, const unsigned char *der,
    size_t len)
{
    unsigned char *copy;

    if (len == 0 || eseal__der_list_has(l, der, len))
        return 0;
    if (l->n >= ESEAL_DER_LIST_MAX)
        return ESEAL_ELIMIT;
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 8;
        eseal_bytes *grown = realloc(l->item, cap * sizeof(*grown));

        if (grown == NULL)
            return ESEAL_ENOMEM;
        l->item = grown;
        l->cap = cap;
    }
    if ((copy = malloc(len)) == NULL)
        return ESEAL_ENOMEM;
    memcpy(copy, der, len);
    l->item[l->n].data = copy;
    l->item[l->n].len = len;
    l->n++;
    return 0;
}

void eseal__der_list_free(eseal_der_list *l)
{
    size_t i;

    for (i = 0; i < l->n; i++)
        free(l->item[i].data);
    free(l->item);
    memset(l, 0, sizeof(*l));
}

void eseal__vdata_free(eseal_vdata *vd)
{
    if (vd == NULL)
        return;
    eseal__der_list_free(&vd->certs);
    eseal__der_list_free(&vd->ocsps);
    eseal__der_list_free(&vd->crls);
}

static int list_merge(eseal_der_list *to, const eseal_der_list *from)
{
    size_t i;
    int rc;

    for (i = 0; i < from->n; i++)
        if ((rc = eseal__der_list_add(to, from->item[i].data,
                 from->item[i].len)) < 0)
            return rc;
    return 0;
}

int eseal__vdata_merge(eseal_vdata *to, const eseal_vdata *from)
{
    int rc;

    if ((rc = list_merge(&to->certs, &from->certs)) < 0 ||
        (rc = list_merge(&to->ocsps, &from->ocsps)) < 0)
        return rc;
    return list_merge(&to->crls, &from->crls);
}

int eseal__vdata_add_cert(eseal_vdata *vd, X509 *cert)
{
    unsigned char *der = NULL;
    int len = i2d_X509(cert, &der), rc;

    if (len <= 0)
        return ESEAL_ENOMEM;
    rc = eseal__der_list_add(&vd->certs, der, (size_t)len);
    OPENSSL_free(der);
    return rc;
}

int eseal__sk_add_unique(STACK_OF(X509) *sk, X509 *cert)
{
    int i;

    for (i = 0; i < sk_X509_num(sk); i++)
        if (X509_cmp(sk_X509_value(sk, i), cert) == 0)
            return 0;
    if (!X509_up_ref(cert))
        return ESEAL_ENOMEM;
    if (!sk_X509_push(sk, cert)) {
        X509_free(cert);
        return ESEAL_ENOMEM;
    }
    return 0;
}

int eseal__vdata_certs(STACK_OF(X509) *sk, const eseal_vdata *vd)
{
    size_t i;
    int rc = 0;

    for (i = 0; i < vd->certs.n && rc == 0; i++) {
        const unsigned char *p = vd->certs.item[i].data;
        X509 *x = d2i_X509(NULL, &p, (long)vd->certs.item[i].len);

        if (x == NULL) {
            ERR_clear_error();
            continue;
        }
        rc = eseal__sk_add_unique(sk, x);
        X509_free(x);
    }
    return rc;
}

int eseal__found_ltv_add_ts(struct eseal_found_ltv *l, eseal_found_ts **out)
{
    eseal_found_ts *grown;

    if (l->n_ts >= 64)
        return ESEAL_ELIMIT;
    grown = realloc(l->ts, (l->n_ts + 1) * sizeof(*grown));
    if (grown == NULL)
        return ESEAL_ENOMEM;
    l->ts = grown;
    memset(&l->ts[l->n_ts], 0, sizeof(l->ts[0]));
    *out = &l->ts[l->n_ts++];
    return 0;
}

void eseal__found_ltv_free(struct eseal_found_ltv *l)
{
    size_t i;

    if (l == NULL)
        return;
    for (i = 0; i < l->n_ts; i++) {
        eseal_bytes_free(&l->ts[i].token);
        eseal_bytes_free(&l->ts[i].data);
    }
    free(l->ts);
    eseal__vdata_free(&l->vd);
    free(l);
}

/* ---- chains -------------------------------------------------------------- */

static void who(char *out, size_t size, X509 *cert)
{
    X509_NAME *n = X509_get_subject_name(cert);
    int i = X509_NAME_get_index_by_NID(n, NID_commonName, -1);
    const ASN1_STRING *cn = i >= 0 ?
        X509_NAME_ENTRY_get_data(X509_NAME_get_entry(n, i)) : NULL;

    if (cn != NULL)
        snprintf(out, size, "'%.*s'", ASN1_STRING_length(cn) > 80 ? 80 :
            ASN1_STRING_length(cn), (const char *)ASN1_STRING_get0_data(cn));
    else
        X509_NAME_oneline(n, out, (int)size);
}

static int self_signed(X509 *x)
{
    return X509_check_issued(x, x) == X509_V_OK;
}

X509 *eseal__issuer_in(STACK_OF(X509) *pool, X509 *cert)
{
    int i;

    for (i = 0; pool != NULL && i < sk_X509_num(pool); i++) {
        X509 *c = sk_X509_value(pool, i);

        if (X509_cmp(c, cert) != 0 &&
            X509_check_issued(c, cert) == X509_V_OK &&
            X509_verify(cert, X509_get0_pubkey(c)) == 1)
            return c;
    }
    ERR_clear_error();
    return NULL;
}

/* Certificates at cert's AIA CA issuers URLs, fetched (cached). */
static void fetch_issuers(STACK_OF(X509) *pool, X509 *cert,
    const eseal_net *net, char *why, size_t why_size)
{
    AUTHORITY_INFO_ACCESS *aia = X509_get_ext_d2i(cert, NID_info_access,
        NULL, NULL);
    int i, k;

    snprintf(why, why_size, "no CA Issuers URL");
    for (i = 0; aia != NULL && i < sk_ACCESS_DESCRIPTION_num(aia) && i < 4;
         i++) {
        ACCESS_DESCRIPTION *ad = sk_ACCESS_DESCRIPTION_value(aia, i);
        eseal_bytes got = { NULL, 0 };
        eseal_error one = { 0, "" };
        const unsigned char *p;
        char url[512];
        X509 *x;

        if (OBJ_obj2nid(ad->method) != NID_ad_ca_issuers ||
            ad->location->type != GEN_URI ||
            ASN1_STRING_length(ad->location->d.uniformResourceIdentifier) >=
                (int)sizeof(url))
            continue;
        snprintf(url, sizeof(url), "%.*s",
            ASN1_STRING_length(ad->location->d.uniformResourceIdentifier),
            (const char *)ASN1_STRING_get0_data(
                ad->location->d.uniformResourceIdentifier));
        if (strncmp(url, "http://", 7) != 0 &&
            strncmp(url, "https://", 8) != 0)
            continue;
        if (eseal__http_get(&got, url, ESEAL_MAX_CERT_RESP, net, &one) < 0) {
            snprintf(why, why_size, "%s", one.message);
            continue;
        }
        p = got.data;
        x = d2i_X509(NULL, &p, (long)got.len);
        if (x != NULL) {
            (void)eseal__sk_add_unique(pool, x);
            X509_free(x);
        } else {
            PKCS7 *p7;

            p = got.data;
            p7 = d2i_PKCS7(NULL, &p, (long)got.len);
            if (p7 != NULL && PKCS7_type_is_signed(p7) &&
                p7->d.sign->cert != NULL)
                for (k = 0; k < sk_X509_num(p7->d.sign->cert) && k < 16; k++)
                    (void)eseal__sk_add_unique(pool,
                        sk_X509_value(p7->d.sign->cert, k));
            else
                snprintf(why, why_size, "%.150s: not a certificate", url);
            PKCS7_free(p7);
        }
        eseal_bytes_free(&got);
    }
    AUTHORITY_INFO_ACCESS_free(aia);
    ERR_clear_error();
}

/* chain[0] = leaf, up to a self-signed certificate. */
static int build_chain(STACK_OF(X509) *chain, X509 *leaf,
    STACK_OF(X509) *pool, const eseal_net *net, eseal_error *err)
{
    X509 *cur = leaf, *up;
    char why[300], name[120];
    int depth, rc;

    if ((rc = eseal__sk_add_unique(chain, leaf)) < 0)
        return eseal__error_set(err, rc, "out of memory");
    for (depth = 0; depth < MAX_CHAIN && !self_signed(cur); depth++) {
        up = eseal__issuer_in(pool, cur);
        if (up == NULL) {
            fetch_issuers(pool, cur, net, why, sizeof(why));
            up = eseal__issuer_in(pool, cur);
        }
        if (up == NULL) {
            who(name, sizeof(name), cur);
            return eseal__error_set(err, ESEAL_ECERT, "cannot complete the "
                "chain: the issuer of %s is missing (%.150s)", name, why);
        }
        if ((rc = eseal__sk_add_unique(chain, up)) < 0)
            return eseal__error_set(err, rc, "out of memory");
        if (sk_X509_num(chain) != depth + 2)
            return eseal__error_set(err, ESEAL_ECERT, "the chain of "
                "certificates loops");
        cur = up;
    }
    if (!self_signed(cur))
        return eseal__error_set(err, ESEAL_ECERT, "the chain is longer than "
            "%d certificates", MAX_CHAIN);
    return 0;
}

static int add_evidence(eseal_vdata *vd, const eseal_bytes *ocsp,
    const eseal_bytes *crl)
{
    int rc = 0;

    if (ocsp->len > 0)
        rc = eseal__der_list_add(&vd->ocsps, ocsp->data, ocsp->len);
    if (rc == 0 && crl->len > 0)
        rc = eseal__der_list_add(&vd->crls, crl->data, crl->len);
    return rc;
}

/* Evidence for cert (issued by issuer): what vd holds already, or
 * fetched. */
static int evidence_for(eseal_rev *rev, eseal_vdata *vd, X509 *cert,
    X509 *issuer, const eseal_ltv_ctx *ctx, int depth, eseal_error *err)
{
    eseal_bytes ocsp = { NULL, 0 }, crl = { NULL, 0 };
    X509 *responder = NULL;
    time_t now = ctx->now ? ctx->now : time(NULL);
    int rc;

    eseal__rev_check(rev, cert, issuer, vd, now);
    if (rev->source != NULL)
        return 0;
    if ((rc = eseal__rev_fetch(&ocsp, &crl, &responder, rev, cert, issuer,
             &ctx->net, err)) < 0)
        return rc;
    rc = add_evidence(vd, &ocsp, &crl);
    if (rc == 0 && responder != NULL) {
        rc = eseal__vdata_add_cert(vd, responder);
        /* a delegated responder without ocsp-nocheck needs its own
         * status (from its CA's CRL: OCSP would ask itself) */
        if (rc == 0 && depth == 0 && !eseal__rev_nocheck(responder)) {
            eseal_rev rr;

            rc = evidence_for(&rr, vd, responder, issuer, ctx, depth + 1,
                err);
            if (rc < 0)
                goto cleanup;
        }
    }
    if (rc < 0)
        rc = eseal__error_set(err, rc, rc == ESEAL_ENOMEM ? "out of memory"
                                                         : "too much data");
cleanup:
    X509_free(responder);
    eseal_bytes_free(&ocsp);
    eseal_bytes_free(&crl);
    return rc;
}

int eseal__ltv_collect(eseal_vdata *vd, eseal_rev *leaf_rev, X509 *leaf,
    STACK_OF(X509) *available, const eseal_ltv_ctx *ctx, int refuse_revoked,
    time_t at, const char *what, eseal_error *err)
{
    STACK_OF(X509) *pool = sk_X509_new_null(), *chain = sk_X509_new_null();
    char name[120], when[21];
    eseal_rev rev;
    int i, rc = 0;

    memset(leaf_rev, 0, sizeof(*leaf_rev));
    leaf_rev->status = ESEAL_REVOCATION_UNKNOWN;
    if (pool == NULL || chain == NULL) {
        rc = eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
        goto cleanup;
    }
    for (i = 0; available != NULL && i < sk_X509_num(available); i++)
        if ((rc = eseal__sk_add_unique(pool, sk_X509_value(available,
                 i))) < 0)
            goto nomem;
    for (i = 0; ctx->hints != NULL && i < sk_X509_num(ctx->hints); i++)
        if ((rc = eseal__sk_add_unique(pool, sk_X509_value(ctx->hints,
                 i))) < 0)
            goto nomem;
    if ((rc = eseal__vdata_certs(pool, vd)) < 0)
        goto nomem;
    if ((rc = build_chain(chain, leaf, pool, &ctx->net, err)) < 0)
        goto cleanup;
    for (i = 0; i < sk_X509_num(chain); i++)
        if ((rc = eseal__vdata_add_cert(vd, sk_X509_value(chain, i))) < 0)
            goto nomem;
    for (i = 0; i + 1 < sk_X509_num(chain); i++) {
        X509 *c = sk_X509_value(chain, i), *up = sk_X509_value(chain, i + 1);

        if (i > 0 && eseal__rev_nocheck(c))
            continue;
        if ((rc = evidence_for(&rev, vd, c, up, ctx, 0, err)) < 0) {
            eseal_error inner = err ? *err : (eseal_error){ 0, "" };

            rc = eseal__error_set(err, rc, "%s: %s", what, inner.message);
            goto cleanup;
        }
        if (i == 0)
            *leaf_rev = rev;
        if (rev.status == ESEAL_REVOCATION_REVOKED &&
            (i > 0 || refuse_revoked) &&
            (at == 0 || rev.revoked_at <= at)) {
            who(name, sizeof(name), c);
            eseal__time_rfc3339(when, rev.revoked_at);
            rc = eseal__error_set(err, ESEAL_ECERT, "%s: the certificate "
                "%s is revoked (since %s, says its %s)", what, name, when,
                rev.source);
            goto cleanup;
        }
    }
    rc = 0;
    goto cleanup;
nomem:
    rc = eseal__error_set(err, rc, rc == ESEAL_ENOMEM ? "out of memory"
                                                     : "too much data");
cleanup:
    sk_X509_pop_free(pool, X509_free);
    sk_X509_pop_free(chain, X509_free);
    return rc;
}

/* ---- parts of a CMS signature ------------------------------------------- */

int eseal__cms_ltv_parts(X509 **signer, STACK_OF(X509) *pool,
    eseal_der_list *tokens, const unsigned char *der, size_t len,
    eseal_error *err)
{
    const unsigned char *p = der;
    CMS_ContentInfo *cms = d2i_CMS_ContentInfo(NULL, &p, (long)len);
    STACK_OF(CMS_SignerInfo) *sis;
    CMS_SignerInfo *si;
    STACK_OF(X509) *certs = NULL;
    X509 *s = NULL;
    int i, k, idx, rc = 0;

    *signer = NULL;
    if (cms == NULL || OBJ_obj2nid(CMS_get0_type(cms)) != NID_pkcs7_signed ||
        (sis = CMS_get0_SignerInfos(cms)) == NULL ||
        sk_CMS_SignerInfo_num(sis) < 1) {
        rc = eseal__error_set(err, ESEAL_EFORMAT, "the signature is not a "
            "CMS SignedData");
        goto cleanup;
    }
    si = sk_CMS_SignerInfo_value(sis, 0);
    certs = CMS_get1_certs(cms);
    if (CMS_set1_signers_certs(cms, NULL, 0) < 1)
        ERR_clear_error();
    CMS_SignerInfo_get0_algs(si, NULL, &s, NULL, NULL);
    if (s == NULL) {
        rc = eseal__error_set(err, ESEAL_EFORMAT, "the signing certificate "
            "is not in the signature");
        goto cleanup;
    }
    for (i = 0; certs != NULL && i < sk_X509_num(certs); i++)
        if ((rc = eseal__sk_add_unique(pool, sk_X509_value(certs, i))) < 0)
            goto nomem;
    for (idx = -1; tokens != NULL &&
         (idx = CMS_unsigned_get_attr_by_NID(si,
              NID_id_smime_aa_timeStampToken, idx)) >= 0;) {
        X509_ATTRIBUTE *a = CMS_unsigned_get_attr(si, idx);

        for (k = 0; k < X509_ATTRIBUTE_count(a) && k < 8; k++) {
            ASN1_TYPE *t = X509_ATTRIBUTE_get0_type(a, k);

            if (t == NULL || t->type != V_ASN1_SEQUENCE)
                continue;
            if ((rc = eseal__der_list_add(tokens,
                     ASN1_STRING_get0_data(t->value.sequence),
                     (size_t)ASN1_STRING_length(t->value.sequence))) < 0)
                goto nomem;
        }
    }
    if (!X509_up_ref(s)) {
        rc = ESEAL_ENOMEM;
        goto nomem;
    }
    *signer = s;
    rc = 0;
    goto cleanup;
nomem:
    rc = eseal__error_set(err, rc, "out of memory");
cleanup:
    ERR_clear_error();
    sk_X509_pop_free(certs, X509_free);
    CMS_ContentInfo_free(cms);
    return rc;
}

/* ---- registry ------------------------------------------------------------ */

const eseal_ltv_adapter *eseal__ltv_adapter(eseal_format format)
{
#if ESEAL_HAVE_PDF
    if (format == ESEAL_FORMAT_PDF)
        return &eseal__pdf_ltv;
#endif
#if ESEAL_HAVE_XML
    if (format == ESEAL_FORMAT_XML)
        return &eseal__xml_ltv;
#endif
    return NULL;
}
