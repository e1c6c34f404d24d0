/*
 * misuse_test: the C API given what a careless or hostile caller gives it
 * (NULL pointers, zero and overflowing lengths, invalid UTF-8, handles of
 * the wrong kind, freed handles, double frees, wrong passwords, garbage
 * PKCS#12 files, indexes past the end, buffers too small) must answer with
 * an error code and a message, never crash, leak or read freed memory.
 * Run under valgrind and the sanitizers by .ci/test-c.
 *
 * Also checks the codes of ordinary outcomes (verified, tampered, policy,
 * not found) and that the error message is reset by a success.
 *
 * Exit status 0 when every check passed.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cisco_itl.h"
#include "test_checks.h"
#include "test_vectors.h"

/* The last error message contains `part`. */
static int says(const char *part) {
    return strstr(itl_last_error_message(), part) != NULL;
}

static int32_t failing_writer(void *userdata, const uint8_t *data, size_t len) {
    (void)data;
    (void)len;
    ++*(int *)userdata;
    return -1;
}

static int32_t counting_writer(void *userdata, const uint8_t *data, size_t len) {
    (void)data;
    *(size_t *)userdata += len;
    return 0;
}

static void results_and_messages(void) {
    char version[32];
    snprintf(version, sizeof version, "%d.%d.%d", ITL_VERSION_MAJOR, ITL_VERSION_MINOR,
             ITL_VERSION_PATCH);
    CHECK(strcmp(itl_version(), version) == 0);
    CHECK(ITL_VERSION_NUMBER == ITL_VERSION_MAJOR * 10000 + ITL_VERSION_MINOR * 100 + ITL_VERSION_PATCH);
    CHECK(itl_last_error_message() != NULL);
    CHECK(strcmp(itl_result_name(ITL_OK), "ITL_OK") == 0);
    CHECK(strcmp(itl_result_name(ITL_ERR_PANIC), "ITL_ERR_PANIC") == 0);
    /* Codes are only ever added at the end. */
    CHECK(ITL_ERR_PANIC == 14 && ITL_ERR_NETWORK == 15 && ITL_ERR_BUSY == 16 &&
          ITL_ERR_DECRYPT == 17 && ITL_ERR_CAPF_REFUSED == 18 && ITL_ERR_SERVER_NOT_TRUSTED == 19);
    CHECK(strcmp(itl_result_name(ITL_ERR_NETWORK), "ITL_ERR_NETWORK") == 0);
    CHECK(strcmp(itl_result_name(ITL_ERR_BUSY), "ITL_ERR_BUSY") == 0);
    CHECK(strcmp(itl_result_name(ITL_ERR_DECRYPT), "ITL_ERR_DECRYPT") == 0);
    CHECK(strcmp(itl_result_name(ITL_ERR_CAPF_REFUSED), "ITL_ERR_CAPF_REFUSED") == 0);
    CHECK(strcmp(itl_result_name(ITL_ERR_SERVER_NOT_TRUSTED), "ITL_ERR_SERVER_NOT_TRUSTED") == 0);
    CHECK(strcmp(itl_result_name(20), "ITL_UNKNOWN_RESULT") == 0);
    CHECK(strcmp(itl_result_name(12345), "ITL_UNKNOWN_RESULT") == 0);
    CHECK(strcmp(itl_function_name(ITL_FUNCTION_CCM_TFTP), "CCM+TFTP") == 0);
    CHECK(strcmp(itl_function_name(999), "UNKNOWN") == 0);
    CHECK(strcmp(itl_digest_name(ITL_DIGEST_SHA256), "sha256") == 0);
    CHECK(itl_policy_default().allow_sha1 && itl_policy_default().min_key_bits == 1024);
    CHECK(!itl_policy_strict().allow_sha1 && itl_policy_strict().min_key_bits == 2048);
}

static void nulls_and_lengths(const struct file *itl) {
    itl_trust_list *list = (itl_trust_list *)&list; /* must be overwritten */
    itl_signed_file *sgn = NULL;
    char *text = (char *)&text;
    size_t index = 0;
    uint32_t kind = 0;
    bool flag = false;

    EXPECT(itl_trust_list_parse(NULL, 10, &list), ITL_ERR_NULL_ARGUMENT);
    CHECK(list == NULL);
    CHECK(says("itl_trust_list_parse: `data` is NULL"));
    EXPECT(itl_trust_list_parse(itl->data, itl->len, NULL), ITL_ERR_NULL_ARGUMENT);
    EXPECT(itl_trust_list_parse(NULL, 0, &list), ITL_ERR_NULL_ARGUMENT);
    /* A zero length is an empty file, which does not parse. */
    EXPECT(itl_trust_list_parse(itl->data, 0, &list), ITL_ERR_PARSE);
    CHECK(list == NULL && strcmp(itl_last_error_message(), "the file is empty") == 0);
    EXPECT(itl_signed_file_parse(itl->data, 0, &sgn), ITL_ERR_PARSE);
    /* Lengths that overflow the address space are refused before any read. */
    EXPECT(itl_trust_list_parse(itl->data, SIZE_MAX, &list), ITL_ERR_INVALID_ARGUMENT);
    CHECK(says("overflows"));
    EXPECT(itl_trust_list_parse(itl->data, SIZE_MAX / 2 + 1, &list), ITL_ERR_INVALID_ARGUMENT);
    EXPECT(itl_show(itl->data, SIZE_MAX - 3, &text), ITL_ERR_INVALID_ARGUMENT);
    CHECK(text == NULL);
    /* A short prefix: truncated. */
    EXPECT(itl_trust_list_parse(itl->data, 3, &list), ITL_ERR_PARSE);
    CHECK(says("truncated"));

    EXPECT(itl_trust_list_verify(NULL, &index), ITL_ERR_NULL_ARGUMENT);
    CHECK(itl_trust_list_record_count(NULL) == 0);
    CHECK(says("itl_trust_list_record_count"));
    EXPECT(itl_show(NULL, 0, &text), ITL_ERR_NULL_ARGUMENT);
    EXPECT(itl_show(itl->data, itl->len, NULL), ITL_ERR_NULL_ARGUMENT);
    EXPECT(itl_show_write(itl->data, itl->len, ITL_LIST_ITL, NULL, NULL), ITL_ERR_NULL_ARGUMENT);
    EXPECT(itl_is_signed_file(itl->data, itl->len, NULL), ITL_ERR_NULL_ARGUMENT);
    EXPECT(itl_list_kind_from_filename(NULL, &kind), ITL_ERR_NULL_ARGUMENT);
    EXPECT(itl_trust_text(ITL_TRUST_FIRST_USE, 0, NULL), ITL_ERR_NULL_ARGUMENT);

    /* The empty file shows as an unparsable list, with text. */
    EXPECT(itl_show(itl->data, 0, &text), ITL_ERR_PARSE);
    CHECK(text != NULL && strstr(text, "Error parsing the ITL file!!") != NULL);
    itl_string_free(text);
    EXPECT(itl_is_signed_file(itl->data, 0, &flag), ITL_OK);
    CHECK(!flag);

    /* _free(NULL) is a no-op and leaves the message alone. */
    EXPECT(itl_trust_list_parse(NULL, 0, &list), ITL_ERR_NULL_ARGUMENT);
    itl_trust_list_free(NULL);
    itl_signed_file_free(NULL);
    itl_signer_free(NULL);
    itl_builder_free(NULL);
    itl_phone_free(NULL);
    itl_verifier_free(NULL);
    itl_boot_report_free(NULL);
    itl_string_free(NULL);
    itl_bytes_free(NULL);
    CHECK(says("`data` is NULL"));
    /* A success clears it. */
    EXPECT(itl_list_kind_from_filename("dir/CTLSEP0011215A1AE3.tlv", &kind), ITL_OK);
    CHECK(kind == ITL_LIST_CTL && strcmp(itl_last_error_message(), "") == 0);
}

static void invalid_utf8(const struct file *p12) {
    itl_phone *phone = NULL;
    itl_signer *signer = NULL;
    uint32_t kind;
    EXPECT(itl_phone_new("SEP\xff\xfe", &phone), ITL_ERR_INVALID_ARGUMENT);
    CHECK(phone == NULL && says("UTF-8"));
    EXPECT(itl_signer_from_pkcs12(p12->data, p12->len, "\xc3\x28", &signer), ITL_ERR_INVALID_ARGUMENT);
    CHECK(signer == NULL);
    EXPECT(itl_list_kind_from_filename("\x80ITLFile.tlv", &kind), ITL_ERR_INVALID_ARGUMENT);
}

static void handles(const struct file *itl, const struct file *sgn_file) {
    itl_trust_list *a = NULL, *b = NULL, *c = NULL;
    itl_signed_file *sgn = NULL;
    const itl_header *header = NULL;
    const itl_record *record = NULL;
    const char *subject = NULL;
    char *text = NULL;
    size_t index = 0, count = 0;
    int stray = 0;

    EXPECT(itl_trust_list_parse(itl->data, itl->len, &a), ITL_OK);
    EXPECT(itl_trust_list_parse(itl->data, itl->len, &b), ITL_OK);
    EXPECT(itl_trust_list_parse(itl->data, itl->len, &c), ITL_OK);
    EXPECT(itl_signed_file_parse(sgn_file->data, sgn_file->len, &sgn), ITL_OK);
    CHECK(a != NULL && b != NULL && c != NULL && a != b && sgn != NULL);
    EXPECT(itl_trust_list_header(a, &header), ITL_OK);
    EXPECT(itl_trust_list_record(a, 0, &record), ITL_OK);

    /* A handle of the wrong kind. */
    EXPECT(itl_trust_list_verify((const itl_trust_list *)sgn, &index), ITL_ERR_BAD_HANDLE);
    CHECK(says("itl_signed_file") && says("itl_trust_list"));
    EXPECT(itl_record_subject((const itl_record *)header, &subject), ITL_ERR_BAD_HANDLE);
    EXPECT(itl_header_filename((const itl_header *)record, &subject), ITL_ERR_BAD_HANDLE);
    EXPECT(itl_header_filename((const itl_header *)a, &subject), ITL_ERR_BAD_HANDLE);
    EXPECT(itl_signed_file_payload((const itl_signed_file *)a, (const uint8_t **)&subject, &count),
           ITL_ERR_BAD_HANDLE);
    EXPECT(itl_phone_is_locked((const itl_phone *)b, (bool *)&stray), ITL_ERR_BAD_HANDLE);
    /* A pointer the library never gave out is not read. */
    CHECK(itl_trust_list_record_count((const itl_trust_list *)&stray) == 0);
    CHECK(says("not a live itl_trust_list"));
    EXPECT(itl_record_function((const itl_record *)&stray, (uint16_t *)&stray), ITL_ERR_BAD_HANDLE);
    /* The wrong _free function, or a borrowed handle, frees nothing. */
    itl_signed_file_free((itl_signed_file *)a);
    CHECK(says("nothing freed"));
    itl_trust_list_free((itl_trust_list *)header);
    CHECK(says("nothing freed"));
    itl_trust_list_free((itl_trust_list *)&stray);
    CHECK(says("nothing freed"));
    CHECK(itl_trust_list_record_count(a) == 6);
    EXPECT(itl_record_subject(record, &subject), ITL_OK);
    CHECK(subject != NULL && strncmp(subject, "CN=", 3) == 0);
    /* A borrowed string is not the caller's to free. */
    itl_string_free((char *)subject);
    CHECK(says("nothing freed"));
    EXPECT(itl_record_subject(record, &subject), ITL_OK);

    /* Freed handles, and the handles borrowed from them, are refused. */
    itl_trust_list_free(a);
    CHECK(strcmp(itl_last_error_message(), "") == 0);
    EXPECT(itl_trust_list_verify(a, &index), ITL_ERR_BAD_HANDLE);
    CHECK(says("not a live itl_trust_list"));
    EXPECT(itl_header_filename(header, &subject), ITL_ERR_BAD_HANDLE);
    EXPECT(itl_record_subject(record, &subject), ITL_ERR_BAD_HANDLE);
    /* Double frees of distinct handles: each reported, nothing else hurt. */
    itl_trust_list_free(b);
    itl_trust_list_free(a);
    CHECK(says("nothing freed"));
    itl_trust_list_free(b);
    CHECK(says("nothing freed"));
    itl_signed_file_free(sgn);
    itl_signed_file_free(sgn);
    CHECK(says("nothing freed"));
    CHECK(itl_trust_list_record_count(c) == 6);
    EXPECT(itl_trust_list_verify(c, &index), ITL_OK);
    CHECK(index == 0);

    /* Strings and buffers: freed once, by the right function. */
    EXPECT(itl_show(itl->data, itl->len, &text), ITL_OK);
    itl_bytes_free((uint8_t *)text);
    CHECK(says("nothing freed"));
    itl_string_free(text);
    itl_string_free(text);
    CHECK(says("nothing freed"));
    itl_trust_list_free(c);
}

static void accessors(const struct file *itl, const struct file *ctl) {
    itl_trust_list *list = NULL, *installed = NULL;
    const itl_header *header = NULL;
    const itl_record *record = NULL;
    const char *name = NULL;
    const uint8_t *data = (const uint8_t *)&data;
    size_t len = 99, index = 0, count = 0, i, tvs = SIZE_MAX;
    uint16_t functions[4], function = 0;
    const uint16_t tftp[] = {ITL_FUNCTION_CCM_TFTP, ITL_FUNCTION_TFTP};
    uint8_t major = 0, minor = 0, digest = 0, algorithm = 9, modulus = 9;
    uint32_t kind = 9, timestamp = 0;
    bool has = false;

    EXPECT(itl_trust_list_parse(itl->data, itl->len, &list), ITL_OK);
    CHECK(itl_trust_list_record_count(list) == 6);
    EXPECT(itl_trust_list_kind(list, &kind), ITL_OK);
    CHECK(kind == ITL_LIST_ITL);
    EXPECT(itl_trust_list_bytes(list, &data, &len), ITL_OK);
    CHECK(len == itl->len && memcmp(data, itl->data, len) == 0 && data != itl->data);
    EXPECT(itl_trust_list_header(list, &header), ITL_OK);
    EXPECT(itl_header_version(header, &major, &minor), ITL_OK);
    CHECK(major == 1 && minor == 2);
    EXPECT(itl_header_filename(header, &name), ITL_OK);
    CHECK(strcmp(name, "ITLFile.tlv") == 0);
    EXPECT(itl_header_signer_name(header, &name), ITL_OK);
    CHECK(strncmp(name, "CN=cucm-1051-a-pub;", 19) == 0);
    EXPECT(itl_header_signature_info(header, &digest, &algorithm, &modulus), ITL_OK);
    CHECK(digest == ITL_DIGEST_SHA1 && algorithm == 0 && modulus == 1);
    EXPECT(itl_header_length(header, &len), ITL_OK);
    CHECK(len == 336);
    EXPECT(itl_header_timestamp(header, &timestamp), ITL_OK);
    CHECK(timestamp > 1000000000u);
    EXPECT(itl_header_signer_version(header, &major, &minor), ITL_ERR_NOT_FOUND);
    EXPECT(itl_trust_list_signer_record(list, &index), ITL_OK);
    CHECK(index == 0);

    /* Records: the TVS one has a CERTHASH and no certificate. */
    for (i = 0; i < itl_trust_list_record_count(list); i++) {
        EXPECT(itl_trust_list_record(list, i, &record), ITL_OK);
        EXPECT(itl_record_function(record, &function), ITL_OK);
        if (function == ITL_FUNCTION_TVS) {
            tvs = i;
        }
    }
    CHECK(tvs != SIZE_MAX);
    EXPECT(itl_trust_list_record(list, tvs, &record), ITL_OK);
    EXPECT(itl_record_certificate(record, &data, &len), ITL_ERR_NOT_FOUND);
    CHECK(data == NULL && len == 0 && says("CERTIFICATE"));
    EXPECT(itl_record_cert_hash(record, &data, &len), ITL_OK);
    CHECK(data != NULL && len == 20);
    EXPECT(itl_record_hash_algorithm(record, &algorithm), ITL_OK);
    CHECK(algorithm == 1);
    EXPECT(itl_record_has_function(record, ITL_FUNCTION_TVS, &has), ITL_OK);
    CHECK(has);
    /* Buffers too small, and the size query. */
    EXPECT(itl_record_functions(record, NULL, 0, &count), ITL_ERR_BUFFER_TOO_SMALL);
    CHECK(count == 1);
    EXPECT(itl_record_functions(record, functions, 4, &count), ITL_OK);
    CHECK(count == 1 && functions[0] == ITL_FUNCTION_TVS);
    EXPECT(itl_record_functions(record, NULL, 4, &count), ITL_ERR_NULL_ARGUMENT);
    /* Indexes past the end. */
    EXPECT(itl_trust_list_record(list, 6, &record), ITL_ERR_INVALID_ARGUMENT);
    CHECK(record == NULL && says("past the last record"));
    EXPECT(itl_trust_list_record(list, SIZE_MAX, &record), ITL_ERR_INVALID_ARGUMENT);

    /* Verification against the installed CTL and a certificate. */
    EXPECT(itl_trust_list_parse(ctl->data, ctl->len, &installed), ITL_OK);
    EXPECT(itl_trust_list_verify_with_list(list, installed, tftp, 1, itl_policy_default(), &index),
           ITL_OK);
    EXPECT(itl_trust_list_verify_with_list(list, installed, tftp, 0, itl_policy_default(), &index),
           ITL_ERR_INVALID_ARGUMENT);
    EXPECT(itl_trust_list_verify_with_list(list, installed, NULL, 1, itl_policy_default(), &index),
           ITL_ERR_NULL_ARGUMENT);
    EXPECT(itl_trust_list_verify_with_policy(list, itl_policy_strict(), &index), ITL_ERR_POLICY);
    CHECK(says("the policy refuses"));
    EXPECT(itl_trust_list_check_records(list, &index), ITL_OK);
    itl_trust_list_free(installed);
    itl_trust_list_free(list);
}

static void show_and_streams(const struct file *itl, const struct file *tampered,
                             const struct file *sgn) {
    char *text = NULL;
    size_t total = 0;
    int calls = 0;
    bool is_signed = false;
    itl_trust_list *list = NULL;
    size_t index = 0;

    EXPECT(itl_show(itl->data, itl->len, &text), ITL_OK);
    CHECK(text != NULL && strstr(text, "The ITL file was verified successfully.") != NULL);
    itl_string_free(text);
    EXPECT(itl_show(tampered->data, tampered->len, &text), ITL_ERR_VERIFY);
    CHECK(text != NULL && strstr(text, "Verification of the ITL file failed.") != NULL);
    CHECK(says("the signature does not verify"));
    itl_string_free(text);
    EXPECT(itl_trust_list_parse(tampered->data, tampered->len, &list), ITL_OK);
    EXPECT(itl_trust_list_verify(list, &index), ITL_ERR_VERIFY);
    itl_trust_list_free(list);
    EXPECT(itl_show_kind(itl->data, itl->len, 7, &text), ITL_ERR_INVALID_ARGUMENT);
    CHECK(text == NULL);
    EXPECT(itl_show_kind((const uint8_t *)"garbage", 7, ITL_LIST_CTL, &text), ITL_ERR_PARSE);
    CHECK(text != NULL && strstr(text, "Parse CTL File") != NULL);
    itl_string_free(text);
    /* The streamed text is the same length as the collected one. */
    EXPECT(itl_show_write(itl->data, itl->len, ITL_LIST_ITL, counting_writer, &total), ITL_OK);
    EXPECT(itl_show(itl->data, itl->len, &text), ITL_OK);
    CHECK(text != NULL && total == strlen(text));
    itl_string_free(text);
    /* A writer that fails stops the rendering at once. */
    EXPECT(itl_show_write(itl->data, itl->len, ITL_LIST_ITL, failing_writer, &calls),
           ITL_ERR_WRITE);
    CHECK(calls == 1);
    EXPECT(itl_show_signed_file_write(sgn->data, sgn->len, failing_writer, &calls), ITL_ERR_WRITE);
    /* Signed files. */
    EXPECT(itl_is_signed_file(sgn->data, sgn->len, &is_signed), ITL_OK);
    CHECK(is_signed);
    EXPECT(itl_show_signed_file(sgn->data, sgn->len, &text), ITL_OK);
    CHECK(text != NULL && strstr(text, "Filename: SEP0011215A1AE3.cnf.xml.sgn") != NULL);
    itl_string_free(text);
    EXPECT(itl_show_signed_file(sgn->data, 5, &text), ITL_ERR_PARSE);
    itl_string_free(text);
}

static void signed_files(const struct file *sgn_file, const struct file *itl) {
    itl_signed_file *sgn = NULL;
    itl_trust_list *list = NULL;
    const uint16_t tftp[] = {ITL_FUNCTION_CCM_TFTP, ITL_FUNCTION_TFTP};
    const uint8_t *payload = NULL;
    size_t len = 0, index = SIZE_MAX;

    EXPECT(itl_signed_file_parse(sgn_file->data, sgn_file->len, &sgn), ITL_OK);
    EXPECT(itl_trust_list_parse(itl->data, itl->len, &list), ITL_OK);
    EXPECT(itl_signed_file_verify_with_list(sgn, list, tftp, 2, itl_policy_default(), &index),
           ITL_OK);
    CHECK(index != SIZE_MAX);
    EXPECT(itl_signed_file_payload(sgn, &payload, &len), ITL_OK);
    CHECK(len > 0 && payload[0] == '<');
    /* Only TVS records (and an unknown function): none signed it. */
    {
        const uint16_t tvs[] = {ITL_FUNCTION_TVS, 999};
        EXPECT(itl_signed_file_verify_with_list(sgn, list, tvs, 2, itl_policy_default(), &index),
               ITL_ERR_VERIFY);
        CHECK(says("not among the trusted"));
    }
    /* A trust list is not a signed file's list (wrong kind). */
    EXPECT(itl_signed_file_verify_with_list(sgn, (const itl_trust_list *)sgn, tftp, 2,
                                            itl_policy_default(), &index),
           ITL_ERR_BAD_HANDLE);
    itl_trust_list_free(list);
    itl_signed_file_free(sgn);
}

static void keys_and_passwords(const struct file *p12, const struct file *itl,
                               const struct file *pem, const struct file *tampered,
                               const struct file *reset) {
    itl_signer *signer = (itl_signer *)&signer;
    itl_trust_list *list = NULL, *bad = NULL;
    uint8_t *out = (uint8_t *)&out;
    size_t out_len = 99;
    const uint8_t garbage[] = {0x30, 0x82, 0x01, 0x00, 0xde, 0xad, 0xbe, 0xef};

    EXPECT(itl_signer_from_pkcs12(p12->data, p12->len, "not the password", &signer),
           ITL_ERR_WRONG_PASSWORD);
    CHECK(signer == NULL && says("wrong password"));
    EXPECT(itl_signer_from_pkcs12(p12->data, p12->len, "", &signer), ITL_ERR_WRONG_PASSWORD);
    EXPECT(itl_signer_from_pkcs12(garbage, sizeof garbage, "x", &signer),
           ITL_ERR_BAD_KEY_OR_CERTIFICATE);
    EXPECT(itl_signer_from_pkcs12(itl->data, itl->len, "x", &signer),
           ITL_ERR_BAD_KEY_OR_CERTIFICATE);
    EXPECT(itl_signer_from_pkcs12(p12->data, 0, "x", &signer), ITL_ERR_BAD_KEY_OR_CERTIFICATE);
    EXPECT(itl_signer_from_pkcs12(p12->data, p12->len / 2, "Cluster-Security-Pw1", &signer),
           ITL_ERR_BAD_KEY_OR_CERTIFICATE);
    EXPECT(itl_signer_from_pem(garbage, sizeof garbage, &signer), ITL_ERR_BAD_KEY_OR_CERTIFICATE);
    EXPECT(itl_signer_from_pem(pem->data, 0, &signer), ITL_ERR_BAD_KEY_OR_CERTIFICATE);
    EXPECT(itl_signer_from_pkcs12(p12->data, p12->len, "Cluster-Security-Pw1", &signer), ITL_OK);
    itl_signer_free(signer);

    EXPECT(itl_trust_list_parse(itl->data, itl->len, &list), ITL_OK);
    EXPECT(itl_recovery_reset_trusting(list, p12->data, p12->len, "wrong", pem->data, pem->len,
                                       &out, &out_len),
           ITL_ERR_WRONG_PASSWORD);
    CHECK(out == NULL && out_len == 0);
    EXPECT(itl_recovery_reset_trusting(list, garbage, sizeof garbage, "wrong", pem->data,
                                       pem->len, &out, &out_len),
           ITL_ERR_BAD_KEY_OR_CERTIFICATE);
    EXPECT(itl_recovery_reset_trusting(list, p12->data, p12->len, NULL, pem->data, pem->len,
                                       &out, &out_len),
           ITL_ERR_NULL_ARGUMENT);
    /* Trust is required: no certificate, no list. */
    EXPECT(itl_recovery_reset_trusting(list, p12->data, p12->len, "Cluster-Security-Pw1", NULL,
                                       0, &out, &out_len),
           ITL_ERR_NULL_ARGUMENT);
    EXPECT(itl_recovery_reset_trusting_list(list, p12->data, p12->len, "Cluster-Security-Pw1",
                                            NULL, &out, &out_len),
           ITL_ERR_NULL_ARGUMENT);
    CHECK(out == NULL && out_len == 0);
    /* A tampered ITL is not laundered through the recovery key. */
    EXPECT(itl_trust_list_parse(tampered->data, tampered->len, &bad), ITL_OK);
    EXPECT(itl_recovery_reset_trusting(bad, p12->data, p12->len, "Cluster-Security-Pw1",
                                       pem->data, pem->len, &out, &out_len),
           ITL_ERR_VERIFY);
    CHECK(says("is not re-signed"));
    /* A trusted certificate that is not one. */
    EXPECT(itl_recovery_reset_trusting(list, p12->data, p12->len, "Cluster-Security-Pw1",
                                       garbage, sizeof garbage, &out, &out_len),
           ITL_ERR_BAD_KEY_OR_CERTIFICATE);
    EXPECT(itl_recovery_reset_trusting(list, p12->data, p12->len, "Cluster-Security-Pw1",
                                       (const uint8_t *)"-----BEGIN", 10, &out, &out_len),
           ITL_ERR_BAD_KEY_OR_CERTIFICATE);
    EXPECT(itl_recovery_reset_trusting(list, p12->data, p12->len, "Cluster-Security-Pw1",
                                       pem->data, pem->len, &out, &out_len),
           ITL_OK);
    /* Byte for byte what CUCM's `utils itl reset` wrote. */
    CHECK(out != NULL && out_len == reset->len && memcmp(out, reset->data, out_len) == 0);
    itl_bytes_free(out);
    itl_bytes_free(out);
    CHECK(says("nothing freed"));
    /* The ITL given as its own trust: a list never vouches for itself. */
    EXPECT(itl_recovery_reset_trusting_list(list, p12->data, p12->len, "Cluster-Security-Pw1",
                                            list, &out, &out_len),
           ITL_ERR_VERIFY);
    CHECK(out == NULL && out_len == 0 && says("cannot vouch for itself"));
    /* Trusting another list that holds the signer (the reset ITL): the same bytes. */
    {
        itl_trust_list *other = NULL;
        EXPECT(itl_trust_list_parse(reset->data, reset->len, &other), ITL_OK);
        EXPECT(itl_recovery_reset_trusting_list(list, p12->data, p12->len,
                                                "Cluster-Security-Pw1", other, &out, &out_len),
               ITL_OK);
        CHECK(out != NULL && out_len == reset->len && memcmp(out, reset->data, out_len) == 0);
        itl_bytes_free(out);
        itl_trust_list_free(other);
    }
    itl_trust_list_free(bad);
    itl_trust_list_free(list);
}

/* The attacker's ITL: their own certificate as SAST and CCM+TFTP, and the
 * cluster's public ITLRECOVERY certificate copied from the genuine ITL,
 * signed by themselves. It verifies against itself; the recovery key must
 * never re-sign it, whatever the caller trusts that is the cluster's. */
static void no_laundering(const struct file *p12, const struct file *itl,
                          const struct file *ctl, const struct file *pem) {
    struct file evil_pem = load("keys/peer-asterisk.pem");
    itl_trust_list *genuine = NULL, *installed_ctl = NULL, *forged = NULL;
    const itl_record *recovery_record = NULL;
    const uint8_t *recovery_der = NULL, *evil_der = NULL;
    size_t recovery_len = 0, evil_len = 0, signer_index = 99;
    itl_signer *evil = NULL;
    itl_builder *builder = NULL;
    uint8_t *forged_bytes = NULL, *out = NULL;
    size_t forged_len = 0, out_len = 0;

    EXPECT(itl_trust_list_parse(itl->data, itl->len, &genuine), ITL_OK);
    EXPECT(itl_trust_list_parse(ctl->data, ctl->len, &installed_ctl), ITL_OK);
    EXPECT(itl_trust_list_record(genuine, 4, &recovery_record), ITL_OK);
    EXPECT(itl_record_certificate(recovery_record, &recovery_der, &recovery_len), ITL_OK);
    {
        /* Record fields point into the list's own bytes: no copy. */
        const uint8_t *list_bytes = NULL;
        size_t list_len = 0;
        EXPECT(itl_trust_list_bytes(genuine, &list_bytes, &list_len), ITL_OK);
        CHECK(recovery_der >= list_bytes && recovery_der + recovery_len <= list_bytes + list_len);
    }
    EXPECT(itl_signer_from_pem(evil_pem.data, evil_pem.len, &evil), ITL_OK);
    EXPECT(itl_signer_certificate(evil, &evil_der, &evil_len), ITL_OK);
    EXPECT(itl_builder_new(ITL_LIST_ITL, &builder), ITL_OK);
    EXPECT(itl_builder_set_timestamp(builder, 1900000000u), ITL_OK);
    EXPECT(itl_builder_add_record(builder, evil_der, evil_len, ITL_FUNCTION_SAST), ITL_OK);
    EXPECT(itl_builder_add_record(builder, evil_der, evil_len, ITL_FUNCTION_CCM_TFTP), ITL_OK);
    EXPECT(itl_builder_add_record(builder, recovery_der, recovery_len, ITL_FUNCTION_SAST), ITL_OK);
    EXPECT(itl_builder_sign(builder, evil, &forged_bytes, &forged_len), ITL_OK);
    EXPECT(itl_trust_list_parse(forged_bytes, forged_len, &forged), ITL_OK);
    EXPECT(itl_trust_list_verify(forged, &signer_index), ITL_OK);
    CHECK(signer_index == 0);

    /* Trusting the publisher's CallManager.pem. */
    EXPECT(itl_recovery_reset_trusting(forged, p12->data, p12->len, "Cluster-Security-Pw1",
                                       pem->data, pem->len, &out, &out_len),
           ITL_ERR_VERIFY);
    CHECK(out == NULL && out_len == 0 && says("not signed by a trusted certificate"));
    /* Trusting the installed ITL, then the CTL. */
    EXPECT(itl_recovery_reset_trusting_list(forged, p12->data, p12->len, "Cluster-Security-Pw1",
                                            genuine, &out, &out_len),
           ITL_ERR_VERIFY);
    CHECK(out == NULL && out_len == 0 && says("not signed by a trusted certificate"));
    EXPECT(itl_recovery_reset_trusting_list(forged, p12->data, p12->len, "Cluster-Security-Pw1",
                                            installed_ctl, &out, &out_len),
           ITL_ERR_VERIFY);
    CHECK(out == NULL && out_len == 0);
    /* The forgery trusting itself (`itl reset F --trust F`): refused. */
    EXPECT(itl_recovery_reset_trusting_list(forged, p12->data, p12->len, "Cluster-Security-Pw1",
                                            forged, &out, &out_len),
           ITL_ERR_VERIFY);
    CHECK(out == NULL && out_len == 0 && says("cannot vouch for itself"));
    /* The other way round: the genuine ITL, trusting only the forgery's
     * records, is not re-signed either (CallManager is not among them). */
    EXPECT(itl_recovery_reset_trusting_list(genuine, p12->data, p12->len, "Cluster-Security-Pw1",
                                            forged, &out, &out_len),
           ITL_ERR_VERIFY);
    CHECK(out == NULL);

    itl_trust_list_free(forged);
    itl_bytes_free(forged_bytes);
    itl_builder_free(builder);
    itl_signer_free(evil);
    itl_trust_list_free(installed_ctl);
    itl_trust_list_free(genuine);
    free(evil_pem.data);
}

static void building(const struct file *pem) {
    itl_builder *builder = (itl_builder *)&builder;
    itl_signer *signer = NULL;
    itl_trust_list *list = NULL;
    uint8_t *out = NULL;
    size_t out_len = 0, index = 9;
    const uint16_t functions[] = {ITL_FUNCTION_CCM, ITL_FUNCTION_TFTP};
    const uint8_t ip[4] = {10, 0, 0, 1};

    EXPECT(itl_builder_new(7, &builder), ITL_ERR_INVALID_ARGUMENT);
    CHECK(builder == NULL);
    EXPECT(itl_builder_new(ITL_LIST_CTL, &builder), ITL_OK);
    EXPECT(itl_signer_from_pem(pem->data, pem->len, &signer), ITL_OK);
    /* Nothing to sign yet. */
    EXPECT(itl_builder_sign(builder, signer, &out, &out_len), ITL_ERR_INVALID_ARGUMENT);
    CHECK(out == NULL && says("at least one record"));
    EXPECT(itl_builder_set_digest(builder, 9), ITL_ERR_INVALID_ARGUMENT);
    EXPECT(itl_builder_set_layout(builder, 2), ITL_ERR_INVALID_ARGUMENT);
    EXPECT(itl_builder_add_record(builder, (const uint8_t *)"nope", 4, ITL_FUNCTION_SAST),
           ITL_ERR_BAD_KEY_OR_CERTIFICATE);
    EXPECT(itl_builder_add_record_ex(builder, pem->data, pem->len, functions, 0, NULL, NULL),
           ITL_ERR_INVALID_ARGUMENT);
    EXPECT(itl_builder_set_digest(builder, ITL_DIGEST_SHA256), ITL_OK);
    EXPECT(itl_builder_set_timestamp(builder, 1700000000u), ITL_OK);
    EXPECT(itl_builder_add_record(builder, pem->data, pem->len, ITL_FUNCTION_SAST), ITL_OK);
    EXPECT(itl_builder_add_record_ex(builder, pem->data, pem->len, functions, 2, "cucm-pub", ip),
           ITL_OK);
    /* The wrong kind of handle as the signer. */
    EXPECT(itl_builder_sign(builder, (const itl_signer *)builder, &out, &out_len),
           ITL_ERR_BAD_HANDLE);
    EXPECT(itl_builder_sign(builder, signer, &out, &out_len), ITL_OK);
    EXPECT(itl_trust_list_parse(out, out_len, &list), ITL_OK);
    EXPECT(itl_trust_list_verify(list, &index), ITL_OK);
    CHECK(index == 0 && itl_trust_list_record_count(list) == 2);
    {
        uint32_t kind = 9;
        EXPECT(itl_trust_list_kind(list, &kind), ITL_OK);
        CHECK(kind == ITL_LIST_CTL);
    }
    itl_trust_list_free(list);
    itl_bytes_free(out);
    itl_builder_free(builder);
    itl_builder_free(builder);
    CHECK(says("nothing freed"));
    itl_signer_free(signer);
}

static void phone_and_tvs(const struct file *itl) {
    itl_phone *phone = NULL;
    itl_trust_list *installed = NULL;
    uint32_t rule = 99;
    size_t index = 99;
    char name[ITL_TVS_DEVICE_NAME_SIZE], small[8];
    itl_tvs tvs = {NULL, NULL, NULL};
    uint8_t buf[64];
    size_t len = 0;
    uint32_t session = 0;
    const uint8_t *certificate = NULL;
    char *text = NULL;

    EXPECT(itl_phone_new("SEP0011215A1AE3", &phone), ITL_OK);
    EXPECT(itl_phone_installed_list(phone, ITL_LIST_ITL, &installed), ITL_ERR_NOT_FOUND);
    CHECK(installed == NULL);
    EXPECT(itl_phone_offer_trust_list(phone, "notes.txt", itl->data, itl->len, NULL, 0, &rule,
                                      &index),
           ITL_ERR_REJECTED);
    CHECK(rule == ITL_TRUST_NONE && index == SIZE_MAX && says("is not the name of a trust list"));
    /* Callbacks missing from the TVS structure. */
    EXPECT(itl_phone_offer_trust_list(phone, "ITLFile.tlv", itl->data, itl->len, &tvs, 0, &rule,
                                      &index),
           ITL_ERR_NULL_ARGUMENT);
    EXPECT(itl_phone_offer_trust_list(phone, "ITLFile.tlv", itl->data, itl->len, NULL, 0, &rule,
                                      &index),
           ITL_OK);
    CHECK(rule == ITL_TRUST_FIRST_USE && index == ITL_NO_INDEX);
    EXPECT(itl_trust_text(rule, index, &text), ITL_OK);
    CHECK(text != NULL && strncmp(text, "accepted: trust on first use", 28) == 0);
    itl_string_free(text);
    EXPECT(itl_trust_text(ITL_TRUST_NONE, 0, &text), ITL_ERR_INVALID_ARGUMENT);
    CHECK(text == NULL);
    EXPECT(itl_phone_installed_list(phone, ITL_LIST_ITL, &installed), ITL_OK);
    CHECK(itl_trust_list_record_count(installed) == 6);
    itl_trust_list_free(installed);
    EXPECT(itl_phone_tvs_device_name(phone, name, sizeof name), ITL_OK);
    CHECK(strcmp(name, "CP-7965-SEP0011215A1AE3") == 0);
    EXPECT(itl_phone_tvs_device_name(phone, small, sizeof small), ITL_ERR_BUFFER_TOO_SMALL);
    EXPECT(itl_phone_set_model(phone, 12345), ITL_OK);
    EXPECT(itl_phone_tvs_device_name(phone, name, sizeof name), ITL_ERR_NOT_FOUND);
    itl_phone_free(phone);
    EXPECT(itl_phone_is_locked(phone, (bool *)&len), ITL_ERR_BAD_HANDLE);

    /* The TVS codec. */
    EXPECT(itl_tvs_request_encode(7, "CP-7965-SEP0011215A1AE3", itl->data, 10, NULL, 0, &len),
           ITL_ERR_BUFFER_TOO_SMALL);
    CHECK(len == 10 + 3 + 24 + 3 + 10);
    EXPECT(itl_tvs_request_encode(7, "SEP0011215A1AE3", itl->data, 10, buf, sizeof buf, &len),
           ITL_ERR_INVALID_ARGUMENT);
    EXPECT(itl_tvs_request_encode(7, "CP-7965-SEP0011215A1AE3", itl->data, 10, buf, sizeof buf,
                                  &len),
           ITL_OK);
    EXPECT(itl_tvs_request_decode(buf, len, &session, small, sizeof small, &certificate, &len),
           ITL_ERR_BUFFER_TOO_SMALL);
    EXPECT(itl_tvs_request_decode(buf, 50, &session, name, sizeof name, &certificate, &len),
           ITL_OK);
    CHECK(session == 7 && strcmp(name, "CP-7965-SEP0011215A1AE3") == 0 && len == 10 &&
          certificate == buf + 40);
    EXPECT(itl_tvs_request_decode(buf, 49, &session, name, sizeof name, &certificate, &len),
           ITL_ERR_PARSE);
    CHECK(certificate == NULL && len == 0);
    EXPECT(itl_tvs_response_decode(buf, 0, &session, (bool *)&len, NULL, 0, &len, &session),
           ITL_ERR_PARSE);
}

static int32_t serve_itl(void *userdata, const char *name, const uint8_t **data, size_t *len) {
    const struct file *itl = userdata;
    if (strcmp(name, "ITLFile.tlv") != 0) {
        return 1;
    }
    *data = itl->data;
    *len = itl->len;
    return 0;
}

/* Claims every file but gives no bytes: taken as "no such file". */
static int32_t serve_null(void *userdata, const char *name, const uint8_t **data, size_t *len) {
    (void)userdata;
    (void)name;
    *data = NULL;
    *len = 5;
    return 0;
}

static void verifiers_and_boot_reports(const struct file *itl) {
    itl_verifier *verifier = (itl_verifier *)&verifier, *other = NULL;
    itl_boot_report *report = (itl_boot_report *)&report;
    itl_phone *phone = NULL;
    itl_tftp tftp = {NULL, NULL};
    itl_boot_step step;
    itl_verified verified;
    itl_result results[2];
    const uint8_t *data[2];
    size_t lens[2], count = 99;
    int stray = 0;

    /* Verifiers: NULLs, a pointer array with a NULL, wrong kinds. */
    EXPECT(itl_verifier_new(itl_policy_default(), 8, NULL), ITL_ERR_NULL_ARGUMENT);
    EXPECT(itl_verifier_new_trusting(itl_policy_default(), 8, NULL, NULL, 0, &verifier),
           ITL_ERR_INVALID_ARGUMENT);
    CHECK(verifier == NULL && says("at least one certificate"));
    EXPECT(itl_verifier_new_trusting(itl_policy_default(), 8, NULL, lens, 1, &verifier),
           ITL_ERR_NULL_ARGUMENT);
    EXPECT(itl_verifier_new(itl_policy_default(), 8, &verifier), ITL_OK);
    EXPECT(itl_verifier_verify(verifier, NULL, 3, &verified), ITL_ERR_NULL_ARGUMENT);
    EXPECT(itl_verifier_verify(verifier, itl->data, itl->len, NULL), ITL_ERR_NULL_ARGUMENT);
    EXPECT(itl_verifier_verify(verifier, itl->data, SIZE_MAX, &verified),
           ITL_ERR_INVALID_ARGUMENT);
    EXPECT(itl_verifier_verify(verifier, itl->data, 0, &verified), ITL_ERR_PARSE);
    CHECK(verified.signer_index == ITL_NO_INDEX && verified.key_bits == 0);
    data[0] = itl->data;
    data[1] = NULL;
    lens[0] = itl->len;
    lens[1] = itl->len;
    results[0] = results[1] = ITL_ERR_PANIC;
    EXPECT(itl_verifier_verify_many(verifier, data, lens, 2, results, NULL, &count),
           ITL_ERR_NULL_ARGUMENT);
    CHECK(says("`data[1]` is NULL") && count == 0);
    /* Nothing was judged: the results are untouched. */
    CHECK(results[0] == ITL_ERR_PANIC);
    EXPECT(itl_verifier_verify_many(verifier, data, lens, 2, NULL, NULL, &count),
           ITL_ERR_NULL_ARGUMENT);
    EXPECT(itl_verifier_verify_many(verifier, data, NULL, 1, results, NULL, &count),
           ITL_ERR_NULL_ARGUMENT);
    EXPECT(itl_verifier_verify_many(verifier, data, lens, 1, results, NULL, NULL),
           ITL_ERR_NULL_ARGUMENT);
    EXPECT(itl_verifier_verify_many(verifier, data, lens, 1, results, NULL, &count), ITL_OK);
    CHECK(count == 1 && results[0] == ITL_OK);
    EXPECT(itl_verifier_cached_keys(verifier, NULL), ITL_ERR_NULL_ARGUMENT);
    EXPECT(itl_phone_new("SEP0011215A1AE3", &phone), ITL_OK);
    EXPECT(itl_verifier_verify((const itl_verifier *)phone, itl->data, itl->len, &verified),
           ITL_ERR_BAD_HANDLE);
    CHECK(says("itl_phone") && says("itl_verifier"));
    EXPECT(itl_verifier_cached_keys((const itl_verifier *)&stray, &count), ITL_ERR_BAD_HANDLE);
    EXPECT(itl_phone_is_locked((const itl_phone *)verifier, (bool *)&stray), ITL_ERR_BAD_HANDLE);
    itl_phone_free((itl_phone *)verifier);
    CHECK(says("nothing freed"));
    EXPECT(itl_verifier_new(itl_policy_default(), 8, &other), ITL_OK);
    itl_verifier_free(verifier);
    CHECK(strcmp(itl_last_error_message(), "") == 0);
    EXPECT(itl_verifier_verify(verifier, itl->data, itl->len, &verified), ITL_ERR_BAD_HANDLE);
    CHECK(says("not a live itl_verifier"));
    itl_verifier_free(verifier);
    CHECK(says("nothing freed"));
    /* The other verifier is unharmed. */
    EXPECT(itl_verifier_verify(other, itl->data, itl->len, &verified), ITL_OK);
    CHECK(verified.signer_index == 0);
    itl_verifier_free(other);

    /* Boot: the TFTP callbacks, and the report's handle. */
    EXPECT(itl_phone_boot(phone, NULL, NULL, 0, false, &report), ITL_ERR_NULL_ARGUMENT);
    CHECK(report == NULL && says("`tftp` is NULL"));
    EXPECT(itl_phone_boot(phone, &tftp, NULL, 0, false, &report), ITL_ERR_NULL_ARGUMENT);
    CHECK(says("`tftp->fetch` is NULL"));
    tftp.fetch = serve_itl;
    tftp.userdata = (void *)itl;
    EXPECT(itl_phone_boot(phone, &tftp, NULL, 0, false, NULL), ITL_ERR_NULL_ARGUMENT);
    EXPECT(itl_phone_boot((itl_phone *)itl->data, &tftp, NULL, 0, false, &report),
           ITL_ERR_BAD_HANDLE);
    CHECK(report == NULL);
    tftp.fetch = serve_null;
    EXPECT(itl_phone_boot(phone, &tftp, NULL, 0, false, &report), ITL_OK);
    CHECK(itl_boot_report_step_count(report) == 5);
    EXPECT(itl_boot_report_step(report, 3, &step), ITL_OK);
    CHECK(step.outcome == ITL_BOOT_NOT_FOUND && step.result == ITL_ERR_NOT_FOUND);
    itl_boot_report_free(report);
    tftp.fetch = serve_itl;
    EXPECT(itl_phone_boot(phone, &tftp, NULL, 0, false, &report), ITL_OK);
    EXPECT(itl_boot_report_step(report, 3, &step), ITL_OK);
    CHECK(step.outcome == ITL_BOOT_TRUST_LIST && step.result == ITL_OK &&
          step.rule == ITL_TRUST_FIRST_USE && strcmp(step.file, "ITLFile.tlv") == 0);
    EXPECT(itl_boot_report_step(report, 0, NULL), ITL_ERR_NULL_ARGUMENT);
    EXPECT(itl_boot_report_step(report, SIZE_MAX, &step), ITL_ERR_INVALID_ARGUMENT);
    EXPECT(itl_boot_report_step((const itl_boot_report *)phone, 0, &step), ITL_ERR_BAD_HANDLE);
    CHECK(itl_boot_report_step_count((const itl_boot_report *)phone) == 0);
    CHECK(says("itl_phone"));
    CHECK(itl_boot_report_step_count(NULL) == 0);
    itl_phone_free((itl_phone *)report);
    CHECK(says("nothing freed"));
    /* A report outlives its phone. */
    itl_phone_free(phone);
    EXPECT(itl_boot_report_step(report, 3, &step), ITL_OK);
    CHECK(strcmp(step.file, "ITLFile.tlv") == 0);
    itl_boot_report_free(report);
    EXPECT(itl_boot_report_step(report, 0, &step), ITL_ERR_BAD_HANDLE);
    itl_boot_report_free(report);
    CHECK(says("nothing freed"));
}

int main(void) {
    struct file itl = load("cucm-ITLFile.tlv");
    struct file ctl = load("cucm-CTLFile-tokenless.tlv");
    struct file tampered = load("bad-signature-byte.tlv");
    struct file sgn = load("cucm-SEP0011215A1AE3.cnf.xml.sgn");
    struct file p12 = load("keys/ITLRecovery.p12");
    struct file pem = load("keys/callmanager-pub.pem");
    struct file reset = load("cucm-ITLFile-reset.tlv");

    results_and_messages();
    nulls_and_lengths(&itl);
    invalid_utf8(&p12);
    handles(&itl, &sgn);
    accessors(&itl, &ctl);
    show_and_streams(&itl, &tampered, &sgn);
    signed_files(&sgn, &itl);
    keys_and_passwords(&p12, &itl, &pem, &tampered, &reset);
    no_laundering(&p12, &itl, &ctl, &pem);
    building(&pem);
    phone_and_tvs(&itl);
    verifiers_and_boot_reports(&itl);

    free(itl.data);
    free(ctl.data);
    free(tampered.data);
    free(sgn.data);
    free(p12.data);
    free(pem.data);
    free(reset.data);
    itl_thread_cleanup();
    return finish("misuse_test");
}
