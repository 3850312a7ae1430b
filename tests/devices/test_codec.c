/*
 * test_codec.c — the device threads' protocol adapter (device_codec.c) on its
 * own: frames fed whole, byte by byte and in random fragments with garbage
 * before, between and after give exactly the expected events; random bytes
 * never crash it (run under ASan+UBSan in CI). Randomised parts take a seed
 * from WUFEI_SEED (default: time), print it and are reproducible with it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "device_codec.h"
#include "wf.h"
#include "wf_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static uint64_t g_rng;

static uint32_t rnd(void)
{
	g_rng ^= g_rng >> 12;
	g_rng ^= g_rng << 25;
	g_rng ^= g_rng >> 27;
	return (uint32_t)((g_rng * 2685821657736338717ull) >> 32);
}

static struct device_codec *codec(enum device_role role, const char *proto, const char *unit)
{
	struct device_config cfg = {.role = role};
	struct device_codec *c = NULL;
	char err[160];
	snprintf(cfg.protocol, sizeof(cfg.protocol), "%s", proto);
	snprintf(cfg.unit, sizeof(cfg.unit), "%s", unit);
	assert_int_equal(device_codec_create(&cfg, &c, err, sizeof(err)), WF_OK);
	return c;
}

/* Feed buf in fragments of 1..max bytes (max 0 = all at once); collect
 * "g=<grams> s=<0|1>" or "card=<number>" lines into out. */
static void run(struct device_codec *c, const uint8_t *buf, size_t len, size_t max, char *out,
                size_t out_len)
{
	size_t at = 0, o = 0;
	int64_t now = 0;
	out[0] = '\0';
	while (at < len) {
		size_t n = max ? 1 + rnd() % max : len;
		if (n > len - at)
			n = len - at;
		now += 1;
		device_codec_feed(c, buf + at, n, now);
		at += n;
		struct device_event e;
		while (device_codec_next(c, &e)) {
			int k = 0;
			if (e.kind == DEVICE_EVENT_READING)
				k = snprintf(out + o, out_len - o, "g=%lld s=%d;",
				             (long long)e.u.reading.grams, e.u.reading.stable);
			else if (e.kind == DEVICE_EVENT_CARD)
				k = snprintf(out + o, out_len - o, "card=%s id=%s;",
				             e.u.card.number, e.u.card.id);
			assert_true(k > 0 && (size_t)k < out_len - o);
			o += (size_t)k;
		}
	}
}

struct vector {
	enum device_role role;
	const char *proto, *unit;
	const char *bytes;
	size_t len;
	const char *want;
};

#define V(role, proto, unit, lit, want)                                                            \
	{                                                                                          \
		role, proto, unit, lit, sizeof(lit) - 1, want                                      \
	}

static const struct vector g_vectors[] = {
    V(DEVICE_ROLE_SCALE, "mt8217", "kg", "\x02   1.250\r\x02?\x01\r\x02  0.500N\r",
      "g=1250 s=1;g=0 s=0;g=500 s=1;"),
    V(DEVICE_ROLE_SCALE, "mt8217", "lb", "\x02   2.205\r", "g=1000 s=1;"),
    V(DEVICE_ROLE_SCALE, "mt-sics", "", "S S      1.250 kg\r\nS D       812 g\r\nES\r\n",
      "g=1250 s=1;g=812 s=0;"),
    V(DEVICE_ROLE_SCALE, "cas-ci200", "", "ST,GS,1\xc4,0001.650 kg\r\nUS,NT,1\x82,-000.020 kg\r\n",
      "g=1650 s=1;g=-20 s=0;"),
    V(DEVICE_ROLE_SCALE, "xk3190-a9", "g", "\x02\x2b\x30\x30\x31\x36\x35\x30\x30\x31\x39\x03",
      "g=1650 s=1;"),
    /* A26 manual, format 1 (lowest digit first): 3.000 then -1.00 */
    V(DEVICE_ROLE_SCALE, "xk3190-eq", "kg", "=000.3000=00.1000-=000.3000",
      "g=3000 s=1;g=-1000 s=1;g=3000 s=1;"),
    V(DEVICE_ROLE_CARD, "em4100", "",
      "\x02"
      "0400E2E1F5F2\x03\x02"
      "0400E2E1F5F2\x03",
      "card=0400E2E1F5 id=em4100:0014868981;"),
};

static void test_vectors_whole_and_fragmented(void **state)
{
	(void)state;
	char got[512];
	for (size_t i = 0; i < sizeof(g_vectors) / sizeof(g_vectors[0]); i++) {
		const struct vector *v = &g_vectors[i];
		for (size_t max = 0; max <= 5; max++) {
			struct device_codec *c = codec(v->role, v->proto, v->unit);
			run(c, (const uint8_t *)v->bytes, v->len, max, got, sizeof(got));
			if (strcmp(got, v->want))
				fail_msg("%s frag %zu: want '%s' got '%s'", v->proto, max, v->want,
				         got);
			device_codec_destroy(c);
		}
	}
}

/* Garbage (no start or end bytes of the protocol) before, between and after
 * the frames changes nothing. */
static void test_vectors_with_garbage(void **state)
{
	(void)state;
	static const uint8_t junk[] = "qwerty\xff\xfe\x7f\x80 1.0 kg";
	uint8_t buf[512];
	char got[512];
	for (size_t i = 0; i < sizeof(g_vectors) / sizeof(g_vectors[0]); i++) {
		const struct vector *v = &g_vectors[i];
		size_t n = 0;
		/* between frames only where a frame boundary is certain: before the
		 * first and after the last byte */
		memcpy(buf + n, junk, sizeof(junk) - 1), n += sizeof(junk) - 1;
		buf[n++] = '\n'; /* line protocols: the junk line ends here */
		memcpy(buf + n, v->bytes, v->len), n += v->len;
		memcpy(buf + n, junk, sizeof(junk) - 1), n += sizeof(junk) - 1;
		struct device_codec *c = codec(v->role, v->proto, v->unit);
		run(c, buf, n, 3, got, sizeof(got));
		if (strcmp(got, v->want))
			fail_msg("%s: want '%s' got '%s'", v->proto, v->want, got);
		device_codec_destroy(c);
	}
}

/* A bad check or a torn frame gives nothing. */
static void test_bad_frames(void **state)
{
	(void)state;
	char got[256];
	struct device_codec *c = codec(DEVICE_ROLE_CARD, "em4100", "");
	run(c,
	    (const uint8_t *)"\x02"
	                     "0400E2E1F5F3\x03\x02"
	                     "0400E2\x03",
	    22, 0, got, sizeof(got));
	assert_string_equal(got, "");
	device_codec_destroy(c);
	c = codec(DEVICE_ROLE_SCALE, "xk3190-a9", "g");
	run(c, (const uint8_t *)"\x02+0016500 18\x03", 12, 0, got, sizeof(got));
	assert_string_equal(got, "");
	device_codec_destroy(c);
	/* absurdly long values are refused, not overflowed (UBSan watches) */
	c = codec(DEVICE_ROLE_SCALE, "mt-sics", "");
	static const char big[] = "S S 999999999999.5 lb\r\nS S 1234567890123 g\r\n";
	run(c, (const uint8_t *)big, sizeof(big) - 1, 0, got, sizeof(got));
	assert_string_equal(got, "");
	device_codec_destroy(c);
}

/* Status replies carry flags but no weight, and say so. */
static void test_status_only(void **state)
{
	(void)state;
	struct device_event e;
	struct device_codec *c = codec(DEVICE_ROLE_SCALE, "mt8217", "kg");
	device_codec_feed(c, (const uint8_t *)"\x02?\x02\r\x02   0.100\r", 14, 0);
	assert_true(device_codec_next(c, &e));
	assert_true(e.u.reading.status_only && e.u.reading.overload && !e.u.reading.stable);
	assert_true(device_codec_next(c, &e));
	assert_false(e.u.reading.status_only);
	assert_int_equal(e.u.reading.grams, 100);
	assert_false(device_codec_next(c, &e));
	/* a status byte equal to CR: motion + under zero + outside zero range */
	device_codec_feed(c, (const uint8_t *)"\x02?\x0d\r", 4, 0);
	assert_true(device_codec_next(c, &e));
	assert_true(e.u.reading.status_only && e.u.reading.underload && !e.u.reading.stable);
	device_codec_destroy(c);
	c = codec(DEVICE_ROLE_SCALE, "mt-sics", "");
	device_codec_feed(c, (const uint8_t *)"S I\r\nS +\r\n", 10, 0);
	assert_true(device_codec_next(c, &e));
	assert_true(e.u.reading.status_only && !e.u.reading.overload);
	assert_true(device_codec_next(c, &e));
	assert_true(e.u.reading.status_only && e.u.reading.overload);
	device_codec_destroy(c);
}

/* Issue 9: a stable 14.900 kg, then "?B" (over capacity, bit 6 set as on
 * every real 8217): the status reaches the kiosk and says no weight now. */
static void test_8217_status_after_weight(void **state)
{
	(void)state;
	struct device_event e;
	struct device_codec *c = codec(DEVICE_ROLE_SCALE, "mt8217", "kg");
	device_codec_feed(c, (const uint8_t *)"\x02  14.900\r\x02?B\r\x02?A\r\x02?D\r", 22, 0);
	assert_true(device_codec_next(c, &e));
	assert_int_equal(e.kind, DEVICE_EVENT_READING);
	assert_true(e.u.reading.stable && !e.u.reading.status_only);
	assert_int_equal(e.u.reading.grams, 14900);
	assert_true(device_codec_next(c, &e)); /* ?B: over capacity */
	assert_int_equal(e.kind, DEVICE_EVENT_READING);
	assert_true(e.u.reading.status_only && e.u.reading.overload && !e.u.reading.stable);
	assert_true(device_codec_next(c, &e)); /* ?A: in motion */
	assert_true(e.u.reading.status_only && e.u.reading.motion && !e.u.reading.overload);
	assert_true(device_codec_next(c, &e)); /* ?D: under zero */
	assert_true(e.u.reading.status_only && e.u.reading.underload && !e.u.reading.motion);
	assert_false(device_codec_next(c, &e));
	device_codec_destroy(c);
}

/* The 8217 answers Z, T and C with its status: the answer says whether the
 * command was carried out, and the status is a reading too. */
static void test_8217_command_answers(void **state)
{
	(void)state;
	static const struct {
		enum device_scale_cmd cmd;
		const char *reply;
		bool accepted;
		const char *code;
	} cases[] = {
	    {DEVICE_SCALE_ZERO, "\x02?P\r", true, "?P"},  /* centre of zero */
	    {DEVICE_SCALE_ZERO, "\x02?H\r", false, "?H"}, /* outside the zero-capture range */
	    {DEVICE_SCALE_ZERO, "\x02?Q\r", false, "?Q"}, /* in motion */
	    {DEVICE_SCALE_TARE, "\x02?`\r", true, "?`"},  /* net */
	    {DEVICE_SCALE_TARE, "\x02?@\r", false, "?@"}, /* still gross: not tared */
	    {DEVICE_SCALE_CLEAR_TARE, "\x02?@\r", true, "?@"},
	    {DEVICE_SCALE_CLEAR_TARE, "\x02?\xe0\r", false, "?`"}, /* still net (parity bit) */
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct device_event e;
		struct device_codec *c = codec(DEVICE_ROLE_SCALE, "mt8217", "kg");
		device_codec_cmd_sent(c, cases[i].cmd, 1000);
		device_codec_feed(c, (const uint8_t *)cases[i].reply, 4, 1150);
		assert_true(device_codec_next(c, &e));
		assert_int_equal(e.kind, DEVICE_EVENT_SCALE_ANSWER);
		assert_int_equal(e.u.answer.cmd, cases[i].cmd);
		if (e.u.answer.accepted != cases[i].accepted)
			fail_msg("case %zu: accepted %d", i, e.u.answer.accepted);
		assert_string_equal(e.u.answer.code, cases[i].code);
		assert_true(device_codec_next(c, &e));
		assert_int_equal(e.kind, DEVICE_EVENT_READING);
		assert_true(e.u.reading.status_only);
		assert_false(device_codec_next(c, &e));
		/* the next status answers nothing: only a reading */
		device_codec_feed(c, (const uint8_t *)cases[i].reply, 4, 1300);
		assert_true(device_codec_next(c, &e));
		assert_int_equal(e.kind, DEVICE_EVENT_READING);
		assert_false(device_codec_next(c, &e));
		device_codec_destroy(c);
	}
	/* an answer that never came: a status seconds later answers nothing */
	struct device_event e;
	struct device_codec *c = codec(DEVICE_ROLE_SCALE, "mt8217", "kg");
	device_codec_cmd_sent(c, DEVICE_SCALE_ZERO, 1000);
	device_codec_feed(c, (const uint8_t *)"\x02?A\r", 4, 1000 + DEVICE_ANSWER_MS + 1);
	assert_true(device_codec_next(c, &e));
	assert_int_equal(e.kind, DEVICE_EVENT_READING);
	assert_false(device_codec_next(c, &e));
	device_codec_destroy(c);
}

/* Indicator settings the kiosk cannot read are named once, not silently
 * ignored: CAS 18- and 10-byte formats, an MT-SICS unit we do not convert. */
static void test_notices_once(void **state)
{
	(void)state;
	static const struct {
		const char *proto, *bytes, *words;
	} cases[] = {
	    {"cas-ci200", "ST,GS,+  4.876kg\r\n", "18-byte"},
	    {"cas-ci200", "000013.5\r\n", "10-byte"},
	    {"mt-sics", "S S      1.250 ozt\r\n", "'ozt'"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct device_event e;
		struct device_codec *c = codec(DEVICE_ROLE_SCALE, cases[i].proto, "");
		size_t n = strlen(cases[i].bytes);
		for (int k = 0; k < 5; k++)
			device_codec_feed(c, (const uint8_t *)cases[i].bytes, n, k * 100);
		assert_true(device_codec_next(c, &e));
		assert_int_equal(e.kind, DEVICE_EVENT_NOTICE);
		if (!strstr(e.reason, cases[i].words))
			fail_msg("%s: notice '%s'", cases[i].proto, e.reason);
		assert_false(device_codec_next(c, &e)); /* once, and no weight */
		/* after a replug the parser starts afresh but says it no more */
		device_codec_reset(c);
		device_codec_feed(c, (const uint8_t *)cases[i].bytes, n, 1000);
		assert_false(device_codec_next(c, &e));
		device_codec_destroy(c);
	}
}

/* xk3190-eq in its two digit orders, and digit_order refused elsewhere. */
static void test_xk3190eq_digit_order(void **state)
{
	(void)state;
	struct device_config cfg = {.role = DEVICE_ROLE_SCALE,
	                            .protocol = "xk3190-eq",
	                            .unit = "kg",
	                            .digits_normal = true};
	struct device_codec *c = NULL;
	char err[160], got[256];
	assert_int_equal(device_codec_create(&cfg, &c, err, sizeof err), WF_OK);
	/* A26 manual, format 2 (reading order) */
	static const char normal[] = "=0003.000=-0001.00";
	run(c, (const uint8_t *)normal, sizeof normal - 1, 0, got, sizeof got);
	device_codec_destroy(c);
	c = NULL;
	/* the last frame is read when it is whole (8 characters) */
	assert_string_equal(got, "g=3000 s=1;g=-1000 s=1;");
	snprintf(cfg.protocol, sizeof cfg.protocol, "xk3190-a9");
	assert_int_equal(device_codec_create(&cfg, &c, err, sizeof err), WF_EINVAL);
	assert_null(c);
	assert_non_null(strstr(err, "digit_order"));
}

static void test_random_bytes_never_crash(void **state)
{
	(void)state;
	static const struct {
		enum device_role role;
		const char *proto;
	} all[] = {
	    {DEVICE_ROLE_SCALE, "mt8217"},    {DEVICE_ROLE_SCALE, "mt-sics"},
	    {DEVICE_ROLE_SCALE, "cas-ci200"}, {DEVICE_ROLE_SCALE, "xk3190-a9"},
	    {DEVICE_ROLE_SCALE, "xk3190-eq"}, {DEVICE_ROLE_CARD, "em4100"},
	    {DEVICE_ROLE_PRINTER, "escpos"},
	};
	uint8_t buf[4096];
	char got[65536];
	long rounds = wf_test_loops(200);
	for (size_t p = 0; p < sizeof(all) / sizeof(all[0]); p++) {
		struct device_codec *c = codec(all[p].role, all[p].proto, "kg");
		for (long r = 0; r < rounds; r++) {
			/* bias towards the protocol's own framing bytes */
			static const uint8_t frame_bytes[] = {0x02, 0x03, '\r', '\n', ' ',
			                                      '.',  '0',  '9',  'S',  ',',
			                                      'A',  0x10, '=',  '-'};
			for (size_t i = 0; i < sizeof(buf); i++)
				buf[i] = rnd() % 3 ? frame_bytes[rnd() % sizeof(frame_bytes)]
				                   : (uint8_t)rnd();
			run(c, buf, sizeof(buf), 64, got, sizeof(got));
		}
		device_codec_destroy(c);
	}
}

int main(void)
{
	const char *s = getenv("WUFEI_SEED");
	uint64_t seed = s && *s ? strtoull(s, NULL, 10) : (uint64_t)time(NULL);
	printf("# WUFEI_SEED=%llu\n", (unsigned long long)seed);
	g_rng = seed * 0x9e3779b97f4a7c15ull + 1;
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_vectors_whole_and_fragmented),
	    cmocka_unit_test(test_vectors_with_garbage),
	    cmocka_unit_test(test_bad_frames),
	    cmocka_unit_test(test_status_only),
	    cmocka_unit_test(test_8217_status_after_weight),
	    cmocka_unit_test(test_8217_command_answers),
	    cmocka_unit_test(test_notices_once),
	    cmocka_unit_test(test_xk3190eq_digit_order),
	    cmocka_unit_test(test_random_bytes_never_crash),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
