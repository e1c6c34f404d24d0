// The header from C++11: it compiles warning-free with extern "C" linkage,
// links, and the types behave as the C ones do. Built with
// -DCISCO_ITL_TVS_NET against the networked library, it also checks the
// TVS client's declarations; with -DCISCO_ITL_CAPF against the `capf`
// build, the CAPF client's too.
#include <cstdio>
#include <cstring>

#include "cisco_itl.h"

static_assert(ITL_OK == 0, "ITL_OK is 0");
static_assert(sizeof(itl_result) == 4, "itl_result is 32 bits");

int main() {
    itl_trust_list *list = nullptr;
    const unsigned char empty[1] = {0};
    itl_result rc = itl_trust_list_parse(empty, 0, &list);
    if (rc != ITL_ERR_PARSE || list != nullptr) {
        std::fprintf(stderr, "unexpected %s\n", itl_result_name(rc));
        return 1;
    }
    if (std::strcmp(itl_last_error_message(), "the file is empty") != 0) {
        std::fprintf(stderr, "unexpected message: %s\n", itl_last_error_message());
        return 1;
    }
    itl_verifier *verifier = nullptr;
    if (itl_verifier_new(itl_policy_default(), ITL_VERIFIER_DEFAULT_CACHE_LIMIT, &verifier) !=
        ITL_OK) {
        return 1;
    }
    itl_verified verified = {ITL_NO_INDEX, ITL_NO_INDEX, 0, 0};
    rc = itl_verifier_verify(verifier, empty, 0, &verified);
    itl_verifier_free(verifier);
    if (rc != ITL_ERR_PARSE || verified.signer_index != ITL_NO_INDEX) {
        return 1;
    }
    itl_tftp tftp = {nullptr, nullptr};
    itl_boot_report *report = nullptr;
    if (itl_phone_boot(nullptr, &tftp, nullptr, 0, false, &report) != ITL_ERR_NULL_ARGUMENT) {
        return 1;
    }
#if defined(CISCO_ITL_TVS_NET)
    itl_tvs_server server = {"127.0.0.1", ITL_TVS_PORT};
    itl_tvs_client *client = nullptr;
    rc = itl_tvs_client_new_pinned(&server, 0, empty, 1, 0, 0, &client);
    if (rc != ITL_ERR_INVALID_ARGUMENT || client != nullptr) {
        return 1;
    }
    itl_tvs tvs = {nullptr, nullptr, nullptr};
    if (itl_tvs_client_tvs(client, &tvs) != ITL_ERR_NULL_ARGUMENT) {
        return 1;
    }
    itl_tvs_client_free(client);
    std::printf("with the networked TVS client (%s is code %u)\n",
                itl_result_name(ITL_ERR_NETWORK), static_cast<unsigned>(ITL_ERR_NETWORK));
#endif
#if defined(CISCO_ITL_CAPF)
    itl_capf_client *capf = nullptr;
    rc = itl_capf_client_new_pinned("127.0.0.1", ITL_CAPF_PORT, empty, 1, 0, 0, &capf);
    if (rc != ITL_ERR_BAD_KEY_OR_CERTIFICATE || capf != nullptr) {
        return 1;
    }
    itl_capf_proof proof = {ITL_CAPF_PROOF_PASSWORD, "1234", ITL_CAPF_CERT_LSC, nullptr, 0,
                            nullptr, 0, true};
    itl_capf_enrolment *enrolment = nullptr;
    uint32_t reason = 0;
    if (itl_capf_client_enrol(capf, "SEP001122334455", &proof, &reason, &enrolment) !=
            ITL_ERR_NULL_ARGUMENT ||
        enrolment != nullptr || reason != ITL_CAPF_NO_REASON) {
        return 1;
    }
    itl_capf_enrolment_free(enrolment);
    itl_capf_client_free(capf);
    std::printf("with the CAPF client (%s is code %u)\n", itl_result_name(ITL_ERR_CAPF_REFUSED),
                static_cast<unsigned>(ITL_ERR_CAPF_REFUSED));
#endif
    itl_policy strict = itl_policy_strict();
    std::printf("cisco_itl %s from C++ (strict policy: %u bits)\n", itl_version(),
                strict.min_key_bits);
    return 0;
}
