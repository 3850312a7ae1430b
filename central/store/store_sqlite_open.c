/*
 * store_sqlite_open.c — the SQLite backend of store.h (the embedded
 * default): opening, the schema and its migrations, closing, and the ops
 * table that joins the sides (store_sqlite.h lists them). WAL,
 * synchronous=FULL, schema versioned with PRAGMA user_version. Every
 * statement is prepared with bound parameters; hot ones are kept prepared.
 */
#include "store_sqlite.h"

#include <stdio.h>
#include <stdlib.h>

#include <sodium.h>

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
    /* 2: the facts reports and claim limits need, in columns (filled at
     * ingest; rows stored before are filled from their bytes once, by
     * backfill_facts). NULL where the kind has no such field. */
    "ALTER TABLE records ADD COLUMN time_s INTEGER;"
    "ALTER TABLE records ADD COLUMN category INTEGER;"
    "ALTER TABLE records ADD COLUMN unit INTEGER;"
    "ALTER TABLE records ADD COLUMN dflags INTEGER;"
    "ALTER TABLE records ADD COLUMN qty INTEGER;"
    "ALTER TABLE records ADD COLUMN credited INTEGER;"
    "ALTER TABLE records ADD COLUMN local_day INTEGER;"
    "DROP INDEX records_resident;"
    "CREATE INDEX records_resident_day ON records(resident, category, local_day) WHERE "
    "resident IS NOT NULL;",
    /* 3: the answers of signed requests that change something, kept
     * while a replay of them could still pass the time window */
    "CREATE TABLE signed_replies(kiosk INTEGER NOT NULL, request_id BLOB NOT NULL, time_s "
    "INTEGER NOT NULL, status INTEGER NOT NULL, answer TEXT NOT NULL, PRIMARY KEY(kiosk, "
    "request_id)) WITHOUT ROWID;"
    "CREATE INDEX signed_replies_time ON signed_replies(time_s);",
    /* 4: each kiosk's IANA time zone (receipt pages in local time); kiosks
     * enrolled before get STORE_TZ_DEFAULT */
    "ALTER TABLE kiosks ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'Asia/Shanghai';",
    /* 5: the points ledger (entries never updated: the triggers refuse
     * it) with a running total per resident, written in the same
     * transaction as each entry; claims name their resident. A store from
     * before gets an opening 'adjusted' entry per resident with a base
     * balance and an 'earned' entry per stored drop of a resident. */
    "CREATE TABLE points_entries(id INTEGER PRIMARY KEY, resident INTEGER NOT NULL, kind "
    "INTEGER NOT NULL CHECK(kind BETWEEN 1 AND 4), points INTEGER NOT NULL, kiosk INTEGER, "
    "seq INTEGER, at_s INTEGER NOT NULL, actor TEXT NOT NULL, reason TEXT NOT NULL, "
    "idem_key TEXT);"
    "CREATE UNIQUE INDEX points_entries_key ON points_entries(idem_key) WHERE idem_key IS NOT "
    "NULL;"
    "CREATE INDEX points_entries_resident ON points_entries(resident, id);"
    "CREATE UNIQUE INDEX points_entries_source ON points_entries(kiosk, seq, kind) WHERE kiosk "
    "IS NOT NULL;"
    "CREATE TRIGGER points_entries_no_update BEFORE UPDATE ON points_entries BEGIN SELECT "
    "RAISE(ABORT, 'points entries are never changed'); END;"
    "CREATE TRIGGER points_entries_no_delete BEFORE DELETE ON points_entries BEGIN SELECT "
    "RAISE(ABORT, 'points entries are never deleted'); END;"
    "CREATE TABLE points_totals(resident INTEGER PRIMARY KEY, balance INTEGER NOT NULL);"
    "ALTER TABLE claims ADD COLUMN resident INTEGER;"
    "ALTER TABLE claims ADD COLUMN category INTEGER;"
    "ALTER TABLE claims ADD COLUMN local_day INTEGER;"
    "ALTER TABLE claims ADD COLUMN qty INTEGER;"
    "ALTER TABLE claims ADD COLUMN points INTEGER;"
    "ALTER TABLE claims ADD COLUMN actor TEXT;"
    "CREATE INDEX claims_resident_day ON claims(resident, category, local_day) WHERE "
    "resident IS NOT NULL;"
    "INSERT INTO points_entries(resident, kind, points, at_s, actor, reason) SELECT id, 4, "
    "points_base, CAST(strftime('%s', 'now') AS INTEGER), 'migration', 'opening balance' FROM "
    "residents WHERE points_base <> 0 ORDER BY id;"
    "INSERT INTO points_entries(resident, kind, points, kiosk, seq, at_s, actor, reason) "
    "SELECT resident, 1, points, kiosk, seq, received_s, 'kiosk', '' FROM records WHERE "
    "resident IS NOT NULL AND kind = 1 ORDER BY received_s, kiosk, seq;"
    "INSERT INTO points_totals(resident, balance) SELECT resident, SUM(points) FROM "
    "points_entries GROUP BY resident;",
    /* 6: the anonymous daily cap per kiosk and category (NULL = no cap),
     * on the category and on each rate version (what a drop naming that
     * version was held to); a kiosk's day of anonymous drops by index. */
    "ALTER TABLE categories ADD COLUMN anon_daily_cap INTEGER;"
    "ALTER TABLE rates ADD COLUMN anon_daily_cap INTEGER;"
    "CREATE INDEX records_anon_day ON records(kiosk, category, local_day, credited) WHERE "
    "dflags & 1;",
    /* 7: the office: users, sessions, audit log, login failures, API tokens */
    "CREATE TABLE office_users(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, pw_hash "
    "TEXT NOT NULL, role TEXT NOT NULL, created_s INTEGER NOT NULL, changed_s INTEGER NOT "
    "NULL);"
    "CREATE TABLE office_sessions(id_hash BLOB PRIMARY KEY, user INTEGER NOT NULL REFERENCES "
    "office_users(id) ON DELETE CASCADE, csrf TEXT NOT NULL, created_s INTEGER NOT NULL, "
    "seen_s INTEGER NOT NULL) WITHOUT ROWID;"
    "CREATE INDEX office_sessions_user ON office_sessions(user);"
    "CREATE TABLE office_audit(id INTEGER PRIMARY KEY, at_s INTEGER NOT NULL, who TEXT NOT "
    "NULL, action TEXT NOT NULL, detail TEXT NOT NULL, addr TEXT NOT NULL);"
    "CREATE TABLE office_login_failures(id INTEGER PRIMARY KEY, key TEXT NOT NULL, at_s "
    "INTEGER NOT NULL);"
    "CREATE INDEX office_login_failures_key ON office_login_failures(key, at_s);"
    "CREATE INDEX office_login_failures_at ON office_login_failures(at_s);"
    "CREATE TABLE office_tokens(id INTEGER PRIMARY KEY, name TEXT NOT NULL, hash BLOB NOT NULL "
    "UNIQUE, scope TEXT NOT NULL, created_s INTEGER NOT NULL, revoked_s INTEGER);",
    /* 8: what the office's reports read, kept at ingest in the record's
     * transaction (store_sqlite_summary.c; filled once from the records'
     * columns by sq_summary_rebuild): drop totals per kiosk, local day and
     * category; the runs of seq held per kiosk; records that arrived late;
     * each bin collection's drops since the one before;
     * the office's day closes with their frozen totals; and partial indexes
     * for the few bin collections and day closes among the records. */
    "CREATE TABLE report_daily(kiosk INTEGER NOT NULL, local_day INTEGER NOT NULL, category "
    "INTEGER NOT NULL, drops INTEGER NOT NULL, grams INTEGER NOT NULL, pieces INTEGER NOT "
    "NULL, points INTEGER NOT NULL, PRIMARY KEY(local_day, kiosk, category)) WITHOUT ROWID;"
    "CREATE INDEX report_daily_kiosk ON report_daily(kiosk, local_day);"
    "CREATE TABLE seq_ranges(kiosk INTEGER NOT NULL, first_seq INTEGER NOT NULL, last_seq "
    "INTEGER NOT NULL, PRIMARY KEY(kiosk, first_seq)) WITHOUT ROWID;"
    "CREATE TABLE late_records(kiosk INTEGER NOT NULL, seq INTEGER NOT NULL, kind INTEGER NOT "
    "NULL, time_s INTEGER NOT NULL, received_s INTEGER NOT NULL, PRIMARY KEY(kiosk, seq)) "
    "WITHOUT ROWID;"
    "CREATE TABLE day_closes(close_no INTEGER PRIMARY KEY, kiosk INTEGER NOT NULL, local_day "
    "INTEGER NOT NULL, closed_s INTEGER NOT NULL);"
    "CREATE INDEX day_closes_day ON day_closes(local_day, kiosk, close_no);"
    "CREATE TABLE close_totals(close_no INTEGER NOT NULL, category INTEGER NOT NULL, drops "
    "INTEGER NOT NULL, grams INTEGER NOT NULL, pieces INTEGER NOT NULL, points INTEGER NOT "
    "NULL, PRIMARY KEY(close_no, category)) WITHOUT ROWID;"
    "CREATE TABLE bin_spans(kiosk INTEGER NOT NULL, seq INTEGER NOT NULL, category INTEGER "
    "NOT NULL, prev_seq INTEGER NOT NULL, drops INTEGER NOT NULL, grams INTEGER NOT NULL, "
    "PRIMARY KEY(kiosk, seq)) WITHOUT ROWID;"
    "CREATE INDEX records_bin ON records(kiosk, category, seq) WHERE kind = 2;"
    "CREATE INDEX records_day_close ON records(local_day, kiosk) WHERE kind = 4;",
    /* 9: what the residents report reads (store_sqlite_residents.c), kept by
     * triggers in the transaction of each new record, claim and points
     * entry (records, claims and entries are never updated or deleted; the
     * one UPDATE, backfill_facts on a store from before the fact columns,
     * has its own trigger): per (local day, resident, category) the
     * credited quantity and points of the resident's drops and of the
     * receipts claimed onto them; per (central's UTC day, resident) the
     * points redeemed and adjusted. Filled once from what the store holds. */
    "CREATE TABLE resident_days(local_day INTEGER NOT NULL, resident INTEGER NOT NULL, "
    "category INTEGER NOT NULL, credited INTEGER NOT NULL, earned INTEGER NOT NULL, "
    "claimed_qty INTEGER NOT NULL, claimed INTEGER NOT NULL, PRIMARY KEY(local_day, resident, "
    "category)) WITHOUT ROWID;"
    "CREATE TABLE resident_moves(utc_day INTEGER NOT NULL, resident INTEGER NOT NULL, "
    "redeemed INTEGER NOT NULL, adjusted INTEGER NOT NULL, PRIMARY KEY(utc_day, resident)) "
    "WITHOUT ROWID;"
    "CREATE TRIGGER resident_days_drop AFTER INSERT ON records WHEN NEW.kind = 1 AND "
    "NEW.resident IS NOT NULL AND NEW.local_day IS NOT NULL BEGIN INSERT INTO resident_days "
    "VALUES(NEW.local_day, NEW.resident, NEW.category, "
    "NEW.credited, NEW.points, 0, 0) ON CONFLICT DO UPDATE SET credited = credited + "
    "excluded.credited, earned = earned + excluded.earned; END;"
    "CREATE TRIGGER resident_days_facts AFTER UPDATE OF local_day ON records WHEN "
    "OLD.local_day IS NULL AND NEW.local_day IS NOT NULL AND NEW.kind = 1 AND NEW.resident IS "
    "NOT NULL BEGIN INSERT INTO resident_days VALUES(NEW.local_day, NEW.resident, NEW.category, "
    "NEW.credited, NEW.points, 0, 0) ON CONFLICT DO UPDATE SET credited = credited + "
    "excluded.credited, earned = earned + excluded.earned; END;"
    "CREATE TRIGGER resident_days_claim AFTER INSERT ON claims WHEN NEW.resident IS NOT NULL "
    "BEGIN INSERT INTO resident_days VALUES(NEW.local_day, NEW.resident, NEW.category, 0, 0, "
    "NEW.qty, NEW.points) ON CONFLICT DO UPDATE SET claimed_qty = claimed_qty + "
    "excluded.claimed_qty, claimed = claimed + excluded.claimed; END;"
    "CREATE TRIGGER resident_moves_entry AFTER INSERT ON points_entries WHEN NEW.kind IN (3, "
    "4) BEGIN INSERT INTO resident_moves VALUES(CAST(strftime('%Y%m%d', NEW.at_s, "
    "'unixepoch') AS INTEGER), NEW.resident, CASE NEW.kind WHEN 3 THEN -NEW.points ELSE 0 "
    "END, CASE NEW.kind WHEN 4 THEN NEW.points ELSE 0 END) ON CONFLICT DO UPDATE SET "
    "redeemed = redeemed + excluded.redeemed, adjusted = adjusted + excluded.adjusted; END;"
    "INSERT INTO resident_days SELECT local_day, resident, category, SUM(credited), "
    "SUM(points), 0, 0 FROM records WHERE kind = 1 AND resident IS NOT NULL AND local_day IS "
    "NOT NULL GROUP BY local_day, resident, category;"
    "INSERT INTO resident_days SELECT local_day, resident, category, 0, 0, SUM(qty), "
    "SUM(points) FROM claims WHERE resident IS NOT NULL GROUP BY local_day, resident, "
    "category ON CONFLICT DO UPDATE SET claimed_qty = excluded.claimed_qty, claimed = "
    "excluded.claimed;"
    "INSERT INTO resident_moves SELECT CAST(strftime('%Y%m%d', at_s, 'unixepoch') AS "
    "INTEGER) AS d, resident, -SUM(CASE kind WHEN 3 THEN points ELSE 0 END), SUM(CASE kind "
    "WHEN 4 THEN points ELSE 0 END) FROM points_entries WHERE kind IN (3, 4) GROUP BY d, "
    "resident;",
};

/* The schema version that added the fact columns. */
#define FACTS_VERSION   2
/* The schema version that added the reports' summaries (renumber with its migration). */
#define REPORTS_VERSION 8

static void sq_close(struct store *s)
{
	struct store_sqlite *q = SQ(s);
	sqlite3_finalize(q->ins_record);
	sqlite3_finalize(q->get_record);
	sqlite3_finalize(q->get_rate);
	sqlite3_finalize(q->ins_points);
	sqlite3_finalize(q->add_total);
	sq_summary_close(s);
	sqlite3_close(q->db);
	free(q);
}

/* SQLite's writers are serialised by BEGIN IMMEDIATE already. */
static int sq_lock(struct store *s, enum store_lock_scope scope, int64_t id)
{
	(void)s;
	(void)scope;
	(void)id;
	return WF_OK;
}

static int sq_schema_version(struct store *s, int *version)
{
	int64_t v = 0;
	int rc = sq_value(s, "PRAGMA user_version", &v);
	if (!rc)
		*version = (int)v;
	return rc;
}

static const struct store_ops sqlite_ops = {
    .close = sq_close,
    .begin = sq_begin,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .lock = sq_lock,
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
    .reply_get = sq_reply_get,
    .reply_put = sq_reply_put,
    .ping = sq_ping,
    .kiosk_silence = sq_kiosk_silence,
    .alert_reasons = sq_alert_reasons,
    .kiosk_place = sq_kiosk_place,
    .kiosk_tz_set = sq_kiosk_tz_set,
    .claim_read = sq_claim_read,
    .points_append = sq_points_append,
    .points_earn = sq_points_earn,
    .points_balance = sq_points_balance,
    .points_by_key = sq_points_by_key,
    .points_history = sq_points_history,
    .points_check = sq_points_check,
    .points_day_used = sq_points_day_used,
    .resident_status = sq_resident_status,
    .category_limit = sq_category_limit,
    .anon_day = sq_anon_day,
    .user_add = sq_user_add,
    .user_get = sq_user_get,
    .user_update = sq_user_update,
    .user_remove = sq_user_remove,
    .user_list = sq_user_list,
    .session_add = sq_session_add,
    .session_get = sq_session_get,
    .session_touch = sq_session_touch,
    .session_remove = sq_session_remove,
    .audit_add = sq_audit_add,
    .audit_list = sq_audit_list,
    .login_failures_clear = sq_login_failures_clear,
    .token_add = sq_token_add,
    .token_find = sq_token_find,
    .token_list = sq_token_list,
    .token_revoke = sq_token_revoke,
    .login_attempt = sq_login_attempt,
    .login_attempt_remove = sq_login_attempt_remove,
    .report_daily = sq_report_daily,
    .report_ledger_flows = sq_report_ledger_flows,
    .report_kiosks = sq_report_kiosks,
    .report_seq_ranges = sq_report_seq_ranges,
    .report_late = sq_report_late,
    .report_bins = sq_report_bins,
    .report_closes = sq_report_closes,
    .report_drops = sq_report_drops,
    .report_residents = sq_report_residents,
    .day_close = sq_day_close,
    .bulk_load = sq_bulk_load,
    .web_day_records = sq_web_day_records,
    .web_record_get = sq_web_record_get,
    .web_resident_get = sq_web_resident_get,
    .schema_version = sq_schema_version,
    .backup = sq_backup,
    .records_held = sq_records_held,
    .records_insert = sq_records_insert,
};

/* A fresh store gets its card key: 32 random bytes, version 1. */
static int card_key_create(struct store *s)
{
	sqlite3 *db = SQ(s)->db;
	uint8_t key[32];
	sqlite3_stmt *st = NULL;
	randombytes_buf(key, sizeof key);
	int rc = sql_prepare(db,
	                     "INSERT INTO meta(key, value) VALUES('card_key', ?), "
	                     "('card_key_version', 1)",
	                     &st, SQ_ERR(s));
	if (!rc) {
		sqlite3_bind_blob(st, 1, key, sizeof key, SQLITE_TRANSIENT);
		rc = sql_done(db, st, SQ_ERR(s));
	}
	sodium_memzero(key, sizeof key);
	return rc;
}

/* Rows stored before FACTS_VERSION get their fact columns from their bytes. */
static int backfill_facts(struct store *s)
{
	sqlite3 *db = SQ(s)->db;
	sqlite3_stmt *rd = NULL, *up = NULL;
	int rc = sql_prepare(db, "SELECT kiosk, seq, bytes FROM records", &rd, SQ_ERR(s));
	if (!rc)
		rc = sql_prepare(
		    db,
		    "UPDATE records SET time_s = ?3, category = ?4, unit = ?5, dflags = ?6, "
		    "qty = ?7, credited = ?8, local_day = ?9 WHERE kiosk = ?1 AND seq = ?2",
		    &up, SQ_ERR(s));
	while (!rc && (rc = sql_step_row(db, rd, SQ_ERR(s))) == 1) {
		struct wf_record rec;
		struct store_record r = {0};
		rc = WF_OK;
		if (wf_record_decode(sqlite3_column_blob(rd, 2),
		                     (size_t)sqlite3_column_bytes(rd, 2), &rec, NULL, 0) != WF_OK)
			continue; /* central stores only what decodes; nothing to fill */
		r.kind = rec.kind;
		store_record_facts(&r, &rec);
		sqlite3_bind_int64(up, 1, sqlite3_column_int64(rd, 0));
		sqlite3_bind_int64(up, 2, sqlite3_column_int64(rd, 1));
		sq_bind_facts(up, 3, &r);
		rc = sql_step_row(db, up, SQ_ERR(s)); /* 0: done, as an UPDATE is */
		sqlite3_reset(up);
	}
	sqlite3_finalize(rd);
	sqlite3_finalize(up);
	return rc;
}

/* Brings the schema to the newest version, in one transaction. */
static int migrate(struct store *s)
{
	sqlite3 *db = SQ(s)->db;
	int64_t version = 0;
	const int64_t want = (int64_t)(sizeof migrations / sizeof migrations[0]);
	int rc = sq_begin(s);
	if (rc)
		return rc;
	rc = sq_value(s, "PRAGMA user_version", &version);
	for (int64_t v = version; !rc && v < want; v++)
		rc = sql_exec(db, migrations[v], SQ_ERR(s));
	if (!rc && version > 0 && version < FACTS_VERSION)
		rc = backfill_facts(s);
	if (!rc && version > 0 && version < REPORTS_VERSION)
		rc = sq_summary_rebuild(s); /* after the facts: the summaries read them */
	if (!rc && version < want) {
		char sql[64];
		snprintf(sql, sizeof sql, "PRAGMA user_version = %lld", (long long)want);
		rc = sql_exec(db, sql, SQ_ERR(s));
	}
	if (!rc && version == 0)
		rc = card_key_create(s);
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

/* The statements batch ingest runs for every record, prepared once. */
static int prepare_hot(struct store *s)
{
	struct store_sqlite *q = SQ(s);
	int rc = sql_prepare(q->db,
	                     "INSERT INTO records(kiosk, seq, kind, bytes, hash, received_s, "
	                     "resident, points, flags, time_s, category, unit, dflags, qty, "
	                     "credited, local_day) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) ON "
	                     "CONFLICT(kiosk, seq) DO NOTHING",
	                     &q->ins_record, SQ_ERR(s));
	if (!rc)
		rc = sql_prepare(q->db,
		                 "SELECT bytes, hash FROM records WHERE kiosk = ? AND seq = ?",
		                 &q->get_record, SQ_ERR(s));
	if (!rc)
		rc = sql_prepare(q->db,
		                 "SELECT unit, rate, created_s, anon_daily_cap FROM rates WHERE "
		                 "category = ? AND version = ?",
		                 &q->get_rate, SQ_ERR(s));
	if (!rc)
		rc = sq_summary_prepare(s);
	return rc;
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
		rc = sql_fail(q->db, rc, "open", SQ_ERR(s));
		snprintf(why, why_len, "cannot open %s: %s", path, s->err);
		goto fail;
	}
	sqlite3_busy_timeout(q->db, 10000);
	rc = sql_exec(q->db,
	              "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA "
	              "foreign_keys=ON;",
	              SQ_ERR(s));
	if (!rc)
		rc = migrate(s);
	if (!rc)
		rc = prepare_hot(s);
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
