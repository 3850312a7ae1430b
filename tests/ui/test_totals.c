/*
 * test_totals.c — today's totals at this kiosk for the attract screen
 * (ledger_day_totals, kiosk/journal/ledger_totals.c) on a real journal:
 * drops of the day counted, grams of weighed categories only summed, other
 * days and other record kinds left out.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ledger_fixture.h"

static void test_day_totals(void **state)
{
	struct fx *f = *state;
	char err[256];
	assert_int_equal(ledger_init(f->path, 3, err, sizeof err), WF_OK);
	struct ledger *l = fx_open(f->path);
	struct wf_category paper = {.id = 1,
	                            .code = "paper",
	                            .name = "纸类",
	                            .unit = WF_UNIT_GRAM,
	                            .rate_version = 1,
	                            .rate = 800,
	                            .min_qty = 100,
	                            .max_qty = 50000};
	struct wf_category bat = {.id = 6,
	                          .code = "batteries",
	                          .name = "电池",
	                          .unit = WF_UNIT_PIECE,
	                          .rate_version = 1,
	                          .rate = 2,
	                          .min_qty = 1,
	                          .max_qty = 50};
	assert_int_equal(ledger_sync_begin(l, true), WF_OK);
	assert_int_equal(ledger_sync_put_category(l, &paper), WF_OK);
	assert_int_equal(ledger_sync_put_category(l, &bat), WF_OK);
	assert_int_equal(ledger_sync_commit(l, "c1"), WF_OK);

	struct ledger_totals t;
	assert_int_equal(ledger_day_totals(l, 20261130, &t), WF_OK);
	assert_int_equal(t.drops, 0);
	assert_int_equal(t.grams, 0);

	struct wf_record a = fx_drop(1, 1250, 5, 20261130);
	struct wf_record b = fx_drop(1, 800, 0, 20261130);
	struct wf_record c = fx_drop(6, 4, 5, 20261130); /* pieces: counted, not weighed */
	c.drop.unit = WF_UNIT_PIECE;
	c.drop.points = 8;
	struct wf_record d = fx_drop(1, 3000, 5, 20261129); /* yesterday */
	assert_int_equal(ledger_append(l, &a, NULL, NULL, NULL), WF_OK);
	assert_int_equal(ledger_append(l, &b, NULL, NULL, NULL), WF_OK);
	assert_int_equal(ledger_append(l, &c, NULL, NULL, NULL), WF_OK);
	assert_int_equal(ledger_append(l, &d, NULL, NULL, NULL), WF_OK);

	assert_int_equal(ledger_day_totals(l, 20261130, &t), WF_OK);
	assert_int_equal(t.drops, 3);
	assert_int_equal(t.grams, 2050);
	assert_int_equal(ledger_day_totals(l, 20261129, &t), WF_OK);
	assert_int_equal(t.drops, 1);
	assert_int_equal(t.grams, 3000);
	ledger_close(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_day_totals, fx_setup, fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
