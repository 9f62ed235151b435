/* Unit tests: the audit log (line format, UTF-8, threads and processes
 * appending at once) and SHA-256. */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
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

/* The whole file, NUL-terminated (free()). */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;

    if (f == NULL)
        return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    rewind(f);
    buf = malloc((size_t)n + 1);
    if (buf != NULL && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    if (buf != NULL) {
        buf[n] = '\0';
        if (len != NULL)
            *len = (size_t)n;
    }
    return buf;
}

/* Occurrences of pat in s. */
static int count(const char *s, const char *pat)
{
    int n = 0;
    size_t len = strlen(pat);

    for (; *s; s++)
        n += strncmp(s, pat, len) == 0;
    return n;
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
    text = slurp(path_of("format.log"), NULL);
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
        "\"error_code\":null}"));
    CU_ASSERT_PTR_NOT_NULL(strstr(nl + 1, "\"input\":\"/in/b.xml\","
        "\"output\":null,\"input_sha256\":null,\"output_sha256\":null,"
        "\"format\":\"xml\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(nl + 1, "\"result\":\"failed\","
        "\"error\":\"not a \\\"document\\\"\",\"error_code\":\"EFORMAT\"}\n"));
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
    text = slurp(path_of("utf8.log"), NULL);
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
    text = slurp(path_of("parallel.log"), &len);
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
        CU_ASSERT_EQUAL(count(line, "\"time\":"), 1);
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

int main(void)
{
    static const unit_case cases[] = {
        UNIT_CASE(test_audit__sha256),
        UNIT_CASE(test_audit__line_format),
        UNIT_CASE(test_audit__names_are_utf8),
        UNIT_CASE(test_audit__refusals),
        UNIT_CASE(test_audit__parallel_writers_never_interleave),
        UNIT_END
    };
    eseal_error err = { 0, "" };
    char cmd[600];
    int rc;

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
