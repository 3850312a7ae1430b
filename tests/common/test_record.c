/* test_record.c — canonical record codec and hash chain. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "chain.h"
#include "hex.h"
#include "record.h"
#include "wf.h"
#include "wf_test.h"

static struct wf_record sample_drop(void)
{
	struct wf_record r = {
	    .kind = WF_RECORD_DROP, .kiosk = 12, .seq = 41, .time_ms = 1795867200123};
	r.drop.category_id = 3;
	r.drop.unit = 1;
	r.drop.flags = WF_DROP_CAPPED;
	r.drop.qty = 2500;
	r.drop.credited_qty = 1500;
	r.drop.points = 3;
	r.drop.rate_version = 7;
	r.drop.resident_id = 1001;
	for (int i = 0; i < 32; i++)
		r.drop.card_hash[i] = (uint8_t)(0xa0 + i);
	r.drop.local_day = 20261128;
	return r;
}

static struct wf_record samples[6];

static void make_samples(void)
{
	samples[0] = sample_drop();
	struct wf_record b = {.kind = WF_RECORD_BIN, .kiosk = 1, .seq = 2, .time_ms = -5};
	b.bin.category_id = 9;
	b.bin.grams = 123456;
	b.bin.staff_id = 7;
	samples[1] = b;
	struct wf_record s = {.kind = WF_RECORD_STAFF, .kiosk = UINT32_MAX, .seq = INT64_MAX};
	s.staff.staff_id = 7;
	s.staff.action = WF_STAFF_TEST_WEIGHT;
	s.staff.value = -20;
	snprintf(s.staff.text, sizeof s.staff.text, "test weight 纸 ok");
	samples[2] = s;
	struct wf_record d = {.kind = WF_RECORD_DAY_CLOSE, .kiosk = 3, .seq = 100, .time_ms = 0};
	d.day_close.local_day = 20240229;
	d.day_close.drops = 17;
	d.day_close.grams = 99999;
	d.day_close.pieces = 4;
	d.day_close.points = 250;
	samples[3] = d;
	struct wf_record c = {.kind = WF_RECORD_CHECKPOINT, .kiosk = 3, .seq = 101};
	c.checkpoint.upto_seq = 100;
	memset(c.checkpoint.hash, 0x5a, 32);
	samples[4] = c;
	struct wf_record e = {.kind = WF_RECORD_EPOCH, .kiosk = 3, .seq = 1235};
	e.epoch.epoch = 3;
	e.epoch.reason = WF_EPOCH_RESTORED;
	e.epoch.after_seq = 1234;
	memset(e.epoch.hash, 0x11, 32);
	samples[5] = e;
}

static void test_round_trip(void **state)
{
	(void)state;
	make_samples();
	for (size_t i = 0; i < 6; i++) {
		uint8_t buf[WF_RECORD_MAX_LEN], again[WF_RECORD_MAX_LEN];
		int n = wf_record_encode(&samples[i], buf, sizeof buf);
		assert_true(n >= WF_RECORD_HEADER_LEN);
		struct wf_record out;
		char why[96] = "";
		assert_int_equal(wf_record_decode(buf, (size_t)n, &out, why, sizeof why), WF_OK);
		assert_int_equal(out.kind, samples[i].kind);
		assert_int_equal(out.kiosk, samples[i].kiosk);
		assert_true(out.seq == samples[i].seq);
		assert_true(out.time_ms == samples[i].time_ms);
		int m = wf_record_encode(&out, again, sizeof again);
		assert_int_equal(m, n);
		assert_memory_equal(buf, again, (size_t)n);
		/* A buffer one byte short is refused, never overrun. */
		assert_int_equal(wf_record_encode(&samples[i], buf, (size_t)n - 1), WF_ENOMEM);
	}
	struct wf_record out;
	uint8_t buf[WF_RECORD_MAX_LEN];
	int n = wf_record_encode(&samples[2], buf, sizeof buf);
	assert_int_equal(wf_record_decode(buf, (size_t)n, &out, NULL, 0), WF_OK);
	assert_string_equal(out.staff.text, "test weight 纸 ok");
}

/* The exact bytes of one drop: the layout is a contract with central. */
static void test_drop_layout(void **state)
{
	(void)state;
	struct wf_record r = sample_drop();
	uint8_t buf[WF_RECORD_MAX_LEN];
	int n = wf_record_encode(&r, buf, sizeof buf);
	assert_int_equal(n, 98);
	static const uint8_t head[] = {
	    1,    1,                                        /* format, kind */
	    12,   0,    0,    0,                            /* kiosk */
	    41,   0,    0,    0,    0,    0,    0,    0,    /* seq */
	    0x7b, 0xca, 0x06, 0x22, 0xa2, 0x01, 0x00, 0x00, /* time_ms 1795867200123 */
	    3,    0,    1,    2,                            /* category, unit, flags */
	    0xc4, 0x09, 0,    0,    0,    0,    0,    0,    /* qty 2500 */
	    0xdc, 0x05, 0,    0,    0,    0,    0,    0,    /* credited 1500 */
	    3,    0,    0,    0,    0,    0,    0,    0,    /* points */
	    7,    0,    0,    0,                            /* rate version */
	    0xe9, 0x03, 0,    0,    0,    0,    0,    0,    /* resident 1001 */
	};
	assert_memory_equal(buf, head, sizeof head);
	assert_int_equal(buf[sizeof head], 0xa0);
	assert_int_equal(buf[sizeof head + 31], 0xa0 + 31);
	/* local day, little-endian */
	uint32_t day = (uint32_t)buf[94] | (uint32_t)buf[95] << 8 | (uint32_t)buf[96] << 16 |
	               (uint32_t)buf[97] << 24;
	assert_int_equal(day, 20261128);
}

static void expect_bad(const uint8_t *buf, size_t n, const char *why_part)
{
	struct wf_record out;
	memset(&out, 0x77, sizeof out);
	char why[96] = "";
	assert_int_equal(wf_record_decode(buf, n, &out, why, sizeof why), WF_EINVAL);
	if (why_part && !strstr(why, why_part))
		fail_msg("reason '%s' does not mention '%s'", why, why_part);
	/* *out zeroed on failure */
	static const struct wf_record zero;
	assert_memory_equal(&out, &zero, sizeof out);
}

static void test_malformed(void **state)
{
	(void)state;
	make_samples();
	uint8_t buf[WF_RECORD_MAX_LEN];
	int n = wf_record_encode(&samples[0], buf, sizeof buf);
	/* every truncation is rejected (run under ASan: never reads past len) */
	for (int k = 0; k < n; k++) {
		uint8_t *copy = malloc((size_t)k + 1);
		memcpy(copy, buf, (size_t)k);
		expect_bad(k ? copy : NULL, (size_t)k, NULL);
		free(copy);
	}
	expect_bad(NULL, 0, "header");
	/* trailing byte */
	uint8_t big[WF_RECORD_MAX_LEN + 1];
	memcpy(big, buf, (size_t)n);
	big[n] = 0;
	expect_bad(big, (size_t)n + 1, "trailing");
	uint8_t b[WF_RECORD_MAX_LEN];
#define MUT(off, val, part)                                                                        \
	do {                                                                                       \
		memcpy(b, buf, (size_t)n);                                                         \
		b[off] = (uint8_t)(val);                                                           \
		expect_bad(b, (size_t)n, part);                                                    \
	} while (0)
	MUT(0, 2, "version");
	MUT(1, 0, "kind");
	MUT(1, 7, "kind");
	MUT(2, 0, NULL); /* kiosk 12 -> 0 */
	memcpy(b, buf, (size_t)n);
	memset(b + 2, 0, 4);
	expect_bad(b, (size_t)n, "kiosk");
	memcpy(b, buf, (size_t)n);
	memset(b + 6, 0, 8);
	expect_bad(b, (size_t)n, "seq");
	MUT(13, 0x80, "seq"); /* seq > INT64_MAX */
	MUT(22, 0, NULL);     /* category 3 -> 0 */
	MUT(24, 3, "unit");
	MUT(25, 0x06, "flag");
	MUT(25, 0x00, "capped");    /* credited < qty but not capped */
	MUT(25, 0x03, "anonymous"); /* anonymous with a resident */
	MUT(33, 0x80, "quantity");  /* negative qty */
	MUT(41, 0x80, "credited");  /* negative credited */
	MUT(49, 0x80, "points");    /* negative points */
	MUT(94, 0xff, "day");       /* bad day */
	memcpy(b, buf, (size_t)n);
	b[26] = 0xff; /* qty 2500 -> huge */
	b[30] = 0xff;
	expect_bad(b, (size_t)n, NULL);
#undef MUT
}

static void test_malformed_kinds(void **state)
{
	(void)state;
	make_samples();
	uint8_t buf[WF_RECORD_MAX_LEN], b[WF_RECORD_MAX_LEN];
	/* staff text: over-long length, NUL inside, invalid UTF-8, control char */
	int m = wf_record_encode(&samples[2], buf, sizeof buf);
	size_t lenoff = WF_RECORD_HEADER_LEN + 18;
	memcpy(b, buf, (size_t)m);
	b[lenoff] = 200;
	expect_bad(b, (size_t)m, "text");
	memcpy(b, buf, (size_t)m);
	b[lenoff + 2 + 1] = 0;
	expect_bad(b, (size_t)m, "NUL");
	memcpy(b, buf, (size_t)m);
	b[lenoff + 2 + 1] = 0xff;
	expect_bad(b, (size_t)m, "UTF-8");
	memcpy(b, buf, (size_t)m);
	b[lenoff + 2 + 1] = '\n';
	expect_bad(b, (size_t)m, "UTF-8");
	memcpy(b, buf, (size_t)m);
	b[WF_RECORD_HEADER_LEN + 8] = 99; /* action code */
	expect_bad(b, (size_t)m, "action");
	/* checkpoint upto >= seq, epoch after >= seq, epoch bad reason */
	m = wf_record_encode(&samples[4], buf, sizeof buf);
	memcpy(b, buf, (size_t)m);
	b[WF_RECORD_HEADER_LEN] = 101;
	expect_bad(b, (size_t)m, "upto");
	m = wf_record_encode(&samples[5], buf, sizeof buf);
	memcpy(b, buf, (size_t)m);
	b[WF_RECORD_HEADER_LEN + 4] = 9;
	expect_bad(b, (size_t)m, "reason");
	/* encode refuses what decode would refuse */
	struct wf_record bad = sample_drop();
	bad.drop.points = -1;
	assert_int_equal(wf_record_encode(&bad, buf, sizeof buf), WF_EINVAL);
	bad = sample_drop();
	bad.drop.local_day = 20230229; /* not a leap year */
	assert_int_equal(wf_record_encode(&bad, buf, sizeof buf), WF_EINVAL);
}

/* Random bytes and random mutations of valid records: never crash, and any
 * accepted input re-encodes to exactly itself. */
static void test_fuzz(void **state)
{
	(void)state;
	make_samples();
	unsigned seed =
	    (unsigned)strtoul(getenv("WUFEI_SEED") ? getenv("WUFEI_SEED") : "4242", NULL, 10);
	printf("# seed %u (WUFEI_SEED=)\n", seed);
	srand(seed);
	long loops = wf_test_loops(200000);
	long accepted = 0;
	for (long i = 0; i < loops; i++) {
		uint8_t buf[WF_RECORD_MAX_LEN];
		int n = wf_record_encode(&samples[i % 6], buf, sizeof buf);
		int flips = 1 + rand() % 3;
		for (int f = 0; f < flips; f++)
			buf[rand() % n] ^= (uint8_t)(1u << (rand() % 8));
		size_t len = (size_t)n;
		if (rand() % 8 == 0)
			len = (size_t)(rand() % (n + 1));
		uint8_t *copy = malloc(len ? len : 1);
		memcpy(copy, buf, len);
		struct wf_record out;
		if (wf_record_decode(copy, len, &out, NULL, 0) == WF_OK) {
			uint8_t again[WF_RECORD_MAX_LEN];
			int m = wf_record_encode(&out, again, sizeof again);
			assert_int_equal(m, (int)len);
			assert_memory_equal(again, copy, len);
			accepted++;
		}
		free(copy);
	}
	assert_true(accepted > 0); /* some flips land in free fields (time, hash) */
}

static void test_chain(void **state)
{
	(void)state;
	uint8_t g[32], zero[32] = {0};
	wf_chain_genesis(g);
	assert_memory_equal(g, zero, 32);
	/* Independent computation with libsodium's one-shot API. */
	uint8_t msg[32 + 5];
	memcpy(msg, g, 32);
	memcpy(msg + 32, "hello", 5);
	uint8_t want[32], got[32];
	crypto_generichash(want, 32, msg, sizeof msg, NULL, 0);
	wf_chain_next(g, (const uint8_t *)"hello", 5, got);
	assert_memory_equal(got, want, 32);
	/* aliasing prev and out */
	uint8_t h[32];
	memcpy(h, g, 32);
	wf_chain_next(h, (const uint8_t *)"hello", 5, h);
	assert_memory_equal(h, want, 32);
	/* any change of a byte changes the hash */
	wf_chain_next(g, (const uint8_t *)"hellp", 5, got);
	assert_memory_not_equal(got, want, 32);
	char hex[WF_HASH_HEX];
	hex_encode(want, WF_HASH_BYTES, hex, WF_HASH_HEX);
	assert_int_equal(strlen(hex), 64);
	uint8_t back[32];
	assert_int_equal(hex_decode(hex, 64, back, WF_HASH_BYTES), WF_OK);
	assert_memory_equal(back, want, 32);
	/* empty-message hash of the genesis, a fixed vector */
	wf_chain_next(g, NULL, 0, got);
	hex_encode(got, WF_HASH_BYTES, hex, WF_HASH_HEX);
	assert_string_equal(hex,
	                    "89eb0d6a8a691dae2cd15ed0369931ce0a949ecafa5c3f93f8121833646e15c3");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_round_trip), cmocka_unit_test(test_drop_layout),
	    cmocka_unit_test(test_malformed),  cmocka_unit_test(test_malformed_kinds),
	    cmocka_unit_test(test_fuzz),       cmocka_unit_test(test_chain),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
