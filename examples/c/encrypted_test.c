/*
 * encrypted_test: encrypted configurations (SEP<MAC>.cnf.xml.enc.sgn)
 * through the C API, checked value by value:
 *
 *   - a round trip: a configuration encrypted for the test phone's
 *     certificate and signed with the CUCM CallManager key parses, shows
 *     its header and encryption block (IV, padding, key size, wrapped key,
 *     digest, ciphertext) as written, and decrypts to the same bytes,
 *     verified against the TFTP certificate and against the CUCM ITL; the
 *     same with SHA-512 and with an empty configuration;
 *   - refusals that write nothing into the caller's buffer: a tampered
 *     file (ITL_ERR_VERIFY), a signer the caller does not trust
 *     (ITL_ERR_VERIFY), a file encrypted for another key (ITL_ERR_DECRYPT),
 *     a file for another phone (ITL_ERR_DECRYPT), a phone certificate
 *     naming no device, a buffer too small (the size needed is given);
 *   - misuse: NULLs, handles of the wrong kind, freeing twice, a plain
 *     .sgn given as an encrypted file, bad device names and digests.
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
#define SENTINEL 0xA5

static const char CONFIG[] =
    "<device>\n<fullConfig>true</fullConfig>\n<deviceProtocol>SCCP</deviceProtocol>\n"
    "<sshUserId>admin</sshUserId>\n<sshPassword>s3cret</sshPassword>\n</device>\n";

/* Whether `len` bytes of `buf` are all SENTINEL: nothing was written. */
static int untouched(const uint8_t *buf, size_t len) {
    size_t i;
    for (i = 0; i < len; i++) {
        if (buf[i] != SENTINEL) {
            return 0;
        }
    }
    return 1;
}

/* Whether the last error message contains `text`. */
static int message_has(const char *text) {
    return strstr(itl_last_error_message(), text) != NULL;
}

/* The test identities and certificates. */
struct keys {
    struct file phone_pem, tftp_pem, peer_pem, itl;
    itl_signer *phone, *tftp, *peer;
    const uint8_t *phone_cert, *tftp_cert, *peer_cert;
    size_t phone_cert_len, tftp_cert_len, peer_cert_len;
};

static void load_keys(struct keys *k) {
    k->phone_pem = load("../phone-SEP0011215A1AE3.pem");
    k->tftp_pem = load("keys/callmanager-pub.pem");
    k->peer_pem = load("keys/peer-asterisk.pem");
    k->itl = load("cucm-ITLFile.tlv");
    EXPECT(itl_signer_from_pem(k->phone_pem.data, k->phone_pem.len, &k->phone), ITL_OK);
    EXPECT(itl_signer_from_pem(k->tftp_pem.data, k->tftp_pem.len, &k->tftp), ITL_OK);
    EXPECT(itl_signer_from_pem(k->peer_pem.data, k->peer_pem.len, &k->peer), ITL_OK);
    EXPECT(itl_signer_certificate(k->phone, &k->phone_cert, &k->phone_cert_len), ITL_OK);
    EXPECT(itl_signer_certificate(k->tftp, &k->tftp_cert, &k->tftp_cert_len), ITL_OK);
    EXPECT(itl_signer_certificate(k->peer, &k->peer_cert, &k->peer_cert_len), ITL_OK);
}

static void free_keys(struct keys *k) {
    itl_signer_free(k->phone);
    itl_signer_free(k->tftp);
    itl_signer_free(k->peer);
    free(k->phone_pem.data);
    free(k->tftp_pem.data);
    free(k->peer_pem.data);
    free(k->itl.data);
}

/* Encrypts `len` bytes of `plain` for `device` and `cert`, signed by
 * `signer` with `digest`; parses the result. The caller frees both. */
static itl_result make(const struct keys *k, const char *device, const uint8_t *plain, size_t len,
                       const uint8_t *cert, size_t cert_len, uint8_t digest, uint8_t **bytes,
                       size_t *bytes_len, itl_encrypted_file **file) {
    itl_result r = itl_encrypted_encrypt(device, plain, len, cert, cert_len, k->tftp, digest, NOW,
                                         bytes, bytes_len);
    *file = NULL;
    if (r != ITL_OK) {
        return r;
    }
    return itl_encrypted_parse(*bytes, *bytes_len, file);
}

/* A round trip of `len` bytes with `digest`: the header, the block, and
 * decryption against the TFTP certificate and against the CUCM ITL. */
static void round_trip(const struct keys *k, const uint8_t *plain, size_t len, uint8_t digest) {
    uint8_t *bytes = NULL;
    size_t bytes_len = 0, out_len = 99;
    itl_encrypted_file *file = NULL;
    const itl_header *header = NULL;
    itl_encryption_info info;
    const char *filename = NULL;
    uint8_t major = 0, minor = 0, header_digest = 0, algorithm = 9, modulus = 0;
    uint32_t timestamp = 0;
    size_t header_len = 0;
    uint8_t *out;
    const uint16_t tftp_functions[] = {ITL_FUNCTION_CCM_TFTP, ITL_FUNCTION_TFTP};
    itl_trust_list *itl = NULL;
    size_t pad = 16 - len % 16;

    EXPECT(make(k, DEVICE, plain, len, k->phone_cert, k->phone_cert_len, digest, &bytes,
                &bytes_len, &file),
           ITL_OK);
    CHECK(file != NULL);
    if (file == NULL) {
        itl_bytes_free(bytes);
        return;
    }

    /* The header. */
    EXPECT(itl_encrypted_header(file, &header), ITL_OK);
    EXPECT(itl_header_filename(header, &filename), ITL_OK);
    CHECK(filename != NULL && strcmp(filename, DEVICE ".cnf.xml.enc.sgn") == 0);
    EXPECT(itl_header_version(header, &major, &minor), ITL_OK);
    CHECK(major == 2 && minor == 0);
    EXPECT(itl_header_timestamp(header, &timestamp), ITL_OK);
    CHECK(timestamp == NOW);
    EXPECT(itl_header_signature_info(header, &header_digest, &algorithm, &modulus), ITL_OK);
    CHECK(header_digest == digest && algorithm == 0);
    EXPECT(itl_header_length(header, &header_len), ITL_OK);

    /* The encryption block: as written, pointing into the file. */
    memset(&info, 0, sizeof info);
    EXPECT(itl_encrypted_info(file, &info), ITL_OK);
    CHECK(info.iv_type == 0 && info.key_type == 0 && info.key_format == 1);
    CHECK(info.key_bits == 2048);
    CHECK(info.padding_length == pad);
    CHECK(info.wrapped_key_len == 256);
    CHECK(info.digest == digest);
    CHECK(info.plain_digest_len == (digest == ITL_DIGEST_SHA1 ? 20u : 64u));
    CHECK(info.ciphertext_len == len + pad);
    CHECK(header_len + info.ciphertext_len == bytes_len);
    CHECK(info.iv != NULL && info.wrapped_key != NULL && info.plain_digest != NULL);
    /* The ciphertext is not the plaintext. */
    CHECK(len < 16 || memcmp(info.ciphertext, plain, 16) != 0);

    /* Decrypted against the TFTP certificate: exactly the plaintext. */
    out = malloc(info.ciphertext_len);
    if (out == NULL) {
        exit(2);
    }
    memset(out, SENTINEL, info.ciphertext_len);
    EXPECT(itl_encrypted_decrypt_with_certificate(file, k->tftp_cert, k->tftp_cert_len,
                                                  itl_policy_default(), k->phone, out,
                                                  info.ciphertext_len, &out_len),
           ITL_OK);
    CHECK(out_len == len);
    CHECK(len == 0 || memcmp(out, plain, len) == 0);
    CHECK(untouched(out + len, info.ciphertext_len - len));

    /* Against the CUCM ITL's TFTP records, as a phone does. */
    EXPECT(itl_trust_list_parse(k->itl.data, k->itl.len, &itl), ITL_OK);
    memset(out, SENTINEL, info.ciphertext_len);
    out_len = 99;
    EXPECT(itl_encrypted_decrypt_with_list(file, itl, tftp_functions, 2, itl_policy_default(),
                                           k->phone, out, info.ciphertext_len, &out_len),
           ITL_OK);
    CHECK(out_len == len);
    CHECK(len == 0 || memcmp(out, plain, len) == 0);

    /* A strict policy refuses the SHA-1 signature before decrypting. */
    if (digest == ITL_DIGEST_SHA1) {
        memset(out, SENTINEL, info.ciphertext_len);
        EXPECT(itl_encrypted_decrypt_with_certificate(file, k->tftp_cert, k->tftp_cert_len,
                                                      itl_policy_strict(), k->phone, out,
                                                      info.ciphertext_len, &out_len),
               ITL_ERR_POLICY);
        CHECK(out_len == 0 && untouched(out, info.ciphertext_len));
    }

    itl_trust_list_free(itl);
    free(out);
    itl_encrypted_free(file);
    itl_bytes_free(bytes);
}

/* Refusals: nothing is written into the caller's buffer. */
static void refusals(const struct keys *k) {
    uint8_t *bytes = NULL, *copy;
    size_t bytes_len = 0, out_len = 99, len = sizeof CONFIG - 1;
    itl_encrypted_file *file = NULL, *tampered = NULL;
    itl_encryption_info info;
    uint8_t out[512];

    EXPECT(make(k, DEVICE, (const uint8_t *)CONFIG, len, k->phone_cert, k->phone_cert_len,
                ITL_DIGEST_SHA1, &bytes, &bytes_len, &file),
           ITL_OK);
    if (file == NULL) {
        itl_bytes_free(bytes);
        return;
    }
    EXPECT(itl_encrypted_info(file, &info), ITL_OK);

    /* A flipped ciphertext byte: the signature fails, nothing is decrypted. */
    copy = malloc(bytes_len);
    if (copy == NULL) {
        exit(2);
    }
    memcpy(copy, bytes, bytes_len);
    copy[bytes_len - 1] ^= 0x01;
    EXPECT(itl_encrypted_parse(copy, bytes_len, &tampered), ITL_OK);
    memset(out, SENTINEL, sizeof out);
    EXPECT(itl_encrypted_decrypt_with_certificate(tampered, k->tftp_cert, k->tftp_cert_len,
                                                  itl_policy_default(), k->phone, out,
                                                  sizeof out, &out_len),
           ITL_ERR_VERIFY);
    CHECK(out_len == 0 && untouched(out, sizeof out));
    CHECK(message_has("signature"));
    itl_encrypted_free(tampered);
    tampered = NULL;

    /* A flipped byte of the wrapped key: refused by the signature too. */
    memcpy(copy, bytes, bytes_len);
    {
        /* The file's copy starts ciphertext_len bytes before its end. */
        const uint8_t *base = info.ciphertext + info.ciphertext_len - bytes_len;
        size_t at = (size_t)(info.wrapped_key - base);
        CHECK(at + info.wrapped_key_len < bytes_len &&
              memcmp(bytes + at, info.wrapped_key, info.wrapped_key_len) == 0);
        copy[at + 7] ^= 0x80;
    }
    EXPECT(itl_encrypted_parse(copy, bytes_len, &tampered), ITL_OK);
    out_len = 99;
    EXPECT(itl_encrypted_decrypt_with_certificate(tampered, k->tftp_cert, k->tftp_cert_len,
                                                  itl_policy_default(), k->phone, out,
                                                  sizeof out, &out_len),
           ITL_ERR_VERIFY);
    CHECK(out_len == 0 && untouched(out, sizeof out));
    itl_encrypted_free(tampered);
    free(copy);

    /* A signer the caller does not trust. */
    out_len = 99;
    EXPECT(itl_encrypted_decrypt_with_certificate(file, k->peer_cert, k->peer_cert_len,
                                                  itl_policy_default(), k->phone, out,
                                                  sizeof out, &out_len),
           ITL_ERR_VERIFY);
    CHECK(out_len == 0 && untouched(out, sizeof out));

    /* A phone certificate naming no device. */
    EXPECT(itl_encrypted_decrypt_with_certificate(file, k->tftp_cert, k->tftp_cert_len,
                                                  itl_policy_default(), k->peer, out,
                                                  sizeof out, &out_len),
           ITL_ERR_BAD_KEY_OR_CERTIFICATE);
    CHECK(out_len == 0 && untouched(out, sizeof out));

    /* A buffer too small: the size needed, nothing written. */
    out_len = 0;
    EXPECT(itl_encrypted_decrypt_with_certificate(file, k->tftp_cert, k->tftp_cert_len,
                                                  itl_policy_default(), k->phone, out, len - 1,
                                                  &out_len),
           ITL_ERR_BUFFER_TOO_SMALL);
    CHECK(out_len == len && untouched(out, sizeof out));
    out_len = 0;
    EXPECT(itl_encrypted_decrypt_with_certificate(file, k->tftp_cert, k->tftp_cert_len,
                                                  itl_policy_default(), k->phone, NULL, 0,
                                                  &out_len),
           ITL_ERR_BUFFER_TOO_SMALL);
    CHECK(out_len == len);
    /* The exact size is enough. */
    EXPECT(itl_encrypted_decrypt_with_certificate(file, k->tftp_cert, k->tftp_cert_len,
                                                  itl_policy_default(), k->phone, out, len,
                                                  &out_len),
           ITL_OK);
    CHECK(out_len == len && memcmp(out, CONFIG, len) == 0 && untouched(out + len, sizeof out - len));
    itl_encrypted_free(file);
    itl_bytes_free(bytes);

    /* Encrypted for another key (a certificate naming no device), under the
     * phone's name: signed correctly, but the phone's key does not open it. */
    EXPECT(make(k, DEVICE, (const uint8_t *)CONFIG, len, k->peer_cert, k->peer_cert_len,
                ITL_DIGEST_SHA1, &bytes, &bytes_len, &file),
           ITL_OK);
    memset(out, SENTINEL, sizeof out);
    out_len = 99;
    EXPECT(itl_encrypted_decrypt_with_certificate(file, k->tftp_cert, k->tftp_cert_len,
                                                  itl_policy_default(), k->phone, out,
                                                  sizeof out, &out_len),
           ITL_ERR_DECRYPT);
    CHECK(out_len == 0 && untouched(out, sizeof out));
    CHECK(strcmp(itl_last_error_message(), "the phone's key does not open this file") == 0);
    CHECK(strcmp(itl_result_name(ITL_ERR_DECRYPT), "ITL_ERR_DECRYPT") == 0);
    itl_encrypted_free(file);
    itl_bytes_free(bytes);

    /* A file for another phone. */
    EXPECT(make(k, "SEP000000000001", (const uint8_t *)CONFIG, len, k->peer_cert,
                k->peer_cert_len, ITL_DIGEST_SHA1, &bytes, &bytes_len, &file),
           ITL_OK);
    out_len = 99;
    EXPECT(itl_encrypted_decrypt_with_certificate(file, k->tftp_cert, k->tftp_cert_len,
                                                  itl_policy_default(), k->phone, out,
                                                  sizeof out, &out_len),
           ITL_ERR_DECRYPT);
    CHECK(out_len == 0 && untouched(out, sizeof out));
    CHECK(message_has("SEP000000000001") && message_has(DEVICE));
    itl_encrypted_free(file);
    itl_bytes_free(bytes);
}

/* Misuse: NULLs, wrong kinds, bad arguments; nothing crashes. */
static void misuse(const struct keys *k) {
    uint8_t *bytes = (uint8_t *)1, *good = NULL;
    size_t bytes_len = 7, good_len = 0, out_len = 99;
    itl_encrypted_file *file = (itl_encrypted_file *)1, *parsed = NULL;
    const itl_header *header = NULL;
    itl_encryption_info info;
    uint8_t out[16];
    const uint8_t plain[] = "<device/>";
    struct file sgn = load("cucm-SEP0011215A1AE3.cnf.xml.sgn");

    /* Parsing. */
    EXPECT(itl_encrypted_parse(NULL, 10, &file), ITL_ERR_NULL_ARGUMENT);
    CHECK(file == NULL);
    EXPECT(itl_encrypted_parse(plain, sizeof plain, NULL), ITL_ERR_NULL_ARGUMENT);
    EXPECT(itl_encrypted_parse(plain, 0, &file), ITL_ERR_PARSE);
    EXPECT(itl_encrypted_parse(sgn.data, sgn.len, &file), ITL_ERR_PARSE);
    CHECK(file == NULL && message_has("ENCRYPTIONINFO"));
    free(sgn.data);

    /* Encrypting. */
    EXPECT(itl_encrypted_encrypt(NULL, plain, sizeof plain, k->phone_cert, k->phone_cert_len,
                                 k->tftp, ITL_DIGEST_SHA1, NOW, &bytes, &bytes_len),
           ITL_ERR_NULL_ARGUMENT);
    CHECK(bytes == NULL && bytes_len == 0);
    EXPECT(itl_encrypted_encrypt(DEVICE, NULL, 0, k->phone_cert, k->phone_cert_len, k->tftp,
                                 ITL_DIGEST_SHA1, NOW, &bytes, &bytes_len),
           ITL_ERR_NULL_ARGUMENT);
    EXPECT(itl_encrypted_encrypt(DEVICE, plain, sizeof plain, k->phone_cert, k->phone_cert_len,
                                 k->tftp, ITL_DIGEST_SHA1, NOW, NULL, &bytes_len),
           ITL_ERR_NULL_ARGUMENT);
    EXPECT(itl_encrypted_encrypt("phone", plain, sizeof plain, k->phone_cert, k->phone_cert_len,
                                 k->tftp, ITL_DIGEST_SHA1, NOW, &bytes, &bytes_len),
           ITL_ERR_INVALID_ARGUMENT);
    CHECK(bytes == NULL && message_has("phone"));
    EXPECT(itl_encrypted_encrypt(DEVICE, plain, sizeof plain, k->phone_cert, k->phone_cert_len,
                                 k->tftp, ITL_DIGEST_SHA256, NOW, &bytes, &bytes_len),
           ITL_ERR_INVALID_ARGUMENT);
    EXPECT(itl_encrypted_encrypt(DEVICE, plain, sizeof plain, k->phone_cert, k->phone_cert_len,
                                 k->tftp, 9, NOW, &bytes, &bytes_len),
           ITL_ERR_INVALID_ARGUMENT);
    /* The phone's certificate names another device than the file. */
    EXPECT(itl_encrypted_encrypt("SEP000000000001", plain, sizeof plain, k->phone_cert,
                                 k->phone_cert_len, k->tftp, ITL_DIGEST_SHA1, NOW, &bytes,
                                 &bytes_len),
           ITL_ERR_BAD_KEY_OR_CERTIFICATE);
    EXPECT(itl_encrypted_encrypt(DEVICE, plain, sizeof plain, plain, sizeof plain, k->tftp,
                                 ITL_DIGEST_SHA1, NOW, &bytes, &bytes_len),
           ITL_ERR_BAD_KEY_OR_CERTIFICATE);
    /* A handle of another kind as the TFTP signer. */
    EXPECT(itl_encrypted_encrypt(DEVICE, plain, sizeof plain, k->phone_cert, k->phone_cert_len,
                                 (const itl_signer *)k->itl.data, ITL_DIGEST_SHA1, NOW, &bytes,
                                 &bytes_len),
           ITL_ERR_BAD_HANDLE);
    CHECK(bytes == NULL && bytes_len == 0);

    EXPECT(itl_encrypted_encrypt(DEVICE, plain, sizeof plain - 1, k->phone_cert,
                                 k->phone_cert_len, k->tftp, ITL_DIGEST_SHA1, NOW, &good,
                                 &good_len),
           ITL_OK);
    EXPECT(itl_encrypted_parse(good, good_len, &parsed), ITL_OK);

    /* Getters. */
    EXPECT(itl_encrypted_header(NULL, &header), ITL_ERR_NULL_ARGUMENT);
    EXPECT(itl_encrypted_header(parsed, NULL), ITL_ERR_NULL_ARGUMENT);
    EXPECT(itl_encrypted_header((const itl_encrypted_file *)k->phone, &header), ITL_ERR_BAD_HANDLE);
    CHECK(header == NULL && message_has("itl_signer"));
    EXPECT(itl_encrypted_info(parsed, NULL), ITL_ERR_NULL_ARGUMENT);
    EXPECT(itl_encrypted_info((const itl_encrypted_file *)k->tftp, &info), ITL_ERR_BAD_HANDLE);

    /* Decrypting. */
    EXPECT(itl_encrypted_decrypt_with_certificate(NULL, k->tftp_cert, k->tftp_cert_len,
                                                  itl_policy_default(), k->phone, out,
                                                  sizeof out, &out_len),
           ITL_ERR_NULL_ARGUMENT);
    EXPECT(itl_encrypted_decrypt_with_certificate(parsed, NULL, 0, itl_policy_default(), k->phone,
                                                  out, sizeof out, &out_len),
           ITL_ERR_NULL_ARGUMENT);
    EXPECT(itl_encrypted_decrypt_with_certificate(parsed, k->tftp_cert, k->tftp_cert_len,
                                                  itl_policy_default(), NULL, out, sizeof out,
                                                  &out_len),
           ITL_ERR_NULL_ARGUMENT);
    EXPECT(itl_encrypted_decrypt_with_certificate(parsed, k->tftp_cert, k->tftp_cert_len,
                                                  itl_policy_default(), k->phone, out, sizeof out,
                                                  NULL),
           ITL_ERR_NULL_ARGUMENT);
    EXPECT(itl_encrypted_decrypt_with_certificate(parsed, k->tftp_cert, k->tftp_cert_len,
                                                  itl_policy_default(), k->phone, NULL, 5,
                                                  &out_len),
           ITL_ERR_NULL_ARGUMENT);
    EXPECT(itl_encrypted_decrypt_with_certificate(parsed, plain, sizeof plain,
                                                  itl_policy_default(), k->phone, out, sizeof out,
                                                  &out_len),
           ITL_ERR_BAD_KEY_OR_CERTIFICATE);
    /* The phone and the file swapped: handles of the wrong kinds. */
    EXPECT(itl_encrypted_decrypt_with_certificate((const itl_encrypted_file *)k->phone,
                                                  k->tftp_cert, k->tftp_cert_len,
                                                  itl_policy_default(),
                                                  (const itl_signer *)parsed, out, sizeof out,
                                                  &out_len),
           ITL_ERR_BAD_HANDLE);
    CHECK(out_len == 0);
    EXPECT(itl_encrypted_decrypt_with_list(parsed, NULL, NULL, 0, itl_policy_default(), k->phone,
                                           out, sizeof out, &out_len),
           ITL_ERR_NULL_ARGUMENT);
    {
        const uint16_t tftp = ITL_FUNCTION_TFTP;
        EXPECT(itl_encrypted_decrypt_with_list(parsed, (const itl_trust_list *)parsed, &tftp, 1,
                                               itl_policy_default(), k->phone, out, sizeof out,
                                               &out_len),
               ITL_ERR_BAD_HANDLE);
        EXPECT(itl_encrypted_decrypt_with_list(parsed, NULL, &tftp, 0, itl_policy_default(),
                                               k->phone, out, sizeof out, &out_len),
               ITL_ERR_INVALID_ARGUMENT);
    }
    /* The header is an itl_header, not a file. */
    EXPECT(itl_encrypted_header(parsed, &header), ITL_OK);
    EXPECT(itl_encrypted_info((const itl_encrypted_file *)header, &info), ITL_ERR_BAD_HANDLE);

    /* Freeing: another kind is left alone, twice is reported. */
    itl_encrypted_free((itl_encrypted_file *)k->phone);
    CHECK(message_has("nothing freed"));
    itl_encrypted_free(NULL);
    itl_encrypted_free(parsed);
    itl_encrypted_free(parsed);
    CHECK(message_has("nothing freed"));
    itl_bytes_free(good);
}

int main(void) {
    struct keys k;
    const uint8_t block[16] = "0123456789abcdef";
    memset(&k, 0, sizeof k);
    load_keys(&k);
    round_trip(&k, (const uint8_t *)CONFIG, sizeof CONFIG - 1, ITL_DIGEST_SHA1);
    round_trip(&k, (const uint8_t *)CONFIG, sizeof CONFIG - 1, ITL_DIGEST_SHA512);
    round_trip(&k, (const uint8_t *)"", 0, ITL_DIGEST_SHA1);
    round_trip(&k, block, sizeof block, ITL_DIGEST_SHA1);
    refusals(&k);
    misuse(&k);
    free_keys(&k);
    itl_thread_cleanup();
    return finish("encrypted_test");
}
