/*
 * test_sync_faults.c — issue 4 "Exactly once under faults": the kiosk's sync
 * client (kiosk/sync.c) against a real wufei-central over loopback, with real
 * journal and central files, through a proxy that misbehaves on purpose
 * (sync_proxy.h). Every test ends by checking that central holds every
 * journal record exactly once with canonical bytes byte-equal to the
 * kiosk's, and that the outbox is empty.
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
#include <sqlite3.h>
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
#include "sync_proxy.h"
#include "wf.h"
#include "wf_test.h"

#define KIOSK    5
#define YEAR_MS  (INT64_C(365) * 24 * 3600 * 1000)
#define MAX_RECS 20000

static char g_dir[128], g_ledger[256], g_db[320], g_dbpath[300];
static uint8_t g_pk[32], g_sk[64];
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

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int setup(void **state)
{
	(void)state;
	snprintf(g_dir, sizeof g_dir, "/tmp/wufei-syncf.XXXXXX");
	assert_non_null(mkdtemp(g_dir));
	snprintf(g_ledger, sizeof g_ledger, "%s/journal.db", g_dir);
	snprintf(g_dbpath, sizeof g_dbpath, "%s/central.db", g_dir);
	snprintf(g_db, sizeof g_db, "sqlite:%s", g_dbpath);
	char err[256];
	assert_int_equal(ledger_init(g_ledger, KIOSK, err, sizeof err), WF_OK);
	assert_int_equal(signing_keypair_generate(g_pk, g_sk), WF_OK);
	char pub[300], out[4096];
	harness_write_pub(g_dir, "k5.pub", g_pk, pub, sizeof pub);
	const char *args[] = {"kiosk", "add", "5", "--pubkey", pub, NULL};
	assert_int_equal(harness_cli(g_db, out, sizeof out, args), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	harness_kill_started();
	char cmd[200];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
	return system(cmd);
}

static struct ledger *open_ledger(const char *path)
{
	struct ledger *l = NULL;
	char err[256];
	assert_int_equal(ledger_open(path, &l, err, sizeof err), WF_OK);
	return l;
}

/* Appends n bin collections with kiosk-clock time t_ms (0 = now); grams vary with salt. */
static void append_bins_to(struct ledger *l, int n, int64_t t_ms, int64_t salt)
{
	for (int i = 0; i < n; i++) {
		struct wf_record r;
		memset(&r, 0, sizeof r);
		r.kind = WF_RECORD_BIN;
		r.time_ms = t_ms ? t_ms : now_ms();
		r.bin.category_id = (uint16_t)(1 + i % 3);
		r.bin.grams = 1000 + salt + i;
		r.bin.staff_id = 7;
		assert_int_equal(ledger_append(l, &r, NULL, NULL, NULL), WF_OK);
	}
}

static void append_bins(const char *path, int n, int64_t t_ms, int64_t salt)
{
	struct ledger *l = open_ledger(path);
	append_bins_to(l, n, t_ms, salt);
	ledger_close(l);
}

static int64_t depth_of(const char *path)
{
	struct ledger *l = open_ledger(path);
	int64_t d = -1;
	assert_int_equal(ledger_outbox_depth(l, &d), WF_OK);
	ledger_close(l);
	return d;
}

static uint64_t last_of(const char *path)
{
	struct ledger *l = open_ledger(path);
	uint64_t last = 0;
	assert_int_equal(ledger_last(l, &last, NULL), WF_OK);
	ledger_close(l);
	return last;
}

static long central_count(const char *where)
{
	char sql[300];
	snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM records WHERE kiosk=%d%s%s", KIOSK,
	         where ? " AND " : "", where ? where : "");
	return harness_count(g_dbpath, sql);
}

static long alert_count(const char *where)
{
	char sql[300];
	snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM tamper_alerts%s%s", where ? " WHERE " : "",
	         where ? where : "");
	return harness_count(g_dbpath, sql);
}

/* ---- comparing the journal with central ---- */

struct cmp {
	sqlite3 *db;
	sqlite3_stmt *st;
	uint64_t from, to; /* only seqs in [from, to] */
	long journal, equal, differ, missing;
	uint64_t first_bad;
};

static int cmp_one(void *ctx, const struct ledger_entry *e)
{
	struct cmp *c = ctx;
	if (e->seq < c->from || e->seq > c->to)
		return 0;
	c->journal++;
	sqlite3_reset(c->st);
	sqlite3_bind_int64(c->st, 1, KIOSK);
	sqlite3_bind_int64(c->st, 2, (sqlite3_int64)e->seq);
	if (sqlite3_step(c->st) != SQLITE_ROW) {
		c->missing++;
	} else if ((size_t)sqlite3_column_bytes(c->st, 0) == e->len &&
	           memcmp(sqlite3_column_blob(c->st, 0), e->bytes, e->len) == 0 &&
	           sqlite3_column_bytes(c->st, 1) == 32 &&
	           memcmp(sqlite3_column_blob(c->st, 1), e->hash, 32) == 0) {
		c->equal++;
		return 0;
	} else {
		c->differ++;
	}
	if (!c->first_bad)
		c->first_bad = e->seq;
	return 0;
}

/* Compares the journal's records with seq in [from, to] with central's. */
static struct cmp compare_range(const char *ledger_path, uint64_t from, uint64_t to)
{
	struct cmp c;
	memset(&c, 0, sizeof c);
	c.from = from;
	c.to = to;
	assert_int_equal(sqlite3_open_v2(g_dbpath, &c.db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(
	    sqlite3_prepare_v2(c.db, "SELECT bytes, hash FROM records WHERE kiosk=? AND seq=?", -1,
	                       &c.st, NULL),
	    SQLITE_OK);
	struct ledger *l = open_ledger(ledger_path);
	assert_int_equal(ledger_each(l, cmp_one, &c), 0);
	ledger_close(l);
	sqlite3_finalize(c.st);
	sqlite3_close(c.db);
	c.db = NULL;
	c.st = NULL;
	return c;
}

/*
 * The end of every test: central holds every journal record exactly once
 * ((kiosk, seq) is its primary key, so "once" = its row count equals the
 * journal's), byte-equal, with the same chain hash; the outbox is empty.
 */
static void assert_exactly_once(const char *ledger_path)
{
	struct cmp c = compare_range(ledger_path, 0, UINT64_MAX);
	if (c.missing || c.differ)
		print_error(
		    "journal %ld records: %ld equal, %ld differ, %ld missing (first seq %" PRIu64
		    ")\n",
		    c.journal, c.equal, c.differ, c.missing, c.first_bad);
	assert_true(c.journal > 0);
	assert_int_equal(c.missing, 0);
	assert_int_equal(c.differ, 0);
	assert_int_equal(c.equal, c.journal);
	assert_int_equal(central_count(NULL), c.journal);
	assert_int_equal(depth_of(ledger_path), 0);
}

/* ---- central and the sync client ---- */

static void start_central(struct central_proc *c, struct proxy *p, const char *const *extra)
{
	assert_int_equal(harness_start_args(c, g_db, 0, extra), 0);
	if (p) {
		atomic_store(&p->kill_pid, c->pid);
		atomic_store(&p->upstream_port, c->port);
	}
}

static void make_sync_at(int port, const char *ledger_path, struct sync **s,
                         int64_t (*clock)(void *), void *clock_ctx, unsigned batch_max)
{
	char url[64], err[256];
	snprintf(url, sizeof url, "http://127.0.0.1:%d", port);
	struct sync_config cfg = {.url = url,
	                          .ledger_path = ledger_path,
	                          .kiosk = KIOSK,
	                          .key_id = 1,
	                          .secret_key = g_sk,
	                          .batch_max = batch_max,
	                          .timeout_ms = 20000,
	                          .backoff_min_ms = 10,
	                          .backoff_cap_ms = 100,
	                          .clock_ms = clock,
	                          .clock_ctx = clock_ctx};
	assert_int_equal(sync_create(&cfg, s, err, sizeof err), WF_OK);
}

static struct sync_status status_of(struct sync *s)
{
	struct sync_status st;
	sync_get_status(s, &st);
	return st;
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
	make_sync_at(p.port, g_ledger, &s, NULL, NULL, 37);
	long n = wf_test_loops(600);

	atomic_store(&p.mode, PROXY_TWICE_SECOND);
	append_bins(g_ledger, (int)n, 0, 0);
	assert_int_equal(sync_round(s, true), WF_OK);
	struct sync_status st = status_of(s);
	assert_int_equal(st.stored, 0);
	assert_int_equal(st.duplicates, n);
	assert_int_equal(central_count(NULL), n);
	assert_int_equal(depth_of(g_ledger), 0);

	atomic_store(&p.mode, PROXY_TWICE_FIRST);
	append_bins(g_ledger, (int)n, 0, 7);
	assert_int_equal(sync_round(s, true), WF_OK);
	st = status_of(s);
	assert_int_equal(st.stored, n);
	assert_int_equal(st.duplicates, n);
	assert_int_equal(st.conflicts, 0);
	assert_true(atomic_load(&p.batches) >= 2 * ((n + 36) / 37));

	sync_destroy(s);
	assert_int_equal(harness_stop(&c, SIGTERM), 0);
	proxy_stop(&p);
	assert_exactly_once(g_ledger);
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
	make_sync_at(p.port, g_ledger, &s, NULL, NULL, 50);
	struct ledger *l = open_ledger(g_ledger);
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
	assert_exactly_once(g_ledger);
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
	make_sync_at(p.port, g_ledger, &s, NULL, NULL, 25);
	struct ledger *l = open_ledger(g_ledger);
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
	assert_exactly_once(g_ledger);
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
	make_sync_at(p.port, g_ledger, &s, NULL, NULL, 0);
	long rounds = wf_test_loops(20), total = 0, stored_at_central = 0;
	for (long i = 0; i < rounds; i++) {
		bool after = i % 2 == 1;
		const char *extra[] = {"--crash-at", after ? "after-commit" : "before-commit",
		                       NULL};
		start_central(&c, &p, extra);
		int k = 1 + (int)(rnd() % 20);
		append_bins(g_ledger, k, 0, i * 100);
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
		assert_int_equal(depth_of(g_ledger), total);
	}
	start_central(&c, &p, NULL);
	assert_int_equal(sync_round(s, true), WF_OK);
	struct sync_status st = status_of(s);
	assert_int_equal(st.stored, total - stored_at_central);
	assert_int_equal(st.duplicates, stored_at_central);
	sync_destroy(s);
	assert_int_equal(harness_stop(&c, SIGTERM), 0);
	proxy_stop(&p);
	assert_exactly_once(g_ledger);
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
	make_sync_at(p.port, g_ledger, &s, NULL, NULL, 0);
	assert_int_equal(sync_start(s), WF_OK);
	struct ledger *l = open_ledger(g_ledger);
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
	assert_exactly_once(g_ledger);
}

/* ---- 5. the kiosk's clock a year off ---- */

struct skew {
	int64_t offset_ms;
};

static int64_t skewed_clock(void *ctx)
{
	const struct skew *k = ctx;
	return now_ms() + k->offset_ms;
}

static void run_skew(int64_t offset_ms)
{
	struct central_proc c;
	struct sync *s = NULL;
	struct skew k = {offset_ms};
	start_central(&c, NULL, NULL);
	make_sync_at(c.port, g_ledger, &s, skewed_clock, &k, 100);
	long n = wf_test_loops(450);
	append_bins(g_ledger, (int)n, skewed_clock(&k), 0);
	int rc = WF_EIO, rounds = 0;
	while (rc != WF_OK && rounds < 3) {
		rc = sync_round(s, true);
		rounds++;
	}
	assert_int_equal(rc, WF_OK);
	struct sync_status st = status_of(s);
	printf("clock %+" PRId64 " days: drained after %d round(s), offset %" PRId64 " ms\n",
	       offset_ms / 86400000, rounds, st.offset_ms);
	/* the kiosk now knows central's time to within a few seconds */
	assert_true(llabs(st.offset_ms + offset_ms) < 5000);
	assert_int_equal(st.stored, n);
	/* and keeps using it: later records go on the first try */
	append_bins(g_ledger, 9, skewed_clock(&k), 1);
	assert_int_equal(sync_round(s, true), WF_OK);
	st = status_of(s);
	assert_int_equal(st.stored, n + 9);
	assert_int_equal(st.duplicates, 0);
	assert_int_equal(st.conflicts, 0);
	sync_destroy(s);
	assert_int_equal(harness_stop(&c, SIGTERM), 0);
	assert_exactly_once(g_ledger);
	assert_int_equal(alert_count(NULL), 0);
}

static void test_clock_year_behind(void **state)
{
	(void)state;
	run_skew(-YEAR_MS);
}

static void test_clock_year_ahead(void **state)
{
	(void)state;
	run_skew(YEAR_MS);
}

/* ---- 6. a tampered re-send ---- */

struct saved {
	uint64_t seq;
	size_t len;
	uint8_t bytes[WF_RECORD_MAX_LEN];
};

struct saved_set {
	struct saved *v;
	size_t n, cap;
};

static int save_one(void *ctx, const struct ledger_entry *e)
{
	struct saved_set *s = ctx;
	if (s->n == s->cap)
		return 1;
	s->v[s->n].seq = e->seq;
	s->v[s->n].len = e->len;
	memcpy(s->v[s->n].bytes, e->bytes, e->len);
	s->n++;
	return 0;
}

static struct saved_set save_journal(const char *path, size_t cap)
{
	struct saved_set s = {calloc(cap, sizeof(struct saved)), 0, cap};
	assert_non_null(s.v);
	struct ledger *l = open_ledger(path);
	assert_int_equal(ledger_each(l, save_one, &s), 0);
	ledger_close(l);
	return s;
}

/* Central's bytes for seq equal saved? */
static bool central_has(const struct saved *sv)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	bool eq = false;
	assert_int_equal(sqlite3_open_v2(g_dbpath, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT bytes FROM records WHERE kiosk=? AND seq=?",
	                                    -1, &st, NULL),
	                 SQLITE_OK);
	sqlite3_bind_int64(st, 1, KIOSK);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)sv->seq);
	if (sqlite3_step(st) == SQLITE_ROW)
		eq = (size_t)sqlite3_column_bytes(st, 0) == sv->len &&
		     memcmp(sqlite3_column_blob(st, 0), sv->bytes, sv->len) == 0;
	sqlite3_finalize(st);
	sqlite3_close(db);
	return eq;
}

/*
 * A second journal for the same kiosk number holds other bytes at seqs
 * central already stored (what an edited journal re-sends).
 */
static void test_tampered_resend(void **state)
{
	(void)state;
	struct central_proc c;
	struct sync *s = NULL;
	start_central(&c, NULL, NULL);
	append_bins(g_ledger, 30, 0, 0);
	make_sync_at(c.port, g_ledger, &s, NULL, NULL, 0);
	assert_int_equal(sync_round(s, true), WF_OK);
	sync_destroy(s);
	struct saved_set orig = save_journal(g_ledger, 64);
	assert_int_equal(orig.n, 30);

	char forged[300], err[256], out[8192];
	snprintf(forged, sizeof forged, "%s/forged.db", g_dir);
	assert_int_equal(ledger_init(forged, KIOSK, err, sizeof err), WF_OK);
	append_bins(forged, 10, 0, 500); /* seq 1..10, heavier bins */
	make_sync_at(c.port, forged, &s, NULL, NULL, 0);
	assert_int_equal(sync_round(s, true), WF_OK);
	struct sync_status st = status_of(s);
	assert_int_equal(st.conflicts, 10);
	assert_int_equal(st.conflicts_held, 10); /* what the staff screen shows */
	/* later records are not blocked by the conflicts */
	append_bins(forged, 5, 0, 900);
	assert_int_equal(sync_round(s, true), WF_OK);
	sync_destroy(s);
	assert_int_equal(depth_of(forged), 0);
	/* the conflicted records stay in the journal, marked, and are listed for staff */
	struct ledger *fl = open_ledger(forged);
	int64_t held = 0;
	assert_int_equal(ledger_conflict_count(fl, &held), WF_OK);
	ledger_close(fl);
	assert_int_equal(held, 10);
	assert_int_equal(ledger_verify(forged, NULL, NULL, err, sizeof err), 0);
	char kiosk[512], cmd[1200];
	harness_bin("wufei-kiosk", kiosk, sizeof kiosk);
	snprintf(cmd, sizeof cmd, "'%s' ledger conflicts '%s' 2>&1", kiosk, forged);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	size_t got = fread(out, 1, sizeof out - 1, p);
	out[got] = '\0';
	assert_int_equal(pclose(p), 0);
	int listed = 0;
	for (const char *q = out; (q = strstr(q, "\"conflict\":true")) != NULL; q++)
		listed++;
	assert_int_equal(listed, 10);
	assert_non_null(strstr(out, "{\"seq\":1,"));
	assert_non_null(strstr(out, "{\"seq\":10,"));
	assert_null(strstr(out, "{\"seq\":11,"));
	assert_non_null(strstr(out, "10 record(s) central holds with other bytes"));

	/* the originals stay byte-identical */
	for (size_t i = 0; i < orig.n; i++)
		assert_true(central_has(&orig.v[i]));
	/* one alert per re-sent seq, with the newcomer's bytes kept */
	assert_int_equal(alert_count("kiosk=5 AND seq BETWEEN 1 AND 10 AND bytes IS NOT NULL"), 10);
	const char *args[] = {"alerts", "list", NULL};
	assert_int_equal(harness_cli(g_db, out, sizeof out, args), 0);
	assert_non_null(strstr(out, "kiosk 5\tseq 1\t"));
	assert_non_null(strstr(out, "kiosk 5\tseq 10\t"));
	/* the forged journal's later records (its epoch record and 5 more) are stored as sent */
	uint64_t last = last_of(forged);
	assert_int_equal(last, 30 + 1 + 5);
	struct cmp later = compare_range(forged, 31, UINT64_MAX);
	assert_int_equal(later.journal, 6);
	assert_int_equal(later.equal, 6);
	struct cmp early = compare_range(forged, 1, 10);
	assert_int_equal(early.differ, 10);
	assert_int_equal(central_count(NULL), 36);
	assert_int_equal(harness_stop(&c, SIGTERM), 0);
	free(orig.v);
}

/* ---- 7. a restored journal does not reuse sequence numbers ---- */

static void copy_file(const char *from, const char *to)
{
	FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
	assert_non_null(in);
	assert_non_null(out);
	char buf[65536];
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, in)) > 0)
		assert_int_equal(fwrite(buf, 1, n, out), n);
	fclose(in);
	assert_int_equal(fclose(out), 0);
}

static void remove_journal(const char *path)
{
	char p[320];
	unlink(path);
	snprintf(p, sizeof p, "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof p, "%s-shm", path);
	unlink(p);
}

static void test_restored_journal(void **state)
{
	(void)state;
	char backup[300], wal[320];
	snprintf(backup, sizeof backup, "%s/journal-at-40.db", g_dir);
	append_bins(g_ledger, 40, 0, 0);
	copy_file(g_ledger, backup); /* closed: main file (and WAL, if one was left) */
	snprintf(wal, sizeof wal, "%s-wal", g_ledger);
	if (access(wal, F_OK) == 0) {
		char bwal[320];
		snprintf(bwal, sizeof bwal, "%s-wal", backup);
		copy_file(wal, bwal);
	}

	struct central_proc c;
	struct sync *s = NULL;
	start_central(&c, NULL, NULL);
	append_bins(g_ledger, 60, 0, 40);
	make_sync_at(c.port, g_ledger, &s, NULL, NULL, 0);
	assert_int_equal(sync_round(s, true), WF_OK);
	sync_destroy(s);
	assert_exactly_once(g_ledger);
	struct saved_set before = save_journal(g_ledger, 128);
	assert_int_equal(before.n, 100);

	/* the disk dies; the journal comes back from the copy at 40 */
	remove_journal(g_ledger);
	copy_file(backup, g_ledger);
	char bwal[320];
	snprintf(bwal, sizeof bwal, "%s-wal", backup);
	if (access(bwal, F_OK) == 0)
		copy_file(bwal, wal);
	assert_int_equal(last_of(g_ledger), 40);
	make_sync_at(c.port, g_ledger, &s, NULL, NULL, 0);
	assert_int_equal(sync_epoch(s, "restored"), WF_OK);
	assert_int_equal(last_of(g_ledger), 101); /* the EPOCH record continues after 100 */
	append_bins(g_ledger, 10, 0, 9000);
	assert_int_equal(last_of(g_ledger), 111);
	assert_int_equal(sync_round(s, true), WF_OK);
	struct sync_status st = status_of(s);
	assert_int_equal(st.conflicts, 0);
	assert_int_equal(st.duplicates, 40); /* 1..40 were never acknowledged in the copy */
	assert_int_equal(st.stored, 11);     /* the epoch record and the 10 new ones */
	sync_destroy(s);
	assert_int_equal(harness_stop(&c, SIGTERM), 0);

	/* central: 1..100 as first sent, 101..111 from the restored journal, nothing else */
	for (size_t i = 0; i < before.n; i++)
		assert_true(central_has(&before.v[i]));
	struct cmp restored = compare_range(g_ledger, 0, UINT64_MAX);
	assert_int_equal(restored.journal, 51);
	assert_int_equal(restored.equal, 51);
	assert_int_equal(central_count(NULL), 111);
	assert_int_equal(central_count("seq > 100"), 11);
	assert_int_equal(alert_count(NULL), 0); /* no conflict, no chain break */
	assert_int_equal(depth_of(g_ledger), 0);
	free(before.v);
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
	make_sync_at(p.port, g_ledger, &s, NULL, NULL, 20);
	/* a genuine round first: the epoch is done, the path works */
	append_bins(g_ledger, 20, 0, 0);
	assert_int_equal(sync_round(s, true), WF_OK);
	const int variants[] = {PORTAL_NO_HASH, PORTAL_WRONG_HASH, PORTAL_HTML};
	atomic_store(&p.mode, PROXY_PORTAL);
	for (size_t v = 0; v < sizeof variants / sizeof variants[0]; v++) {
		atomic_store(&p.portal_variant, variants[v]);
		append_bins(g_ledger, 7, 0, (int64_t)v * 100);
		long batches = atomic_load(&p.batches);
		assert_int_not_equal(sync_round(s, true), WF_OK);
		assert_true(atomic_load(&p.batches) > batches); /* the portal did answer a batch */
		assert_int_equal(depth_of(g_ledger), 7 * (int64_t)(v + 1));
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
	assert_exactly_once(g_ledger);
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
	    cmocka_unit_test_setup_teardown(test_clock_year_behind, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_clock_year_ahead, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_tampered_resend, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_restored_journal, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_captive_portal, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
