/*
 * store_pg_report.h — inside the PostgreSQL backend's reports (private to
 * store_pg_report.c and store_pg_report_close.c): running a query and
 * handing its rows one by one to a report's callback.
 */
#ifndef WUFEI_CENTRAL_STORE_PG_REPORT_H
#define WUFEI_CENTRAL_STORE_PG_REPORT_H

#include "store_pg.h"

/* The caller's callback and its context (cast back to its type by row). */
struct pg_filter_run {
	void (*fn)(void);
	void *ctx;
};

/* pg_each with the first nparams (<= 4) of the filter bound: $1 from day,
 * $2 to day (0: no end), $3 kiosk, $4 category. */
int pg_each_filter(struct store *s, const char *sql, const struct store_report_filter *f,
                   int nparams, pg_row_fn row, void *run);

/* Four totals from columns col..col+3 (drops, grams, pieces, points). */
void pg_totals_at(const PGresult *r, int row, int col, struct store_totals *t);

/* The close in force for (kiosk, day): the latest one. */
#define PG_LATEST_CLOSE(k, d)                                                                      \
	"(SELECT MAX(close_no) FROM day_closes WHERE local_day = " d " AND kiosk = " k ")"

/* store_pg_report_close.c: report_closes, report_residents, day_close, bulk_load. */
void store_pg_fill_report_close(struct store_ops *ops);

#endif
