/*
 * ledger_db.c — the journal's handle on SQLite: cached statements,
 * transactions with busy retries on the handle's clock, meta values and
 * error text. SQLite results become wf_err through common/sql (sql_fail).
 */
#include "ledger_private.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sql.h"

#define BUSY_PAUSE_MS 10 /* between our own retries once busy_timeout ran out */

static const char *const stmt_sql[LEDGER_ST_COUNT] = {
    [LEDGER_ST_BEGIN] = "BEGIN IMMEDIATE",
    [LEDGER_ST_COMMIT] = "COMMIT",
    [LEDGER_ST_ROLLBACK] = "ROLLBACK",
    [LEDGER_ST_LAST] = "SELECT seq, hash FROM records ORDER BY seq DESC LIMIT 1",
    /* parenthesised: one string over several lines, which clang's
     * -Wstring-concatenation would otherwise take for a missing comma */
    [LEDGER_ST_INSERT_RECORD] =
        ("INSERT INTO records(seq, kind, time_ms, bytes, hash, category_id, qty, credited_qty,"
         " points, rate_version, flags, resident_id, staff_id, local_day, card_hash)"
         " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15)"),
    [LEDGER_ST_INSERT_OUTBOX] = "INSERT INTO outbox(seq) VALUES(?1)",
    [LEDGER_ST_COUNTER_ADD] = ("INSERT INTO counters(card_hash, local_day, category_id, qty)"
                               " VALUES(?1,?2,?3,?4) ON CONFLICT(card_hash, local_day, category_id)"
                               " DO UPDATE SET qty = qty + excluded.qty"),
    [LEDGER_ST_INSERT_RECEIPT] = "INSERT INTO receipts(seq, token) VALUES(?1,?2)",
    [LEDGER_ST_TODAY] = ("SELECT category_id, qty FROM counters WHERE card_hash = ?1"
                         " AND local_day = ?2 ORDER BY category_id"),
};

void ledger_db_say(struct ledger *l, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(l->err, sizeof l->err, fmt, ap);
	va_end(ap);
}

int ledger_db_fail(struct ledger *l, int rc, const char *what)
{
	return sql_fail(l->db, rc, what, l->err, sizeof l->err);
}

const char *ledger_errmsg(const struct ledger *l)
{
	return l ? l->err : "no journal handle";
}

uint32_t ledger_kiosk(const struct ledger *l)
{
	assert(l);
	return l->kiosk;
}

int ledger_db_stmt(struct ledger *l, enum ledger_stmt id, sqlite3_stmt **out)
{
	if (!l->st[id]) {
		int rc = sqlite3_prepare_v3(l->db, stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT,
		                            &l->st[id], NULL);
		if (rc != SQLITE_OK)
			return ledger_db_fail(l, rc, "prepare");
	}
	sqlite3_reset(l->st[id]);
	sqlite3_clear_bindings(l->st[id]);
	*out = l->st[id];
	return WF_OK;
}

int ledger_db_prepare(struct ledger *l, const char *sql, sqlite3_stmt **out)
{
	return sql_prepare(l->db, sql, out, l->err, sizeof l->err);
}

int ledger_db_done(struct ledger *l, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);
	int r = rc == SQLITE_DONE ? WF_OK : ledger_db_fail(l, rc, what);
	sqlite3_reset(st);
	return r;
}

int ledger_db_done_finalize(struct ledger *l, sqlite3_stmt *st, const char *what)
{
	int r = ledger_db_done(l, st, what);
	sqlite3_finalize(st);
	return r;
}

int ledger_db_exec(struct ledger *l, const char *sql, const char *what)
{
	int rc = sqlite3_exec(l->db, sql, NULL, NULL, NULL);
	return rc == SQLITE_OK ? WF_OK : ledger_db_fail(l, rc, what);
}

int ledger_db_int(struct ledger *l, const char *sql, const char *what, int64_t *n)
{
	sqlite3_stmt *st = NULL;
	int r = ledger_db_prepare(l, sql, &st);
	if (r)
		return r;
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*n = sqlite3_column_int64(st, 0);
	else
		r = ledger_db_fail(l, rc, what);
	sqlite3_finalize(st);
	return r;
}

int ledger_db_with_int(struct ledger *l, const char *sql, int64_t v, const char *what, int *changes)
{
	sqlite3_stmt *st = NULL;
	int r = ledger_db_prepare(l, sql, &st);
	if (r)
		return r;
	sqlite3_bind_int64(st, 1, v);
	r = ledger_db_done_finalize(l, st, what);
	if (r == WF_OK && changes)
		*changes = sqlite3_changes(l->db);
	return r;
}

static void pause_busy(void)
{
	struct timespec ts = {0, BUSY_PAUSE_MS * 1000 * 1000};
	nanosleep(&ts, NULL);
}

/* Steps a cached BEGIN or COMMIT until it is done; SQLITE_BUSY is waited
 * out (busy_timeout inside SQLite, then our own retries) for up to
 * LEDGER_BUSY_MAX_MS of the handle's clock. Returns the last SQLite result. */
static int step_waiting(struct ledger *l, sqlite3_stmt *st)
{
	int64_t start = wf_clock_mono_ms(l->clock);
	for (;;) {
		int rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc == SQLITE_DONE || (rc & 0xff) != SQLITE_BUSY ||
		    wf_clock_mono_ms(l->clock) - start > LEDGER_BUSY_MAX_MS)
			return rc;
		pause_busy();
	}
}

int ledger_db_begin(struct ledger *l)
{
	sqlite3_stmt *st = NULL;
	int r = ledger_db_stmt(l, LEDGER_ST_BEGIN, &st);
	if (r)
		return r;
	int rc = step_waiting(l, st);
	return rc == SQLITE_DONE ? WF_OK : ledger_db_fail(l, rc, "begin transaction");
}

void ledger_db_rollback(struct ledger *l)
{
	if (sqlite3_get_autocommit(l->db))
		return; /* SQLite already rolled back (e.g. after SQLITE_FULL) */
	sqlite3_stmt *st = NULL;
	if (ledger_db_stmt(l, LEDGER_ST_ROLLBACK, &st) == WF_OK) {
		sqlite3_step(st);
		sqlite3_reset(st);
	}
}

int ledger_db_commit(struct ledger *l)
{
	sqlite3_stmt *st = NULL;
	int r = ledger_db_stmt(l, LEDGER_ST_COMMIT, &st);
	if (r)
		return r;
	int rc = step_waiting(l, st);
	if (rc != SQLITE_DONE) {
		r = ledger_db_fail(l, rc, "commit");
		ledger_db_rollback(l);
		return r;
	}
	if (++l->commits % l->checkpoint_every == 0) /* a checkpoint that fails is harmless */
		sqlite3_wal_checkpoint_v2(l->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	return WF_OK;
}

/* Reads meta key: 1 with st on its row (column 0 = value), 0 when missing. */
static int meta_row(struct ledger *l, const char *key, sqlite3_stmt **st)
{
	int r = ledger_db_prepare(l, "SELECT value FROM meta WHERE key = ?1", st);
	if (r)
		return r;
	sqlite3_bind_text(*st, 1, key, -1, SQLITE_STATIC);
	r = sql_step_row(l->db, *st, l->err, sizeof l->err);
	if (r < 0) {
		sqlite3_finalize(*st);
		*st = NULL;
	}
	return r;
}

int ledger_db_meta_int(struct ledger *l, const char *key, int64_t *out)
{
	sqlite3_stmt *st = NULL;
	int r = meta_row(l, key, &st);
	if (r < 0)
		return r;
	if (r == 1 && sqlite3_column_type(st, 0) == SQLITE_INTEGER) {
		*out = sqlite3_column_int64(st, 0);
		r = WF_OK;
	} else {
		ledger_db_say(l, "journal has no meta '%s'", key);
		r = WF_ENOENT;
	}
	sqlite3_finalize(st);
	return r;
}

int ledger_db_meta_blob(struct ledger *l, const char *key, uint8_t *out, size_t n)
{
	sqlite3_stmt *st = NULL;
	int r = meta_row(l, key, &st);
	if (r < 0)
		return r;
	if (r == 1 && sqlite3_column_type(st, 0) == SQLITE_BLOB &&
	    (size_t)sqlite3_column_bytes(st, 0) == n) {
		memcpy(out, sqlite3_column_blob(st, 0), n);
		r = WF_OK;
	} else {
		ledger_db_say(l, "journal has no meta '%s' of %zu bytes", key, n);
		r = WF_ENOENT;
	}
	sqlite3_finalize(st);
	return r;
}

/* Prepares the meta upsert with key bound; the caller binds ?2. */
static int meta_upsert(struct ledger *l, const char *key, sqlite3_stmt **st)
{
	int r = ledger_db_prepare(l,
	                          "INSERT INTO meta(key, value) VALUES(?1, ?2)"
	                          " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
	                          st);
	if (r == WF_OK)
		sqlite3_bind_text(*st, 1, key, -1, SQLITE_STATIC);
	return r;
}

int ledger_db_meta_set_int(struct ledger *l, const char *key, int64_t v)
{
	sqlite3_stmt *st = NULL;
	int r = meta_upsert(l, key, &st);
	if (r)
		return r;
	sqlite3_bind_int64(st, 2, v);
	return ledger_db_done_finalize(l, st, "write meta");
}

int ledger_db_meta_set_text(struct ledger *l, const char *key, const char *text)
{
	sqlite3_stmt *st = NULL;
	int r = meta_upsert(l, key, &st);
	if (r)
		return r;
	sqlite3_bind_text(st, 2, text, -1, SQLITE_STATIC);
	return ledger_db_done_finalize(l, st, "write meta");
}

int ledger_db_meta_set_blob(struct ledger *l, const char *key, const uint8_t *b, size_t n)
{
	sqlite3_stmt *st = NULL;
	int r = meta_upsert(l, key, &st);
	if (r)
		return r;
	sqlite3_bind_blob(st, 2, b, (int)n, SQLITE_STATIC);
	return ledger_db_done_finalize(l, st, "write meta");
}

void ledger_db_text(sqlite3_stmt *st, int col, char *dst, size_t cap)
{
	const unsigned char *t = sqlite3_column_text(st, col);
	snprintf(dst, cap, "%s", t ? (const char *)t : "");
}

void ledger_db_close(struct ledger *l)
{
	if (!l)
		return;
	for (int i = 0; i < LEDGER_ST_COUNT; i++)
		sqlite3_finalize(l->st[i]);
	sqlite3_close_v2(l->db);
	if (l->mark_fd >= 0)
		close(l->mark_fd);
	free(l->mark_path);
	free(l);
}
