/*
 * test_central_pg_dump.c — a PostgreSQL store backed up the way
 * docs/OPERATIONS-CENTRAL.md says (issue 13): `wufei-central backup`
 * refuses it, naming pg_dump; pg_dump -Fc of a store with kiosks' records,
 * restored with pg_restore into a FRESH cluster (a second one), gives a
 * store on which `report daily` has the same figures, and a central serving
 * from it carries on: the journal continues (stored), what it already held
 * is duplicate. PostgreSQL only, on clusters of its own.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "ops_support.h"
#include "testdb.h"

#define PER_BATCH 20
#define BATCHES   6

struct clusters {
	char first[256], second[256], dir[256];
};

static int setup(void **state)
{
	static struct clusters c;
	snprintf(c.first, sizeof c.first, "/tmp/wufei-pgdump-a-XXXXXX");
	snprintf(c.second, sizeof c.second, "/tmp/wufei-pgdump-b-XXXXXX");
	snprintf(c.dir, sizeof c.dir, "/tmp/wufei-pgdump-XXXXXX");
	assert_non_null(mkdtemp(c.first));
	assert_non_null(mkdtemp(c.second));
	assert_non_null(mkdtemp(c.dir));
	*state = &c;
	return 0;
}

static int teardown(void **state)
{
	struct clusters *c = *state;
	harness_kill_started();
	ops_cluster("stop", c->first);
	ops_cluster("stop", c->second);
	ops_rmdir(c->first);
	ops_rmdir(c->second);
	ops_rmdir(c->dir);
	return 0;
}

static void test_dump_restore(void **state)
{
	struct clusters *c = *state;
	char url[600], url2[600], cmd[2048], out[8192];
	static char before[65536], after[65536];
	/* a store with two kiosks' records, on the first cluster */
	ops_cluster_start(c->first);
	assert_int_equal(testdb_url(url, sizeof url, "unused"), 0);
	ops_store(url, c->dir);
	struct central_proc p;
	assert_int_equal(harness_start(&p, url, 0), 0);
	struct ops_tally t = {0};
	struct ops_kiosk k7 = {.kiosk = 7, .next = 1}, k8 = {.kiosk = 8, .next = 1};
	for (unsigned i = 0; i < BATCHES; i++) {
		assert_int_equal(ops_send(p.port, &k7, PER_BATCH, &t, NULL), 200);
		assert_int_equal(ops_send(p.port, &k8, PER_BATCH / 2, &t, NULL), 200);
	}
	assert_int_equal(harness_stop(&p, SIGTERM), 0);
	ops_report(url, before, sizeof before);
	/* wufei-central backup refuses, and says what to use */
	snprintf(cmd, sizeof cmd, "\"$CENTRAL\" backup --out '%s/copy.db' --db '%s'", c->dir, url);
	assert_int_equal(ops_shell(cmd, out, sizeof out), 1);
	assert_non_null(strstr(out, "pg_dump -Fc"));
	/* pg_dump, a fresh cluster, pg_restore */
	snprintf(cmd, sizeof cmd, "\"$PG_BIN/pg_dump\" -Fc --file '%s/central.dump' '%s'", c->dir,
	         url);
	assert_int_equal(ops_shell(cmd, out, sizeof out), 0);
	ops_cluster_start(c->second);
	assert_int_equal(testdb_url(url2, sizeof url2, "unused"), 0);
	snprintf(cmd, sizeof cmd,
	         "\"$PG_BIN/pg_restore\" --no-owner --exit-on-error -d '%s' '%s/central.dump'",
	         url2, c->dir);
	assert_int_equal(ops_shell(cmd, out, sizeof out), 0);
	assert_int_equal(ops_cluster("stop", c->first), 0); /* the old one is gone */
	/* the same figures */
	ops_report(url2, after, sizeof after);
	assert_string_equal(after, before);
	char drops[32];
	snprintf(drops, sizeof drops, ",%u,", BATCHES * PER_BATCH);
	assert_non_null(strstr(after, drops)); /* kiosk 7's drops: not an empty report */
	/* a central on the restored store carries on */
	assert_int_equal(harness_start(&p, url2, 0), 0);
	struct ops_tally t2 = {0};
	assert_int_equal(ops_send(p.port, &k7, PER_BATCH, &t2, NULL), 200);
	assert_int_equal(t2.stored, PER_BATCH);
	struct ops_kiosk again = {.kiosk = 8, .next = 1};
	assert_int_equal(ops_send(p.port, &again, PER_BATCH / 2, &t2, NULL), 200);
	assert_int_equal(t2.duplicate, PER_BATCH / 2);
	assert_int_equal(t2.conflict + t2.other, 0);
	assert_int_equal(testdb_count(url2, "SELECT COUNT(*) FROM tamper_alerts"), 0);
	assert_int_equal(harness_stop(&p, SIGTERM), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_dump_restore, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
