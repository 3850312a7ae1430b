/*
 * ledger_outbox.c — what central has not acknowledged yet (the outbox),
 * its acknowledgements, and pruning: when a CHECKPOINT record is due, and
 * removing the records behind one central acknowledged (ledger_prune).
 */
#include "ledger_private.h"

#include <assert.h>
#include <inttypes.h>
#include <string.h>

int ledger_outbox_peek(struct ledger *l, struct ledger_outbox_item *items, unsigned max)
{
	assert(l && (items || max == 0));
	sqlite3_stmt *st = NULL;
	int r =
	    ledger_db_prepare(l,
	                      "SELECT r.seq, r.kind, r.bytes, r.hash FROM outbox o JOIN records r"
	                      " USING(seq) ORDER BY o.seq LIMIT ?1",
	                      &st);
	if (r)
		return r;
	sqlite3_bind_int64(st, 1, max);
	unsigned n = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < max) {
		struct ledger_outbox_item *it = &items[n];
		int len = sqlite3_column_bytes(st, 2);
		if (len <= 0 || len > WF_RECORD_MAX_LEN ||
		    sqlite3_column_bytes(st, 3) != WF_HASH_BYTES) {
			ledger_db_say(l, "outbox record %" PRId64 " is damaged",
			              (int64_t)sqlite3_column_int64(st, 0));
			sqlite3_finalize(st);
			return WF_ECORRUPT;
		}
		it->seq = (uint64_t)sqlite3_column_int64(st, 0);
		it->kind = (uint8_t)sqlite3_column_int(st, 1);
		memcpy(it->bytes, sqlite3_column_blob(st, 2), (size_t)len);
		it->len = (size_t)len;
		memcpy(it->hash, sqlite3_column_blob(st, 3), WF_HASH_BYTES);
		n++;
	}
	r = (rc == SQLITE_ROW || rc == SQLITE_DONE) ? (int)n : ledger_db_fail(l, rc, "read outbox");
	sqlite3_finalize(st);
	return r;
}

int ledger_outbox_ack(struct ledger *l, const uint64_t *seqs, const bool *conflict, unsigned n)
{
	assert(l && (seqs || n == 0));
	sqlite3_stmt *del = NULL, *upd = NULL;
	int r = ledger_db_prepare(l, "DELETE FROM outbox WHERE seq = ?1", &del);
	if (r == WF_OK)
		r = ledger_db_prepare(l, "UPDATE records SET acked = ?2 WHERE seq = ?1", &upd);
	if (r == WF_OK)
		r = ledger_db_begin(l);
	if (r)
		goto out;
	for (unsigned i = 0; i < n && r == WF_OK; i++) {
		sqlite3_bind_int64(del, 1, (int64_t)seqs[i]);
		sqlite3_bind_int64(upd, 1, (int64_t)seqs[i]);
		sqlite3_bind_int(upd, 2,
		                 conflict && conflict[i] ? LEDGER_ACK_CONFLICT : LEDGER_ACK_STORED);
		r = ledger_db_done(l, del, "delete outbox row");
		if (r == WF_OK)
			r = ledger_db_done(l, upd, "mark acknowledged");
	}
	if (r == WF_OK)
		r = ledger_db_commit(l);
	else
		ledger_db_rollback(l);
out:
	sqlite3_finalize(del);
	sqlite3_finalize(upd);
	return r;
}

int ledger_outbox_depth(struct ledger *l, int64_t *depth)
{
	assert(l && depth);
	return ledger_db_int(l, "SELECT count(*) FROM outbox", "count outbox", depth);
}

int ledger_conflict_count(struct ledger *l, int64_t *n)
{
	assert(l && n);
	/* the literal 2 (LEDGER_ACK_CONFLICT) lets SQLite use the partial index */
	return ledger_db_int(l, "SELECT count(*) FROM records WHERE acked = 2", "count conflicts",
	                     n);
}

/* Reads the checkpoint record at seq (must be acknowledged) into *cp. */
static int prune_load(struct ledger *l, uint64_t seq, struct wf_record *cp)
{
	sqlite3_stmt *st = NULL;
	int r = ledger_db_prepare(l, "SELECT bytes, acked FROM records WHERE seq = ?1", &st);
	if (r)
		return r;
	sqlite3_bind_int64(st, 1, (int64_t)seq);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const void *b = sqlite3_column_blob(st, 0);
		int n = sqlite3_column_bytes(st, 0);
		if (!b || wf_record_decode(b, (size_t)n, cp, NULL, 0) != WF_OK ||
		    cp->kind != WF_RECORD_CHECKPOINT) {
			ledger_db_say(l, "seq %" PRIu64 " is not a checkpoint record", seq);
			r = WF_EINVAL;
		} else if (!sqlite3_column_int(st, 1)) {
			ledger_db_say(l, "checkpoint %" PRIu64 " not acknowledged yet", seq);
			r = WF_ESTATE;
		}
	} else if (rc == SQLITE_DONE) {
		ledger_db_say(l, "no record %" PRIu64, seq);
		r = WF_EINVAL;
	} else {
		r = ledger_db_fail(l, rc, "read checkpoint");
	}
	sqlite3_finalize(st);
	return r;
}

/* Checks that everything up to upto is acknowledged and upto's hash matches. */
static int prune_check(struct ledger *l, uint64_t upto, const uint8_t hash[WF_HASH_BYTES])
{
	sqlite3_stmt *st = NULL;
	int r = ledger_db_prepare(l,
	                          "SELECT (SELECT count(*) FROM records WHERE seq <= ?1"
	                          " AND acked <> 1), (SELECT hash FROM records WHERE seq = ?1)",
	                          &st);
	if (r)
		return r;
	sqlite3_bind_int64(st, 1, (int64_t)upto);
	int rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		r = ledger_db_fail(l, rc, "check prune");
	} else if (sqlite3_column_int64(st, 0) > 0) {
		ledger_db_say(l, "records up to %" PRIu64 " not all acknowledged as stored", upto);
		r = WF_ESTATE;
	} else if (sqlite3_column_type(st, 1) != SQLITE_NULL &&
	           (sqlite3_column_bytes(st, 1) != WF_HASH_BYTES ||
	            memcmp(sqlite3_column_blob(st, 1), hash, WF_HASH_BYTES) != 0)) {
		ledger_db_say(
		    l, "checkpoint hash differs from the journal's hash after seq %" PRIu64, upto);
		r = WF_ECONFLICT;
	}
	sqlite3_finalize(st);
	return r;
}

/*
 * The latest local day whose counters may include pruned drops (meta
 * 'pruned_day', which verify reads): the newest day of the drops pruned now,
 * or of every counter when an older program pruned without noting it.
 */
static int note_pruned_day(struct ledger *l, int64_t upto)
{
	int64_t pruned = 0, day = 0, known = 0;
	int r = ledger_db_meta_int(l, "pruned_upto", &pruned);
	if (r)
		return r;
	bool unknown = pruned > 0 && ledger_db_meta_int(l, "pruned_day", &known) != WF_OK;
	const char *sql = unknown ? "SELECT coalesce(max(local_day), 0) FROM counters"
	                          : "SELECT coalesce(max(local_day), 0) FROM records WHERE kind = 1"
	                            " AND seq <= ?1";
	sqlite3_stmt *st = NULL;
	r = ledger_db_prepare(l, sql, &st);
	if (r)
		return r;
	if (!unknown)
		sqlite3_bind_int64(st, 1, upto);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		day = sqlite3_column_int64(st, 0);
	else
		r = ledger_db_fail(l, rc, "find pruned day");
	sqlite3_finalize(st);
	if (r)
		return r;
	return ledger_db_meta_set_int(l, "pruned_day", day > known ? day : known);
}

/* The prune's changes, inside its transaction. */
static int prune_apply(struct ledger *l, uint64_t checkpoint_seq, const struct wf_record *cp,
                       int *removed)
{
	int64_t upto = (int64_t)cp->checkpoint.upto_seq;
	int r = note_pruned_day(l, upto);
	if (r == WF_OK)
		r = ledger_db_with_int(l, "DELETE FROM receipts WHERE seq <= ?1", upto,
		                       "prune receipts", NULL);
	if (r == WF_OK)
		r = ledger_db_with_int(l, "DELETE FROM records WHERE seq <= ?1", upto,
		                       "prune records", removed);
	/* Daily counters of days older than every drop still held: only today's
	 * count matters for the limit, so the table does not grow for ever. */
	if (r == WF_OK)
		r = ledger_db_with_int(
		    l,
		    "DELETE FROM counters WHERE local_day < (SELECT min(local_day)"
		    " FROM records WHERE kind = 1 AND seq > ?1)",
		    upto, "prune daily counters", NULL);
	if (r == WF_OK)
		r = ledger_db_meta_set_int(l, "pruned_upto", upto);
	if (r == WF_OK)
		r = ledger_db_meta_set_blob(l, "pruned_hash", cp->checkpoint.hash, WF_HASH_BYTES);
	sqlite3_stmt *st = NULL;
	if (r == WF_OK)
		r = ledger_db_prepare(
		    l,
		    "INSERT OR REPLACE INTO prune_points(checkpoint_seq, upto_seq, hash, acked)"
		    " VALUES(?1, ?2, ?3, 1)",
		    &st);
	if (r)
		return r;
	sqlite3_bind_int64(st, 1, (int64_t)checkpoint_seq);
	sqlite3_bind_int64(st, 2, upto);
	sqlite3_bind_blob(st, 3, cp->checkpoint.hash, WF_HASH_BYTES, SQLITE_STATIC);
	return ledger_db_done_finalize(l, st, "note prune point");
}

int ledger_prune(struct ledger *l, uint64_t checkpoint_seq)
{
	assert(l);
	struct wf_record cp;
	int removed = 0;
	int r = ledger_db_begin(l);
	if (r)
		return r;
	r = prune_load(l, checkpoint_seq, &cp);
	if (r == WF_OK)
		r = prune_check(l, cp.checkpoint.upto_seq, cp.checkpoint.hash);
	if (r == WF_OK)
		r = prune_apply(l, checkpoint_seq, &cp, &removed);
	if (r == WF_OK)
		r = ledger_db_commit(l);
	if (r) {
		ledger_db_rollback(l);
		return r;
	}
	return removed;
}

int ledger_last_checkpoint(struct ledger *l, uint64_t *seq, uint64_t *upto, bool *acked)
{
	assert(l && seq && upto && acked);
	sqlite3_stmt *st = NULL;
	*seq = *upto = 0;
	*acked = false;
	int r = ledger_db_prepare(l,
	                          "SELECT seq, bytes, acked FROM records WHERE kind = ?1"
	                          " ORDER BY seq DESC LIMIT 1",
	                          &st);
	if (r)
		return r;
	sqlite3_bind_int(st, 1, WF_RECORD_CHECKPOINT);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		struct wf_record cp;
		const void *b = sqlite3_column_blob(st, 1);
		if (!b || wf_record_decode(b, (size_t)sqlite3_column_bytes(st, 1), &cp, NULL, 0) ||
		    cp.kind != WF_RECORD_CHECKPOINT) {
			ledger_db_say(l, "checkpoint record %lld does not decode",
			              (long long)sqlite3_column_int64(st, 0));
			r = WF_ECORRUPT;
		} else {
			*seq = (uint64_t)sqlite3_column_int64(st, 0);
			*upto = cp.checkpoint.upto_seq;
			*acked = sqlite3_column_int(st, 2) != 0;
		}
	} else if (rc != SQLITE_DONE) {
		r = ledger_db_fail(l, rc, "find checkpoint");
	}
	sqlite3_finalize(st);
	return r;
}

/* The newest checkpoint (ledger_last_checkpoint) and how far the journal is pruned. */
static int prune_state(struct ledger *l, uint64_t *cp_seq, uint64_t *cp_upto, bool *cp_acked,
                       int64_t *pruned)
{
	int r = ledger_last_checkpoint(l, cp_seq, cp_upto, cp_acked);
	return r ? r : ledger_db_meta_int(l, "pruned_upto", pruned);
}

/* A: the highest seq at or below which every record is acknowledged as stored. */
static int acked_prefix(struct ledger *l, int64_t *a)
{
	return ledger_db_int(l,
	                     "SELECT coalesce(min((SELECT min(seq) FROM outbox),"
	                     " (SELECT min(seq) FROM records WHERE acked = 2)) - 1,"
	                     " (SELECT min(seq) - 1 FROM outbox),"
	                     " (SELECT min(seq) - 1 FROM records WHERE acked = 2),"
	                     " (SELECT max(seq) FROM records), 0)",
	                     "find acknowledged prefix", a);
}

int ledger_checkpoint_due(struct ledger *l, uint64_t keep, uint64_t every, uint64_t *upto,
                          uint8_t hash[WF_HASH_BYTES])
{
	assert(l && upto && hash && every >= 1);
	*upto = 0;
	uint64_t cp_seq, cp_upto;
	bool cp_acked;
	int64_t pruned = 0, a = 0;
	int r = prune_state(l, &cp_seq, &cp_upto, &cp_acked, &pruned);
	if (r)
		return r;
	if (cp_seq && (!cp_acked || cp_upto > (uint64_t)pruned))
		return 0; /* one is on its way or waits to be applied */
	r = acked_prefix(l, &a);
	if (r || a <= 0 || (uint64_t)a <= keep)
		return r;
	sqlite3_stmt *st = NULL;
	r = ledger_db_prepare(
	    l, "SELECT seq, hash FROM records WHERE seq <= ?1 ORDER BY seq DESC LIMIT 1", &st);
	if (r)
		return r;
	sqlite3_bind_int64(st, 1, a - (int64_t)keep);
	int rc = sqlite3_step(st);
	int due = 0;
	if (rc == SQLITE_ROW && sqlite3_column_bytes(st, 1) == WF_HASH_BYTES) {
		uint64_t at = (uint64_t)sqlite3_column_int64(st, 0);
		if (at > (uint64_t)pruned && at - (uint64_t)pruned >= every) {
			*upto = at;
			memcpy(hash, sqlite3_column_blob(st, 1), WF_HASH_BYTES);
			due = 1;
		}
	} else if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		r = ledger_db_fail(l, rc, "find checkpoint target");
	}
	sqlite3_finalize(st);
	return r ? r : due;
}

int ledger_prune_acked(struct ledger *l)
{
	assert(l);
	uint64_t cp_seq, cp_upto;
	bool cp_acked;
	int64_t pruned = 0;
	int r = prune_state(l, &cp_seq, &cp_upto, &cp_acked, &pruned);
	if (r)
		return r;
	if (!cp_seq || !cp_acked || cp_upto <= (uint64_t)pruned)
		return 0;
	return ledger_prune(l, cp_seq);
}
