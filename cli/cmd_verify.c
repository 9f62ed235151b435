/* eseal verify - check the seals of documents. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "cli.h"

static void usage(FILE *f)
{
    fprintf(f,
        "usage: eseal verify [--trust FILE] [--profile NAME] [--config FILE]\n"
        "                    [--offline] [--json] INPUT...\n"
        "--offline: only what the documents embed (no OCSP or CRL fetch).\n");
}

static void print_time(const char *label, time_t t)
{
    char buf[32];
    struct tm tm;

    if (t == 0 || gmtime_r(&t, &tm) == NULL)
        return;
    strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
    printf("    %-14s %s\n", label, buf);
}

static void print_signature(const eseal_report *r, size_t i,
    const eseal_signature_report *s)
{
    size_t k;

    printf("  seal %zu: %s\n", i + 1, s->valid ? "valid" : "NOT VALID");
    printf("    %-14s %s\n", "organization:",
        s->signer.organization ? s->signer.organization : "(none)");
    for (k = 0; k < s->signer.n_organization_identifiers; k++)
        printf("    %-14s %s\n", k == 0 ? "identifier:" : "",
            s->signer.organization_identifiers[k]);
    if (s->signer.subject != NULL)
        printf("    %-14s %s\n", "subject:", s->signer.subject);
    if (s->signer.issuer != NULL)
        printf("    %-14s %s\n", "issuer:", s->signer.issuer);
    printf("    %-14s %s\n", "integrity:",
        s->integrity ? "intact" : "BROKEN");
    printf("    %-14s %s\n", "coverage:", s->covers_whole_document ?
        "the whole document" : eseal_report_format(r) == ESEAL_FORMAT_PDF ?
        "a previous revision" : "part of the document");
    printf("    %-14s %s\n", "changes after:",
        eseal_modifications_name(s->modifications_after));
    printf("    %-14s %s%s%s\n", "kind:", s->kind,
        s->level >= 0 ? ", level " : "",
        s->level >= 0 ? eseal_level_name((eseal_level)s->level) : "");
    if (s->certification)
        printf("    %-14s DocMDP P=%d\n", "certification:",
            s->docmdp_permissions);
    printf("    %-14s %s\n", "chain:",
        s->chain_trusted ? "trusted" : "NOT TRUSTED");
    printf("    %-14s %s\n", "revocation:",
        eseal_revocation_name(s->revocation));
    if (s->assurance_level != NULL)
        printf("    %-14s %s\n", "assurance:", s->assurance_level);
    print_time("signing time:", s->signing_time);
    print_time("timestamp:", s->timestamp_time);
    if (s->timestamp_authority != NULL)
        printf("    %-14s %s\n", "authority:", s->timestamp_authority);
    for (k = 0; k < s->n_errors; k++)
        printf("    error:         %s\n", s->errors[k]);
    for (k = 0; k < s->n_warnings; k++)
        printf("    warning:       %s\n", s->warnings[k]);
}

static void print_text(const eseal_report *r)
{
    size_t n = eseal_report_signature_count(r), i;

    printf("%s: %s (%zu seal%s)\n", eseal_report_file(r),
        eseal_report_valid(r) ? "VALID" : "NOT VALID", n, n == 1 ? "" : "s");
    if (n == 0)
        printf("  no seal or signature found\n");
    for (i = 0; i < n; i++)
        print_signature(r, i, eseal_report_signature(r, i));
    for (i = 0; i < eseal_report_doc_timestamp_count(r); i++) {
        const eseal_doc_timestamp_report *d = eseal_report_doc_timestamp(r, i);

        printf("  document timestamp %zu: %s\n", i + 1,
            d->valid ? "valid" : "NOT VALID");
        print_time("time:", d->time);
        if (d->authority != NULL)
            printf("    %-14s %s\n", "authority:", d->authority);
    }
}

int cmd_verify(int argc, char **argv)
{
    static const struct option options[] = {
        { "trust", required_argument, NULL, 't' },
        { "profile", required_argument, NULL, 'p' },
        { "config", required_argument, NULL, 'c' },
        { "offline", no_argument, NULL, 'f' },
        { "json", no_argument, NULL, 'j' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    eseal_verify_opts opts = ESEAL_VERIFY_OPTS_INIT;
    const char *trust = NULL, *profile = NULL, *config_path = NULL;
    eseal_config *config = NULL;
    int json = 0, offline = 0, c, i, status = CLI_EXIT_OK, n, printed = 0;

    optind = 1;
    while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
        switch (c) {
        case 't': trust = optarg; break;
        case 'p': profile = optarg; break;
        case 'c': config_path = optarg; break;
        case 'f': offline = 1; break;
        case 'j': json = 1; break;
        case 'h': usage(stdout); return CLI_EXIT_OK;
        default: usage(stderr); return CLI_EXIT_USAGE;
        }
    }
    n = argc - optind;
    if (n == 0) {
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    if (config_path == NULL && profile != NULL)
        config_path = ESEAL_DEFAULT_CONFIG;
    if (config_path != NULL) {
        const eseal_profile *p;
        eseal_error err = { 0, "" };

        if (eseal_config_load(&config, config_path, &err) < 0 ||
            eseal_config_profile(&p, config, profile, &err) < 0) {
            cli_report_error(NULL, &err);
            eseal_config_free(config);
            return CLI_EXIT_USAGE;
        }
        opts = p->verify;
    }
    if (trust != NULL)
        opts.trust_file = trust;
    if (offline)
        opts.offline = 1;
    if (json && n > 1)
        printf("[\n");
    for (i = optind; i < argc; i++) {
        eseal_report *r = NULL;
        eseal_error err = { 0, "" };
        eseal_bytes doc = { NULL, 0 };
        int rc;

        if (strcmp(argv[i], "-") == 0) {
            rc = cli_read_all(&doc, "-", &err);
            if (rc == 0)
                rc = eseal_verify_buffer(&r, doc.data, doc.len, "-", &opts,
                    &err);
            free(doc.data);
        } else {
            rc = eseal_verify_file(&r, argv[i], &opts, &err);
        }
        if (rc < 0) {
            cli_report_error(argv[i], &err);
            if (cli_exit_status(rc) > status)
                status = cli_exit_status(rc);
            continue;
        }
        if (json) {
            char *s = eseal_report_json(r);

            printf("%s%s", printed > 0 ? ",\n" : "", s ? s : "null");
            printed++;
            eseal_free(s);
        } else {
            print_text(r);
        }
        if (!eseal_report_valid(r) && status == CLI_EXIT_OK)
            status = CLI_EXIT_DOCUMENT;
        eseal_report_free(r);
    }
    if (json && printed > 0)
        printf("\n");
    if (json && n > 1)
        printf("]\n");
    eseal_config_free(config);
    return status;
}
