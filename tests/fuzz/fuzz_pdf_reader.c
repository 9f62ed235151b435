/*
 * libFuzzer target for the lazy PDF reader: opens the input, loads the
 * catalog, the first page and every object up to a bound, decodes their
 * streams with a small limit, and parses the input as one direct object.
 * Nothing may crash, leak, hang or read out of bounds.
 *
 *   clang -fsanitize=fuzzer,address -DESEAL_BUILDING -Iinclude -I. \
 *       tests/fuzz/fuzz_pdf_reader.c pdf/pdf_obj.c pdf/pdf_lex.c \
 *       pdf/pdf_xref.c pdf/pdf_objstm.c pdf/pdf_flate.c pdf/pdf_reader.c \
 *       core/error.c core/buf.c -lz -lcrypto
 */
#include <stddef.h>
#include <stdint.h>
#include "pdf/pdf_reader.h"

#define MAX_OBJECTS 4096
#define MAX_DECODED (1u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void walk(pdf_reader *r)
{
    eseal_error err;
    pdf_obj *o = NULL, *v = NULL;
    eseal_bytes bytes = { NULL, 0 };
    uint32_t num, n, i;

    (void)pdf_reader_catalog(r, &num, &o, &err);
    (void)pdf_reader_first_page(r, &num, &o, &err);
    (void)pdf_reader_is_encrypted(r);
    (void)pdf_reader_header_version(r);
    for (i = 0; i < pdf_reader_section_count(r); i++)
        (void)pdf_reader_section(r, i);
    n = pdf_reader_size(r);
    if (n > MAX_OBJECTS)
        n = MAX_OBJECTS;
    for (i = 0; i < n; i++) {
        if (pdf_reader_entry(r, i).type == 0)
            continue;
        if (pdf_reader_load(r, i, &o, &err) < 0)
            continue;
        (void)pdf_reader_dict_get(r, o, "Type", &v, &err);
        (void)pdf_reader_resolve(r, pdf_dict_get(o, "Parent"), &v, &err);
        (void)pdf_obj_copy(pdf_reader_arena(r), o);
        if (o->type == PDF_STREAM &&
            pdf_reader_stream_data(r, o, &bytes, MAX_DECODED, &err) == 0)
            eseal_bytes_free(&bytes);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    pdf_reader *r = NULL;
    pdf_arena *a;
    pdf_obj *o = NULL;
    eseal_error err;
    size_t used;

    if (pdf_reader_open(&r, data, size, "fuzz.pdf", &err) == 0) {
        walk(r);
        pdf_reader_free(r);
    }
    a = pdf_arena_new();
    if (a != NULL) {
        (void)pdf_parse_object(a, data, size, &o, &used, &err);
        pdf_arena_free(a);
    }
    return 0;
}
