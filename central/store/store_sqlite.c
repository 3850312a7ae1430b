/*
 * store_sqlite.c — the SQLite backend of store.h (the embedded default).
 * WAL, synchronous=FULL, schema versioned with PRAGMA user_version. Every
 * statement is prepared with bound parameters; hot ones are kept prepared.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "store.h"
#include "wf.h"

struct store_sqlite {
	struct store base; /* first: the generic handle */
	sqlite3 *db;
	sqlite3_stmt *ins_record;
	sqlite3_stmt *get_record;
	sqlite3_stmt *get_rate;
};

#define SQ(s) ((struct store_sqlite *)(s))

static const char *const migrations[] = {
    /* 1 */
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value) WITHOUT ROWID;"
    "CREATE TABLE kiosks(number INTEGER PRIMARY KEY, name TEXT NOT NULL, created_s INTEGER NOT "
    "NULL);"
    "CREATE TABLE kiosk_keys(kiosk INTEGER NOT NULL REFERENCES kiosks(number), key_id INTEGER "
    "NOT NULL, public_key BLOB NOT NULL, added_s INTEGER NOT NULL, revoked_s INTEGER, "
    "revoked_after_seq INTEGER, PRIMARY KEY(kiosk, key_id)) WITHOUT ROWID;"
    "CREATE TABLE records(kiosk INTEGER NOT NULL, seq INTEGER NOT NULL, kind INTEGER NOT NULL, "
    "bytes BLOB NOT NULL, hash BLOB NOT NULL, received_s INTEGER NOT NULL, resident INTEGER, "
    "points INTEGER NOT NULL, flags INTEGER NOT NULL, PRIMARY KEY(kiosk, seq)) WITHOUT ROWID;"
    "CREATE INDEX records_resident ON records(resident) WHERE resident IS NOT NULL;"
    "CREATE INDEX records_received ON records(received_s);"
    "CREATE TABLE tamper_alerts(id INTEGER PRIMARY KEY, kiosk INTEGER NOT NULL, seq INTEGER NOT "
    "NULL, reason TEXT NOT NULL, bytes BLOB, detail TEXT NOT NULL, received_s INTEGER NOT NULL);"
    "CREATE INDEX tamper_alerts_kiosk ON tamper_alerts(kiosk, seq);"
    "CREATE TABLE epochs(kiosk INTEGER NOT NULL, epoch INTEGER NOT NULL, start_seq INTEGER NOT "
    "NULL, reason TEXT NOT NULL, local_last_seq INTEGER NOT NULL, opened_s INTEGER NOT NULL, "
    "PRIMARY KEY(kiosk, epoch)) WITHOUT ROWID;"
    "CREATE TABLE heartbeats(kiosk INTEGER PRIMARY KEY, received_s INTEGER NOT NULL, last_seq "
    "INTEGER NOT NULL, outbox_depth INTEGER NOT NULL, software_version TEXT NOT NULL, devices "
    "TEXT NOT NULL);"
    "CREATE TABLE categories(id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE, name TEXT NOT "
    "NULL, unit INTEGER NOT NULL, rate_version INTEGER NOT NULL, rate INTEGER NOT NULL, min_qty "
    "INTEGER NOT NULL, max_qty INTEGER NOT NULL, daily_limit INTEGER NOT NULL, rev INTEGER NOT "
    "NULL);"
    "CREATE TABLE rates(category INTEGER NOT NULL, version INTEGER NOT NULL, unit INTEGER NOT "
    "NULL, rate INTEGER NOT NULL, created_s INTEGER NOT NULL, PRIMARY KEY(category, version)) "
    "WITHOUT ROWID;"
    "CREATE TABLE residents(id INTEGER PRIMARY KEY, card_hash TEXT NOT NULL UNIQUE, name TEXT "
    "NOT NULL, status TEXT NOT NULL, block_reason TEXT NOT NULL, points_base INTEGER NOT NULL, "
    "rev INTEGER NOT NULL);"
    "CREATE TABLE staff(id INTEGER PRIMARY KEY, card_hash TEXT NOT NULL UNIQUE, name TEXT NOT "
    "NULL, role TEXT NOT NULL, pin_hash TEXT NOT NULL, rev INTEGER NOT NULL);"
    "CREATE TABLE blocklist(card_hash TEXT PRIMARY KEY, reason TEXT NOT NULL, rev INTEGER NOT "
    "NULL) WITHOUT ROWID;"
    "CREATE TABLE tombstones(rev INTEGER PRIMARY KEY, tbl TEXT NOT NULL, key TEXT NOT NULL);"
    "CREATE TABLE claims(kiosk INTEGER NOT NULL, seq INTEGER NOT NULL, claimed_s INTEGER NOT "
    "NULL, PRIMARY KEY(kiosk, seq)) WITHOUT ROWID;"
    "INSERT INTO meta(key, value) VALUES('rev', 0);",
};

static int sq_fail(struct store *s, int rc)
{
	store_set_err(s, "sqlite: %s", sqlite3_errmsg(SQ(s)->db));
	if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
		return WF_EBUSY;
	if (rc == SQLITE_FULL)
		return WF_EFULL;
	if (rc == SQLITE_CORRUPT || rc == SQLITE_NOTADB)
		return WF_ECORRUPT;
	if (rc == SQLITE_READONLY)
		return WF_EROFS;
	if (rc == SQLITE_CONSTRAINT)
		return WF_EEXIST;
	return WF_EIO;
}

static int sq_exec(struct store *s, const char *sql)
{
	int rc = sqlite3_exec(SQ(s)->db, sql, NULL, NULL, NULL);
	return rc == SQLITE_OK ? WF_OK : sq_fail(s, rc);
}

static int sq_prepare(struct store *s, const char *sql, sqlite3_stmt **st)
{
	int rc = sqlite3_prepare_v2(SQ(s)->db, sql, -1, st, NULL);
	return rc == SQLITE_OK ? WF_OK : sq_fail(s, rc);
}

/* Steps a statement that returns no row; finalizes it. */
static int sq_done(struct store *s, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);
	int out = rc == SQLITE_DONE ? WF_OK : sq_fail(s, rc);
	sqlite3_finalize(st);
	return out;
}

static void sq_text(sqlite3_stmt *st, int col, char *out, size_t cap)
{
	const unsigned char *t = sqlite3_column_text(st, col);
	snprintf(out, cap, "%s", t ? (const char *)t : "");
}

static int sq_begin(struct store *s)
{
	return sq_exec(s, "BEGIN IMMEDIATE");
}

static int sq_commit(struct store *s)
{
	return sq_exec(s, "COMMIT");
}

static int sq_rollback(struct store *s)
{
	if (sqlite3_get_autocommit(SQ(s)->db))
		return WF_OK;
	return sq_exec(s, "ROLLBACK");
}

/* Next change counter for down-sync; must run inside a transaction. */
static int sq_next_rev(struct store *s, int64_t *rev)
{
	sqlite3_stmt *st = NULL;
	int rc = sq_exec(s, "UPDATE meta SET value = value + 1 WHERE key = 'rev'");
	if (rc)
		return rc;
	rc = sq_prepare(s, "SELECT value FROM meta WHERE key = 'rev'", &st);
	if (rc)
		return rc;
	if (sqlite3_step(st) == SQLITE_ROW) {
		*rev = sqlite3_column_int64(st, 0);
		rc = WF_OK;
	} else
		rc = sq_fail(s, SQLITE_ERROR);
	sqlite3_finalize(st);
	return rc;
}

/* Runs fn inside its own transaction unless one is open. */
static int sq_autotx_begin(struct store *s, int *own)
{
	*own = sqlite3_get_autocommit(SQ(s)->db);
	return *own ? sq_begin(s) : WF_OK;
}

static int sq_autotx_end(struct store *s, int own, int rc)
{
	if (!own)
		return rc;
	if (rc == WF_OK)
		return sq_commit(s);
	sq_rollback(s);
	return rc;
}

static void sq_close(struct store *s)
{
	struct store_sqlite *q = SQ(s);
	sqlite3_finalize(q->ins_record);
	sqlite3_finalize(q->get_record);
	sqlite3_finalize(q->get_rate);
	sqlite3_close(q->db);
	free(q);
}

static int sq_kiosk_add(struct store *s, uint32_t kiosk, const char *name, int64_t now_s)
{
	sqlite3_stmt *st = NULL;
	int rc = sq_prepare(s, "INSERT INTO kiosks(number, name, created_s) VALUES(?,?,?)", &st);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, kiosk);
	sqlite3_bind_text(st, 2, name ? name : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 3, now_s);
	return sq_done(s, st);
}

static int sq_kiosk_exists(struct store *s, uint32_t kiosk)
{
	sqlite3_stmt *st = NULL;
	int rc = sq_prepare(s, "SELECT 1 FROM kiosks WHERE number = ?", &st);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, kiosk);
	rc = sqlite3_step(st);
	int out = rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : sq_fail(s, rc);
	sqlite3_finalize(st);
	return out;
}

static int sq_key_add(struct store *s, uint32_t kiosk, uint32_t key_id, const uint8_t pk[32],
                      int64_t now_s)
{
	sqlite3_stmt *st = NULL;
	int rc = sq_prepare(s,
	                    "INSERT INTO kiosk_keys(kiosk, key_id, public_key, added_s) "
	                    "VALUES(?,?,?,?)",
	                    &st);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, kiosk);
	sqlite3_bind_int64(st, 2, key_id);
	sqlite3_bind_blob(st, 3, pk, 32, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 4, now_s);
	return sq_done(s, st);
}

static int sq_key_get(struct store *s, uint32_t kiosk, uint32_t key_id, struct store_key *out)
{
	sqlite3_stmt *st = NULL;
	int rc = sq_prepare(s,
	                    "SELECT public_key, added_s, revoked_s, revoked_after_seq FROM "
	                    "kiosk_keys WHERE kiosk = ? AND key_id = ?",
	                    &st);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, kiosk);
	sqlite3_bind_int64(st, 2, key_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_bytes(st, 0) == 32) {
		memcpy(out->public_key, sqlite3_column_blob(st, 0), 32);
		out->added_s = sqlite3_column_int64(st, 1);
		out->revoked_s = sqlite3_column_int64(st, 2);
		out->revoked_after_seq = (uint32_t)sqlite3_column_int64(st, 3);
		rc = WF_OK;
	} else if (rc == SQLITE_ROW || rc == SQLITE_DONE) {
		store_set_err(s, "kiosk %u has no key %u", kiosk, key_id);
		rc = WF_ENOENT;
	} else
		rc = sq_fail(s, rc);
	sqlite3_finalize(st);
	return rc;
}

static int sq_key_revoke(struct store *s, uint32_t kiosk, uint32_t key_id, int64_t now_s)
{
	sqlite3_stmt *st = NULL;
	int rc = sq_prepare(s,
	                    "UPDATE kiosk_keys SET revoked_s = ?1, revoked_after_seq = (SELECT "
	                    "COALESCE(MAX(seq), 0) FROM records WHERE kiosk = ?2) WHERE kiosk = ?2 "
	                    "AND key_id = ?3 AND revoked_s IS NULL",
	                    &st);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, now_s);
	sqlite3_bind_int64(st, 2, kiosk);
	sqlite3_bind_int64(st, 3, key_id);
	rc = sq_done(s, st);
	if (rc == WF_OK && sqlite3_changes(SQ(s)->db) != 1) {
		store_set_err(s, "kiosk %u has no unrevoked key %u", kiosk, key_id);
		rc = WF_ENOENT;
	}
	return rc;
}

static int sq_record_insert(struct store *s, const struct store_record *r)
{
	struct store_sqlite *q = SQ(s);
	sqlite3_stmt *st = q->ins_record;
	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, r->kiosk);
	sqlite3_bind_int64(st, 2, r->seq);
	sqlite3_bind_int64(st, 3, r->kind);
	sqlite3_bind_blob(st, 4, r->bytes, (int)r->len, SQLITE_STATIC);
	sqlite3_bind_blob(st, 5, r->hash, 32, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, r->received_s);
	if (r->resident > 0)
		sqlite3_bind_int64(st, 7, r->resident);
	else
		sqlite3_bind_null(st, 7);
	sqlite3_bind_int64(st, 8, r->points);
	sqlite3_bind_int64(st, 9, r->flags);
	int rc = sqlite3_step(st);
	int out = rc == SQLITE_DONE ? (sqlite3_changes(q->db) == 1 ? 1 : 0) : sq_fail(s, rc);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return out;
}

static int sq_record_get(struct store *s, uint32_t kiosk, uint32_t seq, uint8_t *buf, size_t cap,
                         size_t *len, uint8_t hash[32])
{
	sqlite3_stmt *st = SQ(s)->get_record;
	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, kiosk);
	sqlite3_bind_int64(st, 2, seq);
	int rc = sqlite3_step(st);
	int out;
	if (rc == SQLITE_ROW) {
		size_t n = (size_t)sqlite3_column_bytes(st, 0);
		if (n > cap || sqlite3_column_bytes(st, 1) != 32) {
			store_set_err(s, "record %u/%u larger than %zu bytes", kiosk, seq, cap);
			out = WF_ENOMEM;
		} else {
			if (n)
				memcpy(buf, sqlite3_column_blob(st, 0), n);
			*len = n;
			memcpy(hash, sqlite3_column_blob(st, 1), 32);
			out = 1;
		}
	} else if (rc == SQLITE_DONE)
		out = 0;
	else
		out = sq_fail(s, rc);
	sqlite3_reset(st);
	return out;
}

static int sq_record_highest(struct store *s, uint32_t kiosk, uint32_t *seq, uint8_t hash[32])
{
	sqlite3_stmt *st = NULL;
	int rc = sq_prepare(s,
	                    "SELECT seq, hash FROM records WHERE kiosk = ? ORDER BY seq DESC "
	                    "LIMIT 1",
	                    &st);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, kiosk);
	rc = sqlite3_step(st);
	*seq = 0;
	memset(hash, 0, 32);
	if (rc == SQLITE_ROW) {
		*seq = (uint32_t)sqlite3_column_int64(st, 0);
		if (sqlite3_column_bytes(st, 1) == 32)
			memcpy(hash, sqlite3_column_blob(st, 1), 32);
		rc = WF_OK;
	} else if (rc == SQLITE_DONE)
		rc = WF_OK;
	else
		rc = sq_fail(s, rc);
	sqlite3_finalize(st);
	return rc;
}

static int sq_count(struct store *s, const char *sql, int64_t *count)
{
	sqlite3_stmt *st = NULL;
	int rc = sq_prepare(s, sql, &st);
	if (rc)
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*count = sqlite3_column_int64(st, 0);
		rc = WF_OK;
	} else
		rc = sq_fail(s, rc);
	sqlite3_finalize(st);
	return rc;
}

static int sq_record_count(struct store *s, int64_t *count)
{
	return sq_count(s, "SELECT COUNT(*) FROM records", count);
}

static int sq_alert_count(struct store *s, int64_t *count)
{
	return sq_count(s, "SELECT COUNT(*) FROM tamper_alerts", count);
}

static int sq_alert_add(struct store *s, uint32_t kiosk, uint32_t seq, const char *reason,
                        const uint8_t *bytes, size_t len, const char *detail, int64_t now_s)
{
	sqlite3_stmt *st = NULL;
	int rc = sq_prepare(s,
	                    "INSERT INTO tamper_alerts(kiosk, seq, reason, bytes, detail, "
	                    "received_s) VALUES(?,?,?,?,?,?)",
	                    &st);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, kiosk);
	sqlite3_bind_int64(st, 2, seq);
	sqlite3_bind_text(st, 3, reason, -1, SQLITE_TRANSIENT);
	if (bytes)
		sqlite3_bind_blob(st, 4, bytes, (int)len, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, 4);
	sqlite3_bind_text(st, 5, detail ? detail : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 6, now_s);
	return sq_done(s, st);
}

static int sq_alert_list(struct store *s, int (*fn)(void *ctx, const struct store_alert *a),
                         void *ctx)
{
	sqlite3_stmt *st = NULL;
	int rc = sq_prepare(s,
	                    "SELECT id, kiosk, seq, reason, detail, length(bytes), received_s FROM "
	                    "tamper_alerts ORDER BY id",
	                    &st);
	if (rc)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_alert a;
		a.id = sqlite3_column_int64(st, 0);
		a.kiosk = (uint32_t)sqlite3_column_int64(st, 1);
		a.seq = (uint32_t)sqlite3_column_int64(st, 2);
		sq_text(st, 3, a.reason, sizeof a.reason);
		sq_text(st, 4, a.detail, sizeof a.detail);
		a.bytes_len = (size_t)sqlite3_column_int64(st, 5);
		a.received_s = sqlite3_column_int64(st, 6);
		if (fn(ctx, &a)) {
			rc = SQLITE_DONE;
			break;
		}
	}
	int out = rc == SQLITE_DONE ? WF_OK : sq_fail(s, rc);
	sqlite3_finalize(st);
	return out;
}

static int sq_kiosk_list(struct store *s, int (*fn)(void *ctx, const struct store_kiosk_info *k),
                         void *ctx)
{
	sqlite3_stmt *st = NULL;
	int rc = sq_prepare(s,
	                    "SELECT k.number, k.name, (SELECT COALESCE(MAX(seq), 0) FROM records "
	                    "WHERE kiosk = k.number), (SELECT COUNT(*) FROM records WHERE kiosk = "
	                    "k.number), h.received_s, h.last_seq, h.outbox_depth, "
	                    "h.software_version, h.devices FROM kiosks k LEFT JOIN heartbeats h ON "
	                    "h.kiosk = k.number ORDER BY k.number",
	                    &st);
	if (rc)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_kiosk_info k;
		k.kiosk = (uint32_t)sqlite3_column_int64(st, 0);
		sq_text(st, 1, k.name, sizeof k.name);
		k.highest_seq = (uint32_t)sqlite3_column_int64(st, 2);
		k.records = sqlite3_column_int64(st, 3);
		k.heartbeat_s = sqlite3_column_int64(st, 4);
		k.last_seq = (uint32_t)sqlite3_column_int64(st, 5);
		k.outbox_depth = (uint32_t)sqlite3_column_int64(st, 6);
		sq_text(st, 7, k.software_version, sizeof k.software_version);
		sq_text(st, 8, k.devices, sizeof k.devices);
		if (fn(ctx, &k)) {
			rc = SQLITE_DONE;
			break;
		}
	}
	int out = rc == SQLITE_DONE ? WF_OK : sq_fail(s, rc);
	sqlite3_finalize(st);
	return out;
}

static int sq_epoch_open(struct store *s, uint32_t kiosk, uint32_t start_seq, const char *reason,
                         uint32_t local_last_seq, int64_t now_s, uint32_t *epoch)
{
	sqlite3_stmt *st = NULL;
	int rc = sq_prepare(s,
	                    "INSERT INTO epochs(kiosk, epoch, start_seq, reason, local_last_seq, "
	                    "opened_s) SELECT ?1, COALESCE(MAX(epoch), 0) + 1, ?2, ?3, ?4, ?5 FROM "
	                    "epochs WHERE kiosk = ?1 RETURNING epoch",
	                    &st);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, kiosk);
	sqlite3_bind_int64(st, 2, start_seq);
	sqlite3_bind_text(st, 3, reason ? reason : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 4, local_last_seq);
	sqlite3_bind_int64(st, 5, now_s);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*epoch = (uint32_t)sqlite3_column_int64(st, 0);
		rc = sqlite3_step(st);
	}
	int out = rc == SQLITE_DONE ? WF_OK : sq_fail(s, rc);
	sqlite3_finalize(st);
	return out;
}

static int sq_heartbeat_put(struct store *s, uint32_t kiosk, uint32_t last_seq,
                            uint32_t outbox_depth, const char *software_version,
                            const char *devices_json, int64_t now_s)
{
	sqlite3_stmt *st = NULL;
	int rc = sq_prepare(s,
	                    "INSERT OR REPLACE INTO heartbeats(kiosk, received_s, last_seq, "
	                    "outbox_depth, software_version, devices) VALUES(?,?,?,?,?,?)",
	                    &st);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, kiosk);
	sqlite3_bind_int64(st, 2, now_s);
	sqlite3_bind_int64(st, 3, last_seq);
	sqlite3_bind_int64(st, 4, outbox_depth);
	sqlite3_bind_text(st, 5, software_version, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 6, devices_json, -1, SQLITE_TRANSIENT);
	return sq_done(s, st);
}

static int sq_rate_set(struct store *s, struct wf_category *c, int64_t now_s)
{
	sqlite3_stmt *st = NULL;
	int64_t rev = 0;
	int own = 0;
	int rc = sq_autotx_begin(s, &own);
	if (rc)
		return rc;
	rc = sq_next_rev(s, &rev);
	if (rc)
		goto out;
	/* The category row keeps the current rate; rates keeps every version. */
	rc = sq_prepare(s,
	                "INSERT INTO rates(category, version, unit, rate, created_s) SELECT ?1, "
	                "COALESCE(MAX(version), 0) + 1, ?2, ?3, ?4 FROM rates WHERE category = ?1 "
	                "RETURNING version",
	                &st);
	if (rc)
		goto out;
	sqlite3_bind_int64(st, 1, c->id);
	sqlite3_bind_int64(st, 2, c->unit);
	sqlite3_bind_int64(st, 3, c->rate);
	sqlite3_bind_int64(st, 4, now_s);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		rc = sq_fail(s, rc);
		goto out;
	}
	c->rate_version = (uint32_t)sqlite3_column_int64(st, 0);
	sqlite3_step(st);
	sqlite3_finalize(st);
	st = NULL;
	rc = sq_prepare(
	    s,
	    "INSERT OR REPLACE INTO categories(id, code, name, unit, rate_version, rate, "
	    "min_qty, max_qty, daily_limit, rev) VALUES(?,?,?,?,?,?,?,?,?,?)",
	    &st);
	if (rc)
		goto out;
	sqlite3_bind_int64(st, 1, c->id);
	sqlite3_bind_text(st, 2, c->code, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, c->name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 4, c->unit);
	sqlite3_bind_int64(st, 5, c->rate_version);
	sqlite3_bind_int64(st, 6, c->rate);
	sqlite3_bind_int64(st, 7, c->min_qty);
	sqlite3_bind_int64(st, 8, c->max_qty);
	sqlite3_bind_int64(st, 9, c->daily_limit_qty);
	sqlite3_bind_int64(st, 10, rev);
	rc = sq_done(s, st);
	st = NULL;
out:
	sqlite3_finalize(st);
	return sq_autotx_end(s, own, rc);
}

static int sq_rate_get(struct store *s, uint16_t category, uint32_t version, struct store_rate *out)
{
	sqlite3_stmt *st = SQ(s)->get_rate;
	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, category);
	sqlite3_bind_int64(st, 2, version);
	int rc = sqlite3_step(st);
	int res;
	if (rc == SQLITE_ROW) {
		out->category = category;
		out->version = version;
		out->unit = (enum wf_unit)sqlite3_column_int(st, 0);
		out->rate = sqlite3_column_int64(st, 1);
		out->created_s = sqlite3_column_int64(st, 2);
		res = WF_OK;
	} else if (rc == SQLITE_DONE) {
		store_set_err(s, "no rate version %u for category %u", version, category);
		res = WF_ENOENT;
	} else
		res = sq_fail(s, rc);
	sqlite3_reset(st);
	return res;
}

/*
 * One card, one identity (DESIGN "Card identity"): a card enrolled to a
 * resident or a staff member cannot be enrolled to anyone else. self_table
 * and self_id name the row being written (it may keep its own card).
 * Returns WF_OK, WF_EEXIST (the message names the holder) or an error.
 */
static int sq_card_free(struct store *s, const char *card_hash, const char *self_table,
                        int64_t self_id)
{
	static const char *const sql[] = {
	    "SELECT id FROM residents WHERE card_hash = ?1 AND NOT (?2 = 'residents' AND id = ?3)",
	    "SELECT id FROM staff WHERE card_hash = ?1 AND NOT (?2 = 'staff' AND id = ?3)",
	};
	for (int i = 0; i < 2; i++) {
		sqlite3_stmt *st = NULL;
		int rc = sq_prepare(s, sql[i], &st);
		if (rc)
			return rc;
		sqlite3_bind_text(st, 1, card_hash, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 2, self_table, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, self_id);
		rc = sqlite3_step(st);
		int64_t holder = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
		int res = rc == SQLITE_ROW ? WF_EEXIST : rc == SQLITE_DONE ? WF_OK : sq_fail(s, rc);
		sqlite3_finalize(st);
		if (res == WF_EEXIST)
			store_set_err(s,
			              "this card is already enrolled to %s %lld; one card, one "
			              "identity: remove it there first",
			              i == 0 ? "resident" : "staff member", (long long)holder);
		if (res)
			return res;
	}
	return WF_OK;
}

static int sq_resident_put(struct store *s, const struct store_resident *r)
{
	sqlite3_stmt *st = NULL;
	int64_t rev = 0;
	int own = 0;
	int rc = sq_autotx_begin(s, &own);
	if (rc)
		return rc;
	rc = sq_card_free(s, r->card_hash, "residents", r->id);
	if (rc)
		goto out;
	rc = sq_next_rev(s, &rev);
	if (rc)
		goto out;
	rc = sq_prepare(s,
	                "INSERT INTO residents(id, card_hash, name, status, block_reason, "
	                "points_base, rev) VALUES(?1,?2,?3,?4,?5,?6,?7) ON CONFLICT(id) DO UPDATE "
	                "SET card_hash = ?2, name = ?3, status = ?4, block_reason = ?5, rev = ?7",
	                &st);
	if (rc)
		goto out;
	sqlite3_bind_int64(st, 1, r->id);
	sqlite3_bind_text(st, 2, r->card_hash, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, r->name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, r->status, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 5, r->block_reason, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 6, r->points_balance);
	sqlite3_bind_int64(st, 7, rev);
	rc = sq_done(s, st);
out:
	return sq_autotx_end(s, own, rc);
}

static int sq_update_rev(struct store *s, const char *sql, int64_t id, const char *text)
{
	sqlite3_stmt *st = NULL;
	int64_t rev = 0;
	int own = 0;
	int rc = sq_autotx_begin(s, &own);
	if (rc)
		return rc;
	rc = sq_next_rev(s, &rev);
	if (rc)
		goto out;
	rc = sq_prepare(s, sql, &st);
	if (rc)
		goto out;
	sqlite3_bind_int64(st, 1, rev);
	sqlite3_bind_int64(st, 2, id);
	if (text)
		sqlite3_bind_text(st, 3, text, -1, SQLITE_TRANSIENT);
	rc = sq_done(s, st);
	if (rc == WF_OK && sqlite3_changes(SQ(s)->db) < 1) {
		store_set_err(s, "no such id %lld", (long long)id);
		rc = WF_ENOENT;
	}
out:
	return sq_autotx_end(s, own, rc);
}

static int sq_resident_block(struct store *s, int64_t id, const char *reason)
{
	return sq_update_rev(s,
	                     "UPDATE residents SET status = 'blocked', block_reason = ?3, rev = ?1 "
	                     "WHERE id = ?2",
	                     id, reason ? reason : "");
}

static int sq_resident_remove(struct store *s, int64_t id)
{
	/* The tombstone takes the new rev; the row goes. */
	int own = 0;
	int rc = sq_autotx_begin(s, &own);
	if (rc)
		return rc;
	rc = sq_update_rev(s,
	                   "INSERT INTO tombstones(rev, tbl, key) SELECT ?1, 'residents', id FROM "
	                   "residents WHERE id = ?2",
	                   id, NULL);
	if (rc == WF_OK)
		rc = sq_update_rev(s, "DELETE FROM residents WHERE id = ?2 AND ?1 IS NOT NULL", id,
		                   NULL);
	return sq_autotx_end(s, own, rc);
}

static int sq_resident_touch(struct store *s, int64_t id)
{
	int rc = sq_update_rev(s, "UPDATE residents SET rev = ?1 WHERE id = ?2", id, NULL);
	return rc == WF_ENOENT ? WF_OK : rc;
}

static int sq_staff_put(struct store *s, const struct store_staff *r)
{
	sqlite3_stmt *st = NULL;
	int64_t rev = 0;
	int own = 0;
	int rc = sq_autotx_begin(s, &own);
	if (rc)
		return rc;
	rc = sq_card_free(s, r->card_hash, "staff", r->id);
	if (rc)
		goto out;
	rc = sq_next_rev(s, &rev);
	if (rc)
		goto out;
	rc = sq_prepare(s,
	                "INSERT OR REPLACE INTO staff(id, card_hash, name, role, pin_hash, rev) "
	                "VALUES(?,?,?,?,?,?)",
	                &st);
	if (rc)
		goto out;
	sqlite3_bind_int64(st, 1, r->id);
	sqlite3_bind_text(st, 2, r->card_hash, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, r->name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, r->role, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 5, r->pin_hash, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 6, rev);
	rc = sq_done(s, st);
out:
	return sq_autotx_end(s, own, rc);
}

static int sq_staff_remove(struct store *s, int64_t id)
{
	int own = 0;
	int rc = sq_autotx_begin(s, &own);
	if (rc)
		return rc;
	rc =
	    sq_update_rev(s,
	                  "INSERT INTO tombstones(rev, tbl, key) SELECT ?1, 'staff', id FROM staff "
	                  "WHERE id = ?2",
	                  id, NULL);
	if (rc == WF_OK)
		rc = sq_update_rev(s, "DELETE FROM staff WHERE id = ?2 AND ?1 IS NOT NULL", id,
		                   NULL);
	return sq_autotx_end(s, own, rc);
}

static int sq_block_put(struct store *s, const struct store_block *b)
{
	sqlite3_stmt *st = NULL;
	int64_t rev = 0;
	int own = 0;
	int rc = sq_autotx_begin(s, &own);
	if (rc)
		return rc;
	rc = sq_next_rev(s, &rev);
	if (rc)
		goto out;
	rc = sq_prepare(s, "INSERT OR REPLACE INTO blocklist(card_hash, reason, rev) VALUES(?,?,?)",
	                &st);
	if (rc)
		goto out;
	sqlite3_bind_text(st, 1, b->card_hash, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, b->reason, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 3, rev);
	rc = sq_done(s, st);
out:
	return sq_autotx_end(s, own, rc);
}

static int sq_card_key_get(struct store *s, uint32_t *version, uint8_t key[32])
{
	sqlite3_stmt *st = NULL;
	int rc = sq_prepare(s,
	                    "SELECT (SELECT value FROM meta WHERE key = 'card_key_version'), "
	                    "(SELECT value FROM meta WHERE key = 'card_key')",
	                    &st);
	if (rc)
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_bytes(st, 1) == 32) {
		*version = (uint32_t)sqlite3_column_int64(st, 0);
		memcpy(key, sqlite3_column_blob(st, 1), 32);
		rc = WF_OK;
	} else {
		store_set_err(s, "no card key");
		rc = WF_ENOENT;
	}
	sqlite3_finalize(st);
	return rc;
}

static int sq_read_categories(struct store *s, int64_t since, const struct store_catalog_fns *f)
{
	sqlite3_stmt *st = NULL;
	int rc = sq_prepare(s,
	                    "SELECT id, code, name, unit, rate_version, rate, min_qty, max_qty, "
	                    "daily_limit FROM categories WHERE rev > ? ORDER BY id",
	                    &st);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, since);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct wf_category c;
		memset(&c, 0, sizeof c);
		c.id = (uint16_t)sqlite3_column_int(st, 0);
		sq_text(st, 1, c.code, sizeof c.code);
		sq_text(st, 2, c.name, sizeof c.name);
		c.unit = (enum wf_unit)sqlite3_column_int(st, 3);
		c.rate_version = (uint32_t)sqlite3_column_int64(st, 4);
		c.rate = sqlite3_column_int64(st, 5);
		c.min_qty = sqlite3_column_int64(st, 6);
		c.max_qty = sqlite3_column_int64(st, 7);
		c.daily_limit_qty = sqlite3_column_int64(st, 8);
		if (f->category(f->ctx, &c)) {
			rc = SQLITE_DONE;
			break;
		}
	}
	int out = rc == SQLITE_DONE ? WF_OK : sq_fail(s, rc);
	sqlite3_finalize(st);
	return out;
}

static int sq_read_residents(struct store *s, int64_t since, const struct store_catalog_fns *f)
{
	sqlite3_stmt *st = NULL;
	int rc = sq_prepare(s,
	                    "SELECT r.id, r.card_hash, r.name, r.status, r.block_reason, "
	                    "r.points_base + COALESCE((SELECT SUM(points) FROM records WHERE "
	                    "resident = r.id), 0) FROM residents r WHERE r.rev > ? ORDER BY r.id",
	                    &st);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, since);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_resident r;
		r.id = sqlite3_column_int64(st, 0);
		sq_text(st, 1, r.card_hash, sizeof r.card_hash);
		sq_text(st, 2, r.name, sizeof r.name);
		sq_text(st, 3, r.status, sizeof r.status);
		sq_text(st, 4, r.block_reason, sizeof r.block_reason);
		r.points_balance = sqlite3_column_int64(st, 5);
		if (f->resident(f->ctx, &r)) {
			rc = SQLITE_DONE;
			break;
		}
	}
	int out = rc == SQLITE_DONE ? WF_OK : sq_fail(s, rc);
	sqlite3_finalize(st);
	return out;
}

static int sq_read_staff(struct store *s, int64_t since, const struct store_catalog_fns *f)
{
	sqlite3_stmt *st = NULL;
	int rc = sq_prepare(s,
	                    "SELECT id, card_hash, name, role, pin_hash FROM staff WHERE rev > ? "
	                    "ORDER BY id",
	                    &st);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, since);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_staff r;
		r.id = sqlite3_column_int64(st, 0);
		sq_text(st, 1, r.card_hash, sizeof r.card_hash);
		sq_text(st, 2, r.name, sizeof r.name);
		sq_text(st, 3, r.role, sizeof r.role);
		sq_text(st, 4, r.pin_hash, sizeof r.pin_hash);
		if (f->staff(f->ctx, &r)) {
			rc = SQLITE_DONE;
			break;
		}
	}
	int out = rc == SQLITE_DONE ? WF_OK : sq_fail(s, rc);
	sqlite3_finalize(st);
	return out;
}

static int sq_read_blocks(struct store *s, int64_t since, const struct store_catalog_fns *f)
{
	sqlite3_stmt *st = NULL;
	int rc = sq_prepare(s,
	                    "SELECT card_hash, reason FROM blocklist WHERE rev > ? ORDER BY "
	                    "card_hash",
	                    &st);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, since);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_block b;
		sq_text(st, 0, b.card_hash, sizeof b.card_hash);
		sq_text(st, 1, b.reason, sizeof b.reason);
		if (f->block(f->ctx, &b)) {
			rc = SQLITE_DONE;
			break;
		}
	}
	int out = rc == SQLITE_DONE ? WF_OK : sq_fail(s, rc);
	sqlite3_finalize(st);
	return out;
}

static int sq_read_deleted(struct store *s, int64_t since, const struct store_catalog_fns *f)
{
	sqlite3_stmt *st = NULL;
	int rc = sq_prepare(s, "SELECT tbl, key FROM tombstones WHERE rev > ? ORDER BY rev", &st);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, since);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		char tbl[32], key[80];
		sq_text(st, 0, tbl, sizeof tbl);
		sq_text(st, 1, key, sizeof key);
		if (f->deleted(f->ctx, tbl, key)) {
			rc = SQLITE_DONE;
			break;
		}
	}
	int out = rc == SQLITE_DONE ? WF_OK : sq_fail(s, rc);
	sqlite3_finalize(st);
	return out;
}

static int sq_read_rates(struct store *s, const struct store_catalog_fns *f)
{
	sqlite3_stmt *st = NULL;
	int rc = sq_prepare(s,
	                    "SELECT category, version, unit, rate, created_s FROM rates ORDER BY "
	                    "category, version",
	                    &st);
	if (rc)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_rate r;
		r.category = (uint16_t)sqlite3_column_int(st, 0);
		r.version = (uint32_t)sqlite3_column_int64(st, 1);
		r.unit = (enum wf_unit)sqlite3_column_int(st, 2);
		r.rate = sqlite3_column_int64(st, 3);
		r.created_s = sqlite3_column_int64(st, 4);
		if (f->rate(f->ctx, &r)) {
			rc = SQLITE_DONE;
			break;
		}
	}
	int out = rc == SQLITE_DONE ? WF_OK : sq_fail(s, rc);
	sqlite3_finalize(st);
	return out;
}

static int sq_catalog_read(struct store *s, int64_t since_rev, const struct store_catalog_fns *f,
                           int64_t *rev_now)
{
	/* One read transaction so the cursor matches exactly what was read. */
	int rc = sq_exec(s, "BEGIN");
	if (rc)
		return rc;
	int64_t since = since_rev < 0 ? -1 : since_rev;
	if (rev_now)
		rc = sq_count(s, "SELECT value FROM meta WHERE key = 'rev'", rev_now);
	if (!rc && f->category)
		rc = sq_read_categories(s, since, f);
	if (!rc && f->resident)
		rc = sq_read_residents(s, since, f);
	if (!rc && f->staff)
		rc = sq_read_staff(s, since, f);
	if (!rc && f->block)
		rc = sq_read_blocks(s, since, f);
	if (!rc && f->deleted && since_rev >= 0)
		rc = sq_read_deleted(s, since, f);
	if (!rc && f->rate)
		rc = sq_read_rates(s, f);
	if (rc) {
		sq_rollback(s);
		return rc;
	}
	return sq_commit(s);
}

static int sq_claim(struct store *s, uint32_t kiosk, uint32_t seq, int64_t now_s,
                    int64_t *claimed_s)
{
	sqlite3_stmt *st = NULL;
	/* The primary key makes the claim single-use in one statement. */
	int rc = sq_prepare(s,
	                    "INSERT INTO claims(kiosk, seq, claimed_s) VALUES(?,?,?) ON "
	                    "CONFLICT(kiosk, seq) DO NOTHING",
	                    &st);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, kiosk);
	sqlite3_bind_int64(st, 2, seq);
	sqlite3_bind_int64(st, 3, now_s);
	rc = sq_done(s, st);
	if (rc)
		return rc;
	if (sqlite3_changes(SQ(s)->db) == 1) {
		*claimed_s = now_s;
		return 1;
	}
	rc = s->ops->claim_get(s, kiosk, seq, claimed_s);
	return rc < 0 ? rc : 0;
}

static int sq_claim_get(struct store *s, uint32_t kiosk, uint32_t seq, int64_t *claimed_s)
{
	sqlite3_stmt *st = NULL;
	int rc = sq_prepare(s, "SELECT claimed_s FROM claims WHERE kiosk = ? AND seq = ?", &st);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, kiosk);
	sqlite3_bind_int64(st, 2, seq);
	rc = sqlite3_step(st);
	int out;
	if (rc == SQLITE_ROW) {
		*claimed_s = sqlite3_column_int64(st, 0);
		out = 1;
	} else
		out = rc == SQLITE_DONE ? 0 : sq_fail(s, rc);
	sqlite3_finalize(st);
	return out;
}

static const struct store_ops sqlite_ops = {
    .close = sq_close,
    .begin = sq_begin,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .kiosk_add = sq_kiosk_add,
    .kiosk_exists = sq_kiosk_exists,
    .key_add = sq_key_add,
    .key_get = sq_key_get,
    .key_revoke = sq_key_revoke,
    .record_insert = sq_record_insert,
    .record_get = sq_record_get,
    .record_highest = sq_record_highest,
    .record_count = sq_record_count,
    .alert_add = sq_alert_add,
    .alert_count = sq_alert_count,
    .alert_list = sq_alert_list,
    .kiosk_list = sq_kiosk_list,
    .epoch_open = sq_epoch_open,
    .heartbeat_put = sq_heartbeat_put,
    .rate_set = sq_rate_set,
    .rate_get = sq_rate_get,
    .resident_put = sq_resident_put,
    .resident_block = sq_resident_block,
    .resident_remove = sq_resident_remove,
    .resident_touch = sq_resident_touch,
    .staff_put = sq_staff_put,
    .staff_remove = sq_staff_remove,
    .block_put = sq_block_put,
    .card_key_get = sq_card_key_get,
    .catalog_read = sq_catalog_read,
    .claim = sq_claim,
    .claim_get = sq_claim_get,
};

static int sq_migrate(struct store *s)
{
	int64_t version = 0;
	int rc = sq_begin(s);
	if (rc)
		return rc;
	rc = sq_count(s, "PRAGMA user_version", &version);
	const int64_t want = (int64_t)(sizeof migrations / sizeof migrations[0]);
	for (int64_t v = version; !rc && v < want; v++)
		rc = sq_exec(s, migrations[v]);
	if (!rc && version < want) {
		char sql[64];
		snprintf(sql, sizeof sql, "PRAGMA user_version = %lld", (long long)want);
		rc = sq_exec(s, sql);
	}
	if (!rc && version == 0) {
		/* A fresh store gets its card key: 32 random bytes, version 1. */
		uint8_t key[32];
		sqlite3_stmt *st = NULL;
		randombytes_buf(key, sizeof key);
		rc = sq_prepare(s,
		                "INSERT INTO meta(key, value) VALUES('card_key', ?), "
		                "('card_key_version', 1)",
		                &st);
		if (!rc) {
			sqlite3_bind_blob(st, 1, key, 32, SQLITE_TRANSIENT);
			rc = sq_done(s, st);
		}
		sodium_memzero(key, sizeof key);
	}
	if (!rc && version > want) {
		store_set_err(s, "database schema %lld is newer than this program (%lld)",
		              (long long)version, (long long)want);
		rc = WF_ECORRUPT;
	}
	if (rc) {
		sq_rollback(s);
		return rc;
	}
	return sq_commit(s);
}

int store_sqlite_open(const char *path, struct store **out, char *why, size_t why_len)
{
	*out = NULL;
	struct store_sqlite *q = calloc(1, sizeof *q);
	if (!q) {
		snprintf(why, why_len, "out of memory");
		return WF_ENOMEM;
	}
	struct store *s = &q->base;
	s->ops = &sqlite_ops;
	int rc = sqlite3_open_v2(
	    path, &q->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		snprintf(why, why_len, "cannot open %s: %s", path,
		         q->db ? sqlite3_errmsg(q->db) : "out of memory");
		rc = WF_EIO;
		goto fail;
	}
	sqlite3_busy_timeout(q->db, 10000);
	rc = sq_exec(s, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA "
	                "foreign_keys=ON;");
	if (!rc)
		rc = sq_migrate(s);
	if (!rc)
		rc = sq_prepare(s,
		                "INSERT INTO records(kiosk, seq, kind, bytes, hash, received_s, "
		                "resident, points, flags) VALUES(?,?,?,?,?,?,?,?,?) ON "
		                "CONFLICT(kiosk, seq) DO NOTHING",
		                &q->ins_record);
	if (!rc)
		rc = sq_prepare(s, "SELECT bytes, hash FROM records WHERE kiosk = ? AND seq = ?",
		                &q->get_record);
	if (!rc)
		rc = sq_prepare(s,
		                "SELECT unit, rate, created_s FROM rates WHERE category = ? AND "
		                "version = ?",
		                &q->get_rate);
	if (rc) {
		snprintf(why, why_len, "%s: %s", path, s->err);
		goto fail;
	}
	*out = s;
	return WF_OK;
fail:
	sq_close(s);
	return rc;
}
