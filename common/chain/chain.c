/* chain.c — BLAKE2b-256 hash chain over canonical records; see chain.h. */
#include "chain.h"

#include <assert.h>
#include <string.h>

#include <sodium.h>

void wf_chain_genesis(uint8_t out[WF_HASH_BYTES])
{
	memset(out, 0, WF_HASH_BYTES);
}

void wf_chain_next(const uint8_t prev[WF_HASH_BYTES], const uint8_t *bytes, size_t len,
                   uint8_t out[WF_HASH_BYTES])
{
	assert(prev && out && (bytes || len == 0));
	uint8_t p[WF_HASH_BYTES];
	memcpy(p, prev, sizeof p); /* prev and out may alias */
	crypto_generichash_state st;
	crypto_generichash_init(&st, NULL, 0, WF_HASH_BYTES);
	crypto_generichash_update(&st, p, sizeof p);
	if (len)
		crypto_generichash_update(&st, bytes, len);
	crypto_generichash_final(&st, out, WF_HASH_BYTES);
}
