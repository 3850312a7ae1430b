/*
 * test_report.c — the office's reports (central/report/report.h, `wufei-
 * central report ...`, `day close`) on real SQLite stores seeded through
 * ingest with real canonical records (drops of three categories over three
 * days at several kiosks, bin collections, day closes), every figure
 * checked against what the test computes on its own from the records it
 * sent:
 *
 *   - daily totals and their filters; the summary tables kept at ingest
 *     equal a recount from the records after random batches, duplicates,
 *     out-of-order records and conflicts (a conflict never moves a total),
 *     and for a store from before them (schema 1);
 *   - a day closed by the office keeps its figures; a drop arriving after
 *     shows as a difference, traceable to its (kiosk, seq);
 *   - gaps (holes, the heartbeat's tail, silent kiosks, late records),
 *     alerts with what to do, bins against drops, kiosk day closes;
 *   - the real wufei-central: CSV (BOM, CRLF, a formula-looking category
 *     name neutralised), JSON, the terminal table, refused options.
 */
#define _XOPEN_SOURCE 700
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "catalog.h"
#include "harness.h"
#include "ingest.h"
#include "record.h"
#include "report.h"
#include "store.h"
#include "testdb.h"
#include "wf.h"

#ifndef WUFEI_FIXTURES_DIR
#error "WUFEI_FIXTURES_DIR must name tests/central/fixtures"
#endif

#define T0    INT64_C(1764316800) /* 2025-11-28 08:00 UTC */
#define DAY_A 20261126u
#define DAY_B 20261127u
#define DAY_C 20261128u
#define NCAT  3

static const char *const cat_names[NCAT + 1] = {"", "废纸 paper", "=cmd|' /C calc'!A0",
                                                "玻璃 \"clear\"\nline two"};
static const int64_t cat_rates[NCAT + 1] = {0, 2000, 5, 1000};

struct env {
	char dir[64];
	char db[128];
	char url[160];
	struct store *s;
};

static void env_open(struct env *e)
{
	char why[512];
	snprintf(e->dir, sizeof e->dir, "/tmp/wufei-report-XXXXXX");
	assert_non_null(mkdtemp(e->dir));
	snprintf(e->db, sizeof e->db, "%s/c.db", e->dir);
	assert_int_equal(testdb_url(e->url, sizeof e->url, e->db), 0);
	assert_int_equal(store_open(e->url, &e->s, why, sizeof why), 0);
	for (uint32_t k = 7; k <= 9; k++)
		assert_int_equal(e->s->ops->kiosk_add(e->s, k, k == 9 ? "新村 9" : "kiosk", 1), 0);
	for (uint16_t c = 1; c <= NCAT; c++) {
		struct wf_category cat = {.id = c,
		                          .unit = c == 2 ? WF_UNIT_PIECE : WF_UNIT_GRAM,
		                          .rate = cat_rates[c],
		                          .min_qty = 1,
		                          .max_qty = 100000};
		snprintf(cat.code, sizeof cat.code, "c%u", (unsigned)c);
		snprintf(cat.name, sizeof cat.name, "%s", cat_names[c]);
		assert_int_equal(e->s->ops->rate_set(e->s, &cat, 1), 0);
		assert_int_equal(cat.rate_version, 1);
	}
}

static void env_close(struct env *e)
{
	char path[200];
	store_close(e->s);
	e->s = NULL;
	const char *const sfx[] = {"", "-wal", "-shm"};
	for (size_t i = 0; i < 3; i++) {
		snprintf(path, sizeof path, "%s%s", e->db, sfx[i]);
		unlink(path);
	}
	rmdir(e->dir);
}

/* ---- records ---- */

static struct wf_record drop(uint32_t kiosk, uint32_t seq, uint32_t day, uint16_t cat, int64_t qty,
                             int64_t time_s)
{
	struct wf_record r;
	memset(&r, 0, sizeof r);
	r.kind = WF_RECORD_DROP;
	r.kiosk = kiosk;
	r.seq = seq;
	r.time_ms = time_s * 1000;
	r.drop.category_id = cat;
	r.drop.unit = cat == 2 ? WF_UNIT_PIECE : WF_UNIT_GRAM;
	r.drop.qty = qty;
	r.drop.credited_qty = qty;
	assert_int_equal(wf_points(r.drop.unit, cat_rates[cat], qty, &r.drop.points), 0);
	r.drop.rate_version = 1;
	r.drop.resident_id = 1001;
	memset(r.drop.card_hash, 0xab, sizeof r.drop.card_hash);
	r.drop.local_day = day;
	return r;
}

static struct wf_record bin(uint32_t kiosk, uint32_t seq, uint16_t cat, int64_t grams,
                            int64_t time_s)
{
	struct wf_record r;
	memset(&r, 0, sizeof r);
	r.kind = WF_RECORD_BIN;
	r.kiosk = kiosk;
	r.seq = seq;
	r.time_ms = time_s * 1000;
	r.bin.category_id = cat;
	r.bin.grams = grams;
	r.bin.staff_id = 1;
	return r;
}

static struct wf_record day_close(uint32_t kiosk, uint32_t seq, uint32_t day,
                                  const struct store_totals *t, int64_t time_s)
{
	struct wf_record r;
	memset(&r, 0, sizeof r);
	r.kind = WF_RECORD_DAY_CLOSE;
	r.kiosk = kiosk;
	r.seq = seq;
	r.time_ms = time_s * 1000;
	r.day_close.local_day = day;
	r.day_close.drops = (uint32_t)t->drops;
	r.day_close.grams = t->grams;
	r.day_close.pieces = t->pieces;
	r.day_close.points = t->points;
	return r;
}

/* recs[0..n) of kiosk into central in one batch received at received_s; statuses into st. */
static void send(struct env *e, uint32_t kiosk, const struct harness_rec *recs, size_t n,
                 int64_t received_s)
{
	char why[512];
	json_t *res = NULL;
	uint32_t hi = 0;
	char *body = harness_batch_of(kiosk, recs, n);
	assert_non_null(body);
	int rc =
	    ingest_batch(e->s, kiosk, body, strlen(body), received_s, &res, &hi, why, sizeof why);
	if (rc)
		fail_msg("ingest: %s", why);
	json_decref(res);
	free(body);
}

/* A kiosk's whole journal chained from the start. */
static void chain(const struct wf_record *recs, size_t n, struct harness_rec *out)
{
	uint8_t prev[WF_HASH_BYTES] = {0};
	assert_int_equal(harness_chain(recs, n, prev, out), 0);
}

/* ---- reading a built report ---- */

static int col_of(const struct report_table *t, const char *key)
{
	for (int c = 0; c < t->ncols; c++)
		if (strcmp(t->cols[c].key, key) == 0)
			return c;
	fail_msg("no column %s", key);
	return -1;
}

static bool empty(const struct report_table *t, size_t row, const char *key)
{
	int64_t v = 0;
	assert_true(row < t->nrows);
	int c = col_of(t, key);
	return t->cols[c].kind == REPORT_TEXT ? report_cell_text(t, row, c) == NULL
	                                      : !report_cell_int(t, row, c, &v);
}

static int64_t num(const struct report_table *t, size_t row, const char *key)
{
	int64_t v = 0;
	assert_true(row < t->nrows);
	assert_true(report_cell_int(t, row, col_of(t, key), &v));
	return v;
}

static const char *text(const struct report_table *t, size_t row, const char *key)
{
	assert_true(row < t->nrows);
	const char *s = report_cell_text(t, row, col_of(t, key));
	return s ? s : "";
}

/* ---- expectations the test keeps itself ---- */

struct expect {
	struct store_totals t[10][3][NCAT + 1]; /* kiosk 0..9, day A..C, category */
};

static int day_index(uint32_t day)
{
	return (int)(day - DAY_A);
}

static void expect_add(struct expect *x, const struct wf_record *r)
{
	if (r->kind != WF_RECORD_DROP)
		return;
	struct store_totals *t = &x->t[r->kiosk][day_index(r->drop.local_day)][r->drop.category_id];
	t->drops++;
	if (r->drop.unit == WF_UNIT_GRAM)
		t->grams += r->drop.qty;
	else
		t->pieces += r->drop.qty;
	t->points += r->drop.points;
}

static bool in_filter(const struct store_report_filter *f, uint32_t k, uint32_t day, uint16_t c)
{
	return (!f->kiosk || f->kiosk == k) && (!f->category || f->category == c) &&
	       day >= f->from_day && (!f->to_day || day <= f->to_day);
}

/* The daily report for f equals x: one row per (day, kiosk, category) with
 * drops, in order, and a total. */
static void daily_matches(struct store *s, const struct expect *x,
                          const struct store_report_filter *f)
{
	struct report_opts o;
	struct report rep;
	report_opts_default(&o, T0);
	o.filter = *f;
	assert_int_equal(report_daily(s, &o, &rep), 0);
	const struct report_table *t = &rep.tables[0];
	size_t row = 0;
	struct store_totals sum = {0};
	for (uint32_t d = 0; d < 3; d++)
		for (uint32_t k = 0; k < 10; k++)
			for (uint16_t c = 1; c <= NCAT; c++) {
				const struct store_totals *w = &x->t[k][d][c];
				if (!w->drops || !in_filter(f, k, DAY_A + d, c))
					continue;
				char day[11];
				report_day_text(DAY_A + d, day);
				assert_int_equal(num(t, row, "kiosk"), k);
				assert_string_equal(text(t, row, "day"), day);
				assert_int_equal(num(t, row, "category"), c);
				assert_string_equal(text(t, row, "category_name"), cat_names[c]);
				assert_int_equal(num(t, row, "drops"), w->drops);
				assert_int_equal(num(t, row, "grams"), w->grams);
				assert_int_equal(num(t, row, "pieces"), w->pieces);
				assert_int_equal(num(t, row, "points"), w->points);
				assert_int_equal(num(t, row, "points_claimed"), 0);
				assert_int_equal(num(t, row, "points_redeemed"), 0);
				assert_true(empty(t, row, "close_no"));
				sum.drops += w->drops;
				sum.grams += w->grams;
				sum.pieces += w->pieces;
				sum.points += w->points;
				row++;
			}
	assert_int_equal(t->nrows, row + 1);
	assert_string_equal(text(t, row, "day"), "TOTAL");
	assert_int_equal(num(t, row, "drops"), sum.drops);
	assert_int_equal(num(t, row, "grams"), sum.grams);
	assert_int_equal(num(t, row, "pieces"), sum.pieces);
	assert_int_equal(num(t, row, "points"), sum.points);
	report_free(&rep);
}

/* A journal of n records for kiosk: mostly drops over three days and three
 * categories, a bin collection every 9th, a day close every 13th. */
static void journal(uint32_t kiosk, size_t n, unsigned seed, struct wf_record *out)
{
	for (size_t i = 0; i < n; i++) {
		uint32_t seq = (uint32_t)i + 1;
		seed = seed * 1103515245u + 12345u;
		unsigned v = seed >> 8;
		uint16_t cat = (uint16_t)(1 + v % NCAT);
		uint32_t day = DAY_A + (uint32_t)(v / 3 % 3);
		int64_t t = T0 + (int64_t)seq * 60;
		if (seq % 9 == 0)
			out[i] = bin(kiosk, seq, cat, (int64_t)(v % 5000), t);
		else if (seq % 13 == 0)
			out[i] = day_close(kiosk, seq, day, &(struct store_totals){1, 2, 3, 4}, t);
		else
			out[i] =
			    drop(kiosk, seq, day, cat, cat == 2 ? 1 + v % 20 : 100 + v % 9000, t);
	}
}

static void test_daily_figures_and_filters(void **state)
{
	(void)state;
	struct env e;
	struct expect x = {0};
	static struct wf_record r7[60], r8[25];
	static struct harness_rec h7[60], h8[25];
	env_open(&e);
	journal(7, 60, 1, r7);
	journal(8, 25, 2, r8);
	chain(r7, 60, h7);
	chain(r8, 25, h8);
	send(&e, 7, h7, 60, T0 + 3600);
	send(&e, 8, h8, 25, T0 + 3600);
	for (size_t i = 0; i < 60; i++)
		expect_add(&x, &r7[i]);
	for (size_t i = 0; i < 25; i++)
		expect_add(&x, &r8[i]);
	daily_matches(e.s, &x, &(struct store_report_filter){0});
	daily_matches(e.s, &x, &(struct store_report_filter){.kiosk = 8});
	daily_matches(e.s, &x, &(struct store_report_filter){.category = 2});
	daily_matches(e.s, &x, &(struct store_report_filter){.from_day = DAY_B, .to_day = DAY_B});
	daily_matches(e.s, &x,
	              &(struct store_report_filter){.from_day = DAY_B, .kiosk = 7, .category = 3});
	/* sending it all again (duplicates) changes nothing */
	send(&e, 7, h7, 60, T0 + 7200);
	daily_matches(e.s, &x, &(struct store_report_filter){0});
	env_close(&e);
}

/* ---- the summaries against a recount ---- */

/* Queries a and b give the same rows on the store at url (either backend). */
static void same_rows(const char *url, const char *a, const char *b)
{
	char q[4096];
	snprintf(q, sizeof q,
	         "SELECT (SELECT COUNT(*) FROM (%s EXCEPT %s) AS x) + (SELECT COUNT(*) FROM (%s "
	         "EXCEPT %s) AS y)",
	         a, b, b, a);
	assert_int_equal(testdb_count(url, q), 0);
	snprintf(q, sizeof q,
	         "SELECT (SELECT COUNT(*) FROM (%s) AS x) - (SELECT COUNT(*) FROM (%s) AS y)", a,
	         b);
	assert_int_equal(testdb_count(url, q), 0);
}

static const char *const daily_sql =
    "SELECT kiosk, local_day, category, drops, grams, pieces, points FROM report_daily";
static const char *const recount_sql =
    "SELECT kiosk, local_day, category, COUNT(*), SUM(CASE WHEN unit = 1 THEN qty ELSE 0 "
    "END), SUM(CASE WHEN unit = 2 THEN qty ELSE 0 END), SUM(points) FROM records WHERE kind = "
    "1 GROUP BY 1, 2, 3";
static const char *const ranges_sql = "SELECT kiosk, first_seq, last_seq FROM seq_ranges";
static const char *const reranges_sql =
    "SELECT kiosk, MIN(seq), MAX(seq) FROM (SELECT kiosk, seq, seq - ROW_NUMBER() OVER "
    "(PARTITION BY kiosk ORDER BY seq) AS g FROM records) AS r GROUP BY kiosk, g";

static const char *const spans_sql =
    "SELECT kiosk, seq, category, prev_seq, drops, grams FROM bin_spans";
static const char *const respans_sql =
    "SELECT kiosk, seq, category, prev, (SELECT COUNT(*) FROM records d WHERE d.kiosk = "
    "b.kiosk AND d.seq > b.prev AND d.seq < b.seq AND d.kind = 1 AND d.category = b.category "
    "AND d.unit = 1), (SELECT COALESCE(SUM(qty), 0) FROM records d WHERE d.kiosk = b.kiosk "
    "AND d.seq > b.prev AND d.seq < b.seq AND d.kind = 1 AND d.category = b.category AND "
    "d.unit = 1) FROM (SELECT r.kiosk, r.seq, r.category, COALESCE((SELECT MAX(p.seq) FROM "
    "records p WHERE p.kind = 2 AND p.kiosk = r.kiosk AND p.category = r.category AND p.seq < "
    "r.seq), 0) AS prev FROM records r WHERE r.kind = 2) b";

static void summaries_equal_recount(const char *url)
{
	same_rows(url, daily_sql, recount_sql);
	same_rows(url, ranges_sql, reranges_sql);
	same_rows(url, spans_sql, respans_sql);
}

#define RJ 300 /* records per kiosk in the random test */

/* Random batches (slices anywhere, so duplicates and holes), some records
 * first sent with other bytes (the first version stays: later ones are
 * conflicts): after every batch the summaries equal a recount from the
 * records, and the daily report equals the test's own count of what
 * central kept. */
static void test_summary_equals_recount(void **state)
{
	(void)state;
	struct env e;
	static struct wf_record recs[2][RJ];
	static struct harness_rec hr[2][RJ];
	static bool held[2][RJ];
	static struct wf_record kept[2][RJ]; /* the version central holds */
	env_open(&e);
	for (int k = 0; k < 2; k++) {
		journal(7 + (uint32_t)k, RJ, 11u + (unsigned)k, recs[k]);
		chain(recs[k], RJ, hr[k]);
	}
	unsigned seed = 20261130;
	for (int round = 0; round < 120; round++) {
		seed = seed * 1103515245u + 12345u;
		int k = (int)(seed >> 9) % 2;
		size_t first = (seed >> 11) % RJ, n = 1 + (seed >> 3) % 30;
		if (first + n > RJ)
			n = RJ - first;
		struct harness_rec batch[30];
		memcpy(batch, &hr[k][first], n * sizeof batch[0]);
		struct wf_record other = recs[k][first];
		if (round % 4 == 3 && other.kind == WF_RECORD_DROP) {
			/* the first record of this batch with other bytes: stored if new, else a
			 * conflict */
			other.drop.qty += 7;
			wf_points(other.drop.unit, cat_rates[other.drop.category_id],
			          other.drop.qty, &other.drop.points);
			other.drop.credited_qty = other.drop.qty;
			int len = wf_record_encode(&other, batch[0].bytes, sizeof batch[0].bytes);
			assert_true(len > 0);
			batch[0].len = (size_t)len;
		}
		send(&e, 7 + (uint32_t)k, batch, n, T0 + round);
		for (size_t i = 0; i < n; i++)
			if (!held[k][first + i]) {
				held[k][first + i] = true;
				kept[k][first + i] = i == 0 ? other : recs[k][first + i];
			}
		summaries_equal_recount(e.url);
	}
	struct expect x = {0};
	for (int k = 0; k < 2; k++)
		for (size_t i = 0; i < RJ; i++)
			if (held[k][i])
				expect_add(&x, &kept[k][i]);
	daily_matches(e.s, &x, &(struct store_report_filter){0});
	env_close(&e);
}

/* A store from before the summaries (schema 1): opening it fills them. */
static void test_old_store_summarised(void **state)
{
	(void)state;
	if (testdb_is_pg())
		skip(); /* PostgreSQL stores start at the summaries' schema */
	char dir[64] = "/tmp/wufei-report-XXXXXX", db_path[128], url[160], why[512];
	assert_non_null(mkdtemp(dir));
	snprintf(db_path, sizeof db_path, "%s/c.db", dir);
	snprintf(url, sizeof url, "sqlite:%s", db_path);
	assert_int_equal(harness_exec_file(db_path, WUFEI_FIXTURES_DIR "/store-v1.sql"), 0);
	struct store *s = NULL;
	assert_int_equal(store_open(url, &s, why, sizeof why), 0);
	store_close(s);
	assert_true(harness_count(db_path, "SELECT COUNT(*) FROM report_daily") > 0);
	summaries_equal_recount(url);
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

/* ---- a closed day ---- */

static int remember_close(void *ctx, uint32_t kiosk, int64_t close_no, int fresh)
{
	int64_t *no = ctx; /* kiosk 7's */
	if (fresh && kiosk == 7)
		*no = close_no;
	return 0;
}

/* Kiosk 7's day C: 4 drops, closed by the office; then a drop of a category
 * already there and one of a new category arrive. The day keeps its frozen
 * figures; the two show as what came since the close, and the drill-down
 * names them by seq. */
static void test_late_record_after_close(void **state)
{
	(void)state;
	struct env e;
	struct wf_record r[6] = {
	    drop(7, 1, DAY_C, 1, 1000, T0),      drop(7, 2, DAY_C, 1, 2000, T0 + 60),
	    drop(7, 3, DAY_C, 2, 4, T0 + 120),   drop(7, 4, DAY_B, 1, 700, T0 + 180),
	    drop(7, 5, DAY_C, 1, 500, T0 + 240), drop(7, 6, DAY_C, 3, 300, T0 + 300),
	};
	struct harness_rec h[6];
	env_open(&e);
	chain(r, 6, h);
	send(&e, 7, h, 4, T0 + 1000);
	int64_t close_no = 0;
	assert_int_equal(
	    e.s->ops->day_close(e.s, DAY_C, 0, 0, T0 + 2000, remember_close, &close_no), 0);
	assert_int_equal(close_no, 1); /* kiosk 7 first: the running number starts at 1 */
	send(&e, 7, h + 4, 2, T0 + 3000);

	struct report_opts o;
	struct report rep;
	report_opts_default(&o, T0 + 4000);
	o.filter = (struct store_report_filter){.from_day = DAY_C, .to_day = DAY_C, .kiosk = 7};
	assert_int_equal(report_daily(e.s, &o, &rep), 0);
	const struct report_table *t = &rep.tables[0];
	assert_int_equal(t->nrows, 4); /* paper, batteries, glass, total */
	/* paper: frozen 2 drops 3000 g; since the close 1 drop 500 g */
	assert_int_equal(num(t, 0, "close_no"), 1);
	assert_int_equal(num(t, 0, "drops"), 2);
	assert_int_equal(num(t, 0, "grams"), 3000);
	assert_int_equal(num(t, 0, "points"), 6);
	assert_int_equal(num(t, 0, "late_drops"), 1);
	assert_int_equal(num(t, 0, "late_grams"), 500);
	assert_int_equal(num(t, 0, "late_points"), 1);
	assert_int_equal(num(t, 1, "pieces"), 4);
	assert_int_equal(num(t, 1, "late_drops"), 0);
	/* glass came only after the close: 0 frozen, all of it since */
	assert_int_equal(num(t, 2, "category"), 3);
	assert_int_equal(num(t, 2, "drops"), 0);
	assert_int_equal(num(t, 2, "late_grams"), 300);
	/* the total is the frozen one; the difference beside it */
	assert_int_equal(num(t, 3, "drops"), 3);
	assert_int_equal(num(t, 3, "grams"), 3000);
	assert_int_equal(num(t, 3, "late_drops"), 2);
	assert_int_equal(num(t, 3, "late_grams"), 800);
	assert_non_null(strstr(t->note, "2 drop(s) arrived after"));
	report_free(&rep);

	/* the drill-down: the drops of the day by seq, the late two marked */
	o.filter.category = 0;
	assert_int_equal(report_records(e.s, &o, &rep), 0);
	t = &rep.tables[0];
	assert_int_equal(t->nrows, 5); /* seq 4 is day B */
	const uint32_t seqs[] = {1, 2, 3, 5, 6};
	for (size_t i = 0; i < 5; i++) {
		assert_int_equal(num(t, i, "seq"), seqs[i]);
		assert_string_equal(text(t, i, "after_close"), seqs[i] >= 5 ? "yes" : "");
	}
	report_free(&rep);

	/* the close report says so; a close anew takes the late ones in */
	assert_int_equal(report_close(e.s, &o, &rep), 0);
	assert_int_equal(rep.tables[0].nrows, 1);
	assert_non_null(strstr(text(&rep.tables[0], 0, "status"), "changed after close #1"));
	report_free(&rep);
	assert_int_equal(
	    e.s->ops->day_close(e.s, DAY_C, 7, 0, T0 + 5000, remember_close, &close_no), 0);
	assert_int_equal(close_no, 1); /* closed already: kept */
	assert_int_equal(
	    e.s->ops->day_close(e.s, DAY_C, 7, 1, T0 + 5000, remember_close, &close_no), 0);
	assert_int_equal(close_no, 4); /* 2 and 3 went to kiosks 8 and 9 */
	assert_int_equal(report_daily(e.s, &o, &rep), 0);
	t = &rep.tables[0];
	assert_int_equal(num(t, 0, "close_no"), 4);
	assert_int_equal(num(t, 3, "drops"), 5);
	assert_int_equal(num(t, 3, "grams"), 3800);
	assert_int_equal(num(t, 3, "late_drops"), 0);
	report_free(&rep);
	assert_int_equal(e.s->ops->day_close(e.s, DAY_C, 42, 0, T0, NULL, NULL), WF_ENOENT);
	env_close(&e);
}

/* ---- gaps ---- */

static void test_gaps(void **state)
{
	(void)state;
	struct env e;
	const int64_t now = T0 + 10 * 86400;
	struct wf_record r7[10], r8[5];
	struct harness_rec h7[10], h8[5];
	env_open(&e);
	for (uint32_t i = 0; i < 10; i++)
		r7[i] = drop(7, i + 1, DAY_C, 1, 100, now - 600);
	for (uint32_t i = 0; i < 5; i++)
		r8[i] = drop(8, i + 1, DAY_C, 1, 100, now - 600);
	r8[3].time_ms = (now - 2 * 86400) * 1000; /* recorded two days before it arrives */
	r8[4].time_ms = (now - 2 * 3600) * 1000;  /* two hours */
	chain(r7, 10, h7);
	chain(r8, 5, h8);
	send(&e, 7, h7, 5, now - 60);
	send(&e, 7, h7 + 7, 3, now - 60); /* 6 and 7 not (yet) */
	send(&e, 8, h8, 5, now);
	assert_int_equal(e.s->ops->heartbeat_put(e.s, 7, 14, 4, "t", "{}", now - 60), 0);
	assert_int_equal(e.s->ops->heartbeat_put(e.s, 8, 5, 0, "t", "{}", now - 3 * 3600), 0);

	struct report_opts o;
	struct report rep;
	report_opts_default(&o, now);
	assert_int_equal(report_gaps(e.s, &o, &rep), 0);
	const struct report_table *m = &rep.tables[0], *s = &rep.tables[1], *l = &rep.tables[2];
	assert_int_equal(m->nrows, 2);
	assert_int_equal(num(m, 0, "kiosk"), 7);
	assert_int_equal(num(m, 0, "from_seq"), 6);
	assert_int_equal(num(m, 0, "to_seq"), 7);
	assert_int_equal(num(m, 0, "count"), 2);
	assert_int_equal(num(m, 1, "from_seq"), 11);
	assert_int_equal(num(m, 1, "to_seq"), 14);
	assert_non_null(strstr(text(m, 1, "why"), "heartbeat"));
	assert_int_equal(s->nrows, 2);
	assert_int_equal(num(s, 0, "kiosk"), 8);
	assert_int_equal(num(s, 0, "silent_s"), 3 * 3600);
	assert_string_equal(text(s, 0, "silent"), "3 h 0 min");
	assert_int_equal(num(s, 1, "kiosk"), 9);
	assert_string_equal(text(s, 1, "last_heartbeat"), "never");
	assert_string_equal(text(s, 1, "name"), "新村 9");
	assert_int_equal(l->nrows, 1);
	assert_int_equal(num(l, 0, "kiosk"), 8);
	assert_int_equal(num(l, 0, "seq"), 4);
	assert_int_equal(num(l, 0, "late_s"), 2 * 86400);
	report_free(&rep);

	/* a shorter delay lists the two-hour one too; a longer silence none */
	o.late_after_s = 3600;
	o.silent_after_s = 4 * 3600;
	assert_int_equal(report_gaps(e.s, &o, &rep), 0);
	assert_int_equal(rep.tables[1].nrows, 1); /* kiosk 9: never heard */
	assert_int_equal(rep.tables[2].nrows, 2);
	report_free(&rep);
	/* the held gap filled: only the heartbeat's tail is left */
	send(&e, 7, h7 + 5, 2, now);
	o.filter.kiosk = 7;
	assert_int_equal(report_gaps(e.s, &o, &rep), 0);
	assert_int_equal(rep.tables[0].nrows, 1);
	assert_int_equal(num(&rep.tables[0], 0, "from_seq"), 11);
	report_free(&rep);
	env_close(&e);
}

/* ---- alerts ---- */

static void test_alerts_say_what_to_do(void **state)
{
	(void)state;
	struct env e;
	struct wf_record r[2] = {drop(7, 1, DAY_C, 1, 1000, T0), drop(7, 2, DAY_C, 1, 1000, T0)};
	struct harness_rec h[2], c;
	env_open(&e);
	r[1].drop.points += 1; /* more than the rate gives */
	chain(r, 2, h);
	send(&e, 7, h, 2, T0);
	c = h[0];
	c.bytes[26] ^= 1; /* seq 1 again, other bytes: qty and credited 1001 g */
	c.bytes[34] ^= 1;
	send(&e, 7, &c, 1, T0 + 60);
	struct report_opts o;
	struct report rep;
	report_opts_default(&o, T0);
	assert_int_equal(report_alerts(e.s, &o, &rep), 0);
	const struct report_table *t = &rep.tables[0];
	assert_int_equal(t->nrows, 2);
	assert_string_equal(text(t, 0, "reason"), "points_mismatch");
	assert_int_equal(num(t, 0, "seq"), 2);
	assert_non_null(strstr(text(t, 0, "advice"), "rate"));
	assert_string_equal(text(t, 1, "reason"), "conflict");
	assert_int_equal(num(t, 1, "seq"), 1);
	assert_non_null(strstr(text(t, 1, "advice"), "backup"));
	report_free(&rep);
	o.filter.kiosk = 8;
	assert_int_equal(report_alerts(e.s, &o, &rep), 0);
	assert_int_equal(rep.tables[0].nrows, 0);
	report_free(&rep);
	/* a conflict moved no total: seq 1 counts once, with its first bytes */
	o.filter.kiosk = 7;
	assert_int_equal(report_daily(e.s, &o, &rep), 0);
	assert_int_equal(num(&rep.tables[0], 1, "drops"), 2);
	assert_int_equal(num(&rep.tables[0], 1, "grams"), 2000);
	report_free(&rep);
	env_close(&e);
}

/* ---- bins ---- */

static void test_bins_against_drops(void **state)
{
	(void)state;
	struct env e;
	struct wf_record r[] = {
	    drop(7, 1, DAY_C, 1, 1000, T0), drop(7, 2, DAY_C, 1, 2000, T0),
	    drop(7, 3, DAY_C, 3, 900, T0),  bin(7, 4, 1, 3100, T0 + 60), /* +100 g: 3.3 % */
	    drop(7, 5, DAY_C, 1, 1000, T0), drop(7, 6, DAY_C, 2, 5, T0),
	    bin(7, 7, 3, 850, T0 + 120),  /* glass: -50 g of 900: -5.6 % */
	    bin(7, 8, 1, 1500, T0 + 180), /* +500 g of 1000: 50 % */
	};
	size_t n = sizeof r / sizeof r[0];
	struct harness_rec h[8];
	env_open(&e);
	chain(r, n, h);
	send(&e, 7, h, n, T0 + 600);
	struct report_opts o;
	struct report rep;
	report_opts_default(&o, T0);
	assert_int_equal(report_bins(e.s, &o, &rep), 0);
	const struct report_table *t = &rep.tables[0];
	assert_int_equal(t->nrows, 3);
	assert_int_equal(num(t, 0, "seq"), 4);
	assert_int_equal(num(t, 0, "since_seq"), 0);
	assert_int_equal(num(t, 0, "drops"), 2);
	assert_int_equal(num(t, 0, "drop_grams"), 3000);
	assert_int_equal(num(t, 0, "diff_grams"), 100);
	assert_int_equal(num(t, 0, "diff_percent"), 33);
	assert_string_equal(text(t, 0, "check"), "ok");
	assert_string_equal(text(t, 0, "category_name"), cat_names[1]);
	assert_int_equal(num(t, 1, "seq"), 7);
	assert_int_equal(num(t, 1, "drop_grams"), 900);
	assert_int_equal(num(t, 1, "diff_percent"), -56);
	assert_string_equal(text(t, 1, "check"), "ok");
	assert_int_equal(num(t, 2, "seq"), 8);
	assert_int_equal(num(t, 2, "since_seq"), 4);
	assert_int_equal(num(t, 2, "drops"), 1);
	assert_int_equal(num(t, 2, "diff_grams"), 500);
	assert_int_equal(num(t, 2, "diff_percent"), 500);
	assert_string_equal(text(t, 2, "check"), "CHECK");
	report_free(&rep);
	summaries_equal_recount(e.url);
	o.tolerance = 30; /* 3.0 %: the first is beyond it too */
	o.filter.category = 1;
	assert_int_equal(report_bins(e.s, &o, &rep), 0);
	assert_int_equal(rep.tables[0].nrows, 2);
	assert_string_equal(text(&rep.tables[0], 0, "check"), "CHECK");
	report_free(&rep);
	env_close(&e);
}

/* The same journal arriving backwards, a record at a time: the later
 * collections first, the drops after them: the same spans. */
static void test_bins_out_of_order(void **state)
{
	(void)state;
	struct env e;
	struct wf_record r[] = {
	    drop(7, 1, DAY_C, 1, 1000, T0), drop(7, 2, DAY_C, 1, 2000, T0),
	    drop(7, 3, DAY_C, 3, 900, T0),  bin(7, 4, 1, 3100, T0 + 60),
	    drop(7, 5, DAY_C, 1, 1000, T0), drop(7, 6, DAY_C, 2, 5, T0),
	    bin(7, 7, 3, 850, T0 + 120),    bin(7, 8, 1, 1500, T0 + 180),
	};
	struct harness_rec h[8];
	env_open(&e);
	chain(r, 8, h);
	for (int i = 7; i >= 0; i--) {
		send(&e, 7, &h[i], 1, T0 + 600);
		summaries_equal_recount(e.url);
	}
	struct report_opts o;
	struct report rep;
	report_opts_default(&o, T0);
	assert_int_equal(report_bins(e.s, &o, &rep), 0);
	const struct report_table *t = &rep.tables[0];
	assert_int_equal(t->nrows, 3);
	assert_int_equal(num(t, 0, "drop_grams"), 3000);
	assert_int_equal(num(t, 1, "drop_grams"), 900);
	assert_int_equal(num(t, 2, "since_seq"), 4);
	assert_int_equal(num(t, 2, "drop_grams"), 1000);
	report_free(&rep);
	env_close(&e);
}

/* ---- centrals closing one day together ---- */

struct closer {
	const char *url;
	int rc;
	int fresh; /* kiosk days this one closed */
};

static int count_fresh(void *ctx, uint32_t kiosk, int64_t close_no, int fresh)
{
	(void)kiosk;
	(void)close_no;
	((struct closer *)ctx)->fresh += fresh;
	return 0;
}

static void *close_day(void *arg)
{
	struct closer *c = arg;
	struct store *s = NULL;
	char why[256];
	c->rc = store_open(c->url, &s, why, sizeof why);
	if (!c->rc)
		c->rc = s->ops->day_close(s, DAY_C, 0, 0, T0, count_fresh, c);
	store_close(s);
	return NULL;
}

/* Eight centrals close day C at once (each its own connection): each of
 * the three kiosks' day is closed once, by one of them, the others hear of
 * that close; the totals are frozen once. */
static void test_day_close_race(void **state)
{
	(void)state;
	struct env e;
	struct wf_record r[] = {drop(7, 1, DAY_C, 1, 1000, T0), drop(8, 1, DAY_C, 3, 700, T0)};
	struct harness_rec h[2];
	env_open(&e);
	for (size_t i = 0; i < 2; i++) {
		chain(&r[i], 1, &h[i]);
		send(&e, r[i].kiosk, &h[i], 1, T0);
	}
	pthread_t t[8];
	struct closer c[8];
	for (int i = 0; i < 8; i++) {
		c[i] = (struct closer){.url = e.url};
		assert_int_equal(pthread_create(&t[i], NULL, close_day, &c[i]), 0);
	}
	int fresh = 0;
	for (int i = 0; i < 8; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(c[i].rc, WF_OK);
		fresh += c[i].fresh;
	}
	assert_int_equal(fresh, 3);
	assert_int_equal(testdb_count(e.url, "SELECT COUNT(*) FROM day_closes"), 3);
	assert_int_equal(testdb_count(e.url, "SELECT COUNT(*) FROM close_totals"), 2);
	env_close(&e);
}

/* ---- a kiosk's own day close against central ---- */

static void test_kiosk_day_close(void **state)
{
	(void)state;
	struct env e;
	struct store_totals k7 = {2, 1000, 3, 2 + 15}, k8 = {2, 900, 0, 1};
	struct wf_record r7[] = {drop(7, 1, DAY_C, 1, 1000, T0), drop(7, 2, DAY_C, 2, 3, T0),
	                         day_close(7, 3, DAY_C, &k7, T0 + 60)};
	struct wf_record r8[] = {drop(8, 1, DAY_C, 1, 500, T0), day_close(8, 2, DAY_C, &k8, T0)};
	struct harness_rec h7[3], h8[2];
	env_open(&e);
	chain(r7, 3, h7);
	chain(r8, 2, h8);
	send(&e, 7, h7, 3, T0 + 600);
	send(&e, 8, h8, 2, T0 + 600);
	struct report_opts o;
	struct report rep;
	report_opts_default(&o, T0);
	assert_int_equal(report_close(e.s, &o, &rep), 0);
	const struct report_table *t = &rep.tables[0];
	assert_int_equal(t->nrows, 2);
	assert_int_equal(num(t, 0, "kiosk_seq"), 3);
	assert_int_equal(num(t, 0, "kiosk_points"), 17);
	assert_int_equal(num(t, 0, "central_points"), 17);
	assert_string_equal(text(t, 0, "status"), "agrees");
	assert_int_equal(num(t, 1, "kiosk_drops"), 2);
	assert_int_equal(num(t, 1, "central_drops"), 1);
	assert_non_null(strstr(text(t, 1, "status"), "kiosk and central differ"));
	assert_true(empty(t, 1, "close_no"));
	report_free(&rep);
	env_close(&e);
}

/* ---- the real command ---- */

static int cli(struct env *e, char *out, size_t cap, const char *const *args)
{
	return harness_cli(e->url, out, cap, args);
}

/* `wufei-central report` on a seeded store: CSV a spreadsheet opens as
 * written, JSON that keeps the names exactly, a table whose columns line
 * up, and options refused with exit status 2. */
static void test_command_formats(void **state)
{
	(void)state;
	struct env e;
	static char out[256 * 1024];
	struct wf_record r[] = {drop(7, 1, DAY_C, 1, 1000, T0), drop(7, 2, DAY_C, 2, 3, T0),
	                        drop(7, 3, DAY_C, 3, 700, T0), drop(7, 4, DAY_B, 2, 1, T0)};
	struct harness_rec h[4];
	env_open(&e);
	chain(r, 4, h);
	send(&e, 7, h, 4, T0);
	store_close(e.s); /* the command opens it itself */
	e.s = NULL;

	assert_int_equal(cli(&e, out, sizeof out,
	                     (const char *const[]){"report", "daily", "--format", "csv", NULL}),
	                 0);
	assert_memory_equal(out,
	                    "\xef\xbb\xbf"
	                    "day,kiosk,cat,category,",
	                    26);
	assert_non_null(
	    strstr(out, "\r\n2026-11-28,7,2,'=cmd|' /C calc'!A0,1,0,3,15,0,0,,,,,\r\n"));
	assert_non_null(strstr(out, ",3,\"玻璃 \"\"clear\"\"\nline two\",1,700,"));
	bool quoted = false; /* a line break inside a quoted field is the field's */
	for (char *p = out; *p; p++) {
		quoted ^= *p == '"';
		if (*p == '\n' && !quoted)
			assert_int_equal(p[-1], '\r');
	}

	assert_int_equal(cli(&e, out, sizeof out,
	                     (const char *const[]){"report", "daily", "--format", "json", "--from",
	                                           "2026-11-28", NULL}),
	                 0);
	json_error_t err;
	json_t *doc = json_loads(out, 0, &err);
	assert_non_null(doc);
	json_t *rows = json_object_get(doc, "rows");
	assert_int_equal(json_array_size(rows), 4);
	assert_string_equal(
	    json_string_value(json_object_get(json_array_get(rows, 2), "category_name")),
	    cat_names[3]);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(rows, 3), "points")),
	                 2 + 15);
	json_decref(doc);

	assert_int_equal(cli(&e, out, sizeof out, (const char *const[]){"report", "daily", NULL}),
	                 0);
	char *save = NULL, *line = strtok_r(out, "\n", &save);
	line = strtok_r(NULL, "\n", &save);
	size_t width = report_text_width(line);
	int lines = 0;
	while ((line = strtok_r(NULL, "\n", &save)) != NULL) {
		assert_int_equal(report_text_width(line), width);
		lines++;
	}
	assert_int_equal(lines, 5);
	assert_int_equal(cli(&e, out, sizeof out, (const char *const[]){"report", "daily", NULL}),
	                 0);
	assert_non_null(strstr(out, "玻璃 \"clear\"\\x0aline two")); /* no line break in a row */

	/* several tables in one CSV: each under its title */
	assert_int_equal(cli(&e, out, sizeof out,
	                     (const char *const[]){"report", "gaps", "--format", "csv", NULL}),
	                 0);
	assert_non_null(strstr(out, "\r\nKiosks not heard from\r\nkiosk,name,last heard,"));
	assert_non_null(strstr(out, ",新村 9,never,"));

	assert_int_equal(cli(&e, out, sizeof out,
	                     (const char *const[]){"report", "records", "--kiosk", "7", "--day",
	                                           "2026-11-28", "--format", "csv", NULL}),
	                 0);
	assert_non_null(strstr(out, "\r\n7,3,"));
	assert_null(strstr(out, "\r\n7,4,"));
	assert_int_equal(cli(&e, out, sizeof out,
	                     (const char *const[]){"day", "close", "--day", "2026-11-28", NULL}),
	                 0);
	assert_non_null(strstr(out, "kiosk 7 day 2026-11-28: closed, close #1"));
	assert_int_equal(cli(&e, out, sizeof out,
	                     (const char *const[]){"report", "close", "--format", "json", NULL}),
	                 0);
	assert_non_null(strstr(out, "\"close_no\": 1"));

	const char *const *bad[] = {
	    (const char *const[]){"report", "daily", "--from", "2026-02-30", NULL},
	    (const char *const[]){"report", "daily", "--to", "yesterday", NULL},
	    (const char *const[]){"report", "daily", "--from", "2026-11-28", "--to", "2026-11-01",
	                          NULL},
	    (const char *const[]){"report", "daily", "--format", "xml", NULL},
	    (const char *const[]){"report", "gaps", "--late-after", "10m", NULL},
	    (const char *const[]){"report", "bins", "--tolerance", "ten", NULL},
	    (const char *const[]){"report", "records", "--day", "2026-11-28", NULL},
	    (const char *const[]){"report", "weekly", NULL},
	    (const char *const[]){"day", "close", NULL},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(cli(&e, out, sizeof out, bad[i]), 2);
	env_close(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_daily_figures_and_filters),
	    cmocka_unit_test(test_summary_equals_recount),
	    cmocka_unit_test(test_old_store_summarised),
	    cmocka_unit_test(test_late_record_after_close),
	    cmocka_unit_test(test_gaps),
	    cmocka_unit_test(test_alerts_say_what_to_do),
	    cmocka_unit_test(test_bins_against_drops),
	    cmocka_unit_test(test_bins_out_of_order),
	    cmocka_unit_test(test_kiosk_day_close),
	    cmocka_unit_test(test_day_close_race),
	    cmocka_unit_test(test_command_formats),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	harness_kill_started();
	return rc;
}
