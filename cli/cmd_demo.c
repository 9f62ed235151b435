/* eseal command - demo-pki: write a throw-away demo PKI. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include "cli.h"

static void usage(FILE *f)
{
    fprintf(f,
        "usage: eseal demo-pki [--url-base http://127.0.0.1:PORT] DIR\n"
        "\n"
        "Writes a throw-away test PKI into DIR: root and issuing CA, e-Seal\n"
        "certificates (RSA, P-256, P-384, PKCS#12, one revoked), a TSA and\n"
        "an OCSP responder certificate, CRLs and an `openssl ocsp` index.\n"
        "Demo material only: never use it to seal real documents.\n"
        "\n"
        "  --url-base URL  where the certificates point for CA certificates,\n"
        "                  CRLs and OCSP (default http://127.0.0.1:8080)\n");
}

int cmd_demo_pki(int argc, char **argv)
{
    static const struct option options[] = {
        { "url-base", required_argument, NULL, 'u' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    eseal_error err = { 0, "" };
    const char *url_base = NULL, *dir;
    const char *const *name;
    int c, rc;

    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+h", options, NULL)) != -1) {
        switch (c) {
        case 'u':
            url_base = optarg;
            break;
        case 'h':
            usage(stdout);
            return CLI_EXIT_OK;
        default:
            cli_error("demo-pki", "unknown option or missing value: %s "
                "(see eseal demo-pki --help)", argv[optind - 1]);
            return CLI_EXIT_USAGE;
        }
    }
    if (argc - optind != 1) {
        cli_error("demo-pki", "expected one directory "
            "(see eseal demo-pki --help)");
        return CLI_EXIT_USAGE;
    }
    dir = argv[optind];
    if ((rc = eseal_demo_pki(dir, url_base, &err)) < 0) {
        cli_report_error(NULL, &err);
        return cli_exit_status(rc);
    }
    printf("Demo PKI written to %s (DEMO MATERIAL ONLY, NOT FOR PRODUCTION; "
        "private keys are unencrypted):\n", dir);
    for (name = eseal_demo_pki_files(); *name != NULL; name++)
        printf("  %s/%s\n", dir, *name);
    printf("Try: eseal seal --key %s/eseal-rsa.key --cert %s/eseal-rsa.pem "
        "--chain %s/chain.pem -o sealed.pdf input.pdf\n", dir, dir, dir);
    return CLI_EXIT_OK;
}
