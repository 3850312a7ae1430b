/*
 * teststore.h — the fresh store a storage test opens, from one place for
 * every such test (test_store_contract.c, test_store_catalogue.c,
 * test_office_store.c, test_points.c): its own folder under /tmp, a fresh
 * database on the test's backend (testdb_url: a SQLite file in the folder,
 * or a new database on the throwaway PostgreSQL of the _pg twin) opened,
 * and kiosks enrolled. It asserts with cmocka, so it belongs in cmocka tests
 * only. Add teststore.c to the test's SOURCES (it needs wufei_store and the
 * PG option's wufei_testdb).
 */
#ifndef WUFEI_TESTS_CENTRAL_TESTSTORE_H
#define WUFEI_TESTS_CENTRAL_TESTSTORE_H

#include <stdint.h>

#include "store.h"

struct test_store {
	char dir[64];   /* the test's own folder (removed by test_store_close) */
	char path[128]; /* dir/central.db: the SQLite file (unused on PostgreSQL) */
	char url[1024]; /* the store's URL, for more handles or the command line */
	struct store *s;
};

/*
 * test_store_open — t filled: a new folder /tmp/wufei-<tag>-XXXXXX, a fresh
 * database and a handle on it (migrated, empty). Fails the test (saying
 * why) when any of it does not work.
 */
void test_store_open(struct test_store *t, const char *tag);

/* test_store_kiosk — kiosk (named name, NULL: none) enrolled at time 1, and
 * its signing key 1 when pk is not NULL. Asserted. */
void test_store_kiosk(struct store *s, uint32_t kiosk, const char *name, const uint8_t pk[32]);

/* test_store_close — the handle closed and the folder removed (a PostgreSQL
 * database stays until the throwaway cluster goes). */
void test_store_close(struct test_store *t);

#endif
