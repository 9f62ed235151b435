/*
 * Runs a libFuzzer target's entry point over files, without libFuzzer:
 * the normal (gcc, sanitizer, valgrind) builds check every committed seed
 * and every crash reproducer (tests/fuzz/regress/TARGET/) this way.  A
 * target that finds a bug traps or aborts, which fails the test.
 * usage: fuzzregress_TARGET FILE_OR_DIR...
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t n_inputs;

static int run_file(const char *path)
{
    FILE *fp = fopen(path, "rb");
    unsigned char *data = NULL;
    long len;
    int rc = -1;

    if (fp == NULL || fseek(fp, 0, SEEK_END) != 0 || (len = ftell(fp)) < 0 ||
        fseek(fp, 0, SEEK_SET) != 0)
        goto cleanup;
    data = malloc(len > 0 ? (size_t)len : 1);
    if (data == NULL || fread(data, 1, (size_t)len, fp) != (size_t)len)
        goto cleanup;
    fprintf(stderr, "fuzzregress: %s\n", path);
    LLVMFuzzerTestOneInput(data, (size_t)len);
    n_inputs++;
    rc = 0;
cleanup:
    if (rc < 0)
        fprintf(stderr, "fuzzregress: cannot read %s\n", path);
    free(data);
    if (fp != NULL)
        fclose(fp);
    return rc;
}

static int run_path(const char *path)
{
    struct dirent **names = NULL;
    struct stat st;
    char sub[4096];
    int n, i, rc = 0;

    if (stat(path, &st) != 0) {
        fprintf(stderr, "fuzzregress: no %s\n", path);
        return -1;
    }
    if (!S_ISDIR(st.st_mode))
        return run_file(path);
    n = scandir(path, &names, NULL, alphasort);
    if (n < 0)
        return -1;
    for (i = 0; i < n; i++) {
        if (names[i]->d_name[0] != '.' && rc == 0) {
            snprintf(sub, sizeof(sub), "%s/%s", path, names[i]->d_name);
            rc = run_path(sub);
        }
        free(names[i]);
    }
    free(names);
    return rc;
}

int main(int argc, char **argv)
{
    int i;

    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE_OR_DIR...\n", argv[0]);
        return 2;
    }
    if (LLVMFuzzerInitialize != NULL)
        LLVMFuzzerInitialize(&argc, &argv);
    for (i = 1; i < argc; i++)
        if (run_path(argv[i]) < 0)
            return 1;
    printf("%zu inputs, no finding\n", n_inputs);
    return n_inputs > 0 ? 0 : 1;
}
