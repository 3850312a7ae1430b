/*
 * store_pg_web.c — what the office pages read, on PostgreSQL, as
 * store_sqlite_web.c does on SQLite: from the fact columns filled at
 * ingest (a record's bytes only when one record is asked for), a kiosk's
 * records of one local day, one record with its row, a resident by id or
 * card hash with the points ledger's running total. See store.h (struct
 * store_ops, "the office pages").
 */
#include "store_pg.h"

#include <string.h>

/* The columns every web record query selects, in fill_record's order;
 * column 16 is the bytes' length (the bytes themselves only when asked). */
#define WEB_RECORD_COLS                                                                            \
	"r.kiosk, r.seq, r.kind, r.hash, r.received_s, r.resident, r.points, r.flags, r.time_s, "  \
	"r.category, r.unit, r.dflags, r.qty, r.credited, r.local_day, p.name, "                   \
	"octet_length(r.bytes)"

#define WEB_RECORD_FROM " FROM records r LEFT JOIN residents p ON p.id = r.resident "

static void fill_record(const PGresult *res, int i, struct store_web_record *w)
{
	struct store_record *r = &w->r;
	memset(w, 0, sizeof *w);
	r->kiosk = (uint32_t)pg_i64(res, i, 0);
	r->seq = (uint32_t)pg_i64(res, i, 1);
	r->kind = (uint32_t)pg_i64(res, i, 2);
	uint8_t hash[WF_HASH_BYTES];
	size_t len = 0;
	if (pg_bytes(res, i, 3, hash, sizeof hash, &len) == WF_OK && len == WF_HASH_BYTES)
		memcpy(r->hash, hash, WF_HASH_BYTES);
	r->received_s = pg_i64(res, i, 4);
	r->resident = pg_i64(res, i, 5);
	r->points = pg_i64(res, i, 6);
	r->flags = (uint32_t)pg_i64(res, i, 7);
	r->time_s = pg_i64(res, i, 8);
	r->category = (uint16_t)pg_i64(res, i, 9);
	r->unit = (uint8_t)pg_i64(res, i, 10);
	r->drop_flags = (uint8_t)pg_i64(res, i, 11);
	r->qty = pg_i64(res, i, 12);
	r->credited = pg_i64(res, i, 13);
	r->local_day = (uint32_t)pg_i64(res, i, 14);
	pg_text(res, i, 15, w->resident_name, sizeof w->resident_name);
	r->len = (size_t)pg_i64(res, i, 16);
}

struct record_each {
	int (*fn)(void *ctx, const struct store_web_record *r);
	void *ctx;
};

static int record_each_row(const PGresult *r, int i, void *ctx)
{
	struct record_each *e = ctx;
	struct store_web_record w;
	fill_record(r, i, &w);
	return e->fn(e->ctx, &w);
}

static int pg_web_day_records(struct store *s, uint32_t kiosk, uint32_t local_day,
                              int (*fn)(void *ctx, const struct store_web_record *r), void *ctx)
{
	/* the day's seq range from the records that carry the day (drops, day
	 * closes); what lies between them happened that day too */
	static const char sql[] =
	    "WITH span AS (SELECT MIN(seq) lo, MAX(seq) hi FROM records WHERE kiosk = $1 AND "
	    "local_day = $2) SELECT " WEB_RECORD_COLS WEB_RECORD_FROM
	    ", span WHERE r.kiosk = $1 AND r.seq BETWEEN span.lo AND span.hi ORDER BY r.seq";
	struct pg_params pp = {0};
	pg_p_i64(&pp, kiosk);
	pg_p_i64(&pp, local_day);
	struct record_each e = {fn, ctx};
	return pg_each(s, sql, &pp, record_each_row, &e);
}

static int pg_web_record_get(struct store *s, uint32_t kiosk, uint32_t seq,
                             struct store_web_record *out, uint8_t *buf, size_t cap)
{
	static const char sql[] = "SELECT " WEB_RECORD_COLS ", r.bytes" WEB_RECORD_FROM
	                          "WHERE r.kiosk = $1 AND r.seq = $2";
	struct pg_params pp = {0};
	pg_p_i64(&pp, kiosk);
	pg_p_i64(&pp, seq);
	PGresult *r = NULL;
	int rc = pg_run(PGS(s), sql, &pp, &r);
	if (rc)
		return rc;
	if (PQntuples(r) < 1) {
		PQclear(r);
		return 0;
	}
	fill_record(r, 0, out);
	size_t len = 0;
	if (out->r.len > cap) {
		store_set_err(s, "record %u/%u is %zu bytes, more than %zu", kiosk, seq, out->r.len,
		              cap);
		rc = WF_ENOMEM;
	} else if (pg_bytes(r, 0, 17, buf, cap, &len) != WF_OK || len != out->r.len) {
		store_set_err(s, "postgresql: record %u/%u: its bytes do not read back", kiosk,
		              seq);
		rc = WF_EIO;
	} else {
		out->r.bytes = buf;
		rc = 1;
	}
	PQclear(r);
	return rc;
}

static int pg_web_resident_get(struct store *s, int64_t id, const char *card_hash,
                               struct store_resident *out)
{
	static const char sql[] =
	    "SELECT p.id, p.card_hash, p.name, p.status, p.block_reason, COALESCE(t.balance, 0) "
	    "FROM residents p LEFT JOIN points_totals t ON t.resident = p.id WHERE ($1::bigint > "
	    "0 AND p.id = $1) OR ($1::bigint <= 0 AND p.card_hash = $2)";
	struct pg_params pp = {0};
	pg_p_i64(&pp, id);
	pg_p_text(&pp, card_hash ? card_hash : "");
	PGresult *r = NULL;
	int rc = pg_run(PGS(s), sql, &pp, &r);
	if (rc)
		return rc;
	int found = PQntuples(r) > 0;
	if (found) {
		memset(out, 0, sizeof *out);
		out->id = pg_i64(r, 0, 0);
		pg_text(r, 0, 1, out->card_hash, sizeof out->card_hash);
		pg_text(r, 0, 2, out->name, sizeof out->name);
		pg_text(r, 0, 3, out->status, sizeof out->status);
		pg_text(r, 0, 4, out->block_reason, sizeof out->block_reason);
		out->points_balance = pg_i64(r, 0, 5);
	}
	PQclear(r);
	return found;
}

void store_pg_fill_web(struct store_ops *ops)
{
	ops->web_day_records = pg_web_day_records;
	ops->web_record_get = pg_web_record_get;
	ops->web_resident_get = pg_web_resident_get;
}
