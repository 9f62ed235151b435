/*
 * eseal PDF adapter - the self-check: a sealed output is re-opened with
 * Poppler, an independent reader (the check itself: selfcheck_poppler.c).
 *
 * Poppler runs in a helper process, eseal-selfcheck, never in the caller:
 * a Poppler or NSS bug on a crafted document (a use-after-free was found
 * by fuzzing, docs/fuzzing.md) must not kill the eseal command, a CUPS
 * filter or an nginx worker.  A crash, a hang or a malformed answer of
 * the helper is the self-check failing on that document.
 */
#include "eseal_config.h"
#include "pdf_adapter.h"

#include <dlfcn.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "selfcheck.h"
#include "../core/eseal_int.h"

/* 1 when path is an executable regular file. */
static int is_program(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 && S_ISREG(st.st_mode)
        && access(path, X_OK) == 0;
}

/* The directory of the object (shared library or program) holding this
 * code, into dir; 0 or -1.  *in_program: the code is linked into the
 * program itself (the test programs of the build tree). */
static int code_dir(char *dir, size_t cap, int *in_program)
{
    int (*self)(char *, size_t, eseal_error *) = eseal__selfcheck_find;
    struct link_map *lm = NULL;
    Dl_info info;
    void *addr;
    char *slash;
    ssize_t n;

    memcpy(&addr, &self, sizeof(addr));     /* POSIX: code as data */
    *in_program = 0;
    if (dladdr1(addr, &info, (void **)&lm, RTLD_DL_LINKMAP) == 0)
        return -1;
    if (lm != NULL && lm->l_name != NULL && lm->l_name[0] != '\0') {
        if (snprintf(dir, cap, "%s", lm->l_name) >= (int)cap)
            return -1;
    } else {
        *in_program = 1;
        n = readlink("/proc/self/exe", dir, cap - 1);
        if (n <= 0 || (size_t)n >= cap - 1)
            return -1;
        dir[n] = '\0';
    }
    if ((slash = strrchr(dir, '/')) == NULL)
        return -1;
    *slash = '\0';
    return 0;
}

int eseal__selfcheck_find(char *path, size_t cap, eseal_error *err)
{
    char dir[PATH_MAX];
    int in_program = 0;

    if (code_dir(dir, sizeof(dir), &in_program) == 0) {
        if (snprintf(path, cap, "%s/%s", dir, ESEAL_SELFCHECK_HELPER)
                < (int)cap && is_program(path))
            return 0;
        /* a test program of the build tree: the helper is at its root */
        if (in_program && snprintf(path, cap, "%s/%s", ESEAL_BUILD_ROOT,
                ESEAL_SELFCHECK_HELPER) < (int)cap && is_program(path))
            return 0;
    } else {
        dir[0] = '\0';
    }
    if (snprintf(path, cap, "%s/%s", ESEAL_LIBEXECDIR,
            ESEAL_SELFCHECK_HELPER) < (int)cap && is_program(path))
        return 0;
    return eseal__error_set(err, ESEAL_ECONFIG, "self-check: the helper "
        "%s is not installed (looked in %s%s%s)", ESEAL_SELFCHECK_HELPER,
        dir, dir[0] != '\0' ? " and " : "", ESEAL_LIBEXECDIR);
}

/* The document as a descriptor the helper can map: the written file
 * itself, or a copy of the buffer in a memfd. */
static int document_fd(const eseal_source *sealed, int *owned,
    eseal_error *err)
{
    const unsigned char *p = sealed->data;
    uint64_t left = sealed->size;
    int fd;

    *owned = 0;
    if (sealed->fd >= 0)
        return sealed->fd;
    if ((fd = memfd_create("eseal-selfcheck", MFD_CLOEXEC)) < 0)
        return eseal__error_set(err, ESEAL_EIO, "self-check: cannot make "
            "a memory file: %s", strerror(errno));
    while (left > 0) {
        size_t chunk = left > (1u << 30) ? (1u << 30) : (size_t)left;
        ssize_t n = write(fd, p, chunk);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            int e = n < 0 ? errno : ENOSPC;

            close(fd);
            return eseal__error_set(err, ESEAL_EIO, "self-check: cannot "
                "copy the sealed document to a memory file: %s",
                strerror(e));
        }
        p += n;
        left -= (uint64_t)n;
    }
    *owned = 1;
    return fd;
}

/* "<ESEAL code name> <message>": the code, the message into err. */
static int parse_answer(const char *line, eseal_error *err)
{
    const char *sp = strchr(line, ' ');
    int code;

    if (sp == NULL)
        return 0;
    for (code = -1; code >= -64; code--) {
        const char *name = eseal_err_name(code);

        if (strcmp(name, "UNKNOWN") == 0)
            break;
        if (strlen(name) == (size_t)(sp - line)
            && strncmp(line, name, (size_t)(sp - line)) == 0)
            return eseal__error_set(err, code, "%s", sp + 1);
    }
    return 0;
}

/* What the helper's end means for the document. */
static int interpret(const eseal_selfcheck_result *r, const char *path,
    eseal_error *err)
{
    int rc;

    if (r->timed_out)
        return eseal__error_set(err, ESEAL_EVERIFY, "self-check: Poppler "
            "did not finish in %d s", ESEAL_SELFCHECK_TIMEOUT_S);
    if (r->signal != 0)
        return eseal__error_set(err, ESEAL_EVERIFY, "self-check: Poppler "
            "crashed while reading the sealed PDF (signal %d, %s)",
            r->signal, strsignal(r->signal));
    /* an exit status the caller could not collect: the answer alone */
    if ((r->reaped_elsewhere || r->status == 0) && r->line_ok
        && strcmp(r->line, "ok") == 0)
        return 0;
    if ((r->reaped_elsewhere || r->status == ESEAL_SELFCHECK_EXIT_FINDING
            || r->status == ESEAL_SELFCHECK_EXIT_SETUP)
        && r->line_ok && (rc = parse_answer(r->line, err)) < 0)
        return rc;
    if (r->reaped_elsewhere) /* nginx's workers reap every child */
        return eseal__error_set(err, ESEAL_EVERIFY, "self-check: Poppler "
            "ended without an answer (crashed or killed; its exit status "
            "was collected elsewhere in this process)");
    if (r->status == 127 && r->line[0] == '\0')  /* exec failed in a fork */
        return eseal__error_set(err, ESEAL_ECONFIG, "self-check: cannot "
            "run the helper %s (exit status 127)", path);
    return eseal__error_set(err, ESEAL_EVERIFY, "self-check: the Poppler "
        "helper %s failed (exit status %d)", path, r->status);
}

int eseal__pdf_self_check(const eseal_source *sealed, eseal_error *err)
{
    char path[PATH_MAX], size_arg[24];
    char *argv[5];
    eseal_selfcheck_result *res = NULL;
    int fd = -1, owned = 0, rc;

    if ((rc = eseal__selfcheck_find(path, sizeof(path), err)) < 0)
        return rc;
    if (sealed->size == 0)
        return eseal__error_set(err, ESEAL_EVERIFY, "self-check: the "
            "sealed document is empty");
    if ((res = malloc(sizeof(*res))) == NULL)
        return eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
    if ((rc = fd = document_fd(sealed, &owned, err)) < 0)
        goto cleanup;
    snprintf(size_arg, sizeof(size_arg), "%" PRIu64, sealed->size);
    argv[0] = path;
    argv[1] = (char *)"--eseal-version=" ESEAL_VERSION;
    argv[2] = size_arg;
    argv[3] = (char *)(sealed->name != NULL ? sealed->name : "document");
    argv[4] = NULL;
    if ((rc = eseal__selfcheck_run(res, path, argv, fd,
            ESEAL_SELFCHECK_TIMEOUT_S, err)) < 0)
        goto cleanup;
    rc = interpret(res, path, err);
cleanup:
    if (owned)
        close(fd);
    free(res);
    return rc;
}
