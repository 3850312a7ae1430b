/*
 * chain.h — the journal's hash chain (DESIGN "Decisions": hash chain).
 *
 * For: hash = BLAKE2b-256(previous hash || canonical record bytes), starting
 * from 32 zero bytes (the genesis). The kiosk ledger links every record with
 * it; `ledger verify` and central recompute it.
 *
 * Not for: card hashes (keyed BLAKE2b, done by the card module) or
 * signatures. Links libsodium; pure otherwise (no I/O, no allocation).
 */
#ifndef WUFEI_CHAIN_H
#define WUFEI_CHAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wf.h"

/* wf_chain_genesis — writes the previous hash of record 1: 32 zero bytes. */
void wf_chain_genesis(uint8_t out[WF_HASH_BYTES]);

/*
 * wf_chain_next — out = BLAKE2b-256(prev || bytes[0..len)). prev and out may
 * be the same buffer. bytes may be NULL only if len is 0. Never fails
 * (the program's main has called sodium_init).
 */
void wf_chain_next(const uint8_t prev[WF_HASH_BYTES], const uint8_t *bytes, size_t len,
                   uint8_t out[WF_HASH_BYTES]);

#endif
