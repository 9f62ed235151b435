/* placeholder: being written */
#include "unit.h"
static void test_xml__placeholder(void) { CU_ASSERT(1); }
int main(void)
{
    static const unit_case cases[] = { UNIT_CASE(test_xml__placeholder), UNIT_END };
    return unit_run("xml", cases);
}
