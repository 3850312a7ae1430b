/*
 * store_sqlite_points.c — the points ledger in the SQLite backend (DESIGN
 * "Points are a ledger"): points_entries, one row per entry, never updated
 * or deleted (triggers refuse it); points_totals, each resident's running
 * total, moved in the same statement sequence (and so the same transaction)
 * as every entry, so a balance is one indexed row, and `wufei-central
 * points check` compares it with the sum. Also the few reads a claim's
 * daily limit needs. Rules (never below zero, idempotency, limits) live in
 * central/rcheck; this file only stores.
 */
#include "store_sqlite.h"

#include <string.h>

/* The two statements every entry runs, kept prepared (ingest writes one per drop). */
static int prepare_points(struct store *s)
{
	struct store_sqlite *q = SQ(s);
	int rc = WF_OK;
	if (!q->ins_points)
		rc = sql_prepare(
		    q->db,
		    "INSERT INTO points_entries(resident, kind, points, kiosk, seq, at_s, "
		    "actor, reason, idem_key) VALUES(?,?,?,?,?,?,?,?,?)",
		    &q->ins_points, SQ_ERR(s));
	if (!rc && !q->add_total)
		rc =
		    sql_prepare(q->db,
		                "INSERT INTO points_totals(resident, balance) VALUES(?1, ?2) ON "
		                "CONFLICT(resident) DO UPDATE SET balance = balance + ?2 RETURNING "
		                "balance",
		                &q->add_total, SQ_ERR(s));
	return rc;
}

static void bind_entry(sqlite3_stmt *st, const struct store_points_entry *e)
{
	sqlite3_bind_int64(st, 1, e->resident);
	sqlite3_bind_int64(st, 2, e->kind);
	sqlite3_bind_int64(st, 3, e->points);
	if (e->kiosk) {
		sqlite3_bind_int64(st, 4, e->kiosk);
		sqlite3_bind_int64(st, 5, e->seq);
	} else {
		sqlite3_bind_null(st, 4);
		sqlite3_bind_null(st, 5);
	}
	sqlite3_bind_int64(st, 6, e->at_s);
	sqlite3_bind_text(st, 7, e->actor, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 8, e->reason, -1, SQLITE_TRANSIENT);
	if (e->key[0])
		sqlite3_bind_text(st, 9, e->key, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, 9);
}

/* One entry row (e->id set); inside a transaction. */
static int insert_entry(struct store *s, struct store_points_entry *e)
{
	struct store_sqlite *q = SQ(s);
	sqlite3_stmt *st = q->ins_points;
	sqlite3_reset(st);
	bind_entry(st, e);
	int rc = sql_step_row(q->db, st, SQ_ERR(s));
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc == 1)
		rc = WF_EIO; /* an INSERT gives no row */
	if (!rc)
		e->id = sqlite3_last_insert_rowid(q->db);
	return rc;
}

/* The resident's running total moved by points; *after (may be NULL) the new one. */
static int add_total(struct store *s, int64_t resident, int64_t points, int64_t *after)
{
	struct store_sqlite *q = SQ(s);
	sqlite3_stmt *st = q->add_total;
	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, resident);
	sqlite3_bind_int64(st, 2, points);
	int rc = sql_step_row(q->db, st, SQ_ERR(s));
	if (rc == 1) {
		if (after)
			*after = sqlite3_column_int64(st, 0);
		rc = sql_step_row(q->db, st, SQ_ERR(s)); /* RETURNING: the upsert completes here */
	} else if (rc == 0) {
		store_set_err(s, "running total returned no row");
		rc = WF_EIO;
	}
	sqlite3_reset(st);
	return rc < 0 ? rc : WF_OK;
}

/* The entry, then the running total; inside a transaction. */
static int append_in_tx(struct store *s, struct store_points_entry *e, int64_t *balance_after)
{
	int rc = insert_entry(s, e);
	return rc ? rc : add_total(s, e->resident, e->points, balance_after);
}

int sq_points_append(struct store *s, struct store_points_entry *e, int64_t *balance_after)
{
	bool own = false;
	int rc = prepare_points(s);
	if (!rc)
		rc = sq_tx_begin(s, &own);
	if (rc)
		return rc;
	return sq_tx_end(s, own, append_in_tx(s, e, balance_after));
}

/* A batch's earned entries, then each resident's total once (most batches
 * hold a few residents' drops: a short list beats a statement per drop). */
int sq_points_earn(struct store *s, const struct store_points_entry *e, size_t n)
{
	enum { SUMS = 64 };
	int64_t who[SUMS], sum[SUMS];
	size_t nsum = 0;
	int rc = prepare_points(s);
	for (size_t i = 0; !rc && i < n; i++) {
		struct store_points_entry one = e[i];
		rc = insert_entry(s, &one);
		size_t k = 0;
		while (k < nsum && who[k] != e[i].resident)
			k++;
		if (!rc && k == nsum && nsum == SUMS) /* full: this one moves its total now */
			rc = add_total(s, e[i].resident, e[i].points, NULL);
		else if (!rc && k == nsum) {
			who[nsum] = e[i].resident;
			sum[nsum++] = e[i].points;
		} else if (!rc)
			sum[k] += e[i].points;
	}
	for (size_t k = 0; !rc && k < nsum; k++)
		rc = add_total(s, who[k], sum[k], NULL);
	return rc;
}

/* One int64 from sql with up to three int64 parameters (missing row: 0). */
static int value3(struct store *s, const char *sql, int64_t a, int64_t b, int64_t c, int64_t *out)
{
	sqlite3 *db = SQ(s)->db;
	sqlite3_stmt *st = NULL;
	int rc = sql_prepare(db, sql, &st, SQ_ERR(s));
	if (rc)
		return rc;
	int n = sqlite3_bind_parameter_count(st);
	const int64_t v[3] = {a, b, c};
	for (int i = 0; i < n && i < 3; i++)
		sqlite3_bind_int64(st, i + 1, v[i]);
	rc = sql_step_row(db, st, SQ_ERR(s));
	*out = rc == 1 ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	return rc < 0 ? rc : WF_OK;
}

int sq_points_balance(struct store *s, int64_t resident, int64_t *balance)
{
	return value3(s, "SELECT balance FROM points_totals WHERE resident = ?", resident, 0, 0,
	              balance);
}

/* Columns every entry read selects, in this order. */
#define ENTRY_COLUMNS "id, resident, kind, points, kiosk, seq, at_s, actor, reason, idem_key"

static void entry_row(sqlite3_stmt *st, struct store_points_entry *e)
{
	memset(e, 0, sizeof *e);
	e->id = sqlite3_column_int64(st, 0);
	e->resident = sqlite3_column_int64(st, 1);
	e->kind = (enum store_points_kind)sqlite3_column_int(st, 2);
	e->points = sqlite3_column_int64(st, 3);
	e->kiosk = (uint32_t)sqlite3_column_int64(st, 4);
	e->seq = (uint32_t)sqlite3_column_int64(st, 5);
	e->at_s = sqlite3_column_int64(st, 6);
	sq_text(st, 7, e->actor, sizeof e->actor);
	sq_text(st, 8, e->reason, sizeof e->reason);
	sq_text(st, 9, e->key, sizeof e->key);
}

int sq_points_by_key(struct store *s, const char *key, struct store_points_entry *out)
{
	sqlite3 *db = SQ(s)->db;
	sqlite3_stmt *st = NULL;
	/* with the balance after it: its resident's entries up to it (by index) */
	int rc =
	    sql_prepare(db,
	                "SELECT " ENTRY_COLUMNS ", (SELECT SUM(p.points) FROM points_entries p "
	                "WHERE p.resident = e.resident AND p.id <= e.id) FROM points_entries e "
	                "WHERE idem_key = ?",
	                &st, SQ_ERR(s));
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
	rc = sql_step_row(db, st, SQ_ERR(s)); /* 1 found, 0 none, or an error */
	if (rc == 1) {
		entry_row(st, out);
		out->balance_after = sqlite3_column_int64(st, 10);
	}
	sqlite3_finalize(st);
	return rc;
}

struct history {
	int (*fn)(void *ctx, const struct store_points_entry *e);
	void *ctx;
	int64_t balance;
};

static int history_row(sqlite3_stmt *st, void *ctx)
{
	struct history *h = ctx;
	struct store_points_entry e;
	entry_row(st, &e);
	h->balance += e.points;
	e.balance_after = h->balance;
	return h->fn(h->ctx, &e);
}

int sq_points_history(struct store *s, int64_t resident,
                      int (*fn)(void *ctx, const struct store_points_entry *e), void *ctx)
{
	struct history h = {fn, ctx, 0};
	return sq_each(s,
	               "SELECT " ENTRY_COLUMNS " FROM points_entries WHERE resident = ? ORDER BY "
	               "id",
	               resident, history_row, &h);
}

struct check {
	int (*fn)(void *ctx, int64_t resident, int64_t total, int64_t sum);
	void *ctx;
	int64_t residents;
};

static int check_row(sqlite3_stmt *st, void *ctx)
{
	struct check *c = ctx;
	int64_t resident = sqlite3_column_int64(st, 0);
	int64_t total = sqlite3_column_int64(st, 1);
	int64_t sum = sqlite3_column_int64(st, 2);
	c->residents++;
	return total == sum ? 0 : c->fn(c->ctx, resident, total, sum);
}

int sq_points_check(struct store *s,
                    int (*fn)(void *ctx, int64_t resident, int64_t total, int64_t sum), void *ctx,
                    int64_t *residents)
{
	/* Both sides of every resident, from one snapshot: residents with a
	 * total and residents with entries (a missing side reads as 0). */
	struct check c = {fn, ctx, 0};
	int rc = sql_begin(SQ(s)->db, false, SQ_ERR(s));
	if (rc)
		return rc;
	rc = sq_each(s,
	             "WITH sums AS (SELECT resident, SUM(points) AS sum FROM points_entries GROUP "
	             "BY resident), ids AS (SELECT resident FROM sums UNION SELECT resident FROM "
	             "points_totals) SELECT ids.resident, COALESCE(t.balance, 0), "
	             "COALESCE(sums.sum, 0) FROM ids LEFT JOIN points_totals t ON t.resident = "
	             "ids.resident LEFT JOIN sums ON sums.resident = ids.resident ORDER BY "
	             "ids.resident",
	             0, check_row, &c);
	sq_rollback(s); /* a read: nothing to keep */
	*residents = c.residents;
	return rc;
}

int sq_points_day_used(struct store *s, int64_t resident, uint16_t category, uint32_t local_day,
                       int64_t *qty)
{
	/* Both halves by index: records_resident_day and claims_resident_day. */
	return value3(s,
	              "SELECT COALESCE((SELECT SUM(credited) FROM records WHERE resident = ?1 AND "
	              "category = ?2 AND local_day = ?3), 0) + COALESCE((SELECT SUM(qty) FROM "
	              "claims WHERE resident = ?1 AND category = ?2 AND local_day = ?3), 0)",
	              resident, category, local_day, qty);
}

int sq_resident_status(struct store *s, int64_t id, char status[16])
{
	sqlite3 *db = SQ(s)->db;
	sqlite3_stmt *st = NULL;
	int rc = sql_prepare(db, "SELECT status FROM residents WHERE id = ?", &st, SQ_ERR(s));
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	rc = sql_step_row(db, st, SQ_ERR(s)); /* 1 enrolled, 0 not, or an error */
	if (rc == 1)
		sq_text(st, 0, status, 16);
	sqlite3_finalize(st);
	return rc;
}

int sq_category_limit(struct store *s, uint16_t category, int64_t *daily_limit)
{
	sqlite3 *db = SQ(s)->db;
	sqlite3_stmt *st = NULL;
	int rc = sql_prepare(db, "SELECT daily_limit FROM categories WHERE id = ?", &st, SQ_ERR(s));
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, category);
	rc = sql_step_row(db, st, SQ_ERR(s));
	if (rc == 1) {
		*daily_limit = sqlite3_column_int64(st, 0);
		rc = WF_OK;
	} else if (rc == 0) {
		store_set_err(s, "no category %u", (unsigned)category);
		rc = WF_ENOENT;
	}
	sqlite3_finalize(st);
	return rc;
}
