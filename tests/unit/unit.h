/* eseal unit tests - a tiny CUnit driver shared by every suite. */
#ifndef ESEAL_UNIT_H
#define ESEAL_UNIT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <CUnit/Basic.h>

typedef struct unit_case {
    const char *name;
    void (*fn)(void);
} unit_case;

/* Runs one suite; returns the process exit status (0 when all passed). */
static inline int unit_run(const char *suite_name, const unit_case *cases)
{
    CU_pSuite suite;
    unsigned int failed;

    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    suite = CU_add_suite(suite_name, NULL, NULL);
    if (suite == NULL)
        return 2;
    for (; cases->name != NULL; cases++)
        if (CU_add_test(suite, cases->name, cases->fn) == NULL)
            return 2;
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    CU_cleanup_registry();
    return failed == 0 ? 0 : 1;
}

/* The whole file, NUL-terminated (free()); its length in *len if asked. */
static inline char *unit_slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;

    if (f == NULL)
        return NULL;
    if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0) {
        fclose(f);
        return NULL;
    }
    rewind(f);
    buf = malloc((size_t)n + 1);
    if (buf != NULL && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    if (buf != NULL) {
        buf[n] = '\0';
        if (len != NULL)
            *len = (size_t)n;
    }
    return buf;
}

/* Occurrences of pat in the string s (overlapping ones too); 0 for NULL. */
static inline int unit_count(const char *s, const char *pat)
{
    int n = 0;

    while (s != NULL && (s = strstr(s, pat)) != NULL) {
        n++;
        s++;
    }
    return n;
}

#define UNIT_CASE(fn) { #fn, fn }
#define UNIT_END { NULL, NULL }

#endif
