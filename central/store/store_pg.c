/* store_pg.c — the PostgreSQL backend's connection, errors, parameters,
 * prepared statements, transactions and locks, and its ops table; see
 * store_pg.h. */
#include "store_pg.h"

#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hex.h"

/* ---- parameters ---- */

void pg_p_i64(struct pg_params *p, int64_t v)
{
	if (p->n >= PG_PARAMS_MAX)
		abort(); /* a programming error: more parameters than any statement has */
	snprintf(p->num[p->n], sizeof p->num[p->n], "%" PRId64, v);
	p->val[p->n] = p->num[p->n];
	p->len[p->n] = 0;
	p->fmt[p->n] = 0;
	p->n++;
}

void pg_p_i64_or_null(struct pg_params *p, int64_t v, bool has)
{
	if (has) {
		pg_p_i64(p, v);
		return;
	}
	pg_p_text(p, NULL);
}

void pg_p_text(struct pg_params *p, const char *s)
{
	if (p->n >= PG_PARAMS_MAX)
		abort();
	p->val[p->n] = s;
	p->len[p->n] = 0;
	p->fmt[p->n] = 0;
	p->n++;
}

void pg_p_bytes(struct pg_params *p, const void *b, size_t n)
{
	if (p->n >= PG_PARAMS_MAX)
		abort();
	p->val[p->n] = b;
	p->len[p->n] = (int)n;
	p->fmt[p->n] = 1;
	p->n++;
}

/* ---- errors ---- */

/* A failed result (or a lost connection) as wf_err, its message in s->err. */
static int pg_fail(struct pg_store *p, const PGresult *res, const char *what)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *msg = res ? PQresultErrorMessage(res) : "";
	if (!msg || !*msg)
		msg = PQerrorMessage(p->conn);
	char line[200];
	snprintf(line, sizeof line, "%s", msg ? msg : "");
	line[strcspn(line, "\n")] = '\0';
	store_set_err(&p->base, "postgresql: %s: %s", what, line);
	if (PQstatus(p->conn) != CONNECTION_OK)
		return WF_EBUSY;
	if (!state)
		return WF_EIO;
	if (strcmp(state, "23505") == 0)
		return WF_EEXIST;
	if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 ||
	    strncmp(state, "08", 2) == 0 || strncmp(state, "57P", 3) == 0 ||
	    strcmp(state, "53300") == 0 || strcmp(state, "55P03") == 0)
		return WF_EBUSY;
	if (strcmp(state, "53100") == 0)
		return WF_EFULL;
	if (strcmp(state, "25006") == 0)
		return WF_EROFS;
	if (strncmp(state, "22", 2) == 0 || strncmp(state, "23", 2) == 0 ||
	    strcmp(state, "P0001") == 0)
		return WF_EINVAL;
	return WF_EIO;
}

/* A lost connection is opened again, outside a transaction only (inside
 * one, the transaction is gone: the caller rolls back and retries). */
static int pg_alive(struct pg_store *p)
{
	bool ended = PQstatus(p->conn) != CONNECTION_OK;
	if (!p->in_tx && !ended) {
		/* an idle connection has nothing to read unless the server ended
		 * it (a restart sends its FATAL and closes): then it is opened
		 * again here, before a statement is sent on it */
		struct pollfd pf = {.fd = PQsocket(p->conn), .events = POLLIN};
		ended = pf.fd < 0 || poll(&pf, 1, 0) != 0;
	}
	if (!ended)
		return WF_OK;
	if (p->in_tx) {
		store_set_err(&p->base, "postgresql: the connection was lost in a transaction");
		return WF_EBUSY;
	}
	PQreset(p->conn);
	p->nstmt = 0;
	if (PQstatus(p->conn) != CONNECTION_OK)
		return pg_fail(p, NULL, "reconnect");
	return WF_OK;
}

/* ---- statements ---- */

/* The statement's name on this connection, preparing it the first time. */
static int pg_prepared(struct pg_store *p, const char *sql, int nparams, char name[16])
{
	for (int i = 0; i < p->nstmt; i++) {
		if (p->stmt_sql[i] == sql) {
			snprintf(name, 16, "w%d", i);
			return WF_OK;
		}
	}
	if (p->nstmt >= PG_STMT_MAX) {
		store_set_err(&p->base, "postgresql: more than %d statements", PG_STMT_MAX);
		return WF_ENOMEM;
	}
	snprintf(name, 16, "w%d", p->nstmt);
	PGresult *r = PQprepare(p->conn, name, sql, nparams, NULL);
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		int rc = pg_fail(p, r, "prepare");
		PQclear(r);
		return rc;
	}
	PQclear(r);
	p->stmt_sql[p->nstmt++] = sql;
	return WF_OK;
}

int pg_run(struct pg_store *p, const char *sql, const struct pg_params *pp, PGresult **res)
{
	if (res)
		*res = NULL;
	int rc = pg_alive(p);
	char name[16];
	int n = pp ? pp->n : 0;
	if (!rc)
		rc = pg_prepared(p, sql, n, name);
	if (rc)
		return rc;
	PGresult *r = PQexecPrepared(p->conn, name, n, pp ? pp->val : NULL, pp ? pp->len : NULL,
	                             pp ? pp->fmt : NULL, 0);
	ExecStatusType st = PQresultStatus(r);
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		rc = pg_fail(p, r, "statement");
		PQclear(r);
		return rc;
	}
	if (res)
		*res = r;
	else
		PQclear(r);
	return WF_OK;
}

int pg_exec(struct pg_store *p, const char *sql)
{
	int rc = pg_alive(p);
	if (rc)
		return rc;
	PGresult *r = PQexec(p->conn, sql);
	ExecStatusType st = PQresultStatus(r);
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
		rc = pg_fail(p, r, "exec");
	PQclear(r);
	return rc;
}

int pg_value(struct pg_store *p, const char *sql, const struct pg_params *pp, int64_t *out)
{
	PGresult *r = NULL;
	int rc = pg_run(p, sql, pp, &r);
	if (rc)
		return rc;
	if (PQntuples(r) < 1) {
		PQclear(r);
		store_set_err(&p->base, "postgresql: no row");
		return WF_ENOENT;
	}
	*out = pg_i64(r, 0, 0);
	PQclear(r);
	return WF_OK;
}

int pg_each(struct store *s, const char *sql, const struct pg_params *pp, pg_row_fn row, void *ctx)
{
	PGresult *r = NULL;
	int rc = pg_run(PGS(s), sql, pp, &r);
	if (rc)
		return rc;
	for (int i = 0, n = PQntuples(r); i < n; i++)
		if (row(r, i, ctx))
			break;
	PQclear(r);
	return WF_OK;
}

/* ---- results ---- */

bool pg_isnull(const PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) != 0;
}

int64_t pg_i64(const PGresult *r, int row, int col)
{
	if (PQgetisnull(r, row, col))
		return 0;
	const char *v = PQgetvalue(r, row, col);
	if (v[0] == 't' && v[1] == '\0')
		return 1; /* a boolean */
	if (v[0] == 'f' && v[1] == '\0')
		return 0;
	return strtoll(v, NULL, 10);
}

void pg_text(const PGresult *r, int row, int col, char *out, size_t cap)
{
	if (cap == 0)
		return;
	const char *v = PQgetisnull(r, row, col) ? "" : PQgetvalue(r, row, col);
	snprintf(out, cap, "%s", v);
}

int pg_bytes(const PGresult *r, int row, int col, uint8_t *out, size_t cap, size_t *len)
{
	*len = 0;
	if (PQgetisnull(r, row, col))
		return WF_OK;
	const char *v = PQgetvalue(r, row, col);
	if (v[0] != '\\' || v[1] != 'x')
		return WF_EIO;
	size_t hexlen = strlen(v + 2);
	if (hexlen % 2 != 0)
		return WF_EIO;
	if (hexlen / 2 > cap)
		return WF_ENOMEM;
	if (hex_decode(v + 2, hexlen, out, hexlen / 2) != WF_OK)
		return WF_EIO;
	*len = hexlen / 2;
	return WF_OK;
}

/* ---- transactions and locks ---- */

static int pg_begin(struct store *s)
{
	struct pg_store *p = PGS(s);
	int rc = pg_exec(p, "BEGIN");
	/* a connection lost while the handle was idle shows only now: BEGIN
	 * changed nothing, so it is safe to open the connection again and retry */
	if (rc == WF_EBUSY && PQstatus(p->conn) != CONNECTION_OK)
		rc = pg_exec(p, "BEGIN");
	if (!rc)
		p->in_tx = true;
	return rc;
}

static int pg_commit(struct store *s)
{
	struct pg_store *p = PGS(s);
	int rc = pg_exec(p, "COMMIT");
	p->in_tx = false;
	return rc;
}

static int pg_rollback(struct store *s)
{
	struct pg_store *p = PGS(s);
	if (PQstatus(p->conn) == CONNECTION_OK && PQtransactionStatus(p->conn) != PQTRANS_IDLE) {
		PGresult *r = PQexec(p->conn, "ROLLBACK");
		PQclear(r);
	}
	p->in_tx = false;
	return WF_OK;
}

int pg_tx_begin(struct pg_store *p, bool *own)
{
	*own = !p->in_tx;
	return *own ? pg_begin(&p->base) : WF_OK;
}

int pg_tx_end(struct pg_store *p, bool own, int rc)
{
	if (!own)
		return rc;
	if (rc == WF_OK)
		return pg_commit(&p->base);
	pg_rollback(&p->base);
	return rc;
}

static int pg_lock(struct store *s, enum store_lock_scope scope, int64_t id)
{
	static const char sql[] = "SELECT pg_advisory_xact_lock($1::int4, $2::int4)";
	struct pg_params pp = {0};
	pg_p_i64(&pp, (int64_t)scope);
	/* two ids that share their low 32 bits share a lock: more waiting, never less safety */
	pg_p_i64(&pp, (int64_t)(int32_t)(uint32_t)(uint64_t)id);
	if (!PGS(s)->in_tx) {
		store_set_err(s, "postgresql: lock outside a transaction");
		return WF_ESTATE;
	}
	return pg_run(PGS(s), sql, &pp, NULL);
}

/* ---- open and close ---- */

static void pg_close(struct store *s)
{
	struct pg_store *p = PGS(s);
	PQfinish(p->conn);
	free(p->conninfo);
	free(p);
}

static struct store_ops pg_ops;
static pthread_once_t pg_ops_once = PTHREAD_ONCE_INIT;

static void pg_fill_ops(void)
{
	pg_ops.close = pg_close;
	pg_ops.begin = pg_begin;
	pg_ops.commit = pg_commit;
	pg_ops.rollback = pg_rollback;
	pg_ops.lock = pg_lock;
	store_pg_fill_journal(&pg_ops);
	store_pg_fill_catalogue(&pg_ops);
	store_pg_fill_downsync(&pg_ops);
	store_pg_fill_health(&pg_ops);
	store_pg_fill_points(&pg_ops);
	store_pg_fill_office(&pg_ops);
	store_pg_fill_web(&pg_ops);
	store_pg_fill_report(&pg_ops);
	store_pg_fill_backup(&pg_ops);
	store_pg_fill_ingest(&pg_ops);
}

const struct store_ops *store_pg_ops(void)
{
	pthread_once(&pg_ops_once, pg_fill_ops);
	return &pg_ops;
}

static void pg_quiet(void *arg, const char *message)
{
	(void)arg;
	(void)message; /* NOTICEs ("already exists, skipping") are not for the operator */
}

int store_pg_open(const char *url, struct store **out, char *why, size_t why_len)
{
	*out = NULL;
	struct pg_store *p = calloc(1, sizeof *p);
	if (!p || !(p->conninfo = strdup(url))) {
		free(p);
		snprintf(why, why_len, "out of memory");
		return WF_ENOMEM;
	}
	p->base.ops = store_pg_ops();
	/* the URL comes last: what it says wins over these defaults */
	const char *keys[] = {"application_name", "connect_timeout", "dbname", NULL};
	const char *vals[] = {"wufei-central", "5", url, NULL};
	p->conn = PQconnectdbParams(keys, vals, 1);
	if (!p->conn || PQstatus(p->conn) != CONNECTION_OK) {
		char msg[200];
		snprintf(msg, sizeof msg, "%s",
		         p->conn ? PQerrorMessage(p->conn) : "out of memory");
		msg[strcspn(msg, "\n")] = '\0';
		snprintf(why, why_len, "cannot connect to PostgreSQL: %s", msg);
		pg_close(&p->base);
		return WF_EBUSY;
	}
	PQsetNoticeProcessor(p->conn, pg_quiet, NULL);
	int rc = pg_exec(p, "SET TIME ZONE 'UTC'");
	if (!rc)
		rc = pg_migrate(p, &p->schema_version);
	if (rc) {
		snprintf(why, why_len, "%s", p->base.err);
		pg_close(&p->base);
		return rc;
	}
	*out = &p->base;
	return WF_OK;
}
