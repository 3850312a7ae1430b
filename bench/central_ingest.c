/*
 * central_ingest.c — benchmark: records per second acknowledged through the
 * real HTTP sync path (wufei-central serve, SQLite backend, 500-record signed
 * batches over loopback) divided by the rate of the same rows inserted
 * through the same storage interface (store.h) into the same schema in
 * 500-row transactions, measured in the same run. Prints where the rest of
 * the time goes. Last line: "central_ingest: <ratio> (target 0.3)".
 *
 * usage: wufei-bench-central-ingest [RECORDS]   (default 20000)
 *        wufei-bench-central-ingest --pg URL_HTTP URL_COPY RECORDS URL_COPY_LEDGER
 *        (PostgreSQL: central_ingest_pg.c)
 */
#define _XOPEN_SOURCE 700
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "central_ingest.h"
#include "clock.h"
#include "harness.h"
#include "ingest.h"
#include "signing.h"
#include "wf_test.h"
#include "store.h"
#include "wf.h"

double bench_now_ms(void)
{
	return (double)wf_clock_mono_ns() / 1e6;
}

static int die(const char *msg)
{
	fprintf(stderr, "central_ingest: %s\n", msg);
	return 1;
}

/* The same rows the HTTP path stores, prepared before the clock starts. */
struct row {
	uint8_t bytes[INGEST_MAX_RECORD_BYTES];
	size_t len;
	uint8_t hash[WF_HASH_BYTES];
	struct ingest_fields f;
};

/* Inserts n rows through the store interface in BATCH-row transactions. */
static double direct_ms(struct store *s, uint32_t kiosk, long n)
{
	uint8_t prev[WF_HASH_BYTES] = {0};
	struct row *rows = calloc((size_t)n, sizeof *rows);
	if (!rows)
		return -1;
	for (long k = 0; k < n; k++) {
		struct row *w = &rows[k];
		w->len = harness_record_bytes(kiosk, (uint32_t)k + 1, 0, w->bytes, sizeof w->bytes);
		ingest_chain_next(prev, w->bytes, w->len, w->hash);
		memcpy(prev, w->hash, WF_HASH_BYTES);
		ingest_record_fields(w->bytes, w->len, &w->f);
	}
	double t0 = bench_now_ms(), out = -1;
	for (long i = 0; i < n; i += BATCH) {
		if (s->ops->begin(s))
			goto done;
		for (long k = i; k < i + BATCH && k < n; k++) {
			struct store_record r = {.kiosk = kiosk,
			                         .seq = (uint32_t)k + 1,
			                         .kind = 1,
			                         .bytes = rows[k].bytes,
			                         .len = rows[k].len,
			                         .received_s = time(NULL)};
			memcpy(r.hash, rows[k].hash, WF_HASH_BYTES);
			store_record_facts(&r, &rows[k].f.rec);
			if (s->ops->record_insert(s, &r) != 1)
				goto done;
		}
		if (s->ops->commit(s))
			goto done;
	}
	out = bench_now_ms() - t0;
done:
	free(rows);
	return out;
}

char **make_bodies(long batches)
{
	char **bodies = calloc((size_t)batches, sizeof *bodies);
	uint8_t prev[WF_HASH_BYTES] = {0};
	for (long b = 0; bodies && b < batches; b++)
		bodies[b] = harness_batch_json(1, (uint32_t)(b * BATCH + 1), BATCH, prev, 0);
	return bodies;
}

/* A store at url with kiosk 1 and paper (rate version 1) for the in-process run. */
static struct store *open_rated(const char *url, char *why, size_t why_len)
{
	struct store *s = NULL;
	if (store_open(url, &s, why, why_len))
		return NULL;
	s->ops->kiosk_add(s, 1, "bench", time(NULL));
	struct wf_category paper = {.id = 1,
	                            .code = "paper",
	                            .name = "paper",
	                            .unit = WF_UNIT_GRAM,
	                            .rate = 2000,
	                            .min_qty = 1,
	                            .max_qty = 100000};
	s->ops->rate_set(s, &paper, time(NULL));
	return s;
}

int http_open(struct http_run *h, const char *dir, const char *url_a, const uint8_t pk[32])
{
	char pub[600];
	harness_write_pub(dir, "k.pub", pk, pub, sizeof pub);
	if (harness_cli(url_a, NULL, 0,
	                (const char *[]){"kiosk", "add", "1", "--pubkey", pub, NULL}) ||
	    harness_cli(url_a, NULL, 0,
	                (const char *[]){"rates", "set", "--id", "1", "--code", "paper", "--name",
	                                 "paper", "--unit", "g", "--rate", "2000", "--min", "1",
	                                 "--max", "100000", NULL}))
		return die("enrolment failed");
	if (harness_start(&h->c, url_a, 0))
		return die("cannot start wufei-central");
	return 0;
}

double http_send(struct http_run *h, char **bodies, long from, long to, const uint8_t sk[64])
{
	double t_sign = 0, t0 = bench_now_ms();
	for (long b = from; b < to; b++) {
		struct http_answer a;
		double ts = bench_now_ms();
		char sig[SIGNING_SIG_HEX_LEN + 1];
		signing_sign_request(sk, "POST", "/api/v1/sync/batch", time(NULL), bodies[b],
		                     strlen(bodies[b]), 1, 1, sig);
		t_sign += bench_now_ms() - ts; /* the harness signs again; measured once here */
		if (harness_request(h->c.port, "POST", "/api/v1/sync/batch", bodies[b],
		                    strlen(bodies[b]), sk, 1, 1, time(NULL), &a) ||
		    a.status != 200) {
			harness_answer_free(&a);
			break; /* counted as not acknowledged */
		}
		h->acked += (long)(strstr(a.body, "\"stored\"") ? BATCH : 0);
		harness_answer_free(&a);
	}
	return bench_now_ms() - t0 - t_sign;
}

void http_close(struct http_run *h)
{
	harness_stop(&h->c, SIGTERM);
}

double http_ms(const char *dir, const char *url_a, char **bodies, long batches,
               const uint8_t pk[32], const uint8_t sk[64])
{
	struct http_run h = {0};
	if (http_open(&h, dir, url_a, pk))
		return -1;
	double t = http_send(&h, bodies, 0, batches, sk);
	http_close(&h);
	if (h.acked != batches * BATCH) {
		die("not every record was acknowledged as stored");
		return -1;
	}
	return t;
}

/* Where the time goes: the server's steps run alone on the same bodies. */
static int steps_ms(struct store *s, char **bodies, long batches, const uint8_t pk[32],
                    const uint8_t sk[64], double *t_verify, double *t_ingest)
{
	char why[512];
	*t_verify = *t_ingest = 0;
	for (long b = 0; b < batches; b++) {
		size_t len = strlen(bodies[b]);
		char hash[WF_HASH_HEX], sig[SIGNING_SIG_HEX_LEN + 1];
		signing_sign_request(sk, "POST", "/api/v1/sync/batch", 1, bodies[b], len, 1, 1,
		                     sig);
		double ta = bench_now_ms();
		signing_hash_body(bodies[b], len, hash);
		if (signing_verify_request(pk, "POST", "/api/v1/sync/batch", 1, hash, 1, 1, sig))
			return die("verify failed");
		*t_verify += bench_now_ms() - ta;
		json_t *res = NULL;
		uint32_t hi = 0;
		ta = bench_now_ms();
		if (ingest_batch(s, 1, bodies[b], len, time(NULL), &res, &hi, why, sizeof why))
			return die(why);
		char *answer = json_dumps(res, JSON_COMPACT);
		*t_ingest += bench_now_ms() - ta;
		free(answer);
		json_decref(res);
	}
	return 0;
}

static void report(long n, long batches, double t_direct, double t_http, double t_verify,
                   double t_ingest)
{
	double rate_direct = (double)n * 1000.0 / t_direct;
	double rate_http = (double)n * 1000.0 / t_http;
	double logic = t_ingest - t_direct;
	double rest = t_http - t_ingest - t_verify;
	printf("records: %ld in %ld batches of %d\n", n, batches, BATCH);
	printf("direct store inserts: %.0f records/s (%.1f ms)\n", rate_direct, t_direct);
	printf("HTTP sync path:       %.0f records/s (%.1f ms, acknowledged)\n", rate_http, t_http);
	printf("where the HTTP path's time goes (each step run alone on the same batches):\n");
	printf("  SQL inserts (the baseline itself)                 %7.1f ms  %5.1f%%\n", t_direct,
	       100 * t_direct / t_http);
	printf("  ingest logic: parse, base64, chain, duplicate\n"
	       "    lookups, answer JSON (in-process ingest - SQL)   %7.1f ms  %5.1f%%\n",
	       logic, 100 * logic / t_http);
	printf("  signature verify + body hash                      %7.1f ms  %5.1f%%\n", t_verify,
	       100 * t_verify / t_http);
	printf("  HTTP, loopback, client, signing headers (rest)    %7.1f ms  %5.1f%%\n", rest,
	       100 * rest / t_http);
	printf("central_ingest: %.2f (target 0.3)\n", rate_http / rate_direct);
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--pg") == 0)
		return central_ingest_pg(argc, argv);
	long n = argc > 1 ? strtol(argv[1], NULL, 10) : 20000;
	if (n < BATCH || n > 1000000)
		return die("RECORDS must be 500..1000000");
	n -= n % BATCH;
	long batches = n / BATCH;
	char dir[] = "/tmp/wufei-bench-central-XXXXXX";
	char why[512], url_a[600], url_b[600], url_c[600];
	if (!mkdtemp(dir))
		return die("setup failed");
	snprintf(url_a, sizeof url_a, "sqlite:%s/http.db", dir);
	snprintf(url_b, sizeof url_b, "sqlite:%s/direct.db", dir);
	snprintf(url_c, sizeof url_c, "sqlite:%s/ingest.db", dir);
	uint8_t seed[32] = {7}, pk[32], sk[64];
	signing_keypair_from_seed(seed, pk, sk);

	/* Baseline: the store interface alone. */
	struct store *s = NULL;
	if (store_open(url_b, &s, why, sizeof why))
		return die(why);
	s->ops->kiosk_add(s, 1, "bench", time(NULL));
	double t_direct = direct_ms(s, 1, n);
	store_close(s);
	if (t_direct <= 0)
		return die("direct insert failed");

	char **bodies = make_bodies(batches);
	double t_http = bodies ? http_ms(dir, url_a, bodies, batches, pk, sk) : -1;
	double t_verify = 0, t_ingest = 0;
	s = t_http > 0 ? open_rated(url_c, why, sizeof why) : NULL;
	int rc = s ? steps_ms(s, bodies, batches, pk, sk, &t_verify, &t_ingest) : 1;
	store_close(s);
	for (long b = 0; bodies && b < batches; b++)
		free(bodies[b]);
	free(bodies);
	wf_test_rmtree(dir);
	if (rc)
		return rc;
	report(n, batches, t_direct, t_http, t_verify, t_ingest);
	return 0;
}
