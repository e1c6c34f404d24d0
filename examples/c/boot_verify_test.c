/*
 * boot_verify_test: a phone's whole boot (itl_phone_boot) against a TFTP
 * server written in C, and the batch verifier (itl_verifier_*), checked
 * value by value against what the vectors hold:
 *
 *   - a first boot: no per-device files, the cluster's CTL (trust on first
 *     use), its ITL (through the CTL), the signed configuration;
 *   - a boot against a server whose ITL was tampered with: refused, the
 *     phone locked, the configuration refused;
 *   - a boot against an empty server, then one with only the unsigned
 *     configuration; the encrypted configuration's name;
 *   - a TFTP callback that claims a huge file (2 GiB, SIZE_MAX) over a few
 *     bytes: refused as too large before anything is read or copied;
 *   - callbacks (TFTP and TVS) that call back into their own phone: each
 *     such call returns ITL_ERR_BUSY, never a deadlock; another phone
 *     answers; a callback that frees its phone does not break the boot;
 *   - verify_many over lists that verify, fail, do not parse, with the
 *     key cache, its limit, a strict policy and trusted certificates.
 *
 * Run plainly, under valgrind and the sanitizers by .ci/test-c. Exit
 * status 0 when every check passed.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cisco_itl.h"
#include "test_checks.h"
#include "test_vectors.h"

#define DEVICE "SEP0011215A1AE3"
#define NOW 1773075600u

/* A TFTP server: named files, and the names asked for, in order. */
#define MAX_FILES 4
#define MAX_ASKED 8
struct tftp_server {
    const char *names[MAX_FILES];
    const struct file *files[MAX_FILES];
    size_t count;
    char asked[MAX_ASKED][64];
    size_t asked_count;
};

static int32_t tftp_fetch(void *userdata, const char *name, const uint8_t **data, size_t *len) {
    struct tftp_server *server = userdata;
    size_t i;
    if (server->asked_count < MAX_ASKED) {
        snprintf(server->asked[server->asked_count++], sizeof server->asked[0], "%s", name);
    }
    for (i = 0; i < server->count; i++) {
        if (strcmp(server->names[i], name) == 0) {
            *data = server->files[i]->data;
            *len = server->files[i]->len;
            return 0;
        }
    }
    return 1; /* no such file */
}

static void serve(struct tftp_server *server, const char *name, const struct file *file) {
    if (server->count < MAX_FILES) {
        server->names[server->count] = name;
        server->files[server->count] = file;
        server->count++;
    }
}

/* Step `i` of `report` is `file`, with `outcome` and `result`; for an
 * accepted file, also `rule`. Prints the step. */
static void step_is(const itl_boot_report *report, size_t i, const char *file, uint32_t outcome,
                    itl_result result, uint32_t rule) {
    itl_boot_step step;
    memset(&step, 0, sizeof step);
    EXPECT(itl_boot_report_step(report, i, &step), ITL_OK);
    if (step.file == NULL) {
        failed++;
        return;
    }
    printf("   %-32s outcome %u, %s, rule %u%s%s\n", step.file, step.outcome,
           itl_result_name(step.result), step.rule, step.reason ? ": " : "",
           step.reason ? step.reason : "");
    CHECK(strcmp(step.file, file) == 0);
    CHECK(step.outcome == outcome);
    CHECK(step.result == result);
    CHECK(step.rule == rule);
    CHECK((step.reason != NULL) == (result == ITL_ERR_REJECTED));
    if (result != ITL_OK) {
        CHECK(step.index == ITL_NO_INDEX);
    }
}

static void first_boot(const struct file *ctl, const struct file *itl, const struct file *cfg) {
    struct tftp_server server;
    itl_tftp tftp;
    itl_phone *phone = NULL;
    itl_boot_report *report = (itl_boot_report *)&report;
    itl_boot_step step;
    bool locked = true;

    printf("== a first boot\n");
    memset(&server, 0, sizeof server);
    serve(&server, "CTLFile.tlv", ctl);
    serve(&server, "ITLFile.tlv", itl);
    serve(&server, DEVICE ".cnf.xml.sgn", cfg);
    tftp.userdata = &server;
    tftp.fetch = tftp_fetch;
    EXPECT(itl_phone_new(DEVICE, &phone), ITL_OK);
    EXPECT(itl_phone_boot(phone, &tftp, NULL, NOW, false, &report), ITL_OK);
    CHECK(report != NULL);
    CHECK(itl_boot_report_step_count(report) == 5);
    step_is(report, 0, "CTLSEP0011215A1AE3.tlv", ITL_BOOT_NOT_FOUND, ITL_ERR_NOT_FOUND,
            ITL_TRUST_NONE);
    step_is(report, 1, "CTLFile.tlv", ITL_BOOT_TRUST_LIST, ITL_OK, ITL_TRUST_FIRST_USE);
    step_is(report, 2, "ITLSEP0011215A1AE3.tlv", ITL_BOOT_NOT_FOUND, ITL_ERR_NOT_FOUND,
            ITL_TRUST_NONE);
    step_is(report, 3, "ITLFile.tlv", ITL_BOOT_TRUST_LIST, ITL_OK, ITL_TRUST_CTL_SAST);
    step_is(report, 4, DEVICE ".cnf.xml.sgn", ITL_BOOT_CONFIG, ITL_OK, ITL_TRUST_CTL_TFTP);
    /* The ITL's signer, the publisher's CallManager certificate, is the
     * CTL's SAST record 0 and its CCM+TFTP record 1 (manifest.json); the
     * configuration is signed by the same key, in its TFTP role. */
    EXPECT(itl_boot_report_step(report, 3, &step), ITL_OK);
    CHECK(step.index == 0);
    EXPECT(itl_boot_report_step(report, 4, &step), ITL_OK);
    CHECK(step.index == 1);
    /* The callback was asked for exactly those names, in that order. */
    CHECK(server.asked_count == 5);
    CHECK(strcmp(server.asked[0], "CTLSEP0011215A1AE3.tlv") == 0);
    CHECK(strcmp(server.asked[1], "CTLFile.tlv") == 0);
    CHECK(strcmp(server.asked[4], DEVICE ".cnf.xml.sgn") == 0);
    /* Past the end. */
    EXPECT(itl_boot_report_step(report, 5, &step), ITL_ERR_INVALID_ARGUMENT);
    CHECK(strstr(itl_last_error_message(), "past the last step") != NULL);
    EXPECT(itl_phone_is_locked(phone, &locked), ITL_OK);
    CHECK(!locked);
    itl_boot_report_free(report);

    /* The same phone boots again against a server whose ITL is tampered
     * with: refused, locked, and the configuration refused while locked. */
    printf("== a reboot, the ITL tampered with\n");
    {
        struct file tampered = load("bad-signature-byte.tlv");
        struct tftp_server bad;
        memset(&bad, 0, sizeof bad);
        serve(&bad, "CTLFile.tlv", ctl);
        serve(&bad, "ITLFile.tlv", &tampered);
        serve(&bad, DEVICE ".cnf.xml.sgn", cfg);
        tftp.userdata = &bad;
        EXPECT(itl_phone_boot(phone, &tftp, NULL, NOW, false, &report), ITL_OK);
        CHECK(itl_boot_report_step_count(report) == 5);
        step_is(report, 1, "CTLFile.tlv", ITL_BOOT_TRUST_LIST, ITL_OK, ITL_TRUST_CTL_SAST);
        step_is(report, 3, "ITLFile.tlv", ITL_BOOT_TRUST_LIST, ITL_ERR_REJECTED, ITL_TRUST_NONE);
        step_is(report, 4, DEVICE ".cnf.xml.sgn", ITL_BOOT_CONFIG, ITL_ERR_REJECTED,
                ITL_TRUST_NONE);
        EXPECT(itl_boot_report_step(report, 3, &step), ITL_OK);
        CHECK(step.reason != NULL && strncmp(step.reason, "refused: ", 9) == 0);
        EXPECT(itl_phone_is_locked(phone, &locked), ITL_OK);
        CHECK(locked);
        itl_boot_report_free(report);
        free(tampered.data);
    }
    itl_phone_free(phone);
}

static void empty_servers(const struct file *cfg) {
    struct tftp_server server;
    itl_tftp tftp;
    itl_phone *phone = NULL;
    itl_boot_report *report = NULL;

    printf("== an empty TFTP server, then only an unsigned configuration\n");
    memset(&server, 0, sizeof server);
    tftp.userdata = &server;
    tftp.fetch = tftp_fetch;
    EXPECT(itl_phone_new(DEVICE, &phone), ITL_OK);
    EXPECT(itl_phone_boot(phone, &tftp, NULL, NOW, false, &report), ITL_OK);
    CHECK(itl_boot_report_step_count(report) == 5);
    step_is(report, 3, "ITLFile.tlv", ITL_BOOT_NOT_FOUND, ITL_ERR_NOT_FOUND, ITL_TRUST_NONE);
    /* No trust list: the phone asks for the unsigned configuration. */
    step_is(report, 4, DEVICE ".cnf.xml", ITL_BOOT_NOT_FOUND, ITL_ERR_NOT_FOUND, ITL_TRUST_NONE);
    itl_boot_report_free(report);

    serve(&server, DEVICE ".cnf.xml", cfg); /* any bytes: it is not checked */
    EXPECT(itl_phone_boot(phone, &tftp, NULL, NOW, true, &report), ITL_OK);
    step_is(report, 4, DEVICE ".cnf.xml", ITL_BOOT_CONFIG, ITL_OK, ITL_TRUST_UNSIGNED);
    itl_boot_report_free(report);
    itl_phone_free(phone);

    /* With a trust list installed, an encrypted configuration is asked
     * for by its own name. */
    {
        struct file itl = load("cucm-ITLFile.tlv");
        struct tftp_server only_itl;
        memset(&only_itl, 0, sizeof only_itl);
        serve(&only_itl, "ITLFile.tlv", &itl);
        tftp.userdata = &only_itl;
        EXPECT(itl_phone_new(DEVICE, &phone), ITL_OK);
        EXPECT(itl_phone_boot(phone, &tftp, NULL, NOW, true, &report), ITL_OK);
        step_is(report, 3, "ITLFile.tlv", ITL_BOOT_TRUST_LIST, ITL_OK, ITL_TRUST_FIRST_USE);
        step_is(report, 4, DEVICE ".cnf.xml.enc.sgn", ITL_BOOT_NOT_FOUND, ITL_ERR_NOT_FOUND,
                ITL_TRUST_NONE);
        itl_boot_report_free(report);
        itl_phone_free(phone);
        free(itl.data);
    }
}

/* Step `i` of `report` was refused because the file claimed `size` bytes,
 * over the default 1 MiB limit. */
static void refused_as_too_large(const itl_boot_report *report, size_t i, size_t size) {
    itl_boot_step step;
    char expected[160];
    memset(&step, 0, sizeof step);
    EXPECT(itl_boot_report_step(report, i, &step), ITL_OK);
    snprintf(expected, sizeof expected,
             "refused: the file has %zu bytes, more than the 1048576 the phone accepts", size);
    CHECK(step.result == ITL_ERR_REJECTED && step.reason != NULL &&
          strcmp(step.reason, expected) == 0);
}

static void huge_files(const struct file *ctl) {
    /* A few real bytes, and a length that claims far more: the library
     * must refuse the file from the length alone (reading past these 16
     * bytes is caught by the sanitizers and valgrind; copying 2 GiB or
     * SIZE_MAX bytes aborted the process). */
    static const uint8_t few[16] = {0};
    const size_t sizes[2] = {(size_t)1 << 31, SIZE_MAX};
    size_t k;

    printf("== TFTP callbacks claiming huge files\n");
    for (k = 0; k < 2; k++) {
        struct file huge;
        struct tftp_server server;
        itl_tftp tftp;
        itl_phone *phone = NULL;
        itl_boot_report *report = NULL;
        bool locked = false;

        huge.data = (uint8_t *)few;
        huge.len = sizes[k];
        /* A huge ITL: refused, the phone locked, the configuration too. */
        memset(&server, 0, sizeof server);
        serve(&server, "CTLFile.tlv", ctl);
        serve(&server, "ITLFile.tlv", &huge);
        serve(&server, DEVICE ".cnf.xml.sgn", &huge);
        tftp.userdata = &server;
        tftp.fetch = tftp_fetch;
        EXPECT(itl_phone_new(DEVICE, &phone), ITL_OK);
        EXPECT(itl_phone_boot(phone, &tftp, NULL, NOW, false, &report), ITL_OK);
        CHECK(itl_boot_report_step_count(report) == 5);
        step_is(report, 1, "CTLFile.tlv", ITL_BOOT_TRUST_LIST, ITL_OK, ITL_TRUST_FIRST_USE);
        step_is(report, 3, "ITLFile.tlv", ITL_BOOT_TRUST_LIST, ITL_ERR_REJECTED, ITL_TRUST_NONE);
        refused_as_too_large(report, 3, sizes[k]);
        step_is(report, 4, DEVICE ".cnf.xml.sgn", ITL_BOOT_CONFIG, ITL_ERR_REJECTED,
                ITL_TRUST_NONE);
        EXPECT(itl_phone_is_locked(phone, &locked), ITL_OK);
        CHECK(locked);
        itl_boot_report_free(report);
        itl_phone_free(phone);

        /* A huge configuration on an unlocked phone: refused as such. */
        memset(&server, 0, sizeof server);
        serve(&server, "CTLFile.tlv", ctl);
        serve(&server, DEVICE ".cnf.xml.sgn", &huge);
        EXPECT(itl_phone_new(DEVICE, &phone), ITL_OK);
        EXPECT(itl_phone_boot(phone, &tftp, NULL, NOW, false, &report), ITL_OK);
        step_is(report, 4, DEVICE ".cnf.xml.sgn", ITL_BOOT_CONFIG, ITL_ERR_REJECTED,
                ITL_TRUST_NONE);
        refused_as_too_large(report, 4, sizes[k]);
        itl_boot_report_free(report);
        itl_phone_free(phone);
    }
}

/* A TFTP server whose callback calls back into the phone being booted. */
struct reentry {
    struct tftp_server server;
    itl_phone *phone;
    itl_phone *other;
    const struct file *itl;
    size_t calls;
    bool free_phone;
};

/* The "in use" message of a call refused as re-entrant. */
static bool says_busy(void) {
    return strstr(itl_last_error_message(), "in use by a call on this thread") != NULL;
}

static int32_t reentrant_fetch(void *userdata, const char *name, const uint8_t **data,
                               size_t *len) {
    struct reentry *r = userdata;
    if (r->free_phone) {
        /* The callback frees the phone being booted: the boot goes on
         * with it until it returns. */
        if (r->phone != NULL) {
            itl_phone_free(r->phone);
            r->phone = NULL;
        }
    } else if (r->calls == 0) {
        bool locked = true;
        uint32_t rule = 99;
        size_t index = 0, count = 99;
        char device[ITL_TVS_DEVICE_NAME_SIZE];
        itl_tftp tftp;
        itl_boot_report *report = (itl_boot_report *)&report;
        tftp.userdata = &r->server;
        tftp.fetch = tftp_fetch;
        /* Every kind of call into the same phone: busy, and no effect. */
        EXPECT(itl_phone_is_locked(r->phone, &locked), ITL_ERR_BUSY);
        CHECK(says_busy());
        CHECK(strstr(itl_last_error_message(), "itl_phone_is_locked") != NULL);
        EXPECT(itl_phone_offer_trust_list(r->phone, "ITLFile.tlv", r->itl->data, r->itl->len,
                                          NULL, NOW, &rule, &index),
               ITL_ERR_BUSY);
        CHECK(says_busy());
        CHECK(rule == ITL_TRUST_NONE && index == ITL_NO_INDEX);
        EXPECT(itl_phone_set_model(r->phone, 8841), ITL_ERR_BUSY);
        EXPECT(itl_phone_cached_entries(r->phone, NOW, &count), ITL_ERR_BUSY);
        EXPECT(itl_phone_tvs_device_name(r->phone, device, sizeof device), ITL_ERR_BUSY);
        EXPECT(itl_phone_boot(r->phone, &tftp, NULL, NOW, false, &report), ITL_ERR_BUSY);
        CHECK(report == NULL);
        /* Another phone answers. */
        EXPECT(itl_phone_is_locked(r->other, &locked), ITL_OK);
        CHECK(!locked);
    }
    r->calls++;
    return tftp_fetch(&r->server, name, data, len);
}

/* TVS callbacks that call back into the phone deciding. */
static int32_t reentrant_server_certificate(void *userdata, size_t server, uint8_t *buf,
                                            size_t capacity, size_t *len) {
    struct reentry *r = userdata;
    bool blank = true;
    (void)server;
    (void)buf;
    (void)capacity;
    (void)len;
    EXPECT(itl_phone_has_blank_itl(r->phone, &blank), ITL_ERR_BUSY);
    CHECK(says_busy());
    r->calls++;
    return 1; /* unreachable */
}

static int32_t no_exchange(void *userdata, size_t server, const uint8_t *request,
                           size_t request_len, uint8_t *buf, size_t capacity, size_t *len) {
    (void)userdata;
    (void)server;
    (void)request;
    (void)request_len;
    (void)buf;
    (void)capacity;
    (void)len;
    return 1;
}

static void reentrant_callbacks(const struct file *ctl, const struct file *itl,
                                const struct file *cfg) {
    struct reentry r;
    itl_tftp tftp;
    itl_tvs tvs;
    itl_boot_report *report = NULL;
    char device[ITL_TVS_DEVICE_NAME_SIZE];
    uint32_t rule = 99;
    size_t index = 0;
    bool locked = true;

    printf("== callbacks that call back into their own phone\n");
    memset(&r, 0, sizeof r);
    serve(&r.server, "CTLFile.tlv", ctl);
    serve(&r.server, "ITLFile.tlv", itl);
    serve(&r.server, DEVICE ".cnf.xml.sgn", cfg);
    r.itl = itl;
    tftp.userdata = &r;
    tftp.fetch = reentrant_fetch;
    EXPECT(itl_phone_new(DEVICE, &r.phone), ITL_OK);
    EXPECT(itl_phone_new(DEVICE, &r.other), ITL_OK);
    EXPECT(itl_phone_boot(r.phone, &tftp, NULL, NOW, false, &report), ITL_OK);
    CHECK(r.calls == 5);
    /* The boot itself went as a first boot goes. */
    step_is(report, 1, "CTLFile.tlv", ITL_BOOT_TRUST_LIST, ITL_OK, ITL_TRUST_FIRST_USE);
    step_is(report, 3, "ITLFile.tlv", ITL_BOOT_TRUST_LIST, ITL_OK, ITL_TRUST_CTL_SAST);
    step_is(report, 4, DEVICE ".cnf.xml.sgn", ITL_BOOT_CONFIG, ITL_OK, ITL_TRUST_CTL_TFTP);
    itl_boot_report_free(report);
    /* Once the boot returned, the phone is this thread's again, and the
     * refused calls changed nothing (the model is still 7965). */
    EXPECT(itl_phone_is_locked(r.phone, &locked), ITL_OK);
    CHECK(!locked);
    EXPECT(itl_phone_tvs_device_name(r.phone, device, sizeof device), ITL_OK);
    CHECK(strcmp(device, "CP-7965-" DEVICE) == 0);

    /* TVS callbacks: a certificate no list holds sends the phone to TVS,
     * whose callback calls into the phone: busy; TVS counts as
     * unreachable. */
    {
        struct file directory = load("keys/peer-asterisk.pem");
        const uint8_t *der = NULL;
        size_t der_len = 0;
        itl_signer *holder = NULL;
        EXPECT(itl_signer_from_pem(directory.data, directory.len, &holder), ITL_OK);
        EXPECT(itl_signer_certificate(holder, &der, &der_len), ITL_OK);
        r.calls = 0;
        tvs.userdata = &r;
        tvs.server_certificate = reentrant_server_certificate;
        tvs.exchange = no_exchange;
        EXPECT(itl_phone_check_server_certificate(r.phone, der, der_len, &tvs, NOW, &rule,
                                                  &index),
               ITL_ERR_REJECTED);
        CHECK(strstr(itl_last_error_message(), "no TVS server answered") != NULL);
        CHECK(r.calls == 1);
        itl_signer_free(holder);
        free(directory.data);
    }
    itl_phone_free(r.other);

    /* A callback that frees the phone being booted: the boot finishes on
     * the phone it holds, which is freed when it returns; the pointer is
     * then no live handle. */
    r.free_phone = true;
    r.calls = 0;
    EXPECT(itl_phone_boot(r.phone, &tftp, NULL, NOW, false, &report), ITL_OK);
    CHECK(r.phone == NULL && r.calls == 5);
    CHECK(itl_boot_report_step_count(report) == 5);
    itl_boot_report_free(report);
}

static void batch(void) {
    static const char *const NAMES[] = {
        "cucm-ITLFile.tlv",   "cucm-CTLFile-tokenless.tlv", "bad-signature-byte.tlv",
        "bad-truncated.tlv",  "cucm-ITLFile-reset.tlv",     "peer-ITLFile-sha512-v1.1.tlv",
        "cucm-ITLFile.tlv",
    };
    enum { N = sizeof NAMES / sizeof NAMES[0] };
    static const itl_result CODES[N] = {ITL_OK,     ITL_OK, ITL_ERR_VERIFY, ITL_ERR_PARSE,
                                        ITL_OK,     ITL_OK, ITL_OK};
    struct file files[N];
    const uint8_t *data[N];
    size_t lens[N], i, verified_count = 0, cached = 99;
    itl_result results[N];
    itl_verified verified[N];
    itl_verifier *verifier = (itl_verifier *)&verifier;
    itl_verified one;

    printf("== the batch verifier\n");
    for (i = 0; i < N; i++) {
        files[i] = load(NAMES[i]);
        data[i] = files[i].data;
        lens[i] = files[i].len;
    }
    EXPECT(itl_verifier_new(itl_policy_default(), ITL_VERIFIER_DEFAULT_CACHE_LIMIT, &verifier),
           ITL_OK);
    EXPECT(itl_verifier_cached_keys(verifier, &cached), ITL_OK);
    CHECK(cached == 0);
    EXPECT(itl_verifier_verify_many(verifier, data, lens, N, results, verified, &verified_count),
           ITL_OK);
    CHECK(verified_count == 5);
    for (i = 0; i < N; i++) {
        printf("   %-30s %-16s signer %zu, digest %u, %zu bits\n", NAMES[i],
               itl_result_name(results[i]), verified[i].signer_index, verified[i].digest,
               verified[i].key_bits);
        CHECK(results[i] == CODES[i]);
        CHECK(verified[i].anchor_index == ITL_NO_INDEX);
        if (results[i] != ITL_OK) {
            CHECK(verified[i].signer_index == ITL_NO_INDEX && verified[i].key_bits == 0 &&
                  verified[i].digest == 0);
        }
    }
    /* What each list holds (manifest.json): the CUCM lists are signed by
     * their record 0 with SHA-1 and a 1024-bit key (128-byte signatures),
     * the reset ITL by its ITLRECOVERY record 4, the peer's ITL with
     * SHA-512 and a 2048-bit key. */
    CHECK(verified[0].signer_index == 0 && verified[0].digest == ITL_DIGEST_SHA1 &&
          verified[0].key_bits == 1024);
    CHECK(verified[6].signer_index == 0 && verified[6].key_bits == 1024);
    CHECK(verified[1].signer_index == 0 && verified[1].digest == ITL_DIGEST_SHA1);
    CHECK(verified[4].signer_index == 4 && verified[4].key_bits == 1024);
    CHECK(verified[5].signer_index == 0 && verified[5].digest == ITL_DIGEST_SHA512 &&
          verified[5].key_bits == 2048);
    /* One key per distinct signing record: the ITL twice is one. */
    EXPECT(itl_verifier_cached_keys(verifier, &cached), ITL_OK);
    CHECK(cached == 4);
    /* One list, with its message. */
    EXPECT(itl_verifier_verify(verifier, data[2], lens[2], &one), ITL_ERR_VERIFY);
    CHECK(strstr(itl_last_error_message(), "signature") != NULL);
    CHECK(one.signer_index == ITL_NO_INDEX);
    EXPECT(itl_verifier_verify(verifier, data[0], lens[0], &one), ITL_OK);
    CHECK(one.signer_index == 0 && one.key_bits == 1024);
    EXPECT(itl_verifier_cached_keys(verifier, &cached), ITL_OK);
    CHECK(cached == 4);
    /* Nothing to verify. */
    EXPECT(itl_verifier_verify_many(verifier, NULL, NULL, 0, NULL, NULL, &verified_count),
           ITL_OK);
    CHECK(verified_count == 0);
    itl_verifier_free(verifier);

    /* A cache limit of 1: one key remembered, the rest still checked. */
    EXPECT(itl_verifier_new(itl_policy_default(), 1, &verifier), ITL_OK);
    EXPECT(itl_verifier_verify_many(verifier, data, lens, N, results, NULL, &verified_count),
           ITL_OK);
    CHECK(verified_count == 5 && results[4] == ITL_OK && results[2] == ITL_ERR_VERIFY);
    EXPECT(itl_verifier_cached_keys(verifier, &cached), ITL_OK);
    CHECK(cached == 1);
    itl_verifier_free(verifier);

    /* The strict policy refuses SHA-1: only the SHA-512 list passes. */
    EXPECT(itl_verifier_new(itl_policy_strict(), 0, &verifier), ITL_OK);
    EXPECT(itl_verifier_verify_many(verifier, data, lens, N, results, verified, &verified_count),
           ITL_OK);
    CHECK(verified_count == 1 && results[5] == ITL_OK && results[0] == ITL_ERR_POLICY &&
          results[3] == ITL_ERR_PARSE);
    EXPECT(itl_verifier_cached_keys(verifier, &cached), ITL_OK);
    CHECK(cached == 0);
    itl_verifier_free(verifier);

    /* Trusting certificates: the CUCM ITL verifies against its signer's
     * certificate (the second one given), the others do not. The list's
     * own record naming that signer is still reported. */
    {
        struct file capf = load("keys/capf.pem");
        struct file cm = load("keys/callmanager-pub.pem");
        const uint8_t *certs[2];
        size_t cert_lens[2];
        certs[0] = capf.data;
        cert_lens[0] = capf.len;
        certs[1] = cm.data;
        cert_lens[1] = cm.len;
        EXPECT(itl_verifier_new_trusting(itl_policy_default(), 16, certs, cert_lens, 2, &verifier),
               ITL_OK);
        EXPECT(itl_verifier_verify_many(verifier, data, lens, N, results, verified,
                                        &verified_count),
               ITL_OK);
        CHECK(results[0] == ITL_OK && verified[0].anchor_index == 1 &&
              verified[0].signer_index == 0 && verified[0].key_bits == 1024);
        CHECK(results[4] == ITL_ERR_VERIFY && results[5] == ITL_ERR_VERIFY);
        itl_verifier_free(verifier);
        /* An unusable certificate is named. */
        cert_lens[0] = 10;
        EXPECT(itl_verifier_new_trusting(itl_policy_default(), 16, certs, cert_lens, 2, &verifier),
               ITL_ERR_BAD_KEY_OR_CERTIFICATE);
        CHECK(verifier == NULL && strstr(itl_last_error_message(), "certificate 0") != NULL);
        free(capf.data);
        free(cm.data);
    }
    for (i = 0; i < N; i++) {
        free(files[i].data);
    }
}

int main(void) {
    struct file ctl = load("cucm-CTLFile-tokenless.tlv");
    struct file itl = load("cucm-ITLFile.tlv");
    struct file cfg = load("cucm-SEP0011215A1AE3.cnf.xml.sgn");

    first_boot(&ctl, &itl, &cfg);
    empty_servers(&cfg);
    huge_files(&ctl);
    reentrant_callbacks(&ctl, &itl, &cfg);
    batch();

    free(ctl.data);
    free(itl.data);
    free(cfg.data);
    itl_thread_cleanup();
    return finish("boot_verify_test");
}
