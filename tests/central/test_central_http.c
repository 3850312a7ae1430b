/*
 * test_central_http.c — the batch API of wufei-central over real HTTP on
 * loopback with real SQLite files: the SYNC-API worked example, exactly-once
 * ingest, duplicate and conflict, any valid JSON layout, central's checks of
 * the records' bytes, and every bad input refused with nothing stored.
 */
#define _XOPEN_SOURCE 700
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "fixture.h"
#include "harness.h"
#include "ingest.h"
#include "signing.h"

/* The document's example, sent over HTTP to a central whose clock reads its time. */
static void test_worked_example_over_http(void **state)
{
	struct fx *f = *state;
	static const char body[] =
	    "{\"format\":\"wufei-heartbeat-1\",\"kiosk\":12,\"last_seq\":1234,\"outbox_depth\":3,"
	    "\"software_version\":\"0.1.0\",\"devices\":[{\"name\":\"scale\",\"role\":\"scale\","
	    "\"state\":\"up\"},{\"name\":\"printer\",\"role\":\"printer\",\"state\":\"down\","
	    "\"detail\":\"paper out\"}]}";
	uint8_t pk[32], sk[64];
	char pub[600];
	fx_keys(0, pk, sk);
	harness_write_pub(f->dir, "k12.pub", pk, pub, sizeof pub);
	assert_int_equal(
	    fx_cli(f, NULL, 0, (const char *[]){"kiosk", "add", "12", "--pubkey", pub, NULL}), 0);
	harness_stop(&f->c, SIGTERM);
	assert_int_equal(harness_start(&f->c, f->db_url, 1795867200 - fx_now_s()), 0);
	struct http_answer a;
	assert_int_equal(harness_request(f->c.port, "POST", "/api/v1/kiosk/heartbeat", body,
	                                 strlen(body), sk, 12, 1, 1795867200, &a),
	                 0);
	assert_int_equal(a.status, 200);
	json_t *j = fx_answer_json(&a);
	assert_string_equal(json_string_value(json_object_get(j, "body_hash")),
	                    "3c4f66217ce8f658fb43d5931d9f26ae9cf3a53bdcc414f0548fc21f4b474fb1");
	json_decref(j);
	harness_answer_free(&a);
	/* worked example 2: the batch with one drop */
	static const char batch[] =
	    "{\"format\":\"wufei-batch-1\",\"kiosk\":12,\"records\":[{\"kind\":1,\"seq\":1,"
	    "\"data\":"
	    "\"AQEMAAAAAQAAAAAAAAAAygYiogEAAAEAAQDiBAAAAAAAAOIEAAAAAAAAAgAAAAAAAAADAAAA6QMAA"
	    "AAAAACgoaKjpKWmp6ipqqusra6voKGio6SlpqeoqaqrrK2urwgpNQE=\",\"hash\":"
	    "\"09e40c0a4b9842b40209b33f87487e10f6cadc6a7b94b3339f9906fc63f85877\"}]}";
	assert_int_equal(harness_request(f->c.port, "POST", "/api/v1/sync/batch", batch,
	                                 strlen(batch), sk, 12, 1, 1795867200, &a),
	                 0);
	assert_int_equal(a.status, 200);
	j = fx_answer_json(&a);
	assert_string_equal(json_string_value(json_object_get(j, "body_hash")),
	                    "ce3f25511c79f4439e67cea1336747fbeb20b235419e9b30e48a7da4abf3abf9");
	json_t *r0 = json_array_get(json_object_get(j, "results"), 0);
	assert_string_equal(json_string_value(json_object_get(r0, "status")), "stored");
	assert_string_equal(json_string_value(json_array_get(json_object_get(r0, "flags"), 0)),
	                    "unknown_rate");
	json_decref(j);
	harness_answer_free(&a);
	char out[4096];
	assert_int_equal(fx_cli(f, out, sizeof out, (const char *[]){"kiosk", "list", NULL}), 0);
	assert_non_null(strstr(out, "kiosk 12"));
	assert_non_null(strstr(out, "last_seq 1234 outbox 3 version 0.1.0"));
	assert_non_null(strstr(out, "paper out"));
	assert_int_equal(harness_count(f->db_url, "SELECT outbox_depth FROM heartbeats WHERE "
	                                          "kiosk = 12"),
	                 3);
}

/* What a kiosk says of itself reaches the office's terminal escaped: a
 * version that would retitle the window or clear the screen shows as text. */
static void test_kiosk_list_escapes(void **state)
{
	struct fx *f = *state;
	static const char body[] =
	    "{\"format\":\"wufei-heartbeat-1\",\"kiosk\":7,\"last_seq\":0,\"outbox_depth\":0,"
	    "\"software_version\":\"\\u001b]0;owned\\u0007\\u001b[2J1.0\",\"devices\":[]}";
	struct http_answer a;
	assert_int_equal(harness_request(f->c.port, "POST", "/api/v1/kiosk/heartbeat", body,
	                                 strlen(body), f->sk, 7, 1, fx_now_s(), &a),
	                 0);
	assert_int_equal(a.status, 200);
	harness_answer_free(&a);
	char out[4096];
	assert_int_equal(fx_cli(f, out, sizeof out, (const char *[]){"kiosk", "list", NULL}), 0);
	assert_null(strchr(out, '\x1b'));
	assert_null(strchr(out, '\x07'));
	assert_non_null(strstr(out, "version \\x1b]0;owned\\x07\\x1b[2J1.0 devices []"));
}

static void test_duplicate_and_conflict(void **state)
{
	struct fx *f = *state;
	uint8_t prev[WF_HASH_BYTES] = {0}, prev2[32] = {0};
	struct http_answer a;
	char *b1 = harness_batch_json(7, 1, 3, prev, 0);
	assert_int_equal(fx_post_batch(f, f->sk, 7, b1, &a), 0);
	assert_int_equal(a.status, 200);
	json_t *j = fx_answer_json(&a);
	for (size_t i = 0; i < 3; i++)
		assert_string_equal(fx_status_of(j, i), "stored");
	assert_int_equal(json_integer_value(json_object_get(j, "highest_seq")), 3);
	char hash[WF_HASH_HEX];
	signing_hash_body(b1, strlen(b1), hash);
	assert_string_equal(json_string_value(json_object_get(j, "body_hash")), hash);
	json_decref(j);
	harness_answer_free(&a);
	assert_int_equal(fx_records(f), 3);

	/* The same batch again: duplicates, nothing new. */
	assert_int_equal(fx_post_batch(f, f->sk, 7, b1, &a), 0);
	assert_int_equal(a.status, 200);
	j = fx_answer_json(&a);
	for (size_t i = 0; i < 3; i++)
		assert_string_equal(fx_status_of(j, i), "duplicate");
	json_decref(j);
	harness_answer_free(&a);
	assert_int_equal(fx_records(f), 3);

	/* Same identities, other bytes: conflicts; originals byte-identical. */
	uint8_t orig[INGEST_MAX_RECORD_BYTES];
	size_t olen = harness_record_bytes(7, 2, 0, orig, sizeof orig);
	char *b2 = harness_batch_json(7, 1, 4, prev2, 1);
	assert_int_equal(fx_post_batch(f, f->sk, 7, b2, &a), 0);
	assert_int_equal(a.status, 200);
	j = fx_answer_json(&a);
	for (size_t i = 0; i < 3; i++)
		assert_string_equal(fx_status_of(j, i), "conflict");
	assert_string_equal(fx_status_of(j, 3), "stored"); /* seq 4 is new */
	json_decref(j);
	harness_answer_free(&a);

	char blob[2 * INGEST_MAX_RECORD_BYTES + 16], sql[256 + sizeof blob];
	assert_int_equal(harness_blob_sql(f->db_url, orig, olen, blob, sizeof blob), WF_OK);
	snprintf(sql, sizeof sql,
	         "SELECT COUNT(*) FROM records WHERE kiosk = 7 AND seq = 2 AND bytes = %s", blob);
	assert_int_equal(harness_count(f->db_url, sql), 1);
	uint8_t newer[INGEST_MAX_RECORD_BYTES];
	size_t nlen = harness_record_bytes(7, 2, 1, newer, sizeof newer);
	assert_int_equal(harness_blob_sql(f->db_url, newer, nlen, blob, sizeof blob), WF_OK);
	snprintf(sql, sizeof sql,
	         "SELECT COUNT(*) FROM tamper_alerts WHERE kiosk = 7 AND seq = 2 AND reason = "
	         "'conflict' AND bytes = %s",
	         blob);
	assert_int_equal(harness_count(f->db_url, sql), 1);
	/* the office sees it */
	char out[4096];
	assert_int_equal(fx_cli(f, out, sizeof out, (const char *[]){"alerts", "list", NULL}), 0);
	assert_non_null(strstr(out, "kiosk 7\tseq 2\tconflict"));
	assert_non_null(strstr(out, "newcomer bytes kept"));
	/* seq 4 continues the tampered chain, not central's: flagged. */
	assert_int_equal(harness_count(f->db_url, "SELECT COUNT(*) FROM tamper_alerts WHERE seq = "
	                                          "4 AND reason = 'chain_break'"),
	                 1);
	free(b1);
	free(b2);
}

/* Any valid JSON layout is accepted (the fast scanner declines, jansson decides). */
static void test_batch_layouts(void **state)
{
	struct fx *f = *state;
	uint8_t prev[WF_HASH_BYTES] = {0};
	struct http_answer a;
	char *plain = harness_batch_json(7, 1, 2, prev, 0);
	json_t *j = json_loads(plain, 0, NULL);
	assert_non_null(j);
	json_object_set_new(j, "note", json_string("extra field"));
	json_object_set_new(json_array_get(json_object_get(j, "records"), 0), "x", json_true());
	char *pretty = json_dumps(j, JSON_INDENT(3) | JSON_ESCAPE_SLASH);
	json_decref(j);
	assert_int_equal(fx_post_batch(f, f->sk, 7, pretty, &a), 0);
	assert_int_equal(a.status, 200);
	j = fx_answer_json(&a);
	assert_string_equal(fx_status_of(j, 0), "stored");
	assert_string_equal(fx_status_of(j, 1), "stored");
	json_decref(j);
	harness_answer_free(&a);
	/* the plain form of the same records: duplicates */
	assert_int_equal(fx_post_batch(f, f->sk, 7, plain, &a), 0);
	j = fx_answer_json(&a);
	assert_string_equal(fx_status_of(j, 0), "duplicate");
	json_decref(j);
	harness_answer_free(&a);
	/* not JSON in ways a lenient scanner might miss */
	static const char *const bad[] = {
	    "{\"format\":\"wufei-batch-1\",\"kiosk\":7,\"records\":[]}x",
	    "{\"format\":\"wufei-batch-1\",\"kiosk\":07,\"records\":[]}",
	    "{\"format\":\"wufei-batch-1\",\"kiosk\":7,\"kiosk\":7,\"records\":[]}",
	    ("{\"format\":\"wufei-batch-1\",\"kiosk\":7,\"records\":[{\"kind\":1,\"seq\":0,"
	     "\"data\":\"AA==\",\"hash\":\"00\"}]}"), /* one string over two lines */
	    "[1,2]",
	    "",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(fx_post_batch(f, f->sk, 7, bad[i], &a), 0);
		assert_int_equal(a.status, 400);
		harness_answer_free(&a);
	}
	assert_int_equal(fx_records(f), 2);
	free(plain);
	free(pretty);
}

/* Central reads the canonical bytes: points recomputed, identity cross-checked. */
static void test_record_checks(void **state)
{
	struct fx *f = *state;
	uint8_t prev[WF_HASH_BYTES] = {0};
	struct http_answer a;
	assert_int_equal(
	    fx_cli(
	        f, NULL, 0,
	        (const char *[]){"resident", "add", "--id", "1001", "--card-hash",
	                         "abababababababababababababababababababababababababababababababab",
	                         "--name", "王*", NULL}),
	    0);
	char *b = harness_batch_json(7, 1, 2, prev, 2);
	assert_int_equal(fx_post_batch(f, f->sk, 7, b, &a), 0);
	assert_int_equal(a.status, 200);
	json_t *j = fx_answer_json(&a);
	json_t *r0 = json_array_get(json_object_get(j, "results"), 0);
	assert_string_equal(json_string_value(json_object_get(r0, "status")), "stored");
	assert_string_equal(json_string_value(json_array_get(json_object_get(r0, "flags"), 0)),
	                    "points_mismatch");
	json_decref(j);
	harness_answer_free(&a);
	free(b);
	assert_int_equal(harness_count(f->db_url, "SELECT COUNT(*) FROM tamper_alerts WHERE "
	                                          "reason = 'points_mismatch'"),
	                 2);
	b = harness_batch_json(7, 3, 1, prev, 3);
	assert_int_equal(fx_post_batch(f, f->sk, 7, b, &a), 0);
	j = fx_answer_json(&a);
	r0 = json_array_get(json_object_get(j, "results"), 0);
	assert_string_equal(json_string_value(json_array_get(json_object_get(r0, "flags"), 0)),
	                    "unknown_rate");
	json_decref(j);
	harness_answer_free(&a);
	free(b);
	/* a well-formed drop: no flag */
	b = harness_batch_json(7, 4, 1, prev, 0);
	assert_int_equal(fx_post_batch(f, f->sk, 7, b, &a), 0);
	j = fx_answer_json(&a);
	assert_null(json_object_get(json_array_get(json_object_get(j, "results"), 0), "flags"));
	json_decref(j);
	harness_answer_free(&a);
	free(b);
	assert_int_equal(fx_records(f), 4);

	/* JSON seq disagreeing with the bytes: 400 bad_record, nothing stored */
	uint8_t p2[WF_HASH_BYTES] = {0};
	b = harness_batch_json(7, 5, 1, p2, 0);
	char *seq = strstr(b, "\"seq\":5,");
	assert_non_null(seq);
	seq[6] = '6';
	assert_int_equal(fx_post_batch(f, f->sk, 7, b, &a), 0);
	assert_int_equal(a.status, 400);
	j = fx_answer_json(&a);
	assert_string_equal(json_string_value(json_object_get(j, "error")), "bad_record");
	json_decref(j);
	harness_answer_free(&a);
	free(b);
	/* bytes that are no record at all */
	const char *junk = "{\"format\":\"wufei-batch-1\",\"kiosk\":7,\"records\":[{\"kind\":1,"
	                   "\"seq\":5,\"data\":\"AAAA\",\"hash\":\"000000000000000000000000000000"
	                   "0000000000000000000000000000000000\"}]}";
	assert_int_equal(fx_post_batch(f, f->sk, 7, junk, &a), 0);
	assert_int_equal(a.status, 400);
	harness_answer_free(&a);
	assert_int_equal(fx_records(f), 4);

	/* the resident's balance is the sum of the points central holds */
	assert_int_equal(harness_request(f->c.port, "GET", "/api/v1/sync/down", NULL, 0, f->sk, 7,
	                                 1, fx_now_s(), &a),
	                 0);
	j = fx_answer_json(&a);
	json_t *res = json_array_get(json_object_get(j, "residents"), 0);
	assert_int_equal(json_integer_value(json_object_get(res, "points_balance")), 3 + 3 + 2 + 2);
	json_decref(j);
	harness_answer_free(&a);
}

static void test_bad_inputs(void **state)
{
	struct fx *f = *state;
	struct http_answer a;
	uint8_t prev[WF_HASH_BYTES] = {0};
	char *good = harness_batch_json(7, 1, 2, prev, 0);
	int port = f->c.port;

	/* 413: over the cap */
	size_t big = 600 * 1024;
	char *huge = malloc(big);
	memset(huge, ' ', big);
	assert_int_equal(harness_request(port, "POST", "/api/v1/sync/batch", huge, big, f->sk, 7, 1,
	                                 fx_now_s(), &a),
	                 0);
	fx_expect_refusal(f, &a, 413, "body_too_large");
	free(huge);
	/* 413: more than 500 records */
	uint8_t p2[WF_HASH_BYTES] = {0};
	char *many = harness_batch_json(7, 1, 501, p2, 0);
	assert_int_equal(fx_post_batch(f, f->sk, 7, many, &a), 0);
	fx_expect_refusal(f, &a, 413, "too_many_records");
	free(many);
	/* 400: malformed JSON, with a message */
	const char *bad = "{\"format\":\"wufei-batch-1\",\"kiosk\":7,\"records\":[";
	assert_int_equal(fx_post_batch(f, f->sk, 7, bad, &a), 0);
	fx_expect_refusal(f, &a, 400, "malformed_json");
	const char *wrongtype = "{\"format\":\"wufei-batch-1\",\"kiosk\":7,\"records\":[{\"seq\":"
	                        "\"one\"}]}";
	assert_int_equal(fx_post_batch(f, f->sk, 7, wrongtype, &a), 0);
	fx_expect_refusal(f, &a, 400, "malformed_json");
	/* 401: missing signature */
	assert_int_equal(harness_request(port, "POST", "/api/v1/sync/batch", good, strlen(good),
	                                 NULL, 0, 0, 0, &a),
	                 0);
	fx_expect_refusal(f, &a, 401, "missing_signature");
	/* 401: wrong signature (kiosk 8's key claiming kiosk 7) */
	assert_int_equal(fx_post_batch(f, f->sk2, 7, good, &a), 0);
	fx_expect_refusal(f, &a, 401, "bad_signature");
	/* 401: outside the window, with central's time to correct from */
	assert_int_equal(harness_request(port, "POST", "/api/v1/sync/batch", good, strlen(good),
	                                 f->sk, 7, 1, fx_now_s() - 3600, &a),
	                 0);
	assert_int_equal(a.status, 401);
	json_t *j = fx_answer_json(&a);
	int64_t ct = json_integer_value(json_object_get(j, "central_time"));
	assert_true(ct >= fx_now_s() - 5 && ct <= fx_now_s() + 5);
	json_decref(j);
	fx_expect_refusal(f, &a, 401, "clock_skew");
	harness_request(port, "POST", "/api/v1/sync/batch", good, strlen(good), f->sk, 7, 1,
	                fx_now_s() + 3600, &a);
	fx_expect_refusal(f, &a, 401, "clock_skew");
	/* 403: unknown kiosk */
	assert_int_equal(fx_post_batch(f, f->sk, 99, good, &a), 0);
	fx_expect_refusal(f, &a, 403, "unknown_kiosk");
	/* 403: body names another kiosk than the signer */
	uint8_t p3[WF_HASH_BYTES] = {0};
	char *other = harness_batch_json(8, 1, 1, p3, 0);
	assert_int_equal(fx_post_batch(f, f->sk, 7, other, &a), 0);
	fx_expect_refusal(f, &a, 403, "unknown_kiosk");
	free(other);
	/* 401: unknown key id */
	harness_request(port, "POST", "/api/v1/sync/batch", good, strlen(good), f->sk, 7, 9,
	                fx_now_s(), &a);
	fx_expect_refusal(f, &a, 401, "unknown_key");

	/* And the server still serves. */
	assert_int_equal(fx_post_batch(f, f->sk, 7, good, &a), 0);
	assert_int_equal(a.status, 200);
	harness_answer_free(&a);
	assert_int_equal(fx_records(f), 2);
	free(good);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_worked_example_over_http, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_kiosk_list_escapes, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_duplicate_and_conflict, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_bad_inputs, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_batch_layouts, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_record_checks, fx_setup, fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
