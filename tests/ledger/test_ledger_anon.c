/*
 * test_ledger_anon.c — what the journal keeps for the anonymous daily cap
 * (kiosk/journal/): a category's cap round-trips through the down-synced
 * catalogue (and "no cap" stays no cap), and ledger_anon_today sums the
 * credited quantity of one local day's anonymous drops per category, on a
 * real journal file, also on a journal migrated from schema 3.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "ledger_fixture.h"
#include "wf.h"

#define DAY 20261128u

/* An anonymous drop: no card (card 0) or an unknown card's hash, of which
 * credited earns points. */
static struct wf_record anon(uint16_t category, int64_t qty, int64_t credited, unsigned card,
                             uint32_t day)
{
	struct wf_record r = fx_drop(category, qty, 0, day);
	fx_card(r.drop.card_hash, card);
	r.drop.credited_qty = credited;
	r.drop.points = credited * 2000 / 1000000;
	r.drop.flags = WF_DROP_ANONYMOUS | (credited < qty ? WF_DROP_CAPPED : 0);
	return r;
}

static void append(struct ledger *l, struct wf_record r)
{
	assert_int_equal(ledger_append(l, &r, NULL, NULL, NULL), WF_OK);
}

/* The day's sums as "category:qty ..." for one assertion. */
static void sums(struct ledger *l, uint32_t day, char *out, size_t cap)
{
	struct ledger_today t[WF_MAX_CATEGORIES];
	int n = ledger_anon_today(l, day, t, WF_MAX_CATEGORIES);
	assert_true(n >= 0);
	out[0] = '\0';
	for (int i = 0; i < n; i++) {
		size_t k = strlen(out);
		snprintf(out + k, cap - k, "%s%u:%" PRId64, i ? " " : "", t[i].category_id,
		         t[i].qty);
	}
}

static void test_anon_today(void **state)
{
	struct fx *f = *state;
	char err[256], s[256];
	assert_int_equal(ledger_init(f->path, 12, err, sizeof err), WF_OK);
	struct ledger *l = fx_open(f->path);
	sums(l, DAY, s, sizeof s);
	assert_string_equal(s, "");
	append(l, anon(1, 1000, 1000, 0, DAY));
	append(l, anon(1, 500, 500, 0, DAY));
	append(l, anon(1, 200, 200, 9, DAY)); /* an unknown card, anonymously */
	append(l, anon(1, 800, 0, 0, DAY));   /* capped: recorded, nothing earned */
	append(l, fx_drop(1, 2000, 1, DAY));  /* a resident's: not the cap's */
	append(l, anon(2, 3, 3, 0, DAY));
	append(l, anon(1, 700, 700, 0, DAY + 1));
	sums(l, DAY, s, sizeof s);
	assert_string_equal(s, "1:1700 2:3");
	sums(l, DAY + 1, s, sizeof s);
	assert_string_equal(s, "1:700");
	sums(l, DAY + 2, s, sizeof s);
	assert_string_equal(s, "");
	/* cap smaller than the categories found: the first ones */
	struct ledger_today t[1];
	assert_int_equal(ledger_anon_today(l, DAY, t, 1), 1);
	assert_int_equal(t[0].qty, 1700);
	ledger_close(l);
	/* the journal still verifies: the index restates nothing */
	char args[400];
	snprintf(args, sizeof args, "ledger verify '%s'", f->path);
	assert_int_equal(fx_run_cli(args, s, sizeof s), 0);
}

/* A cap of N, a cap of 0 and no cap come back from the journal as they went in. */
static void test_cap_round_trip(void **state)
{
	struct fx *f = *state;
	char err[256];
	assert_int_equal(ledger_init(f->path, 12, err, sizeof err), WF_OK);
	struct ledger *l = fx_open(f->path);
	fx_put_catalog(l); /* paper, batteries: no cap */
	struct wf_category cats[WF_MAX_CATEGORIES];
	assert_int_equal(ledger_categories(l, cats, WF_MAX_CATEGORIES), 2);
	assert_false(cats[0].has_anon_cap);
	assert_false(cats[1].has_anon_cap);
	assert_int_equal(ledger_sync_begin(l, false), WF_OK);
	cats[0].has_anon_cap = true;
	cats[0].anon_cap_qty = 3000;
	cats[1].has_anon_cap = true;
	cats[1].anon_cap_qty = 0;
	assert_int_equal(ledger_sync_put_category(l, &cats[0]), WF_OK);
	assert_int_equal(ledger_sync_put_category(l, &cats[1]), WF_OK);
	assert_int_equal(ledger_sync_commit(l, "r2"), WF_OK);
	memset(cats, 0, sizeof cats);
	assert_int_equal(ledger_categories(l, cats, WF_MAX_CATEGORIES), 2);
	assert_true(cats[0].has_anon_cap);
	assert_int_equal(cats[0].anon_cap_qty, 3000);
	assert_true(cats[1].has_anon_cap);
	assert_int_equal(cats[1].anon_cap_qty, 0);
	/* a cap out of range is refused, nothing changes */
	assert_int_equal(ledger_sync_begin(l, false), WF_OK);
	struct wf_category bad = cats[0];
	bad.anon_cap_qty = -1;
	assert_int_equal(ledger_sync_put_category(l, &bad), WF_EINVAL);
	ledger_sync_abort(l);
	assert_int_equal(ledger_categories(l, cats, WF_MAX_CATEGORIES), 2);
	assert_int_equal(cats[0].anon_cap_qty, 3000);
	ledger_close(l);
}

/* A journal from before the cap (schema 3) with a category: opened, it
 * gains the column (the category has no cap) and the index. */
static void test_migrated_journal(void **state)
{
	struct fx *f = *state;
	char err[256], s[256];
	assert_int_equal(ledger_init_version(f->path, 12, 3, err, sizeof err), WF_OK);
	assert_int_equal(fx_raw_int(f->path, "PRAGMA user_version"), 3);
	fx_raw_exec(f->path,
	            "INSERT INTO categories(id, code, name, unit, rate_version, rate, min_qty,"
	            " max_qty, daily_limit_qty) VALUES(1, 'paper', 'Paper', 1, 3, 2000, 50, 50000,"
	            " 20000)");
	struct ledger *l = fx_open(f->path);
	append(l, anon(1, 1200, 1200, 0, DAY));
	ledger_close(l);
	l = fx_open(f->path);
	sums(l, DAY, s, sizeof s);
	assert_string_equal(s, "1:1200");
	struct wf_category cats[WF_MAX_CATEGORIES];
	assert_int_equal(ledger_categories(l, cats, WF_MAX_CATEGORIES), 1);
	assert_false(cats[0].has_anon_cap);
	ledger_close(l);
	assert_int_equal(fx_raw_int(f->path, "PRAGMA user_version"), LEDGER_SCHEMA_VERSION);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_anon_today, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_cap_round_trip, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_migrated_journal, fx_setup, fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
