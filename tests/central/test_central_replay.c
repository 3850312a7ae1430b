/*
 * test_central_replay.c — a hostile client against a real wufei-central
 * over HTTP (issue 12, "Hardening"): a signed epoch or heartbeat replayed
 * byte for byte inside the time window gets the first answer again and
 * stores nothing; a record with seq 4294967295 makes the epoch call a
 * permanent 409 seq_exhausted (not a 500 a kiosk retries for ever).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fixture.h"
#include "signing.h"

#define RAW_MAX 8192

/* The exact bytes of a signed POST by kiosk 7 (key 1) at time t. */
static size_t signed_post(struct fx *f, const char *path, const char *body, int64_t t, char *out,
                          size_t cap)
{
	char sig[SIGNING_SIG_HEX_LEN + 1];
	assert_int_equal(
	    signing_sign_request(f->sk, "POST", path, t, body, strlen(body), 7, 1, sig), 0);
	int n = snprintf(out, cap,
	                 "POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
	                 "Content-Type: application/json\r\nContent-Length: %zu\r\n"
	                 "X-Wufei-Kiosk: 7\r\nX-Wufei-Key-Id: 1\r\nX-Wufei-Time: %lld\r\n"
	                 "X-Wufei-Signature: %s\r\n\r\n%s",
	                 path, strlen(body), (long long)t, sig, body);
	assert_true(n > 0 && (size_t)n < cap);
	return (size_t)n;
}

/* Sends req as it is on a new connection; the status, and the JSON body in *j. */
static int send_raw(struct fx *f, const char *req, size_t len, json_t **j)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)f->c.port)};
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
	assert_int_equal(write(fd, req, len), (ssize_t)len);
	static char got[RAW_MAX + 1];
	size_t n = 0;
	ssize_t r;
	while (n < RAW_MAX && (r = read(fd, got + n, RAW_MAX - n)) > 0)
		n += (size_t)r;
	close(fd);
	got[n] = '\0';
	assert_true(strncmp(got, "HTTP/1.1 ", 9) == 0);
	const char *body = strstr(got, "\r\n\r\n");
	assert_non_null(body);
	*j = json_loads(body + 4, 0, NULL);
	assert_non_null(*j);
	assert_true(json_is_integer(json_object_get(*j, "central_time")));
	return (int)strtol(got + 9, NULL, 10);
}

/* a and b are the same answer, central's time apart. */
static void assert_same_answer(json_t *a, json_t *b)
{
	json_object_del(a, "central_time");
	json_object_del(b, "central_time");
	assert_true(json_equal(a, b));
}

static long count(struct fx *f, const char *sql)
{
	return harness_count(f->db_url, sql);
}

/* One signed epoch request sent four times: one epoch, four equal answers. */
static void test_epoch_replay(void **state)
{
	struct fx *f = *state;
	uint8_t prev[WF_HASH_BYTES] = {0};
	char *b = harness_batch_json(7, 1, 3, prev, 0);
	struct http_answer ha;
	fx_post_batch(f, f->sk, 7, b, &ha);
	assert_int_equal(ha.status, 200);
	harness_answer_free(&ha);
	free(b);
	char req[RAW_MAX];
	const char *body = "{\"format\":\"wufei-epoch-1\",\"kiosk\":7,\"reason\":\"restored\","
	                   "\"local_last_seq\":0}";
	int64_t t = fx_now_s();
	size_t len = signed_post(f, "/api/v1/kiosk/epoch", body, t, req, sizeof req);
	json_t *first = NULL;
	assert_int_equal(send_raw(f, req, len, &first), 200);
	assert_int_equal(json_integer_value(json_object_get(first, "epoch")), 1);
	assert_int_equal(json_integer_value(json_object_get(first, "next_seq")), 4);
	for (int i = 0; i < 3; i++) {
		json_t *again = NULL;
		assert_int_equal(send_raw(f, req, len, &again), 200);
		json_t *copy = json_deep_copy(first);
		assert_same_answer(copy, again);
		json_decref(copy);
		json_decref(again);
	}
	json_decref(first);
	assert_int_equal(count(f, "SELECT COUNT(*) FROM epochs"), 1);
	/* a new request (another time, so other bytes) opens the next epoch */
	len = signed_post(f, "/api/v1/kiosk/epoch", body, t - 1, req, sizeof req);
	json_t *next = NULL;
	assert_int_equal(send_raw(f, req, len, &next), 200);
	assert_int_equal(json_integer_value(json_object_get(next, "epoch")), 2);
	json_decref(next);
	assert_int_equal(count(f, "SELECT COUNT(*) FROM epochs"), 2);
}

static const char *heartbeat_body(unsigned last_seq, char *out, size_t cap)
{
	snprintf(out, cap,
	         "{\"format\":\"wufei-heartbeat-1\",\"kiosk\":7,\"last_seq\":%u,\"outbox_depth\":0,"
	         "\"software_version\":\"0.1.0\",\"devices\":[]}",
	         last_seq);
	return out;
}

/* An old heartbeat replayed after a newer one does not overwrite it. */
static void test_heartbeat_replay(void **state)
{
	struct fx *f = *state;
	char old_req[RAW_MAX], new_req[RAW_MAX], body[256];
	int64_t t = fx_now_s();
	size_t old_len = signed_post(f, "/api/v1/kiosk/heartbeat", heartbeat_body(5, body, 256),
	                             t - 2, old_req, sizeof old_req);
	size_t new_len = signed_post(f, "/api/v1/kiosk/heartbeat", heartbeat_body(9, body, 256),
	                             t - 1, new_req, sizeof new_req);
	json_t *first = NULL, *second = NULL, *replayed = NULL;
	assert_int_equal(send_raw(f, old_req, old_len, &first), 200);
	assert_int_equal(send_raw(f, new_req, new_len, &second), 200);
	assert_int_equal(count(f, "SELECT last_seq FROM heartbeats WHERE kiosk = 7"), 9);
	assert_int_equal(send_raw(f, old_req, old_len, &replayed), 200);
	assert_same_answer(first, replayed);
	assert_int_equal(count(f, "SELECT last_seq FROM heartbeats WHERE kiosk = 7"), 9);
	json_decref(first);
	json_decref(second);
	json_decref(replayed);
}

/* A replay is told by every byte that was signed: the same body under another
 * kiosk's signature, or a tampered copy, is not a replay of it. */
static void test_replay_needs_same_signature(void **state)
{
	struct fx *f = *state;
	char req[RAW_MAX];
	const char *body = "{\"format\":\"wufei-epoch-1\",\"kiosk\":7,\"reason\":\"new journal\","
	                   "\"local_last_seq\":0}";
	size_t len = signed_post(f, "/api/v1/kiosk/epoch", body, fx_now_s(), req, sizeof req);
	json_t *j = NULL;
	assert_int_equal(send_raw(f, req, len, &j), 200);
	json_decref(j);
	/* the same bytes with one signature digit changed: refused, nothing stored */
	char *sig = strstr(req, "X-Wufei-Signature: ") + 19;
	*sig = *sig == '0' ? '1' : '0';
	assert_int_equal(send_raw(f, req, len, &j), 401);
	assert_string_equal(json_string_value(json_object_get(j, "error")), "bad_signature");
	json_decref(j);
	assert_int_equal(count(f, "SELECT COUNT(*) FROM epochs"), 1);
	assert_int_equal(count(f, "SELECT COUNT(*) FROM signed_replies"), 1);
}

/* Seq 4294967295 held: every epoch call is a permanent, documented refusal. */
static void test_seq_exhausted(void **state)
{
	struct fx *f = *state;
	uint8_t prev[WF_HASH_BYTES] = {0};
	char *b = harness_batch_json(7, UINT32_MAX, 1, prev, 0);
	struct http_answer ha;
	fx_post_batch(f, f->sk, 7, b, &ha);
	free(b);
	assert_int_equal(ha.status, 200);
	json_t *j = fx_answer_json(&ha);
	assert_string_equal(fx_status_of(j, 0), "stored");
	json_decref(j);
	harness_answer_free(&ha);
	const char *eb = "{\"format\":\"wufei-epoch-1\",\"kiosk\":7,\"reason\":\"restored\","
	                 "\"local_last_seq\":0}";
	const char *eb8 = "{\"format\":\"wufei-epoch-1\",\"kiosk\":8,\"reason\":\"new journal\","
	                  "\"local_last_seq\":0}";
	int64_t t = fx_now_s();
	for (int i = 0; i < 2; i++) { /* two requests (two times), not a replay */
		assert_int_equal(harness_request(f->c.port, "POST", "/api/v1/kiosk/epoch", eb,
		                                 strlen(eb), f->sk, 7, 1, t - i, &ha),
		                 0);
		assert_int_equal(ha.status, 409);
		j = fx_answer_json(&ha);
		assert_string_equal(json_string_value(json_object_get(j, "error")),
		                    "seq_exhausted");
		assert_non_null(
		    strstr(json_string_value(json_object_get(j, "message")), "4294967295"));
		json_decref(j);
		harness_answer_free(&ha);
	}
	assert_int_equal(count(f, "SELECT COUNT(*) FROM epochs"), 0);
	/* the other kiosk is not affected */
	assert_int_equal(harness_request(f->c.port, "POST", "/api/v1/kiosk/epoch", eb8, strlen(eb8),
	                                 f->sk2, 8, 1, fx_now_s(), &ha),
	                 0);
	assert_int_equal(ha.status, 200);
	harness_answer_free(&ha);
}

/* A batch replayed byte for byte: its records come back duplicate, nothing
 * more is stored and no alert is raised (idempotent by (kiosk, seq)). */
static void test_batch_replay(void **state)
{
	struct fx *f = *state;
	uint8_t prev[WF_HASH_BYTES] = {0};
	char *b = harness_batch_json(7, 1, 3, prev, 0);
	char req[RAW_MAX];
	size_t len = signed_post(f, "/api/v1/sync/batch", b, fx_now_s(), req, sizeof req);
	free(b);
	for (int i = 0; i < 3; i++) {
		json_t *j = NULL;
		assert_int_equal(send_raw(f, req, len, &j), 200);
		for (size_t k = 0; k < 3; k++)
			assert_string_equal(fx_status_of(j, k), i ? "duplicate" : "stored");
		json_decref(j);
	}
	assert_int_equal(fx_records(f), 3);
	assert_int_equal(count(f, "SELECT COUNT(*) FROM tamper_alerts"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_epoch_replay, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_heartbeat_replay, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_replay_needs_same_signature, fx_setup,
	                                    fx_teardown),
	    cmocka_unit_test_setup_teardown(test_seq_exhausted, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_batch_replay, fx_setup, fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
