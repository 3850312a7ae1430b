/* testdb.c — see testdb.h. */
#include "testdb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libpq-fe.h>
#include <sqlite3.h>

static const char *pg_dir(void)
{
	const char *d = getenv("WUFEI_TEST_PG");
	return d && *d ? d : NULL;
}

bool testdb_is_pg(void)
{
	return pg_dir() != NULL;
}

/* The cluster's admin URL (STATE_DIR/url, written by pg-cluster.sh). */
static int admin_url(char *out, size_t cap)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/url", pg_dir());
	FILE *f = fopen(path, "r");
	if (!f || !fgets(out, (int)cap, f)) {
		fprintf(stderr, "testdb: no PostgreSQL cluster at %s (pg-cluster.sh start)\n",
		        path);
		if (f)
			fclose(f);
		return -1;
	}
	fclose(f);
	out[strcspn(out, "\r\n")] = '\0';
	return 0;
}

static PGconn *pg_connect(const char *url)
{
	PGconn *c = PQconnectdb(url);
	if (PQstatus(c) != CONNECTION_OK) {
		fprintf(stderr, "testdb: cannot connect: %s", PQerrorMessage(c));
		PQfinish(c);
		return NULL;
	}
	return c;
}

int testdb_url(char *url, size_t cap, const char *sqlite_path)
{
	if (!testdb_is_pg()) {
		int n = snprintf(url, cap, "sqlite:%s", sqlite_path);
		return n > 0 && (size_t)n < cap ? 0 : -1;
	}
	static unsigned counter;
	char admin[1024], name[64], sql[128];
	if (admin_url(admin, sizeof admin))
		return -1;
	snprintf(name, sizeof name, "wf_%ld_%u_%u", (long)getpid(),
	         __atomic_add_fetch(&counter, 1, __ATOMIC_SEQ_CST), (unsigned)rand() % 100000u);
	PGconn *c = pg_connect(admin);
	if (!c)
		return -1;
	snprintf(sql, sizeof sql, "CREATE DATABASE %s", name);
	PGresult *r = PQexec(c, sql);
	int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
	if (!ok)
		fprintf(stderr, "testdb: %s: %s", sql, PQresultErrorMessage(r));
	PQclear(r);
	PQfinish(c);
	if (!ok)
		return -1;
	/* the admin URL names database "postgres": the same URL with ours */
	const char *at = strstr(admin, "/postgres?");
	if (!at)
		return -1;
	int n = snprintf(url, cap, "%.*s/%s%s", (int)(at - admin), admin, name,
	                 at + strlen("/postgres"));
	return n > 0 && (size_t)n < cap ? 0 : -1;
}

int testdb_exec(const char *url, const char *sql)
{
	if (strncmp(url, "sqlite:", 7) == 0) {
		sqlite3 *db = NULL;
		char *err = NULL;
		int rc = sqlite3_open(url + 7, &db);
		if (rc == SQLITE_OK)
			rc = sqlite3_exec(db, sql, NULL, NULL, &err);
		if (rc != SQLITE_OK)
			fprintf(stderr, "testdb: %s: %s\n", sql, err ? err : sqlite3_errmsg(db));
		sqlite3_free(err);
		sqlite3_close(db);
		return rc == SQLITE_OK ? 0 : -1;
	}
	PGconn *c = pg_connect(url);
	if (!c)
		return -1;
	PGresult *r = PQexec(c, sql);
	ExecStatusType st = PQresultStatus(r);
	int ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
	if (!ok)
		fprintf(stderr, "testdb: %s: %s", sql, PQresultErrorMessage(r));
	PQclear(r);
	PQfinish(c);
	return ok ? 0 : -1;
}

long testdb_count(const char *url, const char *sql)
{
	long v = -1;
	if (strncmp(url, "sqlite:", 7) == 0) {
		sqlite3 *db = NULL;
		sqlite3_stmt *st = NULL;
		if (sqlite3_open_v2(url + 7, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
		    sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
		    sqlite3_step(st) == SQLITE_ROW)
			v = (long)sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
		sqlite3_close(db);
		return v;
	}
	PGconn *c = pg_connect(url);
	if (!c)
		return -1;
	PGresult *r = PQexec(c, sql);
	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0) {
		/* as SQLite reads it: NULL 0, a boolean 1 or 0 */
		const char *t = PQgetvalue(r, 0, 0);
		if (PQgetisnull(r, 0, 0) || strcmp(t, "f") == 0)
			v = 0;
		else
			v = strcmp(t, "t") == 0 ? 1 : strtol(t, NULL, 10);
	} else
		fprintf(stderr, "testdb: %s: %s", sql, PQresultErrorMessage(r));
	PQclear(r);
	PQfinish(c);
	return v;
}
