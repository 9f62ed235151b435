/*
 * Benchmark: in-process sealing throughput beside the raw private-key
 * operation of the same key, measured in the same run.  Prints docs/s and
 * the ratio to the signature ceiling; no thresholds (machines are noisy).
 *
 * usage: bench_seal KEY CERT CHAIN PDF [SECONDS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <eseal/eseal.h>

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int read_file(const char *path, unsigned char **data, size_t *len)
{
    FILE *f = fopen(path, "rb");
    long n;

    if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0)
        return -1;
    rewind(f);
    *data = malloc((size_t)n);
    if (*data == NULL || fread(*data, 1, (size_t)n, f) != (size_t)n)
        return -1;
    *len = (size_t)n;
    fclose(f);
    return 0;
}

/* Raw signatures per second: EVP_DigestSign of 100 bytes with the key. */
static double raw_sign_rate(const char *key_path, double seconds)
{
    FILE *f = fopen(key_path, "r");
    EVP_PKEY *key = f ? PEM_read_PrivateKey(f, NULL, NULL, NULL) : NULL;
    unsigned char msg[100] = { 0 }, sig[1024];
    double start = now(), t;
    long n = 0;

    if (f != NULL)
        fclose(f);
    if (key == NULL)
        return 0;
    do {
        EVP_MD_CTX *ctx = EVP_MD_CTX_new();
        size_t len = sizeof(sig);

        EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, key);
        EVP_DigestSign(ctx, sig, &len, msg, sizeof(msg));
        EVP_MD_CTX_free(ctx);
        n++;
    } while ((t = now() - start) < seconds);
    EVP_PKEY_free(key);
    return (double)n / t;
}

int main(int argc, char **argv)
{
    eseal_sealer_opts so = ESEAL_SEALER_OPTS_INIT;
    eseal_seal_opts opts = ESEAL_SEAL_OPTS_INIT;
    eseal_sealer *sealer = NULL;
    eseal_error err = { 0, "" };
    unsigned char *doc = NULL;
    size_t len = 0;
    double seconds = argc > 5 ? atof(argv[5]) : 2.0, start, t, rate, raw;
    long n = 0;

    if (argc < 5) {
        fprintf(stderr, "usage: bench_seal KEY CERT CHAIN PDF [SECONDS]\n");
        return 2;
    }
    if (eseal_init(&err) < 0 || read_file(argv[4], &doc, &len) < 0) {
        fprintf(stderr, "bench_seal: cannot start: %s\n", err.message);
        return 2;
    }
    so.key = argv[1];
    so.cert = argv[2];
    so.chain = argv[3];
    if (eseal_sealer_open(&sealer, &so, &err) < 0) {
        fprintf(stderr, "bench_seal: %s\n", err.message);
        return 2;
    }
    start = now();
    do {
        eseal_bytes out = { NULL, 0 };

        if (eseal_seal_buffer(&out, sealer, doc, len, &opts, &err) < 0) {
            fprintf(stderr, "bench_seal: %s: %s\n", argv[4], err.message);
            return 1;
        }
        eseal_bytes_free(&out);
        n++;
    } while ((t = now() - start) < seconds);
    rate = (double)n / t;
    raw = raw_sign_rate(argv[1], seconds);
    printf("%-28s %10.1f docs/s  (%zu bytes, 1 thread)\n", "eseal seal (in process)",
        rate, len);
    printf("%-28s %10.1f ops/s\n", "raw EVP_DigestSign, same key", raw);
    printf("%-28s %10.2f\n", "ratio eseal / raw signature", raw > 0 ? rate / raw : 0);
    eseal_sealer_free(sealer);
    free(doc);
    eseal_shutdown();
    return 0;
}
