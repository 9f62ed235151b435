/* placeholder: being written */
#include "unit.h"
static void test_cms__placeholder(void) { CU_ASSERT(1); }
int main(void)
{
    static const unit_case cases[] = { UNIT_CASE(test_cms__placeholder), UNIT_END };
    return unit_run("cms", cases);
}
