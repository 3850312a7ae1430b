/*
 * store_sqlite_replies.c — the replay memory of the SQLite backend
 * (store.h reply_get / reply_put): the answer central gave to each signed
 * request that changed something, keyed by (kiosk, hash of the signed
 * string), kept while a replay could still pass the time window.
 */
#include "store_sqlite.h"

#include <string.h>

int sq_reply_get(struct store *s, uint32_t kiosk, const uint8_t request_id[WF_HASH_BYTES],
                 unsigned *status, char *answer, size_t cap)
{
	sqlite3 *db = SQ(s)->db;
	sqlite3_stmt *st = NULL;
	int rc = sql_prepare(db,
	                     "SELECT status, answer FROM signed_replies WHERE kiosk = ? AND "
	                     "request_id = ?",
	                     &st, SQ_ERR(s));
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, kiosk);
	sqlite3_bind_blob(st, 2, request_id, WF_HASH_BYTES, SQLITE_STATIC);
	rc = sql_step_row(db, st, SQ_ERR(s)); /* 1 found, 0 absent, or an error */
	if (rc == 1) {
		size_t n = (size_t)sqlite3_column_bytes(st, 1);
		const unsigned char *text = sqlite3_column_text(st, 1);
		if (!text || n >= cap) {
			store_set_err(s, "kept answer of kiosk %u larger than %zu bytes", kiosk,
			              cap);
			rc = WF_ENOMEM;
		} else {
			*status = (unsigned)sqlite3_column_int64(st, 0);
			memcpy(answer, text, n + 1);
		}
	}
	sqlite3_finalize(st);
	return rc;
}

int sq_reply_put(struct store *s, uint32_t kiosk, const uint8_t request_id[WF_HASH_BYTES],
                 int64_t time_s, unsigned status, const char *answer, int64_t forget_before_s)
{
	sqlite3 *db = SQ(s)->db;
	sqlite3_stmt *st = NULL;
	int rc = sql_prepare(db, "DELETE FROM signed_replies WHERE time_s < ?", &st, SQ_ERR(s));
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, forget_before_s);
	rc = sql_done(db, st, SQ_ERR(s));
	if (rc)
		return rc;
	rc = sql_prepare(db,
	                 "INSERT INTO signed_replies(kiosk, request_id, time_s, status, answer) "
	                 "VALUES(?,?,?,?,?)",
	                 &st, SQ_ERR(s));
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, kiosk);
	sqlite3_bind_blob(st, 2, request_id, WF_HASH_BYTES, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, time_s);
	sqlite3_bind_int64(st, 4, status);
	sqlite3_bind_text(st, 5, answer, -1, SQLITE_STATIC);
	return sql_done(db, st, SQ_ERR(s));
}
