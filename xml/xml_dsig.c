/* eseal XAdES adapter - xmlsec signature contexts restricted to what a
 * seal needs: same-document references, canonicalization, enveloped and
 * XPath filters, SHA-2 (SHA-1 only to verify), RSA, RSA-PSS, ECDSA.  No
 * XSLT, no external URIs, no key lookup from KeyInfo. */
#include <string.h>
#include <openssl/err.h>
#include <xmlsec/xmlsec.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/transforms.h>
#include <xmlsec/openssl/crypto.h>
#include <xmlsec/openssl/evp.h>
#include "xml_dsig.h"

static int add_all(xmlSecPtrListPtr list, const xmlSecTransformId *ids,
    size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (xmlSecPtrListAdd(list, (void *)ids[i]) < 0)
            return -1;
    return 0;
}

/* Transforms a Reference may use: canonicalizations, filters, digests. */
static int reference_transforms(xmlSecPtrListPtr list)
{
    const xmlSecTransformId ids[] = {
        xmlSecTransformInclC14NId, xmlSecTransformInclC14NWithCommentsId,
        xmlSecTransformInclC14N11Id, xmlSecTransformInclC14N11WithCommentsId,
        xmlSecTransformExclC14NId, xmlSecTransformExclC14NWithCommentsId,
        xmlSecTransformEnvelopedId, xmlSecTransformXPathId,
        xmlSecTransformXPath2Id, xmlSecTransformXPointerId,
        xmlSecTransformBase64Id,
        xmlSecOpenSSLTransformSha1Id, xmlSecOpenSSLTransformSha224Id,
        xmlSecOpenSSLTransformSha256Id, xmlSecOpenSSLTransformSha384Id,
        xmlSecOpenSSLTransformSha512Id,
    };

    return add_all(list, ids, sizeof(ids) / sizeof(ids[0]));
}

/* What SignedInfo may name: canonicalizations and signature methods. */
static int signed_info_transforms(xmlSecPtrListPtr list)
{
    const xmlSecTransformId ids[] = {
        xmlSecTransformInclC14NId, xmlSecTransformInclC14NWithCommentsId,
        xmlSecTransformInclC14N11Id, xmlSecTransformInclC14N11WithCommentsId,
        xmlSecTransformExclC14NId, xmlSecTransformExclC14NWithCommentsId,
        xmlSecOpenSSLTransformRsaSha1Id, xmlSecOpenSSLTransformRsaSha224Id,
        xmlSecOpenSSLTransformRsaSha256Id, xmlSecOpenSSLTransformRsaSha384Id,
        xmlSecOpenSSLTransformRsaSha512Id,
        xmlSecOpenSSLTransformEcdsaSha1Id, xmlSecOpenSSLTransformEcdsaSha224Id,
        xmlSecOpenSSLTransformEcdsaSha256Id,
        xmlSecOpenSSLTransformEcdsaSha384Id,
        xmlSecOpenSSLTransformEcdsaSha512Id,
    };
    const void *const *pss = eseal__xml_pss_klasses();

    if (add_all(list, ids, sizeof(ids) / sizeof(ids[0])) < 0)
        return -1;
    for (; *pss != NULL; pss++)
        if (xmlSecPtrListAdd(list, (void *)*pss) < 0)
            return -1;
    return 0;
}

xmlSecDSigCtxPtr eseal__xml_dsig_ctx(int sign)
{
    xmlSecDSigCtxPtr ctx = xmlSecDSigCtxCreate(NULL);

    if (ctx == NULL)
        return NULL;
    ctx->operation = sign ? xmlSecTransformOperationSign
                          : xmlSecTransformOperationVerify;
    ctx->flags |= XMLSEC_DSIG_FLAGS_IGNORE_MANIFESTS;
    ctx->enabledReferenceUris = xmlSecTransformUriTypeEmpty |
                                xmlSecTransformUriTypeSameDocument;
    ctx->transformCtx.enabledUris = xmlSecTransformUriTypeEmpty |
                                    xmlSecTransformUriTypeSameDocument;
    ctx->enabledReferenceTransforms = xmlSecPtrListCreate(
        xmlSecTransformIdListId);
    if (ctx->enabledReferenceTransforms == NULL ||
        reference_transforms(ctx->enabledReferenceTransforms) < 0 ||
        signed_info_transforms(&ctx->transformCtx.enabledTransforms) < 0) {
        xmlSecDSigCtxDestroy(ctx);
        return NULL;
    }
    return ctx;
}

int eseal__xml_ref_process(xmlSecDSigCtxPtr ctx, xmlNodePtr ref,
    int *ok)
{
    xmlSecDSigReferenceCtxPtr r;
    int rc;

    *ok = 0;
    r = xmlSecDSigReferenceCtxCreate(ctx, xmlSecDSigReferenceOriginSignedInfo);
    if (r == NULL)
        return -1;
    rc = xmlSecDSigReferenceCtxProcessNode(r, ref);
    if (rc >= 0)
        *ok = r->status == xmlSecDSigStatusSucceeded;
    xmlSecDSigReferenceCtxDestroy(r);
    ERR_clear_error();
    return rc < 0 ? -1 : 0;
}

int eseal__xml_key_from_cert(xmlSecKeyPtr *out, X509 *cert)
{
    EVP_PKEY *pub = X509_get_pubkey(cert);
    xmlSecKeyDataPtr data = NULL;
    xmlSecKeyPtr key = NULL;

    *out = NULL;
    if (pub == NULL)
        goto fail;
    data = xmlSecOpenSSLEvpKeyAdopt(pub);
    if (data == NULL)
        goto fail;
    pub = NULL; /* owned by data now */
    key = xmlSecKeyCreate();
    if (key == NULL || xmlSecKeySetValue(key, data) < 0)
        goto fail;
    *out = key;
    return 0;
fail:
    if (key != NULL)
        xmlSecKeyDestroy(key);
    if (data != NULL && (key == NULL || xmlSecKeyGetValue(key) != data))
        xmlSecKeyDataDestroy(data);
    EVP_PKEY_free(pub);
    ERR_clear_error();
    return -1;
}
