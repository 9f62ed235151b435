/*
 * libFuzzer target: finding the signatures of a PDF and classifying what
 * changed after each (pdf/pdf_sigfind.c, pdf/pdf_diff.c,
 * pdf/pdf_diff_form.c, pdf/pdf_diff_tail.c, pdf/pdf_diff_session.c, over
 * the reader).  Besides
 * the signatures the input itself declares, the change classifier also
 * runs with a signed revision ending at a position taken from the input's
 * first bytes.
 *
 * Build by hand (clang), from the source root, after `meson setup build`:
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -DESEAL_BUILDING \
 *     -D_GNU_SOURCE -Iinclude -I. -Ibuild tests/fuzz/fuzz_pdf_sigfind.c \
 *     pdf/pdf_sigfind.c pdf/pdf_diff.c pdf/pdf_diff_form.c \
 *     pdf/pdf_diff_tail.c pdf/pdf_diff_session.c pdf/pdf_obj.c \
 *     pdf/pdf_lex.c pdf/pdf_xref.c pdf/pdf_objstm.c pdf/pdf_flate.c \
 *     pdf/pdf_reader.c core/ranges.c core/error.c core/buf.c core/json.c \
 *     -lcrypto -lz -o fuzz_pdf_sigfind
 *   ./fuzz_pdf_sigfind -max_len=262144 corpus/ tests/fuzz/corpus/pdf
 */
#include <stdint.h>
#include <string.h>
#include <openssl/err.h>
#include "pdf/pdf_adapter.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_message(const char *s)
{
    if (s == NULL || strchr(s, '\n') != NULL)
        __builtin_trap();
}

static void check_found(const eseal_found_signature *f,
    const uint8_t *data, size_t size)
{
    size_t i;

    if (f->covered.count != 0) {
        /* the adapter hands over only ranges it checked */
        if (f->covered.count != 2 || f->covered.span[0].off != 0 ||
            f->covered.span[0].len >= f->covered.span[1].off ||
            f->covered.span[1].off > size ||
            f->covered.span[1].len > size - f->covered.span[1].off)
            __builtin_trap();
        if ((f->covers_whole_document != 0) !=
            (f->covered.span[1].off + f->covered.span[1].len == size))
            __builtin_trap();
    } else if (f->covers_whole_document || f->n_errors == 0) {
        __builtin_trap(); /* no range without a reason */
    }
    if (f->contents.len > 0 &&
        (f->contents.data == NULL || f->contents.data[0] != 0x30 ||
            f->contents.len > size / 2))
        __builtin_trap();
    /* a BER signature with an indefinite length ends with its
     * end-of-contents octets */
    if (f->contents.len > 0 && f->contents.data[1] == 0x80 &&
        (f->contents.len < 4 || f->contents.data[f->contents.len - 1] != 0 ||
            f->contents.data[f->contents.len - 2] != 0))
        __builtin_trap();
    if (f->modifications_after != ESEAL_MODS_NONE &&
        f->modifications_after != ESEAL_MODS_PERMITTED &&
        f->modifications_after != ESEAL_MODS_FORBIDDEN)
        __builtin_trap();
    if (f->modifications_after == ESEAL_MODS_NONE &&
        f->covered.count == 2 && !f->covers_whole_document) {
        /* only whitespace may follow a revision without changes */
        const eseal_span *s = &f->covered.span[1];

        for (i = (size_t)(s->off + s->len); i < size; i++)
            if (data[i] != 0 && strchr(" \t\r\n\f", data[i]) == NULL)
                __builtin_trap();
    }
    if (f->certification &&
        (f->docmdp_permissions < 1 || f->docmdp_permissions > 3))
        __builtin_trap();
    for (i = 0; i < f->n_errors; i++)
        check_message(f->errors[i]);
    for (i = 0; i < f->n_warnings; i++)
        check_message(f->warnings[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    eseal_source src;
    eseal_verify_job vj;
    eseal_error err;
    eseal_modifications m;
    char **reasons = NULL;
    size_t n_reasons = 0, i;
    uint64_t end;

    memset(&src, 0, sizeof(src));
    memset(&vj, 0, sizeof(vj));
    memset(&err, 0, sizeof(err));
    src.data = data;
    src.size = size;
    src.fd = -1;
    src.name = "fuzz.pdf";
    vj.in = &src;
    if (eseal__pdf_find_signatures(&vj, &err) < 0) {
        if (err.code >= 0 || vj.n_found != 0 || vj.found != NULL)
            __builtin_trap();
        check_message(err.message);
    } else {
        for (i = 0; i < vj.n_found; i++)
            check_found(&vj.found[i], data, size);
    }
    eseal__pdf_verify_cleanup(&vj);

    /* a signed revision chosen by the input */
    if (size >= 4) {
        end = ((uint64_t)data[0] << 16 | (uint64_t)data[1] << 8 | data[2]) %
            (size + 1);
        memset(&err, 0, sizeof(err));
        if (eseal__pdf_classify_changes(&m, data, size, end, "fuzz.pdf",
                &reasons, &n_reasons, &err) == 0) {
            if (m == ESEAL_MODS_NONE && n_reasons != 0)
                __builtin_trap();
            if (m == ESEAL_MODS_FORBIDDEN && end < size && n_reasons == 0)
                __builtin_trap();
        } else {
            check_message(err.message);
        }
        for (i = 0; i < n_reasons; i++)
            check_message(reasons[i]);
        eseal__strlist_free(reasons, n_reasons);
    }
    ERR_clear_error();
    return 0;
}
