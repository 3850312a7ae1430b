/* test_wedge.c — a reader's burst gives a card; a person typing does not. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "cardid.h"
#include "wedge.h"

/* Types s with ms between keys, then Enter; returns whether a card came out. */
static bool type(struct wedge *w, const char *s, int64_t *now, int64_t gap_ms, char *id)
{
	bool got = false;
	for (const char *p = s; *p; p++) {
		got = wedge_key(w, *p, *now, id, WEDGE_ID_MAX) || got;
		*now += gap_ms;
	}
	return wedge_key(w, '\n', *now, id, WEDGE_ID_MAX) || got;
}

static void test_decimal_reader(void **state)
{
	(void)state;
	struct wedge w;
	struct wedge_config cfg = {"em4100", false, 10, 0};
	assert_true(wedge_init(&w, &cfg));
	char id[WEDGE_ID_MAX] = "";
	int64_t now = 1000;
	assert_true(type(&w, "0014868981", &now, 4, id));
	assert_string_equal(id, "em4100:0014868981"); /* as printed: the RDM6300's id too */
	/* the same card again, later: again one card */
	now += 3000;
	assert_true(type(&w, "0014868981", &now, 4, id));
	/* a person typing (120 ms a key) */
	assert_false(type(&w, "0014868981", &now, 120, id));
	/* too few, too many digits */
	assert_false(type(&w, "001486898", &now, 4, id));
	assert_false(type(&w, "00148689810", &now, 4, id));
	/* a letter inside the burst */
	assert_false(type(&w, "00148A8981", &now, 4, id));
	/* Enter alone, and after a spoiled burst the next good one works */
	assert_false(wedge_key(&w, '\r', now, id, sizeof id));
	assert_true(type(&w, "4294967295", &now, 4, id));
	assert_string_equal(id, "em4100:4294967295");
	/* ten digits over 32 bits are no printed number */
	assert_false(type(&w, "4294967296", &now, 4, id));
	/* Momentum-Firmware issue 224: a reader types DEZ10 0156941150 */
	assert_true(type(&w, "0156941150", &now, 4, id));
	assert_string_equal(id, "em4100:0156941150");
}

/* One card, one identity: an EM4100 card typed in decimal, in 8 hex digits or
 * in the 10 hex of its 40 bits is the id an RDM6300 gives for it. */
static void test_one_card_every_reader(void **state)
{
	(void)state;
	static const struct {
		bool hex;
		unsigned digits;
		const char *typed;
	} readers[] = {
	    {false, 10, "0014868981"}, /* DEZ10, printed on the card */
	    {true, 8, "00E2E1F5"},     /* 8H: the 32 bits */
	    {true, 10, "0400E2E1F5"},  /* 10H: version byte and 32 bits */
	    {true, 10, "0500e2e1f5"},  /* another version byte: the same printed number */
	};
	for (size_t i = 0; i < sizeof readers / sizeof readers[0]; i++) {
		struct wedge w;
		struct wedge_config cfg = {"em4100", readers[i].hex, readers[i].digits, 0};
		assert_true(wedge_init(&w, &cfg));
		char id[WEDGE_ID_MAX] = "";
		int64_t now = 0;
		assert_true(type(&w, readers[i].typed, &now, 4, id));
		assert_string_equal(id, "em4100:0014868981");
		assert_true(cardid_valid(id));
	}
}

static void test_hex_reader(void **state)
{
	(void)state;
	struct wedge w;
	struct wedge_config cfg = {"em4100", true, 10, 100};
	assert_true(wedge_init(&w, &cfg));
	char id[WEDGE_ID_MAX];
	int64_t now = 0;
	assert_true(type(&w, "0400e2e1f5", &now, 5, id));
	assert_string_equal(id, "em4100:0014868981"); /* the same id an RDM6300 gives */
	/* 10 keys 11 ms apart = 110 ms: over the 100 ms burst */
	assert_false(type(&w, "0400E2E1F5", &now, 11, id));
}

static void test_bad_config(void **state)
{
	(void)state;
	struct wedge w;
	struct wedge_config bad[] = {{"", false, 10, 0},
	                             {"EM4100", false, 10, 0},
	                             {"em4100", false, 3, 0},
	                             {"em4100", false, 21, 0},
	                             {"em4100", false, 10, -1}};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_false(wedge_init(&w, &bad[i]));
}

/* Random keys at random times never crash and never give an id of the wrong shape. */
static void test_random_keys(void **state)
{
	(void)state;
	struct wedge w;
	struct wedge_config cfg = {"mifare", true, 8, 0};
	assert_true(wedge_init(&w, &cfg));
	srand(7);
	int64_t now = 0;
	int cards = 0;
	for (int i = 0; i < 200000; i++) {
		int r = rand() % 20;
		int key = r < 12 ? "0123456789AF"[r] : r < 15 ? '\n' : rand() % 256;
		now += rand() % 40;
		char id[WEDGE_ID_MAX];
		if (wedge_key(&w, key, now, id, sizeof id)) {
			cards++;
			assert_int_equal(strlen(id), strlen("mifare:") + 8);
			assert_int_equal(strncmp(id, "mifare:", 7), 0);
		}
	}
	assert_true(cards > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_decimal_reader),        cmocka_unit_test(test_hex_reader),
	    cmocka_unit_test(test_one_card_every_reader), cmocka_unit_test(test_bad_config),
	    cmocka_unit_test(test_random_keys),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
