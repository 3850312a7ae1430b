/*
 * test_central_backup.c — `wufei-central backup` (issue 13): a SQLite store
 * copied while a kiosk syncs into the central that serves it. The copy is
 * one moment of the store: whole batches only (each is one transaction),
 * the first N records of the journal and nothing after, and `report daily`
 * on it gives exactly the figures of a store that received those N records
 * and no others. A PostgreSQL store is refused with a message naming
 * pg_dump (tests/central/test_central_pg_dump.c covers that side).
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
#include <sys/stat.h>

#include "harness.h"
#include "ops_support.h"
#include "testdb.h"

#define PER_BATCH 20
#define AFTER     3    /* batches sent after the backup finished */
#define BATCH_CAP 2000 /* the test's generous bound on batches */

struct backup_run {
	char url[600];
	char out[600];
	atomic_int rc;
	atomic_bool done;
};

/* The backup, in a thread of its own: `wufei-central backup` (no asserts here). */
static void *backup_main(void *arg)
{
	struct backup_run *b = arg;
	char said[512];
	b->rc = harness_cli(b->url, said, sizeof said,
	                    (const char *[]){"backup", "--out", b->out, NULL});
	b->done = true;
	return NULL;
}

/* A store at dir/name with kiosks enrolled: its URL into url. */
static void new_store(const char *dir, const char *name, char *url, size_t cap)
{
	snprintf(url, cap, "sqlite:%s/%s", dir, name);
	ops_store(url, dir);
}

/* The journal's first n records sent to a fresh central on url. */
static void replay_into(const char *url, uint32_t n)
{
	struct central_proc c;
	struct ops_tally t = {0};
	struct ops_kiosk k = {.kiosk = 7, .next = 1};
	assert_int_equal(harness_start(&c, url, 0), 0);
	while (k.next <= n)
		assert_int_equal(ops_send(c.port, &k, PER_BATCH, &t, NULL), 200);
	assert_int_equal(harness_stop(&c, SIGTERM), 0);
	assert_int_equal(t.stored, n);
}

static void test_backup_while_syncing(void **state)
{
	(void)state;
	char dir[] = "/tmp/wufei-backup-test-XXXXXX";
	assert_non_null(mkdtemp(dir));
	static struct backup_run b;
	struct central_proc c;
	new_store(dir, "central.db", b.url, sizeof b.url);
	snprintf(b.out, sizeof b.out, "%s/copy.db", dir);
	assert_int_equal(harness_start(&c, b.url, 0), 0);
	/* the kiosk syncs all along; the backup starts after its third batch */
	struct ops_tally t = {0};
	struct ops_kiosk k = {.kiosk = 7, .next = 1};
	pthread_t th;
	unsigned after = 0;
	for (unsigned i = 0; i < BATCH_CAP && after < AFTER; i++) {
		assert_int_equal(ops_send(c.port, &k, PER_BATCH, &t, NULL), 200);
		if (i == 2)
			assert_int_equal(pthread_create(&th, NULL, backup_main, &b), 0);
		after += i > 2 && b.done;
	}
	assert_int_equal(after, AFTER);
	pthread_join(th, NULL);
	assert_int_equal(b.rc, 0);
	uint32_t sent = k.next - 1;
	assert_int_equal(t.stored, sent);
	/* the copy: whole batches, a prefix of the journal, not what came after */
	char copy[620];
	snprintf(copy, sizeof copy, "sqlite:%s", b.out);
	long n = testdb_count(copy, "SELECT COUNT(*) FROM records WHERE kiosk = 7");
	assert_true(n >= 3 * PER_BATCH);
	assert_true(n <= (long)sent - AFTER * PER_BATCH);
	assert_int_equal(n % PER_BATCH, 0);
	print_message("copy holds %ld of %u records sent\n", n, sent);
	assert_int_equal(testdb_count(copy, "SELECT MAX(seq) FROM records WHERE kiosk = 7"), n);
	/* its figures are those of a store that got exactly those records */
	char ref_url[600];
	new_store(dir, "reference.db", ref_url, sizeof ref_url);
	replay_into(ref_url, (uint32_t)n);
	static char got[65536], want[65536], now[65536];
	ops_report(copy, got, sizeof got);
	ops_report(ref_url, want, sizeof want);
	assert_string_equal(got, want);
	char drops[32];
	snprintf(drops, sizeof drops, ",%ld,", n);
	assert_non_null(strstr(got, drops)); /* the report counts them: not an empty one */
	/* the source went on: its figures now are not the copy's */
	ops_report(b.url, now, sizeof now);
	assert_string_not_equal(now, got);
	assert_int_equal(harness_stop(&c, SIGTERM), 0);
	ops_rmdir(dir);
}

/* A backup never overwrites: the second one to the same file is refused and
 * the first copy stays as it was. */
static void test_backup_never_overwrites(void **state)
{
	(void)state;
	char dir[] = "/tmp/wufei-backup-test-XXXXXX", url[600], out[600], said[512];
	assert_non_null(mkdtemp(dir));
	new_store(dir, "central.db", url, sizeof url);
	snprintf(out, sizeof out, "%s/copy.db", dir);
	const char *args[] = {"backup", "--out", out, NULL};
	assert_int_equal(harness_cli(url, said, sizeof said, args), 0);
	assert_non_null(strstr(said, "backed up to"));
	struct stat st;
	assert_int_equal(stat(out, &st), 0);
	assert_int_equal(st.st_mode & 077, 0); /* the operator's only: it holds the card key */
	char copy[620];
	snprintf(copy, sizeof copy, "sqlite:%s", out);
	assert_int_equal(testdb_count(copy, "SELECT COUNT(*) FROM kiosks"), 2);
	char pub[620];
	snprintf(pub, sizeof pub, "%s/k7.pub", dir);
	assert_int_equal(
	    harness_cli(url, NULL, 0, (const char *[]){"kiosk", "add", "9", "--pubkey", pub, NULL}),
	    0);
	assert_int_equal(harness_cli(url, NULL, 0, args), 1);
	assert_int_equal(testdb_count(copy, "SELECT COUNT(*) FROM kiosks"), 2);
	assert_int_equal(harness_cli(url, NULL, 0, (const char *[]){"backup", NULL}), 2);
	ops_rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_backup_while_syncing),
	    cmocka_unit_test(test_backup_never_overwrites),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	harness_kill_started();
	return rc;
}
