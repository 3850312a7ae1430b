/*
 * scale_test.h — what the scale parser tests of tests/proto share: byte
 * vectors, expected readings, feeding a parser in pieces and comparing what
 * comes out. Needs cmocka.h (and proto_test.h) included first.
 */
#ifndef WUFEI_SCALE_TEST_H
#define WUFEI_SCALE_TEST_H

#include <stdio.h>
#include <string.h>

#include "proto_test.h"
#include "scale_parser.h"

#define V(s) (const uint8_t *)(s), sizeof(s) - 1

/* Expected readings, by kind. */
#define WEIGHT(g, st, ...)                                                                         \
	{                                                                                          \
		.kind = SCALE_WEIGHT, .grams = (g), .stable = (st), __VA_ARGS__                    \
	}
#define STATUS(...)                                                                                \
	{                                                                                          \
		.kind = SCALE_STATUS, __VA_ARGS__                                                  \
	}

static inline void expect_reading(const struct scale_reading *got, const struct scale_reading *want,
                                  const char *what)
{
	if (got->kind != want->kind || got->grams != want->grams || got->stable != want->stable ||
	    got->net != want->net || got->overload != want->overload ||
	    got->underload != want->underload || got->at_zero != want->at_zero ||
	    got->has_stable_flag != want->has_stable_flag ||
	    got->has_net_flag != want->has_net_flag || got->has_zero_flag != want->has_zero_flag ||
	    strcmp(got->code, want->code) != 0 || strcmp(got->text, want->text) != 0) {
		fail_msg("%s: got kind %d grams %lld stable %d net %d over %d under %d zero %d "
		         "flags %d%d%d code '%s'; want kind %d grams %lld stable %d net %d over %d "
		         "under %d zero %d flags %d%d%d code '%s'",
		         what, got->kind, (long long)got->grams, got->stable, got->net,
		         got->overload, got->underload, got->at_zero, got->has_stable_flag,
		         got->has_net_flag, got->has_zero_flag, got->code, want->kind,
		         (long long)want->grams, want->stable, want->net, want->overload,
		         want->underload, want->at_zero, want->has_stable_flag, want->has_net_flag,
		         want->has_zero_flag, want->code);
	}
}

#define OUT_MAX 64

/* Feed bytes in pieces of at most `piece` bytes (0: all at once); take every
 * reading after each piece. Returns the number of readings. */
static inline size_t feed_collect(struct scale_parser *p, const uint8_t *b, size_t n, size_t piece,
                                  struct rng *r, struct scale_reading *out)
{
	size_t got = 0, at = 0;
	while (at < n) {
		size_t k = n - at;
		if (piece == 1)
			k = 1;
		else if (piece > 1 && r)
			k = 1 + rng_below(r, (uint32_t)piece);
		if (k > n - at)
			k = n - at;
		int rc = scale_parser_feed(p, b + at, k);
		assert_true(rc >= 0);
		at += k;
		struct scale_reading rd;
		while (scale_parser_next(p, &rd)) {
			assert_true(got < OUT_MAX);
			out[got++] = rd;
		}
	}
	return got;
}

#endif
