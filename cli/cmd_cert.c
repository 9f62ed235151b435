/*
 * eseal command - `eseal cert inspect [--json] CERT`: what an e-Seal
 * certificate says and whether it is fit for sealing.  Exits 0 when it is
 * fit, 1 when it has warnings that make it unfit, 2 on usage or I/O errors
 * (missing file, not a certificate).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

static void usage(FILE *f)
{
    fprintf(f,
        "usage: eseal cert inspect [--json] [--config FILE] "
        "[--profile NAME] CERT\n"
        "\n"
        "Shows the e-Seal fields of a certificate (PEM or DER; \"-\" reads\n"
        "standard input), checks its organization identifiers and warns\n"
        "when it is unfit for sealing.\n"
        "\n"
        "  --json          print one JSON object\n"
        "  --config FILE   take the assurance level table from FILE\n"
        "  --profile NAME  ... from that profile (default: the default one)\n"
        "\n"
        "Exit status: 0 fit for sealing, 1 unfit, 2 usage or I/O error.\n");
}

/* Reads the certificate ("-" = stdin) and inspects it. */
static int inspect(eseal_cert_info **out, const char *path,
    const char *const *table, eseal_error *err)
{
    eseal_bytes in = { NULL, 0 };
    int rc;

    if (strcmp(path, "-") != 0)
        return eseal_cert_inspect_file(out, path, table, err);
    rc = cli_read_all(&in, path, err);
    if (rc < 0) {
        char msg[sizeof(err->message)];

        snprintf(msg, sizeof(msg), "%s", err->message);
        snprintf(err->message, sizeof(err->message), "standard input: %.200s",
            msg);
        return rc;
    }
    rc = eseal_cert_inspect_buffer(out, in.data, in.len,
        "standard input", table, err);
    free(in.data);
    return rc;
}

int cmd_cert(int argc, char **argv)
{
    const char *path = NULL, *config_path = NULL, *profile_name = NULL;
    const char *const *table = NULL;
    eseal_config *config = NULL;
    const eseal_profile *profile = NULL;
    eseal_cert_info *info = NULL;
    eseal_error err = { 0, "" };
    char *out = NULL;
    int json = 0, status = CLI_EXIT_USAGE, i;

    if (argc < 2 || strcmp(argv[1], "--help") == 0 ||
        strcmp(argv[1], "-h") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
    }
    if (strcmp(argv[1], "inspect") != 0) {
        cli_error("cert", "unknown subcommand '%s'", argv[1]);
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    for (i = 2; i < argc; i++) {
        const char *a = argv[i];

        if (strcmp(a, "--json") == 0) {
            json = 1;
        } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return CLI_EXIT_OK;
        } else if ((strcmp(a, "--config") == 0 ||
                    strcmp(a, "--profile") == 0) && i + 1 < argc) {
            if (a[2] == 'c')
                config_path = argv[++i];
            else
                profile_name = argv[++i];
        } else if (strcmp(a, "--") == 0 && i + 2 == argc) {
            path = argv[++i];
        } else if (a[0] == '-' && a[1] != '\0') {
            cli_error("cert inspect", "unknown or incomplete option '%s'",
                a);
            usage(stderr);
            return CLI_EXIT_USAGE;
        } else if (path == NULL) {
            path = a;
        } else {
            cli_error("cert inspect", "only one certificate at a time");
            return CLI_EXIT_USAGE;
        }
    }
    if (path == NULL) {
        cli_error("cert inspect", "no certificate given");
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    if (config_path != NULL || profile_name != NULL) {
        if (eseal_config_load(&config, config_path != NULL ? config_path
                              : ESEAL_DEFAULT_CONFIG, &err) < 0 ||
            eseal_config_profile(&profile, config, profile_name, &err) < 0) {
            cli_report_error(NULL, &err);
            goto cleanup;
        }
        table = profile->verify.assurance_levels;
    }
    if (inspect(&info, path, table, &err) < 0) {
        cli_report_error(NULL, &err);
        goto cleanup;
    }
    out = json ? eseal_cert_info_json(info) : eseal_cert_info_text(info);
    if (out == NULL) {
        cli_error(NULL, "out of memory");
        goto cleanup;
    }
    if (cli_write_stdout((const unsigned char *)out, strlen(out), &err) < 0 ||
        (json && cli_write_stdout((const unsigned char *)"\n", 1, &err) < 0)) {
        cli_report_error(NULL, &err);
        goto cleanup;
    }
    status = eseal_cert_info_warning_count(info) == 0 ? CLI_EXIT_OK
                                                      : CLI_EXIT_DOCUMENT;
cleanup:
    eseal_free(out);
    eseal_cert_info_free(info);
    if (config != NULL)
        eseal_config_free(config);
    return status;
}
