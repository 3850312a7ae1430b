/*
 * test_pg_points_totals — on PostgreSQL each resident's balance (the
 * running total, points_totals) is kept by the points ledger's trigger
 * (store_pg_schema.c, migration 4), whoever appends the entries: the store's
 * points_earn (a batch, several entries of one resident), points_append
 * (the balance it answers is the one after its entry), and plain SQL, many
 * entries a statement, as a bulk COPY or a restore would write them. After
 * each, the balance a resident is shown equals the sum of the resident's
 * entries, and points_check finds no resident whose total disagrees. The
 * SQLite twin skips: SQLite moves the totals in C (test_points).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "store.h"
#include "testdb.h"
#include "wf.h"

#define T0 INT64_C(1764316800)

static int count_bad(void *ctx, int64_t resident, int64_t total, int64_t sum)
{
	(void)resident;
	(void)total;
	(void)sum;
	(*(int *)ctx)++;
	return 0;
}

/* Every resident's total equals its entries' sum; residents counted. */
static void totals_agree(struct store *s, int64_t want_residents)
{
	int bad = 0;
	int64_t residents = 0;
	assert_int_equal(s->ops->points_check(s, count_bad, &bad, &residents), WF_OK);
	assert_int_equal(bad, 0);
	assert_int_equal(residents, want_residents);
}

static int64_t balance(struct store *s, int64_t resident)
{
	int64_t b = -1;
	assert_int_equal(s->ops->points_balance(s, resident, &b), WF_OK);
	return b;
}

static void test_totals_by_any_writer(void **state)
{
	(void)state;
	if (!testdb_is_pg())
		skip();
	char url[1024], why[256];
	struct store *s = NULL;
	assert_int_equal(testdb_url(url, sizeof url, "/tmp/unused.db"), 0);
	assert_int_equal(store_open(url, &s, why, sizeof why), 0);
	/* a batch: resident 7 earns three times, resident 8 once */
	struct store_points_entry e[4];
	const int64_t who[4] = {8, 7, 7, 7}, pts[4] = {5, 10, 20, 30};
	for (int i = 0; i < 4; i++)
		e[i] = (struct store_points_entry){.resident = who[i],
		                                   .kind = STORE_POINTS_EARNED,
		                                   .points = pts[i],
		                                   .kiosk = 1,
		                                   .seq = (uint32_t)i + 1,
		                                   .at_s = T0,
		                                   .actor = "kiosk"};
	assert_int_equal(s->ops->begin(s), WF_OK);
	assert_int_equal(s->ops->points_earn(s, e, 4), WF_OK);
	assert_int_equal(s->ops->commit(s), WF_OK);
	assert_int_equal(balance(s, 7), 60);
	assert_int_equal(balance(s, 8), 5);
	/* one redemption: the balance answered is the one after it */
	struct store_points_entry r = {.resident = 7,
	                               .kind = STORE_POINTS_REDEEMED,
	                               .points = -25,
	                               .at_s = T0 + 60,
	                               .actor = "office",
	                               .reason = "soap",
	                               .key = "redeem-1"};
	int64_t after = -1;
	assert_int_equal(s->ops->points_append(s, &r, &after), WF_OK);
	assert_int_equal(after, 35);
	assert_true(r.id > 0);
	assert_int_equal(balance(s, 7), 35);
	totals_agree(s, 2);
	/* many entries in one statement, as a bulk load writes them: residents
	 * 7..11, 200 entries, a resident's entries scattered through it */
	assert_int_equal(testdb_exec(url,
	                             "INSERT INTO points_entries(resident, kind, points, "
	                             "kiosk, seq, at_s, actor, reason) SELECT 7 + g % 5, 1, g, "
	                             "2, g, 1764316800, 'kiosk', '' FROM generate_series(1, "
	                             "200) g ORDER BY g % 7, g"),
	                 0);
	/* sum of g in 1..200 with g % 5 == k: residents 7 (k 0) .. 11 (k 4) */
	int64_t add[5] = {0};
	for (int g = 1; g <= 200; g++)
		add[g % 5] += g;
	assert_int_equal(balance(s, 7), 35 + add[0]);
	assert_int_equal(balance(s, 8), 5 + add[1]);
	assert_int_equal(balance(s, 11), add[4]);
	totals_agree(s, 5);
	store_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_totals_by_any_writer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
