/*
 * central_ingest_pg.c — central_ingest on PostgreSQL: records per second
 * acknowledged through the real signed HTTP sync path (wufei-central serve
 * on URL_HTTP, 500-record batches over loopback) divided by the rate of
 * COPY of the same rows into the same table (records) of another database
 * of the same cluster (URL_COPY), one COPY per 500 rows, each its own
 * transaction (as each batch is one), measured in the same run; for the
 * record (not the figure), with URL_COPY_LEDGER also the COPY of the
 * records with their points ledger entries, as ingest writes both. The
 * cluster is the caller's (bench/central_ingest.sh starts one with fsync
 * on). Last line: "central_ingest_pg: <ratio> (target 0.5)".
 */
#define _XOPEN_SOURCE 700
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "central_ingest.h"
#include "harness.h"
#include "ingest.h"
#include "signing.h"
#include "store.h"
#include "wf.h"
#include "wf_test.h"

static int die(const char *msg)
{
	fprintf(stderr, "central_ingest_pg: %s\n", msg);
	return 1;
}

struct text {
	char *p;
	size_t len, cap;
};

static void put(struct text *t, const char *s, size_t n)
{
	if (t->len + n + 1 > t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 65536;
		while (cap < t->len + n + 1)
			cap *= 2;
		char *p = realloc(t->p, cap);
		if (!p)
			abort(); /* a benchmark: out of memory ends it */
		t->p = p;
		t->cap = cap;
	}
	memcpy(t->p + t->len, s, n);
	t->len += n;
}

static void put_i64(struct text *t, int64_t v, int has, char sep)
{
	char num[32];
	int n = has ? snprintf(num, sizeof num, "%" PRId64 "%c", v, sep)
	            : snprintf(num, sizeof num, "\\N%c", sep);
	put(t, num, (size_t)n);
}

/* bytea in COPY's text format: \\x and hex (the backslash itself escaped). */
static void put_bytea(struct text *t, const uint8_t *b, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	put(t, "\\\\x", 3);
	for (size_t i = 0; i < n; i++) {
		char two[2] = {hex[b[i] >> 4], hex[b[i] & 15]};
		put(t, two, 2);
	}
	put(t, "\t", 1);
}

/* What one batch's COPYs send: its records, and their points ledger entries. */
struct batch_text {
	struct text rec, ent;
};

/* A resident's drop earns an entry: (resident, kind, points, kiosk, seq,
 * at_s, actor, reason), as points_earn writes it at ingest. */
static void put_entry(struct text *t, const struct store_record *r)
{
	put_i64(t, r->resident, 1, '\t');
	put_i64(t, 1, 1, '\t'); /* STORE_POINTS_EARNED */
	put_i64(t, r->points, 1, '\t');
	put_i64(t, r->kiosk, 1, '\t');
	put_i64(t, r->seq, 1, '\t');
	put_i64(t, time(NULL), 1, '\t');
	put(t, "kiosk\t\n", 7);
}

/* One COPY text per BATCH rows: the records the HTTP path stores, with the
 * columns ingest fills (store_record_facts), and their ledger entries.
 * Built before the clock starts. */
static struct batch_text *copy_texts(long batches)
{
	struct batch_text *texts = calloc((size_t)batches, sizeof *texts);
	uint8_t prev[WF_HASH_BYTES] = {0};
	for (long b = 0; texts && b < batches; b++) {
		for (long k = b * BATCH; k < (b + 1) * BATCH; k++) {
			uint8_t bytes[INGEST_MAX_RECORD_BYTES], hash[WF_HASH_BYTES];
			struct ingest_fields f;
			size_t len =
			    harness_record_bytes(1, (uint32_t)k + 1, 0, bytes, sizeof bytes);
			ingest_chain_next(prev, bytes, len, hash);
			memcpy(prev, hash, WF_HASH_BYTES);
			ingest_record_fields(bytes, len, &f);
			struct store_record r = {.kiosk = 1, .seq = (uint32_t)k + 1, .kind = 1};
			store_record_facts(&r, &f.rec);
			struct text *t = &texts[b].rec;
			if (r.resident > 0)
				put_entry(&texts[b].ent, &r);
			put_i64(t, 1, 1, '\t');
			put_i64(t, r.seq, 1, '\t');
			put_i64(t, r.kind, 1, '\t');
			put_bytea(t, bytes, len);
			put_bytea(t, hash, WF_HASH_BYTES);
			put_i64(t, time(NULL), 1, '\t');
			put_i64(t, r.resident, r.resident > 0, '\t');
			put_i64(t, r.points, 1, '\t');
			put_i64(t, 0, 1, '\t');
			put_i64(t, r.time_s, 1, '\t');
			put_i64(t, r.category, 1, '\t');
			put_i64(t, r.unit, 1, '\t');
			put_i64(t, r.drop_flags, 1, '\t');
			put_i64(t, r.qty, 1, '\t');
			put_i64(t, r.credited, 1, '\t');
			put_i64(t, r.local_day, 1, '\n');
		}
	}
	return texts;
}

static const char copy_records[] =
    "COPY records(kiosk, seq, kind, bytes, hash, received_s, resident, points, flags, time_s, "
    "category, unit, dflags, qty, credited, local_day) FROM STDIN";
static const char copy_entries[] =
    "COPY points_entries(resident, kind, points, kiosk, seq, at_s, actor, reason) FROM STDIN";

static int copy_one(PGconn *c, const char *sql, const struct text *t)
{
	PGresult *r = PQexec(c, sql);
	int ok = PQresultStatus(r) == PGRES_COPY_IN;
	PQclear(r);
	if (!ok || PQputCopyData(c, t->p, (int)t->len) != 1 || PQputCopyEnd(c, NULL) != 1)
		return -1;
	while ((r = PQgetResult(c)) != NULL) {
		if (PQresultStatus(r) != PGRES_COMMAND_OK) {
			fprintf(stderr, "central_ingest_pg: COPY: %s", PQresultErrorMessage(r));
			ok = 0;
		}
		PQclear(r);
	}
	return ok ? 0 : -1;
}

static int exec_ok(PGconn *c, const char *sql)
{
	PGresult *r = PQexec(c, sql);
	int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
	PQclear(r);
	return ok ? 0 : -1;
}

/* One batch's rows, committed: its records alone, or (ledger) with their
 * points ledger entries in the same transaction. */
static int copy_batch(PGconn *c, const struct batch_text *t, int ledger)
{
	if (!ledger)
		return copy_one(c, copy_records, &t->rec);
	if (exec_ok(c, "BEGIN") || copy_one(c, copy_records, &t->rec) ||
	    copy_one(c, copy_entries, &t->ent) || exec_ok(c, "COMMIT"))
		return -1;
	return 0;
}

/* The baseline: COPY of the same rows, BATCH at a time, each committed. */
static double copy_ms(const char *url, long batches, int ledger)
{
	char why[256];
	struct store *s = NULL;
	if (store_open(url, &s, why, sizeof why)) { /* the schema, as central makes it */
		die(why);
		return -1;
	}
	store_close(s);
	PGconn *c = PQconnectdb(url);
	if (PQstatus(c) != CONNECTION_OK) {
		die(PQerrorMessage(c));
		PQfinish(c);
		return -1;
	}
	PGresult *r =
	    PQexec(c, "INSERT INTO kiosks(number, name, created_s) VALUES(1, 'bench', 0)");
	PQclear(r);
	struct batch_text *texts = copy_texts(batches);
	double out = -1, t0 = bench_now_ms();
	for (long b = 0; texts && b < batches; b++)
		if (copy_batch(c, &texts[b], ledger))
			goto done;
	out = bench_now_ms() - t0;
done:
	for (long b = 0; texts && b < batches; b++) {
		free(texts[b].rec.p);
		free(texts[b].ent.p);
	}
	free(texts);
	PQfinish(c);
	return out;
}

int central_ingest_pg(int argc, char **argv)
{
	if (argc < 5)
		return die("usage: --pg URL_HTTP URL_COPY RECORDS [URL_COPY_LEDGER]");
	long n = strtol(argv[4], NULL, 10);
	if (n < BATCH || n > 1000000)
		return die("RECORDS must be 500..1000000");
	n -= n % BATCH;
	long batches = n / BATCH;
	char dir[] = "/tmp/wufei-bench-central-pg-XXXXXX";
	if (!mkdtemp(dir))
		return die("setup failed");
	uint8_t seed[32] = {7}, pk[32], sk[64];
	signing_keypair_from_seed(seed, pk, sk);
	double t_copy = copy_ms(argv[3], batches, 0);
	double t_ledger = argc > 5 && t_copy > 0 ? copy_ms(argv[5], batches, 1) : 0;
	char **bodies = t_copy > 0 ? make_bodies(batches) : NULL;
	double t_http = bodies ? http_ms(dir, argv[2], bodies, batches, pk, sk) : -1;
	for (long b = 0; bodies && b < batches; b++)
		free(bodies[b]);
	free(bodies);
	wf_test_rmtree(dir);
	if (t_copy <= 0 || t_http <= 0)
		return die("a run failed");
	double rate_copy = (double)n * 1000.0 / t_copy, rate_http = (double)n * 1000.0 / t_http;
	printf("records: %ld in %ld batches of %d, PostgreSQL\n", n, batches, BATCH);
	printf("COPY, %d rows a transaction: %.0f records/s (%.1f ms)\n", BATCH, rate_copy, t_copy);
	printf("HTTP sync path:              %.0f records/s (%.1f ms, acknowledged)\n", rate_http,
	       t_http);
	if (t_ledger > 0) /* for the record: the baseline with what else ingest writes */
		printf(
		    "(COPY with the points ledger's entries: %.0f records/s; HTTP over it %.2f)\n",
		    (double)n * 1000.0 / t_ledger, t_ledger / t_http);
	printf("central_ingest_pg: %.2f (target 0.5)\n", rate_http / rate_copy);
	return 0;
}
