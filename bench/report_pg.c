/*
 * report_pg.c — the report benchmark's PostgreSQL fill: the same year of
 * records as the SQLite fill (bench_make, chained, the same losses, late
 * records and heartbeats), streamed by COPY into records with the
 * summaries' trigger off, then the summaries built in bulk from the rows
 * (wf_summary_rebuild, store_pg_schema.c) and the trigger on again: a
 * city's year loads in minutes, where a statement per record would take
 * hours. The kiosks, categories, residents and heartbeats go in by SQL.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "chain.h"
#include "clock.h"
#include "report_bench.h"
#include "store.h"
#include "wf.h"

#define COPY_BUF (1u << 20)

static double now_s(void)
{
	return (double)wf_clock_mono_ns() / 1e9;
}

static int sql(PGconn *c, const char *q)
{
	PGresult *r = PQexec(c, q);
	ExecStatusType st = PQresultStatus(r);
	int ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
	if (!ok)
		fprintf(stderr, "report: %s: %s", q, PQerrorMessage(c));
	PQclear(r);
	return ok ? 0 : -1;
}

/* The categories as rate_set writes them, the kiosks and the residents. */
static int catalogue(PGconn *c, long kiosks)
{
	static const char *const names[NCAT + 1] = {"", "废纸 paper", "塑料 plastic", "玻璃 glass",
	                                            "电池 batteries"};
	char q[512];
	for (int k = 1; k <= NCAT; k++) {
		snprintf(
		    q, sizeof q,
		    "INSERT INTO categories(id, code, name, unit, rate_version, rate, min_qty, "
		    "max_qty, daily_limit, rev, anon_daily_cap) VALUES(%d, 'c%d', '%s', %d, 1, "
		    "%" PRId64 ", 1, 1000000, 0, %d, NULL); INSERT INTO rates(category, version, "
		    "unit, rate, created_s) VALUES(%d, 1, %d, %" PRId64 ", %" PRId64 ")",
		    k, k, names[k], k == 4 ? WF_UNIT_PIECE : WF_UNIT_GRAM, bench_cat_rates[k], k, k,
		    k == 4 ? WF_UNIT_PIECE : WF_UNIT_GRAM, bench_cat_rates[k], DAY0_S);
		if (sql(c, q))
			return -1;
	}
	snprintf(
	    q, sizeof q,
	    "INSERT INTO kiosks(number, name, created_s) SELECT g, 'bench', %" PRId64
	    " FROM generate_series(1, %ld) g; INSERT INTO residents(id, card_hash, name, "
	    "status, block_reason, points_base, rev) SELECT g, lpad(to_hex(g), 64, '0'), 'R*', "
	    "'active', '', 0, 0 FROM generate_series(1, %d) g",
	    DAY0_S, kiosks, RESIDENTS);
	return sql(c, q);
}

struct copy {
	PGconn *c;
	char *buf;
	size_t len;
};

static int flush(struct copy *cp)
{
	if (cp->len && PQputCopyData(cp->c, cp->buf, (int)cp->len) != 1) {
		fprintf(stderr, "report: COPY: %s", PQerrorMessage(cp->c));
		return -1;
	}
	cp->len = 0;
	return 0;
}

/* bytes as COPY text's bytea: \\x and hex */
static void hex(struct copy *cp, const uint8_t *b, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	memcpy(cp->buf + cp->len, "\\\\x", 3);
	cp->len += 3;
	for (size_t i = 0; i < n; i++) {
		cp->buf[cp->len++] = digits[b[i] >> 4];
		cp->buf[cp->len++] = digits[b[i] & 15];
	}
}

/* A number, or \N when the kind has no such fact (as the store writes it). */
static void num(struct copy *cp, int64_t v, int has)
{
	size_t room = COPY_BUF - cp->len;
	cp->len += (size_t)(has ? snprintf(cp->buf + cp->len, room, "\t%" PRId64, v)
	                        : snprintf(cp->buf + cp->len, room, "\t\\N"));
}

/* One record as a COPY row of records. */
static int row(struct copy *cp, const struct store_record *r)
{
	if (cp->len > COPY_BUF - 2 * WF_RECORD_MAX_LEN - 512 && flush(cp))
		return -1;
	int qty = r->kind == WF_RECORD_DROP || r->kind == WF_RECORD_BIN;
	int drop = r->kind == WF_RECORD_DROP;
	cp->len += (size_t)snprintf(cp->buf + cp->len, COPY_BUF - cp->len, "%u\t%u\t%u\t", r->kiosk,
	                            r->seq, r->kind);
	hex(cp, r->bytes, r->len);
	cp->buf[cp->len++] = '\t';
	hex(cp, r->hash, WF_HASH_BYTES);
	num(cp, r->received_s, 1);
	num(cp, r->resident, r->resident > 0);
	num(cp, r->points, 1);
	num(cp, r->flags, 1);
	num(cp, r->time_s, 1);
	num(cp, r->category, qty);
	num(cp, r->unit, qty);
	num(cp, r->drop_flags, drop);
	num(cp, r->qty, qty);
	num(cp, r->credited, drop);
	num(cp, r->local_day, drop || r->kind == WF_RECORD_DAY_CLOSE);
	cp->buf[cp->len++] = '\n';
	return 0;
}

/* One kiosk's year as COPY rows; its heartbeat's seq into *beat. */
static int kiosk_rows(struct copy *cp, uint32_t kiosk, long per_kiosk, struct fill *fl,
                      uint32_t *beat)
{
	uint8_t prev[WF_HASH_BYTES] = {0}, bytes[WF_RECORD_MAX_LEN];
	uint32_t rnd = kiosk * 2654435761u, seq = 0;
	for (long i = 0; i < per_kiosk; i++) {
		struct wf_record rec;
		int day = 0;
		bench_make(kiosk, ++seq, i, per_kiosk, &rnd, &rec, &day);
		int len = wf_record_encode(&rec, bytes, sizeof bytes);
		if (len <= 0)
			return -1;
		struct store_record r = {.kiosk = kiosk, .seq = seq, .kind = rec.kind};
		r.bytes = bytes;
		r.len = (size_t)len;
		wf_chain_next(prev, bytes, r.len, r.hash);
		memcpy(prev, r.hash, WF_HASH_BYTES);
		store_record_facts(&r, &rec);
		r.received_s = BENCH_RECEIVED(r.time_s, rnd);
		if (BENCH_LOST(kiosk, i))
			continue;
		if (row(cp, &r))
			return -1;
		fl->records++;
		if (rec.kind == WF_RECORD_DROP && day >= ONE_DAY && day < ONE_DAY + 30)
			fl->drops_window++;
	}
	*beat = BENCH_BEAT_SEQ(kiosk, seq);
	return 0;
}

/* Every kiosk's records in one COPY, then their heartbeats. */
static int records(PGconn *c, long drops, long kiosks, struct fill *fl)
{
	struct copy cp = {c, malloc(COPY_BUF), 0};
	uint32_t *beat = calloc((size_t)kiosks + 1, sizeof *beat);
	PGresult *r = PQexec(c, "COPY records(kiosk, seq, kind, bytes, hash, received_s, resident, "
	                        "points, flags, time_s, category, unit, dflags, qty, credited, "
	                        "local_day) FROM STDIN");
	int rc = cp.buf && beat && PQresultStatus(r) == PGRES_COPY_IN ? 0 : -1;
	PQclear(r);
	for (long k = 1; !rc && k <= kiosks; k++)
		rc = kiosk_rows(&cp, (uint32_t)k, drops / kiosks, fl, &beat[k]);
	if (!rc)
		rc = flush(&cp);
	if (PQputCopyEnd(c, rc ? "the bench failed" : NULL) != 1)
		rc = -1;
	r = PQgetResult(c);
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		fprintf(stderr, "report: COPY records: %s", PQerrorMessage(c));
		rc = -1;
	}
	PQclear(r);
	char q[256];
	for (long k = 1; !rc && k <= kiosks; k++) {
		snprintf(q, sizeof q,
		         "INSERT INTO heartbeats(kiosk, received_s, last_seq, outbox_depth, "
		         "software_version, devices) VALUES(%ld, %" PRId64
		         ", %u, 0, 'bench', '{}')",
		         k, (int64_t)BENCH_BEAT_S(k), beat[k]);
		rc = sql(c, q);
	}
	free(beat);
	free(cp.buf);
	return rc;
}

int bench_fill_pg(const char *url, long drops, long kiosks, struct fill *fl)
{
	char why[512];
	struct store *s = NULL;
	if (store_open(url, &s, why, sizeof why)) { /* the schema, by its migrations */
		fprintf(stderr, "report: %s\n", why);
		return -1;
	}
	store_close(s);
	double t0 = now_s();
	PGconn *c = PQconnectdb(url);
	int rc = PQstatus(c) == CONNECTION_OK ? 0 : -1;
	if (rc)
		fprintf(stderr, "report: %s", PQerrorMessage(c));
	if (!rc)
		rc = sql(c, "SET synchronous_commit = off; ALTER TABLE records DISABLE TRIGGER "
		            "records_summaries");
	if (!rc)
		rc = catalogue(c, kiosks);
	if (!rc)
		rc = records(c, drops, kiosks, fl);
	double t1 = now_s();
	if (!rc)
		rc = sql(c, "SELECT wf_summary_rebuild(); ALTER TABLE records ENABLE TRIGGER "
		            "records_summaries");
	if (!rc)
		rc = sql(c, "VACUUM ANALYZE"); /* as autovacuum would, soon after */
	PQfinish(c);
	printf("filled %ld records (%ld kiosks, %d days) in %.0f s: COPY %.0f s, the summaries "
	       "built %.0f s\n",
	       fl->records, kiosks, DAYS, now_s() - t0, t1 - t0, now_s() - t1);
	return rc;
}
