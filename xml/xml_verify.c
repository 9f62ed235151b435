/* eseal XAdES adapter - verification: every ds:Signature is checked by
 * xmlsec with only the public key of a certificate from its own KeyInfo,
 * same-document references only; then coverage, XAdES properties and
 * level.  The core checks the chain and gives the verdict. */
#include <stdlib.h>
#include <string.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>
#include <xmlsec/xmltree.h>
#include "xml_dsig.h"

typedef struct attempt {
    int ran;          /* xmlsec reached a verdict */
    int ok;           /* signature value and every reference verify */
    int refs_failed;  /* a reference's digest does not match */
    char failed_uri[96];
    char reason[200];
    char **ok_uris;   /* references that verified */
    size_t n_ok_uris;
} attempt;

static void attempt_reset(attempt *a)
{
    eseal__strlist_free(a->ok_uris, a->n_ok_uris);
    memset(a, 0, sizeof(*a));
}

static void add_error(eseal_found_signature *f, const char *msg)
{
    (void)eseal__strlist_add(&f->errors, &f->n_errors, msg);
}

static void add_warning(eseal_found_signature *f, const char *msg)
{
    (void)eseal__strlist_add(&f->warnings, &f->n_warnings, msg);
}

static int verify_with(attempt *a, xmlNodePtr sig, X509 *cert)
{
    xmlSecDSigCtxPtr ctx = eseal__xml_dsig_ctx(0);
    xmlSecKeyPtr key = NULL;
    eseal_xml_quiet q;
    xmlSecSize i, n;
    int r;

    attempt_reset(a);
    if (ctx == NULL)
        return ESEAL_ENOMEM;
    if (eseal__xml_key_from_cert(&key, cert) < 0) {
        snprintf(a->reason, sizeof(a->reason), "the certificate's key "
            "cannot be used");
        xmlSecDSigCtxDestroy(ctx);
        return 0;
    }
    ctx->signKey = key;   /* owned by ctx now */
    eseal__xml_quiet_begin(&q);
    r = xmlSecDSigCtxVerify(ctx, sig);
    eseal__xml_quiet_end(&q);
    if (r < 0) {
        snprintf(a->reason, sizeof(a->reason), "%s",
            eseal__xmlsec_last_error()[0] ? eseal__xmlsec_last_error() :
            "xmlsec cannot process it");
    } else {
        a->ran = 1;
        a->ok = ctx->status == xmlSecDSigStatusSucceeded;
    }
    n = xmlSecPtrListGetSize(&ctx->signedInfoReferences);
    for (i = 0; i < n; i++) {
        xmlSecDSigReferenceCtxPtr ref =
            xmlSecPtrListGetItem(&ctx->signedInfoReferences, i);
        const char *uri = ref && ref->uri ? (const char *)ref->uri : "";

        if (ref == NULL)
            continue;
        if (ref->status == xmlSecDSigStatusSucceeded) {
            if (eseal__strlist_add(&a->ok_uris, &a->n_ok_uris, uri) < 0)
                r = -1;
        } else if (ref->status == xmlSecDSigStatusInvalid && a->ran) {
            a->refs_failed = 1;
            snprintf(a->failed_uri, sizeof(a->failed_uri), "%s", uri);
        }
    }
    eseal__xmlsec_clear_error();
    ERR_clear_error();
    xmlSecDSigCtxDestroy(ctx);
    return 0;
}

static int uri_ok(const attempt *a, const char *uri)
{
    size_t i;

    for (i = 0; i < a->n_ok_uris; i++)
        if (strcmp(a->ok_uris[i], uri) == 0)
            return 1;
    return 0;
}

/* The certificates of the signature's own KeyInfo/X509Data. */
static int read_certs(X509 **certs, size_t *n, xmlNodePtr sig)
{
    xmlNodePtr ki = eseal__xml_child(sig, ESEAL_NS_DS, "KeyInfo"), xd, c;

    *n = 0;
    for (xd = eseal__xml_child(ki, ESEAL_NS_DS, "X509Data"); xd != NULL;
         xd = eseal__xml_next(xd, ESEAL_NS_DS, "X509Data")) {
        for (c = eseal__xml_child(xd, ESEAL_NS_DS, "X509Certificate");
             c != NULL;
             c = eseal__xml_next(c, ESEAL_NS_DS, "X509Certificate")) {
            xmlChar *v = xmlNodeGetContent(c);
            unsigned char *der = NULL;
            const unsigned char *p;
            size_t len = 0;
            X509 *x = NULL;

            if (*n >= ESEAL_XML_MAX_CERTS) {
                xmlFree(v);
                return ESEAL_ELIMIT;
            }
            if (v != NULL && eseal__xml_unbase64(&der, &len,
                    (const char *)v) == 0) {
                p = der;
                x = d2i_X509(NULL, &p, (long)len);
            }
            if (x != NULL)
                certs[(*n)++] = x;
            ERR_clear_error();
            free(der);
            xmlFree(v);
        }
    }
    return 0;
}

/* A certificate that issued no other certificate of the set. */
static int is_leaf(X509 **certs, size_t n, size_t i)
{
    size_t k;

    for (k = 0; k < n; k++)
        if (k != i && X509_check_issued(certs[i], certs[k]) == X509_V_OK)
            return 0;
    return 1;
}

static int collapse_eq(const char *a, const char *b)
{
    for (;;) {
        while (*a == ' ' || *a == '\t' || *a == '\r' || *a == '\n')
            a++;
        while (*b == ' ' || *b == '\t' || *b == '\r' || *b == '\n')
            b++;
        if (*a != *b)
            return 0;
        if (*a == '\0')
            return 1;
        a++;
        b++;
    }
}

static int is_c14n(const char *alg)
{
    return strcmp(alg, ESEAL_ALG_EXC_C14N) == 0 ||
        strcmp(alg, ESEAL_ALG_EXC_C14N "WithComments") == 0 ||
        strcmp(alg, ESEAL_ALG_C14N) == 0 ||
        strcmp(alg, ESEAL_ALG_C14N "#WithComments") == 0 ||
        strcmp(alg, ESEAL_ALG_C14N11) == 0 ||
        strcmp(alg, ESEAL_ALG_C14N11 "#WithComments") == 0;
}

/* Do the reference's transforms keep the whole document (less signatures)?
 * *excl: they drop signatures other than this one. */
static int keeps_document(xmlNodePtr ref, int *excl)
{
    xmlNodePtr ts = eseal__xml_child(ref, ESEAL_NS_DS, "Transforms"), t;
    int keeps = 1;

    for (t = eseal__xml_child(ts, ESEAL_NS_DS, "Transform");
         t != NULL && keeps;
         t = eseal__xml_next(t, ESEAL_NS_DS, "Transform")) {
        xmlChar *alg = xmlGetProp(t, BAD_CAST "Algorithm");
        const char *a = alg ? (const char *)alg : "";

        if (strcmp(a, ESEAL_ALG_ENVELOPED) == 0 || is_c14n(a)) {
            /* fine */
        } else if (strcmp(a, ESEAL_ALG_XPATH2) == 0) {
            xmlNodePtr x;

            for (x = eseal__xml_child(t, ESEAL_NS_XPATH2, "XPath");
                 x != NULL && keeps;
                 x = eseal__xml_next(x, ESEAL_NS_XPATH2, "XPath")) {
                xmlChar *filter = xmlGetProp(x, BAD_CAST "Filter");
                xmlChar *expr = xmlNodeGetContent(x);

                keeps = filter != NULL && expr != NULL &&
                    strcmp((const char *)filter, "subtract") == 0 &&
                    strstr((const char *)expr, "Signature") != NULL;
                xmlFree(filter);
                xmlFree(expr);
            }
            *excl = 1;
        } else if (strcmp(a, ESEAL_ALG_XPATH) == 0) {
            xmlChar *expr = xmlNodeGetContent(eseal__xml_child(t,
                ESEAL_NS_DS, "XPath"));

            keeps = expr != NULL &&
                collapse_eq((const char *)expr, ESEAL_UBL_XPATH);
            xmlFree(expr);
            *excl = 1;
        } else {
            keeps = 0;
        }
        xmlFree(alg);
    }
    return keeps;
}

/* Does a verified reference cover the whole document? */
static int whole_document(xmlNodePtr sig, const attempt *a, int *excl)
{
    xmlNodePtr si = eseal__xml_child(sig, ESEAL_NS_DS, "SignedInfo"), ref;
    xmlNodePtr root = xmlDocGetRootElement(sig->doc);

    for (ref = eseal__xml_child(si, ESEAL_NS_DS, "Reference"); ref != NULL;
         ref = eseal__xml_next(ref, ESEAL_NS_DS, "Reference")) {
        xmlChar *uri = xmlGetProp(ref, BAD_CAST "URI");
        const char *u = uri ? (const char *)uri : NULL;
        int target = 0, e = 0;

        if (u != NULL && (u[0] == '\0' || strcmp(u, "#xpointer(/)") == 0)) {
            target = 1;
        } else if (u != NULL && u[0] == '#') {
            xmlAttrPtr id = xmlGetID(sig->doc, BAD_CAST(u + 1));

            target = id != NULL && id->parent == root;
        }
        if (target && uri_ok(a, u) && keeps_document(ref, &e)) {
            *excl = e;
            xmlFree(uri);
            return 1;
        }
        xmlFree(uri);
    }
    return 0;
}

static void check_algorithms(xmlNodePtr sig, X509 *signer,
    eseal_found_signature *f)
{
    xmlNodePtr si = eseal__xml_child(sig, ESEAL_NS_DS, "SignedInfo"), n;
    xmlNodePtr sm = eseal__xml_child(si, ESEAL_NS_DS, "SignatureMethod");
    xmlChar *alg = sm ? xmlGetProp(sm, BAD_CAST "Algorithm") : NULL;
    EVP_PKEY *pub;

    if (alg != NULL && strstr((const char *)alg, "sha1") != NULL)
        add_warning(f, "weak signature algorithm (SHA-1)");
    xmlFree(alg);
    for (n = eseal__xml_child(si, ESEAL_NS_DS, "Reference"); n != NULL;
         n = eseal__xml_next(n, ESEAL_NS_DS, "Reference")) {
        xmlNodePtr dm = eseal__xml_child(n, ESEAL_NS_DS, "DigestMethod");
        xmlChar *d = dm ? xmlGetProp(dm, BAD_CAST "Algorithm") : NULL;
        const char *name = eseal__xml_digest_name((const char *)d);

        xmlFree(d);
        if (name != NULL && strcmp(name, "SHA1") == 0) {
            add_warning(f, "weak digest algorithm SHA-1 in a reference");
            break;
        }
    }
    pub = signer ? X509_get0_pubkey(signer) : NULL;
    if (pub != NULL && EVP_PKEY_get_base_id(pub) == EVP_PKEY_RSA &&
        EVP_PKEY_get_bits(pub) < 2048)
        add_warning(f, "RSA key shorter than 2048 bits");
}

/* References to IDs that several elements carry are ambiguous. */
static int ambiguous_reference(xmlNodePtr sig, char **dups, size_t n_dups,
    eseal_found_signature *f)
{
    xmlNodePtr si = eseal__xml_child(sig, ESEAL_NS_DS, "SignedInfo"), ref;
    size_t i;
    int bad = 0;

    for (ref = eseal__xml_child(si, ESEAL_NS_DS, "Reference"); ref != NULL;
         ref = eseal__xml_next(ref, ESEAL_NS_DS, "Reference")) {
        xmlChar *uri = xmlGetProp(ref, BAD_CAST "URI");

        for (i = 0; uri != NULL && uri[0] == '#' && i < n_dups; i++) {
            if (strcmp((const char *)uri + 1, dups[i]) == 0) {
                char msg[160];

                snprintf(msg, sizeof(msg), "the reference '#%.60s' is "
                    "ambiguous: several elements carry that ID", dups[i]);
                add_error(f, msg);
                bad = 1;
            }
        }
        xmlFree(uri);
    }
    return bad;
}

static void set_signer(eseal_found_signature *f, X509 **certs, size_t n,
    size_t signer)
{
    size_t i;

    if (n == 0)
        return;
    if (X509_up_ref(certs[signer]))
        f->signer_cert = certs[signer];
    f->certs = sk_X509_new_null();
    for (i = 0; f->certs != NULL && i < n; i++) {
        if (i == signer || !X509_up_ref(certs[i]))
            continue;
        if (!sk_X509_push(f->certs, certs[i]))
            X509_free(certs[i]);
    }
}

static int check_one(eseal_found_signature *f, xmlNodePtr sig,
    size_t n_sigs, char **dups, size_t n_dups)
{
    X509 *certs[ESEAL_XML_MAX_CERTS];
    size_t n = 0, order[ESEAL_XML_MAX_CERTS], n_order = 0, i, k;
    size_t signer = 0;
    attempt a, first;
    eseal_xml_xades x;
    int rc, idx, excl = 0, verified = 0;
    char msg[320];

    memset(&a, 0, sizeof(a));
    memset(&first, 0, sizeof(first));
    f->kind = ESEAL_FOUND_CHECKED;
    f->kind_name = "xmldsig";
    f->level = -1;
    f->modifications_after = ESEAL_MODS_NONE;
    if ((rc = read_certs(certs, &n, sig)) < 0) {
        add_error(f, "too many certificates in ds:KeyInfo");
        goto cleanup;
    }
    if (n == 0) {
        add_error(f, "no X.509 certificate in ds:KeyInfo: eseal verifies "
            "only with a certificate (a bare KeyValue is not trusted)");
        goto cleanup;
    }
    /* the certificate XAdES names first, then leaves, then the rest */
    idx = eseal__xml_signing_cert_index(sig, certs, n);
    if (idx >= 0)
        order[n_order++] = (size_t)idx;
    for (k = 0; k < 2; k++)
        for (i = 0; i < n; i++)
            if ((int)i != idx && (k == 0) == is_leaf(certs, n, i))
                order[n_order++] = i;
    signer = order[0];
    if ((rc = verify_with(&first, sig, certs[signer])) < 0)
        goto cleanup;
    /* a changed reference fails with every key: try others only when the
     * key itself may be the wrong one */
    for (i = 1; i < n_order && !first.ok &&
                !(first.ran && first.refs_failed); i++) {
        if ((rc = verify_with(&a, sig, certs[order[i]])) < 0)
            goto cleanup;
        if (a.ok) {
            signer = order[i];
            attempt_reset(&first);
            first = a;   /* its list is owned by first now */
            memset(&a, 0, sizeof(a));
        }
    }
    f->integrity = first.ok;
    set_signer(f, certs, n, signer);
    if (ambiguous_reference(sig, dups, n_dups, f))
        f->integrity = 0;
    if (!first.ok) {
        if (first.ran && first.refs_failed) {
            if (first.failed_uri[0] == '\0')
                snprintf(msg, sizeof(msg), "the document was changed after "
                    "sealing (the digest of its reference does not match)");
            else
                snprintf(msg, sizeof(msg), "the data of the reference "
                    "'%.80s' was changed after sealing", first.failed_uri);
            f->modifications_after = ESEAL_MODS_FORBIDDEN;
        } else if (first.ran) {
            snprintf(msg, sizeof(msg), "the signature value does not "
                "match the signed information and the certificate's key");
        } else {
            snprintf(msg, sizeof(msg), "the signature cannot be verified: "
                "%s", first.reason);
        }
        add_error(f, msg);
    }
    check_algorithms(sig, f->signer_cert, f);
    f->covers_whole_document = whole_document(sig, &first, &excl);
    if (!f->covers_whole_document && first.ok)
        add_warning(f, "no verified reference covers the whole document");
    if (f->integrity && excl && n_sigs > 1)
        f->modifications_after = ESEAL_MODS_PERMITTED;
    eseal__xml_check_xades(&x, sig, f->signer_cert, f);
    f->claimed_time = x.signing_time;
    if (x.present && x.signed_props != NULL) {
        xmlChar *id = xmlGetProp(x.signed_props, BAD_CAST "Id");

        if (id != NULL) {
            snprintf(msg, sizeof(msg), "#%.200s", (const char *)id);
            verified = uri_ok(&first, msg);
        }
        xmlFree(id);
        if (!verified && first.ok)
            add_warning(f, "the XAdES SignedProperties are not covered by "
                "a reference: not a XAdES signature");
    }
    if (verified) {
        f->kind_name = "xades";
        if (!x.has_data_object_format)
            add_warning(f, "no XAdES DataObjectFormat for the signed "
                "document");
        if (x.signing_time != 0 && x.has_signing_cert && x.signing_cert_ok)
            f->level = ESEAL_LEVEL_B_B;
        else
            add_warning(f, "SigningTime or a matching SigningCertificate "
                "is missing: not a XAdES baseline signature");
    }
    if ((rc = eseal__xml_read_ltv(f, sig)) < 0)
        goto cleanup;
    rc = 0;
cleanup:
    attempt_reset(&a);
    attempt_reset(&first);
    for (i = 0; i < n; i++)
        X509_free(certs[i]);
    return rc;
}

int eseal__xml_find_signatures(eseal_verify_job *vj, eseal_error *err)
{
    const char *name = vj->in->name ? vj->in->name : "document";
    xmlNodePtr sigs[ESEAL_XML_MAX_SIGNATURES];
    xmlDocPtr doc = NULL;
    char **dups = NULL;
    size_t n_dups = 0, n, total, i;
    int rc;

    if ((uint64_t)vj->in->size > ESEAL_XML_MAX_SIZE)
        return eseal__error_set(err, ESEAL_ELIMIT, "the document is "
            "larger than %llu bytes",
            (unsigned long long)ESEAL_XML_MAX_SIZE);
    if ((rc = eseal__xml_parse(&doc, vj->in->data, (size_t)vj->in->size,
             name, err)) < 0)
        return rc;
    if ((rc = eseal__xml_register_ids(doc, &dups, &n_dups)) < 0) {
        rc = eseal__error_set(err, rc, "out of memory");
        goto cleanup;
    }
    n = eseal__xml_collect_signatures(sigs, ESEAL_XML_MAX_SIGNATURES,
        xmlDocGetRootElement(doc), &total);
    if (total > ESEAL_XML_MAX_SIGNATURES) {
        rc = eseal__error_set(err, ESEAL_ELIMIT, "more than %d "
            "signatures", ESEAL_XML_MAX_SIGNATURES);
        goto cleanup;
    }
    for (i = 0; i < n; i++) {
        eseal_found_signature *f;

        if ((rc = eseal__verify_job_add(vj, &f, err)) < 0)
            goto cleanup;
        if ((rc = check_one(f, sigs[i], n, dups, n_dups)) < 0) {
            rc = eseal__error_set(err, rc, "out of memory");
            goto cleanup;
        }
    }
    rc = 0;
cleanup:
    eseal__strlist_free(dups, n_dups);
    xmlFreeDoc(doc);
    return rc;
}

void eseal__xml_verify_cleanup(eseal_verify_job *vj)
{
    size_t i;

    if (vj == NULL)
        return;
    for (i = 0; i < vj->n_found; i++) {
        eseal_found_signature *f = &vj->found[i];

        eseal__strlist_free(f->errors, f->n_errors);
        eseal__strlist_free(f->warnings, f->n_warnings);
        f->errors = NULL;
        f->warnings = NULL;
        f->n_errors = f->n_warnings = 0;
    }
}
