/* Unit tests: the audit log (line format, UTF-8, threads and processes
 * appending at once) and SHA-256. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <eseal/audit.h>
#include <eseal/eseal.h>
#include "unit.h"

static char dir[] = "/tmp/eseal-test-audit-XXXXXX";

static char *path_of(const char *name)
{
    static char p[600];

    snprintf(p, sizeof(p), "%s/%s", dir, name);
    return p;
}

/*
 * fdatasync() as the library sees it in this program: the system call,
 * unless a test gates the calls (each waits until the test releases it)
 * and makes one of them fail.
 */
static pthread_mutex_t fake_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t fake_cond = PTHREAD_COND_INITIALIZER;
static int fake_on, fake_calls, fake_released, fake_fail_call;

int fdatasync(int fd)
{
    int n;

    pthread_mutex_lock(&fake_lock);
    if (!fake_on) {
        pthread_mutex_unlock(&fake_lock);
        return (int)syscall(SYS_fdatasync, fd);
    }
    n = ++fake_calls;
    pthread_cond_broadcast(&fake_cond);
    while (fake_released < n)
        pthread_cond_wait(&fake_cond, &fake_lock);
    pthread_mutex_unlock(&fake_lock);
    if (n == fake_fail_call) {
        errno = EIO;
        return -1;
    }
    return (int)syscall(SYS_fdatasync, fd);
}

/* Waits (10 s at most, against a hang) until n calls have begun. */
static int fake_wait_calls(int n)
{
    int i, got = 0;

    for (i = 0; i < 1000 && !got; i++) {
        pthread_mutex_lock(&fake_lock);
        got = fake_calls >= n;
        pthread_mutex_unlock(&fake_lock);
        if (!got)
            usleep(10000);
    }
    return got;
}

static void fake_release(int n)
{
    pthread_mutex_lock(&fake_lock);
    fake_released = n;
    pthread_cond_broadcast(&fake_cond);
    pthread_mutex_unlock(&fake_lock);
}

static void test_audit__sha256(void)
{
    unsigned char md[32];
    static const unsigned char abc[32] = {
        0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40,
        0xde, 0x5d, 0xae, 0x22, 0x23, 0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17,
        0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad
    };

    eseal_sha256(md, "abc", 3);
    CU_ASSERT_EQUAL(memcmp(md, abc, 32), 0);
}

static void test_audit__line_format(void)
{
    eseal_audit *a = NULL;
    eseal_audit_entry e[2] = { ESEAL_AUDIT_ENTRY_INIT,
                               ESEAL_AUDIT_ENTRY_INIT };
    eseal_error err = { 0, "" };
    unsigned char in[32], out[32];
    char *text, *nl;
    struct stat st;
    mode_t mask = umask(022);

    memset(in, 0xab, sizeof(in));
    memset(out, 0x01, sizeof(out));
    CU_ASSERT_EQUAL_FATAL(eseal_audit_open(&a, path_of("format.log"), 0,
        &err), 0);
    umask(mask);
    CU_ASSERT_EQUAL(stat(path_of("format.log"), &st), 0);
    CU_ASSERT_EQUAL(st.st_mode & 0777, 0640);
    e[0].time = 86400;
    e[0].input = "/in/a.pdf";
    e[0].output = "/out/a.pdf";
    e[0].input_sha256 = in;
    e[0].output_sha256 = out;
    e[0].format = ESEAL_FORMAT_PDF;
    e[0].level = ESEAL_LEVEL_B_B;
    e[1].input = "/in/b.xml";
    e[1].format = ESEAL_FORMAT_XML;
    e[1].result = ESEAL_EFORMAT;
    e[1].error = "not a \"document\"";
    CU_ASSERT_EQUAL_FATAL(eseal_audit_append(a, e, 2, &err), 0);
    eseal_audit_close(a);
    text = unit_slurp(path_of("format.log"), NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    nl = strchr(text, '\n');
    CU_ASSERT_PTR_NOT_NULL_FATAL(nl);
    *nl = '\0';
    CU_ASSERT_EQUAL(strncmp(text, "{\"time\":\"1970-01-02T00:00:00Z\","
        "\"host\":\"", 38), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"input\":\"/in/a.pdf\","
        "\"output\":\"/out/a.pdf\",\"input_sha256\":\"abababab"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"output_sha256\":\"01010101"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"format\":\"pdf\",\"level\":"
        "\"B-B\",\"certificate\":null,\"result\":\"sealed\",\"error\":null,"
        "\"error_code\":null,\"profile\":null,\"input_size\":null,"
        "\"output_size\":null,\"context\":{}}"));
    CU_ASSERT_PTR_NOT_NULL(strstr(nl + 1, "\"input\":\"/in/b.xml\","
        "\"output\":null,\"input_sha256\":null,\"output_sha256\":null,"
        "\"format\":\"xml\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(nl + 1, "\"result\":\"failed\","
        "\"error\":\"not a \\\"document\\\"\",\"error_code\":\"EFORMAT\","));
    CU_ASSERT_PTR_NULL(strchr(nl + 1, '\n') == NULL ? NULL :
        strchr(strchr(nl + 1, '\n') + 1, '\n'));
    free(text);
}

static void test_audit__names_are_utf8(void)
{
    eseal_audit *a = NULL;
    eseal_audit_entry e = ESEAL_AUDIT_ENTRY_INIT;
    eseal_error err = { 0, "" };
    char *text;

    CU_ASSERT_EQUAL_FATAL(eseal_audit_open(&a, path_of("utf8.log"), 0,
        &err), 0);
    e.input = "/in/\xe8\xab\x8b\xe6\xb1\x82\xe6\x9b\xb8.pdf";  /* 請求書 */
    e.output = "/out/bad\xff\xc0\x80-\xed\xa0\x80.pdf\nx\t";
    CU_ASSERT_EQUAL(eseal_audit_append(a, &e, 1, &err), 0);
    eseal_audit_close(a);
    text = unit_slurp(path_of("utf8.log"), NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    CU_ASSERT_PTR_NOT_NULL(strstr(text,
        "\"/in/\xe8\xab\x8b\xe6\xb1\x82\xe6\x9b\xb8.pdf\""));
    /* overlong, surrogate and stray bytes each become U+FFFD */
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"/out/bad\xef\xbf\xbd\xef\xbf\xbd"
        "\xef\xbf\xbd-\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd.pdf\\nx\\t\""));
    CU_ASSERT_EQUAL(strchr(text, '\n'), text + strlen(text) - 1);
    free(text);
}

static void test_audit__refusals(void)
{
    eseal_audit *a = NULL;
    eseal_audit_entry e = ESEAL_AUDIT_ENTRY_INIT;
    eseal_error err = { 0, "" };

    CU_ASSERT_EQUAL(eseal_audit_open(&a, dir, 0, &err), ESEAL_EIO);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "cannot open the audit log"));
    CU_ASSERT_PTR_NULL(a);
    CU_ASSERT_EQUAL(eseal_audit_open(&a, path_of("no/such/dir/x.log"), 0,
        &err), ESEAL_EIO);
    CU_ASSERT_EQUAL_FATAL(eseal_audit_open(&a, path_of("v.log"), 0, &err),
        0);
    e.version = 99;
    CU_ASSERT_EQUAL(eseal_audit_append(a, &e, 1, &err), ESEAL_EINVAL);
    CU_ASSERT_EQUAL(eseal_audit_append(a, NULL, 0, &err), 0);
    eseal_audit_close(a);
    eseal_audit_close(NULL);
}

static void test_audit__context_profile_sizes(void)
{
    eseal_audit *a = NULL;
    eseal_audit_entry e = ESEAL_AUDIT_ENTRY_INIT;
    eseal_error err = { 0, "" };
    eseal_audit_field f[3] = {
        { "queue", "sealed-pdf" },
        { "job_id", "42" },
        { "title", "Rechnung \"März\"\n\xff" },
    };
    char *text;

    CU_ASSERT_EQUAL_FATAL(eseal_audit_open(&a, path_of("ctx.log"), 0,
        &err), 0);
    e.input = "job 42";
    e.profile = "invoices";
    e.input_size = 0;
    e.output_size = 123456789012LL;
    e.context = f;
    e.n_context = 3;
    CU_ASSERT_EQUAL(eseal_audit_append(a, &e, 1, &err), 0);
    f[1].value = NULL;
    e.n_context = 2;
    e.profile = NULL;
    e.input_size = -1;
    CU_ASSERT_EQUAL(eseal_audit_append(a, &e, 1, &err), 0);
    eseal_audit_close(a);
    text = unit_slurp(path_of("ctx.log"), NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"error_code\":null,\"profile\":"
        "\"invoices\",\"input_size\":0,\"output_size\":123456789012,"
        "\"context\":{\"queue\":\"sealed-pdf\",\"job_id\":\"42\",\"title\":"
        "\"Rechnung \\\"M\xc3\xa4rz\\\"\\n\xef\xbf\xbd\"}}\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"profile\":null,\"input_size\":"
        "null,\"output_size\":123456789012,\"context\":{\"queue\":"
        "\"sealed-pdf\",\"job_id\":null}}\n"));
    CU_ASSERT_EQUAL(unit_count(text, "\n"), 2);
    free(text);
}

static void test_audit__long_values_are_cut(void)
{
    eseal_audit *a = NULL;
    eseal_audit_entry e = ESEAL_AUDIT_ENTRY_INIT;
    eseal_error err = { 0, "" };
    eseal_audit_field f = { "title", NULL };
    char title[3000], *text, *v, *end;
    size_t i;

    /* 'x' then 3-byte characters: the cut falls inside one of them */
    title[0] = 'x';
    for (i = 1; i + 3 < sizeof(title); i += 3)
        memcpy(title + i, "\xe2\x82\xac", 3);          /* U+20AC */
    title[i] = '\0';
    f.value = title;
    e.context = &f;
    e.n_context = 1;
    CU_ASSERT_EQUAL_FATAL(eseal_audit_open(&a, path_of("long.log"), 0,
        &err), 0);
    CU_ASSERT_EQUAL(eseal_audit_append(a, &e, 1, &err), 0);
    eseal_audit_close(a);
    text = unit_slurp(path_of("long.log"), NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    v = strstr(text, "\"title\":\"");
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    v += 9;
    end = strchr(v, '"');
    CU_ASSERT_PTR_NOT_NULL_FATAL(end);
    /* 1 + 341 * 3 = 1024 bytes: whole characters only */
    CU_ASSERT_EQUAL(end - v, 1 + 341 * 3);
    CU_ASSERT_EQUAL(end - v <= ESEAL_AUDIT_MAX_VALUE, 1);
    CU_ASSERT_EQUAL(memcmp(end - 3, "\xe2\x82\xac", 3), 0);
    free(text);
}

static void test_audit__bad_context_refused(void)
{
    eseal_audit *a = NULL;
    eseal_audit_entry e[2] = { ESEAL_AUDIT_ENTRY_INIT,
                               ESEAL_AUDIT_ENTRY_INIT };
    eseal_error err = { 0, "" };
    eseal_audit_field many[ESEAL_AUDIT_MAX_CONTEXT + 1];
    eseal_audit_field bad[2] = { { "queue", "a" }, { "queue", "b" } };
    static const char *const names[] = {
        "Queue", "1job", "", "job-id", "job id", "title\"",
        "abcdefghijklmnopqrstuvwxyz0123456", NULL
    };
    char *text;
    size_t len = 0;
    int i;

    CU_ASSERT_EQUAL_FATAL(eseal_audit_open(&a, path_of("badctx.log"), 0,
        &err), 0);
    e[1].context = bad;
    e[1].n_context = 2;
    CU_ASSERT_EQUAL(eseal_audit_append(a, e, 2, &err), ESEAL_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "'queue' given twice"));
    bad[1].name = NULL;
    CU_ASSERT_EQUAL(eseal_audit_append(a, e, 2, &err), ESEAL_EINVAL);
    for (i = 0; names[i] != NULL; i++) {
        bad[1].name = names[i];
        CU_ASSERT_EQUAL(eseal_audit_append(a, e, 2, &err), ESEAL_EINVAL);
        CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "invalid audit context "
            "field name"));
    }
    for (i = 0; i <= ESEAL_AUDIT_MAX_CONTEXT; i++) {
        static char nm[ESEAL_AUDIT_MAX_CONTEXT + 1][8];

        snprintf(nm[i], sizeof(nm[i]), "f%d", i);
        many[i].name = nm[i];
        many[i].value = "v";
    }
    e[1].context = many;
    e[1].n_context = ESEAL_AUDIT_MAX_CONTEXT + 1;
    CU_ASSERT_EQUAL(eseal_audit_append(a, e, 2, &err), ESEAL_EINVAL);
    e[1].context = NULL;
    e[1].n_context = 1;
    CU_ASSERT_EQUAL(eseal_audit_append(a, e, 2, &err), ESEAL_EINVAL);
    /* a 32-byte name and the most fields are fine */
    bad[1].name = "abcdefghijklmnopqrstuvwxyz012345";
    e[0].context = bad;
    e[0].n_context = 2;
    e[1].context = many;
    e[1].n_context = ESEAL_AUDIT_MAX_CONTEXT;
    CU_ASSERT_EQUAL(eseal_audit_append(a, e, 2, &err), 0);
    eseal_audit_close(a);
    /* nothing of a refused call was written */
    text = unit_slurp(path_of("badctx.log"), &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    CU_ASSERT_EQUAL(unit_count(text, "\n"), 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"abcdefghijklmnopqrstuvwxyz012345"
        "\":\"b\"}}\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"f15\":\"v\"}}\n"));
    free(text);
}

/* The layout of a version 1 entry, as programs built against it pass. */
typedef struct old_entry {
    unsigned int version;
    time_t time;
    const char *input;
    const char *output;
    const unsigned char *input_sha256;
    const unsigned char *output_sha256;
    eseal_format format;
    eseal_level level;
    const eseal_sealer *sealer;
    int result;
    const char *error;
} old_entry;

static void test_audit__version_1_entries(void)
{
    eseal_audit *a = NULL;
    eseal_error err = { 0, "" };
    old_entry old[3];
    char *text;

    memset(old, 0, sizeof(old));
    old[0].version = old[1].version = old[2].version = 1;
    old[0].input = "/in/one.pdf";
    old[0].format = ESEAL_FORMAT_PDF;
    old[1].input = "/in/two.xml";
    old[1].format = ESEAL_FORMAT_XML;
    old[1].level = ESEAL_LEVEL_B_T;
    old[1].result = ESEAL_EIO;
    old[2].input = "/in/three.pdf";
    CU_ASSERT_EQUAL_FATAL(eseal_audit_open(&a, path_of("v1.log"), 0, &err),
        0);
    CU_ASSERT_EQUAL(eseal_audit_append(a,
        (const eseal_audit_entry *)(const void *)old, 3, &err), 0);
    /* versions are not mixed in one call */
    old[2].version = 2;
    CU_ASSERT_EQUAL(eseal_audit_append(a,
        (const eseal_audit_entry *)(const void *)old, 3, &err),
        ESEAL_EINVAL);
    eseal_audit_close(a);
    text = unit_slurp(path_of("v1.log"), NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    CU_ASSERT_EQUAL(unit_count(text, "\n"), 3);
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"input\":\"/in/one.pdf\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"input\":\"/in/two.xml\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"input\":\"/in/three.pdf\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"format\":\"xml\",\"level\":\"B-T\""
        ",\"certificate\":null,\"result\":\"failed\""));
    CU_ASSERT_EQUAL(unit_count(text, "\"profile\":null,\"input_size\":null,"
        "\"output_size\":null,\"context\":{}}\n"), 3);
    free(text);
}

static void test_audit__reopen_after_rename(void)
{
    eseal_audit *a = NULL;
    eseal_audit_entry e = ESEAL_AUDIT_ENTRY_INIT;
    eseal_error err = { 0, "" };
    char old[100], *text;
    struct stat st;

    snprintf(old, sizeof(old), "%s/rot.log.1", dir);
    CU_ASSERT_EQUAL_FATAL(eseal_audit_open(&a, path_of("rot.log"), 0, &err),
        0);
    e.input = "/before";
    CU_ASSERT_EQUAL(eseal_audit_append(a, &e, 1, &err), 0);
    CU_ASSERT_EQUAL_FATAL(rename(path_of("rot.log"), old), 0);
    e.input = "/renamed";
    CU_ASSERT_EQUAL(eseal_audit_append(a, &e, 1, &err), 0);
    CU_ASSERT_EQUAL(eseal_audit_reopen(a, &err), 0);
    CU_ASSERT_EQUAL(stat(path_of("rot.log"), &st), 0);
    e.input = "/after";
    CU_ASSERT_EQUAL(eseal_audit_append(a, &e, 1, &err), 0);
    /* reopen fails (the path is a directory now): the file stays */
    snprintf(old, sizeof(old), "%s/rot.log.2", dir);
    CU_ASSERT_EQUAL_FATAL(rename(path_of("rot.log"), old), 0);
    CU_ASSERT_EQUAL_FATAL(mkdir(path_of("rot.log"), 0700), 0);
    CU_ASSERT_EQUAL(eseal_audit_reopen(a, &err), ESEAL_EIO);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "rot.log: cannot open the "
        "audit log again: "));
    e.input = "/kept";
    CU_ASSERT_EQUAL(eseal_audit_append(a, &e, 1, &err), 0);
    CU_ASSERT_EQUAL(eseal_audit_reopen(NULL, &err), ESEAL_EINVAL);
    eseal_audit_close(a);
    text = unit_slurp(path_of("rot.log.1"), NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    CU_ASSERT_EQUAL(unit_count(text, "\n"), 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"input\":\"/before\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"input\":\"/renamed\""));
    free(text);
    text = unit_slurp(path_of("rot.log.2"), NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    CU_ASSERT_EQUAL(unit_count(text, "\n"), 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"input\":\"/after\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"input\":\"/kept\""));
    free(text);
}

#define THREADS 6
#define PROCS 3
#define PER_WRITER 150

typedef struct writer_arg {
    eseal_audit *audit;
    int id;
    int ok;
} writer_arg;

/* Appends PER_WRITER lines, one or three at a time, with long names so
 * that lines are bigger than a pipe buffer page. */
static int write_lines(eseal_audit *a, int id)
{
    eseal_audit_entry e[3] = { ESEAL_AUDIT_ENTRY_INIT,
                               ESEAL_AUDIT_ENTRY_INIT,
                               ESEAL_AUDIT_ENTRY_INIT };
    eseal_error err = { 0, "" };
    char local[3][6000];
    int i = 0, k;

    while (i < PER_WRITER) {
        int n = (i % 4 == 0 && i + 3 <= PER_WRITER) ? 3 : 1;

        for (k = 0; k < n; k++) {
            char prefix[40];
            int m = snprintf(prefix, sizeof(prefix), "/w%02d/doc%05d/", id,
                i + k);

            memset(local[k], 'a' + id % 26, sizeof(local[k]) - 1);
            local[k][sizeof(local[k]) - 1] = '\0';
            memcpy(local[k], prefix, (size_t)m);
            e[k].input = local[k];
            e[k].result = (i + k) % 7 == 0 ? ESEAL_EFORMAT : 0;
        }
        if (eseal_audit_append(a, e, (size_t)n, &err) < 0)
            return 0;
        i += n;
    }
    return 1;
}

static void *writer_thread(void *p)
{
    writer_arg *w = p;

    w->ok = write_lines(w->audit, w->id);
    return NULL;
}

static void test_audit__parallel_writers_never_interleave(void)
{
    eseal_audit *a = NULL;
    eseal_error err = { 0, "" };
    pthread_t t[THREADS];
    writer_arg w[THREADS];
    pid_t pid[PROCS];
    int i, status, seen[THREADS + PROCS][PER_WRITER];
    char *text, *line, *next;
    size_t len, lines = 0;

    CU_ASSERT_EQUAL_FATAL(eseal_audit_open(&a, path_of("parallel.log"),
        ESEAL_AUDIT_NO_SYNC, &err), 0);
    for (i = 0; i < PROCS; i++) {
        fflush(NULL);
        pid[i] = fork();
        if (pid[i] == 0) {
            eseal_audit *own = NULL;
            int ok = eseal_audit_open(&own, path_of("parallel.log"), 0,
                         NULL) == 0 && write_lines(own, THREADS + i);

            eseal_audit_close(own);
            _exit(ok ? 0 : 1);
        }
    }
    for (i = 0; i < THREADS; i++) {
        w[i].audit = a;
        w[i].id = i;
        pthread_create(&t[i], NULL, writer_thread, &w[i]);
    }
    for (i = 0; i < THREADS; i++) {
        pthread_join(t[i], NULL);
        CU_ASSERT_TRUE(w[i].ok);
    }
    for (i = 0; i < PROCS; i++) {
        CU_ASSERT_EQUAL(waitpid(pid[i], &status, 0), pid[i]);
        CU_ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    eseal_audit_close(a);
    text = unit_slurp(path_of("parallel.log"), &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    memset(seen, 0, sizeof(seen));
    for (line = text; *line; line = next) {
        int wid = -1, doc = -1;
        char *input;

        next = strchr(line, '\n');
        CU_ASSERT_PTR_NOT_NULL_FATAL(next);
        *next++ = '\0';
        lines++;
        /* a whole line: one object, one of each key, in order */
        CU_ASSERT_EQUAL_FATAL(strncmp(line, "{\"time\":\"", 9), 0);
        CU_ASSERT_EQUAL(unit_count(line, "\"time\":"), 1);
        CU_ASSERT_EQUAL(line[strlen(line) - 1], '}');
        input = strstr(line, "\"input\":\"/w");
        CU_ASSERT_PTR_NOT_NULL_FATAL(input);
        CU_ASSERT_EQUAL(sscanf(input, "\"input\":\"/w%02d/doc%05d/", &wid,
            &doc), 2);
        if (wid >= 0 && wid < THREADS + PROCS && doc >= 0 &&
            doc < PER_WRITER)
            seen[wid][doc]++;
        CU_ASSERT_PTR_NOT_NULL(strstr(line, (doc % 7 == 0) ?
            "\"result\":\"failed\"" : "\"result\":\"sealed\""));
    }
    CU_ASSERT_EQUAL(lines, (size_t)(THREADS + PROCS) * PER_WRITER);
    for (i = 0; i < THREADS + PROCS; i++) {
        int k;

        for (k = 0; k < PER_WRITER; k++)
            CU_ASSERT_EQUAL(seen[i][k], 1);
    }
    free(text);
}

typedef struct flush_arg {
    eseal_audit *audit;
    const char *input;
    int rc;
    atomic_int done;
    eseal_error err;
} flush_arg;

static void *flush_thread(void *p)
{
    flush_arg *f = p;
    eseal_audit_entry e = ESEAL_AUDIT_ENTRY_INIT;

    e.input = f->input;
    f->rc = eseal_audit_append(f->audit, &e, 1, &f->err);
    atomic_store(&f->done, 1);
    return NULL;
}

/* Lines in the file (10 s at most until there are n). */
static int wait_lines(const char *path, int n)
{
    int i, got = 0;

    for (i = 0; i < 1000; i++) {
        char *text = unit_slurp(path, NULL);

        got = text != NULL ? unit_count(text, "\n") : 0;
        free(text);
        if (got >= n)
            break;
        usleep(10000);
    }
    return got;
}

/*
 * The group commit, with fdatasync() gated: A's flush is running when B, C
 * and D write their lines; they are not reported durable by it (it began
 * before their writes) but wait for the next one, which the three share.
 * A's flush fails: A alone gets the error.
 */
static void test_audit__flushes_are_shared_and_cover_only_earlier_lines(void)
{
    static const char *const names[4] = { "/a", "/b", "/c", "/d" };
    eseal_audit *a = NULL;
    eseal_error err = { 0, "" };
    pthread_t t[4];
    flush_arg f[4];
    int i;

    CU_ASSERT_EQUAL_FATAL(eseal_audit_open(&a, path_of("group.log"), 0,
        &err), 0);
    pthread_mutex_lock(&fake_lock);
    fake_on = 1;
    fake_calls = fake_released = 0;
    fake_fail_call = 1;
    pthread_mutex_unlock(&fake_lock);
    memset(f, 0, sizeof(f));
    for (i = 0; i < 4; i++) {
        f[i].audit = a;
        f[i].input = names[i];
    }
    pthread_create(&t[0], NULL, flush_thread, &f[0]);
    CU_ASSERT_TRUE_FATAL(fake_wait_calls(1));
    for (i = 1; i < 4; i++)
        pthread_create(&t[i], NULL, flush_thread, &f[i]);
    /* B, C and D write while A's flush runs */
    CU_ASSERT_EQUAL(wait_lines(path_of("group.log"), 4), 4);
    for (i = 0; i < 4; i++)
        CU_ASSERT_FALSE(atomic_load(&f[i].done));
    fake_release(1);
    pthread_join(t[0], NULL);
    CU_ASSERT_EQUAL(f[0].rc, ESEAL_EIO);
    CU_ASSERT_PTR_NOT_NULL(strstr(f[0].err.message, "group.log: cannot "
        "flush the audit log: "));
    /* the second flush has begun for B, C and D, who still wait */
    CU_ASSERT_TRUE(fake_wait_calls(2));
    for (i = 1; i < 4; i++)
        CU_ASSERT_FALSE(atomic_load(&f[i].done));
    fake_release(2);
    for (i = 1; i < 4; i++) {
        pthread_join(t[i], NULL);
        CU_ASSERT_EQUAL(f[i].rc, 0);
    }
    pthread_mutex_lock(&fake_lock);
    CU_ASSERT_EQUAL(fake_calls, 2);
    fake_on = 0;
    pthread_mutex_unlock(&fake_lock);
    eseal_audit_close(a);
}

/* A reopen waits for the flush in progress and flushes the lines written
 * meanwhile to the old file before it changes files. */
static void test_audit__reopen_flushes_the_old_file(void)
{
    eseal_audit *a = NULL;
    eseal_error err = { 0, "" };
    pthread_t t[2];
    flush_arg f[2];
    char old[100], *text;
    int i;

    CU_ASSERT_EQUAL_FATAL(eseal_audit_open(&a, path_of("reflush.log"), 0,
        &err), 0);
    pthread_mutex_lock(&fake_lock);
    fake_on = 1;
    fake_calls = fake_released = 0;
    fake_fail_call = 0;
    pthread_mutex_unlock(&fake_lock);
    memset(f, 0, sizeof(f));
    f[0].audit = f[1].audit = a;
    f[0].input = "/first";
    f[1].input = "/second";
    pthread_create(&t[0], NULL, flush_thread, &f[0]);
    CU_ASSERT_TRUE_FATAL(fake_wait_calls(1));
    pthread_create(&t[1], NULL, flush_thread, &f[1]);
    CU_ASSERT_EQUAL(wait_lines(path_of("reflush.log"), 2), 2);
    snprintf(old, sizeof(old), "%s/reflush.log.1", dir);
    CU_ASSERT_EQUAL(rename(path_of("reflush.log"), old), 0);
    /* the reopen flushes /second in the old file (call 2) first */
    fake_release(2);
    CU_ASSERT_EQUAL(eseal_audit_reopen(a, &err), 0);
    for (i = 0; i < 2; i++) {
        pthread_join(t[i], NULL);
        CU_ASSERT_EQUAL(f[i].rc, 0);
    }
    pthread_mutex_lock(&fake_lock);
    CU_ASSERT_EQUAL(fake_calls, 2);
    fake_on = 0;
    pthread_mutex_unlock(&fake_lock);
    f[0].input = "/third";
    (void)flush_thread(&f[0]);
    CU_ASSERT_EQUAL(f[0].rc, 0);
    eseal_audit_close(a);
    text = unit_slurp(old, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    CU_ASSERT_EQUAL(unit_count(text, "\n"), 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"/second\""));
    free(text);
    text = unit_slurp(path_of("reflush.log"), NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    CU_ASSERT_EQUAL(unit_count(text, "\n"), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"/third\""));
    free(text);
}

#define ROT_THREADS 4
#define ROT_LINES 200
#define ROTATIONS 5

typedef struct rot_arg {
    eseal_audit *audit;
    int id;
    int ok;
} rot_arg;

static void *rot_thread(void *p)
{
    rot_arg *r = p;
    eseal_audit_entry e = ESEAL_AUDIT_ENTRY_INIT;
    eseal_error err = { 0, "" };
    char input[64];
    int i;

    r->ok = 1;
    e.input = input;
    for (i = 0; i < ROT_LINES; i++) {
        snprintf(input, sizeof(input), "/t%d/%05d", r->id, i);
        if (eseal_audit_append(r->audit, &e, 1, &err) < 0)
            r->ok = 0;
    }
    return NULL;
}

/* Threads append with sync on (group flushes) while the log is renamed
 * and reopened: every line is in exactly one of the files, whole. */
static void test_audit__rotation_under_load(void)
{
    eseal_audit *a = NULL;
    eseal_error err = { 0, "" };
    pthread_t t[ROT_THREADS];
    rot_arg r[ROT_THREADS];
    static int seen[ROT_THREADS][ROT_LINES];
    char name[100], *text, *line, *next;
    int i, k, files = 0, lines = 0;

    CU_ASSERT_EQUAL_FATAL(eseal_audit_open(&a, path_of("load.log"), 0,
        &err), 0);
    for (i = 0; i < ROT_THREADS; i++) {
        r[i].audit = a;
        r[i].id = i;
        pthread_create(&t[i], NULL, rot_thread, &r[i]);
    }
    for (k = 1; k <= ROTATIONS; k++) {
        usleep(20000);
        snprintf(name, sizeof(name), "%s/load.log.%d", dir, k);
        CU_ASSERT_EQUAL(rename(path_of("load.log"), name), 0);
        CU_ASSERT_EQUAL(eseal_audit_reopen(a, &err), 0);
    }
    for (i = 0; i < ROT_THREADS; i++) {
        pthread_join(t[i], NULL);
        CU_ASSERT_TRUE(r[i].ok);
    }
    eseal_audit_close(a);
    memset(seen, 0, sizeof(seen));
    for (k = 0; k <= ROTATIONS; k++) {
        if (k == 0)
            snprintf(name, sizeof(name), "load.log");
        else
            snprintf(name, sizeof(name), "load.log.%d", k);
        text = unit_slurp(path_of(name), NULL);
        CU_ASSERT_PTR_NOT_NULL_FATAL(text);
        files += *text != '\0';
        for (line = text; *line; line = next) {
            int tid = -1, n = -1;
            char *in;

            next = strchr(line, '\n');
            CU_ASSERT_PTR_NOT_NULL_FATAL(next);
            *next++ = '\0';
            lines++;
            CU_ASSERT_EQUAL(strncmp(line, "{\"time\":\"", 9), 0);
            CU_ASSERT_EQUAL(line[strlen(line) - 1], '}');
            in = strstr(line, "\"input\":\"/t");
            CU_ASSERT_PTR_NOT_NULL_FATAL(in);
            CU_ASSERT_EQUAL(sscanf(in, "\"input\":\"/t%d/%d", &tid, &n), 2);
            if (tid >= 0 && tid < ROT_THREADS && n >= 0 && n < ROT_LINES)
                seen[tid][n]++;
        }
        free(text);
    }
    CU_ASSERT_EQUAL(lines, ROT_THREADS * ROT_LINES);
    for (i = 0; i < ROT_THREADS; i++)
        for (k = 0; k < ROT_LINES; k++)
            CU_ASSERT_EQUAL(seen[i][k], 1);
    /* the rotations happened while lines were written */
    CU_ASSERT_TRUE(files >= 2);
}

/*
 * The benchmark (not a test): test_audit bench [DIR [SECONDS]] appends
 * lines for SECONDS with 1 and 4 threads, sync on and off, to a log in
 * DIR (default: the current directory; use a real disk, not tmpfs), and
 * prints lines/s.  Every append returns only once its line is durable
 * when sync is on.
 */
typedef struct bench_arg {
    eseal_audit *audit;
    int id;
    atomic_int *stop;
    long lines;
    int failed;
} bench_arg;

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *bench_thread(void *p)
{
    bench_arg *b = p;
    eseal_audit_entry e = ESEAL_AUDIT_ENTRY_INIT;
    eseal_error err = { 0, "" };
    unsigned char in[32], out[32];
    char input[160], output[160];

    memset(in, 0x5a, sizeof(in));
    memset(out, 0xa5, sizeof(out));
    e.input = input;
    e.output = output;
    e.input_sha256 = in;
    e.output_sha256 = out;
    e.format = ESEAL_FORMAT_PDF;
    while (!atomic_load(b->stop)) {
        snprintf(input, sizeof(input), "/srv/incoming/2026/11/thread%d/"
            "invoice-%08ld.pdf", b->id, b->lines);
        snprintf(output, sizeof(output), "/srv/sealed/2026/11/thread%d/"
            "invoice-%08ld.pdf", b->id, b->lines);
        if (eseal_audit_append(b->audit, &e, 1, &err) < 0) {
            fprintf(stderr, "bench: %s\n", err.message);
            b->failed = 1;
            break;
        }
        b->lines++;
    }
    return NULL;
}

static int bench_run(const char *path, int threads, unsigned int flags,
    double seconds)
{
    eseal_audit *a = NULL;
    eseal_error err = { 0, "" };
    pthread_t t[16];
    bench_arg b[16];
    atomic_int stop = 0;
    double t0, t1;
    long total = 0;
    int i, failed = 0;

    unlink(path);
    if (eseal_audit_open(&a, path, flags, &err) < 0) {
        fprintf(stderr, "bench: %s\n", err.message);
        return -1;
    }
    t0 = now_s();
    for (i = 0; i < threads; i++) {
        memset(&b[i], 0, sizeof(b[i]));
        b[i].audit = a;
        b[i].id = i;
        b[i].stop = &stop;
        pthread_create(&t[i], NULL, bench_thread, &b[i]);
    }
    while (now_s() - t0 < seconds)
        usleep(10000);
    atomic_store(&stop, 1);
    for (i = 0; i < threads; i++) {
        pthread_join(t[i], NULL);
        total += b[i].lines;
        failed |= b[i].failed;
    }
    t1 = now_s();
    eseal_audit_close(a);
    unlink(path);
    printf("%d thread%s, sync %-3s: %7ld lines in %.2f s = %9.0f lines/s\n",
        threads, threads > 1 ? "s" : " ",
        flags & ESEAL_AUDIT_NO_SYNC ? "off" : "on", total, t1 - t0,
        (double)total / (t1 - t0));
    return failed ? -1 : 0;
}

static int bench(const char *where, double seconds)
{
    static const int threads[] = { 1, 4 };
    char path[600];
    size_t i;

    snprintf(path, sizeof(path), "%s/eseal-audit-bench.log", where);
    for (i = 0; i < sizeof(threads) / sizeof(threads[0]); i++)
        if (bench_run(path, threads[i], 0, seconds) < 0 ||
            bench_run(path, threads[i], ESEAL_AUDIT_NO_SYNC, seconds) < 0)
            return 1;
    return 0;
}

int main(int argc, char **argv)
{
    static const unit_case cases[] = {
        UNIT_CASE(test_audit__sha256),
        UNIT_CASE(test_audit__line_format),
        UNIT_CASE(test_audit__names_are_utf8),
        UNIT_CASE(test_audit__refusals),
        UNIT_CASE(test_audit__parallel_writers_never_interleave),
        UNIT_CASE(test_audit__context_profile_sizes),
        UNIT_CASE(test_audit__long_values_are_cut),
        UNIT_CASE(test_audit__bad_context_refused),
        UNIT_CASE(test_audit__version_1_entries),
        UNIT_CASE(test_audit__reopen_after_rename),
        UNIT_CASE(test_audit__rotation_under_load),
        UNIT_CASE(test_audit__flushes_are_shared_and_cover_only_earlier_lines),
        UNIT_CASE(test_audit__reopen_flushes_the_old_file),
        UNIT_END
    };
    eseal_error err = { 0, "" };
    char cmd[600];
    int rc;

    if (argc >= 2 && strcmp(argv[1], "bench") == 0) {
        if (eseal_init(&err) < 0)
            return 2;
        rc = bench(argc >= 3 ? argv[2] : ".", argc >= 4 ? atof(argv[3])
                                                        : 3.0);
        eseal_shutdown();
        return rc;
    }
    if (mkdtemp(dir) == NULL || eseal_init(&err) < 0)
        return 2;
    rc = unit_run("audit", cases);
    if (rc == 0) {
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        (void)system(cmd);
    }
    eseal_shutdown();
    return rc;
}
