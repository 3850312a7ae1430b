/*
 * cardid.h — canonical card ids and their keyed hashes (DESIGN "Card
 * identity").
 *
 * A canonical card id is "<technology>:<number as the card carries it>":
 * technology 1..15 characters of [a-z0-9-], a colon, number 1..30 characters
 * of [0-9A-F] (upper-case hex, or decimal digits), e.g. "em4100:0400E2E1F5".
 * The kiosk never stores or sends it: only the card hash = BLAKE2b-256 keyed
 * with the 32-byte card key (libsodium crypto_generichash, 32-byte output) of
 * the id's bytes without the NUL.
 *
 * For: kiosk (card event -> hash for lookups and records), central and tests
 * (hashes in fixtures), wufei-devsim. Not for: reading or storing keys.
 * Library wufei_cardid (libsodium). No allocation, no I/O.
 */
#ifndef WUFEI_CARDID_H
#define WUFEI_CARDID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CARDID_MAX        48 /* bytes incl. NUL of a canonical id */
#define CARDID_TECH_MAX   16 /* bytes incl. NUL of the technology */
#define CARDID_NUMBER_MAX 31 /* bytes incl. NUL of the number */
#define CARDID_KEY_BYTES  32
#define CARDID_HASH_BYTES 32
#define CARDID_HASH_HEX   65 /* 64 lower-case hex characters and NUL */

/* cardid_valid — true if id (NUL-terminated; NULL is false) is canonical. */
bool cardid_valid(const char *id);

/*
 * cardid_format — build "<technology>:<number>" into out (cap bytes): the
 * number is upper-cased first ("0400e2e1f5" -> "0400E2E1F5"). Returns WF_OK,
 * or WF_EINVAL if technology or number is not valid (out is then ""), or
 * WF_ENOMEM if cap is too small (out is then "" when cap > 0).
 */
int cardid_format(const char *technology, const char *number, char *out, size_t cap);

/*
 * cardid_hash — out = BLAKE2b-256(key, id). id must be canonical. Returns
 * WF_OK, WF_EINVAL (id not canonical; out zeroed) or WF_ECRYPTO (libsodium
 * failed to initialise).
 */
int cardid_hash(const uint8_t key[CARDID_KEY_BYTES], const char *id,
                uint8_t out[CARDID_HASH_BYTES]);

/* cardid_hash_hex — as cardid_hash, written as 64 lower-case hex characters. */
int cardid_hash_hex(const uint8_t key[CARDID_KEY_BYTES], const char *id, char out[CARDID_HASH_HEX]);

/*
 * cardid_hex_encode — n bytes to 2n lower-case hex characters and a NUL in
 * out (cap >= 2n + 1). Returns WF_OK or WF_ENOMEM (out "" when cap > 0).
 */
int cardid_hex_encode(const uint8_t *in, size_t n, char *out, size_t cap);

/*
 * cardid_hex_decode — exactly 2n hex characters (either case; the string must
 * end there) to n bytes. Returns WF_OK, or WF_EINVAL (out zeroed).
 */
int cardid_hex_decode(const char *hex, uint8_t *out, size_t n);

#endif
