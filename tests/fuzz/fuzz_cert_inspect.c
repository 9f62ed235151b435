/*
 * libFuzzer target: certificate inspection.  The input is inspected as it
 * is (DER, or PEM when it holds a PEM header), then wrapped as a PEM
 * certificate, and both results are rendered as JSON and text.  The
 * internal readers the verifier uses (signer fields, assurance level) and
 * the organization identifier parser see the same bytes.
 *
 * Build by hand:
 *   clang -g -fsanitize=fuzzer,address,undefined -DESEAL_BUILDING \
 *     -D_GNU_SOURCE -Iinclude -I. tests/fuzz/fuzz_cert_inspect.c \
 *     core/orgid.c core/certinfo.c core/certinfo_ext.c \
 *     core/certinfo_json.c core/error.c core/buf.c core/json.c -lcrypto \
 *     -o fuzz_cert_inspect
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include "core/certinfo_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void inspect(const unsigned char *data, size_t len)
{
    eseal_cert_info *info = NULL;
    char *s;

    if (eseal_cert_inspect_buffer(&info, data, len, "fuzz", NULL, NULL)
        < 0)
        return;
    s = eseal_cert_info_json(info);
    free(s);
    s = eseal_cert_info_text(info);
    free(s);
    (void)eseal_cert_info_warning_count(info);
    eseal_cert_info_free(info);
}

static void internals(const unsigned char *data, size_t len)
{
    static const char *const table[] = { "2.5.29.32.0=1", " 1.2.3 = 2 ",
                                         "x", NULL };
    const unsigned char *p = data;
    X509 *x = d2i_X509(NULL, &p, (long)len);
    eseal_signer signer;
    char *level;

    if (x == NULL)
        return;
    if (eseal__signer_from_x509(&signer, x, NULL) == 0)
        eseal__signer_clear(&signer);
    level = eseal__assurance_level(x, table);
    free(level);
    level = eseal__assurance_level(x, NULL);
    free(level);
    X509_free(x);
}

static void as_pem(const unsigned char *data, size_t len)
{
    BIO *bio = BIO_new(BIO_s_mem());
    char *pem;
    long n;

    if (bio == NULL)
        return;
    if (PEM_write_bio(bio, "CERTIFICATE", "", data, (long)len) > 0) {
        n = BIO_get_mem_data(bio, &pem);
        if (n > 0)
            inspect((const unsigned char *)pem, (size_t)n);
    }
    BIO_free(bio);
}

static void as_identifier(const unsigned char *data, size_t len)
{
    char *s = malloc(len + 1);
    eseal_org_id id;

    if (s == NULL)
        return;
    memcpy(s, data, len);
    s[len] = '\0';
    if (eseal_org_id_parse(&id, s, NULL) == 0)
        eseal_org_id_clear(&id);
    (void)eseal_corporate_number_valid(s);
    (void)eseal_lei_valid(s);
    free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > ESEAL_CERT_MAX_SIZE)
        return 0;
    inspect(data, size);
    internals(data, size);
    as_pem(data, size);
    if (size <= 2 * ESEAL_ORG_ID_MAX)
        as_identifier(data, size);
    ERR_clear_error();
    return 0;
}
