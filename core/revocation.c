/*
 * eseal - revocation: OCSP (preferred) and CRLs, fetched from the URLs a
 * certificate names, checked, and cached for their validity; and the
 * status of a certificate at a given time from evidence a document holds.
 *
 * The cache is process-wide (one per process, shared by every sealer and
 * thread, guarded by a mutex): a batch, or a long-running nginx worker,
 * fetches each response once per validity period.  Entries live until
 * the response's nextUpdate; a response without one is not cached.  It
 * holds at most CACHE_MAX entries and CACHE_MAX_BYTES bytes (the entry
 * that expires first goes when full).  While one thread fetches a
 * response, others that want the same one wait for it (at most as long
 * as the fetch may take) instead of fetching it again.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>
#include "ltv.h"

#define CACHE_MAX 512
#define CACHE_MAX_BYTES (64u << 20)
#define OCSP_SKEW 300          /* seconds of clock difference tolerated */
#define MAX_URLS 4             /* tried per certificate and kind */
#define PENDING_MAX 64         /* fetches in flight that others wait for */

/* ---- the cache ----------------------------------------------------------- */

typedef struct cache_entry {
    char *key;
    eseal_bytes value;
    time_t expires;
} cache_entry;

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cache_cond = PTHREAD_COND_INITIALIZER;
static cache_entry cache[CACHE_MAX];
static size_t cache_n, cache_bytes;
static char *pending[PENDING_MAX];  /* keys being fetched */
static size_t n_pending;

static void entry_drop(size_t i)
{
    cache_bytes -= cache[i].value.len;
    free(cache[i].key);
    eseal_bytes_free(&cache[i].value);
    cache[i] = cache[--cache_n];
    memset(&cache[cache_n], 0, sizeof(cache[0]));
}

/* Under the lock: a copy of the valid value for key; 1 found, 0 not,
 * negative ENOMEM. */
static int lookup_locked(eseal_bytes *out, const char *key, time_t now)
{
    size_t i;

    for (i = 0; i < cache_n; i++) {
        if (strcmp(cache[i].key, key) != 0)
            continue;
        if (cache[i].expires <= now) {
            entry_drop(i);
            return 0;
        }
        out->data = malloc(cache[i].value.len);
        if (out->data == NULL)
            return ESEAL_ENOMEM;
        memcpy(out->data, cache[i].value.data, cache[i].value.len);
        out->len = cache[i].value.len;
        return 1;
    }
    return 0;
}

static int pending_index(const char *key)
{
    size_t i;

    for (i = 0; i < n_pending; i++)
        if (strcmp(pending[i], key) == 0)
            return (int)i;
    return -1;
}

/*
 * The cached value for key (1), or 0 when the caller is to fetch it: then
 * *claimed says whether it must call cache_release(key) afterwards (other
 * threads wait for it meanwhile).  A thread that finds key being fetched
 * waits up to wait_s seconds for that fetch and looks again.
 */
static int cache_claim(eseal_bytes *out, const char *key, int wait_s,
    int *claimed)
{
    struct timespec deadline;
    int found;

    out->data = NULL;
    out->len = 0;
    *claimed = 0;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += wait_s;
    pthread_mutex_lock(&cache_lock);
    for (;;) {
        found = lookup_locked(out, key, time(NULL));
        if (found != 0)
            break;
        if (pending_index(key) < 0) {
            if (n_pending < PENDING_MAX &&
                (pending[n_pending] = eseal__strdup(key)) != NULL) {
                n_pending++;
                *claimed = 1;
            }
            break;
        }
        if (pthread_cond_timedwait(&cache_cond, &cache_lock,
                &deadline) != 0)
            break;      /* the other fetch takes too long: fetch too */
    }
    pthread_mutex_unlock(&cache_lock);
    return found;
}

static void cache_release(const char *key)
{
    int i;

    pthread_mutex_lock(&cache_lock);
    if ((i = pending_index(key)) >= 0) {
        free(pending[i]);
        pending[i] = pending[--n_pending];
        pending[n_pending] = NULL;
    }
    pthread_cond_broadcast(&cache_cond);
    pthread_mutex_unlock(&cache_lock);
}

static int fetch_wait(const eseal_net *net)
{
    int t = net != NULL && net->timeout > 0 ? net->timeout
                                             : ESEAL_NET_TIMEOUT;
    int a = net != NULL && net->attempts > 0 ? net->attempts
                                              : ESEAL_NET_ATTEMPTS;

    return t * a + 1;
}

static void cache_put(const char *key, const unsigned char *data, size_t len,
    time_t expires)
{
    time_t now = time(NULL);
    size_t i, soonest;
    cache_entry e;

    if (expires <= now || len > CACHE_MAX_BYTES / 4)
        return;
    e.key = eseal__strdup(key);
    e.value.data = malloc(len ? len : 1);
    e.value.len = len;
    e.expires = expires;
    if (e.key == NULL || e.value.data == NULL) {
        free(e.key);
        free(e.value.data);
        return;
    }
    memcpy(e.value.data, data, len);
    pthread_mutex_lock(&cache_lock);
    for (i = 0; i < cache_n;) {
        if (strcmp(cache[i].key, key) == 0 || cache[i].expires <= now)
            entry_drop(i);
        else
            i++;
    }
    while (cache_n > 0 && (cache_n == CACHE_MAX ||
               cache_bytes + len > CACHE_MAX_BYTES)) {
        for (i = 1, soonest = 0; i < cache_n; i++)
            if (cache[i].expires < cache[soonest].expires)
                soonest = i;
        entry_drop(soonest);
    }
    cache[cache_n++] = e;
    cache_bytes += len;
    pthread_mutex_unlock(&cache_lock);
}

void eseal__rev_cache_clear(void)
{
    pthread_mutex_lock(&cache_lock);
    while (cache_n > 0)
        entry_drop(cache_n - 1);
    pthread_mutex_unlock(&cache_lock);
}

/* ---- helpers ------------------------------------------------------------- */

static time_t to_time_t(const ASN1_TIME *t)
{
    struct tm tm;

    if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1)
        return 0;
    return timegm(&tm);
}

static void subject_of(char *out, size_t size, X509 *cert)
{
    X509_NAME *n = X509_get_subject_name(cert);
    int i = X509_NAME_get_index_by_NID(n, NID_commonName, -1);
    const ASN1_STRING *cn = i >= 0 ?
        X509_NAME_ENTRY_get_data(X509_NAME_get_entry(n, i)) : NULL;

    if (cn != NULL)
        snprintf(out, size, "'%.*s'", ASN1_STRING_length(cn) > 80 ? 80 :
            ASN1_STRING_length(cn), (const char *)ASN1_STRING_get0_data(cn));
    else
        X509_NAME_oneline(n, out, (int)size);
}

int eseal__rev_nocheck(X509 *cert)
{
    return X509_get_ext_by_NID(cert, NID_id_pkix_OCSP_noCheck, -1) >= 0;
}

/* URLs (http/https only) of the CRL distribution points. */
static size_t crl_urls(char urls[][512], size_t max, X509 *cert)
{
    STACK_OF(DIST_POINT) *dps = X509_get_ext_d2i(cert,
        NID_crl_distribution_points, NULL, NULL);
    size_t n = 0;
    int i, k;

    for (i = 0; dps != NULL && i < sk_DIST_POINT_num(dps) && n < max; i++) {
        DIST_POINT *dp = sk_DIST_POINT_value(dps, i);
        GENERAL_NAMES *names;

        if (dp->distpoint == NULL || dp->distpoint->type != 0)
            continue;
        names = dp->distpoint->name.fullname;
        for (k = 0; k < sk_GENERAL_NAME_num(names) && n < max; k++) {
            GENERAL_NAME *gn = sk_GENERAL_NAME_value(names, k);
            const ASN1_IA5STRING *u;

            if (gn->type != GEN_URI)
                continue;
            u = gn->d.uniformResourceIdentifier;
            if (ASN1_STRING_length(u) >= 512 ||
                (strncmp((const char *)ASN1_STRING_get0_data(u), "http://",
                     7) != 0 &&
                 strncmp((const char *)ASN1_STRING_get0_data(u), "https://",
                     8) != 0))
                continue;
            snprintf(urls[n++], 512, "%.*s", ASN1_STRING_length(u),
                (const char *)ASN1_STRING_get0_data(u));
        }
    }
    sk_DIST_POINT_pop_free(dps, DIST_POINT_free);
    ERR_clear_error();
    return n;
}

static size_t ocsp_urls(char urls[][512], size_t max, X509 *cert)
{
    STACK_OF(OPENSSL_STRING) *list = X509_get1_ocsp(cert);
    size_t n = 0;
    int i;

    for (i = 0; list != NULL && i < sk_OPENSSL_STRING_num(list) && n < max;
         i++) {
        const char *u = sk_OPENSSL_STRING_value(list, i);

        if (strlen(u) < 512 && (strncmp(u, "http://", 7) == 0 ||
                                   strncmp(u, "https://", 8) == 0))
            snprintf(urls[n++], 512, "%s", u);
    }
    X509_email_free(list);
    return n;
}

static void hex_of(char *out, const unsigned char *p, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    size_t i;

    for (i = 0; i < n; i++) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 15];
    }
    out[2 * n] = '\0';
}

/* ---- OCSP ---------------------------------------------------------------- */

/* The signer is the issuer itself, or a responder the issuer delegated
 * (issued by it, id-kp-OCSPSigning).  *responder gets a delegated one. */
static int ocsp_authentic(OCSP_BASICRESP *bs, X509 *issuer,
    STACK_OF(X509) *extra, X509 **responder)
{
    STACK_OF(X509) *pool = sk_X509_new_null();
    X509 *signer = NULL;
    int i, ok = 0;

    if (responder != NULL)
        *responder = NULL;
    if (pool == NULL || eseal__sk_add_unique(pool, issuer) < 0)
        goto cleanup;
    for (i = 0; extra != NULL && i < sk_X509_num(extra); i++)
        if (eseal__sk_add_unique(pool, sk_X509_value(extra, i)) < 0)
            goto cleanup;
    if (OCSP_basic_verify(bs, pool, NULL, OCSP_NOVERIFY | OCSP_NOCHECKS) <= 0
        || OCSP_resp_get0_signer(bs, &signer, pool) != 1 || signer == NULL)
        goto cleanup;
    if (X509_cmp(signer, issuer) == 0) {
        ok = 1;
    } else if (X509_check_issued(issuer, signer) == X509_V_OK &&
               X509_verify(signer, X509_get0_pubkey(issuer)) == 1 &&
               (X509_get_extension_flags(signer) & EXFLAG_XKUSAGE) &&
               (X509_get_extended_key_usage(signer) & XKU_OCSP_SIGN)) {
        ok = 1;
        if (responder != NULL && X509_up_ref(signer))
            *responder = signer;
    }
cleanup:
    ERR_clear_error();
    sk_X509_pop_free(pool, X509_free);
    return ok;
}

/* Finds cert's single response in bs, whatever digest its CertID uses. */
static OCSP_SINGLERESP *ocsp_single(OCSP_BASICRESP *bs, X509 *cert,
    X509 *issuer)
{
    int i, n = OCSP_resp_count(bs);

    for (i = 0; i < n && i < 1000; i++) {
        OCSP_SINGLERESP *sr = OCSP_resp_get0(bs, i);
        const OCSP_CERTID *cid = OCSP_SINGLERESP_get0_id(sr);
        ASN1_OBJECT *alg = NULL;
        const EVP_MD *md;
        OCSP_CERTID *mine;
        int same;

        if (cid == NULL || !OCSP_id_get0_info(NULL, &alg, NULL, NULL,
                (OCSP_CERTID *)cid))
            continue;
        md = EVP_get_digestbyobj(alg);
        if (md == NULL)
            continue;
        mine = OCSP_cert_to_id(md, cert, issuer);
        same = mine != NULL && OCSP_id_cmp(mine, cid) == 0;
        OCSP_CERTID_free(mine);
        if (same)
            return sr;
    }
    return NULL;
}

/*
 * Reads cert's status from one DER OCSP response: 1 with *rev filled and
 * *next its nextUpdate (0 when absent), 0 when the response does not
 * apply or is not authentic, -1 when it is not an OCSP response.
 */
static int ocsp_status(eseal_rev *rev, time_t *next, X509 **responder,
    const unsigned char *der, size_t len, X509 *cert, X509 *issuer,
    STACK_OF(X509) *extra, const OCSP_REQUEST *req)
{
    const unsigned char *p = der;
    OCSP_RESPONSE *resp = d2i_OCSP_RESPONSE(NULL, &p, (long)len);
    OCSP_BASICRESP *bs = NULL;
    OCSP_SINGLERESP *sr;
    ASN1_GENERALIZEDTIME *revt = NULL, *thisupd = NULL, *nextupd = NULL;
    int r = -1, status, reason;

    if (responder != NULL)
        *responder = NULL;
    if (resp == NULL)
        goto cleanup;
    r = 0;
    if (OCSP_response_status(resp) != OCSP_RESPONSE_STATUS_SUCCESSFUL ||
        (bs = OCSP_response_get1_basic(resp)) == NULL)
        goto cleanup;
    if (req != NULL && OCSP_check_nonce((OCSP_REQUEST *)req, bs) == 0)
        goto cleanup;   /* a nonce that is not ours: a replay */
    if ((sr = ocsp_single(bs, cert, issuer)) == NULL)
        goto cleanup;
    status = OCSP_single_get0_status(sr, &reason, &revt, &thisupd, &nextupd);
    if (status < 0 || !ocsp_authentic(bs, issuer, extra, responder))
        goto cleanup;
    memset(rev, 0, sizeof(*rev));
    rev->source = "OCSP";
    rev->this_update = to_time_t(thisupd);
    *next = nextupd != NULL ? to_time_t(nextupd) : 0;
    if (status == V_OCSP_CERTSTATUS_GOOD) {
        rev->status = ESEAL_REVOCATION_GOOD;
    } else if (status == V_OCSP_CERTSTATUS_REVOKED) {
        rev->status = ESEAL_REVOCATION_REVOKED;
        rev->revoked_at = to_time_t(revt);
    } else {
        rev->status = ESEAL_REVOCATION_UNKNOWN;
    }
    r = 1;
cleanup:
    if (r != 1 && responder != NULL && *responder != NULL) {
        X509_free(*responder);
        *responder = NULL;
    }
    ERR_clear_error();
    OCSP_BASICRESP_free(bs);
    OCSP_RESPONSE_free(resp);
    return r;
}

static int ocsp_fetch(eseal_bytes *out, X509 **responder, eseal_rev *rev,
    X509 *cert, X509 *issuer, const eseal_net *net, char *why,
    size_t why_size)
{
    char urls[MAX_URLS][512], key[700], idhex[2 * 128 + 1];
    OCSP_REQUEST *req = NULL;
    OCSP_CERTID *id = OCSP_cert_to_id(NULL, cert, issuer);
    unsigned char *der = NULL, *idder = NULL;
    size_t n = ocsp_urls(urls, MAX_URLS, cert), i;
    time_t next = 0, now = time(NULL);
    int len, idlen, rc = ESEAL_EIO, s, claimed = 0;

    if (n == 0) {
        snprintf(why, why_size, "no OCSP URL");
        goto cleanup;
    }
    idlen = id != NULL ? i2d_OCSP_CERTID(id, &idder) : 0;
    if (idlen <= 0 || idlen > 128) {
        snprintf(why, why_size, "cannot make an OCSP request");
        goto cleanup;
    }
    hex_of(idhex, idder, (size_t)idlen);
    for (i = 0; i < n; i++) {
        eseal_error one = { 0, "" };

        if (claimed) {
            cache_release(key);
            claimed = 0;
        }
        snprintf(key, sizeof(key), "ocsp %s %s", urls[i], idhex);
        if (cache_claim(out, key, fetch_wait(net), &claimed) == 1 &&
            ocsp_status(rev, &next, responder, out->data, out->len, cert,
                issuer, NULL, NULL) == 1 && (next == 0 || next > now)) {
            rc = 0;
            goto cleanup;
        }
        eseal_bytes_free(out);
        OCSP_REQUEST_free(req);
        OPENSSL_free(der);
        der = NULL;
        req = OCSP_REQUEST_new();
        if (req == NULL ||
            OCSP_request_add0_id(req, OCSP_CERTID_dup(id)) == NULL ||
            !OCSP_request_add1_nonce(req, NULL, -1) ||
            (len = i2d_OCSP_REQUEST(req, &der)) <= 0) {
            rc = ESEAL_ENOMEM;
            goto cleanup;
        }
        if (eseal__http_post(out, urls[i], "application/ocsp-request", der,
                (size_t)len, NULL, ESEAL_MAX_OCSP_RESP, net, &one) < 0) {
            snprintf(why, why_size, "%s", one.message);
            continue;
        }
        s = ocsp_status(rev, &next, responder, out->data, out->len, cert,
            issuer, NULL, req);
        if (s != 1) {
            snprintf(why, why_size, "%s: %s", urls[i], s < 0 ?
                "the answer is not an OCSP response" : "the OCSP response "
                "is unsuccessful, not about this certificate, or not signed "
                "by its CA or a responder it delegated");
            eseal_bytes_free(out);
            continue;
        }
        if (rev->this_update > now + OCSP_SKEW ||
            (next != 0 && next < now - OCSP_SKEW)) {
            snprintf(why, why_size, "%s: the OCSP response is not current",
                urls[i]);
            eseal_bytes_free(out);
            if (*responder != NULL) {
                X509_free(*responder);
                *responder = NULL;
            }
            continue;
        }
        if (next != 0)
            cache_put(key, out->data, out->len, next);
        rc = 0;
        goto cleanup;
    }
cleanup:
    if (claimed)
        cache_release(key);
    ERR_clear_error();
    OPENSSL_free(idder);
    OPENSSL_free(der);
    OCSP_REQUEST_free(req);
    OCSP_CERTID_free(id);
    return rc;
}

/* ---- CRLs ---------------------------------------------------------------- */

static X509_CRL *crl_decode(const unsigned char *der, size_t len)
{
    const unsigned char *p = der;
    X509_CRL *crl = d2i_X509_CRL(NULL, &p, (long)len);
    BIO *b;

    if (crl == NULL) {
        ERR_clear_error();
        b = BIO_new_mem_buf(der, (int)len);
        crl = b ? PEM_read_bio_X509_CRL(b, NULL, NULL, NULL) : NULL;
        BIO_free(b);
    }
    ERR_clear_error();
    return crl;
}

/* 1 with *rev when the CRL is the issuer's, authentic, and covers cert;
 * 0 otherwise. */
static int crl_status(eseal_rev *rev, time_t *next, X509_CRL *crl,
    X509 *cert, X509 *issuer)
{
    X509_REVOKED *entry = NULL;
    EVP_PKEY *pub = X509_get0_pubkey(issuer);

    if (X509_NAME_cmp(X509_CRL_get_issuer(crl),
            X509_get_subject_name(issuer)) != 0 || pub == NULL ||
        X509_CRL_verify(crl, pub) != 1) {
        ERR_clear_error();
        return 0;
    }
    memset(rev, 0, sizeof(*rev));
    rev->source = "CRL";
    rev->this_update = to_time_t(X509_CRL_get0_lastUpdate(crl));
    *next = to_time_t(X509_CRL_get0_nextUpdate(crl));
    if (X509_CRL_get0_by_cert(crl, &entry, cert) == 1 && entry != NULL) {
        rev->status = ESEAL_REVOCATION_REVOKED;
        rev->revoked_at = to_time_t(X509_REVOKED_get0_revocationDate(entry));
    } else {
        rev->status = ESEAL_REVOCATION_GOOD;
    }
    ERR_clear_error();
    return 1;
}

static int crl_fetch(eseal_bytes *out, eseal_rev *rev, X509 *cert,
    X509 *issuer, const eseal_net *net, char *why, size_t why_size)
{
    char urls[MAX_URLS][512], key[600];
    size_t n = crl_urls(urls, MAX_URLS, cert), i;
    time_t next = 0, now = time(NULL);
    X509_CRL *crl = NULL;
    int claimed = 0, rc = ESEAL_EIO;

    if (n == 0) {
        snprintf(why, why_size, "no CRL distribution point");
        return ESEAL_EIO;
    }
    for (i = 0; i < n; i++) {
        eseal_error one = { 0, "" };
        int cached;

        if (claimed) {
            cache_release(key);
            claimed = 0;
        }
        snprintf(key, sizeof(key), "crl %s", urls[i]);
        cached = cache_claim(out, key, fetch_wait(net), &claimed) == 1;
        if (!cached && eseal__http_get(out, urls[i], ESEAL_MAX_CRL, net,
                &one) < 0) {
            snprintf(why, why_size, "%s", one.message);
            continue;
        }
        X509_CRL_free(crl);
        crl = crl_decode(out->data, out->len);
        if (crl == NULL || !crl_status(rev, &next, crl, cert, issuer)) {
            snprintf(why, why_size, "%s: %s", urls[i], crl == NULL ?
                "not a CRL" : "the CRL is not signed by the issuer");
            eseal_bytes_free(out);
            continue;
        }
        if (rev->this_update > now + OCSP_SKEW ||
            (next != 0 && next < now)) {
            snprintf(why, why_size, "%s: the CRL is out of date (next "
                "update passed)", urls[i]);
            eseal_bytes_free(out);
            continue;
        }
        if (!cached && next != 0)
            cache_put(key, out->data, out->len, next);
        rc = 0;
        break;
    }
    if (claimed)
        cache_release(key);
    X509_CRL_free(crl);
    return rc;
}

int eseal__rev_fetch(eseal_bytes *ocsp, eseal_bytes *crl, X509 **responder,
    eseal_rev *rev, X509 *cert, X509 *issuer, const eseal_net *net,
    eseal_error *err)
{
    char why_ocsp[300] = "", why_crl[300] = "", who[120];
    int rc;

    ocsp->data = crl->data = NULL;
    ocsp->len = crl->len = 0;
    *responder = NULL;
    memset(rev, 0, sizeof(*rev));
    rc = ocsp_fetch(ocsp, responder, rev, cert, issuer, net, why_ocsp,
        sizeof(why_ocsp));
    if (rc == 0 && rev->status != ESEAL_REVOCATION_UNKNOWN)
        return 0;
    if (rc == ESEAL_ENOMEM)
        return eseal__error_set(err, rc, "out of memory");
    if (rc == 0) {
        snprintf(why_ocsp, sizeof(why_ocsp), "the OCSP responder does not "
            "know the certificate");
        eseal_bytes_free(ocsp);
        X509_free(*responder);
        *responder = NULL;
    }
    rc = crl_fetch(crl, rev, cert, issuer, net, why_crl, sizeof(why_crl));
    if (rc == 0)
        return 0;
    subject_of(who, sizeof(who), cert);
    memset(rev, 0, sizeof(*rev));
    rev->status = ESEAL_REVOCATION_UNKNOWN;
    return eseal__error_set(err, ESEAL_EIO, "no revocation data for %s: "
        "OCSP: %.100s; CRL: %.100s", who, why_ocsp, why_crl);
}

/* ---- evidence a document holds ------------------------------------------ */

/* Does evidence issued at this_update (valid until next, 0: open) speak
 * for time at? */
static int speaks_for(time_t this_update, time_t next, time_t at)
{
    if (this_update >= at)
        return 1;     /* issued after: what it says held at `at` too */
    return next == 0 ? 0 : at <= next;
}

void eseal__rev_check(eseal_rev *rev, X509 *cert, X509 *issuer,
    const eseal_vdata *vd, time_t at)
{
    STACK_OF(X509) *extra = sk_X509_new_null();
    eseal_rev best, one;
    time_t next = 0;
    size_t i;
    int have = 0;

    memset(rev, 0, sizeof(*rev));
    rev->status = ESEAL_REVOCATION_UNKNOWN;
    memset(&best, 0, sizeof(best));
    if (extra != NULL)
        (void)eseal__vdata_certs(extra, vd);
    for (i = 0; i < vd->ocsps.n && !have; i++) {
        if (ocsp_status(&one, &next, NULL, vd->ocsps.item[i].data,
                vd->ocsps.item[i].len, cert, issuer, extra, NULL) != 1 ||
            one.status == ESEAL_REVOCATION_UNKNOWN)
            continue;
        /* a revocation before `at` decides, whatever the evidence's age */
        if (one.status == ESEAL_REVOCATION_REVOKED && one.revoked_at <= at) {
            best = one;
            have = 1;
        } else if (speaks_for(one.this_update, next, at)) {
            best = one;
            have = 1;
        }
    }
    for (i = 0; i < vd->crls.n && !have; i++) {
        X509_CRL *crl = crl_decode(vd->crls.item[i].data,
            vd->crls.item[i].len);

        if (crl != NULL && crl_status(&one, &next, crl, cert, issuer)) {
            if ((one.status == ESEAL_REVOCATION_REVOKED &&
                    one.revoked_at <= at) ||
                speaks_for(one.this_update, next, at)) {
                best = one;
                have = 1;
            }
        }
        X509_CRL_free(crl);
    }
    sk_X509_pop_free(extra, X509_free);
    if (!have)
        return;
    *rev = best;
    /* revoked only after `at`: it was good then (revoked_at tells) */
    if (rev->status == ESEAL_REVOCATION_REVOKED && rev->revoked_at > at)
        rev->status = ESEAL_REVOCATION_GOOD;
}
