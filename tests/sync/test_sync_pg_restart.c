/*
 * test_sync_pg_restart.c — the kiosk's own sync client (a thread, as on a
 * kiosk) against central on PostgreSQL, and PostgreSQL stopped and started
 * again while the kiosk records and syncs (issue 13). While the database
 * is away central answers 503 unavailable (the client's log says so, and
 * never 500); the client backs off and tries again; once PostgreSQL is
 * back the outbox drains by itself and central holds every journal record
 * exactly once, without an alert. PostgreSQL only, on a cluster of its own
 * (tests/pg/pg-cluster.sh with this test's state folder: the shared "pg"
 * fixture's tests must not see their server go).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "ledger.h"
#include "sync.h"
#include "sync_check.h"
#include "sync_fixture.h"
#include "testdb.h"

#define KIOSK    7
#define RECORDS  400
#define STEP     50
#define WAIT_CAP 30000 /* the test's generous bound on 20 ms waits (10 min) */

static struct sync_fx g_fx;
static char g_state[160];
static atomic_uint g_said_503, g_said_500;

/* pg-cluster.sh cmd on this test's cluster: its exit status. */
static int cluster(const char *cmd)
{
	char line[1024];
	const char *src = getenv("WUFEI_SOURCE_DIR");
	snprintf(line, sizeof line, "bash '%s/tests/pg/pg-cluster.sh' %s '%s' >&2", src ? src : ".",
	         cmd, g_state);
	int st = system(line);
	return st != -1 && WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

/* The client's log: what central answered, counted. */
static void on_log(void *ctx, enum wf_log_level level, const char *msg)
{
	(void)ctx;
	(void)level;
	if (strstr(msg, "central answered 503 unavailable"))
		g_said_503++;
	if (strstr(msg, "central answered 500"))
		g_said_500++;
}

static int setup(void **state)
{
	(void)state;
	sync_fx_setup(&g_fx, "sync-pg-restart", KIOSK);
	sync_check_init(&g_fx, KIOSK);
	snprintf(g_state, sizeof g_state, "%s/pg", g_fx.dir);
	assert_int_equal(cluster("start"), 0);
	assert_int_equal(setenv("WUFEI_TEST_PG", g_state, 1), 0);
	/* central's database on it, the kiosk's key enrolled */
	char pub[300];
	assert_int_equal(testdb_url(g_fx.db, sizeof g_fx.db, "unused"), 0);
	harness_write_pub(g_fx.dir, "k7-pg.pub", g_fx.pk, pub, sizeof pub);
	assert_int_equal(harness_cli(g_fx.db, NULL, 0,
	                             (const char *[]){"kiosk", "add", "7", "--pubkey", pub, NULL}),
	                 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	harness_kill_started();
	cluster("stop");
	return sync_fx_teardown(&g_fx);
}

static int64_t outbox(struct ledger *l)
{
	int64_t d = -1;
	assert_int_equal(ledger_outbox_depth(l, &d), WF_OK);
	return d;
}

static void test_kiosk_through_restart(void **state)
{
	(void)state;
	struct central_proc c;
	assert_int_equal(harness_start(&c, g_fx.db, 0), 0);
	char url[64], err[256];
	snprintf(url, sizeof url, "http://127.0.0.1:%d", c.port);
	struct sync_config cfg = {.url = url,
	                          .ledger_path = g_fx.ledger,
	                          .kiosk = KIOSK,
	                          .key_id = 1,
	                          .secret_key = g_fx.sk,
	                          .batch_max = STEP,
	                          .timeout_ms = 20000,
	                          .backoff_min_ms = 10,
	                          .backoff_cap_ms = 200,
	                          .log = on_log};
	struct sync *s = NULL;
	assert_int_equal(sync_create(&cfg, &s, err, sizeof err), WF_OK);
	assert_int_equal(sync_start(s), WF_OK);
	struct ledger *l = open_ledger(g_fx.ledger);
	/* half recorded and synced; then PostgreSQL stops mid-sync */
	for (int i = 0; i < RECORDS / 2; i += STEP) {
		append_bins_to(l, STEP, 0, i);
		sync_kick(s);
	}
	int w = 0;
	while (outbox(l) > RECORDS / 4 && w++ < WAIT_CAP) /* some are in, some still going */
		usleep(20000);
	assert_int_equal(cluster("stop-server"), 0);
	/* the kiosk keeps recording while the database is away */
	for (int i = RECORDS / 2; i < RECORDS; i += STEP) {
		append_bins_to(l, STEP, 0, i);
		sync_kick(s);
	}
	for (w = 0; g_said_503 < 3 && w < WAIT_CAP; w++) /* refused 503, it tries again */
		usleep(20000);
	assert_true(g_said_503 >= 3);
	assert_true(outbox(l) > 0);
	assert_int_equal(cluster("start-server"), 0);
	/* back: the thread alone drains the outbox */
	for (w = 0; outbox(l) > 0 && w < WAIT_CAP; w++)
		usleep(20000);
	assert_int_equal(outbox(l), 0);
	sync_stop(s);
	struct sync_status st = status_of(s);
	print_message("503 answers seen by the kiosk: %u; rounds failed: %llu\n",
	              (unsigned)g_said_503, (unsigned long long)st.rounds_failed);
	assert_int_equal(g_said_500, 0);
	assert_true(st.rounds_failed >= 3);
	assert_int_equal(st.conflicts, 0);
	/* every journal record once at central, none raised an alert */
	long held = testdb_count(g_fx.db, "SELECT COUNT(*) FROM records WHERE kiosk = 7");
	assert_int_equal(held, (long)last_of(g_fx.ledger));
	assert_true(held >= RECORDS);
	assert_int_equal(
	    testdb_count(g_fx.db, "SELECT COUNT(DISTINCT seq) FROM records WHERE kiosk = 7"), held);
	assert_int_equal(testdb_count(g_fx.db, "SELECT MAX(seq) FROM records WHERE kiosk = 7"),
	                 held);
	assert_int_equal(testdb_count(g_fx.db, "SELECT COUNT(*) FROM tamper_alerts"), 0);
	ledger_close(l);
	sync_destroy(s);
	assert_int_equal(harness_stop(&c, SIGTERM), 0);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_kiosk_through_restart, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
