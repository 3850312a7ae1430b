/*
 * test_points_http.c — claims and redemptions over real HTTP to a real
 * central (its store a SQLite file, or PostgreSQL in the _pg twin): the
 * test build wufei-central-crashtest (no crash point armed),
 * which alone takes the office actor from the body ("test_actor",
 * "test_partner") until the office's authentication is wired in
 * (api_points.c, office_actor_of). Without an actor every call is refused;
 * a partner may redeem but not claim; a receipt whose record central does
 * not hold is "pending"; 64 clients claiming one receipt at once get one
 * "claimed" and 63 "already_claimed"; 64 clients redeeming more than a
 * balance holds leave it at zero, every success one entry, and the kiosk's
 * down-sync carries the new balance; a record contradicting a claim raises
 * an alert.
 */
#define _XOPEN_SOURCE 700
#include <pthread.h>
#include <signal.h>
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

#include "fixture.h"
#include "harness.h"
#include "points_records.h"
#include "store.h"
#include "testdb.h"

#define THREADS 64

/* fx_setup's central and store, then residents 1001..1064 (1064: 1000
 * points), and the test build of central on it instead. */
static int setup(void **state)
{
	char why[512];
	fx_setup(state);
	struct fx *f = *state;
	assert_int_equal(harness_stop(&f->c, SIGTERM), 0);
	struct store *s = NULL;
	assert_int_equal(store_open(f->db_url, &s, why, sizeof why), 0);
	for (int64_t id = 1001; id <= 1000 + THREADS; id++) {
		struct store_resident r = {.id = id, .points_balance = id == 1064 ? 1000 : 0};
		snprintf(r.card_hash, sizeof r.card_hash, "%064llx", (unsigned long long)id);
		snprintf(r.name, sizeof r.name, "R*");
		snprintf(r.status, sizeof r.status, "active");
		assert_int_equal(s->ops->resident_put(s, &r), 0);
	}
	store_close(s);
	/* --crash-every without --crash-at: the test build, no crash point armed */
	assert_int_equal(harness_start_args(&f->c, f->db_url, 0,
	                                    (const char *[]){"--crash-every", "1",
	                                                     "--per-ip-connections", "0", NULL}),
	                 0);
	return 0;
}

/* POST path with the JSON j (taken); the answer's JSON (caller frees) and status. */
static json_t *post(struct fx *f, const char *path, json_t *j, long *status)
{
	struct http_answer a;
	char *body = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	assert_int_equal(
	    harness_request(f->c.port, "POST", path, body, strlen(body), NULL, 0, 0, 0, &a), 0);
	free(body);
	*status = a.status;
	json_t *out = json_loads(a.body, 0, NULL);
	harness_answer_free(&a);
	return out;
}

static const char *str_of(const json_t *j, const char *key)
{
	const char *v = json_string_value(json_object_get(j, key));
	return v ? v : "";
}

/* Kiosk 7's drops d[0..n) stored at central; prev is its chain. */
static void upload(struct fx *f, const struct pr_drop *d, size_t n, uint8_t prev[WF_HASH_BYTES],
                   const char *want)
{
	struct http_answer a;
	char *body = pr_batch_json(7, d, n, prev);
	assert_int_equal(fx_post_batch(f, f->sk, 7, body, &a), 0);
	free(body);
	assert_int_equal(a.status, 200);
	json_t *j = fx_answer_json(&a);
	assert_string_equal(fx_status_of(j, 0), want);
	json_decref(j);
	harness_answer_free(&a);
}

struct client {
	pthread_barrier_t *go;
	struct fx *f;
	int i;
	const char *token;
	long status;
	char result[32];
	int64_t entry;
};

static void *claim_client(void *arg)
{
	struct client *c = arg;
	char actor[16];
	snprintf(actor, sizeof actor, "op%d", c->i);
	json_t *j = json_pack("{s:s, s:I, s:s}", "token", c->token, "resident",
	                      (json_int_t)(1001 + c->i), "test_actor", actor);
	pthread_barrier_wait(c->go);
	json_t *ans = post(c->f, "/api/v1/receipts/claim", j, &c->status);
	snprintf(c->result, sizeof c->result, "%s", str_of(ans, "status"));
	json_decref(ans);
	return NULL;
}

static void *redeem_client(void *arg)
{
	struct client *c = arg;
	char key[16];
	snprintf(key, sizeof key, "k%d", c->i / 2); /* two clients per key */
	json_t *j = json_pack("{s:i, s:i, s:s, s:s}", "resident", 1064, "points", 50,
	                      "idempotency_key", key, "test_partner", "shop");
	pthread_barrier_wait(c->go);
	json_t *ans = post(c->f, "/api/v1/redeem", j, &c->status);
	snprintf(c->result, sizeof c->result, "%s",
	         c->status == 200 ? str_of(ans, "status") : str_of(ans, "error"));
	c->entry = (int64_t)json_integer_value(json_object_get(ans, "entry"));
	json_decref(ans);
	return NULL;
}

static void run_clients(struct fx *f, struct client *cs, void *(*fn)(void *), const char *token)
{
	pthread_t th[THREADS];
	pthread_barrier_t go;
	pthread_barrier_init(&go, NULL, THREADS);
	for (int i = 0; i < THREADS; i++) {
		cs[i] = (struct client){.go = &go, .f = f, .i = i, .token = token};
		assert_int_equal(pthread_create(&th[i], NULL, fn, &cs[i]), 0);
	}
	for (int i = 0; i < THREADS; i++)
		pthread_join(th[i], NULL);
	pthread_barrier_destroy(&go);
}

static void test_claim_over_http(void **state)
{
	struct fx *f = *state;
	static struct client cs[THREADS];
	char token[RECEIPT_TOKEN_LEN + 1];
	uint8_t prev[WF_HASH_BYTES] = {0};
	long status = 0;
	const struct pr_drop d = {1, 0, 1000}; /* anonymous, 2 points */
	pr_token(f->sk, 7, &d, token);
	/* no actor: refused; a partner: may not claim */
	json_t *j = post(f, "/api/v1/receipts/claim",
	                 json_pack("{s:s, s:i}", "token", token, "resident", 1001), &status);
	assert_int_equal(status, 401);
	assert_string_equal(str_of(j, "error"), "office_auth_required");
	json_decref(j);
	j = post(
	    f, "/api/v1/receipts/claim",
	    json_pack("{s:s, s:i, s:s}", "token", token, "resident", 1001, "test_partner", "shop"),
	    &status);
	assert_int_equal(status, 403);
	json_decref(j);
	/* central does not hold the drop yet: pending, nothing stored */
	j = post(f, "/api/v1/receipts/claim",
	         json_pack("{s:s, s:i, s:s}", "token", token, "resident", 1001, "test_actor", "op"),
	         &status);
	assert_int_equal(status, 409);
	assert_string_equal(str_of(j, "status"), "pending");
	json_decref(j);
	assert_int_equal(testdb_count(f->db_url, "SELECT COUNT(*) FROM claims"), 0);
	upload(f, &d, 1, prev, "stored");
	/* 64 clients at once, each for its own resident: exactly one wins */
	run_clients(f, cs, claim_client, token);
	int won = -1;
	for (int i = 0; i < THREADS; i++) {
		if (cs[i].status == 200) {
			assert_int_equal(won, -1);
			assert_string_equal(cs[i].result, "claimed");
			won = i;
		} else {
			assert_int_equal(cs[i].status, 409);
			assert_string_equal(cs[i].result, "already_claimed");
		}
	}
	assert_int_not_equal(won, -1);
	assert_int_equal(testdb_count(f->db_url, "SELECT COUNT(*) FROM claims"), 1);
	char sql[200];
	snprintf(
	    sql, sizeof sql,
	    "SELECT COUNT(*) FROM points_entries WHERE kind = 2 AND resident = %d AND points = "
	    "2 AND actor = 'op%d'",
	    1001 + won, won);
	assert_int_equal(testdb_count(f->db_url, sql), 1);
	assert_int_equal(testdb_count(f->db_url, "SELECT COUNT(*) FROM points_entries WHERE kind "
	                                         "= 2"),
	                 1);
	/* a record contradicting the claimed receipt: conflict, and an alert naming the claim */
	uint8_t fresh[WF_HASH_BYTES] = {0};
	const struct pr_drop liar = {1, 0, 1100};
	upload(f, &liar, 1, fresh, "conflict");
	assert_int_equal(testdb_count(f->db_url, "SELECT COUNT(*) FROM tamper_alerts WHERE "
	                                         "reason = 'claim_conflict'"),
	                 1);
	char out[4096];
	assert_int_equal(fx_cli(f, out, sizeof out, (const char *[]){"points", "check", NULL}), 0);
}

static void test_redeem_over_http(void **state)
{
	struct fx *f = *state;
	static struct client cs[THREADS];
	long status = 0;
	/* no actor: refused */
	json_t *j = post(
	    f, "/api/v1/redeem",
	    json_pack("{s:i, s:i, s:s}", "resident", 1064, "points", 1, "idempotency_key", "x"),
	    &status);
	assert_int_equal(status, 401);
	json_decref(j);
	/* malformed: refused before anything is looked at */
	j = post(f, "/api/v1/redeem",
	         json_pack("{s:i, s:i, s:s, s:s}", "resident", 1064, "points", -5,
	                   "idempotency_key", "x", "test_partner", "shop"),
	         &status);
	assert_int_equal(status, 400);
	json_decref(j);
	/* 32 keys × 50 points, two clients per key, against 1000 points */
	run_clients(f, cs, redeem_client, NULL);
	int successes = 0, used = -1;
	for (int i = 0; i < THREADS; i += 2) {
		assert_int_equal(cs[i].status, cs[i + 1].status); /* one key, one answer */
		if (cs[i].status == 200 && used < 0)
			used = i / 2; /* a key that was spent (a refused one is not) */
		if (cs[i].status != 200) {
			assert_int_equal(cs[i].status, 409);
			assert_string_equal(cs[i].result, "insufficient_points");
			continue;
		}
		assert_int_equal(cs[i].entry, cs[i + 1].entry);
		successes++;
	}
	assert_int_equal(successes, 20);
	assert_int_equal(testdb_count(f->db_url, "SELECT COUNT(*) FROM points_entries WHERE kind "
	                                         "= 3 AND resident = 1064"),
	                 successes);
	assert_int_equal(testdb_count(f->db_url, "SELECT SUM(points) FROM points_entries WHERE "
	                                         "resident = 1064"),
	                 0);
	/* a used key with other content */
	char used_key[16];
	snprintf(used_key, sizeof used_key, "k%d", used);
	j = post(f, "/api/v1/redeem",
	         json_pack("{s:i, s:i, s:s, s:s}", "resident", 1064, "points", 49,
	                   "idempotency_key", used_key, "test_partner", "shop"),
	         &status);
	assert_int_equal(status, 409);
	assert_string_equal(str_of(j, "error"), "idempotency_key_reused");
	json_decref(j);
	/* the kiosks are told the new balance */
	struct http_answer a;
	assert_int_equal(harness_request(f->c.port, "GET", "/api/v1/sync/down", NULL, 0, f->sk, 7,
	                                 1, fx_now_s(), &a),
	                 0);
	j = fx_answer_json(&a);
	harness_answer_free(&a);
	json_t *r = NULL;
	size_t i;
	json_array_foreach(json_object_get(j, "residents"), i, r)
	{
		if (json_integer_value(json_object_get(r, "id")) == 1064)
			break;
	}
	assert_non_null(r);
	assert_int_equal(json_integer_value(json_object_get(r, "points_balance")), 0);
	json_decref(j);
	char out[4096];
	assert_int_equal(fx_cli(f, out, sizeof out, (const char *[]){"points", "check", NULL}), 0);
	assert_non_null(strstr(out, " 0 with a running total"));
}

/* The office's terminal: receipt claim, points redeem (once per key), adjust, history. */
static void test_points_cli(void **state)
{
	struct fx *f = *state;
	char out[8192], token[RECEIPT_TOKEN_LEN + 1];
	uint8_t prev[WF_HASH_BYTES] = {0};
	const struct pr_drop d = {1, 0, 2500}; /* anonymous, 5 points */
	pr_token(f->sk, 7, &d, token);
	const char *const claim[] = {"receipt", "claim", token,   "--resident",
	                             "1001",    "--by",  "clerk", NULL};
	assert_int_equal(fx_cli(f, out, sizeof out, claim), 1); /* pending: not held yet */
	upload(f, &d, 1, prev, "stored");
	assert_int_equal(fx_cli(f, out, sizeof out, claim), 0);
	assert_non_null(strstr(out, "onto resident 1001: 5 points; balance 5"));
	assert_int_equal(fx_cli(f, out, sizeof out, claim), 1); /* once */
	const char *const redeem[] = {"points", "redeem", "--resident", "1001", "--points", "3",
	                              "--key",  "till-1", "--by",       "shop", NULL};
	assert_int_equal(fx_cli(f, out, sizeof out, redeem), 0);
	assert_non_null(strstr(out, "balance 2"));
	assert_int_equal(fx_cli(f, out, sizeof out, redeem), 0);
	assert_non_null(strstr(out, "done before with this key); balance 2"));
	const char *const over[] = {"points", "redeem", "--resident", "1001", "--points", "3",
	                            "--key",  "till-2", "--by",       "shop", NULL};
	assert_int_equal(fx_cli(f, out, sizeof out, over), 1);
	const char *const adjust[] = {"points",   "adjust", "--resident", "1001",
	                              "--points", "+10",    "--reason",   "bag of cans missed",
	                              NULL};
	assert_int_equal(fx_cli(f, out, sizeof out, adjust), 0);
	assert_int_equal(fx_cli(f, out, sizeof out,
	                        (const char *[]){"points", "history", "--resident", "1001", NULL}),
	                 0);
	assert_non_null(strstr(out, "\tclaimed\t+5\t5\t7/1\tclerk\t"));
	assert_non_null(strstr(out, "\tredeemed\t-3\t2\t-\tshop\ttill-1\n"));
	assert_non_null(strstr(out, "\tadjusted\t+10\t12\t-\tcli\tbag of cans missed\n"));
	assert_int_equal(fx_cli(f, out, sizeof out, (const char *[]){"points", "check", NULL}), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_claim_over_http, setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_redeem_over_http, setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_points_cli, setup, fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
