/*
 * test_central_crash.c — wufei-central killed: SIGKILL after acknowledged
 * batches, SIGKILL at random moments under load (whole batches or nothing,
 * never a lost acknowledgement), and the two fixed crash points of the
 * crash-point test build (wufei-central-crashtest --crash-at).
 */
#define _XOPEN_SOURCE 700
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>
#include <signal.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "fixture.h"
#include "harness.h"
#include "wf_test.h"

static void test_sigkill_keeps_committed(void **state)
{
	struct fx *f = *state;
	uint8_t prev[WF_HASH_BYTES] = {0};
	struct http_answer a;
	char *b[3];
	for (int i = 0; i < 3; i++) {
		b[i] = harness_batch_json(7, (uint32_t)(1 + 100 * i), 100, prev, 0);
		assert_int_equal(fx_post_batch(f, f->sk, 7, b[i], &a), 0);
		assert_int_equal(a.status, 200);
		harness_answer_free(&a);
	}
	harness_stop(&f->c, SIGKILL);
	assert_int_equal(fx_records(f), 300);
	assert_int_equal(harness_start(&f->c, f->db_url, 0), 0);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(fx_post_batch(f, f->sk, 7, b[i], &a), 0);
		assert_int_equal(a.status, 200);
		json_t *j = fx_answer_json(&a);
		for (size_t k = 0; k < 100; k++)
			assert_string_equal(fx_status_of(j, k), "duplicate");
		json_decref(j);
		harness_answer_free(&a);
		free(b[i]);
	}
	assert_int_equal(fx_records(f), 300);
	assert_int_equal(harness_count(f->db_url, "SELECT COUNT(*) FROM tamper_alerts"), 0);
}

struct sender {
	struct fx *f;
	int port;
	uint32_t next_seq; /* first seq of the next batch */
	uint8_t prev[WF_HASH_BYTES];
	long acked; /* batches answered 200 */
	volatile int stop;
};

static void *send_loop(void *arg)
{
	struct sender *sd = arg;
	while (!sd->stop) {
		uint8_t prev[WF_HASH_BYTES];
		memcpy(prev, sd->prev, WF_HASH_BYTES);
		char *b = harness_batch_json(7, sd->next_seq, 50, prev, 0);
		struct http_answer a;
		int rc = harness_request(sd->port, "POST", "/api/v1/sync/batch", b, strlen(b),
		                         sd->f->sk, 7, 1, fx_now_s(), &a);
		free(b);
		if (rc != 0 || a.status != 200) {
			harness_answer_free(&a);
			break; /* central is gone */
		}
		harness_answer_free(&a);
		memcpy(sd->prev, prev, WF_HASH_BYTES);
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
		long held = fx_records(f);
		/* Every acknowledged record is there; at most the one unanswered batch more. */
		assert_true(held == sd.acked * 50 || held == (sd.acked + 1) * 50);
		assert_int_equal(harness_start(&f->c, f->db_url, 0), 0);
		if (held == (sd.acked + 1) * 50) {
			/* the kiosk re-sends the unanswered batch: all duplicates */
			uint8_t prev[WF_HASH_BYTES];
			memcpy(prev, sd.prev, WF_HASH_BYTES);
			char *b = harness_batch_json(7, sd.next_seq, 50, prev, 0);
			struct http_answer a;
			assert_int_equal(fx_post_batch(f, f->sk, 7, b, &a), 0);
			json_t *j = fx_answer_json(&a);
			for (size_t k = 0; k < 50; k++)
				assert_string_equal(fx_status_of(j, k), "duplicate");
			json_decref(j);
			harness_answer_free(&a);
			free(b);
			memcpy(sd.prev, prev, WF_HASH_BYTES);
			sd.next_seq += 50;
			sd.acked++;
		}
	}
	printf("test_sigkill_under_load: %ld rounds, %ld batches acknowledged\n", rounds, sd.acked);
	assert_true(sd.acked > 0);
	assert_int_equal(fx_records(f), sd.acked * 50);
	assert_int_equal(harness_count(f->db_url, "SELECT COUNT(*) FROM tamper_alerts"), 0);
}

/* The fixed crash points: just before COMMIT, and after COMMIT before the answer. */
static void test_crash_points(void **state)
{
	struct fx *f = *state;
	uint8_t prev[WF_HASH_BYTES] = {0};
	struct http_answer a;
	char *b = harness_batch_json(7, 1, 20, prev, 0);
	static const char *const modes[] = {"before-commit", "after-commit"};
	for (int m = 0; m < 2; m++) {
		harness_stop(&f->c, SIGTERM);
		assert_int_equal(harness_start_args(&f->c, f->db_url, 0,
		                                    (const char *[]){"--crash-at", modes[m], NULL}),
		                 0);
		harness_request(f->c.port, "POST", "/api/v1/sync/batch", b, strlen(b), f->sk, 7, 1,
		                fx_now_s(), &a);
		assert_int_equal(a.status, 0); /* no answer at all */
		harness_answer_free(&a);
		assert_int_equal(harness_stop(&f->c, SIGTERM), 128 + SIGKILL);
		assert_int_equal(fx_records(f), m == 0 ? 0 : 20);
		assert_int_equal(harness_start(&f->c, f->db_url, 0), 0);
	}
	/* the kiosk's re-send after the lost answer: all duplicates */
	assert_int_equal(fx_post_batch(f, f->sk, 7, b, &a), 0);
	assert_int_equal(a.status, 200);
	json_t *j = fx_answer_json(&a);
	for (size_t k = 0; k < 20; k++)
		assert_string_equal(fx_status_of(j, k), "duplicate");
	json_decref(j);
	harness_answer_free(&a);
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_sigkill_keeps_committed, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_sigkill_under_load, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_crash_points, fx_setup, fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
