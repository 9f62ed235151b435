/*
 * A small RFC 3161 timestamp service for eseal's tests, built on
 * OpenSSL's TS API.  It listens on 127.0.0.1 (a free port, written to the
 * port file once it listens), answers POSTed timestamp requests over
 * HTTP/1.0, one connection at a time, until it is killed.
 *
 * usage: tsa_server --port-file FILE --cert TSA.pem --key TSA.key
 *            [--chain CHAIN.pem] [--mode MODE] [--auth USER:PASS]
 *            [--skew SECONDS] [--log FILE]
 * MODE: ok (default); garbage (a DER value that is no response); reject
 * (status rejection); wrong-imprint (a token over other data); wrong-nonce
 * (another nonce: a replayed answer); no-certs (the TSA certificate left out).
 * --skew shifts genTime by SECONDS; --auth demands basic authentication.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ts.h>

#define POLICY "2.25.298836554529772248182217626450308142962"
#define MAX_REQ 65536

static const char *mode = "ok";
static const char *auth;
static long skew;
static FILE *log_file;

static X509 *read_cert(const char *path)
{
    FILE *f = fopen(path, "r");
    X509 *x = f ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;

    if (f)
        fclose(f);
    return x;
}

static STACK_OF(X509) *read_chain(const char *path)
{
    STACK_OF(X509) *sk = sk_X509_new_null();
    FILE *f = fopen(path, "r");
    X509 *x;

    while (f != NULL && (x = PEM_read_X509(f, NULL, NULL, NULL)) != NULL)
        sk_X509_push(sk, x);
    if (f)
        fclose(f);
    ERR_clear_error();
    return sk;
}

static EVP_PKEY *read_key(const char *path)
{
    FILE *f = fopen(path, "r");
    EVP_PKEY *k = f ? PEM_read_PrivateKey(f, NULL, NULL, NULL) : NULL;

    if (f)
        fclose(f);
    return k;
}

static int time_cb(TS_RESP_CTX *ctx, void *data, long *sec, long *usec)
{
    struct timeval tv;

    (void)ctx;
    (void)data;
    gettimeofday(&tv, NULL);
    *sec = (long)tv.tv_sec + skew;
    *usec = (long)tv.tv_usec;
    return 1;
}

static ASN1_INTEGER *serial_cb(TS_RESP_CTX *ctx, void *data)
{
    static unsigned long serial = 1;
    ASN1_INTEGER *s = ASN1_INTEGER_new();

    (void)ctx;
    (void)data;
    if (s != NULL)
        ASN1_INTEGER_set(s, (long)(serial++ + (unsigned long)time(NULL)));
    return s;
}

static void send_all(int fd, const void *p, size_t n)
{
    const char *c = p;

    while (n > 0) {
        ssize_t w = write(fd, c, n);

        if (w <= 0)
            return;
        c += w;
        n -= (size_t)w;
    }
}

static void reply(int fd, int code, const char *ctype,
    const unsigned char *body, size_t len)
{
    char head[256];
    int n = snprintf(head, sizeof(head), "HTTP/1.0 %d %s\r\n"
        "Content-Type: %s\r\nContent-Length: %zu\r\n"
        "Connection: close\r\n%s\r\n", code,
        code == 200 ? "OK" : code == 401 ? "Unauthorized" : "Bad Request",
        ctype, len, code == 401 ? "WWW-Authenticate: Basic realm=\"tsa\"\r\n"
                                : "");

    send_all(fd, head, (size_t)n);
    if (len > 0)
        send_all(fd, body, len);
}

/* Reads the request head and body; 0 or -1. */
static int read_request(int fd, char *buf, size_t cap, char **body,
    size_t *body_len)
{
    size_t have = 0, need = 0;
    char *end = NULL, *cl;

    for (;;) {
        ssize_t r;

        if (have == cap)
            return -1;
        r = read(fd, buf + have, cap - have);
        if (r <= 0)
            return -1;
        have += (size_t)r;
        if (end == NULL) {
            buf[have < cap ? have : cap - 1] = '\0';
            end = strstr(buf, "\r\n\r\n");
            if (end == NULL)
                continue;
            *end = '\0';
            cl = strcasestr(buf, "\r\nContent-Length:");
            need = cl ? strtoul(cl + 17, NULL, 10) : 0;
            *body = end + 4;
            if (need > cap - (size_t)(*body - buf))
                return -1;
        }
        if (have - (size_t)(*body - buf) >= need) {
            *body_len = need;
            return 0;
        }
    }
}

static int authorized(const char *head)
{
    const char *h;
    unsigned char want[512];
    char line[600];
    int n;

    if (auth == NULL)
        return 1;
    h = strcasestr(head, "\r\nAuthorization: Basic ");
    if (h == NULL)
        return 0;
    n = EVP_EncodeBlock(want, (const unsigned char *)auth, (int)strlen(auth));
    snprintf(line, sizeof(line), "%.*s", n, (char *)want);
    h += strlen("\r\nAuthorization: Basic ");
    return strncmp(h, line, strlen(line)) == 0 &&
        (h[strlen(line)] == '\r' || h[strlen(line)] == '\0');
}

static void serve(int fd, TS_RESP_CTX *ctx)
{
    static char buf[MAX_REQ + 4096];
    char *body = NULL;
    size_t body_len = 0;
    const unsigned char *p;
    unsigned char *out = NULL;
    TS_REQ *req = NULL;
    TS_RESP *resp = NULL;
    BIO *in = NULL;
    int len;

    if (read_request(fd, buf, sizeof(buf) - 1, &body, &body_len) < 0) {
        reply(fd, 400, "text/plain", (const unsigned char *)"bad\n", 4);
        return;
    }
    if (log_file != NULL) {
        fprintf(log_file, "%.*s\n", (int)strcspn(buf, "\r\n"), buf);
        fflush(log_file);
    }
    if (!authorized(buf)) {
        reply(fd, 401, "text/plain", (const unsigned char *)"auth\n", 5);
        return;
    }
    if (strcmp(mode, "garbage") == 0) {
        static const unsigned char junk[] = {
            0x30, 0x08, 0x04, 0x06, 'g', 'a', 'r', 'b', 'a', 'g'
        };
        reply(fd, 200, "application/timestamp-reply", junk, sizeof(junk));
        return;
    }
    p = (const unsigned char *)body;
    req = d2i_TS_REQ(NULL, &p, (long)body_len);
    if (req == NULL) {
        reply(fd, 400, "text/plain", (const unsigned char *)"req\n", 4);
        return;
    }
    if (strcmp(mode, "wrong-imprint") == 0) {
        ASN1_OCTET_STRING *m = TS_MSG_IMPRINT_get_msg(
            TS_REQ_get_msg_imprint(req));
        unsigned char *d = (unsigned char *)ASN1_STRING_get0_data(m);

        if (ASN1_STRING_length(m) > 0)
            d[0] ^= 0xff;
    }
    if (strcmp(mode, "wrong-nonce") == 0) {
        ASN1_INTEGER *other = ASN1_INTEGER_new();

        ASN1_INTEGER_set(other, 12345);
        TS_REQ_set_nonce(req, other);
        ASN1_INTEGER_free(other);
    }
    if (strcmp(mode, "no-certs") == 0)
        TS_REQ_set_cert_req(req, 0);
    in = BIO_new(BIO_s_mem());
    len = i2d_TS_REQ(req, &out);
    BIO_write(in, out, len);
    OPENSSL_free(out);
    out = NULL;
    if (strcmp(mode, "reject") == 0) {
        /* a rejection: status only */
        TS_STATUS_INFO *si = TS_STATUS_INFO_new();

        resp = TS_RESP_new();
        TS_STATUS_INFO_set_status(si, TS_STATUS_REJECTION);
        TS_RESP_set_status_info(resp, si);
        TS_STATUS_INFO_free(si);
    } else {
        resp = TS_RESP_create_response(ctx, in);
    }
    len = resp ? i2d_TS_RESP(resp, &out) : 0;
    if (len > 0)
        reply(fd, 200, "application/timestamp-reply", out, (size_t)len);
    else
        reply(fd, 400, "text/plain", (const unsigned char *)"fail\n", 5);
    OPENSSL_free(out);
    TS_RESP_free(resp);
    TS_REQ_free(req);
    BIO_free(in);
    ERR_clear_error();
}

int main(int argc, char **argv)
{
    const char *port_file = NULL, *cert_path = NULL, *key_path = NULL;
    const char *chain_path = NULL, *log_path = NULL;
    struct sockaddr_in sa;
    socklen_t sl = sizeof(sa);
    TS_RESP_CTX *ctx;
    ASN1_OBJECT *policy;
    X509 *cert;
    EVP_PKEY *key;
    FILE *pf;
    int s, one = 1, i;

    for (i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--port-file") == 0)
            port_file = argv[i + 1];
        else if (strcmp(argv[i], "--cert") == 0)
            cert_path = argv[i + 1];
        else if (strcmp(argv[i], "--key") == 0)
            key_path = argv[i + 1];
        else if (strcmp(argv[i], "--chain") == 0)
            chain_path = argv[i + 1];
        else if (strcmp(argv[i], "--mode") == 0)
            mode = argv[i + 1];
        else if (strcmp(argv[i], "--auth") == 0)
            auth = argv[i + 1];
        else if (strcmp(argv[i], "--skew") == 0)
            skew = strtol(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "--log") == 0)
            log_path = argv[i + 1];
        else
            break;
    }
    if (i != argc || port_file == NULL || cert_path == NULL ||
        key_path == NULL) {
        fprintf(stderr, "usage: tsa_server --port-file FILE --cert PEM "
            "--key PEM [--chain PEM] [--mode MODE] [--auth U:P] "
            "[--skew S] [--log FILE]\n");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    cert = read_cert(cert_path);
    key = read_key(key_path);
    if (cert == NULL || key == NULL) {
        fprintf(stderr, "tsa_server: cannot read %s or %s\n", cert_path,
            key_path);
        return 2;
    }
    if (log_path != NULL && (log_file = fopen(log_path, "a")) == NULL)
        return 2;
    ctx = TS_RESP_CTX_new();
    policy = OBJ_txt2obj(POLICY, 1);
    if (ctx == NULL || policy == NULL ||
        !TS_RESP_CTX_set_signer_cert(ctx, cert) ||
        !TS_RESP_CTX_set_signer_key(ctx, key) ||
        !TS_RESP_CTX_set_signer_digest(ctx, EVP_sha256()) ||
        !TS_RESP_CTX_set_ess_cert_id_digest(ctx, EVP_sha256()) ||
        !TS_RESP_CTX_set_def_policy(ctx, policy) ||
        !TS_RESP_CTX_add_md(ctx, EVP_sha256()) ||
        !TS_RESP_CTX_add_md(ctx, EVP_sha384()) ||
        !TS_RESP_CTX_add_md(ctx, EVP_sha512()) ||
        !TS_RESP_CTX_set_accuracy(ctx, 1, 0, 0)) {
        ERR_print_errors_fp(stderr);
        return 2;
    }
    if (chain_path != NULL && !TS_RESP_CTX_set_certs(ctx,
            read_chain(chain_path)))
        return 2;
    TS_RESP_CTX_set_time_cb(ctx, time_cb, NULL);
    TS_RESP_CTX_set_serial_cb(ctx, serial_cb, NULL);

    s = socket(AF_INET, SOCK_STREAM, 0);
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sa.sin_port = 0;
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (s < 0 || bind(s, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
        listen(s, 64) < 0 || getsockname(s, (struct sockaddr *)&sa,
            &sl) < 0) {
        perror("tsa_server");
        return 2;
    }
    {
        char tmp[4096];

        snprintf(tmp, sizeof(tmp), "%s.tmp", port_file);
        pf = fopen(tmp, "w");
        if (pf == NULL)
            return 2;
        fprintf(pf, "%d\n", ntohs(sa.sin_port));
        if (fclose(pf) != 0 || rename(tmp, port_file) != 0)
            return 2;
    }
    for (;;) {
        int c = accept(s, NULL, NULL);
        struct timeval tv = { 5, 0 };

        if (c < 0) {
            if (errno == EINTR)
                continue;
            return 1;
        }
        setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        serve(c, ctx);
        shutdown(c, SHUT_WR);
        close(c);
    }
}
