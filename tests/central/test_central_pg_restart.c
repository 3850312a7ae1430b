/*
 * test_central_pg_restart.c — PostgreSQL stopped and started again under a
 * central while two kiosks sync through it (issue 13). Its own cluster
 * (ops_support.h: the shared "pg" fixture's other tests must not see their
 * server go), so this test exists only on PostgreSQL: SQLite has no server
 * to lose.
 *
 * While the server is away every API call that needs the store is answered
 * 503 with Retry-After and a JSON error, never 500 (an office page 503 with
 * Retry-After too); /readyz says not ready.
 * The kiosks send each refused batch again (the same bytes) after a pause,
 * as the kiosk's sync does; once PostgreSQL is back, central serves again by
 * itself, and every record is stored exactly once: as many as were sent, no
 * conflict, no alert.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"
#include "ops_support.h"
#include "testdb.h"

#define PER_BATCH 10
#define BATCHES   40      /* per kiosk */
#define KEEP_BACK 8       /* batches of each kiosk kept for after the restart */
#define LOOP_CAP  200000u /* the test's generous bound on rounds */

struct restart_run {
	char state[256];
	atomic_int phase; /* 0 running, 1 stopping, 2 away, 3 back */
	atomic_uint away_seen;
	atomic_int rc_stop, rc_start;
	pthread_t th;
	bool started; /* th runs */
};

/* Stops the server, waits until the test has seen it away, starts it again. */
static void *restart_main(void *arg)
{
	struct restart_run *r = arg;
	r->phase = 1;
	r->rc_stop = ops_cluster("stop-server", r->state);
	r->phase = 2;
	while (r->away_seen < 4)
		nanosleep(&(struct timespec){0, 20 * 1000000L}, NULL);
	r->rc_start = ops_cluster("start-server", r->state);
	r->phase = 3;
	return NULL;
}

static int setup(void **state)
{
	static struct restart_run r;
	snprintf(r.state, sizeof r.state, "/tmp/wufei-pgrestart-XXXXXX");
	assert_non_null(mkdtemp(r.state));
	ops_cluster_start(r.state);
	*state = &r;
	return 0;
}

static int teardown(void **state)
{
	struct restart_run *r = *state;
	harness_kill_started();
	ops_cluster("stop", r->state);
	ops_rmdir(r->state);
	return 0;
}

/* A Retry-After of a few seconds: 1 to 60, digits only. */
static bool retry_after_ok(const char *ra)
{
	if (!ra[0] || strspn(ra, "0123456789") != strlen(ra) || strlen(ra) > 2)
		return false;
	long v = strtol(ra, NULL, 10);
	return v >= 1 && v <= 60;
}

/* While away: every route that needs the store says 503, with Retry-After. */
static void probe_away(int port, struct restart_run *r)
{
	char ra[16], err[64];
	const char *hb = "{\"format\":\"wufei-heartbeat-1\",\"kiosk\":8,\"last_seq\":1,"
	                 "\"outbox_depth\":0,\"software_version\":\"0.1.0\",\"devices\":[]}";
	assert_int_equal(ops_request(port, "POST", "/api/v1/kiosk/heartbeat", hb, 8, ra, err), 503);
	assert_true(retry_after_ok(ra));
	assert_string_equal(err, "unavailable");
	assert_int_equal(ops_request(port, "GET", "/api/v1/sync/down", NULL, 7, ra, err), 503);
	assert_true(retry_after_ok(ra));
	/* a partner shop's redemption: its token is looked up in the store */
	char bearer[100];
	snprintf(bearer, sizeof bearer, "Authorization: Bearer wft_%064d", 7);
	assert_int_equal(
	    ops_request_with(port, "POST", "/api/v1/redeem",
	                     "{\"resident\":1,\"points\":1,\"idempotency_key\":\"k1\"}", 0, bearer,
	                     ra, err),
	    503);
	assert_true(retry_after_ok(ra));
	assert_string_equal(err, "unavailable");
	/* an office page: its session is looked up in the store */
	char cookie[120];
	snprintf(cookie, sizeof cookie, "Cookie: wufei_office=%064d", 7);
	assert_int_equal(ops_request_with(port, "GET", "/office/", NULL, 0, cookie, ra, err), 503);
	assert_true(retry_after_ok(ra));
	assert_int_equal(ops_request(port, "GET", "/readyz", NULL, 0, ra, err), 503);
	assert_string_equal(err, "not_ready");
	assert_true(retry_after_ok(ra));
	/* what needs no store still answers */
	assert_int_equal(ops_request(port, "GET", "/api/v1/time", NULL, 0, ra, err), 200);
	assert_int_equal(ops_request(port, "GET", "/livez", NULL, 0, ra, err), 200);
	r->away_seen++;
}

/* The kiosk of the two with more to send (NULL when both are done); the
 * last KEEP_BACK batches of each wait until PostgreSQL is back. */
static struct ops_kiosk *next_kiosk(struct ops_kiosk k[2], int phase, unsigned turn)
{
	uint32_t end = BATCHES * PER_BATCH + 1;
	uint32_t hold = (BATCHES - KEEP_BACK) * PER_BATCH + 1;
	for (int i = 0; i < 2; i++) {
		struct ops_kiosk *x = &k[(turn + (unsigned)i) % 2];
		if (x->next < end && (phase == 3 || x->next < hold))
			return x;
	}
	return NULL;
}

static void test_restart_mid_sync(void **state)
{
	struct restart_run *r = *state;
	char dir[] = "/tmp/wufei-pgrestart-store-XXXXXX", url[600], ra[16];
	assert_non_null(mkdtemp(dir));
	assert_int_equal(testdb_url(url, sizeof url, "unused"), 0);
	ops_store(url, dir);
	struct central_proc c;
	assert_int_equal(harness_start(&c, url, 0), 0);
	struct ops_kiosk k[2] = {{.kiosk = 7, .next = 1}, {.kiosk = 8, .next = 1}};
	struct ops_tally t = {0};
	unsigned sent = 0, refused_503 = 0, without_ra = 0, probed = 0, after_503 = 0;
	for (unsigned turn = 0; turn < LOOP_CAP; turn++) {
		int phase = r->phase;
		if (sent == 6 && !r->started) { /* mid-sync */
			assert_int_equal(pthread_create(&r->th, NULL, restart_main, r), 0);
			r->started = true;
		}
		if (phase == 2 && probed < 4) {
			probe_away(c.port, r);
			probed++;
		}
		struct ops_kiosk *x = next_kiosk(k, phase, turn);
		if (!x && phase == 3)
			break;
		long st = x ? ops_send(c.port, x, PER_BATCH, &t, ra) : -1;
		sent += st == 200;
		after_503 += st == 503 && phase == 3;
		if (st == 503) {
			refused_503++;
			without_ra += !retry_after_ok(ra);
		}
		if (st != 200) /* a pause before the same batch again, as a kiosk backs off */
			nanosleep(&(struct timespec){0, 20 * 1000000L}, NULL);
	}
	assert_true(r->started);
	pthread_join(r->th, NULL);
	assert_int_equal(r->rc_stop, 0);
	assert_int_equal(r->rc_start, 0);
	assert_int_equal(probed, 4);
	/* only 200 and 503 were answered: never 500, never nothing */
	assert_int_equal(t.answered[200] + t.answered[503], sent + refused_503);
	assert_int_equal(t.answered[200], 2 * BATCHES);
	assert_int_equal(without_ra, 0);
	/* once PostgreSQL is back no kiosk is turned away: each handle finds
	 * its connection ended by the restart and opens it again first */
	assert_int_equal(after_503, 0);
	/* central is ready again on its own */
	char err[64];
	assert_int_equal(ops_request(c.port, "GET", "/readyz", NULL, 0, ra, err), 200);
	/* every record exactly once: a batch whose answer was lost is duplicate */
	unsigned total = 2 * BATCHES * PER_BATCH;
	assert_int_equal(t.stored + t.duplicate, total);
	assert_int_equal(t.conflict + t.other, 0);
	assert_int_equal(testdb_count(url, "SELECT COUNT(*) FROM records"), total);
	assert_int_equal(testdb_count(url, "SELECT COUNT(DISTINCT (kiosk, seq)) FROM records"),
	                 total);
	assert_int_equal(testdb_count(url, "SELECT COUNT(*) FROM tamper_alerts"), 0);
	print_message("%u batches refused 503 while PostgreSQL was away, %u duplicates after\n",
	              refused_503, t.duplicate);
	assert_int_equal(harness_stop(&c, SIGTERM), 0);
	ops_rmdir(dir);
}

/* Four store handles idle while PostgreSQL restarts: the first requests
 * after it are all served, none turned away (each handle finds the
 * connection the restart ended and opens it again before using it). */
static void test_idle_through_restart(void **state)
{
	struct restart_run *r = *state;
	char dir[] = "/tmp/wufei-pgrestart-store-XXXXXX", url[600], ra[16];
	assert_non_null(mkdtemp(dir));
	assert_int_equal(testdb_url(url, sizeof url, "unused"), 0);
	ops_store(url, dir);
	struct central_proc c;
	const char *extra[] = {"--db-connections", "4", "--threads", "4", NULL};
	assert_int_equal(harness_start_args(&c, url, 0, extra), 0);
	struct ops_kiosk k[2] = {{.kiosk = 7, .next = 1}, {.kiosk = 8, .next = 1}};
	struct ops_tally t = {0};
	for (int i = 0; i < 8; i++) /* every handle has been used */
		assert_int_equal(ops_send(c.port, &k[i % 2], PER_BATCH, &t, ra), 200);
	assert_int_equal(ops_cluster("stop-server", r->state), 0);
	assert_int_equal(ops_cluster("start-server", r->state), 0);
	for (int i = 0; i < 8; i++)
		assert_int_equal(ops_send(c.port, &k[i % 2], PER_BATCH, &t, ra), 200);
	char err[64];
	assert_int_equal(ops_request(c.port, "GET", "/readyz", NULL, 0, ra, err), 200);
	assert_int_equal(testdb_count(url, "SELECT COUNT(*) FROM records"), 16 * PER_BATCH);
	assert_int_equal(harness_stop(&c, SIGTERM), 0);
	ops_rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_restart_mid_sync, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_idle_through_restart, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
