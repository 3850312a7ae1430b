/*
 * test_central_pool.c — one `wufei-central serve --db-connections 4`: its
 * requests run on four store handles at once (issue 13's pool), on SQLite
 * (WAL, writers queue on the file lock) and on PostgreSQL (the _pg twin).
 *
 * All at once, from one start: two senders push kiosk 7's journal (the same
 * batches, each until answered 200, as after a retry), kiosk 8 sends a
 * journal of its own, four operators claim the same sixteen receipts for
 * four residents, four partners redeem from one balance that cannot cover
 * them all, and an office user logs in again and again. Afterwards: every
 * record stored exactly once, each receipt claimed once, the balance never
 * overdrawn (exactly what it covered was redeemed), every login a session,
 * no 500, and `points check` finds every running total matching its ledger.
 */
#define _XOPEN_SOURCE 700
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <curl/curl.h>
#include <jansson.h>

#include "fixture.h"
#include "harness.h"
#include "office_client.h"
#include "points_records.h"
#include "store.h"
#include "testdb.h"

#define BATCHES   20 /* kiosk 7's and kiosk 8's journals: batches of PER_BATCH drops */
#define PER_BATCH 5
#define RECEIPTS  16 /* kiosk 8's anonymous drops, claimed */
#define CLAIMERS  4  /* residents 1002..1005, each claiming every receipt */
#define PARTNERS  4  /* redeeming from resident 1100 */
#define REDEEMS   10 /* per partner, 50 points each, against 1000 points */
#define LOGINS    6
#define TRIES     200 /* the test's bound on sending one batch again */
#define QTY_DROP  5000
#define QTY_ANON  1000

enum job { SEND7, SEND8, CLAIM, REDEEM, LOGIN };

struct worker {
	struct fx *f;
	pthread_barrier_t *go;
	enum job job;
	int i;
	char **bodies;                         /* SEND: the journal's batches */
	char (*tokens)[RECEIPT_TOKEN_LEN + 1]; /* CLAIM */
	unsigned ok, refused, errors, stored, duplicate, gave_up;
};

/* POST path with the JSON j (taken): the status, the answer's "status"
 * (or "error") into what[32]. */
static long post_json(struct fx *f, const char *path, json_t *j, char what[32])
{
	struct http_answer a;
	char *body = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	what[0] = '\0';
	if (harness_request(f->c.port, "POST", path, body, strlen(body), NULL, 0, 0, 0, &a) != 0) {
		free(body);
		return 0;
	}
	free(body);
	json_t *ans = json_loads(a.body, 0, NULL);
	const char *v = json_string_value(json_object_get(ans, "status"));
	if (!v)
		v = json_string_value(json_object_get(ans, "error"));
	snprintf(what, 32, "%s", v ? v : "");
	json_decref(ans);
	long st = a.status;
	harness_answer_free(&a);
	return st;
}

/* One batch until answered 200; its results tallied. No asserts (a thread). */
static void send_batch(struct worker *w, uint32_t kiosk, const uint8_t *sk, const char *body)
{
	for (unsigned tries = 0; tries < TRIES; tries++) {
		struct http_answer a;
		if (harness_request(w->f->c.port, "POST", "/api/v1/sync/batch", body, strlen(body),
		                    sk, kiosk, 1, fx_now_s(), &a) != 0) {
			w->errors++;
			continue;
		}
		long st = a.status;
		json_t *j = st == 200 ? json_loads(a.body, 0, NULL) : NULL;
		harness_answer_free(&a);
		if (st == 500)
			w->errors++;
		if (st != 200) {
			nanosleep(&(struct timespec){0, 20 * 1000000L}, NULL);
			continue;
		}
		for (size_t i = 0; i < json_array_size(json_object_get(j, "results")); i++) {
			const char *s = fx_status_of(j, i);
			w->stored += s && strcmp(s, "stored") == 0;
			w->duplicate += s && strcmp(s, "duplicate") == 0;
		}
		json_decref(j);
		return;
	}
	w->gave_up++;
}

static void claim_all(struct worker *w)
{
	char what[32];
	for (unsigned r = 0; r < RECEIPTS; r++) {
		long st = post_json(w->f, "/api/v1/receipts/claim",
		                    json_pack("{s:s, s:I, s:s}", "token", w->tokens[r], "resident",
		                              (json_int_t)(1002 + w->i), "test_actor", "op"),
		                    what);
		if (st == 200 && strcmp(what, "claimed") == 0)
			w->ok++;
		else if (st == 409 && strcmp(what, "already_claimed") == 0)
			w->refused++;
		else
			w->errors++;
	}
}

static void redeem_all(struct worker *w)
{
	char what[32], key[32];
	for (unsigned r = 0; r < REDEEMS; r++) {
		snprintf(key, sizeof key, "p%d-%u", w->i, r);
		long st = post_json(w->f, "/api/v1/redeem",
		                    json_pack("{s:i, s:i, s:s, s:s}", "resident", 1100, "points",
		                              50, "idempotency_key", key, "test_partner", "shop"),
		                    what);
		if (st == 200 && strcmp(what, "redeemed") == 0)
			w->ok++;
		else if (st == 409 && strcmp(what, "insufficient_points") == 0)
			w->refused++;
		else
			w->errors++;
	}
}

static void login_all(struct worker *w)
{
	for (unsigned r = 0; r < LOGINS; r++) {
		struct office_resp resp;
		office_request(w->f->c.port, NULL, "/office/login", NULL,
		               "user=oli&password=oli+password", NULL, NULL, &resp);
		if (resp.status == 303 && resp.set_cookie[0] &&
		    strcmp(resp.location, "/office/") == 0)
			w->ok++;
		else
			w->errors++;
	}
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	pthread_barrier_wait(w->go);
	if (w->job == SEND7 || w->job == SEND8)
		for (unsigned b = 0; b < BATCHES; b++)
			send_batch(w, w->job == SEND7 ? 7 : 8,
			           w->job == SEND7 ? w->f->sk : w->f->sk2, w->bodies[b]);
	else if (w->job == CLAIM)
		claim_all(w);
	else if (w->job == REDEEM)
		redeem_all(w);
	else
		login_all(w);
	return NULL;
}

/* kiosk's journal after its first first-1 drops: BATCHES batches of
 * PER_BATCH drops for resident (0: anonymous) of qty grams; prev is its chain. */
static char **journal(uint32_t kiosk, uint32_t first, int64_t resident, uint8_t prev[32])
{
	char **b = calloc(BATCHES, sizeof *b);
	assert_non_null(b);
	for (unsigned i = 0; i < BATCHES; i++) {
		struct pr_drop d[PER_BATCH];
		for (unsigned k = 0; k < PER_BATCH; k++)
			d[k] = (struct pr_drop){first + i * PER_BATCH + k, resident, QTY_DROP};
		b[i] = pr_batch_json(kiosk, d, PER_BATCH, prev);
	}
	return b;
}

/* fx_setup's store with residents 1001..1005 (nothing) and 1100 (1000
 * points), office operator oli, and the test build of central (it takes
 * the actor from the body) with four store handles. */
static int setup(void **state)
{
	char why[512];
	fx_setup(state);
	struct fx *f = *state;
	assert_int_equal(harness_stop(&f->c, SIGTERM), 0);
	struct store *s = NULL;
	assert_int_equal(store_open(f->db_url, &s, why, sizeof why), 0);
	static const int64_t ids[] = {1001, 1002, 1003, 1004, 1005, 1100};
	for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
		struct store_resident r = {.id = ids[i],
		                           .points_balance = ids[i] == 1100 ? 1000 : 0};
		snprintf(r.card_hash, sizeof r.card_hash, "%064llx", (unsigned long long)ids[i]);
		snprintf(r.name, sizeof r.name, "R*");
		snprintf(r.status, sizeof r.status, "active");
		assert_int_equal(s->ops->resident_put(s, &r), 0);
	}
	store_close(s);
	assert_int_equal(
	    harness_cli_input(f->db_url, "oli password\n", NULL, 0,
	                      (const char *[]){"user", "add", "oli", "--role", "operator", NULL}),
	    0);
	/* --crash-every without --crash-at: the test build, no crash point armed */
	assert_int_equal(harness_start_args(
	                     &f->c, f->db_url, 0,
	                     (const char *[]){"--crash-every", "1", "--db-connections", "4",
	                                      "--threads", "8", "--per-ip-connections", "0", NULL}),
	                 0);
	return 0;
}

/* Kiosk 8's first RECEIPTS drops (anonymous) stored; their tokens. */
static void anonymous_receipts(struct fx *f, uint8_t prev[32],
                               char tokens[RECEIPTS][RECEIPT_TOKEN_LEN + 1])
{
	struct pr_drop d[RECEIPTS];
	for (unsigned k = 0; k < RECEIPTS; k++) {
		d[k] = (struct pr_drop){1 + k, 0, QTY_ANON};
		pr_token(f->sk2, 8, &d[k], tokens[k]);
	}
	char *body = pr_batch_json(8, d, RECEIPTS, prev);
	struct http_answer a;
	assert_int_equal(fx_post_batch(f, f->sk2, 8, body, &a), 0);
	assert_int_equal(a.status, 200);
	harness_answer_free(&a);
	free(body);
}

static long sum_points(struct fx *f, const char *where)
{
	char sql[200];
	snprintf(sql, sizeof sql, "SELECT SUM(points) FROM points_entries WHERE %s", where);
	return testdb_count(f->db_url, sql);
}

static void check_after(struct fx *f, struct worker *w, size_t n)
{
	unsigned stored = 0, duplicate = 0, claimed = 0, redeemed = 0, logins = 0;
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(w[i].errors, 0);
		assert_int_equal(w[i].gave_up, 0);
		stored += w[i].stored, duplicate += w[i].duplicate;
		claimed += w[i].job == CLAIM ? w[i].ok : 0;
		redeemed += w[i].job == REDEEM ? w[i].ok : 0;
		logins += w[i].job == LOGIN ? w[i].ok : 0;
	}
	unsigned sent = 2 * BATCHES * PER_BATCH; /* kiosk 7 twice, kiosk 8 once */
	assert_int_equal(stored, sent);
	assert_int_equal(duplicate, BATCHES * PER_BATCH);
	assert_int_equal(testdb_count(f->db_url, "SELECT COUNT(*) FROM records"), sent + RECEIPTS);
	assert_int_equal(testdb_count(f->db_url, "SELECT COUNT(*) FROM tamper_alerts"), 0);
	/* each receipt claimed once; the claimers' points are the receipts' */
	assert_int_equal(claimed, RECEIPTS);
	assert_int_equal(testdb_count(f->db_url, "SELECT COUNT(*) FROM claims"), RECEIPTS);
	assert_int_equal(sum_points(f, "resident BETWEEN 1002 AND 1005"),
	                 RECEIPTS * pr_points(QTY_ANON));
	/* 1000 points cover exactly twenty redemptions of 50 */
	assert_int_equal(redeemed, 20);
	assert_int_equal(sum_points(f, "resident = 1100"), 0);
	/* kiosk 7's drops credited once each */
	assert_int_equal(sum_points(f, "resident = 1001"),
	                 BATCHES * PER_BATCH * pr_points(QTY_DROP));
	assert_int_equal(logins, 2 * LOGINS);
	assert_int_equal(testdb_count(f->db_url, "SELECT COUNT(*) FROM office_sessions"),
	                 2 * LOGINS);
	char out[4096];
	assert_int_equal(fx_cli(f, out, sizeof out, (const char *[]){"points", "check", NULL}), 0);
	assert_non_null(strstr(out, " 0 with a running total"));
}

static void test_pool_at_once(void **state)
{
	struct fx *f = *state;
	char tokens[RECEIPTS][RECEIPT_TOKEN_LEN + 1];
	uint8_t prev7[32] = {0}, prev8[32] = {0};
	anonymous_receipts(f, prev8, tokens);
	/* PostgreSQL: central holds its four connections (and this count one) */
	if (testdb_is_pg())
		assert_int_equal(testdb_count(f->db_url,
		                              "SELECT COUNT(*) FROM pg_stat_activity WHERE "
		                              "datname = current_database()"),
		                 5);
	char **j7 = journal(7, 1, 1001, prev7), **j8 = journal(8, 1 + RECEIPTS, 0, prev8);
	curl_global_init(CURL_GLOBAL_ALL); /* before the threads */
	enum { N = 3 + CLAIMERS + PARTNERS + 2 };
	static struct worker w[N];
	pthread_barrier_t go;
	pthread_barrier_init(&go, NULL, N);
	size_t n = 0;
	w[n++] = (struct worker){.job = SEND7, .bodies = j7};
	w[n++] = (struct worker){.job = SEND7, .bodies = j7};
	w[n++] = (struct worker){.job = SEND8, .bodies = j8};
	for (int i = 0; i < CLAIMERS; i++)
		w[n++] = (struct worker){.job = CLAIM, .i = i, .tokens = tokens};
	for (int i = 0; i < PARTNERS; i++)
		w[n++] = (struct worker){.job = REDEEM, .i = i};
	w[n++] = (struct worker){.job = LOGIN};
	w[n++] = (struct worker){.job = LOGIN};
	pthread_t th[N];
	for (size_t i = 0; i < N; i++) {
		w[i].f = f, w[i].go = &go;
		assert_int_equal(pthread_create(&th[i], NULL, worker_main, &w[i]), 0);
	}
	for (size_t i = 0; i < N; i++)
		pthread_join(th[i], NULL);
	pthread_barrier_destroy(&go);
	check_after(f, w, N);
	for (unsigned i = 0; i < BATCHES; i++)
		free(j7[i]), free(j8[i]);
	free(j7), free(j8);
}

/* --db-connections out of 1..64: refused with a clear message, exit 2. */
static void test_db_connections_refused(void **state)
{
	struct fx *f = *state;
	char cmd[2048], out[512];
	char bin[512];
	harness_bin("wufei-central", bin, sizeof bin);
	snprintf(cmd, sizeof cmd,
	         "'%s' serve --db '%s' --listen 127.0.0.1:0 --db-connections 65 2>&1; echo rc=$?",
	         bin, f->db_url);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	size_t len = fread(out, 1, sizeof out - 1, p);
	out[len] = '\0';
	pclose(p);
	assert_non_null(strstr(out, "--db-connections wants an integer in [1, 64], got '65'"));
	assert_non_null(strstr(out, "rc=2"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_pool_at_once, setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_db_connections_refused, fx_setup, fx_teardown),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	harness_kill_started();
	return rc;
}
