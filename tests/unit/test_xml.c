/* eseal unit tests - the XAdES adapter: detection, encodings, the byte
 * scanner, safe parsing, signature properties, placements, several seals,
 * foreign signatures made with xmlsec1 at test time, tampering. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <eseal/eseal.h>
#include "unit.h"
#include "../../xml/xml_int.h"

static char dir[64] = "/tmp/eseal-test-xml.XXXXXX";
static eseal_sealer *rsa, *ec, *pss;

static char *path(const char *name)
{
    static char buf[4][512];
    static int slot;

    slot = (slot + 1) % 4;
    snprintf(buf[slot], sizeof(buf[slot]), "%s/%s", dir, name);
    return buf[slot];
}

static eseal_sealer *open_sealer(const char *key, const char *cert,
    int rsa_pss)
{
    eseal_sealer_opts opts = ESEAL_SEALER_OPTS_INIT;
    eseal_sealer *s = NULL;
    eseal_error err = { 0 };
    char k[512], c[512], ch[512];

    snprintf(k, sizeof(k), "%s", path(key));
    snprintf(c, sizeof(c), "%s", path(cert));
    snprintf(ch, sizeof(ch), "%s", path("chain.pem"));
    opts.key = k;
    opts.cert = c;
    opts.chain = ch;
    opts.rsa_pss = rsa_pss;
    if (eseal_sealer_open(&s, &opts, &err) < 0)
        fprintf(stderr, "sealer %s: %s\n", key, err.message);
    return s;
}

static int suite_init(void)
{
    eseal_error err = { 0 };

    if (eseal_init(&err) < 0 || mkdtemp(dir) == NULL)
        return 1;
    if (eseal_demo_pki(path("pki"), NULL, &err) < 0) {
        fprintf(stderr, "demo-pki: %s\n", err.message);
        return 1;
    }
    strcat(dir, "/pki");
    rsa = open_sealer("eseal-rsa.key", "eseal-rsa.pem", 0);
    ec = open_sealer("eseal-ec.key", "eseal-ec.pem", 0);
    pss = open_sealer("eseal-rsa.key", "eseal-rsa.pem", 1);
    return rsa && ec && pss ? 0 : 1;
}

/* ---- helpers ---------------------------------------------------------------- */

static int seal(eseal_bytes *out, eseal_sealer *s, const char *doc,
    const eseal_seal_opts *opts, eseal_error *err)
{
    static const eseal_seal_opts defaults = ESEAL_SEAL_OPTS_INIT;

    unsigned char *z;
    int rc;

    memset(err, 0, sizeof(*err));
    rc = eseal_seal_buffer(out, s, (const unsigned char *)doc, strlen(doc),
        opts ? opts : &defaults, err);
    if (rc < 0)
        return rc;
    /* NUL-terminate the output so that the tests may use string calls */
    z = realloc(out->data, out->len + 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(z);
    z[out->len] = '\0';
    out->data = z;
    return rc;
}

static eseal_report *verify(const unsigned char *p, size_t n)
{
    eseal_verify_opts vo = ESEAL_VERIFY_OPTS_INIT;
    eseal_report *r = NULL;
    eseal_error err = { 0 };

    vo.trust_file = path("trust.pem");
    if (eseal_verify_buffer(&r, p, n, "test", &vo, &err) < 0)
        fprintf(stderr, "verify: %s\n", err.message);
    return r;
}

static const eseal_signature_report *sig_of(const eseal_report *r, size_t i)
{
    return r != NULL && i < eseal_report_signature_count(r) ?
        eseal_report_signature(r, i) : NULL;
}

static void print_problems(const eseal_signature_report *s)
{
    size_t i;

    for (i = 0; s != NULL && i < s->n_errors; i++)
        fprintf(stderr, "  error: %s\n", s->errors[i]);
}

/* The output is the input with one run of bytes inserted (or, for an
 * empty root, "/>" rewritten): returns the insertion offset or -1. */
static long spliced_at(const eseal_bytes *out, const char *in, size_t skip)
{
    size_t n = strlen(in), i = 0;

    while (i < n && i < out->len && out->data[i] == (unsigned char)in[i])
        i++;
    if (out->len < n - skip)
        return -1;
    if (memcmp(out->data + out->len - (n - i - skip), in + i + skip,
            n - i - skip) != 0)
        return -1;
    return (long)i;
}

static int count(const eseal_bytes *b, const char *what)
{
    const char *p = (const char *)b->data;
    int n = 0;

    while ((p = strstr(p, what)) != NULL) {
        n++;
        p++;
    }
    return n;
}

static xmlDocPtr parse(const eseal_bytes *b)
{
    return xmlReadMemory((const char *)b->data, (int)b->len, NULL, NULL,
        XML_PARSE_NONET);
}

static const char ubl[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<Invoice xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:"
    "Invoice-2\"\n xmlns:cbc=\"urn:oasis:names:specification:ubl:schema:"
    "xsd:CommonBasicComponents-2\">\n"
    "  <cbc:ID>INV-1</cbc:ID>\n"
    "  <cbc:PayableAmount currencyID=\"JPY\">11000</cbc:PayableAmount>\n"
    "</Invoice>\n";

static const char generic[] =
    "<?xml version=\"1.0\"?>\r\n<!-- c -->\r\n"
    "<p:doc xmlns:p=\"urn:x\" id=\"d1\">\r\n  <a>1</a>\r\n</p:doc>\r\n"
    "<!-- after -->\r\n";

/* ---- detection, encodings, scanning, parsing ----------------------------- */

static void test_xml__detect(void)
{
    const struct {
        const char *s;
        int claim;
    } t[] = {
        { "<?xml version=\"1.0\"?><a/>", 1 },
        { "\xEF\xBB\xBF<?xml version=\"1.0\"?><a/>", 1 },
        { "  \n<!-- x --><Invoice/>", 1 },
        { "<Invoice xmlns=\"u\"/>", 1 },
        { "%PDF-1.7\n<a/>", 0 },
        { "<a>%PDF-1.4</a>", 0 },
        { "Invoice 1", 0 },
        { "< a", 0 },
    };
    size_t i;

    for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        int score = eseal__xml_adapter.detect(
            (const unsigned char *)t[i].s, strlen(t[i].s));

        CU_ASSERT_EQUAL(score > 0, t[i].claim);
    }
}

static void test_xml__sniff_encoding(void)
{
    eseal_xml_encoding e;
    const char *sjis = "<?xml version='1.0' encoding='Shift_JIS'?><a/>";
    const char *latin = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a/>";
    const unsigned char u16[] = { 0xFF, 0xFE, '<', 0, 'a', 0 };

    eseal__xml_sniff_encoding(&e, (const unsigned char *)"<a/>", 4);
    CU_ASSERT_EQUAL(e.kind, ESEAL_XML_ENC_ASCII);
    CU_ASSERT_STRING_EQUAL(e.name, "UTF-8");
    eseal__xml_sniff_encoding(&e, (const unsigned char *)sjis, strlen(sjis));
    CU_ASSERT_EQUAL(e.kind, ESEAL_XML_ENC_SJIS);
    eseal__xml_sniff_encoding(&e, (const unsigned char *)latin,
        strlen(latin));
    CU_ASSERT_EQUAL(e.kind, ESEAL_XML_ENC_ASCII);
    CU_ASSERT_STRING_EQUAL(e.name, "ISO-8859-1");
    eseal__xml_sniff_encoding(&e, u16, sizeof(u16));
    CU_ASSERT_EQUAL(e.kind, ESEAL_XML_ENC_OTHER);
    eseal__xml_sniff_encoding(&e,
        (const unsigned char *)"\xEF\xBB\xBF<a/>", 7);
    CU_ASSERT_EQUAL(e.bom_len, 3);
}

static void test_xml__scan_positions(void)
{
    /* "ゾ" in Shift_JIS is 0x83 0x5D: followed by "]>" it looks like "]]>" */
    const char doc[] = "<?xml version=\"1.0\" encoding=\"Shift_JIS\"?>\n"
        "<r a='>'><b><![CDATA[\x83\x5D]><x>]]></b><c/></r>\n";
    eseal_xml_scan scan;
    eseal_xml_pos pos[3];
    size_t want[3] = { 0, 2, 1 };
    eseal_error err = { 0 };
    char deep[7 * (ESEAL_XML_MAX_DEPTH + 5) + 1] = "";
    int i;

    CU_ASSERT_EQUAL(eseal__xml_scan(&scan, pos, want, 3,
        (const unsigned char *)doc, strlen(doc), 1, "t", &err), 0);
    CU_ASSERT_EQUAL(scan.n_elements, 3);
    CU_ASSERT_STRING_EQUAL(scan.eol, "\n");
    CU_ASSERT_EQUAL(memcmp(doc + pos[0].end, "</r>", 4), 0);
    CU_ASSERT_EQUAL(memcmp(doc + pos[0].start_end, "<b>", 3), 0);
    CU_ASSERT(pos[1].empty);
    CU_ASSERT_EQUAL(memcmp(doc + pos[1].start, "<c/>", 4), 0);
    CU_ASSERT_EQUAL(memcmp(doc + pos[2].end, "</b>", 4), 0);
    /* without the Shift_JIS rule the CDATA would end one byte early and
     * the scan would fail */
    CU_ASSERT(eseal__xml_scan(&scan, pos, want, 3,
        (const unsigned char *)doc, strlen(doc), 0, "t", &err) < 0);
    for (i = 0; i < ESEAL_XML_MAX_DEPTH + 5; i++)
        strcat(deep, "<a>");
    for (i = 0; i < ESEAL_XML_MAX_DEPTH + 5; i++)
        strcat(deep, "</a>");
    CU_ASSERT_EQUAL(eseal__xml_scan(&scan, NULL, NULL, 0,
        (const unsigned char *)deep, strlen(deep), 0, "t", &err),
        ESEAL_ELIMIT);
}

static void test_xml__parse_refuses(void)
{
    const char *xxe = "<!DOCTYPE a [<!ENTITY x SYSTEM \"file:///etc/passwd\">"
        "]><a>&x;</a>";
    const char *nested = "<!DOCTYPE a [<!ENTITY b \"x\"><!ENTITY c \"&b;&b;\">"
        "]><a/>";
    const char *plain = "<!DOCTYPE a [<!ENTITY b \"x\">]><a>&b;</a>";
    xmlDocPtr doc = NULL;
    eseal_error err = { 0 };
    char *bomb;
    size_t len = 0;

    CU_ASSERT_EQUAL(eseal__xml_parse(&doc, (const unsigned char *)xxe,
        strlen(xxe), "t", &err), ESEAL_EFORMAT);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "external entities"));
    CU_ASSERT_EQUAL(eseal__xml_parse(&doc, (const unsigned char *)nested,
        strlen(nested), "t", &err), ESEAL_ELIMIT);
    CU_ASSERT_EQUAL(eseal__xml_parse(&doc, (const unsigned char *)plain,
        strlen(plain), "t", &err), ESEAL_EFORMAT);
    CU_ASSERT_EQUAL(eseal__xml_parse(&doc, (const unsigned char *)"<a><b>",
        6, "t", &err), ESEAL_EFORMAT);
    CU_ASSERT_PTR_NULL(doc);
    {
        char p[1024];
        const char *root = getenv("ESEAL_SOURCE_ROOT");

        snprintf(p, sizeof(p), "%s/samples/xml/bad/entity-bomb.xml",
            root ? root : "../..");
        bomb = unit_slurp(p, &len);
    }
    CU_ASSERT_PTR_NOT_NULL_FATAL(bomb);
    CU_ASSERT_EQUAL(eseal__xml_parse(&doc, (unsigned char *)bomb, len, "t",
        &err), ESEAL_ELIMIT);
    free(bomb);
}

static void test_xml__datetime_and_ecdsa(void)
{
    time_t t;
    int zone;
    char out[21];
    unsigned char der[] = { 0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x02 };
    unsigned char *raw = NULL;
    size_t raw_len = 0;
    eseal_error err = { 0 };

    CU_ASSERT_EQUAL(eseal__xml_parse_datetime(&t, &zone,
        "2026-11-24T10:00:00+09:00"), 0);
    CU_ASSERT(zone);
    eseal__xml_datetime(out, t);
    CU_ASSERT_STRING_EQUAL(out, "2026-11-24T01:00:00Z");
    CU_ASSERT_EQUAL(eseal__xml_parse_datetime(&t, &zone,
        "2026-11-24T01:00:00.250Z"), 0);
    eseal__xml_datetime(out, t);
    CU_ASSERT_STRING_EQUAL(out, "2026-11-24T01:00:00Z");
    CU_ASSERT_EQUAL(eseal__xml_parse_datetime(&t, &zone,
        "2026-11-24T01:00:00"), 0);
    CU_ASSERT(!zone);
    CU_ASSERT(eseal__xml_parse_datetime(&t, &zone, "2026-13-24T01:00:00Z") <
        0);
    CU_ASSERT(eseal__xml_parse_datetime(&t, &zone, "yesterday") < 0);
    CU_ASSERT_EQUAL(eseal__xml_ecdsa_der_to_raw(&raw, &raw_len, der,
        sizeof(der), 256, &err), 0);
    CU_ASSERT_EQUAL(raw_len, 64);
    if (raw != NULL) {
        CU_ASSERT_EQUAL(raw[31], 1);
        CU_ASSERT_EQUAL(raw[63], 2);
        CU_ASSERT_EQUAL(raw[0], 0);
    }
    free(raw);
    CU_ASSERT(eseal__xml_ecdsa_der_to_raw(&raw, &raw_len, der, 5, 256,
        &err) < 0);
}

/* ---- the signature's properties ----------------------------------------- */

static xmlNodePtr find(xmlNodePtr n, const char *ns, const char *name)
{
    xmlNodePtr c, r;

    for (; n != NULL; n = n->next) {
        if (eseal__xml_is(n, ns, name))
            return n;
        for (c = n->children; c != NULL; c = c->next)
            if ((r = find(c, ns, name)) != NULL)
                return r;
    }
    return NULL;
}

static char *content(xmlDocPtr doc, const char *ns, const char *name)
{
    xmlNodePtr n = find(xmlDocGetRootElement(doc), ns, name);
    xmlChar *v = n ? xmlNodeGetContent(n) : NULL;
    char *s = v ? strdup((const char *)v) : NULL;

    xmlFree(v);
    return s;
}

static X509 *load_cert(const char *file)
{
    FILE *f = fopen(path(file), "r");
    X509 *x = f ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;

    if (f != NULL)
        fclose(f);
    return x;
}

static void test_xml__properties(void)
{
    eseal_xml_sig_params p;
    X509 *cert = load_cert("eseal-rsa.pem");
    eseal_error err = { 0 };
    char *text = NULL, *v;
    size_t len = 0, der_len = 0;
    unsigned char md[32], *der = NULL, *is = NULL;
    int cert_len;
    xmlDocPtr doc;
    char *b64;

    CU_ASSERT_PTR_NOT_NULL_FATAL(cert);
    memset(&p, 0, sizeof(p));
    CU_ASSERT_EQUAL(eseal__xml_algorithms(&p, rsa, "c14n11", &err), 0);
    CU_ASSERT_STRING_EQUAL(p.c14n_uri, ESEAL_ALG_C14N11);
    CU_ASSERT_STRING_EQUAL(p.sig_uri,
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256");
    CU_ASSERT(eseal__xml_algorithms(&p, rsa, "c15n", &err) < 0);
    CU_ASSERT_EQUAL(eseal__xml_algorithms(&p, pss, NULL, &err), 0);
    CU_ASSERT_STRING_EQUAL(p.sig_uri, ESEAL_ALG_PSS_SHA256);
    CU_ASSERT_EQUAL(eseal__xml_algorithms(&p, ec, NULL, &err), 0);
    CU_ASSERT_STRING_EQUAL(p.sig_uri,
        "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256");
    CU_ASSERT_STRING_EQUAL(p.c14n_uri, ESEAL_ALG_EXC_C14N);
    p.id = "id-test";
    p.eol = "\n";
    p.cert = cert;
    p.signing_time = 1795482000; /* 2026-11-24T01:00:00Z */
    p.mime_type = "text/xml";
    p.policy_id = "1.2.392.1.2.3";
    p.policy_hash = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";
    CU_ASSERT_EQUAL_FATAL(eseal__xml_render_signature(&text, &len, &p,
        NULL, NULL, NULL, &err), 0);
    doc = xmlReadMemory(text, (int)len, NULL, NULL, XML_PARSE_NONET);
    CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
    v = content(doc, ESEAL_NS_XADES, "SigningTime");
    CU_ASSERT_STRING_EQUAL(v, "2026-11-24T01:00:00Z");
    free(v);
    /* SigningCertificateV2: SHA-256 of the certificate, IssuerSerialV2 */
    CU_ASSERT_PTR_NOT_NULL(find(xmlDocGetRootElement(doc), ESEAL_NS_XADES,
        "SigningCertificateV2"));
    cert_len = i2d_X509(cert, &der);
    CU_ASSERT(cert_len > 0);
    EVP_Digest(der, (size_t)cert_len, md, NULL, EVP_sha256(), NULL);
    OPENSSL_free(der);
    der = NULL;
    b64 = eseal__xml_base64(md, sizeof(md));
    v = content(doc, ESEAL_NS_DS, "DigestValue");   /* the first one is the
                                                        document's: empty */
    CU_ASSERT_STRING_EQUAL(v, "");
    free(v);
    CU_ASSERT_PTR_NOT_NULL(strstr(text, b64));
    free(b64);
    v = content(doc, ESEAL_NS_XADES, "IssuerSerialV2");
    CU_ASSERT_EQUAL(eseal__xml_unbase64(&is, &der_len, v), 0);
    free(v);
    {
        unsigned char *name = NULL;
        int name_len = i2d_X509_NAME(X509_get_issuer_name(cert), &name);

        /* SEQUENCE { SEQUENCE { [4] { Name } }, INTEGER } */
        CU_ASSERT(is != NULL && is[0] == 0x30);
        CU_ASSERT(is != NULL && der_len > (size_t)name_len &&
            memmem(is, der_len, name, (size_t)name_len) != NULL);
        OPENSSL_free(name);
    }
    free(is);
    v = content(doc, ESEAL_NS_XADES, "Identifier");
    CU_ASSERT_STRING_EQUAL(v, "urn:oid:1.2.392.1.2.3");
    free(v);
    v = content(doc, ESEAL_NS_XADES, "MimeType");
    CU_ASSERT_STRING_EQUAL(v, "text/xml");
    free(v);
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "ObjectReference=\"#id-test-ref0\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "Target=\"#id-test\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(text,
        "Type=\"http://uri.etsi.org/01903#SignedProperties\" "
        "URI=\"#id-test-signedprops\""));
    xmlFreeDoc(doc);
    free(text);
    /* v1: IssuerSerial with the decimal serial number */
    p.signing_certificate_v1 = 1;
    p.policy_id = NULL;
    CU_ASSERT_EQUAL_FATAL(eseal__xml_render_signature(&text, &len, &p,
        "AAA=", "BBB=", "CCC=", &err), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "<xades:SigningCertificate>"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "<ds:X509SerialNumber>"));
    CU_ASSERT_PTR_NULL(strstr(text, "SigningCertificateV2"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "<ds:SignatureValue Id=\"id-test-"
        "sigvalue\">CCC=</ds:SignatureValue>"));
    free(text);
    X509_free(cert);
}

/* ---- placements and round trips ------------------------------------------ */

static void expect_valid(const eseal_bytes *out, size_t n_sigs,
    const char *what)
{
    eseal_report *r = verify(out->data, out->len);
    size_t i;

    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(eseal_report_signature_count(r), n_sigs);
    if (!eseal_report_valid(r)) {
        fprintf(stderr, "%s: not valid\n", what);
        for (i = 0; i < eseal_report_signature_count(r); i++)
            print_problems(sig_of(r, i));
    }
    CU_ASSERT(eseal_report_valid(r));
    for (i = 0; i < eseal_report_signature_count(r); i++) {
        const eseal_signature_report *s = sig_of(r, i);

        CU_ASSERT_STRING_EQUAL(s->kind, "xades");
        CU_ASSERT_EQUAL(s->level, ESEAL_LEVEL_B_B);
        CU_ASSERT(s->covers_whole_document);
    }
    eseal_report_free(r);
}

static void test_xml__placement_ubl(void)
{
    eseal_seal_opts o = ESEAL_SEAL_OPTS_INIT;
    eseal_bytes out = { 0 }, out2 = { 0 };
    eseal_error err = { 0 };
    xmlDocPtr doc;
    xmlNodePtr first;
    long at;

    CU_ASSERT_EQUAL_FATAL(seal(&out, rsa, ubl, &o, &err), 0);
    at = spliced_at(&out, ubl, 0);
    CU_ASSERT(at > 0);
    CU_ASSERT_PTR_NOT_NULL(strstr((char *)out.data, "CommonBasicComponents-2"
        "\">\n<ext:UBLExtensions xmlns:ext="));
    CU_ASSERT_PTR_NOT_NULL(strstr((char *)out.data, "</ext:UBLExtensions>"
        "\n  <cbc:ID>INV-1</cbc:ID>"));
    doc = parse(&out);
    CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
    first = eseal__xml_first_element(xmlDocGetRootElement(doc));
    CU_ASSERT(eseal__xml_is(first, ESEAL_NS_UBL_EXT, "UBLExtensions"));
    CU_ASSERT_PTR_NOT_NULL(find(first, ESEAL_NS_DS, "Signature"));
    CU_ASSERT_PTR_NOT_NULL(strstr((char *)out.data,
        ESEAL_UBL_EXTENSION_URI));
    CU_ASSERT_PTR_NOT_NULL(strstr((char *)out.data, ESEAL_ALG_ENVELOPED));
    xmlFreeDoc(doc);
    expect_valid(&out, 1, "ubl");
    /* a plain seal is not sealed over */
    CU_ASSERT_EQUAL(seal(&out2, ec, (char *)out.data, NULL, &err),
        ESEAL_EREFUSED);
    eseal_bytes_free(&out);
    /* co-seals: the second goes into the same sig:UBLDocumentSignatures
     * and keeps the first valid */
    o.co_seal = 1;
    CU_ASSERT_EQUAL_FATAL(seal(&out, rsa, ubl, &o, &err), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr((char *)out.data,
        "//sig:UBLDocumentSignatures | //ds:Signature"));
    CU_ASSERT_EQUAL_FATAL(seal(&out2, ec, (char *)out.data, &o, &err), 0);
    expect_valid(&out2, 2, "ubl twice");
    CU_ASSERT_EQUAL(count(&out2, "</sig:UBLDocumentSignatures>"), 1);
    CU_ASSERT_EQUAL(count(&out2, "<sac:SignatureInformation>"), 2);
    eseal_bytes_free(&out);
    eseal_bytes_free(&out2);
}

static void test_xml__placement_enveloped(void)
{
    eseal_seal_opts o = ESEAL_SEAL_OPTS_INIT;
    eseal_bytes out = { 0 };
    eseal_error err = { 0 };
    xmlDocPtr doc;
    xmlNodePtr root, last = NULL, c;
    long at;

    CU_ASSERT_EQUAL_FATAL(seal(&out, rsa, generic, NULL, &err), 0);
    at = spliced_at(&out, generic, 0);
    CU_ASSERT(at > 0);
    /* CRLF document: the inserted line end is CRLF too */
    CU_ASSERT_PTR_NOT_NULL(strstr((char *)out.data, "<a>1</a>\r\n"
        "<ds:Signature"));
    CU_ASSERT_PTR_NOT_NULL(strstr((char *)out.data, "</ds:Signature>\r\n"
        "</p:doc>\r\n<!-- after -->\r\n"));
    doc = parse(&out);
    CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
    root = xmlDocGetRootElement(doc);
    for (c = root->children; c != NULL; c = c->next)
        if (c->type == XML_ELEMENT_NODE)
            last = c;
    CU_ASSERT(eseal__xml_is(last, ESEAL_NS_DS, "Signature"));
    xmlFreeDoc(doc);
    expect_valid(&out, 1, "enveloped");
    eseal_bytes_free(&out);
    /* a UBL document sealed with --placement enveloped */
    o.placement = "enveloped";
    o.c14n = "c14n";
    CU_ASSERT_EQUAL_FATAL(seal(&out, ec, ubl, &o, &err), 0);
    CU_ASSERT(spliced_at(&out, ubl, 0) > 0);
    CU_ASSERT_PTR_NOT_NULL(strstr((char *)out.data, "</ds:Signature>\n"
        "</Invoice>\n"));
    CU_ASSERT_PTR_NULL(strstr((char *)out.data, "UBLExtensions"));
    expect_valid(&out, 1, "ubl enveloped c14n");
    eseal_bytes_free(&out);
    /* ubl placement on a document that is not UBL */
    o.placement = "ubl";
    CU_ASSERT_EQUAL(seal(&out, rsa, generic, &o, &err), ESEAL_EREFUSED);
}

static void test_xml__empty_root(void)
{
    const char *env = "<?xml version=\"1.0\"?>\n<r:doc xmlns:r=\"urn:r\"/>\n";
    const char *u = "<Invoice xmlns=\"urn:oasis:names:specification:ubl:"
        "schema:xsd:Invoice-2\" />";
    eseal_seal_opts o = ESEAL_SEAL_OPTS_INIT;
    eseal_bytes out = { 0 };
    eseal_error err = { 0 };

    CU_ASSERT_EQUAL_FATAL(seal(&out, rsa, env, NULL, &err), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr((char *)out.data, "<r:doc xmlns:r=\"urn:r\""
        "><ds:Signature"));
    CU_ASSERT_PTR_NOT_NULL(strstr((char *)out.data, "</ds:Signature>\n"
        "</r:doc>\n"));
    expect_valid(&out, 1, "empty enveloped root");
    eseal_bytes_free(&out);
    o.c14n = "c14n11";
    CU_ASSERT_EQUAL_FATAL(seal(&out, rsa, u, &o, &err), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr((char *)out.data, "</ext:UBLExtensions>"
        "</Invoice>"));
    expect_valid(&out, 1, "empty ubl root, inclusive c14n");
    eseal_bytes_free(&out);
}

/* ---- warnings of placements that break a schema -------------------------- */

typedef struct seen_log {
    int calls;
    char code[64];
    char document[64];
    int one_line;
} seen_log;

static void record_log(eseal_log_level level, const char *document,
    const char *code, const char *message, void *payload)
{
    seen_log *seen = payload;

    CU_ASSERT_EQUAL(level, ESEAL_LOG_WARNING);
    seen->calls++;
    snprintf(seen->code, sizeof(seen->code), "%s", code);
    snprintf(seen->document, sizeof(seen->document), "%s",
        document ? document : "");
    seen->one_line = message[0] != '\0' && strchr(message, '\n') == NULL;
}

static seen_log warnings_of(const char *doc, const char *placement,
    int with_log)
{
    eseal_seal_opts opts = ESEAL_SEAL_OPTS_INIT;
    eseal_bytes out = { 0 };
    eseal_error err;
    seen_log seen;

    memset(&seen, 0, sizeof(seen));
    opts.placement = placement;
    if (with_log)
        eseal_set_log(ec, ESEAL_LOG_WARNING, record_log, &seen);
    CU_ASSERT_EQUAL(seal(&out, ec, doc, &opts, &err), 0);
    eseal_set_log(ec, ESEAL_LOG_WARNING, NULL, NULL);
    if (out.data != NULL)
        expect_valid(&out, 1, placement ? placement : "auto");
    eseal_bytes_free(&out);
    return seen;
}

static void test_xml__placement_warnings(void)
{
    static const char cii[] =
        "<rsm:CrossIndustryInvoice xmlns:rsm=\"urn:un:unece:uncefact:data:"
        "standard:CrossIndustryInvoice:100\"><rsm:ExchangedDocument/>"
        "</rsm:CrossIndustryInvoice>";
    static const char peppol[] =
        "<Invoice xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:"
        "Invoice-2\" xmlns:cbc=\"urn:oasis:names:specification:ubl:schema:"
        "xsd:CommonBasicComponents-2\"><cbc:CustomizationID>urn:cen.eu:"
        "en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
        "</cbc:CustomizationID><cbc:ID>1</cbc:ID></Invoice>";
    seen_log seen;

    seen = warnings_of(generic, NULL, 1);
    CU_ASSERT_EQUAL(seen.calls, 0);
    seen = warnings_of(ubl, NULL, 1);
    CU_ASSERT_EQUAL(seen.calls, 0);

    seen = warnings_of(cii, "auto", 1);
    CU_ASSERT_EQUAL(seen.calls, 1);
    CU_ASSERT_STRING_EQUAL(seen.code, "xml-schema-no-signature");
    CU_ASSERT_STRING_EQUAL(seen.document, "buffer");
    CU_ASSERT_TRUE(seen.one_line);

    seen = warnings_of(peppol, NULL, 1);
    CU_ASSERT_EQUAL(seen.calls, 1);
    CU_ASSERT_STRING_EQUAL(seen.code, "en16931-ubl-extensions");
    CU_ASSERT_TRUE(seen.one_line);

    /* a forced enveloped seal on UBL leaves the schema */
    seen = warnings_of(ubl, "enveloped", 1);
    CU_ASSERT_EQUAL(seen.calls, 1);
    CU_ASSERT_STRING_EQUAL(seen.code, "xml-schema-no-signature");

    /* no callback: nothing is called, the seal is the same */
    seen = warnings_of(cii, NULL, 0);
    CU_ASSERT_EQUAL(seen.calls, 0);
    CU_ASSERT_STRING_EQUAL(eseal_log_level_name(ESEAL_LOG_WARNING),
        "warning");
    CU_ASSERT_PTR_NULL(eseal_log_level_name((eseal_log_level)0));
}

static void test_xml__several_seals(void)
{
    eseal_seal_opts o = ESEAL_SEAL_OPTS_INIT;
    eseal_bytes one = { 0 }, two = { 0 };
    eseal_error err = { 0 };
    eseal_report *r;

    o.placement = "enveloped";
    CU_ASSERT_EQUAL_FATAL(seal(&one, rsa, generic, &o, &err), 0);
    CU_ASSERT_EQUAL(seal(&two, rsa, (char *)one.data, &o, &err),
        ESEAL_EREFUSED);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "break"));
    CU_ASSERT_EQUAL(two.len, 0);
    o.co_seal = 1;
    CU_ASSERT_EQUAL(seal(&two, rsa, (char *)one.data, &o, &err),
        ESEAL_EREFUSED);
    o.force = 1;
    CU_ASSERT_EQUAL_FATAL(seal(&two, rsa, (char *)one.data, &o, &err), 0);
    r = verify(two.data, two.len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT(!sig_of(r, 0)->integrity);
    CU_ASSERT(sig_of(r, 1)->integrity);
    CU_ASSERT(!eseal_report_valid(r));
    eseal_report_free(r);
    eseal_bytes_free(&one);
    eseal_bytes_free(&two);
    /* two co-seals */
    o.force = 0;
    CU_ASSERT_EQUAL_FATAL(seal(&one, rsa, generic, &o, &err), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr((char *)one.data, "Filter=\"subtract\""));
    CU_ASSERT_EQUAL_FATAL(seal(&two, ec, (char *)one.data, &o, &err), 0);
    expect_valid(&two, 2, "two co-seals");
    r = verify(two.data, two.len);
    CU_ASSERT_EQUAL(sig_of(r, 0)->modifications_after, ESEAL_MODS_PERMITTED);
    eseal_report_free(r);
    eseal_bytes_free(&one);
    eseal_bytes_free(&two);
}

static void test_xml__tamper(void)
{
    eseal_seal_opts o = ESEAL_SEAL_OPTS_INIT;
    eseal_bytes out = { 0 };
    eseal_error err = { 0 };
    eseal_report *r;
    char *p;

    o.signing_time = 1795482000;
    CU_ASSERT_EQUAL_FATAL(seal(&out, pss, ubl, &o, &err), 0);
    expect_valid(&out, 1, "rsa-pss");
    r = verify(out.data, out.len);
    CU_ASSERT_EQUAL(sig_of(r, 0)->signing_time, 1795482000);
    eseal_report_free(r);
    /* the amount */
    p = strstr((char *)out.data, ">11000<");
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    p[5] = '1';
    r = verify(out.data, out.len);
    CU_ASSERT(!sig_of(r, 0)->integrity);
    CU_ASSERT_EQUAL(sig_of(r, 0)->modifications_after, ESEAL_MODS_FORBIDDEN);
    eseal_report_free(r);
    p[5] = '0';
    /* the signing time */
    p = strstr((char *)out.data, "<xades:SigningTime>2026");
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    p[22] = '5';
    r = verify(out.data, out.len);
    CU_ASSERT(!sig_of(r, 0)->integrity);
    eseal_report_free(r);
    p[22] = '6';
    /* the signature value */
    p = strstr((char *)out.data, "-sigvalue\">");
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    p[11] = p[11] == 'A' ? 'B' : 'A';
    r = verify(out.data, out.len);
    CU_ASSERT(!sig_of(r, 0)->integrity);
    eseal_report_free(r);
    eseal_bytes_free(&out);
}

/* ---- signatures made by xmlsec1 ------------------------------------------- */

static int have_xmlsec1(void)
{
    return system("xmlsec1 --version >/dev/null 2>&1") == 0;
}

static void write_file(const char *file, const char *text)
{
    FILE *f = fopen(file, "w");

    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fputs(text, f);
    fclose(f);
}

static const char tmpl[] =
    "<?xml version=\"1.0\"?>\n"
    "<comprobante id=\"comprobante\"><total>100.00</total>\n"
    "<ds:Signature xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\" "
    "Id=\"s1\"><ds:SignedInfo><ds:CanonicalizationMethod Algorithm="
    "\"http://www.w3.org/TR/2001/REC-xml-c14n-20010315\"/>"
    "<ds:SignatureMethod Algorithm=\"http://www.w3.org/2001/04/"
    "xmldsig-more#%s\"/><ds:Reference URI=\"#comprobante\"><ds:Transforms>"
    "<ds:Transform Algorithm=\"http://www.w3.org/2000/09/"
    "xmldsig#enveloped-signature\"/></ds:Transforms><ds:DigestMethod "
    "Algorithm=\"http://www.w3.org/2001/04/xmlenc#sha256\"/>"
    "<ds:DigestValue/></ds:Reference></ds:SignedInfo><ds:SignatureValue/>"
    "<ds:KeyInfo>%s</ds:KeyInfo></ds:Signature></comprobante>\n";

static char *xmlsec_sign(const char *alg, const char *keyinfo,
    const char *key, const char *cert, size_t *len)
{
    char doc[4096], cmd[2048], out[600];

    snprintf(doc, sizeof(doc), tmpl, alg, keyinfo);
    write_file(path("tmpl.xml"), doc);
    snprintf(out, sizeof(out), "%s", path("foreign.xml"));
    snprintf(cmd, sizeof(cmd), "xmlsec1 --sign --privkey-pem %s,%s "
        "--id-attr:id comprobante --output %s %s 2>%s", path(key),
        path(cert), out, path("tmpl.xml"), path("xmlsec.log"));
    if (system(cmd) != 0)
        return NULL;
    return unit_slurp(out, len);
}

static void test_xml__foreign_xmlsec(void)
{
    char *doc, *p;
    size_t len = 0;
    eseal_report *r;
    const eseal_signature_report *s;

    if (!have_xmlsec1()) {
        CU_FAIL("xmlsec1 not found: apt-get install xmlsec1");
        return;
    }
    /* a certificate in KeyInfo; the reference names a lowercase id */
    doc = xmlsec_sign("rsa-sha256", "<ds:X509Data/>", "eseal-rsa.key",
        "eseal-rsa.pem", &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
    CU_ASSERT_PTR_NOT_NULL(strstr(doc, "<ds:X509Certificate>"));
    r = verify((unsigned char *)doc, len);
    s = sig_of(r, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    if (!s->integrity)
        print_problems(s);
    CU_ASSERT(s->integrity);
    CU_ASSERT(s->covers_whole_document);
    CU_ASSERT_STRING_EQUAL(s->kind, "xmldsig");
    CU_ASSERT_EQUAL(s->level, -1);
    CU_ASSERT_PTR_NOT_NULL(s->signer.organization);
    eseal_report_free(r);
    p = strstr(doc, "100.00");
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    p[0] = '9';
    r = verify((unsigned char *)doc, len);
    CU_ASSERT(!sig_of(r, 0)->integrity);
    eseal_report_free(r);
    free(doc);
    /* ECDSA made by xmlsec1 */
    doc = xmlsec_sign("ecdsa-sha256", "<ds:X509Data/>", "eseal-ec.key",
        "eseal-ec.pem", &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
    r = verify((unsigned char *)doc, len);
    CU_ASSERT(sig_of(r, 0) && sig_of(r, 0)->integrity);
    eseal_report_free(r);
    free(doc);
    /* only a KeyValue: never trusted as the key */
    doc = xmlsec_sign("rsa-sha256", "<ds:KeyValue/>", "eseal-rsa.key",
        "eseal-rsa.pem", &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
    CU_ASSERT_PTR_NOT_NULL(strstr(doc, "RSAKeyValue"));
    r = verify((unsigned char *)doc, len);
    s = sig_of(r, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT(!s->integrity);
    CU_ASSERT(s->n_errors > 0);
    eseal_report_free(r);
    free(doc);
}

static void test_xml__foreign_samples(void)
{
    /* the committed samples are signed by eseal at test time by the
     * integration tests; here: a document with two elements carrying the
     * same ID must not verify (signature wrapping) */
    eseal_seal_opts o = ESEAL_SEAL_OPTS_INIT;
    eseal_bytes out = { 0 };
    eseal_error err = { 0 };
    eseal_report *r;
    eseal_buf b = { 0 };
    char *p, id[64];

    CU_ASSERT_EQUAL_FATAL(seal(&out, rsa, ubl, &o, &err), 0);
    p = strstr((char *)out.data, "<xades:SignedProperties Id=\"");
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    sscanf(p + 28, "%63[^\"]", id);
    /* add a decoy element with the same ID before </Invoice> */
    p = strstr((char *)out.data, "</Invoice>");
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    eseal__buf_append(&b, out.data, (size_t)(p - (char *)out.data));
    eseal__buf_printf(&b, "<x Id=\"%s\"/>", id);
    eseal__buf_puts(&b, p);
    r = verify((unsigned char *)b.data, b.len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT(!sig_of(r, 0)->integrity);
    CU_ASSERT(!eseal_report_valid(r));
    eseal_report_free(r);
    eseal__buf_free(&b);
    eseal_bytes_free(&out);
}

static void test_xml__refused_inputs(void)
{
    eseal_bytes out = { 0 };
    eseal_error err = { 0 };
    const char *dtd = "<?xml version=\"1.0\"?>\n<!DOCTYPE a SYSTEM \"a.dtd\">"
        "\n<a/>";
    const char *u16 = "\xFF\xFE<\0a\0/\0>\0";

    CU_ASSERT_EQUAL(seal(&out, rsa, dtd, NULL, &err), ESEAL_EREFUSED);
    CU_ASSERT_EQUAL(eseal_seal_buffer(&out, rsa, (const unsigned char *)u16,
        10, &(eseal_seal_opts)ESEAL_SEAL_OPTS_INIT, &err),
        ESEAL_EREFUSED);
    CU_ASSERT_EQUAL(seal(&out, rsa, "<a><b></a>", NULL, &err),
        ESEAL_EFORMAT);
    CU_ASSERT_PTR_NULL(out.data);
}

int main(void)
{
    static const unit_case cases[] = {
        UNIT_CASE(test_xml__detect),
        UNIT_CASE(test_xml__sniff_encoding),
        UNIT_CASE(test_xml__scan_positions),
        UNIT_CASE(test_xml__parse_refuses),
        UNIT_CASE(test_xml__datetime_and_ecdsa),
        UNIT_CASE(test_xml__properties),
        UNIT_CASE(test_xml__placement_ubl),
        UNIT_CASE(test_xml__placement_enveloped),
        UNIT_CASE(test_xml__empty_root),
        UNIT_CASE(test_xml__placement_warnings),
        UNIT_CASE(test_xml__several_seals),
        UNIT_CASE(test_xml__tamper),
        UNIT_CASE(test_xml__foreign_xmlsec),
        UNIT_CASE(test_xml__foreign_samples),
        UNIT_CASE(test_xml__refused_inputs),
        UNIT_END
    };
    int rc;

    if (suite_init() != 0) {
        fprintf(stderr, "cannot set up the XML tests\n");
        return 1;
    }
    rc = unit_run("xml", cases);
    eseal_sealer_free(rsa);
    eseal_sealer_free(ec);
    eseal_sealer_free(pss);
    if (rc == 0) {
        char cmd[600];

        dir[strlen(dir) - 4] = '\0';   /* the temporary directory */
        snprintf(cmd, sizeof(cmd), "rm -rf '%.500s'", dir);
        if (system(cmd) != 0)
            rc = 1;
    }
    eseal_shutdown();
    return rc;
}
