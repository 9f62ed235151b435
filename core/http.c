/*
 * eseal - fetching over HTTP(S) with OpenSSL's own client: timestamp,
 * OCSP, CRL and CA certificate requests.
 *
 * What OpenSSL's client does not decide for us, decided here:
 * - every request has an overall timeout (seconds) and is tried at most
 *   net->attempts times; responses are read into memory up to a limit
 *   given per kind of object (OpenSSL's default is 100 KiB);
 * - responses must be DER: the client then reads exactly the ASN.1 length
 *   instead of streaming the connection;
 * - proxies come from the environment (http_proxy, https_proxy, no_proxy,
 *   and their upper-case forms) as OpenSSL reads them, except for loopback
 *   hosts, which are always reached directly; HTTPS through a proxy uses
 *   CONNECT;
 * - HTTPS verifies the server against the system's trust store and its
 *   host name;
 * - GET follows redirects (OpenSSL allows a few, never HTTPS to HTTP);
 *   POST does not;
 * - OpenSSL keeps retrying a refused connection until the timeout: a
 *   direct connection is tried here first, so that a service that is down
 *   fails at once.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <openssl/err.h>
#include <openssl/http.h>
#include <openssl/httperr.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include "ltv.h"

typedef struct tls_arg {
    const char *host;
    const char *port;
    int use_proxy;
    int timeout;
    SSL_CTX *ctx;
} tls_arg;

static int loopback(const char *host)
{
    return strcmp(host, "localhost") == 0 || strncmp(host, "127.", 4) == 0
        || strcmp(host, "::1") == 0 || strcmp(host, "[::1]") == 0;
}

static int is_ip(const char *host)
{
    unsigned char buf[16];
    char tmp[64];
    size_t n = strlen(host);

    if (n >= 2 && host[0] == '[' && host[n - 1] == ']' && n < sizeof(tmp)) {
        memcpy(tmp, host + 1, n - 2);
        tmp[n - 2] = '\0';
        return inet_pton(AF_INET6, tmp, buf) == 1;
    }
    return inet_pton(AF_INET, host, buf) == 1 ||
        inet_pton(AF_INET6, host, buf) == 1;
}

/* The proxy OpenSSL would use for this server, "" for none. */
static const char *proxy_for(const char *host, int use_ssl)
{
    const char *p;

    if (loopback(host))
        return "";
    p = OSSL_HTTP_adapt_proxy(NULL, NULL, host, use_ssl);
    return p != NULL ? p : "";
}

/*
 * Can the server be reached?  0, or -1 with *why: a refused or unreachable
 * address fails at once, a silent one after timeout seconds.
 */
static int reachable(const char *host, const char *port, int timeout,
    char *why, size_t why_size)
{
    struct addrinfo hints, *res = NULL, *ai;
    int rc = -1, e = 0, g;

    memset(&hints, 0, sizeof(hints));
    hints.ai_socktype = SOCK_STREAM;
    g = getaddrinfo(host, port, &hints, &res);
    if (g != 0) {
        snprintf(why, why_size, "cannot resolve %s: %s", host,
            gai_strerror(g));
        return -1;
    }
    for (ai = res; ai != NULL && rc < 0; ai = ai->ai_next) {
        int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
            ai->ai_protocol);
        struct pollfd p;
        socklen_t len = sizeof(e);

        if (fd < 0) {
            e = errno;
            continue;
        }
        (void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
            rc = 0;
        } else if (errno == EINPROGRESS) {
            p.fd = fd;
            p.events = POLLOUT;
            p.revents = 0;
            g = poll(&p, 1, timeout * 1000);
            if (g == 0)
                e = ETIMEDOUT;
            else if (g < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &e,
                         &len) < 0)
                e = errno;
            if (g > 0 && e == 0)
                rc = 0;
        } else {
            e = errno;
        }
        close(fd);
    }
    freeaddrinfo(res);
    if (rc < 0)
        snprintf(why, why_size, "%s", e == ETIMEDOUT ?
            "connection timed out" : strerror(e));
    return rc;
}

/* Called by OpenSSL when the connection is up (connect = 1): for HTTPS,
 * tunnels through the proxy if any and puts a TLS BIO on top. */
static BIO *tls_cb(BIO *bio, void *arg, int connect, int detail)
{
    tls_arg *a = arg;
    BIO *sbio;
    SSL *ssl = NULL;

    if (!connect) {
        /* on disconnect, the TLS BIO is freed with the chain */
        return bio;
    }
    if (!detail)
        return bio;               /* plain HTTP */
    if (a->use_proxy && !OSSL_HTTP_proxy_connect(bio, a->host, a->port,
            NULL, NULL, a->timeout, NULL, NULL))
        return NULL;
    sbio = BIO_new_ssl(a->ctx, 1);
    if (sbio == NULL)
        return NULL;
    BIO_get_ssl(sbio, &ssl);
    if (ssl == NULL) {
        BIO_free(sbio);
        return NULL;
    }
    if (is_ip(a->host)) {
        /* an address: matched against the certificate's IP addresses */
        if (!X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), a->host)) {
            BIO_free(sbio);
            return NULL;
        }
    } else if (!SSL_set_tlsext_host_name(ssl, a->host) ||
               !SSL_set1_host(ssl, a->host)) {
        BIO_free(sbio);
        return NULL;
    }
    return BIO_push(sbio, bio);
}

static SSL_CTX *tls_ctx(void)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

    if (ctx == NULL)
        return NULL;
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    if (SSL_CTX_set_default_verify_paths(ctx) != 1) {
        SSL_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

/* A short description of what went wrong, from the OpenSSL queue
 * (emptied). */
static void describe(char *out, size_t size)
{
    unsigned long e, http = 0, sys = 0, tls = 0, first = 0;
    const char *data = NULL, *http_data = NULL;
    int flags = 0;
    char tmp[160];

    out[0] = '\0';
    while ((e = ERR_get_error_all(NULL, NULL, NULL, &data, &flags)) != 0) {
        if (first == 0)
            first = e;
        if (ERR_GET_LIB(e) == ERR_LIB_SYS && sys == 0)
            sys = e;
        if (ERR_GET_LIB(e) == ERR_LIB_SSL && tls == 0)
            tls = e;
        if (ERR_GET_LIB(e) == ERR_LIB_HTTP && http == 0) {
            http = e;
            if ((flags & ERR_TXT_STRING) && data != NULL && *data != '\0') {
                snprintf(tmp, sizeof(tmp), "%s", data);
                http_data = tmp;
            }
        }
    }
    if (tls != 0) {
        snprintf(out, size, "TLS: %s", ERR_reason_error_string(tls) ?
            ERR_reason_error_string(tls) : "handshake failed");
    } else if (sys != 0) {
        snprintf(out, size, "%s", ERR_reason_error_string(sys) ?
            ERR_reason_error_string(sys) : "system error");
    } else if (http != 0 && ERR_GET_REASON(http) == HTTP_R_RETRY_TIMEOUT) {
        snprintf(out, size, "timed out");
    } else if (http != 0) {
        const char *r = ERR_reason_error_string(http);

        snprintf(out, size, "%s%s%s", r ? r : "HTTP error",
            http_data ? " (" : "", http_data ? http_data : "");
        if (http_data)
            strncat(out, ")", size - strlen(out) - 1);
    } else if (first != 0) {
        snprintf(out, size, "%s", ERR_reason_error_string(first) ?
            ERR_reason_error_string(first) : "error");
    } else {
        snprintf(out, size, "no response");
    }
}

/* Reads a memory BIO into *out. */
static int take_body(eseal_bytes *out, BIO *resp, eseal_error *err)
{
    char *p = NULL;
    long n = BIO_get_mem_data(resp, &p);

    if (n <= 0)
        return eseal__error_set(err, ESEAL_EIO, "empty response");
    out->data = malloc((size_t)n);
    if (out->data == NULL)
        return eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
    memcpy(out->data, p, (size_t)n);
    out->len = (size_t)n;
    return 0;
}

static int net_timeout(const eseal_net *net)
{
    return net != NULL && net->timeout > 0 ? net->timeout : ESEAL_NET_TIMEOUT;
}

static int net_attempts(const eseal_net *net)
{
    int n = net != NULL && net->attempts > 0 ? net->attempts
                                              : ESEAL_NET_ATTEMPTS;

    return n > 5 ? 5 : n;
}

/* Failures that another attempt would not change: a refused connection,
 * an HTTP 4xx answer. */
static int permanent(const char *why)
{
    return strstr(why, "refused") != NULL || strstr(why, "code=4") != NULL
        || strstr(why, "cannot resolve") != NULL
        || strstr(why, "unreachable") != NULL
        || strstr(why, "certificate verify failed") != NULL;
}

static void pause_before_retry(int attempt)
{
    struct timespec ts = { 0, 200000000L * attempt };

    nanosleep(&ts, NULL);
}

/* After an attempt that got no response: another one, or none. */
enum { HTTP_RETRY = 1, HTTP_GIVE_UP = 2 };

/*
 * What one attempt's response means: 0 with *out filled; a negative code
 * with err set (an empty or oversize response, no memory); or, when no
 * response came, HTTP_RETRY or HTTP_GIVE_UP with the reason in why.
 */
static int attempt_outcome(eseal_bytes *out, BIO *resp, const char *shown,
    size_t max_resp, char *why, size_t why_size, eseal_error *err)
{
    int rc;

    if (resp != NULL) {
        ERR_clear_error();
        rc = take_body(out, resp, err);
        if (rc < 0)
            eseal__error_set(err, rc, "%s: %s", shown,
                rc == ESEAL_ENOMEM ? "out of memory" : "empty response");
        return rc;
    }
    describe(why, why_size);
    if (strstr(why, "max resp len") != NULL ||
        strstr(why, "exceeds max") != NULL)
        return eseal__error_set(err, ESEAL_ELIMIT, "%s: the response is "
            "larger than %zu bytes", shown, max_resp);
    return permanent(why) ? HTTP_GIVE_UP : HTTP_RETRY;
}

/* A printable form of a URL for messages: no user information. */
static void url_for_messages(char *out, size_t size, const char *url)
{
    const char *at = strchr(url, '@'), *scheme = strstr(url, "://");
    const char *slash = scheme ? strchr(scheme + 3, '/') : NULL;

    if (at != NULL && scheme != NULL && (slash == NULL || at < slash))
        snprintf(out, size, "%.*s%.120s", (int)(scheme + 3 - url), url,
            at + 1);
    else
        snprintf(out, size, "%.160s", url);
}

int eseal__http_post(eseal_bytes *out, const char *url, const char *ctype,
    const unsigned char *body, size_t len, const char *auth,
    size_t max_resp, const eseal_net *net, eseal_error *err)
{
    char *user = NULL, *host = NULL, *port = NULL, *path = NULL;
    char *query = NULL, *full_path = NULL, why[200], shown[200];
    STACK_OF(CONF_VALUE) *headers = NULL;
    tls_arg arg;
    BIO *req = NULL, *resp = NULL;
    int use_ssl = 0, attempt, rc;

    memset(&arg, 0, sizeof(arg));
    out->data = NULL;
    out->len = 0;
    url_for_messages(shown, sizeof(shown), url);
    if (net != NULL && net->offline)
        return eseal__error_set(err, ESEAL_EIO, "%s: not fetched: offline",
            shown);
    if (!OSSL_HTTP_parse_url(url, &use_ssl, &user, &host, &port, NULL,
            &path, &query, NULL)) {
        ERR_clear_error();
        rc = eseal__error_set(err, ESEAL_EINVAL, "%s: not an http:// or "
            "https:// URL", shown);
        goto cleanup;
    }
    if (user != NULL && *user != '\0') {
        rc = eseal__error_set(err, ESEAL_EINVAL, "%s: credentials do not "
            "belong in a URL (use an authentication file)", shown);
        goto cleanup;
    }
    if (query != NULL && *query != '\0') {
        full_path = OPENSSL_malloc(strlen(path) + strlen(query) + 2);
        if (full_path == NULL) {
            rc = eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
            goto cleanup;
        }
        sprintf(full_path, "%s?%s", path, query);
    }
    if (auth != NULL) {
        unsigned char b64[512];
        char value[540];
        int n;

        if (strlen(auth) > 360) {
            rc = eseal__error_set(err, ESEAL_EINVAL, "%s: the credentials "
                "are too long", shown);
            goto cleanup;
        }
        n = EVP_EncodeBlock(b64, (const unsigned char *)auth,
            (int)strlen(auth));
        snprintf(value, sizeof(value), "Basic %.*s", n, (char *)b64);
        if (!X509V3_add_value("Authorization", value, &headers)) {
            rc = eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
            goto cleanup;
        }
        OPENSSL_cleanse(value, sizeof(value));
        OPENSSL_cleanse(b64, sizeof(b64));
    }
    arg.host = host;
    arg.port = port;
    arg.timeout = net_timeout(net);
    arg.use_proxy = *proxy_for(host, use_ssl) != '\0';
    if (use_ssl && (arg.ctx = tls_ctx()) == NULL) {
        rc = eseal__error_ossl(err, ESEAL_EIO, "%s: cannot set up TLS",
            shown);
        goto cleanup;
    }
    rc = ESEAL_EIO;
    for (attempt = 0; attempt < net_attempts(net); attempt++) {
        if (attempt > 0)
            pause_before_retry(attempt);
        if (!arg.use_proxy && reachable(host, port, arg.timeout, why,
                sizeof(why)) < 0) {
            if (permanent(why))
                break;
            continue;
        }
        BIO_free(req);
        req = BIO_new_mem_buf(body, (int)len);
        if (req == NULL) {
            rc = eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
            goto cleanup;
        }
        resp = OSSL_HTTP_transfer(NULL, host, port,
            full_path ? full_path : path, use_ssl, proxy_for(host, use_ssl),
            NULL, NULL, NULL, tls_cb, &arg, 0, headers, ctype, req, NULL, 1,
            max_resp, arg.timeout, 0);
        rc = attempt_outcome(out, resp, shown, max_resp, why, sizeof(why),
            err);
        if (rc <= 0)
            goto cleanup;
        if (rc == HTTP_GIVE_UP)
            break;
    }
    rc = eseal__error_set(err, ESEAL_EIO, "%s: %s", shown, why);
cleanup:
    ERR_clear_error();
    BIO_free(resp);
    BIO_free(req);
    SSL_CTX_free(arg.ctx);
    sk_CONF_VALUE_pop_free(headers, X509V3_conf_free);
    OPENSSL_free(full_path);
    OPENSSL_free(user);
    OPENSSL_free(host);
    OPENSSL_free(port);
    OPENSSL_free(path);
    OPENSSL_free(query);
    return rc;
}

int eseal__http_get(eseal_bytes *out, const char *url, size_t max_resp,
    const eseal_net *net, eseal_error *err)
{
    char *host = NULL, *port = NULL, why[200], shown[200];
    tls_arg arg;
    BIO *resp = NULL;
    int use_ssl = 0, attempt, rc;

    memset(&arg, 0, sizeof(arg));
    out->data = NULL;
    out->len = 0;
    url_for_messages(shown, sizeof(shown), url);
    if (net != NULL && net->offline)
        return eseal__error_set(err, ESEAL_EIO, "%s: not fetched: offline",
            shown);
    if (!OSSL_HTTP_parse_url(url, &use_ssl, NULL, &host, &port, NULL, NULL,
            NULL, NULL)) {
        ERR_clear_error();
        return eseal__error_set(err, ESEAL_EINVAL, "%s: not an http:// or "
            "https:// URL", shown);
    }
    arg.host = host;
    arg.port = port;
    arg.timeout = net_timeout(net);
    arg.use_proxy = *proxy_for(host, use_ssl) != '\0';
    if ((arg.ctx = tls_ctx()) == NULL) {
        rc = eseal__error_ossl(err, ESEAL_EIO, "%s: cannot set up TLS",
            shown);
        goto cleanup;
    }
    for (attempt = 0; attempt < net_attempts(net); attempt++) {
        if (attempt > 0)
            pause_before_retry(attempt);
        if (!arg.use_proxy && reachable(host, port, arg.timeout, why,
                sizeof(why)) < 0) {
            if (permanent(why))
                break;
            continue;
        }
        resp = OSSL_HTTP_get(url, proxy_for(host, use_ssl), NULL, NULL,
            NULL, tls_cb, &arg, 0, NULL, NULL, 1, max_resp, arg.timeout);
        rc = attempt_outcome(out, resp, shown, max_resp, why, sizeof(why),
            err);
        if (rc <= 0)
            goto cleanup;
        if (rc == HTTP_GIVE_UP)
            break;
    }
    rc = eseal__error_set(err, ESEAL_EIO, "%s: %s", shown, why);
cleanup:
    ERR_clear_error();
    BIO_free(resp);
    SSL_CTX_free(arg.ctx);
    OPENSSL_free(host);
    OPENSSL_free(port);
    return rc;
}
