/* wf_test.h — small helpers every test may use. Header-only. */
#ifndef WUFEI_WF_TEST_H
#define WUFEI_WF_TEST_H

#include <stdlib.h>

/*
 * wf_test_loops — scale a loop count for the build: the full count in the
 * normal build, WUFEI_LOOP_PERCENT percent of it under sanitizers (ctest sets
 * the variable). Never returns less than 1.
 */
static inline long wf_test_loops(long full)
{
	const char *p = getenv("WUFEI_LOOP_PERCENT");
	long pct = 100;
	if (p && *p) {
		char *end = NULL;
		long v = strtol(p, &end, 10);
		if (end && *end == '\0' && v > 0 && v <= 100)
			pct = v;
	}
	long n = full * pct / 100;
	return n < 1 ? 1 : n;
}

#endif
