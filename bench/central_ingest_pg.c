/*
 * central_ingest_pg.c — central_ingest on PostgreSQL: records per second
 * acknowledged through the real signed HTTP sync path (wufei-central serve
 * on URL_HTTP, 500-record batches over loopback) divided by the rate of
 * COPY of the same rows into the same tables of another database of the
 * same cluster (URL_COPY_LEDGER): each batch's records and the points
 * ledger entries their drops earn (what ingest writes; the same schema, so
 * the same triggers keep the same summaries and running totals), one COPY
 * of each per batch, the two in one transaction as a batch is one. For the
 * record, not the figure: COPY of the records alone (URL_COPY). The three
 * take turns every ROUND batches in one run. The cluster is the caller's
 * (bench/central_ingest.sh starts one with fsync on). Last line:
 * "central_ingest_pg: <ratio> (target 0.5)" (bench/README.md says why
 * this baseline).
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

/* A connection to url with the schema as central makes it and kiosk 1. */
static PGconn *copy_open(const char *url)
{
	char why[256];
	struct store *s = NULL;
	if (store_open(url, &s, why, sizeof why)) { /* the schema, as central makes it */
		die(why);
		return NULL;
	}
	store_close(s);
	PGconn *c = PQconnectdb(url);
	if (PQstatus(c) != CONNECTION_OK ||
	    exec_ok(c, "INSERT INTO kiosks(number, name, created_s) VALUES(1, 'bench', 0)")) {
		die(PQerrorMessage(c));
		PQfinish(c);
		return NULL;
	}
	return c;
}

/* COPY of texts[from..to), each batch committed; the ms it took, or -1. */
static double copy_range(PGconn *c, const struct batch_text *texts, long from, long to, int ledger)
{
	double t0 = bench_now_ms();
	for (long b = from; b < to; b++)
		if (copy_batch(c, &texts[b], ledger))
			return -1;
	return bench_now_ms() - t0;
}

/* Batches a round: the three sides take turns, so a change in the load of
 * this shared machine during the run falls on each of them alike. */
#define ROUND 4

/* The sides' ms, summed over the rounds (order rotated each round). */
struct sides {
	double copy, ledger, http;
};

static int run_rounds(PGconn *c_rec, PGconn *c_led, struct http_run *h,
                      const struct batch_text *texts, char **bodies, long batches,
                      const uint8_t sk[64], struct sides *t)
{
	for (long from = 0, round = 0; from < batches; from += ROUND, round++) {
		long to = from + ROUND < batches ? from + ROUND : batches;
		for (int k = 0; k < 3; k++) {
			int side = (int)((round + k) % 3);
			double ms = side == 0   ? copy_range(c_rec, texts, from, to, 0)
			            : side == 1 ? copy_range(c_led, texts, from, to, 1)
			                        : http_send(h, bodies, from, to, sk);
			if (ms < 0)
				return -1;
			*(side == 0 ? &t->copy : side == 1 ? &t->ledger : &t->http) += ms;
		}
	}
	return h->acked == batches * BATCH ? 0 : die("not every record was acknowledged as stored");
}

static void print_figures(long n, long batches, const struct sides *t)
{
	double rate_copy = (double)n * 1000.0 / t->copy;
	double rate_ledger = (double)n * 1000.0 / t->ledger;
	double rate_http = (double)n * 1000.0 / t->http;
	printf("records: %ld in %ld batches of %d, PostgreSQL, the sides taking turns every %d "
	       "batches\n",
	       n, batches, BATCH, ROUND);
	printf("COPY of the records and their points ledger entries, a batch a transaction:\n"
	       "                             %.0f records/s (%.1f ms)\n",
	       rate_ledger, t->ledger);
	printf("HTTP sync path:              %.0f records/s (%.1f ms, acknowledged)\n", rate_http,
	       t->http);
	printf("(COPY of the records alone, without the entries ingest also writes: %.0f "
	       "records/s; HTTP over it %.2f)\n",
	       rate_copy, rate_http / rate_copy);
	printf("central_ingest_pg: %.2f (target 0.5)\n", rate_http / rate_ledger);
}

static void free_texts(struct batch_text *texts, long batches)
{
	for (long b = 0; texts && b < batches; b++) {
		free(texts[b].rec.p);
		free(texts[b].ent.p);
	}
	free(texts);
}

int central_ingest_pg(int argc, char **argv)
{
	if (argc < 6)
		return die("usage: --pg URL_HTTP URL_COPY RECORDS URL_COPY_LEDGER");
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
	PGconn *c_rec = copy_open(argv[3]), *c_led = c_rec ? copy_open(argv[5]) : NULL;
	struct batch_text *texts = c_led ? copy_texts(batches) : NULL;
	char **bodies = texts ? make_bodies(batches) : NULL;
	struct http_run h = {0};
	struct sides t = {0};
	int rc = bodies ? http_open(&h, dir, argv[2], pk) : 1;
	if (!rc) {
		rc = run_rounds(c_rec, c_led, &h, texts, bodies, batches, sk, &t);
		http_close(&h);
	}
	for (long b = 0; bodies && b < batches; b++)
		free(bodies[b]);
	free(bodies);
	free_texts(texts, batches);
	PQfinish(c_rec);
	PQfinish(c_led);
	wf_test_rmtree(dir);
	if (rc || t.copy <= 0 || t.ledger <= 0 || t.http <= 0)
		return die("a run failed");
	print_figures(n, batches, &t);
	return 0;
}
