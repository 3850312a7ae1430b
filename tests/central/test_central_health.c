/*
 * test_central_health.c — the operator's side of wufei-central: /livez,
 * /readyz (a database file moved away makes it 503 with the reason, and
 * back 200) and /metrics over real HTTP, every scrape read whole by a strict
 * exposition reader (expo.h), the numbers checked to move exactly with real
 * sync batches, alerts, refusals and heartbeats; and metrics_format on its
 * own (escaping, cumulative buckets, the cap).
 */
#define _XOPEN_SOURCE 700
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "expo.h"
#include "fixture.h"
#include "testdb.h"
#include "harness.h"
#include "metrics.h"

/* GET /metrics, read whole by the strict reader into e (asserts it is valid). */
static void scrape(struct fx *f, struct expo *e)
{
	struct http_answer a;
	assert_int_equal(harness_request(f->c.port, "GET", "/metrics", NULL, 0, NULL, 0, 0, 0, &a),
	                 0);
	assert_int_equal(a.status, 200);
	int rc = expo_parse(a.body, e);
	if (rc)
		fail_msg("exposition: %s", e->why);
	harness_answer_free(&a);
}

/* Debian's promtool (package prometheus), when there is one, lints a scrape
 * too; the strict reader above does not depend on it. */
static void promtool_check(struct fx *f)
{
	char file[400], cmd[1000];
	struct http_answer a;
	if (system("command -v promtool >/dev/null 2>&1") != 0)
		return;
	assert_int_equal(harness_request(f->c.port, "GET", "/metrics", NULL, 0, NULL, 0, 0, 0, &a),
	                 0);
	snprintf(file, sizeof file, "%s/metrics.txt", f->dir);
	FILE *out = fopen(file, "w");
	assert_non_null(out);
	fputs(a.body, out);
	fclose(out);
	harness_answer_free(&a);
	snprintf(cmd, sizeof cmd, "promtool check metrics < %s", file);
	assert_int_equal(system(cmd), 0);
}

/*
 * A request is counted when its answer has gone out (the server's
 * completion hook), which may come just after the client read it: scrape
 * until series reaches want (a bounded number of scrapes), then it must be
 * exactly want.
 */
static void expect_series(struct fx *f, struct expo *e, const char *series, double want)
{
	for (int i = 0; i < 200; i++) {
		scrape(f, e);
		if (expo_value(e, series) >= want)
			break;
		usleep(5000);
	}
	if (expo_value(e, series) != want)
		fail_msg("%s is %g, want %g", series, expo_value(e, series), want);
}

static long get_status(struct fx *f, const char *method, const char *path, char *body, size_t cap)
{
	struct http_answer a;
	assert_int_equal(harness_request(f->c.port, method, path, NULL, 0, NULL, 0, 0, 0, &a), 0);
	long st = a.status;
	if (body)
		snprintf(body, cap, "%s", a.body ? a.body : "");
	harness_answer_free(&a);
	return st;
}

static void test_probes(void **state)
{
	struct fx *f = *state;
	char body[1024];
	struct expo *e = malloc(sizeof *e);
	assert_int_equal(get_status(f, "GET", "/livez", body, sizeof body), 200);
	assert_non_null(strstr(body, "\"status\":\"live\""));
	assert_int_equal(get_status(f, "HEAD", "/livez", NULL, 0), 200);
	assert_int_equal(get_status(f, "POST", "/readyz", NULL, 0), 405);
	assert_int_equal(get_status(f, "GET", "/readyz", body, sizeof body), 200);
	assert_non_null(strstr(body, "\"status\":\"ready\""));
	scrape(f, e);
	assert_true(expo_value(e, "wufei_store_up") == 1);
	/* The store gone under the running central (its SQLite file moved, its
	 * PostgreSQL database refusing connections): not ready, and why. */
	fx_store_away(f, 1);
	assert_int_equal(get_status(f, "GET", "/readyz", body, sizeof body), 503);
	assert_non_null(strstr(body, "\"error\":\"not_ready\""));
	const char *why = strstr(body, "storage: ");
	assert_non_null(why);
	assert_true(why[9] != '"' && why[9] != '\0'); /* says why */
	if (!testdb_is_pg())
		assert_non_null(strstr(why, "moved or deleted"));
	assert_int_equal(get_status(f, "GET", "/livez", NULL, 0), 200); /* still alive */
	scrape(f, e);
	assert_true(expo_value(e, "wufei_store_up") == 0);
	assert_true(expo_value(e, "wufei_kiosks_silent") == -1); /* unknown: left out */
	fx_store_away(f, 0);
	assert_int_equal(get_status(f, "GET", "/readyz", NULL, 0), 200);
	scrape(f, e);
	assert_true(expo_value(e, "wufei_store_up") == 1);
	free(e);
}

static long alerts_held(struct fx *f, const char *reason)
{
	char sql[200];
	snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM tamper_alerts WHERE reason = '%s'", reason);
	return harness_count(f->db_url, sql);
}

/* POSTs a batch of kiosk 7 and expects status. */
static void post(struct fx *f, char *body, long status)
{
	struct http_answer a;
	assert_int_equal(fx_post_batch(f, f->sk, 7, body, &a), 0);
	assert_int_equal(a.status, status);
	harness_answer_free(&a);
	free(body);
}

static void test_metrics_move_exactly(void **state)
{
	struct fx *f = *state;
	struct expo *e = malloc(sizeof *e);
	scrape(f, e);
	assert_true(expo_value(e, "wufei_records_ingested_total{result=\"stored\"}") == 0);
	assert_true(expo_value(e, "wufei_tamper_alerts_total{reason=\"conflict\"}") == 0);
	assert_true(expo_value(e, "wufei_http_requests_total{class=\"sync\",code=\"2xx\"}") == 0);
	uint8_t prev[WF_HASH_BYTES] = {0}, after3[WF_HASH_BYTES], scratch[WF_HASH_BYTES];
	post(f, harness_batch_json(7, 1, 3, prev, 0), 200); /* 3 stored */
	memcpy(after3, prev, sizeof prev);
	memset(scratch, 0, sizeof scratch);
	post(f, harness_batch_json(7, 1, 3, scratch, 0), 200); /* 3 duplicates */
	memset(scratch, 0, sizeof scratch);
	post(f, harness_batch_json(7, 2, 1, scratch, 1), 200); /* seq 2, other bytes: conflict */
	post(f, harness_batch_json(7, 4, 1, after3, 2), 200);  /* one point too many */
	/* refused: signed by kiosk 8's key for kiosk 7 */
	struct http_answer a;
	char *b = harness_batch_json(7, 5, 1, after3, 0);
	assert_int_equal(fx_post_batch(f, f->sk2, 7, b, &a), 0);
	assert_int_equal(a.status, 401);
	harness_answer_free(&a);
	free(b);
	assert_int_equal(get_status(f, "GET", "/api/v1/time", NULL, 0), 200);
	assert_int_equal(get_status(f, "GET", "/no/such/page", NULL, 0), 404);

	expect_series(f, e, "wufei_http_requests_total{class=\"other\",code=\"4xx\"}", 1);
	expect_series(f, e, "wufei_http_requests_total{class=\"sync\",code=\"2xx\"}", 4);
	expect_series(f, e, "wufei_http_requests_total{class=\"sync\",code=\"4xx\"}", 1);
	expect_series(f, e, "wufei_http_requests_total{class=\"public\",code=\"2xx\"}", 1);
	assert_true(expo_value(e, "wufei_http_requests_total{class=\"sync\",code=\"5xx\"}") == 0);
	assert_true(expo_value(e, "wufei_http_request_duration_seconds_count{class=\"sync\"}") ==
	            5);
	assert_true(
	    expo_value(
	        e, "wufei_http_request_duration_seconds_bucket{class=\"sync\",le=\"+Inf\"}") == 5);
	assert_true(expo_value(e, "wufei_http_request_duration_seconds_sum{class=\"sync\"}") > 0);
	assert_true(expo_value(e, "wufei_records_ingested_total{result=\"stored\"}") == 4);
	assert_true(expo_value(e, "wufei_records_ingested_total{result=\"duplicate\"}") == 3);
	assert_true(expo_value(e, "wufei_records_ingested_total{result=\"conflict\"}") == 1);
	assert_int_equal(fx_records(f), 4);
	/* alerts: exactly what central holds, reason by reason */
	assert_int_equal(alerts_held(f, "conflict"), 1);
	assert_int_equal(alerts_held(f, "points_mismatch"), 1);
	const char *reasons[] = {"conflict", "points_mismatch", "chain_break", "unknown_rate",
	                         "checkpoint_mismatch"};
	for (size_t i = 0; i < sizeof reasons / sizeof reasons[0]; i++) {
		char series[128];
		snprintf(series, sizeof series, "wufei_tamper_alerts_total{reason=\"%s\"}",
		         reasons[i]);
		assert_true(expo_value(e, series) == (double)alerts_held(f, reasons[i]));
	}
	assert_true(expo_value(e, "wufei_kiosks_enrolled") == 2);
	assert_true(expo_value(e, "wufei_kiosks_silent") == 0);
	assert_true(expo_value(e, "wufei_kiosk_silent_after_seconds") == 7200);
	promtool_check(f);
	free(e);
}

/* Kiosks silent longer than --silent-after: central's clock an hour ahead
 * makes both kiosks, enrolled now, silent; a heartbeat brings one back. */
static void test_metrics_silent_kiosks(void **state)
{
	struct fx *f = *state;
	struct expo *e = malloc(sizeof *e);
	assert_int_equal(harness_stop(&f->c, SIGTERM), 0);
	assert_int_equal(harness_start_args(&f->c, f->db_url, 3600,
	                                    (const char *[]){"--silent-after", "600", NULL}),
	                 0);
	scrape(f, e);
	assert_true(expo_value(e, "wufei_kiosk_silent_after_seconds") == 600);
	assert_true(expo_value(e, "wufei_kiosks_enrolled") == 2);
	assert_true(expo_value(e, "wufei_kiosks_silent") == 2);
	const char *hb = "{\"format\":\"wufei-heartbeat-1\",\"kiosk\":7,\"last_seq\":0,"
	                 "\"outbox_depth\":0,\"software_version\":\"0.1.0\",\"devices\":[]}";
	struct http_answer a;
	assert_int_equal(harness_request(f->c.port, "POST", "/api/v1/kiosk/heartbeat", hb,
	                                 strlen(hb), f->sk, 7, 1, fx_now_s() + 3600, &a),
	                 0);
	assert_int_equal(a.status, 200);
	harness_answer_free(&a);
	scrape(f, e);
	assert_true(expo_value(e, "wufei_kiosks_silent") == 1);
	free(e);
}

/* metrics_format alone: exact figures, escaping, cumulative buckets, the cap. */
static void test_metrics_format(void **state)
{
	(void)state;
	struct metrics *m = metrics_create(1795867200);
	assert_non_null(m);
	metrics_observe(m, METRICS_SYNC, 200, 500000);       /* 0.0005 s */
	metrics_observe(m, METRICS_SYNC, 200, 1000000);      /* exactly 0.001 s: le 0.001 */
	metrics_observe(m, METRICS_SYNC, 500, 3000000000LL); /* 3 s */
	metrics_observe(m, METRICS_SYNC, 200, 7000000000LL); /* 7 s: only +Inf */
	metrics_observe(m, METRICS_OTHER, 404, 2000000);
	metrics_records(m, 3, 1, 0);
	struct metrics_snapshot snap;
	metrics_snapshot(m, &snap);
	metrics_destroy(m);
	struct metrics_store_facts facts = {
	    .up = 1, .kiosks = 5, .silent = 2, .silent_after_s = 7200, .nalerts = 2};
	snprintf(facts.alerts[0].reason, sizeof facts.alerts[0].reason, "conflict");
	facts.alerts[0].count = 2;
	snprintf(facts.alerts[1].reason, sizeof facts.alerts[1].reason, "odd \"one\"\\\nx");
	facts.alerts[1].count = 1;
	char *text = malloc(65536);
	int n = metrics_format(&snap, &facts, text, 65536);
	assert_true(n > 0 && (size_t)n == strlen(text));
	struct expo *e = malloc(sizeof *e);
	if (expo_parse(text, e))
		fail_msg("exposition: %s\n%s", e->why, text);
	const char *h = "wufei_http_request_duration_seconds";
	char s[200];
	static const struct {
		const char *le;
		double n;
	} want[] = {{"0.001", 2}, {"0.5", 2}, {"2.5", 2}, {"5", 3}, {"+Inf", 4}};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		snprintf(s, sizeof s, "%s_bucket{class=\"sync\",le=\"%s\"}", h, want[i].le);
		assert_true(expo_value(e, s) == want[i].n);
	}
	assert_non_null(strstr(text, "wufei_http_request_duration_seconds_sum{class=\"sync\"} "
	                             "10.001500000\n"));
	assert_true(expo_value(e, "wufei_http_requests_total{class=\"sync\",code=\"5xx\"}") == 1);
	assert_true(expo_value(e, "wufei_http_requests_total{class=\"other\",code=\"4xx\"}") == 1);
	assert_true(expo_value(e, "wufei_records_ingested_total{result=\"stored\"}") == 3);
	assert_true(expo_value(e, "wufei_tamper_alerts_total{reason=\"conflict\"}") == 2);
	assert_true(expo_value(e, "wufei_tamper_alerts_total{reason=\"unknown_rate\"}") == 0);
	/* the odd reason escaped on the wire and read back as it was */
	assert_non_null(strstr(text, "{reason=\"odd \\\"one\\\"\\\\\\nx\"} 1\n"));
	assert_true(expo_value(e, "wufei_tamper_alerts_total{reason=\"odd \"one\"\\\nx\"}") == 1);
	assert_true(expo_value(e, "wufei_kiosks_silent") == 2);
	assert_true(expo_value(e, "wufei_process_start_time_seconds") == 1795867200);
	/* too small a buffer is an error, never a cut-off text */
	assert_int_equal(metrics_format(&snap, &facts, text, 1000), WF_ENOMEM);
	/* route classes */
	assert_int_equal(metrics_class_of("/api/v1/sync/batch", 1), METRICS_SYNC);
	assert_int_equal(metrics_class_of("/api/v1/kiosk/epoch", 1), METRICS_SYNC);
	assert_int_equal(metrics_class_of("/R/ABC", 1), METRICS_PUBLIC);
	assert_int_equal(metrics_class_of("/metrics", 1), METRICS_HEALTH);
	assert_int_equal(metrics_class_of("/office/", 1), METRICS_OFFICE);
	assert_int_equal(metrics_class_of("/nothing", 0), METRICS_OTHER);
	free(e);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_metrics_format),
	    cmocka_unit_test_setup_teardown(test_probes, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_metrics_move_exactly, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_metrics_silent_kiosks, fx_setup, fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
