/*
 * test_downsync_contract.c — what wufei-central serves on GET
 * /api/v1/sync/down is accepted by the kiosk's own down-sync parser
 * (kiosk/downsync.h), full and incremental with deletions, and means the
 * same thing: the contract between the two parts, checked end to end.
 */
#define _XOPEN_SOURCE 700
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <curl/curl.h>
#include <sodium.h>

#include "downsync.h"
#include "harness.h"
#include "testdb.h"
#include "signing.h"

static int rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static void fetch(int port, const char *path, const uint8_t *sk, struct downsync *d)
{
	struct http_answer a;
	char why[256] = "";
	assert_int_equal(
	    harness_request(port, "GET", path, NULL, 0, sk, 3, 1, (int64_t)time(NULL), &a), 0);
	assert_int_equal(a.status, 200);
	int rc = downsync_parse(a.body, a.len, d, why, sizeof why);
	if (rc)
		printf("kiosk parser refused central's answer: %s\n%s\n", why, a.body);
	assert_int_equal(rc, 0);
	harness_answer_free(&a);
}

static void test_central_answer_parses_on_the_kiosk(void **state)
{
	(void)state;
	char dir[] = "/tmp/wufei-downsync-contract-XXXXXX", url[600], pub[600], path[200];
	uint8_t seed[32] = {3}, pk[32], sk[64];
	assert_non_null(mkdtemp(dir));
	char db[64];
	snprintf(db, sizeof db, "%s/c.db", dir);
	assert_int_equal(testdb_url(url, sizeof url, db), 0);
	signing_keypair_from_seed(seed, pk, sk);
	harness_write_pub(dir, "k.pub", pk, pub, sizeof pub);
	assert_int_equal(
	    harness_cli(url, NULL, 0, (const char *[]){"kiosk", "add", "3", "--pubkey", pub, NULL}),
	    0);
	assert_int_equal(
	    harness_cli(url, NULL, 0,
	                (const char *[]){"rates", "set", "--id", "2", "--code", "batteries",
	                                 "--name", "电池 Batteries", "--unit", "piece", "--rate",
	                                 "5", "--min", "1", "--max", "50", NULL}),
	    0);
	assert_int_equal(harness_cli(url, NULL, 0,
	                             (const char *[]){"resident", "add", "--id", "1001", "--card",
	                                              "em4100:0014868981", "--name", "王*",
	                                              "--points", "12", NULL}),
	                 0);
	assert_int_equal(harness_cli_input(url, "1234\n", NULL, 0,
	                                   (const char *[]){"staff", "add", "--id", "7", "--card",
	                                                    "em4100:0014868982", "--name", "李*",
	                                                    "--role", "staff", NULL}),
	                 0);
	assert_int_equal(
	    harness_cli(url, NULL, 0,
	                (const char *[]){"blocklist", "add", "--card", "em4100:0000000001",
	                                 "--reason", "reported lost", NULL}),
	    0);
	struct central_proc c;
	assert_int_equal(harness_start(&c, url, 0), 0);

	struct downsync d;
	fetch(c.port, "/api/v1/sync/down", sk, &d);
	assert_true(d.full);
	assert_true(d.has_card_key);
	assert_int_equal(d.ncategories, 1);
	assert_int_equal(d.categories[0].id, 2);
	assert_int_equal(d.categories[0].unit, WF_UNIT_PIECE);
	assert_int_equal(d.categories[0].rate, 5);
	assert_int_equal(d.nresidents, 1);
	assert_int_equal(d.residents[0].points_balance, 12);
	uint8_t h[WF_HASH_BYTES];
	crypto_generichash(h, WF_HASH_BYTES, (const uint8_t *)"em4100:0014868981", 17, d.card_key,
	                   32);
	assert_memory_equal(d.residents[0].card_hash, h, WF_HASH_BYTES);
	assert_int_equal(d.nstaff, 1);
	assert_int_equal(crypto_pwhash_str_verify(d.staff[0].pin_hash, "1234", 4), 0);
	assert_int_equal(d.nblocks, 1);
	snprintf(path, sizeof path, "/api/v1/sync/down?cursor=%s", d.cursor);
	downsync_free(&d);

	assert_int_equal(
	    harness_cli(url, NULL, 0,
	                (const char *[]){"resident", "block", "1001", "--reason", "lost", NULL}),
	    0);
	assert_int_equal(harness_cli(url, NULL, 0, (const char *[]){"staff", "remove", "7", NULL}),
	                 0);
	fetch(c.port, path, sk, &d);
	assert_false(d.full);
	assert_int_equal(d.ncategories, 0);
	assert_int_equal(d.nresidents, 1);
	assert_int_equal(d.residents[0].status, DOWNSYNC_BLOCKED);
	assert_int_equal(d.ndel_staff, 1);
	assert_int_equal(d.del_staff[0], 7);
	downsync_free(&d);

	assert_int_equal(harness_stop(&c, SIGTERM), 0);
	harness_store_drop(url);
	nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

int main(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_central_answer_parses_on_the_kiosk),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	curl_global_cleanup();
	return rc;
}
