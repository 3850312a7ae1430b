/*
 * expo.h — a strict reader of the Prometheus text exposition format
 * (version 0.0.4) for the tests of central's /metrics: every line a valid
 * comment (# HELP / # TYPE / other) or sample, names and label values as
 * the format allows (\\ \" \n the only escapes), one TYPE per family before
 * its samples, no series twice, and each histogram's buckets ascending,
 * cumulative and ending in le="+Inf" equal to its _count, with a _sum.
 */
#ifndef WUFEI_TESTS_CENTRAL_EXPO_H
#define WUFEI_TESTS_CENTRAL_EXPO_H

#include <stddef.h>

#define EXPO_MAX_SERIES 512

struct expo {
	size_t n;
	struct {
		char series[256]; /* name{labels} exactly as written (labels unescaped) */
		double value;
	} s[EXPO_MAX_SERIES];
	char why[256]; /* what was wrong, when expo_parse failed */
};

/* expo_parse — text into e; 0 when the whole text is valid, else -1 with e->why. */
int expo_parse(const char *text, struct expo *e);

/* expo_value — the value of series (as written), or -1 when absent. */
double expo_value(const struct expo *e, const char *series);

#endif
