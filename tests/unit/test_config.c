/* Unit tests: the configuration file (core/config.c). */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "unit.h"
#include "core/eseal_int.h"
#include "core/config_int.h"

static char tmp[PATH_MAX / 2]; /* a fresh directory for this run */
static char conf[PATH_MAX];   /* tmp/eseal.conf */

static void make_tmp(void)
{
    const char *base = getenv("TMPDIR");

    if (tmp[0] != '\0')
        return;
    snprintf(tmp, sizeof(tmp), "%s/eseal-test-config-XXXXXX",
        base != NULL && *base != '\0' ? base : "/tmp");
    if (mkdtemp(tmp) == NULL) {
        perror("mkdtemp");
        exit(2);
    }
    snprintf(conf, sizeof(conf), "%s/eseal.conf", tmp);
}

static int rm_entry(const char *path, const struct stat *st, int flag,
    struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void remove_tmp(void)
{
    if (tmp[0] != '\0')
        nftw(tmp, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Writes text to path with exactly the given mode. */
static void write_file(const char *path, const char *text, size_t len,
    mode_t mode)
{
    int fd;

    unlink(path);
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    CU_ASSERT_FATAL(fd >= 0);
    CU_ASSERT_FATAL(write(fd, text, len) == (ssize_t)len);
    CU_ASSERT_FATAL(fchmod(fd, mode) == 0);
    close(fd);
}

/* Writes tmp/eseal.conf and loads it. */
static int load_mode(eseal_config **c, const char *text, mode_t mode,
    eseal_error *err)
{
    make_tmp();
    write_file(conf, text, strlen(text), mode);
    memset(err, 0, sizeof(*err));
    return eseal_config_load(c, conf, err);
}

static int load(eseal_config **c, const char *text, eseal_error *err)
{
    return load_mode(c, text, 0644, err);
}

/* Asserts that text fails to load with ECONFIG and a message holding
 * "eseal.conf:LINE:" and want. */
static void expect_error(const char *text, unsigned int line,
    const char *want)
{
    eseal_config *c = (eseal_config *)1;
    eseal_error err;
    char where[64];
    int rc = load(&c, text, &err);

    CU_ASSERT_EQUAL(rc, ESEAL_ECONFIG);
    CU_ASSERT_EQUAL(err.code, ESEAL_ECONFIG);
    CU_ASSERT_PTR_NULL(c);
    snprintf(where, sizeof(where), "eseal.conf:%u: ", line);
    if (line > 0 && strstr(err.message, where) == NULL) {
        fprintf(stderr, "\n  want '%s' in: %s\n", where, err.message);
        CU_FAIL("message does not name the line");
    }
    if (strstr(err.message, want) == NULL) {
        fprintf(stderr, "\n  want '%s' in: %s\n", want, err.message);
        CU_FAIL("message does not name the problem");
    }
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, conf));
    eseal_config_free(rc == 0 ? c : NULL);
}

static const char good[] =
    "# the seal of the accounting department\n"
    "[eseal]\n"
    "default_profile = invoices\n"
    "\n"
    "[profile invoices]\n"
    "key = keys/seal.key\n"
    "certificate = /etc/eseal/seal.pem\n"
    "chain = chain.pem\n"
    "password_file = seal.pass\n"
    "digest = sha384\n"
    "rsa_pss = true\n"
    "level = B-LT\n"
    "tsa = http://tsa.example/ ; https://tsa2.example/tsa;\n"
    "format = pdf\n"
    "placement = ubl\n"
    "c14n = c14n11\n"
    "certify = yes\n"
    "self_check = on\n"
    "trust = ../trust.pem\n"
    "offline = false\n"
    "audit = /var/log/eseal/audit.log\n"
    "\n"
    "[profile test]\n"
    "key = pkcs11:token=eseal;object=seal\n"
    "password_env = ESEAL_PIN\n"
    "\n"
    "[assurance]\n"
    "2.25.15108974328956562135719068341614496465 = 2\n"
    "1.2.392.200001.1 = level 1\n";

static void test_config__good_file(void)
{
    eseal_config *c = NULL;
    const eseal_profile *p = NULL, *t = NULL;
    const char *const *names;
    eseal_error err;
    char want[PATH_MAX + 64];

    CU_ASSERT_EQUAL_FATAL(load(&c, good, &err), 0);
    CU_ASSERT_EQUAL_FATAL(eseal_config_profile(&p, c, NULL, &err), 0);
    CU_ASSERT_STRING_EQUAL(p->name, "invoices");

    CU_ASSERT_EQUAL(p->sealer.version, ESEAL_SEALER_OPTS_VERSION);
    snprintf(want, sizeof(want), "%s/keys/seal.key", tmp);
    CU_ASSERT_STRING_EQUAL(p->sealer.key, want);
    CU_ASSERT_STRING_EQUAL(p->sealer.cert, "/etc/eseal/seal.pem");
    snprintf(want, sizeof(want), "%s/chain.pem", tmp);
    CU_ASSERT_STRING_EQUAL(p->sealer.chain, want);
    snprintf(want, sizeof(want), "%s/seal.pass", tmp);
    CU_ASSERT_STRING_EQUAL(p->sealer.pass_file, want);
    CU_ASSERT_PTR_NULL(p->sealer.pass_env);
    CU_ASSERT_PTR_NULL(p->sealer.password);
    CU_ASSERT_EQUAL(p->sealer.digest, ESEAL_DIGEST_SHA384);
    CU_ASSERT_EQUAL(p->sealer.rsa_pss, 1);
    CU_ASSERT_EQUAL(p->sealer.allow_unfit, 0);

    CU_ASSERT_EQUAL(p->seal.version, ESEAL_SEAL_OPTS_VERSION);
    CU_ASSERT_EQUAL(p->seal.level, ESEAL_LEVEL_B_LT);
    CU_ASSERT_EQUAL(p->seal.format, ESEAL_FORMAT_PDF);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p->seal.tsa_urls);
    CU_ASSERT_STRING_EQUAL(p->seal.tsa_urls[0], "http://tsa.example/");
    CU_ASSERT_STRING_EQUAL(p->seal.tsa_urls[1], "https://tsa2.example/tsa");
    CU_ASSERT_PTR_NULL(p->seal.tsa_urls[2]);
    CU_ASSERT_EQUAL(p->seal.certify, 1);
    CU_ASSERT_EQUAL(p->seal.self_check, 1);
    CU_ASSERT_EQUAL(p->seal.signing_time, 0);

    CU_ASSERT_EQUAL(p->verify.version, ESEAL_VERIFY_OPTS_VERSION);
    snprintf(want, sizeof(want), "%s/../trust.pem", tmp);
    CU_ASSERT_STRING_EQUAL(p->verify.trust_file, want);
    CU_ASSERT_EQUAL(p->verify.offline, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p->verify.assurance_levels);
    CU_ASSERT_STRING_EQUAL(p->verify.assurance_levels[0],
        "2.25.15108974328956562135719068341614496465=2");
    CU_ASSERT_STRING_EQUAL(p->verify.assurance_levels[1],
        "1.2.392.200001.1=level 1");
    CU_ASSERT_PTR_NULL(p->verify.assurance_levels[2]);
    CU_ASSERT_PTR_EQUAL(p->verify.assurance_levels,
        eseal_config_assurance_levels(c));

    CU_ASSERT_STRING_EQUAL(p->placement, "ubl");
    CU_ASSERT_STRING_EQUAL(p->c14n, "c14n11");
    CU_ASSERT_STRING_EQUAL(p->audit, "/var/log/eseal/audit.log");

    /* the second profile: defaults everywhere else */
    CU_ASSERT_EQUAL_FATAL(eseal_config_profile(&t, c, "test", &err), 0);
    CU_ASSERT_STRING_EQUAL(t->name, "test");
    CU_ASSERT_STRING_EQUAL(t->sealer.key, "pkcs11:token=eseal;object=seal");
    CU_ASSERT_STRING_EQUAL(t->sealer.pass_env, "ESEAL_PIN");
    CU_ASSERT_PTR_NULL(t->sealer.cert);
    CU_ASSERT_EQUAL(t->sealer.digest, ESEAL_DIGEST_DEFAULT);
    CU_ASSERT_EQUAL(t->sealer.rsa_pss, 0);
    CU_ASSERT_EQUAL(t->seal.level, ESEAL_LEVEL_B_B);
    CU_ASSERT_EQUAL(t->seal.format, ESEAL_FORMAT_AUTO);
    CU_ASSERT_PTR_NULL(t->seal.tsa_urls);
    CU_ASSERT_PTR_NULL(t->verify.trust_file);
    CU_ASSERT_PTR_NULL(t->placement);
    CU_ASSERT_PTR_NULL(t->c14n);
    CU_ASSERT_PTR_NULL(t->audit);

    names = eseal_config_profile_names(c);
    CU_ASSERT_STRING_EQUAL(names[0], "invoices");
    CU_ASSERT_STRING_EQUAL(names[1], "test");
    CU_ASSERT_PTR_NULL(names[2]);
    eseal_config_free(c);
}

static void test_config__relative_paths(void)
{
    eseal_config *c = NULL;
    const eseal_profile *p;
    eseal_error err;
    char sub[PATH_MAX / 2 + 8], path[PATH_MAX], cwd[PATH_MAX], here[PATH_MAX];
    char want[PATH_MAX + 64];
    static const char text[] =
        "[profile a]\n"
        "key = k/seal.key\n"
        "certificate = ./seal.pem\n"
        "trust = ../trust.pem\n"
        "audit = /abs/audit.log\n";

    make_tmp();
    snprintf(sub, sizeof(sub), "%s/sub", tmp);
    CU_ASSERT_FATAL(mkdir(sub, 0755) == 0 || errno == EEXIST);
    snprintf(path, sizeof(path), "%s/eseal.conf", sub);
    write_file(path, text, strlen(text), 0644);

    /* loaded by a relative name: paths still resolve against its folder */
    CU_ASSERT_FATAL(getcwd(cwd, sizeof(cwd)) != NULL);
    CU_ASSERT_FATAL(chdir(tmp) == 0);
    CU_ASSERT_FATAL(getcwd(here, sizeof(here)) != NULL);
    CU_ASSERT_EQUAL(eseal_config_load(&c, "sub/eseal.conf", &err), 0);
    CU_ASSERT_FATAL(chdir(cwd) == 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    CU_ASSERT_EQUAL_FATAL(eseal_config_profile(&p, c, NULL, &err), 0);
    snprintf(want, sizeof(want), "%s/sub/k/seal.key", here);
    CU_ASSERT_STRING_EQUAL(p->sealer.key, want);
    snprintf(want, sizeof(want), "%s/sub/./seal.pem", here);
    CU_ASSERT_STRING_EQUAL(p->sealer.cert, want);
    snprintf(want, sizeof(want), "%s/sub/../trust.pem", here);
    CU_ASSERT_STRING_EQUAL(p->verify.trust_file, want);
    CU_ASSERT_STRING_EQUAL(p->audit, "/abs/audit.log");
    eseal_config_free(c);

    /* from a buffer without a base directory they stay as written */
    CU_ASSERT_EQUAL(eseal__config_load_buffer(&c, text, strlen(text),
        "mem", NULL, 0, &err), 0);
    CU_ASSERT_EQUAL_FATAL(eseal_config_profile(&p, c, "a", &err), 0);
    CU_ASSERT_STRING_EQUAL(p->sealer.key, "k/seal.key");
    eseal_config_free(c);
}

static void test_config__default_profile_rules(void)
{
    eseal_config *c = NULL;
    const eseal_profile *p = NULL;
    eseal_error err;

    /* default_profile wins over a profile named "default" */
    CU_ASSERT_EQUAL_FATAL(load(&c, "[eseal]\ndefault_profile = b\n"
        "[profile default]\n[profile b]\n", &err), 0);
    CU_ASSERT_EQUAL(eseal_config_profile(&p, c, NULL, &err), 0);
    CU_ASSERT_STRING_EQUAL(p->name, "b");
    CU_ASSERT_EQUAL(eseal_config_profile(&p, c, "default", &err), 0);
    CU_ASSERT_STRING_EQUAL(p->name, "default");
    eseal_config_free(c);

    /* else the one named "default" */
    CU_ASSERT_EQUAL_FATAL(load(&c, "[profile a]\n[profile default]\n"
        "[profile z]\n", &err), 0);
    CU_ASSERT_EQUAL(eseal_config_profile(&p, c, NULL, &err), 0);
    CU_ASSERT_STRING_EQUAL(p->name, "default");
    eseal_config_free(c);

    /* else the only one */
    CU_ASSERT_EQUAL_FATAL(load(&c, "[profile only]\n", &err), 0);
    CU_ASSERT_EQUAL(eseal_config_profile(&p, c, NULL, &err), 0);
    CU_ASSERT_STRING_EQUAL(p->name, "only");
    eseal_config_free(c);

    /* several and no rule: an error naming the choices */
    CU_ASSERT_EQUAL_FATAL(load(&c, "[profile a]\n[profile b]\n", &err), 0);
    p = (const eseal_profile *)1;
    CU_ASSERT_EQUAL(eseal_config_profile(&p, c, NULL, &err), ESEAL_ECONFIG);
    CU_ASSERT_PTR_NULL(p);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "a, b"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, conf));
    /* an unknown name */
    CU_ASSERT_EQUAL(eseal_config_profile(&p, c, "c", &err), ESEAL_ECONFIG);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "no profile 'c'"));
    eseal_config_free(c);

    /* none at all */
    CU_ASSERT_EQUAL_FATAL(load(&c, "# nothing yet\n", &err), 0);
    CU_ASSERT_EQUAL(eseal_config_profile(&p, c, NULL, &err), ESEAL_ECONFIG);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "no [profile"));
    CU_ASSERT_PTR_NULL(eseal_config_profile_names(c)[0]);
    CU_ASSERT_PTR_NULL(eseal_config_assurance_levels(c));
    eseal_config_free(c);

    /* default_profile must name a profile */
    expect_error("[eseal]\ndefault_profile = nope\n[profile a]\n", 2,
        "default_profile: no [profile nope]");
}

static void test_config__xml_settings(void)
{
    eseal_config *c = NULL;
    const eseal_profile *prof = NULL;
    eseal_error err;

    CU_ASSERT_EQUAL_FATAL(load(&c, "[profile x]\nkey = k\n"
        "placement = enveloped\nc14n = c14n\nsigning_certificate = v1\n"
        "policy_id = urn:oid:1.2.3.4\npolicy_hash = q83vEjRWeJA=\n", &err), 0);
    CU_ASSERT_EQUAL_FATAL(eseal_config_profile(&prof, c, "x", &err), 0);
    /* the XML settings reach the seal options the library takes */
    CU_ASSERT_STRING_EQUAL(prof->seal.placement, "enveloped");
    CU_ASSERT_STRING_EQUAL(prof->seal.c14n, "c14n");
    CU_ASSERT_EQUAL(prof->seal.signing_certificate_v1, 1);
    CU_ASSERT_STRING_EQUAL(prof->seal.policy_id, "urn:oid:1.2.3.4");
    CU_ASSERT_STRING_EQUAL(prof->seal.policy_hash, "q83vEjRWeJA=");
    eseal_config_free(c);
    expect_error("[profile a]\nkey = k\npolicy_id = 1.2.3\n", 3,
        "policy_id and policy_hash go together");
    expect_error("[profile a]\nsigning_certificate = v3\n", 2,
        "signing_certificate: 'v3'");
}

static void test_config__network_settings(void)
{
    eseal_config *c = NULL;
    const eseal_profile *prof = NULL;
    eseal_error err;

    CU_ASSERT_EQUAL_FATAL(load(&c, "[profile x]\nkey = k\n"
        "tsa_auth_file = /etc/eseal/tsa.auth\ntimeout = 7\n", &err), 0);
    CU_ASSERT_EQUAL_FATAL(eseal_config_profile(&prof, c, "x", &err), 0);
    CU_ASSERT_STRING_EQUAL(prof->seal.tsa_auth_file, "/etc/eseal/tsa.auth");
    CU_ASSERT_EQUAL(prof->seal.net_timeout, 7);
    CU_ASSERT_EQUAL(prof->verify.net_timeout, 7);
    eseal_config_free(c);
    expect_error("[profile a]\ntimeout = 0\n", 2, "timeout: '0'");
    expect_error("[profile a]\ntimeout = 5s\n", 2, "timeout: '5s'");
}

static void test_config__unknown_keys_and_groups(void)
{
    expect_error("[profile a]\nkey = k\ndigst = sha256\n", 3,
        "[profile a] unknown key 'digst'");
    expect_error("[eseal]\ndefault = a\n", 2, "[eseal] unknown key 'default'");
    expect_error("[profle a]\nkey = k\n", 1, "[profle a] unknown group");
    expect_error("[profile]\n", 1, "unknown group");
    expect_error("[profile a b]\n", 1, "a profile name is");
    expect_error("[profile a]\nkey[ja] = k\n", 2, "unknown key 'key[ja]'");
    expect_error("[assurance]\nnot-an-oid = 1\n", 2,
        "'not-an-oid' is not a policy OID");
    expect_error("[assurance]\n1.02.3 = 1\n", 2, "not a policy OID");
    expect_error("[assurance]\n3.1 = 1\n", 2, "not a policy OID");
    expect_error("[assurance]\n1.2.3 = one=1\n", 2, "a level is up to");
}

static void test_config__bad_values(void)
{
    expect_error("[profile a]\nlevel = B-X\n", 2,
        "level: 'B-X' is not one of B-B, B-T, B-LT, B-LTA");
    expect_error("[profile a]\n\ndigest = sha1\n", 3,
        "digest: 'sha1' is not one of sha256, sha384, sha512");
    expect_error("[profile a]\nrsa_pss = maybe\n", 2,
        "rsa_pss: 'maybe' is not true or false");
    expect_error("[profile a]\ncertify = 2\n", 2, "not true or false");
    expect_error("[profile a]\nformat = docx\n", 2, "format: 'docx'");
    expect_error("[profile a]\nplacement = inside\n", 2, "placement:");
    expect_error("[profile a]\nc14n = c14n2\n", 2, "c14n: 'c14n2'");
    expect_error("[profile a]\ntsa = ftp://tsa.example/\n", 2,
        "tsa: 'ftp://tsa.example/' is not an http:// or https:// URL");
    expect_error("[profile a]\ntsa = ;\n", 2, "tsa: no URL");
    expect_error("[profile a]\npassword_env = 1PIN\n", 2,
        "password_env: '1PIN' is not an environment variable name");
    expect_error("[profile a]\nkey =   \n", 2, "key: empty value");
    expect_error("[profile a]\nkey = a\\qb\n", 2,
        "key: invalid escape sequence");
    expect_error("[profile a]\nkey = pkcs11:token=x;pin-value=1234\n", 2,
        "a PIN in the PKCS#11 URI is refused");
    /* a timestamp level without a timestamp authority */
    expect_error("[profile a]\nlevel = B-T\nkey = k\n", 2,
        "level B-T needs a timestamp: set tsa");
    /* one password source */
    expect_error("[profile a]\npassword_env = X\npassword_file = f\n", 3,
        "password_file and password_env (line 2): give one password source");
}

static void test_config__syntax(void)
{
    expect_error("key = k\n[profile a]\n", 1, "key outside a [group]");
    expect_error("[profile a]\n\nthis is not a setting\n", 3,
        "not a [group], a key = value line or a # comment");
    expect_error("[profile a]\n= x\n", 2, "no key before '='");
    expect_error("[profile a\n", 1, "not a valid [group] line");
    expect_error("[profile a]]\n", 1, "not a valid [group] line");
    expect_error("[profile a]\nkey = k\n# x\nkey = l\n", 4,
        "'key' set twice (first on line 2)");
    expect_error("[profile a]\n[profile b]\n[profile a]\n", 3,
        "[profile a] group appears twice (first on line 1)");
}

static void test_config__line_endings_and_bom(void)
{
    eseal_config *c = NULL;
    const eseal_profile *p;
    eseal_error err;

    CU_ASSERT_EQUAL_FATAL(load(&c, "\xef\xbb\xbf[profile a]\r\n"
        "  key = /k  \r\n\t# indented comment\r\n  digest=sha512\r\n", &err),
        0);
    CU_ASSERT_EQUAL_FATAL(eseal_config_profile(&p, c, NULL, &err), 0);
    CU_ASSERT_STRING_EQUAL(p->sealer.key, "/k");
    CU_ASSERT_EQUAL(p->sealer.digest, ESEAL_DIGEST_SHA512);
    eseal_config_free(c);
}

static void test_config__password_needs_private_file(void)
{
    eseal_config *c = NULL;
    const eseal_profile *p;
    eseal_error err;
    static const char text[] =
        "[profile a]\n"
        "key = /k.p12\n"
        "password = \\s p#ss \\\\ word\\s  \n";

    /* readable by others: refused, with the fix in the message */
    CU_ASSERT_EQUAL(load_mode(&c, text, 0644, &err), ESEAL_ECONFIG);
    CU_ASSERT_PTR_NULL(c);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "eseal.conf:3: "));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "chmod 600"));
    CU_ASSERT_PTR_NULL(strstr(err.message, "p#ss"));
    CU_ASSERT_EQUAL(load_mode(&c, text, 0640, &err), ESEAL_ECONFIG);
    CU_ASSERT_EQUAL(load_mode(&c, text, 0604, &err), ESEAL_ECONFIG);

    /* private: the password as written, escapes applied, ends trimmed */
    CU_ASSERT_EQUAL_FATAL(load_mode(&c, text, 0600, &err), 0);
    CU_ASSERT_EQUAL_FATAL(eseal_config_profile(&p, c, NULL, &err), 0);
    CU_ASSERT_STRING_EQUAL(p->sealer.password, "  p#ss \\ word ");
    eseal_config_free(c);
    CU_ASSERT_EQUAL_FATAL(load_mode(&c, text, 0400, &err), 0);
    eseal_config_free(c);

    /* the same file without a password is fine when world-readable */
    CU_ASSERT_EQUAL(load_mode(&c, "[profile a]\npassword_file = p\n", 0644,
        &err), 0);
    eseal_config_free(c);

    /* an empty password is a password */
    CU_ASSERT_EQUAL_FATAL(load_mode(&c, "[profile a]\npassword =\n", 0600,
        &err), 0);
    CU_ASSERT_EQUAL_FATAL(eseal_config_profile(&p, c, NULL, &err), 0);
    CU_ASSERT_STRING_EQUAL(p->sealer.password, "");
    eseal_config_free(c);

    /* a bad escape in a password does not echo the password */
    CU_ASSERT_EQUAL(load_mode(&c, "[profile a]\npassword = s3cr\\et\n", 0600,
        &err), ESEAL_ECONFIG);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "eseal.conf:2: "));
    CU_ASSERT_PTR_NULL(strstr(err.message, "s3cr"));

    /* a password in the wrong group is an unknown key, still not echoed */
    CU_ASSERT_EQUAL(load_mode(&c, "[eseal]\npassword = s3cret\n", 0600, &err),
        ESEAL_ECONFIG);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "unknown key 'password'"));
    CU_ASSERT_PTR_NULL(strstr(err.message, "s3cret"));

    /* a buffer the caller did not vouch for refuses a password */
    CU_ASSERT_EQUAL(eseal__config_load_buffer(&c, text, strlen(text), "mem",
        NULL, 0, &err), ESEAL_ECONFIG);
    CU_ASSERT_EQUAL(eseal__config_load_buffer(&c, text, strlen(text), "mem",
        NULL, 1, &err), 0);
    eseal_config_free(c);
}

static void test_config__file_permissions_and_owner(void)
{
    eseal_config *c = NULL;
    eseal_error err;

    CU_ASSERT_EQUAL(load_mode(&c, "[profile a]\n", 0664, &err),
        ESEAL_ECONFIG);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "writable by group or "
        "others (mode 664): chmod go-w"));
    CU_ASSERT_EQUAL(load_mode(&c, "[profile a]\n", 0646, &err),
        ESEAL_ECONFIG);
    CU_ASSERT_EQUAL(load_mode(&c, "[profile a]\n", 0444, &err), 0);
    eseal_config_free(c);

    /* owned by someone else (only root can set that up) */
    if (geteuid() == 0) {
        write_file(conf, "[profile a]\n", 12, 0644);
        CU_ASSERT_FATAL(chown(conf, 4242, 4242) == 0);
        CU_ASSERT_EQUAL(eseal_config_load(&c, conf, &err), ESEAL_ECONFIG);
        CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "owned by uid 4242"));
    }
}

static void test_config__missing_and_odd_files(void)
{
    eseal_config *c = (eseal_config *)1;
    eseal_error err;
    char path[PATH_MAX];
    char *big;
    size_t n = ESEAL_CONFIG_MAX_SIZE + 10;

    make_tmp();
    snprintf(path, sizeof(path), "%s/none.conf", tmp);
    CU_ASSERT_EQUAL(eseal_config_load(&c, path, &err), ESEAL_EIO);
    CU_ASSERT_PTR_NULL(c);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, path));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "No such file"));

    CU_ASSERT_EQUAL(eseal_config_load(&c, tmp, &err), ESEAL_ECONFIG);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "not a regular file"));

    big = malloc(n);
    CU_ASSERT_PTR_NOT_NULL_FATAL(big);
    memset(big, '#', n);
    big[n - 1] = '\n';
    write_file(conf, big, n, 0644);
    free(big);
    CU_ASSERT_EQUAL(eseal_config_load(&c, conf, &err), ESEAL_ECONFIG);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "larger than"));

    write_file(conf, "[profile a]\n\0x", 14, 0644);
    CU_ASSERT_EQUAL(eseal_config_load(&c, conf, &err), ESEAL_ECONFIG);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "NUL byte"));

    /* an empty file is a valid, empty configuration */
    CU_ASSERT_EQUAL(load(&c, "", &err), 0);
    CU_ASSERT_PTR_NULL(eseal_config_profile_names(c)[0]);
    eseal_config_free(c);
    eseal_config_free(NULL);
    CU_ASSERT_PTR_NULL(eseal_config_profile_names(NULL)[0]);
}

static void test_config__assurance_table(void)
{
    eseal_config *c = NULL;
    const eseal_profile *p;
    eseal_error err;

    /* no group: the built-in table (NULL) */
    CU_ASSERT_EQUAL_FATAL(load(&c, "[profile a]\n", &err), 0);
    CU_ASSERT_EQUAL_FATAL(eseal_config_profile(&p, c, NULL, &err), 0);
    CU_ASSERT_PTR_NULL(p->verify.assurance_levels);
    eseal_config_free(c);

    /* an empty group: no levels at all */
    CU_ASSERT_EQUAL_FATAL(load(&c, "[profile a]\n[assurance]\n", &err), 0);
    CU_ASSERT_EQUAL_FATAL(eseal_config_profile(&p, c, NULL, &err), 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p->verify.assurance_levels);
    CU_ASSERT_PTR_NULL(p->verify.assurance_levels[0]);
    eseal_config_free(c);

    /* the group may come before the profiles that use it */
    CU_ASSERT_EQUAL_FATAL(load(&c, "[assurance]\n0.4.0.194112.1.3=qualified\n"
        "[profile a]\n", &err), 0);
    CU_ASSERT_EQUAL_FATAL(eseal_config_profile(&p, c, NULL, &err), 0);
    CU_ASSERT_STRING_EQUAL(p->verify.assurance_levels[0],
        "0.4.0.194112.1.3=qualified");
    eseal_config_free(c);
}

static void test_config__limits(void)
{
    eseal_config *c = NULL;
    eseal_error err;
    eseal_buf b = { 0 };
    int i;

    eseal__buf_puts(&b, "[profile a]\ntsa = ");
    for (i = 0; i <= ESEAL_CONFIG_MAX_TSA; i++)
        eseal__buf_printf(&b, "http://t%d.example/;", i);
    eseal__buf_puts(&b, "\n");
    CU_ASSERT_EQUAL(eseal__config_load_buffer(&c, b.data, b.len, "mem",
        NULL, 0, &err), ESEAL_ECONFIG);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "more than"));
    eseal__buf_free(&b);

    for (i = 0; i <= ESEAL_CONFIG_MAX_PROFILES; i++)
        eseal__buf_printf(&b, "[profile p%d]\n", i);
    CU_ASSERT_EQUAL(eseal__config_load_buffer(&c, b.data, b.len, "mem",
        NULL, 0, &err), ESEAL_ECONFIG);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "more than"));
    eseal__buf_free(&b);
}

/* samples/eseal.conf.example loads, and says what docs/config.md says. */
static void test_config__sample_file(void)
{
    const char *root = getenv("ESEAL_SOURCE_ROOT");
    eseal_config *c = NULL;
    const eseal_profile *p;
    eseal_error err;
    char path[PATH_MAX];
    char *text = NULL;
    size_t len = 0;
    FILE *f;

    if (root == NULL) {
        CU_FAIL("ESEAL_SOURCE_ROOT is not set (meson test sets it)");
        return;
    }
    snprintf(path, sizeof(path), "%s/samples/eseal.conf.example", root);
    f = fopen(path, "rb");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    text = malloc(65536);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    len = fread(text, 1, 65536, f);
    fclose(f);
    /* loaded as if from /etc/eseal, the checks of the file itself aside */
    CU_ASSERT_EQUAL(eseal__config_load_buffer(&c, text, len, path,
        "/etc/eseal", 0, &err), 0);
    free(text);
    if (c == NULL) {
        fprintf(stderr, "\n  %s\n", err.message);
        return;
    }
    CU_ASSERT_EQUAL_FATAL(eseal_config_profile(&p, c, NULL, &err), 0);
    CU_ASSERT_STRING_EQUAL(p->name, "invoices");
    CU_ASSERT_EQUAL(p->seal.level, ESEAL_LEVEL_B_T);
    CU_ASSERT_STRING_EQUAL(p->seal.tsa_urls[1], "http://tsa2.example/");
    CU_ASSERT_EQUAL_FATAL(eseal_config_profile(&p, c, "contracts", &err), 0);
    CU_ASSERT_EQUAL(p->seal.certify, 1);
    CU_ASSERT_EQUAL(strncmp(p->sealer.key, "pkcs11:", 7), 0);
    CU_ASSERT_EQUAL_FATAL(eseal_config_profile(&p, c, "demo", &err), 0);
    CU_ASSERT_STRING_EQUAL(p->sealer.key, "/etc/eseal/eseal-rsa.key");
    CU_ASSERT_STRING_EQUAL(p->verify.assurance_levels[1],
        "2.25.15108974328956562135719068341614496465=2");
    eseal_config_free(c);
}

int main(void)
{
    static const unit_case cases[] = {
        UNIT_CASE(test_config__good_file),
        UNIT_CASE(test_config__relative_paths),
        UNIT_CASE(test_config__default_profile_rules),
        UNIT_CASE(test_config__xml_settings),
        UNIT_CASE(test_config__network_settings),
        UNIT_CASE(test_config__unknown_keys_and_groups),
        UNIT_CASE(test_config__bad_values),
        UNIT_CASE(test_config__syntax),
        UNIT_CASE(test_config__line_endings_and_bom),
        UNIT_CASE(test_config__password_needs_private_file),
        UNIT_CASE(test_config__file_permissions_and_owner),
        UNIT_CASE(test_config__missing_and_odd_files),
        UNIT_CASE(test_config__assurance_table),
        UNIT_CASE(test_config__limits),
        UNIT_CASE(test_config__sample_file),
        UNIT_END
    };
    int status;

    status = unit_run("config", cases);
    remove_tmp();
    return status;
}
