/*
 * Unit tests: PKCS#11 URIs, and keys on a SoftHSM2 token the fixture makes
 * (RSA, ECDSA and a key that needs a login per signature, none of them
 * extractable): sealing, threads sharing one sealer, fork.
 *
 * Needs softhsm2 and opensc (softhsm2-util, pkcs11-tool); without them the
 * token tests fail with the apt-get line.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include "unit.h"
#include "core/core_int.h"
#include "core/pkcs11.h"

#define PIN "4321"
#define SO_PIN "87654321"
#define TOKEN "eseal-unit"

static char dir[] = "/tmp/eseal-test-p11-XXXXXX";
static const char *module;
static int fixture_state; /* 0 not tried, 1 ready, -1 failed */
static char fixture_error[512];
static unsigned char *pdf;
static size_t pdf_len;

/* ---- URIs -------------------------------------------------------------- */

static void test_pkcs11__uri_attributes(void)
{
    eseal_p11_uri u;
    eseal_error err = { 0, "" };
    char d[200];

    CU_ASSERT_EQUAL_FATAL(eseal__p11_uri_parse(&u,
        "pkcs11:token=My%20Token;object=seal;id=%01%02%ff;slot-id=7;"
        "manufacturer=ACME;serial=42;type=private"
        "?module-path=/usr/lib/x.so&pin-source=file:/etc/pin", &err), 0);
    CU_ASSERT_STRING_EQUAL(u.token, "My Token");
    CU_ASSERT_STRING_EQUAL(u.object, "seal");
    CU_ASSERT_TRUE(u.has_id);
    CU_ASSERT_EQUAL(u.id_len, 3);
    CU_ASSERT_EQUAL(memcmp(u.id, "\x01\x02\xff", 3), 0);
    CU_ASSERT_TRUE(u.has_slot_id);
    CU_ASSERT_EQUAL(u.slot_id, 7);
    CU_ASSERT_STRING_EQUAL(u.manufacturer, "ACME");
    CU_ASSERT_STRING_EQUAL(u.serial, "42");
    CU_ASSERT_STRING_EQUAL(u.type, "private");
    CU_ASSERT_STRING_EQUAL(u.module_path, "/usr/lib/x.so");
    CU_ASSERT_STRING_EQUAL(u.pin_source, "file:/etc/pin");
    eseal__p11_uri_describe(d, sizeof(d), &u);
    CU_ASSERT_STRING_EQUAL(d, "token \"My Token\", object \"seal\", "
        "id 0102ff");
    eseal__p11_uri_clear(&u);
    CU_ASSERT_PTR_NULL(u.token);

    /* empty items, vendor attributes, an empty path */
    CU_ASSERT_EQUAL(eseal__p11_uri_parse(&u, "pkcs11:;token=a;;x-vendor=1;",
        &err), 0);
    CU_ASSERT_STRING_EQUAL(u.token, "a");
    eseal__p11_uri_clear(&u);
    CU_ASSERT_EQUAL(eseal__p11_uri_parse(&u, "pkcs11:", &err), 0);
    eseal__p11_uri_describe(d, sizeof(d), &u);
    CU_ASSERT_STRING_EQUAL(d, "any token");
    eseal__p11_uri_clear(&u);
    CU_ASSERT_TRUE(eseal__p11_is_uri("pkcs11:token=a"));
    CU_ASSERT_FALSE(eseal__p11_is_uri("/etc/key.pem"));
    CU_ASSERT_FALSE(eseal__p11_is_uri(NULL));
}

static void expect_refused(const char *uri, int code, const char *text)
{
    eseal_p11_uri u;
    eseal_error err = { 0, "" };

    CU_ASSERT_EQUAL(eseal__p11_uri_parse(&u, uri, &err), code);
    CU_ASSERT_EQUAL(err.code, code);
    if (strstr(err.message, text) == NULL) {
        fprintf(stderr, "\n  %s: message '%s' lacks '%s'\n", uri,
            err.message, text);
        CU_FAIL("message");
    }
    /* no part of a refused URI's values is repeated in the message */
    CU_ASSERT_PTR_NULL(strstr(err.message, "s3cret"));
    CU_ASSERT_PTR_NULL(u.token);
}

static void test_pkcs11__uri_refusals(void)
{
    char *big = malloc(ESEAL_P11_MAX_URI + 20);

    expect_refused("pkcs11:token=a;pin-value=s3cret", ESEAL_ECONFIG,
        "pin-value");
    expect_refused("pkcs11:token=a?pin-value=s3cret", ESEAL_ECONFIG,
        "pin-value");
    expect_refused("pkcs11:pin-value=s3cret;token=a", ESEAL_ECONFIG,
        "pin-value");
    expect_refused("pkcs11:token=a;objekt=b", ESEAL_ECONFIG,
        "unknown attribute 'objekt'");
    expect_refused("pkcs11:token=a;token=b", ESEAL_ECONFIG, "given twice");
    expect_refused("pkcs11:id=%01;id=%02", ESEAL_ECONFIG, "given twice");
    expect_refused("pkcs11:token=a%2", ESEAL_ECONFIG, "hexadecimal");
    expect_refused("pkcs11:token=a%zz", ESEAL_ECONFIG, "hexadecimal");
    expect_refused("pkcs11:token=a%00b", ESEAL_ECONFIG, "NUL");
    expect_refused("pkcs11:token", ESEAL_ECONFIG, "name=value");
    expect_refused("pkcs11:type=cert", ESEAL_ECONFIG, "private key");
    expect_refused("pkcs11:module-path=/x.so", ESEAL_ECONFIG,
        "query attribute in the path");
    expect_refused("pkcs11:?token=a", ESEAL_ECONFIG,
        "path attribute in the query");
    expect_refused("pkcs11:slot-id=12a", ESEAL_ECONFIG, "decimal");
    expect_refused("pkcs11:slot-id=-1", ESEAL_ECONFIG, "decimal");
    expect_refused("pkcs11:?module-path=/a&module-name=b", ESEAL_ECONFIG,
        "not both");
    expect_refused("file.pem", ESEAL_EINVAL, "not a pkcs11");
    if (big != NULL) {
        memcpy(big, "pkcs11:token=", 13);
        memset(big + 13, 'a', ESEAL_P11_MAX_URI);
        big[13 + ESEAL_P11_MAX_URI] = '\0';
        expect_refused(big, ESEAL_ECONFIG, "longer than");
        /* a long value in a URI of allowed length */
        big[ESEAL_P11_MAX_URI - 10] = '\0';
        expect_refused(big, ESEAL_ECONFIG, "longer than 1024 bytes");
    }
    free(big);
}

/* ---- the token ------------------------------------------------------------ */

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int sh(const char *fmt, ...)
{
    char cmd[2048];
    va_list ap;
    int rc;

    va_start(ap, fmt);
    vsnprintf(cmd, sizeof(cmd), fmt, ap);
    va_end(ap);
    rc = system(cmd);
    if (rc != 0)
        snprintf(fixture_error, sizeof(fixture_error), "fixture command "
            "failed (%d): %.400s", rc, cmd);
    return rc;
}

/* A certificate for the token's public key, issued by a CA made here. */
static int make_cert(const char *id, const char *name, EVP_PKEY *ca_key,
    X509 *ca)
{
    char path[512];
    EVP_PKEY *pub = NULL;
    X509 *x = X509_new();
    X509V3_CTX v3;
    X509_EXTENSION *ext;
    FILE *f;
    int ok = 0;

    snprintf(path, sizeof(path), "%s/pub%s.der", dir, id);
    if ((f = fopen(path, "rb")) != NULL) {
        pub = d2i_PUBKEY_fp(f, NULL);
        fclose(f);
    }
    if (pub == NULL || x == NULL)
        goto done;
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), atol(id) + 100);
    X509_gmtime_adj(X509_getm_notBefore(x), -3600);
    X509_gmtime_adj(X509_getm_notAfter(x), 86400L * 30);
    X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "O", MBSTRING_ASC,
        (const unsigned char *)"Unit Token K.K.", -1, -1, 0);
    X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
        (const unsigned char *)name, -1, -1, 0);
    X509_set_issuer_name(x, X509_get_subject_name(ca));
    X509_set_pubkey(x, pub);
    X509V3_set_ctx(&v3, ca, x, NULL, NULL, 0);
    ext = X509V3_EXT_conf_nid(NULL, &v3, NID_key_usage,
        "critical,digitalSignature,nonRepudiation");
    if (ext == NULL || !X509_add_ext(x, ext, -1))
        goto done;
    X509_EXTENSION_free(ext);
    if (X509_sign(x, ca_key, EVP_sha256()) <= 0)
        goto done;
    snprintf(path, sizeof(path), "%s/cert%s.pem", dir, id);
    if ((f = fopen(path, "w")) == NULL)
        goto done;
    ok = PEM_write_X509(f, x) == 1;
    fclose(f);
    snprintf(path, sizeof(path), "%s/cert%s.der", dir, id);
    if (ok && (f = fopen(path, "wb")) != NULL) {
        ok = i2d_X509_fp(f, x) == 1;
        fclose(f);
    }
done:
    EVP_PKEY_free(pub);
    X509_free(x);
    return ok ? 0 : -1;
}

static int make_ca(EVP_PKEY **key, X509 **ca)
{
    X509V3_CTX v3;
    FILE *f;
    char path[512];
    int i;

    *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    *ca = X509_new();
    if (*key == NULL || *ca == NULL)
        return -1;
    X509_set_version(*ca, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(*ca), 1);
    X509_gmtime_adj(X509_getm_notBefore(*ca), -3600);
    X509_gmtime_adj(X509_getm_notAfter(*ca), 86400L * 30);
    X509_NAME_add_entry_by_txt(X509_get_subject_name(*ca), "CN",
        MBSTRING_ASC, (const unsigned char *)"Unit CA", -1, -1, 0);
    X509_set_issuer_name(*ca, X509_get_subject_name(*ca));
    X509_set_pubkey(*ca, *key);
    X509V3_set_ctx(&v3, *ca, *ca, NULL, NULL, 0);
    for (i = 0; i < 2; i++) {
        X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &v3,
            i ? NID_key_usage : NID_basic_constraints,
            i ? "critical,keyCertSign,cRLSign" : "critical,CA:TRUE");

        if (ext == NULL || !X509_add_ext(*ca, ext, -1))
            return -1;
        X509_EXTENSION_free(ext);
    }
    if (X509_sign(*ca, *key, EVP_sha256()) <= 0)
        return -1;
    snprintf(path, sizeof(path), "%s/ca.pem", dir);
    if ((f = fopen(path, "w")) == NULL)
        return -1;
    PEM_write_X509(f, *ca);
    fclose(f);
    return 0;
}

static int load_sample(const char *root)
{
    char path[600];
    FILE *f;

    snprintf(path, sizeof(path), "%s/samples/pdf/classic.pdf",
        root ? root : "../..");
    if ((f = fopen(path, "rb")) == NULL)
        return -1;
    fseek(f, 0, SEEK_END);
    pdf_len = (size_t)ftell(f);
    rewind(f);
    pdf = malloc(pdf_len);
    if (pdf == NULL || fread(pdf, 1, pdf_len, f) != pdf_len) {
        fclose(f);
        return -1;
    }
    fclose(f);
    return 0;
}

static int fixture_setup(void)
{
    static const char *const modules[] = {
        "/usr/lib/softhsm/libsofthsm2.so",
        "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so", NULL
    };
    const char *root = getenv("ESEAL_SOURCE_ROOT");
    char path[600];
    EVP_PKEY *ca_key = NULL;
    X509 *ca = NULL;
    FILE *f;
    int i, rc = -1;

    for (i = 0; modules[i] != NULL && module == NULL; i++)
        if (access(modules[i], R_OK) == 0)
            module = modules[i];
    if (module == NULL || system("command -v softhsm2-util >/dev/null && "
                                 "command -v pkcs11-tool >/dev/null") != 0) {
        snprintf(fixture_error, sizeof(fixture_error), "SoftHSM2 or OpenSC "
            "missing: apt-get install softhsm2 opensc");
        return -1;
    }
    if (mkdtemp(dir) == NULL)
        return -1;
    snprintf(path, sizeof(path), "%s/softhsm2.conf", dir);
    if ((f = fopen(path, "w")) == NULL)
        return -1;
    fprintf(f, "directories.tokendir = %s/tokens\nobjectstore.backend = "
        "file\nlog.level = ERROR\n", dir);
    fclose(f);
    setenv("SOFTHSM2_CONF", path, 1);
    snprintf(path, sizeof(path), "%s/tokens", dir);
    mkdir(path, 0700);
#define P11TOOL "pkcs11-tool --module %s --login --pin " PIN " "
    if (sh("softhsm2-util --init-token --free --label " TOKEN " --pin " PIN
           " --so-pin " SO_PIN " >/dev/null") != 0 ||
        sh(P11TOOL "--keypairgen --key-type rsa:2048 --id 01 --label rsa "
           "--usage-sign >/dev/null 2>&1", module) != 0 ||
        sh(P11TOOL "--keypairgen --key-type EC:prime256v1 --id 02 --label "
           "ec --usage-sign >/dev/null 2>&1", module) != 0 ||
        sh(P11TOOL "--keypairgen --key-type rsa:2048 --id 03 --label aa "
           "--usage-sign --always-auth >/dev/null 2>&1", module) != 0)
        goto done;
    for (i = 1; i <= 3; i++)
        if (sh("pkcs11-tool --module %s --read-object --type pubkey --id "
               "0%d -o %s/pub0%d.der >/dev/null 2>&1", module, i, dir, i) !=
            0)
            goto done;
    if (make_ca(&ca_key, &ca) < 0 ||
        make_cert("01", "unit rsa", ca_key, ca) < 0 ||
        make_cert("02", "unit ec", ca_key, ca) < 0 ||
        make_cert("03", "unit always-auth", ca_key, ca) < 0)
        goto done;
    /* only the RSA key's certificate goes on the token */
    if (sh(P11TOOL "--write-object %s/cert01.der --type cert --id 01 "
           "--label rsa >/dev/null 2>&1", module, dir) != 0)
        goto done;
    snprintf(path, sizeof(path), "%s/pin", dir);
    if ((f = fopen(path, "w")) == NULL)
        goto done;
    fputs(PIN "\n", f);
    fclose(f);
    chmod(path, 0600);
    snprintf(path, sizeof(path), "%s/badpin", dir);
    if ((f = fopen(path, "w")) == NULL)
        goto done;
    fputs("0000\n", f);
    fclose(f);
    chmod(path, 0600);
    if (load_sample(root) < 0)
        goto done;
    rc = 0;
done:
    EVP_PKEY_free(ca_key);
    X509_free(ca);
    return rc;
}

static int fixture(void)
{
    if (fixture_state == 0)
        fixture_state = fixture_setup() == 0 ? 1 : -1;
    if (fixture_state < 0) {
        fprintf(stderr, "\n  %s\n", fixture_error[0] ? fixture_error
                                                     : "fixture failed");
        CU_FAIL("the SoftHSM2 fixture could not be set up");
    }
    return fixture_state > 0;
}

/* Opens a sealer on key LABEL (cert: the file certID.pem, or NULL). */
static int open_token(eseal_sealer **out, const char *label, const char *id,
    const char *pin_file, eseal_error *err)
{
    eseal_sealer_opts o = ESEAL_SEALER_OPTS_INIT;
    char uri[600], cert[600], pass[600];

    snprintf(uri, sizeof(uri), "pkcs11:token=" TOKEN ";object=%s"
        "?module-path=%s", label, module);
    snprintf(pass, sizeof(pass), "%s/%s", dir, pin_file);
    o.key = uri;
    if (id != NULL) {
        snprintf(cert, sizeof(cert), "%s/cert%s.pem", dir, id);
        o.cert = cert;
    }
    o.pass_file = pin_file ? pass : NULL;
    o.allow_unfit = 1;
    return eseal_sealer_open(out, &o, err);
}

/* Seals the sample and checks that the seal verifies against the CA. */
static int seal_and_check(eseal_sealer *s)
{
    eseal_seal_opts so = ESEAL_SEAL_OPTS_INIT;
    eseal_verify_opts vo = ESEAL_VERIFY_OPTS_INIT;
    eseal_bytes out = { NULL, 0 };
    eseal_report *rep = NULL;
    eseal_error err = { 0, "" };
    char ca[600];
    int ok;

    snprintf(ca, sizeof(ca), "%s/ca.pem", dir);
    vo.trust_file = ca;
    vo.offline = 1;
    if (eseal_seal_buffer(&out, s, pdf, pdf_len, &so, &err) < 0) {
        fprintf(stderr, "\n  seal: %s\n", err.message);
        return 0;
    }
    ok = eseal_verify_buffer(&rep, out.data, out.len, "token.pdf", &vo,
             &err) == 0 && eseal_report_signature_count(rep) == 1 &&
         eseal_report_signature(rep, 0)->integrity &&
         eseal_report_valid(rep);
    if (!ok) {
        char *json = rep ? eseal_report_json(rep) : NULL;

        fprintf(stderr, "\n  verify: %s\n%s\n", err.message[0] ?
            err.message : "the seal does not verify", json ? json : "");
        eseal_free(json);
    }
    eseal_report_free(rep);
    eseal_bytes_free(&out);
    return ok;
}

static void test_pkcs11__rsa_and_ecdsa_keys_seal(void)
{
    eseal_sealer *s = NULL;
    eseal_error err = { 0, "" };

    if (!fixture())
        return;
    CU_ASSERT_EQUAL_FATAL(open_token(&s, "rsa", "01", "pin", &err), 0);
    CU_ASSERT_PTR_NOT_NULL(eseal__p11_of_key(s->key));
    CU_ASSERT_TRUE(seal_and_check(s));
    CU_ASSERT_TRUE(seal_and_check(s));
    eseal_sealer_free(s);
    s = NULL;
    CU_ASSERT_EQUAL_FATAL(open_token(&s, "ec", "02", "pin", &err), 0);
    CU_ASSERT_EQUAL(EVP_PKEY_get_base_id(s->key), EVP_PKEY_EC);
    CU_ASSERT_TRUE(seal_and_check(s));
    eseal_sealer_free(s);
}

static void test_pkcs11__certificate_from_the_token(void)
{
    eseal_sealer *s = NULL;
    eseal_error err = { 0, "" };

    if (!fixture())
        return;
    CU_ASSERT_EQUAL_FATAL(open_token(&s, "rsa", NULL, "pin", &err), 0);
    CU_ASSERT_PTR_NOT_NULL(s->cert);
    CU_ASSERT_TRUE(seal_and_check(s));
    eseal_sealer_free(s);
    /* the EC key has no certificate on the token */
    s = NULL;
    CU_ASSERT_EQUAL(open_token(&s, "ec", NULL, "pin", &err), ESEAL_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "the token holds none"));
    CU_ASSERT_PTR_NULL(s);
}

static void test_pkcs11__login_per_signature_key(void)
{
    eseal_sealer *s = NULL;
    eseal_error err = { 0, "" };
    int i;

    if (!fixture())
        return;
    CU_ASSERT_EQUAL_FATAL(open_token(&s, "aa", "03", "pin", &err), 0);
    for (i = 0; i < 3; i++)
        CU_ASSERT_TRUE(seal_and_check(s));
    eseal_sealer_free(s);
}

static void test_pkcs11__pin_errors(void)
{
    eseal_sealer *s = NULL;
    eseal_error err = { 0, "" };
    eseal_sealer_opts o = ESEAL_SEALER_OPTS_INIT;

    if (!fixture())
        return;
    CU_ASSERT_EQUAL(open_token(&s, "rsa", "01", "badpin", &err),
        ESEAL_EPASS);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "wrong PIN"));
    CU_ASSERT_PTR_NULL(strstr(err.message, "0000"));
    CU_ASSERT_EQUAL(open_token(&s, "rsa", "01", NULL, &err), ESEAL_EPASS);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "needs a PIN"));
    o.key = "pkcs11:token=" TOKEN ";object=rsa;pin-value=" PIN;
    CU_ASSERT_EQUAL(eseal_sealer_open(&s, &o, &err), ESEAL_ECONFIG);
    CU_ASSERT_PTR_NULL(strstr(err.message, PIN));
    CU_ASSERT_PTR_NULL(s);
}

static void test_pkcs11__lookup_errors(void)
{
    eseal_sealer *s = NULL;
    eseal_error err = { 0, "" };

    if (!fixture())
        return;
    CU_ASSERT_EQUAL(open_token(&s, "nope", "01", "pin", &err), ESEAL_EKEY);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "no such private key"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "\"rsa\""));
    /* the RSA key with the EC key's certificate */
    CU_ASSERT_EQUAL(open_token(&s, "rsa", "02", "pin", &err), ESEAL_EKEY);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "does not match"));
    CU_ASSERT_PTR_NULL(s);
}

typedef struct thread_arg {
    eseal_sealer *sealer;
    int ok;
} thread_arg;

static void *sealing_thread(void *p)
{
    thread_arg *a = p;
    int i;

    a->ok = 1;
    for (i = 0; i < 6; i++)
        a->ok &= seal_and_check(a->sealer);
    return NULL;
}

static int seal_in_threads(eseal_sealer *s, int n)
{
    pthread_t t[8];
    thread_arg a[8];
    int i, ok = 1;

    for (i = 0; i < n; i++) {
        a[i].sealer = s;
        a[i].ok = 0;
        if (pthread_create(&t[i], NULL, sealing_thread, &a[i]) != 0)
            return 0;
    }
    for (i = 0; i < n; i++) {
        pthread_join(t[i], NULL);
        ok &= a[i].ok;
    }
    return ok;
}

static void test_pkcs11__threads_share_one_sealer(void)
{
    eseal_sealer *s = NULL;
    eseal_error err = { 0, "" };

    if (!fixture())
        return;
    CU_ASSERT_EQUAL_FATAL(open_token(&s, "rsa", "01", "pin", &err), 0);
    CU_ASSERT_TRUE(seal_in_threads(s, 6));
    eseal_sealer_free(s);
    s = NULL;
    CU_ASSERT_EQUAL_FATAL(open_token(&s, "ec", "02", "pin", &err), 0);
    CU_ASSERT_TRUE(seal_in_threads(s, 4));
    eseal_sealer_free(s);
}

/* In a child: 0 when the sealer works there (with threads). */
static int child_seals(eseal_sealer *s, int call_after_fork)
{
    eseal_error err = { 0, "" };

    if (call_after_fork && eseal_sealer_after_fork(s, &err) < 0) {
        fprintf(stderr, "\n  after fork: %s\n", err.message);
        return 1;
    }
    if (call_after_fork && eseal_sealer_after_fork(s, &err) < 0)
        return 2; /* idempotent */
    return seal_in_threads(s, 3) ? 0 : 3;
}

static void test_pkcs11__fork(void)
{
    eseal_sealer *s = NULL;
    eseal_error err = { 0, "" };
    pid_t pid[3];
    int i, status;

    if (!fixture())
        return;
    CU_ASSERT_EQUAL_FATAL(open_token(&s, "rsa", "01", "pin", &err), 0);
    CU_ASSERT_TRUE(seal_and_check(s));
    /* the parent's process needs nothing */
    CU_ASSERT_EQUAL(eseal_sealer_after_fork(s, &err), 0);
    for (i = 0; i < 3; i++) {
        fflush(NULL);
        pid[i] = fork();
        if (pid[i] == 0)
            _exit(child_seals(s, i != 2)); /* the last one forgets */
    }
    for (i = 0; i < 3; i++) {
        CU_ASSERT_EQUAL(waitpid(pid[i], &status, 0), pid[i]);
        CU_ASSERT_TRUE(WIFEXITED(status));
        if (WEXITSTATUS(status) != 0)
            fprintf(stderr, "\n  child %d exited with %d\n", i,
                WEXITSTATUS(status));
        CU_ASSERT_EQUAL(WEXITSTATUS(status), 0);
    }
    /* the parent still seals */
    CU_ASSERT_TRUE(seal_and_check(s));
    eseal_sealer_free(s);
}

/*
 * With OpenSC's pkcs11-spy between eseal and SoftHSM2: one C_Login in the
 * parent and one in each child after fork, one C_Sign per document.  The
 * scenario runs in a fresh execution of this program (main's --spy-fork):
 * the spy never frees what it allocates, and a memory checker following
 * this test is not made to look at it.
 */
static int spy_scenario(const char *spy)
{
    eseal_sealer_opts o = ESEAL_SEALER_OPTS_INIT;
    eseal_sealer *s = NULL;
    eseal_error err = { 0, "" };
    char uri[600], cert[600], pass[600];
    pid_t pid[2];
    int i, k, status, ok;

    snprintf(uri, sizeof(uri), "pkcs11:token=" TOKEN ";object=rsa"
        "?module-path=%s", spy);
    snprintf(cert, sizeof(cert), "%s/cert01.pem", dir);
    snprintf(pass, sizeof(pass), "%s/pin", dir);
    o.key = uri;
    o.cert = cert;
    o.pass_file = pass;
    o.allow_unfit = 1;
    if (eseal_sealer_open(&s, &o, &err) < 0) {
        fprintf(stderr, "spy scenario: %s\n", err.message);
        return 1;
    }
    ok = seal_and_check(s);
    for (i = 0; i < 2; i++) {
        fflush(NULL);
        pid[i] = fork();
        if (pid[i] == 0) {
            int child_ok = eseal_sealer_after_fork(s, &err) == 0;

            for (k = 0; k < 3; k++)
                child_ok &= seal_and_check(s);
            fflush(NULL);
            _exit(child_ok ? 0 : 1);
        }
    }
    for (i = 0; i < 2; i++)
        ok &= waitpid(pid[i], &status, 0) == pid[i] && WIFEXITED(status) &&
              WEXITSTATUS(status) == 0;
    ok &= seal_and_check(s);
    eseal_sealer_free(s);
    return ok ? 0 : 1;
}

/* Lines of the spy's log that name the call (e.g. "C_Login"). */
static int spy_count(const char *log, const char *call)
{
    FILE *f = fopen(log, "r");
    char line[512];
    size_t len = strlen(call);
    int n = 0;

    if (f == NULL)
        return -1;
    while (fgets(line, sizeof(line), f) != NULL) {
        char *colon = strstr(line, ": ");

        if (colon != NULL && line[0] >= '0' && line[0] <= '9' &&
            strncmp(colon + 2, call, len) == 0 &&
            (colon[2 + len] == '\n' || colon[2 + len] == '\0'))
            n++;
    }
    fclose(f);
    return n;
}

static void test_pkcs11__fork_logs_in_once_per_process(void)
{
    static const char *const spies[] = {
        "/usr/lib/x86_64-linux-gnu/pkcs11/pkcs11-spy.so",
        "/usr/lib/x86_64-linux-gnu/pkcs11-spy.so", NULL
    };
    char log[600], self[600];
    const char *spy = NULL;
    ssize_t n;
    pid_t pid;
    int i, status;

    if (!fixture())
        return;
    for (i = 0; spies[i] != NULL && spy == NULL; i++)
        if (access(spies[i], R_OK) == 0)
            spy = spies[i];
    if (spy == NULL) {
        fprintf(stderr, "\n  pkcs11-spy missing: apt-get install "
            "opensc-pkcs11\n");
        CU_FAIL("pkcs11-spy missing");
        return;
    }
    n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    CU_ASSERT_FATAL(n > 0);
    self[n] = '\0';
    snprintf(log, sizeof(log), "%s/spy.log", dir);
    fflush(NULL);
    pid = fork();
    if (pid == 0) {
        setenv("PKCS11SPY", module, 1);
        setenv("PKCS11SPY_OUTPUT", log, 1);
        setenv("ASAN_OPTIONS", "detect_leaks=0", 1);
        execl(self, self, "--spy-fork", dir, module, spy, (char *)NULL);
        _exit(127);
    }
    CU_ASSERT_EQUAL_FATAL(waitpid(pid, &status, 0), pid);
    CU_ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    /* the parent: 1 login, 2 seals; each child: 1 login, 3 seals */
    CU_ASSERT_EQUAL(spy_count(log, "C_Login"), 3);
    CU_ASSERT_EQUAL(spy_count(log, "C_Sign"), 8);
    /* each process initializes the module (a child twice: eseal with OS
     * locking, then libp11's own re-init, which finds it done) */
    CU_ASSERT_TRUE(spy_count(log, "C_Initialize") >= 3);
    if (spy_count(log, "C_Login") != 3 || spy_count(log, "C_Sign") != 8)
        fprintf(stderr, "\n  spy: %d C_Login, %d C_Sign\n",
            spy_count(log, "C_Login"), spy_count(log, "C_Sign"));
}

/* Waits for the children; 1 when each exited with 0.  A child that hung
 * is killed by its alarm and counted. */
static int wait_children(const pid_t *pid, int n)
{
    int i, status, ok = 1, hung = 0;

    for (i = 0; i < n; i++) {
        if (waitpid(pid[i], &status, 0) != pid[i])
            return 0;
        if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM)
            hung++;
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
            ok = 0;
    }
    if (!ok)
        fprintf(stderr, "\n  children: %d hung, %d failed\n", hung,
            n - hung);
    return ok;
}

/* A child that seals a few documents; an alarm turns a hang into a
 * failure well before the suite's timeout. */
static void child_after_fork(eseal_sealer *s, int docs)
{
    eseal_error err = { 0, "" };
    int k, ok;

    alarm(20);
    if (eseal_sealer_after_fork(s, &err) < 0) {
        fprintf(stderr, "\n  child %d: %s\n", (int)getpid(), err.message);
        _exit(1);
    }
    for (ok = 1, k = 0; k < docs; k++)
        ok &= seal_and_check(s);
    fflush(NULL);
    _exit(ok ? 0 : 1);
}

/*
 * A server that opens its renewed key before it frees the old one (an
 * nginx reload): freeing the old sealer must not finalize the module, nor
 * close the sessions, under the new one, in this process or in the
 * children forked afterwards (which log in at the same time).
 */
static void test_pkcs11__second_sealer_outlives_the_first(void)
{
    eseal_sealer *old = NULL, *renewed = NULL;
    eseal_error err = { 0, "" };
    pid_t pid[4];
    int i;

    if (!fixture())
        return;
    CU_ASSERT_EQUAL_FATAL(open_token(&old, "rsa", "01", "pin", &err), 0);
    CU_ASSERT_TRUE(seal_and_check(old));
    CU_ASSERT_EQUAL_FATAL(open_token(&renewed, "ec", "02", "pin", &err), 0);
    eseal_sealer_free(old);
    CU_ASSERT_TRUE(seal_and_check(renewed));
    CU_ASSERT_TRUE(seal_in_threads(renewed, 2));
    for (i = 0; i < 4; i++) {
        fflush(NULL);
        if ((pid[i] = fork()) == 0)
            child_after_fork(renewed, 1);
    }
    CU_ASSERT_TRUE(wait_children(pid, 4));
    CU_ASSERT_TRUE(seal_and_check(renewed));
    /* and the other way round: the newer one freed first */
    CU_ASSERT_EQUAL_FATAL(open_token(&old, "rsa", "01", "pin", &err), 0);
    eseal_sealer_free(old);
    CU_ASSERT_TRUE(seal_and_check(renewed));
    eseal_sealer_free(renewed);
    /* the module can be loaded again after its last user left */
    CU_ASSERT_EQUAL_FATAL(open_token(&old, "rsa", "01", "pin", &err), 0);
    CU_ASSERT_TRUE(seal_and_check(old));
    eseal_sealer_free(old);
}

/*
 * Children whose module reads its token store afresh (SoftHSM2 with
 * library.reset_on_fork) log in all at once.  Each C_Login rewrites
 * SoftHSM2's token.object, truncated before it is locked, so a child
 * initializing at that moment may not see the token; libp11 would then
 * wait forever for a session.  In 3 rounds, every child must seal (its
 * alarm turns a hang into a failure).  Runs in a fresh execution of this
 * program (main's --fork-storm) with that SoftHSM2 configuration.
 */
static int fork_storm_scenario(void)
{
    eseal_sealer *s = NULL, *ec = NULL;
    eseal_error err = { 0, "" };
    pid_t pid[8];
    int i, round, ok = 1;

    if (open_token(&s, "rsa", "01", "pin", &err) < 0 ||
        open_token(&ec, "ec", "02", "pin", &err) < 0) {
        fprintf(stderr, "fork storm: %s\n", err.message);
        eseal_sealer_free(s);
        return 1;
    }
    for (round = 0; round < 3 && ok; round++) {
        for (i = 0; i < 8; i++) {
            fflush(NULL);
            if ((pid[i] = fork()) != 0)
                continue;
            /* every other child has a second sealer on the module, made
             * ready first: the first one's retries must not end it */
            alarm(20);
            if (i % 2 == 1 && (eseal_sealer_after_fork(ec, &err) < 0 ||
                               !seal_and_check(ec))) {
                fprintf(stderr, "\n  child %d: %s\n", (int)getpid(),
                    err.message);
                _exit(1);
            }
            if (i % 2 == 1 && eseal_sealer_after_fork(s, &err) == 0 &&
                !seal_and_check(ec))
                _exit(1);
            child_after_fork(s, 1);
        }
        ok &= wait_children(pid, 8);
    }
    ok &= seal_and_check(s) && seal_and_check(ec);
    eseal_sealer_free(ec);
    eseal_sealer_free(s);
    return ok ? 0 : 1;
}

static void test_pkcs11__children_log_in_at_once(void)
{
    char conf[600], self[600];
    ssize_t n;
    pid_t pid;
    FILE *f;
    int status;

    if (!fixture())
        return;
    snprintf(conf, sizeof(conf), "%s/softhsm2-reset.conf", dir);
    f = fopen(conf, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fprintf(f, "directories.tokendir = %s/tokens\nobjectstore.backend = "
        "file\nlog.level = ERROR\nlibrary.reset_on_fork = true\n", dir);
    fclose(f);
    n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    CU_ASSERT_FATAL(n > 0);
    self[n] = '\0';
    fflush(NULL);
    pid = fork();
    if (pid == 0) {
        setenv("SOFTHSM2_CONF", conf, 1);
        execl(self, self, "--fork-storm", dir, module, (char *)NULL);
        _exit(127);
    }
    CU_ASSERT_EQUAL_FATAL(waitpid(pid, &status, 0), pid);
    CU_ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* A worker may have been made dumpable again (nginx does so for its
 * workers): after_fork disables core dumps in the child again. */
static void test_pkcs11__after_fork_disables_core_dumps(void)
{
    eseal_sealer *s = NULL;
    eseal_error err = { 0, "" };
    struct rlimit rl;
    pid_t pid;
    int status;

    if (!fixture())
        return;
    CU_ASSERT_EQUAL_FATAL(open_token(&s, "rsa", "01", "pin", &err), 0);
    CU_ASSERT_EQUAL(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 0);
    CU_ASSERT_EQUAL(getrlimit(RLIMIT_CORE, &rl), 0);
    CU_ASSERT_EQUAL(rl.rlim_cur, 0);
    fflush(NULL);
    pid = fork();
    if (pid == 0) {
        int ok = 1;

        alarm(20);
        /* what a server does in its worker */
        (void)prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
        if (getrlimit(RLIMIT_CORE, &rl) == 0 && rl.rlim_max != 0) {
            rl.rlim_cur = rl.rlim_max < 1048576 ? rl.rlim_max : 1048576;
            (void)setrlimit(RLIMIT_CORE, &rl);
        }
        ok &= eseal_sealer_after_fork(s, &err) == 0;
        ok &= prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) == 0;
        ok &= getrlimit(RLIMIT_CORE, &rl) == 0 && rl.rlim_cur == 0;
        /* also when the child had already called it */
        (void)prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
        ok &= eseal_sealer_after_fork(s, &err) == 0;
        ok &= prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) == 0;
        _exit(ok ? 0 : 1);
    }
    CU_ASSERT_EQUAL_FATAL(waitpid(pid, &status, 0), pid);
    CU_ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    eseal_sealer_free(s);
}

static void test_pkcs11__rsa_pss_on_the_token(void)
{
    eseal_sealer_opts o = ESEAL_SEALER_OPTS_INIT;
    eseal_sealer *s = NULL;
    eseal_error err = { 0, "" };
    char uri[600], cert[600], pass[600];

    if (!fixture())
        return;
    snprintf(uri, sizeof(uri), "pkcs11:token=" TOKEN ";id=%%01"
        "?module-path=%s", module);
    snprintf(cert, sizeof(cert), "%s/cert01.pem", dir);
    snprintf(pass, sizeof(pass), "%s/pin", dir);
    o.key = uri;
    o.cert = cert;
    o.pass_file = pass;
    o.rsa_pss = 1;
    o.allow_unfit = 1;
    CU_ASSERT_EQUAL_FATAL(eseal_sealer_open(&s, &o, &err), 0);
    CU_ASSERT_TRUE(seal_and_check(s));
    eseal_sealer_free(s);
}

static void cleanup_dir(void)
{
    char cmd[600];

    if (fixture_state > 0) {
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        (void)system(cmd);
    }
    free(pdf);
}

int main(int argc, char **argv)
{
    static const unit_case cases[] = {
        UNIT_CASE(test_pkcs11__uri_attributes),
        UNIT_CASE(test_pkcs11__uri_refusals),
        UNIT_CASE(test_pkcs11__rsa_and_ecdsa_keys_seal),
        UNIT_CASE(test_pkcs11__certificate_from_the_token),
        UNIT_CASE(test_pkcs11__login_per_signature_key),
        UNIT_CASE(test_pkcs11__pin_errors),
        UNIT_CASE(test_pkcs11__lookup_errors),
        UNIT_CASE(test_pkcs11__threads_share_one_sealer),
        UNIT_CASE(test_pkcs11__fork),
        UNIT_CASE(test_pkcs11__fork_logs_in_once_per_process),
        UNIT_CASE(test_pkcs11__rsa_pss_on_the_token),
        UNIT_CASE(test_pkcs11__second_sealer_outlives_the_first),
        UNIT_CASE(test_pkcs11__children_log_in_at_once),
        UNIT_CASE(test_pkcs11__after_fork_disables_core_dumps),
        UNIT_END
    };
    eseal_error err = { 0, "" };
    int rc;

    if (eseal_init(&err) < 0)
        return 2;
    if (argc == 5 && strcmp(argv[1], "--spy-fork") == 0) {
        /* the fixture is the parent's: DIR MODULE SPY */
        snprintf(dir, sizeof(dir), "%s", argv[2]);
        module = argv[3];
        rc = load_sample(getenv("ESEAL_SOURCE_ROOT")) < 0 ? 2 :
             spy_scenario(argv[4]);
        free(pdf);
        eseal_shutdown();
        return rc;
    }
    if (argc == 4 && strcmp(argv[1], "--fork-storm") == 0) {
        /* the fixture is the parent's: DIR MODULE */
        snprintf(dir, sizeof(dir), "%s", argv[2]);
        module = argv[3];
        rc = load_sample(getenv("ESEAL_SOURCE_ROOT")) < 0 ? 2 :
             fork_storm_scenario();
        free(pdf);
        eseal_shutdown();
        return rc;
    }
    rc = unit_run("pkcs11", cases);
    cleanup_dir();
    eseal_shutdown();
    return rc;
}
