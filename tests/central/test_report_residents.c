/*
 * test_report_residents.c — the office's reports that read the points
 * ledger, on a real SQLite store seeded through ingest with real canonical
 * records (five days of seeded random drops of residents and anonymous
 * drops, two categories with daily limits), real claims (rcheck_claim with
 * receipts signed by the kiosk's key), redemptions and adjustments; every
 * figure checked against what the test computes on its own from what it
 * sent:
 *
 *   - `residents`: balance, earned, claimed, redeemed, adjusted per resident
 *     with and without a period, names masked, the days with drops and the
 *     days near a daily limit, who is listed as near on N days, a TOTAL;
 *     and without a period each balance is earned + claimed - redeemed +
 *     adjusted (the ledger adds up);
 *   - `daily`: points claimed per (kiosk, local day, category) and redeemed
 *     in the TOTAL row (by central's UTC day), with and without filters;
 *   - `alerts`: what to do about anon_cap and claim_conflict alerts;
 *   - the real command: `report residents` as CSV and JSON, refused options.
 */
#define _XOPEN_SOURCE 700
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
#include <sqlite3.h>

#include "catalog.h"
#include "harness.h"
#include "ingest.h"
#include "points.h"
#include "rcheck.h"
#include "receipt.h"
#include "record.h"
#include "report.h"
#include "signing.h"
#include "store.h"
#include "testdb.h"
#include "wf.h"

#ifndef WUFEI_FIXTURES_DIR
#error "WUFEI_FIXTURES_DIR must name tests/central/fixtures"
#endif

#define NDAYS  5
#define DAY0   20261124u           /* the first local day */
#define MID0_S INT64_C(1795478400) /* 2026-11-24 00:00 UTC */
#define NRES   5                   /* residents 1001..1005 */
#define LIMIT1 10000               /* paper: g per day */
#define LIMIT2 20                  /* bottles: pieces per day */
#define MAXREC 200

static const int64_t rates[3] = {0, 2000, 5};

struct env {
	char dir[64], db[128], url[160];
	uint8_t pk[32], sk[64];
	struct store *s;
	struct wf_record rec[MAXREC];
	size_t nrec;
	/* what the test expects, kept as it goes: [resident - 1001][day] */
	int64_t used[NRES][NDAYS][3]; /* credited qty: drops + claims */
	int64_t earned[NRES][NDAYS], claimed[NRES][NDAYS];
	int64_t redeemed[NRES][NDAYS], adjusted[NRES][NDAYS]; /* by UTC day */
	bool active[NRES][NDAYS];
	int64_t claimed_at[NDAYS][3]; /* per local day and category, kiosk 7 */
};

static uint32_t g_rand = 12345;

static uint32_t rnd(uint32_t n)
{
	g_rand = g_rand * 1103515245u + 12345u;
	return (g_rand >> 8) % n;
}

static void env_open(struct env *e)
{
	char why[512];
	uint8_t seed[32];
	memset(e, 0, sizeof *e);
	snprintf(e->dir, sizeof e->dir, "/tmp/wufei-resrep-XXXXXX");
	assert_non_null(mkdtemp(e->dir));
	snprintf(e->db, sizeof e->db, "%s/c.db", e->dir);
	assert_int_equal(testdb_url(e->url, sizeof e->url, e->db), 0);
	for (int i = 0; i < 32; i++)
		seed[i] = (uint8_t)(7 + i);
	signing_keypair_from_seed(seed, e->pk, e->sk);
	assert_int_equal(store_open(e->url, &e->s, why, sizeof why), 0);
	assert_int_equal(e->s->ops->kiosk_add(e->s, 7, "k7", 1), 0);
	assert_int_equal(e->s->ops->key_add(e->s, 7, 1, e->pk, 1), 0);
	struct wf_category c1 = {.id = 1,
	                         .code = "paper",
	                         .name = "Paper",
	                         .unit = WF_UNIT_GRAM,
	                         .rate = rates[1],
	                         .min_qty = 1,
	                         .max_qty = 100000,
	                         .daily_limit_qty = LIMIT1};
	struct wf_category c2 = {.id = 2,
	                         .code = "bottle",
	                         .name = "Bottles",
	                         .unit = WF_UNIT_PIECE,
	                         .rate = rates[2],
	                         .min_qty = 1,
	                         .max_qty = 1000,
	                         .daily_limit_qty = LIMIT2};
	assert_int_equal(e->s->ops->rate_set(e->s, &c1, 1), 0);
	assert_int_equal(e->s->ops->rate_set(e->s, &c2, 1), 0);
	for (int64_t id = 1001; id < 1001 + NRES; id++) {
		struct store_resident r = {.id = id};
		snprintf(r.card_hash, sizeof r.card_hash, "%064llx", (unsigned long long)id);
		snprintf(r.name, sizeof r.name, "%s", id == 1001 ? "王小明" : "R*");
		snprintf(r.status, sizeof r.status, "active");
		assert_int_equal(e->s->ops->resident_put(e->s, &r), 0);
	}
}

static void env_close(struct env *e)
{
	char path[200];
	const char *const sfx[] = {"", "-wal", "-shm"};
	store_close(e->s);
	for (size_t i = 0; i < 3; i++) {
		snprintf(path, sizeof path, "%s%s", e->db, sfx[i]);
		unlink(path);
	}
	rmdir(e->dir);
}

/* A drop at kiosk 7 on day index d, credited as a kiosk would (the resident's limit). */
static void add_drop(struct env *e, int d, int64_t resident, uint16_t cat, int64_t qty)
{
	assert_true(e->nrec < MAXREC);
	struct wf_record *r = &e->rec[e->nrec];
	memset(r, 0, sizeof *r);
	r->kind = WF_RECORD_DROP;
	r->kiosk = 7;
	r->seq = (uint32_t)++e->nrec;
	r->time_ms = (MID0_S + d * 86400 + 3600 + (int64_t)r->seq * 60) * 1000;
	r->drop.category_id = cat;
	r->drop.unit = cat == 2 ? WF_UNIT_PIECE : WF_UNIT_GRAM;
	r->drop.qty = qty;
	r->drop.rate_version = 1;
	r->drop.local_day = DAY0 + (uint32_t)d;
	r->drop.credited_qty = qty;
	if (resident) {
		int i = (int)(resident - 1001);
		int64_t *used = &e->used[i][d][cat];
		assert_int_equal(
		    wf_credited_qty(qty, *used, cat == 1 ? LIMIT1 : LIMIT2, &r->drop.credited_qty),
		    0);
		*used += r->drop.credited_qty;
		if (r->drop.credited_qty < qty)
			r->drop.flags = WF_DROP_CAPPED;
		r->drop.resident_id = (uint64_t)resident;
		memset(r->drop.card_hash, 0x10 + i, sizeof r->drop.card_hash);
		e->active[i][d] = true;
	} else {
		r->drop.flags = WF_DROP_ANONYMOUS;
	}
	assert_int_equal(wf_points(r->drop.unit, rates[cat], r->drop.credited_qty, &r->drop.points),
	                 0);
	if (resident)
		e->earned[resident - 1001][d] += r->drop.points;
}

/* Records recs[0..n) of kiosk 7 (its journal from seq 1) ingested as one batch. */
static void send_records(struct env *e, const struct wf_record *recs, size_t n)
{
	uint8_t prev[WF_HASH_BYTES] = {0};
	static struct harness_rec h[MAXREC];
	assert_int_equal(harness_chain(recs, n, prev, h), 0);
	char *body = harness_batch_of(7, h, n);
	char why[512];
	json_t *res = NULL;
	uint32_t hi = 0;
	assert_int_equal(ingest_batch(e->s, 7, body, strlen(body), MID0_S + 6 * 86400, &res, &hi,
	                              why, sizeof why),
	                 0);
	json_decref(res);
	free(body);
}

/* Five days of drops: random ones, 1001 near the paper limit every day it
 * drops, 1002 on two days, 1005 never dropping; two anonymous drops a day. */
static void make_drops(struct env *e)
{
	for (int d = 0; d < NDAYS; d++) {
		for (int64_t res = 1001; res <= 1004; res++) {
			if (res == 1001)
				add_drop(e, d, res, 1, 9000 + 100 * rnd(10));
			if (res == 1002 && (d == 0 || d == 3))
				add_drop(e, d, res, 2, 18 + rnd(5));
			for (uint32_t n = rnd(3); n > 0; n--) {
				uint16_t cat = (uint16_t)(1 + rnd(2));
				add_drop(e, d, res, cat, cat == 1 ? 200 + rnd(3000) : 1 + rnd(6));
			}
		}
		add_drop(e, d, 0, 1, 2000 + rnd(3000));
		add_drop(e, d, 0, 1, 1000 + rnd(2000));
	}
	send_records(e, e->rec, e->nrec);
}

/* The receipt token of record r (kiosk 7, key 1). */
static void token_of(const struct env *e, const struct wf_record *r, char *token)
{
	struct receipt rc = {.version = 1,
	                     .key_id = 1,
	                     .kiosk = 7,
	                     .seq = r->seq,
	                     .time_min = (uint32_t)(r->time_ms / 60000),
	                     .category = r->drop.category_id,
	                     .qty = (uint32_t)r->drop.qty,
	                     .points = (uint32_t)r->drop.points};
	receipt_make_token(&rc, e->sk, token, RECEIPT_TOKEN_LEN + 1);
}

/* Claims anonymous drop r onto resident; checks rcheck against the test's own figure. */
static void claim(struct env *e, const struct wf_record *r, int64_t resident)
{
	char token[RECEIPT_TOKEN_LEN + 1];
	struct rcheck_claim_result c;
	int i = (int)(resident - 1001), d = (int)(r->drop.local_day - DAY0);
	uint16_t cat = r->drop.category_id;
	int64_t fit = 0, points = r->drop.points;
	assert_int_equal(wf_credited_qty(r->drop.credited_qty, e->used[i][d][cat],
	                                 cat == 1 ? LIMIT1 : LIMIT2, &fit),
	                 0);
	if (fit > 0 && fit < r->drop.credited_qty)
		assert_int_equal(wf_points(WF_UNIT_GRAM, rates[cat], fit, &points), 0);
	token_of(e, r, token);
	assert_int_equal(rcheck_claim(e->s, token, resident, "desk", MID0_S + 7 * 86400, &c), 0);
	if (fit <= 0) {
		assert_int_equal(c.status, RCHECK_LIMIT_REACHED);
		return;
	}
	assert_int_equal(c.status, RCHECK_CLAIMED);
	assert_int_equal(c.claim.qty, fit);
	assert_int_equal(c.claim.points, points);
	e->used[i][d][cat] += fit;
	e->claimed[i][d] += points;
	e->claimed_at[d][cat] += points;
	e->active[i][d] = true;
}

/* Claims, redemptions (at 10:00 UTC of day index d) and one adjustment. */
static void make_moves(struct env *e)
{
	int k = 0;
	for (size_t j = 0; j < e->nrec; j++) {
		const struct wf_record *r = &e->rec[j];
		if (r->drop.resident_id == 0 && k++ % 3 != 2) /* two claims in three */
			claim(e, r, 1001 + (k % 4));
	}
	const struct {
		int64_t resident, points;
		int d;
	} red[] = {{1001, 5, 1}, {1001, 7, 3}, {1003, 2, 2}, {1004, 1, 4}, {1002, 3, 0}};
	for (size_t j = 0; j < sizeof red / sizeof red[0]; j++) {
		struct points_result pr;
		char key[16];
		snprintf(key, sizeof key, "r-%zu", j);
		assert_int_equal(points_redeem(e->s, red[j].resident, red[j].points, key, "shop",
		                               MID0_S + red[j].d * 86400 + 36000, &pr),
		                 0);
		assert_int_equal(pr.outcome, POINTS_DONE);
		e->redeemed[red[j].resident - 1001][red[j].d] += red[j].points;
	}
	struct points_result pr;
	assert_int_equal(
	    points_adjust(e->s, 1005, 11, "goodwill", "admin", MID0_S + 2 * 86400, &pr), 0);
	e->adjusted[4][2] += 11;
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

/* The row of resident id in t, or -1. */
static long row_of(const struct report_table *t, int64_t id)
{
	int64_t v = 0;
	for (size_t r = 0; r < t->nrows; r++)
		if (report_cell_int(t, r, col_of(t, "resident"), &v) && v == id)
			return (long)r;
	return -1;
}

/* Sum of x[i][d] over day indexes [d0, d1]. */
static int64_t span(const int64_t x[NRES][NDAYS], int i, int d0, int d1)
{
	int64_t s = 0;
	for (int d = d0; d <= d1; d++)
		s += x[i][d];
	return s;
}

/* The near days and active days of resident index i over [d0, d1] at pct. */
static void near_of(const struct env *e, int i, int d0, int d1, int64_t pct, int64_t *near,
                    int64_t *days)
{
	*near = *days = 0;
	for (int d = d0; d <= d1; d++) {
		*days += e->active[i][d];
		*near += e->used[i][d][1] * 100 >= pct * LIMIT1 ||
		         e->used[i][d][2] * 100 >= pct * LIMIT2;
	}
}

/* The residents report over day indexes [d0, d1] equals the test's own figures. */
static void check_residents(struct env *e, int d0, int d1, int64_t pct, int64_t ndays)
{
	struct report_opts o;
	struct report rep;
	report_opts_default(&o, MID0_S + 8 * 86400);
	o.filter.from_day = DAY0 + (uint32_t)d0;
	o.filter.to_day = DAY0 + (uint32_t)d1;
	o.near_pct = pct;
	o.near_days = ndays;
	assert_int_equal(report_residents(e->s, &o, &rep), 0);
	const struct report_table *t = &rep.tables[0], *nl = &rep.tables[1];
	assert_int_equal(t->nrows, NRES + 1);
	int64_t total[4] = {0}, listed = 0;
	for (int i = 0; i < NRES; i++) {
		long r = row_of(t, 1001 + i);
		assert_true(r >= 0);
		int64_t bal = 0, near = 0, days = 0;
		assert_int_equal(e->s->ops->points_balance(e->s, 1001 + i, &bal), 0);
		assert_int_equal(num(t, (size_t)r, "balance"), bal);
		assert_int_equal(num(t, (size_t)r, "earned"), span(e->earned, i, d0, d1));
		assert_int_equal(num(t, (size_t)r, "claimed"), span(e->claimed, i, d0, d1));
		assert_int_equal(num(t, (size_t)r, "redeemed"), span(e->redeemed, i, d0, d1));
		assert_int_equal(num(t, (size_t)r, "adjusted"), span(e->adjusted, i, d0, d1));
		near_of(e, i, d0, d1, pct, &near, &days);
		assert_int_equal(num(t, (size_t)r, "days"), days);
		assert_int_equal(num(t, (size_t)r, "near_days"), near);
		assert_string_equal(text(t, (size_t)r, "name"), i == 0 ? "王*" : "R*");
		long n = row_of(nl, 1001 + i);
		assert_true((n >= 0) == (near >= ndays));
		if (n >= 0) {
			listed++;
			assert_int_equal(num(nl, (size_t)n, "near_days"), near);
			assert_string_equal(text(nl, (size_t)n, "every_day"),
			                    near == days ? "yes" : "no");
		}
		total[0] += span(e->earned, i, d0, d1);
		total[1] += span(e->claimed, i, d0, d1);
		total[2] += span(e->redeemed, i, d0, d1);
		if (d0 == 0 && d1 == NDAYS - 1) /* the whole history: the ledger adds up */
			assert_int_equal(
			    bal, span(e->earned, i, d0, d1) + span(e->claimed, i, d0, d1) -
			             span(e->redeemed, i, d0, d1) + span(e->adjusted, i, d0, d1));
	}
	assert_int_equal(nl->nrows, listed);
	assert_string_equal(text(t, NRES, "name"), "TOTAL");
	assert_int_equal(num(t, NRES, "earned"), total[0]);
	assert_int_equal(num(t, NRES, "claimed"), total[1]);
	assert_int_equal(num(t, NRES, "redeemed"), total[2]);
	report_free(&rep);
}

static void test_residents(void **state)
{
	(void)state;
	struct env e;
	env_open(&e);
	make_drops(&e);
	make_moves(&e);
	/* the whole history, at 90 % on 3 days: 1001 is listed, every day */
	check_residents(&e, 0, NDAYS - 1, 90, 3);
	struct report_opts o;
	struct report rep;
	report_opts_default(&o, 0);
	assert_int_equal(report_residents(e.s, &o, &rep), 0);
	long r = row_of(&rep.tables[1], 1001);
	assert_true(r >= 0);
	assert_string_equal(text(&rep.tables[1], (size_t)r, "every_day"), "yes");
	assert_int_equal(num(&rep.tables[1], (size_t)r, "near_days"), NDAYS);
	report_free(&rep);
	/* periods, other thresholds */
	check_residents(&e, 1, 2, 90, 3);
	check_residents(&e, 0, 3, 50, 2);
	check_residents(&e, 3, 3, 100, 1);
	check_residents(&e, 4, 4, 1, 1);
	env_close(&e);
}

/* The daily report's claimed per (kiosk, day, category) and redeemed in its TOTAL. */
static void test_daily_claimed_redeemed(void **state)
{
	(void)state;
	struct env e;
	env_open(&e);
	make_drops(&e);
	make_moves(&e);
	const int periods[][2] = {{0, NDAYS - 1}, {1, 3}, {4, 4}};
	for (size_t p = 0; p < 3; p++) {
		int d0 = periods[p][0], d1 = periods[p][1];
		struct report_opts o;
		struct report rep;
		report_opts_default(&o, 0);
		o.filter.from_day = DAY0 + (uint32_t)d0;
		o.filter.to_day = DAY0 + (uint32_t)d1;
		assert_int_equal(report_daily(e.s, &o, &rep), 0);
		const struct report_table *t = &rep.tables[0];
		int64_t claimed = 0, redeemed = 0;
		for (size_t row = 0; row + 1 < t->nrows; row++) {
			assert_int_equal(num(t, row, "kiosk"), 7);
			uint32_t day = 0;
			assert_true(report_day_parse(text(t, row, "day"), &day));
			int64_t cat = num(t, row, "category");
			assert_int_equal(num(t, row, "points_claimed"),
			                 e.claimed_at[day - DAY0][cat]);
			assert_int_equal(num(t, row, "points_redeemed"), 0);
		}
		for (int d = d0; d <= d1; d++) {
			claimed += e.claimed_at[d][1] + e.claimed_at[d][2];
			for (int i = 0; i < NRES; i++)
				redeemed += e.redeemed[i][d];
		}
		size_t last = t->nrows - 1;
		assert_string_equal(text(t, last, "day"), "TOTAL");
		assert_int_equal(num(t, last, "points_claimed"), claimed);
		assert_int_equal(num(t, last, "points_redeemed"), redeemed);
		assert_true(claimed > 0 || p == 2);
		report_free(&rep);
		/* a kiosk or a category asked: redemptions are no kiosk's, so none in the total */
		o.filter.kiosk = 7;
		assert_int_equal(report_daily(e.s, &o, &rep), 0);
		last = rep.tables[0].nrows - 1;
		assert_int_equal(num(&rep.tables[0], last, "points_claimed"), claimed);
		assert_int_equal(num(&rep.tables[0], last, "points_redeemed"), 0);
		report_free(&rep);
	}
	env_close(&e);
}

/* anon_cap and claim_conflict alerts say what the office should do. */
static void test_alert_advice(void **state)
{
	(void)state;
	struct env e;
	env_open(&e);
	struct wf_category c1 = {.id = 1,
	                         .code = "paper",
	                         .name = "Paper",
	                         .unit = WF_UNIT_GRAM,
	                         .rate = rates[1],
	                         .min_qty = 1,
	                         .max_qty = 100000,
	                         .daily_limit_qty = LIMIT1,
	                         .has_anon_cap = true,
	                         .anon_cap_qty = 3000};
	assert_int_equal(e.s->ops->rate_set(e.s, &c1, 2), 0);
	assert_int_equal(c1.rate_version, 2);
	add_drop(&e, 0, 0, 1, 2000);
	add_drop(&e, 0, 0, 1, 2000); /* 4000 g of anonymous drops that day: over the cap */
	e.rec[0].drop.rate_version = e.rec[1].drop.rate_version = 2;
	send_records(&e, e.rec, 2);
	claim(&e, &e.rec[0], 1001);
	/* seq 1 again with other bytes: a conflict, and the claim on it named */
	struct wf_record again[2] = {e.rec[0], e.rec[1]};
	again[0].drop.qty += 1;
	again[0].drop.credited_qty += 1;
	send_records(&e, again, 1);
	struct report_opts o;
	struct report rep;
	report_opts_default(&o, 0);
	assert_int_equal(report_alerts(e.s, &o, &rep), 0);
	const struct report_table *t = &rep.tables[0];
	int seen = 0;
	for (size_t r = 0; r < t->nrows; r++) {
		const char *why = text(t, r, "reason"), *advice = text(t, r, "advice");
		assert_null(strstr(advice, "does not know"));
		if (strcmp(why, "anon_cap") == 0) {
			assert_int_equal(num(t, r, "seq"), 2);
			assert_non_null(strstr(advice, "anonymous daily cap"));
			assert_non_null(strstr(advice, "rates list"));
			seen |= 1;
		}
		if (strcmp(why, "claim_conflict") == 0) {
			assert_int_equal(num(t, r, "seq"), 1);
			assert_non_null(strstr(text(t, r, "detail"), "resident 1001"));
			assert_non_null(strstr(advice, "points adjust"));
			seen |= 2;
		}
	}
	assert_int_equal(seen, 3);
	report_free(&rep);
	env_close(&e);
}

/* The summaries the residents report reads equal a recount from the records,
 * claims and entries (what the triggers keep, and what the migration filled). */
static void assert_summaries_recount(const char *url)
{
	/* central's UTC day of an entry's time */
	const char *utc = testdb_is_pg() ? "wf_utc_day(at_s)"
	                                 : "CAST(strftime('%Y%m%d', at_s, 'unixepoch') AS INTEGER)";
	static const char *const same[] = {
	    /* each (day, resident, category) of drops: their credited quantity and points */
	    "SELECT COUNT(*) FROM (SELECT local_day, resident, category, SUM(credited), "
	    "SUM(points) FROM records WHERE kind = 1 AND resident IS NOT NULL GROUP BY 1, 2, 3 "
	    "EXCEPT SELECT local_day, resident, category, credited, earned FROM resident_days) AS "
	    "x",
	    /* each of claims: their quantity and points */
	    "SELECT COUNT(*) FROM (SELECT local_day, resident, category, SUM(qty), SUM(points) "
	    "FROM claims WHERE resident IS NOT NULL GROUP BY 1, 2, 3 EXCEPT SELECT local_day, "
	    "resident, category, claimed_qty, claimed FROM resident_days) AS x",
	    /* a row without drops has none counted, one without claims none claimed */
	    "SELECT COUNT(*) FROM resident_days d WHERE (credited <> 0 OR earned <> 0) AND NOT "
	    "EXISTS (SELECT 1 FROM records r WHERE r.kind = 1 AND r.resident = d.resident AND "
	    "r.local_day = d.local_day AND r.category = d.category)",
	    "SELECT COUNT(*) FROM resident_days d WHERE (claimed_qty <> 0 OR claimed <> 0) AND NOT "
	    "EXISTS (SELECT 1 FROM claims c WHERE c.resident = d.resident AND c.local_day = "
	    "d.local_day AND c.category = d.category)",
	    /* %1$s: the UTC day expression */
	    "SELECT COUNT(*) FROM (SELECT %1$s, resident, -SUM(CASE kind WHEN 3 THEN points ELSE 0 "
	    "END), SUM(CASE kind WHEN 4 THEN points ELSE 0 END) FROM points_entries WHERE kind IN "
	    "(3, 4) GROUP BY 1, 2 EXCEPT SELECT utc_day, resident, redeemed, adjusted FROM "
	    "resident_moves) AS x",
	    "SELECT (SELECT COUNT(*) FROM resident_moves) - (SELECT COUNT(*) FROM (SELECT DISTINCT "
	    "%1$s, resident FROM points_entries WHERE kind IN (3, 4)) AS x)",
	    "SELECT (SELECT COUNT(*) FROM resident_days) - (SELECT COUNT(*) FROM (SELECT "
	    "local_day, resident, category FROM records WHERE kind = 1 AND resident IS NOT NULL "
	    "UNION SELECT local_day, resident, category FROM claims WHERE resident IS NOT NULL) AS "
	    "x)",
	};
	char q[1024];
	for (size_t i = 0; i < sizeof same / sizeof same[0]; i++) {
		snprintf(q, sizeof q, same[i], utc);
		assert_int_equal(testdb_count(url, q), 0);
	}
}

static void test_summaries_recount(void **state)
{
	(void)state;
	struct env e;
	env_open(&e);
	make_drops(&e);
	make_moves(&e);
	assert_summaries_recount(e.url);
	assert_true(testdb_count(e.url, "SELECT COUNT(*) FROM resident_days WHERE claimed > 0") >
	            0);
	/* the same batch again: duplicates, nothing counted twice */
	send_records(&e, e.rec, e.nrec);
	assert_summaries_recount(e.url);
	check_residents(&e, 0, NDAYS - 1, 90, 3);
	env_close(&e);
}

/* A store from before the fact columns (schema 1): the migration and the
 * facts' backfill fill the summaries; the report reads them. */
static void test_old_store(void **state)
{
	(void)state;
	if (testdb_is_pg())
		skip(); /* PostgreSQL stores start at the summaries' schema */
	struct env e;
	char why[512];
	memset(&e, 0, sizeof e);
	snprintf(e.dir, sizeof e.dir, "/tmp/wufei-resrep-XXXXXX");
	assert_non_null(mkdtemp(e.dir));
	snprintf(e.db, sizeof e.db, "%s/c.db", e.dir);
	snprintf(e.url, sizeof e.url, "sqlite:%s", e.db);
	assert_int_equal(harness_exec_file(e.db, WUFEI_FIXTURES_DIR "/store-v1.sql"), 0);
	sqlite3 *db = NULL;
	assert_int_equal(sqlite3_open(e.db, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db,
	                              "INSERT INTO residents VALUES(1001, 'aa', '张三丰', "
	                              "'active', '', 7, 1)",
	                              NULL, NULL, NULL),
	                 SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(store_open(e.url, &e.s, why, sizeof why), 0);
	assert_summaries_recount(e.url);
	struct report_opts o;
	struct report rep;
	report_opts_default(&o, 0);
	assert_int_equal(report_residents(e.s, &o, &rep), 0);
	const struct report_table *t = &rep.tables[0];
	long r = row_of(t, 1001);
	assert_true(r >= 0);
	assert_string_equal(text(t, (size_t)r, "name"), "张*");
	assert_int_equal(num(t, (size_t)r, "earned"), 2);   /* the fixture's drop 7/1 */
	assert_int_equal(num(t, (size_t)r, "adjusted"), 7); /* the opening balance */
	assert_int_equal(num(t, (size_t)r, "balance"), 9);
	assert_int_equal(num(t, (size_t)r, "days"), 1);
	report_free(&rep);
	env_close(&e);
}

/* `wufei-central report residents` itself: CSV, JSON, refused options. */
static void test_command(void **state)
{
	(void)state;
	struct env e;
	static char out[128 * 1024];
	env_open(&e);
	make_drops(&e);
	make_moves(&e);
	store_close(e.s);
	const char *const csv[] = {"report", "residents", "--near", "90", "--days",
	                           "5",      "--format",  "csv",    NULL};
	assert_int_equal(harness_cli(e.url, out, sizeof out, csv), 0);
	assert_int_equal(memcmp(out, "\xEF\xBB\xBF", 3), 0);
	assert_non_null(strstr(out, "\r\n1001,王*,active,"));
	assert_null(strstr(out, "王小明"));
	assert_non_null(strstr(out, "\r\nResidents near a daily limit on many days\r\n"));
	assert_non_null(strstr(out, "\r\n1001,王*,5,5,yes\r\n"));
	const char *const json[] = {"report",     "residents", "--from", "2026-11-25", "--to",
	                            "2026-11-26", "--format",  "json",   NULL};
	assert_int_equal(harness_cli(e.url, out, sizeof out, json), 0);
	json_t *j = json_loads(out, 0, NULL);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "report")), "residents");
	json_t *rows = json_object_get(j, "residents");
	assert_int_equal(json_array_size(rows), NRES + 1);
	json_t *first = json_array_get(rows, 0);
	assert_int_equal(json_integer_value(json_object_get(first, "resident")), 1001);
	assert_int_equal(json_integer_value(json_object_get(first, "earned")),
	                 span(e.earned, 0, 1, 2));
	json_decref(j);
	const char *const *bad[] = {
	    (const char *const[]){"report", "residents", "--kiosk", "7", NULL},
	    (const char *const[]){"report", "residents", "--category", "1", NULL},
	    (const char *const[]){"report", "residents", "--near", "0", NULL},
	    (const char *const[]){"report", "residents", "--near", "101", NULL},
	    (const char *const[]){"report", "residents", "--days", "0", NULL},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(harness_cli(e.url, out, sizeof out, bad[i]), 2);
	char why[512];
	assert_int_equal(store_open(e.url, &e.s, why, sizeof why), 0);
	env_close(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_residents),         cmocka_unit_test(test_daily_claimed_redeemed),
	    cmocka_unit_test(test_summaries_recount), cmocka_unit_test(test_old_store),
	    cmocka_unit_test(test_alert_advice),      cmocka_unit_test(test_command),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	harness_kill_started();
	return rc;
}
