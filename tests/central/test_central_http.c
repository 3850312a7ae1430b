/*
 * test_central_http.c — wufei-central over real HTTP on loopback with real
 * SQLite files: the SYNC-API worked example, exactly-once ingest, duplicate
 * and conflict, every bad input refused with nothing stored, SIGKILL and
 * restart, receipts (CLI, page, claim), down-sync with deletions, epochs.
 */
#define _XOPEN_SOURCE 700
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <ftw.h>
#include <pthread.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <curl/curl.h>
#include <jansson.h>
#include <sodium.h>
#include <sqlite3.h>

#include "harness.h"
#include "hex.h"
#include "ingest.h"
#include "receipt.h"
#include "signing.h"
#include "wf_test.h"

struct fx {
	char dir[256];
	char db_path[512];
	char db_url[600];
	uint8_t pk[32], sk[64];   /* kiosk 7, key 1 */
	uint8_t pk2[32], sk2[64]; /* kiosk 8, key 1 */
	struct central_proc c;
};

static void keys_from(uint8_t first, uint8_t pk[32], uint8_t sk[64])
{
	uint8_t seed[32];
	for (int i = 0; i < 32; i++)
		seed[i] = (uint8_t)(first + i);
	signing_keypair_from_seed(seed, pk, sk);
}

static int cli(struct fx *f, char *out, size_t cap, const char *const *args)
{
	return harness_cli(f->db_url, out, cap, args);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	char pub[600];
	snprintf(f->dir, sizeof f->dir, "/tmp/wufei-central-test-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->db_path, sizeof f->db_path, "%s/central.db", f->dir);
	snprintf(f->db_url, sizeof f->db_url, "sqlite:%s", f->db_path);
	keys_from(1, f->pk, f->sk);
	keys_from(100, f->pk2, f->sk2);
	harness_write_pub(f->dir, "k7.pub", f->pk, pub, sizeof pub);
	assert_int_equal(
	    cli(f, NULL, 0, (const char *[]){"kiosk", "add", "7", "--pubkey", pub, NULL}), 0);
	harness_write_pub(f->dir, "k8.pub", f->pk2, pub, sizeof pub);
	assert_int_equal(
	    cli(f, NULL, 0, (const char *[]){"kiosk", "add", "8", "--pubkey", pub, NULL}), 0);
	assert_int_equal(
	    cli(f, NULL, 0,
	        (const char *[]){"rates", "set", "--id", "1", "--code", "paper", "--name",
	                         "纸类 Paper", "--unit", "g", "--rate", "2000", "--min", "50",
	                         "--max", "50000", "--daily-limit", "20000", NULL}),
	    0);
	assert_int_equal(harness_start(&f->c, f->db_url, 0), 0);
	*state = f;
	return 0;
}

static int rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static int teardown(void **state)
{
	struct fx *f = *state;
	/* A clean stop exits 0 (under ASan, LeakSanitizer would make it non-zero). */
	int rc = harness_stop(&f->c, SIGTERM);
	nftw(f->dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
	free(f);
	assert_int_equal(rc, 0);
	return 0;
}

static int64_t now_s(void)
{
	return (int64_t)time(NULL);
}

static json_t *answer_json(const struct http_answer *a)
{
	json_t *j = json_loads(a->body, 0, NULL);
	assert_non_null(j);
	/* Every JSON answer carries central's time, in the header too. */
	assert_true(json_is_integer(json_object_get(j, "central_time")));
	assert_true(a->central_time[0] != '\0');
	return j;
}

static long records(struct fx *f)
{
	return harness_count(f->db_path, "SELECT COUNT(*) FROM records");
}

static int post_batch(struct fx *f, const uint8_t *sk, uint32_t kiosk, const char *body,
                      struct http_answer *a)
{
	return harness_request(f->c.port, "POST", "/api/v1/sync/batch", body, strlen(body), sk,
	                       kiosk, 1, now_s(), a);
}

static const char *status_of(json_t *j, size_t i)
{
	return json_string_value(
	    json_object_get(json_array_get(json_object_get(j, "results"), i), "status"));
}

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
	keys_from(0, pk, sk);
	harness_write_pub(f->dir, "k12.pub", pk, pub, sizeof pub);
	assert_int_equal(
	    cli(f, NULL, 0, (const char *[]){"kiosk", "add", "12", "--pubkey", pub, NULL}), 0);
	harness_stop(&f->c, SIGTERM);
	assert_int_equal(harness_start(&f->c, f->db_url, 1795867200 - now_s()), 0);
	struct http_answer a;
	assert_int_equal(harness_request(f->c.port, "POST", "/api/v1/kiosk/heartbeat", body,
	                                 strlen(body), sk, 12, 1, 1795867200, &a),
	                 0);
	assert_int_equal(a.status, 200);
	json_t *j = answer_json(&a);
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
	j = answer_json(&a);
	assert_string_equal(json_string_value(json_object_get(j, "body_hash")),
	                    "ce3f25511c79f4439e67cea1336747fbeb20b235419e9b30e48a7da4abf3abf9");
	json_t *r0 = json_array_get(json_object_get(j, "results"), 0);
	assert_string_equal(json_string_value(json_object_get(r0, "status")), "stored");
	assert_string_equal(json_string_value(json_array_get(json_object_get(r0, "flags"), 0)),
	                    "unknown_rate");
	json_decref(j);
	harness_answer_free(&a);
	char out[4096];
	assert_int_equal(cli(f, out, sizeof out, (const char *[]){"kiosk", "list", NULL}), 0);
	assert_non_null(strstr(out, "kiosk 12"));
	assert_non_null(strstr(out, "last_seq 1234 outbox 3 version 0.1.0"));
	assert_non_null(strstr(out, "paper out"));
	assert_int_equal(harness_count(f->db_path, "SELECT outbox_depth FROM heartbeats WHERE "
	                                           "kiosk = 12"),
	                 3);
}

static void test_duplicate_and_conflict(void **state)
{
	struct fx *f = *state;
	uint8_t prev[32] = {0}, prev2[32] = {0};
	struct http_answer a;
	char *b1 = harness_batch_json(7, 1, 3, prev, 0);
	assert_int_equal(post_batch(f, f->sk, 7, b1, &a), 0);
	assert_int_equal(a.status, 200);
	json_t *j = answer_json(&a);
	for (size_t i = 0; i < 3; i++)
		assert_string_equal(status_of(j, i), "stored");
	assert_int_equal(json_integer_value(json_object_get(j, "highest_seq")), 3);
	char hash[65];
	signing_hash_body(b1, strlen(b1), hash);
	assert_string_equal(json_string_value(json_object_get(j, "body_hash")), hash);
	json_decref(j);
	harness_answer_free(&a);
	assert_int_equal(records(f), 3);

	/* The same batch again: duplicates, nothing new. */
	assert_int_equal(post_batch(f, f->sk, 7, b1, &a), 0);
	assert_int_equal(a.status, 200);
	j = answer_json(&a);
	for (size_t i = 0; i < 3; i++)
		assert_string_equal(status_of(j, i), "duplicate");
	json_decref(j);
	harness_answer_free(&a);
	assert_int_equal(records(f), 3);

	/* Same identities, other bytes: conflicts; originals byte-identical. */
	uint8_t orig[INGEST_MAX_RECORD_BYTES];
	size_t olen = harness_record_bytes(7, 2, 0, orig, sizeof orig);
	char *b2 = harness_batch_json(7, 1, 4, prev2, 1);
	assert_int_equal(post_batch(f, f->sk, 7, b2, &a), 0);
	assert_int_equal(a.status, 200);
	j = answer_json(&a);
	for (size_t i = 0; i < 3; i++)
		assert_string_equal(status_of(j, i), "conflict");
	assert_string_equal(status_of(j, 3), "stored"); /* seq 4 is new */
	json_decref(j);
	harness_answer_free(&a);

	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	assert_int_equal(sqlite3_open(f->db_path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db,
	                                    "SELECT bytes FROM records WHERE kiosk = 7 AND seq = 2",
	                                    -1, &st, NULL),
	                 SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_bytes(st, 0), (int)olen);
	assert_memory_equal(sqlite3_column_blob(st, 0), orig, olen);
	sqlite3_finalize(st);
	uint8_t newer[INGEST_MAX_RECORD_BYTES];
	size_t nlen = harness_record_bytes(7, 2, 1, newer, sizeof newer);
	assert_int_equal(sqlite3_prepare_v2(db,
	                                    "SELECT bytes FROM tamper_alerts WHERE kiosk = 7 AND "
	                                    "seq = 2 AND reason = 'conflict'",
	                                    -1, &st, NULL),
	                 SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_bytes(st, 0), (int)nlen);
	assert_memory_equal(sqlite3_column_blob(st, 0), newer, nlen);
	sqlite3_finalize(st);
	sqlite3_close(db);
	/* the office sees it */
	char out[4096];
	assert_int_equal(cli(f, out, sizeof out, (const char *[]){"alerts", "list", NULL}), 0);
	assert_non_null(strstr(out, "kiosk 7\tseq 2\tconflict"));
	assert_non_null(strstr(out, "newcomer bytes kept"));
	/* seq 4 continues the tampered chain, not central's: flagged. */
	assert_int_equal(harness_count(f->db_path, "SELECT COUNT(*) FROM tamper_alerts WHERE seq = "
	                                           "4 AND reason = 'chain_break'"),
	                 1);
	free(b1);
	free(b2);
}

/* Any valid JSON layout is accepted (the fast scanner declines, jansson decides). */
static void test_batch_layouts(void **state)
{
	struct fx *f = *state;
	uint8_t prev[32] = {0};
	struct http_answer a;
	char *plain = harness_batch_json(7, 1, 2, prev, 0);
	json_t *j = json_loads(plain, 0, NULL);
	assert_non_null(j);
	json_object_set_new(j, "note", json_string("extra field"));
	json_object_set_new(json_array_get(json_object_get(j, "records"), 0), "x", json_true());
	char *pretty = json_dumps(j, JSON_INDENT(3) | JSON_ESCAPE_SLASH);
	json_decref(j);
	assert_int_equal(post_batch(f, f->sk, 7, pretty, &a), 0);
	assert_int_equal(a.status, 200);
	j = answer_json(&a);
	assert_string_equal(status_of(j, 0), "stored");
	assert_string_equal(status_of(j, 1), "stored");
	json_decref(j);
	harness_answer_free(&a);
	/* the plain form of the same records: duplicates */
	assert_int_equal(post_batch(f, f->sk, 7, plain, &a), 0);
	j = answer_json(&a);
	assert_string_equal(status_of(j, 0), "duplicate");
	json_decref(j);
	harness_answer_free(&a);
	/* not JSON in ways a lenient scanner might miss */
	static const char *const bad[] = {
	    "{\"format\":\"wufei-batch-1\",\"kiosk\":7,\"records\":[]}x",
	    "{\"format\":\"wufei-batch-1\",\"kiosk\":07,\"records\":[]}",
	    "{\"format\":\"wufei-batch-1\",\"kiosk\":7,\"kiosk\":7,\"records\":[]}",
	    "{\"format\":\"wufei-batch-1\",\"kiosk\":7,\"records\":[{\"kind\":1,\"seq\":0,"
	    "\"data\":\"AA==\",\"hash\":\"00\"}]}",
	    "[1,2]",
	    "",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(post_batch(f, f->sk, 7, bad[i], &a), 0);
		assert_int_equal(a.status, 400);
		harness_answer_free(&a);
	}
	assert_int_equal(records(f), 2);
	free(plain);
	free(pretty);
}

/* Central reads the canonical bytes: points recomputed, identity cross-checked. */
static void test_record_checks(void **state)
{
	struct fx *f = *state;
	uint8_t prev[32] = {0};
	struct http_answer a;
	assert_int_equal(
	    cli(f, NULL, 0,
	        (const char *[]){"resident", "add", "--id", "1001", "--card-hash",
	                         "abababababababababababababababababababababababababababababababab",
	                         "--name", "王*", NULL}),
	    0);
	char *b = harness_batch_json(7, 1, 2, prev, 2);
	assert_int_equal(post_batch(f, f->sk, 7, b, &a), 0);
	assert_int_equal(a.status, 200);
	json_t *j = answer_json(&a);
	json_t *r0 = json_array_get(json_object_get(j, "results"), 0);
	assert_string_equal(json_string_value(json_object_get(r0, "status")), "stored");
	assert_string_equal(json_string_value(json_array_get(json_object_get(r0, "flags"), 0)),
	                    "points_mismatch");
	json_decref(j);
	harness_answer_free(&a);
	free(b);
	assert_int_equal(harness_count(f->db_path, "SELECT COUNT(*) FROM tamper_alerts WHERE "
	                                           "reason = 'points_mismatch'"),
	                 2);
	b = harness_batch_json(7, 3, 1, prev, 3);
	assert_int_equal(post_batch(f, f->sk, 7, b, &a), 0);
	j = answer_json(&a);
	r0 = json_array_get(json_object_get(j, "results"), 0);
	assert_string_equal(json_string_value(json_array_get(json_object_get(r0, "flags"), 0)),
	                    "unknown_rate");
	json_decref(j);
	harness_answer_free(&a);
	free(b);
	/* a well-formed drop: no flag */
	b = harness_batch_json(7, 4, 1, prev, 0);
	assert_int_equal(post_batch(f, f->sk, 7, b, &a), 0);
	j = answer_json(&a);
	assert_null(json_object_get(json_array_get(json_object_get(j, "results"), 0), "flags"));
	json_decref(j);
	harness_answer_free(&a);
	free(b);
	assert_int_equal(records(f), 4);

	/* JSON seq disagreeing with the bytes: 400 bad_record, nothing stored */
	uint8_t p2[32] = {0};
	b = harness_batch_json(7, 5, 1, p2, 0);
	char *seq = strstr(b, "\"seq\":5,");
	assert_non_null(seq);
	seq[6] = '6';
	assert_int_equal(post_batch(f, f->sk, 7, b, &a), 0);
	assert_int_equal(a.status, 400);
	j = answer_json(&a);
	assert_string_equal(json_string_value(json_object_get(j, "error")), "bad_record");
	json_decref(j);
	harness_answer_free(&a);
	free(b);
	/* bytes that are no record at all */
	const char *junk = "{\"format\":\"wufei-batch-1\",\"kiosk\":7,\"records\":[{\"kind\":1,"
	                   "\"seq\":5,\"data\":\"AAAA\",\"hash\":\"000000000000000000000000000000"
	                   "0000000000000000000000000000000000\"}]}";
	assert_int_equal(post_batch(f, f->sk, 7, junk, &a), 0);
	assert_int_equal(a.status, 400);
	harness_answer_free(&a);
	assert_int_equal(records(f), 4);

	/* the resident's balance is the sum of the points central holds */
	assert_int_equal(harness_request(f->c.port, "GET", "/api/v1/sync/down", NULL, 0, f->sk, 7,
	                                 1, now_s(), &a),
	                 0);
	j = answer_json(&a);
	json_t *res = json_array_get(json_object_get(j, "residents"), 0);
	assert_int_equal(json_integer_value(json_object_get(res, "points_balance")), 3 + 3 + 2 + 2);
	json_decref(j);
	harness_answer_free(&a);
}

static void expect_refusal(struct fx *f, struct http_answer *a, long status, const char *error)
{
	assert_int_equal(a->status, status);
	json_t *j = answer_json(a);
	assert_string_equal(json_string_value(json_object_get(j, "error")), error);
	assert_true(json_is_string(json_object_get(j, "message")));
	json_decref(j);
	harness_answer_free(a);
	assert_int_equal(records(f), 0);
	assert_int_equal(harness_count(f->db_path, "SELECT COUNT(*) FROM tamper_alerts"), 0);
}

static void test_bad_inputs(void **state)
{
	struct fx *f = *state;
	struct http_answer a;
	uint8_t prev[32] = {0};
	char *good = harness_batch_json(7, 1, 2, prev, 0);
	int port = f->c.port;

	/* 413: over the cap */
	size_t big = 600 * 1024;
	char *huge = malloc(big);
	memset(huge, ' ', big);
	assert_int_equal(harness_request(port, "POST", "/api/v1/sync/batch", huge, big, f->sk, 7, 1,
	                                 now_s(), &a),
	                 0);
	expect_refusal(f, &a, 413, "body_too_large");
	free(huge);
	/* 413: more than 500 records */
	uint8_t p2[32] = {0};
	char *many = harness_batch_json(7, 1, 501, p2, 0);
	assert_int_equal(post_batch(f, f->sk, 7, many, &a), 0);
	expect_refusal(f, &a, 413, "too_many_records");
	free(many);
	/* 400: malformed JSON, with a message */
	const char *bad = "{\"format\":\"wufei-batch-1\",\"kiosk\":7,\"records\":[";
	assert_int_equal(post_batch(f, f->sk, 7, bad, &a), 0);
	expect_refusal(f, &a, 400, "malformed_json");
	const char *wrongtype = "{\"format\":\"wufei-batch-1\",\"kiosk\":7,\"records\":[{\"seq\":"
	                        "\"one\"}]}";
	assert_int_equal(post_batch(f, f->sk, 7, wrongtype, &a), 0);
	expect_refusal(f, &a, 400, "malformed_json");
	/* 401: missing signature */
	assert_int_equal(harness_request(port, "POST", "/api/v1/sync/batch", good, strlen(good),
	                                 NULL, 0, 0, 0, &a),
	                 0);
	expect_refusal(f, &a, 401, "missing_signature");
	/* 401: wrong signature (kiosk 8's key claiming kiosk 7) */
	assert_int_equal(post_batch(f, f->sk2, 7, good, &a), 0);
	expect_refusal(f, &a, 401, "bad_signature");
	/* 401: outside the window, with central's time to correct from */
	assert_int_equal(harness_request(port, "POST", "/api/v1/sync/batch", good, strlen(good),
	                                 f->sk, 7, 1, now_s() - 3600, &a),
	                 0);
	assert_int_equal(a.status, 401);
	json_t *j = answer_json(&a);
	int64_t ct = json_integer_value(json_object_get(j, "central_time"));
	assert_true(ct >= now_s() - 5 && ct <= now_s() + 5);
	json_decref(j);
	expect_refusal(f, &a, 401, "clock_skew");
	harness_request(port, "POST", "/api/v1/sync/batch", good, strlen(good), f->sk, 7, 1,
	                now_s() + 3600, &a);
	expect_refusal(f, &a, 401, "clock_skew");
	/* 403: unknown kiosk */
	assert_int_equal(post_batch(f, f->sk, 99, good, &a), 0);
	expect_refusal(f, &a, 403, "unknown_kiosk");
	/* 403: body names another kiosk than the signer */
	uint8_t p3[32] = {0};
	char *other = harness_batch_json(8, 1, 1, p3, 0);
	assert_int_equal(post_batch(f, f->sk, 7, other, &a), 0);
	expect_refusal(f, &a, 403, "unknown_kiosk");
	free(other);
	/* 401: unknown key id */
	harness_request(port, "POST", "/api/v1/sync/batch", good, strlen(good), f->sk, 7, 9,
	                now_s(), &a);
	expect_refusal(f, &a, 401, "unknown_key");

	/* And the server still serves. */
	assert_int_equal(post_batch(f, f->sk, 7, good, &a), 0);
	assert_int_equal(a.status, 200);
	harness_answer_free(&a);
	assert_int_equal(records(f), 2);
	free(good);
}

static void test_sigkill_keeps_committed(void **state)
{
	struct fx *f = *state;
	uint8_t prev[32] = {0};
	struct http_answer a;
	char *b[3];
	for (int i = 0; i < 3; i++) {
		b[i] = harness_batch_json(7, (uint32_t)(1 + 100 * i), 100, prev, 0);
		assert_int_equal(post_batch(f, f->sk, 7, b[i], &a), 0);
		assert_int_equal(a.status, 200);
		harness_answer_free(&a);
	}
	harness_stop(&f->c, SIGKILL);
	assert_int_equal(records(f), 300);
	assert_int_equal(harness_start(&f->c, f->db_url, 0), 0);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(post_batch(f, f->sk, 7, b[i], &a), 0);
		assert_int_equal(a.status, 200);
		json_t *j = answer_json(&a);
		for (size_t k = 0; k < 100; k++)
			assert_string_equal(status_of(j, k), "duplicate");
		json_decref(j);
		harness_answer_free(&a);
		free(b[i]);
	}
	assert_int_equal(records(f), 300);
	assert_int_equal(harness_count(f->db_path, "SELECT COUNT(*) FROM tamper_alerts"), 0);
}

struct sender {
	struct fx *f;
	int port;
	uint32_t next_seq; /* first seq of the next batch */
	uint8_t prev[32];
	long acked; /* batches answered 200 */
	volatile int stop;
};

static void *send_loop(void *arg)
{
	struct sender *sd = arg;
	while (!sd->stop) {
		uint8_t prev[32];
		memcpy(prev, sd->prev, 32);
		char *b = harness_batch_json(7, sd->next_seq, 50, prev, 0);
		struct http_answer a;
		int rc = harness_request(sd->port, "POST", "/api/v1/sync/batch", b, strlen(b),
		                         sd->f->sk, 7, 1, now_s(), &a);
		free(b);
		if (rc != 0 || a.status != 200) {
			harness_answer_free(&a);
			break; /* central is gone */
		}
		harness_answer_free(&a);
		memcpy(sd->prev, prev, 32);
		sd->next_seq += 50;
		sd->acked++;
	}
	return NULL;
}

/* SIGKILL at random moments under load: whole batches or nothing, never a lost ack. */
static void test_sigkill_under_load(void **state)
{
	struct fx *f = *state;
	unsigned seed = (unsigned)time(NULL);
	const char *env = getenv("WUFEI_TEST_SEED");
	if (env && *env)
		seed = (unsigned)strtoul(env, NULL, 10);
	printf("test_sigkill_under_load: seed %u (WUFEI_TEST_SEED)\n", seed);
	srand(seed);
	struct sender sd = {.f = f, .next_seq = 1};
	long rounds = wf_test_loops(5);
	for (long r = 0; r < rounds; r++) {
		pthread_t t;
		sd.port = f->c.port;
		sd.stop = 0;
		assert_int_equal(pthread_create(&t, NULL, send_loop, &sd), 0);
		usleep((useconds_t)(20000 + rand() % 200000));
		harness_stop(&f->c, SIGKILL);
		sd.stop = 1;
		pthread_join(t, NULL);
		long held = records(f);
		/* Every acknowledged record is there; at most the one unanswered batch more. */
		assert_true(held == sd.acked * 50 || held == (sd.acked + 1) * 50);
		assert_int_equal(harness_start(&f->c, f->db_url, 0), 0);
		if (held == (sd.acked + 1) * 50) {
			/* the kiosk re-sends the unanswered batch: all duplicates */
			uint8_t prev[32];
			memcpy(prev, sd.prev, 32);
			char *b = harness_batch_json(7, sd.next_seq, 50, prev, 0);
			struct http_answer a;
			assert_int_equal(post_batch(f, f->sk, 7, b, &a), 0);
			json_t *j = answer_json(&a);
			for (size_t k = 0; k < 50; k++)
				assert_string_equal(status_of(j, k), "duplicate");
			json_decref(j);
			harness_answer_free(&a);
			free(b);
			memcpy(sd.prev, prev, 32);
			sd.next_seq += 50;
			sd.acked++;
		}
	}
	printf("test_sigkill_under_load: %ld rounds, %ld batches acknowledged\n", rounds, sd.acked);
	assert_true(sd.acked > 0);
	assert_int_equal(records(f), sd.acked * 50);
	assert_int_equal(harness_count(f->db_path, "SELECT COUNT(*) FROM tamper_alerts"), 0);
}

/* The fixed crash points: just before COMMIT, and after COMMIT before the answer. */
static void test_crash_points(void **state)
{
	struct fx *f = *state;
	uint8_t prev[32] = {0};
	struct http_answer a;
	char *b = harness_batch_json(7, 1, 20, prev, 0);
	static const char *const modes[] = {"before-commit", "after-commit"};
	for (int m = 0; m < 2; m++) {
		harness_stop(&f->c, SIGTERM);
		assert_int_equal(harness_start_args(&f->c, f->db_url, 0,
		                                    (const char *[]){"--crash-at", modes[m], NULL}),
		                 0);
		harness_request(f->c.port, "POST", "/api/v1/sync/batch", b, strlen(b), f->sk, 7, 1,
		                now_s(), &a);
		assert_int_equal(a.status, 0); /* no answer at all */
		harness_answer_free(&a);
		assert_int_equal(harness_stop(&f->c, SIGTERM), 128 + SIGKILL);
		assert_int_equal(records(f), m == 0 ? 0 : 20);
		assert_int_equal(harness_start(&f->c, f->db_url, 0), 0);
	}
	/* the kiosk's re-send after the lost answer: all duplicates */
	assert_int_equal(post_batch(f, f->sk, 7, b, &a), 0);
	assert_int_equal(a.status, 200);
	json_t *j = answer_json(&a);
	for (size_t k = 0; k < 20; k++)
		assert_string_equal(status_of(j, k), "duplicate");
	json_decref(j);
	harness_answer_free(&a);
	free(b);
}

static void make_token(const uint8_t *sk, uint32_t kiosk, uint32_t seq, uint32_t time_min,
                       char *token)
{
	struct receipt r = {.version = 1,
	                    .key_id = 1,
	                    .kiosk = kiosk,
	                    .seq = seq,
	                    .time_min = time_min,
	                    .category = 1,
	                    .qty = 1250,
	                    .points = 2};
	assert_int_equal(receipt_make_token(&r, sk, token, RECEIPT_TOKEN_LEN + 1),
	                 RECEIPT_TOKEN_LEN);
}

static int verify(struct fx *f, const char *token, char *out, size_t cap)
{
	return cli(f, out, cap, (const char *[]){"verify-receipt", token, NULL});
}

static void test_receipts_cli(void **state)
{
	struct fx *f = *state;
	char token[RECEIPT_TOKEN_LEN + 1], url[RECEIPT_URL_MAX + 1], out[2048];
	/* the minute of the drop record harness_batch_json makes for seq 5 */
	uint32_t tmin = harness_record_time_min(5);
	make_token(f->sk, 7, 5, tmin, token);
	assert_int_equal(verify(f, token, out, sizeof out), 0);
	assert_non_null(strstr(out, "verdict: genuine"));
	assert_non_null(strstr(out, "seq 5"));
	assert_non_null(strstr(out, "quantity 1250 g"));
	receipt_format_url("HTTPS://R.WUFEI.CN", token, url, sizeof url);
	assert_int_equal(verify(f, url, out, sizeof out), 0);
	/* truncated */
	char t[RECEIPT_TOKEN_LEN + 1];
	memcpy(t, token, sizeof t);
	t[100] = '\0';
	assert_int_equal(verify(f, t, out, sizeof out), 1);
	/* bit-flipped (one character changed) */
	memcpy(t, token, sizeof t);
	t[20] = t[20] == 'A' ? 'B' : 'A';
	assert_int_not_equal(verify(f, t, out, sizeof out), 0);
	/* forged: signed by a key central does not know for kiosk 7 */
	uint8_t pk[32], sk[64];
	keys_from(200, pk, sk);
	make_token(sk, 7, 5, tmin, t);
	assert_int_equal(verify(f, t, out, sizeof out), 1);
	assert_non_null(strstr(out, "forged"));
	/* kiosk 8 claiming to be kiosk 7 */
	make_token(f->sk2, 7, 5, tmin, t);
	assert_int_equal(verify(f, t, out, sizeof out), 1);
	/* unknown kiosk */
	make_token(f->sk, 55, 5, tmin, t);
	assert_int_equal(verify(f, t, out, sizeof out), 3);

	/* revoked: before the revocation still genuine (marked), after it not */
	uint8_t prev[32] = {0};
	struct http_answer a;
	char *b = harness_batch_json(7, 1, 5, prev, 0);
	assert_int_equal(post_batch(f, f->sk, 7, b, &a), 0);
	assert_int_equal(a.status, 200);
	harness_answer_free(&a);
	assert_int_equal(verify(f, token, out, sizeof out), 0);
	assert_non_null(strstr(out, "record held by central"));
	/* the kiosk's key signed something other than what its journal says */
	struct receipt liar = {.version = 1,
	                       .key_id = 1,
	                       .kiosk = 7,
	                       .seq = 5,
	                       .time_min = tmin,
	                       .category = 1,
	                       .qty = 1250,
	                       .points = 99};
	assert_int_equal(receipt_make_token(&liar, f->sk, t, sizeof t), RECEIPT_TOKEN_LEN);
	assert_int_equal(verify(f, t, out, sizeof out), 5);
	assert_non_null(strstr(out, "journal record"));
	assert_int_equal(
	    cli(f, NULL, 0, (const char *[]){"kiosk", "revoke-key", "7", "--key-id", "1", NULL}),
	    0);
	assert_int_equal(verify(f, token, out, sizeof out), 0);
	assert_non_null(strstr(out, "revoked"));
	make_token(f->sk, 7, 6, (uint32_t)(now_s() / 60) + 1, t);
	assert_int_equal(verify(f, t, out, sizeof out), 4);
	/* and the revoked key signs no new requests */
	assert_int_equal(post_batch(f, f->sk, 7, b, &a), 0);
	assert_int_equal(a.status, 401);
	json_t *j = answer_json(&a);
	assert_string_equal(json_string_value(json_object_get(j, "error")), "key_revoked");
	json_decref(j);
	harness_answer_free(&a);
	/* a new key for the same kiosk works */
	char pub[600];
	keys_from(150, pk, sk);
	harness_write_pub(f->dir, "k7b.pub", pk, pub, sizeof pub);
	assert_int_equal(
	    cli(f, NULL, 0,
	        (const char *[]){"kiosk", "add-key", "7", "--pubkey", pub, "--key-id", "2", NULL}),
	    0);
	assert_int_equal(harness_request(f->c.port, "POST", "/api/v1/sync/batch", b, strlen(b), sk,
	                                 7, 2, now_s(), &a),
	                 0);
	assert_int_equal(a.status, 200);
	harness_answer_free(&a);
	free(b);
}

static void test_receipt_page_and_claim(void **state)
{
	struct fx *f = *state;
	char token[RECEIPT_TOKEN_LEN + 1], path[300], body[400];
	struct http_answer a;
	make_token(f->sk, 7, 9, (uint32_t)(now_s() / 60), token);
	snprintf(path, sizeof path, "/R/%s", token);
	assert_int_equal(harness_request(f->c.port, "GET", path, NULL, 0, NULL, 0, 0, 0, &a), 0);
	assert_int_equal(a.status, 200);
	assert_non_null(strstr(a.body, "Genuine receipt"));
	assert_non_null(strstr(a.body, "纸类 Paper"));
	assert_non_null(strstr(a.body, "not yet"));
	assert_non_null(strstr(a.body, "viewport"));
	assert_true(a.central_time[0] != '\0');
	harness_answer_free(&a);
	snprintf(body, sizeof body, "{\"token\":\"HTTPS://R.WUFEI.CN/R/%s\"}", token);
	assert_int_equal(harness_request(f->c.port, "POST", "/api/v1/receipts/claim", body,
	                                 strlen(body), NULL, 0, 0, 0, &a),
	                 0);
	assert_int_equal(a.status, 200);
	harness_answer_free(&a);
	assert_int_equal(harness_request(f->c.port, "POST", "/api/v1/receipts/claim", body,
	                                 strlen(body), NULL, 0, 0, 0, &a),
	                 0);
	assert_int_equal(a.status, 409);
	json_t *j = answer_json(&a);
	assert_string_equal(json_string_value(json_object_get(j, "status")), "already_claimed");
	json_decref(j);
	harness_answer_free(&a);
	assert_int_equal(harness_count(f->db_path, "SELECT COUNT(*) FROM claims"), 1);
	snprintf(path, sizeof path, "/r/%s", token);
	assert_int_equal(harness_request(f->c.port, "GET", path, NULL, 0, NULL, 0, 0, 0, &a), 0);
	assert_int_equal(a.status, 200);
	assert_non_null(strstr(a.body, "yes, "));
	harness_answer_free(&a);
	/* a tampered token: page says not valid, claim refused */
	token[30] = token[30] == 'Q' ? 'R' : 'Q';
	snprintf(path, sizeof path, "/r/%s", token);
	assert_int_equal(harness_request(f->c.port, "GET", path, NULL, 0, NULL, 0, 0, 0, &a), 0);
	assert_int_equal(a.status, 404);
	assert_non_null(strstr(a.body, "Not a valid receipt"));
	harness_answer_free(&a);
}

/* wufei-central with args, stdout and stderr into out; returns the exit status. */
static int cli_all(struct fx *f, char *out, size_t cap, const char *args)
{
	char bin[512], cmd[1600];
	harness_bin("wufei-central", bin, sizeof bin);
	snprintf(cmd, sizeof cmd, "'%s' %s --db '%s' 2>&1", bin, args, f->db_url);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	size_t n = fread(out, 1, cap - 1, p);
	out[n] = '\0';
	int st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* One card, one identity (issue 9): the card id is the number printed on an
 * EM4100 card; the reader's hex is refused with the id to use; a card
 * enrolled to one person is refused for anyone else. */
static void test_card_enrolment(void **state)
{
	struct fx *f = *state;
	char out[2048];
	assert_int_not_equal(
	    cli_all(f, out, sizeof out, "resident add --id 1001 --card em4100:0400E2E1F5 --name A"),
	    0);
	assert_non_null(strstr(out, "10-digit number printed on the card"));
	assert_non_null(strstr(out, "em4100:0400E2E1F5 is em4100:0014868981"));
	assert_int_not_equal(
	    cli_all(f, out, sizeof out, "resident add --id 1001 --card em4100:4294967296 --name A"),
	    0);
	assert_int_equal(
	    cli_all(f, out, sizeof out, "resident add --id 1001 --card em4100:0014868981 --name A"),
	    0);
	/* the same card (as a wedge reader or another RDM6300 version byte reads it
	 * too) for a second resident or a staff member: refused, naming the holder */
	assert_int_not_equal(
	    cli_all(f, out, sizeof out, "resident add --id 1002 --card em4100:0014868981 --name B"),
	    0);
	assert_non_null(strstr(out, "already enrolled to resident 1001"));
	assert_int_not_equal(
	    cli_all(f, out, sizeof out,
	            "staff add --id 7 --card em4100:0014868981 --name C --role staff "
	            "--pin 1234"),
	    0);
	assert_non_null(strstr(out, "already enrolled to resident 1001"));
	assert_int_equal(cli_all(f, out, sizeof out,
	                         "staff add --id 7 --card em4100:0014868982 --name C --role staff "
	                         "--pin 1234"),
	                 0);
	assert_int_not_equal(
	    cli_all(f, out, sizeof out, "resident add --id 1003 --card em4100:0014868982 --name D"),
	    0);
	assert_non_null(strstr(out, "already enrolled to staff member 7"));
	/* the holder itself may be written again with its own card */
	assert_int_equal(cli_all(f, out, sizeof out,
	                         "resident add --id 1001 --card em4100:0014868981 --name A2"),
	                 0);
	assert_int_equal(cli(f, out, sizeof out, (const char *[]){"resident", "list", NULL}), 0);
	assert_non_null(strstr(out, "A2"));
	assert_null(strstr(out, "\tB\t"));
	assert_null(strstr(out, "\tD\t"));
}

static void test_downsync_and_epoch(void **state)
{
	struct fx *f = *state;
	struct http_answer a;
	/* a card id a reader would never produce (lower case) would hash to a
	 * resident no card ever matches: refused */
	assert_int_not_equal(cli(f, NULL, 0,
	                         (const char *[]){"resident", "add", "--id", "1001", "--card",
	                                          "em4100:0400e2e1f5", "--name", "王*", NULL}),
	                     0);
	assert_int_equal(cli(f, NULL, 0,
	                     (const char *[]){"resident", "add", "--id", "1001", "--card",
	                                      "em4100:0014868981", "--name", "王*", NULL}),
	                 0);
	assert_int_equal(
	    cli(f, NULL, 0,
	        (const char *[]){"staff", "add", "--id", "7", "--card", "em4100:0014868982",
	                         "--name", "李*", "--role", "admin", "--pin", "2468", NULL}),
	    0);
	assert_int_equal(harness_request(f->c.port, "GET", "/api/v1/sync/down", NULL, 0, f->sk, 7,
	                                 1, now_s(), &a),
	                 0);
	assert_int_equal(a.status, 200);
	json_t *j = answer_json(&a);
	assert_string_equal(json_string_value(json_object_get(j, "format")), "wufei-downsync-1");
	assert_true(json_is_true(json_object_get(j, "full")));
	json_t *cats = json_object_get(j, "categories");
	assert_int_equal(json_array_size(cats), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(cats, 0), "rate")),
	                 2000);
	json_t *staff = json_array_get(json_object_get(j, "staff"), 0);
	const char *pin_hash = json_string_value(json_object_get(staff, "pin_hash"));
	assert_int_equal(crypto_pwhash_str_verify(pin_hash, "2468", 4), 0);
	/* card_hash = BLAKE2b(key = card key, canonical id) */
	const char *key_hex =
	    json_string_value(json_object_get(json_object_get(j, "card_key"), "key"));
	uint8_t key[32], h[32];
	char hex[65];
	assert_int_equal(hex_decode(key_hex, 64, key, 32), 0);
	crypto_generichash(h, 32, (const uint8_t *)"em4100:0014868981", 17, key, 32);
	hex_encode(h, 32, hex, sizeof hex);
	json_t *res = json_array_get(json_object_get(j, "residents"), 0);
	assert_string_equal(json_string_value(json_object_get(res, "card_hash")), hex);
	char path[200];
	snprintf(path, sizeof path, "/api/v1/sync/down?cursor=%s",
	         json_string_value(json_object_get(j, "cursor")));
	json_decref(j);
	harness_answer_free(&a);

	/* a change and a deletion, then the incremental answer */
	assert_int_equal(
	    cli(f, NULL, 0,
	        (const char *[]){"resident", "block", "1001", "--reason", "lost", NULL}),
	    0);
	assert_int_equal(cli(f, NULL, 0, (const char *[]){"staff", "remove", "7", NULL}), 0);
	assert_int_equal(harness_request(f->c.port, "GET", path, NULL, 0, f->sk, 7, 1, now_s(), &a),
	                 0);
	assert_int_equal(a.status, 200);
	j = answer_json(&a);
	assert_true(json_is_false(json_object_get(j, "full")));
	assert_int_equal(json_array_size(json_object_get(j, "categories")), 0);
	res = json_array_get(json_object_get(j, "residents"), 0);
	assert_string_equal(json_string_value(json_object_get(res, "status")), "blocked");
	json_t *del = json_object_get(json_object_get(j, "deleted"), "staff");
	assert_int_equal(json_array_size(del), 1);
	assert_int_equal(json_integer_value(json_array_get(del, 0)), 7);
	json_decref(j);
	harness_answer_free(&a);

	/* epoch: a restored kiosk learns where to continue */
	uint8_t prev[32] = {0};
	char *b = harness_batch_json(7, 1, 10, prev, 0);
	post_batch(f, f->sk, 7, b, &a);
	assert_int_equal(a.status, 200);
	harness_answer_free(&a);
	free(b);
	const char *eb = "{\"format\":\"wufei-epoch-1\",\"kiosk\":7,\"reason\":\"restored\","
	                 "\"local_last_seq\":4}";
	assert_int_equal(harness_request(f->c.port, "POST", "/api/v1/kiosk/epoch", eb, strlen(eb),
	                                 f->sk, 7, 1, now_s(), &a),
	                 0);
	assert_int_equal(a.status, 200);
	j = answer_json(&a);
	assert_int_equal(json_integer_value(json_object_get(j, "highest_seq")), 10);
	assert_int_equal(json_integer_value(json_object_get(j, "next_seq")), 11);
	assert_int_equal(json_integer_value(json_object_get(j, "epoch")), 1);
	hex_encode(prev, 32, hex, sizeof hex);
	assert_string_equal(json_string_value(json_object_get(j, "chain_hash")), hex);
	json_decref(j);
	harness_answer_free(&a);
	/* continuing from there stores with an intact chain */
	b = harness_batch_json(7, 11, 2, prev, 0);
	post_batch(f, f->sk, 7, b, &a);
	assert_int_equal(a.status, 200);
	j = answer_json(&a);
	assert_null(json_object_get(json_array_get(json_object_get(j, "results"), 0), "flags"));
	json_decref(j);
	harness_answer_free(&a);
	free(b);
	assert_int_equal(harness_count(f->db_path, "SELECT COUNT(*) FROM tamper_alerts"), 0);
}

int main(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_worked_example_over_http, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_duplicate_and_conflict, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bad_inputs, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_batch_layouts, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_record_checks, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sigkill_keeps_committed, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sigkill_under_load, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_crash_points, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_receipts_cli, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_receipt_page_and_claim, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_downsync_and_epoch, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_card_enrolment, setup, teardown),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	curl_global_cleanup();
	return rc;
}
