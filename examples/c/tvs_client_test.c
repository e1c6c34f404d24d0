/*
 * tvs_client_test: the networked TVS client (itl_tvs_client_*, built with
 * the cargo feature `tvs-net`) against a real TLS TVS server on loopback,
 * the Rust example tvs_server, which .ci/test-c starts as
 *
 *   tvs_server --port PORT --identity keys/tvs-sub1.pem \
 *     --trust keys/callmanager-pub.pem:CCM+TFTP,TVS:3600 \
 *     --trust keys/callmanager-pub-regenerated.pem:CCM+TFTP:600
 *
 * and this program as `tvs_client_test PORT`. It checks:
 *
 *   - a client pinning the server's certificate: a known certificate is
 *     valid with its roles and time to live, an unknown one invalid;
 *   - a client trusting the cluster's ITL (whose TVS record names the
 *     server's certificate), as a phone does;
 *   - a pinned certificate the server does not present, a server that
 *     refuses connections, one that accepts but never answers, and one
 *     that trickles a TLS record one byte every 200 ms (the client's
 *     deadline bounds the whole attempt), with fail-over to the next
 *     server;
 *   - the client as a phone's TVS (itl_tvs_client_tvs): a certificate the
 *     phone's ITL does not hold is vouched for by TVS, then cached;
 *   - misuse: NULLs, empty hosts, no server, bad certificates, handles of
 *     the wrong kind, double frees, a freed client behind an itl_tvs.
 *
 * Exit status 0 when every check passed, 2 when the arguments are wrong.
 */
#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <pthread.h>
#include <time.h>
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

#define DEVICE "SEP0011215A1AE3"
#define TVS_NAME "CP-7965-SEP0011215A1AE3"
#define NOW 1773075600u

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

/* A loopback socket listening on a free port that never accepts: a TCP
 * connection to it succeeds (the kernel queues it), the TLS handshake
 * then waits for an answer that never comes. */
static int silent_server(uint16_t *port) {
    struct sockaddr_in addr;
    socklen_t len = sizeof addr;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(fd, 4) != 0 ||
        getsockname(fd, (struct sockaddr *)&addr, &len) != 0) {
        perror("silent server");
        exit(2);
    }
    *port = ntohs(addr.sin_port);
    return fd;
}

/* A hostile TVS server: accepts one connection, reads the ClientHello,
 * then answers one byte every 200 ms (the start of a TLS record that never
 * ends), at most 100 bytes, until the client hangs up. */
static void *trickle(void *arg) {
    int fd = *(int *)arg, conn;
    uint8_t hello[512];
    const uint8_t record[5] = {0x16, 0x03, 0x03, 0x40, 0x00};
    struct timespec pause = {0, 200000000L};
    if ((conn = accept(fd, NULL, NULL)) < 0) {
        return NULL;
    }
    (void)read(conn, hello, sizeof hello);
    for (int i = 0; i < 100; i++) {
        uint8_t byte = i < 5 ? record[i] : 0x02;
        if (send(conn, &byte, 1, MSG_NOSIGNAL) != 1) {
            break;
        }
        nanosleep(&pause, NULL);
    }
    close(conn);
    return NULL;
}

static double seconds_since(const struct timespec *start) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

/* The answer of one verify call. */
struct answer {
    size_t server;
    bool valid;
    uint16_t roles[8];
    size_t role_count;
    uint32_t ttl;
};

static itl_result ask(const itl_tvs_client *client, const struct file *cert, struct answer *a) {
    memset(a, 0xab, sizeof *a);
    return itl_tvs_client_verify(client, 42, TVS_NAME, cert->data, cert->len, &a->server,
                                 &a->valid, a->roles, 8, &a->role_count, &a->ttl);
}

static void pinned(uint16_t port, const struct file *tvs, const struct file *wrong_tvs,
                   const struct file *cm, const struct file *capf) {
    itl_tvs_server servers[1];
    itl_tvs_client *client = (itl_tvs_client *)&client;
    struct answer a;
    struct file tvs_pem = load("keys/tvs-sub1.pem");
    uint16_t few[1];
    size_t server = 0, count = 0;
    uint32_t ttl = 0;
    bool valid = false;

    printf("== a client pinning the server's certificate\n");
    servers[0].host = "127.0.0.1";
    servers[0].port = port;
    EXPECT(itl_tvs_client_new_pinned(servers, 1, tvs->data, tvs->len, 2000, 5000, &client),
           ITL_OK);
    EXPECT(ask(client, cm, &a), ITL_OK);
    printf("   callmanager-pub: server %zu, %s, %zu roles, ttl %u\n", a.server,
           a.valid ? "valid" : "invalid", a.role_count, a.ttl);
    CHECK(a.server == 0 && a.valid && a.role_count == 2 && a.ttl == 3600);
    CHECK(a.roles[0] == ITL_FUNCTION_CCM_TFTP && a.roles[1] == ITL_FUNCTION_TVS);
    EXPECT(ask(client, capf, &a), ITL_OK);
    printf("   capf: server %zu, %s\n", a.server, a.valid ? "valid" : "invalid");
    CHECK(a.server == 0 && !a.valid && a.role_count == 0 && a.ttl == 0);
    /* A roles array too small: the answer is still written, but the roles. */
    EXPECT(itl_tvs_client_verify(client, 7, TVS_NAME, cm->data, cm->len, &server, &valid, few, 1,
                                 &count, &ttl),
           ITL_ERR_BUFFER_TOO_SMALL);
    CHECK(server == 0 && valid && count == 2 && ttl == 3600);
    EXPECT(itl_tvs_client_verify(client, 7, TVS_NAME, cm->data, cm->len, &server, &valid, NULL, 0,
                                 &count, &ttl),
           ITL_ERR_BUFFER_TOO_SMALL);
    /* A device name the protocol does not allow: refused before connecting. */
    EXPECT(itl_tvs_client_verify(client, 7, DEVICE, cm->data, cm->len, &server, &valid, few, 1,
                                 &count, &ttl),
           ITL_ERR_INVALID_ARGUMENT);
    CHECK(says("device name") && server == SIZE_MAX && !valid);
    itl_tvs_client_free(client);

    /* The PEM works as well as the DER. */
    EXPECT(itl_tvs_client_new_pinned(servers, 1, tvs_pem.data, tvs_pem.len, 0, 0, &client),
           ITL_OK);
    EXPECT(ask(client, cm, &a), ITL_OK);
    CHECK(a.valid);
    itl_tvs_client_free(client);
    free(tvs_pem.data);

    printf("== a pinned certificate the server does not present\n");
    EXPECT(itl_tvs_client_new_pinned(servers, 1, wrong_tvs->data, wrong_tvs->len, 2000, 5000,
                                     &client),
           ITL_OK);
    EXPECT(ask(client, cm, &a), ITL_ERR_NETWORK);
    printf("   %s\n", itl_last_error_message());
    /* rustls's refusal comes back through the socket layer. */
    CHECK(says("no TVS server answered") && says("no TVS record of the installed lists"));
    CHECK(a.server == SIZE_MAX && !a.valid && a.role_count == 0 && a.ttl == 0);
    itl_tvs_client_free(client);
}

static void trusting_lists(uint16_t port, const struct file *itl, const struct file *cm,
                           const struct file *capf) {
    itl_tvs_server servers[1];
    itl_tvs_client *client = NULL;
    itl_trust_list *list = NULL, *ctl = NULL;
    const itl_trust_list *lists[2];
    struct file ctl_file = load("cucm-CTLFile-tokenless.tlv");
    struct answer a;

    printf("== a client trusting the cluster's ITL, as a phone does\n");
    servers[0].host = "localhost";
    servers[0].port = port;
    EXPECT(itl_trust_list_parse(itl->data, itl->len, &list), ITL_OK);
    EXPECT(itl_trust_list_parse(ctl_file.data, ctl_file.len, &ctl), ITL_OK);
    lists[0] = ctl; /* no TVS record: the ITL, next, authenticates the server */
    lists[1] = list;
    EXPECT(itl_tvs_client_new_trusting_lists(servers, 1, lists, 2, 2000, 5000, &client), ITL_OK);
    /* The client keeps its own copy of the lists. */
    itl_trust_list_free(list);
    EXPECT(ask(client, capf, &a), ITL_OK);
    CHECK(a.server == 0 && !a.valid);
    EXPECT(ask(client, cm, &a), ITL_OK);
    CHECK(a.server == 0 && a.valid && a.ttl == 3600);
    itl_tvs_client_free(client);

    /* The CTL alone names no TVS: the server is refused. */
    EXPECT(itl_tvs_client_new_trusting_lists(servers, 1, lists, 1, 2000, 5000, &client), ITL_OK);
    EXPECT(ask(client, cm, &a), ITL_ERR_NETWORK);
    CHECK(says("no TVS record of the installed lists names this certificate"));
    itl_tvs_client_free(client);
    itl_trust_list_free(ctl);
    free(ctl_file.data);
}

static void failures_and_fail_over(uint16_t port, const struct file *tvs, const struct file *cm) {
    itl_tvs_server servers[3];
    itl_tvs_client *client = NULL;
    struct answer a;
    uint16_t silent_port = 0, closed_port = 0;
    int silent = silent_server(&silent_port);
    int closed = silent_server(&closed_port);
    close(closed); /* nothing listens there any more: connections are refused */

    printf("== a server that refuses connections, one that never answers, then the real one\n");
    servers[0].host = "127.0.0.1";
    servers[0].port = closed_port;
    EXPECT(itl_tvs_client_new_pinned(servers, 1, tvs->data, tvs->len, 1000, 1000, &client),
           ITL_OK);
    EXPECT(ask(client, cm, &a), ITL_ERR_NETWORK);
    printf("   refused: %s\n", itl_last_error_message());
    CHECK(says("network error") && a.server == SIZE_MAX);
    itl_tvs_client_free(client);

    servers[0].host = "127.0.0.1";
    servers[0].port = silent_port;
    EXPECT(itl_tvs_client_new_pinned(servers, 1, tvs->data, tvs->len, 1000, 300, &client),
           ITL_OK);
    EXPECT(ask(client, cm, &a), ITL_ERR_NETWORK);
    printf("   silent: %s\n", itl_last_error_message());
    CHECK(says("the 300 ms deadline passed while in the TLS handshake"));
    itl_tvs_client_free(client);

    /* A server that trickles: per-read timeouts would let it hold the
     * client for 20 s (100 bytes, 200 ms apart); the 1 s deadline of the
     * attempt ends it. */
    {
        uint16_t trickle_port = 0;
        int trickler = silent_server(&trickle_port);
        pthread_t thread;
        struct timespec start;
        double took;
        CHECK(pthread_create(&thread, NULL, trickle, &trickler) == 0);
        servers[0].host = "127.0.0.1";
        servers[0].port = trickle_port;
        EXPECT(itl_tvs_client_new_pinned(servers, 1, tvs->data, tvs->len, 1000, 1000, &client),
               ITL_OK);
        clock_gettime(CLOCK_MONOTONIC, &start);
        EXPECT(ask(client, cm, &a), ITL_ERR_NETWORK);
        took = seconds_since(&start);
        printf("   trickling: %s (after %.2f s)\n", itl_last_error_message(), took);
        CHECK(says("the 1000 ms deadline passed while in the TLS handshake"));
        /* A bound, not a measurement (valgrind runs this too). */
        CHECK(took < 5.0);
        itl_tvs_client_free(client);
        pthread_join(thread, NULL);
        close(trickler);
    }

    /* Fail-over: the third server answers. */
    servers[1].host = "127.0.0.1";
    servers[1].port = closed_port;
    servers[2].host = "127.0.0.1";
    servers[2].port = port;
    EXPECT(itl_tvs_client_new_pinned(servers, 3, tvs->data, tvs->len, 1000, 300, &client),
           ITL_OK);
    EXPECT(ask(client, cm, &a), ITL_OK);
    printf("   fail-over: answered by server %zu\n", a.server);
    CHECK(a.server == 2 && a.valid);
    itl_tvs_client_free(client);
    close(silent);
}

static void as_the_phones_tvs(uint16_t port, const struct file *itl, const struct file *cm_new) {
    itl_tvs_server servers[1];
    itl_tvs_client *client = NULL;
    itl_trust_list *installed = NULL;
    const itl_trust_list *lists[1];
    itl_phone *phone = NULL;
    itl_tvs tvs;
    uint32_t rule = 99;
    size_t index = 99;

    printf("== the client as the phone's TVS\n");
    servers[0].host = "127.0.0.1";
    servers[0].port = port;
    EXPECT(itl_phone_new(DEVICE, &phone), ITL_OK);
    EXPECT(itl_phone_offer_trust_list(phone, "ITLFile.tlv", itl->data, itl->len, NULL, NOW, &rule,
                                      &index),
           ITL_OK);
    CHECK(rule == ITL_TRUST_FIRST_USE);
    /* The client trusts what the phone installed. */
    EXPECT(itl_phone_installed_list(phone, ITL_LIST_ITL, &installed), ITL_OK);
    lists[0] = installed;
    EXPECT(itl_tvs_client_new_trusting_lists(servers, 1, lists, 1, 2000, 5000, &client), ITL_OK);
    itl_trust_list_free(installed);
    EXPECT(itl_tvs_client_tvs(client, &tvs), ITL_OK);
    CHECK(tvs.userdata == (void *)client && tvs.server_certificate != NULL && tvs.exchange != NULL);
    /* The regenerated CallManager certificate is in no installed list:
     * TVS server 0 vouches for it, then the phone's cache does. */
    EXPECT(itl_phone_check_server_certificate(phone, cm_new->data, cm_new->len, &tvs, NOW, &rule,
                                              &index),
           ITL_OK);
    printf("   regenerated CallManager: rule %u, index %zu\n", rule, index);
    CHECK(rule == ITL_TRUST_TVS && index == 0);
    EXPECT(itl_phone_check_server_certificate(phone, cm_new->data, cm_new->len, &tvs, NOW + 60,
                                              &rule, &index),
           ITL_OK);
    CHECK(rule == ITL_TRUST_TVS_CACHE && index == ITL_NO_INDEX);
    /* Past its time to live (600 s), TVS is asked again. */
    EXPECT(itl_phone_check_server_certificate(phone, cm_new->data, cm_new->len, &tvs, NOW + 601,
                                              &rule, &index),
           ITL_OK);
    CHECK(rule == ITL_TRUST_TVS && index == 0);
    /* A freed client behind the itl_tvs: as if no TVS server answered. */
    itl_tvs_client_free(client);
    EXPECT(itl_phone_check_server_certificate(phone, cm_new->data, cm_new->len, &tvs,
                                              NOW + 100000, &rule, &index),
           ITL_ERR_REJECTED);
    CHECK(rule == ITL_TRUST_NONE && says("no TVS server answered"));
    EXPECT(itl_tvs_client_tvs(client, &tvs), ITL_ERR_BAD_HANDLE);
    itl_phone_free(phone);
}

static void misuse(uint16_t port, const struct file *tvs, const struct file *cm,
                   const struct file *itl) {
    itl_tvs_server servers[2];
    itl_tvs_client *client = (itl_tvs_client *)&client;
    itl_trust_list *list = NULL;
    itl_phone *phone = NULL;
    const itl_trust_list *lists[1];
    struct answer a;
    itl_tvs callbacks;
    uint8_t buf[16];
    size_t len = 0;
    int stray = 0;

    printf("== misuse\n");
    servers[0].host = "127.0.0.1";
    servers[0].port = port;
    servers[1].host = "";
    servers[1].port = port;
    itl_tvs_client_free(NULL);
    EXPECT(itl_tvs_client_new_pinned(NULL, 1, tvs->data, tvs->len, 0, 0, &client),
           ITL_ERR_NULL_ARGUMENT);
    CHECK(client == NULL);
    EXPECT(itl_tvs_client_new_pinned(servers, 0, tvs->data, tvs->len, 0, 0, &client),
           ITL_ERR_INVALID_ARGUMENT);
    CHECK(says("at least one server"));
    EXPECT(itl_tvs_client_new_pinned(servers, 2, tvs->data, tvs->len, 0, 0, &client),
           ITL_ERR_INVALID_ARGUMENT);
    CHECK(says("`servers[1].host` is empty"));
    servers[1].host = NULL;
    EXPECT(itl_tvs_client_new_pinned(servers, 2, tvs->data, tvs->len, 0, 0, &client),
           ITL_ERR_NULL_ARGUMENT);
    servers[1].host = "\xff\xfe";
    EXPECT(itl_tvs_client_new_pinned(servers, 2, tvs->data, tvs->len, 0, 0, &client),
           ITL_ERR_INVALID_ARGUMENT);
    CHECK(says("UTF-8"));
    EXPECT(itl_tvs_client_new_pinned(servers, 1, tvs->data, 10, 0, 0, &client),
           ITL_ERR_BAD_KEY_OR_CERTIFICATE);
    EXPECT(itl_tvs_client_new_pinned(servers, 1, NULL, 0, 0, 0, &client), ITL_ERR_NULL_ARGUMENT);
    EXPECT(itl_tvs_client_new_pinned(servers, 1, tvs->data, tvs->len, 0, 0, NULL),
           ITL_ERR_NULL_ARGUMENT);
    EXPECT(itl_tvs_client_new_trusting_lists(servers, 1, NULL, 0, 0, 0, &client),
           ITL_ERR_INVALID_ARGUMENT);
    CHECK(says("at least one trust list"));
    /* A handle of the wrong kind, or none, among the lists. */
    EXPECT(itl_phone_new(DEVICE, &phone), ITL_OK);
    lists[0] = (const itl_trust_list *)phone;
    EXPECT(itl_tvs_client_new_trusting_lists(servers, 1, lists, 1, 0, 0, &client),
           ITL_ERR_BAD_HANDLE);
    CHECK(client == NULL && says("itl_phone"));
    lists[0] = NULL;
    EXPECT(itl_tvs_client_new_trusting_lists(servers, 1, lists, 1, 0, 0, &client),
           ITL_ERR_NULL_ARGUMENT);
    CHECK(says("`lists[0]` is NULL"));
    EXPECT(itl_trust_list_parse(itl->data, itl->len, &list), ITL_OK);
    lists[0] = list;
    itl_trust_list_free(list);
    EXPECT(itl_tvs_client_new_trusting_lists(servers, 1, lists, 1, 0, 0, &client),
           ITL_ERR_BAD_HANDLE);
    CHECK(says("not a live itl_trust_list"));

    /* The client's own calls. */
    EXPECT(itl_tvs_client_new_pinned(servers, 1, tvs->data, tvs->len, 0, 0, &client), ITL_OK);
    EXPECT(itl_tvs_client_verify(client, 1, TVS_NAME, cm->data, cm->len, NULL, &a.valid, NULL, 0,
                                 &a.role_count, &a.ttl),
           ITL_ERR_NULL_ARGUMENT);
    EXPECT(itl_tvs_client_verify(client, 1, NULL, cm->data, cm->len, &a.server, &a.valid, NULL, 0,
                                 &a.role_count, &a.ttl),
           ITL_ERR_NULL_ARGUMENT);
    EXPECT(itl_tvs_client_verify(client, 1, TVS_NAME, cm->data, cm->len, &a.server, &a.valid,
                                 NULL, 3, &a.role_count, &a.ttl),
           ITL_ERR_NULL_ARGUMENT);
    {
        /* A certificate too long for a TVS message: refused before connecting. */
        uint8_t *huge = calloc(70000, 1);
        if (huge != NULL) {
            EXPECT(itl_tvs_client_verify(client, 1, TVS_NAME, huge, 70000, &a.server, &a.valid,
                                         NULL, 0, &a.role_count, &a.ttl),
                   ITL_ERR_INVALID_ARGUMENT);
            free(huge);
        }
    }
    EXPECT(itl_tvs_client_verify((const itl_tvs_client *)phone, 1, TVS_NAME, cm->data, cm->len,
                                 &a.server, &a.valid, NULL, 0, &a.role_count, &a.ttl),
           ITL_ERR_BAD_HANDLE);
    CHECK(says("itl_phone") && says("itl_tvs_client"));
    EXPECT(itl_tvs_client_verify((const itl_tvs_client *)&stray, 1, TVS_NAME, cm->data, cm->len,
                                 &a.server, &a.valid, NULL, 0, &a.role_count, &a.ttl),
           ITL_ERR_BAD_HANDLE);
    EXPECT(itl_tvs_client_tvs(client, NULL), ITL_ERR_NULL_ARGUMENT);
    EXPECT(itl_tvs_client_tvs((const itl_tvs_client *)phone, &callbacks), ITL_ERR_BAD_HANDLE);
    EXPECT(itl_phone_is_locked((const itl_phone *)client, (bool *)&stray), ITL_ERR_BAD_HANDLE);
    /* The library's callbacks, called by hand with bad arguments, fail
     * cleanly. */
    EXPECT(itl_tvs_client_tvs(client, &callbacks), ITL_OK);
    CHECK(callbacks.server_certificate(callbacks.userdata, 0, buf, sizeof buf, &len) != 0);
    CHECK(says("`buf` holds 16"));
    CHECK(callbacks.server_certificate(callbacks.userdata, 5, buf, sizeof buf, &len) != 0);
    CHECK(callbacks.server_certificate(&stray, 0, buf, sizeof buf, &len) != 0);
    CHECK(callbacks.exchange(callbacks.userdata, 0, NULL, 4, buf, sizeof buf, &len) != 0);
    /* The wrong _free, then double frees. */
    itl_phone_free((itl_phone *)client);
    CHECK(says("nothing freed"));
    itl_tvs_client_free((itl_tvs_client *)phone);
    CHECK(says("nothing freed"));
    itl_tvs_client_free(client);
    itl_tvs_client_free(client);
    CHECK(says("nothing freed"));
    EXPECT(itl_tvs_client_verify(client, 1, TVS_NAME, cm->data, cm->len, &a.server, &a.valid,
                                 NULL, 0, &a.role_count, &a.ttl),
           ITL_ERR_BAD_HANDLE);
    CHECK(says("not a live itl_tvs_client"));
    itl_phone_free(phone);
}

int main(int argc, char **argv) {
    long port;
    struct file tvs, wrong_tvs, cm, cm_new, capf, itl;
    if (argc != 2 || (port = strtol(argv[1], NULL, 10)) <= 0 || port > 65535) {
        fprintf(stderr, "usage: tvs_client_test PORT (of a tvs_server; see the comment)\n");
        return 2;
    }
    tvs = der_of("keys/tvs-sub1.pem");
    wrong_tvs = der_of("keys/tvs-pub.pem");
    cm = der_of("keys/callmanager-pub.pem");
    cm_new = der_of("keys/callmanager-pub-regenerated.pem");
    capf = der_of("keys/capf.pem");
    itl = load("cucm-ITLFile.tlv");

    pinned((uint16_t)port, &tvs, &wrong_tvs, &cm, &capf);
    trusting_lists((uint16_t)port, &itl, &cm, &capf);
    failures_and_fail_over((uint16_t)port, &tvs, &cm);
    as_the_phones_tvs((uint16_t)port, &itl, &cm_new);
    misuse((uint16_t)port, &tvs, &cm, &itl);

    free(tvs.data);
    free(wrong_tvs.data);
    free(cm.data);
    free(cm_new.data);
    free(capf.data);
    free(itl.data);
    itl_thread_cleanup();
    return finish("tvs_client_test");
}
