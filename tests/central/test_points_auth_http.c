/*
 * test_points_auth_http.c — the claim and redeem API's real authentication
 * against the real wufei-central (not the test build: no stand-in actor),
 * over real HTTP: office users made with `wufei-central user add` (password
 * on standard input) and a partner token with `token add`; an operator logs
 * in with POST /office/login, reads its CSRF token from /office/account and
 * claims and redeems with the session cookie and "csrf" in the JSON body; a
 * partner token (Authorization: Bearer wft_...) redeems but may not claim; a
 * viewer's session is 403, no authentication 401, a missing or wrong csrf
 * 403, another site's request (Sec-Fetch-Site: cross-site) 403, a made-up
 * token 401. Each refusal changes no balance; each success is one audit line
 * naming the session's user or the token, with the client's address.
 */
#define _XOPEN_SOURCE 700
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <jansson.h>

#include "fixture.h"
#include "harness.h"
#include "office_client.h"
#include "office.h"
#include "points_records.h"

/* One request: GET (body NULL) or POST of body with content type ctype;
 * cookie: the session id or NULL; extra: up to two more headers or NULL. */
static void http(struct fx *f, const char *path, const char *ctype, const char *body,
                 const char *cookie, const char *extra1, const char *extra2, struct office_resp *r)
{
	const char *extra[3] = {NULL, NULL, NULL};
	size_t n = 0;
	if (extra1)
		extra[n++] = extra1;
	if (extra2)
		extra[n++] = extra2;
	office_request(f->c.port, NULL, path, ctype, body, cookie, extra, r);
}

static void add_user(struct fx *f, const char *name, const char *role)
{
	char pw[80];
	snprintf(pw, sizeof pw, "%s password\n", name);
	assert_int_equal(
	    harness_cli_input(f->db_url, pw, NULL, 0,
	                      (const char *[]){"user", "add", name, "--role", role, NULL}),
	    0);
}

/* Logs name in; its session id into id[65] and its CSRF token into csrf[65]. */
static void login(struct fx *f, const char *name, char id[65], char csrf[65])
{
	struct office_resp r;
	char form[160];
	snprintf(form, sizeof form, "user=%s&password=%s+password", name, name);
	http(f, "/office/login", "application/x-www-form-urlencoded", form, NULL, NULL, NULL, &r);
	assert_int_equal(r.status, 303);
	assert_int_equal(sscanf(r.set_cookie, OFFICE_COOKIE "=%64[0-9a-f];", id), 1);
	http(f, "/office/account", NULL, NULL, id, NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	const char *p = strstr(r.body, "name=\"csrf\" value=\"");
	assert_non_null(p);
	assert_int_equal(sscanf(p, "name=\"csrf\" value=\"%64[0-9a-f]\"", csrf), 1);
}

/* POST path with the JSON j (taken) as session id (NULL none) or with header
 * extra; the answer's "status" or "error" into what[32]. */
static long call(struct fx *f, const char *path, json_t *j, const char *id, const char *extra,
                 const char *extra2, char what[32])
{
	struct office_resp r;
	char *body = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	http(f, path, "application/json", body, id, extra, extra2, &r);
	free(body);
	json_t *a = json_loads(r.body, 0, NULL);
	assert_non_null(a);
	const char *s = json_string_value(json_object_get(a, "status"));
	if (!s)
		s = json_string_value(json_object_get(a, "error"));
	snprintf(what, 32, "%s", s ? s : "");
	json_decref(a);
	return r.status;
}

static int64_t balance(struct fx *f, int64_t resident)
{
	char sql[96];
	snprintf(sql, sizeof sql, "SELECT balance FROM points_totals WHERE resident = %lld",
	         (long long)resident);
	return harness_count(f->db_url, sql);
}

static int count_of(const char *hay, const char *needle)
{
	int n = 0;
	for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

static json_t *claim_body(const char *token, const char *csrf)
{
	json_t *j = json_pack("{s:s, s:i}", "token", token, "resident", 1001);
	if (csrf)
		json_object_set_new(j, "csrf", json_string(csrf));
	return j;
}

static json_t *redeem_body(const char *key, int points, const char *csrf)
{
	json_t *j = json_pack("{s:i, s:i, s:s}", "resident", 1001, "points", points,
	                      "idempotency_key", key);
	if (csrf)
		json_object_set_new(j, "csrf", json_string(csrf));
	return j;
}

static void test_claim_and_redeem_authenticated(void **state)
{
	struct fx *f = *state;
	char what[32], id[65], csrf[65], vid[65], vcsrf[65], bearer[160], out[16384];
	char t1[RECEIPT_TOKEN_LEN + 1], t2[RECEIPT_TOKEN_LEN + 1];
	uint8_t prev[WF_HASH_BYTES] = {0};
	struct http_answer a;
	add_user(f, "oli", "operator");
	add_user(f, "vic", "viewer");
	assert_int_equal(
	    fx_cli(f, NULL, 0,
	           (const char *const[]){"resident", "add", "--id", "1001", "--card-hash",
	                                 "00000000000000000000000000000000000000000000"
	                                 "00000000000000000001",
	                                 "--name", "R*", "--points", "100", NULL}),
	    0);
	char tok[120] = "";
	assert_int_equal(fx_cli(f, tok, sizeof tok,
	                        (const char *const[]){"token", "add", "--name", "shop7", NULL}),
	                 0);
	tok[strcspn(tok, "\n")] = '\0';
	assert_int_equal(strncmp(tok, "wft_", 4), 0);
	snprintf(bearer, sizeof bearer, "Authorization: Bearer %s", tok);
	/* two anonymous drops of 10 kg (20 points each) at kiosk 7, held by central */
	const struct pr_drop d[] = {{1, 0, 10000}, {2, 0, 10000}};
	char *batch = pr_batch_json(7, d, 2, prev);
	assert_int_equal(fx_post_batch(f, f->sk, 7, batch, &a), 0);
	free(batch);
	assert_int_equal(a.status, 200);
	harness_answer_free(&a);
	pr_token(f->sk, 7, &d[0], t1);
	pr_token(f->sk, 7, &d[1], t2);

	/* nobody: 401; a made-up token: 401; nothing moved */
	assert_int_equal(
	    call(f, "/api/v1/receipts/claim", claim_body(t1, NULL), NULL, NULL, NULL, what), 401);
	assert_string_equal(what, "office_auth_required");
	assert_int_equal(
	    call(f, "/api/v1/redeem", redeem_body("k0", 5, NULL), NULL, NULL, NULL, what), 401);
	assert_int_equal(call(f, "/api/v1/redeem", redeem_body("k0", 5, NULL), NULL,
	                      "Authorization: Bearer wft_"
	                      "00000000000000000000000000000000000000000000000000000000000000"
	                      "00",
	                      NULL, what),
	                 401);
	/* the partner token may not claim, may redeem */
	assert_int_equal(
	    call(f, "/api/v1/receipts/claim", claim_body(t1, NULL), NULL, bearer, NULL, what), 403);
	assert_string_equal(what, "forbidden");
	assert_int_equal(balance(f, 1001), 100);
	assert_int_equal(
	    call(f, "/api/v1/redeem", redeem_body("shop7-1", 30, NULL), NULL, bearer, NULL, what),
	    200);
	assert_string_equal(what, "redeemed");
	assert_int_equal(balance(f, 1001), 70);

	/* a viewer's session, even with its CSRF token: 403 */
	login(f, "vic", vid, vcsrf);
	assert_int_equal(
	    call(f, "/api/v1/receipts/claim", claim_body(t1, vcsrf), vid, NULL, NULL, what), 403);
	assert_int_equal(
	    call(f, "/api/v1/redeem", redeem_body("v-1", 5, vcsrf), vid, NULL, NULL, what), 403);
	/* an operator's session: without csrf, with a wrong one or another session's, or
	 * from another site: 403 */
	login(f, "oli", id, csrf);
	assert_int_equal(
	    call(f, "/api/v1/receipts/claim", claim_body(t1, NULL), id, NULL, NULL, what), 403);
	assert_string_equal(what, "csrf");
	assert_int_equal(
	    call(f, "/api/v1/receipts/claim", claim_body(t1, vcsrf), id, NULL, NULL, what), 403);
	assert_int_equal(
	    call(f, "/api/v1/redeem", redeem_body("o-1", 5, NULL), id, NULL, NULL, what), 403);
	assert_int_equal(call(f, "/api/v1/receipts/claim", claim_body(t1, csrf), id,
	                      "Sec-Fetch-Site: cross-site", NULL, what),
	                 403);
	assert_int_equal(balance(f, 1001), 70);
	/* with its csrf: claims and redeems */
	assert_int_equal(call(f, "/api/v1/receipts/claim", claim_body(t1, csrf), id,
	                      "Sec-Fetch-Site: same-origin", NULL, what),
	                 200);
	assert_string_equal(what, "claimed");
	assert_int_equal(balance(f, 1001), 90);
	assert_int_equal(
	    call(f, "/api/v1/redeem", redeem_body("o-1", 15, csrf), id, NULL, NULL, what), 200);
	assert_int_equal(balance(f, 1001), 75);
	/* the same key again: the first answer, nothing spent or audited twice */
	assert_int_equal(
	    call(f, "/api/v1/redeem", redeem_body("o-1", 15, csrf), id, NULL, NULL, what), 200);
	assert_int_equal(balance(f, 1001), 75);
	/* a token and a cookie: the token decides (it may not claim) */
	assert_int_equal(
	    call(f, "/api/v1/receipts/claim", claim_body(t2, csrf), id, bearer, NULL, what), 403);

	/* the ledger names who did it; the audit log has one line per success */
	assert_int_equal(harness_count(f->db_url, "SELECT COUNT(*) FROM points_entries WHERE "
	                                          "kind = 3 AND actor LIKE 'token:%'"),
	                 1);
	assert_int_equal(harness_count(f->db_url, "SELECT COUNT(*) FROM points_entries WHERE "
	                                          "kind = 3 AND actor = 'oli'"),
	                 1);
	assert_int_equal(harness_count(f->db_url, "SELECT COUNT(*) FROM claims WHERE actor = "
	                                          "'oli' AND resident = 1001"),
	                 1);
	assert_int_equal(fx_cli(f, out, sizeof out, (const char *const[]){"audit", "list", NULL}),
	                 0);
	assert_int_equal(count_of(out, "\tapi_redeem\t"), 2);
	assert_int_equal(count_of(out, "\tapi_claim\t"), 1);
	assert_non_null(strstr(out,
	                       "\toli\t127.0.0.1\tapi_claim\tkiosk 7 seq 1 onto resident 1001: "
	                       "20 points"));
	assert_non_null(strstr(out, "\toli\t127.0.0.1\tapi_redeem\tresident 1001: 15 points"));
	assert_non_null(strstr(out, "\t127.0.0.1\tapi_redeem\tresident 1001: 30 points"));
	assert_int_equal(count_of(out, "\ttoken:"), 1);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_claim_and_redeem_authenticated, fx_setup,
	                                    fx_teardown),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	harness_kill_started();
	return rc;
}
