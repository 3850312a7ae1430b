/*
 * store_pg_points.c — the PostgreSQL backend: the points ledger, receipt
 * claims and the anonymous cap's read (store.h), the twin of
 * store_sqlite_points.c, store_sqlite_claims.c and store_sqlite_anoncap.c.
 *
 * points_entries is append-only (a trigger refuses UPDATE and DELETE);
 * points_totals, each resident's running total, moves by an upsert in the
 * ledger's statement-level trigger (migration 4), in the same statement as
 * the entries it counts, so several centrals adding to one total never lose
 * an addition, and a bulk COPY of entries keeps the totals too. What must
 * not interleave (a balance read then spent, a daily limit read then used)
 * is serialised by the caller's STORE_LOCK_RESIDENT (central/rcheck); this
 * file only stores.
 */
#include "store_pg.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"

/* ---- entries and running totals ---- */

static void bind_entry(struct pg_params *pp, const struct store_points_entry *e)
{
	pg_p_i64(pp, e->resident);
	pg_p_i64(pp, e->kind);
	pg_p_i64(pp, e->points);
	pg_p_i64_or_null(pp, e->kiosk, e->kiosk != 0);
	pg_p_i64_or_null(pp, e->seq, e->kiosk != 0);
	pg_p_i64(pp, e->at_s);
	pg_p_text(pp, e->actor);
	pg_p_text(pp, e->reason);
	pg_p_text(pp, e->key[0] ? e->key : NULL);
}

static int pg_points_append(struct store *s, struct store_points_entry *e, int64_t *balance_after)
{
	/* The entry; the ledger's trigger moves its resident's total in the same
	 * statement (migration 4) and this transaction holds that total's row
	 * until it ends, so the total read next is the one after this entry. */
	static const char ins[] =
	    "INSERT INTO points_entries(resident, kind, points, kiosk, seq, at_s, actor, reason, "
	    "idem_key) VALUES($1,$2,$3,$4,$5,$6,$7,$8,$9) RETURNING id";
	static const char total[] = "SELECT balance FROM points_totals WHERE resident = $1";
	struct pg_store *p = PGS(s);
	struct pg_params pp = {0}, pt = {0};
	bind_entry(&pp, e);
	pg_p_i64(&pt, e->resident);
	bool own = false;
	int64_t id = 0, balance = 0;
	int rc = pg_tx_begin(p, &own);
	if (!rc)
		rc = pg_value(p, ins, &pp, &id);
	if (!rc)
		rc = pg_value(p, total, &pt, &balance);
	if (rc == WF_ENOENT) {
		store_set_err(s, "running total returned no row");
		rc = WF_EIO;
	}
	if (!rc) {
		if (balance_after)
			*balance_after = balance;
		e->id = id;
	}
	return pg_tx_end(p, own, rc);
}

/* A growing text buffer for array literals ({1,2,"a"}). */
struct arr {
	char *p;
	size_t n, cap;
	bool oom;
};

static void arr_put(struct arr *a, const char *text, size_t len)
{
	if (a->oom)
		return;
	if (a->n + len + 2 > a->cap) {
		size_t cap = (a->cap ? a->cap * 2 : 256) + len;
		char *np = realloc(a->p, cap);
		if (!np) {
			a->oom = true;
			return;
		}
		a->p = np;
		a->cap = cap;
	}
	memcpy(a->p + a->n, text, len);
	a->n += len;
	a->p[a->n] = '\0';
}

/* The next element: a number, NULL when !has. */
static void arr_num(struct arr *a, int64_t v, bool has)
{
	char num[24];
	int len =
	    has ? snprintf(num, sizeof num, "%" PRId64, v) : snprintf(num, sizeof num, "NULL");
	arr_put(a, a->n ? "," : "{", 1);
	arr_put(a, num, (size_t)len);
}

/* The next element: text in double quotes (" and \ escaped), NULL for a NULL pointer. */
static void arr_text(struct arr *a, const char *t)
{
	arr_put(a, a->n ? "," : "{", 1);
	if (!t) {
		arr_put(a, "NULL", 4);
		return;
	}
	arr_put(a, "\"", 1);
	for (const char *c = t; *c; c++) {
		if (*c == '"' || *c == '\\')
			arr_put(a, "\\", 1);
		arr_put(a, c, 1);
	}
	arr_put(a, "\"", 1);
}

enum { EARN_COLUMNS = 9 };

/* The n entries as one array literal per column (closed with "}"). */
static bool earn_arrays(const struct store_points_entry *e, size_t n, struct arr col[EARN_COLUMNS])
{
	for (size_t i = 0; i < n; i++) {
		bool has_src = e[i].kiosk != 0;
		arr_num(&col[0], e[i].resident, true);
		arr_num(&col[1], e[i].kind, true);
		arr_num(&col[2], e[i].points, true);
		arr_num(&col[3], e[i].kiosk, has_src);
		arr_num(&col[4], e[i].seq, has_src);
		arr_num(&col[5], e[i].at_s, true);
		arr_text(&col[6], e[i].actor);
		arr_text(&col[7], e[i].reason);
		arr_text(&col[8], e[i].key[0] ? e[i].key : NULL);
	}
	bool ok = true;
	for (int c = 0; c < EARN_COLUMNS; c++) {
		arr_put(&col[c], "}", 1);
		ok = ok && !col[c].oom;
	}
	return ok;
}

static int pg_points_earn(struct store *s, const struct store_points_entry *e, size_t n)
{
	/* One statement: the entries in their order; the ledger's trigger moves
	 * each resident's total once (migration 4). */
	static const char sql[] =
	    "INSERT INTO points_entries(resident, kind, points, kiosk, seq, at_s, actor, reason, "
	    "idem_key) SELECT r, k, p, ki, sq, at, ac, re, ke FROM unnest($1::bigint[], "
	    "$2::integer[], $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[], $7::text[], "
	    "$8::text[], $9::text[]) WITH ORDINALITY AS u(r, k, p, ki, sq, at, ac, re, ke, o) "
	    "ORDER BY o";
	if (n == 0)
		return WF_OK;
	struct arr col[EARN_COLUMNS];
	memset(col, 0, sizeof col);
	int rc = WF_OK;
	if (!earn_arrays(e, n, col)) {
		store_set_err(s, "out of memory for %zu points entries", n);
		rc = WF_ENOMEM;
	}
	if (!rc) {
		struct pg_params pp = {0};
		for (int c = 0; c < EARN_COLUMNS; c++)
			pg_p_text(&pp, col[c].p);
		rc = pg_run(PGS(s), sql, &pp, NULL);
	}
	for (int c = 0; c < EARN_COLUMNS; c++)
		free(col[c].p);
	return rc;
}

/* One int64 from sql with up to three int64 parameters (missing row: 0). */
static int value3(struct store *s, const char *sql, int np, int64_t a, int64_t b, int64_t c,
                  int64_t *out)
{
	struct pg_params pp = {0};
	const int64_t v[3] = {a, b, c};
	for (int i = 0; i < np && i < 3; i++)
		pg_p_i64(&pp, v[i]);
	*out = 0;
	int rc = pg_value(PGS(s), sql, &pp, out);
	return rc == WF_ENOENT ? WF_OK : rc;
}

static int pg_points_balance(struct store *s, int64_t resident, int64_t *balance)
{
	static const char sql[] = "SELECT balance FROM points_totals WHERE resident = $1";
	return value3(s, sql, 1, resident, 0, 0, balance);
}

/* Columns every entry read selects, in this order. */
#define ENTRY_COLUMNS "id, resident, kind, points, kiosk, seq, at_s, actor, reason, idem_key"

static void entry_row(const PGresult *r, int i, struct store_points_entry *e)
{
	memset(e, 0, sizeof *e);
	e->id = pg_i64(r, i, 0);
	e->resident = pg_i64(r, i, 1);
	e->kind = (enum store_points_kind)pg_i64(r, i, 2);
	e->points = pg_i64(r, i, 3);
	e->kiosk = (uint32_t)pg_i64(r, i, 4);
	e->seq = (uint32_t)pg_i64(r, i, 5);
	e->at_s = pg_i64(r, i, 6);
	pg_text(r, i, 7, e->actor, sizeof e->actor);
	pg_text(r, i, 8, e->reason, sizeof e->reason);
	pg_text(r, i, 9, e->key, sizeof e->key);
}

static int pg_points_by_key(struct store *s, const char *key, struct store_points_entry *out)
{
	/* with the balance after it: its resident's entries up to it (by index) */
	static const char sql[] =
	    "SELECT " ENTRY_COLUMNS ", (SELECT SUM(p.points) FROM "
	    "points_entries p WHERE p.resident = e.resident AND p.id <= e.id) "
	    "FROM points_entries e WHERE idem_key = $1";
	struct pg_params pp = {0};
	pg_p_text(&pp, key);
	PGresult *r = NULL;
	int rc = pg_run(PGS(s), sql, &pp, &r);
	if (rc)
		return rc;
	rc = PQntuples(r) > 0;
	if (rc) {
		entry_row(r, 0, out);
		out->balance_after = pg_i64(r, 0, 10);
	}
	PQclear(r);
	return rc;
}

static int pg_points_history(struct store *s, int64_t resident,
                             int (*fn)(void *ctx, const struct store_points_entry *e), void *ctx)
{
	static const char sql[] =
	    "SELECT " ENTRY_COLUMNS " FROM points_entries WHERE resident = $1 ORDER BY id";
	struct pg_params pp = {0};
	pg_p_i64(&pp, resident);
	PGresult *r = NULL;
	int rc = pg_run(PGS(s), sql, &pp, &r);
	int64_t balance = 0;
	for (int i = 0; !rc && i < PQntuples(r); i++) {
		struct store_points_entry e;
		entry_row(r, i, &e);
		balance += e.points;
		e.balance_after = balance;
		if (fn(ctx, &e))
			break;
	}
	PQclear(r);
	return rc;
}

static int pg_points_check(struct store *s,
                           int (*fn)(void *ctx, int64_t resident, int64_t total, int64_t sum),
                           void *ctx, int64_t *residents)
{
	/* Both sides of every resident, from one statement (one snapshot):
	 * residents with a total and residents with entries (a missing side
	 * reads as 0). */
	static const char sql[] =
	    "WITH sums AS (SELECT resident, SUM(points) AS sum FROM points_entries GROUP BY "
	    "resident), ids AS (SELECT resident FROM sums UNION SELECT resident FROM "
	    "points_totals) "
	    "SELECT ids.resident, COALESCE(t.balance, 0), COALESCE(sums.sum, 0) FROM ids LEFT JOIN "
	    "points_totals t ON t.resident = ids.resident LEFT JOIN sums ON sums.resident = "
	    "ids.resident ORDER BY ids.resident";
	PGresult *r = NULL;
	*residents = 0;
	int rc = pg_run(PGS(s), sql, NULL, &r);
	for (int i = 0; !rc && i < PQntuples(r); i++) {
		int64_t total = pg_i64(r, i, 1), sum = pg_i64(r, i, 2);
		(*residents)++;
		if (total != sum && fn(ctx, pg_i64(r, i, 0), total, sum))
			break;
	}
	PQclear(r);
	return rc;
}

static int pg_points_day_used(struct store *s, int64_t resident, uint16_t category,
                              uint32_t local_day, int64_t *qty)
{
	/* Both halves by index: records_resident_day and claims_resident_day. */
	static const char sql[] =
	    "SELECT COALESCE((SELECT SUM(credited) FROM records WHERE resident = $1 AND category = "
	    "$2 AND local_day = $3), 0) + COALESCE((SELECT SUM(qty) FROM claims WHERE resident = "
	    "$1 "
	    "AND category = $2 AND local_day = $3), 0)";
	return value3(s, sql, 3, resident, category, local_day, qty);
}

static int pg_resident_status(struct store *s, int64_t id, char status[16])
{
	static const char sql[] = "SELECT status FROM residents WHERE id = $1";
	struct pg_params pp = {0};
	pg_p_i64(&pp, id);
	PGresult *r = NULL;
	int rc = pg_run(PGS(s), sql, &pp, &r);
	if (rc)
		return rc;
	rc = PQntuples(r) > 0; /* 1 enrolled, 0 not */
	if (rc)
		pg_text(r, 0, 0, status, 16);
	PQclear(r);
	return rc;
}

static int pg_category_limit(struct store *s, uint16_t category, int64_t *daily_limit)
{
	static const char sql[] = "SELECT daily_limit FROM categories WHERE id = $1";
	struct pg_params pp = {0};
	pg_p_i64(&pp, category);
	int rc = pg_value(PGS(s), sql, &pp, daily_limit);
	if (rc == WF_ENOENT)
		store_set_err(s, "no category %u", (unsigned)category);
	return rc;
}

/* ---- receipt claims ---- */

static int pg_claim(struct store *s, const struct store_claim *c, struct store_claim *first)
{
	/* A receipt is claimed once: the key decides, also between centrals (a
	 * second insert waits for the first's transaction, then does nothing). */
	static const char sql[] =
	    "INSERT INTO claims(kiosk, seq, claimed_s, resident, category, local_day, qty, points, "
	    "actor) VALUES($1,$2,$3,$4,$5,$6,$7,$8,$9) ON CONFLICT(kiosk, seq) DO NOTHING";
	struct pg_params pp = {0};
	pg_p_i64(&pp, c->kiosk);
	pg_p_i64(&pp, c->seq);
	pg_p_i64(&pp, c->claimed_s);
	pg_p_i64(&pp, c->resident);
	pg_p_i64(&pp, c->category);
	pg_p_i64(&pp, c->local_day);
	pg_p_i64(&pp, c->qty);
	pg_p_i64(&pp, c->points);
	pg_p_text(&pp, c->actor);
	PGresult *r = NULL;
	int rc = pg_run(PGS(s), sql, &pp, &r);
	bool written = !rc && strcmp(PQcmdTuples(r), "1") == 0;
	PQclear(r);
	if (rc)
		return rc;
	if (written)
		return 1;
	/* a fresh statement: sees the claim that won, committed meanwhile */
	struct store_claim held;
	rc = s->ops->claim_read(s, c->kiosk, c->seq, first ? first : &held);
	return rc < 0 ? rc : 0;
}

static int pg_claim_get(struct store *s, uint32_t kiosk, uint32_t seq, int64_t *claimed_s)
{
	struct store_claim c;
	int rc = s->ops->claim_read(s, kiosk, seq, &c); /* store_pg_health.c */
	if (rc == 1)
		*claimed_s = c.claimed_s;
	return rc;
}

/* ---- the anonymous daily cap ---- */

static int pg_anon_day(struct store *s, uint32_t kiosk, uint16_t category, uint32_t local_day,
                       uint32_t before_seq, int64_t *credited)
{
	/* "(dflags & 1) <> 0" is WF_DROP_ANONYMOUS spelt as the partial index
	 * records_anon_day spells it, so the planner can use it. */
	_Static_assert(WF_DROP_ANONYMOUS == 1, "records_anon_day's WHERE names bit 0");
	static const char sql[] =
	    "SELECT COALESCE(SUM(credited), 0) FROM records WHERE kiosk = $1 AND category = $2 AND "
	    "local_day = $3 AND (dflags & 1) <> 0 AND seq < $4";
	struct pg_params pp = {0};
	pg_p_i64(&pp, kiosk);
	pg_p_i64(&pp, category);
	pg_p_i64(&pp, local_day);
	pg_p_i64(&pp, before_seq);
	*credited = 0;
	int rc = pg_value(PGS(s), sql, &pp, credited);
	if (rc == WF_ENOENT) {
		store_set_err(s, "anonymous day: no row");
		rc = WF_EIO;
	}
	return rc;
}

void store_pg_fill_points(struct store_ops *ops)
{
	ops->points_append = pg_points_append;
	ops->points_earn = pg_points_earn;
	ops->points_balance = pg_points_balance;
	ops->points_by_key = pg_points_by_key;
	ops->points_history = pg_points_history;
	ops->points_check = pg_points_check;
	ops->points_day_used = pg_points_day_used;
	ops->resident_status = pg_resident_status;
	ops->category_limit = pg_category_limit;
	ops->claim = pg_claim;
	ops->claim_get = pg_claim_get;
	ops->anon_day = pg_anon_day;
}
