/*
 * rcheck.h — checks a receipt token against what central knows: kiosk, key
 * (by key id), revocation, claim state.
 *
 * For: `wufei-central verify-receipt`, the /r/<TOKEN> page and the claim API.
 * Not for: token encoding (common/receipt.h) or HTTP.
 * The caller holds store_lock() on s. Blocking (storage).
 */
#ifndef WUFEI_CENTRAL_RCHECK_H
#define WUFEI_CENTRAL_RCHECK_H

#include <stdint.h>

#include "receipt.h"
#include "store.h"

enum rcheck_verdict {
	RCHECK_GENUINE = 0,   /* signature verifies with the kiosk's key */
	RCHECK_MALFORMED,     /* not a token: length, characters, version */
	RCHECK_FORGED,        /* signature does not verify (tampered, other kiosk's key) */
	RCHECK_UNKNOWN_KIOSK, /* no such kiosk enrolled */
	RCHECK_UNKNOWN_KEY,   /* the kiosk has no key with that id */
	RCHECK_REVOKED_KEY,   /* signed by a revoked key after its revocation */
	RCHECK_MISMATCH,      /* genuine signature, but central's journal record differs */
};

struct rcheck_result {
	enum rcheck_verdict verdict;
	struct receipt r;      /* decoded payload (valid unless MALFORMED) */
	int64_t key_revoked_s; /* 0, or when the signing key was revoked */
	int record_held;       /* 1 if central holds the drop (kiosk, seq) */
	int claimed;           /* 1 if claimed */
	int64_t claimed_s;     /* when */
};

/*
 * rcheck_token — decodes and checks token_or_url (token or URL). A receipt
 * signed by a key revoked later is still GENUINE (key_revoked_s says so) when
 * its seq is not above the highest seq central held at the revocation and its
 * time is before it; otherwise REVOKED_KEY. Returns WF_OK with *out filled
 * (any verdict), or a negative storage error.
 */
int rcheck_token(struct store *s, const char *token_or_url, struct rcheck_result *out);

/* Short English text for a verdict; never NULL. */
const char *rcheck_verdict_text(enum rcheck_verdict v);

/*
 * rcheck_claim — single-use claim of a GENUINE receipt: returns 1 claimed
 * now, 0 claimed before (*claimed_s = first claim), WF_EINVAL not genuine, or
 * a storage error. One atomic statement.
 */
int rcheck_claim(struct store *s, const struct rcheck_result *res, int64_t now_s,
                 int64_t *claimed_s);

#endif
