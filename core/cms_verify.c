/* eseal - checking one CMS signature: integrity, ESS binding, chain. */
#include <string.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/ess.h>
#include <openssl/x509v3.h>
#include "core_int.h"
#include "certinfo_int.h"
#include "ltv.h"

static const char *kind_of(const char *sub_filter)
{
    if (sub_filter != NULL && strcmp(sub_filter, "ETSI.CAdES.detached") == 0)
        return "pades";
    return "adbe";
}

/* The ESS signing-certificate(-v2) attribute must name the signer. */
static int check_ess(eseal_signature_report *rep, CMS_SignerInfo *si,
    X509 *signer)
{
    ASN1_STRING *v2 = CMS_signed_get0_data_by_OBJ(si,
        OBJ_nid2obj(NID_id_smime_aa_signingCertificateV2), -3,
        V_ASN1_SEQUENCE);
    ASN1_STRING *v1 = CMS_signed_get0_data_by_OBJ(si,
        OBJ_nid2obj(NID_id_smime_aa_signingCertificate), -3,
        V_ASN1_SEQUENCE);
    ESS_SIGNING_CERT_V2 *ss2 = NULL;
    ESS_SIGNING_CERT *ss1 = NULL;
    STACK_OF(X509) *chain = NULL;
    const unsigned char *p;
    int present = v1 != NULL || v2 != NULL;

    if (!present)
        return 0;
    if (v2 != NULL) {
        p = ASN1_STRING_get0_data(v2);
        ss2 = d2i_ESS_SIGNING_CERT_V2(NULL, &p, ASN1_STRING_length(v2));
    }
    if (v1 != NULL) {
        p = ASN1_STRING_get0_data(v1);
        ss1 = d2i_ESS_SIGNING_CERT(NULL, &p, ASN1_STRING_length(v1));
    }
    chain = sk_X509_new_null();
    if (chain == NULL || !sk_X509_push(chain, signer) ||
        (v2 != NULL && ss2 == NULL) || (v1 != NULL && ss1 == NULL) ||
        OSSL_ESS_check_signing_certs(ss1, ss2, chain, 1) <= 0) {
        eseal__sig_error(rep, "the ESS signing-certificate attribute does "
            "not match the signing certificate");
        present = -1;
    }
    ERR_clear_error();
    sk_X509_free(chain);
    ESS_SIGNING_CERT_V2_free(ss2);
    ESS_SIGNING_CERT_free(ss1);
    return present;
}

static void check_chain(eseal_signature_report *rep, X509 *signer,
    STACK_OF(X509) *certs, X509_STORE *trust)
{
    X509_STORE_CTX *ctx;

    if (trust == NULL) {
        eseal__sig_warning(rep, "no trust anchor given (--trust): the "
            "certificate chain was not checked");
        return;
    }
    ctx = X509_STORE_CTX_new();
    if (ctx == NULL || !X509_STORE_CTX_init(ctx, trust, signer, certs)) {
        eseal__sig_error(rep, "cannot check the certificate chain");
    } else if (X509_verify_cert(ctx) == 1) {
        rep->chain_trusted = 1;
    } else {
        eseal__sig_error(rep, "certificate chain: %s",
            X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx)));
    }
    X509_STORE_CTX_free(ctx);
    ERR_clear_error();
}

static void check_algorithms(eseal_signature_report *rep, CMS_SignerInfo *si)
{
    X509_ALGOR *dig = NULL;
    const ASN1_OBJECT *obj = NULL;

    CMS_SignerInfo_get0_algs(si, NULL, NULL, &dig, NULL);
    if (dig != NULL) {
        X509_ALGOR_get0(&obj, NULL, NULL, dig);
        if (OBJ_obj2nid(obj) == NID_sha1 || OBJ_obj2nid(obj) == NID_md5)
            eseal__sig_warning(rep, "weak digest algorithm %s",
                OBJ_nid2sn(OBJ_obj2nid(obj)));
    }
}

/* PAdES baseline: B-B needs ESS signing-certificate(-v2) and no
 * signing-time attribute; timestamps and validation data raise it
 * (core/ltv_verify.c). */
static void set_level(eseal_signature_report *rep, CMS_SignerInfo *si,
    int ess)
{
    if (strcmp(rep->kind, "pades") != 0)
        return;
    if (CMS_signed_get_attr_by_NID(si, NID_pkcs9_signingTime, -1) >= 0)
        eseal__sig_warning(rep, "the CMS holds a signing-time attribute, "
            "which PAdES baseline signatures must not have");
    if (ess <= 0) {
        eseal__sig_warning(rep, "no ESS signing-certificate attribute: not "
            "a PAdES baseline signature");
        return;
    }
    rep->level = ESEAL_LEVEL_B_B;
}

/* The signature timestamps of a SignerInfo, each over its signature
 * value.  Returns how many (at most max). */
static size_t signature_timestamps(eseal_found_ts *ts, size_t max,
    CMS_SignerInfo *si)
{
    ASN1_OCTET_STRING *value = CMS_SignerInfo_get0_signature(si);
    size_t n = 0;
    int idx = -1, k;

    while (n < max && (idx = CMS_unsigned_get_attr_by_NID(si,
                           NID_id_smime_aa_timeStampToken, idx)) >= 0) {
        X509_ATTRIBUTE *a = CMS_unsigned_get_attr(si, idx);

        for (k = 0; k < X509_ATTRIBUTE_count(a) && n < max; k++) {
            ASN1_TYPE *t = X509_ATTRIBUTE_get0_type(a, k);

            memset(&ts[n], 0, sizeof(ts[n]));
            ts[n].kind = ESEAL_TS_SIGNATURE;
            if (t == NULL || t->type != V_ASN1_SEQUENCE) {
                ts[n].problem = "the signature timestamp attribute does not "
                    "hold a token";
            } else {
                ts[n].token.data = (unsigned char *)ASN1_STRING_get0_data(
                    t->value.sequence);
                ts[n].token.len = (size_t)ASN1_STRING_length(
                    t->value.sequence);
            }
            ts[n].data.data = (unsigned char *)ASN1_STRING_get0_data(value);
            ts[n].data.len = (size_t)ASN1_STRING_length(value);
            n++;
        }
    }
    return n;
}

/* What every kind of found signature brings: coverage, changes, messages. */
static void fill_common(eseal_signature_report *rep,
    const eseal_found_signature *found)
{
    size_t i;

    rep->covers_whole_document = found->covers_whole_document;
    rep->modifications_after = found->modifications_after;
    rep->signing_time = found->claimed_time;
    rep->certification = found->certification;
    rep->docmdp_permissions = found->docmdp_permissions;
    for (i = 0; i < found->n_errors; i++)
        eseal__sig_error(rep, "%s", found->errors[i]);
    for (i = 0; i < found->n_warnings; i++)
        eseal__sig_warning(rep, "%s", found->warnings[i]);
}

static void verdict(eseal_signature_report *rep)
{
    rep->valid = rep->integrity && rep->chain_trusted &&
                 rep->revocation != ESEAL_REVOCATION_REVOKED &&
                 rep->modifications_after != ESEAL_MODS_FORBIDDEN &&
                 rep->n_errors == 0;
    if (rep->modifications_after == ESEAL_MODS_FORBIDDEN)
        eseal__sig_error(rep, "the document was changed after this seal in "
            "a way that is not permitted");
}

int eseal__checked_verify_found(eseal_signature_report *rep,
    const eseal_found_signature *found, const eseal_verify_opts *opts,
    X509_STORE *trust, eseal_error *err)
{
    return eseal__checked_verify_ltv(rep, found, opts, trust, NULL, err);
}

int eseal__checked_verify_ltv(eseal_signature_report *rep,
    const eseal_found_signature *found, const eseal_verify_opts *opts,
    X509_STORE *trust, eseal_ltv_doc *d, eseal_error *err)
{
    int rc;

    rep->kind = found->kind_name ? found->kind_name : "xmldsig";
    rep->level = found->level;
    rep->integrity = found->integrity;
    fill_common(rep, found);
    if (found->signer_cert == NULL) {
        eseal__sig_error(rep, "the signing certificate is not in the "
            "signature");
    } else {
        if ((rc = eseal__signer_from_x509(&rep->signer, found->signer_cert,
                 err)) < 0)
            return rc;
        rep->assurance_level = eseal__assurance_level(found->signer_cert,
            opts->assurance_levels);
        if (d != NULL)
            eseal__ltv_check_signature(rep, found->signer_cert,
                found->certs, found->ltv ? found->ltv->ts : NULL,
                found->ltv ? found->ltv->n_ts : 0, found->ltv, 0, d);
        else
            check_chain(rep, found->signer_cert, found->certs, trust);
    }
    verdict(rep);
    return 0;
}

int eseal__cms_verify_found(eseal_signature_report *rep,
    const eseal_found_signature *found, const eseal_source *src,
    const eseal_verify_opts *opts, X509_STORE *trust, eseal_error *err)
{
    return eseal__cms_verify_ltv(rep, found, src, opts, trust, NULL, err);
}

int eseal__cms_verify_ltv(eseal_signature_report *rep,
    const eseal_found_signature *found, const eseal_source *src,
    const eseal_verify_opts *opts, X509_STORE *trust, eseal_ltv_doc *d,
    eseal_error *err)
{
    eseal_found_ts ts[8];
    size_t n_ts;
    uint64_t end = 0;
    CMS_ContentInfo *cms = NULL;
    STACK_OF(CMS_SignerInfo) *sis;
    CMS_SignerInfo *si;
    STACK_OF(X509) *certs = NULL;
    X509 *signer = NULL;
    BIO *content = NULL;
    const unsigned char *p = found->contents.data;
    int rc = 0, ess;

    rep->kind = kind_of(found->sub_filter);
    fill_common(rep, found);
    if (found->contents.len == 0)
        goto verdict;
    cms = d2i_CMS_ContentInfo(NULL, &p, (long)found->contents.len);
    if (cms == NULL ||
        OBJ_obj2nid(CMS_get0_type(cms)) != NID_pkcs7_signed) {
        eseal__sig_error(rep, "the signature is not a CMS SignedData");
        goto verdict;
    }
    sis = CMS_get0_SignerInfos(cms);
    if (sk_CMS_SignerInfo_num(sis) < 1) {
        eseal__sig_error(rep, "the CMS holds no signer");
        goto verdict;
    }
    /* Some tools (podofosign 0.9) repeat the SignerInfo: CMS_verify checks
     * every one; the first names the signer. */
    if (sk_CMS_SignerInfo_num(sis) > 1)
        eseal__sig_warning(rep, "the CMS holds %d SignerInfos; all must "
            "verify, the first names the signer", sk_CMS_SignerInfo_num(sis));
    si = sk_CMS_SignerInfo_value(sis, 0);
    certs = CMS_get1_certs(cms);
    if (CMS_set1_signers_certs(cms, NULL, 0) < 1)
        ERR_clear_error();
    CMS_SignerInfo_get0_algs(si, NULL, &signer, NULL, NULL);
    if (signer == NULL) {
        eseal__sig_error(rep, "the signing certificate is not in the "
            "signature");
        goto verdict;
    }
    if ((rc = eseal__signer_from_x509(&rep->signer, signer, err)) < 0)
        goto cleanup;
    rep->assurance_level = eseal__assurance_level(signer,
        opts->assurance_levels);
    if (found->sub_filter != NULL &&
        strcmp(found->sub_filter, "adbe.pkcs7.sha1") == 0) {
        eseal__sig_error(rep, "adbe.pkcs7.sha1 signatures (SHA-1) are not "
            "accepted");
        goto verdict;
    }
    if (CMS_is_detached(cms) != 1) {
        eseal__sig_error(rep, "the CMS is not detached");
        goto verdict;
    }
    content = eseal__spans_bio(src, &found->covered);
    if (content == NULL) {
        eseal__sig_error(rep, "the signed byte ranges are out of the file");
        goto verdict;
    }
    if (CMS_verify(cms, NULL, NULL, content, NULL,
            CMS_NO_SIGNER_CERT_VERIFY | CMS_BINARY) == 1) {
        rep->integrity = 1;
    } else {
        eseal__error_ossl(NULL, 0, "drain");
        eseal__sig_error(rep, "the document's bytes or the signature value "
            "do not match: changed after sealing");
    }
    check_algorithms(rep, si);
    ess = check_ess(rep, si, signer);
    set_level(rep, si, ess);
    if (d != NULL) {
        n_ts = signature_timestamps(ts, sizeof(ts) / sizeof(ts[0]), si);
        if (found->covered.count == 2)
            end = found->covered.span[1].off + found->covered.span[1].len;
        eseal__ltv_check_signature(rep, signer, certs, ts, n_ts, NULL,
            end, d);
    } else {
        check_chain(rep, signer, certs, trust);
    }
verdict:
    verdict(rep);
    rc = 0;
cleanup:
    ERR_clear_error();
    BIO_free(content);
    sk_X509_pop_free(certs, X509_free);
    CMS_ContentInfo_free(cms);
    return rc;
}
