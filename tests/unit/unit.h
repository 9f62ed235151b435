/* eseal unit tests - a tiny CUnit driver shared by every suite. */
#ifndef ESEAL_UNIT_H
#define ESEAL_UNIT_H

#include <stdio.h>
#include <stdlib.h>
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

#define UNIT_CASE(fn) { #fn, fn }
#define UNIT_END { NULL, NULL }

#endif
