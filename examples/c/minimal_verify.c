/*
 * minimal_verify: the smallest useful program, for measuring what the
 * library adds to a binary (docs/C.md): parses a trust list and verifies
 * it against its own signing record.
 *
 *   minimal_verify FILE      exit 0 verified, 1 not verified, 2 unparsable
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "cisco_itl.h"

int main(int argc, char **argv) {
    static uint8_t buf[1 << 20];
    itl_trust_list *list = NULL;
    size_t len, signer = 0;
    itl_result rc;
    FILE *f;

    if (argc != 2 || (f = fopen(argv[1], "rb")) == NULL) {
        fprintf(stderr, "usage: minimal_verify FILE\n");
        return 2;
    }
    len = fread(buf, 1, sizeof buf, f);
    fclose(f);
    if (itl_trust_list_parse(buf, len, &list) != ITL_OK) {
        fprintf(stderr, "parse error: %s\n", itl_last_error_message());
        return 2;
    }
    rc = itl_trust_list_verify(list, &signer);
    if (rc == ITL_OK) {
        printf("verified: signed by record %zu of %zu\n", signer + 1,
               itl_trust_list_record_count(list));
    } else {
        printf("not verified: %s\n", itl_last_error_message());
    }
    itl_trust_list_free(list);
    itl_thread_cleanup(); /* AWS-LC builds: its per-thread error queue */
    return rc == ITL_OK ? 0 : 1;
}
