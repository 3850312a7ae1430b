/*
 * store_sqlite_anoncap.c — the anonymous daily cap at central (store.h
 * anon_day): what a kiosk's anonymous drops of one category earned on one
 * local day, and the largest cap any rate version of that category had.
 * Reads only; the sum comes from the partial index records_anon_day.
 */
#include "store_sqlite.h"

int sq_anon_day(struct store *s, uint32_t kiosk, uint16_t category, uint32_t local_day,
                int64_t *credited, bool *has_cap, int64_t *cap)
{
	sqlite3 *db = SQ(s)->db;
	sqlite3_stmt *st = NULL;
	*credited = 0;
	*has_cap = false;
	*cap = 0;
	/* "dflags & 1" is WF_DROP_ANONYMOUS spelt as the partial index spells
	 * it, so that SQLite uses the index. A version without a cap (NULL)
	 * makes the day uncheckable: count(*) = count(cap) says none had. */
	int rc = sql_prepare(
	    db,
	    "SELECT (SELECT COALESCE(SUM(credited), 0) FROM records WHERE kiosk = ?1 AND "
	    "category = ?2 AND local_day = ?3 AND dflags & 1), (SELECT COUNT(*) = "
	    "COUNT(anon_daily_cap) AND COUNT(*) > 0 FROM rates WHERE category = ?2), (SELECT "
	    "MAX(anon_daily_cap) FROM rates WHERE category = ?2)",
	    &st, SQ_ERR(s));
	if (rc)
		return rc;
	_Static_assert(WF_DROP_ANONYMOUS == 1, "records_anon_day's WHERE names bit 0");
	sqlite3_bind_int64(st, 1, kiosk);
	sqlite3_bind_int64(st, 2, category);
	sqlite3_bind_int64(st, 3, local_day);
	rc = sql_step_row(db, st, SQ_ERR(s));
	if (rc == 1) {
		*credited = sqlite3_column_int64(st, 0);
		*has_cap = sqlite3_column_int(st, 1) != 0;
		*cap = *has_cap ? sqlite3_column_int64(st, 2) : 0;
		rc = WF_OK;
	} else if (rc == 0) {
		store_set_err(s, "anonymous day: no row");
		rc = WF_EIO;
	}
	sqlite3_finalize(st);
	return rc;
}
