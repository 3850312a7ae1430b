/*
 * store_pg_downsync.c — the PostgreSQL backend's down-sync read
 * (store_ops.catalog_read, store.h): the catalogue after a revision in one
 * REPEATABLE READ snapshot, after stamping the residents touched since the
 * last read. The twin of the read in store_sqlite_catalogue.c. Why no
 * kiosk misses a touch, or gets a cursor past one: the head of
 * store_pg_catalogue.c, where touches are marked.
 */
#include "store_pg.h"

#include <string.h>

/* Advisory lock key (transaction scope) of the stamp: "WF" "stamp". */
#define PG_STAMP_LOCK 0x57460002

/*
 * Every touched resident whose mark no running transaction holds gets one
 * fresh revision, its mark deleted; one stamp at a time (a read waits for
 * one running elsewhere, so it sees that stamp's revision). No mark free:
 * no revision taken.
 */
static int stamp_touched(struct pg_store *p)
{
	static const char lock[] = "SELECT pg_advisory_xact_lock($1::bigint)";
	static const char stamp[] =
	    "WITH d AS (DELETE FROM resident_dirty WHERE id IN (SELECT id FROM resident_dirty "
	    "ORDER BY id FOR UPDATE SKIP LOCKED) RETURNING id), r AS (UPDATE meta SET value = "
	    "value + 1 WHERE key = 'rev' AND EXISTS (SELECT 1 FROM d) RETURNING value) UPDATE "
	    "residents SET rev = r.value FROM r WHERE residents.id IN (SELECT id FROM d)";
	struct pg_params pp = {0};
	pg_p_i64(&pp, PG_STAMP_LOCK);
	bool own = false;
	int rc = pg_tx_begin(p, &own);
	if (!rc)
		rc = pg_run(p, lock, &pp, NULL);
	if (!rc)
		rc = pg_run(p, stamp, NULL, NULL);
	return pg_tx_end(p, own, rc);
}

/* ---- the down-sync reads: one row to one callback ---- */

/* pg_each with $1 = param when with_param. */
static int each(struct pg_store *p, const char *sql, bool with_param, int64_t param, pg_row_fn row,
                void *ctx)
{
	struct pg_params pp = {0};
	if (with_param)
		pg_p_i64(&pp, param);
	return pg_each(&p->base, sql, &pp, row, ctx);
}

static int category_row(const PGresult *r, int i, void *ctx)
{
	const struct store_catalog_fns *f = ctx;
	struct wf_category c;
	memset(&c, 0, sizeof c);
	c.id = (uint16_t)pg_i64(r, i, 0);
	pg_text(r, i, 1, c.code, sizeof c.code);
	pg_text(r, i, 2, c.name, sizeof c.name);
	c.unit = (enum wf_unit)pg_i64(r, i, 3);
	c.rate_version = (uint32_t)pg_i64(r, i, 4);
	c.rate = pg_i64(r, i, 5);
	c.min_qty = pg_i64(r, i, 6);
	c.max_qty = pg_i64(r, i, 7);
	c.daily_limit_qty = pg_i64(r, i, 8);
	c.has_anon_cap = !pg_isnull(r, i, 9);
	c.anon_cap_qty = pg_i64(r, i, 9);
	return f->category(f->ctx, &c);
}

static int resident_row(const PGresult *r, int i, void *ctx)
{
	const struct store_catalog_fns *f = ctx;
	struct store_resident res;
	res.id = pg_i64(r, i, 0);
	pg_text(r, i, 1, res.card_hash, sizeof res.card_hash);
	pg_text(r, i, 2, res.name, sizeof res.name);
	pg_text(r, i, 3, res.status, sizeof res.status);
	pg_text(r, i, 4, res.block_reason, sizeof res.block_reason);
	res.points_balance = pg_i64(r, i, 5);
	return f->resident(f->ctx, &res);
}

static int staff_row(const PGresult *r, int i, void *ctx)
{
	const struct store_catalog_fns *f = ctx;
	struct store_staff st;
	st.id = pg_i64(r, i, 0);
	pg_text(r, i, 1, st.card_hash, sizeof st.card_hash);
	pg_text(r, i, 2, st.name, sizeof st.name);
	pg_text(r, i, 3, st.role, sizeof st.role);
	pg_text(r, i, 4, st.pin_hash, sizeof st.pin_hash);
	return f->staff(f->ctx, &st);
}

static int block_row(const PGresult *r, int i, void *ctx)
{
	const struct store_catalog_fns *f = ctx;
	struct store_block b;
	pg_text(r, i, 0, b.card_hash, sizeof b.card_hash);
	pg_text(r, i, 1, b.reason, sizeof b.reason);
	return f->block(f->ctx, &b);
}

static int deleted_row(const PGresult *r, int i, void *ctx)
{
	const struct store_catalog_fns *f = ctx;
	char tbl[32], key[80];
	pg_text(r, i, 0, tbl, sizeof tbl);
	pg_text(r, i, 1, key, sizeof key);
	return f->deleted(f->ctx, tbl, key);
}

static int rate_row(const PGresult *r, int i, void *ctx)
{
	const struct store_catalog_fns *f = ctx;
	struct store_rate rt;
	rt.category = (uint16_t)pg_i64(r, i, 0);
	rt.version = (uint32_t)pg_i64(r, i, 1);
	rt.unit = (enum wf_unit)pg_i64(r, i, 2);
	rt.rate = pg_i64(r, i, 3);
	rt.created_s = pg_i64(r, i, 4);
	rt.has_anon_cap = !pg_isnull(r, i, 5);
	rt.anon_cap_qty = pg_i64(r, i, 5);
	return f->rate(f->ctx, &rt);
}

/* Each table of the down-sync: its query (rows changed after $1) and its reader. */
static int catalog_tables(struct pg_store *p, int64_t since, struct store_catalog_fns *f)
{
	static const char categories[] =
	    "SELECT id, code, name, unit, rate_version, rate, min_qty, max_qty, daily_limit, "
	    "anon_daily_cap FROM categories WHERE rev > $1 ORDER BY id";
	static const char residents[] =
	    "SELECT r.id, r.card_hash, r.name, r.status, r.block_reason, COALESCE((SELECT balance "
	    "FROM points_totals WHERE resident = r.id), 0) FROM residents r WHERE r.rev > $1 ORDER "
	    "BY r.id";
	static const char staff[] = "SELECT id, card_hash, name, role, pin_hash FROM staff WHERE "
	                            "rev > $1 ORDER BY id";
	static const char blocks[] = "SELECT card_hash, reason FROM blocklist WHERE rev > $1 "
	                             "ORDER BY card_hash";
	static const char deleted[] = "SELECT tbl, key FROM tombstones WHERE rev > $1 ORDER BY rev";
	static const char rates[] = "SELECT category, version, unit, rate, created_s, "
	                            "anon_daily_cap FROM rates ORDER BY category, version";
	int rc = WF_OK;
	if (f->category)
		rc = each(p, categories, true, since, category_row, f);
	if (!rc && f->resident)
		rc = each(p, residents, true, since, resident_row, f);
	if (!rc && f->staff)
		rc = each(p, staff, true, since, staff_row, f);
	if (!rc && f->block)
		rc = each(p, blocks, true, since, block_row, f);
	if (!rc && f->deleted && since >= 0)
		rc = each(p, deleted, true, since, deleted_row, f);
	if (!rc && f->rate)
		rc = each(p, rates, false, 0, rate_row, f);
	return rc;
}

static int pg_catalog_read(struct store *s, int64_t since_rev, const struct store_catalog_fns *f,
                           int64_t *rev_now)
{
	/* One snapshot (REPEATABLE READ) so the cursor matches exactly what was
	 * read: at READ COMMITTED each statement would see its own moment. */
	static const char rev_sql[] = "SELECT value FROM meta WHERE key = 'rev'";
	struct pg_store *p = PGS(s);
	struct store_catalog_fns fns = *f;
	bool own = !p->in_tx;
	/* Touches committed before this read reach it, and its cursor covers
	 * them (inside a caller's transaction they reach a later read: never
	 * missed, see the top). Also a read of no residents (a cursor only):
	 * a read from that cursor must not carry them again. */
	int rc = own ? stamp_touched(p) : WF_OK;
	if (!rc && own)
		rc = pg_exec(p, "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY");
	if (rc)
		return rc;
	p->in_tx = true;
	if (rev_now)
		rc = pg_value(p, rev_sql, NULL, rev_now);
	if (!rc)
		rc = catalog_tables(p, since_rev < 0 ? -1 : since_rev, &fns);
	if (!own)
		return rc;
	if (rc) {
		s->ops->rollback(s);
		return rc;
	}
	return s->ops->commit(s);
}

void store_pg_fill_downsync(struct store_ops *ops)
{
	ops->catalog_read = pg_catalog_read;
}
