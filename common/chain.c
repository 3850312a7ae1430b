/* chain.c — BLAKE2b-256 hash chain over canonical records; see chain.h. */
#include "chain.h"

#include <assert.h>
#include <string.h>

#include <sodium.h>

void wf_chain_genesis(uint8_t out[WF_CHAIN_HASH_LEN])
{
	memset(out, 0, WF_CHAIN_HASH_LEN);
}

void wf_chain_next(const uint8_t prev[WF_CHAIN_HASH_LEN], const uint8_t *bytes, size_t len,
                   uint8_t out[WF_CHAIN_HASH_LEN])
{
	assert(prev && out && (bytes || len == 0));
	if (sodium_init() < 0)
		assert(0 && "libsodium cannot initialise");
	uint8_t p[WF_CHAIN_HASH_LEN];
	memcpy(p, prev, sizeof p); /* prev and out may alias */
	crypto_generichash_state st;
	crypto_generichash_init(&st, NULL, 0, WF_CHAIN_HASH_LEN);
	crypto_generichash_update(&st, p, sizeof p);
	if (len)
		crypto_generichash_update(&st, bytes, len);
	crypto_generichash_final(&st, out, WF_CHAIN_HASH_LEN);
}

void wf_chain_hex(const uint8_t hash[WF_CHAIN_HASH_LEN], char hex[WF_CHAIN_HEX_LEN])
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < WF_CHAIN_HASH_LEN; i++) {
		hex[2 * i] = digits[hash[i] >> 4];
		hex[2 * i + 1] = digits[hash[i] & 15];
	}
	hex[2 * WF_CHAIN_HASH_LEN] = '\0';
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool wf_chain_parse_hex(const char *hex, size_t len, uint8_t hash[WF_CHAIN_HASH_LEN])
{
	uint8_t tmp[WF_CHAIN_HASH_LEN];
	if (!hex || len != 2 * WF_CHAIN_HASH_LEN)
		return false;
	for (size_t i = 0; i < WF_CHAIN_HASH_LEN; i++) {
		int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return false;
		tmp[i] = (uint8_t)(hi << 4 | lo);
	}
	memcpy(hash, tmp, sizeof tmp);
	return true;
}
