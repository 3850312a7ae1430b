/*
 * test_central_catalogue.c — what central keeps for the kiosks and sends
 * them: card enrolment (one card, one identity), the down-sync (whole, then
 * changes and deletions after a cursor) and the epoch call of a restored
 * kiosk.
 */
#define _XOPEN_SOURCE 700
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/wait.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>
#include <sodium.h>

#include "fixture.h"
#include "harness.h"
#include "hex.h"

/* One card, one identity (issue 9): the card id is the number printed on an
 * EM4100 card; the reader's hex is refused with the id to use; a card
 * enrolled to one person is refused for anyone else. A refused card id is a
 * usage error (exit 2), a card held by someone else a refusal (exit 1):
 * never a crash (128 + signal). */
static void test_card_enrolment(void **state)
{
	struct fx *f = *state;
	char out[2048];
	assert_int_equal(fx_cli_all(f, out, sizeof out,
	                            "resident add --id 1001 --card em4100:0400E2E1F5 --name A"),
	                 2);
	assert_non_null(strstr(out, "10-digit number printed on the card"));
	assert_non_null(strstr(out, "em4100:0400E2E1F5 is em4100:0014868981"));
	assert_int_equal(fx_cli_all(f, out, sizeof out,
	                            "resident add --id 1001 --card em4100:4294967296 --name A"),
	                 2);
	assert_int_equal(fx_cli_all(f, out, sizeof out,
	                            "resident add --id 1001 --card em4100:0014868981 --name A"),
	                 0);
	/* the same card (as a wedge reader or another RDM6300 version byte reads it
	 * too) for a second resident or a staff member: refused, naming the holder */
	assert_int_equal(fx_cli_all(f, out, sizeof out,
	                            "resident add --id 1002 --card em4100:0014868981 --name B"),
	                 1);
	assert_non_null(strstr(out, "already enrolled to resident 1001"));
	assert_int_equal(
	    fx_cli_all_input(f, "1234", out, sizeof out,
	                     "staff add --id 7 --card em4100:0014868981 --name C --role staff"),
	    1);
	assert_non_null(strstr(out, "already enrolled to resident 1001"));
	assert_int_equal(
	    fx_cli_all_input(f, "1234", out, sizeof out,
	                     "staff add --id 7 --card em4100:0014868982 --name C --role staff"),
	    0);
	assert_int_equal(fx_cli_all(f, out, sizeof out,
	                            "resident add --id 1003 --card em4100:0014868982 --name D"),
	                 1);
	assert_non_null(strstr(out, "already enrolled to staff member 7"));
	/* the holder itself may be written again with its own card */
	assert_int_equal(fx_cli_all(f, out, sizeof out,
	                            "resident add --id 1001 --card em4100:0014868981 --name A2"),
	                 0);
	assert_int_equal(fx_cli(f, out, sizeof out, (const char *[]){"resident", "list", NULL}), 0);
	assert_non_null(strstr(out, "A2"));
	assert_null(strstr(out, "\tB\t"));
	assert_null(strstr(out, "\tD\t"));
}

static void test_downsync(void **state)
{
	struct fx *f = *state;
	struct http_answer a;
	/* a card id a reader would never produce (lower case) would hash to a
	 * resident no card ever matches: refused */
	assert_int_equal(fx_cli(f, NULL, 0,
	                        (const char *[]){"resident", "add", "--id", "1001", "--card",
	                                         "em4100:0400e2e1f5", "--name", "王*", NULL}),
	                 2);
	assert_int_equal(fx_cli(f, NULL, 0,
	                        (const char *[]){"resident", "add", "--id", "1001", "--card",
	                                         "em4100:0014868981", "--name", "王*", NULL}),
	                 0);
	assert_int_equal(harness_cli_input(f->db_url, "2468\n", NULL, 0,
	                                   (const char *[]){"staff", "add", "--id", "7", "--card",
	                                                    "em4100:0014868982", "--name", "李*",
	                                                    "--role", "admin", NULL}),
	                 0);
	assert_int_equal(harness_request(f->c.port, "GET", "/api/v1/sync/down", NULL, 0, f->sk, 7,
	                                 1, fx_now_s(), &a),
	                 0);
	assert_int_equal(a.status, 200);
	json_t *j = fx_answer_json(&a);
	assert_string_equal(json_string_value(json_object_get(j, "format")), "wufei-downsync-1");
	assert_true(json_is_true(json_object_get(j, "full")));
	json_t *cats = json_object_get(j, "categories");
	assert_int_equal(json_array_size(cats), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(cats, 0), "rate")),
	                 2000);
	json_t *staff = json_array_get(json_object_get(j, "staff"), 0);
	const char *pin_hash = json_string_value(json_object_get(staff, "pin_hash"));
	assert_int_equal(crypto_pwhash_str_verify(pin_hash, "2468", 4), 0);
	/* card_hash = BLAKE2b(key = card key, canonical id) */
	const char *key_hex =
	    json_string_value(json_object_get(json_object_get(j, "card_key"), "key"));
	uint8_t key[32], h[WF_HASH_BYTES];
	char hex[WF_HASH_HEX];
	assert_int_equal(hex_decode(key_hex, 64, key, 32), 0);
	crypto_generichash(h, WF_HASH_BYTES, (const uint8_t *)"em4100:0014868981", 17, key, 32);
	hex_encode(h, WF_HASH_BYTES, hex, sizeof hex);
	json_t *res = json_array_get(json_object_get(j, "residents"), 0);
	assert_string_equal(json_string_value(json_object_get(res, "card_hash")), hex);
	char path[200];
	snprintf(path, sizeof path, "/api/v1/sync/down?cursor=%s",
	         json_string_value(json_object_get(j, "cursor")));
	json_decref(j);
	harness_answer_free(&a);

	/* a change and a deletion, then the incremental answer */
	assert_int_equal(
	    fx_cli(f, NULL, 0,
	           (const char *[]){"resident", "block", "1001", "--reason", "lost", NULL}),
	    0);
	assert_int_equal(fx_cli(f, NULL, 0, (const char *[]){"staff", "remove", "7", NULL}), 0);
	assert_int_equal(
	    harness_request(f->c.port, "GET", path, NULL, 0, f->sk, 7, 1, fx_now_s(), &a), 0);
	assert_int_equal(a.status, 200);
	j = fx_answer_json(&a);
	assert_true(json_is_false(json_object_get(j, "full")));
	assert_int_equal(json_array_size(json_object_get(j, "categories")), 0);
	res = json_array_get(json_object_get(j, "residents"), 0);
	assert_string_equal(json_string_value(json_object_get(res, "status")), "blocked");
	json_t *del = json_object_get(json_object_get(j, "deleted"), "staff");
	assert_int_equal(json_array_size(del), 1);
	assert_int_equal(json_integer_value(json_array_get(del, 0)), 7);
	json_decref(j);
	harness_answer_free(&a);

	/* a cursor from the future (the kiosk synced with a central since
	 * restored from an older backup): everything again, at today's cursor */
	assert_int_equal(harness_request(f->c.port, "GET", "/api/v1/sync/down?cursor=r999999", NULL,
	                                 0, f->sk, 7, 1, fx_now_s(), &a),
	                 0);
	assert_int_equal(a.status, 200);
	j = fx_answer_json(&a);
	assert_true(json_is_true(json_object_get(j, "full")));
	assert_int_equal(json_array_size(json_object_get(j, "categories")), 1);
	res = json_array_get(json_object_get(j, "residents"), 0);
	assert_string_equal(json_string_value(json_object_get(res, "status")), "blocked");
	assert_int_equal(json_array_size(json_object_get(j, "staff")), 0);
	const char *cur = json_string_value(json_object_get(j, "cursor"));
	assert_non_null(cur);
	assert_true(strtoll(cur + 1, NULL, 10) < 999999 && strtoll(cur + 1, NULL, 10) > 0);
	json_decref(j);
	harness_answer_free(&a);
}

/* epoch: a restored kiosk learns where to continue */
static void test_epoch(void **state)
{
	struct fx *f = *state;
	struct http_answer a;
	char hex[WF_HASH_HEX];
	json_t *j;
	uint8_t prev[WF_HASH_BYTES] = {0};
	char *b = harness_batch_json(7, 1, 10, prev, 0);
	fx_post_batch(f, f->sk, 7, b, &a);
	assert_int_equal(a.status, 200);
	harness_answer_free(&a);
	free(b);
	const char *eb = "{\"format\":\"wufei-epoch-1\",\"kiosk\":7,\"reason\":\"restored\","
	                 "\"local_last_seq\":4}";
	assert_int_equal(harness_request(f->c.port, "POST", "/api/v1/kiosk/epoch", eb, strlen(eb),
	                                 f->sk, 7, 1, fx_now_s(), &a),
	                 0);
	assert_int_equal(a.status, 200);
	j = fx_answer_json(&a);
	assert_int_equal(json_integer_value(json_object_get(j, "highest_seq")), 10);
	assert_int_equal(json_integer_value(json_object_get(j, "next_seq")), 11);
	assert_int_equal(json_integer_value(json_object_get(j, "epoch")), 1);
	hex_encode(prev, WF_HASH_BYTES, hex, sizeof hex);
	assert_string_equal(json_string_value(json_object_get(j, "chain_hash")), hex);
	json_decref(j);
	harness_answer_free(&a);
	/* continuing from there stores with an intact chain */
	b = harness_batch_json(7, 11, 2, prev, 0);
	fx_post_batch(f, f->sk, 7, b, &a);
	assert_int_equal(a.status, 200);
	j = fx_answer_json(&a);
	assert_null(json_object_get(json_array_get(json_object_get(j, "results"), 0), "flags"));
	json_decref(j);
	harness_answer_free(&a);
	free(b);
	assert_int_equal(harness_count(f->db_url, "SELECT COUNT(*) FROM tamper_alerts"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_downsync, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_epoch, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_card_enrolment, fx_setup, fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
