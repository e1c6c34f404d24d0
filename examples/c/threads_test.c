/*
 * threads_test: several threads verifying different lists at once.
 *
 * Each thread verifies its own list (some verify, some do not), all of them
 * verify one shared list and ask one shared phone about a configuration,
 * and each makes and frees handles of its own (parse, show, a phone) the
 * whole time, so the handle registry is used from every thread at once.
 * Every result must be the one the main thread computed alone beforehand,
 * and every thread must see its own error message (the message is per
 * thread). Run under valgrind and the sanitizers by .ci/test-c.
 *
 * Exit status 0 when every check passed.
 */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cisco_itl.h"
#include "test_vectors.h"

#define THREADS 8
#define ROUNDS 25

static const char *const NAMES[] = {
    "cucm-ITLFile.tlv",       "cucm-CTLFile-tokenless.tlv",   "bad-signature-byte.tlv",
    "peer-ITLFile-sha1.tlv",  "peer-ITLFile-sha512-v1.1.tlv", "bad-record-byte.tlv",
    "cucm-CTLFile-etoken.tlv", "cucm-ITLFile-reset.tlv",
};
#define LISTS (sizeof NAMES / sizeof NAMES[0])


/* What one list gives when verified alone. */
struct expected {
    itl_result code;
    size_t signer;
    char message[256];
};

static struct file files[LISTS];
static itl_trust_list *lists[LISTS];
static struct expected expected[LISTS];
static itl_trust_list *shared;
static itl_phone *phone;
static struct file config;

struct worker {
    size_t id;
    int failures;
    int checks;
};


#define CHECK(w, cond)                                                                   \
    do {                                                                                 \
        (w)->checks++;                                                                   \
        if (!(cond)) {                                                                   \
            (w)->failures++;                                                             \
            fprintf(stderr, "thread %zu: %s:%d: CHECK(%s) failed (\"%s\")\n", (w)->id,   \
                    __FILE__, __LINE__, #cond, itl_last_error_message());                \
        }                                                                                \
    } while (0)

static void *work(void *arg) {
    struct worker *w = arg;
    size_t mine = w->id % LISTS, round;
    for (round = 0; round < ROUNDS; round++) {
        size_t signer = SIZE_MAX;
        itl_result rc;
        itl_trust_list *own = NULL;
        itl_phone *own_phone = NULL;
        char *text = NULL;
        uint32_t rule = 0;
        size_t index = 0;

        /* Its own list, parsed once by the main thread. */
        rc = itl_trust_list_verify(lists[mine], &signer);
        CHECK(w, rc == expected[mine].code);
        CHECK(w, strcmp(itl_last_error_message(), expected[mine].message) == 0);
        if (rc == ITL_OK) {
            CHECK(w, signer == expected[mine].signer);
        }
        /* The shared list. */
        rc = itl_trust_list_verify(shared, &signer);
        CHECK(w, rc == ITL_OK && signer == 0);
        CHECK(w, strcmp(itl_last_error_message(), "") == 0);
        /* The shared phone. */
        rc = itl_phone_offer_config(phone, "SEP0011215A1AE3.cnf.xml.sgn", config.data, config.len,
                                    0, &rule, &index);
        CHECK(w, rc == ITL_OK && rule == ITL_TRUST_ITL_TFTP);
        /* Handles of its own, made and freed while the others do the same. */
        rc = itl_trust_list_parse(files[(mine + round) % LISTS].data,
                                  files[(mine + round) % LISTS].len, &own);
        CHECK(w, rc == ITL_OK);
        rc = itl_trust_list_verify(own, &signer);
        CHECK(w, rc == expected[(mine + round) % LISTS].code);
        itl_trust_list_free(own);
        CHECK(w, itl_trust_list_verify(own, &signer) == ITL_ERR_BAD_HANDLE);
        rc = itl_show(files[mine].data, files[mine].len, &text);
        CHECK(w, rc == expected[mine].code && text != NULL);
        itl_string_free(text);
        rc = itl_phone_new("SEP001122334455", &own_phone);
        CHECK(w, rc == ITL_OK);
        rc = itl_phone_offer_trust_list(own_phone, "ITLFile.tlv", files[0].data, files[0].len,
                                        NULL, 0, &rule, &index);
        CHECK(w, rc == ITL_OK && rule == ITL_TRUST_FIRST_USE);
        itl_phone_free(own_phone);
    }
    itl_thread_cleanup();
    return NULL;
}

int main(void) {
    pthread_t threads[THREADS];
    struct worker workers[THREADS];
    size_t i;
    int failures = 0, checks = 0;
    uint32_t rule = 0;
    size_t index = 0;

    for (i = 0; i < LISTS; i++) {
        files[i] = load(NAMES[i]);
        if (itl_trust_list_parse(files[i].data, files[i].len, &lists[i]) != ITL_OK) {
            fprintf(stderr, "%s: %s\n", NAMES[i], itl_last_error_message());
            return 2;
        }
        expected[i].signer = SIZE_MAX;
        expected[i].code = itl_trust_list_verify(lists[i], &expected[i].signer);
        snprintf(expected[i].message, sizeof expected[i].message, "%s", itl_last_error_message());
    }
    /* Some verify, some do not: the threads see different messages. */
    if (expected[0].code != ITL_OK || expected[2].code != ITL_ERR_VERIFY) {
        fprintf(stderr, "unexpected results of the vectors\n");
        return 2;
    }
    if (itl_trust_list_parse(files[0].data, files[0].len, &shared) != ITL_OK ||
        itl_phone_new("SEP0011215A1AE3", &phone) != ITL_OK ||
        itl_phone_offer_trust_list(phone, "ITLFile.tlv", files[0].data, files[0].len, NULL, 0,
                                   &rule, &index) != ITL_OK) {
        fprintf(stderr, "setup: %s\n", itl_last_error_message());
        return 2;
    }
    config = load("cucm-SEP0011215A1AE3.cnf.xml.sgn");

    for (i = 0; i < THREADS; i++) {
        workers[i].id = i;
        workers[i].failures = 0;
        workers[i].checks = 0;
        if (pthread_create(&threads[i], NULL, work, &workers[i]) != 0) {
            fprintf(stderr, "pthread_create failed\n");
            return 2;
        }
    }
    for (i = 0; i < THREADS; i++) {
        pthread_join(threads[i], NULL);
        failures += workers[i].failures;
        checks += workers[i].checks;
    }

    for (i = 0; i < LISTS; i++) {
        itl_trust_list_free(lists[i]);
        free(files[i].data);
    }
    itl_trust_list_free(shared);
    itl_phone_free(phone);
    free(config.data);
    itl_thread_cleanup();
    if (failures) {
        printf("threads_test: %d of %d checks FAILED\n", failures, checks);
        return 1;
    }
    printf("threads_test: all %d checks passed in %d threads\n", checks, THREADS);
    return 0;
}
