/*
 * test_ledger_catalog.c — the down-synced catalogue in the journal
 * (kiosk/journal/ledger_catalog.c): categories, residents, staff, the
 * blocklist and the card key in one transaction; card lookups; the staff
 * PIN lock-out counter; aborts; full snapshots.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "ledger_fixture.h"
#include "wf.h"

/* Cards 1..5: resident, blocked resident, staff, blocklisted, unknown. */
static void cards(uint8_t h[6][32])
{
	for (unsigned i = 1; i <= 5; i++)
		fx_card(h[i], i);
}

/* One down-sync transaction: two residents, staff 7 (*s), a blocklisted card
 * and the card key k, committed with cursor "r2". */
static void put_people(struct ledger *l, struct ledger_staff *s, const uint8_t k[32])
{
	uint8_t h[6][32];
	cards(h);
	uint8_t *h1 = h[1], *h2 = h[2], *h3 = h[3], *h4 = h[4];
	assert_int_equal(ledger_sync_begin(l, false), WF_OK);
	struct ledger_resident r1 = {.id = 1001, .name = "王*", .balance = 1234};
	memcpy(r1.card_hash, h1, 32);
	struct ledger_resident r2 = {
	    .id = 1002, .name = "李*", .blocked = true, .block_reason = "moved away"};
	memcpy(r2.card_hash, h2, 32);
	*s =
	    (struct ledger_staff){.id = 7, .name = "张*", .admin = true, .pin_hash = "$argon2id$x"};
	memcpy(s->card_hash, h3, 32);
	assert_int_equal(ledger_sync_put_resident(l, &r1), WF_OK);
	assert_int_equal(ledger_sync_put_resident(l, &r2), WF_OK);
	assert_int_equal(ledger_sync_put_staff(l, s), WF_OK);
	assert_int_equal(ledger_sync_put_block(l, h4, "reported lost"), WF_OK);
	assert_int_equal(ledger_sync_set_card_key(l, 2, k), WF_OK);
	/* no record can be appended while the down-sync transaction is open */
	struct wf_record d = fx_drop(1, 100, 1, 20261128);
	assert_int_equal(ledger_append(l, &d, NULL, NULL, NULL), WF_ESTATE);
	assert_int_equal(ledger_sync_commit(l, "r2"), WF_OK);
}

/* What the journal answers after put_people. */
static void check_people(struct ledger *l, const uint8_t k[32])
{
	uint8_t h[6][32];
	cards(h);
	uint8_t *h1 = h[1], *h2 = h[2], *h3 = h[3], *h4 = h[4], *h5 = h[5];
	struct ledger_card card;
	uint32_t kv;
	uint8_t key[32];
	assert_int_equal(ledger_card_lookup(l, h1, &card), WF_OK);
	assert_int_equal(card.kind, LEDGER_CARD_RESIDENT);
	assert_int_equal(card.id, 1001);
	assert_string_equal(card.name, "王*");
	assert_int_equal(card.balance, 1234);
	assert_int_equal(ledger_card_lookup(l, h2, &card), WF_OK);
	assert_int_equal(card.kind, LEDGER_CARD_BLOCKED);
	assert_string_equal(card.reason, "moved away");
	assert_int_equal(ledger_card_lookup(l, h3, &card), WF_OK);
	assert_int_equal(card.kind, LEDGER_CARD_STAFF);
	assert_true(card.admin);
	assert_int_equal(card.id, 7);
	assert_string_equal(card.pin_hash, "$argon2id$x");
	assert_int_equal(ledger_card_lookup(l, h4, &card), WF_OK);
	assert_int_equal(card.kind, LEDGER_CARD_BLOCKED);
	assert_string_equal(card.reason, "reported lost");
	assert_int_equal(ledger_card_lookup(l, h5, &card), WF_OK);
	assert_int_equal(card.kind, LEDGER_CARD_UNKNOWN);
	assert_int_equal(ledger_card_key(l, &kv, key), WF_OK);
	assert_int_equal(kv, 2);
	assert_memory_equal(key, k, 32);
	char cursor[LEDGER_CURSOR_MAX];
	assert_int_equal(ledger_sync_cursor(l, cursor, sizeof cursor), WF_OK);
	assert_string_equal(cursor, "r2");
	struct wf_category cats[WF_MAX_CATEGORIES];
	assert_int_equal(ledger_categories(l, cats, WF_MAX_CATEGORIES), 2);
	assert_string_equal(cats[0].code, "paper");
	assert_int_equal(cats[1].unit, WF_UNIT_PIECE);
	assert_int_equal(cats[0].daily_limit_qty, 20000);
}

static void test_downsync(void **state)
{
	struct fx *f = *state;
	char err[256];
	assert_int_equal(ledger_init(f->path, 3, err, sizeof err), WF_OK);
	struct ledger *l = fx_open(f->path);
	struct ledger_card card;
	uint8_t h[6][32];
	cards(h);
	uint8_t *h1 = h[1], *h3 = h[3], *h4 = h[4];
	uint32_t kv;
	uint8_t key[32], k[32];
	memset(k, 0x33, 32);
	assert_int_equal(ledger_card_key(l, &kv, key), WF_ENOENT);
	fx_put_catalog(l);
	struct ledger_staff s;
	put_people(l, &s, k);
	check_people(l, k);
	struct wf_category cats[WF_MAX_CATEGORIES];

	/* PIN lock-out counter: stored, kept over an incremental sync */
	assert_int_equal(ledger_staff_set_pin_failures(l, 7, 3), WF_OK);
	assert_int_equal(ledger_staff_set_pin_failures(l, 8, 1), WF_ENOENT);
	assert_int_equal(ledger_sync_begin(l, false), WF_OK);
	assert_int_equal(ledger_sync_put_staff(l, &s), WF_OK);
	assert_int_equal(ledger_sync_delete_resident(l, 1001), WF_OK);
	assert_int_equal(ledger_sync_delete_block(l, h4), WF_OK);
	assert_int_equal(ledger_sync_delete_category(l, 2), WF_OK);
	assert_int_equal(ledger_sync_commit(l, "r3"), WF_OK);
	assert_int_equal(ledger_card_lookup(l, h3, &card), WF_OK);
	assert_int_equal(card.pin_failures, 3);
	assert_int_equal(ledger_card_lookup(l, h1, &card), WF_OK);
	assert_int_equal(card.kind, LEDGER_CARD_UNKNOWN);
	assert_int_equal(ledger_card_lookup(l, h4, &card), WF_OK);
	assert_int_equal(card.kind, LEDGER_CARD_UNKNOWN);
	assert_int_equal(ledger_categories(l, cats, WF_MAX_CATEGORIES), 1);

	/* an aborted sync changes nothing */
	assert_int_equal(ledger_sync_begin(l, true), WF_OK);
	ledger_sync_abort(l);
	assert_int_equal(ledger_categories(l, cats, WF_MAX_CATEGORIES), 1);
	assert_int_equal(ledger_card_lookup(l, h3, &card), WF_OK);
	assert_int_equal(card.kind, LEDGER_CARD_STAFF);
	/* a bad category aborts cleanly */
	assert_int_equal(ledger_sync_begin(l, false), WF_OK);
	struct wf_category bad = cats[0];
	bad.min_qty = 0;
	assert_int_equal(ledger_sync_put_category(l, &bad), WF_EINVAL);
	ledger_sync_abort(l);
	/* a full snapshot without staff 7 removes staff 7 */
	assert_int_equal(ledger_sync_begin(l, true), WF_OK);
	assert_int_equal(ledger_sync_commit(l, "r4"), WF_OK);
	assert_int_equal(ledger_card_lookup(l, h3, &card), WF_OK);
	assert_int_equal(card.kind, LEDGER_CARD_UNKNOWN);
	assert_int_equal(ledger_categories(l, cats, WF_MAX_CATEGORIES), 0);
	ledger_close(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_downsync, fx_setup, fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
