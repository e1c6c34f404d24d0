/*
 * cisco_itl.h: the C API of cisco-itl (libcisco_itl.a / libcisco_itl.so).
 *
 * Cisco's phone trust lists (ITL and CTL .tlv files), signed .sgn files,
 * encrypted configurations (.enc.sgn), `show itl`, building and signing,
 * the phone's trust decisions and boot, batch verification, the TVS wire
 * codec, the networked TVS client (in a library built with the cargo
 * feature `tvs-net`; define CISCO_ITL_TVS_NET to declare it), the CAPF
 * client (cargo feature `capf`; define CISCO_ITL_CAPF) and the ITL
 * recovery reset. docs/C.md tells how to link and use it.
 *
 * Conventions, the same for every function:
 *
 *  - Results. Every call that can fail returns an itl_result (ITL_OK is 0)
 *    and writes its results through out-parameters. On failure,
 *    itl_last_error_message() says why, in words; pointer out-parameters
 *    are set to NULL (and lengths to 0) unless the function says otherwise.
 *  - Arguments. A NULL pointer where one is needed is ITL_ERR_NULL_ARGUMENT
 *    (optional pointers say "or NULL"). A length that overflows the address
 *    space, a misaligned pointer, text that is not UTF-8, an index past the
 *    end or an unknown code is ITL_ERR_INVALID_ARGUMENT. A length of 0 is an
 *    empty input, judged like any other (an empty file does not parse).
 *  - Handles are opaque. A handle of the wrong kind, a freed handle (as long
 *    as its address has not been reused by a newer handle) and a pointer the
 *    library never gave out are detected without being read:
 *    ITL_ERR_BAD_HANDLE. Each _free function takes NULL as a no-op and
 *    reports (without crashing) anything else it cannot free, including a
 *    second free of the same handle.
 *  - Inputs (data + len, strings) are read during the call only; nothing
 *    keeps a pointer to them unless a function says so.
 *  - Ownership of outputs is written next to each function: "owned by X"
 *    means valid until X is freed (do not free it); "the caller owns it"
 *    names the function that frees it.
 *  - Panics never cross into C: every entry point catches them
 *    (ITL_ERR_PANIC). Out of memory aborts the process, as in C's malloc
 *    wrappers that abort.
 *  - Threads. Lists, signed files, headers, records and signers are
 *    immutable and may be used by any number of threads at once, as may
 *    verifiers, boot reports and CAPF enrolments. Phones, builders, TVS
 *    clients and CAPF clients lock themselves: each call is applied
 *    whole. Error messages are per thread. Do not free a handle while
 *    another thread uses it.
 *  - Indexes are 0-based (a C index); texts for people count from 1 like
 *    `show itl`.
 *
 * Contents (functions are in alphabetical order below; by subject):
 *
 *  - Trust lists: itl_trust_list_parse, _free, _record_count, _record,
 *    _header, _signer_record, _kind, _bytes; verification:
 *    itl_trust_list_verify, _verify_with_policy, _verify_with_list,
 *    _verify_with_certificate, _check_records; itl_policy_default/strict.
 *  - Headers (of lists and signed files): itl_header_*.
 *  - Records: itl_record_* (functions, names, serial, certificate, hash…).
 *  - Signed files (.sgn): itl_signed_file_parse, _free, _header, _payload,
 *    _verify_with_list, _verify_with_certificate; itl_signed_file_sign.
 *  - Encrypted configurations (.enc.sgn): itl_encrypted_parse, _free,
 *    _header, _info, _decrypt_with_certificate, _decrypt_with_list;
 *    itl_encrypted_encrypt.
 *  - show itl: itl_show, itl_show_kind, itl_show_write,
 *    itl_is_signed_file, itl_show_signed_file, itl_show_signed_file_write.
 *  - Building and signing: itl_signer_from_pem, itl_signer_from_pkcs12,
 *    itl_signer_*; itl_builder_new, itl_builder_*, itl_builder_sign.
 *  - ITL recovery (trust required): itl_recovery_reset_trusting,
 *    itl_recovery_reset_trusting_list.
 *  - The phone: itl_phone_new, itl_phone_set_*, itl_phone_offer_trust_list,
 *    itl_phone_offer_config, itl_phone_check_server_certificate,
 *    itl_phone_authenticate_tvs, state queries; itl_trust_text; TVS
 *    callbacks: itl_tvs. Booting: itl_phone_boot (TFTP callback: itl_tftp),
 *    itl_boot_report_step_count, _step, _free.
 *  - Batch verification: itl_verifier_new, _new_trusting, _verify,
 *    _verify_many, _cached_keys, _free.
 *  - TVS wire codec: itl_tvs_request_encode/decode,
 *    itl_tvs_response_encode/decode.
 *  - TVS client (CISCO_ITL_TVS_NET): itl_tvs_client_new_pinned,
 *    _new_trusting_lists, _verify, _tvs (for the phone), _free.
 *  - CAPF client (CISCO_ITL_CAPF): itl_capf_client_new_pinned,
 *    _new_trusting_lists, _enrol (proof: itl_capf_proof), _free; what a
 *    session ended with: itl_capf_enrolment_kind, _certificate, _key,
 *    _pem, _free (which wipes the key).
 *  - Results and memory: itl_last_error_message, itl_result_name,
 *    itl_string_free, itl_bytes_free, itl_thread_cleanup, itl_version;
 *    codes: itl_function_name, itl_digest_name, itl_list_kind_from_filename.
 */

#ifndef CISCO_ITL_H
#define CISCO_ITL_H

/* Generated by cbindgen from itl-ffi/src: do not edit (see itl-ffi/cbindgen.toml). */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/**
 * The index of a trust decision that has none (ITL_TRUST_FIRST_USE,
 * ITL_TRUST_BLANK_ITL, ITL_TRUST_UNSIGNED, ITL_TRUST_TVS_CACHE), and of
 * any decision when the call failed.
 */
#define ITL_NO_INDEX SIZE_MAX

/**
 * Boot step outcome: the configuration file, accepted or refused.
 */
#define ITL_BOOT_CONFIG 2

/**
 * Boot step outcome: the TFTP server has no such file.
 */
#define ITL_BOOT_NOT_FOUND 0

/**
 * Boot step outcome: a trust list (CTL or ITL), accepted or refused.
 */
#define ITL_BOOT_TRUST_LIST 1

#if defined(CISCO_ITL_CAPF)
/**
 * `itl_capf_proof.cert_type`: a locally significant certificate (the
 * CAPF code, 1).
 */
#define ITL_CAPF_CERT_LSC 1
#endif

#if defined(CISCO_ITL_CAPF)
/**
 * `itl_capf_proof.cert_type`: the manufacturer-installed certificate (the
 * CAPF code, 2).
 */
#define ITL_CAPF_CERT_MIC 2
#endif

#if defined(CISCO_ITL_CAPF)
/**
 * `itl_capf_enrolment_kind`: the server asked the device to delete its
 * LSC.
 */
#define ITL_CAPF_DELETED 2
#endif

#if defined(CISCO_ITL_CAPF)
/**
 * `itl_capf_enrolment_kind`: the server handed over the certificate it
 * holds for the device (no key).
 */
#define ITL_CAPF_FETCHED 1
#endif

#if defined(CISCO_ITL_CAPF)
/**
 * `itl_capf_enrolment_kind`: a certificate was issued for a key pair
 * generated here; the enrolment holds both.
 */
#define ITL_CAPF_INSTALLED 0
#endif

#if defined(CISCO_ITL_CAPF)
/**
 * `itl_capf_enrolment_kind`: nothing was scheduled for the device.
 */
#define ITL_CAPF_NOTHING_TO_DO 3
#endif

#if defined(CISCO_ITL_CAPF)
/**
 * No CAPF reason: the session did not end with one (the call failed
 * before the server ended it).
 */
#define ITL_CAPF_NO_REASON 4294967295
#endif

#if defined(CISCO_ITL_CAPF)
/**
 * CAPF's TCP port, 3804 (what a port of 0 means).
 */
#define ITL_CAPF_PORT 3804
#endif

#if defined(CISCO_ITL_CAPF)
/**
 * `itl_capf_proof.kind`: a signature with the device's existing
 * certificate (LSC or MIC) and its key (RSA, or EC on P-256, P-384 or
 * P-521: ECDSA).
 */
#define ITL_CAPF_PROOF_CERTIFICATE 2
#endif

#if defined(CISCO_ITL_CAPF)
/**
 * `itl_capf_proof.kind`: no proof (the device's authentication mode is
 * "none").
 */
#define ITL_CAPF_PROOF_NONE 0
#endif

#if defined(CISCO_ITL_CAPF)
/**
 * `itl_capf_proof.kind`: the PIN the administrator gave the device.
 */
#define ITL_CAPF_PROOF_PASSWORD 1
#endif

#if defined(CISCO_ITL_CAPF)
/**
 * A CAPF reason: refused, a wrong password or proof (7).
 */
#define ITL_CAPF_REASON_INVALID 7
#endif

#if defined(CISCO_ITL_CAPF)
/**
 * A CAPF reason: nothing to do (0). A session that fetched a
 * certificate, or had nothing to do, ends with it.
 */
#define ITL_CAPF_REASON_NOTHING_TO_DO 0
#endif

#if defined(CISCO_ITL_CAPF)
/**
 * A CAPF reason: done (1). An installation or a deletion ends with it.
 */
#define ITL_CAPF_REASON_OK 1
#endif

#if defined(CISCO_ITL_CAPF)
/**
 * A CAPF reason: the server does not know the device (9).
 */
#define ITL_CAPF_REASON_UNKNOWN_DEVICE 9
#endif

/**
 * Digest code 1: SHA-1 (what CUCM signs with).
 */
#define ITL_DIGEST_SHA1 1

/**
 * Digest code 2: SHA-256.
 */
#define ITL_DIGEST_SHA256 2

/**
 * Digest code 3: SHA-512.
 */
#define ITL_DIGEST_SHA512 3

/**
 * FUNCTION code 7: an application server.
 */
#define ITL_FUNCTION_APP_SERVER 7

/**
 * FUNCTION code 4: the Certificate Authority Proxy Function.
 */
#define ITL_FUNCTION_CAPF 4

/**
 * FUNCTION code 1: a CallManager node.
 */
#define ITL_FUNCTION_CCM 1

/**
 * FUNCTION code 2: a CallManager node that is also a TFTP server.
 */
#define ITL_FUNCTION_CCM_TFTP 2

/**
 * FUNCTION code 0: System Administrator Security Token, may sign trust lists.
 */
#define ITL_FUNCTION_SAST 0

/**
 * FUNCTION code 3: a TFTP server.
 */
#define ITL_FUNCTION_TFTP 3

/**
 * FUNCTION code 21: a Trust Verification Service.
 */
#define ITL_FUNCTION_TVS 21

/**
 * Layout of built files: CUCM's (`;` names, DNSNAME, CERTHASH for TVS and
 * CAPF records of an ITL, IPADDRESS in CTLs). The default.
 */
#define ITL_LAYOUT_CUCM 0

/**
 * Layout of built files: the independent implementation's (`,` names,
 * signer version tag 28).
 */
#define ITL_LAYOUT_PEER 1

/**
 * List kind: a Certificate Trust List (`CTLFile.tlv`).
 */
#define ITL_LIST_CTL 1

/**
 * List kind: an Identity Trust List (`ITLFile.tlv`).
 */
#define ITL_LIST_ITL 0

/**
 * The installed ITL is blank (rollback): any signed configuration goes.
 */
#define ITL_TRUST_BLANK_ITL 2

/**
 * Signed by SAST record `index` of the installed CTL.
 */
#define ITL_TRUST_CTL_SAST 4

/**
 * Signed by CCM+TFTP or TFTP record `index` of the installed CTL.
 */
#define ITL_TRUST_CTL_TFTP 5

/**
 * Trust on first use: the phone held no trust list, or only a blank ITL.
 */
#define ITL_TRUST_FIRST_USE 1

/**
 * The certificate is record `index` of the installed CTL (HTTPS).
 */
#define ITL_TRUST_IN_CTL 8

/**
 * The certificate is record `index` of the installed ITL (HTTPS).
 */
#define ITL_TRUST_IN_ITL 9

/**
 * Signed by SAST record `index` of the installed ITL (the ITLRecovery
 * reset gets in this way).
 */
#define ITL_TRUST_ITL_SAST 6

/**
 * Signed by CCM+TFTP or TFTP record `index` of the installed ITL.
 */
#define ITL_TRUST_ITL_TFTP 7

/**
 * No decision (set when a call fails).
 */
#define ITL_TRUST_NONE 0

/**
 * TVS server `index` (0-based, in the phone's list) vouched for it.
 */
#define ITL_TRUST_TVS 10

/**
 * A TVS answer still in the phone's cache vouched for it.
 */
#define ITL_TRUST_TVS_CACHE 11

/**
 * The phone holds no trust list and takes the unsigned configuration.
 */
#define ITL_TRUST_UNSIGNED 3

/**
 * Bytes a TVS device name takes with its NUL: `CP-7965-SEP0011215A1AE3`
 * is 23 characters.
 */
#define ITL_TVS_DEVICE_NAME_SIZE 24

/**
 * The largest TVS message (10-byte header and 65,535 bytes of elements):
 * the capacity of the buffers the TVS callbacks fill.
 */
#define ITL_TVS_MAX_MESSAGE 65545

/**
 * The TCP port TVS listens on (inside TLS).
 */
#define ITL_TVS_PORT 2445

/**
 * How many signing records a verifier remembers unless told otherwise
 * (4,096 records of a few KB each). Past the limit, keys are still
 * checked, only not remembered, so hostile input cannot grow the cache.
 */
#define ITL_VERIFIER_DEFAULT_CACHE_LIMIT 4096

/**
 * The library's major version (the `MAJOR` of `MAJOR.MINOR.PATCH`).
 */
#define ITL_VERSION_MAJOR 0

/**
 * The library's minor version.
 */
#define ITL_VERSION_MINOR 1

/**
 * The library's version as one number, `MAJOR * 10000 + MINOR * 100 +
 * PATCH`, for `#if ITL_VERSION_NUMBER >= 100` tests.
 */
#define ITL_VERSION_NUMBER (((ITL_VERSION_MAJOR * 10000) + (ITL_VERSION_MINOR * 100)) + ITL_VERSION_PATCH)

/**
 * The library's patch version.
 */
#define ITL_VERSION_PATCH 0

/**
 * What a call did: `ITL_OK`, or why it failed. Every fallible function
 * returns one; `itl_last_error_message()` then says more, in words.
 *
 * The values are fixed: new codes are only ever added at the end.
 */
enum itl_result
#if defined(__cplusplus) || __STDC_VERSION__ >= 202311L
  : uint32_t
#endif // defined(__cplusplus) || __STDC_VERSION__ >= 202311L
 {
  /**
   * Success.
   */
  ITL_OK = 0,
  /**
   * A pointer the function needs is NULL.
   */
  ITL_ERR_NULL_ARGUMENT = 1,
  /**
   * An argument is out of range: a length that overflows, a misaligned
   * pointer, text that is not UTF-8, an index past the end, an unknown
   * code or kind.
   */
  ITL_ERR_INVALID_ARGUMENT = 2,
  /**
   * A handle is not a live handle of the kind the function takes: a
   * handle of another kind, one already freed, or a pointer the library
   * never gave out.
   */
  ITL_ERR_BAD_HANDLE = 3,
  /**
   * The bytes are not a well-formed trust list, signed file or TVS
   * message.
   */
  ITL_ERR_PARSE = 4,
  /**
   * A signature was not accepted (wrong key, tampered bytes, unknown or
   * lying signer).
   */
  ITL_ERR_VERIFY = 5,
  /**
   * The signature is correct but a rule refuses it (SHA-1, or a key
   * smaller than the policy's minimum; an ITL without the recovery
   * record a reset needs).
   */
  ITL_ERR_POLICY = 6,
  /**
   * The password does not open the PKCS#12 file.
   */
  ITL_ERR_WRONG_PASSWORD = 7,
  /**
   * A key, certificate or PKCS#12 file given by the caller is unusable.
   */
  ITL_ERR_BAD_KEY_OR_CERTIFICATE = 8,
  /**
   * The phone's rules refused the file or certificate.
   */
  ITL_ERR_REJECTED = 9,
  /**
   * The caller's buffer is too small; the needed size was written.
   */
  ITL_ERR_BUFFER_TOO_SMALL = 10,
  /**
   * What was asked for is not there: an optional element the record
   * does not carry, no signing record, no installed list. (An ITL
   * without the recovery record a reset needs is `ITL_ERR_POLICY`.)
   */
  ITL_ERR_NOT_FOUND = 11,
  /**
   * A list or file could not be built or signed.
   */
  ITL_ERR_SIGN = 12,
  /**
   * The caller's output callback reported a failure.
   */
  ITL_ERR_WRITE = 13,
  /**
   * The library panicked (a bug): the panic was caught at the boundary
   * and the call had no effect beyond what it did before panicking.
   */
  ITL_ERR_PANIC = 14,
  /**
   * No TVS server could be asked (networked build, `CISCO_ITL_TVS_NET`):
   * a server could not be resolved or reached, TLS failed (including a
   * server certificate the client's trust refuses), a read or write
   * timed out, or the answer was malformed or for another session. The
   * message gives the last server's failure.
   */
  ITL_ERR_NETWORK = 15,
  /**
   * The call would re-enter a phone this thread is already in: a TFTP
   * or TVS callback of a call on a phone called into that same phone.
   * Nothing was done (the outer call goes on).
   */
  ITL_ERR_BUSY = 16,
  /**
   * An encrypted configuration whose signature verified could not be
   * decrypted: it names no phone or another phone than the
   * certificate's, the phone's key does not open it (a wrong key or a
   * wrapped key made for another), the header's padding does not hold,
   * or the plaintext's digest is not the header's. Nothing was written.
   */
  ITL_ERR_DECRYPT = 17,
  /**
   * The CAPF server refused the device (CAPF client, `CISCO_ITL_CAPF`):
   * a wrong password or proof, an unknown device. The reason it gave is
   * in the message and in `itl_capf_client_enrol`'s `reason`; nothing
   * was issued.
   */
  ITL_ERR_CAPF_REFUSED = 18,
  /**
   * The server is not the one the client trusts (CAPF client,
   * `CISCO_ITL_CAPF`): its certificate is not the pinned one, or no CAPF
   * record of the trust lists names it. Nothing was sent to it.
   */
  ITL_ERR_SERVER_NOT_TRUSTED = 19,
};
#ifndef __cplusplus
#if __STDC_VERSION__ >= 202311L
typedef enum itl_result itl_result;
#else
typedef uint32_t itl_result;
#endif // __STDC_VERSION__ >= 202311L
#endif // __cplusplus

/**
 * What a boot did: the files the phone asked for, in order, and what
 * became of each. Immutable; made by `itl_phone_boot`.
 */
typedef struct itl_boot_report itl_boot_report;

/**
 * A trust list being built: its kind, header settings and records.
 * Each setter changes it; `itl_builder_sign` may be called any number of
 * times.
 */
typedef struct itl_builder itl_builder;

#if defined(CISCO_ITL_CAPF)
/**
 * A CAPF client for one server: its address, how it authenticates it,
 * and its deadline. It locks itself: calls on one client run one at a
 * time.
 */
typedef struct itl_capf_client itl_capf_client;
#endif

#if defined(CISCO_ITL_CAPF)
/**
 * What a CAPF session ended with: its kind, and the certificate and
 * private key when it has them. Immutable; the key is wiped from memory
 * when the enrolment is freed.
 */
typedef struct itl_capf_enrolment itl_capf_enrolment;
#endif

/**
 * A parsed encrypted configuration: a copy of its bytes and its header.
 * Immutable once made.
 */
typedef struct itl_encrypted_file itl_encrypted_file;

/**
 * A file header: the signer, the digest and signature, the file name and
 * time. Borrowed from the `itl_trust_list`, `itl_signed_file` or
 * `itl_encrypted_file` it was read from (never freed on its own).
 */
typedef struct itl_header itl_header;

/**
 * A phone's trust state: its name and model, installed CTL and ITL, TVS
 * servers and cache, settings, and whether it is locked.
 */
typedef struct itl_phone itl_phone;

/**
 * One record of a trust list: a certificate (or its hash) and its roles.
 * Borrowed from its `itl_trust_list` (never freed on its own).
 */
typedef struct itl_record itl_record;

/**
 * A parsed signed file: a copy of its bytes and its header. Immutable
 * once made.
 */
typedef struct itl_signed_file itl_signed_file;

/**
 * A signing identity: an RSA private key (1024, 2048 or 4096 bits) and
 * its certificate, whose subject, serial and issuer a signed header
 * names. Immutable once made.
 */
typedef struct itl_signer itl_signer;

/**
 * A parsed trust list (ITL or CTL): a copy of the file's bytes, its header
 * and its records. Immutable once made.
 */
typedef struct itl_trust_list itl_trust_list;

#if defined(CISCO_ITL_TVS_NET)
/**
 * A TVS client: its servers, in order, how it authenticates them, and
 * its deadline. It locks itself: calls on one client run one at a time.
 */
typedef struct itl_tvs_client itl_tvs_client;
#endif

/**
 * A batch verifier: a policy, optionally trusted certificates, and the
 * keys it has checked. Immutable apart from its key cache, which it
 * locks itself: any number of threads may use one at once.
 */
typedef struct itl_verifier itl_verifier;

/**
 * One file a booting phone asked for, read from an `itl_boot_report`.
 * Its strings are owned by the report: valid until it is freed.
 */
typedef struct {
  /**
   * The file name asked for (`CTLSEP0011215A1AE3.tlv`, `ITLFile.tlv`,
   * `SEP0011215A1AE3.cnf.xml.sgn`…), NUL-terminated.
   */
  const char *file;
  /**
   * `ITL_BOOT_NOT_FOUND`, `ITL_BOOT_TRUST_LIST` or `ITL_BOOT_CONFIG`.
   */
  uint32_t outcome;
  /**
   * `ITL_OK` (accepted), `ITL_ERR_REJECTED` (refused: `reason` says
   * why) or `ITL_ERR_NOT_FOUND` (the server has no such file).
   */
  itl_result result;
  /**
   * The rule that accepted (`ITL_TRUST_*`), `ITL_TRUST_NONE` otherwise.
   */
  uint32_t rule;
  /**
   * Its record or server index, `ITL_NO_INDEX` when it has none.
   */
  size_t index;
  /**
   * Why the file was refused ("refused: …"), NUL-terminated; NULL
   * unless `result` is `ITL_ERR_REJECTED`.
   */
  const char *reason;
} itl_boot_step;

#if defined(CISCO_ITL_CAPF)
/**
 * How the device proves who it is, for `itl_capf_client_enrol`. Read
 * during the call only.
 */
typedef struct {
  /**
   * `ITL_CAPF_PROOF_NONE`, `ITL_CAPF_PROOF_PASSWORD` or
   * `ITL_CAPF_PROOF_CERTIFICATE`.
   */
  uint32_t kind;
  /**
   * The PIN, NUL-terminated (`ITL_CAPF_PROOF_PASSWORD`; otherwise
   * ignored, may be NULL).
   */
  const char *password;
  /**
   * `ITL_CAPF_CERT_LSC` or `ITL_CAPF_CERT_MIC`
   * (`ITL_CAPF_PROOF_CERTIFICATE`; otherwise ignored).
   */
  uint32_t cert_type;
  /**
   * The device's certificate, PEM or DER, and its length
   * (`ITL_CAPF_PROOF_CERTIFICATE`; otherwise ignored, may be NULL).
   */
  const uint8_t *certificate;
  /**
   * The length of `certificate`.
   */
  size_t certificate_len;
  /**
   * Its private key: RSA (PKCS#8 or PKCS#1) or EC (PKCS#8 or SEC1),
   * PEM or DER
   * (`ITL_CAPF_PROOF_CERTIFICATE`; otherwise ignored, may be NULL).
   */
  const uint8_t *key;
  /**
   * The length of `key`.
   */
  size_t key_len;
  /**
   * Non-zero: sign with SHA-512 (SHA2 SIGNED DATA, as current phones
   * do); zero: SHA-1 (`ITL_CAPF_PROOF_CERTIFICATE`; otherwise ignored).
   * A byte rather than a `bool`, so that any value C writes is valid.
   */
  uint8_t sha2;
} itl_capf_proof;
#endif

/**
 * What a signature must meet beyond being correct. Passed by value.
 */
typedef struct {
  /**
   * Smallest RSA key accepted, in bits (phones: 1024).
   */
  uint32_t min_key_bits;
  /**
   * Whether SHA-1 signatures are accepted (CUCM signs with SHA-1).
   */
  bool allow_sha1;
} itl_policy;

/**
 * The encryption block of an encrypted configuration (header tags 16 to
 * 27) and its encrypted payload. The pointers point into the
 * `itl_encrypted_file` it was read from: valid until that file is freed;
 * never free them.
 */
typedef struct {
  /**
   * IVTYPE (tag 18), 0 in CUCM's files.
   */
  uint8_t iv_type;
  /**
   * IV (tag 19): the 16 bytes of the AES-128-CBC IV.
   */
  const uint8_t *iv;
  /**
   * PADDINGLENGTH (tag 20): how many `0x0D` bytes pad the plaintext (1
   * to 16).
   */
  uint16_t padding_length;
  /**
   * KEYTYPE (tag 22), 0 in CUCM's files.
   */
  uint8_t key_type;
  /**
   * KEYLENGTH (tag 23): the phone key's size in bits.
   */
  uint16_t key_bits;
  /**
   * KEYFORMAT (tag 24), 1 (RSA PKCS#1 v1.5).
   */
  uint8_t key_format;
  /**
   * ENCRYPTEDKEY (tag 25): the AES key wrapped under the phone's public
   * key.
   */
  const uint8_t *wrapped_key;
  /**
   * The length of `wrapped_key`.
   */
  size_t wrapped_key_len;
  /**
   * PLAINDIGESTALGORITHM (tag 26): `ITL_DIGEST_SHA1` or
   * `ITL_DIGEST_SHA512`.
   */
  uint8_t digest;
  /**
   * PLAINDIGEST (tag 27): the plaintext's digest.
   */
  const uint8_t *plain_digest;
  /**
   * The length of `plain_digest` (20 or 64).
   */
  size_t plain_digest_len;
  /**
   * The encrypted payload (after the header): a whole number of 16-byte
   * blocks. A buffer of this many bytes always holds the plaintext.
   */
  const uint8_t *ciphertext;
  /**
   * The length of `ciphertext`.
   */
  size_t ciphertext_len;
} itl_encryption_info;

/**
 * How a booting phone fetches files: the caller's callback, called during
 * `itl_phone_boot` on the calling thread, once per file name, in the
 * order of the boot.
 */
typedef struct {
  /**
   * Passed to the callback untouched.
   */
  void *userdata;
  /**
   * Gives the bytes of file `name` (NUL-terminated, valid during the
   * call): points `*data` at them and writes their length into `*len`,
   * then returns 0; returns anything else when the server has no such
   * file. The bytes stay the caller's: they must remain valid and
   * unchanged until the callback is called again or `itl_phone_boot`
   * returns (the library copies them when the callback returns, once
   * `*len` is within the phone's size limit: a larger file is refused
   * as too large without a byte of it read). An empty file is a
   * non-NULL `*data` with a `*len` of 0. Must return normally (no
   * `longjmp`, no C++ exception).
   */
  int32_t (*fetch)(void *userdata, const char *name, const uint8_t **data, size_t *len);
} itl_tftp;

/**
 * How the phone reaches its TVS servers: the caller's callbacks, called
 * during a decision on the calling thread, in order, for server 0, 1, 2
 * (at most the phone's server count).
 *
 * Both callbacks return 0 on success and anything else when the server
 * cannot be reached (the phone then tries the next one). They must return
 * normally (no `longjmp`, no C++ exception). They are called with the
 * phone in use: a call into that same phone from them returns
 * `ITL_ERR_BUSY` and does nothing. In the networked build,
 * `itl_tvs_client_tvs` fills one that goes through an `itl_tvs_client`.
 */
typedef struct {
  /**
   * Passed to the callbacks untouched.
   */
  void *userdata;
  /**
   * Writes the DER certificate server `server` presents when the phone
   * connects (its `TVS.pem`) into `buf` (`capacity` bytes, which is
   * `ITL_TVS_MAX_MESSAGE`) and its length into `*len`.
   */
  int32_t (*server_certificate)(void *userdata,
                                size_t server,
                                uint8_t *buf,
                                size_t capacity,
                                size_t *len);
  /**
   * Sends the encoded verify request (`request_len` bytes at `request`,
   * valid during the call) to server `server` and writes its encoded
   * response into `buf` (`capacity` bytes) and its length into `*len`.
   */
  int32_t (*exchange)(void *userdata,
                      size_t server,
                      const uint8_t *request,
                      size_t request_len,
                      uint8_t *buf,
                      size_t capacity,
                      size_t *len);
} itl_tvs;

/**
 * Receives the text of `itl_show_write` and `itl_show_signed_file_write`
 * piece by piece, in order: `len` bytes of UTF-8 at `data` (not
 * NUL-terminated; valid only during the call). `userdata` is the pointer
 * given to the function. Return 0 to go on, anything else to stop (the
 * function then returns `ITL_ERR_WRITE`). It must return normally (no
 * `longjmp`, no C++ exception).
 */
typedef int32_t (*itl_write_callback)(void *userdata, const uint8_t *data, size_t len);

#if defined(CISCO_ITL_TVS_NET)
/**
 * One TVS server a client may ask.
 */
typedef struct {
  /**
   * Its host name or IP address (an IPv6 address without brackets is
   * fine), NUL-terminated UTF-8. Resolved when the client connects.
   */
  const char *host;
  /**
   * Its TCP port; 0 means `ITL_TVS_PORT` (2445).
   */
  uint16_t port;
} itl_tvs_server;
#endif

/**
 * What a verification found. Plain values: nothing to free.
 */
typedef struct {
  /**
   * The 0-based index of the list's own record that signed it. For a
   * verifier made by `itl_verifier_new_trusting`, the list's own record
   * that names the header's signer, if it has one (it played no part in
   * the verification). `ITL_NO_INDEX` when there is none, or when the
   * list did not verify.
   */
  size_t signer_index;
  /**
   * The 0-based index of the trusted certificate that verified it, for
   * a verifier made by `itl_verifier_new_trusting`; `ITL_NO_INDEX`
   * otherwise.
   */
  size_t anchor_index;
  /**
   * The signature's digest (`ITL_DIGEST_*`); 0 when not verified.
   */
  uint8_t digest;
  /**
   * The size of the signer's RSA key, in bits; 0 when not verified.
   */
  size_t key_bits;
} itl_verified;

#ifdef __cplusplus
extern "C" {
#endif // __cplusplus

/**
 * Frees a boot report and its strings.
 *
 * Ownership: takes back `report`; the strings of its steps die with it.
 * NULL is a no-op; anything that is not a live report is left alone and
 * reported in `itl_last_error_message()`.
 */
void itl_boot_report_free(itl_boot_report *report);

/**
 * Step `index` (0-based, in the order of the boot) of a boot report.
 *
 * `step`: receives the step; its `file` and `reason` point into the
 * report. Returns `ITL_OK`, or `ITL_ERR_INVALID_ARGUMENT` for an index
 * past the last step.
 *
 * Ownership: `report` is borrowed; the strings written into `*step` are
 * owned by the report (valid until `itl_boot_report_free`; do not free).
 */
itl_result itl_boot_report_step(const itl_boot_report *report, size_t index, itl_boot_step *step);

/**
 * The number of files the boot asked for (at least 2), or 0 when
 * `report` is not a live report (then `itl_last_error_message()` says
 * why).
 *
 * Threads: any thread (a report is immutable).
 *
 * Ownership: `report` is borrowed for the call.
 */
size_t itl_boot_report_step_count(const itl_boot_report *report);

/**
 * Adds a record: a certificate in one role. In CUCM's layout, the TVS and
 * CAPF records of an ITL are written as the certificate's SHA-1
 * (CERTHASH), as CUCM does.
 *
 * `certificate`, `certificate_len`: X.509, PEM or DER (a PEM with a key
 * too is fine), copied.
 * `function`: an `ITL_FUNCTION_*` code.
 * Returns `ITL_OK` or `ITL_ERR_BAD_KEY_OR_CERTIFICATE`.
 *
 * Ownership: `builder` stays the caller's; the certificate is copied into it.
 */
itl_result itl_builder_add_record(itl_builder *builder,
                                  const uint8_t *certificate,
                                  size_t certificate_len,
                                  uint16_t function);

/**
 * Adds a record with several roles and, for a CTL, the node's host name
 * and IPv4 address.
 *
 * `functions`, `function_count`: at least one `ITL_FUNCTION_*` code, one
 * FUNCTION element each; read during the call only.
 * `dns_name`: NUL-terminated UTF-8, or NULL for none.
 * `ip_address`: 4 bytes (network order), or NULL for none.
 *
 * Ownership: `builder` stays the caller's; the certificate and the name are copied, the arrays read during the call only.
 */
itl_result itl_builder_add_record_ex(itl_builder *builder,
                                     const uint8_t *certificate,
                                     size_t certificate_len,
                                     const uint16_t *functions,
                                     size_t function_count,
                                     const char *dns_name,
                                     const uint8_t *ip_address);

/**
 * Frees a builder.
 *
 * Ownership: takes back `builder`. NULL is a no-op; anything that is not
 * a live builder is left alone and reported in `itl_last_error_message()`.
 */
void itl_builder_free(itl_builder *builder);

/**
 * Starts a trust list with CUCM's defaults: version 1.2, SHA-1, FILENAME
 * `ITLFile.tlv` or `CTLFile.tlv`, CUCM's layout, TIMESTAMP now, no
 * records.
 *
 * `kind`: `ITL_LIST_ITL` or `ITL_LIST_CTL`.
 * `out`: receives the new builder, or NULL on failure; free it with
 * `itl_builder_free`.
 * Threads: a builder may be used from several threads; each call is
 * applied whole, in some order.
 *
 * Ownership: the caller owns `*out`.
 */
itl_result itl_builder_new(uint32_t kind, itl_builder **out);

/**
 * Sets the digest: `ITL_DIGEST_SHA1` (CUCM's), `ITL_DIGEST_SHA256` or
 * `ITL_DIGEST_SHA512`.
 *
 * Ownership: `builder` stays the caller's.
 */
itl_result itl_builder_set_digest(itl_builder *builder, uint8_t digest);

/**
 * Sets FILENAME (NUL-terminated UTF-8, copied).
 *
 * Ownership: `builder` stays the caller's; `filename` is copied.
 */
itl_result itl_builder_set_filename(itl_builder *builder, const char *filename);

/**
 * Sets the layout: `ITL_LAYOUT_CUCM` (the default) or `ITL_LAYOUT_PEER`.
 *
 * Ownership: `builder` stays the caller's.
 */
itl_result itl_builder_set_layout(itl_builder *builder, uint32_t layout);

/**
 * Sets TIMESTAMP, in seconds since the Unix epoch.
 *
 * Ownership: `builder` stays the caller's.
 */
itl_result itl_builder_set_timestamp(itl_builder *builder, uint32_t timestamp);

/**
 * Sets the format version (CUCM: 1.2).
 *
 * Ownership: `builder` stays the caller's.
 */
itl_result itl_builder_set_version(itl_builder *builder, uint8_t major, uint8_t minor);

/**
 * Builds and signs the list: the header names the signer's certificate,
 * the signature is RSA PKCS#1 v1.5 with the builder's digest.
 *
 * `out`, `out_len`: receive the file's bytes (NULL and 0 on failure). The
 * caller owns them: free with `itl_bytes_free`.
 * Returns `ITL_OK`, `ITL_ERR_INVALID_ARGUMENT` (no record),
 * `ITL_ERR_BAD_KEY_OR_CERTIFICATE` or `ITL_ERR_SIGN`.
 *
 * Ownership: `builder` and `signer` are borrowed for the call (the builder may be signed again); the caller owns `*out` (free with `itl_bytes_free`).
 */
itl_result itl_builder_sign(const itl_builder *builder,
                            const itl_signer *signer,
                            uint8_t **out,
                            size_t *out_len);

/**
 * Frees a byte buffer the library allocated (a built or re-signed list, a
 * signed file).
 *
 * Ownership: takes back `data`; it must not be used afterwards.
 * NULL is a no-op. A pointer that is not a live buffer from the library
 * is left alone and reported in `itl_last_error_message()`.
 * Threads: any thread may free a buffer made on another.
 */
void itl_bytes_free(uint8_t *data);

#if defined(CISCO_ITL_CAPF)
/**
 * Runs one CAPF session for a device, as the phone does: connects (TLS),
 * authenticates the server by the client's trust before sending a byte,
 * proves the device's identity, generates the key pair the server asks
 * for and takes the certificate it issues.
 *
 * `device_name`: the device, `SEP<MAC>`, NUL-terminated.
 * `proof`: how the device proves who it is, read during the call; NULL is
 * `ITL_CAPF_PROOF_NONE`.
 * `reason`: receives the CAPF reason the server ended the session with
 * (`ITL_CAPF_REASON_*`, or another code a server sent), or
 * `ITL_CAPF_NO_REASON` when it did not end it; or NULL.
 * `out`: receives the enrolment (`itl_capf_enrolment_kind` tells
 * installed, fetched, deleted or nothing to do), or NULL on failure; free
 * it with `itl_capf_enrolment_free`.
 * Returns `ITL_OK`; `ITL_ERR_CAPF_REFUSED` when the server refused the
 * device (a wrong password or proof: `ITL_CAPF_REASON_INVALID`; an
 * unknown device: `ITL_CAPF_REASON_UNKNOWN_DEVICE`), with no enrolment;
 * `ITL_ERR_SERVER_NOT_TRUSTED` when the server's certificate is not the
 * one the client trusts (nothing was sent); `ITL_ERR_NETWORK` (no
 * connection, TLS failed, the deadline passed, the server broke the
 * protocol); `ITL_ERR_BAD_KEY_OR_CERTIFICATE` (the proof's certificate or
 * key is unusable: not X.509, not an RSA or EC private key);
 * `ITL_ERR_INVALID_ARGUMENT`
 * (a device name or password the protocol cannot carry, an unknown
 * proof kind or certificate type).
 * Threads: the client is locked for the whole session.
 *
 * Ownership: `client` is borrowed; `device_name` and `proof` (and what
 * it points to) are read during the call only; the caller owns `*out`
 * (free with `itl_capf_enrolment_free`).
 */
itl_result itl_capf_client_enrol(const itl_capf_client *client,
                                 const char *device_name,
                                 const itl_capf_proof *proof,
                                 uint32_t *reason,
                                 itl_capf_enrolment **out);
#endif

#if defined(CISCO_ITL_CAPF)
/**
 * Frees a client.
 *
 * Ownership: takes back `client`. NULL is a no-op; anything that is not
 * a live client is left alone and reported in `itl_last_error_message()`.
 */
void itl_capf_client_free(itl_capf_client *client);
#endif

#if defined(CISCO_ITL_CAPF)
/**
 * A CAPF client that accepts the server only when it presents exactly
 * this certificate (the cluster's `CAPF.pem`, pinned). Nothing is
 * connected until the client is used.
 *
 * `host`: the server's host name or IP address (an IPv6 address without
 * brackets is fine), NUL-terminated UTF-8, copied; resolved when the
 * client connects. `port`: its TCP port; 0 means `ITL_CAPF_PORT` (3804).
 * `certificate`, `certificate_len`: the CAPF certificate, PEM or DER (a
 * PEM with a key too is fine: its first CERTIFICATE block is used).
 * `connect_timeout_ms`: how long to wait for the TCP connection (0: 3
 * seconds), within the deadline. `deadline_ms`: the whole of one
 * session, connection, TLS handshake, key generation and hand-over (0:
 * 60 seconds); a server that trickles its bytes cannot stretch it.
 * `out`: receives the new client, or NULL on failure; free it with
 * `itl_capf_client_free`.
 * Returns `ITL_OK`, `ITL_ERR_INVALID_ARGUMENT` (an empty host) or
 * `ITL_ERR_BAD_KEY_OR_CERTIFICATE`.
 * Threads: a client may be shared; it locks itself, so calls on one
 * client run one at a time, each for as long as its session (bounded by
 * the deadline).
 *
 * Ownership: `host` and `certificate` are read during the call only; the
 * caller owns `*out` (free with `itl_capf_client_free`).
 */
itl_result itl_capf_client_new_pinned(const char *host,
                                      uint16_t port,
                                      const uint8_t *certificate,
                                      size_t certificate_len,
                                      uint32_t connect_timeout_ms,
                                      uint32_t deadline_ms,
                                      itl_capf_client **out);
#endif

#if defined(CISCO_ITL_CAPF)
/**
 * A CAPF client that accepts the server the way a phone does: a CAPF
 * record of one of these trust lists (the installed ITL and CTL) names
 * its certificate, and its SHA-1 is the record's CERTHASH. Nothing is
 * connected until the client is used.
 *
 * `lists`, `list_count`: at least one trust list; the client keeps a copy
 * of their bytes.
 * `host`, `port`, `connect_timeout_ms`, `deadline_ms`, `out`: as for
 * `itl_capf_client_new_pinned`.
 * Returns `ITL_OK`, `ITL_ERR_INVALID_ARGUMENT` (no list, an empty host)
 * or `ITL_ERR_BAD_HANDLE`.
 * Threads: as for `itl_capf_client_new_pinned`.
 *
 * Ownership: `host` and the `lists` array are read during the call only,
 * the lists borrowed for it (the caller may free them afterwards); the
 * caller owns `*out` (free with `itl_capf_client_free`).
 */
itl_result itl_capf_client_new_trusting_lists(const char *host,
                                              uint16_t port,
                                              const itl_trust_list *const *lists,
                                              size_t list_count,
                                              uint32_t connect_timeout_ms,
                                              uint32_t deadline_ms,
                                              itl_capf_client **out);
#endif

#if defined(CISCO_ITL_CAPF)
/**
 * The certificate the server issued or handed over (the LSC), DER.
 *
 * `data`, `len`: receive a pointer owned by the enrolment (valid until it
 * is freed; do not free) and the length; NULL and 0 on failure.
 * Returns `ITL_OK`, or `ITL_ERR_NOT_FOUND` for a deletion or nothing to
 * do.
 *
 * Ownership: `enrolment` is borrowed for the call; `*data` points into it.
 */
itl_result itl_capf_enrolment_certificate(const itl_capf_enrolment *enrolment,
                                          const uint8_t **data,
                                          size_t *len);
#endif

#if defined(CISCO_ITL_CAPF)
/**
 * Frees an enrolment, wiping its private key from memory first.
 *
 * Ownership: takes back `enrolment`; the views its functions gave
 * (certificate, key) end with it. NULL is a no-op; anything that is not a
 * live enrolment is left alone and reported in
 * `itl_last_error_message()`.
 */
void itl_capf_enrolment_free(itl_capf_enrolment *enrolment);
#endif

#if defined(CISCO_ITL_CAPF)
/**
 * The private key generated for the certificate, PKCS#8 DER (RSA or EC,
 * as the server asked).
 *
 * `data`, `len`: receive a pointer owned by the enrolment (valid until it
 * is freed, which wipes it; do not free) and the length; NULL and 0 on
 * failure.
 * Returns `ITL_OK`, or `ITL_ERR_NOT_FOUND` unless the enrolment is
 * `ITL_CAPF_INSTALLED`.
 *
 * Ownership: `enrolment` is borrowed for the call; `*data` points into it.
 */
itl_result itl_capf_enrolment_key(const itl_capf_enrolment *enrolment,
                                  const uint8_t **data,
                                  size_t *len);
#endif

#if defined(CISCO_ITL_CAPF)
/**
 * What the session ended with.
 *
 * `kind`: receives `ITL_CAPF_INSTALLED`, `ITL_CAPF_FETCHED`,
 * `ITL_CAPF_DELETED` or `ITL_CAPF_NOTHING_TO_DO`.
 *
 * Ownership: `enrolment` is borrowed for the call.
 */
itl_result itl_capf_enrolment_kind(const itl_capf_enrolment *enrolment, uint32_t *kind);
#endif

#if defined(CISCO_ITL_CAPF)
/**
 * The certificate and its private key as PEM text (`CERTIFICATE` then
 * `PRIVATE KEY`, LF line ends), what a phone's LSC file holds; a fetched
 * certificate alone.
 *
 * `buf`, `capacity`: the caller's buffer for the NUL-terminated text;
 * NULL with a capacity of 0 asks for the size.
 * `len`: receives the size the text needs, its NUL included (also when
 * the buffer is too small).
 * Returns `ITL_OK`, `ITL_ERR_BUFFER_TOO_SMALL` (nothing written but
 * `*len`), or `ITL_ERR_NOT_FOUND` for a deletion or nothing to do.
 * The text holds the private key: wipe the buffer when done with it. The
 * library's own copy is wiped before the call returns.
 *
 * Ownership: `enrolment` is borrowed for the call; the text is copied
 * into the caller's buffer.
 */
itl_result itl_capf_enrolment_pem(const itl_capf_enrolment *enrolment,
                                  char *buf,
                                  size_t capacity,
                                  size_t *len);
#endif

/**
 * The name of a digest code: `"sha1"`, `"sha256"`, `"sha512"`, or
 * `"unknown"`.
 *
 * Ownership: a static string; never NULL; do not free it.
 * Threads: may be called from any thread.
 */
const char *itl_digest_name(uint8_t code);

/**
 * Verifies an encrypted configuration against a certificate the caller
 * trusts (the TFTP certificate, PEM or DER, read during the call only),
 * then decrypts it with the phone's key and writes the configuration
 * into the caller's buffer. A file whose signature is not accepted is
 * never decrypted.
 *
 * `phone`: the phone's key and certificate (its LSC or MIC; load it with
 * `itl_signer_from_pem` or `itl_signer_from_pkcs12`). The file's name
 * (`SEP<MAC>.cnf.xml.enc.sgn`) must be the certificate's device.
 * `out`, `capacity`: the caller's buffer (NULL with a capacity of 0 to
 * ask for the size). `itl_encryption_info.ciphertext_len` bytes always
 * suffice. Nothing is written into it unless the call succeeds.
 * `out_len`: receives the plaintext's length on success and on
 * `ITL_ERR_BUFFER_TOO_SMALL` (the size needed), 0 on any other failure.
 * Returns `ITL_OK`; `ITL_ERR_VERIFY` or `ITL_ERR_POLICY` (the signature
 * is not accepted); `ITL_ERR_BAD_KEY_OR_CERTIFICATE` (an unusable
 * trusted certificate, or a phone certificate naming no device);
 * `ITL_ERR_DECRYPT` (the file names no phone, or another phone than the
 * certificate's, the key does not open the file, the padding does not
 * hold, the plaintext's digest differs); or
 * `ITL_ERR_BUFFER_TOO_SMALL`.
 * Threads: any number of threads may decrypt at once.
 *
 * Ownership: `file` and `phone` are borrowed; `certificate` is read during the call only; the plaintext is copied into the caller's buffer (wipe it when done; the library wipes its own copy).
 */
itl_result itl_encrypted_decrypt_with_certificate(const itl_encrypted_file *file,
                                                  const uint8_t *certificate,
                                                  size_t certificate_len,
                                                  itl_policy policy,
                                                  const itl_signer *phone,
                                                  uint8_t *out,
                                                  size_t capacity,
                                                  size_t *out_len);

/**
 * Verifies an encrypted configuration against a trust list, as a phone
 * does (the signer must be a record of `list` carrying one of
 * `functions`: `ITL_FUNCTION_CCM_TFTP` and `ITL_FUNCTION_TFTP` for a
 * configuration), then decrypts it with the phone's key into the caller's
 * buffer. Otherwise as `itl_encrypted_decrypt_with_certificate`.
 *
 * `functions`, `function_count`: at least one FUNCTION code; read during
 * the call only.
 *
 * Ownership: `file`, `list` and `phone` are borrowed; `functions` is read during the call only; the plaintext is copied into the caller's buffer.
 */
itl_result itl_encrypted_decrypt_with_list(const itl_encrypted_file *file,
                                           const itl_trust_list *list,
                                           const uint16_t *functions,
                                           size_t function_count,
                                           itl_policy policy,
                                           const itl_signer *phone,
                                           uint8_t *out,
                                           size_t capacity,
                                           size_t *out_len);

/**
 * Encrypts a phone's configuration for its certificate and signs it with
 * the TFTP key: `SEP<MAC>.cnf.xml.enc.sgn` (version 2.0). A fresh
 * AES-128 key and IV come from the operating system; the key is wrapped
 * with RSA PKCS#1 v1.5 under the certificate's public key.
 *
 * `device`: the phone's name, `SEP` and 12 hex digits, NUL-terminated;
 * FILENAME is `<device>.cnf.xml.enc.sgn`.
 * `plaintext`, `plaintext_len`: the configuration (may be empty; not
 * NULL), read during the call only.
 * `phone_certificate`, `phone_certificate_len`: the phone's certificate
 * (LSC or MIC, PEM or DER); when its subject names a device, it must be
 * `device`.
 * `tftp`: the TFTP signer (`CallManager.pem`).
 * `digest`: `ITL_DIGEST_SHA1` (CUCM's default) or `ITL_DIGEST_SHA512`:
 * the signature's and the plaintext's digest. `timestamp`: seconds since
 * the epoch.
 * `out`, `out_len`: receive the file (NULL and 0 on failure); free it
 * with `itl_bytes_free`.
 * Returns `ITL_OK`; `ITL_ERR_INVALID_ARGUMENT` (a device name that is
 * not `SEP<MAC>`, SHA-256, an unknown digest code);
 * `ITL_ERR_BAD_KEY_OR_CERTIFICATE` (an unusable phone certificate, one
 * naming another device, an unusable TFTP certificate); or
 * `ITL_ERR_SIGN`.
 * Threads: any number of threads may encrypt at once.
 *
 * Ownership: `tftp` is borrowed; `device`, `plaintext` and `phone_certificate` are read during the call only; the caller owns `*out` (free with `itl_bytes_free`).
 */
itl_result itl_encrypted_encrypt(const char *device,
                                 const uint8_t *plaintext,
                                 size_t plaintext_len,
                                 const uint8_t *phone_certificate,
                                 size_t phone_certificate_len,
                                 const itl_signer *tftp,
                                 uint8_t digest,
                                 uint32_t timestamp,
                                 uint8_t **out,
                                 size_t *out_len);

/**
 * Frees an encrypted configuration and its header.
 *
 * Ownership: takes back `file`. NULL is a no-op; anything that is not a
 * live encrypted file is left alone and reported in
 * `itl_last_error_message()`.
 * Threads: do not free a handle another thread is still using.
 */
void itl_encrypted_free(itl_encrypted_file *file);

/**
 * The file's header (signer, digest, FILENAME, TIMESTAMP…), read with
 * the `itl_header_*` functions.
 *
 * `header`: receives a handle borrowed from the file: valid until the
 * file is freed; never free it.
 *
 * Ownership: `file` is borrowed; `*header` is borrowed from it (valid until the file is freed; never free it).
 */
itl_result itl_encrypted_header(const itl_encrypted_file *file,
                                const itl_header **header);

/**
 * The encryption block and the encrypted payload (`*info` is left
 * unchanged on failure).
 *
 * Ownership: `file` is borrowed; the pointers of `*info` point into it (valid until it is freed; never free them).
 */
itl_result itl_encrypted_info(const itl_encrypted_file *file,
                              itl_encryption_info *info);

/**
 * Parses an encrypted configuration (`SEP<MAC>.cnf.xml.enc.sgn`): the
 * signed-file header with its encryption block and plaintext digest, and
 * a payload of whole AES blocks. Does not verify or decrypt it (see
 * `itl_encrypted_decrypt_with_certificate`).
 *
 * `data`, `len`: the file, read during the call only (the handle keeps
 * its own copy); `data` must not be NULL.
 * `out`: receives the new handle, or NULL on failure; free it with
 * `itl_encrypted_free`.
 * Returns `ITL_OK` or `ITL_ERR_PARSE` (a malformed header, no encryption
 * block, an element of the block missing, twice or of the wrong size, a
 * payload that is not whole blocks).
 * Threads: the handle is immutable; any number of threads may use it.
 *
 * Ownership: `data` is copied; the caller owns `*out`.
 */
itl_result itl_encrypted_parse(const uint8_t *data, size_t len, itl_encrypted_file **out);

/**
 * The short name of a FUNCTION code: `"SAST"`, `"CCM"`, `"CCM+TFTP"`,
 * `"TFTP"`, `"CAPF"`, `"APP-SERVER"`, `"TVS"`, or `"UNKNOWN"` for a code
 * the format does not define.
 *
 * Ownership: a static string; never NULL; do not free it.
 * Threads: may be called from any thread.
 */
const char *itl_function_name(uint16_t code);

/**
 * CANAME: the signer certificate's issuer, as written.
 *
 * `name`: as for `itl_header_signer_name`.
 *
 * Ownership: `header` is borrowed for the call; `*name` points into the header's list or signed file (valid until that is freed; never free it).
 */
itl_result itl_header_ca_name(const itl_header *header,
                              const char **name);

/**
 * FILENAME: the name the file was signed as (`ITLFile.tlv`,
 * `SEP0011215A1AE3.cnf.xml.sgn`).
 *
 * `name`: as for `itl_header_signer_name`.
 *
 * Ownership: `header` is borrowed for the call; `*name` points into the header's list or signed file (valid until that is freed; never free it).
 */
itl_result itl_header_filename(const itl_header *header,
                               const char **name);

/**
 * The header's length in bytes (HEADERLENGTH): where the records, or a
 * signed file's payload, start.
 *
 * Ownership: `header` is borrowed for the call; the values are copied out.
 */
itl_result itl_header_length(const itl_header *header, size_t *length);

/**
 * The signature bytes.
 *
 * `data`, `len`: as for `itl_header_signer_serial`.
 *
 * Ownership: `header` is borrowed for the call; `*data` points into the header's list or signed file (valid until that is freed; never free it).
 */
itl_result itl_header_signature(const itl_header *header,
                                const uint8_t **data,
                                size_t *len);

/**
 * The signature's parameters as written: the digest code
 * (`ITL_DIGEST_*`, or another value the file holds), the signature
 * algorithm (0: RSA PKCS#1 v1.5) and the SIGNATUREMODULUS code (the key
 * size: 0 for 512, 1 for 1024, 2 for 2048, 3 for 4096 bits).
 *
 * Ownership: `header` is borrowed for the call; the values are copied out.
 */
itl_result itl_header_signature_info(const itl_header *header,
                                     uint8_t *digest,
                                     uint8_t *signature_algorithm,
                                     uint8_t *modulus);

/**
 * SIGNERNAME: the signer certificate's subject, as written
 * (`CN=cucm-pub;OU=TAC;…`).
 *
 * `name`: receives a NUL-terminated string owned by the header's list or
 * file: valid until that is freed; do not free it.
 *
 * Ownership: `header` is borrowed for the call; `*name` points into the header's list or signed file (valid until that is freed; never free it).
 */
itl_result itl_header_signer_name(const itl_header *header,
                                  const char **name);

/**
 * SERIALNUMBER: the signer certificate's serial, raw bytes.
 *
 * `data`, `len`: receive a pointer owned by the header's list or file
 * (valid until that is freed; do not free) and the length.
 *
 * Ownership: `header` is borrowed for the call; `*data` points into the header's list or signed file (valid until that is freed; never free it).
 */
itl_result itl_header_signer_serial(const itl_header *header,
                                    const uint8_t **data,
                                    size_t *len);

/**
 * The signer version (tag 28) some non-CUCM builders write;
 * `ITL_ERR_NOT_FOUND` when the header has none (CUCM's).
 *
 * Ownership: `header` is borrowed for the call; the values are copied out.
 */
itl_result itl_header_signer_version(const itl_header *header, uint8_t *major, uint8_t *minor);

/**
 * TIMESTAMP: when the file was signed, in seconds since the Unix epoch.
 *
 * Ownership: `header` is borrowed for the call; the values are copied out.
 */
itl_result itl_header_timestamp(const itl_header *header, uint32_t *timestamp);

/**
 * The header's format version: CUCM's trust lists say 1.2, signed files
 * 1.0.
 *
 * Ownership: `header` is borrowed for the call; the values are copied out.
 */
itl_result itl_header_version(const itl_header *header, uint8_t *major, uint8_t *minor);

/**
 * Whether `data` is best shown as a signed file (`.sgn`): it is not a
 * trust list, its header parses, and its FILENAME does not end in `.tlv`
 * (a trust list with broken records is shown as an unparsable list).
 *
 * `is_signed`: receives the answer.
 *
 * Ownership: `data` is read during the call only.
 */
itl_result itl_is_signed_file(const uint8_t *data, size_t len, bool *is_signed);

/**
 * Why the last call of this thread that returned an `itl_result` failed,
 * in words (the same text as the Rust library's errors for what comes
 * from the files, with the function's name first for a misuse such as a
 * NULL or a bad handle); `""` when it succeeded. A `_free` function given
 * something it cannot free also leaves its message here.
 *
 * Ownership: the library owns the string; never NULL; do not free it. It
 * stays valid until the next call of a library function on this thread:
 * copy it to keep it.
 * Threads: each thread has its own message.
 */
const char *itl_last_error_message(void);

/**
 * The kind a file name suggests: `ITL_LIST_CTL` for a name whose last
 * path component starts with `CTL` (any case), `ITL_LIST_ITL` otherwise
 * (what `show itl` assumes for a file it cannot parse).
 *
 * `name`: NUL-terminated UTF-8, read during the call only.
 * `kind`: receives `ITL_LIST_ITL` or `ITL_LIST_CTL`.
 * Threads: may be called from any thread.
 *
 * Ownership: `name` is read during the call only.
 */
itl_result itl_list_kind_from_filename(const char *name, uint32_t *kind);

/**
 * Authenticates a TVS server's certificate (DER, read during the call):
 * a TVS record of the installed ITL (then CTL) must name it by issuer and
 * serial, and its SHA-1 must be the record's CERTHASH.
 *
 * `record`: receives the 0-based index of the matching record.
 * Returns `ITL_OK` or `ITL_ERR_REJECTED` (the message says why).
 *
 * Ownership: `phone` is borrowed; `certificate` is read during the call only.
 */
itl_result itl_phone_authenticate_tvs(const itl_phone *phone,
                                      const uint8_t *certificate,
                                      size_t certificate_len,
                                      size_t *record);

/**
 * Boots the phone against a TFTP server, as the phone's firmware does:
 * asks for `CTLSEP<MAC>.tlv` (else `CTLFile.tlv`), then, with Security
 * By Default, `ITLSEP<MAC>.tlv` (else `ITLFile.tlv`), offering each list
 * found (`itl_phone_offer_trust_list`); then the signed configuration
 * `SEP<MAC>.cnf.xml.sgn` (`SEP<MAC>.cnf.xml.enc.sgn` when
 * `encrypted_config`) when it holds a trust list
 * (`itl_phone_offer_config`), or the unsigned `SEP<MAC>.cnf.xml` when it
 * holds none. A refused list locks the phone as in
 * `itl_phone_offer_trust_list`.
 *
 * `tftp`: the caller's fetch callback (required), called on this thread
 * during the call, with the phone in use: a call into the same phone from
 * it returns `ITL_ERR_BUSY` and does nothing. The length it reports is
 * checked against the phone's size limit (`itl_phone_set_max_file_size`,
 * default 1 MiB) before anything is copied: a larger file is a refused
 * step ("refused: the file has N bytes, more than the 1048576 the phone
 * accepts"), a list refused that way locking the phone.
 * `tvs`: how to reach TVS, or NULL when no TVS server is reachable.
 * `now`: the time, in seconds since the Unix epoch.
 * `out`: receives the report (or NULL on failure); free it with
 * `itl_boot_report_free`.
 * Returns `ITL_OK` whenever the boot ran, whatever was accepted: the
 * report says what became of each file (`itl_boot_report_step`).
 *
 * Ownership: `phone` stays the caller's; `*tftp` and `*tvs` are read
 * during the call only; the bytes the callback points at stay the
 * caller's; the caller owns `*out` (free with `itl_boot_report_free`).
 */
itl_result itl_phone_boot(itl_phone *phone,
                          const itl_tftp *tftp,
                          const itl_tvs *tvs,
                          uint64_t now,
                          bool encrypted_config,
                          itl_boot_report **out);

/**
 * The number of TVS answers in the phone's cache still alive at `now`.
 *
 * Ownership: `phone` is borrowed for the call.
 */
itl_result itl_phone_cached_entries(const itl_phone *phone, uint64_t now, size_t *count);

/**
 * Decides on an HTTPS server's certificate (DER, read during the call):
 * the installed CTL, then the ITL, then the TVS cache, then TVS, whose
 * "trusted" answer is cached for its time to live.
 *
 * Arguments and results as for `itl_phone_offer_trust_list`.
 *
 * Ownership: `phone` stays the caller's (it caches TVS answers); `certificate` and `*tvs` are read during the call only.
 */
itl_result itl_phone_check_server_certificate(itl_phone *phone,
                                              const uint8_t *certificate,
                                              size_t certificate_len,
                                              const itl_tvs *tvs,
                                              uint64_t now,
                                              uint32_t *rule,
                                              size_t *index);

/**
 * Makes the phone a model without Security By Default (7940/7960,
 * Jabber): no ITL, no TVS. It cannot be turned back on.
 *
 * Ownership: `phone` stays the caller's.
 */
itl_result itl_phone_disable_security_by_default(itl_phone *phone);

/**
 * Frees a phone and everything it holds.
 *
 * Ownership: takes back `phone`. NULL is a no-op; anything that is not a
 * live phone is left alone and reported in `itl_last_error_message()`.
 */
void itl_phone_free(itl_phone *phone);

/**
 * Whether the installed ITL is blank: no record with a function other
 * than SAST (what "Prepare Cluster for Rollback" leaves).
 *
 * Ownership: `phone` is borrowed for the call.
 */
itl_result itl_phone_has_blank_itl(const itl_phone *phone, bool *blank);

/**
 * The installed CTL or ITL, as a new trust list.
 *
 * `kind`: `ITL_LIST_ITL` or `ITL_LIST_CTL`.
 * `out`: receives a new list (a copy: it stays valid whatever the phone
 * does next), or NULL; free it with `itl_trust_list_free`.
 * Returns `ITL_OK`, or `ITL_ERR_NOT_FOUND` when none is installed.
 *
 * Ownership: `phone` is borrowed; the caller owns `*out` (free with `itl_trust_list_free`).
 */
itl_result itl_phone_installed_list(const itl_phone *phone, uint32_t kind, itl_trust_list **out);

/**
 * Whether a refused trust list has locked the phone (it then shows
 * "Trust List Update Failed" and takes no configuration); the next
 * accepted list unlocks it.
 *
 * Ownership: `phone` is borrowed for the call.
 */
itl_result itl_phone_is_locked(const itl_phone *phone, bool *locked);

/**
 * A phone named `device_name` (`SEP` and its MAC, as in CUCM and in its
 * file names) with nothing installed, Security By Default, one TVS server
 * and the model 7965. Any name is accepted; one that is not `SEP` and 12
 * hex digits gives the phone no TVS device name, so it refuses what only
 * TVS could vouch for.
 *
 * `device_name`: NUL-terminated UTF-8, copied.
 * `out`: receives the new phone, or NULL on failure; free it with
 * `itl_phone_free`.
 * Threads: a phone may be used from several threads: each call is
 * applied whole (a lock is held during a decision, TVS callbacks
 * included), in some order. A callback (TFTP or TVS) of a call on a
 * phone that calls into the same phone, on the same thread, gets
 * `ITL_ERR_BUSY` (never a deadlock), and the call it made does nothing.
 *
 * Ownership: `device_name` is copied; the caller owns `*out`.
 */
itl_result itl_phone_new(const char *device_name, itl_phone **out);

/**
 * Decides on a signed configuration file fetched as `name`
 * (`SEP<MAC>.cnf.xml.sgn`): its signed FILENAME must be `name`, and its
 * signer a CCM+TFTP or TFTP record of the installed CTL or ITL, or a
 * certificate TVS vouched for in one of those roles whose answer is still
 * cached at `now`. A locked phone takes no configuration.
 *
 * Arguments and results as for `itl_phone_offer_trust_list` (no TVS is
 * asked: a `.sgn` carries no certificate to ask about).
 *
 * Ownership: `phone` is borrowed; `name` and `data` are read during the call only.
 */
itl_result itl_phone_offer_config(const itl_phone *phone,
                                  const char *name,
                                  const uint8_t *data,
                                  size_t len,
                                  uint64_t now,
                                  uint32_t *rule,
                                  size_t *index);

/**
 * Decides on a new CTL or ITL fetched as `name` (`CTLSEP<MAC>.tlv`,
 * `CTLFile.tlv`, `ITLSEP<MAC>.tlv` or `ITLFile.tlv`), by the rules of
 * `docs/TRUST.md`, and installs it when accepted. A refusal locks the
 * phone ("Trust List Update Failed") and changes nothing else.
 *
 * `name`: NUL-terminated UTF-8. `data`, `len`: the file, read during the
 * call (the phone keeps a copy when it accepts it).
 * `tvs`: how to reach TVS, or NULL when no TVS server is reachable; read
 * during the call only.
 * `now`: the time, in seconds since the Unix epoch (TVS answers are
 * cached until their time to live runs out).
 * `rule`, `index`: receive the rule that accepted (`ITL_TRUST_*`) and its
 * record or server index (`ITL_NO_INDEX` when it has none);
 * `ITL_TRUST_NONE` and `ITL_NO_INDEX` on failure.
 * Returns `ITL_OK`, or `ITL_ERR_REJECTED` with the reason in
 * `itl_last_error_message()` ("refused: …").
 *
 * Ownership: `phone` stays the caller's (it keeps its own copy of an accepted list); `name`, `data` and `*tvs` are read during the call only.
 */
itl_result itl_phone_offer_trust_list(itl_phone *phone,
                                      const char *name,
                                      const uint8_t *data,
                                      size_t len,
                                      const itl_tvs *tvs,
                                      uint64_t now,
                                      uint32_t *rule,
                                      size_t *index);

/**
 * Turns anti-rollback on or off (off by default, as real phones behave):
 * when on, a list older than the installed list of its kind, and a blank
 * ITL while a CTL is installed, are refused.
 *
 * Ownership: `phone` stays the caller's.
 */
itl_result itl_phone_set_anti_rollback(itl_phone *phone, bool on);

/**
 * Sets the largest trust list or configuration the phone accepts, in
 * bytes (default 1 MiB).
 *
 * Ownership: `phone` stays the caller's.
 */
itl_result itl_phone_set_max_file_size(itl_phone *phone, size_t bytes);

/**
 * Sets the phone's model number (default 7965), which its TVS device
 * name `CP-<model>-SEP<MAC>` carries; above 9999 it has none.
 *
 * Ownership: `phone` stays the caller's.
 */
itl_result itl_phone_set_model(itl_phone *phone, uint16_t model);

/**
 * Sets the signature policy (default: `itl_policy_default()`).
 *
 * Ownership: `phone` stays the caller's.
 */
itl_result itl_phone_set_policy(itl_phone *phone, itl_policy policy);

/**
 * Sets how many TVS servers the phone's CallManager group lists (0 to 3;
 * more is taken as 3). Default 1.
 *
 * Ownership: `phone` stays the caller's.
 */
itl_result itl_phone_set_tvs_servers(itl_phone *phone, size_t count);

/**
 * What the phone's screen shows: `"Trust List Update Failed"` while
 * locked, NULL otherwise.
 *
 * `message`: receives a static string (do not free) or NULL.
 *
 * Ownership: `phone` is borrowed for the call; `*message` is static.
 */
itl_result itl_phone_status_message(const itl_phone *phone, const char **message);

/**
 * The name the phone gives TVS in its requests, `CP-<model>-SEP<MAC>`
 * (the MAC in upper case), made from its model and its `SEP` name.
 *
 * `name`, `capacity`: the caller's buffer for the NUL-terminated name;
 * `ITL_TVS_DEVICE_NAME_SIZE` bytes suffice.
 * Returns `ITL_OK`, `ITL_ERR_BUFFER_TOO_SMALL`, or `ITL_ERR_NOT_FOUND`
 * when the phone's name or model gives no valid TVS name.
 *
 * Ownership: `phone` is borrowed; the name is copied into the caller's buffer.
 */
itl_result itl_phone_tvs_device_name(const itl_phone *phone, char *name, size_t capacity);

/**
 * The policy phones apply: SHA-1 and 1024-bit keys accepted.
 *
 * Threads: may be called from any thread.
 *
 * Ownership: returns a value.
 */
itl_policy itl_policy_default(void);

/**
 * A strict policy: SHA-1 and keys under 2048 bits refused (CUCM's own
 * lists fail it: they are SHA-1 with 1024- or 2048-bit keys).
 *
 * Threads: may be called from any thread.
 *
 * Ownership: returns a value.
 */
itl_policy itl_policy_strict(void);

/**
 * CERTHASH: the SHA-1 of the certificate's DER (TVS and CAPF records of
 * CUCM's ITLs); `ITL_ERR_NOT_FOUND` when absent.
 *
 * `data`, `len`: as for `itl_record_certificate`.
 *
 * Ownership: `record` is borrowed for the call; `*data` points into the record's list (valid until the list is freed; never free it).
 */
itl_result itl_record_cert_hash(const itl_record *record,
                                const uint8_t **data,
                                size_t *len);

/**
 * CERTIFICATE: the X.509 certificate, DER; `ITL_ERR_NOT_FOUND` when the
 * record carries none (CUCM's TVS and CAPF records of an ITL carry only
 * its hash, an eToken record only its key).
 *
 * `data`, `len`: as for `itl_record_serial`; NULL and 0 when absent.
 *
 * Ownership: `record` is borrowed for the call; `*data` points into the record's list (valid until the list is freed; never free it).
 */
itl_result itl_record_certificate(const itl_record *record,
                                  const uint8_t **data,
                                  size_t *len);

/**
 * DNSNAME (empty in CUCM's ITLs, the host name in its CTLs);
 * `ITL_ERR_NOT_FOUND` when the record has none.
 *
 * `name`: as for `itl_record_subject`; NULL when absent.
 *
 * Ownership: `record` is borrowed for the call; `*name` points into the record's list (valid until the list is freed; never free it).
 */
itl_result itl_record_dns_name(const itl_record *record,
                               const char **name);

/**
 * The record's first FUNCTION code (`ITL_FUNCTION_*`, or a code the
 * format does not define, kept as read).
 *
 * Ownership: `record` is borrowed for the call; the values are copied out.
 */
itl_result itl_record_function(const itl_record *record, uint16_t *function);

/**
 * Every FUNCTION code of the record, in file order (CUCM writes one; a
 * record may carry several).
 *
 * `functions`, `capacity`: the caller's array; NULL with a capacity of 0
 * asks for the count only.
 * `count`: receives the number of codes. When it is above `capacity`,
 * nothing is copied and `ITL_ERR_BUFFER_TOO_SMALL` is returned.
 *
 * Ownership: `record` is borrowed for the call; the codes are copied into the caller's array.
 */
itl_result itl_record_functions(const itl_record *record,
                                uint16_t *functions,
                                size_t capacity,
                                size_t *count);

/**
 * Whether any FUNCTION of the record is `function`.
 *
 * Ownership: `record` is borrowed for the call; the values are copied out.
 */
itl_result itl_record_has_function(const itl_record *record, uint16_t function, bool *has);

/**
 * HASH ALGORITHM: the code of CERTHASH's hash (1: SHA-1);
 * `ITL_ERR_NOT_FOUND` when absent.
 *
 * Ownership: `record` is borrowed for the call; the values are copied out.
 */
itl_result itl_record_hash_algorithm(const itl_record *record, uint8_t *algorithm);

/**
 * IPADDRESS, raw (4 bytes in CUCM's CTLs); `ITL_ERR_NOT_FOUND` when
 * absent.
 *
 * `data`, `len`: as for `itl_record_certificate`.
 *
 * Ownership: `record` is borrowed for the call; `*data` points into the record's list (valid until the list is freed; never free it).
 */
itl_result itl_record_ip_address(const itl_record *record,
                                 const uint8_t **data,
                                 size_t *len);

/**
 * ISSUERNAME, as written.
 *
 * `name`: as for `itl_record_subject`.
 *
 * Ownership: `record` is borrowed for the call; `*name` points into the record's list (valid until the list is freed; never free it).
 */
itl_result itl_record_issuer(const itl_record *record,
                             const char **name);

/**
 * PUBLICKEY: the certificate's key (PKCS#1 `RSAPublicKey` DER for RSA);
 * `ITL_ERR_NOT_FOUND` when absent.
 *
 * `data`, `len`: as for `itl_record_certificate`.
 *
 * Ownership: `record` is borrowed for the call; `*data` points into the record's list (valid until the list is freed; never free it).
 */
itl_result itl_record_public_key(const itl_record *record,
                                 const uint8_t **data,
                                 size_t *len);

/**
 * SERIALNUMBER: the certificate's serial, raw bytes.
 *
 * `data`, `len`: receive a pointer owned by the record's list (valid
 * until the list is freed; do not free) and the length.
 *
 * Ownership: `record` is borrowed for the call; `*data` points into the record's list (valid until the list is freed; never free it).
 */
itl_result itl_record_serial(const itl_record *record,
                             const uint8_t **data,
                             size_t *len);

/**
 * SIGNATURE: the certificate's own signature; `ITL_ERR_NOT_FOUND` when
 * absent.
 *
 * `data`, `len`: as for `itl_record_certificate`.
 *
 * Ownership: `record` is borrowed for the call; `*data` points into the record's list (valid until the list is freed; never free it).
 */
itl_result itl_record_signature(const itl_record *record,
                                const uint8_t **data,
                                size_t *len);

/**
 * Where the record is in the file: the offset of its first byte and its
 * length (RECORDLENGTH).
 *
 * Ownership: `record` is borrowed for the call; the values are copied out.
 */
itl_result itl_record_span(const itl_record *record, size_t *offset, size_t *length);

/**
 * SUBJECTNAME, as written.
 *
 * `name`: receives a NUL-terminated string owned by the record's list:
 * valid until the list is freed; do not free it.
 *
 * Ownership: `record` is borrowed for the call; `*name` points into the record's list (valid until the list is freed; never free it).
 */
itl_result itl_record_subject(const itl_record *record,
                              const char **name);

/**
 * Re-signs the current ITL with the ITLRecovery identity, as CUCM's
 * `utils itl reset` does, once it verifies against certificates the
 * caller trusts (the publisher's `CallManager.pem`, or the certificates
 * of the cluster's TFTP nodes). Records, FILENAME, TIMESTAMP, version and
 * digest are kept, the header names the recovery certificate as its SAST
 * record writes it, and the result is byte for byte CUCM's. Phones whose
 * ITL holds the ITLRECOVERY SAST record (every 10.x ITL) accept it.
 *
 * An ITL that verifies only against itself (an attacker's, copying the
 * cluster's public ITLRECOVERY record) is never re-signed. The recovery
 * record is found by its key, not its name.
 *
 * `current`: the ITL to re-sign.
 * `p12`, `p12_len`: `ITLRecovery.p12`, read during the call only.
 * `password`: its password, NUL-terminated UTF-8.
 * `trusted_certificates`, `trusted_certificates_len`: PEM (one or more
 * `CERTIFICATE` blocks) or DER (one certificate), read during the call
 * only.
 * `out`, `out_len`: receive the new ITL (NULL and 0 on failure); free
 * with `itl_bytes_free`.
 * Returns `ITL_OK`; `ITL_ERR_WRONG_PASSWORD`;
 * `ITL_ERR_BAD_KEY_OR_CERTIFICATE` (not a PKCS#12 file, a key that does
 * not fit its certificate, a trusted certificate that does not parse…);
 * `ITL_ERR_VERIFY` or `ITL_ERR_POLICY` (the current ITL does not verify,
 * or is not signed by a trusted certificate); `ITL_ERR_POLICY` (the ITL
 * has no SAST record holding the recovery key); `ITL_ERR_SIGN`.
 * Threads: any thread; `current` may be in use by others.
 *
 * Ownership: `current` is borrowed; `p12`, `password` and `trusted_certificates` are read during the call only; the caller owns `*out` (free with `itl_bytes_free`).
 */
itl_result itl_recovery_reset_trusting(const itl_trust_list *current,
                                       const uint8_t *p12,
                                       size_t p12_len,
                                       const char *password,
                                       const uint8_t *trusted_certificates,
                                       size_t trusted_certificates_len,
                                       uint8_t **out,
                                       size_t *out_len);

/**
 * `itl_recovery_reset_trusting`, with a trust list as what the caller
 * trusts: the ITL or CTL the phones hold, or the TFTP server's previous
 * ITL. The current ITL must be signed by one of its records a phone would
 * take a new ITL's signer from: a SAST record (rules 2 and 4) or, in a
 * CTL, a CCM+TFTP or TFTP record (rule 3). `ITL_ERR_VERIFY` otherwise.
 *
 * Ownership: as for `itl_recovery_reset_trusting`; `trusted_list` is borrowed for the call.
 */
itl_result itl_recovery_reset_trusting_list(const itl_trust_list *current,
                                            const uint8_t *p12,
                                            size_t p12_len,
                                            const char *password,
                                            const itl_trust_list *trusted_list,
                                            uint8_t **out,
                                            size_t *out_len);

/**
 * The name of a result code, as spelled in this header (`"ITL_ERR_PARSE"`),
 * or `"ITL_UNKNOWN_RESULT"` for a value that is not one.
 *
 * Ownership: a static string; never NULL; do not free it.
 * Threads: may be called from any thread.
 */
const char *itl_result_name(uint32_t code);

/**
 * Renders a trust list as CUCM's `show itl` (or `show ctl`) prints it:
 * checksums, header, every record, and whether the list verified; for an
 * unparsable file, the checksums and "Error parsing the ITL file!!".
 * Same as `itl_show_kind(data, len, ITL_LIST_ITL, text)`.
 *
 * `data`, `len`: the file, read during the call only; `data` must not be
 * NULL (`len` may be 0).
 * `text`: receives the NUL-terminated text, or NULL when there is none
 * (an argument error). The caller owns it: free it with
 * `itl_string_free` **whatever the result** (NULL is a no-op).
 * Returns `ITL_OK` when the list parsed and verified, `ITL_ERR_VERIFY` or
 * `ITL_ERR_POLICY` when its signature was not accepted, `ITL_ERR_PARSE`
 * when it did not parse; the text is there in all three cases.
 * Threads: any thread.
 *
 * Ownership: `data` is read during the call only; the caller owns `*text` (free with `itl_string_free`).
 */
itl_result itl_show(const uint8_t *data,
                    size_t len,
                    char **text);

/**
 * `itl_show`, naming the kind (`ITL_LIST_ITL` or `ITL_LIST_CTL`) to print
 * when the file cannot say: an unparsable file is shown as that kind
 * ("Parse CTL File"). A parsable list's own FILENAME decides otherwise.
 *
 * Ownership: as for `itl_show`.
 */
itl_result itl_show_kind(const uint8_t *data, size_t len, uint32_t kind, char **text);

/**
 * Renders a signed file (`.sgn`) in the style of `show itl`: checksums,
 * header, FILENAME and the payload's length. The signature is not
 * checked (a `.sgn` carries no certificate; see
 * `itl_signed_file_verify_with_list`).
 *
 * `text`: as for `itl_show` (free it whatever the result).
 * Returns `ITL_OK` when the header parsed, `ITL_ERR_PARSE` when it did
 * not (the text is there in both cases).
 *
 * Ownership: as for `itl_show`.
 */
itl_result itl_show_signed_file(const uint8_t *data, size_t len, char **text);

/**
 * `itl_show_signed_file`, streamed to `write` (see `itl_show_write`).
 *
 * Ownership: as for `itl_show_write`.
 */
itl_result itl_show_signed_file_write(const uint8_t *data,
                                      size_t len,
                                      itl_write_callback write,
                                      void *userdata);

/**
 * `itl_show_kind`, streamed: the text goes to `write` in pieces as it is
 * produced, in constant memory whatever the file's size.
 *
 * `write`: the callback (not NULL); `userdata` is passed to it untouched
 * (may be NULL).
 * Returns as `itl_show`, or `ITL_ERR_WRITE` when the callback stopped it.
 *
 * Ownership: `data` is read during the call only; each chunk given to `write` is valid during that callback only; `userdata` stays the caller's.
 */
itl_result itl_show_write(const uint8_t *data,
                          size_t len,
                          uint32_t kind,
                          itl_write_callback write,
                          void *userdata);

/**
 * Frees a signed file and its header.
 *
 * Ownership: takes back `file`. NULL is a no-op; anything that is not a
 * live signed file is left alone and reported in
 * `itl_last_error_message()`.
 * Threads: do not free a handle another thread is still using.
 */
void itl_signed_file_free(itl_signed_file *file);

/**
 * The file's header (signer, digest, FILENAME, TIMESTAMP…).
 *
 * `header`: receives a handle borrowed from the file: valid until the
 * file is freed; never free it.
 *
 * Ownership: `file` is borrowed; `*header` is borrowed from it (valid until the file is freed; never free it).
 */
itl_result itl_signed_file_header(const itl_signed_file *file,
                                  const itl_header **header);

/**
 * Parses a signed file (`SEP<MAC>.cnf.xml.sgn`…): its header; the rest is
 * the payload. Does not verify it (see
 * `itl_signed_file_verify_with_list`).
 *
 * `data`, `len`: the file, read during the call only (the handle keeps
 * its own copy); `data` must not be NULL.
 * `out`: receives the new handle, or NULL on failure; free it with
 * `itl_signed_file_free`.
 * Threads: the handle is immutable; any number of threads may use it.
 *
 * Ownership: `data` is copied; the caller owns `*out`.
 */
itl_result itl_signed_file_parse(const uint8_t *data, size_t len, itl_signed_file **out);

/**
 * The payload: the file with its header stripped (the configuration XML).
 * Verify the file first: the payload of an unverified file is untrusted.
 *
 * `data`, `len`: receive a pointer owned by the file (valid until it is
 * freed; do not free) and the length (which may be 0).
 *
 * Ownership: `file` is borrowed; `*data` points into it (valid until it is freed; never free it).
 */
itl_result itl_signed_file_payload(const itl_signed_file *file, const uint8_t **data, size_t *len);

/**
 * Signs a file (`.sgn`): a header naming the signer, then the payload.
 * CUCM's defaults otherwise (version 1.0, CUCM's layout).
 *
 * `filename`: the FILENAME to sign as (`SEP0011215A1AE3.cnf.xml.sgn`),
 * NUL-terminated UTF-8.
 * `payload`, `payload_len`: the content (may be empty; not NULL), copied.
 * `digest`: an `ITL_DIGEST_*` code. `timestamp`: seconds since the epoch.
 * `out`, `out_len`: receive the file (NULL and 0 on failure); free with
 * `itl_bytes_free`.
 *
 * Ownership: `signer` is borrowed; `filename` and `payload` are read during the call only; the caller owns `*out` (free with `itl_bytes_free`).
 */
itl_result itl_signed_file_sign(const itl_signer *signer,
                                const char *filename,
                                const uint8_t *payload,
                                size_t payload_len,
                                uint8_t digest,
                                uint32_t timestamp,
                                uint8_t **out,
                                size_t *out_len);

/**
 * Verifies the file against a certificate the caller trusts (PEM or DER,
 * read during the call only): the header must name it and its key must
 * verify the signature.
 *
 * Returns `ITL_OK`, `ITL_ERR_VERIFY`, `ITL_ERR_POLICY`, or
 * `ITL_ERR_BAD_KEY_OR_CERTIFICATE` when the certificate is unusable.
 *
 * Ownership: `file` is borrowed; `certificate` is read during the call only.
 */
itl_result itl_signed_file_verify_with_certificate(const itl_signed_file *file,
                                                   const uint8_t *certificate,
                                                   size_t certificate_len,
                                                   itl_policy policy);

/**
 * Verifies the file against a trust list: the signer must be a record of
 * `list` carrying one of `functions` (a phone checks a configuration
 * against the `ITL_FUNCTION_CCM_TFTP` and `ITL_FUNCTION_TFTP` records of
 * its CTL or ITL) and named by the header, and its key must verify the
 * signature.
 *
 * `functions`, `function_count`: at least one FUNCTION code; read during
 * the call only.
 * `record_index`: receives the 0-based index, in `list`, of the record
 * that verified it.
 * Returns `ITL_OK`, `ITL_ERR_VERIFY` or `ITL_ERR_POLICY`.
 * Threads: any number of threads may verify at once.
 *
 * Ownership: `file` and `list` are borrowed for the call; `functions` is read during the call only.
 */
itl_result itl_signed_file_verify_with_list(const itl_signed_file *file,
                                            const itl_trust_list *list,
                                            const uint16_t *functions,
                                            size_t function_count,
                                            itl_policy policy,
                                            size_t *record_index);

/**
 * The signer's certificate, DER.
 *
 * `data`, `len`: receive a pointer owned by the signer (valid until it is
 * freed; do not free) and the length.
 *
 * Ownership: `signer` is borrowed for the call; `*data` points into the signer (valid until it is freed; never free it).
 */
itl_result itl_signer_certificate(const itl_signer *signer,
                                  const uint8_t **data,
                                  size_t *len);

/**
 * Frees a signer (its private key is wiped from memory as it is dropped
 * where the key type does so).
 *
 * Ownership: takes back `signer`. NULL is a no-op; anything that is not
 * a live signer is left alone and reported in `itl_last_error_message()`.
 */
void itl_signer_free(itl_signer *signer);

/**
 * Loads a signing identity from PEM text holding both the private key
 * (`RSA PRIVATE KEY` or `PRIVATE KEY`) and its certificate, as CUCM's
 * `CallManager.pem` export does.
 *
 * `pem`, `len`: the text, read during the call only.
 * `out`: receives the new signer, or NULL on failure; free it with
 * `itl_signer_free`.
 * Returns `ITL_OK` or `ITL_ERR_BAD_KEY_OR_CERTIFICATE` (no key, no
 * certificate, a key of an unsupported size, a certificate of another
 * key…).
 * Threads: the signer is immutable; threads may sign with it at once.
 *
 * Ownership: `pem` is read during the call only; the caller owns `*out`.
 */
itl_result itl_signer_from_pem(const uint8_t *pem, size_t len, itl_signer **out);

/**
 * Loads a signing identity from a PKCS#12 file (`ITLRecovery.p12`…) and
 * its password. The MAC is checked before anything is decrypted, and
 * every key-derivation cost is bounded, so a hostile file cannot keep the
 * caller busy.
 *
 * `der`, `len`: the file, read during the call only.
 * `password`: NUL-terminated UTF-8 (may be empty), read during the call.
 * `out`: receives the new signer, or NULL on failure; free it with
 * `itl_signer_free`.
 * Returns `ITL_OK`, `ITL_ERR_WRONG_PASSWORD`, or
 * `ITL_ERR_BAD_KEY_OR_CERTIFICATE` (not a PKCS#12 file, no key, an
 * unsupported algorithm…).
 *
 * Ownership: `der` and `password` are read during the call only; the caller owns `*out`.
 */
itl_result itl_signer_from_pkcs12(const uint8_t *der,
                                  size_t len,
                                  const char *password,
                                  itl_signer **out);

/**
 * Frees a string the library allocated (`itl_show`'s text, a trust
 * decision's words…).
 *
 * Ownership: takes back `text`; it must not be used afterwards.
 * NULL is a no-op. A pointer that is not a live string from the library
 * (freed already, borrowed from a handle, or foreign) is left alone and
 * reported in `itl_last_error_message()`: freeing twice is harmless.
 * Threads: any thread may free a string made on another.
 */
void itl_string_free(char *text);

/**
 * Frees what the library keeps for the calling thread outside the
 * handles: its last error message and AWS-LC's per-thread error queue.
 * Both are also freed when a thread exits, except on the main thread:
 * call this at the end of `main` so that a leak checker (valgrind) sees
 * every block freed, or in a thread about to be parked for long.
 *
 * Harmless at any time: the state is made again when the thread next
 * calls the library (`itl_last_error_message()` then says `""`).
 * Threads: affects the calling thread only.
 *
 * Ownership: frees only the library's per-thread state; handles are untouched.
 */
void itl_thread_cleanup(void);

/**
 * The list's bytes (the library's copy of what was parsed).
 *
 * `data`, `len`: receive a pointer into the list and the length. Valid
 * until the list is freed; do not free or modify.
 *
 * Ownership: `list` is borrowed; `*data` points into it (valid until it is freed; never free it).
 */
itl_result itl_trust_list_bytes(const itl_trust_list *list, const uint8_t **data, size_t *len);

/**
 * Checks that every record carrying a CERTIFICATE agrees with it (its
 * PUBLICKEY, serial, names, CERTHASH and SIGNATURE are the
 * certificate's). A phone refuses a list that fails this.
 *
 * `bad_index`: receives the 0-based index of the first record that
 * disagrees (on `ITL_ERR_VERIFY`); unchanged on `ITL_OK`.
 *
 * Ownership: `list` is borrowed for the call.
 */
itl_result itl_trust_list_check_records(const itl_trust_list *list, size_t *bad_index);

/**
 * Frees a trust list, with its header and records (every `itl_header` and
 * `itl_record` borrowed from it, and every pointer into them, becomes
 * invalid).
 *
 * Ownership: takes back `list`. NULL is a no-op. Anything that is not a
 * live list (a list freed already, another kind of handle) is left alone
 * and reported in `itl_last_error_message()`.
 * Threads: do not free a list another thread is still using; a call in
 * flight on another thread keeps the memory alive until it returns, but
 * pointers it handed out die with the list.
 */
void itl_trust_list_free(itl_trust_list *list);

/**
 * The list's header.
 *
 * `header`: receives a handle borrowed from the list: valid until the
 * list is freed; never free it.
 *
 * Ownership: `list` is borrowed; `*header` is borrowed from it (valid until the list is freed; never free it).
 */
itl_result itl_trust_list_header(const itl_trust_list *list,
                                 const itl_header **header);

/**
 * The list's kind, from its signed FILENAME: `ITL_LIST_CTL` when the name
 * starts with `CTL`, `ITL_LIST_ITL` otherwise.
 *
 * `kind`: receives the kind.
 *
 * Ownership: `list` is borrowed for the call.
 */
itl_result itl_trust_list_kind(const itl_trust_list *list, uint32_t *kind);

/**
 * Parses a trust list (`ITLFile.tlv`, `CTLFile.tlv`, a per-device copy)
 * from a buffer. Parsing checks every element of every record and
 * refuses malformed input with `ITL_ERR_PARSE` (the message names the
 * fault and its byte offset); it does not verify the signature (see
 * `itl_trust_list_verify`).
 *
 * `data`, `len`: the file, read during the call only (the list keeps its
 * own copy). `data` must not be NULL, even for `len` 0 (an empty file,
 * which does not parse).
 * `out`: receives the new list, or NULL on failure. The caller owns it
 * and frees it with `itl_trust_list_free`.
 * Threads: the list is immutable; any number of threads may use it at
 * once.
 *
 * Ownership: `data` is copied; the caller owns `*out`.
 */
itl_result itl_trust_list_parse(const uint8_t *data, size_t len, itl_trust_list **out);

/**
 * A record of the list, by 0-based index.
 *
 * `index`: below `itl_trust_list_record_count(list)`, else
 * `ITL_ERR_INVALID_ARGUMENT`.
 * `record`: receives a handle borrowed from the list: valid until the
 * list is freed; never free it.
 *
 * Ownership: `list` is borrowed; `*record` is borrowed from it (valid until the list is freed; never free it).
 */
itl_result itl_trust_list_record(const itl_trust_list *list,
                                 size_t index,
                                 const itl_record **record);

/**
 * The number of records of a trust list (at least 1), or 0 when `list`
 * is not a live list (then `itl_last_error_message()` says why).
 *
 * Threads: any thread.
 *
 * Ownership: `list` is borrowed for the call.
 */
size_t itl_trust_list_record_count(const itl_trust_list *list);

/**
 * The index of the list's signing record: the SAST record whose serial
 * and issuer are the header's signer's. `ITL_ERR_NOT_FOUND` when there is
 * none (then the list cannot verify by itself).
 *
 * `index`: receives the 0-based index.
 *
 * Ownership: `list` is borrowed for the call.
 */
itl_result itl_trust_list_signer_record(const itl_trust_list *list, size_t *index);

/**
 * Verifies the list against its own signing record, under the policy
 * phones apply (`itl_policy_default()`): the signing record must be SAST,
 * agree with its certificate, be named truthfully by the header, and its
 * key must verify the signature.
 *
 * `signer_index`: receives the 0-based index of the record that signed
 * it (`show itl` counts from 1). Unchanged on failure.
 * Returns `ITL_OK`, `ITL_ERR_VERIFY` (the message says why) or
 * `ITL_ERR_POLICY`.
 * Threads: several threads may verify the same or different lists at
 * once.
 *
 * Ownership: `list` is borrowed for the call.
 */
itl_result itl_trust_list_verify(const itl_trust_list *list, size_t *signer_index);

/**
 * Verifies the list against a certificate the caller trusts: the header
 * must name it (serial, issuer and subject) and its key must verify the
 * signature. The list's own records are ignored.
 *
 * `certificate`, `certificate_len`: an X.509 certificate, PEM or DER
 * (a PEM file with a key too is fine: its first CERTIFICATE block is
 * used); read during the call only.
 * Returns `ITL_OK`, `ITL_ERR_VERIFY`, `ITL_ERR_POLICY`, or
 * `ITL_ERR_BAD_KEY_OR_CERTIFICATE` when the certificate is unusable.
 *
 * Ownership: `list` is borrowed; `certificate` is read during the call only.
 */
itl_result itl_trust_list_verify_with_certificate(const itl_trust_list *list,
                                                  const uint8_t *certificate,
                                                  size_t certificate_len,
                                                  itl_policy policy);

/**
 * Verifies the list against an installed one: the signer must be a
 * record of `installed` that carries one of `functions` (for instance the
 * SAST records of the installed CTL) and names the header's signer, and
 * its key must verify the signature. The list's own records are ignored.
 *
 * `installed`: the list already trusted.
 * `functions`, `function_count`: FUNCTION codes (`ITL_FUNCTION_*`), at
 * least one; read during the call only.
 * `installed_index`: receives the 0-based index, in `installed`, of the
 * record that verified it.
 * Returns `ITL_OK`, `ITL_ERR_VERIFY` or `ITL_ERR_POLICY`.
 *
 * Ownership: `list` and `installed` are borrowed for the call; `functions` is read during the call only.
 */
itl_result itl_trust_list_verify_with_list(const itl_trust_list *list,
                                           const itl_trust_list *installed,
                                           const uint16_t *functions,
                                           size_t function_count,
                                           itl_policy policy,
                                           size_t *installed_index);

/**
 * `itl_trust_list_verify` under another policy (`itl_policy_strict()`,
 * or one of the caller's).
 *
 * Ownership: `list` is borrowed for the call; `policy` is a value.
 */
itl_result itl_trust_list_verify_with_policy(const itl_trust_list *list,
                                             itl_policy policy,
                                             size_t *signer_index);

/**
 * A decision in words, as the library says it ("accepted: signed by SAST
 * record 5 of the installed ITL"): record and server numbers counted from
 * 1, for people.
 *
 * `rule`, `index`: a decision (`ITL_TRUST_*` other than `ITL_TRUST_NONE`,
 * and its index; any index for rules without one).
 * `text`: receives a string the caller frees with `itl_string_free`, or
 * NULL on failure.
 *
 * Ownership: the caller owns `*text` (free with `itl_string_free`).
 */
itl_result itl_trust_text(uint32_t rule, size_t index, char **text);

#if defined(CISCO_ITL_TVS_NET)
/**
 * Frees a client and closes any connection it holds.
 *
 * Ownership: takes back `client`; an `itl_tvs` filled from it stops
 * working (its callbacks then fail, as for an unreachable server). NULL
 * is a no-op; anything that is not a live client is left alone and
 * reported in `itl_last_error_message()`.
 */
void itl_tvs_client_free(itl_tvs_client *client);
#endif

#if defined(CISCO_ITL_TVS_NET)
/**
 * A TVS client that accepts a server only when it presents exactly this
 * certificate (the cluster's `TVS.pem`, pinned). Nothing is connected
 * until the client is used.
 *
 * `servers`, `server_count`: the servers to ask, in order (a phone's
 * CallManager group lists up to three); read during the call (the names
 * are copied).
 * `certificate`, `certificate_len`: the TVS certificate, PEM or DER (a
 * PEM with a key too is fine: its first CERTIFICATE block is used), read
 * during the call only.
 * `connect_timeout_ms`: how long to wait for a TCP connection, per
 * address (0: 3 seconds), within the deadline. `deadline_ms`: the whole
 * of one server attempt, name resolution, connection, TLS handshake,
 * request and answer (0: 5 seconds); a server that trickles its bytes
 * cannot stretch it, and when it passes the client tries the next server
 * (the error then reads "the N ms deadline passed while …").
 * `out`: receives the new client, or NULL on failure; free it with
 * `itl_tvs_client_free`.
 * Returns `ITL_OK`, `ITL_ERR_INVALID_ARGUMENT` (no server, an empty
 * host) or `ITL_ERR_BAD_KEY_OR_CERTIFICATE`.
 * Threads: a client may be shared; it locks itself, so calls on one
 * client run one at a time, each for as long as its network exchange
 * (bounded by the deadline of each server tried). Give each thread its own client to ask in
 * parallel.
 *
 * Ownership: `servers` and `certificate` are read during the call only;
 * the caller owns `*out` (free with `itl_tvs_client_free`).
 */
itl_result itl_tvs_client_new_pinned(const itl_tvs_server *servers,
                                     size_t server_count,
                                     const uint8_t *certificate,
                                     size_t certificate_len,
                                     uint32_t connect_timeout_ms,
                                     uint32_t deadline_ms,
                                     itl_tvs_client **out);
#endif

#if defined(CISCO_ITL_TVS_NET)
/**
 * A TVS client that accepts a server the way a phone does: a TVS record
 * of one of these trust lists (the installed ITL and CTL, tried in
 * order) names its certificate by issuer and serial, and its SHA-1 is the
 * record's CERTHASH. Nothing is connected until the client is used.
 *
 * `lists`, `list_count`: at least one trust list; the client keeps a copy
 * of their bytes (a phone that installs new lists needs a new client:
 * `itl_phone_installed_list` gives them).
 * `servers`, `server_count`, `connect_timeout_ms`, `deadline_ms`,
 * `out`: as for `itl_tvs_client_new_pinned`.
 * Returns `ITL_OK`, `ITL_ERR_INVALID_ARGUMENT` (no server, no list, an
 * empty host) or `ITL_ERR_BAD_HANDLE`.
 * Threads: as for `itl_tvs_client_new_pinned`.
 *
 * Ownership: `servers` and the `lists` array are read during the call
 * only, the lists borrowed for it (the caller may free them afterwards);
 * the caller owns `*out` (free with `itl_tvs_client_free`).
 */
itl_result itl_tvs_client_new_trusting_lists(const itl_tvs_server *servers,
                                             size_t server_count,
                                             const itl_trust_list *const *lists,
                                             size_t list_count,
                                             uint32_t connect_timeout_ms,
                                             uint32_t deadline_ms,
                                             itl_tvs_client **out);
#endif

#if defined(CISCO_ITL_TVS_NET)
/**
 * Fills an `itl_tvs` that reaches TVS through this client, for the
 * phone's decisions (`itl_phone_offer_trust_list`,
 * `itl_phone_check_server_certificate`, `itl_phone_boot`): the phone's
 * server 0, 1, 2 are the client's servers in order. Each connection is
 * authenticated twice: by the client's trust during the handshake, then
 * by the phone against its installed lists. A server the client cannot
 * reach or authenticate is one the phone cannot reach.
 *
 * `tvs`: receives the callbacks, with the client as their `userdata`.
 * The library's callbacks look the client up on every call, so an
 * `itl_tvs` outliving its client only fails (as if no server were
 * reachable); it never touches freed memory.
 * Threads: a phone's decision connects (certificate callback) and then
 * sends (exchange callback) under two separate locks of the client: use
 * a client for one decision at a time (one client per phone, or per
 * thread), or another decision may take the connection, and its own
 * exchange then goes over a new connection the client authenticates
 * again.
 *
 * Ownership: `client` is borrowed for the call, and must stay alive
 * (not freed) while `*tvs` is used; `*tvs` holds no reference of its own
 * and needs no freeing.
 */
itl_result itl_tvs_client_tvs(const itl_tvs_client *client, itl_tvs *tvs);
#endif

#if defined(CISCO_ITL_TVS_NET)
/**
 * Asks TVS about a certificate: connects to the servers in order (TLS,
 * the server authenticated by the client's trust), sends one verify
 * request and reads the answer; the first server that connects,
 * authenticates and answers well wins.
 *
 * `session_id`: chosen by the caller; the answer must repeat it.
 * `device_name`: the phone's TVS name, `CP-<model>-SEP<MAC>`
 * (`itl_phone_tvs_device_name`), NUL-terminated.
 * `certificate`, `certificate_len`: the DER asked about, read during the
 * call only.
 * `server`: receives the 0-based index of the server that answered.
 * `valid`: receives whether TVS vouches for the certificate.
 * `roles`, `roles_capacity`: the caller's array for the roles
 * (`ITL_FUNCTION_*` codes); NULL with a capacity of 0 is fine when the
 * roles are not wanted (the call then returns
 * `ITL_ERR_BUFFER_TOO_SMALL` for a valid answer that has any).
 * `role_count`: receives the number of roles (0 for an invalid answer).
 * `ttl_seconds`: receives how long the answer may be kept (0 for an
 * invalid answer).
 * Returns `ITL_OK` (an answer, valid or not), `ITL_ERR_INVALID_ARGUMENT`
 * (a malformed device name, a certificate too long for a message),
 * `ITL_ERR_NETWORK` (no server answered: the message says why the last
 * one failed; the outputs then say "no answer": `SIZE_MAX`, false, 0),
 * or `ITL_ERR_BUFFER_TOO_SMALL` (every output written but the roles).
 * Threads: the client is locked for the whole exchange.
 *
 * Ownership: `client` is borrowed; `device_name` and `certificate` are
 * read during the call only; the roles are copied into the caller's array.
 */
itl_result itl_tvs_client_verify(const itl_tvs_client *client,
                                 uint32_t session_id,
                                 const char *device_name,
                                 const uint8_t *certificate,
                                 size_t certificate_len,
                                 size_t *server,
                                 bool *valid,
                                 uint16_t *roles,
                                 size_t roles_capacity,
                                 size_t *role_count,
                                 uint32_t *ttl_seconds);
#endif

/**
 * Decodes a verify request (what a TVS server receives), checking every
 * rule of the protocol: one DEVICE NAME and one CERTIFICATE, nothing
 * else.
 *
 * `message`, `len`: the bytes received.
 * `session_id`: receives the session id.
 * `device_name`, `device_name_capacity`: the caller's buffer for the
 * NUL-terminated device name; `ITL_TVS_DEVICE_NAME_SIZE` bytes suffice.
 * `certificate`, `certificate_len`: receive a pointer **into `message`**
 * (valid as long as the caller keeps `message`) and the length.
 * Returns `ITL_OK`, `ITL_ERR_PARSE` (the message says which rule failed
 * and at which offset) or `ITL_ERR_BUFFER_TOO_SMALL`.
 *
 * Ownership: `message` stays the caller's; `*certificate` points into it; the name is copied into the caller's buffer.
 */
itl_result itl_tvs_request_decode(const uint8_t *message,
                                  size_t len,
                                  uint32_t *session_id,
                                  char *device_name,
                                  size_t device_name_capacity,
                                  const uint8_t **certificate,
                                  size_t *certificate_len);

/**
 * Encodes a verify request: the phone asks TVS about a certificate.
 *
 * `session_id`: chosen by the phone; the response repeats it.
 * `device_name`: the phone's TVS name, `CP-<model>-SEP<MAC>`
 * (`CP-7965-SEP0011215A1AE3`; see `itl_phone_tvs_device_name`),
 * NUL-terminated.
 * `certificate`, `certificate_len`: the DER asked about (at most 65,505
 * bytes), read during the call only.
 * `buf`, `capacity`: the caller's buffer (`ITL_TVS_MAX_MESSAGE` always
 * suffices); NULL with a capacity of 0 asks for the size.
 * `len`: receives the message's length, also when the buffer is too
 * small (`ITL_ERR_BUFFER_TOO_SMALL`, nothing written).
 * Returns `ITL_OK`, `ITL_ERR_BUFFER_TOO_SMALL`, or
 * `ITL_ERR_INVALID_ARGUMENT` (a malformed device name, a certificate too
 * long for a message).
 * Threads: any thread.
 *
 * Ownership: `device_name` and `certificate` are read during the call only; the message is written into the caller's buffer.
 */
itl_result itl_tvs_request_encode(uint32_t session_id,
                                  const char *device_name,
                                  const uint8_t *certificate,
                                  size_t certificate_len,
                                  uint8_t *buf,
                                  size_t capacity,
                                  size_t *len);

/**
 * Decodes a verify response (what the phone receives), checking every
 * rule of the protocol.
 *
 * `message`, `len`: the bytes received.
 * `session_id`: receives the session id (compare it with the request's).
 * `valid`: receives whether TVS vouches for the certificate.
 * `roles`, `roles_capacity`: the caller's array for the role codes; NULL
 * with a capacity of 0 is fine for an invalid answer or to ask the count.
 * `role_count`: receives the number of roles (0 for an invalid answer).
 * `ttl_seconds`: receives the time to live (0 for an invalid answer).
 * Returns `ITL_OK`, `ITL_ERR_PARSE`, or `ITL_ERR_BUFFER_TOO_SMALL` (every
 * other output written, the roles not).
 *
 * Ownership: `message` is read during the call only; the roles are copied into the caller's array.
 */
itl_result itl_tvs_response_decode(const uint8_t *message,
                                   size_t len,
                                   uint32_t *session_id,
                                   bool *valid,
                                   uint16_t *roles,
                                   size_t roles_capacity,
                                   size_t *role_count,
                                   uint32_t *ttl_seconds);

/**
 * Encodes a verify response (what a TVS server answers).
 *
 * `session_id`: the request's.
 * `valid`: whether TVS vouches for the certificate. An invalid answer
 * carries nothing else: `roles` and `ttl_seconds` are then ignored.
 * `roles`, `role_count`: the roles (`ITL_FUNCTION_*` codes, each below
 * 256) it vouches for the certificate in; `roles` may be NULL when
 * `role_count` is 0.
 * `ttl_seconds`: how long the phone may keep the answer (a day: 86400).
 * `buf`, `capacity`, `len`: as for `itl_tvs_request_encode`.
 *
 * Ownership: `roles` is read during the call only; the message is written into the caller's buffer.
 */
itl_result itl_tvs_response_encode(uint32_t session_id,
                                   bool valid,
                                   const uint16_t *roles,
                                   size_t role_count,
                                   uint32_t ttl_seconds,
                                   uint8_t *buf,
                                   size_t capacity,
                                   size_t *len);

/**
 * How many signing records the verifier remembers (at most its cache
 * limit).
 *
 * Ownership: `verifier` is borrowed for the call.
 */
itl_result itl_verifier_cached_keys(const itl_verifier *verifier, size_t *count);

/**
 * Frees a verifier and its key cache.
 *
 * Ownership: takes back `verifier`. NULL is a no-op; anything that is
 * not a live verifier is left alone and reported in
 * `itl_last_error_message()`.
 */
void itl_verifier_free(itl_verifier *verifier);

/**
 * A verifier that checks each list against its own signing record (as
 * `itl_trust_list_verify_with_policy` does), remembering the key of every
 * signing record it has checked, up to `cache_limit` records.
 *
 * `policy`: what a signature must meet (`itl_policy_default()` for what
 * phones accept).
 * `cache_limit`: how many signing records to remember
 * (`ITL_VERIFIER_DEFAULT_CACHE_LIMIT`; 0 remembers none).
 * `out`: receives the new verifier, or NULL on failure; free it with
 * `itl_verifier_free`.
 * Threads: a verifier may be used by any number of threads at once.
 *
 * Ownership: the caller owns `*out` (free with `itl_verifier_free`).
 */
itl_result itl_verifier_new(itl_policy policy, size_t cache_limit, itl_verifier **out);

/**
 * A verifier that checks lists against certificates the caller trusts
 * instead of the lists' own records (as
 * `itl_trust_list_verify_with_certificate` does): a list verifies when
 * its header names one of them and that key verifies its signature. Each
 * certificate's key is decoded once, here.
 *
 * `certificates`, `certificate_lens`, `count`: `count` (at least 1)
 * X.509 certificates, PEM or DER, read during the call only.
 * `policy`, `cache_limit`, `out`: as for `itl_verifier_new`.
 * Returns `ITL_OK`, `ITL_ERR_INVALID_ARGUMENT` (no certificate) or
 * `ITL_ERR_BAD_KEY_OR_CERTIFICATE` (one is unusable; the message says
 * which).
 *
 * Ownership: the certificates are copied; the caller owns `*out` (free
 * with `itl_verifier_free`).
 */
itl_result itl_verifier_new_trusting(itl_policy policy,
                                     size_t cache_limit,
                                     const uint8_t *const *certificates,
                                     const size_t *certificate_lens,
                                     size_t count,
                                     itl_verifier **out);

/**
 * Parses and verifies one trust list.
 *
 * `data`, `len`: the file, read during the call only.
 * `result`: receives what the verification found; on failure, the
 * "not verified" values (`ITL_NO_INDEX`, 0).
 * Returns `ITL_OK`, `ITL_ERR_PARSE`, `ITL_ERR_VERIFY` or
 * `ITL_ERR_POLICY`, with the reason in `itl_last_error_message()`.
 * Threads: any number of threads may verify with one verifier at once.
 *
 * Ownership: `verifier` is borrowed; `data` is read during the call only.
 */
itl_result itl_verifier_verify(const itl_verifier *verifier,
                               const uint8_t *data,
                               size_t len,
                               itl_verified *result);

/**
 * Parses and verifies `count` trust lists, in order, one result each
 * whatever fails.
 *
 * `data`, `lens`, `count`: `count` files (`data[i]`, `lens[i]` bytes),
 * read during the call only; every `data[i]` must be non-NULL. With a
 * `count` of 0 the arrays may be NULL.
 * `results`: the caller's array of `count` codes: receives, for each
 * list, what `itl_verifier_verify` would return (`ITL_OK`,
 * `ITL_ERR_PARSE`, `ITL_ERR_VERIFY`, `ITL_ERR_POLICY`). Call
 * `itl_verifier_verify` on one list for the message of its failure.
 * `verified`: the caller's array of `count` results, or NULL when not
 * wanted; "not verified" values for the lists that failed.
 * `verified_count`: receives how many lists verified.
 * Returns `ITL_OK` when the lists were judged (whatever the judgements),
 * or the code of a bad argument (nothing is verified then).
 *
 * Ownership: `verifier` is borrowed; the input arrays are read during the
 * call only; the output arrays stay the caller's.
 */
itl_result itl_verifier_verify_many(const itl_verifier *verifier,
                                    const uint8_t *const *data,
                                    const size_t *lens,
                                    size_t count,
                                    itl_result *results,
                                    itl_verified *verified,
                                    size_t *verified_count);

/**
 * The version of the library linked at run time, `"MAJOR.MINOR.PATCH"`
 * (compare it with the header's `ITL_VERSION_*` macros to catch a header
 * and library of different releases).
 *
 * Ownership: a static string; never NULL; do not free it.
 * Threads: may be called from any thread at any time.
 */
const char *itl_version(void);

#ifdef __cplusplus
}  // extern "C"
#endif  // __cplusplus

#endif  /* CISCO_ITL_H */
