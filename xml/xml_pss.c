/* eseal XAdES adapter - RSASSA-PSS signature methods (RFC 6931
 * sha256/384/512-rsa-MGF1: MGF1 with the same digest, salt length = digest
 * length, trailer 1) as xmlsec transforms, for verification only.  xmlsec
 * 1.2.37 does not know these URIs; the transforms are handed to each
 * signature context, never registered process-wide. */
#include <string.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <xmlsec/xmlsec.h>
#include <xmlsec/keys.h>
#include <xmlsec/transforms.h>
#include <xmlsec/openssl/crypto.h>
#include "xml_int.h"

typedef struct pss_ctx {
    EVP_PKEY *key;
    EVP_MD_CTX *md_ctx;
    const char *md_name;
} pss_ctx;

#define PSS_SIZE (sizeof(xmlSecTransform) + sizeof(pss_ctx))

static pss_ctx *ctx_of(xmlSecTransformPtr t)
{
    return (pss_ctx *)((unsigned char *)t + sizeof(xmlSecTransform));
}

static int pss_initialize(xmlSecTransformPtr t);
static void pss_finalize(xmlSecTransformPtr t);
static int pss_set_key_req(xmlSecTransformPtr t, xmlSecKeyReqPtr req);
static int pss_set_key(xmlSecTransformPtr t, xmlSecKeyPtr key);
static int pss_verify(xmlSecTransformPtr t, const xmlSecByte *data,
    xmlSecSize size, xmlSecTransformCtxPtr tctx);
static int pss_execute(xmlSecTransformPtr t, int last,
    xmlSecTransformCtxPtr tctx);

#define PSS_KLASS(var, label, uri)                                           \
    static xmlSecTransformKlass var = {                                     \
        sizeof(xmlSecTransformKlass), PSS_SIZE, BAD_CAST label,             \
        BAD_CAST uri, xmlSecTransformUsageSignatureMethod,                  \
        pss_initialize, pss_finalize, NULL, NULL, pss_set_key_req,          \
        pss_set_key, pss_verify, xmlSecTransformDefaultGetDataType,         \
        xmlSecTransformDefaultPushBin, xmlSecTransformDefaultPopBin,        \
        NULL, NULL, pss_execute, NULL, NULL }

PSS_KLASS(pss256, "eseal-sha256-rsa-MGF1", ESEAL_ALG_PSS_SHA256);
PSS_KLASS(pss384, "eseal-sha384-rsa-MGF1", ESEAL_ALG_PSS_SHA384);
PSS_KLASS(pss512, "eseal-sha512-rsa-MGF1", ESEAL_ALG_PSS_SHA512);

const void *const *eseal__xml_pss_klasses(void)
{
    static const void *const list[] = { &pss256, &pss384, &pss512, NULL };

    return list;
}

static int pss_initialize(xmlSecTransformPtr t)
{
    pss_ctx *c = ctx_of(t);

    memset(c, 0, sizeof(*c));
    if (t->id == &pss256)
        c->md_name = "SHA256";
    else if (t->id == &pss384)
        c->md_name = "SHA384";
    else if (t->id == &pss512)
        c->md_name = "SHA512";
    else
        return -1;
    return 0;
}

static void pss_finalize(xmlSecTransformPtr t)
{
    pss_ctx *c = ctx_of(t);

    EVP_MD_CTX_free(c->md_ctx);
    EVP_PKEY_free(c->key);
    memset(c, 0, sizeof(*c));
}

static int pss_set_key_req(xmlSecTransformPtr t, xmlSecKeyReqPtr req)
{
    if (t->operation != xmlSecTransformOperationVerify)
        return -1;   /* eseal signs through its core, never here */
    req->keyId = xmlSecOpenSSLKeyDataRsaId;
    req->keyType = xmlSecKeyDataTypePublic;
    req->keyUsage = xmlSecKeyUsageVerify;
    return 0;
}

static int pss_set_key(xmlSecTransformPtr t, xmlSecKeyPtr key)
{
    pss_ctx *c = ctx_of(t);
    xmlSecKeyDataPtr value = xmlSecKeyGetValue(key);
    EVP_PKEY *pkey = value ? xmlSecOpenSSLKeyDataRsaGetEvp(value) : NULL;

    if (pkey == NULL || !EVP_PKEY_up_ref(pkey))
        return -1;
    EVP_PKEY_free(c->key);
    c->key = pkey;
    return 0;
}

static int start(pss_ctx *c)
{
    EVP_PKEY_CTX *pctx = NULL;

    c->md_ctx = EVP_MD_CTX_new();
    if (c->md_ctx == NULL ||
        EVP_DigestVerifyInit_ex(c->md_ctx, &pctx, c->md_name, NULL, NULL,
            c->key, NULL) != 1 ||
        EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) <= 0 ||
        EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) <= 0 ||
        EVP_PKEY_CTX_set_rsa_mgf1_md_name(pctx, c->md_name, NULL) <= 0)
        return -1;
    return 0;
}

static int pss_execute(xmlSecTransformPtr t, int last,
    xmlSecTransformCtxPtr tctx)
{
    pss_ctx *c = ctx_of(t);
    xmlSecBufferPtr in = &t->inBuf;
    xmlSecSize size;

    (void)tctx;
    if (c->key == NULL)
        return -1;
    if (t->status == xmlSecTransformStatusNone) {
        if (start(c) < 0)
            return -1;
        t->status = xmlSecTransformStatusWorking;
    }
    if (t->status == xmlSecTransformStatusWorking) {
        size = xmlSecBufferGetSize(in);
        if (size > 0) {
            if (EVP_DigestVerifyUpdate(c->md_ctx, xmlSecBufferGetData(in),
                    size) != 1)
                return -1;
            if (xmlSecBufferRemoveHead(in, size) < 0)
                return -1;
        }
        if (last)
            t->status = xmlSecTransformStatusFinished;
        return 0;
    }
    if (t->status == xmlSecTransformStatusFinished)
        return xmlSecBufferGetSize(in) == 0 ? 0 : -1;
    return -1;
}

static int pss_verify(xmlSecTransformPtr t, const xmlSecByte *data,
    xmlSecSize size, xmlSecTransformCtxPtr tctx)
{
    pss_ctx *c = ctx_of(t);
    int ok;

    (void)tctx;
    if (t->status != xmlSecTransformStatusFinished || c->md_ctx == NULL)
        return -1;
    ok = EVP_DigestVerifyFinal(c->md_ctx, data, size);
    ERR_clear_error();
    t->status = ok == 1 ? xmlSecTransformStatusOk : xmlSecTransformStatusFail;
    return 0;
}
