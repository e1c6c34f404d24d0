// The header from C++11: it compiles warning-free with extern "C" linkage,
// links, and the types behave as the C ones do.
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
    itl_policy strict = itl_policy_strict();
    std::printf("cisco_itl %s from C++ (strict policy: %u bits)\n", itl_version(),
                strict.min_key_bits);
    return 0;
}
