/*
 * eseal unit tests - the batch API (<eseal/batch.h>): option versions,
 * outputs that appear only at commit, failures reported and audited.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <eseal/eseal.h>
#include <eseal/batch.h>
#include "unit.h"

#define DOCS 12

static char dir[] = "/tmp/eseal-test-batch-XXXXXX";
static eseal_sealer *sealer;

/* dir/NAME, or dir/STEM<i>EXT: four results may be in use at once */
static const char *numbered(const char *stem, int i, const char *ext)
{
    static char buf[4][512];
    static int slot;

    slot = (slot + 1) % 4;
    if (i < 0)
        snprintf(buf[slot], sizeof(buf[slot]), "%s/%s", dir, stem);
    else
        snprintf(buf[slot], sizeof(buf[slot]), "%s/%s%d%s", dir, stem, i,
            ext);
    return buf[slot];
}

static const char *path(const char *name)
{
    return numbered(name, -1, NULL);
}

static int write_file(const char *p, const char *text)
{
    FILE *f = fopen(p, "w");

    if (f == NULL)
        return -1;
    fputs(text, f);
    return fclose(f);
}

static int exists(const char *p)
{
    struct stat st;

    return stat(p, &st) == 0;
}

static int suite_init(void)
{
    eseal_sealer_opts opts = ESEAL_SEALER_OPTS_INIT;
    eseal_error err = { 0, "" };
    char key[600], cert[600], chain[600];
    char doc[200];
    int i;

    if (eseal_init(&err) < 0 || mkdtemp(dir) == NULL)
        return 1;
    if (eseal_demo_pki(path("pki"), NULL, &err) < 0) {
        fprintf(stderr, "demo-pki: %s\n", err.message);
        return 1;
    }
    snprintf(key, sizeof(key), "%s", path("pki/eseal-rsa.key"));
    snprintf(cert, sizeof(cert), "%s", path("pki/eseal-rsa.pem"));
    snprintf(chain, sizeof(chain), "%s", path("pki/chain.pem"));
    opts.key = key;
    opts.cert = cert;
    opts.chain = chain;
    if (eseal_sealer_open(&sealer, &opts, &err) < 0) {
        fprintf(stderr, "sealer: %s\n", err.message);
        return 1;
    }
    for (i = 0; i < DOCS; i++) {
        snprintf(doc, sizeof(doc), "<?xml version=\"1.0\"?>\n<order n=\"%d\">"
            "<line>%d pieces</line></order>\n", i, i * 7);
        if (write_file(numbered("in-", i, ".xml"), doc) != 0)
            return 1;
    }
    return write_file(path("broken.xml"), "<order><line></order>\n");
}

/* ---- a commit callback that records what it is told ------------------- */

typedef struct outcome {
    int calls;
    int sealed;
    int failed;
    int order_ok;        /* tags came in increasing order */
    intptr_t last_tag;
    char message[256];
} outcome;

static void record(void *tag, int rc, const eseal_error *err, void *payload)
{
    outcome *o = payload;

    o->calls++;
    if ((intptr_t)tag <= o->last_tag)
        o->order_ok = 0;
    o->last_tag = (intptr_t)tag;
    if (rc == 0) {
        o->sealed++;
    } else {
        o->failed++;
        snprintf(o->message, sizeof(o->message), "%s", err->message);
    }
}

#define OUTCOME_INIT { 0, 0, 0, 1, -1, "" }

/* ---- cases ------------------------------------------------------------ */

static void test_batch__unknown_versions_are_refused(void)
{
    eseal_batch_opts opts = ESEAL_BATCH_OPTS_INIT;
    eseal_error err = { 0, "" };
    eseal_batch *b = (eseal_batch *)&opts; /* must be reset to NULL */

    opts.version = 0;
    CU_ASSERT_EQUAL(eseal_batch_open(&b, sealer, &opts, &err),
        ESEAL_EINVAL);
    CU_ASSERT_PTR_NULL(b);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "version"));
    opts.version = ESEAL_BATCH_OPTS_VERSION + 1;
    CU_ASSERT_EQUAL(eseal_batch_open(&b, sealer, &opts, &err),
        ESEAL_EINVAL);
    CU_ASSERT_EQUAL(eseal_batch_open(&b, sealer, NULL, &err), ESEAL_EINVAL);
}

/* The layout of version 1 options, as programs built against it pass:
 * the library must not read the later fields (the allocation has exactly
 * this size, so AddressSanitizer and valgrind see any read past it). */
typedef struct opts_v1 {
    unsigned int version;
    const char *audit;
    int no_sync;
    unsigned int max_pending;
} opts_v1;

static void test_batch__version_1_options(void)
{
    static const eseal_seal_opts so = ESEAL_SEAL_OPTS_INIT;
    opts_v1 *v1 = calloc(1, sizeof(*v1));
    eseal_error err = { 0, "" };
    eseal_batch *b = NULL;
    outcome o = OUTCOME_INIT;
    char *log;

    CU_ASSERT_PTR_NOT_NULL_FATAL(v1);
    v1->version = 1;
    v1->audit = path("v1.log");
    CU_ASSERT_EQUAL_FATAL(eseal_batch_open(&b, sealer,
        (const eseal_batch_opts *)(const void *)v1, &err), 0);
    free(v1); /* the batch keeps nothing of the options */
    CU_ASSERT_EQUAL(eseal_batch_seal_file(b, numbered("in-", 0, ".xml"),
        numbered("v1-", 0, ".xml"), &so, (void *)0, &err), 0);
    CU_ASSERT_EQUAL(eseal_batch_commit(b, record, &o, &err), 0);
    eseal_batch_free(b);
    CU_ASSERT_EQUAL(o.sealed, 1);
    CU_ASSERT_TRUE(exists(numbered("v1-", 0, ".xml")));
    log = unit_slurp(path("v1.log"), NULL);
    CU_ASSERT_EQUAL(unit_count(log, "\n"), 1);
    CU_ASSERT_EQUAL(unit_count(log, "\"result\":\"sealed\""), 1);
    CU_ASSERT_EQUAL(unit_count(log, "\"profile\":null"), 1);
    free(log);
}

typedef struct sealing_thread {
    eseal_batch *b;
    int first;      /* documents first, first + 2, ... */
    int failures;
} sealing_thread;

static void *seal_every_other(void *p)
{
    static const eseal_seal_opts so = ESEAL_SEAL_OPTS_INIT;
    sealing_thread *t = p;
    eseal_error err = { 0, "" };
    char in[600], out[600];  /* numbered() is not for threads */
    int i;

    for (i = t->first; i < DOCS; i += 2) {
        snprintf(in, sizeof(in), "%s/in-%d.xml", dir, i);
        snprintf(out, sizeof(out), "%s/out/%d.xml", dir, i);
        if (eseal_batch_seal_file(t->b, in, out, &so, (void *)(intptr_t)i,
                &err) != 0)
            t->failures++;
    }
    return NULL;
}

/* Two threads seal; nothing is under its name before the commit; the
 * commit reports every document once, and audits each with the profile. */
static void test_batch__outputs_appear_at_commit(void)
{
    eseal_batch_opts opts = ESEAL_BATCH_OPTS_INIT;
    eseal_verify_opts vo = ESEAL_VERIFY_OPTS_INIT;
    eseal_error err = { 0, "" };
    eseal_batch *b = NULL;
    sealing_thread t[2];
    pthread_t th[2];
    outcome o = OUTCOME_INIT;
    eseal_report *r;
    char trust[600], *log;
    int i, verified = 0;

    CU_ASSERT_EQUAL_FATAL(mkdir(path("out"), 0755), 0);
    opts.audit = path("batch.log");
    opts.profile = "unit";
    opts.max_pending = 2 * DOCS;
    CU_ASSERT_EQUAL_FATAL(eseal_batch_open(&b, sealer, &opts, &err), 0);
    for (i = 0; i < 2; i++) {
        t[i].b = b;
        t[i].first = i;
        t[i].failures = 0;
        CU_ASSERT_EQUAL_FATAL(pthread_create(&th[i], NULL, seal_every_other,
            &t[i]), 0);
    }
    for (i = 0; i < 2; i++)
        pthread_join(th[i], NULL);
    CU_ASSERT_EQUAL(t[0].failures + t[1].failures, 0);
    CU_ASSERT_EQUAL(eseal_batch_pending(b), DOCS);
    for (i = 0; i < DOCS; i++)
        CU_ASSERT_FALSE(exists(numbered("out/", i, ".xml")));
    /* the audit log is open, nothing is written yet */
    log = unit_slurp(path("batch.log"), NULL);
    CU_ASSERT_EQUAL(unit_count(log, "\n"), 0);
    free(log);
    CU_ASSERT_EQUAL(eseal_batch_commit(b, record, &o, &err), 0);
    CU_ASSERT_EQUAL(eseal_batch_pending(b), 0);
    eseal_batch_free(b);
    CU_ASSERT_EQUAL(o.calls, DOCS);
    CU_ASSERT_EQUAL(o.sealed, DOCS);
    snprintf(trust, sizeof(trust), "%s", path("pki/trust.pem"));
    vo.trust_file = trust;
    vo.offline = 1;
    for (i = 0; i < DOCS; i++) {
        r = NULL;
        if (eseal_verify_file(&r, numbered("out/", i, ".xml"), &vo,
                &err) == 0 &&
            eseal_report_signature_count(r) == 1 &&
            eseal_report_signature(r, 0)->valid)
            verified++;
        eseal_report_free(r);
    }
    CU_ASSERT_EQUAL(verified, DOCS);
    log = unit_slurp(path("batch.log"), NULL);
    CU_ASSERT_EQUAL(unit_count(log, "\n"), DOCS);
    CU_ASSERT_EQUAL(unit_count(log, "\"result\":\"sealed\""), DOCS);
    CU_ASSERT_EQUAL(unit_count(log, "\"profile\":\"unit\""), DOCS);
    CU_ASSERT_EQUAL(unit_count(log, "\"format\":\"xml\""), DOCS);
    free(log);
}

/* A document that cannot be sealed is reported at the commit, audited as
 * failed, and leaves no output; the documents around it are sealed. */
static void test_batch__a_failure_is_reported_and_audited(void)
{
    static const eseal_seal_opts so = ESEAL_SEAL_OPTS_INIT;
    eseal_batch_opts opts = ESEAL_BATCH_OPTS_INIT;
    eseal_error err = { 0, "" };
    eseal_batch *b = NULL;
    outcome o = OUTCOME_INIT;
    char *log;

    opts.audit = path("fail.log");
    CU_ASSERT_EQUAL_FATAL(eseal_batch_open(&b, sealer, &opts, &err), 0);
    CU_ASSERT_EQUAL(eseal_batch_seal_file(b, numbered("in-", 1, ".xml"),
        numbered("f-", 1, ".xml"), &so, (void *)1, &err), 0);
    CU_ASSERT_EQUAL(eseal_batch_seal_file(b, path("broken.xml"),
        numbered("f-", 2, ".xml"), &so, (void *)2, &err), 0);
    CU_ASSERT_EQUAL(eseal_batch_seal_file(b,
        numbered("no-such-", 3, ".xml"), numbered("f-", 3, ".xml"), &so,
        (void *)3, &err), 0);
    CU_ASSERT_EQUAL(eseal_batch_seal_file(b, numbered("in-", 4, ".xml"),
        numbered("f-", 4, ".xml"), &so, (void *)4, &err), 0);
    CU_ASSERT_EQUAL(eseal_batch_commit(b, record, &o, &err), 0);
    eseal_batch_free(b);
    CU_ASSERT_EQUAL(o.calls, 4);
    CU_ASSERT_EQUAL(o.sealed, 2);
    CU_ASSERT_EQUAL(o.failed, 2);
    /* the last failure: the caller knows the document by its tag */
    CU_ASSERT_EQUAL(o.last_tag, 4);
    CU_ASSERT_PTR_NOT_NULL(strstr(o.message, "cannot open"));
    CU_ASSERT_TRUE(exists(numbered("f-", 1, ".xml")));
    CU_ASSERT_FALSE(exists(numbered("f-", 2, ".xml")));
    CU_ASSERT_FALSE(exists(numbered("f-", 3, ".xml")));
    CU_ASSERT_TRUE(exists(numbered("f-", 4, ".xml")));
    log = unit_slurp(path("fail.log"), NULL);
    CU_ASSERT_EQUAL(unit_count(log, "\n"), 4);
    CU_ASSERT_EQUAL(unit_count(log, "\"result\":\"failed\""), 2);
    CU_ASSERT_EQUAL(unit_count(log, "\"result\":\"sealed\""), 2);
    CU_ASSERT_EQUAL(unit_count(log, "broken.xml"), 1);
    free(log);
}

int main(void)
{
    static const unit_case cases[] = {
        UNIT_CASE(test_batch__unknown_versions_are_refused),
        UNIT_CASE(test_batch__version_1_options),
        UNIT_CASE(test_batch__outputs_appear_at_commit),
        UNIT_CASE(test_batch__a_failure_is_reported_and_audited),
        UNIT_END
    };
    char cmd[600];
    int rc;

    if (suite_init() != 0) {
        fprintf(stderr, "test_batch: cannot set up the demo PKI\n");
        return 1;
    }
    rc = unit_run("batch", cases);
    eseal_sealer_free(sealer);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        rc = rc ? rc : 1;
    return rc;
}
