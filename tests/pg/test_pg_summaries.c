/*
 * test_pg_summaries — PostgreSQL keeps the reports' summaries with
 * triggers (store_pg_schema.c, migration 2), whoever inserts the rows: here
 * plain SQL, many rows a statement, in random order, with rows already
 * held mixed in (ON CONFLICT DO NOTHING: only the rows inserted count).
 * After every statement each summary equals a recount from the rows; at
 * the end wf_summary_rebuild (the bulk load's) gives the same tables. The
 * SQLite twin skips: SQLite keeps them in C at record_insert (test_report).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "store.h"
#include "testdb.h"

#define KIOSKS 2
#define SEQS   150
#define T0     INT64_C(1764316800)

/* Queries a and b give the same rows. */
static void same_rows(const char *url, const char *what, const char *a, const char *b)
{
	char q[4096];
	snprintf(q, sizeof q,
	         "SELECT (SELECT COUNT(*) FROM (%s EXCEPT %s) AS x) + (SELECT COUNT(*) FROM (%s "
	         "EXCEPT %s) AS y) + abs((SELECT COUNT(*) FROM (%s) AS z) - (SELECT COUNT(*) FROM "
	         "(%s) AS w))",
	         a, b, b, a, a, b);
	long n = testdb_count(url, q);
	if (n != 0)
		fail_msg("%s: %ld rows differ from the recount", what, n);
}

static const char *const checks[][3] = {
    {"report_daily",
     "SELECT kiosk, local_day, category, drops, grams, pieces, points FROM "
     "report_daily",
     "SELECT kiosk, local_day, category, COUNT(*), SUM(CASE WHEN unit = 1 THEN qty ELSE 0 "
     "END), SUM(CASE WHEN unit = 2 THEN qty ELSE 0 END), SUM(points) FROM records WHERE kind "
     "= 1 GROUP BY 1, 2, 3"},
    {"seq_ranges", "SELECT kiosk, first_seq, last_seq FROM seq_ranges",
     "SELECT kiosk, MIN(seq), MAX(seq) FROM (SELECT kiosk, seq, seq - ROW_NUMBER() OVER "
     "(PARTITION BY kiosk ORDER BY seq) AS g FROM records) AS r GROUP BY kiosk, g"},
    {"late_records", "SELECT kiosk, seq, kind, time_s, received_s FROM late_records",
     "SELECT kiosk, seq, kind, time_s, received_s FROM records WHERE time_s <> 0 AND "
     "received_s - time_s > 3600"},
    {"bin_spans", "SELECT kiosk, seq, category, prev_seq, drops, grams FROM bin_spans",
     "SELECT kiosk, seq, category, prev, (SELECT COUNT(*) FROM records d WHERE d.kiosk = "
     "b.kiosk AND d.seq > b.prev AND d.seq < b.seq AND d.kind = 1 AND d.category = "
     "b.category AND d.unit = 1), (SELECT COALESCE(SUM(qty), 0) FROM records d WHERE "
     "d.kiosk = b.kiosk AND d.seq > b.prev AND d.seq < b.seq AND d.kind = 1 AND d.category "
     "= b.category AND d.unit = 1) FROM (SELECT r.kiosk, r.seq, r.category, "
     "COALESCE((SELECT MAX(p.seq) FROM records p WHERE p.kind = 2 AND p.kiosk = r.kiosk AND "
     "p.category = r.category AND p.seq < r.seq), 0) AS prev FROM records r WHERE r.kind = "
     "2) b"},
    {"resident_days",
     "SELECT local_day, resident, category, credited, earned, claimed_qty, "
     "claimed FROM resident_days",
     "SELECT local_day, resident, category, SUM(cr), SUM(ea), SUM(cq), SUM(cl) FROM (SELECT "
     "local_day, resident, category, credited AS cr, points AS ea, 0 AS cq, 0 AS cl FROM "
     "records WHERE kind = 1 AND resident IS NOT NULL UNION ALL SELECT local_day, resident, "
     "category, 0, 0, qty, points FROM claims WHERE resident IS NOT NULL) AS u GROUP BY 1, "
     "2, 3"},
    {"resident_moves", "SELECT utc_day, resident, redeemed, adjusted FROM resident_moves",
     "SELECT to_char(to_timestamp(at_s) AT TIME ZONE 'UTC', 'YYYYMMDD')::integer, resident, "
     "-SUM(CASE kind WHEN 3 THEN points ELSE 0 END), SUM(CASE kind WHEN 4 THEN points ELSE 0 "
     "END) FROM points_entries WHERE kind IN (3, 4) GROUP BY 1, 2"},
};

#define NCHECKS (sizeof checks / sizeof checks[0])

static void summaries_recount(const char *url)
{
	for (size_t i = 0; i < NCHECKS; i++)
		same_rows(url, checks[i][0], checks[i][1], checks[i][2]);
}

static uint32_t g_rand = 20261130;

static uint32_t rnd(uint32_t n)
{
	g_rand = g_rand * 1103515245u + 12345u;
	return (g_rand >> 8) % n;
}

/* Record (kiosk, seq) as a VALUES row: drops of weighed or counted
 * categories, bin collections, other kinds, some late, some anonymous. */
static void record_row(uint32_t kiosk, uint32_t seq, char *out, size_t cap)
{
	uint32_t v = (kiosk * 7919u + seq * 104729u) % 1000u; /* the same each time it is sent */
	int kind = v % 10 < 6 ? 1 : v % 10 < 8 ? 2 : v % 10 == 8 ? 3 : 4;
	int cat = 1 + (int)(v % 3), unit = kind == 2 || cat != 3 ? 1 : 2;
	int64_t t = T0 + seq * 60, received = t + (v % 7 == 0 ? 7200 : 30);
	unsigned day = 20261126u + seq / 50;
	char resident[16] = "NULL"; /* a resident's drop, or an anonymous one */
	if (v % 4)
		snprintf(resident, sizeof resident, "%u", 1001 + v % 3);
	if (kind == 1)
		snprintf(
		    out, cap,
		    "(%u, %u, 1, '\\x01', '\\x02', %lld, %s, %u, 0, %lld, %d, %d, 0, %u, %u, %u)",
		    kiosk, seq, (long long)received, resident, v % 50, (long long)t, cat, unit,
		    1 + v, 1 + v / 2, day);
	else if (kind == 2)
		snprintf(out, cap,
		         "(%u, %u, 2, '\\x01', '\\x02', %lld, NULL, 0, 0, %lld, %d, 1, NULL, %u, "
		         "NULL, NULL)",
		         kiosk, seq, (long long)received, (long long)t, cat, 5000 + v);
	else
		snprintf(out, cap,
		         "(%u, %u, %d, '\\x01', '\\x02', %lld, NULL, 0, 0, %lld, NULL, NULL, NULL, "
		         "NULL, NULL, %s)",
		         kiosk, seq, kind, (long long)received, (long long)t,
		         kind == 4 ? "20261127" : "NULL");
}

static void insert_records(const char *url)
{
	static bool held[KIOSKS][SEQS + 1];
	uint32_t order[KIOSKS * SEQS];
	for (uint32_t i = 0; i < KIOSKS * SEQS; i++)
		order[i] = i;
	for (uint32_t i = KIOSKS * SEQS - 1; i > 0; i--) { /* shuffled */
		uint32_t j = rnd(i + 1), t = order[i];
		order[i] = order[j];
		order[j] = t;
	}
	static char sql[64 * 1024];
	char row[512];
	size_t at = 0;
	int statements = 0;
	while (at < KIOSKS * SEQS) {
		size_t n = 1 + rnd(rnd(2) ? 3 : 40), rows = 0;
		size_t len =
		    (size_t)snprintf(sql, sizeof sql,
		                     "INSERT INTO records(kiosk, seq, kind, bytes, hash, "
		                     "received_s, resident, points, flags, time_s, category, "
		                     "unit, dflags, qty, credited, local_day) VALUES ");
		for (size_t i = 0; i < n && at + i < KIOSKS * SEQS; i++) {
			uint32_t k = order[at + i] / SEQS, seq = 1 + order[at + i] % SEQS;
			if (seq % 10 == 5)
				continue; /* a hole that stays */
			record_row(1 + k, seq, row, sizeof row);
			len += (size_t)snprintf(sql + len, sizeof sql - len, "%s%s",
			                        rows ? ", " : "", row);
			rows++;
			held[k][seq] = true;
		}
		at += n;
		if (rows == 0)
			continue;
		/* one already held, sent again: not inserted, not counted */
		for (uint32_t s = 1; s <= SEQS; s++)
			if (held[0][s]) {
				record_row(1, s, row, sizeof row);
				len += (size_t)snprintf(sql + len, sizeof sql - len, ", %s", row);
				break;
			}
		snprintf(sql + len, sizeof sql - len, " ON CONFLICT (kiosk, seq) DO NOTHING");
		assert_int_equal(testdb_exec(url, sql), 0);
		summaries_recount(url);
		statements++;
	}
	assert_true(statements > 10);
}

static void test_summaries_by_any_insert(void **state)
{
	(void)state;
	if (!testdb_is_pg())
		skip(); /* SQLite keeps them in C at record_insert (test_report) */
	char url[1024], why[256];
	struct store *s = NULL;
	assert_int_equal(testdb_url(url, sizeof url, "/tmp/unused.db"), 0);
	assert_int_equal(store_open(url, &s, why, sizeof why), 0); /* the schema */
	store_close(s);
	insert_records(url);
	assert_true(testdb_count(url, "SELECT COUNT(*) FROM late_records") > 0);
	assert_true(testdb_count(url, "SELECT COUNT(*) FROM bin_spans WHERE prev_seq > 0 AND "
	                              "drops > 0") > 0);
	assert_true(testdb_count(url, "SELECT COUNT(*) FROM seq_ranges") > KIOSKS);
	/* claims and points entries, several a statement */
	assert_int_equal(
	    testdb_exec(url, "INSERT INTO claims(kiosk, seq, claimed_s, resident, category, "
	                     "local_day, qty, points, actor) SELECT kiosk, seq, time_s + 60, 1002, "
	                     "category, local_day, qty, points, 'office' FROM records WHERE kind = "
	                     "1 AND resident IS NULL"),
	    0);
	assert_int_equal(testdb_exec(url, "INSERT INTO points_entries(resident, kind, points, "
	                                  "at_s, actor, reason) SELECT 1001 + g % 3, 3 + g % 2, "
	                                  "(g * 37) % 500 - 250, 1764316800 + g * 40000, 'office', "
	                                  "'t' FROM generate_series(1, 40) g"),
	                 0);
	summaries_recount(url);
	assert_true(testdb_count(url, "SELECT COUNT(*) FROM resident_days WHERE claimed > 0") > 0);
	/* the bulk load's rebuild: the same tables */
	assert_int_equal(testdb_exec(url, "CREATE TABLE kept_daily AS SELECT * FROM report_daily; "
	                                  "CREATE TABLE kept_spans AS SELECT * FROM bin_spans; "
	                                  "CREATE TABLE kept_ranges AS SELECT * FROM seq_ranges; "
	                                  "CREATE TABLE kept_days AS SELECT * FROM resident_days; "
	                                  "SELECT wf_summary_rebuild()"),
	                 0);
	same_rows(url, "rebuilt daily", "SELECT * FROM kept_daily", "SELECT * FROM report_daily");
	same_rows(url, "rebuilt spans", "SELECT * FROM kept_spans", "SELECT * FROM bin_spans");
	same_rows(url, "rebuilt ranges", "SELECT * FROM kept_ranges", "SELECT * FROM seq_ranges");
	same_rows(url, "rebuilt days", "SELECT * FROM kept_days", "SELECT * FROM resident_days");
	summaries_recount(url);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_summaries_by_any_insert),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
