/* placeholder: being written */
#include "unit.h"
static void test_pdf_reader__placeholder(void) { CU_ASSERT(1); }
int main(void)
{
    static const unit_case cases[] = { UNIT_CASE(test_pdf_reader__placeholder), UNIT_END };
    return unit_run("pdf_reader", cases);
}
