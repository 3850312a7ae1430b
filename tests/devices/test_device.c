/*
 * test_device.c — device threads against wufei-devsim over the real
 * libserialport path (device_thread.c, device_link.c): unplug/replug cycles
 * per device kind. Each cycle checks that DOWN is reported before the
 * replug and UP after it, that a reading, card or print made after the
 * replug gets through, and over all cycles that the process used less than
 * 5% CPU while the device was unplugged. Also: a device absent at start, a
 * path that is no port, a scale gone silent, the clock a device reads.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "device_test.h"
#include "clock.h"
#include "wf.h"
#include "wf_test.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void cycles(enum kind k, const char *const *args, const char *name, const char *proto,
                   const char *line)
{
	struct devsim ds;
	struct device_queue *q = device_queue_create(256);
	struct device *dev = NULL;
	struct device_config cfg = {0};
	struct seen seen = {0};
	long loops = wf_test_loops(50);
	int64_t idle_cpu = 0, idle_wall = 0;
	char cmd[96];

	assert_non_null(q);
	assert_int_equal(devsim_start(&ds, args), 0);
	snprintf(cfg.name, sizeof(cfg.name), "%s", name);
	cfg.role = k == K_SCALE  ? DEVICE_ROLE_SCALE
	           : k == K_CARD ? DEVICE_ROLE_CARD
	                         : DEVICE_ROLE_PRINTER;
	devsim_transport(&ds, name, cfg.transport, sizeof(cfg.transport));
	snprintf(cfg.protocol, sizeof(cfg.protocol), "%s", proto);
	assert_int_equal(transport_line_parse(line, &cfg.line), WF_OK);
	assert_int_equal(device_start(&cfg, q, NULL, NULL, &dev), WF_OK);
	assert_true(wait_for(q, DEVICE_EVENT_UP, 0, NULL, &seen, NULL));
	printf("# %s (%s): %ld unplug/replug cycles\n", name, proto, loops);

	for (long i = 0; i < loops; i++) {
		after_up(&ds, dev, q, k, i, &seen, loops);
		seen.up = seen.down = 0;

		snprintf(cmd, sizeof(cmd), "unplug %s", name);
		int64_t w0 = mono_us(), c0 = cpu_us();
		cmd_ok(&ds, cmd);
		assert_true(wait_for(q, DEVICE_EVENT_DOWN, 0, NULL, &seen, NULL));
		struct device_health h;
		device_health(dev, &h);
		assert_int_equal(h.state, DEVICE_STATE_DOWN);
		if (k == K_PRINTER) {
			uint8_t b = 0x0a;
			assert_int_equal(device_print(dev, &b, 1, NULL), WF_ESTATE);
		}
		ms_sleep(150); /* the device stays away a while */
		drain(q, &seen, NULL);
		assert_int_equal(seen.up, 0); /* nothing claims it is back */
		snprintf(cmd, sizeof(cmd), "replug %s", name);
		idle_cpu += cpu_us() - c0;
		idle_wall += mono_us() - w0;
		cmd_ok(&ds, cmd);
		assert_true(wait_for(q, DEVICE_EVENT_UP, 0, NULL, &seen, NULL));
		assert_int_equal(seen.down, 1);
	}
	after_up(&ds, dev, q, k, loops, &seen, loops);

	struct device_health h;
	device_health(dev, &h);
	assert_int_equal(h.state, DEVICE_STATE_UP);
	assert_int_equal(h.reconnects, (uint64_t)loops);
	assert_true(h.frames > 0 || k == K_PRINTER);
	assert_true(h.bytes_in > 0);
	assert_int_equal(device_queue_dropped(q), 0);
	printf("# %s: CPU while unplugged %.2f%% of %.1f s\n", name,
	       100.0 * (double)idle_cpu / (double)idle_wall, (double)idle_wall / 1e6);
	assert_true(idle_cpu * 100 < idle_wall * 5);
	device_stop(dev);
	device_queue_destroy(q);
	assert_int_equal(devsim_stop(&ds), 0);
}

static void test_scale_cycles(void **state)
{
	(void)state;
	const char *args[] = {"--scale", "mt8217", NULL};
	cycles(K_SCALE, args, "scale", "mt8217", "9600 7E1");
}

static void test_stream_scale_cycles(void **state)
{
	(void)state;
	const char *args[] = {"--scale", "cas-ci200", NULL};
	cycles(K_SCALE, args, "scale", "cas-ci200", "9600 8N1");
}

static void test_card_cycles(void **state)
{
	(void)state;
	const char *args[] = {"--card", "em4100", NULL};
	cycles(K_CARD, args, "card", "em4100", "9600 8N1");
}

static void test_printer_cycles(void **state)
{
	(void)state;
	const char *args[] = {"--printer", "escpos", NULL};
	cycles(K_PRINTER, args, "printer", "escpos", "115200 8N1");
}

/* A device that is not there at start: DOWN with a reason, then UP when it
 * appears; a bad config is refused before any thread starts. */
static void test_absent_then_present(void **state)
{
	(void)state;
	struct devsim ds;
	struct device_queue *q = device_queue_create(16);
	struct device *dev = NULL;
	struct seen seen = {0};
	struct device_event e;
	const char *args[] = {"--scale", "mt-sics", NULL};
	struct device_config cfg = {
	    .name = "scale", .role = DEVICE_ROLE_SCALE, .protocol = "mt-sics"};
	assert_int_equal(devsim_start(&ds, args), 0);
	cmd_ok(&ds, "unplug scale");
	devsim_transport(&ds, "scale", cfg.transport, sizeof(cfg.transport));
	assert_int_equal(device_start(&cfg, q, NULL, NULL, &dev), WF_OK);
	assert_true(wait_for(q, DEVICE_EVENT_DOWN, 0, NULL, &seen, &e));
	assert_true(strlen(e.reason) > 0);
	assert_int_equal(device_scale_command(dev, DEVICE_SCALE_ZERO), WF_ESTATE);
	cmd_ok(&ds, "replug scale");
	assert_true(wait_for(q, DEVICE_EVENT_UP, 0, NULL, &seen, NULL));
	cmd_ok(&ds, "weight 2500");
	assert_true(wait_for(q, DEVICE_EVENT_READING, 2500, NULL, &seen, NULL));
	/* zero through the device thread: the scale says it did, then reads 0 */
	assert_int_equal(device_scale_command(dev, DEVICE_SCALE_ZERO), WF_OK);
	assert_true(wait_for(q, DEVICE_EVENT_SCALE_ANSWER, 0, NULL, &seen, &e));
	assert_int_equal(e.u.answer.cmd, DEVICE_SCALE_ZERO);
	assert_true(e.u.answer.accepted);
	assert_true(wait_for(q, DEVICE_EVENT_READING, 0, NULL, &seen, NULL));
	/* a scale that refuses (platform moving, outside the zero range): said so */
	cmd_ok(&ds, "refuse scale on");
	cmd_ok(&ds, "weight 900");
	assert_int_equal(device_scale_command(dev, DEVICE_SCALE_ZERO), WF_OK);
	assert_true(wait_for(q, DEVICE_EVENT_SCALE_ANSWER, 0, NULL, &seen, &e));
	assert_false(e.u.answer.accepted);
	assert_string_equal(e.u.answer.code, "ZI");
	device_stop(dev);

	struct device *bad = (struct device *)1;
	struct device_config c2 = cfg;
	snprintf(c2.protocol, sizeof(c2.protocol), "%s", "em4100");
	assert_int_equal(device_start(&c2, q, NULL, NULL, &bad), WF_EINVAL);
	assert_null(bad);
	snprintf(c2.protocol, sizeof(c2.protocol), "%s", "mt8217");
	snprintf(c2.unit, sizeof(c2.unit), "%s", "oz");
	assert_int_equal(device_start(&c2, q, NULL, NULL, &bad), WF_EINVAL);
	device_queue_destroy(q);
	assert_int_equal(devsim_stop(&ds), 0);
}

/* A path that exists but is no serial port (a mistyped config): DOWN with
 * the reason, and no busy loop retrying it. */
static void test_present_but_unusable(void **state)
{
	(void)state;
	char dir[] = "/tmp/wufei-dev-notaport.XXXXXX";
	char path[64];
	struct device_queue *q = device_queue_create(16);
	struct device *dev = NULL;
	struct seen seen = {0};
	struct device_event e;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/ttyUSB0", dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fclose(f);
	struct device_config cfg = {.name = "card", .role = DEVICE_ROLE_CARD, .protocol = "em4100"};
	snprintf(cfg.transport, sizeof(cfg.transport), "serial:%s", path);
	int64_t w0 = mono_us(), c0 = cpu_us();
	assert_int_equal(device_start(&cfg, q, NULL, NULL, &dev), WF_OK);
	assert_true(wait_for(q, DEVICE_EVENT_DOWN, 0, NULL, &seen, &e));
	assert_true(strlen(e.reason) > 0);
	ms_sleep(1000);
	int64_t cpu = cpu_us() - c0, wall = mono_us() - w0;
	struct device_health h;
	device_health(dev, &h);
	assert_int_equal(h.state, DEVICE_STATE_DOWN);
	assert_true(strlen(h.last_error) > 0);
	device_stop(dev);
	printf("# not a port: CPU %.2f%% of %.1f s\n", 100.0 * (double)cpu / (double)wall,
	       (double)wall / 1e6);
	assert_true(cpu * 100 < wall * 5);
	device_queue_destroy(q);
	unlink(path);
	rmdir(dir);
}

/* A scale that goes silent with its line still open (switched off behind a
 * device server, cable cut after the adapter) is reported down for "no data"
 * and up again at its next reading; a streaming MT-SICS scale that forgot
 * SIR after a power cycle is asked again. */
static void test_silent_scale(void **state)
{
	(void)state;
	static const char *const protos[] = {"mt8217", "mt-sics"};
	for (int i = 0; i < 3; i++) {
		struct devsim ds;
		struct device_queue *q = device_queue_create(256);
		struct device *dev = NULL;
		struct seen seen = {0};
		struct device_event e;
		char scale[16];
		snprintf(scale, sizeof(scale), "%s", protos[i ? 1 : 0]);
		const char *args[] = {"--scale", scale, NULL};
		struct device_config cfg = {.name = "scale",
		                            .role = DEVICE_ROLE_SCALE,
		                            .reply_timeout_ms = 400,
		                            .poll_interval_ms = i == 2 ? -1 : 100};
		snprintf(cfg.protocol, sizeof(cfg.protocol), "%s", scale);
		assert_int_equal(devsim_start(&ds, args), 0);
		devsim_transport(&ds, "scale", cfg.transport, sizeof(cfg.transport));
		assert_int_equal(device_start(&cfg, q, NULL, NULL, &dev), WF_OK);
		cmd_ok(&ds, "weight 700");
		assert_true(wait_for(q, DEVICE_EVENT_READING, 700, NULL, &seen, NULL));
		cmd_ok(&ds, "power scale off");
		assert_true(wait_for(q, DEVICE_EVENT_DOWN, 0, NULL, &seen, &e));
		assert_non_null(strstr(e.reason, "no data"));
		cmd_ok(&ds, "weight 701");
		cmd_ok(&ds, "power scale on");
		assert_true(wait_for(q, DEVICE_EVENT_UP, 0, NULL, &seen, NULL));
		assert_true(wait_for(q, DEVICE_EVENT_READING, 701, NULL, &seen, NULL));
		struct device_health h;
		device_health(dev, &h);
		assert_int_equal(h.state, DEVICE_STATE_UP);
		assert_int_equal(h.reconnects, 0); /* the line never closed */
		device_stop(dev);
		device_queue_destroy(q);
		assert_int_equal(devsim_stop(&ds), 0);
	}
}

/* The device reads the clock it is given (device_start_with_clock): event
 * and health times are that clock's, and a silence lasts as long as that
 * clock says, however long the wait is in real time. */
static void test_device_clock(void **state)
{
	(void)state;
	const int64_t t0 = 1000000000; /* far from the system's monotonic time */
	struct wf_clock_virtual v;
	struct devsim ds;
	struct device_queue *q = device_queue_create(256);
	struct device *dev = NULL;
	struct seen seen = {0};
	struct device_event e;
	struct device_health h;
	const char *args[] = {"--scale", "cas-ci200", NULL};
	struct device_config cfg = {.name = "scale",
	                            .role = DEVICE_ROLE_SCALE,
	                            .protocol = "cas-ci200",
	                            .reply_timeout_ms = 3000};
	wf_clock_virtual_init(&v, t0, 0);
	assert_int_equal(devsim_start(&ds, args), 0);
	devsim_transport(&ds, "scale", cfg.transport, sizeof(cfg.transport));
	assert_int_equal(device_start_with_clock(&cfg, q, &v.clock, NULL, NULL, &dev), WF_OK);
	assert_true(wait_for(q, DEVICE_EVENT_UP, 0, NULL, &seen, &e));
	assert_int_equal(e.at_ms, t0);
	device_health(dev, &h);
	assert_int_equal(h.state_since_ms, t0);
	cmd_ok(&ds, "weight 700");
	assert_true(wait_for(q, DEVICE_EVENT_READING, 700, NULL, &seen, &e));
	assert_int_equal(e.at_ms, t0);
	/* silent for 1.5 s of real time, no time on its clock: still up */
	cmd_ok(&ds, "power scale off");
	ms_sleep(1500);
	drain(q, &seen, NULL);
	assert_int_equal(seen.down, 0);
	/* its clock moves on by the reply timeout: down, at that time */
	wf_clock_virtual_advance(&v, 3000);
	assert_true(wait_for(q, DEVICE_EVENT_DOWN, 0, NULL, &seen, &e));
	assert_int_equal(e.at_ms, t0 + 3000);
	assert_non_null(strstr(e.reason, "no data"));
	device_health(dev, &h);
	assert_int_equal(h.state_since_ms, t0 + 3000);
	cmd_ok(&ds, "power scale on");
	assert_true(wait_for(q, DEVICE_EVENT_UP, 0, NULL, &seen, &e));
	assert_int_equal(e.at_ms, t0 + 3000);
	device_stop(dev);
	device_queue_destroy(q);
	assert_int_equal(devsim_stop(&ds), 0);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_absent_then_present), cmocka_unit_test(test_present_but_unusable),
	    cmocka_unit_test(test_silent_scale),        cmocka_unit_test(test_device_clock),
	    cmocka_unit_test(test_scale_cycles),        cmocka_unit_test(test_stream_scale_cycles),
	    cmocka_unit_test(test_card_cycles),         cmocka_unit_test(test_printer_cycles),
	};
	if (argc > 1) /* one test by name: test_device test_NAME */
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
