/*
 * eseal-store - the CUPS backend of a sealed-PDF queue: stores the sealed
 * PDF that the eseal-pdf filter produced, atomically, in the queue's
 * directory (per queue, or a directory per user), named from the job id
 * and title.
 *
 *   eseal-store                                    (lists the device)
 *   eseal-store job-id user title copies options [file]
 *
 * DEVICE_URI: eseal-store:/DIRECTORY?per=user|queue&... (cups_common.h).
 * Installed with mode 0700 so that CUPS runs it as root: it can then hand
 * each user's files to that user.
 *
 * What arrives is checked before anything is named: it must be a PDF
 * whose last seal verifies and covers the whole file (eseal's verifier,
 * offline: the chain is the filter's business).  Data that is not sealed
 * (a chain without the eseal-pdf filter) is refused with an ERROR: line
 * and the job is cancelled; no data at all means that a filter failed and
 * said why (CUPS then stops the job for the filter error): nothing is
 * stored either way.  The file is
 * written under a temporary name, flushed to disk, then linked under its
 * final name: a reader never sees half a PDF.
 */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cups/backend.h>
#include <eseal/eseal.h>
#include "cups_common.h"

#define TITLE_MAX 100     /* bytes of the title in a file name */

static volatile sig_atomic_t canceled;

static void on_term(int sig)
{
    (void)sig;
    canceled = 1;
}

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void fail(const char *fmt, ...)
{
    char msg[1024], *p;
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    for (p = msg; *p != '\0'; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    fprintf(stderr, "ERROR: eseal-store: %s\n", msg);
}

/* Is data a PDF whose last seal verifies and covers all of it? */
static int check_sealed(const unsigned char *data, size_t len,
    const char *job_id)
{
    eseal_verify_opts opts = ESEAL_VERIFY_OPTS_INIT;
    eseal_report *report = NULL;
    eseal_error err = { 0, "" };
    const eseal_signature_report *s;
    size_t i, n;
    int ok = 0;

    opts.offline = 1;
    if (eseal_init(&err) < 0
        || eseal_verify_buffer(&report, data, len, "job", &opts, &err) < 0) {
        fail("job %s: not a sealed PDF (%s): nothing stored", job_id,
            err.message);
        return -1;
    }
    n = eseal_report_signature_count(report);
    for (i = 0; i < n && !ok; i++) {
        s = eseal_report_signature(report, i);
        ok = s != NULL && s->integrity && s->covers_whole_document;
    }
    eseal_report_free(report);
    eseal_shutdown();
    if (!ok) {
        fail("job %s: the data is not a sealed PDF (%s): nothing stored",
            job_id, n == 0 ? "no seal" : "no intact seal covers it");
        return -1;
    }
    return 0;
}

/* The directory the file goes to, open; per user: created on demand. */
static int open_dir(const cups_queue *q, const char *user, uid_t *uid,
    gid_t *gid)
{
    struct passwd *pw;
    struct stat st;
    int top, dir, created;

    *uid = (uid_t)-1;
    *gid = (gid_t)-1;
    top = open(q->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (top < 0) {
        fail("%s: %s (create the queue's directory)", q->path,
            strerror(errno));
        return -1;
    }
    if (!q->per_user)
        return top;
    if (!cups_safe_user(user)) {
        fail("user name not usable as a directory name: nothing stored");
        close(top);
        return -1;
    }
    pw = geteuid() == 0 ? getpwnam(user) : NULL;
    if (pw != NULL) {
        *uid = pw->pw_uid;
        *gid = pw->pw_gid;
    }
    created = mkdirat(top, user, 0700) == 0;
    if (!created && errno != EEXIST) {
        fail("%s/%s: cannot create the user's directory: %s", q->path,
            user, strerror(errno));
        close(top);
        return -1;
    }
    if (created && *uid != (uid_t)-1
        && fchownat(top, user, *uid, *gid, AT_SYMLINK_NOFOLLOW) < 0) {
        fail("%s/%s: cannot give the directory to its user: %s", q->path,
            user, strerror(errno));
        close(top);
        return -1;
    }
    dir = openat(top, user, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    close(top);
    if (dir < 0) {
        fail("%s/%s: %s", q->path, user, strerror(errno));
        return -1;
    }
    /* a directory the user (or root) owns, nobody else's */
    if (fstat(dir, &st) < 0 || (st.st_uid != 0 && st.st_uid != geteuid()
            && (*uid == (uid_t)-1 || st.st_uid != *uid))) {
        fail("%s/%s: owned by someone else: nothing stored", q->path, user);
        close(dir);
        return -1;
    }
    return dir;
}

static int store(const cups_queue *q, const char *job_id, const char *user,
    const char *title, const unsigned char *data, size_t len)
{
    char tmp[64], name[TITLE_MAX + 64], safe[TITLE_MAX + 1];
    unsigned char rnd[8];
    uid_t uid;
    gid_t gid;
    int dir, fd = -1, rc = -1, i;

    if ((dir = open_dir(q, user, &uid, &gid)) < 0)
        return -1;
    if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd)) {
        fail("no random bytes: %s", strerror(errno));
        goto cleanup;
    }
    snprintf(tmp, sizeof(tmp), ".eseal-store-%d-%02x%02x%02x%02x%02x%02x"
        "%02x%02x", (int)getpid(), rnd[0], rnd[1], rnd[2], rnd[3], rnd[4],
        rnd[5], rnd[6], rnd[7]);
    fd = openat(dir, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW
        | O_CLOEXEC, 0600);
    if (fd < 0) {
        fail("%s: cannot create a file: %s", q->path, strerror(errno));
        goto cleanup;
    }
    if (uid != (uid_t)-1 && fchown(fd, uid, gid) < 0) {
        fail("%s: cannot give the file to its user: %s", q->path,
            strerror(errno));
        goto cleanup;
    }
    if (fchmod(fd, q->per_user ? 0600 : 0640) < 0
        || cups_write_all(fd, data, len) < 0 || fsync(fd) < 0) {
        fail("%s: cannot write the sealed PDF: %s", q->path,
            strerror(errno));
        goto cleanup;
    }
    if (canceled) {
        fprintf(stderr, "INFO: eseal-store: job %s canceled\n", job_id);
        goto cleanup;
    }
    /* never replace an existing file: job-title, job-title-2, ... */
    cups_safe_title(safe, TITLE_MAX, title);
    for (i = 1; i < 1000; i++) {
        if (i == 1)
            snprintf(name, sizeof(name), "%s-%s.pdf", job_id, safe);
        else
            snprintf(name, sizeof(name), "%s-%s-%d.pdf", job_id, safe, i);
        if (linkat(dir, tmp, dir, name, 0) == 0)
            break;
        if (errno != EEXIST) {
            fail("%s: cannot name the sealed PDF: %s", q->path,
                strerror(errno));
            goto cleanup;
        }
    }
    if (i == 1000) {
        fail("%s: too many files named %s-%s", q->path, job_id, safe);
        goto cleanup;
    }
    fsync(dir);
    fprintf(stderr, "INFO: eseal-store: stored %s%s%s/%s\n", q->path,
        q->per_user ? "/" : "", q->per_user ? user : "", name);
    rc = 0;
cleanup:
    if (fd >= 0) {
        close(fd);
        unlinkat(dir, tmp, 0);
    }
    close(dir);
    return rc;
}

int main(int argc, char **argv)
{
    struct sigaction sa;
    cups_queue q;
    unsigned char *data = NULL;
    size_t len = 0;
    char why[512];
    int rc = CUPS_BACKEND_FAILED, r;

    if (argc == 1) {
        puts("file " CUPS_SCHEME " \"eseal\" \"eseal sealed PDF store\"");
        return CUPS_BACKEND_OK;
    }
    if (argc < 6 || argc > 7) {
        fprintf(stderr, "Usage: %s job-id user title copies options "
            "[file]\n", argv[0]);
        return CUPS_BACKEND_FAILED;
    }
    if (strspn(argv[1], "0123456789") != strlen(argv[1]) || argv[1][0] == '0'
        || strlen(argv[1]) > 9) {
        fail("'%.16s' is not a job id", argv[1]);
        return CUPS_BACKEND_FAILED;
    }
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_term;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    umask(077);
    r = cups_queue_parse(&q, getenv("DEVICE_URI"), why, sizeof(why));
    if (r != 0 || q.path == NULL) {
        fail("%s", r < 0 ? why : "DEVICE_URI must be " CUPS_SCHEME
            ":/DIRECTORY[?per=user]");
        cups_queue_free(&q);
        return CUPS_BACKEND_STOP;      /* a queue set up wrong */
    }
    r = cups_read_all(&data, &len, argc == 7 ? argv[6] : NULL, &canceled,
        why, sizeof(why));
    if (r == -1)
        fail("job %s: %s", argv[1], why);
    if (r == 0 && len == 0) {
        /* a filter before failed and said why: the job stops on that */
        fprintf(stderr, "INFO: eseal-store: job %s: no data, nothing "
            "stored\n", argv[1]);
        rc = CUPS_BACKEND_OK;
    } else if (r == 0 && check_sealed(data, len, argv[1]) < 0) {
        rc = CUPS_BACKEND_CANCEL;      /* not sealed: never stored */
    } else if (r == 0 && store(&q, argv[1], argv[2], argv[3], data,
            len) == 0) {
        rc = CUPS_BACKEND_OK;
    }
    free(data);
    cups_queue_free(&q);
    return rc;
}
