/*
 * store_pg_journal.c — the journal side of the PostgreSQL backend (store.h):
 * kiosks and their keys, records (bytes kept exactly), tamper alerts,
 * epochs, heartbeats. Each op behaves as its SQLite twin
 * (store_sqlite_journal.c): same results, same return codes.
 *
 * Hot path: record_insert, record_get and record_highest run per record at
 * ingest; each is one prepared statement, one round trip. The reports'
 * summaries a new record moves are kept by triggers in the database
 * (store_pg_report.c), in the INSERT's own statement, so record_insert
 * needs no transaction of its own.
 */
#include "store_pg.h"

#include <stdlib.h>
#include <string.h>

/* Rows an INSERT, UPDATE or DELETE touched. */
static int64_t pg_changed(const PGresult *r)
{
	const char *n = PQcmdTuples((PGresult *)r);
	return n && *n ? strtoll(n, NULL, 10) : 0;
}

static int pg_kiosk_add(struct store *s, uint32_t kiosk, const char *name, int64_t now_s)
{
	static const char sql[] = "INSERT INTO kiosks(number, name, created_s) VALUES($1, $2, $3)";
	struct pg_params pp = {0};
	pg_p_i64(&pp, kiosk);
	pg_p_text(&pp, name ? name : "");
	pg_p_i64(&pp, now_s);
	return pg_run(PGS(s), sql, &pp, NULL);
}

static int pg_kiosk_exists(struct store *s, uint32_t kiosk)
{
	static const char sql[] = "SELECT 1 FROM kiosks WHERE number = $1";
	struct pg_params pp = {0};
	PGresult *r = NULL;
	pg_p_i64(&pp, kiosk);
	int rc = pg_run(PGS(s), sql, &pp, &r);
	if (rc)
		return rc;
	rc = PQntuples(r) > 0 ? 1 : 0;
	PQclear(r);
	return rc;
}

struct kiosk_each {
	int (*fn)(void *ctx, const struct store_kiosk_info *k);
	void *ctx;
};

static int kiosk_each_row(const PGresult *r, int i, void *ctx)
{
	struct kiosk_each *e = ctx;
	struct store_kiosk_info k;
	k.kiosk = (uint32_t)pg_i64(r, i, 0);
	pg_text(r, i, 1, k.name, sizeof k.name);
	k.highest_seq = (uint32_t)pg_i64(r, i, 2);
	k.records = pg_i64(r, i, 3);
	k.heartbeat_s = pg_i64(r, i, 4);
	k.last_seq = (uint32_t)pg_i64(r, i, 5);
	k.outbox_depth = (uint32_t)pg_i64(r, i, 6);
	pg_text(r, i, 7, k.software_version, sizeof k.software_version);
	pg_text(r, i, 8, k.devices, sizeof k.devices);
	return e->fn(e->ctx, &k);
}

static int pg_kiosk_list(struct store *s, int (*fn)(void *ctx, const struct store_kiosk_info *k),
                         void *ctx)
{
	static const char sql[] =
	    "SELECT k.number, k.name, (SELECT COALESCE(MAX(seq), 0) FROM records WHERE kiosk = "
	    "k.number), (SELECT COUNT(*) FROM records WHERE kiosk = k.number), h.received_s, "
	    "h.last_seq, h.outbox_depth, h.software_version, h.devices FROM kiosks k LEFT JOIN "
	    "heartbeats h ON h.kiosk = k.number ORDER BY k.number";
	struct kiosk_each e = {fn, ctx};
	return pg_each(s, sql, NULL, kiosk_each_row, &e);
}

static int pg_key_add(struct store *s, uint32_t kiosk, uint32_t key_id, const uint8_t pk[32],
                      int64_t now_s)
{
	static const char sql[] = "INSERT INTO kiosk_keys(kiosk, key_id, public_key, added_s) "
	                          "VALUES($1, $2, $3, $4)";
	struct pg_params pp = {0};
	pg_p_i64(&pp, kiosk);
	pg_p_i64(&pp, key_id);
	pg_p_bytes(&pp, pk, 32);
	pg_p_i64(&pp, now_s);
	return pg_run(PGS(s), sql, &pp, NULL);
}

static int pg_key_get(struct store *s, uint32_t kiosk, uint32_t key_id, struct store_key *out)
{
	static const char sql[] = "SELECT public_key, added_s, revoked_s, revoked_after_seq FROM "
	                          "kiosk_keys WHERE kiosk = $1 AND key_id = $2";
	struct pg_params pp = {0};
	PGresult *r = NULL;
	pg_p_i64(&pp, kiosk);
	pg_p_i64(&pp, key_id);
	int rc = pg_run(PGS(s), sql, &pp, &r);
	if (rc)
		return rc;
	size_t n = 0;
	if (PQntuples(r) == 1 &&
	    pg_bytes(r, 0, 0, out->public_key, sizeof out->public_key, &n) == WF_OK && n == 32) {
		out->added_s = pg_i64(r, 0, 1);
		out->revoked_s = pg_i64(r, 0, 2);
		out->revoked_after_seq = (uint32_t)pg_i64(r, 0, 3);
	} else {
		store_set_err(s, "kiosk %u has no key %u", kiosk, key_id);
		rc = WF_ENOENT;
	}
	PQclear(r);
	return rc;
}

static int pg_key_revoke(struct store *s, uint32_t kiosk, uint32_t key_id, int64_t now_s)
{
	static const char sql[] =
	    "UPDATE kiosk_keys SET revoked_s = $1, revoked_after_seq = (SELECT COALESCE(MAX(seq), "
	    "0) FROM records WHERE kiosk = $2) WHERE kiosk = $2 AND key_id = $3 AND revoked_s IS "
	    "NULL";
	struct pg_params pp = {0};
	PGresult *r = NULL;
	pg_p_i64(&pp, now_s);
	pg_p_i64(&pp, kiosk);
	pg_p_i64(&pp, key_id);
	int rc = pg_run(PGS(s), sql, &pp, &r);
	if (rc)
		return rc;
	if (pg_changed(r) != 1) {
		store_set_err(s, "kiosk %u has no unrevoked key %u", kiosk, key_id);
		rc = WF_ENOENT;
	}
	PQclear(r);
	return rc;
}

/* r's column facts (as sq_bind_facts): NULL where the record's kind has none. */
static void pg_p_facts(struct pg_params *pp, const struct store_record *r)
{
	bool qty = r->kind == WF_RECORD_DROP || r->kind == WF_RECORD_BIN;
	bool drop = r->kind == WF_RECORD_DROP;
	pg_p_i64(pp, r->time_s);
	pg_p_i64_or_null(pp, r->category, qty);
	pg_p_i64_or_null(pp, r->unit, qty);
	pg_p_i64_or_null(pp, r->drop_flags, drop);
	pg_p_i64_or_null(pp, r->qty, qty);
	pg_p_i64_or_null(pp, r->credited, drop);
	pg_p_i64_or_null(pp, r->local_day, drop || r->kind == WF_RECORD_DAY_CLOSE);
}

static int pg_record_insert(struct store *s, const struct store_record *r)
{
	static const char sql[] =
	    "INSERT INTO records(kiosk, seq, kind, bytes, hash, received_s, resident, points, "
	    "flags, time_s, category, unit, dflags, qty, credited, local_day) VALUES($1, $2, $3, "
	    "$4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) ON CONFLICT (kiosk, seq) "
	    "DO NOTHING";
	struct pg_params pp = {0};
	PGresult *res = NULL;
	pg_p_i64(&pp, r->kiosk);
	pg_p_i64(&pp, r->seq);
	pg_p_i64(&pp, r->kind);
	pg_p_bytes(&pp, r->bytes, r->len);
	pg_p_bytes(&pp, r->hash, WF_HASH_BYTES);
	pg_p_i64(&pp, r->received_s);
	pg_p_i64_or_null(&pp, r->resident, r->resident > 0);
	pg_p_i64(&pp, r->points);
	pg_p_i64(&pp, r->flags);
	pg_p_facts(&pp, r);
	int rc = pg_run(PGS(s), sql, &pp, &res);
	if (rc)
		return rc;
	rc = pg_changed(res) == 1 ? 1 : 0; /* 0: (kiosk, seq) already there */
	PQclear(res);
	return rc;
}

static int pg_record_get(struct store *s, uint32_t kiosk, uint32_t seq, uint8_t *buf, size_t cap,
                         size_t *len, uint8_t hash[WF_HASH_BYTES])
{
	static const char sql[] = "SELECT bytes, hash FROM records WHERE kiosk = $1 AND seq = $2";
	struct pg_params pp = {0};
	PGresult *r = NULL;
	pg_p_i64(&pp, kiosk);
	pg_p_i64(&pp, seq);
	int rc = pg_run(PGS(s), sql, &pp, &r);
	if (rc)
		return rc;
	if (PQntuples(r) < 1) {
		PQclear(r);
		return 0;
	}
	uint8_t h[WF_HASH_BYTES];
	size_t n = 0, hn = 0;
	rc = pg_bytes(r, 0, 0, buf, cap, &n);
	if (rc == WF_ENOMEM)
		store_set_err(s, "record %u/%u larger than %zu bytes", kiosk, seq, cap);
	else if (rc || pg_bytes(r, 0, 1, h, sizeof h, &hn) != WF_OK || hn != WF_HASH_BYTES) {
		store_set_err(s, "record %u/%u: bytes or hash unreadable", kiosk, seq);
		rc = WF_ECORRUPT;
	} else {
		*len = n;
		memcpy(hash, h, WF_HASH_BYTES);
		rc = 1;
	}
	PQclear(r);
	return rc;
}

static int pg_record_highest(struct store *s, uint32_t kiosk, uint32_t *seq,
                             uint8_t hash[WF_HASH_BYTES])
{
	static const char sql[] =
	    "SELECT seq, hash FROM records WHERE kiosk = $1 ORDER BY seq DESC LIMIT 1";
	struct pg_params pp = {0};
	PGresult *r = NULL;
	*seq = 0;
	memset(hash, 0, WF_HASH_BYTES);
	pg_p_i64(&pp, kiosk);
	int rc = pg_run(PGS(s), sql, &pp, &r);
	if (rc)
		return rc;
	if (PQntuples(r) > 0) {
		uint8_t h[WF_HASH_BYTES];
		size_t hn = 0;
		*seq = (uint32_t)pg_i64(r, 0, 0);
		if (pg_bytes(r, 0, 1, h, sizeof h, &hn) == WF_OK && hn == WF_HASH_BYTES)
			memcpy(hash, h, WF_HASH_BYTES);
	}
	PQclear(r);
	return WF_OK;
}

static int pg_record_count(struct store *s, int64_t *count)
{
	static const char sql[] = "SELECT COUNT(*) FROM records";
	return pg_value(PGS(s), sql, NULL, count);
}

static int pg_alert_add(struct store *s, uint32_t kiosk, uint32_t seq, const char *reason,
                        const uint8_t *bytes, size_t len, const char *detail, int64_t now_s)
{
	static const char sql[] = "INSERT INTO tamper_alerts(kiosk, seq, reason, bytes, detail, "
	                          "received_s) VALUES($1, $2, $3, $4, $5, $6)";
	struct pg_params pp = {0};
	pg_p_i64(&pp, kiosk);
	pg_p_i64(&pp, seq);
	pg_p_text(&pp, reason);
	pg_p_bytes(&pp, bytes, bytes ? len : 0);
	pg_p_text(&pp, detail ? detail : "");
	pg_p_i64(&pp, now_s);
	return pg_run(PGS(s), sql, &pp, NULL);
}

static int pg_alert_count(struct store *s, int64_t *count)
{
	static const char sql[] = "SELECT COUNT(*) FROM tamper_alerts";
	return pg_value(PGS(s), sql, NULL, count);
}

struct alert_each {
	int (*fn)(void *ctx, const struct store_alert *a);
	void *ctx;
};

static int alert_each_row(const PGresult *r, int i, void *ctx)
{
	struct alert_each *e = ctx;
	struct store_alert a;
	a.id = pg_i64(r, i, 0);
	a.kiosk = (uint32_t)pg_i64(r, i, 1);
	a.seq = (uint32_t)pg_i64(r, i, 2);
	pg_text(r, i, 3, a.reason, sizeof a.reason);
	pg_text(r, i, 4, a.detail, sizeof a.detail);
	a.bytes_len = (size_t)pg_i64(r, i, 5);
	a.received_s = pg_i64(r, i, 6);
	return e->fn(e->ctx, &a);
}

static int pg_alert_list(struct store *s, int (*fn)(void *ctx, const struct store_alert *a),
                         void *ctx)
{
	static const char sql[] = "SELECT id, kiosk, seq, reason, detail, length(bytes), "
	                          "received_s FROM tamper_alerts ORDER BY id";
	struct alert_each e = {fn, ctx};
	return pg_each(s, sql, NULL, alert_each_row, &e);
}

/* Numbered after the kiosk's highest epoch, under the kiosk's lock: two
 * centrals opening an epoch for one kiosk at once number them one after
 * the other (SQLite: its writers are serialised already). */
static int pg_epoch_open(struct store *s, uint32_t kiosk, uint32_t start_seq, const char *reason,
                         uint32_t local_last_seq, int64_t now_s, uint32_t *epoch)
{
	static const char sql[] =
	    "INSERT INTO epochs(kiosk, epoch, start_seq, reason, local_last_seq, opened_s) SELECT "
	    "$1::bigint, COALESCE(MAX(epoch), 0) + 1, $2::bigint, $3::text, $4::bigint, $5::bigint "
	    "FROM epochs WHERE kiosk = $1::bigint RETURNING epoch";
	struct pg_store *p = PGS(s);
	bool own = false;
	int rc = pg_tx_begin(p, &own);
	if (rc)
		return rc;
	rc = s->ops->lock(s, STORE_LOCK_KIOSK, kiosk);
	PGresult *r = NULL;
	if (!rc) {
		struct pg_params pp = {0};
		pg_p_i64(&pp, kiosk);
		pg_p_i64(&pp, start_seq);
		pg_p_text(&pp, reason ? reason : "");
		pg_p_i64(&pp, local_last_seq);
		pg_p_i64(&pp, now_s);
		rc = pg_run(p, sql, &pp, &r);
	}
	if (!rc && PQntuples(r) != 1) {
		store_set_err(s, "epoch insert returned no row");
		rc = WF_EIO;
	}
	if (!rc)
		*epoch = (uint32_t)pg_i64(r, 0, 0);
	PQclear(r);
	return pg_tx_end(p, own, rc);
}

static int pg_heartbeat_put(struct store *s, uint32_t kiosk, uint32_t last_seq,
                            uint32_t outbox_depth, const char *software_version,
                            const char *devices_json, int64_t now_s)
{
	static const char sql[] =
	    "INSERT INTO heartbeats(kiosk, received_s, last_seq, outbox_depth, software_version, "
	    "devices) VALUES($1, $2, $3, $4, $5, $6) ON CONFLICT (kiosk) DO UPDATE SET received_s "
	    "= EXCLUDED.received_s, last_seq = EXCLUDED.last_seq, outbox_depth = "
	    "EXCLUDED.outbox_depth, software_version = EXCLUDED.software_version, devices = "
	    "EXCLUDED.devices";
	struct pg_params pp = {0};
	pg_p_i64(&pp, kiosk);
	pg_p_i64(&pp, now_s);
	pg_p_i64(&pp, last_seq);
	pg_p_i64(&pp, outbox_depth);
	pg_p_text(&pp, software_version);
	pg_p_text(&pp, devices_json);
	return pg_run(PGS(s), sql, &pp, NULL);
}

void store_pg_fill_journal(struct store_ops *ops)
{
	ops->kiosk_add = pg_kiosk_add;
	ops->kiosk_exists = pg_kiosk_exists;
	ops->key_add = pg_key_add;
	ops->key_get = pg_key_get;
	ops->key_revoke = pg_key_revoke;
	ops->record_insert = pg_record_insert;
	ops->record_get = pg_record_get;
	ops->record_highest = pg_record_highest;
	ops->record_count = pg_record_count;
	ops->alert_add = pg_alert_add;
	ops->alert_count = pg_alert_count;
	ops->kiosk_list = pg_kiosk_list;
	ops->alert_list = pg_alert_list;
	ops->epoch_open = pg_epoch_open;
	ops->heartbeat_put = pg_heartbeat_put;
}
