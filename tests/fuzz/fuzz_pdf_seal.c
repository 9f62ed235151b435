/*
 * libFuzzer target: sealing a PDF held in memory end to end through the
 * public API (eseal_seal_buffer, as the nginx module and the CUPS filter
 * do), with a demo ECDSA P-256 sealer made once at start-up.  The last
 * byte of the input picks options (certification, a visible seal on a
 * page, the self-check); the whole input is the document.  A seal that
 * succeeds must keep the input as the output's first bytes (an
 * incremental update; from the %PDF- header on when bytes before it were
 * dropped) and must verify with eseal's own verifier: a "sealed" file
 * that the verifier rejects is a bug (unless the verifier refused the
 * input already, with the same message but for numbers).  Nothing is
 * written to disk per input.
 *
 * Build: meson setup with CC=clang -Dfuzzing=true (tests/fuzz/meson.build).
 *   ./fuzz_pdf_seal -max_len=65536 corpus/ ../tests/fuzz/corpus/pdf
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <openssl/err.h>
#include <eseal/eseal.h>
#include "fuzz_demo_sealer.h"
#include "pdf/pdf_reader.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SEAL_TIME 1795482000 /* 2026-11-23T00:20:00Z */

static eseal_sealer *sealer;
static char trust[600];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    sealer = fuzz_demo_sealer("pdfseal", trust, sizeof(trust));
    return 0;
}

static void check_message(const eseal_error *err)
{
    if (err->code >= 0 || err->message[0] == '\0' ||
        strchr(err->message, '\n') != NULL)
        __builtin_trap();
}

/* The message with every run of digits as one '#': the file size and
 * offsets in it move when a seal is appended. */
static void shape_of(char *out, size_t size, const char *msg)
{
    size_t n = 0;

    for (; *msg != '\0' && n + 1 < size; msg++) {
        if (*msg >= '0' && *msg <= '9') {
            if (n == 0 || out[n - 1] != '#')
                out[n++] = '#';
        } else {
            out[n++] = *msg;
        }
    }
    out[n] = '\0';
}

/*
 * The seal just made: the signature over the whole output.  A
 * sealed document the verifier cannot read at all is a finding, unless
 * the verifier could not read the input either, for the same reason
 * (damage in a part sealing does not read, kept as it was: see
 * docs/fuzzing.md); offsets and sizes in the message may differ.
 */
static void check_sealed(const unsigned char *out, size_t len,
    const unsigned char *in, size_t in_len, int certify)
{
    eseal_verify_opts vo = ESEAL_VERIFY_OPTS_INIT;
    eseal_report *r = NULL;
    eseal_error err = { 0 }, in_err = { 0 };
    const eseal_signature_report *s;
    size_t n, i, k;
    char *json, a[sizeof(err.message)], b[sizeof(err.message)];

    vo.trust_file = trust;
    vo.offline = 1;
    if (eseal_verify_buffer(&r, out, len, "fuzz.pdf", &vo, &err) < 0) {
        shape_of(a, sizeof(a), err.message);
        if (eseal_verify_buffer(&r, in, in_len, "fuzz.pdf", &vo,
                &in_err) < 0 && in_err.code == err.code) {
            shape_of(b, sizeof(b), in_err.message);
            if (strcmp(a, b) == 0)
                return;
        }
        eseal_report_free(r);
        fprintf(stderr, "fuzz: the sealed output does not verify: %s\n",
            err.message);
        __builtin_trap();
    }
    /* ours is the one signature that covers the whole output (the
     * report's order follows the /ByteRange an input may fake) */
    n = eseal_report_signature_count(r);
    s = NULL;
    for (i = 0, k = 0; i < n; i++)
        if (eseal_report_signature(r, i)->covers_whole_document) {
            s = eseal_report_signature(r, i);
            k++;
        }
    if (k != 1 || !s->integrity || !s->covers_whole_document ||
        !s->chain_trusted || s->modifications_after != ESEAL_MODS_NONE ||
        s->level != ESEAL_LEVEL_B_B || s->signing_time != SEAL_TIME ||
        (certify && !s->certification)) {
        fprintf(stderr, "fuzz: eseal's verifier rejects the seal it made\n");
        for (i = 0; s != NULL && i < s->n_errors; i++)
            fprintf(stderr, "  error: %s\n", s->errors[i]);
        __builtin_trap();
    }
    for (i = 0; i < n; i++) {
        s = eseal_report_signature(r, i);
        if (s->valid && (!s->integrity || !s->chain_trusted))
            __builtin_trap();
    }
    json = eseal_report_json(r);
    if (json == NULL)
        __builtin_trap();
    eseal_free(json);
    eseal_report_free(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    eseal_seal_opts opts = ESEAL_SEAL_OPTS_INIT;
    eseal_bytes out = { NULL, 0 };
    eseal_error err = { 0 };
    unsigned char o;
    uint64_t base;

    if (size == 0 || size > 65536)
        return 0;
    o = data[size - 1];
    opts.format = ESEAL_FORMAT_PDF;
    opts.signing_time = SEAL_TIME;
    opts.certify = (o & 0x01) != 0;
    opts.self_check = (o & 0x04) != 0;
    /* "\n" and "F" (of %%EOF) keep the visible seal off */
    opts.visible = (o & 0x30) == 0x30;
    opts.visible_page = (o >> 6) & 3;
    opts.timezone = "UTC";
    if (eseal_seal_buffer(&out, sealer, data, size, &opts, &err) < 0) {
        check_message(&err);
        if (out.data != NULL || out.len != 0)
            __builtin_trap();
    } else {
        /* an incremental update of the input, or of the PDF from its
         * header when bytes before the header were dropped */
        if (out.len <= size || memcmp(out.data, data, size) != 0) {
            base = pdf_header_offset(data, size);
            if (base == 0 || base >= size || out.len <= size - base ||
                memcmp(out.data, data + base, size - base) != 0)
                __builtin_trap();
        }
        check_sealed(out.data, out.len, data, size, opts.certify);
        eseal_bytes_free(&out);
    }
    ERR_clear_error();
    return 0;
}
