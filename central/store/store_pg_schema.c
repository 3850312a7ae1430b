/*
 * store_pg_schema.c — the PostgreSQL backend's numbered migrations.
 *
 * Migration N brings a database from version N-1 to N, in one transaction
 * with its version row. They run at open (and alone through `wufei-central
 * migrate`) under a session advisory lock, so centrals that start together
 * on one database migrate it once. Append new migrations; never edit one
 * that has shipped. The tables mirror the SQLite backend's (same names and
 * meanings; bigint for integers, bytea for blobs); meta holds named numbers
 * and byte strings.
 */
#include "store_pg.h"

#include <stdio.h>
#include <string.h>

#include <sodium.h>

/* Advisory lock key (session scope) held while migrating: "WF" "schema". */
#define PG_MIGRATE_LOCK 0x57460001

static const char *const migrations[] = {
    /* 1: the whole store as of SQLite schema 9 */
    "CREATE TABLE meta(key text PRIMARY KEY, value bigint, bytes bytea);"
    "INSERT INTO meta(key, value) VALUES('rev', 0);"
    "CREATE TABLE kiosks(number bigint PRIMARY KEY, name text NOT NULL, created_s bigint NOT "
    "NULL, time_zone text NOT NULL DEFAULT 'Asia/Shanghai');"
    "CREATE TABLE kiosk_keys(kiosk bigint NOT NULL REFERENCES kiosks(number), key_id bigint "
    "NOT NULL, public_key bytea NOT NULL, added_s bigint NOT NULL, revoked_s bigint, "
    "revoked_after_seq bigint, PRIMARY KEY(kiosk, key_id));"
    "CREATE TABLE records(kiosk bigint NOT NULL, seq bigint NOT NULL, kind integer NOT NULL, "
    "bytes bytea NOT NULL, hash bytea NOT NULL, received_s bigint NOT NULL, resident bigint, "
    "points bigint NOT NULL, flags bigint NOT NULL, time_s bigint, category integer, unit "
    "integer, dflags integer, qty bigint, credited bigint, local_day integer, PRIMARY "
    "KEY(kiosk, seq));"
    "CREATE INDEX records_received ON records(received_s);"
    "CREATE INDEX records_resident_day ON records(resident, category, local_day) WHERE "
    "resident IS NOT NULL;"
    "CREATE INDEX records_anon_day ON records(kiosk, category, local_day, credited) WHERE "
    "(dflags & 1) <> 0;"
    "CREATE INDEX records_bin ON records(kiosk, category, seq) WHERE kind = 2;"
    "CREATE INDEX records_day_close ON records(local_day, kiosk) WHERE kind = 4;"
    "CREATE TABLE tamper_alerts(id bigserial PRIMARY KEY, kiosk bigint NOT NULL, seq bigint "
    "NOT NULL, reason text NOT NULL, bytes bytea, detail text NOT NULL, received_s bigint NOT "
    "NULL);"
    "CREATE INDEX tamper_alerts_kiosk ON tamper_alerts(kiosk, seq);"
    "CREATE TABLE epochs(kiosk bigint NOT NULL, epoch bigint NOT NULL, start_seq bigint NOT "
    "NULL, reason text NOT NULL, local_last_seq bigint NOT NULL, opened_s bigint NOT NULL, "
    "PRIMARY KEY(kiosk, epoch));"
    "CREATE TABLE heartbeats(kiosk bigint PRIMARY KEY, received_s bigint NOT NULL, last_seq "
    "bigint NOT NULL, outbox_depth bigint NOT NULL, software_version text NOT NULL, devices "
    "text NOT NULL);"
    "CREATE TABLE categories(id integer PRIMARY KEY, code text NOT NULL UNIQUE, name text NOT "
    "NULL, unit integer NOT NULL, rate_version bigint NOT NULL, rate bigint NOT NULL, min_qty "
    "bigint NOT NULL, max_qty bigint NOT NULL, daily_limit bigint NOT NULL, rev bigint NOT "
    "NULL, anon_daily_cap bigint);"
    "CREATE TABLE rates(category integer NOT NULL, version bigint NOT NULL, unit integer NOT "
    "NULL, rate bigint NOT NULL, created_s bigint NOT NULL, anon_daily_cap bigint, PRIMARY "
    "KEY(category, version));"
    "CREATE TABLE residents(id bigint PRIMARY KEY, card_hash text NOT NULL UNIQUE, name text "
    "NOT NULL, status text NOT NULL, block_reason text NOT NULL, points_base bigint NOT NULL, "
    "rev bigint NOT NULL);"
    "CREATE TABLE staff(id bigint PRIMARY KEY, card_hash text NOT NULL UNIQUE, name text NOT "
    "NULL, role text NOT NULL, pin_hash text NOT NULL, rev bigint NOT NULL);"
    "CREATE TABLE blocklist(card_hash text PRIMARY KEY, reason text NOT NULL, rev bigint NOT "
    "NULL);"
    "CREATE TABLE tombstones(rev bigint PRIMARY KEY, tbl text NOT NULL, key text NOT NULL);"
    "CREATE TABLE claims(kiosk bigint NOT NULL, seq bigint NOT NULL, claimed_s bigint NOT "
    "NULL, resident bigint, category integer, local_day integer, qty bigint, points bigint, "
    "actor text, PRIMARY KEY(kiosk, seq));"
    "CREATE INDEX claims_resident_day ON claims(resident, category, local_day) WHERE resident "
    "IS NOT NULL;"
    "CREATE TABLE signed_replies(kiosk bigint NOT NULL, request_id bytea NOT NULL, time_s "
    "bigint NOT NULL, status integer NOT NULL, answer text NOT NULL, PRIMARY KEY(kiosk, "
    "request_id));"
    "CREATE INDEX signed_replies_time ON signed_replies(time_s);"
    "CREATE TABLE points_entries(id bigserial PRIMARY KEY, resident bigint NOT NULL, kind "
    "integer NOT NULL CHECK(kind BETWEEN 1 AND 4), points bigint NOT NULL, kiosk bigint, seq "
    "bigint, at_s bigint NOT NULL, actor text NOT NULL, reason text NOT NULL, idem_key text);"
    "CREATE UNIQUE INDEX points_entries_key ON points_entries(idem_key) WHERE idem_key IS NOT "
    "NULL;"
    "CREATE INDEX points_entries_resident ON points_entries(resident, id);"
    "CREATE UNIQUE INDEX points_entries_source ON points_entries(kiosk, seq, kind) WHERE kiosk "
    "IS NOT NULL;"
    "CREATE FUNCTION points_entries_frozen() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "RAISE EXCEPTION 'points entries are never changed or deleted'; END $$;"
    "CREATE TRIGGER points_entries_no_change BEFORE UPDATE OR DELETE ON points_entries FOR "
    "EACH ROW EXECUTE FUNCTION points_entries_frozen();"
    "CREATE TABLE points_totals(resident bigint PRIMARY KEY, balance bigint NOT NULL);"
    "CREATE TABLE office_users(id bigserial PRIMARY KEY, name text NOT NULL UNIQUE, pw_hash "
    "text NOT NULL, role text NOT NULL, created_s bigint NOT NULL, changed_s bigint NOT NULL);"
    "CREATE TABLE office_sessions(id_hash bytea PRIMARY KEY, user_id bigint NOT NULL "
    "REFERENCES office_users(id) ON DELETE CASCADE, csrf text NOT NULL, created_s bigint NOT "
    "NULL, seen_s bigint NOT NULL);"
    "CREATE INDEX office_sessions_user ON office_sessions(user_id);"
    "CREATE TABLE office_audit(id bigserial PRIMARY KEY, at_s bigint NOT NULL, who text NOT "
    "NULL, action text NOT NULL, detail text NOT NULL, addr text NOT NULL);"
    "CREATE TABLE office_login_failures(id bigserial PRIMARY KEY, key text NOT NULL, at_s "
    "bigint NOT NULL);"
    "CREATE INDEX office_login_failures_key ON office_login_failures(key, at_s);"
    "CREATE INDEX office_login_failures_at ON office_login_failures(at_s);"
    "CREATE TABLE office_tokens(id bigserial PRIMARY KEY, name text NOT NULL, hash bytea NOT "
    "NULL UNIQUE, scope text NOT NULL, created_s bigint NOT NULL, revoked_s bigint);"
    "CREATE TABLE report_daily(kiosk bigint NOT NULL, local_day integer NOT NULL, category "
    "integer NOT NULL, drops bigint NOT NULL, grams bigint NOT NULL, pieces bigint NOT NULL, "
    "points bigint NOT NULL, PRIMARY KEY(local_day, kiosk, category));"
    "CREATE INDEX report_daily_kiosk ON report_daily(kiosk, local_day);"
    "CREATE TABLE seq_ranges(kiosk bigint NOT NULL, first_seq bigint NOT NULL, last_seq "
    "bigint NOT NULL, PRIMARY KEY(kiosk, first_seq));"
    "CREATE TABLE late_records(kiosk bigint NOT NULL, seq bigint NOT NULL, kind integer NOT "
    "NULL, time_s bigint NOT NULL, received_s bigint NOT NULL, PRIMARY KEY(kiosk, seq));"
    "CREATE TABLE day_closes(close_no bigserial PRIMARY KEY, kiosk bigint NOT NULL, local_day "
    "integer NOT NULL, closed_s bigint NOT NULL);"
    "CREATE INDEX day_closes_day ON day_closes(local_day, kiosk, close_no);"
    "CREATE TABLE close_totals(close_no bigint NOT NULL, category integer NOT NULL, drops "
    "bigint NOT NULL, grams bigint NOT NULL, pieces bigint NOT NULL, points bigint NOT NULL, "
    "PRIMARY KEY(close_no, category));"
    "CREATE TABLE bin_spans(kiosk bigint NOT NULL, seq bigint NOT NULL, category integer NOT "
    "NULL, prev_seq bigint NOT NULL, drops bigint NOT NULL, grams bigint NOT NULL, PRIMARY "
    "KEY(kiosk, seq));"
    "CREATE TABLE resident_days(local_day integer NOT NULL, resident bigint NOT NULL, "
    "category integer NOT NULL, credited bigint NOT NULL, earned bigint NOT NULL, claimed_qty "
    "bigint NOT NULL, claimed bigint NOT NULL, PRIMARY KEY(local_day, resident, category));"
    "CREATE TABLE resident_moves(utc_day integer NOT NULL, resident bigint NOT NULL, redeemed "
    "bigint NOT NULL, adjusted bigint NOT NULL, PRIMARY KEY(utc_day, resident));",
    /* 2: the reports' summaries kept by triggers, whoever inserts the rows
     * (one record or a bulk INSERT ... SELECT / COPY): statement-level, over
     * the statement's new rows (a transition table), as the SQLite backend
     * keeps them in C (store_sqlite_summary.c) and by its triggers
     * (resident_days, resident_moves): report_daily, seq_ranges (runs
     * merged with the runs beside them), late_records (STORE_LATE_MIN_S =
     * 3600), bin_spans (a collection's weighed drops since the one before;
     * a later collection held already gives up the drops before a new one;
     * a late drop joins the span of the collection after it), resident_days
     * and resident_moves (UTC day of central: wf_utc_day). Upserts in key
     * order (no deadlock between two kiosks' batches). wf_summary_rebuild()
     * computes them all again from the rows (a bulk load without triggers). */

    "CREATE FUNCTION wf_utc_day(t bigint) RETURNS integer LANGUAGE sql IMMUTABLE AS $$ "
    "SELECT to_char(date '1970-01-01' + ((t - ((t % 86400) + 86400) % 86400) / "
    "86400)::integer, 'YYYYMMDD')::integer $$; CREATE FUNCTION wf_records_summaries() "
    "RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO report_daily AS t(kiosk, "
    "local_day, category, drops, grams, pieces, points) SELECT kiosk, COALESCE(local_day, "
    "0), COALESCE(category, 0), count(*), sum(CASE WHEN unit = 1 THEN qty ELSE 0 END), "
    "sum(CASE WHEN unit = 2 THEN qty ELSE 0 END), sum(points) FROM new_rows WHERE kind = 1 "
    "GROUP BY 2, 1, 3 ORDER BY 2, 1, 3 ON CONFLICT (local_day, kiosk, category) DO UPDATE "
    "SET drops = t.drops + EXCLUDED.drops, grams = t.grams + EXCLUDED.grams, pieces = "
    "t.pieces + EXCLUDED.pieces, points = t.points + EXCLUDED.points; INSERT INTO "
    "resident_days AS t(local_day, resident, category, credited, earned, claimed_qty, "
    "claimed) SELECT local_day, resident, category, sum(credited), sum(points), 0, 0 FROM "
    "new_rows WHERE kind = 1 AND resident IS NOT NULL AND local_day IS NOT NULL GROUP BY 1, "
    "2, 3 ORDER BY 1, 2, 3 ON CONFLICT (local_day, resident, category) DO UPDATE SET "
    "credited = t.credited + EXCLUDED.credited, earned = t.earned + EXCLUDED.earned; INSERT "
    "INTO late_records(kiosk, seq, kind, time_s, received_s) SELECT kiosk, seq, kind, "
    "time_s, received_s FROM new_rows WHERE time_s IS NOT NULL AND time_s <> 0 AND "
    "received_s - time_s > 3600 ORDER BY 1, 2 ON CONFLICT DO NOTHING; WITH nr AS (SELECT "
    "kiosk, min(seq) AS f, max(seq) AS l FROM (SELECT kiosk, seq, seq - row_number() OVER "
    "(PARTITION BY kiosk ORDER BY seq) AS g FROM new_rows) x GROUP BY kiosk, g), adj AS "
    "(DELETE FROM seq_ranges s USING nr WHERE s.kiosk = nr.kiosk AND (s.last_seq = nr.f - 1 "
    "OR s.first_seq = nr.l + 1) RETURNING s.kiosk, s.first_seq AS f, s.last_seq AS l), a AS "
    "(SELECT kiosk, f, l FROM nr UNION ALL SELECT kiosk, f, l FROM adj), m AS (SELECT "
    "kiosk, f, l, CASE WHEN f = lag(l) OVER (PARTITION BY kiosk ORDER BY f) + 1 THEN 0 ELSE "
    "1 END AS brk FROM a), g AS (SELECT kiosk, f, l, sum(brk) OVER (PARTITION BY kiosk "
    "ORDER BY f) AS run FROM m) INSERT INTO seq_ranges(kiosk, first_seq, last_seq) SELECT "
    "kiosk, min(f), max(l) FROM g GROUP BY kiosk, run ORDER BY 1, 2; WITH nr AS (SELECT "
    "kiosk, seq, category, CASE WHEN kind = 1 THEN 1 ELSE 0 END AS w, CASE WHEN kind = 1 "
    "THEN COALESCE(qty, 0) ELSE 0 END AS q FROM new_rows WHERE (kind = 1 AND unit = 1) OR "
    "kind = 2), tg AS (SELECT DISTINCT nr.kiosk, x.nxt AS seq FROM nr CROSS JOIN LATERAL "
    "(SELECT min(r.seq) AS nxt FROM records r WHERE r.kind = 2 AND r.kiosk = nr.kiosk AND "
    "r.category = nr.category AND r.seq > nr.seq) x WHERE x.nxt IS NOT NULL), u AS (SELECT "
    "b.kiosk, b.seq, p.prev, (SELECT count(*) FROM nr WHERE nr.w = 1 AND nr.kiosk = b.kiosk "
    "AND nr.category = b.category AND nr.seq > p.prev AND nr.seq < b.seq) AS add_n, (SELECT "
    "COALESCE(sum(nr.q), 0) FROM nr WHERE nr.w = 1 AND nr.kiosk = b.kiosk AND nr.category = "
    "b.category AND nr.seq > p.prev AND nr.seq < b.seq) AS add_g, CASE WHEN p.prev > "
    "b.prev_seq THEN (SELECT count(*) FROM records d WHERE d.kiosk = b.kiosk AND d.seq > "
    "b.prev_seq AND d.seq < p.prev AND d.kind = 1 AND d.category = b.category AND d.unit = "
    "1 AND NOT EXISTS (SELECT 1 FROM nr WHERE nr.kiosk = d.kiosk AND nr.seq = d.seq)) ELSE "
    "0 END AS sub_n, CASE WHEN p.prev > b.prev_seq THEN (SELECT COALESCE(sum(d.qty), 0) "
    "FROM records d WHERE d.kiosk = b.kiosk AND d.seq > b.prev_seq AND d.seq < p.prev AND "
    "d.kind = 1 AND d.category = b.category AND d.unit = 1 AND NOT EXISTS (SELECT 1 FROM nr "
    "WHERE nr.kiosk = d.kiosk AND nr.seq = d.seq)) ELSE 0 END AS sub_g FROM tg JOIN "
    "bin_spans b ON b.kiosk = tg.kiosk AND b.seq = tg.seq CROSS JOIN LATERAL (SELECT "
    "COALESCE(max(r.seq), 0) AS prev FROM records r WHERE r.kind = 2 AND r.kiosk = b.kiosk "
    "AND r.category = b.category AND r.seq < b.seq) p) UPDATE bin_spans b SET prev_seq = "
    "u.prev, drops = b.drops + u.add_n - u.sub_n, grams = b.grams + u.add_g - u.sub_g FROM "
    "u WHERE b.kiosk = u.kiosk AND b.seq = u.seq; INSERT INTO bin_spans(kiosk, seq, "
    "category, prev_seq, drops, grams) SELECT b.kiosk, b.seq, b.category, p.prev, s.n, s.g "
    "FROM new_rows b CROSS JOIN LATERAL (SELECT COALESCE(max(r.seq), 0) AS prev FROM "
    "records r WHERE r.kind = 2 AND r.kiosk = b.kiosk AND r.category = b.category AND r.seq "
    "< b.seq) p CROSS JOIN LATERAL (SELECT count(*) AS n, COALESCE(sum(d.qty), 0) AS g FROM "
    "records d WHERE d.kiosk = b.kiosk AND d.seq > p.prev AND d.seq < b.seq AND d.kind = 1 "
    "AND d.category = b.category AND d.unit = 1) s WHERE b.kind = 2 ORDER BY 1, 2; RETURN "
    "NULL; END $$; CREATE TRIGGER records_summaries AFTER INSERT ON records REFERENCING NEW "
    "TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION wf_records_summaries(); CREATE "
    "FUNCTION wf_claims_summaries() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT "
    "INTO resident_days AS t(local_day, resident, category, credited, earned, claimed_qty, "
    "claimed) SELECT local_day, resident, category, 0, 0, sum(qty), sum(points) FROM "
    "new_rows WHERE resident IS NOT NULL GROUP BY 1, 2, 3 ORDER BY 1, 2, 3 ON CONFLICT "
    "(local_day, resident, category) DO UPDATE SET claimed_qty = t.claimed_qty + "
    "EXCLUDED.claimed_qty, claimed = t.claimed + EXCLUDED.claimed; RETURN NULL; END $$; "
    "CREATE TRIGGER claims_summaries AFTER INSERT ON claims REFERENCING NEW TABLE AS "
    "new_rows FOR EACH STATEMENT EXECUTE FUNCTION wf_claims_summaries(); CREATE FUNCTION "
    "wf_points_summaries() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO "
    "resident_moves AS t(utc_day, resident, redeemed, adjusted) SELECT wf_utc_day(at_s), "
    "resident, -sum(CASE WHEN kind = 3 THEN points ELSE 0 END), sum(CASE WHEN kind = 4 THEN "
    "points ELSE 0 END) FROM new_rows WHERE kind IN (3, 4) GROUP BY 1, 2 ORDER BY 1, 2 ON "
    "CONFLICT (utc_day, resident) DO UPDATE SET redeemed = t.redeemed + EXCLUDED.redeemed, "
    "adjusted = t.adjusted + EXCLUDED.adjusted; RETURN NULL; END $$; CREATE TRIGGER "
    "points_entries_summaries AFTER INSERT ON points_entries REFERENCING NEW TABLE AS "
    "new_rows FOR EACH STATEMENT EXECUTE FUNCTION wf_points_summaries(); CREATE FUNCTION "
    "wf_summary_rebuild() RETURNS void LANGUAGE plpgsql AS $$ BEGIN TRUNCATE report_daily, "
    "seq_ranges, late_records, bin_spans, resident_days, resident_moves; INSERT INTO "
    "report_daily(kiosk, local_day, category, drops, grams, pieces, points) SELECT kiosk, "
    "COALESCE(local_day, 0), COALESCE(category, 0), count(*), sum(CASE WHEN unit = 1 THEN "
    "qty ELSE 0 END), sum(CASE WHEN unit = 2 THEN qty ELSE 0 END), sum(points) FROM records "
    "WHERE kind = 1 GROUP BY 2, 1, 3 ORDER BY 2, 1, 3; INSERT INTO seq_ranges(kiosk, "
    "first_seq, last_seq) SELECT kiosk, min(seq), max(seq) FROM (SELECT kiosk, seq, seq - "
    "row_number() OVER (PARTITION BY kiosk ORDER BY seq) AS g FROM records) x GROUP BY "
    "kiosk, g; INSERT INTO late_records(kiosk, seq, kind, time_s, received_s) SELECT kiosk, "
    "seq, kind, time_s, received_s FROM records WHERE time_s IS NOT NULL AND time_s <> 0 "
    "AND received_s - time_s > 3600; WITH x AS (SELECT kiosk, seq, kind, category, qty, "
    "count(*) FILTER (WHERE kind = 2) OVER (PARTITION BY kiosk, category ORDER BY seq) - "
    "CASE WHEN kind = 2 THEN 1 ELSE 0 END AS k FROM records WHERE kind = 2 OR (kind = 1 AND "
    "unit = 1)), g AS (SELECT kiosk, category, k, max(seq) FILTER (WHERE kind = 2) AS bseq, "
    "count(*) FILTER (WHERE kind = 1) AS n, COALESCE(sum(qty) FILTER (WHERE kind = 1), 0) "
    "AS gr FROM x GROUP BY kiosk, category, k), p AS (SELECT kiosk, category, bseq, "
    "COALESCE(lag(bseq) OVER (PARTITION BY kiosk, category ORDER BY k), 0) AS prev, n, gr "
    "FROM g) INSERT INTO bin_spans(kiosk, seq, category, prev_seq, drops, grams) SELECT "
    "kiosk, bseq, category, prev, n, gr FROM p WHERE bseq IS NOT NULL; INSERT INTO "
    "resident_days(local_day, resident, category, credited, earned, claimed_qty, claimed) "
    "SELECT local_day, resident, category, sum(credited), sum(points), 0, 0 FROM records "
    "WHERE kind = 1 AND resident IS NOT NULL AND local_day IS NOT NULL GROUP BY 1, 2, 3 "
    "ORDER BY 1, 2, 3; INSERT INTO resident_days AS t(local_day, resident, category, "
    "credited, earned, claimed_qty, claimed) SELECT local_day, resident, category, 0, 0, "
    "sum(qty), sum(points) FROM claims WHERE resident IS NOT NULL GROUP BY 1, 2, 3 ON "
    "CONFLICT (local_day, resident, category) DO UPDATE SET claimed_qty = "
    "EXCLUDED.claimed_qty, claimed = EXCLUDED.claimed; INSERT INTO resident_moves(utc_day, "
    "resident, redeemed, adjusted) SELECT wf_utc_day(at_s), resident, -sum(CASE WHEN kind = "
    "3 THEN points ELSE 0 END), sum(CASE WHEN kind = 4 THEN points ELSE 0 END) FROM "
    "points_entries WHERE kind IN (3, 4) GROUP BY 1, 2; END $$;",
    /* 3: residents touched (their balance moved) and not yet given a
     * revision: a batch marks its residents here instead of taking a fresh
     * revision on meta 'rev' (one row every batch held until commit), and
     * catalog_read stamps them all with one revision before it reads
     * (store_pg_catalogue.c, "Touches"). n counts touches: a touch of a row
     * already there updates it, so the row stays locked until that
     * transaction ends. */
    "CREATE TABLE resident_dirty(id bigint PRIMARY KEY, n bigint NOT NULL DEFAULT 1);",
    /* 4: each resident's running total (points_totals) kept by the points
     * ledger's statement-level trigger, with resident_moves, over the
     * statement's new entries: whoever appends them (one entry, a batch's
     * INSERT ... SELECT, a COPY) moves the totals in the same statement,
     * once per resident, residents ascending (two batches lock shared
     * totals in one order: no deadlock). Before, the writers upserted the
     * totals themselves in a CTE (store_pg_points.c). */
    "CREATE OR REPLACE FUNCTION wf_points_summaries() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN INSERT INTO points_totals AS t(resident, balance) SELECT resident, "
    "sum(points)::bigint FROM new_rows GROUP BY resident ORDER BY resident ON "
    "CONFLICT(resident) DO UPDATE SET balance = t.balance + EXCLUDED.balance; INSERT INTO "
    "resident_moves AS t(utc_day, resident, redeemed, adjusted) SELECT wf_utc_day(at_s), "
    "resident, -sum(CASE WHEN kind = 3 THEN points ELSE 0 END), sum(CASE WHEN kind = 4 THEN "
    "points ELSE 0 END) FROM new_rows WHERE kind IN (3, 4) GROUP BY 1, 2 ORDER BY 1, 2 ON "
    "CONFLICT (utc_day, resident) DO UPDATE SET redeemed = t.redeemed + EXCLUDED.redeemed, "
    "adjusted = t.adjusted + EXCLUDED.adjusted; RETURN NULL; END $$;",
};

#define NMIGRATIONS ((int)(sizeof migrations / sizeof migrations[0]))

/* A fresh store gets its card key: 32 random bytes, version 1 (the first
 * central to get here wins; the others keep its key). */
static int card_key_create(struct pg_store *p)
{
	static const char sql[] =
	    "INSERT INTO meta(key, value, bytes) VALUES('card_key', NULL, $1), "
	    "('card_key_version', 1, NULL) ON CONFLICT (key) DO NOTHING";
	uint8_t key[32];
	randombytes_buf(key, sizeof key);
	struct pg_params pp = {0};
	pg_p_bytes(&pp, key, sizeof key);
	int rc = pg_run(p, sql, &pp, NULL);
	sodium_memzero(key, sizeof key);
	return rc;
}

static int current_version(struct pg_store *p, int *version)
{
	static const char sql[] = "SELECT COALESCE(MAX(version), 0) FROM schema_version";
	int64_t v = 0;
	int rc = pg_exec(p, "CREATE TABLE IF NOT EXISTS schema_version(version integer PRIMARY "
	                    "KEY, applied_s bigint NOT NULL)");
	if (!rc)
		rc = pg_value(p, sql, NULL, &v);
	*version = (int)v;
	return rc;
}

static int apply(struct pg_store *p, int n)
{
	static const char mark[] = "INSERT INTO schema_version(version, applied_s) VALUES($1, "
	                           "EXTRACT(EPOCH FROM now())::bigint)";
	int rc = pg_exec(p, "BEGIN");
	if (!rc)
		rc = pg_exec(p, migrations[n - 1]);
	if (!rc) {
		struct pg_params pp = {0};
		pg_p_i64(&pp, n);
		rc = pg_run(p, mark, &pp, NULL);
	}
	if (!rc)
		rc = pg_exec(p, "COMMIT");
	if (rc) {
		char why[sizeof p->base.err];
		memcpy(why, p->base.err, sizeof why);
		PGresult *r = PQexec(p->conn, "ROLLBACK");
		PQclear(r);
		store_set_err(&p->base, "migration %d: %s", n, why);
	}
	return rc;
}

int pg_migrate(struct pg_store *p, int *version)
{
	char lock[96];
	snprintf(lock, sizeof lock, "SELECT pg_advisory_lock(%d)", PG_MIGRATE_LOCK);
	int rc = pg_exec(p, lock);
	if (rc)
		return rc;
	int v = 0;
	rc = current_version(p, &v);
	if (!rc && v > NMIGRATIONS) {
		store_set_err(&p->base,
		              "the database is at schema %d, newer than this wufei-central (%d): "
		              "upgrade wufei-central",
		              v, NMIGRATIONS);
		rc = WF_ESTATE;
	}
	while (!rc && v < NMIGRATIONS) {
		rc = apply(p, v + 1);
		if (!rc)
			v++;
	}
	if (!rc)
		rc = card_key_create(p);
	snprintf(lock, sizeof lock, "SELECT pg_advisory_unlock(%d)", PG_MIGRATE_LOCK);
	PGresult *r = PQexec(p->conn, lock);
	PQclear(r);
	*version = v;
	return rc;
}
