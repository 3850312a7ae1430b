/*
 * store_pg.h — inside the PostgreSQL backend of store.h (private to this
 * folder). One file per side, as the SQLite backend (store_sqlite.h):
 *
 *   store_pg.c            connection, errors, parameters, prepared
 *                         statements, row walks (pg_each), transactions,
 *                         locks, the ops table
 *   store_pg_schema.c     the numbered migrations, run at open under an
 *                         advisory lock (several centrals may start at once)
 *   store_pg_journal.c    kiosks, keys, records, alerts, epochs, heartbeats
 *   store_pg_catalogue.c  rates, residents, staff, blocklist, card key
 *   store_pg_downsync.c   the down-sync read (touched residents stamped first)
 *   store_pg_health.c     ping, silence, alert reasons, places, claim_read,
 *                         replies, schema_version
 *   store_pg_points.c     the points ledger, claims, the anonymous cap
 *   store_pg_office.c     office users, sessions, audit, logins, tokens
 *   store_pg_web.c        what the office pages read
 *   store_pg_report.c     the office's reports (the summaries are kept by
 *                         migration 2's triggers)
 *   store_pg_report_close.c  day closes (store_pg_report.h)
 *   store_pg_backup.c     backup: refused, naming pg_dump (PostgreSQL's own tools)
 *   store_pg_ingest.c     a batch's records read and written at once
 *
 * Each side's file fills its members of the ops table (store_pg_fill_*);
 * store_pg_backend's test_ops_complete checks that none is left empty.
 *
 * Concurrency: transactions run at READ COMMITTED; what must be serialised
 * (a kiosk's batches, a resident's balance) takes a transaction-scoped
 * advisory lock (store_ops.lock), so two processes on one database never
 * interleave them. Rows are read as text (bytea as "\x" hex).
 */
#ifndef WUFEI_CENTRAL_STORE_PG_H
#define WUFEI_CENTRAL_STORE_PG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "store.h"
#include "wf.h"

#define PG_STMT_MAX   192 /* distinct statements prepared per connection */
#define PG_PARAMS_MAX 24

struct pg_store {
	struct store base; /* first: the generic handle */
	PGconn *conn;
	char *conninfo;
	bool in_tx;                        /* between begin and commit/rollback */
	const char *stmt_sql[PG_STMT_MAX]; /* prepared on this connection, by address */
	int nstmt;
	int schema_version;
};

#define PGS(s) ((struct pg_store *)(s))

/* Parameters of one statement, as text (numbers) or binary (bytea). */
struct pg_params {
	int n;
	const char *val[PG_PARAMS_MAX];
	int len[PG_PARAMS_MAX];
	int fmt[PG_PARAMS_MAX]; /* 0 text, 1 binary */
	char num[PG_PARAMS_MAX][24];
};

void pg_p_i64(struct pg_params *p, int64_t v);
/* v, or SQL NULL when has is false */
void pg_p_i64_or_null(struct pg_params *p, int64_t v, bool has);
/* text; NULL pointer is SQL NULL (the string is borrowed until the run) */
void pg_p_text(struct pg_params *p, const char *s);
/* bytea, binary (borrowed); NULL is SQL NULL */
void pg_p_bytes(struct pg_params *p, const void *b, size_t n);

/*
 * pg_run — runs sql with pp (may be NULL) as a statement prepared once per
 * connection, keyed by the address of sql: pass string literals or static
 * arrays only. *res (may be NULL) receives the result (PQclear it); on
 * failure *res is NULL. Returns WF_OK, or: WF_EEXIST (unique violation),
 * WF_EBUSY (the database is away or restarting: retry later; a lost
 * connection outside a transaction is re-opened once first), WF_ECONFLICT
 * (serialization failure or deadlock: retry the transaction), WF_EINVAL
 * (a check or value refused), WF_EIO (anything else); s->err says which.
 */
int pg_run(struct pg_store *p, const char *sql, const struct pg_params *pp, PGresult **res);

/* pg_exec — sql (one or more statements, no parameters, not prepared). */
int pg_exec(struct pg_store *p, const char *sql);

/* pg_value — the first column of the first row as an integer (WF_ENOENT: no row). */
int pg_value(struct pg_store *p, const char *sql, const struct pg_params *pp, int64_t *out);

/* Row i of a result to a callback (pg_each); non-zero stops the walk. */
typedef int (*pg_row_fn)(const PGresult *r, int i, void *ctx);

/*
 * pg_each — runs sql with pp (may be NULL) as pg_run does and calls
 * row(r, i, ctx) for each row i of the result, in order; a non-zero return
 * stops early (not an error). Returns WF_OK, or pg_run's error (no row seen).
 * The twin of the SQLite backend's sq_each.
 */
int pg_each(struct store *s, const char *sql, const struct pg_params *pp, pg_row_fn row, void *ctx);

/* Reading a text-format result. NULL reads as 0 / "" / no bytes. */
bool pg_isnull(const PGresult *r, int row, int col);
int64_t pg_i64(const PGresult *r, int row, int col);
void pg_text(const PGresult *r, int row, int col, char *out, size_t cap);
/* bytea column into out[cap]; *len its length; WF_ENOMEM when it does not fit */
int pg_bytes(const PGresult *r, int row, int col, uint8_t *out, size_t cap, size_t *len);

/* A write that must be one transaction, as sq_tx_begin/sq_tx_end. */
int pg_tx_begin(struct pg_store *p, bool *own);
int pg_tx_end(struct pg_store *p, bool own, int rc);

/* store_pg_schema.c: runs every migration the database lacks; *version set. */
int pg_migrate(struct pg_store *p, int *version);

/* Each side fills its members of the ops table. */
void store_pg_fill_journal(struct store_ops *ops);
void store_pg_fill_catalogue(struct store_ops *ops);
void store_pg_fill_downsync(struct store_ops *ops);
void store_pg_fill_health(struct store_ops *ops);
void store_pg_fill_points(struct store_ops *ops);
void store_pg_fill_office(struct store_ops *ops);
void store_pg_fill_web(struct store_ops *ops);
void store_pg_fill_report(struct store_ops *ops);
void store_pg_fill_backup(struct store_ops *ops);
void store_pg_fill_ingest(struct store_ops *ops);

#endif
