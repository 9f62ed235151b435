/*
 * eseal command - sealing many files at once.
 *
 * The inputs (files, walked directories, --from-list) become a list of
 * jobs, each with its output path, checked up front so that no two jobs
 * write one file.  Worker threads share the one opened sealer and seal
 * jobs into an eseal_batch; the main thread commits the batch now and
 * then (outputs flushed together, linked into place, audit lines
 * appended), prints failures and progress, and handles SIGINT/SIGTERM:
 * the first stops handing out jobs and lets the documents in flight
 * finish, a second one ends the process at once (outputs not committed
 * are unnamed files and vanish).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <eseal/batch.h>
#include "batch.h"

#define COMMIT_SECONDS 0.2   /* longest wait before outputs are committed */
#define DEFAULT_PENDING 256
/* Inputs are asked from the disk this many jobs ahead of the workers, the
 * first PREFETCH_BYTES of each: a worker waiting for its input's pages
 * leaves its core idle. */
#define PREFETCH_AHEAD 32
#define PREFETCH_BYTES (256 * 1024)

typedef struct job {
    char *in;
    char *out;       /* == in when sealing in place */
} job;

/* An open-addressing set of strings or (dev, ino) pairs -> job index. */
typedef struct set_entry {
    uint64_t hash;
    const char *key;  /* borrowed; NULL for inode entries */
    dev_t dev;
    ino_t ino;
    size_t job;
    int used;
} set_entry;

typedef struct set {
    set_entry *e;
    size_t cap;
    size_t n;
} set;

typedef struct collect {
    const cli_batch_opts *o;
    job *jobs;
    size_t n_jobs;
    size_t cap_jobs;
    set outputs;         /* output path -> job */
    set inodes;          /* in place: input inode -> job */
    dev_t out_dev;       /* the output directory, skipped by walks */
    ino_t out_ino;
    int have_out_dir;
    char **made_dirs;    /* parents of directories we created */
    size_t n_made;
    size_t walk_failures;
    int fatal;           /* the batch cannot start */
} collect;

/* ---- the sets ------------------------------------------------------------ */

static uint64_t fnv1a(const void *data, size_t len, uint64_t h)
{
    const unsigned char *p = data;
    size_t i;

    for (i = 0; i < len; i++) {
        h ^= p[i];
        h *= 1099511628211ULL;
    }
    return h;
}

static int set_grow(set *s)
{
    set_entry *old = s->e;
    size_t old_cap = s->cap, i;

    s->cap = s->cap ? s->cap * 2 : 1024;
    s->e = calloc(s->cap, sizeof(*s->e));
    if (s->e == NULL) {
        s->e = old;
        s->cap = old_cap;
        return -1;
    }
    for (i = 0; i < old_cap; i++) {
        size_t k;

        if (!old[i].used)
            continue;
        for (k = old[i].hash & (s->cap - 1); s->e[k].used;
             k = (k + 1) & (s->cap - 1))
            ;
        s->e[k] = old[i];
    }
    free(old);
    return 0;
}

/* Adds key (or dev/ino when key is NULL) for job idx.  Returns -1 when
 * out of memory, else 0 with *other = the job that already had the key,
 * or (size_t)-1 when it was added. */
static int set_add(set *s, const char *key, dev_t dev, ino_t ino, size_t idx,
    size_t *other)
{
    uint64_t h = 14695981039346656037ULL;
    size_t k;

    *other = (size_t)-1;
    if ((s->n + 1) * 2 > s->cap && set_grow(s) < 0)
        return -1;
    if (key != NULL)
        h = fnv1a(key, strlen(key), h);
    else
        h = fnv1a(&ino, sizeof(ino), fnv1a(&dev, sizeof(dev), h));
    for (k = h & (s->cap - 1); s->e[k].used; k = (k + 1) & (s->cap - 1)) {
        set_entry *e = &s->e[k];

        if (e->hash == h && (key != NULL ? e->key != NULL &&
                                 strcmp(e->key, key) == 0
                                         : e->key == NULL && e->dev == dev &&
                                 e->ino == ino)) {
            *other = e->job;
            return 0;
        }
    }
    s->e[k].used = 1;
    s->e[k].hash = h;
    s->e[k].key = key;
    s->e[k].dev = dev;
    s->e[k].ino = ino;
    s->e[k].job = idx;
    s->n++;
    return 0;
}

/* ---- collecting the jobs ------------------------------------------------- */

static char *join(const char *a, const char *b)
{
    char *p = NULL;
    size_t la = strlen(a);

    while (la > 1 && a[la - 1] == '/')
        la--;
    if (asprintf(&p, "%.*s/%s", (int)la, a, b) < 0)
        return NULL;
    return p;
}

static int oom(collect *c)
{
    cli_error(NULL, "out of memory");
    c->fatal = 1;
    return -1;
}

/* Adds a job; in and out are taken over (out may be in). */
static int add_job(collect *c, char *in, char *out, const struct stat *in_st)
{
    const cli_batch_opts *o = c->o;
    size_t other;
    struct stat st;

    if (c->n_jobs >= CLI_MAX_DOCUMENTS) {
        cli_error(NULL, "more than %d documents: split the batch",
            CLI_MAX_DOCUMENTS);
        goto fatal;
    }
    if (c->n_jobs == c->cap_jobs) {
        size_t cap = c->cap_jobs ? c->cap_jobs * 2 : 256;
        job *grown = realloc(c->jobs, cap * sizeof(*grown));

        if (grown == NULL)
            goto nomem;
        c->jobs = grown;
        c->cap_jobs = cap;
    }
    if (o->in_place) {
        if (in_st != NULL && set_add(&c->inodes, NULL, in_st->st_dev,
                                 in_st->st_ino, c->n_jobs, &other) < 0)
            goto nomem;
        if (in_st != NULL && other != (size_t)-1) {
            cli_error(in, "given twice (as %s): a file is sealed once per "
                "batch", c->jobs[other].in);
            goto fatal;
        }
    } else {
        if (set_add(&c->outputs, out, 0, 0, c->n_jobs, &other) < 0)
            goto nomem;
        if (other != (size_t)-1) {
            cli_error(out, "two inputs would be sealed into this file: %s "
                "and %s; seal them in separate batches, or give their "
                "directory", c->jobs[other].in, in);
            goto fatal;
        }
        if (in_st != NULL && stat(out, &st) == 0 &&
            st.st_dev == in_st->st_dev && st.st_ino == in_st->st_ino) {
            cli_error(in, "the output is the input: use --in-place to seal "
                "it in place");
            goto fatal;
        }
    }
    c->jobs[c->n_jobs].in = in;
    c->jobs[c->n_jobs].out = out;
    c->n_jobs++;
    return 0;
nomem:
    cli_error(NULL, "out of memory");
fatal:
    c->fatal = 1;
    if (out != in)
        free(out);
    free(in);
    return -1;
}

/* A file a walk takes: *.pdf and/or *.xml, as --format says. */
static int wanted(const collect *c, const char *name)
{
    const char *dot = strrchr(name, '.');
    eseal_format f = c->o->seal->format;

    if (dot == NULL)
        return 0;
    if (strcasecmp(dot, ".pdf") == 0)
        return f == ESEAL_FORMAT_AUTO || f == ESEAL_FORMAT_PDF;
    if (strcasecmp(dot, ".xml") == 0)
        return f == ESEAL_FORMAT_AUTO || f == ESEAL_FORMAT_XML;
    return 0;
}

/* mkdir -p of dir below the existing output directory; remembers the
 * parents of what it made, to flush them before sealing. */
static int make_dirs(collect *c, const char *dir)
{
    size_t base = strlen(c->o->out_dir), i;
    char *p = strdup(dir);
    int rc = 0;

    if (p == NULL)
        return oom(c);
    for (i = base + 1; rc == 0; i++) {
        char saved = p[i];

        if (saved != '/' && saved != '\0')
            continue;
        p[i] = '\0';
        if (mkdir(p, 0777) == 0) {
            char *parent = strdup(p), **grown, *slash;

            grown = realloc(c->made_dirs, (c->n_made + 1) * sizeof(char *));
            if (grown != NULL)
                c->made_dirs = grown;
            if (parent == NULL || grown == NULL) {
                free(parent);
                p[i] = saved;
                rc = oom(c);
                break;
            }
            slash = strrchr(parent, '/'); /* p is below out_dir: has one */
            if (slash != NULL)
                slash[slash == parent] = '\0';
            c->made_dirs[c->n_made++] = parent;
        } else {
            struct stat st;
            int e = errno;

            if (e != EEXIST || stat(p, &st) < 0 || !S_ISDIR(st.st_mode)) {
                cli_error(p, "cannot create the output directory: %s",
                    e == EEXIST ? "a file is in the way" : strerror(e));
                rc = -1;
            }
        }
        p[i] = saved;
        if (saved == '\0')
            break;
    }
    free(p);
    return rc;
}

static void fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Walks dir (rel: its path below the walked root, "" at the root). */
static int walk(collect *c, const char *dir, const char *rel, int depth)
{
    DIR *d;
    struct dirent *de;
    char **names = NULL;
    size_t n = 0, cap = 0, i;
    int made = 0, rc = 0;

    if (depth > CLI_MAX_DEPTH) {
        cli_error(dir, "more than %d directory levels: not walked",
            CLI_MAX_DEPTH);
        c->walk_failures++;
        return 0;
    }
    if ((d = opendir(dir)) == NULL) {
        cli_error(dir, "cannot read the directory: %s", strerror(errno));
        c->walk_failures++;
        return 0;
    }
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue; /* ".", "..", hidden files, our temporary files */
        if (n == cap) {
            char **grown = realloc(names, (cap = cap ? cap * 2 : 64) *
                sizeof(*names));

            if (grown == NULL)
                break;
            names = grown;
        }
        if ((names[n] = strdup(de->d_name)) == NULL)
            break;
        n++;
    }
    closedir(d);
    if (de != NULL) {
        rc = oom(c);
        goto cleanup;
    }
    if (n > 0)   /* an empty directory: names is NULL */
        qsort(names, n, sizeof(*names), name_cmp);
    for (i = 0; i < n && rc == 0 && !c->fatal; i++) {
        char *path = join(dir, names[i]);
        char *sub = rel[0] ? join(rel, names[i]) : strdup(names[i]);
        char *out = NULL;
        struct stat st;

        if (path == NULL || sub == NULL) {
            free(path);
            free(sub);
            rc = oom(c);
            break;
        }
        if (stat(path, &st) < 0) { /* a dangling link, a race */
            free(path);
            free(sub);
            continue;
        }
        if (S_ISDIR(st.st_mode)) {
            struct stat lst;

            /* links to directories are not followed (no loops); the
             * output directory is not sealed again */
            if (lstat(path, &lst) == 0 && !S_ISLNK(lst.st_mode) &&
                !(c->have_out_dir && st.st_dev == c->out_dev &&
                  st.st_ino == c->out_ino))
                rc = walk(c, path, sub, depth + 1);
            free(path);
            free(sub);
            continue;
        }
        if (!S_ISREG(st.st_mode) || !wanted(c, names[i])) {
            free(path);
            free(sub);
            continue;
        }
        if (c->o->in_place) {
            struct stat lst;

            /* in place, a link would be replaced by a sealed copy and
             * its target left as it was: links are skipped */
            if (lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode)) {
                free(path);
                free(sub);
                continue;
            }
        }
        if (c->o->out_dir != NULL) {
            out = join(c->o->out_dir, sub);
            if (out == NULL) {
                free(path);
                free(sub);
                rc = oom(c);
                break;
            }
            if (!made && rel[0]) {
                char *odir = join(c->o->out_dir, rel);

                /* on failure the documents fail, each with its message */
                if (odir == NULL || make_dirs(c, odir) < 0) {
                    free(odir);
                    if (c->fatal) {
                        free(out);
                        free(path);
                        free(sub);
                        rc = -1;
                        break;
                    }
                } else {
                    free(odir);
                }
            }
            made = 1;
        } else {
            out = path;
        }
        free(sub);
        rc = add_job(c, path, out, &st);
    }
cleanup:
    for (i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return c->fatal ? -1 : rc;
}

/* One input from the command line or the list. */
static int add_input(collect *c, const char *input)
{
    const cli_batch_opts *o = c->o;
    char *in, *out, *copy;
    struct stat st;
    int have_st;

    if (strcmp(input, "-") == 0) {
        cli_error(NULL, "standard input cannot be one of several inputs");
        c->fatal = 1;
        return -1;
    }
    have_st = stat(input, &st) == 0;
    if (have_st && S_ISDIR(st.st_mode)) {
        if (o->out != NULL) {
            cli_error(input, "a directory: -o takes one file; use --out-dir");
            c->fatal = 1;
            return -1;
        }
        return walk(c, input, "", 0);
    }
    if (have_st && !S_ISREG(st.st_mode)) {
        /* a FIFO or a device would block or never end */
        cli_error(input, "not a regular file (give - for standard input)");
        c->walk_failures++;
        return 0;
    }
    if ((in = strdup(input)) == NULL)
        return oom(c);
    if (o->in_place) {
        out = in;
    } else if (o->out_dir != NULL) {
        copy = strdup(input);
        out = copy ? join(o->out_dir, basename(copy)) : NULL;
        free(copy);
    } else {
        out = strdup(o->out);
    }
    if (out == NULL) {
        free(in);
        return oom(c);
    }
    /* a missing file is a failed document, reported when it is sealed */
    return add_job(c, in, out, have_st ? &st : NULL);
}

static int read_list(collect *c, const char *list)
{
    FILE *f = strcmp(list, "-") == 0 ? stdin : fopen(list, "re");
    char *line = NULL;
    size_t cap = 0, lineno = 0;
    ssize_t len;
    int rc = 0;

    if (f == NULL) {
        cli_error(list, "cannot open the list: %s", strerror(errno));
        c->fatal = 1;
        return -1;
    }
    while (rc == 0 && (len = getline(&line, &cap, f)) >= 0) {
        lineno++;
        if (memchr(line, '\0', (size_t)len) != NULL) {
            cli_error(list, "line %zu holds a NUL byte", lineno);
            c->fatal = 1;
            rc = -1;
            break;
        }
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (len == 0)
            continue;
        if (len >= PATH_MAX) {
            cli_error(list, "line %zu: a path longer than %d bytes", lineno,
                PATH_MAX - 1);
            c->fatal = 1;
            rc = -1;
            break;
        }
        rc = add_input(c, line);
    }
    if (rc == 0 && ferror(f)) {
        cli_error(list, "cannot read the list: %s", strerror(errno));
        c->fatal = 1;
        rc = -1;
    }
    free(line);
    if (f != stdin)
        fclose(f);
    return rc;
}

static void collect_free(collect *c)
{
    size_t i;

    for (i = 0; i < c->n_jobs; i++) {
        if (c->jobs[i].out != c->jobs[i].in)
            free(c->jobs[i].out);
        free(c->jobs[i].in);
    }
    free(c->jobs);
    free(c->outputs.e);
    free(c->inodes.e);
    for (i = 0; i < c->n_made; i++)
        free(c->made_dirs[i]);
    free(c->made_dirs);
}

/* ---- running ------------------------------------------------------------- */

typedef struct run {
    const cli_batch_opts *o;
    eseal_batch *batch;
    const job *jobs;
    size_t n_jobs;
    atomic_size_t next;      /* the next job to hand out */
    atomic_size_t started;
    atomic_size_t finished;  /* sealed or failed, committed or not */
    atomic_int stop;
    atomic_int commit_due;   /* a worker found commit_at documents pending */
    size_t workers_left;     /* under lock */
    pthread_mutex_t lock;
    pthread_cond_t wake;     /* a worker ended, or a commit is due */
    size_t commit_at;        /* pending documents that start a commit */
    /* main thread only */
    size_t sealed, failed;
    int last_rc;
    cli_progress progress;
} run;

static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
    if (got_signal != 0) { /* the second one: stop now */
        signal(sig, SIG_DFL);
        raise(sig);
        return;
    }
    got_signal = sig;
}

/* Starts reading the beginning of a file into the page cache (no wait). */
static void prefetch(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

    if (fd < 0)
        return;
    (void)posix_fadvise(fd, 0, PREFETCH_BYTES, POSIX_FADV_WILLNEED);
    close(fd);
}

static void *worker(void *arg)
{
    run *r = arg;

    for (;;) {
        size_t i;
        eseal_error err = { 0, "" };
        int rc;

        if (atomic_load(&r->stop))
            break;
        i = atomic_fetch_add(&r->next, 1);
        if (i >= r->n_jobs)
            break;
        atomic_fetch_add(&r->started, 1);
        if (i + PREFETCH_AHEAD < r->n_jobs)
            prefetch(r->jobs[i + PREFETCH_AHEAD].in);
        rc = eseal_batch_seal_file(r->batch, r->jobs[i].in,
            r->jobs[i].out, r->o->seal, (void *)(uintptr_t)i, &err);
        atomic_fetch_add(&r->finished, 1);
        if (rc < 0) {
            /* not even recorded: report it from here, rarely */
            cli_error(r->jobs[i].in, "%s", err.message);
            pthread_mutex_lock(&r->lock);
            r->failed++;
            pthread_mutex_unlock(&r->lock);
        }
        /* the main thread looks every 50 ms; it is woken earlier only
         * when the room for pending outputs is half full, so that the
         * workers never wait for room while it sleeps */
        if (rc == 0 && eseal_batch_pending(r->batch) >= r->commit_at &&
            !atomic_exchange(&r->commit_due, 1)) {
            pthread_mutex_lock(&r->lock);
            pthread_cond_signal(&r->wake);
            pthread_mutex_unlock(&r->lock);
        }
    }
    pthread_mutex_lock(&r->lock);
    r->workers_left--;
    pthread_cond_signal(&r->wake);
    pthread_mutex_unlock(&r->lock);
    return NULL;
}

static void on_done(void *tag, int rc, const eseal_error *err, void *payload)
{
    run *r = payload;
    size_t i = (size_t)(uintptr_t)tag;

    if (rc == 0) {
        r->sealed++;
        return;
    }
    pthread_mutex_lock(&r->lock);
    r->failed++;
    pthread_mutex_unlock(&r->lock);
    r->last_rc = rc;
    cli_progress_clear(&r->progress);
    cli_report_error(r->jobs[i].in, err);
}

static int commit(run *r)
{
    eseal_error err = { 0, "" };

    if (eseal_batch_commit(r->batch, on_done, r, &err) < 0) {
        cli_progress_clear(&r->progress);
        cli_report_error(NULL, &err);
        return -1;
    }
    return 0;
}

/* Lets the batch keep many files open: raises the soft limit. */
static size_t raise_fd_limit(unsigned int jobs)
{
    struct rlimit rl;
    size_t budget;

    if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
        return 64;
    if (rl.rlim_cur < rl.rlim_max && rl.rlim_cur < 65536) {
        rl.rlim_cur = rl.rlim_max < 65536 ? rl.rlim_max : 65536;
        (void)setrlimit(RLIMIT_NOFILE, &rl);
        (void)getrlimit(RLIMIT_NOFILE, &rl);
    }
    /* each worker holds an input, a mapping and an output; keep spares */
    budget = rl.rlim_cur > 64 + 4 * (rlim_t)jobs ?
        (size_t)(rl.rlim_cur - 64 - 4 * (rlim_t)jobs) : 16;
    return budget < DEFAULT_PENDING ? budget : DEFAULT_PENDING;
}

unsigned int cli_cores(void)
{
    cpu_set_t cpus;
    long n;

    if (sched_getaffinity(0, sizeof(cpus), &cpus) == 0 &&
        CPU_COUNT(&cpus) > 0)
        return (unsigned int)CPU_COUNT(&cpus);
    n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (unsigned int)n : 1;
}

static int run_jobs(run *r, unsigned int jobs, int *commit_failed)
{
    pthread_t *threads = calloc(jobs, sizeof(*threads));
    struct sigaction sa, old_int, old_term;
    sigset_t block, saved;
    unsigned int i, n_threads = 0;
    double last_commit = cli_now();
    int stopping = 0;

    if (threads == NULL) {
        cli_error(NULL, "out of memory");
        return -1;
    }
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    got_signal = 0;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    /* the workers never take the signals: the main thread does */
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &block, &saved);
    for (i = 0; i < PREFETCH_AHEAD && i < r->n_jobs; i++)
        prefetch(r->jobs[i].in);
    r->workers_left = jobs;
    for (i = 0; i < jobs; i++) {
        if (pthread_create(&threads[i], NULL, worker, r) != 0)
            break;
        n_threads++;
    }
    pthread_mutex_lock(&r->lock);
    r->workers_left -= jobs - n_threads;
    pthread_mutex_unlock(&r->lock);
    pthread_sigmask(SIG_SETMASK, &saved, NULL);
    if (n_threads == 0) {
        cli_error(NULL, "cannot start a thread");
        atomic_store(&r->stop, 1);
    }
    for (;;) {
        struct timespec ts;
        int left;

        pthread_mutex_lock(&r->lock);
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 50 * 1000 * 1000;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        if (r->workers_left > 0 && !atomic_load(&r->commit_due))
            pthread_cond_timedwait(&r->wake, &r->lock, &ts);
        left = r->workers_left > 0;
        pthread_mutex_unlock(&r->lock);
        atomic_store(&r->commit_due, 0);
        if (got_signal && !stopping) {
            size_t in_flight = atomic_load(&r->started) - (r->sealed +
                r->failed + eseal_batch_pending(r->batch));

            stopping = 1;
            atomic_store(&r->stop, 1);
            cli_progress_clear(&r->progress);
            cli_error(NULL, "%s: finishing the %zu document(s) in progress;"
                " again to stop at once", got_signal == SIGINT ?
                "interrupted" : "terminated", in_flight);
        }
        if (!left)
            break;
        if (!*commit_failed &&
            (eseal_batch_pending(r->batch) >= r->commit_at ||
             cli_now() - last_commit >= COMMIT_SECONDS)) {
            if (commit(r) < 0) {
                *commit_failed = 1;
                atomic_store(&r->stop, 1);
            }
            last_commit = cli_now();
        }
        /* documents finished by the workers, failures as committed */
        cli_progress_update(&r->progress, atomic_load(&r->finished) -
            r->failed, r->failed, 0);
    }
    for (i = 0; i < n_threads; i++)
        pthread_join(threads[i], NULL);
    free(threads);
    if (!*commit_failed && commit(r) < 0)
        *commit_failed = 1;
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    return 0;
}

int cli_batch_run(const cli_batch_opts *o)
{
    eseal_batch_opts bo = ESEAL_BATCH_OPTS_INIT;
    eseal_error err = { 0, "" };
    collect c;
    run r;
    struct stat st;
    unsigned int jobs;
    size_t i, not_started;
    int status, commit_failed = 0, single;

    memset(&c, 0, sizeof(c));
    memset(&r, 0, sizeof(r));
    c.o = o;
    if (o->out_dir != NULL && stat(o->out_dir, &st) == 0) {
        c.have_out_dir = 1;
        c.out_dev = st.st_dev;
        c.out_ino = st.st_ino;
    }
    for (i = 0; i < o->n_inputs && !c.fatal; i++)
        add_input(&c, o->inputs[i]);
    if (o->from_list != NULL && !c.fatal)
        read_list(&c, o->from_list);
    if (c.fatal) {
        collect_free(&c);
        return CLI_EXIT_USAGE;
    }
    /* the directories made for the outputs must survive a crash too */
    for (i = 0; i < c.n_made && !o->no_sync; i++)
        fsync_dir(c.made_dirs[i]);
    single = c.n_jobs == 1 && o->n_inputs == 1 && o->from_list == NULL &&
             c.walk_failures == 0 &&
             !(stat(o->inputs[0], &st) == 0 && S_ISDIR(st.st_mode));
    if (c.n_jobs == 0) {
        int one_file = o->n_inputs == 1 && o->from_list == NULL &&
                       !(stat(o->inputs[0], &st) == 0 &&
                         S_ISDIR(st.st_mode));

        if (!one_file)
            cli_error(NULL, "no document to seal (directories are searched "
                "for *.pdf and *.xml files)");
        collect_free(&c);
        if (one_file)
            return CLI_EXIT_USAGE; /* one input that is not a file */
        return c.walk_failures ? CLI_EXIT_DOCUMENT : CLI_EXIT_OK;
    }
    jobs = o->jobs ? o->jobs : cli_cores();
    if (jobs > c.n_jobs)
        jobs = (unsigned int)c.n_jobs;
    bo.audit = o->audit;
    bo.profile = o->profile;
    bo.no_sync = o->no_sync;
    bo.max_pending = (unsigned int)raise_fd_limit(jobs);
    r.commit_at = bo.max_pending / 2 ? bo.max_pending / 2 : 1;
    if (eseal_batch_open(&r.batch, o->sealer, &bo, &err) < 0) {
        cli_report_error(NULL, &err);
        collect_free(&c);
        return CLI_EXIT_USAGE;
    }
    r.o = o;
    r.jobs = c.jobs;
    r.n_jobs = c.n_jobs;
    pthread_mutex_init(&r.lock, NULL);
    pthread_cond_init(&r.wake, NULL);
    cli_progress_init(&r.progress, c.n_jobs + c.walk_failures);
    if (run_jobs(&r, jobs, &commit_failed) < 0) {
        eseal_batch_free(r.batch);
        collect_free(&c);
        return CLI_EXIT_USAGE;
    }
    r.failed += c.walk_failures;
    not_started = c.n_jobs - atomic_load(&r.started);
    cli_progress_summary(&r.progress, r.sealed, r.failed, not_started);
    if (single)
        status = r.failed ? cli_exit_status(r.last_rc) : CLI_EXIT_OK;
    else
        status = r.failed || not_started || commit_failed ?
            CLI_EXIT_DOCUMENT : CLI_EXIT_OK;
    eseal_batch_free(r.batch);
    pthread_cond_destroy(&r.wake);
    pthread_mutex_destroy(&r.lock);
    collect_free(&c);
    return status;
}
