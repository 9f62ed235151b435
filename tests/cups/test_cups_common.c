/* Unit tests: the CUPS shells' device URI, JSON strings and safe names. */
#include <string.h>
#include "../unit/unit.h"
#include "cups_common.h"

/* Says which case failed (CUnit shows only the line). */
static void show(const char *a, const char *b, const char *c)
{
    fputs("\n  ", stderr);
    fputs(a, stderr);
    fputs(" -> ", stderr);
    fputs(b, stderr);
    fputs(", expected ", stderr);
    fputs(c, stderr);
    fputs("\n", stderr);
}

static void test_cups__uri_settings(void)
{
    cups_queue q;
    char why[200];

    CU_ASSERT_EQUAL(cups_queue_parse(&q, "eseal-store:/var/spool/eseal"
        "?profiles=invoices,reports&per=user&config=/etc/eseal/x.conf",
        why, sizeof(why)), 0);
    CU_ASSERT_STRING_EQUAL(q.path, "/var/spool/eseal");
    CU_ASSERT_EQUAL(q.n_profiles, 2);
    CU_ASSERT_STRING_EQUAL(q.profiles[0], "invoices");
    CU_ASSERT_STRING_EQUAL(q.profiles[1], "reports");
    CU_ASSERT_PTR_NULL(q.profiles[2]);
    CU_ASSERT_STRING_EQUAL(q.config, "/etc/eseal/x.conf");
    CU_ASSERT_EQUAL(q.per_user, 1);
    cups_queue_free(&q);

    /* the triple-slash form and %-escapes */
    CU_ASSERT_EQUAL(cups_queue_parse(&q, "eseal-store:///srv/sealed%20pdf",
        why, sizeof(why)), 0);
    CU_ASSERT_STRING_EQUAL(q.path, "/srv/sealed pdf");
    CU_ASSERT_EQUAL(q.n_profiles, 0);
    CU_ASSERT_PTR_NULL(q.config);
    CU_ASSERT_EQUAL(q.per_user, 0);
    cups_queue_free(&q);

    /* another backend: defaults apply */
    CU_ASSERT_EQUAL(cups_queue_parse(&q, "file:///dev/null", why,
        sizeof(why)), 1);
    CU_ASSERT_EQUAL(cups_queue_parse(&q, NULL, why, sizeof(why)), 1);
    CU_ASSERT_EQUAL(cups_queue_parse(&q, "eseal-storex:/a", why,
        sizeof(why)), 1);
}

static void test_cups__uri_refusals(void)
{
    static const char *const bad[][2] = {
        { "eseal-store:relative/dir", "absolute" },
        { "eseal-store://host/dir", "host" },
        { "eseal-store:/a/../etc", "absolute" },
        { "eseal-store:/a/..", "absolute" },
        { "eseal-store:/a?profiles=ok,bad/name", "not a profile name" },
        { "eseal-store:/a?profiles=a%20b", "not a profile name" },
        { "eseal-store:/a?config=rel.conf", "absolute" },
        { "eseal-store:/a?per=group", "per is user or queue" },
        { "eseal-store:/a?colour=red", "unknown setting" },
        { "eseal-store:/a?profiles", "NAME=VALUE" },
        { "eseal-store:/a%00b", "escape" },
        { "eseal-store:/a%zz", "escape" },
    };
    cups_queue q;
    char why[200];
    size_t i;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        CU_ASSERT_EQUAL(cups_queue_parse(&q, bad[i][0], why, sizeof(why)),
            -1);
        if (strstr(why, bad[i][1]) == NULL)
            show(bad[i][0], why, bad[i][1]);
        CU_ASSERT_PTR_NOT_NULL(strstr(why, bad[i][1]));
        cups_queue_free(&q);
    }
}

static void test_cups__too_many_profiles(void)
{
    char uri[1024], why[200];
    cups_queue q;
    size_t n, i;

    n = (size_t)snprintf(uri, sizeof(uri), "eseal-store:/a?profiles=p0");
    for (i = 1; i <= CUPS_MAX_PROFILES; i++)
        n += (size_t)snprintf(uri + n, sizeof(uri) - n, ",p%zu", i);
    CU_ASSERT_EQUAL(cups_queue_parse(&q, uri, why, sizeof(why)), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "too many"));
    cups_queue_free(&q);
}

static void test_cups__json_string(void)
{
    char out[64];
    size_t n;

    n = cups_json_string(out, sizeof(out), 0, "a\"b\\c\n\x01");
    CU_ASSERT_STRING_EQUAL(out, "\"a\\\"b\\\\c\\u000a\\u0001\"");
    CU_ASSERT_EQUAL(n, strlen(out));
    /* UTF-8 kept, invalid bytes replaced */
    n = cups_json_string(out, sizeof(out), 0, "\xe6\xa0\xaa\xff!");
    CU_ASSERT_STRING_EQUAL(out, "\"\xe6\xa0\xaa\xef\xbf\xbd!\"");
    /* an overlong encoding and a lone surrogate are not UTF-8 */
    n = cups_json_string(out, sizeof(out), 0, "\xc0\xaf\xed\xa0\x80");
    CU_ASSERT_EQUAL(strstr(out, "\xc0"), NULL);
    CU_ASSERT_EQUAL(strstr(out, "\xed"), NULL);
    /* appends after used bytes; reports what does not fit */
    memcpy(out, "xy", 3);
    CU_ASSERT_EQUAL(cups_json_string(out, sizeof(out), 2, "z"), 5);
    CU_ASSERT_STRING_EQUAL(out, "xy\"z\"");
    CU_ASSERT_EQUAL(cups_json_string(out, 8, 2, "long text"), 8);
    CU_ASSERT_EQUAL(cups_json_string(out, sizeof(out), 0, NULL), 2);
    CU_ASSERT_STRING_EQUAL(out, "\"\"");
    (void)n;
}

static void test_cups__safe_title(void)
{
    static const char *const cases[][2] = {
        { "Invoice 2024-04.pdf", "Invoice_2024-04" },
        { "../../etc/passwd", "_.._etc_passwd" },
        { ".hidden", "hidden" },
        { "", "job" },
        { "///", "job" },
        { "a\nb\tc", "a_b_c" },
        { "\xe8\xab\x8b\xe6\xb1\x82\xe6\x9b\xb8 No.7",
          "\xe8\xab\x8b\xe6\xb1\x82\xe6\x9b\xb8_No.7" },
        { "bad\xff" "byte", "bad_byte" },
        { "report.PDF", "report" },
        { "x.", "x" },
    };
    char out[101];
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cups_safe_title(out, 100, cases[i][0]);
        if (strcmp(out, cases[i][1]) != 0)
            show(cases[i][0], out, cases[i][1]);
        CU_ASSERT_STRING_EQUAL(out, cases[i][1]);
    }
    /* long titles are cut, never inside a UTF-8 character */
    cups_safe_title(out, 4, "\xe8\xab\x8b\xe6\xb1\x82");
    CU_ASSERT_STRING_EQUAL(out, "\xe8\xab\x8b");
    cups_safe_title(out, 5, "abcdefgh");
    CU_ASSERT_STRING_EQUAL(out, "abcde");
    CU_ASSERT_PTR_NULL(strchr(out, '/'));
}

static void test_cups__safe_user(void)
{
    CU_ASSERT_TRUE(cups_safe_user("alice"));
    CU_ASSERT_TRUE(cups_safe_user("j.doe_2-x"));
    CU_ASSERT_FALSE(cups_safe_user(""));
    CU_ASSERT_FALSE(cups_safe_user(NULL));
    CU_ASSERT_FALSE(cups_safe_user(".."));
    CU_ASSERT_FALSE(cups_safe_user(".alice"));
    CU_ASSERT_FALSE(cups_safe_user("-rf"));
    CU_ASSERT_FALSE(cups_safe_user("a/b"));
    CU_ASSERT_FALSE(cups_safe_user("DOMAIN\\user"));
    CU_ASSERT_FALSE(cups_safe_user("a b"));
    CU_ASSERT_FALSE(cups_safe_user(
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
}

int main(void)
{
    static const unit_case cases[] = {
        UNIT_CASE(test_cups__uri_settings),
        UNIT_CASE(test_cups__uri_refusals),
        UNIT_CASE(test_cups__too_many_profiles),
        UNIT_CASE(test_cups__json_string),
        UNIT_CASE(test_cups__safe_title),
        UNIT_CASE(test_cups__safe_user),
        UNIT_END
    };
    return unit_run("cups", cases);
}
