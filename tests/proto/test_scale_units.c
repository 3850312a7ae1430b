/*
 * test_scale_units.c — what every scale parser shares (devices/proto/
 * scale.c): decimal text and scaled values in kg, g, mg, t, lb and oz to
 * integer grams, rounding half away from zero; the readings queue keeping
 * the newest.
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

/* Decimal text in each unit to grams, rounded half away from zero. */
static void test_units_decimal(void **state)
{
	(void)state;
	static const struct {
		const char *s;
		enum scale_unit u;
		int rc;
		int64_t g;
	} t[] = {
	    {"1.2505", SCALE_UNIT_KG, 0, 1251},   /* .5 g up */
	    {"-1.2505", SCALE_UNIT_KG, 0, -1251}, /* and away from zero below zero */
	    {"1.2504", SCALE_UNIT_KG, 0, 1250},
	    {"-0.0005", SCALE_UNIT_KG, 0, -1},
	    {"-0.0004", SCALE_UNIT_KG, 0, 0},
	    {"0.5", SCALE_UNIT_G, 0, 1},
	    {"-0.5", SCALE_UNIT_G, 0, -1},
	    {"-2.5", SCALE_UNIT_G, 0, -3},
	    {"2.4999", SCALE_UNIT_G, 0, 2},
	    {"1", SCALE_UNIT_LB, 0, 454},     /* 453.59237 */
	    {"2.000", SCALE_UNIT_LB, 0, 907}, /* 907.18474 */
	    {"-2", SCALE_UNIT_LB, 0, -907},
	    {"0.00110231", SCALE_UNIT_LB, 0, 0}, /* 0.49999941 g */
	    {"0.00110232", SCALE_UNIT_LB, 0, 1}, /* 0.50000394 g */
	    {"100", SCALE_UNIT_LB, 0, 45359},    /* 45359.237 */
	    {"3.5", SCALE_UNIT_LB, 0, 1588},     /* 1587.573295 */
	    {"1500", SCALE_UNIT_MG, 0, 2},       /* 1.5 g */
	    {"-1499", SCALE_UNIT_MG, 0, -1},
	    {"12.345", SCALE_UNIT_T, 0, 12345000},
	    {"-0.0000005", SCALE_UNIT_T, 0, -1}, /* half a gram, away from zero */
	    {"9999999.9999", SCALE_UNIT_T, 0, 9999999999900},
	    {"10000000", SCALE_UNIT_T, WF_EINVAL, 0},         /* 10^7 t: no scale weighs that */
	    {"1", SCALE_UNIT_OZ, 0, 28},                      /* 28.349523125 */
	    {"16", SCALE_UNIT_OZ, 0, 454},                    /* one pound */
	    {"-0.5", SCALE_UNIT_OZ, 0, -14},                  /* -14.17476 */
	    {"99999999999", SCALE_UNIT_OZ, 0, 2834952312472}, /* ...472.1 */
	    {"  +001.650 ", SCALE_UNIT_KG, 0, 1650},
	    {"- 1.0", SCALE_UNIT_KG, 0, -1000},
	    {".5", SCALE_UNIT_KG, 0, 500},
	    {"3.", SCALE_UNIT_KG, 0, 3000},
	    {"00000000000099999999999", SCALE_UNIT_G, 0, 99999999999}, /* 11 significant */
	    {"99999999999", SCALE_UNIT_LB, 0, 45359236999546},         /* ...546.40763 */
	    {"-99999999999", SCALE_UNIT_LB, 0, -45359236999546},
	    {"999999999999", SCALE_UNIT_G, WF_EINVAL, 0},  /* 12 significant */
	    {"0.0000000001", SCALE_UNIT_KG, WF_EINVAL, 0}, /* 10 decimals */
	    {"", SCALE_UNIT_KG, WF_EINVAL, 0},
	    {"   ", SCALE_UNIT_KG, WF_EINVAL, 0},
	    {"+", SCALE_UNIT_KG, WF_EINVAL, 0},
	    {".", SCALE_UNIT_KG, WF_EINVAL, 0},
	    {"1.2.3", SCALE_UNIT_KG, WF_EINVAL, 0},
	    {"1 2", SCALE_UNIT_KG, WF_EINVAL, 0},
	    {"--1", SCALE_UNIT_KG, WF_EINVAL, 0},
	    {"1-", SCALE_UNIT_KG, WF_EINVAL, 0},
	    {"1e3", SCALE_UNIT_KG, WF_EINVAL, 0},
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		int64_t g = 12345;
		int rc = scale_grams_from_decimal(t[i].s, strlen(t[i].s), t[i].u, &g);
		if (rc != t[i].rc || (rc == 0 && g != t[i].g))
			fail_msg("'%s' %s: rc %d grams %lld; want rc %d grams %lld", t[i].s,
			         scale_unit_name(t[i].u), rc, (long long)g, t[i].rc,
			         (long long)t[i].g);
		if (rc != 0)
			assert_int_equal(g, 12345); /* untouched on failure */
	}
}

/* Scaled values to grams, against a 128-bit reference. */
static void test_units_scaled(void **state)
{
	(void)state;
	/* Exactly half a gram in lb: 0.5 g = 0.00110231131... lb is not a finite
	 * decimal, so check the halfway point through the scaled form instead:
	 * 100000 / 45359237 is not exact either; use kg and g for exact halves. */
	int64_t g;
	assert_int_equal(scale_grams_from_scaled(5, 4, SCALE_UNIT_KG, &g), 0);
	assert_int_equal(g, 1); /* 0.5 g */
	assert_int_equal(scale_grams_from_scaled(-5, 4, SCALE_UNIT_KG, &g), 0);
	assert_int_equal(g, -1);
	assert_int_equal(scale_grams_from_scaled(-12345, 3, SCALE_UNIT_LB, &g), 0);
	assert_int_equal(g, -5600); /* -5599.527... */
	assert_int_equal(scale_grams_from_scaled(1, 10, SCALE_UNIT_KG, &g), WF_EINVAL);
	assert_int_equal(scale_grams_from_scaled(100000000000LL, 0, SCALE_UNIT_G, &g), WF_EINVAL);
#ifdef __SIZEOF_INT128__
	/* Every value against a wide reference: |m| x f / 10^d rounded half away. */
	struct rng r = {proto_test_seed("scale conversions")};
	long loops = wf_test_loops(200000);
	for (long it = 0; it < loops; it++) {
		int64_t m = (int64_t)(rng_next(&r) % 100000000000ULL);
		if (rng_below(&r, 2))
			m = -m;
		int d = (int)rng_below(&r, 10);
		enum scale_unit u = (enum scale_unit)(1 + rng_below(&r, 4));
		assert_int_equal(scale_grams_from_scaled(m, d, u, &g), 0);
		/* the reference works in 128 bits, where nothing can overflow */
		unsigned __int128 a = (unsigned __int128)(m < 0 ? -m : m);
		unsigned __int128 num = u == SCALE_UNIT_KG   ? 1000
		                        : u == SCALE_UNIT_LB ? 45359237
		                                             : 1;
		unsigned __int128 den = 1;
		for (int k = 0; k < d; k++)
			den *= 10;
		if (u == SCALE_UNIT_LB)
			den *= 100000;
		if (u == SCALE_UNIT_MG)
			den *= 1000;
		unsigned __int128 q = a * num / den, rem = a * num % den;
		if (rem * 2 >= den)
			q++;
		int64_t want = m < 0 ? -(int64_t)q : (int64_t)q;
		if (g != want)
			fail_msg("%lld e-%d %s: %lld, want %lld", (long long)m, d,
			         scale_unit_name(u), (long long)g, (long long)want);
	}
#endif
}

/* When nobody takes readings, the queue keeps the newest SCALE_QUEUE_MAX. */
static void test_queue_keeps_newest(void **state)
{
	(void)state;
	struct scale_parser p;
	assert_int_equal(scale_parser_init(&p, "mt-sics", SCALE_UNIT_G), WF_OK);
	char line[32];
	for (int i = 1; i <= SCALE_QUEUE_MAX + 5; i++) {
		int n = snprintf(line, sizeof line, "S S %d g\r\n", i);
		assert_int_equal(scale_parser_feed(&p, (const uint8_t *)line, (size_t)n), 1);
	}
	struct scale_reading rd;
	for (int i = 6; i <= SCALE_QUEUE_MAX + 5; i++) {
		assert_true(scale_parser_next(&p, &rd));
		assert_int_equal(rd.grams, i);
	}
	assert_false(scale_parser_next(&p, &rd));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_units_decimal),
	    cmocka_unit_test(test_units_scaled),
	    cmocka_unit_test(test_queue_keeps_newest),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
