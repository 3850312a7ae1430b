/*
 * test_hex_clock.c — common/core's hex codec and clock: every byte value
 * both ways, the lengths and characters hex_decode refuses, and the
 * virtual clock and local day.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "hex.h"
#include "wf.h"

static void test_hex(void **state)
{
	(void)state;
	uint8_t in[3] = {0x00, 0xAB, 0xff}, out[3];
	char hex[7];
	assert_int_equal(hex_encode(in, 3, hex, sizeof hex), WF_OK);
	assert_string_equal(hex, "00abff");
	assert_int_equal(hex_encode(in, 3, hex, 6), WF_ENOMEM);
	assert_string_equal(hex, "");
	assert_int_equal(hex_decode("00ABff", 6, out, 3), WF_OK);
	assert_memory_equal(in, out, 3);
	assert_int_equal(hex_decode("00ABf", 5, out, 3), WF_EINVAL);   /* short */
	assert_int_equal(hex_decode("00ABff0", 7, out, 3), WF_EINVAL); /* long */
	assert_int_equal(hex_decode("00AGff", 6, out, 3), WF_EINVAL);
	assert_int_equal(hex_decode("00 Bff", 6, out, 3), WF_EINVAL);
	assert_int_equal(hex_decode(NULL, 6, out, 3), WF_EINVAL);
	uint8_t zero[3] = {0};
	assert_memory_equal(out, zero, 3); /* zeroed on failure */
	assert_int_equal(hex_decode("", 0, out, 0), WF_OK);
	/* every byte value, both cases */
	uint8_t all[256], back[256];
	char text[513];
	for (int i = 0; i < 256; i++)
		all[i] = (uint8_t)i;
	assert_int_equal(hex_encode(all, 256, text, sizeof text), WF_OK);
	assert_int_equal(strlen(text), 512);
	assert_int_equal(hex_decode(text, 512, back, 256), WF_OK);
	assert_memory_equal(all, back, 256);
	for (char *p = text; *p; p++)
		if (*p >= 'a' && *p <= 'f')
			*p = (char)(*p - 32);
	assert_int_equal(hex_decode(text, 512, back, 256), WF_OK);
	assert_memory_equal(all, back, 256);
	assert_int_equal(hex_digit('g'), -1);
	assert_int_equal(hex_digit('F'), 15);
}

static void test_clock(void **state)
{
	(void)state;
	const struct wf_clock *sys = wf_clock_system();
	int64_t m1 = wf_clock_mono_ms(sys), m2 = wf_clock_mono_ms(sys);
	assert_true(m2 >= m1);
	int64_t u = wf_clock_utc_ms(sys);
	assert_true(u > 1700000000000LL); /* after 2023: a real wall clock */
	struct wf_clock_virtual v;
	wf_clock_virtual_init(&v, 5, 1764460800000LL); /* 2025-11-30 00:00 UTC */
	assert_int_equal(wf_clock_mono_ms(&v.clock), 5);
	wf_clock_virtual_advance(&v, 1000);
	wf_clock_virtual_advance(&v, -50); /* never back */
	assert_int_equal(wf_clock_mono_ms(&v.clock), 1005);
	assert_int_equal(wf_clock_utc_ms(&v.clock), 1764460801000LL);
	/* the local day follows the process's time zone */
	setenv("TZ", "Asia/Shanghai", 1);
	tzset();
	assert_int_equal(wf_local_day(1764460800000LL - 9 * 3600 * 1000LL), 20251129); /* 23:00 */
	assert_int_equal(wf_local_day(1764460800000LL - 8 * 3600 * 1000LL), 20251130); /* 00:00 */
	assert_int_equal(wf_local_day(1764460800000LL - 8 * 3600 * 1000LL - 1), 20251129);
	setenv("TZ", "UTC", 1);
	tzset();
	assert_int_equal(wf_local_day(1764460800000LL - 1), 20251129);
	assert_int_equal(wf_local_day(1764460800000LL), 20251130);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_hex),
	    cmocka_unit_test(test_clock),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
