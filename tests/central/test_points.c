/*
 * test_points.c — the points ledger on a real store (a SQLite file, or a
 * PostgreSQL database in the _pg twin: testdb.h), through the store
 * interface and the rules (ingest, rcheck_claim, points.h): drops earn
 * entries at ingest and the down-sync balance is their sum; an old store's
 * base balances and drops become entries; redemptions never go below zero
 * and take each idempotency key once; a claim waits for the record, moves a
 * receipt's points once and only what fits the claimant's daily limit, and a
 * record contradicting a claim raises an alert. Then the concurrency proofs
 * with the database's real locking: 64 threads, each with its OWN store
 * handle (on PostgreSQL its own connection) on the same database, claim
 * one receipt (exactly one wins), claim 64 receipts for one resident (the
 * daily limit holds) and redeem more than a balance holds (it stays at zero
 * or above; every success is one entry).
 */
#define _XOPEN_SOURCE 700
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>
#include <sqlite3.h>

#include "harness.h"
#include "ingest.h"
#include "points.h"
#include "points_records.h"
#include "rcheck.h"
#include "signing.h"
#include "store.h"
#include "testdb.h"
#include "teststore.h"
#include "wf.h"

#ifndef WUFEI_FIXTURES_DIR
#error "WUFEI_FIXTURES_DIR must name tests/central/fixtures"
#endif

#define THREADS 64

/* A store on a fresh file: kiosk 7 with key 1 (pk/sk), paper rated 2000/t with a 20 kg daily limit.
 */
struct env {
	struct test_store t;
	uint8_t pk[32], sk[64];
	uint8_t prev[WF_HASH_BYTES]; /* kiosk 7's chain so far */
};

static void env_open(struct env *e)
{
	uint8_t seed[32];
	memset(e, 0, sizeof *e);
	test_store_open(&e->t, "points");
	for (int i = 0; i < 32; i++)
		seed[i] = (uint8_t)(1 + i);
	signing_keypair_from_seed(seed, e->pk, e->sk);
	struct store *s = e->t.s;
	test_store_kiosk(s, 7, "t", e->pk);
	struct wf_category c = {.id = 1,
	                        .code = "paper",
	                        .name = "Paper",
	                        .unit = WF_UNIT_GRAM,
	                        .rate = 2000,
	                        .min_qty = 50,
	                        .max_qty = 50000,
	                        .daily_limit_qty = 20000};
	assert_int_equal(s->ops->rate_set(s, &c, 1), 0);
	assert_int_equal(c.rate_version, 1u);
}

static void env_resident(struct env *e, int64_t id, int64_t opening)
{
	struct store_resident r = {.id = id, .points_balance = opening};
	snprintf(r.card_hash, sizeof r.card_hash, "%064llx", (unsigned long long)id);
	snprintf(r.name, sizeof r.name, "R*");
	snprintf(r.status, sizeof r.status, "active");
	assert_int_equal(e->t.s->ops->resident_put(e->t.s, &r), 0);
}

static void env_close(struct env *e)
{
	test_store_close(&e->t);
}

/* Ingests d[0..n) of kiosk 7 as one batch; the JSON results (caller frees). */
static json_t *env_ingest(struct env *e, const struct pr_drop *d, size_t n)
{
	char why[512];
	json_t *res = NULL;
	uint32_t hi = 0;
	char *body = pr_batch_json(7, d, n, e->prev);
	assert_int_equal(
	    ingest_batch(e->t.s, 7, body, strlen(body), 100, &res, &hi, why, sizeof why), 0);
	free(body);
	return res;
}

static int64_t balance_of(struct store *s, int64_t resident)
{
	int64_t b = -1;
	assert_int_equal(s->ops->points_balance(s, resident, &b), 0);
	return b;
}

static int count_mismatch(void *ctx, int64_t resident, int64_t total, int64_t sum)
{
	(void)resident;
	(void)total;
	(void)sum;
	(*(int64_t *)ctx)++;
	return 0;
}

/* Every running total equals the sum of its entries; returns how many residents. */
static int64_t assert_totals_add_up(struct store *s)
{
	int64_t bad = 0, residents = 0;
	assert_int_equal(s->ops->points_check(s, count_mismatch, &bad, &residents), 0);
	assert_int_equal(bad, 0);
	return residents;
}

/* The down-sync's balance of one resident (catalog_read since rev, -1 = everything);
 * -1 when the read does not carry it. */
struct one_res {
	int64_t id, balance;
};

static int one_res_row(void *ctx, const struct store_resident *r)
{
	struct one_res *o = ctx;
	if (r->id == o->id)
		o->balance = r->points_balance;
	return 0;
}

static int64_t downsync_balance(struct store *s, int64_t id, int64_t since)
{
	struct one_res o = {id, -1};
	struct store_catalog_fns f = {.ctx = &o, .resident = one_res_row};
	assert_int_equal(s->ops->catalog_read(s, since, &f, NULL), 0);
	return o.balance;
}

static void test_earned_at_ingest(void **state)
{
	(void)state;
	struct env e;
	env_open(&e);
	env_resident(&e, 1001, 10); /* an opening balance is an 'adjusted' entry */
	const struct pr_drop d[] = {{1, 1001, 1250}, {2, 1001, 5000}, {3, 0, 1000}};
	json_decref(env_ingest(&e, d, 3));
	assert_int_equal(balance_of(e.t.s, 1001), 10 + 2 + 10);
	assert_int_equal(downsync_balance(e.t.s, 1001, -1), 22);
	assert_int_equal(testdb_count(e.t.url, "SELECT COUNT(*) FROM points_entries"), 3);
	assert_int_equal(testdb_count(e.t.url, "SELECT COUNT(*) FROM points_entries WHERE kind = 1 "
	                                       "AND actor = 'kiosk' AND kiosk = 7"),
	                 2);
	/* the same batch again: duplicates, nothing earned twice */
	memset(e.prev, 0, sizeof e.prev);
	json_t *res = env_ingest(&e, d, 3);
	assert_string_equal(json_string_value(json_object_get(json_array_get(res, 0), "status")),
	                    "duplicate");
	json_decref(res);
	assert_int_equal(balance_of(e.t.s, 1001), 22);
	assert_int_equal(assert_totals_add_up(e.t.s), 1);
	/* an entry is never changed or deleted, even by hand */
	assert_int_not_equal(testdb_exec(e.t.url, "UPDATE points_entries SET points = 99"), 0);
	assert_int_not_equal(testdb_exec(e.t.url, "DELETE FROM points_entries"), 0);
	assert_int_equal(testdb_count(e.t.url, "SELECT SUM(points) FROM points_entries"), 22);
	/* a balance that moves reaches the next incremental down-sync */
	int64_t rev = 0;
	struct store_catalog_fns none = {0};
	assert_int_equal(e.t.s->ops->catalog_read(e.t.s, 0, &none, &rev), 0);
	assert_int_equal(downsync_balance(e.t.s, 1001, rev), -1);
	struct points_result r;
	assert_int_equal(points_redeem(e.t.s, 1001, 5, "shop-1", "shop", 200, &r), 0);
	assert_int_equal(r.outcome, POINTS_DONE);
	assert_int_equal(downsync_balance(e.t.s, 1001, rev), 17);
	/* a batch of more residents than ingest sums in one list: each total still right */
	static struct pr_drop many[140];
	for (uint32_t i = 0; i < 140; i++)
		many[i] = (struct pr_drop){4 + i, 5001 + i % 70, 1000 + 500 * (i % 3)};
	json_decref(env_ingest(&e, many, 140));
	for (int64_t id = 5001; id <= 5070; id++) {
		int64_t want = 0;
		for (uint32_t i = 0; i < 140; i++)
			want += many[i].resident == id ? pr_points(many[i].qty) : 0;
		assert_int_equal(balance_of(e.t.s, id), want);
	}
	assert_int_equal(assert_totals_add_up(e.t.s), 71);
	env_close(&e);
}

/* A store from before the ledger: base balances and stored drops become entries. */
static void test_old_store_migrated(void **state)
{
	(void)state;
	struct env e;
	char why[512];
	if (testdb_is_pg())
		skip(); /* SQLite's own history: no PostgreSQL store is from before the ledger */
	memset(&e, 0, sizeof e);
	snprintf(e.t.dir, sizeof e.t.dir, "/tmp/wufei-points-XXXXXX");
	assert_non_null(mkdtemp(e.t.dir));
	snprintf(e.t.path, sizeof e.t.path, "%s/c.db", e.t.dir);
	snprintf(e.t.url, sizeof e.t.url, "sqlite:%s", e.t.path);
	assert_int_equal(harness_exec_file(e.t.path, WUFEI_FIXTURES_DIR "/store-v1.sql"), 0);
	sqlite3 *db = NULL;
	assert_int_equal(sqlite3_open(e.t.path, &db), SQLITE_OK);
	/* resident 1001 (of the fixture's drop 7/1, 2 points) with a base of 7; 1002 with none */
	assert_int_equal(
	    sqlite3_exec(db,
	                 "INSERT INTO residents VALUES(1001, 'aa', 'A*', 'active', '', "
	                 "7, 1); INSERT INTO residents VALUES(1002, 'bb', 'B*', "
	                 "'active', '', 0, 2)",
	                 NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(store_open(e.t.url, &e.t.s, why, sizeof why), 0);
	assert_int_equal(balance_of(e.t.s, 1001), 7 + 2);
	assert_int_equal(balance_of(e.t.s, 1002), 0);
	assert_int_equal(downsync_balance(e.t.s, 1001, -1), 9);
	assert_int_equal(testdb_count(e.t.url,
	                              "SELECT COUNT(*) FROM points_entries WHERE resident = "
	                              "1001 AND kind = 4 AND points = 7"),
	                 1);
	assert_int_equal(testdb_count(e.t.url,
	                              "SELECT COUNT(*) FROM points_entries WHERE resident = "
	                              "1001 AND kind = 1 AND kiosk = 7 AND seq = 1"),
	                 1);
	assert_totals_add_up(e.t.s);
	store_close(e.t.s);
	/* a second open changes nothing */
	assert_int_equal(store_open(e.t.url, &e.t.s, why, sizeof why), 0);
	assert_int_equal(testdb_count(e.t.url, "SELECT COUNT(*) FROM points_entries"), 2);
	env_close(&e);
}

static void test_redeem_and_adjust(void **state)
{
	(void)state;
	struct env e;
	struct points_result r;
	env_open(&e);
	env_resident(&e, 1001, 100);
	assert_int_equal(points_redeem(e.t.s, 1001, 30, "k1", "shop", 10, &r), 0);
	assert_int_equal(r.outcome, POINTS_DONE);
	assert_int_equal(r.balance, 70);
	int64_t first = r.entry.id;
	/* the same key and content: the first result again, nothing spent twice */
	assert_int_equal(points_redeem(e.t.s, 1001, 30, "k1", "shop", 11, &r), 0);
	assert_int_equal(r.outcome, POINTS_REPEAT);
	assert_int_equal(r.entry.id, first);
	assert_int_equal(r.balance, 70);
	/* the same key, other content */
	assert_int_equal(points_redeem(e.t.s, 1001, 31, "k1", "shop", 12, &r), 0);
	assert_int_equal(r.outcome, POINTS_KEY_REUSED);
	assert_int_equal(points_redeem(e.t.s, 1002, 30, "k1", "shop", 12, &r), 0);
	assert_int_equal(r.outcome, POINTS_KEY_REUSED);
	/* never below zero */
	assert_int_equal(points_redeem(e.t.s, 1001, 71, "k2", "shop", 13, &r), 0);
	assert_int_equal(r.outcome, POINTS_INSUFFICIENT);
	assert_int_equal(r.balance, 70);
	assert_int_equal(points_redeem(e.t.s, 1001, 70, "k2", "shop", 14, &r), 0);
	assert_int_equal(r.outcome, POINTS_DONE);
	assert_int_equal(r.balance, 0);
	assert_int_equal(points_redeem(e.t.s, 4242, 1, "k3", "shop", 15, &r), 0);
	assert_int_equal(r.outcome, POINTS_UNKNOWN_RESIDENT);
	/* refused before anything is looked at */
	assert_int_equal(points_redeem(e.t.s, 1001, 1, "a key", "shop", 15, &r), WF_EINVAL);
	assert_int_equal(points_redeem(e.t.s, 1001, 0, "k4", "shop", 15, &r), WF_EINVAL);
	assert_int_equal(points_redeem(e.t.s, 1001, 1, "k4", "sh\x1bop", 15, &r), WF_EINVAL);
	/* adjustments: a reason always, never below zero either */
	assert_int_equal(points_adjust(e.t.s, 1001, 5, "", "admin", 16, &r), WF_EINVAL);
	assert_int_equal(points_adjust(e.t.s, 1001, -1, "oops", "admin", 16, &r), 0);
	assert_int_equal(r.outcome, POINTS_INSUFFICIENT);
	assert_int_equal(points_adjust(e.t.s, 1001, 5, "goodwill", "admin", 17, &r), 0);
	assert_int_equal(r.outcome, POINTS_DONE);
	assert_int_equal(balance_of(e.t.s, 1001), 5);
	assert_int_equal(testdb_count(e.t.url,
	                              "SELECT COUNT(*) FROM points_entries WHERE resident = "
	                              "1001"),
	                 4); /* opening, two redemptions, one adjustment */
	assert_int_equal(testdb_count(e.t.url, "SELECT SUM(points) FROM points_entries"), 5);
	assert_totals_add_up(e.t.s);
	env_close(&e);
}

/* Claims: pending, the daily limit, once, and the refusals, each storing nothing. */
static void test_claims(void **state)
{
	(void)state;
	struct env e;
	struct rcheck_claim_result c;
	char t1[RECEIPT_TOKEN_LEN + 1], t3[RECEIPT_TOKEN_LEN + 1], t4[RECEIPT_TOKEN_LEN + 1],
	    t5[RECEIPT_TOKEN_LEN + 1], forged[RECEIPT_TOKEN_LEN + 1];
	env_open(&e);
	for (int64_t id = 1001; id <= 1003; id++)
		env_resident(&e, id, 0);
	/* seq 1: 10 kg anonymous (20 points); 2: 15 kg of resident 1001's own (30);
	 * 3: 3 kg anonymous (6); 4: resident 1002's 1250 g (2); 5: 2 kg anonymous (4) */
	const struct pr_drop d[] = {
	    {1, 0, 10000}, {2, 1001, 15000}, {3, 0, 3000}, {4, 1002, 1250}, {5, 0, 2000}};
	pr_token(e.sk, 7, &d[0], t1);
	pr_token(e.sk, 7, &d[2], t3);
	pr_token(e.sk, 7, &d[3], t4);
	pr_token(e.sk, 7, &d[4], t5);
	/* before central holds the record: pending, nothing stored */
	assert_int_equal(rcheck_claim(e.t.s, t1, 1001, "op", 50, &c), 0);
	assert_int_equal(c.status, RCHECK_PENDING);
	assert_int_equal(testdb_count(e.t.url, "SELECT COUNT(*) FROM claims"), 0);
	assert_int_equal(testdb_count(e.t.url, "SELECT COUNT(*) FROM points_entries"), 0);
	json_decref(env_ingest(&e, d, 5));
	assert_int_equal(balance_of(e.t.s, 1001), 30);
	/* 1001 has 15 of its 20 kg that day: only 5 kg of the 10 fit, 10 of 20 points */
	assert_int_equal(rcheck_claim(e.t.s, t1, 1001, "op", 60, &c), 0);
	assert_int_equal(c.status, RCHECK_CLAIMED);
	assert_int_equal(c.claim.qty, 5000);
	assert_int_equal(c.claim.points, 10);
	assert_int_equal(c.drop_points, 20);
	assert_int_equal(c.used_before, 15000);
	assert_int_equal(c.daily_limit, 20000);
	assert_int_equal(c.balance, 40);
	assert_int_equal(balance_of(e.t.s, 1001), 40);
	assert_int_equal(downsync_balance(e.t.s, 1001, -1), 40);
	/* once: another claimant gets the first claim back */
	assert_int_equal(rcheck_claim(e.t.s, t1, 1002, "op2", 70, &c), 0);
	assert_int_equal(c.status, RCHECK_ALREADY_CLAIMED);
	assert_int_equal(c.claim.resident, 1001);
	assert_int_equal(c.claim.claimed_s, 60);
	/* 1001 is at its limit for that day: nothing fits, nothing claimed */
	assert_int_equal(rcheck_claim(e.t.s, t3, 1001, "op", 80, &c), 0);
	assert_int_equal(c.status, RCHECK_LIMIT_REACHED);
	/* 1002 has 1250 g that day: all of it fits */
	assert_int_equal(rcheck_claim(e.t.s, t3, 1002, "op", 90, &c), 0);
	assert_int_equal(c.status, RCHECK_CLAIMED);
	assert_int_equal(c.claim.points, 6);
	assert_int_equal(balance_of(e.t.s, 1002), 2 + 6);
	/* a resident's own drop earned its points already */
	assert_int_equal(rcheck_claim(e.t.s, t4, 1003, "op", 95, &c), 0);
	assert_int_equal(c.status, RCHECK_RESIDENT_DROP);
	assert_int_equal(rcheck_claim(e.t.s, t5, 4242, "op", 96, &c), 0);
	assert_int_equal(c.status, RCHECK_NO_RESIDENT);
	assert_int_equal(e.t.s->ops->resident_block(e.t.s, 1003, "lost card"), 0);
	assert_int_equal(rcheck_claim(e.t.s, t5, 1003, "op", 97, &c), 0);
	assert_int_equal(c.status, RCHECK_BLOCKED_RESIDENT);
	memcpy(forged, t5, sizeof forged);
	forged[30] = forged[30] == 'Q' ? 'R' : 'Q';
	assert_int_equal(rcheck_claim(e.t.s, forged, 1001, "op", 98, &c), 0);
	assert_int_equal(c.status, RCHECK_NOT_GENUINE);
	assert_int_equal(rcheck_claim(e.t.s, t5, 1001, "o\np", 98, &c), WF_EINVAL);
	assert_int_equal(testdb_count(e.t.url, "SELECT COUNT(*) FROM claims"), 2);
	assert_int_equal(
	    testdb_count(e.t.url, "SELECT COUNT(*) FROM points_entries WHERE kind = 2"), 2);
	/* a record contradicting the claimed receipt arrives: conflict, and an
	 * alert naming the claim (resident, points) */
	memset(e.prev, 0, sizeof e.prev);
	const struct pr_drop liar = {1, 0, 10050};
	json_t *res = env_ingest(&e, &liar, 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(res, 0), "status")),
	                    "conflict");
	json_decref(res);
	assert_int_equal(testdb_count(e.t.url,
	                              "SELECT COUNT(*) FROM tamper_alerts WHERE reason = "
	                              "'claim_conflict' AND kiosk = 7 AND seq = 1 AND detail "
	                              "LIKE '%resident 1001 for 10 points by op;%'"),
	                 1);
	assert_totals_add_up(e.t.s);
	env_close(&e);
}

/* ---- concurrency: 64 threads, each with its own store handle on one file ---- */

struct racer {
	pthread_barrier_t *go;
	struct store *s;
	int i;
	const char *token;
	struct rcheck_claim_result claim;
	struct points_result redeem;
	int rc;
};

static void *claim_racer(void *arg)
{
	struct racer *r = arg;
	char actor[16];
	snprintf(actor, sizeof actor, "op%d", r->i);
	pthread_barrier_wait(r->go);
	r->rc = rcheck_claim(r->s, r->token, 2001 + r->i, actor, 1000 + r->i, &r->claim);
	return NULL;
}

/* Thread i claims receipt i (token: the i-th of a flat array) for resident 2001. */
static void *claim_limit_racer(void *arg)
{
	struct racer *r = arg;
	char actor[16];
	snprintf(actor, sizeof actor, "op%d", r->i);
	pthread_barrier_wait(r->go);
	r->rc = rcheck_claim(r->s, r->token + (size_t)r->i * (RECEIPT_TOKEN_LEN + 1), 2001, actor,
	                     1000 + r->i, &r->claim);
	return NULL;
}

static void *redeem_racer(void *arg)
{
	struct racer *r = arg;
	char key[16];
	snprintf(key, sizeof key, "k%d", r->i / 2); /* two threads per key */
	pthread_barrier_wait(r->go);
	r->rc = points_redeem(r->s, 3001, 50, key, "shop", 1000 + r->i, &r->redeem);
	return NULL;
}

/* Runs fn on THREADS threads, each with its own handle on e's file, released together. */
static void race(struct env *e, struct racer *rs, void *(*fn)(void *), const char *token)
{
	char why[512];
	pthread_t th[THREADS];
	pthread_barrier_t go;
	pthread_barrier_init(&go, NULL, THREADS);
	for (int i = 0; i < THREADS; i++) {
		rs[i] = (struct racer){.go = &go, .i = i, .token = token};
		assert_int_equal(store_open(e->t.url, &rs[i].s, why, sizeof why), 0);
	}
	for (int i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&th[i], NULL, fn, &rs[i]), 0);
	for (int i = 0; i < THREADS; i++)
		pthread_join(th[i], NULL);
	pthread_barrier_destroy(&go);
	for (int i = 0; i < THREADS; i++) {
		store_close(rs[i].s);
		assert_int_equal(rs[i].rc, 0);
	}
}

static void test_claim_race(void **state)
{
	(void)state;
	struct env e;
	static struct racer rs[THREADS];
	char token[RECEIPT_TOKEN_LEN + 1];
	env_open(&e);
	for (int i = 0; i < THREADS; i++)
		env_resident(&e, 2001 + i, 0);
	const struct pr_drop d = {1, 0, 1000};
	json_decref(env_ingest(&e, &d, 1));
	pr_token(e.sk, 7, &d, token);
	race(&e, rs, claim_racer, token);
	int won = -1, lost = 0;
	for (int i = 0; i < THREADS; i++) {
		if (rs[i].claim.status == RCHECK_CLAIMED) {
			assert_int_equal(won, -1); /* exactly one */
			won = i;
		} else {
			assert_int_equal(rs[i].claim.status, RCHECK_ALREADY_CLAIMED);
			lost++;
		}
	}
	assert_int_not_equal(won, -1);
	assert_int_equal(lost, THREADS - 1);
	for (int i = 0; i < THREADS; i++)
		if (i != won)
			assert_int_equal(rs[i].claim.claim.resident, 2001 + won);
	assert_int_equal(testdb_count(e.t.url, "SELECT COUNT(*) FROM claims"), 1);
	assert_int_equal(testdb_count(e.t.url, "SELECT COUNT(*) FROM points_entries"), 1);
	assert_int_equal(balance_of(e.t.s, 2001 + won), 2);
	assert_int_equal(testdb_count(e.t.url, "SELECT SUM(points) FROM points_entries"), 2);
	assert_totals_add_up(e.t.s);
	env_close(&e);
}

/* 64 receipts of 1 kg claimed at once for one resident with a 20 kg daily
 * limit: exactly 20 fit, the others find the limit reached. */
static void test_claim_limit_race(void **state)
{
	(void)state;
	struct env e;
	static struct racer rs[THREADS];
	static struct pr_drop d[THREADS];
	static char tokens[THREADS][RECEIPT_TOKEN_LEN + 1];
	env_open(&e);
	env_resident(&e, 2001, 0);
	for (uint32_t i = 0; i < THREADS; i++) {
		d[i] = (struct pr_drop){1 + i, 0, 1000};
		pr_token(e.sk, 7, &d[i], tokens[i]);
	}
	json_decref(env_ingest(&e, d, THREADS));
	race(&e, rs, claim_limit_racer, tokens[0]);
	int claimed = 0;
	int64_t qty = 0;
	for (int i = 0; i < THREADS; i++) {
		if (rs[i].claim.status == RCHECK_CLAIMED) {
			claimed++;
			qty += rs[i].claim.claim.qty;
			assert_int_equal(rs[i].claim.claim.qty,
			                 1000); /* each fits whole or not at all */
		} else {
			assert_int_equal(rs[i].claim.status, RCHECK_LIMIT_REACHED);
		}
	}
	assert_int_equal(claimed, 20);
	assert_int_equal(qty, 20000);
	assert_int_equal(testdb_count(e.t.url, "SELECT COUNT(*) FROM claims"), 20);
	assert_int_equal(testdb_count(e.t.url, "SELECT SUM(qty) FROM claims WHERE resident = 2001"),
	                 20000);
	assert_int_equal(balance_of(e.t.s, 2001), 20 * 2);
	assert_totals_add_up(e.t.s);
	env_close(&e);
}

static void test_redeem_race(void **state)
{
	(void)state;
	struct env e;
	static struct racer rs[THREADS];
	env_open(&e);
	env_resident(&e, 3001, 1000); /* 32 keys × 50 points want 1600 */
	race(&e, rs, redeem_racer, NULL);
	int successes = 0;
	for (int i = 0; i < THREADS; i += 2) {
		const struct points_result *a = &rs[i].redeem, *b = &rs[i + 1].redeem;
		bool a_ok = a->outcome == POINTS_DONE || a->outcome == POINTS_REPEAT;
		bool b_ok = b->outcome == POINTS_DONE || b->outcome == POINTS_REPEAT;
		assert_int_equal(a_ok, b_ok); /* one key, one answer */
		if (!a_ok) {
			assert_int_equal(a->outcome, POINTS_INSUFFICIENT);
			assert_int_equal(b->outcome, POINTS_INSUFFICIENT);
			continue;
		}
		assert_int_equal(a->entry.id, b->entry.id);
		assert_true((a->outcome == POINTS_DONE) != (b->outcome == POINTS_DONE));
		assert_true(a->balance >= 0);
		successes++;
	}
	assert_int_equal(successes, 1000 / 50);
	assert_int_equal(balance_of(e.t.s, 3001), 0);
	assert_int_equal(
	    testdb_count(e.t.url, "SELECT COUNT(*) FROM points_entries WHERE kind = 3"), successes);
	assert_int_equal(testdb_count(e.t.url, "SELECT SUM(points) FROM points_entries"), 0);
	assert_totals_add_up(e.t.s);
	env_close(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_earned_at_ingest),  cmocka_unit_test(test_old_store_migrated),
	    cmocka_unit_test(test_redeem_and_adjust), cmocka_unit_test(test_claims),
	    cmocka_unit_test(test_claim_race),        cmocka_unit_test(test_claim_limit_race),
	    cmocka_unit_test(test_redeem_race),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
