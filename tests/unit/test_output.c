/*
 * eseal unit tests - writing an output from spans (core/atomic_file.c):
 * the same bytes whether the input is a buffer, a small file read whole
 * (one writev) or a large mapped file (copied by the kernel); the digests
 * a batch capture computes; the mode of a replaced file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/sha.h>
#include "core/core_int.h"
#include "core/output.h"
#include "unit.h"

#define SMALL_SIZE 5000
#define LARGE_SIZE (300 * 1024)   /* above the size read whole: mapped */

static char dir[] = "/tmp/eseal-test-output-XXXXXX";
static const unsigned char tail_bytes[] = "<<the new bytes>>";

static const char *path(const char *name)
{
    static char buf[2][512];
    static int slot;

    slot = (slot + 1) % 2;
    snprintf(buf[slot], sizeof(buf[slot]), "%s/%s", dir, name);
    return buf[slot];
}

/* An input whose bytes depend on their offset: a span copied from the
 * wrong place shows. */
static unsigned char *make_input(size_t size)
{
    unsigned char *p = malloc(size);
    size_t i;

    for (i = 0; p != NULL && i < size; i++)
        p[i] = (unsigned char)((i * 7 + i / 251) & 0xff);
    return p;
}

static int write_file(const char *p, const unsigned char *data, size_t len)
{
    FILE *f = fopen(p, "wb");

    if (f == NULL)
        return -1;
    if (fwrite(data, 1, len, f) != len) {
        fclose(f);
        return -1;
    }
    return fclose(f);
}

/* The spans of an output that interleaves the input and the tail, as an
 * XML splice does; expected[] gets the bytes they describe. */
static size_t make_spans(eseal_ranges *spans, eseal_bytes *tail,
    const unsigned char *in, size_t in_len, unsigned char *expected)
{
    size_t cut = in_len / 3, n = 0;

    memset(spans, 0, sizeof(*spans));
    tail->data = (unsigned char *)tail_bytes;
    tail->len = sizeof(tail_bytes) - 1;
    eseal__ranges_add(spans, ESEAL_SPAN_INPUT, 0, cut);
    eseal__ranges_add(spans, ESEAL_SPAN_TAIL, 0, 8);
    eseal__ranges_add(spans, ESEAL_SPAN_INPUT, cut, in_len - cut);
    eseal__ranges_add(spans, ESEAL_SPAN_TAIL, 8, tail->len - 8);
    memcpy(expected + n, in, cut);
    n += cut;
    memcpy(expected + n, tail_bytes, 8);
    n += 8;
    memcpy(expected + n, in + cut, in_len - cut);
    n += in_len - cut;
    memcpy(expected + n, tail_bytes + 8, tail->len - 8);
    return n + tail->len - 8;
}

/* Writes the spans of src to out and compares the file with expected. */
static void check_written(const eseal_source *src, const unsigned char *in,
    size_t in_len, const char *out)
{
    unsigned char *expected = malloc(in_len + sizeof(tail_bytes));
    eseal_error err = { 0, "" };
    eseal_ranges spans;
    eseal_bytes tail;
    size_t n, got_len = 0;
    char *got;

    CU_ASSERT_PTR_NOT_NULL_FATAL(expected);
    n = make_spans(&spans, &tail, in, in_len, expected);
    CU_ASSERT_EQUAL(eseal__write_spans_atomic(path(out), src, &tail, &spans,
        NULL, NULL, &err), 0);
    got = unit_slurp(path(out), &got_len);
    CU_ASSERT_PTR_NOT_NULL(got);
    CU_ASSERT_EQUAL(got_len, n);
    CU_ASSERT(got != NULL && got_len == n &&
        memcmp(got, expected, n) == 0);
    free(got);
    free(expected);
}

static void test_output__from_a_buffer(void)
{
    unsigned char *in = make_input(SMALL_SIZE);
    eseal_source src;

    CU_ASSERT_PTR_NOT_NULL_FATAL(in);
    eseal__source_init_buffer(&src, in, SMALL_SIZE, "buffer");
    check_written(&src, in, SMALL_SIZE, "from-buffer");
    free(in);
}

/* The input as a file of size bytes, opened as the sealer opens it. */
static void check_file_source(size_t size, int in_heap, const char *name)
{
    unsigned char *in = make_input(size);
    eseal_error err = { 0, "" };
    eseal_source src;
    char in_name[64];

    CU_ASSERT_PTR_NOT_NULL_FATAL(in);
    snprintf(in_name, sizeof(in_name), "%s.in", name);
    CU_ASSERT_EQUAL_FATAL(write_file(path(in_name), in, size), 0);
    CU_ASSERT_EQUAL_FATAL(eseal__source_open_file(&src, path(in_name),
        &err), 0);
    CU_ASSERT_EQUAL(src.in_heap, in_heap);
    CU_ASSERT(src.fd >= 0);
    check_written(&src, in, size, name);
    eseal__source_close(&src);
    free(in);
}

/* A small file is read whole: the output is written from memory. */
static void test_output__from_a_small_file(void)
{
    check_file_source(SMALL_SIZE, 1, "from-small");
}

/* A large file is mapped: its spans are copied from the descriptor. */
static void test_output__from_a_large_file(void)
{
    check_file_source(LARGE_SIZE, 0, "from-large");
}

/* Under a capture: digests of the input and of the output, and no file
 * in place until the pending output is linked. */
static void test_output__captured_with_digests(void)
{
    unsigned char *in = make_input(SMALL_SIZE);
    unsigned char *expected = malloc(SMALL_SIZE + sizeof(tail_bytes));
    unsigned char in_md[32], out_md[32];
    eseal_error err = { 0, "" };
    eseal_capture cap;
    eseal_source src;
    eseal_ranges spans;
    eseal_bytes tail;
    struct stat st;
    size_t n;

    CU_ASSERT_PTR_NOT_NULL_FATAL(in);
    CU_ASSERT_PTR_NOT_NULL_FATAL(expected);
    CU_ASSERT_EQUAL_FATAL(write_file(path("cap.in"), in, SMALL_SIZE), 0);
    CU_ASSERT_EQUAL_FATAL(eseal__source_open_file(&src, path("cap.in"),
        &err), 0);
    n = make_spans(&spans, &tail, in, SMALL_SIZE, expected);
    memset(&cap, 0, sizeof(cap));
    cap.out.fd = -1;
    cap.hash = 1;
    cap.no_sync = 1;
    eseal__capture_set(&cap);
    CU_ASSERT_EQUAL(eseal__write_spans_atomic(path("captured"), &src, &tail,
        &spans, NULL, NULL, &err), 0);
    eseal__capture_set(NULL);
    CU_ASSERT_EQUAL(cap.captured, 1);
    CU_ASSERT_EQUAL(stat(path("captured"), &st), -1);
    SHA256(in, SMALL_SIZE, in_md);
    SHA256(expected, n, out_md);
    CU_ASSERT_EQUAL(cap.out.hashed, 1);
    CU_ASSERT(memcmp(cap.out.in_sha256, in_md, 32) == 0);
    CU_ASSERT(memcmp(cap.out.out_sha256, out_md, 32) == 0);
    CU_ASSERT_EQUAL(cap.out.in_size, SMALL_SIZE);
    CU_ASSERT_EQUAL(cap.out.out_size, n);
    CU_ASSERT_EQUAL(eseal__pending_link(&cap.out, &err), 0);
    CU_ASSERT_EQUAL(stat(path("captured"), &st), 0);
    CU_ASSERT_EQUAL((size_t)st.st_size, n);
    eseal__pending_discard(&cap.out);
    eseal__source_close(&src);
    free(expected);
    free(in);
}

/* A file that is replaced keeps its mode; a new one gets 0644 & ~umask. */
static void test_output__modes(void)
{
    unsigned char *in = make_input(SMALL_SIZE);
    eseal_source src;
    struct stat st;

    CU_ASSERT_PTR_NOT_NULL_FATAL(in);
    CU_ASSERT_EQUAL_FATAL(write_file(path("replaced"), in, 10), 0);
    CU_ASSERT_EQUAL_FATAL(chmod(path("replaced"), 0600), 0);
    eseal__source_init_buffer(&src, in, SMALL_SIZE, "buffer");
    check_written(&src, in, SMALL_SIZE, "replaced");
    CU_ASSERT_EQUAL(stat(path("replaced"), &st), 0);
    CU_ASSERT_EQUAL(st.st_mode & 07777, 0600);
    check_written(&src, in, SMALL_SIZE, "fresh");
    CU_ASSERT_EQUAL(stat(path("fresh"), &st), 0);
    CU_ASSERT_EQUAL(st.st_mode & 07777, 0644 & ~022);
    free(in);
}

int main(void)
{
    static const unit_case cases[] = {
        UNIT_CASE(test_output__from_a_buffer),
        UNIT_CASE(test_output__from_a_small_file),
        UNIT_CASE(test_output__from_a_large_file),
        UNIT_CASE(test_output__captured_with_digests),
        UNIT_CASE(test_output__modes),
        UNIT_END
    };
    char cmd[600];
    int rc;

    umask(022);
    if (mkdtemp(dir) == NULL) {
        perror("test_output: mkdtemp");
        return 1;
    }
    rc = unit_run("output", cases);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        rc = rc ? rc : 1;
    return rc;
}
