/*
 * eseal - keys on PKCS#11 tokens, through libp11.
 *
 * libp11 keeps one session pool per slot: each private-key operation takes
 * a session from the pool (opening one when all are busy, up to 16) and
 * puts it back, so threads that sign at once each work on their own
 * session, and the login made once on one session holds for all of them.
 * The EVP_PKEY libp11 returns has an RSA or EC method that calls C_Sign,
 * so EVP_DigestSign() works on it as on a key in memory.
 */
#include <ctype.h>
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <libp11.h>
#include <openssl/err.h>
#include <openssl/ui.h>
#include <openssl/x509v3.h>
#include "pkcs11.h"

/* The module every p11-kit installation has: its proxy reaches every
 * module registered with p11-kit (SoftHSM, OpenSC, vendors' HSMs). */
#define DEFAULT_MODULE "libp11-kit.so.0"

/* PKCS#11 return values this file explains (PKCS#11 v2.40, section 3.6) */
#define P11_CKR_DEVICE_ERROR 0x30UL
#define P11_CKR_KEY_FUNCTION_NOT_PERMITTED 0x68UL
#define P11_CKR_PIN_INCORRECT 0xA0UL
#define P11_CKR_PIN_INVALID 0xA1UL
#define P11_CKR_PIN_LEN_RANGE 0xA2UL
#define P11_CKR_PIN_EXPIRED 0xA3UL
#define P11_CKR_PIN_LOCKED 0xA4UL
#define P11_CKR_TOKEN_NOT_PRESENT 0xE0UL
#define P11_CKR_USER_PIN_NOT_INITIALIZED 0x102UL
#define P11_CKR_GENERAL_ERROR 0x5UL
#define P11_CKR_SLOT_ID_INVALID 0x3UL
#define P11_CKR_TOKEN_NOT_RECOGNIZED 0xE1UL
#define P11_CKR_CRYPTOKI_NOT_INITIALIZED 0x190UL
#define P11_CKR_CRYPTOKI_ALREADY_INITIALIZED 0x191UL
#define P11_CKF_OS_LOCKING_OK 0x2UL
#define P11_CKF_SERIAL_SESSION 0x4UL

/* After fork, how long a child retries a token its module cannot see
 * (milliseconds), and the longest pause between two tries. */
#define SETTLE_MS 10000
#define SETTLE_PAUSE_MAX_MS 100
/* How long a login that fails for a reason other than the PIN is tried. */
#define LOGIN_RETRY_MS 2000
/* How long a child waits for its siblings' logins before it goes ahead
 * alone (seconds): longer than one child's settling and login can take. */
#define FAMILY_WAIT_S 60

/*
 * The head of CK_FUNCTION_LIST, up to C_CloseSession, and
 * CK_C_INITIALIZE_ARGS (PKCS#11 v2.40, sections 3.6 and 5.2) with the
 * platform's natural alignment, as every Unix module is built: only the
 * calls that check a slot after fork are made through them.
 */
typedef unsigned long p11_rv;
typedef struct p11_init_args {
    void *create_mutex;
    void *destroy_mutex;
    void *lock_mutex;
    void *unlock_mutex;
    unsigned long flags;
    void *reserved;
} p11_init_args;
typedef struct p11_function_list_head {
    struct { unsigned char major, minor; } version;
    p11_rv (*initialize)(void *args);
    p11_rv (*finalize)(void *reserved);
    void (*get_info)(void);
    void (*get_function_list)(void);
    p11_rv (*get_slot_list)(unsigned char token_present,
        unsigned long *slots, unsigned long *count);
    void (*get_slot_info)(void);
    void (*get_token_info)(void);
    void (*get_mechanism_list)(void);
    void (*get_mechanism_info)(void);
    void (*init_token)(void);
    void (*init_pin)(void);
    void (*set_pin)(void);
    p11_rv (*open_session)(unsigned long slot, unsigned long flags,
        void *application, void *notify, unsigned long *session);
    p11_rv (*close_session)(unsigned long session);
} p11_function_list_head;
typedef p11_rv (*p11_get_function_list)(p11_function_list_head **list);

struct eseal_p11 {
    PKCS11_CTX *ctx;
    int loaded;              /* ctx has the module loaded */
    PKCS11_SLOT *slots;
    unsigned int n_slots;
    PKCS11_SLOT *slot;       /* borrowed from slots */
    unsigned long slot_id;   /* the slot's PKCS#11 id */
    pid_t owner;             /* the process that opened it */
    PKCS11_KEY *key;         /* borrowed from the slot's key list */
    char *module;            /* the path or name loaded */
    char *pin;               /* per-signature logins, logins after fork */
    size_t pin_size;
    UI_METHOD *ui;
    _Atomic pid_t ready_pid; /* the process where the token is usable */
    pthread_mutex_t fork_lock;
    int retired;             /* closed, waiting for the module's last user */
    struct eseal_p11 *next;  /* in the process's list of opened tokens */
};

/*
 * Every eseal_p11 of the process, open or retired.  A module is loaded
 * once per process, and its state (initialization, sessions, login) is the
 * process's, not a libp11 context's: libp11 closes all the sessions of the
 * slot and finalizes the module when a context is released, which would
 * end the sessions and the login of every other sealer on that module (a
 * server that opens its renewed key before it frees the old one).  So a
 * closed eseal_p11 is only retired while another one uses its module, and
 * the last one closed releases them all.
 */
static pthread_mutex_t tokens_lock = PTHREAD_MUTEX_INITIALIZER;
static struct eseal_p11 *tokens;

static int check_slot(eseal_p11 *p, const char *desc, eseal_error *err);

/*
 * The lock the children of a process take, one at a time, to initialize
 * the module again and log in (eseal__p11_after_fork()): a process-shared
 * mutex in memory every later fork inherits, made when the first token is
 * opened.  A module that reads its token store afresh in each child can
 * read it half-written while a sibling's C_Login rewrites it (SoftHSM2
 * truncates token.object before it locks it), and then sees no user PIN
 * until the module is initialized again, which libp11 cannot do under its
 * open sessions.  Taking turns keeps siblings from reading each other's
 * writes.  Robust: a child that dies holding it does not block the others.
 */
static pthread_mutex_t *family_lock;
static pthread_once_t family_once = PTHREAD_ONCE_INIT;

static void family_lock_init(void)
{
    pthread_mutexattr_t attr;
    void *m = mmap(NULL, sizeof(pthread_mutex_t), PROT_READ | PROT_WRITE,
        MAP_SHARED | MAP_ANONYMOUS, -1, 0);

    if (m == MAP_FAILED)
        return; /* children then log in without taking turns */
    if (pthread_mutexattr_init(&attr) != 0) {
        munmap(m, sizeof(pthread_mutex_t));
        return;
    }
    if (pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED) == 0 &&
        pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST) == 0 &&
        pthread_mutex_init(m, &attr) == 0)
        family_lock = m;
    else
        munmap(m, sizeof(pthread_mutex_t));
    pthread_mutexattr_destroy(&attr);
}

/* Takes the family lock: 1 when held, 0 when the child goes ahead alone
 * (no lock, or a sibling stuck in its module past FAMILY_WAIT_S). */
static int family_enter(void)
{
    struct timespec deadline;
    int rc;

    if (family_lock == NULL)
        return 0;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += FAMILY_WAIT_S;
    rc = pthread_mutex_timedlock(family_lock, &deadline);
    if (rc == EOWNERDEAD) /* the holder died: nothing to repair */
        rc = pthread_mutex_consistent(family_lock);
    return rc == 0;
}

static void family_leave(int held)
{
    if (held)
        pthread_mutex_unlock(family_lock);
}

/* ---- tokens ------------------------------------------------------------ */

static CRYPTO_ONCE ex_once = CRYPTO_ONCE_STATIC_INIT;
static int ex_index = -1;

static void ex_index_init(void)
{
    ex_index = EVP_PKEY_get_ex_new_index(0, "eseal token", NULL, NULL,
        NULL);
}

eseal_p11 *eseal__p11_of_key(const EVP_PKEY *key)
{
    if (key == NULL || !CRYPTO_THREAD_run_once(&ex_once, ex_index_init) ||
        ex_index < 0)
        return NULL;
    return EVP_PKEY_get_ex_data(key, ex_index);
}

/* The PKCS#11 return value libp11 left on the OpenSSL queue, or 0.  Empties
 * the queue. */
static unsigned long take_ckr(void)
{
    unsigned long e, ckr = 0;
    int lib = ERR_get_CKR_code();

    while ((e = ERR_get_error()) != 0)
        if (ckr == 0 && lib != 0 && ERR_GET_LIB(e) == lib)
            ckr = (unsigned long)ERR_GET_REASON(e);
    return ckr;
}

static const char *ckr_text(unsigned long ckr)
{
    switch (ckr) {
    case P11_CKR_DEVICE_ERROR: return "device error";
    case P11_CKR_KEY_FUNCTION_NOT_PERMITTED:
        return "the key may not sign (CKA_SIGN is false)";
    case P11_CKR_PIN_INCORRECT: return "wrong PIN";
    case P11_CKR_PIN_INVALID: return "the PIN has invalid characters";
    case P11_CKR_PIN_LEN_RANGE: return "wrong PIN (bad length)";
    case P11_CKR_PIN_EXPIRED: return "the PIN has expired";
    case P11_CKR_PIN_LOCKED: return "the PIN is locked";
    case P11_CKR_TOKEN_NOT_PRESENT: return "the token is not present";
    case P11_CKR_USER_PIN_NOT_INITIALIZED:
        return "the token's user PIN is not set";
    default: return NULL;
    }
}

/* err = "<what>: <PKCS#11 reason>"; drains the queue. */
static int p11_error(eseal_error *err, int code, const char *what)
{
    unsigned long ckr = take_ckr();
    const char *text = ckr_text(ckr);

    if (text != NULL)
        return eseal__error_set(err, code, "%s: %s", what, text);
    if (ckr != 0)
        return eseal__error_set(err, code, "%s: PKCS#11 error 0x%lx", what,
            ckr);
    return eseal__error_set(err, code, "%s", what);
}

/* UI reader for libp11's CKU_CONTEXT_SPECIFIC logins: the kept PIN. */
static int ui_read(UI *ui, UI_STRING *uis)
{
    const eseal_p11 *p11 = UI_get0_user_data(ui);

    switch (UI_get_string_type(uis)) {
    case UIT_PROMPT:
    case UIT_VERIFY:
        if (p11 == NULL || p11->pin == NULL)
            return 0;
        return UI_set_result(ui, uis, p11->pin) >= 0 ? 1 : 0;
    default:
        return 1;
    }
}

static int ui_write(UI *ui, UI_STRING *uis)
{
    (void)ui;
    (void)uis;
    return 1; /* never print a prompt */
}

/* Looks a module name up in p11-kit's registry ("NAME.module" files). */
static int module_by_name(char **out, const char *name, eseal_error *err)
{
    static const char *const dirs[] = {
        "/etc/pkcs11/modules", "/usr/share/p11-kit/modules", NULL
    };
    char path[512], line[1024];
    size_t i;

    *out = NULL;
    for (i = 0; name[i] != '\0'; i++)
        if (!isalnum((unsigned char)name[i]) && strchr("._-", name[i]) ==
            NULL)
            return eseal__error_set(err, ESEAL_ECONFIG, "pkcs11: URI: "
                "module-name may hold letters, digits, '.', '_', '-'");
    for (i = 0; dirs[i] != NULL; i++) {
        FILE *f;

        snprintf(path, sizeof(path), "%s/%.200s.module", dirs[i], name);
        if ((f = fopen(path, "re")) == NULL)
            continue;
        while (fgets(line, sizeof(line), f) != NULL) {
            char *v = line;

            while (isspace((unsigned char)*v))
                v++;
            if (strncmp(v, "module:", 7) != 0)
                continue;
            v += 7;
            while (isspace((unsigned char)*v))
                v++;
            v[strcspn(v, "\r\n")] = '\0';
            while (*v && isspace((unsigned char)v[strlen(v) - 1]))
                v[strlen(v) - 1] = '\0';
            if (*v == '/') {
                *out = OPENSSL_strdup(v);
            } else {
                /* relative: p11-kit's module directory beside libc's */
                Dl_info info;
                char *dir, *slash;

                if (dladdr((void *)&fopen, &info) == 0 ||
                    info.dli_fname == NULL)
                    break;
                dir = OPENSSL_strdup(info.dli_fname);
                if (dir != NULL && (slash = strrchr(dir, '/')) != NULL) {
                    *slash = '\0';
                    if (asprintf(out, "%s/pkcs11/%s", dir, v) < 0)
                        *out = NULL;
                }
                OPENSSL_free(dir);
            }
            break;
        }
        fclose(f);
        if (*out != NULL)
            return 0;
    }
    return eseal__error_set(err, ESEAL_EKEY, "pkcs11: URI: no PKCS#11 "
        "module named '%.64s' is registered with p11-kit", name);
}

static int token_matches(const eseal_p11_uri *u, PKCS11_CTX *ctx,
    PKCS11_SLOT *slot)
{
    const PKCS11_TOKEN *t = slot->token;

#define MATCH(want, have) ((want) == NULL || \
    ((have) != NULL && strcmp((want), (have)) == 0))
    if (t == NULL || !t->initialized)
        return 0;
    return MATCH(u->token, t->label) &&
           MATCH(u->manufacturer, t->manufacturer) &&
           MATCH(u->model, t->model) && MATCH(u->serial, t->serialnr) &&
           MATCH(u->slot_description, slot->description) &&
           MATCH(u->slot_manufacturer, slot->manufacturer) &&
           MATCH(u->library_manufacturer, ctx->manufacturer) &&
           MATCH(u->library_description, ctx->description) &&
           (!u->has_slot_id ||
            PKCS11_get_slotid_from_slot(slot) == u->slot_id);
#undef MATCH
}

static int find_slot(eseal_p11 *p, const eseal_p11_uri *u, const char *desc,
    eseal_error *err)
{
    char names[160];
    unsigned int i, found = 0;
    size_t n = 0;

    names[0] = '\0';
    for (i = 0; i < p->n_slots; i++) {
        PKCS11_SLOT *s = &p->slots[i];

        if (s->token != NULL && s->token->initialized && n < sizeof(names))
            n += (size_t)snprintf(names + n, sizeof(names) - n, "%s\"%.40s\"",
                n ? ", " : "", s->token->label ? s->token->label : "");
        if (token_matches(u, p->ctx, s)) {
            if (found++ == 0)
                p->slot = s;
        }
    }
    if (found == 1)
        return 0;
    p->slot = NULL;
    if (found > 1)
        return eseal__error_set(err, ESEAL_EKEY, "pkcs11: %s: %u tokens "
            "match; name one with token= or serial=", desc, found);
    return eseal__error_set(err, ESEAL_EKEY, "pkcs11: %s: no such token in "
        "module %s (tokens: %s)", desc, p->module,
        names[0] ? names : "none");
}

/* Sleeps *pause_ms (and a little more in some processes, so that
 * siblings spread out), then doubles it up to SETTLE_PAUSE_MAX_MS. */
static void pause_and_back_off(long *pause_ms)
{
    struct timespec ts;

    ts.tv_sec = 0;
    ts.tv_nsec = (*pause_ms + getpid() % 3) * 1000000L;
    nanosleep(&ts, NULL);
    if ((*pause_ms *= 2) > SETTLE_PAUSE_MAX_MS)
        *pause_ms = SETTLE_PAUSE_MAX_MS;
}

static long elapsed_ms(const struct timespec *since)
{
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    return (long)(now.tv_sec - since->tv_sec) * 1000 +
           (now.tv_nsec - since->tv_nsec) / 1000000;
}

/* Errors after which the token may answer on a new try: SoftHSM2 gives
 * them while another process rewrites its token file (see
 * settle_in_child()).  A wrong PIN is never among them. */
static int transient(unsigned long rv)
{
    return rv == P11_CKR_SLOT_ID_INVALID || rv == P11_CKR_GENERAL_ERROR ||
           rv == P11_CKR_DEVICE_ERROR || rv == P11_CKR_TOKEN_NOT_PRESENT ||
           rv == P11_CKR_TOKEN_NOT_RECOGNIZED ||
           rv == P11_CKR_CRYPTOKI_NOT_INITIALIZED;
}

static int login(eseal_p11 *p, const char *pin, const char *desc,
    eseal_error *err)
{
    PKCS11_TOKEN *t = p->slot->token;
    struct timespec start;
    long pause_ms = 1;
    char what[300];

    if (!t->loginRequired)
        return 0;
    snprintf(what, sizeof(what), "pkcs11: %s: cannot log in", desc);
    if (t->userPinLocked)
        return eseal__error_set(err, ESEAL_EKEY,
            "pkcs11: %s: the PIN is locked", desc);
    if (t->secureLogin) { /* a PIN pad: the token asks for the PIN */
        if (PKCS11_login(p->slot, 0, NULL) != 0)
            return p11_error(err, ESEAL_EPASS, what);
        return 0;
    }
    if (pin == NULL)
        return eseal__error_set(err, ESEAL_EPASS, "pkcs11: %s: the token "
            "needs a PIN: give it with --pass-file or --pass-env", desc);
    clock_gettime(CLOCK_MONOTONIC, &start);
    while (PKCS11_login(p->slot, 0, pin) != 0) {
        unsigned long ckr = take_ckr();
        const char *text = ckr_text(ckr);
        int code = ckr == P11_CKR_PIN_INCORRECT ||
                   ckr == P11_CKR_PIN_LEN_RANGE ||
                   ckr == P11_CKR_PIN_INVALID ? ESEAL_EPASS : ESEAL_EKEY;

        /* another process logging in at this moment (SoftHSM2) */
        if (transient(ckr) && elapsed_ms(&start) < LOGIN_RETRY_MS) {
            pause_and_back_off(&pause_ms);
            continue;
        }
        if (text != NULL)
            return eseal__error_set(err, code, "%s: %s", what, text);
        return eseal__error_set(err, code, "%s: PKCS#11 error 0x%lx", what,
            ckr);
    }
    return 0;
}

static int find_key(eseal_p11 *p, const eseal_p11_uri *u, const char *desc,
    eseal_error *err)
{
    PKCS11_KEY *keys = NULL;
    unsigned int n = 0, i, found = 0;
    char names[160];
    size_t len = 0;

    if (PKCS11_enumerate_keys(p->slot->token, &keys, &n) != 0)
        return p11_error(err, ESEAL_EKEY, "pkcs11: cannot list the keys");
    names[0] = '\0';
    for (i = 0; i < n; i++) {
        PKCS11_KEY *k = &keys[i];

        if (len < sizeof(names))
            len += (size_t)snprintf(names + len, sizeof(names) - len,
                "%s\"%.40s\"", len ? ", " : "", k->label ? k->label : "");
        if (u->object != NULL &&
            (k->label == NULL || strcmp(k->label, u->object) != 0))
            continue;
        if (u->has_id && (k->id_len != u->id_len ||
                          memcmp(k->id, u->id, u->id_len) != 0))
            continue;
        if (found++ == 0)
            p->key = k;
    }
    if (found == 1)
        return 0;
    p->key = NULL;
    if (found > 1)
        return eseal__error_set(err, ESEAL_EKEY, "pkcs11: %s: %u private "
            "keys match; name one with object= or id=", desc, found);
    return eseal__error_set(err, ESEAL_EKEY, "pkcs11: %s: no such private "
        "key on the token (keys: %s)", desc, names[0] ? names : "none");
}

/* The token's certificate of the key, and those that chain it. */
static int find_certs(X509 **cert, STACK_OF(X509) **extra, eseal_p11 *p,
    eseal_error *err)
{
    PKCS11_CERT *certs = NULL, *c;
    unsigned int n = 0, i, depth;
    X509 *cur;

    *cert = NULL;
    *extra = NULL;
    c = PKCS11_find_certificate(p->key);
    ERR_clear_error();
    if (PKCS11_enumerate_certs(p->slot->token, &certs, &n) != 0) {
        ERR_clear_error();
        n = 0;
    }
    for (i = 0; c == NULL && i < n; i++)
        if (certs[i].label != NULL && p->key->label != NULL &&
            strcmp(certs[i].label, p->key->label) == 0)
            c = &certs[i];
    if (c == NULL || c->x509 == NULL)
        return 0; /* the sealer says a certificate is missing */
    if ((*cert = X509_dup(c->x509)) == NULL ||
        (*extra = sk_X509_new_null()) == NULL)
        goto nomem;
    /* issuers present on the token, up to a self-signed one */
    cur = *cert;
    for (depth = 0; depth < 8; depth++) {
        X509 *issuer = NULL, *dup;

        if (X509_check_issued(cur, cur) == X509_V_OK)
            break;
        for (i = 0; i < n && issuer == NULL; i++)
            if (certs[i].x509 != NULL && certs[i].x509 != c->x509 &&
                X509_cmp(certs[i].x509, cur) != 0 &&
                X509_check_issued(certs[i].x509, cur) == X509_V_OK)
                issuer = certs[i].x509;
        if (issuer == NULL)
            break;
        if ((dup = X509_dup(issuer)) == NULL || !sk_X509_push(*extra, dup)) {
            X509_free(dup);
            goto nomem;
        }
        cur = dup;
    }
    ERR_clear_error();
    return 0;
nomem:
    X509_free(*cert);
    sk_X509_pop_free(*extra, X509_free);
    *cert = NULL;
    *extra = NULL;
    return eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
}

int eseal__p11_open(eseal_p11 **out, EVP_PKEY **key, X509 **cert,
    STACK_OF(X509) **extra, const char *uri, const char *pin, int want_cert,
    eseal_error *err)
{
    eseal_p11_uri u;
    eseal_p11 *p = NULL;
    EVP_PKEY *pkey = NULL;
    char desc[200];
    int rc;

    *out = NULL;
    *key = NULL;
    *cert = NULL;
    *extra = NULL;
    if ((rc = eseal__p11_uri_parse(&u, uri, err)) < 0)
        return rc;
    eseal__p11_uri_describe(desc, sizeof(desc), &u);
    if (u.library_version != NULL) {
        rc = eseal__error_set(err, ESEAL_EUNSUPPORTED, "pkcs11: URI: "
            "library-version is not supported; use module-path");
        goto cleanup;
    }
    if (!CRYPTO_THREAD_run_once(&ex_once, ex_index_init) || ex_index < 0) {
        rc = eseal__error_ossl(err, ESEAL_ENOMEM, "out of memory");
        goto cleanup;
    }
    p = OPENSSL_zalloc(sizeof(*p));
    if (p == NULL) {
        rc = eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
        goto cleanup;
    }
    pthread_mutex_init(&p->fork_lock, NULL);
    p->owner = getpid();
    pthread_once(&family_once, family_lock_init);
    pthread_mutex_lock(&tokens_lock);
    p->next = tokens;
    tokens = p;
    pthread_mutex_unlock(&tokens_lock);
    rc = 0;
    if (u.module_path != NULL)
        p->module = OPENSSL_strdup(u.module_path);
    else if (u.module_name != NULL)
        rc = module_by_name(&p->module, u.module_name, err);
    else
        p->module = OPENSSL_strdup(DEFAULT_MODULE);
    if (rc < 0)
        goto cleanup;
    if (p->module == NULL) {
        rc = eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
        goto cleanup;
    }
    if (pin != NULL) {
        p->pin_size = strlen(pin) + 1;
        p->pin = OPENSSL_secure_malloc(p->pin_size);
        if (p->pin == NULL) {
            rc = eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
            goto cleanup;
        }
        memcpy(p->pin, pin, p->pin_size);
    }
    p->ctx = PKCS11_CTX_new();
    p->ui = UI_create_method("eseal PKCS#11 PIN");
    if (p->ctx == NULL || p->ui == NULL ||
        UI_method_set_reader(p->ui, ui_read) != 0 ||
        UI_method_set_writer(p->ui, ui_write) != 0) {
        rc = eseal__error_ossl(err, ESEAL_ENOMEM, "out of memory");
        goto cleanup;
    }
    /* libp11 prints dlopen's complaint itself: say it here first */
    if (strchr(p->module, '/') != NULL && access(p->module, R_OK) != 0) {
        rc = eseal__error_set(err, ESEAL_EKEY, "pkcs11: cannot load the "
            "PKCS#11 module %.500s: %s", p->module, strerror(errno));
        goto cleanup;
    }
    if (PKCS11_CTX_load(p->ctx, p->module) != 0) {
        char what[600];

        snprintf(what, sizeof(what), "pkcs11: cannot load the PKCS#11 "
            "module %.500s", p->module);
        rc = p11_error(err, ESEAL_EKEY, what);
        goto cleanup;
    }
    p->loaded = 1;
    PKCS11_set_ui_method(p->ctx, p->ui, p);
    if (PKCS11_enumerate_slots(p->ctx, &p->slots, &p->n_slots) != 0) {
        rc = p11_error(err, ESEAL_EKEY, "pkcs11: cannot list the slots");
        goto cleanup;
    }
    if ((rc = find_slot(p, &u, desc, err)) < 0)
        goto cleanup;
    p->slot_id = PKCS11_get_slotid_from_slot(p->slot);
    if ((rc = check_slot(p, desc, err)) < 0 ||
        (rc = login(p, pin, desc, err)) < 0 ||
        (rc = find_key(p, &u, desc, err)) < 0)
        goto cleanup;
    pkey = PKCS11_get_private_key(p->key);
    if (pkey == NULL) {
        rc = p11_error(err, ESEAL_EKEY, "pkcs11: cannot use the key");
        goto cleanup;
    }
    if (!EVP_PKEY_set_ex_data(pkey, ex_index, p)) {
        rc = eseal__error_ossl(err, ESEAL_ENOMEM, "out of memory");
        goto cleanup;
    }
    if (want_cert && (rc = find_certs(cert, extra, p, err)) < 0)
        goto cleanup;
    atomic_store(&p->ready_pid, getpid());
    *key = pkey;
    pkey = NULL;
    *out = p;
    p = NULL;
    rc = 0;
cleanup:
    EVP_PKEY_free(pkey);
    eseal__p11_close(p);
    eseal__p11_uri_clear(&u);
    ERR_clear_error();
    return rc;
}

/*
 * The module's function list, through the handle libp11 opened (the
 * reference taken here is given back with dlclose()).  Returns 1 and no
 * list when the module hands out a new instance of its functions at each
 * C_GetFunctionList (p11-kit's proxy does): the instance libp11 works
 * with cannot be reached then.
 */
static int module_functions(void **handle, p11_function_list_head **list,
    const char *module, eseal_error *err)
{
    void *h = dlopen(module, RTLD_NOW | RTLD_NOLOAD);
    p11_function_list_head *again = NULL;
    p11_get_function_list get;

    *handle = NULL;
    *list = NULL;
    if (h == NULL)
        return eseal__error_set(err, ESEAL_EKEY, "pkcs11: the module %.200s "
            "is not loaded", module);
    if (dlsym(h, "p11_kit_modules_load") != NULL) {
        dlclose(h);
        return 1;
    }
    *(void **)&get = dlsym(h, "C_GetFunctionList");
    if (get == NULL || get(list) != 0 || *list == NULL ||
        get(&again) != 0) {
        dlclose(h);
        *list = NULL;
        return eseal__error_set(err, ESEAL_EKEY, "pkcs11: the module %.200s "
            "has no function list", module);
    }
    if (again != *list) {
        dlclose(h);
        *list = NULL;
        return 1;
    }
    *handle = h;
    return 0;
}

/* C_OpenSession on the slot, at once closed again: 0 or the PKCS#11
 * error.  libp11 waits forever for a free session when it cannot open
 * its first one on a slot, so this is asked before libp11 is. */
static p11_rv probe_slot(p11_function_list_head *list, unsigned long slot)
{
    unsigned long count = 0, session = 0;
    p11_rv rv;

    /* slot ids are valid after C_GetSlotList (PKCS#11 v2.40, 5.5) */
    rv = list->get_slot_list(0, NULL, &count);
    if (rv == 0)
        rv = list->open_session(slot, P11_CKF_SERIAL_SESSION, NULL, NULL,
            &session);
    if (rv == 0)
        (void)list->close_session(session);
    return rv;
}

static void ckr_describe(char *out, size_t size, p11_rv rv)
{
    const char *text = ckr_text(rv);

    if (rv == P11_CKR_SLOT_ID_INVALID)
        text = "the slot is gone (the module does not see the token)";
    if (text != NULL)
        snprintf(out, size, "%s", text);
    else
        snprintf(out, size, "PKCS#11 error 0x%lx", rv);
}

/* Before the login: a session can be opened on the token's slot. */
static int check_slot(eseal_p11 *p, const char *desc, eseal_error *err)
{
    p11_function_list_head *list;
    void *h;
    char why[100];
    p11_rv rv;
    int rc;

    if ((rc = module_functions(&h, &list, p->module, err)) != 0)
        return rc < 0 ? rc : 0;
    rv = probe_slot(list, p->slot_id);
    dlclose(h);
    if (rv == 0)
        return 0;
    ckr_describe(why, sizeof(why), rv);
    return eseal__error_set(err, ESEAL_EKEY, "pkcs11: %s: cannot open a "
        "session: %s", desc, why);
}

static int same_module(const eseal_p11 *a, const eseal_p11 *b);

/* Another open eseal_p11 of the same module is usable in this process. */
static int module_ready_here(const eseal_p11 *p)
{
    const eseal_p11 *q;
    pid_t me = getpid();
    int ready = 0;

    pthread_mutex_lock(&tokens_lock);
    for (q = tokens; q != NULL && !ready; q = q->next)
        ready = q != p && !q->retired && same_module(q, p) &&
                atomic_load(&q->ready_pid) == me;
    pthread_mutex_unlock(&tokens_lock);
    return ready;
}

/*
 * In a child: C_Initialize with OS locking (libp11's own re-init after fork
 * passes no locking flags, which some modules take as "one thread"), then
 * a session on the slot, before libp11 logs in again.
 *
 * A module that starts afresh in the child reads its token store again,
 * and may not see the token while another process writes it: SoftHSM2's
 * file store truncates token.object before it takes the file's lock, and
 * rewrites it at every C_Login, so a child initializing while its
 * siblings log in can find the token missing (C_OpenSession: slot id
 * invalid).  libp11 would then wait forever for a session.  So the child
 * finalizes (unless another sealer uses the module here already), pauses
 * and initializes again, for up to SETTLE_MS, and fails with an error
 * rather than hang.
 */
static int settle_in_child(eseal_p11 *p, eseal_error *err)
{
    p11_function_list_head *list;
    p11_init_args args;
    struct timespec start;
    long pause_ms = 1;
    char why[100];
    void *h;
    p11_rv rv;
    int rc;

    if ((rc = module_functions(&h, &list, p->module, err)) != 0)
        return rc < 0 ? rc : 0; /* p11-kit's proxy: libp11 re-initializes */
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (;;) {
        memset(&args, 0, sizeof(args));
        args.flags = P11_CKF_OS_LOCKING_OK;
        rv = list->initialize(&args);
        if (rv != 0 && rv != P11_CKR_CRYPTOKI_ALREADY_INITIALIZED) {
            ckr_describe(why, sizeof(why), rv);
            rc = eseal__error_set(err, ESEAL_EKEY, "pkcs11: cannot "
                "initialize the module %.200s after fork: %s", p->module,
                why);
            break;
        }
        if ((rv = probe_slot(list, p->slot_id)) == 0)
            break;
        if (!transient(rv) || elapsed_ms(&start) >= SETTLE_MS) {
            ckr_describe(why, sizeof(why), rv);
            rc = eseal__error_set(err, ESEAL_EKEY, "pkcs11: after fork, "
                "no session on slot %lu of %.200s: %s", p->slot_id,
                p->module, why);
            break;
        }
        /* read the token store again, unless another sealer of this
         * process already works on the module here */
        if (!module_ready_here(p))
            (void)list->finalize(NULL);
        pause_and_back_off(&pause_ms);
    }
    dlclose(h);
    return rc;
}

/*
 * libp11 notices the fork at its next call: it initializes the module
 * again, logs in with the PIN it kept, and finds the key's handle.  A
 * login that fails there (SoftHSM2: another process rewriting the token
 * file) is not tried again by libp11, which then only finds the key
 * missing: so the login is made here once more, for up to SETTLE_MS.
 */
static int relogin_in_child(eseal_p11 *p, eseal_error *err)
{
    struct timespec start;
    long pause_ms = 1;
    unsigned long ckr;
    const char *what;
    int in;

    clock_gettime(CLOCK_MONOTONIC, &start);
    for (;;) {
        in = 0;
        what = "pkcs11: cannot log in again after fork";
        if (PKCS11_is_logged_in(p->slot, 0, &in) == 0 &&
            (in || !p->slot->token->loginRequired ||
             PKCS11_login(p->slot, 0, p->pin) == 0)) {
            what = "pkcs11: cannot use the token again after fork";
            if (PKCS11_get_key_type(p->key) >= 0)
                return 0;
        }
        ckr = take_ckr();
        if (!transient(ckr) || elapsed_ms(&start) >= SETTLE_MS) {
            const char *text = ckr_text(ckr);

            if (text != NULL)
                return eseal__error_set(err, ESEAL_EKEY, "%s: %s", what,
                    text);
            if (ckr != 0)
                return eseal__error_set(err, ESEAL_EKEY, "%s: PKCS#11 error "
                    "0x%lx", what, ckr);
            return eseal__error_set(err, ESEAL_EKEY, "%s", what);
        }
        pause_and_back_off(&pause_ms);
    }
}

int eseal__p11_after_fork(eseal_p11 *p11, eseal_error *err)
{
    pid_t me;
    int rc = 0;

    if (p11 == NULL) /* a key in memory: every signature comes here */
        return 0;
    me = getpid();
    if (atomic_load(&p11->ready_pid) == me)
        return 0;
    pthread_mutex_lock(&p11->fork_lock);
    if (atomic_load(&p11->ready_pid) != me) {
        /* the first signature in a child that did not call
         * eseal_sealer_after_fork() comes here too: no core files with
         * the token's session in them */
        struct rlimit rl = { 0, 0 };
        int held;

        (void)setrlimit(RLIMIT_CORE, &rl);
        (void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
        held = family_enter();
        rc = settle_in_child(p11, err);
        if (rc == 0)
            rc = relogin_in_child(p11, err);
        family_leave(held);
        if (rc == 0)
            atomic_store(&p11->ready_pid, me);
    }
    pthread_mutex_unlock(&p11->fork_lock);
    ERR_clear_error();
    return rc;
}

/* The eseal side of an eseal_p11: wiped and freed. */
static void destroy(eseal_p11 *p11)
{
    if (p11->pin != NULL)
        OPENSSL_secure_clear_free(p11->pin, p11->pin_size);
    UI_destroy_method(p11->ui);
    OPENSSL_free(p11->module);
    pthread_mutex_destroy(&p11->fork_lock);
    OPENSSL_clear_free(p11, sizeof(*p11));
}

static int same_module(const eseal_p11 *a, const eseal_p11 *b)
{
    return a->loaded && b->loaded && strcmp(a->module, b->module) == 0;
}

void eseal__p11_close(eseal_p11 *p11)
{
    eseal_p11 **pp, *done = NULL, *q;
    pid_t me = getpid();

    if (p11 == NULL)
        return;
    pthread_mutex_lock(&tokens_lock);
    p11->retired = 1;
    if (p11->pin != NULL)
        OPENSSL_secure_clear_free(p11->pin, p11->pin_size);
    p11->pin = NULL;
    for (q = tokens; q != NULL; q = q->next)
        if (!q->retired && same_module(q, p11))
            break;
    if (q != NULL) { /* the module still serves another sealer */
        pthread_mutex_unlock(&tokens_lock);
        return;
    }
    /* the last user of the module: it and the retired ones go */
    for (pp = &tokens; *pp != NULL;) {
        q = *pp;
        if (q == p11 || (q->retired && same_module(q, p11))) {
            *pp = q->next;
            q->next = done;
            done = q;
        } else {
            pp = &q->next;
        }
    }
    pthread_mutex_unlock(&tokens_lock);
    /* In a child that never used the token libp11 would log in again
     * just to release it: leave that to the process's exit there. */
    for (q = done; q != NULL; q = q->next) {
        pid_t home = atomic_load(&q->ready_pid) ? atomic_load(&q->ready_pid)
                                                : q->owner;

        if (home == me && q->slots != NULL)
            PKCS11_release_all_slots(q->ctx, q->slots, q->n_slots);
    }
    for (q = done; q != NULL; q = q->next) {
        pid_t home = atomic_load(&q->ready_pid) ? atomic_load(&q->ready_pid)
                                                : q->owner;

        if (home == me && q->ctx != NULL && q->loaded)
            PKCS11_CTX_unload(q->ctx); /* the first one finalizes */
        if (home == me && q->ctx != NULL)
            PKCS11_CTX_free(q->ctx);
    }
    while ((q = done) != NULL) {
        done = q->next;
        destroy(q);
    }
    ERR_clear_error();
}
