/* wf_test.h — small helpers every test may use. Header-only. */
#ifndef WUFEI_WF_TEST_H
#define WUFEI_WF_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/*
 * wf_test_qr_read — the text of the QR code in the image at path, read with
 * zbarimg (zbar-tools), first line only, into out. Returns zbarimg's exit
 * status (0 when a code was read).
 */
static inline int wf_test_qr_read(const char *path, char *out, size_t cap)
{
	char cmd[1200];
	snprintf(cmd, sizeof cmd, "zbarimg --raw -q '%s' 2>/dev/null", path);
	out[0] = '\0';
	FILE *p = popen(cmd, "r");
	if (!p)
		return -1;
	size_t n = fread(out, 1, cap - 1, p);
	out[n] = '\0';
	out[strcspn(out, "\n")] = '\0';
	int st = pclose(p);
	return st == -1 ? -1 : (st >> 8) & 0xff;
}

#endif
