/*
 * signing.h — kiosk request signatures (docs/SYNC-API.md "Signing") and the
 * kiosk's Ed25519 key files.
 *
 * For: the kiosk's sync client (signs) and wufei-central (verifies), and
 * `wufei-kiosk keygen` / `wufei-central kiosk add` (key files).
 * Not for: receipts (receipt.h signs those under another domain prefix),
 * HTTP itself, or clocks: the caller passes the central-corrected time.
 *
 * The signed string is, joined with '\n' and without a trailing newline:
 *   wufei-request-v1, METHOD, PATH (with query, as sent), TIME (decimal
 *   UTC seconds), BODY-HASH (64 lower-case hex chars of the unkeyed
 *   BLAKE2b-256 of the exact body bytes; the hash of the empty string for
 *   a request without body), KIOSK (decimal), KEY-ID (decimal).
 * Needs sodium_init() to have succeeded (every function here calls it).
 */
#ifndef WUFEI_SIGNING_H
#define WUFEI_SIGNING_H

#include <stddef.h>
#include <stdint.h>

#include "wf.h"

#define SIGNING_DOMAIN       "wufei-request-v1"
#define SIGNING_HASH_HEX_LEN (WF_HASH_HEX - 1) /* hex characters of a body hash */
#define SIGNING_SIG_HEX_LEN  128               /* hex characters of a signature */
#define SIGNING_STRING_MAX   1024
#define SIGNING_PATH_MAX     512 /* longest accepted path with query */
#define SIGNING_METHOD_MAX   8
#define SIGNING_KEY_ID_MAX   255 /* key ids are 1..255, per kiosk */
#define SIGNING_PUBLIC_BYTES 32
#define SIGNING_SECRET_BYTES 64 /* libsodium layout: seed followed by public key */
#define SIGNING_SEED_BYTES   32

/*
 * signing_hash_body — BLAKE2b-256 of body[0..len) as 64 lower-case hex
 * chars plus NUL into hex_out. body may be NULL when len is 0. Returns WF_OK.
 */
int signing_hash_body(const void *body, size_t len, char hex_out[SIGNING_HASH_HEX_LEN + 1]);

/*
 * signing_build_string — the exact string that is signed (see above) into
 * out[out_len], NUL-terminated. method: upper-case letters, at most
 * SIGNING_METHOD_MAX; path: starts with '/', printable ASCII without
 * spaces, at most SIGNING_PATH_MAX; body_hash_hex: 64 lower-case hex;
 * key_id 1..255. Returns the length (without NUL) or WF_EINVAL.
 */
int signing_build_string(char *out, size_t out_len, const char *method, const char *path,
                         int64_t time_s, const char *body_hash_hex, uint32_t kiosk,
                         uint32_t key_id);

/*
 * signing_sign_request — signs a request: hashes body, builds the string and
 * writes the detached Ed25519 signature as 128 lower-case hex chars plus NUL
 * into sig_hex. secret_key: 64 bytes (libsodium layout). Returns WF_OK or
 * WF_EINVAL.
 */
int signing_sign_request(const uint8_t secret_key[SIGNING_SECRET_BYTES], const char *method,
                         const char *path, int64_t time_s, const void *body, size_t body_len,
                         uint32_t kiosk, uint32_t key_id, char sig_hex[SIGNING_SIG_HEX_LEN + 1]);

/*
 * signing_verify_request — checks sig_hex (128 hex chars, either case)
 * against the string built from the other arguments. body_hash_hex is the
 * hash the verifier computed itself from the received body. Returns WF_OK,
 * WF_ECRYPTO for a wrong signature, WF_EINVAL for malformed input.
 */
int signing_verify_request(const uint8_t public_key[SIGNING_PUBLIC_BYTES], const char *method,
                           const char *path, int64_t time_s, const char *body_hash_hex,
                           uint32_t kiosk, uint32_t key_id, const char *sig_hex);

/* signing_keypair_from_seed — deterministic key pair (tests, worked example). */
int signing_keypair_from_seed(const uint8_t seed[SIGNING_SEED_BYTES],
                              uint8_t public_key[SIGNING_PUBLIC_BYTES],
                              uint8_t secret_key[SIGNING_SECRET_BYTES]);

/* signing_keypair_generate — fresh random key pair (randombytes). */
int signing_keypair_generate(uint8_t public_key[SIGNING_PUBLIC_BYTES],
                             uint8_t secret_key[SIGNING_SECRET_BYTES]);

/*
 * Key files. Secret: one line "wufei-ed25519-secret-1 <64 hex seed>\n",
 * mode 0600. Public: one line "wufei-ed25519-public-1 <64 hex key>\n",
 * mode 0644. Writers refuse to overwrite (WF_EEXIST) and fsync the file.
 * Readers fill why[why_len] with a short reason on failure (may be NULL).
 * Blocking file I/O.
 */
int signing_keyfile_write_secret(const char *path, const uint8_t secret_key[SIGNING_SECRET_BYTES]);
int signing_keyfile_write_public(const char *path, const uint8_t public_key[SIGNING_PUBLIC_BYTES]);
/* Refuses (WF_EINVAL) a secret file readable or writable by group or others. */
int signing_keyfile_read_secret(const char *path, uint8_t secret_key[SIGNING_SECRET_BYTES],
                                char *why, size_t why_len);
int signing_keyfile_read_public(const char *path, uint8_t public_key[SIGNING_PUBLIC_BYTES],
                                char *why, size_t why_len);

#endif
