/* eseal extend - raise sealed documents to B-LT or B-LTA. */
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cli.h"

#define MAX_TSA 16

static void usage(FILE *f)
{
    fprintf(f,
        "usage: eseal extend --level B-LT|B-LTA [--tsa URL]...\n"
        "                    [--tsa-auth-file FILE] [--timeout SECONDS]\n"
        "                    [--digest sha256|sha384|sha512]\n"
        "                    [--profile NAME] [--config FILE]\n"
        "                    (-o OUT | --out-dir DIR | --in-place) INPUT...\n"
        "Adds timestamps, certificate chains and revocation data to sealed\n"
        "PDF and XML documents; B-LTA adds (or renews) an archive timestamp.\n"
        "INPUT and OUT may be '-' for standard input and output.\n");
}

enum {
    OPT_LEVEL = 256, OPT_TSA, OPT_TSA_AUTH, OPT_TIMEOUT, OPT_DIGEST,
    OPT_PROFILE, OPT_CONFIG, OPT_OUT_DIR, OPT_IN_PLACE
};

static const struct option options[] = {
    { "level", required_argument, NULL, OPT_LEVEL },
    { "tsa", required_argument, NULL, OPT_TSA },
    { "tsa-auth-file", required_argument, NULL, OPT_TSA_AUTH },
    { "timeout", required_argument, NULL, OPT_TIMEOUT },
    { "digest", required_argument, NULL, OPT_DIGEST },
    { "profile", required_argument, NULL, OPT_PROFILE },
    { "config", required_argument, NULL, OPT_CONFIG },
    { "out-dir", required_argument, NULL, OPT_OUT_DIR },
    { "in-place", no_argument, NULL, OPT_IN_PLACE },
    { "output", required_argument, NULL, 'o' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 }
};

static int same_file(const char *a, const char *b)
{
    struct stat sa, sb;

    if (strcmp(a, b) == 0)
        return 1;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 &&
           sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

static char *out_dir_path(const char *dir, const char *in)
{
    char *copy = strdup(in), *path = NULL;

    if (copy != NULL && asprintf(&path, "%s/%s", dir, basename(copy)) < 0)
        path = NULL;
    free(copy);
    return path;
}

static int extend_one(const char *in, const char *out,
    const eseal_extend_opts *opts)
{
    eseal_error err = { 0, "" };
    eseal_bytes doc = { NULL, 0 }, res = { NULL, 0 };
    int rc;

    if (strcmp(in, "-") != 0 && strcmp(out, "-") != 0) {
        rc = eseal_extend_file(in, out, opts, &err);
        if (rc < 0)
            cli_report_error(in, &err);
        return rc;
    }
    if ((rc = cli_read_all(&doc, in, &err)) == 0) {
        rc = eseal_extend_buffer(&res, doc.data, doc.len,
            strcmp(in, "-") == 0 ? "stdin" : in, opts, &err);
        if (rc == 0)
            rc = strcmp(out, "-") == 0 ?
                cli_write_stdout(res.data, res.len, &err) :
                eseal_file_write_atomic(out, res.data, res.len, &err);
    }
    if (rc < 0)
        cli_report_error(strcmp(in, "-") == 0 ? "stdin" : in, &err);
    free(doc.data);
    eseal_bytes_free(&res);
    return rc;
}

int cmd_extend(int argc, char **argv)
{
    eseal_extend_opts opts = ESEAL_EXTEND_OPTS_INIT;
    const char *tsa[MAX_TSA + 1], *level = NULL, *out = NULL;
    const char *out_dir = NULL, *profile = NULL, *config_path = NULL;
    const char *digest = NULL;
    eseal_config *config = NULL;
    int n_tsa = 0, in_place = 0, c, i, n, failed = 0, last_rc = 0;
    struct stat st;

    optind = 1;
    while ((c = getopt_long(argc, argv, "o:h", options, NULL)) != -1) {
        switch (c) {
        case OPT_LEVEL: level = optarg; break;
        case OPT_TSA:
            if (n_tsa == MAX_TSA) {
                cli_error(NULL, "at most %d --tsa URLs", MAX_TSA);
                return CLI_EXIT_USAGE;
            }
            tsa[n_tsa++] = optarg;
            break;
        case OPT_TSA_AUTH: opts.tsa_auth_file = optarg; break;
        case OPT_TIMEOUT:
            opts.net_timeout = atoi(optarg);
            if (opts.net_timeout <= 0 || opts.net_timeout > 600) {
                cli_error(NULL, "--timeout takes 1 to 600 seconds");
                return CLI_EXIT_USAGE;
            }
            break;
        case OPT_DIGEST: digest = optarg; break;
        case OPT_PROFILE: profile = optarg; break;
        case OPT_CONFIG: config_path = optarg; break;
        case OPT_OUT_DIR: out_dir = optarg; break;
        case OPT_IN_PLACE: in_place = 1; break;
        case 'o': out = optarg; break;
        case 'h': usage(stdout); return CLI_EXIT_OK;
        default: usage(stderr); return CLI_EXIT_USAGE;
        }
    }
    n = argc - optind;
    if (level == NULL || eseal_level_parse(&opts.level, level) < 0 ||
        opts.level == ESEAL_LEVEL_B_B) {
        cli_error(NULL, "give --level B-LT or B-LTA");
        return CLI_EXIT_USAGE;
    }
    if (digest != NULL && eseal_digest_parse(&opts.digest, digest) < 0) {
        cli_error(NULL, "unknown digest '%s' (sha256, sha384, sha512)",
            digest);
        return CLI_EXIT_USAGE;
    }
    if (n == 0 || (out != NULL) + (out_dir != NULL) + in_place != 1) {
        cli_error(NULL, n == 0 ? "no input document" :
            "give exactly one of -o OUT, --out-dir DIR, --in-place");
        return CLI_EXIT_USAGE;
    }
    if (out != NULL && n > 1) {
        cli_error(NULL, "-o takes one input; use --out-dir for several");
        return CLI_EXIT_USAGE;
    }
    if (out != NULL && strcmp(out, "-") != 0 &&
        strcmp(argv[optind], "-") != 0 && same_file(argv[optind], out)) {
        cli_error(argv[optind], "the output is the input: use --in-place");
        return CLI_EXIT_USAGE;
    }
    if (out_dir != NULL && (stat(out_dir, &st) < 0 || !S_ISDIR(st.st_mode)
            || access(out_dir, W_OK | X_OK) < 0)) {
        cli_error(out_dir, "not a writable directory");
        return CLI_EXIT_USAGE;
    }
    for (i = optind; i < argc; i++)
        if (strcmp(argv[i], "-") == 0 && out == NULL) {
            cli_error(NULL, "standard input needs -o");
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
        opts.tsa_urls = p->seal.tsa_urls;
        if (opts.tsa_auth_file == NULL)
            opts.tsa_auth_file = p->seal.tsa_auth_file;
        if (opts.net_timeout == 0)
            opts.net_timeout = p->seal.net_timeout;
    }
    if (n_tsa > 0) {
        tsa[n_tsa] = NULL;
        opts.tsa_urls = tsa;
    }
    for (i = optind; i < argc; i++) {
        char *alloc = NULL;
        const char *o = in_place ? argv[i] : out;
        int rc;

        if (out_dir != NULL)
            o = alloc = out_dir_path(out_dir, argv[i]);
        if (o == NULL) {
            cli_error(argv[i], "out of memory");
            rc = ESEAL_ENOMEM;
        } else {
            rc = extend_one(argv[i], o, &opts);
        }
        free(alloc);
        if (rc < 0) {
            failed++;
            last_rc = rc;
        }
    }
    eseal_config_free(config);
    if (failed == 0)
        return CLI_EXIT_OK;
    if (n > 1) {
        cli_error(NULL, "%d of %d documents failed", failed, n);
        return CLI_EXIT_DOCUMENT;
    }
    return cli_exit_status(last_rc);
}
