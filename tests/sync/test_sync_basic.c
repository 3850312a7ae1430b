/* test_sync_basic.c — records leave the outbox only when central stored them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "ledger.h"
#include "record.h"
#include "signing.h"
#include "sync.h"
#include "wf.h"

static char g_dir[128], g_ledger[256], g_db[300];
static uint8_t g_pk[32], g_sk[64];

static int setup(void **state)
{
	(void)state;
	snprintf(g_dir, sizeof g_dir, "/tmp/wufei-sync.XXXXXX");
	assert_non_null(mkdtemp(g_dir));
	snprintf(g_ledger, sizeof g_ledger, "%s/journal.db", g_dir);
	snprintf(g_db, sizeof g_db, "sqlite:%s/central.db", g_dir);
	char err[256];
	assert_int_equal(ledger_init(g_ledger, 5, err, sizeof err), WF_OK);
	assert_int_equal(signing_keypair_generate(g_pk, g_sk), WF_OK);
	char pub[300], out[4096];
	harness_write_pub(g_dir, "k5.pub", g_pk, pub, sizeof pub);
	const char *args[] = {"kiosk", "add", "5", "--pubkey", pub, NULL};
	assert_int_equal(harness_cli(g_db, out, sizeof out, args), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[200];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
	return system(cmd);
}

static void append_drops(int n, int64_t qty)
{
	struct ledger *l = NULL;
	char err[256];
	assert_int_equal(ledger_open(g_ledger, &l, err, sizeof err), WF_OK);
	for (int i = 0; i < n; i++) {
		struct wf_record r;
		memset(&r, 0, sizeof r);
		r.kind = WF_RECORD_BIN;
		r.time_ms = (int64_t)time(NULL) * 1000;
		r.bin.category_id = 1;
		r.bin.grams = qty + i;
		r.bin.staff_id = 7;
		assert_int_equal(ledger_append(l, &r, NULL, NULL, NULL), WF_OK);
	}
	ledger_close(l);
}

static int64_t outbox_depth(void)
{
	struct ledger *l = NULL;
	char err[256];
	int64_t d = -1;
	assert_int_equal(ledger_open(g_ledger, &l, err, sizeof err), WF_OK);
	assert_int_equal(ledger_outbox_depth(l, &d), WF_OK);
	ledger_close(l);
	return d;
}

static void make_sync(struct central_proc *c, struct sync **s)
{
	char url[64], err[256];
	snprintf(url, sizeof url, "http://127.0.0.1:%d", c->port);
	struct sync_config cfg = {.url = url,
	                          .ledger_path = g_ledger,
	                          .kiosk = 5,
	                          .key_id = 1,
	                          .secret_key = g_sk,
	                          .timeout_ms = 5000};
	assert_int_equal(sync_create(&cfg, s, err, sizeof err), WF_OK);
}

static void test_upload_then_outbox_empty(void **state)
{
	(void)state;
	struct central_proc c;
	assert_int_equal(harness_start(&c, g_db, 0), 0);
	append_drops(1203, 1000); /* three batches: 500 + 500 + 203 */
	struct sync *s = NULL;
	make_sync(&c, &s);
	assert_int_equal(sync_round(s, true), WF_OK);
	struct sync_status st;
	sync_get_status(s, &st);
	assert_int_equal(st.stored, 1203);
	assert_int_equal(st.outbox_depth, 0);
	assert_true(st.epoch_done);
	assert_int_equal(outbox_depth(), 0);
	char path[300];
	snprintf(path, sizeof path, "%s/central.db", g_dir);
	/* A second round sends nothing new; records appended later go too. */
	append_drops(7, 5000);
	assert_int_equal(sync_round(s, true), WF_OK);
	sync_get_status(s, &st);
	assert_int_equal(st.stored, 1210);
	assert_int_equal(st.duplicates, 0);
	sync_destroy(s);
	assert_int_equal(harness_stop(&c, SIGTERM), 0);
}

static void test_central_away_keeps_outbox(void **state)
{
	(void)state;
	append_drops(20, 100);
	struct central_proc c;
	assert_int_equal(harness_start(&c, g_db, 0), 0);
	int port = c.port;
	harness_stop(&c, SIGKILL); /* exit status is the signal */
	char url[64], err[256];
	snprintf(url, sizeof url, "http://127.0.0.1:%d", port);
	struct sync_config cfg = {.url = url,
	                          .ledger_path = g_ledger,
	                          .kiosk = 5,
	                          .key_id = 1,
	                          .secret_key = g_sk,
	                          .timeout_ms = 2000};
	struct sync *s = NULL;
	assert_int_equal(sync_create(&cfg, &s, err, sizeof err), WF_OK);
	assert_int_not_equal(sync_round(s, true), WF_OK);
	assert_int_equal(outbox_depth(), 20);
	struct sync_status st;
	sync_get_status(s, &st);
	assert_true(st.last_error[0] != '\0');
	assert_int_equal(st.rounds_failed, 1);
	sync_destroy(s);
}

static void test_wrong_key_is_refused_and_nothing_lost(void **state)
{
	(void)state;
	append_drops(3, 100);
	struct central_proc c;
	assert_int_equal(harness_start(&c, g_db, 0), 0);
	uint8_t pk2[32], sk2[64];
	signing_keypair_generate(pk2, sk2);
	char url[64], err[256];
	snprintf(url, sizeof url, "http://127.0.0.1:%d", c.port);
	struct sync_config cfg = {.url = url,
	                          .ledger_path = g_ledger,
	                          .kiosk = 5,
	                          .key_id = 1,
	                          .secret_key = sk2,
	                          .timeout_ms = 5000};
	struct sync *s = NULL;
	assert_int_equal(sync_create(&cfg, &s, err, sizeof err), WF_OK);
	assert_int_not_equal(sync_round(s, true), WF_OK);
	struct sync_status st;
	sync_get_status(s, &st);
	assert_non_null(strstr(st.last_error, "bad_signature"));
	assert_int_equal(outbox_depth(), 3);
	sync_destroy(s);
	assert_int_equal(harness_stop(&c, SIGTERM), 0);
}

static void test_backoff(void **state)
{
	(void)state;
	assert_int_equal(sync_backoff_ms(1, 500, 300000, 12345), 500);
	for (int a = 1; a < 40; a++) {
		int64_t hi = 500;
		for (int i = 1; i < a && hi < 300000; i++)
			hi *= 2;
		if (hi > 300000)
			hi = 300000;
		for (uint32_t r = 0; r < 5; r++) {
			int64_t v = sync_backoff_ms(a, 500, 300000, r * 977777u);
			assert_true(v >= 500 && v <= hi);
		}
	}
	assert_int_equal(sync_backoff_ms(30, 500, 300000, UINT32_MAX) <= 300000, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_backoff),
	    cmocka_unit_test_setup_teardown(test_upload_then_outbox_empty, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_central_away_keeps_outbox, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_wrong_key_is_refused_and_nothing_lost, setup,
	                                    teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
