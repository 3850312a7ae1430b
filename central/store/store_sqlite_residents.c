/*
 * store_sqlite_residents.c — the residents report on the SQLite backend:
 * per resident, the balance (points_totals), what the points ledger moved
 * in a period and how many days the resident's credited quantity of a
 * category came near its daily limit. One statement over two summaries
 * the schema's triggers keep in the transaction of each record, claim and
 * points entry (store_sqlite_open.c, migration 9): resident_days (per
 * local day, resident and category: drops' credited quantity and points,
 * claims' quantity and points) and resident_moves (per UTC day and
 * resident: points redeemed and adjusted). A period reads only its days'
 * rows, whatever the size of records and points_entries.
 *
 * How the period counts, so that the figures add up with the daily report:
 * earned and claimed belong to the local day of the drop (the daily
 * report's "points" of residents' drops and its "claimed"), redeemed and
 * adjusted to central's UTC day of the entry (the daily report's TOTAL
 * redeemed). Without a period, balance = earned + claimed - redeemed +
 * adjusted for every resident (an opening balance is an adjustment).
 */
#include "store_sqlite.h"

#include <string.h>

/* ?1 from day, ?2 to day, ?3 percent of a daily limit that counts as near. */
static const char residents_sql[] =
    "WITH ids(r) AS (SELECT id FROM residents UNION SELECT resident FROM points_totals), "
    "days(r, earned, claimed, near) AS (SELECT d.resident, SUM(d.earned), SUM(d.claimed), "
    "MAX(COALESCE(c.daily_limit, 0) > 0 AND (d.credited + d.claimed_qty) * 100 >= ?3 * "
    "c.daily_limit) FROM resident_days d LEFT JOIN categories c ON c.id = d.category WHERE "
    "d.local_day BETWEEN ?1 AND ?2 GROUP BY d.local_day, d.resident), "
    "dsum(r, earned, claimed, n, near) AS (SELECT r, SUM(earned), SUM(claimed), COUNT(*), "
    "SUM(near) FROM days GROUP BY r), "
    "moved(r, red, adj) AS (SELECT resident, SUM(redeemed), SUM(adjusted) FROM "
    "resident_moves WHERE utc_day BETWEEN ?1 AND ?2 GROUP BY resident) "
    "SELECT ids.r, COALESCE(p.name, ''), COALESCE(p.status, ''), COALESCE(t.balance, 0), "
    "COALESCE(dsum.earned, 0), COALESCE(dsum.claimed, 0), COALESCE(moved.red, 0), "
    "COALESCE(moved.adj, 0), COALESCE(dsum.n, 0), COALESCE(dsum.near, 0) FROM ids LEFT JOIN "
    "residents p ON p.id = ids.r LEFT JOIN points_totals t ON t.resident = ids.r LEFT JOIN "
    "dsum ON dsum.r = ids.r LEFT JOIN moved ON moved.r = ids.r ORDER BY ids.r";

int sq_report_residents(struct store *s, const struct store_report_filter *f, int64_t near_pct,
                        int (*fn)(void *ctx, const struct store_resident_row *r), void *ctx)
{
	sqlite3 *db = SQ(s)->db;
	sqlite3_stmt *st = NULL;
	int rc = sql_prepare(db, residents_sql, &st, SQ_ERR(s));
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, f->from_day);
	sqlite3_bind_int64(st, 2, f->to_day ? f->to_day : UINT32_MAX);
	sqlite3_bind_int64(st, 3, near_pct);
	while ((rc = sql_step_row(db, st, SQ_ERR(s))) == 1) {
		struct store_resident_row r;
		memset(&r, 0, sizeof r);
		r.id = sqlite3_column_int64(st, 0);
		sq_text(st, 1, r.name, sizeof r.name);
		sq_text(st, 2, r.status, sizeof r.status);
		r.balance = sqlite3_column_int64(st, 3);
		r.earned = sqlite3_column_int64(st, 4);
		r.claimed = sqlite3_column_int64(st, 5);
		r.redeemed = sqlite3_column_int64(st, 6);
		r.adjusted = sqlite3_column_int64(st, 7);
		r.days = sqlite3_column_int64(st, 8);
		r.near_days = sqlite3_column_int64(st, 9);
		if (fn(ctx, &r)) {
			rc = 0;
			break;
		}
	}
	sqlite3_finalize(st);
	return rc;
}
