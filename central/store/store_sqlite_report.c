/*
 * store_sqlite_report.c — the office's reports on the SQLite backend: rows
 * from the summaries kept at ingest (store_sqlite_summary.c), the records'
 * fact columns and their partial indexes (bin collections, day closes),
 * never from decoding records, except the few DAY_CLOSE records a close
 * report shows. And the office's own day close: a day's totals frozen under
 * a running number.
 *
 * Every query binds the filter the same way: ?1 from day, ?2 to day, ?3
 * kiosk (0 any), ?4 category (0 any), ?5 one more value where a query has it.
 */
#include "store_sqlite.h"

#include <string.h>

struct filter_run {
	void (*fn)(void); /* the caller's callback, cast back to its type by row */
	void *ctx;        /* its context */
};

/* Runs sql with the filter (and extra as ?5) bound, calling row per row. */
static int each_filter(struct store *s, const char *sql, const struct store_report_filter *f,
                       int64_t extra, int (*row)(sqlite3_stmt *st, void *run), void *run)
{
	sqlite3 *db = SQ(s)->db;
	sqlite3_stmt *st = NULL;
	int rc = sql_prepare(db, sql, &st, SQ_ERR(s));
	if (rc)
		return rc;
	int n = sqlite3_bind_parameter_count(st);
	int64_t v[5] = {f->from_day, f->to_day ? f->to_day : UINT32_MAX, f->kiosk, f->category,
	                extra};
	for (int i = 0; i < n && i < 5; i++)
		sqlite3_bind_int64(st, i + 1, v[i]);
	while ((rc = sql_step_row(db, st, SQ_ERR(s))) == 1)
		if (row(st, run)) {
			rc = 0;
			break;
		}
	sqlite3_finalize(st);
	return rc;
}

/* Four totals from columns col..col+3 (drops, grams, pieces, points). */
static void totals_at(sqlite3_stmt *st, int col, struct store_totals *t)
{
	t->drops = sqlite3_column_int64(st, col);
	t->grams = sqlite3_column_int64(st, col + 1);
	t->pieces = sqlite3_column_int64(st, col + 2);
	t->points = sqlite3_column_int64(st, col + 3);
}

static int daily_row(sqlite3_stmt *st, void *run)
{
	struct filter_run *w = run;
	struct store_daily_row r;
	memset(&r, 0, sizeof r);
	r.kiosk = (uint32_t)sqlite3_column_int64(st, 0);
	r.local_day = (uint32_t)sqlite3_column_int64(st, 1);
	r.category = (uint16_t)sqlite3_column_int64(st, 2);
	sq_text(st, 3, r.category_name, sizeof r.category_name);
	totals_at(st, 4, &r.live);
	r.close_no = sqlite3_column_int64(st, 8);
	r.closed_s = sqlite3_column_int64(st, 9);
	totals_at(st, 10, &r.frozen);
	return ((int (*)(void *, const struct store_daily_row *))w->fn)(w->ctx, &r);
}

/* The close in force for (kiosk, day): the latest one. */
#define LATEST_CLOSE(k, d)                                                                         \
	"(SELECT MAX(close_no) FROM day_closes WHERE local_day = " d " AND kiosk = " k ")"

/* Whether the office closed any day in f: the daily report joins the closes only then. */
static int any_close(struct store *s, const struct store_report_filter *f)
{
	sqlite3 *db = SQ(s)->db;
	sqlite3_stmt *st = NULL;
	int rc =
	    sql_prepare(db,
	                "SELECT 1 FROM day_closes WHERE local_day BETWEEN ?1 AND ?2 AND (?3 = 0 "
	                "OR kiosk = ?3) LIMIT 1",
	                &st, SQ_ERR(s));
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, f->from_day);
	sqlite3_bind_int64(st, 2, f->to_day ? f->to_day : UINT32_MAX);
	sqlite3_bind_int64(st, 3, f->kiosk);
	rc = sql_step_row(db, st, SQ_ERR(s));
	sqlite3_finalize(st);
	return rc;
}

int sq_report_daily(struct store *s, const struct store_report_filter *f,
                    int (*fn)(void *ctx, const struct store_daily_row *r), void *ctx)
{
	struct filter_run w = {(void (*)(void))fn, ctx};
	/* by day first: the summary's key order, so no sort */
	static const char *const sql[2] = {
	    "SELECT d.kiosk, d.local_day, d.category, c.name, d.drops, d.grams, d.pieces, "
	    "d.points, 0, 0, 0, 0, 0, 0 FROM report_daily d LEFT JOIN categories c ON c.id = "
	    "d.category WHERE d.local_day BETWEEN ?1 AND ?2 AND (?3 = 0 OR d.kiosk = ?3) AND (?4 "
	    "= 0 OR d.category = ?4) ORDER BY d.local_day, d.kiosk, d.category",
	    "SELECT d.kiosk, d.local_day, d.category, c.name, d.drops, d.grams, d.pieces, "
	    "d.points, x.close_no, x.closed_s, t.drops, t.grams, t.pieces, t.points FROM "
	    "report_daily d LEFT JOIN categories c ON c.id = d.category LEFT JOIN day_closes x ON "
	    "x.close_no = " LATEST_CLOSE(
	        "d.kiosk", "d.local_day") " LEFT JOIN close_totals t ON "
	                                  "t.close_no = x.close_no AND t.category = d.category "
	                                  "WHERE d.local_day BETWEEN ?1 AND "
	                                  "?2 AND (?3 = 0 OR d.kiosk = ?3) AND (?4 = 0 OR "
	                                  "d.category = ?4) ORDER BY "
	                                  "d.local_day, d.kiosk, d.category",
	};
	int closed = any_close(s, f);
	if (closed < 0)
		return closed;
	return each_filter(s, sql[closed], f, 0, daily_row, &w);
}

static int flow_row(sqlite3_stmt *st, void *run)
{
	struct filter_run *w = run;
	struct store_ledger_flow r = {.kiosk = (uint32_t)sqlite3_column_int64(st, 0),
	                              .local_day = (uint32_t)sqlite3_column_int64(st, 1),
	                              .category = (uint16_t)sqlite3_column_int64(st, 2),
	                              .claimed = sqlite3_column_int64(st, 3),
	                              .redeemed = sqlite3_column_int64(st, 4)};
	return ((int (*)(void *, const struct store_ledger_flow *))w->fn)(w->ctx, &r);
}

int sq_report_ledger_flows(struct store *s, const struct store_report_filter *f,
                           int (*fn)(void *ctx, const struct store_ledger_flow *r), void *ctx)
{
	struct filter_run w = {(void (*)(void))fn, ctx};
	/* Claimed: where and when the receipt's drop was made (claims name their
	 * resident since the points ledger; older claims credited nobody).
	 * Redeemed: a resident's, not a kiosk's: one row per UTC day of central
	 * with kiosk and category 0, only when no kiosk or category is asked. */
	return each_filter(
	    s,
	    "SELECT kiosk, local_day, category, SUM(points), 0 FROM claims "
	    "WHERE resident IS NOT NULL AND local_day BETWEEN ?1 AND ?2 "
	    "AND (?3 = 0 OR kiosk = ?3) AND (?4 = 0 OR category = ?4) "
	    "GROUP BY kiosk, local_day, category "
	    "UNION ALL "
	    "SELECT 0, d, 0, 0, -SUM(points) FROM ("
	    "SELECT CAST(strftime('%Y%m%d', at_s, 'unixepoch') AS INTEGER) AS d, points "
	    "FROM points_entries WHERE kind = 3 AND ?3 = 0 AND ?4 = 0) "
	    "WHERE d BETWEEN ?1 AND ?2 GROUP BY d",
	    f, 0, flow_row, &w);
}

static int kiosk_row(sqlite3_stmt *st, void *run)
{
	struct filter_run *w = run;
	struct store_kiosk_beat k;
	memset(&k, 0, sizeof k);
	k.kiosk = (uint32_t)sqlite3_column_int64(st, 0);
	sq_text(st, 1, k.name, sizeof k.name);
	k.heartbeat_s = sqlite3_column_int64(st, 2);
	k.last_seq = (uint32_t)sqlite3_column_int64(st, 3);
	return ((int (*)(void *, const struct store_kiosk_beat *))w->fn)(w->ctx, &k);
}

int sq_report_kiosks(struct store *s, const struct store_report_filter *f,
                     int (*fn)(void *ctx, const struct store_kiosk_beat *k), void *ctx)
{
	struct filter_run w = {(void (*)(void))fn, ctx};
	struct store_report_filter k = {.kiosk = f->kiosk};
	return each_filter(s,
	                   "SELECT k.number, k.name, h.received_s, h.last_seq FROM kiosks k LEFT "
	                   "JOIN heartbeats h ON h.kiosk = k.number WHERE ?1 <= ?2 AND (?3 = 0 OR "
	                   "k.number = ?3) ORDER BY k.number",
	                   &k, 0, kiosk_row, &w);
}

static int range_row(sqlite3_stmt *st, void *run)
{
	struct filter_run *w = run;
	struct store_seq_range r = {(uint32_t)sqlite3_column_int64(st, 0),
	                            (uint32_t)sqlite3_column_int64(st, 1),
	                            (uint32_t)sqlite3_column_int64(st, 2)};
	return ((int (*)(void *, const struct store_seq_range *))w->fn)(w->ctx, &r);
}

int sq_report_seq_ranges(struct store *s, const struct store_report_filter *f,
                         int (*fn)(void *ctx, const struct store_seq_range *r), void *ctx)
{
	struct filter_run w = {(void (*)(void))fn, ctx};
	struct store_report_filter k = {.kiosk = f->kiosk};
	return each_filter(s,
	                   "SELECT kiosk, first_seq, last_seq FROM seq_ranges WHERE ?1 <= ?2 AND "
	                   "(?3 = 0 OR kiosk = ?3) ORDER BY kiosk, first_seq",
	                   &k, 0, range_row, &w);
}

static int late_row(sqlite3_stmt *st, void *run)
{
	struct filter_run *w = run;
	struct store_late_record r = {(uint32_t)sqlite3_column_int64(st, 0),
	                              (uint32_t)sqlite3_column_int64(st, 1),
	                              (uint32_t)sqlite3_column_int64(st, 2),
	                              sqlite3_column_int64(st, 3), sqlite3_column_int64(st, 4)};
	return ((int (*)(void *, const struct store_late_record *))w->fn)(w->ctx, &r);
}

int sq_report_late(struct store *s, const struct store_report_filter *f, int64_t late_after_s,
                   int (*fn)(void *ctx, const struct store_late_record *r), void *ctx)
{
	struct filter_run w = {(void (*)(void))fn, ctx};
	struct store_report_filter k = {.kiosk = f->kiosk};
	if (late_after_s < STORE_LATE_MIN_S) {
		store_set_err(s, "late records are kept from %d s on", STORE_LATE_MIN_S);
		return WF_EINVAL;
	}
	return each_filter(s,
	                   "SELECT kiosk, seq, kind, time_s, received_s FROM late_records WHERE ?1 "
	                   "<= ?2 AND (?3 = 0 OR kiosk = ?3) AND received_s - time_s > ?5 ORDER BY "
	                   "kiosk, seq",
	                   &k, late_after_s, late_row, &w);
}

static int bin_row(sqlite3_stmt *st, void *run)
{
	struct filter_run *w = run;
	struct store_bin_row r;
	memset(&r, 0, sizeof r);
	r.kiosk = (uint32_t)sqlite3_column_int64(st, 0);
	r.seq = (uint32_t)sqlite3_column_int64(st, 1);
	r.time_s = sqlite3_column_int64(st, 2);
	r.category = (uint16_t)sqlite3_column_int64(st, 3);
	sq_text(st, 4, r.category_name, sizeof r.category_name);
	r.bin_grams = sqlite3_column_int64(st, 5);
	r.prev_seq = (uint32_t)sqlite3_column_int64(st, 6);
	r.drops = sqlite3_column_int64(st, 7);
	r.drop_grams = sqlite3_column_int64(st, 8);
	return ((int (*)(void *, const struct store_bin_row *))w->fn)(w->ctx, &r);
}

int sq_report_bins(struct store *s, const struct store_report_filter *f,
                   int (*fn)(void *ctx, const struct store_bin_row *r), void *ctx)
{
	struct filter_run w = {(void (*)(void))fn, ctx};
	/* The spans are kept at ingest (bin_spans). Days are UTC: a record of a
	 * bin carries no local day. */
	return each_filter(
	    s,
	    "SELECT b.kiosk, b.seq, r.time_s, b.category, c.name, r.qty, b.prev_seq, "
	    "b.drops, b.grams FROM bin_spans b JOIN records r ON r.kiosk = b.kiosk "
	    "AND r.seq = b.seq LEFT JOIN categories c ON c.id = b.category WHERE (?3 "
	    "= 0 OR b.kiosk = ?3) AND (?4 = 0 OR b.category = ?4) AND "
	    "CAST(strftime('%Y%m%d', r.time_s, 'unixepoch') AS INTEGER) BETWEEN ?1 "
	    "AND ?2 ORDER BY b.kiosk, b.seq",
	    f, 0, bin_row, &w);
}

static int close_row(sqlite3_stmt *st, void *run)
{
	struct filter_run *w = run;
	struct store_close_row r;
	memset(&r, 0, sizeof r);
	r.kiosk = (uint32_t)sqlite3_column_int64(st, 0);
	r.local_day = (uint32_t)sqlite3_column_int64(st, 1);
	r.kiosk_seq = (uint32_t)sqlite3_column_int64(st, 2);
	struct wf_record rec; /* a DAY_CLOSE: few of them, decoded here */
	if (r.kiosk_seq &&
	    wf_record_decode(sqlite3_column_blob(st, 3), (size_t)sqlite3_column_bytes(st, 3), &rec,
	                     NULL, 0) == WF_OK &&
	    rec.kind == WF_RECORD_DAY_CLOSE) {
		r.kiosk_sum.drops = rec.day_close.drops;
		r.kiosk_sum.grams = rec.day_close.grams;
		r.kiosk_sum.pieces = rec.day_close.pieces;
		r.kiosk_sum.points = rec.day_close.points;
	}
	totals_at(st, 4, &r.live);
	r.close_no = sqlite3_column_int64(st, 8);
	r.closed_s = sqlite3_column_int64(st, 9);
	totals_at(st, 10, &r.frozen);
	return ((int (*)(void *, const struct store_close_row *))w->fn)(w->ctx, &r);
}

int sq_report_closes(struct store *s, const struct store_report_filter *f,
                     int (*fn)(void *ctx, const struct store_close_row *r), void *ctx)
{
	struct filter_run w = {(void (*)(void))fn, ctx};
	return each_filter(
	    s,
	    "WITH k(kiosk, local_day) AS (SELECT kiosk, local_day FROM records WHERE kind = 4 AND "
	    "local_day BETWEEN ?1 AND ?2 AND (?3 = 0 OR kiosk = ?3) UNION SELECT kiosk, local_day "
	    "FROM day_closes WHERE local_day BETWEEN ?1 AND ?2 AND (?3 = 0 OR kiosk = ?3)), "
	    "kc AS (SELECT k.kiosk, k.local_day, (SELECT MAX(seq) FROM records r WHERE r.kind = 4 "
	    "AND r.local_day = k.local_day AND r.kiosk = k.kiosk) AS seq, " LATEST_CLOSE(
	        "k.kiosk",
	        "k.local_day") " AS close_no FROM k) "
	                       "SELECT kc.kiosk, kc.local_day, kc.seq, (SELECT bytes "
	                       "FROM records WHERE kiosk = kc.kiosk AND seq = kc.seq), "
	                       "COALESCE(SUM(d.drops), 0), COALESCE(SUM(d.grams), 0), "
	                       "COALESCE(SUM(d.pieces), 0), COALESCE(SUM(d.points), 0), "
	                       "kc.close_no, x.closed_s, (SELECT SUM(drops) FROM "
	                       "close_totals WHERE close_no = kc.close_no), (SELECT "
	                       "SUM(grams) FROM close_totals WHERE close_no = "
	                       "kc.close_no), (SELECT SUM(pieces) FROM close_totals "
	                       "WHERE close_no = kc.close_no), (SELECT SUM(points) FROM "
	                       "close_totals WHERE close_no = kc.close_no) FROM kc LEFT "
	                       "JOIN report_daily d ON d.kiosk = kc.kiosk AND "
	                       "d.local_day = kc.local_day LEFT JOIN day_closes x ON "
	                       "x.close_no = kc.close_no GROUP BY kc.kiosk, kc.local_day "
	                       "ORDER BY kc.kiosk, kc.local_day",
	    f, 0, close_row, &w);
}

static int drop_row(sqlite3_stmt *st, void *run)
{
	struct filter_run *w = run;
	struct store_drop_row r;
	memset(&r, 0, sizeof r);
	r.kiosk = (uint32_t)sqlite3_column_int64(st, 0);
	r.seq = (uint32_t)sqlite3_column_int64(st, 1);
	r.time_s = sqlite3_column_int64(st, 2);
	r.received_s = sqlite3_column_int64(st, 3);
	r.category = (uint16_t)sqlite3_column_int64(st, 4);
	r.unit = (uint8_t)sqlite3_column_int64(st, 5);
	r.qty = sqlite3_column_int64(st, 6);
	r.credited = sqlite3_column_int64(st, 7);
	r.points = sqlite3_column_int64(st, 8);
	r.resident = sqlite3_column_int64(st, 9);
	r.flags = (uint32_t)sqlite3_column_int64(st, 10);
	return ((int (*)(void *, const struct store_drop_row *))w->fn)(w->ctx, &r);
}

int sq_report_drops(struct store *s, uint32_t kiosk, uint32_t local_day, uint16_t category,
                    int (*fn)(void *ctx, const struct store_drop_row *r), void *ctx)
{
	struct filter_run w = {(void (*)(void))fn, ctx};
	struct store_report_filter f = {local_day, local_day, kiosk, category};
	return each_filter(s,
	                   "SELECT kiosk, seq, time_s, received_s, category, unit, qty, credited, "
	                   "points, COALESCE(resident, 0), flags FROM records WHERE kiosk = ?3 AND "
	                   "kind = 1 AND local_day BETWEEN ?1 AND ?2 AND (?4 = 0 OR category = ?4) "
	                   "ORDER BY seq",
	                   &f, 0, drop_row, &w);
}

/* One kiosk's day closed: a new close number and the day's totals under it. */
static int close_one(struct store *s, uint32_t local_day, uint32_t kiosk, int64_t now_s,
                     int64_t *close_no)
{
	sqlite3 *db = SQ(s)->db;
	sqlite3_stmt *st = NULL;
	int rc = sql_prepare(db, "INSERT INTO day_closes(kiosk, local_day, closed_s) VALUES(?,?,?)",
	                     &st, SQ_ERR(s));
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, kiosk);
	sqlite3_bind_int64(st, 2, local_day);
	sqlite3_bind_int64(st, 3, now_s);
	rc = sql_done(db, st, SQ_ERR(s));
	if (rc)
		return rc;
	*close_no = sqlite3_last_insert_rowid(db);
	rc = sql_prepare(
	    db,
	    "INSERT INTO close_totals(close_no, category, drops, grams, pieces, points) "
	    "SELECT ?1, category, drops, grams, pieces, points FROM report_daily WHERE "
	    "kiosk = ?2 AND local_day = ?3",
	    &st, SQ_ERR(s));
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, *close_no);
	sqlite3_bind_int64(st, 2, kiosk);
	sqlite3_bind_int64(st, 3, local_day);
	return sql_done(db, st, SQ_ERR(s));
}

struct close_walk {
	struct store *s;
	uint32_t local_day;
	int again;
	int64_t now_s;
	int (*fn)(void *ctx, uint32_t kiosk, int64_t close_no, int fresh);
	void *ctx;
	int rc;
	int seen;
};

/* Each kiosk: closed anew, or its earlier close kept. */
static int close_kiosk(sqlite3_stmt *st, void *run)
{
	struct close_walk *w = run;
	uint32_t kiosk = (uint32_t)sqlite3_column_int64(st, 0);
	int64_t close_no = sqlite3_column_int64(st, 1);
	int fresh = close_no == 0 || w->again;
	w->seen++;
	if (fresh)
		w->rc = close_one(w->s, w->local_day, kiosk, w->now_s, &close_no);
	if (!w->rc && w->fn && w->fn(w->ctx, kiosk, close_no, fresh))
		return 1;
	return w->rc != 0;
}

int sq_day_close(struct store *s, uint32_t local_day, uint32_t kiosk, int again, int64_t now_s,
                 int (*fn)(void *ctx, uint32_t kiosk, int64_t close_no, int fresh), void *ctx)
{
	bool own = false;
	struct close_walk w = {s, local_day, again, now_s, fn, ctx, WF_OK, 0};
	struct store_report_filter f = {local_day, local_day, kiosk, 0};
	int rc = sq_tx_begin(s, &own);
	if (rc)
		return rc;
	rc = each_filter(s,
	                 "SELECT k.number, COALESCE(" LATEST_CLOSE(
	                     "k.number", "?1") ", 0) FROM kiosks k WHERE ?1 <= ?2 AND (?3 = 0 OR "
	                                       "k.number = ?3) ORDER BY k.number",
	                 &f, 0, close_kiosk, &w);
	if (!rc)
		rc = w.rc;
	if (!rc && kiosk != 0 && w.seen == 0) {
		store_set_err(s, "no kiosk %u", kiosk);
		rc = WF_ENOENT;
	}
	return sq_tx_end(s, own, rc);
}

int sq_bulk_load(struct store *s, int on)
{
	/* a large page cache too: the fill touches every index at random places */
	return sql_exec(SQ(s)->db,
	                on ? "PRAGMA synchronous=OFF; PRAGMA cache_size=-262144"
	                   : "PRAGMA synchronous=FULL; PRAGMA cache_size=-2000",
	                SQ_ERR(s));
}
