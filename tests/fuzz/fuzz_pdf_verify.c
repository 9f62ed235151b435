/*
 * libFuzzer target: verifying a PDF held in memory end to end
 * (eseal_verify_buffer, offline: nothing is fetched), the report and its
 * JSON included.  This reaches the signature finder, the change
 * classifier, the /DSS reader, CMS SignedData, signature and document
 * timestamps and the OCSP responses and CRLs a document embeds.  The
 * trust anchor is the committed demo root (tests/fuzz/corpus/cert), the
 * one the seeds in tests/fuzz/corpus/pdf-signed were sealed under
 * (tests/fuzz/make-seeds.sh).
 *
 * Build: meson setup with CC=clang -Dfuzzing=true (tests/fuzz/meson.build).
 *   ./fuzz_pdf_verify -max_len=262144 corpus/ \
 *       ../tests/fuzz/corpus/pdf-signed
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/err.h>
#include <eseal/eseal.h>

#ifndef FUZZ_CERT_DIR
#error "FUZZ_CERT_DIR: the directory of the committed demo certificates"
#endif

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *trust = FUZZ_CERT_DIR "/root-ca.pem";

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    eseal_error err = { 0 };
    FILE *fp;

    (void)argc;
    (void)argv;
    if (eseal_init(&err) < 0)
        abort();
    fp = fopen(trust, "r");
    if (fp == NULL) {
        fprintf(stderr, "fuzz: cannot read %s\n", trust);
        abort();
    }
    fclose(fp);
    return 0;
}

static void check_text(const char *s)
{
    if (s == NULL || s[0] == '\0' || strchr(s, '\n') != NULL)
        __builtin_trap();
}

static void check_report(const eseal_report *r)
{
    size_t i, k, n = eseal_report_signature_count(r);
    int all = n > 0;
    char *json;

    for (i = 0; i < n; i++) {
        const eseal_signature_report *s = eseal_report_signature(r, i);

        if (s == NULL)
            __builtin_trap();
        if (s->valid && (!s->integrity || !s->chain_trusted ||
                            s->n_errors != 0 ||
                            s->revocation == ESEAL_REVOCATION_REVOKED ||
                            s->modifications_after == ESEAL_MODS_FORBIDDEN))
            __builtin_trap();
        /* offline: nothing may have been asked of a service */
        if (s->covers_whole_document &&
            s->modifications_after != ESEAL_MODS_NONE)
            __builtin_trap();
        if (s->level > ESEAL_LEVEL_B_LTA || s->level < -1)
            __builtin_trap();
        if (s->certification &&
            (s->docmdp_permissions < 1 || s->docmdp_permissions > 3))
            __builtin_trap();
        if (s->kind == NULL)
            __builtin_trap();
        for (k = 0; k < s->n_errors; k++)
            check_text(s->errors[k]);
        for (k = 0; k < s->n_warnings; k++)
            check_text(s->warnings[k]);
        if (!s->valid)
            all = 0;
    }
    for (i = 0; i < eseal_report_doc_timestamp_count(r); i++) {
        const eseal_doc_timestamp_report *t = eseal_report_doc_timestamp(r,
            i);

        if (t == NULL)
            __builtin_trap();
        if (!t->valid)
            all = 0;
    }
    if (eseal_report_valid(r) != all)
        __builtin_trap();
    json = eseal_report_json(r);
    if (json == NULL || json[0] != '{')
        __builtin_trap();
    eseal_free(json);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    eseal_verify_opts vo = ESEAL_VERIFY_OPTS_INIT;
    eseal_report *r = NULL;
    eseal_error err = { 0 };

    if (size > (1u << 20))
        return 0;
    vo.trust_file = trust;
    vo.offline = 1;
    if (eseal_verify_buffer(&r, data, size, "fuzz.pdf", &vo, &err) < 0) {
        if (r != NULL || err.code >= 0)
            __builtin_trap();
        check_text(err.message);
    } else {
        if (r == NULL)
            __builtin_trap();
        check_report(r);
        eseal_report_free(r);
    }
    ERR_clear_error();
    return 0;
}
