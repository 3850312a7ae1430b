/*
 * city_load.c — benchmark: a city's kiosks syncing into two centrals on one
 * database. KIOSKS simulated kiosks are enrolled (keys from their numbers,
 * through the store interface), two `wufei-central serve` processes share
 * the database (WUFEI_CITY_CENTRALS: 1..8 of them), and each kiosk sends a
 * signed batch of new drops every 60 s of simulated time (MINUTES minutes,
 * one simulated minute lasting SECONDS real seconds, the kiosks spread over
 * the minute), alternating between the centrals, plus, every other minute,
 * BURST kiosks sending at the same instant. Threads send (libcurl, one
 * connection per request, as the kiosk's client does); a kiosk's batches go
 * one at a time, a failed one is sent again with the next. Requests carry
 * real time (the signature's window is central's clock ± 300 s); the
 * records carry the simulated time. Prints p50/p99 sync latency (request
 * sent to answer read), errors, and checks that the database holds every
 * record once.
 * WUFEI_CITY_DOWNSYNC=1: each kiosk also down-syncs from its cursor after
 * each acknowledged batch (p50/p99 printed apart; not in the p99 above).
 * Last line: "city_load: p99 A ms, errors B (target p99 500 ms, errors 0)".
 *
 * usage: wufei-bench-city-load URL [KIOSKS [MINUTES [SECONDS [BURST]]]]
 *        wufei-bench-city-load --smoke   (50 kiosks, 3 minutes of 1 s, burst
 *        20, on testdb.h's database: PostgreSQL under WUFEI_TEST_PG)
 * URL names an empty database (postgresql:// or sqlite:).
 */
#define _XOPEN_SOURCE 700
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "clock.h"
#include "harness.h"
#include "record.h"
#include "signing.h"
#include "store.h"
#include "wf.h"
#include "wf_test.h"
#include "testdb.h"

#define DROPS_PER_MINUTE 4   /* records a kiosk makes per simulated minute */
#define PENDING_MAX      120 /* records a kiosk holds unsent (30 failed minutes) */
#define CENTRALS_MAX     8
#define THREADS          256             /* a burst of 200 in flight at once, not queued here */
#define SIM_START_MS     1796040000000LL /* 2026-11-30 12:00 UTC, the records' clock */

struct kiosk {
	pthread_mutex_t mu;
	uint32_t number;
	uint8_t sk[64];
	uint8_t prev[WF_HASH_BYTES]; /* chain hash after the last record made */
	uint32_t made;               /* records made: seq 1..made */
	uint32_t acked;              /* records central answered for */
	uint32_t sent_batches;
	int64_t cursor; /* down-sync cursor (WUFEI_CITY_DOWNSYNC) */
	struct harness_rec pending[PENDING_MAX];
	size_t npending;
};

struct event {
	int64_t at_ns; /* monotonic */
	int64_t sim_ms;
	uint32_t kiosk; /* index */
};

struct run {
	struct kiosk *kiosks;
	size_t nkiosks;
	struct event *ev;
	size_t nev;
	atomic_size_t next;
	int port[CENTRALS_MAX];
	int ncentrals;
	pthread_mutex_t mu; /* guards the figures below */
	double *lat_ms;
	size_t nlat, cap_lat;
	bool downsync;   /* WUFEI_CITY_DOWNSYNC=1: a down-sync after every batch */
	double *down_ms; /* their latencies (cap_lat of them) */
	size_t ndown;
	long errors, requests;
	double late_ms; /* the most a send started after its time */
	char first_error[300];
};

static int die(const char *msg)
{
	fprintf(stderr, "city_load: %s\n", msg);
	return 1;
}

/* Makes n new drops of kiosk k at simulated time sim_ms (a resident each). */
static int make_drops(struct kiosk *k, int n, int64_t sim_ms)
{
	struct wf_record r[DROPS_PER_MINUTE];
	if (k->npending + (size_t)n > PENDING_MAX)
		return WF_EFULL; /* central away for too long: the benchmark says so */
	for (int i = 0; i < n; i++) {
		memset(&r[i], 0, sizeof r[i]);
		r[i].kind = WF_RECORD_DROP;
		r[i].kiosk = k->number;
		r[i].seq = k->made + 1 + (uint32_t)i;
		r[i].time_ms = sim_ms + i * 1000;
		r[i].drop.category_id = 1;
		r[i].drop.unit = WF_UNIT_GRAM;
		r[i].drop.qty = 800 + 37 * (int64_t)((r[i].seq + k->number) % 40);
		r[i].drop.credited_qty = r[i].drop.qty;
		wf_points(WF_UNIT_GRAM, 2000, r[i].drop.credited_qty, &r[i].drop.points);
		r[i].drop.rate_version = 1;
		r[i].drop.resident_id = 100000 + (uint64_t)k->number * 50 + r[i].seq % 50;
		memset(r[i].drop.card_hash, 0x5a, sizeof r[i].drop.card_hash);
		r[i].drop.local_day = 20261130;
	}
	int rc = harness_chain(r, (size_t)n, k->prev, &k->pending[k->npending]);
	if (!rc) {
		k->npending += (size_t)n;
		k->made += (uint32_t)n;
	}
	return rc;
}

/* Whether every result of the answer is stored or duplicate, n of them. */
static int answer_ok(const struct http_answer *a, size_t n)
{
	json_t *j = json_loads(a->body, 0, NULL);
	json_t *res = json_object_get(j, "results");
	int ok = a->status == 200 && json_array_size(res) == n;
	for (size_t i = 0; ok && i < n; i++) {
		const char *st =
		    json_string_value(json_object_get(json_array_get(res, i), "status"));
		ok = st && (strcmp(st, "stored") == 0 || strcmp(st, "duplicate") == 0);
	}
	json_decref(j);
	return ok;
}

static void note(struct run *run, double lat_ms, int ok, const struct http_answer *a)
{
	pthread_mutex_lock(&run->mu);
	run->requests++;
	if (ok && run->nlat < run->cap_lat)
		run->lat_ms[run->nlat++] = lat_ms;
	if (!ok) {
		run->errors++;
		if (!run->first_error[0])
			snprintf(run->first_error, sizeof run->first_error, "HTTP %ld: %.200s",
			         a->status, a->body ? a->body : "(no answer)");
	}
	pthread_mutex_unlock(&run->mu);
}

/*
 * A kiosk's down-sync from its cursor, as the kiosk does once a minute, to
 * the central its last batch went to; the answer's cursor kept. Its
 * latency is counted apart from the batches'; a failure is an error.
 */
static void downsync(struct run *run, struct kiosk *k)
{
	char path[64];
	snprintf(path, sizeof path, "/api/v1/sync/down?cursor=r%" PRId64, k->cursor);
	int port =
	    run->port[(k->sent_batches + (uint32_t)run->ncentrals - 1) % (uint32_t)run->ncentrals];
	struct http_answer a;
	double t0 = (double)wf_clock_mono_ns() / 1e6;
	int rc = harness_request(port, "GET", path, NULL, 0, k->sk, k->number, 1, time(NULL), &a);
	double lat = (double)wf_clock_mono_ns() / 1e6 - t0;
	json_t *j = rc == WF_OK && a.status == 200 ? json_loads(a.body, 0, NULL) : NULL;
	const char *cur = json_string_value(json_object_get(j, "cursor"));
	int ok = cur && cur[0] == 'r';
	if (ok)
		k->cursor = strtoll(cur + 1, NULL, 10);
	json_decref(j);
	pthread_mutex_lock(&run->mu);
	if (ok && run->ndown < run->cap_lat)
		run->down_ms[run->ndown++] = lat;
	if (!ok) {
		run->errors++;
		if (!run->first_error[0])
			snprintf(run->first_error, sizeof run->first_error,
			         "down-sync HTTP %ld: %.200s", a.status,
			         a.body ? a.body : "(no answer)");
	}
	pthread_mutex_unlock(&run->mu);
	harness_answer_free(&a);
}

/* Sends what kiosk k has pending to one of the centrals. 1 acknowledged. */
static int send_pending(struct run *run, struct kiosk *k)
{
	if (k->npending == 0)
		return 1;
	char *body = harness_batch_of(k->number, k->pending, k->npending);
	if (!body)
		return 0;
	int port = run->port[k->sent_batches++ % (uint32_t)run->ncentrals];
	struct http_answer a;
	double t0 = (double)wf_clock_mono_ns() / 1e6;
	int rc = harness_request(port, "POST", "/api/v1/sync/batch", body, strlen(body), k->sk,
	                         k->number, 1, time(NULL), &a);
	double lat = (double)wf_clock_mono_ns() / 1e6 - t0;
	int ok = rc == WF_OK && answer_ok(&a, k->npending);
	note(run, lat, ok, &a);
	if (ok) {
		k->acked += (uint32_t)k->npending;
		k->npending = 0;
	}
	harness_answer_free(&a);
	free(body);
	return ok;
}

static void *worker(void *arg)
{
	struct run *run = arg;
	for (;;) {
		size_t i = atomic_fetch_add(&run->next, 1);
		if (i >= run->nev)
			return NULL;
		const struct event *e = &run->ev[i];
		struct timespec ts = {.tv_sec = e->at_ns / 1000000000,
		                      .tv_nsec = e->at_ns % 1000000000};
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) != 0) {
		}
		double late = (double)(wf_clock_mono_ns() - e->at_ns) / 1e6;
		struct kiosk *k = &run->kiosks[e->kiosk];
		pthread_mutex_lock(&k->mu);
		int rc = make_drops(k, DROPS_PER_MINUTE, e->sim_ms);
		if (rc == WF_OK && send_pending(run, k) && run->downsync)
			downsync(run, k);
		pthread_mutex_unlock(&k->mu);
		pthread_mutex_lock(&run->mu);
		if (late > run->late_ms)
			run->late_ms = late;
		if (rc)
			run->errors++;
		pthread_mutex_unlock(&run->mu);
	}
}

static int by_time(const void *a, const void *b)
{
	int64_t x = ((const struct event *)a)->at_ns, y = ((const struct event *)b)->at_ns;
	return x < y ? -1 : x > y;
}

/* Every kiosk once a simulated minute, spread over it; bursts every other
 * minute at its half: burst kiosks at one instant. */
static int schedule(struct run *run, int minutes, double sec_per_min, size_t burst)
{
	size_t n = run->nkiosks, cap = n * (size_t)minutes + burst * (size_t)(minutes / 2 + 1);
	run->ev = calloc(cap, sizeof *run->ev);
	if (!run->ev)
		return WF_ENOMEM;
	int64_t t0 = wf_clock_mono_ns() + 500000000LL;
	double ns_per_sim_ms = sec_per_min * 1e9 / 60000.0;
	for (int m = 0; m < minutes; m++) {
		for (size_t k = 0; k < n; k++) {
			int64_t sim =
			    (int64_t)m * 60000 + (int64_t)(60000.0 * (double)k / (double)n);
			run->ev[run->nev++] =
			    (struct event){t0 + (int64_t)((double)sim * ns_per_sim_ms),
			                   SIM_START_MS + sim, (uint32_t)k};
		}
		for (size_t j = 0; m % 2 == 1 && j < burst && j < n; j++) {
			int64_t sim = (int64_t)m * 60000 + 30000;
			uint32_t k = (uint32_t)(((size_t)m * 7919 + j * 13) % n);
			run->ev[run->nev++] = (struct event){
			    t0 + (int64_t)((double)sim * ns_per_sim_ms), SIM_START_MS + sim, k};
		}
	}
	qsort(run->ev, run->nev, sizeof *run->ev, by_time);
	return WF_OK;
}

/* Kiosks, their keys and paper's rate, straight into the store. */
static int enrol(const char *url, struct run *run)
{
	char why[256];
	struct store *s = NULL;
	if (store_open(url, &s, why, sizeof why))
		return die(why);
	if (!s->ops->rate_set || !s->ops->kiosk_add || !s->ops->key_add || !s->ops->record_count) {
		store_close(s);
		return die("this build's backend lacks the ops to enrol kiosks");
	}
	int64_t now = time(NULL);
	struct wf_category paper = {.id = 1,
	                            .code = "paper",
	                            .name = "paper",
	                            .unit = WF_UNIT_GRAM,
	                            .rate = 2000,
	                            .min_qty = 1,
	                            .max_qty = 100000};
	int rc = s->ops->rate_set(s, &paper, now);
	if (!rc)
		rc = s->ops->begin(s);
	for (size_t i = 0; !rc && i < run->nkiosks; i++) {
		struct kiosk *k = &run->kiosks[i];
		uint8_t seed[32] = {0}, pk[32];
		char name[32];
		memcpy(seed, &k->number, sizeof k->number);
		seed[31] = 0xc1;
		signing_keypair_from_seed(seed, pk, k->sk);
		snprintf(name, sizeof name, "city %u", k->number);
		rc = s->ops->kiosk_add(s, k->number, name, now);
		if (!rc)
			rc = s->ops->key_add(s, k->number, 1, pk, now);
	}
	if (!rc)
		rc = s->ops->commit(s);
	if (rc)
		fprintf(stderr, "city_load: enrolment: %s\n", store_errmsg(s));
	store_close(s);
	return rc ? 1 : 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double pct(const double *v, size_t n, double p)
{
	if (n == 0)
		return 0;
	size_t i = (size_t)(p * (double)(n - 1) + 0.5);
	return v[i < n ? i : n - 1];
}

/* Drives the schedule through THREADS senders, then sends what is left. */
static void drive(struct run *run)
{
	pthread_t th[THREADS];
	int nth = 0;
	for (; nth < THREADS; nth++)
		if (pthread_create(&th[nth], NULL, worker, run) != 0)
			break;
	for (int i = 0; i < nth; i++)
		pthread_join(th[i], NULL);
	for (size_t i = 0; i < run->nkiosks; i++) /* a kiosk whose last batch failed */
		for (int tries = 0; tries < 3 && !send_pending(run, &run->kiosks[i]); tries++)
			sleep(1);
}

/* The database's count of records against what was made. */
static int check_count(const char *url, const struct run *run, int64_t *held, int64_t *made)
{
	char why[256];
	struct store *s = NULL;
	*made = 0;
	for (size_t i = 0; i < run->nkiosks; i++)
		*made += run->kiosks[i].made;
	if (store_open(url, &s, why, sizeof why))
		return die(why);
	int rc = s->ops->record_count(s, held);
	store_close(s);
	return rc ? die("cannot count records") : 0;
}

/* WUFEI_CITY_CENTRALS (1..8, default 2): how many centrals share the database. */
static int centrals_wanted(void)
{
	const char *v = getenv("WUFEI_CITY_CENTRALS");
	long n = v ? strtol(v, NULL, 10) : 2;
	return n >= 1 && n <= CENTRALS_MAX ? (int)n : 2;
}

static int city_load(const char *url, size_t nkiosks, int minutes, double sec_per_min, size_t burst)
{
	struct run run = {.nkiosks = nkiosks};
	pthread_mutex_init(&run.mu, NULL);
	run.kiosks = calloc(nkiosks, sizeof *run.kiosks);
	if (!run.kiosks)
		return die("out of memory");
	for (size_t i = 0; i < nkiosks; i++) {
		run.kiosks[i].number = (uint32_t)i + 1;
		pthread_mutex_init(&run.kiosks[i].mu, NULL);
	}
	double t_enrol = (double)wf_clock_mono_ns() / 1e9;
	if (enrol(url, &run))
		return 1;
	t_enrol = (double)wf_clock_mono_ns() / 1e9 - t_enrol;
	/* every simulated kiosk speaks from 127.0.0.1: the per-address cap
	 * (32, against one misbehaving kiosk) would count the whole city as one */
	const char *pool = getenv("WUFEI_CITY_DB_CONNECTIONS"); /* serve's own default when unset */
	const char *const serve_args[] = {"--per-ip-connections", "4096",
	                                  pool ? "--db-connections" : NULL, pool, NULL};
	struct central_proc c[CENTRALS_MAX];
	run.ncentrals = centrals_wanted();
	for (int i = 0; i < run.ncentrals; i++) {
		if (harness_start_args(&c[i], url, 0, serve_args)) {
			while (i-- > 0)
				harness_stop(&c[i], SIGTERM);
			return die("cannot start a wufei-central");
		}
		run.port[i] = c[i].port;
	}
	int rc = schedule(&run, minutes, sec_per_min, burst);
	run.cap_lat = run.nev + nkiosks * 4;
	run.lat_ms = calloc(run.cap_lat, sizeof *run.lat_ms);
	const char *down = getenv("WUFEI_CITY_DOWNSYNC");
	run.downsync = down && strcmp(down, "1") == 0;
	run.down_ms = calloc(run.cap_lat, sizeof *run.down_ms);
	if (!run.down_ms)
		rc = WF_ENOMEM;
	double t_run = (double)wf_clock_mono_ns() / 1e9;
	if (!rc && run.lat_ms)
		drive(&run);
	t_run = (double)wf_clock_mono_ns() / 1e9 - t_run;
	int stops = 0;
	for (int i = 0; i < run.ncentrals; i++)
		stops += harness_stop(&c[i], SIGTERM) != 0;
	int64_t held = -1, made = 0;
	if (rc || !run.lat_ms || check_count(url, &run, &held, &made))
		return die("the run failed");
	qsort(run.lat_ms, run.nlat, sizeof *run.lat_ms, cmp_double);
	double p50 = pct(run.lat_ms, run.nlat, 0.50), p99 = pct(run.lat_ms, run.nlat, 0.99);
	long errors = run.errors + (held != made) + stops;
	printf("kiosks: %zu (enrolled in %.1f s), %d simulated minutes of %.1f s, bursts of %zu\n",
	       nkiosks, t_enrol, minutes, sec_per_min, burst);
	printf("batches: %ld sent in %.1f s (%.0f/s) to %d centrals; %zu acknowledged\n",
	       run.requests, t_run, (double)run.requests / t_run, run.ncentrals, run.nlat);
	printf("sync latency: p50 %.1f ms, p99 %.1f ms, max %.1f ms; sends started up to %.0f ms "
	       "late\n",
	       p50, p99, run.nlat ? run.lat_ms[run.nlat - 1] : 0.0, run.late_ms);
	if (run.downsync) {
		qsort(run.down_ms, run.ndown, sizeof *run.down_ms, cmp_double);
		printf("down-syncs: %zu answered; p50 %.1f ms, p99 %.1f ms\n", run.ndown,
		       pct(run.down_ms, run.ndown, 0.50), pct(run.down_ms, run.ndown, 0.99));
	}
	printf("records: %" PRId64 " made, %" PRId64 " in the database%s\n", made, held,
	       held == made ? " (each once)" : " — MISMATCH");
	if (run.first_error[0])
		printf("first error: %s\n", run.first_error);
	printf("city_load: p99 %.0f ms, errors %ld (target p99 500 ms, errors 0)\n", p99, errors);
	free(run.ev);
	free(run.lat_ms);
	free(run.down_ms);
	free(run.kiosks);
	return errors ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--smoke") == 0) {
		char dir[] = "/tmp/wufei-city-XXXXXX", path[64], url[1024];
		if (!mkdtemp(dir))
			return die("setup failed");
		snprintf(path, sizeof path, "%s/central.db", dir);
		if (testdb_url(url, sizeof url, path))
			return die("no test database");
		int rc = city_load(url, 50, 3, 1.0, 20);
		wf_test_rmtree(dir);
		return rc;
	}
	if (argc < 2)
		return die("usage: wufei-bench-city-load URL [KIOSKS [MINUTES [SECONDS [BURST]]]]");
	long n = argc > 2 ? strtol(argv[2], NULL, 10) : 2000;
	long minutes = argc > 3 ? strtol(argv[3], NULL, 10) : 10;
	double sec = argc > 4 ? strtod(argv[4], NULL) : 15.0;
	long burst = argc > 5 ? strtol(argv[5], NULL, 10) : 200;
	if (n < 1 || n > 100000 || minutes < 1 || minutes > 1000 || !(sec >= 0.1) || burst < 0 ||
	    (size_t)minutes * DROPS_PER_MINUTE * 2 > UINT32_MAX / 2)
		return die("KIOSKS 1..100000, MINUTES 1..1000, SECONDS >= 0.1, BURST >= 0");
	return city_load(argv[1], (size_t)n, (int)minutes, sec, (size_t)burst);
}
