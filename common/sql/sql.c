/* sql.c — the one SQLite helper layer (sql.h). */
#include "sql.h"

#include "wf.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int sql_err(sqlite3 *db, int rc)
{
	int sys = db ? sqlite3_system_errno(db) : 0;
	int ext = db && (rc & 0xff) == SQLITE_CONSTRAINT ? sqlite3_extended_errcode(db) : rc;
	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_ROW:
	case SQLITE_DONE: return WF_OK;
	case SQLITE_BUSY:
	case SQLITE_LOCKED: return WF_EBUSY;
	case SQLITE_FULL: return WF_EFULL;
	case SQLITE_READONLY: return WF_EROFS;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB: return WF_ECORRUPT;
	case SQLITE_NOMEM: return WF_ENOMEM;
	case SQLITE_CONSTRAINT:
		return ext == SQLITE_CONSTRAINT_UNIQUE || ext == SQLITE_CONSTRAINT_PRIMARYKEY
		           ? WF_EEXIST
		           : WF_EINVAL;
	case SQLITE_MISMATCH:
	case SQLITE_RANGE: return WF_EINVAL;
	default:
		if (sys == ENOSPC || sys == EDQUOT)
			return WF_EFULL;
		if (sys == EROFS || sys == EACCES || sys == EPERM)
			return WF_EROFS;
		if (sys == ENOENT)
			return WF_ENOENT;
		return WF_EIO;
	}
}

int sql_fail(sqlite3 *db, int rc, const char *what, char *err, size_t cap)
{
	int e = sql_err(db, rc);
	if (e == WF_OK)
		e = WF_EIO;
	if (!err || !cap)
		return e;
	int sys = db ? sqlite3_system_errno(db) : 0;
	const char *hint = e == WF_EFULL      ? "disk full: "
	                   : e == WF_EROFS    ? "storage is read-only: "
	                   : e == WF_ECORRUPT ? "database is damaged: "
	                                      : "";
	snprintf(err, cap, "%s%s: %s%s%s", hint, what, db ? sqlite3_errmsg(db) : sqlite3_errstr(rc),
	         sys ? " / " : "", sys ? strerror(sys) : "");
	return e;
}

int sql_exec(sqlite3 *db, const char *sql, char *err, size_t cap)
{
	int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
	return rc == SQLITE_OK ? WF_OK : sql_fail(db, rc, "exec", err, cap);
}

int sql_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **st, char *err, size_t cap)
{
	*st = NULL;
	int rc = sqlite3_prepare_v2(db, sql, -1, st, NULL);
	if (rc == SQLITE_OK)
		return WF_OK;
	sqlite3_finalize(*st);
	*st = NULL;
	return sql_fail(db, rc, "prepare", err, cap);
}

int sql_done(sqlite3 *db, sqlite3_stmt *st, char *err, size_t cap)
{
	int rc = sqlite3_step(st);
	int out = rc == SQLITE_DONE ? WF_OK : sql_fail(db, rc, "step", err, cap);
	sqlite3_finalize(st);
	return out;
}

int sql_step_row(sqlite3 *db, sqlite3_stmt *st, char *err, size_t cap)
{
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	return sql_fail(db, rc, "step", err, cap);
}

int sql_begin(sqlite3 *db, bool immediate, char *err, size_t cap)
{
	int rc = sqlite3_exec(db, immediate ? "BEGIN IMMEDIATE" : "BEGIN", NULL, NULL, NULL);
	return rc == SQLITE_OK ? WF_OK : sql_fail(db, rc, "begin", err, cap);
}

int sql_commit(sqlite3 *db, char *err, size_t cap)
{
	int rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	return rc == SQLITE_OK ? WF_OK : sql_fail(db, rc, "commit", err, cap);
}

void sql_rollback(sqlite3 *db)
{
	if (!sqlite3_get_autocommit(db))
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
}
