/* eseal XAdES adapter - sealing: choose the placement, splice a ds:Signature
 * with XAdES B-B properties into the original bytes, compute the digests on
 * a parse of exactly what the output will hold, hand the canonical
 * SignedInfo to the core, and embed the signature value. */
#include <stdlib.h>
#include <string.h>
#include <openssl/rand.h>
#include "xml_dsig.h"

typedef struct xml_state {
    eseal_xml_sig_params params;
    char id[40];
    char *prefix;      /* inserted before ds:Signature (ASCII) */
    char *suffix;      /* inserted after it */
    uint64_t at;       /* input offset where the tail goes */
    uint64_t skip;     /* input bytes the tail replaces ("/>" of <x/>) */
    char *doc_digest;  /* base64 */
    char *props_digest;
    int key_type;
    int key_bits;
} xml_state;

/* The pieces a placement adds around the signature. */
typedef struct splice {
    eseal_buf pre;
    eseal_buf post;
    uint64_t at;
    uint64_t skip;
} splice;

/* Prefix bound to ns at node when it is plain ASCII, else NULL. */
static const char *ascii_prefix(xmlDocPtr doc, xmlNodePtr node,
    const char *ns)
{
    xmlNsPtr found = xmlSearchNsByHref(doc, node, BAD_CAST ns);
    const unsigned char *p;

    if (found == NULL || found->prefix == NULL)
        return NULL;
    for (p = found->prefix; *p; p++)
        if (*p >= 0x80)
            return NULL;
    return (const char *)found->prefix;
}

/* Opens an element written by us: "<pfx:name" plus xmlns when the prefix
 * is not in scope. */
static void open_el(eseal_buf *b, const char *have, const char *want_pfx,
    const char *name, const char *ns)
{
    if (have != NULL)
        eseal__buf_printf(b, "<%s:%s>", have, name);
    else
        eseal__buf_printf(b, "<%s:%s xmlns:%s=\"%s\">", want_pfx, name,
            want_pfx, ns);
}

static void close_el(eseal_buf *b, const char *have, const char *want_pfx,
    const char *name)
{
    eseal__buf_printf(b, "</%s:%s>", have ? have : want_pfx, name);
}

/* Where content goes inside element e (first or last child).  An empty
 * element <x/> is rewritten as <x>...</x>: its "/>" is replaced, so open
 * gets ">" and close "</x>". */
static int inside(splice *sp, eseal_buf *open, eseal_buf *close,
    const eseal_source *in, const eseal_xml_pos *e, int first)
{
    if (!e->found)
        return ESEAL_EFORMAT;
    if (e->empty) {
        size_t i = (size_t)e->start + 1;
        size_t stop = (size_t)e->start_end - 2;

        sp->at = e->start_end - 2;
        sp->skip = 2;
        eseal__buf_puts(open, ">");
        eseal__buf_puts(close, "</");
        while (i < stop && in->data[i] != ' ' && in->data[i] != '\t' &&
               in->data[i] != '\r' && in->data[i] != '\n' &&
               in->data[i] != '/')
            i++;
        eseal__buf_append(close, in->data + e->start + 1,
            i - ((size_t)e->start + 1));
        eseal__buf_puts(close, ">");
        return 0;
    }
    sp->at = first ? e->start_end : e->end;
    sp->skip = 0;
    return 0;
}

static int is_ubl(xmlNodePtr root)
{
    return root->ns != NULL && root->ns->href != NULL &&
        strncmp((const char *)root->ns->href, ESEAL_UBL_INVOICE_PREFIX,
            strlen(ESEAL_UBL_INVOICE_PREFIX)) == 0 &&
        strstr((const char *)root->ns->href, "Components-2") == NULL;
}

/* The sig:UBLDocumentSignatures inside ext:UBLExtensions, if any. */
static xmlNodePtr find_uds(xmlNodePtr exts)
{
    xmlNodePtr ext, content, uds;

    for (ext = eseal__xml_child(exts, ESEAL_NS_UBL_EXT, "UBLExtension");
         ext != NULL;
         ext = eseal__xml_next(ext, ESEAL_NS_UBL_EXT, "UBLExtension")) {
        content = eseal__xml_child(ext, ESEAL_NS_UBL_EXT, "ExtensionContent");
        uds = eseal__xml_child(content, ESEAL_NS_UBL_SIG,
            "UBLDocumentSignatures");
        if (uds != NULL)
            return uds;
    }
    return NULL;
}

/* ext:UBLExtension/ext:ExtensionContent/sig:UBLDocumentSignatures/
 * sac:SignatureInformation around the signature.  ext: the prefix in
 * scope for the extension namespace, or NULL to declare "ext". */
static void ubl_container(eseal_buf *pre, eseal_buf *post, const char *ext,
    const char *nl)
{
    const char *p = ext ? ext : "ext";

    eseal__buf_puts(pre, nl);
    open_el(pre, ext, "ext", "UBLExtension", ESEAL_NS_UBL_EXT);
    eseal__buf_printf(pre, "%s<%s:ExtensionURI>%s</%s:ExtensionURI>%s"
        "<%s:ExtensionContent>%s<sig:UBLDocumentSignatures xmlns:sig=\"%s\" "
        "xmlns:sac=\"%s\" xmlns:sbc=\"%s\">%s<sac:SignatureInformation>%s",
        nl, p, ESEAL_UBL_EXTENSION_URI, p, nl, p, nl, ESEAL_NS_UBL_SIG,
        ESEAL_NS_UBL_SAC, ESEAL_NS_UBL_SBC, nl, nl);
    eseal__buf_printf(post, "%s</sac:SignatureInformation>%s"
        "</sig:UBLDocumentSignatures>%s</%s:ExtensionContent>%s"
        "</%s:UBLExtension>", nl, nl, nl, p, nl, p);
}

/*
 * Plans the placement: sp gets the offset and the text around the
 * signature; *transform which reference transform goes with it.
 */
static int plan(splice *sp, int *transform, const eseal_job *job,
    xmlDocPtr doc, const eseal_xml_pos pos[3], xmlNodePtr exts,
    xmlNodePtr uds, const char *nl, const char *name, eseal_error *err)
{
    const char *opt = job->opts->placement;
    xmlNodePtr root = xmlDocGetRootElement(doc);
    eseal_buf wpre = { 0 }, wpost = { 0 }, ro = { 0 }, rc_ = { 0 };
    const eseal_xml_pos *target;
    int ubl, rc, first = 0;

    if (opt == NULL || strcmp(opt, "auto") == 0)
        ubl = is_ubl(root);
    else if (strcmp(opt, "ubl") == 0)
        ubl = 1;
    else if (strcmp(opt, "enveloped") == 0)
        ubl = 0;
    else
        return eseal__error_set(err, ESEAL_EINVAL, "unknown placement '%s' "
            "(auto, enveloped, ubl)", opt);
    if (ubl && !is_ubl(root))
        return eseal__error_set(err, ESEAL_EREFUSED, "the ubl placement "
            "needs a UBL document (root element in a UBL 2 namespace)");
    eseal__xml_note_placement(job, root, ubl,
        opt != NULL && strcmp(opt, "auto") != 0);
    if (!ubl) {
        target = &pos[0];
        *transform = job->opts->co_seal ? ESEAL_XML_T_COSEAL
                                        : ESEAL_XML_T_ENVELOPED;
        /* co-seals add nothing outside their signature: earlier co-seals
         * exclude signatures only */
        if (!job->opts->co_seal)
            eseal__buf_puts(&wpost, nl);
    } else if (uds != NULL && pos[2].found) {
        const char *sac = ascii_prefix(doc, uds, ESEAL_NS_UBL_SAC);

        target = &pos[2];
        *transform = job->opts->co_seal ? ESEAL_XML_T_UBL
                                        : ESEAL_XML_T_ENVELOPED;
        open_el(&wpre, sac, "sac", "SignatureInformation", ESEAL_NS_UBL_SAC);
        eseal__buf_puts(&wpre, nl);
        eseal__buf_puts(&wpost, nl);
        close_el(&wpost, sac, "sac", "SignatureInformation");
        eseal__buf_puts(&wpost, nl);
    } else if (exts != NULL && pos[1].found) {
        target = &pos[1];
        *transform = job->opts->co_seal ? ESEAL_XML_T_UBL
                                        : ESEAL_XML_T_ENVELOPED;
        ubl_container(&wpre, &wpost,
            ascii_prefix(doc, exts, ESEAL_NS_UBL_EXT), nl);
        eseal__buf_puts(&wpost, nl);
    } else {
        const char *ext = ascii_prefix(doc, root, ESEAL_NS_UBL_EXT);

        target = &pos[0];
        first = 1;
        *transform = job->opts->co_seal ? ESEAL_XML_T_UBL
                                        : ESEAL_XML_T_ENVELOPED;
        eseal__buf_puts(&wpre, nl);
        open_el(&wpre, ext, "ext", "UBLExtensions", ESEAL_NS_UBL_EXT);
        /* inside the new UBLExtensions "ext" is in scope either way */
        ubl_container(&wpre, &wpost, ext ? ext : "ext", nl);
        eseal__buf_puts(&wpost, nl);
        close_el(&wpost, ext, "ext", "UBLExtensions");
    }
    if (inside(sp, &ro, &rc_, job->in, target, first) < 0) {
        rc = eseal__error_set(err, ESEAL_EFORMAT, "cannot locate the "
            "insertion point in the document's bytes");
        goto cleanup;
    }
    if (first && target->empty)
        eseal__buf_puts(&wpost, nl);
    eseal__buf_append(&sp->pre, ro.data, ro.len);
    eseal__buf_append(&sp->pre, wpre.data, wpre.len);
    eseal__buf_append(&sp->post, wpost.data, wpost.len);
    eseal__buf_append(&sp->post, rc_.data, rc_.len);
    rc = sp->pre.failed || sp->post.failed || wpre.failed || wpost.failed ?
        eseal__error_set(err, ESEAL_ENOMEM, "out of memory") : 0;
cleanup:
    eseal__buf_free(&wpre);
    eseal__buf_free(&wpost);
    eseal__buf_free(&ro);
    eseal__buf_free(&rc_);
    return rc;
}

static int make_id(char out[40], xmlDocPtr doc)
{
    unsigned char r[8];
    char probe[64];
    int tries;

    for (tries = 0; tries < 8; tries++) {
        if (RAND_bytes(r, sizeof(r)) != 1)
            return ESEAL_ECRYPTO;
        snprintf(out, 40, "id-%02x%02x%02x%02x%02x%02x%02x%02x", r[0], r[1],
            r[2], r[3], r[4], r[5], r[6], r[7]);
        snprintf(probe, sizeof(probe), "%s-signedprops", out);
        if (xmlGetID(doc, BAD_CAST out) == NULL &&
            xmlGetID(doc, BAD_CAST probe) == NULL)
            return 0;
    }
    return ESEAL_ECRYPTO;
}

/* Our signature in the candidate tree, found by its Id. */
static xmlNodePtr own_signature(xmlDocPtr doc, const char *id)
{
    xmlAttrPtr a = xmlGetID(doc, BAD_CAST id);

    if (a == NULL || !eseal__xml_is(a->parent, ESEAL_NS_DS, "Signature"))
        return NULL;
    return a->parent;
}

/* The ds:Reference children of a signature's SignedInfo. */
static xmlNodePtr first_ref(xmlNodePtr sig)
{
    return eseal__xml_child(eseal__xml_child(sig, ESEAL_NS_DS, "SignedInfo"),
        ESEAL_NS_DS, "Reference");
}

static int same_document(xmlNodePtr ref)
{
    xmlChar *uri = xmlGetProp(ref, BAD_CAST "URI");
    int same = uri != NULL && (uri[0] == '\0' || uri[0] == '#');

    xmlFree(uri);
    return same;
}

/*
 * Would the seal break a signature already in the document?  Each same-
 * document reference of each existing signature is checked on the input
 * and on the candidate output: one that matched before and does not after
 * covers the place where the seal goes.
 */
static int check_existing(xmlDocPtr d0, xmlDocPtr d1, xmlNodePtr own,
    int force, const char *name, eseal_error *err)
{
    xmlNodePtr s0[ESEAL_XML_MAX_SIGNATURES], s1[ESEAL_XML_MAX_SIGNATURES + 1];
    xmlSecDSigCtxPtr ctx = NULL;
    size_t n0, n1, total, i, k;
    char broken[96] = "", unknown[96] = "";
    int rc = 0;

    n0 = eseal__xml_collect_signatures(s0, ESEAL_XML_MAX_SIGNATURES,
        xmlDocGetRootElement(d0), &total);
    if (total > ESEAL_XML_MAX_SIGNATURES)
        return eseal__error_set(err, ESEAL_ELIMIT, "more than %d "
            "signatures", ESEAL_XML_MAX_SIGNATURES);
    if (n0 == 0)
        return 0;
    n1 = eseal__xml_collect_signatures(s1, ESEAL_XML_MAX_SIGNATURES + 1,
        xmlDocGetRootElement(d1), NULL);
    for (i = k = 0; i < n1; i++)
        if (s1[i] != own)
            s1[k++] = s1[i];
    if (k != n0)
        return eseal__error_set(err, ESEAL_EFORMAT, "the signatures of "
            "the document moved while placing the seal");
    if ((ctx = eseal__xml_dsig_ctx(0)) == NULL)
        return eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
    for (i = 0; i < n0; i++) {
        xmlNodePtr r0 = first_ref(s0[i]), r1 = first_ref(s1[i]);
        xmlChar *id = xmlGetProp(s0[i], BAD_CAST "Id");
        char label[64];

        snprintf(label, sizeof(label), "%s%.40s%s", id ? "'" : "#",
            id ? (const char *)id : "", id ? "'" : "");
        if (id == NULL)
            snprintf(label, sizeof(label), "#%zu", i + 1);
        xmlFree(id);
        for (; r0 != NULL && r1 != NULL;
             r0 = eseal__xml_next(r0, ESEAL_NS_DS, "Reference"),
             r1 = eseal__xml_next(r1, ESEAL_NS_DS, "Reference")) {
            int ok0 = 0, ok1 = 0;

            if (!same_document(r0))
                continue;
            if (eseal__xml_ref_process(ctx, r0, &ok0) < 0) {
                if (unknown[0] == '\0')
                    snprintf(unknown, sizeof(unknown), "%s", label);
                continue;
            }
            if (!ok0)
                continue;   /* it did not match before either */
            if (eseal__xml_ref_process(ctx, r1, &ok1) < 0 || !ok1) {
                if (broken[0] == '\0')
                    snprintf(broken, sizeof(broken), "%s", label);
                break;
            }
        }
    }
    eseal__xmlsec_clear_error();
    if (force)
        goto cleanup;
    if (broken[0] != '\0')
        rc = eseal__error_set(err, ESEAL_EREFUSED, "sealing would "
            "break the existing signature %s, whose references cover the "
            "place of the new seal (use --force to seal anyway; seals made "
            "with --co-seal allow further --co-seal seals)", broken);
    else if (unknown[0] != '\0')
        rc = eseal__error_set(err, ESEAL_EREFUSED, "cannot tell "
            "whether sealing keeps the existing signature %s valid (use "
            "--force to seal anyway)", unknown);
cleanup:
    xmlSecDSigCtxDestroy(ctx);
    return rc;
}

/* Reads a DigestValue back without white space, and stores that form. */
static int take_digest(char **out, xmlNodePtr ref)
{
    xmlNodePtr dv = eseal__xml_child(ref, ESEAL_NS_DS, "DigestValue");
    xmlChar *v = dv ? xmlNodeGetContent(dv) : NULL;
    char *clean;
    size_t i, k = 0;

    *out = NULL;
    if (v == NULL)
        return ESEAL_EFORMAT;
    clean = malloc(strlen((const char *)v) + 1);
    if (clean == NULL) {
        xmlFree(v);
        return ESEAL_ENOMEM;
    }
    for (i = 0; v[i] != '\0'; i++)
        if (v[i] != '\n' && v[i] != '\r' && v[i] != ' ' && v[i] != '\t')
            clean[k++] = (char)v[i];
    clean[k] = '\0';
    xmlFree(v);
    xmlNodeSetContent(dv, BAD_CAST clean);
    *out = clean;
    return 0;
}

/* Digests of the seal's two references, computed by xmlsec on the
 * candidate tree, then the canonical SignedInfo. */
static int digest_and_c14n(xml_state *st, eseal_job *job, xmlNodePtr sig,
    const char *name, eseal_error *err)
{
    xmlSecDSigCtxPtr ctx = eseal__xml_dsig_ctx(1);
    xmlNodePtr si = eseal__xml_child(sig, ESEAL_NS_DS, "SignedInfo");
    xmlNodePtr r0 = first_ref(sig);
    xmlNodePtr r1 = eseal__xml_next(r0, ESEAL_NS_DS, "Reference");
    unsigned char *c14n = NULL;
    size_t c14n_len = 0;
    int ok0 = 0, ok1 = 0, rc;

    if (ctx == NULL)
        return eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
    if (r1 == NULL || eseal__xml_ref_process(ctx, r0, &ok0) < 0 || !ok0 ||
        eseal__xml_ref_process(ctx, r1, &ok1) < 0 || !ok1) {
        rc = eseal__error_set(err, ESEAL_EFORMAT, "cannot compute the "
            "digests of the seal's references%s%s",
            eseal__xmlsec_last_error()[0] ? ": " : "",
            eseal__xmlsec_last_error());
        goto cleanup;
    }
    if ((rc = take_digest(&st->doc_digest, r0)) < 0 ||
        (rc = take_digest(&st->props_digest, r1)) < 0) {
        rc = eseal__error_set(err, rc, "cannot read the digests");
        goto cleanup;
    }
    if ((rc = eseal__xml_c14n_subtree(&c14n, &c14n_len, si,
             st->params.c14n_uri, err)) < 0)
        goto cleanup;
    job->to_sign.data = c14n;
    job->to_sign.len = c14n_len;
cleanup:
    eseal__xmlsec_clear_error();
    xmlSecDSigCtxDestroy(ctx);
    return rc;
}

static int check_policy(const eseal_seal_opts *o, eseal_error *err)
{
    unsigned char *bin = NULL;
    size_t len = 0;

    if (o->policy_id == NULL && o->policy_hash == NULL)
        return 0;
    if (o->policy_id == NULL || o->policy_hash == NULL)
        return eseal__error_set(err, ESEAL_EINVAL, "a signature policy "
            "needs both its identifier and the base64 SHA-256 of its "
            "document");
    if (eseal__xml_unbase64(&bin, &len, o->policy_hash) < 0 || len != 32) {
        free(bin);
        return eseal__error_set(err, ESEAL_EINVAL, "the signature policy "
            "hash must be a base64 SHA-256 value (32 bytes)");
    }
    free(bin);
    return 0;
}

static int prepare(eseal_job *job, eseal_ranges *tbs, eseal_error *err)
{
    xml_state *st = job->state;
    const char *name = job->in->name ? job->in->name : "document";
    const unsigned char *in = job->in->data;
    size_t in_len = (size_t)job->in->size;
    xmlDocPtr d0 = NULL, d1 = NULL;
    xmlNodePtr root, exts, uds = NULL, own;
    eseal_xml_encoding enc;
    eseal_xml_scan scan;
    eseal_xml_pos pos[3];
    size_t want[3];
    splice sp;
    eseal_buf cand = { 0 };
    char *text = NULL;
    size_t text_len = 0;
    int rc;

    (void)tbs;
    memset(&sp, 0, sizeof(sp));
    if (st == NULL)
        return eseal__error_set(err, ESEAL_EINVAL, "XML job without state");
    if ((uint64_t)job->in->size > ESEAL_XML_MAX_SIZE)
        return eseal__error_set(err, ESEAL_ELIMIT, "the document is "
            "larger than %llu bytes",
            (unsigned long long)ESEAL_XML_MAX_SIZE);
    eseal__xml_sniff_encoding(&enc, in, in_len);
    if (enc.kind == ESEAL_XML_ENC_OTHER)
        return eseal__error_set(err, ESEAL_EREFUSED, "documents in "
            "%s cannot be sealed (UTF-8, ISO-8859-x, windows-125x, "
            "Shift_JIS and EUC encodings can)", enc.name);
    if ((rc = check_policy(job->opts, err)) < 0)
        return rc;
    if ((rc = eseal__xml_parse(&d0, in, in_len, name, err)) < 0)
        goto cleanup;
    root = xmlDocGetRootElement(d0);
    exts = eseal__xml_first_element(root);
    if (!eseal__xml_is(exts, ESEAL_NS_UBL_EXT, "UBLExtensions"))
        exts = NULL;
    if (exts != NULL)
        uds = find_uds(exts);
    want[0] = 0;
    want[1] = exts ? eseal__xml_element_index(d0, exts) : (size_t)-2;
    want[2] = uds ? eseal__xml_element_index(d0, uds) : (size_t)-2;
    if ((rc = eseal__xml_scan(&scan, pos, want, 3, in, in_len,
             enc.kind == ESEAL_XML_ENC_SJIS, name, err)) < 0)
        goto cleanup;
    if (scan.n_elements != eseal__xml_count_elements(d0)) {
        rc = eseal__error_set(err, ESEAL_EFORMAT, "the document's "
            "markup could not be followed byte by byte");
        goto cleanup;
    }
    if (scan.doctype_declares) {
        rc = eseal__error_set(err, ESEAL_EREFUSED, "the document has "
            "a DOCTYPE with declarations or an external DTD, which other "
            "verifiers may read differently; it is not sealed");
        goto cleanup;
    }
    if ((rc = eseal__xml_register_ids(d0, NULL, NULL)) < 0) {
        rc = eseal__error_set(err, rc, "out of memory");
        goto cleanup;
    }
    if ((rc = eseal__xml_algorithms(&st->params, job->sealer,
             job->opts->c14n, err)) < 0)
        goto cleanup;
    if ((rc = plan(&sp, &st->params.transform, job, d0, pos, exts, uds,
             scan.eol, name, err)) < 0)
        goto cleanup;
    if (make_id(st->id, d0) < 0) {
        rc = eseal__error_ossl(err, ESEAL_ECRYPTO, "cannot draw an Id");
        goto cleanup;
    }
    st->params.id = st->id;
    st->params.eol = scan.eol;
    st->params.cert = eseal__sealer_cert(job->sealer);
    st->params.chain = eseal__sealer_chain(job->sealer);
    st->params.signing_time = job->signing_time;
    st->params.signing_certificate_v1 = job->opts->signing_certificate_v1;
    st->params.policy_id = job->opts->policy_id;
    st->params.policy_hash = job->opts->policy_hash;
    st->params.mime_type = "text/xml";
    st->key_type = eseal__sealer_key_type(job->sealer);
    st->key_bits = eseal__sealer_key_bits(job->sealer);
    st->at = sp.at;
    st->skip = sp.skip;
    st->prefix = eseal__buf_steal(&sp.pre, NULL);
    st->suffix = eseal__buf_steal(&sp.post, NULL);
    if (st->prefix == NULL || st->suffix == NULL) {
        rc = eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
        goto cleanup;
    }
    if ((rc = eseal__xml_render_signature(&text, &text_len, &st->params,
             NULL, NULL, NULL, err)) < 0)
        goto cleanup;
    /* the candidate: exactly the output, with empty values */
    eseal__buf_append(&cand, in, (size_t)st->at);
    eseal__buf_puts(&cand, st->prefix);
    eseal__buf_append(&cand, text, text_len);
    eseal__buf_puts(&cand, st->suffix);
    eseal__buf_append(&cand, in + st->at + st->skip,
        in_len - (size_t)(st->at + st->skip));
    if (cand.failed) {
        rc = eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
        goto cleanup;
    }
    if ((rc = eseal__xml_parse(&d1, (unsigned char *)cand.data, cand.len,
             name, err)) < 0)
        goto cleanup;
    if ((rc = eseal__xml_register_ids(d1, NULL, NULL)) < 0) {
        rc = eseal__error_set(err, rc, "out of memory");
        goto cleanup;
    }
    own = own_signature(d1, st->id);
    if (own == NULL) {
        rc = eseal__error_set(err, ESEAL_EFORMAT, "the seal is not "
            "where it was placed");
        goto cleanup;
    }
    if ((rc = check_existing(d0, d1, own, job->opts->force, name,
             err)) < 0)
        goto cleanup;
    rc = digest_and_c14n(st, job, own, name, err);
cleanup:
    free(text);
    eseal__buf_free(&cand);
    eseal__buf_free(&sp.pre);
    eseal__buf_free(&sp.post);
    xmlFreeDoc(d0);
    xmlFreeDoc(d1);
    return rc;
}

static int embed(eseal_job *job, const eseal_bytes *sig, eseal_error *err)
{
    xml_state *st = job->state;
    unsigned char *raw = NULL;
    const unsigned char *value = sig->data;
    size_t value_len = sig->len, text_len = 0;
    char *b64 = NULL, *text = NULL;
    eseal_buf tail = { 0 };
    int rc;

    if (st == NULL || st->prefix == NULL)
        return eseal__error_set(err, ESEAL_EINVAL, "XML job not prepared");
    if (st->key_type == EVP_PKEY_EC) {
        if ((rc = eseal__xml_ecdsa_der_to_raw(&raw, &value_len, sig->data,
                 sig->len, st->key_bits, err)) < 0)
            return rc;
        value = raw;
    }
    b64 = eseal__xml_base64(value, value_len);
    if (b64 == NULL) {
        rc = eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
        goto cleanup;
    }
    if ((rc = eseal__xml_render_signature(&text, &text_len, &st->params,
             st->doc_digest, st->props_digest, b64, err)) < 0)
        goto cleanup;
    eseal__buf_puts(&tail, st->prefix);
    eseal__buf_append(&tail, text, text_len);
    eseal__buf_puts(&tail, st->suffix);
    if (tail.failed) {
        rc = eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
        goto cleanup;
    }
    eseal_bytes_free(&job->tail);
    job->tail.data = (unsigned char *)eseal__buf_steal(&tail,
        &job->tail.len);
    memset(&job->output, 0, sizeof(job->output));
    if (eseal__ranges_add(&job->output, ESEAL_SPAN_INPUT, 0, st->at) < 0 ||
        eseal__ranges_add(&job->output, ESEAL_SPAN_TAIL, 0,
            job->tail.len) < 0 ||
        eseal__ranges_add(&job->output, ESEAL_SPAN_INPUT, st->at + st->skip,
            job->in->size - st->at - st->skip) < 0) {
        rc = eseal__error_set(err, ESEAL_ELIMIT, "too many output spans");
        goto cleanup;
    }
    rc = 0;
cleanup:
    free(raw);
    free(b64);
    free(text);
    eseal__buf_free(&tail);
    return rc;
}

static void cleanup(eseal_job *job)
{
    xml_state *st = job->state;

    if (st == NULL)
        return;
    free(st->prefix);
    free(st->suffix);
    free(st->doc_digest);
    free(st->props_digest);
    memset(st, 0, sizeof(*st));
}

const char *eseal__xml_job_signature_id(const eseal_job *job)
{
    const xml_state *st = job->state;

    return st != NULL && st->id[0] != '\0' ? st->id : NULL;
}

const eseal_adapter eseal__xml_adapter = {
    .version = ESEAL_ADAPTER_VERSION,
    .name = "xml",
    .format = ESEAL_FORMAT_XML,
    .caps = ESEAL_CAP_RAW_SIG,
    .state_size = sizeof(xml_state),
    .detect = eseal__xml_detect,
    .prepare = prepare,
    .embed = embed,
    .self_check = NULL,
    .find_signatures = eseal__xml_find_signatures,
    .cleanup = cleanup,
    .verify_cleanup = eseal__xml_verify_cleanup,
};
