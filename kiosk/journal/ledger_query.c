/*
 * ledger_query.c — what a visit and staff read from the journal: a card's
 * identity, today's quantities, the categories, receipts for reprint, the
 * card key and cursor, the journal's status, and every record in order
 * (ledger_each). Reads only, except the staff PIN lock-out counter.
 */
#include "ledger_private.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* Runs sql (the card hash as ?1) for one row: 1 with *st on it (the caller
 * finalizes), 0 for none, or a wf_err naming what failed. */
static int card_row(struct ledger *l, const char *sql, const uint8_t card_hash[WF_HASH_BYTES],
                    const char *what, sqlite3_stmt **st)
{
	int r = ledger_db_prepare(l, sql, st);
	if (r)
		return r;
	sqlite3_bind_blob(*st, 1, card_hash, WF_HASH_BYTES, SQLITE_STATIC);
	int rc = sqlite3_step(*st);
	if (rc == SQLITE_ROW)
		return 1;
	r = rc == SQLITE_DONE ? 0 : ledger_db_fail(l, rc, what);
	sqlite3_finalize(*st);
	*st = NULL;
	return r;
}

/* Blocklist first: a card reported lost is refused whoever holds it. */
static int lookup_block(struct ledger *l, const uint8_t card_hash[WF_HASH_BYTES],
                        struct ledger_card *out)
{
	sqlite3_stmt *st = NULL;
	int r = card_row(l, "SELECT reason FROM blocklist WHERE card_hash = ?1", card_hash,
	                 "look up blocklist", &st);
	if (r <= 0)
		return r;
	out->kind = LEDGER_CARD_BLOCKED;
	ledger_db_text(st, 0, out->reason, sizeof out->reason);
	sqlite3_finalize(st);
	return WF_OK;
}

static int lookup_staff(struct ledger *l, const uint8_t card_hash[WF_HASH_BYTES],
                        struct ledger_card *out)
{
	sqlite3_stmt *st = NULL;
	int r = card_row(l,
	                 "SELECT id, name, role, pin_hash, pin_failures FROM staff"
	                 " WHERE card_hash = ?1 ORDER BY id LIMIT 1",
	                 card_hash, "look up staff", &st);
	if (r <= 0)
		return r;
	out->kind = LEDGER_CARD_STAFF;
	out->id = (uint64_t)sqlite3_column_int64(st, 0);
	ledger_db_text(st, 1, out->name, sizeof out->name);
	const unsigned char *role = sqlite3_column_text(st, 2);
	out->admin = role && strcmp((const char *)role, "admin") == 0;
	ledger_db_text(st, 3, out->pin_hash, sizeof out->pin_hash);
	out->pin_failures = (uint32_t)sqlite3_column_int64(st, 4);
	sqlite3_finalize(st);
	return WF_OK;
}

/* A resident's id, name and balance; the kind only if nothing decided it. */
static int lookup_resident(struct ledger *l, const uint8_t card_hash[WF_HASH_BYTES],
                           struct ledger_card *out)
{
	sqlite3_stmt *st = NULL;
	int r = card_row(l,
	                 "SELECT id, name, status, block_reason, balance FROM residents"
	                 " WHERE card_hash = ?1 ORDER BY id LIMIT 1",
	                 card_hash, "look up resident", &st);
	if (r <= 0)
		return r;
	out->id = (uint64_t)sqlite3_column_int64(st, 0);
	ledger_db_text(st, 1, out->name, sizeof out->name);
	out->balance = sqlite3_column_int64(st, 4);
	const unsigned char *status = sqlite3_column_text(st, 2);
	if (out->kind == LEDGER_CARD_UNKNOWN) {
		bool blocked = status && strcmp((const char *)status, "blocked") == 0;
		out->kind = blocked ? LEDGER_CARD_BLOCKED : LEDGER_CARD_RESIDENT;
		if (blocked)
			ledger_db_text(st, 3, out->reason, sizeof out->reason);
	}
	sqlite3_finalize(st);
	return WF_OK;
}

int ledger_card_lookup(struct ledger *l, const uint8_t card_hash[WF_HASH_BYTES],
                       struct ledger_card *out)
{
	assert(l && card_hash && out);
	memset(out, 0, sizeof *out);
	out->kind = LEDGER_CARD_UNKNOWN;
	int r = lookup_block(l, card_hash, out);
	if (r == WF_OK && out->kind == LEDGER_CARD_UNKNOWN) {
		r = lookup_staff(l, card_hash, out);
		if (r || out->kind == LEDGER_CARD_STAFF)
			return r;
	}
	return r ? r : lookup_resident(l, card_hash, out);
}

int ledger_today(struct ledger *l, const uint8_t card_hash[WF_HASH_BYTES], uint32_t local_day,
                 struct ledger_today *out, unsigned cap)
{
	assert(l && card_hash && (out || cap == 0));
	sqlite3_stmt *st = NULL;
	int r = ledger_db_stmt(l, LEDGER_ST_TODAY, &st);
	if (r)
		return r;
	sqlite3_bind_blob(st, 1, card_hash, WF_HASH_BYTES, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, local_day);
	unsigned n = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < cap) {
		out[n].category_id = (uint16_t)sqlite3_column_int(st, 0);
		out[n].qty = sqlite3_column_int64(st, 1);
		n++;
	}
	r = (rc == SQLITE_ROW || rc == SQLITE_DONE) ? (int)n
	                                            : ledger_db_fail(l, rc, "read counters");
	sqlite3_reset(st);
	return r;
}

int ledger_categories(struct ledger *l, struct wf_category *out, unsigned cap)
{
	assert(l && (out || cap == 0));
	sqlite3_stmt *st = NULL;
	int r = ledger_db_prepare(l,
	                          "SELECT id, code, name, unit, rate_version, rate, min_qty,"
	                          " max_qty, daily_limit_qty, anon_daily_cap FROM categories"
	                          " ORDER BY id",
	                          &st);
	if (r)
		return r;
	unsigned n = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < cap) {
		struct wf_category *c = &out[n++];
		memset(c, 0, sizeof *c);
		c->id = (uint16_t)sqlite3_column_int(st, 0);
		ledger_db_text(st, 1, c->code, sizeof c->code);
		ledger_db_text(st, 2, c->name, sizeof c->name);
		c->unit = sqlite3_column_int(st, 3) == WF_UNIT_PIECE ? WF_UNIT_PIECE : WF_UNIT_GRAM;
		c->rate_version = (uint32_t)sqlite3_column_int64(st, 4);
		c->rate = sqlite3_column_int64(st, 5);
		c->min_qty = sqlite3_column_int64(st, 6);
		c->max_qty = sqlite3_column_int64(st, 7);
		c->daily_limit_qty = sqlite3_column_int64(st, 8);
		c->has_anon_cap = sqlite3_column_type(st, 9) != SQLITE_NULL;
		c->anon_cap_qty = c->has_anon_cap ? sqlite3_column_int64(st, 9) : 0;
	}
	r = (rc == SQLITE_ROW || rc == SQLITE_DONE) ? (int)n
	                                            : ledger_db_fail(l, rc, "read categories");
	sqlite3_finalize(st);
	return r;
}

static int receipt_query(struct ledger *l, const char *sql, uint64_t seq,
                         struct ledger_receipt *out)
{
	memset(out, 0, sizeof *out);
	sqlite3_stmt *st = NULL;
	int r = ledger_db_prepare(l, sql, &st);
	if (r)
		return r;
	if (seq)
		sqlite3_bind_int64(st, 1, (int64_t)seq);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		char why[96];
		const void *b = sqlite3_column_blob(st, 0);
		int n = sqlite3_column_bytes(st, 0);
		ledger_db_text(st, 1, out->token, sizeof out->token);
		if (!b || wf_record_decode(b, (size_t)n, &out->rec, why, sizeof why) != WF_OK) {
			ledger_db_say(l, "stored record does not decode");
			r = WF_ECORRUPT;
		}
	} else if (rc == SQLITE_DONE) {
		ledger_db_say(l, "no receipt recorded");
		r = WF_ENOENT;
	} else {
		r = ledger_db_fail(l, rc, "read receipt");
	}
	sqlite3_finalize(st);
	if (r)
		memset(out, 0, sizeof *out);
	return r;
}

int ledger_last_receipt(struct ledger *l, struct ledger_receipt *out)
{
	assert(l && out);
	return receipt_query(l,
	                     "SELECT r.bytes, p.token FROM receipts p JOIN records r USING(seq)"
	                     " WHERE p.token != '' ORDER BY p.seq DESC LIMIT 1",
	                     0, out);
}

int ledger_receipt_get(struct ledger *l, uint64_t seq, struct ledger_receipt *out)
{
	assert(l && out);
	if (seq == 0 || seq > INT64_MAX)
		return WF_ENOENT;
	return receipt_query(l,
	                     "SELECT r.bytes, p.token FROM receipts p JOIN records r USING(seq)"
	                     " WHERE p.seq = ?1",
	                     seq, out);
}

int ledger_staff_set_pin_failures(struct ledger *l, uint64_t staff_id, uint32_t failures)
{
	assert(l);
	sqlite3_stmt *st = NULL;
	int r = ledger_db_prepare(l, "UPDATE staff SET pin_failures = ?2 WHERE id = ?1", &st);
	if (r)
		return r;
	sqlite3_bind_int64(st, 1, (int64_t)staff_id);
	sqlite3_bind_int64(st, 2, failures);
	r = ledger_db_begin(l);
	int changes = 0;
	if (r == WF_OK)
		r = ledger_db_done(l, st, "update PIN failures");
	changes = sqlite3_changes(l->db);
	sqlite3_finalize(st);
	if (r == WF_OK)
		r = ledger_db_commit(l);
	else
		ledger_db_rollback(l);
	if (r == WF_OK && changes == 0) {
		ledger_db_say(l, "no staff member %" PRIu64, staff_id);
		r = WF_ENOENT;
	}
	return r;
}

int ledger_card_key(struct ledger *l, uint32_t *version, uint8_t key[32])
{
	assert(l && version && key);
	sqlite3_stmt *st = NULL;
	int r = ledger_db_prepare(l, "SELECT version, key FROM card_key WHERE one = 1", &st);
	if (r)
		return r;
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_bytes(st, 1) == 32) {
		*version = (uint32_t)sqlite3_column_int64(st, 0);
		memcpy(key, sqlite3_column_blob(st, 1), 32);
	} else if (rc == SQLITE_ROW || rc == SQLITE_DONE) {
		ledger_db_say(l, "no card key yet (down-sync first)");
		r = WF_ENOENT;
	} else {
		r = ledger_db_fail(l, rc, "read card key");
	}
	sqlite3_finalize(st);
	return r;
}

int ledger_sync_cursor(struct ledger *l, char *buf, size_t cap)
{
	assert(l && buf && cap);
	buf[0] = '\0';
	sqlite3_stmt *st = NULL;
	int r = ledger_db_prepare(l, "SELECT value FROM meta WHERE key = 'cursor'", &st);
	if (r)
		return r;
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		ledger_db_text(st, 0, buf, cap);
	else if (rc != SQLITE_DONE)
		r = ledger_db_fail(l, rc, "read cursor");
	sqlite3_finalize(st);
	return r;
}

int ledger_status(struct ledger *l, struct ledger_status *out)
{
	assert(l && out);
	memset(out, 0, sizeof *out);
	out->kiosk = l->kiosk;
	uint8_t hash[WF_HASH_BYTES];
	int r = ledger_last(l, &out->last_seq, NULL);
	if (!r)
		r = ledger_outbox_depth(l, &out->outbox);
	if (!r)
		r = ledger_conflict_count(l, &out->conflicts);
	if (!r)
		r = ledger_db_meta_int(l, "pruned_upto", &out->pruned_upto);
	if (!r && !ledger_mark_read(l, &out->mark_seq, hash))
		out->mark_seq = 0;
	return r;
}

int ledger_each(struct ledger *l, int (*fn)(void *ctx, const struct ledger_entry *e), void *ctx)
{
	assert(l && fn);
	sqlite3_stmt *st = NULL;
	int r = ledger_db_prepare(l,
	                          "SELECT r.seq, r.bytes, r.hash, p.token, r.acked FROM records r"
	                          " LEFT JOIN receipts p USING(seq) ORDER BY r.seq",
	                          &st);
	if (r)
		return r;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct ledger_entry e = {0};
		e.seq = (uint64_t)sqlite3_column_int64(st, 0);
		e.bytes = sqlite3_column_blob(st, 1);
		e.len = (size_t)sqlite3_column_bytes(st, 1);
		if (sqlite3_column_bytes(st, 2) == WF_HASH_BYTES)
			memcpy(e.hash, sqlite3_column_blob(st, 2), WF_HASH_BYTES);
		e.token = (const char *)sqlite3_column_text(st, 3);
		e.acked = sqlite3_column_int(st, 4) != LEDGER_ACK_NONE;
		e.conflict = sqlite3_column_int(st, 4) == LEDGER_ACK_CONFLICT;
		r = fn(ctx, &e);
		if (r)
			break;
	}
	if (r == WF_OK && rc != SQLITE_DONE)
		r = ledger_db_fail(l, rc, "read records");
	sqlite3_finalize(st);
	return r;
}

int ledger_unsynced_points(struct ledger *l, uint64_t resident_id, int64_t *points)
{
	assert(l && points);
	*points = 0;
	sqlite3_stmt *st = NULL;
	int r = ledger_db_prepare(l,
	                          "SELECT COALESCE(SUM(r.points), 0) FROM outbox o"
	                          " JOIN records r ON r.seq = o.seq"
	                          " WHERE r.kind = ?1 AND r.resident_id = ?2",
	                          &st);
	if (r)
		return r;
	sqlite3_bind_int(st, 1, WF_RECORD_DROP);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)resident_id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*points = sqlite3_column_int64(st, 0);
	else
		r = ledger_db_fail(l, rc, "read unsynced points");
	sqlite3_finalize(st);
	return r;
}
