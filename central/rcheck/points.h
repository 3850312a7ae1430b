/*
 * points.h — the rules of a resident's points at central (DESIGN "Points
 * are a ledger"): redeeming (never below zero, each idempotency key once,
 * atomic) and an admin's adjustment with a reason. Claims are rcheck.h's
 * rcheck_claim; earned entries are written at ingest.
 *
 * For: `wufei-central points redeem|adjust`, POST /api/v1/redeem and the
 * office's forms. Not for: who may do it (the caller has authenticated the
 * actor) or HTTP. Each call is ONE immediate transaction on s, safe against
 * other handles on the same database (SQLite's write lock) and other
 * threads on s (the caller holds store_lock). Blocking (storage).
 */
#ifndef WUFEI_CENTRAL_POINTS_H
#define WUFEI_CENTRAL_POINTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store.h"

#define POINTS_MAX INT64_C(1000000000) /* the most one redemption or adjustment moves */

enum points_outcome {
	POINTS_DONE = 0,         /* the entry was written now */
	POINTS_REPEAT,           /* the same key with the same content: the first result again */
	POINTS_KEY_REUSED,       /* the same key with other content: nothing written */
	POINTS_INSUFFICIENT,     /* the balance is smaller: nothing written */
	POINTS_UNKNOWN_RESIDENT, /* no such resident enrolled: nothing written */
};

struct points_result {
	enum points_outcome outcome;
	struct store_points_entry entry; /* DONE, REPEAT, KEY_REUSED: the entry (of the key) */
	int64_t balance; /* DONE, REPEAT: the balance after the entry; INSUFFICIENT: now */
};

/* Printable UTF-8 text (no control characters) of 1..cap-1 bytes ("" only
 * when empty_ok). The one check of actors, reasons and keys. */
bool points_text_ok(const char *text, size_t cap, bool empty_ok);

/* An idempotency key: 1..64 of [A-Za-z0-9._:-]. */
bool points_key_ok(const char *key);

/*
 * points_redeem — resident spends points (1..POINTS_MAX) under idempotency
 * key for actor at central time now_s: a 'redeemed' entry of -points, only
 * if the balance covers it. A key seen before answers REPEAT (same resident
 * and points: the first entry and the balance after it) or KEY_REUSED.
 * Returns WF_OK with *out (any outcome), WF_EINVAL bad arguments, or a
 * storage error (nothing written).
 */
int points_redeem(struct store *s, int64_t resident, int64_t points, const char *key,
                  const char *actor, int64_t now_s, struct points_result *out);

/*
 * points_adjust — an admin's adjustment of points (±1..POINTS_MAX) with a
 * reason (required) for actor at now_s: an 'adjusted' entry, refused
 * (INSUFFICIENT) when it would take the balance below zero. Returns WF_OK
 * with *out, WF_EINVAL bad arguments, or a storage error.
 */
int points_adjust(struct store *s, int64_t resident, int64_t points, const char *reason,
                  const char *actor, int64_t now_s, struct points_result *out);

/* Short English text for an outcome; never NULL. */
const char *points_outcome_text(enum points_outcome o);

#endif
