/*
 * testdb.h — the database a storage test runs on, from one source for both
 * backends.
 *
 * A test registered with `wufei_add_test(... PG)` runs twice: as NAME on
 * SQLite files, and as NAME_pg with WUFEI_TEST_PG set to the folder of a
 * throwaway PostgreSQL cluster (tests/pg/pg-cluster.sh, started by the
 * ctest fixture "pg" and removed after, also when tests fail).
 */
#ifndef WUFEI_TESTDB_H
#define WUFEI_TESTDB_H

#include <stdbool.h>
#include <stddef.h>

/* Whether this run is the PostgreSQL twin. */
bool testdb_is_pg(void);

/*
 * testdb_url — a fresh, empty database for one store: "sqlite:"
 * sqlite_path on SQLite; on PostgreSQL a new database (its name unique to
 * this process and call) and its URL. 0, or -1 (it says why on stderr).
 */
int testdb_url(char *url, size_t cap, const char *sqlite_path);

/*
 * testdb_exec / testdb_count — SQL run straight on the database behind
 * url (either backend), for tests that look under the store: exec returns
 * 0 or -1; count returns the first column of the first row (as SQLite
 * reads it on both: NULL 0, a comparison 1 or 0), or -1.
 */
int testdb_exec(const char *url, const char *sql);
long testdb_count(const char *url, const char *sql);

#endif
