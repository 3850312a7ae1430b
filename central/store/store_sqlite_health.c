/*
 * store_sqlite_health.c — the SQLite backend's health and kiosk time zone
 * ops (store.h): the readiness query, the kiosks that went silent and the
 * tamper alerts by reason for /metrics, and each kiosk's time zone (the
 * kiosks.time_zone column) for the receipt page.
 */
#include "store_sqlite.h"

#include <stdio.h>
#include <string.h>

int sq_ping(struct store *s)
{
	sqlite3 *db = SQ(s)->db;
	int moved = 0;
	int64_t rev = 0;
	/* A real read (a page of the file, not a cached answer of the library). */
	int rc = sq_value(s, "SELECT value FROM meta WHERE key = 'rev'", &rev);
	if (rc)
		return rc;
	/* SQLite keeps working on a file unlinked or renamed under it, and what it
	 * then writes is lost at the next start: not ready. */
	if (sqlite3_file_control(db, "main", SQLITE_FCNTL_HAS_MOVED, &moved) == SQLITE_OK &&
	    moved) {
		store_set_err(s, "the database file %s was moved or deleted",
		              sqlite3_db_filename(db, "main"));
		return WF_EIO;
	}
	return WF_OK;
}

int sq_kiosk_silence(struct store *s, int64_t before_s, int64_t *enrolled, int64_t *silent)
{
	sqlite3 *db = SQ(s)->db;
	sqlite3_stmt *st = NULL;
	int rc = sql_prepare(db,
	                     "SELECT count(*), coalesce(sum(coalesce(h.received_s, k.created_s) < "
	                     "?), 0) FROM kiosks k LEFT JOIN heartbeats h ON h.kiosk = k.number",
	                     &st, SQ_ERR(s));
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, before_s);
	rc = sql_step_row(db, st, SQ_ERR(s));
	if (rc == 1) {
		*enrolled = sqlite3_column_int64(st, 0);
		*silent = sqlite3_column_int64(st, 1);
		rc = WF_OK;
	} else if (rc == 0) {
		store_set_err(s, "kiosk silence: no row");
		rc = WF_ECORRUPT;
	}
	sqlite3_finalize(st);
	return rc;
}

struct reason_rows {
	int (*fn)(void *ctx, const char *reason, int64_t n);
	void *ctx;
};

static int reason_row(sqlite3_stmt *st, void *ctx)
{
	struct reason_rows *w = ctx;
	char reason[64];
	sq_text(st, 0, reason, sizeof reason);
	return w->fn(w->ctx, reason, sqlite3_column_int64(st, 1));
}

int sq_alert_reasons(struct store *s, int (*fn)(void *ctx, const char *reason, int64_t n),
                     void *ctx)
{
	struct reason_rows w = {fn, ctx};
	return sq_each(s,
	               "SELECT reason, count(*) FROM tamper_alerts GROUP BY reason ORDER BY reason",
	               0, reason_row, &w);
}

int sq_kiosk_place(struct store *s, uint32_t kiosk, struct store_kiosk_place *out)
{
	sqlite3 *db = SQ(s)->db;
	sqlite3_stmt *st = NULL;
	int rc =
	    sql_prepare(db, "SELECT name, time_zone FROM kiosks WHERE number = ?", &st, SQ_ERR(s));
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, kiosk);
	rc = sql_step_row(db, st, SQ_ERR(s)); /* 1 row, 0 none, or an error */
	if (rc == 1) {
		sq_text(st, 0, out->name, sizeof out->name);
		sq_text(st, 1, out->time_zone, sizeof out->time_zone);
	}
	sqlite3_finalize(st);
	return rc;
}

int sq_kiosk_tz_set(struct store *s, uint32_t kiosk, const char *tz)
{
	sqlite3 *db = SQ(s)->db;
	sqlite3_stmt *st = NULL;
	int rc =
	    sql_prepare(db, "UPDATE kiosks SET time_zone = ? WHERE number = ?", &st, SQ_ERR(s));
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, tz, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, kiosk);
	rc = sql_done(db, st, SQ_ERR(s));
	if (!rc && sqlite3_changes(db) == 0) {
		store_set_err(s, "no kiosk %u", (unsigned)kiosk);
		rc = WF_ENOENT;
	}
	return rc;
}
