/* The checks of the single-threaded C test programs (misuse_test.c,
 * boot_verify_test.c, tvs_client_test.c): counters, CHECK and EXPECT, and
 * the summary line their exit status follows. Test support only. */
#ifndef ITL_TEST_CHECKS_H
#define ITL_TEST_CHECKS_H

#include <stdio.h>

#include "cisco_itl.h"

static int passed, failed;

/* Counts `cond`; on failure prints where, and this thread's last error. */
#define CHECK(cond)                                                                       \
    do {                                                                                  \
        if (cond) {                                                                       \
            passed++;                                                                     \
        } else {                                                                          \
            failed++;                                                                     \
            fprintf(stderr, "%s:%d: CHECK(%s) failed (last error: \"%s\")\n", __FILE__,  \
                    __LINE__, #cond, itl_last_error_message());                           \
        }                                                                                 \
    } while (0)

/* `call` returns `code`. */
#define EXPECT(call, code) CHECK((call) == (code))

/* Prints the summary line of program `name`; returns its exit status (0
 * when every check passed). */
static int finish(const char *name) {
    if (failed) {
        printf("%s: %d of %d checks FAILED\n", name, failed, passed + failed);
        return 1;
    }
    printf("%s: all %d checks passed\n", name, passed);
    return 0;
}

#endif
