/*
 * eseal - the CMS SignedData of a seal (CAdES baseline signed attributes).
 *
 * OpenSSL 3.0's CMS_final() always adds a signing-time attribute, which
 * PAdES B-B forbids, and signs a second time when asked to.  So the
 * SignerInfo is built with CMS_PARTIAL, its signed attributes are encoded
 * here as the DER SET OF that is signed, and the one signature value made
 * with EVP_DigestSign() is stored directly (see notes on OpenSSL CMS).
 */
#include <stdlib.h>
#include <string.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/rsa.h>
#include "core_int.h"
#include "pkcs11.h"

typedef struct der_item {
    unsigned char *der;
    int len;
} der_item;

static int der_item_cmp(const void *a, const void *b)
{
    const der_item *x = a, *y = b;
    int n = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->der, y->der, (size_t)n);

    if (c != 0)
        return c;
    return x->len - y->len;
}

/* DER SET OF the signed attributes, as DER requires: sorted encodings. */
static int encode_signed_attrs(unsigned char **out, size_t *out_len,
    CMS_SignerInfo *si, eseal_error *err)
{
    der_item items[8];
    int n = CMS_signed_get_attr_count(si), i, rc = 0;
    size_t body = 0, hdr, pos;
    unsigned char *buf = NULL;

    *out = NULL;
    if (n <= 0 || n > 8)
        return eseal__error_set(err, ESEAL_ECRYPTO,
            "unexpected number of signed attributes");
    memset(items, 0, sizeof(items));
    for (i = 0; i < n; i++) {
        items[i].der = NULL;
        items[i].len = i2d_X509_ATTRIBUTE(CMS_signed_get_attr(si, i),
            &items[i].der);
        if (items[i].len <= 0) {
            rc = eseal__error_ossl(err, ESEAL_ECRYPTO,
                "cannot encode a signed attribute");
            goto cleanup;
        }
        body += (size_t)items[i].len;
    }
    qsort(items, (size_t)n, sizeof(items[0]), der_item_cmp);
    hdr = body < 128 ? 2 : body < 256 ? 3 : body < 65536 ? 4 : 5;
    buf = OPENSSL_malloc(hdr + body);
    if (buf == NULL) {
        rc = eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
        goto cleanup;
    }
    buf[0] = 0x31; /* SET */
    if (hdr == 2) {
        buf[1] = (unsigned char)body;
    } else {
        size_t k, lenbytes = hdr - 2;

        buf[1] = (unsigned char)(0x80 | lenbytes);
        for (k = 0; k < lenbytes; k++)
            buf[2 + k] = (unsigned char)(body >> (8 * (lenbytes - 1 - k)));
    }
    pos = hdr;
    for (i = 0; i < n; i++) {
        memcpy(buf + pos, items[i].der, (size_t)items[i].len);
        pos += (size_t)items[i].len;
    }
    *out = buf;
    *out_len = pos;
cleanup:
    for (i = 0; i < n && i < 8; i++)
        OPENSSL_free(items[i].der);
    return rc;
}

/* RSASSA-PSS AlgorithmIdentifier: hash = mgf1 hash = md, salt = |md|. */
static int set_pss_algorithm(X509_ALGOR *alg, const EVP_MD *md,
    eseal_error *err)
{
    RSA_PSS_PARAMS *pss = RSA_PSS_PARAMS_new();
    X509_ALGOR *mgf1md = X509_ALGOR_new();
    ASN1_STRING *mgf1 = NULL, *params = NULL;
    int rc = 0;

    if (pss == NULL || mgf1md == NULL)
        goto fail;
    pss->hashAlgorithm = X509_ALGOR_new();
    pss->maskGenAlgorithm = X509_ALGOR_new();
    pss->saltLength = ASN1_INTEGER_new();
    if (pss->hashAlgorithm == NULL || pss->maskGenAlgorithm == NULL ||
        pss->saltLength == NULL)
        goto fail;
    X509_ALGOR_set_md(pss->hashAlgorithm, md);
    X509_ALGOR_set_md(mgf1md, md);
    mgf1 = ASN1_item_pack(mgf1md, ASN1_ITEM_rptr(X509_ALGOR), NULL);
    if (mgf1 == NULL ||
        !X509_ALGOR_set0(pss->maskGenAlgorithm, OBJ_nid2obj(NID_mgf1),
            V_ASN1_SEQUENCE, mgf1))
        goto fail;
    mgf1 = NULL; /* owned by pss now */
    if (!ASN1_INTEGER_set(pss->saltLength, EVP_MD_get_size(md)))
        goto fail;
    params = ASN1_item_pack(pss, ASN1_ITEM_rptr(RSA_PSS_PARAMS), NULL);
    if (params == NULL ||
        !X509_ALGOR_set0(alg, OBJ_nid2obj(NID_rsassaPss), V_ASN1_SEQUENCE,
            params))
        goto fail;
    params = NULL; /* owned by alg now */
    goto cleanup;
fail:
    rc = eseal__error_ossl(err, ESEAL_ECRYPTO,
        "cannot build the RSASSA-PSS algorithm identifier");
cleanup:
    ASN1_STRING_free(mgf1);
    ASN1_STRING_free(params);
    X509_ALGOR_free(mgf1md);
    RSA_PSS_PARAMS_free(pss);
    return rc;
}

/* One private-key operation over the encoded signed attributes. */
static int sign_bytes(unsigned char **sig, size_t *sig_len,
    const eseal_sealer *sealer, const unsigned char *tbs, size_t tbs_len,
    eseal_error *err)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx = NULL;
    int rc = 0;

    *sig = NULL;
    /* a token key used in a forked child: set the token up there first */
    if ((rc = eseal__p11_after_fork(eseal__p11_of_key(sealer->key),
             err)) < 0)
        goto cleanup;
    if (ctx == NULL ||
        EVP_DigestSignInit_ex(ctx, &pctx, sealer->md_name, NULL, NULL,
            sealer->key, NULL) != 1)
        goto fail;
    /* the MGF1 digest as an EVP_MD: a token key (libp11) signs through
     * OpenSSL's legacy path, which does not take a digest name there */
    if (sealer->rsa_pss &&
        (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) <= 0 ||
         EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) <= 0 ||
         EVP_PKEY_CTX_set_rsa_mgf1_md(pctx,
             EVP_get_digestbyname(sealer->md_name)) <= 0))
        goto fail;
    if (EVP_DigestSign(ctx, NULL, sig_len, tbs, tbs_len) != 1)
        goto fail;
    *sig = OPENSSL_malloc(*sig_len);
    if (*sig == NULL) {
        rc = eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
        goto cleanup;
    }
    if (EVP_DigestSign(ctx, *sig, sig_len, tbs, tbs_len) != 1) {
        OPENSSL_free(*sig);
        *sig = NULL;
        goto fail;
    }
    goto cleanup;
fail:
    rc = eseal__error_ossl(err, ESEAL_ECRYPTO,
        "the private-key operation failed");
cleanup:
    EVP_MD_CTX_free(ctx);
    return rc;
}

/*
 * Builds the SignedData around a content digest.  When fake_sig_len is not
 * zero no key is used: the signature value is that many filler bytes (to
 * measure the largest encoding).
 */
static int build_cms(eseal_bytes *out, const eseal_sealer *sealer,
    const unsigned char *digest, size_t digest_len, size_t fake_sig_len,
    eseal_error *err)
{
    const unsigned int flags = CMS_DETACHED | CMS_PARTIAL | CMS_BINARY;
    CMS_ContentInfo *cms = NULL;
    CMS_SignerInfo *si;
    const EVP_MD *md = EVP_get_digestbyname(sealer->md_name);
    unsigned char *attrs = NULL, *sig = NULL, *der = NULL;
    size_t attrs_len = 0, sig_len = 0;
    X509_ALGOR *sig_alg = NULL;
    int i, der_len, rc = 0;

    out->data = NULL;
    out->len = 0;
    if (md == NULL)
        return eseal__error_ossl(err, ESEAL_ECRYPTO, "unknown digest %s",
            sealer->md_name);
    cms = CMS_sign(NULL, NULL, NULL, NULL, flags);
    if (cms == NULL)
        goto fail;
    si = CMS_add1_signer(cms, sealer->cert, sealer->key, md,
        flags | CMS_CADES | CMS_NOSMIMECAP);
    if (si == NULL)
        goto fail;
    for (i = 0; i < sk_X509_num(sealer->chain); i++)
        if (!CMS_add1_cert(cms, sk_X509_value(sealer->chain, i)))
            goto fail;
    if (CMS_signed_add1_attr_by_NID(si, NID_pkcs9_contentType,
            V_ASN1_OBJECT, OBJ_nid2obj(NID_pkcs7_data), -1) != 1 ||
        CMS_signed_add1_attr_by_NID(si, NID_pkcs9_messageDigest,
            V_ASN1_OCTET_STRING, digest, (int)digest_len) != 1)
        goto fail;
    if (sealer->rsa_pss) {
        CMS_SignerInfo_get0_algs(si, NULL, NULL, NULL, &sig_alg);
        if ((rc = set_pss_algorithm(sig_alg, md, err)) < 0)
            goto cleanup;
    }
    if (fake_sig_len > 0) {
        sig = OPENSSL_malloc(fake_sig_len);
        if (sig == NULL) {
            rc = eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
            goto cleanup;
        }
        memset(sig, 0xff, fake_sig_len);
        sig_len = fake_sig_len;
    } else {
        if ((rc = encode_signed_attrs(&attrs, &attrs_len, si, err)) < 0)
            goto cleanup;
        if ((rc = sign_bytes(&sig, &sig_len, sealer, attrs, attrs_len,
                 err)) < 0)
            goto cleanup;
    }
    if (!ASN1_STRING_set(CMS_SignerInfo_get0_signature(si), sig,
            (int)sig_len))
        goto fail;
    der_len = i2d_CMS_ContentInfo(cms, &der);
    if (der_len <= 0)
        goto fail;
    out->data = (unsigned char *)der;
    out->len = (size_t)der_len;
    /* the caller frees with free(): OpenSSL's allocator is libc's here */
    goto cleanup;
fail:
    rc = eseal__error_ossl(err, ESEAL_ECRYPTO, "cannot build the CMS");
cleanup:
    OPENSSL_free(attrs);
    OPENSSL_free(sig);
    CMS_ContentInfo_free(cms);
    ERR_clear_error();
    return rc;
}

int eseal__cms_sign_digest(eseal_bytes *out, const eseal_sealer *sealer,
    const unsigned char *digest, size_t digest_len, eseal_error *err)
{
    return build_cms(out, sealer, digest, digest_len, 0, err);
}

int eseal__sign_bytes(eseal_bytes *out, const eseal_sealer *sealer,
    const unsigned char *tbs, size_t tbs_len, eseal_error *err)
{
    unsigned char *sig = NULL;
    size_t len = 0;
    int rc;

    out->data = NULL;
    out->len = 0;
    if ((rc = sign_bytes(&sig, &len, sealer, tbs, tbs_len, err)) < 0)
        return rc;
    out->data = sig;
    out->len = len;
    return 0;
}

int eseal__cms_max_len(size_t *out, const eseal_sealer *sealer,
    eseal_error *err)
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    eseal_bytes der = { NULL, 0 };
    EVP_MD *md = EVP_MD_fetch(NULL, sealer->md_name, NULL);
    int max_sig = EVP_PKEY_get_size(sealer->key);
    int rc;

    if (md == NULL || max_sig <= 0) {
        EVP_MD_free(md);
        return eseal__error_ossl(err, ESEAL_ECRYPTO,
            "cannot size the signature");
    }
    memset(digest, 0xff, sizeof(digest));
    rc = build_cms(&der, sealer, digest, (size_t)EVP_MD_get_size(md),
        (size_t)max_sig, err);
    EVP_MD_free(md);
    if (rc < 0)
        return rc;
    *out = der.len;
    OPENSSL_free(der.data);
    return 0;
}
