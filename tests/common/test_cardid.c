/*
 * test_cardid.c — canonical card ids (common/core/cardid.c: cardid_valid,
 * cardid_format, cardid_em4100) and their keyed hashes (common/cardid/
 * cardid_hash.c), the hashes checked against Python's hashlib.blake2b, an
 * independent BLAKE2b.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "cardid.h"
#include "cardid_hash.h"
#include "hex.h"
#include "wf.h"

static void test_cardid_valid_and_format(void **state)
{
	(void)state;
	assert_true(cardid_valid("em4100:0014868981"));
	assert_true(cardid_valid("em4100:4294967295")); /* the largest 32-bit number */
	assert_true(cardid_valid("mifare-1k:04A1B2C3"));
	assert_true(cardid_valid("x:0"));
	assert_true(cardid_valid("abcdefghijklmno:012345678901234567890123456789")); /* 15, 30 */
	assert_false(cardid_valid("abcdefghijklmnop:0"));                            /* 16 */
	assert_false(cardid_valid("x:0123456789012345678901234567890"));             /* 31 */
	assert_false(cardid_valid(NULL));
	assert_false(cardid_valid(""));
	assert_false(cardid_valid(":0400E2E1F5"));
	assert_false(cardid_valid("em4100:"));
	assert_false(cardid_valid("em4100"));
	/* an EM4100 number is 10 decimal digits of 32 bits: the reader's hex is not */
	assert_false(cardid_valid("em4100:0400E2E1F5"));
	assert_false(cardid_valid("em4100:0400e2e1f5"));
	assert_false(cardid_valid("em4100:00E2E1F5"));
	assert_false(cardid_valid("em4100:14868981"));    /* 8 digits */
	assert_false(cardid_valid("em4100:00014868981")); /* 11 digits */
	assert_false(cardid_valid("em4100:4294967296"));  /* 2^32 */
	assert_false(cardid_valid("EM4100:0014868981"));
	assert_false(cardid_valid("em4100:0014868981 "));
	assert_false(cardid_valid("em4100:04:00"));
	assert_false(cardid_valid("em_4100:04"));

	char out[CARDID_MAX];
	assert_int_equal(cardid_format("mifare", "04a1b2c3", out, sizeof out), WF_OK);
	assert_string_equal(out, "mifare:04A1B2C3");
	assert_true(cardid_valid(out));
	assert_int_equal(cardid_format("mifare", "04A1B2C3", out, 16), WF_OK); /* exact fit */
	assert_int_equal(cardid_format("mifare", "04A1B2C3", out, 15), WF_ENOMEM);
	assert_string_equal(out, "");
	assert_int_equal(cardid_format("em4100", "0014868981", out, sizeof out), WF_OK);
	assert_string_equal(out, "em4100:0014868981");
	assert_int_equal(cardid_format("em4100", "0400e2e1f5", out, sizeof out), WF_EINVAL);
	assert_string_equal(out, "");
	assert_int_equal(cardid_format("EM4100", "04", out, sizeof out), WF_EINVAL);
	assert_int_equal(cardid_format("mifare", "04g0", out, sizeof out), WF_EINVAL);
	assert_string_equal(out, "");
	assert_int_equal(cardid_format("em4100", "", out, sizeof out), WF_EINVAL);
	assert_int_equal(cardid_format(NULL, "04", out, sizeof out), WF_EINVAL);

	/* the printed number of an EM4100 card from what a reader gives */
	assert_int_equal(cardid_em4100(0x0400E2E1F5ULL, out, sizeof out), WF_OK);
	assert_string_equal(out, "em4100:0014868981");
	assert_int_equal(cardid_em4100(0x00E2E1F5ULL, out, sizeof out), WF_OK); /* 32 bits */
	assert_string_equal(out, "em4100:0014868981");
	assert_int_equal(cardid_em4100(0xFFFFFFFFFFULL, out, sizeof out), WF_OK);
	assert_string_equal(out, "em4100:4294967295");
	assert_int_equal(cardid_em4100(0, out, sizeof out), WF_OK);
	assert_string_equal(out, "em4100:0000000000");
	assert_int_equal(cardid_em4100(0x10000000000ULL, out, sizeof out), WF_EINVAL); /* 41 bits */
	assert_string_equal(out, "");
	assert_int_equal(cardid_em4100(1, out, 18), WF_OK); /* exact fit */
	assert_int_equal(cardid_em4100(1, out, 17), WF_ENOMEM);
	assert_string_equal(out, "");
}

static void test_cardid_hash(void **state)
{
	(void)state;
	uint8_t key[CARDID_KEY_BYTES];
	for (int i = 0; i < 32; i++)
		key[i] = (uint8_t)i;
	char hex[WF_HASH_HEX];
	/* python3: hashlib.blake2b(b"em4100:0014868981", key=bytes(range(32)),
	 * digest_size=32).hexdigest() */
	assert_int_equal(cardid_hash_hex(key, "em4100:0014868981", hex), WF_OK);
	assert_string_equal(hex,
	                    "756ef00edbdb6bfb9dbedd71da24c1c2a58b9eef35854d5861e2a887deaf3e07");
	uint8_t h[WF_HASH_BYTES], h2[WF_HASH_BYTES];
	assert_int_equal(cardid_hash(key, "em4100:0014868981", h), WF_OK);
	uint8_t back[WF_HASH_BYTES];
	assert_int_equal(hex_decode(hex, strlen(hex), back, sizeof back), WF_OK);
	assert_memory_equal(h, back, sizeof h);
	/* another key, another hash; another card, another hash */
	key[0] ^= 1;
	assert_int_equal(cardid_hash(key, "em4100:0014868981", h2), WF_OK);
	assert_memory_not_equal(h, h2, sizeof h);
	key[0] ^= 1;
	assert_int_equal(cardid_hash(key, "em4100:0014868982", h2), WF_OK);
	assert_memory_not_equal(h, h2, sizeof h);
	/* only canonical ids are hashed: the old hex form of the card is not */
	assert_int_equal(cardid_hash(key, "em4100:0400E2E1F5", h2), WF_EINVAL);
	uint8_t zero[WF_HASH_BYTES] = {0};
	assert_memory_equal(h2, zero, sizeof zero);
	assert_int_equal(cardid_hash_hex(key, "nope", hex), WF_EINVAL);
	assert_string_equal(hex, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_cardid_valid_and_format),
	    cmocka_unit_test(test_cardid_hash),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
