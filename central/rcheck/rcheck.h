/*
 * rcheck.h — checks a receipt token against what central knows: kiosk, key
 * (by key id), revocation, claim state; and claims one onto a resident.
 *
 * For: `wufei-central verify-receipt` and `receipt claim`, the /r/<TOKEN>
 * page and the claim API. Not for: token encoding (common/receipt.h), HTTP
 * or who may claim (the caller has authenticated the actor).
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
	struct wf_record rec;  /* that record, decoded (when record_held and not MISMATCH) */
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

enum rcheck_claim_status {
	RCHECK_CLAIMED = 0,      /* claimed now: claim.points moved (fewer when limited) */
	RCHECK_ALREADY_CLAIMED,  /* claimed before: claim is that claim; nothing changed */
	RCHECK_PENDING,          /* genuine, but central does not hold its record yet */
	RCHECK_NOT_GENUINE,      /* check.verdict says why */
	RCHECK_RESIDENT_DROP,    /* the drop already earned a resident's points at the kiosk */
	RCHECK_NO_RESIDENT,      /* no such resident enrolled */
	RCHECK_BLOCKED_RESIDENT, /* the resident is blocked */
	RCHECK_LIMIT_REACHED,    /* nothing of it fits the resident's daily limit: not claimed */
};

struct rcheck_claim_result {
	enum rcheck_claim_status status;
	struct rcheck_result check; /* the token's check */
	struct store_claim claim;   /* CLAIMED: this claim; ALREADY_CLAIMED: the first */
	int64_t drop_qty;           /* the drop's credited quantity (grams or pieces) */
	int64_t drop_points;        /* the points the receipt carries */
	int64_t daily_limit;        /* the category's daily limit (0 = none) */
	int64_t used_before;        /* what the resident had of it that day before */
	int64_t balance;            /* CLAIMED: the resident's balance after */
};

/*
 * rcheck_claim — claims token_or_url onto resident for actor (already
 * authenticated by the caller; printable text < STORE_POINTS_ACTOR_MAX) at
 * central time now_s, in ONE immediate transaction on s: the token checked,
 * the record held, the claim row once per (kiosk, seq), the resident's daily
 * limit for the drop's category and local day applied (its credited drops
 * and earlier claims that day), a 'claimed' points entry, the resident
 * touched for down-sync. Safe against other handles on the same database
 * (SQLite's write lock) and other threads on s (the caller holds
 * store_lock). Returns WF_OK with *out (any status; nothing stored unless
 * CLAIMED), WF_EINVAL a bad resident or actor, or a storage error (nothing
 * stored).
 */
int rcheck_claim(struct store *s, const char *token_or_url, int64_t resident, const char *actor,
                 int64_t now_s, struct rcheck_claim_result *out);

/* Short English text for a claim status; never NULL. */
const char *rcheck_claim_text(enum rcheck_claim_status st);

#endif
