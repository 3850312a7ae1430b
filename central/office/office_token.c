/*
 * office_token.c — partner shops' API tokens: "wft_" and 32 random bytes as
 * hex, shown once; central keeps only their hash. See office.h.
 *
 * Why BLAKE2b-256 and not Argon2id here: a token is 256 random bits, not a
 * password a person chose, so there is nothing to guess from a leaked hash
 * (a preimage search over 2^256 is out of reach); a slow hash would only
 * cost every redeem call ~0.1 s and 64 MiB. The lookup is by the hash (an
 * attacker cannot steer it towards a stored token), and the found hash is
 * compared again in constant time.
 */
#include "office.h"

#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "hex.h"

static void token_hash(const char *text, uint8_t out[32])
{
	crypto_generichash(out, 32, (const unsigned char *)text, strlen(text), NULL, 0);
}

int office_token_add(struct store *s, const char *name, int64_t now_s, char out[OFFICE_TOKEN_TEXT],
                     int64_t *id)
{
	uint8_t raw[32];
	struct store_token t;
	memset(&t, 0, sizeof t);
	randombytes_buf(raw, sizeof raw);
	memcpy(out, OFFICE_TOKEN_PREFIX, 4);
	hex_encode(raw, sizeof raw, out + 4, OFFICE_TOKEN_TEXT - 4);
	sodium_memzero(raw, sizeof raw);
	snprintf(t.name, sizeof t.name, "%s", name);
	snprintf(t.scope, sizeof t.scope, "redeem");
	t.created_s = now_s;
	token_hash(out, t.hash);
	store_lock(s);
	int rc = s->ops->token_add(s, &t);
	store_unlock(s);
	if (rc) {
		sodium_memzero(out, OFFICE_TOKEN_TEXT);
		return rc;
	}
	*id = t.id;
	return WF_OK;
}

/* The token text of a "Bearer wft_<64 hex>" header, or NULL. */
static const char *bearer_token(const char *authorization)
{
	static const char scheme[] = "Bearer ";
	if (!authorization || strncmp(authorization, scheme, sizeof scheme - 1) != 0)
		return NULL;
	const char *t = authorization + sizeof scheme - 1;
	if (strlen(t) != OFFICE_TOKEN_TEXT - 1 || strncmp(t, OFFICE_TOKEN_PREFIX, 4) != 0)
		return NULL;
	for (const char *p = t + 4; *p; p++)
		if (hex_digit((unsigned char)*p) < 0)
			return NULL;
	return t;
}

int office_token_check(struct store *s, const char *authorization, int64_t *id, char scope[16])
{
	uint8_t h[32];
	struct store_token t;
	const char *text = bearer_token(authorization);
	if (!text)
		return 0;
	token_hash(text, h);
	store_lock(s);
	int rc = s->ops->token_find(s, h, &t);
	store_unlock(s);
	if (rc != 1)
		return rc;
	if (sodium_memcmp(t.hash, h, sizeof h) != 0 || t.revoked_s != 0 ||
	    strcmp(t.scope, "redeem") != 0)
		return 0;
	*id = t.id;
	snprintf(scope, 16, "%s", t.scope);
	return 1;
}
