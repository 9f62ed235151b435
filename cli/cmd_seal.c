/* placeholder: being written */
#include "cli.h"
int cmd_seal(int argc, char **argv) { (void)argc; (void)argv; return CLI_EXIT_USAGE; }
