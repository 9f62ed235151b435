/*
 * eseal-pdf - the CUPS filter of a sealed-PDF queue: puts the
 * organization's e-Seal on the PDF that the print chain made.
 *
 *   eseal-pdf job-id user title copies options [file]
 *
 * Reads the PDF (the file, or standard input), seals it with a profile of
 * the eseal configuration, writes an audit line and then the sealed PDF to
 * standard output.  Any failure prints an ERROR: line saying why and exits
 * 1 with nothing written, so CUPS stops the job and no unsealed PDF
 * reaches the store.  The queue's settings (allowed profiles,
 * configuration file) come from its device URI (cups_common.h); a job may
 * choose one of the allowed profiles with -o eseal-profile=NAME.  SIGTERM
 * (a cancelled job) stops the filter before anything is written.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cups/cups.h>
#include <eseal/eseal.h>
#include <eseal/audit.h>
#include "cups_common.h"

static volatile sig_atomic_t canceled;

static void on_term(int sig)
{
    (void)sig;
    canceled = 1;
}

static double now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

/* The job as the filter sees it. */
typedef struct job {
    const char *queue;
    const char *id;
    const char *user;
    const char *title;
    const char *file;       /* NULL: standard input */
    const char *profile;    /* asked for with -o eseal-profile, or NULL */
} job;

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* One ERROR: line for the CUPS log (messages never hold secrets). */
static void fail(const char *fmt, ...)
{
    char msg[1024], *p;
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    for (p = msg; *p != '\0'; p++)     /* one line, whatever it quotes */
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    fprintf(stderr, "ERROR: eseal-pdf: %s\n", msg);
}

/* May the job use this profile?  names: the queue's list, or NULL. */
static int allowed(const char *name, char *const *names, const char *dflt)
{
    size_t i;

    if (names == NULL || names[0] == NULL)
        return dflt != NULL && strcmp(name, dflt) == 0;
    for (i = 0; names[i] != NULL; i++)
        if (strcmp(names[i], name) == 0)
            return 1;
    return 0;
}

static void list(char *out, size_t size, char *const *names,
    const char *dflt)
{
    size_t i, used = 0;

    out[0] = '\0';
    if (names == NULL || names[0] == NULL) {
        snprintf(out, size, "%s", dflt != NULL ? dflt : "none");
        return;
    }
    for (i = 0; names[i] != NULL && used < size; i++)
        used += (size_t)snprintf(out + used, size - used, "%s%s",
            i > 0 ? ", " : "", names[i]);
}

/*
 * The audit line (the library's format, docs/batch.md), appended to the
 * profile's audit log and flushed to disk before the sealed PDF leaves
 * the filter.  The CUPS log gets a NOTICE: line in any case.
 */
static int write_audit(const job *j, const eseal_profile *p,
    const eseal_sealer *sealer, const unsigned char *data, size_t len,
    const eseal_bytes *sealed)
{
    eseal_audit *audit = NULL;
    eseal_audit_entry e = ESEAL_AUDIT_ENTRY_INIT;
    eseal_audit_field ctx[4];
    eseal_error err = { 0, "" };
    unsigned char in_md[32], out_md[32];
    char hex[65];
    int i, rc = -1;

    eseal_sha256(in_md, data, len);
    eseal_sha256(out_md, sealed->data, sealed->len);
    for (i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", out_md[i]);
    fprintf(stderr, "NOTICE: eseal-pdf: audit: job %s sealed with profile "
        "%s, %zu bytes, SHA-256 %s\n", j->id, p->name, sealed->len, hex);
    if (p->audit == NULL)
        return 0;
    ctx[0].name = "queue";
    ctx[0].value = j->queue;
    ctx[1].name = "job_id";
    ctx[1].value = j->id;
    ctx[2].name = "user";
    ctx[2].value = j->user;
    ctx[3].name = "title";
    ctx[3].value = j->title;
    e.input = j->file != NULL ? j->file : "-";
    e.input_sha256 = in_md;
    e.output_sha256 = out_md;
    e.input_size = (long long)len;
    e.output_size = (long long)sealed->len;
    e.format = ESEAL_FORMAT_PDF;
    e.level = p->seal.level;
    e.sealer = sealer;
    e.profile = p->name;
    e.context = ctx;
    e.n_context = 4;
    if (eseal_audit_open(&audit, p->audit, 0, &err) < 0 ||
        eseal_audit_append(audit, &e, 1, &err) < 0) {
        fail("job %s: %s", j->id, err.message);
        goto cleanup;
    }
    rc = 0;
cleanup:
    eseal_audit_close(audit);
    return rc;
}

/* The library's warnings of a seal that succeeded, as CUPS WARNING: lines
 * (the job log and the printer's state message). */
static void log_warning(eseal_log_level level, const char *document,
    const char *code, const char *message, void *payload)
{
    const job *j = payload;

    (void)document;
    fprintf(stderr, "%s: eseal-pdf: job %s: %s [%s]\n",
        level == ESEAL_LOG_WARNING ? "WARNING" : "DEBUG", j->id, message,
        code);
}

static int run(const job *j)
{
    char why[512], names[512];
    cups_queue q;
    eseal_config *config = NULL;
    const eseal_profile *p = NULL, *dflt = NULL;
    eseal_sealer *sealer = NULL;
    eseal_error err = { 0, "" };
    eseal_bytes sealed = { NULL, 0 };
    unsigned char *data = NULL;
    size_t len = 0;
    const char *name;
    double t0 = now_ms(), t_cfg, t_read, t_open, t_seal;
    int rc = 1, r;

    memset(&q, 0, sizeof(q));
    if (cups_queue_parse(&q, getenv("DEVICE_URI"), why, sizeof(why)) < 0) {
        fail("%s", why);
        goto cleanup;
    }
    if (eseal_init(&err) < 0) {
        fail("%s", err.message);
        goto cleanup;
    }
    if (eseal_config_load(&config, q.config, &err) < 0) {
        fail("%s", err.message);
        goto cleanup;
    }
    /* the queue's first profile, else the configuration's default */
    if (q.n_profiles == 0 && eseal_config_profile(&dflt, config, NULL,
            &err) < 0) {
        fail("%s", err.message);
        goto cleanup;
    }
    name = j->profile != NULL ? j->profile
         : q.n_profiles > 0 ? q.profiles[0] : dflt->name;
    if (!allowed(name, q.profiles, dflt != NULL ? dflt->name : NULL)) {
        list(names, sizeof(names), q.profiles, dflt ? dflt->name : NULL);
        fail("profile '%.64s' is not allowed on queue %s (allowed: %s)",
            name, j->queue, names);
        goto cleanup;
    }
    if (eseal_config_profile(&p, config, name, &err) < 0) {
        fail("%s", err.message);
        goto cleanup;
    }
    t_cfg = now_ms();
    r = cups_read_all(&data, &len, j->file, &canceled, why,
        sizeof(why));
    t_read = now_ms();
    if (r == -2)
        goto canceled;
    if (r < 0) {
        fail("%s", why);
        goto cleanup;
    }
    if (len == 0) {
        fail("job %s is empty: nothing to seal", j->id);
        goto cleanup;
    }
    if (eseal_sealer_open(&sealer, &p->sealer, &err) < 0) {
        fail("profile %s: %s", p->name, err.message);
        goto cleanup;
    }
    eseal_set_log(sealer, ESEAL_LOG_WARNING, log_warning, (void *)j);
    t_open = now_ms();
    if (p->seal.tsa_urls != NULL && p->seal.tsa_urls[0] != NULL)
        fprintf(stderr, "INFO: eseal-pdf: asking %s for a timestamp\n",
            p->seal.tsa_urls[0]);
    if (canceled)
        goto canceled;
    if (eseal_seal_buffer(&sealed, sealer, data, len, &p->seal, &err) < 0) {
        fail("job %s: cannot seal the document: %s", j->id, err.message);
        goto cleanup;
    }
    t_seal = now_ms();
    if (canceled)
        goto canceled;
    if (write_audit(j, p, sealer, data, len, &sealed) < 0)
        goto cleanup;
    if (cups_write_all(STDOUT_FILENO, sealed.data, sealed.len) < 0) {
        fail("job %s: cannot pass the sealed PDF on: %s", j->id,
            strerror(errno));
        goto cleanup;
    }
    fprintf(stderr, "DEBUG: eseal-pdf: job %s sealed with profile %s: "
        "%zu bytes in, %zu out; config %.1f ms, read %.1f ms, key %.1f ms, "
        "seal %.1f ms, filter total %.1f ms\n", j->id, p->name, len,
        sealed.len, t_cfg - t0, t_read - t_cfg, t_open - t_read,
        t_seal - t_open, now_ms() - t0);
    fprintf(stderr, "INFO: eseal-pdf: job %s sealed\n", j->id);
    rc = 0;
    goto cleanup;
canceled:
    fprintf(stderr, "INFO: eseal-pdf: job %s canceled, nothing written\n",
        j->id);
    rc = 1;
cleanup:
    eseal_bytes_free(&sealed);
    free(data);
    eseal_sealer_free(sealer);
    eseal_config_free(config);
    cups_queue_free(&q);
    eseal_shutdown();
    return rc;
}

int main(int argc, char **argv)
{
    struct sigaction sa;
    cups_option_t *options = NULL;
    int n_options, rc;
    job j;

    if (argc < 6 || argc > 7) {
        fprintf(stderr, "Usage: %s job-id user title copies options "
            "[file]\n", argv[0]);
        return 1;
    }
    if (strspn(argv[1], "0123456789") != strlen(argv[1]) || argv[1][0] == '0'
        || strlen(argv[1]) > 9) {
        fprintf(stderr, "ERROR: eseal-pdf: '%.16s' is not a job id\n",
            argv[1]);
        return 1;
    }
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_term;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);     /* no SA_RESTART: reads stop */
    signal(SIGPIPE, SIG_IGN);          /* a closed pipe is an error */
    memset(&j, 0, sizeof(j));
    j.queue = getenv("PRINTER") != NULL ? getenv("PRINTER") : argv[0];
    j.id = argv[1];
    j.user = argv[2];
    j.title = argv[3];
    j.file = argc == 7 ? argv[6] : NULL;
    n_options = cupsParseOptions(argv[5], 0, &options);
    j.profile = cupsGetOption("eseal-profile", n_options, options);
    rc = run(&j);
    cupsFreeOptions(n_options, options);
    return rc;
}
