/*
 * test_em4100.c — em4100 frames to one event per tap (hold vs re-tap), with
 * garbage and random fragments (devices/proto/em4100.c). The canonical card
 * ids themselves are tests/common/test_cardid.c's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "cardid.h"
#include "em4100.h"
#include "proto_test.h"
#include "wf.h"
#include "wf_test.h"

#define FRAME_A                                                                                    \
	"\x02"                                                                                     \
	"0400E2E1F5"                                                                               \
	"F2"                                                                                       \
	"\x03"
#define FRAME_B                                                                                    \
	"\x02"                                                                                     \
	"1A2B3C4D5E"                                                                               \
	"1E"                                                                                       \
	"\x03"

static size_t take_all(struct em4100_parser *p, struct card_event *out, size_t cap)
{
	size_t n = 0;
	struct card_event ev;
	while (em4100_next(p, &ev)) {
		assert_true(n < cap);
		out[n++] = ev;
	}
	return n;
}

static void test_em4100_vector(void **state)
{
	(void)state;
	struct em4100_parser p;
	em4100_init(&p, 0);
	/* byte by byte */
	const char *f = FRAME_A;
	for (size_t i = 0; i < 14; i++)
		assert_int_equal(em4100_feed(&p, (const uint8_t *)f + i, 1, 1000), i == 13 ? 1 : 0);
	struct card_event ev;
	assert_true(em4100_next(&p, &ev));
	assert_string_equal(ev.number, "0400E2E1F5");
	assert_string_equal(ev.id, "em4100:0014868981");
	assert_int_equal(ev.at_ms, 1000);
	assert_true(cardid_valid(ev.id));
	assert_false(em4100_next(&p, &ev));

	/* lower-case hex from the reader: the same card (arduino12/rdm6300
	 * reads it with strtol; ESPHome would mis-decode it) */
	em4100_init(&p, 0);
	const char *lc = "\x02"
	                 "1a2b3c4d5e"
	                 "1e"
	                 "\x03";
	assert_int_equal(em4100_feed(&p, (const uint8_t *)lc, 14, 0), 1);
	assert_true(em4100_next(&p, &ev));
	assert_string_equal(ev.number, "1A2B3C4D5E");
	assert_string_equal(ev.id, "em4100:0725372254"); /* 0x2B3C4D5E */

	/* the encoder writes the frames of the notes */
	uint8_t b[14];
	assert_int_equal(em4100_encode("0400e2e1f5", b, sizeof b), 14);
	assert_memory_equal(b, FRAME_A, 14);
	assert_int_equal(em4100_encode("1A2B3C4D5E", b, sizeof b), 14);
	assert_memory_equal(b, FRAME_B, 14);
	assert_int_equal(em4100_encode("1A2B3C4D5", b, sizeof b), 0);
	assert_int_equal(em4100_encode("1A2B3C4D5EF", b, sizeof b), 0);
	assert_int_equal(em4100_encode("1A2B3C4D5G", b, sizeof b), 0);
	assert_int_equal(em4100_encode("1A2B3C4D5E", b, 13), 0);
}

/*
 * Frames from third-party sources (docs/PROTOCOLS.md "em4100"): each gives the
 * number printed on the card, the low 32 bits as 10 decimal digits, as
 * arduino12/rdm6300, ESPHome's rdm6300 and python-rdm6300 read it.
 */
static void test_em4100_public_vectors(void **state)
{
	(void)state;
	static const struct {
		const char *frame, *number, *id;
	} good[] = {
	    /* python-rdm6300 test_reader.py: value 3887558 (DESIGN's example card) */
	    {"\x02"
	     "67003B51C6CB"
	     "\x03",
	     "67003B51C6", "em4100:0003887558"},
	    {"\x02"
	     "67003BA86C98"
	     "\x03",
	     "67003BA86C", "em4100:0003909740"},
	    {"\x02"
	     "67003BA86793"
	     "\x03",
	     "67003BA867", "em4100:0003909735"},
	    /* RPi-Jukebox-RFID's RDM6300 reader: raw 070067315809 is card 0006762840 */
	    {"\x02"
	     "070067315809"
	     "\x03",
	     "0700673158", "em4100:0006762840"},
	    /* Flipper Zero PR 3757: 00 01 00 00 01 is DEZ10 0016777217 (not DEZ8 00000001) */
	    {"\x02"
	     "000100000100"
	     "\x03",
	     "0001000001", "em4100:0016777217"},
	    /* Momentum-Firmware issue 224: 01 09 5A BB 5E is DEZ10 0156941150 */
	    {"\x02"
	     "01095ABB5EB7"
	     "\x03",
	     "01095ABB5E", "em4100:0156941150"},
	};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		struct em4100_parser p;
		em4100_init(&p, 0);
		assert_int_equal(em4100_feed(&p, (const uint8_t *)good[i].frame, 14, 0), 1);
		struct card_event ev;
		assert_true(em4100_next(&p, &ev));
		assert_string_equal(ev.number, good[i].number);
		assert_string_equal(ev.id, good[i].id);
		assert_true(cardid_valid(ev.id));
	}
	static const char *const bad[] = {
	    "\x02"
	    "68003B51C6CB"
	    "\x03", /* python-rdm6300: checksum is C4, not CB */
	    "\x02"
	    "68003B51C6CBDA"
	    "\x03", /* python-rdm6300: too long */
	    "\x02"
	    "01020304FAFA"
	    "\x03", /* Tasmota wiki sample: checksum is FE */
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct em4100_parser p;
		em4100_init(&p, 0);
		assert_int_equal(em4100_feed(&p, (const uint8_t *)bad[i], strlen(bad[i]), 0), 0);
	}
	/* python-rdm6300: a stream that starts mid-frame gives only the whole frame */
	const char *mid = "67003B51C6CB\x02"
	                  "67003B51C6CB"
	                  "\x03";
	struct em4100_parser p;
	em4100_init(&p, 0);
	assert_int_equal(em4100_feed(&p, (const uint8_t *)mid, strlen(mid), 0), 1);
}

static void test_em4100_bad_frames(void **state)
{
	(void)state;
	static const char *bad[] = {
	    "\x02"
	    "0400E2E1F5"
	    "F3"
	    "\x03", /* checksum off by one */
	    "\x02"
	    "0400E2E1F6"
	    "F2"
	    "\x03", /* a data bit flipped */
	    "\x02"
	    "0400E2E1F5"
	    "F2", /* no end */
	    "\x02"
	    "0400E2E1F"
	    "F2"
	    "\x03", /* 11 characters */
	    "\x02"
	    "0400E2E1F5F"
	    "F2"
	    "\x03", /* 13 */
	    "\x02"
	    "0400E2 E1F5"
	    "F2"
	    "\x03", /* a non-hex byte resets */
	    "\x02"
	    "0400E2\x03"
	    "E1F5F2\x03", /* early end */
	    "0400E2E1F5"
	    "F2"
	    "\x03", /* no start */
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct em4100_parser p;
		em4100_init(&p, 0);
		assert_int_equal(em4100_feed(&p, (const uint8_t *)bad[i], strlen(bad[i]), 0), 0);
		struct card_event ev;
		if (em4100_next(&p, &ev))
			fail_msg("bad frame %zu gave %s", i, ev.id);
	}
	/* resynchronise on every 02: a cut frame, then a whole one */
	struct em4100_parser p;
	em4100_init(&p, 0);
	const char *s = "\x02"
	                "0400E2" FRAME_B "zz\x02\x02" FRAME_A;
	assert_int_equal(em4100_feed(&p, (const uint8_t *)s, strlen(s), 0), 2);
	struct card_event ev[4];
	assert_int_equal(take_all(&p, ev, 4), 2);
	assert_string_equal(ev[0].number, "1A2B3C4D5E");
	assert_string_equal(ev[1].number, "0400E2E1F5");
}

/* A card held for 10 s (a frame every 120 ms) is one event; taken away for
 * the release time and tapped again, a second one. */
static void test_em4100_hold_and_retap(void **state)
{
	(void)state;
	struct em4100_parser p;
	em4100_init(&p, 500);
	struct card_event ev[8];
	int64_t t = 5000;
	size_t events = 0;
	for (int i = 0; i < 84; i++, t += 120) {
		em4100_feed(&p, (const uint8_t *)FRAME_A, 14, t);
		events += take_all(&p, ev, 8);
	}
	assert_int_equal(events, 1); /* one hold, one tap */
	/* lifted for 499 ms after the last frame: still the same tap (a read
	 * hiccup while held) */
	t += 499 - 120;
	em4100_feed(&p, (const uint8_t *)FRAME_A, 14, t);
	assert_int_equal(take_all(&p, ev, 8), 0);
	/* lifted for exactly the release time: a new tap */
	t += 500;
	em4100_feed(&p, (const uint8_t *)FRAME_A, 14, t);
	assert_int_equal(take_all(&p, ev, 8), 1);
	assert_int_equal(ev[0].at_ms, t);
	/* another card straight after: a new tap at once; then the first again */
	t += 100;
	em4100_feed(&p, (const uint8_t *)FRAME_B, 14, t);
	t += 100;
	em4100_feed(&p, (const uint8_t *)FRAME_A, 14, t);
	assert_int_equal(take_all(&p, ev, 8), 2);
	assert_string_equal(ev[0].number, "1A2B3C4D5E");
	assert_string_equal(ev[1].number, "0400E2E1F5");
	/* a bad frame in the middle of a hold neither ends nor restarts the tap */
	t += 100;
	em4100_feed(&p,
	            (const uint8_t *)"\x02"
	                             "0400E2E1F5"
	                             "00"
	                             "\x03",
	            14, t);
	t += 100;
	em4100_feed(&p, (const uint8_t *)FRAME_A, 14, t);
	assert_int_equal(take_all(&p, ev, 8), 0);
	/* reset forgets the tap in progress: the same card is a new tap */
	em4100_reset(&p);
	em4100_feed(&p, (const uint8_t *)FRAME_A, 14, t + 10);
	assert_int_equal(take_all(&p, ev, 8), 1);
}

/* Seeded random: taps of random cards with random holds and gaps, garbage
 * between frames and inside some, random fragments. Each tap is one event. */
static void test_em4100_random(void **state)
{
	(void)state;
	struct rng r = {proto_test_seed("em4100 random taps")};
	long loops = wf_test_loops(400);
	static const char *cards[] = {"0400E2E1F5", "1A2B3C4D5E", "0000000000", "FFFFFFFFFF",
	                              "0102030405"};
	for (long it = 0; it < loops; it++) {
		struct em4100_parser p;
		em4100_init(&p, 500);
		int64_t t = (int64_t)rng_below(&r, 1000000);
		size_t want = 0, got = 0;
		/* the model: a good frame is a new tap unless it repeats the last
		 * good frame's card less than 500 ms after it */
		const char *last = NULL;
		int64_t last_ms = 0;
		int taps = 1 + (int)rng_below(&r, 6);
		for (int k = 0; k < taps; k++) {
			const char *c = cards[rng_below(&r, 5)];
			t += rng_below(&r, 2000);
			uint8_t f[14];
			assert_int_equal(em4100_encode(c, f, sizeof f), 14);
			int repeats = 1 + (int)rng_below(&r, 30);
			for (int j = 0; j < repeats; j++) {
				uint8_t buf[64];
				size_t n = 0;
				size_t g = rng_below(&r, 8);
				for (size_t i = 0; i < g; i++) {
					uint8_t b = (uint8_t)rng_next(&r);
					buf[n++] = b == 0x02 ? 'z' : b;
				}
				bool spoil = rng_below(&r, 6) == 0;
				memcpy(buf + n, f, 14);
				if (spoil)
					buf[n + 1 + rng_below(&r, 12)] = 'x'; /* not hex: dropped */
				n += 14;
				if (!spoil) {
					if (!(last == c && t - last_ms < 500))
						want++;
					last = c;
					last_ms = t;
				}
				/* in random fragments, all at time t */
				for (size_t at = 0; at < n;) {
					size_t k2 = 1 + rng_below(&r, 16);
					if (k2 > n - at)
						k2 = n - at;
					em4100_feed(&p, buf + at, k2, t);
					at += k2;
				}
				struct card_event ev[8];
				size_t e = take_all(&p, ev, 8);
				for (size_t i = 0; i < e; i++)
					assert_string_equal(ev[i].number, c);
				got += e;
				t += 50 + rng_below(&r, 400); /* the reader's repeat, or a hiccup */
			}
		}
		if (got != want)
			fail_msg("iteration %ld: %zu events, want %zu", it, got, want);
	}
}

static void test_em4100_random_bytes(void **state)
{
	(void)state;
	struct rng r = {proto_test_seed("em4100 random bytes")};
	long loops = wf_test_loops(2000);
	uint8_t junk[256];
	for (long it = 0; it < loops; it++) {
		struct em4100_parser p;
		em4100_init(&p, 0);
		size_t n = rng_below(&r, sizeof junk);
		for (size_t i = 0; i < n; i++)
			junk[i] = rng_below(&r, 4)
			              ? (uint8_t) "0123456789ABCDEF\x02\x03"[rng_below(&r, 18)]
			              : (uint8_t)rng_next(&r);
		em4100_feed(&p, junk, n, it);
		struct card_event ev;
		while (em4100_next(&p, &ev)) {
			/* whatever came out is a well-formed id with a good check */
			assert_true(cardid_valid(ev.id));
			assert_int_equal(strlen(ev.number), 10);
		}
		em4100_feed(&p, (const uint8_t *)FRAME_B, 14, it + 100000);
		assert_true(em4100_next(&p, &ev));
		assert_string_equal(ev.number, "1A2B3C4D5E");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_em4100_vector),     cmocka_unit_test(test_em4100_public_vectors),
	    cmocka_unit_test(test_em4100_bad_frames), cmocka_unit_test(test_em4100_hold_and_retap),
	    cmocka_unit_test(test_em4100_random),     cmocka_unit_test(test_em4100_random_bytes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
