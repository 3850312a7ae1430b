/*
 * test_device_events.c — what a scale's device thread reports, against
 * wufei-devsim over the real libserialport path: readings through
 * fragmented writes and garbage on every protocol, the MT 8217's statuses
 * and zero/tare answers, and a queue the main loop does not empty in time
 * (device_queue.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "device_test.h"
#include "wf.h"
#include "wf_test.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Fragmented writes and garbage on the line do not lose the next reading. */
static void test_slow_and_garbage(void **state)
{
	(void)state;
	const char *protos[] = {"mt-sics", "cas-ci200", "xk3190-a9", "xk3190-eq", "mt8217"};
	for (size_t i = 0; i <= sizeof(protos) / sizeof(protos[0]); i++) {
		/* the last round: mt-sics streaming (SIR) instead of polled */
		bool sir = i == sizeof(protos) / sizeof(protos[0]);
		struct devsim ds;
		struct device_queue *q = device_queue_create(64);
		struct device *dev = NULL;
		struct seen seen = {0};
		char scale[16];
		snprintf(scale, sizeof(scale), "%s", sir ? "mt-sics" : protos[i]);
		const char *args[] = {"--scale", scale, NULL};
		struct device_config cfg = {
		    .name = "scale", .role = DEVICE_ROLE_SCALE, .poll_interval_ms = sir ? -1 : 0};
		snprintf(cfg.protocol, sizeof(cfg.protocol), "%s", scale);
		assert_int_equal(devsim_start(&ds, args), 0);
		devsim_transport(&ds, "scale", cfg.transport, sizeof(cfg.transport));
		assert_int_equal(device_start(&cfg, q, NULL, NULL, &dev), WF_OK);
		assert_true(wait_for(q, DEVICE_EVENT_UP, 0, NULL, &seen, NULL));
		cmd_ok(&ds, "slow scale on");
		cmd_ok(&ds, "garbage scale 200");
		cmd_ok(&ds, "weight 3210");
		assert_true(wait_for(q, DEVICE_EVENT_READING, 3210, NULL, &seen, NULL));
		cmd_ok(&ds, "garbage scale 50");
		cmd_ok(&ds, "weight 3211");
		assert_true(wait_for(q, DEVICE_EVENT_READING, 3211, NULL, &seen, NULL));
		assert_int_equal(seen.down, 0); /* garbage is not a hang-up */
		struct device_health h;
		device_health(dev, &h);
		/* streaming sends one command after open; polling sends one per poll */
		if (sir)
			assert_int_equal(h.bytes_out, 5);
		else if (!strcmp(scale, "mt8217"))
			assert_true(h.bytes_out >= 2); /* "W" per poll */
		else if (!strcmp(scale, "mt-sics"))
			assert_true(h.bytes_out >= 8); /* "SI\r\n" per poll */
		else
			assert_int_equal(h.bytes_out, 0);
		device_stop(dev);
		device_queue_destroy(q);
		assert_int_equal(devsim_stop(&ds), 0);
	}
}

/* Waits for a status-only reading with the given flag; true if it came. */
static bool wait_status(struct device_queue *q, struct seen *seen, bool overload, bool motion)
{
	for (int tries = 0; tries < 100; tries++) {
		struct device_event e;
		if (!wait_for(q, DEVICE_EVENT_READING, 0, NULL, seen, NULL) &&
		    !device_queue_pop(q, &e))
			ms_sleep(10);
		while (device_queue_pop(q, &e))
			if (e.kind == DEVICE_EVENT_READING && e.u.reading.status_only &&
			    e.u.reading.overload == overload && e.u.reading.motion == motion)
				return true;
	}
	return false;
}

/* Issue 9 through a real device thread and a simulated MT 8217 (bit 6 set
 * in every status, as on real scales): a stable weight, then "over
 * capacity" and "in motion" arrive as status readings instead of being
 * dropped as refusals; zero is answered done or refused by its status. */
static void test_8217_status_and_answers(void **state)
{
	(void)state;
	struct devsim ds;
	struct device_queue *q = device_queue_create(64);
	struct device *dev = NULL;
	struct seen seen = {0};
	struct device_event e;
	const char *args[] = {"--scale", "mt8217", NULL};
	struct device_config cfg = {.name = "scale",
	                            .role = DEVICE_ROLE_SCALE,
	                            .protocol = "mt8217",
	                            .poll_interval_ms = 50};
	assert_int_equal(devsim_start(&ds, args), 0);
	devsim_transport(&ds, "scale", cfg.transport, sizeof(cfg.transport));
	assert_int_equal(transport_line_parse("9600 7E1", &cfg.line), WF_OK);
	assert_int_equal(device_start(&cfg, q, NULL, NULL, &dev), WF_OK);
	assert_true(wait_for(q, DEVICE_EVENT_UP, 0, NULL, &seen, NULL));
	cmd_ok(&ds, "weight 14900");
	assert_true(wait_for(q, DEVICE_EVENT_READING, 14900, NULL, &seen, NULL));
	cmd_ok(&ds, "overload scale on");
	assert_true(wait_status(q, &seen, true, false));
	cmd_ok(&ds, "overload scale off");
	cmd_ok(&ds, "motion scale on");
	assert_true(wait_status(q, &seen, false, true));
	cmd_ok(&ds, "motion scale off");
	assert_true(wait_for(q, DEVICE_EVENT_READING, 14900, NULL, &seen, NULL));
	/* zero: done, the status says centre of zero */
	assert_int_equal(device_scale_command(dev, DEVICE_SCALE_ZERO), WF_OK);
	assert_true(wait_for(q, DEVICE_EVENT_SCALE_ANSWER, 0, NULL, &seen, &e));
	assert_int_equal(e.u.answer.cmd, DEVICE_SCALE_ZERO);
	assert_true(e.u.answer.accepted);
	assert_true(wait_for(q, DEVICE_EVENT_READING, 0, NULL, &seen, NULL));
	/* outside the zero-capture range: refused, with the scale's status */
	cmd_ok(&ds, "refuse scale on");
	cmd_ok(&ds, "weight 15800"); /* 900 g over the new zero */
	assert_true(wait_for(q, DEVICE_EVENT_READING, 900, NULL, &seen, NULL));
	assert_int_equal(device_scale_command(dev, DEVICE_SCALE_ZERO), WF_OK);
	assert_true(wait_for(q, DEVICE_EVENT_SCALE_ANSWER, 0, NULL, &seen, &e));
	assert_false(e.u.answer.accepted);
	assert_string_equal(e.u.answer.code, "?H");
	/* tare: done (net) */
	cmd_ok(&ds, "refuse scale off");
	assert_int_equal(device_scale_command(dev, DEVICE_SCALE_TARE), WF_OK);
	assert_true(wait_for(q, DEVICE_EVENT_SCALE_ANSWER, 0, NULL, &seen, &e));
	assert_int_equal(e.u.answer.cmd, DEVICE_SCALE_TARE);
	assert_true(e.u.answer.accepted);
	device_stop(dev);
	device_queue_destroy(q);
	assert_int_equal(devsim_stop(&ds), 0);
}

/* A main loop that does not keep up: old readings are dropped, never an
 * up/down event; the eventfd stays readable while events wait. */
static void test_queue_overflow(void **state)
{
	(void)state;
	struct devsim ds;
	struct device_queue *q = device_queue_create(4);
	struct device *dev = NULL;
	struct device_event e;
	const char *args[] = {"--scale", "cas-ci200", NULL};
	struct device_config cfg = {
	    .name = "scale", .role = DEVICE_ROLE_SCALE, .protocol = "cas-ci200"};
	assert_int_equal(devsim_start(&ds, args), 0);
	devsim_transport(&ds, "scale", cfg.transport, sizeof(cfg.transport));
	assert_int_equal(device_start(&cfg, q, NULL, NULL, &dev), WF_OK);
	/* 10 frames a second: far more than 4 in a second */
	for (int i = 0; i < 200 && device_queue_dropped(q) < 5; i++)
		ms_sleep(10);
	assert_true(device_queue_dropped(q) >= 5);
	cmd_ok(&ds, "unplug scale");
	for (int i = 0; i < 500; i++) {
		struct device_health h;
		device_health(dev, &h);
		if (h.state == DEVICE_STATE_DOWN)
			break;
		ms_sleep(10);
	}
	struct pollfd p = {.fd = device_queue_fd(q), .events = POLLIN};
	assert_int_equal(poll(&p, 1, 0), 1);
	int n = 0, up = 0, down = 0;
	while (device_queue_pop(q, &e)) {
		n++;
		up += e.kind == DEVICE_EVENT_UP;
		down += e.kind == DEVICE_EVENT_DOWN;
	}
	assert_true(n <= 4);
	assert_int_equal(up, 1);
	assert_int_equal(down, 1);
	assert_int_equal(poll(&p, 1, 0), 0); /* empty: not readable */
	device_stop(dev);
	device_queue_destroy(q);
	assert_int_equal(devsim_stop(&ds), 0);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_8217_status_and_answers),
	    cmocka_unit_test(test_queue_overflow),
	    cmocka_unit_test(test_slow_and_garbage),
	};
	if (argc > 1) /* one test by name: test_device_events test_NAME */
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
