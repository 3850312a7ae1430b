/*
 * ledger_verify_tables.c — the checks of every table that restates a
 * record: receipt tokens (decode, this kiosk's key and signature, the
 * record they name and what they say of it), the outbox (existing,
 * unacknowledged seqs only), the receipts table, acknowledgement states,
 * the daily counters (the sums of the drops held) and the prune points.
 * Part of ledger_verify (ledger_verify.c walks the records).
 */
#include "ledger_private.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "receipt.h"

/* The receipt key with key id, if the journal holds one. */
static const uint8_t *receipt_key(struct ledger_verify_run *v, uint8_t id)
{
	if (v->key_state[id] == 0) {
		char key[32];
		snprintf(key, sizeof key, "receipt_key.%u", id);
		bool held =
		    ledger_db_meta_blob(v->l, key, v->keys[id], LEDGER_RECEIPT_KEY_BYTES) == WF_OK;
		v->key_state[id] = held ? 1 : 2;
	}
	return v->key_state[id] == 1 ? v->keys[id] : NULL;
}

/* What a drop's receipt must say of it (the kiosk's make_receipt). */
static bool receipt_matches(const struct receipt *r, const struct wf_record *rec)
{
	const struct wf_record_drop *d = &rec->drop;
	unsigned flags = (d->flags & WF_DROP_ANONYMOUS ? RECEIPT_FLAG_ANONYMOUS : 0u) |
	                 (d->flags & WF_DROP_CAPPED ? RECEIPT_FLAG_CAPPED : 0u) |
	                 (d->unit == WF_UNIT_PIECE ? RECEIPT_FLAG_PIECES : 0u);
	return r->category == d->category_id && (int64_t)r->qty == d->qty &&
	       (int64_t)r->points == d->points && (int64_t)r->time_min == rec->time_ms / 60000 &&
	       (r->flags & ~RECEIPT_FLAG_TEST) == flags;
}

void ledger_verify_receipt(struct ledger_verify_run *v, const struct wf_record *rec,
                           const char *token)
{
	if (!token || !token[0])
		return; /* recorded without a receipt (no callback): nothing restated */
	uint64_t seq = rec->seq;
	struct receipt r;
	uint8_t payload[RECEIPT_PAYLOAD_LEN], sig[RECEIPT_SIG_LEN];
	v->stats->receipts++;
	if (receipt_parse(token, &r, payload, sig) != WF_OK)
		return ledger_verify_say(v, "seq %" PRIu64 ": receipt token does not decode", seq);
	if (r.kiosk != v->l->kiosk || r.seq != seq)
		return ledger_verify_say(v,
		                         "seq %" PRIu64 ": receipt names kiosk %" PRIu32
		                         " seq %" PRIu32 ", not this record",
		                         seq, r.kiosk, r.seq);
	if (!receipt_matches(&r, rec))
		ledger_verify_say(v,
		                  "seq %" PRIu64 ": receipt says category %u qty %" PRIu32
		                  " points %" PRIu32 ", not what the record says",
		                  seq, r.category, r.qty, r.points);
	if (!v->have_keys)
		return; /* no key known: signatures unchecked (ledger_verify_with_stats says so) */
	const uint8_t *key = receipt_key(v, r.key_id);
	if (!key)
		ledger_verify_say(
		    v, "seq %" PRIu64 ": receipt signed with key id %u, not this kiosk's", seq,
		    r.key_id);
	else if (receipt_verify(payload, sig, key) != WF_OK)
		ledger_verify_say(v, "seq %" PRIu64 ": receipt signature does not verify", seq);
}

/* Runs a query whose every row is a problem described by column 0. */
static void verify_query(struct ledger_verify_run *v, const char *sql, const char *fmt)
{
	sqlite3_stmt *st = NULL;
	if (ledger_db_prepare(v->l, sql, &st))
		return ledger_verify_say(v, "check failed: %s", v->l->err);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		char text[256];
		snprintf(text, sizeof text, fmt, (const char *)sqlite3_column_text(st, 0));
		ledger_verify_say(v, "%s", text);
	}
	if (rc != SQLITE_DONE)
		ledger_verify_say(v, "check failed: %s", sqlite3_errmsg(v->l->db));
	sqlite3_finalize(st);
}

/* Counters differing from the sums of the held drops: card (hex prefix),
 * day, category, counter (NULL: none), sum (NULL: no held drop). */
#define COUNTERS_SQL                                                                               \
	"WITH held AS (SELECT card_hash, local_day, category_id, sum(qty) AS qty FROM records"     \
	" WHERE kind = 1 AND card_hash != zeroblob(32) GROUP BY 1, 2, 3)"                          \
	" SELECT hex(substr(c.card_hash, 1, 4)), c.local_day, c.category_id, c.qty, h.qty"         \
	" FROM counters c LEFT JOIN held h ON h.card_hash = c.card_hash"                           \
	" AND h.local_day = c.local_day AND h.category_id = c.category_id"                         \
	" WHERE h.qty IS NULL OR h.qty != c.qty"                                                   \
	" UNION ALL SELECT hex(substr(h.card_hash, 1, 4)), h.local_day, h.category_id, NULL,"      \
	" h.qty FROM held h WHERE NOT EXISTS (SELECT 1 FROM counters c"                            \
	" WHERE c.card_hash = h.card_hash AND c.local_day = h.local_day"                           \
	" AND c.category_id = h.category_id)"

/*
 * The daily counters equal the sums of the drops held for each card, day
 * and category. Once records are pruned, a day up to meta 'pruned_day' (the
 * newest day of a pruned drop; unknown = every day) may also count pruned
 * drops: there the counter may exceed the held drops, never fall short.
 */
static void verify_counters(struct ledger_verify_run *v)
{
	int64_t pruned = 0, boundary = INT64_MIN;
	if (ledger_db_meta_int(v->l, "pruned_upto", &pruned) == WF_OK && pruned > 0 &&
	    ledger_db_meta_int(v->l, "pruned_day", &boundary) != WF_OK)
		boundary = INT64_MAX;
	sqlite3_stmt *st = NULL;
	if (ledger_db_prepare(v->l, COUNTERS_SQL, &st))
		return ledger_verify_say(v, "check failed: %s", v->l->err);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t day = sqlite3_column_int64(st, 1);
		bool no_counter = sqlite3_column_type(st, 3) == SQLITE_NULL;
		bool no_drops = sqlite3_column_type(st, 4) == SQLITE_NULL;
		int64_t counter = sqlite3_column_int64(st, 3), sum = sqlite3_column_int64(st, 4);
		if (day <= boundary && !no_counter && (no_drops || counter >= sum))
			continue; /* pruned drops of that day may be in the counter */
		ledger_verify_say(v,
		                  "daily counter of card %s.. day %" PRId64 " category %" PRId64
		                  " is %" PRId64 " but its held drops sum to %" PRId64,
		                  (const char *)sqlite3_column_text(st, 0), day,
		                  (int64_t)sqlite3_column_int64(st, 2), no_counter ? 0 : counter,
		                  no_drops ? 0 : sum);
	}
	if (rc != SQLITE_DONE)
		ledger_verify_say(v, "check failed: %s", sqlite3_errmsg(v->l->db));
	sqlite3_finalize(st);
}

/* One prune point against its CHECKPOINT record, if that is still held. */
static void verify_prune_point(struct ledger_verify_run *v, sqlite3_stmt *st, int64_t pruned)
{
	int64_t cp = sqlite3_column_int64(st, 0), upto = sqlite3_column_int64(st, 1);
	const uint8_t *hash = sqlite3_column_blob(st, 2);
	bool hash_ok = sqlite3_column_bytes(st, 2) == WF_HASH_BYTES;
	if (!hash_ok || sqlite3_column_int(st, 3) != 1 || upto > pruned)
		ledger_verify_say(v,
		                  "prune point of checkpoint %" PRId64 " (up to seq %" PRId64
		                  ") is damaged or beyond what is pruned (%" PRId64 ")",
		                  cp, upto, pruned);
	const void *bytes = sqlite3_column_blob(st, 4);
	struct wf_record rec;
	if (!bytes || !hash_ok)
		return; /* the checkpoint record itself was pruned later */
	if (wf_record_decode(bytes, (size_t)sqlite3_column_bytes(st, 4), &rec, NULL, 0) != WF_OK ||
	    rec.kind != WF_RECORD_CHECKPOINT || rec.checkpoint.upto_seq != (uint64_t)upto ||
	    memcmp(rec.checkpoint.hash, hash, WF_HASH_BYTES) != 0)
		ledger_verify_say(
		    v, "prune point of checkpoint %" PRId64 " differs from its CHECKPOINT record",
		    cp);
}

/* Each prune point restates a CHECKPOINT record; the newest one is what
 * meta pruned_upto / pruned_hash say. */
static void verify_prune_points(struct ledger_verify_run *v)
{
	int64_t pruned = 0, newest = 0;
	uint8_t pruned_hash[WF_HASH_BYTES], newest_hash[WF_HASH_BYTES] = {0};
	if (ledger_db_meta_int(v->l, "pruned_upto", &pruned) != WF_OK)
		pruned = 0;
	sqlite3_stmt *st = NULL;
	if (ledger_db_prepare(v->l,
	                      "SELECT p.checkpoint_seq, p.upto_seq, p.hash, p.acked, r.bytes"
	                      " FROM prune_points p LEFT JOIN records r ON r.seq = p.checkpoint_seq"
	                      " ORDER BY p.upto_seq",
	                      &st))
		return ledger_verify_say(v, "check failed: %s", v->l->err);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		verify_prune_point(v, st, pruned);
		newest = sqlite3_column_int64(st, 1);
		if (sqlite3_column_bytes(st, 2) == WF_HASH_BYTES)
			memcpy(newest_hash, sqlite3_column_blob(st, 2), WF_HASH_BYTES);
	}
	if (rc != SQLITE_DONE)
		ledger_verify_say(v, "check failed: %s", sqlite3_errmsg(v->l->db));
	sqlite3_finalize(st);
	if (pruned <= 0)
		return;
	if (newest != pruned)
		ledger_verify_say(v, "journal pruned up to %" PRId64 " but no prune point says so",
		                  pruned);
	else if (ledger_db_meta_blob(v->l, "pruned_hash", pruned_hash, WF_HASH_BYTES) == WF_OK &&
	         memcmp(pruned_hash, newest_hash, WF_HASH_BYTES) != 0)
		ledger_verify_say(v, "pruned_hash differs from the hash of the newest prune point");
}

void ledger_verify_tables(struct ledger_verify_run *v)
{
	verify_query(v, "SELECT seq FROM outbox WHERE seq NOT IN (SELECT seq FROM records)",
	             "outbox row for seq %s has no record");
	verify_query(v, "SELECT o.seq FROM outbox o JOIN records r USING(seq) WHERE r.acked != 0",
	             "outbox row for seq %s, which central acknowledged");
	verify_query(v, "SELECT seq FROM receipts WHERE seq NOT IN (SELECT seq FROM records)",
	             "receipt for seq %s has no record");
	verify_query(v, "SELECT p.seq FROM receipts p JOIN records r USING(seq) WHERE r.kind != 1",
	             "receipt row for seq %s, which is not a drop");
	verify_query(v, "SELECT seq FROM records WHERE acked NOT IN (0, 1, 2)",
	             "seq %s: acknowledgement state is neither queued, stored nor conflict");
	verify_counters(v);
	verify_prune_points(v);
}
