/*
 * central_ingest.c — benchmark: records per second acknowledged through the
 * real HTTP sync path (wufei-central serve, SQLite backend, 500-record signed
 * batches over loopback) divided by the rate of the same rows inserted
 * through the same storage interface (store.h) into the same schema in
 * 500-row transactions, measured in the same run. Prints where the rest of
 * the time goes. Last line: "central_ingest: <ratio> (target 0.3)".
 *
 * usage: wufei-bench-central-ingest [RECORDS]   (default 20000)
 */
#define _XOPEN_SOURCE 700
#include <ftw.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>
#include <sodium.h>

#include "harness.h"
#include "ingest.h"
#include "signing.h"
#include "store.h"
#include "wf.h"

#define BATCH 500

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
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
	uint8_t hash[32];
	struct ingest_fields f;
};

/* Inserts n rows through the store interface in BATCH-row transactions. */
static double direct_ms(struct store *s, uint32_t kiosk, long n)
{
	uint8_t prev[32] = {0};
	struct row *rows = calloc((size_t)n, sizeof *rows);
	if (!rows)
		return -1;
	for (long k = 0; k < n; k++) {
		struct row *w = &rows[k];
		w->len = harness_record_bytes(kiosk, (uint32_t)k + 1, 0, w->bytes, sizeof w->bytes);
		ingest_chain_next(prev, w->bytes, w->len, w->hash);
		memcpy(prev, w->hash, 32);
		ingest_record_fields(w->bytes, w->len, &w->f);
	}
	double t0 = now_ms(), out = -1;
	for (long i = 0; i < n; i += BATCH) {
		if (s->ops->begin(s))
			goto done;
		for (long k = i; k < i + BATCH && k < n; k++) {
			struct store_record r = {.kiosk = kiosk,
			                         .seq = (uint32_t)k + 1,
			                         .kind = 1,
			                         .bytes = rows[k].bytes,
			                         .len = rows[k].len,
			                         .received_s = time(NULL),
			                         .resident = rows[k].f.resident,
			                         .points = rows[k].f.points};
			memcpy(r.hash, rows[k].hash, 32);
			if (s->ops->record_insert(s, &r) != 1)
				goto done;
		}
		if (s->ops->commit(s))
			goto done;
	}
	out = now_ms() - t0;
done:
	free(rows);
	return out;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? strtol(argv[1], NULL, 10) : 20000;
	if (n < BATCH || n > 1000000)
		return die("RECORDS must be 500..1000000");
	n -= n % BATCH;
	long batches = n / BATCH;
	char dir[] = "/tmp/wufei-bench-central-XXXXXX";
	char why[512], url_a[600], url_b[600], pub[600];
	if (!mkdtemp(dir) || sodium_init() < 0)
		return die("setup failed");
	curl_global_init(CURL_GLOBAL_DEFAULT);
	snprintf(url_a, sizeof url_a, "sqlite:%s/http.db", dir);
	snprintf(url_b, sizeof url_b, "sqlite:%s/direct.db", dir);
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

	/* The real path: signed batches over HTTP into wufei-central. */
	harness_write_pub(dir, "k.pub", pk, pub, sizeof pub);
	if (harness_cli(url_a, NULL, 0,
	                (const char *[]){"kiosk", "add", "1", "--pubkey", pub, NULL}))
		return die("kiosk add failed");
	if (harness_cli(url_a, NULL, 0,
	                (const char *[]){"rates", "set", "--id", "1", "--code", "paper", "--name",
	                                 "paper", "--unit", "g", "--rate", "2000", "--min", "1",
	                                 "--max", "100000", NULL}))
		return die("rates set failed");
	char **bodies = calloc((size_t)batches, sizeof *bodies);
	uint8_t prev[32] = {0};
	for (long b = 0; b < batches; b++)
		bodies[b] = harness_batch_json(1, (uint32_t)(b * BATCH + 1), BATCH, prev, 0);
	struct central_proc c;
	if (harness_start(&c, url_a, 0))
		return die("cannot start wufei-central");
	double t_sign = 0, t0 = now_ms();
	long acked = 0;
	for (long b = 0; b < batches; b++) {
		struct http_answer a;
		double ts = now_ms();
		char sig[SIGNING_SIG_HEX_LEN + 1];
		signing_sign_request(sk, "POST", "/api/v1/sync/batch", time(NULL), bodies[b],
		                     strlen(bodies[b]), 1, 1, sig);
		t_sign += now_ms() - ts; /* the harness signs again; measured once here */
		if (harness_request(c.port, "POST", "/api/v1/sync/batch", bodies[b],
		                    strlen(bodies[b]), sk, 1, 1, time(NULL), &a) ||
		    a.status != 200)
			return die("batch refused");
		acked += (long)(strstr(a.body, "\"stored\"") ? BATCH : 0);
		harness_answer_free(&a);
	}
	double t_http = now_ms() - t0 - t_sign;
	harness_stop(&c, SIGTERM);
	if (acked != n)
		return die("not every record was acknowledged as stored");

	/* Where the time goes: the server's steps run alone on the same bodies. */
	char url_c[600];
	snprintf(url_c, sizeof url_c, "sqlite:%s/ingest.db", dir);
	if (store_open(url_c, &s, why, sizeof why))
		return die(why);
	s->ops->kiosk_add(s, 1, "bench", time(NULL));
	struct wf_category paper = {.id = 1,
	                            .code = "paper",
	                            .name = "paper",
	                            .unit = WF_UNIT_GRAM,
	                            .rate = 2000,
	                            .min_qty = 1,
	                            .max_qty = 100000};
	s->ops->rate_set(s, &paper, time(NULL));
	double t_verify = 0, t_ingest = 0;
	for (long b = 0; b < batches; b++) {
		size_t len = strlen(bodies[b]);
		char hash[65], sig[SIGNING_SIG_HEX_LEN + 1];
		signing_sign_request(sk, "POST", "/api/v1/sync/batch", 1, bodies[b], len, 1, 1,
		                     sig);
		double ta = now_ms();
		signing_hash_body(bodies[b], len, hash);
		if (signing_verify_request(pk, "POST", "/api/v1/sync/batch", 1, hash, 1, 1, sig))
			return die("verify failed");
		t_verify += now_ms() - ta;
		json_t *res = NULL;
		uint32_t hi = 0;
		ta = now_ms();
		if (ingest_batch(s, 1, bodies[b], len, time(NULL), &res, &hi, why, sizeof why))
			return die(why);
		char *answer = json_dumps(res, JSON_COMPACT);
		t_ingest += now_ms() - ta;
		free(answer);
		json_decref(res);
		free(bodies[b]);
	}
	store_close(s);
	free(bodies);
	nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
	curl_global_cleanup();

	double rate_direct = (double)n * 1000.0 / t_direct;
	double rate_http = (double)n * 1000.0 / t_http;
	double ratio = rate_http / rate_direct;
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
	printf("central_ingest: %.2f (target 0.3)\n", ratio);
	return 0;
}
