/*
 * ledger_catalog.c — the down-synced catalogue in the journal: categories,
 * residents, staff, the blocklist, the card key and the down-sync cursor,
 * changed only inside one write transaction (ledger_sync_begin ..
 * ledger_sync_commit / ledger_sync_abort). The sync client and the fixture
 * loader fill it through downsync_apply; nothing here is a record.
 */
#include "ledger_private.h"

#include <assert.h>
#include <inttypes.h>
#include <string.h>

static int sync_state(struct ledger *l)
{
	if (!l->in_sync) {
		ledger_db_say(l, "no down-sync transaction open");
		return WF_ESTATE;
	}
	return WF_OK;
}

int ledger_sync_begin(struct ledger *l, bool full)
{
	assert(l);
	if (l->in_sync) {
		ledger_db_say(l, "a down-sync transaction is already open");
		return WF_ESTATE;
	}
	int r = ledger_db_begin(l);
	if (r)
		return r;
	if (full)
		r = ledger_db_exec(
		    l,
		    "DELETE FROM categories; DELETE FROM residents; DELETE FROM blocklist;"
		    "CREATE TEMP TABLE IF NOT EXISTS sync_staff_seen(id INTEGER PRIMARY KEY);"
		    "DELETE FROM temp.sync_staff_seen;",
		    "clear for a full down-sync");
	if (r) {
		ledger_db_rollback(l);
		return r;
	}
	l->in_sync = true;
	l->sync_full = full;
	return WF_OK;
}

int ledger_sync_put_category(struct ledger *l, const struct wf_category *c)
{
	assert(l && c);
	char why[96];
	int r = sync_state(l);
	if (r)
		return r;
	if (!wf_category_check(c, why, sizeof why)) {
		ledger_db_say(l, "category %u: %s", c->id, why);
		return WF_EINVAL;
	}
	sqlite3_stmt *st = NULL;
	r = ledger_db_prepare(
	    l,
	    "INSERT OR REPLACE INTO categories(id, code, name, unit, rate_version,"
	    " rate, min_qty, max_qty, daily_limit_qty, anon_daily_cap)"
	    " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10)",
	    &st);
	if (r)
		return r;
	sqlite3_bind_int(st, 1, c->id);
	sqlite3_bind_text(st, 2, c->code, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, c->name, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 4, (int)c->unit);
	sqlite3_bind_int64(st, 5, c->rate_version);
	sqlite3_bind_int64(st, 6, c->rate);
	sqlite3_bind_int64(st, 7, c->min_qty);
	sqlite3_bind_int64(st, 8, c->max_qty);
	sqlite3_bind_int64(st, 9, c->daily_limit_qty);
	if (c->has_anon_cap) /* else NULL: no anonymous cap */
		sqlite3_bind_int64(st, 10, c->anon_cap_qty);
	return ledger_db_done_finalize(l, st, "store category");
}

static bool text_fits(const char *s, size_t cap)
{
	return memchr(s, '\0', cap) != NULL;
}

int ledger_sync_put_resident(struct ledger *l, const struct ledger_resident *p)
{
	assert(l && p);
	int r = sync_state(l);
	if (r)
		return r;
	if (p->id == 0 || p->id > INT64_MAX || !text_fits(p->name, sizeof p->name) ||
	    !text_fits(p->block_reason, sizeof p->block_reason)) {
		ledger_db_say(l, "resident %" PRIu64 ": bad id or text", p->id);
		return WF_EINVAL;
	}
	sqlite3_stmt *st = NULL;
	r = ledger_db_prepare(l,
	                      "INSERT OR REPLACE INTO residents(id, card_hash, name, status,"
	                      " block_reason, balance) VALUES(?1,?2,?3,?4,?5,?6)",
	                      &st);
	if (r)
		return r;
	sqlite3_bind_int64(st, 1, (int64_t)p->id);
	sqlite3_bind_blob(st, 2, p->card_hash, WF_HASH_BYTES, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, p->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, p->blocked ? "blocked" : "active", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, p->block_reason, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, p->balance);
	return ledger_db_done_finalize(l, st, "store resident");
}

int ledger_sync_put_staff(struct ledger *l, const struct ledger_staff *s)
{
	assert(l && s);
	int r = sync_state(l);
	if (r)
		return r;
	if (s->id == 0 || s->id > INT64_MAX || !text_fits(s->name, sizeof s->name) ||
	    !text_fits(s->pin_hash, sizeof s->pin_hash)) {
		ledger_db_say(l, "staff %" PRIu64 ": bad id or text", s->id);
		return WF_EINVAL;
	}
	sqlite3_stmt *st = NULL;
	/* Upsert, not replace: the lock-out counter of a staff member stays. */
	r = ledger_db_prepare(
	    l,
	    "INSERT INTO staff(id, card_hash, name, role, pin_hash) VALUES(?1,?2,?3,?4,?5)"
	    " ON CONFLICT(id) DO UPDATE SET card_hash = excluded.card_hash,"
	    " name = excluded.name, role = excluded.role, pin_hash = excluded.pin_hash,"
	    " pin_failures = CASE WHEN pin_hash = excluded.pin_hash THEN pin_failures"
	    " ELSE 0 END",
	    &st);
	if (r)
		return r;
	sqlite3_bind_int64(st, 1, (int64_t)s->id);
	sqlite3_bind_blob(st, 2, s->card_hash, WF_HASH_BYTES, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, s->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, s->admin ? "admin" : "staff", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, s->pin_hash, -1, SQLITE_STATIC);
	r = ledger_db_done_finalize(l, st, "store staff");
	if (r == WF_OK && l->sync_full)
		r = ledger_db_with_int(l,
		                       "INSERT OR IGNORE INTO temp.sync_staff_seen(id) VALUES(?1)",
		                       (int64_t)s->id, "note staff", NULL);
	return r;
}

int ledger_sync_put_block(struct ledger *l, const uint8_t card_hash[WF_HASH_BYTES],
                          const char *reason)
{
	assert(l && card_hash && reason);
	int r = sync_state(l);
	if (r)
		return r;
	if (strlen(reason) >= LEDGER_REASON_MAX) {
		ledger_db_say(l, "block reason longer than %d bytes", LEDGER_REASON_MAX - 1);
		return WF_EINVAL;
	}
	sqlite3_stmt *st = NULL;
	r = ledger_db_prepare(
	    l, "INSERT OR REPLACE INTO blocklist(card_hash, reason) VALUES(?1,?2)", &st);
	if (r)
		return r;
	sqlite3_bind_blob(st, 1, card_hash, WF_HASH_BYTES, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, reason, -1, SQLITE_STATIC);
	return ledger_db_done_finalize(l, st, "store blocklist entry");
}

static int sync_delete(struct ledger *l, const char *sql, int64_t id, const uint8_t *hash)
{
	int r = sync_state(l);
	if (r)
		return r;
	sqlite3_stmt *st = NULL;
	r = ledger_db_prepare(l, sql, &st);
	if (r)
		return r;
	if (hash)
		sqlite3_bind_blob(st, 1, hash, WF_HASH_BYTES, SQLITE_STATIC);
	else
		sqlite3_bind_int64(st, 1, id);
	return ledger_db_done_finalize(l, st, "delete");
}

int ledger_sync_delete_category(struct ledger *l, uint16_t id)
{
	assert(l);
	return sync_delete(l, "DELETE FROM categories WHERE id = ?1", id, NULL);
}

int ledger_sync_delete_resident(struct ledger *l, uint64_t id)
{
	assert(l);
	return sync_delete(l, "DELETE FROM residents WHERE id = ?1", (int64_t)id, NULL);
}

int ledger_sync_delete_staff(struct ledger *l, uint64_t id)
{
	assert(l);
	return sync_delete(l, "DELETE FROM staff WHERE id = ?1", (int64_t)id, NULL);
}

int ledger_sync_delete_block(struct ledger *l, const uint8_t card_hash[WF_HASH_BYTES])
{
	assert(l && card_hash);
	return sync_delete(l, "DELETE FROM blocklist WHERE card_hash = ?1", 0, card_hash);
}

int ledger_sync_set_card_key(struct ledger *l, uint32_t version, const uint8_t key[32])
{
	assert(l && key);
	int r = sync_state(l);
	if (r)
		return r;
	sqlite3_stmt *st = NULL;
	r = ledger_db_prepare(
	    l, "INSERT OR REPLACE INTO card_key(one, version, key) VALUES(1, ?1, ?2)", &st);
	if (r)
		return r;
	sqlite3_bind_int64(st, 1, version);
	sqlite3_bind_blob(st, 2, key, 32, SQLITE_STATIC);
	return ledger_db_done_finalize(l, st, "store card key");
}

int ledger_sync_commit(struct ledger *l, const char *cursor)
{
	assert(l && cursor);
	int r = sync_state(l);
	if (r)
		return r;
	if (strlen(cursor) >= LEDGER_CURSOR_MAX) {
		ledger_db_say(l, "cursor longer than %d bytes", LEDGER_CURSOR_MAX - 1);
		return WF_EINVAL;
	}
	if (l->sync_full)
		r = ledger_db_exec(
		    l, "DELETE FROM staff WHERE id NOT IN (SELECT id FROM temp.sync_staff_seen)",
		    "drop staff not in the snapshot");
	if (r == WF_OK)
		r = ledger_db_meta_set_text(l, "cursor", cursor);
	if (r == WF_OK)
		r = ledger_db_commit(l);
	if (r) {
		ledger_sync_abort(l);
		return r;
	}
	l->in_sync = false;
	return WF_OK;
}

void ledger_sync_abort(struct ledger *l)
{
	assert(l);
	ledger_db_rollback(l);
	l->in_sync = false;
}
