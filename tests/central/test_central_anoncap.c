/*
 * test_central_anoncap.c — the anonymous daily cap at central, over real
 * HTTP with a real wufei-central: the office sets it (`rates set
 * --anon-cap none|N`, shown by `rates list`), the down-sync carries it only
 * when set and the kiosk's own parser reads it, and a batch whose anonymous
 * drops earned more than the cap allowed is flagged and kept as an alert,
 * in whatever order the records arrive.
 */
#define _XOPEN_SOURCE 700
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <sodium.h>

#include "downsync.h"
#include "fixture.h"
#include "testdb.h"
#include "harness.h"
#include "hex.h"
#include "ingest.h"
#include "record.h"

#define DAY 20261128u

/* `rates set` for the fixture's paper category, with anon (NULL: left out). */
static int set_paper(struct fx *f, const char *anon, char *out, size_t cap)
{
	const char *args[] = {"rates",
	                      "set",
	                      "--id",
	                      "1",
	                      "--code",
	                      "paper",
	                      "--name",
	                      "纸类 Paper",
	                      "--unit",
	                      "g",
	                      "--rate",
	                      "2000",
	                      "--min",
	                      "50",
	                      "--max",
	                      "50000",
	                      "--daily-limit",
	                      "20000",
	                      anon ? "--anon-cap" : NULL,
	                      anon,
	                      NULL};
	return fx_cli(f, out, cap, args);
}

/* The kiosk's parser's view of a full down-sync for kiosk 7: category 1. */
static struct wf_category downsync_paper(struct fx *f, json_t **cat_json)
{
	struct http_answer a;
	struct downsync d;
	char why[256] = "";
	assert_int_equal(harness_request(f->c.port, "GET", "/api/v1/sync/down", NULL, 0, f->sk, 7,
	                                 1, fx_now_s(), &a),
	                 0);
	assert_int_equal(a.status, 200);
	json_t *j = fx_answer_json(&a);
	*cat_json = json_incref(json_array_get(json_object_get(j, "categories"), 0));
	json_decref(j);
	int rc = downsync_parse(a.body, a.len, &d, why, sizeof why);
	if (rc)
		printf("kiosk parser refused central's answer: %s\n", why);
	assert_int_equal(rc, 0);
	assert_int_equal(d.ncategories, 1);
	struct wf_category c = d.categories[0];
	downsync_free(&d);
	harness_answer_free(&a);
	return c;
}

/* The office sets the cap, sees it, and the kiosk reads it; "none" and
 * leaving it out are no cap, and then the field is not sent at all (a
 * kiosk from before the cap refuses fields it does not know). */
static void test_cap_set_listed_and_downsynced(void **state)
{
	struct fx *f = *state;
	char out[4096];
	json_t *cj = NULL;
	struct wf_category c = downsync_paper(f, &cj);
	assert_false(c.has_anon_cap);
	assert_null(json_object_get(cj, "anon_daily_cap"));
	json_decref(cj);

	assert_int_equal(set_paper(f, "3000", out, sizeof out), 0);
	assert_non_null(strstr(out, "anonymous daily cap 3000"));
	assert_int_equal(fx_cli(f, out, sizeof out, (const char *[]){"rates", "list", NULL}), 0);
	assert_non_null(strstr(out, "daily_limit 20000\tanon_cap 3000"));
	c = downsync_paper(f, &cj);
	assert_int_equal(json_integer_value(json_object_get(cj, "anon_daily_cap")), 3000);
	json_decref(cj);
	assert_true(c.has_anon_cap);
	assert_int_equal(c.anon_cap_qty, 3000);
	assert_int_equal(c.daily_limit_qty, 20000);

	/* 0: anonymous drops earn nothing, which is a cap, not "none" */
	assert_int_equal(set_paper(f, "0", out, sizeof out), 0);
	c = downsync_paper(f, &cj);
	json_decref(cj);
	assert_true(c.has_anon_cap);
	assert_int_equal(c.anon_cap_qty, 0);

	assert_int_equal(set_paper(f, "none", out, sizeof out), 0);
	assert_non_null(strstr(out, "anonymous daily cap none"));
	c = downsync_paper(f, &cj);
	assert_null(json_object_get(cj, "anon_daily_cap"));
	json_decref(cj);
	assert_false(c.has_anon_cap);

	/* nonsense is refused as a usage error, and changes nothing */
	assert_int_equal(set_paper(f, "-1", out, sizeof out), 2);
	assert_int_equal(set_paper(f, "lots", out, sizeof out), 2);
	assert_int_equal(set_paper(f, "1000000001", out, sizeof out), 2);
	assert_int_equal(fx_cli(f, out, sizeof out, (const char *[]){"rates", "list", NULL}), 0);
	assert_non_null(strstr(out, "version 4\trate 2000"));
	assert_non_null(strstr(out, "anon_cap none"));
	/* every version keeps the cap it had */
	assert_non_null(strstr(out, "version 2\tg\t2000"));
	assert_int_equal(
	    harness_count(f->db_url, "SELECT anon_daily_cap FROM rates WHERE version = 2"), 3000);
}

/* A wufei-batch-1 record: an anonymous paper drop (rate version rv) on
 * local day day of qty grams of which credited earn points, chained from
 * prev (updated). */
static json_t *anon_drop_on(uint32_t day, uint32_t seq, int64_t qty, int64_t credited, uint32_t rv,
                            uint8_t prev[WF_HASH_BYTES])
{
	struct wf_record r;
	memset(&r, 0, sizeof r);
	r.kind = WF_RECORD_DROP;
	r.kiosk = 7;
	r.seq = seq;
	r.time_ms = INT64_C(1795867200000) + seq * 60000;
	r.drop.category_id = 1;
	r.drop.unit = WF_UNIT_GRAM;
	r.drop.flags = WF_DROP_ANONYMOUS | (credited < qty ? WF_DROP_CAPPED : 0);
	r.drop.qty = qty;
	r.drop.credited_qty = credited;
	wf_points(WF_UNIT_GRAM, 2000, credited, &r.drop.points);
	r.drop.rate_version = rv;
	r.drop.local_day = day;
	uint8_t bytes[INGEST_MAX_RECORD_BYTES];
	int n = wf_record_encode(&r, bytes, sizeof bytes);
	assert_true(n > 0);
	ingest_chain_next(prev, bytes, (size_t)n, prev);
	char b64[INGEST_MAX_RECORD_BYTES * 2], hex[WF_HASH_HEX];
	sodium_bin2base64(b64, sizeof b64, bytes, (size_t)n, sodium_base64_VARIANT_ORIGINAL);
	hex_encode(prev, WF_HASH_BYTES, hex, sizeof hex);
	return json_pack("{s:i, s:I, s:s, s:s}", "kind", 1, "seq", (json_int_t)seq, "data", b64,
	                 "hash", hex);
}

static json_t *anon_drop(uint32_t seq, int64_t qty, int64_t credited, uint32_t rv,
                         uint8_t prev[WF_HASH_BYTES])
{
	return anon_drop_on(DAY, seq, qty, credited, rv, prev);
}

/* Posts records (taken) as kiosk 7; returns the answer's JSON. */
static json_t *post(struct fx *f, json_t *records)
{
	json_t *body =
	    json_pack("{s:s, s:i, s:o}", "format", "wufei-batch-1", "kiosk", 7, "records", records);
	char *text = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	struct http_answer a;
	assert_int_equal(fx_post_batch(f, f->sk, 7, text, &a), 0);
	free(text);
	assert_int_equal(a.status, 200);
	json_t *j = fx_answer_json(&a);
	harness_answer_free(&a);
	return j;
}

/* Whether result i of a batch answer carries flag. */
static bool flagged(json_t *j, size_t i, const char *flag)
{
	json_t *flags = json_object_get(json_array_get(json_object_get(j, "results"), i), "flags");
	size_t k;
	json_t *v;
	json_array_foreach(flags, k, v) if (strcmp(json_string_value(v), flag) == 0) return true;
	return false;
}

static long anon_alerts(struct fx *f, unsigned seq)
{
	char sql[160];
	snprintf(sql, sizeof sql,
	         "SELECT COUNT(*) FROM tamper_alerts WHERE kiosk = 7 AND seq = %u AND reason = "
	         "'anon_cap'",
	         seq);
	return harness_count(f->db_url, sql);
}

/*
 * Cap 3000 g (rate version 2). A kiosk that keeps it: 2000 + 1000 credited,
 * then a drop recorded with nothing credited: no flag. A kiosk that does
 * not: 500 more credited the same day is over (flagged, alert, stored
 * anyway). The next day starts again, and records arriving out of order
 * raise no false alert: seq 6 before seq 5, both within the cap; seq 7
 * then takes that day over.
 */
static void test_ingest_flags_drops_over_the_cap(void **state)
{
	struct fx *f = *state;
	char out[1024];
	uint8_t prev[WF_HASH_BYTES] = {0};
	assert_int_equal(set_paper(f, "3000", out, sizeof out), 0);
	json_t *recs = json_array();
	json_array_append_new(recs, anon_drop(1, 2000, 2000, 2, prev));
	json_array_append_new(recs, anon_drop(2, 1000, 1000, 2, prev));
	json_array_append_new(recs, anon_drop(3, 4000, 0, 2, prev));
	json_array_append_new(recs, anon_drop(4, 800, 500, 2, prev));
	json_t *j = post(f, recs);
	for (size_t i = 0; i < 4; i++)
		assert_string_equal(fx_status_of(j, i), "stored");
	assert_false(flagged(j, 0, "anon_cap"));
	assert_false(flagged(j, 1, "anon_cap"));
	assert_false(flagged(j, 2, "anon_cap"));
	assert_true(flagged(j, 3, "anon_cap"));
	json_decref(j);
	assert_int_equal(anon_alerts(f, 3), 0);
	assert_int_equal(anon_alerts(f, 4), 1);
	assert_int_equal(fx_records(f), 4);
	assert_int_equal(fx_cli(f, out, sizeof out, (const char *[]){"alerts", "list", NULL}), 0);
	assert_non_null(strstr(out, "kiosk 7\tseq 4\tanon_cap"));
	assert_non_null(strstr(out, "over the anonymous daily cap 3000"));

	json_t *r5 = anon_drop_on(DAY + 1, 5, 2000, 2000, 2, prev);
	json_t *r6 = anon_drop_on(DAY + 1, 6, 1000, 1000, 2, prev);
	json_t *r7 = anon_drop_on(DAY + 1, 7, 100, 100, 2, prev);
	j = post(f, json_pack("[o]", r6));
	assert_string_equal(fx_status_of(j, 0), "stored");
	assert_false(flagged(j, 0, "anon_cap"));
	json_decref(j);
	j = post(f, json_pack("[o, o]", r5, r7));
	assert_string_equal(fx_status_of(j, 0), "stored");
	assert_false(flagged(j, 0, "anon_cap"));
	assert_true(flagged(j, 1, "anon_cap"));
	json_decref(j);
	assert_int_equal(anon_alerts(f, 5), 0);
	assert_int_equal(anon_alerts(f, 6), 0);
	assert_int_equal(anon_alerts(f, 7), 1);
}

/* Without a cap on the drop's rate version nothing is flagged, however
 * much anonymous drops earned; residents' drops are never the cap's. */
static void test_no_cap_no_flag(void **state)
{
	struct fx *f = *state;
	uint8_t prev[WF_HASH_BYTES] = {0};
	json_t *recs = json_array();
	for (uint32_t seq = 1; seq <= 3; seq++)
		json_array_append_new(recs, anon_drop(seq, 20000, 20000, 1, prev));
	json_t *j = post(f, recs);
	for (size_t i = 0; i < 3; i++) {
		assert_string_equal(fx_status_of(j, i), "stored");
		assert_false(flagged(j, i, "anon_cap"));
	}
	json_decref(j);
	assert_int_equal(
	    harness_count(f->db_url,
	                  "SELECT COUNT(*) FROM tamper_alerts WHERE reason = 'anon_cap'"),
	    0);
	/* the check's sum is found by the partial index, not a scan */
	assert_int_equal(harness_count(f->db_url, testdb_is_pg()
	                                              ? "SELECT COUNT(*) FROM pg_indexes WHERE "
	                                                "indexname = 'records_anon_day'"
	                                              : "SELECT COUNT(*) FROM sqlite_master WHERE "
	                                                "name = 'records_anon_day'"),
	                 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_cap_set_listed_and_downsynced, fx_setup,
	                                    fx_teardown),
	    cmocka_unit_test_setup_teardown(test_ingest_flags_drops_over_the_cap, fx_setup,
	                                    fx_teardown),
	    cmocka_unit_test_setup_teardown(test_no_cap_no_flag, fx_setup, fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
