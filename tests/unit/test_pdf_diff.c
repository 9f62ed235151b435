/* placeholder: being written */
#include "unit.h"
static void test_pdf_diff__placeholder(void) { CU_ASSERT(1); }
int main(void)
{
    static const unit_case cases[] = { UNIT_CASE(test_pdf_diff__placeholder), UNIT_END };
    return unit_run("pdf_diff", cases);
}
