/*
 * store_pg_report.c — the office's reports on the PostgreSQL backend, the
 * twins of store_sqlite_report.c (same rows, same order, same return codes):
 * rows from the summaries the schema's triggers keep whoever inserts
 * records (store_pg_schema.c, migration 2), the records' fact columns and
 * their partial indexes, never from decoding records, except the few
 * DAY_CLOSE records a close report shows. Day closes, the residents report
 * and bulk_load are in store_pg_report_close.c.
 *
 * Every query binds the filter the same way: $1 from day, $2 to day, $3
 * kiosk (0 any), $4 category (0 any); each is cast to bigint where it is used (prepared without
 * types).
 */
#include "store_pg_report.h"

#include <string.h>

int pg_each_filter(struct store *s, const char *sql, const struct store_report_filter *f,
                   int nparams, pg_row_fn row, void *run)
{
	int64_t v[4] = {f->from_day, f->to_day ? f->to_day : UINT32_MAX, f->kiosk, f->category};
	struct pg_params pp = {0};
	for (int i = 0; i < nparams && i < 4; i++)
		pg_p_i64(&pp, v[i]);
	return pg_each(s, sql, &pp, row, run);
}

void pg_totals_at(const PGresult *r, int row, int col, struct store_totals *t)
{
	t->drops = pg_i64(r, row, col);
	t->grams = pg_i64(r, row, col + 1);
	t->pieces = pg_i64(r, row, col + 2);
	t->points = pg_i64(r, row, col + 3);
}

/* The categories' names, read once per report: joining them to each row
 * made the server send a name per row (twice as slow for 30 days). */
struct cat_names {
	PGresult *r; /* id, name by id */
	int n;
};

static int cat_names_load(struct store *s, struct cat_names *c)
{
	static const char sql[] = "SELECT id, name FROM categories ORDER BY id";
	int rc = pg_run(PGS(s), sql, NULL, &c->r);
	c->n = rc ? 0 : PQntuples(c->r);
	return rc;
}

/* id's name, "" when the category is unknown (as the LEFT JOIN of SQLite's) */
static void cat_name(const struct cat_names *c, uint16_t id, char *out, size_t cap)
{
	int lo = 0, hi = c->n - 1;
	out[0] = '\0';
	while (lo <= hi) {
		int mid = lo + (hi - lo) / 2;
		int64_t v = pg_i64(c->r, mid, 0);
		if (v == id) {
			pg_text(c->r, mid, 1, out, cap);
			return;
		}
		if (v < id)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
}

struct daily_run {
	struct pg_filter_run w;
	struct cat_names names;
};

static int daily_row(const PGresult *res, int i, void *run)
{
	struct daily_run *d = run;
	struct store_daily_row r;
	memset(&r, 0, sizeof r);
	r.kiosk = (uint32_t)pg_i64(res, i, 0);
	r.local_day = (uint32_t)pg_i64(res, i, 1);
	r.category = (uint16_t)pg_i64(res, i, 2);
	cat_name(&d->names, r.category, r.category_name, sizeof r.category_name);
	pg_totals_at(res, i, 3, &r.live);
	if (PQnfields(res) > 7) { /* a closed day in the range: the closes joined */
		r.close_no = pg_i64(res, i, 7);
		r.closed_s = pg_i64(res, i, 8);
		pg_totals_at(res, i, 9, &r.frozen);
	}
	return ((int (*)(void *, const struct store_daily_row *))d->w.fn)(d->w.ctx, &r);
}

/* Whether the office closed any day in f: the daily report joins the closes only then. */
static int any_close(struct store *s, const struct store_report_filter *f)
{
	static const char sql[] =
	    "SELECT count(*) FROM (SELECT 1 FROM day_closes WHERE local_day BETWEEN $1::bigint "
	    "AND $2::bigint AND ($3::bigint = 0 OR kiosk = $3::bigint) LIMIT 1) x";
	struct pg_params pp = {0};
	pg_p_i64(&pp, f->from_day);
	pg_p_i64(&pp, f->to_day ? f->to_day : UINT32_MAX);
	pg_p_i64(&pp, f->kiosk);
	int64_t n = 0;
	int rc = pg_value(PGS(s), sql, &pp, &n);
	return rc ? rc : n > 0;
}

/* by day first: the summary's key order, so no sort */
static const char daily_open_sql[] =
    "SELECT kiosk, local_day, category, drops, grams, pieces, points FROM report_daily WHERE "
    "local_day BETWEEN $1::bigint AND $2::bigint AND ($3::bigint = 0 OR kiosk = $3::bigint) "
    "AND ($4::bigint = 0 OR category = $4::bigint) ORDER BY local_day, kiosk, category";

static const char daily_closed_sql[] =
    "SELECT d.kiosk, d.local_day, d.category, d.drops, d.grams, d.pieces, d.points, "
    "x.close_no, x.closed_s, t.drops, t.grams, t.pieces, t.points FROM report_daily d LEFT "
    "JOIN day_closes x ON x.close_no = " PG_LATEST_CLOSE(
        "d.kiosk", "d.local_day") " LEFT JOIN close_totals t ON t.close_no = x.close_no AND "
                                  "t.category = d.category WHERE d.local_day BETWEEN "
                                  "$1::bigint AND $2::bigint AND ($3::bigint = 0 OR d.kiosk "
                                  "= $3::bigint) AND ($4::bigint = 0 OR d.category = "
                                  "$4::bigint) ORDER BY d.local_day, d.kiosk, d.category";

static int pg_report_daily(struct store *s, const struct store_report_filter *f,
                           int (*fn)(void *ctx, const struct store_daily_row *r), void *ctx)
{
	struct daily_run d = {{(void (*)(void))fn, ctx}, {NULL, 0}};
	int closed = any_close(s, f);
	if (closed < 0)
		return closed;
	int rc = cat_names_load(s, &d.names);
	if (!rc)
		rc = pg_each_filter(s, closed ? daily_closed_sql : daily_open_sql, f, 4, daily_row,
		                    &d);
	PQclear(d.names.r);
	return rc;
}

static int flow_row(const PGresult *res, int i, void *run)
{
	struct pg_filter_run *w = run;
	struct store_ledger_flow r = {.kiosk = (uint32_t)pg_i64(res, i, 0),
	                              .local_day = (uint32_t)pg_i64(res, i, 1),
	                              .category = (uint16_t)pg_i64(res, i, 2),
	                              .claimed = pg_i64(res, i, 3),
	                              .redeemed = pg_i64(res, i, 4)};
	return ((int (*)(void *, const struct store_ledger_flow *))w->fn)(w->ctx, &r);
}

static int pg_report_ledger_flows(struct store *s, const struct store_report_filter *f,
                                  int (*fn)(void *ctx, const struct store_ledger_flow *r),
                                  void *ctx)
{
	/* as store_sqlite_report.c: claimed by the drop's kiosk, local day and
	 * category; redeemed per UTC day of central, kiosk and category 0 */
	static const char sql[] =
	    "SELECT kiosk, local_day, category, SUM(points), 0, 0 AS part FROM claims "
	    "WHERE resident IS NOT NULL AND local_day BETWEEN $1::bigint AND $2::bigint "
	    "AND ($3::bigint = 0 OR kiosk = $3::bigint) AND ($4::bigint = 0 OR category = "
	    "$4::bigint) GROUP BY kiosk, local_day, category "
	    "UNION ALL "
	    "SELECT 0, d, 0, 0, -SUM(points), 1 FROM ("
	    "SELECT wf_utc_day(at_s) AS d, points "
	    "FROM points_entries WHERE kind = 3 AND $3::bigint = 0 AND $4::bigint = 0) e "
	    "WHERE d BETWEEN $1::bigint AND $2::bigint GROUP BY d "
	    /* SQLite's order: its GROUP BY sorts */
	    "ORDER BY part, kiosk, local_day, category";
	struct pg_filter_run w = {(void (*)(void))fn, ctx};
	return pg_each_filter(s, sql, f, 4, flow_row, &w);
}

static int kiosk_row(const PGresult *res, int i, void *run)
{
	struct pg_filter_run *w = run;
	struct store_kiosk_beat k;
	memset(&k, 0, sizeof k);
	k.kiosk = (uint32_t)pg_i64(res, i, 0);
	pg_text(res, i, 1, k.name, sizeof k.name);
	k.heartbeat_s = pg_i64(res, i, 2);
	k.last_seq = (uint32_t)pg_i64(res, i, 3);
	return ((int (*)(void *, const struct store_kiosk_beat *))w->fn)(w->ctx, &k);
}

static int pg_report_kiosks(struct store *s, const struct store_report_filter *f,
                            int (*fn)(void *ctx, const struct store_kiosk_beat *k), void *ctx)
{
	static const char sql[] =
	    "SELECT k.number, k.name, h.received_s, h.last_seq FROM kiosks k LEFT JOIN heartbeats "
	    "h ON h.kiosk = k.number WHERE $1::bigint <= $2::bigint AND ($3::bigint = 0 OR "
	    "k.number = $3::bigint) ORDER BY k.number";
	struct pg_filter_run w = {(void (*)(void))fn, ctx};
	struct store_report_filter k = {.kiosk = f->kiosk};
	return pg_each_filter(s, sql, &k, 3, kiosk_row, &w);
}

static int range_row(const PGresult *res, int i, void *run)
{
	struct pg_filter_run *w = run;
	struct store_seq_range r = {(uint32_t)pg_i64(res, i, 0), (uint32_t)pg_i64(res, i, 1),
	                            (uint32_t)pg_i64(res, i, 2)};
	return ((int (*)(void *, const struct store_seq_range *))w->fn)(w->ctx, &r);
}

static int pg_report_seq_ranges(struct store *s, const struct store_report_filter *f,
                                int (*fn)(void *ctx, const struct store_seq_range *r), void *ctx)
{
	static const char sql[] =
	    "SELECT kiosk, first_seq, last_seq FROM seq_ranges WHERE $1::bigint <= $2::bigint AND "
	    "($3::bigint = 0 OR kiosk = $3::bigint) ORDER BY kiosk, first_seq";
	struct pg_filter_run w = {(void (*)(void))fn, ctx};
	struct store_report_filter k = {.kiosk = f->kiosk};
	return pg_each_filter(s, sql, &k, 3, range_row, &w);
}

static int late_row(const PGresult *res, int i, void *run)
{
	struct pg_filter_run *w = run;
	struct store_late_record r = {(uint32_t)pg_i64(res, i, 0), (uint32_t)pg_i64(res, i, 1),
	                              (uint32_t)pg_i64(res, i, 2), pg_i64(res, i, 3),
	                              pg_i64(res, i, 4)};
	return ((int (*)(void *, const struct store_late_record *))w->fn)(w->ctx, &r);
}

static int pg_report_late(struct store *s, const struct store_report_filter *f,
                          int64_t late_after_s,
                          int (*fn)(void *ctx, const struct store_late_record *r), void *ctx)
{
	static const char sql[] =
	    "SELECT kiosk, seq, kind, time_s, received_s FROM late_records WHERE ($1::bigint = 0 "
	    "OR kiosk = $1::bigint) AND received_s - time_s > $2::bigint ORDER BY kiosk, seq";
	struct pg_filter_run w = {(void (*)(void))fn, ctx};
	if (late_after_s < STORE_LATE_MIN_S) {
		store_set_err(s, "late records are kept from %d s on", STORE_LATE_MIN_S);
		return WF_EINVAL;
	}
	struct pg_params pp = {0};
	pg_p_i64(&pp, f->kiosk);
	pg_p_i64(&pp, late_after_s);
	return pg_each(s, sql, &pp, late_row, &w);
}

static int bin_row(const PGresult *res, int i, void *run)
{
	struct pg_filter_run *w = run;
	struct store_bin_row r;
	memset(&r, 0, sizeof r);
	r.kiosk = (uint32_t)pg_i64(res, i, 0);
	r.seq = (uint32_t)pg_i64(res, i, 1);
	r.time_s = pg_i64(res, i, 2);
	r.category = (uint16_t)pg_i64(res, i, 3);
	pg_text(res, i, 4, r.category_name, sizeof r.category_name);
	r.bin_grams = pg_i64(res, i, 5);
	r.prev_seq = (uint32_t)pg_i64(res, i, 6);
	r.drops = pg_i64(res, i, 7);
	r.drop_grams = pg_i64(res, i, 8);
	return ((int (*)(void *, const struct store_bin_row *))w->fn)(w->ctx, &r);
}

static int pg_report_bins(struct store *s, const struct store_report_filter *f,
                          int (*fn)(void *ctx, const struct store_bin_row *r), void *ctx)
{
	/* the spans are kept by the triggers (bin_spans); days are UTC */
	static const char sql[] =
	    "SELECT b.kiosk, b.seq, r.time_s, b.category, c.name, r.qty, b.prev_seq, b.drops, "
	    "b.grams FROM bin_spans b JOIN records r ON r.kiosk = b.kiosk AND r.seq = b.seq LEFT "
	    "JOIN categories c ON c.id = b.category WHERE ($3::bigint = 0 OR b.kiosk = $3::bigint) "
	    "AND ($4::bigint = 0 OR b.category = $4::bigint) AND wf_utc_day(r.time_s) BETWEEN "
	    "$1::bigint AND $2::bigint ORDER BY b.kiosk, b.seq";
	struct pg_filter_run w = {(void (*)(void))fn, ctx};
	return pg_each_filter(s, sql, f, 4, bin_row, &w);
}

static int drop_row(const PGresult *res, int i, void *run)
{
	struct pg_filter_run *w = run;
	struct store_drop_row r;
	memset(&r, 0, sizeof r);
	r.kiosk = (uint32_t)pg_i64(res, i, 0);
	r.seq = (uint32_t)pg_i64(res, i, 1);
	r.time_s = pg_i64(res, i, 2);
	r.received_s = pg_i64(res, i, 3);
	r.category = (uint16_t)pg_i64(res, i, 4);
	r.unit = (uint8_t)pg_i64(res, i, 5);
	r.qty = pg_i64(res, i, 6);
	r.credited = pg_i64(res, i, 7);
	r.points = pg_i64(res, i, 8);
	r.resident = pg_i64(res, i, 9);
	r.flags = (uint32_t)pg_i64(res, i, 10);
	return ((int (*)(void *, const struct store_drop_row *))w->fn)(w->ctx, &r);
}

static int pg_report_drops(struct store *s, uint32_t kiosk, uint32_t local_day, uint16_t category,
                           int (*fn)(void *ctx, const struct store_drop_row *r), void *ctx)
{
	static const char sql[] =
	    "SELECT kiosk, seq, time_s, received_s, category, unit, qty, credited, points, "
	    "COALESCE(resident, 0), flags FROM records WHERE kiosk = $3::bigint AND kind = 1 AND "
	    "local_day BETWEEN $1::bigint AND $2::bigint AND ($4::bigint = 0 OR category = "
	    "$4::bigint) ORDER BY seq";
	struct pg_filter_run w = {(void (*)(void))fn, ctx};
	struct store_report_filter f = {local_day, local_day, kiosk, category};
	return pg_each_filter(s, sql, &f, 4, drop_row, &w);
}

void store_pg_fill_report(struct store_ops *ops)
{
	ops->report_daily = pg_report_daily;
	ops->report_ledger_flows = pg_report_ledger_flows;
	ops->report_kiosks = pg_report_kiosks;
	ops->report_seq_ranges = pg_report_seq_ranges;
	ops->report_late = pg_report_late;
	ops->report_bins = pg_report_bins;
	ops->report_drops = pg_report_drops;
	store_pg_fill_report_close(ops);
}
