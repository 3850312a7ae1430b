/*
 * test_sync_journal.c — issue 4 "Exactly once under faults", the journal's
 * side: the kiosk's clock a year off, a second journal re-sending other
 * bytes at seqs central holds, and a journal restored from a backup. A real
 * wufei-central over loopback, real journal and central files; each test
 * ends with central holding every journal record exactly once
 * (sync_check.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "ledger.h"
#include "record.h"
#include "sync.h"
#include "sync_check.h"
#include "sync_fixture.h"
#include "wf.h"
#include "wf_test.h"

#define KIOSK   5
#define YEAR_MS (INT64_C(365) * 24 * 3600 * 1000)

static struct sync_fx g_fx;

static int setup(void **state)
{
	(void)state;
	sync_fx_setup(&g_fx, "syncr", KIOSK);
	sync_check_init(&g_fx, KIOSK);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	return sync_fx_teardown(&g_fx);
}

static void start_central(struct central_proc *c)
{
	assert_int_equal(harness_start(c, g_fx.db, 0), 0);
}

/* ---- 5. the kiosk's clock a year off ---- */

static void run_skew(int64_t offset_ms)
{
	struct central_proc c;
	struct sync *s = NULL;
	struct sync_fx_clock k;
	sync_fx_clock_init(&k, offset_ms);
	start_central(&c);
	make_sync_at(c.port, g_fx.ledger, &s, &k.clock, 100);
	long n = wf_test_loops(450);
	append_bins(g_fx.ledger, (int)n, wf_clock_utc_ms(&k.clock), 0);
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
	append_bins(g_fx.ledger, 9, wf_clock_utc_ms(&k.clock), 1);
	assert_int_equal(sync_round(s, true), WF_OK);
	st = status_of(s);
	assert_int_equal(st.stored, n + 9);
	assert_int_equal(st.duplicates, 0);
	assert_int_equal(st.conflicts, 0);
	sync_destroy(s);
	assert_int_equal(harness_stop(&c, SIGTERM), 0);
	assert_exactly_once(g_fx.ledger);
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
	char blob[2 * WF_RECORD_MAX_LEN + 16], sql[200 + sizeof blob];
	assert_int_equal(harness_blob_sql(g_fx.db, sv->bytes, sv->len, blob, sizeof blob), WF_OK);
	snprintf(sql, sizeof sql,
	         "SELECT COUNT(*) FROM records WHERE kiosk = %u AND seq = %llu AND bytes = %s",
	         (unsigned)KIOSK, (unsigned long long)sv->seq, blob);
	return harness_count(g_fx.db, sql) == 1;
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
	start_central(&c);
	append_bins(g_fx.ledger, 30, 0, 0);
	make_sync_at(c.port, g_fx.ledger, &s, NULL, 0);
	assert_int_equal(sync_round(s, true), WF_OK);
	sync_destroy(s);
	struct saved_set orig = save_journal(g_fx.ledger, 64);
	assert_int_equal(orig.n, 30);

	char forged[300], err[256], out[8192];
	snprintf(forged, sizeof forged, "%s/forged.db", g_fx.dir);
	assert_int_equal(ledger_init(forged, KIOSK, err, sizeof err), WF_OK);
	append_bins(forged, 10, 0, 500); /* seq 1..10, heavier bins */
	make_sync_at(c.port, forged, &s, NULL, 0);
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
	assert_int_equal(harness_cli(g_fx.db, out, sizeof out, args), 0);
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
	snprintf(backup, sizeof backup, "%s/journal-at-40.db", g_fx.dir);
	append_bins(g_fx.ledger, 40, 0, 0);
	copy_file(g_fx.ledger, backup); /* closed: main file (and WAL, if one was left) */
	snprintf(wal, sizeof wal, "%s-wal", g_fx.ledger);
	if (access(wal, F_OK) == 0) {
		char bwal[320];
		snprintf(bwal, sizeof bwal, "%s-wal", backup);
		copy_file(wal, bwal);
	}

	struct central_proc c;
	struct sync *s = NULL;
	start_central(&c);
	append_bins(g_fx.ledger, 60, 0, 40);
	make_sync_at(c.port, g_fx.ledger, &s, NULL, 0);
	assert_int_equal(sync_round(s, true), WF_OK);
	sync_destroy(s);
	assert_exactly_once(g_fx.ledger);
	struct saved_set before = save_journal(g_fx.ledger, 128);
	assert_int_equal(before.n, 100);

	/* the disk dies; the journal comes back from the copy at 40 */
	remove_journal(g_fx.ledger);
	copy_file(backup, g_fx.ledger);
	char bwal[320];
	snprintf(bwal, sizeof bwal, "%s-wal", backup);
	if (access(bwal, F_OK) == 0)
		copy_file(bwal, wal);
	assert_int_equal(last_of(g_fx.ledger), 40);
	make_sync_at(c.port, g_fx.ledger, &s, NULL, 0);
	assert_int_equal(sync_epoch(s, "restored"), WF_OK);
	assert_int_equal(last_of(g_fx.ledger), 101); /* the EPOCH record continues after 100 */
	append_bins(g_fx.ledger, 10, 0, 9000);
	assert_int_equal(last_of(g_fx.ledger), 111);
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
	struct cmp restored = compare_range(g_fx.ledger, 0, UINT64_MAX);
	assert_int_equal(restored.journal, 51);
	assert_int_equal(restored.equal, 51);
	assert_int_equal(central_count(NULL), 111);
	assert_int_equal(central_count("seq > 100"), 11);
	assert_int_equal(alert_count(NULL), 0); /* no conflict, no chain break */
	assert_int_equal(depth_of(g_fx.ledger), 0);
	free(before.v);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	if (getenv("WUFEI_TEST_FILTER"))
		cmocka_set_test_filter(getenv("WUFEI_TEST_FILTER"));
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_clock_year_behind, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_clock_year_ahead, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_tampered_resend, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_restored_journal, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
