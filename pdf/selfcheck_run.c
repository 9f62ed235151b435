/*
 * eseal PDF adapter - runs the self-check helper: posix_spawn (no fork:
 * the library runs inside multi-threaded servers), one answer line read
 * with a size cap, a timeout after which the helper is killed, and the
 * helper always reaped.  The document goes in as a file descriptor, so
 * the caller never writes into a pipe the helper may have left (no
 * SIGPIPE), and no signal disposition of the caller's process changes.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "selfcheck.h"
#include "../core/eseal_int.h"

extern char **environ;

static long long now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

/* Waits for pid until deadline (ms, monotonic); 1 when it was reaped
 * (*st set) or someone else reaped it (*gone set), 0 at the deadline. */
static int wait_until(pid_t pid, long long deadline, int *st, int *gone)
{
    long pause = 1;

    for (;;) {
        pid_t w = waitpid(pid, st, WNOHANG);

        if (w == pid)
            return 1;
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0) {            /* ECHILD: a SIGCHLD handler reaped it */
            *gone = 1;
            return 1;
        }
        if (now_ms() >= deadline)
            return 0;
        sleep_ms(pause);
        if (pause < 50)
            pause *= 2;
    }
}

/* Kills and reaps pid (the deadline passed). */
static void kill_and_reap(pid_t pid, int *st, int *gone)
{
    pid_t w;

    if (wait_until(pid, 0, st, gone))
        return;                 /* it ended just now */
    kill(pid, SIGKILL);
    while ((w = waitpid(pid, st, 0)) < 0 && errno == EINTR)
        ;
    if (w < 0)
        *gone = 1;
}

/* Reads the answer until end of file or the deadline; keeps at most the
 * cap.  Returns 0, 1 at the deadline, or -errno. */
static int read_answer(eseal_selfcheck_result *out, int fd,
    long long deadline, size_t *len, int *overflow)
{
    char buf[4096];

    for (;;) {
        struct pollfd pfd = { fd, POLLIN, 0 };
        long long left = deadline - now_ms();
        ssize_t n;
        int ready;

        if (left <= 0)
            return 1;
        ready = poll(&pfd, 1, left > INT_MAX ? INT_MAX : (int)left);
        if (ready < 0 && errno != EINTR)
            return -errno;
        if (ready <= 0)
            continue;
        n = read(fd, buf, sizeof(buf));
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (n < 0)
            return -errno;
        if (n == 0)
            return 0;
        if (*len + (size_t)n >= sizeof(out->line)) {
            *overflow = 1;      /* keep reading: the helper must not block */
            continue;
        }
        memcpy(out->line + *len, buf, (size_t)n);
        *len += (size_t)n;
    }
}

/* One complete line: text, one '\n' at the end, no NUL. */
static void check_line(eseal_selfcheck_result *out, size_t len, int overflow)
{
    out->line[len] = '\0';
    out->line_ok = !overflow && len > 0 && out->line[len - 1] == '\n'
        && memchr(out->line, '\0', len) == NULL
        && memchr(out->line, '\n', len - 1) == NULL;
    if (out->line_ok)
        out->line[len - 1] = '\0';
    else
        out->line[0] = '\0';
}

/* A descriptor numbered 3 or more, close-on-exec: the child's dup2 onto
 * 0 and 1 then always makes a new descriptor, without FD_CLOEXEC. */
static int high_fd(int fd)
{
    return fcntl(fd, F_DUPFD_CLOEXEC, 3);
}

int eseal__selfcheck_run(eseal_selfcheck_result *out, const char *path,
    char *const argv[], int doc_fd, int timeout_s, eseal_error *err)
{
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    sigset_t none, dfl;
    int p[2] = { -1, -1 }, in_fd = -1, rd = -1, wr = -1, st = 0, gone = 0;
    int have_fa = 0, have_attr = 0, overflow = 0, rc, e;
    long long deadline;
    size_t len = 0;
    pid_t pid;

    memset(out, 0, sizeof(*out));
    if (pipe2(p, O_CLOEXEC) < 0) {
        rc = eseal__error_set(err, ESEAL_EIO, "self-check: cannot make a "
            "pipe: %s", strerror(errno));
        goto cleanup;
    }
    rd = high_fd(p[0]);
    wr = high_fd(p[1]);
    in_fd = high_fd(doc_fd);
    close(p[0]);
    close(p[1]);
    p[0] = p[1] = -1;
    if (rd < 0 || wr < 0 || in_fd < 0) {
        rc = eseal__error_set(err, ESEAL_EIO, "self-check: cannot "
            "duplicate a descriptor: %s", strerror(errno));
        goto cleanup;
    }
    if ((e = posix_spawn_file_actions_init(&fa)) != 0)
        goto spawn_failed;
    have_fa = 1;
    if ((e = posix_spawnattr_init(&attr)) != 0)
        goto spawn_failed;
    have_attr = 1;
    /* the helper starts with default signal handling and no blocked
     * signal, whatever the calling thread blocks or ignores */
    sigemptyset(&none);
    sigfillset(&dfl);
    sigdelset(&dfl, SIGKILL);
    sigdelset(&dfl, SIGSTOP);
    if ((e = posix_spawn_file_actions_adddup2(&fa, in_fd, 0)) != 0
        || (e = posix_spawn_file_actions_adddup2(&fa, wr, 1)) != 0
        || (e = posix_spawn_file_actions_addclosefrom_np(&fa, 3)) != 0
        || (e = posix_spawnattr_setsigmask(&attr, &none)) != 0
        || (e = posix_spawnattr_setsigdefault(&attr, &dfl)) != 0
        || (e = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK
            | POSIX_SPAWN_SETSIGDEF)) != 0)
        goto spawn_failed;
    if ((e = posix_spawn(&pid, path, &fa, &attr, argv, environ)) != 0) {
        rc = eseal__error_set(err, ESEAL_ECONFIG, "self-check: cannot run "
            "the helper %s: %s", path, strerror(e));
        goto cleanup;
    }
    close(wr);
    wr = -1;
    deadline = now_ms() + (long long)timeout_s * 1000;
    rc = read_answer(out, rd, deadline, &len, &overflow);
    if (rc == 0 && !wait_until(pid, deadline, &st, &gone))
        rc = 1;
    if (rc != 0) {
        kill_and_reap(pid, &st, &gone);
        out->timed_out = rc == 1;
    }
    if (rc < 0) {
        rc = eseal__error_set(err, ESEAL_EIO, "self-check: cannot read the "
            "helper's answer: %s", strerror(-rc));
        goto cleanup;
    }
    check_line(out, len, overflow);
    out->reaped_elsewhere = gone;
    if (!gone && WIFEXITED(st)) {
        out->exited = 1;
        out->status = WEXITSTATUS(st);
    } else if (!gone && WIFSIGNALED(st)) {
        out->signal = WTERMSIG(st);
    }
    rc = 0;
    goto cleanup;
spawn_failed:
    rc = eseal__error_set(err, ESEAL_EIO, "self-check: cannot prepare the "
        "helper %s: %s", path, strerror(e));
cleanup:
    if (have_fa)
        posix_spawn_file_actions_destroy(&fa);
    if (have_attr)
        posix_spawnattr_destroy(&attr);
    if (p[0] >= 0)
        close(p[0]);
    if (p[1] >= 0)
        close(p[1]);
    if (rd >= 0)
        close(rd);
    if (wr >= 0)
        close(wr);
    if (in_fd >= 0)
        close(in_fd);
    return rc;
}
