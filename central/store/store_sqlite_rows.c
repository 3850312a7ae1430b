/* store_sqlite_rows.c — helpers the SQLite backend's sides share; see store_sqlite.h. */
#include "store_sqlite.h"

#include <stdio.h>

void sq_text(sqlite3_stmt *st, int col, char *out, size_t cap)
{
	const unsigned char *t = sqlite3_column_text(st, col);
	snprintf(out, cap, "%s", t ? (const char *)t : "");
}

int sq_each(struct store *s, const char *sql, int64_t param,
            int (*row)(sqlite3_stmt *st, void *ctx), void *ctx)
{
	sqlite3 *db = SQ(s)->db;
	sqlite3_stmt *st = NULL;
	int rc = sql_prepare(db, sql, &st, SQ_ERR(s));
	if (rc)
		return rc;
	if (sqlite3_bind_parameter_count(st) > 0)
		sqlite3_bind_int64(st, 1, param);
	for (;;) {
		rc = sql_step_row(db, st, SQ_ERR(s));
		if (rc <= 0)
			break; /* done (0) or an error */
		if (row(st, ctx)) {
			rc = WF_OK;
			break;
		}
	}
	sqlite3_finalize(st);
	return rc;
}

int sq_value(struct store *s, const char *sql, int64_t *out)
{
	sqlite3 *db = SQ(s)->db;
	sqlite3_stmt *st = NULL;
	int rc = sql_prepare(db, sql, &st, SQ_ERR(s));
	if (rc)
		return rc;
	rc = sql_step_row(db, st, SQ_ERR(s));
	if (rc == 1) {
		*out = sqlite3_column_int64(st, 0);
		rc = WF_OK;
	} else if (rc == 0) {
		store_set_err(s, "no row: %s", sql);
		rc = WF_ENOENT;
	}
	sqlite3_finalize(st);
	return rc;
}

int sq_begin(struct store *s)
{
	return sql_begin(SQ(s)->db, true, SQ_ERR(s));
}

int sq_commit(struct store *s)
{
	return sql_commit(SQ(s)->db, SQ_ERR(s));
}

int sq_rollback(struct store *s)
{
	sql_rollback(SQ(s)->db);
	return WF_OK;
}

int sq_tx_begin(struct store *s, bool *own)
{
	*own = sqlite3_get_autocommit(SQ(s)->db) != 0;
	return *own ? sq_begin(s) : WF_OK;
}

int sq_tx_end(struct store *s, bool own, int rc)
{
	if (!own)
		return rc;
	if (rc == WF_OK)
		return sq_commit(s);
	sq_rollback(s);
	return rc;
}

/* v bound, or NULL when it is 0 and 0 means "none" for this column. */
static void bind_or_null(sqlite3_stmt *st, int i, int64_t v, bool has)
{
	if (has)
		sqlite3_bind_int64(st, i, v);
	else
		sqlite3_bind_null(st, i);
}

void sq_bind_facts(sqlite3_stmt *st, int first, const struct store_record *r)
{
	bool qty = r->kind == WF_RECORD_DROP || r->kind == WF_RECORD_BIN;
	bool drop = r->kind == WF_RECORD_DROP;
	sqlite3_bind_int64(st, first, r->time_s);
	bind_or_null(st, first + 1, r->category, qty);
	bind_or_null(st, first + 2, r->unit, qty);
	bind_or_null(st, first + 3, r->drop_flags, drop);
	bind_or_null(st, first + 4, r->qty, qty);
	bind_or_null(st, first + 5, r->credited, drop);
	bind_or_null(st, first + 6, r->local_day, drop || r->kind == WF_RECORD_DAY_CLOSE);
}
