/* eseal command - dispatch to the subcommands. */
#include <stdio.h>
#include <string.h>
#include "cli.h"

static void usage(FILE *f)
{
    fprintf(f,
        "usage: eseal <command> [options]\n"
        "\n"
        "commands:\n"
        "  seal         put the organization's e-Seal on documents\n"
        "  verify       check the seals of documents\n"
        "  extend       add timestamps and validation data (B-LT, B-LTA)\n"
        "  cert inspect show the e-Seal fields of a certificate\n"
        "  demo-pki     write a throw-away demo PKI into a directory\n"
        "\n"
        "Run 'eseal <command> --help' for the options of a command;\n"
        "see eseal(1).\n");
}

int main(int argc, char **argv)
{
    eseal_error err = { 0, "" };
    int status;

    if (argc < 2) {
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(stdout);
        return CLI_EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("eseal %s\n", eseal_version());
        return CLI_EXIT_OK;
    }
    if (eseal_init(&err) < 0) {
        cli_report_error(NULL, &err);
        return CLI_EXIT_USAGE;
    }
    if (strcmp(argv[1], "seal") == 0)
        status = cmd_seal(argc - 1, argv + 1);
    else if (strcmp(argv[1], "verify") == 0)
        status = cmd_verify(argc - 1, argv + 1);
    else if (strcmp(argv[1], "extend") == 0)
        status = cmd_extend(argc - 1, argv + 1);
    else if (strcmp(argv[1], "cert") == 0)
        status = cmd_cert(argc - 1, argv + 1);
    else if (strcmp(argv[1], "demo-pki") == 0)
        status = cmd_demo_pki(argc - 1, argv + 1);
    else {
        cli_error(NULL, "unknown command '%s'", argv[1]);
        usage(stderr);
        status = CLI_EXIT_USAGE;
    }
    eseal_shutdown();
    return status;
}
