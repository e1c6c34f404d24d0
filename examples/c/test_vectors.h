/* Reading the repository's test vectors, shared by the C test programs
 * (misuse_test.c, threads_test.c). Test support only: the examples that
 * firmware engineers copy (show_itl.c, phone_trust.c, minimal_verify.c)
 * stay self-contained. */
#ifndef ITL_TEST_VECTORS_H
#define ITL_TEST_VECTORS_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#ifndef ITL_VECTORS
#define ITL_VECTORS "itl-core/tests/data/vectors"
#endif

/* A vector's bytes; `data` is freed by the caller. */
struct file {
    uint8_t *data;
    size_t len;
};

/* Reads vector `name` (relative to ITL_VECTORS); exits with 2 when it
 * cannot. */
static struct file load(const char *name) {
    char path[512];
    struct file f = {NULL, 0};
    FILE *fp;
    long size;
    snprintf(path, sizeof path, "%s/%s", ITL_VECTORS, name);
    fp = fopen(path, "rb");
    if (fp == NULL) {
        fprintf(stderr, "cannot read %s\n", path);
        exit(2);
    }
    fseek(fp, 0, SEEK_END);
    size = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    f.data = malloc(size > 0 ? (size_t)size : 1);
    if (f.data == NULL) {
        exit(2);
    }
    f.len = size > 0 ? fread(f.data, 1, (size_t)size, fp) : 0;
    fclose(fp);
    return f;
}

#endif
