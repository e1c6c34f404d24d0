/*
 * capf_client_test: the CAPF client (itl_capf_client_*, built with the
 * cargo feature `capf`) against a real CAPF server on loopback, the Rust
 * example capf_server, which .ci/test-c starts (with a new database for
 * each run of this program) as
 *
 *   capf_server --port PORT --identity keys/tvs-sub1.pem --db FILE --deadline 180 \
 *     --install SEP0011215A1AE3 --password 1234 \
 *     --install SEP00AABBCCDDEE --curve P-256 \
 *     --install SEP001122334455 --mic --trust phone-SEP001122334455-mic.pem
 *
 * and this program as `capf_client_test PORT OUTDIR`. It checks:
 *
 *   - a client pinning the server's certificate: a wrong PIN and an
 *     unknown device are refused (ITL_ERR_CAPF_REFUSED, with the server's
 *     reason, no enrolment); the right PIN installs an RSA LSC (DER
 *     certificate, PKCS#8 key, PEM text written to OUTDIR/rsa.pem for the
 *     script to check with openssl); asked again, nothing to do;
 *   - a pinned certificate the server does not present, and the CUCM ITL
 *     (whose CAPF record names another certificate): ITL_ERR_SERVER_NOT_TRUSTED;
 *   - a client trusting an ITL built here whose CAPF record names the
 *     server, as a phone does: an EC LSC without authentication
 *     (OUTDIR/ec.pem);
 *   - a device proving itself with its MIC (SHA-512 signature): a key of
 *     another certificate is refused, a certificate or bytes given as the
 *     key are unusable (nothing sent), the MIC's own
 *     key installs (OUTDIR/mic.pem);
 *   - a server that refuses connections: ITL_ERR_NETWORK;
 *   - misuse: NULLs, empty hosts, bad certificates and keys, unknown
 *     codes, a device name the protocol cannot carry, handles of the
 *     wrong kind, double frees.
 *
 * Exit status 0 when every check passed, 2 when the arguments are wrong.
 */
#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cisco_itl.h"
#include "test_checks.h"
#include "test_vectors.h"

#define PIN_DEVICE "SEP0011215A1AE3"
#define OPEN_DEVICE "SEP00AABBCCDDEE"
#define MIC_DEVICE "SEP001122334455"
#define CONNECT_MS 2000u
/* Generous: valgrind runs this too, on a loaded machine, and the client
 * generates the keys (.ci/test-c gives the server 180 s too). */
#define DEADLINE_MS 180000u

static const char *outdir;

static int says(const char *part) {
    return strstr(itl_last_error_message(), part) != NULL;
}

/* The DER certificate of a PEM identity (key and certificate), in
 * malloc'd memory; exits with 2 when it cannot. */
static struct file der_of(const char *name) {
    struct file pem = load(name), der = {NULL, 0};
    itl_signer *signer = NULL;
    const uint8_t *cert = NULL;
    if (itl_signer_from_pem(pem.data, pem.len, &signer) != ITL_OK ||
        itl_signer_certificate(signer, &cert, &der.len) != ITL_OK ||
        (der.data = malloc(der.len)) == NULL) {
        fprintf(stderr, "%s: %s\n", name, itl_last_error_message());
        exit(2);
    }
    memcpy(der.data, cert, der.len);
    itl_signer_free(signer);
    free(pem.data);
    return der;
}

/* Whether `data` is one whole DER SEQUENCE (a certificate, a PKCS#8 key):
 * tag 0x30, a definite length, and nothing after it. */
static int is_der_sequence(const uint8_t *data, size_t len) {
    size_t body, header;
    if (data == NULL || len < 2 || data[0] != 0x30) {
        return 0;
    }
    if (data[1] < 0x80) {
        body = data[1];
        header = 2;
    } else {
        size_t n = data[1] & 0x7f;
        if (n == 0 || n > 3 || len < 2 + n) {
            return 0;
        }
        body = 0;
        for (size_t i = 0; i < n; i++) {
            body = (body << 8) | data[2 + i];
        }
        header = 2 + n;
    }
    return header + body == len;
}

/* Writes the enrolment's PEM text to OUTDIR/NAME.pem, after checking the
 * size query, the text and its NUL. */
static void write_pem(const itl_capf_enrolment *e, const char *name, int with_key) {
    size_t needed = 0, len = 0;
    char small[8], path[512], *text;
    FILE *fp;
    EXPECT(itl_capf_enrolment_pem(e, NULL, 0, &needed), ITL_ERR_BUFFER_TOO_SMALL);
    CHECK(needed > 100);
    if (needed <= 100) {
        return;
    }
    EXPECT(itl_capf_enrolment_pem(e, small, sizeof small, &len), ITL_ERR_BUFFER_TOO_SMALL);
    CHECK(len == needed && says("holds 8"));
    text = malloc(needed);
    if (text == NULL) {
        exit(2);
    }
    EXPECT(itl_capf_enrolment_pem(e, text, needed, &len), ITL_OK);
    CHECK(len == needed && strlen(text) + 1 == needed);
    CHECK(strncmp(text, "-----BEGIN CERTIFICATE-----\n", 28) == 0);
    CHECK((strstr(text, "-----BEGIN PRIVATE KEY-----\n") != NULL) == with_key);
    CHECK(text[needed - 2] == '\n');
    snprintf(path, sizeof path, "%s/%s.pem", outdir, name);
    fp = fopen(path, "w");
    CHECK(fp != NULL);
    if (fp != NULL) {
        CHECK(fwrite(text, 1, needed - 1, fp) == needed - 1);
        fclose(fp);
    }
    /* The text holds the key: wipe it. */
    memset(text, 0, needed);
    free(text);
}

static void check_installed(const itl_capf_enrolment *e, const char *name) {
    const uint8_t *cert = NULL, *key = NULL;
    size_t cert_len = 0, key_len = 0;
    uint32_t kind = 99;
    CHECK(e != NULL);
    if (e == NULL) {
        printf("   %s: no enrolment: %s\n", name, itl_last_error_message());
        return;
    }
    EXPECT(itl_capf_enrolment_kind(e, &kind), ITL_OK);
    CHECK(kind == ITL_CAPF_INSTALLED);
    EXPECT(itl_capf_enrolment_certificate(e, &cert, &cert_len), ITL_OK);
    EXPECT(itl_capf_enrolment_key(e, &key, &key_len), ITL_OK);
    printf("   %s: certificate %zu bytes, key %zu bytes\n", name, cert_len, key_len);
    CHECK(cert_len > 300 && is_der_sequence(cert, cert_len));
    CHECK(key_len > 100 && is_der_sequence(key, key_len));
    write_pem(e, name, 1);
}

static void pinned(uint16_t port, const struct file *capf, const struct file *wrong) {
    itl_capf_client *client = NULL;
    itl_capf_enrolment *e = (itl_capf_enrolment *)&e;
    itl_capf_proof proof;
    const uint8_t *data = (const uint8_t *)"x";
    size_t len = 7;
    uint32_t reason = 0, kind = 99;

    printf("== a client pinning the server's certificate\n");
    memset(&proof, 0, sizeof proof);
    proof.kind = ITL_CAPF_PROOF_PASSWORD;
    proof.password = "0000";
    EXPECT(itl_capf_client_new_pinned("127.0.0.1", port, capf->data, capf->len, CONNECT_MS,
                                      DEADLINE_MS, &client),
           ITL_OK);
    EXPECT(itl_capf_client_enrol(client, PIN_DEVICE, &proof, &reason, &e),
           ITL_ERR_CAPF_REFUSED);
    printf("   wrong PIN: %s\n", itl_last_error_message());
    CHECK(e == NULL && reason == ITL_CAPF_REASON_INVALID);
    CHECK(says("refused") && says("invalid (reason 7)"));

    e = (itl_capf_enrolment *)&e;
    proof.password = "1234";
    EXPECT(itl_capf_client_enrol(client, "SEPFFFFFFFFFFFF", &proof, &reason, &e),
           ITL_ERR_CAPF_REFUSED);
    printf("   unknown device: %s\n", itl_last_error_message());
    CHECK(e == NULL && reason == ITL_CAPF_REASON_UNKNOWN_DEVICE && says("unknown device"));

    EXPECT(itl_capf_client_enrol(client, PIN_DEVICE, &proof, &reason, &e), ITL_OK);
    CHECK(e != NULL && reason == ITL_CAPF_REASON_OK);
    CHECK(strcmp(itl_last_error_message(), "") == 0);
    check_installed(e, "rsa");
    itl_capf_enrolment_free(e);

    /* Installed once: the second session has nothing to do (no reason
     * given: NULL is fine). */
    EXPECT(itl_capf_client_enrol(client, PIN_DEVICE, &proof, NULL, &e), ITL_OK);
    EXPECT(itl_capf_enrolment_kind(e, &kind), ITL_OK);
    printf("   again: kind %u\n", kind);
    CHECK(kind == ITL_CAPF_NOTHING_TO_DO);
    EXPECT(itl_capf_enrolment_certificate(e, &data, &len), ITL_ERR_NOT_FOUND);
    CHECK(data == NULL && len == 0);
    data = (const uint8_t *)"x";
    EXPECT(itl_capf_enrolment_key(e, &data, &len), ITL_ERR_NOT_FOUND);
    CHECK(data == NULL && len == 0 && says("no key"));
    EXPECT(itl_capf_enrolment_pem(e, NULL, 0, &len), ITL_ERR_NOT_FOUND);
    CHECK(len == 0);
    itl_capf_enrolment_free(e);
    itl_capf_client_free(client);

    printf("== a pinned certificate the server does not present\n");
    EXPECT(itl_capf_client_new_pinned("localhost", port, wrong->data, wrong->len, CONNECT_MS,
                                      DEADLINE_MS, &client),
           ITL_OK);
    reason = 0;
    e = (itl_capf_enrolment *)&e;
    EXPECT(itl_capf_client_enrol(client, PIN_DEVICE, &proof, &reason, &e),
           ITL_ERR_SERVER_NOT_TRUSTED);
    printf("   %s\n", itl_last_error_message());
    CHECK(e == NULL && reason == ITL_CAPF_NO_REASON && says("not the CAPF"));
    itl_capf_client_free(client);
}

/* An ITL signed by the CallManager whose CAPF record is the server's
 * certificate, parsed. */
static itl_trust_list *itl_naming(const struct file *capf) {
    struct file cm = load("keys/callmanager-pub.pem");
    itl_signer *signer = NULL;
    itl_builder *builder = NULL;
    itl_trust_list *list = NULL;
    const uint8_t *cm_cert = NULL;
    size_t cm_len = 0;
    uint8_t *bytes = NULL;
    size_t bytes_len = 0;
    EXPECT(itl_signer_from_pem(cm.data, cm.len, &signer), ITL_OK);
    EXPECT(itl_signer_certificate(signer, &cm_cert, &cm_len), ITL_OK);
    EXPECT(itl_builder_new(ITL_LIST_ITL, &builder), ITL_OK);
    EXPECT(itl_builder_add_record(builder, cm_cert, cm_len, ITL_FUNCTION_CCM_TFTP), ITL_OK);
    EXPECT(itl_builder_add_record(builder, capf->data, capf->len, ITL_FUNCTION_CAPF), ITL_OK);
    EXPECT(itl_builder_sign(builder, signer, &bytes, &bytes_len), ITL_OK);
    EXPECT(itl_trust_list_parse(bytes, bytes_len, &list), ITL_OK);
    itl_bytes_free(bytes);
    itl_builder_free(builder);
    itl_signer_free(signer);
    free(cm.data);
    return list;
}

static void trusting_lists(uint16_t port, const struct file *capf) {
    struct file cucm_file = load("cucm-ITLFile.tlv");
    itl_trust_list *cucm = NULL, *ours = itl_naming(capf);
    const itl_trust_list *lists[2];
    itl_capf_client *client = NULL;
    itl_capf_enrolment *e = NULL;
    uint32_t reason = 0;

    printf("== a client trusting the CUCM ITL, whose CAPF record names another certificate\n");
    EXPECT(itl_trust_list_parse(cucm_file.data, cucm_file.len, &cucm), ITL_OK);
    lists[0] = cucm;
    EXPECT(itl_capf_client_new_trusting_lists("127.0.0.1", port, lists, 1, CONNECT_MS,
                                              DEADLINE_MS, &client),
           ITL_OK);
    EXPECT(itl_capf_client_enrol(client, OPEN_DEVICE, NULL, &reason, &e),
           ITL_ERR_SERVER_NOT_TRUSTED);
    printf("   %s\n", itl_last_error_message());
    CHECK(e == NULL && reason == ITL_CAPF_NO_REASON);
    itl_capf_client_free(client);

    printf("== a client trusting an ITL whose CAPF record names the server, as a phone does\n");
    lists[1] = ours;
    EXPECT(itl_capf_client_new_trusting_lists("127.0.0.1", port, lists, 2, CONNECT_MS,
                                              DEADLINE_MS, &client),
           ITL_OK);
    /* The client keeps its own copy of the lists. */
    itl_trust_list_free(ours);
    itl_trust_list_free(cucm);
    EXPECT(itl_capf_client_enrol(client, OPEN_DEVICE, NULL, &reason, &e), ITL_OK);
    CHECK(reason == ITL_CAPF_REASON_OK);
    check_installed(e, "ec");
    itl_capf_enrolment_free(e);
    itl_capf_client_free(client);
    free(cucm_file.data);
}

static void mic_proof(uint16_t port, const struct file *capf) {
    struct file mic = load("../phone-SEP001122334455-mic.pem");
    struct file other_key = load("../rsa4096-pkcs1.pem");
    struct file ec_cert = load("../ec-p256-app-server.pem");
    itl_capf_client *client = NULL;
    itl_capf_enrolment *e = NULL;
    itl_capf_proof proof;
    uint32_t reason = 0;

    printf("== a device proving itself with its MIC\n");
    EXPECT(itl_capf_client_new_pinned("127.0.0.1", port, capf->data, capf->len, CONNECT_MS,
                                      DEADLINE_MS, &client),
           ITL_OK);
    memset(&proof, 0, sizeof proof);
    proof.kind = ITL_CAPF_PROOF_CERTIFICATE;
    proof.cert_type = ITL_CAPF_CERT_MIC;
    /* The MIC's PEM holds its key too: its CERTIFICATE block is used. */
    proof.certificate = mic.data;
    proof.certificate_len = mic.len;
    proof.sha2 = true;
    /* Another key (PKCS#1 PEM): the signature does not verify. */
    proof.key = other_key.data;
    proof.key_len = other_key.len;
    EXPECT(itl_capf_client_enrol(client, MIC_DEVICE, &proof, &reason, &e), ITL_ERR_CAPF_REFUSED);
    printf("   another key: %s\n", itl_last_error_message());
    CHECK(e == NULL && reason == ITL_CAPF_REASON_INVALID);
    /* An EC certificate where the key should be: no private key,
       unusable, nothing sent. */
    proof.key = ec_cert.data;
    proof.key_len = ec_cert.len;
    reason = 0;
    EXPECT(itl_capf_client_enrol(client, MIC_DEVICE, &proof, &reason, &e),
           ITL_ERR_BAD_KEY_OR_CERTIFICATE);
    printf("   a certificate as the key: %s\n", itl_last_error_message());
    CHECK(e == NULL && reason == ITL_CAPF_NO_REASON);
    /* Bytes that are no private key at all: the same. */
    proof.key = (const uint8_t *)"not a key";
    proof.key_len = 9;
    reason = 0;
    EXPECT(itl_capf_client_enrol(client, MIC_DEVICE, &proof, &reason, &e),
           ITL_ERR_BAD_KEY_OR_CERTIFICATE);
    CHECK(e == NULL && reason == ITL_CAPF_NO_REASON && says("not an RSA or EC"));
    /* The MIC's own key (PKCS#8 PEM). */
    proof.key = mic.data;
    proof.key_len = mic.len;
    EXPECT(itl_capf_client_enrol(client, MIC_DEVICE, &proof, &reason, &e), ITL_OK);
    CHECK(reason == ITL_CAPF_REASON_OK);
    check_installed(e, "mic");
    itl_capf_enrolment_free(e);
    itl_capf_client_free(client);
    free(mic.data);
    free(other_key.data);
    free(ec_cert.data);
}

static void refused_connection(const struct file *capf) {
    struct sockaddr_in addr;
    socklen_t len = sizeof addr;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    uint16_t closed_port;
    itl_capf_client *client = NULL;
    itl_capf_enrolment *e = NULL;
    uint32_t reason = 0;

    printf("== a server that refuses connections\n");
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0 ||
        getsockname(fd, (struct sockaddr *)&addr, &len) != 0) {
        perror("socket");
        exit(2);
    }
    closed_port = ntohs(addr.sin_port);
    close(fd); /* nothing listens there: connections are refused */
    EXPECT(itl_capf_client_new_pinned("127.0.0.1", closed_port, capf->data, capf->len, 1000, 2000,
                                      &client),
           ITL_OK);
    EXPECT(itl_capf_client_enrol(client, PIN_DEVICE, NULL, &reason, &e), ITL_ERR_NETWORK);
    printf("   %s\n", itl_last_error_message());
    CHECK(e == NULL && reason == ITL_CAPF_NO_REASON && says("network error"));
    itl_capf_client_free(client);
}

static void misuse(uint16_t port, const struct file *capf) {
    itl_capf_client *client = (itl_capf_client *)&client;
    itl_capf_enrolment *e = (itl_capf_enrolment *)&e;
    itl_phone *phone = NULL;
    const itl_trust_list *lists[1];
    itl_capf_proof proof;
    const uint8_t *data = NULL;
    size_t len = 0;
    uint32_t kind = 0, reason = 0;
    int stray = 0;
    char buf[4];

    printf("== misuse\n");
    itl_capf_client_free(NULL);
    itl_capf_enrolment_free(NULL);
    EXPECT(itl_capf_client_new_pinned(NULL, port, capf->data, capf->len, 0, 0, &client),
           ITL_ERR_NULL_ARGUMENT);
    CHECK(client == NULL && says("`host` is NULL"));
    EXPECT(itl_capf_client_new_pinned("", port, capf->data, capf->len, 0, 0, &client),
           ITL_ERR_INVALID_ARGUMENT);
    CHECK(says("itl_capf_client_new_pinned: `host` is empty"));
    EXPECT(itl_capf_client_new_pinned("\xff\xfe", port, capf->data, capf->len, 0, 0, &client),
           ITL_ERR_INVALID_ARGUMENT);
    CHECK(says("UTF-8"));
    EXPECT(itl_capf_client_new_pinned("127.0.0.1", port, NULL, 0, 0, 0, &client),
           ITL_ERR_NULL_ARGUMENT);
    EXPECT(itl_capf_client_new_pinned("127.0.0.1", port, capf->data, 10, 0, 0, &client),
           ITL_ERR_BAD_KEY_OR_CERTIFICATE);
    EXPECT(itl_capf_client_new_pinned("127.0.0.1", port, capf->data, capf->len, 0, 0, NULL),
           ITL_ERR_NULL_ARGUMENT);
    EXPECT(itl_capf_client_new_trusting_lists("127.0.0.1", port, NULL, 0, 0, 0, &client),
           ITL_ERR_INVALID_ARGUMENT);
    CHECK(says("at least one trust list"));
    EXPECT(itl_capf_client_new_trusting_lists("127.0.0.1", port, NULL, 1, 0, 0, &client),
           ITL_ERR_NULL_ARGUMENT);
    lists[0] = NULL;
    EXPECT(itl_capf_client_new_trusting_lists("127.0.0.1", port, lists, 1, 0, 0, &client),
           ITL_ERR_NULL_ARGUMENT);
    CHECK(says("`lists[0]` is NULL"));
    EXPECT(itl_phone_new(PIN_DEVICE, &phone), ITL_OK);
    lists[0] = (const itl_trust_list *)phone;
    EXPECT(itl_capf_client_new_trusting_lists("127.0.0.1", port, lists, 1, 0, 0, &client),
           ITL_ERR_BAD_HANDLE);
    CHECK(client == NULL && says("itl_phone"));

    /* The client's own calls: refused before connecting. */
    EXPECT(itl_capf_client_new_pinned("127.0.0.1", port, capf->data, capf->len, 0, 0, &client),
           ITL_OK);
    EXPECT(itl_capf_client_enrol(NULL, PIN_DEVICE, NULL, &reason, &e), ITL_ERR_NULL_ARGUMENT);
    CHECK(e == NULL && reason == ITL_CAPF_NO_REASON && says("`client` is NULL"));
    EXPECT(itl_capf_client_enrol(client, NULL, NULL, &reason, &e), ITL_ERR_NULL_ARGUMENT);
    CHECK(says("`device_name` is NULL"));
    EXPECT(itl_capf_client_enrol(client, PIN_DEVICE, NULL, &reason, NULL), ITL_ERR_NULL_ARGUMENT);
    EXPECT(itl_capf_client_enrol(client, "SEP 0011", NULL, &reason, &e),
           ITL_ERR_INVALID_ARGUMENT);
    CHECK(says("device name"));
    memset(&proof, 0, sizeof proof);
    proof.kind = 9;
    EXPECT(itl_capf_client_enrol(client, PIN_DEVICE, &proof, &reason, &e),
           ITL_ERR_INVALID_ARGUMENT);
    CHECK(says("ITL_CAPF_PROOF_"));
    proof.kind = ITL_CAPF_PROOF_PASSWORD;
    EXPECT(itl_capf_client_enrol(client, PIN_DEVICE, &proof, &reason, &e),
           ITL_ERR_NULL_ARGUMENT);
    CHECK(says("`proof->password` is NULL"));
    proof.password = "";
    EXPECT(itl_capf_client_enrol(client, PIN_DEVICE, &proof, &reason, &e),
           ITL_ERR_INVALID_ARGUMENT);
    proof.kind = ITL_CAPF_PROOF_CERTIFICATE;
    proof.cert_type = 7;
    EXPECT(itl_capf_client_enrol(client, PIN_DEVICE, &proof, &reason, &e),
           ITL_ERR_INVALID_ARGUMENT);
    CHECK(says("ITL_CAPF_CERT_LSC"));
    proof.cert_type = ITL_CAPF_CERT_LSC;
    EXPECT(itl_capf_client_enrol(client, PIN_DEVICE, &proof, &reason, &e),
           ITL_ERR_NULL_ARGUMENT);
    CHECK(says("`proof->certificate` is NULL"));
    proof.certificate = capf->data;
    proof.certificate_len = capf->len;
    EXPECT(itl_capf_client_enrol(client, PIN_DEVICE, &proof, &reason, &e),
           ITL_ERR_NULL_ARGUMENT);
    CHECK(says("`proof->key` is NULL"));
    proof.key = capf->data; /* a certificate, not a key */
    proof.key_len = capf->len;
    EXPECT(itl_capf_client_enrol(client, PIN_DEVICE, &proof, &reason, &e),
           ITL_ERR_BAD_KEY_OR_CERTIFICATE);
    CHECK(e == NULL);
    EXPECT(itl_capf_client_enrol((const itl_capf_client *)phone, PIN_DEVICE, NULL, &reason, &e),
           ITL_ERR_BAD_HANDLE);
    CHECK(says("itl_phone") && says("itl_capf_client"));
    EXPECT(itl_capf_client_enrol((const itl_capf_client *)&stray, PIN_DEVICE, NULL, &reason, &e),
           ITL_ERR_BAD_HANDLE);

    /* The enrolment's calls. */
    EXPECT(itl_capf_enrolment_kind(NULL, &kind), ITL_ERR_NULL_ARGUMENT);
    EXPECT(itl_capf_enrolment_kind((const itl_capf_enrolment *)client, &kind), ITL_ERR_BAD_HANDLE);
    CHECK(says("itl_capf_client"));
    EXPECT(itl_capf_enrolment_certificate(NULL, &data, &len), ITL_ERR_NULL_ARGUMENT);
    EXPECT(itl_capf_enrolment_certificate((const itl_capf_enrolment *)&stray, &data, &len),
           ITL_ERR_BAD_HANDLE);
    EXPECT(itl_capf_enrolment_key(NULL, &data, &len), ITL_ERR_NULL_ARGUMENT);
    EXPECT(itl_capf_enrolment_key((const itl_capf_enrolment *)client, NULL, &len),
           ITL_ERR_NULL_ARGUMENT);
    EXPECT(itl_capf_enrolment_pem(NULL, buf, sizeof buf, &len), ITL_ERR_NULL_ARGUMENT);
    EXPECT(itl_capf_enrolment_pem((const itl_capf_enrolment *)client, buf, sizeof buf, NULL),
           ITL_ERR_NULL_ARGUMENT);
    EXPECT(itl_capf_enrolment_pem((const itl_capf_enrolment *)client, NULL, 4, &len),
           ITL_ERR_NULL_ARGUMENT);

    /* The wrong _free, then double frees. */
    itl_capf_enrolment_free((itl_capf_enrolment *)client);
    CHECK(says("nothing freed"));
    itl_phone_free((itl_phone *)client);
    CHECK(says("nothing freed"));
    itl_capf_client_free((itl_capf_client *)phone);
    CHECK(says("nothing freed"));
    itl_capf_client_free(client);
    itl_capf_client_free(client);
    CHECK(says("nothing freed"));
    EXPECT(itl_capf_client_enrol(client, PIN_DEVICE, NULL, &reason, &e), ITL_ERR_BAD_HANDLE);
    CHECK(says("not a live itl_capf_client"));
    itl_phone_free(phone);
}

int main(int argc, char **argv) {
    long port;
    struct file capf, wrong;
    if (argc != 3 || (port = strtol(argv[1], NULL, 10)) <= 0 || port > 65535) {
        fprintf(stderr, "usage: capf_client_test PORT OUTDIR (of a capf_server; see the comment)\n");
        return 2;
    }
    outdir = argv[2];
    CHECK(ITL_CAPF_PORT == 3804);
    capf = der_of("keys/tvs-sub1.pem");
    wrong = der_of("keys/tvs-pub.pem");

    pinned((uint16_t)port, &capf, &wrong);
    trusting_lists((uint16_t)port, &capf);
    mic_proof((uint16_t)port, &capf);
    refused_connection(&capf);
    misuse((uint16_t)port, &capf);

    free(capf.data);
    free(wrong.data);
    itl_thread_cleanup();
    return finish("capf_client_test");
}
