/*
 * test_sync_refused.c — the sync client against a real wufei-central that
 * refuses for good: central holds seq 4294967295 of this kiosk, so its
 * epoch call is 409 seq_exhausted. The client says so (status `refused`,
 * last_error naming the error and the office), not "retrying"; an
 * ordinary failure (central away) is not "refused".
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"
#include "sync.h"
#include "sync_fixture.h"
#include "wf.h"

static struct sync_fx g_fx;

static int setup(void **state)
{
	(void)state;
	sync_fx_setup(&g_fx, "sync-refused", 5);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	return sync_fx_teardown(&g_fx);
}

static struct sync *new_sync(int port)
{
	char url[64], err[256];
	snprintf(url, sizeof url, "http://127.0.0.1:%d", port);
	struct sync_config cfg = {.url = url,
	                          .ledger_path = g_fx.ledger,
	                          .kiosk = 5,
	                          .key_id = 1,
	                          .secret_key = g_fx.sk,
	                          .timeout_ms = 5000};
	struct sync *s = NULL;
	assert_int_equal(sync_create(&cfg, &s, err, sizeof err), WF_OK);
	return s;
}

/* A record of kiosk 5 at seq, stored at central as a kiosk would send it. */
static void central_holds(int port, uint32_t seq)
{
	uint8_t prev[WF_HASH_BYTES] = {0};
	char *b = harness_batch_json(5, seq, 1, prev, 0);
	struct http_answer a;
	assert_int_equal(harness_request(port, "POST", "/api/v1/sync/batch", b, strlen(b), g_fx.sk,
	                                 5, 1, (int64_t)time(NULL), &a),
	                 WF_OK);
	assert_int_equal(a.status, 200);
	assert_non_null(strstr(a.body, "\"stored\""));
	harness_answer_free(&a);
	free(b);
}

static void test_seq_exhausted_is_refused_for_good(void **state)
{
	(void)state;
	struct central_proc c;
	assert_int_equal(harness_start(&c, g_fx.db, 0), 0);
	central_holds(c.port, UINT32_MAX);
	struct sync *s = new_sync(c.port);
	assert_int_not_equal(sync_round(s, true), WF_OK);
	struct sync_status st;
	sync_get_status(s, &st);
	assert_true(st.refused);
	assert_false(st.epoch_done);
	assert_non_null(strstr(st.last_error, "seq_exhausted"));
	assert_non_null(strstr(st.last_error, "call the office"));
	/* asked again, the same: nothing in between cured it */
	assert_int_not_equal(sync_epoch(s, "start"), WF_OK);
	sync_get_status(s, &st);
	assert_true(st.refused);
	sync_destroy(s);
	assert_int_equal(harness_stop(&c, SIGTERM), 0);
}

/* An ordinary failure (central away) is not "refused"; then a round succeeds. */
static void test_transient_is_not_refused(void **state)
{
	(void)state;
	struct central_proc c;
	assert_int_equal(harness_start(&c, g_fx.db, 0), 0);
	int port = c.port;
	assert_int_equal(harness_stop(&c, SIGTERM), 0);
	struct sync *s = new_sync(port);
	assert_int_not_equal(sync_round(s, true), WF_OK);
	struct sync_status st;
	sync_get_status(s, &st);
	assert_false(st.refused);
	assert_true(st.last_error[0] != '\0');
	sync_destroy(s);
	assert_int_equal(harness_start(&c, g_fx.db, 0), 0);
	s = new_sync(c.port);
	assert_int_equal(sync_round(s, true), WF_OK);
	sync_get_status(s, &st);
	assert_false(st.refused);
	assert_string_equal(st.last_error, "");
	sync_destroy(s);
	assert_int_equal(harness_stop(&c, SIGTERM), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_seq_exhausted_is_refused_for_good, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_transient_is_not_refused, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
