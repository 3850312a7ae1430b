/*
 * ledger_append.c — ledger_append: one record, one transaction (the next
 * seq, canonical bytes, chain link, indexed columns, outbox row and, for a
 * drop, the daily counter and the receipt token); ledger_last; the receipt
 * key verify checks tokens with.
 */
#include "ledger_private.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "chain.h"

const char *const ledger_col_names[LEDGER_COL_COUNT] = {
    "category_id", "qty",         "credited_qty", "points",    "rate_version",
    "flags",       "resident_id", "staff_id",     "local_day",
};

static void col_set(struct ledger_cols *c, enum ledger_col id, int64_t v)
{
	c->has[id] = true;
	c->v[id] = v;
}

void ledger_cols_of(const struct wf_record *r, struct ledger_cols *c)
{
	memset(c, 0, sizeof *c);
	switch (r->kind) {
	case WF_RECORD_DROP:
		col_set(c, LEDGER_COL_CATEGORY, r->drop.category_id);
		col_set(c, LEDGER_COL_QTY, r->drop.qty);
		col_set(c, LEDGER_COL_CREDITED, r->drop.credited_qty);
		col_set(c, LEDGER_COL_POINTS, r->drop.points);
		col_set(c, LEDGER_COL_RATE_VERSION, r->drop.rate_version);
		col_set(c, LEDGER_COL_FLAGS, r->drop.flags);
		col_set(c, LEDGER_COL_RESIDENT, (int64_t)r->drop.resident_id);
		col_set(c, LEDGER_COL_LOCAL_DAY, r->drop.local_day);
		c->card_hash = r->drop.card_hash;
		break;
	case WF_RECORD_BIN:
		col_set(c, LEDGER_COL_CATEGORY, r->bin.category_id);
		col_set(c, LEDGER_COL_QTY, r->bin.grams);
		col_set(c, LEDGER_COL_STAFF, (int64_t)r->bin.staff_id);
		break;
	case WF_RECORD_STAFF: col_set(c, LEDGER_COL_STAFF, (int64_t)r->staff.staff_id); break;
	case WF_RECORD_DAY_CLOSE:
		col_set(c, LEDGER_COL_LOCAL_DAY, r->day_close.local_day);
		col_set(c, LEDGER_COL_POINTS, r->day_close.points);
		break;
	default: break;
	}
}

static bool hash_is_zero(const uint8_t h[WF_HASH_BYTES])
{
	uint8_t acc = 0;
	for (int i = 0; i < WF_HASH_BYTES; i++)
		acc |= h[i];
	return acc == 0;
}

int ledger_last(struct ledger *l, uint64_t *seq, uint8_t hash[WF_HASH_BYTES])
{
	assert(l);
	sqlite3_stmt *st = NULL;
	int r = ledger_db_stmt(l, LEDGER_ST_LAST, &st);
	if (r)
		return r;
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		if (sqlite3_column_bytes(st, 1) != WF_HASH_BYTES) {
			ledger_db_say(l, "last record has a hash of the wrong size");
			r = WF_ECORRUPT;
		} else {
			if (seq)
				*seq = (uint64_t)sqlite3_column_int64(st, 0);
			if (hash)
				memcpy(hash, sqlite3_column_blob(st, 1), WF_HASH_BYTES);
		}
	} else if (rc == SQLITE_DONE) {
		if (seq)
			*seq = 0;
		if (hash)
			memset(hash, 0, WF_HASH_BYTES);
	} else {
		r = ledger_db_fail(l, rc, "read last record");
	}
	sqlite3_reset(st);
	return r;
}

static int insert_record(struct ledger *l, const struct wf_record *rec, const uint8_t *bytes,
                         int len, const uint8_t hash[WF_HASH_BYTES])
{
	sqlite3_stmt *st = NULL;
	int r = ledger_db_stmt(l, LEDGER_ST_INSERT_RECORD, &st);
	if (r)
		return r;
	struct ledger_cols c;
	ledger_cols_of(rec, &c);
	sqlite3_bind_int64(st, 1, (int64_t)rec->seq);
	sqlite3_bind_int(st, 2, rec->kind);
	sqlite3_bind_int64(st, 3, rec->time_ms);
	sqlite3_bind_blob(st, 4, bytes, len, SQLITE_STATIC);
	sqlite3_bind_blob(st, 5, hash, WF_HASH_BYTES, SQLITE_STATIC);
	for (int i = 0; i < LEDGER_COL_COUNT; i++)
		if (c.has[i])
			sqlite3_bind_int64(st, 6 + i, c.v[i]);
	if (c.card_hash)
		sqlite3_bind_blob(st, 15, c.card_hash, WF_HASH_BYTES, SQLITE_STATIC);
	r = ledger_db_done(l, st, "insert record");
	if (r)
		return r;
	r = ledger_db_stmt(l, LEDGER_ST_INSERT_OUTBOX, &st);
	if (r)
		return r;
	sqlite3_bind_int64(st, 1, (int64_t)rec->seq);
	return ledger_db_done(l, st, "insert outbox row");
}

static int add_counter(struct ledger *l, const struct wf_record_drop *d)
{
	sqlite3_stmt *st = NULL;
	int r = ledger_db_stmt(l, LEDGER_ST_COUNTER_ADD, &st);
	if (r)
		return r;
	sqlite3_bind_blob(st, 1, d->card_hash, WF_HASH_BYTES, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, d->local_day);
	sqlite3_bind_int(st, 3, d->category_id);
	sqlite3_bind_int64(st, 4, d->qty);
	return ledger_db_done(l, st, "update daily counter");
}

static int drop_extras(struct ledger *l, const struct wf_record *rec,
                       const uint8_t hash[WF_HASH_BYTES], ledger_receipt_fn receipt, void *ctx,
                       char *token, size_t token_cap)
{
	int r;
	if (!hash_is_zero(rec->drop.card_hash)) {
		r = add_counter(l, &rec->drop);
		if (r)
			return r;
	}
	token[0] = '\0';
	if (receipt) {
		r = receipt(ctx, rec, hash, token, token_cap);
		if (r) {
			ledger_db_say(l, "receipt token failed: %s", wf_strerror(r));
			return r < 0 ? r : WF_EINVAL;
		}
		if (!memchr(token, '\0', token_cap)) {
			ledger_db_say(l, "receipt token not terminated");
			return WF_EINVAL;
		}
	}
	sqlite3_stmt *st = NULL;
	r = ledger_db_stmt(l, LEDGER_ST_INSERT_RECEIPT, &st);
	if (r)
		return r;
	sqlite3_bind_int64(st, 1, (int64_t)rec->seq);
	sqlite3_bind_text(st, 2, token, -1, SQLITE_STATIC);
	return ledger_db_done(l, st, "insert receipt");
}

/* Seq and previous hash for rec given the journal's last record. */
static int place_record(struct ledger *l, struct wf_record *rec, uint8_t prev[WF_HASH_BYTES])
{
	uint64_t last = 0;
	int r = ledger_last(l, &last, prev);
	if (r)
		return r;
	if (rec->kind != WF_RECORD_EPOCH) {
		rec->seq = last + 1;
		return WF_OK;
	}
	if (rec->epoch.after_seq < last) {
		ledger_db_say(
		    l, "epoch continues after seq %" PRIu64 " but the journal is at %" PRIu64,
		    rec->epoch.after_seq, last);
		return WF_EINVAL;
	}
	if (rec->epoch.after_seq == last && memcmp(rec->epoch.hash, prev, WF_HASH_BYTES) != 0) {
		ledger_db_say(l, "epoch hash differs from the journal's hash after seq %" PRIu64,
		              last);
		return WF_ECONFLICT;
	}
	rec->seq = rec->epoch.after_seq + 1;
	memcpy(prev, rec->epoch.hash, WF_HASH_BYTES);
	return WF_OK;
}

/* Checks rec as the journal will number it (the check needs a seq). */
static int check_record(struct ledger *l, struct wf_record *w)
{
	char why[96];
	w->kiosk = l->kiosk;
	w->seq = w->kind == WF_RECORD_EPOCH ? w->epoch.after_seq + 1 : 1;
	if (wf_record_check(w, why, sizeof why) != WF_OK && w->kind != WF_RECORD_CHECKPOINT) {
		ledger_db_say(l, "invalid record: %s", why);
		return WF_EINVAL;
	}
	return WF_OK;
}

/* Inside the transaction: numbers, encodes, chains and writes w. */
static int write_record(struct ledger *l, struct wf_record *w, ledger_receipt_fn receipt, void *ctx,
                        uint8_t hash[WF_HASH_BYTES], char *token, size_t token_cap)
{
	uint8_t bytes[WF_RECORD_MAX_LEN], prev[WF_HASH_BYTES];
	int r = place_record(l, w, prev);
	if (r)
		return r;
	int len = wf_record_encode(w, bytes, sizeof bytes);
	if (len < 0) {
		char why[96];
		wf_record_check(w, why, sizeof why);
		ledger_db_say(l, "invalid record: %s", why);
		return WF_EINVAL;
	}
	wf_chain_next(prev, bytes, (size_t)len, hash);
	r = insert_record(l, w, bytes, len, hash);
	if (r == WF_OK && w->kind == WF_RECORD_DROP)
		r = drop_extras(l, w, hash, receipt, ctx, token, token_cap);
	return r;
}

int ledger_append(struct ledger *l, struct wf_record *rec, ledger_receipt_fn receipt, void *ctx,
                  struct ledger_appended *out)
{
	assert(l && rec);
	l->err[0] = '\0';
	if (l->in_sync) {
		ledger_db_say(l, "a down-sync transaction is open");
		return WF_ESTATE;
	}
	struct wf_record w = *rec;
	int r = check_record(l, &w);
	if (r)
		return r;
	uint8_t hash[WF_HASH_BYTES];
	char token[LEDGER_TOKEN_MAX] = "";
	r = ledger_db_begin(l);
	if (r)
		return r;
	r = write_record(l, &w, receipt, ctx, hash, token, sizeof token);
	if (r == WF_OK)
		r = ledger_db_commit(l);
	if (r) {
		ledger_db_rollback(l);
		return r;
	}
	rec->kiosk = w.kiosk;
	rec->seq = w.seq;
	ledger_mark_note(l, w.seq, hash);
	if (out) {
		out->seq = w.seq;
		memcpy(out->hash, hash, sizeof hash);
		memcpy(out->token, token, sizeof token);
	}
	return WF_OK;
}

int ledger_set_receipt_key(struct ledger *l, uint8_t key_id,
                           const uint8_t public_key[LEDGER_RECEIPT_KEY_BYTES])
{
	assert(l && public_key);
	if (key_id == 0) {
		ledger_db_say(l, "receipt key id must be 1..255");
		return WF_EINVAL;
	}
	char key[32];
	uint8_t held[LEDGER_RECEIPT_KEY_BYTES];
	snprintf(key, sizeof key, "receipt_key.%u", key_id);
	int r = ledger_db_meta_blob(l, key, held, sizeof held);
	if (r == WF_OK && memcmp(held, public_key, sizeof held) == 0)
		return WF_OK; /* known already: no write */
	if (r != WF_OK && r != WF_ENOENT)
		return r;
	r = ledger_db_begin(l);
	if (r)
		return r;
	r = ledger_db_meta_set_blob(l, key, public_key, LEDGER_RECEIPT_KEY_BYTES);
	if (r == WF_OK)
		r = ledger_db_commit(l);
	if (r)
		ledger_db_rollback(l);
	return r;
}
