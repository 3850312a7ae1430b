/*
 * cardid_hash.c — keyed BLAKE2b-256 hashes of canonical card ids
 * (libsodium; library wufei_cardid). The ids themselves are cardid.c's.
 */
#include "cardid_hash.h"

#include "hex.h"

#include "wf.h"

#include <assert.h>
#include <sodium.h>
#include <string.h>

int cardid_hash(const uint8_t key[CARDID_KEY_BYTES], const char *id, uint8_t out[WF_HASH_BYTES])
{
	assert(key && out);
	memset(out, 0, WF_HASH_BYTES);
	if (!cardid_valid(id))
		return WF_EINVAL;
	if (crypto_generichash(out, WF_HASH_BYTES, (const unsigned char *)id, strlen(id), key,
	                       CARDID_KEY_BYTES) != 0)
		return WF_ECRYPTO;
	return WF_OK;
}

int cardid_hash_hex(const uint8_t key[CARDID_KEY_BYTES], const char *id, char out[WF_HASH_HEX])
{
	uint8_t h[WF_HASH_BYTES];
	out[0] = '\0';
	int rc = cardid_hash(key, id, h);
	if (rc == WF_OK)
		rc = hex_encode(h, sizeof h, out, WF_HASH_HEX);
	sodium_memzero(h, sizeof h);
	return rc;
}
