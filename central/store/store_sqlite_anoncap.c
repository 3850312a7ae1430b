/*
 * store_sqlite_anoncap.c — the anonymous daily cap at central (store.h
 * anon_day): what a kiosk's anonymous drops of one category earned on one
 * local day before a given seq. Reads only; the sum comes from the partial
 * index records_anon_day (which holds seq too: it is the table's key).
 */
#include "store_sqlite.h"

#include "record.h"

int sq_anon_day(struct store *s, uint32_t kiosk, uint16_t category, uint32_t local_day,
                uint32_t before_seq, int64_t *credited)
{
	sqlite3 *db = SQ(s)->db;
	sqlite3_stmt *st = NULL;
	*credited = 0;
	/* "dflags & 1" is WF_DROP_ANONYMOUS spelt as the partial index spells
	 * it. INDEXED BY: without statistics SQLite prefers the key's range
	 * (kiosk, seq < ?), a scan of the kiosk's whole history. */
	_Static_assert(WF_DROP_ANONYMOUS == 1, "records_anon_day's WHERE names bit 0");
	int rc = sql_prepare(
	    db,
	    "SELECT COALESCE(SUM(credited), 0) FROM records INDEXED BY records_anon_day "
	    "WHERE kiosk = ?1 AND "
	    "category = ?2 AND local_day = ?3 AND dflags & 1 AND seq < ?4",
	    &st, SQ_ERR(s));
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, kiosk);
	sqlite3_bind_int64(st, 2, category);
	sqlite3_bind_int64(st, 3, local_day);
	sqlite3_bind_int64(st, 4, before_seq);
	rc = sql_step_row(db, st, SQ_ERR(s));
	if (rc == 1) {
		*credited = sqlite3_column_int64(st, 0);
		rc = WF_OK;
	} else if (rc == 0) {
		store_set_err(s, "anonymous day: no row");
		rc = WF_EIO;
	}
	sqlite3_finalize(st);
	return rc;
}
