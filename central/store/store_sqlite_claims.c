/*
 * store_sqlite_claims.c — receipt claims in the SQLite backend: a receipt
 * (kiosk, seq) is claimed once; the primary key makes that one statement.
 */
#include "store_sqlite.h"

int sq_claim(struct store *s, uint32_t kiosk, uint32_t seq, int64_t now_s, int64_t *claimed_s)
{
	sqlite3 *db = SQ(s)->db;
	sqlite3_stmt *st = NULL;
	int rc = sql_prepare(db,
	                     "INSERT INTO claims(kiosk, seq, claimed_s) VALUES(?,?,?) ON "
	                     "CONFLICT(kiosk, seq) DO NOTHING",
	                     &st, SQ_ERR(s));
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, kiosk);
	sqlite3_bind_int64(st, 2, seq);
	sqlite3_bind_int64(st, 3, now_s);
	rc = sql_done(db, st, SQ_ERR(s));
	if (rc)
		return rc;
	if (sqlite3_changes(db) == 1) {
		*claimed_s = now_s;
		return 1;
	}
	rc = sq_claim_get(s, kiosk, seq, claimed_s);
	return rc < 0 ? rc : 0;
}

int sq_claim_get(struct store *s, uint32_t kiosk, uint32_t seq, int64_t *claimed_s)
{
	sqlite3 *db = SQ(s)->db;
	sqlite3_stmt *st = NULL;
	int rc = sql_prepare(db, "SELECT claimed_s FROM claims WHERE kiosk = ? AND seq = ?", &st,
	                     SQ_ERR(s));
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, kiosk);
	sqlite3_bind_int64(st, 2, seq);
	rc = sql_step_row(db, st, SQ_ERR(s)); /* 1 claimed, 0 not, or an error */
	if (rc == 1)
		*claimed_s = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc;
}
