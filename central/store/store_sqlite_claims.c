/*
 * store_sqlite_claims.c — receipt claims in the SQLite backend: a receipt
 * (kiosk, seq) is claimed once; the primary key makes that one statement.
 * A claim row names the resident it credited, the category and local day
 * it counts against (the daily limit) and what it moved; the points entry
 * itself is the ledger's (store_sqlite_points.c), written by the caller in
 * the same transaction.
 */
#include "store_sqlite.h"

#include <string.h>

int sq_claim(struct store *s, const struct store_claim *c, struct store_claim *first)
{
	sqlite3 *db = SQ(s)->db;
	sqlite3_stmt *st = NULL;
	int rc = sql_prepare(db,
	                     "INSERT INTO claims(kiosk, seq, claimed_s, resident, category, "
	                     "local_day, qty, points, actor) VALUES(?,?,?,?,?,?,?,?,?) ON "
	                     "CONFLICT(kiosk, seq) DO NOTHING",
	                     &st, SQ_ERR(s));
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, c->kiosk);
	sqlite3_bind_int64(st, 2, c->seq);
	sqlite3_bind_int64(st, 3, c->claimed_s);
	sqlite3_bind_int64(st, 4, c->resident);
	sqlite3_bind_int64(st, 5, c->category);
	sqlite3_bind_int64(st, 6, c->local_day);
	sqlite3_bind_int64(st, 7, c->qty);
	sqlite3_bind_int64(st, 8, c->points);
	sqlite3_bind_text(st, 9, c->actor, -1, SQLITE_TRANSIENT);
	rc = sql_done(db, st, SQ_ERR(s));
	if (rc)
		return rc;
	if (sqlite3_changes(db) == 1)
		return 1;
	struct store_claim held;
	rc = sq_claim_read(s, c->kiosk, c->seq, first ? first : &held);
	return rc < 0 ? rc : 0;
}

int sq_claim_read(struct store *s, uint32_t kiosk, uint32_t seq, struct store_claim *out)
{
	sqlite3 *db = SQ(s)->db;
	sqlite3_stmt *st = NULL;
	int rc = sql_prepare(db,
	                     "SELECT claimed_s, resident, category, local_day, qty, points, actor "
	                     "FROM claims WHERE kiosk = ? AND seq = ?",
	                     &st, SQ_ERR(s));
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, kiosk);
	sqlite3_bind_int64(st, 2, seq);
	rc = sql_step_row(db, st, SQ_ERR(s)); /* 1 claimed, 0 not, or an error */
	if (rc == 1) {
		memset(out, 0, sizeof *out);
		out->kiosk = kiosk;
		out->seq = seq;
		out->claimed_s = sqlite3_column_int64(st, 0);
		out->resident = sqlite3_column_int64(st, 1); /* NULL (before residents): 0 */
		out->category = (uint16_t)sqlite3_column_int(st, 2);
		out->local_day = (uint32_t)sqlite3_column_int64(st, 3);
		out->qty = sqlite3_column_int64(st, 4);
		out->points = sqlite3_column_int64(st, 5);
		sq_text(st, 6, out->actor, sizeof out->actor);
	}
	sqlite3_finalize(st);
	return rc;
}

int sq_claim_get(struct store *s, uint32_t kiosk, uint32_t seq, int64_t *claimed_s)
{
	struct store_claim c;
	int rc = sq_claim_read(s, kiosk, seq, &c);
	if (rc == 1)
		*claimed_s = c.claimed_s;
	return rc;
}
