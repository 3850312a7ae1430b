/*
 * store_sqlite_catalogue.c — the catalogue side of the SQLite backend: what
 * the office sets and kiosks down-sync. Categories with versioned rates,
 * residents, staff, the blocklist, the card key, and the down-sync reads.
 *
 * Every change takes a fresh revision (meta 'rev', the down-sync cursor) and
 * writes it on the row it changes; a removal leaves a tombstone at its
 * revision. That is done in one place: rev_write, remove_by_id.
 */
#include "store_sqlite.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* The next revision; must run inside a transaction. */
static int next_rev(struct store *s, int64_t *rev)
{
	int rc =
	    sql_exec(SQ(s)->db, "UPDATE meta SET value = value + 1 WHERE key = 'rev'", SQ_ERR(s));
	return rc ? rc : sq_value(s, "SELECT value FROM meta WHERE key = 'rev'", rev);
}

/*
 * One catalogue change: a fresh revision, then sql with the revision bound
 * as ?1 and the row's own values bound by bind (?2 on). In the caller's
 * transaction, or its own. must_change: no row changed is WF_ENOENT.
 */
struct rev_write {
	const char *sql;
	void (*bind)(sqlite3_stmt *st, const void *row);
	const void *row;
	bool must_change;
};

static int rev_write(struct store *s, const struct rev_write *w)
{
	sqlite3 *db = SQ(s)->db;
	sqlite3_stmt *st = NULL;
	int64_t rev = 0;
	bool own = false;
	int rc = sq_tx_begin(s, &own);
	if (!rc)
		rc = next_rev(s, &rev);
	if (!rc)
		rc = sql_prepare(db, w->sql, &st, SQ_ERR(s));
	if (!rc) {
		sqlite3_bind_int64(st, 1, rev);
		w->bind(st, w->row);
		rc = sql_done(db, st, SQ_ERR(s));
	}
	if (!rc && w->must_change && sqlite3_changes(db) < 1) {
		store_set_err(s, "no such id");
		rc = WF_ENOENT;
	}
	return sq_tx_end(s, own, rc);
}

/* An id and an optional text (?2 and ?3), for changes by id. */
struct id_text {
	int64_t id;
	const char *text;
};

static void bind_id_text(sqlite3_stmt *st, const void *row)
{
	const struct id_text *r = row;
	sqlite3_bind_int64(st, 2, r->id);
	if (r->text)
		sqlite3_bind_text(st, 3, r->text, -1, SQLITE_TRANSIENT);
}

/* Removes row id of table (one of ours, never a caller's text), leaving a
 * tombstone at a fresh revision so incremental down-syncs delete it too. */
static int remove_by_id(struct store *s, const char *table, int64_t id)
{
	char tomb[160], del[80];
	snprintf(tomb, sizeof tomb,
	         "INSERT INTO tombstones(rev, tbl, key) SELECT ?1, '%s', id FROM %s WHERE id = ?2",
	         table, table);
	snprintf(del, sizeof del, "DELETE FROM %s WHERE id = ?", table);
	struct id_text row = {id, NULL};
	sqlite3_stmt *st = NULL;
	bool own = false;
	int rc = sq_tx_begin(s, &own);
	if (!rc)
		rc = rev_write(s, &(struct rev_write){tomb, bind_id_text, &row, true});
	if (!rc)
		rc = sql_prepare(SQ(s)->db, del, &st, SQ_ERR(s));
	if (!rc) {
		sqlite3_bind_int64(st, 1, id);
		rc = sql_done(SQ(s)->db, st, SQ_ERR(s));
	}
	if (rc == WF_ENOENT)
		store_set_err(s, "no such id %lld", (long long)id);
	return sq_tx_end(s, own, rc);
}

/*
 * One card, one identity (DESIGN "Card identity"): a card enrolled to a
 * resident or a staff member cannot be enrolled to anyone else. self_table
 * and self_id name the row being written (it may keep its own card).
 * Returns WF_OK, WF_EEXIST (the message names the holder) or an error.
 */
static int card_free(struct store *s, const char *card_hash, const char *self_table,
                     int64_t self_id)
{
	static const char *const sql[] = {
	    "SELECT id FROM residents WHERE card_hash = ?1 AND NOT (?2 = 'residents' AND id = ?3)",
	    "SELECT id FROM staff WHERE card_hash = ?1 AND NOT (?2 = 'staff' AND id = ?3)",
	};
	sqlite3 *db = SQ(s)->db;
	for (int i = 0; i < 2; i++) {
		sqlite3_stmt *st = NULL;
		int rc = sql_prepare(db, sql[i], &st, SQ_ERR(s));
		if (rc)
			return rc;
		sqlite3_bind_text(st, 1, card_hash, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 2, self_table, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, self_id);
		rc = sql_step_row(db, st, SQ_ERR(s));
		int64_t holder = rc == 1 ? sqlite3_column_int64(st, 0) : 0;
		sqlite3_finalize(st);
		if (rc == 1) {
			store_set_err(s,
			              "this card is already enrolled to %s %lld; one card, one "
			              "identity: remove it there first",
			              i == 0 ? "resident" : "staff member", (long long)holder);
			return WF_EEXIST;
		}
		if (rc)
			return rc;
	}
	return WF_OK;
}

/* A row that holds a card: the card checked free, then written, in one transaction. */
static int put_with_card(struct store *s, const char *table, int64_t id, const char *card_hash,
                         const struct rev_write *w)
{
	bool own = false;
	int rc = sq_tx_begin(s, &own);
	if (!rc)
		rc = card_free(s, card_hash, table, id);
	if (!rc)
		rc = rev_write(s, w);
	return sq_tx_end(s, own, rc);
}

/* ---- categories and rates ---- */

static void bind_category(sqlite3_stmt *st, const void *row)
{
	const struct wf_category *c = row;
	sqlite3_bind_int64(st, 2, c->id);
	sqlite3_bind_text(st, 3, c->code, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, c->name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 5, c->unit);
	sqlite3_bind_int64(st, 6, c->rate_version);
	sqlite3_bind_int64(st, 7, c->rate);
	sqlite3_bind_int64(st, 8, c->min_qty);
	sqlite3_bind_int64(st, 9, c->max_qty);
	sqlite3_bind_int64(st, 10, c->daily_limit_qty);
	if (c->has_anon_cap) /* else NULL: no anonymous cap */
		sqlite3_bind_int64(st, 11, c->anon_cap_qty);
}

/* Appends the next rate version of c (c->rate_version set). In a transaction. */
static int rate_append(struct store *s, struct wf_category *c, int64_t now_s)
{
	sqlite3 *db = SQ(s)->db;
	sqlite3_stmt *st = NULL;
	int rc = sql_prepare(db,
	                     "INSERT INTO rates(category, version, unit, rate, created_s, "
	                     "anon_daily_cap) SELECT ?1, COALESCE(MAX(version), 0) + 1, ?2, ?3, "
	                     "?4, ?5 FROM rates WHERE category = ?1 RETURNING version",
	                     &st, SQ_ERR(s));
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, c->id);
	sqlite3_bind_int64(st, 2, c->unit);
	sqlite3_bind_int64(st, 3, c->rate);
	sqlite3_bind_int64(st, 4, now_s);
	if (c->has_anon_cap)
		sqlite3_bind_int64(st, 5, c->anon_cap_qty);
	rc = sql_step_row(db, st, SQ_ERR(s));
	if (rc == 1) {
		c->rate_version = (uint32_t)sqlite3_column_int64(st, 0);
		rc = sql_done(db, st, SQ_ERR(s));
		st = NULL;
	} else if (rc == 0) {
		store_set_err(s, "rate insert returned no version");
		rc = WF_EIO;
	}
	sqlite3_finalize(st);
	return rc;
}

int sq_rate_set(struct store *s, struct wf_category *c, int64_t now_s)
{
	/* The category row keeps the current rate; rates keeps every version. */
	bool own = false;
	int rc = sq_tx_begin(s, &own);
	if (!rc)
		rc = rate_append(s, c, now_s);
	if (!rc)
		rc =
		    rev_write(s, &(struct rev_write){
		                     "INSERT OR REPLACE INTO categories(rev, id, code, name, unit, "
		                     "rate_version, rate, min_qty, max_qty, daily_limit, "
		                     "anon_daily_cap) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11)",
		                     bind_category, c, false});
	return sq_tx_end(s, own, rc);
}

int sq_rate_get(struct store *s, uint16_t category, uint32_t version, struct store_rate *out)
{
	struct store_sqlite *q = SQ(s);
	sqlite3_stmt *st = q->get_rate;
	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, category);
	sqlite3_bind_int64(st, 2, version);
	int rc = sql_step_row(q->db, st, SQ_ERR(s));
	if (rc == 1) {
		out->category = category;
		out->version = version;
		out->unit = (enum wf_unit)sqlite3_column_int(st, 0);
		out->rate = sqlite3_column_int64(st, 1);
		out->created_s = sqlite3_column_int64(st, 2);
		out->has_anon_cap = sqlite3_column_type(st, 3) != SQLITE_NULL;
		out->anon_cap_qty = out->has_anon_cap ? sqlite3_column_int64(st, 3) : 0;
		rc = WF_OK;
	} else if (rc == 0) {
		store_set_err(s, "no rate version %u for category %u", version, category);
		rc = WF_ENOENT;
	}
	sqlite3_reset(st);
	return rc;
}

/* ---- residents, staff, blocklist ---- */

static void bind_resident(sqlite3_stmt *st, const void *row)
{
	const struct store_resident *r = row;
	sqlite3_bind_int64(st, 2, r->id);
	sqlite3_bind_text(st, 3, r->card_hash, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, r->name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 5, r->status, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 6, r->block_reason, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 7, r->points_balance);
}

int sq_resident_put(struct store *s, const struct store_resident *r)
{
	/* points_balance is the opening balance of a new resident: an 'adjusted'
	 * entry of the points ledger in the same transaction; an update keeps
	 * the balance. */
	char status[16];
	bool own = false;
	int rc = sq_tx_begin(s, &own);
	int known = rc ? rc : sq_resident_status(s, r->id, status);
	rc = known < 0
	         ? known
	         : put_with_card(s, "residents", r->id, r->card_hash,
	                         &(struct rev_write){
	                             "INSERT INTO residents(rev, id, card_hash, name, status, "
	                             "block_reason, points_base) VALUES(?1,?2,?3,?4,?5,?6,?7) "
	                             "ON CONFLICT(id) DO UPDATE SET card_hash = ?3, name = ?4, "
	                             "status = ?5, block_reason = ?6, rev = ?1",
	                             bind_resident, r, false});
	if (!rc && known == 0 && r->points_balance != 0) {
		struct store_points_entry e = {.resident = r->id,
		                               .kind = STORE_POINTS_ADJUSTED,
		                               .points = r->points_balance,
		                               .at_s = (int64_t)time(NULL),
		                               .actor = "resident add",
		                               .reason = "opening balance"};
		rc = sq_points_append(s, &e, NULL);
	}
	return sq_tx_end(s, own, rc);
}

int sq_resident_block(struct store *s, int64_t id, const char *reason)
{
	struct id_text row = {id, reason ? reason : ""};
	int rc = rev_write(s, &(struct rev_write){"UPDATE residents SET status = 'blocked', "
	                                          "block_reason = ?3, rev = ?1 WHERE id = ?2",
	                                          bind_id_text, &row, true});
	if (rc == WF_ENOENT)
		store_set_err(s, "no such id %lld", (long long)id);
	return rc;
}

int sq_resident_remove(struct store *s, int64_t id)
{
	return remove_by_id(s, "residents", id);
}

int sq_resident_touch(struct store *s, int64_t id)
{
	struct id_text row = {id, NULL};
	int rc = rev_write(s, &(struct rev_write){"UPDATE residents SET rev = ?1 WHERE id = ?2",
	                                          bind_id_text, &row, true});
	return rc == WF_ENOENT ? WF_OK : rc; /* a resident central does not know */
}

static void bind_staff(sqlite3_stmt *st, const void *row)
{
	const struct store_staff *r = row;
	sqlite3_bind_int64(st, 2, r->id);
	sqlite3_bind_text(st, 3, r->card_hash, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, r->name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 5, r->role, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 6, r->pin_hash, -1, SQLITE_TRANSIENT);
}

int sq_staff_put(struct store *s, const struct store_staff *r)
{
	return put_with_card(s, "staff", r->id, r->card_hash,
	                     &(struct rev_write){"INSERT OR REPLACE INTO staff(rev, id, card_hash, "
	                                         "name, role, pin_hash) VALUES(?1,?2,?3,?4,?5,?6)",
	                                         bind_staff, r, false});
}

int sq_staff_remove(struct store *s, int64_t id)
{
	return remove_by_id(s, "staff", id);
}

static void bind_block(sqlite3_stmt *st, const void *row)
{
	const struct store_block *b = row;
	sqlite3_bind_text(st, 2, b->card_hash, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, b->reason, -1, SQLITE_TRANSIENT);
}

int sq_block_put(struct store *s, const struct store_block *b)
{
	return rev_write(s, &(struct rev_write){"INSERT OR REPLACE INTO blocklist(rev, card_hash, "
	                                        "reason) VALUES(?1,?2,?3)",
	                                        bind_block, b, false});
}

int sq_card_key_get(struct store *s, uint32_t *version, uint8_t key[32])
{
	sqlite3 *db = SQ(s)->db;
	sqlite3_stmt *st = NULL;
	int rc = sql_prepare(db,
	                     "SELECT (SELECT value FROM meta WHERE key = 'card_key_version'), "
	                     "(SELECT value FROM meta WHERE key = 'card_key')",
	                     &st, SQ_ERR(s));
	if (rc)
		return rc;
	rc = sql_step_row(db, st, SQ_ERR(s));
	if (rc == 1 && sqlite3_column_bytes(st, 1) == 32) {
		*version = (uint32_t)sqlite3_column_int64(st, 0);
		memcpy(key, sqlite3_column_blob(st, 1), 32);
		rc = WF_OK;
	} else if (rc >= 0) {
		store_set_err(s, "no card key");
		rc = WF_ENOENT;
	}
	sqlite3_finalize(st);
	return rc;
}

/* ---- the down-sync reads: one row to one callback ---- */

static int category_row(sqlite3_stmt *st, void *ctx)
{
	const struct store_catalog_fns *f = ctx;
	struct wf_category c;
	memset(&c, 0, sizeof c);
	c.id = (uint16_t)sqlite3_column_int(st, 0);
	sq_text(st, 1, c.code, sizeof c.code);
	sq_text(st, 2, c.name, sizeof c.name);
	c.unit = (enum wf_unit)sqlite3_column_int(st, 3);
	c.rate_version = (uint32_t)sqlite3_column_int64(st, 4);
	c.rate = sqlite3_column_int64(st, 5);
	c.min_qty = sqlite3_column_int64(st, 6);
	c.max_qty = sqlite3_column_int64(st, 7);
	c.daily_limit_qty = sqlite3_column_int64(st, 8);
	c.has_anon_cap = sqlite3_column_type(st, 9) != SQLITE_NULL;
	c.anon_cap_qty = c.has_anon_cap ? sqlite3_column_int64(st, 9) : 0;
	return f->category(f->ctx, &c);
}

static int resident_row(sqlite3_stmt *st, void *ctx)
{
	const struct store_catalog_fns *f = ctx;
	struct store_resident r;
	r.id = sqlite3_column_int64(st, 0);
	sq_text(st, 1, r.card_hash, sizeof r.card_hash);
	sq_text(st, 2, r.name, sizeof r.name);
	sq_text(st, 3, r.status, sizeof r.status);
	sq_text(st, 4, r.block_reason, sizeof r.block_reason);
	r.points_balance = sqlite3_column_int64(st, 5);
	return f->resident(f->ctx, &r);
}

static int staff_row(sqlite3_stmt *st, void *ctx)
{
	const struct store_catalog_fns *f = ctx;
	struct store_staff r;
	r.id = sqlite3_column_int64(st, 0);
	sq_text(st, 1, r.card_hash, sizeof r.card_hash);
	sq_text(st, 2, r.name, sizeof r.name);
	sq_text(st, 3, r.role, sizeof r.role);
	sq_text(st, 4, r.pin_hash, sizeof r.pin_hash);
	return f->staff(f->ctx, &r);
}

static int block_row(sqlite3_stmt *st, void *ctx)
{
	const struct store_catalog_fns *f = ctx;
	struct store_block b;
	sq_text(st, 0, b.card_hash, sizeof b.card_hash);
	sq_text(st, 1, b.reason, sizeof b.reason);
	return f->block(f->ctx, &b);
}

static int deleted_row(sqlite3_stmt *st, void *ctx)
{
	const struct store_catalog_fns *f = ctx;
	char tbl[32], key[80];
	sq_text(st, 0, tbl, sizeof tbl);
	sq_text(st, 1, key, sizeof key);
	return f->deleted(f->ctx, tbl, key);
}

static int rate_row(sqlite3_stmt *st, void *ctx)
{
	const struct store_catalog_fns *f = ctx;
	struct store_rate r;
	r.category = (uint16_t)sqlite3_column_int(st, 0);
	r.version = (uint32_t)sqlite3_column_int64(st, 1);
	r.unit = (enum wf_unit)sqlite3_column_int(st, 2);
	r.rate = sqlite3_column_int64(st, 3);
	r.created_s = sqlite3_column_int64(st, 4);
	r.has_anon_cap = sqlite3_column_type(st, 5) != SQLITE_NULL;
	r.anon_cap_qty = r.has_anon_cap ? sqlite3_column_int64(st, 5) : 0;
	return f->rate(f->ctx, &r);
}

/* Each table of the down-sync: its query (rows changed after ?1) and its reader. */
static int catalog_tables(struct store *s, int64_t since, struct store_catalog_fns *f)
{
	int rc = WF_OK;
	if (f->category)
		rc =
		    sq_each(s,
		            "SELECT id, code, name, unit, rate_version, rate, min_qty, max_qty, "
		            "daily_limit, anon_daily_cap FROM categories WHERE rev > ? ORDER BY id",
		            since, category_row, f);
	if (!rc && f->resident)
		rc = sq_each(
		    s,
		    "SELECT r.id, r.card_hash, r.name, r.status, r.block_reason, "
		    "COALESCE((SELECT balance FROM points_totals WHERE resident = r.id), 0) "
		    "FROM residents r WHERE r.rev > ? ORDER BY r.id",
		    since, resident_row, f);
	if (!rc && f->staff)
		rc = sq_each(s,
		             "SELECT id, card_hash, name, role, pin_hash FROM staff WHERE rev > ? "
		             "ORDER BY id",
		             since, staff_row, f);
	if (!rc && f->block)
		rc = sq_each(s,
		             "SELECT card_hash, reason FROM blocklist WHERE rev > ? ORDER BY "
		             "card_hash",
		             since, block_row, f);
	if (!rc && f->deleted && since >= 0)
		rc = sq_each(s, "SELECT tbl, key FROM tombstones WHERE rev > ? ORDER BY rev", since,
		             deleted_row, f);
	if (!rc && f->rate)
		rc = sq_each(s,
		             "SELECT category, version, unit, rate, created_s, anon_daily_cap FROM "
		             "rates ORDER BY category, version",
		             0, rate_row, f);
	return rc;
}

int sq_catalog_read(struct store *s, int64_t since_rev, const struct store_catalog_fns *f,
                    int64_t *rev_now)
{
	/* One read transaction so the cursor matches exactly what was read. */
	struct store_catalog_fns fns = *f;
	int rc = sql_begin(SQ(s)->db, false, SQ_ERR(s));
	if (rc)
		return rc;
	if (rev_now)
		rc = sq_value(s, "SELECT value FROM meta WHERE key = 'rev'", rev_now);
	if (!rc)
		rc = catalog_tables(s, since_rev < 0 ? -1 : since_rev, &fns);
	if (rc) {
		sq_rollback(s);
		return rc;
	}
	return sq_commit(s);
}
