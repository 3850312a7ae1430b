/*
 * cardid_hash.h — the keyed hash of a canonical card id (DESIGN "Card
 * identity"): what the kiosk stores and sends instead of the id.
 *
 * card hash = BLAKE2b-256 keyed with the 32-byte card key (libsodium
 * crypto_generichash, 32-byte output) of the id's bytes without the NUL.
 * For: the kiosk (a card read -> its hash), central (enrolment), tests.
 * Library wufei_cardid (libsodium; the program's main has called
 * sodium_init). No allocation, no I/O.
 */
#ifndef WUFEI_CARDID_HASH_H
#define WUFEI_CARDID_HASH_H

#include <stdint.h>

#include "cardid.h"
#include "wf.h"

#define CARDID_KEY_BYTES 32

/*
 * cardid_hash — out = BLAKE2b-256(key, id). id must be canonical
 * (cardid_valid). Returns WF_OK, WF_EINVAL (id not canonical; out zeroed) or
 * WF_ECRYPTO.
 */
int cardid_hash(const uint8_t key[CARDID_KEY_BYTES], const char *id, uint8_t out[WF_HASH_BYTES]);

/* cardid_hash_hex — as cardid_hash, written as 64 lower-case hex characters. */
int cardid_hash_hex(const uint8_t key[CARDID_KEY_BYTES], const char *id, char out[WF_HASH_HEX]);

#endif
