/*
 * eseal XAdES adapter - levels B-T, B-LT and B-LTA (ETSI EN 319 132-1):
 * the unsigned signature properties, spliced into the document's bytes
 * like the seal itself, and read back for verification.
 *
 *   xades:UnsignedProperties/xades:UnsignedSignatureProperties
 *     xades:SignatureTimeStamp      B-T: over the canonical SignatureValue
 *     xades:CertificateValues       B-LT: the certificates of the chains
 *                                   (signer, TSA) that KeyInfo lacks
 *     xades:RevocationValues        B-LT: OCSP responses, CRLs
 *     xades141:TimeStampValidationData  renewal: what validates the last
 *                                   archive timestamp
 *     xades141:ArchiveTimeStamp     B-LTA: over the signed data, SignedInfo,
 *                                   SignatureValue, KeyInfo, the unsigned
 *                                   properties before it, other ds:Objects
 *
 * Timestamps carry ds:CanonicalizationMethod (exclusive c14n when eseal
 * makes them; inclusive c14n 1.0 when absent, as XAdES says).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/err.h>
#include <xmlsec/xmlsec.h>
#include <xmlsec/buffer.h>
#include <xmlsec/xmldsig.h>
#include "xml_dsig.h"
#include "../core/ltv.h"

#define MAX_PROPS 256          /* unsigned properties looked at */
#define MAX_VALUES 256         /* encapsulated values read per signature */

/* ---- finding the parts --------------------------------------------------- */

static int is_xades_ns(xmlNodePtr n)
{
    return n != NULL && n->type == XML_ELEMENT_NODE && n->ns != NULL &&
        (strcmp((const char *)n->ns->href, ESEAL_NS_XADES) == 0 ||
         strcmp((const char *)n->ns->href, ESEAL_NS_XADES111) == 0);
}

static int is_x(xmlNodePtr n, const char *name)
{
    return is_xades_ns(n) && strcmp((const char *)n->name, name) == 0;
}

static int is_x141(xmlNodePtr n, const char *name)
{
    return eseal__xml_is(n, ESEAL_NS_XADES141, name) ||
        (is_xades_ns(n) && strcmp((const char *)n->name, name) == 0);
}

static xmlNodePtr xchild(xmlNodePtr n, const char *name)
{
    xmlNodePtr c;

    for (c = n != NULL ? n->children : NULL; c != NULL; c = c->next)
        if (is_x(c, name))
            return c;
    return NULL;
}

/* QualifyingProperties whose Target names sig (XAdES: exactly one). */
static xmlNodePtr qualifying(xmlNodePtr sig)
{
    xmlChar *id = xmlGetProp(sig, BAD_CAST "Id");
    xmlNodePtr obj, qp, found = NULL;

    for (obj = eseal__xml_child(sig, ESEAL_NS_DS, "Object");
         obj != NULL && found == NULL;
         obj = eseal__xml_next(obj, ESEAL_NS_DS, "Object")) {
        for (qp = obj->children; qp != NULL && found == NULL;
             qp = qp->next) {
            xmlChar *t;

            if (!is_x(qp, "QualifyingProperties"))
                continue;
            t = xmlGetProp(qp, BAD_CAST "Target");
            if (id != NULL && t != NULL && t[0] == '#' &&
                strcmp((const char *)t + 1, (const char *)id) == 0)
                found = qp;
            xmlFree(t);
        }
    }
    xmlFree(id);
    return found;
}

static xmlNodePtr unsigned_sig_props(xmlNodePtr qp)
{
    return xchild(xchild(qp, "UnsignedProperties"),
        "UnsignedSignatureProperties");
}

static char *text_of(xmlNodePtr n)
{
    xmlChar *v = n != NULL ? xmlNodeGetContent(n) : NULL;
    char *s = v != NULL ? eseal__strdup((const char *)v) : NULL;

    xmlFree(v);
    return s;
}

static int add_b64(eseal_der_list *l, xmlNodePtr n)
{
    char *t = text_of(n);
    unsigned char *der = NULL;
    size_t len = 0;
    int rc = 0;

    if (t != NULL && eseal__xml_unbase64(&der, &len, t) == 0 && len > 0)
        rc = eseal__der_list_add(l, der, len);
    free(t);
    free(der);
    return rc == ESEAL_ENOMEM ? rc : 0;
}

/* The canonicalization a timestamp names; NULL when it is unknown. */
static const char *ts_c14n(xmlNodePtr tsel)
{
    xmlNodePtr cm = eseal__xml_child(tsel, ESEAL_NS_DS,
        "CanonicalizationMethod");
    xmlChar *a = cm != NULL ? xmlGetProp(cm, BAD_CAST "Algorithm") : NULL;
    const char *uri = ESEAL_ALG_C14N;

    if (a != NULL) {
        if (strcmp((const char *)a, ESEAL_ALG_EXC_C14N) == 0)
            uri = ESEAL_ALG_EXC_C14N;
        else if (strcmp((const char *)a, ESEAL_ALG_C14N11) == 0)
            uri = ESEAL_ALG_C14N11;
        else if (strcmp((const char *)a, ESEAL_ALG_C14N) != 0)
            uri = NULL;
    }
    xmlFree(a);
    return uri;
}

static int c14n_append(eseal_buf *b, xmlNodePtr node, const char *uri,
    eseal_error *err)
{
    unsigned char *c = NULL;
    size_t len = 0;
    int rc;

    if ((rc = eseal__xml_c14n_subtree(&c, &len, node, uri, err)) < 0)
        return rc;
    eseal__buf_append(b, c, len);
    free(c);
    return b->failed ? eseal__error_set(err, ESEAL_ENOMEM, "out of memory")
                     : 0;
}

/* Is node the target of a same-document reference of SignedInfo? */
static int referenced(xmlNodePtr si, xmlNodePtr node)
{
    xmlChar *id = xmlGetProp(node, BAD_CAST "Id");
    xmlNodePtr ref;
    int yes = 0;

    for (ref = eseal__xml_child(si, ESEAL_NS_DS, "Reference");
         id != NULL && ref != NULL && !yes;
         ref = eseal__xml_next(ref, ESEAL_NS_DS, "Reference")) {
        xmlChar *uri = xmlGetProp(ref, BAD_CAST "URI");

        yes = uri != NULL && uri[0] == '#' &&
            strcmp((const char *)uri + 1, (const char *)id) == 0;
        xmlFree(uri);
    }
    xmlFree(id);
    return yes;
}

/*
 * The bytes an archive timestamp covers (EN 319 132-1, 5.5.2): each
 * reference's data after its transforms, then SignedInfo,
 * SignatureValue and KeyInfo (unless referenced), the unsigned signature
 * properties before `before` (NULL: all), and the ds:Objects other than
 * the QualifyingProperties' one, canonicalized with uri.
 */
static int archive_input(eseal_buf *b, xmlNodePtr sig, xmlNodePtr qp,
    xmlNodePtr before, const char *uri, eseal_error *err)
{
    xmlNodePtr si = eseal__xml_child(sig, ESEAL_NS_DS, "SignedInfo");
    xmlNodePtr sv = eseal__xml_child(sig, ESEAL_NS_DS, "SignatureValue");
    xmlNodePtr ki = eseal__xml_child(sig, ESEAL_NS_DS, "KeyInfo");
    xmlNodePtr usp = unsigned_sig_props(qp), n, ref;
    xmlSecDSigCtxPtr ctx = NULL;
    int rc = 0, count = 0;

    if (si == NULL || sv == NULL)
        return eseal__error_set(err, ESEAL_EFORMAT, "the signature has no "
            "SignedInfo or SignatureValue");
    if ((ctx = eseal__xml_dsig_ctx(0)) == NULL)
        return eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
    ctx->flags |= XMLSEC_DSIG_FLAGS_STORE_SIGNEDINFO_REFERENCES;
    for (ref = eseal__xml_child(si, ESEAL_NS_DS, "Reference"); ref != NULL;
         ref = eseal__xml_next(ref, ESEAL_NS_DS, "Reference")) {
        xmlSecDSigReferenceCtxPtr r = xmlSecDSigReferenceCtxCreate(ctx,
            xmlSecDSigReferenceOriginSignedInfo);
        xmlSecBufferPtr pre;

        if (r == NULL) {
            rc = eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
            goto cleanup;
        }
        if (xmlSecDSigReferenceCtxProcessNode(r, ref) < 0 ||
            (pre = xmlSecDSigReferenceCtxGetPreDigestBuffer(r)) == NULL) {
            xmlSecDSigReferenceCtxDestroy(r);
            rc = eseal__error_set(err, ESEAL_EFORMAT, "cannot process a "
                "reference of the signature for its archive timestamp%s%s",
                eseal__xmlsec_last_error()[0] ? ": " : "",
                eseal__xmlsec_last_error());
            goto cleanup;
        }
        eseal__buf_append(b, xmlSecBufferGetData(pre),
            xmlSecBufferGetSize(pre));
        xmlSecDSigReferenceCtxDestroy(r);
    }
    if ((rc = c14n_append(b, si, uri, err)) < 0 ||
        (rc = c14n_append(b, sv, uri, err)) < 0)
        goto cleanup;
    if (ki != NULL && !referenced(si, ki) &&
        (rc = c14n_append(b, ki, uri, err)) < 0)
        goto cleanup;
    for (n = usp != NULL ? usp->children : NULL; n != NULL && n != before;
         n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        if (++count > MAX_PROPS) {
            rc = eseal__error_set(err, ESEAL_ELIMIT, "too many unsigned "
                "properties");
            goto cleanup;
        }
        if ((rc = c14n_append(b, n, uri, err)) < 0)
            goto cleanup;
    }
    for (n = eseal__xml_child(sig, ESEAL_NS_DS, "Object"); n != NULL;
         n = eseal__xml_next(n, ESEAL_NS_DS, "Object"))
        if (qp->parent != n && (rc = c14n_append(b, n, uri, err)) < 0)
            goto cleanup;
cleanup:
    eseal__xmlsec_clear_error();
    ERR_clear_error();
    xmlSecDSigCtxDestroy(ctx);
    return rc;
}

/* ---- verification: what the signature holds ---------------------------- */

static int read_values(struct eseal_found_ltv *l, xmlNodePtr holder)
{
    xmlNodePtr cv = xchild(holder, "CertificateValues");
    xmlNodePtr rv = xchild(holder, "RevocationValues");
    xmlNodePtr n, g;
    int count = 0, rc;

    for (n = cv != NULL ? cv->children : NULL; n != NULL; n = n->next)
        if (is_x(n, "EncapsulatedX509Certificate") && ++count < MAX_VALUES &&
            (rc = add_b64(&l->vd.certs, n)) < 0)
            return rc;
    for (g = rv != NULL ? rv->children : NULL; g != NULL; g = g->next) {
        int crl = is_x(g, "CRLValues"), ocsp = is_x(g, "OCSPValues");

        for (n = crl || ocsp ? g->children : NULL; n != NULL; n = n->next) {
            if (++count > MAX_VALUES)
                break;
            if (crl && is_x(n, "EncapsulatedCRLValue") &&
                (rc = add_b64(&l->vd.crls, n)) < 0)
                return rc;
            if (ocsp && is_x(n, "EncapsulatedOCSPValue") &&
                (rc = add_b64(&l->vd.ocsps, n)) < 0)
                return rc;
        }
    }
    if (cv != NULL)
        l->has_cert_values = 1;
    if (rv != NULL)
        l->has_rev_values = 1;
    return 0;
}

static int add_found_ts(struct eseal_found_ltv *l, eseal_found_ts_kind kind,
    xmlNodePtr tsel, xmlNodePtr sig, xmlNodePtr qp)
{
    eseal_found_ts *t = NULL;
    xmlNodePtr enc = xchild(tsel, "EncapsulatedTimeStamp");
    const char *uri = ts_c14n(tsel);
    eseal_error e = { 0, "" };
    eseal_buf b = { 0 };
    char *text;
    int rc;

    if ((rc = eseal__found_ltv_add_ts(l, &t)) < 0)
        return rc;
    t->kind = kind;
    text = text_of(enc);
    if (text == NULL || eseal__xml_unbase64(&t->token.data, &t->token.len,
            text) < 0) {
        t->problem = "the timestamp holds no base64 EncapsulatedTimeStamp";
        free(text);
        return 0;
    }
    free(text);
    if (uri == NULL) {
        t->problem = "the timestamp names an unknown canonicalization";
        return 0;
    }
    if (kind == ESEAL_TS_SIGNATURE)
        rc = c14n_append(&b, eseal__xml_child(sig, ESEAL_NS_DS,
            "SignatureValue"), uri, &e);
    else
        rc = archive_input(&b, sig, qp, tsel, uri, &e);
    if (rc < 0) {
        eseal__buf_free(&b);
        t->problem = kind == ESEAL_TS_SIGNATURE ?
            "cannot canonicalize the SignatureValue" :
            "cannot compute what the archive timestamp covers";
        return rc == ESEAL_ENOMEM ? rc : 0;
    }
    t->data.data = (unsigned char *)eseal__buf_steal(&b, &t->data.len);
    if (t->data.data == NULL)
        return ESEAL_ENOMEM;
    return 0;
}

int eseal__xml_read_ltv(eseal_found_signature *f, xmlNodePtr sig)
{
    xmlNodePtr qp = qualifying(sig), usp, n;
    struct eseal_found_ltv *l;
    int count = 0, rc = 0;

    usp = qp != NULL ? unsigned_sig_props(qp) : NULL;
    if (usp == NULL)
        return 0;
    if ((l = calloc(1, sizeof(*l))) == NULL)
        return ESEAL_ENOMEM;
    for (n = usp->children; n != NULL && rc == 0; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        if (++count > MAX_PROPS)
            break;
        if ((is_x(n, "SignatureTimeStamp") ||
                is_x141(n, "ArchiveTimeStamp")) &&
            xchild(n, "EncapsulatedTimeStamp") == NULL)
            rc = eseal__strlist_add(&f->warnings, &f->n_warnings, "a "
                "timestamp that is not an RFC 3161 token (e.g. an "
                "XMLTimeStamp) was not checked");
        else if (is_x(n, "SignatureTimeStamp"))
            rc = add_found_ts(l, ESEAL_TS_SIGNATURE, n, sig, qp);
        else if (is_x141(n, "ArchiveTimeStamp"))
            rc = add_found_ts(l, ESEAL_TS_ARCHIVE, n, sig, qp);
        else if (is_x(n, "CertificateValues") ||
                 is_x(n, "RevocationValues"))
            rc = 0;
        else if (is_x141(n, "TimeStampValidationData"))
            rc = read_values(l, n);
    }
    if (rc == 0)
        rc = read_values(l, usp);
    if (rc < 0) {
        eseal__found_ltv_free(l);
        return rc;
    }
    f->ltv = l;
    return 0;
}

/* ---- extending: text to splice ------------------------------------------- */

typedef struct ns_use {
    const char *x;        /* prefix of the XAdES namespace used */
    const char *x_decl;   /* " xmlns:xades=..." or "" */
    const char *ds_decl;
    const char *x141_decl;
    char x_buf[80];
    char decl_buf[200];
} ns_use;

/* Prefixes to write at `at` (inside QualifyingProperties qp). */
static void choose_ns(ns_use *u, xmlDocPtr doc, xmlNodePtr at,
    xmlNodePtr qp)
{
    xmlNsPtr ns;
    const unsigned char *p;
    int ascii = qp->ns->prefix != NULL;

    for (p = qp->ns->prefix; ascii && *p; p++)
        if (*p >= 0x80)
            ascii = 0;
    u->x_decl = "";
    if (ascii && (ns = xmlSearchNs(doc, at, qp->ns->prefix)) != NULL &&
        strcmp((const char *)ns->href, (const char *)qp->ns->href) == 0) {
        snprintf(u->x_buf, sizeof(u->x_buf), "%s",
            (const char *)qp->ns->prefix);
    } else {
        snprintf(u->x_buf, sizeof(u->x_buf), "xades");
        snprintf(u->decl_buf, sizeof(u->decl_buf), " xmlns:xades=\"%s\"",
            (const char *)qp->ns->href);
        u->x_decl = u->decl_buf;
    }
    u->x = u->x_buf;
    ns = xmlSearchNs(doc, at, BAD_CAST "ds");
    u->ds_decl = ns != NULL && strcmp((const char *)ns->href,
        ESEAL_NS_DS) == 0 ? "" : " xmlns:ds=\"" ESEAL_NS_DS "\"";
    ns = xmlSearchNs(doc, at, BAD_CAST "xades141");
    u->x141_decl = ns != NULL && strcmp((const char *)ns->href,
        ESEAL_NS_XADES141) == 0 ? "" :
        " xmlns:xades141=\"" ESEAL_NS_XADES141 "\"";
}

static int put_b64(eseal_buf *b, const unsigned char *der, size_t len)
{
    char *s = eseal__xml_base64(der, len);

    if (s == NULL)
        return ESEAL_ENOMEM;
    eseal__buf_puts(b, s);
    free(s);
    return 0;
}

/* <P:NAME><ds:CanonicalizationMethod/><x:EncapsulatedTimeStamp>... */
static int put_timestamp(eseal_buf *b, const ns_use *u, int archive,
    const eseal_bytes *token, const char *eol)
{
    if (archive)
        eseal__buf_printf(b, "<xades141:ArchiveTimeStamp%s%s>",
            u->x141_decl, u->x_decl);
    else
        eseal__buf_printf(b, "<%s:SignatureTimeStamp%s>", u->x, u->x_decl);
    eseal__buf_printf(b, "<ds:CanonicalizationMethod%s Algorithm=\"%s\"/>"
        "<%s:EncapsulatedTimeStamp>", u->ds_decl, ESEAL_ALG_EXC_C14N, u->x);
    if (put_b64(b, token->data, token->len) < 0)
        return ESEAL_ENOMEM;
    eseal__buf_printf(b, "</%s:EncapsulatedTimeStamp>", u->x);
    if (archive)
        eseal__buf_puts(b, "</xades141:ArchiveTimeStamp>");
    else
        eseal__buf_printf(b, "</%s:SignatureTimeStamp>", u->x);
    eseal__buf_puts(b, eol);
    return 0;
}

/* CertificateValues and RevocationValues (decl on the first element). */
static int put_values(eseal_buf *b, const ns_use *u,
    const eseal_der_list *certs, const eseal_vdata *rev, const char *decl,
    const char *eol)
{
    size_t i;
    int rc = 0;

    eseal__buf_printf(b, "<%s:CertificateValues%s>", u->x, decl);
    for (i = 0; i < certs->n && rc == 0; i++) {
        eseal__buf_printf(b, "%s<%s:EncapsulatedX509Certificate>", eol, u->x);
        rc = put_b64(b, certs->item[i].data, certs->item[i].len);
        eseal__buf_printf(b, "</%s:EncapsulatedX509Certificate>", u->x);
    }
    eseal__buf_printf(b, "%s</%s:CertificateValues>%s<%s:RevocationValues%s>",
        certs->n > 0 ? eol : "", u->x, eol, u->x, decl);
    if (rev->crls.n > 0) {
        eseal__buf_printf(b, "%s<%s:CRLValues>", eol, u->x);
        for (i = 0; i < rev->crls.n && rc == 0; i++) {
            eseal__buf_printf(b, "%s<%s:EncapsulatedCRLValue>", eol, u->x);
            rc = put_b64(b, rev->crls.item[i].data, rev->crls.item[i].len);
            eseal__buf_printf(b, "</%s:EncapsulatedCRLValue>", u->x);
        }
        eseal__buf_printf(b, "%s</%s:CRLValues>", eol, u->x);
    }
    if (rev->ocsps.n > 0) {
        eseal__buf_printf(b, "%s<%s:OCSPValues>", eol, u->x);
        for (i = 0; i < rev->ocsps.n && rc == 0; i++) {
            eseal__buf_printf(b, "%s<%s:EncapsulatedOCSPValue>", eol, u->x);
            rc = put_b64(b, rev->ocsps.item[i].data, rev->ocsps.item[i].len);
            eseal__buf_printf(b, "</%s:EncapsulatedOCSPValue>", u->x);
        }
        eseal__buf_printf(b, "%s</%s:OCSPValues>", eol, u->x);
    }
    eseal__buf_printf(b, "%s</%s:RevocationValues>%s", eol, u->x, eol);
    return rc;
}

/* ---- extending: one signature -------------------------------------------- */

typedef struct xml_doc {
    xmlDocPtr doc;
    xmlNodePtr sigs[ESEAL_XML_MAX_SIGNATURES];
    size_t n_sigs;
    eseal_xml_scan scan;
    int sjis;
} xml_doc;

static void doc_close(xml_doc *x)
{
    xmlFreeDoc(x->doc);
    memset(x, 0, sizeof(*x));
}

static int doc_open(xml_doc *x, const eseal_bytes *bytes, const char *name,
    eseal_error *err)
{
    eseal_xml_encoding enc;
    size_t total = 0;
    int rc;

    memset(x, 0, sizeof(*x));
    eseal__xml_sniff_encoding(&enc, bytes->data, bytes->len);
    if (enc.kind == ESEAL_XML_ENC_OTHER)
        return eseal__error_set(err, ESEAL_EREFUSED, "documents in %s "
            "cannot be extended", enc.name);
    x->sjis = enc.kind == ESEAL_XML_ENC_SJIS;
    if ((rc = eseal__xml_parse(&x->doc, bytes->data, bytes->len, name,
             err)) < 0 ||
        (rc = eseal__xml_scan(&x->scan, NULL, NULL, 0, bytes->data,
             bytes->len, x->sjis, name, err)) < 0)
        return rc;
    if ((rc = eseal__xml_register_ids(x->doc, NULL, NULL)) < 0)
        return eseal__error_set(err, rc, "out of memory");
    x->n_sigs = eseal__xml_collect_signatures(x->sigs,
        ESEAL_XML_MAX_SIGNATURES, xmlDocGetRootElement(x->doc), &total);
    if (total > ESEAL_XML_MAX_SIGNATURES)
        return eseal__error_set(err, ESEAL_ELIMIT, "more than %d "
            "signatures", ESEAL_XML_MAX_SIGNATURES);
    return 0;
}

/*
 * Splices text into the document as the last children of the signature's
 * UnsignedSignatureProperties, creating UnsignedProperties and
 * UnsignedSignatureProperties as needed.  u must have been chosen for the
 * place (choose_ns at where).
 */
static int splice_props(eseal_bytes *bytes, xml_doc *x, xmlNodePtr qp,
    const ns_use *u, const eseal_buf *text, const char *name,
    eseal_error *err)
{
    xmlNodePtr usp = unsigned_sig_props(qp);
    xmlNodePtr up = xchild(qp, "UnsignedProperties");
    xmlNodePtr target = usp != NULL ? usp : up != NULL ? up : qp;
    eseal_buf b = { 0 };
    eseal_xml_pos pos;
    size_t want = eseal__xml_element_index(x->doc, target);
    uint64_t at, skip = 0;
    const char *eol;
    int rc;

    if ((rc = eseal__xml_scan(&x->scan, &pos, &want, 1, bytes->data,
             bytes->len, x->sjis, name, err)) < 0)
        return rc;
    if (!pos.found)
        return eseal__error_set(err, ESEAL_EFORMAT, "cannot find the "
            "signature's properties in the document's bytes");
    eol = x->scan.eol;
    if (pos.empty) {
        /* <x/> becomes <x>...</x> */
        size_t i = (size_t)pos.start + 1;

        at = pos.start_end - 2;
        skip = 2;
        eseal__buf_puts(&b, ">");
        while (i < pos.start_end && bytes->data[i] != ' ' &&
               bytes->data[i] != '/' && bytes->data[i] != '\t' &&
               bytes->data[i] != '\r' && bytes->data[i] != '\n')
            i++;
        if (target == usp) {
            eseal__buf_append(&b, text->data, text->len);
        } else {
            eseal__buf_printf(&b, "<%s:UnsignedSignatureProperties%s>%s",
                u->x, u->x_decl, eol);
            eseal__buf_append(&b, text->data, text->len);
            eseal__buf_printf(&b, "</%s:UnsignedSignatureProperties>",
                u->x);
        }
        eseal__buf_puts(&b, "</");
        eseal__buf_append(&b, bytes->data + pos.start + 1,
            i - ((size_t)pos.start + 1));
        eseal__buf_puts(&b, ">");
    } else if (target == usp) {
        at = pos.end;
        eseal__buf_append(&b, text->data, text->len);
    } else if (target == up) {
        at = pos.start_end;
        eseal__buf_printf(&b, "<%s:UnsignedSignatureProperties%s>%s", u->x,
            u->x_decl, eol);
        eseal__buf_append(&b, text->data, text->len);
        eseal__buf_printf(&b, "</%s:UnsignedSignatureProperties>", u->x);
    } else {
        at = pos.end;
        eseal__buf_printf(&b, "<%s:UnsignedProperties%s>%s"
            "<%s:UnsignedSignatureProperties>%s", u->x, u->x_decl, eol,
            u->x, eol);
        eseal__buf_append(&b, text->data, text->len);
        eseal__buf_printf(&b, "</%s:UnsignedSignatureProperties>%s"
            "</%s:UnsignedProperties>%s", u->x, eol, u->x, eol);
    }
    if (b.failed) {
        eseal__buf_free(&b);
        return eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
    }
    {
        size_t len = bytes->len + b.len - (size_t)skip;
        unsigned char *n = malloc(len);

        if (n == NULL) {
            eseal__buf_free(&b);
            return eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
        }
        memcpy(n, bytes->data, (size_t)at);
        memcpy(n + at, b.data, b.len);
        memcpy(n + at + b.len, bytes->data + at + skip,
            bytes->len - (size_t)(at + skip));
        free(bytes->data);
        bytes->data = n;
        bytes->len = len;
    }
    eseal__buf_free(&b);
    return 0;
}

/* The certificates of KeyInfo/X509Data. */
static int keyinfo_certs(STACK_OF(X509) *sk, X509 **leaf, xmlNodePtr sig)
{
    xmlNodePtr ki = eseal__xml_child(sig, ESEAL_NS_DS, "KeyInfo"), xd, c;
    X509 *arr[ESEAL_XML_MAX_CERTS];
    size_t n = 0, i, k;
    int idx;

    *leaf = NULL;
    for (xd = eseal__xml_child(ki, ESEAL_NS_DS, "X509Data"); xd != NULL;
         xd = eseal__xml_next(xd, ESEAL_NS_DS, "X509Data"))
        for (c = eseal__xml_child(xd, ESEAL_NS_DS, "X509Certificate");
             c != NULL && n < ESEAL_XML_MAX_CERTS;
             c = eseal__xml_next(c, ESEAL_NS_DS, "X509Certificate")) {
            char *t = text_of(c);
            unsigned char *der = NULL;
            const unsigned char *p;
            size_t len = 0;
            X509 *x509 = NULL;

            if (t != NULL && eseal__xml_unbase64(&der, &len, t) == 0) {
                p = der;
                x509 = d2i_X509(NULL, &p, (long)len);
            }
            if (x509 != NULL)
                arr[n++] = x509;
            free(t);
            free(der);
            ERR_clear_error();
        }
    idx = eseal__xml_signing_cert_index(sig, arr, n);
    for (i = 0; idx < 0 && i < n; i++) {
        int issues = 0;

        for (k = 0; k < n; k++)
            if (k != i && X509_check_issued(arr[i], arr[k]) == X509_V_OK)
                issues = 1;
        if (!issues)
            idx = (int)i;
    }
    for (i = 0; i < n; i++) {
        if ((int)i == idx && X509_up_ref(arr[i]))
            *leaf = arr[i];
        (void)eseal__sk_add_unique(sk, arr[i]);
        X509_free(arr[i]);
    }
    return *leaf != NULL ? 0 : -1;
}

static int cert_in(STACK_OF(X509) *sk, const eseal_bytes *der)
{
    const unsigned char *p = der->data;
    X509 *x = d2i_X509(NULL, &p, (long)der->len);
    int i, yes = 0;

    for (i = 0; x != NULL && i < sk_X509_num(sk) && !yes; i++)
        yes = X509_cmp(sk_X509_value(sk, i), x) == 0;
    X509_free(x);
    ERR_clear_error();
    return yes;
}

/* The time of the first timestamp of a kind the signature holds (0). */
static time_t first_ts_time(const struct eseal_found_ltv *l,
    eseal_found_ts_kind kind)
{
    const char *why;
    eseal_ts ts;
    size_t i;
    time_t t = 0;

    for (i = 0; l != NULL && i < l->n_ts && t == 0; i++)
        if (l->ts[i].kind == kind && l->ts[i].token.len > 0 &&
            eseal__ts_open(&ts, l->ts[i].token.data, l->ts[i].token.len,
                &why) == 0) {
            t = ts.time;
            eseal__ts_close(&ts);
        }
    return t;
}

static int collect_tsa(eseal_vdata *vd, const eseal_bytes *token,
    const eseal_ltv_ctx *ctx, eseal_error *err)
{
    eseal_rev rev;
    eseal_ts ts;
    const char *why;
    int rc;

    if (eseal__ts_open(&ts, token->data, token->len, &why) < 0)
        return eseal__error_set(err, ESEAL_EFORMAT, "%s", why);
    if (ts.signer == NULL) {
        eseal__ts_close(&ts);
        return eseal__error_set(err, ESEAL_EFORMAT, "a timestamp does not "
            "hold its authority's certificate");
    }
    rc = eseal__ltv_collect(vd, &rev, ts.signer, ts.certs, ctx, 1, ts.time,
        "the timestamp authority", err);
    eseal__ts_close(&ts);
    return rc;
}

/* Raises signature number idx of *bytes to ctx->level. */
static int extend_one(eseal_bytes *bytes, size_t idx, int sealing,
    const char *name, const eseal_ltv_ctx *ctx, eseal_error *err)
{
    xml_doc x;
    eseal_found_signature probe;
    struct eseal_found_ltv *have = NULL;
    xmlNodePtr sig, qp, at;
    STACK_OF(X509) *pool = sk_X509_new_null();
    X509 *leaf = NULL;
    eseal_bytes tok = { NULL, 0 };
    eseal_vdata vd;
    eseal_der_list new_certs;
    eseal_rev rev;
    eseal_buf text = { 0 }, in = { 0 };
    ns_use u;
    size_t i;
    int rc, has_sig_ts, renewal;

    memset(&x, 0, sizeof(x));
    memset(&probe, 0, sizeof(probe));
    memset(&vd, 0, sizeof(vd));
    memset(&new_certs, 0, sizeof(new_certs));
    if (pool == NULL)
        return eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
    if ((rc = doc_open(&x, bytes, name, err)) < 0)
        goto cleanup;
    if (idx >= x.n_sigs) {
        rc = eseal__error_set(err, ESEAL_EFORMAT, "the signature moved");
        goto cleanup;
    }
    sig = x.sigs[idx];
    if ((qp = qualifying(sig)) == NULL) {
        rc = eseal__error_set(err, ESEAL_EREFUSED, "signature %zu is not a "
            "XAdES signature (no QualifyingProperties for it)", idx + 1);
        goto cleanup;
    }
    if ((rc = eseal__xml_read_ltv(&probe, sig)) < 0) {
        rc = eseal__error_set(err, rc, "out of memory");
        goto cleanup;
    }
    have = probe.ltv;
    has_sig_ts = first_ts_time(have, ESEAL_TS_SIGNATURE) != 0;
    renewal = have != NULL && (have->has_cert_values || have->has_rev_values);
    at = unsigned_sig_props(qp);
    if (at == NULL)
        at = qp;
    choose_ns(&u, x.doc, at, qp);

    /* B-T: the signature timestamp */
    if (!has_sig_ts) {
        if ((rc = c14n_append(&in, eseal__xml_child(sig, ESEAL_NS_DS,
                 "SignatureValue"), ESEAL_ALG_EXC_C14N, err)) < 0 ||
            (rc = eseal__tsa_stamp_data(&tok, ctx->tsa_urls, &ctx->net,
                 ctx->md_name, (unsigned char *)in.data, in.len, err)) < 0)
            goto cleanup;
        if ((rc = put_timestamp(&text, &u, 0, &tok, x.scan.eol)) < 0)
            goto nomem;
    }
    /* B-LT: the validation data of the signer and of every timestamp */
    if (ctx->level >= ESEAL_LEVEL_B_LT) {
        if (keyinfo_certs(pool, &leaf, sig) < 0) {
            rc = eseal__error_set(err, ESEAL_EFORMAT, "signature %zu has "
                "no signing certificate in its KeyInfo", idx + 1);
            goto cleanup;
        }
        if (have != NULL && eseal__vdata_certs(pool, &have->vd) < 0)
            goto nomem;
        if ((rc = eseal__ltv_collect(&vd, &rev, leaf, pool, ctx, 1,
                 sealing ? 0 : first_ts_time(have, ESEAL_TS_SIGNATURE),
                 sealing ? "the seal" : "a seal of the document",
                 err)) < 0) {
            /* a document whose seal is revoked: the document is refused */
            if (rc == ESEAL_ECERT && !sealing) {
                rc = ESEAL_EREFUSED;
                if (err != NULL)
                    err->code = rc;
            }
            goto cleanup;
        }
        if (tok.len > 0 && (rc = collect_tsa(&vd, &tok, ctx, err)) < 0)
            goto cleanup;
        for (i = 0; have != NULL && i < have->n_ts; i++)
            if (have->ts[i].token.len > 0 &&
                (rc = collect_tsa(&vd, &have->ts[i].token, ctx, err)) < 0)
                goto cleanup;
        /* what KeyInfo and earlier values hold already is not repeated */
        for (i = 0; i < vd.certs.n; i++)
            if (!cert_in(pool, &vd.certs.item[i]) &&
                eseal__der_list_add(&new_certs, vd.certs.item[i].data,
                    vd.certs.item[i].len) < 0)
                goto nomem;
        if (have != NULL) {
            eseal_vdata fresh;

            memset(&fresh, 0, sizeof(fresh));
            for (i = 0; i < vd.ocsps.n; i++)
                if (!eseal__der_list_has(&have->vd.ocsps,
                        vd.ocsps.item[i].data, vd.ocsps.item[i].len))
                    (void)eseal__der_list_add(&fresh.ocsps,
                        vd.ocsps.item[i].data, vd.ocsps.item[i].len);
            for (i = 0; i < vd.crls.n; i++)
                if (!eseal__der_list_has(&have->vd.crls,
                        vd.crls.item[i].data, vd.crls.item[i].len))
                    (void)eseal__der_list_add(&fresh.crls,
                        vd.crls.item[i].data, vd.crls.item[i].len);
            eseal__vdata_free(&vd);
            vd = fresh;
        }
        if (renewal) {
            if (new_certs.n > 0 || vd.ocsps.n > 0 || vd.crls.n > 0) {
                eseal__buf_printf(&text, "<xades141:TimeStampValidationData"
                    "%s%s>%s", u.x141_decl, u.x_decl, x.scan.eol);
                if (put_values(&text, &u, &new_certs, &vd, "",
                        x.scan.eol) < 0)
                    goto nomem;
                eseal__buf_printf(&text, "</xades141:TimeStampValidationData>"
                    "%s", x.scan.eol);
            }
        } else if (put_values(&text, &u, &new_certs, &vd, u.x_decl,
                       x.scan.eol) < 0) {
            goto nomem;
        }
    }
    if (text.failed)
        goto nomem;
    if (text.len > 0 &&
        (rc = splice_props(bytes, &x, qp, &u, &text, name, err)) < 0)
        goto cleanup;
    if (ctx->level < ESEAL_LEVEL_B_LTA) {
        rc = 0;
        goto cleanup;
    }
    /* B-LTA: on the document as it is now */
    doc_close(&x);
    eseal__buf_free(&text);
    eseal__buf_free(&in);
    eseal_bytes_free(&tok);
    if ((rc = doc_open(&x, bytes, name, err)) < 0)
        goto cleanup;
    sig = x.sigs[idx];
    qp = qualifying(sig);
    if ((rc = archive_input(&in, sig, qp, NULL, ESEAL_ALG_EXC_C14N,
             err)) < 0 ||
        (rc = eseal__tsa_stamp_data(&tok, ctx->tsa_urls, &ctx->net,
             ctx->md_name, (unsigned char *)in.data, in.len, err)) < 0)
        goto cleanup;
    at = unsigned_sig_props(qp);
    choose_ns(&u, x.doc, at != NULL ? at : qp, qp);
    if (put_timestamp(&text, &u, 1, &tok, x.scan.eol) < 0 || text.failed)
        goto nomem;
    rc = splice_props(bytes, &x, qp, &u, &text, name, err);
    goto cleanup;
nomem:
    rc = eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
cleanup:
    ERR_clear_error();
    eseal__found_ltv_free(probe.ltv);
    eseal__buf_free(&text);
    eseal__buf_free(&in);
    eseal_bytes_free(&tok);
    eseal__vdata_free(&vd);
    eseal__der_list_free(&new_certs);
    X509_free(leaf);
    sk_X509_pop_free(pool, X509_free);
    doc_close(&x);
    return rc;
}

static int xml_extend(eseal_bytes *out, const eseal_bytes *doc,
    const char *name, const eseal_job *job, const eseal_ltv_ctx *ctx,
    eseal_error *err)
{
    eseal_bytes cur = { NULL, 0 };
    const char *id = job != NULL ? eseal__xml_job_signature_id(job) : NULL;
    xml_doc x;
    size_t i, n, targets[ESEAL_XML_MAX_SIGNATURES], n_targets = 0;
    int rc;

    out->data = NULL;
    out->len = 0;
    if ((rc = doc_open(&x, doc, name, err)) < 0) {
        doc_close(&x);
        return rc;
    }
    n = x.n_sigs;
    for (i = 0; i < n; i++) {
        xmlChar *sid = xmlGetProp(x.sigs[i], BAD_CAST "Id");
        int mine = id != NULL && sid != NULL &&
            strcmp((const char *)sid, id) == 0;

        xmlFree(sid);
        if (job != NULL ? mine : qualifying(x.sigs[i]) != NULL)
            targets[n_targets++] = i;
    }
    doc_close(&x);
    if (n_targets == 0)
        return eseal__error_set(err, ESEAL_EREFUSED, job != NULL ?
            "the new seal is not in the document" :
            "the document holds no XAdES signature to extend");
    if ((cur.data = malloc(doc->len)) == NULL)
        return eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
    memcpy(cur.data, doc->data, doc->len);
    cur.len = doc->len;
    for (i = 0; i < n_targets; i++)
        if ((rc = extend_one(&cur, targets[i], job != NULL, name, ctx,
                 err)) < 0) {
            eseal_bytes_free(&cur);
            return rc;
        }
    *out = cur;
    return 0;
}

const eseal_ltv_adapter eseal__xml_ltv = {
    .format = ESEAL_FORMAT_XML,
    .extend = xml_extend,
    .read_dss = NULL,
};
