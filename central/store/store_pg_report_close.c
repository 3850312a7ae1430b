/*
 * store_pg_report_close.c — the PostgreSQL backend's day closes, close
 * report and residents report, and bulk_load: the twins of
 * store_sqlite_report.c and store_sqlite_residents.c (same rows, same
 * order, same return codes).
 *
 * A day close takes the close lock of its day (store_ops.lock,
 * STORE_LOCK_CLOSE) right after begin: two centrals closing one day
 * together never both find it open, so one kiosk's day gets one close
 * (unless again), its totals frozen under a running number (bigserial).
 */
#include "store_pg_report.h"

#include <string.h>

#include "record.h"

static int close_row(const PGresult *res, int i, void *run)
{
	struct pg_filter_run *w = run;
	struct store_close_row r;
	memset(&r, 0, sizeof r);
	r.kiosk = (uint32_t)pg_i64(res, i, 0);
	r.local_day = (uint32_t)pg_i64(res, i, 1);
	r.kiosk_seq = (uint32_t)pg_i64(res, i, 2);
	uint8_t bytes[WF_RECORD_MAX_LEN];
	size_t len = 0;
	struct wf_record rec; /* a DAY_CLOSE: few of them, decoded here */
	if (r.kiosk_seq && pg_bytes(res, i, 3, bytes, sizeof bytes, &len) == WF_OK &&
	    wf_record_decode(bytes, len, &rec, NULL, 0) == WF_OK &&
	    rec.kind == WF_RECORD_DAY_CLOSE) {
		r.kiosk_sum.drops = rec.day_close.drops;
		r.kiosk_sum.grams = rec.day_close.grams;
		r.kiosk_sum.pieces = rec.day_close.pieces;
		r.kiosk_sum.points = rec.day_close.points;
	}
	pg_totals_at(res, i, 4, &r.live);
	r.close_no = pg_i64(res, i, 8);
	r.closed_s = pg_i64(res, i, 9);
	pg_totals_at(res, i, 10, &r.frozen);
	return ((int (*)(void *, const struct store_close_row *))w->fn)(w->ctx, &r);
}

static const char closes_sql[] =
    "WITH k(kiosk, local_day) AS (SELECT kiosk, local_day FROM records WHERE kind = 4 AND "
    "local_day BETWEEN $1::bigint AND $2::bigint AND ($3::bigint = 0 OR kiosk = $3::bigint) "
    "UNION SELECT kiosk, local_day FROM day_closes WHERE local_day BETWEEN $1::bigint AND "
    "$2::bigint AND ($3::bigint = 0 OR kiosk = $3::bigint)), "
    "kc AS (SELECT k.kiosk, k.local_day, (SELECT MAX(seq) FROM records r WHERE r.kind = 4 "
    "AND r.local_day = k.local_day AND r.kiosk = k.kiosk) AS seq, " PG_LATEST_CLOSE(
        "k.kiosk", "k.local_day") " AS close_no FROM k) "
                                  "SELECT kc.kiosk, kc.local_day, kc.seq, (SELECT bytes FROM "
                                  "records WHERE kiosk = kc.kiosk AND seq = kc.seq), "
                                  "COALESCE(SUM(d.drops), 0), COALESCE(SUM(d.grams), 0), "
                                  "COALESCE(SUM(d.pieces), 0), COALESCE(SUM(d.points), 0), "
                                  "kc.close_no, x.closed_s, (SELECT SUM(drops) FROM "
                                  "close_totals WHERE close_no = kc.close_no), (SELECT "
                                  "SUM(grams) FROM close_totals WHERE close_no = "
                                  "kc.close_no), (SELECT SUM(pieces) FROM close_totals WHERE "
                                  "close_no = kc.close_no), (SELECT SUM(points) FROM "
                                  "close_totals WHERE close_no = kc.close_no) FROM kc LEFT "
                                  "JOIN report_daily d ON d.kiosk = kc.kiosk AND d.local_day "
                                  "= kc.local_day LEFT JOIN day_closes x ON x.close_no = "
                                  "kc.close_no GROUP BY kc.kiosk, kc.local_day, kc.seq, "
                                  "kc.close_no, x.closed_s ORDER BY kc.kiosk, kc.local_day";

static int pg_report_closes(struct store *s, const struct store_report_filter *f,
                            int (*fn)(void *ctx, const struct store_close_row *r), void *ctx)
{
	struct pg_filter_run w = {(void (*)(void))fn, ctx};
	return pg_each_filter(s, closes_sql, f, 3, close_row, &w);
}

/* $1 from day, $2 to day, $3 percent of a daily limit that counts as near
 * (store_sqlite_residents.c says how the period counts). */
static const char residents_sql[] =
    "WITH ids(r) AS (SELECT id FROM residents UNION SELECT resident FROM points_totals), "
    "days(r, earned, claimed, near) AS (SELECT d.resident, SUM(d.earned), SUM(d.claimed), "
    "MAX(CASE WHEN COALESCE(c.daily_limit, 0) > 0 AND (d.credited + d.claimed_qty) * 100 >= "
    "$3::bigint * c.daily_limit THEN 1 ELSE 0 END) FROM resident_days d LEFT JOIN "
    "categories c ON c.id = d.category WHERE d.local_day BETWEEN $1::bigint AND $2::bigint "
    "GROUP BY d.local_day, d.resident), "
    "dsum(r, earned, claimed, n, near) AS (SELECT r, SUM(earned), SUM(claimed), COUNT(*), "
    "SUM(near) FROM days GROUP BY r), "
    "moved(r, red, adj) AS (SELECT resident, SUM(redeemed), SUM(adjusted) FROM "
    "resident_moves WHERE utc_day BETWEEN $1::bigint AND $2::bigint GROUP BY resident) "
    "SELECT ids.r, COALESCE(p.name, ''), COALESCE(p.status, ''), COALESCE(t.balance, 0), "
    "COALESCE(dsum.earned, 0), COALESCE(dsum.claimed, 0), COALESCE(moved.red, 0), "
    "COALESCE(moved.adj, 0), COALESCE(dsum.n, 0), COALESCE(dsum.near, 0) FROM ids LEFT JOIN "
    "residents p ON p.id = ids.r LEFT JOIN points_totals t ON t.resident = ids.r LEFT JOIN "
    "dsum ON dsum.r = ids.r LEFT JOIN moved ON moved.r = ids.r ORDER BY ids.r";

static int resident_row(const PGresult *res, int i, void *run)
{
	struct pg_filter_run *w = run;
	struct store_resident_row r;
	memset(&r, 0, sizeof r);
	r.id = pg_i64(res, i, 0);
	pg_text(res, i, 1, r.name, sizeof r.name);
	pg_text(res, i, 2, r.status, sizeof r.status);
	r.balance = pg_i64(res, i, 3);
	r.earned = pg_i64(res, i, 4);
	r.claimed = pg_i64(res, i, 5);
	r.redeemed = pg_i64(res, i, 6);
	r.adjusted = pg_i64(res, i, 7);
	r.days = pg_i64(res, i, 8);
	r.near_days = pg_i64(res, i, 9);
	return ((int (*)(void *, const struct store_resident_row *))w->fn)(w->ctx, &r);
}

static int pg_report_residents(struct store *s, const struct store_report_filter *f,
                               int64_t near_pct,
                               int (*fn)(void *ctx, const struct store_resident_row *r), void *ctx)
{
	struct pg_filter_run w = {(void (*)(void))fn, ctx};
	struct pg_params pp = {0};
	pg_p_i64(&pp, f->from_day);
	pg_p_i64(&pp, f->to_day ? f->to_day : UINT32_MAX);
	pg_p_i64(&pp, near_pct);
	return pg_each(s, residents_sql, &pp, resident_row, &w);
}

/* One kiosk's day closed: a new close number and the day's totals under it. */
static int close_one(struct store *s, uint32_t local_day, uint32_t kiosk, int64_t now_s,
                     int64_t *close_no)
{
	static const char add[] = "INSERT INTO day_closes(kiosk, local_day, closed_s) "
	                          "VALUES($1::bigint, $2::bigint, $3::bigint) RETURNING close_no";
	static const char freeze[] =
	    "INSERT INTO close_totals(close_no, category, drops, grams, pieces, points) SELECT "
	    "$1::bigint, category, drops, grams, pieces, points FROM report_daily WHERE kiosk = "
	    "$2::bigint AND local_day = $3::bigint ORDER BY category";
	struct pg_params pp = {0};
	pg_p_i64(&pp, kiosk);
	pg_p_i64(&pp, local_day);
	pg_p_i64(&pp, now_s);
	int rc = pg_value(PGS(s), add, &pp, close_no);
	if (rc)
		return rc;
	struct pg_params fp = {0};
	pg_p_i64(&fp, *close_no);
	pg_p_i64(&fp, kiosk);
	pg_p_i64(&fp, local_day);
	return pg_run(PGS(s), freeze, &fp, NULL);
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
static int close_kiosk(const PGresult *res, int i, void *run)
{
	struct close_walk *w = run;
	uint32_t kiosk = (uint32_t)pg_i64(res, i, 0);
	int64_t close_no = pg_i64(res, i, 1);
	int fresh = close_no == 0 || w->again;
	w->seen++;
	if (fresh)
		w->rc = close_one(w->s, w->local_day, kiosk, w->now_s, &close_no);
	if (!w->rc && w->fn && w->fn(w->ctx, kiosk, close_no, fresh))
		return 1;
	return w->rc != 0;
}

static int pg_day_close(struct store *s, uint32_t local_day, uint32_t kiosk, int again,
                        int64_t now_s,
                        int (*fn)(void *ctx, uint32_t kiosk, int64_t close_no, int fresh),
                        void *ctx)
{
	static const char sql[] = "SELECT k.number, COALESCE(" PG_LATEST_CLOSE(
	    "k.number", "$1::bigint") ", 0) FROM kiosks k WHERE $1::bigint <= $2::bigint AND "
	                              "($3::bigint = 0 OR k.number = $3::bigint) ORDER BY "
	                              "k.number";
	bool own = false;
	struct close_walk w = {s, local_day, again, now_s, fn, ctx, WF_OK, 0};
	struct store_report_filter f = {local_day, local_day, kiosk, 0};
	int rc = pg_tx_begin(PGS(s), &own);
	if (rc)
		return rc;
	rc = s->ops->lock(s, STORE_LOCK_CLOSE, local_day);
	if (!rc)
		rc = pg_each_filter(s, sql, &f, 3, close_kiosk, &w);
	if (!rc)
		rc = w.rc;
	if (!rc && kiosk != 0 && w.seen == 0) {
		store_set_err(s, "no kiosk %u", kiosk);
		rc = WF_ENOENT;
	}
	return pg_tx_end(PGS(s), own, rc);
}

/* The fill commits without waiting for the WAL to reach the disk (a crash
 * may lose the last commits, never corrupt the database); off: the
 * server's setting again. */
static int pg_bulk_load(struct store *s, int on)
{
	return pg_exec(PGS(s), on ? "SET synchronous_commit = off" : "RESET synchronous_commit");
}

void store_pg_fill_report_close(struct store_ops *ops)
{
	ops->report_closes = pg_report_closes;
	ops->report_residents = pg_report_residents;
	ops->day_close = pg_day_close;
	ops->bulk_load = pg_bulk_load;
}
