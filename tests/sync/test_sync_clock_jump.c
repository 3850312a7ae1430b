/*
 * test_sync_clock_jump.c — the kiosk's clock is a year ahead, then put right
 * (as NTP or staff would): heartbeats and down-syncs must keep coming on
 * their schedule. Real central over loopback, real files.
 *
 * Heartbeat and down-sync are scheduled on the clock's monotonic time; this
 * test fails if they go back to the kiosk's wall clock (the clock's utc_ms).
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
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "ledger.h"
#include "record.h"
#include "signing.h"
#include "sync.h"
#include "sync_fixture.h"
#include "wf.h"

#define YEAR_MS (INT64_C(365) * 24 * 3600 * 1000)

static struct sync_fx g_fx;
static struct sync_fx_clock g_kiosk_clock; /* the kiosk's clock, a year off or right */

static int setup(void **state)
{
	(void)state;
	sync_fx_setup(&g_fx, "syncj", 5);
	sync_fx_clock_init(&g_kiosk_clock, 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	return sync_fx_teardown(&g_fx);
}

static void append_bins(int n)
{
	struct ledger *l = NULL;
	char err[256];
	assert_int_equal(ledger_open(g_fx.ledger, &l, err, sizeof err), WF_OK);
	for (int i = 0; i < n; i++) {
		struct wf_record r;
		memset(&r, 0, sizeof r);
		r.kind = WF_RECORD_BIN;
		r.time_ms = wf_clock_utc_ms(&g_kiosk_clock.clock);
		r.bin.category_id = 1;
		r.bin.grams = 1000 + i;
		r.bin.staff_id = 7;
		assert_int_equal(ledger_append(l, &r, NULL, NULL, NULL), WF_OK);
	}
	ledger_close(l);
}

/* Rounds as the thread runs them (force = false) until one is answered. */
static void rounds_until_ok(struct sync *s)
{
	int rc = WF_EIO;
	for (int i = 0; i < 3 && rc != WF_OK; i++)
		rc = sync_round(s, false);
	assert_int_equal(rc, WF_OK);
}

static long central_heartbeat_last_seq(void)
{
	return harness_count(g_fx.db, "SELECT last_seq FROM heartbeats WHERE kiosk=5");
}

static void test_heartbeat_after_clock_put_right(void **state)
{
	(void)state;
	struct central_proc c;
	assert_int_equal(harness_start(&c, g_fx.db, 0), 0);
	char url[64], err[256];
	snprintf(url, sizeof url, "http://127.0.0.1:%d", c.port);
	struct sync_config cfg = {.url = url,
	                          .ledger_path = g_fx.ledger,
	                          .kiosk = 5,
	                          .key_id = 1,
	                          .secret_key = g_fx.sk,
	                          .timeout_ms = 5000,
	                          .heartbeat_every_ms = 1, /* due at every round */
	                          .downsync_every_ms = 1,
	                          .time_zone = "Europe/Berlin",
	                          .clock = &g_kiosk_clock.clock};
	struct sync *s = NULL;
	assert_int_equal(sync_create(&cfg, &s, err, sizeof err), WF_OK);

	g_kiosk_clock.skew_ms = YEAR_MS; /* a year ahead */
	append_bins(4);
	rounds_until_ok(s);
	assert_int_equal(central_heartbeat_last_seq(), 4);
	/* the heartbeat told central the kiosk's time zone (its receipt pages' times) */
	assert_int_equal(harness_count(g_fx.db, "SELECT COUNT(*) FROM kiosks WHERE number = 5 "
	                                        "AND time_zone = 'Europe/Berlin'"),
	                 1);

	g_kiosk_clock.skew_ms = 0; /* put right */
	usleep(10000);
	append_bins(3);
	rounds_until_ok(s);
	usleep(10000);
	rounds_until_ok(s);
	/* the records went; the heartbeat must say so too */
	struct sync_status st;
	sync_get_status(s, &st);
	assert_int_equal(st.outbox_depth, 0);
	assert_int_equal(central_heartbeat_last_seq(), 7);
	sync_destroy(s);
	assert_int_equal(harness_stop(&c, SIGTERM), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_heartbeat_after_clock_put_right, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
