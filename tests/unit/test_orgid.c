/* Unit tests: organization identifiers and their check digits. */
#include <string.h>
#include "unit.h"
#include "core/orgid.h"

/* Parses v and checks the outcome; returns the parsed id for more checks. */
static eseal_org_id parse(const char *v)
{
    eseal_org_id id;
    eseal_error err = { 0, "" };

    CU_ASSERT_EQUAL_FATAL(eseal_org_id_parse(&id, v, &err), 0);
    CU_ASSERT_PTR_NOT_NULL(id.value);
    CU_ASSERT_NOT_EQUAL(id.reason[0], '\0');
    return id;
}

static void test_orgid__corporate_number_formula(void)
{
    /* National Tax Agency: base 000012050002, sum 2+5+2+2 = 11, 9-2 = 7 */
    CU_ASSERT_EQUAL(eseal__corporate_number_check_digit("000012050002"), 7);
    /* base 010401089998: sum 67, 67 mod 9 = 4, 9-4 = 5 */
    CU_ASSERT_EQUAL(eseal__corporate_number_check_digit("010401089998"), 5);
    /* all zeros: 9 - 0 = 9 */
    CU_ASSERT_EQUAL(eseal__corporate_number_check_digit("000000000000"), 9);
    /* the weight 2 falls on the second digit from the right */
    CU_ASSERT_EQUAL(eseal__corporate_number_check_digit("000000000010"), 7);
    CU_ASSERT_EQUAL(eseal__corporate_number_check_digit("000000000001"), 8);
    CU_ASSERT_EQUAL(eseal__corporate_number_check_digit("00000000001"), -1);
    CU_ASSERT_EQUAL(eseal__corporate_number_check_digit("0000000000012"), -1);
    CU_ASSERT_EQUAL(eseal__corporate_number_check_digit("00000000000a"), -1);
    CU_ASSERT_EQUAL(eseal__corporate_number_check_digit(NULL), -1);

    CU_ASSERT_TRUE(eseal_corporate_number_valid("7000012050002"));
    CU_ASSERT_TRUE(eseal_corporate_number_valid("5010401089998"));
    CU_ASSERT_FALSE(eseal_corporate_number_valid("6000012050002"));
    CU_ASSERT_FALSE(eseal_corporate_number_valid("5010401089989"));
    CU_ASSERT_FALSE(eseal_corporate_number_valid("701001205000"));
    CU_ASSERT_FALSE(eseal_corporate_number_valid(""));
    CU_ASSERT_FALSE(eseal_corporate_number_valid(NULL));
}

static void test_orgid__lei_check(void)
{
    CU_ASSERT_EQUAL(eseal__mod97("5493001KJTIIGC8Y1R12"), 1);
    CU_ASSERT_TRUE(eseal_lei_valid("5493001KJTIIGC8Y1R12"));
    /* one changed character breaks the check */
    CU_ASSERT_FALSE(eseal_lei_valid("5493001KJTIIGC8Y1R13"));
    CU_ASSERT_FALSE(eseal_lei_valid("5493001KJTIIGC8Y2R12"));
    CU_ASSERT_FALSE(eseal_lei_valid("5493001kjtiigc8y1r12"));
    CU_ASSERT_FALSE(eseal_lei_valid("5493001KJTIIGC8Y1R1"));
    CU_ASSERT_FALSE(eseal_lei_valid(NULL));
    CU_ASSERT_EQUAL(eseal__mod97("A"), 10);
    CU_ASSERT_EQUAL(eseal__mod97("97"), 0);
    CU_ASSERT_EQUAL(eseal__mod97("1-2"), -1);
    CU_ASSERT_EQUAL(eseal__mod97(""), -1);
}

static void test_orgid__ntr_jp(void)
{
    eseal_org_id id = parse("NTRJP-7000012050002");

    CU_ASSERT_STRING_EQUAL(id.scheme, "NTR");
    CU_ASSERT_STRING_EQUAL(id.country, "JP");
    CU_ASSERT_STRING_EQUAL(id.number, "7000012050002");
    CU_ASSERT_STRING_EQUAL(id.value, "NTRJP-7000012050002");
    CU_ASSERT_FALSE(id.private_scheme);
    CU_ASSERT_EQUAL(id.check, ESEAL_ID_VALID);
    eseal_org_id_clear(&id);

    id = parse("NTRJP-5010401089998");
    CU_ASSERT_EQUAL(id.check, ESEAL_ID_VALID);
    eseal_org_id_clear(&id);

    id = parse("NTRJP-4010401089998");
    CU_ASSERT_EQUAL(id.check, ESEAL_ID_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(id.reason, "give 5"));
    eseal_org_id_clear(&id);

    id = parse("NTRJP-701001205000");     /* 12 digits */
    CU_ASSERT_EQUAL(id.check, ESEAL_ID_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(id.reason, "13 digits"));
    eseal_org_id_clear(&id);

    id = parse("NTRJP-70000120500020");   /* 14 digits */
    CU_ASSERT_EQUAL(id.check, ESEAL_ID_INVALID);
    eseal_org_id_clear(&id);

    id = parse("NTRJP-700001205000X");
    CU_ASSERT_EQUAL(id.check, ESEAL_ID_INVALID);
    eseal_org_id_clear(&id);

    id = parse("NTRGB-01234567");          /* other countries: shape only */
    CU_ASSERT_STRING_EQUAL(id.country, "GB");
    CU_ASSERT_EQUAL(id.check, ESEAL_ID_NOT_CHECKABLE);
    eseal_org_id_clear(&id);
}

static void test_orgid__gov_jp(void)
{
    eseal_org_id id = parse("GOVJP-7000012050002");

    CU_ASSERT_STRING_EQUAL(id.scheme, "GOV");
    CU_ASSERT_EQUAL(id.check, ESEAL_ID_VALID);
    eseal_org_id_clear(&id);

    id = parse("GOVJP-8000012050002");
    CU_ASSERT_EQUAL(id.check, ESEAL_ID_INVALID);
    eseal_org_id_clear(&id);

    id = parse("GOVJP-MIC-0001");
    CU_ASSERT_STRING_EQUAL(id.number, "MIC-0001");
    CU_ASSERT_EQUAL(id.check, ESEAL_ID_NOT_CHECKABLE);
    eseal_org_id_clear(&id);
}

static void test_orgid__lei_scheme(void)
{
    eseal_org_id id = parse("LEIXG-5493001KJTIIGC8Y1R12");

    CU_ASSERT_STRING_EQUAL(id.scheme, "LEI");
    CU_ASSERT_STRING_EQUAL(id.country, "XG");
    CU_ASSERT_STRING_EQUAL(id.number, "5493001KJTIIGC8Y1R12");
    CU_ASSERT_EQUAL(id.check, ESEAL_ID_VALID);
    eseal_org_id_clear(&id);

    id = parse("LEIXG-5493001KJTIIGC8Y1R21");
    CU_ASSERT_EQUAL(id.check, ESEAL_ID_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(id.reason, "MOD 97-10"));
    eseal_org_id_clear(&id);

    id = parse("LEIXG-5493001KJTIIGC8Y1R1");
    CU_ASSERT_EQUAL(id.check, ESEAL_ID_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(id.reason, "20 characters"));
    eseal_org_id_clear(&id);

    id = parse("LEIXG-5493001kjtiigc8y1r12");
    CU_ASSERT_EQUAL(id.check, ESEAL_ID_INVALID);
    eseal_org_id_clear(&id);

    id = parse("LEIJP-5493001KJTIIGC8Y1R12");
    CU_ASSERT_EQUAL(id.check, ESEAL_ID_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(id.reason, "XG"));
    eseal_org_id_clear(&id);
}

static void test_orgid__other_schemes(void)
{
    eseal_org_id id = parse("VATDE-123456789");

    CU_ASSERT_STRING_EQUAL(id.scheme, "VAT");
    CU_ASSERT_STRING_EQUAL(id.country, "DE");
    CU_ASSERT_STRING_EQUAL(id.number, "123456789");
    CU_ASSERT_EQUAL(id.check, ESEAL_ID_NOT_CHECKABLE);
    eseal_org_id_clear(&id);

    id = parse("PSDBE-NBB-0123456789");
    CU_ASSERT_STRING_EQUAL(id.scheme, "PSD");
    CU_ASSERT_STRING_EQUAL(id.number, "NBB-0123456789");
    CU_ASSERT_EQUAL(id.check, ESEAL_ID_NOT_CHECKABLE);
    eseal_org_id_clear(&id);

    id = parse("PSDBE-0123456789");       /* no authority part */
    CU_ASSERT_EQUAL(id.check, ESEAL_ID_INVALID);
    eseal_org_id_clear(&id);

    id = parse("XYZJP-1");
    CU_ASSERT_STRING_EQUAL(id.scheme, "XYZ");
    CU_ASSERT_EQUAL(id.check, ESEAL_ID_NOT_CHECKABLE);
    CU_ASSERT_PTR_NOT_NULL(strstr(id.reason, "unknown scheme"));
    eseal_org_id_clear(&id);
}

static void test_orgid__private_schemes(void)
{
    static const char *const jp[] = { "TD:JP-123456789", "JI:JP-1234567890",
                                      "TS:JP-987654321", NULL };
    eseal_org_id id;
    size_t i;

    for (i = 0; jp[i] != NULL; i++) {
        id = parse(jp[i]);
        CU_ASSERT_TRUE(id.private_scheme);
        CU_ASSERT_EQUAL(strlen(id.scheme), 2);
        CU_ASSERT_EQUAL(strncmp(id.scheme, jp[i], 2), 0);
        CU_ASSERT_STRING_EQUAL(id.country, "JP");
        CU_ASSERT_STRING_EQUAL(id.number, jp[i] + 6);
        CU_ASSERT_EQUAL(id.check, ESEAL_ID_NOT_CHECKABLE);
        CU_ASSERT_PTR_NOT_NULL(strstr(id.reason, "Japanese"));
        eseal_org_id_clear(&id);
    }
    id = parse("Z9:DE-42");
    CU_ASSERT_TRUE(id.private_scheme);
    CU_ASSERT_STRING_EQUAL(id.scheme, "Z9");
    CU_ASSERT_STRING_EQUAL(id.country, "DE");
    CU_ASSERT_EQUAL(id.check, ESEAL_ID_NOT_CHECKABLE);
    eseal_org_id_clear(&id);

    id = parse("TD:JP-");
    CU_ASSERT_EQUAL(id.check, ESEAL_ID_INVALID);
    eseal_org_id_clear(&id);
}

static void test_orgid__garbage(void)
{
    static const char *const odd[] = { "hello", "NTR", "NTRJP",
        "NTRJP7000012050002", "ntrjp-7000012050002", "NTRJ-1", "TD:J-1",
        "TD;JP-1", ":", "-", "\xe6\xb3\x95", NULL };
    eseal_org_id id;
    size_t i;

    for (i = 0; odd[i] != NULL; i++) {
        id = parse(odd[i]);
        CU_ASSERT_STRING_EQUAL(id.value, odd[i]);
        CU_ASSERT_STRING_EQUAL(id.scheme, "");
        CU_ASSERT_STRING_EQUAL(id.country, "");
        CU_ASSERT_PTR_NULL(id.number);
        CU_ASSERT_EQUAL(id.check, ESEAL_ID_NOT_CHECKABLE);
        eseal_org_id_clear(&id);
    }
    id = parse("NTRJP-");
    CU_ASSERT_EQUAL(id.check, ESEAL_ID_INVALID);
    eseal_org_id_clear(&id);

    id = parse("NTRJP-7000012050002\n");
    CU_ASSERT_EQUAL(id.check, ESEAL_ID_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(id.reason, "control"));
    eseal_org_id_clear(&id);

    id = parse("VATDE-12 34");
    CU_ASSERT_EQUAL(id.check, ESEAL_ID_INVALID);
    eseal_org_id_clear(&id);
}

static void test_orgid__empty_and_overlong(void)
{
    char big[ESEAL_ORG_ID_MAX + 50];
    eseal_org_id id = parse("");
    eseal_error err = { 0, "" };

    CU_ASSERT_EQUAL(id.check, ESEAL_ID_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(id.reason, "empty"));
    eseal_org_id_clear(&id);

    memcpy(big, "NTRJP-", 6);
    memset(big + 6, '7', sizeof(big) - 7);
    big[sizeof(big) - 1] = '\0';
    id = parse(big);
    CU_ASSERT_EQUAL(id.check, ESEAL_ID_INVALID);
    CU_ASSERT_EQUAL(strlen(id.value), ESEAL_ORG_ID_MAX);
    CU_ASSERT_PTR_NOT_NULL(strstr(id.reason, "longer"));
    eseal_org_id_clear(&id);

    /* exactly the limit is still parsed */
    big[ESEAL_ORG_ID_MAX] = '\0';
    id = parse(big);
    CU_ASSERT_STRING_EQUAL(id.scheme, "NTR");
    CU_ASSERT_EQUAL(id.check, ESEAL_ID_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(id.reason, "13 digits"));
    eseal_org_id_clear(&id);

    CU_ASSERT_EQUAL(eseal_org_id_parse(&id, NULL, &err), ESEAL_EINVAL);
    CU_ASSERT_EQUAL(err.code, ESEAL_EINVAL);
    eseal_org_id_clear(NULL);
}

static void test_orgid__check_names(void)
{
    CU_ASSERT_STRING_EQUAL(eseal_id_check_name(ESEAL_ID_VALID), "valid");
    CU_ASSERT_STRING_EQUAL(eseal_id_check_name(ESEAL_ID_INVALID), "invalid");
    CU_ASSERT_STRING_EQUAL(eseal_id_check_name(ESEAL_ID_NOT_CHECKABLE),
        "not_checkable");
}

int main(void)
{
    static const unit_case cases[] = {
        UNIT_CASE(test_orgid__corporate_number_formula),
        UNIT_CASE(test_orgid__lei_check),
        UNIT_CASE(test_orgid__ntr_jp),
        UNIT_CASE(test_orgid__gov_jp),
        UNIT_CASE(test_orgid__lei_scheme),
        UNIT_CASE(test_orgid__other_schemes),
        UNIT_CASE(test_orgid__private_schemes),
        UNIT_CASE(test_orgid__garbage),
        UNIT_CASE(test_orgid__empty_and_overlong),
        UNIT_CASE(test_orgid__check_names),
        UNIT_END
    };
    return unit_run("orgid", cases);
}
