/*
 * eseal unit tests - the self-check's helper process (pdf/selfcheck_*.c):
 * sealing with the self-check leaves no child and no descriptor behind,
 * the known Poppler/NSS crash input never takes the caller down, and the
 * spawning code reports programs that die by a signal, hang, or answer
 * too much.  Those last cases run real programs (/bin/sh) in place of the
 * helper: eseal__selfcheck_run() runs any program.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "core/core_int.h"
#include "pdf/pdf_adapter.h"
#include "pdf/selfcheck.h"
#include "eseal/eseal.h"
#include "eseal/demo.h"
#include "eseal/seal.h"
#include "eseal/sealer.h"
#include "tests/unit/unit.h"

static char pki[] = "/tmp/eseal-selfcheck-XXXXXX";
static eseal_sealer *sealer;

static int count_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    struct dirent *e;
    int n = 0;

    if (d == NULL)
        return -1;
    while ((e = readdir(d)) != NULL)
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

/* 1 when the process has no child left, zombie or running. */
static int no_children(void)
{
    int st;

    return waitpid(-1, &st, WNOHANG) < 0 && errno == ECHILD;
}

static int read_sample(eseal_bytes *out, const char *rel)
{
    const char *root = getenv("ESEAL_SOURCE_ROOT");
    char path[4096];
    eseal_source src;
    eseal_error err;

    snprintf(path, sizeof(path), "%s/%s", root ? root : "..", rel);
    if (eseal__source_open_file(&src, path, &err) < 0) {
        fprintf(stderr, "\n  %s: %s\n", path, err.message);
        return -1;
    }
    out->len = (size_t)src.size;
    out->data = malloc(out->len);
    if (out->data != NULL)
        memcpy(out->data, src.data, out->len);
    eseal__source_close(&src);
    return out->data != NULL ? 0 : -1;
}

static void open_sealer(void)
{
    eseal_sealer_opts so = ESEAL_SEALER_OPTS_INIT;
    eseal_error err = { 0, "" };
    char key[300], cert[300];

    if (sealer != NULL)
        return;
    CU_ASSERT_FATAL(eseal_init(&err) == 0);
    CU_ASSERT_FATAL(mkdtemp(pki) != NULL);
    CU_ASSERT_FATAL(eseal_demo_pki(pki, NULL, &err) == 0);
    snprintf(key, sizeof(key), "%s/eseal-rsa.key", pki);
    snprintf(cert, sizeof(cert), "%s/eseal-rsa.pem", pki);
    so.key = key;
    so.cert = cert;
    if (eseal_sealer_open(&sealer, &so, &err) < 0)
        fprintf(stderr, "\n  sealer: %s\n", err.message);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sealer);
}

/* Twenty seals with the self-check: no zombie, no descriptor left. */
static void test_selfcheck__no_children_left(void)
{
    eseal_seal_opts opts = ESEAL_SEAL_OPTS_INIT;
    eseal_error err = { 0, "" };
    eseal_bytes in = { NULL, 0 }, out;
    int i, fds, rc;

    open_sealer();
    CU_ASSERT_FATAL(read_sample(&in, "samples/pdf/classic.pdf") == 0);
    opts.self_check = 1;
    fds = count_fds();
    for (i = 0; i < 20; i++) {
        rc = eseal_seal_buffer(&out, sealer, in.data, in.len, &opts, &err);
        if (rc < 0)
            fprintf(stderr, "\n  seal %d: %s\n", i, err.message);
        CU_ASSERT_EQUAL(rc, 0);
        eseal_bytes_free(&out);
    }
    CU_ASSERT_TRUE(no_children());
    CU_ASSERT_EQUAL(count_fds(), fds);
    free(in.data);
}

/* The input on which Poppler/NSS 22.12 used memory after freeing it:
 * sealed, or refused by the self-check; the caller lives on. */
static void test_selfcheck__known_poppler_crash(void)
{
    eseal_seal_opts opts = ESEAL_SEAL_OPTS_INIT;
    eseal_error err = { 0, "" };
    eseal_bytes in = { NULL, 0 }, out;
    int visible, rc;

    open_sealer();
    CU_ASSERT_FATAL(read_sample(&in,
        "tests/fuzz/known/poppler-nss-use-after-free.pdf") == 0);
    opts.self_check = 1;
    for (visible = 0; visible < 2; visible++) {
        opts.visible = visible;
        rc = eseal_seal_buffer(&out, sealer, in.data, in.len, &opts, &err);
        if (rc < 0) {
            CU_ASSERT_EQUAL(rc, ESEAL_EVERIFY);
            CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "self-check: "));
            CU_ASSERT_PTR_NULL(out.data);
        }
        eseal_bytes_free(&out);
    }
    CU_ASSERT_TRUE(no_children());
    free(in.data);
}

/* A document no seal covers: the helper's finding comes back. */
static void test_selfcheck__finding(void)
{
    eseal_bytes in = { NULL, 0 };
    eseal_error err = { 0, "" };
    eseal_source src;

    CU_ASSERT_FATAL(read_sample(&in, "samples/pdf/classic.pdf") == 0);
    eseal__source_init_buffer(&src, in.data, in.len, "classic.pdf");
    CU_ASSERT_EQUAL(eseal__pdf_self_check(&src, &err), ESEAL_EVERIFY);
    CU_ASSERT_STRING_EQUAL(err.message, "self-check: no signature covers "
        "the whole document");
    CU_ASSERT_TRUE(no_children());
    free(in.data);
}

/* The helper found next to the test program's build tree. */
static void test_selfcheck__find(void)
{
    char path[4096];
    eseal_error err = { 0, "" };

    CU_ASSERT_EQUAL(eseal__selfcheck_find(path, sizeof(path), &err), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(path, "/" ESEAL_SELFCHECK_HELPER));
}

static void run_sh(eseal_selfcheck_result *r, const char *script,
    int timeout_s, int expect_rc)
{
    char *argv[] = { (char *)"sh", (char *)"-c", (char *)script, NULL };
    eseal_error err = { 0, "" };
    int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

    CU_ASSERT_FATAL(fd >= 0);
    CU_ASSERT_EQUAL(eseal__selfcheck_run(r, "/bin/sh", argv, fd, timeout_s,
        &err), expect_rc);
    close(fd);
    CU_ASSERT_TRUE(no_children());
}

/* What the spawning code sees of programs that end badly. */
static void test_selfcheck__run(void)
{
    eseal_selfcheck_result *r = calloc(1, sizeof(*r));
    char *argv[] = { (char *)"none", NULL };
    eseal_error err = { 0, "" };
    struct sigaction before, after;
    int fds = count_fds(), rc;

    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    sigaction(SIGPIPE, NULL, &before);
    run_sh(r, "echo ok", 10, 0);
    CU_ASSERT_TRUE(r->exited && r->status == 0 && r->line_ok);
    CU_ASSERT_STRING_EQUAL(r->line, "ok");

    run_sh(r, "echo 'EVERIFY self-check: x'; exit 1", 10, 0);
    CU_ASSERT_TRUE(r->exited && r->status == 1 && r->line_ok);

    run_sh(r, "kill -SEGV $$", 10, 0);
    CU_ASSERT_FALSE(r->exited);
    CU_ASSERT_EQUAL(r->signal, SIGSEGV);

    run_sh(r, "echo one; echo two", 10, 0);
    CU_ASSERT_FALSE(r->line_ok);

    /* more than the cap: read to the end, not kept */
    run_sh(r, "i=0; while [ $i -lt 300 ]; do echo 0123456789; "
        "i=$((i+1)); done", 10, 0);
    CU_ASSERT_TRUE(r->exited && r->status == 0);
    CU_ASSERT_FALSE(r->line_ok);

    /* reading its standard input (the document) to the end */
    run_sh(r, "cat >/dev/null; echo ok", 10, 0);
    CU_ASSERT_TRUE(r->line_ok);

    /* a hang: killed at the timeout, and reaped */
    run_sh(r, "exec sleep 30", 1, 0);
    CU_ASSERT_TRUE(r->timed_out);
    CU_ASSERT_EQUAL(r->signal, SIGKILL);

    /* a program that does not exist: a configuration error naming it
     * (under valgrind, whose posix_spawn forks, the child exits 127) */
    rc = eseal__selfcheck_run(r, "/nonexistent/eseal-selfcheck", argv, 0,
        10, &err);
    if (rc == 0) {
        CU_ASSERT_TRUE(r->exited && r->status == 127);
    } else {
        CU_ASSERT_EQUAL(rc, ESEAL_ECONFIG);
        CU_ASSERT_PTR_NOT_NULL(strstr(err.message,
            "/nonexistent/eseal-selfcheck"));
    }
    CU_ASSERT_TRUE(no_children());

    sigaction(SIGPIPE, NULL, &after);
    CU_ASSERT_TRUE(before.sa_handler == after.sa_handler);
    CU_ASSERT_EQUAL(count_fds(), fds);
    free(r);
}

int main(void)
{
    static const unit_case cases[] = {
        UNIT_CASE(test_selfcheck__find),
        UNIT_CASE(test_selfcheck__run),
        UNIT_CASE(test_selfcheck__finding),
        UNIT_CASE(test_selfcheck__no_children_left),
        UNIT_CASE(test_selfcheck__known_poppler_crash),
        UNIT_END
    };
    int rc = unit_run("selfcheck", cases);
    char cmd[400];

    eseal_sealer_free(sealer);
    eseal_shutdown();
    if (strchr(pki, 'X') == NULL) {
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", pki);
        if (system(cmd) != 0)
            fprintf(stderr, "cannot remove %s\n", pki);
    }
    return rc;
}
