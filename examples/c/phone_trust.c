/*
 * phone_trust: a phone's trust decisions from C, the story of
 * examples/phone_boot.rs told through the C API:
 *
 *   1. the phone boots and trusts the cluster's ITL (trust on first use),
 *      then its signed configuration;
 *   2. a tampered ITL (one byte of its signature changed) is refused: the
 *      phone locks ("Trust List Update Failed") and takes no configuration;
 *   3. CallManager.pem and TVS.pem are regenerated on the only node: the
 *      new ITL is refused too, as its signer is unknown and the TVS server
 *      no longer matches the installed ITL;
 *   4. `utils itl reset localkey` re-signs that ITL with the ITLRecovery
 *      key (ITLRecovery.p12; a wrong password first): the phone accepts it
 *      through the ITLRECOVERY SAST record and unlocks;
 *   5. an HTTPS server the lists do not hold (the old CallManager
 *      certificate) is vouched for by TVS, then found in the phone's TVS
 *      cache without asking again.
 *
 * TVS is reached through callbacks (itl_tvs): here a TVS server written
 * in C with the wire codec (itl_tvs_request_decode,
 * itl_tvs_response_encode), as firmware would run its own socket.
 *
 * Exit status 0 when every step ends as told above, 1 otherwise, 2 when a
 * file cannot be read.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cisco_itl.h"

#ifndef ITL_EXAMPLE_DATA
#define ITL_EXAMPLE_DATA "examples/data"
#endif

#define DEVICE "SEP0011215A1AE3"
#define CONFIG DEVICE ".cnf.xml.sgn"
#define RECOVERY_PASSWORD "Cluster-Security-Pw1"
#define NOW 1773075600u

/* A file of examples/data, or NULL. The buffer is never NULL when read. */
static uint8_t *read_data(const char *name, size_t *len) {
    char path[512];
    FILE *f;
    long size;
    uint8_t *data;
    snprintf(path, sizeof path, "%s/%s", ITL_EXAMPLE_DATA, name);
    f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "cannot read %s\n", path);
        return NULL;
    }
    fseek(f, 0, SEEK_END);
    size = ftell(f);
    fseek(f, 0, SEEK_SET);
    data = malloc(size > 0 ? (size_t)size : 1);
    *len = data != NULL && size > 0 ? fread(data, 1, (size_t)size, f) : 0;
    fclose(f);
    return data;
}

/* A TVS server: presents `certificate` when the phone connects, and
 * vouches for `known` (as CCM+TFTP) when asked, for nothing else. */
struct tvs_server {
    const uint8_t *certificate;
    size_t certificate_len;
    const uint8_t *known;
    size_t known_len;
    int requests;
};

static int32_t tvs_certificate(void *userdata, size_t server, uint8_t *buf, size_t capacity,
                               size_t *len) {
    const struct tvs_server *tvs = userdata;
    if (server != 0 || tvs->certificate_len > capacity) {
        return -1; /* one server only */
    }
    memcpy(buf, tvs->certificate, tvs->certificate_len);
    *len = tvs->certificate_len;
    return 0;
}

static int32_t tvs_exchange(void *userdata, size_t server, const uint8_t *request,
                            size_t request_len, uint8_t *buf, size_t capacity, size_t *len) {
    struct tvs_server *tvs = userdata;
    const uint16_t roles[] = {ITL_FUNCTION_CCM_TFTP};
    char device_name[ITL_TVS_DEVICE_NAME_SIZE];
    const uint8_t *certificate = NULL;
    size_t certificate_len = 0;
    uint32_t session = 0;
    bool known;
    if (server != 0 ||
        itl_tvs_request_decode(request, request_len, &session, device_name, sizeof device_name,
                               &certificate, &certificate_len) != ITL_OK) {
        return -1;
    }
    tvs->requests++;
    known = tvs->known != NULL && certificate_len == tvs->known_len &&
            memcmp(certificate, tvs->known, certificate_len) == 0;
    printf("   (TVS: %s asks about a %zu-byte certificate: %s)\n", device_name, certificate_len,
           known ? "trusted" : "not trusted");
    return itl_tvs_response_encode(session, known, roles, 1, 86400, buf, capacity, len) == ITL_OK
               ? 0
               : -1;
}

/* Prints a decision the way phone_boot does; returns whether it was
 * `want` (an ITL_TRUST_* rule, or ITL_TRUST_NONE for a refusal). */
static int report(const char *file, itl_result rc, uint32_t rule, size_t index, uint32_t want) {
    if (rc == ITL_OK) {
        char *text = NULL;
        itl_trust_text(rule, index, &text);
        printf("   %-32s %s\n", file, text != NULL ? text : "?");
        itl_string_free(text);
    } else {
        printf("   %-32s %s\n", file, itl_last_error_message());
    }
    return rc == ITL_OK ? rule == want : (want == ITL_TRUST_NONE && rc == ITL_ERR_REJECTED);
}

static void screen(const itl_phone *phone) {
    const char *message = NULL;
    if (itl_phone_status_message(phone, &message) == ITL_OK && message != NULL) {
        printf("   phone screen: \"%s\"\n", message);
    }
    printf("\n");
}

/* A configuration signed by `signer_pem`'s identity; the caller frees it
 * with itl_bytes_free. */
static itl_result config(const uint8_t *signer_pem, size_t signer_len, const char *note,
                         uint8_t **out, size_t *out_len) {
    char xml[128];
    itl_signer *signer = NULL;
    itl_result rc = itl_signer_from_pem(signer_pem, signer_len, &signer);
    snprintf(xml, sizeof xml, "<device><!-- %s --></device>", note);
    if (rc == ITL_OK) {
        rc = itl_signed_file_sign(signer, CONFIG, (const uint8_t *)xml, strlen(xml),
                                  ITL_DIGEST_SHA1, NOW, out, out_len);
    }
    itl_signer_free(signer);
    return rc;
}

/* The DER certificate of a PEM identity, copied into malloc'd memory. */
static uint8_t *certificate_of(const uint8_t *pem, size_t pem_len, size_t *len) {
    itl_signer *signer = NULL;
    const uint8_t *der = NULL;
    uint8_t *copy = NULL;
    *len = 0;
    if (itl_signer_from_pem(pem, pem_len, &signer) == ITL_OK &&
        itl_signer_certificate(signer, &der, len) == ITL_OK && (copy = malloc(*len)) != NULL) {
        memcpy(copy, der, *len);
    }
    itl_signer_free(signer);
    return copy;
}

int main(void) {
    size_t itl_len = 0, regen_len = 0, cm_len = 0, cm_new_len = 0, tvs_len = 0, tvs_new_len = 0,
           p12_len = 0;
    uint8_t *itl = read_data("itl-10x.tlv", &itl_len);
    uint8_t *regen = read_data("itl-regenerated.tlv", &regen_len);
    uint8_t *cm = read_data("sample-signer.pem", &cm_len);
    uint8_t *cm_new = read_data("callmanager-regenerated.pem", &cm_new_len);
    uint8_t *tvs_pem = read_data("sample-tvs.pem", &tvs_len);
    uint8_t *tvs_new_pem = read_data("tvs-regenerated.pem", &tvs_new_len);
    uint8_t *p12 = read_data("ITLRecovery.p12", &p12_len);
    uint8_t *tvs_der = NULL, *tvs_new_der = NULL, *web_der = NULL, *tampered = NULL;
    uint8_t *cfg = NULL, *cfg_new = NULL, *reset = NULL;
    size_t tvs_der_len = 0, tvs_new_der_len = 0, web_der_len = 0, cfg_len = 0,
           cfg_new_len = 0, reset_len = 0;
    itl_phone *phone = NULL;
    itl_trust_list *regen_list = NULL;
    struct tvs_server server;
    itl_tvs tvs;
    uint32_t rule;
    size_t index;
    itl_result rc;
    bool locked_after_tamper = false, locked_after_reset = true;
    int ok = 1, status = 2;

    if (!itl || !regen || !cm || !cm_new || !tvs_pem || !tvs_new_pem || !p12) {
        goto done;
    }
    status = 1;
    tvs_der = certificate_of(tvs_pem, tvs_len, &tvs_der_len);
    tvs_new_der = certificate_of(tvs_new_pem, tvs_new_len, &tvs_new_der_len);
    web_der = certificate_of(cm, cm_len, &web_der_len); /* not in the reset ITL */
    if (!tvs_der || !tvs_new_der || !web_der || itl_phone_new(DEVICE, &phone) != ITL_OK ||
        config(cm, cm_len, "first boot", &cfg, &cfg_len) != ITL_OK ||
        config(cm_new, cm_new_len, "after regeneration", &cfg_new, &cfg_new_len) != ITL_OK) {
        fprintf(stderr, "setup failed: %s\n", itl_last_error_message());
        goto done;
    }
    server.certificate = tvs_der;
    server.certificate_len = tvs_der_len;
    server.known = NULL; /* until step 5, TVS vouches for nothing */
    server.known_len = 0;
    server.requests = 0;
    tvs.userdata = &server;
    tvs.server_certificate = tvs_certificate;
    tvs.exchange = tvs_exchange;

    printf("== 1. first boot\n");
    rc = itl_phone_offer_trust_list(phone, "ITLFile.tlv", itl, itl_len, &tvs, NOW, &rule, &index);
    ok &= report("ITLFile.tlv", rc, rule, index, ITL_TRUST_FIRST_USE);
    rc = itl_phone_offer_config(phone, CONFIG, cfg, cfg_len, NOW, &rule, &index);
    ok &= report(CONFIG, rc, rule, index, ITL_TRUST_ITL_TFTP);
    screen(phone);

    printf("== 2. a tampered ITL: one byte of its signature changed\n");
    {
        /* Find the signature in the file and flip a bit of it. */
        itl_trust_list *list = NULL;
        const itl_header *header = NULL;
        const uint8_t *sig = NULL;
        size_t sig_len = 0, at;
        tampered = malloc(itl_len);
        if (tampered == NULL || itl_trust_list_parse(itl, itl_len, &list) != ITL_OK ||
            itl_trust_list_header(list, &header) != ITL_OK ||
            itl_header_signature(header, &sig, &sig_len) != ITL_OK || sig_len == 0) {
            itl_trust_list_free(list);
            goto done;
        }
        memcpy(tampered, itl, itl_len);
        for (at = 0; at + sig_len <= itl_len; at++) {
            if (memcmp(tampered + at, sig, sig_len) == 0) {
                tampered[at + sig_len / 2] ^= 0x01;
                break;
            }
        }
        itl_trust_list_free(list);
    }
    rc = itl_phone_offer_trust_list(phone, "ITLFile.tlv", tampered, itl_len, &tvs, NOW, &rule,
                                    &index);
    ok &= report("ITLFile.tlv (tampered)", rc, rule, index, ITL_TRUST_NONE);
    rc = itl_phone_offer_config(phone, CONFIG, cfg, cfg_len, NOW, &rule, &index);
    ok &= report(CONFIG, rc, rule, index, ITL_TRUST_NONE);
    itl_phone_is_locked(phone, &locked_after_tamper);
    ok &= locked_after_tamper;
    screen(phone);

    printf("== 3. both certificates regenerated on a single node\n");
    server.certificate = tvs_new_der; /* TVS now presents its new certificate */
    server.certificate_len = tvs_new_der_len;
    rc = itl_phone_offer_trust_list(phone, "ITLFile.tlv", regen, regen_len, &tvs, NOW, &rule,
                                    &index);
    ok &= report("ITLFile.tlv", rc, rule, index, ITL_TRUST_NONE);
    rc = itl_phone_offer_config(phone, CONFIG, cfg_new, cfg_new_len, NOW, &rule, &index);
    ok &= report(CONFIG, rc, rule, index, ITL_TRUST_NONE);
    screen(phone);

    printf("== 4. utils itl reset localkey\n");
    if (itl_trust_list_parse(regen, regen_len, &regen_list) != ITL_OK) {
        goto done;
    }
    /* The ITL is re-signed only once it verifies against what the
     * administrator trusts: here the publisher's new CallManager.pem,
     * which signed it. An ITL that verifies only against itself (an
     * attacker's, copying the public ITLRECOVERY record) never is. */
    rc = itl_recovery_reset_trusting(regen_list, p12, p12_len, "not the password", cm_new,
                                     cm_new_len, &reset, &reset_len);
    printf("   %-32s %s (%s)\n", "ITLRecovery.p12, wrong password", itl_result_name(rc),
           itl_last_error_message());
    ok &= rc == ITL_ERR_WRONG_PASSWORD && reset == NULL;
    rc = itl_recovery_reset_trusting(regen_list, p12, p12_len, RECOVERY_PASSWORD, cm_new,
                                     cm_new_len, &reset, &reset_len);
    if (rc != ITL_OK) {
        fprintf(stderr, "reset failed: %s\n", itl_last_error_message());
        goto done;
    }
    rc = itl_phone_offer_trust_list(phone, "ITLFile.tlv", reset, reset_len, &tvs, NOW, &rule,
                                    &index);
    ok &= report("ITLFile.tlv (reset)", rc, rule, index, ITL_TRUST_ITL_SAST);
    rc = itl_phone_offer_config(phone, CONFIG, cfg_new, cfg_new_len, NOW, &rule, &index);
    ok &= report(CONFIG, rc, rule, index, ITL_TRUST_ITL_TFTP);
    itl_phone_is_locked(phone, &locked_after_reset);
    ok &= !locked_after_reset;
    screen(phone);

    printf("== 5. an HTTPS server the lists do not hold, vouched for by TVS\n");
    server.certificate = tvs_der; /* a TVS the installed ITL names */
    server.certificate_len = tvs_der_len;
    server.known = web_der; /* and it knows this certificate */
    server.known_len = web_der_len;
    server.requests = 0;
    rc = itl_phone_check_server_certificate(phone, web_der, web_der_len, &tvs, NOW, &rule, &index);
    ok &= report("https server", rc, rule, index, ITL_TRUST_TVS);
    rc = itl_phone_check_server_certificate(phone, web_der, web_der_len, &tvs, NOW + 60, &rule,
                                            &index);
    ok &= report("https server, a minute later", rc, rule, index, ITL_TRUST_TVS_CACHE);
    ok &= server.requests == 1;
    screen(phone);

    status = ok ? 0 : 1;
    if (!ok) {
        fprintf(stderr, "the walk-through did not end as expected\n");
    }
done:
    itl_phone_free(phone);
    itl_trust_list_free(regen_list);
    itl_bytes_free(cfg);
    itl_bytes_free(cfg_new);
    itl_bytes_free(reset);
    free(tampered);
    free(tvs_der);
    free(tvs_new_der);
    free(web_der);
    free(itl);
    free(regen);
    free(cm);
    free(cm_new);
    free(tvs_pem);
    free(tvs_new_pem);
    free(p12);
    itl_thread_cleanup();
    return status;
}
