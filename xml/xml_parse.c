/* eseal XAdES adapter - safe parsing, IDs, tree helpers, canonical forms,
 * error capture and the process-wide set-up of libxml2 and xmlsec. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <libxml/c14n.h>
#include <libxml/entities.h>
#include <libxml/globals.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/valid.h>
#include <xmlsec/xmlsec.h>
#include <xmlsec/errors.h>
#include <xmlsec/transforms.h>
#include <xmlsec/openssl/app.h>
#include <xmlsec/openssl/crypto.h>
#include "xml_int.h"

/* ---- error capture ------------------------------------------------------- */

static _Thread_local char xmlsec_error[200];

static void on_xmlsec_error(const char *file, int line, const char *func,
    const char *object, const char *subject, int reason, const char *msg)
{
    (void)file;
    (void)line;
    (void)reason;
    if (xmlsec_error[0] != '\0')
        return;   /* keep the first: it names the cause */
    snprintf(xmlsec_error, sizeof(xmlsec_error), "%s%s%s%s%s",
        subject ? subject : (func ? func : ""),
        object ? " (" : "", object ? object : "", object ? ")" : "",
        msg && *msg ? "" : "");
    if (msg != NULL && *msg != '\0') {
        size_t l = strlen(xmlsec_error);

        snprintf(xmlsec_error + l, sizeof(xmlsec_error) - l, ": %s", msg);
    }
}

const char *eseal__xmlsec_last_error(void)
{
    return xmlsec_error;
}

void eseal__xmlsec_clear_error(void)
{
    xmlsec_error[0] = '\0';
}

static void quiet_generic(void *ctx, const char *msg, ...)
{
    (void)ctx;
    (void)msg;
}

static void quiet_structured(void *ctx, xmlErrorPtr e)
{
    (void)ctx;
    (void)e;
}

void eseal__xml_quiet_begin(eseal_xml_quiet *q)
{
    q->saved_generic = (void *)xmlGenericError;
    q->saved_generic_ctx = xmlGenericErrorContext;
    q->saved_structured = (void *)xmlStructuredError;
    q->saved_structured_ctx = xmlStructuredErrorContext;
    xmlSetGenericErrorFunc(NULL, quiet_generic);
    xmlSetStructuredErrorFunc(NULL, quiet_structured);
    eseal__xmlsec_clear_error();
}

void eseal__xml_quiet_end(eseal_xml_quiet *q)
{
    xmlSetGenericErrorFunc(q->saved_generic_ctx,
        (xmlGenericErrorFunc)q->saved_generic);
    xmlSetStructuredErrorFunc(q->saved_structured_ctx,
        (xmlStructuredErrorFunc)q->saved_structured);
}

/* ---- parsing --------------------------------------------------------------- */

typedef struct parse_error {
    int have;
    int code;
    int line;
    char msg[160];
} parse_error;

static void on_parse_error(void *data, xmlErrorPtr e)
{
    xmlParserCtxtPtr ctxt = data;
    parse_error *pe = ctxt != NULL ? ctxt->_private : NULL;
    size_t l;

    if (pe == NULL || pe->have || e == NULL || e->level < XML_ERR_ERROR)
        return;
    pe->have = 1;
    pe->code = e->code;
    pe->line = e->line;
    snprintf(pe->msg, sizeof(pe->msg), "%s", e->message ? e->message : "?");
    l = strlen(pe->msg);
    while (l > 0 && (pe->msg[l - 1] == '\n' || pe->msg[l - 1] == ' '))
        pe->msg[--l] = '\0';
}

typedef struct entity_scan {
    int count;
    int external;
    int nested;
    char first[64];
} entity_scan;

static void scan_entity(void *payload, void *data, const xmlChar *name)
{
    xmlEntityPtr ent = payload;
    entity_scan *es = data;

    if (es->count++ == 0)
        snprintf(es->first, sizeof(es->first), "%s", (const char *)name);
    if (ent->etype == XML_EXTERNAL_GENERAL_PARSED_ENTITY ||
        ent->etype == XML_EXTERNAL_GENERAL_UNPARSED_ENTITY ||
        ent->etype == XML_EXTERNAL_PARAMETER_ENTITY ||
        ent->SystemID != NULL || ent->ExternalID != NULL)
        es->external = 1;
    if (ent->content != NULL && strchr((const char *)ent->content, '&'))
        es->nested = 1;
}

static int check_entities(xmlDocPtr doc, const char *name, eseal_error *err)
{
    entity_scan es;
    xmlDtdPtr dtd = doc->intSubset;

    memset(&es, 0, sizeof(es));
    if (dtd == NULL)
        return 0;
    if (dtd->entities != NULL)
        xmlHashScan(dtd->entities, scan_entity, &es);
    if (dtd->pentities != NULL)
        xmlHashScan(dtd->pentities, scan_entity, &es);
    if (es.count == 0)
        return 0;
    if (es.external)
        return eseal__error_set(err, ESEAL_EFORMAT, "the DOCTYPE "
            "declares external entities (eseal never loads them)");
    if (es.nested)
        return eseal__error_set(err, ESEAL_ELIMIT, "the DOCTYPE "
            "declares entities that expand other entities (entity "
            "expansion is refused)");
    return eseal__error_set(err, ESEAL_EFORMAT, "the DOCTYPE declares "
        "entities ('%s'); eseal does not expand entities", es.first);
}

int eseal__xml_parse(xmlDocPtr *out, const unsigned char *p, size_t n,
    const char *name, eseal_error *err)
{
    xmlParserCtxtPtr ctxt = NULL;
    xmlDocPtr doc = NULL;
    parse_error pe;
    int rc = 0;

    *out = NULL;
    memset(&pe, 0, sizeof(pe));
    if ((uint64_t)n > ESEAL_XML_MAX_SIZE || n > INT_MAX)
        return eseal__error_set(err, ESEAL_ELIMIT, "the document is "
            "larger than %llu bytes",
            (unsigned long long)ESEAL_XML_MAX_SIZE);
    ctxt = xmlNewParserCtxt();
    if (ctxt == NULL)
        return eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
    ctxt->_private = &pe;
    ctxt->sax->serror = on_parse_error;
    doc = xmlCtxtReadMemory(ctxt, (const char *)p, (int)n, NULL, NULL,
        XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (doc == NULL || !ctxt->wellFormed || pe.have) {
        int limit = pe.code == XML_ERR_ENTITY_LOOP ||
            strstr(pe.msg, "depth") != NULL ||
            strstr(pe.msg, "amplification") != NULL ||
            strstr(pe.msg, "huge") != NULL ||
            strstr(pe.msg, "HUGE") != NULL;

        if (!pe.have)
            snprintf(pe.msg, sizeof(pe.msg), "cannot parse");
        rc = eseal__error_set(err, limit ? ESEAL_ELIMIT : ESEAL_EFORMAT,
            "%s (line %d: %s)", limit ? "the XML exceeds a safety limit" :
            "not well-formed XML", pe.line, pe.msg);
        goto cleanup;
    }
    if ((rc = check_entities(doc, name, err)) < 0)
        goto cleanup;
    if (xmlDocGetRootElement(doc) == NULL) {
        rc = eseal__error_set(err, ESEAL_EFORMAT, "no root element");
        goto cleanup;
    }
    *out = doc;
    doc = NULL;
cleanup:
    xmlFreeDoc(doc);
    ctxt->_private = NULL;
    xmlFreeParserCtxt(ctxt);
    return rc;
}

/* ---- tree helpers ------------------------------------------------------------ */

int eseal__xml_is(xmlNodePtr node, const char *ns, const char *name)
{
    return node != NULL && node->type == XML_ELEMENT_NODE &&
        strcmp((const char *)node->name, name) == 0 &&
        (ns == NULL ? node->ns == NULL :
            node->ns != NULL && node->ns->href != NULL &&
            strcmp((const char *)node->ns->href, ns) == 0);
}

xmlNodePtr eseal__xml_first_element(xmlNodePtr node)
{
    xmlNodePtr c;

    for (c = node ? node->children : NULL; c != NULL; c = c->next)
        if (c->type == XML_ELEMENT_NODE)
            return c;
    return NULL;
}

xmlNodePtr eseal__xml_child(xmlNodePtr node, const char *ns,
    const char *name)
{
    xmlNodePtr c;

    for (c = node ? node->children : NULL; c != NULL; c = c->next)
        if (eseal__xml_is(c, ns, name))
            return c;
    return NULL;
}

xmlNodePtr eseal__xml_next(xmlNodePtr node, const char *ns, const char *name)
{
    xmlNodePtr c;

    for (c = node ? node->next : NULL; c != NULL; c = c->next)
        if (eseal__xml_is(c, ns, name))
            return c;
    return NULL;
}

/* Document-order walk of elements without recursion. */
static xmlNodePtr next_element(xmlNodePtr cur, xmlNodePtr top)
{
    xmlNodePtr c;

    for (c = cur->children; c != NULL; c = c->next)
        if (c->type == XML_ELEMENT_NODE)
            return c;
    while (cur != NULL && cur != top) {
        for (c = cur->next; c != NULL; c = c->next)
            if (c->type == XML_ELEMENT_NODE)
                return c;
        cur = cur->parent;
    }
    return NULL;
}

size_t eseal__xml_element_index(xmlDocPtr doc, xmlNodePtr target)
{
    xmlNodePtr root = xmlDocGetRootElement(doc), cur;
    size_t i = 0;

    for (cur = root; cur != NULL; cur = next_element(cur, root), i++)
        if (cur == target)
            return i;
    return (size_t)-1;
}

size_t eseal__xml_collect_signatures(xmlNodePtr *out, size_t max,
    xmlNodePtr root, size_t *total)
{
    xmlNodePtr cur;
    size_t n = 0, all = 0;

    for (cur = root; cur != NULL; cur = next_element(cur, root)) {
        if (eseal__xml_is(cur, ESEAL_NS_DS, "Signature")) {
            if (n < max)
                out[n++] = cur;
            all++;
        }
    }
    if (total != NULL)
        *total = all;
    return n;
}

int eseal__xml_register_ids(xmlDocPtr doc, char ***dups, size_t *n_dups)
{
    xmlNodePtr root = xmlDocGetRootElement(doc), cur;
    int rc = 0;

    for (cur = root; cur != NULL; cur = next_element(cur, root)) {
        xmlAttrPtr a;

        for (a = cur->properties; a != NULL; a = a->next) {
            const char *an = (const char *)a->name;
            xmlChar *v;
            xmlAttrPtr have;

            if (a->ns != NULL || (strcmp(an, "Id") != 0 &&
                    strcmp(an, "ID") != 0 && strcmp(an, "id") != 0))
                continue;
            v = xmlNodeListGetString(doc, a->children, 1);
            if (v == NULL)
                continue;
            have = xmlGetID(doc, v);
            if (have == NULL) {
                if (xmlAddID(NULL, doc, v, a) == NULL)
                    rc = ESEAL_ENOMEM;
            } else if (have != a && dups != NULL) {
                if (eseal__strlist_add(dups, n_dups, (const char *)v) < 0)
                    rc = ESEAL_ENOMEM;
            }
            xmlFree(v);
        }
    }
    return rc;
}

/* ---- canonical forms ------------------------------------------------------- */

static int in_subtree(void *user, xmlNodePtr node, xmlNodePtr parent)
{
    xmlNodePtr top = user, cur;

    if (node == NULL)
        return 0;
    cur = node->type == XML_NAMESPACE_DECL ? parent : node;
    for (; cur != NULL; cur = cur->parent)
        if (cur == top)
            return 1;
    return 0;
}

static int c14n_mode(const char *uri)
{
    if (uri == NULL || strcmp(uri, ESEAL_ALG_EXC_C14N) == 0)
        return XML_C14N_EXCLUSIVE_1_0;
    if (strcmp(uri, ESEAL_ALG_C14N11) == 0)
        return XML_C14N_1_1;
    return XML_C14N_1_0;
}

int eseal__xml_c14n_subtree(unsigned char **out, size_t *out_len,
    xmlNodePtr node, const char *c14n_uri, eseal_error *err)
{
    xmlOutputBufferPtr buf = xmlAllocOutputBuffer(NULL);
    eseal_xml_quiet q;
    int rc = 0, n;

    *out = NULL;
    *out_len = 0;
    if (buf == NULL)
        return eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
    eseal__xml_quiet_begin(&q);
    n = xmlC14NExecute(node->doc, in_subtree, node, c14n_mode(c14n_uri),
        NULL, 0, buf);
    eseal__xml_quiet_end(&q);
    if (n < 0 || buf->error) {
        rc = eseal__error_set(err, ESEAL_EFORMAT,
            "cannot canonicalize the signature");
        goto cleanup;
    }
    *out_len = xmlOutputBufferGetSize(buf);
    *out = malloc(*out_len ? *out_len : 1);
    if (*out == NULL) {
        *out_len = 0;
        rc = eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
        goto cleanup;
    }
    memcpy(*out, xmlOutputBufferGetContent(buf), *out_len);
cleanup:
    xmlOutputBufferClose(buf);
    return rc;
}

/* ---- process-wide set-up ---------------------------------------------------- */

int eseal__xml_global_init(eseal_error *err)
{
    xmlExternalEntityLoader loader;

    xmlInitParser();
    xmlSecErrorsSetCallback(on_xmlsec_error);
    /* xmlSecInit() installs its own external entity loader for the whole
     * process; put the host's back: eseal's parser never loads entities. */
    loader = xmlGetExternalEntityLoader();
    if (xmlSecInit() < 0) {
        xmlSetExternalEntityLoader(loader);
        return eseal__error_set(err, ESEAL_ECRYPTO,
            "cannot initialise xmlsec");
    }
    xmlSetExternalEntityLoader(loader);
    xmlSecErrorsSetCallback(on_xmlsec_error);
    if (xmlSecCheckVersion() != 1) {
        xmlSecShutdown();
        return eseal__error_set(err, ESEAL_ECRYPTO, "the xmlsec library "
            "is not compatible with the version eseal was built with (%s)",
            XMLSEC_VERSION);
    }
    if (xmlSecOpenSSLAppInit(NULL) < 0 || xmlSecOpenSSLInit() < 0) {
        xmlSecShutdown();
        return eseal__error_set(err, ESEAL_ECRYPTO,
            "cannot initialise xmlsec's OpenSSL back end");
    }
    /* xmlsec 1.2.37 looks signature methods up in its own process-wide
     * list only: add the RSA-PSS ones there (verification only; each
     * context still allows just the transforms eseal accepts) */
    {
        const void *const *pss = eseal__xml_pss_klasses();

        for (; *pss != NULL; pss++)
            if (xmlSecTransformIdsRegister((xmlSecTransformId)*pss) < 0) {
                xmlSecOpenSSLShutdown();
                xmlSecShutdown();
                return eseal__error_set(err, ESEAL_ECRYPTO,
                    "cannot register the RSA-PSS signature methods");
            }
    }
    /* xmlSecOpenSSLInit() installs its own error printer */
    xmlSecErrorsSetCallback(on_xmlsec_error);
    eseal__xmlsec_clear_error();
    return 0;
}

void eseal__xml_global_shutdown(void)
{
    xmlExternalEntityLoader loader = xmlGetExternalEntityLoader();

    xmlSecOpenSSLShutdown();
    xmlSecOpenSSLAppShutdown();
    xmlSecShutdown();
    xmlSetExternalEntityLoader(loader);
}

size_t eseal__xml_count_elements(xmlDocPtr doc)
{
    xmlNodePtr root = xmlDocGetRootElement(doc), cur;
    size_t n = 0;

    for (cur = root; cur != NULL; cur = next_element(cur, root))
        n++;
    return n;
}

/* ---- detection ------------------------------------------------------------ */

static int name_start(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' ||
        c == ':' || c >= 0x80;
}

int eseal__xml_detect(const unsigned char *head, size_t len)
{
    size_t i = 0;

    if (len >= 5 && memmem(head, len, "%PDF-", 5) != NULL)
        return 0;
    if (len >= 4 && ((head[0] == 0xFE && head[1] == 0xFF && head[2] == 0 &&
                      head[3] == '<') ||
                     (head[0] == 0xFF && head[1] == 0xFE && head[2] == '<' &&
                      head[3] == 0)))
        return 80;   /* UTF-16 with a byte order mark */
    /* UTF-32 with a byte order mark, UTF-16 and UTF-32 without one (XML 1.0
     * appendix F): claimed so that sealing refuses them by their encoding
     * instead of as an unknown format */
    if (len >= 4 && ((head[0] == 0xFF && head[1] == 0xFE && head[2] == 0 &&
                      head[3] == 0) ||
                     (head[0] == 0 && head[1] == 0 && head[2] == 0xFE &&
                      head[3] == 0xFF) ||
                     (head[0] == '<' && head[1] == 0 && head[3] == 0) ||
                     (head[0] == 0 && head[1] == '<' && head[2] == 0) ||
                     (head[0] == 0 && head[1] == 0 && head[2] == 0 &&
                      head[3] == '<')))
        return 60;
    if (len >= 3 && head[0] == 0xEF && head[1] == 0xBB && head[2] == 0xBF)
        i = 3;
    for (;;) {
        while (i < len && (head[i] == ' ' || head[i] == '\t' ||
                           head[i] == '\r' || head[i] == '\n'))
            i++;
        if (i + 1 >= len || head[i] != '<')
            return 0;
        if (head[i + 1] == '?')
            return i + 5 <= len && memcmp(head + i, "<?xml", 5) == 0 ? 80 :
                   60;
        if (i + 4 <= len && memcmp(head + i, "<!--", 4) == 0) {
            const unsigned char *end = memmem(head + i + 4, len - i - 4,
                "-->", 3);

            if (end == NULL)
                return 40;   /* a comment longer than what we were shown */
            i = (size_t)(end - head) + 3;
            continue;
        }
        if (i + 9 <= len && memcmp(head + i, "<!DOCTYPE", 9) == 0)
            return 70;
        return name_start(head[i + 1]) ? 70 : 0;
    }
}
