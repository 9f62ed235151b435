/* Unit tests: error codes, messages, buffers and the JSON writer. */
#include <string.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include "unit.h"
#include "core/eseal_int.h"

static void test_error__names_and_classes(void)
{
    CU_ASSERT_STRING_EQUAL(eseal_err_name(ESEAL_EFORMAT), "EFORMAT");
    CU_ASSERT_STRING_EQUAL(eseal_err_name(12345), "UNKNOWN");
    CU_ASSERT_STRING_EQUAL(eseal_strerror(ESEAL_EPASS), "wrong password");
    CU_ASSERT_TRUE(eseal_error_is_document(ESEAL_EFORMAT));
    CU_ASSERT_TRUE(eseal_error_is_document(ESEAL_EREFUSED));
    CU_ASSERT_FALSE(eseal_error_is_document(ESEAL_EIO));
    CU_ASSERT_FALSE(eseal_error_is_document(ESEAL_EPASS));
}

static void test_error__message_is_one_line(void)
{
    eseal_error err = { 0, "" };
    int rc = eseal__error_set(&err, ESEAL_EIO, "a\nb\rc %d", 7);

    CU_ASSERT_EQUAL(rc, ESEAL_EIO);
    CU_ASSERT_EQUAL(err.code, ESEAL_EIO);
    CU_ASSERT_STRING_EQUAL(err.message, "a b c 7");
    CU_ASSERT_EQUAL(eseal__error_set(NULL, ESEAL_EINVAL, "x"), ESEAL_EINVAL);
}

static void test_error__ossl_drains_queue(void)
{
    eseal_error err = { 0, "" };

    /* provoke an OpenSSL error */
    CU_ASSERT_PTR_NULL(EVP_get_digestbyname("no-such-digest") ?
        NULL : EVP_MD_fetch(NULL, "no-such-digest", NULL));
    eseal__error_ossl(&err, ESEAL_ECRYPTO, "fetch");
    CU_ASSERT_EQUAL(err.code, ESEAL_ECRYPTO);
    CU_ASSERT_EQUAL(strncmp(err.message, "fetch", 5), 0);
    CU_ASSERT_EQUAL(ERR_peek_error(), 0);
}

static void test_error__json_writer(void)
{
    eseal_json j;
    char *s;

    memset(&j, 0, sizeof(j));
    eseal__json_begin_object(&j);
    eseal__json_key(&j, "a");
    eseal__json_string(&j, "q\"\n\x01");
    eseal__json_key(&j, "b");
    eseal__json_begin_array(&j);
    eseal__json_int(&j, 1);
    eseal__json_bool(&j, 0);
    eseal__json_null(&j);
    eseal__json_end_array(&j);
    eseal__json_key(&j, "t");
    eseal__json_time(&j, 86400);
    eseal__json_key(&j, "e");
    eseal__json_begin_object(&j);
    eseal__json_end_object(&j);
    eseal__json_end_object(&j);
    s = eseal__buf_steal(&j.buf, NULL);
    CU_ASSERT_STRING_EQUAL(s, "{\"a\":\"q\\\"\\n\\u0001\",\"b\":[1,false,null],"
        "\"t\":\"1970-01-02T00:00:00Z\",\"e\":{}}");
    free(s);
}

static void test_error__strlist(void)
{
    char **list = NULL;
    size_t n = 0;

    CU_ASSERT_EQUAL(eseal__strlist_add(&list, &n, "x"), 0);
    CU_ASSERT_EQUAL(eseal__strlist_add(&list, &n, "y"), 0);
    CU_ASSERT_EQUAL(n, 2);
    CU_ASSERT_STRING_EQUAL(list[1], "y");
    CU_ASSERT_PTR_NULL(list[2]);
    eseal__strlist_free(list, n);
}

int main(void)
{
    static const unit_case cases[] = {
        UNIT_CASE(test_error__names_and_classes),
        UNIT_CASE(test_error__message_is_one_line),
        UNIT_CASE(test_error__ossl_drains_queue),
        UNIT_CASE(test_error__json_writer),
        UNIT_CASE(test_error__strlist),
        UNIT_END
    };
    return unit_run("error", cases);
}
