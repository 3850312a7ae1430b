/*
 * store_pg_health.c — the PostgreSQL backend (store.h): the readiness
 * query, the kiosks gone silent and the tamper alerts by reason (/metrics),
 * each kiosk's name and time zone, claim_read, the replay memory of signed
 * requests, and the schema version. Each op behaves as its SQLite twin
 * (store_sqlite_health.c, store_sqlite_replies.c, store_sqlite_claims.c).
 */
#include "store_pg.h"

#include <stdlib.h>
#include <string.h>

/* A real query on the server: a server gone (or restarting) is WF_EBUSY
 * with libpq's reason; the next call opens the connection again. */
static int pg_ping(struct store *s)
{
	static const char sql[] = "SELECT value FROM meta WHERE key = 'rev'";
	int64_t rev = 0;
	return pg_value(PGS(s), sql, NULL, &rev);
}

static int pg_kiosk_silence(struct store *s, int64_t before_s, int64_t *enrolled, int64_t *silent)
{
	static const char sql[] =
	    "SELECT count(*), COALESCE(SUM(CASE WHEN COALESCE(h.received_s, k.created_s) < $1 "
	    "THEN 1 ELSE 0 END), 0) FROM kiosks k LEFT JOIN heartbeats h ON h.kiosk = k.number";
	struct pg_params pp = {0};
	PGresult *r = NULL;
	pg_p_i64(&pp, before_s);
	int rc = pg_run(PGS(s), sql, &pp, &r);
	if (rc)
		return rc;
	if (PQntuples(r) == 1) {
		*enrolled = pg_i64(r, 0, 0);
		*silent = pg_i64(r, 0, 1);
	} else {
		store_set_err(s, "kiosk silence: no row");
		rc = WF_ECORRUPT;
	}
	PQclear(r);
	return rc;
}

struct reason_each {
	int (*fn)(void *ctx, const char *reason, int64_t n);
	void *ctx;
};

static int reason_each_row(const PGresult *r, int i, void *ctx)
{
	struct reason_each *e = ctx;
	char reason[64];
	pg_text(r, i, 0, reason, sizeof reason);
	return e->fn(e->ctx, reason, pg_i64(r, i, 1));
}

/* By reason in byte order (as SQLite's), whatever the database's collation. */
static int pg_alert_reasons(struct store *s, int (*fn)(void *ctx, const char *reason, int64_t n),
                            void *ctx)
{
	static const char sql[] = "SELECT reason, count(*) FROM tamper_alerts GROUP BY reason "
	                          "ORDER BY reason COLLATE \"C\"";
	struct reason_each e = {fn, ctx};
	return pg_each(s, sql, NULL, reason_each_row, &e);
}

static int pg_kiosk_place(struct store *s, uint32_t kiosk, struct store_kiosk_place *out)
{
	static const char sql[] = "SELECT name, time_zone FROM kiosks WHERE number = $1";
	struct pg_params pp = {0};
	PGresult *r = NULL;
	pg_p_i64(&pp, kiosk);
	int rc = pg_run(PGS(s), sql, &pp, &r);
	if (rc)
		return rc;
	rc = PQntuples(r) > 0 ? 1 : 0;
	if (rc) {
		pg_text(r, 0, 0, out->name, sizeof out->name);
		pg_text(r, 0, 1, out->time_zone, sizeof out->time_zone);
	}
	PQclear(r);
	return rc;
}

static int pg_kiosk_tz_set(struct store *s, uint32_t kiosk, const char *tz)
{
	static const char sql[] = "UPDATE kiosks SET time_zone = $1 WHERE number = $2";
	struct pg_params pp = {0};
	PGresult *r = NULL;
	pg_p_text(&pp, tz);
	pg_p_i64(&pp, kiosk);
	int rc = pg_run(PGS(s), sql, &pp, &r);
	if (rc)
		return rc;
	const char *n = PQcmdTuples(r);
	if (!n || strtoll(n, NULL, 10) == 0) {
		store_set_err(s, "no kiosk %u", (unsigned)kiosk);
		rc = WF_ENOENT;
	}
	PQclear(r);
	return rc;
}

static int pg_claim_read(struct store *s, uint32_t kiosk, uint32_t seq, struct store_claim *out)
{
	static const char sql[] = "SELECT claimed_s, resident, category, local_day, qty, points, "
	                          "actor FROM claims WHERE kiosk = $1 AND seq = $2";
	struct pg_params pp = {0};
	PGresult *r = NULL;
	pg_p_i64(&pp, kiosk);
	pg_p_i64(&pp, seq);
	int rc = pg_run(PGS(s), sql, &pp, &r);
	if (rc)
		return rc;
	rc = PQntuples(r) > 0 ? 1 : 0;
	if (rc) {
		memset(out, 0, sizeof *out);
		out->kiosk = kiosk;
		out->seq = seq;
		out->claimed_s = pg_i64(r, 0, 0);
		out->resident = pg_i64(r, 0, 1); /* NULL (before residents): 0 */
		out->category = (uint16_t)pg_i64(r, 0, 2);
		out->local_day = (uint32_t)pg_i64(r, 0, 3);
		out->qty = pg_i64(r, 0, 4);
		out->points = pg_i64(r, 0, 5);
		pg_text(r, 0, 6, out->actor, sizeof out->actor);
	}
	PQclear(r);
	return rc;
}

static int pg_reply_get(struct store *s, uint32_t kiosk, const uint8_t request_id[WF_HASH_BYTES],
                        unsigned *status, char *answer, size_t cap)
{
	static const char sql[] =
	    "SELECT status, answer FROM signed_replies WHERE kiosk = $1 AND request_id = $2";
	struct pg_params pp = {0};
	PGresult *r = NULL;
	pg_p_i64(&pp, kiosk);
	pg_p_bytes(&pp, request_id, WF_HASH_BYTES);
	int rc = pg_run(PGS(s), sql, &pp, &r);
	if (rc)
		return rc;
	rc = PQntuples(r) > 0 ? 1 : 0;
	if (rc) {
		size_t n = (size_t)PQgetlength(r, 0, 1);
		if (pg_isnull(r, 0, 1) || n >= cap) {
			store_set_err(s, "kept answer of kiosk %u larger than %zu bytes", kiosk,
			              cap);
			rc = WF_ENOMEM;
		} else {
			*status = (unsigned)pg_i64(r, 0, 0);
			memcpy(answer, PQgetvalue(r, 0, 1), n + 1);
		}
	}
	PQclear(r);
	return rc;
}

static int pg_reply_put(struct store *s, uint32_t kiosk, const uint8_t request_id[WF_HASH_BYTES],
                        int64_t time_s, unsigned status, const char *answer,
                        int64_t forget_before_s)
{
	static const char forget[] = "DELETE FROM signed_replies WHERE time_s < $1";
	static const char keep[] = "INSERT INTO signed_replies(kiosk, request_id, time_s, status, "
	                           "answer) VALUES($1, $2, $3, $4, $5)";
	struct pg_params pf = {0}, pk = {0};
	pg_p_i64(&pf, forget_before_s);
	int rc = pg_run(PGS(s), forget, &pf, NULL);
	if (rc)
		return rc;
	pg_p_i64(&pk, kiosk);
	pg_p_bytes(&pk, request_id, WF_HASH_BYTES);
	pg_p_i64(&pk, time_s);
	pg_p_i64(&pk, status);
	pg_p_text(&pk, answer);
	return pg_run(PGS(s), keep, &pk, NULL);
}

/* The highest migration applied (read from the database, not remembered). */
static int pg_schema_version(struct store *s, int *version)
{
	static const char sql[] = "SELECT COALESCE(MAX(version), 0) FROM schema_version";
	int64_t v = 0;
	int rc = pg_value(PGS(s), sql, NULL, &v);
	if (!rc)
		*version = (int)v;
	return rc;
}

void store_pg_fill_health(struct store_ops *ops)
{
	ops->ping = pg_ping;
	ops->kiosk_silence = pg_kiosk_silence;
	ops->alert_reasons = pg_alert_reasons;
	ops->kiosk_place = pg_kiosk_place;
	ops->kiosk_tz_set = pg_kiosk_tz_set;
	ops->claim_read = pg_claim_read;
	ops->reply_get = pg_reply_get;
	ops->reply_put = pg_reply_put;
	ops->schema_version = pg_schema_version;
}
