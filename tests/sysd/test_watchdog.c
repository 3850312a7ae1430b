/*
 * test_watchdog.c — the watchdog's decisions (kiosk/watchdog/watchdog.h,
 * pure): READY once; pings at half WATCHDOG_USEC and only while healthy; a
 * device down is healthy, a device thread ended or a journal that cannot
 * take writes is not; pings come back with health; STATUS only when its
 * text changes; without a watchdog no pings but READY and STATUS still.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "watchdog.h"

static struct watchdog_health healthy(const char *devices)
{
	struct watchdog_health h = {.journal_ok = true, .devices_ok = true};
	snprintf(h.devices, sizeof h.devices, "%s", devices);
	return h;
}

static void test_ready_once_and_pings_at_half(void **state)
{
	(void)state;
	struct watchdog w;
	watchdog_init(&w, 30000000, 1000); /* WatchdogSec=30 */
	assert_int_equal(w.every_ms, 15000);
	assert_int_equal(watchdog_due_ms(&w, 1000), 0);
	struct watchdog_health h = healthy("scale up");
	struct watchdog_say s = watchdog_step(&w, 1000, &h);
	assert_true(s.ready);
	assert_true(s.ping);
	assert_non_null(s.status);
	assert_string_equal(s.status, "running; journal ok; scale up");
	assert_int_equal(watchdog_due_ms(&w, 1000), 15000);
	assert_int_equal(watchdog_due_ms(&w, 10000), 6000);
	s = watchdog_step(&w, 16000, &h);
	assert_false(s.ready);
	assert_true(s.ping);
	assert_null(s.status); /* unchanged: not sent again */
}

static void test_device_down_is_healthy(void **state)
{
	(void)state;
	struct watchdog w;
	watchdog_init(&w, 400000, 0);
	struct watchdog_health h = healthy("scale down, card reader up, printer down");
	struct watchdog_say s = watchdog_step(&w, 0, &h);
	assert_true(s.ping);
	assert_string_equal(s.status,
	                    "running; journal ok; scale down, card reader up, printer down");
}

static void test_unhealthy_stops_pings_until_mended(void **state)
{
	(void)state;
	struct watchdog w;
	watchdog_init(&w, 400000, 0);
	struct watchdog_health h = healthy("scale up");
	assert_true(watchdog_step(&w, 0, &h).ping);

	h.journal_ok = false;
	snprintf(h.journal_why, sizeof h.journal_why, "journal /j.db: its last write failed");
	struct watchdog_say s = watchdog_step(&w, 200, &h);
	assert_false(s.ping);
	assert_non_null(s.status);
	assert_string_equal(
	    s.status, "UNHEALTHY (watchdog pings stopped): journal /j.db: its last write failed");
	s = watchdog_step(&w, 400, &h);
	assert_false(s.ping);
	assert_null(s.status);

	h.devices_ok = false;
	snprintf(h.devices_why, sizeof h.devices_why, "the scale's thread ended");
	s = watchdog_step(&w, 600, &h);
	assert_false(s.ping);
	assert_non_null(s.status);
	assert_string_equal(s.status, "UNHEALTHY (watchdog pings stopped): journal /j.db: its last "
	                              "write failed; the scale's thread ended");

	h = healthy("scale up");
	s = watchdog_step(&w, 800, &h);
	assert_true(s.ping);
	assert_non_null(s.status);
	assert_string_equal(s.status, "running; journal ok; scale up");
}

static void test_device_thread_ended_alone(void **state)
{
	(void)state;
	struct watchdog w;
	watchdog_init(&w, 400000, 0);
	struct watchdog_health h = healthy("scale stopped");
	h.devices_ok = false;
	snprintf(h.devices_why, sizeof h.devices_why, "the scale's thread ended");
	struct watchdog_say s = watchdog_step(&w, 0, &h);
	assert_true(s.ready); /* READY still: systemd is told the kiosk runs, then why it stopped */
	assert_false(s.ping);
	assert_string_equal(s.status,
	                    "UNHEALTHY (watchdog pings stopped): the scale's thread ended");
}

static void test_no_watchdog(void **state)
{
	(void)state;
	struct watchdog w;
	watchdog_init(&w, 0, 5000);
	assert_int_equal(w.every_ms, 0);
	struct watchdog_health h = healthy("");
	struct watchdog_say s = watchdog_step(&w, 5000, &h);
	assert_true(s.ready);
	assert_false(s.ping);
	assert_string_equal(s.status, "running; journal ok");
	assert_int_equal(watchdog_due_ms(&w, 5000), WATCHDOG_LOOK_MS);
	h.journal_ok = false;
	snprintf(h.journal_why, sizeof h.journal_why, "journal /j.db: the file is gone");
	s = watchdog_step(&w, 15000, &h);
	assert_false(s.ping);
	assert_string_equal(s.status, "UNHEALTHY: journal /j.db: the file is gone");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ready_once_and_pings_at_half),
	    cmocka_unit_test(test_device_down_is_healthy),
	    cmocka_unit_test(test_unhealthy_stops_pings_until_mended),
	    cmocka_unit_test(test_device_thread_ended_alone),
	    cmocka_unit_test(test_no_watchdog),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
