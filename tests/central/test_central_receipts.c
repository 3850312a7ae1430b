/*
 * test_central_receipts.c — receipts at central: `wufei-central
 * verify-receipt` (genuine, truncated, tampered, forged, unknown kiosk,
 * revoked key, contradicting the journal), the receipt page /r/<TOKEN>, and
 * the claim API refused without an office actor (claims themselves:
 * test_points_claims.c).
 */
#define _XOPEN_SOURCE 700
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
#include "receipt.h"

static void test_receipts_cli(void **state)
{
	struct fx *f = *state;
	char token[RECEIPT_TOKEN_LEN + 1], url[RECEIPT_URL_MAX + 1], out[2048];
	/* the minute of the drop record harness_batch_json makes for seq 5 */
	uint32_t tmin = harness_record_time_min(5);
	fx_make_token(f->sk, 7, 5, tmin, token);
	assert_int_equal(fx_verify(f, token, out, sizeof out), 0);
	assert_non_null(strstr(out, "verdict: genuine"));
	assert_non_null(strstr(out, "seq 5"));
	assert_non_null(strstr(out, "quantity 1250 g"));
	receipt_format_url("HTTPS://R.WUFEI.CN", token, url, sizeof url);
	assert_int_equal(fx_verify(f, url, out, sizeof out), 0);
	/* truncated */
	char t[RECEIPT_TOKEN_LEN + 1];
	memcpy(t, token, sizeof t);
	t[100] = '\0';
	assert_int_equal(fx_verify(f, t, out, sizeof out), 1);
	assert_non_null(strstr(out, "verdict: not a receipt"));
	/* bit-flipped (one character changed: bits of the drop's minute): refused
	 * as tampered, exit 1 after the verdict line; a crash (128 + signal, or a
	 * sanitizer's exit before the verdict) is not a refusal */
	memcpy(t, token, sizeof t);
	t[20] = t[20] == 'A' ? 'B' : 'A';
	assert_int_equal(fx_verify(f, t, out, sizeof out), 1);
	assert_non_null(strstr(out, "verdict: forged or tampered (signature does not verify)\n"));
	/* forged: signed by a key central does not know for kiosk 7 */
	uint8_t pk[32], sk[64];
	fx_keys(200, pk, sk);
	fx_make_token(sk, 7, 5, tmin, t);
	assert_int_equal(fx_verify(f, t, out, sizeof out), 1);
	assert_non_null(strstr(out, "forged"));
	/* kiosk 8 claiming to be kiosk 7 */
	fx_make_token(f->sk2, 7, 5, tmin, t);
	assert_int_equal(fx_verify(f, t, out, sizeof out), 1);
	/* unknown kiosk */
	fx_make_token(f->sk, 55, 5, tmin, t);
	assert_int_equal(fx_verify(f, t, out, sizeof out), 3);
}

/* A revoked key: its receipts from before the revocation stay genuine
 * (marked), later ones do not, and it signs no new request. */
static void test_receipts_revoked(void **state)
{
	struct fx *f = *state;
	char token[RECEIPT_TOKEN_LEN + 1], t[RECEIPT_TOKEN_LEN + 1], out[2048];
	uint32_t tmin = harness_record_time_min(5);
	uint8_t pk[32], sk[64];
	fx_make_token(f->sk, 7, 5, tmin, token);
	/* revoked: before the revocation still genuine (marked), after it not */
	uint8_t prev[WF_HASH_BYTES] = {0};
	struct http_answer a;
	char *b = harness_batch_json(7, 1, 5, prev, 0);
	assert_int_equal(fx_post_batch(f, f->sk, 7, b, &a), 0);
	assert_int_equal(a.status, 200);
	harness_answer_free(&a);
	assert_int_equal(fx_verify(f, token, out, sizeof out), 0);
	assert_non_null(strstr(out, "record held by central"));
	/* the kiosk's key signed something other than what its journal says */
	struct receipt liar = {.version = 1,
	                       .key_id = 1,
	                       .kiosk = 7,
	                       .seq = 5,
	                       .time_min = tmin,
	                       .category = 1,
	                       .qty = 1250,
	                       .points = 99};
	assert_int_equal(receipt_make_token(&liar, f->sk, t, sizeof t), RECEIPT_TOKEN_LEN);
	assert_int_equal(fx_verify(f, t, out, sizeof out), 5);
	assert_non_null(strstr(out, "journal record"));
	assert_int_equal(
	    fx_cli(f, NULL, 0, (const char *[]){"kiosk", "revoke-key", "7", "--key-id", "1", NULL}),
	    0);
	assert_int_equal(fx_verify(f, token, out, sizeof out), 0);
	assert_non_null(strstr(out, "revoked"));
	fx_make_token(f->sk, 7, 6, (uint32_t)(fx_now_s() / 60) + 1, t);
	assert_int_equal(fx_verify(f, t, out, sizeof out), 4);
	/* and the revoked key signs no new requests */
	assert_int_equal(fx_post_batch(f, f->sk, 7, b, &a), 0);
	assert_int_equal(a.status, 401);
	json_t *j = fx_answer_json(&a);
	assert_string_equal(json_string_value(json_object_get(j, "error")), "key_revoked");
	json_decref(j);
	harness_answer_free(&a);
	/* a new key for the same kiosk works */
	char pub[600];
	fx_keys(150, pk, sk);
	harness_write_pub(f->dir, "k7b.pub", pk, pub, sizeof pub);
	assert_int_equal(fx_cli(f, NULL, 0,
	                        (const char *[]){"kiosk", "add-key", "7", "--pubkey", pub,
	                                         "--key-id", "2", NULL}),
	                 0);
	assert_int_equal(harness_request(f->c.port, "POST", "/api/v1/sync/batch", b, strlen(b), sk,
	                                 7, 2, fx_now_s(), &a),
	                 0);
	assert_int_equal(a.status, 200);
	harness_answer_free(&a);
	free(b);
}

static void test_receipt_page_and_claim(void **state)
{
	struct fx *f = *state;
	char token[RECEIPT_TOKEN_LEN + 1], path[300];
	struct http_answer a;
	fx_make_token(f->sk, 7, 9, (uint32_t)(fx_now_s() / 60), token);
	snprintf(path, sizeof path, "/R/%s?lang=en", token);
	assert_int_equal(harness_request(f->c.port, "GET", path, NULL, 0, NULL, 0, 0, 0, &a), 0);
	assert_int_equal(a.status, 200);
	assert_non_null(strstr(a.body, "Genuine receipt"));
	assert_non_null(strstr(a.body, "纸类 Paper"));
	assert_non_null(strstr(a.body, "has not sent this drop"));
	assert_non_null(strstr(a.body, "viewport"));
	assert_true(a.central_time[0] != '\0');
	harness_answer_free(&a);
	char url[RECEIPT_URL_MAX + 1];
	receipt_format_url("HTTPS://R.WUFEI.CN", token, url, sizeof url);
	/* a claim names a resident and is an office action: wufei-central
	 * refuses it without an office actor (test_points_claims drives the
	 * granted ones), and nothing is claimed */
	json_t *claim = json_pack("{s:s, s:i}", "token", url, "resident", 1001);
	char *body = json_dumps(claim, JSON_COMPACT);
	json_decref(claim);
	assert_non_null(body);
	assert_int_equal(harness_request(f->c.port, "POST", "/api/v1/receipts/claim", body,
	                                 strlen(body), NULL, 0, 0, 0, &a),
	                 0);
	assert_int_equal(a.status, 401);
	json_t *j = fx_answer_json(&a);
	assert_string_equal(json_string_value(json_object_get(j, "error")), "office_auth_required");
	json_decref(j);
	harness_answer_free(&a);
	free(body);
	assert_int_equal(harness_count(f->db_url, "SELECT COUNT(*) FROM claims"), 0);
	snprintf(path, sizeof path, "/r/%s?lang=en", token);
	assert_int_equal(harness_request(f->c.port, "GET", path, NULL, 0, NULL, 0, 0, 0, &a), 0);
	assert_int_equal(a.status, 200);
	assert_null(strstr(a.body, "These points were claimed on"));
	harness_answer_free(&a);
	/* a tampered token: page says not valid, claim refused */
	token[30] = token[30] == 'Q' ? 'R' : 'Q';
	snprintf(path, sizeof path, "/r/%s?lang=en", token);
	assert_int_equal(harness_request(f->c.port, "GET", path, NULL, 0, NULL, 0, 0, 0, &a), 0);
	assert_int_equal(a.status, 404);
	assert_non_null(strstr(a.body, "Not a valid receipt"));
	harness_answer_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_receipts_cli, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_receipts_revoked, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_receipt_page_and_claim, fx_setup, fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
