/* eseal seal - put the organization's e-Seal on documents. */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <eseal/audit.h>
#include "batch.h"

#define MAX_TSA 16

typedef struct seal_args {
    const char *config;
    const char *profile;
    const char *profile_name; /* the profile used (audit lines), or NULL */
    const char *out;
    const char *out_dir;
    int in_place;
    eseal_sealer_opts sealer;
    eseal_seal_opts seal;
    const char *level;
    const char *digest;
    const char *format;
    const char *tsa[MAX_TSA + 1];
    int n_tsa;
    const char *placement;
    const char *c14n;
    const char *signing_cert;
    int certify, self_check, rsa_pss, co_seal, force;
    const char *audit;
    const char *from_list;
    const char *jobs;
    int no_sync;
    const char *tsa_auth;   /* --tsa-auth-file */
    int timeout;            /* --timeout: seconds per network request */
    int visible;            /* --visible, or any --visible-* option */
    const char *visible_page, *visible_rect, *visible_image;
} seal_args;

static void usage(FILE *f)
{
    fprintf(f,
        "usage: eseal seal [--key FILE] [--cert FILE] [--chain FILE]\n"
        "                  [--pass-file FILE | --pass-env VAR]\n"
        "                  [--digest sha256|sha384|sha512] [--rsa-pss]\n"
        "                  [--certify] [--format auto|pdf|xml]\n"
        "                  [--level B-B|B-T|B-LT|B-LTA] [--tsa URL]...\n"
        "                  [--tsa-auth-file FILE] [--timeout SECONDS]\n"
        "                  [--placement auto|enveloped|ubl]\n"
        "                  [--c14n exc|c14n|c14n11] [--signing-certificate v2|v1]\n"
        "                  [--co-seal] [--force]\n"
        "                  [--visible [--visible-page N]\n"
        "                   [--visible-rect x,y,w,h] [--visible-image FILE]]\n"
        "                  [--profile NAME] [--config FILE] [--self-check]\n"
        "                  [--audit FILE] [--jobs N] [--no-sync]\n"
        "                  (-o OUT | --out-dir DIR | --in-place)\n"
        "                  [--from-list FILE|-] INPUT...\n"
        "INPUT and OUT may be '-' for standard input and output.  A directory\n"
        "INPUT is searched for *.pdf and *.xml files; with --out-dir their\n"
        "paths below it are kept.  --jobs defaults to the number of cores.\n"
        "The key may be a pkcs11: URI (RFC 7512); its PIN comes from\n"
        "--pass-file or --pass-env.\n");
}

enum {
    OPT_KEY = 256, OPT_CERT, OPT_CHAIN, OPT_PASS_FILE, OPT_PASS_ENV,
    OPT_DIGEST, OPT_RSA_PSS, OPT_CERTIFY, OPT_LEVEL, OPT_TSA, OPT_FORMAT,
    OPT_PROFILE, OPT_CONFIG, OPT_SELF_CHECK, OPT_OUT_DIR, OPT_IN_PLACE,
    OPT_PLACEMENT, OPT_C14N, OPT_SIGNING_CERT, OPT_CO_SEAL, OPT_FORCE,
    OPT_AUDIT, OPT_JOBS, OPT_FROM_LIST, OPT_NO_SYNC, OPT_TSA_AUTH,
    OPT_TIMEOUT, OPT_VISIBLE, OPT_VISIBLE_PAGE, OPT_VISIBLE_RECT,
    OPT_VISIBLE_IMAGE, OPT_LATER
};

static const struct option options[] = {
    { "key", required_argument, NULL, OPT_KEY },
    { "cert", required_argument, NULL, OPT_CERT },
    { "chain", required_argument, NULL, OPT_CHAIN },
    { "pass-file", required_argument, NULL, OPT_PASS_FILE },
    { "pass-env", required_argument, NULL, OPT_PASS_ENV },
    { "digest", required_argument, NULL, OPT_DIGEST },
    { "rsa-pss", no_argument, NULL, OPT_RSA_PSS },
    { "certify", no_argument, NULL, OPT_CERTIFY },
    { "level", required_argument, NULL, OPT_LEVEL },
    { "tsa", required_argument, NULL, OPT_TSA },
    { "tsa-auth-file", required_argument, NULL, OPT_TSA_AUTH },
    { "timeout", required_argument, NULL, OPT_TIMEOUT },
    { "format", required_argument, NULL, OPT_FORMAT },
    { "profile", required_argument, NULL, OPT_PROFILE },
    { "config", required_argument, NULL, OPT_CONFIG },
    { "self-check", no_argument, NULL, OPT_SELF_CHECK },
    { "out-dir", required_argument, NULL, OPT_OUT_DIR },
    { "in-place", no_argument, NULL, OPT_IN_PLACE },
    { "output", required_argument, NULL, 'o' },
    { "help", no_argument, NULL, 'h' },
    { "placement", required_argument, NULL, OPT_PLACEMENT },
    { "c14n", required_argument, NULL, OPT_C14N },
    { "signing-certificate", required_argument, NULL, OPT_SIGNING_CERT },
    { "co-seal", no_argument, NULL, OPT_CO_SEAL },
    { "force", no_argument, NULL, OPT_FORCE },
    { "visible", no_argument, NULL, OPT_VISIBLE },
    { "visible-page", required_argument, NULL, OPT_VISIBLE_PAGE },
    { "visible-rect", required_argument, NULL, OPT_VISIBLE_RECT },
    { "visible-image", required_argument, NULL, OPT_VISIBLE_IMAGE },
    { "audit", required_argument, NULL, OPT_AUDIT },
    { "jobs", required_argument, NULL, OPT_JOBS },
    { "from-list", required_argument, NULL, OPT_FROM_LIST },
    { "no-sync", no_argument, NULL, OPT_NO_SYNC },
    { NULL, 0, NULL, 0 }
};

static int parse_args(seal_args *a, int argc, char **argv)
{
    int c, idx = 0;

    optind = 1;
    while ((c = getopt_long(argc, argv, "o:h", options, &idx)) != -1) {
        switch (c) {
        case OPT_KEY: a->sealer.key = optarg; break;
        case OPT_CERT: a->sealer.cert = optarg; break;
        case OPT_CHAIN: a->sealer.chain = optarg; break;
        case OPT_PASS_FILE: a->sealer.pass_file = optarg; break;
        case OPT_PASS_ENV: a->sealer.pass_env = optarg; break;
        case OPT_DIGEST: a->digest = optarg; break;
        case OPT_RSA_PSS: a->rsa_pss = 1; break;
        case OPT_CERTIFY: a->certify = 1; break;
        case OPT_LEVEL: a->level = optarg; break;
        case OPT_TSA:
            if (a->n_tsa == MAX_TSA) {
                cli_error(NULL, "at most %d --tsa URLs", MAX_TSA);
                return -1;
            }
            a->tsa[a->n_tsa++] = optarg;
            break;
        case OPT_TSA_AUTH: a->tsa_auth = optarg; break;
        case OPT_TIMEOUT:
            a->timeout = atoi(optarg);
            if (a->timeout <= 0 || a->timeout > 600) {
                cli_error(NULL, "--timeout takes 1 to 600 seconds");
                return -1;
            }
            break;
        case OPT_FORMAT: a->format = optarg; break;
        case OPT_PROFILE: a->profile = optarg; break;
        case OPT_CONFIG: a->config = optarg; break;
        case OPT_SELF_CHECK: a->self_check = 1; break;
        case OPT_OUT_DIR: a->out_dir = optarg; break;
        case OPT_IN_PLACE: a->in_place = 1; break;
        case OPT_PLACEMENT: a->placement = optarg; break;
        case OPT_C14N: a->c14n = optarg; break;
        case OPT_SIGNING_CERT: a->signing_cert = optarg; break;
        case OPT_CO_SEAL: a->co_seal = 1; break;
        case OPT_FORCE: a->force = 1; break;
        case OPT_AUDIT: a->audit = optarg; break;
        case OPT_JOBS: a->jobs = optarg; break;
        case OPT_FROM_LIST: a->from_list = optarg; break;
        case OPT_NO_SYNC: a->no_sync = 1; break;
        case OPT_VISIBLE: a->visible = 1; break;
        case OPT_VISIBLE_PAGE: a->visible_page = optarg; a->visible = 1; break;
        case OPT_VISIBLE_RECT: a->visible_rect = optarg; a->visible = 1; break;
        case OPT_VISIBLE_IMAGE:
            a->visible_image = optarg;
            a->visible = 1;
            break;
        case 'o': a->out = optarg; break;
        case 'h': usage(stdout); exit(CLI_EXIT_OK);
        case OPT_LATER:
            cli_error(NULL, "--%s is not supported by this version yet",
                options[idx].name);
            return -1;
        default:
            usage(stderr);
            return -1;
        }
    }
    return 0;
}

/* --visible and its companions on top of the profile's visible seal. */
static int visible_settings(seal_args *a)
{
    char *end;
    long page;
    int i;

    if (!a->visible)
        return 0;
    a->seal.visible = 1;
    if (a->visible_page != NULL) {
        page = strtol(a->visible_page, &end, 10);
        if (*end != '\0' || end == a->visible_page || page < 1
            || page > 1000000) {
            cli_error(NULL, "--visible-page takes a page number (1, 2, ...)");
            return -1;
        }
        a->seal.visible_page = (int)page;
    }
    if (a->visible_rect != NULL) {
        const char *s = a->visible_rect;

        for (i = 0; i < 4; i++) {
            a->seal.visible_rect[i] = strtod(s, &end);
            if (end == s || !(a->seal.visible_rect[i] >= 0
                    && a->seal.visible_rect[i] <= 100000)
                || *end != (i < 3 ? ',' : '\0'))
                break;
            s = end + 1;
        }
        if (i < 4 || a->seal.visible_rect[2] <= 0
            || a->seal.visible_rect[3] <= 0) {
            cli_error(NULL, "--visible-rect takes x,y,width,height in "
                "points (e.g. 380,30,180,60)");
            return -1;
        }
    }
    if (a->visible_image != NULL)
        a->seal.visible_image = a->visible_image;
    return 0;
}

/* Settings: the profile first (when a config applies), options on top. */
static int resolve_settings(seal_args *a, eseal_config **config)
{
    const eseal_profile *p = NULL;
    eseal_error err = { 0, "" };
    const char *path = a->config;
    eseal_sealer_opts cli = a->sealer;

    *config = NULL;
    if (path == NULL && a->profile != NULL)
        path = ESEAL_DEFAULT_CONFIG;
    if (path == NULL && cli.key == NULL &&
        access(ESEAL_DEFAULT_CONFIG, F_OK) == 0)
        path = ESEAL_DEFAULT_CONFIG;
    if (path != NULL) {
        if (eseal_config_load(config, path, &err) < 0 ||
            eseal_config_profile(&p, *config, a->profile, &err) < 0) {
            cli_report_error(NULL, &err);
            return -1;
        }
        a->sealer = p->sealer;
        a->seal = p->seal;
        a->profile_name = p->name;
        if (a->audit == NULL)
            a->audit = p->audit;
    }
    if (cli.key != NULL) {
        a->sealer.key = cli.key;
        a->sealer.cert = cli.cert;
        a->sealer.chain = cli.chain;
    } else {
        if (cli.cert != NULL)
            a->sealer.cert = cli.cert;
        if (cli.chain != NULL)
            a->sealer.chain = cli.chain;
    }
    if (cli.pass_file != NULL || cli.pass_env != NULL) {
        a->sealer.pass_file = cli.pass_file;
        a->sealer.pass_env = cli.pass_env;
        a->sealer.password = NULL;
    }
    if (a->rsa_pss)
        a->sealer.rsa_pss = 1;
    if (a->digest != NULL &&
        eseal_digest_parse(&a->sealer.digest, a->digest) < 0) {
        cli_error(NULL, "unknown digest '%s' (sha256, sha384, sha512)",
            a->digest);
        return -1;
    }
    if (a->level != NULL && eseal_level_parse(&a->seal.level, a->level) < 0) {
        cli_error(NULL, "unknown level '%s' (B-B, B-T, B-LT, B-LTA)",
            a->level);
        return -1;
    }
    if (a->format != NULL) {
        if (strcmp(a->format, "auto") == 0)
            a->seal.format = ESEAL_FORMAT_AUTO;
        else if (strcmp(a->format, "pdf") == 0)
            a->seal.format = ESEAL_FORMAT_PDF;
        else if (strcmp(a->format, "xml") == 0)
            a->seal.format = ESEAL_FORMAT_XML;
        else {
            cli_error(NULL, "unknown format '%s' (auto, pdf, xml)",
                a->format);
            return -1;
        }
    }
    if (a->n_tsa > 0) {
        a->tsa[a->n_tsa] = NULL;
        a->seal.tsa_urls = a->tsa;
    }
    if (a->placement != NULL) {
        if (strcmp(a->placement, "auto") != 0 &&
            strcmp(a->placement, "enveloped") != 0 &&
            strcmp(a->placement, "ubl") != 0) {
            cli_error(NULL, "unknown placement '%s' (auto, enveloped, ubl)",
                a->placement);
            return -1;
        }
        a->seal.placement = a->placement;
    }
    if (a->c14n != NULL) {
        if (strcmp(a->c14n, "exc") != 0 && strcmp(a->c14n, "c14n") != 0 &&
            strcmp(a->c14n, "c14n11") != 0) {
            cli_error(NULL, "unknown canonicalization '%s' (exc, c14n, "
                "c14n11)", a->c14n);
            return -1;
        }
        a->seal.c14n = a->c14n;
    }
    if (a->signing_cert != NULL) {
        if (strcmp(a->signing_cert, "v1") != 0 &&
            strcmp(a->signing_cert, "v2") != 0) {
            cli_error(NULL, "--signing-certificate takes v1 or v2");
            return -1;
        }
        a->seal.signing_certificate_v1 = strcmp(a->signing_cert, "v1") == 0;
    }
    if (a->co_seal)
        a->seal.co_seal = 1;
    if (a->force)
        a->seal.force = 1;
    if (a->certify)
        a->seal.certify = 1;
    if (a->self_check)
        a->seal.self_check = 1;
    if (a->tsa_auth != NULL)
        a->seal.tsa_auth_file = a->tsa_auth;
    if (a->timeout > 0)
        a->seal.net_timeout = a->timeout;
    if (visible_settings(a) < 0)
        return -1;
    if (a->sealer.key == NULL) {
        cli_error(NULL, "no key: give --key (or --profile with a config)");
        return -1;
    }
    return 0;
}

static int same_file(const char *a, const char *b)
{
    struct stat sa, sb;

    if (strcmp(a, b) == 0)
        return 1;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 &&
           sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* Appends the audit line of a document sealed through memory. */
static int audit_stream(eseal_audit *audit, const seal_args *a,
    eseal_sealer *sealer, const char *in, const char *out,
    const eseal_bytes *doc, const eseal_bytes *sealed, int rc,
    const eseal_error *failure)
{
    static const eseal_audit_entry init = ESEAL_AUDIT_ENTRY_INIT;
    eseal_audit_entry e = init;
    eseal_error err = { 0, "" };
    unsigned char in_md[32], out_md[32];
    int arc;

    if (audit == NULL)
        return 0;
    e.input = in;
    e.output = rc == 0 && strcmp(out, "-") != 0 ? out : NULL;
    if (doc->data != NULL) {
        eseal_sha256(in_md, doc->data, doc->len);
        e.input_sha256 = in_md;
        e.input_size = (long long)doc->len;
    }
    if (rc == 0 && sealed->data != NULL) {
        eseal_sha256(out_md, sealed->data, sealed->len);
        e.output_sha256 = out_md;
        e.output_size = (long long)sealed->len;
    }
    e.profile = a->profile_name;
    e.format = a->seal.format;
    e.level = a->seal.level;
    e.sealer = sealer;
    e.result = rc;
    e.error = rc != 0 ? failure->message : NULL;
    arc = eseal_audit_append(audit, &e, 1, &err);
    if (arc < 0)
        cli_report_error(NULL, &err);
    return arc;
}

/* Seals standard input, or into standard output; returns the exit
 * status. */
static int seal_stream(eseal_sealer *sealer, const seal_args *a,
    const char *in, const char *out)
{
    eseal_error err = { 0, "" };
    eseal_bytes doc = { NULL, 0 }, sealed = { NULL, 0 };
    const char *name = strcmp(in, "-") == 0 ? "stdin" : in;
    eseal_audit *audit = NULL;
    int rc;

    /* nothing is sealed unless it can be recorded */
    if (a->audit != NULL && (rc = eseal_audit_open(&audit, a->audit,
                                 a->no_sync ? ESEAL_AUDIT_NO_SYNC : 0,
                                 &err)) < 0) {
        cli_report_error(NULL, &err);
        return CLI_EXIT_USAGE;
    }
    if ((rc = cli_read_all(&doc, in, &err)) < 0) {
        cli_report_error(name, &err);
        (void)audit_stream(audit, a, sealer, name, out, &doc, &sealed, rc,
            &err);
        eseal_audit_close(audit);
        return cli_exit_status(rc);
    }
    rc = eseal_seal_buffer(&sealed, sealer, doc.data, doc.len, &a->seal,
        &err);
    if (rc == 0) {
        if (strcmp(out, "-") == 0)
            rc = cli_write_stdout(sealed.data, sealed.len, &err);
        else
            rc = eseal_file_write_atomic(out, sealed.data, sealed.len, &err);
    }
    if (rc < 0)
        cli_report_error(name, &err);
    if (audit_stream(audit, a, sealer, name, out, &doc, &sealed, rc,
            &err) < 0 && rc == 0)
        rc = ESEAL_EIO;
    eseal_audit_close(audit);
    free(doc.data);
    eseal_bytes_free(&sealed);
    return cli_exit_status(rc);
}

static int check_outputs(const seal_args *a, int n_inputs, char **inputs)
{
    int modes = (a->out != NULL) + (a->out_dir != NULL) + a->in_place, i;
    struct stat st;

    if (n_inputs == 0 && a->from_list == NULL) {
        cli_error(NULL, "no input document");
        return -1;
    }
    if (modes != 1) {
        cli_error(NULL, "give exactly one of -o OUT, --out-dir DIR, "
            "--in-place");
        return -1;
    }
    if (a->out != NULL && (n_inputs > 1 || a->from_list != NULL)) {
        cli_error(NULL, "-o takes one input; use --out-dir for several");
        return -1;
    }
    if (a->out != NULL && strcmp(inputs[0], "-") != 0 &&
        strcmp(a->out, "-") != 0 && same_file(inputs[0], a->out)) {
        cli_error(inputs[0], "the output is the input: use --in-place to "
            "seal it in place");
        return -1;
    }
    if (a->out_dir != NULL) {
        if (stat(a->out_dir, &st) < 0 || !S_ISDIR(st.st_mode) ||
            access(a->out_dir, W_OK | X_OK) < 0) {
            cli_error(a->out_dir, "not a writable directory");
            return -1;
        }
    }
    for (i = 0; i < n_inputs; i++) {
        if (strcmp(inputs[i], "-") == 0 && (a->in_place || a->out_dir)) {
            cli_error(NULL, "standard input needs -o");
            return -1;
        }
        if (strcmp(inputs[i], "-") == 0 && a->from_list != NULL &&
            strcmp(a->from_list, "-") == 0) {
            cli_error(NULL, "standard input cannot hold both the list and "
                "a document");
            return -1;
        }
    }
    return 0;
}

static int parse_jobs(unsigned int *out, const char *s)
{
    char *end;
    unsigned long v;

    *out = 0;
    if (s == NULL)
        return 0;
    errno = 0;
    v = strtoul(s, &end, 10);
    if (*s < '0' || *s > '9' || *end != '\0' || errno != 0 || v == 0 ||
        v > CLI_MAX_JOBS) {
        cli_error(NULL, "--jobs takes a number from 1 to %d", CLI_MAX_JOBS);
        return -1;
    }
    *out = (unsigned int)v;
    return 0;
}

int cmd_seal(int argc, char **argv)
{
    static const eseal_sealer_opts sealer_init = ESEAL_SEALER_OPTS_INIT;
    static const eseal_seal_opts seal_init = ESEAL_SEAL_OPTS_INIT;
    seal_args a;
    cli_batch_opts bo;
    eseal_config *config = NULL;
    eseal_sealer *sealer = NULL;
    eseal_error err = { 0, "" };
    int n_inputs, status;
    unsigned int jobs;

    memset(&a, 0, sizeof(a));
    a.sealer = sealer_init;
    a.seal = seal_init;
    if (parse_args(&a, argc, argv) < 0)
        return CLI_EXIT_USAGE;
    n_inputs = argc - optind;
    if (check_outputs(&a, n_inputs, argv + optind) < 0 ||
        parse_jobs(&jobs, a.jobs) < 0 ||
        resolve_settings(&a, &config) < 0) {
        eseal_config_free(config);
        return CLI_EXIT_USAGE;
    }
    if (eseal_sealer_open(&sealer, &a.sealer, &err) < 0) {
        cli_report_error(NULL, &err);
        eseal_config_free(config);
        return CLI_EXIT_USAGE;
    }
    cli_log_warnings(sealer);
    if (n_inputs == 1 && a.from_list == NULL &&
        (strcmp(argv[optind], "-") == 0 ||
         (a.out != NULL && strcmp(a.out, "-") == 0))) {
        status = seal_stream(sealer, &a, argv[optind], a.out);
    } else {
        memset(&bo, 0, sizeof(bo));
        bo.sealer = sealer;
        bo.seal = &a.seal;
        bo.inputs = argv + optind;
        bo.n_inputs = (size_t)n_inputs;
        bo.from_list = a.from_list;
        bo.out = a.out;
        bo.out_dir = a.out_dir;
        bo.in_place = a.in_place;
        bo.jobs = jobs;
        bo.audit = a.audit;
        bo.profile = a.profile_name;
        bo.no_sync = a.no_sync;
        status = cli_batch_run(&bo);
    }
    eseal_sealer_free(sealer);
    eseal_config_free(config);
    return status;
}
