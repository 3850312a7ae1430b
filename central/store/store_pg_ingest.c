/*
 * store_pg_ingest.c — the PostgreSQL backend: a batch's records read and
 * written a batch at a time (store.h records_held, records_insert), so a
 * batch of 500 records costs two round trips, not a thousand. Numbers go
 * as text arrays ("{1,2,NULL}"); the records' bytes and hashes go as one
 * binary bytea each, cut apart in SQL by offset and length.
 */
#include "store_pg.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"

/* A growing text buffer for one array literal. */
struct pg_arr {
	char *p;
	size_t len, cap;
	int oom;
};

static void arr_put(struct pg_arr *a, const char *s, size_t n)
{
	if (a->oom)
		return;
	if (a->len + n + 2 > a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 256;
		while (cap < a->len + n + 2)
			cap *= 2;
		char *p = realloc(a->p, cap);
		if (!p) {
			a->oom = 1;
			return;
		}
		a->p = p;
		a->cap = cap;
	}
	memcpy(a->p + a->len, s, n);
	a->len += n;
	a->p[a->len] = '\0';
}

/* Appends v (or NULL when !has) to the literal, "{" first and "," between
 * (digits by hand: 15 columns of 500 rows, snprintf showed in profiles). */
static void arr_i64(struct pg_arr *a, int64_t v, bool has)
{
	char num[24];
	size_t i = sizeof num;
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
	do {
		num[--i] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		num[--i] = '-';
	arr_put(a, a->len ? "," : "{", 1);
	if (has)
		arr_put(a, num + i, sizeof num - i);
	else
		arr_put(a, "NULL", 4);
}

static void arr_close(struct pg_arr *a)
{
	arr_put(a, a->len ? "}" : "{}", a->len ? 1 : 2);
}

static int pg_records_held(struct store *s, uint32_t kiosk, const uint32_t *seqs, size_t n,
                           int (*fn)(void *ctx, uint32_t seq, const uint8_t *bytes, size_t len,
                                     const uint8_t hash[WF_HASH_BYTES]),
                           void *ctx)
{
	static const char sql[] = "SELECT seq, bytes, hash FROM records WHERE kiosk = $1 AND seq = "
	                          "ANY($2::bigint[])";
	if (n == 0)
		return WF_OK;
	struct pg_arr a = {0};
	for (size_t i = 0; i < n; i++)
		arr_i64(&a, seqs[i], true);
	arr_close(&a);
	if (a.oom) {
		free(a.p);
		return WF_ENOMEM;
	}
	struct pg_params pp = {0};
	pg_p_i64(&pp, kiosk);
	pg_p_text(&pp, a.p);
	PGresult *r = NULL;
	int rc = pg_run(PGS(s), sql, &pp, &r);
	free(a.p);
	uint8_t *buf = NULL;
	for (int row = 0; !rc && row < PQntuples(r); row++) {
		uint8_t hash[WF_HASH_BYTES];
		size_t len = 0, hlen = 0, cap = (size_t)PQgetlength(r, row, 1) / 2 + 1;
		uint8_t *nb = realloc(buf, cap);
		if (!nb) {
			rc = WF_ENOMEM;
			break;
		}
		buf = nb;
		rc = pg_bytes(r, row, 1, buf, cap, &len);
		if (!rc)
			rc = pg_bytes(r, row, 2, hash, sizeof hash, &hlen);
		if (!rc && hlen != WF_HASH_BYTES)
			rc = WF_ECORRUPT;
		if (rc) {
			rc = WF_ECORRUPT; /* the buffer fits: what does not decode is damage */
			store_set_err(s, "postgresql: record %u/%" PRId64 " unreadable", kiosk,
			              pg_i64(r, row, 0));
		} else {
			rc = fn(ctx, (uint32_t)pg_i64(r, row, 0), buf, len, hash);
		}
	}
	free(buf);
	PQclear(r);
	return rc;
}

/* The columns of records_insert, one array literal each. */
enum {
	COL_SEQ,
	COL_KIND,
	COL_OFF,
	COL_LEN,
	COL_RECEIVED,
	COL_RESIDENT,
	COL_POINTS,
	COL_FLAGS,
	COL_TIME,
	COL_CATEGORY,
	COL_UNIT,
	COL_DFLAGS,
	COL_QTY,
	COL_CREDITED,
	COL_DAY,
	COL_N
};

/* One record's columns, NULL where SQLite's twin binds NULL (sq_bind_facts). */
static void put_record(struct pg_arr *a, const struct store_record *r, size_t off)
{
	bool qty = r->kind == WF_RECORD_DROP || r->kind == WF_RECORD_BIN;
	bool drop = r->kind == WF_RECORD_DROP;
	arr_i64(&a[COL_SEQ], r->seq, true);
	arr_i64(&a[COL_KIND], r->kind, true);
	arr_i64(&a[COL_OFF], (int64_t)off, true);
	arr_i64(&a[COL_LEN], (int64_t)r->len, true);
	arr_i64(&a[COL_RECEIVED], r->received_s, true);
	arr_i64(&a[COL_RESIDENT], r->resident, r->resident > 0);
	arr_i64(&a[COL_POINTS], r->points, true);
	arr_i64(&a[COL_FLAGS], r->flags, true);
	arr_i64(&a[COL_TIME], r->time_s, true);
	arr_i64(&a[COL_CATEGORY], r->category, qty);
	arr_i64(&a[COL_UNIT], r->unit, qty);
	arr_i64(&a[COL_DFLAGS], r->drop_flags, drop);
	arr_i64(&a[COL_QTY], r->qty, qty);
	arr_i64(&a[COL_CREDITED], r->credited, drop);
	arr_i64(&a[COL_DAY], r->local_day, drop || r->kind == WF_RECORD_DAY_CLOSE);
}

static const char insert_sql[] =
    "INSERT INTO records(kiosk, seq, kind, bytes, hash, received_s, resident, points, flags, "
    "time_s, category, unit, dflags, qty, credited, local_day) "
    "SELECT $1, t.seq, t.kind, substring($2::bytea from t.off::int + 1 for t.len::int), "
    "substring($3::bytea from (t.i::int - 1) * 32 + 1 for 32), t.received_s, t.resident, "
    "t.points, t.flags, t.time_s, t.category, t.unit, t.dflags, t.qty, t.credited, t.local_day "
    "FROM unnest($4::bigint[], $5::int[], $6::bigint[], $7::bigint[], $8::bigint[], "
    "$9::bigint[], $10::bigint[], $11::bigint[], $12::bigint[], $13::int[], $14::int[], "
    "$15::int[], $16::bigint[], $17::bigint[], $18::int[]) WITH ORDINALITY "
    "AS t(seq, kind, off, len, received_s, resident, points, flags, time_s, category, unit, "
    "dflags, qty, credited, local_day, i) "
    "ORDER BY t.seq ON CONFLICT (kiosk, seq) DO NOTHING RETURNING seq";

/* stored[i] from the seqs the INSERT returned (r ascending by seq). */
static int mark_stored(struct store *s, const PGresult *res, const struct store_record *r, size_t n,
                       uint8_t *stored)
{
	memset(stored, 0, n);
	for (int row = 0; row < PQntuples(res); row++) {
		int64_t seq = pg_i64(res, row, 0);
		size_t lo = 0, hi = n;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if ((int64_t)r[mid].seq < seq)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo == n || (int64_t)r[lo].seq != seq) {
			store_set_err(s, "postgresql: inserted a seq %" PRId64 " not asked for",
			              seq);
			return WF_EIO;
		}
		stored[lo] = 1;
	}
	return WF_OK;
}

static int pg_records_insert(struct store *s, const struct store_record *r, size_t n,
                             uint8_t *stored)
{
	if (n == 0)
		return WF_OK;
	struct pg_arr a[COL_N] = {0};
	size_t total = 0;
	for (size_t i = 0; i < n; i++) {
		if (r[i].kiosk != r[0].kiosk || (i > 0 && r[i].seq <= r[i - 1].seq)) {
			store_set_err(s, "records_insert: one kiosk, ascending seq");
			return WF_EINVAL;
		}
		total += r[i].len;
	}
	uint8_t *bytes = malloc(total + 1), *hashes = malloc(n * WF_HASH_BYTES);
	int rc = bytes && hashes ? WF_OK : WF_ENOMEM;
	for (size_t i = 0, off = 0; !rc && i < n; off += r[i].len, i++) {
		if (r[i].len)
			memcpy(bytes + off, r[i].bytes, r[i].len);
		memcpy(hashes + i * WF_HASH_BYTES, r[i].hash, WF_HASH_BYTES);
		put_record(a, &r[i], off);
	}
	struct pg_params pp = {0};
	pg_p_i64(&pp, r[0].kiosk);
	pg_p_bytes(&pp, bytes, total);
	pg_p_bytes(&pp, hashes, n * WF_HASH_BYTES);
	for (int c = 0; c < COL_N; c++) {
		arr_close(&a[c]);
		rc = rc ? rc : a[c].oom ? WF_ENOMEM : WF_OK;
		pg_p_text(&pp, a[c].p);
	}
	bool own = false;
	PGresult *res = NULL;
	if (!rc)
		rc = pg_tx_begin(PGS(s), &own);
	if (!rc) {
		rc = pg_run(PGS(s), insert_sql, &pp, &res);
		if (!rc)
			rc = mark_stored(s, res, r, n, stored);
		PQclear(res);
		rc = pg_tx_end(PGS(s), own, rc);
	}
	for (int c = 0; c < COL_N; c++)
		free(a[c].p);
	free(bytes);
	free(hashes);
	return rc;
}

void store_pg_fill_ingest(struct store_ops *ops)
{
	ops->records_held = pg_records_held;
	ops->records_insert = pg_records_insert;
}
