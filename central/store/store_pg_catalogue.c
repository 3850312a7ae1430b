/*
 * store_pg_catalogue.c — the PostgreSQL backend: rates, residents, staff,
 * blocklist, card key and the down-sync catalogue (store.h), the twin of
 * store_sqlite_catalogue.c.
 *
 * Every change takes a fresh revision from meta 'rev' (UPDATE ... RETURNING:
 * the row stays locked until the transaction ends, so two centrals never
 * share a revision and catalogue writes are serialised) and writes it on
 * the row it changes; a removal leaves a tombstone at its revision. Because
 * the revision is taken first, the checks that follow it (one card, one
 * identity; a resident known or new) read what every earlier writer
 * committed.
 *
 * Touches (a resident's balance moved: every batch with a resident's drop)
 * do not take a revision: they would hold the 'rev' row until their batch
 * commits and so serialise every batch of every central. A touch marks the
 * resident in resident_dirty instead (an upsert: the row stays locked by
 * the touching transaction until it ends), and catalog_read first stamps,
 * in a short transaction of its own under an advisory lock, every marked
 * row that no one holds with ONE fresh revision, deleting the marks. Why
 * no down-sync misses a touch or gets a cursor past it: a touch's mark is
 * either (a) not committed yet, (b) committed and in resident_dirty, or
 * (c) stamped at revision R by a transaction that also deleted the mark.
 * A read's snapshot holds the cursor C = meta 'rev' it saw. In (a) and (b)
 * in that snapshot, the stamp that later deletes the mark commits after
 * the snapshot, and its revision comes from an UPDATE of 'rev' that
 * follows every committed value, so R > C: the next read from C carries
 * the resident, with the balance committed with the mark. In (c) the
 * snapshot holds the stamp and the balance together (R <= C: this read
 * carries it when R > since). A mark held by a batch still running is
 * skipped (SKIP LOCKED: a read never waits for a batch) and stamped by a
 * later read, after that batch commits.
 */
#include "store_pg.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* The next revision; inside a transaction (locks the 'rev' row until it ends). */
static int next_rev(struct pg_store *p, int64_t *rev)
{
	static const char sql[] = "UPDATE meta SET value = value + 1 WHERE key = 'rev' "
	                          "RETURNING value";
	return pg_value(p, sql, NULL, rev);
}

/*
 * One catalogue row written at revision rev: sql with the revision as $1
 * and the row's own values added by bind ($2 on). must_change: no row
 * changed is WF_ENOENT.
 */
struct rev_write {
	const char *sql;
	void (*bind)(struct pg_params *pp, const void *row);
	const void *row;
	bool must_change;
};

static int write_at(struct pg_store *p, int64_t rev, const struct rev_write *w)
{
	struct pg_params pp = {0};
	PGresult *r = NULL;
	pg_p_i64(&pp, rev);
	w->bind(&pp, w->row);
	int rc = pg_run(p, w->sql, &pp, &r);
	if (!rc && w->must_change && strcmp(PQcmdTuples(r), "0") == 0) {
		store_set_err(&p->base, "no such id");
		rc = WF_ENOENT;
	}
	PQclear(r);
	return rc;
}

/* A fresh revision and the write, in the caller's transaction or its own. */
static int rev_write(struct pg_store *p, const struct rev_write *w)
{
	int64_t rev = 0;
	bool own = false;
	int rc = pg_tx_begin(p, &own);
	if (!rc)
		rc = next_rev(p, &rev);
	if (!rc)
		rc = write_at(p, rev, w);
	return pg_tx_end(p, own, rc);
}

/* An id and an optional text ($2 and $3), for changes by id. */
struct id_text {
	int64_t id;
	const char *text;
};

static void bind_id_text(struct pg_params *pp, const void *row)
{
	const struct id_text *r = row;
	pg_p_i64(pp, r->id);
	if (r->text)
		pg_p_text(pp, r->text);
}

/* The statements of a removal by id, per table (prepared by address). */
struct removal {
	const char *tomb;
	const char *del;
};

static const struct removal remove_residents = {
    "INSERT INTO tombstones(rev, tbl, key) SELECT $1, 'residents', id::text FROM residents "
    "WHERE id = $2",
    "DELETE FROM residents WHERE id = $1",
};

static const struct removal remove_staff = {
    "INSERT INTO tombstones(rev, tbl, key) SELECT $1, 'staff', id::text FROM staff WHERE id = "
    "$2",
    "DELETE FROM staff WHERE id = $1",
};

/* Removes row id, leaving a tombstone at a fresh revision so incremental
 * down-syncs delete it too. */
static int remove_by_id(struct pg_store *p, const struct removal *how, int64_t id)
{
	struct id_text row = {id, NULL};
	bool own = false;
	int rc = pg_tx_begin(p, &own);
	if (!rc)
		rc = rev_write(p, &(struct rev_write){how->tomb, bind_id_text, &row, true});
	if (!rc) {
		struct pg_params pp = {0};
		pg_p_i64(&pp, id);
		rc = pg_run(p, how->del, &pp, NULL);
	}
	if (rc == WF_ENOENT)
		store_set_err(&p->base, "no such id %lld", (long long)id);
	return pg_tx_end(p, own, rc);
}

/*
 * One card, one identity (DESIGN "Card identity"): a card enrolled to a
 * resident or a staff member cannot be enrolled to anyone else. self_table
 * and self_id name the row being written (it may keep its own card).
 */
static int card_free(struct pg_store *p, const char *card_hash, const char *self_table,
                     int64_t self_id)
{
	static const char *const sql[] = {
	    "SELECT id FROM residents WHERE card_hash = $1 AND NOT ($2::text = 'residents' AND id "
	    "= $3)",
	    "SELECT id FROM staff WHERE card_hash = $1 AND NOT ($2::text = 'staff' AND id = $3)",
	};
	for (int i = 0; i < 2; i++) {
		struct pg_params pp = {0};
		pg_p_text(&pp, card_hash);
		pg_p_text(&pp, self_table);
		pg_p_i64(&pp, self_id);
		int64_t holder = 0;
		int rc = pg_value(p, sql[i], &pp, &holder);
		if (rc == WF_OK) {
			store_set_err(&p->base,
			              "this card is already enrolled to %s %lld; one card, one "
			              "identity: remove it there first",
			              i == 0 ? "resident" : "staff member", (long long)holder);
			return WF_EEXIST;
		}
		if (rc != WF_ENOENT)
			return rc;
	}
	return WF_OK;
}

/* A row that holds a card: a revision, the card checked free, the row written. */
static int put_with_card(struct pg_store *p, const char *table, int64_t id, const char *card_hash,
                         const struct rev_write *w)
{
	int64_t rev = 0;
	bool own = false;
	int rc = pg_tx_begin(p, &own);
	if (!rc)
		rc = next_rev(p, &rev);
	if (!rc)
		rc = card_free(p, card_hash, table, id);
	if (!rc)
		rc = write_at(p, rev, w);
	return pg_tx_end(p, own, rc);
}

/* ---- categories and rates ---- */

static void bind_category(struct pg_params *pp, const void *row)
{
	const struct wf_category *c = row;
	pg_p_i64(pp, c->id);
	pg_p_text(pp, c->code);
	pg_p_text(pp, c->name);
	pg_p_i64(pp, c->unit);
	pg_p_i64(pp, c->rate_version);
	pg_p_i64(pp, c->rate);
	pg_p_i64(pp, c->min_qty);
	pg_p_i64(pp, c->max_qty);
	pg_p_i64(pp, c->daily_limit_qty);
	pg_p_i64_or_null(pp, c->anon_cap_qty, c->has_anon_cap); /* NULL: no anonymous cap */
}

/* Appends the next rate version of c (c->rate_version set). In a transaction
 * that holds the 'rev' row, so two centrals never pick one version. */
static int rate_append(struct pg_store *p, struct wf_category *c, int64_t now_s)
{
	static const char sql[] =
	    "INSERT INTO rates(category, version, unit, rate, created_s, anon_daily_cap) SELECT "
	    "$1::integer, COALESCE(MAX(version), 0) + 1, $2, $3, $4, $5 FROM rates WHERE category "
	    "= $1 RETURNING version";
	struct pg_params pp = {0};
	pg_p_i64(&pp, c->id);
	pg_p_i64(&pp, c->unit);
	pg_p_i64(&pp, c->rate);
	pg_p_i64(&pp, now_s);
	pg_p_i64_or_null(&pp, c->anon_cap_qty, c->has_anon_cap);
	int64_t version = 0;
	int rc = pg_value(p, sql, &pp, &version);
	if (rc == WF_ENOENT) {
		store_set_err(&p->base, "rate insert returned no version");
		rc = WF_EIO;
	}
	if (!rc)
		c->rate_version = (uint32_t)version;
	return rc;
}

static int pg_rate_set(struct store *s, struct wf_category *c, int64_t now_s)
{
	/* The category row keeps the current rate; rates keeps every version. As
	 * SQLite's INSERT OR REPLACE, a row holding the code under another id
	 * gives way. */
	static const char drop_code[] = "DELETE FROM categories WHERE code = $1 AND id <> $2";
	static const char put[] =
	    "INSERT INTO categories(rev, id, code, name, unit, rate_version, rate, min_qty, "
	    "max_qty, daily_limit, anon_daily_cap) VALUES($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11) ON "
	    "CONFLICT(id) DO UPDATE SET rev = $1, code = $3, name = $4, unit = $5, rate_version = "
	    "$6, rate = $7, min_qty = $8, max_qty = $9, daily_limit = $10, anon_daily_cap = $11";
	struct pg_store *p = PGS(s);
	int64_t rev = 0;
	bool own = false;
	int rc = pg_tx_begin(p, &own);
	if (!rc)
		rc = next_rev(p, &rev);
	if (!rc)
		rc = rate_append(p, c, now_s);
	if (!rc) {
		struct pg_params pp = {0};
		pg_p_text(&pp, c->code);
		pg_p_i64(&pp, c->id);
		rc = pg_run(p, drop_code, &pp, NULL);
	}
	if (!rc)
		rc = write_at(p, rev, &(struct rev_write){put, bind_category, c, false});
	return pg_tx_end(p, own, rc);
}

static int pg_rate_get(struct store *s, uint16_t category, uint32_t version, struct store_rate *out)
{
	static const char sql[] = "SELECT unit, rate, created_s, anon_daily_cap FROM rates WHERE "
	                          "category = $1 AND version = $2";
	struct pg_params pp = {0};
	pg_p_i64(&pp, category);
	pg_p_i64(&pp, version);
	PGresult *r = NULL;
	int rc = pg_run(PGS(s), sql, &pp, &r);
	if (rc)
		return rc;
	if (PQntuples(r) == 1) {
		out->category = category;
		out->version = version;
		out->unit = (enum wf_unit)pg_i64(r, 0, 0);
		out->rate = pg_i64(r, 0, 1);
		out->created_s = pg_i64(r, 0, 2);
		out->has_anon_cap = !pg_isnull(r, 0, 3);
		out->anon_cap_qty = pg_i64(r, 0, 3);
	} else {
		store_set_err(s, "no rate version %u for category %u", version, category);
		rc = WF_ENOENT;
	}
	PQclear(r);
	return rc;
}

/* ---- residents, staff, blocklist ---- */

static void bind_resident(struct pg_params *pp, const void *row)
{
	const struct store_resident *r = row;
	pg_p_i64(pp, r->id);
	pg_p_text(pp, r->card_hash);
	pg_p_text(pp, r->name);
	pg_p_text(pp, r->status);
	pg_p_text(pp, r->block_reason);
	pg_p_i64(pp, r->points_balance);
}

static int pg_resident_put(struct store *s, const struct store_resident *r)
{
	/* points_balance is the opening balance of a new resident: an 'adjusted'
	 * entry of the points ledger in the same transaction; an update keeps
	 * the balance. The revision first: a second central putting the same
	 * new resident waits, then sees it known. */
	static const char put[] =
	    "INSERT INTO residents(rev, id, card_hash, name, status, block_reason, points_base) "
	    "VALUES($1,$2,$3,$4,$5,$6,$7) ON CONFLICT(id) DO UPDATE SET card_hash = $3, name = $4, "
	    "status = $5, block_reason = $6, rev = $1";
	struct pg_store *p = PGS(s);
	char status[16];
	int64_t rev = 0;
	bool own = false;
	int rc = pg_tx_begin(p, &own);
	if (!rc)
		rc = next_rev(p, &rev);
	int known = rc ? rc : s->ops->resident_status(s, r->id, status);
	rc = known < 0 ? known : card_free(p, r->card_hash, "residents", r->id);
	if (!rc)
		rc = write_at(p, rev, &(struct rev_write){put, bind_resident, r, false});
	if (!rc && known == 0 && r->points_balance != 0) {
		struct store_points_entry e = {.resident = r->id,
		                               .kind = STORE_POINTS_ADJUSTED,
		                               .points = r->points_balance,
		                               .at_s = (int64_t)time(NULL),
		                               .actor = "resident add",
		                               .reason = "opening balance"};
		rc = s->ops->points_append(s, &e, NULL);
	}
	return pg_tx_end(p, own, rc);
}

static int pg_resident_block(struct store *s, int64_t id, const char *reason)
{
	static const char sql[] = "UPDATE residents SET status = 'blocked', block_reason = $3, "
	                          "rev = $1 WHERE id = $2";
	struct id_text row = {id, reason ? reason : ""};
	int rc = rev_write(PGS(s), &(struct rev_write){sql, bind_id_text, &row, true});
	if (rc == WF_ENOENT)
		store_set_err(s, "no such id %lld", (long long)id);
	return rc;
}

static int pg_resident_remove(struct store *s, int64_t id)
{
	return remove_by_id(PGS(s), &remove_residents, id);
}

static int pg_resident_touch(struct store *s, int64_t id)
{
	/* DO UPDATE, not DO NOTHING: a mark already there is locked by this
	 * transaction, so no stamp deletes it before this change commits. An
	 * id central does not know is marked too; its stamp changes no row. */
	static const char sql[] = "INSERT INTO resident_dirty(id) VALUES($1) ON CONFLICT(id) DO "
	                          "UPDATE SET n = resident_dirty.n + 1";
	struct pg_params pp = {0};
	pg_p_i64(&pp, id);
	return pg_run(PGS(s), sql, &pp, NULL);
}

static void bind_staff(struct pg_params *pp, const void *row)
{
	const struct store_staff *r = row;
	pg_p_i64(pp, r->id);
	pg_p_text(pp, r->card_hash);
	pg_p_text(pp, r->name);
	pg_p_text(pp, r->role);
	pg_p_text(pp, r->pin_hash);
}

static int pg_staff_put(struct store *s, const struct store_staff *r)
{
	static const char sql[] =
	    "INSERT INTO staff(rev, id, card_hash, name, role, pin_hash) VALUES($1,$2,$3,$4,$5,$6) "
	    "ON CONFLICT(id) DO UPDATE SET rev = $1, card_hash = $3, name = $4, role = $5, "
	    "pin_hash = $6";
	return put_with_card(PGS(s), "staff", r->id, r->card_hash,
	                     &(struct rev_write){sql, bind_staff, r, false});
}

static int pg_staff_remove(struct store *s, int64_t id)
{
	return remove_by_id(PGS(s), &remove_staff, id);
}

static void bind_block(struct pg_params *pp, const void *row)
{
	const struct store_block *b = row;
	pg_p_text(pp, b->card_hash);
	pg_p_text(pp, b->reason);
}

static int pg_block_put(struct store *s, const struct store_block *b)
{
	static const char sql[] = "INSERT INTO blocklist(rev, card_hash, reason) VALUES($1,$2,$3) "
	                          "ON CONFLICT(card_hash) DO UPDATE SET rev = $1, reason = $3";
	return rev_write(PGS(s), &(struct rev_write){sql, bind_block, b, false});
}

static int pg_card_key_get(struct store *s, uint32_t *version, uint8_t key[32])
{
	static const char sql[] = "SELECT (SELECT value FROM meta WHERE key = 'card_key_version'), "
	                          "(SELECT bytes FROM meta WHERE key = 'card_key')";
	PGresult *r = NULL;
	int rc = pg_run(PGS(s), sql, NULL, &r);
	if (rc)
		return rc;
	uint8_t got[32];
	size_t len = 0;
	if (PQntuples(r) == 1 && pg_bytes(r, 0, 1, got, sizeof got, &len) == WF_OK &&
	    len == sizeof got) {
		*version = (uint32_t)pg_i64(r, 0, 0);
		memcpy(key, got, sizeof got);
	} else {
		store_set_err(s, "no card key");
		rc = WF_ENOENT;
	}
	PQclear(r);
	return rc;
}

void store_pg_fill_catalogue(struct store_ops *ops)
{
	ops->rate_set = pg_rate_set;
	ops->rate_get = pg_rate_get;
	ops->resident_put = pg_resident_put;
	ops->resident_block = pg_resident_block;
	ops->resident_remove = pg_resident_remove;
	ops->resident_touch = pg_resident_touch;
	ops->staff_put = pg_staff_put;
	ops->staff_remove = pg_staff_remove;
	ops->block_put = pg_block_put;
	ops->card_key_get = pg_card_key_get;
}
