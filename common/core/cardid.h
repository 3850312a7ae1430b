/*
 * cardid.h — canonical card ids and their keyed hashes (DESIGN "Card
 * identity").
 *
 * A canonical card id is "<technology>:<number as the card carries it>":
 * technology 1..15 characters of [a-z0-9-], a colon, number 1..30 characters
 * of [0-9A-F] (upper-case hex, or decimal digits). For EM4100 cards the
 * number is the one printed on the card: the low 32 bits of what the reader
 * sends, as exactly 10 decimal digits ("em4100:0003887558"; an RDM6300's
 * 40 bits start with a version byte that is dropped), so one card is one id
 * whatever reader reads it. The kiosk never stores or sends the id: only the
 * card hash = BLAKE2b-256 keyed with the 32-byte card key (libsodium
 * crypto_generichash, 32-byte output) of the id's bytes without the NUL.
 *
 * For: kiosk (card event -> hash for lookups and records), the device
 * parsers (em4100, wedge: cardid_em4100), central and tests (hashes in
 * fixtures), wufei-devsim. Not for: reading or storing keys.
 * The ids (cardid.c) are pure, in library wufei_core; their hashes are
 * cardid_hash.h's (library wufei_cardid, libsodium). No allocation, no I/O.
 */
#ifndef WUFEI_CARDID_H
#define WUFEI_CARDID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wf.h"

#define CARDID_MAX           48              /* bytes incl. NUL of a canonical id */
#define CARDID_TECH_MAX      16              /* bytes incl. NUL of the technology */
#define CARDID_NUMBER_MAX    31              /* bytes incl. NUL of the number */
#define CARDID_EM4100_DIGITS 10              /* decimal digits of an EM4100 number */
#define CARDID_EM4100_MAX    0xFFFFFFFFFFULL /* 40 bits: version byte + 32-bit number */

/* cardid_valid — true if id (NUL-terminated; NULL is false) is canonical;
 * an em4100 id must have exactly 10 decimal digits of a 32-bit number. */
bool cardid_valid(const char *id);

/*
 * cardid_em4100 — the canonical id of the EM4100 card whose reader gave
 * number (the 40 bits an RDM6300 sends, or the 32 bits a wedge reader
 * types): "em4100:" and the low 32 bits as 10 decimal digits, e.g. 0x0400E2E1F5
 * -> "em4100:0014868981". Returns WF_OK, WF_EINVAL (number over 40 bits; out
 * "") or WF_ENOMEM (cap too small; out "" when cap > 0).
 */
int cardid_em4100(uint64_t number, char *out, size_t cap);

/*
 * cardid_format — build "<technology>:<number>" into out (cap bytes): the
 * number is upper-cased first ("04a1b2c3" -> "mifare:04A1B2C3"). Returns WF_OK,
 * or WF_EINVAL if technology or number is not valid, the result included
 * (an em4100 number must be 10 decimal digits; out is then ""), or
 * WF_ENOMEM if cap is too small (out is then "" when cap > 0).
 */
int cardid_format(const char *technology, const char *number, char *out, size_t cap);

#endif
