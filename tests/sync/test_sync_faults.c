/*
 * test_sync_faults.c — issue 4 "Exactly once under faults": the kiosk's sync
 * client (kiosk/sync/) against a real wufei-central over loopback, with real
 * journal and central files, through a proxy that misbehaves on purpose
 * (sync_proxy.h). Every test ends by checking that central holds every
 * journal record exactly once with canonical bytes byte-equal to the
 * kiosk's, and that the outbox is empty (sync_check.h). The journal's side
 * (a skewed clock, a tampered re-send, a restored journal) is in
 * test_sync_journal.c.
 *
 * Randomised parts print their seed; WUFEI_TEST_SEED=N replays one;
 * WUFEI_TEST_FILTER=pattern runs only matching tests.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "ledger.h"
#include "record.h"
#include "signing.h"
#include "sync.h"
#include "sync_check.h"
#include "sync_fixture.h"
#include "sync_proxy.h"
#include "wf.h"
#include "wf_test.h"

#define KIOSK 5

static struct sync_fx g_fx;
static uint64_t g_rng;

/* ---- small helpers ---- */

static uint32_t rnd(void)
{
	g_rng ^= g_rng << 13;
	g_rng ^= g_rng >> 7;
	g_rng ^= g_rng << 17;
	return (uint32_t)(g_rng >> 16);
}

static void seed_rng(const char *what)
{
	const char *env = getenv("WUFEI_TEST_SEED");
	uint64_t seed = 0;
	if (env && *env) {
		char *end = NULL;
		seed = strtoull(env, &end, 10);
		if (!end || *end)
			seed = 0;
	}
	if (!seed)
		seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 20);
	printf("%s: seed %" PRIu64 " (replay with WUFEI_TEST_SEED=%" PRIu64 ")\n", what, seed,
	       seed);
	fflush(stdout);
	g_rng = seed * 2654435761u + 1;
}

static int setup(void **state)
{
	(void)state;
	sync_fx_setup(&g_fx, "syncf", KIOSK);
	sync_check_init(&g_fx, KIOSK);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	return sync_fx_teardown(&g_fx);
}

/* ---- central and the sync client ---- */

static void start_central(struct central_proc *c, struct proxy *p, const char *const *extra)
{
	assert_int_equal(harness_start_args(c, g_fx.db, 0, extra), 0);
	if (p) {
		atomic_store(&p->kill_pid, c->pid);
		atomic_store(&p->upstream_port, c->port);
	}
}

/* ---- 1. every batch sent twice ---- */

/*
 * The proxy forwards each batch request to central twice. In the first half
 * it relays central's answer to the second copy, so the kiosk only ever sees
 * `duplicate` and must still acknowledge; in the second half it relays the
 * answer to the first copy and replays the request after the kiosk had it
 * (the replay lands on records central already holds).
 */
static void test_every_batch_twice(void **state)
{
	(void)state;
	struct proxy p;
	struct central_proc c;
	struct sync *s = NULL;
	assert_int_equal(proxy_start(&p, 0), 0);
	start_central(&c, &p, NULL);
	make_sync_at(p.port, g_fx.ledger, &s, NULL, 37);
	long n = wf_test_loops(600);

	atomic_store(&p.mode, PROXY_TWICE_SECOND);
	append_bins(g_fx.ledger, (int)n, 0, 0);
	assert_int_equal(sync_round(s, true), WF_OK);
	struct sync_status st = status_of(s);
	assert_int_equal(st.stored, 0);
	assert_int_equal(st.duplicates, n);
	assert_int_equal(central_count(NULL), n);
	assert_int_equal(depth_of(g_fx.ledger), 0);

	atomic_store(&p.mode, PROXY_TWICE_FIRST);
	append_bins(g_fx.ledger, (int)n, 0, 7);
	assert_int_equal(sync_round(s, true), WF_OK);
	st = status_of(s);
	assert_int_equal(st.stored, n);
	assert_int_equal(st.duplicates, n);
	assert_int_equal(st.conflicts, 0);
	assert_true(atomic_load(&p.batches) >= 2 * ((n + 36) / 37));

	sync_destroy(s);
	assert_int_equal(harness_stop(&c, SIGTERM), 0);
	proxy_stop(&p);
	assert_exactly_once(g_fx.ledger);
	assert_int_equal(alert_count(NULL), 0);
}

/* ---- 2. the answer dropped after central committed ---- */

static void test_answer_dropped_after_commit(void **state)
{
	(void)state;
	seed_rng("answer dropped");
	struct proxy p;
	struct central_proc c;
	struct sync *s = NULL;
	assert_int_equal(proxy_start(&p, 0), 0);
	start_central(&c, &p, NULL);
	make_sync_at(p.port, g_fx.ledger, &s, NULL, 50);
	struct ledger *l = open_ledger(g_fx.ledger);
	long rounds = wf_test_loops(20), total = 0;
	for (long i = 0; i < rounds; i++) {
		int k = 1 + (int)(rnd() % 120); /* up to three batches */
		append_bins_to(l, k, 0, i * 1000);
		total += k;
		struct sync_status before = status_of(s);
		atomic_store(&p.mode, PROXY_DROP_ANSWER);
		assert_int_not_equal(sync_round(s, true), WF_OK);
		/* central committed the first batch; the kiosk heard nothing: keeps all */
		int64_t d = -1;
		assert_int_equal(ledger_outbox_depth(l, &d), WF_OK);
		assert_int_equal(d, k);
		assert_int_equal(central_count(NULL), total - k + (k < 50 ? k : 50));
		atomic_store(&p.mode, PROXY_FORWARD);
		assert_int_equal(sync_round(s, true), WF_OK);
		struct sync_status after = status_of(s);
		assert_int_equal(after.duplicates - before.duplicates, k < 50 ? k : 50);
		assert_int_equal(after.stored - before.stored, k < 50 ? 0 : k - 50);
		assert_int_equal(ledger_outbox_depth(l, &d), WF_OK);
		assert_int_equal(d, 0);
	}
	ledger_close(l);
	sync_destroy(s);
	assert_int_equal(harness_stop(&c, SIGTERM), 0);
	proxy_stop(&p);
	assert_exactly_once(g_fx.ledger);
	assert_int_equal(central_count(NULL), total);
	assert_int_equal(alert_count(NULL), 0);
}

/* ---- 3. central killed with SIGKILL ---- */

static void wait_kill_done(struct proxy *p)
{
	while (atomic_load(&p->kill_stage) != KILL_NONE)
		usleep(1000);
}

/* Random points: the sync thread uploads while records keep coming; the
 * proxy kills central at a seeded point of a batch request, or the test
 * kills it after a seeded delay. Central restarts on the same file. */
static void test_sigkill_random_points(void **state)
{
	(void)state;
	seed_rng("sigkill random points");
	struct proxy p;
	struct central_proc c;
	struct sync *s = NULL;
	assert_int_equal(proxy_start(&p, 0), 0);
	start_central(&c, &p, NULL);
	make_sync_at(p.port, g_fx.ledger, &s, NULL, 25);
	struct ledger *l = open_ledger(g_fx.ledger);
	assert_int_equal(sync_start(s), WF_OK);
	long kills = wf_test_loops(50);
	long by_stage[5] = {0};
	for (long i = 0; i < kills; i++) {
		append_bins_to(l, 1 + (int)(rnd() % 60), 0, i * 100);
		sync_kick(s);
		int stage = (int)(rnd() % 5);
		by_stage[stage]++;
		if (stage == KILL_NONE) {
			usleep(rnd() % 30000); /* a random moment of whatever runs */
		} else {
			atomic_store(&p.kill_bytes, (long)(rnd() % 4000));
			atomic_store(&p.kill_stage, stage);
			/* more records, so a batch request comes */
			append_bins_to(l, 1 + (int)(rnd() % 30), 0, i * 100 + 50);
			sync_kick(s);
			wait_kill_done(&p);
		}
		int code = harness_stop(&c, SIGKILL);
		assert_int_equal(code, 128 + SIGKILL);
		start_central(&c, &p, NULL);
	}
	sync_stop(s);
	printf("kills: %ld by timer, %ld before forwarding, %ld mid-body, %ld after the request, "
	       "%ld after the answer; %ld requests failed\n",
	       by_stage[0], by_stage[1], by_stage[2], by_stage[3], by_stage[4],
	       atomic_load(&p.failed));
	/* central is up: one round drains what is left */
	assert_int_equal(sync_round(s, true), WF_OK);
	struct sync_status st = status_of(s);
	assert_int_equal(st.conflicts, 0);
	assert_int_equal(st.outbox_depth, 0);
	ledger_close(l);
	sync_destroy(s);
	assert_int_equal(harness_stop(&c, SIGTERM), 0);
	proxy_stop(&p);
	assert_exactly_once(g_fx.ledger);
	assert_int_equal(alert_count(NULL), 0);
}

/* Fixed points: central kills itself just before its COMMIT (nothing stored)
 * or just after it (stored, no answer), alternately; restarted on the same file. */
static void test_sigkill_fixed_points(void **state)
{
	(void)state;
	seed_rng("sigkill fixed points");
	struct proxy p;
	struct central_proc c;
	struct sync *s = NULL;
	assert_int_equal(proxy_start(&p, 0), 0);
	make_sync_at(p.port, g_fx.ledger, &s, NULL, 0);
	long rounds = wf_test_loops(20), total = 0, stored_at_central = 0;
	for (long i = 0; i < rounds; i++) {
		bool after = i % 2 == 1;
		const char *extra[] = {"--crash-at", after ? "after-commit" : "before-commit",
		                       NULL};
		start_central(&c, &p, extra);
		int k = 1 + (int)(rnd() % 20);
		append_bins(g_fx.ledger, k, 0, i * 100);
		total += k;
		assert_int_not_equal(sync_round(s, true), WF_OK);
		int st = 0;
		pid_t pid = c.pid;
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
		c.pid = 0;
		assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
		if (after)
			stored_at_central = total;
		assert_int_equal(central_count(NULL), stored_at_central);
		assert_int_equal(depth_of(g_fx.ledger), total);
	}
	start_central(&c, &p, NULL);
	assert_int_equal(sync_round(s, true), WF_OK);
	struct sync_status st = status_of(s);
	assert_int_equal(st.stored, total - stored_at_central);
	assert_int_equal(st.duplicates, stored_at_central);
	sync_destroy(s);
	assert_int_equal(harness_stop(&c, SIGTERM), 0);
	proxy_stop(&p);
	assert_exactly_once(g_fx.ledger);
	assert_int_equal(alert_count(NULL), 0);
}

/* ---- 4. central away while 5,000 records queue up ---- */

static void test_central_away_then_back(void **state)
{
	(void)state;
	struct proxy p;
	struct central_proc c;
	struct sync *s = NULL;
	assert_int_equal(proxy_start(&p, 0), 0); /* nobody behind it yet */
	make_sync_at(p.port, g_fx.ledger, &s, NULL, 0);
	assert_int_equal(sync_start(s), WF_OK);
	struct ledger *l = open_ledger(g_fx.ledger);
	long n = wf_test_loops(5000);
	for (long i = 0; i < n; i += 100) {
		append_bins_to(l, (int)(n - i < 100 ? n - i : 100), 0, i);
		sync_kick(s);
	}
	int64_t d = -1;
	assert_int_equal(ledger_outbox_depth(l, &d), WF_OK);
	assert_int_equal(d, n);
	assert_true(atomic_load(&p.failed) >= 1); /* the thread did try */
	start_central(&c, &p, NULL);
	/* the thread alone drains it once central is back */
	for (;;) {
		assert_int_equal(ledger_outbox_depth(l, &d), WF_OK);
		if (d == 0)
			break;
		usleep(20000);
	}
	sync_stop(s);
	struct sync_status st = status_of(s);
	assert_true(st.rounds_failed >= 1);
	assert_int_equal(st.stored, n);
	ledger_close(l);
	sync_destroy(s);
	assert_int_equal(harness_stop(&c, SIGTERM), 0);
	proxy_stop(&p);
	assert_exactly_once(g_fx.ledger);
}

/* ---- 8. a captive portal ---- */

static void test_captive_portal(void **state)
{
	(void)state;
	struct proxy p;
	struct central_proc c;
	struct sync *s = NULL;
	assert_int_equal(proxy_start(&p, 0), 0);
	start_central(&c, &p, NULL);
	make_sync_at(p.port, g_fx.ledger, &s, NULL, 20);
	/* a genuine round first: the epoch is done, the path works */
	append_bins(g_fx.ledger, 20, 0, 0);
	assert_int_equal(sync_round(s, true), WF_OK);
	const int variants[] = {PORTAL_NO_HASH, PORTAL_WRONG_HASH, PORTAL_HTML};
	atomic_store(&p.mode, PROXY_PORTAL);
	for (size_t v = 0; v < sizeof variants / sizeof variants[0]; v++) {
		atomic_store(&p.portal_variant, variants[v]);
		append_bins(g_fx.ledger, 7, 0, (int64_t)v * 100);
		long batches = atomic_load(&p.batches);
		assert_int_not_equal(sync_round(s, true), WF_OK);
		assert_true(atomic_load(&p.batches) > batches); /* the portal did answer a batch */
		assert_int_equal(depth_of(g_fx.ledger), 7 * (int64_t)(v + 1));
		assert_int_equal(central_count(NULL), 20);
		struct sync_status st = status_of(s);
		assert_int_equal(st.stored, 20);
		assert_true(st.last_error[0] != '\0');
		/* a stranger's clock is not central's: the offset stays near zero */
		assert_true(llabs(st.offset_ms) < 60000);
	}
	/* the portal goes away: everything drains */
	atomic_store(&p.mode, PROXY_FORWARD);
	assert_int_equal(sync_round(s, true), WF_OK);
	assert_int_equal(status_of(s).stored, 41);
	sync_destroy(s);
	assert_int_equal(harness_stop(&c, SIGTERM), 0);
	proxy_stop(&p);
	assert_exactly_once(g_fx.ledger);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	if (getenv("WUFEI_TEST_FILTER")) /* e.g. "test_sigkill*" */
		cmocka_set_test_filter(getenv("WUFEI_TEST_FILTER"));
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_every_batch_twice, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_answer_dropped_after_commit, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sigkill_random_points, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sigkill_fixed_points, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_central_away_then_back, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_captive_portal, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
