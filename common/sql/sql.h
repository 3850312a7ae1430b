/*
 * sql.h — the one SQLite helper layer, shared by the kiosk's journal and
 * central's store: SQLite results (and the OS error behind them) to wf_err,
 * a message for people, and prepare / step / transactions that say what
 * failed.
 *
 * Error mapping (sql_err): BUSY, LOCKED -> WF_EBUSY; FULL, or an I/O error
 * whose errno is ENOSPC or EDQUOT -> WF_EFULL; READONLY, or EROFS, EACCES,
 * EPERM behind an I/O error -> WF_EROFS; CORRUPT, NOTADB -> WF_ECORRUPT;
 * NOMEM -> WF_ENOMEM; a UNIQUE or PRIMARY KEY constraint -> WF_EEXIST (a row
 * that exists); any other constraint, MISMATCH, RANGE -> WF_EINVAL; ENOENT
 * behind CANTOPEN -> WF_ENOENT; the rest WF_EIO.
 *
 * Messages go to err[cap] (may be NULL / 0): "disk full: insert: database or
 * disk is full / No space left on device". Nothing here prints or exits.
 */
#ifndef WUFEI_SQL_H
#define WUFEI_SQL_H

#include <stdbool.h>
#include <stddef.h>

#include <sqlite3.h>

/* sql_err — the wf_err of SQLite result rc on db (db may be NULL). OK, ROW
 * and DONE are WF_OK. */
int sql_err(sqlite3 *db, int rc);

/*
 * sql_fail — sql_err, with the message "<hint><what>: <sqlite's message>[ /
 * <strerror>]" into err; the hint names the cause people can act on ("disk
 * full: ", "storage is read-only: ", "database is damaged: "). A result
 * that maps to WF_OK is reported as WF_EIO (the caller saw a failure).
 */
int sql_fail(sqlite3 *db, int rc, const char *what, char *err, size_t cap);

/* sql_exec — runs sql (one or more statements, no rows wanted). */
int sql_exec(sqlite3 *db, const char *sql, char *err, size_t cap);

/* sql_prepare — *st (NULL on failure) for sql. */
int sql_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **st, char *err, size_t cap);

/* sql_done — steps st, which must give no row, and finalizes it. */
int sql_done(sqlite3 *db, sqlite3_stmt *st, char *err, size_t cap);

/*
 * sql_step_row — steps st: 1 for a row, 0 when done, or a negative wf_err.
 * st stays prepared (reset or finalize it yourself).
 */
int sql_step_row(sqlite3 *db, sqlite3_stmt *st, char *err, size_t cap);

/* Transactions: BEGIN IMMEDIATE (immediate, takes the write lock now) or
 * BEGIN DEFERRED; COMMIT; ROLLBACK (never fails from the caller's view:
 * SQLite has rolled back on its own where ROLLBACK itself fails). */
int sql_begin(sqlite3 *db, bool immediate, char *err, size_t cap);
int sql_commit(sqlite3 *db, char *err, size_t cap);
void sql_rollback(sqlite3 *db);

#endif
