/*
 * test_kiosk_anoncap.c — the anonymous daily cap through the real
 * wufei-kiosk, driven by scripts on a virtual clock: the cap comes from the
 * down-sync document (the demo fixture with plastic capped at 5 kg a day),
 * what anonymous drops earned earlier today comes from the journal (each
 * drop is its own run of the kiosk), "today" is the local day in the
 * kiosk's zone, and the journal holds what the screen showed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ledger.h"
#include "record.h"
#include "wf.h"
#include "wf_test.h"

static char g_dir[128];
static char g_out[8192];

#define sh(...) wf_test_sh(g_out, sizeof g_out, __VA_ARGS__)

static const char *bin(void)
{
	static char path[512];
	snprintf(path, sizeof path, "%s/wufei-kiosk", getenv("WUFEI_BIN_DIR"));
	return path;
}

/* The demo fixture with plastic (category 2) capped at 5000 g a day. */
static void write_fixture(const char *path)
{
	char demo[512];
	snprintf(demo, sizeof demo, "%s/packaging/demo/fixture.json", getenv("WUFEI_SOURCE_DIR"));
	json_error_t e;
	json_t *j = json_load_file(demo, 0, &e);
	assert_non_null(j);
	json_t *plastic = json_array_get(json_object_get(j, "categories"), 1);
	assert_string_equal(json_string_value(json_object_get(plastic, "code")), "plastic");
	json_object_set_new(plastic, "anon_daily_cap", json_integer(5000));
	assert_int_equal(json_dump_file(j, path, JSON_INDENT(1)), 0);
	json_decref(j);
}

static int setup(void **state)
{
	(void)state;
	assert_int_equal(wf_test_tmpdir("kiosk-anoncap", g_dir, sizeof g_dir), 0);
	assert_int_equal(sh("%s keygen --out %s/kiosk.key", bin(), g_dir), 0);
	assert_int_equal(sh("%s ledger init %s/journal.db --kiosk 9", bin(), g_dir), 0);
	char path[256], ini[1024];
	snprintf(path, sizeof path, "%s/fixture.json", g_dir);
	write_fixture(path);
	snprintf(path, sizeof path, "%s/kiosk.ini", g_dir);
	snprintf(ini, sizeof ini,
	         "[kiosk]\nnumber = 9\nname = Test\ntimezone = Asia/Shanghai\n"
	         "ledger = %s/journal.db\nfixture = %s/fixture.json\n"
	         "key_file = %s/kiosk.key\n[session]\nstable_time_ms = 1000\n"
	         "allow_anonymous = true\n",
	         g_dir, g_dir, g_dir);
	assert_int_equal(wf_test_write_file(path, ini), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	return wf_test_rmtree(g_dir);
}

/* One plastic drop of GRAMS at START (UTC), anonymous (who = "tap
 * anonymous") or by resident 1001 (who = "card em4100:0014868981"),
 * expecting POINTS and, when message is not NULL, that message before
 * confirm (on the receipt, without a printer, "printer failed" is said). */
static int drop_at(const char *start, const char *who, int grams, int points, const char *message)
{
	char path[256], script[768], msg[96] = "";
	if (message)
		snprintf(msg, sizeof msg, "expect message %s\n", message);
	snprintf(path, sizeof path, "%s/visit.script", g_dir);
	snprintf(script, sizeof script,
	         "weight 0 for 1500\n"
	         "%s\n"
	         "tap category plastic\n"
	         "weight %d for 1200\n"
	         "expect screen confirm\n"
	         "%s"
	         "tap confirm\n"
	         "expect screen receipt\n"
	         "expect points %d\n"
	         "tap done\n",
	         who, grams, msg, points);
	assert_int_equal(wf_test_write_file(path, script), 0);
	int rc = sh("%s run --config %s/kiosk.ini --no-devices --clock-start %s --script %s", bin(),
	            g_dir, start, path);
	printf("%s", g_out);
	return rc;
}

struct collect {
	unsigned n;
	struct wf_record rec[16];
};

static int collect_one(void *ctx, const struct ledger_entry *e)
{
	struct collect *c = ctx;
	if (c->n >= 16)
		return 1;
	char why[128];
	assert_int_equal(wf_record_decode(e->bytes, e->len, &c->rec[c->n], why, sizeof why), WF_OK);
	c->n++;
	return 0;
}

static void test_anonymous_cap_by_local_day(void **state)
{
	(void)state;
	const char *anon = "tap anonymous", *alice = "card em4100:0014868981";
	/* 23:40 in Shanghai: 4 kg at 3000 points a tonne, all of it earns */
	assert_int_equal(drop_at("2026-11-30T15:40:00Z", anon, 4000, 12, NULL), 0);
	/* 23:45: 3 kg more, 1 kg left under the cap; the screen says why */
	assert_int_equal(drop_at("2026-11-30T15:45:00Z", anon, 3000, 3, "anon-cap-reached"), 0);
	/* 23:50: nothing left */
	assert_int_equal(drop_at("2026-11-30T15:50:00Z", anon, 2000, 0, "anon-cap-reached"), 0);
	/* 23:55: a resident is held to her own limit (10 kg), not the cap */
	assert_int_equal(drop_at("2026-11-30T15:55:00Z", alice, 3000, 9, NULL), 0);
	/* 00:05 on 1 December in Shanghai: a new day, the cap starts again */
	assert_int_equal(drop_at("2026-11-30T16:05:00Z", anon, 2000, 6, NULL), 0);

	struct collect c;
	memset(&c, 0, sizeof c);
	char path[256], err[256];
	snprintf(path, sizeof path, "%s/journal.db", g_dir);
	struct ledger *l = NULL;
	assert_int_equal(ledger_open(path, &l, err, sizeof err), WF_OK);
	assert_int_equal(ledger_each(l, collect_one, &c), 0);
	ledger_close(l);
	assert_int_equal(c.n, 5);
	const int64_t qty[] = {4000, 3000, 2000, 3000, 2000};
	const int64_t credited[] = {4000, 1000, 0, 3000, 2000};
	const uint8_t flags[] = {WF_DROP_ANONYMOUS, WF_DROP_ANONYMOUS | WF_DROP_CAPPED,
	                         WF_DROP_ANONYMOUS | WF_DROP_CAPPED, 0, WF_DROP_ANONYMOUS};
	const uint32_t day[] = {20261130, 20261130, 20261130, 20261130, 20261201};
	for (unsigned i = 0; i < 5; i++) {
		assert_int_equal(c.rec[i].drop.qty, qty[i]); /* all of it recorded */
		assert_int_equal(c.rec[i].drop.credited_qty, credited[i]);
		assert_int_equal(c.rec[i].drop.flags, flags[i]);
		assert_int_equal(c.rec[i].drop.local_day, day[i]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_anonymous_cap_by_local_day, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
