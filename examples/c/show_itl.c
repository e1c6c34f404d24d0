/*
 * show_itl: prints a trust list the way CUCM's `show itl` / `show ctl`
 * does, or the header of a signed file (.sgn): the C twin of
 * examples/show_itl.rs, byte for byte the same output and exit status.
 *
 *   show_itl FILE
 *   show_itl            a sample ITL, built and signed with the library
 *
 * The text is streamed to standard output as it is produced
 * (itl_show_write), so a list of any size takes constant memory beyond the
 * file itself.
 *
 * Exit status: 0 when a trust list parses and verifies; 1 when its
 * signature is not accepted, or when the file is a signed file (.sgn:
 * parsed, not verified); 2 when it does not parse, cannot be read, or the
 * output cannot be written.
 *
 * The sample is built from the test identities of examples/data/ (the
 * directory ITL_EXAMPLE_DATA names, set by the Makefile).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cisco_itl.h"

#ifndef ITL_EXAMPLE_DATA
#define ITL_EXAMPLE_DATA "examples/data"
#endif

/* Reads a whole file; NULL with errno set on failure. The buffer is never
 * NULL for an empty file (the library takes no NULL data). */
static uint8_t *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    uint8_t *data = NULL;
    size_t cap = 0;
    *len = 0;
    if (f == NULL) {
        return NULL;
    }
    for (;;) {
        size_t got;
        if (*len == cap) {
            size_t new_cap = cap ? cap * 2 : 65536;
            uint8_t *bigger = realloc(data, new_cap);
            if (bigger == NULL) {
                free(data);
                fclose(f);
                errno = ENOMEM;
                return NULL;
            }
            data = bigger;
            cap = new_cap;
        }
        got = fread(data + *len, 1, cap - *len, f);
        *len += got;
        if (got == 0) {
            break;
        }
    }
    if (ferror(f)) {
        int saved = errno;
        free(data);
        fclose(f);
        errno = saved;
        return NULL;
    }
    fclose(f);
    return data;
}

/* The sample: the CallManager certificate as SAST and TFTP, and the TVS
 * (hashed), signed by the CallManager key, as a CUCM publisher writes it. */
static itl_result sample(uint8_t **out, size_t *out_len) {
    size_t signer_len = 0, tvs_len = 0;
    uint8_t *signer_pem = read_file(ITL_EXAMPLE_DATA "/sample-signer.pem", &signer_len);
    uint8_t *tvs_pem = read_file(ITL_EXAMPLE_DATA "/sample-tvs.pem", &tvs_len);
    itl_signer *signer = NULL;
    itl_builder *builder = NULL;
    itl_result rc = ITL_ERR_NOT_FOUND;

    if (signer_pem == NULL || tvs_pem == NULL) {
        fprintf(stderr, "cannot read the sample identities in %s\n", ITL_EXAMPLE_DATA);
        goto done;
    }
    if ((rc = itl_signer_from_pem(signer_pem, signer_len, &signer)) != ITL_OK ||
        (rc = itl_builder_new(ITL_LIST_ITL, &builder)) != ITL_OK ||
        (rc = itl_builder_set_timestamp(builder, 1773075583u)) != ITL_OK ||
        (rc = itl_builder_add_record(builder, signer_pem, signer_len, ITL_FUNCTION_SAST)) != ITL_OK ||
        (rc = itl_builder_add_record(builder, signer_pem, signer_len, ITL_FUNCTION_TFTP)) != ITL_OK ||
        (rc = itl_builder_add_record(builder, tvs_pem, tvs_len, ITL_FUNCTION_TVS)) != ITL_OK ||
        (rc = itl_builder_sign(builder, signer, out, out_len)) != ITL_OK) {
        fprintf(stderr, "cannot build the sample: %s\n", itl_last_error_message());
    }
done:
    itl_builder_free(builder);
    itl_signer_free(signer);
    free(signer_pem);
    free(tvs_pem);
    return rc;
}

/* itl_write_callback: the text to stdout. */
static int32_t write_stdout(void *userdata, const uint8_t *data, size_t len) {
    return fwrite(data, 1, len, (FILE *)userdata) == len ? 0 : -1;
}

int main(int argc, char **argv) {
    uint8_t *data = NULL; /* from malloc (a file) */
    uint8_t *built = NULL; /* from the library (the sample) */
    size_t len = 0;
    uint32_t kind = ITL_LIST_ITL;
    bool is_signed = false;
    itl_result rc;
    int status;

    if (argc > 1) {
        data = read_file(argv[1], &len);
        if (data == NULL) {
            int e = errno;
            fprintf(stderr, "cannot read %s: %s (os error %d)\n", argv[1], strerror(e), e);
            return 2;
        }
        if (itl_list_kind_from_filename(argv[1], &kind) != ITL_OK) {
            kind = ITL_LIST_ITL; /* a name that is not UTF-8 */
        }
    } else {
        if (sample(&built, &len) != ITL_OK) {
            return 2;
        }
        fprintf(stderr, "(no file given: showing a sample ITL built and signed by cisco-itl)\n");
    }
    {
        const uint8_t *bytes = data != NULL ? data : built;
        if (itl_is_signed_file(bytes, len, &is_signed) != ITL_OK) {
            is_signed = false;
        }
        rc = is_signed ? itl_show_signed_file_write(bytes, len, write_stdout, stdout)
                       : itl_show_write(bytes, len, kind, write_stdout, stdout);
    }
    if (fflush(stdout) != 0 && rc != ITL_ERR_WRITE) {
        rc = ITL_ERR_WRITE;
    }
    if (rc == ITL_ERR_WRITE) {
        fprintf(stderr, "cannot write the output: %s\n", strerror(errno));
        status = 2;
    } else if (is_signed) {
        if (rc == ITL_OK) {
            fprintf(stderr, "signed file: parsed, signature not verified (no signer certificate given)\n");
            status = 1;
        } else {
            fprintf(stderr, "parse error: %s\n", itl_last_error_message());
            status = 2;
        }
    } else if (rc == ITL_OK) {
        status = 0;
    } else if (rc == ITL_ERR_VERIFY || rc == ITL_ERR_POLICY) {
        fprintf(stderr, "verification failed: %s\n", itl_last_error_message());
        status = 1;
    } else if (rc == ITL_ERR_PARSE) {
        fprintf(stderr, "parse error: %s\n", itl_last_error_message());
        status = 2;
    } else {
        fprintf(stderr, "error: %s\n", itl_last_error_message());
        status = 2;
    }
    free(data);
    itl_bytes_free(built);
    itl_thread_cleanup(); /* so that valgrind sees every block freed */
    return status;
}
