/*
 * store_sqlite_journal.c — the journal side of the SQLite backend: what
 * kiosks send and what central notices about it. Kiosks and their keys,
 * records (bytes kept exactly), tamper alerts, epochs, heartbeats.
 */
#include "store_sqlite.h"

#include <string.h>

int sq_kiosk_add(struct store *s, uint32_t kiosk, const char *name, int64_t now_s)
{
	sqlite3 *db = SQ(s)->db;
	sqlite3_stmt *st = NULL;
	int rc = sql_prepare(db, "INSERT INTO kiosks(number, name, created_s) VALUES(?,?,?)", &st,
	                     SQ_ERR(s));
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, kiosk);
	sqlite3_bind_text(st, 2, name ? name : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 3, now_s);
	return sql_done(db, st, SQ_ERR(s));
}

int sq_kiosk_exists(struct store *s, uint32_t kiosk)
{
	sqlite3 *db = SQ(s)->db;
	sqlite3_stmt *st = NULL;
	int rc = sql_prepare(db, "SELECT 1 FROM kiosks WHERE number = ?", &st, SQ_ERR(s));
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, kiosk);
	rc = sql_step_row(db, st, SQ_ERR(s)); /* 1 row, 0 none, or an error */
	sqlite3_finalize(st);
	return rc;
}

struct kiosk_rows {
	int (*fn)(void *ctx, const struct store_kiosk_info *k);
	void *ctx;
};

static int kiosk_row(sqlite3_stmt *st, void *ctx)
{
	struct kiosk_rows *w = ctx;
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
	return w->fn(w->ctx, &k);
}

int sq_kiosk_list(struct store *s, int (*fn)(void *ctx, const struct store_kiosk_info *k),
                  void *ctx)
{
	struct kiosk_rows w = {fn, ctx};
	return sq_each(s,
	               "SELECT k.number, k.name, (SELECT COALESCE(MAX(seq), 0) FROM records "
	               "WHERE kiosk = k.number), (SELECT COUNT(*) FROM records WHERE kiosk = "
	               "k.number), h.received_s, h.last_seq, h.outbox_depth, "
	               "h.software_version, h.devices FROM kiosks k LEFT JOIN heartbeats h ON "
	               "h.kiosk = k.number ORDER BY k.number",
	               0, kiosk_row, &w);
}

int sq_key_add(struct store *s, uint32_t kiosk, uint32_t key_id, const uint8_t pk[32],
               int64_t now_s)
{
	sqlite3 *db = SQ(s)->db;
	sqlite3_stmt *st = NULL;
	int rc = sql_prepare(db,
	                     "INSERT INTO kiosk_keys(kiosk, key_id, public_key, added_s) "
	                     "VALUES(?,?,?,?)",
	                     &st, SQ_ERR(s));
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, kiosk);
	sqlite3_bind_int64(st, 2, key_id);
	sqlite3_bind_blob(st, 3, pk, 32, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 4, now_s);
	return sql_done(db, st, SQ_ERR(s));
}

int sq_key_get(struct store *s, uint32_t kiosk, uint32_t key_id, struct store_key *out)
{
	sqlite3 *db = SQ(s)->db;
	sqlite3_stmt *st = NULL;
	int rc = sql_prepare(db,
	                     "SELECT public_key, added_s, revoked_s, revoked_after_seq FROM "
	                     "kiosk_keys WHERE kiosk = ? AND key_id = ?",
	                     &st, SQ_ERR(s));
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, kiosk);
	sqlite3_bind_int64(st, 2, key_id);
	rc = sql_step_row(db, st, SQ_ERR(s));
	if (rc == 1 && sqlite3_column_bytes(st, 0) == 32) {
		memcpy(out->public_key, sqlite3_column_blob(st, 0), 32);
		out->added_s = sqlite3_column_int64(st, 1);
		out->revoked_s = sqlite3_column_int64(st, 2);
		out->revoked_after_seq = (uint32_t)sqlite3_column_int64(st, 3);
		rc = WF_OK;
	} else if (rc >= 0) {
		store_set_err(s, "kiosk %u has no key %u", kiosk, key_id);
		rc = WF_ENOENT;
	}
	sqlite3_finalize(st);
	return rc;
}

int sq_key_revoke(struct store *s, uint32_t kiosk, uint32_t key_id, int64_t now_s)
{
	sqlite3 *db = SQ(s)->db;
	sqlite3_stmt *st = NULL;
	int rc = sql_prepare(db,
	                     "UPDATE kiosk_keys SET revoked_s = ?1, revoked_after_seq = (SELECT "
	                     "COALESCE(MAX(seq), 0) FROM records WHERE kiosk = ?2) WHERE kiosk = "
	                     "?2 AND key_id = ?3 AND revoked_s IS NULL",
	                     &st, SQ_ERR(s));
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, now_s);
	sqlite3_bind_int64(st, 2, kiosk);
	sqlite3_bind_int64(st, 3, key_id);
	rc = sql_done(db, st, SQ_ERR(s));
	if (rc == WF_OK && sqlite3_changes(db) != 1) {
		store_set_err(s, "kiosk %u has no unrevoked key %u", kiosk, key_id);
		rc = WF_ENOENT;
	}
	return rc;
}

int sq_record_insert(struct store *s, const struct store_record *r)
{
	struct store_sqlite *q = SQ(s);
	sqlite3_stmt *st = q->ins_record;
	bool own = false; /* the record and its summaries: one transaction */
	int tx = sq_tx_begin(s, &own);
	if (tx)
		return tx;
	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, r->kiosk);
	sqlite3_bind_int64(st, 2, r->seq);
	sqlite3_bind_int64(st, 3, r->kind);
	sqlite3_bind_blob(st, 4, r->bytes, (int)r->len, SQLITE_STATIC);
	sqlite3_bind_blob(st, 5, r->hash, WF_HASH_BYTES, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, r->received_s);
	if (r->resident > 0)
		sqlite3_bind_int64(st, 7, r->resident);
	else
		sqlite3_bind_null(st, 7);
	sqlite3_bind_int64(st, 8, r->points);
	sqlite3_bind_int64(st, 9, r->flags);
	sq_bind_facts(st, 10, r);
	int rc = sql_step_row(q->db, st, SQ_ERR(s));
	if (rc == 0) /* done: inserted (1) or (kiosk, seq) already there (0) */
		rc = sqlite3_changes(q->db) == 1 ? 1 : 0;
	else if (rc == 1)
		rc = WF_EIO; /* an INSERT gives no row */
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc == 1) { /* new: the reports' summaries follow in the same transaction */
		int up = sq_summary_record(s, r);
		rc = up ? up : 1;
	}
	tx = sq_tx_end(s, own, rc < 0 ? rc : WF_OK);
	return tx < 0 ? tx : rc;
}

int sq_record_get(struct store *s, uint32_t kiosk, uint32_t seq, uint8_t *buf, size_t cap,
                  size_t *len, uint8_t hash[WF_HASH_BYTES])
{
	struct store_sqlite *q = SQ(s);
	sqlite3_stmt *st = q->get_record;
	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, kiosk);
	sqlite3_bind_int64(st, 2, seq);
	int rc = sql_step_row(q->db, st, SQ_ERR(s)); /* 1 found, 0 absent, or an error */
	if (rc == 1) {
		size_t n = (size_t)sqlite3_column_bytes(st, 0);
		if (n > cap || sqlite3_column_bytes(st, 1) != WF_HASH_BYTES) {
			store_set_err(s, "record %u/%u larger than %zu bytes", kiosk, seq, cap);
			rc = WF_ENOMEM;
		} else {
			if (n)
				memcpy(buf, sqlite3_column_blob(st, 0), n);
			*len = n;
			memcpy(hash, sqlite3_column_blob(st, 1), WF_HASH_BYTES);
		}
	}
	sqlite3_reset(st);
	return rc;
}

int sq_records_held(struct store *s, uint32_t kiosk, const uint32_t *seqs, size_t n,
                    int (*fn)(void *ctx, uint32_t seq, const uint8_t *bytes, size_t len,
                              const uint8_t hash[WF_HASH_BYTES]),
                    void *ctx)
{
	struct store_sqlite *q = SQ(s);
	sqlite3_stmt *st = q->get_record; /* SQLite: a lookup each, no round trips to save */
	int rc = WF_OK;
	for (size_t i = 0; !rc && i < n; i++) {
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, kiosk);
		sqlite3_bind_int64(st, 2, seqs[i]);
		rc = sql_step_row(q->db, st, SQ_ERR(s));
		if (rc == 1 && sqlite3_column_bytes(st, 1) != WF_HASH_BYTES) {
			store_set_err(s, "record %u/%u has no chain hash", kiosk, seqs[i]);
			rc = WF_EIO;
		} else if (rc == 1) {
			const uint8_t *b = sqlite3_column_blob(st, 0);
			rc = fn(ctx, seqs[i], b, (size_t)sqlite3_column_bytes(st, 0),
			        sqlite3_column_blob(st, 1));
		}
	}
	sqlite3_reset(st);
	return rc;
}

int sq_records_insert(struct store *s, const struct store_record *r, size_t n, uint8_t *stored)
{
	bool own = false;
	int rc = sq_tx_begin(s, &own);
	if (rc)
		return rc;
	for (size_t i = 0; !rc && i < n; i++) {
		int ins = sq_record_insert(s, &r[i]);
		if (ins < 0)
			rc = ins;
		else
			stored[i] = (uint8_t)ins;
	}
	return sq_tx_end(s, own, rc);
}

int sq_record_highest(struct store *s, uint32_t kiosk, uint32_t *seq, uint8_t hash[WF_HASH_BYTES])
{
	sqlite3 *db = SQ(s)->db;
	sqlite3_stmt *st = NULL;
	*seq = 0;
	memset(hash, 0, WF_HASH_BYTES);
	int rc = sql_prepare(db,
	                     "SELECT seq, hash FROM records WHERE kiosk = ? ORDER BY seq DESC "
	                     "LIMIT 1",
	                     &st, SQ_ERR(s));
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, kiosk);
	rc = sql_step_row(db, st, SQ_ERR(s));
	if (rc == 1) {
		*seq = (uint32_t)sqlite3_column_int64(st, 0);
		if (sqlite3_column_bytes(st, 1) == WF_HASH_BYTES)
			memcpy(hash, sqlite3_column_blob(st, 1), WF_HASH_BYTES);
	}
	sqlite3_finalize(st);
	return rc < 0 ? rc : WF_OK;
}

int sq_record_count(struct store *s, int64_t *count)
{
	return sq_value(s, "SELECT COUNT(*) FROM records", count);
}

int sq_alert_add(struct store *s, uint32_t kiosk, uint32_t seq, const char *reason,
                 const uint8_t *bytes, size_t len, const char *detail, int64_t now_s)
{
	sqlite3 *db = SQ(s)->db;
	sqlite3_stmt *st = NULL;
	int rc = sql_prepare(db,
	                     "INSERT INTO tamper_alerts(kiosk, seq, reason, bytes, detail, "
	                     "received_s) VALUES(?,?,?,?,?,?)",
	                     &st, SQ_ERR(s));
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
	return sql_done(db, st, SQ_ERR(s));
}

int sq_alert_count(struct store *s, int64_t *count)
{
	return sq_value(s, "SELECT COUNT(*) FROM tamper_alerts", count);
}

struct alert_rows {
	int (*fn)(void *ctx, const struct store_alert *a);
	void *ctx;
};

static int alert_row(sqlite3_stmt *st, void *ctx)
{
	struct alert_rows *w = ctx;
	struct store_alert a;
	a.id = sqlite3_column_int64(st, 0);
	a.kiosk = (uint32_t)sqlite3_column_int64(st, 1);
	a.seq = (uint32_t)sqlite3_column_int64(st, 2);
	sq_text(st, 3, a.reason, sizeof a.reason);
	sq_text(st, 4, a.detail, sizeof a.detail);
	a.bytes_len = (size_t)sqlite3_column_int64(st, 5);
	a.received_s = sqlite3_column_int64(st, 6);
	return w->fn(w->ctx, &a);
}

int sq_alert_list(struct store *s, int (*fn)(void *ctx, const struct store_alert *a), void *ctx)
{
	struct alert_rows w = {fn, ctx};
	return sq_each(s,
	               "SELECT id, kiosk, seq, reason, detail, length(bytes), received_s FROM "
	               "tamper_alerts ORDER BY id",
	               0, alert_row, &w);
}

int sq_epoch_open(struct store *s, uint32_t kiosk, uint32_t start_seq, const char *reason,
                  uint32_t local_last_seq, int64_t now_s, uint32_t *epoch)
{
	sqlite3 *db = SQ(s)->db;
	sqlite3_stmt *st = NULL;
	int rc = sql_prepare(db,
	                     "INSERT INTO epochs(kiosk, epoch, start_seq, reason, local_last_seq, "
	                     "opened_s) SELECT ?1, COALESCE(MAX(epoch), 0) + 1, ?2, ?3, ?4, ?5 "
	                     "FROM epochs WHERE kiosk = ?1 RETURNING epoch",
	                     &st, SQ_ERR(s));
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, kiosk);
	sqlite3_bind_int64(st, 2, start_seq);
	sqlite3_bind_text(st, 3, reason ? reason : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 4, local_last_seq);
	sqlite3_bind_int64(st, 5, now_s);
	rc = sql_step_row(db, st, SQ_ERR(s));
	if (rc == 1) {
		*epoch = (uint32_t)sqlite3_column_int64(st, 0);
		rc = sql_done(db, st, SQ_ERR(s)); /* RETURNING: the insert completes here */
		st = NULL;
	} else if (rc == 0) {
		store_set_err(s, "epoch insert returned no row");
		rc = WF_EIO;
	}
	sqlite3_finalize(st);
	return rc;
}

int sq_heartbeat_put(struct store *s, uint32_t kiosk, uint32_t last_seq, uint32_t outbox_depth,
                     const char *software_version, const char *devices_json, int64_t now_s)
{
	sqlite3 *db = SQ(s)->db;
	sqlite3_stmt *st = NULL;
	int rc = sql_prepare(db,
	                     "INSERT OR REPLACE INTO heartbeats(kiosk, received_s, last_seq, "
	                     "outbox_depth, software_version, devices) VALUES(?,?,?,?,?,?)",
	                     &st, SQ_ERR(s));
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, kiosk);
	sqlite3_bind_int64(st, 2, now_s);
	sqlite3_bind_int64(st, 3, last_seq);
	sqlite3_bind_int64(st, 4, outbox_depth);
	sqlite3_bind_text(st, 5, software_version, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 6, devices_json, -1, SQLITE_TRANSIENT);
	return sql_done(db, st, SQ_ERR(s));
}
