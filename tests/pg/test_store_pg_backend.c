/*
 * test_store_pg_backend — the PostgreSQL backend itself: every op of
 * store.h filled in, migrations that run once when several centrals open
 * one database together. On SQLite (the twin without _pg) the concurrent
 * opens run against one file.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <setjmp.h>
#include <cmocka.h>

#include "store.h"
#include "testdb.h"
#include "wf_test.h"

/* Every member of the PostgreSQL ops table is set. */
static void test_ops_complete(void **state)
{
	(void)state;
	const struct store_ops *ops = store_pg_ops();
	enum { N = sizeof *ops / sizeof(void (*)(void)) };
	void (*fns[N])(void);
	memcpy(fns, ops, sizeof fns);
	int missing = 0;
	for (size_t i = 0; i < N; i++) {
		if (!fns[i]) {
			fprintf(stderr, "store_ops member %zu has no PostgreSQL function\n", i);
			missing++;
		}
	}
	assert_int_equal(missing, 0);
}

struct opener {
	const char *url;
	int rc;
	char why[256];
};

static void *open_one(void *arg)
{
	struct opener *o = arg;
	struct store *s = NULL;
	o->rc = store_open(o->url, &s, o->why, sizeof o->why);
	store_close(s);
	return NULL;
}

/* Eight centrals starting at once on one new database all open it. */
static void test_concurrent_open(void **state)
{
	(void)state;
	char dir[] = "/tmp/wf-pgb-XXXXXX", path[64], url[1024];
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/c.db", dir);
	assert_int_equal(testdb_url(url, sizeof url, path), 0);
	pthread_t t[8];
	struct opener o[8];
	for (int i = 0; i < 8; i++) {
		o[i] = (struct opener){.url = url};
		assert_int_equal(pthread_create(&t[i], NULL, open_one, &o[i]), 0);
	}
	for (int i = 0; i < 8; i++) {
		pthread_join(t[i], NULL);
		if (o[i].rc)
			fprintf(stderr, "open %d: %s\n", i, o[i].why);
		assert_int_equal(o[i].rc, WF_OK);
	}
	if (testdb_is_pg())
		assert_int_equal(testdb_count(url, "SELECT count(*) FROM schema_version WHERE "
		                                   "version = 1"),
		                 1);
	/* one card key, whoever created it */
	assert_int_equal(testdb_count(url, "SELECT count(*) FROM meta WHERE key = 'card_key'"), 1);
	unlink(path);
	rmdir(dir);
}

/* A URL that names no server: a clear message, no crash, no password shown. */
static void test_unreachable(void **state)
{
	(void)state;
	struct store *s = NULL;
	char why[256] = "";
	int rc =
	    store_open("postgresql://u:sekrit@/nodb?host=/nonexistent-wufei", &s, why, sizeof why);
	assert_int_not_equal(rc, WF_OK);
	assert_null(s);
	assert_non_null(strstr(why, "cannot connect to PostgreSQL"));
	assert_null(strstr(why, "sekrit"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ops_complete),
	    cmocka_unit_test(test_concurrent_open),
	    cmocka_unit_test(test_unreachable),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
