/*
 * ledger_totals.c — today's totals at this kiosk for the attract screen:
 * the grams of weighed categories and the number of drops recorded on one
 * local day; and what its anonymous drops earned that day, per category,
 * for the anonymous daily cap. Reads only.
 */
#include "ledger_private.h"

#include <assert.h>
#include <string.h>

int ledger_day_totals(struct ledger *l, uint32_t local_day, struct ledger_totals *out)
{
	memset(out, 0, sizeof *out);
	sqlite3_stmt *st = NULL;
	int r = ledger_db_prepare(l,
	                          "SELECT COUNT(*), COALESCE(SUM(CASE WHEN c.unit = ?3"
	                          " THEN r.qty END), 0) FROM records r"
	                          " LEFT JOIN categories c ON c.id = r.category_id"
	                          " WHERE r.kind = ?1 AND r.local_day = ?2",
	                          &st);
	if (r)
		return r;
	sqlite3_bind_int(st, 1, WF_RECORD_DROP);
	sqlite3_bind_int64(st, 2, local_day);
	sqlite3_bind_int(st, 3, WF_UNIT_GRAM);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		out->drops = sqlite3_column_int64(st, 0);
		out->grams = sqlite3_column_int64(st, 1);
		r = WF_OK;
	} else {
		r = ledger_db_fail(l, rc, "today's totals");
	}
	sqlite3_finalize(st);
	return r;
}

int ledger_anon_today(struct ledger *l, uint32_t local_day, struct ledger_today *out, unsigned cap)
{
	assert(l && (out || cap == 0));
	_Static_assert(WF_RECORD_DROP == 1 && WF_DROP_ANONYMOUS == 1,
	               "records_anon_day's WHERE spells kind 1 and flag bit 0");
	sqlite3_stmt *st = NULL;
	/* the literal terms match the partial index records_anon_day's WHERE;
	 * INDEXED BY: the day's anonymous drops, never a scan of the journal */
	int r = ledger_db_prepare(l,
	                          "SELECT category_id, SUM(credited_qty) FROM records"
	                          " INDEXED BY records_anon_day"
	                          " WHERE kind = 1 AND flags & 1 AND local_day = ?1"
	                          " GROUP BY category_id ORDER BY category_id",
	                          &st);
	if (r)
		return r;
	sqlite3_bind_int64(st, 1, local_day);
	unsigned n = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < cap) {
		out[n].category_id = (uint16_t)sqlite3_column_int(st, 0);
		out[n].qty = sqlite3_column_int64(st, 1);
		n++;
	}
	r = (rc == SQLITE_ROW || rc == SQLITE_DONE) ? (int)n
	                                            : ledger_db_fail(l, rc, "anonymous day");
	sqlite3_finalize(st);
	return r;
}
