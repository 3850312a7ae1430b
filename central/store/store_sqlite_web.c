/*
 * store_sqlite_web.c — what the office pages read, from the fact columns
 * filled at ingest (never the bytes): a kiosk's records of one local day,
 * one record with its row, a resident by id or card hash. (Drop totals
 * are the reports' summaries: store_ops.report_daily.) See store.h (struct
 * store_ops, "the office pages").
 */
#include "store_sqlite.h"

#include <string.h>

/* Steps st (parameters bound) calling row for each row; row's non-zero stops. */
static int each_row(struct store *s, sqlite3_stmt *st, int (*row)(sqlite3_stmt *st, void *ctx),
                    void *ctx)
{
	sqlite3 *db = SQ(s)->db;
	int rc;
	for (;;) {
		rc = sql_step_row(db, st, SQ_ERR(s));
		if (rc <= 0)
			break;
		if (row(st, ctx)) {
			rc = WF_OK;
			break;
		}
	}
	sqlite3_finalize(st);
	return rc;
}

/* The columns every web record query selects, in fill_record's order. */
#define WEB_RECORD_COLS                                                                            \
	"r.kiosk, r.seq, r.kind, r.hash, r.received_s, r.resident, r.points, r.flags, r.time_s, "  \
	"r.category, r.unit, r.dflags, r.qty, r.credited, r.local_day, p.name, r.bytes "

#define WEB_RECORD_FROM " FROM records r LEFT JOIN residents p ON p.id = r.resident "

static void fill_record(sqlite3_stmt *st, struct store_web_record *w)
{
	struct store_record *r = &w->r;
	memset(w, 0, sizeof *w);
	r->kiosk = (uint32_t)sqlite3_column_int64(st, 0);
	r->seq = (uint32_t)sqlite3_column_int64(st, 1);
	r->kind = (uint32_t)sqlite3_column_int64(st, 2);
	if (sqlite3_column_bytes(st, 3) == WF_HASH_BYTES)
		memcpy(r->hash, sqlite3_column_blob(st, 3), WF_HASH_BYTES);
	r->received_s = sqlite3_column_int64(st, 4);
	r->resident = sqlite3_column_int64(st, 5);
	r->points = sqlite3_column_int64(st, 6);
	r->flags = (uint32_t)sqlite3_column_int64(st, 7);
	r->time_s = sqlite3_column_int64(st, 8);
	r->category = (uint16_t)sqlite3_column_int64(st, 9);
	r->unit = (uint8_t)sqlite3_column_int64(st, 10);
	r->drop_flags = (uint8_t)sqlite3_column_int64(st, 11);
	r->qty = sqlite3_column_int64(st, 12);
	r->credited = sqlite3_column_int64(st, 13);
	r->local_day = (uint32_t)sqlite3_column_int64(st, 14);
	sq_text(st, 15, w->resident_name, sizeof w->resident_name);
	r->len = (size_t)sqlite3_column_bytes(st, 16);
}

struct day_walk {
	int (*fn)(void *ctx, const struct store_web_record *r);
	void *ctx;
};

static int day_row(sqlite3_stmt *st, void *ctx)
{
	struct day_walk *d = ctx;
	struct store_web_record w;
	fill_record(st, &w);
	return d->fn(d->ctx, &w);
}

int sq_web_day_records(struct store *s, uint32_t kiosk, uint32_t local_day,
                       int (*fn)(void *ctx, const struct store_web_record *r), void *ctx)
{
	sqlite3_stmt *st = NULL;
	/* the day's seq range from the records that carry the day (drops, day
	 * closes); what lies between them happened that day too */
	int rc =
	    sql_prepare(SQ(s)->db,
	                "WITH span AS (SELECT MIN(seq) lo, MAX(seq) hi FROM records WHERE "
	                "kiosk = ?1 AND local_day = ?2) SELECT " WEB_RECORD_COLS WEB_RECORD_FROM
	                ", span WHERE r.kiosk = ?1 AND r.seq BETWEEN "
	                "span.lo AND span.hi ORDER BY r.seq",
	                &st, SQ_ERR(s));
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, kiosk);
	sqlite3_bind_int64(st, 2, local_day);
	struct day_walk d = {fn, ctx};
	return each_row(s, st, day_row, &d);
}

int sq_web_record_get(struct store *s, uint32_t kiosk, uint32_t seq, struct store_web_record *out,
                      uint8_t *buf, size_t cap)
{
	sqlite3 *db = SQ(s)->db;
	sqlite3_stmt *st = NULL;
	int rc = sql_prepare(
	    db, "SELECT " WEB_RECORD_COLS WEB_RECORD_FROM "WHERE r.kiosk = ?1 AND r.seq = ?2", &st,
	    SQ_ERR(s));
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, kiosk);
	sqlite3_bind_int64(st, 2, seq);
	rc = sql_step_row(db, st, SQ_ERR(s));
	if (rc == 1) {
		fill_record(st, out);
		if (out->r.len > cap) {
			store_set_err(s, "record %u/%u is %zu bytes, more than %zu", kiosk, seq,
			              out->r.len, cap);
			rc = WF_ENOMEM;
		} else {
			if (out->r.len)
				memcpy(buf, sqlite3_column_blob(st, 16), out->r.len);
			out->r.bytes = buf;
		}
	}
	sqlite3_finalize(st);
	return rc;
}

int sq_web_resident_get(struct store *s, int64_t id, const char *card_hash,
                        struct store_resident *out)
{
	sqlite3 *db = SQ(s)->db;
	sqlite3_stmt *st = NULL;
	int rc = sql_prepare(db,
	                     "SELECT p.id, p.card_hash, p.name, p.status, p.block_reason, "
	                     "COALESCE(t.balance, 0) FROM residents p LEFT JOIN points_totals t "
	                     "ON t.resident = p.id WHERE (?1 > 0 AND p.id = ?1) OR (?1 <= 0 AND "
	                     "p.card_hash = ?2)",
	                     &st, SQ_ERR(s));
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, card_hash ? card_hash : "", -1, SQLITE_STATIC);
	rc = sql_step_row(db, st, SQ_ERR(s));
	if (rc == 1) {
		memset(out, 0, sizeof *out);
		out->id = sqlite3_column_int64(st, 0);
		sq_text(st, 1, out->card_hash, sizeof out->card_hash);
		sq_text(st, 2, out->name, sizeof out->name);
		sq_text(st, 3, out->status, sizeof out->status);
		sq_text(st, 4, out->block_reason, sizeof out->block_reason);
		out->points_balance = sqlite3_column_int64(st, 5);
	}
	sqlite3_finalize(st);
	return rc;
}
