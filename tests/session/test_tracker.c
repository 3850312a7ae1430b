/*
 * test_tracker.c — the scale tracker (kiosk/session/tracker.h) alone:
 * stability by readings over time, never by time alone; any reading that is
 * no stable weight ends it at once; the platform armed only by a stable run
 * wholly inside the zero band; forget and disarm.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "tracker.h"

#define TOL  10
#define TIME 1000
#define ZERO 20

static struct session_reading weight(int64_t g)
{
	struct session_reading r;
	memset(&r, 0, sizeof r);
	r.grams = g;
	r.has_stable = r.stable = true;
	return r;
}

static struct session_reading status(bool motion, bool over, bool under)
{
	struct session_reading r;
	memset(&r, 0, sizeof r);
	r.no_weight = true;
	r.has_stable = true;
	r.motion = motion;
	r.overload = over;
	r.underload = under;
	return r;
}

/* Feeds g every 100 ms from *t for ms; returns the last time fed. */
static int64_t hold(struct tracker *tr, int64_t g, int64_t *t, int64_t ms)
{
	int64_t end = *t + ms;
	for (; *t <= end; *t += 100) {
		struct session_reading r = weight(g);
		tracker_feed(tr, &r, *t);
	}
	*t -= 100;
	return *t;
}

static void test_stable_by_readings(void **state)
{
	(void)state;
	struct tracker tr;
	int64_t t = 1000, g = 0;
	tracker_init(&tr, TOL, TIME, ZERO);
	assert_int_equal(tracker_live(&tr), SESSION_SCALE_NONE);
	assert_false(tracker_stable_grams(&tr, &g));
	hold(&tr, 1250, &t, 900);
	assert_false(tracker_stable_grams(&tr, &g));
	assert_int_equal(tracker_live(&tr), SESSION_SCALE_SETTLING);
	assert_int_equal(tracker_stable_pct(&tr), 90);
	t += 100;
	hold(&tr, 1255, &t, 0); /* within tolerance of the run's first: it goes on */
	assert_true(tracker_stable_grams(&tr, &g));
	assert_int_equal(g, 1255);
	assert_int_equal(tracker_live(&tr), SESSION_SCALE_STABLE);
	assert_int_equal(tracker_stable_pct(&tr), 100);
	/* beyond tolerance: a new run */
	t += 100;
	hold(&tr, 1266, &t, 0);
	assert_false(tracker_stable_grams(&tr, &g));
	/* a scale that went silent: time alone makes nothing stable */
	t += 100000;
	assert_false(tracker_stable_grams(&tr, &g));
	int64_t w;
	assert_true(tracker_weight(&tr, &w));
	assert_int_equal(w, 1266);
}

static void test_status_ends_stability(void **state)
{
	(void)state;
	struct {
		bool motion, over, under;
		enum session_scale live;
	} cases[] = {
	    {true, false, false, SESSION_SCALE_MOVING},
	    {false, false, false, SESSION_SCALE_MOVING}, /* busy: no weight */
	    {false, true, false, SESSION_SCALE_OVERLOAD},
	    {false, false, true, SESSION_SCALE_UNDERLOAD},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct tracker tr;
		int64_t t = 0, g;
		tracker_init(&tr, TOL, TIME, ZERO);
		hold(&tr, 14900, &t, 1000);
		assert_true(tracker_stable_grams(&tr, &g));
		t += 100;
		struct session_reading r = status(cases[i].motion, cases[i].over, cases[i].under);
		tracker_feed(&tr, &r, t);
		assert_false(tracker_stable_grams(&tr, &g));
		assert_false(tracker_weight(&tr, &g));
		assert_int_equal(tracker_live(&tr), cases[i].live);
		assert_int_equal(tracker_overload(&tr), cases[i].over);
		/* stable again only after the configured time of readings */
		t += 100;
		hold(&tr, 14900, &t, 900);
		assert_false(tracker_stable_grams(&tr, &g));
		t += 100;
		hold(&tr, 14900, &t, 0);
		assert_true(tracker_stable_grams(&tr, &g));
	}
	/* a weight the scale flags unstable is no part of a run either */
	struct tracker tr;
	int64_t t = 0, g;
	tracker_init(&tr, TOL, TIME, ZERO);
	hold(&tr, 500, &t, 1000);
	struct session_reading r = weight(500);
	r.stable = false;
	tracker_feed(&tr, &r, t + 100);
	assert_false(tracker_stable_grams(&tr, &g));
	assert_int_equal(tracker_live(&tr), SESSION_SCALE_MOVING);
}

static void test_armed(void **state)
{
	(void)state;
	struct tracker tr;
	int64_t t = 0;
	tracker_init(&tr, TOL, TIME, ZERO);
	hold(&tr, 1000, &t, 2000);
	assert_false(tracker_armed(&tr)); /* never seen empty */
	t += 100;
	hold(&tr, 20, &t, 1000);
	assert_true(tracker_armed(&tr)); /* a stable run inside the zero band */
	tracker_disarm(&tr);
	assert_false(tracker_armed(&tr));
	/* a 30 g bag that reads 20 g once is no empty platform: its run's largest
	 * reading is 30 g */
	t += 100;
	hold(&tr, 30, &t, 500);
	t += 100;
	hold(&tr, 20, &t, 0);
	t += 100;
	hold(&tr, 30, &t, 1000);
	assert_false(tracker_armed(&tr));
	/* the scale went down: nothing from before counts */
	t += 100;
	hold(&tr, 0, &t, 1000);
	assert_true(tracker_armed(&tr));
	tracker_forget(&tr);
	assert_false(tracker_armed(&tr));
	assert_int_equal(tracker_live(&tr), SESSION_SCALE_NONE);
	int64_t g;
	assert_false(tracker_weight(&tr, &g));
}

/* Without a stable flag in the protocol (xk3190), time and tolerance alone. */
static void test_no_flag(void **state)
{
	(void)state;
	struct tracker tr;
	int64_t t = 0, g;
	tracker_init(&tr, TOL, TIME, ZERO);
	for (int i = 0; i <= 10; i++, t += 100) {
		struct session_reading r = weight(2000 + (i % 2) * 9);
		r.has_stable = false;
		r.stable = true;
		tracker_feed(&tr, &r, t);
	}
	assert_true(tracker_stable_grams(&tr, &g));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_stable_by_readings),
	    cmocka_unit_test(test_status_ends_stability),
	    cmocka_unit_test(test_armed),
	    cmocka_unit_test(test_no_flag),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
