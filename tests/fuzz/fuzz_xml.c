/*
 * libFuzzer target: the XAdES adapter on untrusted bytes.  Each input is
 * (1) run through the encoding sniffer and the byte scanner, (2) verified
 * (safe parse, every ds:Signature checked by xmlsec), and (3) sealed with a
 * demo ECDSA key made once at start-up.  A seal that succeeds must keep
 * every input byte around one inserted run (or the rewritten "/>" of an
 * empty root) and must verify with integrity intact.
 *
 * Build: meson setup with CC=clang -Dfuzzing=true (tests/fuzz/meson.build),
 * linking all module libraries with libxml2 and xmlsec1-openssl.
 *   ./fuzz_xml -max_len=65536 corpus/ ../samples/xml
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <openssl/err.h>
#include <eseal/eseal.h>
#include "fuzz_demo_sealer.h"
#include "xml/xml_int.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static eseal_sealer *sealer;
static char trust[600];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    sealer = fuzz_demo_sealer("xml", trust, sizeof(trust));
    return 0;
}

static void check_message(const eseal_error *err)
{
    if (strchr(err->message, '\n') != NULL || err->message[0] == '\0')
        __builtin_trap();
}

static void scan(const uint8_t *data, size_t size)
{
    eseal_xml_encoding enc;
    eseal_xml_scan sc;
    eseal_xml_pos pos[3];
    size_t want[3] = { 0, 1, 2 }, k;
    eseal_error err = { 0 };

    eseal__xml_sniff_encoding(&enc, data, size);
    if (eseal__xml_scan(&sc, pos, want, 3, data, size,
            enc.kind == ESEAL_XML_ENC_SJIS, "fuzz", &err) < 0) {
        check_message(&err);
        return;
    }
    for (k = 0; k < 3; k++) {
        if (!pos[k].found)
            continue;
        if (pos[k].start >= pos[k].start_end || pos[k].start_end > size ||
            pos[k].end_end > size || pos[k].end > pos[k].end_end ||
            data[pos[k].start] != '<' || data[pos[k].start_end - 1] != '>')
            __builtin_trap();
        if (!pos[k].empty && (pos[k].end < pos[k].start_end ||
                              data[pos[k].end] != '<' ||
                              data[pos[k].end + 1] != '/'))
            __builtin_trap();
    }
}

static void verify(const uint8_t *data, size_t size, int must_hold)
{
    eseal_verify_opts vo = ESEAL_VERIFY_OPTS_INIT;
    eseal_report *r = NULL;
    eseal_error err = { 0 };
    size_t i, n;

    vo.trust_file = trust;
    if (eseal_verify_buffer(&r, data, size, "fuzz", &vo, &err) < 0) {
        check_message(&err);
        if (must_hold)
            __builtin_trap();
        return;
    }
    n = eseal_report_signature_count(r);
    for (i = 0; i < n; i++) {
        const eseal_signature_report *s = eseal_report_signature(r, i);

        if (s->valid && (!s->integrity || !s->chain_trusted))
            __builtin_trap();
    }
    /* the seal just made (its signing time is the fuzzer's) must hold */
    if (must_hold) {
        int held = 0;

        for (i = 0; i < n; i++) {
            const eseal_signature_report *s = eseal_report_signature(r, i);

            if (s->signing_time == 1795482000 && s->integrity &&
                s->level == ESEAL_LEVEL_B_B)
                held = 1;
        }
        if (!held)
            __builtin_trap();
    }
    eseal_report_free(r);
}

static void seal(const uint8_t *data, size_t size)
{
    eseal_seal_opts opts = ESEAL_SEAL_OPTS_INIT;
    eseal_bytes out = { NULL, 0 };
    eseal_error err = { 0 };
    size_t i = 0, tail;

    /* the first byte picks options */
    if (size > 0) {
        opts.placement = (data[0] & 3) == 1 ? "enveloped" :
                         (data[0] & 3) == 2 ? "ubl" : NULL;
        opts.c14n = (data[0] & 12) == 4 ? "c14n" :
                    (data[0] & 12) == 8 ? "c14n11" : NULL;
        opts.co_seal = (data[0] & 16) != 0;
        opts.signing_certificate_v1 = (data[0] & 32) != 0;
    }
    opts.signing_time = 1795482000;
    if (eseal_seal_buffer(&out, sealer, data, size, &opts, &err) < 0) {
        check_message(&err);
        return;
    }
    /* every input byte is kept around the inserted run */
    while (i < size && data[i] == out.data[i])
        i++;
    tail = size - i;
    if (out.len <= size ||
        (memcmp(out.data + out.len - tail, data + i, tail) != 0 &&
         /* an empty root: "/>" rewritten as ">...</x>" */
         (tail < 2 || memcmp(out.data + out.len - (tail - 2), data + i + 2,
                          tail - 2) != 0)))
        __builtin_trap();
    verify(out.data, out.len, 1);
    eseal_bytes_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 65536)
        return 0;
    scan(data, size);
    if (size > 0) {
        verify(data, size, 0);
        seal(data, size);
    }
    ERR_clear_error();
    return 0;
}
