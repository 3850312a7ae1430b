/*
 * test_scale_parser.c — the front of the scale parsers (devices/proto/
 * scale_parser.c) and each protocol's particulars: names and command
 * encoders, frames that must give nothing, the 8217's parity bit and command
 * answers, MT-SICS long lines and streaming, the xk3190 '=' digit orders
 * and 7-character frames, and the recorded captures of tests/devices.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto_test.h"
#include "scale_parser.h"
#include "scale_test.h"
#include "wf.h"
#include "wf_test.h"

static void test_front_and_encoders(void **state)
{
	(void)state;
	struct scale_parser p;
	assert_int_equal(scale_parser_init(&p, "mt-sics", SCALE_UNIT_KG), WF_OK);
	assert_true(scale_parser_polled(&p));
	uint8_t b[8];
	assert_int_equal(scale_parser_encode(&p, SCALE_CMD_WEIGHT, b, sizeof b), 4);
	assert_memory_equal(b, "SI\r\n", 4);
	assert_int_equal(scale_parser_encode(&p, SCALE_CMD_STABLE, b, sizeof b), 3);
	assert_memory_equal(b, "S\r\n", 3);
	assert_int_equal(scale_parser_encode(&p, SCALE_CMD_STREAM, b, sizeof b), 5);
	assert_memory_equal(b, "SIR\r\n", 5);
	assert_int_equal(scale_parser_encode(&p, SCALE_CMD_ZERO, b, sizeof b), 3);
	assert_memory_equal(b, "Z\r\n", 3);
	assert_int_equal(scale_parser_encode(&p, SCALE_CMD_TARE, b, sizeof b), 3);
	assert_memory_equal(b, "T\r\n", 3);
	assert_int_equal(scale_parser_encode(&p, SCALE_CMD_CLEAR_TARE, b, sizeof b), 5);
	assert_memory_equal(b, "TAC\r\n", 5);
	assert_int_equal(scale_parser_encode(&p, SCALE_CMD_RESET, b, sizeof b), 3);
	assert_memory_equal(b, "@\r\n", 3);
	assert_int_equal(scale_parser_encode(&p, SCALE_CMD_CLEAR_TARE, b, 4), 0); /* no room */

	/* the answer to @ (reset) carries free text: not in the garbage tables */
	struct scale_reading rd;
	const char *i4 = "I4 A \"0123456789\"\r\n";
	assert_int_equal(scale_parser_feed(&p, (const uint8_t *)i4, strlen(i4)), 1);
	assert_true(scale_parser_next(&p, &rd));
	assert_int_equal(rd.kind, SCALE_ACK);
	assert_string_equal(rd.code, "I4A");

	assert_int_equal(scale_parser_init(&p, "mt8217", SCALE_UNIT_KG), WF_OK);
	assert_true(scale_parser_polled(&p));
	static const struct {
		enum scale_cmd c;
		char want;
	} m[] = {{SCALE_CMD_WEIGHT, 'W'},
	         {SCALE_CMD_STABLE, 'W'},
	         {SCALE_CMD_ZERO, 'Z'},
	         {SCALE_CMD_TARE, 'T'},
	         {SCALE_CMD_CLEAR_TARE, 'C'}};
	for (size_t i = 0; i < sizeof m / sizeof m[0]; i++) {
		assert_int_equal(scale_parser_encode(&p, m[i].c, b, sizeof b), 1);
		assert_int_equal(b[0], m[i].want);
	}
	assert_int_equal(scale_parser_encode(&p, SCALE_CMD_STREAM, b, sizeof b), 0);
	assert_int_equal(scale_parser_encode(&p, SCALE_CMD_RESET, b, sizeof b), 0);

	const char *streams[] = {"cas-ci200", "xk3190-a9", "xk3190-eq"};
	for (int i = 0; i < 3; i++) {
		assert_int_equal(scale_parser_init(&p, streams[i], SCALE_UNIT_KG), WF_OK);
		assert_false(scale_parser_polled(&p));
		assert_int_equal(scale_parser_encode(&p, SCALE_CMD_ZERO, b, sizeof b), 0);
		assert_string_equal(scale_protocol_name(p.proto), streams[i]);
	}
	assert_int_equal(scale_parser_init(&p, "mt-8217", SCALE_UNIT_KG), WF_EINVAL);
	assert_int_equal(scale_parser_feed(&p, (const uint8_t *)"\x02 1\r", 4), 0);
	assert_int_equal(scale_parser_init(&p, NULL, SCALE_UNIT_KG), WF_EINVAL);

	enum scale_unit u;
	assert_int_equal(scale_unit_parse("lb", &u), 0);
	assert_int_equal(u, SCALE_UNIT_LB);
	assert_int_equal(scale_unit_parse("", &u), 0);
	assert_int_equal(u, SCALE_UNIT_KG);
	assert_int_equal(scale_unit_parse("KG", &u), WF_EINVAL);
	assert_int_equal(scale_unit_parse("t", &u), 0);
	assert_int_equal(u, SCALE_UNIT_T);
	assert_int_equal(scale_unit_parse("oz", &u), 0);
	assert_int_equal(u, SCALE_UNIT_OZ);
	assert_int_equal(scale_unit_parse("ozt", &u), WF_EINVAL);
	assert_string_equal(scale_unit_name(SCALE_UNIT_T), "t");
	assert_string_equal(scale_unit_name(SCALE_UNIT_OZ), "oz");
}

/* A frame cut short never yields; a wrong check never yields. */
static void test_bad_frames(void **state)
{
	(void)state;
	static const struct {
		const char *proto;
		const uint8_t *b;
		size_t n;
	} bad[] = {
	    {"mt8217", V("\x02 1.2x5\r")},
	    {"mt8217", V("\x02"
	                 "E\rhello")},
	    {"mt8217", V("\x02?\x01\x01\r")},
	    {"mt8217", V("\x02   1.250")},
	    {"mt8217", V("\x02 1.2.5\r")},
	    {"mt8217", V("\x02 123456789012\r")}, /* 12 significant digits */
	    {"mt-sics", V("S S 1.250 kg extra\r\n")},
	    {"mt-sics", V("S S\r\n")},
	    {"mt-sics", V("S X 1.0 kg\r\n")},
	    {"mt-sics", V("S S 1.2\x01"
	                  "50 kg\r\n")},
	    {"mt-sics", V("S S 1.250 kg")},
	    {"mt-sics", V("XYZ\r\n")},
	    {"mt-sics", V("S S 1.2x5 ozt\r\n")},      /* a bad value: not even a notice */
	    {"mt-sics", V("S S 12.07.50 lb:oz\r\n")}, /* lb:oz needs its colon */
	    {"mt-sics", V("S S 12:0x.5 lb:oz\r\n")},
	    {"mt-sics", V("S S 1234567:00 lb:oz\r\n")},
	    {"mt-sics", V("S S 12:123 lb:oz\r\n")},
	    {"cas-ci200", V("ST,GS,1\xc4,0001.650 kg\n")},   /* no CR */
	    {"cas-ci200", V("ST,GS,1\xc4,0001.650 oz\r\n")}, /* no such unit */
	    {"cas-ci200", V("XX,GS,1\xc4,0001.650 kg\r\n")},
	    {"cas-ci200", V("ST,XX,1\xc4,0001.650 kg\r\n")},
	    {"cas-ci200", V("ST,GS,1\xc4;0001.650 kg\r\n")}, /* no comma after the lamp */
	    {"cas-ci200", V("ST,GS,1\xc4,00a1.650 kg\r\n")},
	    {"cas-ci200", V("ST,GS,1\xc4,0001.650 kg\r")},
	    {"cas-ci200", V("ST,GS,1\xc4,99999999 t\r\n")}, /* 10^8 t: no scale weighs that */
	    {"xk3190-eq", V("=000.30")},                    /* unfinished */
	    {"xk3190-eq", V("=000.300x")},                  /* no sign */
	    {"xk3190-eq", V("=0a0.3000")},                  /* not a digit */
	    {"xk3190-eq", V("=00.1.000")},                  /* two points */
	    {"xk3190-eq", V("=00.100-0")},                  /* a minus among the digits */
	    {"xk3190-eq", V("000.3000=")}, /* no start: the frame after '=' is unfinished */
	    {"xk3190-a9", V("\x02+0016503"
	                    "1B"
	                    "\x03")}, /* check off by one */
	    {"xk3190-a9", V("\x02+0016506"
	                    "19"
	                    "\x03")}, /* 6 decimals */
	    {"xk3190-a9", V("\x02*0016503"
	                    "01"
	                    "\x03")},
	    {"xk3190-a9", V("\x02+00165031A")},
	    {"xk3190-a9", V("\x02+00165031AA\x03")},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct scale_parser p;
		assert_int_equal(scale_parser_init(&p, bad[i].proto, SCALE_UNIT_KG), WF_OK);
		struct scale_reading out[OUT_MAX];
		size_t n = feed_collect(&p, bad[i].b, bad[i].n, 0, NULL, out);
		if (n != 0)
			fail_msg("%s bad vector %zu: %zu readings (first %lld g)", bad[i].proto, i,
			         n, (long long)out[0].grams);
	}
}

/* The 8217 on a line read as 8 bits: parity bits set give the same readings. */
static void test_mt8217_parity(void **state)
{
	(void)state;
	struct scale_parser p;
	assert_int_equal(scale_parser_init(&p, "mt8217", SCALE_UNIT_G), WF_OK);
	const char *f = "\x02  1250.5N\r";
	uint8_t b[16];
	size_t n = strlen(f);
	for (size_t i = 0; i < n; i++) {
		uint8_t c = (uint8_t)f[i];
		b[i] = (uint8_t)(__builtin_parity(c) ? c | 0x80 : c); /* even parity */
	}
	assert_int_equal(scale_parser_feed(&p, b, n), 1);
	struct scale_reading rd;
	assert_true(scale_parser_next(&p, &rd));
	assert_int_equal(rd.grams, 1251);
	assert_true(rd.net);
	/* the status byte keeps its parity bit too: 0x02 -> 0x82 over capacity */
	assert_int_equal(scale_parser_feed(&p, (const uint8_t *)"\x02?\x82\r", 4), 1);
	assert_true(scale_parser_next(&p, &rd));
	assert_int_equal(rd.kind, SCALE_STATUS);
	assert_true(rd.overload);
}

/* The 8217 answers Z, T and C with its status: read as the answer to the
 * command the caller says it sent, and as a status reading. */
static void test_mt8217_command_answers(void **state)
{
	(void)state;
	struct scale_parser p;
	struct scale_reading out[OUT_MAX];
	assert_int_equal(scale_parser_init(&p, "mt8217", SCALE_UNIT_KG), WF_OK);
	/* no command sent: a status is only a status */
	assert_int_equal(feed_collect(&p, (const uint8_t *)"\x02?P\r", 4, 0, NULL, out), 1);
	assert_int_equal(out[0].kind, SCALE_STATUS);
	scale_parser_command_sent(&p, SCALE_CMD_ZERO);
	assert_int_equal(feed_collect(&p, (const uint8_t *)"\x02?P\r", 4, 0, NULL, out), 2);
	assert_int_equal(out[0].kind, SCALE_ACK);
	assert_string_equal(out[0].code, "?P");
	assert_int_equal(out[1].kind, SCALE_STATUS);
	assert_true(out[1].at_zero);
	/* answered once: the next status answers nothing */
	assert_int_equal(feed_collect(&p, (const uint8_t *)"\x02?H\r", 4, 0, NULL, out), 1);
	scale_parser_command_sent(&p, SCALE_CMD_ZERO);
	assert_int_equal(feed_collect(&p, (const uint8_t *)"\x02?H\r", 4, 0, NULL, out), 2);
	assert_int_equal(out[0].kind, SCALE_REFUSED);
	assert_string_equal(out[0].code, "?H");
	/* a weight does not answer a command; the status after it does */
	scale_parser_command_sent(&p, SCALE_CMD_TARE);
	const char *w = "\x02   1.000\r\x02?`\r";
	assert_int_equal(feed_collect(&p, (const uint8_t *)w, strlen(w), 1, NULL, out), 3);
	assert_int_equal(out[0].kind, SCALE_WEIGHT);
	assert_int_equal(out[1].kind, SCALE_ACK);
	assert_int_equal(out[2].kind, SCALE_STATUS);
	assert_true(out[2].net);
	/* given up by the caller: forgotten */
	scale_parser_command_sent(&p, SCALE_CMD_CLEAR_TARE);
	scale_parser_command_sent(&p, 0);
	assert_int_equal(feed_collect(&p, (const uint8_t *)"\x02?@\r", 4, 0, NULL, out), 1);
	/* a status byte that is not printable is written in hex in the code */
	scale_parser_command_sent(&p, SCALE_CMD_ZERO);
	assert_int_equal(feed_collect(&p, (const uint8_t *)"\x02?\x01\r", 4, 0, NULL, out), 2);
	assert_string_equal(out[0].code, "?01");
}

/* MT-SICS: a line too long for a reply is dropped up to its LF, whatever it
 * holds; the next line is read. A streaming balance (SIR) is just lines. */
static void test_mtsics_long_line_and_stream(void **state)
{
	(void)state;
	struct scale_parser p;
	assert_int_equal(scale_parser_init(&p, "mt-sics", SCALE_UNIT_KG), WF_OK);
	uint8_t b[300];
	memset(b, ' ', sizeof b);
	memcpy(b, "S S", 3);
	memcpy(b + 200, "1.000 kg\r\n", 10); /* 210 bytes: too long */
	struct scale_reading out[OUT_MAX];
	assert_int_equal(feed_collect(&p, b, 210, 1, NULL, out), 0);
	const char *stream = "S D 0.100 kg\r\nS D 0.700 kg\r\nS S 1.000 kg\r\nS S 1.000 kg\r\n";
	size_t n = feed_collect(&p, (const uint8_t *)stream, strlen(stream), 7, NULL, out);
	assert_int_equal(n, 4);
	assert_int_equal(out[0].grams, 100);
	assert_false(out[1].stable);
	assert_int_equal(out[3].grams, 1000);
	assert_true(out[3].stable);
}

/* The '=' format beyond the reversed 8-character frames of the random
 * streams: the normal digit order (A26 format 2), and the 7-character
 * frames of the T7E, read when the next '=' arrives. */
static void test_xk3190eq_orders_and_seven(void **state)
{
	(void)state;
	struct scale_parser p;
	struct scale_reading out[OUT_MAX];
	assert_int_equal(scale_parser_init(&p, "xk3190-eq", SCALE_UNIT_KG), WF_OK);
	assert_int_equal(scale_parser_digit_order(&p, true), WF_OK);
	const char *normal = "=0003.000=-0001.00=+012.500=*003.000"; /* last: no sign */
	size_t n = feed_collect(&p, (const uint8_t *)normal, strlen(normal), 1, NULL, out);
	assert_int_equal(n, 3);
	assert_int_equal(out[0].grams, 3000);
	assert_int_equal(out[1].grams, -1000);
	assert_int_equal(out[2].grams, 12500);
	assert_false(out[0].has_stable_flag);
	assert_true(out[0].stable);

	assert_int_equal(scale_parser_init(&p, "xk3190-eq", SCALE_UNIT_KG), WF_OK);
	const char *t7e = "=00.0050=00.005-=00.0050="; /* T7E: 500.00, -500.00, 500.00 */
	n = feed_collect(&p, (const uint8_t *)t7e, strlen(t7e), 0, NULL, out);
	assert_int_equal(n, 3);
	assert_int_equal(out[0].grams, 500000);
	assert_int_equal(out[1].grams, -500000);
	assert_int_equal(out[2].grams, 500000);
	/* a torn 6-character frame before the next '=' gives nothing */
	n = feed_collect(&p, (const uint8_t *)"=00.005=000.3000", 16, 0, NULL, out);
	assert_int_equal(n, 1);
	assert_int_equal(out[0].grams, 3000);
	/* digit_order is for this protocol only */
	assert_int_equal(scale_parser_init(&p, "xk3190-a9", SCALE_UNIT_KG), WF_OK);
	assert_int_equal(scale_parser_digit_order(&p, true), WF_EINVAL);
}

/* The recorded captures of tests/devices give the readings listed beside them. */
static void test_captures(void **state)
{
	(void)state;
	const char *src = getenv("WUFEI_SOURCE_DIR");
	assert_non_null(src);
	const char *names[] = {"mt8217", "mt-sics", "cas-ci200", "xk3190-a9", "xk3190-eq"};
	for (int i = 0; i < 5; i++) {
		char path[512];
		snprintf(path, sizeof path, "%s/tests/devices/captures/%s.bin", src, names[i]);
		FILE *f = fopen(path, "rb");
		assert_non_null(f); /* a capture that went missing is a failure, not a skip */
		static uint8_t bin[65536];
		size_t n = fread(bin, 1, sizeof bin, f);
		fclose(f);
		snprintf(path, sizeof path, "%s/tests/devices/captures/%s.expect", src, names[i]);
		f = fopen(path, "r");
		assert_non_null(f);
		struct scale_parser p;
		enum scale_unit unit = SCALE_UNIT_KG;
		char line[128];
		static struct scale_reading want[OUT_MAX];
		size_t nwant = 0;
		while (fgets(line, sizeof line, f)) {
			char u[8];
			long long g;
			char st[8];
			if (sscanf(line, "# unit %7s", u) == 1)
				assert_int_equal(scale_unit_parse(u, &unit), 0);
			else if (sscanf(line, "grams=%lld stable=%7s", &g, st) == 2) {
				want[nwant].kind = SCALE_WEIGHT;
				want[nwant].grams = g;
				want[nwant].stable = !strcmp(st, "true");
				nwant++;
			} else if (!strncmp(line, "status", 6)) {
				want[nwant].kind = SCALE_STATUS;
				want[nwant].overload = strstr(line, "overload") != NULL;
				nwant++;
			}
		}
		fclose(f);
		assert_int_equal(scale_parser_init(&p, names[i], unit), WF_OK);
		struct scale_reading out[OUT_MAX];
		size_t got = feed_collect(&p, bin, n, 1, NULL, out), w = 0;
		for (size_t k = 0; k < got; k++) {
			if (out[k].kind != SCALE_WEIGHT && out[k].kind != SCALE_STATUS)
				continue; /* answers to commands: not in the capture's list */
			assert_true(w < nwant);
			bool same =
			    out[k].kind == want[w].kind &&
			    (out[k].kind == SCALE_STATUS ? out[k].overload == want[w].overload
			                                 : out[k].grams == want[w].grams &&
			                                       out[k].stable == want[w].stable);
			if (!same)
				fail_msg(
				    "%s capture reading %zu: kind %d %lld g stable %d, want kind "
				    "%d %lld %d",
				    names[i], w, out[k].kind, (long long)out[k].grams,
				    out[k].stable, want[w].kind, (long long)want[w].grams,
				    want[w].stable);
			w++;
		}
		assert_int_equal(w, nwant);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_front_and_encoders),
	    cmocka_unit_test(test_bad_frames),
	    cmocka_unit_test(test_mt8217_parity),
	    cmocka_unit_test(test_mt8217_command_answers),
	    cmocka_unit_test(test_mtsics_long_line_and_stream),
	    cmocka_unit_test(test_xk3190eq_orders_and_seven),
	    cmocka_unit_test(test_captures),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
